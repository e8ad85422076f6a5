"""Views built in Python without a browser: models exist, knobs update data in place, errors show."""

import numpy as np
import panel as pn
import param
import pytest
from bokeh.models import ColumnDataSource, Image
from bokeh.plotting import figure

from listenwidgets.nodes import (
    STFT, AudioSource, Complexity, Sampler, SignalGenerator, Spectrum,
)
from listenwidgets.views import (
    ComplexityView, NodeView, SamplingView, SourceView, SpectrogramView, SpectrumView,
    WaveformView, view_tabs,
)


def make(kind):
    """One view of each kind, on a fresh little graph."""
    gen = SignalGenerator(name="gen", frequency=440.0, duration=0.5)
    if kind == "waveform":
        return WaveformView(gen), gen
    if kind == "source":
        return SourceView(AudioSource(name="audio", sandboxed=True)), None
    if kind == "spectrum":
        return SpectrumView(Spectrum(name="spec", source=gen, win_length=512, n_fft=1024)), gen
    if kind == "spectrogram":
        return SpectrogramView(STFT(name="stft", source=gen, n_fft=512)), gen
    if kind == "sampling":
        return SamplingView(Sampler(name="sampler", source=gen, target_sr=8000.0)), gen
    return ComplexityView(Complexity(name="timing", min_log2=3, max_log2=6, repeat=1)), None


