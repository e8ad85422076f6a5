"""Tests for listenwidgets.dsp.windows against scipy.signal and librosa."""

import librosa
import numpy as np
import pytest
import scipy.signal

from listenwidgets.dsp import (
    GAUSSIAN_STD_FRACTION,
    KAISER_BETA,
    WINDOWS,
    ParameterError,
    get_window,
    pad_center,
    window_sumsquare,
)

# Windows come from the same scipy formulas: equal to 1e-12 (float64 rounding).
TOL = 1e-12


@pytest.mark.parametrize("name", ["hann", "hamming", "blackman", "bartlett", "triang"])
@pytest.mark.parametrize("fftbins", [True, False])
@pytest.mark.parametrize("win_length", [1, 7, 512])
def test_named_windows_equal_scipy_and_librosa(name, fftbins, win_length):
    expected = scipy.signal.get_window(name, win_length, fftbins=fftbins)
    window = get_window(name, win_length, fftbins=fftbins)
    np.testing.assert_allclose(window, expected, atol=TOL)
    np.testing.assert_allclose(
        window, librosa.filters.get_window(name, win_length, fftbins=fftbins), atol=TOL
    )
    assert window.dtype == np.float64


def test_rectangular_is_boxcar():
    np.testing.assert_array_equal(get_window("rectangular", 9), np.ones(9))


def test_bare_gaussian_and_kaiser_use_documented_defaults():
    np.testing.assert_allclose(
        get_window("gaussian", 600),
        scipy.signal.get_window(("gaussian", 600 * GAUSSIAN_STD_FRACTION), 600),
        atol=TOL,
    )
    np.testing.assert_allclose(
        get_window("kaiser", 64), scipy.signal.get_window(("kaiser", KAISER_BETA), 64), atol=TOL
    )


def test_tuple_and_array_specifications():
    np.testing.assert_allclose(
        get_window(("gaussian", 3.0), 16), scipy.signal.get_window(("gaussian", 3.0), 16),
        atol=TOL,
    )
    custom = np.linspace(0.0, 1.0, 5)
    np.testing.assert_array_equal(get_window(custom, 5), custom)


def test_every_offered_window_builds():
    for name in WINDOWS:
        window = get_window(name, 256)
        assert window.shape == (256,) and np.isfinite(window).all() and window.max() > 0


def test_windows_are_cached_and_read_only():
    first = get_window("hann", 1024)
    assert get_window("hann", 1024) is first
    with pytest.raises(ValueError):
        first[0] = 1.0


def test_unknown_window_names_the_value():
    with pytest.raises(ParameterError, match="window='nope'"):
        get_window("nope", 16)


def test_array_window_of_wrong_length():
    with pytest.raises(ParameterError, match="win_length=4"):
        get_window(np.ones(5), 4)


def test_bad_win_length():
    with pytest.raises(ParameterError, match="win_length=0"):
        get_window("hann", 0)


@pytest.mark.parametrize("size", [5, 6, 9])
def test_pad_center_equals_librosa(size):
    data = np.arange(1.0, 6.0)
    np.testing.assert_array_equal(pad_center(data, size=size),
                                  librosa.util.pad_center(data, size=size))


def test_pad_center_too_small():
    with pytest.raises(ParameterError, match="size=3"):
        pad_center(np.ones(5), size=3)


@pytest.mark.parametrize(
    "window, n_frames, hop_length, win_length, n_fft",
    [("hann", 10, 512, None, 2048), ("hamming", 7, 100, 300, 512), ("blackman", 3, 5, 9, 16),
     ("hann", 1, 4, None, 16), ("boxcar", 4, 40, 16, 16)],
)
def test_window_sumsquare_equals_librosa(window, n_frames, hop_length, win_length, n_fft):
    expected = librosa.filters.window_sumsquare(
        window=window, n_frames=n_frames, hop_length=hop_length, win_length=win_length,
        n_fft=n_fft, dtype=np.float64,
    )
    got = window_sumsquare(window=window, n_frames=n_frames, hop_length=hop_length,
                           win_length=win_length, n_fft=n_fft, dtype=np.float64)
    np.testing.assert_allclose(got, expected, atol=TOL)
