"""Tests of listenwidgets.corpora.folder: labels from subfolders, failures kept aside, bad folders refused."""

import numpy as np
import pytest
import soundfile as sf

from listenwidgets import ParameterError
from listenwidgets.corpora import folder

SR = 8000


def _tone(freq, seconds=0.2, sr=SR):
    return (0.5 * np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)).astype(np.float32)


@pytest.fixture
def root(tmp_path):
    """dog/ (two WAV), cat/ (a FLAC and a stereo OGG in cat/indoor/), a README and a macOS shadow."""
    (tmp_path / "dog").mkdir()
    (tmp_path / "cat" / "indoor").mkdir(parents=True)
    sf.write(tmp_path / "dog" / "a.wav", _tone(300), SR)
    sf.write(tmp_path / "dog" / "b.WAV", _tone(350), SR)
    sf.write(tmp_path / "cat" / "c.flac", _tone(600, sr=16000), 16000)
    sf.write(tmp_path / "cat" / "indoor" / "d.ogg", np.stack([_tone(700)] * 2, axis=1), SR)
    (tmp_path / "README.txt").write_text("not audio")
    (tmp_path / "dog" / "._a.wav").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    return tmp_path


def test_subfolders_become_labels(root):
    corpus = folder(root, sr=SR)
    assert corpus.names == ["cat/c.flac", "cat/indoor/d.ogg", "dog/a.wav", "dog/b.WAV"]
    assert corpus.labels == ["cat", "cat", "dog", "dog"]
    assert corpus.classes == ["cat", "dog"]
    assert corpus.groups == ["cat/c.flac", "indoor", "dog/a.wav", "dog/b.WAV"]
    assert corpus.failures == [] and corpus.sr == SR
    assert all(c.dtype == np.float32 and c.ndim == 1 for c in corpus.clips)
    assert corpus.clips[0].shape == (int(0.2 * SR),)  # resampled from 16 kHz
    np.testing.assert_allclose(corpus.clips[2], _tone(300), atol=1e-4)


def test_unreadable_file_is_reported_and_the_rest_kept(root):
    (root / "dog" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (root / "cat" / "empty.flac").write_bytes(b"")
    sf.write(root / "stray.wav", _tone(100), SR)
    seen = []
    corpus = folder(root, sr=SR, progress=lambda done, total, msg: seen.append((done, total, msg)))
    assert len(corpus) == 4
    failed = dict(corpus.failures)
    assert set(failed) == {"dog/broken.wav", "cat/empty.flac", "stray.wav"}
    assert "cannot read" in failed["dog/broken.wav"]
    assert "not in a class subfolder" in failed["stray.wav"]
    assert seen[-1][:2] == (7, 7) and [d for d, _, _ in seen] == list(range(1, 8))


def test_max_seconds_cuts_long_files(root):
    sf.write(root / "dog" / "long.wav", _tone(300, seconds=3.0), SR)
    corpus = folder(root, sr=SR, max_seconds=1.0)
    assert corpus.clips[corpus.names.index("dog/long.wav")].size == SR
    whole = folder(root, sr=SR, max_seconds=None)
    assert whole.clips[whole.names.index("dog/long.wav")].size == 3 * SR


def test_empty_folder_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="holds no audio file") as info:
        folder(tmp_path)
    assert f"path={str(tmp_path)!r}" in str(info.value)


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="is not a folder"):
        folder(tmp_path / "nowhere")


def test_one_class_is_refused(tmp_path):
    (tmp_path / "dog").mkdir()
    sf.write(tmp_path / "dog" / "a.wav", _tone(300), SR)
    with pytest.raises(ParameterError, match="at least two class subfolders") as info:
        folder(tmp_path)
    assert f"path={str(tmp_path)!r}" in str(info.value)


def test_a_class_whose_files_all_fail_leaves_one_class(tmp_path):
    for label in ("dog", "cat"):
        (tmp_path / label).mkdir()
    sf.write(tmp_path / "dog" / "a.wav", _tone(300), SR)
    (tmp_path / "cat" / "bad.wav").write_bytes(b"garbage")
    with pytest.raises(ParameterError, match="make 1 class"):
        folder(tmp_path)


@pytest.mark.parametrize("kwargs, message", [({"sr": 0}, "sr="), ({"max_seconds": 0}, "max_seconds=0"),
                                             ({"progress": 3}, "progress=3")])
def test_bad_arguments_name_the_parameter(root, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        folder(root, **kwargs)
