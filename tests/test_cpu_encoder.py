"""The CPU int8 encoder at trained-model weight statistics, and which CPU graph `run` picks by default."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from conftest import CALIBRATION_DATA

from minicpmv_edge.export.blockquant import dequantize_blocks, quantize_blocks
from minicpmv_edge.export.pipeline import export_bundle
from minicpmv_edge.export.request import ExportRequest
from minicpmv_edge.export.static_encoder import StaticVisionEncoder
from minicpmv_edge.manifest import CPU_MIN_COSINE, fastest_accurate_cpu
from minicpmv_edge.model.checkpoint import load_vision_encoder, open_checkpoint
from minicpmv_edge.model.synthetic import trained_scale, write_synthetic_checkpoint
from minicpmv_edge.numerics import cosine
from minicpmv_edge.presets import TINY
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import default_cpu_precision, open_encoder
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.preprocess import square_input


def test_int8_blocks_round_trip() -> None:
    """8-bit MatMulNBits codes: every weight within half a step of its block's scale (K padded to the block)."""
    w = np.random.default_rng(0).standard_t(3, (24, 100)).astype(np.float32)
    packed, scales = quantize_blocks(w, 32, bits=8)
    assert packed.shape == (24, 4, 32) and scales.shape == (24, 4)
    err = np.abs(dequantize_blocks(packed, scales, 100, bits=8) - w)
    step = np.repeat(np.abs(scales), 32, axis=1)[:, :100]
    assert np.all(err <= step / 2 + 1e-6)


def test_int8_holds_accuracy_at_trained_scale(tmp_path: Path) -> None:
    """Weights rescaled to trained statistics (heavy tails, uneven channels, LayerNorm gains with outlier channels:
    per-tensor dynamic int8 fell to cosine 0.87 here): the int8 graph holds CPU_MIN_COSINE vs torch fp32 on
    held-out images the export never saw, and is the bundle's default."""
    ckpt = write_synthetic_checkpoint(TINY, tmp_path / "ckpt", parts=("vision",))
    trained_scale(ckpt)
    req = ExportRequest(preset=TINY, out=tmp_path / "b", shapes=(280,), parts=("vision",), checkpoint=ckpt)
    vision = export_bundle(req).vision
    graph = vision.cpu_encoders["int8"][280]
    assert vision.cpu_default == "int8" and graph.cosine_vs_torch_fp32 >= CPU_MIN_COSINE
    ops = [n.op_type for n in onnx.load(str(tmp_path / "b" / graph.file)).graph.node]
    assert ops.count("MatMulNBits") >= 10 and "Gather" in ops  # int8 linears, fp32 outlier channels beside them
    eager = StaticVisionEncoder(load_vision_encoder(open_checkpoint(ckpt), TINY), 280).eval()
    session = ort.InferenceSession(str(tmp_path / "b" / graph.file), providers=["CPUExecutionProvider"])
    for path in sorted((CALIBRATION_DATA / "heldout").iterdir())[:3]:
        pixels = square_input(load_image(path), 280)
        with torch.no_grad():
            want = eager(torch.from_numpy(pixels)).numpy()
        assert cosine(want, session.run(None, {"pixel_values": pixels})[0]) >= CPU_MIN_COSINE, path.name


def test_fastest_accurate_cpu() -> None:
    assert fastest_accurate_cpu({"int8": [0.999, 0.998], "fp32": [1.0, 1.0]}) == "int8"
    assert fastest_accurate_cpu({"int8": [0.999, 0.99], "fp32": [1.0, 1.0]}) == "fp32"  # every size must hold
    assert fastest_accurate_cpu({"int8": [0.999, None], "fp32": [0.9, 1.0]}) is None
    assert fastest_accurate_cpu({}) is None


def test_runtime_default_follows_recorded_cosines(tmp_path: Path, tiny_bundle: Path) -> None:
    """`run` without --precision: int8 where its graphs held the bar, ORT-fused fp32 where only it did, the
    plain static graph otherwise; the session says which ran."""
    bundle = Bundle.open(tiny_bundle)
    assert default_cpu_precision(bundle) == "int8" == open_encoder(bundle).precision
    copy = shutil.copytree(tiny_bundle, tmp_path / "b")
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["vision"]["cpu_encoders"]["int8"].values():
        entry["cosine_vs_torch_fp32"] = 0.99
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert open_encoder(Bundle.open(copy, verify=False)).precision == "fp32"
    no_cpu_graphs = dataclasses.replace(bundle.manifest.vision, cpu_encoders={})
    bare = dataclasses.replace(bundle, manifest=dataclasses.replace(bundle.manifest, vision=no_cpu_graphs))
    assert default_cpu_precision(bare) == "plain"
