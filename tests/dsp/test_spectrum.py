"""Tests for listenwidgets.dsp.spectrum against librosa 0.11 and numpy."""

import itertools

import librosa
import numpy as np
import pytest
import scipy.signal

from listenwidgets.dsp import (
    ParameterError,
    amplitude_to_db,
    db_to_amplitude,
    db_to_power,
    fft_frequencies,
    frame,
    frame_spectrum,
    frames_to_time,
    istft,
    power_to_db,
    stft,
)
from listenwidgets.dsp import spectrum

# STFT agreement: within 1e-5 of the largest magnitude (float32 FFT rounding is ~1e-7 of it).
STFT_TOL = 1e-5
# ISTFT agreement with librosa and round trips: 1e-5 absolute for float32 (unit-variance input),
# 1e-10 for float64.
ROUND_TRIP_TOL = {np.float32: 1e-5, np.float64: 1e-10}

LIBROSA_WINDOW = {"hann": "hann", "hamming": "hamming", "blackman": "blackman",
                  "rectangular": "boxcar"}


def noise(n, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(n).astype(dtype)


def assert_stft_close(got, expected):
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    scale = np.abs(expected).max()
    assert np.abs(got - expected).max() <= STFT_TOL * scale


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stft_default_arguments_equal_librosa(dtype):
    y = noise(22050, dtype)
    assert_stft_close(stft(y), librosa.stft(y))


CASES = list(itertools.product(
    [512, 1024, 4096],                      # n_fft
    [None, 128, 300],                       # hop_length
    [None, 400],                            # win_length (< n_fft)
    ["hann", "hamming", "blackman", "rectangular"],
    [True, False],                          # center
))


@pytest.mark.parametrize("n_fft, hop_length, win_length, window, center", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stft_non_default_arguments_equal_librosa(n_fft, hop_length, win_length, window, center,
                                                 dtype):
    y = noise(9001, dtype, seed=n_fft)
    kwargs = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, center=center)
    assert_stft_close(stft(y, window=window, **kwargs),
                      librosa.stft(y, window=LIBROSA_WINDOW[window], **kwargs))


@pytest.mark.filterwarnings("ignore:n_fft=.* is too large:UserWarning")  # librosa, short input
@pytest.mark.parametrize("pad_mode", ["constant", "edge", "reflect", "symmetric", "linear_ramp"])
@pytest.mark.parametrize("length", [700, 3000, 9001])
def test_stft_pad_modes_equal_librosa(pad_mode, length):
    y = noise(length, np.float32)
    for n_fft, hop_length in [(2048, 512), (1024, 1000), (512, 100)]:
        assert_stft_close(stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode),
                          librosa.stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode=pad_mode))


