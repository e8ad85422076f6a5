"""Export a page: its graph (JSON, Python script), node outputs (NPZ, CSV), signals (WAV), figures.

The functions turn what a page holds into the bytes of a file; they are
what the page's *Export* panel (:class:`ExportPanel`) offers for download.
Nothing is pickled: NPZ files hold plain arrays (``np.load(...,
allow_pickle=False)`` reads them), CSV files are text, WAV files are 16-bit
PCM. Figures are saved by each figure's own save tool: PNG by default, SVG
once the panel switches the figures to Bokeh's SVG backend.

Examples
--------
>>> import numpy as np
>>> from listenwidgets.nodes import Signal
>>> arrays = output_arrays(Signal(y=np.zeros(4, dtype=np.float32), sr=8000.0, label="silence"))
>>> sorted(arrays)
['label', 'sr', 'y']
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
from collections.abc import Mapping

import numpy as np
import panel as pn

from .. import dsp
from ..errors import ParameterError
from ..nodes import Signal
from ..nodes.script import graph_to_script
from ..views.downloads import GuardedDownload

__all__ = ["output_arrays", "npz_bytes", "csv_fields", "csv_bytes", "output_signals", "wav_bytes",
           "graph_json", "markdown_text", "ExportPanel", "MAX_STATE_FILE_BYTES"]

#: The largest graph-state file the panel loads.
MAX_STATE_FILE_BYTES = 1 * 2**20


def output_arrays(output, prefix: str = "") -> dict[str, np.ndarray]:
    """The arrays and scalars of a node's output record, flattened under dotted names.

    Parameters
    ----------
    output : Signal, Spectrogram, ... or np.ndarray
        A node's output. Nested records (a spectrogram's ``source`` signal)
        and dicts of arrays are flattened as ``"source.y"``, ``"seconds.fft"``.
    prefix : str
        Prepended to every name.

    Returns
    -------
    dict of str to np.ndarray
        Arrays as they are (complex stays complex); numbers, booleans and
        strings as 0-d arrays; ``None`` fields are left out.
    """
    if isinstance(output, np.ndarray):
        return {prefix or "output": output}
    if dataclasses.is_dataclass(output):
        items = ((f.name, getattr(output, f.name)) for f in dataclasses.fields(output))
    elif isinstance(output, Mapping):
        items = ((str(k), v) for k, v in output.items())
    else:
        raise ParameterError(f"cannot export output={type(output).__name__} as arrays")
    arrays = {}
    for name, value in items:
        key = f"{prefix}{name}"
        if value is None:
            continue
        if dataclasses.is_dataclass(value) or isinstance(value, Mapping):
            arrays.update(output_arrays(value, prefix=key + "."))
        elif isinstance(value, (np.ndarray, np.generic, bool, int, float, complex, str)):
            arrays[key] = np.asarray(value)
        elif isinstance(value, (list, tuple)):
            array = np.asarray(value)
            if array.dtype != object:
                arrays[key] = array
    return arrays


def npz_bytes(output) -> bytes:
    """The arrays of :func:`output_arrays` as the bytes of an ``.npz`` file (never pickled)."""
    buffer = io.BytesIO()
    np.savez(buffer, **output_arrays(output))
    return buffer.getvalue()


def csv_fields(output) -> list[str]:
    """The names :func:`csv_bytes` accepts: real 1-D and 2-D arrays, complex ones as ``.real``/``.imag``."""
    names = []
    for name, array in output_arrays(output).items():
        if array.ndim in (1, 2) and array.dtype.kind in "biufc":
            names += [f"{name}.real", f"{name}.imag"] if array.dtype.kind == "c" else [name]
    return names


def csv_bytes(output, field: str) -> bytes:
    """One array of a node's output as CSV text: a 1-D array is one column, a 2-D array a table.

    Parameters
    ----------
    output : record
        A node's output.
    field : str
        One of :func:`csv_fields` (e.g. ``"y"``, ``"S.real"``).

    Returns
    -------
    bytes
        UTF-8 CSV with a ``#`` header line naming the field; values are
        written with enough digits to read back exactly
        (``np.loadtxt(..., delimiter=",")``).

    Raises
    ------
    ParameterError
        If ``field`` is not one of :func:`csv_fields`.
    """
    if field not in csv_fields(output):
        raise ParameterError(f"field={field!r} is not a 1-D or 2-D array of this output; "
                             f"choose one of {csv_fields(output)}")
    arrays = output_arrays(output)
    name, _, part = field.rpartition(".") if field not in arrays else (field, "", "")
    array = arrays[name]
    if part:
        array = array.real if part == "real" else array.imag
    if array.dtype.kind in "biu":
        fmt = "%d"
    else:
        fmt = "%.9g" if array.dtype.itemsize <= 4 else "%.17g"
    buffer = io.StringIO()
    np.savetxt(buffer, array, fmt=fmt, delimiter=",", header=f"{field} {array.shape}")
    return buffer.getvalue().encode("utf-8")


def output_signals(output, prefix: str = "") -> dict[str, Signal]:
    """The signals in a node's output: itself if it is one, else the signals among its fields."""
    if isinstance(output, Signal):
        return {prefix.rstrip(".") or "signal": output}
    signals = {}
    if dataclasses.is_dataclass(output):
        for f in dataclasses.fields(output):
            value = getattr(output, f.name)
            if isinstance(value, Signal) or dataclasses.is_dataclass(value):
                signals.update(output_signals(value, prefix=f"{prefix}{f.name}."))
    return signals


