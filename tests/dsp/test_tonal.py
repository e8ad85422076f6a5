"""Tests of listenwidgets.dsp.tonal: tonnetz, the pitch helix and Shepard-tone sonification.

Parity with librosa 0.11: tonnetz within 1e-6 given the same chroma; end to
end from audio within 1e-3 on frames away from the edges (its chroma_cqt
differs slightly, see test_chroma).
"""

import librosa
import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.data import demo_path
from listenwidgets.dsp import (
    C1_HZ,
    chroma_cqt,
    chroma_stft,
    cqt,
    load,
    pitch_helix,
    shepard_tone_synthesis,
    tonnetz,
)

SR = 22050


@pytest.fixture(scope="module")
def guitar():
    y, sr = load(demo_path("guitar_chords"))
    assert sr == SR
    return y[: 8 * sr].astype(np.float32)


# --- tonnetz ---------------------------------------------------------------------------

def test_tonnetz_equals_librosa_given_chroma(guitar):
    rng = np.random.default_rng(0)
    for chroma in (librosa.feature.chroma_cqt(y=guitar, sr=SR), rng.random((12, 50)),
                   rng.random((24, 10)), rng.random((2, 12, 7))):
        np.testing.assert_allclose(tonnetz(chroma=chroma), librosa.feature.tonnetz(chroma=chroma),
                                   rtol=0, atol=1e-6)


def test_tonnetz_end_to_end_close_to_librosa(guitar):
    ours = tonnetz(y=guitar, sr=SR)
    ref = librosa.feature.tonnetz(y=guitar, sr=SR)
    assert ours.shape == ref.shape == (6, 1 + guitar.size // 512)
    assert np.abs(ours - ref)[:, 35:-35].max() <= 1e-3


def test_tonnetz_is_harte_centroid():
    """Closed form: the three circles, radii 1, 1, 1/2, of an L1-normalised chroma."""
    chroma = np.zeros((12, 1))
    chroma[[0, 4, 7]] = 2.0  # C major triad
    l = np.array([0, 4, 7])
    expected = [
        np.mean(np.sin(l * 7 * np.pi / 6)), np.mean(np.cos(l * 7 * np.pi / 6)),
        np.mean(np.sin(l * 3 * np.pi / 2)), np.mean(np.cos(l * 3 * np.pi / 2)),
        0.5 * np.mean(np.sin(l * 2 * np.pi / 3)), 0.5 * np.mean(np.cos(l * 2 * np.pi / 3)),
    ]
    np.testing.assert_allclose(tonnetz(chroma=chroma).ravel(), expected, atol=1e-12)
    # a silent frame stays at the origin
    assert not tonnetz(chroma=np.zeros((12, 3))).any()


def test_tonnetz_bad_input():
    with pytest.raises(ParameterError, match="y=None, chroma=None"):
        tonnetz()
    with pytest.raises(ParameterError, match="chroma contains NaN"):
        tonnetz(chroma=np.full((12, 2), np.nan))
    with pytest.raises(ParameterError, match="NaN"):
        tonnetz(y=np.array([0.0, np.nan] * 1000))


# --- pitch helix -----------------------------------------------------------------------

def test_pitch_helix_geometry():
    helix = pitch_helix(np.ones((84, 3)))  # C1 .. B7
    assert helix.x.shape == helix.y.shape == helix.z.shape == (84,)
    np.testing.assert_allclose(helix.z, 1 + np.arange(84) / 12, atol=1e-12)  # octave numbers
    np.testing.assert_allclose(np.hypot(helix.x, helix.y), 1.0)
    # C at 12 o'clock, then clockwise in 30 degree steps
    np.testing.assert_allclose([helix.x[0], helix.y[0]], [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose([helix.x[3], helix.y[3]], [1.0, 0.0], atol=1e-12)  # D#: 3 o'clock
    # bins an octave apart share an angle (same pitch class), one unit higher
    np.testing.assert_allclose(helix.x[12:], helix.x[:-12], atol=1e-12)
    np.testing.assert_allclose(helix.y[12:], helix.y[:-12], atol=1e-12)
    assert helix.magnitude.shape == (84, 3)


def test_pitch_helix_of_a_cqt_and_a_chroma():
    t = np.arange(SR) / SR
    C = cqt(np.sin(2 * np.pi * 440.0 * t), sr=SR, n_bins=96, bins_per_octave=24, fmin=55.0)
    helix = pitch_helix(C, fmin=55.0, bins_per_octave=24, radius=2.0)
    loudest = helix.magnitude.mean(axis=1).argmax()
    assert helix.z[loudest] == pytest.approx(4.75)  # A4
    np.testing.assert_allclose(helix.magnitude, np.abs(C))
    chroma = np.eye(12)[:, :1]
    ring = pitch_helix(chroma[:, 0])
    np.testing.assert_allclose(ring.z, 1 + np.arange(12) / 12)
    assert ring.magnitude.shape == (12,)
    tuned = pitch_helix(np.ones(12), tuning=0.5)
    np.testing.assert_allclose(tuned.z, ring.z + 0.5 / 12)


def test_pitch_helix_bad_input():
    with pytest.raises(ParameterError, match="C.shape"):
        pitch_helix(np.ones((2, 12, 3)))
    with pytest.raises(ParameterError, match="NaN"):
        pitch_helix(np.array([1.0, np.nan]))
    with pytest.raises(ParameterError, match="radius"):
        pitch_helix(np.ones(12), radius=0)


# --- Shepard tones ---------------------------------------------------------------------

def test_shepard_tone_has_octave_spaced_partials_of_its_pitch_class():
    chroma = np.zeros((12, 40))
    chroma[9] = 1.0  # A
    y = shepard_tone_synthesis(chroma, sr=SR, hop_length=512, f_center=440.0, n_octaves=6)
    assert y.shape == (40 * 512,) and y.dtype == np.float32
    assert np.abs(y).max() == pytest.approx(0.9, abs=1e-6)
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size))) ** 2
    freqs = np.fft.rfftfreq(y.size, 1 / SR)
    # all the energy lies at A's octaves (within +-10 Hz), within n_octaves / 2 of the centre
    near = {k: np.abs(freqs - 440.0 * 2.0**k) < 10 for k in range(-3, 4)}
    outside = ~np.any([near[k] for k in range(-3, 4)], axis=0)
    assert spectrum[outside].sum() < 1e-4 * spectrum.sum()
    strength = {k: spectrum[near[k]].sum() for k in range(-3, 4)}
    assert all(strength[k] > 1e-4 * spectrum.sum() for k in (-1, 0, 1))
    # the bell-shaped envelope (sigma = 1 octave) peaks at f_center, symmetric in octaves:
    # amplitude exp(-1/2) one octave away, so energy ratio exp(-1)
    assert max(strength, key=strength.get) == 0
    for k in (-1, 1):
        assert strength[k] / strength[0] == pytest.approx(np.exp(-1.0), rel=0.05)


