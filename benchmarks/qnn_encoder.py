"""QNN HTP encoder: the full-size MiniCPM-V 2.0 vision encoder compiled for a Snapdragon, checked on the emulator.

Synthetic weights (unless --checkpoint), exported with `ExportRequest(parts=("vision",))`, compiled per shape with the
`qnn` backend (w8a16 by default). Per shape it records:
  - compile time (quantization + HTP context preparation) and context binary size: host-measured;
  - cosine / max-abs vs fp32 ONNX Runtime on held-out images, run by the QNN HTP emulator: emulated (target >= 0.99);
  - the device latency: ESTIMATED, never measured here (no phone), by the SDK's one estimate method
    (`minicpmv_edge.bench.estimate`: the graph's FLOPs over the effective throughput AI Hub measured for ViT-B/16 on
    the chip's phone, with the weights' DRAM traffic as a floor; its assumptions go into the JSON).
Each shape compiles in a child process, so its peak RSS is measured on its own. The HTP emulator is slow (it emulates
fixed-point HTP arithmetic on the host CPU): keep --heldout-images small on a full-size encoder.

    python benchmarks/qnn_encoder.py [--shapes 280,448] [--target sm8650] [--heldout-images 2] [--calibration-images 16]
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from minicpmv_edge.versions import tool_versions

RESULTS = Path(__file__).resolve().parent / "results"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export(preset_name: str, checkpoint: str | None, shapes: tuple[int, ...], work: str, out: mp.Queue) -> None:
    from minicpmv_edge.export.pipeline import export_bundle
    from minicpmv_edge.export.request import ExportRequest
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
    from minicpmv_edge.presets import get_preset

    logging.basicConfig(level=logging.INFO, format="[bench export] %(message)s")
    preset = get_preset(preset_name)
    t0 = time.perf_counter()
    ckpt = Path(checkpoint) if checkpoint else write_synthetic_checkpoint(preset, Path(work) / "ckpt")
    bundle = Path(work) / "bundle"
    export_bundle(ExportRequest(preset=preset, out=bundle, shapes=shapes, parts=("vision",), checkpoint=ckpt))
    out.put({"bundle": str(bundle), "export_s": round(time.perf_counter() - t0, 1), "peak_rss_mb": _peak_rss_mb()})


def _compile(bundle: str, target: str, precision: str, size: int, options: dict[str, str], out: mp.Queue) -> None:
    from minicpmv_edge.errors import EdgeError
    from minicpmv_edge.npu_backends.base import CompileRequest
    from minicpmv_edge.npu_backends.chips import get_chip
    from minicpmv_edge.npu_backends.compile import compile_bundle

    logging.basicConfig(level=logging.INFO, format="[bench compile] %(message)s")
    req = CompileRequest(
        chip=get_chip(target), precision=precision, shapes=(size,), min_cosine=0.0, options=options
    )  # min_cosine 0: record the accuracy here instead of failing on it
    t0 = time.perf_counter()
    try:
        _, result = compile_bundle(bundle, req)
        out.put({"report": result.report, "wall_s": time.perf_counter() - t0, "peak_rss_mb": _peak_rss_mb()})
    except EdgeError as err:
        out.put({"error": str(err), "wall_s": time.perf_counter() - t0, "peak_rss_mb": _peak_rss_mb()})


def _in_child(target, *args) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def estimates(flops: float, weight_bytes: int, size: int, target: str) -> dict[str, Any]:
    """ESTIMATED device latency of one encoder run, by the SDK's one estimate method (`bench.estimate`)."""
    from minicpmv_edge.bench.estimate import EncoderCost, estimate
    from minicpmv_edge.npu_backends.chips import get_chip

    est = estimate({size: EncoderCost(size, flops, weight_bytes)}, None, [get_chip(target)], preset="", mode=None,
                   shapes_per_image=None)  # fmt: skip
    seconds = est.chips[0]["encode_s"].get(str(size))
    return {
        "provenance": "estimated",
        "ms": round(seconds * 1000, 1) if seconds is not None else None,
        "notes": est.chips[0]["notes"],
        "assumptions": est.assumptions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="minicpm-v-2")
    parser.add_argument("--checkpoint", help="HF checkpoint dir (default: synthetic weights)")
    parser.add_argument("--shapes", default="280,448")
    parser.add_argument("--target", default="sm8650", help="a Snapdragon chip key, e.g. sm8650")
    parser.add_argument("--precision", default="w8a16")
    parser.add_argument("--heldout-images", type=int, default=2, help="images run on the (slow) HTP emulator")
    parser.add_argument("--calibration-images", type=int, default=16)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the bundle (default: a temp dir)")
    parser.add_argument("--bundle", metavar="DIR", help="reuse a bundle exported with these shapes (skips the export)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    shapes = tuple(int(s) for s in args.shapes.split(","))
    options = {"heldout_images": str(args.heldout_images), "calibration_images": str(args.calibration_images)}

    from minicpmv_edge.bench.graph_cost import graph_cost

    with tempfile.TemporaryDirectory(prefix="bench-qnn-") as tmp:
        work = args.keep or tmp
        Path(work).mkdir(parents=True, exist_ok=True)
        if args.bundle:
            exported = {"bundle": args.bundle, "reused": True}
        else:
            logging.info("exporting the %s vision encoder at %s", args.model, args.shapes)
            exported = _in_child(_export, args.model, args.checkpoint, shapes, work)
        rows = []
        for size in shapes:
            cost = graph_cost(Path(exported["bundle"]) / f"vision/encoder_{size}.onnx")
            logging.info("compiling %dx%d (%.1f GFLOP) for %s", size, size, cost.gflops, args.target)
            got = _in_child(_compile, exported["bundle"], args.target, args.precision, size, options)
            row: dict[str, Any] = {
                "shape": size,
                "gflop": round(cost.gflops, 2),
                "fp32_weight_mb": round(cost.weight_bytes / 2**20, 1),
                "compile_process_peak_rss_mb": round(got["peak_rss_mb"]),
                "compile_process_wall_s": round(got["wall_s"], 1),
                "estimated_latency": estimates(cost.flops, cost.weight_bytes, size, args.target),
            }
            if "error" in got:
                row["error"] = got["error"]
            else:
                summary = got["report"]["summary"][str(size)]
                shape = got["report"]["shapes"][str(size)]
                acc = shape["accuracy"]
                row.update(
                    {
                        "compile_s": shape["compile_s"],
                        "htp_prepare_s": shape["htp_prepare_s"],
                        "compile_provenance": "host-measured",
                        "context_binary_bytes": summary["binary_bytes"],
                        "context_binary_mib": round(summary["binary_bytes"] / 2**20, 1),
                        "whole_graph_on_htp": got["report"]["whole_graph_on_htp"],
                        "cosine": acc["cosine"],
                        "cosine_mean": acc["cosine_mean"],
                        "max_abs": acc["max_abs"],
                        "heldout_images": acc["heldout_images"],
                        "per_image_cosine": acc["per_image_cosine"],
                        "accuracy_provenance": acc["provenance"],
                        "emulator_s_per_image": acc["seconds_per_image"],
                        "meets_target_0_99": acc["cosine"] >= 0.99,
                        "qnn_sdk": got["report"]["htp"]["qnn_sdk"],
                    }
                )
            rows.append(row)
            logging.info("shape %d: %s", size, json.dumps({k: v for k, v in row.items() if k != "estimated_latency"}))

    result = {
        "benchmark": "qnn_encoder",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": args.model,
        "weights": "real checkpoint" if args.checkpoint else "synthetic",
        "target": args.target,
        "precision": args.precision,
        "calibration_images": args.calibration_images,
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
        "versions": tool_versions("onnxruntime", "onnxruntime-qnn", "onnx", "torch"),
        "export": (
            {"reused_bundle": args.bundle}
            if args.bundle
            else {"export_s": exported["export_s"], "peak_rss_mb": round(exported["peak_rss_mb"])}
        ),
        "provenance_legend": {
            "host-measured": "this build machine (compile time, sizes, memory)",
            "emulated": "QNN HTP emulator (libQnnHtp x86_64) running the context binary: accuracy only, never timing",
            "estimated": "computed from FLOPs and the stated assumptions; no phone measured",
        },
        "rows": rows,
    }
    print(f"\n{args.model} vision encoder ({result['weights']} weights) -> QNN {args.precision} for {args.target}")
    print(f"{'shape':>5} {'GFLOP':>7} {'compile s':>9} {'bin MiB':>7} {'cosine':>9} {'imgs':>4} {'est. ms':>8}")
    for r in rows:
        est = r["estimated_latency"]
        cos = f"{r['cosine']:.5f}" if "cosine" in r else "error"
        print(
            f"{r['shape']:>5} {r['gflop']:>7.1f} {r.get('compile_s', float('nan')):>9.1f} "
            f"{r.get('context_binary_mib', float('nan')):>7.1f} {cos:>9} {r.get('heldout_images', 0):>4} "
            f"{est['ms'] if est['ms'] is not None else 'n/a':>8}"
        )
    print("compile: host-measured; cosine: emulated HTP vs fp32; latency: ESTIMATED from FLOPs (no phone)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"qnn_encoder-{datetime.now(UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
