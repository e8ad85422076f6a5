"""Tests of listenwidgets.dsp.mlp: the MLP estimator against scikit-learn, its contract, saving."""

import json
import warnings

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.dsp.datasets import Standardizer, train_dev_test_split
from listenwidgets.dsp.mlp import MLP, History
from listenwidgets.dsp.optim import ewma

#: Our test accuracy may be at most this much below scikit-learn's on the same data and settings.
MARGIN = 0.03


def blobs(n=400, n_features=6, n_classes=3, seed=0, spread=1.0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, (n_classes, n_features))
    y = rng.integers(0, n_classes, n)
    return centres[y] + spread * rng.standard_normal((n, n_features)), y


def xor(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    return X, y


# --- against scikit-learn ----------------------------------------------------------------

@pytest.fixture(scope="module")
def sklearn_mlp():
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def fit(X, y, *, epochs, seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="adam",
                                 learning_rate_init=1e-3, alpha=1e-4, batch_size=200, max_iter=epochs,
                                 shuffle=True, random_state=seed, tol=0.0,
                                 n_iter_no_change=epochs + 1).fit(X, y)
    return fit


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1])
def test_accuracy_matches_sklearn_mlpclassifier(sklearn_mlp, n_classes, seed):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=2000, n_features=40, n_informative=20, n_redundant=10,
                               n_classes=n_classes, random_state=seed)
    s = train_dev_test_split(X, y, dev=0.0, test=0.25, seed=seed)
    scaler = Standardizer().fit(s.X_train)
    X_train, X_test = scaler.transform(s.X_train), scaler.transform(s.X_test)
    epochs = 60
    # Same architecture (64 ReLU units), initialisation (Glorot uniform), optimizer (Adam,
    # α = 1e-3, β₁ = 0.9, β₂ = 0.999, ε = 1e-8), batch size, epochs and L2 (λ = alpha = 1e-4).
    ours = MLP(hidden_layer_sizes=(64,), activation="relu", init="xavier", optimizer="adam",
               learning_rate=1e-3, l2=1e-4, batch_size=200, epochs=epochs, seed=seed).fit(X_train, s.y_train)
    theirs = sklearn_mlp(X_train, s.y_train, epochs=epochs, seed=seed)
    ours_acc, their_acc = ours.score(X_test, s.y_test), theirs.score(X_test, s.y_test)
    assert ours_acc >= their_acc - MARGIN, (ours_acc, their_acc)
    assert ours.n_iter_ == theirs.n_iter_ == epochs
    # the training cost follows scikit-learn's (which includes the same L2 term) within 25 %
    assert ours.loss_curve_[-1] == pytest.approx(theirs.loss_curve_[-1], rel=0.25)


def test_sklearn_clone_and_get_params():
    base = pytest.importorskip("sklearn.base")
    model = MLP(hidden_layer_sizes=(8, 4), activation=("tanh", "relu"), seed=3)
    copy = base.clone(model)
    assert copy.get_params() == model.get_params()
    assert repr(model) == "MLP(hidden_layer_sizes=(8, 4), activation=('tanh', 'relu'), seed=3)"


# --- what the lecture promises -------------------------------------------------------------

def test_logistic_regression_separates_a_linearly_separable_set():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (300, 2))
    y = np.where(X @ [2.0, -1.0] + 0.3 > 0, "right", "left")
    X, y = X[np.abs(X @ [2.0, -1.0] + 0.3) > 0.05], y[np.abs(X @ [2.0, -1.0] + 0.3) > 0.05]  # a margin
    model = MLP(hidden_layer_sizes=(), optimizer="gd", learning_rate=1.0, batch_size=None,
                epochs=2000, l2=0.0).fit(X, y)
    assert model.score(X, y) == 1.0
    (w, b), = model.params_
    assert w.shape == (2, 1) and b.shape == (1,)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-(X @ w[:, 0] + b[0]))), rtol=1e-12)


def test_xor_needs_a_hidden_layer():
    X, y = xor()
    logistic = MLP(hidden_layer_sizes=(), learning_rate=0.05, batch_size=50, epochs=200).fit(X, y)
    mlp = MLP(hidden_layer_sizes=(16,), activation="tanh", learning_rate=0.05, batch_size=50,
              epochs=200).fit(X, y)
    assert logistic.score(X, y) < 0.75
    assert mlp.score(X, y) > 0.95


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "rmsprop", "adam"])
def test_every_optimizer_learns(optimizer):
    X, y = blobs()
    lr = {"gd": 0.5, "momentum": 0.5, "rmsprop": 0.01, "adam": 0.01}[optimizer]
    model = MLP(hidden_layer_sizes=(16,), optimizer=optimizer, learning_rate=lr, batch_size=32,
                epochs=30).fit(X, y)
    assert model.diverged_ is None
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_every_activation_learns_with_two_hidden_layers(activation):
    X, y = blobs(seed=1)
    model = MLP(hidden_layer_sizes=(16, 8), activation=activation, learning_rate=0.01, batch_size=32,
                epochs=40).fit(X, y)
    assert model.score(X, y) > 0.9


