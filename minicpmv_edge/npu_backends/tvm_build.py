"""TVM mechanics for the `tvm` backend: ONNX -> Relax, MetaSchedule tuning, builds, export, OpenCL source.

Kept apart from the backend (which decides what to build and reports it) so each step can be timed and tested on
its own. TVM is imported lazily: without `apache-tvm` the rest of the SDK works, and asking for a TVM build is a
one-line error naming the extra to install.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from minicpmv_edge.errors import EdgeError

log = logging.getLogger(__name__)

CROSS_CXX = "aarch64-linux-gnu-g++"
CROSS_PACKAGE = "g++-aarch64-linux-gnu"
INSTALL_HINT = "pip install 'minicpmv-edge[tvm]' (apache-tvm 0.27, apache-tvm-ffi 0.1.14.post1)"


def require_tvm() -> ModuleType:
    """The `tvm` package, or a one-line error saying how to install it."""
    try:
        import tvm
    except ImportError:
        raise EdgeError(f"TVM is not installed: {INSTALL_HINT}") from None
    return tvm


def require_cross_compiler(name: str = CROSS_CXX) -> str:
    """Path of the aarch64 cross C++ compiler that links the shared library, or a one-line error naming its package."""
    path = shutil.which(name)
    if path is None:
        raise EdgeError(f"cross compiler {name} not found: apt-get install {CROSS_PACKAGE}")
    return path


def host_target(num_cores: int) -> dict[str, Any]:
    """This machine's LLVM target with its CPU named (LLVM's `native` silently means generic when it is not)."""
    tvm = require_tvm()
    return {"kind": "llvm", "mcpu": str(tvm.target.codegen.llvm_get_system_cpu()), "num-cores": num_cores}


def import_onnx(path: Path) -> Any:
    """Static ONNX encoder -> Relax IRModule with the weights bound as constants (one function `main`)."""
    import onnx
    from tvm.relax.frontend.onnx import from_onnx

    return from_onnx(onnx.load(str(path)), keep_params_in_input=False)


def legalize(mod: Any, target: dict[str, Any]) -> Any:
    """Relax ops -> fused TIR functions, as MetaSchedule's static-shape pipeline prepares them for tuning.

    The fused functions are target-independent, so the same workloads (by structural hash) appear for the host and
    for an aarch64 CPU target: that is what lets a schedule tuned on one be replayed on the other."""
    tvm = require_tvm()
    from tvm import relax

    with tvm.target.Target(target):
        return tvm.transform.Sequential(
            [
                relax.transform.DecomposeOpsForInference(),
                relax.transform.CanonicalizeBindings(),
                relax.get_pipeline("zero"),
            ]
        )(mod)


# Code objects with no source file. TVMScript's `@prim_func` calls `inspect.stack()`, and for each frame from one of
# these `inspect.getmodule` scans every module in `sys.modules` (its cache only knows real files). MetaSchedule
# imports TVM's ~500 tensor intrinsics in the tuner and again in each builder worker: ~47 s of CPU each time here.
_SOURCELESS = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>", "<ast>")


def fast_tvmscript_parsing() -> None:
    """Record the sourceless pseudo-files as "no module" in inspect's cache: `getmodule` gives the same answer
    (None) without the scan, and importing the intrinsics drops to ~2 s of CPU. Also the workers' initializer."""
    for name in _SOURCELESS:
        inspect.modulesbyfile.setdefault(os.path.normcase(os.path.abspath(name)), "")


# Candidate builds run in worker processes that each import TVM; on a busy 2-core machine that alone can pass
# MetaSchedule's 30 s default and every candidate would fail as a timeout.
BUILD_TIMEOUT_S = 300
RUN_TIMEOUT_S = 120


