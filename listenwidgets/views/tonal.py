"""Views of the constant-Q transform and the chromagram: images on note and pitch-class axes."""

from __future__ import annotations

import re

import numpy as np
import panel as pn
import param
from bokeh.models import ColorBar, FixedTicker, HoverTool, LinearColorMapper, Range1d, Span
from bokeh.palettes import Magma256, Viridis256

from ..dsp.display import decimate_image, magnitude_db
from ..nodes.tonal import PITCH_CLASSES
from .controls import power_of_two_options
from .figures import PALETTE
from .tonal_frames import FrameView

__all__ = ["CQTView", "ChromaView", "note_ticks"]

#: The resolutions offered for ``bins_per_octave`` (multiples of 12 keep chroma exact).
BINS_PER_OCTAVE = (12, 24, 36, 48)

_OCTAVE_C = re.compile(r"C-?\d+$")


def note_ticks(notes) -> tuple[list[int], list[int], dict]:
    """Axis ticks for bins named by notes: a labelled major tick at each C, a minor tick per note.

    Parameters
    ----------
    notes : list of str
        The note name of each bin (``"C1"``, ``"C♯1"``, ...).

    Returns
    -------
    major : list of int
        The first bin named ``C<octave>`` in each octave.
    minor : list of int
        The first bin of every note.
    labels : dict of int to str
        The label of each major tick.
    """
    firsts = [k for k, name in enumerate(notes) if k == 0 or name != notes[k - 1]]
    major = [k for k in firsts if _OCTAVE_C.match(notes[k])]
    return major, firsts, {k: notes[k] for k in major}


class _TimeImage:
    """An image figure with a time axis, a colour bar and the selected frame as a cursor."""

    def __init__(self, view, *, role, title, y_label, mapper, colour_title, row_name):
        self.source = view._source(role, image=[], x=[], y=[], dw=[], dh=[])
        self.figure = view._figure(title=title, x_label="time (s)", y_label=y_label,
                                   height=view.n_rows + 60, x_range=Range1d(0, 1),
                                   y_range=Range1d(0, 1),
                                   tools="xpan,xwheel_zoom,box_zoom,reset,save")
        renderer = self.figure.image(image="image", x="x", y="y", dw="dw", dh="dh",
                                     source=self.source, color_mapper=mapper)
        self.figure.add_layout(ColorBar(color_mapper=mapper, title=colour_title, width=12), "right")
        self.figure.add_tools(HoverTool(renderers=[renderer], tooltips=[
            ("time", "$x{0.00} s"), (row_name, "$y{0}"), (colour_title, "@image{0.00}")]))
        self.cursor = Span(location=0.0, dimension="height", line_color="#00e5ff", line_width=2,
                           line_dash="dashed")
        self.figure.add_layout(self.cursor)
        self._extent = None
        view._clickable(self.figure)

    def show(self, image, *, times, hop_seconds, n_rows):
        """Draw ``image`` (rows × pixel columns) over the frames at ``times``, rows 0 … n_rows − 1."""
        x0 = times[0] - hop_seconds / 2 if times.size else 0.0
        x1 = x0 + times.size * hop_seconds
        self.source.data = {"image": [image], "x": [x0], "y": [-0.5], "dw": [x1 - x0],
                            "dh": [float(n_rows)]}
        if self._extent != (x0, x1, n_rows):
            self._extent = (x0, x1, n_rows)
            self.figure.x_range.update(start=x0, end=x1)
            self.figure.y_range.update(start=-0.5, end=n_rows - 0.5)

    def label_rows(self, major, labels, minor=()):
        """Put ticks (and their labels) on the row axis."""
        self.figure.yaxis.ticker = FixedTicker(ticks=list(major), minor_ticks=list(minor))
        self.figure.yaxis.major_label_overrides = dict(labels)


