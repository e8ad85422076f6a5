"""Chapter 4: acoustic features as curves over time, and the novelty function."""

from __future__ import annotations

import numpy as np
import param

from .. import dsp
from .data import Features, Novelty
from .engine import Input, Node

__all__ = ["SpectralFeatures", "NoveltyCurve", "FEATURES"]

#: Feature name -> (unit, formula) as shown by the views.
FEATURES = {
    "centroid": ("Hz", "SC = Σ f_k |X(k)|^p / Σ |X(k)|^p"),
    "bandwidth": ("Hz", "SS = sqrt(Σ (f_k − SC)² |X(k)|^p / Σ |X(k)|^p)"),
    "rolloff": ("Hz", "f_R: Σ_{f_k ≤ f_R} |X(k)| = roll_percent · Σ |X(k)|"),
    "flatness": ("ratio", "SFM = (Π |X(k)|²)^{1/N} / ((1/N) Σ |X(k)|²)"),
    "band_flatness": ("ratio", "SFM = mean over bands of geometric mean / arithmetic mean of |X(k_b)|²"),
    "flux": ("", "F = Σ_k max(0, L_t(k) − L_{t−1}(k))  (librosa) or sqrt(Σ_k (|X_t| − |X_{t−1}|)²)  (l2)"),
    "zcr": ("ratio", "ZCR = (1/N) Σ_n 1[sign x(n) ≠ sign x(n−1)]"),
    "rms": ("", "RMS = sqrt((1/N) Σ_n x(n)²)"),
    "harmonic_centroid": ("Hz", "HSC = Σ_h f_h A_h / Σ_h A_h"),
    "harmonic_spread": ("Hz", "HSS = sqrt(Σ_h (f_h − HSC)² A_h² / Σ_h A_h²)"),
}


class SpectralFeatures(Node):
    """Per-frame spectral and temporal features of an STFT.

    Each selected feature is one curve over the STFT's frames. ``power``
    chooses the weighting of the centroid and spread: 1 is librosa's
    magnitude weighting, 2 the lecture's power-spectrum weighting.
    """

    kind = "features"
    formula = r"SC = \frac{\sum_k f_k |X(k)|^p}{\sum_k |X(k)|^p}, \quad SS = \sqrt{\frac{\sum_k (f_k - SC)^2 |X(k)|^p}{\sum_k |X(k)|^p}}"

    spectrogram = Input(kinds=("spectrogram",), doc="The STFT whose frames are measured.")
    features = param.ListSelector(
        default=["centroid", "bandwidth", "rolloff", "flatness", "zcr", "rms"],
        objects=list(FEATURES), doc="Which features to compute, each a curve over time.")
    power = param.Selector(
        default=1.0, objects=[1.0, 2.0],
        doc="Weighting exponent p of the centroid and spread: 1 = librosa (magnitude), "
            "2 = the lecture (power spectrum).")
    roll_percent = param.Number(default=0.85, bounds=(0.0, 1.0), inclusive_bounds=(False, False),
                                softbounds=(0.5, 0.99), step=0.01,
                                doc="Fraction of the spectral energy below the roll-off frequency.")
    bands = param.Selector(default="octave", objects=["octave", "linear", "mel"],
                           doc="How the band-wise flatness splits the spectrum.")
    n_bands = param.Integer(default=6, bounds=(1, 64), softbounds=(2, 16),
                            doc="Number of bands of the band-wise flatness.")
    flux_kind = param.Selector(default="librosa", objects=["librosa", "l2"],
                               doc="Spectral flux: librosa's rectified log-mel difference or the L2 "
                                   "norm of the magnitude difference.")
    fmin = param.Number(default=65.0, bounds=(1.0, None), softbounds=(30.0, 500.0),
                        doc="Lowest fundamental searched by the harmonic features, Hz.")
    fmax = param.Number(default=1000.0, bounds=(1.0, None), softbounds=(200.0, 4000.0),
                        doc="Highest fundamental searched by the harmonic features, Hz.")
    n_harmonics = param.Integer(default=10, bounds=(1, 100), softbounds=(2, 30),
                                doc="Harmonics used by the harmonic centroid and spread.")

    def compute(self, spectrogram):
        mag = np.abs(spectrogram.S)
        sr, n_fft, hop = spectrogram.sr, spectrogram.n_fft, spectrogram.hop_length
        common = {"S": mag, "sr": sr, "n_fft": n_fft}
        harmonic = {**common, "fmin": self.fmin, "fmax": self.fmax, "n_harmonics": self.n_harmonics}
        compute = {
            "centroid": lambda: dsp.spectral_centroid(**common, power=self.power),
            "bandwidth": lambda: dsp.spectral_bandwidth(**common, power=self.power),
            "rolloff": lambda: dsp.spectral_rolloff(**common, roll_percent=self.roll_percent),
            "flatness": lambda: dsp.spectral_flatness(S=mag),
            "band_flatness": lambda: dsp.spectral_flatness_bands(
                **common, bands=self.bands, n_bands=self.n_bands).flatness,
            "flux": lambda: dsp.spectral_flux(**common, kind=self.flux_kind),
            "zcr": lambda: dsp.zero_crossing_rate(
                spectrogram.source.y, frame_length=n_fft, hop_length=hop, center=spectrogram.center),
            "rms": lambda: dsp.rms(S=mag, frame_length=n_fft),
            "harmonic_centroid": lambda: dsp.harmonic_spectral_centroid(**harmonic),
            "harmonic_spread": lambda: dsp.harmonic_spectral_spread(**harmonic),
        }
        curves = {}
        for name in self.features:
            curve = np.asarray(compute[name](), dtype=np.float32)
            curves[name] = curve[0] if curve.ndim == 2 and curve.shape[0] == 1 else curve
        units = {name: FEATURES[name][0] for name in curves}
        return Features(curves=curves, units=units, sr=sr, hop_length=hop)

    def describe(self):
        out = self.output
        if out is None or "centroid" not in out.curves:
            return "SC = Σ f_k |X(k)|^p / Σ |X(k)|^p"
        convention = "librosa, magnitude" if self.power == 1.0 else "lecture, power spectrum"
        sc = out.curves["centroid"]
        return (f"SC = Σ f_k |X(k)|^{self.power:g} / Σ |X(k)|^{self.power:g} ({convention}); "
                f"median {np.median(sc):.0f} Hz over {sc.size} frames")


