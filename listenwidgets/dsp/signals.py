"""Test signals: sinusoids, classic waveforms and their Fourier series, chirps, noise, pulse trains.

Every generator takes the sampling rate ``sr`` (int > 0) and exactly one of
``duration`` (seconds) or ``length`` (samples), and returns a float64 array
unless ``dtype`` says otherwise. Sample ``n`` is taken at ``t = n / sr``.

The periodic waveforms are functions of the phase
``theta(n) = 2 pi f n / sr + phi``: the ideal (naively sampled, hence aliased)
waveform, or its Fourier series truncated to ``n_harmonics`` harmonics.
"""

import numpy as np
import scipy.signal

from ..errors import ParameterError
from ._checks import check_choice, check_int, check_real, short_repr

__all__ = [
    "WAVEFORMS",
    "tone",
    "square",
    "sawtooth",
    "triangle",
    "harmonic_series",
    "chirp",
    "white_noise",
    "pink_noise",
    "impulse_train",
    "glottal_pulse_train",
    "waveform",
]

#: Signal kinds offered by :func:`waveform`.
WAVEFORMS = (
    "sine",
    "square",
    "sawtooth",
    "triangle",
    "chirp",
    "white_noise",
    "pink_noise",
    "impulse_train",
    "glottal",
    "harmonics",
)


def tone(*, frequency, sr=22050, duration=None, length=None, amplitude=1.0, phi=0.0,
         dtype=np.float64):
    """A sampled sinusoid.

    .. math:: x[n] = A \\cos(2 \\pi f n / sr + \\phi)

    Unlike :func:`librosa.tone` (whose default phase makes a sine), the
    default ``phi=0`` gives the lecture's cosine. ``frequency`` may exceed
    ``sr / 2``: the samples then alias (see
    :func:`listenwidgets.dsp.alias_frequency`).

    Parameters
    ----------
    frequency : float > 0
        Frequency ``f`` in Hz.
    sr : int > 0
        Sampling rate in Hz.
    duration : float > 0 or None
        Length in seconds (``floor(duration * sr)`` samples).
    length : int > 0 or None
        Length in samples. Give exactly one of ``duration`` and ``length``.
    amplitude : float >= 0
        Peak amplitude ``A``.
    phi : float
        Phase offset in radians.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import tone
    >>> tone(frequency=1.0, sr=4, length=4, phi=np.pi / 4).round(3)
    array([ 0.707, -0.707, -0.707,  0.707])
    """
    frequency = _check_frequency(frequency)
    theta = _phase(frequency, sr, duration, length, phi)
    return _finish(_check_amplitude(amplitude) * np.cos(theta), dtype)


def square(*, frequency, sr=22050, duration=None, length=None, amplitude=1.0, phi=0.0,
           n_harmonics=None, dtype=np.float64):
    """A square wave, ideal or as a truncated Fourier series.

    Ideal (``n_harmonics=None``): ``A * scipy.signal.square(theta)``, which is
    ``+A`` for ``theta mod 2 pi`` in ``[0, pi)`` and ``-A`` otherwise.
    Band-limited:

    .. math:: x[n] = \\frac{4A}{\\pi} \\sum_{k\\ \\mathrm{odd},\\ k \\le K} \\frac{\\sin(k \\theta[n])}{k}

    with ``K = n_harmonics``: the odd harmonics up to the ``K``-th, of
    amplitude ``4A / (pi k)``. The series converges to the ideal wave, with
    the Gibbs overshoot (about 9 % of the jump) next to each edge.
    Harmonics at or above the Nyquist frequency ``sr / 2`` are dropped.

    Parameters
    ----------
    frequency : float > 0
        Fundamental frequency in Hz.
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    amplitude : float >= 0
        Amplitude ``A`` of the ideal wave.
    phi : float
        Phase offset of the fundamental in radians.
    n_harmonics : int > 0 or None
        Highest harmonic number kept; None for the ideal waveform.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import square
    >>> square(frequency=1.0, sr=4, length=4)
    array([ 1.,  1., -1., -1.])
    >>> square(frequency=1.0, sr=8, length=8, n_harmonics=1).round(3)  # the fundamental only
    array([ 0.   ,  0.9  ,  1.273,  0.9  ,  0.   , -0.9  , -1.273, -0.9  ])
    """
    return _periodic_waveform(
        lambda theta: scipy.signal.square(theta),
        lambda k: np.where(k % 2 == 1, 4.0 / (np.pi * k), 0.0),
        -np.pi / 2,
        frequency=frequency, sr=sr, duration=duration, length=length, amplitude=amplitude,
        phi=phi, n_harmonics=n_harmonics, dtype=dtype,
    )