class CQTView(FrameView):
    """A :class:`~listenwidgets.nodes.CQT`: ``|X_cq(k, m)|`` in dB on a note axis.

    Rows are the constant-Q bins, equally spaced in log-frequency, so every
    octave is the same height; each C is a labelled tick (C1, C2, …) and every
    note a minor tick. Only what the screen shows is sent: frames are
    max-pooled to at most ``n_columns`` (and bins to ``n_rows``), float32, in
    dB relative to the peak. ``db_range`` only moves the colour map. A click on
    the image selects the frame that the other tonal views show (a dashed
    cursor).

    ``bins_per_octave`` is offered as buttons (12, 24, 36, 48) that also scale
    ``n_bins`` so that the same octaves stay in view; both change in one
    update, so the CQT is computed once.

    Sources (by role): ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``).

    Parameters
    ----------
    node : listenwidgets.nodes.CQT
        The CQT to show.
    selection : FrameSelection, optional
        The selected frame, shared with other views.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`; ``db_range``.
    """

    db_range = param.Range(default=(-80.0, 0.0), bounds=(-140.0, 0.0), label="colour range (dB)",
                           doc=("Colour range in dB relative to the peak: values below the lower "
                                "end are black."))

    display_knobs = ("db_range",)

    knob_widgets = {"hop_length": {"type": pn.widgets.DiscreteSlider,
                                   "options": power_of_two_options(128, 2048)},
                    "n_bins": {"end": 7 * max(BINS_PER_OCTAVE)}}

    def __init__(self, node, **kwargs):
        kwargs.setdefault("knobs", ["fmin", "n_bins", "hop_length", "tuning", "filter_scale"])
        super().__init__(node, **kwargs)

    def _build(self):
        self._mapper = LinearColorMapper(palette=Magma256, low=self.db_range[0],
                                         high=self.db_range[1])
        self._image = _TimeImage(self, role="image", title="Constant-Q transform",
                                 y_label="note (bin k)", mapper=self._mapper, colour_title="dB",
                                 row_name="bin k")
        self._ticks = None
        self.param.watch(self._on_colour, "db_range")
        options = sorted({*BINS_PER_OCTAVE, self.node.bins_per_octave})
        self._resolution = pn.widgets.RadioButtonGroup(
            options={str(b): b for b in options}, value=self.node.bins_per_octave,
            color="primary", variant="outline")
        self._resolution.param.watch(self._on_resolution, "value")
        self.node.param.watch(self._on_node_resolution, "bins_per_octave")
        doc = (f"{self.node.param['bins_per_octave'].doc} Changing it scales n_bins so that the "
               f"same octaves stay in view.")
        row = pn.Row(pn.pane.HTML("<b>bins_per_octave</b>", margin=(12, 10)), self._resolution,
                     pn.widgets.TooltipIcon(value=doc, margin=(15, 0, 0, 0)))
        return [row, pn.pane.Bokeh(self._image.figure, sizing_mode="stretch_width")]

    def _draw_output(self, cq):
        image, _, _ = decimate_image(np.abs(cq.C), max_rows=self.n_rows, max_cols=self.n_columns)
        n_bins = cq.C.shape[0]
        self._image.show(magnitude_db(image), times=cq.times, hop_seconds=cq.hop_length / cq.sr,
                         n_rows=n_bins)
        ticks = note_ticks(cq.notes)
        if ticks != self._ticks:
            self._ticks = ticks
            major, minor, labels = ticks
            self._image.label_rows(major, labels, minor=minor)
        self._image.figure.title.text = (
            f"|X_cq(k, m)| in dB re peak: {n_bins} bins ({cq.notes[0]}–{cq.notes[-1]}, "
            f"B = {cq.bins_per_octave} per octave) × {cq.C.shape[1]} frames")

    def _show_frame(self, cq, index):
        self._image.cursor.location = float(cq.times[index])

    def _on_colour(self, event):
        self._mapper.update(low=event.new[0], high=event.new[1])
        pn.io.push_notebook(self._layout)

    def _on_resolution(self, event):
        node = self.node
        if event.new != node.bins_per_octave:
            n_bins = max(1, round(node.n_bins * event.new / node.bins_per_octave))
            node.param.update(bins_per_octave=event.new,
                              n_bins=min(n_bins, node.param["n_bins"].bounds[1]))

    def _on_node_resolution(self, event):
        if event.new not in self._resolution.options.values():
            options = sorted({*self._resolution.options.values(), event.new})
            self._resolution.options = {str(b): b for b in options}
        self._resolution.value = event.new


