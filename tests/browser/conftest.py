"""Shared by the browser tests: the served lab, headless Chromium, and a page that reads Bokeh data.

``lab_url`` starts ``listenwidgets serve`` on a free port (once for the whole
run); ``new_page()`` opens a page that records console errors and requests, in
the session's Chromium (``browser``, from ``tests/conftest.py``). Screenshots go to ``artifacts/browser/`` at the
repository root (or ``$LISTENWIDGETS_ARTIFACTS``). Everything is skipped when
Chromium is missing unless ``LISTENWIDGETS_REQUIRE_BROWSER=1``.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("LISTENWIDGETS_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "artifacts")) / "browser"

# Reads a named ColumnDataSource from the page's Bokeh document (image columns as flat arrays).
READ_SOURCE = """(name) => {
  for (const doc of window.Bokeh.documents) {
    const model = doc.get_model_by_name(name);
    if (model) {
      const data = model.data instanceof Map ? Object.fromEntries(model.data) : model.data;
      return Object.fromEntries(Object.entries(data).map(([key, column]) =>
        [key, Array.from(column, (v) => (v && v.length !== undefined ? Array.from(v) : v))]));
    }
  }
  return null;
}"""

HAS_SOURCE = """(name) => window.Bokeh !== undefined
  && window.Bokeh.documents.some((doc) => doc.get_model_by_name(name) !== null)"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def lab_url(chromium):
    """Serve the lab in a subprocess; stop it (and only it) afterwards."""
    port = _free_port()
    command = shutil.which("listenwidgets")
    command = [command] if command else [sys.executable, "-m", "listenwidgets"]
    log = ARTIFACTS / "serve.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen([*command, "serve", "--port", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=60) as response:   # a first build is slow under load
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the lab did not start; see {log}:\n{log.read_text()}")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


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
