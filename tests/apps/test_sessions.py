"""Sessions of the served lab without a browser: memory is given back, errors and uploads stay local.

A Bokeh protocol client (:class:`listenwidgets.bench.load.LabSession`) opens
sessions over the WebSocket as a browser tab does, against ``listenwidgets
serve`` started with a short unused-session lifetime, so that closed sessions
are destroyed within seconds. The server's RSS is read with psutil.
"""

import asyncio
import base64
import contextlib
import re
import time

import numpy as np
import pytest

from listenwidgets import dsp
from listenwidgets.apps.cli import MAX_MESSAGE_MB
from listenwidgets.bench.load import LabSession, serving
from listenwidgets.bench.memory import _peak, _settled_rss

pytestmark = pytest.mark.slow

#: Closed sessions are destroyed after 1 s; the server looks every 0.5 s.
SHORT_LIFETIME = ("--unused-session-lifetime", "1000", "--check-unused-sessions", "500")


@pytest.fixture
def lab(tmp_path):
    """A lab served with a short unused-session lifetime: ``(process, base, log path)``."""
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log, serving(*SHORT_LIFETIME, log=log) as (process, base):
        yield process, base, log_path


def _live_sessions(log_path):
    """The server's count of live sessions after the last one it destroyed (None before any)."""
    counts = re.findall(r"destroyed; (\d+) live", log_path.read_text(errors="replace"))
    return int(counts[-1]) if counts else None


def _wait_until_destroyed(log_path, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _live_sessions(log_path) == 0:
            return True
        time.sleep(0.5)
    return False


async def _open_and_close(base, count, *, batch=5, chapter="sampling"):
    for start in range(0, count, batch):
        sessions = await asyncio.gather(*[LabSession.open(base, chapter=chapter, timeout=300)
                                          for _ in range(min(batch, count - start))])
        for session in sessions:
            assert session.named("sampling.sampler.samples") is not None
            await session.close()


def test_fifty_sessions_give_their_memory_back(lab, record_property):
    process, base, log_path = lab
    # Warm up to the allocator's high-water mark: imports, dsp caches and malloc arenas grow
    # over the first sessions, then stay (measured: 193, 192, 192, 191, 191, 191 MiB after
    # each of six rounds of 20 sessions), so what is left after that is what leaks.
    asyncio.run(_open_and_close(base, 20))
    assert _wait_until_destroyed(log_path)
    time.sleep(2)
    baseline = _settled_rss(process.pid, stable_for=2.0)

    asyncio.run(_open_and_close(base, 50))
    assert _wait_until_destroyed(log_path), "closed sessions were not destroyed"
    time.sleep(2)                                   # the server collects 1 s after the last one
    after = _settled_rss(process.pid, stable_for=2.0)
    peak = _peak(process.pid, [after])
    record_property("rss_mb", {"baseline": baseline, "peak": peak, "after": after})
    print(f"RSS baseline {baseline:.1f} MiB, peak {peak:.1f} MiB, after 50 sessions {after:.1f} MiB")
    assert after <= 1.10 * baseline, (baseline, peak, after)
    assert "Traceback" not in log_path.read_text(errors="replace")


def _wav_bytes(seconds=0.5, sr=8000):
    t = np.arange(int(seconds * sr)) / sr
    with contextlib.suppress(TypeError):
        return dsp.to_wav_bytes(0.5 * np.sin(2 * np.pi * 440 * t), sr=sr)


async def _upload(session, data, filename):
    """Send a file through the page's upload box, as the browser's file input does."""
    box = next(i for i, m in session.models.items() if m["type"] == "FileInput")
    await session._send_events([
        {"kind": "ModelChanged", "model": {"id": box}, "attr": attr, "new": new}
        for attr, new in (("mime_type", "audio/wav"), ("filename", filename),
                          ("value", base64.b64encode(data).decode()))])


def _texts(session):
    return " ".join(str(m["attributes"].get("text", "")) for m in session.models.values())


async def _wait_for_text(session, pattern, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, _texts(session)):
            return True
        await asyncio.sleep(0.2)
    return False


def test_an_error_in_one_session_does_not_reach_another(lab):
    _, base, log_path = lab

    async def run():
        mine = await LabSession.open(base, chapter="stft", timeout=300)
        other = await LabSession.open(base, chapter="stft", timeout=300)
        try:
            # A corrupt upload: the audio node fails in my session, and says why.
            await _upload(mine, b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 50, "broken.wav")
            assert await _wait_for_text(mine, r"Error"), "no error message for a corrupt upload"
            # The other session is untouched and still responds to its knobs.
            assert "Error" not in _texts(other)
            await other.change("window", "hamming", timeout=120)
            assert "Error" not in _texts(other)
            # My session recovers: a good file is analysed again.
            await _upload(mine, _wav_bytes(), "tone.wav")
            source = mine.named("stft.stft.image")
            since = time.perf_counter()
            deadline = time.monotonic() + 120
            while not mine.touched_since(source, since) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert mine.touched_since(source, since), "the spectrogram did not update after a good upload"
            assert not mine.errors and not other.errors
        finally:
            await mine.close()
            await other.close()

    asyncio.run(run())
    assert "Traceback" not in log_path.read_text(errors="replace")


def test_uploads_over_the_limit_are_refused_with_a_message(lab):
    _, base, _ = lab

    async def run():
        session = await LabSession.open(base, chapter="stft", timeout=300)
        try:
            limit_mb = 20                                # SourceView's default max_upload_mb
            too_big = b"\x00" * int((limit_mb + 0.5) * 2**20)
            assert len(base64.b64encode(too_big)) < MAX_MESSAGE_MB * 2**20, (
                "the WebSocket message limit must let a file just over the upload limit through, "
                "so that it is refused with a message rather than a dropped connection")
            await _upload(session, too_big, "huge.wav")
            assert await _wait_for_text(session, r"the limit is 20 MB", timeout=120), \
                "no message for an upload over the limit"
            assert not session.closed
        finally:
            await session.close()

    asyncio.run(run())
