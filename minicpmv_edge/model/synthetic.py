"""Synthetic checkpoints in the official HF format, at full or tiny size.

Real MiniCPM-V weights are not downloadable everywhere; these stand in so the very same loader path (config.json,
sharded safetensors with official names, bf16 like the releases) runs in tests, the demo and the benchmarks.
Tensors are generated one at a time and flushed per shard, so a multi-GB checkpoint never sits in memory at once.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from minicpmv_edge.bundle import atomic_directory
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.model.checkpoint import INDEX_NAME
from minicpmv_edge.model.hf_config import is_synthetic, official_config
from minicpmv_edge.model.hf_names import TensorRule, rules_for
from minicpmv_edge.model.positions import sincos_2d
from minicpmv_edge.presets import ModelPreset
from minicpmv_edge.safe_json import load_json_file

log = logging.getLogger(__name__)

INIT_STD = 0.02  # the releases' initializer range for linears and embeddings


def _init(rule: TensorRule, gen: torch.Generator) -> torch.Tensor:
    """A realistic value for one tensor: N(0, 0.02) linears/embeddings, ~1 norm gains, small biases."""
    if rule.init == "sincos":
        side = round(rule.shape[0] ** 0.5)
        return sincos_2d(rule.shape[1], side, side)
    noise = torch.randn(rule.shape, generator=gen)
    if rule.init == "norm_weight":
        return 1.0 + 0.1 * noise
    if rule.init in ("bias", "norm_bias"):
        return 0.01 * noise
    return INIT_STD * noise.clamp_(-2.0, 2.0)  # truncated at 2 sigma, like trunc_normal_


def synthetic_bytes(preset: ModelPreset, parts: tuple[str, ...], dtype: torch.dtype = torch.bfloat16) -> int:
    """Size of the checkpoint `write_synthetic_checkpoint` would write (from the tensor rules; nothing made)."""
    itemsize = torch.empty((), dtype=dtype).element_size()
    return sum(math.prod(rule.shape) * itemsize for rule in rules_for(preset, parts))


def _is_synthetic_checkpoint(path: Path) -> bool:
    """A folder holding a config.json that we marked synthetic (so a real checkpoint is never replaced)."""
    try:
        config = load_json_file(path / "config.json", max_bytes=1 << 20, what="config")
    except EdgeError:
        return False
    return isinstance(config, dict) and is_synthetic(config)


def write_synthetic_checkpoint(
    preset: ModelPreset,
    out_dir: str | Path,
    *,
    parts: tuple[str, ...] = ("vision",),
    seed: int = 0,
    dtype: torch.dtype = torch.bfloat16,
    shard_bytes: int = 2 * 1024**3,
) -> Path:
    """Write config.json, `model-0000i-of-0000n.safetensors` shards and the index into `out_dir`.

    The directory appears only when complete (written beside it, then renamed). Generation holds at most one
    shard in memory.
    """
    out = Path(out_dir)
    rules = rules_for(preset, parts)
    itemsize = torch.empty((), dtype=dtype).element_size()
    plan: list[list[TensorRule]] = [[]]
    size = 0
    for rule in rules:  # shard boundaries first: file names carry the shard count
        nbytes = math.prod(rule.shape) * itemsize
        if size and size + nbytes > shard_bytes:
            plan.append([])
            size = 0
        plan[-1].append(rule)
        size += nbytes
    with atomic_directory(out, owned=_is_synthetic_checkpoint, what="synthetic checkpoint") as tmp:
        gen = torch.Generator().manual_seed(seed)
        weight_map, total = {}, 0
        for n, shard_rules in enumerate(plan, start=1):
            name = f"model-{n:05d}-of-{len(plan):05d}.safetensors"
            shard = {rule.official: _init(rule, gen).to(dtype).contiguous() for rule in shard_rules}
            save_file(shard, tmp / name, metadata={"format": "pt"})
            weight_map |= dict.fromkeys(shard, name)
            total += sum(t.numel() * t.element_size() for t in shard.values())
            log.info("wrote shard %d/%d (%d tensors)", n, len(plan), len(shard))
            del shard
        (tmp / INDEX_NAME).write_text(
            json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2)
        )
        config = official_config(preset, seed=seed, torch_dtype=str(dtype).removeprefix("torch."))
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
    return out


def trained_scale(ckpt: Path, seed: int = 0) -> str:
    """Rewrite a synthetic checkpoint's vision tensors with the statistics that make trained ViTs hard to quantize.

    - linear weights: Student-t (3 degrees of freedom) noise at std 1/sqrt(fan_in) (trained SigLIP layers sit near
      it, 2-5x the N(0, 0.02) init), each output channel scaled by a log-normal factor (sigma 0.5): heavy tails and
      uneven channels, which per-tensor weight scales would lose;
    - LayerNorm gains ~1 with 4 outlier channels at 20-40x (the "massive activations" of trained ViTs), which
      stretch the per-tensor activation range that dynamic int8 quantizes with.
    """
    gen = torch.Generator().manual_seed(seed)
    for shard in sorted(ckpt.glob("*.safetensors")):
        tensors = load_file(shard)
        for name, t in tensors.items():
            if not name.startswith(("vpm.", "resampler.")):
                continue
            if t.ndim == 2 and "pos" not in name and "query" not in name and min(t.shape) > 64:
                # Student-t(3) = z / sqrt(chi2(3) / 3), drawn from `gen` so the weights are the same every run
                chi2 = (torch.randn((3, *t.shape), generator=gen) ** 2).sum(0)
                noise = torch.randn(t.shape, generator=gen) / (chi2 / 3.0).sqrt() / (3.0**0.5)  # unit variance
                channels = torch.exp(0.5 * torch.randn(t.shape[0], 1, generator=gen))
                tensors[name] = (noise * channels / t.shape[1] ** 0.5).to(t.dtype)
            elif t.ndim == 1 and ("norm" in name or "ln_" in name) and name.endswith("weight"):
                gain = 1.0 + 0.1 * torch.randn(t.shape, generator=gen)
                idx = torch.randperm(t.shape[0], generator=gen)[:4]
                gain[idx] = 20.0 + 20.0 * torch.rand(4, generator=gen)
                tensors[name] = gain.to(t.dtype)
        save_file(tensors, shard, metadata={"format": "pt"})
    return "synthetic, rescaled to trained statistics (Student-t linears at 1/sqrt(fan_in), outlier LN gains)"
