"""View of an STFT: the spectrogram image (dB, decimated to the plot)."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import BasicTicker, ColorBar, FixedTicker, LinearColorMapper, Range1d, Span
from bokeh.palettes import Magma256

from ..dsp.display import decimate_image, log_frequency_starts, magnitude_db
from .base import NodeView
from .controls import power_of_two_options

__all__ = ["SpectrogramView"]


class SpectrogramView(NodeView):
    """A :class:`~listenwidgets.nodes.STFT`: ``|S(k, m)|`` in dB as an image.

    Only what the screen can show is sent: the magnitude is max-pooled to at
    most ``n_rows × n_columns`` values (about the plot's pixels; a thin
    spectral line survives pooling) and sent as float32, in dB relative to the
    peak. The colour range (``db_range``) only moves the colour map, so
    changing it sends no data. With ``frequency_scale="log"`` the rows are
    pooled into log-spaced bands and drawn on a log2-frequency axis labelled
    in Hz.

    Sources (by role): ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``).

    Parameters
    ----------
    node : listenwidgets.nodes.STFT
        The STFT to show.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`; ``db_range``,
        ``frequency_scale`` and ``cursor``.
    """

    db_range = param.Range(default=(-80.0, 0.0), bounds=(-140.0, 0.0), label="colour range (dB)",
                           doc=(
        "Colour range in dB relative to the peak: values below the lower end are black "
        "(the dynamic range shown, like top_db)."))

    frequency_scale = param.Selector(default="linear", objects=["linear", "log"],
                                     label="frequency axis", doc=(
        "Frequency axis: linear in Hz, or logarithmic (octaves equally spaced)."))

    cursor = param.Number(default=None, allow_None=True, precedence=-1, doc=(
        "A time in seconds marked by a vertical line (e.g. the frame a spectrum view shows)."))

    display_knobs = ("db_range", "frequency_scale")
    redraw_knobs = ("frequency_scale",)

    knob_widgets = {"n_fft": {"type": pn.widgets.DiscreteSlider,
                              "options": power_of_two_options(64, 8192)}}

    def _build(self):
        self._image = self._source("image", image=[], x=[], y=[], dw=[], dh=[])
        self._mapper = LinearColorMapper(palette=Magma256, low=self.db_range[0],
                                         high=self.db_range[1])
        self._fig = self._figure(title="Spectrogram", x_label="time (s)",
                                 y_label="frequency (Hz)", height=self.n_rows + 60,
                                 x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                                 tools="xpan,xwheel_zoom,box_zoom,reset,save")
        self._fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self._image,
                        color_mapper=self._mapper)
        self._fig.add_layout(ColorBar(color_mapper=self._mapper, title="dB", width=12), "right")
        self._cursor = Span(location=0.0, dimension="height", line_color="#00e5ff",
                            line_width=2, line_dash="dashed", visible=False)
        self._fig.add_layout(self._cursor)
        self._extent = None
        self._scale_drawn = None
        self.param.watch(self._on_colour, "db_range")
        self.param.watch(self._on_cursor, "cursor")
        return [pn.pane.Bokeh(self._fig, sizing_mode="stretch_width")]

    def _draw(self, spec):
        freqs = spec.frequencies
        magnitude = np.abs(spec.S)
        hop_s = spec.hop_length / spec.sr
        if self.frequency_scale == "log" and freqs.size > 2:
            starts, edges = log_frequency_starts(freqs, n_rows=self.n_rows, fmin=freqs[1])
            image, _, _ = decimate_image(magnitude, max_rows=self.n_rows,
                                         max_cols=self.n_columns, row_starts=starts)
            y0, y1 = math.log2(edges[0]), math.log2(edges[-1])
            self._set_log_axis(edges[0], edges[-1])
        else:
            image, _, _ = decimate_image(magnitude, max_rows=self.n_rows, max_cols=self.n_columns)
            df = spec.sr / spec.n_fft
            y0, y1 = -df / 2, freqs[-1] + df / 2
            self._set_linear_axis()
        x0 = spec.times[0] - hop_s / 2 if spec.times.size else 0.0
        x1 = x0 + spec.S.shape[-1] * hop_s
        self._image.data = {"image": [magnitude_db(image)], "x": [x0], "y": [y0],
                            "dw": [x1 - x0], "dh": [y1 - y0]}
        if self._extent != (x0, x1, y0, y1):
            self._extent = (x0, x1, y0, y1)
            self._fig.x_range.update(start=x0, end=x1)
            self._fig.y_range.update(start=y0, end=y1)
        self._fig.title.text = (f"|S(k, m)| in dB re peak: {spec.S.shape[-2]} bins × "
                                f"{spec.S.shape[-1]} frames, drawn as {image.shape[0]} × "
                                f"{image.shape[1]} pixels")

    def _set_linear_axis(self):
        if self._scale_drawn != "linear":
            self._scale_drawn = "linear"
            self._fig.yaxis.ticker = BasicTicker()
            self._fig.yaxis.major_label_overrides = {}

    def _set_log_axis(self, fmin, fmax):
        octaves = [f for f in 31.25 * 2.0 ** np.arange(12) if fmin <= f <= fmax]
        ticks = [math.log2(f) for f in octaves]
        if self._scale_drawn != ("log", tuple(ticks)):
            self._scale_drawn = ("log", tuple(ticks))
            self._fig.yaxis.ticker = FixedTicker(ticks=ticks)
            self._fig.yaxis.major_label_overrides = {
                t: (f"{f / 1000:g}k" if f >= 1000 else f"{f:g}") for t, f in zip(ticks, octaves)}

    def _on_colour(self, event):
        self._mapper.update(low=event.new[0], high=event.new[1])
        pn.io.push_notebook(self._layout)

    def _on_cursor(self, event):
        self._cursor.visible = event.new is not None
        if event.new is not None:
            self._cursor.location = event.new
        pn.io.push_notebook(self._layout)
