"""Phase reconstruction from a magnitude spectrogram (Griffin–Lim).

A magnitude spectrogram has no phase; to hear it (a mel or MFCC inversion, a
modified spectrogram) a phase must be invented that is consistent with the
overlap of the frames. Griffin–Lim alternates between the set of
spectrograms with the wanted magnitude and the set of spectrograms of real
signals; the "fast" variant adds a momentum term (Perraudin et al.).
"""

import warnings

import numpy as np

from ..errors import ParameterError
from ._checks import check_choice, check_hop_length, check_int, check_real, short_repr
from .spectrum import istft, stft
from .windows import check_win_length

__all__ = ["griffinlim", "spectral_convergence"]


def _rng(random_state):
    """librosa's rule: None → a new Generator, int → RandomState(seed), else the object."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(seed=int(random_state))
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    raise ParameterError(f"unsupported random_state={short_repr(random_state)}; use None, an int "
                         "or a numpy random generator")


def griffinlim(S, *, n_iter=32, hop_length=None, win_length=None, n_fft=None, window="hann",
               center=True, dtype=None, length=None, pad_mode="constant", momentum=0.99,
               init="random", random_state=None):
    """Signal whose STFT magnitude approximates ``S``: fast Griffin–Lim (as librosa.griffinlim).

    Starting from ``X_0 = S e^{jφ_0}`` (random or zero phase), each iteration

    .. math::
        T_n = \\mathrm{STFT}(\\mathrm{ISTFT}(X_{n-1})), \\qquad
        X_n = S \\cdot \\frac{T_n - \\frac{α}{1 + α} T_{n-1}}
                             {\\left|T_n - \\frac{α}{1 + α} T_{n-1}\\right|}

    projects onto consistent spectrograms and back onto the wanted magnitude;
    ``α = momentum`` (0 gives the original Griffin–Lim). The result is
    ``ISTFT(X_{n_iter})``. Identical, step for step, to librosa's (same
    random phases for the same integer ``random_state``).

    Parameters
    ----------
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames), non-negative]
        Magnitude spectrogram (``|X|``, not power).
    n_iter : int > 0
        Number of iterations.
    hop_length : int > 0 or None
        Hop of the STFT; None means ``win_length // 4``.
    win_length : int in [1, n_fft] or None
        Window length; None means ``n_fft``.
    n_fft : int > 0 or None
        FFT length; None means ``2 * (S.shape[-2] - 1)``.
    window : str, tuple, float, callable or np.ndarray
        Window specification.
    center : bool
        Whether the STFT frames are centred.
    dtype : np.dtype or None
        Real dtype of the output; None follows ``S``'s precision.
    length : int > 0 or None
        Output length in samples.
    pad_mode : str
        Padding mode of the forward STFT when ``center=True``.
    momentum : float >= 0
        Momentum ``α``; 0.99 as librosa; above 1 warns (may be unstable).
    init : {'random', None}
        Initial phase: uniformly random, or zero (``None``).
    random_state : None, int, np.random.RandomState or np.random.Generator
        Source of the random initial phase; an int gives
        ``np.random.RandomState(random_state)`` (as librosa).

    Returns
    -------
    y : np.ndarray [shape=(..., n)]
        The reconstructed signal.

    Raises
    ------
    ParameterError
        If ``S`` is not a finite non-negative real array, ``momentum < 0``,
        ``init`` is unknown, or any STFT argument is invalid.

    References
    ----------
    D. W. Griffin and J. S. Lim, "Signal estimation from modified short-time
    Fourier transform", IEEE Trans. ASSP 32(2), 1984.
    N. Perraudin, P. Balazs and P. L. Søndergaard, "A fast Griffin-Lim
    algorithm", WASPAA 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import griffinlim, stft
    >>> y = np.sin(2 * np.pi * 440 * np.arange(8192) / 22050)
    >>> S = np.abs(stft(y, n_fft=512))
    >>> griffinlim(S, n_iter=8, random_state=0, length=len(y)).shape
    (8192,)
    """
    S = np.asarray(S)
    if S.ndim < 2 or np.iscomplexobj(S) or not np.issubdtype(S.dtype, np.floating):
        raise ParameterError(
            "S must be a real magnitude spectrogram of shape (..., 1 + n_fft // 2, n_frames), "
            f"got S.shape={S.shape}, S.dtype={S.dtype}"
        )
    if not np.isfinite(S).all():
        raise ParameterError("S contains NaN or Inf; clean the spectrogram first")
    if np.any(S < 0):
        raise ParameterError(f"S must be non-negative (a magnitude); S.min()={S.min()}")
    n_iter = check_int(n_iter, "n_iter", minimum=1)
    momentum = check_real(momentum, "momentum")
    if momentum < 0:
        raise ParameterError(f"momentum must be >= 0, got momentum={momentum}")
    if momentum > 1:
        warnings.warn(f"Griffin-Lim with momentum={momentum} > 1 can be unstable. "
                      "Proceed with caution!", UserWarning, stacklevel=2)
    check_choice(init, "init", ("random", None))
    rng = _rng(random_state)
    if n_fft is None:
        n_fft = 2 * (S.shape[-2] - 1)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    if length is not None:
        length = check_int(length, "length", minimum=1)
        hop = check_hop_length(hop_length, win_length=check_win_length(win_length, n_fft=n_fft))
        pad = n_fft // 2 if center else 0
        n_frames = 1 + (length + 2 * pad - n_fft) // hop
        if n_frames != S.shape[-1]:
            raise ParameterError(
                f"length={length} gives {n_frames} frames with n_fft={n_fft}, hop_length={hop}, "
                f"center={center}, but S has {S.shape[-1]} (S.shape={S.shape})"
            )

    complex_dtype = np.result_type(S.dtype, np.complex64)
    eps = np.finfo(complex_dtype).tiny
    angles = np.empty(S.shape, dtype=complex_dtype)
    if init == "random":
        angles[:] = np.exp(2j * np.pi * rng.random(size=S.shape))
    else:
        angles[:] = 1.0
    angles *= S

    stft_args = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                     center=center)
    istft_args = dict(stft_args, dtype=dtype, length=length)
    previous = None
    for _ in range(n_iter):
        inverse = istft(angles, **istft_args)
        rebuilt = stft(inverse, pad_mode=pad_mode, **stft_args)
        angles[:] = rebuilt
        if previous is not None:
            angles -= (momentum / (1 + momentum)) * previous
        angles /= np.abs(angles) + eps
        angles *= S
        previous = rebuilt
    return istft(angles, **istft_args)


def spectral_convergence(S, y, *, n_fft=None, hop_length=None, win_length=None, window="hann",
                         center=True, pad_mode="constant"):
    """How far a signal's STFT magnitude is from a target magnitude (Griffin–Lim's error).

    .. math:: \\mathrm{SC} = \\frac{\\| S - |\\mathrm{STFT}(y)| \\|_F}{\\| S \\|_F}

    Parameters
    ----------
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)]
        Target magnitude spectrogram.
    y : np.ndarray [shape=(..., n)]
        Signal, e.g. from :func:`griffinlim`.
    n_fft, hop_length, win_length, window, center, pad_mode
        The STFT arguments ``S`` was computed with (``n_fft=None`` means
        ``2 * (S.shape[-2] - 1)``).

    Returns
    -------
    sc : float
        0 for a perfect match; about 1 or more when unrelated.

    Raises
    ------
    ParameterError
        If the STFT of ``y`` has a different shape from ``S``, or ``S`` is all zero.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_convergence, stft
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> round(spectral_convergence(np.abs(stft(y)), y), 6)
    0.0
    """
    S = np.asarray(S)
    if n_fft is None:
        n_fft = 2 * (S.shape[-2] - 1)
    T = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                    center=center, pad_mode=pad_mode))
    if T.shape != S.shape:
        raise ParameterError(f"the STFT of y has shape {T.shape} but S.shape={S.shape}; "
                             "pass the same n_fft, hop_length and length")
    norm = np.linalg.norm(S)
    if norm == 0:
        raise ParameterError("S is all zero; spectral convergence is undefined")
    return float(np.linalg.norm(S - T) / norm)
