"""Mel-frequency cepstral coefficients and their inversion to sound (chapter 6).

MFCCs are the DCT of the log mel spectrum:

.. math:: \\mathrm{MFCC}[q, t] = \\sum_{i=0}^{M-1} B[q, i]\\, 10 \\log_{10} M[i, t]

with ``B`` the orthonormal DCT-II basis (:func:`dct_basis`), keeping the first
``n_mfcc`` (about 13–20) coefficients: the slowly varying shape of the log mel
spectrum, i.e. the spectral envelope. To hear what they keep, the inversion
runs the chain backwards: inverse DCT (the dropped coefficients set to zero)
→ mel power → a non-negative least-squares linear spectrum → Griffin–Lim.
"""

import functools
import warnings

import numpy as np
import scipy.fft
import scipy.optimize

from ..errors import ParameterError
from ._checks import check_choice, check_int, check_real
from .mel import mel, melspectrogram
from .griffinlim import griffinlim
from .spectrum import db_to_power, power_to_db

__all__ = [
    "DCT_TYPES",
    "dct",
    "dct_basis",
    "mfcc",
    "mfcc_to_mel",
    "mel_to_stft",
    "mel_to_audio",
    "mfcc_to_audio",
]

#: DCT types offered (those librosa.feature.mfcc accepts).
DCT_TYPES = (1, 2, 3)

#: Bytes of right-hand side solved per L-BFGS-B problem in :func:`mel_to_stft`
#: (librosa's ``MAX_MEM_BLOCK``, so that both split the frames identically).
_NNLS_BLOCK_BYTES = 2**8 * 2**10


def _check_dct_args(dct_type, norm):
    """Check a DCT type and normalisation against those scipy and librosa support."""
    check_choice(dct_type, "dct_type", DCT_TYPES)
    check_choice(norm, "norm", (None, "ortho"))


def dct(x, *, type=2, norm="ortho", axis=-2):
    """Discrete cosine transform along ``axis`` (a checked wrapper of :func:`scipy.fft.dct`).

    For ``type=2``, ``norm='ortho'`` and length ``N``:

    .. math:: X_q = s_q \\sum_{n=0}^{N-1} x_n \\cos\\Big(\\frac{\\pi q (2n + 1)}{2N}\\Big),
              \\quad s_0 = \\sqrt{1/N},\\; s_{q>0} = \\sqrt{2/N}

    Parameters
    ----------
    x : np.ndarray [shape=(..., N, ...)]
        Real input.
    type : {1, 2, 3}
        DCT type (1 needs ``N >= 2``).
    norm : {'ortho', None}
        ``'ortho'`` for the orthonormal transform; None for scipy's unscaled one.
    axis : int
        Axis to transform (``-2``: the mel axis of a ``(n_mels, n_frames)`` array).

    Returns
    -------
    X : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import dct
    >>> dct(np.ones(4), axis=-1).round(6)  # a constant has only the 0th coefficient
    array([2., 0., 0., 0.])
    """
    _check_dct_args(type, norm)
    x = np.asarray(x)
    if type == 1 and x.shape[axis] < 2:
        raise ParameterError(
            f"type=1 needs at least 2 points along axis={axis}, got x.shape={x.shape}")
    return scipy.fft.dct(x, type=type, norm=norm, axis=axis)


def dct_basis(*, n_mfcc, n_mels, dct_type=2, norm="ortho"):
    """The DCT rows that map a log mel spectrum to its first ``n_mfcc`` coefficients.

    ``mfcc = dct_basis(...) @ log_mel`` equals ``dct(log_mel, type=dct_type,
    norm=norm, axis=-2)[:n_mfcc]``. For DCT-II (orthonormal), row ``q`` is the
    cosine ``s_q cos(π q (2i + 1) / (2 n_mels))`` over the mel bands ``i``:
    row 0 is the mean level, row 1 the tilt, higher rows finer ripples.

    Parameters
    ----------
    n_mfcc : int in [1, n_mels]
        Number of coefficients (rows).
    n_mels : int > 0
        Number of mel bands (columns).
    dct_type : {1, 2, 3}
        DCT type.
    norm : {'ortho', None}
        DCT normalisation.

    Returns
    -------
    basis : np.ndarray [shape=(n_mfcc, n_mels), dtype=float64]
        Read-only (cached).

    Examples
    --------
    >>> from listenwidgets.dsp import dct_basis
    >>> B = dct_basis(n_mfcc=3, n_mels=4)
    >>> B.round(3)
    array([[ 0.5  ,  0.5  ,  0.5  ,  0.5  ],
           [ 0.653,  0.271, -0.271, -0.653],
           [ 0.5  , -0.5  , -0.5  ,  0.5  ]])
    """
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    n_mfcc = check_int(n_mfcc, "n_mfcc", minimum=1)
    if n_mfcc > n_mels:
        raise ParameterError(f"n_mfcc={n_mfcc} must not exceed n_mels={n_mels}")
    _check_dct_args(dct_type, norm)
    if dct_type == 1 and n_mels < 2:
        raise ParameterError(f"dct_type=1 needs n_mels >= 2, got n_mels={n_mels}")
    return _dct_basis(n_mfcc, n_mels, dct_type, norm)


