"""`compile --target arm64-a76|arm64-a55|adreno|mali`: the static fp32 encoders through Apache TVM, for chips whose
NPU we cannot target (plain ARM CPUs, Adreno and Mali GPUs over OpenCL).

Per shape: ONNX -> Relax (TVM's ONNX frontend) -> fused TIR functions ->
  - CPU targets: MetaSchedule tuning (`--tune-trials N`) measured on THIS host, which stands in for the board (no
    board here); the database lives in the build (`tuning/`) and seeds the next compile of the same build. The tuned
    schedules are replayed for the aarch64 target (same workloads) and for this host.
  - GPU targets: DLight rule-based schedules (tuning a GPU needs the GPU); OpenCL kernels embedded in the library and
    written out as `encoder_<S>.cl`, checked with clang's OpenCL front end.
Artifacts: `encoder_<S>.aarch64.so` (cross-linked by Debian's `aarch64-linux-gnu-g++`, loads with the TVM runtime on
an aarch64 Linux board) and `encoder_<S>.host.so` (the same schedules built for this host), which is run against ONNX
Runtime fp32 on held-out images: that cosine is the report's accuracy figure (host-measured).
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import statistics
import time
from dataclasses import asdict, dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends import calibration, tvm_build
from minicpmv_edge.npu_backends.base import CompileRequest, CompileResult
from minicpmv_edge.npu_backends.opencl_check import check_opencl
from minicpmv_edge.numerics import cosine, max_abs
from minicpmv_edge.runtime.bundle_view import Bundle

log = logging.getLogger(__name__)

PRECISION = "fp32"
DEFAULT_MIN_COSINE = 0.9999
TUNING_DIR = "tuning"
TARGET_ARCH = "aarch64"


def library_name(size: int, arch: str) -> str:
    """`encoder_<S>.aarch64.so` (the target build) or `encoder_<S>.host.so` (this host's build)."""
    return f"encoder_{size}.{arch}.so"


@dataclass(frozen=True)
class TvmOptions:
    """Backend options (`compile --tune-trials N --tune-ops A,B --cross-cxx CXX`; the rest programmatic)."""

    tune_trials: int = 0  # MetaSchedule trials over all tasks; 0: reuse the build's database only (or untuned)
    max_trials_per_task: int | None = None  # None: the budget spread evenly over the tasks
    tune_ops: str = ""  # comma-separated substrings of fused function names to tune (e.g. "matmul"); "": all
    heldout_images: int = 2  # images for the host-module accuracy check
    timing_runs: int = 3  # host timing of the host module vs ONNX Runtime
    cross_cxx: str = tvm_build.CROSS_CXX

    @property
    def ops(self) -> tuple[str, ...]:
        return tuple(op.strip() for op in self.tune_ops.split(",") if op.strip())

    @classmethod
    def parse(cls, options: dict[str, str]) -> TvmOptions:
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in options.items():
            name = key.replace("-", "_")
            if name not in known:
                raise EdgeError(f"unknown tvm option {key!r}; known: {', '.join(known)}")
            if known[name].type == "str":
                values[name] = str(raw).strip()
                continue
            try:
                number = int(raw)
            except (TypeError, ValueError):
                raise EdgeError(f"tvm option {key} must be an integer, got {raw!r}") from None
            low = 0 if name == "tune_trials" else 1
            if number < low:
                raise EdgeError(f"tvm option {key} must be at least {low}, got {number}")
            values[name] = number
        return cls(**values)


@dataclass
class ShapeResult:
    """What one shape's compile produced and measured (the report's per-shape entry)."""

    source: str
    target_library: str
    host_library: str
    opencl_source: str | None
    scheduled_functions: dict[str, int]
    compile_s: float
    accuracy: dict[str, Any]
    host_timing: dict[str, Any]
    opencl_check: dict[str, Any] | None


def _versions() -> dict[str, str]:
    out = {}
    for name in ("apache-tvm", "apache-tvm-ffi", "onnxruntime", "onnx"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _median_s(fn, runs: int) -> float:
    fn()  # warm-up: first-run allocations and thread pool start
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def verify_host_module(
    library: Path, onnx_model: Path, batches: list[np.ndarray], runs: int, threads: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the host-built `library` and ONNX Runtime fp32 on `batches` (`[1,3,S,S]` float32 in [-1,1]).

    Returns (accuracy, timing): the worst image's cosine and max-abs; median latency of both on this host."""
    tvm = tvm_build.require_tvm()
    from tvm.runtime.vm import VirtualMachine

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    reference = ort.InferenceSession(str(onnx_model), opts, providers=["CPUExecutionProvider"])
    vm = VirtualMachine(tvm.runtime.load_module(str(library)), tvm.cpu())
    cosines, worst = [], 0.0
    for x in batches:
        got = vm["main"](tvm.runtime.tensor(x)).numpy()
        (want,) = reference.run(None, {"pixel_values": x})
        cosines.append(cosine(got, want))
        worst = max(worst, max_abs(got, want))
    x0 = batches[0]
    tvm_s = _median_s(lambda: vm["main"](tvm.runtime.tensor(x0)), runs)
    ort_s = _median_s(lambda: reference.run(None, {"pixel_values": x0}), runs)
    accuracy = {
        "cosine": round(min(cosines), 7),
        "max_abs": round(worst, 7),
        "per_image_cosine": [round(c, 7) for c in cosines],
        "heldout_images": len(batches),
        "reference": "fp32 encoder on ONNX Runtime CPU",
        "module": f"{library.name}: the same Relax graph and schedules, built for this host ({platform.machine()})",
        "provenance": "host-measured",
    }
    timing = {
        "tvm_s": round(tvm_s, 5),
        "onnxruntime_s": round(ort_s, 5),
        "tvm_over_onnxruntime": round(tvm_s / ort_s, 2),
        "runs": runs,
        "threads": threads,
        "provenance": f"host-measured ({platform.machine()} host, not the target chip)",
    }
    return accuracy, timing


class TvmBackend:
    """Apache TVM (Relax + MetaSchedule/DLight) for ARM CPUs and OpenCL GPUs; aarch64 Linux shared libraries."""

    name = "tvm"

    def output_name(self, req: CompileRequest) -> str:
        return f"tvm-{req.chip.key}-{PRECISION}"

    def compile(self, bundle: Bundle, req: CompileRequest, out_dir: Path) -> CompileResult:
        chip = req.chip
        if chip.tvm_target is None:
            raise EdgeError(f"{chip.key} ({chip.name}) is not a TVM target; tvm compiles for arm64-a76, arm64-a55, ...")
        if req.precision not in (None, PRECISION):
            raise EdgeError(f"tvm builds are {PRECISION} only, got --precision {req.precision}")
        opts = TvmOptions.parse(req.options)
        tvm_build.require_tvm()
        cross = tvm_build.require_cross_compiler(opts.cross_cxx)
        target = {k: v for k, v in chip.tvm_target.items()}
        gpu = target["kind"] != "llvm"
        if gpu and opts.tune_trials:
            raise EdgeError(
                f"--tune-trials needs to measure on the {chip.key} GPU itself (TVM RPC to a board), which this "
                "machine has not; GPU builds use DLight's rule-based schedules: drop --tune-trials"
            )
        shapes = req.shapes or bundle.encoder_sizes()
        if not shapes:
            raise EdgeError(f"bundle {bundle.root} has no vision encoders to compile; export it with --parts vision")
        sources = {size: bundle.encoder_file(size) for size in shapes}
        min_cosine = req.min_cosine if req.min_cosine is not None else DEFAULT_MIN_COSINE
        threads = os.cpu_count() or 1
        host = tvm_build.host_target(threads)
        _, heldout_files = calibration.calibration_split(req.calibration)

        tuning_dir = out_dir / TUNING_DIR
        reused_from = None if gpu else self._seed_database(bundle, req, tuning_dir)
        records_before = tvm_build.database_records(tuning_dir)
        log.info(
            "tvm %s for %s (%s): shapes %s, %s",
            PRECISION,
            chip.key,
            chip.name,
            ", ".join(map(str, shapes)),
            "DLight GPU schedules" if gpu else f"{opts.tune_trials} tuning trials, {records_before} records reused",
        )
        tune_s = 0.0
        results: dict[str, ShapeResult] = {}
        for size in shapes:
            what = f"the {size}x{size} encoder"
            t0 = time.perf_counter()
            log.info("importing %s into Relax", what)
            mod = tvm_build.import_onnx(sources[size])
            host_mod = tvm_build.legalize(mod, host)
            if not gpu and opts.tune_trials:
                tasks = tvm_build.tunable_functions(host_mod, opts.ops)
                # spread the budget over the tasks (MetaSchedule's default gives it all to the first ones)
                per_task = opts.max_trials_per_task or max(1, -(-opts.tune_trials // max(tasks, 1)))
                log.info(
                    "tuning %s: %d MetaSchedule trials over %d tasks (at most %d each), measured on this host",
                    what,
                    opts.tune_trials,
                    tasks,
                    per_task,
                )
                t1 = time.perf_counter()
                tvm_build.tune(host_mod, host, tuning_dir, opts.tune_trials, per_task, opts.ops)
                tune_s += time.perf_counter() - t1
                log.info("tuned %s in %.0f s (%d records)", what, tune_s, tvm_build.database_records(tuning_dir))
            host_sched = tvm_build.apply_database(host_mod, host, tuning_dir)
            target_mod = tvm_build.legalize(mod, target)
            if gpu:
                target_sched = tvm_build.gpu_schedule(target_mod, target)
            else:
                target_sched = tvm_build.apply_database(target_mod, target, tuning_dir)
            log.info("building %s for %s and for this host", what, chip.key)
            target_lib = out_dir / library_name(size, TARGET_ARCH)
            target_exe = tvm_build.build(target_sched.mod, target)
            tvm_build.export(target_exe, target_lib, cross)
            host_lib = out_dir / library_name(size, "host")
            tvm_build.export(tvm_build.build(host_sched.mod, host), host_lib)
            cl_file, cl_check = None, None
            if gpu:
                cl_file = out_dir / f"encoder_{size}.cl"
                cl_file.write_text(tvm_build.opencl_source(target_exe))
                cl_check = check_opencl(cl_file)
                if cl_check.ok is False:
                    raise EdgeError(f"clang rejects the OpenCL kernels of {what}: {cl_check.errors.splitlines()[0]}")
                log.info("OpenCL kernels of %s: %d, clang %s", what, cl_check.kernels, cl_check.ok)
            compile_s = time.perf_counter() - t0
            batches = calibration.tensors(heldout_files, size, limit=opts.heldout_images)
            log.info("checking the host module of %s against ONNX Runtime on %d images", what, len(batches))
            accuracy, timing = verify_host_module(host_lib, sources[size], batches, opts.timing_runs, threads)
            if accuracy["cosine"] < min_cosine:
                raise EdgeError(
                    f"{what} through TVM for {chip.key}: host-module cosine vs ONNX Runtime {accuracy['cosine']:.7f} "
                    f"is below {min_cosine}"
                )
            results[str(size)] = ShapeResult(
                source=sources[size].relative_to(bundle.root).as_posix(),
                target_library=target_lib.name,
                host_library=host_lib.name,
                opencl_source=cl_file.name if cl_file else None,
                scheduled_functions={
                    "total": target_sched.total,
                    "from_tuning_database": target_sched.tuned,
                    "host_from_tuning_database": host_sched.tuned,
                },
                compile_s=round(compile_s, 2),
                accuracy=accuracy,
                host_timing=timing,
                opencl_check=asdict(cl_check) if cl_check else None,
            )
        return CompileResult(
            precision=PRECISION,
            encoders={int(size): r.target_library for size, r in results.items()},
            files=sorted(self._files(out_dir)),
            report=self._report(
                bundle,
                req,
                opts,
                target,
                host,
                gpu,
                results,
                tune_s,
                records_before,
                tvm_build.database_records(tuning_dir),
                reused_from,
            ),
        )

    @staticmethod
    def _seed_database(bundle: Bundle, req: CompileRequest, tuning_dir: Path) -> str | None:
        """Copy the previous build's tuning database in, so tuning continues from it (or is simply reused)."""
        tuning_dir.mkdir()
        build = bundle.manifest.compiled.get(TvmBackend().output_name(req))
        previous = bundle.path(build.dir) / TUNING_DIR if build else None
        if previous is None or not (previous / "database_workload.json").is_file():
            return None
        for name in ("database_workload.json", "database_tuning_record.json"):
            if (previous / name).is_file():
                shutil.copyfile(previous / name, tuning_dir / name)
        return previous.relative_to(bundle.root).as_posix()

    @staticmethod
    def _files(out_dir: Path) -> list[str]:
        return [p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()]

    @staticmethod
    def _report(
        bundle: Bundle,
        req: CompileRequest,
        opts: TvmOptions,
        target: dict[str, Any],
        host: dict[str, Any],
        gpu: bool,
        results: dict[str, ShapeResult],
        tune_s: float,
        records_before: int,
        records_after: int,
        reused_from: str | None,
    ) -> dict[str, Any]:
        chip = req.chip
        weights = "synthetic" if bundle.synthetic else "real"
        summary = {
            size: {
                "host_module_cosine": r.accuracy["cosine"],
                "host_module_max_abs": r.accuracy["max_abs"],
                "heldout_images": r.accuracy["heldout_images"],
                "accuracy_provenance": f"host-measured, {weights} weights",
                "host_tvm_s": r.host_timing["tvm_s"],
                "host_onnxruntime_s": r.host_timing["onnxruntime_s"],
                "timing_provenance": r.host_timing["provenance"],
                "compile_s": r.compile_s,
                "opencl_clang_ok": r.opencl_check["ok"] if r.opencl_check else None,
            }
            for size, r in results.items()
        }
        tuning = None
        if not gpu:
            tuning = {
                "trials_this_compile": opts.tune_trials,
                "max_trials_per_task": opts.max_trials_per_task,
                "tuned_ops": list(opts.ops) or "all",
                "tune_s": round(tune_s, 1),
                "tune_s_provenance": "host-measured",
                "records_before": records_before,
                "records_after": records_after,
                "reused_database_from": reused_from,
                "measured_on": f"this host ({host['mcpu']}, {host['num-cores']} threads): a stand-in for the "
                "target cores; re-tune on the board over TVM RPC for its own best schedules",
                "database": f"{TUNING_DIR}/database_workload.json, {TUNING_DIR}/database_tuning_record.json",
            }
        return {
            "precision": PRECISION,
            "host_machine": platform.machine(),
            "tvm": {
                "target": target,
                "stands_for": chip.stands_for,
                "host_target": host,
                "schedules": "DLight rule-based (OpenCL)" if gpu else "MetaSchedule database, default where untuned",
                "cross_compiler": opts.cross_cxx,
            },
            "tuning": tuning,
            "min_cosine": req.min_cosine if req.min_cosine is not None else DEFAULT_MIN_COSINE,
            "summary": summary,
            "shapes": {size: asdict(r) for size, r in results.items()},
            "encoders": {size: {"file": r.target_library, "host_file": r.host_library} for size, r in results.items()},
            "tools": _versions(),
            "provenance_notes": {
                "accuracy": "host-measured: the host-built module (same schedules) vs ONNX Runtime fp32",
                "timing": "host-measured on this machine; NOT the target chip (see benchmarks/tvm_encoder.py for "
                "labelled estimates)",
                "aarch64_library": "not run by compile; scripts/aarch64_harness.py + benchmarks/aarch64_runtime.py "
                "run it under QEMU (emulated) with TVM's aarch64 runtime",
                "opencl": "kernels compiled by clang's OpenCL front end only; no GPU ran them" if gpu else None,
            },
            "next_steps": [
                f"minicpmv-edge run {bundle.root} --target {chip.key} --image IMG --prompt TEXT "
                "(needs apache-tvm; uses encoder_<S>.aarch64.so on aarch64, encoder_<S>.host.so here)",
                "on an aarch64 Linux board: pip install apache-tvm==0.27.* apache-tvm-ffi==0.1.14.post1 and copy "
                "the bundle"
                + (" (GPU: a TVM runtime built with USE_OPENCL=ON; the PyPI wheel has no OpenCL)" if gpu else ""),
            ],
        }
