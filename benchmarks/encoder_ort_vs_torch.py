"""Vision encoder: ONNX Runtime fp32 vs torch eager, same weights, same threads, side by side in one run.

Full-size MiniCPM-V 2.0 encoder (synthetic weights unless --checkpoint), at 280 and 448. Prints each backend's
median latency, the ratio, and achieved GFLOP/s against this machine's measured fp32 matmul peak. All figures are
host-measured. Target: ONNX Runtime >= 1.5x faster than eager at both shapes.

    python benchmarks/encoder_ort_vs_torch.py [--model minicpm-v-2] [--shapes 280,448] [--threads 2] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from minicpmv_edge.bench.graph_cost import graph_cost
from minicpmv_edge.bench.machine import cpu_model
from minicpmv_edge.export.pipeline import export_bundle
from minicpmv_edge.export.request import ExportRequest
from minicpmv_edge.export.static_encoder import StaticVisionEncoder
from minicpmv_edge.model.checkpoint import load_vision_encoder, open_checkpoint
from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
from minicpmv_edge.presets import get_preset

RESULTS = Path(__file__).resolve().parent / "results"


def matmul_peak_gflops(threads: int, n: int = 2048, repeats: int = 5) -> float:
    """Best fp32 GEMM throughput of torch (MKL/oneDNN) on this machine with `threads` threads."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = min(_timed(lambda: torch.mm(a, b)) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="minicpm-v-2")
    parser.add_argument("--checkpoint", type=Path, help="HF checkpoint dir (default: synthetic weights)")
    parser.add_argument("--shapes", default="280,448")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    preset = get_preset(args.model)
    shapes = tuple(int(s) for s in args.shapes.split(","))

    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as work:
        ckpt_dir = args.checkpoint or write_synthetic_checkpoint(preset, Path(work) / "ckpt")
        bundle = Path(work) / "bundle"
        export_bundle(
            ExportRequest(preset=preset, out=bundle, shapes=shapes, parts=("vision",), checkpoint=Path(ckpt_dir))
        )
        encoder = load_vision_encoder(open_checkpoint(ckpt_dir), preset)
        peak = matmul_peak_gflops(args.threads)
        torch.set_num_threads(args.threads)
        rows = []
        for size in shapes:
            path = bundle / f"vision/encoder_{size}.onnx"
            cost = graph_cost(path)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = args.threads
            session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            eager = StaticVisionEncoder(encoder, size).eval()
            pixels = np.random.default_rng(0).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
            tensor = torch.from_numpy(pixels)

            def run_torch(eager=eager, tensor=tensor) -> None:
                with torch.no_grad():
                    eager(tensor)

            def run_ort(session=session, pixels=pixels) -> None:
                session.run(None, {"pixel_values": pixels})

            for _ in range(args.warmup):
                run_torch()
                run_ort()
            t_torch, t_ort = [], []
            for _ in range(args.runs):  # interleaved, so drift hits both alike
                t_torch.append(_timed(run_torch))
                t_ort.append(_timed(run_ort))
            mt, mo = statistics.median(t_torch), statistics.median(t_ort)
            rows.append(
                {
                    "shape": size,
                    "gflop": round(cost.gflops, 2),
                    "torch_eager_s": round(mt, 4),
                    "onnxruntime_s": round(mo, 4),
                    "speedup_ort_vs_eager": round(mt / mo, 3),
                    "torch_gflops": round(cost.gflops / mt, 1),
                    "ort_gflops": round(cost.gflops / mo, 1),
                    "ort_fraction_of_matmul_peak": round(cost.gflops / mo / peak, 3),
                    "meets_target_1_5x": mt / mo >= 1.5,
                }
            )
            logging.info("shape %d: torch %.3f s, ORT %.3f s", size, mt, mo)

    result = {
        "benchmark": "encoder_ort_vs_torch",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": "real checkpoint" if args.checkpoint else "synthetic",
        "model": preset.name,
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "threads_used": args.threads},
        "versions": {"torch": torch.__version__, "onnxruntime": ort.__version__},
        "matmul_peak_gflops": round(peak, 1),
        "runs": args.runs,
        "rows": rows,
    }
    print(f"\n{preset.name} vision encoder ({result['weights']} weights), {args.threads} threads, host-measured")
    print(f"fp32 matmul peak (torch.mm 2048^3): {peak:.1f} GFLOP/s")
    print(f"{'shape':>6} {'GFLOP':>7} {'torch s':>8} {'ORT s':>7} {'ORT/eager':>9} {'ORT GFLOP/s':>11} {'of peak':>7}")
    for r in rows:
        print(
            f"{r['shape']:>6} {r['gflop']:>7.1f} {r['torch_eager_s']:>8.3f} {r['onnxruntime_s']:>7.3f} "
            f"{r['speedup_ort_vs_eager']:>8.2f}x {r['ort_gflops']:>11.1f} {r['ort_fraction_of_matmul_peak']:>7.0%}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"encoder_ort_vs_torch-{datetime.now(UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
