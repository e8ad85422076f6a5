"""Real cepstrum and the cepstral (liftered) spectral envelope (chapter 5).

The log-magnitude spectrum of a voiced frame is the sum of a slowly varying
envelope (the vocal tract) and a fast ripple at the pitch harmonics (the
source). Its inverse FFT, the real cepstrum

.. math:: c(n) = \\mathrm{IFFT}\\big(\\ln |X(k)|\\big), \\qquad n = 0 .. N-1

puts the envelope at low quefrencies ``n`` and the source near the pitch
period. Keeping the low part with the lecture's low-pass lifter and
transforming back gives the envelope:

.. math:: \\ln |\\hat H(k)| = \\mathrm{Re}\\,\\mathrm{FFT}\\big(w_{LP}(n)\\, c(n)\\big)

Logarithms are natural here (``ln``; the cepstrum is in nepers). Magnitudes
below ``amin`` are raised to ``amin`` before the logarithm, so silence and
spectral zeros give a finite (very negative) log rather than ``-inf``.
"""

import functools

import numpy as np
import scipy.fft

from ..errors import ParameterError
from ._checks import check_audio, check_int, check_real

__all__ = ["real_cepstrum", "lifter_lowpass", "cepstral_envelope"]


def _log_magnitude(y, S, n_fft, amin):
    """``(ln max(|X|, amin), n_fft)`` from a frame ``y`` or a magnitude spectrum ``S``."""
    amin = check_real(amin, "amin", minimum=0.0, exclusive_minimum=True)
    if (y is None) == (S is None):
        raise ParameterError("give exactly one of y (time-domain frames) or S (magnitude spectra)")
    if y is not None:
        y = check_audio(y, mono=False)
        length = y.shape[-1]
        n_fft = length if n_fft is None else check_int(n_fft, "n_fft", minimum=1)
        if n_fft < length:
            raise ParameterError(f"n_fft={n_fft} must be at least the frame length={length}")
        magnitude = np.abs(scipy.fft.rfft(y, n=n_fft, axis=-1))
    else:
        S = np.asarray(S)
        if S.ndim == 0 or np.iscomplexobj(S) or not np.issubdtype(S.dtype, np.floating):
            raise ParameterError("S must be a real magnitude spectrum of shape "
                                 f"(..., 1 + n_fft // 2), got S.shape={S.shape}, S.dtype={S.dtype}")
        if not np.isfinite(S).all():
            raise ParameterError("S contains NaN or Inf; clean the spectrum first")
        n_bins = S.shape[-1]
        n_fft = 2 * (n_bins - 1) if n_fft is None else check_int(n_fft, "n_fft", minimum=1)
        if n_fft // 2 + 1 != n_bins or n_fft < 2:
            raise ParameterError(f"n_fft={n_fft} does not match the {n_bins} bins of S "
                                 "(expected 1 + n_fft // 2 bins, n_fft >= 2)")
        magnitude = np.abs(S)
    return np.log(np.maximum(magnitude, amin)), n_fft


def real_cepstrum(y=None, *, S=None, n_fft=None, amin=1e-5):
    """Real cepstrum ``c(n) = IFFT(ln |X(k)|)`` of frames or of magnitude spectra.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Time-domain frame(s), already windowed if wanted; ``X = rfft(y, n_fft)``.
    S : np.ndarray [shape=(..., 1 + n_fft // 2)] or None
        Magnitude spectra ``|X|`` on the rfft grid (give ``y`` or ``S``).
    n_fft : int or None
        FFT length ``N``: at least ``n`` for ``y`` (default ``n``); for ``S``
        default ``2 * (S.shape[-1] - 1)`` (pass it for odd ``N``).
    amin : float > 0
        Floor on ``|X|`` before the logarithm (default 1e-5, i.e. -100 dB,
        the amplitude floor of ``amplitude_to_db``). A silent frame gives
        ``c = [ln amin, 0, 0, ...]``.

    Returns
    -------
    c : np.ndarray [shape=(..., n_fft)]
        Real, even (``c(n) = c(N - n)``); quefrency ``n`` is in samples
        (``n / sr`` seconds).

    Raises
    ------
    ParameterError
        If neither or both of ``y`` and ``S`` are given, the data contain NaN
        or Inf, or ``n_fft`` does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import real_cepstrum
    >>> c = real_cepstrum(np.array([1.0, 0.5]), n_fft=64)  # ln(1 + 0.5 z^-1), even part
    >>> c[1:4].round(4)  # c(n) = (-1)^(n+1) 0.5^n / (2 n), c(0) = 0
    array([ 0.25  , -0.0625,  0.0208])
    """
    log_magnitude, n_fft = _log_magnitude(y, S, n_fft, amin)
    return scipy.fft.irfft(log_magnitude, n=n_fft, axis=-1)


