"""The four dataflow semantics of DESIGN.md, wiring checks and graph state, on toy nodes."""

import json

import param
import pytest

from listenwidgets.errors import ParameterError, WiringError
from listenwidgets.nodes import Graph, Input, Node, UpstreamError


class Number(Node):
    """A source node: outputs its knob."""

    kind = "number"
    value = param.Number(1.0, bounds=(0, 10), doc="The value to output.")

    def compute(self):
        return self.value


class Add(Node):
    """Adds its two inputs and an offset; a negative offset is a ParameterError."""

    kind = "number"
    a = Input(kinds=("number",), required=False, doc="First term (0 when not connected).")
    b = Input(kinds=("number",), required=False, doc="Second term (0 when not connected).")
    offset = param.Number(0.0, doc="Added to the sum; must be >= 0.")

    def compute(self, a, b):
        if self.offset < 0:
            raise ParameterError(f"offset must be >= 0, got offset={self.offset}")
        return (a or 0.0) + (b or 0.0) + self.offset


class Negate(Node):
    """Minus its input, which must be connected."""

    kind = "number"
    x = Input(kinds=("number",), doc="The number to negate.")

    def compute(self, x):
        return -x


class Text(Node):
    """A node of another kind, for wiring checks."""

    kind = "text"
    text = param.String("hi", doc="The text to output.")

    def compute(self):
        return self.text


@pytest.fixture
def diamond():
    """A→B, A→C, B+C→D."""
    a = Number(name="A")
    b = Add(a=a, name="B")
    c = Add(a=a, offset=1.0, name="C")
    d = Add(a=b, b=c, name="D")
    return a, b, c, d


def counts(*nodes):
    return [n.compute_count for n in nodes]


def test_setting_a_knob_marks_descendants_stale_and_notifies_once_without_computing(diamond):
    a, b, c, d = diamond
    assert d.output == 3.0
    fired = []
    for node in diamond:
        node.param.watch(lambda event, node=node: fired.append(node.name), "changed")
    a.value = 2.0
    assert sorted(fired) == ["A", "B", "C", "D"]  # one notification each, D once despite two paths
    assert all(node.stale for node in diamond)
    assert counts(*diamond) == [1, 1, 1, 1]  # nothing computed yet


def test_knob_change_downstream_leaves_upstream_fresh(diamond):
    a, b, c, d = diamond
    d.output
    b.offset = 5.0
    assert not a.stale and not c.stale
    assert b.stale and d.stale


def test_diamond_computes_each_node_once_and_never_from_stale_input(diamond):
    a, b, c, d = diamond
    assert d.output == 3.0
    assert counts(*diamond) == [1, 1, 1, 1]
    seen = []
    d.param.watch(lambda event: seen.append(d.output), "changed")  # a watcher that pulls at once
    a.value = 4.0
    assert seen == [9.0]  # 4 + (4 + 1): pulled from fresh inputs inside the notification
    assert d.output == 9.0
    assert counts(*diamond) == [2, 2, 2, 2]


def test_unchanged_branch_not_recomputed(diamond):
    a, b, c, d = diamond
    d.output
    b.offset = 2.0
    assert d.output == 5.0
    assert counts(a, b, c, d) == [1, 2, 1, 2]


def test_lru_makes_returning_to_an_earlier_knob_value_free(diamond):
    a, b, c, d = diamond
    for value in (1.0, 2.0, 3.0):
        a.value = value
        d.output
    assert counts(*diamond) == [3, 3, 3, 3]
    a.value = 1.0  # an earlier position: every node answers from its cache
    assert d.output == 3.0
    assert counts(*diamond) == [3, 3, 3, 3]


def test_lru_is_bounded():
    node = Number()
    node.cache_size = 2
    for value in (1.0, 2.0, 3.0):
        node.value = value
        node.output
    node.value = 1.0  # evicted: computes again
    node.output
    assert node.compute_count == 4


def test_error_is_caught_reported_downstream_and_recovers(diamond):
    a, b, c, d = diamond
    c.offset = -1.0
    assert c.output is None
    assert isinstance(c.error, ParameterError) and "offset=-1.0" in str(c.error)
    assert d.output is None
    assert isinstance(d.error, UpstreamError) and "C" in str(d.error)
    assert b.output == 1.0 and b.error is None  # the other branch is unaffected
    c.offset = 1.0
    assert d.output == 3.0 and d.error is None


