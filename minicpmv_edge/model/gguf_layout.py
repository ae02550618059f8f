"""How llama.cpp lays MiniCPM-V out in GGUF files: tensor names, layout quirks, Q4_0 blocks. numpy only.

Facts, as llama.cpp's MiniCPM-V converter (`tools/mtmd/legacy-models/minicpmv-convert-image-encoder-to-gguf.py`),
its surgery script, `convert_hf_to_gguf.py` and `clip.cpp` write and read them:

mmproj (`general.architecture = clip`, `clip.projector_type = resampler`, `clip.minicpmv_version` 1/2/3 = 2.0/2.5/2.6):
* `v.patch_embd.{weight,bias}`, `v.position_embd.weight [N, C]`, `v.post_ln.*`, and per block
  `v.blk.{i}.{attn_q,attn_k,attn_v,attn_out,ln1,ln2,ffn_down,ffn_up}.{weight,bias}`. The converter's name rewrite
  turns HF `mlp.fc1` into `ffn_down` and `fc2` into `ffn_up` (swapped); clip.cpp un-swaps by shape (the tensor named
  `ffn_down` whose input width is the hidden size is fc1). We apply the same rule, so both namings load.
* `resampler.query`, `resampler.kv.weight` (kv_proj), `resampler.attn.{q,k,v,out}.{weight,bias}` (MultiheadAttention's
  `in_proj` split in three), `resampler.ln_{q,kv,post}.*`, `resampler.proj.weight` = HF `proj` **transposed**,
  `resampler.pos_embed_k` (the 70x70 key sin-cos table, recomputed by us) and, for 2.0, `resampler.pos_embed`
  (the 8x8 query sin-cos parameter).
* For a MiniCPM (2.0) LLM, the surgery script divides `resampler.proj` by the LLM's `scale_emb`, because llama.cpp
  multiplies every input embedding, image rows included, by it. Our encoder outputs the unscaled embeddings upstream
  splices in, so the loader multiplies it back.

LLM (`general.architecture` minicpm / llama / qwen2): `token_embd`, `blk.{i}.{attn_norm,attn_q,attn_k,attn_v,
attn_output,ffn_norm,ffn_gate,ffn_up,ffn_down}`, `output_norm`, `output` (absent when tied). For `llama` and `minicpm`
the converter permutes the rows of q and k per head from HF's rotate-half RoPE to llama.cpp's adjacent pairs
(row 2j+t of a head = HF row t*d/2+j); Qwen2 runs NEOX RoPE and is stored unpermuted.

Q4_0: blocks of 32 weights along the input dimension, 18 bytes each: an fp16 scale d, then 16 bytes whose low
nibbles are weights 0..15 and high nibbles weights 16..31; weight = d * (nibble - 8).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

VERSION_OF_MINICPMV = {1: "2.0", 2: "2.5", 3: "2.6"}  # clip.minicpmv_version -> release
LLM_ARCH_OF_FAMILY = {"minicpm": "minicpm", "llama": "llama", "qwen2": "qwen2"}  # our LLMArch -> GGUF architecture
ROPE_PERMUTED_ARCHS = ("llama", "minicpm")
Q4_0_BLOCK = 32
_Q4_0_BYTES = 18
_ROWS_PER_CHUNK = 4096


def vision_tower_names(num_layers: int) -> Iterator[tuple[str, str]]:
    """(llama.cpp name, our name) for the tower tensors whose names map one to one (fc1/fc2 resolved elsewhere)."""
    yield "v.patch_embd.weight", "vision.patch_embed.weight"
    yield "v.patch_embd.bias", "vision.patch_embed.bias"
    yield "v.position_embd.weight", "vision.pos_table"
    for i in range(num_layers):
        for theirs, ours in (("attn_q", "attn.q"), ("attn_k", "attn.k"), ("attn_v", "attn.v"), ("attn_out", "attn.o")):
            for leaf in ("weight", "bias"):
                yield f"v.blk.{i}.{theirs}.{leaf}", f"vision.blocks.{i}.{ours}.{leaf}"
        for theirs, ours in (("ln1", "norm1"), ("ln2", "norm2")):
            for leaf in ("weight", "bias"):
                yield f"v.blk.{i}.{theirs}.{leaf}", f"vision.blocks.{i}.{ours}.{leaf}"
    for leaf in ("weight", "bias"):
        yield f"v.post_ln.{leaf}", f"vision.post_norm.{leaf}"


def resampler_names(query_pos: bool, has_kv_proj: bool) -> Iterator[tuple[str, str]]:
    """(llama.cpp name, our name) for the resampler, except `resampler.proj.weight` (transposed, maybe scaled)."""
    yield "resampler.query", "resampler.query"
    if query_pos:
        yield "resampler.pos_embed", "resampler.query_pos"
    if has_kv_proj:
        yield "resampler.kv.weight", "resampler.kv_proj.weight"
    for theirs, ours in (("q", "q_proj"), ("k", "k_proj"), ("v", "v_proj"), ("out", "out_proj")):
        for leaf in ("weight", "bias"):
            yield f"resampler.attn.{theirs}.{leaf}", f"resampler.{ours}.{leaf}"
    for ln in ("q", "kv", "post"):
        for leaf in ("weight", "bias"):
            yield f"resampler.ln_{ln}.{leaf}", f"resampler.ln_{ln}.{leaf}"


MMPROJ_IGNORED = ("resampler.pos_embed_k",)  # recomputed exactly from the formula (model/positions.py)


def ffn_names(i: int, hidden: int, down_shape: tuple[int, ...]) -> dict[str, str]:
    """Our fc1/fc2 names -> llama.cpp names for block `i` (clip.cpp: an `ffn_down` reading `hidden` inputs is fc1)."""
    swapped = down_shape[-1] == hidden
    first, second = ("ffn_down", "ffn_up") if swapped else ("ffn_up", "ffn_down")
    names = {}
    for leaf in ("weight", "bias"):
        names[f"vision.blocks.{i}.mlp.fc1.{leaf}"] = f"v.blk.{i}.{first}.{leaf}"
        names[f"vision.blocks.{i}.mlp.fc2.{leaf}"] = f"v.blk.{i}.{second}.{leaf}"
    return names


def llm_names(num_layers: int, attention_bias: bool, tied: bool) -> Iterator[tuple[str, str]]:
    """(llama.cpp name, our name) for every LLM tensor; a tied model reads lm_head from `token_embd`."""
    yield "token_embd.weight", "llm.embedding.weight"
    for i in range(num_layers):
        src, dst = f"blk.{i}", f"llm.layers.{i}"
        yield f"{src}.attn_norm.weight", f"{dst}.input_norm.weight"
        for proj in "qkv":
            yield f"{src}.attn_{proj}.weight", f"{dst}.attn.{proj}.weight"
            if attention_bias:
                yield f"{src}.attn_{proj}.bias", f"{dst}.attn.{proj}.bias"
        yield f"{src}.attn_output.weight", f"{dst}.attn.o.weight"
        yield f"{src}.ffn_norm.weight", f"{dst}.post_attn_norm.weight"
        for proj in ("gate", "up", "down"):
            yield f"{src}.ffn_{proj}.weight", f"{dst}.mlp.{proj}.weight"
    yield "output_norm.weight", "llm.norm.weight"
    yield ("token_embd.weight" if tied else "output.weight"), "llm.lm_head.weight"


def rope_unpermute_rows(rows: int, n_head: int) -> np.ndarray:
    """Row order undoing llama.cpp's q/k permutation: `hf = gguf[order]` for a `[n_head * d, ...]` weight.

    The converter stores HF row `t*d/2 + j` of each head at row `2j + t`; so HF row `t*d/2 + j` is read from there.
    """
    d = rows // n_head
    if d * n_head != rows or d % 2:
        raise ValueError(f"{rows} rows do not split into {n_head} heads of even size")
    t, j = np.divmod(np.arange(d), d // 2)  # HF row r = t*d/2 + j
    within = 2 * j + t
    return (np.arange(n_head)[:, None] * d + within[None, :]).reshape(-1)


def q4_0_to_matmulnbits(raw: np.ndarray, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks -> MatMulNBits (block 32, implicit zero point 8) without changing a single weight.

    `raw` uint8 `[n, k/32*18]` (the GGUF tensor data) -> `packed` uint8 `[n, k/32, 16]` (weight 2j in the low
    nibble of byte j, 2j+1 in the high one) and `scales` float32 `[n, k/32]` (the fp16 d, widened exactly).
    Both formats decode as `(code - 8) * scale` with the same 4-bit codes, so the int4 weights are identical.
    """
    if k % Q4_0_BLOCK:
        raise ValueError(f"Q4_0 rows must be a multiple of {Q4_0_BLOCK} long, got {k}")
    blocks = k // Q4_0_BLOCK
    packed = np.empty((n, blocks, Q4_0_BLOCK // 2), dtype=np.uint8)
    scales = np.empty((n, blocks), dtype=np.float32)
    for r0 in range(0, n, _ROWS_PER_CHUNK):
        r1 = min(n, r0 + _ROWS_PER_CHUNK)
        chunk = np.asarray(raw[r0:r1]).reshape(r1 - r0, blocks, _Q4_0_BYTES)
        scales[r0:r1] = chunk[..., :2].copy().view(np.float16)[..., 0].astype(np.float32)
        qs = chunk[..., 2:]
        codes = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # weights 0..15, then 16..31
        packed[r0:r1] = codes[..., 0::2] | (codes[..., 1::2] << 4)
    return packed, scales