class ChromaView(FrameView):
    """A :class:`~listenwidgets.nodes.Chroma`: the chromagram, and the chroma vector of one frame.

    The image has one row per pitch class (C at the bottom), frames max-pooled
    to at most ``n_columns``. Beside it, the selected frame's chroma vector as
    bars on the same rows. When the view is given the page's CQT and STFT
    nodes (``inputs``), a switch chooses where the chroma comes from by
    rewiring the Chroma node's ``spectrum`` input (``chroma_cqt``: octaves of
    the CQT folded, ``Chroma(b) = Σ_m |X_cq(b + mB)|``; ``chroma_stft``: a
    chroma filterbank on the power spectrum).

    Sources (by role): ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``) and
    ``frame`` (``row``, ``value``, ``pitch``).

    Parameters
    ----------
    node : listenwidgets.nodes.Chroma
        The chroma node.
    inputs : dict of str to Node, optional
        The nodes the method switch may wire to ``node.spectrum``, by label
        (e.g. ``{"cqt": cqt, "stft": stft}``). Without it there is no switch.
    selection : FrameSelection, optional
        The selected frame, shared with other views.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.
    """

    method = param.Selector(default=None, objects=[], label="chroma from", doc=(
        "Where the chroma comes from: the CQT (chroma_cqt: every octave of the constant-Q "
        "transform folded onto 12 pitch classes) or the STFT (chroma_stft: a chroma filterbank "
        "on the power spectrum). Switching rewires the Chroma node's input."))

    def __init__(self, node, *, inputs=None, **kwargs):
        self._inputs = dict(inputs or {})
        super().__init__(node, **kwargs)
        if self._inputs:
            self.param.watch(self._on_method, "method")
            node.param.watch(self._on_rewired, "spectrum")

    def _build(self):
        self._mapper = LinearColorMapper(palette=Viridis256, low=0.0, high=1.0)
        self._image = _TimeImage(self, role="image", title="Chromagram", y_label="pitch class",
                                 mapper=self._mapper, colour_title="chroma", row_name="row")
        self._bars = self._source("frame", row=[], value=[], pitch=[])
        bars = self._figure(title="One frame", x_label="chroma", y_label="",
                            height=self.n_rows + 60, y_range=self._image.figure.y_range,
                            x_range=Range1d(0, 1.05), tools="save")
        bars.sizing_mode, bars.width, bars.min_width = "fixed", 230, 230
        bars.hbar(y="row", right="value", height=0.8, source=self._bars, color=PALETTE[4])
        bars.add_tools(HoverTool(tooltips=[("pitch class", "@pitch"), ("chroma", "@value{0.000}")]))
        self._bar_figure = bars
        self._labels = None
        body = [pn.Row(pn.pane.Bokeh(self._image.figure, sizing_mode="stretch_width"),
                       pn.pane.Bokeh(bars), sizing_mode="stretch_width")]
        if self._inputs:
            self.param["method"].objects = list(self._inputs)
            self.method = self._method_of(self.node.spectrum)
            self._method_pane, method = _method_control(self)
            body.insert(0, method)
        return body

    def _draw_output(self, chroma):
        values = chroma.chroma
        image, _, _ = decimate_image(values, max_rows=values.shape[0], max_cols=self.n_columns)
        self._image.show(image, times=chroma.times, hop_seconds=chroma.hop_length / chroma.sr,
                         n_rows=values.shape[0])
        top = float(values.max()) if values.size and values.max() > 0 else 1.0
        self._mapper.high = top
        self._bar_figure.x_range.end = 1.05 * top
        labels = _pitch_class_ticks(chroma.pitch_classes)
        if labels != self._labels:
            self._labels = labels
            self._image.label_rows(list(labels), labels)
            self._bar_figure.yaxis.ticker = FixedTicker(ticks=list(labels))
            self._bar_figure.yaxis.major_label_overrides = labels
        source = {"cqt": "the CQT", "stft": "the STFT"}[chroma.method]
        cens = " (CENS)" if chroma.method == "cqt" and self.node.cens else ""
        self._image.figure.title.text = (f"Chroma from {source}{cens}: {values.shape[0]} pitch "
                                         f"classes × {values.shape[1]} frames")

    def _show_frame(self, chroma, index):
        column = chroma.chroma[:, index]
        self._bars.data = {"row": np.arange(column.size), "value": column,
                           "pitch": list(chroma.pitch_classes)}
        self._image.cursor.location = float(chroma.times[index])
        strongest = chroma.pitch_classes[int(np.argmax(column))] if column.any() else "–"
        self._bar_figure.title.text = f"t = {chroma.times[index]:.2f} s: {strongest}"

    def _method_of(self, spectrum):
        return next((key for key, node in self._inputs.items() if node is spectrum), None)

    def _on_method(self, event):
        if event.new is not None and self.node.spectrum is not self._inputs[event.new]:
            self.node.spectrum = self._inputs[event.new]

    def _on_rewired(self, event):
        method = self._method_of(event.new)
        if method is not None:
            self.method = method


def _method_control(view):
    """The CQT/STFT switch of a ChromaView, with its doc as a tooltip."""
    pane = pn.Param(view, parameters=["method"], show_name=False, widgets={"method": {
        "type": pn.widgets.RadioButtonGroup, "color": "primary", "variant": "outline",
        "description": None}})
    row = pn.Row(pn.pane.HTML("<b>chroma from</b>", margin=(12, 10)), *pane.layout,
                 pn.widgets.TooltipIcon(value=view.param["method"].doc, margin=(15, 0, 0, 0)))
    return pane, row


def _pitch_class_ticks(names) -> dict:
    """Row ticks of a chromagram: every pitch class C … B once, at its first row."""
    n = len(names)
    if n % 12 == 0:
        step = n // 12
        return {i * step: PITCH_CLASSES[i] for i in range(12)}
    step = max(1, round(n / 12))
    return {i: names[i] for i in range(0, n, step)}