def test_unexpected_exception_is_caught_too():
    class Broken(Node):
        kind = "number"
        trigger = param.Boolean(False, doc="Raise when True.")

        def compute(self):
            if self.trigger:
                raise ZeroDivisionError("boom")
            return 1.0

    node = Broken(trigger=True)
    assert node.output is None and isinstance(node.error, ZeroDivisionError)
    node.trigger = False
    assert node.output == 1.0


def test_wrong_kind_raises_at_connect_time_and_keeps_old_value():
    a = Number()
    add = Add(a=a)
    with pytest.raises(WiringError, match="number"):
        add.b = Text()
    with pytest.raises(WiringError):
        Add(a=Text())
    assert add.b is None and add.a is a


def test_cycle_raises_at_connect_time(diamond):
    a, b, c, d = diamond
    with pytest.raises(WiringError, match="cycle"):
        b.b = d
    with pytest.raises(WiringError, match="cycle"):
        b.b = b
    assert b.b is None
    assert d.output == 3.0


def test_rewiring_invalidates_and_moves_children():
    x, y = Number(value=1.0), Number(value=5.0)
    add = Add(a=x)
    assert add.output == 1.0
    add.a = y
    assert add.stale and add.output == 5.0
    x.value = 2.0  # no longer upstream: add stays fresh
    assert not add.stale


def test_graph_order_edges_status(diamond):
    a, b, c, d = diamond
    graph = Graph({"d": d, "c": c, "b": b, "a": a})
    order = graph.order()
    assert order.index("a") < order.index("b") < order.index("d")
    assert order.index("c") < order.index("d")
    assert ("a", "b", "a") in graph.edges() and ("c", "d", "b") in graph.edges()
    assert graph.status() == dict.fromkeys(["d", "c", "b", "a"], "stale")
    d.output
    assert set(graph.status().values()) == {"ok"}


def test_removing_a_node_unplugs_the_nodes_that_read_it(diamond):
    a, b, c, d = diamond
    graph = Graph({"a": a, "b": b, "c": c, "d": d})
    assert graph.remove("c") is c
    assert "c" not in graph and d.b is None and d.a is b
    assert graph.edges() == [("a", "b", "a"), ("b", "d", "a")]
    with pytest.raises(KeyError, match="no node named 'c'"):
        graph.remove("c")


def test_graph_json_round_trip_reproduces_every_knob_and_wire(diamond):
    a, b, c, d = diamond
    a.value, b.offset, c.offset = 7.5, 0.25, 2.0
    graph = Graph({"a": a, "b": b, "c": c, "d": d})
    text = graph.to_json()
    copy = Graph.from_json(text)
    assert json.loads(copy.to_json()) == json.loads(text)
    assert copy["d"].output == d.output == 7.5 + 0.25 + 7.5 + 2.0
    assert copy["a"] is not a


def test_malformed_state_is_refused_and_nothing_changes(diamond):
    a, b, c, d = diamond
    graph = Graph({"a": a, "b": b, "c": c, "d": d})
    before = graph.to_json()
    bad_states = [
        "not json",
        "[]",
        '{"nodes": {"zz": {}}}',
        '{"nodes": {"a": {"knobs": {"value": 99}}}}',  # out of bounds
        '{"nodes": {"a": {"knobs": {"nope": 1}}}}',
        '{"nodes": {"b": {"inputs": {"a": "missing"}}}}',
        '{"nodes": {"a": {"knobs": {"value": 2}}, "b": {"knobs": {"offset": "x"}}}}',
        '{"version": 99, "nodes": {}}',
    ]
    for state in bad_states:
        with pytest.raises(ParameterError):
            graph.set_state(state)
    assert graph.to_json() == before


def test_graph_run_on_other_knobs_leaves_graph_untouched(diamond):
    a, b, c, d = diamond
    graph = Graph({"a": a, "b": b, "c": c, "d": d})
    result = graph.run(inputs={"a": {"value": 3.0}}, outputs=["d"])
    assert result == {"d": 7.0}
    assert a.value == 1.0 and d.output == 3.0


def test_an_unconnected_required_input_is_a_named_error_until_wired():
    negate = Negate(name="N")
    assert negate.output is None
    assert isinstance(negate.error, ParameterError)
    assert "Negate.x is not connected" in str(negate.error) and "'number'" in str(negate.error)
    assert negate.compute_count == 0
    negate.x = Number(value=2.0)
    assert negate.output == -2.0 and negate.error is None
