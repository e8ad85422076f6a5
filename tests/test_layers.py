"""The import rules of DESIGN.md: dsp and nodes load no UI package."""

import json
import subprocess
import sys

import pytest

UI = ["panel", "bokeh", "ipywidgets", "IPython", "jupyter_bokeh", "tornado"]


def loaded_after(statement):
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("statement", ["import listenwidgets", "import listenwidgets.dsp",
                                       "import listenwidgets.corpora"])
def test_dsp_loads_neither_param_nor_ui(statement):
    modules = loaded_after(statement)
    forbidden = [m for m in ["param", *UI] if m in modules]
    assert not forbidden, f"{statement!r} loaded {forbidden}"


def test_nodes_load_no_ui():
    modules = loaded_after("import listenwidgets.nodes")
    forbidden = [m for m in UI if m in modules]
    assert not forbidden, f"listenwidgets.nodes loaded {forbidden}"
    assert "param" in modules
