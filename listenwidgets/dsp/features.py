"""Chapter 4, acoustic features: one number per frame that summarises a spectrum or a waveform.

Spectral shape (from a magnitude spectrogram ``S`` or from audio ``y``):
:func:`spectral_centroid`, :func:`spectral_bandwidth` (the spread),
:func:`spectral_rolloff`, :func:`spectral_flatness`,
:func:`spectral_flatness_bands` and :func:`spectral_flux`. Harmonic shape:
:func:`harmonic_peaks`, :func:`harmonic_spectral_centroid`,
:func:`harmonic_spectral_spread`. Waveform: :func:`zero_crossing_rate` and
:func:`rms`.

Where librosa has the function, the arguments, defaults and results are
librosa 0.11's; where the lecture differs (it weights the power spectrum
``|X(k)|^2``, librosa the magnitude ``|X(k)|``) a ``power`` argument offers
the lecture's version. Every feature is returned as ``(..., 1, n_frames)``
(per-band features as ``(..., n_bands, n_frames)``) so that curves stack.

Defined values instead of NaN: a silent frame has centroid, bandwidth,
roll-off, flux, RMS and harmonic features 0 and flatness 1 (the ``amin``
floor is perfectly flat, as in librosa). A NaN or Inf in ``S`` raises
:class:`~listenwidgets.errors.ParameterError` naming the frame.

The spectral features are vectorised for speed: frequency-weighted sums are
single ``einsum`` contractions with the frequency vector (accumulated in
float64 so the spread does not lose digits to cancellation), the roll-off
searches block sums instead of a full cumulative sum, and the flatness takes
one logarithm per product of a few bins (floored at ``amin``, the product
cannot underflow; a frame whose product overflows is summed bin by bin)
instead of one per bin.
"""

import math
from collections import namedtuple

import numpy as np

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_int, check_real, short_repr
from .mel import hz_to_mel, mel_to_hz, melspectrogram
from .spectrum import PAD_MODES, fft_frequencies, frame, power_to_db, stft

__all__ = [
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "spectral_flatness",
    "BandFlatness",
    "spectral_flatness_bands",
    "spectral_flux",
    "zero_crossing_rate",
    "rms",
    "HarmonicPeaks",
    "harmonic_peaks",
    "harmonic_spectral_centroid",
    "harmonic_spectral_spread",
]

#: Bins per block in the roll-off search (block sums first, then one block per frame).
_ROLLOFF_BLOCK = 32

#: Candidate fundamentals per octave in the harmonic-sum f0 search (12.5 cents apart).
_F0_STEPS_PER_OCTAVE = 96

#: Most bins multiplied together before one logarithm in the flatness.
_MAX_GROUP = 8

#: Smallest harmonic peak, relative to the frame's largest bin (-120 dB: FFT rounding noise).
_PEAK_RELATIVE_FLOOR = 1e-6

#: Floor (magnitude) before the logarithm of the parabolic peak interpolation.
_PEAK_LOG_FLOOR = 1e-10

BandFlatness = namedtuple("BandFlatness", ["flatness", "mean", "edges"])
BandFlatness.__doc__ = """Result of :func:`spectral_flatness_bands`.

flatness : np.ndarray [shape=(..., n_bands, n_frames)]
    SFM of each band, in [0, 1].
mean : np.ndarray [shape=(..., 1, n_frames)]
    Mean of the bands' SFM: the whole-spectrum flatness of the lecture.
edges : np.ndarray [shape=(n_bands + 1,)]
    Band edges in Hz; band ``b`` holds the bins with ``edges[b] <= f_k < edges[b + 1]``
    (the last band includes its upper edge).
"""

HarmonicPeaks = namedtuple("HarmonicPeaks", ["frequencies", "amplitudes", "f0", "voiced"])
HarmonicPeaks.__doc__ = """Result of :func:`harmonic_peaks`.

frequencies : np.ndarray [shape=(..., n_harmonics, n_frames)]
    Frequency f_h in Hz of the peak found near each multiple h * f0 (0 where none).
amplitudes : np.ndarray [shape=(..., n_harmonics, n_frames)]
    Magnitude A_h of that peak (0 where none, and in unvoiced frames).
f0 : np.ndarray [shape=(..., n_frames)]
    Fundamental frequency in Hz (0 in unvoiced frames).
voiced : np.ndarray [shape=(..., n_frames), bool]
    The frames that have a fundamental and harmonic energy.
"""


# ----------------------------------------------------------------------------- input checks


def _magnitude(y, S, *, n_fft, hop_length, win_length, window, center, pad_mode,
               nonnegative=True):
    """Return ``(S, n_fft)``: a checked magnitude spectrogram and its FFT length.

    ``S`` is taken as given (its ``n_fft`` inferred from its number of bins as
    librosa does; non-negativity checked unless the caller does it itself);
    otherwise ``S = |stft(y)|``.
    """
    if (y is None) == (S is None):
        raise ParameterError(
            "pass exactly one of y (audio) or S (magnitude spectrogram); "
            f"got y={short_repr(y)}, S={short_repr(S)}"
        )
    if S is None:
        D = stft(y, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                 center=center, pad_mode=pad_mode)
        return np.abs(D), n_fft
    S = _check_spectrogram(S, nonnegative=nonnegative)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    if n_fft // 2 + 1 != S.shape[-2]:
        n_fft = 2 * (S.shape[-2] - 1)
    return S, n_fft


def _check_spectrogram(S, *, name="S", nonnegative=True):
    """Return ``S`` as a real floating array of shape (..., n_bins >= 2, n_frames >= 1)."""
    S = np.asarray(S)
    if S.dtype.kind == "c":
        raise ParameterError(
            f"{name} must be a real magnitude spectrogram, got complex {name}.dtype={S.dtype}; "
            "pass np.abs(D)"
        )
    if S.dtype.kind in "biu" or (S.dtype.kind == "f" and S.dtype.itemsize < 4):
        S = S.astype(np.float32 if S.dtype.kind == "f" else np.float64)
    elif S.dtype.kind != "f":
        raise ParameterError(f"{name} must be a real numeric array, got {name}.dtype={S.dtype}")
    if S.ndim < 2 or S.shape[-2] < 2 or S.shape[-1] < 1:
        raise ParameterError(
            f"{name} must have shape (..., n_bins >= 2, n_frames >= 1), got {name}.shape={S.shape}"
        )
    if nonnegative:
        low = S.min()
        if low < 0:
            raise ParameterError(
                f"{name} must be non-negative (a magnitude spectrogram), got {name}.min()={low:.4g}"
            )
    return S


def _check_finite_frames(values, *, name="S"):
    """Raise if a per-frame reduction is NaN or Inf: that frame of ``name`` held one."""
    finite = np.isfinite(values)
    if not finite.all():
        bad = ~finite.reshape(-1, finite.shape[-1]).all(axis=0)
        frame_index = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"{name} contains NaN or Inf (first in frame t={frame_index}); "
            "clean the signal or the spectrogram first"
        )


def _check_power(power):
    return check_real(power, "power", minimum=0.0, exclusive_minimum=True)


