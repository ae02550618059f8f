"""Encoder sessions: one interface for every backend, so the orchestrator never branches on one.

A backend is a factory `(bundle, options) -> EncoderSession`, looked up by name; NPU backends live in
`minicpmv_edge.npu_backends` and are imported only when asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.timings import cpu_provenance


@dataclass(frozen=True)
class EncoderOptions:
    target: str | None = None  # chip key for NPU backends
    threads: int | None = None
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
    """The exported fp32 encoders on ONNX Runtime's CPU provider; one session per shape, opened on first use."""

    name = "cpu"

    def __init__(self, bundle: Bundle, options: EncoderOptions) -> None:
        self.provenance = cpu_provenance()
        self._bundle = bundle
        self._options = options
        self._sessions: dict[int, ort.InferenceSession] = {}

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        size = pixel_values.shape[-1]
        if size not in self._sessions:
            path = self._bundle.encoder_file(size)
            self._sessions[size] = ort.InferenceSession(
                str(path), session_options(self._options.threads), providers=["CPUExecutionProvider"]
            )
        (out,) = self._sessions[size].run(None, {"pixel_values": pixel_values})
        return out[0]


# backend name -> "module:factory"; NPU backends register here and are imported lazily
BACKENDS: dict[str, str] = {
    "cpu": "minicpmv_edge.runtime.encoders:OnnxCpuEncoder",
    "qnn": "minicpmv_edge.npu_backends.qnn_session:QnnEncoder",
    "axengine": "minicpmv_edge.npu_backends.axengine_session:AxEngineEncoder",
    "tvm": "minicpmv_edge.npu_backends.tvm_session:TvmEncoder",
}


def open_encoder(bundle: Bundle, backend: str = "cpu", options: EncoderOptions | None = None) -> EncoderSession:
    if backend not in BACKENDS:
        raise EdgeError(f"unknown encoder backend {backend!r}; known: {', '.join(BACKENDS)}")
    module, factory = BACKENDS[backend].split(":")
    return getattr(importlib.import_module(module), factory)(bundle, options or EncoderOptions())
