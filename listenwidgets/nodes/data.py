"""The values that flow between nodes: small frozen records of arrays and metadata.

Metadata (``sr``, hop length, ...) travels with the data, so a downstream node
never asks the user to type it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

__all__ = [
    "Signal", "FrameSpectrum", "Spectrogram", "Sampling", "Timings", "Features", "Novelty",
    "Envelopes", "MelSpectrum", "Cepstra", "ConstantQ", "Chromagram",
]


class _Record:
    """Shared helpers: total array bytes (for the LRU budget)."""

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self)
                   if isinstance(getattr(self, f.name), np.ndarray))


@dataclass(frozen=True, eq=False)
class Signal(_Record):
    """A mono audio signal.

    Attributes
    ----------
    y : np.ndarray [shape=(n,)]
        Samples, float.
    sr : float
        Sampling rate in Hz.
    label : str
        What it is (shown in views and players).
    f0 : float or None
        The fundamental frequency in Hz when the signal is known to be periodic
        (set by the generator; used for the alias readout).
    """

    y: np.ndarray
    sr: float
    label: str = ""
    f0: float | None = None

    @property
    def duration(self) -> float:
        """Length in seconds, ``n / sr``."""
        return self.y.shape[-1] / self.sr

    @property
    def times(self) -> np.ndarray:
        """Sample times ``n / sr`` in seconds."""
        return np.arange(self.y.shape[-1]) / self.sr


@dataclass(frozen=True, eq=False)
class FrameSpectrum(_Record):
    """The DFT of one windowed frame.

    Attributes
    ----------
    X : np.ndarray [shape=(1 + n_fft // 2,)], complex
        The one-sided DFT.
    sr : float
        Sampling rate of the analysed signal.
    n_fft : int
        DFT length (window length times the zero-padding factor).
    win_length : int
        Window length in samples.
    window : np.ndarray [shape=(win_length,)]
        The window applied to the frame.
    frame : np.ndarray [shape=(win_length,)]
        The frame before windowing.
    start : int
        Index of the frame's first sample in the signal.
    """

    X: np.ndarray
    sr: float
    n_fft: int
    win_length: int
    window: np.ndarray
    frame: np.ndarray
    start: int

    @property
    def frequencies(self) -> np.ndarray:
        """Bin centre frequencies ``k · sr / n_fft`` in Hz."""
        return np.arange(self.X.shape[-1]) * self.sr / self.n_fft

    @property
    def magnitude(self) -> np.ndarray:
        """``|X(k)| = sqrt(X_R² + X_I²)``."""
        return np.abs(self.X)

    @property
    def phase(self) -> np.ndarray:
        """``φ(k) = atan2(X_I, X_R)`` in radians."""
        return np.angle(self.X)


@dataclass(frozen=True, eq=False)
class Spectrogram(_Record):
    """A short-time Fourier transform with the settings that made it.

    Attributes
    ----------
    S : np.ndarray [shape=(1 + n_fft // 2, n_frames)], complex
        The STFT.
    sr, n_fft, hop_length, win_length, window, center
        The analysis settings (see :func:`listenwidgets.dsp.stft`).
    source : Signal or None
        The analysed signal (features such as the zero-crossing rate need it).
    """

    S: np.ndarray
    sr: float
    n_fft: int
    hop_length: int
    win_length: int
    window: str
    center: bool
    source: Signal | None = field(default=None)

    @property
    def nbytes(self) -> int:
        return self.S.nbytes

    @property
    def frequencies(self) -> np.ndarray:
        """Bin centre frequencies in Hz."""
        return np.arange(self.S.shape[-2]) * self.sr / self.n_fft

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds (frame centres when ``center`` is True)."""
        offset = 0 if self.center else self.n_fft // 2
        return (np.arange(self.S.shape[-1]) * self.hop_length + offset) / self.sr


@dataclass(frozen=True, eq=False)
class Sampling(_Record):
    """The sampling demonstration: a dense reference, its samples and their reconstruction.

    Attributes
    ----------
    analog : Signal
        The dense "analog" reference.
    sampled : Signal
        The samples taken at ``sampled.sr`` (the sampling rate fs).
    reconstruction : Signal
        The reconstruction of ``sampled`` back on the dense grid.
    frequency : float or None
        The input frequency when known (from a tone generator).
    alias : float or None
        The folded frequency ``|f − k·fs|`` in ``[0, fs/2]``.
    """

    analog: Signal
    sampled: Signal
    reconstruction: Signal
    frequency: float | None = None
    alias: float | None = None

    @property
    def nbytes(self) -> int:
        return self.analog.nbytes + self.sampled.nbytes + self.reconstruction.nbytes


@dataclass(frozen=True, eq=False)
class Timings(_Record):
    """Median run times of several methods over problem sizes.

    Attributes
    ----------
    sizes : np.ndarray [shape=(n_sizes,)]
        The problem sizes N.
    seconds : dict[str, np.ndarray]
        Per method, the median seconds at each size (NaN where skipped because
        an earlier size exceeded the time budget).
    """

    sizes: np.ndarray
    seconds: dict

    @property
    def nbytes(self) -> int:
        return self.sizes.nbytes + sum(v.nbytes for v in self.seconds.values())


def _frame_times(n_frames, *, sr, hop_length):
    return np.arange(n_frames) * hop_length / sr


@dataclass(frozen=True, eq=False)
class Features(_Record):
    """Feature curves over time, one value per frame.

    Attributes
    ----------
    curves : dict[str, np.ndarray]
        Per feature name, an array of shape (n_frames,) (or (n_bands, n_frames)
        for band-wise features).
    units : dict[str, str]
        Per feature name, its unit ("Hz", "ratio", ...).
    sr, hop_length : float, int
        For the time axis.
    """

    curves: dict
    units: dict
    sr: float
    hop_length: int

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.curves.values())

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds."""
        n = next(iter(self.curves.values())).shape[-1] if self.curves else 0
        return _frame_times(n, sr=self.sr, hop_length=self.hop_length)


@dataclass(frozen=True, eq=False)
class Novelty(_Record):
    """A novelty (onset strength) curve and the tempo it implies.

    Attributes
    ----------
    envelope : np.ndarray [shape=(n_frames,)]
        The novelty function.
    bpm : np.ndarray [shape=(n_bins,)]
        Tempo axis of the histogram in beats per minute.
    histogram : np.ndarray [shape=(n_bins,)]
        The tempo histogram (autocorrelation tempogram summed over time).
    tempo : float
        The estimated tempo in BPM.
    sr, hop_length : float, int
        For the time axis.
    """

    envelope: np.ndarray
    bpm: np.ndarray
    histogram: np.ndarray
    tempo: float
    sr: float
    hop_length: int

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds."""
        return _frame_times(self.envelope.shape[-1], sr=self.sr, hop_length=self.hop_length)


@dataclass(frozen=True, eq=False)
class Envelopes(_Record):
    """Every frame's spectrum with its spectral envelopes by three methods.

    Attributes
    ----------
    frequencies : np.ndarray [shape=(n_bins,)]
        Bin frequencies in Hz.
    magnitude : np.ndarray [shape=(n_bins, n_frames)]
        ``|X(k, t)|`` of the windowed frames.
    envelopes : dict[str, np.ndarray [shape=(n_bins, n_frames)]]
        Per method ("lpc", "cepstrum", "vocoder"), the linear-magnitude envelope.
    sr, n_fft, hop_length, window
        The analysis settings (the resynthesis uses the same).
    length : int
        Length in samples of the analysed signal.
    """

    frequencies: np.ndarray
    magnitude: np.ndarray
    envelopes: dict
    sr: float
    n_fft: int
    hop_length: int
    window: str
    length: int

    @property
    def nbytes(self) -> int:
        return self.magnitude.nbytes + sum(v.nbytes for v in self.envelopes.values())

    @property
    def times(self) -> np.ndarray:
        """Frame centre times in seconds."""
        return _frame_times(self.magnitude.shape[-1], sr=self.sr, hop_length=self.hop_length)

    def frame_at(self, time: float) -> int:
        """Index of the frame whose centre is nearest ``time`` seconds."""
        index = int(round(time * self.sr / self.hop_length))
        return min(max(index, 0), self.magnitude.shape[-1] - 1)


@dataclass(frozen=True, eq=False)
class MelSpectrum(_Record):
    """A mel spectrogram and the filterbank that made it.

    Attributes
    ----------
    M : np.ndarray [shape=(n_mels, n_frames)]
        Mel-band power (or magnitude, by ``power``).
    filterbank : np.ndarray [shape=(n_mels, 1 + n_fft // 2)]
        The triangular filters.
    mel_frequencies : np.ndarray [shape=(n_mels + 2,)]
        Filter edge/centre frequencies in Hz.
    sr, n_fft, hop_length, win_length, window, center, power, fmin, fmax, htk, norm
        The settings, so that the inversion can use them.
    length : int
        Length in samples of the analysed signal.
    """

    M: np.ndarray
    filterbank: np.ndarray
    mel_frequencies: np.ndarray
    sr: float
    n_fft: int
    hop_length: int
    win_length: int
    window: str
    center: bool
    power: float
    fmin: float
    fmax: float
    htk: bool
    norm: str | None
    length: int

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds."""
        return _frame_times(self.M.shape[-1], sr=self.sr, hop_length=self.hop_length)


@dataclass(frozen=True, eq=False)
class Cepstra(_Record):
    """MFCCs with the DCT basis that made them.

    Attributes
    ----------
    mfcc : np.ndarray [shape=(n_mfcc, n_frames)]
        The coefficients.
    basis : np.ndarray [shape=(n_mfcc, n_mels)]
        The DCT basis vectors (rows).
    log_mel : np.ndarray [shape=(n_mels, n_frames)]
        The log-power mel spectrogram (dB) the DCT was applied to.
    mel : MelSpectrum
        The upstream mel spectrogram (for inversion).
    dct_type, norm, lifter
        The settings.
    """

    mfcc: np.ndarray
    basis: np.ndarray
    log_mel: np.ndarray
    mel: MelSpectrum
    dct_type: int
    norm: str | None
    lifter: float

    @property
    def nbytes(self) -> int:
        return self.mfcc.nbytes + self.basis.nbytes + self.log_mel.nbytes


@dataclass(frozen=True, eq=False)
class ConstantQ(_Record):
    """A constant-Q transform with its frequency axis.

    Attributes
    ----------
    C : np.ndarray [shape=(n_bins, n_frames)], complex
        The CQT.
    frequencies : np.ndarray [shape=(n_bins,)]
        Bin centre frequencies ``f_k = fmin · 2^(k / bins_per_octave)``.
    notes : list of str
        The note name of each bin.
    sr, hop_length, fmin, bins_per_octave, tuning
        The settings.
    """

    C: np.ndarray
    frequencies: np.ndarray
    notes: list
    sr: float
    hop_length: int
    fmin: float
    bins_per_octave: int
    tuning: float

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds."""
        return _frame_times(self.C.shape[-1], sr=self.sr, hop_length=self.hop_length)


@dataclass(frozen=True, eq=False)
class Chromagram(_Record):
    """Pitch-class energy over time and the tonal centroid.

    Attributes
    ----------
    chroma : np.ndarray [shape=(n_chroma, n_frames)]
        The chromagram.
    tonnetz : np.ndarray [shape=(6, n_frames)]
        The tonal centroid (Harte 2006).
    pitch_classes : list of str
        The names of the chroma rows (C, C♯, ...).
    sr, hop_length : float, int
        For the time axis.
    method : str
        "cqt" or "stft".
    tuning : float
        The tuning deviation used, in fractions of a bin.
    """

    chroma: np.ndarray
    tonnetz: np.ndarray
    pitch_classes: list
    sr: float
    hop_length: int
    method: str
    tuning: float

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds."""
        return _frame_times(self.chroma.shape[-1], sr=self.sr, hop_length=self.hop_length)
