"""Channel-vocoder spectral envelope and source–filter resynthesis (chapter 5).

A channel vocoder splits the sound with a bank of band-pass filters and keeps
the RMS level of each band. On the FFT grid, band ``b`` with magnitude
response ``H_b(k)`` has level

.. math:: E_b = \\sqrt{\\frac{\\sum_k |X(k)|^2\\, H_b(k)^2}{\\sum_k H_b(k)^2}}

(the root of the summed power through the filter, normalised so that a flat
spectrum ``|X(k)| = A`` gives ``E_b = A``). The envelope drawn over the
spectrum interpolates the band levels, placed at the band centres, back onto
the FFT bins.

:func:`source_filter_synthesis` lets the learner hear any envelope (vocoder,
LPC or cepstral): a pulse train (voiced) or white noise (unvoiced) with a flat
spectrum is shaped, frame by frame, by the envelope.
"""

import functools
import warnings

import numpy as np

from ..errors import ParameterError
from ._checks import check_choice, check_hop_length, check_int, check_real
from .mel import hz_to_mel, mel_to_hz
from .spectrum import fft_frequencies, istft, stft
from .windows import check_win_length, get_window

__all__ = [
    "VOCODER_SCALES",
    "VOCODER_FILTER_SHAPES",
    "vocoder_band_edges",
    "vocoder_filterbank",
    "vocoder_bands",
    "vocoder_envelope",
    "source_filter_synthesis",
]

#: Band spacings: evenly in Hz, in log-frequency (constant Q) or in mel (Slaney).
VOCODER_SCALES = ("linear", "log", "mel")

#: Band shapes: overlapping triangles (each peaking at its centre, reaching
#: zero at its neighbours' centres) or adjacent rectangles (a brick-wall bank).
VOCODER_FILTER_SHAPES = ("triangular", "rectangular")

#: Default lowest band edge of the ``'log'`` scale, Hz (log spacing cannot start at 0).
LOG_FMIN = 50.0


def _resolve_band_args(sr, n_bands, scale, fmin, fmax):
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_bands = check_int(n_bands, "n_bands", minimum=1)
    check_choice(scale, "scale", VOCODER_SCALES)
    if fmin is None:
        fmin = LOG_FMIN if scale == "log" else 0.0
    fmin = check_real(fmin, "fmin", minimum=0.0)
    fmax = sr / 2.0 if fmax is None else check_real(fmax, "fmax", minimum=0.0)
    if fmax > sr / 2.0:
        raise ParameterError(
            f"fmax={fmax} is above the Nyquist frequency sr/2={sr / 2.0} (sr={sr})")
    if fmin >= fmax:
        raise ParameterError(f"fmin={fmin} must be below fmax={fmax}")
    if scale == "log" and fmin <= 0:
        raise ParameterError(f"scale='log' needs fmin > 0, got fmin={fmin}")
    return sr, n_bands, scale, fmin, fmax


def vocoder_band_edges(*, n_bands=16, scale="linear", fmin=None, fmax=None, sr=22050,
                       filter_shape="triangular"):
    """Band edges and centres of the vocoder bank, in Hz.

    The points are evenly spaced on the chosen scale between ``fmin`` and
    ``fmax``: ``n_bands + 2`` points for triangles (band ``b`` spans points
    ``b .. b + 2`` and peaks at ``b + 1``), ``n_bands + 1`` edges for
    rectangles (band ``b`` spans ``b .. b + 1``, centre halfway on the scale).

    Parameters
    ----------
    n_bands : int > 0
        Number of bands.
    scale : {'linear', 'log', 'mel'}
        Spacing of the bands.
    fmin : float >= 0 or None
        Lowest edge; None means 0 Hz (50 Hz for ``'log'``).
    fmax : float in (fmin, sr / 2] or None
        Highest edge; None means ``sr / 2``.
    sr : float > 0
        Sampling rate in Hz.
    filter_shape : {'triangular', 'rectangular'}
        Band shape.

    Returns
    -------
    edges : np.ndarray [shape=(n_bands + 2,) or (n_bands + 1,)]
        Points in Hz.
    centres : np.ndarray [shape=(n_bands,)]
        Centre of each band in Hz.

    Examples
    --------
    >>> from listenwidgets.dsp import vocoder_band_edges
    >>> edges, centres = vocoder_band_edges(n_bands=3, scale='log', fmin=100.0, fmax=1600.0,
    ...                                     sr=8000, filter_shape='rectangular')
    >>> edges.round(1), centres.round(1)
    (array([ 100.,  252.,  635., 1600.]), array([ 158.7,  400. , 1007.9]))
    """
    sr, n_bands, scale, fmin, fmax = _resolve_band_args(sr, n_bands, scale, fmin, fmax)
    check_choice(filter_shape, "filter_shape", VOCODER_FILTER_SHAPES)
    return _band_edges(n_bands, scale, fmin, fmax, filter_shape)


