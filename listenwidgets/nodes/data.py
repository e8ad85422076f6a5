"""The values that flow between nodes: small frozen records of arrays and metadata.

Metadata (``sr``, hop length, ...) travels with the data, so a downstream node
never asks the user to type it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

__all__ = ["Signal", "Spectrum", "Spectrogram", "Sampling", "Timings"]


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
    """

    y: np.ndarray
    sr: float
    label: str = ""

    @property
    def duration(self) -> float:
        """Length in seconds, ``n / sr``."""
        return self.y.shape[-1] / self.sr

    @property
    def times(self) -> np.ndarray:
        """Sample times ``n / sr`` in seconds."""
        return np.arange(self.y.shape[-1]) / self.sr


@dataclass(frozen=True, eq=False)
class Spectrum(_Record):
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
    resynthesis : Signal or None
        The inverse STFT, when the node computed it.
    """

    S: np.ndarray
    sr: float
    n_fft: int
    hop_length: int
    win_length: int
    window: str
    center: bool
    resynthesis: Signal | None = field(default=None)

    @property
    def nbytes(self) -> int:
        extra = self.resynthesis.nbytes if self.resynthesis is not None else 0
        return self.S.nbytes + extra

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
