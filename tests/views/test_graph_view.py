"""The graph view: boxes and arrows from a Graph, status colours, selection, adding and wiring."""

import pytest
from bokeh.models import Arrow, ColumnDataSource

from listenwidgets import ParameterError
from listenwidgets.apps.pages import graph as graph_page
from listenwidgets.nodes import MFCC, STFT, AudioSource, Graph, MelSpectrogram, SignalGenerator
from listenwidgets.views import MFCCView
from listenwidgets.views.graph import BOX_H, BOX_W, STATUS_COLORS, GraphView, graph_layout


def starter():
    audio = SignalGenerator(name="g.audio", duration=0.5)
    stft = STFT(name="g.stft", source=audio, n_fft=512)
    mel = MelSpectrogram(name="g.mel", spectrogram=stft, n_mels=32)
    mfcc = MFCC(name="g.mfcc", mel=mel)
    return Graph({"audio": audio, "stft": stft, "mel": mel, "mfcc": mfcc})


def colour(view, key):
    return view.nodes.data["color"][view.nodes.data["key"].index(key)]


def test_one_box_per_node_and_one_arrow_per_wire(render):
    graph = starter()
    view = GraphView(graph, prefix="g.")
    render(view)
    assert isinstance(view.nodes, ColumnDataSource) and view.nodes.name == "g.graph.nodes"
    assert view.nodes.data["key"] == ["audio", "stft", "mel", "mfcc"]
    assert view.nodes.data["type"] == ["SignalGenerator", "STFT", "MelSpectrogram", "MFCC"]
    assert view.nodes.data["kind"] == ["signal", "spectrogram", "mel", "mfcc"]
    assert view.edges.data["input"] == ["source", "spectrogram", "mel"]
    assert list(zip(view.edges.data["source"], view.edges.data["target"])) == [
        ("audio", "stft"), ("stft", "mel"), ("mel", "mfcc")]
    assert view.nodes.data["x"] == [0.0, 1.0, 2.0, 3.0]           # by topological depth
    assert all(x0 < x1 for x0, x1 in zip(view.edges.data["x0"], view.edges.data["x1"]))
    assert [a.source for a in view.figure.select(Arrow)] == [view.edges]
    x_range, y_range = view.figure.x_range, view.figure.y_range
    assert x_range.start < 0.0 - BOX_W and x_range.end > 3.0 + BOX_W  # every box in view
    assert y_range.start < -BOX_H and y_range.end > BOX_H
    assert set(view.nodes.data["status"]) == {"stale"}             # nothing computed by drawing
    assert all(node.stale for _, node in graph.items())


def test_layout_spreads_siblings_in_a_column():
    graph = starter()
    graph.add("frame", STFT(name="g.frame", source=graph["audio"]))
    place = graph_layout(graph)
    assert place["stft"][0] == place["frame"][0] == 1.0
    assert place["stft"][1] != place["frame"][1]
    assert place["mfcc"] == (3.0, 0.0)


def test_colours_follow_status_a_bad_knob_turns_it_and_downstream_red(render):
    graph = starter()
    view = GraphView(graph, prefix="g.")
    render(view)
    assert graph["mfcc"].output is not None
    view.redraw()
    assert set(view.nodes.data["color"]) == {STATUS_COLORS["ok"]}
    graph["mel"].fmin = 20000.0                                    # above fmax: a ParameterError
    assert colour(view, "mel") == colour(view, "mfcc") == STATUS_COLORS["stale"]
    assert colour(view, "audio") == STATUS_COLORS["ok"]
    assert graph["mfcc"].output is None
    view.redraw()
    assert colour(view, "mel") == colour(view, "mfcc") == STATUS_COLORS["error"]
    assert view.nodes.data["status"] == ["fresh", "fresh", "error", "error"]
    view.select("mel")
    assert view._error.visible and "fmin=20000.0" in view._error.object
    graph["mel"].fmin = 0.0
    assert graph["mfcc"].error is None
    view.redraw()
    assert set(view.nodes.data["color"]) == {STATUS_COLORS["ok"]} and not view._error.visible


def test_clicking_a_box_selects_the_node_and_shows_its_knobs_or_its_view(render):
    graph = starter()
    views = []

    def view_for(node):
        if isinstance(node, MFCC):
            views.append(MFCCView(node))
            return views[-1]
        return None

    view = GraphView(graph, prefix="g.", view_for=view_for)
    render(view)
    view.nodes.selected.indices = [1]                              # a tap on the STFT box
    assert view.selected == "stft" and view._target.value == "stft"
    knob_widgets = [w.name for w in view._details.select(lambda o: hasattr(o, "value"))]
    assert "n_fft" in knob_widgets and "STFT" in view._status_line.object
    view.select("mfcc")
    assert view.nodes.selected.indices == [3]
    assert views and any(obj is views[0]._layout for obj in view._details.select())
    view.select("stft")
    view.select("mfcc")
    assert len(views) == 1                                          # each view made once


