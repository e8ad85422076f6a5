"""Chapter 9's model choice: download the model the prediction uses, classify with a loaded one."""

import numpy as np
import pytest
from tests.model_files import downloaded, trained_model_bytes

from listenwidgets.apps.pages.application import ModelChoice
from listenwidgets.nodes import Dataset, Predict, SignalGenerator, Trainer
from listenwidgets.nodes.trainer import Model, ModelFile


@pytest.fixture(scope="module")
def dataset():
    data = Dataset(name="io9.data", n_per_class=15, features="spectral")
    data.output
    return data


@pytest.fixture
def chapter9(dataset):
    trainer = Trainer(name="io9.trainer", examples=dataset, epochs=8)
    loaded = ModelFile(name="io9.loaded")
    predict = Predict(name="io9.predict", model=trainer,
                      source=SignalGenerator(waveform="white_noise", duration=0.5, sr=16000))
    return ModelChoice(predict=predict, trained=trainer, loaded=loaded, dataset=dataset), predict, trainer, loaded


def test_chapter9_downloads_the_trained_model_and_predicts_with_a_loaded_one(chapter9, dataset):
    choice, predict, trainer, loaded = chapter9
    choice.files.download._clicks += 1
    assert "still being trained" in choice.files.message.object
    trainer.output
    data = downloaded(choice.files)
    np.testing.assert_array_equal(Model.from_bytes(data).predict_proba(dataset.output.X),
                                  trainer.output.predict_proba(dataset.output.X))
    before = predict.output.probabilities
    other = Trainer(examples=dataset, epochs=3, seed=7).output.to_bytes()
    choice.files.load(other, filename="seven.npz")
    assert choice.files.message.alert_type == "success"
    assert predict.model is loaded and choice.selector.value == "loaded: seven.npz"
    assert loaded.filename == "seven.npz" and predict.error is None
    after = predict.output.probabilities
    assert not np.array_equal(after, before)
    np.testing.assert_array_equal(after, Model.from_bytes(other).predict_proba(predict.output.x)[0])
    choice.selector.value = choice.TRAINED
    assert predict.model is trainer
    np.testing.assert_array_equal(predict.output.probabilities, before)


def test_chapter9_refuses_a_model_of_other_features_and_keeps_predicting(chapter9):
    choice, predict, trainer, loaded = chapter9
    choice.files.load(trained_model_bytes(features="chroma"), filename="chroma.npz")
    assert choice.files.message.alert_type == "danger"
    assert "takes 24 features (chroma" in choice.files.message.object
    assert predict.model is trainer and predict.error is None and loaded.data is None
    assert choice.selector.options == [choice.TRAINED]
