"""A named collection of wired nodes: order, state as JSON, and reruns on other input."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import param

from ..errors import ParameterError
from .engine import Node, node_types

__all__ = ["Graph"]

STATE_VERSION = 1


class Graph:
    """Nodes by name, with their edges, topological order and serialisable state.

    Parameters
    ----------
    nodes : mapping of str to Node, optional
        The nodes, by name. Upstream nodes of a node that are not named are
        added automatically under their ``node.name``.

    Examples
    --------
    >>> from listenwidgets.nodes import SignalGenerator, STFT
    >>> g = Graph({"gen": SignalGenerator(), "stft": STFT()})
    >>> g["stft"].source = g["gen"]
    >>> g.order()
    ['gen', 'stft']
    """

    def __init__(self, nodes: Mapping[str, Node] | None = None):
        self._nodes: dict[str, Node] = {}
        for name, node in (nodes or {}).items():
            self.add(name, node)

    # ------------------------------------------------------------ membership
    def add(self, name: str, node: Node) -> Node:
        """Add ``node`` under ``name`` and return it."""
        if not isinstance(node, Node):
            raise ParameterError(f"a graph holds nodes; got {name}={node!r}")
        if not name or not isinstance(name, str):
            raise ParameterError(f"node names are non-empty strings; got name={name!r}")
        if name in self._nodes and self._nodes[name] is not node:
            raise ParameterError(f"name={name!r} is already used in this graph")
        self._nodes[name] = node
        return node

    def remove(self, name: str) -> Node:
        """Take the node ``name`` out of the graph and return it.

        Inputs of other nodes that read it are unplugged (set to ``None``):
        those nodes then report that the input is not connected.
        """
        node = self[name]
        for _, other in self._nodes.items():
            for input_name, upstream in other.inputs.items():
                if upstream is node:
                    setattr(other, input_name, None)
        del self._nodes[name]
        return node

    def __getitem__(self, name: str) -> Node:
        try:
            return self._nodes[name]
        except KeyError:
            raise KeyError(f"no node named {name!r}; the graph has {sorted(self._nodes)}") from None

    def __contains__(self, name) -> bool:
        return name in self._nodes

    def __iter__(self):
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def items(self):
        """(name, node) pairs in insertion order."""
        return self._nodes.items()

    def name_of(self, node: Node) -> str:
        """The name under which ``node`` is in the graph."""
        for name, candidate in self._nodes.items():
            if candidate is node:
                return name
        raise KeyError(f"{type(node).__name__} {node.name!r} is not in this graph")

    # ----------------------------------------------------------------- shape
    def edges(self) -> list[tuple[str, str, str]]:
        """Every wire as ``(upstream name, downstream name, input name)``."""
        ids = {id(node): name for name, node in self._nodes.items()}
        edges = []
        for name, node in self._nodes.items():
            for input_name, upstream in node.inputs.items():
                if upstream is not None and id(upstream) in ids:
                    edges.append((ids[id(upstream)], name, input_name))
        return edges

    def order(self) -> list[str]:
        """Node names in topological order (upstream first; ties by insertion)."""
        indegree = {name: 0 for name in self._nodes}
        children: dict[str, list[str]] = {name: [] for name in self._nodes}
        for up, down, _ in self.edges():
            indegree[down] += 1
            children[up].append(down)
        ready = [name for name in self._nodes if indegree[name] == 0]
        order = []
        while ready:
            name = ready.pop(0)
            order.append(name)
            for child in children[name]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
        return order

    def status(self) -> dict[str, str]:
        """Each node's state without computing: ``"stale"``, ``"error"`` or ``"ok"``."""
        states = {}
        for name, node in self._nodes.items():
            if node.stale:
                states[name] = "stale"
            else:
                states[name] = "error" if node._error is not None else "ok"
        return states

    # ----------------------------------------------------------------- state
    def to_dict(self) -> dict:
        """Every node's type, knobs (JSON values) and wiring."""
        ids = {id(node): name for name, node in self._nodes.items()}
        nodes = {}
        for name in self.order():
            node = self._nodes[name]
            knobs = _serialisable_knobs(node)
            nodes[name] = {
                "type": type(node).__name__,
                "knobs": json.loads(node.param.serialize_parameters(subset=knobs, mode="json")),
                "inputs": {k: ids.get(id(v)) for k, v in node.inputs.items() if v is not None},
            }
        return {"version": STATE_VERSION, "nodes": nodes}

    def to_json(self, **kwargs) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, state: Mapping) -> Graph:
        """Build a new graph from :meth:`to_dict` output, checking everything first."""
        nodes_state = _nodes_state(state)
        types = node_types()
        graph = cls()
        for name, spec in nodes_state.items():
            type_name = spec.get("type")
            if type_name not in types:
                raise ParameterError(f"unknown node type {type_name!r} for node {name!r}")
            graph.add(name, types[type_name](name=name))
        graph.set_state(state)
        return graph

    @classmethod
    def from_json(cls, text: str) -> Graph:
        """Build a new graph from :meth:`to_json` output."""
        return cls.from_dict(_parse_json(text))

    def set_state(self, state: Mapping | str) -> None:
        """Apply knobs and wiring from :meth:`to_dict` (or its JSON) to these nodes.

        Everything is validated before anything changes: a malformed state
        raises :class:`~listenwidgets.errors.ParameterError` and leaves the
        graph as it was.
        """
        if isinstance(state, str):
            state = _parse_json(state)
        plan = []
        for name, spec in _nodes_state(state).items():
            if name not in self._nodes:
                raise ParameterError(f"the state names node {name!r}, which this graph lacks")
            node = self._nodes[name]
            if spec.get("type", type(node).__name__) != type(node).__name__:
                raise ParameterError(
                    f"node {name!r} is a {type(node).__name__}, the state says {spec.get('type')!r}"
                )
            knobs = _checked_knobs(node, name, spec.get("knobs", {}))
            inputs = {}
            for input_name, upstream in (spec.get("inputs") or {}).items():
                if input_name not in node.input_names():
                    raise ParameterError(f"node {name!r} has no input {input_name!r}")
                if upstream not in self._nodes:
                    raise ParameterError(f"node {name!r}.{input_name} names unknown node {upstream!r}")
                inputs[input_name] = self._nodes[upstream]
            plan.append((node, knobs, inputs))
        for node, knobs, inputs in plan:
            for input_name, upstream in inputs.items():
                if getattr(node, input_name) is not upstream:
                    setattr(node, input_name, upstream)
            changed = {k: v for k, v in knobs.items() if getattr(node, k) != v}
            if changed:
                node.param.update(**changed)

    # ------------------------------------------------------------- rerunning
    def copy(self) -> Graph:
        """An independent graph with the same types, knobs and wiring."""
        return Graph.from_dict(self.to_dict())

    def run(self, *, inputs: Mapping[str, Mapping], outputs: Iterable[str]) -> dict:
        """Run a copy of this graph with some knobs replaced, and return chosen outputs.

        This is how a graph tuned on one clip runs over another: e.g.
        ``g.run(inputs={"source": {"path": "other.wav"}}, outputs=["mfcc"])``.
        The graph itself is not changed.

        Parameters
        ----------
        inputs : mapping of node name to a mapping of knob values
            The knobs to set on the copy before reading.
        outputs : iterable of str
            The node names whose outputs to return.

        Returns
        -------
        dict
            Output by node name. A failing node raises its error.
        """
        clone = self.copy()
        for name, knobs in inputs.items():
            clone[name].param.update(**knobs)
        results = {}
        for name in outputs:
            node = clone[name]
            if node.error is not None:
                raise node.error
            results[name] = node.output
        return results

    def run_batch(self, files, *, outputs, workers=None, client=None, progress=None, source=None,
                  cancel=None):
        """Run this graph, as tuned, over many audio files: one row of named scalars per file.

        Each worker rebuilds a copy of the graph from :meth:`to_dict` (once),
        and for each file sets the copy's :class:`~listenwidgets.nodes.AudioSource`
        to ``origin="path", path=file`` (its other knobs -- ``sr``, ``offset``,
        ``duration`` -- are kept), which recomputes everything downstream. Each
        output is reduced to named scalar columns by
        :func:`~listenwidgets.nodes.batch.summarise`:

        - ``"mfcc"`` is node ``mfcc``'s output; a record gives its first field
          (``Cepstra.mfcc``); ``"mfcc.log_mel"`` names a field (or a key of a
          mapping field, as ``"features.curves.spectral_centroid"``);
        - a 2-D ``(n_rows, n_frames)`` array gives the mean over the frames of
          each row and then the standard deviation (``ddof=0``), named
          ``mfcc_0_mean … mfcc_19_mean, mfcc_0_std …``; a 1-D per-frame array
          gives ``<name>_mean`` and ``<name>_std``; a number is one column
          named like the output; a mapping gives ``<name>_<key>…``;
          complex values count by their magnitude; statistics are float64.

        The graph itself is not changed. A file that fails (missing,
        unreadable, an upstream error) is listed in
        :attr:`FeatureTable.failures <listenwidgets.nodes.batch.FeatureTable>`
        with its message; the others go on.

        Parameters
        ----------
        files : iterable of str or os.PathLike
            The audio files, readable by the workers.
        outputs : str or iterable of str
            What to compute: node names or ``node.field`` paths.
        workers : int >= 1 or None
            Local worker processes (started with ``forkserver`` where
            available, else ``spawn``: safe in a served lab; a script that
            calls this needs the ``if __name__ == "__main__":`` guard). ``1``
            runs in this process; ``None`` uses one per available CPU. Must be
            None when ``client`` is given.
        client : dask.distributed.Client or None
            Run the files on this Dask cluster instead (``client.submit`` of
            a few files per worker thread at a time, collected as they
            finish). Dask is imported only then.
        progress : True, callable or None
            ``progress(done, total, file)``, called in this thread after each
            file, failed or not; ``True`` draws a text progress bar on
            standard error (:class:`~listenwidgets.nodes.batch.TextProgressBar`).
        source : str or None
            The name of the AudioSource node to point at the files; needed
            only when the graph has several.
        cancel : threading.Event or None
            When set, no more files are started; files still running are
            abandoned, and what finished is returned (the rest is listed in
            ``skipped``).

        Returns
        -------
        FeatureTable
            ``columns``, ``rows`` (float64, one per file that worked, in the
            order given), ``files``, ``failures`` as ``(file, message)``,
            ``skipped``; ``to_csv``, ``to_numpy``, ``to_parquet`` (pyarrow).

        Raises
        ------
        ParameterError
            For bad arguments, before any file is read: an output that names
            no node, no or several AudioSource nodes without ``source``, a
            sandboxed source, ``workers`` together with ``client``.

        Examples
        --------
        >>> from listenwidgets.nodes import AudioSource, STFT, MelSpectrogram, MFCC
        >>> g = Graph({"source": AudioSource(), "stft": STFT(), "mel": MelSpectrogram(),
        ...            "mfcc": MFCC(n_mfcc=13)})
        >>> g["stft"].source = g["source"]; g["mel"].spectrogram = g["stft"]
        >>> g["mfcc"].mel = g["mel"]
        >>> table = g.run_batch(["no/such.wav"], outputs=["mfcc"], workers=1)
        >>> table.failures
        [('no/such.wav', "source: source='no/such.wav' does not exist")]
        """
        from .batch import run_batch

        return run_batch(self, files, outputs=outputs, workers=workers, client=client,
                         progress=progress, source=source, cancel=cancel)


