"""The shared base of every view: one node, its controls, formula, errors and lazy updates.

How a view stays current without wasting work
---------------------------------------------
A view watches its node's ``changed`` event, which fires (cheaply, nothing is
computed) whenever the node or anything upstream changes. The view then

- **refreshes at once** when it is *shown*: rendered somewhere (a notebook
  cell, a browser page) **and** :attr:`NodeView.active`;
- otherwise it only marks itself dirty and does **not** pull the node. It
  catches up when it is next rendered (the root layout calls back from
  ``_get_model``) or made active again.

:func:`~listenwidgets.views.tabs.view_tabs` sets ``active`` so that views in
hidden tabs pause; a chapter page that is not on screen has no rendered
models, so its views pause too.

A refresh pulls ``node.output`` (the engine computes what is stale), then
replaces the data of the Bokeh sources built in :meth:`NodeView._build` (in
place, inside :func:`panel.io.hold`), the error banner and the substituted
formula. Figures are never rebuilt. While a browser is still loading a served
page, the update is held until it is ready (:mod:`~listenwidgets.views.ready`):
Panel would drop it.
"""

from __future__ import annotations

import html
import re
import threading
import time
from typing import ClassVar

import panel as pn
import param

from ..nodes import Node, UpstreamError
from .controls import knob_controls
from .figures import new_figure, new_source
from .formula import FormulaPane
from .offline import embed_stylesheets
from .ready import hold_until_loaded, served_document

__all__ = ["NodeView", "ViewLayout", "error_message", "SLOW_SECONDS"]

#: A pull longer than this (seconds) shows a loading indicator; the view then pulls off the
#: event loop, so that the rest of the page stays responsive.
SLOW_SECONDS = 0.2


def error_message(error: BaseException) -> str:
    """A one-line, user-facing account of a node's error.

    An :class:`~listenwidgets.nodes.UpstreamError` is unwrapped to the node
    that actually failed and its original message.
    """
    failed = None
    while isinstance(error, UpstreamError):
        failed, error = error.node_name, error.cause
    text = f"{type(error).__name__}: {error}"
    return f"Upstream node {failed!r} failed. {text}" if failed else text


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*{}\[\]#|])", r"\\\1", html.escape(text, quote=False))


class ViewLayout(pn.Column):
    """The root layout of a :class:`NodeView`; tells the view when it is rendered.

    Parameters
    ----------
    *objects
        The layout's children.
    view : NodeView
        The view to notify.
    """

    def __init__(self, *objects, view, **params):
        super().__init__(*objects, **params)
        self.view = view

    @property
    def rendered(self) -> bool:
        """True while the layout is displayed in at least one document or notebook cell."""
        return bool(self._models)

    def _get_model(self, doc, root=None, parent=None, comm=None):
        self.view._catch_up()
        return super()._get_model(doc, root, parent, comm)

    def get_root(self, doc=None, comm=None, preprocess=True):
        if pn.config.inline:
            embed_stylesheets()   # e.g. a view shown through pn.ipywidget, no chapter loaded
        return super().get_root(doc, comm, preprocess)


