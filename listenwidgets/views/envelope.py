"""View of chapter 5: the three spectral envelopes of a clicked frame over its spectrum."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColorBar, Legend, LegendItem, LinearColorMapper, Range1d, Span
from bokeh.palettes import Magma256

from ..dsp.display import decimate_image, envelope_polyline, magnitude_db, minmax_envelope
from .base import NodeView
from .controls import power_of_two_options
from .figures import PALETTE

__all__ = ["EnvelopeView"]

#: The envelope methods of :class:`~listenwidgets.nodes.Envelope`, with their colours.
METHODS = {"lpc": PALETTE[3], "cepstrum": PALETTE[4], "vocoder": PALETTE[5]}


class EnvelopeView(NodeView):
    """An :class:`~listenwidgets.nodes.Envelope`: one frame's spectrum and its three envelopes.

    A small spectrogram of the node's frames is the frame picker: click it
    (or move the ``time`` slider) and the frame at that time is shown below,
    its magnitude ``|X(k)|`` (grey) with the LPC, cepstral and channel-vocoder
    envelopes over it, all in dB relative to the highest of the four curves.
    The envelopes of every frame are already in the node's output, so moving
    the frame only indexes it: the node is not recomputed. The order, lifter
    and band sliders are the node's knobs; each recomputes all frames.

    Sources (by role): ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``),
    ``spectrum`` (``f``, ``db``) and one per method, ``lpc``, ``cepstrum``
    and ``vocoder`` (``f``, ``db``); frequencies in Hz.

    Parameters
    ----------
    node : listenwidgets.nodes.Envelope
        The envelopes to show.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`; ``time``, ``show_lpc``,
        ``show_cepstrum`` and ``show_vocoder``.
    """

    time = param.Number(default=1.0, bounds=(0.0, 10.0), step=0.01, label="frame time (s)", doc=(
        "The time of the frame shown, in seconds (or click the spectrogram). Only picks a frame "
        "of the computed output: nothing is recomputed."))

    show_lpc = param.Boolean(default=True, label="show the LPC envelope",
                             doc="Draw the linear-prediction envelope G / |A(e^jω)|.")

    show_cepstrum = param.Boolean(default=True, label="show the cepstral envelope",
                                  doc="Draw the envelope of the low-pass liftered cepstrum.")

    show_vocoder = param.Boolean(default=True, label="show the vocoder envelope",
                                 doc="Draw the channel vocoder's band RMS, interpolated to the bins.")

    display_knobs = ("time", "show_lpc", "show_cepstrum", "show_vocoder")
    redraw_knobs = ("time",)

    knob_widgets = {
        "n_fft": {"type": pn.widgets.DiscreteSlider, "options": power_of_two_options(256, 4096)},
        "hop_length": {"type": pn.widgets.DiscreteSlider,
                       "options": power_of_two_options(64, 1024)},
    }

    def _build(self):
        self._image = self._source("image", image=[], x=[], y=[], dw=[], dh=[])
        self._mapper = LinearColorMapper(palette=Magma256, low=-80.0, high=0.0)
        picker = self._figure(title="Click a frame", x_label="time (s)", y_label="frequency (Hz)",
                              height=200, x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                              tools="xpan,xwheel_zoom,reset,save",
                              name=f"{self.node.name}.picker")
        picker.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self._image,
                     color_mapper=self._mapper)
        picker.add_layout(ColorBar(color_mapper=self._mapper, title="dB", width=12), "right")
        self._cursor = Span(location=self.time, dimension="height", line_color="#00e5ff",
                            line_width=2)
        picker.add_layout(self._cursor)
        picker.on_event(Tap, self._on_tap)
        self._picker = picker
        self._drawn = None

        self._spectrum = self._source("spectrum", f=[], db=[])
        frame = self._figure(title="Frame", x_label="frequency (Hz)",
                             y_label="dB re the highest curve", height=320,
                             y_range=Range1d(-90, 5), x_range=Range1d(0, 1))
        items = [LegendItem(label="|X(k)| of the frame", renderers=[
            frame.line("f", "db", source=self._spectrum, color=PALETTE[2], line_width=1)])]
        self._lines = {}
        for method, colour in METHODS.items():
            line = frame.line("f", "db", source=self._source(method, f=[], db=[]), color=colour,
                              line_width=3, alpha=0.9)
            self._lines[method] = line
            items.append(LegendItem(label=method, renderers=[line]))
        self._legend = Legend(items=items, location="top_right")
        frame.add_layout(self._legend)
        self._frame = frame
        for method, line in self._lines.items():
            line.visible = getattr(self, f"show_{method}")
        self.param.watch(self._on_shown, [f"show_{m}" for m in METHODS])
        return [pn.pane.Bokeh(picker, sizing_mode="stretch_width"),
                pn.pane.Bokeh(frame, sizing_mode="stretch_width")]

    def _draw(self, out):
        if out is not self._drawn:
            self._draw_picker(out)
        index = out.frame_at(self.time)
        curves = np.vstack([out.magnitude[:, index]]
                           + [out.envelopes[m][:, index] for m in METHODS])
        db = magnitude_db(curves)
        for source, row in zip([self._spectrum, *(self.sources[m] for m in METHODS)], db):
            bins, y = envelope_polyline(*minmax_envelope(row, n_columns=self.n_columns))
            source.data = {"f": out.frequencies[bins].astype(np.float32), "db": y}
        self._cursor.location = out.times[index]
        self._frame.title.text = (f"Frame {index} at t = {out.times[index]:.3f} s "
                                  f"({out.n_fft} samples, {out.window} window) and its envelopes")
        labels = {"lpc": f"LPC, order p = {self.node.order}",
                  "cepstrum": f"cepstrum, lifter N1 = {self.node.n_lifter}",
                  "vocoder": f"vocoder, {self.node.n_bands} {self.node.scale} bands"}
        for item, method in zip(self._legend.items[1:], METHODS):
            item.label = {"value": labels[method]}

    def _draw_picker(self, out):
        """Draw the spectrogram of the frames (once per output) and fit the axes and the slider."""
        self._drawn = out
        image, _, _ = decimate_image(out.magnitude, max_rows=self.n_rows // 2,
                                     max_cols=self.n_columns)
        hop_s = out.hop_length / out.sr
        width = out.magnitude.shape[-1] * hop_s
        self._image.data = {"image": [magnitude_db(image)], "x": [-hop_s / 2], "y": [0.0],
                            "dw": [width], "dh": [out.sr / 2]}
        self._picker.x_range.update(start=-hop_s / 2, end=width - hop_s / 2)
        self._picker.y_range.update(start=0.0, end=out.sr / 2)
        self._frame.x_range.update(start=0.0, end=out.sr / 2)
        duration = math.floor(100 * out.length / out.sr) / 100
        if self.param["time"].bounds != (0.0, duration):
            self.param["time"].bounds = (0.0, duration)

    def _on_tap(self, event):
        if event.x is not None:
            self.time = round(min(max(float(event.x), 0.0), self.param["time"].bounds[1]), 3)

    def _on_shown(self, *events):
        for event in events:
            self._lines[event.name.removeprefix("show_")].visible = event.new
        pn.io.push_notebook(self._layout)