def test_dropout_and_l2_train_and_predict_deterministically():
    X, y = blobs(seed=2)
    model = MLP(hidden_layer_sizes=(32,), dropout=0.3, l2=0.1, learning_rate=0.01, batch_size=32,
                epochs=40).fit(X, y)
    assert model.score(X, y) > 0.9
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))   # no dropout at inference
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


def test_history_with_a_dev_set():
    X, y = blobs(n=600, seed=3)
    s = train_dev_test_split(X, y, seed=0)
    model = MLP(hidden_layer_sizes=(16,), learning_rate=0.01, batch_size=32, epochs=12)
    assert model.fit(s.X_train, s.y_train, X_dev=s.X_dev, y_dev=s.y_dev) is model
    h = model.history_
    assert isinstance(h, History)
    assert len(h.train_loss) == len(h.dev_accuracy) == len(model.loss_curve_) == 12
    assert np.all(np.isfinite(h.dev_loss)) and h.dev_loss[-1] < h.dev_loss[0]
    assert h.dev_accuracy[-1] == pytest.approx(model.score(s.X_dev, s.y_dev))
    # the epoch cost is the mean of its mini-batch costs, weighted by batch size
    steps = int(np.ceil(len(s.y_train) / 32))
    assert len(model.batch_loss_curve_) == model.t_ == 12 * steps
    smooth = ewma(model.batch_loss_curve_, beta=0.9, bias_correction=True)
    assert smooth.shape == (model.t_,) and smooth[0] == pytest.approx(model.batch_loss_curve_[0])


# --- the estimator contract ---------------------------------------------------------------

def test_fit_is_reproducible_by_seed():
    X, y = blobs()
    a = MLP(hidden_layer_sizes=(8,), dropout=0.2, batch_size=32, epochs=5, seed=4).fit(X, y)
    b = MLP(hidden_layer_sizes=(8,), dropout=0.2, batch_size=32, epochs=5, seed=4).fit(X, y)
    c = MLP(hidden_layer_sizes=(8,), dropout=0.2, batch_size=32, epochs=5, seed=5).fit(X, y)
    assert all(np.array_equal(p, q) for (p, _), (q, _) in zip(a.params_, b.params_))
    assert not np.array_equal(a.params_[0][0], c.params_[0][0])


def test_partial_fit_equals_fit_epoch_by_epoch():
    X, y = blobs()
    full = MLP(hidden_layer_sizes=(8,), batch_size=50, epochs=4).fit(X, y)
    inc = MLP(hidden_layer_sizes=(8,), batch_size=50, epochs=4)
    for _ in range(4):
        assert inc.partial_fit(X, y) is inc
    np.testing.assert_array_equal(full.predict_proba(X), inc.predict_proba(X))
    assert (inc.n_iter_, inc.t_, inc.optimizer_.t_) == (4, 32, 32)


def test_step_takes_one_update_and_reset_clears():
    X, y = blobs()
    model = MLP(hidden_layer_sizes=(8,))
    assert model.step(X[:20], y[:20], classes=[0, 1, 2]) is model
    assert (model.t_, model.n_iter_, len(model.batch_loss_curve_)) == (1, 0, 1)
    model.step(X[20:40], y[20:40])
    assert model.t_ == 2
    assert model.reset() is model
    assert not any(hasattr(model, a) for a in ("params_", "classes_", "t_", "loss_curve_", "diverged_"))
    with pytest.raises(ParameterError, match="not fitted"):
        model.predict(X)


def test_hyper_parameters_may_change_between_epochs():
    X, y = blobs()
    model = MLP(hidden_layer_sizes=(8,), batch_size=50).partial_fit(X, y)
    model.set_params(learning_rate=0.05, optimizer="momentum")
    model.partial_fit(X, y)
    assert type(model.optimizer_).__name__ == "Momentum" and model.optimizer_.learning_rate == 0.05
    assert model.optimizer_.t_ == 8 and model.t_ == 16
    model.set_params(hidden_layer_sizes=(9,))
    with pytest.raises(ParameterError, match=r"hidden_layer_sizes=\(9,\) differs"):
        model.partial_fit(X, y)


def test_string_labels_and_predict_proba_columns():
    X, y = blobs(n_classes=2)
    labels = np.array(["music", "speech"])[y]
    model = MLP(hidden_layer_sizes=(8,), learning_rate=0.01, batch_size=32, epochs=20).fit(X, labels)
    assert model.classes_.tolist() == ["music", "speech"]
    P = model.predict_proba(X)
    assert P.shape == (len(X), 2)
    np.testing.assert_array_equal(model.predict(X), model.classes_[np.argmax(P, axis=1)])
    assert model.score(X, labels) > 0.9


