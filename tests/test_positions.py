import math

import pytest
import torch

from minicpmv_edge.model.positions import bucketized_position_ids, interpolate_pos_table, sincos_2d

# docs/reference/minicpmv-reference.md §2.2
IDS_32 = [0, 2, 4, 6, 8, 10, 13, 15, 17, 19, 21, 24, 26, 28, 30, 32, 35, 37, 39, 41, 43, 45, 48, 50, 52, 54, 56, 59,
          61, 63, 65, 67]  # fmt: skip
IDS_20 = [0, 3, 7, 10, 14, 17, 21, 24, 28, 31, 35, 38, 42, 45, 49, 52, 56, 59, 63, 66]


@pytest.mark.parametrize(("n", "expected"), [(32, IDS_32), (20, IDS_20)])
def test_bucketized_ids_match_reference_lists(n: int, expected: list[int]) -> None:
    ids = bucketized_position_ids(n, n).reshape(n, n)
    assert ids[0].tolist() == expected  # first row: column buckets
    assert (ids[:, 0] // 70).tolist() == expected  # first column: row buckets
    assert ids[5, 7].item() == expected[5] * 70 + expected[7]


@pytest.mark.parametrize("n", [16, 20, 24, 27, 32, 40, 46])
def test_bucketized_ids_match_llama_cpp_closed_form(n: int) -> None:
    ids = bucketized_position_ids(n, n).reshape(n, n)
    closed = [math.floor(70.0 * i / n) for i in range(n)]
    assert ids[0].tolist() == closed


def test_strip_ids_for_2_5_stay_in_first_row() -> None:
    ids = bucketized_position_ids(1, 400)
    assert ids.shape == (400,)
    assert ids.min().item() == 0 and ids.max().item() == 69
    assert torch.all(ids[1:] >= ids[:-1])


def test_sincos_layout_columns_first() -> None:
    d = 16
    table = sincos_2d(d, 3, 4).reshape(3, 4, d)
    omega0 = 1.0  # k = 0
    i, j = 2, 3
    assert table[i, j, 0].item() == pytest.approx(math.sin(j * omega0), abs=1e-6)
    assert table[i, j, d // 4].item() == pytest.approx(math.cos(j * omega0), abs=1e-6)
    assert table[i, j, d // 2].item() == pytest.approx(math.sin(i * omega0), abs=1e-6)
    assert table[i, j, 3 * d // 4].item() == pytest.approx(math.cos(i * omega0), abs=1e-6)


def test_sincos_is_a_slice_of_the_70x70_table() -> None:
    big = sincos_2d(32, 70, 70).reshape(70, 70, 32)
    small = sincos_2d(32, 20, 20).reshape(20, 20, 32)
    assert torch.allclose(big[:20, :20], small)


def test_interpolation_keeps_native_grid_and_resamples_others() -> None:
    table = torch.randn(27 * 27, 8)
    assert interpolate_pos_table(table, 27, 27) is table
    out = interpolate_pos_table(table, 20, 20)
    assert out.shape == (400, 8)
    # a constant table stays constant under bicubic+antialias resampling
    flat = interpolate_pos_table(torch.full((729, 8), 0.25), 32, 32)
    assert torch.allclose(flat, torch.full_like(flat, 0.25), atol=1e-6)
