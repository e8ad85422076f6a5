"""Generated labelled audio: three classification tasks synthesised from a seed.

Every clip is made from a handful of random draws (pitch, formants, timbre,
envelope), then scaled to a random peak and mixed with white noise at a
signal-to-noise ratio

.. math:: \\mathrm{SNR} = 10 \\log_{10} \\frac{\\overline{s^2}}{\\sigma^2}\\ \\mathrm{dB},

so the same ``seed`` always gives the same corpus. The tasks:

``"tone_vs_noise"``
    Classes ``tone`` (a sinusoid with up to three random overtones) and
    ``noise`` (white noise band-passed to one octave). Groups are the register
    ``low`` (100-400 Hz), ``mid`` (400-1600 Hz), ``high`` (1.6-5 kHz) of the
    tone's pitch or the band's centre.
``"vowels"``
    Classes ``a e i o u``: a Rosenberg glottal pulse train at pitch ``f0``,
    differentiated (lip radiation), through a cascade of four formant
    resonators (Klatt 1980). Groups are the speaker type ``man``, ``woman``,
    ``child`` (pitch range and formant scale); pitch and formants jitter per
    clip.
``"major_vs_minor"``
    Classes ``major`` and ``minor``: triads on a random root (MIDI 48-71), in
    root position or first or second inversion, each note detuned by a few
    cents. Groups are the timbre ``sine``, ``organ``, ``bright``, ``hollow``,
    ``pluck``.
"""

import numpy as np
import scipy.signal

from ..dsp._checks import check_choice, check_int, check_real
from ..dsp.resample import check_rate
from ..dsp.signals import glottal_pulse_train
from ..errors import ParameterError
from ._corpus import Corpus

__all__ = ["TASKS", "synthetic"]

#: The tasks :func:`synthetic` generates.
TASKS = ("tone_vs_noise", "vowels", "major_vs_minor")

#: Lowest sampling rate accepted: the formants and overtones need 4 kHz of bandwidth.
MIN_SR = 8000

#: Shortest clip, in seconds (a few pitch periods of the lowest voice).
MIN_DURATION = 0.05

#: No component is placed above this fraction of the sampling rate.
_NYQUIST_MARGIN = 0.45

_REGISTERS = {"low": (100.0, 400.0), "mid": (400.0, 1600.0), "high": (1600.0, 5000.0)}

#: Adult male formants F1-F4 (Hz) of the five cardinal-like vowels.
VOWEL_FORMANTS = {
    "a": (730.0, 1090.0, 2440.0, 3400.0),
    "e": (450.0, 1900.0, 2550.0, 3400.0),
    "i": (270.0, 2290.0, 3010.0, 3600.0),
    "o": (470.0, 850.0, 2500.0, 3400.0),
    "u": (300.0, 870.0, 2240.0, 3400.0),
}
_FORMANT_BANDWIDTHS = (70.0, 100.0, 140.0, 250.0)

#: Speaker type: (f0 range in Hz, formant scale factor).
SPEAKERS = {"man": ((95.0, 145.0), 1.0), "woman": ((175.0, 245.0), 1.15),
            "child": ((240.0, 320.0), 1.3)}

#: Relative amplitudes of harmonics 1, 2, ... of each chord timbre.
TIMBRES = {
    "sine": np.array([1.0]),
    "organ": np.array([1.0, 0.6, 0.4, 0.25, 0.15, 0.1]),
    "bright": 1.0 / np.arange(1, 13),
    "hollow": np.array([1.0 / k if k % 2 else 0.0 for k in range(1, 12)]),
    "pluck": np.arange(1, 11) ** -1.5,
}
_TRIAD_THIRD = {"major": 4, "minor": 3}


def _ramp(seconds, n, sr):
    """A raised-cosine rise from 0 towards 1 lasting ``seconds`` (at most half of ``n`` samples)."""
    k = min(n // 2, max(1, int(seconds * sr)))
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / k)


