"""Chapter 8, the trainer's estimator: a multilayer perceptron classifier in numpy.

:class:`MLP` follows scikit-learn's estimator contract (and TensorFlow
Playground's split: the maths is :mod:`listenwidgets.dsp.nn` and
:mod:`listenwidgets.dsp.optim`, the state is here, the UI elsewhere):

- every constructor argument is a keyword-only attribute stored as given and
  checked when training starts (:meth:`MLP.get_params`, :meth:`MLP.set_params`);
- learned state ends in an underscore (``params_``, ``classes_``,
  ``n_iter_``, ``t_``, ``loss_curve_``, ``history_``, ``diverged_``, ...);
- :meth:`MLP.fit`, :meth:`MLP.partial_fit` and :meth:`MLP.step` return
  ``self``; :meth:`MLP.reset` clears the learned state.

Training never raises for a diverging run: when the loss becomes NaN/Inf or
blows up (:func:`listenwidgets.dsp.optim.divergence`), training stops,
``diverged_`` holds a message that names ``learning_rate``, and the trainer
shows it. Bad *arguments* and bad *data* (one class, NaN features,
mismatched shapes, unknown names) raise
:class:`~listenwidgets.errors.ParameterError` at once.

Saving uses no pickle: :meth:`MLP.save` writes ``<path>.npz`` (the weight
arrays and optimizer moments, loadable with ``np.load(..., allow_pickle=False)``)
and ``<path>.json`` (hyper-parameters, classes, curves, counters);
:meth:`MLP.to_dict` gives the same content as one JSON-friendly dict.
"""

import inspect
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..errors import ParameterError
from ._checks import check_choice, check_int, check_real, short_repr
from .datasets import _check_two_classes, check_features, check_labels, one_hot
from .nn import ACTIVATIONS, INITS, _backward, _cross_entropy, _forward, _penalty, init_params
from .optim import OPTIMIZERS, _divergence, _open_beta, make_optimizer, minibatches

__all__ = ["History", "MLP"]

#: A run has diverged when the last _DIVERGENCE_WINDOW mini-batch costs all
#: exceed _DIVERGENCE_FACTOR times the first one (or a cost is NaN/Inf).
_DIVERGENCE_FACTOR = 10.0
_DIVERGENCE_WINDOW = 5

_FORMAT = "listenwidgets.dsp.mlp.MLP"
_VERSION = 1


@dataclass
class History:
    """Per-epoch learning curves, one entry per epoch (index ``e`` is epoch ``e + 1``).

    ``train_loss`` and ``train_accuracy`` are averaged over the epoch's
    mini-batches as they were trained on (training mode: with dropout, the
    weights changing during the epoch -- as Keras reports them; free to
    compute). ``dev_loss`` and ``dev_accuracy`` are measured on the dev set
    after the epoch, in inference mode; NaN for an epoch trained without one.
    Both losses are the cross-entropy alone (no L2 term), so the two curves
    can be compared: a low train loss with a high dev loss is variance
    (over-fitting), both high is bias. (The regularised cost the optimizer
    minimises is :attr:`MLP.loss_curve_`.)

    Attributes
    ----------
    train_loss, train_accuracy, dev_loss, dev_accuracy : list of float [shape=(n_epochs,)]

    Examples
    --------
    >>> from listenwidgets.dsp.mlp import History
    >>> h = History()
    >>> h.append(train_loss=0.7, train_accuracy=0.5)
    >>> h.to_dict()
    {'train_loss': [0.7], 'train_accuracy': [0.5], 'dev_loss': [nan], 'dev_accuracy': [nan]}
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    dev_loss: list = field(default_factory=list)
    dev_accuracy: list = field(default_factory=list)

    def append(self, *, train_loss, train_accuracy, dev_loss=math.nan, dev_accuracy=math.nan):
        """Record one epoch."""
        self.train_loss.append(float(train_loss))
        self.train_accuracy.append(float(train_accuracy))
        self.dev_loss.append(float(dev_loss))
        self.dev_accuracy.append(float(dev_accuracy))

    def to_dict(self):
        """Return ``{name: list of float}`` (a copy; JSON-friendly, NaN written as ``NaN``)."""
        return {"train_loss": list(self.train_loss), "train_accuracy": list(self.train_accuracy),
                "dev_loss": list(self.dev_loss), "dev_accuracy": list(self.dev_accuracy)}

    @classmethod
    def from_dict(cls, d):
        """Rebuild from :meth:`to_dict`'s output."""
        names = ("train_loss", "train_accuracy", "dev_loss", "dev_accuracy")
        try:
            lists = {k: [float(v) for v in d[k]] for k in names}
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(f"history must be History.to_dict() output, got d={short_repr(d)}") from exc
        if len({len(v) for v in lists.values()}) != 1:
            raise ParameterError(f"history's four curves must have the same length, got d={short_repr(d)}")
        return cls(**lists)


