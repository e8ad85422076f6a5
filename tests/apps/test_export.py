"""Exported files parse back to what the page holds: CSV, NPZ, WAV, JSON and the Python script."""

import io
import json
import wave

import numpy as np
import pytest

import listenwidgets as lw
from listenwidgets import ParameterError
from listenwidgets.apps.export import (
    MAX_STATE_FILE_BYTES, csv_bytes, csv_fields, graph_json, npz_bytes, output_arrays,
    output_signals, wav_bytes)
from listenwidgets.apps.registry import CHAPTERS
from listenwidgets.nodes import Graph, Signal
from listenwidgets.nodes.script import graph_to_script


@pytest.fixture(scope="module")
def stft_page():
    return lw.lab.chapter("stft", sandboxed=True)


def read_wav(data: bytes):
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return frames, wav.getframerate()


def test_npz_holds_every_array_of_the_output_and_loads_without_pickle(stft_page):
    output = stft_page.graph["stft"].output
    arrays = np.load(io.BytesIO(npz_bytes(output)), allow_pickle=False)
    np.testing.assert_array_equal(arrays["S"], output.S)
    assert arrays["S"].dtype == output.S.dtype                      # complex stays complex
    np.testing.assert_array_equal(arrays["source.y"], output.source.y)  # nested records flattened
    assert arrays["sr"] == output.sr and arrays["n_fft"] == 2048
    assert str(arrays["window"]) == output.window
    assert set(arrays.files) == set(output_arrays(output))


def test_csv_of_a_signal_and_of_a_complex_spectrogram_reads_back_exactly(stft_page):
    signal = stft_page.graph["audio"].output
    y = np.loadtxt(io.BytesIO(csv_bytes(signal, "y")), delimiter=",", dtype=np.float32)
    np.testing.assert_array_equal(y, signal.y)
    spectrogram = stft_page.graph["stft"].output
    fields = csv_fields(spectrogram)
    assert {"S.real", "S.imag", "source.y"} <= set(fields) and "S" not in fields
    imag = np.loadtxt(io.BytesIO(csv_bytes(spectrogram, "S.imag")), delimiter=",",
                      dtype=spectrogram.S.real.dtype)
    np.testing.assert_array_equal(imag, spectrogram.S.imag)
    first_line = csv_bytes(spectrogram, "S.real").split(b"\n", 1)[0]
    assert first_line.startswith(b"# S.real (1025,")
    with pytest.raises(ParameterError, match="field='S'"):
        csv_bytes(spectrogram, "S")


def test_csv_of_float64_and_integer_arrays_is_exact():
    values = np.array([np.pi, -1e-300, 1e300, 0.1])
    out = Signal(y=values, sr=3.0)
    np.testing.assert_array_equal(np.loadtxt(io.BytesIO(csv_bytes(out, "y")), delimiter=","),
                                  values)
    counts = {"counts": np.arange(6).reshape(2, 3)}
    back = np.loadtxt(io.BytesIO(csv_bytes(counts, "counts")), delimiter=",", dtype=int)
    np.testing.assert_array_equal(back, counts["counts"])


def test_wav_of_a_signal_is_its_samples_in_16_bits():
    y = np.array([0.0, 0.5, -0.5, 0.999, -1.0, 2.0, -3.0], dtype=np.float32)
    frames, sr = read_wav(wav_bytes(Signal(y=y, sr=8000.0)))
    assert sr == 8000 and frames.size == y.size
    np.testing.assert_allclose(frames / 32768, np.clip(y, -1, 1 - 1 / 32768), atol=1 / 32768)


def test_signals_inside_records_can_be_heard(stft_page):
    assert list(output_signals(stft_page.graph["audio"].output, "audio.")) == ["audio"]
    assert list(output_signals(stft_page.graph["stft"].output, "stft.")) == ["stft.source"]
    sampling = lw.lab.chapter("sampling").graph["sampler"].output
    assert set(output_signals(sampling, "sampler.")) == {
        "sampler.analog", "sampler.sampled", "sampler.reconstruction"}


def test_graph_json_rebuilds_the_graph(stft_page):
    text = graph_json(stft_page.graph)
    assert Graph.from_json(text).to_dict() == stft_page.graph.to_dict() == json.loads(text)


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.name for c in CHAPTERS])
def test_the_script_of_every_chapter_page_rebuilds_its_graph(name):
    page = lw.lab.chapter(name)
    namespace = {}
    exec(graph_to_script(page.graph), namespace)  # noqa: S102
    assert namespace["graph"].to_dict() == page.graph.to_dict()


