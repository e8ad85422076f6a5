"""Views of chapter 4: feature curves under the spectrogram they measure, and the novelty curve."""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColorBar, HoverTool, Label, LinearColorMapper, Range1d, Span
from bokeh.palettes import Category10_10, Magma256
from bokeh.transform import factor_cmap

from ..dsp.display import decimate_image, envelope_polyline, magnitude_db, minmax_envelope
from ..nodes.features import FEATURES
from .base import NodeView
from .figures import PALETTE

__all__ = ["FeaturesView", "NoveltyView"]

#: Features that are a frequency on the spectrum, drawn over the spectrogram as well.
ON_SPECTROGRAM = ("centroid", "rolloff", "harmonic_centroid")

#: One colour per feature, the same in its own plot and over the spectrogram.
COLOURS = dict(zip(FEATURES, Category10_10))


def _feature_title(name: str, power: float) -> str:
    """The plot title of one feature: its name and formula with the weighting exponent substituted.

    Parameters
    ----------
    name : str
        A key of :data:`listenwidgets.nodes.features.FEATURES`.
    power : float
        The node's ``power`` (1 = librosa's magnitude weighting, 2 = the lecture's power spectrum).
    """
    weight = "|X(k)|" if power == 1.0 else "|X(k)|²"
    return f"{name}:  {FEATURES[name][1].replace('|X(k)|^p', weight)}"


def _polyline(times, curve, n_columns):
    """``(t, y)`` of a curve, at most two vertices per pixel column (min and max)."""
    index, y = envelope_polyline(*minmax_envelope(curve, n_columns=n_columns))
    return times[index].astype(np.float32), y


class FeaturesView(NodeView):
    """A :class:`~listenwidgets.nodes.SpectralFeatures`: every selected feature as a curve over time.

    On top, the STFT the features measure (the node's input, in dB re its
    peak, decimated to the plot), with the features that are a frequency
    (centroid, roll-off, harmonic centroid) drawn over it. Below, one plot per
    feature, its unit on the y-axis and its formula in the title; all plots
    share the time axis, so zooming one zooms all. A checkbox per feature
    chooses what is computed (the node's ``features``); the ``power`` switch
    chooses librosa's magnitude weighting or the lecture's power-spectrum
    weighting of the centroid and spread.

    Sources (by role): ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``),
    ``overlay`` (``xs``, ``ys``, ``feature``) and one ``curve.<feature>``
    per feature (``xs``, ``ys``, ``band``: one line per band, one band for
    all but ``band_flatness``); times in seconds.

    Parameters
    ----------
    node : listenwidgets.nodes.SpectralFeatures
        The features to show.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.
    """

    knob_widgets = {
        "features": {"type": pn.widgets.CheckBoxGroup},
        "power": {"type": pn.widgets.Select,
                  "options": {"1: librosa, magnitude |X|": 1.0, "2: lecture, power |X|²": 2.0}},
    }

    #: Height in pixels of each feature's plot.
    curve_height = 150

    def _build(self):
        self._image = self._source("image", image=[], x=[], y=[], dw=[], dh=[])
        self._overlay = self._source("overlay", xs=[], ys=[], feature=[])
        self._time = Range1d(0, 1)
        self._mapper = LinearColorMapper(palette=Magma256, low=-80.0, high=0.0)
        spec = self._figure(title="The STFT the features measure (dB re peak)", x_label="time (s)",
                            y_label="frequency (Hz)", height=240, x_range=self._time,
                            y_range=Range1d(0, 1))
        spec.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self._image,
                   color_mapper=self._mapper)
        spec.multi_line("xs", "ys", source=self._overlay, line_width=4, line_color="white",
                        line_alpha=0.7)   # a halo: the curves stay readable on any colour
        colours = factor_cmap("feature", palette=[COLOURS[n] for n in ON_SPECTROGRAM],
                              factors=list(ON_SPECTROGRAM))
        spec.multi_line("xs", "ys", source=self._overlay, line_width=2, line_color=colours,
                        legend_field="feature")
        spec.legend.location = "top_right"
        spec.add_layout(ColorBar(color_mapper=self._mapper, title="dB", width=12), "right")
        self._spec_fig = spec
        self._drawn_stft = None

        self._curves, self._curve_figs = {}, {}
        for name, (unit, _) in FEATURES.items():
            source = self._source(f"curve.{name}", xs=[], ys=[], band=[])
            fig = self._figure(title=name, x_label="time (s)", y_label=unit or "no unit",
                               height=self.curve_height, x_range=self._time,
                               tools="xpan,xwheel_zoom,box_zoom,reset,save")
            fig.multi_line("xs", "ys", source=source, line_color=COLOURS[name], line_width=1.5)
            fig.add_tools(HoverTool(tooltips=[("", "@band")], line_policy="nearest"))
            fig.title.text_font_size = "10pt"
            fig.visible = False
            self._curves[name], self._curve_figs[name] = source, fig
        return [pn.pane.Bokeh(spec, sizing_mode="stretch_width"),
                *(pn.pane.Bokeh(fig, sizing_mode="stretch_width")
                  for fig in self._curve_figs.values())]

    def _draw(self, features):
        stft = self.node.spectrogram.output
        if stft is not None and stft is not self._drawn_stft:
            self._draw_spectrogram(stft)
        times = features.times
        overlay = {"xs": [], "ys": [], "feature": []}
        for name, source in self._curves.items():
            fig = self._curve_figs[name]
            fig.visible = name in features.curves
            if not fig.visible:
                continue
            rows = np.atleast_2d(features.curves[name])
            lines = [_polyline(times, row, self.n_columns) for row in rows]
            bands = [name] if len(rows) == 1 else [f"{name}, band {b + 1}" for b in range(len(rows))]
            source.data = {"xs": [t for t, _ in lines], "ys": [y for _, y in lines], "band": bands}
            fig.title.text = _feature_title(name, self.node.power)
            if name in ON_SPECTROGRAM:
                overlay["xs"].append(lines[0][0])
                overlay["ys"].append(lines[0][1])
                overlay["feature"].append(name)
        self._overlay.data = overlay

    def _draw_spectrogram(self, stft):
        """Draw the input STFT (once per STFT output) and fit the shared time axis to it."""
        self._drawn_stft = stft
        image, _, _ = decimate_image(np.abs(stft.S), max_rows=self.n_rows // 2,
                                     max_cols=self.n_columns)
        hop_s = stft.hop_length / stft.sr
        x0 = stft.times[0] - hop_s / 2 if stft.times.size else 0.0
        width = stft.S.shape[-1] * hop_s
        self._image.data = {"image": [magnitude_db(image)], "x": [x0], "y": [0.0],
                            "dw": [width], "dh": [stft.sr / 2]}
        self._time.update(start=x0, end=x0 + width)
        self._spec_fig.y_range.update(start=0.0, end=stft.sr / 2)


