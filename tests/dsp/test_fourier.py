"""Tests for listenwidgets.dsp.fourier against numpy.fft and numpy.convolve."""

import time

import numpy as np
import pytest

from listenwidgets.dsp import (
    COMPLEXITY_METHODS,
    ParameterError,
    complexity_cases,
    dft,
    dft_matrix,
    direct_convolve,
    fft_convolve,
    idft,
    magnitude,
    time_functions,
)
from listenwidgets.dsp.fourier import phase

# O(N^2) sums in float64: agreement with numpy.fft to 1e-9 (errors grow ~ N eps |x|).
TOL = 1e-9

SIZES = [1, 2, 13, 64, 100, 1000]


def signal(n, complex_=False, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x + 1j * rng.standard_normal(n) if complex_ else x


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("complex_", [False, True])
def test_dft_equals_numpy_fft(n, complex_):
    x = signal(n, complex_)
    np.testing.assert_allclose(dft(x), np.fft.fft(x), atol=TOL)


@pytest.mark.parametrize("n", SIZES)
def test_idft_inverts_dft_and_equals_numpy_ifft(n):
    x = signal(n, seed=n)
    X = dft(x)
    np.testing.assert_allclose(idft(X), np.fft.ifft(X), atol=TOL)
    np.testing.assert_allclose(idft(X).real, x, atol=TOL)
    np.testing.assert_allclose(idft(X).imag, 0.0, atol=TOL)


def test_dft_along_last_axis_of_a_batch():
    x = signal(3 * 50).reshape(3, 50)
    np.testing.assert_allclose(dft(x), np.fft.fft(x, axis=-1), atol=TOL)


def test_dft_larger_than_one_block():
    x = signal(2500)  # 2500 x 2500 does not fit in one block of rows
    np.testing.assert_allclose(dft(x), np.fft.fft(x), atol=TOL)


@pytest.mark.parametrize("n", [8, 100, 1001])
def test_parseval(n):
    x = signal(n, complex_=True, seed=7)
    assert np.sum(np.abs(x) ** 2) == pytest.approx(np.sum(np.abs(dft(x)) ** 2) / n, rel=1e-12)


def test_tone_peaks_at_its_bin():
    n, k = 256, 19
    x = np.cos(2 * np.pi * k * np.arange(n) / n)
    mag = magnitude(dft(x))
    assert int(mag[: n // 2].argmax()) == k
    assert mag[k] == pytest.approx(n / 2)


def test_dft_matrix_properties():
    W = dft_matrix(16)
    np.testing.assert_array_equal(W, W.T)
    np.testing.assert_allclose(W @ W.conj().T, 16 * np.eye(16), atol=TOL)
    assert dft_matrix(16) is W
    with pytest.raises(ValueError):
        W[0, 0] = 0


def test_magnitude_and_phase_equal_numpy():
    X = dft(signal(64))
    np.testing.assert_allclose(magnitude(X), np.abs(X), rtol=1e-12)
    np.testing.assert_allclose(phase(X), np.angle(X), atol=1e-12)


@pytest.mark.parametrize("n, m", [(1, 1), (10, 3), (3, 10), (100, 100), (257, 31)])
def test_convolutions_equal_numpy(n, m):
    x, h = signal(n, seed=1), signal(m, seed=2)
    expected = np.convolve(x, h)
    np.testing.assert_allclose(direct_convolve(x, h), expected, atol=TOL)
    np.testing.assert_allclose(fft_convolve(x, h), expected, atol=TOL)


def test_complex_convolutions_equal_numpy():
    x, h = signal(50, complex_=True, seed=3), signal(20, complex_=True, seed=4)
    expected = np.convolve(x, h)
    np.testing.assert_allclose(direct_convolve(x, h), expected, atol=TOL)
    np.testing.assert_allclose(fft_convolve(x, h), expected, atol=TOL)


def test_fft_convolution_has_no_circular_wrap():
    x = np.zeros(8)
    x[-1] = 1.0  # an impulse at the very end
    y = fft_convolve(x, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(y, [0, 0, 0, 0, 0, 0, 0, 1, 2, 3], atol=TOL)


def test_time_functions_reports_every_method_and_size():
    sizes = [16, 64, 256]
    seconds = time_functions(complexity_cases(), sizes, repeat=1, budget=10.0)
    assert sorted(seconds) == sorted(COMPLEXITY_METHODS)
    for values in seconds.values():
        assert values.shape == (3,) and np.all(values >= 0)


def test_time_functions_stops_a_method_over_budget():
    # A stand-in whose cost we control: it sleeps longer than the budget from n = 64 on,
    # so the method must stop there and leave the larger sizes unmeasured (NaN).
    calls = []

    def slow(n):
        def call():
            calls.append(n)
            time.sleep(0.05 if n >= 64 else 0.0)
        return call

    seconds = time_functions({"slow": slow}, [16, 32, 64, 128, 256], repeat=3, budget=0.01)
    assert np.isfinite(seconds["slow"][:3]).all()
    assert np.isnan(seconds["slow"][3:]).all()
    assert calls == [16, 16, 16, 32, 32, 32, 64]


@pytest.mark.parametrize(
    "call, message",
    [(lambda: dft(np.zeros(0)), r"x.shape=\(0,\)"),
     (lambda: idft(np.array([1.0, np.nan])), "X="),
     (lambda: dft(np.array(["a", "b"])), "x="),
     (lambda: direct_convolve(np.ones((2, 2)), np.ones(2)), r"x.shape=\(2, 2\)"),
     (lambda: fft_convolve(np.ones(3), np.zeros(0)), r"h.shape=\(0,\)"),
     (lambda: dft_matrix(0), "n=0"),
     (lambda: time_functions({}, [64, 16]), "sizes="),
     (lambda: time_functions({}, [16], budget=0.0), "budget=0.0")],
)
def test_bad_arguments_name_the_value(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
