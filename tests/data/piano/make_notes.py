"""Re-create the piano notes in this folder (run by hand; not part of the test suite).

Needs the tinysoundfont 0.3.7 source distribution, which holds the public-domain
Florestan piano SoundFont (``test/florestan-piano.sf2``)::

    pip download --no-deps --no-binary :all: tinysoundfont==0.3.7 -d /tmp/tsf
    tar xzf /tmp/tsf/tinysoundfont-0.3.7.tar.gz -C /tmp/tsf
    pip install --no-deps /tmp/tsf/tinysoundfont-0.3.7.tar.gz --target /tmp/tsfpkg
    PYTHONPATH=/tmp/tsfpkg python3 tests/data/piano/make_notes.py \
        /tmp/tsf/tinysoundfont-0.3.7/test/florestan-piano.sf2
"""

import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import tinysoundfont

SR = 22050
HOLD = 0.9  # seconds the key is held
LENGTH = 1.0  # seconds kept (the release is cut at LENGTH)
NOTES = {"A3": 57, "C4": 60, "E4": 64, "G4": 67, "D5": 74, "C3": 48}


def render(soundfont, key):
    """Render MIDI ``key`` at velocity 100 as mono float32 at ``SR`` Hz."""
    synth = tinysoundfont.Synth(samplerate=SR)
    sfid = synth.sfload(soundfont)
    synth.program_select(0, sfid, 0, 0)
    synth.noteon(0, key, 100)
    held = np.frombuffer(synth.generate(round(HOLD * SR)), dtype=np.float32)
    synth.noteoff(0, key)
    rest = np.frombuffer(synth.generate(round(LENGTH * SR) - round(HOLD * SR)), dtype=np.float32)
    stereo = np.concatenate([held, rest]).reshape(-1, 2)
    mono = stereo.mean(axis=1)
    return 0.9 * mono / np.abs(mono).max()


def main(soundfont):
    here = Path(__file__).parent
    for name, key in NOTES.items():
        sf.write(here / f"{name}_{key}.flac", render(soundfont, key), SR, subtype="PCM_16")


if __name__ == "__main__":
    main(sys.argv[1])
