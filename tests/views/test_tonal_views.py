"""Chapter 7 views without a browser: CQT, chroma, pitch helix, tonal centroid, kernel, the page."""

import numpy as np
import panel as pn
import pytest
from bokeh.events import Tap
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

import listenwidgets as lw
from listenwidgets.nodes import CQT, STFT, AudioSource, Chroma, SignalGenerator
from listenwidgets.nodes.tonal import PitchHelix, SpectralKernel
from listenwidgets.views import NodeView
from listenwidgets.views.tonal import ChromaView, CQTView, note_ticks
from listenwidgets.views.tonal_frames import FrameSelection
from listenwidgets.views.tonal_kernel import SpectralKernelView
from listenwidgets.views.tonal_space import PitchHelixView, TonnetzView


class Lab:
    """A little chapter 7 graph (piano A4 or a tone) and every tonal view on it, sharing a frame."""

    def __init__(self, source=None):
        self.audio = source if source is not None else AudioSource(name="audio", demo="piano_a4")
        self.cqt = CQT(name="cqt", source=self.audio)
        self.stft = STFT(name="stft", source=self.audio)
        self.chroma = Chroma(name="chroma", spectrum=self.cqt)
        self.helix = PitchHelix(name="helix", cqt=self.cqt)
        self.kernel = SpectralKernel(name="kernel", cqt=self.cqt)
        self.selection = FrameSelection(time=1.0)
        self.views = {
            "cqt": CQTView(self.cqt, selection=self.selection),
            "chroma": ChromaView(self.chroma, inputs={"CQT": self.cqt, "STFT": self.stft},
                                 selection=self.selection),
            "helix": PitchHelixView(self.helix, selection=self.selection),
            "tonnetz": TonnetzView(self.chroma, selection=self.selection),
            "kernel": SpectralKernelView(self.kernel),
        }

    def nodes(self):
        return [self.cqt, self.stft, self.chroma, self.helix, self.kernel]

    def counts(self):
        return [node.compute_count for node in self.nodes()]


@pytest.fixture
def lab(render):
    lab = Lab()
    for view in lab.views.values():
        render(view)
    return lab


@pytest.mark.parametrize("kind", ["cqt", "chroma", "helix", "tonnetz", "kernel"])
def test_every_tonal_view_builds_bokeh_models_and_draws_its_node(kind, render):
    view = Lab().views[kind]
    assert isinstance(view, NodeView) and view.dirty
    render(view)
    assert not view.dirty and view.node.error is None and not view._error.visible
    assert view.figures and all(isinstance(f, figure) for f in view.figures)
    for role, source in view.sources.items():
        assert isinstance(source, ColumnDataSource) and source.name == f"{view.node.name}.{role}"
        assert len(next(iter(source.data.values()))), role
    assert view._formula.text == view.node.describe()


@pytest.mark.parametrize("kind, node, knob, value", [
    ("cqt", "cqt", "fmin", 55.0),
    ("helix", "cqt", "fmin", 55.0),
    ("kernel", "kernel", "sparsity", 0.3),
    ("chroma", "chroma", "norm", "2"),
    ("tonnetz", "chroma", "cens", True),
])
def test_a_knob_change_replaces_data_in_the_same_figures_and_sources(kind, node, knob, value, lab,
                                                                     snapshot, same):
    view = lab.views[kind]
    figures, sources = list(view.figures), dict(view.sources)
    renderers = [id(r) for f in figures for r in f.renderers]
    before = {role: snapshot(s) for role, s in sources.items()}
    setattr(getattr(lab, node), knob, value)
    assert view.figures == figures and view.sources == sources
    assert [id(r) for f in view.figures for r in f.renderers] == renderers
    assert any(not same(before[role], snapshot(s)) for role, s in sources.items())
    assert not view.dirty and view.node.error is None


