"""View of a Dataset: how many examples of each class, what was left out, and any example to hear."""

from __future__ import annotations

import html

import panel as pn
import param
from bokeh.models import FactorRange

from ..nodes import Signal
from .base import NodeView
from .player import Player
from .trainer_plots import class_colours

__all__ = ["DatasetView"]


class DatasetView(NodeView):
    """A :class:`~listenwidgets.nodes.Dataset`: examples per class, failures, and a player.

    The node is pulled in a worker thread when served (a folder or a large
    corpus takes a while). ``example`` picks the clip to hear (its name and
    class are shown above the player).

    Sources (by role): ``counts`` (``label``, ``count``, ``colour``).
    """

    example = param.Integer(default=0, bounds=(0, None), softbounds=(0, 100), label="example to hear",
                            doc="The index of the example played below (wraps around).")

    display_knobs = ("example",)
    redraw_knobs = ("example",)
    background = True

    def _build(self):
        self._counts = self._source("counts", label=[], count=[], colour=[])
        fig = self._figure(title="Examples per class", x_label="class", y_label="examples", height=220,
                           tools="save", x_range=FactorRange())
        fig.vbar(x="label", top="count", width=0.8, source=self._counts, fill_color="colour", line_color=None)
        self._counts_fig = fig
        self._player = Player("An example")
        self._failures = pn.pane.HTML("", sizing_mode="stretch_width", styles={"color": "#8a6d3b"})
        return [pn.pane.Bokeh(fig, sizing_mode="stretch_width"), self._player, self._failures]

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
