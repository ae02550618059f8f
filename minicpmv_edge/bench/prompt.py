"""A benchmark question of a chosen length, so a run's prefill compares with a reference's "96-token prompt".

What is counted: the token ids of the question text alone, encoded with the bundle's own tokenizer
(`tokenizer.json`, no special tokens added): no BOS, no chat template, no image placeholders. The prefill adds
those on top; the report gives both counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from minicpmv_edge.errors import EdgeError

COUNTED = (
    "text tokens of the question alone, encoded with the bundle's tokenizer.json (no BOS, chat template or image "
    "placeholder tokens; the prefill adds those)"
)
OPENING = "Describe this image in detail."
# Plain English filler (an actual question, so the tokenizer sees ordinary text, not one repeated word)
FILLER_TEXT = (
    "List every object you can see, where it is in the picture, its colour and its size compared with the "
    "other objects. Read out any text, numbers or signs exactly as they are written. Say what the people or "
    "animals are doing, what the weather and the light are like, and whether the photo was taken indoors or "
    "outdoors. Finally explain what probably happened just before the picture was taken and what may happen next."
)
FILLER = FILLER_TEXT.split()


@dataclass(frozen=True)
class BenchPrompt:
    text: str
    tokens: int  # as counted (see COUNTED)
    requested: int


def build_prompt(encode: Callable[[str], list[int]], target: int) -> BenchPrompt:
    """The question whose token count is closest to `target` (words added from FILLER, cycling, as needed)."""
    if target < 1:
        raise EdgeError(f"--prompt-tokens must be at least 1, got {target}")

    def text(n_words: int) -> str:
        words = [FILLER[i % len(FILLER)] for i in range(n_words)]
        return " ".join([OPENING, *words]) if n_words else OPENING

    def count(n_words: int) -> int:
        return len(encode(text(n_words)))

    if count(0) >= target:  # even the opening is long enough: cut it word by word
        words = OPENING.split()
        best = min((" ".join(words[:k]) for k in range(1, len(words) + 1)), key=lambda t: abs(len(encode(t)) - target))
        return BenchPrompt(best, len(encode(best)), target)
    lo, hi = 0, 1
    while count(hi) < target:  # every word adds at least one token, so this ends
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if count(mid) < target else (lo, mid)
    n = min((lo, hi), key=lambda k: (abs(count(k) - target), k))
    return BenchPrompt(text(n), count(n), target)
