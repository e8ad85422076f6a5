"""Chapter 8: train a neural network on a Dataset's examples; chapter 9: classify new audio with it.

- :class:`Trainer` (kind ``"model"``): every hyper-parameter of
  :class:`~listenwidgets.dsp.mlp.MLP` and of the split is a knob; reading its
  output trains a network to the end (deterministic: the same knobs and data
  give the same :class:`Model`, so the engine's cache applies).
- :class:`TrainingSession`: the same training, epoch by epoch, that can be
  started (in a worker thread), paused, stepped, reset and cancelled while
  its curves stream to callbacks -- what the lab's trainer view drives.
- :class:`Predict` (kind ``"prediction"``): a trained :class:`Model` applied to
  a new signal through the same feature extraction.
- :class:`ExampleClip` (kind ``"signal"``): one clip of the dev or test set,
  to hear it and classify it again.
- :class:`ModelFile` (kind ``"model"``): a model saved with
  :meth:`Model.to_bytes` (one ``.npz``, no pickle), read back.

Training follows scikit-learn's estimator contract through
:class:`~listenwidgets.dsp.mlp.MLP` (maths in :mod:`listenwidgets.dsp`);
this module only plans, runs and reports.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import param

from .. import dsp
from ..dsp.datasets import Standardizer, confusion_matrix, train_dev_test_split
from ..dsp.mlp import MLP, History
from ..dsp.nn import ACTIVATIONS, INITS
from ..dsp.optim import OPTIMIZERS, ewma
from ..errors import ParameterError
from .data import Signal, _Record
from . import model_file
from .dataset import Examples, FeatureSettings, clip_features
from .engine import Input, Node, UpstreamError

__all__ = ["Trainer", "TrainingSession", "Model", "ModelFile", "Plan", "Predict", "Prediction", "ExampleClip",
           "parse_layers", "parse_activations", "diagnose", "UPDATE_RULES"]

#: The update rule of each optimizer, in LaTeX (``g = ∂J/∂θ``).
UPDATE_RULES = {
    "gd": r"\theta \leftarrow \theta - \alpha\, g",
    "momentum": r"v \leftarrow \beta_1 v + (1 - \beta_1)\, g, \qquad \theta \leftarrow \theta - \alpha v",
    "rmsprop": (r"s \leftarrow \beta_2 s + (1 - \beta_2)\, g^2, \qquad "
                r"\theta \leftarrow \theta - \alpha \frac{g}{\sqrt{s} + \varepsilon}"),
    "adam": (r"v \leftarrow \beta_1 v + (1-\beta_1) g,\ s \leftarrow \beta_2 s + (1-\beta_2) g^2,\ "
             r"\hat v = \frac{v}{1-\beta_1^t},\ \hat s = \frac{s}{1-\beta_2^t},\ "
             r"\theta \leftarrow \theta - \alpha \frac{\hat v}{\sqrt{\hat s} + \varepsilon}"),
}


def parse_layers(text: str) -> tuple[int, ...]:
    """Parse hidden layer sizes written as ``"64,32"`` (``""`` or ``"0"``: none, logistic regression).

    Examples
    --------
    >>> parse_layers("64, 32"), parse_layers("")
    ((64, 32), ())
    """
    text = text.strip()
    if text in ("", "0"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1 or max(sizes) > 4096:
        raise ParameterError(f"hidden_layer_sizes={text!r} must be whole numbers 1..4096 separated by "
                             f"commas, e.g. '64,32' (or '' for logistic regression)")
    return sizes


def parse_activations(text: str, n_layers: int) -> str | tuple[str, ...]:
    """Parse ``"relu"`` (every hidden layer) or ``"relu,tanh"`` (one per hidden layer)."""
    names = tuple(part.strip() for part in text.split(","))
    unknown = [n for n in names if n not in ACTIVATIONS]
    if unknown or (len(names) != 1 and len(names) != n_layers):
        raise ParameterError(f"activation={text!r} must be one of {', '.join(ACTIVATIONS)} for every "
                             f"hidden layer, or one per hidden layer ({n_layers}) separated by commas")
    return names[0] if len(names) == 1 else names


def diagnose(train_error: float, dev_error: float, *, tolerance: float = 0.05) -> str:
    """Read bias and variance from the train and dev errors, in words (the lecture's recipe).

    High **bias**: the training error itself is high (the model underfits).
    High **variance**: the dev error is much higher than the training error
    (it overfits). ``tolerance`` is the gap (as a fraction) that counts as high.

    Examples
    --------
    >>> diagnose(0.01, 0.11).split(':')[0]
    'high variance (overfitting)'
    """
    if math.isnan(train_error):
        return "no epoch trained yet"
    if math.isnan(dev_error):
        return (f"train error {100 * train_error:.1f}%; no dev set (dev = 0): bias can be read, variance "
                "cannot")
    errors = f"train error {100 * train_error:.1f}%, dev error {100 * dev_error:.1f}%"
    bias, variance = train_error > tolerance, dev_error - train_error > tolerance
    if bias and variance:
        return (f"high bias and high variance: {errors}. Train longer or use a bigger network first, "
                "then regularise")
    if bias:
        return (f"high bias (underfitting): {errors}. A bigger network, more epochs, a better learning "
                "rate or better features")
    if variance:
        return (f"high variance (overfitting): {errors}. More data, a larger l2, dropout or a smaller "
                "network")
    return f"low bias and low variance: {errors}"


@dataclass(frozen=True, eq=False)
class Plan(_Record):
    """Everything a training run needs: the split, the normalised data and the hyper-parameters.

    Attributes
    ----------
    examples : Examples
        The data set.
    parts : dict of str to np.ndarray
        Example indices of ``"train"``, ``"dev"`` and ``"test"``.
    mean, scale : np.ndarray [shape=(n_features,)]
        The normalisation ``(x − mean) / scale``, fitted on the training set
        (zeros and ones when ``normalise`` is off).
    hyper : dict
        The :class:`~listenwidgets.dsp.mlp.MLP` hyper-parameters.
    """

    examples: Examples
    parts: dict
    mean: np.ndarray
    scale: np.ndarray
    hyper: dict

    def data(self, part: str):
        """``(X, labels)`` of one part, normalised; labels are class names."""
        idx = self.parts[part]
        X = (self.examples.X[idx] - self.mean) / self.scale
        return X, np.asarray(self.examples.classes)[self.examples.y[idx]]

    def new_mlp(self) -> MLP:
        """An untrained network with these hyper-parameters."""
        return MLP(**self.hyper)


@dataclass(frozen=True, eq=False)
class Model(_Record):
    """A trained classifier and what it needs to classify new audio.

    Attributes
    ----------
    mlp : MLP
        The network (``mlp.classes_`` are the class names).
    mean, scale : np.ndarray [shape=(n_features,)]
        The input normalisation fitted on the training set.
    feature_names : list of str
    features : str
        The feature set of :func:`~listenwidgets.nodes.dataset.clip_features`.
    settings : FeatureSettings
        Its extraction settings.
    sr : float
        The sampling rate the features were measured at (new audio is resampled to it).
    plan : Plan or None
        The training run (split and data); None for a loaded model.
    """

    mlp: MLP
    mean: np.ndarray
    scale: np.ndarray
    feature_names: list
    features: str
    settings: FeatureSettings
    sr: float
    plan: Plan | None = field(default=None)

    @property
    def classes(self) -> list[str]:
        """The class names, in output order."""
        return [str(c) for c in self.mlp.classes_]

    @property
    def history(self) -> History:
        """Per-epoch train and dev loss and accuracy."""
        return self.mlp.history_

    def features_of(self, y, *, sr) -> np.ndarray:
        """The feature vector of a clip, resampled to :attr:`sr` first [shape=(n_features,)]."""
        y = np.asarray(y, dtype=np.float32)
        if sr != self.sr:
            y = dsp.resample(y, orig_sr=sr, target_sr=self.sr).astype(np.float32)
        return clip_features(y, sr=self.sr, features=self.features, settings=self.settings)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of raw (unnormalised) feature rows [shape=(n, n_classes)]."""
        return self.mlp.predict_proba((np.atleast_2d(X) - self.mean) / self.scale)

    def score(self, part: str = "test") -> float:
        """Accuracy on a part of the plan (NaN when it is empty)."""
        X, labels = self.plan.data(part)
        return float(np.mean(self.mlp.predict(X) == labels)) if labels.size else math.nan

    def confusion(self, part: str = "test"):
        """The confusion matrix ``C[i, j]`` = examples of class i predicted as j, on a part (None if empty)."""
        X, labels = self.plan.data(part)
        if labels.size == 0:
            return None
        classes = np.asarray(self.classes)
        return confusion_matrix(np.searchsorted(classes, labels), np.searchsorted(classes, self.mlp.predict(X)),
                                n_classes=classes.size)

    def to_bytes(self) -> bytes:
        """The model as the bytes of one ``.npz`` file: weights as arrays, the rest a JSON string; no pickle.

        The format is :mod:`listenwidgets.nodes.model_file`'s; :meth:`from_bytes`
        reads it back (the split and data of :attr:`plan` are not saved).

        Examples
        --------
        >>> from listenwidgets.nodes import Dataset, Model, Trainer
        >>> model = Trainer(examples=Dataset(n_per_class=10, features="spectral"), epochs=5).output
        >>> copy, X = Model.from_bytes(model.to_bytes()), model.plan.examples.X
        >>> bool((copy.predict_proba(X) == model.predict_proba(X)).all())
        True
        """
        return model_file.pack(mlp=self.mlp, mean=self.mean, scale=self.scale, feature_names=self.feature_names,
                               features=self.features, settings=self.settings, sr=self.sr)

    @classmethod
    def from_bytes(cls, data) -> Model:
        """Read a model from :meth:`to_bytes`'s bytes (``np.load(..., allow_pickle=False)``), checking them.

        Raises
        ------
        ParameterError
            Naming what is wrong with the file (see
            :func:`~listenwidgets.nodes.model_file.unpack`).
        """
        return cls(**model_file.unpack(data))

    def save(self, path) -> list[Path]:
        """Write :meth:`to_bytes` to ``<path>.npz`` (a trailing ``.npz`` or ``.json`` of ``path`` is dropped).

        Returns
        -------
        list of pathlib.Path
            The file written.
        """
        target = _npz_path(path)
        target.write_bytes(self.to_bytes())
        return [target]

    @classmethod
    def load(cls, path) -> Model:
        """Read a model written by :meth:`save` (the base name or the ``.npz``)."""
        try:
            data = _npz_path(path).read_bytes()
        except OSError as exc:
            raise ParameterError(f"cannot read a saved model at path={str(path)!r}: {exc}") from exc
        return cls.from_bytes(data)

    def check_fits(self, examples: Examples, *, same_classes: bool = False) -> None:
        """Refuse (raise) unless this model reads the feature vectors of ``examples``.

        Parameters
        ----------
        examples : Examples
            A data set.
        same_classes : bool
            Also require the same class names (to score the model on the data).

        Raises
        ------
        ParameterError
            Naming both feature sets (or both class lists).
        """
        mine, theirs = list(self.feature_names), list(examples.feature_names)
        if mine != theirs:
            what = "other" if len(mine) == len(theirs) else f"{len(theirs)}"
            raise ParameterError(
                f"the model takes {len(mine)} features ({self.features}; {self.settings.describe()}) but the "
                f"data set gives {what} features ({examples.features}; {examples.settings.describe()}): choose "
                "the same feature set and MFCC settings, or train a new model")
        if same_classes and self.classes != list(examples.classes):
            raise ParameterError(f"the model's classes ({', '.join(self.classes)}) are not the data set's "
                                 f"({', '.join(examples.classes)})")


def _npz_path(path) -> Path:
    base = Path(path)
    base = base.with_suffix("") if base.suffix in (".npz", ".json") else base
    return base.with_name(base.name + ".npz")


class Trainer(Node):
    """A multilayer perceptron trained on a Dataset's examples.

    The examples are split into train, dev and test sets (stratified, or with
    one ``holdout_group`` as the test set), normalised with the training set's
    mean and standard deviation, and fed to
    :class:`~listenwidgets.dsp.mlp.MLP`, which minimises

    ``J = −(1/m) Σ_i Σ_k y_ik log ŷ_ik + (λ / 2m) Σ_l ||W_l||²``

    by mini-batch gradient descent, momentum, RMSprop or Adam. Reading
    :attr:`output` trains to the end; :class:`TrainingSession` does the same
    epoch by epoch, off the event loop. A diverging run is an error whose
    message names ``learning_rate``.
    """

    kind = "model"
    formula = (r"J(W, b) = -\frac{1}{m}\sum_{i=1}^{m}\sum_k y_{ik} \log \hat y_{ik}"
               r" + \frac{\lambda}{2m}\sum_l \lVert W^{[l]} \rVert_F^2, \qquad "
               r"a^{[l]} = g^{[l]}(W^{[l]\top} a^{[l-1]} + b^{[l]})")
    cache_size = 4

    examples = Input(kinds=("examples",), doc="The labelled examples (a Dataset node).")
    hidden_layer_sizes = param.String(default="32", doc=(
        "Units of each hidden layer, comma separated ('64,32'); '' is logistic regression σ(wᵀx + b)."))
    activation = param.String(default="relu", doc=(
        "Hidden activation: sigmoid, tanh, relu or leaky_relu for every layer, or one per layer "
        "('relu,tanh')."))
    slope = param.Number(default=0.01, bounds=(0.0, 1.0), softbounds=(0.0, 0.3), step=0.01,
                         doc="Negative-side slope of leaky_relu.")
    init = param.Selector(default="xavier", objects=list(INITS),
                          doc="Weight initialisation: Glorot/Xavier (tanh, sigmoid) or He (ReLU).")
    optimizer = param.Selector(default="adam", objects=list(OPTIMIZERS),
                               doc="Update rule: gradient descent, momentum, RMSprop or Adam.")
    learning_rate = param.Number(default=0.01, bounds=(0.0, 100.0), inclusive_bounds=(False, True),
                                 softbounds=(0.0001, 1.0), step=0.0001, doc="Learning rate α.")
    beta1 = param.Number(default=0.9, bounds=(0.0, 1.0), inclusive_bounds=(True, False),
                         softbounds=(0.0, 0.99), step=0.01, doc="β₁ of momentum and Adam (first moment).")
    beta2 = param.Number(default=0.999, bounds=(0.0, 1.0), inclusive_bounds=(True, False),
                         softbounds=(0.5, 0.9999), step=0.0001, doc="β₂ of RMSprop and Adam (second moment).")
    epsilon = param.Number(default=1e-8, bounds=(0.0, 1.0), inclusive_bounds=(False, True),
                           softbounds=(1e-10, 1e-4), doc="ε of RMSprop and Adam (avoids dividing by 0).")
    batch_size = param.Integer(default=32, allow_None=True, bounds=(1, 65536), softbounds=(1, 256),
                               doc="Examples per mini-batch (None: the whole training set, batch "
                                   "gradient descent).")
    epochs = param.Integer(default=100, bounds=(1, 100000), softbounds=(1, 1000),
                           doc="Passes over the training set.")
    l2 = param.Number(default=1e-4, bounds=(0.0, None), softbounds=(0.0, 1.0), step=0.0001,
                      doc="λ of the L2 penalty (weight decay).")
    dropout = param.Number(default=0.0, bounds=(0.0, 1.0), inclusive_bounds=(True, False),
                           softbounds=(0.0, 0.8), step=0.05,
                           doc="Probability of dropping each hidden unit while training.")
    shuffle = param.Boolean(default=True, doc="Reshuffle the mini-batches every epoch.")
    normalise = param.Boolean(default=True, doc=(
        "Standardise every feature, (x − μ) / σ with μ and σ of the training set."))
    dev = param.Number(default=0.2, bounds=(0.0, 0.9), softbounds=(0.0, 0.4), step=0.05,
                       doc="Fraction of the examples in the dev (validation) set.")
    test = param.Number(default=0.2, bounds=(0.0, 0.9), softbounds=(0.0, 0.4), step=0.05,
                        doc="Fraction of the examples in the test set (unused with a holdout_group).")
    holdout_group = param.String(default="", doc=(
        "A group (voice, register, timbre...) whose examples are all the test set: does the "
        "model generalise to it? '' for a random stratified test set."))
    seed = param.Integer(default=0, bounds=(0, None), softbounds=(0, 100),
                         doc="Seeds the split, the weights, the shuffling and the dropout masks.")

    def compute(self, examples):
        plan = self.plan(examples)
        mlp = plan.new_mlp()
        X, labels = plan.data("train")
        X_dev, dev_labels = plan.data("dev")
        dev = {"X_dev": X_dev, "y_dev": dev_labels} if dev_labels.size else {}
        mlp.fit(X, labels, **dev)
        if mlp.diverged_ is not None:
            raise ParameterError(mlp.diverged_)
        return _model(plan, mlp)

    def plan(self, examples: Examples | None = None) -> Plan:
        """Split and normalise the examples with the current knobs (cheap; no training).

        Parameters
        ----------
        examples : Examples, optional
            Default: the output of the connected Dataset (computed if stale).

        Raises
        ------
        ParameterError
            For a bad knob (``hidden_layer_sizes='6x'``), a group that does not
            exist, or a class left without training examples.
        UpstreamError
            When the Dataset failed.
        """
        if examples is None:
            if self.examples is None:
                raise ParameterError("the Trainer has no examples: connect a Dataset (examples=None)")
            if self.examples.error is not None:
                raise UpstreamError(self.examples.name, self.examples.error)
            examples = self.examples.output
        hyper = self.hyper_parameters()
        parts = self._split(examples)
        train = examples.X[parts["train"]]
        if self.normalise:
            scaler = Standardizer().fit(train)
            mean, scale = scaler.mean_, scaler.scale_
        else:
            mean, scale = np.zeros(train.shape[1]), np.ones(train.shape[1])
        return Plan(examples=examples, parts=parts, mean=mean, scale=scale, hyper=hyper)

    def hyper_parameters(self) -> dict:
        """The :class:`~listenwidgets.dsp.mlp.MLP` arguments the knobs give (checked)."""
        hidden = parse_layers(self.hidden_layer_sizes)
        return {"hidden_layer_sizes": hidden, "activation": parse_activations(self.activation, len(hidden)),
                "slope": self.slope, "init": self.init, "optimizer": self.optimizer,
                "learning_rate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon, "batch_size": self.batch_size, "epochs": self.epochs, "l2": self.l2,
                "dropout": self.dropout, "shuffle": self.shuffle, "seed": self.seed}

    def _split(self, examples):
        index = np.arange(examples.y.size, dtype=np.float64)[:, None]
        groups = np.asarray(examples.groups)
        if self.holdout_group:
            if self.holdout_group not in set(examples.groups):
                known = ", ".join(sorted(set(examples.groups)))
                raise ParameterError(f"holdout_group={self.holdout_group!r} is not a group of this corpus; "
                                     f"its groups are {known}")
            rest = np.flatnonzero(groups != self.holdout_group)
            split = train_dev_test_split(index[rest], examples.y[rest], dev=self.dev, test=0.0, seed=self.seed)
            parts = {"train": split.X_train, "dev": split.X_dev,
                     "test": np.flatnonzero(groups == self.holdout_group)[:, None]}
        else:
            if self.dev + self.test >= 1.0:
                raise ParameterError(f"dev + test must leave a training set, got dev={self.dev}, test={self.test}")
            split = train_dev_test_split(index, examples.y, dev=self.dev, test=self.test, seed=self.seed)
            parts = {"train": split.X_train, "dev": split.X_dev, "test": split.X_test}
        parts = {k: np.asarray(v[:, 0], dtype=np.int64) for k, v in parts.items()}
        missing = sorted(set(range(len(examples.classes))) - set(examples.y[parts["train"]].tolist()))
        if missing:
            names = ", ".join(examples.classes[c] for c in missing)
            raise ParameterError(f"no training example of class {names} is left (holdout_group="
                                 f"{self.holdout_group!r}, dev={self.dev}): the network cannot learn it")
        return parts

    def describe(self):
        try:
            hyper = self.hyper_parameters()
        except ParameterError as exc:
            return str(exc)
        examples = self.examples.output if self.examples is not None else None
        n_x = str(examples.X.shape[1]) if examples is not None else "n_x"
        n_out = ("1 sigmoid" if len(examples.classes) == 2 else f"{len(examples.classes)} softmax") \
            if examples is not None else "output"
        acts = hyper["activation"]
        layers = " → ".join(f"{n} {acts if isinstance(acts, str) else acts[i]}"
                            for i, n in enumerate(hyper["hidden_layer_sizes"]))
        batch = "the whole training set" if self.batch_size is None else f"{self.batch_size}"
        return (f"network {n_x} → {layers + ' → ' if layers else ''}{n_out}; {self.optimizer} with "
                f"α = {self.learning_rate:g}, mini-batches of {batch}, {self.epochs} epochs, λ = {self.l2:g}, "
                f"dropout {self.dropout:g}")


def _model(plan: Plan, mlp: MLP) -> Model:
    examples = plan.examples
    return Model(mlp=mlp, mean=plan.mean, scale=plan.scale, feature_names=list(examples.feature_names),
                 features=examples.features, settings=examples.settings, sr=examples.sr, plan=plan)


class TrainingSession:
    """Train a :class:`Trainer`'s network epoch by epoch: start, pause, step, reset, cancel.

    ``start()`` trains in a worker thread until the trainer's ``epochs`` are
    done (or it is paused, cancelled or diverges); ``step()`` trains one epoch
    in the calling thread; ``run()`` trains to the end in the calling thread
    (the same network as ``trainer.output``: same plan, same seeds). After
    every epoch each ``on_epoch`` callback is called from the training thread
    with ``(session, epoch)``; after every change of :attr:`state` each
    ``on_state`` callback with ``(session, state)``. A view should copy what
    it needs (:meth:`curves`) and draw on its own event loop.

    States: ``"idle"`` (nothing trained), ``"running"``, ``"paused"``,
    ``"finished"``, ``"diverged"`` (:attr:`message` says why and names
    ``learning_rate``), ``"cancelled"``, ``"failed"`` (the plan could not be
    made: :attr:`message`).

    Parameters
    ----------
    trainer : Trainer
        Whose knobs and examples to train with (read when the run starts).
    epoch_seconds : float >= 0
        The shortest time an epoch takes in :meth:`start` (0: as fast as
        possible), so that a learner can watch the curves move.
    """

    STATES = ("idle", "running", "paused", "finished", "diverged", "cancelled", "failed")

    def __init__(self, trainer: Trainer, *, epoch_seconds: float = 0.0):
        self.trainer = trainer
        self.epoch_seconds = epoch_seconds
        self.on_epoch: list = []
        self.on_state: list = []
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._halt_state = "paused"
        self._thread = None
        self._generation = 0
        self._plan = None
        self._mlp = None
        self.state = "idle"
        self.message = ""
        self.error = None

    # ---------------------------------------------------------------- state
    @property
    def plan(self) -> Plan | None:
        """The current run's split and data (None before :meth:`prepare`)."""
        return self._plan

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        with self._lock:
            return self._mlp.n_iter_ if self._mlp is not None and "n_iter_" in vars(self._mlp) else 0

    @property
    def epochs(self) -> int:
        """Epochs of a full run."""
        return self._plan.hyper["epochs"] if self._plan is not None else self.trainer.epochs

    @property
    def running(self) -> bool:
        """True while a worker thread trains."""
        return self._thread is not None and self._thread.is_alive()

    def _set_state(self, state, message="", generation=None):
        if generation is not None and generation != self._generation:
            return   # a run that was reset meanwhile: its news is stale
        self.state, self.message = state, message
        for callback in list(self.on_state):
            callback(self, state)

    # -------------------------------------------------------------- control
    def prepare(self) -> Plan | None:
        """Make the plan (pulls the examples: may take a while); the state is ``"failed"`` if it cannot."""
        return self._prepare(self._generation)

    def _prepare(self, generation):
        with self._lock:
            if self._plan is not None:
                return self._plan
        try:
            plan = self.trainer.plan()
        except (ParameterError, UpstreamError) as exc:
            if generation == self._generation:
                self.error = exc
            self._set_state("failed", _message(exc), generation)
            return None
        with self._lock:
            if generation != self._generation:
                return None
            if self._plan is None:
                self._plan = plan
            return self._plan

    def step(self) -> bool:
        """Train one epoch in this thread; return False when nothing more can be trained."""
        if self.running or self.state in ("finished", "diverged", "cancelled", "failed"):
            return False
        generation = self._generation
        if self._prepare(generation) is None:
            return False
        trained = self._epoch(generation)
        if trained and self.state == "idle":
            self._set_state("paused")
        return trained

    def run(self) -> str:
        """Train to the end in this thread; return the final state."""
        while self.step():
            pass
        return self.state

    def start(self, *, epochs: int | None = None) -> bool:
        """Train in a worker thread: to the end, or ``epochs`` more; return False if it cannot start.

        A finished, diverged, cancelled or failed run starts again from scratch.
        """
        if self.running:
            return False
        if self.state in ("finished", "diverged", "cancelled", "failed"):
            self.reset()
        stop = self._stop = threading.Event()
        self._halt_state = "paused"
        self._set_state("running")
        self._thread = threading.Thread(target=self._loop, args=(stop, epochs, self._generation),
                                        daemon=True, name=f"train-{self.trainer.name}")
        self._thread.start()
        return True

    def pause(self) -> None:
        """Stop after the current epoch; :meth:`start` or :meth:`step` continue the same run.

        Returns at once; the state becomes ``"paused"`` when the worker stops (:meth:`join`).
        """
        self._halt("paused")

    def cancel(self) -> None:
        """Stop after the current epoch; the curves stay, a new start begins from scratch."""
        self._halt("cancelled")

    def reset(self) -> None:
        """Stop, forget the network and the plan (the trainer's knobs are read again)."""
        self._stop.set()
        with self._lock:
            self._generation += 1
            self._plan = self._mlp = None
            self.error = None
        self._thread = None
        self._set_state("idle")

    def install(self, model: Model) -> Plan:
        """Continue from a trained network (e.g. a loaded one): its hyper-parameters become the knobs.

        The network becomes this session's, on the examples' current split;
        the run is reset first. Afterwards the state is ``"paused"`` (``"finished"``
        when the network has had its ``epochs``): :meth:`start` or :meth:`step`
        train it on; the curves so far are the network's own history. The
        model keeps its own normalisation ``mean`` and ``scale``.

        Parameters
        ----------
        model : Model
            E.g. :meth:`Model.from_bytes` of a downloaded model.

        Returns
        -------
        Plan
            The split of the current examples with the model's normalisation.

        Raises
        ------
        ParameterError
            When the examples have other features or classes than the model
            (:meth:`Model.check_fits`), or its hyper-parameters are outside the
            trainer's knobs; nothing changes then.
        UpstreamError
            When the Dataset failed.
        """
        hyper = model.mlp.get_params()
        knobs = {**self.trainer.knobs(), **_knobs_of(hyper)}
        try:
            planner = Trainer(**knobs)      # checks every value before the trainer changes
        except ValueError as exc:
            raise ParameterError(f"the model's hyper-parameters do not fit the trainer's knobs: {exc}") from None
        examples = self.trainer.examples.output if self.trainer.examples is not None else None
        if examples is None:
            self.trainer.plan()          # raises why there are no examples
        model.check_fits(examples, same_classes=True)
        plan = replace(planner.plan(examples), mean=model.mean, scale=model.scale, hyper=hyper)
        self.reset()
        self.trainer.param.update(**knobs)
        with self._lock:
            self._generation += 1
            self._plan, self._mlp = plan, MLP.from_dict(model.mlp.to_dict())
            epochs = self._mlp.n_iter_
        done = epochs >= hyper["epochs"]
        self._set_state("finished" if done else "paused", f"a loaded network, {epochs} epochs trained")
        return plan

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread (for tests and notebooks)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _halt(self, state):
        if self.running:
            self._halt_state = state
            self._stop.set()
        elif self.state == "paused" and state == "cancelled":
            self._set_state("cancelled")

    def _loop(self, stop, epochs, generation):
        if self._prepare(generation) is None:
            return
        done = 0
        while not stop.is_set() and (epochs is None or done < epochs):
            if not self._epoch(generation) or self.state != "running":
                return
            done += 1
            if self.epoch_seconds > 0:
                stop.wait(self.epoch_seconds)
        self._set_state(self._halt_state if stop.is_set() else "paused", generation=generation)

    def _epoch(self, generation) -> bool:
        """One epoch of the current run; sets the state when it ends. False if nothing was trained."""
        with self._lock:
            plan = self._plan
            if generation != self._generation or plan is None:
                return False
            if self._mlp is None:
                self._mlp = plan.new_mlp()
            X, labels = plan.data("train")
            X_dev, dev_labels = plan.data("dev")
            dev = {"X_dev": X_dev, "y_dev": dev_labels} if dev_labels.size else {}
            self._mlp.partial_fit(X, labels, classes=np.asarray(plan.examples.classes), **dev)
            epoch, diverged = self._mlp.n_iter_, self._mlp.diverged_
        for callback in list(self.on_epoch):
            callback(self, epoch)
        if diverged is not None:
            self._set_state("diverged", diverged, generation)
        elif epoch >= plan.hyper["epochs"]:
            self._set_state("finished", "", generation)
        return True

    # -------------------------------------------------------------- reading
    def model(self) -> Model | None:
        """The network as trained so far, as a :class:`Model` (None before the first epoch).

        The network is a copy: training on does not change it.
        """
        with self._lock:
            if self._mlp is None or "params_" not in vars(self._mlp):
                return None
            return _model(self._plan, MLP.from_dict(self._mlp.to_dict()))

    def curves(self, since: int = 0) -> dict:
        """The per-epoch curves from epoch ``since`` on (copies), with an ``epoch`` column (1-based)."""
        with self._lock:
            if self._mlp is None or "history_" not in vars(self._mlp):
                return {"epoch": [], "train_loss": [], "train_accuracy": [], "dev_loss": [], "dev_accuracy": []}
            h = self._mlp.history_.to_dict()
        out = {k: v[since:] for k, v in h.items()}
        out["epoch"] = list(range(since + 1, since + 1 + len(out["train_loss"])))
        return out

    def smoothed_loss(self, *, beta: float) -> dict:
        """The cost of every mini-batch and its exponentially weighted averages.

        ``v_t = β v_{t−1} + (1 − β) θ_t`` (``v_0 = 0``), with and without the bias
        correction ``v_t / (1 − β^t)`` (:func:`listenwidgets.dsp.optim.ewma`).

        Returns
        -------
        dict
            ``step`` (1-based), ``cost``, ``corrected``, ``uncorrected``: arrays.
        """
        with self._lock:
            costs = list(self._mlp.batch_loss_curve_) if self._mlp is not None and \
                "batch_loss_curve_" in vars(self._mlp) else []
        costs = np.asarray(costs, dtype=np.float64)
        return {"step": np.arange(1, costs.size + 1), "cost": costs,
                "corrected": ewma(costs, beta=beta, bias_correction=True),
                "uncorrected": ewma(costs, beta=beta, bias_correction=False)}

    def decision_grid(self, x_feature: int, y_feature: int, *, n: int = 60, model: Model | None = None):
        """Class probabilities over a grid of two features, every other feature at its training mean.

        Parameters
        ----------
        x_feature, y_feature : int
            Feature columns of the examples.
        n : int > 1
            Grid points per axis.
        model : Model, optional
            Default: :meth:`model`.

        Returns
        -------
        (xs, ys, P) or None
            ``xs, ys`` [shape=(n,)] the grid in the features' own units (the
            range of the examples plus 5%), ``P`` [shape=(n, n, n_classes)]
            with ``P[j, i]`` at ``(xs[i], ys[j])``. None before the first epoch.
        """
        model = model or self.model()
        if model is None:
            return None
        X = model.plan.examples.X
        axes = []
        for column in (x_feature, y_feature):
            low, high = float(X[:, column].min()), float(X[:, column].max())
            pad = 0.05 * (high - low) or 1.0
            axes.append(np.linspace(low - pad, high + pad, n))
        xs, ys = axes
        grid = np.tile(X[model.plan.parts["train"]].mean(axis=0), (n * n, 1))
        gx, gy = np.meshgrid(xs, ys)
        grid[:, x_feature], grid[:, y_feature] = gx.ravel(), gy.ravel()
        P = model.predict_proba(grid)
        return xs, ys, P.reshape(n, n, -1)

    def confusion(self, part: str = "test", *, model: Model | None = None):
        """The confusion matrix ``C[i, j]`` = examples of class i predicted as j, on a part (None if empty)."""
        model = model or self.model()
        return model.confusion(part) if model is not None else None

    def diagnosis(self) -> str:
        """Bias and variance in words from the last epoch's train and dev accuracy (:func:`diagnose`)."""
        curves = self.curves()
        if not curves["epoch"]:
            return diagnose(math.nan, math.nan)
        return diagnose(1.0 - curves["train_accuracy"][-1], 1.0 - curves["dev_accuracy"][-1])

    def describe(self) -> str:
        """The optimizer's update with the current values (t, α, β₁, β₂ and Adam's bias corrections)."""
        with self._lock:
            mlp = self._mlp
            t = mlp.t_ if mlp is not None and "t_" in vars(mlp) else 0
        tr = self.trainer
        text = f"{tr.optimizer} after t = {t} steps: α = {tr.learning_rate:g}"
        if tr.optimizer in ("momentum", "adam"):
            text += f", β₁ = {tr.beta1:g}"
        if tr.optimizer in ("rmsprop", "adam"):
            text += f", β₂ = {tr.beta2:g}, ε = {tr.epsilon:g}"
        if tr.optimizer == "adam" and t > 0:
            text += (f"; bias corrections 1 − β₁ᵗ = {1 - tr.beta1 ** t:.4f}, "
                     f"1 − β₂ᵗ = {1 - tr.beta2 ** t:.4f}")
        return text


def _knobs_of(hyper: dict) -> dict:
    """The Trainer knobs that give the MLP hyper-parameters ``hyper`` (the inverse of ``hyper_parameters``)."""
    knobs = {k: v for k, v in hyper.items() if k not in ("hidden_layer_sizes", "activation")}
    activation = hyper["activation"]
    knobs["hidden_layer_sizes"] = ",".join(str(n) for n in hyper["hidden_layer_sizes"])
    knobs["activation"] = activation if isinstance(activation, str) else ",".join(activation)
    return knobs


def _message(exc: BaseException) -> str:
    while isinstance(exc, UpstreamError):
        exc = exc.cause
    return str(exc)


@dataclass(frozen=True, eq=False)
class Prediction(_Record):
    """A trained model's answer for one clip.

    Attributes
    ----------
    probabilities : np.ndarray [shape=(n_classes,)]
        ``P(class | clip)``, summing to 1.
    classes : list of str
    x : np.ndarray [shape=(n_features,)]
        The clip's feature vector.
    feature_names : list of str
    signal : Signal
        The clip (at its own rate).
    """

    probabilities: np.ndarray
    classes: list
    x: np.ndarray
    feature_names: list
    signal: Signal

    @property
    def label(self) -> str:
        """The most probable class."""
        return self.classes[int(np.argmax(self.probabilities))]


class Predict(Node):
    """Classify a new signal: the same features as the training examples, then the trained network.

    ``ŷ = softmax(f(W, (x − μ) / σ))``, ``x`` the clip's feature vector
    (:func:`~listenwidgets.nodes.dataset.clip_features` with the examples'
    settings, after resampling to their rate).
    """

    kind = "prediction"
    formula = r"\hat{y} = f_{W}\!\left(\frac{x - \mu}{\sigma}\right), \qquad \hat{c} = \arg\max_k \hat{y}_k"

    model = Input(kinds=("model",), doc="The trained classifier (a Trainer node).")
    source = Input(kinds=("signal",), doc="The new audio to classify.")

    def compute(self, model, source):
        if model is None or source is None:
            raise ParameterError("Predict needs a model and a source (model=None or source=None)")
        x = model.features_of(source.y, sr=source.sr)
        if not np.all(np.isfinite(x)):
            raise ParameterError(f"the features of {source.label or 'this clip'} are not finite "
                                 "(a silent clip?); classify another clip")
        P = model.predict_proba(x)[0]
        return Prediction(probabilities=P, classes=model.classes, x=x, feature_names=model.feature_names,
                          signal=source)

    def describe(self):
        out = self.output
        if out is None:
            return "ĉ = argmax_k ŷ_k"
        k = int(np.argmax(out.probabilities))
        return (f"{out.signal.label or 'the clip'} → ĉ = {out.classes[k]} with ŷ = "
                f"{out.probabilities[k]:.3f} (of {len(out.classes)} classes)")


class ExampleClip(Node):
    """One clip the model was not trained on, from its dev or test set, with its true class."""

    kind = "signal"
    formula = r"y_i,\ i \in \mathcal{D}_{\mathrm{test}}"

    model = Input(kinds=("model",), doc="The trained classifier whose split is used.")
    part = param.Selector(default="test", objects=["test", "dev", "train"],
                          doc="Which part of the split to pick the clip from.")
    index = param.Integer(default=0, bounds=(0, None), softbounds=(0, 50),
                          doc="Which clip of that part (wraps around).")

    def compute(self, model):
        if model is None or model.plan is None:
            raise ParameterError("ExampleClip needs a trained model with its split (model=None)")
        idx = model.plan.parts[self.part]
        if idx.size == 0:
            raise ParameterError(f"part={self.part!r} is empty: set the Trainer's {self.part} above 0")
        examples = model.plan.examples
        i = int(idx[self.index % idx.size])
        return Signal(y=examples.clips[i], sr=examples.sr,
                      label=f"{examples.names[i]} (true class: {examples.classes[examples.y[i]]})")

    def describe(self):
        out = self.output
        return out.label if out is not None else "a held-out clip"


class ModelFile(Node):
    """A trained classifier read from a saved model file (:meth:`Model.to_bytes`), e.g. an upload.

    Wire it to :class:`Predict` in place of a :class:`Trainer` to classify new
    audio with a model trained elsewhere. A file that is not a model, or a
    damaged one, is the node's error, naming what is wrong.
    """

    kind = "model"
    formula = r"\{W^{[l]}, b^{[l]}\},\ \mu,\ \sigma \leftarrow \text{model.npz}"

    data = param.Bytes(default=None, allow_None=True, precedence=-1,
                       doc="The bytes of a saved model (.npz written by Model.to_bytes or 'Download model').")
    filename = param.String(default="", doc="Name of the model file (shown in labels).")

    def compute(self):
        if not self.data:
            raise ParameterError("no model file loaded (data=None): load a .npz saved with 'Download model'")
        return Model.from_bytes(self.data)

    def describe(self):
        out = self.output
        if out is None:
            return "no model loaded"
        hidden = out.mlp.get_params()["hidden_layer_sizes"]
        layers = " → ".join(str(n) for n in (len(out.feature_names), *hidden))
        return (f"{self.filename or 'a model file'}: network {layers} → {len(out.classes)} classes "
                f"({out.features} features; classes "
                f"{', '.join(out.classes)}), {len(out.history.train_loss)} epochs trained")
