"""The machine a host run was measured on: without it a host-measured figure means nothing."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (x86 `model name`, Arm `Hardware` / `Model`), else platform's guess."""
    try:
        info = Path("/proc/cpuinfo").read_text(errors="replace").splitlines()
    except OSError:
        info = []
    for key in ("model name", "Hardware", "Model"):
        for line in info:
            if line.split(":", 1)[0].strip() == key and ":" in line:
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def machine_info(threads: int | None) -> dict[str, Any]:
    """CPU, core counts, the threads the run was given (None = ONNX Runtime's default), memory, OS."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 1,
        "cores_usable": usable,
        "threads_used": threads,
        "threads_note": f"{threads} (--threads)" if threads else "ONNX Runtime default (physical cores)",
        "memory_gib": memory_gib(),
        "os": platform.platform(),
        "arch": platform.machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