def sawtooth(*, frequency, sr=22050, duration=None, length=None, amplitude=1.0, phi=0.0,
             n_harmonics=None, dtype=np.float64):
    """A rising sawtooth wave, ideal or as a truncated Fourier series.

    Ideal (``n_harmonics=None``): ``A * scipy.signal.sawtooth(theta)``, rising
    from ``-A`` to ``A`` over each period. Band-limited:

    .. math:: x[n] = -\\frac{2A}{\\pi} \\sum_{k=1}^{K} \\frac{\\sin(k \\theta[n])}{k}

    with ``K = n_harmonics``; harmonics at or above ``sr / 2`` are dropped.

    Parameters
    ----------
    frequency : float > 0
        Fundamental frequency in Hz.
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    amplitude : float >= 0
        Amplitude ``A`` of the ideal wave.
    phi : float
        Phase offset of the fundamental in radians.
    n_harmonics : int > 0 or None
        Highest harmonic number kept; None for the ideal waveform.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import sawtooth
    >>> sawtooth(frequency=1.0, sr=4, length=4)
    array([-1. , -0.5,  0. ,  0.5])
    """
    return _periodic_waveform(
        lambda theta: scipy.signal.sawtooth(theta),
        lambda k: -2.0 / (np.pi * k),
        -np.pi / 2,
        frequency=frequency, sr=sr, duration=duration, length=length, amplitude=amplitude,
        phi=phi, n_harmonics=n_harmonics, dtype=dtype,
    )


def triangle(*, frequency, sr=22050, duration=None, length=None, amplitude=1.0, phi=0.0,
             n_harmonics=None, dtype=np.float64):
    """A triangle wave, ideal or as a truncated Fourier series.

    Ideal (``n_harmonics=None``): ``A * scipy.signal.sawtooth(theta, width=0.5)``,
    ``-A`` at ``theta = 0`` rising to ``A`` at ``theta = pi``. Band-limited:

    .. math:: x[n] = -\\frac{8A}{\\pi^2} \\sum_{k\\ \\mathrm{odd},\\ k \\le K} \\frac{\\cos(k \\theta[n])}{k^2}

    with ``K = n_harmonics``; harmonics at or above ``sr / 2`` are dropped.

    Parameters
    ----------
    frequency : float > 0
        Fundamental frequency in Hz.
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    amplitude : float >= 0
        Amplitude ``A`` of the ideal wave.
    phi : float
        Phase offset of the fundamental in radians.
    n_harmonics : int > 0 or None
        Highest harmonic number kept; None for the ideal waveform.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import triangle
    >>> triangle(frequency=1.0, sr=4, length=4)
    array([-1.,  0.,  1.,  0.])
    """
    return _periodic_waveform(
        lambda theta: scipy.signal.sawtooth(theta, width=0.5),
        lambda k: np.where(k % 2 == 1, -8.0 / (np.pi * k) ** 2, 0.0),
        0.0,
        frequency=frequency, sr=sr, duration=duration, length=length, amplitude=amplitude,
        phi=phi, n_harmonics=n_harmonics, dtype=dtype,
    )