def _band_edges(n_bands, scale, fmin, fmax, filter_shape):
    forward, inverse = {
        "linear": (lambda f: f, lambda u: u),
        "log": (np.log, np.exp),
        "mel": (hz_to_mel, mel_to_hz),
    }[scale]
    n_points = n_bands + 2 if filter_shape == "triangular" else n_bands + 1
    u = np.linspace(forward(np.float64(fmin)), forward(np.float64(fmax)), n_points)
    edges = np.asarray(inverse(u), dtype=np.float64)
    edges[0], edges[-1] = fmin, fmax
    if filter_shape == "triangular":
        centres = edges[1:-1].copy()
    else:
        centres = np.asarray(inverse(0.5 * (u[:-1] + u[1:])), dtype=np.float64)
    return edges, centres


def vocoder_filterbank(*, sr, n_fft, n_bands=16, scale="linear", fmin=None, fmax=None,
                       filter_shape="triangular"):
    """Magnitude responses ``H_b(k)`` of the vocoder's band-pass filters on the rfft bins.

    Triangles rise linearly (in Hz) from their lower edge to 1 at their centre
    and fall to 0 at their upper edge; rectangles are 1 on ``[lower, upper)``
    (the last one includes ``fmax``).

    Parameters
    ----------
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int > 0
        FFT length; responses have ``1 + n_fft // 2`` points.
    n_bands, scale, fmin, fmax, filter_shape
        See :func:`vocoder_band_edges`.

    Returns
    -------
    H : np.ndarray [shape=(n_bands, 1 + n_fft // 2), dtype=float64]
        Read-only (cached). A band narrower than the bin spacing can be all
        zero (see :func:`vocoder_bands`).

    Examples
    --------
    >>> from listenwidgets.dsp import vocoder_filterbank
    >>> vocoder_filterbank(sr=8000, n_fft=8, n_bands=2, filter_shape='rectangular')
    array([[1., 1., 0., 0., 0.],
           [0., 0., 1., 1., 1.]])
    """
    sr, n_bands, scale, fmin, fmax = _resolve_band_args(sr, n_bands, scale, fmin, fmax)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    check_choice(filter_shape, "filter_shape", VOCODER_FILTER_SHAPES)
    return _filterbank(sr, n_fft, n_bands, scale, fmin, fmax, filter_shape)


@functools.lru_cache(maxsize=64)
def _filterbank(sr, n_fft, n_bands, scale, fmin, fmax, filter_shape):
    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    edges, _ = _band_edges(n_bands, scale, fmin, fmax, filter_shape)
    if filter_shape == "triangular":
        lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
        rising = (freqs - lower) / (centre - lower)
        falling = (upper - freqs) / (upper - centre)
        H = np.maximum(0.0, np.minimum(rising, falling))
    else:
        H = ((freqs >= edges[:-1, None]) & (freqs < edges[1:, None])).astype(np.float64)
        H[-1, freqs == edges[-1]] = 1.0
    H.flags.writeable = False
    return H


def _check_spectrum(S):
    """Check a magnitude spectrum/spectrogram; return (S with a frames axis, was 1-D)."""
    S = np.asarray(S)
    if S.ndim == 0 or np.iscomplexobj(S) or not np.issubdtype(S.dtype, np.floating):
        raise ParameterError("S must be a real magnitude spectrum [shape=(n_bins,)] or "
                             f"spectrogram [shape=(..., n_bins, n_frames)], got S.shape={S.shape}, "
                             f"S.dtype={S.dtype}")
    if not np.isfinite(S).all():
        raise ParameterError("S contains NaN or Inf; clean the spectrum first")
    single = S.ndim == 1
    return (S[:, None] if single else S), single


def _infer_n_fft(n_fft, n_bins):
    n_fft = 2 * (n_bins - 1) if n_fft is None else check_int(n_fft, "n_fft", minimum=1)
    if n_fft // 2 + 1 != n_bins:
        raise ParameterError(f"n_fft={n_fft} does not match the {n_bins} frequency bins of S "
                             "(expected 1 + n_fft // 2)")
    return n_fft


