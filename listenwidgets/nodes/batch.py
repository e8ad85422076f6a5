"""Run one tuned graph over many audio files: one row of named scalar features per file.

:func:`run_batch` (and its thin front :meth:`listenwidgets.nodes.Graph.run_batch`)
sends the graph's state (:meth:`~listenwidgets.nodes.Graph.to_dict`, plain
JSON) to the workers. Each worker rebuilds the graph from it once, then for
each file points its :class:`~listenwidgets.nodes.AudioSource` at the file
(which recomputes every node downstream) and reduces the requested outputs
to named scalars (:func:`summarise`). The workers are
local processes (``spawn`` or ``forkserver``, never ``fork``: safe inside a
served lab's threads), the calling process itself (``workers=1``), or a
Dask cluster (``client=``; dask is imported only then).

A failing file (missing, corrupt, too short for the settings) becomes a
``(file, message)`` entry of :attr:`FeatureTable.failures`; it never stops
the batch, and finished rows are never lost, even when the batch is
cancelled.
"""

from __future__ import annotations

import concurrent.futures
import csv
import dataclasses
import hashlib
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import threadpoolctl

from ..errors import ParameterError
from .engine import UpstreamError
from .sources import AudioSource

__all__ = ["FeatureTable", "TextProgressBar", "run_batch", "summarise"]

#: Seconds between two looks at the ``cancel`` event while waiting for a file.
_POLL_SECONDS = 0.1


@dataclasses.dataclass(frozen=True, eq=False)
class FeatureTable:
    """One row of named scalar features per audio file, and the files that failed.

    Attributes
    ----------
    columns : list of str
        The column names (see :func:`summarise` for how they are made).
    rows : np.ndarray [shape=(n_files, n_columns), dtype=float64]
        The features, one row per file of :attr:`files`.
    files : list of str
        The files that gave a row, in the order they were given.
    failures : list of (str, str)
        ``(file, message)`` for every file that failed, in the order given.
    skipped : list of str
        Files not run because the batch was cancelled.

    Examples
    --------
    >>> import numpy as np
    >>> table = FeatureTable(columns=["rms_mean"], rows=np.array([[0.5]]), files=["a.wav"],
    ...                      failures=[("b.wav", "source: b.wav does not exist")], skipped=[])
    >>> table["rms_mean"], len(table)
    (array([0.5]), 1)
    """

    columns: list
    rows: np.ndarray
    files: list
    failures: list
    skipped: list

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, column: str) -> np.ndarray:
        """The values of one column, one per file."""
        try:
            return self.rows[:, self.columns.index(column)]
        except ValueError:
            raise KeyError(f"no column {column!r}; the table has {len(self.columns)} columns, "
                           f"e.g. {self.columns[:4]}") from None

    def to_numpy(self) -> np.ndarray:
        """A copy of :attr:`rows`, shape (n_files, n_columns), float64."""
        return self.rows.copy()

    def to_csv(self, path) -> None:
        """Write ``file`` and every column, one line per file (floats round-trip exactly).

        Parameters
        ----------
        path : str or os.PathLike
            Where to write. The failures are not written (see :attr:`failures`).
        """
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", *self.columns])
            for file, row in zip(self.files, self.rows, strict=True):
                writer.writerow([file, *(repr(float(v)) for v in row)])

    def to_parquet(self, path) -> None:
        """Write the table as Parquet (a ``file`` column, then every feature); needs pyarrow.

        Parameters
        ----------
        path : str or os.PathLike
            Where to write.
        """
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("FeatureTable.to_parquet needs pyarrow: pip install pyarrow "
                              "(to_csv needs nothing)") from None
        arrays = [pa.array(self.files, pa.string())]
        arrays += [pa.array(self.rows[:, j]) for j in range(len(self.columns))]
        pq.write_table(pa.Table.from_arrays(arrays, names=["file", *self.columns]), path)


