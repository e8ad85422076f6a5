"""Figures shared by the chapter 8-9 views: learning curves, a confusion matrix, class colours."""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import FactorRange, Legend, LegendItem

from .figures import PALETTE

__all__ = ["class_colours", "curve_figure", "confusion_figure", "draw_confusion", "empty_curves",
           "TRAINER_WIDGETS"]

#: Widgets of the Trainer's knobs: typed learning rates, mini-batch sizes as powers of two.
TRAINER_WIDGETS = {
    "learning_rate": {"type": pn.widgets.FloatInput, "step": 0.001},
    "epsilon": {"type": pn.widgets.FloatInput},
    "batch_size": {"type": pn.widgets.DiscreteSlider,
                   "options": {"whole set": None, **{str(2 ** k): 2 ** k for k in range(9)}}},
}

#: Colours of the classes, in class order (cycled past ten).
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")


def class_colours(n: int) -> list[str]:
    """One colour per class."""
    return [CLASS_COLOURS[i % len(CLASS_COLOURS)] for i in range(n)]


def empty_curves() -> dict:
    """The columns of a learning-curve source, empty."""
    return {"epoch": [], "train": [], "dev": []}


def curve_figure(view, role: str, *, title: str, y_label: str):
    """A figure with the train (solid) and dev (dashed) curves of the source ``role`` over epochs."""
    source = view._source(role, **empty_curves())
    fig = view._figure(title=title, x_label="epoch", y_label=y_label, height=240,
                       name=f"{view.node.name}.{role}_figure")
    train = fig.line("epoch", "train", source=source, color=PALETTE[0], line_width=2)
    dev = fig.line("epoch", "dev", source=source, color=PALETTE[1], line_width=2, line_dash="dashed")
    fig.add_layout(Legend(items=[LegendItem(label="train", renderers=[train]),
                                 LegendItem(label="dev", renderers=[dev])], location="top_right"))
    return fig, source


def confusion_figure(view, role: str = "confusion"):
    """A confusion-matrix figure: actual class down, predicted across, counts written in the cells."""
    source = view._source(role, actual=[], predicted=[], count=[], text=[], alpha=[])
    fig = view._figure(title="Confusion matrix", x_label="predicted class", y_label="actual class",
                       height=300, tools="save", x_range=FactorRange(), y_range=FactorRange())
    fig.rect("predicted", "actual", 0.95, 0.95, source=source, color=PALETTE[0], fill_alpha="alpha",
             line_color=None)
    fig.text("predicted", "actual", text="text", source=source, text_align="center",
             text_baseline="middle", text_font_size="11pt")
    fig.xgrid.visible = fig.ygrid.visible = False
    return fig, source


def draw_confusion(fig, source, C, classes, *, title: str) -> None:
    """Show the matrix ``C[i, j]`` (actual ``i`` predicted ``j``); ``C=None`` empties it."""
    classes = [str(c) for c in classes]
    if list(fig.x_range.factors) != classes:
        fig.x_range.factors = classes
        fig.y_range.factors = classes[::-1]
    fig.title.text = title
    if C is None:
        source.data = {"actual": [], "predicted": [], "count": [], "text": [], "alpha": []}
        return
    rows, cols = np.indices(C.shape)
    total = C.sum(axis=1, keepdims=True).clip(min=1)
    source.data = {"actual": [classes[i] for i in rows.ravel()], "predicted": [classes[j] for j in cols.ravel()],
                   "count": C.ravel().tolist(), "text": [str(v) for v in C.ravel()],
                   "alpha": (0.1 + 0.8 * C / total).ravel().tolist()}
