"""The one backend registry: each NPU backend's name, the chips it serves, its compile step, the runtime session that
runs its builds, and the options it takes.

Everything is named by import path and imported only when used, since each backend pulls in its own toolchain
(onnxruntime-qnn, qai-hub, pyaxengine, TVM). `compile` and `run`/`bench` look backends up here and nowhere else, so
neither branches on a backend's name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends.chips import CHIPS, Chip


@dataclass(frozen=True)
class BackendSpec:
    name: str
    compiler: str  # "module:Class" implementing npu_backends.base.NpuBackend
    runtime: str | None  # name of the runtime session (RUNTIMES) that runs its builds; None: no runtime here
    options: tuple[str, ...]  # backend options it accepts (CLI: --<option with dashes>)
    route: bool = False  # an alternative compile route for another backend's chips (`compile --via`)

    def chips(self) -> list[Chip]:
        """Chips this backend compiles for (a route serves its base backend's chips)."""
        base = "qnn" if self.route else self.name
        return [chip for chip in CHIPS if chip.backend == base]


_QNN_OPTIONS = ("allow_cpu_fallback", "calibration_images", "heldout_images")
BACKENDS: dict[str, BackendSpec] = {
    spec.name: spec
    for spec in (
        BackendSpec("qnn", "minicpmv_edge.npu_backends.qnn:QnnBackend", "qnn", _QNN_OPTIONS),
        BackendSpec(
            "qai-hub",
            "minicpmv_edge.npu_backends.qai_hub:QaiHubBackend",
            "qnn",  # AI Hub returns the same EPContext ONNX + QNN context binary a local QNN compile writes
            (*_QNN_OPTIONS, "device", "hub_compile_options", "hub_profile_options"),
            route=True,
        ),
        BackendSpec(
            "ax650",
            "minicpmv_edge.npu_backends.ax650:Ax650Backend",
            "axengine",
            ("npu_mode", "device", "allow_cpu_fallback", "calibration_images", "heldout_images"),
        ),
        BackendSpec(
            "tvm",
            "minicpmv_edge.npu_backends.tvm:TvmBackend",
            "tvm",
            ("tune_trials", "max_trials_per_task", "tune_ops", "heldout_images", "timing_runs", "cross_cxx"),
        ),
    )
}

# runtime session name -> "module:Class" of a runtime.encoders.EncoderSession, built from (bundle, build, options)
RUNTIMES: dict[str, str] = {
    "qnn": "minicpmv_edge.npu_backends.qnn_session:QnnEncoder",
    "axengine": "minicpmv_edge.npu_backends.axengine_session:AxEngineEncoder",
    "tvm": "minicpmv_edge.npu_backends.tvm_session:TvmEncoder",
}


def get_backend(name: str) -> BackendSpec:
    if name not in BACKENDS:
        raise EdgeError(f"unknown compile backend {name!r}; known: {', '.join(BACKENDS)}")
    return BACKENDS[name]


def backend_for(chip: Chip, via: str | None = None) -> BackendSpec:
    """The backend that compiles for `chip`: its own, or the route `via` (which must serve that chip)."""
    spec = get_backend(via or chip.backend)
    if chip not in spec.chips():
        raise EdgeError(f"--via {spec.name} does not compile for {chip.key} ({chip.name})")
    return spec


def check_options(spec: BackendSpec, chip: Chip, given: dict[str, Any]) -> None:
    """Refuse an option the backend does not take, naming the flag: never silently ignore one."""
    for key in given:
        if key not in spec.options:
            takes = ", ".join(f"--{o.replace('_', '-')}" for o in spec.options) or "none"
            raise EdgeError(
                f"--{key.replace('_', '-')} is not an option of the {spec.name} backend ({chip.key}); it takes {takes}"
            )


def load(path: str) -> Any:
    """The class named by a registry entry ("module:Class")."""
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)
