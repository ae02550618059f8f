"""This CPU's physical compute limit: a theoretical peak per precision and the best GEMMs several libraries reach.

One library's one GEMM is not a limit (the same torch 2048^3 GEMM measured 166 and 289 GFLOP/s on one machine).
Here the theoretical peak is stated from its parts, each with where it came from:

    peak = cores used x clock x operations per cycle per core
    operations per cycle = lanes per vector x 2 (a multiply-add is two operations) x vector units

- lanes: the widest vector the CPU flags (/proc/cpuinfo) allow for the precision: fp32 FMA (avx512f: 16 lanes,
  avx2+fma: 8), int8 dot products (avx512_vnni: 64 u8xs8 products per instruction, avx_vnni: 32), bf16 dot
  products (avx512_bf16: 32 pairs), AMX tiles (amx_bf16 / amx_int8: 1024 / 2048 operations per cycle per core).
- vector units: ASSUMED 2 per core (two FMA pipes: Intel Xeon Gold/Platinum since Skylake-SP, AMD Zen 3-5);
  AMD family 0x19 (Zen 4) runs 512-bit instructions on 256-bit pipes, counted as 1 unit of 512 bits. Arm: 2
  units of 128-bit NEON assumed (sdot / bfmmla where flagged).
- clock: measured, a chain of dependent adds (one per cycle) on as many busy cores as the run uses, so turbo is
  counted (a VM's /proc/cpuinfo shows the base clock, 2.6 GHz here, and a measured GEMM then beat that "peak");
  without a C compiler, /proc/cpuinfo `cpu MHz` or the model name's "@ x.xxGHz".

Measured: the best of a few large GEMMs per library (numpy's BLAS, torch, ONNX Runtime; int8 through ORT's
MatMulInteger and torch's dynamic-quantized Linear; bf16 through torch), same threads as the run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from minicpmv_edge.bench.machine import cpu_model

ASSUMED_VECTOR_UNITS = 2


@dataclass(frozen=True)
class TheoreticalPeak:
    precision: str
    gops: float  # GFLOP/s (fp32, bf16) or GOP/s (int8)
    ops_per_cycle_per_core: int
    cores: int
    clock_ghz: float
    basis: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text(errors="replace").splitlines()
    except OSError:
        return []


def _field(lines: list[str], key: str) -> str | None:
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def cpu_flags() -> set[str]:
    lines = _cpuinfo()
    return set((_field(lines, "flags") or _field(lines, "Features") or "").split())


# One core's clock from a chain of dependent integer adds (1 cycle each on every x86_64 and Arm core): cycles per
# second, measured on all `cores` at once so it is the clock they hold together (turbo included), which a VM's
# /proc/cpuinfo does not tell (it shows the base clock: a measured GEMM then beat the "peak").
_CLOCK_C = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
    unsigned long x = 0, n = 200000000UL;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (unsigned long i = 0; i < n; i++) {
#if defined(__x86_64__)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
#elif defined(__aarch64__)
        __asm__ volatile("add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1" : "+r"(x));
#else
#error "no dependent-add chain for this architecture"
#endif
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.4f\n", 4.0 * n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9) / 1e9);
    return x == 0;
}
"""


def measured_clock_ghz(cores: int) -> float | None:
    """The clock `cores` busy cores run at (GHz, the slowest of them), or None without a C compiler."""
    import shutil
    import subprocess
    import tempfile

    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        return None
    with tempfile.TemporaryDirectory(prefix="minicpmv-edge-clock-") as folder:
        src, exe = Path(folder) / "clock.c", Path(folder) / "clock"
        src.write_text(_CLOCK_C)
        if subprocess.run([compiler, "-O1", "-o", str(exe), str(src)], capture_output=True).returncode != 0:
            return None
        procs = [subprocess.Popen([str(exe)], stdout=subprocess.PIPE, text=True) for _ in range(max(cores, 1))]
        outs = [proc.communicate()[0] for proc in procs]
    try:
        return min(float(out) for out in outs)
    except ValueError:
        return None


