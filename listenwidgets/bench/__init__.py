"""Benchmarks of listenwidgets: ``python -m listenwidgets.bench`` (``--help`` for the options).

Three parts, in one process (the served lab in a subprocess):

1. **DSP** (:mod:`.cases`, :mod:`.timing`): every :mod:`listenwidgets.dsp`
   function with a librosa twin is checked against librosa on the same
   deterministic signals (:mod:`.signals`) and, only if the results agree
   (:mod:`.agreement`), timed against it in interleaved rounds; the median
   ratio ours/librosa is reported.
2. **Interactive latency** (:mod:`.latency`): knob change → refreshed view
   data on every chapter page, and the bytes each update sends.
3. **Memory** (:mod:`.memory`): the served lab's RSS with one session and per
   additional session.

Targets (:mod:`.report`) are reported as met or missed, never asserted.
librosa is a test-only dependency: it is imported by the DSP part only.
"""

from .cli import main

__all__ = ["main"]