def _periodic_waveform(ideal, coefficients, series_phase, *, frequency, sr, duration, length,
                       amplitude, phi, n_harmonics, dtype):
    """An ideal periodic waveform of ``theta`` or its cosine series.

    The series is ``sum_k coefficients(k) * cos(k * theta + series_phase)``.
    """
    frequency = _check_frequency(frequency)
    amplitude = _check_amplitude(amplitude)
    n_harmonics = check_int(n_harmonics, "n_harmonics", minimum=1, allow_none=True)
    theta = _phase(frequency, sr, duration, length, phi)
    if n_harmonics is None:
        return _finish(amplitude * ideal(theta), dtype)
    k = _harmonics_below_nyquist(frequency, sr, n_harmonics)
    return _finish(_sum_cosines(theta, k, amplitude * coefficients(k), series_phase), dtype)


def harmonic_series(*, frequency, amplitudes, phases=None, sr=22050, duration=None, length=None,
                    dtype=np.float64):
    """A sum of harmonics of one fundamental (the Fourier theorem's synthesis).

    .. math:: x[n] = \\sum_{k=1}^{K} a_k \\cos(2 \\pi k f n / sr + \\phi_k)

    with ``a_k = amplitudes[k - 1]`` and ``phi_k = phases[k - 1]``.
    Harmonics at or above the Nyquist frequency ``sr / 2`` are dropped.

    Parameters
    ----------
    frequency : float > 0
        Fundamental frequency ``f`` in Hz.
    amplitudes : array_like [shape=(K,)]
        Amplitude of harmonics ``1 .. K``.
    phases : array_like [shape=(K,)] or None
        Phase of each harmonic in radians; None means all zero (cosines).
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import harmonic_series
    >>> harmonic_series(frequency=1.0, amplitudes=[1.0, 0.5], sr=8, length=8).round(3)
    array([ 1.5  ,  0.707, -0.5  , -0.707, -0.5  , -0.707, -0.5  ,  0.707])
    """
    frequency = _check_frequency(frequency)
    amplitudes = _check_vector(amplitudes, "amplitudes")
    phases = np.zeros_like(amplitudes) if phases is None else _check_vector(phases, "phases")
    if phases.shape != amplitudes.shape:
        raise ParameterError(
            f"phases has {phases.shape[0]} values but amplitudes has {amplitudes.shape[0]}: "
            f"phases={short_repr(phases)}"
        )
    theta = _phase(frequency, sr, duration, length, 0.0)
    k = _harmonics_below_nyquist(frequency, sr, amplitudes.shape[0])
    return _finish(_sum_cosines(theta, k, amplitudes[k - 1], phases[k - 1]), dtype)


def chirp(*, fmin, fmax, sr=22050, duration=None, length=None, linear=False, phi=None,
          dtype=np.float64):
    """A frequency sweep from ``fmin`` to ``fmax`` (as :func:`librosa.chirp`).

    With ``T`` the duration (``length / sr`` when ``length`` is given):

    - linear: ``f(t) = fmin + (fmax - fmin) t / T``,
    - exponential (default): ``f(t) = fmin (fmax / fmin) ** (t / T)``,

    and ``y(t) = cos(2 pi int_0^t f(s) ds + phi)``, computed by
    :func:`scipy.signal.chirp`.

    Parameters
    ----------
    fmin, fmax : float > 0
        Start and end frequency in Hz.
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    linear : bool
        Linear sweep if True, exponential (constant octaves per second) if False.
    phi : float or None
        Phase offset in radians; None means ``-pi / 2`` (the sweep starts as a
        sine, librosa's default).
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import chirp
    >>> y = chirp(fmin=110.0, fmax=880.0, sr=22050, duration=1.0)
    >>> y.shape
    (22050,)
    """
    fmin = check_real(fmin, "fmin", minimum=0.0, exclusive_minimum=True)
    fmax = check_real(fmax, "fmax", minimum=0.0, exclusive_minimum=True)
    phi = -np.pi / 2 if phi is None else check_real(phi, "phi")
    sr = _check_sr(sr)
    n = _n_samples(sr, duration, length)
    sweep_time = n / sr if duration is None else float(duration)
    y = scipy.signal.chirp(np.arange(n) / sr, fmin, sweep_time, fmax,
                           method="linear" if linear else "logarithmic", phi=np.degrees(phi))
    return _finish(y, dtype)