def _weights(S, power):
    """``S ** power`` (S itself for power 1, a square for power 2)."""
    if power == 1.0:
        return S
    if power == 2.0:
        return np.square(S)
    return S**power


def _bin_frequencies(freq, *, sr, n_fft, S):
    """FFT bin frequencies, or the caller's ``freq`` of shape (n_bins,) or S.shape."""
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    if freq is None:
        return fft_frequencies(sr=sr, n_fft=n_fft)
    freq = np.asarray(freq, dtype=np.float64)
    per_bin = freq.ndim == 1 and freq.shape[0] == S.shape[-2]
    per_frame = freq.ndim >= 2 and freq.shape[-2:] == S.shape[-2:] and freq.ndim <= S.ndim
    if not (per_bin or per_frame):
        raise ParameterError(
            f"freq must have shape (n_bins,) = ({S.shape[-2]},) or S.shape={S.shape}, "
            f"got freq.shape={freq.shape}"
        )
    if not np.isfinite(freq).all():
        raise ParameterError("freq contains NaN or Inf")
    return freq


def _ratio(numerator, denominator):
    """``numerator / denominator``, and 0 where the denominator is (numerically) zero."""
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape),
                   dtype=np.result_type(numerator, denominator))
    np.divide(numerator, denominator, out=out, where=denominator > np.finfo(out.dtype).tiny)
    return out


def _moments(W, freq, orders):
    """``sum_k W[k, t] * freq[k] ** m`` for each m in ``orders``: float64, (..., len(orders), t)."""
    basis = np.stack([freq**m for m in orders])
    return np.einsum("mk,...kt->...mt", basis, W)


def _weighted_centroid(W, freq):
    """Centroid (..., 1, t) and total weight (..., 1, t), both float64."""
    if freq.ndim == 1:
        m = _moments(W, freq, (0, 1))
        total, first = m[..., 0:1, :], m[..., 1:2, :]
    else:
        total = W.sum(axis=-2, keepdims=True, dtype=np.float64)
        first = np.sum(freq * W, axis=-2, keepdims=True, dtype=np.float64)
    _check_finite_frames(total)
    return _ratio(first, total), total


# ----------------------------------------------------------------------------- spectral shape


def spectral_centroid(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, freq=None,
                      win_length=None, window="hann", center=True, pad_mode="constant",
                      power=1.0):
    """Spectral centroid: each frame's centre of mass in frequency (librosa's, plus ``power``).

    .. math:: SC[t] = \\frac{\\sum_k f_k\\, |X(k, t)|^p}{\\sum_k |X(k, t)|^p}

    ``power=1`` (the default) weights the magnitude, as
    :func:`librosa.feature.spectral_centroid`; ``power=2`` weights the power
    spectrum, as the lecture's SC = Σ f_k |X(k)|² / Σ |X(k)|².

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; used (through :func:`~listenwidgets.dsp.stft`) when ``S`` is None.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., d, t)] or None
        Magnitude spectrogram ``|X|`` (non-negative). Give ``y`` or ``S``, not both.
    n_fft : int > 0
        FFT length; inferred as ``2 * (d - 1)`` from ``S`` when it does not match.
    hop_length : int > 0
        Samples between frames (``y`` only).
    freq : np.ndarray [shape=(d,) or (..., d, t)] or None
        Bin frequencies in Hz; None means :func:`~listenwidgets.dsp.fft_frequencies`.
    win_length, window, center, pad_mode
        STFT options for ``y``, as in :func:`~listenwidgets.dsp.stft`.
    power : float > 0
        Exponent of the magnitude used as weight: 1 = librosa, 2 = the lecture.

    Returns
    -------
    centroid : np.ndarray [shape=(..., 1, t)]
        Centroid in Hz; 0 in silent frames. float32 for float32 ``S``.

    Raises
    ------
    ParameterError
        Both or neither of ``y``/``S``; ``S`` complex, negative, NaN/Inf or of
        the wrong shape; a ``freq`` of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_centroid
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 1000.0 * np.arange(sr) / sr)
    >>> round(float(spectral_centroid(y=y, sr=sr, power=2.0)[0, 10]), 1)
    1000.0
    """
    power = _check_power(power)
    S, n_fft = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                          window=window, center=center, pad_mode=pad_mode)
    freq = _bin_frequencies(freq, sr=sr, n_fft=n_fft, S=S)
    centroid, _ = _weighted_centroid(_weights(S, power), freq)
    return centroid.astype(S.dtype, copy=False)


def spectral_bandwidth(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                       window="hann", center=True, pad_mode="constant", freq=None, centroid=None,
                       norm=True, p=2, power=1.0):
    """p-th order spectral bandwidth; ``p=2`` is the spread (librosa's, plus ``power``).

    .. math:: BW[t] = \\left(\\frac{\\sum_k |X(k,t)|^q\\, |f_k - SC[t]|^p}
                                  {\\sum_k |X(k,t)|^q}\\right)^{1/p}

    with ``q = power``. ``power=1`` is :func:`librosa.feature.spectral_bandwidth`;
    ``power=2, p=2`` is the lecture's spread
    SS = sqrt(Σ (f_k − SC)² |X(k)|² / Σ |X(k)|²), with SC the power-weighted centroid.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode, freq
        As in :func:`spectral_centroid`.
    centroid : np.ndarray [shape=(..., 1, t)] or None
        A precomputed centroid; None computes it with the same ``power``.
    norm : bool
        Divide by the frame's total weight (True, librosa's default); False
        leaves the sum un-normalised.
    p : float > 0
        Order of the deviation.
    power : float > 0
        Exponent of the magnitude used as weight: 1 = librosa, 2 = the lecture.

    Returns
    -------
    bandwidth : np.ndarray [shape=(..., 1, t)]
        Bandwidth in Hz; 0 in silent frames.

    Raises
    ------
    ParameterError
        As :func:`spectral_centroid`, and a ``centroid`` of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_bandwidth
    >>> S = np.zeros((1025, 1)); S[[100, 300], 0] = 1.0   # two equal bins, 200 bins apart
    >>> float(spectral_bandwidth(S=S, sr=22050)[0, 0])      # half their distance in Hz
    1076.66015625
    """
    power = _check_power(power)
    p = check_real(p, "p", minimum=0.0, exclusive_minimum=True)
    S, n_fft = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                          window=window, center=center, pad_mode=pad_mode)
    freq = _bin_frequencies(freq, sr=sr, n_fft=n_fft, S=S)
    W = _weights(S, power)
    if centroid is not None:
        centroid = np.asarray(centroid, dtype=np.float64)
        expected = S.shape[:-2] + (1, S.shape[-1])
        if centroid.shape != expected:
            raise ParameterError(
                f"centroid must have shape {expected} for S.shape={S.shape}, "
                f"got centroid.shape={centroid.shape}"
            )
        if not np.isfinite(centroid).all():
            raise ParameterError("centroid contains NaN or Inf")
    if p == 2.0 and freq.ndim == 1:
        # Σ W (f - c)² = M2 - 2 c M1 + c² M0, from three float64 moments in one pass.
        m = _moments(W, freq, (0, 1, 2))
        total, first, second = m[..., 0:1, :], m[..., 1:2, :], m[..., 2:3, :]
        _check_finite_frames(total)
        if centroid is None:
            centroid = _ratio(first, total)
        spread = second - 2.0 * centroid * first + centroid**2 * total
    else:
        own_centroid, total = _weighted_centroid(W, freq)
        if centroid is None:
            centroid = own_centroid
        bins = freq[:, np.newaxis] if freq.ndim == 1 else freq
        deviation = np.abs(bins - centroid)
        if p != 1.0:
            deviation **= p
        spread = np.einsum("...kt,...kt->...t", W, deviation)[..., np.newaxis, :]
    if norm:
        spread = _ratio(spread, total)
    bandwidth = np.maximum(spread, 0.0) ** (1.0 / p)
    return bandwidth.astype(S.dtype, copy=False)