def wav_bytes(signal: Signal) -> bytes:
    """A signal as a 16-bit PCM WAV file (clipped to [-1, 1)), as its player plays it at ``sr``."""
    return dsp.to_wav_bytes(np.asarray(signal.y, dtype=np.float64), sr=int(round(signal.sr)))


def graph_json(graph) -> str:
    """The graph's state (:meth:`~listenwidgets.nodes.Graph.to_json`), indented for reading."""
    return graph.to_json(indent=2)


def markdown_text(text: str) -> str:
    """``text`` escaped so that a Markdown pane (an Alert) shows it literally."""
    return re.sub(r"([\\`*_{}\[\]#|~])", r"\\\1", html.escape(text, quote=False))


class ExportPanel(pn.viewable.Viewer):
    """The *Export* card of a page: save and load the graph, download outputs, signals, figures.

    Parameters
    ----------
    page : listenwidgets.apps.page.Page
        The page whose graph, views and figures to export. A state file
        loaded here goes through :meth:`Page.load_state` (all or nothing).
    """

    def __init__(self, page, **params):
        super().__init__(**params)
        self._page = page
        self._built = False
        self._layout = pn.Card(title="Export", collapsed=True, sizing_mode="stretch_width",
                               margin=(5, 10))
        self._layout.param.watch(lambda event: event.new or self.open(), "collapsed")

    def open(self) -> None:
        """Expand the card; its widgets are made the first time (most visitors never export)."""
        if not self._built:
            self._build()
        self._layout.collapsed = False

    def _build(self) -> None:
        self._built = True
        stem = _stem(self._page.graph)
        self._message = pn.pane.Alert("", visible=False, sizing_mode="stretch_width",
                                      margin=(5, 10))
        self.json_download = pn.widgets.FileDownload(
            callback=lambda: io.StringIO(graph_json(self._page.graph)), filename=f"{stem}.json",
            label="Graph as JSON", embed=False, width=180)
        self.script_download = pn.widgets.FileDownload(
            callback=lambda: io.StringIO(graph_to_script(self._page.graph)),
            filename=f"{stem}.py", label="Graph as Python script", embed=False, width=200)
        self.loader = pn.widgets.FileInput(accept=".json,application/json", multiple=False,
                                           width=260)
        self._loaded = None
        self.loader.param.watch(self._on_file, ["value", "filename"])
        self.node = pn.widgets.Select(label="Node output", options=["", *self._page.graph],
                                      value="", width=200)
        self.field = pn.widgets.Select(label="Array (CSV)", options=[], width=200)
        self.signal = pn.widgets.Select(label="Signal (WAV)", options=[], width=200)
        self.npz_download = GuardedDownload(
            on_error=self._refused, callback=self._npz, filename=f"{stem}.npz", label="NPZ", embed=False, width=90,
            disabled=True, align="end")
        self.csv_download = GuardedDownload(
            on_error=self._refused, callback=self._csv, filename=f"{stem}.csv", label="CSV", embed=False, width=90,
            disabled=True, align="end")
        self.wav_download = GuardedDownload(
            on_error=self._refused, callback=self._wav, filename=f"{stem}.wav", label="WAV", embed=False, width=90,
            disabled=True, align="end")
        self.node.param.watch(lambda event: self._choose(event.new), "value")
        self.field.param.watch(self._rename, "value")
        self.signal.param.watch(self._rename, "value")
        self.svg = pn.widgets.Checkbox(
            label="Figures save as SVG (each figure's save tool; PNG when unticked)", value=False)
        self.svg.param.watch(lambda event: self.set_backend("svg" if event.new else "canvas"),
                             "value")
        self._layout[:] = [
            pn.Row(self.json_download, self.script_download,
                   pn.Column(pn.pane.HTML("<b>Load a graph (JSON)</b>", margin=(0, 5)),
                             self.loader)),
            pn.Row(self.node, self.field, self.npz_download, self.csv_download, self.signal,
                   self.wav_download),
            self.svg, self._message]

    # ------------------------------------------------------------ figures
    def set_backend(self, backend: str) -> None:
        """Draw every figure of the page with ``backend`` (``"svg"`` or ``"canvas"``)."""
        if backend not in ("svg", "canvas"):
            raise ParameterError(f"backend={backend!r}; expected 'svg' or 'canvas'")
        for fig in self._page.figures:
            fig.output_backend = backend

    # ------------------------------------------------------------ loading
    def _on_file(self, *events) -> None:
        # The browser may send a file's name and its bytes in separate messages: load once
        # both are here, and once per file.
        data, filename = self.loader.value, self.loader.filename
        if data is None or not filename or self._loaded == (filename, id(data)):
            return
        self._loaded = (filename, id(data))
        self.load(data, filename=filename)

    def load(self, data: bytes, *, filename: str = "the file") -> bool:
        """Load a graph state file into the page; show what happened. True when loaded."""
        self.open()
        try:
            if len(data) > MAX_STATE_FILE_BYTES:
                raise ParameterError(f"the file is {len(data)} bytes (at most "
                                     f"{MAX_STATE_FILE_BYTES})")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ParameterError("the file is not UTF-8 text") from None
            self._page.load_state(text)
        except ParameterError as exc:
            self.show(f"{filename} was not loaded (nothing changed): {exc}", "danger")
            return False
        self.show(f"Loaded {filename}.", "success")
        return True

    def show(self, message: str, kind: str = "info") -> None:
        """Show ``message`` (plain text) in the panel (opening it)."""
        self.open()
        self._message.object = markdown_text(message)
        self._message.alert_type = kind
        self._message.visible = bool(message)

    # ------------------------------------------------------------ outputs
    def _output(self):
        name = self.node.value
        if not name:
            raise ParameterError("choose a node first")
        node = self._page.graph[name]
        if node.error is not None:
            raise ParameterError(f"node {name!r} has no output: {node.error}")
        return node.output

    def _choose(self, name) -> None:
        for button in (self.npz_download, self.csv_download, self.wav_download):
            button.disabled = True
        self.field.options, self.signal.options = [], []
        if not name:
            return
        try:
            output = self._output()
        except ParameterError as exc:
            self.show(str(exc), "danger")
            return
        self.show("")
        for select, options in ((self.field, csv_fields(output)),
                                (self.signal, list(output_signals(output, prefix=f"{name}.")))):
            select.options = options
            select.value = options[0] if options else None
        self.npz_download.disabled = False
        self.csv_download.disabled = not self.field.options
        self.wav_download.disabled = not self.signal.options
        self.npz_download.filename = f"{_safe(name)}.npz"
        self._rename()

    def _rename(self, *_) -> None:
        if self.field.value:
            self.csv_download.filename = f"{_safe(self.node.value)}.{_safe(self.field.value)}.csv"
        if self.signal.value:
            self.wav_download.filename = f"{_safe(self.signal.value)}.wav"

    def _refused(self, error: ParameterError) -> None:
        """A download whose node failed since it was chosen: say so, and offer what is left."""
        self._choose(self.node.value)
        self.show(f"Nothing was downloaded: {error}", "danger")

    def _npz(self):
        return io.BytesIO(npz_bytes(self._output()))

    def _csv(self):
        return io.BytesIO(csv_bytes(self._output(), self.field.value))

    def _wav(self):
        signals = output_signals(self._output(), prefix=f"{self.node.value}.")
        return io.BytesIO(wav_bytes(signals[self.signal.value]))

    def __panel__(self):
        return self._layout


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _stem(graph) -> str:
    """The chapter of a page graph (its nodes are named ``"<chapter>.<key>"``), for file names."""
    for _, node in graph.items():
        return _safe(node.name.partition(".")[0]) or "graph"
    return "graph"
