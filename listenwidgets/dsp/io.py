"""Reading and writing audio files.

This is the only module of :mod:`listenwidgets` that imports ``soundfile``
(libsndfile): it reads and writes whatever libsndfile handles (WAV, FLAC,
OGG/Vorbis, AIFF, MP3 with libsndfile >= 1.1, ...) from a path, from ``bytes``
or from a binary file object, and turns every failure into a
:class:`~listenwidgets.errors.ParameterError` that names the source.

Conventions (as in ``librosa.load``):

- samples are floating point; integer PCM is scaled by ``2**-(bits - 1)``, so
  16-bit ``-32768 .. 32767`` becomes ``-1.0 .. 32767/32768`` (the interval
  ``[-1, 1)``);
- a multichannel file is mixed to mono by averaging its channels
  (:func:`~listenwidgets.dsp.resample.to_mono`), unless ``mono=False``;
- multichannel arrays have shape ``(channels, n)``: time is the last axis.
"""

import io
import os
import typing

import numpy as np
import soundfile as sf

from ..errors import ParameterError
from ._checks import check_audio, check_choice, check_real, short_repr
from .resample import check_rate, resample, to_mono

__all__ = ["AudioInfo", "info", "load", "write", "to_wav_bytes"]

# libsndfile's integer PCM subtypes and their bit depths: written by rounding
# to this grid ourselves so that load(write(y)) == y for on-grid samples.
_PCM_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}

# The exceptions soundfile raises for unreadable, unwritable or corrupt data
# (LibsndfileError is a RuntimeError; a bad file object gives TypeError or
# OSError).
_SOUNDFILE_ERRORS = (RuntimeError, TypeError, OSError)


class AudioInfo(typing.NamedTuple):
    """What :func:`info` reports about an audio file, read from its header."""

    sr: int
    """Sampling rate in Hz."""
    channels: int
    """Number of channels."""
    frames: int
    """Number of samples per channel."""
    duration: float
    """Length in seconds, ``frames / sr``."""
    format: str
    """Container format as libsndfile names it (``'WAV'``, ``'FLAC'``, ``'OGG'``...)."""
    subtype: str
    """Sample encoding (``'PCM_16'``, ``'FLOAT'``, ``'VORBIS'``...)."""


def _describe(source):
    """Name ``source`` in an error message without dumping its contents."""
    if isinstance(source, (str, os.PathLike)):
        return f"source={os.fspath(source)!r}"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"source=<{len(source)} bytes>"
    name = getattr(source, "name", None)
    if isinstance(name, str):
        return f"source=<file object {name!r}>"
    return f"source=<{type(source).__name__} object>"


