"""Every node class, by property, and each chapter 1-3 node against dsp and closed forms."""

import io

import numpy as np
import param
import pytest
from tests.model_files import trained_model_bytes

import listenwidgets.nodes as nodes
from listenwidgets import dsp
from listenwidgets.errors import ParameterError
from listenwidgets.nodes import (
    CQT, ISTFT, MFCC, STFT, AudioSource, Chroma, Complexity, Envelope, Graph, MelSpectrogram, Node, Sampler,
    SignalGenerator, Spectrum, UpstreamError)


def node_classes():
    """Every concrete node class that listenwidgets.nodes exports."""
    return [obj for obj in vars(nodes).values()
            if isinstance(obj, type) and issubclass(obj, Node) and obj is not Node]


def upstream_of_kind(kind):
    """A small chain of nodes whose last node outputs ``kind``."""
    if kind == "signal":
        return SignalGenerator(waveform="sawtooth", duration=0.5, frequency=220.0, n_harmonics=20)
    if kind == "spectrogram":
        return STFT(source=upstream_of_kind("signal"))
    if kind == "mel":
        return MelSpectrogram(spectrogram=upstream_of_kind("spectrogram"))
    if kind == "mfcc":
        return MFCC(mel=upstream_of_kind("mel"))
    if kind == "cqt":
        return CQT(source=upstream_of_kind("signal"), n_bins=72)
    if kind == "chroma":
        return Chroma(spectrum=upstream_of_kind("cqt"))
    if kind == "envelope":
        return Envelope(source=upstream_of_kind("signal"))
    if kind == "examples":
        return nodes.Dataset(n_per_class=10, features="spectral")
    if kind == "model":
        return nodes.Trainer(examples=upstream_of_kind("examples"), epochs=10)
    raise AssertionError(f"no test chain for kind {kind!r}")


def build(cls):
    """An instance of ``cls`` with every input wired to a short chain of the right kind."""
    node = cls()
    for name in cls.input_names():
        setattr(node, name, upstream_of_kind(cls.param[name].kinds[0]))
    if cls is nodes.ModelFile:          # its input is a file: a small trained model's
        node.data = trained_model_bytes()
    return node


