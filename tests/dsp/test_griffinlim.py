"""Tests of listenwidgets.dsp.griffinlim: fast Griffin–Lim and spectral convergence.

Griffin–Lim follows librosa step for step (same random phases for an integer
random_state), so the outputs agree to rounding: 1e-10 of the peak in float64,
1e-3 in float32.
"""

import librosa
import numpy as np
import pytest
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import griffinlim, spectral_convergence, stft


def real_or_synthetic(name="speech_female"):
    """A bundled clip if present, else a synthetic vowel /a/ (pulse train through formants)."""
    try:
        from listenwidgets.data import demo_names, demo_path
        from listenwidgets.dsp import load
        if name in demo_names():
            return load(demo_path(name))
    except ImportError:
        pass
    sr = 16000
    source = np.zeros(3 * sr)
    source[::sr // 120] = 1.0
    a = np.array([1.0])
    for f, bw in [(700, 80), (1220, 90), (2600, 120)]:
        r = np.exp(-np.pi * bw / sr)
        a = np.convolve(a, [1, -2 * r * np.cos(2 * np.pi * f / sr), r * r])
    y = scipy.signal.lfilter([1.0], a, source)
    return (0.5 * y / np.abs(y).max()).astype(np.float32), sr


@pytest.fixture(scope="module")
def clip():
    y, sr = real_or_synthetic()
    return y[:24000], sr


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(momentum=0.0),
    dict(init=None),
    dict(n_fft=1024, win_length=800, window="hamming", length=24000),
    dict(center=False, pad_mode="constant"),
])
def test_griffinlim_matches_librosa_float64(clip, kwargs):
    y, _ = clip
    n_fft = kwargs.pop("n_fft", 1024)
    win_length = kwargs.get("win_length")
    window = kwargs.get("window", "hann")
    center = kwargs.get("center", True)
    S = np.abs(stft(y.astype(np.float64), n_fft=n_fft, hop_length=256, win_length=win_length,
                    window=window, center=center))
    ours = griffinlim(S, n_iter=12, hop_length=256, random_state=0, **kwargs)
    theirs = librosa.griffinlim(S, n_iter=12, hop_length=256, random_state=0, **kwargs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.float64
    assert np.abs(ours - theirs).max() <= 1e-10 * np.abs(theirs).max()


def test_griffinlim_matches_librosa_float32(clip):
    y, _ = clip
    S = np.abs(stft(y, n_fft=1024, hop_length=256))
    ours = griffinlim(S, n_iter=16, hop_length=256, random_state=3)
    theirs = librosa.griffinlim(S, n_iter=16, hop_length=256, random_state=3)
    assert ours.dtype == theirs.dtype == np.float32
    assert np.abs(ours - theirs).max() <= 1e-3 * np.abs(theirs).max()


def test_griffinlim_converges(clip):
    y, _ = clip
    S = np.abs(stft(y, n_fft=1024, hop_length=256))
    errors = [spectral_convergence(S, griffinlim(S, n_iter=n, hop_length=256, random_state=0),
                                   hop_length=256)
              for n in (1, 8, 32)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.2  # stated target: 32 fast iterations reach SC < 0.2 on speech
    assert spectral_convergence(S, y, hop_length=256) < 1e-5


def test_momentum_speeds_up(clip):
    y, _ = clip
    S = np.abs(stft(y, n_fft=1024, hop_length=256))
    fast = griffinlim(S, n_iter=16, hop_length=256, random_state=0)
    plain = griffinlim(S, n_iter=16, hop_length=256, random_state=0, momentum=0.0)
    assert (spectral_convergence(S, fast, hop_length=256)
            < spectral_convergence(S, plain, hop_length=256))


def test_random_state_kinds(clip):
    y, _ = clip
    S = np.abs(stft(y[:4096], n_fft=512))
    a = griffinlim(S, n_iter=2, random_state=5)
    b = griffinlim(S, n_iter=2, random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(a, b)
    c = griffinlim(S, n_iter=2, random_state=np.random.default_rng(5))
    assert c.shape == a.shape
    with pytest.raises(ParameterError, match="random_state="):
        griffinlim(S, random_state="seed")


def test_silence_gives_zeros():
    out = griffinlim(np.zeros((513, 20), np.float32), n_iter=4, random_state=0)
    assert np.isfinite(out).all() and not out.any()


def test_bad_input():
    S = np.ones((513, 10))
    with pytest.raises(ParameterError, match="NaN"):
        griffinlim(np.where(np.eye(513, 10) > 0, np.nan, S))
    with pytest.raises(ParameterError, match="non-negative"):
        griffinlim(-S)
    with pytest.raises(ParameterError, match="real"):
        griffinlim(S.astype(complex))
    with pytest.raises(ParameterError, match="momentum="):
        griffinlim(S, momentum=-0.5)
    with pytest.raises(ParameterError, match="init="):
        griffinlim(S, init="zeros")
    with pytest.raises(ParameterError, match="n_iter="):
        griffinlim(S, n_iter=0)
    with pytest.warns(UserWarning, match="momentum=1.5"):
        griffinlim(S, n_iter=1, momentum=1.5, random_state=0)
    with pytest.raises(ParameterError, match="length=5000"):
        griffinlim(S, length=5000)
    with pytest.raises(ParameterError, match="S.shape"):
        spectral_convergence(S, np.zeros(100))
