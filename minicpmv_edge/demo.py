"""The demo's bundle: a tiny synthetic export kept in a cache directory and rebuilt when missing or damaged."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from minicpmv_edge.errors import BundleError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE, ExportRequest, export_bundle
from minicpmv_edge.presets import DEFAULT_PRESET, get_preset
from minicpmv_edge.runtime.bundle_view import Bundle

log = logging.getLogger(__name__)

DEMO_PROMPT = "Describe the image."
__all__ = ["DEMO_PROMPT", "SAMPLE_IMAGE", "demo_bundle"]


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "minicpmv-edge"


def demo_bundle(cache_dir: Path | None = None, seed: int = 0) -> Path:
    """Path of a verified tiny bundle (vision 280 + 448, int4 LLM, tokenizer), exporting it on first use."""
    from minicpmv_edge import __version__

    path = (cache_dir or default_cache_dir()) / f"{DEFAULT_PRESET}-seed{seed}-v{__version__}"
    try:
        Bundle.open(path)  # reads the manifest and checks every file's hash
        log.info("reusing the demo bundle at %s", path)
        return path
    except BundleError:
        log.info("building the demo bundle at %s (tiny preset, synthetic weights)", path)
    export_bundle(ExportRequest(preset=get_preset(DEFAULT_PRESET), out=path, shapes=(280, 448), seed=seed))
    return path
