"""Where downloaded Android build inputs live: never in the repository, reused by every later build."""

from __future__ import annotations

import os
from pathlib import Path


def android_cache_dir() -> Path:
    """`$MINICPMV_EDGE_ANDROID_CACHE`, else `$XDG_CACHE_HOME/minicpmv-edge/android` (default ~/.cache/...)."""
    explicit = os.environ.get("MINICPMV_EDGE_ANDROID_CACHE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "minicpmv-edge" / "android"