_BAD_S = ("S must be a finite real log-mel spectrogram of shape (..., n_mels, n_frames), "
          "got S.shape={shape}, S.dtype={dtype}")


@functools.lru_cache(maxsize=32)
def _dct_basis(n_mfcc, n_mels, dct_type, norm):
    basis = scipy.fft.dct(np.eye(n_mels), type=dct_type, norm=norm, axis=0)[:n_mfcc]
    basis = np.ascontiguousarray(basis)
    basis.flags.writeable = False
    return basis


def _lifter_weights(lifter, n_mfcc, dtype):
    """``1 + (L / 2) sin(π q / L)`` for ``q = 1 .. n_mfcc`` (librosa's sinusoidal lifter)."""
    q = np.arange(1, 1 + n_mfcc, dtype=dtype)
    return 1 + (lifter / 2) * np.sin(np.pi * q / lifter)


def mfcc(*, y=None, sr=22050, S=None, n_mfcc=20, dct_type=2, norm="ortho", lifter=0,
         n_fft=2048, hop_length=512, win_length=None, window="hann", center=True,
         pad_mode="constant", power=2.0, n_mels=128, fmin=0.0, fmax=None, htk=False,
         mel_norm="slaney"):
    """Mel-frequency cepstral coefficients (as :func:`librosa.feature.mfcc`).

    .. math:: C[q, t] = \\big(1 + \\tfrac{L}{2} \\sin(\\pi q / L)\\big)
              \\sum_i B[q, i]\\; 10 \\log_{10} M[i, t]

    with ``M = melspectrogram(y, ...)`` floored at 80 dB below its peak
    (``power_to_db`` defaults), ``B = dct_basis(...)`` and the lifter factor
    only when ``lifter = L > 0``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio signal.
    sr : float > 0
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., n_mels, n_frames)] or None
        A log-power mel spectrogram (``power_to_db(melspectrogram(...))``);
        when given, ``y`` and the spectrogram arguments are ignored.
    n_mfcc : int in [1, n_mels]
        Number of coefficients kept.
    dct_type : {1, 2, 3}
        DCT type (2 is the standard MFCC).
    norm : {'ortho', None}
        DCT normalisation.
    lifter : float >= 0
        Sinusoidal lifter ``L``; 0 disables it.
    n_fft, hop_length, win_length, window, center, pad_mode, power
        STFT arguments, see :func:`melspectrogram`.
    n_mels : int > 0
        Number of mel bands.
    fmin, fmax, htk
        Mel filterbank arguments, see :func:`mel`.
    mel_norm : None, 'slaney' or float > 0
        Normalisation of the mel filters (``norm`` of :func:`mel`).

    Returns
    -------
    M : np.ndarray [shape=(..., n_mfcc, n_frames)]
        float32 for float32 audio, float64 for float64 audio.

    Raises
    ------
    ParameterError
        For invalid audio, ``n_mfcc > n_mels``, a negative lifter, or any
        invalid spectrogram or filterbank argument.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import mfcc
    >>> y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> mfcc(y=y, sr=22050, n_mfcc=13).shape
    (13, 44)
    """
    lifter = check_real(lifter, "lifter", minimum=0.0)
    if S is None:
        dct_basis(n_mfcc=n_mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm)  # check first
        S = power_to_db(melspectrogram(
            y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
            window=window, center=center, pad_mode=pad_mode, power=power, n_mels=n_mels,
            fmin=fmin, fmax=fmax, htk=htk, norm=mel_norm))
    else:
        S = np.asarray(S)
        if S.ndim < 2 or not np.issubdtype(S.dtype, np.floating):
            raise ParameterError(_BAD_S.format(shape=S.shape, dtype=S.dtype))
        dct_basis(n_mfcc=n_mfcc, n_mels=S.shape[-2], dct_type=dct_type, norm=norm)
    # An FFT-based DCT of all bands, as librosa (equal to dct_basis(...) @ S, without BLAS).
    # A NaN or Inf anywhere in a frame of S makes every coefficient of that frame
    # non-finite, so the n_mfcc kept rows tell (cheaper than checking all of S).
    M = scipy.fft.dct(S, type=dct_type, norm=norm, axis=-2)[..., :n_mfcc, :]
    if not np.isfinite(M).all():
        raise ParameterError(_BAD_S.format(shape=S.shape, dtype=S.dtype))
    if lifter > 0:
        M *= _lifter_weights(lifter, n_mfcc, M.dtype)[:, None]
    return M


