"""A served view whose pull takes over SLOW_SECONDS moves off the event loop and shows a spinner."""

import threading
import time
from types import SimpleNamespace

import panel as pn
import param
import pytest
from bokeh.document import Document
from panel.io.state import set_curdoc

from listenwidgets.nodes import Node
from listenwidgets.views.base import SLOW_SECONDS, NodeView


class Slow(Node):
    """Outputs its knob after ``seconds`` of work."""

    kind = "number"
    seconds = param.Number(0.0, bounds=(0, 5), doc="How long a computation takes.")

    def compute(self):
        time.sleep(self.seconds)
        return self.seconds


class NumberView(NodeView):
    def _build(self):
        self.shown_value = pn.pane.Str("")
        return [self.shown_value]

    def _draw(self, output):
        self.shown_value.object = str(output)


@pytest.fixture
def served():
    """A loaded served session's document (its callbacks are run by hand)."""
    doc = Document()
    doc._session_context = lambda: SimpleNamespace(
        session=SimpleNamespace(connection_count=1), destroyed=False,
        request=SimpleNamespace(arguments={}, cookies={}, headers={}))
    with set_curdoc(doc):
        pn.state._loaded[doc] = True
        yield doc
        del pn.state._loaded[doc]


def run_callbacks(doc):
    for callback in list(doc.callbacks.session_callbacks):
        doc.callbacks.remove_session_callback(callback)
        callback.callback()


def pull_threads():
    return [t for t in threading.enumerate() if t.name.startswith("pull-")]


def test_a_slow_pull_moves_off_the_event_loop_and_shows_the_loading_indicator(served):
    view = NumberView(Slow(name="slow", seconds=2 * SLOW_SECONDS))
    view.refresh()                                   # measured on the event loop: slow
    assert view.shown_value.object == str(2 * SLOW_SECONDS) and not pull_threads()
    view.node.seconds = 3 * SLOW_SECONDS
    view.refresh()                                   # now in a worker thread
    assert view._busy and not view._layout.loading   # no spinner for the first 200 ms
    for thread in pull_threads():
        thread.join()
    timeouts = [c for c in served.callbacks.session_callbacks if hasattr(c, "timeout")]
    assert [c.timeout for c in timeouts] == [SLOW_SECONDS * 1000]
    timeouts[0].callback()                           # 200 ms later, still busy: the spinner
    assert view._layout.loading
    run_callbacks(served)                            # the pull's result, on the event loop
    assert not view._layout.loading and view.shown_value.object == str(3 * SLOW_SECONDS)


def test_a_fast_pull_stays_on_the_event_loop_without_a_spinner(served):
    view = NumberView(Slow(name="fast", seconds=0.0))
    view.refresh()
    view.node.seconds = 0.001
    view.refresh()
    assert not pull_threads() and not view._layout.loading
    assert view.shown_value.object == "0.001"
