"""The mel scale, the mel filterbank and the mel spectrogram (chapter 6).

Two mel scales are offered, as in librosa:

- ``htk=False`` (default, librosa's and Slaney's Auditory Toolbox): linear below
  1 kHz, ``m = 3 f / 200``; logarithmic above, ``m = 15 + 27 ln(f / 1000) / ln 6.4``.
- ``htk=True`` (the lecture's and HTK's): ``m = 1127.01048 ln(1 + f / 700)``.
  librosa writes it ``2595 log10(1 + f / 700)``; the two constants differ by
  1.4e-5 relative (``2595 / ln 10 = 1126.994``; ``1127.01048 = 1000 / ln(17 / 7)``
  makes 1000 Hz exactly 1000 mel). Mel values differ by that factor; everything
  built by spacing points evenly in mel and mapping back to Hz (band edges,
  filterbanks) is identical, because the constant cancels.

The filterbank comes from a cached builder and is read-only. The mel
spectrogram of a waveform is computed block by block: the frames are those of
:func:`listenwidgets.dsp.stft` (its framing and edge padding, shared), each
block is windowed and transformed, its power taken and immediately projected
onto the filterbank stored as a sparse matrix (each bin feeds at most two
triangles), so the full complex STFT is never stored. It runs in one thread
(scipy's FFT), so that concurrent sessions of the lab do not oversubscribe the
CPU.
"""

import functools
import warnings

import numpy as np
import scipy.fft
import scipy.sparse

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_hop_length, check_int, check_real, short_repr
from .spectrum import PAD_MODES, _frame_groups, fft_frequencies
from .windows import check_win_length, get_window, pad_center

__all__ = [
    "HTK_MEL_FACTOR",
    "hz_to_mel",
    "mel_to_hz",
    "mel_frequencies",
    "mel",
    "melspectrogram",
]

#: The lecture's (and HTK's) mel constant: ``m = 1127.01048 ln(1 + f / 700)``.
HTK_MEL_FACTOR = 1127.01048

# Slaney scale: linear below _MIN_LOG_HZ, logarithmic above.
_F_SP = 200.0 / 3.0
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0

#: Frames transformed per block by :func:`melspectrogram` (a block of windowed
#: frames, its spectrum and its power stay in the CPU cache).
_BLOCK_FRAMES = 128


def hz_to_mel(frequencies, *, htk=False):
    """Convert frequencies in Hz to mels.

    .. math::
        m_{HTK} = 1127.01048 \\ln(1 + f / 700)

        m_{Slaney} = \\begin{cases} 3 f / 200 & f < 1000 \\\\
                     15 + 27 \\ln(f / 1000) / \\ln 6.4 & f \\ge 1000 \\end{cases}

    Parameters
    ----------
    frequencies : float or np.ndarray [shape=(n,)]
        Frequencies in Hz.
    htk : bool
        Use the HTK (lecture) formula instead of Slaney's (librosa's default).

    Returns
    -------
    mels : float or np.ndarray [shape=(n,)]
        Float64 mel values, the same shape as ``frequencies``.

    Examples
    --------
    >>> from listenwidgets.dsp import hz_to_mel
    >>> round(float(hz_to_mel(1000.0, htk=True)), 6)
    1000.0
    >>> round(float(hz_to_mel(1000.0)), 6)
    15.0
    """
    f = np.asarray(frequencies, dtype=np.float64)
    if htk:
        return (HTK_MEL_FACTOR * np.log1p(f / 700.0))[()]
    mels = f / _F_SP
    log_part = f >= _MIN_LOG_HZ
    mels = np.where(log_part, _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ)
                    / _LOGSTEP, mels)
    return mels[()]