def spectral_rolloff(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                     window="hann", center=True, pad_mode="constant", freq=None,
                     roll_percent=0.85):
    """Roll-off frequency: the lowest bin below which ``roll_percent`` of the magnitude lies.

    .. math:: f_{roll}[t] = f_{k^*}, \\quad
              k^* = \\min \\{ k : \\sum_{j \\le k} |X(j, t)| \\ge r \\sum_j |X(j, t)| \\}

    with ``r = roll_percent``, as :func:`librosa.feature.spectral_rolloff`
    (which, like this, sums the magnitude; pass ``S=|X|**2`` for energy).

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`.
    freq : np.ndarray [shape=(d,) or (..., d, t)] or None
        Bin frequencies in Hz, increasing; None means FFT bin frequencies.
    roll_percent : float in (0, 1)
        Fraction of the frame's total below the roll-off.

    Returns
    -------
    rolloff : np.ndarray [shape=(..., 1, t)]
        Roll-off frequency in Hz; 0 (the first bin) in silent frames.

    Raises
    ------
    ParameterError
        As :func:`spectral_centroid`, and ``roll_percent`` outside (0, 1).

    Notes
    -----
    The running sum is accumulated in float64 (librosa accumulates in the
    dtype of ``S``): for float32 input the result is librosa's on the float64
    spectrogram, and may differ by one bin from librosa's float32 result in
    the rare frames whose threshold lies within rounding of a bin boundary.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_rolloff
    >>> S = np.ones((1025, 1))                                   # flat spectrum
    >>> float(spectral_rolloff(S=S, sr=22050, roll_percent=0.5)[0, 0])  # half-way up
    5512.5
    """
    roll_percent = check_real(roll_percent, "roll_percent")
    if not 0.0 < roll_percent < 1.0:
        raise ParameterError(f"roll_percent must lie in (0, 1), got roll_percent={roll_percent}")
    S, n_fft = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                          window=window, center=center, pad_mode=pad_mode)
    freq = _bin_frequencies(freq, sr=sr, n_fft=n_fft, S=S)
    k = _rolloff_bins(S, roll_percent)[..., np.newaxis, :]
    if freq.ndim == 1:
        rolloff = freq[k]
    else:
        rolloff = np.take_along_axis(np.broadcast_to(freq, S.shape), k, axis=-2)
    return rolloff.astype(S.dtype, copy=False)


def _rolloff_bins(S, roll_percent):
    """Index (..., t) of the first bin whose running sum reaches ``roll_percent`` of the total.

    Sums blocks of bins, finds the block where the threshold is crossed, then
    runs the cumulative sum inside that block only.
    """
    n_bins = S.shape[-2]
    block = _ROLLOFF_BLOCK
    starts = np.arange(0, n_bins, block)
    running = np.cumsum(np.add.reduceat(S, starts, axis=-2), axis=-2, dtype=np.float64)
    total = running[..., -1, :]
    _check_finite_frames(total)
    threshold = roll_percent * total[..., np.newaxis, :]
    crossing = np.count_nonzero(running < threshold, axis=-2)
    previous = np.take_along_axis(running, np.maximum(crossing - 1, 0)[..., np.newaxis, :], axis=-2)
    before = np.where(crossing[..., np.newaxis, :] > 0, previous, 0.0)
    first = starts[crossing]
    rows = first[..., np.newaxis, :] + np.arange(block)[:, np.newaxis]
    inside = rows < n_bins
    values = np.take_along_axis(S, np.minimum(rows, n_bins - 1), axis=-2)
    running_inside = before + np.cumsum(np.where(inside, values, 0.0), axis=-2, dtype=np.float64)
    offset = np.count_nonzero(running_inside < threshold, axis=-2)
    return np.minimum(first + offset, np.minimum(first + block, n_bins) - 1)


def spectral_flatness(*, y=None, S=None, n_fft=2048, hop_length=512, win_length=None,
                      window="hann", center=True, pad_mode="constant", amin=1e-10, power=2.0):
    """Spectral flatness of the whole spectrum, as :func:`librosa.feature.spectral_flatness`.

    .. math:: SFM[t] = \\frac{\\exp\\left(\\frac{1}{K}\\sum_k \\ln P(k, t)\\right)}
                            {\\frac{1}{K}\\sum_k P(k, t)}, \\quad
              P(k, t) = \\max(a_{min}, |X(k, t)|^{power})

    1 for a perfectly flat spectrum, near 0 for a pure tone; one frame of
    white noise gives exp(-γ) ≈ 0.56 with ``power=2`` (its periodogram bins
    are exponentially distributed; γ is Euler's constant). For the lecture's
    per-band SFM see :func:`spectral_flatness_bands`.

    Parameters
    ----------
    y, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`; ``S`` is the magnitude ``|X|``.
    amin : float > 0
        Floor of ``P`` (the added noise floor); a silent frame is therefore flat (1).
    power : float > 0
        Exponent of the magnitude: 2 (the default) = power spectrum.

    Returns
    -------
    flatness : np.ndarray [shape=(..., 1, t)]
        Flatness in [0, 1].

    Raises
    ------
    ParameterError
        As :func:`spectral_centroid`, and ``amin <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_flatness
    >>> float(spectral_flatness(S=np.ones((513, 1)))[0, 0])   # a flat spectrum
    1.0
    """
    amin = check_real(amin, "amin", minimum=0.0, exclusive_minimum=True)
    power = _check_power(power)
    S, _ = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                      window=window, center=center, pad_mode=pad_mode, nonnegative=False)
    # max(amin, S**power) == max(floor, S)**power with floor = amin**(1/power), for S >= 0.
    floor = S.dtype.type(amin ** (1.0 / power))
    lowest = S.min(axis=-2)
    if (lowest < 0).any():
        raise ParameterError(
            f"S must be non-negative (a magnitude spectrogram), got S.min()={lowest.min():.4g}"
        )
    n_frames = S.shape[-1]
    floored = np.flatnonzero((lowest < floor).reshape(-1, n_frames).any(axis=0))
    if 2 * floored.size > n_frames:
        S, floored = np.maximum(S, floor), floored[:0]
    # Frames with a bin below the floor are summed again below, floored.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        arithmetic, log_sum = _flatness_sums(S, power, floor)
    if floored.size:
        arithmetic[..., floored], log_sum[..., floored] = _flatness_sums(
            np.maximum(S[..., floored], floor), power, floor)
    _check_finite_frames(arithmetic)
    n_bins = S.shape[-2]
    flatness = np.exp(power * log_sum / n_bins) / (arithmetic / n_bins)
    # geometric <= arithmetic mean: clip the rounding of an all-floor (silent) frame to 1
    return np.minimum(flatness, 1.0)[..., np.newaxis, :].astype(S.dtype, copy=False)


