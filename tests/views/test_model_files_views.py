"""Chapter 8 in the lab: download the trained network as one .npz, load one into the trainer, refuse bad files."""

import re

import numpy as np
import pytest
from tests.model_files import downloaded, trained_model_bytes

from listenwidgets.nodes import Dataset, Trainer
from listenwidgets.nodes.trainer import Model
from listenwidgets.views import TrainerView


@pytest.fixture(scope="module")
def dataset():
    data = Dataset(name="io.data", n_per_class=15, features="spectral")
    data.output
    return data


def trained_view(dataset, render, **knobs):
    view = TrainerView(Trainer(name="io.trainer", examples=dataset, **{"epochs": 10, **knobs}))
    view.session.epoch_seconds = 0.0
    render(view)
    view.session.run()
    view.poll()
    return view


def test_download_gives_the_bytes_of_a_model_that_loads(dataset, render):
    view = TrainerView(Trainer(name="io.trainer", examples=dataset, epochs=10))
    render(view)
    view.files.download._clicks += 1
    assert view.files.download.data is None
    assert view.files.message.visible and "no network yet" in view.files.message.object
    view.session.run()
    view.poll()
    data = downloaded(view.files)
    assert view.files.download.filename == "io-model.npz" and not view.files.message.visible
    model = Model.from_bytes(data)
    X = dataset.output.X
    np.testing.assert_array_equal(model.predict_proba(X), view.session.model().predict_proba(X))


def test_loading_a_model_makes_it_the_trainers_and_training_can_continue(dataset, render):
    data = downloaded(trained_view(dataset, render, hidden_layer_sizes="6,4", epochs=12).files)
    view = TrainerView(Trainer(name="io.other", examples=dataset, hidden_layer_sizes="3", epochs=50))
    render(view)
    view.files.upload.param.update(filename="six-four.npz", value=data)      # as the browser sends it
    assert view.files.message.alert_type == "success", view.files.message.object
    assert "six-four.npz" in view.files.message.object and "12 epochs trained" in view.files.message.object
    assert (view.node.hidden_layer_sizes, view.node.epochs) == ("6,4", 12)
    assert view.session.state == "finished" and view.session.epoch == 12
    assert len(view.sources["loss"].data["epoch"]) == 12 and len(view.sources["regions"].data["image"]) == 1
    X = dataset.output.X
    np.testing.assert_array_equal(view.session.model().predict_proba(X), Model.from_bytes(data).predict_proba(X))
    view.node.epochs = 14             # any knob change starts a new run, as always
    assert view.session.state == "idle"


def test_loading_a_model_with_the_current_knobs_shows_its_curves_only(dataset, render):
    first = downloaded(trained_view(dataset, render, epochs=6).files)
    other = Dataset(name="io.other_data", n_per_class=15, features="spectral", seed=1)
    view = TrainerView(Trainer(name="io.same", examples=other, epochs=6))     # the same knobs
    render(view)
    view.step()
    view.session.join()
    view.poll()
    assert len(view.sources["loss"].data["epoch"]) == 1
    view.files.load(first, filename="first.npz")
    assert view.files.message.alert_type == "success"
    assert list(view.sources["loss"].data["train"]) == Model.from_bytes(first).history.train_loss


@pytest.mark.parametrize("make,message", [
    (lambda good: b"certainly not a model", "not an .npz archive"),
    (lambda good: good[: len(good) // 2], "not an .npz archive"),
    (lambda good: trained_model_bytes(features="mfcc"), r"takes 40 features \(mfcc"),
    (lambda good: trained_model_bytes(corpus="vowels"), r"classes \(a, e, i, o, u\) are not the data set's"),
])
def test_a_bad_file_is_refused_and_the_trainer_keeps_working(dataset, render, make, message):
    view = trained_view(dataset, render, hidden_layer_sizes="5", epochs=4)
    view.files.load(make(downloaded(view.files)), filename="bad.npz")
    assert view.files.message.alert_type == "danger" and "bad.npz refused" in view.files.message.object
    assert re.search(message, view.files.message.object), view.files.message.object
    assert view.node.hidden_layer_sizes == "5" and view.session.state == "finished" and view.session.epoch == 4
    view.reset()
    view.step()
    view.session.join()
    view.poll()
    assert view.session.epoch == 1 and len(view.sources["loss"].data["epoch"]) == 1


def test_the_trainer_buttons_use_label_not_the_deprecated_name(dataset, recwarn):
    view = TrainerView(Trainer(name="io.buttons", examples=dataset))
    assert [b.label for b in view.buttons.values()] == ["▶ Start", "⏸ Pause", "⏭ Step", "↺ Reset", "✕ Cancel"]
    assert not [w for w in recwarn if "deprecated" in str(w.message)]
