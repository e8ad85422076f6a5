"""Tests of listenwidgets.corpora.instrument_notes: a small subset rendered into a temporary cache.

Rendering needs ``tinysoundfont`` and FluidR3_GM (see the module's install
line); without them the tests skip, or fail under LISTENWIDGETS_REQUIRE_DATASETS=1.
"""

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.corpora import MissingToolError, instrument_notes
from listenwidgets.corpora import instruments as instruments_module

SMALL = {"instruments": ("piano", "flute", "trumpet"), "notes": (57, 69, 76), "velocities": (60, 110),
         "duration": 0.6}


@pytest.fixture(scope="module")
def small(tmp_path_factory, build_or_skip):
    """The SMALL subset at 16 kHz, built once into a fresh cache; with the progress calls seen."""
    cache = tmp_path_factory.mktemp("cache")
    calls = []
    corpus = build_or_skip(instrument_notes, cache_dir=cache, progress=lambda *a: calls.append(a),
                           **SMALL)
    return corpus, cache, calls


def yin_f0(y, sr, fmin=60.0, fmax=2000.0, threshold=0.15, window=1024):
    """f0 by YIN: the first dip below ``threshold`` of the cumulative-mean-normalised difference.

    .. math:: d'(\\tau) = d(\\tau) \\Big/ \\tfrac{1}{\\tau} \\sum_{j=1}^{\\tau} d(j),\\quad
              d(\\tau) = \\sum_t (x_t - x_{t+\\tau})^2

    refined by a parabola through the dip (de Cheveigné and Kawahara, JASA 111(4), 2002).
    """
    x = y.astype(np.float64)
    lags = np.arange(1, int(sr / fmin) + 2)
    d = np.array([np.sum((x[:window] - x[lag:lag + window]) ** 2) for lag in lags])
    cmnd = d * lags / np.cumsum(d)
    valid = lags >= sr / fmax
    below = np.flatnonzero(valid[:-1] & (cmnd[:-1] < threshold))
    i = below[0] if below.size else int(np.argmin(np.where(valid, cmnd, np.inf)[:-1]))
    while i + 2 < cmnd.size and cmnd[i + 1] < cmnd[i]:
        i += 1
    a, b, c = cmnd[i - 1], cmnd[i], cmnd[i + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c > 0 else 0.0
    return sr / (lags[i] + shift)


def key_and_frequency(name):
    """MIDI key of a clip name ``"<instrument>/<key>_v<velocity>"`` and its frequency 440 · 2^((k − 69)/12)."""
    key = int(name.split("/")[1][:3])
    return key, 440.0 * 2.0 ** ((key - 69) / 12)


def semitones(found, expected):
    return abs(12 * np.log2(found / expected))


@pytest.mark.slow
def test_layout_names_groups(small):
    corpus, _, calls = small
    assert len(corpus) == 3 * 3 * 2 and corpus.failures == []
    assert corpus.classes == ["flute", "piano", "trumpet"]
    assert corpus.names[:2] == ["piano/057_v060", "piano/057_v110"]
    assert set(corpus.groups) == {"octave3", "octave4", "octave5"}
    assert corpus.groups[corpus.names.index("flute/069_v060")] == "octave4"
    assert corpus.sr == 16000.0
    assert all(c.dtype == np.float32 and c.shape == (int(0.6 * 16000),) for c in corpus.clips)
    assert calls[0] == (0, 18, "preparing the renderer") and calls[-1][:2] == (18, 18)


@pytest.mark.slow
def test_every_note_sounds_at_its_midi_pitch(small):
    """f0 = 440 · 2^((k − 69)/12) within a semitone, on the held part of every note."""
    corpus, _, _ = small
    for clip, name in zip(corpus.clips, corpus.names):
        _, expected = key_and_frequency(name)
        found = yin_f0(clip[int(0.1 * corpus.sr):], corpus.sr)
        assert semitones(found, expected) < 1.0, (name, found, expected)


@pytest.mark.slow
def test_velocity_sets_the_peak(small):
    corpus, _, _ = small
    for clip, name in zip(corpus.clips, corpus.names):
        velocity = int(name.split("_v")[1])
        assert np.max(np.abs(clip)) == pytest.approx(0.9 * velocity / 127, rel=0.1)


@pytest.mark.slow
def test_second_call_reads_the_cache_without_rendering(small, monkeypatch):
    corpus, cache, _ = small
    manifest = next(cache.iterdir()) / "manifest.json"
    stamp = manifest.stat().st_mtime_ns

    def no_rendering(*args):
        raise AssertionError("rendered again instead of reading the cache")

    monkeypatch.setattr(instruments_module, "_synth", no_rendering)
    again = instrument_notes(cache_dir=cache, **SMALL)
    assert again.names == corpus.names
    assert all(np.array_equal(a, b) for a, b in zip(again.clips, corpus.clips))
    assert manifest.stat().st_mtime_ns == stamp


def test_missing_soundfont_says_what_to_install(tmp_path):
    with pytest.raises(MissingToolError, match="apt-get install fluid-soundfont-gm"):
        instrument_notes(cache_dir=tmp_path, soundfont=tmp_path / "missing.sf2", **SMALL)


@pytest.mark.parametrize("kwargs, message", [
    ({"instruments": ("piano",)}, "instruments=\\('piano',\\)"),
    ({"instruments": ("piano", "kazoo")}, "kazoo"),
    ({"notes": (60, 200)}, "notes=200"),
    ({"notes": ()}, "notes=\\(\\)"),
    ({"velocities": (0,)}, "velocities=0"),
    ({"duration": 0.1}, "duration=0.1"),
    ({"sr": -1}, "sr=-1"),
])
def test_bad_arguments_name_the_parameter(tmp_path, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        instrument_notes(cache_dir=tmp_path, **kwargs)


@pytest.mark.slow
def test_default_corpus_is_balanced_and_in_tune(tmp_path, build_or_skip):
    """The default build: 6 instruments x 12 keys x 3 velocities, every note within a semitone."""
    corpus = build_or_skip(instrument_notes, cache_dir=tmp_path)
    assert len(corpus) == 216 and corpus.failures == []
    assert {corpus.labels.count(label) for label in corpus.classes} == {36}
    assert {corpus.groups.count(group) for group in set(corpus.groups)} == {72}
    for clip, name in zip(corpus.clips, corpus.names):
        _, expected = key_and_frequency(name)
        held = clip[int(0.1 * corpus.sr):int(0.7 * corpus.sr)].astype(np.float64)
        if name.startswith("organ/"):
            # FluidR3's church organ adds a quint rank (1.5 f0) from C5 up: the waveform repeats
            # at f0 / 2, so check that the note's own partial is strong instead of its period.
            spectrum = np.abs(np.fft.rfft(held * np.hanning(held.size)))
            freqs = np.fft.rfftfreq(held.size, 1 / corpus.sr)
            near = np.abs(12 * np.log2(np.maximum(freqs, 1.0) / expected)) < 0.5
            assert spectrum[near].max() > 0.1 * spectrum.max(), name  # within 20 dB
        else:
            found = yin_f0(held, corpus.sr)
            assert semitones(found, expected) < 1.0, (name, found, expected)
