"""An audio player for a :class:`~listenwidgets.nodes.Signal`: every signal stage can be heard."""

from __future__ import annotations

import panel as pn

from .. import dsp
from ..dsp.display import hold_to_rate
from ..errors import ParameterError
from .base import NodeView

__all__ = ["Player", "PlayerView", "MIN_PLAYBACK_SR"]

#: The lowest sampling rate browsers play (Chromium refuses WAV files below 3 kHz).
MIN_PLAYBACK_SR = 3000.0


class Player(pn.viewable.Viewer):
    """A labelled ``<audio>`` element playing a Signal.

    The signal is encoded as a 16-bit WAV (clipped to [-1, 1) by
    :func:`listenwidgets.dsp.io.to_wav_bytes`) and handed to
    :class:`panel.pane.Audio` as a data URL, so it plays offline in a notebook
    and in the served lab. The same Signal object is never encoded twice.
    A signal below :data:`MIN_PLAYBACK_SR` is played with each sample held
    (repeated) up to a playable rate: the same samples, for the same time,
    as a zero-order-hold converter would output; a note under the player
    says so.

    Parameters
    ----------
    label : str
        What the player plays (shown above it).
    """

    def __init__(self, label: str, **params):
        super().__init__(**params)
        self._label = pn.pane.HTML(f"<b>{label}</b>", margin=(0, 5))
        self._audio = pn.pane.Audio(None, name=label, sizing_mode="stretch_width", height=40)
        self._note = pn.pane.HTML("", visible=False, margin=(0, 5),
                                  styles={"color": "#666", "font-size": "0.9em"})
        self._signal = None
        self._layout = pn.Column(self._label, self._audio, self._note, sizing_mode="stretch_width",
                                 min_width=220)

    @property
    def signal(self):
        """The Signal currently loaded (``None`` before the first update)."""
        return self._signal

    def update(self, signal):
        """Load ``signal`` (a :class:`~listenwidgets.nodes.Signal`, or ``None`` to hide the player)."""
        if signal is self._signal:
            return
        self._signal = signal
        self._layout.visible = signal is not None
        if signal is None:
            self._audio.object = None
            return
        try:
            y, sr = hold_to_rate(signal.y, sr=signal.sr, min_sr=MIN_PLAYBACK_SR)
            wav = dsp.to_wav_bytes(y, sr=int(round(sr)))
        except ParameterError as exc:
            self._audio.object = None
            self._note.object, self._note.visible = f"cannot play: {exc}", True
            return
        self._audio.object = wav
        held = sr != signal.sr
        self._note.visible = held
        if held:
            self._note.object = (f"{signal.sr:g} Hz is below what browsers play: each sample is "
                                 f"held ×{sr / signal.sr:.0f} (played at {sr:g} Hz)")

    def __panel__(self):
        return self._layout


class PlayerView(NodeView):
    """A node whose output is a signal that is only listened to (an ISTFT, a resynthesis).

    The node is pulled in a worker thread when served (``background``), so a
    resynthesis that takes a while never delays the plots of the same page.

    Parameters
    ----------
    node : listenwidgets.nodes.Node
        A node of kind ``"signal"``.
    label : str
        What the player plays.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.
    """

    background = True

    def __init__(self, node, *, label="Listen", **kwargs):
        self._label_text = label
        super().__init__(node, **kwargs)

    def _build(self):
        self._player = Player(self._label_text)
        return [self._player]

    def _draw(self, signal):
        self._player.update(signal)
