"""Spoken digits 0-9 from the eSpeak NG speech synthesiser, in several voices, rates and pitches."""

import numpy as np

from ..dsp._checks import check_int, check_real, short_repr
from ..dsp.resample import check_rate, resample
from ..errors import ParameterError
from ._cache import cached_corpus
from ._corpus import check_int_tuple, check_progress
from ._espeak import speak

__all__ = ["DIGIT_WORDS", "spoken_digits"]

#: The word spoken for each digit class ``"0"`` ... ``"9"``.
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

#: Samples below this fraction of the peak at either end are trimmed as silence.
_SILENCE = 0.01

#: Seconds kept before the first and after the last non-silent sample.
_MARGIN = 0.03


def _trim(y, sr):
    """Cut the leading and trailing silence of ``y``, keeping a margin of :data:`_MARGIN` s."""
    loud = np.flatnonzero(np.abs(y) > _SILENCE * np.max(np.abs(y)))
    margin = int(_MARGIN * sr)
    return y[max(0, loud[0] - margin):loud[-1] + 1 + margin]


def _render(spec, sr):
    """One digit: synthesise, trim, resample to ``sr``, add white noise at the spec's SNR."""
    word, voice, rate, pitch, snr_db, noise_seed = spec
    y, native = speak(word, voice=voice, rate=rate, pitch=pitch)
    y = _trim(y, native)
    if native != sr:
        y = resample(y, orig_sr=native, target_sr=sr)
    if snr_db is not None:
        sigma = np.sqrt(np.mean(y**2) / 10.0 ** (snr_db / 10.0))
        y = y + sigma * np.random.default_rng(noise_seed).standard_normal(y.size)
    return y


def spoken_digits(*, sr=16000, cache_dir=None, progress=None,
                  voices=("en+m1", "en+m3", "en+m7", "en+f2", "en+f4", "en-us+klatt"),
                  rates=(130, 175, 220), pitches=(35, 50, 65), snr_db=(15.0, 40.0), seed=0):
    """The digits zero to nine spoken by eSpeak NG voices, perturbed and cached.

    Every voice says every digit at every rate and pitch:
    ``10 * len(voices) * len(rates) * len(pitches)`` clips (540 by default).
    Each is trimmed of its silence (30 ms kept at both ends), resampled to
    ``sr`` and mixed with white noise at an SNR drawn uniformly from
    ``snr_db``; the clips' lengths differ (about 0.3-0.8 s).

    Synthetic voices are easy to tell apart and easy to learn; the
    meaningful test holds one voice out (``groups``).

    Parameters
    ----------
    sr : int > 0
        Sampling rate of the clips in Hz (synthesised at 22.05 kHz, then
        resampled).
    cache_dir : str, pathlib.Path or None
        Cache folder; None uses ``$LISTENWIDGETS_CACHE/corpora`` or
        ``~/.cache/listenwidgets/corpora``.
    progress : callable or None
        Called as ``progress(done, total, message)`` while synthesising and
        while loading.
    voices : sequence of str
        eSpeak NG voices with optional variant: language ``en``, ``en-us``,
        ``en-gb-scotland``...; variant ``+m1`` ... ``+m7``, ``+f1`` ...
        ``+f5``, ``+klatt``, ``+croak``, ``+whisper``...
    rates : sequence of int in [80, 450]
        Speaking rates in words per minute.
    pitches : sequence of int in [0, 100]
        Base pitches (50 is the voice's own).
    snr_db : (float, float) or None
        Lowest and highest signal-to-noise ratio in dB of the added white
        noise; None adds none.
    seed : int >= 0
        Seed of the SNR and noise draws.

    Returns
    -------
    corpus : Corpus
        Labels ``"0"`` ... ``"9"``; names ``"<voice>/<digit>_r<rate>_p<pitch>"``
        (``"en+f2/7_r175_p50"``); groups the voice. A voice eSpeak NG lacks
        leaves its clips in ``failures``.

    Raises
    ------
    MissingToolError
        If the corpus is not cached and libespeak-ng is missing (the message
        gives the install line).
    ParameterError
        If an argument is invalid, the cache folder cannot be written, or
        fewer than two digits could be spoken (e.g. every voice unknown).

    Notes
    -----
    The SNR and noise draws are fixed by ``seed``, but the synthesiser
    itself carries state from one utterance to the next, so two builds in
    different processes may differ by a few samples per clip; the cache
    keeps one build, and every later call returns exactly it.

    eSpeak NG is GPL-3: it is run as an external library to generate the
    audio, and none of its code is in listenwidgets. Its output is the
    synthesiser's speech, not a copyrighted recording.

    Examples
    --------
    >>> corpus = spoken_digits(voices=("en+m3", "en+f2"), rates=(175,),
    ...                        pitches=(50,))  # doctest: +SKIP
    >>> len(corpus), corpus.classes[:3], corpus.names[7]  # doctest: +SKIP
    (20, ['0', '1', '2'], 'en+m3/7_r175_p50')
    """
    sr = check_rate(sr, "sr")
    check_progress(progress)
    voices = (voices,) if isinstance(voices, str) else tuple(voices)
    if not voices or len(set(voices)) != len(voices) or not all(isinstance(v, str) for v in voices):
        raise ParameterError(f"voices must be distinct voice names, got voices={short_repr(voices)}")
    rates = check_int_tuple(rates, "rates", 80, 450)
    pitches = check_int_tuple(pitches, "pitches", 0, 100)
    if snr_db is not None:
        if not isinstance(snr_db, (list, tuple)) or len(snr_db) != 2:
            raise ParameterError(f"snr_db must be a pair (lowest, highest) or None, "
                                 f"got snr_db={short_repr(snr_db)}")
        low = check_real(snr_db[0], "snr_db")
        snr_db = (low, check_real(snr_db[1], "snr_db", minimum=low))
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    jobs = []
    for voice in voices:
        for digit, word in enumerate(DIGIT_WORDS):
            for rate in rates:
                for pitch in pitches:
                    snr = None if snr_db is None else round(float(rng.uniform(*snr_db)), 3)
                    jobs.append((f"{voice}/{digit}_r{rate}_p{pitch}", str(digit), voice,
                                 (word, voice, rate, pitch, snr, int(rng.integers(2**31)))))
    config = {"voices": voices, "rates": rates, "pitches": pitches, "snr_db": snr_db,
              "seed": seed, "margin": _MARGIN, "silence": _SILENCE}
    return cached_corpus("spoken_digits", config=config, jobs=jobs,
                         make_renderer=lambda: lambda spec: _render(spec, sr), sr=sr,
                         cache_dir=cache_dir, progress=progress)
