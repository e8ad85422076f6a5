"""Every notebook in ``notebooks/`` runs from top to bottom, and is committed without outputs.

The notebooks are found when the tests are collected, so a notebook added to
the folder is tested without editing this file. Each one is executed with
nbclient in a ``python3`` kernel whose working directory is ``notebooks/``
(as when a student opens it), and fails on the first cell that raises. The
kernel imports the same ``listenwidgets`` as the tests: the directory that
holds the package is put first on the kernel's ``PYTHONPATH``.
"""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import listenwidgets

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
TIMEOUT = 600


def _code_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def test_the_quick_start_comes_first():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOKS_DIR}"
    assert NOTEBOOKS[0].name == "00-quickstart.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_without_outputs(path):
    dirty = [index for index, cell in _code_cells(path)
             if cell.outputs or cell.execution_count is not None]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs or execution counts; "
                       f"clear them before committing (jupyter nbconvert --clear-output --inplace)")


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_runs_without_error(path):
    notebook = nbformat.read(path, as_version=4)
    package_root = str(Path(listenwidgets.__file__).resolve().parents[1])
    pythonpath = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    client = NotebookClient(notebook, kernel_name="python3", timeout=TIMEOUT,
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    client.execute(env={**os.environ, "PYTHONPATH": pythonpath})
    # A cell tagged "raises-exception" would pass nbclient; no error is expected anywhere.
    errors = [f"cell {index}: {output.ename}: {output.evalue}"
              for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors, "\n".join(errors)