def summarise(name: str, value) -> tuple[list[str], list[float]]:
    """Reduce one output to named scalars.

    The rule, applied recursively:

    - a record (a dataclass such as ``Cepstra``) gives its first field
      (``Cepstra.mfcc``, ``MelSpectrum.M``, ``Signal.y``, ``Features.curves``);
    - a mapping gives each entry, named ``<name>_<key>``;
    - a number or 0-d array is one column, ``<name>``;
    - a 1-D array (one value per frame) gives ``<name>_mean`` and ``<name>_std``;
    - a 2-D array ``(n_rows, n_frames)`` gives, over the frames of each row,
      ``<name>_0_mean … <name>_{n-1}_mean`` and then ``<name>_0_std …``;
    - complex values are replaced by their magnitude first.

    Means and standard deviations (``ddof=0``) are accumulated in float64.

    Parameters
    ----------
    name : str
        The column name prefix (the output's name, e.g. ``"mfcc"``).
    value : record, mapping, number or np.ndarray
        The output.

    Returns
    -------
    columns : list of str
    values : list of float

    Raises
    ------
    ParameterError
        For an output that is None, not numeric, or has more than two axes.

    Examples
    --------
    >>> import numpy as np
    >>> summarise("mfcc", np.array([[1.0, 3.0], [2.0, 2.0]]))
    (['mfcc_0_mean', 'mfcc_1_mean', 'mfcc_0_std', 'mfcc_1_std'], [2.0, 2.0, 1.0, 0.0])
    >>> summarise("tempo", 120)
    (['tempo'], [120.0])
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = getattr(value, dataclasses.fields(value)[0].name)
    if isinstance(value, Mapping):
        columns, values = [], []
        for key, item in value.items():
            more_columns, more_values = summarise(f"{name}_{key}", item)
            columns += more_columns
            values += more_values
        return columns, values
    if value is None:
        raise ParameterError(f"output {name}=None has no value to summarise")
    array = np.asarray(value)
    if np.iscomplexobj(array):
        array = np.abs(array)
    if array.dtype.kind not in "biuf":
        raise ParameterError(f"output {name} is not numeric (dtype={array.dtype}); name a "
                             "numeric field, e.g. outputs=['mfcc.mfcc']")
    if array.ndim == 0:
        return [name], [float(array)]
    if array.ndim == 1:
        return [f"{name}_mean", f"{name}_std"], [float(array.mean(dtype=np.float64)),
                                                 float(array.std(dtype=np.float64))]
    if array.ndim == 2:
        rows = range(array.shape[0])
        columns = [f"{name}_{i}_mean" for i in rows] + [f"{name}_{i}_std" for i in rows]
        values = np.concatenate([array.mean(axis=1, dtype=np.float64),
                                 array.std(axis=1, dtype=np.float64)])
        return columns, values.tolist()
    raise ParameterError(f"output {name} has shape={array.shape}; run_batch summarises scalars, "
                         "1-D and 2-D (rows × frames) arrays")


def run_batch(graph, files: Iterable, *, outputs, workers: int | None = None, client=None,
              progress: Callable[[int, int, str], None] | None = None, source: str | None = None,
              cancel=None):
    """Run ``graph`` over every file of ``files``; one row of named scalars per file.

    See :meth:`listenwidgets.nodes.Graph.run_batch` for the parameters; this is
    its implementation, with the graph as the first argument.

    Returns
    -------
    FeatureTable
    """
    files = [os.fspath(f) for f in files]
    outputs = _checked_outputs(graph, outputs)
    source = _checked_source(graph, source)
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise ParameterError(f"cancel must be a threading.Event (or have is_set()), got "
                             f"cancel={cancel!r}")
    job = _Job(graph.to_dict(), source, outputs)
    results = _Results(files, _checked_progress(progress))
    if client is not None:
        if workers is not None:
            raise ParameterError(f"workers={workers!r} sets local processes; with a Dask client "
                                 "the cluster's workers run the files (leave workers=None)")
        _run_dask(client, job, results, cancel)
    else:
        workers = _checked_workers(workers, len(files))
        if workers == 1:
            _run_here(job, results, cancel)
        else:
            _run_processes(workers, job, results, cancel)
    return results.table()


# ------------------------------------------------------------------ checks
def _checked_outputs(graph, outputs) -> list[str]:
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    if not outputs:
        raise ParameterError("outputs=[] names nothing to compute; e.g. outputs=['mfcc']")
    for spec in outputs:
        if not isinstance(spec, str) or spec.partition(".")[0] not in graph:
            raise ParameterError(f"outputs item {spec!r} names no node; use 'node' or "
                                 f"'node.field' with a node of {sorted(graph)}")
    if len(set(outputs)) != len(outputs):
        raise ParameterError(f"outputs={outputs!r} names an output twice")
    return outputs


def _checked_progress(progress):
    if progress is True:
        return TextProgressBar()
    if progress is None or progress is False or callable(progress):
        return progress or None
    raise ParameterError(f"progress must be True (a text bar), a callable progress(done, total, "
                         f"file) or None, got progress={progress!r}")


def _checked_source(graph, source) -> str:
    sources = [name for name, node in graph.items() if isinstance(node, AudioSource)]
    if source is None:
        if len(sources) != 1:
            raise ParameterError(f"the graph has {len(sources)} AudioSource nodes {sources}; "
                                 "name the one to read the files with source=...")
        source = sources[0]
    elif source not in sources:
        raise ParameterError(f"source={source!r} is not an AudioSource of this graph; its "
                             f"AudioSource nodes are {sources}")
    if graph[source].sandboxed:
        raise ParameterError(f"source={source!r} is sandboxed (sandboxed=True, the served lab): "
                             "it may not read files on this machine")
    return source


def _checked_workers(workers, n_files) -> int:
    if workers is None:
        available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        return max(1, min(available or os.cpu_count() or 1, n_files))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be an integer >= 1 (or None), got workers={workers!r}")
    return workers


# ------------------------------------------------------------------ one file
@dataclasses.dataclass(frozen=True)
class _Job:
    """What every worker needs: the graph state, the source node's name, the outputs.

    ``key`` identifies the job, so that a worker rebuilds the graph once per
    job and not once per file.
    """

    state: dict
    source: str
    outputs: list
    key: str = dataclasses.field(init=False)

    def __post_init__(self):
        text = json.dumps([self.state, self.source, self.outputs], sort_keys=True)
        object.__setattr__(self, "key", hashlib.blake2b(text.encode(), digest_size=16).hexdigest())


#: The graph each worker thread built for its latest job (``key``, ``graph``).
_built = threading.local()


def _build(job: _Job):
    """The job's graph, rebuilt from its state; each node keeps only its latest output."""
    from .graph import Graph

    graph = Graph.from_dict(job.state)
    for _, node in graph.items():
        node.cache_size = 1
    return graph


