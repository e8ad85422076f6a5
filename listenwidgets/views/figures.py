"""Bokeh figures in one house style (built once per view, then updated in place)."""

from __future__ import annotations

from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

__all__ = ["new_figure", "new_source", "PALETTE"]

#: Line colours: signal, second signal, reference, highlight.
PALETTE = ("#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728", "#2ca02c", "#9467bd")


def new_figure(*, title: str, x_label: str, y_label: str, height: int = 260,
               tools: str = "xpan,xwheel_zoom,box_zoom,reset,save", **kwargs):
    """A figure that stretches to its container's width.

    Parameters
    ----------
    title, x_label, y_label : str
        Title and axis labels (with units).
    height : int
        Height in pixels.
    tools : str
        Bokeh tools.
    **kwargs
        Passed to :func:`bokeh.plotting.figure` (ranges, axis types, ...).
    """
    fig = figure(title=title, height=height, sizing_mode="stretch_width", min_width=300,
                 tools=tools, active_scroll="xwheel_zoom" if "xwheel_zoom" in tools else None,
                 toolbar_location="above", **kwargs)
    fig.xaxis.axis_label = x_label
    fig.yaxis.axis_label = y_label
    fig.title.text_font_size = "11pt"
    fig.toolbar.logo = None
    return fig


def new_source(name: str, **columns) -> ColumnDataSource:
    """A named ColumnDataSource with the given (initially empty) columns.

    The name lets tests (and the browser test, through ``Bokeh.documents``)
    find the source.
    """
    return ColumnDataSource(data={key: list(value) for key, value in columns.items()}, name=name)