@pytest.mark.parametrize("pitch_class", [0, 4, 7, 11])
def test_shepard_round_trip_keeps_the_pitch_class(pitch_class):
    chroma = np.zeros((12, 60))
    chroma[pitch_class] = 1.0
    y = shepard_tone_synthesis(chroma, sr=SR)
    assert chroma_cqt(y=y, sr=SR).mean(axis=1).argmax() == pitch_class
    assert chroma_stft(y=y, sr=SR).mean(axis=1).argmax() == pitch_class


def test_shepard_amplitude_follows_the_chroma():
    chroma = np.zeros((12, 40))
    chroma[0, :20] = 1.0  # C for 20 frames, then silence
    chroma[7, 20:] = 0.5  # G, quieter, afterwards
    y = shepard_tone_synthesis(chroma, sr=SR, hop_length=512, base_c=True)
    first, second = y[: 19 * 512], y[21 * 512:]
    assert np.sqrt(np.mean(second**2)) == pytest.approx(0.5 * np.sqrt(np.mean(first**2)), rel=0.1)
    # linear interpolation between frame centres: no jumps
    assert np.abs(np.diff(y)).max() < 0.3
    a_rows = shepard_tone_synthesis(np.roll(chroma, -9, axis=0), sr=SR, base_c=False)
    np.testing.assert_allclose(a_rows, y, atol=1e-6)  # row 0 = A when base_c=False


def test_shepard_silence_and_length():
    assert not shepard_tone_synthesis(np.zeros((12, 5))).any()
    assert shepard_tone_synthesis(np.ones((12, 5)), length=1000).shape == (1000,)


@pytest.mark.parametrize("kwargs,match", [
    (dict(chroma=-np.ones((12, 4))), "non-negative"),
    (dict(chroma=np.full((12, 4), np.nan)), "NaN"),
    (dict(chroma=np.ones(12)), "chroma.shape"),
    (dict(chroma=np.ones((12, 4)), peak=1.0), "peak"),
    (dict(chroma=np.ones((12, 4)), f_center=20000.0), r"f_center=20000.0.*sr=22050"),
    (dict(chroma=np.ones((12, 4)), hop_length=0), "hop_length"),
    (dict(chroma=np.ones((12, 4)), sigma=0), "sigma"),
])
def test_shepard_bad_input(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        shepard_tone_synthesis(**kwargs)


def test_fmin_default_is_c1():
    assert pitch_helix(np.ones(1)).z[0] == pytest.approx(np.log2(C1_HZ / (C1_HZ / 2)))
