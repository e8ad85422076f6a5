"""Tonal spaces at one moment: the pitch helix (a 2-D projection) and the tonal centroid's circles."""

from __future__ import annotations

import math
import re

import numpy as np
import panel as pn
import param
from bokeh.models import DataRange1d, HoverTool, LinearColorMapper, Range1d, Span
from bokeh.palettes import Magma256

from .. import dsp
from ..dsp.display import block_starts, envelope_polyline, magnitude_db, minmax_envelope
from ..nodes.tonal import PITCH_CLASSES
from .figures import PALETTE
from .tonal_frames import FrameView

__all__ = ["PitchHelixView", "TonnetzView"]

_OCTAVE = re.compile(r"-?\d+$")


def project(x, y, z, *, azimuth, elevation):
    """An orthographic view of 3-D points from ``azimuth`` degrees around and ``elevation`` above.

    The points are turned by ``azimuth`` about the vertical ``z`` axis, then
    seen from the front (from −y), tilted down by ``elevation``.

    Returns
    -------
    sx, sy : np.ndarray
        Screen coordinates.
    depth : np.ndarray
        Distance along the line of sight (larger is farther).
    """
    a, e = math.radians(azimuth), math.radians(elevation)
    xr = np.cos(a) * x - np.sin(a) * y
    yr = np.sin(a) * x + np.cos(a) * y
    return xr, z * math.cos(e) + yr * math.sin(e), yr * math.cos(e) - z * math.sin(e)


class PitchHelixView(FrameView):
    """A :class:`~listenwidgets.nodes.tonal.PitchHelix`: the CQT of one frame on Shepard's helix.

    Bokeh draws in 2-D, so the helix is shown as an orthographic projection
    that ``azimuth`` turns and ``elevation`` tilts, drawn to scale with a
    radius of :attr:`radius` octaves of height. Each constant-Q bin is a
    point sized and coloured by its level in the selected frame (dB relative
    to the loudest bin of the whole clip, within ``db_range``); the nearer
    points are drawn over the farther. Notes an octave apart lie on one
    vertical line: the C column is labelled with its octaves, the top turn
    with the pitch classes. Moving the frame, turning or tilting redraws from
    the node's output; nothing is recomputed.

    Sources (by role): ``points`` (``sx``, ``sy``, ``size``, ``db``, ``note``),
    ``backbone`` (``sx``, ``sy``), ``axis`` (``sx``, ``sy``) and ``labels``
    (``sx``, ``sy``, ``text``).

    Parameters
    ----------
    node : listenwidgets.nodes.tonal.PitchHelix
        The helix.
    selection : FrameSelection, optional
        The selected frame, shared with other views.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`; ``azimuth``, ``elevation``
        and ``db_range``.
    """

    azimuth = param.Number(default=30.0, bounds=(-180.0, 180.0), step=5.0,
                           label="turn (degrees)", doc=(
        "Turn the helix about its vertical axis (the octave axis)."))

    elevation = param.Number(default=25.0, bounds=(0.0, 90.0), step=5.0,
                             label="tilt (degrees)", doc=(
        "How far above the helix you look from: 0 is side-on (octaves stacked), 90 straight "
        "down (every octave on one circle: the chroma circle)."))

    db_range = param.Range(default=(-60.0, 0.0), bounds=(-140.0, 0.0), label="level range (dB)",
                           doc=("Levels mapped to point size and colour, in dB relative to the "
                                "loudest bin of the clip; quieter bins are the smallest points."))

    display_knobs = ("azimuth", "elevation", "db_range")

    #: Point diameters in pixels at the bottom and the top of ``db_range``.
    sizes = (3.0, 24.0)

    #: The radius of the drawn helix, in octaves of height (a wide spring shows its turns).
    radius = 2.5

    def _build(self):
        self._points = self._source("points", sx=[], sy=[], size=[], db=[], note=[])
        self._backbone = self._source("backbone", sx=[], sy=[])
        self._axis = self._source("axis", sx=[], sy=[])
        self._labels = self._source("labels", sx=[], sy=[], text=[])
        self._mapper = LinearColorMapper(palette=Magma256[40:], low=self.db_range[0],
                                         high=self.db_range[1])
        fig = self._figure(title="Pitch helix", x_label="", y_label="", height=620,
                           x_range=DataRange1d(range_padding=0.25),
                           y_range=DataRange1d(range_padding=0.08), match_aspect=True,
                           tools="pan,wheel_zoom,reset,save")
        fig.sizing_mode, fig.width = "fixed", 560
        fig.axis.visible = False
        fig.grid.visible = False
        fig.line("sx", "sy", source=self._axis, color=PALETTE[2], line_dash="dashed")
        fig.line("sx", "sy", source=self._backbone, color=PALETTE[2], alpha=0.45)
        points = fig.scatter("sx", "sy", size="size", source=self._points, line_color="#333",
                             line_alpha=0.5, fill_color={"field": "db", "transform": self._mapper})
        fig.text("sx", "sy", text="text", source=self._labels, text_font_size="9pt",
                 text_align="center", text_baseline="middle", text_color="#444")
        fig.add_tools(HoverTool(renderers=[points], tooltips=[("note", "@note"),
                                                               ("level", "@db{0.0} dB")]))
        self._fig = fig
        self._db = None
        self._time_pane, slider = self.selection.controls()
        self.param.watch(self._on_projection, ["azimuth", "elevation"])
        self.param.watch(self._on_levels, "db_range")
        return [slider, pn.pane.Bokeh(fig)]

    def _project(self, x, y, z):
        return project(self.radius * x, self.radius * y, z, azimuth=self.azimuth,
                       elevation=self.elevation)

    def _draw_output(self, helix):
        self._db = magnitude_db(helix.magnitude)
        self._draw_geometry(helix)

    def _draw_geometry(self, helix):
        sx, sy, _ = self._project(helix.x, helix.y, helix.z)
        self._backbone.data = {"sx": sx, "sy": sy}
        z = np.array([helix.z.min(), helix.z.max()])
        ax, ay, _ = self._project(np.zeros(2), np.zeros(2), z)
        self._axis.data = {"sx": ax, "sy": ay}
        bins = _labelled_bins(helix.notes)
        text = [helix.notes[k] if _is_octave_c(helix.notes[k]) else _OCTAVE.sub("", helix.notes[k])
                for k in bins]
        outside = 1.0 + 0.5 / self.radius
        lx, ly, _ = self._project(outside * helix.x[bins], outside * helix.y[bins], helix.z[bins])
        self._labels.data = {"sx": lx, "sy": ly, "text": text}

    def _show_frame(self, helix, index):
        db = self._db[:, index]
        sx, sy, depth = self._project(helix.x, helix.y, helix.z)
        order = np.argsort(-depth, kind="stable")          # the farthest first, the nearest on top
        low, high = self.db_range
        level = np.clip((db - low) / max(high - low, 1e-9), 0.0, 1.0)
        size = self.sizes[0] + (self.sizes[1] - self.sizes[0]) * level
        self._points.data = {"sx": sx[order], "sy": sy[order], "size": size[order],
                             "db": db[order], "note": [helix.notes[k] for k in order]}
        loudest = helix.notes[int(np.argmax(db))]
        self._fig.title.text = (f"Pitch helix at t = {helix.times[index]:.2f} s (frame {index}): "
                                f"loudest bin {loudest}")

    def _on_projection(self, *events):
        if self._drawn is not None:
            with pn.io.hold():
                self._draw_geometry(self._drawn)
                self._frame(self._drawn)
            pn.io.push_notebook(self._layout)

    def _on_levels(self, event):
        self._mapper.update(low=event.new[0], high=event.new[1])
        self._on_time(event)


