"""Shared by the corpus tests: build a tool-dependent corpus or skip when its tool is missing.

A missing renderer, SoundFont or speech library skips the test with the
install line as the reason, unless ``LISTENWIDGETS_REQUIRE_DATASETS=1``, when
it fails instead.
"""

import os

import pytest

from listenwidgets.corpora import MissingToolError


def _build_or_skip(builder, **kwargs):
    """``builder(**kwargs)``, or skip (fail when datasets are required) on MissingToolError."""
    try:
        return builder(**kwargs)
    except MissingToolError as exc:
        if os.environ.get("LISTENWIDGETS_REQUIRE_DATASETS") == "1":
            pytest.fail(f"LISTENWIDGETS_REQUIRE_DATASETS=1 but {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def build_or_skip():
    """The function ``build_or_skip(builder, **kwargs)``: build, or skip when a tool is missing."""
    return _build_or_skip
