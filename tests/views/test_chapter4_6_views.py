"""Views of chapters 4-6 built in Python without a browser: drawn, updated in place, clicked."""

import numpy as np
import panel as pn
import pytest
from bokeh.events import Tap
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from listenwidgets.nodes import (
    MFCC, STFT, AudioSource, Envelope, MelSpectrogram, MFCCInversion, NoveltyCurve,
    SignalGenerator, SourceFilter, SpectralFeatures,
)
from listenwidgets.nodes.features import FEATURES
from listenwidgets.views import NodeView, PlayerView
from listenwidgets.views.envelope import EnvelopeView
from listenwidgets.views.features import FeaturesView, NoveltyView
from listenwidgets.views.mel import MelView, MFCCView


def make(kind):
    """One view of each kind on a fresh little graph; returns the view and the node to turn."""
    melody = AudioSource(name="melody", demo="melody", duration=3.0)
    speech = AudioSource(name="speech", demo="speech_female", sr=16000)
    if kind == "features":
        stft = STFT(name="stft", source=melody, n_fft=1024, hop_length=256)
        return FeaturesView(SpectralFeatures(name="features", spectrogram=stft)), stft
    if kind == "novelty":
        return NoveltyView(NoveltyCurve(name="novelty", source=melody)), melody
    if kind == "envelope":
        return EnvelopeView(Envelope(name="envelope", source=speech)), speech
    if kind == "source_filter":
        return PlayerView(SourceFilter(name="voice", envelope=Envelope(source=speech))), speech
    mel = MelSpectrogram(name="mel", spectrogram=STFT(name="stft", source=melody), n_mels=64)
    if kind == "mel":
        return MelView(mel), mel
    mfcc = MFCC(name="mfcc", mel=mel, n_mfcc=13)
    if kind == "mfcc":
        return MFCCView(mfcc), mel
    return PlayerView(MFCCInversion(name="inversion", mfcc=mfcc, n_iter=4)), mel


