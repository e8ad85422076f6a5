"""A graph as a plain Python script that rebuilds it: imports, constructors, wiring.

The script is what a person would type in a notebook to get the same nodes:
one constructor per node, in topological order (upstream first), with only
the knobs that differ from the class defaults and the inputs wired to the
variables defined above it, then a :class:`~listenwidgets.nodes.Graph` with
every node under its name. Running it builds a graph whose
:meth:`~listenwidgets.nodes.Graph.to_dict` equals the original's.

Examples
--------
>>> from listenwidgets.nodes import STFT, Graph, SignalGenerator
>>> gen = SignalGenerator(name="gen", frequency=220.0)
>>> g = Graph({"gen": gen, "stft": STFT(name="stft", source=gen, n_fft=1024)})
>>> namespace = {}
>>> exec(graph_to_script(g), namespace)
>>> namespace["graph"].to_dict() == g.to_dict()
True
"""

from __future__ import annotations

import importlib
import keyword
import math
import re

from ..errors import ParameterError
from .graph import Graph, _serialisable_knobs

__all__ = ["graph_to_script"]

#: The package whose exports the script imports from (``listenwidgets.nodes``).
_NODES_PACKAGE = __name__.rpartition(".")[0]


def graph_to_script(graph: Graph, *, variable: str = "graph") -> str:
    """Write a Python script that rebuilds ``graph``.

    Parameters
    ----------
    graph : listenwidgets.nodes.Graph
        The graph to write out.
    variable : str
        The name of the variable the script assigns the rebuilt graph to.

    Returns
    -------
    str
        Python source: imports, one constructor per node in topological
        order (changed knobs and inputs as keyword arguments) and the graph.
        Runtime data (uploaded bytes) and constants fixed at construction
        (the served lab's sandbox flag) are left out, as in a saved state;
        inputs wired to nodes outside the graph are left unwired.

    Raises
    ------
    ParameterError
        If ``variable`` is not a Python identifier, or a knob holds a value
        that has no Python literal (the message names ``node.knob=value``).
    """
    if not variable.isidentifier() or keyword.iskeyword(variable):
        raise ParameterError(f"variable={variable!r} is not a Python identifier")
    names = _variable_names(list(graph), reserved={variable, "math"})
    ids = {id(node): name for name, node in graph.items()}
    imports: dict[str, set[str]] = {}
    needs_math = False
    body = []
    for name in graph.order():
        node = graph[name]
        cls = type(node)
        imports.setdefault(_import_module(cls), set()).add(cls.__name__)
        args = [f"name={node.name!r}"]
        for input_name, upstream in node.inputs.items():
            if upstream is not None and id(upstream) in ids:
                args.append(f"{input_name}={names[ids[id(upstream)]]}")
        for knob in _serialisable_knobs(node):
            value, default = getattr(node, knob), cls.param[knob].default
            if _equal(value, default):
                continue
            text = _literal(value, f"{name}.{knob}")
            needs_math = needs_math or "math." in text
            args.append(f"{knob}={text}")
        body.append(f"{names[name]} = {cls.__name__}({', '.join(args)})")
    imports.setdefault(_NODES_PACKAGE, set()).add("Graph")
    lines = ['"""Rebuild a listenwidgets graph (written by listenwidgets.nodes.script)."""',
             ""]
    if needs_math:
        lines.append("import math")
        lines.append("")
    lines += [f"from {module} import {', '.join(sorted(classes))}"
              for module, classes in sorted(imports.items())]
    lines += ["", *body, "", f"{variable} = Graph({{"]
    lines += [f"    {name!r}: {names[name]}," for name in graph]
    lines += ["})", ""]
    return "\n".join(lines)


def _variable_names(node_names: list[str], *, reserved: set[str]) -> dict[str, str]:
    """A distinct Python identifier for each node name (``"a.b"`` becomes ``a_b``)."""
    taken = set(reserved)
    result = {}
    for name in node_names:
        base = re.sub(r"\W", "_", name) or "node"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = f"node_{base}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        result[name] = candidate
    return result


def _import_module(cls) -> str:
    """``listenwidgets.nodes`` when it exports ``cls``, else the class's own module."""
    package = importlib.import_module(_NODES_PACKAGE)
    return _NODES_PACKAGE if getattr(package, cls.__name__, None) is cls else cls.__module__


def _equal(value, default) -> bool:
    if isinstance(value, float) and isinstance(default, float) and math.isnan(value):
        return math.isnan(default)
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):
        return False


def _literal(value, where: str) -> str:
    """Python source for a knob value (``float('nan')`` and infinities through ``math``)."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "math.nan"
        if math.isinf(value):
            return "math.inf" if value > 0 else "-math.inf"
        return repr(value)
    if isinstance(value, (list, tuple)):
        items = [_literal(v, where) for v in value]
        if isinstance(value, tuple):
            return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
        return f"[{', '.join(items)}]"
    raise ParameterError(f"{where}={value!r} has no Python literal for a script")
