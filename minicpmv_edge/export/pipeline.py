"""`export`: checkpoint (HF directory or synthetic preset) -> bundle directory with static ONNX encoders."""

from __future__ import annotations

import logging
import platform
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

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
from minicpmv_edge.export.parity import MIN_COSINE, compare_onnx, reference_outputs
from minicpmv_edge.export.vision_onnx import INPUT_NAME, OPSET, OUTPUT_NAME, simplify_and_save, trace_vision_onnx
from minicpmv_edge.model.checkpoint import Checkpoint, load_vision_encoder, open_checkpoint
from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
from minicpmv_edge.presets import ModelPreset
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.preprocess import to_pixel_values

log = logging.getLogger(__name__)

SAMPLE_IMAGE = Path(__file__).resolve().parent.parent / "assets" / "sample.jpg"
TOOLS = ("torch", "onnx", "onnxruntime", "onnxslim", "safetensors", "numpy", "pillow")


@dataclass(frozen=True)
class ExportRequest:
    preset: ModelPreset
    out: Path
    shapes: tuple[int, ...] = (280, 448)
    checkpoint: Path | None = None  # None: write a synthetic checkpoint of the preset
    seed: int = 0
    min_cosine: float = MIN_COSINE


def parity_inputs(size: int, seed: int) -> dict[str, np.ndarray]:
    """A real photo (the packaged sample) and seeded uniform noise, both `[1,3,size,size]` in [-1, 1]."""
    photo = load_image(SAMPLE_IMAGE).resize((size, size))
    noise = np.random.default_rng(seed).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
    return {f"photo {SAMPLE_IMAGE.name}": to_pixel_values(photo), f"uniform noise seed {seed}": noise}


def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "minicpmv-edge": __version__}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _export_from(ckpt: Checkpoint, req: ExportRequest, source: dict[str, Any]) -> dict[str, Any]:
    preset = req.preset
    encoders: dict[str, Any] = {}
    with atomic_directory(req.out) as tmp, tempfile.TemporaryDirectory(prefix="minicpmv-edge-trace-") as work:
        for size in req.shapes:
            rel = f"vision/encoder_{size}.onnx"
            # torch lives only while tracing: the reference outputs are kept, the model is freed before slimming
            log.info("loading the %s vision encoder from %s", preset.name, ckpt.path)
            encoder = load_vision_encoder(ckpt, preset)
            inputs = parity_inputs(size, req.seed)
            expected = reference_outputs(encoder, inputs)
            raw = trace_vision_onnx(encoder, size, Path(work) / f"raw_{size}.onnx")
            del encoder
            simplify_and_save(raw, tmp / rel, f"the {size}x{size} encoder")
            raw.unlink()
            parity = compare_onnx(tmp / rel, inputs, expected)
            if parity.cosine < req.min_cosine:
                raise EdgeError(
                    f"export failed: ONNX vs torch cosine {parity.cosine:.6f} at {size}x{size} is below "
                    f"{req.min_cosine}"
                )
            encoders[str(size)] = {
                "file": rel,
                "input": {"name": INPUT_NAME, "shape": [1, 3, size, size], "dtype": "float32"},
                "output": {"name": OUTPUT_NAME, "shape": list(preset.output_shape), "dtype": "float32"},
                "opset": OPSET,
                "parity": {**parity.as_dict(), "reference": "torch fp32 eager", "provenance": "host-measured"},
            }
        manifest = {
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
            "preprocess": {
                "layout": "NCHW RGB float32",
                "mean": list(preset.image_mean),
                "std": list(preset.image_std),
                "patch_size": preset.vision.patch_size,
            },
            "vision": {"shapes": list(req.shapes), "encoders": encoders},
            "tools": tool_versions(),
            "files": [file_record(tmp, p) for p in sorted(tmp.rglob("*")) if p.is_file()],
        }
        write_manifest(tmp, manifest)
    log.info("bundle written to %s", req.out)
    return manifest


def export_bundle(req: ExportRequest) -> dict[str, Any]:
    """Export the vision encoders of `req` into the bundle `req.out`; returns the manifest."""
    check_replaceable(req.out)
    patch = req.preset.vision.patch_size
    for size in req.shapes:
        if size % patch:
            raise EdgeError(f"shape {size} is not a multiple of the patch size {patch}")
    if req.checkpoint is not None:
        ckpt = open_checkpoint(req.checkpoint)
        return _export_from(ckpt, req, {"checkpoint": str(req.checkpoint)})
    with tempfile.TemporaryDirectory(prefix="minicpmv-edge-synthetic-") as work:
        log.info("writing a synthetic %s checkpoint (seed %d)", req.preset.name, req.seed)
        path = write_synthetic_checkpoint(req.preset, Path(work) / "checkpoint", seed=req.seed)
        return _export_from(open_checkpoint(path), req, {"synthetic_seed": req.seed})
