"""Tests of the corpus cache with a fake renderer: reuse, invalidation, damage, failures, location."""

import json
import pathlib

import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.corpora import cache_root
from listenwidgets.corpora._cache import cached_corpus

SR = 8000
JOBS = [(f"{label}/{i}", label, f"g{i}", (freq, i)) for label, freq in (("low", 200), ("high", 900))
        for i in range(3)]


class FakeRenderer:
    """Counts how often a renderer is made and how many clips it renders; ``(freq, 2)`` with freq 900 fails."""

    def __init__(self):
        self.made = 0
        self.rendered = 0

    def __call__(self):
        self.made += 1

        def render(spec):
            freq, i = spec
            if (freq, i) == (900, 2):
                raise ParameterError("freq=900 is not renderable today")
            self.rendered += 1
            return 0.5 * np.sin(2 * np.pi * freq * np.arange(SR // 10) / SR) * (1 + i) / 3

        return render


def build(cache_dir, renderer, config=None, progress=None):
    return cached_corpus("fake", config=config or {"a": (1, 2)}, jobs=JOBS, make_renderer=renderer,
                         sr=SR, cache_dir=cache_dir, progress=progress)


def test_first_call_renders_second_loads(tmp_path):
    renderer = FakeRenderer()
    seen = []
    first = build(tmp_path, renderer, progress=lambda *a: seen.append(a))
    assert (renderer.made, renderer.rendered) == (1, 5)
    assert seen[0] == (0, 6, "preparing the renderer") and seen[6] == (6, 6, "rendering high/2")
    assert first.names == [name for name, *_ in JOBS if name != "high/2"]
    assert first.failures == [("high/2", "freq=900 is not renderable today")]
    assert first.groups[:3] == ["g0", "g1", "g2"] and first.sr == SR
    calls = []
    second = build(tmp_path, renderer, progress=lambda *a: calls.append(a))
    assert (renderer.made, renderer.rendered) == (1, 5)
    assert second.names == first.names and second.failures == first.failures
    assert all(np.array_equal(a, b) for a, b in zip(first.clips, second.clips))
    assert calls[-1] == (5, 5, "loading high/1")
    folders = list(tmp_path.iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("fake-")  # no staging folder left
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    assert manifest["config"]["a"] == [1, 2] and manifest["sr"] == SR


def test_clips_are_the_16_bit_flac_samples(tmp_path):
    corpus = build(tmp_path, FakeRenderer())
    expected = 0.5 * np.sin(2 * np.pi * 200 * np.arange(SR // 10) / SR) / 3
    np.testing.assert_allclose(corpus.clips[0], expected, atol=2.0**-15)
    assert all(clip.dtype == np.float32 for clip in corpus.clips)


def test_progress_can_cancel_a_build_leaving_nothing(tmp_path):
    class Cancelled(Exception):
        pass

    def cancel_at_three(done, total, message):
        if done == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        build(tmp_path, FakeRenderer(), progress=cancel_at_three)
    assert list(tmp_path.iterdir()) == []
    assert len(build(tmp_path, FakeRenderer())) == 5


def test_another_config_is_another_entry(tmp_path):
    renderer = FakeRenderer()
    build(tmp_path, renderer)
    build(tmp_path, renderer, config={"a": (1, 3)})
    assert renderer.made == 2 and len(list(tmp_path.iterdir())) == 2


@pytest.mark.parametrize("damage", ["delete_clip", "corrupt_clip", "corrupt_manifest", "old_version"])
def test_a_damaged_entry_is_rebuilt(tmp_path, damage):
    renderer = FakeRenderer()
    build(tmp_path, renderer)
    entry = next(tmp_path.iterdir())
    if damage == "delete_clip":
        (entry / "low" / "1.flac").unlink()
    elif damage == "corrupt_clip":
        (entry / "low" / "1.flac").write_bytes(b"fLaC garbage")
    elif damage == "corrupt_manifest":
        (entry / "manifest.json").write_text("{")
    else:
        manifest = json.loads((entry / "manifest.json").read_text())
        (entry / "manifest.json").write_text(json.dumps({**manifest, "version": 0}))
    corpus = build(tmp_path, renderer)
    assert renderer.made == 2 and len(corpus) == 5
    assert [p.name for p in tmp_path.iterdir()] == [entry.name]


def test_fewer_than_two_classes_made_is_refused(tmp_path):
    def only_failures():
        def render(spec):
            raise ParameterError(f"voice={spec!r} is unknown")
        return render

    with pytest.raises(ParameterError, match="0 class\\(es\\).*voice="):
        build(tmp_path, only_failures)


def test_unwritable_cache_dir_names_it(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(ParameterError, match="cache_dir=.*a_file/sub.* cannot hold the corpus"):
        build(blocker / "sub", FakeRenderer())


def test_cache_root_follows_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("LISTENWIDGETS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "listenwidgets" / "corpora"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == pathlib.Path.home() / ".cache" / "listenwidgets" / "corpora"
    monkeypatch.setenv("LISTENWIDGETS_CACHE", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env" / "corpora"
    assert cache_root(tmp_path / "mine") == tmp_path / "mine"
