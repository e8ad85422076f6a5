"""Tests of listenwidgets.dsp.datasets: checks, the train/dev/test split, normalisation, metrics."""

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.dsp.datasets import (
    Split,
    Standardizer,
    accuracy,
    check_features,
    check_labels,
    confusion_matrix,
    one_hot,
    standardize,
    train_dev_test_split,
)


def labelled(counts=(500, 300, 200), n_features=3, seed=0):
    """Rows whose first column is the row's index (to track examples through a split)."""
    y = np.repeat(np.arange(len(counts)), counts)
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.arange(y.size), rng.standard_normal((y.size, n_features - 1))])
    return X, y


# --- the split ----------------------------------------------------------------------------

def test_split_is_reproducible_by_seed():
    X, y = labelled()
    a = train_dev_test_split(X, y, seed=7)
    b = train_dev_test_split(X, y, seed=7)
    c = train_dev_test_split(X, y, seed=8)
    assert isinstance(a, Split)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a.X_test, c.X_test)


@pytest.mark.parametrize("stratify", [True, False])
def test_split_parts_do_not_overlap_and_cover_everything(stratify):
    X, y = labelled()
    s = train_dev_test_split(X, y, dev=0.2, test=0.1, seed=0, stratify=stratify)
    ids = [part[:, 0].astype(int) for part in (s.X_train, s.X_dev, s.X_test)]
    everything = np.concatenate(ids)
    assert everything.size == np.unique(everything).size == y.size
    for part_ids, part_y in zip(ids, (s.y_train, s.y_dev, s.y_test)):
        np.testing.assert_array_equal(y[part_ids], part_y)      # labels travel with their rows
    assert (len(s.y_test), len(s.y_dev), len(s.y_train)) == (100, 200, 700)


def test_split_is_stratified():
    X, y = labelled(counts=(523, 311, 166))
    s = train_dev_test_split(X, y, dev=0.15, test=0.15, seed=1)
    whole = np.bincount(y) / y.size
    for part in (s.y_train, s.y_dev, s.y_test):
        counts = np.bincount(part, minlength=3)
        # each class's count is within one example of its exact share
        assert np.all(np.abs(counts - whole * part.size) <= 1.0)
    assert (len(s.y_test), len(s.y_dev)) == (150, 150)


def test_small_classes_keep_a_training_example():
    X, y = labelled(counts=(40, 2, 1))
    s = train_dev_test_split(X, y, dev=0.3, test=0.3, seed=0)
    assert set(np.unique(s.y_train)) == {0, 1, 2}


def test_string_labels_and_empty_dev():
    X, _ = labelled(counts=(10, 10))
    y = np.array(["speech"] * 10 + ["music"] * 10)
    s = train_dev_test_split(X, y, dev=0.0, test=0.2, seed=0)
    assert s.X_dev.shape == (0, 3) and s.y_dev.shape == (0,)
    assert sorted(s.y_test.tolist()) == ["music", "music", "speech", "speech"]


def test_split_rejects_bad_input():
    X, y = labelled(counts=(10, 10))
    with pytest.raises(ParameterError, match="single class"):
        train_dev_test_split(X, np.zeros(20, int), seed=0)
    with pytest.raises(ParameterError, match="dev \\+ test must be < 1"):
        train_dev_test_split(X, y, dev=0.5, test=0.5, seed=0)
    with pytest.raises(ParameterError, match="y has 19 labels but X has 20 rows"):
        train_dev_test_split(X, y[:-1], seed=0)
    X[4, 2] = np.nan
    with pytest.raises(ParameterError, match=r"NaN at row 4, feature column 2 \(X\[4, 2\]=nan\)"):
        train_dev_test_split(X, y, seed=0)


# --- checks -------------------------------------------------------------------------------

def test_check_features_names_the_row_and_column():
    X = np.zeros((5, 4))
    X[3, 1] = np.inf
    with pytest.raises(ParameterError, match=r"Inf at row 3, feature column 1 \(X\[3, 1\]=inf\)"):
        check_features(X)
    with pytest.raises(ParameterError, match="two-dimensional"):
        check_features(np.zeros(5))
    with pytest.raises(ParameterError, match="empty"):
        check_features(np.zeros((0, 3)))
    with pytest.raises(ParameterError, match="X.dtype"):
        check_features(np.array([["a"]]))
    assert check_features(np.ones((2, 2), dtype=np.float32)).dtype == np.float64


def test_check_labels():
    with pytest.raises(ParameterError, match="y must be one-dimensional"):
        check_labels(np.zeros((3, 1)))
    with pytest.raises(ParameterError, match="non-finite label at index 1"):
        check_labels([0.0, np.nan])
    with pytest.raises(ParameterError, match="y.dtype"):
        check_labels(np.array([None, 1], dtype=object))


# --- normalisation ------------------------------------------------------------------------

def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 3.0, (1000, 4))
    X_dev = rng.normal(-2.0, 0.5, (100, 4))
    scaler = Standardizer().fit(X_train)
    Z = scaler.transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaler.transform(X_dev), (X_dev - X_train.mean(0)) / X_train.std(0))
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X_dev)), X_dev, rtol=1e-12)
    np.testing.assert_allclose(standardize(X_dev, mean=scaler.mean_, std=scaler.scale_), scaler.transform(X_dev))


def test_zero_variance_features_get_scale_one():
    # column 0: std exactly 0; column 1: constant, but its std is rounding noise (1.4e-14)
    X = np.column_stack([np.full(5, 3.0), np.full(5, 123.456), np.arange(5.0)])
    assert X[:, 1].std() > 0
    scaler = Standardizer().fit(X)
    np.testing.assert_array_equal(scaler.scale_[:2], [1.0, 1.0])
    Z = scaler.transform(X)
    # centred, not blown up to ±1 by dividing rounding noise by rounding noise
    assert np.all(np.isfinite(Z)) and np.all(np.abs(Z[:, :2]) < 1e-12)


def test_standardizer_errors_and_reset():
    with pytest.raises(ParameterError, match="not fitted"):
        Standardizer().transform(np.ones((2, 2)))
    scaler = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ParameterError, match="X has 3 feature columns but 2 are expected"):
        scaler.transform(np.ones((3, 3)))
    assert scaler.reset() is scaler and not hasattr(scaler, "mean_")
    with pytest.raises(ParameterError, match="std must be > 0"):
        standardize(np.ones((2, 2)), mean=[0, 0], std=[1, 0])
    with pytest.raises(ParameterError, match="mean must have shape"):
        standardize(np.ones((2, 2)), mean=[0], std=[1, 1])


# --- encoding and metrics -----------------------------------------------------------------

def test_one_hot():
    np.testing.assert_array_equal(one_hot([1, 0, 1], n_classes=2), [[0, 1], [1, 0], [0, 1]])
    with pytest.raises(ParameterError, match=r"y\[1\]=3 with n_classes=3"):
        one_hot([0, 3], n_classes=3)


def test_accuracy_and_confusion_matrix():
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    assert accuracy(y_true, y_pred) == pytest.approx(5 / 7)
    C = confusion_matrix(y_true, y_pred, n_classes=3)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert np.trace(C) / C.sum() == pytest.approx(accuracy(y_true, y_pred))
    with pytest.raises(ParameterError, match="same length"):
        accuracy([0, 1], [0])
    with pytest.raises(ParameterError, match="y_pred must hold class indices"):
        confusion_matrix([0, 1], [0, 5], n_classes=2)


def test_confusion_matrix_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    np.testing.assert_array_equal(confusion_matrix(t, p, n_classes=4), metrics.confusion_matrix(t, p))
