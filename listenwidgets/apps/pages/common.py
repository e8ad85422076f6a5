"""Pieces shared by several chapter pages."""

from __future__ import annotations

import panel as pn

from ...views import SourceView, WaveformView

__all__ = ["SignalChoice"]


class SignalChoice(pn.viewable.Viewer):
    """Choose what a page analyses: an audio clip or the signal generator.

    Switching rewires the ``source`` input of every consumer node to the
    chosen node (which recomputes everything downstream) and shows that
    node's view; the other view is taken off the page, so it stops updating.

    Parameters
    ----------
    generator : listenwidgets.nodes.SignalGenerator
        The generator.
    audio : listenwidgets.nodes.AudioSource
        The audio source (demo clip or upload).
    consumers : list of listenwidgets.nodes.Node
        The nodes whose ``source`` input follows the choice.
    value : {"audio", "generator"}
        The initial choice (the consumers are wired to it now).
    throttled : bool
        Whether the sources' sliders are throttled (when the consumers are expensive).
    """

    def __init__(self, *, generator, audio, consumers, value="audio", throttled=False, **params):
        super().__init__(**params)
        self._nodes = {"audio": audio, "generator": generator}
        self._consumers = list(consumers)
        self._views = {"audio": SourceView(audio, title="Audio clip", throttled=throttled),
                       "generator": WaveformView(generator, title="Signal generator",
                                                 throttled=throttled)}
        self.selector = pn.widgets.RadioButtonGroup(
            options={"Audio clip": "audio", "Signal generator": "generator"}, value=value)
        self._shown = pn.Column(sizing_mode="stretch_width")
        self._layout = pn.Column(
            pn.Row(pn.pane.HTML("<b>Analyse:</b>", margin=(12, 10)), self.selector),
            self._shown, sizing_mode="stretch_width")
        self.selector.param.watch(lambda event: self._choose(event.new), "value")
        self._choose(value)

    def _choose(self, which):
        with pn.io.hold():
            for consumer in self._consumers:
                if consumer.source is not self._nodes[which]:
                    consumer.source = self._nodes[which]
            self._shown[:] = [self._views[which]]

    def follow_wiring(self) -> None:
        """Show the choice the consumers are now wired to (after a saved state rewired them)."""
        current = self._consumers[0].source if self._consumers else None
        for value, node in self._nodes.items():
            if node is current and self.selector.value != value:
                self.selector.value = value

    def __panel__(self):
        return self._layout
