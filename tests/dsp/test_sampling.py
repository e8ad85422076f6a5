"""Tests for listenwidgets.dsp.sampling: aliasing, sinc interpolation, filtering, reconstruction."""

import numpy as np
import pytest
import scipy.signal

from listenwidgets.dsp import (
    ParameterError,
    alias_frequency,
    lowpass,
    reconstruct,
    sample,
    sinc_interpolate,
    tone,
)

ANALOG_SR = 96000  # the dense "analog" reference


def peak_frequency(x, sr):
    """Frequency of the largest Hann-windowed spectral peak (1 Hz bins for 1 s of signal)."""
    spectrum = np.abs(np.fft.rfft(x * scipy.signal.get_window("hann", x.shape[0])))
    return np.fft.rfftfreq(x.shape[0], 1.0 / sr)[spectrum.argmax()]


def test_alias_frequency_values():
    assert alias_frequency(1000.0, sr=8000) == 1000.0
    assert alias_frequency(4000.0, sr=8000) == 4000.0
    assert alias_frequency(5000.0, sr=8000) == 3000.0
    assert alias_frequency(8000.0, sr=8000) == 0.0
    assert alias_frequency(17000.0, sr=8000) == 1000.0
    assert alias_frequency(-3000.0, sr=8000) == 3000.0
    np.testing.assert_array_equal(alias_frequency(np.array([100.0, 7900.0, 12100.0]), sr=8000),
                                  [100.0, 100.0, 3900.0])


@pytest.mark.parametrize(
    "frequency, target_sr",
    [(1000.0, 8000), (3000.0, 8000), (5000.0, 8000), (7300.0, 8000), (9100.0, 8000),
     (13000.0, 8000), (30000.0, 11025), (14000.0, 22050), (25000.0, 16000), (3500.0, 4410)],
)
def test_alias_frequency_is_the_peak_of_the_sampled_tone(frequency, target_sr):
    analog = tone(frequency=frequency, sr=ANALOG_SR, duration=1.0)
    x = sample(analog, sr=ANALOG_SR, target_sr=target_sr)
    assert x.shape == (target_sr,)
    # 1 Hz bins; non-integer rate ratios put the peak within a bin of the alias.
    assert abs(peak_frequency(x, target_sr) - alias_frequency(frequency, sr=target_sr)) <= 1.0


def test_sample_at_integer_ratio_picks_the_samples():
    analog = np.random.default_rng(0).standard_normal(6000)
    # At t = n / target_sr the kernel sits on a sample: sinc(0) = 1, other taps ~ 1e-16.
    np.testing.assert_allclose(sample(analog, sr=6000, target_sr=2000), analog[::3], atol=1e-12)


def test_anti_aliasing_removes_what_would_alias():
    high = tone(frequency=7000.0, sr=ANALOG_SR, duration=1.0)
    low = tone(frequency=1000.0, sr=ANALOG_SR, duration=1.0)
    interior = slice(1000, 7000)  # the filter's zero-padded ends are excluded
    aliased = sample(high, sr=ANALOG_SR, target_sr=8000)
    filtered = sample(high, sr=ANALOG_SR, target_sr=8000, anti_alias=True)
    assert np.abs(aliased[interior]).max() > 0.99
    assert np.abs(filtered[interior]).max() < 1e-3  # 60 dB stop band
    kept = sample(low, sr=ANALOG_SR, target_sr=8000, anti_alias=True)
    expected = tone(frequency=1000.0, sr=8000, duration=1.0)
    np.testing.assert_allclose(kept[interior], expected[interior], atol=2e-3)


@pytest.mark.parametrize("target_sr", [44100, 22050, 48000, 9000])
def test_sinc_reconstruction_of_a_band_limited_signal(target_sr):
    sr = 8000
    partials = [(220.0, 0.5, 0.1), (1375.5, 0.3, 1.0), (3100.0, 0.2, -2.0)]  # all below 0.4 sr

    def signal(t):
        return sum(a * np.cos(2 * np.pi * f * t + p) for f, a, p in partials)

    x = signal(np.arange(sr) / sr)
    y_hat = reconstruct(x, sr=sr, target_sr=target_sr)
    t = np.arange(y_hat.shape[0]) / target_sr
    interior = (t > 0.01) & (t < 0.99)  # the kernel reaches 32 samples (4 ms) past each end
    # Kaiser-tapered sinc, 32 zeros: error < 1e-3 of the peak for partials below 0.4 sr.
    np.testing.assert_allclose(y_hat[interior], signal(t[interior]), atol=1e-3)


