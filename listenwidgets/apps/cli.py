"""The ``listenwidgets`` command: ``listenwidgets serve [--port 5006] [--show] [--address 127.0.0.1]``."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import logging
import sys

__all__ = ["main", "parser", "serve", "session"]

log = logging.getLogger(__name__)

#: The largest message (e.g. an uploaded audio file) a browser may send, in MB. A file travels
#: base64-encoded (4/3 of its size), and a file just over the upload box's limit (20 MB, see
#: :class:`~listenwidgets.views.SourceView`) must still arrive, to be refused with a message
#: rather than by dropping the connection: 20 MB · 4/3 = 26.7 MB, plus headroom.
MAX_MESSAGE_MB = 32

#: A session is destroyed (its nodes and views freed) this long after its last tab closed, in ms.
UNUSED_SESSION_LIFETIME_MS = 15_000

#: How often the server looks for such sessions, in ms.
CHECK_UNUSED_SESSIONS_MS = 17_000


def parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    top = argparse.ArgumentParser(
        prog="listenwidgets",
        description="listenwidgets: a live laboratory for machine listening.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="serve the whole lab in the browser",
        description="Serve the lab (every chapter, a demo clip loaded). Each browser session "
                    "gets its own nodes; nothing is shared between sessions. JavaScript, CSS "
                    "and audio are served by this process: nothing is downloaded.")
    serve.add_argument("--port", type=int, default=5006, help="port to listen on (default 5006)")
    serve.add_argument("--address", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--show", action="store_true", help="open the lab in a web browser")
    serve.add_argument("--unused-session-lifetime", type=int, default=UNUSED_SESSION_LIFETIME_MS,
                       metavar="MS",
                       help="forget a session this many milliseconds after its last browser tab "
                            f"closed (default {UNUSED_SESSION_LIFETIME_MS})")
    serve.add_argument("--check-unused-sessions", type=int, default=CHECK_UNUSED_SESSIONS_MS,
                       metavar="MS",
                       help="look for sessions to forget every this many milliseconds "
                            f"(default {CHECK_UNUSED_SESSIONS_MS})")
    serve.add_argument("--allow-websocket-origin", action="append", default=[], metavar="HOST",
                       help="also accept browser sessions from HOST[:PORT] (e.g. behind a proxy); "
                            "may be repeated; '*' accepts any origin")
    return top


def session():
    """Build the lab for one browser session: fresh nodes, sandboxed audio sources.

    When the session is destroyed (its tab closed, after the unused-session
    lifetime) the memory its nodes and views held is given back: see
    :func:`_release_memory`.
    """
    import panel as pn

    from . import lab

    _LIVE[0] += 1
    pn.state.on_session_destroyed(_on_session_destroyed)
    return lab.app(sandboxed=True)


#: Sessions built and not yet destroyed in this process (a one-element list, for the hooks).
_LIVE = [0]

#: Whether a :func:`_release_memory` call is scheduled.
_RELEASE_PENDING = [False]


def _on_session_destroyed(session_context):
    """Log the end of a session; release its memory once Bokeh has dropped the document."""
    from tornado.ioloop import IOLoop

    _LIVE[0] -= 1
    log.info("session %s destroyed; %d live", session_context.id, _LIVE[0])
    if not _RELEASE_PENDING[0]:          # one release for sessions destroyed together
        _RELEASE_PENDING[0] = True
        IOLoop.current().call_later(1.0, _release_memory)


def _release_memory():
    """Collect the destroyed sessions' object cycles and return freed heap pages to the system.

    A session is a web of param watchers, Bokeh models and numpy arrays with
    reference cycles, so it is only freed by the cyclic garbage collector;
    glibc then keeps the freed pages in its arenas unless asked to trim.
    """
    _RELEASE_PENDING[0] = False
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def serve(*, port: int, address: str, show: bool, origins=(),
          unused_session_lifetime: int = UNUSED_SESSION_LIFETIME_MS,
          check_unused_sessions: int = CHECK_UNUSED_SESSIONS_MS) -> None:
    """Serve :func:`session` until interrupted; every browser session builds its own lab.

    A session whose browser tab has closed is destroyed after
    ``unused_session_lifetime`` ms (looked for every ``check_unused_sessions``
    ms); its nodes and views are then freed.
    """
    import panel as pn

    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    pn.config.resources = "server"
    allowed = [f"{host}:{port}" for host in {address, "localhost", "127.0.0.1"}] + list(origins)
    pn.serve({"/": session}, port=port, address=address,
             show=show, title="listenwidgets", websocket_origin=allowed,
             websocket_max_message_size=MAX_MESSAGE_MB * 2**20, threaded=False,
             print_url=True, unused_session_lifetime_milliseconds=unused_session_lifetime,
             check_unused_sessions_milliseconds=check_unused_sessions)


def main(argv=None) -> int:
    """Entry point of the ``listenwidgets`` console script and ``python -m listenwidgets``."""
    args = parser().parse_args(argv)
    if args.command == "serve":
        serve(port=args.port, address=args.address, show=args.show,
              origins=args.allow_websocket_origin,
              unused_session_lifetime=args.unused_session_lifetime,
              check_unused_sessions=args.check_unused_sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
