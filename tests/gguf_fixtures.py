"""Tiny llama.cpp-style GGUF files written from a synthetic HF checkpoint with the `gguf` package.

This writer is deliberately independent of `minicpmv_edge.model.gguf_layout`: it spells out llama.cpp's names and
layout quirks the way llama.cpp's MiniCPM-V converter, its surgery script and `convert_hf_to_gguf.py` produce them
(legacy fc1 -> `ffn_down` naming, `resampler.proj` transposed and, for MiniCPM, divided by `scale_emb`, in_proj split
into `resampler.attn.{q,k,v}`, q/k rows permuted per head for llama/minicpm, the patch embedding always f16), so a
mistake in the loader's tables is not mirrored here.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import gguf
import numpy as np
from safetensors.torch import load_file

from minicpmv_edge.export.tokenizer import synthetic_tokenizer
from minicpmv_edge.model.positions import sincos_2d
from minicpmv_edge.presets import MINICPM_V_2_6, ModelPreset

MINICPMV_VERSION = {"2.0": 1, "2.5": 2, "2.6": 3}
GGUF_ARCH = {"minicpm": "minicpm", "llama": "llama", "qwen2": "qwen2"}


def tiny_shaped(family: ModelPreset, vocab_size: int | None = None) -> ModelPreset:
    """A release at toy widths with its real LLM family (Llama-3 / Qwen2: GQA, biases) and, unless `vocab_size` is
    given, its full vocabulary (the special ids sit near the top: 128002.. for 2.5, 151643.. for 2.6)."""
    name = f"{family.name}-tiny-shaped"
    return replace(
        family,
        name=name,
        hf_name=f"synthetic/{name}",
        vision=replace(family.vision, hidden_size=128, num_heads=4, intermediate_size=478, num_layers=2,
                       config_layers=2),
        resampler=replace(family.resampler, embed_dim=128, kv_dim=128),
        llm=replace(family.llm, hidden_size=128, num_layers=2, num_heads=2, num_kv_heads=1, intermediate_size=256,
                    max_position_embeddings=2048, vocab_size=vocab_size or family.llm.vocab_size),
    )  # fmt: skip


# the acceptance model of `export --model minicpm-v-2_6 --gguf-...`
TINY_SHAPED_26 = tiny_shaped(MINICPM_V_2_6)


def read_checkpoint(ckpt: Path) -> dict[str, np.ndarray]:
    """Every tensor of a (sharded) safetensors checkpoint as float32 numpy."""
    state: dict[str, np.ndarray] = {}
    for shard in sorted(ckpt.glob("*.safetensors")):
        state |= {k: v.float().numpy() for k, v in load_file(shard).items()}
    return state


def _vision_tensors(preset: ModelPreset, st: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """llama.cpp mmproj names -> arrays (converter semantics), tower part."""
    out: dict[str, np.ndarray] = {}
    timm = preset.vision.naming == "timm"
    patch = "vpm.patch_embed.proj" if timm else "vpm.embeddings.patch_embedding"
    out["v.patch_embd.weight"] = st[f"{patch}.weight"]
    out["v.patch_embd.bias"] = st[f"{patch}.bias"]
    pos = st["vpm.pos_embed"][0] if timm else st["vpm.embeddings.position_embedding.weight"]
    out["v.position_embd.weight"] = pos
    for i in range(preset.vision.num_layers):
        if timm:
            src = f"vpm.blocks.{i}"
            q, k, v = np.split(st[f"{src}.attn.qkv.weight"], 3)
            qb, kb, vb = np.split(st[f"{src}.attn.qkv.bias"], 3)
            pairs = {"attn_q": (q, qb), "attn_k": (k, kb), "attn_v": (v, vb),
                     "attn_out": (st[f"{src}.attn.proj.weight"], st[f"{src}.attn.proj.bias"]),
                     "ln1": (st[f"{src}.norm1.weight"], st[f"{src}.norm1.bias"]),
                     "ln2": (st[f"{src}.norm2.weight"], st[f"{src}.norm2.bias"])}  # fmt: skip
            fc1, fc2 = f"{src}.mlp.fc1", f"{src}.mlp.fc2"
        else:
            src = f"vpm.encoder.layers.{i}"
            pairs = {
                name: (st[f"{src}.{hf}.weight"], st[f"{src}.{hf}.bias"])
                for name, hf in (("attn_q", "self_attn.q_proj"), ("attn_k", "self_attn.k_proj"),
                                 ("attn_v", "self_attn.v_proj"), ("attn_out", "self_attn.out_proj"),
                                 ("ln1", "layer_norm1"), ("ln2", "layer_norm2"))
            }  # fmt: skip
            fc1, fc2 = f"{src}.mlp.fc1", f"{src}.mlp.fc2"
        # the converter's string rewrite: mlp.fc1 -> ffn_down, mlp.fc2 -> ffn_up (legacy naming)
        pairs["ffn_down"] = (st[f"{fc1}.weight"], st[f"{fc1}.bias"])
        pairs["ffn_up"] = (st[f"{fc2}.weight"], st[f"{fc2}.bias"])
        for name, (w, b) in pairs.items():
            out[f"v.blk.{i}.{name}.weight"] = w
            out[f"v.blk.{i}.{name}.bias"] = b
    post = "vpm.norm" if timm else "vpm.post_layernorm"
    out["v.post_ln.weight"] = st[f"{post}.weight"]
    out["v.post_ln.bias"] = st[f"{post}.bias"]
    return out


def _resampler_tensors(preset: ModelPreset, st: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    res = preset.resampler
    out = {"resampler.query": st["resampler.query"]}
    if res.query_pos:
        out["resampler.pos_embed"] = st["resampler.pos_embed"]
    out["resampler.pos_embed_k"] = sincos_2d(res.embed_dim, 70, 70).numpy()
    if res.kv_dim != res.embed_dim:
        out["resampler.kv.weight"] = st["resampler.kv_proj.weight"]
    for leaf in ("weight", "bias"):
        for name, part in zip("qkv", np.split(st[f"resampler.attn.in_proj_{leaf}"], 3), strict=True):
            out[f"resampler.attn.{name}.{leaf}"] = part
        out[f"resampler.attn.out.{leaf}"] = st[f"resampler.attn.out_proj.{leaf}"]
        for ln in ("q", "kv", "post"):
            out[f"resampler.ln_{ln}.{leaf}"] = st[f"resampler.ln_{ln}.{leaf}"]
    proj = st["resampler.proj"]
    if preset.llm.arch == "minicpm":  # minicpmv-surgery: projector['resampler.proj'] / scale_emb
        proj = proj / np.float32(preset.llm.scale_emb)
    out["resampler.proj.weight"] = np.ascontiguousarray(proj.T)
    return out


def write_mmproj(preset: ModelPreset, ckpt: Path, out: Path, *, f16: bool = False, version: int | None = None) -> Path:
    """An mmproj GGUF as llama.cpp's converter writes it (`f16`: 2-D weights in f16; patch_embd is always f16)."""
    st = read_checkpoint(ckpt)
    vis, res = preset.vision, preset.resampler
    w = gguf.GGUFWriter(out, "clip")
    w.add_bool("clip.has_text_encoder", False)
    w.add_bool("clip.has_vision_encoder", True)
    w.add_bool("clip.has_minicpmv_projector", True)
    w.add_file_type(1 if f16 else 0)
    w.add_description("image encoder for MiniCPM-V")
    w.add_string("clip.projector_type", "resampler")
    w.add_int32("clip.minicpmv_version", version if version is not None else MINICPMV_VERSION[preset.version])
    w.add_uint32("clip.vision.image_size", 448)
    w.add_uint32("clip.vision.patch_size", vis.patch_size)
    w.add_uint32("clip.vision.embedding_length", vis.hidden_size)
    w.add_uint32("clip.vision.feed_forward_length", vis.intermediate_size)
    w.add_uint32("clip.vision.projection_dim", 0)
    w.add_uint32("clip.vision.attention.head_count", vis.num_heads)
    w.add_float32("clip.vision.attention.layer_norm_epsilon", vis.layer_norm_eps)
    w.add_uint32("clip.vision.block_count", vis.num_layers)
    w.add_uint32("clip.minicpmv_query_num", res.query_num)
    w.add_array("clip.vision.image_mean", list(preset.image_mean))
    w.add_array("clip.vision.image_std", list(preset.image_std))
    w.add_bool("clip.use_gelu", True)
    w.add_bool("minicpmv_edge.synthetic", True)
    tensors = _vision_tensors(preset, st) | _resampler_tensors(preset, st)
    for name, data in tensors.items():
        data = np.ascontiguousarray(data)
        if data.ndim == 4 or (f16 and data.ndim == 2 and name.endswith(".weight")):
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, data.astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return out


