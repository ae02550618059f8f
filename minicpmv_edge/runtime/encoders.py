"""Encoder sessions: one interface for every backend, so the orchestrator never branches on one.

A backend is a factory `(bundle, options) -> EncoderSession`, looked up by name; NPU backends live in
`minicpmv_edge.npu_backends` and are imported only when asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle

CPU_PRECISIONS = ("plain", "fp32", "int8")


@dataclass(frozen=True)
class EncoderOptions:
    target: str | None = None  # chip key for NPU backends
    threads: int | None = None
    cpu_precision: str | None = None  # cpu backend: plain | fp32 | int8; None = the bundle's cpu_default
    extra: dict[str, str] = field(default_factory=dict)


class EncoderSession(Protocol):
    name: str
    provenance: str  # label of every timing this session produces: host-measured | emulated | device-measured

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        ...


def session_options(threads: int | None) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return opts


class OnnxCpuEncoder:
    """The exported encoders on ONNX Runtime's CPU provider; one session per shape, opened on first use.

    `precision`: "plain" runs the static fp32 graphs NPU compilers take; "fp32" and "int8" run the CPU-only graphs
    (`vision.cpu_encoders`: ORT-fused fp32, dynamic int8). Default: the bundle's `cpu_default`.
    """

    name = "cpu"
    provenance = "host-measured"

    def __init__(self, bundle: Bundle, options: EncoderOptions) -> None:
        self._bundle = bundle
        self._options = options
        self.precision = options.cpu_precision or bundle.cpu_default
        if self.precision not in CPU_PRECISIONS:
            raise EdgeError(f"unknown CPU precision {self.precision!r}; choose from {', '.join(CPU_PRECISIONS)}")
        self._sessions: dict[int, ort.InferenceSession] = {}

    def _file(self, size: int) -> Path:
        if self.precision == "plain":
            return self._bundle.encoder_file(size)
        return self._bundle.cpu_encoder_file(self.precision, size)

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        size = pixel_values.shape[-1]
        if size not in self._sessions:
            self._sessions[size] = ort.InferenceSession(
                str(self._file(size)), session_options(self._options.threads), providers=["CPUExecutionProvider"]
            )
        (out,) = self._sessions[size].run(None, {"pixel_values": pixel_values})
        return out[0]

    def release(self) -> None:
        """Drop the open sessions and their weights (reopened on the next `encode`)."""
        self._sessions.clear()


# backend name -> "module:factory"; NPU backends register here and are imported lazily
BACKENDS: dict[str, str] = {
    "cpu": "minicpmv_edge.runtime.encoders:OnnxCpuEncoder",
    "qnn": "minicpmv_edge.npu_backends.qnn_session:QnnEncoder",
    "axengine": "minicpmv_edge.npu_backends.axengine_session:AxEngineEncoder",
}


def open_encoder(bundle: Bundle, backend: str = "cpu", options: EncoderOptions | None = None) -> EncoderSession:
    if backend not in BACKENDS:
        raise EdgeError(f"unknown encoder backend {backend!r}; known: {', '.join(BACKENDS)}")
    module, factory = BACKENDS[backend].split(":")
    return getattr(importlib.import_module(module), factory)(bundle, options or EncoderOptions())