def vocoder_bands(S, *, sr=22050, n_fft=None, n_bands=16, scale="linear", fmin=None, fmax=None,
                  filter_shape="triangular"):
    """RMS level of each vocoder band: ``E_b = sqrt(Σ |X|² H_b² / Σ H_b²)``.

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2,) or (..., 1 + n_fft // 2, n_frames)]
        Magnitude spectrum of one frame, or a magnitude spectrogram.
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int or None
        FFT length; None means ``2 * (n_bins - 1)``.
    n_bands, scale, fmin, fmax, filter_shape
        See :func:`vocoder_band_edges`.

    Returns
    -------
    E : np.ndarray [shape=(n_bands,) or (..., n_bands, n_frames)]
        Band levels in the units of ``S``. A band with no FFT bin inside it
        (too narrow for ``n_fft``) is NaN-free: it is given the level of the
        nearest bin to its centre, with a warning.

    Warns
    -----
    UserWarning
        If some bands contain no FFT bin (too many bands for ``n_fft``).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import vocoder_bands
    >>> vocoder_bands(np.full(513, 2.0), sr=16000, n_bands=4).round(6)  # flat in, flat out
    array([2., 2., 2., 2.])
    """
    S, single = _check_spectrum(S)
    n_fft = _infer_n_fft(n_fft, S.shape[-2])
    H = vocoder_filterbank(sr=sr, n_fft=n_fft, n_bands=n_bands, scale=scale, fmin=fmin,
                           fmax=fmax, filter_shape=filter_shape)
    weights = H**2
    total = weights.sum(axis=1)
    empty = total <= 0
    if np.any(empty):
        warnings.warn(
            f"{int(empty.sum())} of n_bands={n_bands} vocoder bands contain no FFT bin "
            f"(n_fft={n_fft}, sr={sr}); they take the level of the bin nearest their centre. "
            "Use fewer bands or a larger n_fft.",
            UserWarning,
            stacklevel=2,
        )
        _, centres = vocoder_band_edges(n_bands=n_bands, scale=scale, fmin=fmin, fmax=fmax, sr=sr,
                                        filter_shape=filter_shape)
        nearest = np.rint(centres[empty] * n_fft / sr).astype(int)
        weights = weights.copy()
        weights[np.flatnonzero(empty), np.minimum(nearest, S.shape[-2] - 1)] = 1.0
        total = weights.sum(axis=1)
    power = np.matmul(weights, np.square(S, dtype=np.float64))
    levels = np.sqrt(power / total[:, None])
    return levels[..., 0] if single else levels


def vocoder_envelope(S, *, sr=22050, n_fft=None, n_bands=16, scale="linear", fmin=None,
                     fmax=None, filter_shape="triangular"):
    """Channel-vocoder spectral envelope on the FFT bins, for overlay on the spectrum.

    The band levels of :func:`vocoder_bands` are placed at the band centres
    and linearly interpolated on the band scale (Hz, log-Hz or mel) to every
    bin; below the first and above the last centre the level is held.

    Parameters
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2,) or (..., 1 + n_fft // 2, n_frames)]
        Magnitude spectrum or spectrogram.
    sr, n_fft, n_bands, scale, fmin, fmax, filter_shape
        See :func:`vocoder_bands`.

    Returns
    -------
    envelope : np.ndarray [shape=S.shape]
        Linear magnitude in the units of ``S`` (``20 log10`` for dB).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import vocoder_envelope
    >>> S = np.linspace(1.0, 0.1, 513)
    >>> env = vocoder_envelope(S, sr=16000, n_bands=8)
    >>> env.shape, bool(np.all(np.diff(env) <= 1e-12))  # follows the falling slope
    ((513,), True)
    """
    levels = vocoder_bands(S, sr=sr, n_fft=n_fft, n_bands=n_bands, scale=scale, fmin=fmin,
                           fmax=fmax, filter_shape=filter_shape)
    S_frames, single = _check_spectrum(S)
    n_fft = _infer_n_fft(n_fft, S_frames.shape[-2])
    sr, n_bands, scale, fmin, fmax = _resolve_band_args(sr, n_bands, scale, fmin, fmax)
    _, centres = _band_edges(n_bands, scale, fmin, fmax, filter_shape)
    freqs = fft_frequencies(sr=sr, n_fft=n_fft)
    warp = {"linear": lambda f: f, "mel": hz_to_mel,
            "log": lambda f: np.log(np.maximum(f, fmin))}[scale]
    matrix = _interpolation_matrix(warp(freqs), warp(centres))
    if single:
        return matrix @ levels
    return np.matmul(matrix, levels)


