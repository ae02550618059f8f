"""`run --encoder tvm --target arm64-a76`: a TVM build's shared library as an `EncoderSession`.

On an aarch64 machine it loads `encoder_<S>.aarch64.so` (the target build); elsewhere `encoder_<S>.host.so`, the
same schedules built for the machine that compiled the bundle. Only TVM's runtime is used (set TVM_USE_RUNTIME_LIB=1
to skip loading the compiler library on a board). Timings are labelled: host-measured for the host library,
device-measured on a board, emulated under QEMU (the aarch64 harness sets MINICPMV_EDGE_EMULATED=1).
"""

from __future__ import annotations

import json
import logging
import platform
from typing import Any

import numpy as np

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends.chips import Chip, get_chip
from minicpmv_edge.npu_backends.tvm import TARGET_ARCH, library_name
from minicpmv_edge.npu_backends.tvm_build import INSTALL_HINT
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions
from minicpmv_edge.runtime.timings import cpu_provenance

log = logging.getLogger(__name__)


def pick_build(bundle: Bundle, target: str | None) -> tuple[Chip, str]:
    """(chip, build folder) among the bundle's `tvm-*` builds: `target`'s, or the only one."""
    builds = sorted(k for k in bundle.manifest.get("compiled", {}) if k.startswith("tvm-"))
    if target:
        chip = get_chip(target)
        named = [b for b in builds if b.startswith(f"tvm-{chip.key}-")]
        if not named:
            raise EdgeError(
                f"bundle {bundle.root} has no TVM build for {chip.key}: run `minicpmv-edge compile {bundle.root} "
                f"--target {chip.key}` first"
            )
        return chip, named[0]
    if len(builds) == 1:
        return get_chip(builds[0].split("-", 1)[1].rsplit("-", 1)[0]), builds[0]
    if not builds:
        raise EdgeError(f"bundle {bundle.root} has no TVM build: run `minicpmv-edge compile {bundle.root} --target "
                        "arm64-a76` (or your chip) first")  # fmt: skip
    raise EdgeError(f"bundle {bundle.root} has TVM builds {', '.join(builds)}: pick one with --target")


def _on_aarch64() -> bool:
    return platform.machine().lower() in ("aarch64", "arm64")


class TvmEncoder:
    """Compiled encoders on TVM's runtime (Relax VM); one VM per shape, opened on first use."""

    name = "tvm"

    def __init__(self, bundle: Bundle, options: EncoderOptions) -> None:
        try:
            import tvm
            from tvm.runtime.vm import VirtualMachine
        except ImportError:
            raise EdgeError(f"the tvm encoder needs TVM's runtime: {INSTALL_HINT}") from None
        self._tvm, self._vm_class = tvm, VirtualMachine
        self.chip, self.build = pick_build(bundle, options.target)
        self._dir = bundle.root / bundle.manifest["compiled"][self.build]["dir"]
        self._report = self._read_report()
        self._arch = TARGET_ARCH if _on_aarch64() else "host"
        gpu = (self.chip.tvm_target or {}).get("kind") == "opencl"
        if self._arch == "host":
            built_on = self._report.get("host_machine")
            if built_on and built_on != platform.machine():
                raise EdgeError(
                    f"{self.build} has an aarch64 library and a {built_on} host library; this is "
                    f"{platform.machine()}: recompile the bundle here"
                )
            self._device = tvm.cpu()
            self.provenance = "host-measured"
        else:
            self._device = tvm.opencl(0) if gpu else tvm.cpu()
            if gpu and not self._device.exist:
                raise EdgeError(
                    f"{self.build} runs on an OpenCL GPU but this TVM runtime has no OpenCL device (the PyPI wheel "
                    "is built without OpenCL: build TVM's runtime with USE_OPENCL=ON)"
                )
            self.provenance = "emulated" if cpu_provenance() == "emulated" else "device-measured"
        self._vms: dict[int, Any] = {}
        log.info("tvm encoder: %s (%s library, %s)", self.build, self._arch, self.provenance)

    def _read_report(self) -> dict[str, Any]:
        try:
            return json.loads((self._dir / "report.json").read_text())
        except (OSError, json.JSONDecodeError):
            return {}

    def _vm(self, size: int) -> Any:
        if size not in self._vms:
            lib = self._dir / library_name(size, self._arch)
            if not lib.is_file():
                raise EdgeError(f"{self.build} has no {size}x{size} encoder: compile it with --shapes {size}")
            try:
                module = self._tvm.runtime.load_module(str(lib))
            except Exception as err:
                first = (str(err).strip().splitlines() or [type(err).__name__])[-1][:300]
                raise EdgeError(f"{lib} does not load with the TVM runtime: {first}") from None
            self._vms[size] = self._vm_class(module, self._device)
        return self._vms[size]

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """`pixel_values` float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        vm = self._vm(int(pixel_values.shape[-1]))
        x = self._tvm.runtime.tensor(np.ascontiguousarray(pixel_values, dtype=np.float32), self._device)
        return vm["main"](x).numpy()[0]