def clock_ghz(cores: int = 1) -> tuple[float | None, str]:
    """The clock the peak is computed at, and where it came from: measured on `cores` busy cores where a C compiler
    is there, else /proc/cpuinfo (a VM reports the base clock) or the model name."""
    measured = measured_clock_ghz(cores)
    if measured:
        return measured, f"measured: dependent-add chain on {cores} busy core(s), 1 add per cycle"
    lines = _cpuinfo()
    mhz = _field(lines, "cpu MHz")
    if mhz:
        return float(mhz) / 1000, "/proc/cpuinfo cpu MHz (base clock under a VM; turbo may be higher)"
    match = re.search(r"@\s*([\d.]+)\s*GHz", cpu_model())
    if match:
        return float(match.group(1)), "CPU model name"
    return None, "unknown"


def _per_cycle(flags: set[str], family: str | None) -> dict[str, tuple[int, str]]:
    """Operations per cycle per core by precision, with the reason."""
    units = ASSUMED_VECTOR_UNITS
    out: dict[str, tuple[int, str]] = {}
    zen4 = family == "25" and "avx512f" in flags  # 512-bit ops on 256-bit pipes
    if "avx512f" in flags:
        width, units512 = 16, (1 if zen4 else units)
        out["fp32"] = (width * 2 * units512, f"avx512f FMA: 16 lanes x 2 x {units512} unit(s)")
    elif "fma" in flags and "avx2" in flags:
        out["fp32"] = (8 * 2 * units, f"avx2 FMA: 8 lanes x 2 x {units} units")
    elif "asimd" in flags:
        out["fp32"] = (4 * 2 * units, f"NEON FMA: 4 lanes x 2 x {units} units")
    u512 = 1 if zen4 else units
    if "amx_int8" in flags:
        out["int8"] = (2048, "AMX int8 tile multiply: 2048 ops/cycle")
    elif "avx512_vnni" in flags:
        out["int8"] = (64 * 2 * u512, f"avx512_vnni vpdpbusd: 64 products x 2 x {u512} unit(s)")
    elif "avx_vnni" in flags:
        out["int8"] = (32 * 2 * units, f"avx_vnni: 32 products x 2 x {units} units")
    elif "asimddp" in flags:
        out["int8"] = (16 * 2 * units, f"sdot: 16 products x 2 x {units} units")
    if "amx_bf16" in flags:
        out["bf16"] = (1024, "AMX bf16 tile multiply: 1024 FLOP/cycle")
    elif "avx512_bf16" in flags:
        out["bf16"] = (32 * 2 * u512, f"avx512_bf16 vdpbf16ps: 32 pairs x 2 x {u512} unit(s)")
    elif "bf16" in flags:
        out["bf16"] = (8 * 2 * units, f"bfdot: 8 pairs x 2 x {units} units")
    return out


def theoretical_peaks(cores: int) -> dict[str, TheoreticalPeak]:
    """Per precision the CPU supports: the peak of `cores` cores at the stated clock (see the module docstring)."""
    ghz, clock_source = clock_ghz(cores)
    if ghz is None:
        return {}
    family = _field(_cpuinfo(), "cpu family")
    return {
        precision: TheoreticalPeak(
            precision=precision,
            gops=round(cores * ghz * per_cycle, 1),
            ops_per_cycle_per_core=per_cycle,
            cores=cores,
            clock_ghz=round(ghz, 3),
            basis=f"{cores} cores x {ghz:.2f} GHz ({clock_source}) x {per_cycle} ({why})",
        )
        for precision, (per_cycle, why) in _per_cycle(cpu_flags(), family).items()
    }


