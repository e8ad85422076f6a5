"""View of the sampling demonstration: analog curve, samples, reconstruction, alias readout."""

from __future__ import annotations

import math

import panel as pn
import param
from bokeh.models import Range1d

from ..dsp.display import envelope_polyline, minmax_envelope
from .base import NodeView
from .figures import PALETTE
from .player import Player

__all__ = ["SamplingView"]


class SamplingView(NodeView):
    """A :class:`~listenwidgets.nodes.Sampler`: see and hear what sampling at fs does.

    A short time window (``window_start``, ``window_ms``) shows the dense
    "analog" reference (grey), the samples at fs (stems), and the
    reconstruction from the samples (orange). A readout gives f, fs, the
    Nyquist frequency fs/2 and the alias frequency; three players play the
    original, the samples at fs and the reconstruction.

    Sources (by role): ``analog`` (``t``, ``y``), ``samples`` (``t``, ``y``) and
    ``reconstruction`` (``t``, ``y``); ``t`` in milliseconds.
    """

    window_start = param.Number(default=0.0, bounds=(0.0, None), softbounds=(0.0, 1.0),
                                step=0.001, label="window start (s)",
                                doc="Start of the time window shown, in seconds.")
    window_ms = param.Number(default=10.0, bounds=(0.1, 1000.0), softbounds=(1.0, 100.0),
                             step=0.5, label="window length (ms)",
                             doc="Length of the time window shown, in milliseconds.")

    display_knobs = ("window_start", "window_ms")
    redraw_knobs = display_knobs

    def _build(self):
        self._analog = self._source("analog", t=[], y=[])
        self._samples = self._source("samples", t=[], y=[])
        self._rebuilt = self._source("reconstruction", t=[], y=[])
        fig = self._figure(title="Sampling", x_label="time (ms)", y_label="amplitude",
                           y_range=Range1d(-1.1, 1.1), height=280)
        fig.line("t", "y", source=self._analog, color=PALETTE[2], line_width=2,
                 legend_label="analog x(t)")
        fig.segment(x0="t", y0=0, x1="t", y1="y", source=self._samples, color=PALETTE[0])
        fig.scatter("t", "y", source=self._samples, size=6, color=PALETTE[0],
                    legend_label="samples x(n) at fs")
        fig.line("t", "y", source=self._rebuilt, color=PALETTE[1], line_width=2,
                 line_dash="dashed", legend_label="reconstruction")
        fig.legend.location = "top_right"
        fig.legend.click_policy = "hide"
        self._fig = fig
        self._readout = pn.pane.HTML("", sizing_mode="stretch_width",
                                     styles={"font-size": "1.1em"})
        self._players = [Player("Original (analog)"), Player("Samples at fs"),
                         Player("Reconstruction")]
        return [pn.pane.Bokeh(fig, sizing_mode="stretch_width"), self._readout,
                pn.Row(*self._players, sizing_mode="stretch_width")]

    def _draw(self, sampling):
        for source, signal in ((self._analog, sampling.analog), (self._samples, sampling.sampled),
                               (self._rebuilt, sampling.reconstruction)):
            source.data = self._window(signal)
        for player, signal in zip(self._players,
                                  (sampling.analog, sampling.sampled, sampling.reconstruction)):
            player.update(signal)
        self._readout.object = self._alias_text(sampling)
        self._fig.title.text = (f"{sampling.analog.label} sampled at fs = "
                                f"{sampling.sampled.sr:g} Hz ({self.window_ms:g} ms shown)")

    def _window(self, signal) -> dict:
        """The part of ``signal`` inside the time window, at most one stroke per pixel column."""
        first = int(math.floor(self.window_start * signal.sr))
        stop = int(math.ceil((self.window_start + self.window_ms / 1000.0) * signal.sr)) + 1
        index, y = envelope_polyline(*minmax_envelope(signal.y[first:stop],
                                                      n_columns=self.n_columns))
        return {"t": ((first + index) * (1000.0 / signal.sr)).astype("float32"), "y": y}

    def _alias_text(self, sampling) -> str:
        fs = sampling.sampled.sr
        parts = [f"fs = <b>{fs:g} Hz</b>", f"Nyquist fs/2 = <b>{fs / 2:g} Hz</b>"]
        if sampling.frequency is None:
            parts.append("the input is not a single tone, so there is no single alias frequency")
            return " · ".join(parts)
        f, alias = sampling.frequency, sampling.alias
        parts.insert(0, f"f = <b>{f:g} Hz</b>")
        parts.append(f"f<sub>alias</sub> = |f − k·fs| = <b>{alias:.1f} Hz</b>")
        if f < fs / 2:
            verdict = "<span style='color:#2ca02c'>✔ f < fs/2: no aliasing</span>"
        elif self.node.anti_alias:
            verdict = ("<span style='color:#1f77b4'>f ≥ fs/2: removed by the anti-aliasing "
                       "filter</span>")
        else:
            verdict = (f"<span style='color:#d62728'>✘ f ≥ fs/2: aliased — the samples are those "
                       f"of a {alias:.1f} Hz tone</span>")
        return " · ".join(parts) + "<br>" + verdict
