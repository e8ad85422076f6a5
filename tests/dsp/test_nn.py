"""Tests of listenwidgets.dsp.nn: activations, softmax, cross-entropy, forward/backward, dropout.

Gradient checks use central finite differences, (f(x + h) - f(x - h)) / 2h with h = 1e-6,
in float64, and the relative error ||g - g_fd|| / (||g|| + ||g_fd||) must be below 1e-6
(it is about 1e-9 in practice).
"""

import numpy as np
import pytest
import scipy.special

from listenwidgets import ParameterError
from listenwidgets.dsp.nn import (
    ACTIVATIONS,
    ForwardCache,
    activate,
    activation_derivative,
    backward,
    cost,
    cross_entropy,
    forward,
    init_params,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
)

H = 1e-6
TOL = 1e-6


def rel_error(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def away_from_zero(n, seed=0):
    """Points in [-3, 3] at least 1e-3 from 0 (ReLU's kink), so central differences are exact."""
    x = np.random.default_rng(seed).uniform(-3, 3, n)
    return np.where(np.abs(x) < 1e-3, 0.5, x)


# --- activations --------------------------------------------------------------------------

PAIRS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (lambda x: leaky_relu(x, slope=0.05), lambda x: leaky_relu_derivative(x, slope=0.05)),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivative_matches_central_difference(name):
    f, df = PAIRS[name]
    x = away_from_zero(200)
    fd = (f(x + H) - f(x - H)) / (2 * H)
    assert rel_error(df(x), fd) < TOL


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_named_dispatch_equals_the_functions(name):
    f, df = PAIRS[name]
    x = away_from_zero(50, seed=1)
    np.testing.assert_allclose(activate(x, activation=name, slope=0.05), f(x), rtol=1e-15)
    np.testing.assert_allclose(activation_derivative(x, activation=name, slope=0.05), df(x), rtol=1e-15)


def test_activation_values():
    assert sigmoid(0.0) == 0.5
    np.testing.assert_allclose(sigmoid([-800.0, 800.0]), [0.0, 1.0])   # no overflow warning
    np.testing.assert_allclose(tanh([0.5]), np.tanh([0.5]))
    np.testing.assert_array_equal(relu([-1.0, 2.0]), [0.0, 2.0])
    np.testing.assert_array_equal(leaky_relu([-1.0, 2.0], slope=0.2), [-0.2, 2.0])
    np.testing.assert_array_equal(relu_derivative([-1.0, 0.0, 1.0]), [0.0, 0.0, 1.0])
    assert sigmoid_derivative(0.0) == 0.25
    assert sigmoid([1, 2]).dtype == np.float64                      # integers become float64
    assert sigmoid(np.float32([1.0])).dtype == np.float32


def test_softmax_is_stable_and_matches_scipy():
    x = np.random.default_rng(0).normal(0, 50, (6, 5)) + 1000
    p = softmax(x)
    np.testing.assert_allclose(p, scipy.special.softmax(x, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(softmax(x.T, axis=0), p.T, rtol=1e-12)


def test_bad_activation_arguments():
    with pytest.raises(ParameterError, match="activation must be one of"):
        activate([1.0], activation="swish")
    with pytest.raises(ParameterError, match="slope"):
        leaky_relu([1.0], slope=-0.1)
    with pytest.raises(ParameterError, match="x.dtype"):
        relu(np.array(["a"]))
    with pytest.raises(ParameterError, match="axis=3"):
        softmax(np.ones((2, 2)), axis=3)


# --- cross-entropy ------------------------------------------------------------------------

def test_binary_cross_entropy_equals_the_textbook_formula():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 2, (50, 1))
    y = (rng.random((50, 1)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert cross_entropy(y, z, output="sigmoid") == pytest.approx(naive, rel=1e-12)


def test_categorical_cross_entropy_equals_the_textbook_formula():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, (40, 4))
    y = np.eye(4)[rng.integers(0, 4, 40)]
    naive = -np.mean(np.sum(y * np.log(scipy.special.softmax(z, axis=1)), axis=1))
    assert cross_entropy(y, z, output="softmax") == pytest.approx(naive, rel=1e-12)


def test_cross_entropy_is_finite_for_confident_mistakes():
    # log(σ(-1000)) would be log(0) = -inf; from the logits the loss is |z| = 1000.
    assert cross_entropy([[1.0]], [[-1000.0]], output="sigmoid") == pytest.approx(1000.0)
    assert cross_entropy([[1.0, 0.0]], [[0.0, 1000.0]], output="softmax") == pytest.approx(1000.0)


def test_cross_entropy_checks_targets():
    with pytest.raises(ParameterError, match="Y must have the logits' shape"):
        cross_entropy(np.zeros((3, 1)), np.zeros((3, 2)), output="softmax")
    with pytest.raises(ParameterError, match="sum to 1"):
        cross_entropy(np.zeros((3, 2)), np.zeros((3, 2)), output="softmax")
    with pytest.raises(ParameterError, match="output must be one of"):
        cross_entropy(np.zeros((3, 1)), np.zeros((3, 1)), output="tanh")


# --- the network --------------------------------------------------------------------------

def numeric_gradient(params, X, Y, names, l2, rng_seed=None, dropout=0.0):
    """Central differences of cost() with respect to every weight (same dropout mask each time)."""
    def J():
        kwargs = dict(dropout=dropout, rng=rng_seed, training=True) if dropout else {}
        _, cache = forward(params, X, activations=names, **kwargs)
        return cost(params, cache, Y, activations=names, l2=l2)

    out = []
    for W, b in params:
        for arr in (W, b):
            for i in np.ndindex(arr.shape):
                old = arr[i]
                arr[i] = old + H
                plus = J()
                arr[i] = old - H
                minus = J()
                arr[i] = old
                out.append((plus - minus) / (2 * H))
    return np.array(out)


def generic(params, seed=9):
    """Give the biases random values: with zero biases a unit whose inputs are all dead ReLUs has
    z = 0 exactly, ReLU's kink, where a central difference sees the slope 1/2."""
    rng = np.random.default_rng(seed)
    return [(W, rng.normal(0, 0.1, b.shape)) for W, b in params]


def flat(grads):
    return np.concatenate([a.ravel() for pair in grads for a in pair])


def problem(n_out, seed=0, m=7, n_x=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x))
    if n_out == 1:
        Y = (rng.random((m, 1)) > 0.5).astype(float)
    else:
        Y = np.eye(n_out)[rng.integers(0, n_out, m)]
    return X, Y


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", [(6, 5), (6, 5, 4)])
@pytest.mark.parametrize("n_out", [1, 3])
def test_network_gradient_matches_central_difference(activation, hidden, n_out):
    X, Y = problem(n_out)
    names = (activation,) * len(hidden) + ("sigmoid" if n_out == 1 else "softmax",)
    params = generic(init_params([X.shape[1], *hidden, n_out], seed=3))
    _, cache = forward(params, X, activations=names)
    grads = backward(params, cache, Y, activations=names, l2=0.3)
    assert rel_error(flat(grads), numeric_gradient(params, X, Y, names, l2=0.3)) < TOL


def test_mixed_activations_gradient():
    X, Y = problem(3, seed=2)
    names = ("tanh", "leaky_relu", "sigmoid", "softmax")
    params = generic(init_params([5, 6, 5, 4, 3], seed=4, init="xavier"))
    _, cache = forward(params, X, activations=names)
    grads = backward(params, cache, Y, activations=names, l2=0.1)
    assert rel_error(flat(grads), numeric_gradient(params, X, Y, names, l2=0.1)) < TOL


def test_gradient_through_a_fixed_dropout_mask():
    X, Y = problem(1, seed=5)
    names = ("tanh", "tanh", "sigmoid")
    params = generic(init_params([5, 6, 5, 1], seed=6, init="xavier"))
    _, cache = forward(params, X, activations=names, dropout=0.4, rng=11, training=True)
    grads = backward(params, cache, Y, activations=names, l2=0.2)
    fd = numeric_gradient(params, X, Y, names, l2=0.2, rng_seed=11, dropout=0.4)
    assert rel_error(flat(grads), fd) < TOL


def test_logistic_regression_is_the_network_without_hidden_layers():
    X, Y = problem(1, seed=7)
    params = init_params([5, 1], seed=0)
    (w, b), = params
    P, cache = forward(params, X, activations=("sigmoid",))
    np.testing.assert_allclose(P[:, 0], scipy.special.expit(X @ w[:, 0] + b[0]), rtol=1e-14)
    (dw, db), = backward(params, cache, Y, activations=("sigmoid",))
    np.testing.assert_allclose(dw, X.T @ (P - Y) / len(X), rtol=1e-12)
    np.testing.assert_allclose(db, np.mean(P - Y, axis=0), rtol=1e-12)


def test_cost_adds_the_l2_term():
    X, Y = problem(3, seed=8)
    names = ("relu", "softmax")
    params = init_params([5, 4, 3], seed=1)
    _, cache = forward(params, X, activations=names)
    data = cross_entropy(Y, cache.z[-1], output="softmax")
    penalty = 0.7 / (2 * len(X)) * sum(np.sum(W ** 2) for W, _ in params)
    assert cost(params, cache, Y, activations=names, l2=0.7) == pytest.approx(data + penalty, rel=1e-13)


# --- dropout ------------------------------------------------------------------------------

def test_inverted_dropout_keeps_the_expected_activation():
    # One example repeated n times: each row of the hidden output gets its own mask.
    # Kept units are scaled by 1/keep, so the mean over masks equals the undropped activation.
    # The standard error of a unit's mean is a*sqrt((1-keep)/keep)/sqrt(n); allow 5 of them.
    n, keep = 40000, 0.6
    params = init_params([4, 16, 1], seed=0)
    X = np.tile(np.random.default_rng(1).standard_normal((1, 4)), (n, 1))
    names = ("relu", "sigmoid")
    _, clean = forward(params, X[:1], activations=names)
    _, cache = forward(params, X, activations=names, dropout=1 - keep, rng=2, training=True)
    a = clean.a[0][0]
    dropped = cache.inputs[1]
    assert np.all(np.isclose(dropped, 0.0) | np.isclose(dropped, a / keep, rtol=1e-14, atol=0))
    tolerance = 5 * a * np.sqrt((1 - keep) / keep) / np.sqrt(n) + 1e-12
    assert np.all(np.abs(dropped.mean(axis=0) - a) <= tolerance)
    assert abs(np.mean(cache.masks[0] > 0) - keep) < 0.01


def test_dropout_is_identity_at_inference():
    params = init_params([4, 8, 8, 3], seed=0)
    X = np.random.default_rng(0).standard_normal((10, 4))
    names = ("relu", "tanh", "softmax")
    P0, _ = forward(params, X, activations=names)
    P1, cache = forward(params, X, activations=names, dropout=0.5, rng=0, training=False)
    np.testing.assert_array_equal(P0, P1)
    assert all(m is None for m in cache.masks)


def test_dropout_never_touches_the_output_layer():
    params = init_params([4, 8, 2], seed=0)
    X = np.ones((5, 4))
    P, cache = forward(params, X, activations=("relu", "softmax"), dropout=0.5, rng=0, training=True)
    assert cache.masks[-1] is None
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


# --- init and validation ------------------------------------------------------------------

def test_init_params_shapes_scales_and_seed():
    he = init_params([400, 300, 2], seed=0, init="he")
    assert [(W.shape, b.shape) for W, b in he] == [((400, 300), (300,)), ((300, 2), (2,))]
    assert np.std(he[0][0]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert all(np.all(b == 0) for _, b in he)
    xavier = init_params([400, 300], seed=0, init="xavier")
    assert np.abs(xavier[0][0]).max() <= np.sqrt(6 / 700)
    again = init_params([400, 300, 2], seed=0, init="he")
    assert all(np.array_equal(W1, W2) for (W1, _), (W2, _) in zip(he, again))


def test_forward_cache_layout():
    params = init_params([3, 4, 2], seed=0)
    X = np.ones((5, 3))
    P, cache = forward(params, X, activations=("tanh", "softmax"))
    assert isinstance(cache, ForwardCache)
    assert [a.shape for a in cache.inputs] == [(5, 3), (5, 4)]
    assert [z.shape for z in cache.z] == [(5, 4), (5, 2)]
    assert cache.a[-1] is P


@pytest.mark.parametrize("kwargs, match", [
    (dict(activations=("swish", "sigmoid")), "activations\\[\\] must be one of"),
    (dict(activations=("relu", "relu")), "activations\\[-1\\] must be one of"),
    (dict(activations=("softmax", "sigmoid")), "activations\\[\\] must be one of"),
    (dict(activations=("relu",)), "one name per layer"),
    (dict(activations="relu"), "one activation per layer"),
    (dict(activations=("relu", "sigmoid"), dropout=1.0), "dropout must be < 1"),
    (dict(activations=("relu", "sigmoid"), dropout=0.5, training=True), "rng must be"),
])
def test_forward_rejects_bad_arguments(kwargs, match):
    params = init_params([3, 4, 1], seed=0)
    with pytest.raises(ParameterError, match=match):
        forward(params, np.ones((2, 3)), **kwargs)


def test_forward_rejects_mismatched_shapes_and_nan():
    params = init_params([3, 4, 1], seed=0)
    with pytest.raises(ParameterError, match="X has 2 feature columns but 3 are expected"):
        forward(params, np.ones((2, 2)), activations=("relu", "sigmoid"))
    with pytest.raises(ParameterError, match=r"row 1, feature column 2 \(X\[1, 2\]=nan\)"):
        forward(params, [[0, 0, 0], [0, 0, np.nan]], activations=("relu", "sigmoid"))
    broken = [params[0], (np.ones((5, 1)), np.zeros(1))]
    with pytest.raises(ParameterError, match="does not chain"):
        forward(broken, np.ones((2, 3)), activations=("relu", "sigmoid"))
    with pytest.raises(ParameterError, match="layer_sizes"):
        init_params([3], seed=0)
    with pytest.raises(ParameterError, match="init must be one of"):
        init_params([3, 1], seed=0, init="zeros")


def test_backward_rejects_wrong_targets():
    params = init_params([3, 4, 1], seed=0)
    _, cache = forward(params, np.ones((2, 3)), activations=("relu", "sigmoid"))
    with pytest.raises(ParameterError, match="Y must have the logits' shape"):
        backward(params, cache, np.ones((3, 1)), activations=("relu", "sigmoid"))
    with pytest.raises(ParameterError, match="l2 must be >= 0"):
        backward(params, cache, np.ones((2, 1)), activations=("relu", "sigmoid"), l2=-1.0)
