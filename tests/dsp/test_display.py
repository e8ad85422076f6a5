"""Tests of listenwidgets.dsp.display: reductions that keep what a plot must show."""

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.dsp.display import (
    block_starts,
    decimate_image,
    envelope_polyline,
    hold_to_rate,
    log_frequency_starts,
    magnitude_db,
    minmax_envelope,
)


@pytest.mark.parametrize("n, n_blocks", [(0, 5), (1, 5), (5, 5), (6, 5), (1000, 7), (661_500, 900)])
def test_block_starts_cover_everything_in_nearly_equal_blocks(n, n_blocks):
    starts = block_starts(n, n_blocks=n_blocks)
    assert starts.size == min(n, n_blocks)
    if n:
        lengths = np.diff(np.append(starts, n))
        assert starts[0] == 0 and np.all(lengths >= 1)
        assert lengths.max() - lengths.min() <= 1


def test_minmax_envelope_keeps_every_extreme():
    rng = np.random.default_rng(0)
    y = rng.standard_normal(100_003).astype(np.float32)
    y[12_345] = 9.0   # a click
    y[99_999] = -9.0
    index, lo, hi = minmax_envelope(y, n_columns=800)
    assert index.shape == lo.shape == hi.shape == (800,)
    assert lo.dtype == hi.dtype == np.float32
    assert hi.max() == 9.0 and lo.min() == -9.0
    assert np.all(lo <= hi)
    # each column's extremes are exactly those of its samples
    bounds = np.append(index, y.size)
    for c in (0, 123, 799):
        chunk = y[bounds[c]:bounds[c + 1]]
        assert lo[c] == chunk.min() and hi[c] == chunk.max()


def test_minmax_envelope_passes_short_signals_through():
    y = np.linspace(-1, 1, 50)
    index, lo, hi = minmax_envelope(y, n_columns=800)
    np.testing.assert_array_equal(index, np.arange(50))
    assert lo is y and hi is y


def test_minmax_envelope_rejects_non_1d():
    with pytest.raises(ParameterError, match="y must be 1-D"):
        minmax_envelope(np.zeros((2, 10)), n_columns=4)
    with pytest.raises(ParameterError, match="n_columns"):
        minmax_envelope(np.zeros(10), n_columns=0)


def test_envelope_polyline_interleaves_strokes_and_passes_single_curves():
    x, y = envelope_polyline(np.array([0, 4]), np.array([-1.0, -2.0]), np.array([1.0, 3.0]))
    np.testing.assert_array_equal(x, [0, 0, 4, 4])
    np.testing.assert_array_equal(y, [-1, 1, -2, 3])
    assert y.dtype == np.float32
    curve = np.array([0.5, 0.25])
    x, y = envelope_polyline(np.array([0, 1]), curve, curve)
    np.testing.assert_array_equal(x, [0, 1])
    np.testing.assert_array_equal(y, curve)


def test_decimate_image_keeps_peaks_and_reports_the_mapping():
    M = np.full((1025, 1292), -80.0)
    M[700, 1001] = 0.0  # one bright bin
    M[3, :] = -10.0     # a thin spectral line
    image, rows, cols = decimate_image(M, max_rows=300, max_cols=800)
    assert image.shape == (300, 800) and image.dtype == np.float32
    assert rows.shape == (300,) and cols.shape == (800,)
    r, c = np.unravel_index(np.argmax(image), image.shape)
    assert rows[r] <= 700 < (rows[r + 1] if r + 1 < rows.size else 1025)
    assert cols[c] <= 1001 < (cols[c + 1] if c + 1 < cols.size else 1292)
    assert image.max() == 0.0
    line = np.flatnonzero(image.max(axis=1) == -10.0)
    assert line.size == 1 and np.all(image[line[0]] >= -10.0)


def test_decimate_image_passes_small_arrays_through_as_float32():
    M = np.arange(12, dtype=np.float64).reshape(3, 4)
    image, rows, cols = decimate_image(M, max_rows=10, max_cols=10)
    np.testing.assert_array_equal(image, M)
    assert image.dtype == np.float32
    np.testing.assert_array_equal(rows, [0, 1, 2])
    np.testing.assert_array_equal(cols, [0, 1, 2, 3])


def test_decimate_image_with_explicit_rows_repeats_sparse_bins():
    M = np.arange(20.0).reshape(5, 4)
    image, rows, _ = decimate_image(M, max_rows=99, max_cols=4, row_starts=[0, 1, 1, 3])
    np.testing.assert_array_equal(image[:, 0], [0, 4, 8, 16])  # [0], [1], [1:3], [3:]
    with pytest.raises(ParameterError, match="row_starts"):
        decimate_image(M, max_rows=2, max_cols=2, row_starts=[2, 1])
    with pytest.raises(ParameterError, match="M must be real"):
        decimate_image(M + 1j, max_rows=2, max_cols=2)


def test_log_frequency_starts_are_log_spaced_and_monotone():
    freqs = np.arange(1025) * 22050 / 2048
    starts, edges = log_frequency_starts(freqs, n_rows=256, fmin=20.0)
    assert starts.shape == (256,) and edges.shape == (257,)
    assert np.all(np.diff(starts) >= 0) and starts[-1] < 1025
    np.testing.assert_allclose(np.diff(np.log(edges)), np.log(edges[1] / edges[0]))
    assert edges[0] == 20.0 and edges[-1] == freqs[-1]
    with pytest.raises(ParameterError, match="fmin"):
        log_frequency_starts(freqs, n_rows=10, fmin=0.0)


def test_magnitude_db_is_relative_to_the_peak():
    X = np.array([3 + 4j, 0.5, 0.0])
    db = magnitude_db(X)
    assert db.dtype == np.float32
    np.testing.assert_allclose(db, [0.0, 20 * np.log10(0.1), 20 * np.log10(1e-5 / 5)], rtol=1e-6)
    assert magnitude_db(np.zeros(0)).shape == (0,)


def test_hold_to_rate_repeats_samples_up_to_a_playable_rate():
    y = np.array([0.1, -0.2, 0.3])
    held, sr = hold_to_rate(y, sr=500.0, min_sr=3000.0)
    assert sr == 3000.0 and held.size == 18
    np.testing.assert_array_equal(held.reshape(3, 6), np.repeat(y[:, None], 6, axis=1))
    assert held.size / sr == pytest.approx(y.size / 500.0)      # same duration
    same, sr = hold_to_rate(y, sr=8000.0, min_sr=3000.0)
    assert same is y and sr == 8000.0
    held, sr = hold_to_rate(y, sr=700.0, min_sr=3000.0)
    assert sr == 3500.0 and held.size == 15


def test_decimate_image_gives_the_same_result_for_either_memory_order():
    rng = np.random.default_rng(1)
    M = np.asfortranarray(rng.random((1025, 1300)).astype(np.float32))  # like |STFT|
    starts, _ = log_frequency_starts(np.arange(1025) * 10.0, n_rows=200, fmin=10.0)
    for kwargs in ({}, {"row_starts": starts}):
        a = decimate_image(M, max_rows=300, max_cols=800, **kwargs)
        b = decimate_image(np.ascontiguousarray(M), max_rows=300, max_cols=800, **kwargs)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
        assert a[0].flags.c_contiguous