def test_sinc_interpolate_at_sample_instants_returns_the_samples():
    y = np.random.default_rng(1).standard_normal(100)
    np.testing.assert_allclose(sinc_interpolate(y, sr=50, times=np.arange(100) / 50), y,
                               atol=1e-12)


def test_sinc_interpolate_outside_the_signal_is_zero():
    y = np.ones(10)
    np.testing.assert_array_equal(sinc_interpolate(y, sr=10, times=np.array([-10.0, 50.0])), 0.0)


def test_sinc_interpolate_many_points_in_chunks():
    y = tone(frequency=50.0, sr=1000, duration=1.0)
    times = np.linspace(0.1, 0.9, 100001)  # more points than one kernel chunk holds
    np.testing.assert_allclose(sinc_interpolate(y, sr=1000, times=times),
                               np.cos(2 * np.pi * 50.0 * times), atol=1e-4)


def test_zero_order_hold():
    y = np.array([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(reconstruct(y, sr=2, target_sr=6, method="zoh"),
                                  [1.0, 1.0, 1.0, -2.0, -2.0, -2.0, 3.0, 3.0, 3.0])
    # t = 0, 0.2, ..., 1.4 s; held sample floor(2 t) = 0, 0, 0, 1, 1, 2, 2, 2.
    np.testing.assert_array_equal(reconstruct(y, sr=2, target_sr=5, method="zoh"),
                                  [1.0, 1.0, 1.0, -2.0, -2.0, 3.0, 3.0, 3.0])


def test_reconstruct_output_length_for_any_ratio():
    y = np.zeros(1000)
    assert reconstruct(y, sr=8000, target_sr=44100).shape == (5513,)  # ceil(1000 * 44100 / 8000)
    assert reconstruct(y, sr=8000, target_sr=3000).shape == (375,)


def test_lowpass_is_zero_phase_and_removes_the_stop_band():
    sr = 16000
    low = tone(frequency=300.0, sr=sr, duration=1.0)
    high = tone(frequency=6000.0, sr=sr, duration=1.0, amplitude=0.5)
    y_lp = lowpass(low + high, sr=sr, cutoff=2000.0)
    interior = slice(2000, 14000)
    # No delay and unit pass-band gain: the low tone comes out where it went in.
    np.testing.assert_allclose(y_lp[interior], low[interior], atol=1e-3)


def test_lowpass_explicit_numtaps():
    sr = 8000
    y = tone(frequency=3500.0, sr=sr, duration=1.0)
    y_lp = lowpass(y, sr=sr, cutoff=1000.0, numtaps=101)
    assert np.abs(y_lp[500:7500]).max() < 1e-2


@pytest.mark.parametrize(
    "call, message",
    [(lambda: lowpass(np.ones(100), sr=8000, cutoff=4000.0), "cutoff=4000.0"),
     (lambda: lowpass(np.ones(100), sr=8000, cutoff=1000.0, numtaps=100), "numtaps=100"),
     (lambda: sample(np.ones(100), sr=8000, target_sr=0), "target_sr=0"),
     (lambda: sample(np.ones(100), sr=-1, target_sr=8000), "sr=-1"),
     (lambda: reconstruct(np.ones(100), sr=8000, target_sr=16000, method="linear"),
      "method='linear'"),
     (lambda: sinc_interpolate(np.ones(100), sr=100, times=np.ones(3), zeros=0), "zeros=0"),
     (lambda: sinc_interpolate(np.ones(100), sr=100, times=np.array([np.nan])), "times="),
     (lambda: sample(np.zeros(0), sr=8000, target_sr=4000), "0 samples"),
     (lambda: sample(np.array([0.0, np.inf]), sr=8000, target_sr=4000), "NaN or Inf"),
     (lambda: alias_frequency(np.nan, sr=8000), "frequency=nan")],
)
def test_bad_arguments_name_the_value(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
