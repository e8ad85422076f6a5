"""Labelled audio corpora for the chapter-8 trainer.

Every builder returns a :class:`Corpus`: mono float32 clips with a label, a
unique name and a group each, at one sampling rate.

- :func:`synthetic` -- generated tasks (:data:`TASKS`): tone vs noise,
  five vowels, major vs minor triads. Instant, deterministic by seed.
- :func:`folder` -- a folder of audio files, one subfolder per class.
- :func:`instrument_notes` -- real instrument recordings, rendered from a
  General MIDI SoundFont (FluidR3_GM, MIT) with ``tinysoundfont``.
- :func:`spoken_digits` -- zero to nine in several eSpeak NG voices.

The last two are built once on demand (seconds) and cached as FLAC files with
a JSON manifest (:func:`cache_root`); building needs an optional tool, and
a missing one raises :class:`MissingToolError` naming what to install.

This layer sits between :mod:`listenwidgets.dsp` (which it uses) and
:mod:`listenwidgets.nodes`: numpy, scipy and soundfile only, nothing of
param or the UI.
"""

from ._cache import cache_root
from ._corpus import Corpus, MissingToolError
from .digits import spoken_digits
from .folder import AUDIO_EXTENSIONS, folder
from .instruments import INSTRUMENTS, instrument_notes
from .synthetic import TASKS, synthetic

__all__ = [
    "Corpus",
    "MissingToolError",
    "TASKS",
    "AUDIO_EXTENSIONS",
    "INSTRUMENTS",
    "cache_root",
    "synthetic",
    "folder",
    "instrument_notes",
    "spoken_digits",
]