def _as_soundfile_input(source):
    """Return what ``soundfile.SoundFile`` should open for ``source``.

    A path is checked to exist; bytes become a :class:`io.BytesIO`; a binary
    file object that cannot seek is read into memory (libsndfile seeks).
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise ParameterError(f"{_describe(source)} does not exist")
        if os.path.isdir(path):
            raise ParameterError(f"{_describe(source)} is a directory, not an audio file")
        return path
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    if isinstance(source, io.TextIOBase):
        raise ParameterError(
            f"{_describe(source)} is a text-mode file; open it in binary mode ('rb')"
        )
    if callable(getattr(source, "read", None)):
        seekable = getattr(source, "seekable", None)
        if callable(seekable) and seekable():
            return source
        return io.BytesIO(source.read())
    raise ParameterError(
        "source must be a path (str or pathlib.Path), bytes or a binary file object, "
        f"got source={short_repr(source)} of type {type(source).__name__}"
    )


def _open(source):
    """Open ``source`` for reading, as a ``soundfile.SoundFile``."""
    target = _as_soundfile_input(source)
    try:
        return sf.SoundFile(target)
    except _SOUNDFILE_ERRORS as exc:
        raise ParameterError(
            f"cannot read {_describe(source)} as audio: {exc}"
        ) from exc


def info(source):
    """Describe an audio file from its header, without reading the samples.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or binary file object
        The audio file.

    Returns
    -------
    info : AudioInfo
        ``sr``, ``channels``, ``frames``, ``duration`` (seconds), ``format`` and
        ``subtype``. A file with no samples reports ``frames=0``.

    Raises
    ------
    ParameterError
        If ``source`` does not exist or libsndfile cannot read it (the message
        gives libsndfile's reason).

    Examples
    --------
    >>> from listenwidgets.data import demo_path
    >>> info(demo_path("piano_a4")).format
    'FLAC'
    """
    with _open(source) as f:
        return AudioInfo(
            sr=int(f.samplerate),
            channels=int(f.channels),
            frames=int(f.frames),
            duration=f.frames / f.samplerate,
            format=f.format,
            subtype=f.subtype,
        )


def load(source, *, sr=None, mono=True, offset=0.0, duration=None, max_duration=None,
         dtype=np.float32):
    """Read an audio file into a floating-point array.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or binary file object
        The audio file, in any format libsndfile reads (WAV, FLAC, OGG/Vorbis,
        AIFF, ...).
    sr : int > 0 or None
        Sampling rate of the result. ``None`` keeps the file's own rate;
        otherwise the signal is resampled with
        :func:`~listenwidgets.dsp.resample.resample` (polyphase filtering).
    mono : bool
        If True, mix the channels down to one by averaging them (each channel
        weighted ``1 / channels``, as ``librosa.to_mono``). If False, a
        multichannel file gives shape ``(channels, n)``; a one-channel file
        still gives shape ``(n,)``, as in librosa.
    offset : float >= 0
        Start reading this many seconds into the file. Only that part is read
        from disk.
    duration : float > 0 or None
        Read at most this many seconds (fewer if the file ends first). ``None``
        reads to the end of the file.
    max_duration : float > 0 or None
        The longest stretch, in seconds, that ``load`` agrees to read. If the
        part to be read (the rest of the file after ``offset``, or ``duration``
        when given) is longer, ``load`` refuses with a ``ParameterError`` that
        gives the file's length and asks for ``duration=`` (and ``offset=``)
        to pick a part, before any sample is read: a one-hour file is refused
        clearly instead of filling memory. ``None`` sets no limit.
    dtype : np.float32 or np.float64
        Floating-point type of the result.

    Returns
    -------
    y : np.ndarray [shape=(n,) or (channels, n)]
        The samples, integer PCM scaled to ``[-1, 1)``.
    sr : int
        The sampling rate of ``y``.

    Raises
    ------
    ParameterError
        If the source does not exist or cannot be decoded (with libsndfile's
        reason, e.g. a truncated FLAC), if it has no samples (0 frames,
        ``offset`` at or past its end, ``duration`` under one sample), if a
        sample is NaN or Inf (a float file can hold them; the message gives the
        first bad index), if the part to read is longer than ``max_duration``,
        or if an argument is invalid.

    See Also
    --------
    info : the header of a file without its samples.

    Examples
    --------
    >>> from listenwidgets.data import demo_path
    >>> y, sr = load(demo_path("piano_a4"), duration=1.0)
    >>> y.shape, sr
    ((22050,), 22050)
    """
    target_sr = None if sr is None else check_rate(sr, "sr")
    check_choice(mono, "mono", (True, False))
    offset = check_real(offset, "offset", minimum=0.0)
    duration = check_real(duration, "duration", minimum=0.0, exclusive_minimum=True,
                          allow_none=True)
    max_duration = check_real(max_duration, "max_duration", minimum=0.0,
                              exclusive_minimum=True, allow_none=True)
    if dtype not in (np.float32, np.float64, np.dtype(np.float32), np.dtype(np.float64)):
        raise ParameterError(f"dtype must be np.float32 or np.float64, got dtype={short_repr(dtype)}")
    dtype = np.dtype(dtype)

    with _open(source) as f:
        native_sr = int(f.samplerate)
        frames = int(f.frames)
        length = frames / native_sr
        if frames == 0:
            raise ParameterError(
                f"{_describe(source)} is empty (0 frames, or cut off before its "
                "first sample); nothing to load"
            )
        start = int(np.round(offset * native_sr))
        if start >= frames:
            raise ParameterError(
                f"offset={offset} is at or past the end of {_describe(source)}, "
                f"which lasts {length:.3f} s"
            )
        remaining = frames - start
        count = remaining if duration is None else min(remaining,
                                                       int(np.round(duration * native_sr)))
        if count == 0:
            raise ParameterError(
                f"duration={duration} is shorter than one sample at the file's "
                f"sr={native_sr}"
            )
        if max_duration is not None and count > max_duration * native_sr:
            asked = ("the rest of the file" if duration is None
                     else f"duration={duration}")
            raise ParameterError(
                f"{_describe(source)} lasts {length:.1f} s and {asked} is "
                f"{count / native_sr:.1f} s from offset={offset}, longer than "
                f"max_duration={max_duration}; pass duration= (at most {max_duration} s) "
                "and offset= to load a part of it"
            )
        try:
            if start:
                f.seek(start)
            data = f.read(frames=count, dtype=dtype.name, always_2d=True)
        except _SOUNDFILE_ERRORS as exc:
            raise ParameterError(f"cannot decode {_describe(source)}: {exc}") from exc

    finite = np.isfinite(data)
    if not finite.all():
        frame, channel = np.argwhere(~finite)[0]
        where = f"sample index {start + int(frame)}"
        if data.shape[1] > 1:
            where += f", channel {int(channel)}"
        raise ParameterError(
            f"{_describe(source)} contains NaN or Inf samples, the first at {where} "
            f"({(start + int(frame)) / native_sr:.3f} s); the file is corrupt"
        )

    y = data.T  # (channels, n)
    y = to_mono(y) if mono or y.shape[0] == 1 else np.ascontiguousarray(y)
    out_sr = native_sr
    if target_sr is not None and target_sr != native_sr:
        y = resample(y, orig_sr=native_sr, target_sr=target_sr)
        out_sr = target_sr
    return np.ascontiguousarray(y, dtype=dtype), out_sr


def _quantise(y, subtype):
    """Clip ``y`` to ``[-1, 1)`` and convert it to what soundfile should write.

    Integer PCM subtypes get integers rounded to the ``b``-bit grid
    ``k / 2**(b-1)`` (placed in the top bits of an int32 for 8 and 24 bits, as
    libsndfile expects); every other subtype gets clipped floats.
    """
    bits = _PCM_BITS.get(subtype)
    if bits is None:
        dtype = np.float64 if subtype == "DOUBLE" else np.float32
        top = np.nextafter(dtype(1.0), dtype(0.0))
        return np.clip(y.astype(dtype), dtype(-1.0), top)
    scale = 2.0 ** (bits - 1)
    q = np.clip(np.round(y * scale), -scale, scale - 1)
    if bits == 16:
        return q.astype(np.int16)
    return q.astype(np.int32) << (32 - bits)


def write(path_or_file, y, *, sr, subtype="PCM_16", format=None):
    """Write audio to a file, clipping it to ``[-1, 1)``.

    Parameters
    ----------
    path_or_file : str, pathlib.Path or binary file object
        Where to write. With a path, the format follows the extension
        (``.wav``, ``.flac``, ``.ogg``...) unless ``format`` is given; with a
        file object, ``format`` defaults to ``'WAV'``.
    y : np.ndarray [shape=(n,) or (channels, n)], real floating point
        The samples; time is the last axis.
    sr : int > 0
        Sampling rate in Hz.
    subtype : str
        Sample encoding, as libsndfile names it: ``'PCM_16'`` (default),
        ``'PCM_24'``, ``'PCM_32'``, ``'PCM_U8'``, ``'FLOAT'``, ``'DOUBLE'``,
        ``'VORBIS'`` (for OGG)...
    format : str or None
        Container format (``'WAV'``, ``'FLAC'``, ``'OGG'``...). ``None``
        infers it from the file name.

    Raises
    ------
    ParameterError
        If ``y`` is not finite floating-point audio of one or two dimensions,
        ``sr`` is not a positive whole number, the format and subtype do not
        go together, or the file cannot be written.

    Notes
    -----
    Samples outside ``[-1, 1)`` are clipped. For integer PCM of ``b`` bits
    each sample is rounded to the nearest multiple of ``2**-(b-1)``, so a
    signal already on that grid survives ``write`` then :func:`load`
    exactly, and any other loses at most half a step.

    Examples
    --------
    >>> import io, numpy as np
    >>> buffer = io.BytesIO()
    >>> write(buffer, np.array([0.0, 0.5, -0.5]), sr=8000)
    >>> load(buffer.getvalue())[0]
    array([ 0. ,  0.5, -0.5], dtype=float32)
    """
    y = check_audio(y, mono=False)
    if y.ndim > 2:
        raise ParameterError(
            f"y must have shape (n,) or (channels, n), got y.shape={y.shape}"
        )
    sr = check_rate(sr, "sr")
    is_path = isinstance(path_or_file, (str, os.PathLike))
    if not is_path and not callable(getattr(path_or_file, "write", None)):
        raise ParameterError(
            "path_or_file must be a path (str or pathlib.Path) or a binary file object, "
            f"got path_or_file={short_repr(path_or_file)}"
        )
    if format is None:
        extension = os.path.splitext(os.fspath(path_or_file))[1] if is_path else ""
        format = extension[1:].upper() if extension else "WAV"
    format = str(format).upper()
    check_choice(format, "format", tuple(sf.available_formats()))
    subtype = str(subtype).upper()
    if not sf.check_format(format, subtype):
        options = ", ".join(sorted(sf.available_subtypes(format)))
        raise ParameterError(
            f"subtype={subtype!r} cannot be written in format={format!r}; "
            f"choose one of {options}"
        )
    data = _quantise(y.T, subtype)
    try:
        sf.write(path_or_file, data, sr, subtype=subtype, format=format)
    except _SOUNDFILE_ERRORS as exc:
        target = (f"path_or_file={os.fspath(path_or_file)!r}" if is_path
                  else f"path_or_file=<{type(path_or_file).__name__} object>")
        raise ParameterError(f"cannot write {target}: {exc}") from exc


def to_wav_bytes(y, *, sr):
    """Encode audio as the bytes of a 16-bit PCM WAV file (for audio players).

    Parameters
    ----------
    y : np.ndarray [shape=(n,) or (channels, n)], real floating point
        The samples, clipped to ``[-1, 1)`` and rounded to 16 bits.
    sr : int > 0
        Sampling rate in Hz.

    Returns
    -------
    wav : bytes
        A complete WAV file (44-byte header, then little-endian int16 samples).

    Raises
    ------
    ParameterError
        As :func:`write`.

    Examples
    --------
    >>> import numpy as np
    >>> len(to_wav_bytes(np.zeros(100), sr=8000))
    244
    """
    buffer = io.BytesIO()
    write(buffer, y, sr=sr, subtype="PCM_16", format="WAV")
    return buffer.getvalue()