def _envelope(n, sr, rng):
    """A raised-cosine attack (5-50 ms) and release (5-100 ms) around a flat sustain."""
    attack = _ramp(rng.uniform(0.005, 0.05), n, sr)
    release = _ramp(rng.uniform(0.005, 0.1), n, sr)[::-1]
    env = np.ones(n)
    env[:attack.size] *= attack
    env[n - release.size:] *= release
    return env


def _tone_or_noise(label, sr, n, rng):
    """A tone with random overtones, or one octave of band-passed white noise."""
    group = str(rng.choice(list(_REGISTERS)))
    low, high = _REGISTERS[group]
    centre = np.exp(rng.uniform(np.log(low), np.log(min(high, _NYQUIST_MARGIN * sr / np.sqrt(2)))))
    if label == "tone":
        t = np.arange(n) / sr
        y = np.zeros(n)
        for k in range(1, 1 + rng.integers(1, 5)):
            if k * centre < _NYQUIST_MARGIN * sr:
                y += rng.uniform(0.2, 1.0) ** (k - 1) * np.cos(2 * np.pi * k * centre * t
                                                                + rng.uniform(0, 2 * np.pi))
    else:
        sos = scipy.signal.butter(2, [centre / np.sqrt(2), centre * np.sqrt(2)], btype="band",
                                  fs=sr, output="sos")
        y = scipy.signal.sosfilt(sos, rng.standard_normal(n))
    return y * _envelope(n, sr, rng), group


def formant_filter(formants, bandwidths, sr):
    """Second-order sections of a cascade of Klatt formant resonators.

    Each resonator of centre ``F`` and bandwidth ``B`` (Hz), with ``T = 1/sr``,

    .. math::
        y[n] = A x[n] + B_1 y[n-1] + C y[n-2],\\quad
        C = -e^{-2\\pi B T},\\ B_1 = 2 e^{-\\pi B T}\\cos(2\\pi F T),\\ A = 1 - B_1 - C,

    has unit gain at 0 Hz and a peak at ``F``. Resonators at or above
    ``0.45 * sr`` are left out.

    Parameters
    ----------
    formants, bandwidths : sequence of float > 0
        Centre frequencies and bandwidths in Hz.
    sr : int > 0
        Sampling rate in Hz.

    Returns
    -------
    sos : np.ndarray [shape=(n_sections, 6)]
        For :func:`scipy.signal.sosfilt`.

    References
    ----------
    D. H. Klatt, "Software for a cascade/parallel formant synthesizer",
    J. Acoust. Soc. Am. 67(3), 971-995, 1980.
    """
    rows = []
    for f, bw in zip(formants, bandwidths):
        if f < _NYQUIST_MARGIN * sr:
            c = -np.exp(-2 * np.pi * bw / sr)
            b = 2 * np.exp(-np.pi * bw / sr) * np.cos(2 * np.pi * f / sr)
            rows.append([1 - b - c, 0.0, 0.0, 1.0, -b, -c])
    return np.array(rows)


def _vowel(label, sr, n, rng):
    """A formant-synthesised vowel of a random speaker type, pitch and formant jitter."""
    group = str(rng.choice(list(SPEAKERS)))
    (f0_low, f0_high), scale = SPEAKERS[group]
    formants = np.array(VOWEL_FORMANTS[label]) * scale * np.exp(rng.normal(0.0, 0.04, 4))
    flow = glottal_pulse_train(frequency=rng.uniform(f0_low, f0_high), sr=sr, length=n,
                               open_quotient=rng.uniform(0.5, 0.7))
    source = np.diff(flow, prepend=0.0)
    y = scipy.signal.sosfilt(formant_filter(formants, _FORMANT_BANDWIDTHS, sr), source)
    return y * _envelope(n, sr, rng), group


