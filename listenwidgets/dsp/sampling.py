"""Sampling, aliasing and reconstruction (chapter 1).

A dense array at a high rate ``sr`` stands in for the "analog" signal.
:func:`sample` reads it at the instants ``n / target_sr`` of a new sampling
rate (with or without an anti-aliasing low-pass), and :func:`reconstruct`
turns samples back into a dense curve (band-limited sinc interpolation or
zero-order hold). Both work for any ratio of rates, integer or not.
"""

import functools

import numpy as np
import scipy.signal
import scipy.special

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_int, check_real

__all__ = [
    "RECONSTRUCTION_METHODS",
    "SINC_KAISER_BETA",
    "LOWPASS_ATTENUATION_DB",
    "ANTI_ALIAS_CUTOFF",
    "alias_frequency",
    "sinc_interpolate",
    "lowpass",
    "sample",
    "reconstruct",
]

#: Reconstruction methods of :func:`reconstruct`.
RECONSTRUCTION_METHODS = ("sinc", "zoh")

#: Shape parameter of the Kaiser window that tapers the interpolation sinc.
SINC_KAISER_BETA = 8.6

#: Stop-band attenuation (dB) of the FIR filters designed by :func:`lowpass`.
LOWPASS_ATTENUATION_DB = 60.0

#: Cutoff of the anti-aliasing filter of :func:`sample`, as a fraction of ``target_sr``.
ANTI_ALIAS_CUTOFF = 0.45

#: Most kernel weights held in memory at once by :func:`sinc_interpolate`.
_MAX_KERNEL_ELEMENTS = 2**18

#: Fractional delays tabulated per sample by the interpolation kernel table.
_SINC_TABLE_PHASES = 1024


def alias_frequency(frequency, /, *, sr):
    """The frequency at which a sinusoid appears after sampling at ``sr``.

    .. math:: f_{alias} = |f - k \\cdot sr|, \\quad k = \\operatorname{round}(f / sr)

    which folds any ``f`` into ``[0, sr / 2]``: frequencies below Nyquist are
    unchanged, ``sr / 2 < f < sr`` mirrors to ``sr - f``, and so on.

    Parameters
    ----------
    frequency : float or np.ndarray
        Frequency or frequencies in Hz (negative values fold like their magnitude).
    sr : float > 0
        Sampling rate in Hz.

    Returns
    -------
    f_alias : float or np.ndarray [shape=frequency.shape]

    Examples
    --------
    >>> from listenwidgets.dsp import alias_frequency
    >>> alias_frequency(7000.0, sr=8000)
    1000.0
    >>> alias_frequency([1000.0, 5000.0, 9000.0, 16500.0], sr=8000)
    array([1000., 3000., 1000.,  500.])
    """
    sr = _check_rate(sr, "sr")
    frequency = np.asarray(frequency, dtype=np.float64)
    if not np.isfinite(frequency).all():
        raise ParameterError(f"frequency must be finite, got frequency={frequency}")
    folded = np.abs(frequency - sr * np.round(frequency / sr))
    return float(folded) if folded.ndim == 0 else folded


