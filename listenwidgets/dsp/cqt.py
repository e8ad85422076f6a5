r"""Constant-Q transform: geometric frequency bins, the sparse spectral kernel, note names.

The constant-Q transform (Brown 1990) analyses a signal with filters whose
centre frequencies are spaced geometrically, ``B`` per octave, and whose
bandwidths grow with frequency so that every filter has the same quality
factor :math:`Q = f_k / \Delta f_k`:

.. math::

    f_k = (2^{1/B})^k f_{\min}, \qquad
    N(k) = \frac{f_s\, Q}{f_k}, \qquad
    X_{cq}(k) = \frac{1}{N(k)} \sum_{n} x(n)\, w(n, k)\, e^{-j 2\pi Q n / N(k)} .

Brown & Puckette (1992) compute all the bins at once from one FFT frame: the
temporal kernels :math:`w(n,k)\,e^{j2\pi Qn/N(k)}/N(k)` are Fourier-transformed
once, their small entries are dropped (the *spectral kernel* is sparse), and
every frame's spectrum is multiplied by that sparse matrix
(:func:`cqt_kernel`, :func:`cqt_kernel_time`).

:func:`cqt` follows ``librosa.cqt`` (same arguments, defaults and result): the
kernel of each octave is applied at a sampling rate halved once per octave, so
that every octave needs a short FFT. Halving the rate uses a half-band FIR
low-pass designed for that job (librosa uses the soxr library instead).
"""

import dataclasses
import functools
import numbers

import numpy as np
import scipy.signal
import scipy.sparse

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_int, check_real, short_repr
from .spectrum import PAD_MODES, stft
from .windows import get_window

__all__ = [
    "C1_HZ",
    "cqt_frequencies",
    "midi_to_note",
    "hz_to_note",
    "note_names",
    "CQTKernel",
    "cqt_kernel",
    "cqt_kernel_time",
    "cqt",
]

#: Frequency of C1 in Hz (MIDI note 24, A4 = 440 Hz): the default ``fmin`` of :func:`cqt`.
C1_HZ = 440.0 * 2.0 ** ((24 - 69) / 12)

#: Resampling choices of :func:`cqt`.
RES_TYPES = ("halfband", "none")

#: Bandwidth rules of the constant-Q filters.
BANDWIDTHS = ("librosa", "brown")

#: Samples of frames transformed per STFT call in :func:`cqt` (bounds its memory).
_BLOCK_SAMPLES = 2**21

_NOTE_NAMES = {
    True: ("C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"),
    False: ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"),
}


# ---------------------------------------------------------------------------
# Frequencies and note names
# ---------------------------------------------------------------------------

def cqt_frequencies(n_bins, *, fmin, bins_per_octave=12, tuning=0.0):
    r"""Centre frequencies of the constant-Q bins.

    .. math:: f_k = f_{\min}\, 2^{\,\tau / B}\, 2^{k / B}, \qquad k = 0, \dots, n_{bins} - 1

    with ``B = bins_per_octave`` and ``τ = tuning`` (a deviation from A440 in
    fractions of a bin). The values are computed octave by octave as
    ``2**octave * 2**(j / B)``, exactly as ``librosa.interval_frequencies``
    does, so they equal librosa's bin for bin.

    Parameters
    ----------
    n_bins : int > 0
        Number of bins.
    fmin : float > 0
        Frequency of the lowest bin (before tuning), in Hz.
    bins_per_octave : int > 0
        Bins per octave ``B``.
    tuning : float
        Tuning offset in fractions of a bin.

    Returns
    -------
    frequencies : np.ndarray [shape=(n_bins,)]
        Geometric: each is ``2**(1/B)`` times the previous one.

    Examples
    --------
    >>> from listenwidgets.dsp import cqt_frequencies
    >>> cqt_frequencies(4, fmin=440.0).round(2)
    array([440.  , 466.16, 493.88, 523.25])
    """
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    fmin = check_real(fmin, "fmin", minimum=0.0, exclusive_minimum=True)
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    tuning = check_real(tuning, "tuning")
    return _frequencies(n_bins, fmin * 2.0 ** (tuning / bins_per_octave), bins_per_octave)


