"""The bundle's tokenizer: the checkpoint's own `tokenizer.json`, or a generated one for synthetic presets.

The generated tokenizer is byte-level BPE trained on a small built-in English corpus, padded with reserved tokens to
the preset's exact vocab size, with every special token at its reference id (2.0 `<unk>`=0, 2.6 `<unk>`=128244,
...), so prompt layouts and the embedding splice behave exactly as with the real vocabularies.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

from minicpmv_edge.errors import CheckpointError
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

TOKENIZER_FILE = "tokenizer.json"

_SUBJECTS = ["a dog", "two dogs", "a cat", "a person", "a child", "a car", "a red bus", "a bicycle", "a cup of coffee",
             "a receipt", "a chart", "a document", "a street", "a window", "a wooden house", "the sky", "a tree",
             "a table", "a phone screen", "a sign", "a plate of food", "a mountain", "the sea", "a book"]  # fmt: skip
_VERBS = ["is looking out of", "is standing next to", "is sitting on", "is shown in front of", "is printed on",
          "is lying under", "appears behind", "is placed beside"]  # fmt: skip
_EXTRAS = ["The image shows", "In the picture,", "This photo contains", "There is", "Describe the image.",
           "What is written on the sign?", "The total is 42.50 dollars.", "The chart has 3 bars: 10, 25 and 40.",
           "Answer the question about the image.", "The colors are blue, green, white and brown."]  # fmt: skip


def _corpus() -> list[str]:
    lines = [f"{a} {v} {b}." for a, v, b in itertools.product(_SUBJECTS, _VERBS, _SUBJECTS[::5])]
    return lines + _EXTRAS + [str(n) for n in range(1000)]


def synthetic_tokenizer(preset: ModelPreset) -> Tokenizer:
    """A byte-level BPE tokenizer with exactly `vocab_size` ids and the preset's special tokens at their ids."""
    vocab_size = preset.llm.vocab_size
    specials = preset.prompt.special_tokens
    if max(specials.values()) >= vocab_size:
        raise ValueError(f"special token ids of {preset.name} do not fit its vocab size {vocab_size}")
    trainer_size = min(vocab_size - len(specials), 4096)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=trainer_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    bpe.train_from_iterator(_corpus(), trainer=trainer)
    learned = sorted(bpe.get_vocab().items(), key=lambda kv: kv[1])
    merges = json.loads(bpe.to_str())["model"]["merges"]
    free_ids = (i for i in range(vocab_size) if i not in set(specials.values()))
    vocab = dict(specials)
    for (token, _), new_id in zip(learned, free_ids, strict=False):
        vocab[token] = new_id
    for n, new_id in enumerate(free_ids):  # unreachable fillers: the id space matches the real vocabulary
        vocab[f"<|reserved_{n}|>"] = new_id
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m) for m in merges]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tokenizer


def check_special_ids(tokenizer: Tokenizer, preset: ModelPreset, where: str) -> None:
    """The prompt builder and the splice rely on these ids; a tokenizer from another version would break both."""
    wrong = [
        f"{tok}={tokenizer.token_to_id(tok)} (expected {tid})"
        for tok, tid in preset.prompt.special_tokens.items()
        if tokenizer.token_to_id(tok) != tid
    ]
    if wrong:
        raise CheckpointError(f"tokenizer {where} does not fit {preset.name}: {', '.join(wrong[:6])}")


def write_tokenizer(preset: ModelPreset, checkpoint: Path | None, out_dir: Path) -> dict[str, Any]:
    """Write `out_dir/tokenizer.json` (copied from the checkpoint, or generated) and return its manifest entry."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / TOKENIZER_FILE
    if checkpoint is None:
        log.info("generating a synthetic %d-token tokenizer", preset.llm.vocab_size)
        synthetic_tokenizer(preset).save(str(target))
        source = "generated (synthetic byte-level BPE, reference special-token ids)"
    else:
        src = checkpoint / TOKENIZER_FILE
        if not src.is_file():
            raise CheckpointError(f"checkpoint {checkpoint} has no {TOKENIZER_FILE} (needed by the runtime)")
        check_special_ids(Tokenizer.from_file(str(src)), preset, str(src))
        shutil.copyfile(src, target)
        source = f"copied from {src}"
    return {"file": f"{out_dir.name}/{TOKENIZER_FILE}", "source": source, "vocab_size": preset.llm.vocab_size}
