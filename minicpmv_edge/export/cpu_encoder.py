"""CPU-only encoder graphs: what `--encoder cpu` runs when a bundle has them. NPU compilers never see these.

The plain static graphs (`vision/encoder_<S>.onnx`) are kept exactly as NPU compilers take them. Beside them:

- `fp32`: the traced graph (before onnxslim, whose MatMul+Add -> Gemm rewrite hides the patterns) through ONNX
  Runtime's transformer optimizer: Add+LayerNormalization -> SkipLayerNormalization, MatMul+Add+Gelu -> BiasGelu
  (FastGelu for the tanh flavour). Attention is not fused: torch's scaled_dot_product_attention exports as
  sqrt-scaled q and k, a pattern the optimizer's attention fusion does not match.
- `int8`: that graph with ONNX Runtime's dynamic quantization: weights int8 per output channel, activations
  quantized per tensor at run time (DynamicQuantizeMatMul / MatMulInteger, VNNI or dot-product kernels).
  Static activation quantization (calibration per shape) is not built.
- bf16: not offered; ONNX Runtime 1.32's CPU provider has no bf16 MatMul kernels on x86.

Each graph's cosine against the torch fp32 reference on the export's parity inputs goes into the manifest.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import onnx

from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

CPU_PRECISIONS = ("fp32", "int8")
CPU_RECIPES = {
    "fp32": "traced graph + onnxruntime.transformers optimizer (SkipLayerNormalization, BiasGelu/FastGelu)",
    "int8": "fp32 CPU graph + onnxruntime quantize_dynamic: MatMul weights int8 per channel, activations dynamic",
}
MIN_COSINE = 0.995  # a CPU graph below this against the torch reference is never the default
SPEED_ORDER = ("int8", "fp32")  # fastest first on CPUs with int8 dot products (VNNI, dot-product, i8mm)
EXTERNAL_BYTES = 512 * 1024**2  # graphs above this keep their weights in `<name>.data`


def default_cpu_precision(cpu: dict[str, dict[str, dict]]) -> str | None:
    """The fastest precision (by `SPEED_ORDER`, measured in benchmarks/encoder_ort_vs_torch.py) whose graphs all
    hold `MIN_COSINE`; `cpu` is the manifest's `precision -> size -> entry`. None: none holds it."""
    for precision in SPEED_ORDER:
        sizes = cpu.get(precision)
        if sizes and all(e["cosine_vs_torch_fp32"] >= MIN_COSINE for e in sizes.values()):
            return precision
    return None


def _save(model: onnx.ModelProto, out: Path, size_bytes: int) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    external = size_bytes > EXTERNAL_BYTES
    onnx.save_model(
        model,
        str(out),
        save_as_external_data=external,
        all_tensors_to_one_file=True,
        location=f"{out.name}.data",
        size_threshold=1024,
    )


def fused_fp32(raw: Path, preset: ModelPreset, out: Path) -> Path:
    """The traced graph `raw` with ONNX Runtime's transformer fusions -> `out` (same inputs and outputs)."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    v = preset.vision
    log.info("fusing the CPU fp32 encoder (%s)", out.name)
    optimized = optimize_model(
        str(raw),
        model_type="vit",
        num_heads=v.num_heads,
        hidden_size=v.hidden_size,
        optimization_options=FusionOptions("vit"),
        opt_level=0,  # the optimizer's Python fusions only; ORT's own are applied when a session opens
    )
    model = optimized.model
    model.producer_name = "minicpmv-edge"
    if not any(o.domain == "com.microsoft" for o in model.opset_import):  # the fused ops' domain
        model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    _save(model, out, raw.stat().st_size + sum(p.stat().st_size for p in raw.parent.glob(f"{raw.name}.data")))
    return out


def dynamic_int8(fp32: Path, out: Path) -> Path:
    """`fp32` with int8 per-channel weights and dynamically quantized activations -> `out`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantizing the CPU int8 encoder (%s)", out.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="minicpmv-edge-int8-") as work:
        staged = Path(work) / out.name
        quantize_dynamic(
            str(fp32),
            str(staged),
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
            use_external_data_format=False,
            # shape inference cannot type the outputs of the fused com.microsoft ops; everything here is float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        model = onnx.load(str(staged))
    model.producer_name = "minicpmv-edge"
    _save(model, out, model.ByteSize())
    return out