def mfcc_to_mel(mfcc, *, n_mels=128, dct_type=2, norm="ortho", ref=1.0, lifter=0):
    """Invert MFCCs to a mel power spectrogram (as :func:`librosa.feature.inverse.mfcc_to_mel`).

    .. math:: \\hat M[i, t] = \\mathrm{ref} \\cdot 10^{\\,\\mathrm{IDCT}(C / w)[i, t] / 10}

    where the coefficients beyond ``n_mfcc`` are taken as zero and ``w`` is
    the lifter (when ``lifter > 0``).

    Parameters
    ----------
    mfcc : np.ndarray [shape=(..., n_mfcc, n_frames)]
        MFCCs, e.g. from :func:`mfcc`.
    n_mels : int >= n_mfcc
        Number of mel bands to reconstruct.
    dct_type : {1, 2, 3}
        The DCT type used to compute ``mfcc``.
    norm : {'ortho', None}
        The DCT normalisation used.
    ref : float > 0
        Reference power of the dB scale.
    lifter : float >= 0
        The lifter used to compute ``mfcc``.

    Returns
    -------
    M : np.ndarray [shape=(..., n_mels, n_frames)]
        Approximate mel power spectrogram (the envelope the MFCCs kept).

    Warns
    -----
    UserWarning
        If the lifter is zero at some coefficient (e.g. ``lifter = 2`` at
        ``q = 3``): that coefficient cannot be recovered and is set to 0
        (librosa divides by a tiny number instead and overflows to inf).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import mfcc, mfcc_to_mel
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> mfcc_to_mel(mfcc(y=y, sr=22050), n_mels=128).shape
    (128, 44)
    """
    mfcc = np.asarray(mfcc)
    if mfcc.ndim < 2 or not np.issubdtype(mfcc.dtype, np.floating) or not np.isfinite(mfcc).all():
        raise ParameterError(
            "mfcc must be a finite real array of shape (..., n_mfcc, n_frames), got "
            f"mfcc.shape={mfcc.shape}, mfcc.dtype={mfcc.dtype}"
        )
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    n_mfcc = mfcc.shape[-2]
    if n_mfcc > n_mels:
        raise ParameterError(
            f"n_mels={n_mels} must be at least the number of MFCCs n_mfcc={n_mfcc}")
    _check_dct_args(dct_type, norm)
    lifter = check_real(lifter, "lifter", minimum=0.0)
    ref = check_real(ref, "ref", minimum=0.0, exclusive_minimum=True)
    if lifter > 0:
        weights = _lifter_weights(lifter, n_mfcc, mfcc.dtype)
        lost = np.abs(weights) < np.finfo(weights.dtype).eps
        if np.any(lost):
            warnings.warn(
                f"lifter={lifter} is zero at coefficients {list(np.flatnonzero(lost) + 1)}, "
                "which the inversion cannot undo; they are set to 0",
                UserWarning,
                stacklevel=2,
            )
        mfcc = mfcc / np.where(lost, np.inf, weights)[:, None]
    log_mel = scipy.fft.idct(mfcc, axis=-2, type=dct_type, norm=norm, n=n_mels)
    return db_to_power(log_mel, ref=ref)


