"""Chapter 8, optimisation: gradient descent and its refinements, mini-batches, EWMA, divergence.

Conventions (the lecture's, Andrew Ng's "Improving Deep Neural Networks").
Every optimizer updates parameters ``θ`` in place from gradients ``g``:

- gradient descent: ``θ ← θ − α g``;
- momentum: ``v ← β₁ v + (1 − β₁) g``, ``θ ← θ − α v``. This is the
  exponentially weighted average form; the other common form
  ``v ← β v + g`` (Sutskever; PyTorch's ``SGD(momentum=β)``) is the same
  update with ``α`` scaled by ``1 / (1 − β)``. No bias correction (the
  lecture: after about ten steps the average has warmed up);
- RMSprop: ``s ← β₂ s + (1 − β₂) g²``, ``θ ← θ − α g / (√s + ε)``;
- Adam: both averages, each bias-corrected at step ``t = 1, 2, ...``:
  ``v̂ = v / (1 − β₁ᵗ)``, ``ŝ = s / (1 − β₂ᵗ)``, ``θ ← θ − α v̂ / (√ŝ + ε)``.

All squares and roots are element-wise. ``v`` and ``s`` start at zero.

An optimizer is a small object with the estimator contract: hyper-parameters
are plain attributes (checked when constructed), the learned state ends in an
underscore (``t_`` steps taken, ``v_`` first moments, ``s_`` second
moments), :meth:`step` returns self and :meth:`reset` clears the state.
``params`` and ``grads`` are sequences of float64 arrays of matching shapes;
the arrays of ``params`` are modified in place.
"""

import math

import numpy as np
from scipy.signal import lfilter

from ..errors import ParameterError
from ._checks import check_choice, check_int, check_real, short_repr
from .datasets import _generator

__all__ = [
    "GradientDescent",
    "Momentum",
    "RMSprop",
    "Adam",
    "OPTIMIZERS",
    "make_optimizer",
    "minibatches",
    "ewma",
    "divergence",
]


def _open_beta(value, name):
    value = check_real(value, name, minimum=0.0, maximum=1.0)
    if value >= 1.0:
        raise ParameterError(f"{name} must be < 1 (an average that never forgets), got {name}={value}")
    return value


class _Optimizer:
    """Shared state handling: ``t_``, zero-initialised moment buffers, shape checks."""

    _moments = ()

    def __init__(self, *, learning_rate):
        self.learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
        self.reset()

    def reset(self):
        """Forget the state: ``t_ = 0``, moments None (zeros at the next step); return self.

        The moments may also be assigned (e.g. restored from a file) as lists
        of arrays shaped like ``params``; the next :meth:`step` continues from them.
        """
        self.t_ = 0
        for name in self._moments:
            setattr(self, name, None)
        self._buffers = None
        return self

    def _prepare(self, params, grads):
        """Check ``params``/``grads``; allocate the moments and scratch buffers at the first step."""
        if len(params) != len(grads):
            raise ParameterError(
                f"params and grads must have the same number of arrays, got len(params)={len(params)}, "
                f"len(grads)={len(grads)}"
            )
        for i, (p, g) in enumerate(zip(params, grads)):
            if not isinstance(p, np.ndarray) or p.dtype != np.float64 or not p.flags.writeable:
                raise ParameterError(
                    f"params[{i}] must be a writeable float64 ndarray (updated in place), "
                    f"got params[{i}]={short_repr(p)}"
                )
            if np.shape(g) != p.shape:
                raise ParameterError(
                    f"grads[{i}] must match params[{i}].shape={p.shape}, got grads[{i}].shape={np.shape(g)}"
                )
        shapes = [p.shape for p in params]
        for name in self._moments:
            moments = getattr(self, name)
            if moments is None:
                setattr(self, name, [np.zeros_like(p) for p in params])
            elif [m.shape for m in moments] != shapes:
                raise ParameterError(
                    f"the optimizer's {name} has shapes {[m.shape for m in moments]} but params have "
                    f"{shapes}; call reset() before stepping different parameters"
                )
        if self._buffers is None or [b.shape for b in self._buffers] != shapes:
            self._buffers = [np.empty_like(p) for p in params]

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_") and k[0] != "_")
        return f"{type(self).__name__}({args})"


