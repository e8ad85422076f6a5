"""Window functions for short-time analysis.

Windows come from one cached builder (:func:`get_window`) keyed by the window
specification, its length and ``fftbins``; the arrays it returns are
read-only so that a shared cached window can never be modified by a caller.
"""

import functools

import numpy as np
import scipy.signal

from ..errors import ParameterError
from ._checks import check_int, short_repr

__all__ = [
    "WINDOWS",
    "GAUSSIAN_STD_FRACTION",
    "KAISER_BETA",
    "get_window",
    "pad_center",
    "window_sumsquare",
]

#: Window names offered by the user interface. Every name is accepted by
#: :func:`get_window`; ``'gaussian'`` and ``'kaiser'`` use the defaults below.
WINDOWS = (
    "hann",
    "hamming",
    "blackman",
    "rectangular",
    "gaussian",
    "bartlett",
    "kaiser",
    "triang",
    "blackmanharris",
    "flattop",
    "tukey",
    "cosine",
)

#: Standard deviation of the bare ``'gaussian'`` window, as a fraction of its
#: length: ``std = win_length / 6`` puts the window's ends three standard
#: deviations from its centre, where it has fallen to exp(-4.5) ~ 1.1 %.
GAUSSIAN_STD_FRACTION = 1.0 / 6.0

#: Shape parameter of the bare ``'kaiser'`` window: beta = 8.6 gives a main
#: lobe and side lobes (about -69 dB) close to the Blackman window's.
KAISER_BETA = 8.6


def get_window(window, win_length, *, fftbins=True):
    """Return a window function of length ``win_length`` (as :func:`librosa.filters.get_window`).

    Parameters
    ----------
    window : str, tuple, float, callable or np.ndarray [shape=(win_length,)]
        - a window name accepted by :func:`scipy.signal.get_window`
          (``'hann'``, ``'hamming'``, ``'blackman'``, ``'bartlett'`` ...);
        - ``'rectangular'`` (an alias of ``'boxcar'``);
        - ``'gaussian'`` alone, meaning ``('gaussian', win_length * GAUSSIAN_STD_FRACTION)``;
        - ``'kaiser'`` alone, meaning ``('kaiser', KAISER_BETA)``;
        - a tuple ``(name, parameter, ...)`` such as ``('gaussian', 100.0)``;
        - a float, meaning ``('kaiser', window)`` (scipy's convention);
        - a callable ``f(win_length) -> np.ndarray``;
        - an array of length ``win_length``, returned as it is (as float64).
    win_length : int > 0
        Number of samples in the window.
    fftbins : bool
        If True (default) build a periodic window for spectral analysis
        (the length ``win_length + 1`` symmetric window without its last
        sample); if False a symmetric window for filter design.

    Returns
    -------
    window : np.ndarray [shape=(win_length,), dtype=float64]
        The window, read-only.

    Raises
    ------
    ParameterError
        If the window is unknown, its parameters are invalid, or an array
        window has the wrong length.

    Examples
    --------
    >>> from listenwidgets.dsp import get_window
    >>> get_window('hann', 4)
    array([0. , 0.5, 1. , 0.5])
    >>> get_window(('gaussian', 2.0), 5, fftbins=False).round(3)
    array([0.607, 0.882, 1.   , 0.882, 0.607])
    """
    win_length = check_int(win_length, "win_length", minimum=1)
    if isinstance(window, np.ndarray | list):
        return _array_window(window, win_length)
    if callable(window):
        return _read_only(np.asarray(window(win_length), dtype=np.float64))
    try:
        return _cached_window(window, win_length, bool(fftbins))
    except TypeError as exc:  # an unhashable specification, e.g. a tuple holding a list
        raise ParameterError(f"invalid window specification window={short_repr(window)}") from exc


def _array_window(window, win_length):
    """Return an explicit window array as read-only float64, checking its length."""
    window = np.asarray(window, dtype=np.float64)
    if window.shape != (win_length,):
        raise ParameterError(
            f"window array has shape {window.shape}, expected ({win_length},) for "
            f"win_length={win_length}"
        )
    return _read_only(window.copy())


@functools.lru_cache(maxsize=128)
def _cached_window(window, win_length, fftbins):
    """Build (once per specification) the read-only window array."""
    spec = _scipy_spec(window, win_length)
    try:
        values = scipy.signal.get_window(spec, win_length, fftbins=fftbins)
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            f"unknown or invalid window={short_repr(window)}; choose one of "
            f"{', '.join(WINDOWS)} or a scipy.signal.get_window specification ({exc})"
        ) from exc
    return _read_only(np.asarray(values, dtype=np.float64))


