"""Measure knob → view latency on a 30 s clip (a script, not a test: it asserts no times).

A knob of the STFT changes; the node goes stale; the rendered SpectrogramView
pulls the new STFT (and its ISTFT resynthesis) and replaces its image source
and its player's audio in place. This script times that whole path, in
Python, from setting the knob to the moment the document holds the new data,
then serialises the document changes it caused (what the server sends to
the browser) and reports their size.

Run::

    python tests/views/measure_knob_latency.py [--changes 24] [--no-resynthesis]

(from the repository root, with listenwidgets installed or ``PYTHONPATH=.``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import panel as pn
from bokeh.document import Document
from bokeh.protocol import Protocol

from listenwidgets import dsp
from listenwidgets.data import DEFAULT_DEMO, demo_path
from listenwidgets.nodes import STFT, AudioSource
from listenwidgets.views import SpectrogramView


def thirty_second_source() -> AudioSource:
    """The default demo clip tiled to 30 s, loaded through an AudioSource upload."""
    y, sr = dsp.load(demo_path(DEFAULT_DEMO))
    wav = dsp.to_wav_bytes(np.resize(y, 30 * sr), sr=sr)
    return AudioSource(name="audio", origin="upload", data=wav, filename="30s.wav")


def settings(count: int):
    """``count`` distinct (hop_length, window) pairs, so the node's LRU never answers."""
    windows = ["hann", "hamming", "blackman"]
    return [(384 + 8 * i, windows[i % len(windows)]) for i in range(count)]


def patch_bytes(events) -> int:
    """Size in bytes of the PATCH-DOC message (JSON parts and binary buffers) for ``events``."""
    message = Protocol().create("PATCH-DOC", events)
    return (len(message.header_json) + len(message.metadata_json) + len(message.content_json)
            + sum(memoryview(buffer.data).nbytes for buffer in message.buffers))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=24, help="knob changes to time (>= 20)")
    parser.add_argument("--no-resynthesis", action="store_true",
                        help="switch the ISTFT (and its player) off")
    args = parser.parse_args(argv)

    audio = thirty_second_source()
    stft = STFT(name="stft", source=audio, n_fft=2048,
                resynthesize=not args.no_resynthesis)
    view = SpectrogramView(stft)
    doc = Document()
    doc.add_root(pn.panel(view).get_root(doc))     # rendered: the view updates on change
    print(f"clip: {audio.output.duration:.1f} s at {audio.output.sr:g} Hz; "
          f"STFT {stft.output.S.shape[0]} bins x {stft.output.S.shape[1]} frames")

    events = []
    doc.on_change(events.append)                   # every change the browser would be sent
    totals, computes, draws, patches, payloads = [], [], [], [], []
    for hop_length, window in settings(args.changes):
        events.clear()
        start = time.perf_counter()
        stft.param.update(hop_length=hop_length, window=window)   # → changed → view.refresh()
        total = time.perf_counter() - start
        assert not view.dirty and stft.error is None and events
        start = time.perf_counter()
        size = patch_bytes(events)
        patches.append(time.perf_counter() - start)
        totals.append(total)
        computes.append(stft.last_compute_seconds)
        draws.append(total - stft.last_compute_seconds)
        payloads.append(size)

    image = view.sources["image"].data["image"][0]

    def report(label, values, unit=1e3, suffix="ms"):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(f"{label:<44} median {statistics.median(values) * unit:8.1f} {suffix}   "
              f"p95 {p95 * unit:8.1f} {suffix}")

    print(f"{len(totals)} knob changes (hop_length and window), resynthesis "
          f"{'off' if args.no_resynthesis else 'on'}:")
    report("knob -> spectrogram view data replaced", totals)
    report("  of which STFT (+ISTFT) compute", computes)
    report("  of which view draw (pool, dB, WAV)", draws)
    report("serialise the document patch", patches)
    report("patch size (image + player WAV)", payloads, unit=1e-6, suffix="MB")
    print(f"image sent: {image.shape[0]} x {image.shape[1]} float32 = {image.nbytes / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
