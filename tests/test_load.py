"""The load test runs: a few browser-free sessions change knobs on the served STFT page, no errors.

No time is asserted (the machine is shared); ``python -m listenwidgets.bench.load``
gives the numbers at 20 sessions.
"""

import pytest

from listenwidgets.bench.load import measure_load

pytestmark = pytest.mark.slow


def test_three_sessions_three_changes_without_errors():
    result = measure_load(sessions=3, changes=3, timeout=300)
    assert result["errors"] == 0, result["error_messages"]
    assert result["updates"] == 9
    assert result["p50_ms"] is not None and result["p95_ms"] >= result["p50_ms"] > 0
    assert result["baseline_mb"] > 0 and result["open_mb"] > 0 and result["peak_mb"] > 0
    assert result["mb_per_session"] is not None
