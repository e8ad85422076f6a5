"""Interleaved A/B timing of one case, after checking that both results agree."""

from __future__ import annotations

import gc
import math
import statistics
import time

from .agreement import Disagreement

__all__ = ["run_case", "interleaved", "MIN_SAMPLE_SECONDS"]

#: A timed sample repeats a fast call until it lasts about this long (seconds).
MIN_SAMPLE_SECONDS = 0.05


def run_case(case, inputs, *, rounds):
    """Check ``case`` and, if both results agree, time it round by round.

    Our call and librosa's are first run once each (the warm-up) and their
    results compared with ``case.tolerance``. Only then are they timed (one
    more call each sets how many calls a sample repeats),
    interleaved: ours, librosa's, ours, librosa's, ... for ``rounds``
    rounds; each round gives one ratio, and the median ratio is reported.
    Calls faster than :data:`MIN_SAMPLE_SECONDS` are repeated within a
    sample (the same count in every round). The garbage collector is
    paused while a sample runs, as in :mod:`timeit`.

    Parameters
    ----------
    case : listenwidgets.bench.cases.Case
        Our call, librosa's, the tolerance and the target.
    inputs : listenwidgets.bench.cases.Inputs
        The signal and what is derived from it, passed to both calls.
    rounds : int >= 1
        Timed rounds.

    Returns
    -------
    dict
        ``agreement`` ("ok" or "FAIL: <why>"), ``error`` (the measured
        difference, in the tolerance's unit), ``tolerance``, and when timed
        ``ratio`` (median of ours/librosa), ``ours_s`` and ``librosa_s``
        (median seconds per call), ``ratios`` (every round's) and
        ``repeats`` (calls per sample, ours and librosa's).
    """
    result = {"tolerance": str(case.tolerance), "target": case.target, "ratio": None}
    try:
        result["error"] = _check(case, inputs)
    except Exception as exc:  # noqa: BLE001 - a broken function is a row of the report
        result["agreement"] = f"FAIL: {_describe(exc)}"
        return result
    result["agreement"] = "ok"
    timed = interleaved(case.ours, case.librosa, inputs, rounds=rounds)
    result.update(ratio=timed["ratio"], ours_s=timed["ours_s"], librosa_s=timed["theirs_s"],
                  ratios=timed["ratios"], repeats=timed["repeats"])
    return result


def interleaved(ours, theirs, inputs, *, rounds):
    """Time ``ours(inputs)`` against ``theirs(inputs)`` in interleaved rounds.

    One call of each sets how many calls a sample repeats (so that it lasts
    :data:`MIN_SAMPLE_SECONDS`); then each round times a sample of ours and
    one of theirs, and gives one ratio ours/theirs.

    Parameters
    ----------
    ours, theirs : callable
        ``f(inputs)``, the two calls to compare.
    inputs : object
        Passed to both.
    rounds : int >= 1
        Timed rounds.

    Returns
    -------
    dict
        ``ratio`` (median of ours/theirs), ``ours_s`` and ``theirs_s`` (median
        seconds per call), ``ratios`` (every round's) and ``repeats`` (calls
        per sample, ours and theirs).
    """
    repeats = (_repeats(ours, inputs), _repeats(theirs, inputs))
    ours_s, theirs_s = [], []
    for _ in range(rounds):
        ours_s.append(_sample(ours, inputs, repeats[0]))
        theirs_s.append(_sample(theirs, inputs, repeats[1]))
    ratios = [a / b for a, b in zip(ours_s, theirs_s, strict=True)]
    return {"ratio": statistics.median(ratios), "ours_s": statistics.median(ours_s),
            "theirs_s": statistics.median(theirs_s), "ratios": ratios, "repeats": list(repeats)}


def _check(case, inputs):
    """Run both once (the warm-up) and return the error of ours against the reference."""
    try:
        ours = case.ours(inputs)
    except Exception as exc:
        raise Disagreement(f"our function raised {_describe(exc)}") from exc
    try:
        theirs = case.librosa(inputs)
    except Exception as exc:
        raise Disagreement(f"librosa raised {_describe(exc)}") from exc
    reference = theirs if case.reference is None else case.reference(inputs)
    return case.tolerance(ours, reference)


def _repeats(function, inputs):
    """Calls per sample, so that it lasts :data:`MIN_SAMPLE_SECONDS` (from one timed call)."""
    seconds = _sample(function, inputs, 1)
    return max(1, math.ceil(MIN_SAMPLE_SECONDS / max(seconds, 1e-9)))


def _sample(function, inputs, repeats):
    """Seconds per call of ``function(inputs)``, averaged over ``repeats`` calls."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(repeats):
            function(inputs)
        return (time.perf_counter() - start) / repeats
    finally:
        gc.enable()


def _describe(exc):
    if isinstance(exc, Disagreement):
        return str(exc)
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
