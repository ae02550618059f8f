"""LLM -> int4 ONNX decoder for ONNX Runtime's CPU provider, built node by node with `onnx.helper`.

Why not `torch.onnx.export`: tracing needs the whole fp32 model in memory (12 GB for the 2.0 LLM) and yields
unfused attention. Here each weight is read from the checkpoint (`LazyWeights`), quantized, appended to
`decoder.onnx.data` and dropped, so export memory is about one fp32 tensor (the 1.1 GB lm_head at 2.0 size).

Graph (per layer): [Skip]SimplifiedLayerNormalization -> MatMulNBits(q|k|v packed) -> GroupQueryAttention
(fused RoPE from cos/sin initializers, KV cache BNSH with past and present sharing one preallocated buffer) ->
MatMulNBits(o) -> SkipSimplifiedLayerNormalization (residual add + RMSNorm in one op) -> MatMulNBits(gate), (up)
-> SiLU * up -> MatMulNBits(down). Every linear, lm_head included, is `com.microsoft.MatMulNBits`: 4-bit,
symmetric (implicit zero point 8), one fp32 scale per `block_size` input features.

Block size: `DEFAULT_BLOCK_SIZE` = 128. ORT packs each weight for its int8 kernels with a scale and a block sum per
block, so the resident bytes per weight are 0.5 + 8/block: 0.75 at block 32, 0.5625 at 128. Measured at full 2.0
size (host, 2 threads, synthetic, interleaved): block 128 vs 32 loads 488 MiB smaller (1539 vs 2027 MiB resident,
load peak 1614 vs 2347 MiB), prefills 160 rows 1.41x faster (2.74 vs 3.85 s) and decodes 1.29x faster (12.7 vs 9.9
tok/s), for weight error 8.3% vs 7.8% relative RMS and, on the tiny preset vs the fp32 teacher, logit cosine
0.9946 vs 0.9952 (plain head) with the same 100% greedy agreement on the peaked head. `--block-size 32` exports the
finer blocks; a GGUF LLM keeps its Q4_0 block (32) so its blocks are carried over bit for bit.

Logits: only the last position's, `[1, 1, V]`. Generation needs nothing else, and lm_head is the widest matmul
(V=122753 rows at 2.0 size): computing it for all S prefill positions would cost ~10% extra prefill compute and
a `[S, V]` fp32 output (78 MB for S=160). Teacher-forced evaluation uses prefill + steps instead.

Token embeddings live next to the graph, not in it, so the runtime reads rows with numpy (memory-mapped: only
the rows used become resident) and can splice unscaled image embeddings between text rows; `scale_emb` is
stored in the manifest and applied by the runtime to text rows only. Storage is int8 with one fp32 scale per
row (`embed_tokens.int8.npy` + `embed_tokens.scales.npy`) by default, fp16 (`embed_tokens.fp16.npy`) optional.
Measured on the tiny preset (2048 x 256 bf16 synthetic table, N(0, 0.02)):
  - fp16: lossless for bf16 checkpoints (bf16's 8-bit mantissa fits fp16's 10 bits; only |x| < 6e-5 lose bits as
    fp16 subnormals): max abs error 3e-8. Full 2.0 table (122753 x 2304): 565.6 MB.
  - int8 per row (scale = row absmax / 127): max abs error 1.6e-4, relative RMS error 0.46% of the row RMS, worst
    row cosine 0.999986. Full 2.0 table: 283.3 MB (282.8 MB codes + 0.5 MB scales).
  - end to end (int4 decoder, 64 teacher-forced positions): int8 vs fp16 tables give logits with cosine >= 0.99995
    and the same top-1 everywhere; logit cosine to the fp32 teacher is 0.99656 vs 0.99657.
int8 is the default: it halves the largest file next to the graph (283 MB less to download and store) at no
measurable cost, since each int4 matmul already adds ~8% relative RMS weight error.

KV cache: fp16 by default (`kv_dtype`). GroupQueryAttention takes its cache in the type of q/k/v, so the packed
qkv is Cast to fp16 before it and the attention output back to fp32 after it; the int4 matmuls and the residual
stream stay fp32. Half the cache memory (755 MB instead of 1.51 GB for 2.0 at 2048 positions). Measured vs an fp32
cache, same weights: tiny preset (64 teacher-forced positions) logit cosine >= 0.99998 (block 32) / 0.99997
(block 128), the same greedy token everywhere on the peaked head (block 128, plain head: 95%, its near-flat logits
flip on any noise); the 2.0 layer shape at 8 layers (benchmarks/kv_cache_precision.py, 33 greedy steps after a
160-position prefill, block 32) min cosine 0.99944, same greedy tokens, and no slower (host-measured, loaded
machine). An int8 cache: see benchmarks/kv_int8_probe.py (probed, not built).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from minicpmv_edge.export.blockquant import dequantize_blocks, quantize_blocks
from minicpmv_edge.export.request import DEFAULT_BLOCK_SIZE
from minicpmv_edge.model.llm import logit_divisor, residual_scale, rope_tables
from minicpmv_edge.presets import LLMConfig, ModelPreset

log = logging.getLogger(__name__)

EmbeddingStorage = Literal["int8", "fp16"]
KvDtype = Literal["float32", "float16"]
KV_ELEM = {"float32": TensorProto.FLOAT, "float16": TensorProto.FLOAT16}

ONNX_NAME = "decoder.onnx"
DATA_NAME = "decoder.onnx.data"
EMBED_INT8 = "embed_tokens.int8.npy"
EMBED_SCALES = "embed_tokens.scales.npy"
EMBED_FP16 = "embed_tokens.fp16.npy"
OPSET = 17
GGUF_BLOCK_SIZE = 32  # llama.cpp Q4_0 blocks, carried over as they are
IR_VERSION = 10  # what onnx 1.16 writes; ORT >= 1.18 (and so phones' ORT builds of 2024+) reads it
MS_DOMAIN = "com.microsoft"
INPUT_EMBEDS, SEQLENS_K, TOTAL_LEN, LOGITS = "inputs_embeds", "seqlens_k", "total_sequence_length", "logits"
PAST_KEY, PAST_VALUE = "past_key_{}", "past_value_{}"
PRESENT_KEY, PRESENT_VALUE = "present_key_{}", "present_value_{}"
_ALIGN = 64 * 1024  # external-data offsets of large tensors on allocation-granularity boundaries, so ORT can mmap
_INLINE_BYTES = 256  # smaller initializers stay in decoder.onnx
_ROWS_PER_CHUNK = 4096  # rows quantized at once: bounds the fp32 temporaries to a few tens of MB


@dataclass(frozen=True)
class PackedInt4:
    """A linear weight already in MatMulNBits layout (e.g. llama.cpp Q4_0 blocks carried over bit for bit).

    `packed` uint8 `[N, K/block_size, block_size/2]` and `scales` float32 `[N, K/block_size]`, exactly as
    `quantize_blocks` returns them; `source` names the format they came from (for the manifest).
    """

    packed: np.ndarray
    scales: np.ndarray
    k: int
    block_size: int
    source: str

    @property
    def shape(self) -> tuple[int, int]:
        return (self.packed.shape[0], self.k)

    def dequantize(self) -> np.ndarray:
        """float32 `[N, K]`: `(code - 8) * scale`."""
        return dequantize_blocks(self.packed, self.scales, self.k)


Weight = np.ndarray | PackedInt4


def stack_rows(parts: list[Any]) -> Weight:
    """Concatenate linear weights along N (q|k|v packing); packed blocks stay packed when all parts are."""
    if all(isinstance(p, PackedInt4) for p in parts) and len({(p.k, p.block_size) for p in parts}) == 1:
        first = parts[0]
        return PackedInt4(
            np.concatenate([p.packed for p in parts]),
            np.concatenate([p.scales for p in parts]),
            first.k,
            first.block_size,
            first.source,
        )
    return np.concatenate([p.dequantize() if isinstance(p, PackedInt4) else _np(p) for p in parts])


def quantize_embedding_int8(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float `[V, H]` -> int8 codes `[V, H]` and float32 per-row scales `[V]`; row = codes * scale, |codes| <= 127."""
    scales = (np.abs(table).max(axis=1) / 127.0).astype(np.float32)
    inv = np.divide(1.0, scales, out=np.zeros_like(scales), where=scales != 0)
    codes = np.clip(np.rint(table * inv[:, None]), -127, 127).astype(np.int8)
    return codes, scales


