"""View of chapter 8: train a network live and watch its curves, decision regions and errors.

The training runs in a :class:`~listenwidgets.nodes.TrainingSession`'s worker
thread; nothing here touches Bokeh from that thread. A periodic callback on
the session's own event loop (``pn.state.add_periodic_callback``: the Bokeh
server's loop when served, the kernel's in a notebook) polls the session,
copies the new epochs and streams them into the figures, then stops when
the run stops. :meth:`TrainerView.poll` is that callback (a test or a
notebook may call it directly).
"""

from __future__ import annotations

import html
import threading

import numpy as np
import panel as pn
import param
from bokeh.models import LinearColorMapper, Range1d

from ..errors import ParameterError
from ..nodes import Trainer, TrainingSession
from ..nodes.trainer import UPDATE_RULES
from .base import NodeView, error_message
from .figures import PALETTE
from .ready import served_document
from .trainer_io import ModelFiles
from .trainer_plots import (
    TRAINER_WIDGETS, class_colours, confusion_figure, curve_figure, draw_confusion, empty_curves)

__all__ = ["TrainerView"]

#: How often the figures follow a running session, in milliseconds.
POLL_MS = 250

#: Grid points per axis of the decision regions.
GRID = 60

_SPEEDS = {"as fast as possible": 0.0, "100 epochs/s": 0.01, "30 epochs/s": 1 / 30, "10 epochs/s": 0.1,
           "2 epochs/s": 0.5}


