"""A download button whose file may be refused: the page says why, the browser gets nothing."""

from __future__ import annotations

import panel as pn
import param

from ..errors import ParameterError

__all__ = ["GuardedDownload"]


class GuardedDownload(pn.widgets.FileDownload):
    """A download button whose callback may refuse (a :class:`ParameterError`) without a traceback.

    Panel calls a :class:`~panel.widgets.FileDownload` callback when the
    button is clicked; an exception there would be an unhandled error in the
    session. Here a :class:`~listenwidgets.errors.ParameterError` (e.g. "the
    node failed since it was chosen", "no model yet") is handed to
    ``on_error`` instead, and nothing is transferred.

    Parameters
    ----------
    on_error : callable
        Called with the error instead of transferring anything (the browser
        downloads nothing); e.g. to show the message on the page.
    **params
        As :class:`panel.widgets.FileDownload`.
    """

    def __init__(self, *, on_error, **params):
        super().__init__(**params)
        self._on_error = on_error

    @param.depends("_clicks", watch=True)
    def _transfer(self):
        try:
            super()._transfer()
        except ParameterError as error:
            self._on_error(error)
