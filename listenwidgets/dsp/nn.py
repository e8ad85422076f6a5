"""Chapter 8, neural networks in numpy: activations, cross-entropy, forward and backward propagation.

Layout. Examples are **rows**: ``X`` has ``shape=(m, n_x)`` (scikit-learn's
layout, see :mod:`listenwidgets.dsp.datasets`). Layer ``l`` holds a weight
matrix ``W`` of ``shape=(n_{l-1}, n_l)`` and a bias ``b`` of ``shape=(n_l,)``
and computes

.. math:: Z^{[l]} = A^{[l-1]} W^{[l]} + b^{[l]}, \\qquad A^{[l]} = g^{[l]}(Z^{[l]}),

with ``A^{[0]} = X``. This is the lecture's ``Z = W A + b`` transposed (the
lecture stacks examples as columns, ``X`` of ``shape=(n_x, m)``).

Output layer and loss. The network ends in a **sigmoid** unit for two
classes (``n_y = 1``, ``ŷ = P(y = 1 | x)``; logistic regression
``ŷ = σ(wᵀx + b)`` is the network with no hidden layer) and a **softmax**
over ``n_y`` units for more than two classes -- the same choice as
scikit-learn's ``MLPClassifier``. Both pair with the cross-entropy
(:func:`cross_entropy`) so that the output layer's error is simply
``dZ^{[L]} = (Ŷ − Y) / m``. The cost minimised is

.. math:: J = \\frac{1}{m}\\sum_{i=1}^{m} \\mathcal{L}(ŷ_i, y_i)
              + \\frac{λ}{2m}\\sum_{l} \\lVert W^{[l]} \\rVert_F^2

(L2 regularisation, "weight decay"; biases are not penalised; ``m`` is the
number of examples in the batch, as in scikit-learn, whose ``alpha`` is this
``λ``).

Dropout is **inverted dropout** on the hidden layers' outputs: at training
time each unit is kept with probability ``keep = 1 − dropout`` and the kept
ones are scaled by ``1 / keep``, so that the expected activation is unchanged
and inference (``training=False``) is the identity -- no rescaling at test
time.

The functional core is :func:`init_params`, :func:`forward`,
:func:`backward` and :func:`cost`; :class:`listenwidgets.dsp.mlp.MLP` wraps it
in an estimator.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ..errors import ParameterError
from ._checks import check_choice, check_int, check_real, short_repr
from .datasets import _generator, check_features

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "INITS",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "relu",
    "relu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "activate",
    "activation_derivative",
    "softmax",
    "cross_entropy",
    "init_params",
    "ForwardCache",
    "forward",
    "backward",
    "cost",
]

#: Hidden-layer activations.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")

#: Output-layer activations (each paired with its cross-entropy).
OUTPUTS = ("sigmoid", "softmax")

#: Weight initialisations accepted by :func:`init_params`.
INITS = ("he", "xavier")


def _real(x, name="x"):
    """Return ``x`` as a floating-point ndarray (integers become float64)."""
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    if arr.dtype.kind != "f":
        raise ParameterError(f"{name} must hold real numbers, got {name}.dtype={arr.dtype}")
    return arr


def _slope(slope):
    return check_real(slope, "slope", minimum=0.0, maximum=1.0)


def sigmoid(x):
    """Logistic sigmoid ``σ(x) = 1 / (1 + e^{−x})``, computed without overflow.

    Parameters
    ----------
    x : array_like
        Real input of any shape.

    Returns
    -------
    s : np.ndarray [shape=x.shape]
        Values in (0, 1) (exactly 0 or 1 only where float64 rounds).

    Examples
    --------
    >>> from listenwidgets.dsp.nn import sigmoid
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])
    """
    return expit(_real(x))


def sigmoid_derivative(x):
    """Derivative of the sigmoid: ``σ'(x) = σ(x) (1 − σ(x))``, at most 1/4 (at 0).

    Parameters
    ----------
    x : array_like
        Real input (the pre-activation ``z``), any shape.

    Returns
    -------
    ds : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import sigmoid_derivative
    >>> sigmoid_derivative([0.0])
    array([0.25])
    """
    s = expit(_real(x))
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent ``tanh(x) = (e^x − e^{−x}) / (e^x + e^{−x})``, in (−1, 1).

    Parameters
    ----------
    x : array_like
        Real input of any shape.

    Returns
    -------
    t : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import tanh
    >>> tanh([0.0, 1000.0])
    array([0., 1.])
    """
    return np.tanh(_real(x))