class GradientDescent(_Optimizer):
    """Plain gradient descent: ``θ ← θ − α g``.

    With the full training set in every step this is (batch) gradient
    descent; fed mini-batches (:func:`minibatches`) it is mini-batch (or, with
    one example, stochastic) gradient descent.

    Parameters
    ----------
    learning_rate : float > 0
        ``α``.

    Attributes
    ----------
    t_ : int
        Steps taken.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.optim import GradientDescent
    >>> theta = np.array([1.0, -2.0])
    >>> opt = GradientDescent(learning_rate=0.5).step([theta], [np.array([2.0, 2.0])])
    >>> theta, opt.t_
    (array([ 0., -3.]), 1)
    """

    def __init__(self, *, learning_rate=0.01):
        super().__init__(learning_rate=learning_rate)

    def step(self, params, grads):
        """Update ``params`` in place by one step along ``-grads``; return self."""
        self._prepare(params, grads)
        self.t_ += 1
        for p, g, buf in zip(params, grads, self._buffers):
            np.multiply(g, self.learning_rate, out=buf)
            p -= buf
        return self


class Momentum(_Optimizer):
    """Gradient descent with momentum: ``v ← β₁ v + (1 − β₁) g``, ``θ ← θ − α v``.

    ``v`` is an exponentially weighted average of the gradients (about the
    last ``1 / (1 − β₁)`` of them): oscillating components cancel, a
    consistent direction builds up.

    Parameters
    ----------
    learning_rate : float > 0
        ``α``.
    beta1 : float in [0, 1)
        ``β₁``; 0 gives plain gradient descent.

    Attributes
    ----------
    t_ : int
        Steps taken.
    v_ : list of np.ndarray or None
        The velocity ``v`` of each parameter array (None before the first step).

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.optim import Momentum
    >>> theta = np.array([1.0])
    >>> opt = Momentum(learning_rate=1.0, beta1=0.9).step([theta], [np.array([2.0])])
    >>> opt.v_[0], theta  # v = 0.1 * 2
    (array([0.2]), array([0.8]))
    """

    _moments = ("v_",)

    def __init__(self, *, learning_rate=0.01, beta1=0.9):
        super().__init__(learning_rate=learning_rate)
        self.beta1 = _open_beta(beta1, "beta1")

    def step(self, params, grads):
        """Update the velocity and ``params`` (in place) by one step; return self."""
        self._prepare(params, grads)
        self.t_ += 1
        b1, lr = self.beta1, self.learning_rate
        for p, g, v, buf in zip(params, grads, self.v_, self._buffers):
            v *= b1
            np.multiply(g, 1.0 - b1, out=buf)
            v += buf
            np.multiply(v, lr, out=buf)
            p -= buf
        return self


class RMSprop(_Optimizer):
    """RMSprop: ``s ← β₂ s + (1 − β₂) g²``, ``θ ← θ − α g / (√s + ε)``.

    Each parameter's step is divided by the root mean square of its recent
    gradients: directions with large, oscillating gradients are damped,
    directions with small ones sped up.

    Parameters
    ----------
    learning_rate : float > 0
        ``α``.
    beta2 : float in [0, 1)
        ``β₂``, the decay of the squared-gradient average.
    epsilon : float > 0
        ``ε``, keeps the division finite.

    Attributes
    ----------
    t_ : int
        Steps taken.
    s_ : list of np.ndarray or None
        The mean square ``s`` of each parameter array.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.optim import RMSprop
    >>> theta = np.array([1.0])
    >>> opt = RMSprop(learning_rate=0.1, beta2=0.99, epsilon=1e-8).step([theta], [np.array([3.0])])
    >>> opt.s_[0].round(6), theta.round(6)  # s = 0.01 * 9; step = 0.1 * 3 / 0.3
    (array([0.09]), array([0.]))
    """

    _moments = ("s_",)

    def __init__(self, *, learning_rate=0.001, beta2=0.999, epsilon=1e-8):
        super().__init__(learning_rate=learning_rate)
        self.beta2 = _open_beta(beta2, "beta2")
        self.epsilon = check_real(epsilon, "epsilon", minimum=0.0, exclusive_minimum=True)

    def step(self, params, grads):
        """Update the mean square and ``params`` (in place) by one step; return self."""
        self._prepare(params, grads)
        self.t_ += 1
        b2, lr, eps = self.beta2, self.learning_rate, self.epsilon
        for p, g, s, buf in zip(params, grads, self.s_, self._buffers):
            s *= b2
            np.multiply(g, g, out=buf)
            buf *= 1.0 - b2
            s += buf
            np.sqrt(s, out=buf)
            buf += eps
            np.divide(g, buf, out=buf)
            buf *= lr
            p -= buf
        return self


