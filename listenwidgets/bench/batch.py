"""Batch feature extraction: :meth:`Graph.run_batch` over many short files, 1 vs 2 worker processes.

The files are 16-bit WAV excerpts of the benchmark signal
(:func:`~listenwidgets.bench.signals.bench_signal`) written to a temporary
folder. The graph is the MFCC chain with its defaults (AudioSource → STFT →
mel → MFCC: ``n_fft=2048``, hop 512, 128 mel bands, 20 coefficients), the
output ``"mfcc"`` (40 columns: mean and standard deviation of each
coefficient). First two files are run with ``workers=2``: this starts the
fork server (once per process: it imports numpy, scipy and the nodes, which
the workers then inherit) and is reported apart as ``start_s``. Then each
round runs the whole folder with ``workers=1`` (in this process) and with
``workers=2`` (two new worker processes, forked: their start is part of the
time, as it is for a user); the speed-up is the median over the rounds of the
per-round ratio. The two tables must agree within 1e-5 of their largest
value: the worker processes share the cores, one BLAS thread each here
(:func:`~listenwidgets.nodes.batch.run_batch`), while this process has one per
core, and a float32 matrix product may round differently with another thread
count.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from ..dsp.io import write
from ..nodes import MFCC, STFT, AudioSource, Graph, MelSpectrogram
from .signals import SR, bench_signal

__all__ = ["measure_batch", "mfcc_graph", "write_excerpts"]

#: Length in seconds of the signal the excerpts are cut from.
_SOURCE_SECONDS = 60.0


def mfcc_graph():
    """AudioSource → STFT → MelSpectrogram → MFCC, every knob at its default."""
    graph = Graph({"source": AudioSource(), "stft": STFT(), "mel": MelSpectrogram(),
                   "mfcc": MFCC()})
    graph["stft"].source = graph["source"]
    graph["mel"].spectrogram = graph["stft"]
    graph["mfcc"].mel = graph["mel"]
    return graph


def write_excerpts(folder, *, n_files, seconds, seed=0):
    """Write ``n_files`` excerpts of ``seconds`` each, from random places of a 60 s bench signal.

    Parameters
    ----------
    folder : str or pathlib.Path
        Where to write ``excerpt_0000.wav`` …
    n_files : int > 0
        How many files.
    seconds : float > 0
        Length of each, at most 60 s.
    seed : int
        Seeds the signal and the excerpts' starts.

    Returns
    -------
    list of str
        The paths, in order.
    """
    y = bench_signal(_SOURCE_SECONDS, seed=seed)
    length = int(round(seconds * SR))
    starts = np.random.default_rng(seed).integers(0, y.size - length + 1, size=n_files)
    paths = []
    for i, start in enumerate(starts):
        path = Path(folder) / f"excerpt_{i:04d}.wav"
        write(path, y[start:start + length], sr=SR)
        paths.append(str(path))
    return paths


def measure_batch(*, n_files=500, seconds=1.0, rounds=3, seed=0):
    """Time MFCC extraction over ``n_files`` files with 1 and with 2 worker processes.

    Parameters
    ----------
    n_files : int > 0
        Number of files.
    seconds : float > 0
        Length of each file.
    rounds : int >= 1
        Rounds of (1 worker, 2 workers).
    seed : int
        Seeds the files.

    Returns
    -------
    dict
        ``one_worker_s`` and ``two_workers_s`` (median wall seconds for the
        folder), ``start_s`` (the first start of worker processes in this
        process, with the fork server), ``speedup`` (median of the per-round ratios 1 / 2 workers),
        ``speedups``, ``files_per_s`` (``{"1": …, "2": …}`` from the
        medians), ``agree`` (the two tables equal within :func:`_close`), ``failures``,
        ``columns`` and the settings.
    """
    graph = mfcc_graph()
    seconds_by_workers = {1: [], 2: []}
    tables = {}
    with tempfile.TemporaryDirectory(prefix="listenwidgets-bench-") as folder:
        files = write_excerpts(folder, n_files=n_files, seconds=seconds, seed=seed)
        start = time.perf_counter()
        graph.run_batch(files[:2], outputs=["mfcc"], workers=2)
        start_s = time.perf_counter() - start
        for _ in range(rounds):
            for workers in (1, 2):
                start = time.perf_counter()
                tables[workers] = graph.run_batch(files, outputs=["mfcc"], workers=workers)
                seconds_by_workers[workers].append(time.perf_counter() - start)
    one, two = tables[1], tables[2]
    speedups = [a / b for a, b in zip(seconds_by_workers[1], seconds_by_workers[2], strict=True)]
    medians = {w: statistics.median(s) for w, s in seconds_by_workers.items()}
    return {"n_files": n_files, "seconds_per_file": seconds, "rounds": rounds,
            "one_worker_s": medians[1], "two_workers_s": medians[2],
            "speedup": statistics.median(speedups), "speedups": speedups, "start_s": start_s,
            "files_per_s": {str(w): n_files / s for w, s in medians.items()},
            "agree": (one.columns == two.columns and one.files == two.files
                      and one.failures == two.failures and _close(one.rows, two.rows)),
            "failures": len(one.failures) + len(two.failures), "columns": len(one.columns)}


def _close(a, b) -> bool:
    """Equal shapes and values within 1e-5 of the largest absolute value."""
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=0.0, atol=1e-5 * scale))
