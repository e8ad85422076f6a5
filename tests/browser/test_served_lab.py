"""The served lab in headless Chromium: knobs move plots, audio plays, nothing leaves localhost.

Starts ``listenwidgets serve`` on a free port, drives Debian's ``/usr/bin/chromium``
through Playwright (never ``playwright install``), and writes screenshots to
``artifacts/browser/`` at the repository root (or ``$LISTENWIDGETS_ARTIFACTS``).
Skipped when Chromium is missing unless ``LISTENWIDGETS_REQUIRE_BROWSER=1``.
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

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
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


def _require_chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("LISTENWIDGETS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url():
    """Serve the lab in a subprocess; stop it (and only it) afterwards."""
    _require_chromium()
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
                with urllib.request.urlopen(url, timeout=5) as response:
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


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


class Page:
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

    def slider_handle(self, label):
        group = self.page.locator(".bk-input-group",
                                  has=self.page.locator(".bk-slider-title", has_text=f"{label}:"))
        return group.locator(".noUi-handle")

    def screenshot(self, name):
        self.page.wait_for_timeout(1500)   # let fonts, MathJax and the last patch settle
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self):
        local = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost",
                 "data:", "blob:http://127.0.0.1")
        assert not [u for u in self.requests if not u.startswith(local)], "requests left localhost"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"


def test_fourier_frequency_slider_updates_the_spectrum(browser, lab_url):
    other = Page(browser, lab_url)                     # a second visitor, with its own graph
    other.page.goto(lab_url + "?chapter=fourier")
    other.wait_for_source("fourier.spectrum.magnitude")
    page = Page(browser, lab_url)
    page.page.goto(lab_url)
    page.wait_for_source("sampling.sampler.samples")   # the first chapter is shown
    page.page.get_by_role("button", name="2. Fourier").click()
    page.wait_for_source("fourier.spectrum.magnitude")
    before = page.source("fourier.spectrum.magnitude")
    assert before and len(before["db"]) > 100
    assert other.source("fourier.spectrum.magnitude") == before

    title = page.page.locator(".bk-slider-title", has_text="frequency:")
    old_label = title.inner_text()
    page.slider_handle("frequency").focus()
    for _ in range(5):
        page.page.keyboard.press("PageUp")
    after = page.wait_until_changed("fourier.spectrum.magnitude", before)
    assert title.inner_text() != old_label
    assert after != before, "the spectrum did not change after moving the frequency slider"
    other.page.wait_for_timeout(1000)
    assert other.source("fourier.spectrum.magnitude") == before, "sessions share state"
    assert page.source("fourier.generator.waveform") is not None

    scripts = page.page.evaluate(
        "() => [...document.querySelectorAll('script[src], link[href]')]"
        ".map((e) => e.src || e.href)")
    assert scripts and all(u.startswith(lab_url.rstrip("/")) for u in scripts if u)
    page.screenshot("fourier")
    page.assert_clean()
    other.assert_clean()


def test_stft_page_spectrogram_frame_and_players(browser, lab_url):
    page = Page(browser, lab_url)
    page.page.goto(lab_url + "?chapter=stft")
    page.wait_for_source("stft.stft.image")
    image = page.source("stft.stft.image")
    assert 0 < len(image["image"][0]) <= 1_000_000 // 4        # float32, about the plot's pixels
    players = page.page.locator("audio")
    page.page.wait_for_timeout(1000)
    states = [players.nth(i).evaluate("(a) => [a.readyState, a.error && a.error.code, a.duration]")
              for i in range(players.count())]
    assert states and all(error is None for _, error, _ in states), states
    window = page.page.locator("select", has=page.page.locator("option", has_text="blackmanharris"))
    window.select_option("rectangular")
    assert page.wait_until_changed("stft.stft.image", image) != image
    page.screenshot("stft-spectrogram")

    page.page.locator(".bk-tab", has_text="One frame").click()
    page.wait_for_source("stft.frame.magnitude")
    before = page.source("stft.frame.magnitude")
    page.slider_handle("time").focus()
    page.page.keyboard.press("PageUp")
    assert page.wait_until_changed("stft.frame.magnitude", before) != before
    page.screenshot("stft-frame")

    page.page.locator(".bk-tab", has_text="Leakage").click()
    page.wait_for_source("stft.leakage.bins")
    assert len(page.source("stft.leakage.bins")["f"]) == 33         # n_fft = 64: every bin marked
    page.screenshot("stft-leakage")
    page.assert_clean()


def test_sampling_players_play_even_below_browser_rates(browser, lab_url):
    page = Page(browser, lab_url)
    page.page.goto(lab_url + "?chapter=sampling")
    page.wait_for_source("sampling.sampler.samples")
    before = page.source("sampling.sampler.samples")
    page.slider_handle("target_sr").focus()
    page.page.keyboard.press("Home")                           # fs = 500 Hz: aliasing
    page.wait_until_changed("sampling.sampler.samples", before)
    page.page.wait_for_timeout(1500)
    players = page.page.locator("audio")
    states = [players.nth(i).evaluate("(a) => [a.readyState, a.error && a.error.code, a.duration]")
              for i in range(players.count())]
    assert len(states) >= 4 and all(error is None for _, error, _ in states), states
    assert page.page.get_by_text("aliased").count() >= 1
    page.screenshot("sampling")
    page.assert_clean()
