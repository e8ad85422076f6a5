"""Start a server for a test, wait until it answers, and stop it (and only it) afterwards."""

import contextlib
import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(command, *, ready_url, log, what, timeout=90.0, stop_timeout=15.0, **popen):
    """Run ``command`` with its output in ``log`` until ``ready_url`` answers HTTP 200.

    Yields the process; on exit it is terminated (killed after ``stop_timeout``
    seconds). A server that exits or stays silent for ``timeout`` seconds raises
    ``RuntimeError`` with ``what`` and the log. Each poll waits up to 60 s: a
    first page build is slow on a loaded machine, and an impatient poll would
    only open another session.
    """
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(ready_url, timeout=60) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start; see {log}:\n{log.read_text()}")
                time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=stop_timeout)
