"""Updates made while a browser loads a served page are held until it is ready, then applied."""

from types import SimpleNamespace

import panel as pn
from bokeh.document import Document
from bokeh.events import DocumentReady
from panel.io.state import set_curdoc

from listenwidgets.views.ready import hold_until_loaded


def served_document(connections):
    """A document as a served session's: Panel has not marked it loaded yet."""
    doc = Document()
    doc._session_context = lambda: SimpleNamespace(       # what doc.session_context returns
        session=SimpleNamespace(connection_count=connections), destroyed=False)
    return doc


def run_next_tick_callbacks(doc):
    for callback in list(doc.callbacks.session_callbacks):
        doc.callbacks.remove_session_callback(callback)
        callback.callback()


def test_an_update_between_the_pull_and_ready_is_held_and_the_latest_one_runs_after_ready():
    doc, applied = served_document(connections=1), []
    with set_curdoc(doc):
        assert hold_until_loaded("view", lambda: applied.append(1))
        assert hold_until_loaded("view", lambda: applied.append(2))     # replaces 1
        assert hold_until_loaded("graph", lambda: applied.append("graph"))
        assert applied == []
        doc.callbacks.trigger_event(DocumentReady())
        run_next_tick_callbacks(doc)
    assert applied == [2, "graph"]


def test_before_the_pull_in_a_notebook_and_once_loaded_updates_run_at_once():
    with set_curdoc(served_document(connections=0)):       # the pull will carry the change
        assert not hold_until_loaded("view", lambda: None)
    assert not hold_until_loaded("view", lambda: None)      # a notebook: no session
    doc = served_document(connections=1)
    with set_curdoc(doc):
        pn.state._loaded[doc] = True                         # what Panel sets at document_ready
        try:
            assert not hold_until_loaded("view", lambda: None)
        finally:
            del pn.state._loaded[doc]
