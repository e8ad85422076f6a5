"""Chapter 6 — MFCC: mel filterbank, mel spectrogram, DCT, and the MFCCs turned back into sound."""

from __future__ import annotations

import panel as pn

from ...nodes import MFCC, STFT, AudioSource, MelSpectrogram, MFCCInversion, SignalGenerator
from ...views import PlayerView, SpectrogramView, view_tabs
from ...views.controls import knob_controls
from ...views.mel import MelView, MFCCView
from ..page import Page, chapter_graph
from .common import SignalChoice

__all__ = ["build"]

CHAPTER = "mfcc"

INTRO = """
The **mel scale** spaces pitch as we hear it: the lecture's (HTK) m = 1127.01048 ln(1 + f/700); librosa's
default (Slaney) is linear below 1 kHz and logarithmic above — switch **htk** and read how far the
filters move. A bank of **n_mels** triangular filters, evenly spaced in mel (each of height 2/d, d its
width in Hz, with norm='slaney'), turns the power spectrum into the **mel spectrogram** M(m, t) = Σ_k
H_m(k) |S(k, t)|². The **MFCCs** are the DCT-II of its log: c(n) = Σ_m log M(m) cos(π n (m + ½) / M); the
first **n_mfcc** (≈13–20) keep the smooth envelope and drop the fine detail. See each DCT basis row next
to the log-mel image, then **listen** to the MFCCs turned back into sound (inverse DCT, mel inversion,
Griffin–Lim): the timbre is there, the pitch is mostly gone. Fewer coefficients, less is kept.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the MFCC page: audio (melody) or generator → STFT → mel spectrogram → MFCC → inversion.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the audio source may not read server paths.
    """
    audio = AudioSource(name=f"{CHAPTER}.audio", demo="melody", sandboxed=sandboxed)
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="sawtooth", frequency=220.0,
                                n_harmonics=30, duration=2.0)
    stft = STFT(name=f"{CHAPTER}.stft", source=audio, n_fft=2048, hop_length=512)
    mel = MelSpectrogram(name=f"{CHAPTER}.mel", spectrogram=stft)
    mfcc = MFCC(name=f"{CHAPTER}.mfcc", mel=mel)
    inversion = MFCCInversion(name=f"{CHAPTER}.inversion", mfcc=mfcc)
    graph = chapter_graph(CHAPTER, audio, generator, stft, mel, mfcc, inversion)

    choice = SignalChoice(generator=generator, audio=audio, consumers=[stft], value="audio",
                          throttled=True)
    _, kept = knob_controls(mfcc, knobs=["n_mfcc", "lifter"], throttled=True)
    tabs = view_tabs(
        ("Filterbank", MelView(mel, title="Mel filterbank", plots=("filterbank",),
                               throttled=True)),
        ("Mel spectrogram", pn.Column(
            SpectrogramView(stft, title="Power spectrum |S(k, t)| (the filterbank's input)",
                            knobs=["n_fft", "hop_length", "window"], throttled=True),
            MelView(mel, title="Mel spectrogram", plots=("spectrogram",), throttled=True),
            sizing_mode="stretch_width")),
        ("DCT and MFCC", MFCCView(mfcc, title="Log-mel → DCT → MFCC", throttled=True)),
        ("Listen", pn.Row(
            pn.Column(pn.pane.HTML("<b>What the MFCCs keep</b>", margin=(10, 10, 0, 10)), kept),
            PlayerView(inversion, title="MFCC → audio", throttled=True,
                       label="The MFCCs inverted: inverse DCT, mel inversion, Griffin–Lim"),
            sizing_mode="stretch_width")),
    )
    return Page(title="6. MFCC", intro=INTRO, graph=graph, body=[choice, tabs])
