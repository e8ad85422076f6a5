r"""Chroma (pitch-class profiles) and tuning estimation.

A chromagram folds the octaves of a spectrum onto the ``n_chroma`` pitch
classes of one octave (Fujishima 1999). The lecture's form sums the
magnitudes of constant-Q bins one octave apart (:func:`fold_octaves`):

.. math:: \mathrm{Chroma}(b) = \sum_m |X_{cq}(b + mB)|, \qquad b = 0, \dots, B - 1.

librosa's forms, reproduced here with its defaults and results, weight the
bins instead: :func:`chroma_cqt` maps ``bins_per_octave / n_chroma``
neighbouring constant-Q bins onto each pitch class (:func:`cq_to_chroma`);
:func:`chroma_stft` maps every STFT bin with Gaussian bumps around each pitch
class (:func:`chroma_filter`); :func:`chroma_cens` quantises and smooths the
CQT chroma. Both estimate the tuning first (:func:`estimate_tuning`: a
histogram of the deviations from equal temperament of the spectral peaks that
:func:`piptrack` finds by parabolic interpolation).
"""

import functools

import numpy as np
import scipy.ndimage
import scipy.signal

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_int, check_real, short_repr
from .cqt import C1_HZ, _check_norm, _hz_to_midi, cqt
from .spectrum import stft
from .windows import get_window

__all__ = [
    "piptrack",
    "pitch_tuning",
    "estimate_tuning",
    "chroma_filter",
    "cq_to_chroma",
    "fold_octaves",
    "chroma_stft",
    "chroma_cqt",
    "chroma_cens",
]

#: The modes of :func:`chroma_cqt` (librosa's ``'hybrid'`` is not implemented).
CQT_MODES = ("full",)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _normalize(S, norm, axis=-2):
    """As ``librosa.util.normalize(S, norm=norm, axis=axis)``: vectors of norm < tiny stay."""
    if norm is None:
        return S
    mag = np.abs(S).astype(float)
    if norm == np.inf:
        length = np.max(mag, axis=axis, keepdims=True)
    else:
        length = np.sum(mag**norm, axis=axis, keepdims=True) ** (1.0 / norm)
    tiny = np.finfo(S.dtype if np.issubdtype(S.dtype, np.inexact) else np.float32).tiny
    length[length < tiny] = 1.0
    out = np.empty_like(S)
    out[:] = S / length
    return out


def _check_matrix(S, name):
    """A finite, real, at least 2-D ``(..., bins, frames)`` array."""
    S = np.asarray(S)
    if S.ndim < 2:
        raise ParameterError(
            f"{name} must have shape (..., bins, frames), got {name}.shape={S.shape}"
        )
    if not np.issubdtype(S.dtype, np.number) or np.issubdtype(S.dtype, np.bool_):
        raise ParameterError(f"{name} must be numeric, got {name}.dtype={S.dtype}")
    if not np.isfinite(S).all():
        raise ParameterError(f"{name} contains NaN or Inf; clean it first")
    return S


def _power_spectrogram(*, y, S, n_fft, hop_length, win_length, window, center, pad_mode,
                       power):
    """``(S, n_fft)``: ``S`` as given (``n_fft`` inferred from its rows) or ``|stft(y)|**power``."""
    if S is not None:
        S = _check_matrix(S, "S")
        if S.shape[-2] < 2:
            raise ParameterError(f"S needs at least 2 frequency rows, got S.shape={S.shape}")
        if n_fft is None or n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
        return S, n_fft
    if y is None:
        raise ParameterError(
            "either y (audio) or S (a spectrogram) must be given; got y=None, S=None"
        )
    if n_fft is None:
        raise ParameterError("n_fft must be given to compute a spectrogram from y, got n_fft=None")
    D = stft(check_audio(y, mono=False), n_fft=n_fft, hop_length=hop_length,
             win_length=win_length, window=window, center=center, pad_mode=pad_mode)
    S = np.abs(D)
    return (S if power == 1 else S**power), n_fft


