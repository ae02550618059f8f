"""CPU-only encoder graphs: what `--encoder cpu` runs when a bundle has them. NPU compilers never see these.

The plain static graphs (`vision/encoder_<S>.onnx`) are kept exactly as NPU compilers take them. Beside them:

- `fp32`: the traced graph (before onnxslim, whose MatMul+Add -> Gemm rewrite hides the patterns) through ONNX
  Runtime's transformer optimizer: Add+LayerNormalization -> SkipLayerNormalization, MatMul+Add+Gelu -> BiasGelu
  (FastGelu for the tanh flavour). Attention is not fused: torch's scaled_dot_product_attention exports as
  sqrt-scaled q and k, a pattern the optimizer's attention fusion does not match.
- `int8`: that graph with each weight MatMul as ONNX Runtime's DynamicQuantizeMatMul: weights int8 per output
  channel (symmetric), activations quantized per tensor at run time (VNNI or dot-product kernels). Written here,
  one weight at a time, rather than with `onnxruntime.quantization.quantize_dynamic`, which holds the whole fp32
  model and its shape-inferred copies (with the optimizer, a full-size export child reached 14.6 GB).
  Static activation quantization (calibration per shape) is not built.
- bf16: not offered; ONNX Runtime 1.32's CPU provider has no bf16 MatMul kernels on x86.

Each graph's cosine against the torch fp32 reference on the export's parity inputs goes into the manifest.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from minicpmv_edge.export.lazy_slim import initializer_bytes, save_with_weights
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

CPU_PRECISIONS = ("fp32", "int8")
CPU_RECIPES = {
    "fp32": "traced graph + onnxruntime.transformers optimizer (SkipLayerNormalization, BiasGelu/FastGelu)",
    "int8": "fp32 CPU graph, MatMul -> DynamicQuantizeMatMul: int8 weights per channel, dynamic activations",
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


def fused_fp32(raw: Path, preset: ModelPreset, out: Path) -> Path:
    """The traced graph `raw` (weights as external data) with ONNX Runtime's transformer fusions -> `out`.

    The optimizer sees the graph without its weights (its fusions match node patterns and read only small inline
    constants), and the weights are copied from `raw`'s data file one at a time, so a full-size encoder's 1.6 GB
    of weights is never in memory.
    """
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    v = preset.vision
    log.info("fusing the CPU fp32 encoder (%s)", out.name)
    # the few values a fusion reads come from `raw`'s data file, which onnx finds relative to the working directory
    with contextlib.chdir(raw.parent):
        optimized = optimize_model(
            onnx.load(str(raw), load_external_data=False),
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
    out.parent.mkdir(parents=True, exist_ok=True)
    save_with_weights(model, raw.parent, out, external=initializer_bytes(model) > EXTERNAL_BYTES)
    return out


def _quantize_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`w` float32 `[K, N]` (MatMul's B) -> int8 codes `[K, N]` and float32 scales `[N]`: symmetric, per column
    (= per output channel), scale = column absmax / 127."""
    scales = (np.abs(w).max(axis=0) / 127.0).astype(np.float32)
    inv = np.divide(1.0, scales, out=np.zeros_like(scales), where=scales != 0)
    return np.clip(np.rint(w * inv), -127, 127).astype(np.int8), scales


def dynamic_int8(fp32: Path, out: Path) -> Path:
    """`fp32` with every MatMul on a constant weight as DynamicQuantizeMatMul -> `out`.

    Weights int8 per output channel (symmetric), activations quantized per tensor at run time by the op (uint8,
    asymmetric), the VNNI / dot-product path of ONNX Runtime's CPU provider. Weights are read, quantized and
    written one at a time.
    """
    log.info("quantizing the CPU int8 encoder (%s)", out.name)
    model = onnx.load(str(fp32), load_external_data=False)
    inits = {t.name: t for t in model.graph.initializer}
    quantized: dict[str, tuple[str, str]] = {}
    new_inits: list[onnx.TensorProto] = []
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.domain or node.input[1] not in inits:
            continue
        proto = inits[node.input[1]]
        if len(proto.dims) != 2 or min(proto.dims) < 16:
            continue
        if proto.name not in quantized:
            w = _tensor(proto, fp32.parent)
            codes, scales = _quantize_columns(w)
            names = (f"{proto.name}_int8", f"{proto.name}_scale")
            new_inits += [numpy_helper.from_array(codes, names[0]), numpy_helper.from_array(scales, names[1])]
            quantized[proto.name] = names
        codes_name, scale_name = quantized[proto.name]
        node.op_type, node.domain = "DynamicQuantizeMatMul", "com.microsoft"
        node.input[:] = [node.input[0], codes_name, scale_name]
    used = {name for node in model.graph.node for name in node.input}
    kept = [t for t in model.graph.initializer if t.name in used]
    for t in kept:  # the unquantized rest (norms, biases, positions) inline, read from fp32's data file
        if t.data_location == onnx.TensorProto.EXTERNAL:
            array = _tensor(t, fp32.parent)
            t.CopyFrom(numpy_helper.from_array(array, t.name))
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept + new_inits)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(
        model,
        str(out),
        save_as_external_data=initializer_bytes(model) > EXTERNAL_BYTES,
        all_tensors_to_one_file=True,
        location=f"{out.name}.data",
        size_threshold=1024,
    )
    return out


def _tensor(proto: onnx.TensorProto, folder: Path) -> np.ndarray:
    """An initializer's values, reading external data relative to `folder`."""
    if proto.data_location != onnx.TensorProto.EXTERNAL:
        return numpy_helper.to_array(proto)
    copy = onnx.TensorProto()
    copy.CopyFrom(proto)
    onnx.external_data_helper.load_external_data_for_tensor(copy, str(folder))
    return numpy_helper.to_array(copy)
