"""`export`: checkpoint (HF directory or synthetic preset) -> bundle directory with static ONNX encoders."""

from __future__ import annotations

import logging
import multiprocessing
import platform
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from minicpmv_edge import __version__
from minicpmv_edge.bundle import (
    SCHEMA_VERSION,
    atomic_directory,
    check_replaceable,
    file_record,
    write_manifest,
)
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.cpu_encoder import (
    CPU_PRECISIONS,
    CPU_RECIPES,
    default_cpu_precision,
    dynamic_int8,
    fused_fp32,
)
from minicpmv_edge.export.parity import MIN_COSINE, compare_onnx, reference_outputs
from minicpmv_edge.export.tokenizer import write_tokenizer
from minicpmv_edge.export.vision_onnx import INPUT_NAME, OPSET, OUTPUT_NAME, simplify_and_save, trace_vision_onnx
from minicpmv_edge.model.checkpoint import Checkpoint, load_vision_encoder, open_checkpoint, vision_weight_bytes
from minicpmv_edge.model.synthetic import synthetic_bytes, write_synthetic_checkpoint
from minicpmv_edge.presets import ModelPreset
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.preprocess import square_input

log = logging.getLogger(__name__)
T = TypeVar("T")

SAMPLE_IMAGE = Path(__file__).resolve().parent.parent / "assets" / "sample.jpg"
TOOLS = ("torch", "onnx", "onnxruntime", "onnxslim", "safetensors", "numpy", "pillow")


PARTS = ("vision", "llm")
ISOLATE_BYTES = 256 * 1024**2  # above this (fp32 vision / bf16 synthetic), a step runs in its own child process


@dataclass(frozen=True)
class ExportRequest:
    preset: ModelPreset
    out: Path
    shapes: tuple[int, ...] = (280, 448)
    parts: tuple[str, ...] = PARTS
    checkpoint: Path | None = None  # None: write a synthetic checkpoint of the preset
    seed: int = 0
    min_cosine: float = MIN_COSINE
    block_size: int = 32  # int4 block of the decoder's MatMulNBits
    accuracy_level: int = 4
    cpu_encoders: tuple[str, ...] = CPU_PRECISIONS  # CPU-only graphs beside the plain ones (see cpu_encoder)


def parity_inputs(size: int, seed: int) -> dict[str, np.ndarray]:
    """A real photo (the packaged sample) and seeded uniform noise, both `[1,3,size,size]` in [-1, 1]."""
    photo = square_input(load_image(SAMPLE_IMAGE), size)
    noise = np.random.default_rng(seed).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
    return {f"photo {SAMPLE_IMAGE.name}": photo, f"uniform noise seed {seed}": noise}