def _interpolation_matrix(x, xp):
    """Matrix ``W`` with ``W @ fp == np.interp(x, xp, fp)`` for any ``fp`` (``xp`` increasing)."""
    W = np.zeros((x.shape[0], xp.shape[0]))
    if xp.shape[0] == 1:
        W[:, 0] = 1.0
        return W
    right = np.clip(np.searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
    left = right - 1
    t = np.clip((x - xp[left]) / (xp[right] - xp[left]), 0.0, 1.0)
    rows = np.arange(x.shape[0])
    W[rows, left] = 1.0 - t
    W[rows, right] += t
    return W


def source_filter_synthesis(envelope, *, sr=22050, n_fft=None, hop_length=512, win_length=None,
                            window="hann", source="pulse", f0=110.0, length=None,
                            random_state=0):
    """Hear a spectral envelope: a flat-spectrum source shaped by it, frame by frame.

    The source ``s`` is a pulse train at ``f0`` (voiced) or white noise
    (unvoiced), scaled so that its STFT has unit mean power per bin
    (``E|S(k, t)|^2 = 1``). Each frame's spectrum is multiplied by the
    envelope, and the result resynthesised by overlap-add:

    .. math:: y = \\mathrm{ISTFT}\\big(\\mathrm{STFT}(s)[k, t] \\cdot |\\hat H(k, t)|\\big)

    so that ``|STFT(y)|`` follows the envelope on average (its level is that
    of the analysed frames when the envelope is in the units of ``|X|``).

    Parameters
    ----------
    envelope : np.ndarray [shape=(1 + n_fft // 2,) or (1 + n_fft // 2, n_frames)]
        Linear-magnitude envelope: one frame (held for ``length`` samples) or
        one per STFT frame (e.g. :func:`vocoder_envelope` of a spectrogram).
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int or None
        FFT length; None means ``2 * (n_bins - 1)``.
    hop_length : int > 0 or None
        Hop between frames; None means ``win_length // 4``.
    win_length : int in [1, n_fft] or None
        Window length; None means ``n_fft``.
    window : str, tuple, float, callable or np.ndarray
        Analysis/synthesis window.
    source : {'pulse', 'noise'}
        Excitation: glottal-like pulse train or white noise (whisper).
    f0 : float in (0, sr / 2)
        Pulse rate in Hz (ignored for noise).
    length : int > 0 or None
        Output length in samples; None means ``(n_frames - 1) * hop_length``
        for a spectrogram and one second for a single envelope.
    random_state : int or None
        Seed of the noise source.

    Returns
    -------
    y : np.ndarray [shape=(length,), dtype=float64]
        The resynthesised sound (not normalised; clip before playback).

    Raises
    ------
    ParameterError
        If the envelope is negative or not finite, ``f0`` is outside
        ``(0, sr / 2)``, or the frame count does not match ``length``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import source_filter_synthesis
    >>> env = np.ones(513)
    >>> y = source_filter_synthesis(env, sr=16000, source='pulse', f0=100.0, length=16000)
    >>> y.shape
    (16000,)
    """
    envelope, single = _check_spectrum(envelope)
    if envelope.ndim != 2:
        raise ParameterError(f"envelope must be (n_bins,) or (n_bins, n_frames), "
                             f"got envelope.shape={envelope.shape}")
    if np.any(envelope < 0):
        raise ParameterError(
            f"envelope must be a non-negative magnitude; envelope.min()={envelope.min()}")
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_fft = _infer_n_fft(n_fft, envelope.shape[0])
    win_length = check_win_length(win_length, n_fft=n_fft)
    hop_length = check_hop_length(hop_length, win_length=win_length)
    check_choice(source, "source", ("pulse", "noise"))
    f0 = check_real(f0, "f0", minimum=0.0, exclusive_minimum=True)
    if f0 >= sr / 2:
        raise ParameterError(f"f0={f0} must be below sr/2={sr / 2} (sr={sr})")
    if length is None:
        length = int(sr) if single else max(1, (envelope.shape[1] - 1) * hop_length)
    length = check_int(length, "length", minimum=1)

    window_values = get_window(window, win_length)
    energy = float(np.sum(window_values**2))
    if source == "noise":
        rng = np.random.default_rng(random_state)
        excitation = rng.standard_normal(length) / np.sqrt(energy)
    else:
        period = sr / f0
        excitation = np.zeros(length)
        excitation[np.round(np.arange(0.0, length, period)).astype(int).clip(0, length - 1)] = 1.0
        excitation *= np.sqrt(period / energy)
    X = stft(excitation, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
             window=window)
    if not single and envelope.shape[1] != X.shape[1]:
        raise ParameterError(
            f"envelope has {envelope.shape[1]} frames but length={length} with "
            f"hop_length={hop_length} gives {X.shape[1]}; pass length=(n_frames - 1) * hop_length"
        )
    X *= envelope
    return istft(X, hop_length=hop_length, win_length=win_length, n_fft=n_fft, window=window,
                 length=length)
