"""Reductions for drawing: send a screen only what it can show.

A 30 s clip at 22 050 Hz has 661 500 samples and its spectrogram a million
bins, but a plot is about a thousand pixels wide. These functions reduce
arrays to about one value per pixel while keeping what the eye must see: the
extremes. A waveform keeps its minimum and maximum per pixel column (so a
single click is never averaged away); an image keeps the maximum of each
pooled block (so a thin spectral line stays visible).

Nothing here changes the analysis: views call these functions on node outputs
just before drawing.
"""

import numpy as np

from ..errors import ParameterError
from ._checks import check_int, check_real
from .spectrum import amplitude_to_db

__all__ = [
    "block_starts",
    "minmax_envelope",
    "envelope_polyline",
    "decimate_image",
    "log_frequency_starts",
    "magnitude_db",
    "hold_to_rate",
]


def block_starts(n, *, n_blocks):
    """Return the first index of each of at most ``n_blocks`` contiguous blocks of ``range(n)``.

    The blocks have (nearly) equal lengths and cover ``range(n)`` exactly; when
    ``n <= n_blocks`` every index is its own block.

    Parameters
    ----------
    n : int >= 0
        The number of items to split.
    n_blocks : int > 0
        The most blocks wanted (e.g. a plot's width in pixels).

    Returns
    -------
    starts : np.ndarray [shape=(min(n, n_blocks),), dtype=int64]
        Strictly increasing block starts; ``starts[0] == 0`` when ``n > 0``.

    Examples
    --------
    >>> block_starts(10, n_blocks=4)
    array([0, 2, 5, 7])
    >>> block_starts(3, n_blocks=4)
    array([0, 1, 2])
    """
    n = check_int(n, "n", minimum=0)
    n_blocks = check_int(n_blocks, "n_blocks", minimum=1)
    if n <= n_blocks:
        return np.arange(n, dtype=np.int64)
    return (np.arange(n_blocks, dtype=np.int64) * n) // n_blocks


def minmax_envelope(y, /, *, n_columns):
    """Reduce a signal to its minimum and maximum per pixel column.

    Drawing the vertical stroke from ``lo`` to ``hi`` in each column looks
    exactly like drawing every sample, at a fraction of the data.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        The samples (any real dtype; kept).
    n_columns : int > 0
        The number of columns (about the plot's width in pixels).

    Returns
    -------
    index : np.ndarray [shape=(m,), dtype=int64]
        The first sample of each column, ``m = min(n, n_columns)``; divide by
        ``sr`` for times in seconds.
    lo, hi : np.ndarray [shape=(m,)]
        The smallest and largest sample of each column. When ``n <= n_columns``
        the signal passes through: ``index = arange(n)`` and ``lo = hi = y``.

    Raises
    ------
    ParameterError
        If ``y`` is not one-dimensional and real.

    Examples
    --------
    >>> import numpy as np
    >>> index, lo, hi = minmax_envelope(np.array([0., 3., -1., 2., 5., -4.]), n_columns=2)
    >>> index, lo, hi
    (array([0, 3]), array([-1., -4.]), array([3., 5.]))
    """
    y = _real_array(y, "y", ndim=1)
    n_columns = check_int(n_columns, "n_columns", minimum=1)
    starts = block_starts(y.shape[0], n_blocks=n_columns)
    if y.shape[0] <= n_columns:
        return starts, y, y
    return starts, np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)


def envelope_polyline(index, lo, hi):
    """Turn a min/max envelope into one polyline that draws each column's stroke.

    Each column contributes two vertices at the same x: first ``lo`` then
    ``hi``. When ``lo`` and ``hi`` are the same array (a signal that passed
    through :func:`minmax_envelope`), the points are returned once each.

    Parameters
    ----------
    index : np.ndarray [shape=(m,)]
        Column positions (sample indices or times).
    lo, hi : np.ndarray [shape=(m,)]
        The envelope from :func:`minmax_envelope`.

    Returns
    -------
    x, y : np.ndarray [shape=(2 m,) or (m,)]
        The vertices, ``y`` as float32 (ready to send to a browser).

    Examples
    --------
    >>> import numpy as np
    >>> envelope_polyline(np.array([0, 3]), np.array([-1., -4.]), np.array([3., 5.]))
    (array([0, 0, 3, 3]), array([-1.,  3., -4.,  5.], dtype=float32))
    """
    index, lo, hi = np.asarray(index), np.asarray(lo), np.asarray(hi)
    if not index.shape == lo.shape == hi.shape or index.ndim != 1:
        raise ParameterError(
            f"index, lo and hi must be 1-D of one length, got index.shape={index.shape}, "
            f"lo.shape={lo.shape}, hi.shape={hi.shape}")
    if lo is hi:
        return index, lo.astype(np.float32)
    return np.repeat(index, 2), np.column_stack((lo, hi)).astype(np.float32).ravel()


