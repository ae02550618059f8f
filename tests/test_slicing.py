"""Slicing geometry against the worked examples of docs/reference/minicpmv-reference.md §4, and the static-shape
preprocessing modes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from minicpmv_edge.errors import EdgeError, ImageError
from minicpmv_edge.runtime.preprocess import MODES, preprocess, to_pixel_values
from minicpmv_edge.runtime.slicing import PATCH_SIZE, ensure_divide, get_sliced_grid, plan_slices


def tgt(size: tuple[int, int]) -> tuple[int, int]:
    """Patch grid (h, w) the resampler sees for a (width, height) input."""
    return size[1] // PATCH_SIZE, size[0] // PATCH_SIZE


# docs/reference/minicpmv-reference.md §4, "Worked examples": input, source, source tgt, grid, slice, slice tgt.
WORKED_EXAMPLES = [
    ((448, 448), (448, 448), (32, 32), None, None, None),
    ((280, 280), (448, 448), (32, 32), None, None, None),
    ((640, 480), (518, 392), (28, 37), (2, 1), (364, 546), (39, 26)),
    ((1024, 768), (518, 392), (28, 37), (2, 2), (518, 392), (28, 37)),
    ((1344, 1344), (448, 448), (32, 32), (3, 3), (448, 448), (32, 32)),
    ((1920, 1080), (602, 336), (24, 43), (4, 2), (420, 476), (34, 30)),
    ((2000, 500), (896, 224), (16, 64), (4, 1), (448, 448), (32, 32)),
]


@pytest.mark.parametrize(("size", "source", "source_tgt", "grid", "slice_size", "slice_tgt"), WORKED_EXAMPLES)
def test_worked_examples(size, source, source_tgt, grid, slice_size, slice_tgt):
    plan = plan_slices(size)
    assert plan.original == size
    assert plan.source == source
    assert tgt(plan.source) == source_tgt
    assert plan.grid == grid
    assert plan.slice_size == slice_size
    if grid is None:
        assert plan.refine is None
    else:
        assert tgt(plan.slice_size) == slice_tgt
        assert plan.refine == (slice_size[0] * grid[0], slice_size[1] * grid[1])


def test_ensure_divide_uses_bankers_rounding():
    assert ensure_divide(21, 14) == 28  # 1.5 -> 2
    assert ensure_divide(35, 14) == 28  # 2.5 -> 2 in Python; std::round would give 42
    assert ensure_divide(3, 14) == 14  # never below one patch


@pytest.mark.parametrize("size", [(500, 450), (3000, 200), (200, 3000), (4032, 3024), (1000, 1000), (451, 449)])
def test_plan_is_patch_aligned(size):
    plan = plan_slices(size)
    assert all(v % PATCH_SIZE == 0 for v in plan.source)
    if plan.grid is not None:
        assert all(v % PATCH_SIZE == 0 for v in plan.slice_size)
        assert 2 <= plan.grid[0] * plan.grid[1] <= 9


def test_max_slices_caps_the_grid():
    assert get_sliced_grid((4032, 3024), 1) is None
    assert plan_slices((4032, 3024), max_slices=4).grid == (2, 2)


def test_plan_rejects_empty_size():
    with pytest.raises(ValueError, match="positive"):
        plan_slices((0, 10))


def gradient(width: int, height: int) -> Image.Image:
    """Smooth image whose every pixel says where it is: a shifted box shows up as a large difference."""
    x = np.linspace(0, 255, width)[None, :].repeat(height, 0)
    y = np.linspace(0, 255, height)[:, None].repeat(width, 1)
    rgb = np.stack([x, y, (x + y) / 2], axis=-1)
    return Image.fromarray(np.rint(rgb).astype(np.uint8), "RGB")


def test_to_pixel_values_layout_and_range():
    img = Image.new("RGB", (4, 3), (0, 128, 255))
    img.putpixel((2, 1), (255, 0, 0))
    pv = to_pixel_values(img)
    assert pv.shape == (1, 3, 3, 4)
    assert pv.dtype == np.float32
    assert pv.flags.c_contiguous
    assert pv[0, 0, 1, 2] == 1.0 and pv[0, 1, 1, 2] == -1.0
    np.testing.assert_allclose(pv[0, :, 0, 0], [-1.0, (128 / 255 - 0.5) / 0.5, 1.0], atol=1e-6)


def test_uhd_1920x1080_inputs_and_order():
    pre = preprocess(gradient(1920, 1080), "uhd")
    assert pre.mode == "uhd" and pre.original_size == (1920, 1080)
    assert pre.grid == (4, 2)
    assert len(pre.inputs) == 9
    assert pre.shapes == {448}
    assert [(i.role, i.row, i.col) for i in pre.inputs] == [("overview", 0, 0)] + [
        ("slice", r, c) for r in range(2) for c in range(4)
    ]
    for item in pre.inputs:
        assert item.pixel_values.shape == (1, 3, 448, 448)
        assert item.pixel_values.dtype == np.float32
        assert item.pixel_values.min() >= -1.0 and item.pixel_values.max() <= 1.0


def test_uhd_unsliced_image_is_overview_only():
    pre = preprocess(gradient(448, 448), "uhd")
    assert pre.grid is None
    assert [i.role for i in pre.inputs] == ["overview"]


@pytest.mark.parametrize(("size", "tiles"), [((1920, 1080), [(0, 0), (1, 3), (0, 2)]), ((640, 480), [(0, 1)])])
def test_uhd_slice_matches_official_crop(size, tiles):
    img = gradient(*size)
    pre = preprocess(img, "uhd")
    plan = plan_slices(size)
    cols = plan.grid[0]
    tile_w, tile_h = plan.slice_size
    refine = img.resize(plan.refine, Image.Resampling.BICUBIC)

    def official(row: int, col: int) -> np.ndarray:
        tile = refine.crop((col * tile_w, row * tile_h, (col + 1) * tile_w, (row + 1) * tile_h))
        return to_pixel_values(tile.resize((448, 448), Image.Resampling.BICUBIC))

    for row, col in tiles:
        ours = pre.inputs[1 + row * cols + col].pixel_values
        assert np.abs(ours - official(row, col)).mean() < 0.01  # about 1 grey level
        # Sanity: the test can see a wrong box, e.g. the neighbouring tile, as a large error.
        wrong = official(row, (col + 1) % cols)
        assert np.abs(ours - wrong).mean() > 0.1


@pytest.mark.parametrize(("mode", "side"), [("fixed-280", 280), ("fixed-448", 448)])
def test_fixed_modes_one_square_input(mode, side):
    pre = preprocess(gradient(1920, 1080), mode)
    assert pre.grid is None and pre.shapes == {side}
    (only,) = pre.inputs
    assert (only.role, only.row, only.col, only.shape) == ("overview", 0, 0, side)
    assert only.pixel_values.shape == (1, 3, side, side) and only.pixel_values.dtype == np.float32


def test_fixed_280_on_280_image_keeps_pixels():
    img = gradient(280, 280)
    pre = preprocess(img, "fixed-280")
    np.testing.assert_allclose(pre.inputs[0].pixel_values, to_pixel_values(img), atol=1e-6)


def test_unknown_mode_lists_modes():
    with pytest.raises(EdgeError) as err:
        preprocess(gradient(10, 10), "dynamic")
    assert all(m in str(err.value) for m in MODES)
    assert "\n" not in str(err.value)


def test_non_rgb_image_is_rejected():
    with pytest.raises(ImageError, match="RGB"):
        preprocess(Image.new("L", (10, 10)), "fixed-280")