def lifter_lowpass(n_fft, *, n_lifter):
    """The lecture's low-pass lifter ``w_LP`` on quefrencies ``0 .. n_fft - 1``.

    .. math:: w_{LP}(n) = \\begin{cases} 1 & n = 0 \\text{ or } n = N_1 \\\\
                                         2 & 1 \\le n < N_1 \\\\
                                         0 & N_1 < n \\le N - 1 \\end{cases}

    Doubling ``1 .. N_1 - 1`` folds the (equal) negative quefrencies
    ``N - n`` onto the positive ones, so ``Re FFT(w_LP c)`` equals the FFT of
    the symmetrically truncated cepstrum.

    Parameters
    ----------
    n_fft : int >= 2
        Cepstrum length ``N``.
    n_lifter : int in [0, n_fft // 2]
        Cut-off quefrency ``N_1`` in samples: below the pitch period
        (``sr / f0``) to keep the envelope without the harmonics.

    Returns
    -------
    w : np.ndarray [shape=(n_fft,), dtype=float64]
        Read-only (cached).

    Raises
    ------
    ParameterError
        If ``n_lifter > n_fft // 2``.

    Examples
    --------
    >>> from listenwidgets.dsp import lifter_lowpass
    >>> lifter_lowpass(8, n_lifter=3)
    array([1., 2., 2., 1., 0., 0., 0., 0.])
    """
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    n_lifter = check_int(n_lifter, "n_lifter", minimum=0)
    if n_lifter > n_fft // 2:
        raise ParameterError(f"n_lifter={n_lifter} must be at most n_fft // 2 = {n_fft // 2} "
                             f"(n_fft={n_fft})")
    return _lifter_lowpass(n_fft, n_lifter)


@functools.lru_cache(maxsize=64)
def _lifter_lowpass(n_fft, n_lifter):
    w = np.zeros(n_fft)
    w[1:n_lifter] = 2.0
    w[0] = 1.0
    w[n_lifter] = 1.0
    w.flags.writeable = False
    return w


def cepstral_envelope(y=None, *, S=None, n_fft=None, n_lifter, amin=1e-5):
    """Spectral envelope by cepstral smoothing: ``exp(Re FFT(w_LP · c))``.

    .. math:: |\\hat H(k)| = \\exp\\Big(\\mathrm{Re} \\sum_{n=0}^{N-1} w_{LP}(n)\\, c(n)\\,
              e^{-j 2 \\pi k n / N}\\Big)

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Time-domain frame(s), already windowed if wanted.
    S : np.ndarray [shape=(..., 1 + n_fft // 2)] or None
        Magnitude spectra ``|X|`` (give ``y`` or ``S``).
    n_fft : int or None
        FFT length, as in :func:`real_cepstrum`.
    n_lifter : int in [0, n_fft // 2]
        Lifter cut-off ``N_1`` (see :func:`lifter_lowpass`); more keeps more
        detail, fewer smooths more.
    amin : float > 0
        Floor on ``|X|`` before the logarithm.

    Returns
    -------
    envelope : np.ndarray [shape=(..., 1 + n_fft // 2)]
        **Linear magnitude**, in the units of ``|X|`` (the same scale as
        ``np.abs(rfft(y, n_fft))``). ``np.log(envelope)`` is the smoothed
        natural-log magnitude (nepers); ``20 * np.log10(envelope)`` is dB, the
        scale of ``amplitude_to_db(|X|, ref=1.0)``. It is a local geometric
        mean of ``|X|``, so it passes below the harmonic peaks of a voiced frame.

    Examples
    --------
    >>> import numpy as np, scipy.signal
    >>> from listenwidgets.dsp import cepstral_envelope
    >>> h = scipy.signal.lfilter([1.0], [1.0, -0.9], np.r_[1.0, np.zeros(511)])
    >>> env = cepstral_envelope(h, n_lifter=100)
    >>> round(float(env[0]), 1), round(float(env[-1]), 3)  # 1/|1 - 0.9 z^-1|: 10 and 1/1.9
    (10.0, 0.526)
    """
    log_magnitude, n_fft = _log_magnitude(y, S, n_fft, amin)
    w = lifter_lowpass(n_fft, n_lifter=n_lifter)
    cepstrum = scipy.fft.irfft(log_magnitude, n=n_fft, axis=-1)
    smoothed = scipy.fft.rfft(cepstrum * w, axis=-1).real
    return np.exp(smoothed)
