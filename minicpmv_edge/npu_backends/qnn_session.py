"""`run --encoder qnn`: the compiled HTP context binaries as an `EncoderSession`. No torch, no quantization tooling.

Loads a build's `encoder_<S>_ctx.onnx` through ONNX Runtime's QNN EP with CPU fallback
disabled (unless the compile report recorded accepted fallback). Timings are labelled honestly: "emulated" on an
x86_64 host (the HTP emulator, far slower than a phone) and "device-measured" only on a real Snapdragon.
"""

from __future__ import annotations

import logging

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import BundleError, EdgeError, first_line
from minicpmv_edge.manifest import Build
from minicpmv_edge.npu_backends import qnn_ep
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.presets import ENCODER_INPUT
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions
from minicpmv_edge.safe_json import load_json_file

log = logging.getLogger(__name__)


class QnnEncoder:
    """A build's encoders on the Qualcomm HTP via ONNX Runtime's QNN EP; one session per shape, opened on first use.

    Runs local `qnn` builds and `qai-hub` builds alike (both are EPContext ONNX + QNN context binary).
    """

    name = "qnn"

    def __init__(self, bundle: Bundle, build: Build, options: EncoderOptions) -> None:
        self._bundle = bundle
        self._build = build
        self._options = options
        self._chip = get_chip(build.chip)
        self.chip = self._chip.key
        self.precision = build.precision
        report = load_json_file(bundle.path(build.report), what="compile report", error=BundleError)
        self._allow_cpu = bool(report.get("allow_cpu_fallback")) and not report.get("whole_graph_on_htp", True)
        self.provenance = qnn_ep.provenance()
        self._sessions: dict[int, ort.InferenceSession] = {}
        log.info("qnn encoder: %s (%s HTP)", build.name, self.provenance)

    def _session(self, size: int) -> ort.InferenceSession:
        if size not in self._sessions:
            if size not in self._build.encoders:
                raise EdgeError(
                    f"build {self._build.name} has no {size}x{size} encoder: compile it with --shapes {size} "
                    f"--target {self.chip}"
                )
            ctx = self._bundle.path(self._build.encoders[size].file)
            try:
                self._sessions[size] = qnn_ep.htp_session(
                    ctx,
                    self._chip,
                    fp16=self.precision == "fp16",
                    allow_cpu_fallback=self._allow_cpu,
                    threads=self._options.threads,
                )
            except EdgeError:
                raise
            except Exception as err:
                raise EdgeError(f"{ctx} does not load on the QNN HTP ({self.chip}): {first_line(err)}") from None
        return self._sessions[size]

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        (out,) = self._session(int(pixel_values.shape[-1])).run(None, {ENCODER_INPUT: pixel_values})
        return out[0]