def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "minicpmv-edge": __version__}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _call(isolate: bool, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, in a spawned child process when `isolate` (its memory goes back when it exits)."""
    if not isolate:
        return fn(*args, **kwargs)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _export_shape(ckpt: Checkpoint, req: ExportRequest, size: int, tmp: Path, work: Path) -> dict[str, Any]:
    """One static encoder: trace (torch lives only here), slim from disk, save into the bundle, check parity.

    Returns its manifest entry.
    """
    preset = req.preset
    rel = f"vision/encoder_{size}.onnx"
    inputs = parity_inputs(size, req.seed)
    raw = work / f"trace_{size}" / "raw.onnx"
    raw.parent.mkdir()
    log.info("loading the %s vision encoder from %s", preset.name, ckpt.path)
    encoder = load_vision_encoder(ckpt, preset)
    expected = reference_outputs(encoder, inputs)
    trace_vision_onnx(encoder, size, raw)
    del encoder
    simplify_and_save(raw, tmp / rel, f"the {size}x{size} encoder")
    cpu = _cpu_graphs(raw, req, size, tmp, inputs, expected)
    shutil.rmtree(raw.parent)
    parity = compare_onnx(tmp / rel, inputs, expected)
    if parity.cosine < req.min_cosine:
        raise EdgeError(
            f"export failed: ONNX vs torch cosine {parity.cosine:.6f} at {size}x{size} is below {req.min_cosine}"
        )
    entry = {
        "file": rel,
        "input": {"name": INPUT_NAME, "shape": [1, 3, size, size], "dtype": "float32"},
        "output": {"name": OUTPUT_NAME, "shape": list(preset.output_shape), "dtype": "float32"},
        "opset": OPSET,
        "parity": {**parity.as_dict(), "reference": "torch fp32 eager", "provenance": "host-measured"},
    }
    return {"encoder": entry, "cpu": cpu}


def _cpu_graphs(
    raw: Path, req: ExportRequest, size: int, tmp: Path, inputs: dict[str, np.ndarray], expected: dict
) -> dict[str, Any]:
    """The CPU-only graphs of one shape (see `cpu_encoder`), each checked against the torch reference."""
    entries: dict[str, Any] = {}
    if not req.cpu_encoders:
        return entries
    fp32 = fused_fp32(raw, req.preset, tmp / f"vision/cpu/encoder_{size}.fp32.onnx")
    built = {"fp32": fp32}
    if "int8" in req.cpu_encoders:
        built["int8"] = dynamic_int8(fp32, tmp / f"vision/cpu/encoder_{size}.int8.onnx")
    if "fp32" not in req.cpu_encoders:
        for extra in fp32.parent.glob(f"{fp32.name}*"):
            extra.unlink()
        del built["fp32"]
    for precision, path in built.items():
        parity = compare_onnx(path, inputs, expected)
        entries[precision] = {
            "file": path.relative_to(tmp).as_posix(),
            "cosine_vs_torch_fp32": parity.cosine,
            "max_abs_vs_torch_fp32": parity.max_abs,
            "provenance": f"host-measured at export on {len(inputs)} parity inputs",
            "recipe": CPU_RECIPES[precision],
        }
    return entries


def _export_vision(ckpt: Checkpoint, req: ExportRequest, tmp: Path, work: Path) -> dict[str, Any]:
    """Every shape's encoder; for a large encoder, each in its own child process.

    Tracing a full-size encoder peaks at about 4.5x its fp32 weights (the model, the exporter's folded copies and
    the serialized graph), and memory freed afterwards mostly stays with the process (glibc keeps freed heap), so
    in one process each step would start from the last one's high-water mark, and the decoder export after them
    too. A spawned child per shape returns all of it to the system when it exits.
    """
    isolate = vision_weight_bytes(ckpt) >= ISOLATE_BYTES
    encoders: dict[str, Any] = {}
    cpu: dict[str, dict[str, Any]] = {}
    for size in req.shapes:
        done = _call(isolate, _export_shape, ckpt, req, size, tmp, work)
        encoders[str(size)] = done["encoder"]
        for precision, entry in done["cpu"].items():
            cpu.setdefault(precision, {})[str(size)] = entry
    section: dict[str, Any] = {"shapes": list(req.shapes), "encoders": encoders}
    if cpu:
        section["cpu_encoders"] = cpu
        section["cpu_default"] = default_cpu_precision(cpu)
    return section


def _export_llm(ckpt: Checkpoint, req: ExportRequest, tmp: Path) -> dict[str, Any]:
    from minicpmv_edge.export.decoder_onnx import export_decoder
    from minicpmv_edge.model.checkpoint import LazyWeights

    weights = LazyWeights(ckpt, req.preset, ("llm",))
    section = export_decoder(
        weights, req.preset, tmp / "llm", block_size=req.block_size, accuracy_level=req.accuracy_level
    )
    return {**section, "dir": "llm"}


def _prompt_section(preset: ModelPreset) -> dict[str, Any]:
    p = preset.prompt
    return {
        "style": p.style,
        "bos_id": p.bos_id,
        "eos_ids": list(p.eos_ids),
        "unk_id": p.unk_id,
        "special_tokens": p.special_tokens,
    }


def _export_from(ckpt: Checkpoint, req: ExportRequest, source: dict[str, Any]) -> dict[str, Any]:
    preset = req.preset
    with atomic_directory(req.out) as tmp, tempfile.TemporaryDirectory(prefix="minicpmv-edge-trace-") as work:
        manifest: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "created_by": f"minicpmv-edge {__version__}",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": {
                "preset": preset.name,
                "version": preset.version,
                "hf_name": preset.hf_name,
                "synthetic": ckpt.synthetic,
                "source": source,
                "query_num": preset.resampler.query_num,
                "embed_dim": preset.resampler.embed_dim,
            },
            "parts": list(req.parts),
            "preprocess": {
                "layout": "NCHW RGB float32",
                "mean": list(preset.image_mean),
                "std": list(preset.image_std),
                "patch_size": preset.vision.patch_size,
            },
        }
        if "vision" in req.parts:
            manifest["vision"] = _export_vision(ckpt, req, tmp, Path(work))
        if "llm" in req.parts:
            manifest["llm"] = _export_llm(ckpt, req, tmp)
            manifest["tokenizer"] = write_tokenizer(preset, None if ckpt.synthetic else ckpt.path, tmp / "tokenizer")
            manifest["prompt"] = _prompt_section(preset)
        manifest["tools"] = tool_versions()
        manifest["files"] = [file_record(tmp, p) for p in sorted(tmp.rglob("*")) if p.is_file()]
        write_manifest(tmp, manifest)
    log.info("bundle written to %s", req.out)
    return manifest


def export_bundle(req: ExportRequest) -> dict[str, Any]:
    """Export the requested parts of `req` into the bundle `req.out`; returns the manifest."""
    check_replaceable(req.out)
    unknown = set(req.parts) - set(PARTS)
    if unknown or not req.parts:
        raise EdgeError(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")
    patch = req.preset.vision.patch_size
    for size in req.shapes:
        if size % patch:
            raise EdgeError(f"shape {size} is not a multiple of the patch size {patch}")
    if req.checkpoint is not None:
        ckpt = open_checkpoint(req.checkpoint)
        return _export_from(ckpt, req, {"checkpoint": str(req.checkpoint)})
    with tempfile.TemporaryDirectory(prefix="minicpmv-edge-synthetic-") as work:
        log.info("writing a synthetic %s checkpoint (seed %d)", req.preset.name, req.seed)
        # generating shards of up to 2 GB leaves that much heap with the process: keep it out of the exporter
        big = synthetic_bytes(req.preset, req.parts) >= ISOLATE_BYTES
        path = _call(
            big, write_synthetic_checkpoint, req.preset, Path(work) / "checkpoint", parts=req.parts, seed=req.seed
        )
        return _export_from(open_checkpoint(path), req, {"synthetic_seed": req.seed})
