"""Tests of listenwidgets.dsp.cepstrum: real cepstrum, the lecture's lifter, the envelope."""

import numpy as np
import pytest
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import cepstral_envelope, lifter_lowpass, real_cepstrum

SR = 16000


def formant_filter(sr, formants=((700, 80), (1220, 90), (2600, 120))):
    """Denominator A(z) of an all-pole vowel filter with the given (frequency, bandwidth) pairs."""
    a = np.array([1.0])
    for f, bw in formants:
        r = np.exp(-np.pi * bw / sr)
        a = np.convolve(a, [1, -2 * r * np.cos(2 * np.pi * f / sr), r * r])
    return a


def true_response(n_fft):
    _, H = scipy.signal.freqz([1.0], formant_filter(SR), worN=np.fft.rfftfreq(n_fft, 1 / SR), fs=SR)
    return np.abs(H)


def test_real_cepstrum_is_ifft_of_log_magnitude():
    x = np.random.default_rng(0).standard_normal((3, 400))
    c = real_cepstrum(x, n_fft=512)
    expected = np.fft.ifft(np.log(np.abs(np.fft.fft(x, n=512))), axis=-1)
    np.testing.assert_allclose(c, expected.real, atol=1e-12)
    np.testing.assert_allclose(expected.imag, 0, atol=1e-12)
    np.testing.assert_allclose(c[:, 1:], c[:, :0:-1], atol=1e-12)  # even: c(n) = c(N - n)


def test_frame_and_spectrum_inputs_agree():
    x = np.random.default_rng(1).standard_normal(300)
    S = np.abs(np.fft.rfft(x, n=512))
    np.testing.assert_allclose(real_cepstrum(x, n_fft=512), real_cepstrum(S=S), atol=1e-12)
    S_odd = np.abs(np.fft.rfft(x, n=511))
    np.testing.assert_allclose(real_cepstrum(x, n_fft=511), real_cepstrum(S=S_odd, n_fft=511),
                               atol=1e-12)
    np.testing.assert_allclose(cepstral_envelope(x, n_fft=512, n_lifter=20),
                               cepstral_envelope(S=S, n_lifter=20), rtol=1e-10)


def test_minimum_phase_cepstrum_is_known():
    # ln(1 - b z^-1) = -Σ b^n z^-n / n, so the real (even) cepstrum is -b^n / (2n) for n >= 1.
    b = 0.6
    c = real_cepstrum(np.array([1.0, -b]), n_fft=4096)
    n = np.arange(1, 20)
    np.testing.assert_allclose(c[n], -b**n / (2 * n), atol=1e-12)
    assert abs(c[0]) < 1e-12


def test_lifter_is_the_lecture_window():
    w = lifter_lowpass(16, n_lifter=5)
    np.testing.assert_array_equal(w, [1, 2, 2, 2, 2, 1] + [0] * 10)
    np.testing.assert_array_equal(lifter_lowpass(8, n_lifter=0), [1, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(lifter_lowpass(8, n_lifter=4), [1, 2, 2, 2, 1, 0, 0, 0])
    assert lifter_lowpass(16, n_lifter=5) is w and not w.flags.writeable


def test_lifter_equals_symmetric_truncation():
    # Re FFT(w_LP c) = FFT of c kept at |n| <= N1 (c even): the lecture's lifter folds the
    # negative quefrencies onto the positive ones.
    x = np.random.default_rng(2).standard_normal(256)
    c = real_cepstrum(x)
    N1 = 20
    symmetric = np.zeros(256)
    symmetric[:N1 + 1] = c[:N1 + 1]
    symmetric[-N1:] = c[-N1:]
    symmetric[N1] *= 0.5
    symmetric[-N1] *= 0.5
    np.testing.assert_allclose(np.log(cepstral_envelope(x, n_lifter=N1)),
                               np.fft.rfft(symmetric).real, atol=1e-10)


def test_envelope_of_all_pole_impulse_response():
    # Windowed (truncated, 1024 samples) impulse response of a known three-formant filter:
    # the liftered envelope tracks |1/A| within the stated dB everywhere (an all-pole
    # response has no nulls).
    n = 1024
    h = scipy.signal.lfilter([1.0], formant_filter(SR), np.r_[1.0, np.zeros(n - 1)])
    H = true_response(n)
    for n_lifter, tolerance_db in [(60, 2.5), (100, 1.0)]:
        error_db = 20 * np.log10(cepstral_envelope(h, n_lifter=n_lifter) / H)
        assert np.abs(error_db).max() < tolerance_db
    # more lifter coefficients, closer fit
    errors = [np.abs(20 * np.log10(cepstral_envelope(h, n_lifter=L) / H)).mean()
              for L in (10, 30, 90)]
    assert errors[0] > errors[1] > errors[2]


def test_envelope_of_a_vowel_frame_removes_the_harmonics():
    n, f0 = 1024, 125
    source = np.zeros(n + 2000)
    source[::SR // f0] = 1.0
    x = scipy.signal.lfilter([1.0], formant_filter(SR), source)[2000:] * np.hanning(n)
    H = true_response(n)
    freqs = np.fft.rfftfreq(n, 1 / SR)
    band = (freqs > 100) & (freqs < 4000)
    # lifter below the pitch period (128 samples): the envelope follows the vocal tract, up
    # to a level offset, within 4 dB, while the raw spectrum swings by tens of dB
    envelope = cepstral_envelope(x, n_lifter=40)
    error_db = 20 * np.log10(envelope[band] / H[band])
    assert np.abs(error_db - error_db.mean()).max() < 4.0
    raw_db = 20 * np.log10(np.maximum(np.abs(np.fft.rfft(x))[band], 1e-12) / H[band])
    assert np.ptp(raw_db) > 40


def test_silence_gives_the_floor_not_nan():
    c = real_cepstrum(np.zeros(64))
    np.testing.assert_allclose(c, np.r_[np.log(1e-5), np.zeros(63)], atol=1e-12)
    envelope = cepstral_envelope(np.zeros((2, 64)), n_lifter=10, amin=1e-8)
    np.testing.assert_allclose(envelope, 1e-8, rtol=1e-9)
    assert np.isfinite(cepstral_envelope(S=np.zeros(33), n_lifter=4)).all()


def test_bad_input():
    x = np.ones(64)
    x[5] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        real_cepstrum(x)
    with pytest.raises(ParameterError, match="NaN"):
        cepstral_envelope(S=np.full(33, np.nan), n_lifter=4)
    with pytest.raises(ParameterError, match="exactly one"):
        real_cepstrum()
    with pytest.raises(ParameterError, match="exactly one"):
        real_cepstrum(np.ones(8), S=np.ones(5))
    with pytest.raises(ParameterError, match="n_fft=32"):
        real_cepstrum(np.ones(64), n_fft=32)
    with pytest.raises(ParameterError, match="n_fft=100"):
        real_cepstrum(S=np.ones(33), n_fft=100)
    with pytest.raises(ParameterError, match="n_lifter=40"):
        cepstral_envelope(np.ones(64), n_lifter=40)
    with pytest.raises(ParameterError, match="n_lifter="):
        lifter_lowpass(64, n_lifter=-1)
    with pytest.raises(ParameterError, match="amin="):
        real_cepstrum(np.ones(8), amin=0.0)
