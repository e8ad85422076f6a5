"""Short-time Fourier analysis: framing, STFT, ISTFT, frequency axes and decibels.

:func:`stft` and :func:`istft` follow librosa 0.11 (same arguments, defaults,
frame positions and output) and match it to within 1e-5 of the largest
magnitude. :func:`stft` is written for speed: it frames the interior of the
signal as a strided view (only the few edge frames are padded copies),
windows a cache-sized block of frames at a time into a scratch buffer, runs
a real FFT per block straight into the rows of a C-contiguous
``(n_frames, n_bins)`` result, whose transpose it returns; the blocks are
shared between threads, one per CPU.
"""

import concurrent.futures
import functools
import os
import threading
import warnings

import numpy as np
import scipy.fft

try:
    # scipy.fft.rfft has no ``out=`` argument; the pocketfft binding under it
    # does, and writing each block straight into the result saves one copy of
    # the whole spectrogram (about a tenth of stft's time).
    from scipy.fft._pocketfft.pypocketfft import r2c as _pocketfft_r2c
except ImportError:  # the private binding moved: rfft and a copy still work
    _pocketfft_r2c = None

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_hop_length, check_int, check_real
from .windows import check_win_length, get_window, overlap_add, pad_center, window_sumsquare

__all__ = [
    "PAD_MODES",
    "frame",
    "stft",
    "istft",
    "frame_spectrum",
    "fft_frequencies",
    "frames_to_time",
    "power_to_db",
    "amplitude_to_db",
    "db_to_power",
    "db_to_amplitude",
]

#: Padding modes accepted by :func:`stft` when ``center=True`` (those of
#: :func:`numpy.pad` that librosa.stft accepts).
PAD_MODES = ("constant", "edge", "linear_ramp", "reflect", "symmetric")

#: Bytes of windowed frames transformed per FFT call: small enough to stay in
#: the CPU cache, large enough that the per-call overhead is negligible.
_BLOCK_BYTES = 2**18

#: Threads that share the FFTs of one long STFT (the CPUs this process may use).
_WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

#: Fewest blocks worth handing to one more thread.
_MIN_BLOCKS_PER_THREAD = 4


def frame(y, /, *, frame_length, hop_length):
    """Slice ``y`` into overlapping frames along its last axis, without copying.

    Frame ``t`` is ``y[..., t * hop_length : t * hop_length + frame_length]``;
    there are ``1 + (n - frame_length) // hop_length`` frames.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Signal to frame.
    frame_length : int > 0
        Samples per frame.
    hop_length : int > 0
        Samples between the starts of successive frames.

    Returns
    -------
    frames : np.ndarray [shape=(..., frame_length, n_frames)]
        A read-only strided view of ``y`` (as :func:`librosa.util.frame` with
        ``axis=-1``).

    Raises
    ------
    ParameterError
        If ``y`` is shorter than one frame.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import frame
    >>> frame(np.arange(6.0), frame_length=3, hop_length=2)
    array([[0., 2.],
           [1., 3.],
           [2., 4.]])
    """
    y = np.asarray(y)
    frame_length = check_int(frame_length, "frame_length", minimum=1)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    if y.ndim == 0 or y.shape[-1] < frame_length:
        length = y.shape[-1] if y.ndim else 0
        raise ParameterError(
            f"frame_length={frame_length} is longer than the signal (length={length})"
        )
    return _frame_rows(y, frame_length, hop_length).swapaxes(-1, -2)


def _frame_rows(y, frame_length, hop_length):
    """Frames as rows: a read-only view of shape (..., n_frames, frame_length)."""
    view = np.lib.stride_tricks.sliding_window_view(y, frame_length, axis=-1)
    return view[..., ::hop_length, :]