def _np(t: Any) -> np.ndarray:
    """A torch tensor or array -> float32 numpy (no copy when already float32 on CPU)."""
    array = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
    return array.astype(np.float32, copy=False)


class _ExternalData:
    """Appends initializer bytes to one `.onnx.data` file and returns TensorProtos that point into it."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._file: BinaryIO = path.open("wb")
        self.offset = 0

    def tensor(self, name: str, array: np.ndarray) -> TensorProto:
        data = np.ascontiguousarray(array)
        if data.nbytes >= 1 << 20 and self.offset % _ALIGN:
            pad = _ALIGN - self.offset % _ALIGN
            self._file.write(b"\0" * pad)
            self.offset += pad
        proto = TensorProto(name=name, data_type=helper.np_dtype_to_tensor_dtype(data.dtype), dims=data.shape)
        proto.data_location = TensorProto.EXTERNAL
        for key, value in (("location", self.name), ("offset", str(self.offset)), ("length", str(data.nbytes))):
            entry = proto.external_data.add()
            entry.key, entry.value = key, value
        self._file.write(data.tobytes())
        self.offset += data.nbytes
        return proto

    def close(self) -> None:
        self._file.close()


class _Graph:
    """Nodes and initializers of the decoder graph; weights go straight to external data."""

    def __init__(
        self, data: _ExternalData, block_size: int, accuracy_level: int, kv_dtype: KvDtype, measure: bool = False
    ) -> None:
        self.data = data
        self.kv_dtype = kv_dtype
        self.errors: dict[str, list[tuple[float, bool]]] | None = {} if measure else None
        self.block_size = block_size
        self.accuracy_level = accuracy_level
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[TensorProto] = []

    def constant(self, name: str, array: np.ndarray) -> str:
        """An initializer; tiny ones stay inline (shape inference must read Slice's starts/ends)."""
        small = array.nbytes < _INLINE_BYTES
        self.initializers.append(numpy_helper.from_array(array, name) if small else self.data.tensor(name, array))
        return name

    def node(self, op: str, inputs: list[str], outputs: list[str], *, name: str, domain: str = "", **attrs) -> None:
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, domain=domain, **attrs))

    def linear(self, x: str, weight: Any, out: str, *, factor: float = 1.0, bias: np.ndarray | None = None) -> str:
        """`out = x @ (factor * weight).T (+ bias)` as an int4 MatMulNBits; `weight [N, K]`.

        A `PackedInt4` weight with this graph's block size is used as is (its scales times `factor`, one fp32
        multiply); anything else is quantized here.
        """
        if isinstance(weight, PackedInt4) and weight.block_size == self.block_size:
            n, k = weight.shape
            packed = weight.packed
            scales = weight.scales * np.float32(factor) if factor != 1.0 else weight.scales
        else:
            dense = weight.dequantize() if isinstance(weight, PackedInt4) else _np(weight)
            n, k = dense.shape
            packed, scales = quantize_blocks(dense, self.block_size, factor)
        if self.errors is not None:
            self._measure(out, weight, packed, scales, k, factor)
        inputs = [x, self.constant(f"{out}.qweight", packed), self.constant(f"{out}.scales", scales)]
        if bias is not None:
            inputs += ["", "", self.constant(f"{out}.bias", bias.astype(np.float32))]
        self.node(
            "MatMulNBits",
            inputs,
            [out],
            name=out,
            domain=MS_DOMAIN,
            K=k,
            N=n,
            bits=4,
            block_size=self.block_size,
            accuracy_level=self.accuracy_level,
        )
        return out

    def _measure(self, out: str, weight: Any, packed: np.ndarray, scales: np.ndarray, k: int, factor: float) -> None:
        """Relative RMS error of the int4 weight against the weight as given (times `factor`), per tensor kind.

        In row chunks, so measuring a 150k-row lm_head never holds more than a few fp32 rows at once."""
        sq_err = sq_ref = 0.0
        for r0 in range(0, packed.shape[0], _ROWS_PER_CHUNK):
            r1 = min(packed.shape[0], r0 + _ROWS_PER_CHUNK)
            if isinstance(weight, PackedInt4):
                reference = dequantize_blocks(weight.packed[r0:r1], weight.scales[r0:r1], k)
            else:
                reference = _np(weight[r0:r1])
            reference = reference * np.float32(factor) if factor != 1.0 else reference
            diff = dequantize_blocks(packed[r0:r1], scales[r0:r1], k) - reference
            sq_err += float(np.sum(np.square(diff, dtype=np.float64)))
            sq_ref += float(np.sum(np.square(reference, dtype=np.float64)))
        error = float(np.sqrt(sq_err / sq_ref)) if sq_ref > 0 else 0.0
        kind = "lm_head" if out == LOGITS else out.rsplit(".", 1)[-1]
        carried = isinstance(weight, PackedInt4) and weight.block_size == self.block_size
        self.errors.setdefault(kind, []).append((error, carried))