def tune(
    mod: Any,
    target: dict[str, Any],
    work_dir: Path,
    trials: int,
    per_task: int | None,
    ops: tuple[str, ...] = (),
    seed: int = 0,
) -> None:
    """MetaSchedule over the fused TIR functions of `mod` (those whose name contains one of `ops`; all if empty),
    measuring on this host; records go to `work_dir`'s JSON database (`database_workload.json`,
    `database_tuning_record.json`), whose earlier records seed the search."""
    tvm = require_tvm()
    from tvm.s_tir import meta_schedule as ms

    fast_tvmscript_parsing()
    ms.relax_integration.tune_relax(
        mod,
        params={},
        target=tvm.target.Target(target),
        work_dir=str(work_dir),
        max_trials_global=trials,
        max_trials_per_task=per_task,
        op_names=list(ops) or None,
        num_trials_per_iter=min(64, max(per_task or trials, 1)),
        builder=ms.builder.LocalBuilder(timeout_sec=BUILD_TIMEOUT_S, initializer=fast_tvmscript_parsing),
        runner=ms.runner.LocalRunner(timeout_sec=RUN_TIMEOUT_S, initializer=fast_tvmscript_parsing),
        seed=seed,
    )
    shutil.rmtree(work_dir / "logs", ignore_errors=True)  # per-task logs: megabytes of text, not needed to rebuild


def tunable_functions(mod: Any, ops: tuple[str, ...] = ()) -> int:
    """How many fused TIR functions of `mod` MetaSchedule would tune (names containing one of `ops`; all if empty)."""
    from tvm import tirx

    names = [gv.name_hint for gv, f in mod.functions.items() if isinstance(f, tirx.PrimFunc)]
    return sum(1 for n in names if not ops or any(op in n for op in ops))


def database_records(work_dir: Path) -> int:
    path = work_dir / "database_tuning_record.json"
    return sum(1 for line in path.read_text().splitlines() if line.strip()) if path.is_file() else 0


@dataclass(frozen=True)
class Scheduled:
    mod: Any
    tuned: int  # fused TIR functions that got a schedule from the database
    total: int  # fused TIR functions in the module


def apply_database(mod: Any, target: dict[str, Any], work_dir: Path) -> Scheduled:
    """Give each fused function its best tuned schedule from `work_dir` (the rest keep the default schedule)."""
    tvm = require_tvm()
    from tvm import relax, tirx

    if database_records(work_dir):
        with tvm.target.Target(target):
            mod = relax.transform.MetaScheduleApplyDatabase(str(work_dir))(mod)
    funcs = [f for f in mod.functions.values() if isinstance(f, tirx.PrimFunc)]
    tuned = sum(1 for f in funcs if f.attrs is not None and bool(f.attrs.get("tirx.is_scheduled", False)))
    return Scheduled(mod, tuned, len(funcs))


def gpu_schedule(mod: Any, target: dict[str, Any]) -> Scheduled:
    """Rule-based GPU schedules (DLight: matmul tiles, GEMV, reductions, a thread-bound fallback for the rest).

    MetaSchedule would need to measure candidates on the GPU itself; with no device here, DLight's schedules are the
    honest choice. Functions already scheduled are left alone, so the target's own pipeline adds nothing on top."""
    tvm = require_tvm()
    from tvm import tirx
    from tvm.s_tir import dlight as dl

    with tvm.target.Target(target):
        mod = dl.ApplyDefaultSchedule(
            dl.gpu.Matmul(), dl.gpu.GEMV(), dl.gpu.Reduction(), dl.gpu.GeneralReduction(), dl.gpu.Fallback()
        )(mod)
    funcs = [f for f in mod.functions.values() if isinstance(f, tirx.PrimFunc)]
    return Scheduled(mod, 0, len(funcs))


def build(mod: Any, target: dict[str, Any]) -> Any:
    """Scheduled IRModule -> relax Executable for `target` (host code + device kernels for GPU targets)."""
    tvm = require_tvm()
    return tvm.compile(mod, target=tvm.target.Target(target))


def export(executable: Any, path: Path, cross_cxx: str | None = None) -> None:
    """Write the executable as one shared library: linked by `cross_cxx` for aarch64, else by the host compiler.

    Device kernels (OpenCL) are serialized into the library; the TVM runtime on the board loads them from there."""
    from tvm.support import cc

    kwargs = {"fcompile": cc.cross_compiler(cross_cxx)} if cross_cxx else {}
    try:
        executable.export_library(str(path), **kwargs)
    except Exception as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[-1][:300]
        raise EdgeError(f"linking {path.name} failed ({cross_cxx or 'host compiler'}): {first}") from None


def opencl_source(executable: Any) -> str:
    """The OpenCL C source of every kernel in `executable` (empty for CPU targets)."""
    sources: list[str] = []
    stack = [executable.mod]
    while stack:
        module = stack.pop()
        if module.kind == "opencl":
            sources.append(module.inspect_source())
        stack.extend(module.imports)
    return "\n".join(sources)
