"""LLaVA-UHD slicing geometry of MiniCPM-V 2.0 / 2.5 / 2.6, as sizes only (no pixels).

A line-by-line port of the official image processor (`image_processing_minicpmv.py`;
docs/reference/minicpmv-reference.md §4), so that our grid choice and tile boundaries agree with the HF pipeline
exactly. All sizes are (width, height); a grid is (cols, rows). Rounding uses Python's `round()` (banker's rounding)
like the HF code, not llama.cpp's `std::round`, which differs on exact halves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SCALE_RESOLUTION = 448
PATCH_SIZE = 14
MAX_SLICE_NUMS = 9

Size = tuple[int, int]


@dataclass(frozen=True)
class SlicePlan:
    """Where the official pipeline resizes and cuts one image.

    `source` is the overview size. When the image is sliced, `grid` is (cols, rows), `refine` the size the
    whole image is resized to before cutting, and `slice_size` the size of each of the cols x rows equal
    tiles; otherwise all three are None.
    """

    original: Size
    source: Size
    grid: Size | None
    refine: Size | None
    slice_size: Size | None


def ensure_divide(length: float, patch_size: int) -> int:
    """Round `length` to the nearest multiple of `patch_size` (at least one patch), half to even."""
    return max(round(length / patch_size) * patch_size, patch_size)


def find_best_resize(
    size: tuple[float, float],
    scale_resolution: int = SCALE_RESOLUTION,
    patch_size: int = PATCH_SIZE,
    allow_upscale: bool = False,
) -> Size:
    """Size with about scale_resolution**2 pixels and the same aspect, snapped to whole patches.

    The image is only rescaled when it is larger than scale_resolution**2 pixels or `allow_upscale` is set.
    """
    width, height = size
    if width * height > scale_resolution * scale_resolution or allow_upscale:
        ratio = width / height
        height = int(scale_resolution / math.sqrt(ratio))
        width = int(height * ratio)
    return ensure_divide(width, patch_size), ensure_divide(height, patch_size)


def get_sliced_grid(size: Size, max_slice_nums: int = MAX_SLICE_NUMS) -> Size | None:
    """(cols, rows) whose aspect best matches the image, or None when the image needs no slicing.

    Candidates are all factorisations of n-1, n and n+1 slices, where n = ceil(area / 448**2) capped at
    `max_slice_nums`; ties keep the first candidate, in the official order.
    """
    width, height = size
    log_ratio = math.log(width / height)
    multiple = min(math.ceil(width * height / (SCALE_RESOLUTION * SCALE_RESOLUTION)), max_slice_nums)
    if multiple <= 1:
        return None
    counts = [n for n in (multiple - 1, multiple, multiple + 1) if n != 1 and n <= max_slice_nums]
    best, best_error = (1, 1), math.inf
    for n in counts:
        for cols in range(1, n + 1):
            if n % cols:
                continue
            error = abs(log_ratio - math.log(cols / (n // cols)))
            if error < best_error:
                best, best_error = (cols, n // cols), error
    return best


def get_refine_size(size: Size, grid: Size, allow_upscale: bool = False) -> Size:
    """Size to resize the whole image to, so that it cuts into `grid` equal tiles of about 448**2 pixels."""
    cols, rows = grid
    refine_width = ensure_divide(size[0], cols)
    refine_height = ensure_divide(size[1], rows)
    tile_width, tile_height = find_best_resize((refine_width / cols, refine_height / rows), allow_upscale=allow_upscale)
    return tile_width * cols, tile_height * rows


def plan_slices(size: Size, max_slices: int = MAX_SLICE_NUMS) -> SlicePlan:
    """The official overview size, grid, refine size and slice size for an image of `size` (width, height)."""
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    grid = get_sliced_grid(size, max_slices)
    if grid is None:
        # Unsliced images are always rescaled (up or down) to about 448**2 pixels.
        source = find_best_resize(size, allow_upscale=True)
        return SlicePlan(original=size, source=source, grid=None, refine=None, slice_size=None)
    refine = get_refine_size(size, grid, allow_upscale=True)
    slice_size = (refine[0] // grid[0], refine[1] // grid[1])
    return SlicePlan(original=size, source=find_best_resize(size), grid=grid, refine=refine, slice_size=slice_size)