def _project(weights, S):
    """``weights @ S`` over the bins axis of ``S`` (..., bins, frames).

    Computed by :func:`numpy.einsum` rather than BLAS: a product this small
    is memory-bound, and a multi-threaded BLAS call made right after the
    threaded STFT can stall for tens of milliseconds waking its threads.
    """
    return np.einsum("cf,...ft->...ct", weights, S)


def _read_only(array):
    array.flags.writeable = False
    return array


# ---------------------------------------------------------------------------
# Tuning
# ---------------------------------------------------------------------------

def _peaks(S, *, sr, n_fft, fmin, fmax, threshold, ref):
    """Interpolated spectral peaks of ``S`` in ``[fmin, fmax)``: ``(index, pitch, magnitude)``.

    ``index`` is the tuple of ``np.nonzero`` over ``S``; only the rows in the
    frequency range (and their two neighbours) are examined.
    """
    n_rows = S.shape[-2]
    fmin = max(fmin, 0.0)
    fmax = min(fmax, float(sr) / 2)
    frequencies = np.fft.rfftfreq(n_fft, d=1.0 / sr)[:n_rows]
    rows = np.flatnonzero((fmin <= frequencies) & (frequencies < fmax))
    empty = np.zeros(0, dtype=S.dtype)
    if rows.size == 0:
        return tuple(np.zeros(0, dtype=int) for _ in range(S.ndim)), empty, empty
    lo, hi = int(rows[0]), int(rows[-1]) + 1
    if ref is None:
        ref_value = threshold * np.max(S, axis=-2, keepdims=True)
    elif callable(ref):
        ref_value = threshold * np.expand_dims(ref(S, axis=-2), -2)
    else:
        ref_value = np.abs(ref)
    # Thresholded rows lo-1 .. hi (those that exist); a row 0 is never a peak,
    # the last row is one when it exceeds its lower neighbour (librosa's localmax).
    first, stop = max(lo - 1, 0), min(hi + 1, n_rows)
    block = S[..., first:stop, :]
    X = block * (block > ref_value)
    centre = X[..., lo - first:hi - first, :]
    pad = np.full(X.shape[:-2] + (1, X.shape[-1]), np.inf, dtype=X.dtype)
    below = X[..., lo - first - 1:hi - first - 1, :] if lo > 0 else np.concatenate(
        [pad, X[..., :hi - first - 1, :]], axis=-2)
    above = X[..., lo - first + 1:hi - first + 1, :] if hi < n_rows else np.concatenate(
        [X[..., lo - first + 1:, :], -pad], axis=-2)
    index = np.nonzero((centre > below) & (centre >= above))
    index = index[:-2] + (index[-2] + lo,) + index[-1:]
    row = index[-2]
    value = S[index]
    # Parabolic interpolation through the peak and its neighbours (librosa's
    # _parabolic_interpolation), 0 at the first and last rows.
    inner = (row > 0) & (row < n_rows - 1)
    prev_index = index[:-2] + (np.maximum(row - 1, 0),) + index[-1:]
    next_index = index[:-2] + (np.minimum(row + 1, n_rows - 1),) + index[-1:]
    prev, nxt = S[prev_index], S[next_index]
    a = (nxt + prev).astype(float) - 2.0 * value
    b = (nxt - prev).astype(float) / 2.0
    usable = inner & (np.abs(b) < np.abs(a))
    shift = np.zeros(row.shape, dtype=S.dtype)
    shift[usable] = -b[usable] / a[usable]
    slope = np.where(inner, (nxt - prev) / S.dtype.type(2), 0).astype(S.dtype)
    magnitude = (value + 0.5 * slope * shift).astype(S.dtype)
    pitch = ((row + shift) * float(sr) / n_fft).astype(S.dtype)
    return index, pitch, magnitude