def stft(y, /, *, n_fft=2048, hop_length=None, win_length=None, window="hann", center=True,
         dtype=None, pad_mode="constant"):
    """Short-time Fourier transform (as :func:`librosa.stft`).

    .. math:: X[k, t] = \\sum_{n=0}^{N-1} w[n]\\, x[n + t h]\\, e^{-j 2 \\pi k n / N}

    with ``N = n_fft``, ``h = hop_length`` and ``w`` the window of
    ``win_length`` samples centred in ``n_fft``. With ``center=True`` the
    signal is first padded by ``n_fft // 2`` on both sides (``pad_mode``), so
    frame ``t`` is centred on sample ``t * hop_length``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n), real floating point]
        Audio signal; leading axes are channels.
    n_fft : int > 0
        FFT length (frame length after zero-padding the window).
    hop_length : int > 0 or None
        Samples between frames; None means ``win_length // 4``.
    win_length : int in [1, n_fft] or None
        Window length; None means ``n_fft``.
    window : str, tuple, float, callable or np.ndarray
        Window specification, see :func:`listenwidgets.dsp.get_window`.
    center : bool
        Centre frames on ``t * hop_length`` by padding the signal.
    dtype : complex np.dtype or None
        Output dtype; None means complex64 for float32 input, complex128 for
        float64 input.
    pad_mode : str
        One of :data:`PAD_MODES`, used when ``center=True``.

    Returns
    -------
    D : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames), complex]
        ``n_frames = 1 + (n + 2 * (n_fft // 2) - n_fft) // hop_length`` if
        ``center`` else ``1 + (n - n_fft) // hop_length``. For mono input the
        array is Fortran-ordered (each frame contiguous in memory).

    Raises
    ------
    ParameterError
        For non-float, empty or non-finite audio, ``hop_length < 1``,
        ``win_length > n_fft``, an unknown window or ``pad_mode``, or
        ``n_fft`` longer than the signal when ``center=False``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import stft, tone
    >>> y = tone(frequency=1000.0, sr=22050, duration=1.0)
    >>> D = stft(y, n_fft=2048, hop_length=512)
    >>> D.shape
    (1025, 44)
    >>> int(np.abs(D[:, 20]).argmax())  # 1000 Hz / (22050 Hz / 2048) = bin 92.9
    93
    """
    y = check_audio(y, mono=False)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    win_length = check_win_length(win_length, n_fft=n_fft)
    hop_length = check_hop_length(hop_length, win_length=win_length)
    check_choice(pad_mode, "pad_mode", PAD_MODES)
    length = y.shape[-1]
    if not center and n_fft > length:
        raise ParameterError(
            f"n_fft={n_fft} is too large for uncentered analysis (center=False) of a signal "
            f"of length={length}; use a smaller n_fft or center=True"
        )
    real_dtype = np.result_type(y.dtype, np.float32)
    out_dtype = _check_dtype(dtype, np.complexfloating, np.result_type(real_dtype, np.complex64))
    fft_window = pad_center(get_window(window, win_length), size=n_fft).astype(real_dtype)
    pad = n_fft // 2 if center else 0
    n_frames = 1 + (length + 2 * pad - n_fft) // hop_length

    channels = y.reshape(-1, length).astype(real_dtype, copy=False)
    out = np.empty((channels.shape[0], n_frames, 1 + n_fft // 2), dtype=out_dtype)
    for signal, rows in zip(channels, out):
        _stft_rows(signal, rows, fft_window, hop_length, pad, pad_mode)
    return out.reshape(*y.shape[:-1], n_frames, -1).swapaxes(-1, -2)


def _stft_rows(y, out, fft_window, hop_length, pad, pad_mode):
    """Fill ``out[t]`` with the spectrum of frame ``t`` of the (virtually) padded ``y``."""
    n_fft = fft_window.shape[0]
    for first, frames in _frame_groups(y, n_fft, hop_length, pad, pad_mode, out.shape[0]):
        _transform_frames(frames, fft_window, out[first:first + frames.shape[0]])


def _frame_groups(y, n_fft, hop_length, pad, pad_mode, n_frames):
    """Yield ``(first_frame, frames)`` for the head, interior and tail frames.

    Interior frames lie wholly inside ``y`` and are a strided view of it;
    only the few head and tail frames that reach into the padding are built
    from a small padded copy of the signal's ends.
    """
    length = y.shape[0]
    first_inside = -(-pad // hop_length)
    last_inside = min((length + pad - n_fft) // hop_length, n_frames - 1)
    head_stop = min(first_inside, n_frames)
    tail_start = max(head_stop, last_inside + 1)
    if head_stop > 0:
        yield 0, _edge_frames(y, 0, head_stop, n_fft, hop_length, pad, pad_mode)
    if tail_start > head_stop:
        start = head_stop * hop_length - pad
        interior = y[start:start + (tail_start - head_stop - 1) * hop_length + n_fft]
        yield head_stop, _frame_rows(interior, n_fft, hop_length)
    if n_frames > tail_start:
        yield tail_start, _edge_frames(y, tail_start, n_frames, n_fft, hop_length, pad, pad_mode)


def _edge_frames(y, first, stop, n_fft, hop_length, pad, pad_mode):
    """Frames ``first .. stop - 1`` of ``y`` padded by ``pad`` samples on each side."""
    segment = _padded_segment(y, first * hop_length, (stop - 1) * hop_length + n_fft, pad, pad_mode)
    return _frame_rows(segment, n_fft, hop_length)


def _padded_segment(y, begin, end, pad, pad_mode):
    """Return ``np.pad(y, pad, mode=pad_mode)[begin:end]`` without padding all of ``y``.

    Only the samples the requested span needs are copied, plus the
    ``pad + 1`` edge samples from which reflection-type modes build the padding.
    """
    length = y.shape[0]
    lo, hi = max(begin - pad, 0), min(end - pad, length)
    left = pad if begin < pad else 0
    right = pad if end - pad > length else 0
    if left:
        hi = max(hi, min(length, pad + 1))
    if right:
        lo = min(lo, max(0, length - pad - 1))
    segment = np.pad(y[lo:hi], (left, right), mode=pad_mode)
    origin = lo + pad - left
    return segment[begin - origin:end - origin]


def _transform_frames(frames, fft_window, out):
    """``out[t] = rfft(fft_window * frames[t])`` for every row ``t``.

    The rows are cut into cache-sized blocks; the calling thread and up to
    ``_WORKERS - 1`` pool threads take blocks from a shared counter until
    none are left (numpy and scipy.fft release the GIL while they work), so a
    busy core just takes fewer blocks.
    """
    n_frames, n_fft = frames.shape
    block = max(1, min(n_frames, _BLOCK_BYTES // (n_fft * fft_window.itemsize)))
    n_blocks = -(-n_frames // block)
    queue = _BlockQueue(n_blocks)
    helpers = min(_WORKERS - 1, n_blocks // _MIN_BLOCKS_PER_THREAD)
    futures = [_executor().submit(_transform_blocks, frames, fft_window, out, block, queue)
               for _ in range(helpers)]
    _transform_blocks(frames, fft_window, out, block, queue)
    for future in futures:
        if not future.cancel():  # a helper still queued behind another call is not needed
            future.result()


def _transform_blocks(frames, fft_window, out, block, queue):
    """Window and transform the blocks handed out by ``queue``, one scratch buffer per thread."""
    n_frames, n_fft = frames.shape
    scratch = np.empty((block, n_fft), dtype=fft_window.dtype)
    for index in iter(queue.take, None):
        start = index * block
        stop = min(start + block, n_frames)
        windowed = np.multiply(frames[start:stop], fft_window, out=scratch[:stop - start])
        _rfft_into(windowed, out[start:stop])


def _rfft_into(frames, out):
    """``out[...] = rfft(frames, axis=-1)``, written in place when ``out`` has the FFT's dtype."""
    if _pocketfft_r2c is not None and out.dtype == np.result_type(frames.dtype, np.complex64):
        _pocketfft_r2c(frames, axes=(1,), forward=True, inorm=0, out=out, nthreads=1)
    else:
        out[...] = scipy.fft.rfft(frames, axis=-1, overwrite_x=True, workers=1)


class _BlockQueue:
    """Hand out the block indices ``0 .. n_blocks - 1`` once each, across threads."""

    def __init__(self, n_blocks):
        self._next = 0
        self._n_blocks = n_blocks
        self._lock = threading.Lock()

    def take(self):
        """Return the next unclaimed block index, or None when all are taken."""
        with self._lock:
            if self._next >= self._n_blocks:
                return None
            self._next += 1
            return self._next - 1


@functools.cache
def _executor():
    """The shared pool of STFT helper threads (created on first use)."""
    return concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, _WORKERS - 1), thread_name_prefix="listenwidgets-stft"
    )


def istft(stft_matrix, /, *, hop_length=None, win_length=None, n_fft=None, window="hann",
          center=True, dtype=None, length=None):
    """Inverse short-time Fourier transform by weighted overlap-add (as :func:`librosa.istft`).

    .. math:: y[n] = \\frac{\\sum_t w[n - t h]\\, x_t[n - t h]}{\\sum_t w^2[n - t h]}

    where ``x_t = irfft(D[:, t], n_fft)``. Samples where the window sum is
    zero are left unnormalised.

    Parameters
    ----------
    stft_matrix : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames), complex]
        An STFT, e.g. from :func:`stft`.
    hop_length : int > 0 or None
        Samples between frames; None means ``win_length // 4``.
    win_length : int in [1, n_fft] or None
        Window length; None means ``n_fft``.
    n_fft : int > 0 or None
        FFT length; None means ``2 * (stft_matrix.shape[-2] - 1)``.
    window : str, tuple, float, callable or np.ndarray
        The analysis window used by :func:`stft`.
    center : bool
        Whether the STFT was centred (the padding is then removed).
    dtype : real np.dtype or None
        Output dtype; None means float32 for complex64 input, float64 for
        complex128 input.
    length : int > 0 or None
        If given, the output is zero-padded or trimmed to exactly this length.

    Returns
    -------
    y : np.ndarray [shape=(..., n)]
        ``n = length`` if given, else ``n_fft + hop_length * (n_frames - 1)``
        minus ``2 * (n_fft // 2)`` when ``center``.

    Raises
    ------
    ParameterError
        If ``n_fft`` does not match the number of frequency bins, or any
        argument is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import istft, stft
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> bool(np.allclose(istft(stft(y), length=len(y)), y))
    True
    """
    stft_matrix = np.asarray(stft_matrix)
    if stft_matrix.ndim < 2 or stft_matrix.shape[-1] < 1:
        raise ParameterError(
            f"stft_matrix must have shape (..., n_bins, n_frames) with at least one frame, "
            f"got stft_matrix.shape={stft_matrix.shape}"
        )
    n_bins = stft_matrix.shape[-2]
    n_fft = 2 * (n_bins - 1) if n_fft is None else check_int(n_fft, "n_fft", minimum=1)
    if n_fft < 1 or 1 + n_fft // 2 != n_bins:
        raise ParameterError(
            f"n_fft={n_fft} does not match the {n_bins} frequency bins of stft_matrix "
            "(expected 1 + n_fft // 2 bins)"
        )
    win_length = check_win_length(win_length, n_fft=n_fft)
    hop_length = check_hop_length(hop_length, win_length=win_length)
    length = check_int(length, "length", minimum=1, allow_none=True)
    pad = n_fft // 2 if center else 0
    n_frames = stft_matrix.shape[-1]
    if length is not None:
        n_frames = min(n_frames, -(-(length + 2 * pad) // hop_length))
    complex_dtype = np.result_type(stft_matrix.dtype, np.complex64)
    out_dtype = _check_dtype(dtype, np.floating, np.finfo(complex_dtype).dtype)
    if length is None:
        length = n_fft + hop_length * (n_frames - 1) - 2 * pad

    ifft_window = pad_center(get_window(window, win_length), size=n_fft).astype(out_dtype)
    envelope = window_sumsquare(window=window, n_frames=n_frames, hop_length=hop_length,
                                win_length=win_length, n_fft=n_fft, dtype=out_dtype)
    nonzero = envelope > np.finfo(out_dtype).tiny
    spectra = stft_matrix[..., :n_frames].reshape(-1, n_bins, n_frames)
    y = np.zeros((spectra.shape[0], length), dtype=out_dtype)
    for spectrum, signal in zip(spectra, y):
        summed = _overlap_add_frames(spectrum.T, ifft_window, hop_length)
        summed[nonzero] /= envelope[nonzero]
        kept = summed[pad:pad + length]
        signal[:kept.shape[0]] = kept
    return y.reshape(*stft_matrix.shape[:-2], length)


def _overlap_add_frames(spectra, ifft_window, hop_length):
    """Overlap-add ``ifft_window * irfft(spectra[t])`` for the rows ``t``, block by block."""
    n_frames = spectra.shape[0]
    n_fft = ifft_window.shape[0]
    out = np.zeros(n_fft + hop_length * (n_frames - 1), dtype=ifft_window.dtype)
    block = max(1, _BLOCK_BYTES // (n_fft * ifft_window.itemsize))
    for start in range(0, n_frames, block):
        stop = min(start + block, n_frames)
        frames = scipy.fft.irfft(spectra[start:stop], n=n_fft, axis=-1, workers=-1)
        frames *= ifft_window
        overlap_add(out[start * hop_length:], frames, hop_length=hop_length)
    return out


def frame_spectrum(y, /, *, start=0, win_length=2048, n_fft=None, window="hann"):
    """Complex spectrum of one windowed, zero-padded frame.

    .. math:: X[k] = \\sum_{n=0}^{L-1} w[n]\\, y[s + n]\\, e^{-j 2 \\pi k n / N}

    with ``s = start``, ``L = win_length`` and ``N = n_fft``: the frame is
    windowed, then zeros are appended up to ``n_fft`` samples (zero-padding
    interpolates the spectrum; it adds no resolution). Samples past the end
    of ``y`` count as zeros.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono audio.
    start : int in [0, n)
        Index of the frame's first sample.
    win_length : int > 0
        Frame (and window) length.
    n_fft : int >= win_length or None
        FFT length; None means ``win_length``.
    window : str, tuple, float, callable or np.ndarray
        Window specification, see :func:`listenwidgets.dsp.get_window`.

    Returns
    -------
    X : np.ndarray [shape=(1 + n_fft // 2,), complex]
        complex64 for float32 input, complex128 for float64 input.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import frame_spectrum, tone
    >>> y = tone(frequency=1000.0, sr=8000, length=800)
    >>> X = frame_spectrum(y, start=100, win_length=256, n_fft=1024, window='hann')
    >>> int(np.abs(X).argmax())  # 1000 Hz * 1024 / 8000 Hz
    128
    """
    y = check_audio(y)
    win_length = check_int(win_length, "win_length", minimum=1)
    n_fft = win_length if n_fft is None else check_int(n_fft, "n_fft", minimum=1)
    if n_fft < win_length:
        raise ParameterError(f"n_fft={n_fft} must be at least win_length={win_length}")
    start = check_int(start, "start", minimum=0)
    if start >= y.shape[0]:
        raise ParameterError(f"start={start} must be inside the signal (length={y.shape[0]})")
    real_dtype = np.result_type(y.dtype, np.float32)
    segment = np.zeros(n_fft, dtype=real_dtype)
    chunk = y[start:start + win_length]
    segment[:chunk.shape[0]] = chunk
    segment[:win_length] *= get_window(window, win_length)
    return scipy.fft.rfft(segment)


def fft_frequencies(*, sr=22050, n_fft=2048):
    """Centre frequency of each rfft bin (as :func:`librosa.fft_frequencies`).

    .. math:: f_k = k \\cdot sr / n_{fft}, \\quad k = 0 .. n_{fft} // 2

    Parameters
    ----------
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int > 0
        FFT length.

    Returns
    -------
    freqs : np.ndarray [shape=(1 + n_fft // 2,)]
        Frequencies in Hz; their spacing ``sr / n_fft`` is the resolution Δf.

    Examples
    --------
    >>> from listenwidgets.dsp import fft_frequencies
    >>> fft_frequencies(sr=22050, n_fft=16)
    array([    0.   ,  1378.125,  2756.25 ,  4134.375,  5512.5  ,  6890.625,
            8268.75 ,  9646.875, 11025.   ])
    """
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    return np.fft.rfftfreq(n_fft, d=1.0 / sr)


def frames_to_time(frames, /, *, sr=22050, hop_length=512, n_fft=None):
    """Convert frame indices to seconds (as :func:`librosa.frames_to_time`).

    .. math:: t = (\\text{frames} \\cdot h + \\lfloor n_{fft} / 2 \\rfloor) / sr

    (the offset only when ``n_fft`` is given: frames of an uncentred STFT).

    Parameters
    ----------
    frames : int or np.ndarray [shape=(n,)]
        Frame indices.
    sr : float > 0
        Sampling rate in Hz.
    hop_length : int > 0
        Samples between frames.
    n_fft : int > 0 or None
        If given, add half a frame to point at the frame's centre.

    Returns
    -------
    times : float or np.ndarray [shape=(n,)]
        Times in seconds.

    Examples
    --------
    >>> from listenwidgets.dsp import frames_to_time
    >>> frames_to_time([0, 1, 2], sr=22050, hop_length=22050 // 2)
    array([0. , 0.5, 1. ])
    """
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    n_fft = check_int(n_fft, "n_fft", minimum=1, allow_none=True)
    offset = n_fft // 2 if n_fft is not None else 0
    samples = np.asanyarray(frames) * hop_length + offset
    return samples / float(sr)


def power_to_db(S, /, *, ref=1.0, amin=1e-10, top_db=80.0):
    """Convert a power spectrogram to decibels (as :func:`librosa.power_to_db`).

    .. math:: S_{dB} = 10 \\log_{10}(\\max(a_{min}, S)) - 10 \\log_{10}(\\max(a_{min}, ref))

    then floored at ``S_dB.max() - top_db``.

    Parameters
    ----------
    S : np.ndarray
        Power (e.g. ``np.abs(D) ** 2``). Complex input is replaced by its
        magnitude, with a warning.
    ref : float or callable
        Reference power; a callable (e.g. ``np.max``) is applied to ``S``.
    amin : float > 0
        Floor applied to ``S`` and ``ref`` before the logarithm.
    top_db : float >= 0 or None
        Dynamic range kept below the peak; None keeps everything.

    Returns
    -------
    S_db : np.ndarray [shape=S.shape]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import power_to_db
    >>> power_to_db(np.array([1.0, 0.1, 1e-12]), ref=np.max)
    array([  0., -10., -80.])
    """
    amin = check_real(amin, "amin", minimum=0.0, exclusive_minimum=True)
    top_db = check_real(top_db, "top_db", minimum=0.0, allow_none=True)
    power = _real_magnitude(S, "power_to_db")
    ref_value = ref(power) if callable(ref) else np.abs(ref)
    log_spec = 10.0 * np.log10(np.maximum(amin, power))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(S, /, *, ref=1.0, amin=1e-5, top_db=80.0):
    """Convert an amplitude spectrogram to decibels (as :func:`librosa.amplitude_to_db`).

    .. math:: S_{dB} = 20 \\log_{10}(\\max(a_{min}, |S|)) - 20 \\log_{10}(\\max(a_{min}, ref))

    then floored at ``S_dB.max() - top_db``; equal to
    ``power_to_db(S**2, ref=ref**2, amin=amin**2, top_db=top_db)``.

    Parameters
    ----------
    S : np.ndarray
        Amplitude (complex input is reduced to its magnitude).
    ref : float or callable
        Reference amplitude; a callable (e.g. ``np.max``) is applied to ``|S|``.
    amin : float > 0
        Floor applied to ``|S|`` and ``ref``.
    top_db : float >= 0 or None
        Dynamic range kept below the peak; None keeps everything.

    Returns
    -------
    S_db : np.ndarray [shape=S.shape]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import amplitude_to_db
    >>> amplitude_to_db(np.array([1.0, 0.1, 0.0]), ref=1.0)
    array([  0., -20., -80.])
    """
    amin = check_real(amin, "amin", minimum=0.0, exclusive_minimum=True)
    magnitude = np.abs(np.asarray(S))
    ref_value = ref(magnitude) if callable(ref) else np.abs(ref)
    return power_to_db(np.square(magnitude), ref=np.square(ref_value), amin=amin**2,
                       top_db=top_db)


def db_to_power(S_db, /, *, ref=1.0):
    """Convert decibels back to power (as :func:`librosa.db_to_power`).

    .. math:: S = ref \\cdot 10^{S_{dB} / 10}

    Parameters
    ----------
    S_db : np.ndarray
        Decibel values.
    ref : float > 0
        Reference power.

    Returns
    -------
    S : np.ndarray [shape=S_db.shape]

    Examples
    --------
    >>> from listenwidgets.dsp import db_to_power
    >>> float(db_to_power(-10.0))
    0.1
    """
    ref = check_real(ref, "ref", minimum=0.0, exclusive_minimum=True)
    return ref * np.power(10.0, 0.1 * np.asarray(S_db))


def db_to_amplitude(S_db, /, *, ref=1.0):
    """Convert decibels back to amplitude (as :func:`librosa.db_to_amplitude`).

    .. math:: S = ref \\cdot 10^{S_{dB} / 20}

    Parameters
    ----------
    S_db : np.ndarray
        Decibel values.
    ref : float > 0
        Reference amplitude.

    Returns
    -------
    S : np.ndarray [shape=S_db.shape]

    Examples
    --------
    >>> from listenwidgets.dsp import db_to_amplitude
    >>> float(db_to_amplitude(-20.0))
    0.1
    """
    ref = check_real(ref, "ref", minimum=0.0, exclusive_minimum=True)
    return db_to_power(S_db, ref=ref**2) ** 0.5


def _check_dtype(dtype, kind, default):
    """``default`` if ``dtype`` is None, else ``dtype`` checked to be of the numpy ``kind``."""
    if dtype is None:
        return np.dtype(default)
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ParameterError(f"invalid dtype={dtype!r}") from exc
    if not np.issubdtype(dtype, kind):
        raise ParameterError(f"dtype must be a {kind.__name__} type, got dtype={dtype}")
    return dtype


def _real_magnitude(S, caller):
    """Return ``S`` as an array, replacing complex values by their magnitude (with a warning)."""
    S = np.asarray(S)
    if np.iscomplexobj(S):
        warnings.warn(
            f"{caller} was called on complex input so phase information will be discarded; "
            f"call {caller}(np.abs(D) ** 2) instead",
            stacklevel=3,
        )
        return np.abs(S)
    return S
