"""`tokenizer.json` rebuilt from an LLM GGUF's metadata (tokens, merges, token types, pre-tokenizer name).

llama.cpp keeps the whole vocabulary in the GGUF (`tokenizer.ggml.*`), so a user with only the GGUF files still
gets the tokenizer the runtime needs. Byte-level BPE (`tokenizer.ggml.model = gpt2`) is rebuilt for the
pre-tokenizers MiniCPM-V's LLMs use: Qwen2 (2.6), Llama-3 (2.5) and plain GPT-2. CONTROL tokens become special added
tokens (skipped when decoding), USER_DEFINED ones plain added tokens, as llama.cpp's converter derived them from HF.
SentencePiece vocabularies (`llama`, MiniCPM 2.0's) are refused in one line: rebuilding their merges from scores is
not implemented.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

from minicpmv_edge.errors import CheckpointError
from minicpmv_edge.export.tokenizer import TOKENIZER_FILE, check_special_ids
from minicpmv_edge.model.gguf_file import GgufFile
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

CONTROL, USER_DEFINED = 3, 4  # llama.cpp token types

_WORDS = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|"
_REST = r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
_LLAMA3_SPLIT = _WORDS + r"\p{N}{1,3}" + _REST  # digits in groups of up to three
_QWEN2_SPLIT = _WORDS + r"\p{N}" + _REST  # every digit alone
# tokenizer.ggml.pre -> (split regex or None for GPT-2's built-in one, NFC normalization)
_PRE: dict[str, tuple[str | None, bool]] = {
    "gpt-2": (None, False),
    "default": (None, False),
    "llama-bpe": (_LLAMA3_SPLIT, False),
    "llama3": (_LLAMA3_SPLIT, False),
    "qwen2": (_QWEN2_SPLIT, True),
}


def tokenizer_from_gguf(llm: GgufFile) -> Tokenizer:
    """A `tokenizers.Tokenizer` equivalent to the GGUF's vocabulary (byte-level BPE only)."""
    model = llm.get("tokenizer.ggml.model")
    if model != "gpt2":
        raise CheckpointError(
            f"{llm.path}: tokenizer model {model!r} cannot be rebuilt (only byte-level BPE 'gpt2', as in 2.5/2.6)"
        )
    pre = llm.get("tokenizer.ggml.pre", "default")
    if pre not in _PRE:
        raise CheckpointError(f"{llm.path}: pre-tokenizer {pre!r} is not one of {', '.join(_PRE)}")
    tokens: list[str] = llm.get("tokenizer.ggml.tokens")
    merges: list[str] = llm.get("tokenizer.ggml.merges")
    types: list[int] = llm.get("tokenizer.ggml.token_type", [1] * len(tokens))
    vocab = {token: i for i, token in enumerate(tokens)}
    if len(vocab) != len(tokens):
        raise CheckpointError(f"{llm.path}: tokenizer.ggml.tokens has duplicate entries")
    pairs = []
    for merge in merges:
        left, sep, right = merge.partition(" ")
        if not sep:
            raise CheckpointError(f"{llm.path}: merge {merge!r} is not two tokens")
        pairs.append((left, right))
    tok = Tokenizer(models.BPE(vocab=vocab, merges=pairs, fuse_unk=False))
    split, nfc = _PRE[pre]
    if split is None:
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    else:
        tok.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(split), behavior="isolated", invert=False),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.ByteLevel()
    added = [
        AddedToken(tokens[i], special=kind == CONTROL, normalized=False)
        for i, kind in enumerate(types)
        if kind in (CONTROL, USER_DEFINED)
    ]
    tok.add_tokens(added)
    return tok


def checked_tokenizer(preset: ModelPreset, llm: GgufFile) -> Tokenizer:
    """The tokenizer rebuilt from `llm`, checked against the preset's special ids (prompt layout, splice)."""
    tok = tokenizer_from_gguf(llm)
    check_special_ids(tok, preset, str(llm.path))
    return tok


def write_gguf_tokenizer(tok: Tokenizer, preset: ModelPreset, llm: GgufFile, out_dir: Path) -> dict[str, Any]:
    """Write `out_dir/tokenizer.json` (a `checked_tokenizer`) -> its manifest entry."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tok.save(str(out_dir / TOKENIZER_FILE))
    pre = llm.get("tokenizer.ggml.pre", "default")
    log.info("rebuilt a %d-token tokenizer (pre-tokenizer %s) from %s", tok.get_vocab_size(), pre, llm.path.name)
    return {
        "file": f"{out_dir.name}/{TOKENIZER_FILE}",
        "source": f"rebuilt from the GGUF metadata of {llm.path.name} (byte-level BPE, pre-tokenizer {pre})",
        "vocab_size": preset.llm.vocab_size,
    }