def test_stft_hop_longer_than_frame_equals_padded_definition():
    # librosa 0.11 mis-aligns its tail frames when hop_length > n_fft with reflect padding, so
    # the reference here is the definition: pad the whole signal, frame it, window, rfft.
    y = noise(1000)
    n_fft, hop_length = 16, 100
    padded = np.pad(y, n_fft // 2, mode="reflect")
    frames = librosa.util.frame(padded, frame_length=n_fft, hop_length=hop_length)
    expected = np.fft.rfft(frames * scipy.signal.get_window("hann", n_fft)[:, None], axis=0)
    assert_stft_close(stft(y, n_fft=n_fft, hop_length=hop_length, pad_mode="reflect"), expected)


@pytest.mark.parametrize("length", [1, 5, 100, 1023])
def test_stft_short_signal_with_center_follows_librosa(length):
    y = noise(length)
    with pytest.warns(UserWarning):  # librosa warns that n_fft is too large; we do not
        expected = librosa.stft(y, n_fft=2048)
    assert_stft_close(stft(y, n_fft=2048), expected)


def test_stft_multichannel_equals_librosa():
    y = noise(3 * 2 * 5000, np.float32).reshape(3, 2, 5000)
    assert_stft_close(stft(y, n_fft=1024), librosa.stft(y, n_fft=1024))


def test_stft_output_layout_and_dtype():
    y = noise(10000, np.float32)
    D = stft(y)
    assert D.flags.f_contiguous
    assert D.dtype == np.complex64
    assert stft(y, dtype=np.complex128).dtype == np.complex128
    assert stft(y.astype(np.float64)).dtype == np.complex128


def test_stft_wider_output_dtype_equals_librosa():
    y = noise(10000, np.float32)
    assert_stft_close(stft(y, dtype=np.complex128), librosa.stft(y, dtype=np.complex128))


def test_stft_without_the_in_place_fft_binding(monkeypatch):
    # stft writes FFTs in place through scipy's private pocketfft binding when it is there;
    # without it (a future scipy) it must fall back to scipy.fft.rfft plus a copy.
    monkeypatch.setattr(spectrum, "_pocketfft_r2c", None)
    y = noise(22050 * 3, np.float32)
    assert_stft_close(stft(y), librosa.stft(y))


def test_stft_long_signal_equals_librosa():
    # Long enough that the frames are shared between threads.
    y = noise(22050 * 20, np.float32)
    assert_stft_close(stft(y), librosa.stft(y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(n_fft=512, hop_length=128, win_length=400, window="hamming"),
     dict(n_fft=1024, hop_length=256, center=False), dict(n_fft=1023, hop_length=200)],
)
def test_istft_inverts_stft_and_equals_librosa(kwargs, dtype):
    y = noise(20000, dtype)
    D = stft(y, **kwargs)
    y_hat = istft(D, length=y.shape[0], **kwargs)
    assert y_hat.dtype == dtype
    np.testing.assert_allclose(y_hat, librosa.istft(D, length=y.shape[0], **kwargs),
                               atol=ROUND_TRIP_TOL[dtype])
    skip = kwargs.get("n_fft", 2048) if not kwargs.get("center", True) else 0
    # Away from uncentred edges (where the window sum is ~0) the round trip is exact.
    interior = slice(skip, y.shape[0] - skip)
    np.testing.assert_allclose(y_hat[interior], y[interior], atol=ROUND_TRIP_TOL[dtype])


@pytest.mark.parametrize("length", [None, 5000, 7001, 9000])
def test_istft_lengths_equal_librosa(length):
    D = librosa.stft(noise(7001))
    expected = librosa.istft(D, length=length)
    got = istft(D, length=length)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_istft_multichannel():
    y = noise(2 * 6000).reshape(2, 6000)
    np.testing.assert_allclose(istft(stft(y), length=6000), y, atol=1e-10)


def test_istft_rejects_mismatched_n_fft():
    with pytest.raises(ParameterError, match="n_fft=1000"):
        istft(np.zeros((1025, 4), dtype=np.complex64), n_fft=1000)


def test_frame_equals_librosa():
    y = np.arange(20.0)
    got = frame(y, frame_length=6, hop_length=3)
    np.testing.assert_array_equal(got, librosa.util.frame(y, frame_length=6, hop_length=3))
    assert np.shares_memory(got, y)


def test_frame_too_short():
    with pytest.raises(ParameterError, match="frame_length=10"):
        frame(np.ones(5), frame_length=10, hop_length=1)


def test_frame_spectrum_is_windowed_zero_padded_rfft():
    y = noise(3000)
    window = scipy.signal.get_window("hamming", 400)
    expected = np.fft.rfft(y[1000:1400] * window, n=1024)
    got = frame_spectrum(y, start=1000, win_length=400, n_fft=1024, window="hamming")
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_frame_spectrum_off_the_end_is_zero_filled():
    y = noise(1000)
    segment = np.zeros(512)
    segment[:100] = y[900:]
    expected = np.fft.rfft(segment * scipy.signal.get_window("hann", 512))
    np.testing.assert_allclose(frame_spectrum(y, start=900, win_length=512), expected, atol=1e-10)


def test_frame_spectrum_peak_of_a_tone_on_a_bin():
    sr, n_fft, k = 8000, 1024, 100
    y = np.cos(2 * np.pi * (k * sr / n_fft) * np.arange(4000) / sr)
    X = frame_spectrum(y, start=0, win_length=n_fft, n_fft=n_fft, window="rectangular")
    assert int(np.abs(X).argmax()) == k


def test_frame_spectrum_bad_arguments():
    with pytest.raises(ParameterError, match="n_fft=256"):
        frame_spectrum(noise(1000), win_length=512, n_fft=256)
    with pytest.raises(ParameterError, match="start=1000"):
        frame_spectrum(noise(1000), start=1000, win_length=256)


@pytest.mark.parametrize("sr, n_fft", [(22050, 2048), (8000, 255), (44100, 1)])
def test_fft_frequencies_equal_librosa(sr, n_fft):
    np.testing.assert_allclose(fft_frequencies(sr=sr, n_fft=n_fft),
                               librosa.fft_frequencies(sr=sr, n_fft=n_fft))


def test_frames_to_time_equals_librosa():
    frames = np.arange(10)
    np.testing.assert_allclose(frames_to_time(frames, sr=16000, hop_length=160),
                               librosa.frames_to_time(frames, sr=16000, hop_length=160))
    np.testing.assert_allclose(frames_to_time(frames, sr=16000, hop_length=160, n_fft=400),
                               librosa.frames_to_time(frames, sr=16000, hop_length=160, n_fft=400))


# Decibel conversions apply the same formulas: equal to 1e-9 dB.
DB_TOL = 1e-9


@pytest.mark.parametrize("ref", [1.0, 0.5, np.max, np.median])
@pytest.mark.parametrize("top_db", [80.0, 30.0, None])
def test_power_and_amplitude_to_db_equal_librosa(ref, top_db):
    S = np.abs(librosa.stft(noise(8000)))
    np.testing.assert_allclose(power_to_db(S**2, ref=ref, top_db=top_db),
                               librosa.power_to_db(S**2, ref=ref, top_db=top_db), atol=DB_TOL)
    np.testing.assert_allclose(amplitude_to_db(S, ref=ref, top_db=top_db),
                               librosa.amplitude_to_db(S, ref=ref, top_db=top_db), atol=DB_TOL)


@pytest.mark.filterwarnings("ignore:amplitude_to_db was called on complex input:UserWarning")
def test_amplitude_to_db_of_complex_input_uses_magnitude():
    D = librosa.stft(noise(4000))
    np.testing.assert_allclose(amplitude_to_db(D), librosa.amplitude_to_db(D), atol=DB_TOL)


def test_db_inverse_conversions_equal_librosa():
    S_db = np.linspace(-80.0, 10.0, 50)
    np.testing.assert_allclose(db_to_power(S_db, ref=2.0), librosa.db_to_power(S_db, ref=2.0))
    np.testing.assert_allclose(db_to_amplitude(S_db, ref=2.0),
                               librosa.db_to_amplitude(S_db, ref=2.0))
    power = db_to_power(S_db)
    np.testing.assert_allclose(power_to_db(power, top_db=None), S_db, atol=DB_TOL)


def test_db_bad_arguments():
    with pytest.raises(ParameterError, match="amin=0.0"):
        power_to_db(np.ones(3), amin=0.0)
    with pytest.raises(ParameterError, match="top_db=-1.0"):
        amplitude_to_db(np.ones(3), top_db=-1.0)


# --- bad input -------------------------------------------------------------------------------

def test_n_fft_longer_than_signal_without_center():
    with pytest.raises(ParameterError, match=r"n_fft=2048.*length=1000"):
        stft(noise(1000), n_fft=2048, center=False)


def test_zero_hop_length():
    with pytest.raises(ParameterError, match="hop_length=0"):
        stft(noise(4096), hop_length=0)


def test_win_length_longer_than_n_fft():
    with pytest.raises(ParameterError, match=r"win_length=4096.*n_fft=2048"):
        stft(noise(8192), n_fft=2048, win_length=4096)


def test_empty_signal():
    with pytest.raises(ParameterError, match="0 samples"):
        stft(np.zeros(0))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples(bad):
    y = noise(4096)
    y[100] = bad
    with pytest.raises(ParameterError, match="NaN or Inf"):
        stft(y)


def test_integer_samples():
    with pytest.raises(ParameterError, match="dtype=int16"):
        stft(np.zeros(4096, dtype=np.int16))


def test_unknown_window():
    with pytest.raises(ParameterError, match="window='hannn'"):
        stft(noise(4096), window="hannn")


def test_wrong_output_dtypes():
    with pytest.raises(ParameterError, match="dtype=float32"):
        stft(noise(4096), dtype=np.float32)
    with pytest.raises(ParameterError, match="dtype=complex64"):
        istft(stft(noise(4096)), dtype=np.complex64)


def test_unknown_pad_mode():
    with pytest.raises(ParameterError, match="pad_mode='wrap'"):
        stft(noise(4096), pad_mode="wrap")