def sinc_interpolate(y, /, *, sr, times, zeros=32):
    """Evaluate the band-limited signal behind the samples ``y`` at arbitrary times.

    Whittaker-Shannon interpolation with a Kaiser-tapered sinc kernel of
    ``zeros`` zero crossings on each side:

    .. math:: \\hat{y}(t) = \\sum_{n} y[n]\\, \\operatorname{sinc}(t\\, sr - n)\\,
              w\\Big(\\frac{t\\, sr - n}{zeros}\\Big), \\quad |t\\, sr - n| < zeros

    where ``sinc(x) = sin(pi x) / (pi x)`` and ``w`` is a Kaiser window
    (beta = :data:`SINC_KAISER_BETA`) on ``[-1, 1]``. Samples outside ``y``
    count as zero, so the first and last ``zeros`` samples' worth of output
    are less accurate. The kernel is tabulated at 1024 fractional delays per
    sample and interpolated linearly between them (each tap within about
    5e-7 of the formula), and the times are processed in chunks, so memory
    stays bounded for any number of output points.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples taken at rate ``sr``.
    sr : float > 0
        Sampling rate of ``y`` in Hz.
    times : np.ndarray [shape=(m,)]
        Instants, in seconds from the first sample, to evaluate.
    zeros : int > 0
        Half-width of the kernel in samples; more zeros, sharper band edge.

    Returns
    -------
    y_t : np.ndarray [shape=(m,)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import sinc_interpolate, tone
    >>> y = tone(frequency=440.0, sr=8000, duration=0.5)
    >>> t = np.array([0.1, 0.2000625])  # between samples
    >>> np.round(sinc_interpolate(y, sr=8000, times=t), 5)
    array([1.     , 0.98511])
    >>> np.round(np.cos(2 * np.pi * 440.0 * t), 5)
    array([1.     , 0.98511])
    """
    y = check_audio(y)
    sr = _check_rate(sr, "sr")
    zeros = check_int(zeros, "zeros", minimum=1)
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or not np.isfinite(times).all():
        raise ParameterError(f"times must be a 1-D array of finite seconds, got times={times!r}")
    padded = np.pad(y.astype(np.float64, copy=False), 2 * zeros)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * zeros)
    positions = times * sr
    out = np.empty(times.shape[0], dtype=np.float64)
    chunk = max(1, _MAX_KERNEL_ELEMENTS // (2 * zeros))
    for start in range(0, positions.shape[0], chunk):
        stop = start + chunk
        out[start:stop] = _interpolate_chunk(windows, positions[start:stop], zeros)
    return out.astype(y.dtype, copy=False)


def _interpolate_chunk(windows, positions, zeros):
    """Windowed-sinc interpolation at fractional sample ``positions``.

    ``windows[r]`` holds the ``2 * zeros`` samples ``r - zeros + 1 .. r + zeros``
    of the signal padded by ``2 * zeros`` zeros on each side. The kernel for
    a position's fractional part is interpolated linearly between the two
    nearest rows of the :func:`_sinc_table`.
    """
    base = np.floor(positions)
    phase = (positions - base) * _SINC_TABLE_PHASES
    row = phase.astype(np.intp)
    weight = (phase - row)[:, None]
    table = _sinc_table(zeros)
    kernel = table[row] * (1.0 - weight) + table[row + 1] * weight
    first = base.astype(np.intp) + zeros + 1
    touches = (first >= 0) & (first < windows.shape[0])
    samples = windows[np.clip(first, 0, windows.shape[0] - 1)]
    return np.einsum("ij,ij->i", samples, kernel) * touches


@functools.lru_cache(maxsize=8)
def _sinc_table(zeros):
    """Kaiser-windowed sinc taps for fractional delays ``p / P``, ``p = 0 .. P`` (read-only).

    Row ``p`` holds ``sinc(d) w(d / zeros)`` at the distances
    ``d = p / P - j`` for ``j = 1 - zeros .. zeros``, with ``P`` =
    :data:`_SINC_TABLE_PHASES` and ``w`` the Kaiser window
    ``I0(beta sqrt(1 - x^2)) / I0(beta)`` on ``[-1, 1]``. Linear
    interpolation between rows is accurate to about ``1 / (2 P^2)``.
    """
    fractions = np.arange(_SINC_TABLE_PHASES + 1) / _SINC_TABLE_PHASES
    distance = fractions[:, None] - np.arange(1 - zeros, zeros + 1)
    x = distance / zeros
    window = scipy.special.i0(SINC_KAISER_BETA * np.sqrt(np.clip(1.0 - x * x, 0.0, None)))
    table = np.sinc(distance) * window / scipy.special.i0(SINC_KAISER_BETA) * (np.abs(x) < 1.0)
    table.flags.writeable = False
    return table


def lowpass(y, /, *, sr, cutoff, numtaps=None):
    """Zero-phase FIR low-pass filter.

    Design: a windowed-sinc FIR from :func:`scipy.signal.firwin` with a Kaiser
    window for :data:`LOWPASS_ATTENUATION_DB` dB stop-band attenuation
    (:func:`scipy.signal.kaiser_beta`). By default the length comes from
    :func:`scipy.signal.kaiserord` for a transition band ``0.1 * cutoff``
    wide, centred on ``cutoff``; it is made odd. The filter ``h`` is
    symmetric (linear phase), and it is applied by a centred convolution that
    removes its ``(numtaps - 1) / 2``-sample delay exactly, so the output is
    zero-phase:

    .. math:: y_{lp}[n] = \\sum_{m=0}^{M-1} h[m]\\, y[n + (M - 1)/2 - m]

    The magnitude response is that of ``h`` (-6 dB at ``cutoff``), not its
    square as with :func:`scipy.signal.filtfilt`. The signal is taken as zero
    outside its ends.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Signal at rate ``sr``.
    sr : float > 0
        Sampling rate in Hz.
    cutoff : float in (0, sr / 2)
        Cutoff frequency in Hz.
    numtaps : odd int > 0 or None
        Filter length; None designs it from the transition band above.

    Returns
    -------
    y_lp : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import lowpass, tone
    >>> low = tone(frequency=200.0, sr=8000, duration=1.0)
    >>> y = low + tone(frequency=3000.0, sr=8000, duration=1.0)
    >>> y_lp = lowpass(y, sr=8000, cutoff=1000.0)
    >>> bool(np.abs(y_lp[2000:6000] - low[2000:6000]).max() < 1e-3)  # the 3 kHz tone is gone
    True
    """
    y = check_audio(y)
    sr = _check_rate(sr, "sr")
    cutoff = check_real(cutoff, "cutoff", minimum=0.0, exclusive_minimum=True)
    if cutoff >= sr / 2:
        raise ParameterError(f"cutoff={cutoff} must be below the Nyquist frequency sr/2={sr / 2}")
    numtaps = _lowpass_length(sr, cutoff) if numtaps is None else _check_numtaps(numtaps)
    taps = scipy.signal.firwin(numtaps, cutoff, fs=sr,
                               window=("kaiser", scipy.signal.kaiser_beta(LOWPASS_ATTENUATION_DB)))
    return scipy.signal.oaconvolve(y, taps.astype(y.dtype), mode="same")


def _lowpass_length(sr, cutoff):
    """Odd Kaiser-design length for a transition ``0.1 * cutoff`` wide."""
    numtaps, _ = scipy.signal.kaiserord(LOWPASS_ATTENUATION_DB, 0.1 * cutoff / (sr / 2))
    return numtaps | 1


def _check_numtaps(numtaps):
    numtaps = check_int(numtaps, "numtaps", minimum=1)
    if numtaps % 2 == 0:
        raise ParameterError(
            f"numtaps={numtaps} must be odd so that the filter delay is a whole number of samples"
        )
    return numtaps


def sample(y, /, *, sr, target_sr, anti_alias=False):
    """Sample a dense "analog" reference at a new rate.

    Returns ``x[n] = y(n / target_sr)`` for ``n = 0 .. ceil(len(y) * target_sr / sr) - 1``,
    read off the reference by :func:`sinc_interpolate`. With
    ``anti_alias=False`` nothing is filtered, so components above
    ``target_sr / 2`` alias exactly as a real sampler without a filter would.
    With ``anti_alias=True`` the reference is first low-passed at
    ``ANTI_ALIAS_CUTOFF * target_sr`` (0.45 target_sr) by :func:`lowpass`
    (skipped when that is above the reference's own Nyquist frequency).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Dense reference signal.
    sr : float > 0
        Rate of the reference in Hz.
    target_sr : float > 0
        Sampling rate to simulate, larger or smaller than ``sr``, any ratio.
    anti_alias : bool
        Low-pass the reference before sampling.

    Returns
    -------
    x : np.ndarray [shape=(ceil(n * target_sr / sr),)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import alias_frequency, sample, tone
    >>> analog = tone(frequency=7000.0, sr=48000, duration=1.0)
    >>> x = sample(analog, sr=48000, target_sr=8000)
    >>> int(np.abs(np.fft.rfft(x)).argmax())  # 8000 samples: bin k is k Hz
    1000
    >>> alias_frequency(7000.0, sr=8000)
    1000.0
    """
    y = check_audio(y)
    sr = _check_rate(sr, "sr")
    target_sr = _check_rate(target_sr, "target_sr")
    cutoff = ANTI_ALIAS_CUTOFF * target_sr
    if anti_alias and cutoff < sr / 2:
        y = lowpass(y, sr=sr, cutoff=cutoff)
    return sinc_interpolate(y, sr=sr, times=_output_times(y.shape[0], sr, target_sr))


def reconstruct(y, /, *, sr, target_sr, method="sinc"):
    """Rebuild a dense signal at ``target_sr`` from samples ``y`` taken at ``sr``.

    - ``'sinc'``: ideal band-limited reconstruction,
      ``y(t) = sum_n y[n] sinc(t sr - n)`` (Kaiser-tapered, see
      :func:`sinc_interpolate`);
    - ``'zoh'``: zero-order hold, ``y(t) = y[floor(t sr)]`` (the staircase of
      a simple digital-to-analog converter).

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Samples at rate ``sr``.
    sr : float > 0
        Their sampling rate in Hz.
    target_sr : float > 0
        Rate of the output curve, larger or smaller than ``sr``, any ratio.
    method : str
        One of :data:`RECONSTRUCTION_METHODS`.

    Returns
    -------
    y_hat : np.ndarray [shape=(ceil(n * target_sr / sr),)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import reconstruct
    >>> reconstruct(np.array([0.0, 1.0, 0.5]), sr=1, target_sr=2, method='zoh')
    array([0. , 0. , 1. , 1. , 0.5, 0.5])
    """
    y = check_audio(y)
    sr = _check_rate(sr, "sr")
    target_sr = _check_rate(target_sr, "target_sr")
    check_choice(method, "method", RECONSTRUCTION_METHODS)
    times = _output_times(y.shape[0], sr, target_sr)
    if method == "sinc":
        return sinc_interpolate(y, sr=sr, times=times)
    held = np.floor(times * sr + 1e-9).astype(np.intp)
    return y[np.minimum(held, y.shape[0] - 1)]


def _output_times(n_samples, sr, target_sr):
    """``n / target_sr`` for the samples of a new rate spanning ``n_samples / sr`` seconds."""
    count = int(np.ceil(n_samples * target_sr / sr - 1e-9))
    return np.arange(count) / target_sr


def _check_rate(value, name):
    return check_real(value, name, minimum=0.0, exclusive_minimum=True)
