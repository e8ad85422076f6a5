"""Chapter 3 — the short-time Fourier transform: spectrogram, one frame, leakage, resynthesis."""

from __future__ import annotations

import math

import panel as pn
import param

from ...data import DEMO_CLIPS, DEFAULT_DEMO
from ...nodes import ISTFT, STFT, AudioSource, SignalGenerator, Spectrum
from ...views import PlayerView, SpectrogramView, SpectrumView, view_tabs
from ...views.controls import knob_controls
from ..page import Page, chapter_graph
from .common import SignalChoice

__all__ = ["build"]

CHAPTER = "stft"

INTRO = """
The **STFT** cuts the signal into overlapping windowed frames and takes one DFT each:
S(k, m) = Σ w(n) x(n + mH) e^(−j2πnk/N). A longer window N gives finer frequency resolution
**Δf = fs / N** but blurs time; the hop H sets the frame rate. Zero-padding (n_fft > win_length) interpolates
the spectrum without adding resolution. The **leakage** tab puts a sine between two bins: the window trades
main-lobe width for side-lobe level. Listen to the **ISTFT** resynthesis under the spectrogram.
"""

#: The leakage demo's sine sits between bins LEAK_BIN and LEAK_BIN + 1.
LEAK_BIN = 8


class BinPosition(param.Parameterized):
    """Where the leakage demo's sine sits between two DFT bins."""

    offset = param.Number(
        default=0.5, bounds=(0.0, 1.0), step=0.05,
        label=f"sine between bins {LEAK_BIN} and {LEAK_BIN + 1}",
        doc=f"0 puts the sine exactly on bin {LEAK_BIN} (no leakage with any window), 0.5 "
            f"half-way to bin {LEAK_BIN + 1} (the worst case); f = ({LEAK_BIN} + offset) · fs / "
            f"win_length.")


def build(*, sandboxed: bool = False) -> Page:
    """Build the STFT page: audio clip (the demo preloaded) or generator → STFT and frame spectrum.

    Parameters
    ----------
    sandboxed : bool
        True in the served lab: the audio source may not read server paths.
    """
    audio = AudioSource(name=f"{CHAPTER}.audio", sandboxed=sandboxed)
    generator = SignalGenerator(name=f"{CHAPTER}.generator", waveform="chirp", frequency=100.0,
                                fmax=8000.0, duration=2.0)
    stft = STFT(name=f"{CHAPTER}.stft", source=audio, n_fft=2048)
    istft = ISTFT(name=f"{CHAPTER}.istft", spectrogram=stft)
    frame = Spectrum(name=f"{CHAPTER}.frame", source=audio, time=1.0)
    leak_generator = SignalGenerator(name=f"{CHAPTER}.leak_generator", waveform="sine", sr=8000,
                                     duration=0.1)
    leakage = Spectrum(name=f"{CHAPTER}.leakage", source=leak_generator, win_length=64, n_fft=64,
                       window="rectangular")
    graph = chapter_graph(CHAPTER, audio, generator, stft, istft, frame, leak_generator, leakage)

    choice = SignalChoice(generator=generator, audio=audio, consumers=[stft, frame],
                          value="audio", throttled=True)
    spectrogram = SpectrogramView(stft, title="Spectrogram", throttled=True)
    frame_view = SpectrumView(
        frame, title="The frame at one time (same n_fft, win_length and window as the STFT)",
        knobs=["time"], widgets={"time": {"end": DEMO_CLIPS[DEFAULT_DEMO]["duration"]}})
    _follow_stft(stft, frame, spectrogram)

    position = BinPosition()
    _place_between_bins(position, leak_generator, leakage)
    _, position_controls = knob_controls(position, knobs=["offset"], name_labels=False, width=400)
    leakage_view = SpectrumView(leakage, title="Spectral leakage of a sine between bins",
                                knobs=["window", "win_length", "n_fft"])

    tabs = view_tabs(
        ("Spectrogram", pn.Column(spectrogram, PlayerView(istft, title="Inverse STFT",
                                                           label="Listen to the ISTFT resynthesis"),
                                  sizing_mode="stretch_width")),
        ("One frame", frame_view),
        ("Leakage", pn.Column(position_controls, leakage_view, sizing_mode="stretch_width")),
    )
    return Page(title="3. Short-time Fourier transform", intro=INTRO, graph=graph,
                body=[choice, tabs])


def _follow_stft(stft, frame, spectrogram):
    """Keep the frame's analysis settings equal to the STFT's; mark its time on the spectrogram."""
    def copy_settings(*_):
        frame.param.update(n_fft=stft.n_fft, win_length=stft.win_length or stft.n_fft,
                           window=stft.window)

    def mark(*_):
        spectrogram.cursor = frame.time

    stft.param.watch(copy_settings, ["n_fft", "win_length", "window"])
    frame.param.watch(mark, "time")
    copy_settings()
    mark()


def _place_between_bins(position, generator, spectrum):
    """Tune the leakage sine to (LEAK_BIN + offset) · fs / win_length, both ways.

    A frequency set on the generator (a shared link or a loaded state holds
    the frequency, not the offset) moves the offset slider to match.
    """
    def tune(*_):
        generator.frequency = (LEAK_BIN + position.offset) * generator.sr / spectrum.win_length

    def follow(*_):
        offset = generator.frequency * spectrum.win_length / generator.sr - LEAK_BIN
        if 0.0 <= offset <= 1.0 and not math.isclose(offset, position.offset, abs_tol=1e-9):
            position.offset = offset

    position.param.watch(tune, "offset")
    spectrum.param.watch(tune, "win_length")
    generator.param.watch(follow, "frequency")
    tune()
