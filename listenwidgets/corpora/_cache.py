"""An on-disk cache of rendered corpora: FLAC files and a JSON manifest per configuration.

Layout: ``<root>/<kind>-<key>/manifest.json`` beside one FLAC file per clip,
where ``key`` is the first 16 hex digits of the SHA-256 of the configuration
written as canonical JSON. A build writes into a temporary folder and renames
it into place when complete, so an interrupted build leaves no half corpus and
two processes building at once both end with a whole one.
"""

import hashlib
import json
import os
import pathlib
import shutil
import tempfile

from ..dsp.io import load, write
from ..errors import ParameterError
from ._corpus import Corpus, report

__all__ = ["cache_root", "cached_corpus"]

#: Version of the manifest layout; a manifest of another version is rebuilt.
MANIFEST_VERSION = 1


def cache_root(cache_dir=None):
    """The folder holding cached corpora.

    Parameters
    ----------
    cache_dir : str, pathlib.Path or None
        Used as it is when given. Otherwise ``$LISTENWIDGETS_CACHE/corpora``
        when that variable is set, else
        ``${XDG_CACHE_HOME:-~/.cache}/listenwidgets/corpora``.

    Returns
    -------
    root : pathlib.Path
    """
    if cache_dir is not None:
        return pathlib.Path(cache_dir)
    base = os.environ.get("LISTENWIDGETS_CACHE")
    if base:
        return pathlib.Path(base) / "corpora"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(xdg) / "listenwidgets" / "corpora"


def _key(config):
    """First 16 hex digits of the SHA-256 of ``config`` as canonical JSON."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _read(directory, config, progress):
    """The corpus cached in ``directory``, or None when it is missing, stale or damaged."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("version") != MANIFEST_VERSION or manifest.get("config") != config:
        return None
    entries = manifest["clips"]
    clips = []
    for done, (name, _, _) in enumerate(entries, start=1):
        try:
            y, rate = load(directory / f"{name}.flac")
        except ParameterError:
            return None
        if rate != manifest["sr"]:
            return None
        clips.append(y)
        report(progress, done, len(entries), f"loading {name}")
    return Corpus(clips=clips, labels=[e[1] for e in entries], names=[e[0] for e in entries],
                  groups=[e[2] for e in entries], sr=float(manifest["sr"]),
                  failures=[tuple(f) for f in manifest["failures"]])


def _build(directory, config, jobs, make_renderer, sr, progress):
    """Render every job into a temporary folder beside ``directory``, then rename it into place."""
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    except OSError as exc:
        raise ParameterError(
            f"cache_dir={str(directory.parent)!r} cannot hold the corpus: {exc}; "
            "pass cache_dir= a writable folder or set LISTENWIDGETS_CACHE"
        ) from exc
    try:
        report(progress, 0, len(jobs), "preparing the renderer")
        render = make_renderer()
        entries, failures = [], []
        for done, (name, label, group, spec) in enumerate(jobs, start=1):
            try:
                y = render(spec)
            except ParameterError as exc:
                failures.append((name, str(exc)))
            else:
                path = staging / f"{name}.flac"
                path.parent.mkdir(parents=True, exist_ok=True)
                write(path, y, sr=sr, subtype="PCM_16")
                entries.append((name, label, group))
            report(progress, done, len(jobs), f"rendering {name}")
        manifest = {"version": MANIFEST_VERSION, "config": config, "sr": sr,
                    "clips": entries, "failures": failures}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        shutil.rmtree(directory, ignore_errors=True)  # a stale or damaged earlier build
        try:
            os.rename(staging, directory)
        except OSError:  # another process renamed its complete build first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def cached_corpus(kind, *, config, jobs, make_renderer, sr, cache_dir, progress):
    """Load a corpus from the cache, rendering and caching it first when needed.

    Parameters
    ----------
    kind : str
        The corpus family (``"instrument_notes"``); the cache folder's prefix.
    config : dict
        Everything the audio depends on (JSON-serialisable); its hash is the
        cache key, and it is stored in the manifest and compared on load.
    jobs : list of (str, str, str, object)
        ``(name, label, group, spec)`` of each clip; ``name`` is also its
        file path (``/``-separated, without extension) inside the cache.
    make_renderer : callable
        Called once, only when the corpus must be built, it returns
        ``render(spec) -> np.ndarray`` giving mono float audio at ``sr``;
        ``render`` raises ``ParameterError`` for a clip that cannot be made
        (recorded in ``failures``). ``make_renderer`` raises
        :class:`MissingToolError` when its tool is missing.
    sr : int > 0
        Sampling rate of the rendered clips in Hz.
    cache_dir : str, pathlib.Path or None
        See :func:`cache_root`.
    progress : callable or None
        ``progress(done, total, message)``, during rendering and then loading.
        An exception raised by ``progress`` cancels the build: it propagates
        and leaves nothing in the cache.

    Returns
    -------
    corpus : Corpus
        Always read back from the FLAC files, so a fresh build and a cache
        hit return identical (16-bit quantised) samples.

    Raises
    ------
    MissingToolError
        From ``make_renderer``, when the corpus must be built.
    ParameterError
        If ``cache_dir`` cannot be written, or the clips that could be made
        form fewer than two classes.
    """
    config = json.loads(json.dumps({**config, "kind": kind, "sr": sr}))  # tuples as JSON lists
    directory = cache_root(cache_dir) / f"{kind}-{_key(config)}"
    corpus = _read(directory, config, progress)
    if corpus is None:
        _build(directory, config, jobs, make_renderer, sr, progress)
        corpus = _read(directory, config, progress)
    if corpus is None:
        raise ParameterError(f"cache_dir={str(directory.parent)!r}: the corpus written to "
                             f"{str(directory)!r} cannot be read back")
    if len(corpus.classes) < 2:
        raise ParameterError(
            f"{kind}: only {len(corpus)} clips in {len(corpus.classes)} class(es) could be made, "
            f"at least two classes are needed; {len(corpus.failures)} failed, the first with "
            f"{corpus.failures[:1]}"
        )
    return corpus
