"""Estimated device speed per chip, from what the bundle's graphs cost and what the chips are published to do.

Encode: FLOPs and weight bytes of each exported encoder (`graph_cost`), over an effective NPU throughput. Where a
device measurement of a comparable ViT on the same chip is published (AI Hub's ViT-B/16 on the Galaxy S24 / S25,
AXERA's ViT-B/16 on the AX650), the effective FLOP/s is taken from it: that anchors the estimate on a real
deployment instead of a marketing peak. Otherwise peak INT8 TOPS x an assumed utilisation, where a TOPS figure is
published; otherwise no estimate. The weights' trip through DRAM is a floor on top (roofline `max`).

Decode: a decoder step reads every int4 weight and its scales once, plus the KV cache so far, so a memory-bound
step takes `bytes per token / (bandwidth x efficiency)`. The bytes are counted from the bundle's decoder graph.

Every figure made here is labelled `estimated`, and every assumption goes into the report with its source.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from minicpmv_edge.bench import figures as F
from minicpmv_edge.bench.figures import Figure
from minicpmv_edge.bench.reference import (
    AIHUB_VIT_B16_S24,
    AIHUB_VIT_B16_S25,
    AXCL_VIT_B16_AX650,
    XIAOMI14PRO_PAPER_OPTIMIZED,
    ReferenceProfile,
)
from minicpmv_edge.export.request import DEFAULT_BLOCK_SIZE
from minicpmv_edge.npu_backends.chips import Chip
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

BANDWIDTH_EFFICIENCY = 0.5
BANDWIDTH_EFFICIENCY_SOURCE = (
    f"assumed. For scale: the MiniCPM-V paper's {XIAOMI14PRO_PAPER_OPTIMIZED.decode_tok_s} tok/s for "
    "MiniCPM-Llama3-V 2.5 Q4_K_M in llama.cpp (about 4.9 GB of GGUF weights, nearly all read per token) on the "
    "Xiaomi 14 Pro (76.8 GB/s) is about 0.5 of peak; our ONNX Runtime decoder is not llama.cpp"
)
NPU_UTILISATION = 0.3  # only for chips with a published TOPS figure and no published ViT measurement
NPU_UTILISATION_SOURCE = "assumed (attention, LayerNorm and softmax do not run at an NPU's peak)"
NPU_WEIGHT_BYTES_PER_PARAM = 1.0  # the NPU builds keep 8-bit weights (w8a16 / u16 activations)


def vit_flops(image: int, patch: int, width: int, depth: int, mlp: int, classes: int = 0, cls: bool = True) -> float:
    """FLOPs of a plain ViT counted like `graph_cost`: 2 per multiply-add, Conv / MatMul / Gemm only
    (patch embedding, QKV, both attention products, projection, MLP, classifier head)."""
    patches = (image // patch) ** 2
    tokens = patches + (1 if cls else 0)
    embed = 2 * patches * width * 3 * patch * patch
    per_layer = 2 * tokens * (4 * width * width + 2 * width * mlp) + 4 * tokens * tokens * width
    return float(embed + depth * per_layer + 2 * width * classes)


VIT_B16_224_FLOPS = vit_flops(224, 16, 768, 12, 3072, classes=1000)  # 35.1 GFLOP = the usual 17.6 GMACs


@dataclass(frozen=True)
class Anchor:
    """A published device measurement of a ViT that fixes a chip's effective NPU FLOP/s."""

    reference: ReferenceProfile
    flops: float
    caveat: str = ""

    @property
    def flops_per_s(self) -> float:
        return self.flops / float(self.reference.encode_s or math.inf)


ANCHORS: dict[str, Anchor] = {
    "sm8650": Anchor(AIHUB_VIT_B16_S24, VIT_B16_224_FLOPS),
    "sm8750": Anchor(AIHUB_VIT_B16_S25, VIT_B16_224_FLOPS),
    "ax650n": Anchor(
        AXCL_VIT_B16_AX650,
        VIT_B16_224_FLOPS,
        caveat="AXERA's own MiniCPM-V 2.0 vision encoder (U16 activations) takes 0.73-0.78 s at 280x280 on this "
        "chip (ax-llm logs); at the full-size encoder's 348.6 GFLOP (graph_cost, benchmarks/results) that is about "
        "0.48 TFLOP/s, some 12x below this anchor: expect estimates from it to be optimistic for U16 builds",
    ),
}


