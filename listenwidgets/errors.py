"""Exceptions shared by every layer of listenwidgets."""

__all__ = ["ParameterError", "WiringError"]


class ParameterError(ValueError):
    """A bad argument or bad data.

    Raised by :mod:`listenwidgets.dsp` for problems that a single parameter's
    bounds cannot catch: cross-parameter constraints (``n_fft=4096`` larger than
    the signal), and data problems (empty, non-finite or multichannel audio).
    The message always names the parameter and its value as ``name=value``.
    """


class WiringError(ParameterError):
    """Two nodes were connected in a way that cannot work.

    Raised at once when the connection is made: the upstream node produces the
    wrong kind of output, or the connection would close a cycle.
    """
