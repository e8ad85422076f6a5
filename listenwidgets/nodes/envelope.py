"""Chapter 5: the spectral envelope by LPC, cepstrum and channel vocoder, and a source-filter resynthesis."""

from __future__ import annotations

import numpy as np
import param

from .. import dsp
from .data import Envelopes, Signal
from .engine import Input, Node

__all__ = ["Envelope", "SourceFilter"]


class Envelope(Node):
    """Spectral envelopes of every frame by linear prediction, cepstrum and channel vocoder.

    All three estimators run on the same frames (see
    :func:`listenwidgets.dsp.spectral_envelopes`), so that a view can overlay
    them on any frame's spectrum without recomputing.
    """

    kind = "envelope"
    formula = (r"\hat{x}(n) = \sum_{k=1}^{p} a_k x(n-k), \qquad "
               r"c(n) = \mathrm{IFFT}(\log|X(k)|), \qquad |H(e^{j\omega})| = G / |A(e^{j\omega})|")

    source = Input(kinds=("signal",), doc="The signal (speech works best) whose envelope is estimated.")
    n_fft = param.Integer(default=1024, bounds=(32, 16384), softbounds=(256, 4096),
                          doc="Frame length and FFT size in samples.")
    hop_length = param.Integer(default=256, bounds=(1, 16384), softbounds=(64, 1024),
                               doc="Samples between frames.")
    window = param.Selector(default="hann", objects=list(dsp.WINDOWS), doc="Analysis window.")
    order = param.Integer(default=16, bounds=(1, 512), softbounds=(2, 60),
                          doc="LPC order p: more poles fit the spectrum more closely.")
    lpc_method = param.Selector(default="burg", objects=["burg", "autocorrelation"],
                                doc="LPC estimator: Burg (as librosa) or autocorrelation + Levinson.")
    n_lifter = param.Integer(default=30, bounds=(0, 8192), softbounds=(2, 200),
                             doc="Cepstral lifter cut-off N1: fewer coefficients, a smoother envelope.")
    n_bands = param.Integer(default=24, bounds=(1, 256), softbounds=(4, 64),
                            doc="Number of channel-vocoder bands.")
    scale = param.Selector(default="mel", objects=["linear", "log", "mel"],
                           doc="Spacing of the vocoder bands.")

    def compute(self, source):
        result = dsp.spectral_envelopes(
            source.y, sr=source.sr, n_fft=self.n_fft, hop_length=self.hop_length, window=self.window,
            order=self.order, lpc_method=self.lpc_method, n_lifter=self.n_lifter,
            n_bands=self.n_bands, scale=self.scale)
        return Envelopes(
            frequencies=result.frequencies, magnitude=result.magnitude.astype(np.float32),
            envelopes={k: v.astype(np.float32) for k, v in result.envelopes.items()},
            sr=source.sr, n_fft=self.n_fft, hop_length=self.hop_length, window=self.window,
            length=source.y.size)

    def describe(self):
        sr = self.source.output.sr if self.source is not None and self.source.output else None
        rate = f"{sr:g}" if sr else "fs"
        quefrency = f" = {1000 * self.n_lifter / sr:.2f} ms" if sr else ""
        return (f"LPC: p = {self.order} poles ({self.lpc_method}); cepstrum: lifter N1 = {self.n_lifter} "
                f"samples{quefrency} of quefrency; vocoder: {self.n_bands} {self.scale} bands; "
                f"frame N = {self.n_fft} at fs = {rate} Hz")


class SourceFilter(Node):
    """Hear an envelope: a new source (pulse train or noise) shaped by it, frame by frame.

    ``y = ISTFT(STFT(s) · |Ĥ|)``: the filter without its original source
    (see :func:`listenwidgets.dsp.source_filter_synthesis`).
    """

    kind = "signal"
    formula = r"y = \mathrm{ISTFT}\bigl(\mathrm{STFT}(s)(k, t) \cdot |\hat{H}(k, t)|\bigr)"
    cache_size = 4

    envelope = Input(kinds=("envelope",), doc="The spectral envelopes to excite.")
    method = param.Selector(default="lpc", objects=list(dsp.ENVELOPE_METHODS),
                            doc="Which envelope shapes the resynthesis.")
    excitation = param.Selector(default="pulse", objects=["pulse", "noise"],
                                doc="The new source: a pulse train (voiced) or noise (whispered).")
    f0 = param.Number(default=110.0, bounds=(1.0, None), softbounds=(50.0, 400.0), step=1.0,
                      doc="Pitch of the pulse-train source in Hz.")

    def compute(self, envelope):
        y = dsp.source_filter_synthesis(
            envelope.envelopes[self.method], sr=envelope.sr, n_fft=envelope.n_fft,
            hop_length=envelope.hop_length, window=envelope.window, source=self.excitation,
            f0=self.f0, length=envelope.length)
        return Signal(y=y.astype(np.float32), sr=envelope.sr,
                      label=f"{self.excitation} through the {self.method} envelope")

    def describe(self):
        source = f"a pulse train at f0 = {self.f0:g} Hz" if self.excitation == "pulse" else "white noise"
        return f"{source}, shaped frame by frame by the {self.method} envelope"
