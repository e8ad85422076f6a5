"""Chapter 4, temporal features: onset strength, novelty, tempogram and tempo.

- :func:`onset_strength` is :func:`librosa.onset.onset_strength`: the
  half-wave-rectified first difference of the log-power mel spectrogram,
  averaged over the mel bands (spectral flux on a log-mel scale).
- :func:`novelty` is the spectral-flux novelty function of the lecture (and
  of Müller, *Fundamentals of Music Processing*, 2015, §6.1): positive
  changes of the log-compressed magnitude spectrum, local average removed.
- :func:`tempogram` is :func:`librosa.feature.tempogram`: the windowed
  autocorrelation of an onset envelope, one column per frame.
- :func:`tempo_histogram` sums the tempogram over time into a tempo (BPM)
  histogram; :func:`tempo` picks its peak under librosa's log-normal prior
  (:func:`librosa.feature.tempo`).
"""

from collections import namedtuple

import numpy as np
import scipy.fft
import scipy.ndimage
import scipy.signal

from ..errors import ParameterError
from ._checks import check_int, check_real, short_repr
from .features import _check_finite_frames, _magnitude
from .mel import melspectrogram
from .spectrum import frame, power_to_db
from .windows import get_window

__all__ = [
    "onset_strength",
    "novelty",
    "tempogram",
    "tempo_frequencies",
    "TempoHistogram",
    "tempo_histogram",
    "tempo",
]

#: Scale inside the log1p that compresses the tempogram before the prior is added (librosa's).
_TEMPO_COMPRESSION = 1e6

TempoHistogram = namedtuple("TempoHistogram", ["bpm", "histogram"])
TempoHistogram.__doc__ = """Result of :func:`tempo_histogram`.

bpm : np.ndarray [shape=(n_bins,)]
    Tempo of each bin in beats per minute.
histogram : np.ndarray [shape=(..., n_bins)]
    Summed tempogram strength at that tempo.
"""


def _check_envelope(onset_envelope, *, name="onset_envelope"):
    """A real, finite array with at least one frame on its last axis."""
    envelope = np.asarray(onset_envelope)
    if envelope.dtype.kind not in "biuf":
        raise ParameterError(f"{name} must be real, got {name}.dtype={envelope.dtype}")
    envelope = envelope.astype(np.result_type(envelope.dtype, np.float32), copy=False)
    if envelope.ndim < 1 or envelope.shape[-1] < 1:
        raise ParameterError(
            f"{name} must have at least one frame, got {name}.shape={envelope.shape}")
    _check_finite_frames(envelope.reshape(-1, envelope.shape[-1]), name=name)
    return envelope


