"""The graph page in headless Chromium: boxes drawn, a click selects, a bad knob turns boxes red.

The page is served on its own here (this module's ``lab_url`` overrides the
lab's), so it is tested whether or not the lab's registry lists it yet; its
log is ``artifacts/browser/graph-serve.log``. The browser and the page helper
(``new_page``) come from ``conftest.py``.
"""

import os
import sys
import time
from pathlib import Path

import pytest
from tests.servers import free_port, running

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("LISTENWIDGETS_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "artifacts")) / "browser"
SERVER_LOG = ARTIFACTS / "graph-serve.log"

SERVE = """
import sys
import panel as pn
from listenwidgets.apps.pages import graph

def session():
    pn.extension("mathjax")
    return graph.build(sandboxed=True)

pn.config.resources = "server"
port = int(sys.argv[1])
pn.serve({"/": session}, port=port, address="127.0.0.1", show=False, threaded=False,
         websocket_origin=[f"127.0.0.1:{port}"])
"""

# A named ColumnDataSource's columns as plain lists (strings kept whole).
READ_COLUMNS = """(name) => {
  for (const doc of window.Bokeh.documents) {
    const model = doc.get_model_by_name(name);
    if (model) {
      const data = model.data instanceof Map ? Object.fromEntries(model.data) : model.data;
      return Object.fromEntries(
        Object.entries(data).map(([key, column]) => [key, Array.from(column)]));
    }
  }
  return null;
}"""

# The selected rows of a named ColumnDataSource (the outlined boxes).
SELECTED = """(name) => window.Bokeh.documents.map((doc) => doc.get_model_by_name(name))
  .find((m) => m).selected.indices"""

# The page coordinates of a data point (x, y) of a named Bokeh figure.
DATA_POINT = """([name, x, y]) => {
  const model = window.Bokeh.documents.map((doc) => doc.get_model_by_name(name)).find((m) => m);
  const view = window.Bokeh.index.find_one(model);
  const box = view.el.getBoundingClientRect();
  return [box.x + view.frame.x_scale.compute(x), box.y + view.frame.y_scale.compute(y)];
}"""


@pytest.fixture(scope="module")
def lab_url():
    """Serve the graph page alone in a subprocess; stop it (and only it) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running([sys.executable, "-c", SERVE, str(port)], ready_url=url, log=SERVER_LOG,
                 what="the graph page"):
        yield url


def _columns(page, name):
    return page.page.evaluate(READ_COLUMNS, name)


def _wait(page, name, test, timeout=30.0):
    """The source's columns once ``test(columns)`` holds (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        data = _columns(page, name)
        if (data and test(data)) or time.monotonic() > deadline:
            return data
        page.page.wait_for_timeout(250)


def test_graph_page_draws_the_graph_and_follows_clicks_knobs_and_wiring(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url)
    page.wait_for_source("graph.graph.nodes")
    nodes = _columns(page, "graph.graph.nodes")
    assert nodes["key"] == ["audio", "stft", "mel", "mfcc"]
    assert _columns(page, "graph.graph.edges")["input"] == ["source", "spectrogram", "mel"]
    # the MFCC view is shown (mfcc is selected): it pulls the chain, and the poll draws it fresh
    nodes = _wait(page, "graph.graph.nodes", lambda d: set(d["status"]) == {"fresh"})
    assert set(nodes["status"]) == {"fresh"}, nodes["status"]
    page.screenshot("graph-page")

    x, y = nodes["x"][1], nodes["y"][1]                       # click the STFT box
    page.page.mouse.click(*page.page.evaluate(DATA_POINT, ["graph.graph.figure", x, y]))
    page.wait_for_source("graph.stft.image")
    assert page.page.get_by_role("combobox", name="Node", exact=True).input_value() == "stft"

    page.page.get_by_role("combobox", name="Node", exact=True).select_option("mel")
    page.wait_for_source("graph.mel.filterbank")
    page.slider_handle("n_mels").focus()
    page.page.keyboard.press("Home")                         # n_mels = 8 < n_mfcc = 20
    page.page.get_by_role("combobox", name="Node", exact=True).select_option("mfcc")
    nodes = _wait(page, "graph.graph.nodes", lambda d: d["status"][3] == "error")
    assert nodes["status"] == ["fresh", "fresh", "fresh", "error"], nodes["status"]
    assert page.page.get_by_text("cannot exceed n_mels=8").count() >= 1
    page.screenshot("graph-page-error")

    page.page.get_by_role("combobox", name="Add a node of type", exact=True).select_option("ISTFT")
    page.page.get_by_role("textbox", name="named", exact=True).fill("istft")
    page.page.get_by_role("button", name="Add node").click()
    _wait(page, "graph.graph.nodes", lambda d: "istft" in d["key"])
    wire = page.page.get_by_role("combobox", name="Wire the node", exact=True)
    wire.select_option("istft")
    page.page.get_by_role("combobox", name="from the node", exact=True).select_option("stft")
    page.page.get_by_role("button", name="Connect").click()
    edges = _wait(page, "graph.graph.edges", lambda d: "istft" in d["target"])
    assert ("stft", "istft") in zip(edges["source"], edges["target"])
    wire.select_option("stft")
    page.page.get_by_role("combobox", name="from the node", exact=True).select_option("istft")
    page.page.get_by_role("button", name="Connect").click()
    page.page.get_by_text("would close a cycle").wait_for(timeout=10_000)
    assert _columns(page, "graph.graph.edges")["source"][0] == "audio"
    assert page.page.evaluate(SELECTED, "graph.graph.nodes") == [4]      # istft outlined
    page.screenshot("graph-page-wiring")
    page.assert_clean()
    assert "Traceback" not in SERVER_LOG.read_text(), SERVER_LOG.read_text()
