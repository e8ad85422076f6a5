"""View of the DFT/FFT timing race: seconds against N on log–log axes, with guide lines."""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import Legend

from .base import NodeView
from .figures import PALETTE

__all__ = ["ComplexityView"]


class ComplexityView(NodeView):
    """A :class:`~listenwidgets.nodes.Complexity`: measured run times on this machine.

    Each method is a line of median seconds against N on log–log axes. Two
    dashed guides show the slopes of N² and N log₂ N: on log–log axes a
    power law is a straight line, so the measured curves run parallel to
    their guide. Each guide is scaled through the largest size a method
    reached (where timings are least noisy): c·N² with the largest c of any
    method, c·N log₂ N with the smallest.

    Timing takes seconds, so in a served session the node is pulled in a
    worker thread (the page stays responsive, the view shows a spinner).

    Sources (by role): ``timings`` (``N`` and one column per method) and
    ``guides`` (``N``, ``n2``, ``nlogn``).
    """

    background = True

    def _build(self):
        self._timings = self._source("timings", N=[])
        self._guides = self._source("guides", N=[], n2=[], nlogn=[])
        fig = self._figure(title="Run time against N", x_label="N (samples)",
                           y_label="median time (s)", x_axis_type="log", y_axis_type="log",
                           height=360, tools="pan,wheel_zoom,box_zoom,reset,save")
        fig.add_layout(Legend(click_policy="hide", location="top_left"), "center")
        fig.line("N", "n2", source=self._guides, color="#555", line_dash="dashed",
                 legend_label="∝ N²")
        fig.line("N", "nlogn", source=self._guides, color="#999", line_dash="dotted",
                 line_width=2, legend_label="∝ N log₂ N")
        self._fig = fig
        self._methods = []
        return [pn.pane.Bokeh(fig, sizing_mode="stretch_width")]

    def _draw(self, timings):
        sizes = np.asarray(timings.sizes, dtype=float)
        seconds = {m: np.asarray(s, dtype=float) for m, s in timings.seconds.items()}
        for method in seconds:
            if method not in self._methods:
                self._add_method(method)
        missing = np.full(sizes.size, np.nan)
        self._timings.data = {"N": sizes, **{m: seconds.get(m, missing) for m in self._methods}}
        lasts = [(sizes[ok][-1], s[ok][-1]) for s in seconds.values()
                 if (ok := np.isfinite(s)).any()]
        if lasts:
            n2 = max(t / n ** 2 for n, t in lasts)
            nlogn = min(t / (n * np.log2(n)) for n, t in lasts)
            self._guides.data = {"N": sizes, "n2": n2 * sizes ** 2,
                                 "nlogn": nlogn * sizes * np.log2(sizes)}

    def _add_method(self, method):
        """Add a line for a method seen for the first time (the figure itself is kept)."""
        colour = PALETTE[len(self._methods) % len(PALETTE)]
        label = method.replace("_", " ")
        self._fig.line("N", method, source=self._timings, color=colour, line_width=2,
                       legend_label=label)
        self._fig.scatter("N", method, source=self._timings, color=colour, size=6,
                          legend_label=label)
        self._methods.append(method)