def test_moving_the_selected_frame_redraws_the_frame_and_recomputes_nothing(lab, snapshot, same):
    counts = lab.counts()
    images = {kind: lab.views[kind].sources["image"].data["image"][0] for kind in ("cqt", "chroma")}
    path = snapshot(lab.views["tonnetz"].sources["path"])
    frames = {(k, role): snapshot(lab.views[k].sources[role])
              for k, role in (("chroma", "frame"), ("helix", "points"), ("tonnetz", "point"))}
    for time in (0.05, 0.6, 2.2):
        lab.selection.time = time
        cursor = lab.views["cqt"]._image.cursor.location
        assert cursor == pytest.approx(time, abs=lab.cqt.hop_length / 22050)
        assert lab.views["chroma"]._image.cursor.location == cursor
        assert f"t = {cursor:.2f} s" in lab.views["helix"]._fig.title.text
    assert lab.counts() == counts                     # no node was pulled again
    for kind, image in images.items():
        assert lab.views[kind].sources["image"].data["image"][0] is image
    assert same(path, snapshot(lab.views["tonnetz"].sources["path"]))
    assert all(not same(before, snapshot(lab.views[k].sources[role]))
               for (k, role), before in frames.items())
    index = int(np.argmin(np.abs(lab.chroma.output.times - 2.2)))
    np.testing.assert_allclose(lab.views["chroma"].sources["frame"].data["value"],
                               lab.chroma.output.chroma[:, index])
    np.testing.assert_allclose([lab.views["tonnetz"].sources["point"].data[c][0]
                                for c in ("x0", "y0", "x1", "y1", "x2", "y2")],
                               lab.chroma.output.tonnetz[:, index])


def test_a_click_on_an_image_selects_its_time_within_the_clip(lab):
    counts = lab.counts()
    for kind in ("cqt", "chroma"):
        fig = lab.views[kind]._image.figure
        fig._trigger_event(Tap(fig, x=1.5, y=3.0))
        assert lab.selection.time == 1.5
    fig._trigger_event(Tap(fig, x=99.0, y=3.0))
    last = lab.cqt.output.times[-1]
    assert lab.selection.time == pytest.approx(last)
    assert lab.selection.param["time"].bounds == pytest.approx((0.0, last))
    assert lab.counts() == counts


def test_the_selection_follows_the_clip_length(lab):
    lab.selection.time = 2.4
    lab.audio.duration = 1.0
    last = lab.cqt.output.times[-1]
    assert last < 1.0 and lab.selection.time == pytest.approx(last)
    assert lab.selection.param["time"].bounds == pytest.approx((0.0, last))
    lab.audio.duration = None
    assert lab.selection.param["time"].bounds[1] > 2.4


def test_the_chroma_method_switch_rewires_the_chroma_node_and_recomputes(lab, snapshot, same):
    view = lab.views["chroma"]
    assert view.method == "CQT" and "from the CQT" in view._image.figure.title.text
    before, count = snapshot(view.sources["image"]), lab.chroma.compute_count
    view.method = "STFT"
    assert lab.chroma.spectrum is lab.stft and lab.chroma.output.method == "stft"
    assert lab.chroma.compute_count == count + 1 and lab.stft.compute_count == 1
    assert not same(before, snapshot(view.sources["image"]))
    assert "from the STFT" in view._image.figure.title.text
    assert lab.views["tonnetz"].dirty is False            # the other view of the node followed
    lab.chroma.spectrum = lab.cqt                         # rewired elsewhere: the switch follows
    assert view.method == "CQT" and lab.chroma.output.method == "cqt"
    assert same(before, snapshot(view.sources["image"]))
    widget = next(w for w in view._layout.select(pn.widgets.RadioButtonGroup))
    assert list(widget.options) == ["CQT", "STFT"]


def test_the_piano_a4_chroma_peaks_at_a_from_either_input(lab):
    view = lab.views["chroma"]
    lab.selection.time = 1.0
    for method in ("CQT", "STFT"):
        view.method = method
        assert view._bar_figure.title.text.endswith(": A")


