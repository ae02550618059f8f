"""Perceiver resampler: Q learned queries, one cross-attention over the patch features, then a projection.

Upstream uses `nn.MultiheadAttention` (`in_proj` packed q|k|v); we hold q/k/v/o as separate linears (split at load
time) so the exported graph has per-layer weights an NPU quantizer can take per-channel.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from minicpmv_edge.model.positions import sincos_2d
from minicpmv_edge.presets import ResamplerConfig


class Resampler(nn.Module):
    def __init__(self, cfg: ResamplerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        dim = cfg.embed_dim
        self.query = nn.Parameter(torch.zeros(cfg.query_num, dim))
        if cfg.query_pos:
            side = round(cfg.query_num**0.5)
            self.query_pos = nn.Parameter(sincos_2d(dim, side, side))
        self.kv_proj = nn.Linear(cfg.kv_dim, dim, bias=False) if cfg.kv_dim != dim else nn.Identity()
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.ln_q = nn.LayerNorm(dim, eps=cfg.layer_norm_eps)
        self.ln_kv = nn.LayerNorm(dim, eps=cfg.layer_norm_eps)
        self.ln_post = nn.LayerNorm(dim, eps=cfg.layer_norm_eps)
        self.proj = nn.Parameter(torch.zeros(dim, dim))

    def key_pos(self, grid_h: int, grid_w: int) -> torch.Tensor:
        """Sin-cos term `[grid_h*grid_w, D]` added to the keys (not the values) for a patch grid."""
        return sincos_2d(self.cfg.embed_dim, grid_h, grid_w).to(self.query.device)

    def forward(self, x: torch.Tensor, grid: tuple[int, int], key_pos: torch.Tensor | None = None) -> torch.Tensor:
        """`x` float32 `[B, L, kv_dim]` patch features of a `grid` = (h, w) patch grid -> `[B, Q, D]` embeddings."""
        b, n, _ = x.shape
        dim, heads = self.cfg.embed_dim, self.cfg.num_heads
        kv = self.ln_kv(self.kv_proj(x))
        q = self.ln_q(self.query)
        if self.cfg.query_pos:
            q = q + self.query_pos
        keys = kv + (self.key_pos(*grid) if key_pos is None else key_pos)
        q = self.q_proj(q).reshape(1, -1, heads, dim // heads).transpose(1, 2).expand(b, -1, -1, -1)
        k = self.k_proj(keys).reshape(b, n, heads, dim // heads).transpose(1, 2)
        v = self.v_proj(kv).reshape(b, n, heads, dim // heads).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v)
        out = self.out_proj(out.transpose(1, 2).reshape(b, -1, dim))
        return self.ln_post(out) @ self.proj
