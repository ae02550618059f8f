"""fp32 reference decoder for the three LLM families behind MiniCPM-V: MiniCPM (2.0), Llama-3 (2.5), Qwen2 (2.6).

One definition driven by `LLMConfig`: pre-RMSNorm blocks, RoPE (rotate-half, non-interleaved), grouped-query
attention, SwiGLU MLP, untied lm_head. It is the teacher the int4 ONNX decoder is checked against, so it favours
plain, obviously-right math over speed: `forward` recomputes the whole sequence, there is no KV cache.

MiniCPM (`arch == "minicpm"`, see docs/reference/minicpmv-reference.md §3.3): token embeddings are multiplied by
`scale_emb` where ids are embedded (`embed_tokens`), never the image embeddings spliced in; each residual branch is
multiplied by `scale_depth / sqrt(num_layers)`; the final hidden state is divided by `hidden_size / dim_model_base`
before lm_head.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from minicpmv_edge.model.checkpoint import Checkpoint, load_weights
from minicpmv_edge.presets import LLMConfig, ModelPreset


def rope_tables(head_dim: int, theta: float, positions: int) -> tuple[np.ndarray, np.ndarray]:
    """RoPE `cos, sin` float32 `[positions, head_dim // 2]`, row p = angles p * theta^(-2j/head_dim).

    Computed in float64 then rounded once (HF computes the angles in float32; the difference is below 3e-4 rad even
    at position 32768). The ONNX exporter bakes the same tables into the graph, so teacher and student agree.
    """
    inv_freq = theta ** (-np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    angles = np.outer(np.arange(positions, dtype=np.float64), inv_freq)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def residual_scale(cfg: LLMConfig) -> float:
    """MiniCPM's per-branch factor `scale_depth / sqrt(num_layers)`; 1 for the other families."""
    return cfg.scale_depth / math.sqrt(cfg.num_layers) if cfg.scale_depth is not None else 1.0


def logit_divisor(cfg: LLMConfig) -> float:
    """MiniCPM divides the final hidden state by `hidden_size / dim_model_base` (2304/256 = 9); 1 otherwise."""
    return cfg.hidden_size / cfg.dim_model_base if cfg.dim_model_base is not None else 1.0


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x [..., H]` -> `x / sqrt(mean(x^2) + eps) * weight`, same shape."""
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: LLMConfig) -> None:
        super().__init__()
        self.num_heads, self.num_kv_heads, self.head_dim = cfg.num_heads, cfg.num_kv_heads, cfg.head_dim
        q_dim, kv_dim = cfg.num_heads * cfg.head_dim, cfg.num_kv_heads * cfg.head_dim
        self.q = nn.Linear(cfg.hidden_size, q_dim, bias=cfg.attention_bias)
        self.k = nn.Linear(cfg.hidden_size, kv_dim, bias=cfg.attention_bias)
        self.v = nn.Linear(cfg.hidden_size, kv_dim, bias=cfg.attention_bias)
        self.o = nn.Linear(q_dim, cfg.hidden_size, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        """`x [B, S, H]`, `cos/sin [S, head_dim]` -> `[B, S, H]`; causal, KV head j serves query heads
        `j*g .. (j+1)*g - 1` with `g = num_heads / num_kv_heads` (HF `repeat_kv`)."""
        b, s, _ = x.shape
        q = self.q(x).view(b, s, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k(x).view(b, s, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v(x).view(b, s, self.num_kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = self.num_heads // self.num_kv_heads
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(out.transpose(1, 2).reshape(b, s, -1))


class Mlp(nn.Module):
    def __init__(self, cfg: LLMConfig) -> None:
        super().__init__()
        self.gate = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.silu(self.gate(x)) * self.up(x))


class DecoderLayer(nn.Module):
    """x + r * attn(norm(x)); x + r * mlp(norm(x)), with r = `residual_scale(cfg)` (1 except MiniCPM)."""

    def __init__(self, cfg: LLMConfig) -> None:
        super().__init__()
        self.input_norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.attn = Attention(cfg)
        self.post_attn_norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = Mlp(cfg)
        self.residual_scale = residual_scale(cfg)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.input_norm(x), cos, sin) * self.residual_scale
        return x + self.mlp(self.post_attn_norm(x)) * self.residual_scale


class LLM(nn.Module):
    """The decoder. Parameter names are ours (see `hf_names.llm_rules`) without the leading `llm.`."""

    def __init__(self, cfg: LLMConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.num_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    def embed_tokens(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids int `[S]` or `[1, S]` -> text embeddings float32 `[1, S, H]`, times `scale_emb` (MiniCPM).

        Image embeddings are spliced into the sequence after this, unscaled.
        """
        return self.embedding(ids.reshape(1, -1)) * self.cfg.scale_emb

    def forward(self, inputs_embeds: torch.Tensor) -> torch.Tensor:
        """`inputs_embeds` float32 `[1, S, H]` (positions 0..S-1) -> logits float32 `[1, S, V]`, full recompute."""
        s = inputs_embeds.shape[1]
        cos, sin = (torch.from_numpy(t).repeat(1, 2) for t in rope_tables(self.cfg.head_dim, self.cfg.rope_theta, s))
        x = inputs_embeds
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.lm_head(self.norm(x) / logit_divisor(self.cfg))


def load_llm(ckpt: Checkpoint, preset: ModelPreset) -> LLM:
    """The fp32 reference LLM with the checkpoint's `llm.*` weights (strict loader), in eval mode."""
    model = LLM(preset.llm)
    state = {name.removeprefix("llm."): t for name, t in load_weights(ckpt, preset, ("llm",)).items()}
    model.load_state_dict(state, strict=True)
    return model.eval()
