"""A node's formula, rendered, and the same formula with the current values substituted."""

from __future__ import annotations

import html

import panel as pn

__all__ = ["FormulaPane"]


class FormulaPane(pn.viewable.Viewer):
    """The node's LaTeX ``formula`` and its ``describe()`` text.

    The formula is typeset by MathJax through Bokeh's own bundle
    (``bokeh-mathjax.js``, served by the Panel server or embedded in the
    notebook), so nothing is fetched from a CDN. ``describe()`` is plain
    Unicode text with the current values, e.g.
    ``Δf = fs / N = 22050 / 2048 = 10.77 Hz``.

    Parameters
    ----------
    node : listenwidgets.nodes.Node
        The node to describe.
    """

    def __init__(self, node, **params):
        super().__init__(**params)
        self._node = node
        self._latex = pn.pane.LaTeX(f"$${node.formula}$$", renderer="mathjax",
                                    visible=bool(node.formula), sizing_mode="stretch_width",
                                    styles={"font-size": "1.05em"})
        self._text = pn.pane.HTML("", sizing_mode="stretch_width",
                                  styles={"color": "var(--neutral-foreground-rest, #333)"})
        self._layout = pn.Column(self._latex, self._text, sizing_mode="stretch_width")

    @property
    def text(self) -> str:
        """The substituted text currently shown."""
        return html.unescape(self._text.object.removeprefix("<p>").removesuffix("</p>"))

    def update(self):
        """Show ``node.describe()`` for the node's current output."""
        self._text.object = f"<p>{html.escape(self._node.describe())}</p>"

    def __panel__(self):
        return self._layout
