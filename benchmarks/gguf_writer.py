"""MiniCPM (MiniCPM-V 2.0's LLM) HF safetensors checkpoint -> llama.cpp GGUF (f16), then Q4_0 with llama.cpp.

Runs in the benchmark's own venv (numpy + `gguf` + `llama-cpp-python`, see benchmarks/README.md); it does not
import minicpmv_edge or torch. It reads the checkpoint the way any HF converter does: `config.json` for the dims,
`model.safetensors.index.json` (or every `*.safetensors`) for the tensors, official names
`llm.model.layers.{i}.self_attn.{q,k,v,o}_proj.weight`, `llm.model.embed_tokens.weight`, `llm.lm_head.weight`, ...
(MiniCPM-V's LLM sits under `llm.`; a plain MiniCPM checkpoint without the prefix works too).

llama.cpp conventions for the `minicpm` architecture (gguf's MODEL_ARCH.MINICPM, as llama.cpp's own
convert_hf_to_gguf.py writes it):
* hyperparameters `minicpm.embedding_scale = scale_emb`, `minicpm.residual_scale = scale_depth / sqrt(layers)`,
  `minicpm.logit_scale = hidden_size / dim_model_base` (llama.cpp divides the logits by it);
* llama.cpp applies RoPE to adjacent pairs (x[2j], x[2j+1]) while HF MiniCPM rotates halves (x[j], x[j + d/2]), so
  the rows of q_proj and k_proj are reordered per head: new row 2j + t of a head = old row t * d/2 + j (t in 0, 1).
  The attention scores are unchanged because q and k get the same reordering.
* 2-D weights are written f16 (the usual `--outtype f16`), norm gains f32.

The checkpoint has no tokenizer, and llama.cpp needs a vocabulary to load a model, so a placeholder
SentencePiece-style vocabulary of `vocab_size` entries is written (`<unk>`, `<s>`, `</s>`, 256 byte tokens, then
`tok{i}`). It is never used to tokenize: the benchmark feeds token ids and embeddings directly.

Memory: one tensor is converted at a time, in row chunks, so the peak is about one f16 tensor (the 566 MB
embedding table at 2.0 size), never the model.

    python benchmarks/gguf_writer.py CKPT_DIR OUT.f16.gguf [--q4-0 OUT.q4_0.gguf] [--pure] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("gguf_writer")

_ROWS_PER_CHUNK = 8192
_ST_DTYPES = {"BF16": "bf16", "F16": np.float16, "F32": np.float32}


class SafetensorsDir:
    """Reads tensors of a (sharded) safetensors checkpoint by memory-mapping; bf16 is widened to f32 per chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        index = root / "model.safetensors.index.json"
        if index.is_file():
            weight_map = json.loads(index.read_text())["weight_map"]
            shards = sorted(set(weight_map.values()))
        else:
            shards = sorted(p.name for p in root.glob("*.safetensors"))
        if not shards:
            raise FileNotFoundError(f"no *.safetensors in {root}")
        self.entries: dict[str, tuple[Path, int, dict[str, Any]]] = {}
        for shard in shards:
            path = root / shard
            with path.open("rb") as f:
                (n,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(n))
            header.pop("__metadata__", None)
            for name, info in header.items():
                self.entries[name] = (path, 8 + n, info)

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def shape(self, name: str) -> tuple[int, ...]:
        return tuple(self.entries[name][2]["shape"])

    def raw(self, name: str) -> np.ndarray:
        """The tensor's bytes as a read-only memmap: uint16 for bf16, else its numpy dtype; original shape."""
        path, base, info = self.entries[name]
        kind = _ST_DTYPES.get(info["dtype"])
        if kind is None:
            raise ValueError(f"{name}: unsupported safetensors dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        dtype = np.uint16 if kind == "bf16" else np.dtype(kind)
        count = (end - begin) // np.dtype(dtype).itemsize
        array = np.memmap(path, dtype=dtype, mode="r", offset=base + begin, shape=(count,))
        return array.reshape(info["shape"])

    def is_bf16(self, name: str) -> bool:
        return self.entries[name][2]["dtype"] == "BF16"


def _to_f32(raw: np.ndarray, bf16: bool) -> np.ndarray:
    if bf16:
        return (raw.astype(np.uint32) << 16).view(np.float32)
    return raw.astype(np.float32)


def rope_pairs_permutation(rows: int, n_head: int) -> np.ndarray:
    """Row order that turns HF's rotate-half layout into llama.cpp's adjacent-pair layout, for `rows` = heads x d.

    Returns `perm` with `new = old[perm]`: within each head, new row 2j + t takes old row t * d/2 + j.
    """
    d = rows // n_head
    if d * n_head != rows or d % 2:
        raise ValueError(f"{rows} rows do not split into {n_head} heads of even size")
    j = np.arange(d // 2)
    within = np.stack([j, j + d // 2], axis=1).reshape(-1)  # [0, d/2, 1, d/2+1, ...]
    return (np.arange(n_head)[:, None] * d + within[None, :]).reshape(-1)


def _hparams(config: dict[str, Any]) -> dict[str, Any]:
    """The MiniCPM LLM hyperparameters from an HF config (MiniCPM-V keeps them at the top level)."""
    cfg = config.get("text_config") or config.get("llm_config") or config
    h = {
        "hidden": int(cfg["hidden_size"]),
        "layers": int(cfg["num_hidden_layers"]),
        "heads": int(cfg["num_attention_heads"]),
        "kv_heads": int(cfg.get("num_key_value_heads") or cfg["num_attention_heads"]),
        "ffn": int(cfg["intermediate_size"]),
        "vocab": int(cfg["vocab_size"]),
        "ctx": int(cfg.get("max_position_embeddings", 4096)),
        "eps": float(cfg.get("rms_norm_eps", 1e-5)),
        "theta": float(cfg.get("rope_theta", 10000.0)),
        "scale_emb": float(cfg["scale_emb"]),
        "scale_depth": float(cfg["scale_depth"]),
        "dim_model_base": float(cfg["dim_model_base"]),
        "bos": int(cfg.get("bos_token_id", 1)),
        "eos": int(cfg.get("eos_token_id", 2)) if not isinstance(cfg.get("eos_token_id"), list) else 2,
    }
    if cfg.get("rope_scaling"):
        raise ValueError("rope_scaling is not supported by this writer (MiniCPM-V 2.0 has none)")
    return h


def _tensor_plan(st: SafetensorsDir, hp: dict[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    """(gguf name, checkpoint name, permute kind 'q'/'k'/None) for every tensor, in llama.cpp's usual order."""
    prefix = "llm." if "llm.model.embed_tokens.weight" in st else ""
    m = f"{prefix}model."
    yield "token_embd.weight", f"{m}embed_tokens.weight", None
    for i in range(hp["layers"]):
        src = f"{m}layers.{i}."
        yield f"blk.{i}.attn_norm.weight", f"{src}input_layernorm.weight", None
        yield f"blk.{i}.attn_q.weight", f"{src}self_attn.q_proj.weight", "q"
        yield f"blk.{i}.attn_k.weight", f"{src}self_attn.k_proj.weight", "k"
        yield f"blk.{i}.attn_v.weight", f"{src}self_attn.v_proj.weight", None
        yield f"blk.{i}.attn_output.weight", f"{src}self_attn.o_proj.weight", None
        yield f"blk.{i}.ffn_norm.weight", f"{src}post_attention_layernorm.weight", None
        yield f"blk.{i}.ffn_gate.weight", f"{src}mlp.gate_proj.weight", None
        yield f"blk.{i}.ffn_up.weight", f"{src}mlp.up_proj.weight", None
        yield f"blk.{i}.ffn_down.weight", f"{src}mlp.down_proj.weight", None
    yield "output_norm.weight", f"{m}norm.weight", None
    if f"{prefix}lm_head.weight" in st:  # absent = tied; llama.cpp then reuses token_embd
        yield "output.weight", f"{prefix}lm_head.weight", None


def _converted(st: SafetensorsDir, name: str, permute: np.ndarray | None) -> np.ndarray:
    """One tensor as written to the GGUF: f32 for 1-D, f16 (rows permuted if asked) for 2-D, in row chunks."""
    raw = st.raw(name)
    bf16 = st.is_bf16(name)
    if raw.ndim == 1:
        return _to_f32(raw, bf16)
    if permute is not None:
        raw = raw[permute]  # a copy of the raw bf16 rows (small: q/k are hidden x hidden)
    out = np.empty(raw.shape, dtype=np.float16)
    for r0 in range(0, raw.shape[0], _ROWS_PER_CHUNK):
        out[r0 : r0 + _ROWS_PER_CHUNK] = _to_f32(raw[r0 : r0 + _ROWS_PER_CHUNK], bf16)
    return out


def write_gguf(checkpoint: str | Path, out: str | Path, *, name: str = "minicpm-v-2 llm (synthetic)") -> Path:
    """Write an f16 GGUF of the checkpoint's MiniCPM LLM; tensors are streamed one at a time."""
    import gguf

    root, out = Path(checkpoint), Path(out)
    st = SafetensorsDir(root)
    hp = _hparams(json.loads((root / "config.json").read_text()))
    plan = list(_tensor_plan(st, hp))
    missing = [src for _, src, _ in plan if src not in st]
    if missing:
        raise KeyError(f"checkpoint {root} lacks {len(missing)} tensors, e.g. {missing[:3]}")
    perms = {
        "q": rope_pairs_permutation(hp["heads"] * (hp["hidden"] // hp["heads"]), hp["heads"]),
        "k": rope_pairs_permutation(hp["kv_heads"] * (hp["hidden"] // hp["heads"]), hp["kv_heads"]),
    }

    w = gguf.GGUFWriter(out, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.MINICPM])
    w.add_name(name)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_context_length(hp["ctx"])
    w.add_embedding_length(hp["hidden"])
    w.add_block_count(hp["layers"])
    w.add_feed_forward_length(hp["ffn"])
    w.add_head_count(hp["heads"])
    w.add_head_count_kv(hp["kv_heads"])
    w.add_rope_dimension_count(hp["hidden"] // hp["heads"])
    w.add_rope_freq_base(hp["theta"])
    w.add_layer_norm_rms_eps(hp["eps"])
    w.add_vocab_size(hp["vocab"])
    w.add_embedding_scale(hp["scale_emb"])
    w.add_residual_scale(hp["scale_depth"] / math.sqrt(hp["layers"]))
    w.add_logit_scale(hp["hidden"] / hp["dim_model_base"])
    _add_placeholder_vocab(w, gguf, hp)

    for gname, src, _ in plan:
        shape = st.shape(src)
        if len(shape) == 1:
            w.add_tensor_info(gname, shape, np.dtype(np.float32), math.prod(shape) * 4)
        else:
            w.add_tensor_info(gname, shape, np.dtype(np.float16), math.prod(shape) * 2)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    t0 = time.perf_counter()
    for n, (gname, src, perm) in enumerate(plan, start=1):
        w.write_tensor_data(_converted(st, src, perms[perm] if perm else None))
        if n % 50 == 0:
            log.info("wrote %d/%d tensors (%s)", n, len(plan), gname)
    w.close()
    log.info("wrote %s (%.2f GB) in %.0f s", out, out.stat().st_size / 1e9, time.perf_counter() - t0)
    return out


def _add_placeholder_vocab(w: Any, gguf: Any, hp: dict[str, Any]) -> None:
    """A SentencePiece ('llama') vocabulary of the right size; ids 0/1/2 = unk/bos/eos as in MiniCPM's."""
    v = hp["vocab"]
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    tokens += [f"▁tok{i}" for i in range(len(tokens), v)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    types += [gguf.TokenType.BYTE] * 256 + [gguf.TokenType.NORMAL] * (v - 259)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens[:v])
    w.add_token_scores([0.0] * 259 + [-float(i) for i in range(v - 259)])
    w.add_token_types(types[:v])
    w.add_unk_token_id(0)
    w.add_bos_token_id(hp["bos"])
    w.add_eos_token_id(hp["eos"])
    w.add_add_bos_token(False)


def quantize_q4_0(src: str | Path, dst: str | Path, *, threads: int = 2, pure: bool = False) -> Path:
    """llama.cpp's own quantizer (through llama-cpp-python): f16 GGUF -> Q4_0.

    Default mix (`pure=False`, what `llama-quantize ... Q4_0` gives): every 2-D weight Q4_0 except `output.weight`,
    which llama.cpp keeps at Q6_K. `pure=True`: every weight Q4_0, lm_head included (like our int4 decoder).
    """
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0
    params.nthread = threads
    params.pure = pure
    t0 = time.perf_counter()
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params)
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize({src} -> {dst}) failed with {rc}")
    log.info("quantized %s -> %s (Q4_0%s) in %.0f s", src, dst, " pure" if pure else "", time.perf_counter() - t0)
    return Path(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("out", type=Path, help="f16 GGUF to write")
    parser.add_argument("--q4-0", type=Path, help="also quantize to this Q4_0 GGUF")
    parser.add_argument("--pure", action="store_true", help="Q4_0 for output.weight too (llama-quantize --pure)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[gguf] %(message)s", stream=sys.stderr)
    write_gguf(args.checkpoint, args.out)
    if args.q4_0:
        quantize_q4_0(args.out, args.q4_0, threads=args.threads, pure=args.pure)


if __name__ == "__main__":
    main()
