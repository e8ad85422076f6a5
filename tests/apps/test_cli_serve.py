"""``listenwidgets serve`` and the browser origins it accepts (what a proxy such as Binder's forwards).

Starts the command in a subprocess on a free port and opens the Bokeh
WebSocket with chosen ``Origin`` and ``Host`` headers (no browser): a page
from this server, or from the host a proxy forwards the request for, is
accepted; any other origin is refused unless ``--allow-websocket-origin``
names it, and ``"*"`` (what ``binder/jupyter_server_config.json`` passes)
accepts any.
"""

import asyncio
import contextlib
import sys

import pytest
from tests.servers import free_port, running
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def _serving(*options, log):
    """``listenwidgets serve`` on a free port with ``options``; yields ``"127.0.0.1:<port>"``."""
    port = free_port()
    base = f"127.0.0.1:{port}"
    command = [sys.executable, "-m", "listenwidgets", "serve", "--port", str(port), *options]
    with running(command, ready_url=f"http://{base}/", log=log, what="the lab"):
        yield base


def _accepted(base, origin, host=None):
    """True if the server upgrades a WebSocket from ``origin``, False if it answers 403."""
    headers = {"Origin": origin}
    if host is not None:
        headers["Host"] = host

    async def connect():
        try:
            connection = await websocket_connect(HTTPRequest(f"ws://{base}/ws", headers=headers),
                                                 subprotocols=["bokeh"])
        except HTTPClientError as exc:
            assert exc.code == 403, exc
            return False
        connection.close()
        return True

    return asyncio.run(connect())


def test_origins_named_on_the_command_line(tmp_path):
    with _serving("--allow-websocket-origin", "proxy.example:8888", log=tmp_path / "serve.log") as base:
        port = base.split(":")[1]
        assert _accepted(base, f"http://{base}")
        assert _accepted(base, f"http://localhost:{port}")
        assert _accepted(base, "http://proxy.example:8888")
        assert not _accepted(base, "http://elsewhere.example:8888")
        assert not _accepted(base, "http://proxy.example:9999")
        # A proxy that forwards the browser's Host header (as jupyter-server-proxy does) is same-origin.
        assert _accepted(base, "https://hub.example.org", host="hub.example.org")


def test_any_origin_with_a_star(tmp_path):
    with _serving("--allow-websocket-origin", "*", log=tmp_path / "serve.log") as base:
        assert _accepted(base, "https://hub.example.org")
        assert _accepted(base, "http://elsewhere.example:8888")