def white_noise(*, sr=22050, duration=None, length=None, amplitude=1.0, seed=None,
                dtype=np.float64):
    """Gaussian white noise.

    .. math:: x[n] \\sim \\mathcal{N}(0, A^2) \\text{ i.i.d.}

    The standard deviation (the RMS value) is ``amplitude``; individual
    samples exceed it about a third of the time, so clip before playback.

    Parameters
    ----------
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    amplitude : float >= 0
        Standard deviation ``A``.
    seed : int, np.random.Generator or None
        Seed for :func:`numpy.random.default_rng`; None draws fresh noise.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import white_noise
    >>> y = white_noise(sr=8000, duration=10.0, amplitude=0.5, seed=0)
    >>> round(float(y.std()), 2)
    0.5
    """
    amplitude = _check_amplitude(amplitude)
    n = _n_samples(_check_sr(sr), duration, length)
    return _finish(amplitude * np.random.default_rng(seed).standard_normal(n), dtype)


def pink_noise(*, sr=22050, duration=None, length=None, amplitude=1.0, seed=None,
               dtype=np.float64):
    """Pink (1/f) noise, shaped from Gaussian white noise in the frequency domain.

    The spectrum of white noise is multiplied by ``1 / sqrt(f_k)`` (so the
    power falls as ``1 / f``, -3 dB per octave), the DC bin is set to zero,
    and the result is transformed back and scaled to standard deviation
    ``amplitude``:

    .. math:: x = A \\frac{z}{\\operatorname{std}(z)}, \\quad
              z = \\mathrm{IRFFT}\\Big(\\frac{\\mathrm{RFFT}(w)[k]}{\\sqrt{k}}\\Big)

    Parameters
    ----------
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 1
        Length in seconds or samples (exactly one); at least 2 samples.
    amplitude : float >= 0
        Standard deviation ``A``.
    seed : int, np.random.Generator or None
        Seed for :func:`numpy.random.default_rng`; None draws fresh noise.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import pink_noise
    >>> y = pink_noise(sr=8000, duration=1.0, amplitude=0.25, seed=0)
    >>> round(float(y.std()), 6)
    0.25
    """
    amplitude = _check_amplitude(amplitude)
    n = _n_samples(_check_sr(sr), duration, length)
    if n < 2:
        raise ParameterError(f"pink noise needs at least 2 samples, got length={n}")
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    k = np.arange(spectrum.shape[0])
    spectrum[1:] /= np.sqrt(k[1:])
    spectrum[0] = 0.0
    shaped = np.fft.irfft(spectrum, n=n)
    return _finish(amplitude * shaped / shaped.std(), dtype)


def impulse_train(*, frequency, sr=22050, duration=None, length=None, amplitude=1.0,
                  dtype=np.float64):
    """A train of unit impulses, one per period.

    .. math:: x[n] = A \\sum_{m \\ge 0} \\delta[n - \\operatorname{round}(m \\cdot sr / f)]

    Each impulse sits on the sample nearest to ``t = m / f``, so a period that
    is not a whole number of samples alternates between the neighbouring
    integer spacings.

    Parameters
    ----------
    frequency : float in (0, sr]
        Pulse rate ``f`` in Hz (at most one pulse per sample).
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    amplitude : float >= 0
        Height ``A`` of each impulse.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import impulse_train
    >>> impulse_train(frequency=2.0, sr=8, length=8)
    array([1., 0., 0., 0., 1., 0., 0., 0.])
    """
    frequency = _check_frequency(frequency)
    sr = _check_sr(sr)
    if frequency > sr:
        raise ParameterError(
            f"frequency={frequency} must not exceed sr={sr} (one impulse per sample at most)"
        )
    n = _n_samples(sr, duration, length)
    positions = np.round(np.arange(int(np.ceil(n * frequency / sr)) + 1) * sr / frequency)
    positions = positions[positions < n].astype(np.intp)
    y = np.zeros(n)
    y[positions] = _check_amplitude(amplitude)
    return _finish(y, dtype)


