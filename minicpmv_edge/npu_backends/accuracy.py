"""The one held-out accuracy loop of every NPU backend: a candidate encoder against the fp32 graph on ONNX Runtime's
CPU provider, image by image; the worst image decides. A non-finite output scores NaN and fails every gate."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from minicpmv_edge.numerics import cosine, max_abs, meets
from minicpmv_edge.presets import ENCODER_INPUT

log = logging.getLogger(__name__)

REFERENCE = "fp32 encoder on ONNX Runtime CPU"


@dataclass
class Accuracy:
    """Candidate vs fp32 on held-out images."""

    cosine: float  # the worst image's; NaN if any output was not finite
    cosine_mean: float
    max_abs: float
    heldout_images: int
    per_image_cosine: list[float]
    provenance: str  # where the candidate ran: emulated | device-measured | host-measured
    seconds_per_image: float | None  # wall time of the candidate here: NOT a device latency when emulated
    reference: str = REFERENCE

    def passes(self, threshold: float) -> bool:
        """`cosine >= threshold`, false for NaN (so no non-finite output or threshold switches a gate off)."""
        return meets(self.cosine, threshold)


def _score(got: np.ndarray, want: np.ndarray) -> tuple[float, float]:
    got = np.asarray(got, dtype=np.float32).reshape(want.shape)
    if not np.isfinite(got).all():
        return math.nan, math.inf
    return cosine(got, want), max_abs(got, want)


def fp32_outputs(
    fp32_model: Path, batches: list[np.ndarray], threads: int | None = None, input_name: str = ENCODER_INPUT
) -> list[np.ndarray]:
    """The reference outputs of `batches` (float32 `[1,3,S,S]` in [-1,1]); the session is freed before returning,
    so a full-size fp32 encoder and a candidate need not sit in memory together."""
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    reference = ort.InferenceSession(str(fp32_model), opts, providers=["CPUExecutionProvider"])
    return [reference.run(None, {input_name: x})[0] for x in batches]


def heldout_accuracy(
    fp32_model: Path,
    batches: list[np.ndarray],
    candidate: Callable[[int, np.ndarray], np.ndarray],
    *,
    provenance: str,
    what: str,
    threads: int | None = None,
    input_name: str = ENCODER_INPUT,
) -> Accuracy:
    """Score `candidate(i, batch)` (the candidate's output for held-out image i) against fp32 on every batch."""
    wanted = fp32_outputs(fp32_model, batches, threads, input_name)
    cosines, worst_abs, spent = [], 0.0, 0.0
    for i, (x, want) in enumerate(zip(batches, wanted, strict=True)):
        t0 = time.perf_counter()
        got = candidate(i, x)
        spent += time.perf_counter() - t0
        c, m = _score(got, want)
        cosines.append(c)
        worst_abs = max(worst_abs, m)
        log.info("%s: held-out image %d/%d, cosine %.6f (%s)", what, i + 1, len(batches), c, provenance)
    worst = float(np.min(cosines))  # NaN propagates (Python's min() would depend on the order)
    return Accuracy(
        cosine=round(worst, 6),
        cosine_mean=round(float(np.mean(cosines)), 6),
        max_abs=round(worst_abs, 6),
        heldout_images=len(batches),
        per_image_cosine=[round(c, 6) for c in cosines],
        provenance=provenance,
        seconds_per_image=round(spent / len(batches), 3) if batches else None,
    )
