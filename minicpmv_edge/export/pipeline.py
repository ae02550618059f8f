"""`export`: checkpoint (HF directory, llama.cpp GGUF files or synthetic preset) -> bundle directory."""

from __future__ import annotations

import dataclasses
import logging
import math
import multiprocessing
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from minicpmv_edge import __version__
from minicpmv_edge import manifest as mf
from minicpmv_edge.bundle import all_file_records, atomic_directory, is_our_bundle, work_folder, write_manifest
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.cpu_encoder import FP32_RECIPE, fused_fp32, int8_graph
from minicpmv_edge.export.parity import compare_onnx, reference_outputs
from minicpmv_edge.export.request import ExportRequest, check_request
from minicpmv_edge.export.sources import GgufSource, HfSource
from minicpmv_edge.export.vision_onnx import INPUT_NAME, OPSET, OUTPUT_NAME, simplify_and_save, trace_vision_onnx
from minicpmv_edge.model.checkpoint import open_checkpoint, vision_weight_bytes
from minicpmv_edge.model.synthetic import synthetic_bytes, write_synthetic_checkpoint
from minicpmv_edge.npu_backends.calibration import calibration_split
from minicpmv_edge.numerics import meets
from minicpmv_edge.presets import ModelPreset
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.preprocess import square_input
from minicpmv_edge.versions import tool_versions

log = logging.getLogger(__name__)

SAMPLE_IMAGE = Path(__file__).resolve().parent.parent / "assets" / "sample.jpg"
TOOLS = ("torch", "onnx", "onnxruntime", "onnxslim", "safetensors", "numpy", "pillow", "gguf")
Source = HfSource | GgufSource
CPU_GATE_IMAGES = 4
ISOLATE_BYTES = 256 * 1024**2  # above this (fp32 vision / bf16 synthetic), a step runs in its own child process
T = TypeVar("T")


def parity_inputs(size: int, seed: int) -> dict[str, np.ndarray]:
    """A real photo (the packaged sample) and seeded uniform noise, both `[1,3,size,size]` in [-1, 1]."""
    photo = square_input(load_image(SAMPLE_IMAGE), size)
    noise = np.random.default_rng(seed).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
    return {f"photo {SAMPLE_IMAGE.name}": photo, f"uniform noise seed {seed}": noise}