def glottal_pulse_train(*, frequency, sr=22050, duration=None, length=None, open_quotient=0.6,
                        speed_quotient=2.0, amplitude=1.0, dtype=np.float64):
    """A Rosenberg glottal flow pulse train (the voiced source of the source-filter model).

    Within each period ``T0 = 1 / f``, with time ``tau`` since the period
    began, the open phase lasts ``open_quotient * T0`` and splits into an
    opening part ``Tp`` and a closing part ``Tn`` with ``Tp / Tn = speed_quotient``
    (Rosenberg 1971, pulse "C"):

    .. math::
        g(\\tau) = \\begin{cases}
            \\tfrac{A}{2} \\big(1 - \\cos(\\pi \\tau / T_p)\\big) & 0 \\le \\tau < T_p \\\\
            A \\cos\\big(\\pi (\\tau - T_p) / (2 T_n)\\big) & T_p \\le \\tau < T_p + T_n \\\\
            0 & \\text{closed phase}
        \\end{cases}

    The pulse is the glottal volume velocity (flow), peak ``A``.

    Parameters
    ----------
    frequency : float > 0
        Fundamental frequency (pitch) in Hz.
    sr : int > 0
        Sampling rate in Hz.
    duration, length : float > 0 or int > 0
        Length in seconds or samples (exactly one).
    open_quotient : float in (0, 1]
        Fraction of the period during which the glottis is open.
    speed_quotient : float > 0
        Opening time over closing time ``Tp / Tn``; 2.0 (a slow opening and
        a quick closing) is typical of modal voice.
    amplitude : float >= 0
        Peak flow ``A``.
    dtype : floating np.dtype
        Output dtype.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    References
    ----------
    A. E. Rosenberg, "Effect of glottal pulse shape on the quality of natural
    vowels", J. Acoust. Soc. Am. 49(2B), 583-590, 1971.

    Examples
    --------
    >>> from listenwidgets.dsp import glottal_pulse_train
    >>> glottal_pulse_train(frequency=1.0, sr=10, length=8, open_quotient=0.6,
    ...                     speed_quotient=2.0).round(3)
    array([0.   , 0.146, 0.5  , 0.854, 1.   , 0.707, 0.   , 0.   ])
    """
    frequency = _check_frequency(frequency)
    open_quotient = check_real(open_quotient, "open_quotient", minimum=0.0, maximum=1.0,
                               exclusive_minimum=True)
    speed_quotient = check_real(speed_quotient, "speed_quotient", minimum=0.0,
                                exclusive_minimum=True)
    amplitude = _check_amplitude(amplitude)
    sr = _check_sr(sr)
    n = _n_samples(sr, duration, length)
    cycles = np.arange(n) * (frequency / sr)
    tau = cycles - np.floor(cycles)  # time since the period began, in periods
    rise = open_quotient * speed_quotient / (1.0 + speed_quotient)
    fall = open_quotient / (1.0 + speed_quotient)
    y = np.zeros(n)
    opening = tau < rise
    closing = ~opening & (tau < rise + fall)
    y[opening] = 0.5 * (1.0 - np.cos(np.pi * tau[opening] / rise))
    y[closing] = np.cos(0.5 * np.pi * (tau[closing] - rise) / fall)
    return _finish(amplitude * y, dtype)


_GENERATORS = {
    "sine": tone,
    "square": square,
    "sawtooth": sawtooth,
    "triangle": triangle,
    "chirp": chirp,
    "white_noise": white_noise,
    "pink_noise": pink_noise,
    "impulse_train": impulse_train,
    "glottal": glottal_pulse_train,
    "harmonics": harmonic_series,
}


