"""A corpus read from a folder of audio files, one subfolder per class."""

import os

from ..dsp._checks import check_real
from ..dsp.io import load
from ..dsp.resample import check_rate
from ..errors import ParameterError
from ._corpus import Corpus, check_progress, report

__all__ = ["AUDIO_EXTENSIONS", "folder"]

#: File name endings read as audio (compared in lower case).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")

#: What goes wrong reading one file; recorded in ``Corpus.failures``, never raised.
_READ_ERRORS = (ValueError, OSError, RuntimeError, MemoryError)


def _is_audio(filename):
    """True for a visible file with an audio extension (``._x.wav`` macOS shadows are not)."""
    return not filename.startswith(".") and filename.lower().endswith(AUDIO_EXTENSIONS)


def _audio_files(root):
    """Relative paths (``/``-separated, sorted) of the audio files under ``root``."""
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        relative = os.path.relpath(directory, root)
        for filename in sorted(files):
            if _is_audio(filename):
                path = filename if relative == "." else os.path.join(relative, filename)
                found.append(path.replace(os.sep, "/"))
    return found


def folder(path, *, sr=16000, max_seconds=5.0, progress=None):
    """Read every audio file under ``path``; the subfolder names are the labels.

    The layout is ``path/<label>/<file>`` or ``path/<label>/<group>/<file>``
    (deeper folders are read too; the first two levels give the label and the
    group). Files ending in ``.wav``, ``.flac`` or ``.ogg`` (any case) are
    read, resampled to ``sr`` and mixed to mono; hidden files and folders are
    skipped. A file that cannot be read, and an audio file lying directly in
    ``path`` (it has no label), is recorded in ``failures`` and the rest are
    kept.

    Parameters
    ----------
    path : str or pathlib.Path
        The root folder.
    sr : int > 0
        Sampling rate of the clips in Hz.
    max_seconds : float > 0 or None
        Keep at most the first ``max_seconds`` of each file (only that much is
        read from disk); ``None`` keeps whole files.
    progress : callable or None
        Called as ``progress(done, total, message)`` after each file.

    Returns
    -------
    corpus : Corpus
        Clips in sorted path order; ``names`` are the paths relative to
        ``path`` (``"dog/bark_01.wav"``); ``groups`` are the second-level
        folder names, or the clip's own name for a file directly in its class
        folder (each such clip is then a group of its own, and a group split
        becomes an ordinary split).

    Raises
    ------
    ParameterError
        If ``path`` is not a folder, holds no audio file, or its readable
        files make fewer than two classes; or if an argument is invalid.

    Examples
    --------
    >>> import shutil, tempfile, numpy as np
    >>> from listenwidgets.dsp import write
    >>> from listenwidgets.corpora import folder
    >>> root = tempfile.mkdtemp()
    >>> for label in ("hum", "hiss"):
    ...     os.makedirs(os.path.join(root, label))
    ...     write(os.path.join(root, label, "a.wav"), np.zeros(800), sr=8000)
    >>> corpus = folder(root, sr=8000)
    >>> corpus.names, corpus.labels
    (['hiss/a.wav', 'hum/a.wav'], ['hiss', 'hum'])
    >>> shutil.rmtree(root)
    """
    sr = check_rate(sr, "sr")
    max_seconds = check_real(max_seconds, "max_seconds", minimum=0.0, exclusive_minimum=True,
                             allow_none=True)
    check_progress(progress)
    root = os.fspath(path)
    if not os.path.isdir(root):
        raise ParameterError(f"path={root!r} is not a folder")
    files = _audio_files(root)
    if not files:
        raise ParameterError(
            f"path={root!r} holds no audio file ({', '.join(AUDIO_EXTENSIONS)}); "
            "put one subfolder per class in it"
        )
    found_classes = sorted({name.split("/")[0] for name in files if "/" in name})
    if len(found_classes) < 2:
        raise ParameterError(
            f"path={root!r} must hold at least two class subfolders with audio files, "
            f"found {found_classes}"
        )
    clips, labels, names, groups, failures = [], [], [], [], []
    for done, name in enumerate(files, start=1):
        parts = name.split("/")
        if len(parts) == 1:
            failures.append((name, "lies directly in the root folder, not in a class subfolder"))
        else:
            try:
                y, _ = load(os.path.join(root, *parts), sr=sr, duration=max_seconds)
            except _READ_ERRORS as exc:
                failures.append((name, str(exc)))
            else:
                clips.append(y)
                labels.append(parts[0])
                names.append(name)
                groups.append(parts[1] if len(parts) > 2 else name)
        report(progress, done, len(files), name)
    if len(set(labels)) < 2:
        raise ParameterError(
            f"path={root!r}: the readable files make {len(set(labels))} class(es), at least two "
            f"are needed ({len(failures)} of {len(files)} files failed, first: {failures[:1]})"
        )
    return Corpus(clips=clips, labels=labels, names=names, groups=groups, sr=float(sr),
                  failures=failures)