def _nnls(A, B):
    """Non-negative least squares ``min_X ||A X - B||^2, X >= 0`` column block by block.

    The same method as :func:`librosa.util.nnls`: start from the pseudo-inverse
    solution clipped at zero and refine it with L-BFGS-B under the bound
    ``X >= 0``, on blocks of ``_NNLS_BLOCK_BYTES`` of ``B``.
    """
    pinv = np.linalg.pinv(A)
    x_init = np.einsum("fm,...mt->...ft", pinv, B, optimize=True)
    np.clip(x_init, 0, None, out=x_init)
    n_columns = max(1, int(_NNLS_BLOCK_BYTES // (np.prod(B.shape[:-1]) * A.itemsize)))
    if B.shape[-1] <= n_columns:
        return _nnls_block(A, B, x_init).astype(A.dtype)
    x = x_init
    for start in range(0, B.shape[-1], n_columns):
        stop = min(start + n_columns, B.shape[-1])
        x[..., start:stop] = _nnls_block(A, B[..., start:stop], x_init[..., start:stop])
    return x


def _nnls_objective(x, shape, A, B):
    """Mean squared error / 2 and its gradient (the objective librosa minimises)."""
    x = x.reshape(shape)
    diff = np.einsum("mf,...ft->...mt", A, x, optimize=True) - B
    value = (1 / B.size) * 0.5 * np.sum(diff**2)
    grad = (1 / B.size) * np.einsum("mf,...mt->...ft", A, diff, optimize=True)
    return value, grad.flatten()


def _nnls_block(A, B, x_init):
    shape = x_init.shape
    x, _, _ = scipy.optimize.fmin_l_bfgs_b(
        _nnls_objective, x_init, args=(shape, A, B), bounds=[(0, None)] * x_init.size,
        m=A.shape[1],
    )
    return x.reshape(shape)


def mel_to_stft(M, *, sr=22050, n_fft=2048, power=2.0, fmin=0.0, fmax=None, htk=False,
                norm="slaney"):
    """Approximate the linear magnitude spectrogram behind a mel spectrogram (as librosa).

    Solves the non-negative least-squares problem

    .. math:: \\hat S = \\arg\\min_{S \\ge 0} \\| H S - M \\|_F^2, \\qquad
              |X| \\approx \\hat S^{1/p}

    with ``H = mel(sr, n_fft, n_mels=M.shape[-2], ...)`` and ``p = power``,
    exactly as :func:`librosa.feature.inverse.mel_to_stft` (pseudo-inverse
    start clipped at zero, refined by L-BFGS-B with the bound ``S >= 0``).
    The problem is under-determined (``n_mels`` equations for ``1 + n_fft // 2``
    unknowns per frame): the result is smooth within each mel band.

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, n_frames), non-negative]
        Mel spectrogram as produced by :func:`melspectrogram`.
    sr : float > 0
        Sampling rate in Hz.
    n_fft : int > 0
        FFT length of the spectrogram to reconstruct.
    power : float > 0
        The exponent used for ``M`` (2 for power, 1 for magnitude).
    fmin, fmax, htk, norm
        Mel filterbank arguments, see :func:`mel`.

    Returns
    -------
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)]
        Non-negative magnitude spectrogram, in ``M``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import melspectrogram, mel_to_stft
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> S = mel_to_stft(melspectrogram(y=y, sr=22050, n_mels=32), sr=22050)
    >>> S.shape, bool(S.min() >= 0)
    ((1025, 9), True)
    """
    M = np.asarray(M)
    if M.ndim < 2 or not np.issubdtype(M.dtype, np.floating) or not np.isfinite(M).all():
        raise ParameterError(
            "M must be a finite real mel spectrogram of shape (..., n_mels, n_frames), got "
            f"M.shape={M.shape}, M.dtype={M.dtype}"
        )
    if np.any(M < 0):
        raise ParameterError(f"M must be non-negative (a power or magnitude); M.min()={M.min()}")
    power = check_real(power, "power", minimum=0.0, exclusive_minimum=True)
    basis = mel(sr=sr, n_fft=n_fft, n_mels=M.shape[-2], fmin=fmin, fmax=fmax, htk=htk,
                norm=norm, dtype=M.dtype)
    inverse = _nnls(basis, M)
    return np.power(inverse, 1.0 / power, out=inverse)


def mel_to_audio(M, *, sr=22050, n_fft=2048, hop_length=None, win_length=None, window="hann",
                 center=True, pad_mode="constant", power=2.0, n_iter=32, length=None,
                 dtype=np.float32, fmin=0.0, fmax=None, htk=False, norm="slaney",
                 random_state=0):
    """Invert a mel spectrogram to audio: :func:`mel_to_stft` then :func:`griffinlim`.

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, n_frames), non-negative]
        Mel spectrogram.
    sr : float > 0
        Sampling rate in Hz.
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT arguments of the spectrogram (``hop_length=None`` means ``n_fft // 4``,
        as librosa; pass the hop used to compute ``M``).
    power : float > 0
        Exponent used for ``M``.
    n_iter : int > 0
        Griffin–Lim iterations.
    length : int > 0 or None
        Output length in samples.
    dtype : np.dtype
        Real dtype of the output.
    fmin, fmax, htk, norm
        Mel filterbank arguments used for ``M``.
    random_state : int, np.random.Generator, np.random.RandomState or None
        Seed of Griffin–Lim's random initial phase (0: reproducible).

    Returns
    -------
    y : np.ndarray [shape=(..., n)]

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import melspectrogram, mel_to_audio
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> M = melspectrogram(y=y, sr=22050, n_mels=32, hop_length=512)
    >>> mel_to_audio(M, sr=22050, hop_length=512, n_iter=4, length=4096).shape
    (4096,)
    """
    S = mel_to_stft(M, sr=sr, n_fft=n_fft, power=power, fmin=fmin, fmax=fmax, htk=htk,
                    norm=norm)
    return griffinlim(S, n_iter=n_iter, hop_length=hop_length, win_length=win_length,
                      n_fft=n_fft, window=window, center=center, dtype=dtype, length=length,
                      pad_mode=pad_mode, random_state=random_state)


def mfcc_to_audio(mfcc, *, n_mels=128, dct_type=2, norm="ortho", ref=1.0, lifter=0, sr=22050,
                  n_fft=2048, hop_length=None, win_length=None, window="hann", center=True,
                  pad_mode="constant", power=2.0, n_iter=32, length=None, dtype=np.float32,
                  fmin=0.0, fmax=None, htk=False, mel_norm="slaney", random_state=0):
    """Hear what MFCCs keep: :func:`mfcc_to_mel`, :func:`mel_to_stft`, then :func:`griffinlim`.

    Parameters
    ----------
    mfcc : np.ndarray [shape=(..., n_mfcc, n_frames)]
        MFCCs, e.g. from :func:`mfcc`.
    n_mels, dct_type, norm, ref, lifter
        As in :func:`mfcc_to_mel` (use the values the MFCCs were computed with).
    sr, n_fft, hop_length, win_length, window, center, pad_mode, power, n_iter, length, dtype
        As in :func:`mel_to_audio` (``hop_length=None`` means ``n_fft // 4``).
    fmin, fmax, htk, mel_norm
        Mel filterbank arguments used for the MFCCs.
    random_state : int, np.random.Generator, np.random.RandomState or None
        Seed of Griffin–Lim's random initial phase (0: reproducible).

    Returns
    -------
    y : np.ndarray [shape=(..., n)]
        The sound of the spectral envelope the MFCCs describe, with a phase
        found by Griffin–Lim (the pitch and fine structure are gone).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import mfcc, mfcc_to_audio
    >>> y = np.random.default_rng(0).standard_normal(4096)
    >>> C = mfcc(y=y, sr=22050, n_mels=32, hop_length=512)
    >>> mfcc_to_audio(C, n_mels=32, sr=22050, hop_length=512, n_iter=4, length=4096).shape
    (4096,)
    """
    mel_spec = mfcc_to_mel(mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm, ref=ref,
                           lifter=lifter)
    return mel_to_audio(mel_spec, sr=sr, n_fft=n_fft, hop_length=hop_length,
                        win_length=win_length, window=window, center=center, pad_mode=pad_mode,
                        power=power, n_iter=n_iter, length=length, dtype=dtype, fmin=fmin,
                        fmax=fmax, htk=htk, norm=mel_norm, random_state=random_state)
