"""Tests of listenwidgets.dsp.lpc: Burg (as librosa.lpc), Levinson–Durbin, gain and envelope."""

import librosa
import numpy as np
import pytest
import scipy.linalg
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import frame, lpc, lpc_autocorrelation, lpc_envelope, lpc_gain


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
    y = scipy.signal.lfilter([1.0], formant_filter(sr), source)
    return (0.5 * y / np.abs(y).max()).astype(np.float32), sr


def formant_filter(sr, formants=((700, 80), (1220, 90), (2600, 120))):
    """Denominator A(z) of an all-pole vowel filter with the given (frequency, bandwidth) pairs."""
    a = np.array([1.0])
    for f, bw in formants:
        r = np.exp(-np.pi * bw / sr)
        a = np.convolve(a, [1, -2 * r * np.cos(2 * np.pi * f / sr), r * r])
    return a


@pytest.fixture(scope="module")
def frames():
    y, _ = real_or_synthetic()
    return frame(y, frame_length=1024, hop_length=256).T * np.hanning(1024).astype(np.float32)


# --- Burg ---------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [1, 2, 8, 16, 40])
def test_burg_matches_librosa_float64(frames, order):
    x = frames.astype(np.float64)
    np.testing.assert_allclose(lpc(x, order=order), librosa.lpc(x, order=order), rtol=0, atol=1e-4)


def test_burg_matches_librosa_closely_on_noise():
    x = np.random.default_rng(0).standard_normal((7, 500))
    np.testing.assert_allclose(lpc(x, order=12), librosa.lpc(x, order=12), rtol=0, atol=1e-10)


def test_burg_float32_is_computed_in_float64(frames):
    # librosa runs Burg's recursion in float32 for float32 input and loses precision on real
    # frames; this implementation always works in float64 and returns the input's dtype.
    ours = lpc(frames, order=16)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, librosa.lpc(frames.astype(np.float64), order=16),
                               rtol=0, atol=1e-4)


def test_axis_and_shapes(frames):
    x = frames[:6].astype(np.float64)
    by_row = lpc(x, order=10)
    assert by_row.shape == (6, 11)
    np.testing.assert_allclose(lpc(x.T, order=10, axis=0), by_row.T, atol=1e-12)
    np.testing.assert_allclose(lpc(x.reshape(2, 3, -1), order=10), by_row.reshape(2, 3, 11),
                               atol=1e-12)
    np.testing.assert_allclose(lpc(x[0], order=10), by_row[0], atol=1e-12)
    np.testing.assert_allclose(librosa.lpc(x.T, order=10, axis=0), by_row.T, atol=1e-4)


def test_order_equal_to_length_minus_one_works():
    x = np.random.default_rng(2).standard_normal((3, 17))
    np.testing.assert_allclose(lpc(x, order=16), librosa.lpc(x, order=16), atol=1e-4)


@pytest.mark.parametrize("method", [lpc, lpc_autocorrelation])
def test_recovers_ar2(method):
    rng = np.random.default_rng(0)
    y = scipy.signal.lfilter([1.0], [1.0, -1.5, 0.8], rng.standard_normal(40000))
    np.testing.assert_allclose(method(y, order=2), [1.0, -1.5, 0.8], atol=0.02)


@pytest.mark.parametrize("method", [lpc, lpc_autocorrelation])
def test_recovers_formant_filter(method):
    sr = 16000
    a_true = formant_filter(sr)
    y = scipy.signal.lfilter([1.0], a_true, np.random.default_rng(1).standard_normal(60000))
    # The autocorrelation method needs a tapered frame (a rectangular one leaks and misses
    # these sharp resonances by ~18 dB); Burg does not, and is tested on both.
    inputs = [y * np.hanning(len(y))] + ([y] if method is lpc else [])
    freqs = np.fft.rfftfreq(1024, 1 / sr)
    _, H = scipy.signal.freqz([1.0], a_true, worN=freqs, fs=sr)
    for x in inputs:
        a = method(x, order=6)
        poles = np.roots(a)
        formants = np.sort(np.angle(poles[poles.imag > 0])) * sr / (2 * np.pi)
        np.testing.assert_allclose(formants, [700, 1220, 2600], atol=10)
        error_db = 20 * np.log10(lpc_envelope(a, n_fft=1024) / np.abs(H))
        assert np.abs(error_db - error_db.mean()).max() < 1.5
    if method is lpc:
        np.testing.assert_allclose(lpc(y, order=6), a_true, atol=0.05)


# --- Levinson–Durbin ---------------------------------------------------------------------

@pytest.mark.parametrize("order", [1, 5, 16, 30])
def test_levinson_solves_the_normal_equations(frames, order):
    for x in frames[::40].astype(np.float64):
        if not x.any():
            continue
        r = np.array([x[:len(x) - j] @ x[j:] for j in range(order + 1)])
        alpha = scipy.linalg.solve_toeplitz(r[:order], r[1:])  # the lecture's x̂ = Σ α_k x(n-k)
        a = lpc_autocorrelation(x, order=order)
        np.testing.assert_allclose(a[0], 1.0)
        np.testing.assert_allclose(-a[1:], alpha, rtol=1e-8, atol=1e-8 * np.abs(alpha).max())


