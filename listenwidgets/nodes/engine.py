"""The dataflow engine: Param nodes that invalidate on change and compute on pull.

A :class:`Node` is a :class:`param.Parameterized` whose Parameters are of two
sorts:

- **knobs**: ordinary typed Parameters (``n_fft``, ``window``, ...) named like
  the :mod:`listenwidgets.dsp` argument they feed;
- **inputs**: :class:`Input` Parameters that hold upstream nodes.

The four semantics (each has its own test):

1. Setting a knob (or rewiring an input) marks the node and all its descendants
   stale and fires one ``changed`` event on each. Nothing is computed.
2. Reading :attr:`Node.output` computes the stale ancestors once each, upstream
   first, so a diamond A→B, A→C, B+C→D computes D once and never from a stale
   input.
3. Unchanged branches are not recomputed, and a small per-node LRU keyed by the
   knob values and the upstream keys makes returning to an earlier setting free.
4. An exception in :meth:`Node.compute` is caught into :attr:`Node.error`; the
   output is ``None``; descendants report an :class:`UpstreamError`. Fixing the
   knob recovers.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import threading
import time
import weakref

import numpy as np
import param

from ..errors import ParameterError, WiringError

__all__ = ["Node", "Input", "UpstreamError", "node_types", "freeze"]

log = logging.getLogger(__name__)

_NODE_TYPES: dict[str, type] = {}


def node_types() -> dict[str, type]:
    """Return every concrete node class by name (the registry used to load graphs)."""
    return dict(_NODE_TYPES)


class UpstreamError(RuntimeError):
    """A node cannot compute because a node it depends on failed."""

    def __init__(self, node_name: str, cause: BaseException):
        self.node_name = node_name
        self.cause = cause
        super().__init__(f"upstream error in {node_name}: {cause}")


def freeze(value):
    """Return a hashable, exactly comparable stand-in for a knob value.

    Arrays and bytes become a short digest of their content so that keys stay
    small; lists, tuples and dicts are frozen element by element.
    """
    if value is None or isinstance(value, (bool, int, float, str, complex)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ("bytes", len(value), hashlib.blake2b(value, digest_size=16).hexdigest())
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        digest = hashlib.blake2b(data.tobytes(), digest_size=16).hexdigest()
        return ("ndarray", data.shape, str(data.dtype), digest)
    if isinstance(value, np.generic):
        return value.item()
    if callable(value):
        return ("callable", getattr(value, "__module__", ""), getattr(value, "__qualname__", repr(value)))
    return ("repr", type(value).__name__, repr(value))


class Input(param.ClassSelector):
    """A Parameter that holds an upstream :class:`Node`.

    The connection is checked when it is made: the upstream node's ``kind``
    must be one of ``kinds``, and the connection must not close a cycle.
    Either failure raises :class:`~listenwidgets.errors.WiringError` and the
    input keeps its previous value.

    Parameters
    ----------
    kinds : tuple of str
        The output kinds this input accepts (e.g. ``("signal",)``).
    required : bool
        When True (the default) a node whose input is not connected fails,
        when pulled, with a :class:`~listenwidgets.errors.ParameterError`
        naming the input; when False, ``compute`` receives ``None`` for it.
    """

    __slots__ = ["kinds", "required"]

    def __init__(self, default=None, *, kinds=(), required=True, **params):
        self.kinds = tuple(kinds)
        self.required = bool(required)
        params.setdefault("allow_None", True)
        super().__init__(default=default, class_=Node, instantiate=False, **params)

    def __set__(self, obj, val):
        if isinstance(obj, Node) and val is not None:
            obj._check_wiring(self.name, val, self.kinds)
        super().__set__(obj, val)


class Node(param.Parameterized):
    """A reactive computation step: knobs in, one output out, computed on pull.

    Subclasses declare knobs and :class:`Input` Parameters, set ``kind`` (what
    their output is) and implement :meth:`compute`, which takes the upstream
    outputs as keyword arguments named like the inputs and makes one call into
    :mod:`listenwidgets.dsp`.

    Attributes
    ----------
    kind : str
        The kind of output (``"signal"``, ``"spectrogram"``, ...), checked when
        a downstream input is wired to this node.
    cache_size : int
        How many outputs the per-node LRU keeps.
    cache_bytes : int
        The most array bytes the LRU keeps; older entries are dropped first.
    compute_count : int
        How many times :meth:`compute` has run (for tests and benchmarks).
    last_compute_seconds : float
        The wall time of the latest :meth:`compute`.
    """

    kind = "node"
    cache_size = 8
    cache_bytes = 64 * 2**20
    formula = ""

    changed = param.Event(
        doc="Fires once each time this node (or anything upstream) changes; "
            "the output is then stale and is recomputed on the next read.",
        precedence=-1,
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "compute" in cls.__dict__:
            _NODE_TYPES[cls.__name__] = cls

    def __init__(self, **params):
        self._children = weakref.WeakSet()
        self._lock = threading.RLock()
        self._cache = collections.OrderedDict()
        self._stale = True
        self._output = None
        self._error = None
        self._key = None
        self._knob_key = None
        self.compute_count = 0
        self.last_compute_seconds = 0.0
        super().__init__(**params)
        for name in self.input_names():
            upstream = getattr(self, name)
            if upstream is not None:
                upstream._children.add(self)
        if self.knob_names():
            self.param.watch(self._on_knobs, list(self.knob_names()))
        if self.input_names():
            self.param.watch(self._on_rewire, list(self.input_names()))

    # ----------------------------------------------------------------- knobs
    @classmethod
    def input_names(cls) -> tuple[str, ...]:
        """The names of the :class:`Input` Parameters, in declaration order."""
        return tuple(n for n, p in cls.param.objects("existing").items() if isinstance(p, Input))

    @classmethod
    def knob_names(cls) -> tuple[str, ...]:
        """The names of the knobs: every Parameter but ``name``, ``changed`` and inputs."""
        return tuple(
            n for n, p in cls.param.objects("existing").items()
            if n not in ("name", "changed") and not isinstance(p, Input)
        )

    def knobs(self) -> dict:
        """Return the current knob values by name."""
        return {n: getattr(self, n) for n in self.knob_names()}

    @property
    def inputs(self) -> dict:
        """The upstream nodes by input name (``None`` where unconnected)."""
        return {n: getattr(self, n) for n in self.input_names()}

    # ---------------------------------------------------------------- wiring
    def _check_wiring(self, name, upstream, kinds):
        if not isinstance(upstream, Node):
            raise WiringError(
                f"{type(self).__name__}.{name} takes a node, got {name}={upstream!r}"
            )
        if kinds and upstream.kind not in kinds:
            raise WiringError(
                f"{type(self).__name__}.{name} takes a node whose output is "
                f"{' or '.join(kinds)}; {type(upstream).__name__} {upstream.name!r} "
                f"outputs {upstream.kind}"
            )
        if upstream is self or self in upstream.ancestors():
            raise WiringError(
                f"connecting {type(upstream).__name__} {upstream.name!r} to "
                f"{type(self).__name__}.{name} would close a cycle"
            )

    def ancestors(self) -> list[Node]:
        """Every node upstream of this one, each once."""
        seen: dict[int, Node] = {}
        stack = [n for n in self.inputs.values() if n is not None]
        while stack:
            node = stack.pop()
            if id(node) not in seen:
                seen[id(node)] = node
                stack.extend(n for n in node.inputs.values() if n is not None)
        return list(seen.values())

    def descendants(self) -> list[Node]:
        """This node and every node downstream of it, each once, upstream first."""
        order: list[Node] = []
        seen: set[int] = set()

        def visit(node):
            if id(node) in seen:
                return
            seen.add(id(node))
            for child in list(node._children):
                visit(child)
            order.append(node)

        visit(self)
        order.reverse()
        return order

    def _on_rewire(self, *events):
        for event in events:
            if event.old is not None:
                event.old._children.discard(self)
            if event.new is not None:
                event.new._children.add(self)
        self.invalidate()

    # ---------------------------------------------------------- invalidation
    def _on_knobs(self, *events):
        self._knob_key = None
        self.invalidate()

    def invalidate(self):
        """Mark this node and its descendants stale; fire ``changed`` once on each.

        All nodes are marked before any event fires, so a watcher that reads an
        output from its callback never sees a stale value.
        """
        nodes = self.descendants()
        for node in nodes:
            node._stale = True
        for node in nodes:
            node.param.trigger("changed")

    @property
    def stale(self) -> bool:
        """True when the next read of :attr:`output` will (re)compute."""
        return self._stale

    # --------------------------------------------------------------- pulling
    @property
    def output(self):
        """The node's output, computing stale ancestors first (``None`` on error)."""
        self._pull()
        return self._output

    @property
    def error(self) -> BaseException | None:
        """The exception of the latest computation, or ``None``.

        Reading it brings the node up to date first, like :attr:`output`.
        """
        self._pull()
        return self._error

    @property
    def key(self):
        """A hashable identity of the current output: knob values and upstream keys."""
        self._pull()
        return self._key

    def _current_knob_key(self):
        if self._knob_key is None:
            self._knob_key = (type(self).__name__,) + tuple(
                freeze(getattr(self, n)) for n in self.knob_names()
            )
        return self._knob_key

    def _pull(self):
        if not self._stale:
            return
        with self._lock:
            if not self._stale:
                return
            upstream_outputs, upstream_keys = {}, []
            for name, node in self.inputs.items():
                if node is None:
                    if self.param[name].required:
                        self._fail(ParameterError(
                            f"{type(self).__name__}.{name} is not connected: wire a node of kind "
                            f"{' or '.join(map(repr, self.param[name].kinds))} to it"))
                        return
                    upstream_outputs[name] = None
                    upstream_keys.append(None)
                    continue
                node._pull()
                if node._error is not None:
                    self._fail(UpstreamError(node.name, node._error))
                    return
                upstream_outputs[name] = node._output
                upstream_keys.append(node._key)
            key = (self._current_knob_key(), tuple(upstream_keys))
            if key in self._cache:
                self._cache.move_to_end(key)
                output = self._cache[key]
            else:
                try:
                    output = self._timed_compute(upstream_outputs)
                except Exception as exc:  # noqa: BLE001 - any failure is caught into the node
                    if not isinstance(exc, (ParameterError, UpstreamError)):
                        log.warning("%s %r failed", type(self).__name__, self.name, exc_info=True)
                    self._fail(exc)
                    return
                self._remember(key, output)
            self._output, self._error, self._key = output, None, key
            self._stale = False

    def _timed_compute(self, upstream_outputs):
        start = time.perf_counter()
        try:
            return self.compute(**upstream_outputs)
        finally:
            self.compute_count += 1
            self.last_compute_seconds = time.perf_counter() - start

    def _fail(self, exc):
        self._output, self._error = None, exc
        self._key = ("error", id(exc))
        self._stale = False

    def _remember(self, key, output):
        self._cache[key] = output
        while len(self._cache) > self.cache_size or (
            len(self._cache) > 1 and _nbytes(self._cache.values()) > self.cache_bytes
        ):
            self._cache.popitem(last=False)

    def clear_cache(self):
        """Forget every cached output (the next read recomputes)."""
        with self._lock:
            self._cache.clear()
        self.invalidate()

    def compute(self, **inputs):
        """Compute the output from the upstream outputs and the knobs.

        Subclasses implement this with one call into :mod:`listenwidgets.dsp`.
        Raise :class:`~listenwidgets.errors.ParameterError` for bad settings.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement compute()")

    def describe(self) -> str:
        """The node's formula with the current values substituted (plain text / LaTeX).

        Subclasses return text such as ``"Δf = fs / N = 22050 / 2048 = 10.77 Hz"``.
        """
        return self.formula


def _nbytes(outputs) -> int:
    total = 0
    for out in outputs:
        nbytes = getattr(out, "nbytes", None)
        if nbytes is None and hasattr(out, "__dict__"):
            nbytes = sum(getattr(v, "nbytes", 0) for v in vars(out).values())
        total += int(nbytes or 0)
    return total