def _row(job: _Job, path: str):
    """One file's row in a worker (process or Dask thread); the graph is built once per job."""
    if getattr(_built, "key", None) != job.key:
        _built.graph = _build(job)
        _built.key = job.key
    return _row_on(_built.graph, job, path)


def _row_on(graph, job: _Job, path: str):
    """One file's row: ``(columns, values)``, or ``(None, message)`` when it fails.

    Every failure is turned into a message, so that a file never breaks the
    batch. Pointing the source at the file recomputes every node from it.
    """
    try:
        graph[job.source].param.update(origin="path", path=path)
        columns, values = [], []
        for spec in job.outputs:
            more_columns, more_values = summarise(spec, _output(graph, spec))
            columns += more_columns
            values += more_values
    except Exception as exc:  # noqa: BLE001 - a bad file is a row of the failures
        return None, _message(exc)
    return columns, values


def _output(graph, spec):
    """The output of ``node`` or ``node.field[.field...]`` (a field may be a mapping key)."""
    name, *path = spec.split(".")
    node = graph[name]
    if node.error is not None:
        raise node.error
    value = node.output
    for i, part in enumerate(path):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif not isinstance(value, Mapping) and hasattr(value, part):
            value = getattr(value, part)
        else:
            where = ".".join([name, *path[:i]])
            raise ParameterError(f"outputs item {spec!r}: the output of {where} "
                                 f"({type(value).__name__}) has no field {part!r}")
    return value


def _message(exc: BaseException) -> str:
    """``"<failing node>: <reason>"`` for a node's error, else ``"<Type>: <reason>"``."""
    node = None
    while isinstance(exc, UpstreamError):
        node, exc = exc.node_name, exc.cause
    text = str(exc) if isinstance(exc, ParameterError) else f"{type(exc).__name__}: {exc}"
    return f"{node}: {text}" if node else text


# ------------------------------------------------------------------ results
class TextProgressBar:
    """A one-line text progress bar, ``progress(done, total, file)`` for :func:`run_batch`.

    Drawn with a carriage return on ``stream`` (standard error by default),
    which a terminal and a notebook's output both redraw in place, at most
    every ``interval`` seconds and always at the end (then a newline)::

        [###########...................]  180/500  clip_0179.wav

    Parameters
    ----------
    stream : file-like, optional
        Where to write (default ``sys.stderr`` at the time of each call).
    width : int
        Characters of the bar.
    interval : float
        Seconds between two redraws.
    """

    def __init__(self, stream=None, *, width: int = 30, interval: float = 0.1):
        self.stream, self.width, self.interval = stream, width, interval
        self._drawn_at = -float("inf")
        self._length = 0

    def __call__(self, done: int, total: int, file: str) -> None:
        now = time.monotonic()
        if done < total and now - self._drawn_at < self.interval:
            return
        self._drawn_at = now
        filled = self.width * done // max(total, 1)
        digits = len(str(total))
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}]  {done:>{digits}}/{total}  "
                f"{os.path.basename(os.fspath(file))}")
        stream = self.stream or sys.stderr
        stream.write("\r" + line.ljust(self._length) + ("\n" if done >= total else ""))
        stream.flush()
        self._length = len(line)


