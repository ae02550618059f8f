"""TVM encoder vs ONNX Runtime on this host at 280x280: untuned, then after a stated MetaSchedule budget.

Exports the vision encoder (tiny preset by default; synthetic weights), compiles it with the `tvm` backend for
arm64-a76 twice -- `--tune-trials 0` (TVM's default CPU schedules) and `--tune-trials N` from an empty database --
and times the two host-built libraries (`encoder_280.host.so`, the same schedules as the aarch64 library) against
ONNX Runtime fp32 in the same process, interleaved rounds, median. All of that is host-measured (x86_64), and the
tuning is measured on this host too (it stands in for the board).

It then ESTIMATES the full-size MiniCPM-V 2.0 encoder at 280x280 (348.6 GFLOP, graph_cost) on each TVM chip from
published peak FP32 throughput (chips.py PUBLISHED, with sources) and an assumed sustained fraction of peak. Nothing
here ran on an ARM core or a GPU.

    python benchmarks/tvm_encoder.py [--preset tiny] [--tune-trials 64] [--tune-ops matmul,conv2d] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from minicpmv_edge.bench.graph_cost import graph_cost
from minicpmv_edge.bench.machine import machine_info
from minicpmv_edge.cli import main as cli
from minicpmv_edge.npu_backends.chips import TVM_CHIPS
from minicpmv_edge.numerics import cosine
from minicpmv_edge.runtime.bundle_view import Bundle

RESULTS = Path(__file__).resolve().parent / "results"
SIZE = 280
CHIP = "arm64-a76"
BUILD = f"tvm-{CHIP}-fp32"
FULL_SIZE_GFLOP_280 = 348.6  # MiniCPM-V 2.0 encoder at 280 (graph_cost; encoder_ort_vs_torch-2026-11-21.json)
# Assumed sustained fraction of peak FP32 for the full-size encoder (not measured: no board here). CPUs: tuned
# MetaSchedule GEMMs on NEON typically sustain a third of peak or less once attention, softmax and LayerNorm are
# counted; GPUs: DLight's untuned rule-based OpenCL schedules on mobile GPUs sit well below that.
UTILISATION = {"llvm": 0.3, "opencl": 0.15}


def _compile(bundle: Path, trials: int, ops: str) -> dict[str, Any]:
    argv = ["-q", "compile", str(bundle), "--target", CHIP, "--shapes", str(SIZE), "--tune-trials", str(trials)]
    if ops:
        argv += ["--tune-ops", ops]
    if cli(argv) != 0:
        raise SystemExit(f"compile with {trials} trials failed")
    return json.loads(_build_dir(bundle).joinpath("report.json").read_text())


def _build_dir(bundle: Path) -> Path:
    return Bundle.open(bundle, verify=False).path(Bundle.open(bundle, verify=False).manifest.compiled[BUILD].dir)


def _host_library(bundle: Path) -> Path:
    return _build_dir(bundle) / f"encoder_{SIZE}.host.so"


def _time(runs: dict[str, Any], x: np.ndarray, rounds: int) -> dict[str, float]:
    for fn in runs.values():
        fn(x)  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn(x)
            samples[name].append(time.perf_counter() - t0)
    return {name: statistics.median(s) for name, s in samples.items()}


def estimates() -> list[dict[str, Any]]:
    out = []
    for chip in TVM_CHIPS:
        kind = chip.tvm_target["kind"]
        util = UTILISATION[kind]
        seconds = FULL_SIZE_GFLOP_280 / (chip.fp32_gflops * util)
        out.append(
            {
                "chip": chip.key,
                "part": chip.cpu_desc,
                "model": "MiniCPM-V 2.0 vision encoder, full size, 280x280, fp32",
                "encode_s": round(seconds, 2),
                "provenance": "estimated",
                "method": f"{FULL_SIZE_GFLOP_280} GFLOP / ({chip.fp32_gflops} GFLOP/s peak x {util} assumed "
                "sustained fraction)",
                "peak_source": chip.source,
                "utilisation_source": "assumed (see UTILISATION in benchmarks/tvm_encoder.py)",
            }
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--tune-trials", type=int, default=64)
    parser.add_argument("--tune-ops", default="matmul,conv2d", help="fused functions to tune ('' = all)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: all cores)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    import tvm
    from tvm.runtime.vm import VirtualMachine

    with tempfile.TemporaryDirectory(prefix="tvm-encoder-") as tmp:
        work = Path(tmp)
        bundle = work / "bundle"
        export = ["-q", "export", "--model", args.preset, "--synthetic", "--parts", "vision"]
        if cli([*export, "--shapes", str(SIZE), "--out", str(bundle)]) != 0:
            raise SystemExit("export failed")
        onnx_path = bundle / "vision" / f"encoder_{SIZE}.onnx"
        tuned_bundle = work / "tuned"
        shutil.copytree(bundle, tuned_bundle)  # tuned from an empty database: the budget is all the tuning there is
        untuned = _compile(bundle, 0, "")
        tuned = _compile(tuned_bundle, args.tune_trials, args.tune_ops)
        opts = ort.SessionOptions()
        if args.threads:
            opts.intra_op_num_threads = args.threads
        session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        libraries = {"tvm_untuned": bundle, "tvm_tuned": tuned_bundle}
        vms = {
            name: VirtualMachine(tvm.runtime.load_module(str(_host_library(b))), tvm.cpu())
            for name, b in libraries.items()
        }
        x = np.random.default_rng(0).uniform(-1, 1, (1, 3, SIZE, SIZE)).astype(np.float32)
        runs = {
            "onnxruntime": lambda v: session.run(None, {"pixel_values": v})[0],
            **{name: (lambda v, vm=vm: vm["main"](tvm.runtime.tensor(v)).numpy()) for name, vm in vms.items()},
        }
        medians = _time(runs, x, args.rounds)
        want = runs["onnxruntime"](x)
        cos = {name: round(cosine(runs[name](x), want), 7) for name in vms}
        gflop = graph_cost(onnx_path).flops / 1e9
    tuning = tuned["tuning"]
    record = {
        "benchmark": "tvm_encoder",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "preset": args.preset,
        "weights": "synthetic",
        "shape": SIZE,
        "gflop": round(gflop, 3),
        "chip_schedules_for": CHIP,
        "tuning_budget": {
            "trials": args.tune_trials,
            "ops": args.tune_ops or "all",
            "records": tuning["records_after"],
            "tune_s": tuning["tune_s"],
            "provenance": "host-measured (tuning measured on this host, a stand-in for the board)",
        },
        "scheduled_functions": tuned["shapes"][str(SIZE)]["scheduled_functions"],
        "host_median_s": {k: round(v, 5) for k, v in medians.items()},
        "ratios": {
            "untuned_over_onnxruntime": round(medians["tvm_untuned"] / medians["onnxruntime"], 2),
            "tuned_over_onnxruntime": round(medians["tvm_tuned"] / medians["onnxruntime"], 2),
            "untuned_over_tuned": round(medians["tvm_untuned"] / medians["tvm_tuned"], 2),
        },
        "cosine_vs_onnxruntime": cos,
        "rounds": args.rounds,
        "provenance": "host-measured (x86_64 host libraries of the arm64-a76 schedules; not an ARM core)",
        "untuned_compile_s": untuned["summary"][str(SIZE)]["compile_s"],
        "estimates": estimates(),
        "machine": machine_info(args.threads),
        "versions": {n: metadata.version(n) for n in ("apache-tvm", "apache-tvm-ffi", "onnxruntime")},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"tvm_encoder-{args.preset}-{record['created_at'][:10]}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps({k: record[k] for k in ("host_median_s", "ratios", "tuning_budget", "cosine_vs_onnxruntime")}))
    for est in record["estimates"]:
        print(f"estimated {est['chip']:<10} {est['encode_s']:>7.2f} s  ({est['method']})")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
