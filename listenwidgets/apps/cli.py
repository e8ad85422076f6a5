"""The ``listenwidgets`` command: ``listenwidgets serve [--port 5006] [--show] [--address 127.0.0.1]``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "parser", "serve", "session"]

#: The largest message (e.g. an uploaded audio file) a browser may send, in MB.
MAX_MESSAGE_MB = 25


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
    serve.add_argument("--allow-websocket-origin", action="append", default=[], metavar="HOST",
                       help="also accept browser sessions from HOST[:PORT] (e.g. behind a proxy); "
                            "may be repeated; '*' accepts any origin")
    return top


def session():
    """Build the lab for one browser session: fresh nodes, sandboxed audio sources."""
    from . import lab

    return lab.app(sandboxed=True)


def serve(*, port: int, address: str, show: bool, origins=()) -> None:
    """Serve :func:`session` until interrupted; every browser session builds its own lab."""
    import panel as pn

    pn.config.resources = "server"
    allowed = [f"{host}:{port}" for host in {address, "localhost", "127.0.0.1"}] + list(origins)
    pn.serve({"/": session}, port=port, address=address,
             show=show, title="listenwidgets", websocket_origin=allowed,
             websocket_max_message_size=MAX_MESSAGE_MB * 2**20, threaded=False,
             print_url=True)


def main(argv=None) -> int:
    """Entry point of the ``listenwidgets`` console script and ``python -m listenwidgets``."""
    args = parser().parse_args(argv)
    if args.command == "serve":
        serve(port=args.port, address=args.address, show=args.show,
              origins=args.allow_websocket_origin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