# --- divergence ---------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", ["gd", "momentum", "rmsprop", "adam"])
@pytest.mark.parametrize("hidden", [(), (16,)])
def test_a_diverging_learning_rate_is_detected(optimizer, hidden):
    X, y = blobs(n=300, n_classes=2, seed=6, spread=4.0)          # overlapping: no perfect separation
    X = 100.0 * X + 50.0                                          # unnormalised features
    model = MLP(hidden_layer_sizes=hidden, optimizer=optimizer, learning_rate=1e3, batch_size=30, epochs=50)
    assert model.fit(X, y) is model                               # no exception: the trainer shows it
    assert model.diverged_ is not None
    assert "learning_rate=1000" in model.diverged_ and "diverged" in model.diverged_
    assert model.n_iter_ < 50                                     # training stopped
    t = model.t_
    model.partial_fit(X, y)                                       # a diverged model is left alone
    assert model.t_ == t
    model.set_params(learning_rate=1e-3)
    assert model.fit((X - X.mean(0)) / X.std(0), y).diverged_ is None   # fit starts again


# --- bad input ----------------------------------------------------------------------------

def test_bad_data_raises_parameter_error():
    X, y = blobs()
    with pytest.raises(ParameterError, match="single class"):
        MLP().fit(X, np.zeros(len(X)))
    X_nan = X.copy()
    X_nan[7, 3] = np.nan
    with pytest.raises(ParameterError, match=r"NaN at row 7, feature column 3"):
        MLP().fit(X_nan, y)
    with pytest.raises(ParameterError, match="y has 399 labels but X has 400 rows"):
        MLP().fit(X, y[:-1])
    model = MLP(hidden_layer_sizes=(4,), epochs=1).fit(X, y)
    with pytest.raises(ParameterError, match="X has 5 feature columns but 6 are expected"):
        model.predict(X[:, :5])
    with pytest.raises(ParameterError, match=r"y\[0\]=7 is not one of the classes"):
        model.partial_fit(X[:3], [7, 0, 1])
    with pytest.raises(ParameterError, match="X_dev and y_dev must be given together"):
        MLP().fit(X, y, X_dev=X)


@pytest.mark.parametrize("params, match", [
    (dict(activation="swish"), "activation must be one of"),
    (dict(activation=("relu", "tanh")), "one per hidden layer"),
    (dict(optimizer="sgd"), "optimizer must be one of"),
    (dict(learning_rate=0), "learning_rate must be > 0"),
    (dict(hidden_layer_sizes=64), "hidden_layer_sizes must be a sequence"),
    (dict(hidden_layer_sizes=(0,)), r"hidden_layer_sizes\[\] must be >= 1"),
    (dict(dropout=1.0), "dropout must be < 1"),
    (dict(batch_size=0), "batch_size must be >= 1"),
    (dict(init="zeros"), "init must be one of"),
    (dict(beta2=1.0), "beta2 must be < 1"),
])
def test_bad_hyper_parameters_raise_at_fit(params, match):
    X, y = blobs(n=50)
    model = MLP(**params)                                         # the constructor only stores
    with pytest.raises(ParameterError, match=match):
        model.fit(X, y)


def test_set_params_rejects_unknown_names():
    with pytest.raises(ParameterError, match="MLP has no parameter learningrate=0.1"):
        MLP().set_params(learningrate=0.1)


# --- saving -------------------------------------------------------------------------------

def test_save_load_round_trip(tmp_path):
    X, y = blobs()
    labels = np.array(["a", "b", "c"])[y]
    model = MLP(hidden_layer_sizes=(8, 5), activation=("tanh", "relu"), batch_size=50, epochs=5,
                dropout=0.1).fit(X, labels, X_dev=X[:50], y_dev=labels[:50])
    npz, js = model.save(tmp_path / "model.npz")
    assert (npz.name, js.name) == ("model.npz", "model.json")
    with np.load(npz, allow_pickle=False) as data:              # no object arrays, no pickle
        assert sorted(data.files) == ["W0", "W1", "W2", "b0", "b1", "b2", "optimizer_s", "optimizer_v"]
        assert all(data[k].dtype == np.float64 for k in data.files)
    loaded = MLP.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.get_params() == model.get_params()
    assert loaded.history_ == model.history_                      # dev given: no NaN entries
    assert (loaded.n_iter_, loaded.t_, loaded.loss_curve_) == (model.n_iter_, model.t_, model.loss_curve_)
    # the optimizer state is saved too: continuing training gives the same model
    model.partial_fit(X, labels)
    loaded.partial_fit(X, labels)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_to_dict_survives_json():
    X, y = blobs(n_classes=2)
    model = MLP(hidden_layer_sizes=(4,), optimizer="momentum", batch_size=50, epochs=3).fit(X, y)
    copy = MLP.from_dict(json.loads(json.dumps(model.to_dict())))
    np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))
    assert copy.classes_.dtype == model.classes_.dtype
    unfitted = MLP.from_dict(MLP(epochs=7).to_dict())
    assert unfitted.epochs == 7 and not hasattr(unfitted, "params_")


def test_load_rejects_foreign_or_missing_files(tmp_path):
    with pytest.raises(ParameterError, match="cannot read a saved MLP"):
        MLP.load(tmp_path / "missing")
    with pytest.raises(ParameterError, match="not a saved MLP"):
        MLP.from_dict({"format": "something else"})
    d = MLP(hidden_layer_sizes=(4,), epochs=1).fit(*blobs()).to_dict()
    del d["arrays"]["W1"]
    with pytest.raises(ParameterError, match="incomplete or corrupt"):
        MLP.from_dict(d)
