"""The discrete Fourier transform from scratch, convolution, and a cost timer (chapter 2).

:func:`dft` and :func:`idft` compute the sums of the definition as
matrix-vector products (O(N^2)), to be compared with the FFT (O(N log N));
:func:`direct_convolve` and :func:`fft_convolve` do the same for convolution.
:func:`time_functions` measures how the cost of each grows with N.
"""

import functools
import time

import numpy as np
import scipy.fft

from ..errors import ParameterError
from ._checks import check_int, check_real, short_repr

__all__ = [
    "COMPLEXITY_METHODS",
    "dft_matrix",
    "dft",
    "idft",
    "magnitude",
    "phase",
    "direct_convolve",
    "fft_convolve",
    "complexity_cases",
    "time_functions",
]

#: The methods timed by :func:`complexity_cases`.
COMPLEXITY_METHODS = ("dft", "fft", "direct_convolve", "fft_convolve")

#: Most matrix elements :func:`dft` builds at once (so memory stays bounded).
_MAX_BLOCK_ELEMENTS = 2**20


@functools.lru_cache(maxsize=8)
def dft_matrix(n):
    """The N-point DFT matrix.

    .. math:: W[k, m] = e^{-j 2 \\pi k m / N}, \\quad k, m = 0 .. N - 1

    so that ``X = W @ x`` is the DFT of ``x``. The exponent is reduced modulo
    ``N`` in exact integers first, so every entry is one of the ``N`` roots
    of unity to full precision. Cached (the eight most recent sizes), so the
    array is read-only; it takes ``16 N^2`` bytes.

    Parameters
    ----------
    n : int > 0
        Transform size ``N``.

    Returns
    -------
    W : np.ndarray [shape=(n, n), dtype=complex128]
        Symmetric: ``W == W.T``.

    Examples
    --------
    >>> from listenwidgets.dsp import dft_matrix
    >>> dft_matrix(4).round(12) + 0  # rows are e^{-j 2 pi k m / 4}
    array([[ 1.+0.j,  1.+0.j,  1.+0.j,  1.+0.j],
           [ 1.+0.j,  0.-1.j, -1.+0.j,  0.+1.j],
           [ 1.+0.j, -1.+0.j,  1.+0.j, -1.+0.j],
           [ 1.+0.j,  0.+1.j, -1.+0.j,  0.-1.j]])
    """
    n = check_int(n, "n", minimum=1)
    matrix = _dft_rows(0, n, n)
    matrix.flags.writeable = False
    return matrix


def _dft_rows(first, stop, n):
    """Rows ``first .. stop - 1`` of the N-point DFT matrix, from a table of roots of unity."""
    roots = np.exp(-2j * np.pi * np.arange(n) / n)
    return roots[np.outer(np.arange(first, stop), np.arange(n)) % n]