def tanh_derivative(x):
    """Derivative of tanh: ``1 − tanh(x)²``, at most 1 (at 0).

    Parameters
    ----------
    x : array_like
        Real input (the pre-activation ``z``), any shape.

    Returns
    -------
    dt : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import tanh_derivative
    >>> tanh_derivative([0.0])
    array([1.])
    """
    t = np.tanh(_real(x))
    return 1.0 - t * t


def relu(x):
    """Rectified linear unit ``max(0, x)``.

    Parameters
    ----------
    x : array_like
        Real input of any shape.

    Returns
    -------
    r : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import relu
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    return np.maximum(_real(x), 0.0)


def relu_derivative(x):
    """Derivative of ReLU: 1 for ``x > 0``, else 0 (the value 0 is used at the kink ``x = 0``).

    Parameters
    ----------
    x : array_like
        Real input (the pre-activation ``z``), any shape.

    Returns
    -------
    dr : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import relu_derivative
    >>> relu_derivative([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    return (_real(x) > 0).astype(np.float64)


def leaky_relu(x, *, slope=0.01):
    """Leaky ReLU: ``x`` for ``x > 0``, else ``slope · x``.

    A small ``slope`` keeps a gradient flowing through negative inputs, so a
    unit cannot "die" as a ReLU unit can.

    Parameters
    ----------
    x : array_like
        Real input of any shape.
    slope : float in [0, 1]
        Gradient for negative inputs (0 gives ReLU).

    Returns
    -------
    r : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import leaky_relu
    >>> leaky_relu([-2.0, 3.0], slope=0.1)
    array([-0.2,  3. ])
    """
    x = _real(x)
    return np.where(x > 0, x, _slope(slope) * x)


def leaky_relu_derivative(x, *, slope=0.01):
    """Derivative of leaky ReLU: 1 for ``x > 0``, else ``slope`` (``slope`` at the kink).

    Parameters
    ----------
    x : array_like
        Real input (the pre-activation ``z``), any shape.
    slope : float in [0, 1]
        Gradient for negative inputs.

    Returns
    -------
    dr : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import leaky_relu_derivative
    >>> leaky_relu_derivative([-2.0, 3.0], slope=0.1)
    array([0.1, 1. ])
    """
    return np.where(_real(x) > 0, 1.0, _slope(slope))


def activate(x, *, activation, slope=0.01):
    """Apply a hidden-layer activation by name.

    Parameters
    ----------
    x : array_like
        Pre-activation ``z``, any shape.
    activation : {'sigmoid', 'tanh', 'relu', 'leaky_relu'}
        The function ``g``.
    slope : float in [0, 1]
        Negative-side slope of ``'leaky_relu'`` (ignored by the others).

    Returns
    -------
    a : np.ndarray [shape=x.shape]
        ``g(x)``.

    Examples
    --------
    >>> from listenwidgets.dsp.nn import activate
    >>> activate([-1.0, 1.0], activation='leaky_relu', slope=0.5)
    array([-0.5,  1. ])
    """
    activation = check_choice(activation, "activation", ACTIVATIONS)
    x, slope = _real(x), _slope(slope)
    return _apply(activation, x, slope)


def activation_derivative(x, *, activation, slope=0.01):
    """Derivative ``g'(x)`` of a hidden-layer activation by name.

    Parameters
    ----------
    x : array_like
        Pre-activation ``z``, any shape.
    activation : {'sigmoid', 'tanh', 'relu', 'leaky_relu'}
        The function ``g``.
    slope : float in [0, 1]
        Negative-side slope of ``'leaky_relu'`` (ignored by the others).

    Returns
    -------
    da : np.ndarray [shape=x.shape]

    Examples
    --------
    >>> from listenwidgets.dsp.nn import activation_derivative
    >>> activation_derivative([0.0], activation='tanh')
    array([1.])
    """
    activation = check_choice(activation, "activation", ACTIVATIONS)
    x, slope = _real(x), _slope(slope)
    return _derivative(activation, x, _apply(activation, x, slope), slope)


def softmax(x, *, axis=-1):
    """Softmax ``softmax(x)_k = e^{x_k} / Σ_j e^{x_j}`` along ``axis``, computed stably.

    The maximum is subtracted first (the result is unchanged, ``e^{x − max}``
    cannot overflow).

    Parameters
    ----------
    x : array_like [shape=(..., n_classes, ...)]
        Scores (logits).
    axis : int
        The axis that sums to one.

    Returns
    -------
    p : np.ndarray [shape=x.shape]
        Non-negative, summing to 1 along ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.nn import softmax
    >>> softmax([[1000.0, 1000.0], [0.0, np.log(3.0)]]).round(3)
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    x = _real(x)
    if x.ndim == 0:
        raise ParameterError("x must have at least one dimension, got x.shape=()")
    axis = check_int(axis, "axis")
    if not -x.ndim <= axis < x.ndim:
        raise ParameterError(f"axis={axis} is out of range for x.shape={x.shape}")
    return _softmax(x, axis)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _apply(name, z, slope):
    """``g(z)`` for a hidden or output activation (no checks)."""
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return expit(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    return _softmax(z)


def _derivative(name, z, a, slope):
    """``g'(z)`` from ``z`` and ``a = g(z)`` (sigmoid and tanh reuse ``a``, no second exponential)."""
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    return np.where(z > 0, 1.0, slope)


def _check_targets(Y, logits, output):
    """Check targets against logits of shape (m, n_y) for ``output``; return float64 targets."""
    Y = _real(Y, "Y")
    if Y.shape != logits.shape:
        raise ParameterError(
            f"Y must have the logits' shape (m, n_y)={logits.shape}, got Y.shape={Y.shape}; "
            "one-hot encode class indices (dsp.datasets.one_hot) or use a (m, 1) column of 0/1"
        )
    if not np.isfinite(Y).all() or (Y < 0).any() or (Y > 1).any():
        raise ParameterError("Y must hold probabilities in [0, 1] (0/1 or one-hot targets)")
    if output == "softmax" and not np.allclose(Y.sum(axis=1), 1.0):
        raise ParameterError("Y must sum to 1 in each row for output='softmax' (one-hot targets)")
    return np.asarray(Y, dtype=np.float64)


def _cross_entropy(Y, Z, output):
    """Mean cross-entropy from logits (no checks)."""
    m = Z.shape[0]
    if output == "sigmoid":
        # -[y log σ(z) + (1-y) log(1-σ(z))] = log(1 + e^z) - y z, stable for any z.
        return float((np.logaddexp(0.0, Z).sum() - np.vdot(Y, Z)) / m)
    zmax = Z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(Z - zmax).sum(axis=1, keepdims=True)) + zmax
    # -Σ_k y_k log softmax(z)_k = Σ_k y_k (lse - z_k)
    return float(np.vdot(Y, lse - Z) / m)


def cross_entropy(Y, logits, *, output):
    """Cross-entropy loss averaged over the batch, computed from logits.

    Binary (``output='sigmoid'``), with ``ŷ = σ(z)``:

    .. math:: J = -\\frac{1}{m}\\sum_i \\sum_k \\big[y_{ik} \\log ŷ_{ik}
              + (1 - y_{ik}) \\log(1 - ŷ_{ik})\\big]
              = \\frac{1}{m}\\sum_{i,k} \\big[\\log(1 + e^{z_{ik}}) - y_{ik} z_{ik}\\big]

    Categorical (``output='softmax'``), with ``ŷ = softmax(z)``:

    .. math:: J = -\\frac{1}{m}\\sum_i \\sum_k y_{ik} \\log ŷ_{ik}
              = \\frac{1}{m}\\sum_i \\Big[\\log\\sum_k e^{z_{ik}} - \\sum_k y_{ik} z_{ik}\\Big]

    Working from the logits ``z`` (``log(1 + e^z)`` by ``logaddexp``, the
    log-sum-exp after subtracting the row maximum) keeps every logarithm
    finite: a confident wrong prediction costs ``≈ |z|`` instead of
    ``log(0) = −inf``.

    Parameters
    ----------
    Y : array_like [shape=(m, n_y)]
        Targets in [0, 1]: a 0/1 column (``n_y = 1``) for ``'sigmoid'``,
        one-hot rows for ``'softmax'``.
    logits : array_like [shape=(m, n_y)]
        Output-layer pre-activations ``Z^{[L]}``.
    output : {'sigmoid', 'softmax'}
        The output activation the loss pairs with.

    Returns
    -------
    J : float >= 0
        Mean loss per example (natural log, nats).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.nn import cross_entropy
    >>> round(cross_entropy([[1.0], [0.0]], [[0.0], [0.0]], output='sigmoid'), 4)  # log 2
    0.6931
    >>> round(cross_entropy([[0.0, 1.0]], [[0.0, 1000.0]], output='softmax'), 4)
    0.0
    """
    output = check_choice(output, "output", OUTPUTS)
    Z = _real(logits, "logits")
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ParameterError(f"logits must have shape (m, n_y) with m >= 1, got logits.shape={Z.shape}")
    if not np.isfinite(Z).all():
        i, k = (int(j) for j in np.argwhere(~np.isfinite(Z))[0])
        raise ParameterError(
            f"logits must be finite, got logits[{i}, {k}]={Z[i, k]}; the network has diverged"
        )
    Y = _check_targets(Y, Z, output)
    return _cross_entropy(Y, np.asarray(Z, dtype=np.float64), output)


def init_params(layer_sizes, *, seed, init="he"):
    """Random initial weights and zero biases for a fully connected network.

    - ``'he'`` (He et al. 2015, for ReLU): ``W ~ N(0, 2 / n_{l-1})``.
    - ``'xavier'`` (Glorot & Bengio 2010, for sigmoid/tanh; scikit-learn's
      initialisation): ``W ~ U(−r, r)``, ``r = √(6 / (n_{l-1} + n_l))``.

    Random (not zero) weights break the symmetry between the units of a layer;
    the scale keeps the activations' variance roughly constant with depth.

    Parameters
    ----------
    layer_sizes : sequence of int > 0 [shape=(L + 1,)]
        ``[n_x, n_1, ..., n_y]``: inputs, each hidden layer, outputs.
        ``[n_x, 1]`` is logistic regression.
    seed : int >= 0 or np.random.Generator
        Same seed, same weights.
    init : {'he', 'xavier'}
        The initialisation scheme.

    Returns
    -------
    params : list of (W, b)
        ``L`` layers; ``W`` of shape ``(n_{l-1}, n_l)`` and ``b`` of shape
        ``(n_l,)``, float64.

    Examples
    --------
    >>> from listenwidgets.dsp.nn import init_params
    >>> params = init_params([4, 8, 3], seed=0)
    >>> [(W.shape, b.shape) for W, b in params]
    [((4, 8), (8,)), ((8, 3), (3,))]
    """
    try:
        sizes = [check_int(n, "layer_sizes[]", minimum=1) for n in layer_sizes]
    except TypeError as exc:
        raise ParameterError(
            f"layer_sizes must be a sequence of ints, got layer_sizes={short_repr(layer_sizes)}"
        ) from exc
    if len(sizes) < 2:
        raise ParameterError(
            f"layer_sizes needs at least [n_x, n_y], got layer_sizes={short_repr(layer_sizes)}"
        )
    init = check_choice(init, "init", INITS)
    rng = _generator(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if init == "he":
            W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        else:
            r = np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-r, r, (n_in, n_out))
        params.append((W, np.zeros(n_out)))
    return params


@dataclass
class ForwardCache:
    """What :func:`forward` remembers for :func:`backward` (one entry per layer ``l = 0 .. L-1``).

    Attributes
    ----------
    inputs : list of np.ndarray [shape=(m, n_{l-1})]
        ``A^{[l-1]}``, the input of each layer as fed to it (after dropout);
        ``inputs[0]`` is ``X``.
    z : list of np.ndarray [shape=(m, n_l)]
        Pre-activations ``Z^{[l]}``; ``z[-1]`` are the logits.
    a : list of np.ndarray [shape=(m, n_l)]
        Activations ``g(Z^{[l]})`` before dropout; ``a[-1]`` is the output ``Ŷ``.
    masks : list of (np.ndarray or None)
        Inverted-dropout factors ``D / keep`` (0 or ``1/keep``) applied to
        ``a[l]``; None where no dropout was applied (always for the output).
    """

    inputs: list
    z: list
    a: list
    masks: list


def _check_params(params):
    """Check a list of (W, b) layers with chained shapes; return it as a list of float64 pairs."""
    try:
        layers = [(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)) for W, b in params]
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"params must be a list of (W, b) pairs of real arrays, got params={short_repr(params)}"
        ) from exc
    if not layers:
        raise ParameterError("params must hold at least one (W, b) layer, got params=[]")
    for l, (W, b) in enumerate(layers):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ParameterError(
                f"layer {l}: W must be (n_in, n_out) and b (n_out,), got W.shape={W.shape}, b.shape={b.shape}"
            )
        if l and W.shape[0] != layers[l - 1][0].shape[1]:
            raise ParameterError(
                f"layer {l}: W.shape={W.shape} does not chain with the previous layer's "
                f"{layers[l - 1][0].shape[1]} outputs"
            )
    return layers


