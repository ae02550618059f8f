"""FLOPs and weight bytes of an ONNX graph, read from its static shapes (for estimates and roofline ratios)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import onnx
from onnx import shape_inference


@dataclass(frozen=True)
class GraphCost:
    flops: float  # multiply-adds counted as 2 FLOPs; MatMul, Gemm and Conv only (they dominate a ViT)
    weight_bytes: int  # initializers as stored

    @property
    def gflops(self) -> float:
        return self.flops / 1e9


def _shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for v in [*inferred.graph.input, *inferred.graph.output, *inferred.graph.value_info]:
        shapes[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    return shapes


def graph_cost(path: str | Path) -> GraphCost:
    """Count the graph's FLOPs for one run. Loads no external weight data, so it is cheap on full-size models."""
    model = onnx.load(str(path), load_external_data=False)
    shapes = _shapes(model)
    flops = 0.0
    for node in model.graph.node:
        out = shapes.get(node.output[0])
        if not out:
            continue
        if node.op_type == "MatMul":
            flops += 2 * math.prod(out) * shapes[node.input[0]][-1]
        elif node.op_type == "Gemm":
            a = shapes[node.input[0]]
            trans_a = next((att.i for att in node.attribute if att.name == "transA"), 0)
            flops += 2 * math.prod(out) * (a[0] if trans_a else a[-1])
        elif node.op_type == "Conv":
            w = shapes[node.input[1]]  # [Cout, Cin/group, kh, kw]
            flops += 2 * math.prod(out) * math.prod(w[1:])
    weight_bytes = sum(
        math.prod(init.dims) * onnx.helper.tensor_dtype_to_np_dtype(init.data_type).itemsize
        for init in model.graph.initializer
    )
    return GraphCost(flops=flops, weight_bytes=weight_bytes)
