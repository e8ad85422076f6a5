"""The graph page: the dataflow graph itself, drawn and edited (add nodes, wire inputs)."""

from __future__ import annotations

from ...nodes import MFCC, STFT, AudioSource, MelSpectrogram
from ...views import (
    EnvelopeView, FeaturesView, MelView, MFCCView, NoveltyView, PlayerView, SamplingView,
    SourceView, SpectrogramView, SpectrumView, WaveformView,
)
from ...views.graph import GraphView
from ..page import Page, chapter_graph

__all__ = ["build", "VIEWS"]

CHAPTER = "graph"

INTRO = """
Every page of the lab is a **graph of nodes**: each box computes one step, each arrow feeds an
output into the input it is labelled with. Boxes are coloured by state: **green** fresh, **grey**
stale (recomputed when something reads it), **red** error (a bad knob, or a failed node upstream).
Click a box to see its view and turn its knobs: give the mel node fewer bands (`n_mels`) than the
MFCC keeps coefficients (`n_mfcc`) and the MFCC turns red. Add a node and wire it: the engine
refuses a wrong kind of input or a cycle and says why.
"""

#: The view shown for a selected node, by node type (other nodes show their knobs only).
VIEWS = {
    "AudioSource": SourceView, "SignalGenerator": WaveformView, "STFT": SpectrogramView,
    "MelSpectrogram": MelView, "MFCC": MFCCView, "Spectrum": SpectrumView,
    "Sampler": SamplingView, "SpectralFeatures": FeaturesView, "NoveltyCurve": NoveltyView,
    "Envelope": EnvelopeView, "ISTFT": PlayerView, "MFCCInversion": PlayerView,
    "SourceFilter": PlayerView,
}


def view_for(node):
    """The node's own view (throttled sliders), or ``None`` when its type has none."""
    view = VIEWS.get(type(node).__name__)
    return None if view is None else view(node, title=node.name, throttled=True)


def build(*, sandboxed: bool = False) -> Page:
    """Build the graph page: demo clip → STFT → mel spectrogram → MFCC, and the graph editor.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: audio sources (the starter's and added ones)
        may not read server paths.
    """
    audio = AudioSource(name=f"{CHAPTER}.audio", sandboxed=sandboxed)
    stft = STFT(name=f"{CHAPTER}.stft", source=audio)
    mel = MelSpectrogram(name=f"{CHAPTER}.mel", spectrogram=stft)
    mfcc = MFCC(name=f"{CHAPTER}.mfcc", mel=mel)
    graph = chapter_graph(CHAPTER, audio, stft, mel, mfcc)
    view = GraphView(graph, prefix=f"{CHAPTER}.", sandboxed=sandboxed, view_for=view_for)
    view.select("mfcc")
    return Page(title="10. Graph", intro=INTRO, graph=graph, body=[view], editor=view)