def piptrack(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=None, fmin=150.0, fmax=4000.0,
             threshold=0.1, win_length=None, window="hann", center=True, pad_mode="constant",
             ref=None):
    r"""Pitch tracking by parabolically interpolated spectral peaks (as ``librosa.piptrack``).

    In each frame a bin ``k`` with ``fmin <= f_k < fmax`` is a peak when its
    magnitude exceeds ``threshold * ref`` (``ref`` defaults to the frame's
    maximum), exceeds its lower neighbour and is at least its upper one. The
    parabola through the three magnitudes :math:`(S_{k-1}, S_k, S_{k+1})` has
    its vertex at

    .. math::

        k + \delta, \qquad \delta = -\frac{b}{a}, \quad a = S_{k+1} + S_{k-1} - 2 S_k,
        \quad b = \frac{S_{k+1} - S_{k-1}}{2}

    (``δ = 0`` when ``|b| >= |a|``), so the peak's frequency is
    ``(k + δ) sr / n_fft`` and its magnitude ``S_k + δ (S_{k+1} - S_{k-1}) / 4``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; used when ``S`` is None.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        Magnitude (or power) spectrogram.
    n_fft : int > 0 or None
        FFT length; inferred from ``S`` when it does not match.
    hop_length, win_length, window, center, pad_mode
        STFT settings used when ``S`` is computed from ``y``.
    fmin, fmax : float
        Frequency range of the peaks, ``fmin <= f < fmax``, in Hz.
    threshold : float
        Peaks must exceed ``threshold * ref``.
    ref : float, callable or None
        Reference magnitude; None means each frame's maximum, a callable is
        applied as ``ref(S, axis=-2)``.

    Returns
    -------
    pitches, magnitudes : np.ndarray [shape=S.shape]
        Interpolated frequency (Hz) and magnitude at each peak, 0 elsewhere.

    Raises
    ------
    ParameterError
        If neither ``y`` nor ``S`` is given, or either is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import piptrack
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 443.0 * np.arange(sr) / sr)
    >>> pitches, mags = piptrack(y=y, sr=sr)
    >>> round(float(np.median(pitches[mags > 0.5 * mags.max()])), 0)
    443.0
    """
    S, n_fft = _tuning_spectrogram(y=y, sr=sr, S=S, n_fft=n_fft, hop_length=hop_length,
                                   win_length=win_length, window=window, center=center,
                                   pad_mode=pad_mode)
    S = np.abs(S)
    index, pitch, magnitude = _peaks(S, sr=sr, n_fft=n_fft, fmin=fmin, fmax=fmax,
                                     threshold=threshold, ref=ref)
    pitches = np.zeros_like(S)
    magnitudes = np.zeros_like(S)
    pitches[index] = pitch
    magnitudes[index] = magnitude
    return pitches, magnitudes


def _tuning_spectrogram(*, y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode):
    check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    if n_fft is not None:
        check_int(n_fft, "n_fft", minimum=2)
    return _power_spectrogram(y=y, S=S, n_fft=n_fft, hop_length=hop_length,
                              win_length=win_length, window=window, center=center,
                              pad_mode=pad_mode, power=1)


def pitch_tuning(frequencies, *, resolution=0.01, bins_per_octave=12):
    r"""The most common deviation of a set of frequencies from equal temperament.

    For each frequency the deviation from the nearest bin of an A440 scale
    with ``bins_per_octave`` bins,

    .. math:: r = \left(B \log_2 \frac{f}{440/16}\right) \bmod 1 \in [-\tfrac12, \tfrac12),

    is put in a histogram of bins ``resolution`` wide; the left edge of the
    fullest bin is returned (as ``librosa.pitch_tuning``).

    Parameters
    ----------
    frequencies : array_like
        Frequencies in Hz; values <= 0 are ignored.
    resolution : float in (0, 1)
        Histogram bin width, in fractions of a bin.
    bins_per_octave : int > 0
        Bins per octave of the scale.

    Returns
    -------
    tuning : float in [-0.5, 0.5)
        In fractions of a bin; 0.0 when no frequency is positive.

    Examples
    --------
    >>> from listenwidgets.dsp import pitch_tuning
    >>> pitch_tuning([440.0 * 2 ** (0.255 / 12), 523.25 * 2 ** (0.255 / 12)])
    0.25
    """
    resolution = check_real(resolution, "resolution", minimum=0.0, exclusive_minimum=True)
    if resolution >= 1:
        raise ParameterError(f"resolution must be < 1, got resolution={resolution}")
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    frequencies = np.atleast_1d(frequencies)
    if not np.isfinite(frequencies).all():
        raise ParameterError(
            f"frequencies must be finite, got frequencies={short_repr(frequencies)}"
        )
    frequencies = frequencies[frequencies > 0]
    if frequencies.size == 0:
        return 0.0
    residual = np.mod(bins_per_octave * np.log2(frequencies / (440.0 / 16)), 1.0)
    residual[residual >= 0.5] -= 1.0
    bins = np.linspace(-0.5, 0.5, int(np.ceil(1.0 / resolution)) + 1)
    counts, edges = np.histogram(residual, bins)
    return float(edges[np.argmax(counts)])


