"""listenwidgets: a live laboratory for machine listening, from sound to meaning.

Layers (imports point down only):

- :mod:`listenwidgets.dsp`: pure numpy/scipy functions (librosa's vocabulary).
- :mod:`listenwidgets.nodes`: Param-driven dataflow nodes and the graph engine.
- :mod:`listenwidgets.views`: Panel/Bokeh viewers of nodes.
- :mod:`listenwidgets.apps`: the served lab and the command line.

``import listenwidgets`` loads no UI package; ``listenwidgets.views`` and
``listenwidgets.lab`` are imported on first use.
"""

import importlib

from .errors import ParameterError, WiringError

__version__ = "0.1.0"
__all__ = ["ParameterError", "WiringError", "dsp", "nodes", "views", "lab", "__version__"]

_LAZY = {
    "dsp": "listenwidgets.dsp",
    "nodes": "listenwidgets.nodes",
    "views": "listenwidgets.views",
    "lab": "listenwidgets.apps.lab",
}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'listenwidgets' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