def _frequencies(n_bins, fmin, bins_per_octave):
    """Geometric frequencies, octave by octave (librosa's ``interval_frequencies``)."""
    ratios = 2.0 ** (np.arange(bins_per_octave, dtype=float) / bins_per_octave)
    n_octaves = -(-n_bins // bins_per_octave)
    return np.multiply.outer(2.0 ** np.arange(n_octaves), ratios).ravel()[:n_bins] * fmin


def _hz_to_midi(frequencies):
    """MIDI note number of a frequency: ``69 + 12 log2(f / 440)``."""
    return 12.0 * (np.log2(np.asanyarray(frequencies, dtype=float)) - np.log2(440.0)) + 69.0


def midi_to_note(midi, *, octave=True, cents=False, unicode=True):
    """Name of a MIDI note number, such as ``'C♯4'`` or ``'A4-12'`` (as ``librosa.midi_to_note``).

    Fractional numbers are rounded to the nearest note; with ``cents=True``
    the remainder is appended in cents.

    Parameters
    ----------
    midi : float or array_like
        MIDI note number(s): 60 is C4, 69 is A4.
    octave : bool
        Append the octave number (C4 is middle C).
    cents : bool
        Append the deviation from the named note in cents (needs ``octave``).
    unicode : bool
        Use ``♯`` (True, librosa's default) or ``#``.

    Returns
    -------
    note : str or np.ndarray of str [shape=midi.shape]

    Raises
    ------
    ParameterError
        If ``cents=True`` without ``octave=True``, or a number is not finite.

    Examples
    --------
    >>> from listenwidgets.dsp import midi_to_note
    >>> midi_to_note(61)
    'C♯4'
    >>> midi_to_note([69, 69.3], cents=True, unicode=False).tolist()
    ['A4+0', 'A4+30']
    """
    if cents and not octave:
        raise ParameterError(f"cents=True needs octave=True, got octave={octave!r}")
    values = np.asarray(midi, dtype=float)
    if not np.isfinite(values).all():
        raise ParameterError(f"midi must be finite, got midi={short_repr(midi)}")
    names = _NOTE_NAMES[bool(unicode)]

    def one(value):
        number = int(np.round(value))
        note = names[number % 12]
        if octave:
            note = f"{note}{int(number / 12) - 1}"
        if cents:
            note = f"{note}{int(100 * np.around(value - number, 2)):+02d}"
        return note

    if values.ndim == 0:
        return one(values)
    return np.array([one(v) for v in values.ravel()]).reshape(values.shape)


def hz_to_note(frequencies, *, octave=True, cents=False, unicode=True):
    """Name of the note nearest to a frequency, such as ``'A4'`` for 440 Hz.

    Parameters
    ----------
    frequencies : float or array_like, > 0
        Frequencies in Hz.
    octave, cents, unicode : bool
        As in :func:`midi_to_note`.

    Returns
    -------
    note : str or np.ndarray of str [shape=frequencies.shape]

    Raises
    ------
    ParameterError
        If a frequency is not positive and finite.

    Examples
    --------
    >>> from listenwidgets.dsp import hz_to_note
    >>> hz_to_note([261.63, 440.0, 450.0], cents=True).tolist()
    ['C4+0', 'A4+0', 'A4+39']
    """
    values = np.asarray(frequencies, dtype=float)
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ParameterError(
            f"frequencies must be positive and finite, got frequencies={short_repr(frequencies)}"
        )
    return midi_to_note(_hz_to_midi(values), octave=octave, cents=cents, unicode=unicode)


def note_names(n_bins, *, fmin=None, bins_per_octave=12, tuning=0.0, cents=False, unicode=True):
    """Axis labels for the bins of a constant-Q transform: the note nearest to each bin.

    Parameters
    ----------
    n_bins : int > 0
        Number of bins.
    fmin : float > 0 or None
        Frequency of the lowest bin; None means C1 (32.70 Hz), as in :func:`cqt`.
    bins_per_octave : int > 0
        Bins per octave.
    tuning : float
        Tuning offset in fractions of a bin.
    cents : bool
        Append the deviation in cents (useful when ``bins_per_octave > 12``).
    unicode : bool
        Use ``♯`` (True) or ``#``.

    Returns
    -------
    names : list of str [length=n_bins]

    Examples
    --------
    >>> from listenwidgets.dsp import note_names
    >>> note_names(4, fmin=261.63)
    ['C4', 'C♯4', 'D4', 'D♯4']
    """
    fmin = C1_HZ if fmin is None else fmin
    frequencies = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bins_per_octave,
                                  tuning=tuning)
    return hz_to_note(frequencies, cents=cents, unicode=unicode).tolist()


# ---------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------

def _check_norm(norm):
    """``None`` or a positive order of the L^p norm (``np.inf`` allowed)."""
    if norm is None:
        return None
    if isinstance(norm, bool) or not isinstance(norm, numbers.Real) or not norm > 0:
        raise ParameterError(f"norm must be None, a positive number or np.inf, got norm={norm!r}")
    return float(norm)


def _check_window(window):
    """Check that ``window`` names a window (by building a short one) and return it."""
    if isinstance(window, np.ndarray | list):
        raise ParameterError(
            "window must be a name, tuple or callable (each filter has its own length), "
            f"got window={short_repr(window)}"
        )
    get_window(window, 16)
    return window