def test_autocorrelation_method_is_stable(frames):
    a = lpc_autocorrelation(frames.astype(np.float64), order=24)
    roots = [np.abs(np.roots(row)).max() for row in a[::25] if np.any(row[1:])]
    assert max(roots) < 1.0


# --- gain and envelope ---------------------------------------------------------------------

def test_gain_is_the_residual_energy(frames):
    x = frames[100].astype(np.float64)
    for method in (lpc, lpc_autocorrelation):
        a = method(x, order=12)
        residual = scipy.signal.lfilter(a, [1.0], np.r_[x, np.zeros(12)])
        assert lpc_gain(x, a) == pytest.approx(np.sqrt(residual @ residual), rel=1e-9)
    assert lpc_gain(frames[:5], lpc(frames[:5], order=4)).shape == (5,)


def test_envelope_is_the_all_pole_response():
    a = formant_filter(16000)
    _, H = scipy.signal.freqz([2.5], a, worN=np.fft.rfftfreq(512, 1 / 16000), fs=16000)
    np.testing.assert_allclose(lpc_envelope(a, n_fft=512, gain=2.5), np.abs(H), rtol=1e-10)
    batch = lpc_envelope(np.stack([a, a]), n_fft=512, gain=np.array([1.0, 2.0]))
    np.testing.assert_allclose(batch[1], 2 * batch[0])


@pytest.mark.parametrize("method", [lpc, lpc_autocorrelation])
def test_envelope_fits_a_vowel_frame(method):
    sr, n = 16000, 1024
    a_true = formant_filter(sr)
    source = np.zeros(n + 2000)
    source[::sr // 120] = 1.0
    x = scipy.signal.lfilter([1.0], a_true, source)[2000:] * np.hanning(n)
    a = method(x, order=12)
    envelope = lpc_envelope(a, n_fft=n, gain=lpc_gain(x, a))
    freqs = np.fft.rfftfreq(n, 1 / sr)
    _, H = scipy.signal.freqz([1.0], a_true, worN=freqs, fs=sr)
    # the shape follows the true vocal-tract response (stated: within 2 dB up to 4 kHz) ...
    band = (freqs > 100) & (freqs < 4000)
    error_db = 20 * np.log10(envelope[band] / np.abs(H[band]))
    assert np.abs(error_db - error_db.mean()).max() < 2.0
    # ... and with the gain of lpc_gain its power equals the frame's (within 0.5 dB)
    spectrum = np.abs(np.fft.rfft(x))
    assert abs(10 * np.log10(np.mean(envelope**2) / np.mean(spectrum**2))) < 0.5


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("method", [lpc, lpc_autocorrelation])
def test_silence_is_defined(method):
    a = method(np.zeros((3, 256), np.float32), order=8)
    np.testing.assert_array_equal(a, np.tile(np.r_[1.0, np.zeros(8)], (3, 1)))
    assert lpc_gain(np.zeros(256), a[0]) == 0.0
    envelope = lpc_envelope(a, n_fft=256, gain=0.0)
    assert np.isfinite(envelope).all() and not envelope.any()
    np.testing.assert_array_equal(librosa.lpc(np.zeros(256), order=8), a[0])


@pytest.mark.parametrize("method", [lpc, lpc_autocorrelation])
def test_nan_frame_is_an_error(method):
    x = np.random.default_rng(0).standard_normal((4, 256))
    x[2, 10] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        method(x, order=8)


@pytest.mark.parametrize("method", [lpc, lpc_autocorrelation])
def test_order_too_large_is_an_error(method):
    with pytest.raises(ParameterError, match=r"order=64.*length=64"):
        method(np.ones(64), order=64)
    with pytest.raises(ParameterError, match=r"order=100.*length=64"):
        method(np.ones((3, 64)), order=100)
    with pytest.raises(ParameterError, match="order="):
        method(np.ones(64), order=0)
    with pytest.raises(ParameterError, match="axis=3"):
        method(np.ones(64), order=2, axis=3)


def test_bad_envelope_and_gain_arguments():
    with pytest.raises(ParameterError, match="n_fft=4"):
        lpc_envelope(np.ones(9), n_fft=4)
    with pytest.raises(ParameterError, match="finite"):
        lpc_envelope(np.array([1.0, np.nan]), n_fft=16)
    with pytest.raises(ParameterError, match="gain="):
        lpc_envelope(np.array([1.0, 0.5]), n_fft=16, gain=-1.0)
    with pytest.raises(ParameterError, match="frames"):
        lpc_gain(np.ones((3, 64)), np.ones((2, 5)))