def _layer(g: _Graph, cfg: LLMConfig, w: Mapping[str, Any], i: int, x: str, residual: str) -> tuple[str, str]:
    """One decoder layer; `x` is this layer's normalized input, `residual` the stream. -> (mlp out, residual)."""
    p = f"llm.layers.{i}"
    qkv_w = stack_rows([w[f"{p}.attn.{n}.weight"] for n in "qkv"])
    qkv_b = np.concatenate([_np(w[f"{p}.attn.{n}.bias"]) for n in "qkv"]) if cfg.attention_bias else None
    qkv = g.linear(x, qkv_w, f"l{i}.qkv", bias=qkv_b)
    del qkv_w
    # GroupQueryAttention takes its KV cache in the type of q/k/v: an fp16 cache means fp16 attention, entered
    # and left through Casts (the int4 matmuls around it stay fp32-activation)
    half = g.kv_dtype == "float16"
    if half:
        g.node("Cast", [qkv], [f"l{i}.qkv16"], name=f"l{i}.qkv16", to=TensorProto.FLOAT16)
    g.node(
        "GroupQueryAttention",
        [
            f"l{i}.qkv16" if half else qkv,
            "",
            "",
            PAST_KEY.format(i),
            PAST_VALUE.format(i),
            SEQLENS_K,
            TOTAL_LEN,
            "cos_cache",
            "sin_cache",
        ],
        [f"l{i}.attn16" if half else f"l{i}.attn", PRESENT_KEY.format(i), PRESENT_VALUE.format(i)],
        name=f"l{i}.gqa",
        domain=MS_DOMAIN,
        num_heads=cfg.num_heads,
        kv_num_heads=cfg.num_kv_heads,
        do_rotary=1,
        rotary_interleaved=0,
        local_window_size=-1,
    )
    if half:
        g.node("Cast", [f"l{i}.attn16"], [f"l{i}.attn"], name=f"l{i}.attn32", to=TensorProto.FLOAT)
    # MiniCPM's residual factor r multiplies the branch output: r * (a @ W.T) == a @ (r * W).T, exact in real
    # arithmetic. Symmetric absmax quantization is scale-equivariant, so the int4 codes are the same as for W and
    # only the fp32 block scales carry r.
    r = residual_scale(cfg)
    o = g.linear(f"l{i}.attn", w[f"{p}.attn.o.weight"], f"l{i}.o", factor=r)
    g.node(
        "SkipSimplifiedLayerNormalization",
        [o, residual, g.constant(f"l{i}.post_attn_norm", _np(w[f"{p}.post_attn_norm.weight"]))],
        [f"l{i}.mlp_in", "", "", f"l{i}.resid_attn"],
        name=f"l{i}.post_attn_norm",
        domain=MS_DOMAIN,
        epsilon=cfg.rms_norm_eps,
    )
    gate = g.linear(f"l{i}.mlp_in", w[f"{p}.mlp.gate.weight"], f"l{i}.gate")
    up = g.linear(f"l{i}.mlp_in", w[f"{p}.mlp.up.weight"], f"l{i}.up")
    g.node("Sigmoid", [gate], [f"l{i}.gate_sigmoid"], name=f"l{i}.sigmoid")
    g.node("Mul", [gate, f"l{i}.gate_sigmoid"], [f"l{i}.silu"], name=f"l{i}.silu")
    g.node("Mul", [f"l{i}.silu", up], [f"l{i}.act"], name=f"l{i}.act")
    down = g.linear(f"l{i}.act", w[f"{p}.mlp.down.weight"], f"l{i}.down", factor=r)
    return down, f"l{i}.resid_attn"