def cpu_gate_inputs(size: int) -> dict[str, np.ndarray]:
    """`CPU_GATE_IMAGES` calibration images (charts, documents, photos, spread over the sorted set), `[1,3,size,
    size]` in [-1, 1]: what the CPU graphs' cosine is also measured on. A photo and noise alone overstated int8's
    held-out cosine at full-size 448 (0.998 at export vs 0.992 on the held-out images)."""
    files, _ = calibration_split(None)
    picked = files[:: max(1, len(files) // CPU_GATE_IMAGES)][:CPU_GATE_IMAGES]
    return {f"calibration {path.name}": square_input(load_image(path), size) for path in picked}


def _call(isolate: bool, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, in a spawned child process when `isolate` (its memory goes back when it exits)."""
    if not isolate:
        return fn(*args, **kwargs)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _export_shape(src: Source, req: ExportRequest, size: int, tmp: Path, work: Path) -> dict[str, Any]:
    """One static encoder: trace (torch lives only here), slim from disk, save into the bundle, check parity.

    Returns its manifest entry and its CPU graphs' entries.
    """
    preset = src.preset
    rel = f"vision/encoder_{size}.onnx"
    inputs = parity_inputs(size, req.seed)
    raw = work / f"trace_{size}" / "raw.onnx"
    raw.parent.mkdir()
    gate = inputs | (cpu_gate_inputs(size) if req.cpu_encoders else {})
    encoder = src.vision_encoder()
    expected = reference_outputs(encoder, gate)
    trace_vision_onnx(encoder, size, raw)
    del encoder
    simplify_and_save(raw, tmp / rel, f"the {size}x{size} encoder")
    cpu = _cpu_graphs(raw, src, req, size, tmp, gate, expected)
    shutil.rmtree(raw.parent)
    parity = compare_onnx(tmp / rel, inputs, {name: expected[name] for name in inputs})
    if not meets(parity.cosine, req.min_cosine):
        raise EdgeError(
            f"export failed: ONNX vs torch cosine {parity.cosine:.6f} at {size}x{size} is below "
            f"{req.min_cosine}" + (" (NaN/inf outputs: broken weights)" if math.isnan(parity.cosine) else "")
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
    raw: Path, src: Source, req: ExportRequest, size: int, tmp: Path, inputs: dict[str, np.ndarray], expected: dict
) -> dict[str, Any]:
    """The CPU-only graphs of one shape (see `cpu_encoder`), each checked against the torch reference."""
    entries: dict[str, Any] = {}
    if not req.cpu_encoders:
        return entries
    fp32 = fused_fp32(raw, src.preset, tmp / f"vision/cpu/encoder_{size}.fp32.onnx")
    built = {"fp32": (fp32, FP32_RECIPE, compare_onnx(fp32, inputs, expected))}
    if "int8" in req.cpu_encoders:
        int8 = tmp / f"vision/cpu/encoder_{size}.int8.onnx"
        recipe, parity = int8_graph(fp32, int8, inputs, expected)
        built["int8"] = (int8, recipe.describe(), parity)
    if "fp32" not in req.cpu_encoders:
        for extra in fp32.parent.glob(f"{fp32.name}*"):
            extra.unlink()
        del built["fp32"]
    for precision, (path, recipe, parity) in built.items():
        entries[precision] = {
            "file": path.relative_to(tmp).as_posix(),
            "cosine_vs_torch_fp32": parity.cosine,
            "max_abs_vs_torch_fp32": parity.max_abs,
            "provenance": f"host-measured at export on {len(inputs)} images: {', '.join(inputs)}",
            "recipe": recipe,
        }
    return entries


def _export_vision(src: Source, req: ExportRequest, tmp: Path, work: Path) -> dict[str, Any]:
    """Every shape's encoder; for a large checkpoint encoder, each in its own child process.

    Tracing a full-size encoder peaks at about 4.5x its fp32 weights (the model, the exporter's folded copies and
    the serialized graph), and memory freed afterwards mostly stays with the process (glibc keeps freed heap), so
    in one process each step would start from the last one's high-water mark, and the decoder export after them
    too. A spawned child per shape returns all of it to the system when it exits.
    """
    isolate = isinstance(src, HfSource) and vision_weight_bytes(src.preset) >= ISOLATE_BYTES
    encoders: dict[str, Any] = {}
    cpu: dict[str, dict[str, Any]] = {}
    for size in req.shapes:
        done = _call(isolate, _export_shape, src, req, size, tmp, work)
        encoders[str(size)] = done["encoder"]
        for precision, entry in done["cpu"].items():
            cpu.setdefault(precision, {})[str(size)] = entry
    section: dict[str, Any] = {"shapes": list(req.shapes), "encoders": encoders}
    if cpu:
        section["cpu_encoders"] = cpu
        section["cpu_default"] = mf.fastest_accurate_cpu(
            {p: [e["cosine_vs_torch_fp32"] for e in by_size.values()] for p, by_size in cpu.items()}
        )
    return section


def _export_llm(src: Source, req: ExportRequest, tmp: Path) -> dict[str, Any]:
    from minicpmv_edge.export.decoder_onnx import DEFAULT_BLOCK_SIZE, GGUF_BLOCK_SIZE, export_decoder

    default_block = GGUF_BLOCK_SIZE if isinstance(src, GgufSource) else DEFAULT_BLOCK_SIZE
    section = export_decoder(
        src.llm_weights(),
        src.preset,
        tmp / "llm",
        block_size=req.block_size or default_block,
        accuracy_level=req.accuracy_level,
        kv_dtype=req.kv_cache,
        measure_error=src.measure_llm_error,
    )
    return {**section, **src.keep_llm_files(tmp / "llm"), "dir": "llm"}


def _prompt_section(preset: ModelPreset) -> dict[str, Any]:
    p = preset.prompt
    return {
        "style": p.style,
        "bos_id": p.bos_id,
        "eos_ids": list(p.eos_ids),
        "unk_id": p.unk_id,
        "special_tokens": p.special_tokens,
    }


def _export_from(src: Source, req: ExportRequest) -> mf.Manifest:
    preset = src.preset
    with (
        atomic_directory(req.out, owned=is_our_bundle, what="bundle") as tmp,
        work_folder(req.out.parent, f"{req.out.name}-trace") as work,
    ):
        manifest: dict[str, Any] = {
            "manifest_version": mf.MANIFEST_VERSION,
            "created_by": f"minicpmv-edge {__version__}",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": {
                "preset": preset.name,
                "version": preset.version,
                "hf_name": preset.hf_name,
                "synthetic": src.synthetic,
                "source": src.description,
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
            manifest["vision"] = _export_vision(src, req, tmp, Path(work))
        if "llm" in req.parts:
            manifest["llm"] = _export_llm(src, req, tmp)
            manifest["tokenizer"] = src.write_tokenizer(tmp / "tokenizer")
            manifest["prompt"] = _prompt_section(preset)
        manifest["tools"] = tool_versions(*TOOLS)
        manifest["files"] = [dataclasses.asdict(r) for r in all_file_records(tmp)]
        typed = mf.from_dict(manifest, "the exported manifest")
        write_manifest(tmp, typed)
    log.info("bundle written to %s", req.out)
    return typed


def export_bundle(req: ExportRequest) -> mf.Manifest:
    """Export the requested parts of `req` into the bundle `req.out`; returns the manifest."""
    check_request(req)
    if req.gguf_mmproj is not None:  # every file is opened and checked before anything is written
        return _export_from(GgufSource(req.preset, req.gguf_mmproj, req.gguf_llm), req)
    if req.checkpoint is not None:
        ckpt = open_checkpoint(req.checkpoint)
        return _export_from(HfSource(ckpt, req.preset, {"checkpoint": str(req.checkpoint)}), req)
    # beside the bundle, not in $TMPDIR: its file system has room for the bundle, and a killed export's leftovers
    # are removed by the next export to the same --out (bundle.clean_stale)
    with work_folder(req.out.parent, f"{req.out.name}-synthetic") as work:
        log.info("writing a synthetic %s checkpoint (seed %d)", req.preset.name, req.seed)
        # generating shards of up to 2 GB leaves that much heap with the process: keep it out of the exporter
        big = synthetic_bytes(req.preset, req.parts) >= ISOLATE_BYTES
        path = _call(
            big, write_synthetic_checkpoint, req.preset, Path(work) / "checkpoint", parts=req.parts, seed=req.seed
        )
        return _export_from(HfSource(open_checkpoint(path), req.preset, {"synthetic_seed": req.seed}), req)
