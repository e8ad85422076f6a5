"""Every knob of every chapter page at both ends of its slider, in headless Chromium.

For each chapter of :data:`listenwidgets.apps.registry.CHAPTERS`, in each tab of
the page, every visible slider handle gets Home then End (its lowest and
highest value) and every select its first then last option. Node errors shown
in the page are fine (that is how bad values are reported); a console error in
the browser or an exception in the server's log is not.

The browser and the page helper are in ``conftest.py``; this module serves its
own lab, logging to ``artifacts/browser/knob-bounds-serve.log`` (only what the
log gained during each page is checked).
"""

import os
import re
import time
from pathlib import Path

import urllib.request

import pytest

from listenwidgets.apps.registry import CHAPTERS
from listenwidgets.bench.load import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Seconds given to the server after each key press or selection (not a timing assertion).
SETTLE_MS = 250

#: Stop walking a chapter's widgets after this many seconds (the test runs in CI).
CHAPTER_BUDGET_S = 25.0

#: Where ``conftest.py`` puts the served lab's log.
ARTIFACTS = Path(os.environ.get("LISTENWIDGETS_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "artifacts")) / "browser"

#: What the server's log must not contain.
SERVER_FAILURE = re.compile(r"Traceback|\bERROR\b|Exception in callback|error handling message")


LOG = ARTIFACTS / "knob-bounds-serve.log"


@pytest.fixture(scope="module")
def lab_url():
    """This module's own served lab (its log is read by the tests)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(LOG, "wb") as log, serving(log=log) as (_, base):
        url = f"http://{base}/"
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield url


def _log_size():
    return LOG.stat().st_size if LOG.exists() else 0


def _log_since(offset):
    log = LOG
    if not log.exists():
        return ""
    with open(log, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def _walk_widgets(page, deadline):
    """Home then End on every visible slider handle, first then last option of every select."""
    moved = 0
    handles = page.page.locator(".noUi-handle")
    for index in range(handles.count()):
        if time.monotonic() > deadline:
            break
        handle = handles.nth(index)
        if not handle.is_visible():
            continue
        handle.focus()
        for key in ("Home", "End"):
            page.page.keyboard.press(key)
            page.page.wait_for_timeout(SETTLE_MS)
        moved += 1
    selects = page.page.locator("select")
    for index in range(selects.count()):
        if time.monotonic() > deadline:
            break
        select = selects.nth(index)
        if not select.is_visible() or select.is_disabled():
            continue
        values = select.locator("option").evaluate_all("(options) => options.map((o) => o.value)")
        for value in (values[:1] + values[-1:]) if len(values) > 1 else []:
            select.select_option(value)
            page.page.wait_for_timeout(SETTLE_MS)
        moved += 1
    return moved


def _server_failures(log, context=40):
    """Each failing line of the server's log with the lines after it (a traceback's frames and message)."""
    lines = log.splitlines()
    return ["\n".join(lines[index:index + context])
            for index, line in enumerate(lines) if SERVER_FAILURE.search(line)]


@pytest.mark.parametrize("chapter", [c.name for c in CHAPTERS])
def test_every_knob_at_its_bounds(chapter, new_page, lab_url):
    offset = _log_size()
    page = new_page()
    page.page.set_default_timeout(120_000)          # a shared CI machine may be slow to build a page
    page.page.goto(lab_url + f"?chapter={chapter}", timeout=180_000)
    page.page.wait_for_function("() => window.Bokeh !== undefined && window.Bokeh.documents.length > 0",
                                timeout=90_000)
    page.page.wait_for_selector(".noUi-handle, select", timeout=90_000)
    page.page.wait_for_timeout(1000)
    deadline = time.monotonic() + CHAPTER_BUDGET_S
    moved = _walk_widgets(page, deadline)
    tabs = page.page.locator(".bk-tab")
    for index in range(1, tabs.count()):
        if time.monotonic() > deadline:
            break
        tab = tabs.nth(index)
        if tab.is_visible():
            tab.click()
            page.page.wait_for_timeout(500)
            moved += _walk_widgets(page, deadline)
    page.page.wait_for_timeout(2000)                 # the last changes reach the page
    assert moved > 0, f"no slider or select found on the {chapter} page"
    page.screenshot(f"bounds-{chapter}")
    assert not page.errors, f"console errors on the {chapter} page: {page.errors}"
    failures = _server_failures(_log_since(offset))
    assert not failures, f"server errors while walking the {chapter} page:\n" + "\n\n".join(failures)
