"""A chapter page: this session's own graph of nodes, and the layout of its views."""

from __future__ import annotations

import html

import panel as pn

from ..errors import ParameterError
from ..nodes import Graph
from ..views import ViewLayout

__all__ = ["Page", "chapter_graph"]


def chapter_graph(chapter: str, *nodes) -> Graph:
    """Put a page's nodes in a graph, keyed by their names without the ``"<chapter>."`` prefix.

    Page nodes are named ``"<chapter>.<key>"`` (e.g. ``"stft.frame"``): a view
    names its Bokeh sources after its node (``"stft.frame.magnitude"``), and the
    prefix keeps those names unique in a browser session that has opened
    several pages.

    Parameters
    ----------
    chapter : str
        The chapter's name (e.g. ``"stft"``).
    *nodes : Node
        The page's nodes, each named ``"<chapter>.<key>"``.

    Raises
    ------
    ParameterError
        If a node's name lacks the prefix.
    """
    prefix = f"{chapter}."
    for node in nodes:
        if not node.name.startswith(prefix):
            raise ParameterError(f"page nodes are named '{prefix}<key>', got name={node.name!r}")
    return Graph({node.name.removeprefix(prefix): node for node in nodes})


class Page(pn.viewable.Viewer):
    """One chapter of the lab, ready to display (in a notebook) or to put in the served lab.

    Parameters
    ----------
    title : str
        The chapter's title.
    intro : str
        A short Markdown introduction: what to look at, listen to and change.
    graph : listenwidgets.nodes.Graph
        The page's nodes, by name. A page is built per session, so no two
        users ever share a node.
    body : list
        The Panel objects below the introduction (views, tabs, widgets).
    """

    def __init__(self, *, title: str, intro: str, graph: Graph, body: list, **params):
        super().__init__(**params)
        self.title = title
        self.graph = graph
        self._layout = pn.Column(
            pn.pane.HTML(html.escape(title), margin=(10, 10, 0, 10),
                         styles={"font-size": "1.5em", "font-weight": "bold"}),
            pn.pane.Markdown(intro, sizing_mode="stretch_width", margin=(0, 10)),
            *body, sizing_mode="stretch_width")

    @property
    def views(self) -> list:
        """Every :class:`~listenwidgets.views.NodeView` in the page's layout (hidden tabs included)."""
        return [layout.view for layout in self._layout.select(ViewLayout)]

    def __panel__(self):
        return self._layout