@dataclass(frozen=True)
class EncoderCost:
    shape: int
    flops: float
    weight_bytes: int  # as stored in the ONNX file (fp32)

    @property
    def params(self) -> float:
        return self.weight_bytes / 4


@dataclass(frozen=True)
class DecoderTraffic:
    """Bytes one decode step reads, from the decoder graph's initializers and the KV layout."""

    int4_weight_bytes: int
    scale_bytes: int  # MatMulNBits scales (and zero points, if any)
    other_bytes: int  # norm weights and other small tensors read whole
    embedding_row_bytes: int
    kv_bytes_per_position: int
    position: int  # mean KV length during the decode the estimate is for

    @property
    def weight_bytes(self) -> int:
        return self.int4_weight_bytes + self.scale_bytes + self.other_bytes + self.embedding_row_bytes

    @property
    def bytes_per_token(self) -> int:
        return self.weight_bytes + self.kv_bytes_per_position * self.position


def encoder_costs(bundle: Any) -> dict[int, EncoderCost]:
    from minicpmv_edge.bench.graph_cost import graph_cost

    out = {}
    for size in bundle.encoder_sizes():
        cost = graph_cost(bundle.encoder_file(size))
        out[size] = EncoderCost(size, cost.flops, cost.weight_bytes)
    return out


def decoder_traffic(bundle: Any, position: int) -> DecoderTraffic:
    """Count the int4 weights, scales and other initializers of `llm/decoder.onnx` (no weight data is loaded).
    Initializers read only by GroupQueryAttention (the RoPE cos/sin tables) are left out: a step reads one row."""
    import onnx

    llm = bundle.llm
    path = bundle.path(llm.path(llm.onnx))
    model = onnx.load(str(path), load_external_data=False)
    consumers: dict[str, list[tuple[str, int]]] = {}
    for node in model.graph.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node.op_type, i))
    int4 = scales = other = 0
    for init in model.graph.initializer:
        size = math.prod(init.dims) * onnx.helper.tensor_dtype_to_np_dtype(init.data_type).itemsize
        uses = consumers.get(init.name, [])
        if any(op == "MatMulNBits" and i == 1 for op, i in uses):
            int4 += size
        elif any(op == "MatMulNBits" and i >= 2 for op, i in uses):
            scales += size
        elif uses and all(op == "GroupQueryAttention" for op, _ in uses):
            continue
        else:
            other += size
    row = llm.hidden_size * (1 if llm.embedding.storage == "int8-per-row" else 2) + 4
    kv_item = 2 if llm.kv_cache.get("dtype") == "float16" else 4
    kv = 2 * llm.num_layers * llm.num_kv_heads * llm.head_dim * kv_item
    return DecoderTraffic(int4, scales, other, row, kv, position)


def _assumption(chip: str | None, name: str, value: Any, unit: str, source: str) -> dict[str, Any]:
    return {"chip": chip, "name": name, "value": value, "unit": unit, "source": source}


def npu_flops_per_s(chip: Chip) -> tuple[float | None, list[dict[str, Any]], str | None]:
    """Effective NPU FLOP/s for `chip`, the assumptions behind it, or None with the reason."""
    anchor = ANCHORS.get(chip.key)
    notes = []
    if chip.npu_tops_int8 is not None:
        notes.append(_assumption(chip.key, "NPU peak", chip.npu_tops_int8, "TOPS INT8", chip.source or "unknown"))
    if anchor is not None:
        ref = anchor.reference
        eff = anchor.flops_per_s
        notes.append(
            _assumption(
                chip.key,
                "effective NPU throughput",
                round(eff / 1e12, 3),
                "TFLOP/s",
                f"{ref.model} ({anchor.flops / 1e9:.1f} GFLOP) in {ref.encode_s * 1000:.2f} ms on {ref.device}: "
                f"{ref.source}. Assumes our encoder runs at the same FLOP/s as that ViT",
            )
        )
        if chip.npu_tops_int8:
            notes.append(
                _assumption(
                    chip.key,
                    "utilisation implied by that measurement",
                    round(eff / (chip.npu_tops_int8 * 1e12), 3),
                    "of peak",
                    "effective throughput / peak TOPS (1 TOPS = 1e12 ops, a multiply-add = 2 ops)",
                )
            )
        if anchor.caveat:
            notes.append(_assumption(chip.key, "caveat", "-", "", anchor.caveat))
        return eff, notes, None
    if chip.npu_tops_int8 is not None:
        notes.append(_assumption(chip.key, "NPU utilisation", NPU_UTILISATION, "of peak", NPU_UTILISATION_SOURCE))
        return chip.npu_tops_int8 * 1e12 * NPU_UTILISATION, notes, None
    return None, notes, "no published NPU TOPS figure and no published ViT measurement recorded for this chip"


