"""`run --encoder qnn`: the compiled HTP context binaries as an `EncoderSession`. No torch, no quantization tooling.

Loads `BUNDLE/compiled/qnn-<chip>-<precision>/encoder_<S>_ctx.onnx` through ONNX Runtime's QNN EP with CPU fallback
disabled (unless the compile report recorded accepted fallback). Timings are labelled honestly: "emulated" on an
x86_64 host (the HTP emulator, far slower than a phone) and "device-measured" only on a real Snapdragon.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends import qnn_ep
from minicpmv_edge.npu_backends.chips import Chip, get_chip
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions
from minicpmv_edge.userfiles import read_json

log = logging.getLogger(__name__)

PRECISION_PREFERENCE = ("w8a16", "w8a8", "fp16")  # most accurate quantized build first


def _qnn_builds(bundle: Bundle) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in bundle.manifest.get("compiled", {}).items() if k.startswith("qnn-")}


def _pick_chip(bundle: Bundle, target: str | None, builds: dict[str, dict[str, Any]]) -> Chip:
    if target:
        return get_chip(target)
    chips = sorted({name.split("-")[1] for name in builds})
    if len(chips) == 1:
        return get_chip(chips[0])
    if not chips:
        raise EdgeError(
            f"bundle {bundle.root} has no QNN build: run `minicpmv-edge compile {bundle.root} --target sm8650` "
            "(or your chip) first"
        )
    raise EdgeError(f"bundle {bundle.root} has QNN builds for {', '.join(chips)}: pick one with --target")


def pick_build(bundle: Bundle, target: str | None, precision: str | None = None) -> tuple[Chip, str]:
    """(chip, build folder name) for `target`: the requested precision, else w8a16 > w8a8 > fp16."""
    builds = _qnn_builds(bundle)
    chip = _pick_chip(bundle, target, builds)
    have = {name.rsplit("-", 1)[1]: name for name in builds if name.startswith(f"qnn-{chip.key}-")}
    order = (precision.lower(),) if precision else (*PRECISION_PREFERENCE, *sorted(have))
    for p in order:
        if p in have:
            return chip, have[p]
    wanted = f" at {precision}" if precision else ""
    raise EdgeError(
        f"bundle {bundle.root} is not compiled for {chip.key}{wanted}: run `minicpmv-edge compile {bundle.root} "
        f"--target {chip.key}{f' --precision {precision}' if precision else ''}` first"
    )


class QnnEncoder:
    """Compiled encoders on the Qualcomm HTP via ONNX Runtime's QNN EP; one session per shape, opened on first use.

    `options.target` picks the chip (optional when the bundle has builds for one chip only);
    `options.extra["precision"]` picks a build (default: w8a16 if compiled).
    """

    name = "qnn"

    def __init__(self, bundle: Bundle, options: EncoderOptions) -> None:
        self._options = options
        self.chip, self.build = pick_build(bundle, options.target, options.extra.get("precision"))
        self._dir = bundle.root / bundle.manifest["compiled"][self.build]["dir"]
        report = self._report(self._dir / "report.json")
        self.precision = report.get("precision", self.build.rsplit("-", 1)[1])
        self._fp16 = self.precision == "fp16"
        self._allow_cpu = bool(report.get("allow_cpu_fallback")) and not report.get("whole_graph_on_htp", True)
        self.provenance = qnn_ep.provenance()
        self._sessions: dict[int, ort.InferenceSession] = {}
        log.info("qnn encoder: %s (%s HTP)", self.build, self.provenance)

    @staticmethod
    def _report(path: Path) -> dict[str, Any]:
        try:
            return read_json(path, "compile report")
        except EdgeError:
            return {}

    def _session(self, size: int) -> ort.InferenceSession:
        if size not in self._sessions:
            ctx = self._dir / f"encoder_{size}_ctx.onnx"
            if not ctx.is_file():
                raise EdgeError(
                    f"{self._dir.name} has no {size}x{size} encoder: compile it with --shapes {size} "
                    f"--target {self.chip.key}"
                )
            try:
                self._sessions[size] = qnn_ep.htp_session(
                    ctx,
                    self.chip,
                    fp16=self._fp16,
                    allow_cpu_fallback=self._allow_cpu,
                    threads=self._options.threads,
                )
            except EdgeError:
                raise
            except Exception as err:
                first = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
                raise EdgeError(f"{ctx} does not load on the QNN HTP ({self.chip.key}): {first}") from None
        return self._sessions[size]

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        (out,) = self._session(int(pixel_values.shape[-1])).run(None, {"pixel_values": pixel_values})
        return out[0]
