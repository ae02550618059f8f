"""Official HF checkpoint tensor names <-> our module names, per version.

One `TensorRule` per official tensor: its name, its shape in the checkpoint, and the parameter(s) of ours it
becomes. Packed tensors (timm's fused `qkv`, MultiheadAttention's `in_proj`) split evenly along dim 0; timm's
`pos_embed [1, N, C]` drops its leading 1. The loader and the synthetic writer both walk these rules, so a name
that reads also writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import torch

from minicpmv_edge.presets import LLMConfig, ModelPreset, VisionConfig

RuleKind = Literal["same", "split", "squeeze0"]
InitKind = Literal["weight", "bias", "norm_weight", "norm_bias", "embedding", "sincos"]


@dataclass(frozen=True)
class TensorRule:
    official: str
    shape: tuple[int, ...]
    ours: tuple[str, ...]
    init: InitKind
    kind: RuleKind = "same"

    def to_ours(self, tensor: torch.Tensor) -> dict[str, torch.Tensor]:
        if self.kind == "split":
            return dict(zip(self.ours, tensor.chunk(len(self.ours), dim=0), strict=True))
        if self.kind == "squeeze0":
            return {self.ours[0]: tensor.squeeze(0)}
        return {self.ours[0]: tensor}

    def to_official(self, state: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = [state[name] for name in self.ours]
        if self.kind == "split":
            return torch.cat(parts, dim=0)
        if self.kind == "squeeze0":
            return parts[0].unsqueeze(0)
        return parts[0]


def _linear(official: str, ours: str, out_dim: int, in_dim: int, bias: bool = True) -> Iterator[TensorRule]:
    yield TensorRule(f"{official}.weight", (out_dim, in_dim), (f"{ours}.weight",), "weight")
    if bias:
        yield TensorRule(f"{official}.bias", (out_dim,), (f"{ours}.bias",), "bias")


def _norm(official: str, ours: str, dim: int) -> Iterator[TensorRule]:
    yield TensorRule(f"{official}.weight", (dim,), (f"{ours}.weight",), "norm_weight")
    yield TensorRule(f"{official}.bias", (dim,), (f"{ours}.bias",), "norm_bias")


def _packed_qkv(weight: str, bias: str, ours: tuple[str, str, str], dim: int) -> Iterator[TensorRule]:
    """A packed q|k|v projection (`[3D, D]` weight + `[3D]` bias) becoming three linears."""
    yield TensorRule(weight, (3 * dim, dim), tuple(f"{o}.weight" for o in ours), "weight", "split")
    yield TensorRule(bias, (3 * dim,), tuple(f"{o}.bias" for o in ours), "bias", "split")


def _patch_embed(official: str, cfg: VisionConfig) -> Iterator[TensorRule]:
    """Conv2d(3, C, k=p, s=p) weight `[C, 3, p, p]` and bias `[C]`."""
    c, p = cfg.hidden_size, cfg.patch_size
    yield TensorRule(f"{official}.weight", (c, 3, p, p), ("vision.patch_embed.weight",), "weight")
    yield TensorRule(f"{official}.bias", (c,), ("vision.patch_embed.bias",), "bias")


def _timm_vision(cfg: VisionConfig) -> Iterator[TensorRule]:
    c = cfg.hidden_size
    yield from _patch_embed("vpm.patch_embed.proj", cfg)
    yield TensorRule("vpm.pos_embed", (1, cfg.pos_grid**2, c), ("vision.pos_table",), "embedding", "squeeze0")
    for i in range(cfg.num_layers):
        src, dst = f"vpm.blocks.{i}", f"vision.blocks.{i}"
        yield from _norm(f"{src}.norm1", f"{dst}.norm1", c)
        yield from _packed_qkv(
            f"{src}.attn.qkv.weight", f"{src}.attn.qkv.bias", tuple(f"{dst}.attn.{p}" for p in "qkv"), c
        )
        yield from _linear(f"{src}.attn.proj", f"{dst}.attn.o", c, c)
        yield from _norm(f"{src}.norm2", f"{dst}.norm2", c)
        yield from _linear(f"{src}.mlp.fc1", f"{dst}.mlp.fc1", cfg.intermediate_size, c)
        yield from _linear(f"{src}.mlp.fc2", f"{dst}.mlp.fc2", c, cfg.intermediate_size)
    yield from _norm("vpm.norm", "vision.post_norm", c)


def _hf_vision(cfg: VisionConfig) -> Iterator[TensorRule]:
    c = cfg.hidden_size
    yield from _patch_embed("vpm.embeddings.patch_embedding", cfg)
    yield TensorRule(
        "vpm.embeddings.position_embedding.weight", (cfg.pos_grid**2, c), ("vision.pos_table",), "embedding"
    )
    for i in range(cfg.num_layers):
        src, dst = f"vpm.encoder.layers.{i}", f"vision.blocks.{i}"
        yield from _norm(f"{src}.layer_norm1", f"{dst}.norm1", c)
        for hf, ours in (("q_proj", "q"), ("k_proj", "k"), ("v_proj", "v"), ("out_proj", "o")):
            yield from _linear(f"{src}.self_attn.{hf}", f"{dst}.attn.{ours}", c, c)
        yield from _norm(f"{src}.layer_norm2", f"{dst}.norm2", c)
        yield from _linear(f"{src}.mlp.fc1", f"{dst}.mlp.fc1", cfg.intermediate_size, c)
        yield from _linear(f"{src}.mlp.fc2", f"{dst}.mlp.fc2", c, cfg.intermediate_size)
    yield from _norm("vpm.post_layernorm", "vision.post_norm", c)


def _resampler(preset: ModelPreset) -> Iterator[TensorRule]:
    cfg = preset.resampler
    d = cfg.embed_dim
    yield TensorRule("resampler.query", (cfg.query_num, d), ("resampler.query",), "embedding")
    if cfg.query_pos:
        yield TensorRule("resampler.pos_embed", (cfg.query_num, d), ("resampler.query_pos",), "sincos")
    if cfg.kv_dim != d:
        yield from _linear("resampler.kv_proj", "resampler.kv_proj", d, cfg.kv_dim, bias=False)
    yield from _packed_qkv(
        "resampler.attn.in_proj_weight",
        "resampler.attn.in_proj_bias",
        ("resampler.q_proj", "resampler.k_proj", "resampler.v_proj"),
        d,
    )
    yield from _linear("resampler.attn.out_proj", "resampler.out_proj", d, d)
    for ln in ("ln_q", "ln_kv", "ln_post"):
        yield from _norm(f"resampler.{ln}", f"resampler.{ln}", d)
    yield TensorRule("resampler.proj", (d, d), ("resampler.proj",), "weight")


def vision_rules(preset: ModelPreset) -> list[TensorRule]:
    """Rules for every `vpm.*` and `resampler.*` tensor of the preset's official checkpoint."""
    cfg = preset.vision
    tower = _timm_vision(cfg) if cfg.naming == "timm" else _hf_vision(cfg)
    return [*tower, *_resampler(preset)]