def _check_activations(activations, n_layers):
    """Check one activation name per layer: hidden in ACTIVATIONS, the last in OUTPUTS."""
    if isinstance(activations, str):
        raise ParameterError(
            f"activations must name one activation per layer, e.g. ('relu', 'sigmoid'), "
            f"got activations={activations!r}"
        )
    names = tuple(activations)
    if len(names) != n_layers:
        raise ParameterError(
            f"activations must have one name per layer ({n_layers}), got activations={names!r}"
        )
    for name in names[:-1]:
        check_choice(name, "activations[]", ACTIVATIONS)
    check_choice(names[-1], "activations[-1]", OUTPUTS)
    return names


def _forward(params, X, names, slope, dropout, rng):
    """Forward propagation (no checks); ``rng`` None means no dropout."""
    inputs, zs, acts, masks = [X], [], [], []
    keep = 1.0 - dropout
    last = len(params) - 1
    A = X
    for l, (W, b) in enumerate(params):
        Z = A @ W
        Z += b
        H = _apply(names[l], Z, slope)
        zs.append(Z)
        acts.append(H)
        if l < last and rng is not None:
            D = (rng.random(H.shape) < keep) * (1.0 / keep)
            masks.append(D)
            A = H * D
        else:
            masks.append(None)
            A = H
        if l < last:
            inputs.append(A)
    return acts[-1], ForwardCache(inputs, zs, acts, masks)


