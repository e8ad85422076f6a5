"""The benchmark keeps working: quick mode runs every part; nothing here asserts a time."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from listenwidgets.bench.agreement import Tolerance
from listenwidgets.bench.cases import FUNCTIONS, Case
from listenwidgets.bench.signals import bench_signal

ROOT = Path(__file__).resolve().parents[1]


def run_bench(*args, timeout=600, prelude=""):
    code = (f"{prelude}import sys; from listenwidgets.bench.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_quick_mode_runs_every_section(tmp_path):
    pytest.importorskip("librosa")
    out = tmp_path / "bench.json"
    done = run_bench("--quick", "--json", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    (rows,) = results["dsp"].values()
    assert list(rows) == list(FUNCTIONS)
    for name, row in rows.items():
        assert row["agreement"] == "ok", f"{name}: {row['agreement']}"
        assert math.isfinite(row["ratio"]) and row["ratio"] > 0, name
        assert row["status"] in ("met", "missed")
    printed = json.loads(done.stdout.strip().splitlines()[-1])
    assert printed["ratios"] == {d: {n: r["ratio"] for n, r in rs.items()}
                                 for d, rs in results["dsp"].items()}
    measured = [r for r in results["latency"]["rows"] if r["page"] and not r["error"]]
    assert measured and all(math.isfinite(r["median_ms"]) for r in measured)
    assert any(r["payload_bytes"] > 0 for r in measured)
    memory = results["memory"]
    assert memory["error"] is None and len(memory["rss_mb"]) == 2
    assert math.isfinite(memory["per_additional_session_mb"])
    assert math.isfinite(results["nn"]["ratio"]) and results["nn"]["ratio"] > 0
    assert results["batch"]["agree"] and results["batch"]["failures"] == 0


def test_without_librosa_the_bench_says_so_clearly():
    done = run_bench("--sections", "dsp", prelude="import sys; sys.modules['librosa'] = None; ",
                     timeout=120)
    assert done.returncode == 2
    assert "librosa" in done.stderr and "pip install" in done.stderr


def test_only_rounds_and_durations_select_what_runs(tmp_path):
    pytest.importorskip("librosa")
    out = tmp_path / "bench.json"
    done = run_bench("--only", "stft,zero_crossing_rate", "--rounds", "1", "--durations", "1,2",
                     "--sections", "dsp", "--json", str(out), timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert list(results["dsp"]) == ["1", "2"]
    assert all(list(rows) == ["stft", "zero_crossing_rate"] for rows in results["dsp"].values())
    assert all(len(row["ratios"]) == 1 for rows in results["dsp"].values() for row in rows.values())
    assert "latency" not in results and "memory" not in results


def test_an_unknown_row_is_refused_with_the_known_names():
    done = run_bench("--only", "stft,nope", timeout=120)
    assert done.returncode == 2 and "nope" in done.stderr and "spectral_centroid" in done.stderr


def _case(ours):
    return Case("x", ours, lambda x: np.ones(10, np.float32), Tolerance(1e-5))


@pytest.mark.parametrize("ours, message", [
    (lambda x: np.full(10, 1.1, np.float32), "error 1.00e-01"),
    (lambda x: np.ones(9, np.float32), "shape"),
    (lambda x: np.full(10, np.nan, np.float32), "NaN"),
    (lambda x: 1 / 0, "our function raised ZeroDivisionError"),
])
def test_a_wrong_answer_is_a_fail_and_is_not_timed(ours, message):
    from listenwidgets.bench.timing import run_case

    result = run_case(_case(ours), None, rounds=3)
    assert result["agreement"].startswith("FAIL") and message in result["agreement"]
    assert result["ratio"] is None and "ratios" not in result


def test_relative_tolerance_has_an_absolute_floor_scaled_to_the_peak():
    check = Tolerance(1e-4, kind="relative", floor=1e-6)
    reference = np.array([1000.0, 0.0])
    assert check(np.array([1000.0, 5e-4]), reference) == pytest.approx(0.5e-4)
    with pytest.raises(AssertionError, match="relative"):
        check(np.array([1000.2, 0.0]), reference)


def test_edge_frames_are_left_out_of_the_comparison():
    reference = np.ones((3, 20))
    ours = reference.copy()
    ours[:, :2] = ours[:, -2:] = 5.0
    assert Tolerance(1e-3, edge=2)(ours, reference) == 0.0
    with pytest.raises(AssertionError):
        Tolerance(1e-3)(ours, reference)


def test_the_bench_signal_is_deterministic_float32_and_realistic():
    y = bench_signal(2.0, seed=3)
    assert y.dtype == np.float32 and y.shape == (44100,)
    assert np.array_equal(y, bench_signal(2.0, seed=3))
    assert not np.array_equal(y, bench_signal(2.0, seed=4))
    assert np.abs(y).max() == pytest.approx(0.9)
    frames = np.lib.stride_tricks.sliding_window_view(y, 2048)[::512]
    assert (frames.std(axis=1) > 1e-4).all(), "no frame is silent"


def fake_results(**sections):
    machine = {"cpu": "test CPU", "cpus": 2, "memory_gb": 1.0, "os": "test OS", "python": "3.11",
               "load_average": [1.0, 1.0, 1.0], "load_average_end": [2.0, 1.0, 1.0]}
    return {"date": "2026-01-01T00:00:00", "machine": machine,
            "versions": {"librosa": "0.11.0", "scikit-learn": "1.5.0"},
            "settings": {"sr": 22050, "rounds": 3, "seed": 0}, **sections}


NN = {"n_examples": 2000, "n_test": 1000, "n_features": 40, "hidden": 64, "batch_size": 200,
      "rounds": 3, "ratio": 0.31, "ours_s": 0.01, "sklearn_s": 0.032, "ratios": [0.3, 0.31, 0.4],
      "repeats": [5, 2], "epochs": 20, "ours_accuracy": 0.75, "sklearn_accuracy": 0.72,
      "ours_loss": 0.56, "sklearn_loss": 0.57, "sklearn_epochs": 20}
BATCH = {"n_files": 500, "seconds_per_file": 1.0, "rounds": 3, "one_worker_s": 10.0,
         "two_workers_s": 6.0, "speedup": 1.6, "speedups": [1.5, 1.6, 1.7], "start_s": 3.0,
         "files_per_s": {"1": 50.0, "2": 83.3}, "agree": True, "failures": 0, "columns": 40}


def test_the_reports_show_the_nn_and_batch_sections():
    from listenwidgets.bench.report import grade, markdown, text

    results = fake_results(nn=NN, batch=BATCH)
    grade(results)
    console = text(results)
    assert "ratio ours / scikit-learn        0.31" in console
    assert "test accuracy 0.750 (ours) vs 0.720 (scikit-learn)" in console
    assert "speed-up 1 → 2 workers           1.60" in console and "83.3 files/s" in console
    page = markdown(results, command="python -m listenwidgets.bench --sections nn,batch")
    assert "## Training: one epoch of the MLP vs scikit-learn" in page
    assert "| ratio ours / scikit-learn | **0.31** |" in page
    assert "| 2 worker processes | 6.00 | 83.3 |" in page and "**1.60**" in page
    assert "Targets: none in these sections." in page


def test_the_nn_section_times_both_and_reports_comparable_accuracies():
    pytest.importorskip("sklearn")
    from listenwidgets.bench.nn import measure_nn

    result = measure_nn(n_examples=200, rounds=1, epochs=2)
    assert len(result["ratios"]) == 1 and result["ratio"] > 0
    assert result["ours_s"] > 0 and result["sklearn_s"] > 0
    for key in ("ours_accuracy", "sklearn_accuracy"):
        assert 0.0 <= result[key] <= 1.0
    assert result["sklearn_epochs"] == 2 and math.isfinite(result["ours_loss"])


@pytest.mark.slow
def test_the_batch_section_runs_one_and_two_workers_on_the_same_files():
    from listenwidgets.bench.batch import measure_batch

    result = measure_batch(n_files=6, seconds=0.25, rounds=1)
    assert result["agree"] and result["failures"] == 0 and result["columns"] == 40
    assert set(result["files_per_s"]) == {"1", "2"} and result["speedup"] > 0


def test_without_scikit_learn_the_nn_section_says_so_clearly():
    done = run_bench("--sections", "nn", prelude="import sys; sys.modules['sklearn'] = None; ",
                     timeout=120)
    assert done.returncode == 2
    assert "scikit-learn" in done.stderr and "pip install" in done.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_quick_nn_and_batch_sections_write_json_and_markdown(tmp_path):
    pytest.importorskip("sklearn")
    out, page = tmp_path / "bench.json", tmp_path / "performance.md"
    done = run_bench("--quick", "--sections", "nn,batch", "--json", str(out), "--markdown",
                     str(page))
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert "dsp" not in results and "latency" not in results and "memory" not in results
    assert results["nn"]["n_examples"] == 500 and results["batch"]["n_files"] == 12
    assert results["batch"]["agree"] and results["batch"]["failures"] == 0
    printed = json.loads(done.stdout.strip().splitlines()[-1])
    assert printed["nn_ratio"] == results["nn"]["ratio"]
    assert printed["batch_speedup"] == results["batch"]["speedup"]
    assert "## Batch feature extraction" in page.read_text()
