"""Tests for listenwidgets.dsp.signals against closed forms, scipy.signal and librosa."""

import librosa
import numpy as np
import pytest
import scipy.signal

from listenwidgets.dsp import (
    WAVEFORMS,
    ParameterError,
    chirp,
    glottal_pulse_train,
    harmonic_series,
    impulse_train,
    pink_noise,
    sawtooth,
    square,
    tone,
    triangle,
    waveform,
    white_noise,
)

# Closed-form signals are evaluated in float64: equal to 1e-9.
TOL = 1e-9


def test_tone_formula():
    sr, f, A, phi = 8000, 440.0, 0.3, 0.7
    n = np.arange(800)
    np.testing.assert_allclose(tone(frequency=f, sr=sr, length=800, amplitude=A, phi=phi),
                               A * np.cos(2 * np.pi * f * n / sr + phi), atol=TOL)


def test_tone_duration_and_length_agree():
    a = tone(frequency=100.0, sr=1000, duration=0.29)
    b = tone(frequency=100.0, sr=1000, length=290)
    assert a.shape == (290,)
    np.testing.assert_array_equal(a, b)


def test_tone_dft_peak_at_its_bin():
    sr, n_fft = 8000, 1000
    for k in [1, 37, 250, 499]:
        y = tone(frequency=k * sr / n_fft, sr=sr, length=n_fft)
        assert int(np.abs(np.fft.rfft(y)).argmax()) == k


def test_tone_dtype():
    assert tone(frequency=1.0, sr=100, length=10).dtype == np.float64
    assert tone(frequency=1.0, sr=100, length=10, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "generator, ideal",
    [(square, lambda theta: scipy.signal.square(theta)),
     (sawtooth, lambda theta: scipy.signal.sawtooth(theta)),
     (triangle, lambda theta: scipy.signal.sawtooth(theta, width=0.5))],
)
def test_ideal_waveforms_equal_scipy(generator, ideal):
    sr, f, A, phi = 8000, 123.0, 0.5, 0.3
    theta = 2 * np.pi * f * np.arange(4000) / sr + phi
    got = generator(frequency=f, sr=sr, length=4000, amplitude=A, phi=phi)
    np.testing.assert_allclose(got, A * ideal(np.mod(theta - phi, 2 * np.pi) + phi), atol=TOL)


def _distance_to_jumps(f, sr, n, phases):
    """Samples from each n to the nearest instant where theta mod 2 pi is in ``phases``."""
    cycles = np.mod(f * np.arange(n) / sr, 1.0)
    distances = [np.abs((cycles - p / (2 * np.pi) + 0.5) % 1.0 - 0.5) for p in phases]
    return np.min(distances, axis=0) * sr / f


@pytest.mark.parametrize(
    "generator, jumps, tolerance",
    # Away from its jumps a K-harmonic series is within ~ 2A / (pi K d) of the ideal wave,
    # d = distance in periods; for the continuous triangle the error is below 8A / (pi^2 K).
    [(square, (0.0, np.pi), 0.02), (sawtooth, (0.0,), 0.02), (triangle, (), 0.005)],
)
def test_band_limited_series_approaches_ideal_away_from_edges(generator, jumps, tolerance):
    sr, f, n = 441000, 441.0, 4410
    ideal = generator(frequency=f, sr=sr, length=n)
    series = generator(frequency=f, sr=sr, length=n, n_harmonics=201)
    far = _distance_to_jumps(f, sr, n, jumps) > 0.1 * sr / f if jumps else np.ones(n, bool)
    assert np.abs(series - ideal)[far].max() < tolerance


def test_square_harmonic_amplitudes_are_4A_over_pi_k():
    sr, f, A, K = 16000, 100.0, 0.8, 15
    y = square(frequency=f, sr=sr, length=sr, amplitude=A, n_harmonics=K)
    spectrum = np.abs(np.fft.rfft(y)) * 2 / sr  # 1 s at 1 Hz per bin: bin k f holds harmonic k
    for k in range(1, K + 1):
        expected = 4 * A / (np.pi * k) if k % 2 else 0.0
        assert spectrum[int(k * f)] == pytest.approx(expected, abs=1e-9)
    assert spectrum[int((K + 2) * f)] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    "generator, amplitude_of",
    [(sawtooth, lambda k: 2 / (np.pi * k)),
     (triangle, lambda k: 8 / (np.pi * k) ** 2 if k % 2 else 0.0)],
)
def test_sawtooth_and_triangle_harmonic_amplitudes(generator, amplitude_of):
    sr, f = 16000, 250.0
    y = generator(frequency=f, sr=sr, length=sr, n_harmonics=9)
    spectrum = np.abs(np.fft.rfft(y)) * 2 / sr
    for k in range(1, 10):
        assert spectrum[int(k * f)] == pytest.approx(amplitude_of(k), abs=1e-9)


def test_harmonics_above_nyquist_are_dropped():
    sr, f = 8000, 1000.0
    y = sawtooth(frequency=f, sr=sr, length=sr, n_harmonics=10)
    spectrum = np.abs(np.fft.rfft(y)) * 2 / sr
    assert spectrum[3000] == pytest.approx(2 / (3 * np.pi), abs=1e-9)
    assert spectrum[4000] == pytest.approx(0.0, abs=1e-9)  # the 4th harmonic sits on Nyquist
    for alias in (3000, 2000, 1000):  # harmonics 5..7 would fold onto these: energy unchanged
        assert spectrum[alias] == pytest.approx(2 / (np.pi * alias / 1000), abs=1e-9)


