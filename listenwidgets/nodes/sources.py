"""Where sound comes from: a signal generator and an audio source (file, bytes, demo clip)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import param

from .. import dsp
from ..data import DEFAULT_DEMO, demo_names, demo_path
from ..errors import ParameterError
from .data import Signal
from .engine import Node

__all__ = ["SignalGenerator", "AudioSource"]

PERIODIC = ("sine", "square", "sawtooth", "triangle")


class SignalGenerator(Node):
    """Synthesise a test signal: sinusoid, Fourier-series waveforms, chirp, noise, pulses.

    ``x(n) = A cos(2π f n / sr + φ)`` for the sine; square, sawtooth and
    triangle are either ideal or the sum of their first ``n_harmonics``
    Fourier-series terms (Gibbs ripple visible and audible).
    """

    kind = "signal"
    formula = r"x(n) = A \cos(2\pi f n / f_s + \varphi)"

    waveform = param.Selector(
        default="sine", objects=list(dsp.WAVEFORMS),
        doc="Which signal to make: a sinusoid, a Fourier-series waveform, a chirp, noise or a pulse train.")
    frequency = param.Number(
        default=440.0, bounds=(0.0, None), inclusive_bounds=(False, True), softbounds=(20.0, 5000.0),
        step=1.0, doc="Fundamental frequency f in Hz (the start frequency of a chirp).")
    fmax = param.Number(
        default=4000.0, bounds=(0.0, None), inclusive_bounds=(False, True), softbounds=(20.0, 11025.0),
        step=1.0, doc="End frequency of a chirp in Hz.")
    amplitude = param.Number(
        default=0.5, bounds=(0.0, 1.0), step=0.01, doc="Peak amplitude A (1.0 = full scale).")
    phi = param.Number(
        default=0.0, bounds=(-math.pi, math.pi), step=0.01, doc="Phase offset φ in radians.")
    n_harmonics = param.Integer(
        default=0, bounds=(0, 1000), softbounds=(0, 50),
        doc="Number of Fourier-series harmonics for square, sawtooth and triangle, and of the "
            "harmonic series; 0 gives the ideal waveform.")
    sr = param.Integer(
        default=22050, bounds=(100, 384000), softbounds=(1000, 96000),
        doc="Sampling rate fs in Hz of the generated signal.")
    duration = param.Number(
        default=1.0, bounds=(0.0, 600.0), inclusive_bounds=(False, True), softbounds=(0.01, 10.0),
        step=0.01, doc="Length in seconds.")
    seed = param.Integer(default=0, bounds=(0, None), softbounds=(0, 100),
                         doc="Random seed of the noise generators (same seed, same noise).")

    def compute(self):
        kind = self.waveform
        timing = {"sr": self.sr, "duration": self.duration}
        if kind in ("white_noise", "pink_noise"):
            y = dsp.waveform(kind, amplitude=self.amplitude, seed=self.seed, **timing)
        elif kind == "chirp":
            y = self.amplitude * dsp.waveform(kind, fmin=self.frequency, fmax=self.fmax, **timing)
        elif kind == "harmonics":
            count = max(self.n_harmonics, 1)
            amplitudes = self.amplitude / np.arange(1, count + 1)
            y = dsp.waveform(kind, frequency=self.frequency, amplitudes=amplitudes, **timing)
        elif kind in ("impulse_train", "glottal"):
            y = dsp.waveform(kind, frequency=self.frequency, amplitude=self.amplitude, **timing)
        else:
            extra = {} if kind == "sine" else {"n_harmonics": self.n_harmonics or None}
            y = dsp.waveform(kind, frequency=self.frequency, amplitude=self.amplitude,
                             phi=self.phi, **extra, **timing)
        periodic = kind in PERIODIC or kind in ("harmonics", "impulse_train", "glottal")
        return Signal(y=np.asarray(y, dtype=np.float32), sr=float(self.sr), label=self._label(),
                      f0=self.frequency if periodic else None)

    def _label(self):
        if self.waveform in ("white_noise", "pink_noise"):
            return self.waveform.replace("_", " ")
        if self.waveform == "chirp":
            return f"chirp {self.frequency:g}→{self.fmax:g} Hz"
        return f"{self.waveform} {self.frequency:g} Hz"

    def describe(self):
        if self.waveform != "sine":
            return f"{self._label()}, A = {self.amplitude:g}, fs = {self.sr} Hz, {self.duration:g} s"
        return (f"x(n) = A cos(2π f n / fs + φ) = {self.amplitude:g} cos(2π · {self.frequency:g} · n / "
                f"{self.sr} + {self.phi:.2f}); period = fs / f = {self.sr / self.frequency:.2f} samples")


class AudioSource(Node):
    """Load audio: a bundled demo clip, an uploaded file's bytes, or a path on this machine.

    Audio is decoded with :func:`listenwidgets.dsp.io.load`: integer PCM scaled
    to [-1, 1), several channels averaged to mono, resampled to ``sr``.
    Reading from ``path`` is refused when ``sandboxed`` (the served lab).
    """

    kind = "signal"
    formula = r"y(n) \in [-1, 1),\quad n = 0 \ldots N-1,\quad N = \mathrm{duration} \cdot f_s"

    origin = param.Selector(
        default="demo", objects=["demo", "upload", "path"],
        doc="Where the audio comes from: a bundled demo clip, uploaded bytes, or a file path.")
    demo = param.Selector(
        default=DEFAULT_DEMO, objects=list(demo_names()), doc="Which bundled demo clip to load.")
    data = param.Bytes(default=None, allow_None=True, precedence=-1,
                       doc="The bytes of an uploaded audio file (WAV, FLAC or OGG).")
    filename = param.String(default="", doc="Name of the uploaded file (shown in labels).")
    path = param.String(default="", doc="Path of an audio file on this machine.")
    sr = param.Integer(
        default=22050, bounds=(0, 384000), softbounds=(0, 48000),
        doc="Sampling rate to resample to, in Hz; 0 keeps the file's own rate.")
    offset = param.Number(default=0.0, bounds=(0.0, None), softbounds=(0.0, 60.0),
                          doc="Start reading this many seconds into the file.")
    duration = param.Number(default=None, allow_None=True, bounds=(0.0, None),
                            inclusive_bounds=(False, True), softbounds=(0.1, 60.0),
                            doc="Read at most this many seconds (None: to the end).")
    max_duration = param.Number(
        default=600.0, bounds=(1.0, None), softbounds=(10.0, 3600.0),
        doc="Refuse files longer than this many seconds unless a duration is given.")
    sandboxed = param.Boolean(default=False, constant=True, precedence=-1,
                              doc="When True (the served lab), reading a server path is refused.")

    def compute(self):
        source, label = self._source()
        y, sr = dsp.load(source, sr=self.sr or None, offset=self.offset, duration=self.duration,
                         max_duration=self.max_duration)
        return Signal(y=y, sr=float(sr), label=label)

    def _source(self):
        if self.origin == "demo":
            return demo_path(self.demo), self.demo
        if self.origin == "upload":
            if not self.data:
                raise ParameterError("origin='upload' but nothing was uploaded (data=None)")
            return self.data, self.filename or "upload"
        if self.sandboxed:
            raise ParameterError("origin='path' is disabled here: upload a file instead")
        if not self.path:
            raise ParameterError("origin='path' needs a file path, got path=''")
        return self.path, Path(self.path).name

    def describe(self):
        out = self.output
        if out is None:
            return "no audio loaded"
        return (f"{out.label}: N = {out.y.size} samples at fs = {out.sr:g} Hz "
                f"= {out.duration:.2f} s")