def test_bins_per_octave_buttons_keep_the_octaves_and_compute_once(lab):
    view = lab.views["cqt"]
    count = lab.cqt.compute_count
    view._resolution.value = 36
    assert (lab.cqt.bins_per_octave, lab.cqt.n_bins) == (36, 252)
    assert lab.cqt.compute_count == count + 1
    _, _, labels = note_ticks(lab.cqt.output.notes)
    assert list(labels.values())[:7] == [f"C{octave}" for octave in range(1, 8)]
    assert view._image.figure.yaxis[0].major_label_overrides == labels
    assert view.sources["image"].data["dh"] == [252.0]
    lab.cqt.bins_per_octave = 13                          # set elsewhere: the buttons follow
    assert view._resolution.value == 13 and 13 in view._resolution.options.values()


def test_note_ticks_label_each_c_and_mark_each_note():
    major, minor, labels = note_ticks(["B0", "C1", "C1", "C♯1", "D1", "C2"])
    assert major == [1, 5] and minor == [0, 1, 3, 4, 5] and labels == {1: "C1", 5: "C2"}


def test_helix_turn_and_tilt_redraw_without_recomputing(lab, snapshot, same):
    view, counts = lab.views["helix"], lab.counts()
    points = snapshot(view.sources["points"])
    view.azimuth = 90.0
    assert not same(points, snapshot(view.sources["points"]))
    view.elevation = 90.0                          # from straight above: the chroma circle
    data = view.sources["points"].data
    a = [i for i, note in enumerate(data["note"]) if note[:-1] == "A"]
    assert len(a) == 7
    assert np.ptp(np.asarray(data["sx"])[a]) < 1e-9 and np.ptp(np.asarray(data["sy"])[a]) < 1e-9
    view.db_range = (-30.0, 0.0)
    assert view._mapper.low == -30.0 and min(view.sources["points"].data["size"]) == view.sizes[0]
    assert lab.counts() == counts
    loudest = data["note"][int(np.argmax(data["db"]))]
    assert loudest[:-1] == "A" and f"loudest bin {loudest}" in view._fig.title.text


def test_tonnetz_circles_place_the_pitch_classes_and_show_the_path(lab):
    view = lab.views["tonnetz"]
    pitches = view.sources["pitches"].data
    fifths = dict(zip(pitches["text0"], zip(pitches["x0"], pitches["y0"])))
    assert fifths["C"][0] == pytest.approx(0.0, abs=1e-9) and fifths["C"][1] > 1.0  # 12 o'clock
    assert fifths["G"][0] > 0                                     # one fifth clockwise
    assert "C\nE\nG♯" in pitches["text1"]                          # a major third apart coincide
    assert len(view.sources["path"].data["x0"]) == lab.chroma.output.chroma.shape[1]
    lab.views["cqt"]._resolution.value = 24
    lab.chroma.n_chroma = 24
    assert lab.chroma.error is None and "needs n_chroma = 12" in view._curves_figure.title.text


def test_kernel_view_shows_the_sparse_matrix_and_the_window_lengths(lab):
    view, kernel = lab.views["kernel"], lab.kernel.output
    (image,) = view.sources["image"].data["image"]
    assert image.shape == (84, view.n_columns) and image.dtype == np.float32
    assert image.max() == 0.0 and (image < view.db_floor).mean() > 0.5   # mostly zeros: sparse
    np.testing.assert_allclose(view.sources["lengths"].data["N"], kernel.lengths)
    assert list(view.sources["n_fft"].data["N"]) == [kernel.n_fft] * 2
    assert f"{100 * kernel.density:.1f} % non-zero" in view._kernel_figure.title.text
    count = lab.kernel.compute_count
    view.frequency_scale = "log"
    assert lab.kernel.compute_count == count
    assert view.sources["image"].data["image"][0] is not image
    assert view._kernel_figure.xaxis[0].major_label_overrides


