"""The one record of tool versions that every bundle, build report and benchmark result carries."""

from __future__ import annotations

import platform
from importlib import metadata

from minicpmv_edge import __version__


def tool_versions(*packages: str) -> dict[str, str]:
    """Python, minicpmv-edge and each named distribution's version ("absent" when not installed)."""
    versions = {"python": platform.python_version(), "minicpmv-edge": __version__}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions
