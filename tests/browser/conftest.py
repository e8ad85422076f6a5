"""Shared by the browser tests: the served lab, headless Chromium, and a page that reads Bokeh data.

``lab_url`` starts ``listenwidgets serve`` on a free port (once for the whole
run); ``new_page()`` opens a page that records console errors and requests, in
the session's Chromium (``browser``, from ``tests/conftest.py``). Screenshots go
to ``artifacts/browser/`` at the repository root (or ``$LISTENWIDGETS_ARTIFACTS``). Everything is skipped when
Chromium is missing unless ``LISTENWIDGETS_REQUIRE_BROWSER=1``.
"""

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from tests.page_scripts import HAS_SOURCE, READ_SOURCE
from tests.servers import free_port, running

ARTIFACTS = Path(os.environ.get("LISTENWIDGETS_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "artifacts")) / "browser"


@pytest.fixture(scope="session")
def lab_url(chromium):
    """Serve the lab in a subprocess; stop it (and only it) afterwards."""
    command = shutil.which("listenwidgets")
    command = [command] if command else [sys.executable, "-m", "listenwidgets"]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running([*command, "serve", "--port", str(port)], ready_url=url,
                 log=ARTIFACTS / "serve.log", what="the lab"):
        yield url


class BrowserPage:
    """A browser page that records console errors and every request."""

    def __init__(self, browser, url):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1800})
        self.url = url
        self.errors, self.requests, self.failed = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append((r.url, r.failure)))

    def wait_for_source(self, name):
        self.page.wait_for_function(HAS_SOURCE, arg=name, timeout=60_000)
        self.page.wait_for_timeout(500)

    def source(self, name):
        return self.page.evaluate(READ_SOURCE, name)

    def wait_until_changed(self, name, before, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            after = self.source(name)
            if after != before:
                return after
            self.page.wait_for_timeout(200)
        return before

    def wait_until_filled(self, name, column, timeout=60.0):
        """The source's data once ``column`` holds something (views that pull in the background)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.source(name)
            if data and data.get(column):
                return data
            self.page.wait_for_timeout(200)
        return self.source(name)

    def slider_handle(self, label):
        group = self.page.locator(".bk-input-group",
                                  has=self.page.locator(".bk-slider-title", has_text=f"{label}:"))
        return group.locator(".noUi-handle")

    def screenshot(self, name, *, full_page=False):
        self.page.wait_for_timeout(1500)   # let fonts, MathJax and the last patch settle
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_clean(self):
        local = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost",
                 "data:", "blob:http://127.0.0.1")
        assert not [u for u in self.requests if not u.startswith(local)], "requests left localhost"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def new_page(browser, lab_url):
    """Open a fresh browser page (a new visitor: its own session and graph) on the served lab."""
    return lambda: BrowserPage(browser, lab_url)