def _write_embeddings(table: np.ndarray, out_dir: Path, storage: EmbeddingStorage) -> dict[str, Any]:
    """The token table beside the graph as .npy (memory-mappable), in row chunks. -> manifest entry."""
    v, h = table.shape
    if storage == "fp16":
        dst = np.lib.format.open_memmap(out_dir / EMBED_FP16, mode="w+", dtype=np.float16, shape=(v, h))
        for r0 in range(0, v, _ROWS_PER_CHUNK):
            dst[r0 : r0 + _ROWS_PER_CHUNK] = table[r0 : r0 + _ROWS_PER_CHUNK]
        dst.flush()
        del dst
        return {"storage": "fp16", "table": EMBED_FP16, "shape": [v, h]}
    codes = np.lib.format.open_memmap(out_dir / EMBED_INT8, mode="w+", dtype=np.int8, shape=(v, h))
    scales = np.empty(v, dtype=np.float32)
    for r0 in range(0, v, _ROWS_PER_CHUNK):
        codes[r0 : r0 + _ROWS_PER_CHUNK], scales[r0 : r0 + _ROWS_PER_CHUNK] = quantize_embedding_int8(
            table[r0 : r0 + _ROWS_PER_CHUNK]
        )
    codes.flush()
    del codes
    np.save(out_dir / EMBED_SCALES, scales)
    return {"storage": "int8-per-row", "table": EMBED_INT8, "scales": EMBED_SCALES, "shape": [v, h]}


