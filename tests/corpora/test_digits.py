"""Tests of listenwidgets.corpora.spoken_digits: a small subset synthesised into a temporary cache.

Synthesis needs libespeak-ng (``espeakng-loader`` or Debian ``libespeak-ng1``);
without it the tests skip, or fail under LISTENWIDGETS_REQUIRE_DATASETS=1.
"""

import ctypes.util
import sys

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.corpora import MissingToolError, spoken_digits
from listenwidgets.corpora import _espeak
from listenwidgets.corpora import digits as digits_module

SMALL = {"voices": ("en+m3", "en+f2"), "rates": (175,), "pitches": (50,)}


@pytest.fixture(scope="module")
def clean_and_noisy(tmp_path_factory, build_or_skip):
    """SMALL without noise and at exactly 20 dB SNR, in one cache; with the progress calls of the first."""
    cache = tmp_path_factory.mktemp("cache")
    calls = []
    clean = build_or_skip(spoken_digits, cache_dir=cache, snr_db=None,
                          progress=lambda *a: calls.append(a), **SMALL)
    noisy = build_or_skip(spoken_digits, cache_dir=cache, snr_db=(20.0, 20.0), **SMALL)
    return clean, noisy, cache, calls


def autocorrelation_f0(y, sr, fmin=70.0, fmax=400.0):
    """f0 of the loudest 100 ms of ``y`` from the highest autocorrelation peak at lags sr/fmax..sr/fmin."""
    n = int(0.1 * sr)
    energy = np.convolve(y.astype(float) ** 2, np.ones(n), mode="valid")
    frame = y[np.argmax(energy):][:n].astype(float)
    r = np.correlate(frame, frame, mode="full")[n - 1:]
    lags = np.arange(int(sr / fmax), int(sr / fmin))
    return sr / lags[np.argmax(r[lags])]


def test_layout_names_groups(clean_and_noisy):
    clean, _, _, calls = clean_and_noisy
    assert len(clean) == 20 and clean.failures == []
    assert clean.classes == [str(d) for d in range(10)]
    assert clean.names[7] == "en+m3/7_r175_p50" and clean.labels[7] == "7"
    assert clean.groups == ["en+m3"] * 10 + ["en+f2"] * 10
    for clip in clean.clips:
        assert clip.dtype == np.float32 and 0.15 * 16000 < clip.size < 1.5 * 16000
        assert 0.05 < np.max(np.abs(clip)) <= 1.0
    assert calls[1] == (1, 20, "rendering en+m3/0_r175_p50") and calls[-1][:2] == (20, 20)


def test_silence_is_trimmed(clean_and_noisy):
    """Speech begins within the 30 ms margin (plus a little) of each clip's start and ends near its end."""
    clean, _, _, _ = clean_and_noisy
    for clip in clean.clips:
        loud = np.flatnonzero(np.abs(clip) > 0.01 * np.max(np.abs(clip)))
        assert loud[0] <= 0.035 * clean.sr and clip.size - loud[-1] <= 0.035 * clean.sr


def test_female_variant_speaks_higher(clean_and_noisy):
    clean, _, _, _ = clean_and_noisy
    f0 = {voice: np.median([autocorrelation_f0(c, clean.sr)
                            for c, g in zip(clean.clips, clean.groups) if g == voice])
          for voice in SMALL["voices"]}
    assert f0["en+f2"] > 1.3 * f0["en+m3"]


def test_noise_is_added_at_the_drawn_snr(clean_and_noisy):
    """Where the clean clip starts with 10 ms of silence, the noisy one starts with noise 20 dB down.

    The ratio is taken against the whole noisy clip's power (speech plus noise). eSpeak NG carries
    state from one utterance to the next (lengths vary by a few samples between runs), so clean and
    noisy clips are not compared sample by sample.
    """
    clean, noisy, _, _ = clean_and_noisy
    assert noisy.names == clean.names
    head = int(0.01 * noisy.sr)
    silent_start = [np.max(np.abs(c[:head])) == 0 for c in clean.clips]
    assert sum(silent_start) >= 10
    for n, silent in zip(noisy.clips, silent_start):
        if silent:
            noise_power = np.mean(n[:head].astype(float) ** 2)
            snr = 10 * np.log10((np.mean(n.astype(float) ** 2) - noise_power) / noise_power)
            assert snr == pytest.approx(20.0, abs=2.0)


def test_second_call_reads_the_cache_without_synthesising(clean_and_noisy, monkeypatch):
    clean, _, cache, _ = clean_and_noisy

    def no_synthesis(*args, **kwargs):
        raise AssertionError("synthesised again instead of reading the cache")

    monkeypatch.setattr(digits_module, "speak", no_synthesis)
    again = spoken_digits(cache_dir=cache, snr_db=None, **SMALL)
    assert again.names == clean.names
    assert all(np.array_equal(a, b) for a, b in zip(again.clips, clean.clips))


def test_unknown_voice_goes_to_failures(tmp_path, build_or_skip):
    corpus = build_or_skip(spoken_digits, cache_dir=tmp_path, voices=("en+m3", "xx-nowhere"),
                           rates=(175,), pitches=(50,))
    assert len(corpus) == 10 and set(corpus.groups) == {"en+m3"}
    assert len(corpus.failures) == 10
    assert all("voice='xx-nowhere'" in message for _, message in corpus.failures)


def test_missing_library_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    with pytest.raises(MissingToolError, match="pip install espeakng-loader"):
        _espeak._locate()


@pytest.mark.parametrize("kwargs, message", [
    ({"voices": ()}, "voices=\\(\\)"),
    ({"rates": (50,)}, "rates=50"),
    ({"pitches": (50, 50)}, "pitches=\\(50, 50\\)"),
    ({"snr_db": 20.0}, "snr_db=20.0"),
    ({"snr_db": (30.0, 10.0)}, "snr_db=10.0"),
    ({"seed": -2}, "seed=-2"),
    ({"sr": 0}, "sr=0"),
])
def test_bad_arguments_name_the_parameter(tmp_path, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        spoken_digits(cache_dir=tmp_path, **kwargs)


@pytest.mark.slow
def test_default_corpus_is_balanced_with_six_voices(tmp_path, build_or_skip):
    corpus = build_or_skip(spoken_digits, cache_dir=tmp_path)
    assert len(corpus) == 540 and corpus.failures == []
    assert {corpus.labels.count(label) for label in corpus.classes} == {54}
    assert sorted({corpus.groups.count(voice) for voice in set(corpus.groups)}) == [90]
    assert len(set(corpus.groups)) == 6