class NodeView(pn.viewable.Viewer):
    """A Panel view of one node: controls from its knobs, plots updated in place.

    Subclasses build their figures and sources once in :meth:`_build` and
    draw a node output into them in :meth:`_draw`.

    Parameters
    ----------
    node : listenwidgets.nodes.Node
        The node to show.
    title : str, optional
        The heading (default: the node's class name).
    knobs : list of str, optional
        The knobs to offer as controls (default: every knob with a
        non-negative precedence; ``[]`` for none).
    widgets : dict, optional
        Widget specs by knob name, merged over the view's own (see
        :func:`~listenwidgets.views.controls.knob_controls`).
    **params
        ``active``, ``throttled`` and the view's display parameters.

    Attributes
    ----------
    figures : list of bokeh.plotting.figure
        The view's figures, built once.
    sources : dict of str to bokeh.models.ColumnDataSource
        The view's data sources by role; each is named ``"<node name>.<role>"``.
    """

    active = param.Boolean(default=True, doc=(
        "Whether the view may pull its node. False while it is hidden (e.g. in a background "
        "tab); it catches up when made active again."))

    throttled = param.Boolean(default=False, constant=True, doc=(
        "Sliders change the node when released rather than while dragging (for expensive "
        "nodes)."))

    #: Display parameters of the view itself, shown under the node's knobs.
    display_knobs: ClassVar[tuple[str, ...]] = ()

    #: The display parameters whose change redraws the plots (from the node's cached output).
    redraw_knobs: ClassVar[tuple[str, ...]] = ()

    #: Widget specs for the node's knobs, by name (merged under the ``widgets`` argument).
    knob_widgets: ClassVar[dict] = {}

    #: Always pull in a worker thread when served (for nodes that take seconds); other views
    #: do once a pull has taken over :data:`SLOW_SECONDS`.
    background: ClassVar[bool] = False

    #: Pixel columns the data is reduced to (about the plots' width).
    n_columns: ClassVar[int] = 800

    #: Pixel rows an image is reduced to (about the image plot's height).
    n_rows: ClassVar[int] = 300

    def __init__(self, node: Node, *, title: str | None = None, knobs=None, widgets=None,
                 **params):
        if not isinstance(node, Node):
            raise TypeError(f"{type(self).__name__} shows a Node, got node={node!r}")
        super().__init__(**params)
        self.node = node
        self._dirty = True
        self._busy = False
        self._slow = False
        self._pulls = 0
        self._param_pane, controls = knob_controls(
            node, knobs=knobs, widgets={**self.knob_widgets, **(widgets or {})},
            throttled=self.throttled)
        self._error = pn.pane.Alert("", alert_type="danger", visible=False,
                                    sizing_mode="stretch_width", margin=(5, 10))
        self._formula = FormulaPane(node)
        side = [controls]
        if self.display_knobs:
            self._display_param_pane, display = knob_controls(
                self, knobs=list(self.display_knobs), name_labels=False)
            side += [pn.pane.HTML("<b>Display</b>", margin=(10, 10, 0, 10)), display]
        if self.redraw_knobs:
            self.param.watch(self._on_display, list(self.redraw_knobs))
        self.figures = []
        self.sources = {}
        body = self._build()
        self._layout = ViewLayout(
            pn.pane.HTML(html.escape(title or type(node).__name__), margin=(10, 10, 0, 10),
                         styles={"font-size": "1.15em", "font-weight": "bold"}),
            pn.Row(pn.Column(*side, width=300),
                   pn.Column(self._error, *body, self._formula, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            view=self, sizing_mode="stretch_width")
        node.param.watch(self._on_changed, "changed")
        self.param.watch(self._on_active, "active")

    # ------------------------------------------------------------ subclass API
    def _figure(self, **kwargs):
        """Make a figure (see :func:`~listenwidgets.views.figures.new_figure`) and register it."""
        fig = new_figure(**kwargs)
        self.figures.append(fig)
        return fig

    def _source(self, role: str, **columns):
        """Make a ColumnDataSource named ``"<node name>.<role>"`` and register it by role."""
        source = new_source(f"{self.node.name}.{role}", **columns)
        self.sources[role] = source
        return source

    def _build(self) -> list:
        """Build the figures, sources and players once; return the body's Panel objects."""
        raise NotImplementedError

    def _draw(self, output) -> None:
        """Replace the sources' data (in place) with what ``output`` shows."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    @property
    def shown(self) -> bool:
        """True when the view is rendered somewhere and active: it then updates at once."""
        return self.active and self._layout.rendered

    @property
    def dirty(self) -> bool:
        """True when the node changed since the view last drew it."""
        return self._dirty

    # -------------------------------------------------------------- updating
    def refresh(self) -> None:
        """Pull the node's output and redraw everything in place.

        When served, a view whose node is slow (:attr:`background`, or its
        last pull took over :data:`SLOW_SECONDS`) pulls in a worker thread,
        and shows Panel's loading indicator if the pull lasts longer than that.
        """
        self._dirty = False
        doc = served_document()
        if (self.background or self._slow) and doc is not None:
            self._refresh_in_background(doc)
            return
        start = time.perf_counter()
        output, error = self.node.output, self.node.error
        self._slow = time.perf_counter() - start > SLOW_SECONDS
        self._apply(output, error)

    def _apply(self, output, error) -> None:
        if hold_until_loaded(self, lambda: self._apply(output, error)):
            return
        with pn.io.hold():
            if error is None:
                self._error.visible = False
            else:
                self._error.object = f"**Error** — {_markdown_escape(error_message(error))}"
                self._error.visible = True
            if output is not None:
                self._draw(output)
            self._formula.update()
        pn.io.push_notebook(self._layout)

    def _refresh_in_background(self, doc) -> None:
        if self._busy:
            self._dirty = True   # the running pull will be followed by another
            return
        self._busy = True
        pulling = self._pulls = self._pulls + 1
        doc.add_timeout_callback(lambda: self._show_loading(pulling), int(SLOW_SECONDS * 1000))
        node = self.node

        def pull():
            start = time.perf_counter()
            output, error = node.output, node.error
            self._slow = time.perf_counter() - start > SLOW_SECONDS
            if doc.session_context is None or doc.session_context.destroyed:
                return            # the session ended while pulling: nobody to show it to
            try:
                doc.add_next_tick_callback(lambda: self._finish(output, error))
            except Exception:  # noqa: BLE001 - the session ended just now (a race): as above
                self._busy = False

        threading.Thread(target=pull, daemon=True, name=f"pull-{node.name}").start()

    def _set_loading(self, value: bool) -> None:
        """Show or hide Panel's loading indicator over the view (held like data while the page loads).

        A change lost while the browser loads the page would leave it spinning
        over the view, blocking its controls.
        """
        if not hold_until_loaded((self, "loading"), lambda: self._set_loading(value)):
            self._layout.loading = value

    def _show_loading(self, pulling: int) -> None:
        if self._busy and self._pulls == pulling:
            self._set_loading(True)

    def _finish(self, output, error) -> None:
        self._busy = False
        self._set_loading(False)
        if self._dirty and self.shown:
            self.refresh()
        else:
            self._apply(output, error)

    def _catch_up(self) -> None:
        if self._dirty:
            self.refresh()

    def _on_changed(self, event) -> None:
        self._dirty = True
        if self.shown:
            self.refresh()

    def _on_active(self, event) -> None:
        if event.new and self._layout.rendered:
            self._catch_up()

    def _on_display(self, *events) -> None:
        if self.shown:
            self.refresh()
        else:
            self._dirty = True

    def __panel__(self):
        return self._layout
