"""Chapter 7: constant-Q transform, its kernel, chroma, tonal centroid, pitch helix, Shepard tones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import param

from .. import dsp
from .data import Chromagram, ConstantQ, Signal, _frame_times, _Record
from .engine import Input, Node

__all__ = ["CQT", "SpectralKernel", "Chroma", "PitchHelix", "HelixPoints", "ShepardTones",
           "PITCH_CLASSES"]

PITCH_CLASSES = ["C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"]


class CQT(Node):
    """Constant-Q transform: geometrically spaced bins with a constant Q = f_k / Δf_k.

    ``f_k = fmin · 2^{k/B}``, window length ``N(k) = sr · Q / f_k``; computed
    with the Brown–Puckette sparse spectral kernel (see :func:`listenwidgets.dsp.cqt`).
    """

    kind = "cqt"
    formula = (r"f_k = f_{min}\,2^{k/B}, \quad Q = \frac{1}{2^{1/B} - 1}, \quad N(k) = \frac{f_s Q}{f_k}, "
               r"\quad X_{cq}(k) = \frac{1}{N(k)} \sum_n x(n)\,w(n, k)\,e^{-j 2\pi Q n / N(k)}")

    source = Input(kinds=("signal",), doc="The signal to analyse.")
    fmin = param.Number(default=32.703195662574764, bounds=(1.0, None), softbounds=(20.0, 500.0),
                        doc="Frequency of the lowest bin in Hz (C1 = 32.70 Hz).")
    n_bins = param.Integer(default=84, bounds=(1, 1024), softbounds=(12, 120), doc="Number of bins.")
    bins_per_octave = param.Integer(default=12, bounds=(1, 120), softbounds=(12, 48),
                                    doc="Bins per octave B (12 = semitones).")
    hop_length = param.Integer(default=512, bounds=(1, 16384), softbounds=(128, 2048),
                               doc="Samples between frames.")
    tuning = param.Number(default=0.0, allow_None=True, bounds=(-0.5, 0.5),
                          doc="Tuning offset in fractions of a bin (None: estimate it from the audio).")
    filter_scale = param.Number(default=1.0, bounds=(0.01, None), inclusive_bounds=(True, True),
                                softbounds=(0.25, 2.0), doc="Multiplies Q: longer or shorter filters.")

    def compute(self, source):
        tuning = self.tuning
        if tuning is None:
            tuning = float(dsp.estimate_tuning(y=source.y, sr=source.sr,
                                               bins_per_octave=self.bins_per_octave))
        C = dsp.cqt(source.y, sr=source.sr, hop_length=self.hop_length, fmin=self.fmin,
                    n_bins=self.n_bins, bins_per_octave=self.bins_per_octave, tuning=tuning,
                    filter_scale=self.filter_scale)
        frequencies = dsp.cqt_frequencies(self.n_bins, fmin=self.fmin,
                                          bins_per_octave=self.bins_per_octave, tuning=tuning)
        notes = list(dsp.note_names(self.n_bins, fmin=self.fmin, bins_per_octave=self.bins_per_octave,
                                    tuning=tuning))
        return ConstantQ(C=C, frequencies=frequencies, notes=notes, sr=source.sr,
                         hop_length=self.hop_length, fmin=self.fmin,
                         bins_per_octave=self.bins_per_octave, tuning=tuning)

    def describe(self):
        out = self.output
        if out is None:
            return "f_k = fmin · 2^(k/B)"
        B = self.bins_per_octave
        Q = self.filter_scale / (2 ** (1 / B) - 1)
        longest = out.sr * Q / out.frequencies[0]
        return (f"f_k = {self.fmin:.2f} · 2^(k/{B}), k = 0…{self.n_bins - 1}: "
                f"{out.frequencies[0]:.1f}–{out.frequencies[-1]:.0f} Hz ({out.notes[0]}–{out.notes[-1]}); "
                f"Q = 1/(2^(1/{B}) − 1) = {Q:.1f}; longest window N(0) = fs·Q/f_0 = {longest:.0f} samples "
                f"({1000 * longest / out.sr:.0f} ms)")


class SpectralKernel(Node):
    """The Brown–Puckette sparse spectral kernel of a CQT: one row per constant-Q bin.

    Row ``k`` is the FFT of the temporal kernel ``w(n, k) e^{j2πQn/N(k)} / N(k)``,
    built by :func:`listenwidgets.dsp.cqt_kernel` at the CQT's sampling rate
    for all its bins at once (Brown & Puckette 1992), with the smallest
    entries, which together hold the fraction ``sparsity`` of the row's mass,
    set to zero. The output is the :class:`listenwidgets.dsp.CQTKernel`
    (``basis``, ``n_fft``, ``frequencies``, ``lengths`` ``N(k)``, ``Q``).
    :func:`listenwidgets.dsp.cqt` applies the top octave of such a kernel once
    per octave, at sampling rates halved octave by octave.
    """

    kind = "cqt_kernel"
    formula = (r"X_{cq}(k) = \frac{1}{N} \sum_{j} X(j)\, K^{*}(j, k), \quad "
               r"K(\cdot, k) = \mathrm{FFT}\Big\{\frac{w(n, k)\, e^{j 2\pi Q n / N(k)}}{N(k)}\Big\}")

    cqt = Input(kinds=("cqt",), doc="The CQT whose kernel to build (its sr, fmin, bins and tuning).")
    filter_scale = param.Number(default=1.0, bounds=(0.01, None), softbounds=(0.25, 2.0),
                                doc="Multiplies Q, as the CQT's own filter_scale (keep them equal).")
    sparsity = param.Number(default=0.01, bounds=(0.0, 0.99), softbounds=(0.0, 0.5),
                            doc="Fraction of each row's L1 mass set to zero (0 keeps the dense kernel).")

    def compute(self, cqt):
        return dsp.cqt_kernel(sr=cqt.sr, fmin=cqt.fmin, n_bins=cqt.C.shape[0],
                              bins_per_octave=cqt.bins_per_octave, tuning=cqt.tuning,
                              filter_scale=self.filter_scale, sparsity=self.sparsity)

    def describe(self):
        out = self.output
        if out is None:
            return "X_cq = K* X / N: one sparse matrix product per FFT frame"
        n_bins, n_columns = out.basis.shape
        return (f"Q = {out.Q:.2f}; N(k) = fs·Q/f_k = {out.lengths[0]:.0f} … {out.lengths[-1]:.0f} "
                f"samples; K is {n_bins} × {n_columns} (n_fft = {out.n_fft}), "
                f"{100 * out.density:.1f} % non-zero with sparsity {self.sparsity:g}")


class Chroma(Node):
    """Pitch-class profile: energy folded into 12 pitch classes, from a CQT or an STFT.

    From a CQT this is librosa's ``chroma_cqt`` (``Chroma(b) = Σ_m |X_cq(b + mB)|``,
    octaves folded); from an STFT, ``chroma_stft`` (a chroma filterbank on the
    power spectrum). The tonal centroid (Harte 2006) comes with it.
    """

    kind = "chroma"
    formula = r"\mathrm{Chroma}(b) = \sum_{m} |X_{cq}(b + mB)|"

    spectrum = Input(kinds=("cqt", "spectrogram"), doc="A CQT (chroma_cqt) or an STFT (chroma_stft).")
    n_chroma = param.Integer(default=12, bounds=(1, 120), softbounds=(12, 36),
                             doc="Number of chroma bins per octave.")
    norm = param.Selector(default="inf", objects=["inf", "1", "2", "none"],
                          doc="Per-frame normalisation of the chroma vector (max, L1, L2 or none).")
    cens = param.Boolean(default=False, doc="Chroma energy normalised statistics (CENS, CQT only): "
                                            "quantised and smoothed, robust to dynamics and timbre.")

    def compute(self, spectrum):
        norm = {"inf": np.inf, "1": 1, "2": 2, "none": None}[self.norm]
        if isinstance(spectrum, ConstantQ):
            C = np.abs(spectrum.C)
            common = {"C": C, "sr": spectrum.sr, "hop_length": spectrum.hop_length,
                      "fmin": spectrum.fmin, "bins_per_octave": spectrum.bins_per_octave,
                      "n_chroma": self.n_chroma, "n_octaves": int(np.ceil(C.shape[0] / spectrum.bins_per_octave))}
            if self.cens:
                chroma = dsp.chroma_cens(**common)
            else:
                chroma = dsp.chroma_cqt(**common, norm=norm)
            method, tuning = "cqt", spectrum.tuning
        else:
            power = np.abs(spectrum.S) ** 2
            tuning = float(dsp.estimate_tuning(S=np.abs(spectrum.S), sr=spectrum.sr, n_fft=spectrum.n_fft))
            chroma = dsp.chroma_stft(S=power, sr=spectrum.sr, n_fft=spectrum.n_fft, norm=norm,
                                     tuning=tuning, n_chroma=self.n_chroma)
            method = "stft"
        tonnetz = dsp.tonnetz(chroma=chroma) if self.n_chroma == 12 else np.zeros((6, chroma.shape[1]))
        names = PITCH_CLASSES if self.n_chroma == 12 else [f"{12 * i / self.n_chroma:.2f}" for i in
                                                           range(self.n_chroma)]
        return Chromagram(chroma=np.asarray(chroma, np.float32), tonnetz=np.asarray(tonnetz, np.float32),
                          pitch_classes=list(names), sr=spectrum.sr, hop_length=spectrum.hop_length,
                          method=method, tuning=float(tuning))

    def describe(self):
        out = self.output
        if out is None:
            return "Chroma(b) = Σ_m |X_cq(b + mB)|"
        strongest = out.pitch_classes[int(np.argmax(out.chroma.mean(axis=1)))]
        return (f"chroma_{out.method}: {self.n_chroma} pitch classes × {out.chroma.shape[1]} frames, "
                f"tuning {100 * out.tuning / max(self.n_chroma // 12, 1):+.0f} cents, "
                f"strongest pitch class overall: {strongest}")


@dataclass(frozen=True, eq=False)
class HelixPoints(_Record):
    """The bins of a CQT on the pitch helix, with their magnitude in every frame.

    Attributes
    ----------
    x, y, z : np.ndarray [shape=(n_bins,)]
        Position of each bin (see :func:`listenwidgets.dsp.pitch_helix`): ``z`` is
        the octave (C4 at 4.0), the angle in the ``x, y`` plane the pitch class
        (C at 12 o'clock, clockwise).
    magnitude : np.ndarray [shape=(n_bins, n_frames), dtype=float32]
        ``|C|``, for the size or colour of each point in any frame.
    notes : list of str
        The note name of each bin.
    sr, hop_length : float, int
        For the time axis.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    magnitude: np.ndarray
    notes: list
    sr: float
    hop_length: int

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds."""
        return _frame_times(self.magnitude.shape[-1], sr=self.sr, hop_length=self.hop_length)


class PitchHelix(Node):
    """Shepard's pitch helix: each CQT bin placed by octave (height) and pitch class (angle).

    ``z_k = log2(f_k / f_C0)``, ``θ_k = π/2 − 2π z_k`` (see
    :func:`listenwidgets.dsp.pitch_helix`): notes an octave apart lie on one
    vertical line. The magnitudes of all frames are kept, so a view can show
    any frame without recomputing.
    """

    kind = "helix"
    formula = (r"z_k = \log_2 \frac{f_k}{f_{C0}}, \quad \theta_k = \frac{\pi}{2} - 2\pi z_k, \quad "
               r"(x_k, y_k) = (\cos\theta_k, \sin\theta_k)")

    cqt = Input(kinds=("cqt",), doc="The CQT whose bins to place on the helix.")

    def compute(self, cqt):
        helix = dsp.pitch_helix(cqt.C, fmin=cqt.fmin, bins_per_octave=cqt.bins_per_octave,
                                tuning=cqt.tuning)
        return HelixPoints(x=helix.x, y=helix.y, z=helix.z,
                           magnitude=np.asarray(helix.magnitude, np.float32),
                           notes=list(cqt.notes), sr=cqt.sr, hop_length=cqt.hop_length)

    def describe(self):
        out = self.output
        if out is None:
            return "z_k = log2(f_k / f_C0), θ_k = π/2 − 2π z_k"
        return (f"{len(out.notes)} bins from {out.notes[0]} (height z = {out.z[0]:.2f}) to "
                f"{out.notes[-1]} (z = {out.z[-1]:.2f}); one turn per octave, C at 12 o'clock")


class ShepardTones(Node):
    """Hear a chromagram: each pitch class a Shepard tone (octave-spaced partials under a bell).

    ``y(t) = Σ_b chroma_b(t) Σ_o w(f_{b,o}) sin(2π f_{b,o} t)``, ``w`` a Gaussian in
    log-frequency centred on ``f_center``.
    """

    kind = "signal"
    formula = r"y(t) = \sum_b \mathrm{chroma}_b(t) \sum_o w(f_{b,o}) \sin(2\pi f_{b,o} t)"

    chroma = Input(kinds=("chroma",), doc="The chromagram to sonify.")
    f_center = param.Number(default=261.6255653005986, bounds=(20.0, 5000.0), softbounds=(100.0, 1000.0),
                            doc="Centre of the bell-shaped spectral envelope, Hz.")
    n_octaves = param.Integer(default=8, bounds=(1, 12), softbounds=(2, 10), doc="Octave partials per tone.")
    sigma = param.Number(default=1.0, bounds=(0.05, 10.0), softbounds=(0.25, 3.0),
                         doc="Width of the bell in octaves.")

    def compute(self, chroma):
        y = dsp.shepard_tone_synthesis(chroma.chroma, sr=chroma.sr, hop_length=chroma.hop_length,
                                       f_center=self.f_center, n_octaves=self.n_octaves, sigma=self.sigma)
        return Signal(y=np.asarray(y, np.float32), sr=chroma.sr, label="Shepard-tone sonification")

    def describe(self):
        return (f"{self.n_octaves} octave partials per pitch class under a bell of σ = {self.sigma:g} "
                f"octaves around {self.f_center:.1f} Hz")
