"""Calibration and held-out tensors for NPU quantization, always made by the SDK's own preprocessor.

Images come from `calibration_data/` (calibration/ and heldout/ subfolders) or a user directory. Each becomes one
`[1,3,S,S]` float32 tensor at the target's static shape, exactly as the runtime will feed the encoder.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from minicpmv_edge.errors import EdgeError, ImageError
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.preprocess import square_input

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"}
# shipped inside the package (a link to the top-level calibration_data/ in a checkout, real files in a wheel)
DEFAULT_CALIBRATION = Path(__file__).resolve().parent.parent / "calibration_data"


def image_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise EdgeError(f"calibration directory {directory} does not exist")
    files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise EdgeError(f"calibration directory {directory} contains no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return files


def calibration_split(directory: Path | None) -> tuple[list[Path], list[Path]]:
    """(calibration, held-out) image lists. A directory with `calibration/` + `heldout/` keeps that split; any
    other directory is split 3:1 in sorted order, so held-out images are never used for calibration."""
    root = directory or DEFAULT_CALIBRATION
    if (root / "calibration").is_dir() and (root / "heldout").is_dir():
        return image_files(root / "calibration"), image_files(root / "heldout")
    files = image_files(root)
    if len(files) < 2:
        raise EdgeError(f"calibration directory {root} needs at least 2 images (calibration + held-out)")
    heldout = files[3::4] or files[-1:]
    return [f for f in files if f not in heldout], heldout


def tensors(files: list[Path], size: int, limit: int | None = None) -> list[np.ndarray]:
    """`[1,3,size,size]` float32 in [-1,1] per image, as the fixed-S runtime mode feeds it; bad images skipped."""
    out = []
    for i, path in enumerate(files[:limit] if limit else files):
        try:
            out.append(square_input(load_image(path), size))
        except ImageError as err:
            log.warning("skipping calibration image: %s", err)
        if (i + 1) % 10 == 0:
            log.info("preprocessed %d/%d calibration images at %dx%d", i + 1, len(files), size, size)
    if not out:
        raise EdgeError(f"none of the {len(files)} calibration images could be read")
    return out


class TensorReader:
    """ONNX Runtime `CalibrationDataReader` over prepared tensors: one `{input_name: [1,3,S,S]}` feed per call."""

    def __init__(self, input_name: str, batches: list[np.ndarray]) -> None:
        self._feeds = iter([{input_name: b} for b in batches])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)