def mel_to_hz(mels, *, htk=False):
    """Convert mels to frequencies in Hz (the inverse of :func:`hz_to_mel`).

    .. math::
        f_{HTK} = 700 (e^{m / 1127.01048} - 1)

        f_{Slaney} = \\begin{cases} 200 m / 3 & m < 15 \\\\
                     1000 \\cdot 6.4^{(m - 15) / 27} & m \\ge 15 \\end{cases}

    Parameters
    ----------
    mels : float or np.ndarray [shape=(n,)]
        Mel values.
    htk : bool
        Use the HTK (lecture) formula instead of Slaney's.

    Returns
    -------
    frequencies : float or np.ndarray [shape=(n,)]
        Float64 frequencies in Hz.

    Examples
    --------
    >>> from listenwidgets.dsp import mel_to_hz
    >>> round(float(mel_to_hz(15.0)), 6)
    1000.0
    >>> round(float(mel_to_hz(1000.0, htk=True)), 6)
    1000.0
    """
    m = np.asarray(mels, dtype=np.float64)
    if htk:
        return (700.0 * np.expm1(m / HTK_MEL_FACTOR))[()]
    freqs = _F_SP * m
    log_part = m >= _MIN_LOG_MEL
    freqs = np.where(log_part, _MIN_LOG_HZ * np.exp(_LOGSTEP * (np.maximum(m, _MIN_LOG_MEL)
                                                                 - _MIN_LOG_MEL)), freqs)
    return freqs[()]


def mel_frequencies(n_mels=128, *, fmin=0.0, fmax=11025.0, htk=False):
    """Frequencies (Hz) of ``n_mels`` points evenly spaced in mel from ``fmin`` to ``fmax``.

    .. math:: f_i = \\mathrm{mel}^{-1}\\Big(m(f_{min})
              + \\frac{i}{n-1}\\,(m(f_{max}) - m(f_{min}))\\Big)

    Parameters
    ----------
    n_mels : int > 0
        Number of points.
    fmin, fmax : float >= 0
        Lowest and highest frequency in Hz.
    htk : bool
        Use the HTK (lecture) mel scale instead of Slaney's.

    Returns
    -------
    frequencies : np.ndarray [shape=(n_mels,)]
        Float64 frequencies in Hz, ``frequencies[0] = fmin``, ``frequencies[-1] = fmax``.

    Examples
    --------
    >>> from listenwidgets.dsp import mel_frequencies
    >>> mel_frequencies(5, fmin=0.0, fmax=8000.0).round(1)
    array([   0. ,  754.1, 1688.9, 3675.8, 8000. ])
    """
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    fmin = check_real(fmin, "fmin", minimum=0.0)
    fmax = check_real(fmax, "fmax", minimum=0.0)
    mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels)
    return mel_to_hz(mels, htk=htk)


def _check_norm(norm):
    """Validate a filter normalisation: None, 'slaney' or an L^p order p > 0 (np.inf allowed)."""
    if norm is None or norm == "slaney":
        return norm
    if isinstance(norm, str) or isinstance(norm, bool) or not np.isscalar(norm):
        raise ParameterError(f"norm must be None, 'slaney' or a number p > 0; got norm={norm!r}")
    value = float(norm)
    if not value > 0:  # also rejects NaN
        raise ParameterError(f"norm must be None, 'slaney' or a number p > 0; got norm={norm!r}")
    return value


