"""Chapter 6: the mel spectrogram, MFCCs, and MFCCs turned back into sound."""

from __future__ import annotations

import numpy as np
import param

from .. import dsp
from ..errors import ParameterError
from .data import Cepstra, MelSpectrum, Signal
from .engine import Input, Node

__all__ = ["MelSpectrogram", "MFCC", "MFCCInversion"]


class MelSpectrogram(Node):
    """Power spectrogram through a bank of triangular mel filters.

    ``M(m, t) = Σ_k H_m(k) |S(k, t)|^power``. ``htk=False`` is librosa's
    Slaney mel scale (linear below 1 kHz); ``htk=True`` the lecture's
    ``m = 1127.01048 ln(1 + f/700)``. ``norm='slaney'`` gives each triangle
    height 2/d, d its width in Hz.
    """

    kind = "mel"
    formula = r"m = 1127.01048 \ln(1 + f/700), \qquad M(m, t) = \sum_k H_m(k)\,|S(k, t)|^2"

    spectrogram = Input(kinds=("spectrogram",), doc="The STFT to filter.")
    n_mels = param.Integer(default=128, bounds=(1, 1024), softbounds=(8, 256), doc="Number of mel bands.")
    fmin = param.Number(default=0.0, bounds=(0.0, None), softbounds=(0.0, 1000.0),
                        doc="Lowest filter edge in Hz.")
    fmax = param.Number(default=None, allow_None=True, bounds=(0.0, None), softbounds=(1000.0, 11025.0),
                        doc="Highest filter edge in Hz (None: sr / 2).")
    htk = param.Boolean(default=False, doc="Mel scale: False = Slaney (librosa's default), "
                                           "True = HTK (the lecture's formula).")
    norm = param.Selector(default="slaney", objects=["slaney", None],
                          doc="Filter normalisation: 'slaney' makes each triangle's area equal "
                              "(height 2/d); None gives height 1.")
    power = param.Selector(default=2.0, objects=[1.0, 2.0], doc="Exponent of |S|: 2 power, 1 magnitude.")

    def compute(self, spectrogram):
        if self.fmax is not None and self.fmax > spectrogram.sr / 2:
            raise ParameterError(f"fmax={self.fmax:g} Hz is above the Nyquist frequency sr/2 = "
                                 f"{spectrogram.sr / 2:g} Hz")
        fmax = spectrogram.sr / 2 if self.fmax is None else self.fmax
        settings = {"sr": spectrogram.sr, "n_fft": spectrogram.n_fft, "n_mels": self.n_mels,
                    "fmin": self.fmin, "fmax": fmax, "htk": self.htk, "norm": self.norm}
        M = dsp.melspectrogram(S=np.abs(spectrogram.S) ** self.power, **settings)
        source = spectrogram.source
        return MelSpectrum(
            M=M, filterbank=dsp.mel(**settings),
            mel_frequencies=dsp.mel_frequencies(self.n_mels + 2, fmin=self.fmin, fmax=fmax, htk=self.htk),
            sr=spectrogram.sr, n_fft=spectrogram.n_fft, hop_length=spectrogram.hop_length,
            win_length=spectrogram.win_length, window=spectrogram.window, center=spectrogram.center,
            power=self.power, fmin=self.fmin, fmax=fmax, htk=self.htk, norm=self.norm,
            length=source.y.size if source is not None else 0)

    def scale_difference(self):
        """How far the filter centres move when the other mel scale is chosen.

        Returns
        -------
        (band, here, other) : (int, float, float) or None
            The filter whose centre moves most, its centre in Hz on the
            current scale and on the other one (``None`` while the node has
            no output). ``abs(other - here)`` is the largest shift in Hz.
        """
        out = self.output
        if out is None:
            return None
        here = out.mel_frequencies[1:-1]
        other = dsp.mel_frequencies(out.mel_frequencies.size, fmin=out.fmin, fmax=out.fmax,
                                    htk=not out.htk)[1:-1]
        band = int(np.argmax(np.abs(other - here)))
        return band, float(here[band]), float(other[band])

    def describe(self):
        out = self.output
        if out is None:
            return "m = 1127.01048 ln(1 + f/700)"
        other = dsp.hz_to_mel(1000.0, htk=not self.htk)
        here = dsp.hz_to_mel(1000.0, htk=self.htk)
        scale = "HTK (lecture)" if self.htk else "Slaney (librosa)"
        band, centre, moved = self.scale_difference()
        return (f"{self.n_mels} triangular filters from {out.fmin:g} to {out.fmax:g} Hz on the {scale} "
                f"mel scale; 1000 Hz = {float(here):.2f} mel here vs {float(other):.2f} mel on the other "
                f"scale; max |Δ centre| between the scales = {abs(moved - centre):.1f} Hz (filter {band}: "
                f"{centre:.1f} Hz here, {moved:.1f} Hz on the other); M shape {out.M.shape[0]} × "
                f"{out.M.shape[1]}")


