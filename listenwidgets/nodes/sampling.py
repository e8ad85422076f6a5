"""The sampling chapter: sample a dense reference at fs, see and hear aliasing."""

from __future__ import annotations

import param

from .. import dsp
from .data import Sampling, Signal
from .engine import Input, Node

__all__ = ["Sampler"]


class Sampler(Node):
    """Sample an upstream "analog" signal at a new rate fs and reconstruct it.

    The upstream signal is the dense reference. Sampling picks its values at
    ``t = n / fs`` (band-limited interpolation, so nothing is filtered unless
    ``anti_alias`` is on): a frequency above fs/2 folds to
    ``f_alias = |f − k·fs|`` in [0, fs/2]. The reconstruction brings the samples
    back to the reference's rate by sinc interpolation or zero-order hold.
    """

    kind = "sampling"
    formula = r"f_s > 2 f_{max}, \qquad f_{alias} = |f - k f_s| \in [0, f_s/2]"

    source = Input(kinds=("signal",), doc="The dense reference signal to sample.")
    target_sr = param.Number(
        default=8000.0, bounds=(1.0, 384000.0), softbounds=(500.0, 48000.0), step=10.0,
        doc="Sampling rate fs in Hz at which the reference is sampled.")
    anti_alias = param.Boolean(
        default=False, doc="Low-pass the reference below fs/2 before sampling (anti-aliasing filter).")
    method = param.Selector(
        default="sinc", objects=["sinc", "zoh"],
        doc="Reconstruction: ideal band-limited (sinc) interpolation or zero-order hold.")

    def compute(self, source):
        sampled = dsp.sample(source.y, sr=source.sr, target_sr=self.target_sr,
                             anti_alias=self.anti_alias)
        rebuilt = dsp.reconstruct(sampled, sr=self.target_sr, target_sr=source.sr,
                                  method=self.method)[: source.y.size]
        alias = None
        if source.f0 is not None:
            alias = float(dsp.alias_frequency(source.f0, sr=self.target_sr))
        return Sampling(
            analog=source,
            sampled=Signal(y=sampled, sr=self.target_sr, label=f"sampled at {self.target_sr:g} Hz"),
            reconstruction=Signal(y=rebuilt, sr=source.sr, label=f"{self.method} reconstruction"),
            frequency=source.f0,
            alias=alias,
        )

    def describe(self):
        out = self.output
        fs = self.target_sr
        text = f"Nyquist frequency fs/2 = {fs:g} / 2 = {fs / 2:g} Hz."
        if out is not None and out.frequency is not None:
            f = out.frequency
            verdict = "no aliasing" if f < fs / 2 else "aliased"
            text += (f" f = {f:g} Hz → f_alias = |f − k·fs| = {out.alias:.1f} Hz ({verdict}"
                     f"{', filtered out' if self.anti_alias and f >= fs / 2 else ''}).")
        return text
