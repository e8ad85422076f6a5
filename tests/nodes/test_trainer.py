"""The Trainer node, its live TrainingSession, saving, and prediction on new audio."""

import numpy as np
import pytest

from listenwidgets import corpora, dsp
from listenwidgets.errors import ParameterError
from listenwidgets.nodes import (
    AudioSource, Dataset, ExampleClip, Model, Predict, SignalGenerator, Trainer, TrainingSession,
    UpstreamError)
from listenwidgets.nodes.trainer import diagnose, parse_activations, parse_layers


@pytest.fixture(scope="module")
def examples():
    data = Dataset(n_per_class=20, features="spectral")
    data.output
    return data


def test_parse_layers_and_activations():
    assert parse_layers("64, 32") == (64, 32) and parse_layers("") == () and parse_layers("0") == ()
    for bad in ("6x", "64,,3", "-1", "0,4"):
        with pytest.raises(ParameterError, match=f"hidden_layer_sizes={bad!r}"):
            parse_layers(bad)
    assert parse_activations("tanh", 2) == "tanh"
    assert parse_activations("relu,tanh", 2) == ("relu", "tanh")
    with pytest.raises(ParameterError, match="activation='relu,tanh'"):
        parse_activations("relu,tanh", 3)
    with pytest.raises(ParameterError, match="activation='swish'"):
        parse_activations("swish", 1)


def test_trainer_learns_tone_vs_noise_and_splits_as_asked(examples):
    trainer = Trainer(examples=examples, epochs=60, dev=0.25, test=0.25)
    model = trainer.output
    assert trainer.error is None, trainer.error
    parts = model.plan.parts
    assert sorted(np.concatenate(list(parts.values())).tolist()) == list(range(40))
    assert [parts[p].size for p in ("train", "dev", "test")] == [20, 10, 10]
    assert model.score("test") >= 0.9 and model.classes == ["noise", "tone"]
    assert len(model.history.train_loss) == 60
    assert model.history.train_loss[-1] < model.history.train_loss[0]
    train = examples.output.X[parts["train"]]
    np.testing.assert_allclose(model.mean, train.mean(axis=0))
    assert "adam with α = 0.01" in trainer.describe() and "12 →" in trainer.describe()


def test_a_bad_knob_is_a_named_error_that_recovers(examples):
    trainer = Trainer(examples=examples, epochs=5)
    trainer.hidden_layer_sizes = "6x"
    assert isinstance(trainer.error, ParameterError) and "hidden_layer_sizes='6x'" in str(trainer.error)
    trainer.hidden_layer_sizes = ""        # logistic regression
    assert trainer.error is None and len(trainer.output.mlp.params_) == 1
    trainer.param.update(dev=0.5, test=0.5)
    assert "dev=0.5, test=0.5" in str(trainer.error)


def test_divergence_is_an_error_naming_the_learning_rate_and_the_session_stops(examples):
    trainer = Trainer(examples=examples, optimizer="gd", learning_rate=80.0, epochs=200, normalise=False)
    assert isinstance(trainer.error, ParameterError) and "learning_rate=80" in str(trainer.error)
    session = TrainingSession(trainer)
    assert session.run() == "diverged"
    assert "learning_rate=80" in session.message and session.epoch < 200
    assert not session.step()                 # nothing more until a reset
    trainer.learning_rate = 0.01
    session.reset()
    assert session.run() == "finished"


def test_holdout_group_is_the_test_set(examples):
    groups = sorted(set(examples.output.groups))
    trainer = Trainer(examples=examples, holdout_group=groups[0], epochs=5)
    parts = trainer.output.plan.parts
    held = {examples.output.groups[i] for i in parts["test"]}
    assert held == {groups[0]}
    assert groups[0] not in {examples.output.groups[i] for i in parts["train"]}
    trainer.holdout_group = "nobody"
    assert isinstance(trainer.error, ParameterError) and "holdout_group='nobody'" in str(trainer.error)