def decimate_image(M, /, *, max_rows, max_cols, row_starts=None):
    """Max-pool a 2-D array to at most ``max_rows × max_cols`` values.

    Parameters
    ----------
    M : np.ndarray [shape=(n_rows, n_cols)], real
        E.g. a magnitude or dB spectrogram (frequency × time).
    max_rows, max_cols : int > 0
        The target size (about the plot's height and width in pixels).
    row_starts : np.ndarray [shape=(r,)] of int, optional
        Explicit first row of each output row (non-decreasing, in
        ``[0, n_rows)``), e.g. from :func:`log_frequency_starts`; it overrides
        ``max_rows``. Where ``row_starts[i] >= row_starts[i + 1]`` the output
        row is the single row ``row_starts[i]``.

    Returns
    -------
    image : np.ndarray [shape=(r, c), dtype=float32]
        The maximum of each block. An array already small enough passes
        through (as float32).
    rows : np.ndarray [shape=(r,), dtype=int64]
        The first row of ``M`` in each output row.
    cols : np.ndarray [shape=(c,), dtype=int64]
        The first column of ``M`` in each output column.

    Raises
    ------
    ParameterError
        If ``M`` is not a real 2-D array or ``row_starts`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> M = np.arange(12.).reshape(3, 4)
    >>> image, rows, cols = decimate_image(M, max_rows=2, max_cols=2)
    >>> image
    array([[ 1.,  3.],
           [ 9., 11.]], dtype=float32)
    >>> rows, cols
    (array([0, 1]), array([0, 2]))
    """
    M = _real_array(M, "M", ndim=2)
    max_rows = check_int(max_rows, "max_rows", minimum=1)
    max_cols = check_int(max_cols, "max_cols", minimum=1)
    n_rows, n_cols = M.shape
    if row_starts is None:
        rows = block_starts(n_rows, n_blocks=max_rows)
    else:
        rows = np.asarray(row_starts, dtype=np.int64)
        if rows.ndim != 1 or rows.size == 0 or np.any(np.diff(rows) < 0) \
                or rows[0] < 0 or rows[-1] >= n_rows:
            raise ParameterError(
                f"row_starts must be non-decreasing indices in [0, {n_rows}), got "
                f"row_starts={rows!r}")
    cols = block_starts(n_cols, n_blocks=max_cols)
    # Pool along axis 0 of a C-ordered array first: whole contiguous rows are copied.
    transposed = M.flags.f_contiguous and not M.flags.c_contiguous
    image = M.T if transposed else M
    pools = [(rows, rows.size != n_rows or row_starts is not None), (cols, cols.size != n_cols)]
    if transposed:
        pools.reverse()
    for axis, (starts, needed) in enumerate(pools):
        if needed:
            image = _max_pool(image, starts, axis=axis)
    image = image.T if transposed else image
    return np.ascontiguousarray(image, dtype=np.float32), rows, cols


def log_frequency_starts(frequencies, *, n_rows, fmin):
    """Row starts that pool linearly spaced bins into log-spaced frequency bands.

    Row ``i`` covers ``[e_i, e_{i+1})`` with ``e = geomspace(fmin, f_max,
    n_rows + 1)``; its start is the bin nearest ``e_i``. Pass the result as
    ``row_starts`` to :func:`decimate_image` and draw the image between
    ``log2(fmin)`` and ``log2(f_max)`` on a linear axis.

    Parameters
    ----------
    frequencies : np.ndarray [shape=(n_bins,)]
        Bin centre frequencies, equally spaced from 0 (e.g. ``k · sr / n_fft``).
    n_rows : int > 0
        The number of log-spaced rows (about the plot's height in pixels).
    fmin : float > 0
        The lowest frequency shown, below the highest bin.

    Returns
    -------
    starts : np.ndarray [shape=(n_rows,), dtype=int64]
        Non-decreasing first bins.
    edges : np.ndarray [shape=(n_rows + 1,)]
        The band edges in Hz, from ``fmin`` to the highest bin frequency.

    Examples
    --------
    >>> import numpy as np
    >>> starts, edges = log_frequency_starts(np.arange(9) * 100.0, n_rows=3, fmin=100.0)
    >>> starts, edges
    (array([1, 2, 4]), array([100., 200., 400., 800.]))
    """
    frequencies = _real_array(frequencies, "frequencies", ndim=1)
    n_rows = check_int(n_rows, "n_rows", minimum=1)
    if frequencies.size < 2:
        raise ParameterError(f"frequencies needs at least two bins, got frequencies.size={frequencies.size}")
    f_max = float(frequencies[-1])
    fmin = check_real(fmin, "fmin", minimum=0.0, exclusive_minimum=True, maximum=f_max)
    df = float(frequencies[1] - frequencies[0])
    edges = np.geomspace(fmin, f_max, n_rows + 1)
    starts = np.clip(np.round(edges[:-1] / df), 0, frequencies.size - 1).astype(np.int64)
    return starts, edges


