"""A trained model as one .npz (arrays + a JSON string, no pickle): round trips and every refusal."""

import io
import json

import numpy as np
import pytest

from listenwidgets import dsp
from listenwidgets.errors import ParameterError
from listenwidgets.nodes import Dataset, Predict, SignalGenerator, Trainer, TrainingSession
from listenwidgets.nodes import model_file
from listenwidgets.nodes.trainer import Model, ModelFile


@pytest.fixture(scope="module")
def examples():
    data = Dataset(n_per_class=12, features="spectral")
    data.output
    return data


@pytest.fixture(scope="module")
def model(examples):
    return Trainer(examples=examples, hidden_layer_sizes="8,4", activation="relu,tanh", epochs=6).output


def arrays_of(data):
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def npz_bytes(arrays, **kwargs):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **kwargs)
    return buffer.getvalue()


def edited(model, **changes):
    """The model's file with arrays replaced (None: removed)."""
    arrays = arrays_of(model.to_bytes())
    for name, value in changes.items():
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    return npz_bytes(arrays)


def edited_json(model, edit):
    arrays = arrays_of(model.to_bytes())
    meta = json.loads(str(arrays["model_json"]))
    edit(meta)
    arrays["model_json"] = np.array(json.dumps(meta))
    return npz_bytes(arrays)


def test_round_trip_predicts_identically_and_keeps_what_predict_needs(model, examples):
    data = model.to_bytes()
    arrays = arrays_of(data)        # readable without pickle
    assert {"model_json", "mean", "scale", "W0", "b0", "W1", "b1", "W2", "b2"} <= set(arrays)
    meta = json.loads(str(arrays["model_json"]))
    assert meta["mlp"]["hyper_parameters"]["hidden_layer_sizes"] == [8, 4]
    assert meta["mlp"]["state"]["classes"] == ["noise", "tone"] and meta["features"] == "spectral"
    loaded = Model.from_bytes(data)
    X = examples.output.X
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.classes == model.classes and loaded.feature_names == model.feature_names
    assert loaded.settings == model.settings and loaded.sr == model.sr and loaded.plan is None
    assert loaded.history.train_loss == model.history.train_loss
    assert loaded.to_bytes() == data


def test_save_and_load_one_file(model, examples, tmp_path):
    assert model.save(tmp_path / "m.npz") == [tmp_path / "m.npz"]
    loaded = Model.load(tmp_path / "m")
    X = examples.output.X
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_model_file_node_predicts_like_the_trainer(examples):
    trainer = Trainer(examples=examples, epochs=8)
    source = SignalGenerator(waveform="white_noise", duration=0.5, sr=16000)
    trained = Predict(model=trainer, source=source).output
    node = ModelFile(data=trainer.output.to_bytes(), filename="noise.npz")
    loaded = Predict(model=node, source=source).output
    np.testing.assert_array_equal(loaded.probabilities, trained.probabilities)
    assert "noise.npz: network 12 → 32 → 2 classes" in node.describe()


def test_a_model_file_node_without_data_or_with_bad_data_is_an_error():
    node = ModelFile()
    assert isinstance(node.error, ParameterError) and "no model file loaded" in str(node.error)
    node.data = b"not a model"
    assert "not an .npz" in str(node.error)


@pytest.mark.parametrize("data,message", [
    (b"hello", "not an .npz archive"),
    (b"PK\x03\x04 truncated zip", "not an .npz archive"),
    (dsp.to_wav_bytes(np.zeros(100, dtype=np.float32), sr=8000), "not an .npz archive"),
    (npz_bytes({"x": np.zeros(3)}), "lacks model_json, mean, scale"),
    ("a string", "a model file is bytes"),
])
def test_files_that_are_not_models_are_refused(data, message):
    with pytest.raises(ParameterError, match=message):
        Model.from_bytes(data)


def test_a_single_npy_array_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 3)))
    with pytest.raises(ParameterError, match=r"single .npy array of shape \(2, 3\)"):
        Model.from_bytes(buffer.getvalue())


def test_pickled_arrays_are_refused_unread(model):
    arrays = arrays_of(model.to_bytes())
    arrays["W0"] = np.array([{"evil": 1}], dtype=object)
    with pytest.raises(ParameterError, match="'W0' cannot be read without pickle"):
        Model.from_bytes(npz_bytes(arrays))


