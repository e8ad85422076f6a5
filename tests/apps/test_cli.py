"""The command line: help texts and argument parsing (serving is tested in tests/browser)."""

import subprocess
import sys

import pytest

from listenwidgets.apps.cli import parser


def test_python_m_listenwidgets_help():
    out = subprocess.run([sys.executable, "-m", "listenwidgets", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "serve" in out


def test_serve_help_lists_its_options():
    out = subprocess.run([sys.executable, "-m", "listenwidgets", "serve", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--port", "--address", "--show", "--allow-websocket-origin"):
        assert option in out


def test_serve_defaults_to_this_machine_only():
    args = parser().parse_args(["serve"])
    assert (args.port, args.address, args.show) == (5006, "127.0.0.1", False)
    args = parser().parse_args(["serve", "--port", "7000", "--show", "--address", "0.0.0.0"])
    assert (args.port, args.address, args.show) == (7000, "0.0.0.0", True)


def test_serve_accepts_further_websocket_origins():
    assert parser().parse_args(["serve"]).allow_websocket_origin == []
    args = parser().parse_args(["serve", "--allow-websocket-origin", "*",
                                "--allow-websocket-origin", "hub.example:443"])
    assert args.allow_websocket_origin == ["*", "hub.example:443"]


def test_a_command_is_required():
    with pytest.raises(SystemExit):
        parser().parse_args([])
