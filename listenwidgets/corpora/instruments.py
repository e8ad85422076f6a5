"""Recorded instrument notes rendered from a General MIDI SoundFont (FluidR3_GM by default).

A SoundFont holds real recordings of each instrument at a few keys; a
renderer transposes the nearest recording to the requested key and shapes
it with the instrument's envelope. :func:`instrument_notes` renders each
instrument at several keys and velocities with ``tinysoundfont`` and caches
the result.
"""

import os

import numpy as np

from ..dsp._checks import check_real
from ..dsp.resample import check_rate, resample
from ..errors import ParameterError
from ._cache import cached_corpus
from ._corpus import MissingToolError, check_int_tuple, check_progress

__all__ = ["INSTRUMENTS", "DEFAULT_SOUNDFONT", "instrument_notes"]

#: Class name -> General MIDI program (0-based) of the instruments offered.
INSTRUMENTS = {
    "piano": 0,  # Acoustic Grand Piano
    "marimba": 12,
    "organ": 19,  # Church Organ
    "guitar": 24,  # Acoustic Guitar (nylon)
    "violin": 40,
    "cello": 42,
    "trumpet": 56,
    "saxophone": 65,  # Alto Sax
    "clarinet": 71,
    "flute": 73,
}

#: Where Debian's ``fluid-soundfont-gm`` installs FluidR3_GM (MIT licence).
DEFAULT_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

#: Rate the SoundFont is rendered at before resampling to ``sr`` (its samples are 44.1 kHz).
RENDER_SR = 44100

#: Seconds of the clip after the note-off, for the release.
RELEASE = 0.2

_INSTALL = ("pip install --no-deps tinysoundfont   (and for the default SoundFont: "
            "apt-get install fluid-soundfont-gm)")


def _synth(soundfont):
    """A ``tinysoundfont.Synth`` at :data:`RENDER_SR` with ``soundfont`` loaded, and its id."""
    try:
        import tinysoundfont
    except ImportError as exc:
        raise MissingToolError(
            f"instrument_notes needs the tinysoundfont renderer: {_INSTALL}"
        ) from exc
    if not os.path.isfile(soundfont):
        raise MissingToolError(
            f"soundfont={soundfont!r} does not exist: apt-get install fluid-soundfont-gm, "
            "or pass soundfont= the path of a .sf2 file"
        )
    synth = tinysoundfont.Synth(samplerate=RENDER_SR)
    try:
        return synth, synth.sfload(soundfont)
    except tinysoundfont.SoundFontException as exc:
        raise ParameterError(f"soundfont={soundfont!r} cannot be read as a SoundFont: {exc}") from exc


def _renderer(soundfont, duration, sr):
    """``render((program, key, velocity))``: one note, held ``duration - RELEASE`` s, mono at ``sr``."""
    synth, sfid = _synth(soundfont)
    held = int(round((duration - RELEASE) * RENDER_SR))
    tail = int(round(duration * RENDER_SR)) - held

    def render(spec):
        program, key, velocity = spec
        synth.sounds_off()
        try:
            synth.program_select(0, sfid, 0, program)
        except RuntimeError as exc:
            raise ParameterError(f"program={program} is not in the SoundFont: {exc}") from exc
        synth.noteon(0, key, velocity)
        sound = np.frombuffer(synth.generate(held), dtype=np.float32)
        synth.noteoff(0, key)
        sound = np.concatenate([sound, np.frombuffer(synth.generate(tail), dtype=np.float32)])
        y = sound.reshape(-1, 2).mean(axis=1, dtype=np.float64)
        peak = np.max(np.abs(y))
        if not np.isfinite(peak) or peak < 1e-4:
            raise ParameterError(f"program={program}, key={key}, velocity={velocity} rendered silence")
        y *= 0.9 * (velocity / 127) / peak
        return resample(y, orig_sr=RENDER_SR, target_sr=sr) if sr != RENDER_SR else y

    return render