def _scipy_spec(window, win_length):
    """Translate listenwidgets' window names to a scipy.signal.get_window specification."""
    if window == "rectangular":
        return "boxcar"
    if window == "gaussian":
        return ("gaussian", win_length * GAUSSIAN_STD_FRACTION)
    if window == "kaiser":
        return ("kaiser", KAISER_BETA)
    if isinstance(window, str | tuple) or np.isscalar(window):
        return window
    raise ParameterError(f"invalid window specification window={short_repr(window)}")


def _read_only(array):
    array.flags.writeable = False
    return array


def pad_center(data, /, *, size, axis=-1, mode="constant"):
    """Pad ``data`` on both sides along ``axis`` so that it is centred in ``size`` samples.

    With ``n = data.shape[axis]``, ``(size - n) // 2`` samples go on the left
    and the rest on the right (as :func:`librosa.util.pad_center`).

    Parameters
    ----------
    data : np.ndarray [shape=(..., n, ...)]
        Array to pad.
    size : int >= n
        Length of ``axis`` after padding.
    axis : int
        Axis along which to pad.
    mode : str
        Padding mode of :func:`numpy.pad` (default zeros).

    Returns
    -------
    padded : np.ndarray [shape=(..., size, ...)]

    Raises
    ------
    ParameterError
        If ``size`` is smaller than the data.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import pad_center
    >>> pad_center(np.ones(3), size=6)
    array([0., 1., 1., 1., 0., 0.])
    """
    data = np.asarray(data)
    size = check_int(size, "size", minimum=0)
    n = data.shape[axis]
    if size < n:
        raise ParameterError(f"size={size} must be at least the data length {n}")
    left = (size - n) // 2
    widths = [(0, 0)] * data.ndim
    widths[axis] = (left, size - n - left)
    return np.pad(data, widths, mode=mode)


def window_sumsquare(*, window, n_frames, hop_length=512, win_length=None, n_fft=2048,
                     dtype=np.float32):
    """Sum of squared, overlapping windows (the envelope that ISTFT divides by).

    ``x[n] = sum_t w[n - t * hop_length] ** 2`` for ``t = 0 .. n_frames - 1``,
    where ``w`` is the window of ``win_length`` centred in ``n_fft`` samples
    (as :func:`librosa.filters.window_sumsquare` with ``norm=None``).

    Parameters
    ----------
    window : str, tuple, float, callable or np.ndarray
        Window specification, see :func:`get_window`.
    n_frames : int > 0
        Number of frames.
    hop_length : int > 0
        Samples between successive frames.
    win_length : int in [1, n_fft] or None
        Window length; None means ``n_fft``.
    n_fft : int > 0
        Frame length.
    dtype : np.dtype
        Output dtype.

    Returns
    -------
    x : np.ndarray [shape=(n_fft + hop_length * (n_frames - 1),)]

    Examples
    --------
    >>> from listenwidgets.dsp import window_sumsquare
    >>> x = window_sumsquare(window='hann', n_frames=8, hop_length=4, n_fft=16)
    >>> float(x[16:24].min()), float(x[16:24].max())  # constant 1.5 away from the edges
    (1.5, 1.5)
    """
    n_frames = check_int(n_frames, "n_frames", minimum=1)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    win_length = check_win_length(win_length, n_fft=n_fft)
    win_sq = pad_center(get_window(window, win_length) ** 2, size=n_fft).astype(dtype)
    out = np.zeros(n_fft + hop_length * (n_frames - 1), dtype=dtype)
    overlap_add(out, np.broadcast_to(win_sq, (n_frames, n_fft)), hop_length=hop_length)
    return out


def check_win_length(win_length, *, n_fft):
    """Default ``win_length`` to ``n_fft`` and check ``1 <= win_length <= n_fft``."""
    if win_length is None:
        return n_fft
    win_length = check_int(win_length, "win_length", minimum=1)
    if win_length > n_fft:
        raise ParameterError(f"win_length={win_length} must not exceed n_fft={n_fft}")
    return win_length


def overlap_add(out, frames, *, hop_length):
    """Add ``frames[t]`` into ``out[t * hop_length :]`` for every row ``t``, in place.

    ``frames`` has shape ``(n_frames, frame_length)`` and ``out`` at least
    ``frame_length + hop_length * (n_frames - 1)`` samples. The sum runs as
    ``ceil(frame_length / hop_length)`` vectorised additions, one per
    hop-sized segment of the frame, instead of a loop over frames.
    """
    n_frames, frame_length = frames.shape
    for first in range(0, frame_length, hop_length):
        width = min(hop_length, frame_length - first)
        stop = first + hop_length * (n_frames - 1) + width
        target = np.lib.stride_tricks.as_strided(
            out[first:stop], shape=(n_frames, width),
            strides=(hop_length * out.strides[0], out.strides[0]), writeable=True,
        )
        target += frames[:, first:first + width]
