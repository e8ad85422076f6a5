"""Interactive latency: from a knob change to the refreshed view data, without a browser.

Each chapter page is built as the served lab builds it (sandboxed), rendered
into a Bokeh :class:`~bokeh.document.Document` (so its views count as shown
and refresh on change, as in a browser session), and its audio source is
given the benchmark signal. Then, with each of the page's tabs selected in
turn, a knob of each page node that a shown view depends on is swept through
values (a new value at each change) and each change is timed from setting
the knob to the moment the shown views hold the new data: with no server
session a view refreshes synchronously, inside the knob's ``changed``
notification. The per-node LRU is switched off downstream of the knob, so
every change is computed, not recalled. A slow row stops after
:data:`ROW_BUDGET_SECONDS` of changes.

The payload of an update is the bytes of the arrays put into the
ColumnDataSources; the bytes of the audio players' new WAV files (sent in the
same update) are reported apart.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from .. import dsp
from .signals import SR

__all__ = ["SWEEPS", "TARGET_NODES", "measure_latency"]

#: The knob swept on each kind of node (by class name) and the values it cycles through.
SWEEPS = {
    "STFT": ("n_fft", (1024, 4096, 512, 2048)),
    "MelSpectrogram": ("n_mels", (64, 128, 40, 96)),
    "MFCC": ("n_mfcc", (13, 30, 20, 40)),
    "CQT": ("bins_per_octave", (24, 12, 36)),
    "Chroma": ("norm", ("1", "2", "none", "inf")),
    "Spectrum": ("n_fft", (8192, 4096, 16384)),
    "Sampler": ("target_sr", (6000.0, 11025.0, 16000.0, 8000.0)),
    "SignalGenerator": ("frequency", (330.0, 550.0, 880.0, 220.0)),
}

#: A row stops changing its knob once the timed changes add up to this many seconds…
ROW_BUDGET_SECONDS = 15.0

#: … but not before this many timed changes.
MIN_TRIALS = 3

#: Nodes whose views are spectrogram-like: the latency and payload targets apply to them.
TARGET_NODES = ("STFT", "MelSpectrogram", "MFCC", "CQT", "Chroma")


def measure_latency(*, duration, trials, seed=0):
    """Time knob → view data on every chapter page, and knob → output for nodes with no page yet.

    Parameters
    ----------
    duration : float
        Seconds of the benchmark signal loaded into the pages' audio sources.
    trials : int >= 1
        Timed knob changes per row (after one untimed change), fewer if the
        row's budget runs out.
    seed : int
        Seed of the benchmark signal.

    Returns
    -------
    list of dict
        One row per (page, tab, node, knob): ``page``, ``tab``, ``node``,
        ``node_type``, ``knob``, ``trials``, ``median_ms`` and ``p95_ms`` (until
        every shown view holds the new data), ``foreground_median_ms`` (until
        the views that are not ``background`` do),
        ``payload_bytes`` (median per update, all views), ``player_bytes``,
        ``views`` and ``background_views`` (names of the views updated) and
        ``error`` (None, or why the row could not be measured). Rows
        for node types no page has yet are measured on a bare chain of
        nodes (``page`` is ``None``; no views, no payload).
    """
    import panel as pn

    from ..apps.registry import CHAPTERS
    from .signals import bench_signal

    pn.extension()
    wav = dsp.to_wav_bytes(bench_signal(duration, seed=seed), sr=SR)
    rows, seen = [], set()
    for chapter in CHAPTERS:
        rows += _chapter_rows(chapter, wav, trials, seen)
    for build in _BARE_CHAINS:
        rows += _bare_rows(build, wav, trials, seen)
    return rows


def _chapter_rows(chapter, wav, trials, seen):
    """Build, render and load one chapter page; a row per swept node with a shown view.

    Adds the class names of the page's nodes to ``seen``.
    """
    try:
        page = chapter.build(sandboxed=True)
        _render(page)
        _load_audio(page.graph, wav)
    except Exception as exc:  # noqa: BLE001 - a broken page is a row of the report
        return [{**_row(chapter.name, None, None, None, views=[]), "error": _describe(exc)}]
    rows = []
    seen.update(type(node).__name__ for _, node in page.graph.items())
    for tab in _each_tab(page):
        for _, node in page.graph.items():
            if type(node).__name__ in SWEEPS and _shown_views(page, node):
                rows.append(_guarded(chapter.name, tab, node, _page_row, chapter.name, tab,
                                     page, node, trials))
    return rows


def _each_tab(page):
    """Select each tab of the page's first :class:`panel.Tabs` in turn; yield its title.

    Yields ``None`` once for a page without tabs. Only the views of the
    selected tab are active, as when a user looks at that tab.
    """
    import panel as pn

    tabs = pn.panel(page).select(pn.Tabs)
    if not tabs:
        yield None
        return
    for index, title in enumerate(tabs[0]._names):
        tabs[0].active = index
        yield title


def _bare_rows(build, wav, trials, seen):
    """Rows for the target nodes of the chain ``build(wav)`` that no page in ``seen`` has."""
    try:
        nodes = build(wav)
    except Exception as exc:  # noqa: BLE001 - a node that cannot be built is reported
        return [{**_row(None, None, None, None, views=[]), "error": _describe(exc)}]
    return [_guarded(None, None, node, _bare_row, node, nodes[-1], trials) for node in nodes
            if type(node).__name__ in TARGET_NODES and type(node).__name__ not in seen]


def _guarded(page_name, tab, node, measure, *args):
    """``measure(*args)``, or a row with the error if it raised.

    A view redraws inside the knob's notification, so an exception in a view
    reaches the code that set the knob.
    """
    try:
        return measure(*args)
    except Exception as exc:  # noqa: BLE001 - a broken view is a row of the report
        return {**_row(page_name, tab, node, SWEEPS[type(node).__name__][0], views=[]),
                "error": _describe(exc)}


def _describe(exc):
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _render(page):
    """Render ``page`` into a new Document: its visible views become shown and draw."""
    import panel as pn
    from bokeh.document import Document

    pn.panel(page).get_root(Document())


def _load_audio(graph, wav):
    """Give every audio source of ``graph`` the benchmark signal, as an uploaded WAV file."""
    from ..nodes import AudioSource

    for _, node in graph.items():
        if isinstance(node, AudioSource):
            node.param.update(origin="upload", data=wav, filename="bench.wav")


def _shown_views(page, node):
    """The shown views that draw ``node`` or a node downstream of it."""
    return [view for view in page.views
            if view.shown and (view.node is node or node in view.node.ancestors())]


def _sweep(node, trials):
    """The knob, and values for one untimed then ``trials`` timed changes, then the original.

    Each value differs from the one before it; the last restores the knob
    (untimed), so the next row starts from the page's own settings.
    """
    knob, values = SWEEPS[type(node).__name__]
    original = getattr(node, knob)
    cycle = [v for v in values if v != original] + [original]
    return knob, [cycle[i % len(cycle)] for i in range(trials + 1)] + [original]


def _no_cache(node):
    """Switch off the LRU of ``node`` and its descendants: every change is computed."""
    for each in node.descendants():
        each.cache_size = 0


def _page_row(page_name, tab, page, node, trials):
    """Time knob changes on a rendered page; payload from the views' sources.

    A change is timed until every shown view holds the new data. Views that
    pull in a worker thread when served (``background``) are paused during
    the change and resumed after it, so the time the others take (during
    which the served lab's event loop is busy) is also known.
    """
    import panel as pn

    knob, values = _sweep(node, trials)
    views = _shown_views(page, node)
    background = [view for view in views if view.background]
    players = pn.panel(page).select(pn.pane.Audio)
    row = _row(page_name, tab, node, knob, views=[view.node.name for view in views])
    row["background_views"] = [view.node.name for view in background]
    _no_cache(node)
    seconds, foreground, payloads, audio = [], [], [], []
    for value in _within_budget(values, seconds):
        sources, wavs = _columns(views), [player.object for player in players]
        foreground.append(_timed(_paused(background, node, knob, value)))
        seconds.append(foreground[-1] + _timed(lambda: _resume(background)))
        row["error"] = _failure(node, views)
        if row["error"]:
            return row
        payloads.append(_new_bytes(sources, _columns(views)))
        audio.append(_new_audio_bytes(players, wavs))
    row = _summarise(row, seconds[1:-1], payloads[1:-1], audio[1:-1])
    row["foreground_median_ms"] = 1000 * statistics.median(foreground[1:-1])
    return row


def _timed(action):
    """Seconds ``action()`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _paused(views, node, knob, value):
    """An action: make ``views`` inactive (they only mark themselves dirty), then set the knob."""
    def run():
        for view in views:
            view.active = False
        setattr(node, knob, value)
    return run


def _resume(views):
    """Make ``views`` active again: they catch up (pull their node and redraw)."""
    for view in views:
        view.active = True


def _bare_row(node, last, trials):
    """Time knob changes of ``node`` until ``last.output`` is computed (no view)."""
    knob, values = _sweep(node, trials)
    row = _row(None, None, node, knob, views=[])
    _no_cache(node)
    seconds = []
    for value in _within_budget(values, seconds):
        seconds.append(_timed(_paused([], node, knob, value)) + _timed(lambda: last.output))
        if last.error is not None:
            row["error"] = f"{type(last.error).__name__}: {last.error}"
            return row
    return _summarise(row, seconds[1:-1], None, None)


def _within_budget(values, seconds):
    """Yield the warm-up, the timed changes and the restoring value of ``values``.

    The timed changes stop early once the times recorded in ``seconds``
    add up to :data:`ROW_BUDGET_SECONDS`, but not before :data:`MIN_TRIALS`
    of them.
    """
    *changes, restore = values
    for index, value in enumerate(changes):
        if index > MIN_TRIALS and sum(seconds[1:]) > ROW_BUDGET_SECONDS:
            break
        yield value
    yield restore


def _row(page_name, tab, node, knob, *, views):
    """A row with nothing measured yet (``node`` None: the page itself failed)."""
    return {"page": page_name, "tab": tab, "node": getattr(node, "name", None),
            "node_type": type(node).__name__ if node is not None else None,
            "knob": knob, "trials": 0, "median_ms": None, "p95_ms": None,
            "foreground_median_ms": None, "payload_bytes": None, "player_bytes": None,
            "views": views, "background_views": [], "error": None}


def _failure(node, views):
    """Why a change did not refresh the views with good data, or None."""
    if node.error is not None:
        return f"{type(node.error).__name__}: {node.error}"
    dirty = [view.node.name for view in views if view.dirty]
    return f"views not refreshed synchronously: {dirty}" if dirty else None


def _summarise(row, seconds, payloads, audio):
    row.update(median_ms=1000 * statistics.median(seconds),
               p95_ms=1000 * float(np.percentile(seconds, 95)), trials=len(seconds))
    if payloads is not None:
        row.update(payload_bytes=int(statistics.median(payloads)),
                   player_bytes=int(statistics.median(audio)))
    return row


def _columns(views):
    """Every (source, column) value of the views' ColumnDataSources, by identity key."""
    return {(id(source), column): value for view in views for source in view.sources.values()
            for column, value in source.data.items()}


def _new_bytes(before, after):
    """Bytes of the column values in ``after`` that are not the objects they were ``before``."""
    return sum(_nbytes(value) for key, value in after.items() if before.get(key) is not value)


def _new_audio_bytes(players, before):
    """Bytes of the players' audio files that are not the objects they were ``before``."""
    return sum(len(player.object or b"") for player, old in zip(players, before, strict=True)
               if player.object is not old)


def _nbytes(value):
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        return sum(_nbytes(v) for v in value)
    return np.asarray(value).nbytes


def _mfcc_chain(wav):
    from ..nodes import MFCC, STFT, AudioSource, MelSpectrogram

    audio = AudioSource(name="audio", origin="upload", data=wav, filename="bench.wav")
    stft = STFT(name="stft", source=audio)
    mel = MelSpectrogram(name="mel", spectrogram=stft)
    return [audio, stft, mel, MFCC(name="mfcc", mel=mel)]


def _chroma_chain(wav):
    from ..nodes import CQT, AudioSource, Chroma

    audio = AudioSource(name="audio", origin="upload", data=wav, filename="bench.wav")
    cqt = CQT(name="cqt", source=audio)
    return [audio, cqt, Chroma(name="chroma", spectrum=cqt)]


#: Bare chains of nodes for the MFCC and chroma chapters, measured while they have no page.
_BARE_CHAINS = (_mfcc_chain, _chroma_chain)
