"""View of a Dataset: how many examples of each class, what was left out, and any example to hear.

While the node builds (rendering or loading a corpus, then the features of
every clip: seconds to minutes), a progress bar shows how far it got. The
Dataset calls its ``progress(done, total, message)`` from whatever thread
pulls it; when served the bar is drawn on the session's event loop
(``doc.add_next_tick_callback``), the newest report only, however many
arrived meanwhile, and held like every update while the browser is still
loading the page (:mod:`~listenwidgets.views.ready`); in a notebook at once
(at most every 0.1 s).
"""

from __future__ import annotations

import html
import threading
import time

import panel as pn
import param
from bokeh.models import FactorRange

from ..nodes import Signal
from .base import NodeView
from .player import Player
from .ready import hold_until_loaded, served_document
from .trainer_plots import class_colours

__all__ = ["DatasetView"]

#: The shortest time between two progress draws in a notebook, in seconds.
NOTEBOOK_PROGRESS_SECONDS = 0.1


class DatasetView(NodeView):
    """A :class:`~listenwidgets.nodes.Dataset`: examples per class, failures, and a player.

    The node is pulled in a worker thread when served (a folder or a large
    corpus takes a while), with a progress bar while it builds (the view
    sets the node's ``progress``). ``example`` picks the clip to hear (its
    name and class are shown above the player).

    Sources (by role): ``counts`` (``label``, ``count``, ``colour``).
    """

    example = param.Integer(default=0, bounds=(0, None), softbounds=(0, 100), label="example to hear",
                            doc="The index of the example played below (wraps around).")

    display_knobs = ("example",)
    redraw_knobs = ("example",)
    background = True

    def __init__(self, node, **kwargs):
        self._report = None          # the newest (done, total, message) not yet drawn; None: not building
        self._report_pending = False
        self._report_lock = threading.Lock()
        self._report_drawn = 0.0
        self._doc = None
        super().__init__(node, **kwargs)
        node.progress = self._on_progress

    def _build(self):
        self.progress_bar = pn.indicators.Progress(value=0, max=1, visible=False, bar_color="info",
                                                   sizing_mode="stretch_width", margin=(10, 10, 0, 10))
        self.progress_message = pn.pane.HTML("", visible=False, margin=(0, 10),
                                             styles={"color": "#555", "font-size": "0.9em"})
        self._counts = self._source("counts", label=[], count=[], colour=[])
        fig = self._figure(title="Examples per class", x_label="class", y_label="examples", height=220,
                           tools="save", x_range=FactorRange())
        fig.vbar(x="label", top="count", width=0.8, source=self._counts, fill_color="colour", line_color=None)
        self._counts_fig = fig
        self._player = Player("An example")
        self._failures = pn.pane.HTML("", sizing_mode="stretch_width", styles={"color": "#8a6d3b"})
        return [self.progress_bar, self.progress_message, pn.pane.Bokeh(fig, sizing_mode="stretch_width"),
                self._player, self._failures]

    # ------------------------------------------------------------ progress
    def refresh(self) -> None:
        """Pull the node (in a worker thread when served); remember where to draw its progress."""
        self._doc = served_document()
        super().refresh()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        """The node's ``progress`` callback, from the thread that builds it: draw on the event loop."""
        doc = self._doc
        with self._report_lock:
            self._report = (done, total, message)
            if doc is None:
                due = time.monotonic() - self._report_drawn >= NOTEBOOK_PROGRESS_SECONDS
            else:     # one draw scheduled at a time; it takes the newest report
                due, self._report_pending = not self._report_pending, True
        if not due:
            return
        if doc is None:
            self._draw_progress()
            return
        try:
            doc.add_next_tick_callback(self._draw_progress)
        except Exception:  # noqa: BLE001 - the session ended: nobody to show it to
            with self._report_lock:
                self._report_pending = False

    def _draw_progress(self) -> None:
        with self._report_lock:
            report, self._report_pending = self._report, False
            self._report_drawn = time.monotonic()
        if report is None or hold_until_loaded((self, "progress"), self._draw_progress):
            return            # the build ended meanwhile, or the browser is loading the page
        done, total, message = report
        with pn.io.hold():
            self._set_loading(False)              # the bar says more than the spinner
            self.progress_bar.max = max(total, 1)   # first: it bounds the value
            self.progress_bar.param.update(value=min(max(done, 0), self.progress_bar.max), visible=True)
            self.progress_message.param.update(object=f"{html.escape(message)} ({done}/{total})", visible=True)
        pn.io.push_notebook(self._layout)

    def _show_loading(self, pulling: int) -> None:
        if not self.progress_bar.visible:
            super()._show_loading(pulling)

    def _apply(self, output, error) -> None:
        if hold_until_loaded(self, lambda: self._apply(output, error)):
            return            # hidden with the rest of the update, once the browser is ready
        with self._report_lock:
            self._report = None
        self.progress_bar.visible = self.progress_message.visible = False
        super()._apply(output, error)

    def _draw(self, out):
        counts = out.counts()
        labels = list(counts)
        if list(self._counts_fig.x_range.factors) != labels:
            self._counts_fig.x_range.factors = labels
        self._counts.data = {"label": labels, "count": list(counts.values()),
                             "colour": class_colours(len(labels))}
        i = self.example % len(out.clips)
        label = f"{out.names[i]} — class {out.classes[out.y[i]]}, group {out.groups[i]}"
        if self._player.signal is None or self._player.signal.label != label:
            self._player.update(Signal(y=out.clips[i], sr=out.sr, label=label))
        self._player._label.object = f"<b>Example {i}: {html.escape(label)}</b>"
        if out.failures:
            shown = "; ".join(f"{html.escape(name)}: {html.escape(message)}" for name, message in out.failures[:5])
            more = f" (and {len(out.failures) - 5} more)" if len(out.failures) > 5 else ""
            self._failures.object = f"<p>{len(out.failures)} left out — {shown}{more}</p>"
        else:
            self._failures.object = ""
