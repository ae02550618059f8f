"""Where the CPU encoder's time goes: ONNX Runtime's per-operator profile, against the CPU's physical limits.

The encoder benchmark gives one number per graph (GFLOP/s of the whole run as a fraction of the theoretical peak).
This script says why that fraction is what it is: for each graph of a bundle (the plain static graph and each CPU
graph) it runs ONNX Runtime with profiling on, sums every node's kernel time by operator type, counts the matrix
products' operations from the shapes the profile records (2·M·K·N), and reports per operator type its share of the
time and, for the matrix products, their GOP/s as a fraction of the theoretical peak of their precision
(`bench/peak.py`). The non-matrix operators (softmax, layer norms, GELU, transposes, quantize) cost time at no
counted FLOPs, so the whole graph's fraction is at most the matrix products' fraction times their time share.

    python benchmarks/encoder_op_profile.py BUNDLE [--shape 280] [--threads 2] [--runs 3]

Host-measured; the bundle's manifest says synthetic or real weights. Writes
results/encoder_op_profile-<preset>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from minicpmv_edge.bench.machine import machine_info
from minicpmv_edge.bench.peak import theoretical_peaks
from minicpmv_edge.versions import tool_versions

RESULTS = Path(__file__).resolve().parent / "results"
# operator -> precision of its multiply-adds; the matrix products whose operations are counted
MATMUL_OPS = {
    "MatMul": "fp32",
    "Gemm": "fp32",
    "FusedMatMul": "fp32",
    "MatMulInteger": "int8",
    "DynamicQuantizeMatMul": "int8",
    "MatMulIntegerToFloat": "int8",
    "QGemm": "int8",
    "MatMulNBits": "int8",  # accuracy_level 4: int8 dot products on quantized activations
    "Conv": "fp32",  # the patch embedding
}


@dataclass
class OpStats:
    """One operator type's totals over the profiled runs."""

    count: int = 0
    us: float = 0.0
    ops: float = 0.0
    shapes: set[str] = field(default_factory=set)


def matmul_ops(op: str, inputs: list[dict[str, list[int]]], outputs: list[dict[str, list[int]]]) -> float:
    """Multiply-add operations x 2 of one matrix-product node, from the shapes in ORT's profile.

    `inputs[0]` is A `[..., M, K]` (K = its last dimension, for Gemm without transA as the exporters write it);
    the output `[..., M, N]` gives the rest: 2 x numel(output) x K. Conv: K = the weight's `Cin x kh x kw`.
    """
    if len(inputs) < 2 or not outputs:
        return 0.0
    a, w = (next(iter(x.values())) for x in inputs[:2])
    out = next(iter(outputs[0].values()))
    if not a or not out or not w:
        return 0.0
    k = math.prod(w[1:]) if op == "Conv" else a[-1]
    return 2.0 * math.prod(out) * k