def _rms_norm(official: str, ours: str, dim: int) -> Iterator[TensorRule]:
    """RMSNorm has a gain only (initialised ~1), no bias."""
    yield TensorRule(f"{official}.weight", (dim,), (f"{ours}.weight",), "norm_weight")


def _llm_layer(cfg: LLMConfig, i: int) -> Iterator[TensorRule]:
    src, dst = f"llm.model.layers.{i}", f"llm.layers.{i}"
    h, kv = cfg.hidden_size, cfg.num_kv_heads * cfg.head_dim
    yield from _rms_norm(f"{src}.input_layernorm", f"{dst}.input_norm", h)
    for proj, out_dim in (("q", cfg.num_heads * cfg.head_dim), ("k", kv), ("v", kv)):
        yield from _linear(f"{src}.self_attn.{proj}_proj", f"{dst}.attn.{proj}", out_dim, h, bias=cfg.attention_bias)
    yield from _linear(f"{src}.self_attn.o_proj", f"{dst}.attn.o", h, cfg.num_heads * cfg.head_dim, bias=False)
    yield from _rms_norm(f"{src}.post_attention_layernorm", f"{dst}.post_attn_norm", h)
    yield from _linear(f"{src}.mlp.gate_proj", f"{dst}.mlp.gate", cfg.intermediate_size, h, bias=False)
    yield from _linear(f"{src}.mlp.up_proj", f"{dst}.mlp.up", cfg.intermediate_size, h, bias=False)
    yield from _linear(f"{src}.mlp.down_proj", f"{dst}.mlp.down", h, cfg.intermediate_size, bias=False)


def llm_rules(preset: ModelPreset) -> list[TensorRule]:
    """Rules for every `llm.*` tensor: MiniCPM (2.0), Llama-3 (2.5) and Qwen2 (2.6) share one layout.

    All three releases keep `lm_head` untied; only Qwen2 (`attention_bias`) has q/k/v biases, never on o_proj.
    Our names drop HF's `model.` level: `llm.embedding`, `llm.layers.{i}.…`, `llm.norm`, `llm.lm_head`.
    """
    cfg = preset.llm
    h = cfg.hidden_size
    rules = [TensorRule("llm.model.embed_tokens.weight", (cfg.vocab_size, h), ("llm.embedding.weight",), "embedding")]
    for i in range(cfg.num_layers):
        rules.extend(_llm_layer(cfg, i))
    rules.extend(_rms_norm("llm.model.norm", "llm.norm", h))
    rules.append(TensorRule("llm.lm_head.weight", (cfg.vocab_size, h), ("llm.lm_head.weight",), "weight"))
    return rules


PART_PREFIXES: dict[str, tuple[str, ...]] = {"vision": ("vpm.", "resampler."), "llm": ("llm.",)}


def rules_for(preset: ModelPreset, parts: tuple[str, ...]) -> list[TensorRule]:
    """Rules for the requested checkpoint parts (`vision`, `llm`)."""
    builders = {"vision": vision_rules, "llm": llm_rules}
    return [rule for part in parts for rule in builders[part](preset)]
