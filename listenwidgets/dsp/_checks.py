"""Argument and data checks shared by every :mod:`listenwidgets.dsp` function.

Every failure raises :class:`~listenwidgets.errors.ParameterError` with the
parameter written as ``name=value`` so that a user (or a node's error view)
sees exactly which argument to change.
"""

import numbers

import numpy as np

from ..errors import ParameterError

__all__ = [
    "check_audio",
    "check_int",
    "check_real",
    "check_choice",
    "check_hop_length",
    "short_repr",
]


def short_repr(value, limit=60):
    """Return ``repr(value)`` shortened to at most ``limit`` characters (arrays by shape)."""
    if isinstance(value, np.ndarray):
        return f"<array shape={value.shape} dtype={value.dtype}>"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_audio(y, *, name="y", mono=True, min_length=1):
    """Validate an audio buffer and return it as a floating-point ndarray.

    Parameters
    ----------
    y : array_like [shape=(n,) or (..., n)]
        Audio time series. Must be real floating point (integer PCM must be
        converted first, e.g. by :func:`listenwidgets.dsp.io.load`).
    name : str
        The parameter name used in error messages.
    mono : bool
        If True, ``y`` must be one-dimensional.
    min_length : int >= 0
        The fewest samples accepted along the last axis.

    Returns
    -------
    y : np.ndarray
        The same data (no copy when already a float ndarray).

    Raises
    ------
    ParameterError
        If ``y`` is not floating point, has the wrong number of dimensions,
        is shorter than ``min_length`` or contains NaN or Inf.
    """
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(
            f"{name} must be floating-point audio, got {name}.dtype={y.dtype}; "
            "convert integer PCM with listenwidgets.dsp.io.load or y / 2**15"
        )
    if mono and y.ndim != 1:
        raise ParameterError(f"{name} must be mono (one-dimensional), got {name}.shape={y.shape}")
    if y.ndim == 0:
        raise ParameterError(f"{name} must be at least one-dimensional, got {name}.shape=()")
    if y.shape[-1] < min_length:
        raise ParameterError(
            f"{name} has {y.shape[-1]} samples; at least {min_length} are needed "
            f"({name}.shape={y.shape})"
        )
    if not np.isfinite(y).all():
        bad = int(np.flatnonzero(~np.isfinite(y.reshape(-1)))[0])
        raise ParameterError(
            f"{name} contains NaN or Inf (first at flat index {bad}); clean the signal first"
        )
    return y


def check_int(value, name, *, minimum=None, maximum=None, allow_none=False):
    """Return ``value`` as an int, checking its type and inclusive bounds."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be an integer, got {name}={short_repr(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {name}={value}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name} must be <= {maximum}, got {name}={value}")
    return value


def check_real(value, name, *, minimum=None, maximum=None, exclusive_minimum=False,
               allow_none=False):
    """Return ``value`` as a finite float, checking its type and bounds."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a real number, got {name}={short_repr(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ParameterError(f"{name} must be finite, got {name}={value}")
    if minimum is not None:
        if exclusive_minimum and value <= minimum:
            raise ParameterError(f"{name} must be > {minimum}, got {name}={value}")
        if not exclusive_minimum and value < minimum:
            raise ParameterError(f"{name} must be >= {minimum}, got {name}={value}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name} must be <= {maximum}, got {name}={value}")
    return value


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices``, else raise naming them all."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} must be one of {options}; got {name}={short_repr(value)}")
    return value


def check_hop_length(hop_length, *, win_length):
    """Default ``hop_length`` to ``win_length // 4`` (librosa) and check it is positive."""
    if hop_length is None:
        return max(1, int(win_length) // 4)
    return check_int(hop_length, "hop_length", minimum=1)
