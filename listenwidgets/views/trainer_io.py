"""Save and load a trained model in the lab: a "Download model" button and a "Load model" file input.

The file is one ``.npz`` (:meth:`~listenwidgets.nodes.Model.to_bytes`: the
weights as arrays, the rest a JSON string, read without pickle). A loaded
file is read and checked in a worker thread when served (checking it may
pull a data set that is still being built); a refused file leaves
everything as it was and says what is wrong.
"""

from __future__ import annotations

import io
import threading

import panel as pn

from ..errors import ParameterError
from ..nodes import UpstreamError
from ..nodes.trainer import Model
from .base import _markdown_escape, error_message
from .downloads import GuardedDownload
from .ready import served_document

__all__ = ["ModelFiles", "run_off_loop"]


class ModelFiles(pn.viewable.Viewer):
    """Download the current model as one ``.npz``; load one, check it and put it to use.

    Parameters
    ----------
    current : callable
        ``current()`` returns the :class:`~listenwidgets.nodes.Model` to
        download, or raises :class:`~listenwidgets.errors.ParameterError`
        saying why there is none.
    check : callable
        ``check(model)`` raises ParameterError to refuse a loaded model (e.g.
        other features than the data set's). Runs in a worker thread when served.
    install : callable
        ``install(model, filename)`` puts an accepted model to use (on the
        event loop); it may still refuse with ParameterError.
    filename : str
        The name the download is saved as.

    Attributes
    ----------
    download : panel.widgets.FileDownload
    upload : panel.widgets.FileInput
    message : panel.pane.Alert
        What the last download or load did.
    """

    def __init__(self, *, current, check, install, filename: str = "model.npz", **params):
        super().__init__(**params)
        self._current, self._check, self._install = current, check, install
        self._loaded = None
        self.download = GuardedDownload(
            on_error=self._refused_download, callback=self._bytes, filename=filename, label="Download model",
            embed=False, width=170, description="The trained network, its normalisation, features and classes "
                                                "as one .npz (NumPy arrays and a JSON string; no pickle).")
        self.upload = pn.widgets.FileInput(accept=".npz", multiple=False, width=250,
                                           description="A model saved with 'Download model'.")
        self.upload.param.watch(self._on_file, ["value", "filename"])
        self.message = pn.pane.Alert("", visible=False, sizing_mode="stretch_width", margin=(5, 10))
        self._layout = pn.Column(
            pn.Row(self.download, pn.pane.HTML("<b>Load model (.npz)</b>", margin=(14, 5, 0, 20)), self.upload,
                   sizing_mode="stretch_width"),
            self.message, sizing_mode="stretch_width")

    def __panel__(self):
        return self._layout

    # ------------------------------------------------------------ download
    def _bytes(self):
        model = self._current()
        self.message.visible = False
        return io.BytesIO(model.to_bytes())

    def _refused_download(self, error) -> None:
        self._say(f"**Nothing to download** — {_markdown_escape(str(error))}", "warning")

    # ---------------------------------------------------------------- load
    def _on_file(self, *events) -> None:
        # The browser may send the name and the bytes in separate messages: load once both are here.
        data, filename = self.upload.value, self.upload.filename
        if data is None or not filename or self._loaded == (filename, id(data)):
            return
        self._loaded = (filename, id(data))
        self.load(data, filename=filename)

    def load(self, data: bytes, *, filename: str = "the file") -> None:
        """Read, check and install a model file (the check in a worker thread when served)."""
        self._say(f"Reading {_markdown_escape(filename)}…", "info")

        def read():
            model = Model.from_bytes(data)
            self._check(model)
            return model

        run_off_loop(read, lambda model, error: self._loaded_model(model, error, filename),
                     name="load-model")

    def _loaded_model(self, model, error, filename) -> None:
        if error is None:
            try:
                self._install(model, filename)
            except (ParameterError, UpstreamError) as exc:
                error = exc
        if error is not None:
            self._say(f"**{_markdown_escape(filename)} refused** — {_markdown_escape(error_message(error))}",
                      "danger")
            return
        self._say(f"Loaded **{_markdown_escape(filename)}**: {len(model.feature_names)} features "
                  f"({model.features}), classes {_markdown_escape(', '.join(model.classes))}, "
                  f"{len(model.history.train_loss)} epochs trained.", "success")

    def _say(self, text: str, kind: str) -> None:
        self.message.param.update(object=text, alert_type=kind, visible=True)
        pn.io.push_notebook(self._layout)


def run_off_loop(work, done, *, name: str) -> None:
    """Run ``work()`` in a worker thread when served, then ``done(result, error)`` on the event loop.

    In a notebook (no server session) both run at once in this thread.
    ``error`` is the :class:`ParameterError` or :class:`UpstreamError`
    ``work`` raised (``result`` is then None).
    """
    doc = served_document()

    def call():
        try:
            return work(), None
        except (ParameterError, UpstreamError) as exc:
            return None, exc

    if doc is None:
        done(*call())
        return

    def worker():
        result = call()
        if doc.session_context is None or doc.session_context.destroyed:
            return            # the session ended meanwhile: nobody to tell
        try:
            doc.add_next_tick_callback(lambda: done(*result))
        except Exception:  # noqa: BLE001 - the session ended just now (a race): as above
            pass

    threading.Thread(target=worker, daemon=True, name=name).start()
