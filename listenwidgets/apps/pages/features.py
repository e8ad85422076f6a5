"""Chapter 4 — acoustic features: spectral features over time, novelty and tempo."""

from __future__ import annotations

import panel as pn

from ...nodes import STFT, AudioSource, NoveltyCurve, SignalGenerator, SpectralFeatures
from ...views import view_tabs
from ...views.controls import knob_controls, power_of_two_options
from ...views.features import FeaturesView, NoveltyView
from ..page import Page, chapter_graph
from .common import SignalChoice

__all__ = ["build"]

CHAPTER = "features"

INTRO = """
A feature condenses each STFT frame into one number, so a sound becomes a few curves over time. The
**spectral centroid** SC = Σ f_k |X(k)|^p / Σ |X(k)|^p is the spectrum's centre of mass (brightness); the
**spread** SS = sqrt(Σ (f_k − SC)² |X(k)|^p / Σ |X(k)|^p) its width around it. The lecture weights by the
power spectrum (p = 2), librosa by the magnitude (p = 1): flip **power** and watch the centroid move.
**Flatness** is the geometric over the arithmetic mean of |X(k)|² (1 for noise, near 0 for a tone; per
band for band_flatness); **roll-off** the frequency below which roll_percent of the energy lies; **flux**
how much the spectrum changes from frame to frame; **zcr** how often the waveform changes sign. Tick
features on and off, play the clip and follow the curves under the spectrogram; try the generator's chirp
or white noise. The **novelty** tab turns the spectral change into an onset curve and its autocorrelation
into a **tempo** estimate.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the features page: audio clip (melody) or generator → STFT → features; novelty and tempo.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the audio source may not read server paths.
    """
    audio = AudioSource(name=f"{CHAPTER}.audio", demo="melody", sandboxed=sandboxed)
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="chirp", frequency=100.0,
                                fmax=8000.0, duration=3.0)
    stft = STFT(name=f"{CHAPTER}.stft", source=audio, n_fft=2048, hop_length=512)
    features = SpectralFeatures(name=f"{CHAPTER}.features", spectrogram=stft)
    novelty = NoveltyCurve(name=f"{CHAPTER}.novelty", source=audio)
    graph = chapter_graph(CHAPTER, audio, generator, stft, features, novelty)

    choice = SignalChoice(generator=generator, audio=audio, consumers=[stft, novelty],
                          value="audio", throttled=True)
    _, stft_controls = knob_controls(
        stft, knobs=["n_fft", "hop_length", "window"], throttled=True, width=900,
        widgets={"n_fft": {"type": pn.widgets.DiscreteSlider,
                           "options": power_of_two_options(256, 8192)},
                 "hop_length": {"type": pn.widgets.DiscreteSlider,
                                "options": power_of_two_options(64, 4096)}})
    tabs = view_tabs(
        ("Spectral features", FeaturesView(features, title="Spectral features over time",
                                           throttled=True)),
        ("Novelty and tempo", NoveltyView(novelty, title="Novelty function and tempo",
                                          throttled=True)),
    )
    body = [choice,
            pn.pane.HTML("<b>STFT the features are measured on</b>", margin=(10, 10, 0, 10)),
            pn.Row(*stft_controls, sizing_mode="stretch_width"),
            tabs]
    return Page(title="4. Acoustic features", intro=INTRO, graph=graph, body=body)