def best_seconds(fn: Callable[[], Any], repeats: int) -> float:
    """Best wall time of `repeats` calls after one untimed call (first touch and page faults outside the timing)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _ort_matmul(threads: int, n: int, int8: bool) -> Callable[[], Any]:
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    if int8:
        b = numpy_helper.from_array(rng.integers(-127, 127, (n, n), dtype=np.int8), "B")
        node = helper.make_node("MatMulInteger", ["A", "B"], ["Y"])
        a_type, y_type = TensorProto.UINT8, TensorProto.INT32
        a = rng.integers(0, 255, (n, n), dtype=np.uint8)
    else:
        b = numpy_helper.from_array(rng.standard_normal((n, n), dtype=np.float32), "B")
        node = helper.make_node("MatMul", ["A", "B"], ["Y"])
        a_type, y_type = TensorProto.FLOAT, TensorProto.FLOAT
        a = rng.standard_normal((n, n), dtype=np.float32)
    graph = helper.make_graph(
        [node],
        "gemm",
        [helper.make_tensor_value_info("A", a_type, [n, n])],
        [helper.make_tensor_value_info("Y", y_type, [n, n])],
        initializer=[b],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return lambda: session.run(None, {"A": a})


def measured_gemms(threads: int, n: int = 2048, repeats: int = 5) -> dict[str, dict[str, float]]:
    """GOP/s of an n x n x n GEMM per library and precision, best of `repeats` (host-measured)."""
    import torch

    torch.set_num_threads(threads)
    ops = 2 * n**3
    rng = np.random.default_rng(0)
    out: dict[str, dict[str, float]] = {"fp32": {}, "int8": {}, "bf16": {}}
    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    out["fp32"]["numpy (BLAS)"] = ops / best_seconds(lambda: a @ b, repeats) / 1e9
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    out["fp32"]["torch"] = ops / best_seconds(lambda: torch.mm(ta, tb), repeats) / 1e9
    out["fp32"]["onnxruntime MatMul"] = ops / best_seconds(_ort_matmul(threads, n, False), repeats) / 1e9
    out["int8"]["onnxruntime MatMulInteger"] = ops / best_seconds(_ort_matmul(threads, n, True), repeats) / 1e9
    linear = torch.nn.Linear(n, n, bias=False)
    qlinear = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear}, torch.qint8)
    with torch.no_grad():
        out["int8"]["torch dynamic-quantized Linear"] = ops / best_seconds(lambda: qlinear(ta), repeats) / 1e9
        a16, b16 = ta.bfloat16(), tb.bfloat16()
        out["bf16"]["torch"] = ops / best_seconds(lambda: torch.mm(a16, b16), repeats) / 1e9
    return {k: {lib: round(v, 1) for lib, v in libs.items()} for k, libs in out.items() if libs}


def physical_limits(threads: int, n: int = 2048) -> dict[str, Any]:
    """Theoretical peak and best measured GEMM per precision, for `threads` cores."""
    gemms = measured_gemms(threads, n)
    peaks = theoretical_peaks(threads)
    return {
        "threads": threads,
        "flags_used": sorted(
            cpu_flags() & {"avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8"}
        ),
        "theoretical": {k: v.as_dict() for k, v in peaks.items()},
        "gemm_n": n,
        "measured_gemm_gops": gemms,
        "best_measured_gops": {k: max(v.values()) for k, v in gemms.items()},
        "assumptions": f"{ASSUMED_VECTOR_UNITS} vector FMA/dot units per core unless stated; see bench/peak.py",
    }


def fractions(gops: float, precision: str, limits: dict[str, Any]) -> dict[str, float | None]:
    """A stage's achieved GOP/s as a fraction of the theoretical peak and of the best measured GEMM."""
    peak = limits["theoretical"].get(precision, {}).get("gops")
    best = limits["best_measured_gops"].get(precision)
    return {
        "of_theoretical_peak": round(gops / peak, 3) if peak else None,
        "of_best_measured_gemm": round(gops / best, 3) if best else None,
    }
