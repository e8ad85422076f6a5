"""The microphone recorder's Python side: PCM messages → WAV → an AudioSource, and its limits."""

import base64

import numpy as np
import pytest

from listenwidgets import dsp
from listenwidgets.nodes import AudioSource
from listenwidgets.views import SourceView
from listenwidgets.views.recorder import MAX_SR, MIN_SR, Recorder


def pcm16(y):
    """Float samples as the browser sends them: int16 little-endian bytes."""
    return np.clip(np.round(np.asarray(y) * 32768), -32768, 32767).astype("<i2").tobytes()


def send(recorder, y, *, sr, chunk=1000, rid="r1", n=None, chunks=None):
    """Play the browser's side of the protocol: a header, then base64 chunks of int16."""
    data = pcm16(y)
    parts = [data[i:i + 2 * chunk] for i in range(0, len(data), 2 * chunk)] or [b""]
    recorder._handle_msg({"type": "begin", "id": rid, "sr": sr,
                          "n": len(y) if n is None else n,
                          "chunks": len(parts) if chunks is None else chunks})
    for index, part in enumerate(parts):
        recorder._handle_msg({"type": "chunk", "id": rid, "index": index,
                              "data": base64.b64encode(part).decode()})


def tone(seconds, sr):
    t = np.arange(int(seconds * sr)) / sr
    return 0.5 * np.sin(2 * np.pi * 440.0 * t)


def test_chunks_become_a_wav_that_loads_back_exactly():
    recorder = Recorder(max_seconds=5)
    y = tone(1.0, 16000)
    send(recorder, y, sr=16000, chunk=3000)              # 6 chunks, the last one short
    assert recorder.value is not None
    loaded, sr = dsp.load(recorder.value)
    assert sr == 16000 and loaded.size == y.size
    np.testing.assert_array_equal(loaded, np.frombuffer(pcm16(y), "<i2") / 32768.0)
    assert recorder.status == "Recorded 1.0 s at 16000 Hz."


def test_chunks_may_arrive_in_any_order():
    recorder = Recorder()
    y = tone(0.5, 8000)
    data = pcm16(y)
    recorder._handle_msg({"type": "begin", "id": "x", "sr": 8000, "n": y.size, "chunks": 2})
    half = len(data) // 2
    recorder._handle_msg({"type": "chunk", "id": "x", "index": 1,
                          "data": base64.b64encode(data[half:]).decode()})
    assert recorder.value is None
    recorder._handle_msg({"type": "chunk", "id": "x", "index": 0,
                          "data": base64.b64encode(data[:half]).decode()})
    assert dsp.load(recorder.value)[0].size == y.size


def test_a_recording_feeds_the_source_view_as_an_upload(render):
    node = AudioSource(name="audio", sandboxed=True)
    view = SourceView(node, max_record_seconds=3)
    render(view)
    demo = view.sources["waveform"].data["t"][-1]
    send(view.recorder, tone(2.0, 22050), sr=22050, chunk=2**14)
    assert node.origin == "upload" and node.filename == "microphone recording"
    assert node.error is None and node.output.duration == pytest.approx(2.0, abs=1e-3)
    t = view.sources["waveform"].data["t"]
    assert t[-1] == pytest.approx(2.0, abs=0.01) and t[-1] != demo
    assert view._player.signal is node.output


@pytest.mark.parametrize("header, reason", [
    ({"sr": MIN_SR - 1, "n": 100, "chunks": 1}, "outside"),
    ({"sr": MAX_SR + 1, "n": 100, "chunks": 1}, "outside"),
    ({"sr": 8000, "n": 0, "chunks": 1}, "empty"),
    ({"sr": 8000, "n": 8000 * 2 + 1, "chunks": 1}, "max_seconds=2"),
    ({"sr": 8000, "n": 100, "chunks": 0}, "chunks=0"),
    ({"sr": "8000", "n": 100, "chunks": 1}, "malformed"),
    ({"sr": 8000.5, "n": 100, "chunks": 1}, "malformed"),
])
def test_a_bad_header_is_refused_with_a_reason(header, reason):
    recorder = Recorder(max_seconds=2)
    recorder._handle_msg({"type": "begin", "id": "r", **header})
    recorder._handle_msg({"type": "chunk", "id": "r", "index": 0,
                          "data": base64.b64encode(b"\0\0" * 100).decode()})
    assert recorder.value is None
    assert recorder.status.startswith("The recording was refused") and reason in recorder.status


def test_more_or_less_data_than_announced_is_refused():
    recorder = Recorder()
    send(recorder, np.zeros(100), sr=8000, n=50, chunks=1)
    assert recorder.value is None and "more data" in recorder.status
    send(recorder, np.zeros(100), sr=8000, n=150, chunks=1)
    assert recorder.value is None and "announced n=150" in recorder.status


def test_bad_chunks_and_strangers_are_ignored_or_refused():
    recorder = Recorder()
    recorder._handle_msg("not a dict")
    recorder._handle_msg({"type": "chunk", "id": "nobody", "index": 0, "data": "AAAA"})
    assert recorder.value is None and recorder.status == Recorder.param["status"].default
    recorder._handle_msg({"type": "begin", "id": "r", "sr": 8000, "n": 10, "chunks": 1})
    recorder._handle_msg({"type": "chunk", "id": "r", "index": 0, "data": "***"})
    assert "not base64" in recorder.status
    recorder._handle_msg({"type": "begin", "id": "r", "sr": 8000, "n": 10, "chunks": 1})
    recorder._handle_msg({"type": "chunk", "id": "r", "index": 3, "data": "AAAA"})
    assert "out of range" in recorder.status and recorder.value is None


def test_the_wav_stays_in_python_and_the_limit_is_fixed():
    recorder = Recorder(max_seconds=4)
    assert Recorder._property_mapping["value"] is None
    with pytest.raises(TypeError):
        recorder.max_seconds = 600
    with pytest.raises(ValueError):
        Recorder(max_seconds=0.5)
