"""Views of signal nodes: the waveform as min/max per pixel column, and a player."""

from __future__ import annotations

import panel as pn
from bokeh.models import Range1d

from ..dsp.display import envelope_polyline, minmax_envelope
from .base import NodeView
from .controls import knob_names
from .figures import PALETTE
from .player import Player
from .recorder import Recorder

__all__ = ["WaveformView", "SourceView"]


class WaveformView(NodeView):
    """Any node whose output is a :class:`~listenwidgets.nodes.Signal` (a generator, a source).

    The waveform is drawn as one stroke per pixel column from the column's
    minimum to its maximum, on a full-scale amplitude axis (±1), with a player
    beside it. Source name: ``"<node>.waveform"`` (columns ``t``, ``y``).
    """

    def _build(self):
        self._wave = self._source("waveform", t=[], y=[])
        self._fig = self._figure(title="Waveform", x_label="time (s)", y_label="amplitude",
                                 y_range=Range1d(-1.05, 1.05), height=200)
        self._fig.line("t", "y", source=self._wave, color=PALETTE[0], line_width=1)
        self._player = Player("Listen")
        return [pn.pane.Bokeh(self._fig, sizing_mode="stretch_width"), self._player]

    def _draw(self, signal):
        index, y = envelope_polyline(*minmax_envelope(signal.y, n_columns=self.n_columns))
        self._wave.data = {"t": (index / signal.sr).astype("float32"), "y": y}
        self._fig.title.text = (f"{signal.label} — {signal.y.size} samples at {signal.sr:g} Hz "
                                f"({signal.duration:.3f} s)")
        self._player.update(signal)


class SourceView(WaveformView):
    """An :class:`~listenwidgets.nodes.AudioSource`: demo clips, uploads, recordings, the waveform.

    An upload box, and a microphone :class:`~listenwidgets.views.recorder.Recorder`
    beside it, set the node's ``data`` and ``filename`` and switch ``origin``
    to ``"upload"``. When the node is ``sandboxed`` (the served lab)
    the ``path`` and ``max_duration`` knobs and the ``"path"`` origin are not
    offered: a visitor can neither read the server's files nor lift the
    length limit.

    Parameters
    ----------
    node : listenwidgets.nodes.AudioSource
        The source.
    max_upload_mb : float
        The largest file the upload box accepts, in MB.
    max_record_seconds : float
        The longest microphone recording, in seconds.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.

    Attributes
    ----------
    recorder : listenwidgets.views.recorder.Recorder
        The microphone recorder.
    """

    def __init__(self, node, *, max_upload_mb: float = 20.0, max_record_seconds: float = 30.0,
                 **kwargs):
        self._max_upload_mb = max_upload_mb
        self.recorder = Recorder(max_seconds=max_record_seconds, sizing_mode="stretch_width")
        hidden = {"filename", "path", "max_duration"} if node.sandboxed else {"filename"}
        kwargs.setdefault("knobs", [k for k in knob_names(node) if k not in hidden])
        if node.sandboxed:
            origins = [o for o in node.param["origin"].objects if o != "path"]
            kwargs["widgets"] = {"origin": {"options": origins}, **kwargs.get("widgets", {})}
        super().__init__(node, **kwargs)

    def _build(self):
        self._upload = pn.widgets.FileInput(
            accept=".wav,.flac,.ogg,.aiff,.aif", sizing_mode="stretch_width",
            description=f"A WAV, FLAC, OGG or AIFF file of at most {self._max_upload_mb:g} MB.")
        self._upload.param.watch(self._on_upload, "value")
        self.recorder.param.watch(self._on_recording, "value")
        return [pn.Row(pn.pane.HTML("<b>Upload audio</b>", margin=(12, 10)), self._upload,
                       sizing_mode="stretch_width"),
                pn.Row(pn.pane.HTML("<b>or record</b>", margin=(12, 10)), self.recorder,
                       sizing_mode="stretch_width"),
                *super()._build()]

    def _on_upload(self, event):
        if event.new and len(event.new) > self._max_upload_mb * 2**20:
            self._error.object = (f"**Error** — the upload is {len(event.new) / 2**20:.1f} MB; "
                                  f"the limit is {self._max_upload_mb:g} MB")
            self._error.visible = True
        elif event.new:
            self.node.param.update(data=event.new, filename=self._upload.filename or "upload",
                                   origin="upload")

    def _on_recording(self, event):
        if event.new:
            self.node.param.update(data=event.new, filename="microphone recording",
                                   origin="upload")
