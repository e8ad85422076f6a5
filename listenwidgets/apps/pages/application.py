"""Chapter 9 — a worked application: audio → features → trained classifier → prediction on new audio."""

from __future__ import annotations

import panel as pn

from ...errors import ParameterError
from ...nodes import AudioSource, Dataset, ExampleClip, Predict, SignalGenerator, Trainer
from ...nodes.trainer import ModelFile
from ...views import SourceView, WaveformView, error_message
from ...views.controls import knob_controls
from ...views.trainer_data import DatasetView
from ...views.trainer_io import ModelFiles
from ...views.trainer_predict import ModelView, PredictionView
from ..page import Page, chapter_graph

__all__ = ["build"]

CHAPTER = "application"

INTRO = """
Machine listening in practice — speech recognition, speaker identification, emotion, music transcription,
genre and instrument recognition — is this pipeline: **audio → features → a trained classifier → a
prediction on audio it has never heard**. Here the corpus is five synthetic **vowels** (a, e, i, o, u
from men, women and children); each clip becomes its MFCC summary, a network is trained on it (any knob
retrains it), and the trained model classifies a **new clip**: one from the test set (with its true class),
your own recording (upload a WAV/FLAC/OGG), or the signal generator. Try **holdout_group** = child: can a
model trained on adult voices recognise a child's vowels? **Download model** saves the trained model (one
`.npz`: the weights and a JSON description, no pickle); **Load model** classifies with a saved one instead.
"""


class ClipChoice(pn.viewable.Viewer):
    """Choose the clip to classify: a held-out test clip, an audio file, or the signal generator.

    Switching rewires the prediction node's ``source`` and shows the chosen node's controls.

    Parameters
    ----------
    predict : listenwidgets.nodes.Predict
        The node whose source follows the choice.
    choices : dict of str to (Node, Panel object)
        By label, the source node and what to show for it.
    """

    def __init__(self, *, predict, choices, **params):
        super().__init__(**params)
        self._predict = predict
        self._choices = choices
        self.selector = pn.widgets.RadioButtonGroup(options=list(choices), value=next(iter(choices)))
        self._shown = pn.Column(sizing_mode="stretch_width")
        self._layout = pn.Column(
            pn.Row(pn.pane.HTML("<b>Classify:</b>", margin=(12, 10)), self.selector),
            self._shown, sizing_mode="stretch_width")
        self.selector.param.watch(lambda event: self._choose(event.new), "value")
        self._choose(self.selector.value)

    def _choose(self, label):
        node, shown = self._choices[label]
        with pn.io.hold():
            if self._predict.source is not node:
                self._predict.source = node
            self._shown[:] = [shown]

    def __panel__(self):
        return self._layout


class ModelChoice(pn.viewable.Viewer):
    """Which model classifies the new clip: the one trained on this page, or one loaded from a file.

    "Download model" saves the model the prediction uses; "Load model" reads a
    saved one into ``loaded`` (refused when it does not read the data set's
    features) and rewires the prediction node to it.

    Parameters
    ----------
    predict : listenwidgets.nodes.Predict
        The node whose ``model`` follows the choice.
    trained : listenwidgets.nodes.Trainer
        The page's trainer.
    loaded : listenwidgets.nodes.trainer.ModelFile
        Holds a loaded file.
    dataset : listenwidgets.nodes.Dataset
        A loaded model must read its features.
    """

    TRAINED = "the model trained above"

    def __init__(self, *, predict, trained, loaded, dataset, **params):
        super().__init__(**params)
        self._predict, self._trained, self._loaded, self._dataset = predict, trained, loaded, dataset
        self.selector = pn.widgets.Select(label="Classify with", options=[self.TRAINED], value=self.TRAINED,
                                          width=260)
        self.selector.param.watch(lambda event: self._choose(event.new), "value")
        self.files = ModelFiles(current=self._current, check=self._check, install=self._install,
                                filename=f"{CHAPTER}-model.npz")
        self._layout = pn.Column(self.selector, self.files, sizing_mode="stretch_width")

    def __panel__(self):
        return self._layout

    def _current(self):
        """The model the prediction uses, if it is ready (no training on the event loop)."""
        node = self._predict.model
        if node.stale:
            raise ParameterError("the model is still being trained: download it once its curves are drawn")
        if node.error is not None:
            raise ParameterError(f"no model: {error_message(node.error)}")
        return node.output

    def _check(self, model):
        examples = self._dataset.output
        if examples is None:
            raise ParameterError(f"the model's features cannot be checked: the data set failed "
                                 f"({error_message(self._dataset.error)})")
        model.check_fits(examples)

    def _install(self, model, filename):
        self._loaded.param.update(data=model.to_bytes(), filename=filename)
        label = f"loaded: {filename}"
        self.selector.param.update(options=[self.TRAINED, label], value=label)
        self._choose(label)

    def _choose(self, label):
        node = self._trained if label == self.TRAINED else self._loaded
        if self._predict.model is not node:
            self._predict.model = node


def build(*, sandboxed: bool = False) -> Page:
    """Build the application page: vowels → MFCC summaries → network → the class of a new clip.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: no server paths are read (uploads only).
    """
    dataset = Dataset(name=f"{CHAPTER}.dataset", corpus="vowels", n_per_class=40, sandboxed=sandboxed)
    trainer = Trainer(name=f"{CHAPTER}.trainer", examples=dataset, hidden_layer_sizes="32", epochs=100)
    clip = ExampleClip(name=f"{CHAPTER}.clip", model=trainer)
    audio = AudioSource(name=f"{CHAPTER}.audio", origin="demo", demo="speech_female", sr=16000, duration=0.5,
                        offset=1.0, sandboxed=sandboxed)
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="glottal", frequency=120.0, sr=16000,
                                duration=0.5)
    loaded = ModelFile(name=f"{CHAPTER}.loaded_model")
    predict = Predict(name=f"{CHAPTER}.predict", model=trainer, source=clip)
    graph = chapter_graph(CHAPTER, dataset, trainer, clip, audio, generator, loaded, predict)

    choice = ClipChoice(predict=predict, choices={
        "A test clip": (clip, knob_controls(clip, knobs=["part", "index"])[1]),
        "Audio (demo or upload)": (audio, SourceView(audio, title="Audio clip", throttled=True)),
        "Signal generator": (generator, WaveformView(generator, title="Signal generator", throttled=True)),
    })
    body = [
        DatasetView(dataset, title="1. The labelled clips and their features",
                    knobs=["corpus", "n_per_class", "snr_db", "seed", "features"], throttled=True),
        ModelView(trainer, title="2. The classifier, trained", throttled=True,
                  knobs=["hidden_layer_sizes", "activation", "optimizer", "learning_rate", "epochs", "l2",
                         "dropout", "test", "holdout_group", "seed"]),
        pn.pane.HTML("<b>Save the model, or classify with a saved one</b>", margin=(10, 10, 0, 10)),
        ModelChoice(predict=predict, trained=trainer, loaded=loaded, dataset=dataset),
        pn.pane.HTML("<b style='font-size:1.15em'>3. A new clip</b>", margin=(10, 10, 0, 10)),
        choice,
        PredictionView(predict, title="4. The prediction", knobs=[]),
    ]
    return Page(title="9. A worked application", intro=INTRO, graph=graph, body=body)
