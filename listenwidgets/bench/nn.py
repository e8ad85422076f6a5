"""Training speed: one epoch of Adam, :class:`listenwidgets.dsp.MLP` vs scikit-learn's MLPClassifier.

Both train the same network (``n_features → 64 ReLU → softmax``, Glorot
initialisation, Adam with α = 0.001, L2 ``1e-4``, batches of 200, shuffled)
on the same data, from scratch: ``MLP(epochs=1).fit`` against
``MLPClassifier(max_iter=1).fit``, timed in interleaved rounds
(:func:`~listenwidgets.bench.timing.interleaved`); the median ratio ours /
scikit-learn is reported. The weights start from different random draws, so
the results cannot be compared number by number; instead both are trained for
a few epochs and their accuracies on held-out data are reported side by side,
to show that the two epochs do the same work.

scikit-learn is a test-only dependency, imported here only.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..dsp import MLP

__all__ = ["measure_nn", "teacher_data", "N_FEATURES", "HIDDEN", "BATCH_SIZE"]

N_FEATURES = 40
HIDDEN = 64
BATCH_SIZE = 200

#: Classes of the synthetic problem, and units of the teacher network that labels it.
_N_CLASSES = 4
_TEACHER_UNITS = 16


def teacher_data(n, *, n_features=N_FEATURES, seed=0):
    """Standard-normal features labelled by a fixed random one-hidden-layer network.

    ``y = argmax(tanh(X W₁) W₂)`` with ``W₁`` of shape (n_features, 16) and
    ``W₂`` of shape (16, 4) drawn from ``seed`` (the same teacher for every
    ``n``), so the classes are learnable but not linearly separable.

    Parameters
    ----------
    n : int > 0
        Number of examples.
    n_features : int > 0
        Number of features.
    seed : int
        Seeds the teacher; the examples come from ``seed + 1`` and ``n``.

    Returns
    -------
    X : np.ndarray [shape=(n, n_features), dtype=float64]
    y : np.ndarray [shape=(n,), dtype=int]
        Labels 0 … 3.

    Examples
    --------
    >>> X, y = teacher_data(500)
    >>> X.shape, sorted(set(y.tolist()))
    ((500, 40), [0, 1, 2, 3])
    """
    teacher = np.random.default_rng(seed)
    W1 = teacher.standard_normal((n_features, _TEACHER_UNITS)) / np.sqrt(n_features)
    W2 = teacher.standard_normal((_TEACHER_UNITS, _N_CLASSES))
    X = np.random.default_rng([seed + 1, n]).standard_normal((n, n_features))
    return X, np.argmax(np.tanh(2.0 * X @ W1) @ W2, axis=1)


def _ours(epochs, seed):
    return MLP(hidden_layer_sizes=(HIDDEN,), activation="relu", optimizer="adam",
               learning_rate=1e-3, batch_size=BATCH_SIZE, epochs=epochs, l2=1e-4, seed=seed)


def _sklearn(epochs, seed):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam",
                         learning_rate_init=1e-3, batch_size=BATCH_SIZE, max_iter=epochs,
                         alpha=1e-4, shuffle=True, random_state=seed, tol=0.0,
                         n_iter_no_change=epochs + 1)


def measure_nn(*, n_examples=2000, rounds=7, epochs=20, seed=0):
    """Time one epoch of ours against scikit-learn's and compare accuracies after ``epochs``.

    Parameters
    ----------
    n_examples : int > 0
        Training examples (40 features each); the test set has half as many.
    rounds : int >= 1
        Interleaved timed rounds of one epoch each.
    epochs : int >= 1
        Epochs of the accuracy comparison.
    seed : int
        Seeds the data and both networks.

    Returns
    -------
    dict
        ``ratio`` (median of ours/scikit-learn per round), ``ours_s`` and
        ``sklearn_s`` (median seconds of one epoch, fit from scratch),
        ``ratios``, ``repeats``; ``epochs``, ``ours_accuracy`` and
        ``sklearn_accuracy`` (on the test set after ``epochs``),
        ``ours_loss`` and ``sklearn_loss`` (last epoch's training loss),
        and the problem's size.
    """
    from sklearn.exceptions import ConvergenceWarning

    from .timing import interleaved

    X, y = teacher_data(n_examples, seed=seed)
    X_test, y_test = teacher_data(n_examples // 2, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        timed = interleaved(lambda data: _ours(1, seed).fit(*data),
                            lambda data: _sklearn(1, seed).fit(*data), (X, y), rounds=rounds)
        ours = _ours(epochs, seed).fit(X, y)
        theirs = _sklearn(epochs, seed).fit(X, y)
    return {"n_examples": n_examples, "n_test": n_examples // 2, "n_features": X.shape[1],
            "hidden": HIDDEN, "batch_size": BATCH_SIZE, "rounds": rounds,
            "ratio": timed["ratio"], "ours_s": timed["ours_s"], "sklearn_s": timed["theirs_s"],
            "ratios": timed["ratios"], "repeats": timed["repeats"], "epochs": epochs,
            "ours_accuracy": ours.score(X_test, y_test),
            "sklearn_accuracy": float(theirs.score(X_test, y_test)),
            "ours_loss": ours.loss_curve_[-1], "sklearn_loss": float(theirs.loss_curve_[-1]),
            "sklearn_epochs": int(theirs.n_iter_)}
