"""What the benchmark ran on: the machine and the versions of the libraries compared."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
from pathlib import Path

__all__ = ["machine", "versions", "load_average"]

_PACKAGES = ("listenwidgets", "librosa", "numpy", "scipy", "soxr", "numba", "panel", "bokeh",
             "param", "scikit-learn")


def machine():
    """The CPU model and count, memory, OS and Python, and the load average now."""
    import psutil

    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average": load_average(),
    }


def load_average():
    """The 1, 5 and 15 minute load averages (None where the OS has none)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def versions():
    """Installed versions of the packages the results depend on (None when absent)."""
    found = {}
    for name in _PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = _module_version(name)
    return found


def _module_version(name):
    with contextlib.suppress(ImportError):
        return getattr(__import__(name), "__version__", None)
    return None


def _cpu_model():
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()
