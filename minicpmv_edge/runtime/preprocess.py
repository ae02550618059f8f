"""Map an RGB image onto the square, fixed-shape inputs of a statically exported vision encoder.

NPU compilers need one static input shape, so we cannot feed the official variable-size slices.
"fixed-280" and "fixed-448" squash the whole image to one S x S input, as the static deployments do (AX650N
demo, rknn, sophgo). "uhd" keeps the official LLaVA-UHD grid and tile boundaries (see `slicing.plan_slices`)
but resamples the overview and every tile straight to the exported S x S, in one resampling per tile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image

from minicpmv_edge.errors import EdgeError, ImageError
from minicpmv_edge.runtime.slicing import MAX_SLICE_NUMS, PATCH_SIZE, plan_slices

log = logging.getLogger(__name__)

MODES = ("fixed-280", "fixed-448", "uhd")
_FIXED_SHAPES = {"fixed-280": 280, "fixed-448": 448}

Box = tuple[float, float, float, float]


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays have no single truth value to compare by
class EncoderInput:
    """One square tensor for the vision encoder, and where it sits in the slice grid."""

    pixel_values: np.ndarray  # float32 [1,3,S,S], NCHW, RGB, values in [-1, 1] ((x/255-0.5)/0.5)
    role: str  # "overview" or "slice"
    row: int
    col: int

    @property
    def shape(self) -> int:
        """S, the side of the square input."""
        return int(self.pixel_values.shape[-1])


@dataclass(frozen=True)
class PreprocessedImage:
    """All encoder inputs for one image, in the order their embeddings enter the prompt."""

    mode: str
    original_size: tuple[int, int]
    grid: tuple[int, int] | None  # (cols, rows) of slices, None when unsliced
    inputs: list[EncoderInput]  # overview first, then slices in raster (row-major) order

    @property
    def shapes(self) -> set[int]:
        """The distinct square sides S used, i.e. which encoder exports this image needs."""
        return {item.shape for item in self.inputs}


def preprocess(
    image: Image.Image, mode: str = "fixed-280", *, uhd_shape: int = 448, max_slices: int = MAX_SLICE_NUMS
) -> PreprocessedImage:
    """Resize `image` (RGB) into encoder inputs for `mode`; see the module docstring for the modes."""
    if mode not in MODES:
        raise EdgeError(f"unknown preprocessing mode {mode!r}; choose one of: {', '.join(MODES)}")
    _require_rgb(image)
    if mode in _FIXED_SHAPES:
        inputs = [_encode(image, _FIXED_SHAPES[mode], "overview", 0, 0)]
        return PreprocessedImage(mode=mode, original_size=image.size, grid=None, inputs=inputs)
    if uhd_shape <= 0 or uhd_shape % PATCH_SIZE:
        raise EdgeError(f"uhd shape must be a positive multiple of {PATCH_SIZE}, got {uhd_shape}")
    plan = plan_slices(image.size, max_slices)
    log.debug("uhd plan for %dx%d: %s", *image.size, plan)
    inputs = [_encode(image, uhd_shape, "overview", 0, 0)]
    if plan.grid and plan.refine and plan.slice_size:  # all three are set together, or none
        (cols, rows), (refine_w, refine_h), (tile_w, tile_h) = plan.grid, plan.refine, plan.slice_size
        width, height = image.size
        for row in range(rows):
            for col in range(cols):
                # Tile (row, col) of the refine image, in original-image coordinates. Multiply before dividing
                # so that the last tile ends exactly on the image edge (Pillow rejects boxes past it).
                box = (
                    col * tile_w * width / refine_w,
                    row * tile_h * height / refine_h,
                    (col + 1) * tile_w * width / refine_w,
                    (row + 1) * tile_h * height / refine_h,
                )
                inputs.append(_encode(image, uhd_shape, "slice", row, col, box))
    return PreprocessedImage(mode=mode, original_size=image.size, grid=plan.grid, inputs=inputs)


def square_input(image: Image.Image, side: int) -> np.ndarray:
    """The whole RGB image squashed to side x side (bicubic): float32 [1, 3, side, side], NCHW, values in [-1, 1].

    The one way a whole image meets a static encoder shape: fixed modes, calibration tensors and export parity.
    """
    return _encode(image, side, "overview", 0, 0).pixel_values


def to_pixel_values(img: Image.Image) -> np.ndarray:
    """RGB image -> float32 [1, 3, H, W], NCHW, RGB, values in [-1, 1] ((x / 255 - 0.5) / 0.5)."""
    _require_rgb(img)
    hwc = np.asarray(img, dtype=np.float32)
    return np.ascontiguousarray((hwc / 127.5 - 1.0).transpose(2, 0, 1)[np.newaxis], dtype=np.float32)


def _encode(image: Image.Image, side: int, role: str, row: int, col: int, box: Box | None = None) -> EncoderInput:
    """Resize `box` of `image` (the whole image by default) to side x side, in one bicubic resampling."""
    resized = image.resize((side, side), Image.Resampling.BICUBIC, box=box)
    return EncoderInput(pixel_values=to_pixel_values(resized), role=role, row=row, col=col)


def _require_rgb(img: Image.Image) -> None:
    if img.mode != "RGB":
        raise ImageError(f"expected an RGB image, got mode {img.mode!r}; load it with load_image()")
