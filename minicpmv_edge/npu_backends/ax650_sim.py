"""Host-side emulation of the AX650N quantization a Pulsar2 build config asks for (ONNX Runtime QDQ, CPU).

Pulsar2 is not installable here, so the accuracy a `u16`/`u8` build will have is estimated by fake-quantizing the
same ONNX with the same calibration method (MinMax) and the same calibration tensors, then comparing it with the
fp32 graph on held-out images. The emulation follows what the config states: the activation data type of every
layer (a layer's `data_type` taken as the type of its output tensor; inputs follow their producers), S8 symmetric
per-channel weights (Pulsar2's default `weight_data_type` is S8), float biases (`conv_bias_data_type: FP32`) and
float LayerNormalization scale/bias (`ln_scale_data_type` defaults to FP32).
What it does not model: SmoothQuant, `transformer_opt_level` rewrites, Pulsar2's own scale refinement (the config
disables it), and the NPU's fixed-point kernels (LUT activations, requantization rounding). Figures are labelled
`emulated`; Pulsar2's own precision analysis (build_<S>/quant/) and the board are the real checks.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

from minicpmv_edge import logs
from minicpmv_edge.npu_backends.accuracy import heldout_accuracy
from minicpmv_edge.npu_backends.calibration import TensorReader

log = logging.getLogger(__name__)

ACTIVATION_TYPES = {"U16": QuantType.QUInt16, "U8": QuantType.QUInt8}
# not handed to the QDQ quantizer as nodes (their tensors are still quantized by neighbours): ORT would quantize
# LayerNormalization's scale as an 8-bit weight, Pulsar2 keeps it FP32
FLOAT_PARAM_OPS = frozenset({"LayerNormalization"})


@dataclass(frozen=True)
class Emulation:
    """The quantization to emulate: a default activation type plus op types whose outputs stay U16."""

    activations: str  # "U16" | "U8" (Pulsar2 data_type names)
    u16_op_types: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        acts = f"{self.activations.lower()} activations"
        if self.u16_op_types and self.activations != "U16":
            acts += f" ({'/'.join(self.u16_op_types)} outputs u16)"
        return f"onnxruntime QDQ {acts} / s8 symmetric per-channel weights / fp32 bias + LN scale, MinMax"


@dataclass(frozen=True)
class SimResult:
    simulated_cosine: float  # worst held-out image: the figure thresholds apply to
    simulated_cosine_mean: float
    max_abs: float  # over all held-out images
    heldout_images: int
    calibration_images: int
    method: str
    provenance: str = "emulated"

    def as_dict(self) -> dict:
        return asdict(self)


def _overrides(model: onnx.ModelProto, emulation: Emulation) -> dict[str, list[dict]]:
    if emulation.activations == "U16" or not emulation.u16_op_types:
        return {}
    return {
        out: [{"quant_type": QuantType.QUInt16}]
        for node in model.graph.node
        if node.op_type in emulation.u16_op_types
        for out in node.output
    }


def quantize_qdq(
    fp32_path: Path, out_path: Path, input_name: str, calibration: list[np.ndarray], emulation: Emulation
) -> Path:
    """Write the fake-quantized (QDQ) twin of `fp32_path`; every float tensor gets a Q/DQ pair."""
    graph = onnx.load(str(fp32_path), load_external_data=False)
    # every op: Pulsar2 quantizes every layer's activations
    op_types = sorted({n.op_type for n in graph.graph.node} - FLOAT_PARAM_OPS)
    with logs.dropping(logs.from_onnxruntime):
        _quantize(fp32_path, out_path, input_name, calibration, emulation, graph, op_types)
    return out_path


def _quantize(
    fp32_path: Path,
    out_path: Path,
    input_name: str,
    calibration: list[np.ndarray],
    emulation: Emulation,
    graph: onnx.ModelProto,
    op_types: list[str],
) -> None:
    quantize_static(
        str(fp32_path),
        str(out_path),
        TensorReader(input_name, calibration),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=op_types,
        per_channel=True,
        activation_type=ACTIVATION_TYPES[emulation.activations],
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
        use_external_data_format=fp32_path.with_name(fp32_path.name + ".data").exists(),
        extra_options={
            "WeightSymmetric": True,
            "ActivationSymmetric": False,
            "QuantizeBias": False,  # conv_bias_data_type FP32
            "ForceQuantizeNoInputCheck": True,  # Reshape/Transpose after a float-param op still get Q/DQ
            "TensorQuantOverrides": _overrides(graph, emulation),
        },
    )


def simulate(
    fp32_path: Path,
    input_name: str,
    emulation: Emulation,
    calibration: list[np.ndarray],
    heldout: list[np.ndarray],
    threads: int | None = None,
) -> SimResult:
    """Calibrate (MinMax) on `calibration`, then score the emulated model against fp32 on `heldout`."""
    with tempfile.TemporaryDirectory(prefix="minicpmv-edge-ax650-sim-") as work:
        qdq = Path(work) / f"qdq_{fp32_path.name}"
        log.info("emulating %s on %d calibration tensors", emulation.method, len(calibration))
        quantize_qdq(fp32_path, qdq, input_name, calibration, emulation)
        log.info("scoring the emulated model on %d held-out images", len(heldout))
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        emulated = ort.InferenceSession(str(qdq), opts, providers=["CPUExecutionProvider"])
        acc = heldout_accuracy(
            fp32_path,
            heldout,
            lambda _, x: emulated.run(None, {input_name: x})[0],
            provenance="emulated",
            what=f"emulated {emulation.activations} {fp32_path.name}",
            threads=threads,
            input_name=input_name,
        )
    return SimResult(
        simulated_cosine=acc.cosine,
        simulated_cosine_mean=acc.cosine_mean,
        max_abs=acc.max_abs,
        heldout_images=len(heldout),
        calibration_images=len(calibration),
        method=emulation.method,
    )