def _check_mel_args(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    """Validate and resolve the filterbank arguments shared by :func:`mel` and its callers."""
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    fmin = check_real(fmin, "fmin", minimum=0.0)
    fmax = sr / 2.0 if fmax is None else check_real(fmax, "fmax", minimum=0.0)
    if fmax > sr / 2.0:
        raise ParameterError(
            f"fmax={fmax} is above the Nyquist frequency sr/2={sr / 2.0} (sr={sr}); "
            "use fmax <= sr / 2 or fmax=None"
        )
    if fmin >= fmax:
        raise ParameterError(f"fmin={fmin} must be below fmax={fmax}")
    if not isinstance(htk, bool | np.bool_):
        raise ParameterError(f"htk must be True or False, got htk={short_repr(htk)}")
    return sr, n_fft, n_mels, fmin, fmax, bool(htk), _check_norm(norm)


def mel(*, sr, n_fft, n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney",
        dtype=np.float32):
    """Mel filterbank: triangles evenly spaced in mel on the rfft bins (as librosa.filters.mel).

    With band edges ``f_0 < f_1 < ... < f_{n_mels+1}`` from :func:`mel_frequencies`
    and bin frequencies ``f_k = k sr / n_fft``, filter ``i`` is the triangle

    .. math:: H_i(k) = \\max\\Big(0, \\min\\Big(\\frac{f_k - f_i}{f_{i+1} - f_i},
              \\frac{f_{i+2} - f_k}{f_{i+2} - f_{i+1}}\\Big)\\Big)

    rising from ``f_i`` to a peak of 1 at ``f_{i+1}`` and falling to ``f_{i+2}``.
    ``norm='slaney'`` scales it by ``2 / d_i`` with ``d_i = f_{i+2} - f_i`` its
    width in Hz: peak height ``2 / d_i``, unit area, so every band passes the
    same energy of white noise (the lecture's "height 2/d").

    Parameters
    ----------
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int > 0
        FFT length; the filters have ``1 + n_fft // 2`` taps.
    n_mels : int > 0
        Number of filters.
    fmin : float >= 0
        Lower edge of the first filter, Hz.
    fmax : float in (fmin, sr / 2] or None
        Upper edge of the last filter, Hz; None means ``sr / 2``.
    htk : bool
        Space the filters on the HTK (lecture) mel scale instead of Slaney's.
    norm : None, 'slaney' or float > 0
        None: peak 1. ``'slaney'``: peak ``2 / d``. A number ``p`` (or ``np.inf``):
        each filter divided by its L^p norm.
    dtype : np.dtype
        Floating-point type of the result.

    Returns
    -------
    M : np.ndarray [shape=(n_mels, 1 + n_fft // 2)]
        The filterbank, read-only (it is cached and shared).

    Raises
    ------
    ParameterError
        If ``fmax > sr / 2``, ``fmin >= fmax`` or any argument is out of range.

    Warns
    -----
    UserWarning
        "Empty filters detected ..." when ``n_mels`` is too large for the FFT
        resolution, so that some triangles fall between two bins (as librosa).

    Examples
    --------
    >>> from listenwidgets.dsp import mel
    >>> M = mel(sr=22050, n_fft=2048, n_mels=128)
    >>> M.shape, M.dtype
    ((128, 1025), dtype('float32'))
    """
    args = _check_mel_args(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ParameterError(f"dtype must be a floating-point type, got dtype={dtype}")
    weights, empty = _mel_basis(*args, dtype)
    if empty:
        warnings.warn(
            "Empty filters detected in mel frequency basis. Some channels will produce empty "
            f"responses. Try increasing your sampling rate (and fmax) or reducing n_mels "
            f"(n_mels={args[2]}, n_fft={args[1]}, sr={args[0]}).",
            UserWarning,
            stacklevel=2,
        )
    return weights


@functools.lru_cache(maxsize=64)
def _mel_basis(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype):
    """Build (once per argument set) the read-only filterbank and whether a filter is empty."""
    fftfreqs = fft_frequencies(sr=sr, n_fft=n_fft)
    mel_f = mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    elif norm is not None:
        if np.isinf(norm):
            length = weights.max(axis=-1, keepdims=True)
        else:
            length = np.sum(weights**norm, axis=-1, keepdims=True) ** (1.0 / norm)
        np.divide(weights, length, out=weights, where=length > np.finfo(np.float64).tiny)
    empty = bool(np.any((mel_f[:-2] != 0) & (weights.max(axis=1) <= 0)))
    weights = weights.astype(dtype)
    weights.flags.writeable = False
    return weights, empty


@functools.lru_cache(maxsize=64)
def _mel_sparse(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype):
    """The same filterbank as a CSR matrix, for the banded projection in :func:`melspectrogram`."""
    weights, _ = _mel_basis(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype)
    return scipy.sparse.csr_array(weights)


def melspectrogram(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                   window="hann", center=True, pad_mode="constant", power=2.0, n_mels=128,
                   fmin=0.0, fmax=None, htk=False, norm="slaney"):
    """Mel spectrogram: the power spectrogram projected onto the mel filterbank (as librosa).

    .. math:: M[i, t] = \\sum_k H_i(k)\\, |X[k, t]|^{p}

    with ``X = stft(y, ...)``, ``p = power`` and ``H`` from :func:`mel`. Give
    either ``y`` (a waveform) or ``S`` (a magnitude-power spectrogram
    ``|X|**power``, already computed).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio signal (float32 or float64); leading axes are channels.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)] or None
        A spectrogram ``|X|**power``; when given, ``y`` and the STFT arguments
        are ignored and ``n_fft`` is inferred from ``S.shape[-2]`` if it does
        not match.
    n_fft : int > 0
        FFT length.
    hop_length : int > 0 or None
        Samples between frames; None means ``win_length // 4``.
    win_length : int in [1, n_fft] or None
        Window length; None means ``n_fft``.
    window : str, tuple, float, callable or np.ndarray
        Window specification (see :func:`listenwidgets.dsp.get_window`).
    center : bool
        Centre frame ``t`` on sample ``t * hop_length`` by padding the signal.
    pad_mode : str
        Padding mode when ``center=True`` (one of ``PAD_MODES``).
    power : float > 0
        Exponent of the magnitude: 2 for power, 1 for amplitude.
    n_mels : int > 0
        Number of mel bands.
    fmin : float >= 0
        Lowest filter edge, Hz.
    fmax : float in (fmin, sr / 2] or None
        Highest filter edge, Hz; None means ``sr / 2``.
    htk : bool
        Use the HTK (lecture) mel scale.
    norm : None, 'slaney' or float > 0
        Filter normalisation, see :func:`mel`.

    Returns
    -------
    M : np.ndarray [shape=(..., n_mels, n_frames)]
        float32 for float32 input, float64 for float64 input.

    Raises
    ------
    ParameterError
        If neither ``y`` nor ``S`` is given, the audio is invalid (NaN, Inf,
        integer, empty), ``fmax > sr / 2``, ``n_fft`` exceeds the signal with
        ``center=False``, or an argument is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import melspectrogram
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> M = melspectrogram(y=y, sr=22050, n_mels=64)
    >>> M.shape, M.dtype
    ((64, 44), dtype('float32'))
    """
    power = check_real(power, "power", minimum=0.0, exclusive_minimum=True)
    if S is not None:
        S = np.asarray(S)
        if S.ndim < 2 or not np.issubdtype(S.dtype, np.floating):
            raise ParameterError(
                "S must be a real spectrogram of shape (..., 1 + n_fft // 2, n_frames), "
                f"got S.shape={S.shape}, S.dtype={S.dtype}"
            )
        if not np.isfinite(S).all():
            raise ParameterError("S contains NaN or Inf; clean the spectrogram first")
        if n_fft is None or n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
        basis = mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
        return np.matmul(basis, S)
    if y is None:
        raise ParameterError(
            "melspectrogram needs y (a waveform) or S (a spectrogram); got neither")
    y = check_audio(y, mono=False)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    win_length = check_win_length(win_length, n_fft=n_fft)
    hop_length = check_hop_length(hop_length, win_length=win_length)
    check_choice(pad_mode, "pad_mode", PAD_MODES)
    if not center and n_fft > y.shape[-1]:
        raise ParameterError(
            f"n_fft={n_fft} is too large for uncentered analysis (center=False) of a signal "
            f"of length={y.shape[-1]}; use a smaller n_fft or center=True"
        )
    # Validate (and warn about) the filterbank once, before any work.
    mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    key = _check_mel_args(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    basis = _mel_sparse(*key, np.dtype(np.float32))

    real_dtype = np.result_type(y.dtype, np.float32)
    fft_window = pad_center(get_window(window, win_length), size=n_fft).astype(real_dtype)
    pad = n_fft // 2 if center else 0
    channels = y.reshape(-1, y.shape[-1]).astype(real_dtype, copy=False)
    n_frames = 1 + (y.shape[-1] + 2 * pad - n_fft) // hop_length
    out = np.empty((channels.shape[0], n_mels, n_frames), dtype=real_dtype)
    for signal, mel_out in zip(channels, out):
        for first, rows in _frame_groups(signal, n_fft, hop_length, pad, pad_mode, n_frames):
            _project_frames(rows, mel_out[:, first:first + rows.shape[0]], fft_window=fft_window,
                            power=power, basis=basis)
    return out.reshape(*y.shape[:-1], n_mels, n_frames)


def _project_frames(frames, out, *, fft_window, power, basis):
    """``out[:, t] = basis @ |rfft(fft_window * frames[t])| ** power``, block by block."""
    n_frames, n_fft = frames.shape
    scratch = np.empty((min(_BLOCK_FRAMES, n_frames), n_fft), dtype=fft_window.dtype)
    for start in range(0, n_frames, _BLOCK_FRAMES):
        stop = min(start + _BLOCK_FRAMES, n_frames)
        windowed = np.multiply(frames[start:stop], fft_window, out=scratch[:stop - start])
        spectrum = scipy.fft.rfft(windowed, axis=-1, overwrite_x=True, workers=1)
        magnitude = np.abs(spectrum)
        if power == 2.0:
            np.multiply(magnitude, magnitude, out=magnitude)
        elif power != 1.0:
            np.power(magnitude, power, out=magnitude)
        out[:, start:stop] = basis @ np.ascontiguousarray(magnitude.T)
