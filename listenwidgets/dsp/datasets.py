"""Chapter 8, the data side of supervised learning: checks, splits, normalisation, metrics.

Layout. A data set is a feature matrix ``X`` with one **row per example** and
one column per feature, ``shape=(n_samples, n_features)`` (scikit-learn's
layout), and a label vector ``y`` of ``shape=(n_samples,)``. A librosa-style
feature matrix ``S`` of ``shape=(n_features, n_frames)`` (one column per
frame, also the lecture's ``X`` of ``shape=(n_x, m)``) becomes ``X = S.T``.

- :func:`check_features`, :func:`check_labels` -- validate data; a NaN or
  Inf is reported by its row (example) and column (feature).
- :func:`train_dev_test_split` -- a reproducible, optionally stratified,
  three-way split (the lecture's train / dev / test sets).
- :class:`Standardizer`, :func:`standardize` -- input normalisation
  ``(x - μ) / σ`` with ``μ, σ`` fitted on the training set only.
- :func:`one_hot`, :func:`accuracy`, :func:`confusion_matrix` -- encoding and
  evaluation.

Pure numpy: no audio is loaded here.
"""

from collections import namedtuple

import numpy as np

from ..errors import ParameterError
from ._checks import check_int, check_real, short_repr

__all__ = [
    "check_features",
    "check_labels",
    "Split",
    "train_dev_test_split",
    "standardize",
    "Standardizer",
    "one_hot",
    "accuracy",
    "confusion_matrix",
]

#: A standard deviation at or below this multiple of float64's epsilon times
#: ``max(1, |mean|)`` is rounding noise of a constant feature: it is treated as zero.
_ZERO_STD_EPS = 10.0


def _generator(seed, name="seed"):
    """Return a ``np.random.Generator`` from an int seed >= 0 or a Generator (passed through)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int(seed, name, minimum=0))


def check_features(X, *, name="X", n_features=None):
    """Validate a feature matrix and return it as C-contiguous float64.

    Parameters
    ----------
    X : array_like [shape=(n_samples, n_features)]
        Real-valued features, one row per example.
    name : str
        The parameter name used in error messages.
    n_features : int > 0 or None
        If given, the number of columns ``X`` must have (the width a model
        was fitted with).

    Returns
    -------
    X : np.ndarray [shape=(n_samples, n_features), dtype=float64]
        The same values; no copy when already C-contiguous float64.

    Raises
    ------
    ParameterError
        If ``X`` is not numeric, not two-dimensional, empty, has the wrong
        number of columns, or holds a NaN or Inf (the message names the first
        such row and feature column, e.g. ``X[3, 7]=nan``).

    Examples
    --------
    >>> from listenwidgets.dsp.datasets import check_features
    >>> check_features([[1, 2], [3, 4]])
    array([[1., 2.],
           [3., 4.]])
    >>> check_features([[1.0, float('nan')]])
    Traceback (most recent call last):
    ...
    listenwidgets.errors.ParameterError: X contains NaN at row 0, feature column 1 (X[0, 1]=nan); \
remove or impute that example before training
    """
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise ParameterError(f"{name} must hold real numbers, got {name}.dtype={arr.dtype}")
    if arr.ndim != 2:
        raise ParameterError(
            f"{name} must be two-dimensional (n_samples, n_features), got {name}.shape={arr.shape}; "
            "reshape one feature to (-1, 1) or one example to (1, -1)"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ParameterError(f"{name} is empty, got {name}.shape={arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ParameterError(
            f"{name} has {arr.shape[1]} feature columns but {n_features} are expected "
            f"({name}.shape={arr.shape}, n_features={n_features})"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        kind = "NaN" if np.isnan(arr[row, col]) else "Inf"
        raise ParameterError(
            f"{name} contains {kind} at row {row}, feature column {col} "
            f"({name}[{row}, {col}]={arr[row, col]}); remove or impute that example before training"
        )
    return arr


def check_labels(y, *, name="y", n_samples=None):
    """Validate a vector of class labels.

    Parameters
    ----------
    y : array_like [shape=(n_samples,)]
        Labels: integers, booleans, strings or finite floats.
    name : str
        The parameter name used in error messages.
    n_samples : int >= 0 or None
        If given, the length ``y`` must have (the rows of the matching ``X``).

    Returns
    -------
    y : np.ndarray [shape=(n_samples,)]

    Raises
    ------
    ParameterError
        If ``y`` is not one-dimensional, its length differs from
        ``n_samples``, its dtype is not a label type, or a float label is NaN.

    Examples
    --------
    >>> from listenwidgets.dsp.datasets import check_labels
    >>> check_labels(['speech', 'music'], n_samples=2)
    array(['speech', 'music'], dtype='<U6')
    """
    arr = np.asarray(y)
    if arr.dtype.kind not in "biufU":
        raise ParameterError(
            f"{name} must hold integer, boolean, string or float labels, got {name}.dtype={arr.dtype}"
        )
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got {name}.shape={arr.shape}")
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ParameterError(
            f"{name} has {arr.shape[0]} labels but X has {n_samples} rows "
            f"({name}.shape={arr.shape}, n_samples={n_samples})"
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ParameterError(f"{name} contains a non-finite label at index {bad} ({name}[{bad}]={arr[bad]})")
    return arr


def _check_two_classes(y, name):
    """Return ``np.unique(y)``; raise if fewer than two classes are present."""
    classes = np.unique(y)
    if classes.size < 2:
        only = short_repr(classes[0].item()) if classes.size else "none"
        raise ParameterError(
            f"{name} holds a single class ({name} classes: {only}); a classifier needs examples "
            "of at least two classes"
        )
    return classes


Split = namedtuple("Split", ["X_train", "X_dev", "X_test", "y_train", "y_dev", "y_test"])
Split.__doc__ = """Result of :func:`train_dev_test_split` (unpacks like a tuple).