@pytest.mark.parametrize("changes,message", [
    ({"W1": None, "b1": None}, "lacks W1, b1 .the network has 3 layers"),
    ({"mean": None}, "lacks mean"),
    ({"W0": np.zeros((11, 8))}, r"W0 has shape \(11, 8\); the network saved in model_json needs \(12, 8\)"),
    ({"b2": np.zeros(2)}, r"b2 has shape \(2,\).*needs \(1,\)"),
    ({"mean": np.zeros(13)}, r"mean has shape \(13,\).*needs \(12,\)"),
    ({"optimizer_v": np.zeros(5)}, r"optimizer_v has shape \(5,\)"),
    ({"W0": np.full((12, 8), np.nan)}, "W0 must hold finite numbers"),
    ({"scale": np.zeros(12)}, "scale must be positive"),
    ({"model_json": np.array(["a", "b"])}, r"model_json must be one string"),
    ({"model_json": np.array("{not json")}, "model_json is not valid JSON"),
])
def test_damaged_arrays_are_refused_naming_them(model, changes, message):
    with pytest.raises(ParameterError, match=message):
        Model.from_bytes(edited(model, **changes))


def _set(path, value):
    def edit(meta):
        *parents, last = path
        for key in parents:
            meta = meta[key]
        if value is None:
            del meta[last]
        else:
            meta[last] = value
    return edit


@pytest.mark.parametrize("edit,message", [
    (_set(["format"], "something else"), "not a saved listenwidgets model: format='something else'"),
    (_set(["version"], 99), "unsupported version=99"),
    (_set(["sr"], None), "model_json lacks sr"),
    (_set(["sr"], -1), "sr=-1"),
    (_set(["features"], "mel"), "features='mel' is not one of"),
    (_set(["settings", "n_fft"], None), "settings lack n_fft"),
    (_set(["settings", "bogus"], 1), "unknown feature settings"),
    (_set(["feature_names"], ["a", "b"]), r"feature_names \(2\) do not match features='spectral'"),
    (_set(["mlp", "state", "n_features_in"], 11), "n_features_in=11 inputs but 12 feature names"),
    (_set(["mlp", "state"], None), "the network in model_json is incomplete"),
    (_set(["mlp", "hyper_parameters", "hidden_layer_sizes"], [8, 5]), r"W1 has shape \(8, 4\).*needs \(8, 5\)"),
])
def test_damaged_json_is_refused_naming_the_field(model, edit, message):
    with pytest.raises(ParameterError, match=message):
        Model.from_bytes(edited_json(model, edit))


def test_too_large_files_are_refused_before_reading(model, monkeypatch):
    monkeypatch.setattr(model_file, "MAX_BYTES", 1000)
    with pytest.raises(ParameterError, match="at most 0.000953674 MB"):
        Model.from_bytes(model.to_bytes())


def test_a_model_of_other_features_or_classes_does_not_fit(model):
    mfcc = Dataset(n_per_class=6, features="mfcc").output
    with pytest.raises(ParameterError, match=r"takes 12 features \(spectral.*gives 40 features \(mfcc"):
        model.check_fits(mfcc)
    vowels = Dataset(corpus="vowels", n_per_class=4, features="spectral").output
    model.check_fits(vowels)
    with pytest.raises(ParameterError, match=r"classes \(noise, tone\) are not the data set's \(a, e, i, o, u\)"):
        model.check_fits(vowels, same_classes=True)


def test_a_session_continues_from_an_installed_model(model, examples):
    trainer = Trainer(examples=examples, hidden_layer_sizes="3", epochs=50)
    session = TrainingSession(trainer)
    loaded = Model.from_bytes(model.to_bytes())
    session.install(loaded)
    assert (trainer.hidden_layer_sizes, trainer.activation, trainer.epochs) == ("8,4", "relu,tanh", 6)
    assert session.state == "finished" and session.epoch == 6 and "loaded" in session.message
    X = examples.output.X
    np.testing.assert_array_equal(session.model().predict_proba(X), model.predict_proba(X))
    assert session.curves()["train_loss"] == model.history.train_loss
    half = TrainingSession(Trainer(examples=examples, epochs=6))
    for _ in range(3):
        half.step()
    session.install(Model.from_bytes(half.model().to_bytes()))
    assert (trainer.hidden_layer_sizes, trainer.epochs) == ("32", 6)
    assert session.state == "paused" and session.epoch == 3
    assert session.run() == "finished" and session.epoch == 6


def test_installing_a_model_of_other_features_changes_nothing(model):
    trainer = Trainer(examples=Dataset(n_per_class=6, features="mfcc"), hidden_layer_sizes="3", epochs=4)
    session = TrainingSession(trainer)
    session.run()
    with pytest.raises(ParameterError, match="takes 12 features"):
        session.install(model)
    assert trainer.hidden_layer_sizes == "3" and session.state == "finished" and session.epoch == 4