def arrays_in(value):
    """Every ndarray reachable from an output record."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from arrays_in(v)
    elif hasattr(value, "__dataclass_fields__"):
        for field in value.__dataclass_fields__:
            yield from arrays_in(getattr(value, field))


def test_node_classes_are_found():
    names = {cls.__name__ for cls in node_classes()}
    assert {"SignalGenerator", "AudioSource", "Sampler", "Spectrum", "Complexity", "STFT"} <= names


@pytest.mark.parametrize("cls", node_classes(), ids=lambda c: c.__name__)
def test_every_parameter_has_a_doc_and_valid_default(cls):
    for name, parameter in cls.param.objects("existing").items():
        if name == "name":
            continue
        assert parameter.doc and parameter.doc.strip(), f"{cls.__name__}.{name} has no doc"


def assert_finite(node):
    """Every array of the output is finite (timings may hold NaN for sizes skipped as too slow)."""
    arrays = list(arrays_in(node.output))
    assert arrays, f"{type(node).__name__} output holds no arrays"
    for array in arrays:
        values = array[~np.isnan(array)] if isinstance(node, Complexity) else array
        assert np.all(np.isfinite(values)), f"{type(node).__name__} output has non-finite values"


@pytest.mark.parametrize("cls", node_classes(), ids=lambda c: c.__name__)
def test_default_output_is_finite(cls):
    node = build(cls)
    assert node.error is None, repr(node.error)
    assert_finite(node)


def softbound_settings(cls):
    for name in cls.knob_names():
        parameter = cls.param[name]
        if isinstance(parameter, param.Number) and not parameter.constant:
            lo, hi = parameter.get_soft_bounds()
            for value in (lo, hi):
                if value is not None:
                    yield name, value


@pytest.mark.parametrize(
    "cls,knob,value",
    [(cls, k, v) for cls in node_classes() if cls is not Complexity for k, v in softbound_settings(cls)],
    ids=lambda x: x.__name__ if isinstance(x, type) else str(x),
)
def test_softbound_ends_give_finite_output_or_a_named_error(cls, knob, value):
    node = build(cls)
    if isinstance(node.param[knob], param.Integer):
        value = int(value)
    setattr(node, knob, value)
    if node.error is not None:
        assert isinstance(node.error, ParameterError), repr(node.error)
        assert knob in str(node.error) or "time" in str(node.error), str(node.error)
        return
    assert_finite(node)


def test_generator_sine_is_the_closed_form():
    gen = SignalGenerator(frequency=440.0, amplitude=0.7, phi=0.3, sr=8000, duration=0.1)
    n = np.arange(800)
    expected = 0.7 * np.cos(2 * np.pi * 440.0 * n / 8000 + 0.3)
    np.testing.assert_allclose(gen.output.y, expected, atol=1e-6)  # float32 output
    assert gen.output.sr == 8000 and gen.output.f0 == 440.0
    assert "8000" in gen.describe()


@pytest.mark.parametrize("waveform", list(dsp.WAVEFORMS))
def test_every_waveform_is_finite_and_bounded(waveform):
    gen = SignalGenerator(waveform=waveform, duration=0.2, n_harmonics=5)
    assert gen.error is None, gen.error
    assert gen.output.y.size == int(round(0.2 * 22050))
    assert np.all(np.isfinite(gen.output.y))


@pytest.mark.parametrize("f,fs", [(7000.0, 8000.0), (3000.0, 8000.0), (11000.0, 4000.0)])
def test_sampler_alias_readout_equals_spectral_peak(f, fs):
    gen = SignalGenerator(frequency=f, sr=48000, duration=0.5, amplitude=0.9)
    sampler = Sampler(source=gen, target_sr=fs)
    out = sampler.output
    expected = abs(f - round(f / fs) * fs)
    assert out.alias == pytest.approx(expected)
    y = out.sampled.y
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    peak = np.argmax(spectrum) * fs / y.size
    assert peak == pytest.approx(expected, abs=2 * fs / y.size)  # within two bins
    assert out.reconstruction.y.size == out.analog.y.size


def test_sampler_anti_alias_removes_the_alias():
    gen = SignalGenerator(frequency=7000.0, sr=48000, duration=0.5)
    sampler = Sampler(source=gen, target_sr=8000.0)
    raw = np.sqrt(np.mean(sampler.output.sampled.y[200:-200] ** 2))
    sampler.anti_alias = True
    filtered = np.sqrt(np.mean(sampler.output.sampled.y[200:-200] ** 2))
    assert filtered < 0.05 * raw  # at least 26 dB down
    assert "filtered" in sampler.describe()


def test_spectrum_node_matches_dsp_and_finds_a_bin_centred_sine():
    sr, n_fft = 8000, 256
    f = 10 * sr / n_fft
    gen = SignalGenerator(frequency=f, sr=sr, duration=0.2)
    node = Spectrum(source=gen, win_length=n_fft, n_fft=n_fft, window="hann", time=0.05)
    out = node.output
    assert np.argmax(out.magnitude) == 10
    expected = dsp.frame_spectrum(gen.output.y, start=400, win_length=n_fft, n_fft=n_fft, window="hann")
    np.testing.assert_allclose(out.X, expected)
    node.n_fft = 4 * n_fft  # zero-padding: same peak frequency on a finer grid
    assert out.frequencies[10] == pytest.approx(node.output.frequencies[np.argmax(node.output.magnitude)])
    assert "zero-padding ×4" in node.describe()


def test_spectrum_time_past_the_end_is_an_error_that_recovers():
    node = Spectrum(source=SignalGenerator(duration=0.1), time=5.0)
    assert isinstance(node.error, ParameterError) and "time=5" in str(node.error)
    node.time = 0.0
    assert node.error is None


def test_stft_node_equals_dsp_stft_and_resynthesises():
    gen = SignalGenerator(waveform="chirp", frequency=100.0, fmax=4000.0, duration=0.5)
    node = STFT(source=gen, n_fft=1024, hop_length=256, window="hamming")
    expected = dsp.stft(gen.output.y, n_fft=1024, hop_length=256, window="hamming")
    np.testing.assert_allclose(node.output.S, expected)
    inverse = ISTFT(spectrogram=node)
    np.testing.assert_allclose(inverse.output.y, gen.output.y, atol=1e-4)
    assert inverse.compute_count == 1 and "max |x − x̂|" in inverse.describe()
    assert "1024" in node.describe()


def test_stft_cross_parameter_error_names_both_and_recovers():
    node = STFT(source=SignalGenerator(duration=0.5), n_fft=512, win_length=1024)
    assert isinstance(node.error, ParameterError)
    assert "win_length" in str(node.error)
    node.win_length = 512
    assert node.error is None and node.output.S.shape[0] == 257


def test_audio_source_demo_upload_and_errors(tmp_path):
    source = AudioSource()
    assert source.error is None and source.output.y.size > 0 and source.output.sr == 22050
    buffer = io.BytesIO()
    dsp.write(buffer, 0.5 * np.sin(np.arange(4000) / 10.0), sr=8000)
    source.param.update(origin="upload", data=buffer.getvalue(), filename="x.wav", sr=0)
    assert source.error is None and source.output.sr == 8000 and source.output.label == "x.wav"
    source.data = b"definitely not audio"
    assert isinstance(source.error, ParameterError)
    downstream = STFT(source=source)
    assert isinstance(downstream.error, UpstreamError)
    source.origin = "demo"  # nothing lost: back to a good state
    assert downstream.error is None


def test_sandboxed_source_refuses_server_paths(tmp_path):
    wav = tmp_path / "a.wav"
    dsp.write(wav, np.zeros(100) + 0.1, sr=8000)
    open_source = AudioSource(origin="path", path=str(wav))
    assert open_source.error is None
    closed = AudioSource(origin="path", path=str(wav), sandboxed=True)
    assert isinstance(closed.error, ParameterError) and "upload" in str(closed.error)
    with pytest.raises(TypeError):
        closed.sandboxed = False  # constant: fixed at construction


def test_sandbox_flag_is_not_part_of_saved_state():
    graph = Graph({"source": AudioSource(sandboxed=True)})
    state = graph.to_dict()
    assert "sandboxed" not in state["nodes"]["source"]["knobs"]
    assert "data" not in state["nodes"]["source"]["knobs"]
    state["nodes"]["source"]["knobs"]["sandboxed"] = False
    with pytest.raises(ParameterError):
        graph.set_state(state)


def test_complexity_times_every_method_over_sizes():
    node = Complexity(min_log2=3, max_log2=7, repeat=1, budget=0.5)
    out = node.output
    assert list(out.sizes) == [8, 16, 32, 64, 128]
    assert set(out.seconds) == {"dft", "fft", "direct_convolve", "fft_convolve"}
    for seconds in out.seconds.values():
        assert seconds.shape == out.sizes.shape
        assert np.all(seconds[np.isfinite(seconds)] > 0)


def test_complexity_rejects_inverted_range():
    node = Complexity(min_log2=10, max_log2=5)
    assert isinstance(node.error, ParameterError) and "min_log2=10" in str(node.error)


def test_chapter_graph_round_trips_through_json():
    gen = SignalGenerator(frequency=1000.0, waveform="square", n_harmonics=7)
    graph = Graph({"gen": gen, "stft": STFT(source=gen, n_fft=512), "sampler": Sampler(source=gen)})
    copy = Graph.from_json(graph.to_json())
    np.testing.assert_array_equal(copy["stft"].output.S, graph["stft"].output.S)
    assert copy["sampler"].output.alias == graph["sampler"].output.alias