def estimate_tuning(*, y=None, sr=22050, S=None, n_fft=2048, resolution=0.01,
                    bins_per_octave=12, hop_length=None, fmin=150.0, fmax=4000.0,
                    threshold=0.1, win_length=None, window="hann", center=True,
                    pad_mode="constant", ref=None):
    """Estimate the tuning of a signal, in fractions of a bin (as ``librosa.estimate_tuning``).

    The spectral peaks of :func:`piptrack` whose magnitude is at least the
    median peak magnitude go to :func:`pitch_tuning`.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; used when ``S`` is None.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        Magnitude (or power) spectrogram.
    n_fft : int > 0 or None
        FFT length.
    resolution : float in (0, 1)
        Resolution of the tuning, in fractions of a bin.
    bins_per_octave : int > 0
        Bins per octave.
    hop_length, fmin, fmax, threshold, win_length, window, center, pad_mode, ref
        As in :func:`piptrack`.

    Returns
    -------
    tuning : float in [-0.5, 0.5)
        0.0 for silence (no peaks).

    Raises
    ------
    ParameterError
        If neither ``y`` nor ``S`` is given, or either is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import estimate_tuning
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> y = sum(np.sin(2 * np.pi * f * 2 ** (0.2 / 12) * t) for f in (261.63, 329.63, 392.0))
    >>> round(estimate_tuning(y=y, sr=sr), 2)
    0.2
    """
    S, n_fft = _tuning_spectrogram(y=y, sr=sr, S=S, n_fft=n_fft, hop_length=hop_length,
                                   win_length=win_length, window=window, center=center,
                                   pad_mode=pad_mode)
    return _tuning(np.abs(S), sr=sr, n_fft=n_fft, resolution=resolution,
                   bins_per_octave=bins_per_octave, fmin=fmin, fmax=fmax, threshold=threshold,
                   ref=ref)


def _tuning(S, *, sr, n_fft, resolution=0.01, bins_per_octave=12, fmin=150.0, fmax=4000.0,
            threshold=0.1, ref=None):
    """:func:`estimate_tuning` of a checked, non-negative spectrogram ``S``."""
    _, pitch, magnitude = _peaks(S, sr=sr, n_fft=n_fft, fmin=fmin, fmax=fmax,
                                 threshold=threshold, ref=ref)
    voiced = pitch > 0
    floor = np.median(magnitude[voiced]) if voiced.any() else 0.0
    return pitch_tuning(pitch[(magnitude >= floor) & voiced], resolution=resolution,
                        bins_per_octave=bins_per_octave)


# ---------------------------------------------------------------------------
# Filter banks
# ---------------------------------------------------------------------------

