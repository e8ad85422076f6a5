"""The short-time Fourier transform chapter."""

from __future__ import annotations

import param

from .. import dsp
from .data import Signal, Spectrogram
from .engine import Input, Node

__all__ = ["STFT"]


class STFT(Node):
    """Short-time Fourier transform, with the inverse STFT to hear the resynthesis.

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
    resynthesize = param.Boolean(default=True, doc="Also compute the inverse STFT (to listen to it).")

    def compute(self, source):
        S = dsp.stft(source.y, n_fft=self.n_fft, hop_length=self.hop_length,
                     win_length=self.win_length, window=self.window, center=self.center,
                     pad_mode=self.pad_mode)
        win_length = self.win_length or self.n_fft
        hop_length = self.hop_length or win_length // 4
        resynthesis = None
        if self.resynthesize:
            y = dsp.istft(S, hop_length=hop_length, win_length=win_length, n_fft=self.n_fft,
                          window=self.window, center=self.center, length=source.y.size)
            resynthesis = Signal(y=y, sr=source.sr, label="ISTFT resynthesis")
        return Spectrogram(S=S, sr=source.sr, n_fft=self.n_fft, hop_length=hop_length,
                           win_length=win_length, window=self.window, center=self.center,
                           resynthesis=resynthesis, source=source)

    def describe(self):
        out = self.output
        if out is None:
            return "Δf = fs / N, Δt = H / fs"
        return (f"Δf = fs / N = {out.sr:g} / {out.n_fft} = {out.sr / out.n_fft:.2f} Hz; "
                f"Δt = H / fs = {out.hop_length} / {out.sr:g} = {1000 * out.hop_length / out.sr:.1f} ms; "
                f"window {out.win_length} samples ({1000 * out.win_length / out.sr:.1f} ms), "
                f"{out.S.shape[-2]} bins × {out.S.shape[-1]} frames")
