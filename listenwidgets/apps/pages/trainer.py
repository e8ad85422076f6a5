"""Chapter 8 — machine learning on audio features: a data set, a network, and its training watched live."""

from __future__ import annotations

import panel as pn

from ...nodes import MFCC, STFT, Dataset, MelSpectrogram, SignalGenerator, Trainer
from ...views.controls import knob_controls, power_of_two_options
from ...views.trainer import TrainerView
from ...views.trainer_data import DatasetView
from ..page import Page, chapter_graph

__all__ = ["build"]

CHAPTER = "trainer"

INTRO = """
**Supervised learning** on the features of the earlier chapters. Each clip of a labelled corpus becomes one
vector x (the mean and standard deviation over frames of its MFCCs, spectral features or chroma) and the
network learns ŷ = f(x) from the **train** set; the **dev** set tells how well it generalises while you tune,
the **test** set is kept for the end. With no hidden layer it is **logistic regression** σ(wᵀx + b);
hidden layers with a non-linear **activation** (sigmoid, tanh, ReLU, leaky ReLU) bend the decision
boundary. Press **Start** and watch the train and dev loss: a low train loss with a high dev loss is
**variance** (try l2, dropout, more data), both high is **bias** (a bigger network, more epochs). Change
the **optimizer** (gradient descent, momentum, RMSprop, Adam), the **learning_rate** (try 5 with gd: it
diverges), the **batch_size**, turn **normalise** off — any change retrains. The MFCC settings below are
the ones that make the features. **Download model** saves the network as trained so far (one `.npz`, no
pickle); **Load model** puts a saved one back — its hyper-parameters become the knobs, and you can train on.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the trainer page: MFCC settings → Dataset → Trainer, trained live.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the dataset may not read a server folder.
    """
    probe = SignalGenerator(name=f"{CHAPTER}.probe", waveform="sawtooth", frequency=220.0, n_harmonics=20,
                            sr=16000, duration=0.5)
    stft = STFT(name=f"{CHAPTER}.stft", source=probe, n_fft=512, hop_length=128)
    mel = MelSpectrogram(name=f"{CHAPTER}.mel", spectrogram=stft, n_mels=40)
    mfcc = MFCC(name=f"{CHAPTER}.mfcc", mel=mel, n_mfcc=13)
    dataset = Dataset(name=f"{CHAPTER}.dataset", mfcc=mfcc, sandboxed=sandboxed)
    trainer = Trainer(name=f"{CHAPTER}.trainer", examples=dataset)
    graph = chapter_graph(CHAPTER, probe, stft, mel, mfcc, dataset, trainer)

    knobs = [knob_controls(stft, knobs=["n_fft", "hop_length", "window"], throttled=True, widgets={
                 "n_fft": {"type": pn.widgets.DiscreteSlider, "options": power_of_two_options(128, 4096)}})[1],
             knob_controls(mel, knobs=["n_mels", "htk"], throttled=True)[1],
             knob_controls(mfcc, knobs=["n_mfcc", "lifter"], throttled=True)[1]]
    settings = pn.Column(pn.pane.HTML("<b>Feature settings (the MFCC chain of chapter 6)</b>",
                                      margin=(10, 10, 0, 10)), pn.Row(*knobs), sizing_mode="stretch_width")
    knobs = ["corpus", "n_per_class", "snr_db", "seed", "features"] + ([] if sandboxed else ["path"])
    body = [
        DatasetView(dataset, title="The data set", knobs=knobs, throttled=True),
        settings,
        TrainerView(trainer, title="The network and its training", throttled=True, speed=0.1),
    ]
    return Page(title="8. Machine learning on audio features", intro=INTRO, graph=graph, body=body)