def forward(params, X, *, activations, slope=0.01, dropout=0.0, rng=None, training=False):
    """Forward propagation through a fully connected network.

    For ``l = 1 .. L``: ``Z^{[l]} = A^{[l-1]} W^{[l]} + b^{[l]}``,
    ``A^{[l]} = g^{[l]}(Z^{[l]})``; with inverted dropout on the hidden layers
    at training time: ``A^{[l]} ← A^{[l]} ⊙ D^{[l]} / keep``,
    ``D^{[l]} ~ Bernoulli(keep)``, ``keep = 1 − dropout``.

    Parameters
    ----------
    params : list of (W, b)
        From :func:`init_params`.
    X : array_like [shape=(m, n_x)]
        One example per row; checked for NaN/Inf.
    activations : sequence of str [shape=(L,)]
        One name per layer: hidden layers from
        ``('sigmoid', 'tanh', 'relu', 'leaky_relu')``, the output layer
        ``'sigmoid'`` (two classes) or ``'softmax'`` (more).
    slope : float in [0, 1]
        Negative-side slope of ``'leaky_relu'``.
    dropout : float in [0, 1)
        Probability of dropping each hidden unit when ``training``.
    rng : int >= 0 or np.random.Generator or None
        Source of the dropout masks; required when ``training`` and
        ``dropout > 0``.
    training : bool
        Apply dropout (training) or not (inference: the identity).

    Returns
    -------
    output : np.ndarray [shape=(m, n_y)]
        ``Ŷ = A^{[L]}``: ``P(y = 1)`` for a sigmoid output, class
        probabilities for softmax.
    cache : ForwardCache
        The layers' inputs, pre-activations, activations and dropout masks.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.nn import init_params, forward
    >>> params = init_params([2, 5, 3], seed=0)
    >>> P, cache = forward(params, np.ones((4, 2)), activations=('relu', 'softmax'))
    >>> P.shape, np.allclose(P.sum(axis=1), 1.0)
    ((4, 3), True)
    """
    params = _check_params(params)
    names = _check_activations(activations, len(params))
    X = check_features(X, n_features=params[0][0].shape[0])
    slope = _slope(slope)
    dropout = check_real(dropout, "dropout", minimum=0.0, maximum=1.0)
    if dropout >= 1.0:
        raise ParameterError(f"dropout must be < 1 (keep at least some units), got dropout={dropout}")
    if not isinstance(training, (bool, np.bool_)):
        raise ParameterError(f"training must be True or False, got training={short_repr(training)}")
    if training and dropout > 0:
        if rng is None:
            raise ParameterError(
                f"rng must be a seed or np.random.Generator when training=True and dropout={dropout}"
            )
        gen = _generator(rng, "rng")
    else:
        gen = None
    return _forward(params, X, names, slope, dropout, gen)


