"""Load test of the served lab: concurrent browser-free sessions turning knobs on the STFT page.

``listenwidgets serve`` is started in a subprocess on 127.0.0.1 (a free
port), or an already running lab on the loopback interface is used. Each
session is a Bokeh client over the WebSocket, as a browser tab would open it:
it asks for ``/?chapter=stft``, pulls the document (Panel builds the lab and
the page, with the session's own nodes) and then changes knobs of the page's
widgets in turn (``n_fft``, ``window``, ``hop_length``), as a user's slider or
select would. Each change is timed from sending it to receiving the server's
patch of the spectrogram's ColumnDataSource (``"stft.stft.image"``): the
update latency a user sees, minus the browser's drawing. All the sessions run
concurrently in one asyncio loop of this process.

The server's memory is read with psutil: the settled RSS with one warm-up
session open (the lab's modules imported), then with every session open, and
its high-water mark; ``mb_per_session`` is the growth of the settled RSS
divided by the number of sessions. Sessions are opened two at a time (the
server builds pages one after another); the knob changes start once all are
open, in every session at the same time.

Errors (a session that cannot open, a change that gets no update within the
timeout, an error message from the server) are counted, not raised.

Run ``python -m listenwidgets.bench.load --sessions 20 --changes 6``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
import urllib.parse

import numpy as np

from .memory import _peak, _server, _settled_rss, _wait_for_port

__all__ = ["measure_load", "LabSession", "serving", "CHAPTER", "SOURCE", "CHANGES",
           "MAX_SESSIONS", "main"]

#: The chapter every session opens.
CHAPTER = "stft"

#: The ColumnDataSource whose update ends a timed change (the STFT page's spectrogram image).
SOURCE = "stft.stft.image"

#: The knob changes a session cycles through: (knob name, value). Slider values of a
#: discrete knob (``n_fft``, ``hop_length``) are option *indices*; a select's are its options.
#: No value is the page's default, and consecutive values of a knob differ, so that every
#: change is a change (a widget set to its current value sends nothing back).
CHANGES = (("n_fft", 3), ("window", "hamming"), ("n_fft", 6), ("window", "blackmanharris"),
           ("hop_length", 2), ("n_fft", 4), ("window", "rectangular"), ("hop_length", 1))

#: Never open more sessions than this.
MAX_SESSIONS = 64

_OPEN_TIMEOUT = 120.0

#: Sessions opened at the same time (the server builds one page at a time anyway).
_OPENING_AT_ONCE = 2


# ------------------------------------------------------------------ the client
class LabSession:
    """One browser-free session of the served lab: a Bokeh protocol client over the WebSocket.

    Open it with ``await LabSession.open(base, chapter=...)``. The client
    does not rebuild the Bokeh document (the lab has Panel models a plain
    client cannot build): it keeps each model's JSON attributes by id, as
    sent by the server, and sends a knob change as the browser does, a
    ``ModelChanged`` patch of the widget's ``value`` (and ``value_throttled``
    for a slider). The arrival of every patch is recorded per model.

    Parameters
    ----------
    base : str
        ``"127.0.0.1:<port>"`` of the served lab.
    arguments : dict
        The URL query of the page (e.g. ``{"chapter": "stft"}``).

    Attributes
    ----------
    models : dict
        ``id -> {"type": <Bokeh class name>, "attributes": {...}}`` of every
        model the server sent (attribute values as JSON; ``value`` and
        ``text`` are kept current).
    errors : list of str
        Error messages the server sent this session.
    """

    def __init__(self, base: str, arguments: dict):
        from bokeh.protocol import Protocol
        from bokeh.protocol.receiver import Receiver
        from bokeh.util.token import generate_jwt_token, generate_session_id

        self.base = base
        self.arguments = dict(arguments)
        self.id = generate_session_id()
        self._token = generate_jwt_token(self.id)
        self._protocol = Protocol()
        self._receiver = Receiver(self._protocol)
        self.models: dict[str, dict] = {}
        self.errors: list[str] = []
        self.closed = False
        self._socket = None
        self._reader = None
        self._touched: dict[str, float] = {}      # model id -> arrival time of its last patch
        self._arrived = asyncio.Event()

    @classmethod
    async def open(cls, base: str, *, chapter: str | None = CHAPTER, timeout: float = _OPEN_TIMEOUT,
                   **arguments):
        """Connect, pull the document, tell the server it is displayed, then follow its patches."""
        if chapter is not None:
            arguments = {"chapter": chapter, **arguments}
        session = cls(base, arguments)
        try:
            await asyncio.wait_for(session._connect(timeout), timeout)
        except BaseException:
            await session.close()
            raise
        return session

    async def _connect(self, timeout):
        from bokeh.client.websocket import WebSocketClientConnectionWrapper
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        query = urllib.parse.urlencode(self.arguments)
        request = HTTPRequest(f"ws://{self.base}/ws?{query}",
                              headers={"Origin": f"http://{self.base}"},
                              connect_timeout=timeout, request_timeout=timeout)
        socket = await websocket_connect(request, subprotocols=["bokeh", self._token],
                                         max_message_size=256 * 2**20)
        self._socket = WebSocketClientConnectionWrapper(socket)
        ack = await self._read()
        if ack is None or ack.msgtype != "ACK":
            raise RuntimeError(f"expected ACK from the server, got {ack!r}")
        await self._protocol.create("PULL-DOC-REQ").send(self._socket)
        while True:
            reply = await self._read()
            if reply is None:
                raise RuntimeError("the server closed the connection before sending the document")
            if reply.msgtype == "PULL-DOC-REPLY":
                self._collect(reply.content["doc"])
                break
            if reply.msgtype == "ERROR":    # patches before the document are in it already
                self._note(reply)
        self._reader = asyncio.ensure_future(self._read_forever())
        # Bokeh's JavaScript says so once it has rendered the page; Panel holds updates until then.
        await self._send_events([{"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": {
            "type": "event", "name": "document_ready", "values": {"type": "map"}}}])

    def _collect(self, value):
        """Record every model object found in a JSON value (a document or a patch)."""
        if isinstance(value, dict):
            if value.get("type") == "object" and "id" in value and "name" in value:
                kind = value["name"].rsplit(".", 1)[-1]    # e.g. "panel.models.….CustomSelect"
                entry = self.models.setdefault(value["id"], {"type": kind, "attributes": {}})
                entry["attributes"].update(value.get("attributes", {}))
            for item in value.values():
                self._collect(item)
        elif isinstance(value, list):
            for item in value:
                self._collect(item)

    async def _read(self):
        while True:
            fragment = await self._socket.read_message()
            if fragment is None:
                return None
            message = await self._receiver.consume(fragment)
            if message is not None:
                return message

    async def _read_forever(self):
        try:
            while True:
                message = await self._read()
                if message is None:
                    break
                self._note(message)
        except Exception as exc:  # noqa: BLE001 - a broken connection ends the session
            self.errors.append(f"connection: {type(exc).__name__}: {exc}")
        finally:
            self.closed = True
            self._arrived.set()

    def _note(self, message):
        now = time.perf_counter()
        if message.msgtype == "PATCH-DOC":
            for event in message.content.get("events", []):
                model = event.get("model")
                if isinstance(model, dict) and "id" in model:
                    self._touched[model["id"]] = now
                    if event.get("kind") == "ModelChanged" and model["id"] in self.models:
                        self.models[model["id"]]["attributes"][event["attr"]] = event.get("new")
                self._collect(event.get("new"))
            self._arrived.set()
        elif message.msgtype == "ERROR":
            self.errors.append(str(message.content.get("text", message.content)))

    async def _send_events(self, events):
        from bokeh.protocol.messages.patch_doc import patch_doc

        await patch_doc(patch_doc.create_header(), {}, {"events": events}).send(self._socket)

    # ------------------------------------------------------------ finding models
    def named(self, name: str):
        """The id of the model called ``name`` (e.g. the source ``"stft.stft.image"``), or None."""
        for model_id, model in self.models.items():
            if model["attributes"].get("name") == name:
                return model_id
        return None

    def knob(self, name: str) -> str:
        """The id of the widget of the knob called ``name``: a slider or select titled ``name``,
        or the slider under a ``"<name>: …"`` label (a discrete slider: its value is an index)."""
        for model_id, model in self.models.items():
            if model["attributes"].get("title") == name and model["type"] in _WIDGETS:
                return model_id
        for model in self.models.values():
            children = [self.models.get(c.get("id"), {}) if isinstance(c, dict) else {}
                        for c in model["attributes"].get("children") or []]
            if any(str(c.get("attributes", {}).get("text", "")).startswith(f"{name}:")
                   for c in children):
                for child in model["attributes"]["children"]:
                    if self.models.get(child.get("id"), {}).get("type") == "Slider":
                        return child["id"]
        raise KeyError(f"no widget for knob name={name!r} in this session's document")

    def value(self, name: str):
        """The current ``value`` of the widget of knob ``name`` (as last sent or received)."""
        return self.models[self.knob(name)]["attributes"].get("value")

    def widgets(self):
        """``{id: model}`` of every slider and select in the document."""
        return {i: m for i, m in self.models.items() if m["type"] in _WIDGETS}

    def touched_since(self, model_id: str, since: float) -> bool:
        """True if the server patched model ``model_id`` after ``since`` (a ``time.perf_counter()``)."""
        return self._touched.get(model_id, float("-inf")) >= since

    # ------------------------------------------------------------ changing knobs
    async def change(self, name: str, value, *, watch: str = SOURCE, timeout: float = 60.0):
        """Set knob ``name`` to ``value`` as a browser would; return seconds until ``watch`` is patched.

        Raises
        ------
        TimeoutError
            If the model called ``watch`` is not patched within ``timeout`` seconds.
        """
        model_id, watched = self.knob(name), self.named(watch)
        if watched is None:
            raise KeyError(f"no model name={watch!r} in this session's document")
        start = time.perf_counter()
        await self.set(model_id, value)
        deadline = start + timeout
        while not self.touched_since(watched, start):
            if self.closed:
                raise ConnectionError("the server closed the session")
            self._arrived.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{watch} was not updated within {timeout:g} s of {name}={value!r}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        return self._touched[watched] - start

    async def set(self, model_id: str, value):
        """Send a widget's new ``value`` as a browser does (a slider also reports it released)."""
        model = self.models[model_id]
        events = [{"kind": "ModelChanged", "model": {"id": model_id}, "attr": "value", "new": value}]
        if model["type"] in _SLIDERS:
            events.append({**events[0], "attr": "value_throttled"})
        model["attributes"]["value"] = value
        await self._send_events(events)

    async def close(self):
        """Close the WebSocket (the server then expires the session after its unused lifetime)."""
        if self._socket is not None:
            self._socket.close(1000, "done")
        if self._reader is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 10)
        self.closed = True


