"""`run --target arm64-a76` (or any TVM chip): a TVM build's shared library as an `EncoderSession`.

On an aarch64 machine it loads the build's `encoder_<S>.aarch64.so` (the target library); elsewhere the
`encoder_<S>.host.so` beside it, the same schedules built for the machine that compiled the bundle. Only TVM's runtime
is used (set TVM_USE_RUNTIME_LIB=1 to skip loading the compiler library on a board). Timings are labelled:
host-measured for the host library, device-measured on a board, emulated under QEMU (the aarch64 harness sets
MINICPMV_EDGE_EMULATED=1).
"""

from __future__ import annotations

import logging
import platform
from typing import Any

import numpy as np

from minicpmv_edge.errors import BundleError, EdgeError, first_line
from minicpmv_edge.manifest import Build
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.npu_backends.tvm import TARGET_ARCH, library_name
from minicpmv_edge.npu_backends.tvm_build import INSTALL_HINT
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions
from minicpmv_edge.runtime.timings import cpu_provenance
from minicpmv_edge.safe_json import load_json_file

log = logging.getLogger(__name__)


def _on_aarch64() -> bool:
    return platform.machine().lower() in ("aarch64", "arm64")


class TvmEncoder:
    """A build's encoders on TVM's runtime (Relax VM); one VM per shape, opened on first use."""

    name = "tvm"

    def __init__(self, bundle: Bundle, build: Build, options: EncoderOptions) -> None:
        try:
            import tvm
            from tvm.runtime.vm import VirtualMachine
        except ImportError:
            raise EdgeError(f"the tvm encoder needs TVM's runtime: {INSTALL_HINT}") from None
        self._tvm, self._vm_class = tvm, VirtualMachine
        self._bundle, self._build = bundle, build
        chip = get_chip(build.chip)
        self.chip, self.precision = chip.key, build.precision
        report = load_json_file(bundle.path(build.report), what="compile report", error=BundleError)
        self._arch = TARGET_ARCH if _on_aarch64() else "host"
        if self._arch == "host":
            built_on = report.get("host_machine")
            if built_on != platform.machine():
                raise EdgeError(
                    f"build {build.name} holds aarch64 libraries and a {built_on} host library; this is "
                    f"{platform.machine()}: recompile the bundle here"
                )
            self._device = tvm.cpu()
            self.provenance = "host-measured"
        else:
            gpu = (chip.tvm_target or {}).get("kind") == "opencl"
            self._device = tvm.opencl(0) if gpu else tvm.cpu()
            if gpu and not self._device.exist:
                raise EdgeError(
                    f"build {build.name} runs on an OpenCL GPU but this TVM runtime has no OpenCL device (the PyPI "
                    "wheel is built without OpenCL: build TVM's runtime with USE_OPENCL=ON)"
                )
            self.provenance = "emulated" if cpu_provenance() == "emulated" else "device-measured"
        self._vms: dict[int, Any] = {}
        log.info("tvm encoder: %s (%s library, %s)", build.name, self._arch, self.provenance)

    def _vm(self, size: int) -> Any:
        if size not in self._vms:
            if size not in self._build.encoders:
                raise EdgeError(
                    f"build {self._build.name} has no {size}x{size} encoder: compile it with --shapes {size} "
                    f"--target {self.chip}"
                )
            lib = self._bundle.path(self._build.encoders[size].file)
            lib = lib.with_name(library_name(size, self._arch))
            try:
                module = self._tvm.runtime.load_module(str(lib))
            except Exception as err:
                raise EdgeError(f"{lib} does not load with the TVM runtime: {first_line(err)}") from None
            self._vms[size] = self._vm_class(module, self._device)
        return self._vms[size]

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        vm = self._vm(int(pixel_values.shape[-1]))
        x = self._tvm.runtime.tensor(np.ascontiguousarray(pixel_values, dtype=np.float32), self._device)
        return vm["main"](x).numpy()[0]
