"""``binder/``: what Binder (repo2docker) builds, checked offline as far as it goes.

The fast tests check the files: the requirements agree with ``pyproject.toml``,
the Python version, ``postBuild``, and the jupyter-server-proxy entry (its
command must parse with the current CLI).

The ``slow`` tests rebuild what repo2docker would, without Docker, in a fresh
virtual environment made with this Python (use 3.11, the version of
``binder/runtime.txt``):

1. ``pip install -r binder/requirements.txt``: the *full* set, JupyterLab,
   Notebook 7, jupyter-server-proxy and jupyter_bokeh included. It took 40 to
   60 s on the development machine with nothing cached, so there is no need
   to trim it to the runtime dependencies; it needs network access to the
   package index. pip's cache is used as usual (``~/.cache/pip``, no
   ``--no-cache-dir``), so wheels already downloaded by CI's own install are
   not fetched again;
2. ``binder/postBuild``, run with bash from the repository root as repo2docker
   does (``pip install --no-deps .`` and the proxy entry);

then, in that environment: ``import listenwidgets`` (the installed copy, not
the checkout), execute ``notebooks/00-quickstart.ipynb`` with nbclient,
``listenwidgets serve`` answers HTTP 200, and a Jupyter server there offers the
notebook, JupyterLab, Notebook 7 and the dashboard behind its proxy at
``/listenwidgets/`` (the address of ``?urlpath=listenwidgets``), which headless
Chromium opens through the proxy, WebSocket included. Jupyter's user
configuration and data directories point into the temporary directory, so
nothing of the machine's own Jupyter setup takes part. The whole module took
65 to 85 s there; the servers started are stopped, with all their processes.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from listenwidgets.apps.cli import parser

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
QUICKSTART = "notebooks/00-quickstart.ipynb"
TOKEN = "listenwidgets-binder-test"

# Reading a Bokeh model by name proves the page got its document over the WebSocket.
HAS_MODEL = """(name) => window.Bokeh !== undefined
  && window.Bokeh.documents.some((doc) => doc.get_model_by_name(name) !== null)"""


def _requirements():
    """binder/requirements.txt as {normalised name: the whole requirement without spaces}."""
    out = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.match(r"[A-Za-z0-9._-]+", line).group(0)
            out[re.sub(r"[-_.]+", "-", name).lower()] = line.replace(" ", "")
    return out


def _proxy_entry():
    return json.loads((BINDER / "jupyter_server_config.json").read_text())["ServerProxy"]["servers"]


# ----------------------------------------------------------------------------- the files


def test_requirements_are_the_package_dependencies_plus_jupyter():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    required = _requirements()
    for dependency in dependencies:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", dependency).group(0)).lower()
        assert required.get(name) == dependency.replace(" ", ""), (
            f"binder/requirements.txt should pin {dependency!r} as pyproject.toml does")
    for name in ("jupyterlab", "notebook", "jupyter-server-proxy", "jupyter-bokeh"):
        assert name in required, f"binder/requirements.txt lacks {name}"
    assert required["jupyterlab"].startswith("jupyterlab>=4")
    assert required["notebook"].startswith("notebook>=7")


def test_runtime_is_python_3_11():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_post_build_is_an_executable_bash_script_that_installs_the_checkout():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    text = post_build.read_text()
    assert text.startswith("#!/bin/bash\n")
    assert "pip install --no-deps" in text and "jupyter_server_config.json" in text


def test_proxy_entry_starts_the_served_lab():
    servers = _proxy_entry()
    assert list(servers) == ["listenwidgets"]     # the path: <binder url>/listenwidgets/
    entry = servers["listenwidgets"]
    command = [part.replace("{port}", "8765") for part in entry["command"]]
    assert command[0] == "listenwidgets"
    args = parser().parse_args(command[1:])
    assert (args.command, args.port, args.address) == ("serve", 8765, "127.0.0.1")
    assert args.allow_websocket_origin == ["*"]
    assert entry["absolute_url"] is False         # the lab is served at its own root
    assert entry["launcher_entry"]["title"] == "listenwidgets lab"


# -------------------------------------------------------------- the environment, rebuilt


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command, *, env, cwd, timeout, what):
    """Run ``command``; on failure, fail with the tail of its output."""
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                    f"{result.stderr[-5000:]}")
    print(f"{what}: {time.monotonic() - started:.0f} s")
    return result.stdout


def _get(url, *, timeout=30):
    """GET ``url`` with the Jupyter token; returns (status, body)."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _wait_for(url, process, log, *, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, body = _get(url, timeout=60)
            if status == 200:
                return body
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200; log:\n{log.read_text()[-5000:]}")
        time.sleep(0.5)