def test_the_panel_downloads_the_graph_and_loads_it_back_into_a_new_page():
    page = lw.lab.chapter("stft", sandboxed=True)
    page.graph["stft"].param.update(n_fft=1024, window="hamming")
    assert len(page.export._layout.objects) == 0      # built when first opened
    page.export._layout.collapsed = False             # as a click on the card's header does
    assert not page.export._layout.collapsed and page.export._layout.objects
    saved = page.export.json_download.callback().getvalue()
    script = page.export.script_download.callback().getvalue()
    assert page.export.json_download.filename == "stft.json"
    namespace = {}
    exec(script, namespace)  # noqa: S102
    assert namespace["graph"].to_dict() == json.loads(saved) == page.graph.to_dict()

    other = lw.lab.chapter("stft", sandboxed=True)
    other.export.open()
    other.export.loader.value = saved.encode()          # the bytes may come before the name
    assert other.graph.to_dict() == other.defaults
    other.export.loader.filename = "stft.json"
    assert other.graph.to_dict() == page.graph.to_dict()
    assert other.export._message.alert_type == "success"


@pytest.mark.parametrize("data, reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (json.dumps({"version": 1, "nodes": {"stft": {"knobs": {"n_fft": 1}}}}).encode(), "n_fft"),
    (json.dumps({"version": 1, "nodes": {"stft": {"knobs": {"n_fft": 1024}},
                                         "ghost": {"knobs": {}}}}).encode(), "ghost"),
    (json.dumps({"version": 9, "nodes": {}}).encode(), "version=9"),
    (json.dumps({"version": 1, "nodes": {"audio": {"knobs": {"origin": "path",
                                                             "path": "/etc/hosts"}}}}).encode(),
     "origin='path' is disabled"),
    (b" " * (MAX_STATE_FILE_BYTES + 1), "at most"),
])
def test_a_bad_state_file_is_refused_and_nothing_changes(stft_page, data, reason):
    before = stft_page.graph.to_dict()
    assert not stft_page.export.load(data, filename="bad.json")
    message = stft_page.export._message.object.replace("\\", "")
    assert "bad.json was not loaded" in message and reason in message, message
    assert stft_page.export._message.alert_type == "danger"
    assert stft_page.graph.to_dict() == before


def test_the_panel_exports_a_nodes_arrays_and_signals(stft_page):
    panel = stft_page.export
    panel.open()
    panel.node.value = ""
    assert panel.npz_download.disabled
    panel.node.value = "stft"
    assert not panel.npz_download.disabled and "S.real" in panel.field.options
    assert panel.signal.options == ["stft.source"]
    output = stft_page.graph["stft"].output
    arrays = np.load(panel.npz_download.callback(), allow_pickle=False)
    np.testing.assert_array_equal(arrays["S"], output.S)
    panel.field.value = "source.y"
    assert panel.csv_download.filename == "stft.source.y.csv"
    column = np.loadtxt(panel.csv_download.callback(), delimiter=",", dtype=np.float32)
    np.testing.assert_array_equal(column, output.source.y)
    frames, sr = read_wav(panel.wav_download.callback().getvalue())
    assert sr == 22050 and frames.size == output.source.y.size
    panel.node.value = ""
    assert panel.npz_download.disabled and panel.field.options == []


def test_figures_switch_to_svg_so_the_save_tool_writes_svg(stft_page):
    figures = [fig for view in stft_page.views for fig in view.figures]
    assert figures and all(fig.output_backend == "canvas" for fig in figures)
    stft_page.export.open()
    stft_page.export.svg.value = True
    assert all(fig.output_backend == "svg" for fig in figures)
    stft_page.export.svg.value = False
    assert all(fig.output_backend == "canvas" for fig in figures)
    with pytest.raises(ParameterError, match="backend='pdf'"):
        stft_page.export.set_backend("pdf")


def test_a_node_that_fails_after_it_was_chosen_downloads_nothing_and_says_why():
    page = lw.lab.chapter("stft", sandboxed=True)
    panel = page.export
    panel.open()
    panel.node.value = "stft"
    assert not panel.npz_download.disabled
    page.graph["stft"].win_length = 2 * page.graph["stft"].n_fft     # the STFT now fails
    for button in (panel.npz_download, panel.csv_download, panel.wav_download):
        button._clicks += 1                                          # a click in the browser
        assert button.data is None                                   # nothing was transferred
        assert "Nothing was downloaded" in panel._message.object
        assert r"must not exceed n\_fft=2048" in panel._message.object
        assert button.disabled
        button.disabled = False                                      # a stale click, as above
    page.graph["stft"].win_length = None
    panel.node.value = ""
    panel.node.value = "stft"
    assert not panel.npz_download.disabled and panel.npz_download.data is None
