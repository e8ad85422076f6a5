"""Targets (reported, never asserted) and the text and Markdown reports of a run."""

from __future__ import annotations

import collections

from .cases import FUNCTIONS
from .latency import TARGET_NODES

__all__ = ["LATENCY_TARGET_MS", "PAYLOAD_TARGET_BYTES", "SESSION_TARGET_MB", "grade", "text",
           "markdown"]

#: Knob → view data, median, on the STFT, MFCC and chroma pages (milliseconds).
LATENCY_TARGET_MS = 50.0

#: Bytes put into the ColumnDataSources per spectrogram update.
PAYLOAD_TARGET_BYTES = 1_000_000

#: Growth of the served lab's RSS per additional session (MiB).
SESSION_TARGET_MB = 150.0


def grade(results):
    """Mark every row met / missed (or FAIL, or why it has no target) and count them.

    Adds ``status`` to each DSP, latency and memory result and sets
    ``results["targets"]`` to the counts of each status.
    """
    statuses = []
    for rows in results.get("dsp", {}).values():
        for row in rows.values():
            row["status"] = _ratio_status(row)
            statuses.append(row["status"])
    for row in results.get("latency", {}).get("rows", []):
        row["status"] = _latency_status(row)
        statuses.append(row["status"])
    if "memory" in results:
        memory = results["memory"]
        memory["status"] = ("FAIL" if memory["error"]
                            else _met(memory["per_additional_session_mb"], SESSION_TARGET_MB))
        statuses.append(memory["status"])
    results["targets"] = dict(collections.Counter(statuses))


def _met(value, target):
    if value is None:
        return "not measured"
    return "met" if value <= target else "missed"


def _ratio_status(row):
    return "FAIL" if row["agreement"] != "ok" else _met(row["ratio"], row["target"])


def _latency_status(row):
    if row["error"]:
        return "FAIL"
    if row["node_type"] not in TARGET_NODES:
        return "no target"
    if row["page"] is None:
        return "no page yet"
    latency = _met(row["median_ms"], LATENCY_TARGET_MS)
    payload = _met(row["payload_bytes"], PAYLOAD_TARGET_BYTES)
    return "met" if latency == payload == "met" else "missed"


# ---------------------------------------------------------------- text report
def text(results):
    """The console report: one DSP table per signal length, then latency, memory and counts."""
    settings = results["settings"]
    lines = [f"listenwidgets.bench: ours vs librosa {results['versions'].get('librosa')}, "
             f"float32 audio at {settings['sr']} Hz, median of {settings['rounds']} interleaved "
             f"rounds; {results['machine']['cpus']} CPUs ({results['machine']['cpu']})"]
    for duration, rows in results.get("dsp", {}).items():
        lines += ["", f"DSP functions, {duration} s signal (ratio = ours / librosa)",
                  _columns(_DSP_HEADER, _DSP_WIDTHS)]
        lines += [_columns(_dsp_cells(name, row), _DSP_WIDTHS) for name, row in rows.items()]
    if "latency" in results:
        lines += ["", _latency_title(results["latency"]),
                  _columns(_LATENCY_HEADER, _LATENCY_WIDTHS)]
        lines += [_columns(_latency_cells(row), _LATENCY_WIDTHS)
                  for row in results["latency"]["rows"]]
    if "memory" in results:
        lines += ["", *_memory_lines(results["memory"])]
    if "nn" in results:
        lines += ["", *_nn_lines(results["nn"])]
    if "batch" in results:
        lines += ["", *_batch_lines(results["batch"])]
    lines += ["", "targets: " + _counts(results["targets"])]
    return "\n".join(lines)


def _counts(targets):
    return ", ".join(f"{n} {s}" for s, n in targets.items()) or "none in these sections"


_DSP_HEADER = ["function", "ours ms", "librosa ms", "ratio", "target", "status", "agreement"]
_DSP_WIDTHS = (18, 9, 11, 6, 7, 7, 0)


