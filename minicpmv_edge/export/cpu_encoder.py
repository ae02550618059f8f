"""CPU-only encoder graphs: what `--encoder cpu` runs when a bundle has them. NPU compilers never see these.

The plain static graphs (`vision/encoder_<S>.onnx`) are kept exactly as NPU compilers take them. Beside them:

- `fp32`: the traced graph (before onnxslim, whose MatMul+Add -> Gemm rewrite hides the patterns) through ONNX
  Runtime's transformer optimizer: Add+LayerNormalization -> SkipLayerNormalization, MatMul+Add+Gelu -> BiasGelu
  (FastGelu for the tanh flavour). Attention is not fused: torch's scaled_dot_product_attention exports as
  sqrt-scaled q and k, a pattern the optimizer's attention fusion does not match.
- `int8`: that graph with each weight MatMul as ONNX Runtime's MatMulNBits, 8-bit: weights symmetric per block
  of `block_size` input features, activations quantized to int8 per block at run time (`accuracy_level` 4: MLAS's
  VNNI / dot-product kernels). Two measured sensitivities decide the rest (benchmarks/README.md, "CPU int8"):
  input channels whose calibrated range is far above the others' (the outlier channels trained ViTs' LayerNorm
  gains make) skip the int8 path and go through a small fp32 MatMul beside it (LLM.int8()'s decomposition), since
  one such channel would set its whole block's activation scale and amplify its weights' rounding; and the first
  transformer blocks, whose residual stream is still small, stay fp32. Per-tensor dynamic activations
  (DynamicQuantizeMatMul) were faster but fell to held-out cosine 0.86 at trained-scale statistics.
  `int8_graph` tries `INT8_LADDER` fastest first and keeps the first rung whose cosine on the export images (see below)
  reaches `INT8_TARGET`; the rung taken is the manifest's recipe.
- bf16: not offered; ONNX Runtime 1.32's CPU provider has no bf16 MatMul kernel (benchmarks/README.md).

Each graph's cosine against the torch fp32 reference goes into the manifest: the minimum over the export's parity
inputs (a photo, noise) and `pipeline.CPU_GATE_IMAGES` calibration images (never the held-out ones), which are also
what the int8 ladder is gated and its outlier channels are calibrated on.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from minicpmv_edge.export.blockquant import quantize_blocks
from minicpmv_edge.export.lazy_slim import initializer_bytes, save_with_weights
from minicpmv_edge.export.parity import Parity, compare_onnx
from minicpmv_edge.numerics import meets
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

FP32_RECIPE = "traced graph + onnxruntime.transformers optimizer (SkipLayerNormalization, BiasGelu/FastGelu)"
EXTERNAL_BYTES = 512 * 1024**2  # graphs above this keep their weights in `<name>.data`
INT8_TARGET = 0.997  # export-image cosine an int8 rung must reach: margin for images the export never saw
_BLOCK = re.compile(r"/blocks\.(\d+)/")  # transformer block index in the traced graph's node names


@dataclass(frozen=True)
class Int8Recipe:
    """One way to build the int8 graph (see the module docstring)."""

    block_size: int  # MatMulNBits block along K, for weights and run-time activations
    fp32_blocks: int  # leading transformer blocks kept fp32
    outlier_ratio: float = 6.0  # input channels above this many times the median channel's absmax stay fp32

    def describe(self) -> str:
        return (
            f"fp32 CPU graph, weight MatMuls -> MatMulNBits 8-bit, block {self.block_size}, accuracy_level 4 "
            f"(int8 activations per block); input channels > {self.outlier_ratio:g}x the median calibrated absmax "
            f"in an fp32 side MatMul; first {self.fp32_blocks} transformer block(s) fp32"
        )


# fastest first (benchmarks/README.md, "CPU int8"): block 128 ran 1.2-1.5x faster than block 32, less accurate
INT8_LADDER = (Int8Recipe(128, 1), Int8Recipe(32, 1), Int8Recipe(32, 2), Int8Recipe(32, 4))


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


def int8_graph(
    fp32: Path, out: Path, inputs: dict[str, np.ndarray], expected: dict[str, np.ndarray]
) -> tuple[Int8Recipe, Parity]:
    """The int8 CPU graph of `fp32` -> `out`: the first `INT8_LADDER` rung whose cosine vs `expected` (torch fp32
    on `inputs`) reaches `INT8_TARGET`, else the last (most accurate) rung. -> (rung, its parity)."""
    absmax = input_absmax(fp32, inputs)
    for recipe in INT8_LADDER:
        blockwise_int8(fp32, out, recipe, absmax)
        parity = compare_onnx(out, inputs, expected)
        log.info(
            "int8 rung (block %d, %d fp32 blocks): cosine %.5f", recipe.block_size, recipe.fp32_blocks, parity.cosine
        )
        if meets(parity.cosine, INT8_TARGET):
            break
    return recipe, parity


def _weight_matmuls(model: onnx.ModelProto) -> Iterator[tuple[onnx.NodeProto, onnx.TensorProto]]:
    """MatMuls whose B is a 2-D constant weight (no tiny ones), with that weight's initializer."""
    inits = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "MatMul" and not node.domain and node.input[1] in inits:
            proto = inits[node.input[1]]
            if len(proto.dims) == 2 and min(proto.dims) >= 16:
                yield node, proto


