"""One selected frame shared by the tonal views: a time slider, a click on an image, a cursor.

The chapter 7 views show the whole clip (a CQT, a chromagram) and one moment
of it (the helix, the tonal centroid, a chroma vector). The moment is a
:class:`FrameSelection`, a small Parameterized shared by the views of a page:
moving its ``time`` (a slider, or a click on an image) redraws only what shows
that frame, from the output each view last drew. No node is pulled, so nothing
is recomputed.
"""

from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.events import Tap

from .base import NodeView
from .controls import knob_controls

__all__ = ["FrameSelection", "FrameView", "frame_index"]

#: The shortest slider range in seconds (a slider needs start < end).
MIN_SPAN = 0.01


class FrameSelection(param.Parameterized):
    """The time (and so the analysis frame) the tonal views show.

    Its range follows the analysed clip: the views call :meth:`fit` with the
    time of their last frame each time they draw.
    """

    time = param.Number(default=0.0, bounds=(0.0, None), softbounds=(0.0, 1.0), step=0.01,
                        label="frame time (s)", doc=(
        "The time shown by the helix, the tonal centroid and the chroma vector, in seconds. "
        "Click a CQT or chroma image to move it there. Moving it recomputes nothing."))

    def fit(self, end: float) -> None:
        """Let ``time`` range over ``[0, end]`` seconds, moving it inside if it was beyond."""
        end = max(float(end), MIN_SPAN)
        if self.param["time"].bounds == (0.0, end):
            return
        if self.time > end:
            self.time = end
        self.param["time"].softbounds = (0.0, end)
        self.param["time"].bounds = (0.0, end)      # the slider follows a change of bounds

    def controls(self, *, width: int = 520):
        """A new slider for ``time`` with its doc as a tooltip.

        Returns
        -------
        param_pane : panel.Param
            Links the slider to the selection (keep a reference).
        layout : panel.Column
            The slider.
        """
        return knob_controls(self, knobs=["time"], name_labels=False, width=width)


def frame_index(times: np.ndarray, time: float) -> int:
    """The index of the frame nearest ``time`` (``times`` in seconds, non-empty)."""
    return int(np.argmin(np.abs(np.asarray(times) - time)))


class FrameView(NodeView):
    """A :class:`~listenwidgets.views.base.NodeView` that also shows one selected frame.

    Subclasses implement :meth:`_draw_output` (everything that depends on the
    whole output) and :meth:`_show_frame` (what depends on the selected
    frame); the latter also runs alone whenever ``selection.time`` moves.
    :meth:`_clickable` makes a figure's clicks select a time.

    When served, the node is pulled in a worker thread (with a spinner) only
    when the pull may be slow (:attr:`background`): a CQT of long audio takes
    a while, but a chroma knob only recomputes the chroma, which is drawn at
    once.

    Parameters
    ----------
    node : listenwidgets.nodes.Node
        A node whose output has ``times``.
    selection : FrameSelection, optional
        The shared selection (default: a new one for this view).
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.
    """

    #: A stale node whose last computation took longer than this (seconds) makes a pull slow.
    slow_compute = 0.05

    def __init__(self, node, *, selection: FrameSelection | None = None, **kwargs):
        self.selection = selection if selection is not None else FrameSelection()
        self._drawn = None
        super().__init__(node, **kwargs)
        self.selection.param.watch(self._on_time, "time")

    @property
    def background(self) -> bool:
        """True when the next pull may be slow: a stale node on the way never ran or ran slowly."""
        return any(node.stale and (node.compute_count == 0
                                   or node.last_compute_seconds > self.slow_compute)
                   for node in (self.node, *self.node.ancestors()))

    def _draw_output(self, output) -> None:
        """Replace the sources' data that depend on the whole output."""
        raise NotImplementedError

    def _show_frame(self, output, index: int) -> None:
        """Replace the sources' data that show frame ``index`` of ``output``."""
        raise NotImplementedError

    def _draw(self, output):
        self._drawn = output
        self._draw_output(output)
        self.selection.fit(output.times[-1] if output.times.size else 0.0)
        self._frame(output)

    def _frame(self, output):
        if output.times.size:
            self._show_frame(output, frame_index(output.times, self.selection.time))

    def _on_time(self, event):
        if self._drawn is not None:
            with pn.io.hold():
                self._frame(self._drawn)
            pn.io.push_notebook(self._layout)

    def _clickable(self, fig):
        """Clicking ``fig`` selects the time under the pointer (within the clip)."""
        def select(event):
            low, high = self.selection.param["time"].bounds
            self.selection.time = float(np.clip(event.x, low, high))

        fig.on_event(Tap, select)
