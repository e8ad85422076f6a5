"""``python -m listenwidgets.bench``: run the benchmarks, print the tables and a JSON summary."""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import sys
from pathlib import Path

from .cases import FUNCTIONS
from .machine import load_average, machine, versions
from .signals import SR

__all__ = ["main", "parser"]

SECTIONS = ("dsp", "latency", "memory", "nn", "batch")

#: Settings of a full run and of ``--quick`` (the CI run that keeps the benchmark working).
FULL = {"durations": [30.0, 300.0], "rounds": 7, "latency_seconds": 30.0, "trials": 20,
        "sessions": 4, "nn_examples": 2000, "nn_epochs": 20, "batch_files": 500,
        "batch_seconds": 1.0, "batch_rounds": 3}
QUICK = {"durations": [3.0], "rounds": 3, "latency_seconds": 3.0, "trials": 3, "sessions": 2,
         "nn_examples": 500, "nn_epochs": 3, "batch_files": 12, "batch_seconds": 0.5,
         "batch_rounds": 1}

MISSING_LIBROSA = (
    "listenwidgets.bench compares listenwidgets.dsp with librosa, which is not installed.\n"
    "librosa is a test-only dependency: pip install 'listenwidgets[test]' (or pip install "
    "librosa),\nor run only the other sections: --sections latency,memory")

MISSING_SKLEARN = (
    "the nn section compares listenwidgets.dsp.MLP with scikit-learn, which is not installed.\n"
    "scikit-learn is a test-only dependency: pip install 'listenwidgets[test]' (or pip install "
    "scikit-learn),\nor run only the other sections, e.g. --sections dsp,batch")


def parser():
    """The command-line parser."""
    p = argparse.ArgumentParser(
        prog="python -m listenwidgets.bench",
        description="Time listenwidgets.dsp against librosa (interleaved rounds, after checking "
                    "that the results agree), the knob → view latency of the lab's pages, "
                    "the served lab's memory per session, an epoch of the MLP against "
                    "scikit-learn's and batch feature extraction with 1 and 2 worker processes. "
                    "Targets are reported, not asserted.")
    p.add_argument("--quick", action="store_true",
                   help=f"short run for CI: {QUICK['durations'][0]:g} s signals, "
                        f"{QUICK['rounds']} rounds, {QUICK['sessions']} sessions, "
                        f"{QUICK['nn_examples']} training examples, {QUICK['batch_files']} files")
    p.add_argument("--json", type=Path, metavar="PATH", help="write every result to PATH")
    p.add_argument("--markdown", type=Path, metavar="PATH",
                   help="write the results as a Markdown page (e.g. docs/performance.md)")
    p.add_argument("--only", type=_names, metavar="NAMES",
                   help=f"comma-separated DSP rows to run, of: {', '.join(FUNCTIONS)}")
    p.add_argument("--rounds", type=_positive(int), metavar="N",
                   help=f"timed rounds per DSP row and of the MLP epoch (default "
                        f"{FULL['rounds']}; {QUICK['rounds']} with --quick)")
    p.add_argument("--durations", type=_seconds_list, metavar="SECONDS",
                   help="comma-separated signal lengths in seconds (default 30,300; 3 with "
                        "--quick)")
    p.add_argument("--sections", type=_sections, default=list(SECTIONS), metavar="NAMES",
                   help=f"comma-separated parts to run, of: {', '.join(SECTIONS)} (default all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the test signals (default 0)")
    return p


