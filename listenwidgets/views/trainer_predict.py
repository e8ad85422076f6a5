"""Views of chapter 9: a trained model's summary, and its prediction for a new clip."""

from __future__ import annotations

import html
import math

import numpy as np
import panel as pn
from bokeh.models import FactorRange, Range1d

from .base import NodeView
from .player import Player
from .trainer_plots import TRAINER_WIDGETS, class_colours, confusion_figure, curve_figure, draw_confusion

__all__ = ["ModelView", "PredictionView"]


class ModelView(NodeView):
    """A :class:`~listenwidgets.nodes.Trainer`'s output: the network trained to the end.

    Reading the output trains (pulled in a worker thread when served): the
    learning curves, the test accuracy and the confusion matrix on the test
    set (the examples never seen in training or tuning).

    Sources (by role): ``loss``, ``accuracy`` (``epoch``, ``train``, ``dev``), ``confusion``.
    """

    background = True
    knob_widgets = TRAINER_WIDGETS

    def _build(self):
        loss_fig, self._loss = curve_figure(self, "loss", title="Loss", y_label="cross-entropy")
        acc_fig, self._accuracy = curve_figure(self, "accuracy", title="Accuracy", y_label="fraction correct")
        acc_fig.y_range = Range1d(0.0, 1.02)
        self._confusion_fig, self._confusion = confusion_figure(self)
        self._summary = pn.pane.Markdown("", sizing_mode="stretch_width")
        return [self._summary,
                pn.Row(pn.pane.Bokeh(loss_fig, sizing_mode="stretch_width"),
                       pn.pane.Bokeh(acc_fig, sizing_mode="stretch_width"), sizing_mode="stretch_width"),
                pn.pane.Bokeh(self._confusion_fig, sizing_mode="stretch_width")]

    def _draw(self, model):
        h = model.history
        epochs = np.arange(1, len(h.train_loss) + 1, dtype=np.float64)
        self._loss.data = {"epoch": epochs, "train": np.asarray(h.train_loss), "dev": np.asarray(h.dev_loss)}
        self._accuracy.data = {"epoch": epochs, "train": np.asarray(h.train_accuracy),
                               "dev": np.asarray(h.dev_accuracy)}
        C = model.confusion("test")
        score = model.score("test")
        title = "No test set" if C is None else f"Test set: {100 * score:.1f}% right"
        draw_confusion(self._confusion_fig, self._confusion, C, model.classes, title=title)
        text = "no test set (test = 0)" if math.isnan(score) else f"**{100 * score:.1f}%** of the test clips"
        self._summary.object = (f"Trained for {len(h.train_loss)} epochs; classifies {text} correctly "
                                f"({len(model.classes)} classes: {', '.join(model.classes)}).")


class PredictionView(NodeView):
    """A :class:`~listenwidgets.nodes.Predict`: the predicted class of a clip and every class probability.

    Sources (by role): ``probabilities`` (``label``, ``p``, ``colour``).
    """

    background = True

    def _build(self):
        self._answer = pn.pane.HTML("", sizing_mode="stretch_width", styles={"font-size": "1.4em"})
        self._probabilities = self._source("probabilities", label=[], p=[], colour=[])
        fig = self._figure(title="P(class | clip)", x_label="class", y_label="probability", height=260,
                           tools="save", x_range=FactorRange(), y_range=Range1d(0.0, 1.0))
        fig.vbar(x="label", top="p", width=0.8, source=self._probabilities, fill_color="colour",
                 line_color=None)
        self._fig = fig
        self._player = Player("The clip classified")
        return [self._answer, pn.pane.Bokeh(fig, sizing_mode="stretch_width"), self._player]

    def _draw(self, out):
        if list(self._fig.x_range.factors) != out.classes:
            self._fig.x_range.factors = list(out.classes)
        self._probabilities.data = {"label": list(out.classes), "p": out.probabilities.tolist(),
                                    "colour": class_colours(len(out.classes))}
        p = float(np.max(out.probabilities))
        self._answer.object = (f"Predicted: <b>{html.escape(out.label)}</b> "
                               f"<span style='color:#666'>(probability {p:.2f})</span>")
        self._player.update(out.signal)