@functools.lru_cache(maxsize=32)
def _window_bandwidth(window):
    """Equivalent noise bandwidth of a window in bins: ``n Σw² / (Σw)²`` for ``n = 1000``."""
    w = get_window(window, 1000)
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def _quality(bins_per_octave, filter_scale, bandwidth):
    r"""The quality factor ``Q`` of every filter.

    ``'brown'``: :math:`Q = s / (2^{1/B} - 1)` (Brown 1990: the bandwidth is
    the distance to the next bin). ``'librosa'``: :math:`Q = s / \alpha`,
    :math:`\alpha = (2^{2/B} - 1)/(2^{2/B} + 1)` (the bandwidth is centred on
    the bin and reaches half-way to both neighbours, in log frequency).
    """
    ratio = 2.0 ** (1.0 / bins_per_octave)
    if bandwidth == "brown":
        return filter_scale / (ratio - 1.0)
    return filter_scale * (ratio**2 + 1.0) / (ratio**2 - 1.0)


def _filter_cutoff(f_top, q, window):
    """Highest frequency reached by the top filter: ``f (1 + bw(window) / (2 Q))``."""
    return f_top * (1.0 + 0.5 * _window_bandwidth(window) / q)


def _check_nyquist(frequencies, q, window, *, sr, fmin, n_bins, bins_per_octave):
    cutoff = _filter_cutoff(frequencies[-1], q, window)
    if cutoff > sr / 2.0:
        raise ParameterError(
            f"the top constant-Q bin ({frequencies[-1]:.1f} Hz; fmin={fmin}, n_bins={n_bins}, "
            f"bins_per_octave={bins_per_octave}) has a filter reaching {cutoff:.1f} Hz, above "
            f"the Nyquist frequency {sr / 2.0:g} Hz (sr={sr:g}); lower fmin or n_bins"
        )
    return cutoff


def _kernel_lengths(sr, frequencies, q):
    """Filter lengths ``N(k) = sr Q / f_k`` and the FFT size: the longest, rounded up to 2**j."""
    lengths = q * sr / np.asarray(frequencies)
    return lengths, int(2.0 ** np.ceil(np.log2(lengths.max())))