@dataclass
class Estimates:
    figures: list[Figure]
    chips: list[dict[str, Any]]
    assumptions: list[dict[str, Any]]
    costs: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"chips": self.chips, "assumptions": self.assumptions, "costs": self.costs}


def estimate(
    encoders: dict[int, EncoderCost],
    decoder: DecoderTraffic | None,
    chips: list[Chip],
    *,
    preset: str,
    mode: str | None,
    shapes_per_image: list[int] | None,
) -> Estimates:
    """Estimated encode (per shape, and per image for `shapes_per_image`) and decode tok/s for each chip."""
    figures: list[Figure] = []
    rows: list[dict[str, Any]] = []
    assumptions = [
        _assumption(
            None,
            "NPU weight bytes",
            NPU_WEIGHT_BYTES_PER_PARAM,
            "bytes per parameter",
            "our NPU builds keep 8-bit weights (w8a16 on QNN, u16 activations with 8-bit weights on the AX650N)",
        ),
        _assumption(None, "DRAM bandwidth efficiency", BANDWIDTH_EFFICIENCY, "of peak", BANDWIDTH_EFFICIENCY_SOURCE),
    ]
    for chip in chips:
        row: dict[str, Any] = {"chip": chip.key, "name": chip.name, "encode_s": {}, "notes": []}
        common = {
            "group": "estimated",
            "provenance": F.ESTIMATED,
            "source": f"estimate: {chip.key}",
            "device": chip.name,
            "chip": chip.key,
            "model": preset,
            "stat": "estimate",
        }
        bw = chip.mem_bandwidth_gbs
        if bw is not None:
            assumptions.append(
                _assumption(chip.key, "DRAM bandwidth", bw, "GB/s", f"{chip.mem_desc}; {chip.source or 'unknown'}")
            )
        flops_s, notes, why_not = npu_flops_per_s(chip)
        assumptions += notes
        if flops_s is None:
            row["notes"].append(f"encode: skipped, {why_not}")
        else:
            for shape, cost in encoders.items():
                compute = cost.flops / flops_s
                memory = cost.params * NPU_WEIGHT_BYTES_PER_PARAM / (bw * 1e9 * BANDWIDTH_EFFICIENCY) if bw else 0.0
                seconds = max(compute, memory)
                row["encode_s"][str(shape)] = seconds
                bound = "weight traffic" if memory > compute else "compute"
                figures.append(
                    Figure(
                        stage="encode",
                        value=seconds,
                        shape=shape,
                        backend="NPU (estimate)",
                        note=f"{cost.flops / 1e9:.2f} GFLOP / {flops_s / 1e12:.2f} TFLOP/s effective"
                        + (f"; {bound}-bound" if bw else "; weight traffic not counted (no bandwidth figure)"),
                        **common,
                    )
                )
            if shapes_per_image and all(s in encoders for s in shapes_per_image):
                total = sum(row["encode_s"][str(s)] for s in shapes_per_image)
                figures.append(
                    Figure(
                        stage="encode_total",
                        value=total,
                        mode=mode,
                        backend="NPU (estimate)",
                        note=f"{len(shapes_per_image)} encoder input(s) per image, as in the host run",
                        **{**common, "model": preset},
                    )
                )
        if decoder is None:
            row["notes"].append("decode: skipped, the bundle has no LLM part")
        elif bw is None:
            row["notes"].append("decode: skipped, no published memory bandwidth for this chip")
        else:
            tok_s = bw * 1e9 * BANDWIDTH_EFFICIENCY / decoder.bytes_per_token
            row["decode_tok_s"] = tok_s
            figures.append(
                Figure(
                    stage="decode",
                    value=tok_s,
                    mode=mode,
                    backend="CPU int4 decoder (estimate)",
                    note=f"{decoder.bytes_per_token / 1e6:.1f} MB per token / ({bw} GB/s x {BANDWIDTH_EFFICIENCY}): "
                    "memory-bound upper limit, CPU compute could make it lower",
                    **common,
                )
            )
        rows.append(row)
    costs = {
        "encoders": {
            str(s): {"gflop": round(c.flops / 1e9, 4), "weight_bytes": c.weight_bytes, "params": int(c.params)}
            for s, c in encoders.items()
        },
        "decoder": None
        if decoder is None
        else {
            "int4_weight_bytes": decoder.int4_weight_bytes,
            "scale_bytes": decoder.scale_bytes,
            "other_bytes": decoder.other_bytes,
            "embedding_row_bytes": decoder.embedding_row_bytes,
            "kv_bytes_per_position": decoder.kv_bytes_per_position,
            "kv_position": decoder.position,
            "bytes_per_token": decoder.bytes_per_token,
        },
        "counting": "FLOPs: 2 per multiply-add of Conv / MatMul / Gemm (graph_cost); decode bytes: MatMulNBits "
        "weights + scales + other initializers + one embedding row + the KV cache up to the mean decode position",
    }
    return Estimates(figures, rows, assumptions, costs)