_SLIDERS = ("Slider", "RangeSlider", "IntSlider", "DateSlider")
_WIDGETS = (*_SLIDERS, "Select", "CustomSelect", "MultiSelect", "RadioButtonGroup")


# ------------------------------------------------------------------ the server
@contextlib.contextmanager
def serving(*options, log=None):
    """``listenwidgets serve`` on 127.0.0.1 and a free port, with extra ``options``.

    Yields ``(process, "127.0.0.1:<port>")``; the server is killed on exit,
    whatever happens (SIGTERM to this process, from the main thread, too).
    ``log`` is a binary file for the server's output (default: a temporary file).
    """
    with contextlib.ExitStack() as stack:
        if log is None:
            log = stack.enter_context(tempfile.TemporaryFile(mode="w+b"))
        process, port = stack.enter_context(_server(log, *options))
        _wait_for_port(port, process, _TextLog(log))
        yield process, f"127.0.0.1:{port}"


class _TextLog:
    """A binary log file as :func:`listenwidgets.bench.memory._wait_for_port` reads it."""

    def __init__(self, log):
        self._log = log

    def seek(self, offset):
        self._log.seek(offset)

    def read(self):
        return self._log.read().decode(errors="replace")


# ------------------------------------------------------------------ the measurement
async def _one_user(base, index, changes, timeout, latencies, errors, opened, release, gate):
    """Open a session (a few at a time), wait until all are open, then make ``changes`` changes."""
    try:
        async with gate:
            session = await LabSession.open(base, chapter=CHAPTER, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - counted, not raised
        errors.append(f"open: {type(exc).__name__}: {exc}")
        opened.append(None)
        return
    opened.append(session)
    await release.wait()
    for step in range(changes):
        name, value = CHANGES[(index + step) % len(CHANGES)]
        try:
            if session.value(name) == value:     # nothing would change: take the next one
                name, value = CHANGES[(index + step + 1) % len(CHANGES)]
            latencies.append(await session.change(name, value, timeout=timeout))
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            errors.append(f"change {name}={value!r}: {type(exc).__name__}: {exc}")
    errors.extend(f"server: {text}" for text in session.errors)


async def _run(base, sessions, changes, timeout, on_warm=None, on_open=None):
    """Open a warm-up session, then ``sessions`` users; once all are open they change knobs."""
    loop = asyncio.get_running_loop()
    warm = await LabSession.open(base, chapter=CHAPTER, timeout=timeout)
    if on_warm is not None:
        await loop.run_in_executor(None, on_warm)
    latencies, errors, opened = [], [], []
    release, gate = asyncio.Event(), asyncio.Semaphore(_OPENING_AT_ONCE)
    users = [asyncio.ensure_future(_one_user(base, i, changes, timeout, latencies, errors, opened,
                                             release, gate)) for i in range(sessions)]
    while len(opened) < sessions:
        await asyncio.sleep(0.1)
    if on_open is not None:
        await loop.run_in_executor(None, on_open)
    start = time.perf_counter()
    release.set()
    await asyncio.gather(*users)
    seconds = time.perf_counter() - start
    for session in [warm, *opened]:
        if session is not None:
            await session.close()
    return latencies, errors, seconds


def measure_load(*, sessions: int = 20, changes: int = 6, timeout: float = 120.0, base=None):
    """Open ``sessions`` concurrent sessions of the STFT page; each makes ``changes`` knob changes.

    Parameters
    ----------
    sessions : int in [1, MAX_SESSIONS]
        Concurrent sessions.
    changes : int >= 1
        Knob changes per session (cycling through :data:`CHANGES`), made
        once every session is open, all sessions at the same time.
    timeout : float
        Seconds a session may take to open (once its turn comes), and a
        change to be answered.
    base : str, optional
        ``"127.0.0.1:<port>"`` of a lab already served on the loopback
        interface (memory is then not measured); default: start one.

    Returns
    -------
    dict
        ``sessions``, ``changes``; ``updates`` (changes answered);
        ``p50_ms``, ``p95_ms``, ``max_ms`` (change sent → spectrogram
        patch received); ``seconds`` (of the changing phase);
        ``baseline_mb`` (RSS with one warm-up session), ``open_mb`` (settled RSS
        with every session open), ``peak_mb`` (high-water mark),
        ``mb_per_session``; ``errors`` (count) and ``error_messages`` (the
        first ten).
    """
    sessions = max(1, min(int(sessions), MAX_SESSIONS))
    changes = max(1, int(changes))
    result = {"chapter": CHAPTER, "source": SOURCE, "sessions": sessions, "changes": changes,
              "updates": 0, "p50_ms": None, "p95_ms": None, "max_ms": None, "seconds": None,
              "baseline_mb": None, "open_mb": None, "peak_mb": None, "mb_per_session": None,
              "errors": 0, "error_messages": []}
    with contextlib.ExitStack() as stack:
        pid = None
        if base is None:
            process, base = stack.enter_context(serving())
            pid = process.pid
        host = base.split(":")[0]
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the load test only runs on the loopback interface, got base={base!r}")

        def on_warm():
            if pid is not None:
                result["baseline_mb"] = _settled_rss(pid)

        def on_open():
            if pid is not None:
                result["open_mb"] = _settled_rss(pid)

        latencies, errors, seconds = asyncio.run(_run(base, sessions, changes, timeout, on_warm,
                                                      on_open))
        if pid is not None:
            result["peak_mb"] = _peak(pid, [result["open_mb"] or 0.0])
    result.update(updates=len(latencies), seconds=seconds, errors=len(errors),
                  error_messages=errors[:10])
    if latencies:
        ms = 1000 * np.asarray(latencies)
        result.update(p50_ms=float(np.percentile(ms, 50)), p95_ms=float(np.percentile(ms, 95)),
                      max_ms=float(ms.max()), mean_ms=float(statistics.fmean(ms)))
    if result["open_mb"] is not None:
        result["mb_per_session"] = (result["open_mb"] - result["baseline_mb"]) / sessions
    return result


def main(argv=None) -> int:
    """``python -m listenwidgets.bench.load [--sessions 20] [--changes 6] [--json]``."""
    parser = argparse.ArgumentParser(
        prog="python -m listenwidgets.bench.load",
        description="Load test: concurrent browser-free sessions change knobs on the STFT page "
                    "of a lab served on 127.0.0.1; reports update latency and server memory.")
    parser.add_argument("--sessions", type=int, default=20,
                        help=f"concurrent sessions (default 20, at most {MAX_SESSIONS})")
    parser.add_argument("--changes", type=int, default=6, help="knob changes per session (default 6)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to open a session or to answer a change (default 120)")
    parser.add_argument("--port", type=int, default=None,
                        help="use the lab already served on 127.0.0.1:PORT (memory not measured)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    base = None if args.port is None else f"127.0.0.1:{args.port}"
    result = measure_load(sessions=args.sessions, changes=args.changes, timeout=args.timeout,
                          base=base)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        def fmt(value, unit):
            return "n/a" if value is None else f"{value:.1f} {unit}"

        print(f"{result['sessions']} sessions × {result['changes']} changes on ?chapter={CHAPTER}: "
              f"{result['updates']} updates, {result['errors']} errors")
        print(f"latency (change → {SOURCE} patch): p50 {fmt(result['p50_ms'], 'ms')}, "
              f"p95 {fmt(result['p95_ms'], 'ms')}, max {fmt(result['max_ms'], 'ms')}")
        print(f"server RSS: baseline {fmt(result['baseline_mb'], 'MiB')}, with every session open "
              f"{fmt(result['open_mb'], 'MiB')}, peak {fmt(result['peak_mb'], 'MiB')}; "
              f"{fmt(result['mb_per_session'], 'MiB')} per session")
        for message in result["error_messages"]:
            print("error:", message)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
