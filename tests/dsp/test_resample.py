"""Tests of listenwidgets.dsp.resample: resample and to_mono."""

import math

import librosa
import numpy as np
import pytest
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import resample, to_mono


def tone(freq, sr, seconds=1.0):
    return np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)


def peak_frequency(y, sr):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y)), n=8 * len(y)))
    return np.fft.rfftfreq(8 * len(y), 1 / sr)[np.argmax(spectrum)]


@pytest.mark.parametrize("orig_sr, target_sr", [
    (44100, 22050), (22050, 44100), (48000, 16000), (32000, 22050), (16000, 22050), (8000, 44100),
])
def test_matches_librosa_polyphase(orig_sr, target_sr):
    rng = np.random.default_rng(0)
    y = rng.standard_normal(orig_sr // 2)
    expected = librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type="polyphase")
    got = resample(y, orig_sr=orig_sr, target_sr=target_sr)
    assert got.shape == expected.shape == (math.ceil(len(y) * target_sr / orig_sr),)
    # Same algorithm, same filter: equal to rounding error.
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_matches_scipy_directly():
    y = tone(440, 44100)
    np.testing.assert_array_equal(resample(y, orig_sr=44100, target_sr=16000),
                                  scipy.signal.resample_poly(y, 160, 441))


@pytest.mark.parametrize("orig_sr, target_sr, freq", [
    (44100, 22050, 1000.0), (22050, 44100, 3000.0), (48000, 16000, 440.0), (32000, 22050, 5000.0),
])
def test_sine_frequency_and_level_preserved(orig_sr, target_sr, freq):
    y_hat = resample(tone(freq, orig_sr), orig_sr=orig_sr, target_sr=target_sr)
    # Within the zero-padded FFT's bin spacing (target_sr / (8 n) = 0.125 Hz for 1 s).
    assert peak_frequency(y_hat, target_sr) == pytest.approx(freq, abs=0.25)
    middle = y_hat[len(y_hat) // 4: -len(y_hat) // 4]
    assert np.sqrt(np.mean(middle ** 2)) == pytest.approx(1 / np.sqrt(2), rel=0.01)


def test_component_above_new_nyquist_is_removed():
    # 10 kHz at 44.1 kHz going to 16 kHz (Nyquist 8 kHz) must not alias to 6 kHz.
    y_hat = resample(tone(10000, 44100), orig_sr=44100, target_sr=16000)
    assert np.max(np.abs(y_hat[1000:-1000])) < 0.01


def test_multichannel_along_last_axis():
    y = np.stack([tone(440, 22050), tone(880, 22050), np.zeros(22050)])
    y_hat = resample(y, orig_sr=22050, target_sr=16000)
    assert y_hat.shape == (3, 16000)
    for channel in range(3):
        np.testing.assert_allclose(
            y_hat[channel], resample(y[channel], orig_sr=22050, target_sr=16000), atol=1e-12)
    batch = resample(y.reshape(3, 1, -1), orig_sr=22050, target_sr=16000)
    assert batch.shape == (3, 1, 16000)


def test_dtype_is_kept_and_equal_rates_return_input():
    y = tone(440, 8000).astype(np.float32)
    assert resample(y, orig_sr=8000, target_sr=16000).dtype == np.float32
    assert resample(y, orig_sr=8000, target_sr=8000) is y
    assert resample(y, orig_sr=8000.0, target_sr=16000.0).shape == (16000,)


@pytest.mark.parametrize("kwargs, match", [
    (dict(orig_sr=0, target_sr=22050), "orig_sr=0"),
    (dict(orig_sr=-44100, target_sr=22050), "orig_sr=-44100"),
    (dict(orig_sr=44100, target_sr=0), "target_sr=0"),
    (dict(orig_sr=44100, target_sr=-1), "target_sr=-1"),
    (dict(orig_sr=44100, target_sr=22050.5), "target_sr=22050.5"),
    (dict(orig_sr=float("nan"), target_sr=22050), "orig_sr=nan"),
    (dict(orig_sr="44100", target_sr=22050), "orig_sr='44100'"),
    (dict(orig_sr=True, target_sr=22050), "orig_sr=True"),
])
def test_bad_rates(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        resample(np.zeros(100), **kwargs)


@pytest.mark.parametrize("y, match", [
    (np.zeros(100, dtype=np.int16), "y.dtype=int16"),
    (np.array([0.0, np.nan, 0.0]), "NaN or Inf"),
    (np.zeros(0), "0 samples"),
])
def test_bad_signal(y, match):
    with pytest.raises(ParameterError, match=match):
        resample(y, orig_sr=8000, target_sr=16000)


def test_to_mono_averages_channels_like_librosa():
    rng = np.random.default_rng(1)
    y = rng.uniform(-1, 1, size=(2, 1000))
    np.testing.assert_allclose(to_mono(y), (y[0] + y[1]) / 2)
    np.testing.assert_allclose(to_mono(y), librosa.to_mono(y))
    many = rng.uniform(-1, 1, size=(8, 500))
    np.testing.assert_allclose(to_mono(many), many.sum(axis=0) / 8)
    nested = rng.uniform(-1, 1, size=(2, 3, 400))
    np.testing.assert_allclose(to_mono(nested), librosa.to_mono(nested))


def test_to_mono_keeps_mono_and_checks_input():
    y = np.linspace(-1, 1, 50)
    assert to_mono(y) is y
    with pytest.raises(ParameterError, match="y.dtype=int32"):
        to_mono(np.zeros((2, 10), dtype=np.int32))
    with pytest.raises(ParameterError, match="NaN or Inf"):
        to_mono(np.array([[0.0, np.inf], [0.0, 0.0]]))
