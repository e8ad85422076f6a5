"""Shared by every test that drives a browser: Debian's Chromium through one Playwright driver.

Playwright's sync API keeps an event loop running in the main thread while it
is started, so there is one driver per test module (``playwright``), from
which the module's tests launch Chromium (``launch_chromium``, ``browser``),
never a second ``sync_playwright()``; it stops with the module, so later tests
can run their own asyncio loops.
Chromium is Debian's ``/usr/bin/chromium`` (never ``playwright install``); the
tests are skipped without it unless ``LISTENWIDGETS_REQUIRE_BROWSER=1``.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """The path of Debian's Chromium; skips (or fails, when required) without it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("LISTENWIDGETS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    return CHROMIUM


@pytest.fixture(scope="module")
def playwright(chromium):
    """The module's one Playwright driver (sync API)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def launch_chromium(playwright, chromium):
    """``launch_chromium(*extra_args)``: a new headless Chromium, closed with the module."""
    launched = []

    def launch(*extra_args):
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=[*CHROMIUM_ARGS, *extra_args])
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


@pytest.fixture(scope="module")
def browser(launch_chromium):
    """A headless Chromium shared by the module's browser tests (each opens its own pages)."""
    return launch_chromium()