def _triad(label, sr, n, rng):
    """A major or minor triad: random root, inversion, timbre, detuning and balance."""
    group = str(rng.choice(list(TIMBRES)))
    notes = np.array([0, _TRIAD_THIRD[label], 7])
    notes[:rng.integers(0, 3)] += 12  # inversion: lift the lowest 0, 1 or 2 notes an octave
    midi = rng.integers(48, 72) + notes + rng.normal(0.0, 0.05, 3)
    harmonics = np.arange(1, TIMBRES[group].size + 1)
    freqs = np.outer(440.0 * 2.0 ** ((midi - 69) / 12), harmonics)  # (note, harmonic)
    amplitudes = np.outer(rng.uniform(0.7, 1.0, 3), TIMBRES[group]) * (freqs < _NYQUIST_MARGIN * sr)
    phases = rng.uniform(0, 2 * np.pi, freqs.shape)
    sounding = amplitudes > 0
    t = np.arange(n) / sr
    partials = np.cos(2 * np.pi * freqs[sounding][:, None] * t + phases[sounding][:, None])
    if group == "pluck":  # harmonic k of a note decays with time constant decay / sqrt(k)
        rates = np.sqrt(harmonics) / rng.uniform(0.15, 0.4, (3, 1))
        partials *= np.exp(-rates[sounding][:, None] * t)
    y = amplitudes[sounding] @ partials
    return y * _envelope(n, sr, rng), group


_TASKS = {
    "tone_vs_noise": (("tone", "noise"), _tone_or_noise, "{}"),
    "vowels": (tuple(VOWEL_FORMANTS), _vowel, "vowel_{}"),
    "major_vs_minor": (("major", "minor"), _triad, "{}"),
}


def _mix(y, snr_db, rng):
    """Scale ``y`` to a random peak in [0.25, 0.9], add white noise at ``snr_db``, as float32."""
    y = y * (rng.uniform(0.25, 0.9) / max(np.max(np.abs(y)), 1e-12))
    if np.isfinite(snr_db):
        sigma = np.sqrt(np.mean(y**2) / 10.0 ** (snr_db / 10.0))
        y = y + sigma * rng.standard_normal(y.size)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def synthetic(task, *, n_per_class=50, sr=16000, duration=0.5, snr_db=20.0, seed=0):
    """Generate a labelled corpus for one of the :data:`TASKS`.

    Clips are made class by class in turn (``labels`` alternate through the
    classes), ``n_per_class`` per class, all of one length.

    Parameters
    ----------
    task : str
        ``"tone_vs_noise"``, ``"vowels"`` or ``"major_vs_minor"`` (see the
        module notes for what each generates).
    n_per_class : int > 0
        Clips per class; the classes are balanced.
    sr : int >= 8000
        Sampling rate in Hz.
    duration : float >= 0.05
        Length of every clip in seconds.
    snr_db : float or np.inf
        Signal-to-noise ratio of the added white noise, in dB; ``np.inf``
        adds none.
    seed : int >= 0
        Seed of the random generator: equal seeds give identical corpora.

    Returns
    -------
    corpus : Corpus
        Names ``"<class>/<index>"`` (``"tone/000"``, ``"vowel_a/007"``,
        ``"minor/049"``); groups as in the module notes; no failures.

    Raises
    ------
    ParameterError
        If an argument is out of range.

    Examples
    --------
    >>> from listenwidgets.corpora import synthetic
    >>> corpus = synthetic("vowels", n_per_class=2, seed=1)
    >>> corpus.classes, len(corpus), corpus.names[:2]
    (['a', 'e', 'i', 'o', 'u'], 10, ['vowel_a/000', 'vowel_e/000'])
    """
    check_choice(task, "task", TASKS)
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1)
    sr = check_rate(sr, "sr")
    if sr < MIN_SR:
        raise ParameterError(f"sr must be >= {MIN_SR} Hz for the synthetic tasks, got sr={sr}")
    duration = check_real(duration, "duration", minimum=MIN_DURATION)
    if not (isinstance(snr_db, (int, float, np.floating)) and snr_db == np.inf):
        snr_db = check_real(snr_db, "snr_db")
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    classes, make, name_format = _TASKS[task]
    n = int(round(duration * sr))
    clips, labels, names, groups = [], [], [], []
    for index in range(n_per_class):
        for label in classes:
            y, group = make(label, sr, n, rng)
            clips.append(_mix(y, snr_db, rng))
            labels.append(label)
            names.append(f"{name_format.format(label)}/{index:03d}")
            groups.append(group)
    return Corpus(clips=clips, labels=labels, names=names, groups=groups, sr=float(sr), failures=[])