def instrument_notes(*, sr=16000, cache_dir=None, progress=None,
                     instruments=("piano", "guitar", "violin", "flute", "trumpet", "organ"),
                     notes=tuple(range(48, 84, 3)), velocities=(50, 80, 110), duration=1.0,
                     soundfont=DEFAULT_SOUNDFONT):
    """Single notes of several instruments, rendered from a SoundFont and cached.

    Every instrument plays every MIDI key in ``notes`` at every velocity in
    ``velocities``: ``len(instruments) * len(notes) * len(velocities)`` clips
    of ``duration`` seconds (the key is released ``0.2`` s before the end).
    Key ``k`` sounds at

    .. math:: f_0 = 440 \\cdot 2^{(k - 69) / 12}\\ \\mathrm{Hz}.

    Each clip is scaled to a peak of ``0.9 * velocity / 127``, so loudness
    follows velocity and not the instrument's recording level; velocity also
    changes the timbre where the SoundFont has velocity layers.

    Parameters
    ----------
    sr : int > 0
        Sampling rate of the clips in Hz (rendered at 44.1 kHz, then
        resampled).
    cache_dir : str, pathlib.Path or None
        Cache folder; None uses ``$LISTENWIDGETS_CACHE/corpora`` or
        ``~/.cache/listenwidgets/corpora``. The first call renders
        (a few seconds per hundred clips); later calls read the FLAC files.
    progress : callable or None
        Called as ``progress(done, total, message)`` while rendering and
        while loading.
    instruments : sequence of str
        Classes, from :data:`INSTRUMENTS` (``piano marimba organ guitar violin
        cello trumpet saxophone clarinet flute``).
    notes : sequence of int in [21, 108]
        MIDI keys (60 = middle C). The default, C3 to A5 in minor thirds,
        gives four keys in each of octaves 3, 4 and 5.
    velocities : sequence of int in [1, 127]
        MIDI velocities.
    duration : float in [0.3, 10]
        Length of each clip in seconds.
    soundfont : str or pathlib.Path
        A General MIDI ``.sf2`` file; programs come from bank 0.

    Returns
    -------
    corpus : Corpus
        Labels are the instrument names; names ``"<instrument>/<key>_v<velocity>"``
        (``"violin/069_v080"``); groups the octave of the key
        (``"octave4"`` for keys 60-71), so a whole register can be held out.

    Raises
    ------
    MissingToolError
        If the corpus is not cached and ``tinysoundfont`` or the SoundFont is
        missing (the message gives the install line).
    ParameterError
        If an argument is invalid, the SoundFont cannot be read, the cache
        folder cannot be written, or fewer than two instruments sound.

    Notes
    -----
    FluidR3_GM (Frank Wen, Debian ``fluid-soundfont-gm``) is under the MIT
    licence, so the rendered notes may be redistributed with its notice.

    Examples
    --------
    >>> corpus = instrument_notes(instruments=("piano", "flute"), notes=(60, 72),
    ...                           velocities=(100,))  # doctest: +SKIP
    >>> corpus.names  # doctest: +SKIP
    ['piano/060_v100', 'piano/072_v100', 'flute/060_v100', 'flute/072_v100']
    """
    sr = check_rate(sr, "sr")
    check_progress(progress)
    instruments = (instruments,) if isinstance(instruments, str) else tuple(instruments)
    unknown = [name for name in instruments if name not in INSTRUMENTS]
    if unknown or len(set(instruments)) < 2 or len(set(instruments)) != len(instruments):
        raise ParameterError(
            f"instruments must name at least two distinct classes from {', '.join(INSTRUMENTS)}; "
            f"got instruments={instruments}"
        )
    notes = check_int_tuple(notes, "notes", 21, 108)
    velocities = check_int_tuple(velocities, "velocities", 1, 127)
    duration = check_real(duration, "duration", minimum=0.3, maximum=10.0)
    soundfont = os.path.abspath(os.fspath(soundfont))
    jobs = [(f"{name}/{key:03d}_v{velocity:03d}", name, f"octave{key // 12 - 1}",
             (INSTRUMENTS[name], key, velocity))
            for name in instruments for key in notes for velocity in velocities]
    config = {"instruments": {name: INSTRUMENTS[name] for name in instruments}, "notes": notes,
              "velocities": velocities, "duration": duration, "soundfont": soundfont,
              "release": RELEASE, "render_sr": RENDER_SR}
    return cached_corpus("instrument_notes", config=config, jobs=jobs,
                         make_renderer=lambda: _renderer(soundfont, duration, sr), sr=sr,
                         cache_dir=cache_dir, progress=progress)