class NoveltyCurve(Node):
    """The novelty (onset strength) function and the tempo histogram it implies.

    ``kind='onset_strength'`` is librosa's mean of the half-wave rectified
    log-mel difference; ``kind='spectral_flux'`` the lecture's log-compressed
    spectral-flux novelty. The tempo histogram sums the autocorrelation
    tempogram over time.
    """

    kind = "novelty"
    formula = r"\Delta(t) = \frac{1}{K}\sum_k \max\bigl(0, L(k, t) - L(k, t - \mathrm{lag})\bigr)"

    source = Input(kinds=("signal",), doc="The signal whose onsets are measured.")
    method = param.Selector(default="onset_strength", objects=["onset_strength", "spectral_flux"],
                            doc="Novelty function: librosa's onset strength or the spectral-flux novelty.")
    hop_length = param.Integer(default=512, bounds=(1, 8192), softbounds=(64, 2048),
                               doc="Samples between frames.")
    n_fft = param.Integer(default=2048, bounds=(16, 65536), softbounds=(256, 8192),
                          doc="FFT length of the underlying spectrogram.")
    lag = param.Integer(default=1, bounds=(1, 64), softbounds=(1, 8),
                        doc="Frames between the two spectra compared (onset_strength).")
    max_size = param.Integer(default=1, bounds=(1, 64), softbounds=(1, 9),
                             doc="Frequency max-filter size that suppresses vibrato (onset_strength).")
    win_length = param.Integer(default=384, bounds=(8, 4096), softbounds=(64, 1024),
                               doc="Frames of onset envelope per tempogram window.")

    def compute(self, source):
        timing = {"sr": source.sr, "hop_length": self.hop_length}
        if self.method == "onset_strength":
            envelope = dsp.onset_strength(y=source.y, n_fft=self.n_fft, lag=self.lag,
                                          max_size=self.max_size, **timing)
        else:
            envelope = dsp.novelty(y=source.y, n_fft=self.n_fft, **timing)
        bpm, histogram = dsp.tempo_histogram(onset_envelope=envelope, win_length=self.win_length,
                                             **timing)
        tempo = float(dsp.tempo(onset_envelope=envelope, **timing).ravel()[0])
        return Novelty(envelope=np.asarray(envelope, np.float32), bpm=np.asarray(bpm),
                       histogram=np.asarray(histogram, np.float32), tempo=tempo, **timing)

    def describe(self):
        out = self.output
        if out is None:
            return "novelty: rectified spectral difference"
        return (f"{out.envelope.size} frames of {self.hop_length} samples "
                f"({1000 * self.hop_length / out.sr:.1f} ms); estimated tempo {out.tempo:.1f} BPM")