KINDS = ["features", "novelty", "envelope", "source_filter", "mel", "mfcc", "inversion"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_builds_bokeh_models_and_draws_its_node(kind, render):
    view, _ = make(kind)
    assert isinstance(view, pn.viewable.Viewer) and isinstance(view, NodeView)
    assert view.dirty
    render(view)
    assert not view.dirty and view.node.error is None
    assert view._formula.text == view.node.describe()
    if isinstance(view, PlayerView):
        assert view.background
        assert view._player.signal is view.node.output
        assert view._player._audio.object[:4] == b"RIFF"
        return
    assert view.figures and all(isinstance(f, figure) for f in view.figures)
    for role, source in view.sources.items():
        assert isinstance(source, ColumnDataSource)
        assert source.name == f"{view.node.name}.{role}"
    assert all(len(next(iter(s.data.values()))) for s in view.sources.values()
               if not s.name.startswith("features.curve."))


@pytest.mark.parametrize("kind, knob, value", [
    ("features", "power", 2.0),
    ("features", "n_fft", 2048),
    ("novelty", "method", "spectral_flux"),
    ("envelope", "order", 30),
    ("mel", "htk", True),
    ("mel", "n_mels", 40),
    ("mfcc", "n_mels", 40),
    ("mfcc", "n_mfcc", 20),
])
def test_a_knob_change_replaces_data_in_the_same_figures_and_sources(kind, knob, value, render,
                                                                     snapshot, same):
    view, upstream = make(kind)
    node = view.node if knob in view.node.knob_names() else upstream
    render(view)
    figures, sources = list(view.figures), dict(view.sources)
    renderers = [id(r) for f in figures for r in f.renderers]
    before = {role: snapshot(s) for role, s in sources.items()}
    setattr(node, knob, value)
    assert view.figures == figures and view.sources == sources
    assert [id(r) for f in view.figures for r in f.renderers] == renderers
    assert any(not same(before[role], snapshot(s)) for role, s in sources.items())
    assert not view.dirty and view.node.error is None


def test_clicking_the_spectrogram_moves_the_envelope_frame_without_recomputing(render, snapshot,
                                                                               same):
    view, _ = make("envelope")
    render(view)
    node = view.node
    count = node.compute_count
    image = view.sources["image"].data["image"][0]
    before = {m: snapshot(view.sources[m]) for m in ("spectrum", "lpc", "cepstrum", "vocoder")}
    picker = view.figures[0]
    picker._trigger_event(Tap(picker, x=2.0, y=1000.0))
    assert view.time == 2.0
    assert node.compute_count == count                     # the node was not recomputed
    assert view.sources["image"].data["image"][0] is image  # nor was its spectrogram re-sent
    assert all(not same(before[m], snapshot(view.sources[m])) for m in before)
    frame = node.output.frame_at(2.0)
    assert view._cursor.location == pytest.approx(node.output.times[frame])
    assert f"Frame {frame} " in view.figures[1].title.text
    picker._trigger_event(Tap(picker, x=99.0, y=1000.0))   # past the end: the last frame
    assert view.time == view.param["time"].bounds[1] and node.compute_count == count


def test_envelope_view_overlays_the_frame_in_db_and_toggles_each_envelope(render):
    view, speech = make("envelope")
    render(view)
    out = view.node.output
    assert view.param["time"].bounds == (0.0, pytest.approx(speech.output.duration, abs=0.01))
    peaks = [max(view.sources[m].data["db"]) for m in ("spectrum", "lpc", "cepstrum", "vocoder")]
    assert max(peaks) == 0.0                               # dB re the highest of the four curves
    assert len(view.sources["lpc"].data["f"]) == out.frequencies.size
    count = view.node.compute_count
    view.show_vocoder = False
    assert not view._lines["vocoder"].visible and view._lines["lpc"].visible
    assert view.node.compute_count == count
    view.node.order = 8
    assert "order p = 8" in view._legend.items[1].label["value"]


def test_features_view_checkboxes_power_switch_and_formulas(render):
    view, _ = make("features")
    render(view)
    (boxes,) = view._layout.select(pn.widgets.CheckBoxGroup)
    assert boxes.options and list(boxes.options) == list(FEATURES)
    shown = {name for name, fig in view._curve_figs.items() if fig.visible}
    assert shown == set(view.node.features)
    image = view.sources["image"].data["image"][0]
    boxes.value = ["centroid", "band_flatness"]
    assert view.node.features == ["centroid", "band_flatness"]
    assert [n for n, f in view._curve_figs.items() if f.visible] == ["centroid", "band_flatness"]
    assert view.sources["image"].data["image"][0] is image  # same STFT: image not re-sent
    bands = view.sources["curve.band_flatness"].data["band"]
    assert len(bands) == view.node.n_bands                  # one line per band
    assert view.sources["overlay"].data["feature"] == ["centroid"]
    centroid = view._curve_figs["centroid"]
    assert centroid.yaxis[0].axis_label == "Hz" and "|X(k)| /" in centroid.title.text
    (power,) = [w for w in view._layout.select(pn.widgets.Select) if w.name == "power"]
    power.value = 2.0
    assert view.node.power == 2.0 and "|X(k)|² /" in centroid.title.text
    assert "lecture" in view._formula.text


def test_features_view_sends_about_the_plot_size_for_a_30_s_clip(render, wav_30s):
    audio = AudioSource(name="audio", origin="upload", data=wav_30s, filename="30s.wav")
    view = FeaturesView(SpectralFeatures(name="features", spectrogram=STFT(source=audio)))
    render(view)
    (image,) = view.sources["image"].data["image"]
    assert image.dtype == np.float32 and image.shape[1] <= view.n_columns
    for name in view.node.features:
        (ys,) = view.sources[f"curve.{name}"].data["ys"]
        assert len(ys) <= 2 * view.n_columns


def test_novelty_view_marks_the_tempo_estimate(render):
    clicks = SignalGenerator(waveform="impulse_train", frequency=2.0, duration=8.0, amplitude=1.0)
    view = NoveltyView(NoveltyCurve(name="novelty", source=clicks))
    render(view)
    assert view._marker.location == pytest.approx(120.0, rel=0.03)
    assert f"estimate {view.node.output.tempo:.1f} BPM: a beat every 0.5" in view._label.text
    assert len(view.sources["histogram"].data["bpm"]) == len(view.node.output.histogram)


def test_mel_view_shows_the_scale_difference_computed_by_the_node(render):
    view, mel = make("mel")
    render(view)
    band, here, other = mel.scale_difference()
    assert f"{abs(other - here):.1f} Hz" in view._readout.object
    assert f"max |Δ centre| between the scales = {abs(other - here):.1f} Hz" in mel.describe()
    assert len(view.sources["filterbank"].data["xs"]) == 64
    support = view.sources["filterbank"].data["xs"][10]
    assert 2 < len(support) < mel.output.filterbank.shape[1] // 4   # only the triangle is sent
    (htk,) = [w for w in view._layout.select(pn.widgets.Select) if w.name == "htk"]
    htk.value = True
    assert mel.htk and "HTK" in view.figures[0].title.text
    assert mel.scale_difference() == (band, pytest.approx(other), pytest.approx(here))


def test_mel_view_plots_can_be_split_across_tabs(render):
    _, mel = make("mel")
    bank, image = MelView(mel, plots=("filterbank",)), MelView(mel, plots=("spectrogram",))
    render(bank), render(image)
    assert set(bank.sources) == {"filterbank"} and set(image.sources) == {"image"}
    assert mel.compute_count == 1
    with pytest.raises(ValueError, match="plots"):
        MelView(mel, plots=("waveform",))


def test_mfcc_view_draws_one_basis_row_per_coefficient(render):
    view, _ = make("mfcc")
    render(view)
    log_mel = view.sources["log_mel"].data["image"][0]
    assert len(view.sources["basis"].data["ys"]) == 13
    assert view.sources["mfcc"].data["image"][0].shape[0] == 13
    view.node.n_mfcc = 5
    assert len(view.sources["basis"].data["ys"]) == 5
    assert view.sources["mfcc"].data["image"][0].shape[0] == 5
    assert view.sources["log_mel"].data["image"][0] is log_mel   # same mel: not re-sent
    view.node.n_mfcc = 100                                          # > n_mels = 64
    assert view._error.visible and "n_mfcc=100" in view._error.object


def test_chapter_4_6_controls_are_per_instance_with_doc_tooltips():
    a, b = make("envelope")[0], make("envelope")[0]
    ids = [{id(w) for w in v._layout.select(pn.widgets.Widget)} for v in (a, b)]
    assert not ids[0] & ids[1]
    tooltips = [w.value for w in a._layout.select(pn.widgets.TooltipIcon)]
    assert a.node.param["order"].doc in tooltips and a.param["time"].doc in tooltips
    for cls in (FeaturesView, NoveltyView, EnvelopeView, MelView, MFCCView):
        assert not any(isinstance(v, pn.widgets.Widget) for v in vars(cls).values())