def preset_costs(preset: ModelPreset, sizes: list[int], position: int) -> tuple[dict[int, EncoderCost], DecoderTraffic]:
    """Encoder and decode-step costs of a full-size preset from its dimensions alone (no export needed), counted the
    way `graph_cost` and `decoder_traffic` count an exported bundle (2.0 at 280: 348.6 GFLOP, as graph_cost gives):
    SigLIP tower + resampler FLOPs with fp32 weights; int4 weights in the export's default blocks with fp32 scales, an
    int8 embedding row, the default fp16 KV cache. Used where no bundle of that size exists on this machine (the
    demo's full-size estimate)."""
    v, r, llm = preset.vision, preset.resampler, preset.llm
    encoders = {}
    for size in sizes:
        tokens = (size // v.patch_size) ** 2
        tower = vit_flops(size, v.patch_size, v.hidden_size, v.num_layers, v.intermediate_size, cls=False)
        kv_in = 2 * tokens * v.hidden_size * r.embed_dim  # kv_proj to the LLM width
        projections = 2 * (2 * tokens + 2 * r.query_num) * r.embed_dim**2  # k, v of the patches; q, out of the queries
        attention = 4 * r.query_num * tokens * r.embed_dim
        tower_params = v.num_layers * (4 * v.hidden_size**2 + 2 * v.hidden_size * v.intermediate_size)
        resampler_params = v.hidden_size * r.embed_dim + 4 * r.embed_dim**2
        encoders[size] = EncoderCost(
            size, float(tower + kv_in + projections + attention), 4 * (tower_params + resampler_params)
        )
    head = llm.head_dim
    per_layer = (
        llm.hidden_size * head * (2 * llm.num_heads + 2 * llm.num_kv_heads)
        + 3 * llm.hidden_size * llm.intermediate_size
    )
    linear = llm.num_layers * per_layer + llm.vocab_size * llm.hidden_size  # lm_head is int4 too
    decoder = DecoderTraffic(
        int4_weight_bytes=linear // 2,
        scale_bytes=linear // DEFAULT_BLOCK_SIZE * 4,
        other_bytes=(2 * llm.num_layers + 1) * llm.hidden_size * 4,
        embedding_row_bytes=llm.hidden_size + 4,
        kv_bytes_per_position=2 * llm.num_layers * llm.num_kv_heads * head * 2,
        position=position,
    )
    return encoders, decoder


def estimate_bundle(
    bundle: Any, chips: list[Chip], *, mode: str | None, shapes_per_image: list[int] | None, kv_position: int
) -> Estimates | None:
    """Estimates for a bundle, or None (logged) where the `onnx` package is missing (a board install)."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        log.warning("estimates skipped: the onnx package is not installed (pip install onnx)")
        return None
    encoders = encoder_costs(bundle)
    decoder = decoder_traffic(bundle, kv_position) if bundle.manifest.llm else None
    return estimate(encoders, decoder, chips, preset=bundle.preset, mode=mode, shapes_per_image=shapes_per_image)