class Adam(_Optimizer):
    """Adam: momentum and RMSprop together, with bias correction.

    At step ``t`` (counted from 1):

    .. math::
        v &← β_1 v + (1 − β_1) g, \\qquad s ← β_2 s + (1 − β_2) g^2, \\\\
        \\hat v &= v / (1 − β_1^t), \\qquad \\hat s = s / (1 − β_2^t), \\\\
        θ &← θ − α\\, \\hat v / (\\sqrt{\\hat s} + ε).

    At ``t = 1`` the correction gives ``v̂ = g`` and ``ŝ = g²`` exactly, so the
    first step has size ``≈ α`` per parameter whatever the gradient's scale.

    Parameters
    ----------
    learning_rate : float > 0
        ``α`` (0.001 is the usual default).
    beta1 : float in [0, 1)
        ``β₁``, decay of the gradient average (0.9).
    beta2 : float in [0, 1)
        ``β₂``, decay of the squared-gradient average (0.999).
    epsilon : float > 0
        ``ε`` (1e-8).

    Attributes
    ----------
    t_ : int
        Steps taken (the ``t`` of the bias correction).
    v_, s_ : list of np.ndarray or None
        The uncorrected first and second moments.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp.optim import Adam
    >>> theta = np.array([1.0, 1.0])
    >>> opt = Adam(learning_rate=0.1).step([theta], [np.array([5.0, -0.01])])
    >>> theta.round(6)  # each parameter moves by ~α against its gradient's sign
    array([0.9, 1.1])
    """

    _moments = ("v_", "s_")

    def __init__(self, *, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(learning_rate=learning_rate)
        self.beta1 = _open_beta(beta1, "beta1")
        self.beta2 = _open_beta(beta2, "beta2")
        self.epsilon = check_real(epsilon, "epsilon", minimum=0.0, exclusive_minimum=True)

    def step(self, params, grads):
        """Update both moments and ``params`` (in place) by one bias-corrected step; return self."""
        self._prepare(params, grads)
        self.t_ += 1
        b1, b2, eps = self.beta1, self.beta2, self.epsilon
        c1, c2 = 1.0 - b1 ** self.t_, 1.0 - b2 ** self.t_
        for p, g, v, s, buf in zip(params, grads, self.v_, self.s_, self._buffers):
            v *= b1
            np.multiply(g, 1.0 - b1, out=buf)
            v += buf
            s *= b2
            np.multiply(g, g, out=buf)
            buf *= 1.0 - b2
            s += buf
            np.multiply(s, 1.0 / c2, out=buf)   # ŝ
            np.sqrt(buf, out=buf)
            buf += eps
            np.divide(v, buf, out=buf)           # v / (√ŝ + ε)
            buf *= self.learning_rate / c1      # α v̂ / (√ŝ + ε)
            p -= buf
        return self


#: Optimizer classes by the names the trainer uses.
OPTIMIZERS = {"gd": GradientDescent, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam}


def make_optimizer(optimizer, *, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Build an optimizer by name from the trainer's hyper-parameters.

    Each optimizer takes the hyper-parameters of its update equation:
    ``'gd'`` uses ``learning_rate``; ``'momentum'`` adds ``beta1``;
    ``'rmsprop'`` uses ``beta2`` and ``epsilon``; ``'adam'`` all four. The
    others are accepted (so one set of knobs drives every choice) and unused.

    Parameters
    ----------
    optimizer : {'gd', 'momentum', 'rmsprop', 'adam'}
        Which update rule.
    learning_rate : float > 0
        ``α``.
    beta1 : float in [0, 1)
        Momentum's (and Adam's) ``β₁``.
    beta2 : float in [0, 1)
        RMSprop's (and Adam's) ``β₂``.
    epsilon : float > 0
        ``ε`` of RMSprop and Adam.

    Returns
    -------
    opt : GradientDescent or Momentum or RMSprop or Adam

    Examples
    --------
    >>> from listenwidgets.dsp.optim import make_optimizer
    >>> make_optimizer('momentum', learning_rate=0.1, beta1=0.8)
    Momentum(learning_rate=0.1, beta1=0.8)
    """
    optimizer = check_choice(optimizer, "optimizer", tuple(OPTIMIZERS))
    args = {  # every knob is checked, used or not: a bad value is a mistake either way
        "learning_rate": check_real(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True),
        "beta1": _open_beta(beta1, "beta1"),
        "beta2": _open_beta(beta2, "beta2"),
        "epsilon": check_real(epsilon, "epsilon", minimum=0.0, exclusive_minimum=True),
    }
    used = {"gd": ("learning_rate",), "momentum": ("learning_rate", "beta1"),
            "rmsprop": ("learning_rate", "beta2", "epsilon"),
            "adam": ("learning_rate", "beta1", "beta2", "epsilon")}[optimizer]
    return OPTIMIZERS[optimizer](**{k: args[k] for k in used})


def minibatches(n, *, batch_size, seed, shuffle=True):
    """Index arrays that cut ``n`` examples into mini-batches for one epoch.

    The examples are permuted (``shuffle=True``) and cut into
    ``ceil(n / batch_size)`` consecutive batches of ``batch_size``; the last
    one holds the remainder ``n mod batch_size`` if it is not zero. Every
    example appears in exactly one batch.

    Parameters
    ----------
    n : int > 0
        Number of training examples ``m``.
    batch_size : int > 0 or None
        Examples per batch; None (or ``>= n``) gives one batch of all ``n``
        (batch gradient descent); 1 gives stochastic gradient descent.
    seed : int >= 0 or np.random.Generator
        Source of the permutation (the same seed, the same batches).
    shuffle : bool
        Permute before cutting; if False the batches are ``0..b-1``,
        ``b..2b-1``, ...

    Returns
    -------
    batches : list of np.ndarray of int [shape=(batch_size,) each, the last possibly shorter]

    Examples
    --------
    >>> from listenwidgets.dsp.optim import minibatches
    >>> minibatches(5, batch_size=2, seed=0, shuffle=False)
    [array([0, 1]), array([2, 3]), array([4])]
    >>> sorted(int(i) for b in minibatches(5, batch_size=2, seed=0) for i in b)
    [0, 1, 2, 3, 4]
    """
    n = check_int(n, "n", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1, allow_none=True)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ParameterError(f"shuffle must be True or False, got shuffle={short_repr(shuffle)}")
    rng = _generator(seed)
    order = rng.permutation(n) if shuffle else np.arange(n)
    size = n if batch_size is None else min(batch_size, n)
    return [order[i:i + size] for i in range(0, n, size)]


def ewma(values, *, beta, bias_correction=True):
    """Exponentially weighted moving average, with or without bias correction.

    .. math:: v_0 = 0, \\qquad v_t = β\\, v_{t-1} + (1 − β)\\, θ_t, \\qquad
              \\hat v_t = \\frac{v_t}{1 − β^t}\\ \\text{(bias-corrected)}

    ``v_t`` averages roughly the last ``1 / (1 − β)`` values. Starting from
    ``v_0 = 0`` it begins too low (``v_1 = (1 − β) θ_1``); dividing by
    ``1 − β^t`` removes that start-up bias (a constant sequence is returned
    unchanged from the first step) and matters less as ``β^t → 0``.

    Parameters
    ----------
    values : array_like [shape=(n,)]
        The sequence ``θ_1 .. θ_n`` (e.g. a loss per mini-batch). NaN and Inf
        are allowed and propagate to every later average (a diverged run).
    beta : float in [0, 1)
        ``β``; 0 returns ``values``.
    bias_correction : bool
        Return ``v̂_t`` instead of ``v_t``.

    Returns
    -------
    v : np.ndarray [shape=(n,), dtype=float64]

    Examples
    --------
    >>> from listenwidgets.dsp.optim import ewma
    >>> ewma([10.0, 10.0, 10.0], beta=0.9, bias_correction=False)
    array([1.  , 1.9 , 2.71])
    >>> ewma([10.0, 10.0, 10.0], beta=0.9, bias_correction=True)
    array([10., 10., 10.])
    """
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf" or arr.ndim != 1:
        raise ParameterError(
            f"values must be a one-dimensional sequence of real numbers, got values={short_repr(arr)}"
        )
    beta = _open_beta(beta, "beta")
    if not isinstance(bias_correction, (bool, np.bool_)):
        raise ParameterError(
            f"bias_correction must be True or False, got bias_correction={short_repr(bias_correction)}"
        )
    arr = arr.astype(np.float64)
    if arr.size == 0:
        return arr
    v = lfilter([1.0 - beta], [1.0, -beta], arr)
    if bias_correction and beta > 0:
        v /= 1.0 - beta ** np.arange(1, arr.size + 1)
    return v


def divergence(losses, *, factor=10.0, window=5):
    """Detect a diverging training run from its loss history.

    The run is flagged as diverged when

    - the latest loss is NaN or ±Inf, or
    - each of the last ``window`` losses is more than ``factor`` times the
      first loss (the untrained model's): the loss has grown by ``factor`` and
      stayed there for ``window`` steps -- the symptom of a learning rate too
      large for the data, where each step overshoots further.

    Comparing with the first loss, not with the best, keeps a well-trained
    model whose tiny loss fluctuates between mini-batches from being flagged.
    Only ``losses[0]`` and the last ``window`` entries are read, so checking
    after every step is cheap.

    Parameters
    ----------
    losses : sequence of float [shape=(n_steps,)]
        Loss after each step so far (a list or 1-D array).
    factor : float > 1
        How many times the first loss counts as divergence.
    window : int > 0
        How many consecutive steps must exceed it.

    Returns
    -------
    reason : str or None
        None if the run looks healthy, else a sentence saying what happened
        (the trainer adds the advice, e.g. to lower ``learning_rate``).

    Examples
    --------
    >>> from listenwidgets.dsp.optim import divergence
    >>> divergence([0.7, 0.5, 0.4]) is None
    True
    >>> divergence([0.7, 0.5, float('nan')])
    'the loss became nan at step 2'
    >>> divergence([0.7, 9.0, 80.0, 700.0], window=2)
    'the loss grew from 0.7 to 700 (more than factor=10.0 times its first value for window=2 steps)'
    """
    factor = check_real(factor, "factor", minimum=1.0, exclusive_minimum=True)
    window = check_int(window, "window", minimum=1)
    return _divergence(losses, factor, window)


def _divergence(losses, factor, window):
    """:func:`divergence` without the argument checks (the trainer calls it after every step)."""
    n = len(losses)
    if n == 0:
        return None
    last = float(losses[-1])
    if not math.isfinite(last):
        return f"the loss became {last} at step {n - 1}"
    first = float(losses[0])
    if n > window and all(float(v) > factor * first for v in losses[-window:]):
        return (f"the loss grew from {first:.3g} to {last:.3g} (more than factor={factor} times its first "
                f"value for window={window} steps)")
    return None
