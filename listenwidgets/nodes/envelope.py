"""Chapter 5: the spectral envelope by LPC, cepstrum and channel vocoder, and a source-filter resynthesis."""

from __future__ import annotations

import numpy as np
import param

from .. import dsp
from ..errors import ParameterError
from .data import EnvelopeFrame, Signal
from .engine import Input, Node

__all__ = ["Envelope"]


class Envelope(Node):
    """Three spectral envelopes of one frame, and the envelope heard through a new source.

    All three estimators run on every frame (see
    :func:`listenwidgets.dsp.spectral_envelopes`); the frame at ``time`` is
    shown, and the ``method`` envelope of every frame shapes a pulse train at
    ``f0`` (or noise) to resynthesise the sound: the filter without its source.
    """

    kind = "envelope"
    formula = (r"\hat{x}(n) = \sum_{k=1}^{p} a_k x(n-k), \qquad "
               r"c(n) = \mathrm{IFFT}(\log|X(k)|), \qquad |H(e^{j\omega})| = G / |A(e^{j\omega})|")

    source = Input(kinds=("signal",), doc="The signal (speech works best) whose envelope is estimated.")
    time = param.Number(default=0.5, bounds=(0.0, None), softbounds=(0.0, 10.0), step=0.01,
                        doc="Centre of the displayed frame, in seconds.")
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
    method = param.Selector(default="lpc", objects=list(dsp.ENVELOPE_METHODS),
                            doc="Which envelope shapes the resynthesis.")
    excitation = param.Selector(default="pulse", objects=["pulse", "noise"],
                                doc="The new source: a pulse train (voiced) or noise (whispered).")
    f0 = param.Number(default=110.0, bounds=(1.0, None), softbounds=(50.0, 400.0), step=1.0,
                      doc="Pitch of the pulse-train source in Hz.")

    def compute(self, source):
        if self.time > source.duration:
            raise ParameterError(f"time={self.time:g} s is past the end of the signal "
                                 f"({source.duration:.3f} s)")
        result = dsp.spectral_envelopes(
            source.y, sr=source.sr, n_fft=self.n_fft, hop_length=self.hop_length, window=self.window,
            order=self.order, lpc_method=self.lpc_method, n_lifter=self.n_lifter,
            n_bands=self.n_bands, scale=self.scale)
        index = min(int(round(self.time * source.sr / self.hop_length)), result.magnitude.shape[1] - 1)
        y = dsp.source_filter_synthesis(
            result.envelopes[self.method], sr=source.sr, n_fft=self.n_fft, hop_length=self.hop_length,
            window=self.window, source=self.excitation, f0=self.f0, length=source.y.size)
        return EnvelopeFrame(
            frequencies=result.frequencies,
            spectrum_db=_db(result.magnitude[:, index]),
            envelopes_db={name: _db(env[:, index]) for name, env in result.envelopes.items()},
            time=index * self.hop_length / source.sr,
            resynthesis=Signal(y=y.astype(np.float32), sr=source.sr,
                               label=f"{self.excitation} through the {self.method} envelope"),
        )

    def describe(self):
        sr = self.source.output.sr if self.source is not None and self.source.output else None
        rate = f"{sr:g}" if sr else "fs"
        quefrency = f" = {1000 * self.n_lifter / sr:.2f} ms" if sr else ""
        return (f"LPC: p = {self.order} poles ({self.lpc_method}); cepstrum: lifter N1 = {self.n_lifter} "
                f"samples{quefrency} of quefrency; vocoder: {self.n_bands} {self.scale} bands; "
                f"frame N = {self.n_fft} at fs = {rate} Hz")


def _db(magnitude):
    return (20.0 * np.log10(np.maximum(magnitude, 1e-10))).astype(np.float32)
