"""graph_to_script writes plain Python that rebuilds the same graph."""

import ast

import numpy as np
import pytest

import listenwidgets.nodes as nodes
from listenwidgets.errors import ParameterError
from listenwidgets.nodes import (
    ISTFT, MFCC, STFT, Graph, MelSpectrogram, Node, SignalGenerator, SpectralFeatures, Spectrum)
from listenwidgets.nodes.script import graph_to_script


def rebuilt(graph, variable="graph"):
    namespace = {}
    exec(compile(graph_to_script(graph, variable=variable), "<script>", "exec"), namespace)  # noqa: S102
    return namespace[variable]


def chain():
    gen = SignalGenerator(name="gen", waveform="sawtooth", frequency=220.0, n_harmonics=12,
                          duration=0.5)
    stft = STFT(name="stft", source=gen, n_fft=512, window="hamming", hop_length=128)
    mel = MelSpectrogram(name="mel", spectrogram=stft, n_mels=40, fmax=None)
    mfcc = MFCC(name="mfcc", mel=mel, n_mfcc=13)
    features = SpectralFeatures(name="features", spectrogram=stft, features=["rms", "zcr"])
    istft = ISTFT(name="istft", spectrogram=stft)
    return Graph({"istft": istft, "gen": gen, "stft": stft, "mel": mel, "mfcc": mfcc,
                  "features": features})


def test_exec_of_the_script_rebuilds_an_equal_graph_that_computes_the_same():
    graph = chain()
    copy = rebuilt(graph)
    assert copy.to_dict() == graph.to_dict()
    assert list(copy) == list(graph)                       # same names, same insertion order
    assert copy["stft"].name == "stft" and copy["stft"] is not graph["stft"]
    np.testing.assert_array_equal(copy["stft"].output.S, graph["stft"].output.S)
    np.testing.assert_array_equal(copy["istft"].output.y, graph["istft"].output.y)


def test_the_script_is_plain_readable_python_in_topological_order():
    script = graph_to_script(chain())
    tree = ast.parse(script)
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"listenwidgets.nodes"}
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import)]
    for word in ("pickle", "eval", "exec", "open("):
        assert word not in script
    lines = script.splitlines()
    position = {name: next(i for i, line in enumerate(lines) if line.startswith(f"{name} = "))
                for name in ("gen", "stft", "mel", "mfcc", "istft")}
    assert position["gen"] < position["stft"] < position["mel"] < position["mfcc"]
    assert position["stft"] < position["istft"]
    stft_line = lines[position["stft"]]
    assert "source=gen" in stft_line and "n_fft=512" in stft_line
    assert "n_mels=40" in lines[position["mel"]] and "center" not in stft_line   # defaults left out


def test_every_node_class_with_default_knobs_round_trips():
    classes = [obj for obj in vars(nodes).values()
               if isinstance(obj, type) and issubclass(obj, Node) and obj is not Node]
    graph = Graph({cls.__name__.lower(): cls(name=cls.__name__) for cls in classes})
    assert rebuilt(graph).to_dict() == graph.to_dict()


def test_node_names_that_are_not_identifiers_get_safe_variables():
    a = SignalGenerator(name="page.gen", frequency=100.0)
    b = Spectrum(name="class", source=a, time=0.25)
    c = SignalGenerator(name="graph")
    graph = Graph({"page.gen": a, "class": b, "1st": c, "page gen": SignalGenerator(name="x")})
    script = graph_to_script(graph)
    compile(script, "<script>", "exec")
    assert rebuilt(graph).to_dict() == graph.to_dict()
    assert rebuilt(graph, variable="lab_graph").to_dict() == graph.to_dict()


def test_inputs_outside_the_graph_are_left_unwired():
    outside = SignalGenerator(name="outside")
    graph = Graph({"spectrum": Spectrum(name="spectrum", source=outside, n_fft=256)})
    copy = rebuilt(graph)
    assert copy["spectrum"].source is None and copy["spectrum"].n_fft == 256


def test_a_bad_variable_name_is_refused():
    with pytest.raises(ParameterError, match="variable='not valid'"):
        graph_to_script(chain(), variable="not valid")
    with pytest.raises(ParameterError, match="variable='class'"):
        graph_to_script(chain(), variable="class")
