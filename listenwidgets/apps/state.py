"""A page's knobs in its URL: ``?chapter=stft&state=<compact encoding of what changed>``.

A link then reproduces the page: opening it builds the page with its
defaults and applies the state on top. Only what differs from the page's
defaults is encoded (the knob values and the wiring of the page's graph, in
the shape of :meth:`listenwidgets.nodes.Graph.to_dict`), as compact JSON,
compressed with raw DEFLATE and written in base64url without padding, so it
is short and needs no escaping in a URL.

Everything read from a URL (or an uploaded state file) is untrusted: it is
decoded and validated in full before anything changes (through
:meth:`~listenwidgets.nodes.Graph.set_state`), and a refusal raises
:class:`~listenwidgets.errors.ParameterError` naming what was wrong. In the
served lab (sandboxed audio sources) a state may not point an audio source
at a server path.

Examples
--------
>>> changes = {"stft": {"knobs": {"n_fft": 1024}}}
>>> text = encode_state(changes)
>>> decode_state(text) == changes
True
>>> encode_state({})
''
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse
import zlib
from collections.abc import Mapping

from ..errors import ParameterError
from ..nodes import AudioSource, Graph

__all__ = ["encode_state", "decode_state", "state_changes", "checked_state", "UrlState",
           "MAX_STATE_CHARS"]

#: The longest ``state`` a URL may carry (characters of base64url).
MAX_STATE_CHARS = 4096

#: The most bytes a state may inflate to (a guard against decompression bombs).
MAX_STATE_JSON_BYTES = 256 * 1024

#: What a node's entry in a state may hold.
SPEC_KEYS = frozenset({"type", "knobs", "inputs"})

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def state_changes(graph: Graph, defaults: Mapping) -> dict:
    """What differs in ``graph`` from ``defaults``: changed knobs and rewired inputs per node.

    Parameters
    ----------
    graph : listenwidgets.nodes.Graph
        The page's graph now.
    defaults : dict
        ``graph.to_dict()`` as it was when the page was built.

    Returns
    -------
    dict
        ``{node name: {"knobs": {knob: JSON value}, "inputs": {input: node name}}}``
        with only the nodes, knobs and inputs that changed (empty when nothing
        did); ``{"version": 1, "nodes": changes}`` is a valid argument of
        :meth:`~listenwidgets.nodes.Graph.set_state`. A node added since the
        page was built is there whole, with its ``"type"``, so that a page
        with a graph editor can make it again.
    """
    base = defaults["nodes"]
    changes = {}
    for name, spec in graph.to_dict()["nodes"].items():
        old = base.get(name, {})
        entry = {} if name in base else {"type": spec["type"]}   # a node added since
        for part in ("knobs", "inputs"):
            before = old.get(part, {})
            diff = {k: v for k, v in spec[part].items() if k not in before or before[k] != v}
            if diff:
                entry[part] = diff
        if entry:
            changes[name] = entry
    return changes


def encode_state(changes: Mapping) -> str:
    """Encode :func:`state_changes` for a URL: compact JSON, raw DEFLATE, base64url.

    Parameters
    ----------
    changes : dict
        What changed, as returned by :func:`state_changes`.

    Returns
    -------
    str
        Characters ``[A-Za-z0-9_-]`` only; ``""`` when nothing changed.
    """
    if not changes:
        return ""
    text = json.dumps(changes, separators=(",", ":"), sort_keys=True, allow_nan=False)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(text.encode()) + packer.flush()
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_state(text: str) -> dict:
    """Decode :func:`encode_state` output, refusing anything malformed.

    Parameters
    ----------
    text : str
        The ``state`` of a URL.

    Returns
    -------
    dict
        ``{node name: {"knobs": {...}, "inputs": {...}}}`` (not yet checked
        against a graph: see :func:`checked_state`).

    Raises
    ------
    ParameterError
        If ``text`` is too long, not base64url, not DEFLATE-compressed UTF-8,
        not JSON, or not an object of node objects holding only ``knobs`` and
        ``inputs`` objects. The message says which.
    """
    if not isinstance(text, str):
        raise ParameterError(f"the state must be text, got state={text!r}")
    shown = text if len(text) <= 40 else text[:37] + "..."
    if len(text) > MAX_STATE_CHARS:
        raise ParameterError(f"the state is too long: {len(text)} characters "
                             f"(at most {MAX_STATE_CHARS})")
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ParameterError(f"state={shown!r} is not base64url text")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ParameterError(f"state={shown!r} is not base64url text") from None
    unpacker = zlib.decompressobj(-15)
    try:
        raw = unpacker.decompress(packed, MAX_STATE_JSON_BYTES)
    except zlib.error:
        raise ParameterError(f"state={shown!r} is not a compressed state") from None
    if unpacker.unconsumed_tail:
        raise ParameterError(f"state={shown!r} inflates to more than "
                             f"{MAX_STATE_JSON_BYTES} bytes")
    if not unpacker.eof:
        raise ParameterError(f"state={shown!r} is not a compressed state (it is truncated)")
    try:
        changes = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParameterError(f"state={shown!r} is not valid JSON: {exc}") from None
    return _checked_shape(changes)


def checked_state(graph: Graph, state: Mapping, *, sandboxed: bool) -> dict:
    """Check that a state may be applied to ``graph``; return it as a full graph state.

    This only reads: the graph is validated against the state by
    :meth:`~listenwidgets.nodes.Graph.set_state`, which applies all or nothing.

    Parameters
    ----------
    graph : listenwidgets.nodes.Graph
        The graph the state is for.
    state : dict
        Either a full :meth:`~listenwidgets.nodes.Graph.to_dict` state or the
        changes of :func:`state_changes` / :func:`decode_state`.
    sandboxed : bool
        True in the served lab: a state may not make an audio source read a
        server path.

    Returns
    -------
    dict
        ``{"version": ..., "nodes": {...}}``.

    Raises
    ------
    ParameterError
        If an audio source would read a server path in a sandboxed graph.
    """
    if not isinstance(state, Mapping):
        raise ParameterError(f"a state is a JSON object, got {type(state).__name__}")
    full = dict(state) if "nodes" in state else {"nodes": _checked_shape(state)}
    nodes = full["nodes"]
    if sandboxed and isinstance(nodes, Mapping):
        for name, spec in nodes.items():
            knobs = spec.get("knobs") if isinstance(spec, Mapping) else None
            audio = (isinstance(graph[name], AudioSource) if name in graph
                     else isinstance(spec, Mapping) and spec.get("type") == AudioSource.__name__)
            if audio and isinstance(knobs, Mapping):
                if knobs.get("origin") == "path" or knobs.get("path"):
                    raise ParameterError(
                        f"node {name!r}: origin='path' is disabled here (path="
                        f"{knobs.get('path', '')!r}); upload a file instead")
    return full


def _checked_shape(changes) -> dict:
    if not isinstance(changes, Mapping):
        raise ParameterError(f"a state is an object of nodes, got {type(changes).__name__}")
    for name, spec in changes.items():
        if not isinstance(spec, Mapping):
            raise ParameterError(f"node {name!r} in the state must be an object, got {spec!r}")
        extra = set(spec) - SPEC_KEYS
        if extra:
            raise ParameterError(f"node {name!r} in the state has unknown key(s) {sorted(extra)}; "
                                 f"expected {sorted(SPEC_KEYS)}")
        if not isinstance(spec.get("type", ""), str):
            raise ParameterError(f"{name}.type in the state must be a node type's name, "
                                 f"got {spec['type']!r}")
        for part in {"knobs", "inputs"} & set(spec):
            if not isinstance(spec[part], Mapping):
                raise ParameterError(f"{name}.{part} in the state must be an object, "
                                     f"got {spec[part]!r}")
    return dict(changes)


class UrlState:
    """Keep the ``state`` query parameter of a browser URL equal to the shown page's changes.

    Knob changes are collected and written at most once per ``delay_ms``
    (when served: a Bokeh timeout callback; otherwise at once). The other
    query parameters (``chapter``) are kept as they are; ``state`` is
    removed when the page is at its defaults.

    Parameters
    ----------
    location : panel.io.location.Location
        The session's location (``pn.state.location``).
    delay_ms : int
        How long to collect knob changes before writing the URL.
    """

    def __init__(self, location, *, delay_ms: int = 400):
        self.location = location
        self.delay_ms = delay_ms
        self.page = None
        self._pending = False
        self._watched: set[int] = set()

    def show(self, page) -> None:
        """Follow ``page`` (the page now on screen; anything without a graph clears the state)."""
        self.page = page
        if hasattr(page, "graph") and id(page) not in self._watched:
            self._watched.add(id(page))
            for _, node in page.graph.items():
                node.param.watch(lambda event, page=page: self._changed(page), "changed")
        self.schedule()

    def _changed(self, page) -> None:
        if page is self.page:
            self.schedule()

    def schedule(self) -> None:
        """Write the URL after ``delay_ms`` (once, however many changes come before)."""
        import panel as pn

        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:
            self.write()
        elif not self._pending:
            self._pending = True
            doc.add_timeout_callback(self.write, self.delay_ms)

    def write(self) -> None:
        """Set the ``state`` query parameter from the current page's changes now."""
        self._pending = False
        page = self.page
        text = encode_state(page.changes()) if hasattr(page, "changes") else ""
        query = dict(urllib.parse.parse_qsl(self.location.search.lstrip("?"),
                                            keep_blank_values=True))
        if query.get("state", "") == text:
            return
        query.pop("state", None)
        if text:
            query["state"] = text
        self.location.search = "?" + urllib.parse.urlencode(query) if query else ""
