"""What is compared: each dsp function and librosa's, on the same inputs with the same parameters.

Every case calls our function and librosa's with the same arguments (float32
audio at :data:`~listenwidgets.bench.signals.SR`, ``n_fft=2048``,
``hop_length=512``, otherwise both libraries' defaults, which are the same).
Spectral features are compared "from a spectrogram": the same precomputed
``|S|`` is passed to both. ``mfcc`` and ``chroma_stft`` likewise start from a
precomputed log-mel / power spectrogram; the two ``waveform_to_…`` rows time
the whole chain from the samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .. import dsp
from .agreement import Tolerance

__all__ = ["Case", "Inputs", "cases", "cqt_edge_frames", "FUNCTIONS", "N_FFT", "HOP_LENGTH",
           "LPC_ORDER"]

N_FFT = 2048
HOP_LENGTH = 512
LPC_ORDER = 16

#: Every benchmarked row, in the order of the table.
FUNCTIONS = (
    "stft", "melspectrogram", "mfcc", "chroma_stft", "chroma_cqt", "cqt",
    "spectral_centroid", "spectral_bandwidth", "spectral_flatness", "spectral_rolloff",
    "zero_crossing_rate", "onset_strength", "lpc", "waveform_to_mfcc", "waveform_to_chroma",
)


@dataclass(frozen=True)
class Case:
    """One row of the benchmark.

    Parameters
    ----------
    name : str
        The row's name (one of :data:`FUNCTIONS`).
    ours, librosa : callable
        ``f(inputs) -> result``: our call and librosa's, with the same arguments.
    tolerance : Tolerance
        How closely our result must match the reference before it is timed.
    target : float
        The ratio ours/librosa the row should reach (reported, never asserted).
    reference : callable or None
        ``f(inputs) -> result`` to check against instead of librosa's timed call.
    note : str
        What the reader should know about the row (shown under the table).
    """

    name: str
    ours: Callable[[Any], Any]
    librosa: Callable[[Any], Any]
    tolerance: Tolerance
    target: float = 0.5
    reference: Callable[[Any], Any] | None = None
    note: str = ""


class Inputs:
    """The signal and the inputs derived from it, each computed once (with librosa) when first used.

    Parameters
    ----------
    y : np.ndarray [shape=(n,), float32]
        The audio.
    sr : int
        Its sampling rate.
    """

    def __init__(self, y, sr):
        import librosa

        self.librosa = librosa
        self.y = y
        self.sr = sr

    @cached_property
    def magnitude(self):
        """``|S|``, shape (1 + n_fft/2, n_frames), float32."""
        return np.abs(self.librosa.stft(self.y, n_fft=N_FFT, hop_length=HOP_LENGTH))

    @cached_property
    def power(self):
        """``|S|**2``, float32."""
        return self.magnitude ** 2

    @cached_property
    def log_mel(self):
        """The log-power (dB) mel spectrogram, 128 bands, float32."""
        mel = self.librosa.feature.melspectrogram(S=self.power, sr=self.sr, n_fft=N_FFT)
        return self.librosa.power_to_db(mel)

    @cached_property
    def frames(self):
        """Every full frame of ``y`` (n_fft samples, hop_length apart), shape (n_frames, n_fft)."""
        view = np.lib.stride_tricks.sliding_window_view(self.y, N_FFT)[::HOP_LENGTH]
        return np.ascontiguousarray(view)


#: C1 in Hz: the lowest CQT bin of both libraries by default.
C1 = 32.703195662574764


def cqt_edge_frames(*, sr, bins_per_octave, fmin=C1, hop_length=HOP_LENGTH):
    """Frames covered by half the longest CQT filter (librosa's Q for ``bins_per_octave``).

    Near the ends of the signal, librosa's padding and resampler (soxr) and
    ours (half-band FIR) give different but equally valid values.
    """
    ratio = 2.0 ** (2.0 / bins_per_octave)
    q = (ratio + 1) / (ratio - 1)
    return math.ceil(q * sr / fmin / 2 / hop_length)


def cases(sr):
    """Every benchmark case, in the order of :data:`FUNCTIONS`.

    Parameters
    ----------
    sr : int
        The sampling rate of the signals (for the edge of the CQT checks).

    Returns
    -------
    dict of str to Case
    """
    import librosa

    stft_args = {"n_fft": N_FFT, "hop_length": HOP_LENGTH}
    feature = Tolerance(1e-4, kind="relative")
    chroma = Tolerance(1e-4)
    rows = [
        Case("stft", lambda x: dsp.stft(x.y, **stft_args),
             lambda x: librosa.stft(x.y, **stft_args), Tolerance(1e-5)),
        Case("melspectrogram", lambda x: dsp.melspectrogram(y=x.y, sr=x.sr, **stft_args),
             lambda x: librosa.feature.melspectrogram(y=x.y, sr=x.sr, **stft_args),
             Tolerance(1e-5), note="from the waveform"),
        Case("mfcc", lambda x: dsp.mfcc(S=x.log_mel, sr=x.sr),
             lambda x: librosa.feature.mfcc(S=x.log_mel, sr=x.sr), Tolerance(1e-4),
             note="from a precomputed log-mel spectrogram (DCT and lifter only)"),
        Case("chroma_stft", lambda x: dsp.chroma_stft(S=x.power, sr=x.sr, n_fft=N_FFT),
             lambda x: librosa.feature.chroma_stft(S=x.power, sr=x.sr, n_fft=N_FFT), chroma,
             note="from a precomputed power spectrogram (tuning estimate, filterbank, norm)"),
        Case("chroma_cqt", lambda x: dsp.chroma_cqt(y=x.y, sr=x.sr),
             lambda x: librosa.feature.chroma_cqt(y=x.y, sr=x.sr),
             Tolerance(1e-4, edge=cqt_edge_frames(sr=sr, bins_per_octave=36)),
             note="from the waveform, both libraries' defaults (36 bins per octave, "
                  "tuning estimated)"),
        Case("cqt", lambda x: dsp.cqt(x.y, sr=x.sr), lambda x: librosa.cqt(y=x.y, sr=x.sr),
             Tolerance(1e-3, edge=cqt_edge_frames(sr=sr, bins_per_octave=12)), target=0.7,
             note="both libraries' defaults: librosa resamples with soxr_hq, we with a "
                  "half-band FIR"),
        *(Case(name, _spectral(name, dsp), _spectral(name, librosa.feature), feature,
               note="from the same precomputed |S|")
          for name in ("spectral_centroid", "spectral_bandwidth", "spectral_flatness")),
        Case("spectral_rolloff", _spectral("spectral_rolloff", dsp),
             _spectral("spectral_rolloff", librosa.feature), feature,
             reference=_spectral("spectral_rolloff", librosa.feature, wide=True),
             note="from the same precomputed |S|; both timed on float32 |S|, checked against "
                  "librosa on the float64 |S|: we accumulate the running sum in float64, and "
                  "librosa's float32 sum can put a frame whose threshold lies within rounding "
                  "of a bin boundary one bin (10.8 Hz) higher"),
        Case("zero_crossing_rate", lambda x: dsp.zero_crossing_rate(x.y, frame_length=N_FFT,
                                                                    hop_length=HOP_LENGTH),
             lambda x: librosa.feature.zero_crossing_rate(x.y, frame_length=N_FFT,
                                                          hop_length=HOP_LENGTH), feature),
        Case("onset_strength", lambda x: dsp.onset_strength(y=x.y, sr=x.sr, **stft_args),
             lambda x: librosa.onset.onset_strength(y=x.y, sr=x.sr, **stft_args), feature,
             note="from the waveform"),
        Case("lpc", lambda x: dsp.lpc(x.frames, order=LPC_ORDER),
             lambda x: librosa.lpc(x.frames, order=LPC_ORDER), Tolerance(1e-4),
             reference=lambda x: librosa.lpc(x.frames.astype(np.float64), order=LPC_ORDER),
             note=f"order {LPC_ORDER} on every frame ({N_FFT} samples, hop {HOP_LENGTH}); both "
                  "timed on float32 frames, checked against librosa on float64 frames: librosa's "
                  "float32 Burg recursion differs from its own float64 result by up to 3e-2 on "
                  "these signals (we compute in float64 and return float32)"),
        Case("waveform_to_mfcc", lambda x: dsp.mfcc(y=x.y, sr=x.sr, **stft_args),
             lambda x: librosa.feature.mfcc(y=x.y, sr=x.sr, **stft_args), Tolerance(1e-4),
             target=0.4, note="the whole chain: STFT, mel, dB, DCT"),
        Case("waveform_to_chroma", lambda x: dsp.chroma_stft(y=x.y, sr=x.sr, **stft_args),
             lambda x: librosa.feature.chroma_stft(y=x.y, sr=x.sr, **stft_args), chroma,
             note="the whole chain of chroma_stft: STFT, tuning estimate, filterbank, norm"),
    ]
    return {case.name: case for case in rows}


def _spectral(name, module, *, wide=False):
    """``module.<name>(S=|S|, ...)`` with the arguments both libraries share.

    With ``wide=True`` the spectrogram is passed as float64.
    """
    function = getattr(module, name)

    def call(x):
        S = x.magnitude.astype(np.float64) if wide else x.magnitude
        rate = {} if name == "spectral_flatness" else {"sr": x.sr}
        return function(S=S, n_fft=N_FFT, hop_length=HOP_LENGTH, **rate)
    return call
