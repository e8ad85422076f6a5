"""Memory of the served lab: RSS with one browser session, and per additional session.

``listenwidgets serve`` is started in a subprocess on 127.0.0.1 (a free
port). Each session is opened with a plain HTTP GET of the page: Panel
builds the whole session (the lab and the requested chapter, with its
own nodes, computed) while answering the GET, and keeps it for Bokeh's
unused-session lifetime (15 s); ``seconds`` in the result says how long the
sessions were opened over (if longer, the first may have been dropped). The
server's RSS is read with psutil once it has settled after each GET; its peak
is the kernel's high-water mark (``VmHWM``, Linux) or else the largest RSS seen.
The server is always killed at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

__all__ = ["measure_memory", "CHAPTER", "MAX_SESSIONS"]

#: The chapter each session opens (the STFT page computes the demo clip's spectrogram).
CHAPTER = "stft"

#: Never open more sessions than this.
MAX_SESSIONS = 8

_START_TIMEOUT = 60.0
_GET_TIMEOUT = 60.0
_MiB = 2.0 ** 20


def measure_memory(*, sessions):
    """Serve the lab, open ``sessions`` sessions one by one, and read the server's memory.

    Parameters
    ----------
    sessions : int in [2, MAX_SESSIONS]
        How many sessions to open.

    Returns
    -------
    dict
        ``chapter``; ``baseline_mb`` (RSS before any session); ``rss_mb`` and
        ``peak_mb`` (settled RSS and high-water mark after each session);
        ``one_session_peak_mb``; ``per_additional_session_mb`` (the mean
        growth of the settled RSS per session after the first); ``seconds``
        (from the first GET to the last reading); ``error`` (None, or why the
        measurement failed).
    """
    sessions = max(2, min(int(sessions), MAX_SESSIONS))
    result = {"chapter": CHAPTER, "sessions": sessions, "baseline_mb": None, "rss_mb": [],
              "peak_mb": [], "one_session_peak_mb": None, "per_additional_session_mb": None,
              "seconds": None, "error": None}
    with tempfile.TemporaryFile(mode="w+") as log, _server(log) as (process, port):
        try:
            _wait_for_port(port, process, log)
            result["baseline_mb"] = _settled_rss(process.pid)
            start = time.monotonic()
            for _ in range(sessions):
                _get(f"http://127.0.0.1:{port}/?chapter={CHAPTER}")
                result["rss_mb"].append(_settled_rss(process.pid))
                result["peak_mb"].append(_peak(process.pid, result["rss_mb"]))
            result["seconds"] = time.monotonic() - start
        except (OSError, RuntimeError) as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
            return result
    rss = result["rss_mb"]
    result["one_session_peak_mb"] = result["peak_mb"][0]
    result["per_additional_session_mb"] = (rss[-1] - rss[0]) / (len(rss) - 1)
    return result


@contextlib.contextmanager
def _server(log, *options):
    """``listenwidgets serve [options]`` on 127.0.0.1 and a free port; killed on exit, whatever happens.

    While it runs, SIGTERM to this process raises ``SystemExit`` (when called
    from the main thread), so the server is killed then too.
    """
    port = _free_port()
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if main else None
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "listenwidgets", "serve", "--address", "127.0.0.1",
             "--port", str(port), *options], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            yield process, port
        finally:
            process.kill()
            process.wait(timeout=30)
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port, process, log):
    """Wait until the server accepts connections (no session is created by connecting)."""
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read()[-500:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on port {port} within {_START_TIMEOUT:g} s")


def _get(url):
    """GET ``url``: the server builds a session before it answers."""
    with urllib.request.urlopen(url, timeout=_GET_TIMEOUT) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {url} answered {response.status}")


def _settled_rss(pid, *, interval=0.1, stable_for=0.5, timeout=10.0):
    """RSS in MiB once it has changed by less than 1 MiB for ``stable_for`` seconds."""
    import psutil

    process = psutil.Process(pid)
    last, since, deadline = process.memory_info().rss, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(interval)
        rss = process.memory_info().rss
        if abs(rss - last) >= _MiB:
            last, since = rss, time.monotonic()
        elif time.monotonic() - since >= stable_for:
            break
    return process.memory_info().rss / _MiB


def _peak(pid, seen):
    """The process's peak RSS in MiB: ``VmHWM`` where Linux reports it, else the largest seen."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return max(seen)
