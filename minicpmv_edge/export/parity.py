"""Proof that an exported encoder computes what the PyTorch reference computes."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from minicpmv_edge.export.vision_onnx import INPUT_NAME
from minicpmv_edge.model.encoder import VisionEncoder
from minicpmv_edge.numerics import cosine, max_abs, worst

log = logging.getLogger(__name__)

MIN_COSINE = 0.9999


@dataclass(frozen=True)
class Parity:
    """Worst case over the inputs: `cosine` of the flattened outputs, `max_abs` elementwise error.

    Both are NaN when any output (torch's or ONNX Runtime's) held a NaN or inf: such an export never passes.
    """

    cosine: float
    max_abs: float
    inputs: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def reference_outputs(reference: VisionEncoder, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The eager torch encoder (positions computed on the fly, like upstream) on each `[1,3,S,S]` input."""
    with torch.no_grad():
        return {label: reference(torch.from_numpy(pixels)).numpy() for label, pixels in inputs.items()}


def compare_onnx(onnx_path: Path, inputs: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> Parity:
    """Run ONNX Runtime CPU on each input and compare with the reference outputs `[1,Q,D]`."""
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    cosines, diffs = [], []
    for label, pixels in inputs.items():
        (got,) = session.run(None, {INPUT_NAME: pixels})
        cosines.append(cosine(expected[label], got))
        diffs.append(max_abs(expected[label], got))
        log.info("parity %s on %s: cosine %.7f, max abs %.3g", onnx_path.name, label, cosines[-1], diffs[-1])
    return Parity(cosine=worst(cosines), max_abs=worst(diffs, lowest=False), inputs=list(inputs))


def check_parity(reference: VisionEncoder, onnx_path: Path, inputs: dict[str, np.ndarray]) -> Parity:
    """Reference and ONNX Runtime side by side on the same inputs."""
    return compare_onnx(onnx_path, inputs, reference_outputs(reference, inputs))