class NoveltyView(NodeView):
    """A :class:`~listenwidgets.nodes.NoveltyCurve`: the novelty function and the tempo it implies.

    Above, the novelty (onset strength) over time: peaks are where something
    new starts. Below, the tempo histogram (the autocorrelation tempogram
    summed over time) against beats per minute, with the node's estimate
    marked (the histogram's peak weighted by a prior around 120 BPM, as
    librosa's ``tempo``).

    Sources (by role): ``novelty`` (``t``, ``novelty``) and ``histogram``
    (``bpm``, ``strength``).
    """

    def _build(self):
        self._novelty = self._source("novelty", t=[], novelty=[])
        self._histogram = self._source("histogram", bpm=[], strength=[])
        curve = self._figure(title="Novelty function Δ(t): peaks where something new starts",
                             x_label="time (s)", y_label="novelty", height=240)
        curve.line("t", "novelty", source=self._novelty, color=PALETTE[0])
        tempo = self._figure(
            title="Tempo histogram (estimate: the peak under a prior around 120 BPM)",
            x_label="tempo (BPM)", y_label="summed autocorrelation", height=240,
            x_range=Range1d(30, 300), tools="xpan,xwheel_zoom,box_zoom,reset,save")
        tempo.line("bpm", "strength", source=self._histogram, color=PALETTE[4], line_width=2)
        tempo.scatter("bpm", "strength", source=self._histogram, color=PALETTE[4], size=3)
        self._marker = Span(location=0.0, dimension="height", line_color=PALETTE[3],
                            line_width=2, line_dash="dashed")
        self._label = Label(x=0.0, y=10, y_units="screen", text="", text_color=PALETTE[3],
                            x_offset=4, text_font_size="10pt")
        tempo.add_layout(self._marker)
        tempo.add_layout(self._label)
        return [pn.pane.Bokeh(curve, sizing_mode="stretch_width"),
                pn.pane.Bokeh(tempo, sizing_mode="stretch_width")]

    def _draw(self, novelty):
        t, y = _polyline(novelty.times, novelty.envelope, self.n_columns)
        self._novelty.data = {"t": t, "novelty": y}
        self._histogram.data = {"bpm": np.asarray(novelty.bpm, np.float32),
                                "strength": novelty.histogram}
        self._marker.location = novelty.tempo
        beat = f": a beat every {60 / novelty.tempo:.3f} s" if novelty.tempo > 0 else ""
        self._label.update(x=novelty.tempo, text=f"estimate {novelty.tempo:.1f} BPM{beat}")