def _penalty(params, l2, m):
    """``λ/(2m) Σ_l ||W_l||_F²``."""
    if not l2:
        return 0.0
    return 0.5 * l2 / m * sum(float(np.vdot(W, W)) for W, _ in params)


def _backward(params, cache, Y, names, l2, slope, grads):
    """Backward propagation into the preallocated ``grads`` (no checks)."""
    m = Y.shape[0]
    dZ = cache.a[-1] - Y
    dZ *= 1.0 / m
    for l in range(len(params) - 1, -1, -1):
        W = params[l][0]
        dW, db = grads[l]
        np.matmul(cache.inputs[l].T, dZ, out=dW)
        if l2:
            dW += (l2 / m) * W
        dZ.sum(axis=0, out=db)
        if l:
            dA = dZ @ W.T
            if cache.masks[l - 1] is not None:
                dA *= cache.masks[l - 1]
            dA *= _derivative(names[l - 1], cache.z[l - 1], cache.a[l - 1], slope)
            dZ = dA
    return grads


def _check_cache(params, cache):
    if not isinstance(cache, ForwardCache) or len(cache.z) != len(params):
        raise ParameterError(
            f"cache must be the ForwardCache of forward() on these {len(params)}-layer params, "
            f"got cache={short_repr(cache)}"
        )