def test_harmonic_series_formula():
    sr, f = 8000, 200.0
    amplitudes, phases = [1.0, 0.0, 0.25], [0.1, 0.2, -1.0]
    n = np.arange(500)
    expected = sum(a * np.cos(2 * np.pi * (k + 1) * f * n / sr + p)
                   for k, (a, p) in enumerate(zip(amplitudes, phases)))
    got = harmonic_series(frequency=f, amplitudes=amplitudes, phases=phases, sr=sr, length=500)
    np.testing.assert_allclose(got, expected, atol=TOL)


def test_harmonic_series_phase_count_mismatch():
    with pytest.raises(ParameterError, match="phases"):
        harmonic_series(frequency=100.0, amplitudes=[1.0, 0.5], phases=[0.0], length=10)


@pytest.mark.parametrize("linear", [False, True])
@pytest.mark.parametrize("timing", [dict(duration=1.5), dict(length=12345)])
@pytest.mark.parametrize("phi", [None, 0.4])
def test_chirp_equals_librosa(linear, timing, phi):
    kwargs = dict(fmin=55.0, fmax=4000.0, sr=22050, linear=linear, phi=phi, **timing)
    np.testing.assert_allclose(chirp(**kwargs), librosa.chirp(**kwargs), atol=TOL)


def test_white_noise_statistics_and_seed():
    y = white_noise(sr=8000, duration=20.0, amplitude=0.3, seed=1)
    assert y.std() == pytest.approx(0.3, rel=0.01)
    assert abs(y.mean()) < 0.01
    np.testing.assert_array_equal(y, white_noise(sr=8000, duration=20.0, amplitude=0.3, seed=1))


def test_pink_noise_has_one_over_f_power():
    sr = 16000
    y = pink_noise(sr=sr, duration=16.0, amplitude=0.2, seed=3)
    assert y.std() == pytest.approx(0.2, rel=1e-9)
    freqs, power = scipy.signal.welch(y, fs=sr, nperseg=4096)
    band = (freqs > 20) & (freqs < 6000)
    slope = np.polyfit(np.log(freqs[band]), np.log(power[band]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)


def test_impulse_train_positions():
    y = impulse_train(frequency=3.0, sr=10, length=10, amplitude=2.0)
    np.testing.assert_array_equal(np.flatnonzero(y), [0, 3, 7])  # round(m * 10 / 3)
    assert set(y[y != 0]) == {2.0}


def test_impulse_train_faster_than_sr():
    with pytest.raises(ParameterError, match="frequency=200.0"):
        impulse_train(frequency=200.0, sr=100, length=10)


def test_glottal_pulse_shape():
    sr, f = 10000, 100.0  # 100 samples per period
    y = glottal_pulse_train(frequency=f, sr=sr, length=1000, open_quotient=0.5,
                            speed_quotient=4.0, amplitude=0.7)
    period = y[:100]
    assert period.max() == pytest.approx(0.7)
    assert int(period.argmax()) == 40            # Tp = 0.5 * 100 * 4 / 5 samples
    np.testing.assert_array_equal(period[50:], 0.0)  # closed phase after 0.5 of the period
    assert np.all(np.diff(period[:41]) >= 0) and np.all(np.diff(period[40:51]) <= 0)
    np.testing.assert_allclose(y[100:200], period, atol=1e-12)


def test_glottal_bad_quotients():
    with pytest.raises(ParameterError, match="open_quotient=1.5"):
        glottal_pulse_train(frequency=100.0, length=100, open_quotient=1.5)
    with pytest.raises(ParameterError, match="speed_quotient=0.0"):
        glottal_pulse_train(frequency=100.0, length=100, speed_quotient=0.0)


WAVEFORM_ARGS = {
    "sine": dict(frequency=440.0),
    "square": dict(frequency=440.0, n_harmonics=7),
    "sawtooth": dict(frequency=440.0),
    "triangle": dict(frequency=440.0),
    "chirp": dict(fmin=100.0, fmax=1000.0),
    "white_noise": dict(seed=0),
    "pink_noise": dict(seed=0),
    "impulse_train": dict(frequency=100.0),
    "glottal": dict(frequency=120.0),
    "harmonics": dict(frequency=220.0, amplitudes=[1.0, 0.5, 0.25]),
}


@pytest.mark.parametrize("kind", WAVEFORMS)
def test_waveform_dispatches_every_kind(kind):
    y = waveform(kind, sr=8000, duration=0.25, **WAVEFORM_ARGS[kind])
    assert y.shape == (2000,) and y.dtype == np.float64 and np.isfinite(y).all()


def test_waveform_unknown_kind_and_misspelled_argument():
    with pytest.raises(ParameterError, match="kind='cosine'"):
        waveform("cosine", frequency=1.0, length=10)
    with pytest.raises(TypeError):
        waveform("sine", frequncy=1.0, length=10)


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(frequency=0.0, length=10), "frequency=0.0"),
     (dict(frequency=-5.0, length=10), "frequency=-5.0"),
     (dict(frequency=5.0, duration=-1.0), "duration=-1.0"),
     (dict(frequency=5.0, duration=1e-6), "duration=1e-06"),
     (dict(frequency=5.0, length=0), "length=0"),
     (dict(frequency=5.0), "duration=None"),
     (dict(frequency=5.0, duration=1.0, length=10), "length=10"),
     (dict(frequency=5.0, length=10, sr=0), "sr=0"),
     (dict(frequency=5.0, length=10, amplitude=np.nan), "amplitude=nan"),
     (dict(frequency=5.0, length=10, dtype=np.int16), "dtype=int16")],
)
def test_bad_arguments_name_the_value(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        tone(**kwargs)


def test_bad_n_harmonics():
    with pytest.raises(ParameterError, match="n_harmonics=0"):
        square(frequency=5.0, length=10, n_harmonics=0)
