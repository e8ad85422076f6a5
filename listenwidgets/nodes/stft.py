"""The short-time Fourier transform chapter."""

from __future__ import annotations

import numpy as np
import param

from .. import dsp
from .data import Signal, Spectrogram
from .engine import Input, Node

__all__ = ["STFT", "ISTFT"]


class STFT(Node):
    """Short-time Fourier transform (see :class:`ISTFT` to hear it resynthesised).

    ``S(k, m) = Σ_n w(n) x(n + m·H) e^{−j2πnk/N}``, ``N = n_fft``,
    ``H = hop_length``; see :func:`listenwidgets.dsp.stft`.
    """

    kind = "spectrogram"
    formula = (r"S(k, m) = \sum_{n=0}^{N-1} w(n)\,x(n + mH)\,e^{-j 2\pi n k / N}, "
               r"\quad \Delta f = f_s / N, \quad \Delta t = H / f_s")

    source = Input(kinds=("signal",), doc="The signal to analyse.")
    n_fft = param.Integer(default=2048, bounds=(2, 65536), softbounds=(64, 8192),
                          doc="FFT length N in samples (frequency resolution fs / N).")
    hop_length = param.Integer(default=None, allow_None=True, bounds=(1, 65536), softbounds=(16, 4096),
                               doc="Samples between frames H (None: win_length // 4).")
    win_length = param.Integer(default=None, allow_None=True, bounds=(1, 65536), softbounds=(64, 8192),
                               doc="Window length in samples, at most n_fft (None: n_fft); "
                                   "shorter windows are zero-padded to n_fft.")
    window = param.Selector(default="hann", objects=list(dsp.WINDOWS),
                            doc="Window applied to each frame.")
    center = param.Boolean(default=True, doc="Pad the signal so frame m is centred at m·H.")
    pad_mode = param.Selector(default="constant", objects=["constant", "reflect", "edge"],
                              doc="How the edges are padded when center is True.")

    def compute(self, source):
        S = dsp.stft(source.y, n_fft=self.n_fft, hop_length=self.hop_length,
                     win_length=self.win_length, window=self.window, center=self.center,
                     pad_mode=self.pad_mode)
        win_length = self.win_length or self.n_fft
        return Spectrogram(S=S, sr=source.sr, n_fft=self.n_fft, hop_length=self.hop_length or win_length // 4,
                           win_length=win_length, window=self.window, center=self.center, source=source)

    def describe(self):
        out = self.output
        if out is None:
            return "Δf = fs / N, Δt = H / fs"
        return (f"Δf = fs / N = {out.sr:g} / {out.n_fft} = {out.sr / out.n_fft:.2f} Hz; "
                f"Δt = H / fs = {out.hop_length} / {out.sr:g} = {1000 * out.hop_length / out.sr:.1f} ms; "
                f"window {out.win_length} samples ({1000 * out.win_length / out.sr:.1f} ms), "
                f"{out.S.shape[-2]} bins × {out.S.shape[-1]} frames")


class ISTFT(Node):
    """Inverse STFT by weighted overlap-add: hear what the spectrogram keeps.

    ``x(n) = Σ_m w(n − mH) y_m(n − mH) / Σ_m w²(n − mH)``, ``y_m`` the inverse
    DFT of frame m; with the STFT's own settings this reconstructs the signal.
    A separate node, so that only a player that is shown pays for it.
    """

    kind = "signal"
    formula = r"x(n) = \frac{\sum_m w(n - mH)\, y_m(n - mH)}{\sum_m w^2(n - mH)}, \quad y_m = \mathrm{IDFT}(S(\cdot, m))"

    spectrogram = Input(kinds=("spectrogram",), doc="The STFT to invert.")

    def compute(self, spectrogram):
        length = spectrogram.source.y.size if spectrogram.source is not None else None
        y = dsp.istft(spectrogram.S, hop_length=spectrogram.hop_length,
                      win_length=spectrogram.win_length, n_fft=spectrogram.n_fft,
                      window=spectrogram.window, center=spectrogram.center, length=length)
        return Signal(y=y, sr=spectrogram.sr, label="ISTFT resynthesis")

    def describe(self):
        out = self.output
        source = self.spectrogram.output.source if self.spectrogram is not None and self.spectrogram.output else None
        if out is None or source is None or source.y.size != out.y.size:
            return "overlap-add of the inverse DFT of every frame"
        error = float(np.max(np.abs(out.y - source.y)))
        return f"overlap-add of {self.spectrogram.output.S.shape[-1]} frames; max |x − x̂| = {error:.1e}"
