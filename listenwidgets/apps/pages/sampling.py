"""Chapter 1 — digital signals and sampling: a tone, sampled at fs, and its alias."""

from __future__ import annotations

from ...nodes import Sampler, SignalGenerator
from ...views import SamplingView, WaveformView
from ..page import Page, chapter_graph

__all__ = ["build"]

CHAPTER = "sampling"

INTRO = """
A sinusoid **x(t) = A cos(2π f t + φ)** is sampled every 1/fs seconds: **x(n) = A cos(2π f n / fs + φ)**.
The sampling theorem asks for **fs > 2 f**. Raise the tone's frequency past fs/2 (or lower fs below 2f)
and the samples become those of a lower tone, the **alias** f_alias = |f − k·fs|: watch the reconstruction
and listen to all three players. Switch on the anti-aliasing filter to remove what cannot be represented.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the sampling page: generator (the dense "analog" tone) → sampler.

    Parameters
    ----------
    sandboxed : bool
        Unused here (the page reads no files); part of every page's signature.
    """
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="sine", frequency=440.0,
                                sr=48000, duration=1.0)
    sampler = Sampler(name=f"{CHAPTER}.sampler", source=generator, target_sr=8000.0)
    graph = chapter_graph(CHAPTER, generator, sampler)
    body = [
        WaveformView(generator, title="The “analog” tone (a dense reference at 48 kHz)",
                     knobs=["waveform", "frequency", "amplitude", "phi", "n_harmonics"],
                     throttled=True),
        SamplingView(sampler, title="Sampling at fs", throttled=True),
    ]
    return Page(title="1. Digital signals and sampling", intro=INTRO, graph=graph, body=body)