def _flatness_sums(Q, power, floor):
    """``sum_k Q**power`` and ``sum_k ln Q`` along the bins, shape (..., t), for ``Q >= floor``.

    The log sum multiplies g contiguous chunks of bins together before taking
    one logarithm per product. g is the largest group (up to 8) whose smallest
    product ``floor**g`` is still a normal number (7 in float32 with the
    default floor 1e-5, 8 in float64: no denormals, no underflow); frames
    whose product overflows (bins beyond ~3e5 in float32) are summed bin by
    bin instead.
    """
    if power == 2.0:
        arithmetic = np.einsum("...kt,...kt->...t", Q, Q)
    else:
        arithmetic = _weights(Q, power).sum(axis=-2)
    group = _MAX_GROUP
    if floor < 1.0:
        group = max(1, min(group, int(math.log(np.finfo(Q.dtype).tiny) / math.log(floor))))
    n_bins = Q.shape[-2]
    chunk = n_bins // group
    product = Q[..., :chunk, :]
    for j in range(1, group):
        part = Q[..., j * chunk:(j + 1) * chunk, :]
        product = product * part if j == 1 else np.multiply(product, part, out=product)
    log_sum = np.log(product).sum(axis=-2, dtype=np.float64)
    if group * chunk < n_bins:
        log_sum += np.log(Q[..., group * chunk:, :]).sum(axis=-2, dtype=np.float64)
    overflow = np.isposinf(log_sum)
    if overflow.any():
        frames = np.flatnonzero(overflow.reshape(-1, overflow.shape[-1]).any(axis=0))
        log_sum[..., frames] = np.log(Q[..., frames]).sum(axis=-2, dtype=np.float64)
    return arithmetic, log_sum


def _band_edges(bands, n_bands, fmin, fmax, sr, htk):
    """Band edges in Hz (n_bands + 1,) for 'octave', 'linear' or 'mel' bands."""
    nyquist = sr / 2.0
    fmax = nyquist if fmax is None else check_real(fmax, "fmax", minimum=0.0,
                                                   exclusive_minimum=True)
    if fmax > nyquist:
        raise ParameterError(f"fmax must be <= sr / 2 = {nyquist}, got fmax={fmax}")
    if fmin is None:
        fmin = fmax / 2.0**n_bands if bands == "octave" else 0.0
    fmin = check_real(fmin, "fmin", minimum=0.0)
    if fmin >= fmax:
        raise ParameterError(f"fmin must be below fmax, got fmin={fmin}, fmax={fmax}")
    if bands == "octave":
        if fmin <= 0.0:
            raise ParameterError(f"octave bands need fmin > 0, got fmin={fmin}")
        return np.geomspace(fmin, fmax, n_bands + 1)
    if bands == "linear":
        return np.linspace(fmin, fmax, n_bands + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk),
                                  n_bands + 1), htk=htk)
    edges[[0, -1]] = fmin, fmax
    return edges


def spectral_flatness_bands(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512,
                            win_length=None, window="hann", center=True, pad_mode="constant",
                            bands="octave", n_bands=6, fmin=None, fmax=None, htk=False,
                            amin=1e-10, power=2.0):
    """Spectral flatness per band (the lecture's SFM_b) and its mean over the bands.

    .. math:: SFM_b[t] = \\frac{\\left(\\prod_{k \\in b} P(k, t)\\right)^{1/N_b}}
                              {\\frac{1}{N_b} \\sum_{k \\in b} P(k, t)}, \\quad
              P(k, t) = \\max(a_{min}, |X(k, t)|^{power})

    geometric over arithmetic mean of the power spectrum over the band's
    ``N_b`` bins. (The slide calls the denominator the "harmonic mean", but
    its formula, and this function, use the arithmetic mean.) The
    whole-spectrum flatness of the lecture is the mean of SFM_b over bands.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`; ``S`` is the magnitude ``|X|``.
    bands : {'octave', 'linear', 'mel'}
        Band spacing between ``fmin`` and ``fmax``: equal ratio ('octave';
        exact octaves with the default ``fmin``), equal width in Hz
        ('linear'), or equal width on the mel scale ('mel').
    n_bands : int >= 1
        Number of bands; every band must contain at least one FFT bin.
    fmin : float >= 0 or None
        Lowest edge in Hz; None means ``fmax / 2**n_bands`` for octave bands, else 0.
    fmax : float <= sr / 2 or None
        Highest edge in Hz; None means ``sr / 2``.
    htk : bool
        Mel bands on the lecture's (HTK) mel scale instead of Slaney's.
    amin : float > 0
        Floor of ``P``; silent bands are flat (1).
    power : float > 0
        Exponent of the magnitude: 2 (the default) = power spectrum.

    Returns
    -------
    BandFlatness
        ``flatness`` (..., n_bands, t), ``mean`` (..., 1, t) and ``edges`` (n_bands + 1,) in Hz.

    Raises
    ------
    ParameterError
        As :func:`spectral_centroid`; ``n_bands < 1``; a band without a bin
        (too many bands for ``n_fft``); bad ``fmin``/``fmax``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_flatness_bands
    >>> result = spectral_flatness_bands(S=np.ones((1025, 2)), sr=22050, n_bands=4)
    >>> result.flatness.shape, float(result.mean[0, 0])
    ((4, 2), 1.0)
    >>> result.edges
    array([  689.0625,  1378.125 ,  2756.25  ,  5512.5   , 11025.    ])
    """
    check_choice(bands, "bands", ("octave", "linear", "mel"))
    n_bands = check_int(n_bands, "n_bands", minimum=1)
    amin = check_real(amin, "amin", minimum=0.0, exclusive_minimum=True)
    power = _check_power(power)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    S, n_fft = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                          window=window, center=center, pad_mode=pad_mode)
    edges = _band_edges(bands, n_bands, fmin, fmax, sr, bool(htk))
    freq = fft_frequencies(sr=sr, n_fft=n_fft)
    starts = np.searchsorted(freq, edges[:-1], side="left")
    stop = int(np.searchsorted(freq, edges[-1], side="right"))
    counts = np.diff(np.append(starts, stop))
    if (counts < 1).any():
        b = int(np.flatnonzero(counts < 1)[0])
        raise ParameterError(
            f"band {b} ({edges[b]:.1f}-{edges[b + 1]:.1f} Hz) holds no FFT bin at n_fft={n_fft}, "
            f"sr={sr:g}; use fewer bands than n_bands={n_bands}, a higher fmin or a larger n_fft"
        )
    span = S[..., starts[0]:stop, :]
    floored = np.maximum(span, span.dtype.type(amin ** (1.0 / power)))
    offsets = starts - starts[0]
    arithmetic = np.add.reduceat(_weights(floored, power), offsets, axis=-2, dtype=np.float64)
    _check_finite_frames(arithmetic)
    log_sum = np.add.reduceat(np.log(floored), offsets, axis=-2, dtype=np.float64)
    counts = counts[:, np.newaxis]
    flatness = np.exp(power * log_sum / counts) / (arithmetic / counts)
    flatness = np.minimum(flatness, 1.0).astype(S.dtype, copy=False)
    return BandFlatness(flatness, flatness.mean(axis=-2, keepdims=True), edges)


