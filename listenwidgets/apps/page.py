"""A chapter page: this session's own graph of nodes, and the layout of its views."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

import panel as pn
from bokeh.models import Plot

from ..errors import ParameterError
from ..nodes import Graph
from ..views import ViewLayout
from .export import ExportPanel, markdown_text
from .pages.common import SignalChoice
from .state import checked_state, state_changes

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
    editor : listenwidgets.views.GraphView, optional
        The page's graph editor, when users may add nodes: a saved state or
        a link then brings back the nodes they added (made by
        ``editor.new_node``).

    Attributes
    ----------
    defaults : dict
        ``graph.to_dict()`` as built: the page's URL state holds only what
        differs from it (:meth:`changes`).
    export : listenwidgets.apps.export.ExportPanel
        The page's *Export* card (graph JSON and script, outputs, signals, figures).
    """

    def __init__(self, *, title: str, intro: str, graph: Graph, body: list, editor=None,
                 **params):
        super().__init__(**params)
        self.title = title
        self.graph = graph
        self.editor = editor
        self.defaults = graph.to_dict()
        self._choices = [obj for obj in body if isinstance(obj, SignalChoice)]
        self._notice = pn.pane.Alert("", alert_type="warning", visible=False,
                                     sizing_mode="stretch_width", margin=(5, 10))
        self.export = ExportPanel(self)
        self._layout = pn.Column(
            pn.pane.HTML(html.escape(title), margin=(10, 10, 0, 10),
                         styles={"font-size": "1.5em", "font-weight": "bold"}),
            pn.pane.Markdown(intro, sizing_mode="stretch_width", margin=(0, 10)),
            self._notice, self.export, *body, sizing_mode="stretch_width")

    @property
    def sandboxed(self) -> bool:
        """True when the page's audio sources refuse server paths (the served lab)."""
        return any(getattr(node, "sandboxed", False) for _, node in self.graph.items())

    def changes(self) -> dict:
        """The knobs and wiring that differ from the page as built (see :func:`~.state.state_changes`)."""
        return state_changes(self.graph, self.defaults)

    def load_state(self, state: Mapping | str) -> None:
        """Apply a saved state to the page's graph: all of it, or nothing.

        Parameters
        ----------
        state : dict or str
            A full :meth:`~listenwidgets.nodes.Graph.to_dict` state (or its
            JSON), or the changes of :meth:`changes` (as decoded from a URL).

        Raises
        ------
        ParameterError
            If the state is malformed, names an unknown node, input or knob,
            has a value out of bounds, wires nodes that cannot be wired, or
            (when :attr:`sandboxed`) points an audio source at a server path.
            The graph is then as it was.
        """
        if isinstance(state, str):
            state = _parse_json(state)
        full = checked_state(self.graph, state, sandboxed=self.sandboxed)
        before = self.graph.to_dict()
        added = []
        try:
            added = self._add_nodes(full["nodes"])
            self.graph.set_state(full)
            # Again: a page may tie knobs together (a watcher that sets one knob from another),
            # and a knob set early may have been overwritten by such a watcher since.
            self.graph.set_state(full)
        except Exception as exc:  # noqa: BLE001 - a state from outside must never break the page
            for key in reversed(added):
                self.editor.remove(key)
            self.graph.set_state(before)   # e.g. wiring refused half-way: undo what was applied
            if isinstance(exc, ParameterError):
                raise
            raise ParameterError(f"the state could not be applied: {type(exc).__name__}: "
                                 f"{exc}") from exc
        for choice in self._choices:
            choice.follow_wiring()

    def _add_nodes(self, nodes) -> list[str]:
        """Make the nodes a state names with a ``type`` that the graph lacks (through the editor).

        Without an editor nothing is added, and :meth:`Graph.set_state` refuses
        the unknown names.
        """
        added = []
        if self.editor is None or not isinstance(nodes, Mapping):
            return added
        for key, spec in nodes.items():
            if key not in self.graph and isinstance(spec, Mapping) and "type" in spec:
                self.editor.new_node(spec["type"], key)
                added.append(key)
        return added

    def notify(self, message: str) -> None:
        """Show ``message`` (plain text) in a warning above the page; ``""`` hides it."""
        self._notice.object = markdown_text(message)
        self._notice.visible = bool(message)

    @property
    def views(self) -> list:
        """Every :class:`~listenwidgets.views.NodeView` in the page's layout (hidden tabs included)."""
        return [layout.view for layout in self._layout.select(ViewLayout)]

    @property
    def figures(self) -> list:
        """Every Bokeh plot of the page: its views' figures and any other plot in its layout."""
        plots = {id(fig): fig for view in self.views for fig in view.figures}
        for pane in self._layout.select(pn.pane.Bokeh):
            if isinstance(pane.object, Plot):
                plots.setdefault(id(pane.object), pane.object)
        return list(plots.values())

    def __panel__(self):
        return self._layout


def _parse_json(text: str):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ParameterError(f"the state is not valid JSON: {exc}") from None

