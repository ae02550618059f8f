"""Checks that an ONNX graph is fully static, as NPU compilers (QNN, Pulsar2, TVM) require."""

from __future__ import annotations

import onnx
from onnx import shape_inference

from minicpmv_edge.errors import EdgeError

DYNAMIC_OPS = frozenset({"Shape", "Size", "Range", "NonZero", "Loop", "If", "Scan"})
# ops whose output shape comes from an input tensor: that input must be a constant
SHAPE_INPUTS = {"Expand": 1, "Reshape": 1, "Tile": 1, "ConstantOfShape": 0, "Slice": 1, "Resize": 3}


def _dims(value: onnx.ValueInfoProto) -> list[int | str]:
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in value.type.tensor_type.shape.dim]


def static_problems(model: onnx.ModelProto) -> list[str]:
    """Every way the graph is not static: dynamic ops, computed shape inputs, non-static tensor shapes.

    Works on a model loaded without its external data (shape inference only needs initializer dims).
    """
    graph = model.graph
    constants = {init.name for init in graph.initializer}
    constants |= {out for node in graph.node if node.op_type == "Constant" for out in node.output}
    problems = [f"{node.op_type} node {node.name or '?'}" for node in graph.node if node.op_type in DYNAMIC_OPS]
    for node in graph.node:
        idx = SHAPE_INPUTS.get(node.op_type)
        if idx is not None and len(node.input) > idx and node.input[idx] and node.input[idx] not in constants:
            if node.op_type == "Slice":  # Slice starts/ends/axes/steps must all be constant
                computed = [name for name in node.input[1:] if name and name not in constants]
                if not computed:
                    continue
            problems.append(f"{node.op_type} node {node.name or '?'} takes a computed shape")
    inferred = shape_inference.infer_shapes(model, strict_mode=False)
    for value in [*inferred.graph.input, *inferred.graph.output, *inferred.graph.value_info]:
        dims = _dims(value)
        if not dims and value.type.tensor_type.HasField("shape"):
            continue  # scalar
        if not all(isinstance(d, int) and d > 0 for d in dims):
            problems.append(f"tensor {value.name} has non-static shape {dims}")
    return problems


def require_static(model: onnx.ModelProto, what: str) -> None:
    problems = static_problems(model)
    if problems:
        raise EdgeError(f"{what} is not a static graph: {'; '.join(problems[:5])}")
