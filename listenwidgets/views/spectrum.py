"""View of one frame's DFT: magnitude (dB) and phase, and the windowed frame."""

from __future__ import annotations

import math

import panel as pn
from bokeh.models import LinearAxis, Range1d

from ..dsp.display import envelope_polyline, magnitude_db, minmax_envelope
from .base import NodeView
from .figures import PALETTE

__all__ = ["SpectrumView"]


class SpectrumView(NodeView):
    """A :class:`~listenwidgets.nodes.Spectrum`: ``|X(k)|`` in dB, ``φ(k)``, and the frame.

    The magnitude is in dB relative to the frame's peak (0 dB), so side lobes
    read directly (about −13 dB rectangular, −31 dB Hann). When the spectrum
    has few bins (at most a quarter of the plot's pixel columns) every bin is
    also marked with a dot: a sinusoid between two bins visibly smears.

    The frame plot shows the frame before windowing (grey), the window ``w(n)``
    (dashed, right axis) and the windowed frame ``w(n)·x(n)`` that the DFT
    sees.

    Sources (by role): ``magnitude`` (``f``, ``db``), ``bins`` (``f``, ``db``),
    ``phase`` (``f``, ``phase``), ``frame`` (``t``, ``x``, ``wx``) and
    ``window`` (``t``, ``w``).
    """

    def _build(self):
        self._mag = self._source("magnitude", f=[], db=[])
        self._bins = self._source("bins", f=[], db=[])
        self._phase = self._source("phase", f=[], phase=[])
        self._frame = self._source("frame", t=[], x=[], wx=[])
        self._window = self._source("window", t=[], w=[])

        mag = self._figure(title="Magnitude |X(k)|", x_label="frequency (Hz)",
                           y_label="dB re peak", y_range=Range1d(-105, 5), height=240)
        mag.line("f", "db", source=self._mag, color=PALETTE[0])
        mag.scatter("f", "db", source=self._bins, size=4, color=PALETTE[0])
        phase = self._figure(title="Phase φ(k) = atan2(X_I, X_R)", x_label="frequency (Hz)",
                             y_label="radians", x_range=mag.x_range, height=170,
                             y_range=Range1d(-math.pi - 0.2, math.pi + 0.2))
        phase.scatter("f", "phase", source=self._phase, size=2, color=PALETTE[4])

        frame = self._figure(title="Frame x(n), window w(n) and windowed frame w(n)·x(n)",
                             x_label="time (ms)", y_label="amplitude", height=200)
        frame.line("t", "x", source=self._frame, color=PALETTE[2], alpha=0.6,
                   legend_label="x(n)")
        frame.line("t", "wx", source=self._frame, color=PALETTE[0], legend_label="w(n)·x(n)")
        frame.extra_y_ranges = {"window": Range1d(0, 1.05)}
        frame.add_layout(LinearAxis(y_range_name="window", axis_label="w(n)"), "right")
        frame.line("t", "w", source=self._window, y_range_name="window", color=PALETTE[1],
                   line_dash="dashed", line_width=2, legend_label="w(n)")
        frame.legend.location = "top_left"
        frame.legend.click_policy = "hide"
        self._mag_fig = mag
        return [pn.pane.Bokeh(mag, sizing_mode="stretch_width"),
                pn.pane.Bokeh(phase, sizing_mode="stretch_width"),
                pn.pane.Bokeh(frame, sizing_mode="stretch_width")]

    def _draw(self, spectrum):
        freqs = spectrum.frequencies
        db = magnitude_db(spectrum.X)
        index, y = envelope_polyline(*minmax_envelope(db, n_columns=self.n_columns))
        self._mag.data = {"f": freqs[index], "db": y}
        few = db.size <= self.n_columns // 4
        self._bins.data = {"f": freqs if few else [], "db": db if few else []}
        index, y = envelope_polyline(*minmax_envelope(spectrum.phase, n_columns=self.n_columns))
        self._phase.data = {"f": freqs[index], "phase": y}

        t0 = 1000.0 * spectrum.start / spectrum.sr
        ms_per_sample = 1000.0 / spectrum.sr
        index, x = envelope_polyline(*minmax_envelope(spectrum.frame, n_columns=self.n_columns))
        _, wx = envelope_polyline(
            *minmax_envelope(spectrum.frame * spectrum.window, n_columns=self.n_columns))
        self._frame.data = {"t": t0 + index * ms_per_sample, "x": x, "wx": wx}
        index, w = envelope_polyline(*minmax_envelope(spectrum.window, n_columns=self.n_columns))
        self._window.data = {"t": t0 + index * ms_per_sample, "w": w}
        self._mag_fig.title.text = (f"Magnitude |X(k)| — N = {spectrum.n_fft} points, "
                                    f"{db.size} bins, Δf = {spectrum.sr / spectrum.n_fft:.2f} Hz")