def dft(x, /):
    """Discrete Fourier transform by the definition (O(N^2)).

    .. math:: X(k) = \\sum_{n=0}^{N-1} x(n)\\, e^{-j 2 \\pi n k / N}, \\quad k = 0 .. N - 1

    Computed as a product with the DFT matrix, built a block of rows at a
    time so that memory stays bounded for any ``N``; the products are plain
    multiply-adds (:func:`numpy.einsum`, no multi-threaded BLAS), so the
    timing shows the O(N^2) cost honestly. Equal to
    :func:`numpy.fft.fft` up to rounding.

    Parameters
    ----------
    x : np.ndarray [shape=(..., N)]
        Real or complex signal; the transform runs along the last axis.

    Returns
    -------
    X : np.ndarray [shape=(..., N), dtype=complex128]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import dft
    >>> dft(np.array([1.0, 2.0, 3.0, 4.0])).round(12) + 0
    array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    return _transform(_check_signal(x, "x"), sign=-1)


def idft(X, /):
    """Inverse discrete Fourier transform by the definition (O(N^2)).

    .. math:: x(n) = \\frac{1}{N} \\sum_{k=0}^{N-1} X(k)\\, e^{j 2 \\pi n k / N}

    so ``idft(dft(x)) == x`` up to rounding (take ``.real`` for a real signal).

    Parameters
    ----------
    X : np.ndarray [shape=(..., N)]
        Spectrum; the inverse runs along the last axis.

    Returns
    -------
    x : np.ndarray [shape=(..., N), dtype=complex128]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import dft, idft
    >>> idft(dft(np.array([1.0, 2.0, 3.0, 4.0]))).real.round(12)
    array([1., 2., 3., 4.])
    """
    X = _check_signal(X, "X")
    return _transform(X, sign=1) / X.shape[-1]


def _transform(x, *, sign):
    """``sum_m x[..., m] exp(sign j 2 pi k m / N)`` for every ``k``, a block of rows at a time."""
    n = x.shape[-1]
    out = np.empty(x.shape, dtype=np.complex128)
    rows = max(1, _MAX_BLOCK_ELEMENTS // n)
    for first in range(0, n, rows):
        stop = min(first + rows, n)
        block = _dft_rows(first, stop, n)
        if sign > 0:
            block = block.conj()
        out[..., first:stop] = np.einsum("...m,km->...k", x, block)
    return out


def magnitude(X, /):
    """Magnitude of a complex spectrum.

    .. math:: |X(k)| = \\sqrt{X_R(k)^2 + X_I(k)^2}

    Parameters
    ----------
    X : np.ndarray
        Complex spectrum.

    Returns
    -------
    mag : np.ndarray [shape=X.shape, real]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import magnitude
    >>> magnitude(np.array([3 + 4j, -2j]))
    array([5., 2.])
    """
    X = np.asarray(X)
    return np.hypot(X.real, X.imag)


def phase(X, /):
    """Phase of a complex spectrum in radians, in ``(-pi, pi]``.

    .. math:: \\varphi(k) = \\operatorname{atan2}(X_I(k), X_R(k))

    Parameters
    ----------
    X : np.ndarray
        Complex spectrum.

    Returns
    -------
    phi : np.ndarray [shape=X.shape, real]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import phase
    >>> phase(np.array([1 + 1j, -1 + 0j, -1j])) / np.pi
    array([ 0.25,  1.  , -0.5 ])
    """
    X = np.asarray(X)
    return np.arctan2(X.imag, X.real)


def direct_convolve(x, h, /):
    """Full linear convolution by the time-domain sum (O(N M)).

    .. math:: y(n) = \\sum_{m} h(m)\\, x(n - m), \\quad n = 0 .. N + M - 2

    evaluated as one scaled, shifted copy of the longer signal per sample of
    the shorter one.

    Parameters
    ----------
    x : np.ndarray [shape=(N,)]
        Signal.
    h : np.ndarray [shape=(M,)]
        Impulse response.

    Returns
    -------
    y : np.ndarray [shape=(N + M - 1,)]
        Same as :func:`numpy.convolve` (``mode='full'``).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import direct_convolve
    >>> direct_convolve(np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0]))
    array([ 1.,  1.,  1., -3.])
    """
    x = _check_vector(x, "x")
    h = _check_vector(h, "h")
    longer, shorter = (x, h) if x.shape[0] >= h.shape[0] else (h, x)
    y = np.zeros(x.shape[0] + h.shape[0] - 1, dtype=np.result_type(x, h))
    for m, tap in enumerate(shorter):
        y[m:m + longer.shape[0]] += tap * longer
    return y


def fft_convolve(x, h, /):
    """Full linear convolution through the FFT (O((N + M) log(N + M))).

    .. math:: y = \\mathrm{IFFT}_L\\big(\\mathrm{FFT}_L(x) \\cdot \\mathrm{FFT}_L(h)\\big)[0 : N + M - 1]

    Both signals are zero-padded to ``L >= N + M - 1`` (rounded up to a fast
    FFT size), so the circular convolution that the DFT computes has no
    wrap-around and equals the linear one.

    Parameters
    ----------
    x : np.ndarray [shape=(N,)]
        Signal.
    h : np.ndarray [shape=(M,)]
        Impulse response.

    Returns
    -------
    y : np.ndarray [shape=(N + M - 1,)]
        Real if both inputs are real.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import fft_convolve
    >>> fft_convolve(np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0])).round(12) + 0
    array([ 1.,  1.,  1., -3.])
    """
    x = _check_vector(x, "x")
    h = _check_vector(h, "h")
    length = x.shape[0] + h.shape[0] - 1
    real = not (np.iscomplexobj(x) or np.iscomplexobj(h))
    size = scipy.fft.next_fast_len(length, real=real)
    if real:
        product = scipy.fft.rfft(x, size) * scipy.fft.rfft(h, size)
        return scipy.fft.irfft(product, size)[:length]
    return scipy.fft.ifft(scipy.fft.fft(x, size) * scipy.fft.fft(h, size))[:length]


def complexity_cases(*, seed=0):
    """Factories of the timed calls for the Complexity node.

    Each value maps a size ``N`` to a zero-argument callable; the random
    inputs are drawn in the factory, so only the transform itself is timed:

    - ``'dft'``: :func:`dft` of a length-N signal (O(N^2));
    - ``'fft'``: :func:`scipy.fft.fft` of the same (O(N log N));
    - ``'direct_convolve'``: :func:`direct_convolve` of two length-N signals (O(N^2));
    - ``'fft_convolve'``: :func:`fft_convolve` of the same (O(N log N)).

    Parameters
    ----------
    seed : int
        Seed of the random test signals.

    Returns
    -------
    cases : dict[str, callable]
        Keys are :data:`COMPLEXITY_METHODS`; pass it to :func:`time_functions`.

    Examples
    --------
    >>> from listenwidgets.dsp import complexity_cases
    >>> sorted(complexity_cases())
    ['dft', 'direct_convolve', 'fft', 'fft_convolve']
    """
    rng = np.random.default_rng(seed)

    def signal(n):
        return rng.standard_normal(n)

    def pair(n):
        return signal(n), signal(n)

    return {
        "dft": lambda n: functools.partial(dft, signal(n)),
        "fft": lambda n: functools.partial(scipy.fft.fft, signal(n)),
        "direct_convolve": lambda n: functools.partial(direct_convolve, *pair(n)),
        "fft_convolve": lambda n: functools.partial(fft_convolve, *pair(n)),
    }


def time_functions(funcs, sizes, *, repeat=3, budget=0.5):
    """Median run time of each method at each size, giving up on a method once it gets slow.

    For each method, sizes are run in increasing order; at each size the
    callable ``funcs[name](n)`` is built (untimed) and called ``repeat``
    times. As soon as one call takes longer than ``budget`` seconds, the
    method is not run at any larger size (its entries stay NaN), so an
    O(N^2) method never hangs the caller.

    Parameters
    ----------
    funcs : dict[str, callable]
        ``name -> factory``, where ``factory(n)`` returns a zero-argument
        callable to time (see :func:`complexity_cases`).
    sizes : sequence of int > 0
        Problem sizes ``N``, strictly increasing.
    repeat : int > 0
        Calls per size; the median is reported.
    budget : float > 0
        Seconds one call may take before the method stops growing.

    Returns
    -------
    seconds : dict[str, np.ndarray [shape=(len(sizes),)]]
        Median seconds per call, NaN where the method was not run.

    Examples
    --------
    >>> from listenwidgets.dsp import complexity_cases, time_functions
    >>> times = time_functions(complexity_cases(), [16, 64, 256], repeat=1)
    >>> sorted(times), times['fft'].shape
    (['dft', 'direct_convolve', 'fft', 'fft_convolve'], (3,))
    """
    sizes = _check_sizes(sizes)
    repeat = check_int(repeat, "repeat", minimum=1)
    budget = check_real(budget, "budget", minimum=0.0, exclusive_minimum=True)
    return {name: _time_method(factory, sizes, repeat, budget) for name, factory in funcs.items()}


def _time_method(factory, sizes, repeat, budget):
    """Median seconds per size for one method, NaN after the first call over budget."""
    seconds = np.full(len(sizes), np.nan)
    for index, n in enumerate(sizes):
        call = factory(n)
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            call()
            runs.append(time.perf_counter() - start)
            if runs[-1] > budget:
                break
        seconds[index] = np.median(runs)
        if max(runs) > budget:
            break
    return seconds


def _check_sizes(sizes):
    sizes = [check_int(n, "sizes", minimum=1) for n in sizes]
    if not sizes or any(b <= a for a, b in zip(sizes, sizes[1:])):
        raise ParameterError(f"sizes must be a non-empty increasing sequence, got sizes={sizes}")
    return sizes


def _check_signal(x, name):
    """A numeric array with at least one sample along its last axis, all finite."""
    x = np.asarray(x)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ParameterError(f"{name} must have at least one sample, got {name}.shape={x.shape}")
    if not (np.issubdtype(x.dtype, np.number) and np.isfinite(x).all()):
        raise ParameterError(f"{name} must contain finite numbers, got {name}={short_repr(x)}")
    return x


def _check_vector(x, name):
    x = _check_signal(x, name)
    if x.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got {name}.shape={x.shape}")
    return x
