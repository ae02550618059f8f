"""Next-token choice: greedy, or temperature + top-k + top-p with a repetition penalty (upstream's chat defaults)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from minicpmv_edge.errors import EdgeError

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 0.8
    top_k: int = 100
    repetition_penalty: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        """Refuse values numpy would crash on or silently misuse (NaN temperature, negative seed, top_p > 1)."""
        if not (math.isfinite(self.temperature) and self.temperature >= 0):
            raise EdgeError(f"temperature must be a finite number >= 0, got {self.temperature}")
        if not (math.isfinite(self.top_p) and 0 < self.top_p <= 1):
            raise EdgeError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.top_k < 0:
            raise EdgeError(f"top_k must be 0 (off) or more, got {self.top_k}")
        if not (math.isfinite(self.repetition_penalty) and self.repetition_penalty > 0):
            raise EdgeError(f"repetition_penalty must be a finite number > 0, got {self.repetition_penalty}")
        if not 0 <= self.seed <= MAX_SEED:
            raise EdgeError(f"seed must be from 0 to {MAX_SEED}, got {self.seed}")


class Sampler:
    def __init__(self, cfg: Sampling) -> None:
        self.cfg = cfg
        self._rng = np.random.default_rng(cfg.seed)

    def __call__(self, logits: np.ndarray, history: list[int]) -> int:
        """Pick a token id from `logits` `[V]` float32 (unnormalised), penalising ids in `history`.

        Non-finite logits mean broken weights (or a broken NPU build): that is an error, not a token.
        """
        cfg = self.cfg
        scores = logits.astype(np.float64)
        if not np.isfinite(scores).all():
            raise EdgeError("the decoder produced non-finite logits (NaN or inf): the bundle's weights are broken")
        if cfg.repetition_penalty != 1.0 and history:
            seen = np.unique(np.asarray(history))
            vals = scores[seen]
            scores[seen] = np.where(vals > 0, vals / cfg.repetition_penalty, vals * cfg.repetition_penalty)
        if cfg.temperature <= 0:
            return int(np.argmax(scores))
        with np.errstate(over="ignore"):
            scores = scores / cfg.temperature
        if not np.isfinite(scores).all():  # a temperature so small that logits overflow: that is greedy
            return int(np.argmax(scores))
        k = min(cfg.top_k, scores.size) if cfg.top_k > 0 else scores.size
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        probs = np.exp(scores[top] - scores[top[0]])
        probs /= probs.sum()
        keep = int(np.searchsorted(np.cumsum(probs), cfg.top_p) + 1)
        probs = probs[:keep] / probs[:keep].sum()
        return int(self._rng.choice(top[:keep], p=probs))
