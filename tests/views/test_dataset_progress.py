"""The progress bar of a data set build: set during the build, drawn on the event loop when served, hidden after."""

import threading

import numpy as np
import pytest
from bokeh.document import Document
from panel.io.state import set_curdoc

import listenwidgets.views.trainer_data as trainer_data
from listenwidgets import dsp
from listenwidgets.nodes import Dataset
from listenwidgets.views import DatasetView


@pytest.fixture
def wav_folder(tmp_path):
    """Two classes of three tiny clips each, as WAV files."""
    rng = np.random.default_rng(0)
    for label in ("tone", "noise"):
        (tmp_path / label).mkdir()
        for k in range(3):
            t = np.arange(4000) / 16000
            y = np.sin(2 * np.pi * 440 * (k + 1) * t) if label == "tone" else rng.uniform(-0.5, 0.5, t.size)
            (tmp_path / label / f"{k}.wav").write_bytes(dsp.to_wav_bytes(0.5 * y.astype(np.float32), sr=16000))
    return tmp_path


def bar_states(view):
    """Record (value, max, visible, message) each time the progress message changes."""
    states = []
    view.progress_message.param.watch(lambda event: states.append(
        (view.progress_bar.value, view.progress_bar.max, view.progress_bar.visible, event.new)), "object")
    return states


def test_the_progress_bar_follows_a_build_in_a_notebook_and_hides_after(wav_folder, render, monkeypatch):
    monkeypatch.setattr(trainer_data, "NOTEBOOK_PROGRESS_SECONDS", 0.0)    # draw every report
    view = DatasetView(Dataset(name="io.folder", corpus="folder", path=str(wav_folder), features="spectral"))
    states = bar_states(view)
    render(view)
    assert (1, 6, True, "noise/0.wav (1/6)") in states                    # reading the folder
    assert (6, 6, True, "features of tone/2.wav (6/6)") in states         # then the features
    assert all(visible for *_, visible, _ in states)
    assert not view.progress_bar.visible and not view.progress_message.visible
    assert view.sources["counts"].data["count"] == [3, 3] and view.node.error is None


def test_each_report_sets_the_bar_and_the_message_whatever_the_bar_showed_before():
    view = DatasetView(Dataset(name="io.reports"))
    view._on_progress(37, 216, "rendering piano C4")      # the first report: drawn at once in a notebook
    assert (view.progress_bar.value, view.progress_bar.max, view.progress_bar.visible) == (37, 216, True)
    assert view.progress_message.object == "rendering piano C4 (37/216)"
    view._report_drawn = 0.0
    view._on_progress(2, 3, "features of <b>")             # a smaller build next; the message is text
    assert (view.progress_bar.value, view.progress_bar.max) == (2, 3)
    assert view.progress_message.object == "features of &lt;b&gt; (2/3)"


class _Session:
    destroyed = False


def test_the_progress_bar_is_drawn_on_the_event_loop_when_served(render):
    node = Dataset(name="io.served", n_per_class=5, features="spectral")
    view = DatasetView(node)
    render(view)
    doc, session, ticks = Document(), _Session(), []
    doc._session_context = lambda: session
    doc.add_next_tick_callback = ticks.append               # the event loop: run by hand below
    timeouts = []
    doc.add_timeout_callback = lambda callback, ms: timeouts.append(callback)
    reached, resume = threading.Event(), threading.Event()
    report = node.progress

    def slow(done, total, message):                         # a slow build: stop at the third clip
        report(done, total, message)
        if done == 3:
            reached.set()
            resume.wait(30)

    node.progress = slow
    with set_curdoc(doc):
        node.seed = 1                                       # rebuild, pulled in a worker thread
    assert reached.wait(30)
    assert not view.progress_bar.visible                    # nothing drawn from the worker thread
    assert len(ticks) == 1                                  # one draw scheduled for three reports
    ticks.pop(0)()
    assert (view.progress_bar.value, view.progress_bar.max, view.progress_bar.visible) == (3, 10, True)
    assert view.progress_message.object.endswith("(3/10)") and not view._layout.loading
    for callback in timeouts:                               # a slow pull: the spinner would show now
        callback()
    assert not view._layout.loading                         # the bar says more than the spinner
    resume.set()
    for thread in threading.enumerate():
        if thread.name == "pull-io.served":
            thread.join(30)
    while ticks:
        ticks.pop(0)()
    assert not view.progress_bar.visible and not view.progress_message.visible
    assert view.sources["counts"].data["count"] == [5, 5]