def llama_permute(weight: np.ndarray, n_head: int) -> np.ndarray:
    """convert_hf_to_gguf's q/k permutation (HF rotate-half -> llama.cpp adjacent pairs), written as it does it."""
    rest = weight.shape[1:]
    return weight.reshape(n_head, 2, weight.shape[0] // n_head // 2, *rest).swapaxes(1, 2).reshape(weight.shape)


def _quantized(data: np.ndarray, qtype: gguf.GGMLQuantizationType) -> tuple[np.ndarray, gguf.GGMLQuantizationType]:
    if qtype == gguf.GGMLQuantizationType.F32:
        return data.astype(np.float32), qtype
    if qtype == gguf.GGMLQuantizationType.F16:
        return data.astype(np.float16), qtype
    return gguf.quants.quantize(data.astype(np.float32), qtype), qtype


def write_llm(
    preset: ModelPreset, ckpt: Path, out: Path, *, qtype: str = "Q4_0", arch: str | None = None, vocab: bool = True
) -> Path:
    """An LLM GGUF as convert_hf_to_gguf.py (+ llama-quantize --pure) writes it: 2-D weights in `qtype`, norms f32,
    and (`vocab`) the preset's synthetic byte-level BPE vocabulary as `tokenizer.ggml.*`."""
    st = read_checkpoint(ckpt)
    cfg = preset.llm
    arch = arch or GGUF_ARCH[cfg.arch]
    q = gguf.GGMLQuantizationType[qtype]
    w = gguf.GGUFWriter(out, arch)
    w.add_name(f"{preset.name} llm (synthetic)")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_heads)
    w.add_head_count_kv(cfg.num_kv_heads)
    w.add_rope_dimension_count(cfg.head_dim)
    w.add_rope_freq_base(cfg.rope_theta)
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_vocab_size(cfg.vocab_size)
    if cfg.arch == "minicpm":
        w.add_embedding_scale(cfg.scale_emb)
        w.add_residual_scale(cfg.scale_depth / math.sqrt(cfg.num_layers))
        w.add_logit_scale(cfg.hidden_size / cfg.dim_model_base)
    w.add_bool("minicpmv_edge.synthetic", True)
    if vocab:
        _add_vocab(w, preset)
    permute = arch in ("llama", "minicpm")
    tensors = {"token_embd.weight": st["llm.model.embed_tokens.weight"]}
    for i in range(cfg.num_layers):
        src = f"llm.model.layers.{i}"
        tensors[f"blk.{i}.attn_norm.weight"] = st[f"{src}.input_layernorm.weight"]
        for proj, heads in (("q", cfg.num_heads), ("k", cfg.num_kv_heads), ("v", None)):
            weight = st[f"{src}.self_attn.{proj}_proj.weight"]
            bias = st.get(f"{src}.self_attn.{proj}_proj.bias")
            if permute and heads is not None:
                weight = llama_permute(weight, heads)
                bias = llama_permute(bias, heads) if bias is not None else None
            tensors[f"blk.{i}.attn_{proj}.weight"] = weight
            if bias is not None:
                tensors[f"blk.{i}.attn_{proj}.bias"] = bias
        tensors[f"blk.{i}.attn_output.weight"] = st[f"{src}.self_attn.o_proj.weight"]
        tensors[f"blk.{i}.ffn_norm.weight"] = st[f"{src}.post_attention_layernorm.weight"]
        for proj in ("gate", "up", "down"):
            tensors[f"blk.{i}.ffn_{proj}.weight"] = st[f"{src}.mlp.{proj}_proj.weight"]
    tensors["output_norm.weight"] = st["llm.model.norm.weight"]
    tensors["output.weight"] = st["llm.lm_head.weight"]
    for name, data in tensors.items():
        if data.ndim == 2:
            raw, dtype = _quantized(data, q)
            w.add_tensor(name, raw, raw_dtype=dtype if raw.dtype == np.uint8 else None)
        else:
            w.add_tensor(name, data.astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return out


def _add_vocab(w: gguf.GGUFWriter, preset: ModelPreset) -> None:
    """The preset's synthetic byte-level BPE tokenizer as llama.cpp stores a 'gpt2' vocabulary."""
    import json

    tok = synthetic_tokenizer(preset)
    spec = json.loads(tok.to_str())
    vocab = spec["model"]["vocab"]
    tokens = [""] * len(vocab)
    for token, i in vocab.items():
        tokens[i] = token
    specials = set(preset.prompt.special_tokens.values())
    types = [gguf.TokenType.CONTROL if i in specials else gguf.TokenType.NORMAL for i in range(len(tokens))]
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(preset.prompt.bos_id)
    w.add_eos_token_id(preset.prompt.eos_ids[0])
    w.add_add_bos_token(False)