def spectral_flux(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                  window="hann", center=True, pad_mode="constant", kind="librosa"):
    """Spectral flux: how much the spectrum changes from one frame to the next.

    ``kind='librosa'`` is librosa's onset strength
    (:func:`librosa.onset.onset_strength` with its defaults, Böck & Widmer's
    spectral flux without the vibrato filter): the half-wave-rectified first
    difference of the log-power (dB) mel spectrogram, averaged over 128 mel bands,

    .. math:: SF[t] = \\frac{1}{M} \\sum_m \\max(0,\\, L(m, t) - L(m, t - 1)), \\quad
              L = 10 \\log_{10} \\max(10^{-10}, \\mathrm{Mel}\\, |X|^2)

    (floored 80 dB below the peak), lag-compensated and shifted by
    ``n_fft // (2 * hop_length)`` frames when ``center``, exactly as librosa.
    ``kind='l2'`` is the Euclidean flux of the magnitude spectrum,

    .. math:: SF[t] = \\sqrt{\\sum_k (|X(k, t)| - |X(k, t - 1)|)^2}, \\quad SF[0] = 0,

    aligned with the STFT frames. Use :func:`~listenwidgets.dsp.onset_strength`
    for the mel options, lag and vibrato filter.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`; ``S`` is the magnitude ``|X|``.
    kind : {'librosa', 'l2'}
        Which flux.

    Returns
    -------
    flux : np.ndarray [shape=(..., 1, t)]
        0 where nothing changes (and in the first frame).

    Raises
    ------
    ParameterError
        As :func:`spectral_centroid`, and an unknown ``kind``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_flux
    >>> S = np.zeros((513, 4)); S[:, 2:] = 1.0          # a step at frame 2
    >>> spectral_flux(S=S, kind="l2")
    array([[ 0.        ,  0.        , 22.64950331,  0.        ]])
    """
    check_choice(kind, "kind", ("librosa", "l2"))
    S, n_fft = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                          window=window, center=center, pad_mode=pad_mode)
    if kind == "librosa":
        from .onset import onset_strength  # onset imports this module

        sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
        _check_finite_frames(S.sum(axis=-2))
        mel_db = power_to_db(melspectrogram(S=np.square(S), sr=sr, n_fft=n_fft, fmax=sr / 2.0))
        flux = onset_strength(S=mel_db, sr=sr, n_fft=n_fft, hop_length=hop_length, center=center)
        return flux[..., np.newaxis, :]
    _check_finite_frames(S.sum(axis=-2))
    change = np.diff(S, axis=-1)
    energy = np.einsum("...kt,...kt->...t", change, change)
    flux = np.zeros(S.shape[:-2] + (1, S.shape[-1]), dtype=S.dtype)
    flux[..., 0, 1:] = np.sqrt(energy)
    return flux


# ----------------------------------------------------------------------------- waveform


def zero_crossing_rate(y, *, frame_length=2048, hop_length=512, center=True, threshold=1e-10,
                       ref_magnitude=None, zero_pos=True):
    """Zero-crossing rate per frame, as :func:`librosa.feature.zero_crossing_rate`.

    .. math:: ZCR[t] = \\frac{1}{L} \\sum_{n=1}^{L-1}
              [\\,\\mathrm{sgn}\\, x_t(n) \\ne \\mathrm{sgn}\\, x_t(n - 1)\\,]

    over the ``L = frame_length`` samples ``x_t`` of frame ``t``; samples with
    ``|x| <= threshold`` count as 0. A tone of frequency f crosses zero 2f
    times a second, so its ZCR is about ``2 f / sr``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Audio.
    frame_length : int > 0
        Samples per frame.
    hop_length : int > 0
        Samples between frames.
    center : bool
        Pad ``frame_length // 2`` edge-value copies on each side, so frame ``t``
        is centred on sample ``t * hop_length``.
    threshold : float >= 0
        Samples with ``-threshold <= y <= threshold`` are treated as 0.
    ref_magnitude : float > 0, callable or None
        Scale ``threshold`` by this value, or by ``ref_magnitude(np.abs(frames))``.
    zero_pos : bool
        True: 0 counts as positive (sign is the sign bit). False: 0, -1 and
        +1 are three distinct signs.

    Returns
    -------
    zcr : np.ndarray [shape=(..., 1, t)]
        Crossings per sample, in [0, 1).

    Raises
    ------
    ParameterError
        Non-float, NaN/Inf or empty ``y``; a signal shorter than one frame
        when ``center=False``; bad ``frame_length``, ``hop_length`` or ``threshold``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import zero_crossing_rate
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 441.0 * np.arange(sr) / sr + 0.1)
    >>> round(float(zero_crossing_rate(y)[0, 10]), 4), 2 * 441.0 / sr
    (0.04, 0.04)
    """
    y = check_audio(y, mono=False)
    frame_length = check_int(frame_length, "frame_length", minimum=1)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    threshold = check_real(threshold, "threshold", minimum=0.0)
    if center:
        half = frame_length // 2
        y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(half, half)], mode="edge")
    frames = frame(y, frame_length=frame_length, hop_length=hop_length)
    if callable(ref_magnitude):
        threshold = threshold * ref_magnitude(np.abs(frames))
    elif ref_magnitude is not None:
        threshold = threshold * check_real(ref_magnitude, "ref_magnitude", minimum=0.0,
                                           exclusive_minimum=True)
    n_frames = frames.shape[-1]
    y = y[..., : (n_frames - 1) * hop_length + frame_length]
    if zero_pos:
        sign = y < -threshold
    else:
        sign = (y > threshold).astype(np.int8) - (y < -threshold)
    changes = np.zeros(y.shape, dtype=np.int64)
    np.cumsum(sign[..., 1:] != sign[..., :-1], axis=-1, out=changes[..., 1:])
    starts = np.arange(n_frames) * hop_length
    # crossings into samples start+1 .. start+L-1 of each frame
    counts = changes[..., starts + frame_length - 1] - changes[..., starts]
    return (counts / frame_length)[..., np.newaxis, :]


