"""Benchmarks of listenwidgets: ``python -m listenwidgets.bench`` (``--help`` for the options).

Five parts (``--sections``), in one process (the served lab, the batch's
workers in subprocesses):

1. **DSP** (:mod:`.cases`, :mod:`.timing`): every :mod:`listenwidgets.dsp`
   function with a librosa twin is checked against librosa on the same
   deterministic signals (:mod:`.signals`) and, only if the results agree
   (:mod:`.agreement`), timed against it in interleaved rounds; the median
   ratio ours/librosa is reported.
2. **Interactive latency** (:mod:`.latency`): knob change → refreshed view
   data on every chapter page, and the bytes each update sends.
3. **Memory** (:mod:`.memory`): the served lab's RSS with one session and per
   additional session.
4. **Training** (:mod:`.nn`): one epoch of Adam, :class:`listenwidgets.dsp.MLP`
   against scikit-learn's ``MLPClassifier``, and their accuracies.
5. **Batch** (:mod:`.batch`): MFCC extraction over many short files with
   :meth:`listenwidgets.nodes.Graph.run_batch`, 1 vs 2 worker processes.

Targets (:mod:`.report`) are reported as met or missed, never asserted.
librosa and scikit-learn are test-only dependencies: each is imported by its
part only.
"""

from .cli import main

__all__ = ["main"]