def backward(params, cache, Y, *, activations, slope=0.01, l2=0.0):
    """Backward propagation: the gradient of :func:`cost` with respect to every ``W`` and ``b``.

    With ``dZ^{[L]} = (Ŷ − Y) / m`` (sigmoid or softmax output with its
    cross-entropy), for ``l = L .. 1``:

    .. math::
        dW^{[l]} = A^{[l-1]\\top} dZ^{[l]} + \\frac{λ}{m} W^{[l]}, \\qquad
        db^{[l]} = \\sum_i dZ^{[l]}_{i,:}, \\\\
        dA^{[l-1]} = dZ^{[l]} W^{[l]\\top} \\odot D^{[l-1]} / keep, \\qquad
        dZ^{[l-1]} = dA^{[l-1]} \\odot g'(Z^{[l-1]})

    (the dropout factor only where dropout was applied in :func:`forward`).

    Parameters
    ----------
    params : list of (W, b)
        The parameters :func:`forward` used.
    cache : ForwardCache
        The cache :func:`forward` returned.
    Y : array_like [shape=(m, n_y)]
        Targets: a 0/1 column for a sigmoid output, one-hot rows for softmax.
    activations : sequence of str [shape=(L,)]
        The names given to :func:`forward`.
    slope : float in [0, 1]
        Negative-side slope of ``'leaky_relu'``.
    l2 : float >= 0
        ``λ`` of the L2 term ``λ/(2m) Σ ||W||²``.

    Returns
    -------
    grads : list of (dW, db)
        Same shapes as ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.nn import init_params, forward, backward
    >>> params = init_params([3, 1], seed=0)  # logistic regression
    >>> X, Y = np.eye(3), np.array([[1.0], [0.0], [1.0]])
    >>> P, cache = forward(params, X, activations=('sigmoid',))
    >>> (dw, db), = backward(params, cache, Y, activations=('sigmoid',))
    >>> np.allclose(dw, X.T @ (P - Y) / 3), np.allclose(db, (P - Y).mean(axis=0))
    (True, True)
    """
    params = _check_params(params)
    names = _check_activations(activations, len(params))
    _check_cache(params, cache)
    Y = _check_targets(Y, cache.z[-1], names[-1])
    slope = _slope(slope)
    l2 = check_real(l2, "l2", minimum=0.0)
    grads = [(np.empty_like(W), np.empty_like(b)) for W, b in params]
    return _backward(params, cache, Y, names, l2, slope, grads)


