"""Views of chapters 8-9 built in Python without a browser: drawn, trained, updated in place."""

import numpy as np
import panel as pn
import pytest
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from listenwidgets.nodes import Dataset, ExampleClip, Predict, Trainer
from listenwidgets.views import DatasetView, ModelView, NodeView, PredictionView, TrainerView


@pytest.fixture(scope="module")
def dataset():
    data = Dataset(name="data", n_per_class=15, features="spectral")
    data.output
    return data


def trainer_view(dataset, **knobs):
    view = TrainerView(Trainer(name="trainer", examples=dataset, epochs=10, **knobs))
    view.session.epoch_seconds = 0.0
    return view


def sizes(view):
    return {role: len(next(iter(source.data.values()))) for role, source in view.sources.items()}


def test_trainer_view_builds_once_and_draws_the_examples_before_training(dataset, render):
    view = trainer_view(dataset)
    assert isinstance(view, NodeView) and view.dirty
    render(view)
    assert not view.dirty and view.session.state == "idle"
    assert view.figures and all(isinstance(f, figure) for f in view.figures)
    for role, source in view.sources.items():
        assert isinstance(source, ColumnDataSource) and source.name == f"trainer.{role}"
    assert sizes(view) == {"loss": 0, "accuracy": 0, "points": 30, "regions": 0, "confusion": 0, "ewma": 0}
    assert (view.x_feature, view.y_feature) == ("centroid_mean", "bandwidth_mean")
    assert "held at their training mean" in view.figures[2].title.text
    assert "other 10 features" in view.figures[2].title.text
    assert set(view.sources["points"].data["marker"]) == {"circle", "triangle", "square"}


def test_start_streams_into_the_same_sources_and_pause_stops(dataset, render):
    view = trainer_view(dataset)
    render(view)
    figures, sources = list(view.figures), dict(view.sources)
    view.session.on_epoch.append(lambda session, epoch: epoch == 3 and session.pause())
    view.start()
    view.session.join()
    view.poll()
    assert view.session.state == "paused" and sizes(view)["loss"] == 3
    assert list(view.sources["loss"].data["epoch"]) == [1.0, 2.0, 3.0]
    assert "paused" in view._status.object and "epoch 3 of 10" in view._status.object
    view.session.on_epoch.clear()
    view.step()
    view.session.join()
    view.poll()
    assert sizes(view)["loss"] == 4
    view.start()
    view.session.join()
    view.poll()
    assert view.session.state == "finished" and sizes(view)["loss"] == 10
    assert view.figures == figures and view.sources == sources
    assert sizes(view)["regions"] == 1 and sizes(view)["confusion"] == 4 and sizes(view)["ewma"] > 0
    image = view.sources["regions"].data["image"][0]
    assert image.shape == (60, 60) and set(np.unique(image)) <= {0.0, 1.0}
    assert "Bias and variance" in view._diagnosis.object
    assert "adam after t =" in view._rule_values.object and "hat" in view._rule.object
    assert "Dev set:" in view.figures[3].title.text


def test_display_knobs_redraw_without_retraining(dataset, render, snapshot, same):
    view = trainer_view(dataset)
    render(view)
    view.session.run()
    view.poll()
    regions, ewma = snapshot(view.sources["regions"]), snapshot(view.sources["ewma"])
    epochs = view.session.epoch
    view.y_feature = "zcr_mean"
    assert view.figures[2].yaxis.axis_label == "zcr_mean"
    assert not same(regions, snapshot(view.sources["regions"]))
    view.beta = 0.5
    after = snapshot(view.sources["ewma"])
    assert not same(ewma, after) and np.array_equal(after["cost"], ewma["cost"])
    view.confusion_on = "test"
    assert "Test set:" in view.figures[3].title.text
    assert view.session.epoch == epochs and view.session.state == "finished"


def test_a_knob_change_resets_the_run_and_a_bad_knob_shows_an_error(dataset, render):
    view = trainer_view(dataset)
    render(view)
    view.session.run()
    view.poll()
    view.node.learning_rate = 0.05
    assert view.session.state == "idle" and sizes(view)["loss"] == 0 and sizes(view)["points"] == 30
    view.node.hidden_layer_sizes = "6x"
    assert view._error.visible and "hidden_layer_sizes='6x'" in view._error.object
    assert sizes(view)["points"] == 0 or view.session.plan is None
    view.node.hidden_layer_sizes = "8"
    assert not view._error.visible and view.session.plan is not None


def test_divergence_is_shown(dataset, render):
    view = trainer_view(dataset, optimizer="gd", learning_rate=80.0, normalise=False)
    render(view)
    view.start()
    view.session.join()
    view.poll()
    assert view.session.state == "diverged"
    assert view._error.visible and "learning_rate=80" in view._error.object
    assert "diverged" in view._status.object


def test_dataset_model_and_prediction_views(dataset, render):
    trainer = Trainer(name="model", examples=dataset, epochs=20)
    clip = ExampleClip(name="clip", model=trainer)
    views = [DatasetView(dataset), ModelView(trainer), PredictionView(Predict(name="predict", model=trainer,
                                                                             source=clip))]
    for view in views:
        render(view)
        assert not view.dirty and view.node.error is None
        assert all(len(next(iter(s.data.values()))) for s in view.sources.values())
    data_view, model_view, prediction_view = views
    assert data_view.sources["counts"].data["count"] == [15, 15]
    assert data_view._player.signal.y is dataset.output.clips[0]
    data_view.example = 3
    assert data_view._player.signal.y is dataset.output.clips[3]
    assert len(model_view.sources["loss"].data["epoch"]) == 20
    assert "Test set" in model_view.figures[2].title.text
    probabilities = prediction_view.sources["probabilities"].data["p"]
    assert sum(probabilities) == pytest.approx(1.0)
    assert "Predicted: <b>" in prediction_view._answer.object
    assert prediction_view._player.signal is clip.output
    clip.index = 1
    assert prediction_view._player.signal is clip.output


@pytest.mark.slow
def test_the_application_page_rewires_the_prediction(render):
    import listenwidgets as lw

    page = lw.lab.chapter("application")
    render(page)
    choice = next(iter(page._layout.select(pn.widgets.RadioButtonGroup)))
    predict = page.graph["predict"]
    assert predict.source is page.graph["clip"]
    choice.value = "Signal generator"
    assert predict.source is page.graph["generator"] and predict.error is None