def _columns(cells, widths):
    """One line of a text table: the first and the last two columns left-aligned."""
    last = len(cells) - 1
    return "  ".join(f"{c:<{w}}" if i in (0, last - 1, last) else f"{c:>{w}}"
                     for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()


def _ms(seconds):
    return "—" if seconds is None else f"{1000 * seconds:.2f}"


def _dsp_cells(name, row):
    ok = row["agreement"] == "ok"
    agreement = f"ok ({row['error']:.1e}; tol {row['tolerance']})" if ok else row["agreement"]
    ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
    return [name, _ms(row.get("ours_s")), _ms(row.get("librosa_s")), ratio,
            f"≤ {row['target']:g}", row["status"], agreement]


_LATENCY_HEADER = ["node.knob [tab]", "median ms", "p95 ms", "fg ms", "payload KB",
                   "player KB", "status", "views updated (background)"]
_LATENCY_WIDTHS = (46, 9, 7, 7, 10, 9, 11, 0)


def _latency_title(latency):
    return (f"Knob → view data ({latency['signal_seconds']:g} s signal, {latency['trials']} "
            f"changes; targets: median ≤ {LATENCY_TARGET_MS:g} ms and payload ≤ "
            f"{PAYLOAD_TARGET_BYTES / 1e6:g} MB on STFT/mel/MFCC/CQT/chroma nodes)")


def _kb(value):
    return "—" if value is None else f"{value / 1000:.1f}"


def _fmt(value, spec=".1f"):
    return "—" if value is None else format(value, spec)


def _latency_cells(row):
    where = _knob_name(row) if row["page"] else f"(no page) {_knob_name(row)}"
    return [where, _fmt(row["median_ms"]), _fmt(row["p95_ms"]),
            _fmt(row["foreground_median_ms"]), _kb(row["payload_bytes"]),
            _kb(row["player_bytes"]), row["status"], row["error"] or _views(row)]


def _views(row):
    """The views a row updated, background ones marked."""
    if not row["views"]:
        return "node output only (no view)"
    return ", ".join(f"{v} (bg)" if v in row["background_views"] else v for v in row["views"])


def _knob_name(row):
    if row["node"]:
        return f"{row['node']}.{row['knob']}" + (f" [{row['tab']}]" if row["tab"] else "")
    return f"{row['page']} (the page)" if row["page"] else "(a bare chain of nodes)"


def _memory_lines(memory):
    if memory["error"]:
        return [f"Memory of the served lab: FAIL: {memory['error']}"]
    return [f"Memory of the served lab ({memory['sessions']} sessions of ?chapter="
            f"{memory['chapter']}, opened over {memory['seconds']:.1f} s)",
            f"  RSS before any session      {memory['baseline_mb']:8.1f} MiB",
            f"  peak RSS with one session   {memory['one_session_peak_mb']:8.1f} MiB",
            f"  RSS after each session      {', '.join(f'{x:.1f}' for x in memory['rss_mb'])} MiB",
            f"  per additional session      {memory['per_additional_session_mb']:8.1f} MiB   "
            f"target ≤ {SESSION_TARGET_MB:g} MiB: {memory['status']}"]


def _nn_lines(nn):
    return [f"One epoch of Adam, {nn['n_examples']} examples × {nn['n_features']} features, "
            f"{nn['hidden']} hidden units, batches of {nn['batch_size']} (median of "
            f"{nn['rounds']} interleaved rounds)",
            f"  listenwidgets.dsp.MLP        {1000 * nn['ours_s']:8.2f} ms",
            f"  sklearn MLPClassifier        {1000 * nn['sklearn_s']:8.2f} ms",
            f"  ratio ours / scikit-learn    {nn['ratio']:8.2f}",
            f"  after {nn['epochs']} epochs: test accuracy {nn['ours_accuracy']:.3f} (ours) vs "
            f"{nn['sklearn_accuracy']:.3f} (scikit-learn), training loss "
            f"{nn['ours_loss']:.4f} vs {nn['sklearn_loss']:.4f}"]


def _batch_lines(batch):
    rates = batch["files_per_s"]
    return [f"Batch MFCC with Graph.run_batch, {batch['n_files']} files of "
            f"{batch['seconds_per_file']:g} s (median of {batch['rounds']} rounds)",
            f"  1 worker (in process)        {batch['one_worker_s']:8.2f} s   "
            f"{rates['1']:7.1f} files/s",
            f"  2 worker processes           {batch['two_workers_s']:8.2f} s   "
            f"{rates['2']:7.1f} files/s",
            f"  speed-up 1 → 2 workers       {batch['speedup']:8.2f}",
            f"  first start of the workers   {batch['start_s']:8.2f} s (fork server, once)",
            f"  tables agree (1e-5): {'yes' if batch['agree'] else 'NO'}; failures: "
            f"{batch['failures']}"]


# ------------------------------------------------------------ Markdown report
def markdown(results, *, command):
    """The Markdown page of a run (``docs/performance.md``).

    Parameters
    ----------
    results : dict
        A graded run.
    command : str
        The command line that reproduces it.
    """
    parts = ["# Performance", "",
             f"Measured {results['date']} by `{command}`. Targets are reported, never asserted.",
             "", "## Machine and versions", "", *_machine_table(results),
             "", "## How to reproduce", "", *_reproduce(command)]
    if "dsp" in results:
        parts += ["", "## DSP functions: ours vs librosa", "", *_dsp_markdown(results)]
    if "latency" in results:
        parts += ["", "## Interactive latency", "", *_latency_markdown(results["latency"])]
    if "memory" in results:
        parts += ["", "## Memory of the served lab", "", *_memory_markdown(results["memory"])]
    if "nn" in results:
        parts += ["", "## Training: one epoch of the MLP vs scikit-learn", "",
                  *_nn_markdown(results["nn"], results["versions"])]
    if "batch" in results:
        parts += ["", "## Batch feature extraction", "", *_batch_markdown(results["batch"])]
    parts += ["", "Targets: " + _counts(results["targets"]) + "."]
    return "\n".join(parts) + "\n"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _machine_table(results):
    m = results["machine"]
    rows = [("CPU", f"{m['cpu']}, {m['cpus']} cores"), ("memory", f"{m['memory_gb']} GiB"),
            ("OS", m["os"]), ("Python", m["python"]),
            ("load average (1, 5, 15 min) at start; at end",
             f"{_loads(m['load_average'])}; {_loads(m.get('load_average_end'))}")]
    rows += [(name, version or "—") for name, version in results["versions"].items()]
    return _table(["", "value"], rows)


def _loads(values):
    return ", ".join(map(str, values)) if values else "—"


def _reproduce(command):
    return ["```bash", 'pip install -e ".[test]"   # librosa is a test-only dependency', command,
            "```", "", "`--json PATH` also writes every number (each round's ratio included); "
            "`--sections nn,batch` runs some parts (of dsp, latency, memory, nn, batch); "
            "`--only stft,mfcc` runs some rows; `--rounds N`, `--durations 30,300`; `--quick` is "
            "the short run CI uses to keep the benchmark working."]


def _dsp_markdown(results):
    dsp = results["dsp"]
    settings = results["settings"]
    header = ["function", "target"]
    for duration in dsp:
        header += [f"{duration} s ours ms", "librosa ms", "ratio", "status"]
    rows = []
    for name in FUNCTIONS:
        present = [d[name] for d in dsp.values() if name in d]
        if not present:
            continue
        row = [f"`{name}`", f"≤ {present[0]['target']:g}"]
        for duration_rows in dsp.values():
            r = duration_rows[name]
            ratio = f"**{r['ratio']:.2f}**" if r["ratio"] is not None else "FAIL"
            row += [_ms(r.get("ours_s")), _ms(r.get("librosa_s")), ratio, r["status"]]
        rows.append(row)
    intro = (f"Median ratio ours / librosa of {settings['rounds']} rounds, interleaved (ours, "
             "librosa, ours, librosa, …) after a warm-up, on deterministic float32 signals at "
             f"{settings['sr']} Hz (the demo clip tiled, harmonic voices with vibrato, noise "
             f"bursts; seed {settings['seed']}); `n_fft=2048`, `hop_length=512`, otherwise both "
             "libraries' defaults. Every row was first checked against librosa; a row that "
             "disagrees is FAIL and is not timed.")
    return [intro, "", *_table(header, rows), "", *_dsp_notes(results)]


def _dsp_notes(results):
    first = next(iter(results["dsp"].values()))
    notes = []
    for name in FUNCTIONS:
        if name in first:
            row = first[name]
            ok = row["agreement"] == "ok"
            detail = f"tolerance {row['tolerance']}" if ok else row["agreement"]
            note = f"; {row['note']}" if row.get("note") else ""
            notes.append(f"- `{name}`: {detail}{note}.")
    return ["Agreement checks and notes:", "", *notes]


def _latency_markdown(latency):
    intro = (f"From setting a knob on a page's node to the shown views' ColumnDataSources "
             f"holding the new data, without a browser (the page rendered into a Bokeh "
             f"document; each change is computed, the node cache is off), on "
             f"{latency['signal_seconds']:g} s of audio, each tab of the page selected in turn, "
             f"up to {latency['trials']} changes per row. "
             f"Payload: bytes of the arrays put into the ColumnDataSources per update; the "
             f"players' new WAV files of the same update are counted apart. The time runs "
             f"until every shown view holds the new data; views that pull in a worker thread "
             f"when served (marked bg: players, the tonal views) are updated last, and "
             f"'foreground' is the time until the others hold it (the served lab's event "
             f"loop is busy that long). Targets (STFT, "
             f"mel, MFCC, CQT and chroma nodes): median ≤ {LATENCY_TARGET_MS:g} ms, payload ≤ "
             f"{PAYLOAD_TARGET_BYTES / 1e6:g} MB.")
    header = ["page", "node.knob [tab]", "changes", "median ms", "p95 ms", "foreground ms",
              "payload KB", "player KB", "status"]
    rows = [[r["page"] or "(no page yet: node output only)", f"`{_knob_name(r)}`", r["trials"],
             _fmt(r["median_ms"]), _fmt(r["p95_ms"]), _fmt(r["foreground_median_ms"]),
             _kb(r["payload_bytes"]),
             _kb(r["player_bytes"]), r["status"] + (f": {r['error']}" if r["error"] else "")]
            for r in latency["rows"]]
    return [intro, "", *_table(header, rows)]


def _memory_markdown(memory):
    if memory["error"]:
        return [f"FAIL: {memory['error']}"]
    rows = [("before any session", f"{memory['baseline_mb']:.1f}"),
            ("peak with one session", f"{memory['one_session_peak_mb']:.1f}"),
            ("after each session", ", ".join(f"{x:.1f}" for x in memory["rss_mb"])),
            ("per additional session", f"**{memory['per_additional_session_mb']:.1f}** "
                                       f"(target ≤ {SESSION_TARGET_MB:g}: {memory['status']})")]
    intro = (f"`listenwidgets serve` on 127.0.0.1; {memory['sessions']} sessions opened by HTTP "
             f"GETs of `/?chapter={memory['chapter']}` (each builds a session with its own "
             f"nodes); server RSS read with psutil once settled.")
    return [intro, "", *_table(["server RSS", "MiB"], rows)]


def _nn_markdown(nn, versions):
    intro = (f"`listenwidgets.dsp.MLP(hidden_layer_sizes=({nn['hidden']},), optimizer='adam', "
             f"batch_size={nn['batch_size']}, epochs=1).fit` against scikit-learn "
             f"{versions.get('scikit-learn') or ''} `MLPClassifier(hidden_layer_sizes="
             f"({nn['hidden']},), solver='adam', batch_size={nn['batch_size']}, max_iter=1).fit`: "
             f"the same network (ReLU, Glorot initialisation, α = 0.001, L2 1e-4, shuffled "
             f"batches), float64, each fit from scratch on the same {nn['n_examples']} examples × "
             f"{nn['n_features']} features (standard normal, 4 classes labelled by a fixed random "
             f"tanh network). Median of {nn['rounds']} interleaved rounds. The two start from "
             f"different random weights, so to show that an epoch does the same work both were "
             f"also trained for {nn['epochs']} epochs and scored on {nn['n_test']} held-out "
             "examples.")
    rows = [("one epoch, ours", f"{1000 * nn['ours_s']:.2f} ms"),
            ("one epoch, scikit-learn", f"{1000 * nn['sklearn_s']:.2f} ms"),
            ("ratio ours / scikit-learn", f"**{nn['ratio']:.2f}**"),
            (f"test accuracy after {nn['epochs']} epochs, ours / scikit-learn",
             f"{nn['ours_accuracy']:.3f} / {nn['sklearn_accuracy']:.3f}"),
            (f"training loss after {nn['epochs']} epochs, ours / scikit-learn",
             f"{nn['ours_loss']:.4f} / {nn['sklearn_loss']:.4f}")]
    return [intro, "", *_table(["", "value"], rows)]


def _batch_markdown(batch):
    intro = (f"`Graph.run_batch(files, outputs=['mfcc'])` over {batch['n_files']} WAV files of "
             f"{batch['seconds_per_file']:g} s (excerpts of the benchmark signal, 22050 Hz, "
             f"16 bit) through AudioSource → STFT → mel → MFCC with the defaults ({batch['columns']} "
             f"columns: mean and standard deviation of 20 coefficients). `workers=1` runs in the "
             f"calling process; `workers=2` starts two worker processes (forked from a fork "
             f"server that has the modules loaded; its own start, once per process, came "
             f"before the rounds: {batch['start_s']:.2f} s, reported apart). Wall time of the "
             f"whole folder, median of {batch['rounds']} rounds; the speed-up is the median of "
             f"each round's ratio. On a machine whose cores are "
             f"busy with other work (see the load average above) the second worker cannot "
             f"have a core to itself.")
    rates = batch["files_per_s"]
    rows = [("1 worker (in process)", f"{batch['one_worker_s']:.2f}", f"{rates['1']:.1f}"),
            ("2 worker processes", f"{batch['two_workers_s']:.2f}", f"{rates['2']:.1f}")]
    summary = (f"Speed-up 1 → 2 workers: **{batch['speedup']:.2f}** (rounds: "
               f"{', '.join(f'{x:.2f}' for x in batch['speedups'])}). The two tables are "
               f"{'agree' if batch['agree'] else 'DISAGREE'} (within 1e-5); failures: "
               f"{batch['failures']}.")
    return [intro, "", *_table(["workers", "seconds", "files/s"], rows), "", summary]
