"""Tests of listenwidgets.corpora.synthetic: determinism, layout, and that each class sounds as named."""

from collections import Counter

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.corpora import TASKS, Corpus, synthetic
from listenwidgets.corpora.synthetic import SPEAKERS, VOWEL_FORMANTS
from listenwidgets.dsp import chroma_stft, lpc


@pytest.mark.parametrize("task", TASKS)
def test_same_seed_same_corpus_other_seed_differs(task):
    a = synthetic(task, n_per_class=3, seed=7)
    b = synthetic(task, n_per_class=3, seed=7)
    c = synthetic(task, n_per_class=3, seed=8)
    assert a.labels == b.labels and a.names == b.names and a.groups == b.groups
    assert all(np.array_equal(x, y) for x, y in zip(a.clips, b.clips))
    assert not all(np.array_equal(x, y) for x, y in zip(a.clips, c.clips))


@pytest.mark.parametrize("task, classes", [("tone_vs_noise", ["noise", "tone"]),
                                           ("vowels", ["a", "e", "i", "o", "u"]),
                                           ("major_vs_minor", ["major", "minor"])])
def test_layout_balanced_classes_and_shapes(task, classes):
    corpus = synthetic(task, n_per_class=4, sr=8000, duration=0.25)
    assert isinstance(corpus, Corpus)
    assert corpus.classes == classes
    assert Counter(corpus.labels) == {label: 4 for label in classes}
    assert len(corpus) == len(corpus.names) == len(corpus.groups) == 4 * len(classes)
    assert len(set(corpus.names)) == len(corpus.names)
    assert corpus.sr == 8000.0 and corpus.failures == []
    for clip in corpus.clips:
        assert clip.dtype == np.float32 and clip.shape == (2000,)
        assert np.isfinite(clip).all() and 0.1 < np.max(np.abs(clip)) <= 1.0


def test_names_follow_class_and_index():
    corpus = synthetic("vowels", n_per_class=8, seed=0)
    assert "vowel_a/007" in corpus.names
    assert synthetic("tone_vs_noise", n_per_class=1).names == ["tone/000", "noise/000"]


def test_groups_cover_every_speaker_register_and_timbre():
    assert set(synthetic("vowels", n_per_class=20).groups) == {"man", "woman", "child"}
    assert set(synthetic("tone_vs_noise", n_per_class=20).groups) == {"low", "mid", "high"}
    assert set(synthetic("major_vs_minor", n_per_class=30).groups) == {
        "sine", "organ", "bright", "hollow", "pluck"}


def test_snr_sets_the_noise_floor():
    """Same seed, first clip: the noisy clip less its projection on the clean one is noise 10 dB down."""
    clean = synthetic("tone_vs_noise", n_per_class=1, snr_db=np.inf, seed=2).clips[0]
    noisy = synthetic("tone_vs_noise", n_per_class=1, snr_db=10.0, seed=2).clips[0]
    noise = noisy.astype(float) - clean * (np.dot(noisy, clean) / np.dot(clean, clean))
    ratio_db = 10 * np.log10(np.mean(clean.astype(float) ** 2) / np.mean(noise**2))
    assert ratio_db == pytest.approx(10.0, abs=1.0)


def test_tones_are_peaky_and_noise_is_flat():
    """Spectral flatness (geometric over arithmetic mean of the power spectrum) separates the classes."""
    corpus = synthetic("tone_vs_noise", n_per_class=20, snr_db=30.0)
    flatness = {"tone": [], "noise": []}
    for clip, label in zip(corpus.clips, corpus.labels):
        power = np.abs(np.fft.rfft(clip * np.hanning(clip.size))) ** 2 + 1e-12
        flatness[label].append(np.exp(np.mean(np.log(power))) / np.mean(power))
    assert max(flatness["tone"]) < min(flatness["noise"])


def _lpc_formants(y, sr, order=12):
    """Resonance frequencies (Hz, sorted) of an LPC fit: pole angles with bandwidth < 500 Hz."""
    x = np.diff(y.astype(np.float64)) * np.hanning(y.size - 1)
    roots = np.roots(lpc(x, order=order))
    roots = roots[np.imag(roots) > 0]
    freqs = np.angle(roots) * sr / (2 * np.pi)
    bandwidths = -np.log(np.abs(roots)) * sr / np.pi
    return np.sort(freqs[(bandwidths < 500) & (freqs > 150)])


def test_vowel_formants_where_synthesised():
    """LPC finds F1 and F2 within 20 % of the table (scaled by speaker) for nearly every clip."""
    corpus = synthetic("vowels", n_per_class=10, snr_db=np.inf, seed=3)
    hits = 0
    for clip, label, group in zip(corpus.clips, corpus.labels, corpus.groups):
        found = _lpc_formants(clip, corpus.sr)
        expected = np.array(VOWEL_FORMANTS[label][:2]) * SPEAKERS[group][1]
        hits += all(np.min(np.abs(found - f) / f) < 0.2 for f in expected)
    assert hits >= 0.9 * len(corpus)


def test_chroma_tells_major_from_minor():
    """Matching the mean chroma against the 24 rotated major/minor triad templates gets most clips right."""
    corpus = synthetic("major_vs_minor", n_per_class=20, seed=5)
    templates = {}
    for quality, third in (("major", 4), ("minor", 3)):
        base = np.zeros(12)
        base[[0, third, 7]] = 1.0
        templates[quality] = np.stack([np.roll(base, k) for k in range(12)])
    right = 0
    for clip, label in zip(corpus.clips, corpus.labels):
        chroma = chroma_stft(y=clip, sr=corpus.sr, n_fft=4096, hop_length=1024, tuning=0.0).mean(axis=1)
        scores = {q: (t @ chroma).max() for q, t in templates.items()}
        right += max(scores, key=scores.get) == label
    assert right >= 0.8 * len(corpus)


@pytest.mark.parametrize("kwargs, message", [
    ({"task": "birdsong"}, "task="),
    ({"n_per_class": 0}, "n_per_class=0"),
    ({"sr": 4000}, "sr=4000"),
    ({"duration": 0.01}, "duration=0.01"),
    ({"snr_db": float("nan")}, "snr_db=nan"),
    ({"seed": -1}, "seed=-1"),
])
def test_bad_arguments_name_the_parameter(kwargs, message):
    kwargs = {"task": "vowels", **kwargs}
    with pytest.raises(ParameterError, match=message):
        synthetic(kwargs.pop("task"), **kwargs)


def test_corpus_checks_its_lists():
    clip = np.zeros(4, dtype=np.float32)
    with pytest.raises(ParameterError, match="len\\(labels\\)=2"):
        Corpus(clips=[clip], labels=["a", "b"], names=["x"], groups=["g"], sr=8000.0, failures=[])
    with pytest.raises(ParameterError, match="'x' twice"):
        Corpus(clips=[clip, clip], labels=["a", "b"], names=["x", "x"], groups=["g", "g"],
               sr=8000.0, failures=[])
    with pytest.raises(ParameterError, match="mono float32"):
        Corpus(clips=[clip.astype(np.float64)], labels=["a"], names=["x"], groups=["g"],
               sr=8000.0, failures=[])