def profile_graph(path: Path, pixels: np.ndarray, threads: int, runs: int) -> dict[str, OpStats]:
    """Per operator type: kernel time summed over `runs` profiled runs (after one unprofiled warm-up)."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    with tempfile.TemporaryDirectory(prefix="ort-profile-") as folder:
        opts.enable_profiling = True
        opts.profile_file_prefix = os.path.join(folder, "encoder")
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        session.run(None, {name: pixels})  # warm-up: first-run allocations and prepacking stay out of the figures
        for _ in range(runs):
            session.run(None, {name: pixels})
        events = json.loads(Path(session.end_profiling()).read_text())
    stats: dict[str, OpStats] = defaultdict(OpStats)
    run_starts = sorted(e["ts"] for e in events if e.get("cat") == "Session" and e.get("name") == "model_run")
    first_timed = run_starts[1] if len(run_starts) > 1 else 0
    for e in events:
        if e.get("cat") != "Node" or not e.get("name", "").endswith("_kernel_time") or e["ts"] < first_timed:
            continue
        args = e.get("args", {})
        op = args.get("op_name", "?")
        s = stats[op]
        s.count += 1
        s.us += e.get("dur", 0)
        if op in MATMUL_OPS:
            s.ops += matmul_ops(op, args.get("input_type_shape", []), args.get("output_type_shape", []))
    return stats


def summarize(stats: dict[str, OpStats], runs: int, peaks: dict[str, float]) -> dict[str, Any]:
    """Per-run milliseconds, time share and (matrix products) GOP/s and fraction of peak, by operator type."""
    total_us = sum(s.us for s in stats.values()) or 1.0
    rows = []
    for op, s in sorted(stats.items(), key=lambda kv: -kv[1].us):
        row: dict[str, Any] = {
            "op": op,
            "nodes_per_run": s.count // runs,
            "ms_per_run": round(s.us / runs / 1e3, 2),
            "time_share": round(s.us / total_us, 4),
        }
        if op in MATMUL_OPS and s.us:
            gops = s.ops / (s.us / 1e6) / 1e9
            precision = MATMUL_OPS[op]
            row |= {"gop_per_run": round(s.ops / runs / 1e9, 2), "gops": round(gops, 1), "precision": precision}
            if precision in peaks:
                row["of_theoretical_peak"] = round(gops / peaks[precision], 3)
        rows.append(row)
    matmul_us = sum(s.us for op, s in stats.items() if op in MATMUL_OPS)
    return {
        "kernel_ms_per_run": round(total_us / runs / 1e3, 1),
        "matmul_time_share": round(matmul_us / total_us, 4),
        "ops": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--shape", type=int, default=280)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--graphs", default="plain,fp32,int8", help="which of plain and the CPU precisions to profile")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    manifest = json.loads((args.bundle / "manifest.json").read_text())
    vision = manifest["vision"]
    wanted = set(args.graphs.split(","))
    graphs = {"plain fp32": vision["encoders"][str(args.shape)]["file"]} if "plain" in wanted else {}
    for precision, by_size in vision.get("cpu_encoders", {}).items():
        if str(args.shape) in by_size and precision in wanted:
            graphs[f"cpu {precision}"] = by_size[str(args.shape)]["file"]
    peaks = {k: v.gops for k, v in theoretical_peaks(args.threads).items()}
    pixels = np.random.default_rng(0).uniform(-1, 1, (1, 3, args.shape, args.shape)).astype(np.float32)
    result: dict[str, Any] = {
        "benchmark": "encoder_op_profile",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured (ONNX Runtime profiler: kernel times, excludes session overhead)",
        "weights": "synthetic" if manifest["model"]["synthetic"] else "real checkpoint",
        "model": manifest["model"]["preset"],
        "shape": args.shape,
        "runs": args.runs,
        "machine": machine_info(args.threads),
        "versions": tool_versions("onnxruntime"),
        "theoretical_peak_gops": peaks,
        "graphs": {},
    }
    for label, rel in graphs.items():
        summary = summarize(profile_graph(args.bundle / rel, pixels, args.threads, args.runs), args.runs, peaks)
        result["graphs"][label] = {"file": rel, **summary}
        print(
            f"\n{label} ({rel}): {summary['kernel_ms_per_run']} ms kernel time per run, "
            f"{summary['matmul_time_share']:.0%} in matrix products"
        )
        print(f"{'op':28} {'nodes':>5} {'ms':>9} {'share':>6} {'GOP/s':>7} {'of peak':>7}")
        for row in summary["ops"][:12]:
            peak = f"{row['of_theoretical_peak']:.0%}" if "of_theoretical_peak" in row else ""
            gops = f"{row['gops']:.1f}" if "gops" in row else ""
            print(
                f"{row['op']:28} {row['nodes_per_run']:>5} {row['ms_per_run']:>9.1f} {row['time_share']:>6.1%} "
                f"{gops:>7} {peak:>7}"
            )
    out = args.out or RESULTS / f"encoder_op_profile-{result['model']}-{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
