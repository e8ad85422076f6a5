"""View of the Brown–Puckette spectral kernel of a CQT: the sparse matrix and the window lengths."""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import BasicTicker, ColorBar, FixedTicker, HoverTool, LinearColorMapper, Range1d
from bokeh.palettes import Viridis256

from .. import dsp
from ..dsp.display import decimate_image, log_frequency_starts, magnitude_db
from .base import NodeView
from .figures import PALETTE
from .tonal import note_ticks

__all__ = ["SpectralKernelView"]


class SpectralKernelView(NodeView):
    """A :class:`~listenwidgets.nodes.tonal.SpectralKernel`: ``|K(k, j)|`` and ``N(k)``.

    The image has one row per constant-Q bin ``k`` (notes on the axis) and one
    column per FFT bin ``j`` (its frequency ``j·fs/n_fft``), in dB relative to
    the largest entry; white is zero (dropped by the sparsification) or below
    the colour range. On a linear frequency axis each row is a bump whose
    width grows with frequency (constant Q = f_k / Δf_k); with
    ``frequency_scale="log"`` every row has the same width. The columns are
    max-pooled to about the plot's width, so no entry disappears. Below, the
    window length of each bin, ``N(k) = fs·Q/f_k``, on a log axis, with the
    FFT length ``n_fft`` dashed: the lowest bin sets it.

    Sources (by role): ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``),
    ``lengths`` (``k``, ``N``, ``ms``, ``note``) and ``n_fft`` (``k``, ``N``).

    Parameters
    ----------
    node : listenwidgets.nodes.tonal.SpectralKernel
        The kernel.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`; ``frequency_scale``.
    """

    frequency_scale = param.Selector(default="linear", objects=["linear", "log"],
                                     label="frequency axis", doc=(
        "FFT-bin axis: linear in Hz (the kernel as stored: bandwidths grow with frequency) or "
        "logarithmic (every row the same width: constant Q)."))

    display_knobs = ("frequency_scale",)
    redraw_knobs = ("frequency_scale",)

    #: Building a fine kernel (48 bins per octave) takes a second: pull it in a worker thread.
    background = True

    #: The colour range in dB relative to the largest entry.
    db_floor = -60.0

    def _build(self):
        self._image = self._source("image", image=[], x=[], y=[], dw=[], dh=[])
        self._lengths = self._source("lengths", k=[], N=[], ms=[], note=[])
        self._n_fft = self._source("n_fft", k=[], N=[])
        mapper = LinearColorMapper(palette=Viridis256, low=self.db_floor, high=0.0,
                                   low_color="white")
        kernel = self._figure(title="Spectral kernel |K(k, j)|", x_label="FFT bin frequency (Hz)",
                              y_label="constant-Q bin k (note)", height=self.n_rows + 60,
                              x_range=Range1d(0, 1), y_range=Range1d(0, 1),
                              tools="xpan,xwheel_zoom,box_zoom,reset,save")
        kernel.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self._image,
                     color_mapper=mapper)
        kernel.add_layout(ColorBar(color_mapper=mapper, title="dB", width=12), "right")
        lengths = self._figure(title="Window length N(k) = fs·Q / f_k",
                               x_label="constant-Q bin k (note)", y_label="N(k) (samples)",
                               y_axis_type="log", height=220, tools="save")
        lengths.line("k", "N", source=self._lengths, color=PALETTE[0])
        points = lengths.scatter("k", "N", source=self._lengths, size=4, color=PALETTE[0])
        lengths.add_tools(HoverTool(renderers=[points], tooltips=[
            ("bin", "@k (@note)"), ("N(k)", "@N{0} samples (@ms{0.0} ms)")]))
        lengths.line("k", "N", source=self._n_fft, color=PALETTE[3], line_dash="dashed",
                     line_width=2)
        self._kernel_figure, self._lengths_figure = kernel, lengths
        self._drawn_axes = None
        return [pn.pane.Bokeh(kernel, sizing_mode="stretch_width"),
                pn.pane.Bokeh(lengths, sizing_mode="stretch_width")]

    def _draw(self, kernel):
        n_bins, n_columns = kernel.basis.shape
        magnitude = abs(kernel.basis).astype(np.float32).toarray()
        frequencies = np.arange(n_columns) * kernel.sr / kernel.n_fft
        if self.frequency_scale == "log":
            starts, edges = log_frequency_starts(frequencies, n_rows=self.n_columns,
                                                 fmin=frequencies[1])
            image = decimate_image(magnitude.T, max_rows=self.n_columns, max_cols=n_bins,
                                   row_starts=starts)[0].T
            x0, x1 = math.log2(edges[0]), math.log2(edges[-1])
        else:
            image = decimate_image(magnitude, max_rows=n_bins, max_cols=self.n_columns)[0]
            df = kernel.sr / kernel.n_fft
            x0, x1 = -df / 2, frequencies[-1] + df / 2
        self._image.data = {"image": [magnitude_db(image)], "x": [x0], "y": [-0.5],
                            "dw": [x1 - x0], "dh": [float(n_bins)]}
        notes = dsp.hz_to_note(kernel.frequencies).tolist()
        self._set_axes(notes, (x0, x1, n_bins), edges if self.frequency_scale == "log" else None)
        self._lengths.data = {"k": np.arange(n_bins), "N": kernel.lengths,
                              "ms": 1000.0 * kernel.lengths / kernel.sr, "note": notes}
        self._n_fft.data = {"k": [0, n_bins - 1], "N": [kernel.n_fft, kernel.n_fft]}
        self._kernel_figure.title.text = (
            f"Spectral kernel |K(k, j)|: {n_bins} constant-Q bins × {n_columns} FFT bins "
            f"(n_fft = {kernel.n_fft}), {100 * kernel.density:.1f} % non-zero; white = 0")
        self._lengths_figure.title.text = (
            f"Window length N(k) = fs·Q / f_k, Q = {kernel.Q:.2f}: {kernel.lengths[0]:.0f} samples "
            f"at {notes[0]} … {kernel.lengths[-1]:.0f} at {notes[-1]}; n_fft = {kernel.n_fft} dashed")

    def _set_axes(self, notes, extent, edges):
        """Update ranges and ticks when the shape, the notes or the frequency scale change."""
        key = (tuple(notes), extent, self.frequency_scale)
        if key == self._drawn_axes:
            return
        self._drawn_axes = key
        x0, x1, n_bins = extent
        self._kernel_figure.x_range.update(start=x0, end=x1)
        self._kernel_figure.y_range.update(start=-0.5, end=n_bins - 0.5)
        major, minor, labels = note_ticks(notes)
        for axis in (self._kernel_figure.yaxis, self._lengths_figure.xaxis):
            axis.ticker = FixedTicker(ticks=major, minor_ticks=minor)
            axis.major_label_overrides = labels
        xaxis = self._kernel_figure.xaxis
        if edges is None:
            xaxis.ticker, xaxis.major_label_overrides = BasicTicker(), {}
            return
        octaves = [f for f in 31.25 * 2.0 ** np.arange(12) if edges[0] <= f <= edges[-1]]
        xaxis.ticker = FixedTicker(ticks=[math.log2(f) for f in octaves])
        xaxis.major_label_overrides = {math.log2(f): (f"{f / 1000:g}k" if f >= 1000 else f"{f:g}")
                                       for f in octaves}
