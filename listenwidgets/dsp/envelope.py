"""Chapter 5: the three spectral envelopes of every frame, side by side.

The envelope is the smoothed spectrum: the filter (vocal tract) of the
source-filter model without the source's fine structure. This module runs the
three estimators of the lecture over the same frames so that they can be
overlaid and compared: linear prediction (:mod:`.lpc`), the low-pass liftered
cepstrum (:mod:`.cepstrum`) and the channel vocoder (:mod:`.vocoder`).
"""

from collections import namedtuple

import numpy as np
import scipy.fft

from ._checks import check_audio, check_choice, check_int
from .cepstrum import cepstral_envelope
from .lpc import lpc, lpc_autocorrelation, lpc_envelope, lpc_gain
from .spectrum import fft_frequencies, frame
from .vocoder import vocoder_envelope
from .windows import get_window

__all__ = ["SpectralEnvelopes", "spectral_envelopes", "ENVELOPE_METHODS"]

ENVELOPE_METHODS = ("lpc", "cepstrum", "vocoder")

SpectralEnvelopes = namedtuple("SpectralEnvelopes", ["frequencies", "magnitude", "envelopes"])
SpectralEnvelopes.__doc__ = """Result of :func:`spectral_envelopes`.

frequencies : np.ndarray [shape=(1 + n_fft // 2,)]
    Bin frequencies in Hz.
magnitude : np.ndarray [shape=(1 + n_fft // 2, n_frames)]
    ``|X(k, t)|`` of the windowed frames.
envelopes : dict[str, np.ndarray [shape=(1 + n_fft // 2, n_frames)]]
    Linear-magnitude envelope per method, on the scale of ``magnitude``.
"""


def spectral_envelopes(y, *, sr=22050, n_fft=1024, hop_length=256, window="hann", order=16,
                       lpc_method="burg", n_lifter=30, n_bands=24, scale="mel"):
    """Spectral envelopes of every frame by linear prediction, cepstrum and channel vocoder.

    Frames are centred (``y`` zero-padded by ``n_fft // 2`` on both sides, as
    :func:`~listenwidgets.dsp.stft` with ``center=True``) and windowed.

    - LPC: ``|G / A(e^{jω})|`` with ``A(z) = 1 + Σ_{k=1}^{p} a_k z^{-k}`` fitted
      to each windowed frame (Burg, or autocorrelation + Levinson–Durbin) and
      ``G`` the root energy of the residual.
    - Cepstrum: ``exp(Re FFT(w_LP · IFFT(log |X|)))`` with the lecture's
      low-pass lifter of cut-off ``N1 = n_lifter``.
    - Vocoder: RMS of each of ``n_bands`` band-pass filters, interpolated to
      the bins.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Audio.
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int > 0
        Frame length and FFT size.
    hop_length : int > 0
        Samples between frames.
    window : str, tuple or np.ndarray
        Analysis window (see :func:`~listenwidgets.dsp.get_window`).
    order : int in [1, n_fft)
        LPC order p.
    lpc_method : {'burg', 'autocorrelation'}
        LPC estimator.
    n_lifter : int in [0, n_fft // 2]
        Cepstral lifter cut-off N1.
    n_bands : int > 0
        Number of vocoder bands.
    scale : {'linear', 'log', 'mel'}
        Spacing of the vocoder bands.

    Returns
    -------
    SpectralEnvelopes

    Raises
    ------
    ParameterError
        Bad audio, ``order >= n_fft``, or any argument out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import spectral_envelopes
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> result = spectral_envelopes(y, sr=8000, n_fft=512, hop_length=256)
    >>> sorted(result.envelopes), result.magnitude.shape
    (['cepstrum', 'lpc', 'vocoder'], (257, 17))
    """
    y = check_audio(y)
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    check_choice(lpc_method, "lpc_method", ("burg", "autocorrelation"))
    padded = np.pad(y, n_fft // 2)
    frames = frame(padded, frame_length=n_fft, hop_length=hop_length).T  # (n_frames, n_fft)
    frames = frames * get_window(window, n_fft)
    spectra = np.abs(scipy.fft.rfft(frames, axis=-1))  # (n_frames, n_bins)
    estimate = lpc if lpc_method == "burg" else lpc_autocorrelation
    a = estimate(frames, order=order)
    lpc_env = lpc_envelope(a, n_fft=n_fft, gain=lpc_gain(frames, a))
    envelopes = {
        "lpc": lpc_env.T,
        "cepstrum": cepstral_envelope(S=spectra, n_fft=n_fft, n_lifter=n_lifter).T,
        "vocoder": vocoder_envelope(spectra.T, sr=sr, n_fft=n_fft, n_bands=n_bands, scale=scale),
    }
    return SpectralEnvelopes(fft_frequencies(sr=sr, n_fft=n_fft), spectra.T, envelopes)
