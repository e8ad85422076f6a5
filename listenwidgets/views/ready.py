"""Hold a served page's updates while its browser is loading it, so that none is lost.

A browser opening a served page first pulls the whole document, renders it,
and then reports ``document_ready``. Panel sends model changes only once the
session is marked loaded (at ``document_ready``); changes made before that are
assumed to be in the pulled document. That holds until the pull: a change made
*between* the pull and ``document_ready`` (a view finishing its first
computation in the background, the graph's status poll) never reaches the
browser, which keeps showing the old data.

:func:`hold_until_loaded` closes that gap: in that window an update is kept
(the latest per key) and run on the session's event loop right after the
browser is ready. Before the pull and after loading it runs at once; in a
notebook always.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable

import panel as pn

__all__ = ["hold_until_loaded", "served_document"]

#: The updates held per document, by key (documents of closed sessions drop out).
_HELD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def served_document():
    """The current Bokeh document when it belongs to a server session (else None: a notebook)."""
    doc = pn.state.curdoc
    return doc if doc is not None and doc.session_context is not None else None


def hold_until_loaded(key: Hashable, update: Callable[[], None]) -> bool:
    """Keep ``update`` until the browser has loaded the current session's page, if it is loading.

    Call it on the session's event loop (``pn.state.curdoc`` is the session's
    document), before applying an update to the page's models.

    Parameters
    ----------
    key : hashable
        Who updates (e.g. a view): a later update with the same key replaces
        an earlier one still held.
    update : callable
        Applies the update; called with no arguments on the event loop once
        the page is loaded.

    Returns
    -------
    bool
        True when ``update`` was held (the caller must not apply it now);
        False when the caller should apply it at once.
    """
    doc = served_document()
    if doc is None or pn.state.loaded:
        return False
    session = doc.session_context.session
    if session is None or session.connection_count == 0:
        return False       # not pulled yet: the pull will carry the change
    held = _HELD.get(doc)
    if held is None:
        held = _HELD[doc] = {}
        doc.on_event("document_ready",
                     lambda event: doc.add_next_tick_callback(lambda: _run_held(doc)))
    held[key] = update
    return True


def _run_held(doc) -> None:
    for update in _HELD.pop(doc, {}).values():
        update()
