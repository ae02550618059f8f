"""SigLIP-400M vision tower, one definition for 2.0 (timm) and 2.5/2.6 (HF Idefics2/NaViT).

The versions differ only in block count, GELU flavour and how patch positions are looked up (`VisionConfig`).
Attention uses explicit q/k/v/o linears: the 2.0 fused `qkv` is split at load time (see `hf_names`), which is the
form NPU quantizers accept.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from minicpmv_edge.model.positions import bucketized_position_ids, interpolate_pos_table
from minicpmv_edge.presets import VisionConfig


class SelfAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` float32 `[B, L, C]` -> `[B, L, C]`; softmax(q k^T / sqrt(head_dim)) v over all L, no mask."""
        b, n, c = x.shape
        shape = (b, n, self.num_heads, c // self.num_heads)
        q, k, v = (proj(x).reshape(shape).transpose(1, 2) for proj in (self.q, self.k, self.v))
        out = F.scaled_dot_product_attention(q, k, v)
        return self.o(out.transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int, gelu: str) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.approximate = "tanh" if gelu == "tanh" else "none"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x), approximate=self.approximate))


class Block(nn.Module):
    """Pre-LN transformer block: x + attn(ln1(x)); x + mlp(ln2(x))."""

    def __init__(self, cfg: VisionConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.attn = SelfAttention(cfg.hidden_size, cfg.num_heads)
        self.norm2 = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.mlp = Mlp(cfg.hidden_size, cfg.intermediate_size, cfg.gelu)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTower(nn.Module):
    def __init__(self, cfg: VisionConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.patch_embed = nn.Conv2d(3, cfg.hidden_size, kernel_size=cfg.patch_size, stride=cfg.patch_size)
        self.pos_table = nn.Parameter(torch.zeros(cfg.pos_grid * cfg.pos_grid, cfg.hidden_size))
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.num_layers))
        self.post_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def position_embedding(self, grid_h: int, grid_w: int) -> torch.Tensor:
        """Position term `[grid_h*grid_w, C]` added to the patch embeddings, by the version's rule."""
        position = self.cfg.position
        if position == "interpolated":
            return interpolate_pos_table(self.pos_table, grid_h, grid_w)
        if position == "bucketized-2d":
            ids = bucketized_position_ids(grid_h, grid_w, self.cfg.pos_grid)
        elif position == "bucketized-1d":
            ids = bucketized_position_ids(1, grid_h * grid_w, self.cfg.pos_grid)
        else:
            raise ValueError(f"unknown position rule {position!r}")
        return self.pos_table[ids]

    def forward(self, pixel_values: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
        """`pixel_values` float32 `[B, 3, H, W]` NCHW RGB in [-1, 1], H and W multiples of 14.

        Returns `[B, L, C]` patch features, L = (H/14)*(W/14) in raster order. `pos` (`[L, C]`) skips the
        position computation; the static exporter passes a precomputed constant.
        """
        x = self.patch_embed(pixel_values)
        grid_h, grid_w = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)
        x = x + (self.position_embedding(grid_h, grid_w) if pos is None else pos)
        for block in self.blocks:
            x = block(x)
        return self.post_norm(x)
