"""Next-token choice: greedy, or temperature + top-k + top-p with a repetition penalty (upstream's chat defaults)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 0.8
    top_k: int = 100
    repetition_penalty: float = 1.0
    seed: int = 0


class Sampler:
    def __init__(self, cfg: Sampling) -> None:
        self.cfg = cfg
        self._rng = np.random.default_rng(cfg.seed)

    def __call__(self, logits: np.ndarray, history: list[int]) -> int:
        """Pick a token id from `logits` `[V]` float32 (unnormalised), penalising ids in `history`."""
        cfg = self.cfg
        scores = logits.astype(np.float64)
        if cfg.repetition_penalty != 1.0 and history:
            seen = np.unique(np.asarray(history))
            vals = scores[seen]
            scores[seen] = np.where(vals > 0, vals / cfg.repetition_penalty, vals * cfg.repetition_penalty)
        if cfg.temperature <= 0:
            return int(np.argmax(scores))
        scores = scores / cfg.temperature
        k = min(cfg.top_k, scores.size) if cfg.top_k > 0 else scores.size
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        probs = np.exp(scores[top] - scores[top[0]])
        probs /= probs.sum()
        keep = int(np.searchsorted(np.cumsum(probs), cfg.top_p) + 1)
        probs = probs[:keep] / probs[:keep].sum()
        return int(self._rng.choice(top[:keep], p=probs))
