"""Chapter 2 — Fourier: harmonics, one frame's DFT, and the DFT/FFT race."""

from __future__ import annotations

from ...nodes import AudioSource, Complexity, SignalGenerator, Spectrum
from ...views import ComplexityView, SpectrumView, view_tabs
from ..page import Page, chapter_graph
from .common import SignalChoice

__all__ = ["build"]

CHAPTER = "fourier"

INTRO = """
A periodic signal is a sum of harmonics of its fundamental f. Build a square, sawtooth or triangle wave
from its first **n_harmonics** Fourier-series terms (0 = the ideal wave) and see the harmonics appear in the
**DFT** X(k) = Σ x(n) e^(−j2πnk/N), as magnitude |X(k)| and phase φ(k); hear the Gibbs ripple.
The **timing** tab races the O(N²) matrix DFT against the O(N log N) FFT on this machine.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the Fourier page: generator or audio clip → spectrum; complexity timings.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the audio source may not read server paths.
    """
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="square", frequency=220.0,
                                n_harmonics=7, duration=1.0)
    audio = AudioSource(name=f"{CHAPTER}.audio", sandboxed=sandboxed)
    spectrum = Spectrum(name=f"{CHAPTER}.spectrum", source=generator, n_fft=4096,
                        win_length=2048, window="hann")
    complexity = Complexity(name=f"{CHAPTER}.complexity", max_log2=11)
    graph = chapter_graph(CHAPTER, generator, audio, spectrum, complexity)
    choice = SignalChoice(generator=generator, audio=audio, consumers=[spectrum],
                          value="generator")
    tabs = view_tabs(
        ("Spectrum", SpectrumView(spectrum, title="One frame's DFT")),
        ("DFT vs FFT timing", ComplexityView(complexity, title="How fast is the FFT?")),
    )
    return Page(title="2. Fourier", intro=INTRO, graph=graph, body=[choice, tabs])