def waveform(kind, /, **kwargs):
    """Generate a signal of the given kind; the keyword arguments go to its generator.

    ======================  ===================================
    kind                    generator
    ======================  ===================================
    ``'sine'``              :func:`tone`
    ``'square'``            :func:`square`
    ``'sawtooth'``          :func:`sawtooth`
    ``'triangle'``          :func:`triangle`
    ``'chirp'``             :func:`chirp`
    ``'white_noise'``       :func:`white_noise`
    ``'pink_noise'``        :func:`pink_noise`
    ``'impulse_train'``     :func:`impulse_train`
    ``'glottal'``           :func:`glottal_pulse_train`
    ``'harmonics'``         :func:`harmonic_series`
    ======================  ===================================

    A keyword the generator does not take raises ``TypeError`` (never
    silently ignored).

    Parameters
    ----------
    kind : str
        One of :data:`WAVEFORMS`.
    **kwargs
        Arguments of the generator.

    Returns
    -------
    y : np.ndarray [shape=(n,)]

    Examples
    --------
    >>> from listenwidgets.dsp import waveform
    >>> waveform('square', frequency=1.0, sr=4, length=4)
    array([ 1.,  1., -1., -1.])
    """
    check_choice(kind, "kind", WAVEFORMS)
    return _GENERATORS[kind](**kwargs)


def _check_sr(sr):
    return check_int(sr, "sr", minimum=1)


def _check_frequency(frequency):
    return check_real(frequency, "frequency", minimum=0.0, exclusive_minimum=True)


def _check_amplitude(amplitude):
    return check_real(amplitude, "amplitude", minimum=0.0)


def _check_vector(values, name):
    """A non-empty one-dimensional array of finite floats."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.shape[0] == 0 or not np.isfinite(array).all():
        raise ParameterError(
            f"{name} must be a non-empty 1-D sequence of finite numbers, "
            f"got {name}={short_repr(values)}"
        )
    return array


def _n_samples(sr, duration, length):
    """Number of samples from exactly one of ``duration`` (seconds) and ``length``.

    ``floor(duration * sr)``, with a tolerance of 1e-9 samples so that a
    duration such as 0.29 s at 100 Hz gives 29 samples despite rounding.
    """
    if (duration is None) == (length is None):
        raise ParameterError(
            f"give exactly one of duration and length, got duration={duration!r}, "
            f"length={length!r}"
        )
    if length is not None:
        return check_int(length, "length", minimum=1)
    duration = check_real(duration, "duration", minimum=0.0, exclusive_minimum=True)
    n = int(np.floor(duration * sr + 1e-9))
    if n < 1:
        raise ParameterError(f"duration={duration} is shorter than one sample at sr={sr}")
    return n


def _phase(frequency, sr, duration, length, phi):
    """``theta[n] = 2 pi f n / sr + phi`` for the requested number of samples."""
    sr = _check_sr(sr)
    phi = check_real(phi, "phi")
    n = _n_samples(sr, duration, length)
    cycles = np.arange(n) * (frequency / sr)
    return 2.0 * np.pi * (cycles - np.floor(cycles)) + phi


def _harmonics_below_nyquist(frequency, sr, n_harmonics):
    """Harmonic numbers ``1 .. n_harmonics`` whose frequency is below ``sr / 2``."""
    k = np.arange(1, n_harmonics + 1)
    return k[k * frequency < sr / 2]


def _sum_cosines(theta, harmonics, amplitudes, phases):
    """``sum_i amplitudes[i] * cos(harmonics[i] * theta + phases[i])`` (one pass per harmonic)."""
    phases = np.broadcast_to(phases, np.shape(harmonics))
    y = np.zeros_like(theta)
    for k, a, p in zip(harmonics, np.broadcast_to(amplitudes, np.shape(harmonics)), phases):
        if a != 0.0:
            y += a * np.cos(k * theta + p)
    return y


def _finish(y, dtype):
    """Cast to the requested floating dtype."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ParameterError(f"dtype must be a floating-point type, got dtype={dtype}")
    return y.astype(dtype, copy=False)