def main(argv=None):
    """Run the benchmark; return 0, 1 if a result is wrong, 2 without librosa or scikit-learn.

    Wrong results: a DSP row that disagrees with librosa, or batch tables that
    differ between 1 and 2 workers or have failures.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    settings = _settings(args)
    if "dsp" in args.sections and not _available("librosa"):
        print(MISSING_LIBROSA, file=sys.stderr)
        return 2
    if "nn" in args.sections and not _available("sklearn"):
        print(MISSING_SKLEARN, file=sys.stderr)
        return 2
    results = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
               "machine": machine(), "versions": versions(), "settings": settings}
    if "dsp" in args.sections:
        results["dsp"] = _run_dsp(settings)
    if "latency" in args.sections:
        results["latency"] = _run_latency(settings)
    if "memory" in args.sections:
        results["memory"] = _run_memory(settings)
    if "nn" in args.sections:
        results["nn"] = _run_nn(settings)
    if "batch" in args.sections:
        results["batch"] = _run_batch(settings)
    results["machine"]["load_average_end"] = load_average()
    return _finish(results, args, argv)


def _settings(args):
    base = QUICK if args.quick else FULL
    return {**base, "sr": SR, "seed": args.seed, "quick": args.quick,
            "durations": args.durations or base["durations"],
            "rounds": args.rounds or base["rounds"], "only": args.only or list(FUNCTIONS)}


def _available(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _run_dsp(settings):
    """Every selected row at every duration: ``{"30": {name: result}}``."""
    from .cases import Inputs, cases
    from .signals import bench_signal
    from .timing import run_case

    selected = {name: case for name, case in cases(SR).items() if name in settings["only"]}
    results = {}
    for duration in settings["durations"]:
        inputs = Inputs(bench_signal(duration, seed=settings["seed"]), SR)
        rows = results[f"{duration:g}"] = {}
        for name, case in selected.items():
            _progress(f"[{duration:g} s] {name} …")
            rows[name] = {**run_case(case, inputs, rounds=settings["rounds"]), "note": case.note}
            _progress(f" {_outcome(rows[name])}\n")
    return results


def _run_latency(settings):
    from .latency import measure_latency

    _progress(f"[latency] {settings['latency_seconds']:g} s signal, {settings['trials']} changes "
              "per knob …")
    rows = measure_latency(duration=settings["latency_seconds"], trials=settings["trials"],
                           seed=settings["seed"])
    _progress(" done\n")
    return {"signal_seconds": settings["latency_seconds"], "trials": settings["trials"],
            "rows": rows}


def _run_memory(settings):
    from .memory import measure_memory

    _progress(f"[memory] serving the lab, {settings['sessions']} sessions …")
    result = measure_memory(sessions=settings["sessions"])
    _progress(" done\n")
    return result


def _run_nn(settings):
    from .nn import measure_nn

    _progress(f"[nn] one epoch, {settings['nn_examples']} examples, {settings['rounds']} rounds; "
              f"accuracy after {settings['nn_epochs']} epochs …")
    result = measure_nn(n_examples=settings["nn_examples"], rounds=settings["rounds"],
                        epochs=settings["nn_epochs"], seed=settings["seed"])
    _progress(f" ratio {result['ratio']:.2f}\n")
    return result


def _run_batch(settings):
    from .batch import measure_batch

    _progress(f"[batch] MFCC of {settings['batch_files']} files of {settings['batch_seconds']:g} s, "
              f"1 and 2 workers, {settings['batch_rounds']} rounds …")
    result = measure_batch(n_files=settings["batch_files"], seconds=settings["batch_seconds"],
                           rounds=settings["batch_rounds"], seed=settings["seed"])
    _progress(f" speed-up {result['speedup']:.2f}\n")
    return result


def _finish(results, args, argv):
    """Grade, print the tables and the JSON of the ratios, write the files; the exit status."""
    from .report import grade, markdown, text

    grade(results)
    print(text(results))
    print(json.dumps(_ratios(results), ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    if args.markdown:
        command = " ".join(["python -m listenwidgets.bench", *map(shlex.quote, argv)])
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(results, command=command))
    failed = any(row["agreement"] != "ok" for rows in results.get("dsp", {}).values()
                 for row in rows.values())
    batch = results.get("batch")
    failed = failed or (batch is not None and (not batch["agree"] or batch["failures"]))
    return 1 if failed else 0


def _ratios(results):
    """``{"ratios": {"30": {name: median ratio or None}}}``, with ``nn_ratio`` and
    ``batch_speedup`` when those sections ran."""
    summary = {"ratios": {duration: {name: row["ratio"] for name, row in rows.items()}
                          for duration, rows in results.get("dsp", {}).items()}}
    if "nn" in results:
        summary["nn_ratio"] = results["nn"]["ratio"]
    if "batch" in results:
        summary["batch_speedup"] = results["batch"]["speedup"]
    return summary


def _outcome(row):
    if row["agreement"] != "ok":
        return row["agreement"]
    times = f"{1000 * row['ours_s']:.1f} / {1000 * row['librosa_s']:.1f} ms"
    return f"ratio {row['ratio']:.2f} ({times})"


def _progress(message):
    print(message, end="", file=sys.stderr, flush=True)


# ------------------------------------------------------------ argument types
def _names(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in FUNCTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown rows {unknown}; choose from {', '.join(FUNCTIONS)}")
    return names


def _sections(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names or set(names) - set(SECTIONS):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SECTIONS)}, got {text!r}")
    return names


def _positive(kind):
    def convert(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return convert


def _seconds_list(text):
    return [_positive(float)(part) for part in text.split(",") if part.strip()]
