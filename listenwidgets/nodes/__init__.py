"""Param-driven dataflow nodes and the graph engine (imports dsp and param only)."""

from .data import Sampling, Signal, Spectrogram, Spectrum, Timings
from .engine import Input, Node, UpstreamError, node_types
from .graph import Graph
