"""Helpers for view tests: render a view into a Bokeh document without a browser."""

import numpy as np
import panel as pn
import pytest
from bokeh.document import Document

from listenwidgets import dsp
from listenwidgets.data import DEFAULT_DEMO, demo_path


def _render(view):
    return pn.panel(view).get_root(Document())


def _snapshot(source):
    return {key: [np.array(v, copy=True) for v in value] if isinstance(value, list)
            else np.array(value, copy=True) for key, value in source.data.items()}


def _same(a, b):
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, list):
            if len(x) != len(y) or not all(np.array_equal(u, v) for u, v in zip(x, y)):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


@pytest.fixture
def render():
    """Render a view as a notebook or server would (its models are built); returns the root model."""
    return _render


@pytest.fixture
def snapshot():
    """Deep-copy a ColumnDataSource's data, to compare before and after a change."""
    return _snapshot


@pytest.fixture
def same():
    """True when two snapshots hold equal arrays."""
    return _same


@pytest.fixture(scope="session")
def wav_30s():
    """The default demo clip tiled to 30 s, as WAV bytes (a long real recording)."""
    y, sr = dsp.load(demo_path(DEFAULT_DEMO))
    y = np.resize(y, 30 * sr)
    return dsp.to_wav_bytes(y, sr=sr)
