"""Chapter 7 — tonal features: constant-Q transform, its kernel, chroma, pitch helix, tonal centroid."""

from __future__ import annotations

import panel as pn

from ...nodes import CQT, STFT, AudioSource, Chroma, ShepardTones, SignalGenerator
from ...nodes.tonal import PitchHelix, SpectralKernel
from ...views import PlayerView, view_tabs
from ...views.tonal import ChromaView, CQTView
from ...views.tonal_frames import FrameSelection
from ...views.tonal_kernel import SpectralKernelView
from ...views.tonal_space import PitchHelixView, TonnetzView
from ..page import Page, chapter_graph
from .common import SignalChoice

__all__ = ["build"]

CHAPTER = "tonal"

#: The frame shown at first, in seconds (the default clip's first chord rings there).
FRAME_TIME = 2.0

INTRO = """
The **constant-Q transform** spaces its bins geometrically, B per octave: **f_k = f_min · 2^(k/B)**, so
every octave has the same height and notes line up on the axis. Every bin has the same quality **Q = f_k /
Δf_k** (about 17 for B = 12), so bin k needs a window of **N(k) = fs · Q / f_k** samples: long for low
notes, short for high ones (the **CQT kernel** tab shows the sparse Brown–Puckette matrix that gets every
bin from one FFT). Folding the octaves gives the **chroma**, **Chroma(b) = Σ_m |X_cq(b + mB)|**: which pitch
classes sound, in any octave. Switch it to the STFT's chroma filterbank or to CENS, and listen to it as
**Shepard tones** (pitch classes without an octave). Click the CQT or chroma image, or move the frame
slider, to see that moment on the **pitch helix** (height = octave, angle = pitch class) and on the three
circles of the **tonal centroid**.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the tonal page: audio clip (a demo preloaded) or chirp → CQT, chroma and tonal views.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the audio source may not read server paths.
    """
    audio = AudioSource(name=f"{CHAPTER}.audio", sandboxed=sandboxed)
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="chirp", frequency=55.0,
                                fmax=1760.0, duration=5.0)
    cqt = CQT(name=f"{CHAPTER}.cqt", source=audio)
    stft = STFT(name=f"{CHAPTER}.stft", source=audio, n_fft=4096)
    kernel = SpectralKernel(name=f"{CHAPTER}.kernel", cqt=cqt)
    chroma = Chroma(name=f"{CHAPTER}.chroma", spectrum=cqt)
    helix = PitchHelix(name=f"{CHAPTER}.helix", cqt=cqt)
    shepard = ShepardTones(name=f"{CHAPTER}.shepard", chroma=chroma)
    graph = chapter_graph(CHAPTER, audio, generator, cqt, stft, kernel, chroma, helix, shepard)
    _follow_cqt(cqt, stft, kernel)

    choice = SignalChoice(generator=generator, audio=audio, consumers=[cqt, stft],
                          value="audio", throttled=True)
    selection = FrameSelection(time=FRAME_TIME)
    cqt_view = CQTView(cqt, title="Constant-Q transform", selection=selection, throttled=True)
    chroma_view = ChromaView(chroma, title="Chroma: the octaves folded onto 12 pitch classes",
                             inputs={"CQT": cqt, "STFT": stft}, selection=selection)
    sonification = PlayerView(shepard, title="Shepard-tone sonification of the chroma",
                              label="Listen to the chroma as Shepard tones")
    tabs = view_tabs(
        ("Chroma", pn.Column(chroma_view, sonification, sizing_mode="stretch_width")),
        ("Pitch helix", PitchHelixView(helix, title="The pitch helix: octave up, pitch class around",
                                       selection=selection)),
        ("Tonal centroid", TonnetzView(chroma, title="Tonal centroid (Harte 2006)",
                                       selection=selection)),
        ("CQT kernel", SpectralKernelView(kernel, title="The Brown–Puckette spectral kernel",
                                          knobs=["sparsity"])),
    )
    return Page(title="7. Tonal features", intro=INTRO, graph=graph, body=[choice, cqt_view, tabs])


def _follow_cqt(cqt, stft, kernel):
    """Give the STFT the CQT's hop (the two chromagrams then share frames) and the kernel its Q."""
    def copy(*_):
        stft.hop_length = cqt.hop_length
        kernel.filter_scale = cqt.filter_scale

    cqt.param.watch(copy, ["hop_length", "filter_scale"])
    copy()
