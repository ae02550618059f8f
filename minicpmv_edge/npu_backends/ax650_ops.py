"""AX650 NPU operator list and attribute limits, checked before a graph is handed to Pulsar2.

Pulsar2 rejects an unsupported op after minutes of work, with a message about its own IR; checking here fails in
seconds with the ONNX node name, its op and the rule. Source: Pulsar2 docs, `appendix/op_support_list_ax650.md`
(AXERA-TECH/pulsar2-docs-en dc04ebd, "NPU Operators support list (AX650)", which also covers M76H). "Not supported
yet" and "Only supports" entries in that table are enforced as written; "Unlimited" attributes are not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import onnx
from onnx import TensorProto, helper, shape_inference

from minicpmv_edge.errors import EdgeError

MIN_OPSET = 11  # "Supported ONNX opset_version >= 11"

# every op in the AX650 table (standard ONNX names; the table's "Topk" is ONNX TopK). InverseSigmoid and
# SpatialTransformer are Axera ops with no standard ONNX definition: listed because the table lists them.
ALLOWED_OPS: frozenset[str] = frozenset(
    {
        "Abs", "Add", "And", "ArgMax", "ArgMin", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Clip",
        "Concat", "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "Cos", "DepthToSpace", "Div", "Elu",
        "Equal", "Erf", "Exp", "Expand", "Flatten", "Floor", "Gather", "GatherElements", "GatherND", "Gelu", "Gemm",
        "GlobalAveragePool", "GlobalMaxPool", "Greater", "GreaterOrEqual", "GridSample", "GroupNormalization",
        "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization", "InverseSigmoid", "LayerNormalization",
        "LeakyRelu", "Less", "LessOrEqual", "LpNormalization", "LSTM", "LogSoftmax", "MatMul", "Max", "MaxPool",
        "Min", "Mish", "Mul", "Not", "Pad", "Pow", "PRelu", "ReduceL2", "ReduceMax", "ReduceMean", "ReduceMin",
        "ReduceSum", "Relu", "Reshape", "Resize", "RMSNormalization", "RoiAlign", "RotaryEmbedding", "Round",
        "ScatterElements", "ScatterND", "Sigmoid", "Silu", "Sin", "Slice", "Softmax", "Softplus", "SpaceToDepth",
        "SpatialTransformer", "Split", "Sqrt", "Squeeze", "Sub", "Swish", "Tanh", "Tile", "TopK", "Transpose",
        "Unsqueeze", "Where", "Xor",
    }
)  # fmt: skip

# what to do instead, for ops that ViT exports commonly contain and the list lacks
HINTS = {
    "Shape": "shape arithmetic must be constant-folded (export static, run onnxslim)",
    "Range": "shape arithmetic must be constant-folded (export static, run onnxslim)",
    "Einsum": "rewrite it as Transpose/Reshape + MatMul",
    "Attention": "export attention as explicit MatMul + Softmax + MatMul",
    "MultiHeadAttention": "export attention as explicit MatMul + Softmax + MatMul",
    "Neg": "use Mul by -1 (or Sub from 0)",
    "Log": "no Log on the AX650 NPU; move it out of the graph",
    "Mod": "no Mod on the AX650 NPU; constant-fold it or move it out of the graph",
    "Reciprocal": "use Div",
}

CAST_TARGETS = {
    TensorProto.UINT8, TensorProto.INT8, TensorProto.UINT16, TensorProto.INT16,
    TensorProto.UINT32, TensorProto.INT32, TensorProto.FLOAT,
}  # fmt: skip
REDUCE_OPS = ("ReduceL2", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceSum")


@dataclass(frozen=True)
class Violation:
    node: str
    op: str
    rule: str

    def __str__(self) -> str:
        return f"node {self.node!r} ({self.op}): {self.rule}"


@dataclass(frozen=True)
class _Graph:
    """What the attribute rules need beyond the node: constants and inferred tensor ranks."""

    constants: dict[str, list[int]]  # name -> dims, for initializers and Constant outputs
    ranks: dict[str, int]


Rule = Callable[[onnx.NodeProto, _Graph], str | None]


def _attr(node: onnx.NodeProto, name: str, default: object = None) -> object:
    for a in node.attribute:
        if a.name == name:
            value = helper.get_attribute_value(a)
            return value.decode() if isinstance(value, bytes) else value
    return default


def _input(node: onnx.NodeProto, i: int) -> str:
    return node.input[i] if len(node.input) > i else ""


def _auto_pad(node: onnx.NodeProto, _: _Graph) -> str | None:
    pad = _attr(node, "auto_pad", "NOTSET")
    return None if pad == "NOTSET" else f"auto_pad must be NOTSET (explicit pads), got {pad}"


def _layer_norm(node: onnx.NodeProto, g: _Graph) -> str | None:
    axis = int(_attr(node, "axis", -1))
    rank = g.ranks.get(node.input[0])
    if axis == -1 or (rank is not None and axis == rank - 1):
        return None
    return f"axis must be -1 (the last dimension), got {axis}" + (f" on a rank-{rank} input" if rank else "")


def _gather(node: onnx.NodeProto, g: _Graph) -> str | None:
    rank = g.ranks.get(_input(node, 1))
    if rank == 1:
        return None
    return "indices must be 1-D, got " + (f"rank {rank}" if rank is not None else "an unknown rank")


def _pow(node: onnx.NodeProto, g: _Graph) -> str | None:
    dims = g.constants.get(_input(node, 1))
    if dims is None:
        return "the exponent must be a scalar initializer (no elementwise Pow), got a computed tensor"
    count = 1
    for d in dims:
        count *= d
    return None if count == 1 else f"the exponent must be a scalar initializer, got shape {dims}"


def _resize(node: onnx.NodeProto, _: _Graph) -> str | None:
    mode = _attr(node, "mode", "nearest")
    if mode not in ("nearest", "linear"):
        return f"mode must be nearest or linear, got {mode}"
    nearest_mode = _attr(node, "nearest_mode", "round_prefer_floor")
    if mode == "nearest" and nearest_mode != "round_prefer_ceil":
        return f"nearest mode needs nearest_mode round_prefer_ceil, got {nearest_mode}"
    return None


def _pad(node: onnx.NodeProto, _: _Graph) -> str | None:
    mode = _attr(node, "mode", "constant")
    if mode != "constant":
        return f"mode must be constant, got {mode}"
    return "the axes input is not supported yet" if _input(node, 3) else None


def _gemm(node: onnx.NodeProto, _: _Graph) -> str | None:
    alpha, beta = float(_attr(node, "alpha", 1.0)), float(_attr(node, "beta", 1.0))
    if alpha == 1.0 and beta == 1.0:
        return None
    return f"alpha and beta are not supported yet (must be 1), got alpha={alpha:g} beta={beta:g}"


def _cast(node: onnx.NodeProto, _: _Graph) -> str | None:
    to = int(_attr(node, "to", 0))
    if to in CAST_TARGETS:
        return None
    return f"cast to {TensorProto.DataType.Name(to)} is not supported (u8/i8/u16/i16/u32/i32/f32 only)"


def _equals(attr: str, allowed: object, default: object) -> Rule:
    def rule(node: onnx.NodeProto, _: _Graph) -> str | None:
        value = _attr(node, attr, default)
        return None if value == allowed else f"{attr} must be {allowed}, got {value}"

    return rule


def _absent(*attrs: str) -> Rule:
    def rule(node: onnx.NodeProto, _: _Graph) -> str | None:
        present = [a for a in attrs if _attr(node, a) is not None]
        return f"{', '.join(present)} not supported yet" if present else None

    return rule


def _all_ones(attr: str) -> Rule:
    def rule(node: onnx.NodeProto, _: _Graph) -> str | None:
        value = _attr(node, attr)
        return None if value is None or all(v == 1 for v in value) else f"{attr} must be 1, got {list(value)}"

    return rule


def _lp_norm(node: onnx.NodeProto, g: _Graph) -> str | None:
    axis, p = int(_attr(node, "axis", -1)), int(_attr(node, "p", 2))
    rank = g.ranks.get(node.input[0])
    if axis != -1 and not (rank is not None and axis == rank - 1):
        return f"axis must be -1 (the last dimension), got {axis}"
    return None if p in (1, 2) else f"p must be 1 or 2, got {p}"


def _lstm(node: onnx.NodeProto, g: _Graph) -> str | None:
    if int(_attr(node, "layout", 0)) != 0:
        return "layout must be 0"
    if problem := _absent("activation_alpha", "activation_beta", "activations", "clip", "input_forget")(node, g):
        return problem
    if _input(node, 4):
        return "sequence_lens is not supported"
    return "peepholes (P) are not supported yet" if _input(node, 7) else None


def _prelu(node: onnx.NodeProto, g: _Graph) -> str | None:
    slope = g.constants.get(_input(node, 1))
    if g.ranks.get(node.input[0]) != 4 or slope is None:
        return None
    if len(slope) == 1 or (len(slope) == 4 and slope[0] == slope[2] == slope[3] == 1):
        return None
    return f"with a 4-D input the slope must be (C,) or (1,C,1,1), got {slope}"


def _sequential(*rules: Rule) -> Rule:
    def rule(node: onnx.NodeProto, g: _Graph) -> str | None:
        return next((p for r in rules if (p := r(node, g))), None)

    return rule


RULES: dict[str, Rule] = {
    "ArgMax": _equals("select_last_index", 0, 0),
    "ArgMin": _equals("select_last_index", 0, 0),
    "AveragePool": _sequential(_auto_pad, _equals("count_include_pad", 1, 0)),
    "BatchNormalization": _equals("training_mode", 0, 0),  # momentum is ignored at inference
    "Cast": _cast,
    "Conv": _auto_pad,
    "ConvTranspose": _sequential(_auto_pad, _all_ones("dilations"), _absent("output_shape")),
    "DepthToSpace": _equals("mode", "DCR", "DCR"),
    "Gather": _gather,
    "Gemm": _gemm,
    "LayerNormalization": _layer_norm,
    "LpNormalization": _lp_norm,
    "LSTM": _lstm,
    "MaxPool": _sequential(_auto_pad, _all_ones("dilations"), _equals("storage_order", 0, 0)),
    "Pad": _pad,
    "Pow": _pow,
    "PRelu": _prelu,
    "Resize": _resize,
    "RoiAlign": lambda node, _: None if int(_attr(node, "sampling_ratio", 0)) != 0 else "sampling_ratio must not be 0",
    **{op: _equals("noop_with_empty_axes", 0, 0) for op in REDUCE_OPS},
}


def _graph_facts(model: onnx.ModelProto) -> _Graph:
    """Constants' dims and every tensor's rank (shape inference needs only initializer dims, not their data)."""
    graph = model.graph
    constants = {init.name: list(init.dims) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.output:
            value = _attr(node, "value")
            constants[node.output[0]] = list(value.dims) if isinstance(value, TensorProto) else []
    inferred = shape_inference.infer_shapes(model, strict_mode=False)
    ranks = {name: len(dims) for name, dims in constants.items()}
    for value in [*inferred.graph.input, *inferred.graph.output, *inferred.graph.value_info]:
        if value.type.tensor_type.HasField("shape"):
            ranks[value.name] = len(value.type.tensor_type.shape.dim)
    return _Graph(constants, ranks)


def opset(model: onnx.ModelProto) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def check_model(model: onnx.ModelProto) -> list[Violation]:
    """Every node the AX650 NPU cannot take, with the rule it breaks; [] when the graph is compilable.

    Works on a model loaded without its external data.
    """
    violations = []
    if (version := opset(model)) < MIN_OPSET:
        violations.append(Violation("<model>", "opset", f"ONNX opset must be >= {MIN_OPSET}, got {version}"))
    facts = _graph_facts(model)
    for i, node in enumerate(model.graph.node):
        name = node.name or f"#{i}"
        if node.domain not in ("", "ai.onnx"):
            violations.append(Violation(name, node.op_type, f"custom-domain op ({node.domain}) is not an AX650 op"))
        elif node.op_type not in ALLOWED_OPS:
            hint = HINTS.get(node.op_type)
            rule = "not in the AX650 NPU operator list" + (f"; {hint}" if hint else "")
            violations.append(Violation(name, node.op_type, rule))
        elif (rule := RULES.get(node.op_type)) and (problem := rule(node, facts)):
            violations.append(Violation(name, node.op_type, problem))
    return violations


def require_supported(model: onnx.ModelProto, what: str) -> None:
    """Raise a one-line EdgeError naming the first violations (node, op, rule)."""
    violations = check_model(model)
    if violations:
        more = f" (+{len(violations) - 3} more)" if len(violations) > 3 else ""
        listed = "; ".join(str(v) for v in violations[:3])
        raise EdgeError(f"{what} cannot be compiled for the AX650 NPU: {listed}{more}")