def onset_strength(*, y=None, sr=22050, S=None, lag=1, max_size=1, ref=None, detrend=False,
                   center=True, aggregate=np.mean, n_fft=2048, hop_length=512, win_length=None,
                   window="hann", pad_mode="constant", n_mels=128, fmin=0.0, fmax=None, htk=False,
                   norm="slaney"):
    """Onset strength: spectral flux of the log-mel spectrogram, as librosa.onset.onset_strength.

    .. math:: o[t] = \\operatorname{aggregate}_m \\max(0,\\, L(m, t) - R(m, t - \\mathrm{lag}))

    with ``L`` the log-power mel spectrogram (``power_to_db`` of
    :func:`~listenwidgets.dsp.melspectrogram`: ref 1, amin 1e-10, top_db 80)
    or the given ``S``, and ``R`` its local maximum over ``max_size`` mel
    bands (Böck & Widmer's vibrato suppression; ``R = L`` for ``max_size=1``).
    The result is padded at the front by ``lag`` frames (plus
    ``n_fft // (2 * hop_length)`` when ``center``) so that it lines up with
    the spectrogram's frames, and cut to their number.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; give ``y`` or ``S``.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., d, t)] or None
        A precomputed (log-power) spectrogram; used as is.
    lag : int > 0
        Frames between the compared spectra.
    max_size : int > 0
        Size of the local-max filter along frequency (1 disables it).
    ref : np.ndarray [shape=S.shape] or None
        A reference spectrogram replacing the local-max filter.
    detrend : bool
        Remove the DC component with the filter (1 - z^-1) / (1 - 0.99 z^-1).
    center : bool
        Shift by ``n_fft // (2 * hop_length)`` frames (the mel spectrogram of
        ``y`` is always computed with centred frames, as in librosa).
    aggregate : callable
        Combines the bands, called as ``aggregate(x, axis=-2)``; e.g. ``np.median``.
    n_fft, hop_length, win_length, window, pad_mode
        STFT options of the mel spectrogram of ``y`` (``n_fft`` and
        ``hop_length`` also set the centring shift).
    n_mels, fmin, fmax, htk, norm
        Mel filterbank options, see :func:`~listenwidgets.dsp.mel`; ``fmax``
        None means ``sr / 2``.

    Returns
    -------
    onset_envelope : np.ndarray [shape=(..., t)]
        Onset strength per frame, >= 0 (unless ``detrend``).

    Raises
    ------
    ParameterError
        Both or neither of ``y``/``S``; NaN/Inf in ``S``; ``lag`` or
        ``max_size`` < 1; a ``ref`` of another shape; a non-callable ``aggregate``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import onset_strength
    >>> sr = 22050
    >>> y = np.zeros(sr); y[::sr // 4] = 1.0       # clicks every 0.25 s = 10.8 frames
    >>> envelope = onset_strength(y=y, sr=sr)
    >>> envelope.shape, [int(i) for i in np.flatnonzero(envelope > 0.5 * envelope.max())]
    ((44,), [11, 22, 33])
    """
    lag = check_int(lag, "lag", minimum=1)
    max_size = check_int(max_size, "max_size", minimum=1)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    if not callable(aggregate):
        raise ParameterError(
            f"aggregate must be callable (e.g. np.mean), got aggregate={short_repr(aggregate)}")
    if (y is None) == (S is None):
        raise ParameterError(
            "pass exactly one of y (audio) or S (log-power spectrogram); "
            f"got y={short_repr(y)}, S={short_repr(S)}"
        )
    if S is None:
        sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
        S = power_to_db(melspectrogram(
            y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
            center=True, pad_mode=pad_mode, power=2.0, n_mels=n_mels, fmin=fmin,
            fmax=sr / 2.0 if fmax is None else fmax, htk=htk, norm=norm))
    else:
        S = np.atleast_2d(_check_envelope(S, name="S"))
    if ref is None:
        ref = S if max_size == 1 else scipy.ndimage.maximum_filter1d(S, max_size, axis=-2)
    else:
        ref = np.asarray(ref)
        if ref.shape != S.shape:
            raise ParameterError(f"ref must have S.shape={S.shape}, got ref.shape={ref.shape}")
        ref = _check_envelope(ref, name="ref")
    rise = S[..., lag:] - ref[..., :-lag]
    np.maximum(rise, 0.0, out=rise)
    envelope = np.asarray(aggregate(rise, axis=-2))
    pad = lag + (n_fft // (2 * hop_length) if center else 0)
    envelope = np.pad(envelope, [(0, 0)] * (envelope.ndim - 1) + [(pad, 0)])
    if detrend:
        envelope = scipy.signal.lfilter([1.0, -1.0], [1.0, -0.99], envelope, axis=-1)
    if center:
        envelope = envelope[..., : S.shape[-1]]
    return envelope


def novelty(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, win_length=None,
            window="hann", center=True, pad_mode="constant", gamma=100.0, local_average=0.1,
            normalize=True):
    """Spectral-flux novelty (Müller 2015, §6.1.3): where the spectrum suddenly gains energy.

    .. math:: Y = \\ln(1 + \\gamma |X|), \\quad
              \\Delta[t] = \\sum_k \\max(0,\\, Y(k, t) - Y(k, t - 1)), \\quad \\Delta[0] = 0,

    then ``max(0, Δ - μ)`` with μ the mean of Δ over ``±local_average``
    seconds, then divided by its maximum. The log compression (γ) lets quiet
    partials count; without it (``gamma=0``, ``Y = |X|``) loud notes dominate.
    Frames line up with the STFT frames. Compare :func:`onset_strength`
    (librosa's flux on the dB mel spectrogram) and
    :func:`~listenwidgets.dsp.spectral_flux`.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode
        As in :func:`~listenwidgets.dsp.spectral_centroid`; ``S`` is the magnitude ``|X|``.
    gamma : float >= 0
        Log-compression factor; 0 disables compression.
    local_average : float >= 0
        Half-length in seconds of the moving average subtracted; 0 disables it.
    normalize : bool
        Divide by the maximum (an all-zero novelty stays 0).

    Returns
    -------
    novelty : np.ndarray [shape=(..., t)]
        Non-negative; in [0, 1] when ``normalize``.

    Raises
    ------
    ParameterError
        As :func:`~listenwidgets.dsp.spectral_centroid`, and negative ``gamma``
        or ``local_average``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import novelty
    >>> sr = 22050
    >>> y = np.zeros(2 * sr); y[sr:] = np.sin(2 * np.pi * 440.0 * np.arange(sr) / sr)
    >>> nov = novelty(y=y, sr=sr)
    >>> int(np.argmax(nov)), sr // 512                  # the tone starts at frame 43
    (42, 43)
    """
    gamma = check_real(gamma, "gamma", minimum=0.0)
    local_average = check_real(local_average, "local_average", minimum=0.0)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    S, _ = _magnitude(y, S, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                      window=window, center=center, pad_mode=pad_mode)
    _check_finite_frames(S.sum(axis=-2))
    compressed = np.log1p(gamma * S) if gamma > 0 else S
    rise = np.maximum(np.diff(compressed, axis=-1), 0.0).sum(axis=-2)
    flux = np.zeros(S.shape[:-2] + (S.shape[-1],), dtype=rise.dtype)
    flux[..., 1:] = rise
    half = int(round(local_average * sr / hop_length))
    if half > 0:
        mean = scipy.ndimage.uniform_filter1d(flux, 2 * half + 1, axis=-1, mode="constant")
        flux = np.maximum(flux - mean, 0.0)
    if normalize:
        peak = flux.max(axis=-1, keepdims=True)
        flux = np.divide(flux, peak, out=np.zeros_like(flux), where=peak > 0)
    return flux


def tempogram(*, y=None, sr=22050, onset_envelope=None, hop_length=512, win_length=384,
              center=True, window="hann", norm=np.inf):
    """Autocorrelation tempogram, as :func:`librosa.feature.tempogram`.

    .. math:: A[\\tau, t] = \\sum_n w[n]\\, o[t + n]\\; w[n + \\tau]\\, o[t + n + \\tau]

    the autocorrelation (lag τ = 0 .. win_length - 1, in frames) of the onset
    envelope ``o`` seen through a window ``w`` of ``win_length`` frames
    centred on frame t (the envelope is padded with a linear ramp to 0 when
    ``center``), each column normalised by ``norm``. Lag τ is the tempo
    60 · sr / (hop_length · τ) BPM (:func:`tempo_frequencies`).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio, used (through :func:`onset_strength`) when ``onset_envelope`` is None.
    sr : float > 0
        Sampling rate in Hz.
    onset_envelope : np.ndarray [shape=(..., t)] or None
        A precomputed onset envelope; give ``y`` or ``onset_envelope``.
    hop_length : int > 0
        Samples between envelope frames.
    win_length : int > 0
        Autocorrelation window in frames (384 frames = 8.9 s at 22050 Hz / 512).
    center : bool
        Centre the windows on the frames.
    window : str, tuple, float, callable or np.ndarray
        Window specification, see :func:`~listenwidgets.dsp.get_window`.
    norm : np.inf, float > 0 or None
        Column normalisation: max (np.inf), p-norm, or None. Columns with a
        zero norm are left at 0.

    Returns
    -------
    tempogram : np.ndarray [shape=(..., win_length, t)]
        Localised autocorrelation; row τ is lag τ.

    Raises
    ------
    ParameterError
        Both or neither of ``y``/``onset_envelope``; NaN/Inf in the envelope;
        an envelope shorter than ``win_length`` with ``center=False``; bad ``norm``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import tempogram
    >>> envelope = np.zeros(400); envelope[::20] = 1.0        # a pulse every 20 frames
    >>> tg = tempogram(onset_envelope=envelope, win_length=64)
    >>> tg.shape, int(np.argmax(tg[1:, 200])) + 1             # strongest non-zero lag
    ((64, 400), 20)
    """
    win_length = check_int(win_length, "win_length", minimum=1)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    if norm is not None and norm != np.inf:
        norm = check_real(norm, "norm", minimum=0.0, exclusive_minimum=True)
    if (y is None) == (onset_envelope is None):
        raise ParameterError(
            "pass exactly one of y (audio) or onset_envelope; "
            f"got y={short_repr(y)}, onset_envelope={short_repr(onset_envelope)}"
        )
    if onset_envelope is None:
        onset_envelope = onset_strength(y=y, sr=sr, hop_length=hop_length)
    envelope = _check_envelope(onset_envelope)
    n = envelope.shape[-1]
    if center:
        half = win_length // 2
        envelope = np.pad(envelope, [(0, 0)] * (envelope.ndim - 1) + [(half, half)],
                          mode="linear_ramp", end_values=[0, 0])
    elif n < win_length:
        raise ParameterError(
            f"onset_envelope has {n} frames, fewer than win_length={win_length}; "
            "use center=True or a shorter win_length"
        )
    frames = frame(envelope, frame_length=win_length, hop_length=1)[..., :n]
    windowed = frames * get_window(window, win_length, fftbins=True)[:, np.newaxis]
    n_pad = scipy.fft.next_fast_len(2 * win_length - 1, real=True)
    spectrum = scipy.fft.rfft(windowed, n=n_pad, axis=-2)
    autocorrelation = scipy.fft.irfft(spectrum.real**2 + spectrum.imag**2, n=n_pad,
                                      axis=-2)[..., :win_length, :]
    if norm is None:
        return autocorrelation
    magnitude = np.abs(autocorrelation)
    if norm == np.inf:
        length = magnitude.max(axis=-2, keepdims=True)
    else:
        length = np.sum(magnitude**norm, axis=-2, keepdims=True) ** (1.0 / norm)
    tiny = np.finfo(autocorrelation.dtype).tiny
    return np.divide(autocorrelation, length, out=autocorrelation.copy(), where=length >= tiny)


def tempo_frequencies(n_bins, *, hop_length=512, sr=22050):
    """Tempo in BPM of each lag of a tempogram, as :func:`librosa.tempo_frequencies`.

    .. math:: \\mathrm{bpm}[\\tau] = \\frac{60 \\cdot sr}{hop\\_length \\cdot \\tau}, \\quad
              \\mathrm{bpm}[0] = \\infty

    Parameters
    ----------
    n_bins : int > 0
        Number of lags (the tempogram's ``win_length``).
    hop_length : int > 0
        Samples between envelope frames.
    sr : float > 0
        Sampling rate in Hz.

    Returns
    -------
    bpm : np.ndarray [shape=(n_bins,)]
        Decreasing; lag 0 is ``np.inf``.

    Examples
    --------
    >>> from listenwidgets.dsp import tempo_frequencies
    >>> tempo_frequencies(4, hop_length=512, sr=22050).round(1)
    array([   inf, 2584. , 1292. ,  861.3])
    """
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    bpm = np.empty(n_bins)
    bpm[0] = np.inf
    bpm[1:] = 60.0 * sr / (hop_length * np.arange(1.0, n_bins))
    return bpm


def tempo_histogram(*, y=None, sr=22050, onset_envelope=None, hop_length=512, win_length=384,
                    center=True, window="hann", norm=np.inf, bpm_bins=None):
    """Tempo histogram: the autocorrelation tempogram summed over time, indexed by BPM.

    .. math:: H[\\tau] = \\sum_t A[\\tau, t], \\quad \\tau = 1 .. win\\_length - 1

    with ``A`` from :func:`tempogram` (lag 0, infinite tempo, is dropped) and
    lag τ at 60 · sr / (hop_length · τ) BPM. With ``bpm_bins`` (increasing
    bin edges) the lags are summed into those tempo bins instead.

    Parameters
    ----------
    y, sr, onset_envelope, hop_length, win_length, center, window, norm
        As in :func:`tempogram`.
    bpm_bins : np.ndarray [shape=(n_bins + 1,)] or None
        Increasing BPM bin edges; lags outside them are dropped. None keeps
        one bin per lag.

    Returns
    -------
    TempoHistogram
        ``bpm`` (per lag, decreasing; or the bin centres) and ``histogram`` (..., n_bins).

    Raises
    ------
    ParameterError
        As :func:`tempogram`, and ``bpm_bins`` that are not increasing finite
        edges (at least two).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import tempo_histogram
    >>> envelope = np.zeros(2000); envelope[::22] = 1.0    # 22 frames = 117.45 BPM
    >>> result = tempo_histogram(onset_envelope=envelope, bpm_bins=np.arange(60.0, 241.0, 10.0))
    >>> float(result.bpm[np.argmax(result.histogram)])
    115.0
    """
    tg = tempogram(y=y, sr=sr, onset_envelope=onset_envelope, hop_length=hop_length,
                   win_length=win_length, center=center, window=window, norm=norm)
    bpm = tempo_frequencies(tg.shape[-2], hop_length=hop_length, sr=sr)[1:]
    strength = tg[..., 1:, :].sum(axis=-1)
    if bpm_bins is None:
        return TempoHistogram(bpm, strength)
    edges = np.asarray(bpm_bins, dtype=np.float64)
    increasing = edges.ndim == 1 and edges.size >= 2 and (np.diff(edges) > 0).all()
    if not (increasing and np.isfinite(edges).all()):
        raise ParameterError(
            "bpm_bins must be at least two increasing finite bin edges, "
            f"got bpm_bins={short_repr(bpm_bins)}"
        )
    index = np.searchsorted(edges, bpm, side="right") - 1
    index[bpm == edges[-1]] = edges.size - 2
    inside = (index >= 0) & (index < edges.size - 1)
    histogram = np.zeros(strength.shape[:-1] + (edges.size - 1,), dtype=strength.dtype)
    np.add.at(histogram, (..., index[inside]), strength[..., inside])
    return TempoHistogram(0.5 * (edges[:-1] + edges[1:]), histogram)


def tempo(*, y=None, sr=22050, onset_envelope=None, tg=None, hop_length=512, start_bpm=120.0,
          std_bpm=1.0, ac_size=8.0, max_tempo=320.0, aggregate=np.mean, prior=None):
    """Tempo (BPM): the tempogram's peak under a prior, as :func:`librosa.feature.tempo`.

    .. math:: \\hat\\tau = \\arg\\max_{\\tau \\ge 1} \\left[\\ln(1 + 10^6\\, \\bar A[\\tau])
              - \\tfrac{1}{2}\\left(\\frac{\\log_2 \\mathrm{bpm}[\\tau]
              - \\log_2 \\mathrm{start\\_bpm}}{\\mathrm{std\\_bpm}}\\right)^2\\right]

    with ``Ā`` the tempogram over ``ac_size`` seconds aggregated over time
    (or each frame, when ``aggregate`` is None) and lags above ``max_tempo``
    excluded. The log-normal prior around ``start_bpm`` resolves the octave
    ambiguity of the autocorrelation (a pulse at T also peaks at 2T, 3T ...).

    Parameters
    ----------
    y, sr, onset_envelope, hop_length
        As in :func:`tempogram`.
    tg : np.ndarray [shape=(..., win_length, t)] or None
        A precomputed tempogram; its ``win_length`` replaces ``ac_size``.
    start_bpm : float > 0
        Centre of the prior.
    std_bpm : float > 0
        Width of the prior in octaves.
    ac_size : float > 0
        Autocorrelation window in seconds.
    max_tempo : float > 0 or None
        Highest tempo considered.
    aggregate : callable or None
        Combines the frames, called as ``aggregate(tg, axis=-1, keepdims=True)``;
        None estimates one tempo per frame.
    prior : object with a ``logpdf`` method (e.g. a ``scipy.stats`` distribution) or None
        Replaces the log-normal prior.

    Returns
    -------
    tempo : np.ndarray [shape=(..., 1) or (..., t)]
        Tempo in BPM.

    Raises
    ------
    ParameterError
        As :func:`tempogram`; non-positive ``start_bpm``, ``std_bpm`` or ``ac_size``;
        an ``ac_size`` shorter than one frame.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import tempo
    >>> envelope = np.zeros(2000); envelope[::22] = 1.0    # a pulse every 22 frames
    >>> tempo(onset_envelope=envelope, sr=22050, hop_length=512)
    array([117.45383523])
    """
    start_bpm = check_real(start_bpm, "start_bpm", minimum=0.0, exclusive_minimum=True)
    std_bpm = check_real(std_bpm, "std_bpm", minimum=0.0, exclusive_minimum=True)
    max_tempo = check_real(max_tempo, "max_tempo", minimum=0.0, exclusive_minimum=True,
                           allow_none=True)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    if aggregate is not None and not callable(aggregate):
        raise ParameterError(
            f"aggregate must be callable or None, got aggregate={short_repr(aggregate)}")
    if tg is None:
        ac_size = check_real(ac_size, "ac_size", minimum=0.0, exclusive_minimum=True)
        win_length = int(ac_size * sr) // hop_length
        if win_length < 1:
            raise ParameterError(
                f"ac_size={ac_size} s is shorter than one frame "
                f"(hop_length={hop_length}, sr={sr:g})"
            )
        tg = tempogram(y=y, sr=sr, onset_envelope=onset_envelope, hop_length=hop_length,
                       win_length=win_length)
    else:
        tg = np.asarray(tg, dtype=np.float64)
        if tg.ndim < 2 or tg.shape[-2] < 2:
            raise ParameterError(
                f"tg must have shape (..., win_length >= 2, t), got tg.shape={tg.shape}")
        _check_finite_frames(tg.reshape(-1, tg.shape[-1]), name="tg")
    if aggregate is not None:
        tg = aggregate(tg, axis=-1, keepdims=True)
    bpms = tempo_frequencies(tg.shape[-2], hop_length=hop_length, sr=sr)
    with np.errstate(invalid="ignore"):
        if prior is None:
            logprior = -0.5 * ((np.log2(bpms) - np.log2(start_bpm)) / std_bpm) ** 2
        else:
            logprior = np.asarray(prior.logpdf(bpms), dtype=np.float64)
    logprior[0] = -np.inf
    if max_tempo is not None:
        logprior[: int(np.argmax(bpms < max_tempo))] = -np.inf
    best = np.argmax(np.log1p(_TEMPO_COMPRESSION * tg) + logprior[:, np.newaxis], axis=-2)
    return bpms[best]
