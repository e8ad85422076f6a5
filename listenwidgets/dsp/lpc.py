"""Linear prediction: the all-pole spectral envelope (chapter 5).

Sign convention. Every function here returns the coefficients of the
prediction-error filter ``A(z) = 1 + a_1 z^-1 + ... + a_p z^-p`` as
``[1, a_1, ..., a_p]`` (librosa's and scipy's convention), so that

.. math:: e(n) = \\sum_{k=0}^{p} a_k\\, x(n - k) = x(n) + \\sum_{k=1}^{p} a_k\\, x(n - k)

is the prediction residual, ``scipy.signal.lfilter(a, [1], x)``. The lecture
writes the predictor ``x̂(n) = Σ_{k=1..p} α_k x(n−k)`` and ``e(n) = x(n) − x̂(n)``:
the two are the same filter with **α_k = −a_k**. The envelope is the all-pole
filter ``G / A(z)`` evaluated on the unit circle (:func:`lpc_envelope`).

Two estimators are offered:

- :func:`lpc` -- Burg's method, as :func:`librosa.lpc`; computed from the
  frame's autocorrelation and its first and last ``order`` samples (Vos's
  formulation of Burg's recursion), vectorised over all frames at once.
- :func:`lpc_autocorrelation` -- the autocorrelation method: the normal
  equations ``R α = r`` solved by the Levinson–Durbin recursion (the lecture's
  derivation). Always gives a stable (minimum-phase) filter.
"""

import numpy as np

from ..errors import ParameterError
from ._checks import check_audio, check_int, check_real

__all__ = [
    "lpc",
    "lpc_autocorrelation",
    "lpc_gain",
    "lpc_envelope",
]

#: Bytes of float64 frames correlated at a time (fits in the CPU's L2 cache).
_BLOCK_BYTES = 2**19


def _frames_last(y, order, axis):
    """Check ``y`` and ``order``; return float64 frames (n_frames, n) and the leading shape."""
    y = check_audio(y, mono=False)
    order = check_int(order, "order", minimum=1)
    try:
        moved = np.moveaxis(y, axis, -1)
    except np.exceptions.AxisError as exc:
        raise ParameterError(f"axis={axis} is out of range for y.shape={y.shape}") from exc
    length = moved.shape[-1]
    if order >= length:
        raise ParameterError(
            f"order={order} must be less than the frame length (length={length} samples along "
            f"axis={axis}); use order <= {length - 1} or longer frames"
        )
    return y, order, moved.reshape(-1, length), moved.shape[:-1]