def test_a_cqt_error_shows_in_every_tonal_view_and_recovers(lab):
    lab.cqt.fmin = 500.0                 # 84 bins from 500 Hz pass the Nyquist frequency
    assert "fmin" in lab.views["cqt"]._error.object and lab.views["cqt"]._error.visible
    for kind in ("chroma", "helix", "tonnetz", "kernel"):
        assert "Upstream node 'cqt' failed" in lab.views[kind]._error.object
    lab.selection.time = 0.5             # the last good drawing still follows the frame
    lab.cqt.fmin = 55.0
    assert not any(view._error.visible for view in lab.views.values())


def test_cqt_image_payload_is_about_the_plot_size_for_a_30_s_clip(render, wav_30s):
    lab = Lab(AudioSource(name="audio", origin="upload", data=wav_30s, filename="30s.wav"))
    view = lab.views["cqt"]
    render(view)
    (image,) = view.sources["image"].data["image"]
    assert lab.cqt.output.C.shape[1] > view.n_columns
    assert image.shape == (84, view.n_columns) and image.dtype == np.float32


def test_colour_range_moves_the_mapper_without_sending_data(lab):
    view = lab.views["cqt"]
    image, count = view.sources["image"].data["image"][0], lab.cqt.compute_count
    view.db_range = (-60.0, -10.0)
    assert (view._mapper.low, view._mapper.high) == (-60.0, -10.0)
    assert view.sources["image"].data["image"][0] is image and lab.cqt.compute_count == count


def test_frame_sliders_are_per_view_with_the_doc_as_tooltip(lab):
    helix, tonnetz = lab.views["helix"], lab.views["tonnetz"]
    sliders = [next(w for w in v._layout.select(pn.widgets.FloatSlider)
                    if w.name == "frame time (s)") for v in (helix, tonnetz)]
    assert sliders[0] is not sliders[1]
    sliders[0].value = 1.5
    assert lab.selection.time == 1.5 and sliders[1].value == 1.5
    tooltips = [w.value for w in helix._layout.select(pn.widgets.TooltipIcon)]
    assert FrameSelection.param["time"].doc in tooltips
    assert sliders[0].end == pytest.approx(lab.cqt.output.times[-1])


def test_tonal_page_wires_the_chapter_and_keeps_the_stft_and_kernel_in_step():
    page = lw.lab.chapter("tonal")
    graph = page.graph
    assert graph["cqt"].source is graph["audio"] and graph["stft"].source is graph["audio"]
    assert graph["chroma"].spectrum is graph["cqt"] and graph["shepard"].chroma is graph["chroma"]
    graph["cqt"].param.update(hop_length=1024, filter_scale=1.5)
    assert graph["stft"].hop_length == 1024 and graph["kernel"].filter_scale == 1.5
    chroma_view = next(v for v in page.views if isinstance(v, ChromaView))
    chroma_view.method = "STFT"
    assert graph["chroma"].spectrum is graph["stft"]
    selections = {id(v.selection) for v in page.views if hasattr(v, "selection")}
    assert len(selections) == 1
    choice = next(obj for obj in page._layout.select(pn.widgets.RadioButtonGroup)
                  if "generator" in obj.options.values())
    choice.value = "generator"
    assert graph["cqt"].source is graph["generator"] and graph["stft"].source is graph["generator"]


def test_a_tone_lands_on_its_own_column_of_the_helix(render):
    lab = Lab(SignalGenerator(name="audio", frequency=261.6255653005986, duration=1.0))
    render(lab.views["helix"])
    data = lab.views["helix"].sources["points"].data
    assert data["note"][int(np.argmax(data["db"]))] == "C4"


def test_only_a_slow_pull_goes_to_a_worker_thread(lab):
    view = lab.views["chroma"]
    for hidden in lab.views.values():        # hidden: a change only marks the views dirty
        hidden.active = False
    lab.chroma.norm = "2"
    assert lab.chroma.stale and not view.background          # the chroma alone: drawn at once
    lab.cqt.last_compute_seconds = 1.0                        # as a CQT of long audio takes
    lab.cqt.hop_length = 256
    assert lab.cqt.stale and view.background
    view.active = True
    assert not view.dirty and not view.background
