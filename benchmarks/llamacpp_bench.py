"""What the llama.cpp side-by-side benchmarks share: the llama.cpp venv, its SIGILL fallbacks, worker subprocesses,
and the shared-machine load figures every timed run records.

Used by decoder_vs_llamacpp.py and encoder_vs_llamacpp_clip.py. Their llama.cpp workers import this module from
the bench venv's python, so it imports the standard library only.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_VENV = Path(os.environ.get("MINICPMV_BENCH_VENV", "/tmp/bench-venv"))
LLAMA_CPP_REQ = "llama-cpp-python==0.3.36"
GGUF_REQ = "gguf==0.19.0"
# llama.cpp builds, tried in order: the first is what a local build does; a worker killed by SIGILL moves on to
# the next (see LlamaBuild). AMX first: ggml's AMX path (int8 tiles for Q4_0) needs the kernel to grant the
# process AMX state (arch_prctl XCOMP_PERM), which some VMs flag in cpuinfo but do not grant.
BUILDS: tuple[tuple[str, str], ...] = (
    ("native", "-DGGML_NATIVE=ON"),
    ("native-no-amx", "-DGGML_NATIVE=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"),
    ("portable", "-DGGML_NATIVE=OFF"),
)
SIGILL_EXIT = -4  # subprocess returncode of a child killed by SIGILL

log = logging.getLogger("bench")


# --------------------------------------------------------------------------------------------------------------
# inside a worker


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM. Not ru_maxrss: Linux carries that over from the forked parent across
    execve, so a worker started by a big orchestrator would report the orchestrator's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def memory_status() -> dict[str, float]:
    """VmHWM (peak RSS) and the current RSS split: anonymous (heap, KV, repacked weights) vs file-backed (mmap)."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[key + "_mb"] = int(value.split()[0]) / 1024.0
    except OSError:
        pass
    return out


def summarize(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def report_result(result: dict[str, Any]) -> None:
    """A worker's one line of output that `run_worker` parses."""
    print("RESULT " + json.dumps(result), flush=True)


# --------------------------------------------------------------------------------------------------------------
# the llama.cpp venv


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path, threads: int, cmake_args: str = BUILDS[0][1]) -> Path:
    """The llama.cpp venv: reuse it when `llama_cpp` and `gguf` import, else create / complete it (source build)."""
    py = venv_python(venv)
    if py.exists():
        ok = subprocess.run([str(py), "-c", "import llama_cpp, gguf"], capture_output=True)
        if ok.returncode == 0:
            return py
    log.info("building %s in %s with %s (llama.cpp from source, several minutes)", LLAMA_CPP_REQ, venv, cmake_args)
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = os.environ | {"CMAKE_ARGS": cmake_args, "CMAKE_BUILD_PARALLEL_LEVEL": str(threads)}
    subprocess.run([str(py), "-m", "pip", "install", LLAMA_CPP_REQ, GGUF_REQ, "numpy"], check=True, env=env)
    return py


def run_in_venv(python: Path, *args: str) -> None:
    subprocess.run([str(python), *args], check=True)


class IllegalInstructionError(RuntimeError):
    """A llama.cpp worker was killed by SIGILL: its build uses an instruction this CPU (or VM) does not run."""


class LlamaBuild:
    """The llama.cpp build the benchmark runs, falling back along `BUILDS` when a worker dies of SIGILL.

    Why a native build can SIGILL on a CPU that reports the feature: `-DGGML_NATIVE=ON` compiles for every flag in
    /proc/cpuinfo, including AMX tiles, whose registers Linux only enables for a process that asks (arch_prctl
    ARCH_REQ_XCOMP_PERM) and a hypervisor may refuse; or an AVX-512 subset the VM masks at run time. Each fallback
    is its own venv (`<venv>-<name>`), built on first use; the JSON records which build ran and why.
    """

    def __init__(self, venv: Path, threads: int) -> None:
        self.venv, self.threads = venv, threads
        self.index = 0
        self.fallbacks: list[dict[str, Any]] = []
        self.python = ensure_venv(self._venv(), threads, self.cmake_args)

    @property
    def name(self) -> str:
        return BUILDS[self.index][0]

    @property
    def cmake_args(self) -> str:
        return BUILDS[self.index][1]

    def _venv(self) -> Path:
        return self.venv if self.index == 0 else self.venv.with_name(f"{self.venv.name}-{self.name}")

    def record(self) -> dict[str, Any]:
        venv = str(self._venv())
        return {"build": self.name, "cmake_args": self.cmake_args, "venv": venv, "fallbacks": self.fallbacks}

    def worker(self, script: Path, args: list[str], threads: int) -> dict[str, Any]:
        """`run_worker` for `script`'s llama.cpp side; on SIGILL, rebuild with the next configuration and retry."""
        while True:
            try:
                return run_worker(script, self.python, "llamacpp", args, threads)
            except IllegalInstructionError as err:
                if self.index + 1 >= len(BUILDS):
                    raise
                reason = (
                    f"the {self.name} build ({self.cmake_args}) died of SIGILL (exit {SIGILL_EXIT}): it uses an "
                    "instruction this CPU or VM does not execute (AMX tiles without the kernel's permission, or an "
                    f"AVX-512 subset the hypervisor masks); system info: {err}"
                )
                log.warning("%s; rebuilding as %s", reason, BUILDS[self.index + 1][0])
                self.fallbacks.append({"from": self.name, "reason": reason})
                self.index += 1
                self.python = ensure_venv(self._venv(), self.threads, self.cmake_args)


# --------------------------------------------------------------------------------------------------------------
# a shared machine: how busy other processes keep it


def _cpu_busy_s() -> float:
    """Busy CPU seconds of the whole machine so far (all cores; /proc/stat minus idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def other_load(seconds: float = 2.0) -> float:
    """Cores' worth of CPU that other processes use right now (sampled over `seconds`)."""
    busy, own = _cpu_busy_s(), time.process_time()
    time.sleep(seconds)
    return max(0.0, (_cpu_busy_s() - busy) - (time.process_time() - own)) / seconds


def wait_for_quiet(max_other: float, timeout_s: float) -> float:
    """Wait (up to `timeout_s`) until other processes use at most `max_other` cores; returns the last sample."""
    deadline = time.monotonic() + timeout_s
    sample = other_load()
    while sample > max_other and time.monotonic() < deadline:
        log.info("other processes use %.2f cores; waiting for <= %.2f", sample, max_other)
        time.sleep(10)
        sample = other_load()
    return sample


def run_worker(script: Path, python: Path, side: str, args: list[str], threads: int) -> dict[str, Any]:
    """Run `python script _worker side args...` once; its RESULT line plus how busy other processes kept the
    machine meanwhile (cores, from /proc/stat minus this process tree's CPU time) and the load average before."""
    cmd = [str(python), str(script), "_worker", side, *args]
    env = os.environ | {"OMP_NUM_THREADS": str(threads)}
    load_before = os.getloadavg()
    busy0, child0, t0 = _cpu_busy_s(), _children_cpu_s(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    other = (_cpu_busy_s() - busy0) - (_children_cpu_s() - child0)
    if proc.returncode == SIGILL_EXIT and side == "llamacpp":
        info = subprocess.run(
            [str(python), "-c", "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"],
            capture_output=True,
            text=True,
        )
        raise IllegalInstructionError(info.stdout.strip() or "unavailable (the library itself dies on import)")
    if proc.returncode != 0:
        raise RuntimeError(f"{side} worker failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["loadavg_before"] = list(load_before)
    result["other_processes_cores_during_run"] = max(0.0, other) / wall
    result["worker_wall_s"] = wall
    return result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")