def cost(params, cache, Y, *, activations, l2=0.0):
    """The regularised cost ``J = (1/m) Σ_i L(ŷ_i, y_i) + λ/(2m) Σ_l ||W^{[l]}||_F²``.

    The first term is :func:`cross_entropy` of the cached logits; the second
    the L2 penalty whose gradient :func:`backward` adds (``m`` is the batch's
    number of examples).

    Parameters
    ----------
    params : list of (W, b)
        The parameters :func:`forward` used.
    cache : ForwardCache
        The cache :func:`forward` returned.
    Y : array_like [shape=(m, n_y)]
        Targets, as for :func:`backward`.
    activations : sequence of str [shape=(L,)]
        The names given to :func:`forward`; the last chooses the loss.
    l2 : float >= 0
        ``λ``.

    Returns
    -------
    J : float

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.nn import forward, cost
    >>> params = [(np.zeros((2, 1)), np.zeros(1))]
    >>> _, cache = forward(params, np.ones((2, 2)), activations=('sigmoid',))
    >>> round(cost(params, cache, [[1.0], [0.0]], activations=('sigmoid',)), 4)
    0.6931
    """
    params = _check_params(params)
    names = _check_activations(activations, len(params))
    _check_cache(params, cache)
    l2 = check_real(l2, "l2", minimum=0.0)
    loss = cross_entropy(Y, cache.z[-1], output=names[-1])
    return loss + _penalty(params, l2, cache.z[-1].shape[0])