def _is_octave_c(name):
    return re.fullmatch(r"C-?\d+", name) is not None


def _labelled_bins(notes) -> np.ndarray:
    """The bins to label: the first C of each octave, and each other note of the top turn."""
    firsts = [k for k, name in enumerate(notes) if k == 0 or name != notes[k - 1]]
    octaves = [k for k in firsts if _is_octave_c(notes[k])]
    return np.array(octaves + [k for k in firsts[-12:] if k not in octaves], dtype=int)


#: Where each pitch class lies on the three circles: the tonal centroid of that pitch class alone.
_PITCH_POINTS = dsp.tonnetz(chroma=np.eye(12))

#: The three circles of the tonal centroid (Harte 2006), by pair of tonnetz rows.
CIRCLES = ("fifths", "minor thirds", "major thirds")

#: The colour of each circle (its path and its two curves).
_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[4])


class TonnetzView(FrameView):
    """The tonal centroid of a :class:`~listenwidgets.nodes.Chroma`: three circles and six curves.

    Harte's 6-D tonal centroid projects each chroma vector onto the circle of
    fifths, the circle of minor thirds and the circle of major thirds (radius
    ½). Each circle is drawn with the pitch classes where a single pitch class
    would land, the path of every frame (faint) and the selected frame (red);
    below, the six coordinates over time with the selected time marked. A
    click on the curves selects a time. (The node computes the centroid only
    for ``n_chroma = 12``; otherwise it is zero.)

    Sources (by role): ``path`` and ``point`` (``x0, y0, x1, y1, x2, y2``: the
    position on each circle), ``pitches`` (``x0 … y2``, ``text0 … text2``) and
    ``curves`` (``t`` and one column per coordinate).

    Parameters
    ----------
    node : listenwidgets.nodes.Chroma
        The chroma node (its output carries the tonal centroid).
    selection : FrameSelection, optional
        The selected frame, shared with other views.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.
    """

    #: The most frames drawn on the circles (the path is subsampled beyond).
    n_path = 2000

    def _build(self):
        columns = {f"{axis}{c}": [] for c in range(3) for axis in "xy"}
        self._path = self._source("path", **columns)
        self._point = self._source("point", **columns)
        self._pitches = self._source("pitches", **_pitch_labels())
        self._curves = self._source("curves", t=[], **{name: [] for name in _CURVES})
        circles = [self._circle_figure(c) for c in range(3)]
        curves = self._figure(title="Tonal centroid over time", x_label="time (s)",
                              y_label="coordinate", height=260, y_range=Range1d(-1.1, 1.1))
        for i, name in enumerate(_CURVES):
            curves.line("t", name, source=self._curves, color=_COLOURS[i // 2],
                        line_dash="solid" if i % 2 == 0 else "dashed", legend_label=name)
        curves.legend.click_policy = "hide"
        curves.add_layout(curves.legend[0], "right")
        self._cursor = Span(location=0.0, dimension="height", line_color=PALETTE[3],
                            line_width=2, line_dash="dashed")
        curves.add_layout(self._cursor)
        self._clickable(curves)
        self._curves_figure = curves
        self._time_pane, slider = self.selection.controls()
        return [slider, pn.Row(*[pn.pane.Bokeh(f) for f in circles]),
                pn.pane.Bokeh(curves, sizing_mode="stretch_width")]

    def _circle_figure(self, c):
        radius = float(np.hypot(_PITCH_POINTS[2 * c, 0], _PITCH_POINTS[2 * c + 1, 0]))
        fig = self._figure(title=f"Circle of {CIRCLES[c]}", x_label="", y_label="", height=270,
                           x_range=Range1d(-1.6, 1.6), y_range=Range1d(-1.6, 1.6),
                           tools="save")
        fig.sizing_mode, fig.width, fig.min_width = "fixed", 245, 245
        fig.axis.visible = False
        fig.grid.visible = False
        fig.circle(x=0, y=0, radius=radius, fill_color=None, line_color=PALETTE[2])
        fig.text(f"x{c}", f"y{c}", text=f"text{c}", source=self._pitches, text_font_size="9pt",
                 text_align="center", text_baseline="middle", text_color="#444")
        fig.scatter(f"x{c}", f"y{c}", source=self._path, size=4, color=_COLOURS[c], alpha=0.2)
        fig.scatter(f"x{c}", f"y{c}", source=self._point, size=14, color=PALETTE[3],
                    line_color="white")
        return fig

    def _draw_output(self, chroma):
        tonnetz, times = chroma.tonnetz, chroma.times
        keep = block_starts(times.size, n_blocks=self.n_path)
        self._path.data = _pairs(tonnetz[:, keep])
        curves = {}
        for name, row in zip(_CURVES, tonnetz):
            index, curves[name] = envelope_polyline(*minmax_envelope(row, n_columns=self.n_columns))
        self._curves.data = {"t": times[index], **curves}
        note = "" if len(chroma.pitch_classes) == 12 else " (needs n_chroma = 12: all zero here)"
        self._curves_figure.title.text = f"Tonal centroid over time{note}"

    def _show_frame(self, chroma, index):
        self._point.data = _pairs(chroma.tonnetz[:, [index]])
        self._cursor.location = float(chroma.times[index])


#: The six coordinates: x (sin) and y (cos) on each circle.
_CURVES = tuple(f"{circle} {axis}" for circle in CIRCLES for axis in ("x", "y"))


def _pairs(tonnetz) -> dict:
    """The columns ``x0, y0, x1, y1, x2, y2`` of a (6, n) tonal centroid."""
    return {f"{axis}{c}": tonnetz[2 * c + i] for c in range(3) for i, axis in enumerate("xy")}


def _pitch_labels() -> dict:
    """Pitch-class names just outside their place on each circle; names sharing a place are stacked."""
    columns = {}
    for c in range(3):
        points = _PITCH_POINTS[2 * c:2 * c + 2]
        radius = float(np.hypot(*points[:, 0]))
        places: dict = {}
        for pitch, name in enumerate(PITCH_CLASSES):
            place = tuple(np.round(points[:, pitch] * (radius + 0.25) / radius, 6))
            places.setdefault(place, []).append(name)
        spots = list(places.items())
        columns[f"x{c}"] = [place[0] for place, _ in spots] + [np.nan] * (12 - len(spots))
        columns[f"y{c}"] = [place[1] for place, _ in spots] + [np.nan] * (12 - len(spots))
        columns[f"text{c}"] = ["\n".join(names) for _, names in spots] + [""] * (12 - len(spots))
    return columns
