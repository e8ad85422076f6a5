"""The :class:`Corpus` container and the argument checks every corpus builder shares."""

from dataclasses import dataclass

import numpy as np

from ..dsp._checks import check_int, short_repr
from ..errors import ParameterError

__all__ = ["Corpus", "MissingToolError", "check_progress", "check_int_tuple", "report"]


@dataclass(frozen=True)
class Corpus:
    """Labelled audio clips: the examples of a supervised-learning data set.

    Entry ``i`` of ``clips``, ``labels``, ``names`` and ``groups`` describes
    the same example, so the lists have one length. A trainer turns the clips
    into a feature matrix ``X`` (one row per clip) and the labels into ``y``.

    Attributes
    ----------
    clips : list of np.ndarray [shape=(n_i,), dtype=float32]
        Mono audio at ``sr``; lengths may differ from clip to clip.
    labels : list of str
        The class of each clip.
    names : list of str
        A unique id of each clip: the file path relative to the corpus root,
        or ``"<class>/<index>"`` for generated clips (``"vowel_a/007"``).
    groups : list of str
        What the clip shares with others beyond its class (a voice, an
        instrument bank, a register). Holding a whole group out of training
        (a *group split*) tests generalisation to unseen voices or banks.
    sr : float
        Sampling rate of every clip, in Hz.
    failures : list of (str, str)
        ``(name, message)`` of every input that could not be read; the
        builders record them here instead of raising.

    Raises
    ------
    ParameterError
        If the four per-clip lists differ in length, a clip is not a mono
        float32 array, or ``names`` repeats an id.
    """

    clips: list[np.ndarray]
    labels: list[str]
    names: list[str]
    groups: list[str]
    sr: float
    failures: list[tuple[str, str]]

    def __post_init__(self):
        lengths = {key: len(getattr(self, key)) for key in ("clips", "labels", "names", "groups")}
        if len(set(lengths.values())) != 1:
            detail = ", ".join(f"len({key})={n}" for key, n in lengths.items())
            raise ParameterError(f"a Corpus needs one label, name and group per clip; got {detail}")
        for name, clip in zip(self.names, self.clips):
            if not isinstance(clip, np.ndarray) or clip.ndim != 1 or clip.dtype != np.float32:
                raise ParameterError(
                    f"every clip must be a mono float32 ndarray; clip {name!r} is {short_repr(clip)}"
                )
        if len(set(self.names)) != len(self.names):
            seen = set()
            repeated = next(n for n in self.names if n in seen or seen.add(n))
            raise ParameterError(f"clip names must be unique; names contains {repeated!r} twice")

    def __len__(self):
        return len(self.clips)

    @property
    def classes(self):
        """The sorted distinct labels, ``list[str]``."""
        return sorted(set(self.labels))


class MissingToolError(RuntimeError):
    """A program, library or SoundFont needed to build a corpus is not installed.

    The message says what to install (a ``pip install`` or ``apt-get install``
    line). A corpus already in the cache loads without the tool.
    """


def check_progress(progress):
    """Return ``progress`` if it is None or callable, else raise naming it."""
    if progress is not None and not callable(progress):
        raise ParameterError(
            "progress must be None or a callable progress(done, total, message), "
            f"got progress={short_repr(progress)}"
        )
    return progress


def check_int_tuple(values, name, minimum, maximum):
    """Return ``values`` as a non-empty tuple of distinct ints in ``[minimum, maximum]``."""
    values = tuple(values) if isinstance(values, (list, tuple, range)) else None
    if not values or len(set(values)) != len(values):
        raise ParameterError(f"{name} must be a non-empty sequence without repeats, "
                             f"got {name}={short_repr(values)}")
    return tuple(check_int(v, name, minimum=minimum, maximum=maximum) for v in values)


def report(progress, done, total, message):
    """Call ``progress(done, total, message)`` when a callback was given."""
    if progress is not None:
        progress(done, total, message)