def rms(*, y=None, S=None, frame_length=2048, hop_length=512, center=True, pad_mode="constant",
        dtype=np.float32):
    """Root-mean-square level per frame, from audio or a spectrogram (:func:`librosa.feature.rms`).

    From audio (frames of ``L = frame_length`` samples, zero-padded by ``L // 2``
    on each side when ``center``):

    .. math:: RMS[t] = \\sqrt{\\frac{1}{L} \\sum_{n=0}^{L-1} x_t(n)^2}

    From a spectrogram (Parseval, with the DC and Nyquist bins counted once):

    .. math:: RMS[t] = \\sqrt{\\frac{2}{L^2} \\left(\\sum_k |X(k, t)|^2
              - \\tfrac{1}{2}|X(0, t)|^2 - \\tfrac{1}{2}|X(L/2, t)|^2\\right)}

    (the Nyquist term only for even ``L``). With a window in the STFT the
    spectrogram RMS is that of the windowed frame.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio. Give ``y`` or ``S``, not both.
    S : np.ndarray [shape=(..., d, t)] or None
        Spectrogram, magnitude or complex, with ``d = frame_length // 2 + 1``.
    frame_length : int > 0
        Samples per frame (the ``n_fft`` of ``S``).
    hop_length : int > 0
        Samples between frames (``y`` only).
    center : bool
        Pad ``y`` so that frame ``t`` is centred on sample ``t * hop_length``.
    pad_mode : str
        :func:`numpy.pad` mode of that padding.
    dtype : floating dtype
        Output dtype (sums are accumulated in the input's precision).

    Returns
    -------
    rms : np.ndarray [shape=(..., 1, t)]
        RMS per frame; 0 in silent frames.

    Raises
    ------
    ParameterError
        Both or neither of ``y``/``S``; ``S.shape[-2] != frame_length // 2 + 1``;
        NaN/Inf; a signal shorter than one frame; a non-float ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import rms
    >>> y = np.sin(2 * np.pi * np.arange(22050) / 64)    # amplitude 1
    >>> round(float(rms(y=y)[0, 10]), 4)                  # 1 / sqrt(2)
    0.7071
    """
    frame_length = check_int(frame_length, "frame_length", minimum=1)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ParameterError(f"dtype must be a floating dtype, got dtype={dtype}")
    if (y is None) == (S is None):
        raise ParameterError(
            "pass exactly one of y (audio) or S (spectrogram); "
            f"got y={short_repr(y)}, S={short_repr(S)}"
        )
    if y is not None:
        return _rms_audio(y, frame_length, hop_length, center, pad_mode, dtype)
    S = np.asarray(S)
    if S.dtype.kind == "c":
        parts = (S.real, S.imag)
    else:
        parts = (_check_spectrogram(S, nonnegative=False),)
    S = parts[0]
    if S.ndim < 2:
        raise ParameterError(f"S must have shape (..., n_bins, n_frames), got S.shape={S.shape}")
    n_bins = S.shape[-2]
    if n_bins != frame_length // 2 + 1:
        raise ParameterError(
            f"S.shape={S.shape} has n_bins={n_bins}, so frame_length should be "
            f"{2 * n_bins - 2} or {2 * n_bins - 1}; got frame_length={frame_length}"
        )
    energy = sum(np.einsum("...kt,...kt->...t", part, part) for part in parts)
    with np.errstate(invalid="ignore"):    # inf - inf in a bad frame: reported just below
        for k in [0, -1] if frame_length % 2 == 0 else [0]:
            energy = energy - 0.5 * sum(np.square(part[..., k, :]) for part in parts)
    _check_finite_frames(energy)
    power = 2.0 * np.maximum(energy, 0.0) / frame_length**2
    return np.sqrt(power).astype(dtype, copy=False)[..., np.newaxis, :]