class MFCC(Node):
    """Mel-frequency cepstral coefficients: the DCT of the log mel spectrum.

    ``c(n, t) = Σ_m log M(m, t) · cos(π n (m + ½) / n_mels)`` (DCT-II,
    orthonormal by default), the first ``n_mfcc`` kept, optionally liftered.
    """

    kind = "mfcc"
    formula = r"c(n) = \sum_{m=0}^{M-1} \log S_{mel}(m)\,\cos\!\left(\frac{\pi n (m + 1/2)}{M}\right)"

    mel = Input(kinds=("mel",), doc="The mel spectrogram to transform.")
    n_mfcc = param.Integer(default=20, bounds=(1, 1024), softbounds=(2, 40),
                           doc="Number of coefficients kept.")
    dct_type = param.Selector(default=2, objects=[1, 2, 3], doc="DCT type (2 is the usual MFCC).")
    norm = param.Selector(default="ortho", objects=["ortho", None], doc="DCT normalisation.")
    lifter = param.Number(default=0.0, bounds=(0.0, None), softbounds=(0.0, 60.0),
                          doc="Cepstral lifter 1 + (L/2) sin(π (n+1) / L); 0 disables it.")

    def compute(self, mel):
        if self.n_mfcc > mel.M.shape[0]:
            raise ParameterError(f"n_mfcc={self.n_mfcc} cannot exceed n_mels={mel.M.shape[0]}")
        log_mel = dsp.power_to_db(mel.M)
        coefficients = dsp.mfcc(S=log_mel, n_mfcc=self.n_mfcc, dct_type=self.dct_type,
                                norm=self.norm, lifter=self.lifter)
        basis = dsp.dct_basis(n_mfcc=self.n_mfcc, n_mels=mel.M.shape[0], dct_type=self.dct_type,
                              norm=self.norm)
        return Cepstra(mfcc=coefficients, basis=basis, log_mel=log_mel, mel=mel,
                       dct_type=self.dct_type, norm=self.norm, lifter=self.lifter)

    def describe(self):
        out = self.output
        if out is None:
            return "MFCC = DCT(log mel)"
        return (f"DCT-{'I' * self.dct_type if self.dct_type < 3 else 'III'} ({self.norm or 'unnormalised'}) "
                f"of {out.log_mel.shape[0]} log-mel bands, first {self.n_mfcc} kept "
                f"({100 * self.n_mfcc / out.log_mel.shape[0]:.0f}% of the coefficients)")


class MFCCInversion(Node):
    """Turn MFCCs back into sound: inverse DCT → mel power → STFT magnitude → Griffin–Lim.

    What survives is what the coefficients keep: the envelope, not the pitch.
    """

    kind = "signal"
    formula = r"\hat{y} = \mathrm{GriffinLim}\bigl(\mathrm{NNLS}(H, \exp(\mathrm{IDCT}(c)))\bigr)"
    cache_size = 2

    mfcc = Input(kinds=("mfcc",), doc="The MFCCs to invert.")
    n_iter = param.Integer(default=32, bounds=(1, 1000), softbounds=(4, 100),
                           doc="Griffin–Lim iterations.")

    def compute(self, mfcc):
        mel = mfcc.mel
        y = dsp.mfcc_to_audio(
            mfcc.mfcc, n_mels=mel.M.shape[0], dct_type=mfcc.dct_type, norm=mfcc.norm,
            lifter=mfcc.lifter, sr=mel.sr, n_fft=mel.n_fft, hop_length=mel.hop_length,
            win_length=mel.win_length, window=mel.window, center=mel.center, power=mel.power,
            n_iter=self.n_iter, length=mel.length or None, fmin=mel.fmin, fmax=mel.fmax,
            htk=mel.htk, mel_norm=mel.norm)
        return Signal(y=np.asarray(y, np.float32), sr=mel.sr, label="MFCC inversion")

    def describe(self):
        return f"inverse DCT, non-negative least squares to the STFT bins, {self.n_iter} Griffin–Lim iterations"