def chroma_filter(*, sr, n_fft, n_chroma=12, tuning=0.0, ctroct=5.0, octwidth=2, norm=2,
                  base_c=True, dtype=np.float32):
    r"""The STFT-to-chroma filter bank (as ``librosa.filters.chroma``; cached).

    Each FFT bin ``k > 0`` is placed on a continuous chroma axis
    :math:`c_k = n_c \log_2\big(f_k / (440\, 2^{\tau/n_c} / 16)\big)` and gives
    pitch class ``i`` the weight of a Gaussian bump,

    .. math:: W_{ik} = \exp\Big(-\frac12 \Big(\frac{2\, d(c_k, i)}{w_k}\Big)^2\Big),

    ``d`` the distance around the chroma circle and ``w_k`` the bin's width in
    chroma units (at least 1). Each column is scaled to unit ``norm``, then
    (when ``octwidth`` is not None) weighted by a Gaussian in octaves centred
    on octave ``ctroct`` (5 is about 880 Hz) with standard deviation
    ``octwidth``. The 0 Hz bin is placed 1.5 octaves below bin 1.

    Parameters
    ----------
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int > 1
        FFT length.
    n_chroma : int > 0
        Number of pitch classes.
    tuning : float
        Tuning offset in fractions of a chroma bin.
    ctroct, octwidth : float, float > 0 or None
        Centre and width (octaves) of the dominance window; None gives every
        octave the same weight.
    norm : float > 0, np.inf or None
        Norm of each column before the octave weighting.
    base_c : bool
        Row 0 is C (True) or A (False).
    dtype : np.dtype
        Type of the result.

    Returns
    -------
    wts : np.ndarray [shape=(n_chroma, 1 + n_fft // 2)], read-only

    Examples
    --------
    >>> from listenwidgets.dsp import chroma_filter
    >>> chroma_filter(sr=22050, n_fft=2048).shape
    (12, 1025)
    """
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    n_chroma = check_int(n_chroma, "n_chroma", minimum=1)
    tuning = check_real(tuning, "tuning")
    ctroct = check_real(ctroct, "ctroct")
    octwidth = check_real(octwidth, "octwidth", minimum=0.0, exclusive_minimum=True,
                          allow_none=True)
    return _chroma_filter(sr, n_fft, n_chroma, tuning, ctroct, octwidth, _check_norm(norm),
                          bool(base_c), np.dtype(dtype))


@functools.lru_cache(maxsize=64)
def _chroma_filter(sr, n_fft, n_chroma, tuning, ctroct, octwidth, norm, base_c, dtype):
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    a440 = 440.0 * 2.0 ** (tuning / n_chroma)
    frqbins = n_chroma * np.log2(frequencies / (a440 / 16))
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    half = np.round(float(n_chroma) / 2)
    D = np.remainder(D + half + 10 * n_chroma, n_chroma) - half
    wts = np.exp(-0.5 * (2 * D / np.tile(binwidthbins, (n_chroma, 1))) ** 2)
    wts = _normalize(wts, norm, axis=0)
    if octwidth is not None:
        wts *= np.tile(np.exp(-0.5 * (((frqbins / n_chroma - ctroct) / octwidth) ** 2)),
                       (n_chroma, 1))
    if base_c:
        wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return _read_only(np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)], dtype=dtype))


def cq_to_chroma(n_input, *, bins_per_octave=12, n_chroma=12, fmin=None, window=None,
                 base_c=True, dtype=np.float32):
    """The constant-Q-to-chroma matrix (as ``librosa.filters.cq_to_chroma``; cached).

    Each pitch class collects the ``bins_per_octave / n_chroma`` constant-Q
    bins centred on it, in every octave; the rows are rolled so that row 0 is
    the pitch class C (``base_c``) or A, given that bin 0 is at ``fmin``.

    Parameters
    ----------
    n_input : int > 0
        Number of constant-Q bins.
    bins_per_octave : int > 0
        Bins per octave of the CQT (a multiple of ``n_chroma``).
    n_chroma : int > 0
        Number of pitch classes.
    fmin : float > 0 or None
        Frequency of CQT bin 0; None means C1.
    window : np.ndarray or None
        Optional smoothing, convolved along the CQT axis.
    base_c : bool
        Row 0 is C (True) or A (False).
    dtype : np.dtype
        Type of the result.

    Returns
    -------
    cq_to_chroma : np.ndarray [shape=(n_chroma, n_input)]
        Read-only when ``window`` is None.

    Raises
    ------
    ParameterError
        If ``bins_per_octave`` is not a multiple of ``n_chroma``.

    Examples
    --------
    >>> from listenwidgets.dsp import cq_to_chroma
    >>> cq_to_chroma(24)[:3, :4]
    array([[1., 0., 0., 0.],
           [0., 1., 0., 0.],
           [0., 0., 1., 0.]], dtype=float32)
    """
    n_input = check_int(n_input, "n_input", minimum=1)
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    n_chroma = check_int(n_chroma, "n_chroma", minimum=1)
    fmin = C1_HZ if fmin is None else check_real(fmin, "fmin", minimum=0.0,
                                                   exclusive_minimum=True)
    if bins_per_octave % n_chroma:
        raise ParameterError(
            f"bins_per_octave={bins_per_octave} must be an integer multiple of "
            f"n_chroma={n_chroma}"
        )
    matrix = _cq_to_chroma(n_input, bins_per_octave, n_chroma, fmin, bool(base_c),
                           np.dtype(dtype))
    if window is None:
        return matrix
    window = np.atleast_2d(np.asarray(window, dtype=float))
    if not np.isfinite(window).all():
        raise ParameterError(f"window must be finite, got window={short_repr(window)}")
    return scipy.signal.convolve(matrix, window, mode="same").astype(dtype)


