"""Deterministic, realistic test signals for the benchmarks."""

from __future__ import annotations

import numpy as np

from ..data import demo_path
from ..dsp import load

__all__ = ["SR", "bench_signal"]

#: The sampling rate of every benchmark signal, in Hz (librosa's default).
SR = 22050

#: Fundamental frequencies (Hz) the harmonic voices choose from: an A minor pentatonic.
_PITCHES = 110.0 * 2.0 ** (np.array([0, 3, 5, 7, 10, 12, 15, 17, 19, 22, 24]) / 12)

#: Seconds each note of a harmonic voice lasts.
_NOTE_SECONDS = 1.5


def bench_signal(duration, *, sr=SR, seed=0):
    """A mix of the demo clip, harmonic voices with vibrato and noise bursts.

    The signal is the bundled demo clip (:func:`listenwidgets.data.demo_path`)
    tiled to ``duration``, plus three harmonic voices (five partials each,
    a new pentatonic note every 1.5 s, 5-6 Hz vibrato of ±0.5 %), plus about
    two Hann-shaped white-noise bursts per second (20-150 ms, like percussive
    hits) and a faint noise floor (no frame is digitally silent). It is
    normalised to a peak of 0.9.

    Parameters
    ----------
    duration : float > 0
        Length in seconds.
    sr : int > 0
        Sampling rate in Hz.
    seed : int
        Seed of the random choices (notes, vibrato phases, bursts, noise):
        the same arguments always give the same samples.

    Returns
    -------
    y : np.ndarray [shape=(round(duration * sr),), dtype=float32]

    Examples
    --------
    >>> y = bench_signal(1.0)
    >>> y.shape, y.dtype, float(abs(y).max())
    ((22050,), dtype('float32'), 0.8999999761581421)
    """
    n = int(round(duration * sr))
    rng = np.random.default_rng(seed)
    clip, _ = load(demo_path(), sr=sr)
    mix = 0.5 * np.resize(clip.astype(np.float64), n)
    mix += 0.08 * sum(_voice(n, sr, rng) for _ in range(3))
    mix += _bursts(n, sr, rng)
    mix += 1e-3 * rng.standard_normal(n)
    return (0.9 * mix / np.abs(mix).max()).astype(np.float32)


def _voice(n, sr, rng):
    """Five harmonics of a melody of random pentatonic notes, with vibrato."""
    note_length = int(_NOTE_SECONDS * sr)
    f0 = np.repeat(rng.choice(_PITCHES, size=-(-n // note_length)), note_length)[:n]
    t = np.arange(n) / sr
    rate, phase = rng.uniform(5.0, 6.0), rng.uniform(0.0, 2 * np.pi)
    f0 = f0 * (1.0 + 0.005 * np.sin(2 * np.pi * rate * t + phase))
    theta = 2 * np.pi * np.cumsum(f0) / sr
    return sum(np.sin(h * theta) / h ** 1.5 for h in range(1, 6))


def _bursts(n, sr, rng):
    """About two Hann-windowed white-noise bursts per second, 20-150 ms long."""
    out = np.zeros(n)
    count = max(1, int(2 * n / sr))
    for start, seconds in zip(rng.integers(0, n, size=count), rng.uniform(0.02, 0.15, size=count),
                             strict=True):
        length = min(int(seconds * sr), n - start)
        out[start:start + length] += 0.2 * rng.standard_normal(length) * np.hanning(length)
    return out
