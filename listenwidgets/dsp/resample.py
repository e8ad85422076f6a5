"""Sample-rate conversion and channel mixing.

:func:`resample` changes the sampling rate with a polyphase FIR filter
(:func:`scipy.signal.resample_poly`), exactly as ``librosa.resample(...,
res_type="polyphase")`` does; :func:`to_mono` averages the channels as
``librosa.to_mono`` does.
"""

import math

import numpy as np
import scipy.signal

from ..errors import ParameterError
from ._checks import check_audio, check_real

__all__ = ["resample", "to_mono"]


def check_rate(value, name):
    """Return a sampling rate as a positive ``int`` (a whole number of Hz).

    Parameters
    ----------
    value : int or float
        The rate to check. A float is accepted when it is a whole number
        (``22050.0``).
    name : str
        The parameter name used in error messages (``sr``, ``orig_sr``...).

    Returns
    -------
    rate : int > 0

    Raises
    ------
    ParameterError
        If ``value`` is not a real number, is not > 0 or is not whole.
    """
    rate = check_real(value, name, minimum=0, exclusive_minimum=True)
    if rate != int(rate):
        raise ParameterError(
            f"{name} must be a whole number of Hz (polyphase resampling needs an "
            f"integer ratio), got {name}={value!r}"
        )
    return int(rate)


def resample(y, *, orig_sr, target_sr):
    """Change the sampling rate of ``y`` from ``orig_sr`` to ``target_sr``.

    The method is polyphase filtering (:func:`scipy.signal.resample_poly`):
    with ``g = gcd(orig_sr, target_sr)`` the signal is upsampled by
    ``L = target_sr / g`` (``L - 1`` zeros between samples), low-pass filtered
    by a Kaiser-windowed sinc FIR filter (``beta = 5``, cut-off at the lower of
    the two Nyquist frequencies, gain ``L``) and downsampled by
    ``M = orig_sr / g``. The filter removes what would alias when the rate goes
    down and the spectral images when it goes up; both phases are computed in
    one pass that skips the zero samples. The result equals
    ``librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr,
    res_type="polyphase")``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real floating point
        Audio time series, mono or multichannel; resampled along the last axis.
    orig_sr : int > 0
        Sampling rate of ``y`` in Hz (a whole number).
    target_sr : int > 0
        Sampling rate of the result in Hz (a whole number).

    Returns
    -------
    y_hat : np.ndarray [shape=(..., ceil(n * target_sr / orig_sr))]
        ``y`` at ``target_sr``, in the dtype of ``y``. When the two rates are
        equal, ``y`` itself is returned.

    Raises
    ------
    ParameterError
        If a rate is not a positive whole number, or ``y`` is not finite
        floating-point audio.

    Notes
    -----
    The filter has about ``20 * max(L, M)`` taps, so two rates whose reduced
    ratio has large terms (44100 Hz to 44099 Hz) make a long filter and a slow
    call; common pairs (44100/22050, 48000/16000, 32000/22050) are fast.

    References
    ----------
    .. [1] P. P. Vaidyanathan, *Multirate Systems and Filter Banks*,
       Prentice Hall, 1993, ch. 4 (polyphase decimation and interpolation).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)
    >>> resample(y, orig_sr=44100, target_sr=22050).shape
    (22050,)
    """
    orig_sr = check_rate(orig_sr, "orig_sr")
    target_sr = check_rate(target_sr, "target_sr")
    y = check_audio(y, mono=False)
    if orig_sr == target_sr:
        return y
    g = math.gcd(orig_sr, target_sr)
    y_hat = scipy.signal.resample_poly(y, target_sr // g, orig_sr // g, axis=-1)
    return np.asarray(y_hat, dtype=y.dtype)


def to_mono(y):
    """Mix a multichannel signal down to one channel by averaging.

    Follows ``librosa.to_mono``: for ``y`` of shape ``(channels, n)`` (or any
    ``(..., n)``) the result is the mean over every axis but the last, so each
    channel contributes with weight ``1 / channels`` and a full-scale signal
    stays within full scale. A one-dimensional ``y`` is returned as it is.

    Parameters
    ----------
    y : np.ndarray [shape=(n,) or (..., n)], real floating point
        Audio time series; the last axis is time.

    Returns
    -------
    y_mono : np.ndarray [shape=(n,)]
        The channel average.

    Raises
    ------
    ParameterError
        If ``y`` is not finite floating-point audio.

    Examples
    --------
    >>> import numpy as np
    >>> to_mono(np.array([[1.0, 0.0], [0.0, 1.0]]))
    array([0.5, 0.5])
    """
    y = check_audio(y, mono=False)
    if y.ndim > 1:
        y = np.mean(y, axis=tuple(range(y.ndim - 1)))
    return y