@functools.lru_cache(maxsize=64)
def _cq_to_chroma(n_input, bins_per_octave, n_chroma, fmin, base_c, dtype):
    n_merge = bins_per_octave // n_chroma
    matrix = np.repeat(np.eye(n_chroma), n_merge, axis=1)
    matrix = np.roll(matrix, -(n_merge // 2), axis=1)
    n_octaves = -(-n_input // bins_per_octave)
    matrix = np.tile(matrix, n_octaves)[:, :n_input]
    midi_0 = np.mod(_hz_to_midi(fmin), 12)
    roll = midi_0 if base_c else midi_0 - 9
    matrix = np.roll(matrix, int(np.round(roll * (n_chroma / 12.0))), axis=0)
    return _read_only(matrix.astype(dtype))


def fold_octaves(C, *, bins_per_octave):
    r"""The lecture's chroma: add the magnitudes of the bins one octave apart.

    .. math:: \mathrm{Chroma}(b) = \sum_m |X_{cq}(b + mB)|, \qquad b = 0, \dots, B - 1.

    Row ``b`` is the pitch class of CQT bin ``b`` (with ``fmin`` = C1, row 0
    is C); an incomplete top octave contributes the bins it has. No
    normalisation.

    Parameters
    ----------
    C : np.ndarray [shape=(..., n_bins, t)], real or complex
        A constant-Q transform (its magnitude is used).
    bins_per_octave : int > 0
        Bins per octave ``B`` of ``C``.

    Returns
    -------
    chroma : np.ndarray [shape=(..., bins_per_octave, t)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import fold_octaves
    >>> C = np.arange(6.0).reshape(6, 1)
    >>> fold_octaves(C, bins_per_octave=2).ravel()
    array([6., 9.])
    """
    C = _check_matrix(C, "C")
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    mag = np.abs(C)
    n_bins = mag.shape[-2]
    n_octaves = -(-n_bins // bins_per_octave)
    padding = [(0, 0)] * mag.ndim
    padding[-2] = (0, n_octaves * bins_per_octave - n_bins)
    mag = np.pad(mag, padding)
    shape = mag.shape[:-2] + (n_octaves, bins_per_octave, mag.shape[-1])
    return mag.reshape(shape).sum(axis=-3)


# ---------------------------------------------------------------------------
# Chromagrams
# ---------------------------------------------------------------------------

def chroma_stft(*, y=None, sr=22050, S=None, norm=np.inf, n_fft=2048, hop_length=512,
                win_length=None, window="hann", center=True, pad_mode="constant", tuning=None,
                n_chroma=12, ctroct=5.0, octwidth=2, base_c=True):
    r"""Chromagram from a power spectrogram (as ``librosa.feature.chroma_stft``).

    .. math:: \mathrm{chroma}[:, t] = \frac{W\, |X[:, t]|^2}{\lVert W\, |X[:, t]|^2 \rVert_{norm}}

    with ``W`` the filter bank of :func:`chroma_filter` and ``X`` the STFT.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; used when ``S`` is None.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)] or None
        Power spectrogram.
    norm : float > 0, np.inf or None
        Norm of each chroma vector (default: the maximum is 1).
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT settings (when ``S`` is None).
    tuning : float or None
        Tuning in fractions of a chroma bin; None estimates it from the
        spectrogram (:func:`estimate_tuning`).
    n_chroma : int > 0
        Number of pitch classes.
    ctroct, octwidth, base_c
        As in :func:`chroma_filter`.

    Returns
    -------
    chromagram : np.ndarray [shape=(..., n_chroma, t)]
        Row 0 is C (``base_c``); silent frames stay 0.

    Raises
    ------
    ParameterError
        If neither ``y`` nor ``S`` is given, either is not finite, or an
        argument is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import chroma_stft
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 392.0 * np.arange(sr) / sr)  # G4
    >>> int(chroma_stft(y=y, sr=sr).mean(axis=1).argmax())  # pitch class 7 = G
    7
    """
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    n_chroma = check_int(n_chroma, "n_chroma", minimum=1)
    norm = _check_norm(norm)
    S, n_fft = _power_spectrogram(y=y, S=S, n_fft=n_fft, hop_length=hop_length,
                                  win_length=win_length, window=window, center=center,
                                  pad_mode=pad_mode, power=2)
    if tuning is None:
        tuning = _tuning(np.abs(S), sr=sr, n_fft=n_fft, bins_per_octave=n_chroma)
    weights = chroma_filter(sr=sr, n_fft=n_fft, tuning=tuning, n_chroma=n_chroma,
                            ctroct=ctroct, octwidth=octwidth, base_c=base_c)
    raw = _project(weights, S)
    return _normalize(raw, norm)


def _check_cqt_chroma(*, sr, n_chroma, n_octaves, bins_per_octave, cqt_mode):
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_chroma = check_int(n_chroma, "n_chroma", minimum=1)
    n_octaves = check_int(n_octaves, "n_octaves", minimum=1)
    check_choice(cqt_mode, "cqt_mode", CQT_MODES)
    if bins_per_octave is None:
        bins_per_octave = n_chroma
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    if bins_per_octave % n_chroma:
        raise ParameterError(
            f"bins_per_octave={bins_per_octave} must be an integer multiple of "
            f"n_chroma={n_chroma}"
        )
    return sr, n_chroma, n_octaves, bins_per_octave


def chroma_cqt(*, y=None, sr=22050, C=None, hop_length=512, fmin=None, norm=np.inf,
               threshold=0.0, tuning=None, n_chroma=12, n_octaves=7, window=None,
               bins_per_octave=36, cqt_mode="full"):
    r"""Chromagram from a constant-Q transform (as ``librosa.feature.chroma_cqt``).

    .. math:: \mathrm{chroma}[:, t] = \frac{M\, |C[:, t]|}{\lVert M\, |C[:, t]| \rVert_{norm}}

    with ``M`` the matrix of :func:`cq_to_chroma` (each pitch class sums the
    ``bins_per_octave / n_chroma`` bins around it in every octave); values
    below ``threshold`` are set to 0 before normalising.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; used when ``C`` is None.
    sr : float > 0
        Sampling rate in Hz.
    C : np.ndarray [shape=(..., n_bins, t)] or None
        A constant-Q magnitude spectrogram (complex input is replaced by its
        magnitude); computed with :func:`~listenwidgets.dsp.cqt` when None.
    hop_length : int > 0
        Hop of the CQT.
    fmin : float > 0 or None
        Frequency of CQT bin 0; None means C1.
    norm : float > 0, np.inf or None
        Norm of each chroma vector.
    threshold : float or None
        Chroma values below it become 0.
    tuning : float or None
        Tuning of the CQT in fractions of a CQT bin; None estimates it from ``y``.
    n_chroma : int > 0
        Number of pitch classes.
    n_octaves : int > 0
        Octaves of the CQT (``n_bins = n_octaves * bins_per_octave``).
    window : np.ndarray or None
        Smoothing of :func:`cq_to_chroma`.
    bins_per_octave : int > 0 or None
        CQT bins per octave, a multiple of ``n_chroma`` (None: ``n_chroma``).
    cqt_mode : {'full'}
        The CQT used (librosa also offers ``'hybrid'``, not implemented here).

    Returns
    -------
    chromagram : np.ndarray [shape=(..., n_chroma, t)]

    Raises
    ------
    ParameterError
        If neither ``y`` nor ``C`` is given, either is not finite,
        ``bins_per_octave`` is not a multiple of ``n_chroma``, or the CQT's
        top bin passes the Nyquist frequency.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import chroma_cqt
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 329.63 * np.arange(sr) / sr)  # E4
    >>> int(chroma_cqt(y=y, sr=sr).mean(axis=1).argmax())  # pitch class 4 = E
    4
    """
    sr, n_chroma, n_octaves, bins_per_octave = _check_cqt_chroma(
        sr=sr, n_chroma=n_chroma, n_octaves=n_octaves, bins_per_octave=bins_per_octave,
        cqt_mode=cqt_mode)
    norm = _check_norm(norm)
    threshold = check_real(threshold, "threshold", allow_none=True)
    if C is None:
        if y is None:
            raise ParameterError("either y (audio) or C (a CQT) must be given; got y=None, C=None")
        C = np.abs(cqt(y, sr=sr, hop_length=hop_length, fmin=fmin,
                       n_bins=n_octaves * bins_per_octave, bins_per_octave=bins_per_octave,
                       tuning=tuning))
    else:
        C = _check_matrix(C, "C")
        if np.iscomplexobj(C):
            C = np.abs(C)
    matrix = cq_to_chroma(C.shape[-2], bins_per_octave=bins_per_octave, n_chroma=n_chroma,
                          fmin=fmin, window=window)
    chroma = _project(matrix, C)
    if threshold is not None:
        chroma[chroma < threshold] = 0.0
    return _normalize(chroma, norm)


def chroma_cens(*, y=None, sr=22050, C=None, hop_length=512, fmin=None, tuning=None,
                n_chroma=12, n_octaves=7, bins_per_octave=36, cqt_mode="full", window=None,
                norm=2, win_len_smooth=41, smoothing_window="hann"):
    r"""Chroma Energy Normalized Statistics (as ``librosa.feature.chroma_cens``).

    The CQT chroma (:func:`chroma_cqt`, unnormalised) of each frame is scaled
    to sum 1, quantised to the levels 0, 1/4, 1/2, 3/4, 1 (one quarter for
    each of the thresholds 0.4, 0.2, 0.1, 0.05 a value exceeds), smoothed in
    time by a normalised window of ``win_len_smooth + 2`` points, and scaled
    to unit ``norm`` (Müller & Ewert 2011).

    Parameters
    ----------
    y, sr, C, hop_length, fmin, tuning, n_chroma, n_octaves, bins_per_octave, cqt_mode, window
        As in :func:`chroma_cqt`.
    norm : float > 0, np.inf or None
        Final norm of each vector.
    win_len_smooth : int > 0 or None
        Length of the smoothing window in frames; None: no smoothing.
    smoothing_window : str or tuple
        The smoothing window's shape (symmetric).

    Returns
    -------
    cens : np.ndarray [shape=(..., n_chroma, t)]

    Raises
    ------
    ParameterError
        As :func:`chroma_cqt`, or if ``win_len_smooth`` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import chroma_cens
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 440.0 * np.arange(sr) / sr)  # A4
    >>> int(chroma_cens(y=y, sr=sr).mean(axis=1).argmax())  # pitch class 9 = A
    9
    """
    win_len_smooth = check_int(win_len_smooth, "win_len_smooth", minimum=1, allow_none=True)
    norm = _check_norm(norm)
    chroma = chroma_cqt(y=y, C=C, sr=sr, hop_length=hop_length, fmin=fmin,
                        bins_per_octave=bins_per_octave, tuning=tuning, norm=None,
                        n_chroma=n_chroma, n_octaves=n_octaves, cqt_mode=cqt_mode,
                        window=window)
    chroma = _normalize(chroma, 1.0)
    quantised = np.zeros_like(chroma)
    for step in (0.4, 0.2, 0.1, 0.05):
        quantised += (chroma > step) * 0.25
    if win_len_smooth:
        smoothing = np.array(get_window(smoothing_window, win_len_smooth + 2, fftbins=False))
        smoothing /= np.sum(smoothing)
        quantised = scipy.ndimage.convolve1d(quantised, smoothing, axis=-1, mode="constant")
    return _normalize(quantised, norm)
