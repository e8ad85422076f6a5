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
def test_quick_mode_checks_and_times_every_function_and_measures_latency_and_memory(tmp_path):
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
