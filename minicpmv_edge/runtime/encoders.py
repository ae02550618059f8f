"""Encoder sessions: one interface for every backend, so neither the orchestrator nor `bench` branches on one.

`open_encoder` picks the session from the target chip alone: no chip (or `cpu=True`) is an exported graph on ONNX
Runtime's CPU provider (`default_cpu_precision` unless asked); a chip is the bundle's build for it, run by the
session its backend names in `npu_backends.registry` (imported only when used, since each needs its own runtime).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.npu_backends import registry
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.presets import ENCODER_INPUT
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.timings import cpu_provenance


@dataclass(frozen=True)
class EncoderOptions:
    threads: int | None = None  # CPU threads for ONNX Runtime sessions (None: ORT's default, the physical cores)


class EncoderSession(Protocol):
    name: str  # what runs it: cpu | qnn | axengine | tvm
    chip: str | None  # chip key it runs for (None: this host's CPU)
    precision: str  # e.g. fp32, w8a16, u16
    provenance: str  # label of every timing it produces: host-measured | emulated | device-measured

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        ...


def session_options(threads: int | None) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return opts


CPU_PRECISIONS = ("plain", "fp32", "int8")


def default_cpu_precision(bundle: Bundle) -> str:
    """The fastest CPU graph whose recorded cosine vs torch fp32 holds `CPU_MIN_COSINE` at every size
    (`Vision.fastest_accurate_cpu`); the plain static graph when none does or the bundle has none."""
    vision = bundle.manifest.vision
    return (vision.fastest_accurate_cpu() if vision else None) or "plain"


class OnnxCpuEncoder:
    """The exported encoders on ONNX Runtime's CPU provider; one session per shape, opened on first use.

    `precision`: "plain" runs the static fp32 graphs NPU compilers take; "fp32" and "int8" run the CPU-only graphs
    (`vision.cpu_encoders`: ORT-fused fp32, MatMulNBits int8). Default: `default_cpu_precision`.
    """

    name = "cpu"
    chip = None

    def __init__(self, bundle: Bundle, options: EncoderOptions, precision: str | None = None) -> None:
        self.provenance = cpu_provenance()
        self._bundle = bundle
        self._options = options
        self.precision = precision or default_cpu_precision(bundle)
        if self.precision not in CPU_PRECISIONS:
            raise EdgeError(f"unknown CPU precision {self.precision!r}; choose from {', '.join(CPU_PRECISIONS)}")
        for size in bundle.encoder_sizes()[:1]:  # a missing CPU graph fails when the session opens, not mid-run
            self._file(size)
        self._sessions: dict[int, ort.InferenceSession] = {}

    def _file(self, size: int) -> Path:
        if self.precision == "plain":
            return self._bundle.encoder_file(size)
        return self._bundle.cpu_encoder_file(self.precision, size)

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        size = pixel_values.shape[-1]
        if size not in self._sessions:
            self._sessions[size] = ort.InferenceSession(
                str(self._file(size)), session_options(self._options.threads), providers=["CPUExecutionProvider"]
            )
        (out,) = self._sessions[size].run(None, {ENCODER_INPUT: pixel_values})
        return out[0]

    def release(self) -> None:
        """Drop the open sessions and their weights (reopened on the next `encode`)."""
        self._sessions.clear()


def open_encoder(
    bundle: Bundle, target: str | None = None, precision: str | None = None, options: EncoderOptions | None = None
) -> EncoderSession:
    """The CPU encoder without `target` (`precision`: its graph, default `default_cpu_precision`); else the
    session of the bundle's build for that chip (and precision)."""
    options = options or EncoderOptions()
    if target is None:  # `precision` picks the CPU graph: plain | fp32 | int8
        return OnnxCpuEncoder(bundle, options, precision)
    chip = get_chip(target)
    build = bundle.build_for(chip.key, precision)
    if build.runtime is None:
        raise BundleError(
            f"build {build.name} of {bundle.root} has nothing a runtime can load yet (see {build.report}: its "
            "next steps say what to run where)"
        )
    return registry.load(registry.RUNTIMES[build.runtime])(bundle, build, options)