def _serialisable_knobs(node: Node) -> list[str]:
    """Knobs that belong in a saved state.

    Runtime data (uploaded bytes) and constants fixed at construction (such as
    the served lab's sandbox flag) are left out, so a state can never change them.
    """
    return [n for n in node.knob_names()
            if not isinstance(node.param[n], param.Bytes) and not node.param[n].constant]


def _parse_json(text: str) -> dict:
    try:
        state = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"the graph state is not valid JSON: {exc}") from None
    return state


def _nodes_state(state) -> Mapping:
    if not isinstance(state, Mapping) or not isinstance(state.get("nodes"), Mapping):
        raise ParameterError("a graph state is an object with a 'nodes' object")
    version = state.get("version", STATE_VERSION)
    if version != STATE_VERSION:
        raise ParameterError(f"unsupported graph state version={version!r}; expected {STATE_VERSION}")
    for name, spec in state["nodes"].items():
        if not isinstance(spec, Mapping):
            raise ParameterError(f"node {name!r} in the state must be an object, got {spec!r}")
    return state["nodes"]


def _checked_knobs(node: Node, name: str, knobs) -> dict:
    """Deserialise and validate knob values without touching the node."""
    if not isinstance(knobs, Mapping):
        raise ParameterError(f"knobs of node {name!r} must be an object, got {knobs!r}")
    allowed = set(_serialisable_knobs(node))
    unknown = set(knobs) - allowed
    if unknown:
        raise ParameterError(f"node {name!r} has no knob(s) {sorted(unknown)}; it has {sorted(allowed)}")
    try:
        values = node.param.deserialize_parameters(json.dumps(dict(knobs)), subset=list(knobs), mode="json")
    except Exception as exc:  # param raises several types for malformed values
        raise ParameterError(f"bad knob value for node {name!r}: {exc}") from None
    for knob, value in values.items():
        try:
            node.param[knob]._validate(value)
        except (ValueError, TypeError) as exc:
            raise ParameterError(f"bad knob {name}.{knob}={value!r}: {exc}") from None
    return values

