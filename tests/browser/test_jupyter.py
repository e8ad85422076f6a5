"""The lab inside Jupyter, in headless Chromium: a chapter page and an ipywidget render and react offline.

A real Jupyter server (JupyterLab 4, then Notebook 7) is started on a free
loopback port with a token, in a temporary folder holding a small notebook:
``lw.lab.chapter("fourier")`` and one view wrapped by ``pn.ipywidget``. The
notebook is opened in Debian's Chromium (through Playwright, never
``playwright install``), every cell is run, and then

- the page's Bokeh document holds the chapter's named ColumnDataSources and
  the ipywidget's, and plots are drawn (canvases);
- moving the ``frequency`` slider changes ``fourier.spectrum.magnitude`` (the
  kernel computed and sent the new spectrum);
- no request left localhost (Bokeh's and Panel's JavaScript and stylesheets
  come from the notebook or the Jupyter server, not a CDN, also after an
  update; see :mod:`listenwidgets.views.offline`), and the browser logged no
  error from Bokeh or Panel.

Skipped without JupyterLab, Notebook 7 or jupyter_bokeh (all in the ``test``
extra), unless ``LISTENWIDGETS_REQUIRE_BROWSER=1`` (as in CI): then it fails.
Screenshots go to ``artifacts/browser/``.
"""

import importlib.util
import json
import os
import secrets
import sys
import time
from pathlib import Path

import pytest
from tests.page_scripts import HAS_SOURCE, READ_SOURCE
from tests.servers import free_port, running

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(os.environ.get("LISTENWIDGETS_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "artifacts")) / "browser"

CELLS = [
    "import panel as pn\nimport listenwidgets as lw\nfrom listenwidgets.nodes import SignalGenerator\n"
    "from listenwidgets.views import WaveformView",
    'page = lw.lab.chapter("fourier")\npage',
    'tone = SignalGenerator(name="widget.tone", frequency=330.0)\n'
    'pn.ipywidget(WaveformView(tone, title="As an ipywidget"))',
]

LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost", "data:",
         "blob:")


def _notebook(path):
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(CELLS)]
    path.write_text(json.dumps({
        "cells": cells, "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}}}))


def _require(*modules):
    """Skip without ``modules``, or fail when ``LISTENWIDGETS_REQUIRE_BROWSER=1``."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} missing (pip install -e \".[test]\")"
    if os.environ.get("LISTENWIDGETS_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(params=["lab", "notebook"])
def jupyter(request, tmp_path):
    """A Jupyter server (``jupyter lab`` or ``jupyter notebook``) on a free loopback port.

    Yields ``(flavour, base url, token)``; the server is stopped afterwards.
    """
    _require("jupyterlab" if request.param == "lab" else "notebook", "jupyter_bokeh",
             "ipykernel")
    root = tmp_path / "notebooks"
    root.mkdir()
    _notebook(root / "lab.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_PLATFORM_DIRS": "1"}
    log = tmp_path / "jupyter.log"
    settings = tmp_path / "settings"
    command = [
        sys.executable, "-m", "jupyter", request.param, "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={settings}",
        "--LabApp.extension_manager=readonly",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]
    base = f"http://127.0.0.1:{port}"
    try:
        with running(command, ready_url=f"{base}/api/status?token={token}", log=log,
                     what=f"jupyter {request.param}", timeout=180, stop_timeout=30, env=env,
                     cwd=root):
            yield request.param, base, token
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"jupyter-{request.param}.log").write_bytes(log.read_bytes())


def _run_all_cells(page, flavour):
    """Run every cell through the menu: Run → Run All Cells (same in JupyterLab and Notebook 7)."""
    page.locator(".jp-Notebook").first.wait_for(timeout=180_000)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=180_000)
    # A fresh server may ask which kernel to start: the notebook's own (Python 3).
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(timeout=20_000)
    except Exception:  # noqa: BLE001 - no dialog: the kernel starts by itself
        pass
    else:
        dialog.get_by_role("button", name="Select").click()
    page.wait_for_timeout(2000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def _source(page, name):
    return page.evaluate(READ_SOURCE, name)


def _wait_until_changed(page, name, before, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        after = _source(page, name)
        if after != before:
            return after
        page.wait_for_timeout(250)
    return before


def test_chapter_and_ipywidget_render_react_and_stay_offline(browser, jupyter):
    flavour, base, token = jupyter
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.set_default_timeout(120_000)
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    path = "lab/tree/lab.ipynb" if flavour == "lab" else "notebooks/lab.ipynb"
    page.goto(f"{base}/{path}?token={token}", timeout=180_000)
    try:
        _check(page, flavour, requests, errors)
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"jupyter-{flavour}-failed.png"), full_page=True)
        outputs = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output')]"
                                ".map((e) => e.innerText.slice(0, 500))")
        print("cell outputs:", outputs, "\nconsole errors:", errors)
        raise
    finally:
        page.close()


def _check(page, flavour, requests, errors):
    _run_all_cells(page, flavour)

    page.wait_for_function(HAS_SOURCE, arg="fourier.spectrum.magnitude", timeout=150_000)
    page.wait_for_function(HAS_SOURCE, arg="widget.tone.waveform", timeout=150_000)
    page.wait_for_timeout(2000)
    assert page.locator(".jp-OutputArea-output canvas, .jp-OutputArea-output .bk-Canvas").count() \
        or page.evaluate("() => document.querySelectorAll('canvas').length") > 0
    before = _source(page, "fourier.spectrum.magnitude")
    assert before and len(before["db"]) > 100
    widget = _source(page, "widget.tone.waveform")
    assert widget and any(len(column) for column in widget.values())

    group = page.locator(".bk-input-group", has=page.locator(".bk-slider-title",
                                                             has_text="frequency:"))
    handle = group.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(5):
        page.keyboard.press("PageUp")
    after = _wait_until_changed(page, "fourier.spectrum.magnitude", before)
    assert after != before, "the spectrum did not change after moving the frequency slider"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"jupyter-{flavour}.png"), full_page=False)
    remote = sorted({u for u in requests if not u.startswith(LOCAL)})
    assert not remote, f"requested from outside localhost: {remote}"
    ours = [e for e in errors if any(word in e for word in ("Bokeh", "bokeh", "Panel", "panel",
                                                            "pyviz", "widget"))]
    assert not ours, f"console errors: {ours}"