class MLP:
    """Multilayer perceptron classifier trained by back-propagation (numpy only).

    The network is ``n_features → hidden_layer_sizes... → output``, the output
    a sigmoid unit for two classes and a softmax over the classes for more
    (:mod:`listenwidgets.dsp.nn`). ``hidden_layer_sizes=()`` is logistic
    regression, ``σ(wᵀx + b)``. Training minimises the cross-entropy plus
    ``λ/(2m) Σ ||W||²`` (``λ = l2``, ``m`` the batch size) over mini-batches
    (:func:`~listenwidgets.dsp.optim.minibatches`) with the chosen optimizer.
    The defaults are scikit-learn's ``MLPClassifier``'s (one hidden layer of
    100 ReLU units, Glorot initialisation, Adam with α = 0.001, batches of
    200, 200 epochs, ``l2 = alpha = 1e-4``) and give the same accuracy.

    Divergence: after every mini-batch the cost history is checked by
    :func:`~listenwidgets.dsp.optim.divergence` (NaN/Inf, or the last 5 costs
    all above 10 times the first). Training then stops without raising;
    :attr:`diverged_` says what happened and names ``learning_rate``;
    :meth:`partial_fit` and :meth:`step` do nothing until :meth:`fit` or
    :meth:`reset`.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int > 0
        Units in each hidden layer; ``()`` for none (logistic regression).
    activation : str or sequence of str
        One of ``'sigmoid', 'tanh', 'relu', 'leaky_relu'`` for every hidden
        layer, or one name per hidden layer.
    slope : float in [0, 1]
        Negative-side slope of ``'leaky_relu'``.
    init : {'xavier', 'he'}
        Weight initialisation (:func:`~listenwidgets.dsp.nn.init_params`);
        the default is scikit-learn's (Glorot uniform), ``'he'`` the
        lecture's choice for ReLU.
    optimizer : {'gd', 'momentum', 'rmsprop', 'adam'}
        Update rule (:mod:`listenwidgets.dsp.optim`).
    learning_rate : float > 0
        ``α``.
    beta1 : float in [0, 1)
        Momentum's and Adam's ``β₁``.
    beta2 : float in [0, 1)
        RMSprop's and Adam's ``β₂``.
    epsilon : float > 0
        RMSprop's and Adam's ``ε``.
    batch_size : int > 0 or None
        Examples per mini-batch (clipped to the training set, as in
        scikit-learn); None trains on the full batch, in the given order.
    epochs : int > 0
        Passes over the training set made by :meth:`fit` (no early stopping).
    l2 : float >= 0
        ``λ`` of the L2 penalty (scikit-learn's ``alpha``).
    dropout : float in [0, 1)
        Probability of dropping each hidden unit while training (inverted
        dropout; none at prediction).
    shuffle : bool
        Reshuffle the examples every epoch.
    seed : int >= 0
        Seeds the weights, the shuffling and the dropout masks: the same seed
        and data give the same model.

    Attributes
    ----------
    params_ : list of (W, b)
        The weights, ``W`` of ``shape=(n_{l-1}, n_l)``, ``b`` of ``(n_l,)``.
    classes_ : np.ndarray [shape=(n_classes,)]
        The sorted class labels; output ``k`` is ``classes_[k]``.
    n_features_in_ : int
        Number of input features.
    n_iter_ : int
        Epochs completed.
    t_ : int
        Optimizer steps taken (Adam's ``t``, over every epoch and :meth:`step`).
    loss_curve_ : list of float
        The regularised cost per epoch (mean over its mini-batches), as
        scikit-learn's ``loss_curve_``.
    batch_loss_curve_ : list of float
        The regularised cost of every mini-batch before its update (the noisy
        curve that :func:`~listenwidgets.dsp.optim.ewma` smooths).
    history_ : History
        Per-epoch train and dev loss and accuracy.
    optimizer_ : GradientDescent or Momentum or RMSprop or Adam
        The optimizer and its moments (over all parameters, flattened).
    diverged_ : str or None
        None, or the message explaining why training stopped.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.mlp import MLP
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25, dtype=float)
    >>> y = np.array(['off', 'on', 'on', 'off'] * 25)  # XOR
    >>> model = MLP(hidden_layer_sizes=(8,), activation='tanh', learning_rate=0.05,
    ...             epochs=150, batch_size=20).fit(X, y)
    >>> model.predict([[0, 1], [1, 1]])
    array(['on', 'off'], dtype='<U3')
    >>> model.n_iter_, model.t_, model.diverged_
    (150, 750, None)
    """

    def __init__(self, *, hidden_layer_sizes=(100,), activation="relu", slope=0.01, init="xavier",
                 optimizer="adam", learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 batch_size=200, epochs=200, l2=1e-4, dropout=0.0, shuffle=True, seed=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.slope = slope
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.dropout = dropout
        self.shuffle = shuffle
        self.seed = seed

    _STATE = ("params_", "classes_", "n_features_in_", "n_iter_", "t_", "loss_curve_",
              "batch_loss_curve_", "history_", "optimizer_", "diverged_", "_theta", "_grad", "_grads")

    # --- the estimator contract ---------------------------------------------------------------

    @classmethod
    def _defaults(cls):
        return {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()
                if p.kind == p.KEYWORD_ONLY}

    def get_params(self, deep=True):
        """Return the hyper-parameters as ``{name: value}`` (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._defaults()}

    def set_params(self, **params):
        """Set hyper-parameters by name; return self. An unknown name raises (no silent typo)."""
        valid = self._defaults()
        for name, value in params.items():
            if name not in valid:
                raise ParameterError(
                    f"MLP has no parameter {name}={short_repr(value)}; valid: {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = self._defaults()
        changed = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k])
        return f"MLP({changed})"

    def reset(self):
        """Forget everything learned (weights, classes, curves, optimizer state); return self."""
        for name in self._STATE:
            self.__dict__.pop(name, None)
        return self

    def _is_fitted(self):
        return "params_" in self.__dict__

    # --- hyper-parameters -----------------------------------------------------------------------

    def _hyper(self):
        """Check every hyper-parameter; return them normalised in a namespace."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
            raise ParameterError(
                f"hidden_layer_sizes must be a sequence of ints such as (64,) or () for logistic "
                f"regression, got hidden_layer_sizes={short_repr(hidden)}"
            )
        hidden = tuple(check_int(n, "hidden_layer_sizes[]", minimum=1) for n in hidden)
        if isinstance(self.activation, str):
            hidden_names = (check_choice(self.activation, "activation", ACTIVATIONS),) * len(hidden)
        else:
            hidden_names = tuple(check_choice(a, "activation[]", ACTIVATIONS) for a in self.activation)
            if len(hidden_names) != len(hidden):
                raise ParameterError(
                    f"activation must be one name or one per hidden layer ({len(hidden)}), "
                    f"got activation={short_repr(self.activation)}"
                )
        dropout = check_real(self.dropout, "dropout", minimum=0.0, maximum=1.0)
        if dropout >= 1.0:
            raise ParameterError(f"dropout must be < 1 (keep some units), got dropout={dropout}")
        if not isinstance(self.shuffle, (bool, np.bool_)):
            raise ParameterError(f"shuffle must be True or False, got shuffle={short_repr(self.shuffle)}")
        return SimpleNamespace(
            hidden=hidden,
            hidden_names=hidden_names,
            slope=check_real(self.slope, "slope", minimum=0.0, maximum=1.0),
            init=check_choice(self.init, "init", INITS),
            optimizer=check_choice(self.optimizer, "optimizer", tuple(OPTIMIZERS)),
            learning_rate=check_real(self.learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True),
            beta1=_open_beta(self.beta1, "beta1"),
            beta2=_open_beta(self.beta2, "beta2"),
            epsilon=check_real(self.epsilon, "epsilon", minimum=0.0, exclusive_minimum=True),
            batch_size=check_int(self.batch_size, "batch_size", minimum=1, allow_none=True),
            epochs=check_int(self.epochs, "epochs", minimum=1),
            l2=check_real(self.l2, "l2", minimum=0.0),
            dropout=dropout,
            shuffle=bool(self.shuffle),
            seed=check_int(self.seed, "seed", minimum=0),
        )

    def _names(self, hp):
        """Activation names of every layer, the output's chosen by the number of classes."""
        return (*hp.hidden_names, "sigmoid" if len(self.classes_) == 2 else "softmax")

    def _check_architecture(self, hp):
        fitted = tuple(W.shape[1] for W, _ in self.params_[:-1])
        if hp.hidden != fitted:
            raise ParameterError(
                f"hidden_layer_sizes={hp.hidden} differs from the trained network's {fitted}; "
                "call fit() or reset() to train a new network"
            )

    # --- state ----------------------------------------------------------------------------------

    def _set_weights(self, layers):
        """Store ``layers`` as views into one flat vector, and allocate the flat gradient likewise.

        The optimizer then updates a single contiguous array per step.
        """
        self._theta = np.concatenate([a.ravel() for W, b in layers for a in (W, b)])
        self._grad = np.zeros_like(self._theta)
        self.params_, self._grads, offset = [], [], 0
        for W, b in layers:
            views = []
            for flat in (self._theta, self._grad):
                w = flat[offset:offset + W.size].reshape(W.shape)
                views.append((w, flat[offset + W.size:offset + W.size + b.size]))
            offset += W.size + b.size
            self.params_.append(views[0])
            self._grads.append(views[1])

    def _new_optimizer(self, hp):
        return make_optimizer(hp.optimizer, learning_rate=hp.learning_rate, beta1=hp.beta1,
                              beta2=hp.beta2, epsilon=hp.epsilon)

    def _initialize(self, n_features, labels, name, hp):
        """A new network for ``n_features`` inputs and the classes in ``labels`` (named ``name``)."""
        self.reset()
        self.classes_ = _check_two_classes(labels, name)
        self.n_features_in_ = n_features
        n_out = 1 if len(self.classes_) == 2 else len(self.classes_)
        self._set_weights(init_params([n_features, *hp.hidden, n_out], seed=hp.seed, init=hp.init))
        self.optimizer_ = self._new_optimizer(hp)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.batch_loss_curve_ = []
        self.history_ = History()
        self.diverged_ = None

    def _prepare(self, X, y, classes, hp):
        """Initialise on the first incremental call; later, apply changed hyper-parameters."""
        if not self._is_fitted():
            if classes is None:
                self._initialize(X.shape[1], y, "y", hp)
            else:
                self._initialize(X.shape[1], check_labels(classes, name="classes"), "classes", hp)
            return
        self._check_architecture(hp)
        if not isinstance(self.optimizer_, OPTIMIZERS[hp.optimizer]):
            self.optimizer_ = self._new_optimizer(hp)   # a new update rule starts with fresh moments
        for name in ("learning_rate", "beta1", "beta2", "epsilon"):
            if hasattr(self.optimizer_, name):
                setattr(self.optimizer_, name, getattr(hp, name))

    def _targets(self, y, name):
        """Class codes (indices into classes_) and the network's target matrix for labels ``y``."""
        codes = np.minimum(np.searchsorted(self.classes_, y), len(self.classes_) - 1)
        unknown = self.classes_[codes] != y
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise ParameterError(
                f"{name}[{i}]={short_repr(y[i].item())} is not one of the classes the model was "
                f"initialised with (classes_={short_repr(self.classes_.tolist())})"
            )
        if len(self.classes_) == 2:
            return codes, codes.astype(np.float64)[:, None]
        return codes, one_hot(codes, n_classes=len(self.classes_))

    def _data(self, X, y, name_X="X", name_y="y"):
        X = check_features(X, name=name_X, n_features=self.__dict__.get("n_features_in_"))
        return X, check_labels(y, name=name_y, n_samples=X.shape[0])

    def _dev(self, X_dev, y_dev):
        if (X_dev is None) != (y_dev is None):
            raise ParameterError(
                f"X_dev and y_dev must be given together, got X_dev={short_repr(X_dev)}, "
                f"y_dev={short_repr(y_dev)}"
            )
        if X_dev is None:
            return None
        X_dev, y_dev = self._data(X_dev, y_dev, "X_dev", "y_dev")
        return (X_dev, *self._targets(y_dev, "y_dev"))

    # --- training -------------------------------------------------------------------------------

    def fit(self, X, y, *, X_dev=None, y_dev=None):
        """Train a new network for ``epochs`` epochs (stopping early only if it diverges); return self.

        Parameters
        ----------
        X : array_like [shape=(n_samples, n_features)]
            Training features (standardise them first:
            :class:`~listenwidgets.dsp.datasets.Standardizer`).
        y : array_like [shape=(n_samples,)]
            Training labels, at least two classes.
        X_dev, y_dev : array_like or None
            A dev set measured after every epoch (:attr:`history_`).
        """
        hp = self._hyper()
        self.reset()
        X, y = self._data(X, y)
        self._initialize(X.shape[1], y, "y", hp)
        codes, Y = self._targets(y, "y")
        dev = self._dev(X_dev, y_dev)
        for _ in range(hp.epochs):
            self._epoch(X, codes, Y, dev, hp)
            if self.diverged_ is not None:
                break
        return self

    def partial_fit(self, X, y, *, X_dev=None, y_dev=None, classes=None):
        """Train one more epoch over ``(X, y)`` (initialising the network if needed); return self.

        The current hyper-parameters are used, so ``learning_rate`` or the
        optimizer may change between calls (a new optimizer starts with fresh
        moments); ``hidden_layer_sizes`` may not. Does nothing once
        :attr:`diverged_` is set (call :meth:`fit` or :meth:`reset`).

        Parameters
        ----------
        X, y : array_like
            Training data, as for :meth:`fit`.
        X_dev, y_dev : array_like or None
            Dev set measured after the epoch.
        classes : array_like or None
            Every class label; needed on the first call only if ``y`` does
            not hold them all (default ``np.unique(y)``).
        """
        hp = self._hyper()
        X, y = self._data(X, y)
        self._prepare(X, y, classes, hp)
        codes, Y = self._targets(y, "y")
        dev = self._dev(X_dev, y_dev)
        if self.diverged_ is None:
            self._epoch(X, codes, Y, dev, hp)
        return self

    def step(self, X, y, *, classes=None):
        """Take one optimizer step on the mini-batch ``(X, y)``; return self.

        Records the batch's cost in :attr:`batch_loss_curve_` and increments
        :attr:`t_`, but not :attr:`n_iter_` (epochs). Dropout masks are drawn
        from ``seed`` and ``t_``. Does nothing once :attr:`diverged_` is set.

        Parameters
        ----------
        X : array_like [shape=(batch_size, n_features)]
            One mini-batch.
        y : array_like [shape=(batch_size,)]
            Its labels.
        classes : array_like or None
            Every class label; needed on the first call if ``y`` does not
            hold them all.
        """
        hp = self._hyper()
        X, y = self._data(X, y)
        self._prepare(X, y, classes, hp)
        codes, Y = self._targets(y, "y")
        if self.diverged_ is None:
            rng = np.random.default_rng([hp.seed, self.t_]) if hp.dropout > 0 else None
            with np.errstate(all="ignore"):
                self._train_step(X, codes, Y, hp, self._names(hp), rng)
        return self

    def _epoch(self, X, codes, Y, dev, hp):
        """One pass over the training set; records the epoch's curves."""
        names = self._names(hp)
        rng = np.random.default_rng([hp.seed, self.n_iter_])
        n = X.shape[0]
        if hp.batch_size is None or hp.batch_size >= n:
            batches = [None]   # the full batch: no copy, no shuffle (the gradient is the same)
        else:
            batches = minibatches(n, batch_size=hp.batch_size, seed=rng, shuffle=hp.shuffle)
        drop_rng = rng if hp.dropout > 0 else None
        total_cost = total_loss = 0.0
        correct = seen = 0
        record = {}
        with np.errstate(all="ignore"):
            for idx in batches:
                batch = (X, codes, Y) if idx is None else (X[idx], codes[idx], Y[idx])
                loss, cost, n_correct = self._train_step(*batch, hp, names, drop_rng)
                m = batch[1].size
                total_cost += cost * m
                total_loss += loss * m
                correct += n_correct
                seen += m
                if self.diverged_ is not None:
                    break
            if dev is not None:
                X_dev, dev_codes, Y_dev = dev
                out, cache = _forward(self.params_, X_dev, names, hp.slope, 0.0, None)
                record["dev_loss"] = _cross_entropy(Y_dev, cache.z[-1], names[-1])
                record["dev_accuracy"] = float(np.mean(_predicted_codes(out) == dev_codes))
        self.n_iter_ += 1
        self.loss_curve_.append(total_cost / seen)
        self.history_.append(train_loss=total_loss / seen, train_accuracy=correct / seen, **record)

    def _train_step(self, X, codes, Y, hp, names, rng):
        """Forward, cost, divergence check, backward, update. Returns (loss, cost, n_correct)."""
        out, cache = _forward(self.params_, X, names, hp.slope, hp.dropout, rng)
        loss = _cross_entropy(Y, cache.z[-1], names[-1])
        cost = loss + _penalty(self.params_, hp.l2, X.shape[0])
        self.batch_loss_curve_.append(cost)
        n_correct = int(np.count_nonzero(_predicted_codes(out) == codes))
        reason = _divergence(self.batch_loss_curve_, _DIVERGENCE_FACTOR, _DIVERGENCE_WINDOW)
        if reason is not None:
            lr = hp.learning_rate
            self.diverged_ = (
                f"training diverged at epoch {self.n_iter_ + 1}, step {self.t_ + 1}: {reason}. "
                f"learning_rate={lr:g} is probably too large for this data: lower it "
                f"(e.g. learning_rate={lr / 10:g}) or standardize the features, then fit again"
            )
            return loss, cost, n_correct
        _backward(self.params_, cache, Y, names, hp.l2, hp.slope, self._grads)
        self.optimizer_.step([self._theta], [self._grad])
        self.t_ += 1
        return loss, cost, n_correct

    # --- prediction -----------------------------------------------------------------------------

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array_like [shape=(n_samples, n_features)]

        Returns
        -------
        P : np.ndarray [shape=(n_samples, n_classes)]
            ``P[i, k] = P(y = classes_[k] | x_i)``; rows sum to 1 (for two
            classes ``[1 − σ(z), σ(z)]``). NaN if the run diverged to NaN.
        """
        if not self._is_fitted():
            raise ParameterError("this MLP is not fitted yet; call fit(X, y) first")
        X = check_features(X, n_features=self.n_features_in_)
        hp = self._hyper()
        self._check_architecture(hp)
        with np.errstate(all="ignore"):
            out, _ = _forward(self.params_, X, self._names(hp), hp.slope, 0.0, None)
        if out.shape[1] == 1:
            return np.hstack([1.0 - out, out])
        return out

    def predict(self, X):
        """Most probable class label of each row of ``X`` [shape=(n_samples, n_features)]."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Accuracy of :meth:`predict` on ``(X, y)``: the fraction of correct labels."""
        X, y = self._data(X, y)
        return float(np.mean(self.predict(X) == y))

    # --- saving ---------------------------------------------------------------------------------

    def _parts(self):
        """``(meta, arrays)``: a JSON-friendly dict and ``{name: float64 array}``."""
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()}
        meta = {"format": _FORMAT, "version": _VERSION, "hyper_parameters": params}
        arrays = {}
        if self._is_fitted():
            meta["state"] = {
                "classes": self.classes_.tolist(),
                "n_features_in": self.n_features_in_,
                "n_iter": self.n_iter_,
                "t": self.t_,
                "loss_curve": list(self.loss_curve_),
                "batch_loss_curve": list(self.batch_loss_curve_),
                "history": self.history_.to_dict(),
                "diverged": self.diverged_,
                "optimizer": {"name": _optimizer_name(self.optimizer_), "t": self.optimizer_.t_},
            }
            for l, (W, b) in enumerate(self.params_):
                arrays[f"W{l}"], arrays[f"b{l}"] = W, b
            for name in ("v_", "s_"):
                moments = getattr(self.optimizer_, name, None)
                if moments is not None:
                    arrays[f"optimizer_{name[0]}"] = moments[0]
        return meta, arrays

    @classmethod
    def _from_parts(cls, meta, arrays):
        """Rebuild a model from ``_parts()``'s two halves."""
        found = meta.get("format") if isinstance(meta, dict) else meta
        if found != _FORMAT:
            raise ParameterError(f"not a saved MLP: format={short_repr(found)} (expected {_FORMAT!r})")
        if meta.get("version") != _VERSION:
            raise ParameterError(
                f"unsupported version={meta.get('version')!r}; this code reads version {_VERSION}"
            )
        try:
            hyper = dict(meta["hyper_parameters"])
            for name in ("hidden_layer_sizes", "activation"):
                if isinstance(hyper.get(name), list):
                    hyper[name] = tuple(hyper[name])
            model = cls().set_params(**hyper)
            state = meta.get("state")
            if state is None:
                return model
            hp = model._hyper()
            model._initialize(int(state["n_features_in"]), np.asarray(state["classes"]), "classes", hp)
            layers = [(np.asarray(arrays[f"W{l}"], dtype=np.float64), np.asarray(arrays[f"b{l}"], dtype=np.float64))
                      for l in range(len(model.params_))]
            if [(W.shape, b.shape) for W, b in layers] != [(W.shape, b.shape) for W, b in model.params_]:
                raise ParameterError("the saved weight shapes do not match the saved hyper-parameters")
            model._set_weights(layers)
            model.optimizer_ = make_optimizer(state["optimizer"]["name"], learning_rate=hp.learning_rate,
                                              beta1=hp.beta1, beta2=hp.beta2, epsilon=hp.epsilon)
            model.optimizer_.t_ = int(state["optimizer"]["t"])
            for name in ("v_", "s_"):
                key = f"optimizer_{name[0]}"
                if hasattr(model.optimizer_, name) and key in arrays:
                    setattr(model.optimizer_, name, [np.array(arrays[key], dtype=np.float64)])
            model.n_iter_ = int(state["n_iter"])
            model.t_ = int(state["t"])
            model.loss_curve_ = [float(v) for v in state["loss_curve"]]
            model.batch_loss_curve_ = [float(v) for v in state["batch_loss_curve"]]
            model.history_ = History.from_dict(state["history"])
            model.diverged_ = state["diverged"]
        except ParameterError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(f"the saved MLP is incomplete or corrupt: {exc!r}") from exc
        return model

    def to_dict(self):
        """The whole model as one JSON-friendly dict (arrays as nested lists); see :meth:`from_dict`.

        Returns
        -------
        d : dict
            ``format``, ``version``, ``hyper_parameters``, and when fitted
            ``state`` (classes, counters, curves) and ``arrays`` (``W0, b0,
            ...`` and the optimizer's moments). ``json.dumps(d)`` works and
            float values round-trip exactly.

        Examples
        --------
        >>> import json
        >>> import numpy as np
        >>> from listenwidgets.dsp.mlp import MLP
        >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
        >>> model = MLP(hidden_layer_sizes=(), epochs=5).fit(X, y)
        >>> copy = MLP.from_dict(json.loads(json.dumps(model.to_dict())))
        >>> bool((copy.predict_proba(X) == model.predict_proba(X)).all())
        True
        """
        meta, arrays = self._parts()
        if arrays:
            meta["arrays"] = {k: v.tolist() for k, v in arrays.items()}
        return meta

    @classmethod
    def from_dict(cls, d):
        """Rebuild a model from :meth:`to_dict`'s output (training can continue with :meth:`partial_fit`).

        Parameters
        ----------
        d : dict
            The output of :meth:`to_dict` (possibly through ``json``).

        Returns
        -------
        model : MLP
        """
        if not isinstance(d, dict):
            raise ParameterError(f"d must be a dict from MLP.to_dict(), got d={short_repr(d)}")
        meta = {k: v for k, v in d.items() if k != "arrays"}
        try:
            arrays = {k: np.asarray(v, dtype=np.float64) for k, v in d.get("arrays", {}).items()}
        except (TypeError, ValueError, AttributeError) as exc:
            raise ParameterError(f"d['arrays'] must map names to numeric lists: {exc}") from exc
        return cls._from_parts(meta, arrays)

    def save(self, path):
        """Write ``<path>.npz`` (arrays) and ``<path>.json`` (everything else); no pickle.

        Parameters
        ----------
        path : str or os.PathLike
            Base name; a trailing ``.npz`` or ``.json`` is dropped.

        Returns
        -------
        npz_path, json_path : pathlib.Path

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from listenwidgets.dsp.mlp import MLP
        >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array(['a', 'a', 'b', 'b'])
        >>> model = MLP(hidden_layer_sizes=(4,), epochs=3).fit(X, y)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     npz, _ = model.save(os.path.join(tmp, 'model'))
        ...     with np.load(npz, allow_pickle=False) as arrays:
        ...         print(sorted(arrays.files))
        ...     same = (MLP.load(npz).predict(X) == model.predict(X)).all()
        ['W0', 'W1', 'b0', 'b1', 'optimizer_s', 'optimizer_v']
        >>> bool(same)
        True
        """
        base = _base_path(path)
        meta, arrays = self._parts()
        npz_path, json_path = base.with_name(base.name + ".npz"), base.with_name(base.name + ".json")
        np.savez(npz_path, **arrays)
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1)
        return npz_path, json_path

    @classmethod
    def load(cls, path):
        """Read a model written by :meth:`save` (with ``np.load(..., allow_pickle=False)``).

        Parameters
        ----------
        path : str or os.PathLike
            The base name given to :meth:`save`, or either of its two files.

        Returns
        -------
        model : MLP
        """
        base = _base_path(path)
        json_path, npz_path = base.with_name(base.name + ".json"), base.with_name(base.name + ".npz")
        try:
            with open(json_path, encoding="utf-8") as f:
                meta = json.load(f)
            with np.load(npz_path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise ParameterError(f"cannot read a saved MLP at path={str(path)!r}: {exc}") from exc
        return cls._from_parts(meta, arrays)


def _predicted_codes(out):
    """Class index of each row of the network output (sigmoid column or softmax rows)."""
    if out.shape[1] == 1:
        return (out[:, 0] > 0.5).astype(np.int64)
    return np.argmax(out, axis=1)


def _optimizer_name(opt):
    return next(name for name, kind in OPTIMIZERS.items() if type(opt) is kind)


def _base_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or os.PathLike, got path={short_repr(path)}")
    base = Path(path)
    return base.with_suffix("") if base.suffix in (".npz", ".json") else base
