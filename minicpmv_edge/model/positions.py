"""Position tables of the three MiniCPM-V versions, computed with the exact upstream torch calls.

The reference model calls these on every forward (like upstream); the static exporter calls them once per shape and
bakes the result into the graph as a constant, which is what NPU compilers need.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def bucketized_position_ids(grid_h: int, grid_w: int, table_side: int = 70) -> torch.Tensor:
    """Ids into a `table_side**2` learned table for a `grid_h x grid_w` patch grid (2.5/2.6, Idefics2 rule).

    Returns int64 `[grid_h * grid_w]`, row-major over the patch grid, values in `[0, table_side**2)`.
    2.5 feeds each slice as a 1 x L strip, so it calls this with `(1, L)`.
    """
    boundaries = torch.arange(1 / table_side, 1.0, 1 / table_side)
    frac_h = torch.arange(0, 1 - 1e-6, 1 / grid_h)
    frac_w = torch.arange(0, 1 - 1e-6, 1 / grid_w)
    bucket_h = torch.bucketize(frac_h, boundaries, right=True)
    bucket_w = torch.bucketize(frac_w, boundaries, right=True)
    return (bucket_h[:, None] * table_side + bucket_w).flatten()


def interpolate_pos_table(table: torch.Tensor, grid_h: int, grid_w: int) -> torch.Tensor:
    """timm `resample_abs_pos_embed` (bicubic, antialias) of a square `[S*S, C]` table to `[grid_h*grid_w, C]` (2.0).

    timm returns the table unchanged only for the square grid of its own size.
    """
    side = math.isqrt(table.shape[0])
    if (grid_h, grid_w) == (side, side):
        return table
    channels = table.shape[-1]
    grid = table.float().reshape(1, side, side, channels).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(grid_h, grid_w), mode="bicubic", antialias=True)
    return grid.permute(0, 2, 3, 1).reshape(grid_h * grid_w, channels).to(table.dtype)


def sincos_2d(embed_dim: int, grid_h: int, grid_w: int) -> torch.Tensor:
    """MiniCPM-V 2-D sin-cos table `[grid_h*grid_w, embed_dim]`, float32, row-major over (row i, col j).

    Layout per position: `[sin(j*w), cos(j*w), sin(i*w), cos(i*w)]` with `w = 1/10000**(k/(D/4))`: the column index
    comes first ("here w goes first" upstream). Computed in float64 like upstream numpy, then cast.
    """
    quarter = embed_dim // 4
    omega = 1.0 / 10000 ** (torch.arange(quarter, dtype=torch.float64) / quarter)
    rows, cols = torch.meshgrid(
        torch.arange(grid_h, dtype=torch.float64), torch.arange(grid_w, dtype=torch.float64), indexing="ij"
    )
    col_angles = cols.reshape(-1, 1) * omega
    row_angles = rows.reshape(-1, 1) * omega
    table = torch.cat([col_angles.sin(), col_angles.cos(), row_angles.sin(), row_angles.cos()], dim=1)
    return table.float()
