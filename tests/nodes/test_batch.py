"""Graph.run_batch: the tuned graph over many files, locally, in processes and on Dask."""

import csv
import io
import json
import subprocess
import sys
import os
import threading

import numpy as np
import pytest
import soundfile as sf
import threadpoolctl

from listenwidgets.errors import ParameterError
from listenwidgets.nodes import (
    MFCC, STFT, AudioSource, Graph, MelSpectrogram, NoveltyCurve, SpectralFeatures)
from listenwidgets.nodes.batch import FeatureTable, TextProgressBar

SR = 22050
N_MFCC = 13
OUTPUTS = ["mfcc", "features", "novelty.tempo"]


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    """Five half-second synthesised tones (a harmonic tone with some noise), 16-bit WAV."""
    folder = tmp_path_factory.mktemp("tones")
    rng = np.random.default_rng(0)
    t = np.arange(SR // 2) / SR
    paths = []
    for i, f0 in enumerate([220.0, 330.0, 440.0, 550.0, 660.0]):
        y = sum(0.3 / h * np.sin(2 * np.pi * h * f0 * t) for h in (1, 2, 3))
        y = y + 0.01 * rng.standard_normal(t.size)
        path = folder / f"tone_{i}.wav"
        sf.write(path, y, SR, subtype="PCM_16")
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def corrupt(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "corrupt.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt this is not audio")
    return str(path)


def tuned_graph(source=None):
    """Source → STFT → mel → MFCC, spectral features and novelty, with non-default knobs."""
    g = Graph({"source": source or AudioSource(), "stft": STFT(n_fft=1024, hop_length=256),
               "mel": MelSpectrogram(n_mels=40, htk=True), "mfcc": MFCC(n_mfcc=N_MFCC, lifter=22.0),
               "features": SpectralFeatures(), "novelty": NoveltyCurve(hop_length=256)})
    g["stft"].source = g["source"]
    g["mel"].spectrogram = g["stft"]
    g["mfcc"].mel = g["mel"]
    g["features"].spectrogram = g["stft"]
    g["novelty"].source = g["source"]
    return g


def expected_row(g, path):
    """What the interactive graph shows for ``path``, reduced by hand."""
    g["source"].param.update(origin="path", path=path)
    mfcc = g["mfcc"].output.mfcc
    row = [*mfcc.mean(axis=1, dtype=np.float64), *mfcc.std(axis=1, dtype=np.float64)]
    for curve in g["features"].output.curves.values():
        row += [curve.mean(dtype=np.float64), curve.std(dtype=np.float64)]
    return np.array([*row, g["novelty"].output.tempo])


def as_in_two_workers():
    """This process's BLAS limited to the threads each of two worker processes gets.

    A float32 matrix product may round differently with another thread count;
    at the same count, one process and two workers give identical tables.
    """
    return threadpoolctl.threadpool_limits(max(1, (os.cpu_count() or 1) // 2), user_api="blas")


def assert_same_table(a, b):
    assert a.columns == b.columns and a.files == b.files
    assert a.failures == b.failures and a.skipped == b.skipped
    assert np.array_equal(a.rows, b.rows)


def test_rows_equal_the_interactive_graph_for_the_same_file(tones):
    g = tuned_graph()
    table = g.run_batch(tones, outputs=OUTPUTS, workers=1)
    assert g["source"].origin == "demo", "the graph itself is not changed"
    features = list(g["features"].features)
    assert table.columns == (
        [f"mfcc_{i}_mean" for i in range(N_MFCC)] + [f"mfcc_{i}_std" for i in range(N_MFCC)]
        + [f"features_{name}_{stat}" for name in features for stat in ("mean", "std")]
        + ["novelty.tempo"])
    assert table.files == tones and table.failures == [] and table.skipped == []
    assert table.rows.dtype == np.float64 and table.rows.shape == (len(tones), len(table.columns))
    for path, row in zip(tones, table.rows, strict=True):
        assert np.array_equal(row, expected_row(g, path)), path
    assert np.array_equal(table["mfcc_0_mean"], table.rows[:, 0])


def test_a_corrupt_and_a_missing_file_are_reported_by_name_and_the_rest_kept(tones, corrupt, tmp_path):
    missing = str(tmp_path / "missing.wav")
    files = [tones[0], corrupt, tones[1], missing, tones[2]]
    table = tuned_graph().run_batch(files, outputs=["mfcc"], workers=1)
    assert table.files == [tones[0], tones[1], tones[2]]
    assert [f for f, _ in table.failures] == [corrupt, missing]
    (_, bad), (_, absent) = table.failures
    assert bad.startswith("source: cannot read") and "corrupt.wav" in bad
    assert absent.startswith("source: ") and "does not exist" in absent
    alone = tuned_graph().run_batch(tones[:3], outputs=["mfcc"], workers=1)
    assert np.array_equal(table.rows, alone.rows)


def test_a_field_that_does_not_exist_fails_each_file_with_its_name(tones):
    table = tuned_graph().run_batch(tones[:2], outputs=["mfcc.nope"], workers=1)
    assert len(table) == 0 and table.columns == []
    assert all("mfcc.nope" in message and "no field 'nope'" in message
               for _, message in table.failures)


@pytest.mark.slow
def test_one_and_two_worker_processes_give_identical_tables(tones, corrupt):
    files = [*tones, corrupt, "no/such/file.wav"]
    with as_in_two_workers():
        one = tuned_graph().run_batch(files, outputs=OUTPUTS, workers=1)
    two = tuned_graph().run_batch(files, outputs=OUTPUTS, workers=2)
    assert_same_table(one, two)
    assert len(two) == len(tones) and len(two.failures) == 2


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_dask_cluster_gives_the_same_table(tones, corrupt):
    distributed = pytest.importorskip("dask.distributed")
    files = [*tones, corrupt]
    # Dask's nanny starts its workers with one BLAS thread (OPENBLAS_NUM_THREADS=1), and a
    # float32 matrix product may round differently with more: compare at the same setting.
    with threadpoolctl.threadpool_limits(1):
        local = tuned_graph().run_batch(files, outputs=OUTPUTS, workers=1)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        calls = []
        on_dask = tuned_graph().run_batch(files, outputs=OUTPUTS, client=client,
                                          progress=lambda *call: calls.append(call))
    assert_same_table(local, on_dask)
    assert sorted(call[0] for call in calls) == list(range(1, len(files) + 1))
    with pytest.raises(ParameterError, match="workers=2"):
        tuned_graph().run_batch(files, outputs=OUTPUTS, client=object(), workers=2)


def test_progress_is_called_after_each_file_failed_or_not(tones, corrupt):
    files = [tones[0], corrupt, tones[1]]
    calls = []
    tuned_graph().run_batch(files, outputs=["mfcc"], workers=1,
                            progress=lambda *call: calls.append(call))
    assert calls == [(1, 3, tones[0]), (2, 3, corrupt), (3, 3, tones[1])]


def test_progress_true_draws_a_text_bar_on_stderr_ending_with_a_newline(tones, corrupt, capsys):
    tuned_graph().run_batch([tones[0], corrupt], outputs=["mfcc"], workers=1, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\r[###############...............]  1/2  ")
    assert err.endswith(f"\r[##############################]  2/2  {corrupt.rsplit('/', 1)[-1]}\n")
    with pytest.raises(ParameterError, match="progress='yes'"):
        tuned_graph().run_batch(tones, outputs=["mfcc"], workers=1, progress="yes")


def test_the_text_bar_redraws_at_most_every_interval_but_always_the_last_file():
    lines = io.StringIO()
    bar = TextProgressBar(lines, width=4, interval=3600.0)
    for done in range(1, 6):
        bar(done, 5, f"/data/clip{done}.wav")
    assert lines.getvalue() == "\r[....]  1/5  clip1.wav\r[####]  5/5  clip5.wav\n"


def test_cancel_stops_starting_files_and_returns_what_finished(tones):
    cancel = threading.Event()

    def progress(done, total, file):
        if done == 2:
            cancel.set()

    table = tuned_graph().run_batch(tones, outputs=["mfcc"], workers=1, progress=progress,
                                    cancel=cancel)
    assert table.files == tones[:2] and table.skipped == tones[2:]
    full = tuned_graph().run_batch(tones, outputs=["mfcc"], workers=1)
    assert np.array_equal(table.rows, full.rows[:2])


@pytest.mark.slow
def test_cancel_with_worker_processes_keeps_finished_rows(tones):
    cancel = threading.Event()
    files = tones * 4
    table = tuned_graph().run_batch(files, outputs=["mfcc"], workers=2, cancel=cancel,
                                    progress=lambda done, total, file: cancel.set())
    assert 1 <= len(table) < len(files) and table.skipped and not table.failures
    assert len(table) + len(table.skipped) == len(files)
    with as_in_two_workers():
        reference = tuned_graph().run_batch(tones, outputs=["mfcc"], workers=1)
    by_file = dict(zip(reference.files, reference.rows, strict=True))
    assert all(np.array_equal(row, by_file[f]) for f, row in zip(table.files, table.rows,
                                                                  strict=True))


def sandboxed_graph():
    return tuned_graph(AudioSource(sandboxed=True))


def two_sources():
    g = tuned_graph()
    g.add("other", AudioSource())
    return g


@pytest.mark.parametrize("make, kwargs, message", [
    (tuned_graph, {"outputs": ["nope"]}, "outputs item 'nope' names no node"),
    (tuned_graph, {"outputs": []}, "outputs=[]"),
    (tuned_graph, {"outputs": ["mfcc", "mfcc"]}, "twice"),
    (tuned_graph, {"outputs": ["mfcc"], "workers": 0}, "workers=0"),
    (tuned_graph, {"outputs": ["mfcc"], "source": "mfcc"}, "source='mfcc'"),
    (tuned_graph, {"outputs": ["mfcc"], "cancel": True}, "cancel=True"),
    (two_sources, {"outputs": ["mfcc"]}, "2 AudioSource nodes"),
    (sandboxed_graph, {"outputs": ["mfcc"]}, "sandboxed"),
])
def test_bad_arguments_raise_before_any_file_is_read(make, kwargs, message):
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("(", r"\(")):
        make().run_batch(["never/read.wav"], **kwargs)


def test_several_sources_are_told_apart_by_name(tones):
    g = two_sources()
    table = g.run_batch(tones[:1], outputs=["mfcc"], workers=1, source="source")
    assert table.files == tones[:1]


def test_the_table_writes_csv_that_round_trips_exactly(tones, corrupt, tmp_path):
    table = tuned_graph().run_batch([tones[0], corrupt, tones[1]], outputs=OUTPUTS, workers=1)
    path = tmp_path / "features.csv"
    table.to_csv(path)
    with open(path, newline="") as handle:
        header, *lines = list(csv.reader(handle))
    assert header == ["file", *table.columns]
    assert [line[0] for line in lines] == table.files
    assert np.array_equal(np.array([[float(v) for v in line[1:]] for line in lines]),
                          table.to_numpy())
    copy = table.to_numpy()
    copy[:] = 0
    assert table.rows.any(), "to_numpy returns a copy"


def test_to_parquet_says_what_it_needs_or_writes_the_table(tmp_path):
    table = FeatureTable(columns=["a_mean"], rows=np.array([[1.5]]), files=["x.wav"],
                         failures=[], skipped=[])
    try:
        import pyarrow.parquet as pq
    except ImportError:
        with pytest.raises(ImportError, match="pip install pyarrow"):
            table.to_parquet(tmp_path / "t.parquet")
        return
    table.to_parquet(tmp_path / "t.parquet")
    assert pq.read_table(tmp_path / "t.parquet").to_pydict() == {"file": ["x.wav"], "a_mean": [1.5]}


def test_the_batch_module_imports_neither_dask_nor_a_ui():
    code = ("import sys, json, listenwidgets.nodes.batch; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not {"dask", "distributed", "tornado", "panel", "bokeh"} & modules
