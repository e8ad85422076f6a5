"""A view of a whole :class:`~listenwidgets.nodes.Graph`: nodes, wires, states, and editing them.

The plot draws each node as a box (its name, type and output kind) in a
column by topological depth (sources on the left), each wire as an arrow
labelled with the input it feeds, and colours the boxes by
:meth:`Graph.status <listenwidgets.nodes.Graph.status>`: fresh (computed),
stale (recomputed when something reads it) or error. Reading the status never
computes anything.

Clicking a box (or choosing in the *Node* menu) selects a node: its own view
when the page gives one (with its knobs, plots and error), else its knobs as
controls and its error when it has one. Below, a node can be added (any type of
:func:`~listenwidgets.nodes.node_types`) and an input wired to a node of an
accepted kind; a refused connection (a wrong kind, a cycle) shows the engine's
message and changes nothing.

The plot follows the graph: any node's ``changed`` event schedules one redraw
(a burst of events, such as one knob invalidating everything downstream, is
drawn once), and while served a light poll catches nodes that were computed
since (computing fires no event).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import panel as pn
from bokeh.models import Arrow, ColumnDataSource, LabelSet, Range1d, TapTool, VeeHead
from bokeh.plotting import figure

from ..errors import ParameterError
from ..nodes import Graph, Node, node_types
from .base import _markdown_escape, error_message
from .controls import knob_controls
from .ready import hold_until_loaded, served_document

__all__ = ["GraphView", "STATUS_COLORS", "graph_layout"]

#: Fill colour of a node box by :meth:`Graph.status` ("ok" is drawn as *fresh*).
STATUS_COLORS = {"ok": "#b7e4c7", "stale": "#e0e0e0", "error": "#f4a3a3"}

#: The word shown for each status.
STATUS_LABELS = {"ok": "fresh", "stale": "stale", "error": "error"}

#: Half the width and height of a node box, in plot units (columns are 1 apart).
BOX_W, BOX_H = 0.36, 0.28

#: How often (ms) a served view checks for nodes computed since the last redraw.
POLL_MS = 1000

#: What the source menu offers to unplug an input.
NONE = "(none)"


def graph_layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """Place each node: x is its depth (longest path from a source), y spreads each column.

    Parameters
    ----------
    graph : listenwidgets.nodes.Graph
        The graph.

    Returns
    -------
    dict of str to (float, float)
        ``(x, y)`` by node name; nodes of one depth share an x and are spaced
        1 apart in y around 0, in topological order from the top.
    """
    depth = {name: 0 for name in graph}
    parents: dict[str, list[str]] = {name: [] for name in graph}
    for up, down, _ in graph.edges():
        parents[down].append(up)
    order = graph.order()
    for name in order:
        depth[name] = max((depth[p] + 1 for p in parents[name]), default=0)
    columns: dict[int, list[str]] = {}
    for name in order:
        columns.setdefault(depth[name], []).append(name)
    return {name: (float(d), (len(names) - 1) / 2 - i)
            for d, names in columns.items() for i, name in enumerate(names)}


class GraphView(pn.viewable.Viewer):
    """A Bokeh drawing of a graph with controls to inspect, add and wire its nodes.

    Parameters
    ----------
    graph : listenwidgets.nodes.Graph
        The graph to show and edit.
    prefix : str
        Prepended to a new node's graph key to make its ``name`` (a page uses
        ``"<chapter>."``, see :func:`~listenwidgets.apps.page.chapter_graph`).
    sandboxed : bool
        Passed to new nodes that have a ``sandboxed`` knob (an
        :class:`~listenwidgets.nodes.AudioSource` then refuses server paths).
    view_for : callable, optional
        ``view_for(node)`` returns the node's own view (any Panel object) or
        ``None``; it is called once per node, when the node is first selected.
    **params
        Parameters of :class:`panel.viewable.Viewer`.

    Attributes
    ----------
    nodes : bokeh.models.ColumnDataSource
        One row per node (named ``"<prefix>graph.nodes"``): ``key``, ``x``,
        ``y``, ``label``, ``type``, ``kind``, ``status``, ``color``.
    edges : bokeh.models.ColumnDataSource
        One row per wire (named ``"<prefix>graph.edges"``): ``source``,
        ``target``, ``input``, ``x0``, ``y0``, ``x1``, ``y1``, ``xm``, ``ym``.
    figure : bokeh.plotting.figure
        The plot (named ``"<prefix>graph.figure"``), built once.
    message : panel.pane.Alert
        The outcome of the latest edit (a refused wiring shows its reason).
    """

    def __init__(self, graph: Graph, *, prefix: str = "", sandboxed: bool = False,
                 view_for: Callable[[Node], object] | None = None, **params):
        super().__init__(**params)
        self.graph = graph
        self._prefix = prefix
        self._sandboxed = sandboxed
        self._view_for = view_for
        self._views: dict[str, object] = {}
        self._watched: set[str] = set()
        self._pending = False
        self._drawn = None
        self.nodes = ColumnDataSource(
            {c: [] for c in ("key", "x", "y", "label", "type", "kind", "status", "color")},
            name=f"{prefix}graph.nodes")
        self.edges = ColumnDataSource(
            {c: [] for c in ("source", "target", "input", "x0", "y0", "x1", "y1", "xm", "ym")},
            name=f"{prefix}graph.edges")
        self.figure = self._build_figure()
        self.message = pn.pane.Alert("", alert_type="info", visible=False,
                                     sizing_mode="stretch_width", margin=(5, 10))
        self._build_controls()
        self._details = pn.Column(sizing_mode="stretch_width")
        self._details_wired = False
        self._status_line = pn.pane.HTML("", margin=(10, 10, 0, 10))
        self._error = pn.pane.Alert("", alert_type="danger", visible=False,
                                    sizing_mode="stretch_width", margin=(5, 10))
        self._layout = pn.Row(
            pn.Column(*self._controls, width=320),
            pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"), self.message,
                      self._details, sizing_mode="stretch_width"),
            sizing_mode="stretch_width")
        self.nodes.selected.on_change("indices", self._on_tap)
        self.redraw()
        if served_document() is not None:
            pn.state.add_periodic_callback(self._poll, period=POLL_MS)

    # ------------------------------------------------------------- building
    def _build_figure(self):
        fig = figure(height=360, sizing_mode="stretch_width", min_width=400,
                     tools="tap,pan,wheel_zoom,reset,save", toolbar_location="above",
                     title="Dataflow graph — click a node", name=f"{self._prefix}graph.figure",
                     x_range=Range1d(-1, 1), y_range=Range1d(-1, 1))
        fig.toolbar.logo = None
        fig.axis.visible = False
        fig.grid.visible = False
        fig.add_layout(Arrow(end=VeeHead(size=9, fill_color="#555", line_color="#555"),
                             source=self.edges, x_start="x0", y_start="y0", x_end="x1",
                             y_end="y1", line_color="#555", line_width=1.5))
        fig.add_layout(LabelSet(x="xm", y="ym", text="input", source=self.edges,
                                text_font_size="8pt", text_color="#555", text_align="center",
                                y_offset=3))
        boxes = fig.rect("x", "y", width=2 * BOX_W, height=2 * BOX_H, source=self.nodes,
                         fill_color="color", line_color="#333", line_width=1,
                         selection_line_width=3, selection_line_color="#1f77b4",
                         nonselection_fill_alpha=1.0, nonselection_line_alpha=1.0)
        fig.text("x", "y", text="label", source=self.nodes, text_align="center",
                 text_baseline="middle", text_font_size="8.5pt", nonselection_text_alpha=1.0)
        fig.select_one(TapTool).renderers = [boxes]
        return fig

    def _build_controls(self):
        self._node_menu = pn.widgets.Select(label="Node", options=[], sizing_mode="stretch_width")
        self._node_menu.param.watch(self._on_menu, "value")
        self._new_type = pn.widgets.Select(label="Add a node of type",
                                           options=sorted(node_types()), value="STFT",
                                           sizing_mode="stretch_width")
        self._new_name = pn.widgets.TextInput(label="named", placeholder="e.g. stft2",
                                              sizing_mode="stretch_width")
        self._add_button = pn.widgets.Button(label="Add node", color="primary")
        self._add_button.on_click(lambda event: self.add(self._new_type.value,
                                                         self._new_name.value.strip()))
        self._remove_button = pn.widgets.Button(label="Remove this node", color="light",
                                                description="Take the selected node out of "
                                                            "the graph; nodes reading it are "
                                                            "unplugged.")
        self._remove_button.on_click(lambda event: self.selected and self.remove(self.selected))
        self._target = pn.widgets.Select(label="Wire the node", options=[],
                                         sizing_mode="stretch_width")
        self._input = pn.widgets.Select(label="input", options=[], sizing_mode="stretch_width")
        self._source = pn.widgets.Select(label="from the node", options=[],
                                         sizing_mode="stretch_width")
        self._target.param.watch(lambda event: self._offer_inputs(), "value")
        self._input.param.watch(lambda event: self._offer_sources(), "value")
        self._wire_button = pn.widgets.Button(label="Connect", color="primary")
        self._wire_button.on_click(lambda event: self.connect(
            self._target.value, self._input.value,
            None if self._source.value == NONE else self._source.value))
        self._controls = [
            self._node_menu, self._remove_button,
            pn.pane.HTML("<b>Add a node</b>", margin=(15, 10, 0, 10)),
            self._new_type, self._new_name, self._add_button,
            pn.pane.HTML("<b>Wire an input</b>", margin=(15, 10, 0, 10)),
            self._target, self._input, self._source, self._wire_button,
        ]

    # ------------------------------------------------------------- editing
    def new_node(self, type_name: str, key: str) -> Node:
        """Add a node of type ``type_name`` under ``key`` (named ``prefix + key``) and draw it.

        Raises
        ------
        ParameterError
            If the type is unknown or ``key`` is empty or already used.
        """
        cls = node_types().get(type_name)
        if cls is None:
            raise ParameterError(f"unknown node type {type_name!r}")
        if not key or not isinstance(key, str) or key in self.graph:
            raise ParameterError(f"choose a new, non-empty name for the {type_name} "
                                 f"(got {key!r}; the graph has {sorted(self.graph)})")
        extra = {"sandboxed": self._sandboxed} if "sandboxed" in cls.param else {}
        try:
            node = self.graph.add(key, cls(name=f"{self._prefix}{key}", **extra))
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        self.redraw()
        return node

    def add(self, type_name: str, key: str) -> Node | None:
        """Add a node as :meth:`new_node` does, select it and say so in :attr:`message`.

        Returns
        -------
        Node or None
            The new node, or ``None`` when it was refused (the reason is in
            :attr:`message`; nothing changed).
        """
        try:
            node = self.new_node(type_name, key)
        except ParameterError as exc:
            return self._report(str(exc))
        self.select(key)
        self._report(f"added {type_name} {key!r}; wire its inputs below", ok=True)
        return node

    def remove(self, key: str) -> bool:
        """Take the node ``key`` out of the graph; nodes that read it lose that input.

        Returns
        -------
        bool
            Whether it was removed (an unknown key is reported in :attr:`message`).
        """
        if key not in self.graph:
            self._report(f"no node named {key!r}")
            return False
        readers = sorted({down for up, down, _ in self.graph.edges() if up == key})
        self.graph.remove(key)
        self._views.pop(key, None)
        self._watched.discard(key)
        self.redraw()
        if self.selected not in self.graph:
            self._node_menu.value = next(iter(self.graph), None)
        unplugged = f"; unplugged the inputs of {', '.join(readers)}" if readers else ""
        self._report(f"removed {key!r}{unplugged}", ok=True)
        return True

    def connect(self, target: str, input_name: str, source: str | None) -> bool:
        """Wire ``graph[target].<input_name>`` to ``graph[source]`` (``None`` unplugs it).

        The engine checks the output kind and cycles; a refusal is shown in
        :attr:`message` and the wiring stays as it was.

        Returns
        -------
        bool
            Whether the connection was made.
        """
        if target not in self.graph or input_name not in self.graph[target].input_names():
            self._report(f"choose a node and one of its inputs (got {target!r}.{input_name!r})")
            return False
        upstream = None
        if source is not None:
            if source not in self.graph:
                self._report(f"no node named {source!r}")
                return False
            upstream = self.graph[source]
        try:
            setattr(self.graph[target], input_name, upstream)
        except (ParameterError, ValueError, TypeError) as exc:
            self._report(str(exc))
            return False
        self.redraw()
        what = f"from {source!r}" if source is not None else "unplugged"
        self._report(f"{target}.{input_name} {what}", ok=True)
        return True

    def _report(self, text, ok=False):
        self.message.object = _markdown_escape(text)
        self.message.alert_type = "success" if ok else "danger"
        self.message.visible = True

    # ------------------------------------------------------------ selecting
    @property
    def selected(self) -> str | None:
        """The key of the selected node (``None`` when the graph is empty)."""
        return self._node_menu.value

    def select(self, key: str) -> None:
        """Select the node ``key``: show its status and its own view, or its knobs and error."""
        if key in self.graph and key != self._node_menu.value:
            self._node_menu.value = key

    def _on_tap(self, attr, old, new):
        if new:
            self.select(self.nodes.data["key"][new[0]])

    def _on_menu(self, event):
        key = event.new
        if key is None:
            self._details[:] = []
            return
        node = self.graph[key]
        view = self._own_view(key, node)
        if view is None:   # a view has its own knobs and error banner
            self._details[:] = [self._status_line, self._error, knob_controls(node)[1]]
        else:
            self._details[:] = [self._status_line, view]
        self._details_wired = self._wired(node)
        self._update_status()
        self._highlight()
        if self._target.value != key:
            self._target.value = key

    def _highlight(self):
        """Outline the selected node's box (sent again after new data: browsers clear it)."""
        keys = self.nodes.data["key"]
        with pn.io.hold():
            self.nodes.selected.indices = []
            if self.selected in keys:
                self.nodes.selected.indices = [keys.index(self.selected)]

    def _update_status(self):
        key = self.selected
        if key is None:
            return
        node, status = self.graph[key], self.graph.status()[key]
        self._status_line.object = (
            f"<b>{html.escape(key)}</b> — {type(node).__name__}, outputs "
            f"<i>{html.escape(node.kind)}</i>, {STATUS_LABELS[status]}")
        self._error.visible = status == "error"
        if status == "error":
            self._error.object = _markdown_escape(error_message(node.error))

    @staticmethod
    def _wired(node):
        return all(upstream is not None for upstream in node.inputs.values())

    def _own_view(self, key, node):
        if self._view_for is None or not self._wired(node):
            return None    # an unwired node has nothing to show yet
        if key not in self._views:
            self._views[key] = self._view_for(node)
        return self._views[key]

    def _offer_inputs(self):
        key = self._target.value
        self._input.options = list(self.graph[key].input_names()) if key in self.graph else []
        self._offer_sources()

    def _offer_sources(self):
        key, input_name = self._target.value, self._input.value
        if key not in self.graph or not input_name:
            self._source.options = []
            return
        kinds = self.graph[key].param[input_name].kinds
        current = getattr(self.graph[key], input_name)
        candidates = [name for name, node in self.graph.items()
                      if name != key and (not kinds or node.kind in kinds)]
        self._source.options = [NONE, *candidates]
        self._source.value = next((name for name, node in self.graph.items() if node is current),
                                  NONE)

    # -------------------------------------------------------------- drawing
    def redraw(self) -> None:
        """Redraw nodes, wires and colours from the graph (nothing is computed)."""
        self._pending = False
        if hold_until_loaded(self, self.redraw):
            return
        self._watch_nodes()
        place = graph_layout(self.graph)
        status = self.graph.status()
        keys = list(self.graph)
        edges = self.graph.edges()
        with pn.io.hold():
            self.nodes.data = {
                "key": keys,
                "x": [place[k][0] for k in keys],
                "y": [place[k][1] for k in keys],
                "label": [f"{k}\n{type(self.graph[k]).__name__} → {self.graph[k].kind}"
                          for k in keys],
                "type": [type(self.graph[k]).__name__ for k in keys],
                "kind": [self.graph[k].kind for k in keys],
                "status": [STATUS_LABELS[status[k]] for k in keys],
                "color": [STATUS_COLORS[status[k]] for k in keys],
            }
            self.edges.data = {
                "source": [up for up, _, _ in edges],
                "target": [down for _, down, _ in edges],
                "input": [name for _, _, name in edges],
                "x0": [place[up][0] + BOX_W for up, _, _ in edges],
                "y0": [place[up][1] for up, _, _ in edges],
                "x1": [place[down][0] - BOX_W for _, down, _ in edges],
                "y1": [place[down][1] for _, down, _ in edges],
                "xm": [(place[up][0] + place[down][0]) / 2 for up, down, _ in edges],
                "ym": [(place[up][1] + place[down][1]) / 2 for up, down, _ in edges],
            }
            if self._drawn is None or self._drawn[:2] != (tuple(keys), tuple(edges)):
                self._node_menu.options, self._target.options = list(keys), list(keys)
                self._fit(place.values())
                self._offer_sources()
            self._highlight()
            key = self.selected
            if key is not None and self._wired(self.graph[key]) != self._details_wired:
                self._node_menu.param.trigger("value")    # its own view may now be shown
            self._update_status()
        self._drawn = self._snapshot()

    def _fit(self, points):
        """Frame the boxes with a margin (at least three rows high, so boxes keep their shape)."""
        xs, ys = [x for x, _ in points] or [0.0], [y for _, y in points] or [0.0]
        half_height = max((max(ys) - min(ys)) / 2 + 0.6, 1.5)
        middle = (max(ys) + min(ys)) / 2
        bounds = {self.figure.x_range: (min(xs) - 0.6, max(xs) + 0.6),
                  self.figure.y_range: (middle - half_height, middle + half_height)}
        for axis, (start, end) in bounds.items():
            axis.update(start=start, end=end, reset_start=start, reset_end=end)

    def _snapshot(self):
        return (tuple(self.graph), tuple(self.graph.edges()), tuple(self.graph.status().items()))

    def _watch_nodes(self):
        for key, node in self.graph.items():
            if key not in self._watched:
                # after the views' own watchers, so that their pulls are drawn
                node.param.watch(self._on_changed, "changed", precedence=1)
                self._watched.add(key)

    def _on_changed(self, event):
        doc = served_document()
        if doc is None:
            self.redraw()
        elif not self._pending:
            self._pending = True
            doc.add_next_tick_callback(self.redraw)

    def _poll(self):
        if not self._pending and self._snapshot() != self._drawn:
            self.redraw()

    def __panel__(self):
        return self._layout
