"""Vision encoder on the CPU: torch eager vs ONNX Runtime (plain static graph, fused fp32, int8), one run.

Full-size MiniCPM-V 2.0 encoder at 280 and 448, same weights and threads, runs interleaved so drift hits all
alike. Weights: synthetic, by default rescaled to trained-model statistics (`--weights trained-scale`, see
model/synthetic.py `trained_scale`), since int8 accuracy on N(0, 0.02) weights flatters the quantizer. Reports per
shape and backend: median latency, speedup vs torch eager, achieved GFLOP/s (graph FLOPs / latency) and its fraction
of this CPU's theoretical peak and of the best GEMM measured here (bench/peak.py), and the held-out cosine of every ONNX
graph vs torch fp32 on real photos and rendered documents from calibration_data/heldout (never used at export).
All figures are host-measured. Goals: int8 >= 2.5x eager at cosine >= 0.995; fp32 >= 85% of the fp32 peak.

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
from minicpmv_edge.bench.machine import machine_info
from minicpmv_edge.bench.peak import fractions, physical_limits
from minicpmv_edge.export.pipeline import export_bundle
from minicpmv_edge.export.request import ExportRequest
from minicpmv_edge.export.static_encoder import StaticVisionEncoder
from minicpmv_edge.manifest import CPU_MIN_COSINE
from minicpmv_edge.model.checkpoint import load_vision_encoder, open_checkpoint
from minicpmv_edge.model.synthetic import trained_scale, write_synthetic_checkpoint
from minicpmv_edge.numerics import cosine
from minicpmv_edge.presets import get_preset
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.preprocess import square_input
from minicpmv_edge.versions import tool_versions

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BASELINE = "torch eager fp32"
HELDOUT = HERE.parent / "calibration_data" / "heldout"


def heldout_inputs(size: int) -> dict[str, np.ndarray]:
    return {
        p.name: square_input(load_image(p), size) for p in sorted(HELDOUT.iterdir()) if p.suffix in (".jpg", ".png")
    }


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _session(path: Path, threads: int) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="minicpm-v-2")
    parser.add_argument("--checkpoint", type=Path, help="HF checkpoint dir (default: synthetic weights)")
    parser.add_argument("--weights", choices=["trained-scale", "init"], default="trained-scale")
    parser.add_argument(
        "--bundle",
        type=Path,
        help="time an exported bundle's graphs instead (no torch eager: speedups and cosines vs the plain fp32 graph)",
    )
    parser.add_argument("--shapes", default="280,448")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--heldout", type=int, default=6, help="held-out images for the accuracy check")
    parser.add_argument("--out", type=Path, help="results JSON (default: results/encoder_ort_vs_torch-<date>.json)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    preset = get_preset(args.model)
    shapes = tuple(int(s) for s in args.shapes.split(","))
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as work:
        weights = "real checkpoint"
        ckpt_dir = args.checkpoint
        if args.bundle:
            bundle = args.bundle
            manifest = json.loads((bundle / "manifest.json").read_text())
            weights = f"bundle {bundle.name}: {'synthetic' if manifest['model']['synthetic'] else 'real'} weights"
            encoder = None
        else:
            if ckpt_dir is None:
                ckpt_dir = write_synthetic_checkpoint(preset, Path(work) / "ckpt")
                weights = trained_scale(ckpt_dir) if args.weights == "trained-scale" else "synthetic N(0, 0.02) init"
            bundle = Path(work) / "bundle"
            export_bundle(
                ExportRequest(preset=preset, out=bundle, shapes=shapes, parts=("vision",), checkpoint=Path(ckpt_dir))
            )
            manifest = json.loads((bundle / "manifest.json").read_text())
            encoder = load_vision_encoder(open_checkpoint(ckpt_dir), preset)
        limits = physical_limits(args.threads)
        logging.info("physical limits: %s", limits["best_measured_gops"])
        rows = []
        for size in shapes:
            graphs = {"onnxruntime plain fp32": bundle / manifest["vision"]["encoders"][str(size)]["file"]}
            for precision, by_size in manifest["vision"].get("cpu_encoders", {}).items():
                graphs[f"onnxruntime {precision} (CPU graph)"] = bundle / by_size[str(size)]["file"]
            sessions = {name: _session(path, args.threads) for name, path in graphs.items()}
            held = dict(list(heldout_inputs(size).items())[: args.heldout])
            pixels = next(iter(held.values()))
            runners = {}
            if encoder is not None:
                eager = StaticVisionEncoder(encoder, size).eval()
                with torch.no_grad():
                    reference = {k: eager(torch.from_numpy(v)).numpy() for k, v in held.items()}
                runners[BASELINE] = lambda eager=eager, x=torch.from_numpy(pixels): eager(x)  # noqa: B008
            else:
                plain = sessions["onnxruntime plain fp32"]
                reference = {k: plain.run(None, {"pixel_values": v})[0] for k, v in held.items()}
            accuracy = {
                name: min(cosine(reference[k], s.run(None, {"pixel_values": v})[0]) for k, v in held.items())
                for name, s in sessions.items()
            }
            for name, s in sessions.items():
                runners[name] = lambda s=s, x=pixels: s.run(None, {"pixel_values": x})
            with torch.no_grad():
                for _ in range(args.warmup):
                    for fn in runners.values():
                        fn()
                times: dict[str, list[float]] = {name: [] for name in runners}
                for _ in range(args.runs):
                    for name, fn in runners.items():
                        times[name].append(_timed(fn))
            gflop = graph_cost(graphs["onnxruntime plain fp32"]).gflops
            base = BASELINE if BASELINE in times else "onnxruntime plain fp32"
            eager_s = statistics.median(times[base])
            backends = {}
            for name, ts in times.items():
                med = statistics.median(ts)
                precision = "int8" if "int8" in name else "fp32"
                backends[name] = {
                    "median_s": round(med, 4),
                    "min_s": round(min(ts), 4),
                    "speedup_vs_eager": round(eager_s / med, 3),
                    "gflops": round(gflop / med, 1),
                    **fractions(gflop / med, precision, limits),
                    "heldout_cosine_vs_torch_fp32": round(accuracy[name], 6) if name in accuracy else None,
                }
                logging.info("shape %d %-32s %.3f s (%.2fx eager)", size, name, med, eager_s / med)
            rows.append({"shape": size, "gflop": round(gflop, 2), "backends": backends})
            del sessions

    best_cpu = manifest["vision"].get("cpu_default")
    result = {
        "benchmark": "encoder_ort_vs_torch",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": weights,
        "model": preset.name,
        "machine": machine_info(args.threads) | {"shared_with_other_jobs": True},
        "versions": tool_versions("torch", "onnxruntime", "onnx", "numpy"),
        "physical_limits": limits,
        "runs": args.runs,
        "heldout_images": args.heldout,
        "bundle_cpu_default": best_cpu,
        "cpu_recipes": {
            precision: {size: entry.get("recipe") for size, entry in by_size.items()}
            for precision, by_size in manifest["vision"].get("cpu_encoders", {}).items()
        },
        "speedup_baseline": "torch eager fp32" if not args.bundle else "onnxruntime plain fp32 (no torch eager)",
        "cosine_reference": "torch fp32 eager" if not args.bundle else "onnxruntime plain fp32",
        "rows": rows,
        "goals": {
            "int8_ge_2.5x_eager_at_cosine_0.995": all(
                r["backends"].get("onnxruntime int8 (CPU graph)", {}).get("speedup_vs_eager", 0) >= 2.5
                and r["backends"]["onnxruntime int8 (CPU graph)"]["heldout_cosine_vs_torch_fp32"] >= CPU_MIN_COSINE
                for r in rows
            ),
            "fp32_ge_85pct_of_theoretical_peak": all(
                max(b["of_theoretical_peak"] or 0 for n, b in r["backends"].items() if "fp32" in n and "onnx" in n)
                >= 0.85
                for r in rows
            ),
        },
    }
    print(f"\n{preset.name} vision encoder ({weights}), {args.threads} threads, host-measured")
    peak = limits["theoretical"]
    print(
        "theoretical peak: "
        + ", ".join(f"{k} {v['gops']} G/s" for k, v in peak.items())
        + "; best measured GEMM: "
        + ", ".join(f"{k} {v} G/s" for k, v in limits["best_measured_gops"].items())
    )
    print(
        f"{'shape':>5} {'backend':32} {'s':>7} {'vs eager':>8} {'GFLOP/s':>8} {'of peak':>7} {'of GEMM':>7} {'cos':>8}"
    )
    for r in rows:
        for name, b in r["backends"].items():
            cos = f"{b['heldout_cosine_vs_torch_fp32']:.5f}" if b["heldout_cosine_vs_torch_fp32"] else "ref"
            print(
                f"{r['shape']:>5} {name:32} {b['median_s']:>7.3f} {b['speedup_vs_eager']:>7.2f}x {b['gflops']:>8.1f} "
                f"{b['of_theoretical_peak'] or 0:>7.0%} {b['of_best_measured_gemm'] or 0:>7.0%} {cos:>8}"
            )
    print("goals: " + ", ".join(f"{k}={'PASS' if v else 'FAIL'}" for k, v in result["goals"].items()))
    tag = "" if preset.name == "minicpm-v-2" else f"{preset.name}-"
    out = args.out or RESULTS / f"encoder_ort_vs_torch-{tag}{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
