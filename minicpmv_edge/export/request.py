"""What `export` is asked to do, checked before anything heavy is imported (torch takes seconds to load; a wrong
path must fail at once)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from minicpmv_edge.bundle import check_replaceable, is_our_bundle
from minicpmv_edge.errors import CheckpointError, EdgeError
from minicpmv_edge.presets import ModelPreset

PARTS = ("vision", "llm")
DEFAULT_MIN_COSINE = 0.9999
BLOCK_SIZES = (32, 64, 128)  # int4 blocks the decoder export offers (--block-size)
DEFAULT_BLOCK_SIZE = 128  # why 128: export/decoder_onnx.py's docstring


@dataclass(frozen=True)
class ExportRequest:
    preset: ModelPreset
    out: Path
    shapes: tuple[int, ...] = (280, 448)
    parts: tuple[str, ...] = PARTS
    checkpoint: Path | None = None  # None (and no GGUF): write a synthetic checkpoint of the preset
    gguf_mmproj: Path | None = None  # llama.cpp mmproj GGUF; `preset` then names the family, dims come from the file
    gguf_llm: Path | None = None  # llama.cpp LLM GGUF (with gguf_mmproj)
    seed: int = 0
    min_cosine: float = DEFAULT_MIN_COSINE
    block_size: int | None = None  # int4 block of the decoder's MatMulNBits; None: decoder_onnx's default
    accuracy_level: int = 4
    cpu_encoders: tuple[str, ...] = ("fp32", "int8")  # CPU-only graphs beside the plain ones (export/cpu_encoder)
    kv_cache: str = "float16"  # the decoder's KV cache type: float16 (half the memory) or float32


def check_request(req: ExportRequest) -> None:
    """Every check that needs no torch: parts, shapes, threshold, the checkpoint's presence, the output folder."""
    if req.block_size is not None and req.block_size not in BLOCK_SIZES:
        raise EdgeError(f"--block-size must be one of {', '.join(map(str, BLOCK_SIZES))}, got {req.block_size}")
    if req.kv_cache not in ("float16", "float32"):
        raise EdgeError(f"--kv-cache must be float16 or float32, got {req.kv_cache!r}")
    unknown = set(req.parts) - set(PARTS)
    if unknown or not req.parts:
        raise EdgeError(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")
    patch = req.preset.vision.patch_size
    for size in req.shapes:
        if size % patch:
            raise EdgeError(f"shape {size} is not a multiple of the patch size {patch}")
    if not (math.isfinite(req.min_cosine) and 0.0 < req.min_cosine <= 1.0):
        raise EdgeError(f"--min-cosine must be a number in (0, 1], got {req.min_cosine}")
    if req.checkpoint is not None:
        if not req.checkpoint.is_dir():
            raise CheckpointError(f"checkpoint directory {req.checkpoint} does not exist")
        if not (req.checkpoint / "config.json").is_file():
            raise CheckpointError(f"checkpoint directory {req.checkpoint} has no config.json")
    _check_gguf(req)
    check_replaceable(req.out, is_our_bundle, "bundle")


def _check_gguf(req: ExportRequest) -> None:
    """The GGUF sources: one mmproj (with an optional LLM GGUF, needed for the llm part), files that exist."""
    if req.gguf_llm is not None and req.gguf_mmproj is None:
        raise EdgeError("--gguf-llm needs --gguf-mmproj (the vision encoder comes from the mmproj)")
    if req.gguf_mmproj is None:
        return
    if req.checkpoint is not None:
        raise EdgeError("give either a checkpoint directory or GGUF files, not both")
    if "llm" in req.parts and req.gguf_llm is None:
        raise EdgeError("exporting the LLM from GGUF needs --gguf-llm FILE (or --parts vision)")
    for path in (req.gguf_mmproj, req.gguf_llm):
        if path is not None and not path.is_file():
            raise CheckpointError(f"GGUF file {path} does not exist")