def _stop(process):
    """Stop a process started in its own session, and every process it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)     # whatever of the session is still there
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A fresh virtualenv built as repo2docker builds the image; yields (bin dir, environment)."""
    base = tmp_path_factory.mktemp("binder")
    venv = base / "venv"
    bin_dir = venv / "bin"
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(
        VIRTUAL_ENV=str(venv), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        JUPYTER_CONFIG_DIR=str(base / "jupyter-config"), JUPYTER_DATA_DIR=str(base / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(base / "jupyter-runtime"), IPYTHONDIR=str(base / "ipython"),
        PIP_DISABLE_PIP_VERSION_CHECK="1")
    _run([sys.executable, "-m", "venv", str(venv)], env=env, cwd=base, timeout=300,
         what="python -m venv")
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-r", str(BINDER / "requirements.txt")],
         env=env, cwd=ROOT, timeout=1800, what="pip install -r binder/requirements.txt")
    _run(["bash", "binder/postBuild"], env=env, cwd=ROOT, timeout=600, what="binder/postBuild")
    return bin_dir, env


@pytest.mark.slow
def test_the_installed_package_is_used(binder_env, tmp_path):
    bin_dir, env = binder_env
    location = _run([str(bin_dir / "python"), "-c", "import listenwidgets; print(listenwidgets.__file__)"],
                    env=env, cwd=tmp_path, timeout=120, what="import listenwidgets").strip()
    assert Path(location).is_relative_to(bin_dir.parent), location


@pytest.mark.slow
def test_the_quick_start_runs(binder_env):
    bin_dir, env = binder_env
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "notebook = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(notebook, kernel_name='python3', timeout=600,\n"
        "               resources={'metadata': {'path': sys.argv[2]}}).execute()\n")
    _run([str(bin_dir / "python"), "-c", script, str(ROOT / QUICKSTART), str(ROOT / "notebooks")],
         env=env, cwd=ROOT / "notebooks", timeout=900, what=f"executing {QUICKSTART}")


@pytest.mark.slow
def test_the_lab_serves(binder_env, tmp_path):
    bin_dir, env = binder_env
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(bin_dir / "listenwidgets"), "serve", "--port", str(port)],
                                   env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/", process, log)
        assert "<title>listenwidgets" in body
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def jupyter(binder_env, tmp_path_factory):
    """A Jupyter server of the Binder environment, rooted at the repository; yields its URL."""
    bin_dir, env = binder_env
    port = _free_port()
    log = tmp_path_factory.mktemp("jupyter") / "jupyter.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(bin_dir / "jupyter"), "server", "--no-browser", "--allow-root", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}",
             f"--ServerApp.root_dir={ROOT}"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/status", process, log)
        yield url, log
    finally:
        _stop(process)


@pytest.mark.slow
def test_jupyter_offers_the_notebooks_and_the_dashboard(jupyter):
    url, log = jupyter
    status, body = _get(f"{url}/api/contents/{QUICKSTART}?content=0")
    assert status == 200, body
    # JupyterLab 4 at ?urlpath=lab/tree/notebooks/00-quickstart.ipynb, and Notebook 7.
    for frontend in (f"lab/tree/{QUICKSTART}", f"notebooks/{QUICKSTART}", "tree"):
        status, body = _get(f"{url}/{frontend}")
        assert status == 200, f"/{frontend}: {status}"
    status, body = _get(f"{url}/server-proxy/servers-info")
    assert status == 200, body
    entries = {server["name"]: server for server in json.loads(body)["server_processes"]}
    assert entries["listenwidgets"]["launcher_entry"]["title"] == "listenwidgets lab"

    started = time.monotonic()
    # ?urlpath=listenwidgets opens <base url>/listenwidgets, which redirects to .../listenwidgets/;
    # the first request starts the lab behind the proxy.
    status, page = _get(f"{url}/listenwidgets", timeout=120)
    assert status == 200, f"{status}: {page[:500]}\n{log.read_text()[-3000:]}"
    print(f"the dashboard behind the proxy answered after {time.monotonic() - started:.1f} s")
    assert "<title>listenwidgets" in page
    script = re.search(r'src="(static/js/bokeh\.min\.js[^"]*)"', page)
    assert script, "the page should load Bokeh from a relative URL"
    assert _get(f"{url}/listenwidgets/{script.group(1)}")[0] == 200


@pytest.mark.slow
@pytest.mark.browser
def test_the_dashboard_runs_in_a_browser_through_the_proxy(jupyter, browser):
    url, log = jupyter
    host = url.split("//", 1)[1]
    page = browser.new_page()
    try:
        errors, hosts = [], set()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        page.goto(f"{url}/listenwidgets/?token={TOKEN}&chapter=stft")
        page.wait_for_function(HAS_MODEL, arg="stft.stft.image", timeout=120_000)
    finally:
        page.close()
    assert not errors, errors
    assert hosts == {host}, f"requests left the Jupyter server: {hosts}"