def magnitude_db(X, /, *, amin=1e-5):
    """Decibels relative to the peak, ``20 log10(max(amin, |X|) / max |X|)``, as float32.

    The peak is 0 dB; nothing is floored beyond ``amin`` (the colour range
    of a view chooses what to show).

    Parameters
    ----------
    X : np.ndarray
        Magnitudes or complex values.
    amin : float > 0
        Floor applied before the logarithm.

    Returns
    -------
    X_db : np.ndarray [shape=X.shape, dtype=float32]

    Examples
    --------
    >>> import numpy as np
    >>> magnitude_db(np.array([1.0, 0.1, 0.0]))
    array([   0.,  -20., -100.], dtype=float32)
    """
    magnitude = np.abs(np.asarray(X))
    if magnitude.size == 0:
        return magnitude.astype(np.float32)
    return amplitude_to_db(magnitude, ref=np.max, amin=amin, top_db=None).astype(np.float32)


def hold_to_rate(y, /, *, sr, min_sr):
    """Repeat each sample so that a signal at a low rate can be played where ``min_sr`` is the least.

    Browsers refuse to play audio below about 3 kHz. Holding each sample
    ``k = ceil(min_sr / sr)`` times (a zero-order hold, what a simple DAC
    outputs) plays the same samples for the same duration at ``k · sr``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        The samples.
    sr : float > 0
        Their sampling rate in Hz.
    min_sr : float > 0
        The lowest playable rate in Hz.

    Returns
    -------
    y_held : np.ndarray [shape=(k n,)]
        ``y`` with each sample repeated ``k`` times (``y`` itself when ``sr >= min_sr``).
    sr_held : float
        ``k · sr``.

    Examples
    --------
    >>> import numpy as np
    >>> hold_to_rate(np.array([0.5, -0.5]), sr=1000, min_sr=3000)
    (array([ 0.5,  0.5,  0.5, -0.5, -0.5, -0.5]), 3000.0)
    """
    y = _real_array(y, "y", ndim=1)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    min_sr = check_real(min_sr, "min_sr", minimum=0.0, exclusive_minimum=True)
    k = int(np.ceil(min_sr / sr - 1e-9))
    if k <= 1:
        return y, sr
    return np.repeat(y, k), k * sr


def _max_pool(M, starts, *, axis):
    """``np.maximum.reduceat(M, starts, axis)``, faster for the short blocks of a plot.

    For blocks of at most ``_GATHER_LIMIT`` items the maximum is taken over a
    few strided gathers (each a whole-array operation) instead of reduceat's
    element loop.
    """
    ends = np.append(starts[1:], M.shape[axis])
    last = np.maximum(ends - 1, starts)   # an empty block repeats its start
    longest = int((last - starts).max()) + 1
    if longest > _GATHER_LIMIT:
        return np.maximum.reduceat(M, starts, axis=axis)
    out = np.take(M, starts, axis=axis)
    for offset in range(1, longest):
        np.maximum(out, np.take(M, np.minimum(starts + offset, last), axis=axis), out=out)
    return out


#: Longest block pooled by strided gathers; longer blocks use ``np.maximum.reduceat``.
_GATHER_LIMIT = 32


def _real_array(value, name, *, ndim):
    array = np.asarray(value)
    if array.ndim != ndim:
        raise ParameterError(f"{name} must be {ndim}-D, got {name}.shape={array.shape}")
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ParameterError(f"{name} must be real, got {name}.dtype={array.dtype}")
    return array
