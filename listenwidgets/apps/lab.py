"""The lab: one chapter for a notebook, or every chapter in a served dashboard.

>>> import listenwidgets as lw
>>> page = lw.lab.chapter("stft")   # doctest: +SKIP
>>> page                            # displays inline in Jupyter  # doctest: +SKIP

Each call builds new nodes and views: nothing is shared at module level, so
every notebook cell and every browser session has its own graph.
"""

from __future__ import annotations

import logging

import panel as pn

from ..errors import ParameterError
from ..views.offline import embed_stylesheets
from .page import Page
from .registry import CHAPTERS, get_chapter
from .state import UrlState, decode_state

__all__ = ["chapter", "chapters", "app", "apply_url_state", "EXTENSIONS"]

log = logging.getLogger(__name__)

#: Panel extensions the lab needs (MathJax, from Bokeh's own bundle, typesets the formulas).
EXTENSIONS = ("mathjax",)


def chapters() -> list[str]:
    """The chapter names, in curriculum order."""
    return [c.name for c in CHAPTERS]


def chapter(name: str, *, sandboxed: bool = False):
    """Build one chapter page, ready to display in a notebook (or ``.servable()``).

    Parameters
    ----------
    name : str
        One of :func:`chapters` (e.g. ``"sampling"``, ``"fourier"``, ``"stft"``).
    sandboxed : bool
        When True the page's audio sources refuse server paths (as in the served lab).

    Returns
    -------
    listenwidgets.apps.page.Page
        A Panel viewer; ``page.graph`` holds its nodes by name.
    """
    _load_extensions()
    return get_chapter(name).build(sandboxed=sandboxed)


def app(*, sandboxed: bool = True):
    """Build the whole lab for one browser session.

    A sidebar lists the chapters in curriculum order; a page is built the
    first time it is opened in this session (with its own nodes) and kept
    while the session lives. The chosen chapter and the knobs of its page
    that differ from the defaults are mirrored in the URL
    (``?chapter=stft&state=...``, see :mod:`listenwidgets.apps.state`), so a
    link opens that chapter with the same knobs. A malformed ``state`` is
    refused with a message on the page, which then shows its defaults.

    Parameters
    ----------
    sandboxed : bool
        True (the default, for serving): audio sources refuse server paths.

    Returns
    -------
    panel.template.BootstrapTemplate
        (Bootstrap rather than the Fast templates, whose design loads a web font
        from Google: the lab requests nothing from other hosts.)
    """
    _load_extensions()
    menu = pn.widgets.RadioButtonGroup(
        options={c.label: c.name for c in CHAPTERS}, value=_requested_chapter(),
        orientation="vertical", sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")
    pages = {}
    url = UrlState(pn.state.location) if pn.state.location is not None else None

    def show(name):
        if name not in pages:
            pages[name] = _build_page(name, sandboxed)
        main[:] = [pages[name]]
        if url is not None and url.page is not None:
            url.show(pages[name])

    menu.param.watch(lambda event: show(event.new), "value")
    if pn.state.location is not None:
        pn.state.location.sync(menu, {"value": "chapter"})
    pages[menu.value] = _build_page(menu.value, sandboxed)
    state = _session_arg("state")
    if state:
        apply_url_state(pages[menu.value], state)
    show(menu.value)
    if url is not None:
        # Only once the browser has the page: a URL written before would be overwritten by
        # the browser's own when it connects. (The callback lives on the session's document,
        # not in pn.state.onload's table, which would keep a never-loaded session alive.)
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.on_event("document_ready", lambda event: url.show(pages[menu.value]))
        else:
            url.show(pages[menu.value])
    about = pn.pane.Markdown(
        "Turn any knob: everything downstream recomputes. Every signal has a player. "
        "Formulas show the current values.", sizing_mode="stretch_width")
    return pn.template.BootstrapTemplate(
        title="listenwidgets — a machine-listening lab", sidebar=[menu, about], main=[main],
        sidebar_width=300, header_background="#1f4e79")


def _load_extensions():
    """Load :data:`EXTENSIONS` once per notebook kernel, or once per served session.

    In a notebook the bundle is inline (it works offline) and every
    ``pn.extension`` call re-sends it (about 10 MB), so a second chapter in the
    same kernel skips it. Panel's stylesheets are embedded too, also in the
    updates after a cell is displayed and in ``pn.ipywidget`` (see
    :mod:`listenwidgets.views.offline`).
    """
    served = pn.state.curdoc is not None and pn.state.curdoc.session_context is not None
    loaded = pn.extension._loaded and all(e in pn.extension._loaded_extensions for e in EXTENSIONS)
    if served:
        pn.extension(*EXTENSIONS)
    elif not loaded:   # a notebook: embed Bokeh's and Panel's JavaScript and CSS, no CDN
        pn.extension(*EXTENSIONS, inline=True)
        embed_stylesheets()


def apply_url_state(page, text: str) -> bool:
    """Apply the ``state`` of a URL to ``page``; if it is refused, say why on the page.

    Parameters
    ----------
    page : listenwidgets.apps.page.Page
        The page the URL opened (anything else, e.g. a page that failed to
        build, is left alone).
    text : str
        The URL's ``state`` (see :func:`~listenwidgets.apps.state.decode_state`).

    Returns
    -------
    bool
        True when the state was applied; False when it was refused (the page
        keeps its defaults and shows the reason).
    """
    if not isinstance(page, Page):
        return False
    try:
        page.load_state(decode_state(text))
    except ParameterError as exc:
        log.info("refused the state of a URL: %s", exc)
        page.notify(f"The link's settings were not applied, so the page shows its defaults: {exc}")
        return False
    return True


def _session_arg(name: str) -> str:
    """The query parameter ``name`` of this session's URL (``""`` when absent)."""
    return (pn.state.session_args or {}).get(name, [b""])[0].decode(errors="replace")


def _requested_chapter() -> str:
    """The chapter named by the URL (``?chapter=stft``) of this session, else the first."""
    names = chapters()
    requested = _session_arg("chapter")
    return requested if requested in names else names[0]


def _build_page(name, sandboxed):
    """Build a page; if that fails, an error message takes its place (the lab keeps working)."""
    try:
        return get_chapter(name).build(sandboxed=sandboxed)
    except Exception as exc:  # noqa: BLE001 - one broken page must not break the lab
        log.exception("building chapter %r failed", name)
        return pn.pane.Alert(f"**This chapter could not be built** — {type(exc).__name__}: {exc}",
                             alert_type="danger")