X_train, X_dev, X_test : np.ndarray [shape=(n_part, n_features), dtype=float64]
    The rows of ``X`` in each part, in a random order.
y_train, y_dev, y_test : np.ndarray [shape=(n_part,)]
    The matching labels.
"""


def _allocate(counts, total, caps):
    """Split ``total`` items among classes in proportion to ``counts`` (largest remainder), at most ``caps``."""
    exact = counts * (total / counts.sum())
    base = np.minimum(np.floor(exact).astype(np.int64), caps)
    short = total - int(base.sum())
    if short > 0:
        remainder = np.where(base < caps, exact - base, -np.inf)
        order = np.argsort(-remainder, kind="stable")[:short]
        base[order[np.isfinite(remainder[order])]] += 1
    return base


def train_dev_test_split(X, y, *, dev=0.15, test=0.15, seed, stratify=True):
    """Split examples into train, dev and test sets, reproducibly.

    The test set receives ``round(test * n)`` examples and the dev set
    ``round(dev * n)``; the rest is the training set. With ``stratify=True``
    each class is split in the same proportions: the counts are allotted to
    the classes by the largest-remainder method, so every part's class
    fractions match the whole set's to within one example per class, and each
    class keeps at least one training example (a class too small to share
    gives the dev/test sets fewer examples than requested).

    Parameters
    ----------
    X : array_like [shape=(n_samples, n_features)]
        Features; checked by :func:`check_features`.
    y : array_like [shape=(n_samples,)]
        Class labels; at least two classes.
    dev : float in [0, 1)
        Fraction of the examples in the dev (validation) set.
    test : float in [0, 1)
        Fraction of the examples in the test set; ``dev + test < 1``.
    seed : int >= 0 or np.random.Generator
        The same seed gives the same split.
    stratify : bool
        Keep each class's proportion in every part.

    Returns
    -------
    split : Split
        ``(X_train, X_dev, X_test, y_train, y_dev, y_test)``; every example
        is in exactly one part. A part may be empty when its fraction is 0.

    Raises
    ------
    ParameterError
        If ``y`` holds a single class, ``dev + test >= 1``, the lengths of
        ``X`` and ``y`` differ, or ``X`` contains NaN/Inf.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.datasets import train_dev_test_split
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> y = np.repeat([0, 1], 10)
    >>> s = train_dev_test_split(X, y, dev=0.2, test=0.2, seed=0)
    >>> len(s.y_train), len(s.y_dev), len(s.y_test)
    (12, 4, 4)
    >>> np.bincount(s.y_test)
    array([2, 2])
    """
    X = check_features(X)
    y = check_labels(y, n_samples=X.shape[0])
    dev = check_real(dev, "dev", minimum=0.0, maximum=1.0)
    test = check_real(test, "test", minimum=0.0, maximum=1.0)
    if dev + test >= 1.0:
        raise ParameterError(f"dev + test must be < 1 to leave a training set, got dev={dev}, test={test}")
    if not isinstance(stratify, (bool, np.bool_)):
        raise ParameterError(f"stratify must be True or False, got stratify={short_repr(stratify)}")
    rng = _generator(seed)
    n = X.shape[0]
    classes = _check_two_classes(y, "y")
    codes = np.searchsorted(classes, y)
    n_test, n_dev = round(test * n), round(dev * n)
    if stratify:
        counts = np.bincount(codes, minlength=classes.size)
        test_c = _allocate(counts, n_test, counts - 1)
        dev_c = _allocate(counts, n_dev, counts - 1 - test_c)
        parts = ([], [], [])
        for c in range(classes.size):
            members = rng.permutation(np.flatnonzero(codes == c))
            cut1, cut2 = test_c[c], test_c[c] + dev_c[c]
            parts[0].append(members[cut2:])
            parts[1].append(members[cut1:cut2])
            parts[2].append(members[:cut1])
        train_idx, dev_idx, test_idx = (rng.permutation(np.concatenate(p)) for p in parts)
    else:
        if n_test + n_dev >= n:
            raise ParameterError(
                f"dev={dev} and test={test} leave no training example out of n_samples={n}"
            )
        order = rng.permutation(n)
        test_idx, dev_idx, train_idx = order[:n_test], order[n_test:n_test + n_dev], order[n_test + n_dev:]
    return Split(X[train_idx], X[dev_idx], X[test_idx], y[train_idx], y[dev_idx], y[test_idx])


def _zero_std_to_one(mean, std):
    """Replace standard deviations that are (rounding noise around) zero by 1."""
    tiny = _ZERO_STD_EPS * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))
    return np.where(std <= tiny, 1.0, std)


def standardize(X, *, mean, std):
    """Normalise features: ``x' = (x - μ) / σ`` per column.

    Parameters
    ----------
    X : array_like [shape=(n_samples, n_features)]
        Features to normalise.
    mean : array_like [shape=(n_features,)]
        ``μ``, the per-feature means of the **training** set.
    std : array_like [shape=(n_features,)]
        ``σ``, the per-feature standard deviations of the training set; every
        entry > 0 (see :class:`Standardizer` for constant features).

    Returns
    -------
    X_std : np.ndarray [shape=(n_samples, n_features), dtype=float64]

    Examples
    --------
    >>> from listenwidgets.dsp.datasets import standardize
    >>> standardize([[1.0, 10.0], [3.0, 30.0]], mean=[2.0, 20.0], std=[1.0, 10.0])
    array([[-1., -1.],
           [ 1.,  1.]])
    """
    X = check_features(X)
    d = X.shape[1]
    mean = np.asarray(mean, dtype=np.float64)
    std = np.asarray(std, dtype=np.float64)
    for name, value in (("mean", mean), ("std", std)):
        if value.shape != (d,):
            raise ParameterError(
                f"{name} must have shape (n_features,)=({d},), got {name}.shape={value.shape}"
            )
        if not np.isfinite(value).all():
            raise ParameterError(f"{name} must be finite, got {name}={short_repr(value)}")
    if (std <= 0).any():
        bad = int(np.flatnonzero(std <= 0)[0])
        raise ParameterError(f"std must be > 0 for every feature, got std[{bad}]={std[bad]}")
    return (X - mean) / std


class Standardizer:
    """Input normalisation fitted on the training set: ``x' = (x - mean_) / scale_``.

    Normalising the inputs makes the cost's contours round instead of
    elongated, so gradient descent can use a larger learning rate (the
    lecture's "normalizing inputs"). Fit on the training set only and apply
    the **same** ``mean_`` and ``scale_`` to the dev and test sets: fitting on
    them would leak their statistics into training.

    A constant feature (standard deviation zero, or within
    ``10 · eps · max(1, |mean|)`` of it) gets ``scale_ = 1``: it becomes 0 after
    centring instead of dividing by zero.

    Attributes
    ----------
    mean_ : np.ndarray [shape=(n_features,)]
        Per-feature mean of the training set.
    scale_ : np.ndarray [shape=(n_features,)]
        Per-feature (population, ``ddof=0``) standard deviation, 1 for
        constant features.
    n_features_in_ : int
        Number of features seen by :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.datasets import Standardizer
    >>> X_train = np.array([[0.0, 5.0], [2.0, 5.0]])
    >>> scaler = Standardizer().fit(X_train)
    >>> scaler.mean_, scaler.scale_
    (array([1., 5.]), array([1., 1.]))
    >>> scaler.transform([[4.0, 6.0]])
    array([[3., 1.]])
    """

    def fit(self, X):
        """Learn ``mean_`` and ``scale_`` from ``X`` [shape=(n_samples, n_features)]; return self."""
        X = check_features(X)
        mean = X.mean(axis=0)
        self.mean_ = mean
        self.scale_ = _zero_std_to_one(mean, X.std(axis=0))
        self.n_features_in_ = X.shape[1]
        return self

    def _check_fitted(self):
        if not hasattr(self, "mean_"):
            raise ParameterError("this Standardizer is not fitted yet; call fit(X_train) first")

    def transform(self, X):
        """Return ``(X - mean_) / scale_`` [shape=(n_samples, n_features)]."""
        self._check_fitted()
        X = check_features(X, n_features=self.n_features_in_)
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Undo the normalisation: ``X * scale_ + mean_``."""
        self._check_fitted()
        X = check_features(X, n_features=self.n_features_in_)
        return X * self.scale_ + self.mean_

    def reset(self):
        """Forget the fitted statistics; return self."""
        for attr in ("mean_", "scale_", "n_features_in_"):
            self.__dict__.pop(attr, None)
        return self


def _check_codes(y, name, n_classes):
    """Check integer class codes in ``[0, n_classes)``; return them as an int64 array."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got {name}.shape={arr.shape}")
    if arr.dtype.kind not in "iub":
        raise ParameterError(f"{name} must hold integer class indices, got {name}.dtype={arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    bad = (arr < 0) | (arr >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"{name} must hold class indices in [0, n_classes - 1], got {name}[{i}]={arr[i]} "
            f"with n_classes={n_classes}"
        )
    return arr


def one_hot(y, *, n_classes):
    """One-hot encode integer class indices.

    ``Y[i, k] = 1`` if ``y[i] = k`` else 0.

    Parameters
    ----------
    y : array_like of int [shape=(n_samples,)]
        Class indices in ``[0, n_classes)``.
    n_classes : int > 0
        Number of classes (columns).

    Returns
    -------
    Y : np.ndarray [shape=(n_samples, n_classes), dtype=float64]

    Examples
    --------
    >>> from listenwidgets.dsp.datasets import one_hot
    >>> one_hot([0, 2, 1], n_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    codes = _check_codes(y, "y", n_classes)
    Y = np.zeros((codes.size, n_classes))
    Y[np.arange(codes.size), codes] = 1.0
    return Y


def _check_pair(y_true, y_pred):
    """Check two equal-length one-dimensional label vectors."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    for name, value in (("y_true", y_true), ("y_pred", y_pred)):
        if value.ndim != 1:
            raise ParameterError(f"{name} must be one-dimensional, got {name}.shape={value.shape}")
    if y_true.shape != y_pred.shape:
        raise ParameterError(
            f"y_true and y_pred must have the same length, got y_true.shape={y_true.shape}, "
            f"y_pred.shape={y_pred.shape}"
        )
    if y_true.size == 0:
        raise ParameterError("y_true is empty, got y_true.shape=(0,)")
    return y_true, y_pred


def accuracy(y_true, y_pred):
    """Fraction of correct predictions: ``(1/m) Σ_i [ŷ_i = y_i]``.

    Parameters
    ----------
    y_true, y_pred : array_like [shape=(n_samples,)]
        True and predicted labels (any comparable label type).

    Returns
    -------
    accuracy : float in [0, 1]

    Examples
    --------
    >>> from listenwidgets.dsp.datasets import accuracy
    >>> accuracy(['a', 'b', 'b', 'a'], ['a', 'b', 'a', 'a'])
    0.75
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, *, n_classes):
    """Count each (true class, predicted class) pair.

    ``C[i, j]`` is the number of examples of class ``i`` predicted as class
    ``j`` (rows: truth, columns: prediction, as scikit-learn). The diagonal
    holds the correct predictions; ``trace(C) / C.sum()`` is the accuracy.

    Parameters
    ----------
    y_true, y_pred : array_like of int [shape=(n_samples,)]
        Class indices in ``[0, n_classes)``.
    n_classes : int > 0
        Number of classes.

    Returns
    -------
    C : np.ndarray [shape=(n_classes, n_classes), dtype=int64]

    Examples
    --------
    >>> from listenwidgets.dsp.datasets import confusion_matrix
    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], n_classes=3)
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
    """
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    y_true, y_pred = _check_pair(y_true, y_pred)
    t = _check_codes(y_true, "y_true", n_classes)
    p = _check_codes(y_pred, "y_pred", n_classes)
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