class _Results:
    """Rows and failures by file index, and the progress callback."""

    def __init__(self, files, progress):
        self.files = files
        self.progress = progress
        self.outcomes: dict[int, tuple] = {}

    def add(self, index, outcome):
        self.outcomes[index] = outcome
        if self.progress is not None:
            self.progress(len(self.outcomes), len(self.files), self.files[index])

    def table(self) -> FeatureTable:
        columns, files, rows, failures, skipped = None, [], [], [], []
        for index, file in enumerate(self.files):
            if index not in self.outcomes:
                skipped.append(file)
                continue
            names, values = self.outcomes[index]
            if names is None:
                failures.append((file, values))
            elif columns is None or names == columns:
                columns = names
                files.append(file)
                rows.append(values)
            else:
                failures.append((file, f"its {len(names)} columns differ from the "
                                       f"{len(columns)} of {files[0]}"))
        rows = np.array(rows, dtype=np.float64).reshape(len(files), len(columns or []))
        return FeatureTable(columns=columns or [], rows=rows, files=files, failures=failures,
                            skipped=skipped)


def _cancelled(cancel) -> bool:
    return cancel is not None and cancel.is_set()


def _outcome(future):
    """A finished future's ``(columns, values)``; a crashed worker becomes a failure."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a dead worker fails its file, not the batch
        return None, f"the worker failed: {type(exc).__name__}: {exc}"


# ------------------------------------------------------------------ backends
def _run_here(job, results, cancel):
    graph = _build(job)
    for index, path in enumerate(results.files):
        if _cancelled(cancel):
            return
        results.add(index, _row_on(graph, job, path))


def _run_processes(workers, job, results, cancel):
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # The fork server imports this module once; each worker then forks from it with
        # numpy, scipy and the nodes already loaded instead of importing them again. (No
        # effect once this process's fork server is running: it is already preloaded.)
        context.set_forkserver_preload(["__main__", __name__])
    else:
        context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_share_the_cores,
        initargs=(max(1, (os.cpu_count() or 1) // workers),))
    try:
        running = _drive(lambda path: pool.submit(_row, job, path), _wait_local, 2 * workers,
                         results, cancel)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=not running, cancel_futures=True)


def _share_the_cores(blas_threads: int) -> None:
    """Limit a worker process's BLAS threads, so that the workers together do not oversubscribe.

    Each worker would otherwise start as many BLAS threads as there are cores
    (``workers × cores`` threads in all), which made two workers on two cores
    no faster than one.
    """
    threadpoolctl.threadpool_limits(blas_threads, user_api="blas")


def _wait_local(futures):
    done, _ = concurrent.futures.wait(futures, timeout=_POLL_SECONDS,
                                      return_when=concurrent.futures.FIRST_COMPLETED)
    return done


def _run_dask(client, job, results, cancel):
    import distributed

    def wait(futures):
        try:
            return distributed.wait(futures, timeout=_POLL_SECONDS,
                                    return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return set()

    threads = sum(client.nthreads().values()) or 1
    pending = _drive(lambda path: client.submit(_row, job, path, pure=False), wait, 2 * threads,
                     results, cancel)
    if pending:
        client.cancel(pending)


def _drive(submit, wait, window, results, cancel) -> list:
    """Keep ``window`` files in flight; collect each as it finishes; stop submitting on cancel.

    Returns the futures still running when the batch was cancelled.
    """
    queue = iter(enumerate(results.files))
    pending = {}
    while True:
        while len(pending) < window and not _cancelled(cancel):
            index, path = next(queue, (None, None))
            if index is None:
                break
            try:
                pending[submit(path)] = index
            except Exception as exc:  # noqa: BLE001 - e.g. a broken pool: the file fails
                results.add(index, (None, f"could not start: {type(exc).__name__}: {exc}"))
        if not pending:
            return []
        for future in wait(list(pending)):
            results.add(pending.pop(future), _outcome(future))
        if _cancelled(cancel):
            for future in [f for f in pending if f.done()]:
                results.add(pending.pop(future), _outcome(future))
            return list(pending)
