"""Chapter 5 — the spectral envelope of speech three ways (LPC, cepstrum, vocoder), and a resynthesis."""

from __future__ import annotations

from ...nodes import AudioSource, Envelope, SourceFilter
from ...views import PlayerView, SourceView
from ...views.envelope import EnvelopeView
from ..page import Page, chapter_graph

__all__ = ["build"]

CHAPTER = "envelope"

INTRO = """
Speech is a **source** (the glottal pulses, or the noise of a whisper) shaped by a **filter** (the vocal
tract). The **spectral envelope** is that filter: the spectrum smoothed so the source's harmonics are
gone. Three ways to estimate it, drawn over the same frame: **linear prediction** x̂(n) = Σ_{k=1..p} a_k
x(n−k), whose all-pole filter G / |A(e^jω)| fits the peaks closer as the **order** p grows; the
**cepstrum** c(n) = IFFT(log |X(k)|) kept up to the lifter cut-off **n_lifter** N1 (fewer coefficients, a
smoother envelope); and the **channel vocoder**, the RMS of **n_bands** band-pass filters. **Click the
spectrogram** to pick a frame (a vowel shows the formants best), change the sliders, and listen below to
a new source — a pulse train at f0, or noise — through each envelope: the words survive, the speaker's
pitch does not.
"""


def build(*, sandboxed: bool = False) -> Page:
    """Build the envelope page: speech clip → envelopes of every frame → source–filter resynthesis.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the audio source may not read server paths.
    """
    audio = AudioSource(name=f"{CHAPTER}.audio", demo="speech_female", sr=16000,
                        sandboxed=sandboxed)
    envelope = Envelope(name=f"{CHAPTER}.envelope", source=audio)
    resynthesis = SourceFilter(name=f"{CHAPTER}.resynthesis", envelope=envelope)
    graph = chapter_graph(CHAPTER, audio, envelope, resynthesis)
    body = [
        SourceView(audio, title="Speech", throttled=True),
        EnvelopeView(envelope, title="The spectral envelope of one frame, three ways",
                     throttled=True, time=1.0),
        PlayerView(resynthesis, title="Source–filter resynthesis", throttled=True,
                   label="A new source through the chosen envelope"),
    ]
    return Page(title="5. Spectral envelope", intro=INTRO, graph=graph, body=body)