def _temporal_kernel(sr, frequency, length, q, window, norm, n_fft):
    """One windowed complex exponential, centred in ``n_fft`` samples (librosa's ``wavelet``)."""
    n = np.arange(-length // 2, length // 2, dtype=float)
    sig = np.exp(2j * np.pi * frequency / sr * n) * get_window(window, n.size)
    if norm is not None:
        size = np.linalg.norm(sig, ord=norm)
        if size >= np.finfo(float).tiny:
            sig /= size
    row = np.zeros(n_fft, dtype=np.complex128)
    start = (n_fft - n.size) // 2
    row[start:start + n.size] = sig
    return row


@functools.lru_cache(maxsize=4)
def _temporal_kernels(sr, frequencies, q, window, norm):
    """All the temporal kernels as one read-only ``(n_bins, n_fft)`` array, and their lengths."""
    lengths, n_fft = _kernel_lengths(sr, frequencies, q)
    kernels = np.array([_temporal_kernel(sr, f, length, q, window, norm, n_fft)
                        for f, length in zip(frequencies, lengths)])
    kernels.flags.writeable = False
    lengths.flags.writeable = False
    return kernels, lengths


@dataclasses.dataclass(frozen=True, eq=False)
class CQTKernel:
    r"""A Brown–Puckette sparse spectral kernel: one row per constant-Q bin.

    For a frame ``x`` of ``n_fft`` samples centred on the analysis instant,
    ``basis @ rfft(x)`` gives the constant-Q coefficients of that frame
    (before the ``1/sqrt(lengths)`` scaling of :func:`cqt`). Row ``k`` is the
    FFT of the temporal kernel of bin ``k`` (:func:`cqt_kernel_time`), scaled
    by ``lengths[k] / n_fft``, restricted to the non-negative frequencies, with
    the entries that together hold the ``sparsity`` fraction of its L1 mass set
    to zero.

    Every array is read-only: the object is shared by the cache of
    :func:`cqt_kernel`.

    Attributes
    ----------
    basis : scipy.sparse.csr_matrix [shape=(n_bins, 1 + n_fft // 2), complex]
        The sparse spectral kernel.
    n_fft : int
        FFT length: the longest filter rounded up to a power of two.
    sr : float
        Sampling rate the kernel was built for.
    frequencies : np.ndarray [shape=(n_bins,)]
        Centre frequencies in Hz.
    lengths : np.ndarray [shape=(n_bins,)]
        Filter lengths ``N(k) = sr Q / f_k`` in samples (not rounded).
    Q : float
        The quality factor shared by every filter.
    band_start : int
        First FFT bin where any row is non-zero.
    band : np.ndarray [shape=(n_bins, n_band), complex]
        ``basis[:, band_start:band_start + n_band]`` as a dense array: every
        non-zero entry lies in that block, so ``band @ D[band_start:...]`` is
        the same product as ``basis @ D`` without the zeros.
    """

    basis: scipy.sparse.csr_matrix
    n_fft: int
    sr: float
    frequencies: np.ndarray
    lengths: np.ndarray
    Q: float
    band_start: int
    band: np.ndarray

    @property
    def density(self):
        """Fraction of the entries of :attr:`basis` that are non-zero."""
        return self.basis.nnz / (self.basis.shape[0] * self.basis.shape[1])


def cqt_kernel(*, sr, fmin, n_bins, bins_per_octave=12, tuning=0.0, window="hann",
               filter_scale=1, norm=1, sparsity=0.01, bandwidth="librosa",
               dtype=np.complex64):
    r"""Build (or fetch from the cache) the Brown–Puckette sparse spectral kernel.

    Temporal kernel of bin ``k`` (``n`` centred on 0, length ``N(k)``):

    .. math::

        k_n(k) = \frac{w(n, k)\, e^{j 2\pi Q n / N(k)}}{\lVert w(\cdot,k) \rVert_{norm}},
        \qquad N(k) = \frac{f_s Q}{f_k}, \qquad e^{j2\pi Qn/N(k)} = e^{j 2\pi f_k n / f_s}.

    With ``norm=1`` the divisor is :math:`\sum_n w(n,k)`, Brown's
    :math:`1/N(k)` made exact for a tapered window. The kernels are centred in
    ``n_fft`` samples (the longest ``N(k)`` rounded up to a power of two),
    multiplied by ``N(k) / n_fft``, Fourier-transformed, and each row is
    sparsified: its smallest entries, which together hold at most the
    ``sparsity`` fraction of the row's L1 norm, are set to zero. This is
    ``librosa``'s ``__vqt_filter_fft`` (``librosa.filters.wavelet`` then
    ``librosa.util.sparsify_rows``).

    Parameters
    ----------
    sr : float > 0
        Sampling rate in Hz.
    fmin : float > 0
        Frequency of the lowest bin (before tuning), in Hz.
    n_bins : int > 0
        Number of bins.
    bins_per_octave : int > 0
        Bins per octave ``B``.
    tuning : float
        Tuning offset in fractions of a bin.
    window : str, tuple or callable
        Window ``w(n, k)`` (any :func:`~listenwidgets.dsp.get_window`
        specification except an array, since every filter has its own length).
    filter_scale : float > 0
        Multiplies ``Q`` (longer filters, finer frequency resolution).
    norm : float > 0, np.inf or None
        Order of the norm each temporal kernel is divided by (None: none).
    sparsity : float in [0, 1)
        Fraction of each row's L1 mass that may be dropped.
    bandwidth : {'librosa', 'brown'}
        ``'librosa'``: :math:`Q = s\,(2^{2/B}+1)/(2^{2/B}-1)` (bandwidth centred
        on the bin; ``Q = 17.33`` for ``B = 12``). ``'brown'``: the lecture's
        :math:`Q = s/(2^{1/B}-1)` (``Q = 16.82``). ``s = filter_scale``.
    dtype : complex np.dtype
        Type of the spectral kernel.

    Returns
    -------
    kernel : CQTKernel
        ``kernel.basis`` has shape ``(n_bins, 1 + n_fft // 2)``.

    Raises
    ------
    ParameterError
        If an argument is invalid, or the top filter reaches above the Nyquist
        frequency (the message names ``fmin``, ``n_bins`` and ``sr``).

    See Also
    --------
    cqt_kernel_time : the temporal kernels, before the FFT.
    cqt : applies one such kernel per octave.

    References
    ----------
    .. [1] J. C. Brown and M. S. Puckette, "An efficient algorithm for the
       calculation of a constant Q transform", JASA 92(5), 1992.

    Examples
    --------
    >>> from listenwidgets.dsp import cqt_kernel
    >>> kernel = cqt_kernel(sr=22050, fmin=261.63, n_bins=24)
    >>> kernel.basis.shape, kernel.n_fft, round(kernel.Q, 2)
    ((24, 1025), 2048, 17.33)
    >>> bool(kernel.density < 0.05)
    True
    """
    sr, frequencies, q, window, norm = _kernel_arguments(
        sr=sr, fmin=fmin, n_bins=n_bins, bins_per_octave=bins_per_octave, tuning=tuning,
        window=window, filter_scale=filter_scale, norm=norm, bandwidth=bandwidth)
    sparsity = check_real(sparsity, "sparsity", minimum=0.0)
    if sparsity >= 1.0:
        raise ParameterError(f"sparsity must be < 1, got sparsity={sparsity}")
    dtype = _check_complex_dtype(dtype)
    return _spectral_kernel(sr, tuple(frequencies), q, window, norm, sparsity, dtype)


def cqt_kernel_time(*, sr, fmin, n_bins, bins_per_octave=12, tuning=0.0, window="hann",
                    filter_scale=1, norm=1, bandwidth="librosa"):
    r"""The temporal constant-Q kernels :math:`w(n,k)\,e^{j2\pi Qn/N(k)}/\lVert w \rVert`.

    Each row holds one bin's windowed complex exponential of length
    ``N(k) = sr Q / f_k``, centred in ``n_fft`` samples (the longest filter
    rounded up to a power of two) and zero elsewhere: what
    :func:`cqt_kernel` Fourier-transforms. A view can plot the real part to
    show that low bins use long windows and high bins short ones.

    Parameters
    ----------
    sr, fmin, n_bins, bins_per_octave, tuning, window, filter_scale, norm, bandwidth
        As in :func:`cqt_kernel`.

    Returns
    -------
    kernels : np.ndarray [shape=(n_bins, n_fft), complex128], read-only
    lengths : np.ndarray [shape=(n_bins,)]
        ``N(k)`` in samples.

    Raises
    ------
    ParameterError
        As :func:`cqt_kernel`.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import cqt_kernel_time
    >>> kernels, lengths = cqt_kernel_time(sr=22050, fmin=440.0, n_bins=12)
    >>> kernels.shape, lengths[0].round(1)
    ((12, 1024), np.float64(868.5))
    >>> bool(np.isclose(np.abs(kernels[0]).sum(), 1.0))  # norm=1
    True
    """
    sr, frequencies, q, window, norm = _kernel_arguments(
        sr=sr, fmin=fmin, n_bins=n_bins, bins_per_octave=bins_per_octave, tuning=tuning,
        window=window, filter_scale=filter_scale, norm=norm, bandwidth=bandwidth)
    return _temporal_kernels(sr, tuple(frequencies), q, window, norm)


def _kernel_arguments(*, sr, fmin, n_bins, bins_per_octave, tuning, window, filter_scale,
                      norm, bandwidth):
    """Check the arguments shared by the kernel builders; return the hashable essentials."""
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    fmin = check_real(fmin, "fmin", minimum=0.0, exclusive_minimum=True)
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    tuning = check_real(tuning, "tuning")
    filter_scale = check_real(filter_scale, "filter_scale", minimum=0.0, exclusive_minimum=True)
    window = _check_window(window)
    norm = _check_norm(norm)
    check_choice(bandwidth, "bandwidth", BANDWIDTHS)
    q = _quality(bins_per_octave, filter_scale, bandwidth)
    frequencies = _frequencies(n_bins, fmin * 2.0 ** (tuning / bins_per_octave), bins_per_octave)
    _check_nyquist(frequencies, q, window, sr=sr, fmin=fmin, n_bins=n_bins,
                   bins_per_octave=bins_per_octave)
    return sr, frequencies, q, window, norm


def _check_complex_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "c":
        raise ParameterError(f"dtype must be a complex type, got dtype={dtype}")
    return dtype


@functools.lru_cache(maxsize=128)
def _spectral_kernel(sr, frequencies, q, window, norm, sparsity, dtype):
    """Build a :class:`CQTKernel` (cached; every argument hashable), one row at a time."""
    lengths, n_fft = _kernel_lengths(sr, frequencies, q)
    rows = []
    for frequency, length in zip(frequencies, lengths):
        kernel = _temporal_kernel(sr, frequency, length, q, window, norm, n_fft)
        spectrum = np.fft.fft(kernel * (length / n_fft))[: n_fft // 2 + 1]
        # Drop the smallest entries that together hold <= `sparsity` of the row's L1 mass.
        mags = np.abs(spectrum)
        ordered = np.sort(mags)
        cumulative = np.cumsum(ordered / mags.sum())
        threshold = ordered[np.argmin(cumulative < sparsity)]
        rows.append(scipy.sparse.csr_matrix(np.where(mags >= threshold, spectrum, 0).astype(dtype)))
    basis = scipy.sparse.vstack(rows, format="csr")
    basis.sort_indices()
    columns = np.unique(basis.indices)
    band_start, band_stop = int(columns[0]), int(columns[-1]) + 1
    band = np.ascontiguousarray(basis[:, band_start:band_stop].toarray())
    for array in (basis.data, basis.indices, basis.indptr, band, lengths):
        array.flags.writeable = False
    frequencies = np.array(frequencies)
    frequencies.flags.writeable = False
    return CQTKernel(basis=basis, n_fft=n_fft, sr=sr, frequencies=frequencies, lengths=lengths,
                     Q=q, band_start=band_start, band=band)


# ---------------------------------------------------------------------------
# Octave-wise decimation
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _halfband_taps():
    """Odd-offset taps of the 19-tap half-band low-pass used to halve the rate.

    Equiripple (Parks–McClellan) design, pass band [0, 0.22], stop band
    [0.78, 1] (in units of the input Nyquist frequency), made exactly
    half-band: centre tap 1/2, every other even-offset tap 0, so
    ``H(f) + H(1 - f) = 1`` and the pass- and stop-band ripples are equal,
    about 1e-5. The constant-Q kernels of the next octave only use the band
    below 0.45 of the new Nyquist frequency, which the pass band covers and
    into which only the stop band aliases.

    Returns the 10 taps applied to the odd samples (offsets -9, -7, ..., 9
    from the centre, symmetric), scaled by sqrt(2) as librosa's
    ``resample(..., scale=True)`` does.
    """
    h = scipy.signal.remez(19, [0.0, 0.22, 0.78, 1.0], [1.0, 0.0], fs=2.0)
    odd = h[0::2]  # offsets -9, -7, ..., 9 from the centre tap h[9]
    odd = 0.5 * (odd + odd[::-1])
    odd *= 0.5 / odd.sum()  # the odd taps sum to 1/2 so that the gain at 0 Hz is exactly 1
    return np.sqrt(2.0) * odd


def _halve_rate(y):
    """Low-pass and keep every other sample along the last axis (scaled by sqrt(2)).

    ``out[m] = (h * y)[2m]`` for the zero-phase half-band filter ``h`` of
    :func:`_halfband_taps`, with zeros outside ``y``; ``ceil(n / 2)`` samples.
    """
    taps = _halfband_taps().astype(y.dtype)
    centre = y.dtype.type(np.sqrt(2.0) / 2.0)
    rows = y.reshape(-1, y.shape[-1])
    n_out = -(-rows.shape[-1] // 2)
    out = np.empty((rows.shape[0], n_out), dtype=y.dtype)
    for row, target in zip(rows, out):
        np.multiply(row[0::2], centre, out=target)
        odd = row[1::2]
        if odd.size:
            target += np.convolve(odd, taps)[4:4 + n_out]
    return out.reshape(*y.shape[:-1], n_out)


def _num_two_factors(x):
    """How many times the positive integer ``x`` divides by 2."""
    return (x & -x).bit_length() - 1


# ---------------------------------------------------------------------------
# The transform
# ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Octave:
    kernel: CQTKernel
    hop_length: int
    band: scipy.sparse.csr_matrix  # the kernel's band, times the rate and length scalings
    rows: slice  # rows of the output this octave fills


@functools.lru_cache(maxsize=32)
def _cqt_plan(sr, hop_length, fmin, n_bins, bins_per_octave, q, window, norm, sparsity,
              scale, dtype, res_type):
    """Per-octave kernels and hops for :func:`cqt` (cached: building kernels is the slow part).

    Returns ``(n_early, early_gain, octaves)``: halve the rate ``n_early``
    times before the first octave (multiplying by ``early_gain``), then
    compute each octave in turn, halving the rate after every octave whose
    hop is still even.
    """
    frequencies = _frequencies(n_bins, fmin, bins_per_octave)
    if res_type == "none":
        kernel = _spectral_kernel(sr, tuple(frequencies), q, window, norm, sparsity, dtype)
        band = kernel.band / np.sqrt(kernel.lengths)[:, None] if scale else kernel.band
        band = scipy.sparse.csr_matrix(band.astype(dtype))
        return 0, 1.0, (_Octave(kernel, hop_length, band, slice(0, n_bins)),)

    n_octaves = -(-n_bins // bins_per_octave)
    cutoff = _filter_cutoff(frequencies[-1], q, window)
    # librosa's early downsampling: halve the rate while the top octave still fits
    # (with a factor 2 of margin) and the hop stays divisible by 2 for every octave.
    n_early = min(max(0, int(np.ceil(np.log2(sr / 2.0 / cutoff))) - 2),
                  max(0, _num_two_factors(hop_length) - n_octaves + 1))
    base_sr = sr / 2**n_early
    my_sr, my_hop = base_sr, hop_length // 2**n_early
    octaves = []
    for i in range(n_octaves):
        stop = n_bins - i * bins_per_octave
        rows = slice(max(0, stop - bins_per_octave), stop)
        kernel = _spectral_kernel(my_sr, tuple(frequencies[rows]), q, window, norm, sparsity,
                                  dtype)
        gain = np.sqrt(base_sr / my_sr)
        if scale:
            gain = gain / np.sqrt(q * base_sr / frequencies[rows])[:, None]
        band = scipy.sparse.csr_matrix((kernel.band * gain).astype(dtype))
        octaves.append(_Octave(kernel, my_hop, band, rows))
        if my_hop % 2 == 0:
            my_hop //= 2
            my_sr /= 2.0
    early_gain = 1.0 if scale else float(np.sqrt(2.0**n_early))
    return n_early, early_gain, tuple(octaves)


def cqt(y, *, sr=22050, hop_length=512, fmin=None, n_bins=84, bins_per_octave=12, tuning=0.0,
        filter_scale=1, norm=1, sparsity=0.01, window="hann", scale=True, pad_mode="constant",
        res_type="halfband", bandwidth="librosa", dtype=None):
    r"""Constant-Q transform of an audio signal (as ``librosa.cqt``).

    .. math::

        C[k, t] = \sqrt{N(k)} \sum_{n} x(n + t h)\,
                  \frac{w(n, k)}{\lVert w(\cdot,k) \rVert_1}\, e^{-j 2\pi f_k n / f_s},
        \qquad f_k = f_{\min} 2^{(k + \tau)/B},\quad N(k) = \frac{f_s Q}{f_k}

    (``n`` centred on the frame, ``h = hop_length``, ``norm=1``; without
    ``scale`` the factor is :math:`N(k)` instead of :math:`\sqrt{N(k)}`). A
    unit sinusoid at :math:`f_k` thus has :math:`|C[k, t]| \approx \sqrt{N(k)}/2`.
    Computed by the Brown–Puckette method, octave by octave, as librosa does:

    1. the top octave's sparse spectral kernel (:func:`cqt_kernel`) is applied
       to the STFT frames (rectangular window, ``n_fft`` = its longest filter
       rounded up to a power of two) of the signal;
    2. the signal is low-pass filtered and decimated by 2 (``res_type``), the
       hop is halved, and the next octave down is computed the same way, at
       half the rate, with the same small ``n_fft``;
    3. the octaves are stacked and trimmed to the shortest frame count.

    When the top filter lies far below the Nyquist frequency the rate is
    first halved as often as it can be ("early downsampling", as librosa).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], real floating point
        Audio time series; multichannel input is transformed channel by channel.
    sr : float > 0
        Sampling rate of ``y`` in Hz.
    hop_length : int > 0
        Samples between frames. Octave ``i`` is computed with hop
        ``hop_length / 2**i`` while that is an integer, so a multiple of
        ``2**(n_octaves - 1)`` lets every octave be decimated.
    fmin : float > 0 or None
        Frequency of the lowest bin; None means C1 = 32.70 Hz.
    n_bins : int > 0
        Number of bins.
    bins_per_octave : int > 0
        Bins per octave ``B``.
    tuning : float or None
        Tuning offset in fractions of a bin; None estimates it from ``y``
        with :func:`~listenwidgets.dsp.estimate_tuning`.
    filter_scale : float > 0
        Multiplies ``Q``.
    norm : float > 0, np.inf or None
        Norm each temporal kernel is divided by.
    sparsity : float in [0, 1)
        Fraction of each kernel row's L1 mass that may be dropped.
    window : str, tuple or callable
        Window of the filters.
    scale : bool
        Divide bin ``k`` by :math:`\sqrt{N(k)}` (librosa's default, like
        ``norm='ortho'`` for the FFT): a unit sinusoid then gives
        :math:`\sqrt{N(k)}/2` rather than :math:`N(k)/2`.
    pad_mode : str
        Padding at the signal's ends (:data:`~listenwidgets.dsp.PAD_MODES`).
    res_type : {'halfband', 'none'}
        ``'halfband'``: halve the rate once per octave with a 19-tap
        half-band FIR filter (fast; on music within 1e-4 of ``librosa.cqt``,
        which resamples with soxr, relative to the largest magnitude).
        ``'none'``: no resampling: one kernel for all bins at the full rate,
        applied to STFT frames of the longest filter's ``n_fft`` (the plain
        Brown–Puckette method). It avoids the decimation filters but is slow
        and memory-hungry when ``fmin`` is low, and differs from librosa's
        multirate result by up to about 1e-2 of the maximum at transients in
        the low octaves (the sparsified kernels are sampled differently).
    bandwidth : {'librosa', 'brown'}
        How ``Q`` follows from ``bins_per_octave`` (see :func:`cqt_kernel`).
    dtype : complex np.dtype or None
        Output type; None means complex64 for float32 input, else complex128.

    Returns
    -------
    C : np.ndarray [shape=(..., n_bins, t), complex]
        Row ``k`` is the bin at ``cqt_frequencies(...)[k]``; column ``t`` is
        centred on sample ``t * hop_length``. ``t = 1 + n // hop_length``
        (one more when early downsampling rounds the length up, as in librosa).

    Raises
    ------
    ParameterError
        If an argument is invalid, ``y`` is not finite floating-point audio,
        or the top filter reaches above the Nyquist frequency (the message
        names ``fmin``, ``n_bins`` and ``sr``).

    Notes
    -----
    A signal shorter than a filter is analysed as if padded (``pad_mode``) at
    both ends, so every bin is defined and at least one frame is returned; the
    lowest bins of a short signal are then mostly padding.

    References
    ----------
    .. [1] J. C. Brown, "Calculation of a constant Q spectral transform",
       JASA 89(1), 1991.
    .. [2] C. Schörkhuber and A. Klapuri, "Constant-Q transform toolbox for
       music processing", SMC 2010 (the octave-wise decimation).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import cqt, cqt_frequencies
    >>> sr = 22050
    >>> y = np.sin(2 * np.pi * 440.0 * np.arange(sr) / sr)
    >>> C = cqt(y, sr=sr)
    >>> C.shape
    (84, 44)
    >>> k = int(np.abs(C).mean(axis=1).argmax())
    >>> round(float(cqt_frequencies(84, fmin=32.70319566257483)[k]), 1)
    440.0
    """
    y = check_audio(y, mono=False)
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    fmin = C1_HZ if fmin is None else check_real(fmin, "fmin", minimum=0.0,
                                                   exclusive_minimum=True)
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    bins_per_octave = check_int(bins_per_octave, "bins_per_octave", minimum=1)
    filter_scale = check_real(filter_scale, "filter_scale", minimum=0.0, exclusive_minimum=True)
    norm = _check_norm(norm)
    sparsity = check_real(sparsity, "sparsity", minimum=0.0)
    if sparsity >= 1.0:
        raise ParameterError(f"sparsity must be < 1, got sparsity={sparsity}")
    window = _check_window(window)
    check_choice(pad_mode, "pad_mode", PAD_MODES)
    check_choice(res_type, "res_type", RES_TYPES)
    check_choice(bandwidth, "bandwidth", BANDWIDTHS)
    if dtype is None:
        dtype = np.complex64 if y.dtype == np.float32 else np.complex128
    dtype = _check_complex_dtype(dtype)
    if tuning is None:
        from .chroma import estimate_tuning  # chroma builds on this module

        tuning = estimate_tuning(y=y, sr=sr, bins_per_octave=bins_per_octave)
    tuning = check_real(tuning, "tuning")

    q = _quality(bins_per_octave, filter_scale, bandwidth)
    fmin_tuned = fmin * 2.0 ** (tuning / bins_per_octave)
    _check_nyquist(_frequencies(n_bins, fmin_tuned, bins_per_octave), q, window, sr=sr,
                   fmin=fmin, n_bins=n_bins, bins_per_octave=bins_per_octave)
    n_early, early_gain, octaves = _cqt_plan(sr, hop_length, fmin_tuned, n_bins,
                                             bins_per_octave, q, window, norm, sparsity,
                                             bool(scale), dtype, res_type)
    if y.dtype != np.float32:
        y = y.astype(np.float64, copy=False)
    for _ in range(n_early):
        y = _halve_rate(y)
    if early_gain != 1.0:
        y = y * y.dtype.type(early_gain)

    responses = []
    for i, octave in enumerate(octaves):
        if i and octave.hop_length != octaves[i - 1].hop_length:
            y = _halve_rate(y)
        responses.append(_octave_response(y, octave, pad_mode, dtype))
    n_frames = min(r.shape[-1] for r in responses)
    C = np.empty(responses[0].shape[:1] + (n_bins, n_frames), dtype=dtype)
    for octave, response in zip(octaves, responses):
        C[:, octave.rows] = response[..., :n_frames]
    return C.reshape(y.shape[:-1] + (n_bins, n_frames))


def _octave_response(y, octave, pad_mode, dtype):
    """Apply one octave's kernel to the frames of ``y``: shape (channels, rows, 1 + n // hop).

    The signal is padded by ``n_fft // 2`` at both ends (``pad_mode``) and
    transformed a block of frames at a time (at most ``_BLOCK_SAMPLES``
    samples of frames per STFT), so memory stays bounded for long signals and
    long kernels. Each block's spectrum is multiplied by the sparse kernel,
    restricted to the FFT bins where it is non-zero.
    """
    n_fft, hop = octave.kernel.n_fft, octave.hop_length
    start = octave.kernel.band_start
    stop = start + octave.band.shape[1]
    channels = y.reshape(-1, y.shape[-1])
    n_frames = 1 + channels.shape[-1] // hop
    padded = np.pad(channels, [(0, 0), (n_fft // 2, n_fft // 2)], mode=pad_mode)
    out = np.empty((channels.shape[0], octave.band.shape[0], n_frames), dtype=dtype)
    block = max(1, _BLOCK_SAMPLES // n_fft)
    for first in range(0, n_frames, block):
        last = min(n_frames, first + block)
        segment = padded[:, first * hop:(last - 1) * hop + n_fft]
        spectrum = stft(segment, n_fft=n_fft, hop_length=hop, window="ones", center=False,
                        dtype=dtype)
        for channel, target in zip(spectrum, out):
            # a sparse product (single-threaded, as librosa's) on a contiguous copy of the band
            target[:, first:last] = octave.band @ np.ascontiguousarray(channel[start:stop])
    return out