def test_session_step_pause_start_cancel_reset(examples):
    trainer = Trainer(examples=examples, epochs=12)
    session = TrainingSession(trainer)
    seen, states = [], []
    session.on_epoch.append(lambda s, epoch: seen.append(epoch))
    session.on_state.append(lambda s, state: states.append(state))
    assert session.state == "idle" and session.model() is None
    assert session.step() and session.state == "paused" and session.epoch == 1
    session.on_epoch.append(lambda s, epoch: epoch == 4 and s.pause())
    assert session.start()
    session.join()
    assert session.state == "paused" and session.epoch == 4 and seen == [1, 2, 3, 4]
    assert session.start(epochs=2)            # a "step" in the background
    session.join()
    assert session.state == "paused" and session.epoch == 6
    curves = session.curves(since=4)
    assert curves["epoch"] == [5, 6] and len(curves["train_loss"]) == 2
    session.cancel()
    assert session.state == "cancelled" and not session.step() and session.epoch == 6
    session.on_epoch.pop()
    assert session.start()                    # a cancelled run starts again from scratch
    session.join()
    assert session.state == "finished" and session.epoch == 12 and seen[-12:] == list(range(1, 13))
    assert states[:3] == ["paused", "running", "paused"] and "finished" in states
    session.reset()
    assert session.state == "idle" and session.epoch == 0 and session.curves()["epoch"] == []


def test_a_finished_session_equals_the_node_output(examples):
    trainer = Trainer(examples=examples, epochs=15, dropout=0.2, batch_size=8)
    session = TrainingSession(trainer)
    session.start()
    session.join()
    assert session.state == "finished"
    X = examples.output.X
    np.testing.assert_array_equal(session.model().predict_proba(X), trainer.output.predict_proba(X))
    assert session.curves()["train_loss"] == trainer.output.history.train_loss


def test_session_reports_a_failed_plan(examples):
    session = TrainingSession(Trainer(examples=Dataset(corpus="folder")))
    assert not session.step() and session.state == "failed"
    assert isinstance(session.error, UpstreamError) and "path=''" in session.message
    assert not TrainingSession(Trainer()).step()


def test_session_readouts(examples):
    trainer = Trainer(examples=examples, epochs=10)
    session = TrainingSession(trainer)
    session.run()
    xs, ys, P = session.decision_grid(0, 1, n=20)
    assert xs.shape == ys.shape == (20,) and P.shape == (20, 20, 2)
    np.testing.assert_allclose(P.sum(axis=2), 1.0)
    C = session.confusion("dev")
    assert C.shape == (2, 2) and C.sum() == session.plan.parts["dev"].size
    smooth = session.smoothed_loss(beta=0.9)
    assert smooth["step"].size == smooth["cost"].size == session.model().mlp.t_
    assert smooth["corrected"][0] == pytest.approx(smooth["cost"][0])      # v̂_1 = θ_1
    assert smooth["uncorrected"][0] == pytest.approx(0.1 * smooth["cost"][0])
    assert "1 − β₂ᵗ" in session.describe() and "bias" in session.diagnosis() or "variance" in session.diagnosis()


def test_diagnose_reads_bias_and_variance():
    assert diagnose(0.01, 0.11).startswith("high variance")
    assert diagnose(0.15, 0.16).startswith("high bias")
    assert diagnose(0.15, 0.30).startswith("high bias and high variance")
    assert diagnose(0.005, 0.01).startswith("low bias and low variance")
    assert "no dev set" in diagnose(0.1, float("nan"))


def test_save_load_round_trip_predicts_the_same(examples, tmp_path):
    model = Trainer(examples=examples, epochs=10).output
    files = model.save(tmp_path / "model")
    assert [p.name for p in files] == ["model.npz"]
    loaded = Model.load(tmp_path / "model.npz")
    X = examples.output.X
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.classes == model.classes and loaded.settings == model.settings
    with pytest.raises(ParameterError):
        Model.load(tmp_path / "missing")


def test_prediction_on_new_audio_of_a_known_class():
    trainer = Trainer(examples=Dataset(n_per_class=30, features="spectral"), epochs=80)
    new = corpora.synthetic("tone_vs_noise", n_per_class=5, seed=99, sr=22050)   # unseen, resampled
    upload = AudioSource(origin="upload", sr=0)
    predict = Predict(model=trainer, source=upload)
    right = 0
    for y, label in zip(new.clips, new.labels):
        upload.data = dsp.to_wav_bytes(y, sr=int(new.sr))
        assert predict.error is None, predict.error
        assert predict.output.probabilities.sum() == pytest.approx(1.0)
        right += predict.output.label == label
    assert right >= 9
    predict.source = SignalGenerator(waveform="white_noise")
    assert predict.output.label == "noise" and "→ ĉ = noise" in predict.describe()


def test_example_clip_plays_a_held_out_clip_with_its_class(examples):
    trainer = Trainer(examples=examples, epochs=5)
    clip = ExampleClip(model=trainer, index=3)
    i = trainer.output.plan.parts["test"][3]
    assert clip.output.y is examples.output.clips[i]
    assert f"(true class: {examples.output.labels[i]})" in clip.output.label
    trainer.test = 0.0
    assert isinstance(clip.error, ParameterError) and "part='test'" in str(clip.error)
