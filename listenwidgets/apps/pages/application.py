"""Chapter 9 — a worked application: audio → features → trained classifier → prediction on new audio."""

from __future__ import annotations

import panel as pn

from ...nodes import AudioSource, Dataset, ExampleClip, Predict, SignalGenerator, Trainer
from ...views import SourceView, WaveformView
from ...views.controls import knob_controls
from ...views.trainer_data import DatasetView
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
model trained on adult voices recognise a child's vowels?
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
    predict = Predict(name=f"{CHAPTER}.predict", model=trainer, source=clip)
    graph = chapter_graph(CHAPTER, dataset, trainer, clip, audio, generator, predict)

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
        pn.pane.HTML("<b style='font-size:1.15em'>3. A new clip</b>", margin=(10, 10, 0, 10)),
        choice,
        PredictionView(predict, title="4. The prediction", knobs=[]),
    ]
    return Page(title="9. A worked application", intro=INTRO, graph=graph, body=body)
