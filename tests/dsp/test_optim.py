"""Tests of listenwidgets.dsp.optim: each update equation by hand, mini-batches, EWMA, divergence."""

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.dsp.optim import (
    OPTIMIZERS,
    Adam,
    GradientDescent,
    Momentum,
    RMSprop,
    divergence,
    ewma,
    make_optimizer,
    minibatches,
)

THETA = np.array([[1.0, -2.0], [0.5, 3.0]])
G1 = np.array([[0.4, -1.0], [2.0, 0.0]])
G2 = np.array([[-0.2, 0.3], [1.0, 5.0]])
BIAS, GB = np.array([0.1]), np.array([-0.7])


def run(opt, grads):
    """Step a copy of (THETA, BIAS) through the gradient pairs; return the parameters after each step."""
    params = [THETA.copy(), BIAS.copy()]
    out = []
    for g in grads:
        assert opt.step(params, g) is opt
        out.append([p.copy() for p in params])
    return out


def test_gradient_descent_step():
    (w, b), = run(GradientDescent(learning_rate=0.1), [[G1, GB]])
    np.testing.assert_array_equal(w, THETA - 0.1 * G1)
    np.testing.assert_array_equal(b, BIAS - 0.1 * GB)


def test_momentum_two_steps_by_hand():
    # v = β v + (1 − β) g ; θ = θ − α v   (Ng's convention)
    beta, lr = 0.9, 0.5
    opt = Momentum(learning_rate=lr, beta1=beta)
    (w1, _), (w2, _) = run(opt, [[G1, GB], [G2, GB]])
    v1 = (1 - beta) * G1
    np.testing.assert_allclose(w1, THETA - lr * v1, rtol=1e-15)
    v2 = beta * v1 + (1 - beta) * G2
    np.testing.assert_allclose(w2, THETA - lr * v1 - lr * v2, rtol=1e-15)
    np.testing.assert_allclose(opt.v_[0], v2, rtol=1e-15)
    assert opt.t_ == 2


def test_rmsprop_two_steps_by_hand():
    # s = β₂ s + (1 − β₂) g² ; θ = θ − α g / (√s + ε)
    b2, lr, eps = 0.99, 0.01, 1e-8
    opt = RMSprop(learning_rate=lr, beta2=b2, epsilon=eps)
    (w1, _), (w2, _) = run(opt, [[G1, GB], [G2, GB]])
    s1 = (1 - b2) * G1 ** 2
    t1 = THETA - lr * G1 / (np.sqrt(s1) + eps)
    np.testing.assert_allclose(w1, t1, rtol=1e-14)
    s2 = b2 * s1 + (1 - b2) * G2 ** 2
    np.testing.assert_allclose(w2, t1 - lr * G2 / (np.sqrt(s2) + eps), rtol=1e-14)
    np.testing.assert_allclose(opt.s_[0], s2, rtol=1e-15)


def test_adam_bias_correction_at_t1_gives_the_gradient_and_its_square():
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    opt = Adam(learning_rate=lr, beta1=b1, beta2=b2, epsilon=eps)
    (w1, _), = run(opt, [[G1, GB]])
    v_hat = opt.v_[0] / (1 - b1 ** 1)
    s_hat = opt.s_[0] / (1 - b2 ** 1)
    np.testing.assert_allclose(v_hat, G1, rtol=1e-14)
    np.testing.assert_allclose(s_hat, G1 ** 2, rtol=1e-12)
    # so the first step is α g / (|g| + ε): about α per parameter, whatever the gradient's scale
    np.testing.assert_allclose(w1, THETA - lr * G1 / (np.abs(G1) + eps), rtol=1e-12)