def _autocorrelation(frames, max_lag):
    """``r[:, j] = Σ_t x[t] x[t + j]`` for ``j = 0 .. max_lag`` (unnormalised, biased), in float64.

    Frames are converted to float64 a cache-sized block at a time, so every lag
    reads the block from cache rather than the whole signal from memory.
    """
    n_frames, n = frames.shape
    r = np.empty((n_frames, max_lag + 1), dtype=np.float64)
    block = max(1, _BLOCK_BYTES // (8 * n))
    for start in range(0, n_frames, block):
        x = np.asarray(frames[start:start + block], dtype=np.float64, order="C")
        for lag in range(max_lag + 1):
            r[start:start + block, lag] = np.einsum("ij,ij->i", x[:, :n - lag], x[:, lag:])
    return r


def _restore(coeffs, lead_shape, axis, dtype):
    """Reshape (n_frames, order + 1) coefficients to ``y``'s layout, lags on ``axis``."""
    coeffs = coeffs.reshape(*lead_shape, coeffs.shape[-1]).astype(dtype, copy=False)
    return np.moveaxis(coeffs, -1, axis)


def lpc(y, *, order, axis=-1):
    """Linear-prediction coefficients by Burg's method (as :func:`librosa.lpc`).

    Burg's method chooses, order by order, the reflection coefficient

    .. math:: k_m = \\frac{-2 \\sum_n f_{m-1}(n)\\, b_{m-1}(n-1)}
                          {\\sum_n f_{m-1}(n)^2 + b_{m-1}(n-1)^2}

    that minimises the sum of forward and backward prediction-error power,
    and updates ``a`` by the Levinson recursion ``a_j ← a_j + k_m a_{m-j}``.
    The sums are evaluated from the autocorrelation ``c_j = Σ_t x_t x_{t+j}``
    and the frame's first and last ``order`` samples (Vos 2013), which costs
    ``O(n p)`` per frame for the autocorrelation and ``O(p^2)`` for the
    recursion, with every frame processed at once.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Real floating-point signal or frames (e.g. ``frame(y, ...)`` with
        ``axis=-2``); each 1-D slice along ``axis`` is one frame.
    order : int in [1, n - 1]
        Model order ``p`` (number of poles).
    axis : int
        Axis along which the frames run.

    Returns
    -------
    a : np.ndarray [shape=(..., order + 1)]
        ``[1, a_1, ..., a_p]`` for each frame, on ``axis``, in ``y``'s dtype.
        An all-zero (silent) frame gives ``[1, 0, ..., 0]`` (no NaN). The
        lecture's predictor coefficients are ``α_k = -a[k]``.

    Raises
    ------
    ParameterError
        If ``order >= n`` (naming both), or ``y`` contains NaN/Inf or is not
        floating point.

    References
    ----------
    J. P. Burg, "Maximum entropy spectral analysis", 1967.
    S. L. Marple, "A new autoregressive spectrum analysis algorithm", IEEE
    Trans. ASSP 28(4), 1980.
    K. Vos, "A fast implementation of Burg's method", 2013.

    Examples
    --------
    >>> import numpy as np, scipy.signal
    >>> from listenwidgets.dsp import lpc
    >>> e = np.random.default_rng(0).standard_normal(20000)
    >>> y = scipy.signal.lfilter([1.0], [1.0, -1.5, 0.8], e)  # AR(2)
    >>> lpc(y, order=2).round(2)
    array([ 1. , -1.5,  0.8])
    """
    y, order, x, lead_shape = _frames_last(y, order, axis)
    n_frames, n = x.shape
    c = _autocorrelation(x, order)
    head = x[:, :order + 1].astype(np.float64)          # x_0 .. x_p
    tail = x[:, ::-1][:, :order + 1].astype(np.float64)  # x_{n-1}, x_{n-2}, ..., x_{n-1-p}
    tiny = np.finfo(np.float64).tiny

    a = np.zeros((n_frames, order + 1))
    a[:, 0] = 1.0
    g = np.zeros((n_frames, order + 2))
    g[:, 0] = 2.0 * c[:, 0] - head[:, 0] ** 2 - tail[:, 0] ** 2
    g[:, 1] = 2.0 * c[:, 1]
    r = np.zeros((n_frames, order + 1))
    r[:, 0] = 2.0 * c[:, 1]
    for i in range(order):
        # Reflection coefficient from g (a[:, i + 1] is still 0).
        num = np.einsum("fj,fj->f", a[:, :i + 2], g[:, i + 1::-1])
        den = np.einsum("fj,fj->f", a[:, :i + 2], g[:, :i + 2])
        k = -num / (den + tiny)
        a[:, :i + 2] += k[:, None] * a[:, i + 1::-1].copy()
        if i == order - 1:
            break
        m = i + 1
        # r_j <- r_{j-1} - x_{j-1} x_m - x_{n-j} x_{n-1-m}, then r_0 = 2 c_{m+1}.
        r[:, 1:m + 1] = (r[:, :m] - head[:, :m] * head[:, m:m + 1]
                         - tail[:, :m] * tail[:, m:m + 1])
        r[:, 0] = 2.0 * c[:, m + 1]
        # g_j <- g_j + k g_{m-j} + Δ_j, with Δ from the frame's edges; then g_{m+1} = r · a.
        head_rev = head[:, m::-1]
        tail_rev = tail[:, m::-1]
        inner_head = np.einsum("fj,fj->f", head_rev, a[:, :m + 1])
        inner_tail = np.einsum("fj,fj->f", tail_rev, a[:, :m + 1])
        delta = -head_rev * inner_head[:, None] - tail_rev * inner_tail[:, None]
        g[:, :m + 1] += k[:, None] * g[:, m::-1].copy() + delta
        g[:, m + 1] = np.einsum("fj,fj->f", r[:, :m + 1], a[:, :m + 1])
    return _restore(a, lead_shape, axis, y.dtype)


def lpc_autocorrelation(y, *, order, axis=-1):
    """Linear-prediction coefficients by the autocorrelation method (Levinson–Durbin).

    With ``r_j = Σ_t x_t x_{t+j}`` the (biased) autocorrelation of the frame
    (zero outside it), the lecture's predictor ``x̂(n) = Σ α_k x(n−k)`` that
    minimises ``Σ_n e(n)^2`` solves the Toeplitz normal equations

    .. math:: \\sum_{k=1}^{p} α_k\\, r_{|i-k|} = r_i, \\quad i = 1..p

    which the Levinson–Durbin recursion solves in ``O(p^2)``: for ``m = 1..p``,
    ``k_m = -(r_m + Σ_{j<m} a_j r_{m-j}) / E_{m-1}``, ``a_j ← a_j + k_m a_{m-j}``,
    ``E_m = (1 - k_m^2) E_{m-1}``, ``E_0 = r_0``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Real floating-point signal or frames (usually windowed).
    order : int in [1, n - 1]
        Model order ``p``.
    axis : int
        Axis along which the frames run.

    Returns
    -------
    a : np.ndarray [shape=(..., order + 1)]
        ``[1, a_1, ..., a_p] = [1, -α_1, ..., -α_p]`` per frame, on ``axis``,
        in ``y``'s dtype. A silent frame gives ``[1, 0, ..., 0]``.

    Raises
    ------
    ParameterError
        If ``order >= n`` or ``y`` contains NaN/Inf.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import lpc_autocorrelation
    >>> y = np.cos(2 * np.pi * 0.05 * np.arange(400)) * np.hanning(400)
    >>> a = lpc_autocorrelation(y, order=2)
    >>> a.round(2)  # poles near exp(±j 0.1 π): a_1 ≈ -2 cos(0.1 π) = -1.90, a_2 ≈ 1
    array([ 1. , -1.9,  1. ])
    """
    y, order, x, lead_shape = _frames_last(y, order, axis)
    r = _autocorrelation(x, order)
    tiny = np.finfo(np.float64).tiny
    a = np.zeros((x.shape[0], order + 1))
    a[:, 0] = 1.0
    error = r[:, 0].copy()
    for m in range(1, order + 1):
        acc = np.einsum("fj,fj->f", a[:, :m], r[:, m:0:-1])
        k = -acc / (error + tiny)
        a[:, :m + 1] += k[:, None] * a[:, m::-1].copy()
        error *= 1.0 - k * k
    return _restore(a, lead_shape, axis, y.dtype)


def lpc_gain(y, a, *, axis=-1):
    """Gain ``G`` of the all-pole model: the root energy of the residual ``e = a * y``.

    .. math:: G^2 = \\sum_n e(n)^2 = \\sum_{i,j} a_i a_j r_{|i-j|}

    (full convolution of the frame, zero outside it). With this ``G``,
    :func:`lpc_envelope` sits on the same scale as ``|rfft(y, n_fft)|`` of the
    frame ``y`` the coefficients were estimated from (for the autocorrelation
    method ``G^2`` is the final Levinson error ``E_p``).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        The frames the coefficients were computed from.
    a : np.ndarray [shape=(..., order + 1)]
        Coefficients from :func:`lpc` or :func:`lpc_autocorrelation`.
    axis : int
        Axis of samples in ``y`` and of coefficients in ``a``.

    Returns
    -------
    gain : np.ndarray [shape=(...)]
        Non-negative; 0 for a silent frame.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import lpc_autocorrelation, lpc_gain
    >>> y = np.random.default_rng(1).standard_normal(1024)
    >>> a = lpc_autocorrelation(y, order=8)
    >>> bool(0.9 < lpc_gain(y, a) / np.sqrt(np.sum(y ** 2)) < 1.0)
    True
    """
    a = np.asarray(a)
    if a.ndim == 0 or not np.issubdtype(a.dtype, np.floating):
        raise ParameterError(f"a must be a floating-point array of coefficients, got a={a!r}")
    order = a.shape[axis] - 1
    y, order, x, lead_shape = _frames_last(y, order, axis)
    coeffs = np.moveaxis(a, axis, -1).reshape(-1, order + 1).astype(np.float64)
    if coeffs.shape[0] != x.shape[0]:
        raise ParameterError(
            f"a has {coeffs.shape[0]} frames but y has {x.shape[0]} "
            f"(a.shape={a.shape}, y.shape={y.shape})"
        )
    r = _autocorrelation(x, order)
    rho = _autocorrelation(coeffs, order)
    energy = r[:, 0] * rho[:, 0] + 2.0 * np.einsum("fj,fj->f", r[:, 1:], rho[:, 1:])
    return np.sqrt(np.maximum(energy, 0.0)).reshape(lead_shape)


def lpc_envelope(a, *, n_fft, gain=1.0):
    """Magnitude response ``|G / A(e^{jω})|`` of the all-pole model on the rfft grid.

    .. math:: H(k) = \\frac{G}{\\left|\\sum_{j=0}^{p} a_j e^{-j 2\\pi k j / N}\\right|},
              \\quad k = 0 .. N/2, \\; N = n_{fft}

    Parameters
    ----------
    a : np.ndarray [shape=(..., order + 1)]
        Coefficients ``[1, a_1, ..., a_p]`` along the last axis.
    n_fft : int > order
        FFT length; the envelope has ``1 + n_fft // 2`` points, matching
        ``fft_frequencies(sr=sr, n_fft=n_fft)``.
    gain : float or np.ndarray [shape=(...)]
        ``G``, e.g. from :func:`lpc_gain` (then the envelope is in the units
        of ``|rfft(frame, n_fft)|``). The default 1 gives the shape only.

    Returns
    -------
    envelope : np.ndarray [shape=(..., 1 + n_fft // 2)]
        Linear magnitude (take ``20 * log10`` for dB), float64.

    Raises
    ------
    ParameterError
        If ``n_fft <= order`` or ``a`` is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import lpc_envelope
    >>> H = lpc_envelope(np.array([1.0, -0.9]), n_fft=8)
    >>> H.round(3)  # 1 / |1 - 0.9 e^{-jω}|: 10 at DC, 1/1.9 at Nyquist
    array([10.   ,  1.364,  0.743,  0.57 ,  0.526])
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0 or not np.isfinite(a).all():
        raise ParameterError(f"a must be a finite array of LPC coefficients, got a.shape={a.shape}")
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    if n_fft <= a.shape[-1] - 1:
        raise ParameterError(
            f"n_fft={n_fft} must exceed the LPC order={a.shape[-1] - 1}"
        )
    if np.isscalar(gain):
        gain = check_real(gain, "gain", minimum=0.0)
    gain = np.asarray(gain, dtype=np.float64)
    denominator = np.abs(np.fft.rfft(a, n=n_fft, axis=-1))
    np.maximum(denominator, np.finfo(np.float64).tiny, out=denominator)
    return gain[..., None] / denominator
