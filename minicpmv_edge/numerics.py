"""Accuracy metrics shared by export parity and NPU numerics checks (numpy only).

Non-finite values never pass a gate: `cosine`/`max_abs` of tensors holding NaN or inf are NaN, `worst` keeps a
NaN instead of letting `min`/`max` drop it (Python's `min(1.0, nan)` is 1.0), and `meets` is False for NaN.
Every gate compares with `meets`, never with `<`, which NaN slips through.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two tensors, flattened, in float64; NaN when either holds a non-finite value."""
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    if not (np.isfinite(a64).all() and np.isfinite(b64).all()):
        return math.nan
    return float(a64 @ b64 / (np.linalg.norm(a64) * np.linalg.norm(b64) + 1e-30))


def max_abs(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise difference; NaN when either tensor holds a non-finite value."""
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return float(diff.max()) if np.isfinite(diff).all() else math.nan


def worst(values: Iterable[float], *, lowest: bool = True) -> float:
    """The minimum (or, with `lowest=False`, maximum) of `values`, NaN if any is NaN; NaN for no values."""
    values = list(values)
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return min(values) if lowest else max(values)


def meets(score: float, threshold: float) -> bool:
    """A gate: True only for a finite `score` at or above a finite `threshold`."""
    return math.isfinite(score) and math.isfinite(threshold) and score >= threshold
