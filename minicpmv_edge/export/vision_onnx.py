"""Vision encoder -> static ONNX at one square shape: trace, simplify, check static, save."""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import onnx
import onnxslim
import torch

from minicpmv_edge.export.static_encoder import StaticVisionEncoder
from minicpmv_edge.export.static_graph import require_static
from minicpmv_edge.model.encoder import VisionEncoder
from minicpmv_edge.presets import ENCODER_INPUT, ENCODER_OUTPUT

log = logging.getLogger(__name__)

OPSET = 17  # LayerNormalization is native from 17; QNN's 16-bit quantizer upgrades to 21 itself
INPUT_NAME = ENCODER_INPUT
OUTPUT_NAME = ENCODER_OUTPUT
EXTERNAL_DATA_BYTES = 512 * 1024**2  # above this, weights go to `<name>.onnx.data` beside the graph


def _initializer_bytes(model: onnx.ModelProto) -> int:
    total = 0
    for init in model.graph.initializer:
        count = 1
        for d in init.dims:
            count *= d
        total += count * onnx.helper.tensor_dtype_to_np_dtype(init.data_type).itemsize
    return total


def trace_vision_onnx(encoder: VisionEncoder, size: int, raw_path: Path) -> Path:
    """Trace the encoder at static `[1,3,size,size]` -> `[1,Q,D]` to an unsimplified ONNX file."""
    wrapper = StaticVisionEncoder(encoder, size).eval()
    log.info("tracing the %dx%d encoder to ONNX (opset %d)", size, size, OPSET)
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter is deprecated in favour of dynamo, which needs onnxscript and adds nothing for a
        # static graph; silence its notice, not other warnings
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*dynamo=True.*")
        torch.onnx.export(
            wrapper,
            (torch.zeros(1, 3, size, size),),
            str(raw_path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            opset_version=OPSET,
            dynamo=False,
            do_constant_folding=True,
        )
    return raw_path


def simplify_and_save(raw_path: Path, out_path: Path, what: str) -> Path:
    """onnxslim the traced graph, prove it static, and save it (weights as external data when large).

    Runs without the torch model in memory: slimming a full-size encoder holds several copies of the weights.
    """
    log.info("simplifying %s with onnxslim", what)
    model = onnxslim.slim(onnx.load(str(raw_path)))
    model.producer_name = "minicpmv-edge"
    require_static(model, what)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    large = _initializer_bytes(model) > EXTERNAL_DATA_BYTES
    onnx.save_model(
        model,
        str(out_path),
        save_as_external_data=large,
        all_tensors_to_one_file=True,
        location=f"{out_path.name}.data",
        size_threshold=1024,
    )
    log.info("wrote %s%s", out_path.name, " (+ external data)" if large else "")
    return out_path


def export_vision_onnx(encoder: VisionEncoder, size: int, out_path: Path) -> Path:
    """Trace + simplify in one go, for callers that keep the encoder anyway (tests, small presets)."""
    with tempfile.TemporaryDirectory(prefix="minicpmv-edge-export-") as work:
        raw = trace_vision_onnx(encoder, size, Path(work) / "raw.onnx")
        return simplify_and_save(raw, out_path, f"the {size}x{size} encoder")