def _rms_audio(y, frame_length, hop_length, center, pad_mode, dtype):
    """RMS of ``y`` from sums over blocks of gcd(frame_length, hop_length) samples."""
    y = check_audio(y, mono=False)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    if center:
        check_choice(pad_mode, "pad_mode", PAD_MODES)
        half = frame_length // 2
        y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(half, half)], mode=pad_mode)
    if y.shape[-1] < frame_length:
        raise ParameterError(
            f"frame_length={frame_length} is longer than the signal (length={y.shape[-1]}); "
            "use center=True or a shorter frame"
        )
    n_frames = 1 + (y.shape[-1] - frame_length) // hop_length
    block = math.gcd(frame_length, hop_length)
    used = (n_frames - 1) * hop_length + frame_length
    blocks = y[..., :used].reshape(*y.shape[:-1], used // block, block)
    block_sums = np.einsum("...j,...j->...", blocks, blocks)
    sums = frame(block_sums, frame_length=frame_length // block,
                 hop_length=hop_length // block).sum(axis=-2)
    return np.sqrt(sums / frame_length).astype(dtype, copy=False)[..., np.newaxis, :]


# ----------------------------------------------------------------------------- harmonic


def harmonic_peaks(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
                   window="hann", center=True, pad_mode="constant", f0=None, fmin=65.0,
                   fmax=1000.0, n_harmonics=10, tolerance=0.2, voicing_threshold=0.5):
    """Find the harmonic peaks of each frame: the largest bin near each multiple h·f0.

    For h = 1 .. H the peak is the largest local maximum (a bin at least as
    large as its neighbours) with ``|f_k - h f0| <= tolerance * f0`` (at
    least the nearest bin on each side); its frequency f_h and amplitude A_h
    are the vertex of the parabola through the log magnitudes of the peak and
    its neighbours. A harmonic without such a peak (or only one 120 dB below
    the frame's largest bin: rounding noise), or above ``sr / 2``, is absent:
    f_h = A_h = 0.

    f0 is the caller's (a scalar or one value per frame; ``f0 <= 0`` marks a
    frame unvoiced) or, if None, estimated per frame by harmonic summation on
    the spectrum: on a log-frequency grid of 96 steps per octave from
    ``fmin`` to ``fmax``, the candidate maximising

    .. math:: \\sum_{h=1}^{H} \\frac{1}{h} \\max_{|\\log_2 (f / (h f_c))| \\le 1/96} |X(f)|

    wins (the 1/h weights favour the fundamental over its sub-harmonics; a
    weak fundamental can still give an octave error: pass an external f0,
    e.g. from pYIN, when it matters); f0 is then refined from the peaks found
    near its multiples, f0 = Σ_h A_h (f_h / h) / Σ_h A_h. An estimated frame is
    voiced when the peaks
    (each with its two neighbouring bins) hold at least ``voicing_threshold``
    of the power below (H + 1/2)·f0. A given f0 frame is voiced when f0 > 0
    and a peak has energy.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`; ``S`` is the magnitude ``|X|``.
    f0 : float, np.ndarray [shape=(t,) or (..., t)] or None
        Fundamental in Hz, or None to estimate it.
    fmin, fmax : float > 0
        Range of the f0 search (estimation only).
    n_harmonics : int in [1, 40]
        H, the number of harmonics.
    tolerance : float in (0, 0.5]
        Half-width of each search window, as a fraction of f0.
    voicing_threshold : float in [0, 1]
        Minimum harmonic energy fraction of a voiced frame (estimation only).

    Returns
    -------
    HarmonicPeaks
        ``frequencies`` and ``amplitudes`` (..., H, t), ``f0`` and ``voiced`` (..., t);
        all 0 (False) in unvoiced frames.

    Raises
    ------
    ParameterError
        As :func:`spectral_centroid`; bad ``f0`` shape or values; ``fmin >= fmax``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import harmonic_peaks
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> y = sum(np.sin(2 * np.pi * 220.0 * h * t) / h for h in range(1, 6))
    >>> peaks = harmonic_peaks(y=y, sr=sr, n_harmonics=5)
    >>> np.round(peaks.frequencies[:, 20], 0), round(float(peaks.f0[20]), 1)
    (array([ 220.,  440.,  660.,  880., 1100.]), 220.0)
    """
    n_harmonics = check_int(n_harmonics, "n_harmonics", minimum=1, maximum=40)
    tolerance = check_real(tolerance, "tolerance", minimum=0.0, exclusive_minimum=True,
                           maximum=0.5)
    voicing_threshold = check_real(voicing_threshold, "voicing_threshold", minimum=0.0,
                                   maximum=1.0)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    S, n_fft = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                          window=window, center=center, pad_mode=pad_mode)
    _check_finite_frames(S.sum(axis=-2))
    lead, (n_bins, n_frames) = S.shape[:-2], S.shape[-2:]
    # Work on (n_bins, n_columns): the leading axes become extra columns.
    columns = np.ascontiguousarray(
        np.moveaxis(S.reshape(-1, n_bins, n_frames), 0, 1).reshape(n_bins, -1))
    bin_hz = sr / n_fft
    if f0 is None:
        fmin = check_real(fmin, "fmin", minimum=0.0, exclusive_minimum=True)
        fmax = check_real(fmax, "fmax", minimum=0.0, exclusive_minimum=True)
        if not fmin < fmax <= sr / 2:
            raise ParameterError(
                f"need 0 < fmin < fmax <= sr / 2 = {sr / 2:g}, got fmin={fmin}, fmax={fmax}"
            )
        f0_columns = _harmonic_sum_f0(columns, bin_hz, fmin, fmax, n_harmonics)
        freqs, amps, _ = _pick_harmonics(columns, f0_columns, bin_hz, n_harmonics, tolerance)
        order = np.arange(1, n_harmonics + 1)[:, np.newaxis]
        f0_columns = _ratio(np.sum(amps * freqs / order, axis=0), amps.sum(axis=0))
        freqs, amps, peaks = _pick_harmonics(columns, f0_columns, bin_hz, n_harmonics, tolerance)
        harmonicity = _harmonicity(columns, amps, peaks, f0_columns, bin_hz, n_harmonics)
        voiced = (harmonicity >= voicing_threshold) & (f0_columns > 0)
    else:
        f0_columns = _frame_f0(f0, lead, n_frames)
        freqs, amps, _ = _pick_harmonics(columns, f0_columns, bin_hz, n_harmonics, tolerance)
        voiced = (f0_columns > 0) & (amps.sum(axis=0) > 0)
    freqs = np.where(voiced, freqs, 0.0)
    amps = np.where(voiced, amps, 0.0)
    f0_columns = np.where(voiced, f0_columns, 0.0)

    def unfold(a):
        shape = a.shape[:-1] + (-1, n_frames)
        return np.moveaxis(a.reshape(shape), -2, 0).reshape(lead + a.shape[:-1] + (n_frames,))

    return HarmonicPeaks(unfold(freqs), unfold(amps).astype(S.dtype, copy=False),
                         unfold(f0_columns), unfold(voiced))


def _frame_f0(f0, lead, n_frames):
    """The caller's f0 broadcast to (..., t) and flattened to columns."""
    f0 = np.asarray(f0, dtype=np.float64)
    try:
        f0 = np.broadcast_to(f0, lead + (n_frames,))
    except ValueError:
        raise ParameterError(
            f"f0 must be a scalar or broadcast to {lead + (n_frames,)} (one value per frame), "
            f"got f0.shape={f0.shape}"
        ) from None
    if not np.isfinite(f0).all():
        raise ParameterError("f0 contains NaN or Inf; mark unvoiced frames with f0=0")
    return f0.reshape(-1)


def _harmonic_sum_f0(columns, bin_hz, fmin, fmax, n_harmonics):
    """Per-column f0 by weighted harmonic summation on a log-frequency grid."""
    n_bins = columns.shape[0]
    steps = _F0_STEPS_PER_OCTAVE
    nyquist = (n_bins - 1) * bin_hz
    n_candidates = int(np.floor(steps * np.log2(fmax / fmin))) + 1
    offsets = np.rint(steps * np.log2(np.arange(1, n_harmonics + 1))).astype(int)
    top = min(n_candidates + offsets[-1] + 1, int(np.floor(steps * np.log2(nyquist / fmin))) + 1)
    # log grid cell j covers [fmin 2^((j - 1/2)/steps), fmin 2^((j + 1/2)/steps)): max over its bins
    lower = fmin * 2.0 ** ((np.arange(top + 1) - 0.5) / steps)
    starts = np.minimum(np.ceil(lower / bin_hz).astype(int), n_bins - 1)
    nearest = np.minimum(np.rint(fmin * 2.0 ** (np.arange(top) / steps) / bin_hz).astype(int),
                         n_bins - 1)
    grid = np.maximum.reduceat(columns, starts, axis=0)[:top]
    narrow = starts[1:] <= starts[:-1]
    grid[narrow] = np.maximum(grid[narrow], columns[nearest[narrow]])
    spread = grid.copy()
    spread[1:] = np.maximum(spread[1:], grid[:-1])
    spread[:-1] = np.maximum(spread[:-1], grid[1:])
    salience = np.zeros((n_candidates, columns.shape[1]), dtype=np.float64)
    for h, offset in enumerate(offsets, start=1):
        count = max(0, min(n_candidates, top - offset))
        salience[:count] += spread[offset:offset + count] / h
    best = np.argmax(salience, axis=0)
    f0 = fmin * 2.0 ** (best / steps)
    return np.where(salience.max(axis=0) > 0, f0, 0.0)


def _pick_harmonics(columns, f0, bin_hz, n_harmonics, tolerance):
    """Frequency, amplitude and bin of the peak near h * f0: three (H, n_columns) arrays.

    The peak is the largest local maximum (a bin at least as large as both
    neighbours) in the window; leakage skirts of other partials fall
    monotonically and so are not taken for a harmonic. Frequency and
    amplitude come from the parabola through the log magnitudes of the peak
    and its neighbours (which also undoes most of the window's scalloping).
    """
    n_bins, n_columns = columns.shape
    is_peak = columns > 0
    is_peak[1:] &= columns[1:] >= columns[:-1]
    is_peak[:-1] &= columns[:-1] >= columns[1:]
    harmonics = np.arange(1, n_harmonics + 1)[:, np.newaxis]
    target = harmonics * f0 / bin_hz
    half = np.maximum(tolerance * f0 / bin_hz, 1.0)
    reach = int(np.ceil(half.max())) if n_columns else 1
    rows = np.rint(target).astype(int) + np.arange(-reach, reach + 1)[:, np.newaxis, np.newaxis]
    usable = (np.abs(rows - target) <= half) & (rows >= 0) & (rows < n_bins) & (f0 > 0)
    rows = np.clip(rows, 0, n_bins - 1)
    cols = np.arange(n_columns)
    values = np.where(usable & is_peak[rows, cols], columns[rows, cols], -1.0)
    choice = np.argmax(values, axis=0)[np.newaxis]
    peak = np.take_along_axis(rows, choice, axis=0)[0]
    # A peak 120 dB below the frame's maximum is rounding noise, not a harmonic.
    floor = _PEAK_RELATIVE_FLOOR * columns.max(axis=0)
    found = np.take_along_axis(values, choice, axis=0)[0] > floor
    below = np.log(np.maximum(columns[np.maximum(peak - 1, 0), cols], _PEAK_LOG_FLOOR))
    here = np.log(np.maximum(columns[peak, cols], _PEAK_LOG_FLOOR))
    above = np.log(np.maximum(columns[np.minimum(peak + 1, n_bins - 1), cols], _PEAK_LOG_FLOOR))
    curvature = below - 2.0 * here + above
    interior = (peak > 0) & (peak < n_bins - 1) & (curvature < 0)
    shift = np.zeros_like(curvature)
    np.divide(0.5 * (below - above), curvature, out=shift, where=interior)
    shift = np.clip(shift, -0.5, 0.5)
    frequency = np.where(found, (peak + shift) * bin_hz, 0.0)
    amplitude = np.where(found, np.exp(here - 0.25 * (below - above) * shift), 0.0)
    return frequency, amplitude, peak


def _harmonicity(columns, amps, peaks, f0, bin_hz, n_harmonics):
    """Fraction of the power below (H + 1/2) f0 held by the harmonic peaks and their neighbours."""
    n_bins, n_columns = columns.shape
    limit = np.floor((n_harmonics + 0.5) * f0 / bin_hz) + 1
    below = np.where(np.arange(n_bins)[:, np.newaxis] < limit, columns, 0)
    total = np.einsum("kc,kc->c", below, below, dtype=np.float64)
    cols = np.arange(n_columns)
    lobe = np.zeros(amps.shape)
    for shift in (-1, 0, 1):
        rows = peaks + shift
        ok = (amps > 0) & (rows >= 0) & (rows < n_bins)
        lobe += np.where(ok, np.square(columns[np.clip(rows, 0, n_bins - 1), cols],
                                       dtype=np.float64), 0.0)
    return _ratio(lobe.sum(axis=0), total)


def harmonic_spectral_centroid(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512,
                               win_length=None, window="hann", center=True, pad_mode="constant",
                               f0=None, fmin=65.0, fmax=1000.0, n_harmonics=10, tolerance=0.2,
                               voicing_threshold=0.5, power=1.0):
    """Harmonic spectral centroid: the amplitude-weighted mean frequency of the harmonic peaks.

    .. math:: HSC[t] = \\frac{\\sum_h f_h\\, A_h^{p}}{\\sum_h A_h^{p}}

    over the peaks of :func:`harmonic_peaks` (``p = power``; 1 weights the
    amplitudes, as the lecture). Unvoiced frames are 0 (no NaN); their mask is
    ``harmonic_peaks(...).voiced``.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`.
    f0, fmin, fmax, n_harmonics, tolerance, voicing_threshold
        As in :func:`harmonic_peaks`.
    power : float > 0
        Exponent of the peak amplitudes used as weights.

    Returns
    -------
    hsc : np.ndarray [shape=(..., 1, t)]
        Harmonic centroid in Hz; 0 in unvoiced frames.

    Raises
    ------
    ParameterError
        As :func:`harmonic_peaks`.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import harmonic_spectral_centroid
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> f0 = 20 * sr / 2048                               # on bin 20 of the STFT
    >>> y = np.sin(2 * np.pi * f0 * t) + np.sin(2 * np.pi * 2 * f0 * t)  # two equal harmonics
    >>> round(float(harmonic_spectral_centroid(y=y, sr=sr, f0=f0)[0, 20]), 1), round(1.5 * f0, 1)
    (323.0, 323.0)
    """
    power = _check_power(power)
    peaks = harmonic_peaks(y=y, sr=sr, S=S, n_fft=n_fft, hop_length=hop_length,
                           win_length=win_length, window=window, center=center,
                           pad_mode=pad_mode, f0=f0, fmin=fmin, fmax=fmax,
                           n_harmonics=n_harmonics, tolerance=tolerance,
                           voicing_threshold=voicing_threshold)
    weights = _weights(peaks.amplitudes.astype(np.float64), power)
    total = weights.sum(axis=-2, keepdims=True)
    hsc = _ratio(np.sum(weights * peaks.frequencies, axis=-2, keepdims=True), total)
    return hsc.astype(peaks.amplitudes.dtype, copy=False)


def harmonic_spectral_spread(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512,
                             win_length=None, window="hann", center=True, pad_mode="constant",
                             f0=None, fmin=65.0, fmax=1000.0, n_harmonics=10, tolerance=0.2,
                             voicing_threshold=0.5, power=1.0):
    """Harmonic spectral spread: the weighted deviation of the harmonic peaks from the HSC.

    .. math:: HSS[t] = \\sqrt{\\frac{\\sum_h A_h^{p} (f_h - HSC[t])^2}{\\sum_h A_h^{p}}}

    in Hz, over the peaks of :func:`harmonic_peaks` (the spectral spread
    applied to the peaks). MPEG-7's HarmonicSpectralSpread is this with
    ``power=2`` divided by the HSC. Unvoiced frames are 0.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`spectral_centroid`.
    f0, fmin, fmax, n_harmonics, tolerance, voicing_threshold
        As in :func:`harmonic_peaks`.
    power : float > 0
        Exponent of the peak amplitudes used as weights.

    Returns
    -------
    hss : np.ndarray [shape=(..., 1, t)]
        Harmonic spread in Hz; 0 in unvoiced frames.

    Raises
    ------
    ParameterError
        As :func:`harmonic_peaks`.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import harmonic_spectral_spread
    >>> sr = 22050
    >>> t = np.arange(sr) / sr
    >>> f0 = 20 * sr / 2048                               # on bin 20 of the STFT
    >>> y = np.sin(2 * np.pi * f0 * t) + np.sin(2 * np.pi * 2 * f0 * t)  # two equal harmonics
    >>> round(float(harmonic_spectral_spread(y=y, sr=sr, f0=f0)[0, 20]), 1), round(0.5 * f0, 1)
    (107.7, 107.7)
    """
    power = _check_power(power)
    peaks = harmonic_peaks(y=y, sr=sr, S=S, n_fft=n_fft, hop_length=hop_length,
                           win_length=win_length, window=window, center=center,
                           pad_mode=pad_mode, f0=f0, fmin=fmin, fmax=fmax,
                           n_harmonics=n_harmonics, tolerance=tolerance,
                           voicing_threshold=voicing_threshold)
    weights = _weights(peaks.amplitudes.astype(np.float64), power)
    total = weights.sum(axis=-2, keepdims=True)
    hsc = _ratio(np.sum(weights * peaks.frequencies, axis=-2, keepdims=True), total)
    deviation = np.where(weights > 0, peaks.frequencies - hsc, 0.0)
    variance = _ratio(np.sum(weights * deviation**2, axis=-2, keepdims=True), total)
    return np.sqrt(variance).astype(peaks.amplitudes.dtype, copy=False)