def _value_info(name: str, elem: int, shape: list[int | str]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def export_decoder(
    weights: Mapping[str, Any],
    preset: ModelPreset,
    out_dir: Path,
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
    accuracy_level: int = 4,
    embedding: EmbeddingStorage = "int8",
    measure_error: bool = False,
    kv_dtype: KvDtype = "float16",
) -> dict[str, Any]:
    """Write `decoder.onnx`, `decoder.onnx.data` and the embedding table(s) into `out_dir`.

    `weights` maps our names (`llm.…`, see `hf_names.llm_rules`) to float tensors or arrays, e.g. `LazyWeights`
    with parts=("llm",); each is read once. `accuracy_level` is MatMulNBits': 4 lets ORT quantize activations to
    int8 per block (fastest on CPU), 0 keeps them fp32. Linear weights may be `PackedInt4` (used as is when
    their block size matches). `measure_error` adds `quantization.error_vs_source`: per tensor kind, the relative
    RMS error of the int4 weights against the weights as given (0 for blocks carried over). `kv_dtype` is the KV
    cache's element type (fp16 halves the cache; GroupQueryAttention then runs in fp16 between two Casts).
    Returns the JSON-able manifest section for the runtime.
    """
    cfg = preset.llm
    if block_size < 16 or block_size & (block_size - 1):
        raise ValueError(f"block_size must be a power of two >= 16, got {block_size}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    h, kv, hd, v = cfg.hidden_size, cfg.num_kv_heads, cfg.head_dim, cfg.vocab_size
    log.info("exporting the %s int4 decoder: %d layers, hidden %d, vocab %d", cfg.arch, cfg.num_layers, h, v)

    emb = _write_embeddings(_np(weights["llm.embedding.weight"]), out_dir, embedding)
    log.info("wrote the %s token embedding table", emb["storage"])

    data = _ExternalData(out_dir / DATA_NAME)
    if kv_dtype not in KV_ELEM:
        raise ValueError(f"kv_dtype must be one of {', '.join(KV_ELEM)}, got {kv_dtype!r}")
    g = _Graph(data, block_size, accuracy_level, kv_dtype, measure=measure_error)
    try:
        cos, sin = rope_tables(hd, cfg.rope_theta, cfg.max_position_embeddings)
        rope_dtype = np.float16 if kv_dtype == "float16" else np.float32
        g.constant("cos_cache", cos.astype(rope_dtype))
        g.constant("sin_cache", sin.astype(rope_dtype))
        del cos, sin
        g.node(
            "SimplifiedLayerNormalization",
            [INPUT_EMBEDS, g.constant("l0.input_norm", _np(weights["llm.layers.0.input_norm.weight"]))],
            ["l0.x"],
            name="l0.input_norm",
            axis=-1,
            epsilon=cfg.rms_norm_eps,
            stash_type=1,
        )
        x, residual = "l0.x", INPUT_EMBEDS
        for i in range(cfg.num_layers):
            branch, residual = _layer(g, cfg, weights, i, x, residual)
            if i + 1 < cfg.num_layers:
                nxt = f"l{i + 1}"
                g.node(
                    "SkipSimplifiedLayerNormalization",
                    [
                        branch,
                        residual,
                        g.constant(f"{nxt}.input_norm", _np(weights[f"llm.layers.{i + 1}.input_norm.weight"])),
                    ],
                    [f"{nxt}.x", "", "", f"l{i}.resid_mlp"],
                    name=f"{nxt}.input_norm",
                    domain=MS_DOMAIN,
                    epsilon=cfg.rms_norm_eps,
                )
                x, residual = f"{nxt}.x", f"l{i}.resid_mlp"
            else:
                x = branch
            log.info("layer %d/%d quantized", i + 1, cfg.num_layers)

        # Only the last position reaches the final norm and lm_head (see the module docstring).
        last = [
            g.constant(f"last.{k}", np.array([n], np.int64)) for k, n in (("starts", -1), ("ends", 2**62), ("axes", 1))
        ]
        g.node("Slice", [x, *last], ["last.branch"], name="last.branch")
        g.node("Slice", [residual, *last], ["last.residual"], name="last.residual")
        g.node(
            "SkipSimplifiedLayerNormalization",
            ["last.branch", "last.residual", g.constant("final_norm", _np(weights["llm.norm.weight"]))],
            ["last.hidden"],
            name="final_norm",
            domain=MS_DOMAIN,
            epsilon=cfg.rms_norm_eps,
        )
        # MiniCPM divides the final hidden state by d = hidden/dim_model_base before lm_head:
        # (h / d) @ W.T == h @ (W / d).T, exact in real arithmetic (and scale-equivariant under int4, as above).
        g.linear("last.hidden", weights["llm.lm_head.weight"], LOGITS, factor=1.0 / logit_divisor(cfg))
        log.info("lm_head quantized")
    finally:
        data.close()

    cache = [1, kv, "max_context", hd]
    inputs = [_value_info(INPUT_EMBEDS, TensorProto.FLOAT, [1, "sequence_length", h])]
    outputs = [_value_info(LOGITS, TensorProto.FLOAT, [1, 1, v])]
    for i in range(cfg.num_layers):
        inputs += [_value_info(n.format(i), KV_ELEM[kv_dtype], cache) for n in (PAST_KEY, PAST_VALUE)]
        outputs += [_value_info(n.format(i), KV_ELEM[kv_dtype], cache) for n in (PRESENT_KEY, PRESENT_VALUE)]
    inputs += [_value_info(SEQLENS_K, TensorProto.INT32, [1]), _value_info(TOTAL_LEN, TensorProto.INT32, [])]
    graph = helper.make_graph(g.nodes, "minicpmv_edge_decoder", inputs, outputs, initializer=g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)])
    model.ir_version = IR_VERSION
    model.producer_name = "minicpmv-edge"

    section: dict[str, Any] = {
        "onnx": ONNX_NAME,
        "onnx_data": DATA_NAME,
        "arch": cfg.arch,
        "hidden_size": h,
        "num_layers": cfg.num_layers,
        "num_heads": cfg.num_heads,
        "num_kv_heads": kv,
        "head_dim": hd,
        "intermediate_size": cfg.intermediate_size,
        "vocab_size": v,
        "max_position_embeddings": cfg.max_position_embeddings,
        "rope_theta": cfg.rope_theta,
        "rms_norm_eps": cfg.rms_norm_eps,
        "scale_emb": cfg.scale_emb,
        "quantization": {
            "weights": "int4",
            "op": f"{MS_DOMAIN}.MatMulNBits",
            "symmetric": True,
            "block_size": block_size,
            "accuracy_level": accuracy_level,
            "packed_qkv": True,
            "folded": (
                [
                    "scale_depth/sqrt(num_layers) into o_proj and down_proj",
                    "1/(hidden_size/dim_model_base) into lm_head",
                ]
                if cfg.arch == "minicpm"
                else []
            ),
        },
        "embedding": emb,
        "kv_cache": {"layout": "BNSH", "dtype": kv_dtype, "shape": [1, kv, "max_context", hd], "shared": True},
        "inputs": {
            "inputs_embeds": INPUT_EMBEDS,
            "past_key": PAST_KEY,
            "past_value": PAST_VALUE,
            "seqlens_k": SEQLENS_K,
            "total_sequence_length": TOTAL_LEN,
        },
        "outputs": {
            "logits": LOGITS,
            "logits_positions": "last",
            "present_key": PRESENT_KEY,
            "present_value": PRESENT_VALUE,
        },
        "files": [ONNX_NAME, DATA_NAME, *(emb[k] for k in ("table", "scales") if k in emb)],
    }
    if g.errors is not None:
        section["quantization"]["error_vs_source"] = {
            kind: {
                "tensors": len(found),
                "carried_over": sum(carried for _, carried in found),
                "rel_rms_max": max(e for e, _ in found),
                "rel_rms_mean": sum(e for e, _ in found) / len(found),
            }
            for kind, found in g.errors.items()
        }
    helper.set_model_props(model, {"minicpmv_edge.decoder": json.dumps(section)})
    onnx.save_model(model, out_dir / ONNX_NAME)
    log.info("wrote %s (%.1f MB of weights in %s)", ONNX_NAME, data.offset / 1e6, DATA_NAME)
    return section