def input_absmax(fp32: Path, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per input channel, the largest |value| each weight MatMul's input takes over `inputs` (its calibration).

    The graph is rerun with those inputs as extra outputs, one image at a time (a full-size 448 run returns
    ~0.8 GB of them)."""
    import onnxruntime as ort

    model = onnx.load(str(fp32), load_external_data=False)
    names = sorted({node.input[0] for node, _ in _weight_matmuls(model)})
    model.graph.output.extend(onnx.helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None) for n in names)
    probe = fp32.with_name(f"{fp32.stem}.calibration.onnx")  # beside `fp32`, so its external data resolves
    onnx.save_model(model, str(probe))
    try:
        session = ort.InferenceSession(str(probe), providers=["CPUExecutionProvider"])
        found: dict[str, np.ndarray] = {}
        for pixels in inputs.values():
            for name, value in zip(names, session.run(names, {session.get_inputs()[0].name: pixels}), strict=True):
                channel = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
                found[name] = np.maximum(found[name], channel) if name in found else channel
        del session
    finally:
        probe.unlink()
    return found


def blockwise_int8(fp32: Path, out: Path, recipe: Int8Recipe, absmax: dict[str, np.ndarray]) -> Path:
    """`fp32` with its weight MatMuls as 8-bit MatMulNBits per `recipe` -> `out`; `absmax` from `input_absmax`.

    A MatMul with outlier input channels J becomes MatMulNBits(x * mask, W with rows J zeroed) + x[..., J] @ W[J]
    (fp32). Weights are read, quantized and written one at a time.
    """
    log.info("quantizing the CPU int8 encoder (%s, block %d)", out.name, recipe.block_size)
    model = onnx.load(str(fp32), load_external_data=False)
    matmuls = {node.output[0]: proto for node, proto in _weight_matmuls(model)}  # by output: SSA-unique
    nodes: list[onnx.NodeProto] = []
    new_inits: list[onnx.TensorProto] = []
    make = onnx.helper.make_node
    for node in model.graph.node:
        block = _BLOCK.search(node.name)
        if node.output[0] not in matmuls or (block and int(block.group(1)) < recipe.fp32_blocks):
            nodes.append(node)
            continue
        w = _tensor(matmuls[node.output[0]], fp32.parent)  # [K, N]
        k, n = w.shape
        x, y, p = node.input[0], node.output[0], node.name
        channels = absmax[x]
        outliers = np.flatnonzero(channels > recipe.outlier_ratio * np.median(channels))
        main_x, main_y = x, y
        if outliers.size:
            mask = np.ones(k, np.float32)
            mask[outliers] = 0.0
            new_inits += [
                numpy_helper.from_array(mask, f"{p}.inlier_mask"),
                numpy_helper.from_array(outliers.astype(np.int64), f"{p}.outlier_channels"),
                numpy_helper.from_array(w[outliers], f"{p}.outlier_weight"),
            ]
            main_x, main_y = f"{p}.inliers", f"{p}.int8_out"
            nodes += [
                make("Mul", [x, f"{p}.inlier_mask"], [main_x], name=f"{p}.mask"),
                make("Gather", [x, f"{p}.outlier_channels"], [f"{p}.outliers"], name=f"{p}.gather", axis=-1),
                make("MatMul", [f"{p}.outliers", f"{p}.outlier_weight"], [f"{p}.fp32_out"], name=f"{p}.fp32"),
            ]
            w = w * mask[:, None]
        packed, scales = quantize_blocks(w.T, recipe.block_size, bits=8)
        new_inits += [numpy_helper.from_array(packed, f"{p}.q8"), numpy_helper.from_array(scales, f"{p}.scales")]
        nodes.append(
            make(
                "MatMulNBits",
                [main_x, f"{p}.q8", f"{p}.scales"],
                [main_y],
                name=p,
                domain="com.microsoft",
                K=k,
                N=n,
                bits=8,
                block_size=recipe.block_size,
                accuracy_level=4,
            )
        )
        if outliers.size:
            nodes.append(make("Add", [main_y, f"{p}.fp32_out"], [y], name=f"{p}.add_outliers"))
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    used = {name for node in model.graph.node for name in node.input}
    kept = [t for t in model.graph.initializer if t.name in used]
    for t in kept:  # the unquantized rest (fp32 blocks, norms, biases, positions) inline, read from fp32's data file
        if t.data_location == onnx.TensorProto.EXTERNAL:
            array = _tensor(t, fp32.parent)
            t.CopyFrom(numpy_helper.from_array(array, t.name))
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept + new_inits)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f"{out.name}*"):  # an earlier rung's graph and data
        stale.unlink()
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