KINDS = ["waveform", "source", "spectrum", "spectrogram", "sampling", "complexity"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_builds_bokeh_models_and_draws_its_node(kind, render):
    view, _ = make(kind)
    assert isinstance(view, pn.viewable.Viewer) and isinstance(view, NodeView)
    assert view.dirty  # built, nothing pulled yet
    render(view)
    assert not view.dirty and view.node.error is None
    assert view.figures and all(isinstance(f, figure) for f in view.figures)
    for role, source in view.sources.items():
        assert isinstance(source, ColumnDataSource)
        assert source.name == f"{view.node.name}.{role}"
    assert any(len(next(iter(s.data.values()))) for s in view.sources.values())
    assert view._formula.text == view.node.describe()


@pytest.mark.parametrize("kind, knob, value", [
    ("waveform", "frequency", 1000.0),
    ("spectrum", "frequency", 2000.0),
    ("spectrogram", "frequency", 3000.0),
    ("sampling", "frequency", 5000.0),
])
def test_a_knob_change_replaces_data_in_the_same_figures_and_sources(kind, knob, value, render,
                                                                     snapshot, same):
    view, gen = make(kind)
    render(view)
    figures, sources = list(view.figures), dict(view.sources)
    models = [id(r) for f in figures for r in f.renderers]
    before = {role: snapshot(s) for role, s in sources.items()}
    described = view._formula.text
    setattr(gen, knob, value)
    assert view.figures == figures and view.sources == sources
    assert [id(r) for f in view.figures for r in f.renderers] == models
    assert any(not same(before[role], snapshot(s)) for role, s in sources.items())
    assert not view.dirty
    if kind != "waveform":   # the generator's text does change; downstream texts may not
        return
    assert view._formula.text != described


def test_error_is_shown_on_a_bad_knob_and_cleared_when_fixed(render, snapshot, same):
    view, gen = make("spectrum")
    render(view)
    good = snapshot(view.sources["frame"])
    view.node.time = 5.0  # past the end of a 0.5 s signal
    assert view._error.visible
    assert "time=5" in view._error.object and "ParameterError" in view._error.object
    assert same(good, snapshot(view.sources["frame"]))  # the last good plot is kept
    view.node.time = 0.1
    assert not view._error.visible
    assert not same(good, snapshot(view.sources["frame"]))


def test_upstream_errors_name_the_failing_node_and_recover(render, wav_30s):
    audio = AudioSource(name="audio", origin="upload")   # nothing uploaded yet
    view = SpectrogramView(STFT(name="stft", source=audio, n_fft=512))
    render(view)
    assert view._error.visible
    assert "Upstream node 'audio' failed" in view._error.object
    assert "nothing was uploaded" in view._error.object
    audio.data = wav_30s
    assert not view._error.visible and view.sources["image"].data["image"]
    view.node.win_length = 4096  # > n_fft: now the STFT itself fails
    assert "win_length=4096" in view._error.object and "Upstream" not in view._error.object


def test_hidden_views_do_not_pull_and_catch_up_when_shown(render):
    gen = SignalGenerator(name="gen", duration=0.5)
    stft = STFT(name="stft", source=gen, n_fft=512)
    view = SpectrogramView(stft)
    gen.frequency = 600.0
    assert stft.compute_count == 0          # never rendered: nothing pulled
    render(view)
    assert stft.compute_count == 1
    view.active = False
    gen.frequency = 700.0
    assert stft.compute_count == 1 and view.dirty
    view.active = True
    assert stft.compute_count == 2 and not view.dirty


def test_view_tabs_pause_the_views_of_hidden_tabs(render):
    gen = SignalGenerator(name="gen", duration=0.5)
    stft = STFT(name="stft", source=gen, n_fft=512)
    spectrum = Spectrum(name="spec", source=gen, win_length=256, n_fft=256)
    tabs = view_tabs(("Spectrogram", SpectrogramView(stft)), ("Spectrum", SpectrumView(spectrum)))
    render(tabs)
    assert stft.compute_count == 1 and spectrum.compute_count == 0
    gen.frequency = 900.0
    assert stft.compute_count == 2 and spectrum.compute_count == 0
    tabs.active = 1
    assert spectrum.compute_count == 1
    gen.frequency = 950.0
    assert stft.compute_count == 2 and spectrum.compute_count == 2


def test_spectrogram_payload_is_about_the_plot_size_for_a_30_s_clip(render, wav_30s):
    audio = AudioSource(name="audio", origin="upload", data=wav_30s, filename="30s.wav")
    stft = STFT(name="stft", source=audio, n_fft=2048)
    view = SpectrogramView(stft)
    render(view)
    (image,) = view.sources["image"].data["image"]
    assert stft.output.S.shape[-1] > view.n_columns       # the clip is longer than the plot
    assert image.dtype == np.float32
    assert image.shape == (view.n_rows, view.n_columns)
    assert image.nbytes <= 1_000_000
    assert image.max() == 0.0                             # dB relative to the peak
    glyphs = [r.glyph for r in view.figures[0].renderers]
    assert any(isinstance(g, Image) for g in glyphs)


def test_spectrogram_colour_range_moves_the_mapper_without_sending_data(render):
    view, gen = make("spectrogram")
    render(view)
    data = view.sources["image"].data["image"][0]
    count = view.node.compute_count
    view.db_range = (-60.0, -10.0)
    assert (view._mapper.low, view._mapper.high) == (-60.0, -10.0)
    assert view.sources["image"].data["image"][0] is data and view.node.compute_count == count
    view.frequency_scale = "log"
    assert view.node.compute_count == count              # redrawn from the cached output
    assert view.sources["image"].data["image"][0] is not data
    assert view.figures[0].yaxis[0].major_label_overrides


def test_waveform_is_sent_as_min_max_per_pixel_column(render):
    gen = SignalGenerator(name="gen", duration=10.0, waveform="white_noise")
    view = WaveformView(gen)
    render(view)
    data = view.sources["waveform"].data
    assert len(data["y"]) == 2 * view.n_columns
    assert max(data["y"]) == pytest.approx(gen.output.y.max())
    assert min(data["y"]) == pytest.approx(gen.output.y.min())


def test_sampling_view_readout_window_and_players(render):
    view, gen = make("sampling")
    render(view)
    assert "no aliasing" in view._readout.object
    samples = view.sources["samples"].data["t"]
    assert samples.max() <= view.window_ms + 1e-3          # only the 10 ms window is sent
    assert [p.signal for p in view._players] == [view.node.output.analog, view.node.output.sampled,
                                                  view.node.output.reconstruction]
    count = view.node.compute_count
    view.window_ms = 20.0
    assert view.node.compute_count == count                # a display change pulls nothing new
    assert view.sources["samples"].data["t"].max() > 10.0
    gen.frequency = 5000.0                                 # > fs/2 = 4000 Hz
    assert "aliased" in view._readout.object and "3000.0 Hz" in view._readout.object


def test_complexity_view_draws_each_method_and_the_guides(render):
    view, _ = make("complexity")
    render(view)
    data = view.sources["timings"].data
    methods = [k for k in data if k != "N"]
    assert methods and list(data["N"]) == [8, 16, 32, 64]
    guides = view.sources["guides"].data
    sizes = np.asarray(data["N"], dtype=float)
    np.testing.assert_allclose(guides["n2"] / guides["n2"][0], (sizes / 8) ** 2)
    last = {m: np.flatnonzero(np.isfinite(np.asarray(data[m], dtype=float)))[-1]
            for m in methods}
    # the guides pass through a method's largest measured size: the slowest for N², fastest for N log N
    assert max(data[m][i] / guides["n2"][i] for m, i in last.items()) == pytest.approx(1.0)
    assert min(data[m][i] / guides["nlogn"][i] for m, i in last.items()) == pytest.approx(1.0)


def test_controls_are_per_instance_with_doc_tooltips():
    a, b = make("spectrum")[0], make("spectrum")[0]
    widgets_a = [w for w in a._layout.select(pn.widgets.Widget)]
    widgets_b = [w for w in b._layout.select(pn.widgets.Widget)]
    assert not {id(w) for w in widgets_a} & {id(w) for w in widgets_b}
    tooltips = [w.value for w in a._layout.select(pn.widgets.TooltipIcon)]
    assert a.node.param["n_fft"].doc in tooltips
    assert not any(isinstance(v, pn.widgets.Widget) for v in vars(SpectrumView).values())


def test_throttled_sliders_change_the_node_only_on_release():
    gen = SignalGenerator(name="gen", duration=0.5)
    view = WaveformView(gen, throttled=True)
    (slider,) = [w for w in view._layout.select(pn.widgets.FloatSlider) if w.name == "frequency"]
    slider.value = 880.0
    assert gen.frequency == 440.0
    with param.edit_constant(slider):
        slider.value_throttled = 880.0
    assert gen.frequency == 880.0


def test_sandboxed_source_offers_neither_paths_nor_limits():
    view = SourceView(AudioSource(name="audio", sandboxed=True))
    names = {w.name for w in view._layout.select(pn.widgets.Widget)}
    assert "path" not in names and "max_duration" not in names and "origin" in names
    (origin,) = [w for w in view._layout.select(pn.widgets.Select) if w.name == "origin"]
    assert "path" not in origin.options


def test_upload_switches_the_source_to_the_uploaded_audio(render, wav_30s):
    view = SourceView(AudioSource(name="audio", sandboxed=True))
    render(view)
    view._upload.param.update(filename="clip.wav", value=wav_30s)
    assert view.node.origin == "upload" and view.node.filename == "clip.wav"
    assert view.node.output.duration == pytest.approx(30.0)
    assert "clip.wav" in view.figures[0].title.text


def test_player_plays_a_clipped_wav_and_encodes_each_signal_once(render):
    gen = SignalGenerator(name="gen", duration=0.1, amplitude=1.0, waveform="square")
    view = WaveformView(gen)
    render(view)
    audio = view._player._audio
    assert audio.object[:4] == b"RIFF"
    first = audio.object
    view._player.update(gen.output)          # the same Signal: nothing re-encoded
    assert audio.object is first


def test_formula_is_latex_rendered_offline():
    view, _ = make("spectrogram")
    latex = view._formula._latex
    assert isinstance(latex, pn.pane.LaTeX) and latex.renderer == "mathjax"
    assert view.node.formula in latex.object