class TrainerView(NodeView):
    """A :class:`~listenwidgets.nodes.Trainer` trained live: buttons, curves, regions, confusion, EWMA.

    - **Start / Pause / Step / Reset / Cancel** drive a
      :class:`~listenwidgets.nodes.TrainingSession` of the node (start
      continues a paused run; step trains one epoch; cancel stops, keeping
      the curves; reset forgets the network). Changing any knob resets the
      run (and restarts it if it was running).
    - Train (solid) and dev (dashed) **loss** and **accuracy** per epoch,
      streamed as the epochs finish.
    - The **decision regions** over two chosen features (the other features
      held at their training mean, as the title says) with the examples
      over them (○ train, △ dev, □ test).
    - The **confusion matrix** on the dev or test set.
    - The cost of every mini-batch and its **EWMA** with and without bias
      correction for the chosen ``beta``.
    - Bias and variance read in words, the optimizer's update rule with the
      current values.
    - **Download model** saves the network as trained so far (one ``.npz``);
      **Load model** makes a saved network the trainer's (its
      hyper-parameters become the knobs; it is drawn on the current data and
      can be trained on). A model of other features or classes is refused.

    Sources (by role): ``loss``, ``accuracy`` (``epoch``, ``train``, ``dev``),
    ``points`` (``x``, ``y``, ``colour``, ``marker``, ``label``),
    ``regions`` (``image``, ``x``, ``y``, ``dw``, ``dh``), ``confusion``,
    ``ewma`` (``step``, ``cost``, ``corrected``, ``uncorrected``).

    Parameters
    ----------
    node : listenwidgets.nodes.Trainer
        The trainer.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`; ``x_feature``,
        ``y_feature``, ``confusion_on``, ``beta``, ``speed``.
    """

    x_feature = param.Selector(default=None, objects=[], label="x feature",
                               doc="The feature across the decision-region plot.")
    y_feature = param.Selector(default=None, objects=[], label="y feature",
                               doc="The feature up the decision-region plot.")
    confusion_on = param.Selector(default="dev", objects=["dev", "test"], label="confusion matrix on",
                                  doc="Which held-out set the confusion matrix counts.")
    beta = param.Number(default=0.9, bounds=(0.0, 0.999), step=0.01, label="EWMA β", doc=(
        "β of the exponentially weighted average of the mini-batch cost, v_t = β v_{t−1} + (1 − β) θ_t "
        "(about 1 / (1 − β) batches averaged)."))
    speed = param.Selector(default=_SPEEDS["30 epochs/s"], objects=_SPEEDS, label="speed",
                           doc="The fastest the run goes, so that the curves can be watched.")

    display_knobs = ("speed", "x_feature", "y_feature", "confusion_on", "beta")

    knob_widgets = TRAINER_WIDGETS

    def __init__(self, node: Trainer, **kwargs):
        if not isinstance(node, Trainer):
            raise TypeError(f"TrainerView shows a Trainer, got node={node!r}")
        self.session = TrainingSession(node)
        self._poller = None
        self._restart = False
        super().__init__(node, **kwargs)
        self.session.epoch_seconds = self.speed
        self.param.watch(self._on_view_knob, ["x_feature", "y_feature", "confusion_on", "beta", "speed"])

    # ----------------------------------------------------------------- build
    def _build(self):
        buttons = {}
        for label, action, kind in (("▶ Start", self.start, "success"), ("⏸ Pause", self.pause, "warning"),
                                    ("⏭ Step", self.step, "primary"), ("↺ Reset", self.reset, "default"),
                                    ("✕ Cancel", self.cancel, "danger")):
            button = pn.widgets.Button(label=label, color=kind, width=100)
            button.on_click(lambda event, action=action: action())
            buttons[label.split()[1].lower()] = button
        self.buttons = buttons
        self._status = pn.pane.HTML("", sizing_mode="stretch_width", margin=(12, 10))
        self.files = ModelFiles(current=self._current_model, check=self._check_model, install=self._install_model,
                                filename=f"{self.node.name.partition('.')[0] or 'trainer'}-model.npz")
        loss_fig, self._loss = curve_figure(self, "loss", title="Cross-entropy loss",
                                            y_label="loss J (no L2 term)")
        acc_fig, self._accuracy = curve_figure(self, "accuracy", title="Accuracy", y_label="fraction correct")
        acc_fig.y_range = Range1d(0.0, 1.02)

        self._mapper = LinearColorMapper(palette=class_colours(2), low=-0.5, high=1.5)
        self._regions_fig = self._figure(title="Decision regions", x_label="", y_label="", height=360,
                                         tools="pan,wheel_zoom,reset,save", x_range=Range1d(0, 1),
                                         y_range=Range1d(0, 1), name=f"{self.node.name}.regions_figure")
        self._regions = self._source("regions", image=[], x=[], y=[], dw=[], dh=[])
        self._regions_fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self._regions,
                                color_mapper=self._mapper, global_alpha=0.3)
        self._points = self._source("points", x=[], y=[], colour=[], marker=[], label=[])
        self._regions_fig.scatter("x", "y", source=self._points, fill_color="colour", line_color="black",
                                  marker="marker", size=8, alpha=0.9, legend_field="label")
        self._regions_fig.legend.location = "top_left"

        self._confusion_fig, self._confusion = confusion_figure(self)

        ewma_fig = self._figure(title="Mini-batch cost and its exponentially weighted average",
                                x_label="step t (mini-batches)", y_label="cost J", height=240,
                                name=f"{self.node.name}.ewma_figure")
        self._ewma = self._source("ewma", step=[], cost=[], corrected=[], uncorrected=[])
        ewma_fig.scatter("step", "cost", source=self._ewma, color=PALETTE[2], size=2, alpha=0.5,
                         legend_label="cost θ_t of each mini-batch")
        ewma_fig.line("step", "uncorrected", source=self._ewma, color=PALETTE[1], line_width=2,
                      legend_label="v_t (no bias correction)")
        ewma_fig.line("step", "corrected", source=self._ewma, color=PALETTE[0], line_width=2,
                      legend_label="v_t / (1 − β^t) (bias-corrected)")
        self._ewma_fig = ewma_fig

        self._diagnosis = pn.pane.Markdown("", sizing_mode="stretch_width")
        self._rule = pn.pane.LaTeX("", renderer="mathjax", sizing_mode="stretch_width")
        self._rule_values = pn.pane.HTML("", sizing_mode="stretch_width")
        return [pn.Row(*buttons.values(), self._status, sizing_mode="stretch_width"), self.files,
                pn.Row(pn.pane.Bokeh(loss_fig, sizing_mode="stretch_width"),
                       pn.pane.Bokeh(acc_fig, sizing_mode="stretch_width"), sizing_mode="stretch_width"),
                self._diagnosis,
                pn.Row(pn.pane.Bokeh(self._regions_fig, sizing_mode="stretch_width"),
                       pn.pane.Bokeh(self._confusion_fig, sizing_mode="stretch_width"),
                       sizing_mode="stretch_width"),
                pn.pane.Bokeh(ewma_fig, sizing_mode="stretch_width"),
                pn.pane.HTML("<b>The update rule</b>", margin=(10, 10, 0, 10)), self._rule, self._rule_values]

    # --------------------------------------------------------------- actions
    def start(self) -> None:
        """Start (or continue) training in the session's worker thread."""
        if self.session.start():
            self._follow()
        self._draw_status()

    def pause(self) -> None:
        """Pause after the current epoch."""
        self.session.pause()
        self._draw_status("pausing…" if self.session.running else None)

    def step(self) -> None:
        """Train one epoch (in the worker thread)."""
        if self.session.state == "idle" or self.session.state == "paused":
            if self.session.start(epochs=1):
                self._follow()
        self._draw_status()

    def cancel(self) -> None:
        """Stop the run; its curves stay."""
        self.session.cancel()
        self._draw_status("cancelling…" if self.session.running else None)

    def reset(self) -> None:
        """Forget the network: empty curves, regions and matrix."""
        self.session.reset()
        self._clear()
        self._draw_status()

    # ---------------------------------------------------------- model files
    def _current_model(self):
        """The network as trained so far (the download)."""
        model = self.session.model()
        if model is None:
            raise ParameterError("no network yet: train it first (▶ Start or ⏭ Step)")
        return model

    def _check_model(self, model) -> None:
        """Refuse a loaded model that does not read this data set's features or know its classes."""
        source = self.node.examples
        examples = source.output if source is not None else None
        if examples is None:
            self.node.plan()          # raises why there are no examples
        model.check_fits(examples, same_classes=True)

    def _install_model(self, model, filename) -> None:
        """Make a loaded network the trainer's (its knobs too) and draw it; training can continue."""
        self.session.install(model)
        self._restart = False
        self._clear()             # the curves of the run before, when the knobs were already the model's
        self._prepared()

    # -------------------------------------------------------------- updating
    def refresh(self) -> None:
        """The knobs or the data changed: reset the run and draw the new examples.

        The examples are pulled (and split) in a worker thread when served.
        A run that was going on restarts with the new settings.
        """
        self._dirty = False
        self._restart = self._restart or self.session.running or self.session.state == "running"
        self.session.reset()
        self._clear()
        doc = served_document()
        if doc is not None:
            self._set_loading(True)

            def prepare():
                self.session.prepare()
                doc.add_next_tick_callback(self._prepared)

            threading.Thread(target=prepare, daemon=True, name=f"plan-{self.node.name}").start()
        else:
            self.session.prepare()
            self._prepared()

    def _prepared(self) -> None:
        self._set_loading(False)
        plan = self.session.plan
        error = self.session.error
        if plan is None and error is None:
            return   # reset again meanwhile: a newer preparation follows
        self._apply(plan, error)
        if plan is not None and self._restart:
            self._restart = False
            self.start()
        self._draw_status()

    def _draw(self, plan) -> None:
        examples = plan.examples
        names = list(examples.feature_names)
        if self.param["x_feature"].objects != names:
            self.param["x_feature"].objects = names
            self.param["y_feature"].objects = names
            self.param.update(x_feature=names[0], y_feature=names[1 % len(names)])
        n = len(examples.classes)
        self._mapper.update(palette=class_colours(n) if n > 1 else class_colours(2), low=-0.5, high=n - 0.5)
        self._draw_points()
        self._rule.object = f"$${UPDATE_RULES[self.node.optimizer]}$$"
        self._draw_progress()

    def _columns(self):
        """The plan and the column indices of the two chosen features (None while not chosen)."""
        plan = self.session.plan
        names = plan.examples.feature_names if plan is not None else []
        if self.x_feature not in names or self.y_feature not in names:
            return None
        return plan, names.index(self.x_feature), names.index(self.y_feature)

    def _draw_points(self) -> None:
        chosen = self._columns()
        if chosen is None:
            return
        plan, i, j = chosen
        examples = plan.examples
        colours = class_colours(len(examples.classes))
        markers = {"train": "circle", "dev": "triangle", "test": "square"}
        data = {"x": [], "y": [], "colour": [], "marker": [], "label": []}
        for part, idx in plan.parts.items():
            data["x"] += examples.X[idx, i].tolist()
            data["y"] += examples.X[idx, j].tolist()
            data["colour"] += [colours[c] for c in examples.y[idx]]
            data["marker"] += [markers[part]] * idx.size
            data["label"] += [examples.classes[c] for c in examples.y[idx]]
        self._points.data = data
        fig = self._regions_fig
        fig.xaxis.axis_label, fig.yaxis.axis_label = self.x_feature, self.y_feature
        others = len(examples.feature_names) - 2
        fig.title.text = f"Decision regions; the other {others} features held at their training mean"
        X = examples.X
        for rng, column in ((fig.x_range, i), (fig.y_range, j)):
            low, high = float(X[:, column].min()), float(X[:, column].max())
            pad = 0.05 * (high - low) or 1.0
            rng.update(start=low - pad, end=high + pad)

    def _clear(self) -> None:
        with pn.io.hold():
            self._loss.data = empty_curves()
            self._accuracy.data = empty_curves()
            self._regions.data = {"image": [], "x": [], "y": [], "dw": [], "dh": []}
            self._ewma.data = {"step": [], "cost": [], "corrected": [], "uncorrected": []}
            self._confusion.data = {"actual": [], "predicted": [], "count": [], "text": [], "alpha": []}
            self._diagnosis.object = ""

    def _follow(self) -> None:
        """Poll the running session on this session's event loop until it stops."""
        if self._poller is None:
            self._poller = pn.state.add_periodic_callback(self.poll, period=POLL_MS)

    def poll(self) -> None:
        """Copy the epochs trained since the last poll into the figures (the periodic callback)."""
        running = self.session.running
        with pn.io.hold():
            self._draw_progress()
            self._draw_status()
        if not running and self._poller is not None:
            self._poller.stop()
            self._poller = None
        pn.io.push_notebook(self._layout)

    def _draw_progress(self) -> None:
        shown = len(self._loss.data["epoch"])
        if self.session.epoch < shown:
            self._loss.data, self._accuracy.data = empty_curves(), empty_curves()
            shown = 0
        new = self.session.curves(since=shown)
        if not new["epoch"]:
            return
        epoch = np.asarray(new["epoch"], dtype=np.float64)
        self._loss.stream({"epoch": epoch, "train": np.asarray(new["train_loss"]),
                           "dev": np.asarray(new["dev_loss"])})
        self._accuracy.stream({"epoch": epoch, "train": np.asarray(new["train_accuracy"]),
                               "dev": np.asarray(new["dev_accuracy"])})
        self._draw_model()

    def _draw_model(self) -> None:
        """Regions, confusion matrix, EWMA, diagnosis and update rule of the network as it is now."""
        model, chosen = self.session.model(), self._columns()
        if model is None or chosen is None:
            return
        _, i, j = chosen
        xs, ys, P = self.session.decision_grid(i, j, n=GRID, model=model)
        step_x, step_y = xs[1] - xs[0], ys[1] - ys[0]
        self._regions.data = {"image": [np.argmax(P, axis=2).astype(np.float32)], "x": [xs[0] - step_x / 2],
                              "y": [ys[0] - step_y / 2], "dw": [xs[-1] - xs[0] + step_x],
                              "dh": [ys[-1] - ys[0] + step_y]}
        self._draw_confusion(model)
        self._draw_ewma()
        self._diagnosis.object = f"**Bias and variance:** {html.escape(self.session.diagnosis())}"
        self._rule_values.object = f"<p>{html.escape(self.session.describe())}</p>"

    def _draw_confusion(self, model=None) -> None:
        model = model or self.session.model()
        if model is None:
            return
        C = self.session.confusion(self.confusion_on, model=model)
        title = (f"{self.confusion_on.capitalize()} set: {np.trace(C)} of {C.sum()} right "
                 f"({100 * np.trace(C) / C.sum():.1f}%)" if C is not None
                 else f"No {self.confusion_on} set (its fraction is 0)")
        draw_confusion(self._confusion_fig, self._confusion, C, model.classes, title=title)

    def _draw_ewma(self) -> None:
        curves = self.session.smoothed_loss(beta=self.beta)
        stride = max(1, curves["step"].size // self.n_columns)
        self._ewma.data = {k: np.asarray(v[::stride], dtype=np.float64) for k, v in curves.items()}
        self._ewma_fig.title.text = (f"Mini-batch cost and its EWMA, β = {self.beta:g} (≈ {1 / (1 - self.beta):.0f} "
                                     "batches averaged)")

    def _draw_status(self, note: str | None = None) -> None:
        session = self.session
        text = f"<b>{note or session.state}</b> — epoch {session.epoch} of {session.epochs}"
        if session.message:
            text += f": {html.escape(session.message)}"
        colour = {"diverged": "#d62728", "failed": "#d62728", "finished": "#2ca02c"}.get(session.state, "#333")
        self._status.object = f"<span style='color:{colour}'>{text}</span>"
        if session.state == "diverged":
            self._error.object = f"**Diverged** — {session.message}"
        elif session.state == "failed" and session.error is not None:
            self._error.object = f"**Error** — {error_message(session.error)}"
        elif self._error.object.startswith("**Diverged**"):
            self._error.visible = False      # a new run after a diverged one
            return
        else:
            return
        self._error.visible = True

    def _on_view_knob(self, *events) -> None:
        names = {e.name for e in events}
        if "speed" in names:
            self.session.epoch_seconds = self.speed
        with pn.io.hold():
            if names & {"x_feature", "y_feature"}:
                self._draw_points()
                self._draw_model()
            elif "confusion_on" in names:
                self._draw_confusion()
            elif "beta" in names:
                self._draw_ewma()
        pn.io.push_notebook(self._layout)