def test_adding_a_node_and_wiring_it_and_the_refusals(render):
    graph = starter()
    view = GraphView(graph, prefix="g.", sandboxed=True)
    render(view)
    source = view.add("AudioSource", "clip")
    assert source is graph["clip"] and source.name == "g.clip" and source.sandboxed
    assert len(view.nodes.data["key"]) == 5 and view.selected == "clip"
    assert view.add("STFT", "stft") is None and "non-empty name" in view.message.object
    assert view.add("NoSuchNode", "x") is None and "unknown node type" in view.message.object
    assert len(graph) == 5

    view._target.value, view._input.value = "stft", "source"
    assert view._source.options == ["(none)", "audio", "clip"]     # only signal-kind nodes
    assert view._source.value == "audio"
    assert view.connect("stft", "source", "clip")
    assert graph["stft"].source is source and view.message.alert_type == "success"
    assert ("clip", "stft", "source") in zip(*(view.edges.data[c]
                                               for c in ("source", "target", "input")))

    assert not view.connect("mfcc", "mel", "stft")                # wrong kind
    assert view.message.alert_type == "danger"
    assert "takes a node whose output is mel" in view.message.object
    assert graph["mfcc"].mel is graph["mel"]

    istft = view.add("ISTFT", "istft")
    assert view.connect("istft", "spectrogram", "stft")
    assert not view.connect("stft", "source", "istft")             # a cycle
    assert "would close a cycle" in view.message.object and graph["stft"].source is source
    assert view.connect("istft", "spectrogram", None) and istft.spectrogram is None
    assert len(view.edges.data["input"]) == 3


def test_removing_a_node_unplugs_its_readers_and_selects_another(render):
    graph = starter()
    view = GraphView(graph, prefix="g.", sandboxed=True)
    render(view)
    view.select("mel")
    assert view.remove("mel")
    assert "mel" not in graph and graph["mfcc"].mel is None
    assert view.nodes.data["key"] == ["audio", "stft", "mfcc"]
    assert view.edges.data["target"] == ["stft"]
    assert view.selected == "audio" and "unplugged the inputs of mfcc" in view.message.object
    assert graph["mfcc"].error is not None                         # "mfcc.mel is not connected"
    assert colour(view, "mfcc") == STATUS_COLORS["stale"]
    assert not view.remove("mel") and "no node named 'mel'" in view.message.object


def test_a_saved_or_linked_graph_page_brings_back_the_nodes_a_user_added(render):
    from listenwidgets.apps.state import decode_state, encode_state

    page = graph_page.build(sandboxed=True)
    editor = page.editor
    editor.add("SignalGenerator", "tone")
    editor.connect("stft", "source", "tone")
    page.graph["tone"].frequency = 330.0
    editor.add("ISTFT", "istft")
    editor.connect("istft", "spectrogram", "stft")
    changes = page.changes()
    assert changes["tone"]["type"] == "SignalGenerator" and "type" not in changes["stft"]

    for state in (decode_state(encode_state(changes)), page.graph.to_json()):
        opened = graph_page.build(sandboxed=True)                   # another visitor
        opened.load_state(state)
        assert opened.graph.to_dict() == page.graph.to_dict()
        assert sorted(opened.editor.nodes.data["key"]) == sorted(page.graph)
        assert opened.graph["tone"].name == "graph.tone"

    opened = graph_page.build(sandboxed=True)
    bad = dict(changes, istft={**changes["istft"], "inputs": {"spectrogram": "nowhere"}})
    with pytest.raises(ParameterError, match="unknown node 'nowhere'"):
        opened.load_state(bad)                                      # all or nothing
    assert list(opened.graph) == ["audio", "stft", "mel", "mfcc"]
    assert opened.graph["stft"].source is opened.graph["audio"]
    with pytest.raises(ParameterError, match="origin='path' is disabled"):
        opened.load_state({"clip": {"type": "AudioSource", "knobs": {"origin": "path",
                                                                       "path": "/etc/passwd"}}})
    with pytest.raises(ParameterError, match="unknown node type 'Nope'"):
        opened.load_state({"x": {"type": "Nope"}})
    assert list(opened.graph) == ["audio", "stft", "mel", "mfcc"]


def test_the_page_builds_the_starter_graph_and_selects_mfcc(render):
    page = graph_page.build(sandboxed=True)
    assert list(page.graph) == ["audio", "stft", "mel", "mfcc"]
    assert all(node.name == f"graph.{key}" for key, node in page.graph.items())
    assert page.graph["audio"].sandboxed and isinstance(page.graph["audio"], AudioSource)
    render(page)
    assert any(isinstance(v.node, MFCC) for v in page.views)
    assert page.graph["mfcc"].error is None


@pytest.mark.parametrize("type_name", sorted(graph_page.VIEWS))
def test_every_listed_view_fits_its_node_type(type_name):
    from listenwidgets.nodes import node_types

    node = node_types()[type_name](name=f"graph.{type_name.lower()}")
    assert graph_page.view_for(node).node is node