def test_adam_two_steps_by_hand():
    b1, b2, lr, eps = 0.8, 0.95, 0.05, 1e-6
    opt = Adam(learning_rate=lr, beta1=b1, beta2=b2, epsilon=eps)
    (w1, b1_), (w2, _) = run(opt, [[G1, GB], [G2, GB]])
    theta, v, s = THETA.copy(), 0.0, 0.0
    for t, g in enumerate([G1, G2], start=1):
        v = b1 * v + (1 - b1) * g
        s = b2 * s + (1 - b2) * g ** 2
        theta = theta - lr * (v / (1 - b1 ** t)) / (np.sqrt(s / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose([w1, w2][t - 1], theta, rtol=1e-13)
    assert opt.t_ == 2


def test_reset_clears_the_state():
    opt = Adam()
    run(opt, [[G1, GB]])
    assert opt.reset() is opt
    assert (opt.t_, opt.v_, opt.s_) == (0, None, None)


def test_restored_moments_are_continued():
    opt = Momentum(learning_rate=1.0, beta1=0.5)
    opt.v_ = [np.full((2, 2), 2.0), np.array([0.0])]
    (w, _), = run(opt, [[np.zeros((2, 2)), GB]])
    np.testing.assert_allclose(w, THETA - 1.0)            # v = 0.5 * 2 + 0


def test_make_optimizer_picks_the_knobs_of_each_rule():
    assert isinstance(make_optimizer("gd", learning_rate=0.1), GradientDescent)
    m = make_optimizer("momentum", learning_rate=0.1, beta1=0.5, beta2=0.2)
    assert (type(m), m.beta1) == (Momentum, 0.5)
    a = make_optimizer("adam", learning_rate=0.1, beta1=0.5, beta2=0.2, epsilon=1e-3)
    assert (a.learning_rate, a.beta1, a.beta2, a.epsilon) == (0.1, 0.5, 0.2, 1e-3)
    assert set(OPTIMIZERS) == {"gd", "momentum", "rmsprop", "adam"}


@pytest.mark.parametrize("call, match", [
    (lambda: make_optimizer("sgd", learning_rate=0.1), "optimizer must be one of"),
    (lambda: Adam(learning_rate=0.0), "learning_rate must be > 0"),
    (lambda: Momentum(beta1=1.0), "beta1 must be < 1"),
    (lambda: RMSprop(epsilon=0.0), "epsilon must be > 0"),
    (lambda: make_optimizer("gd", learning_rate=0.1, beta2=1.5), "beta2 must be <= 1"),
])
def test_bad_hyper_parameters(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_step_checks_params_and_grads():
    opt = GradientDescent()
    with pytest.raises(ParameterError, match="grads\\[0\\] must match params\\[0\\].shape"):
        opt.step([np.zeros(3)], [np.zeros(4)])
    with pytest.raises(ParameterError, match="same number of arrays"):
        opt.step([np.zeros(3)], [])
    with pytest.raises(ParameterError, match="writeable float64"):
        opt.step([np.zeros(3, dtype=int)], [np.zeros(3)])
    adam = Adam()
    adam.step([np.zeros(3)], [np.ones(3)])
    with pytest.raises(ParameterError, match="call reset"):
        adam.step([np.zeros(4)], [np.ones(4)])


# --- mini-batches -------------------------------------------------------------------------

def test_minibatches_cover_every_example_once():
    batches = minibatches(1003, batch_size=100, seed=0)
    assert [len(b) for b in batches] == [100] * 10 + [3]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(1003))


def test_minibatches_are_reproducible_and_shuffled():
    a = minibatches(50, batch_size=8, seed=3)
    b = minibatches(50, batch_size=8, seed=3)
    c = minibatches(50, batch_size=8, seed=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert not np.array_equal(np.concatenate(a), np.arange(50))


def test_minibatches_without_shuffle_and_full_batch():
    assert [b.tolist() for b in minibatches(5, batch_size=2, seed=0, shuffle=False)] == [[0, 1], [2, 3], [4]]
    full = minibatches(5, batch_size=None, seed=0, shuffle=False)
    assert [b.tolist() for b in full] == [[0, 1, 2, 3, 4]]
    assert len(minibatches(5, batch_size=50, seed=0)) == 1
    with pytest.raises(ParameterError, match="batch_size must be >= 1"):
        minibatches(5, batch_size=0, seed=0)
    with pytest.raises(ParameterError, match="seed must be >= 0"):
        minibatches(5, batch_size=2, seed=-1)


# --- EWMA ---------------------------------------------------------------------------------

@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98])
def test_bias_corrected_ewma_of_a_constant_is_the_constant_from_the_first_step(beta):
    np.testing.assert_allclose(ewma(np.full(30, 7.0), beta=beta, bias_correction=True), 7.0, rtol=1e-12)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98])
def test_uncorrected_ewma_starts_low(beta):
    v = ewma(np.full(30, 7.0), beta=beta, bias_correction=False)
    assert v[0] == pytest.approx((1 - beta) * 7.0)
    np.testing.assert_allclose(v, 7.0 * (1 - beta ** np.arange(1, 31)), rtol=1e-12)
    assert np.all(np.diff(v) > 0)


def test_ewma_matches_its_recursion():
    x = np.random.default_rng(0).standard_normal(200)
    beta, v, ref, ref_hat = 0.9, 0.0, [], []
    for t, value in enumerate(x, start=1):
        v = beta * v + (1 - beta) * value
        ref.append(v)
        ref_hat.append(v / (1 - beta ** t))
    np.testing.assert_allclose(ewma(x, beta=beta, bias_correction=False), ref, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ewma(x, beta=beta, bias_correction=True), ref_hat, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(ewma(x, beta=0.0), x)
    assert ewma([], beta=0.9).shape == (0,)


def test_ewma_arguments():
    with pytest.raises(ParameterError, match="beta must be < 1"):
        ewma([1.0], beta=1.0)
    with pytest.raises(ParameterError, match="values must be a one-dimensional"):
        ewma(np.ones((2, 2)), beta=0.5)


# --- divergence ---------------------------------------------------------------------------

def test_divergence_flags_nan_and_inf():
    assert "nan" in divergence([0.7, 0.6, float("nan")])
    assert "inf" in divergence([0.7, float("inf")])


def test_divergence_flags_sustained_growth():
    losses = [0.7, 0.9, 5.0, 20.0, 80.0, 300.0, 900.0, 5000.0]
    assert divergence(losses[:6], window=5) is None           # only 4 steps above 7.0 so far
    reason = divergence(losses, window=5)
    assert "grew from 0.7 to 5e+03" in reason


def test_divergence_ignores_healthy_and_noisy_small_losses():
    rng = np.random.default_rng(0)
    decreasing = list(0.7 * np.exp(-np.arange(500) / 50))
    assert divergence(decreasing) is None
    # a well-trained model: tiny losses that jump by 100x between mini-batches are not divergence
    noisy = [0.7] + list(1e-5 * np.exp(rng.normal(0, 2.5, 300)))
    assert all(divergence(noisy[:k]) is None for k in range(1, len(noisy) + 1))
    assert divergence([]) is None


def test_divergence_arguments():
    with pytest.raises(ParameterError, match="factor must be > 1"):
        divergence([1.0], factor=1.0)
    with pytest.raises(ParameterError, match="window must be >= 1"):
        divergence([1.0], window=0)
