"""KV cache precision: what an fp16 cache costs and saves against fp32, same int4 weights, side by side.

The 2.0 LLM's layer shape (hidden 2304, 36 heads with 36 KV heads, MLP 5760) at `--layers` layers and a small
vocabulary (the cache and attention scale per layer; the full 40 layers would take 5x longer to export and run,
and the per-layer costs are the same), synthetic weights, a cache preallocated for 2048 positions (the runtime
default context, at its full size: the runtime now grows the cache in chunks instead). Each variant
runs in a fresh process, rounds alternating which goes first:

* prefill of 160 positions, decode of `--decode-tokens` greedy steps (tok/s), peak RSS (VmHWM) of the process;
* agreement: the fp16-cache decoder's logits vs the fp32-cache decoder's over the same greedy continuation
  (cosine, share of equal argmax).

Host-measured, synthetic weights. Results: results/kv_cache_precision-<date>.json.

    python benchmarks/kv_cache_precision.py [--layers 8] [--rounds 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from minicpmv_edge.bench.machine import machine_info

RESULTS = Path(__file__).resolve().parent / "results"
PREFILL = 160
MAX_CONTEXT = 2048


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run(root: str, threads: int, decode_tokens: int, prefills: int) -> dict[str, Any]:
    """One variant in this (fresh) process: load, timed prefills, greedy decode; logits of every step."""
    from minicpmv_edge.runtime.decoder import DecoderMemory, Int4Decoder

    section = json.loads((Path(root) / "section.json").read_text())
    dec = Int4Decoder(
        Path(root), section, max_context=MAX_CONTEXT, threads=threads, memory=DecoderMemory(kv_chunk=None)
    )
    embeds = dec.embed(np.random.default_rng(0).integers(0, section["vocab_size"], PREFILL))
    best = float("inf")
    for _ in range(prefills):
        dec.reset()
        t0 = time.perf_counter()
        logits = dec.prefill(embeds)
        best = min(best, time.perf_counter() - t0)
    steps = [logits]
    t0 = time.perf_counter()
    for _ in range(decode_tokens):
        logits = dec.step(dec.embed(np.array([int(np.argmax(logits))]))[0])
        steps.append(logits)
    decode_s = time.perf_counter() - t0
    return {"prefill_s": best, "decode_tok_s": decode_tokens / decode_s, "peak_rss_mb": _hwm_mb(), "logits": steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--decode-tokens", type=int, default=32)
    parser.add_argument("--prefills", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from minicpmv_edge.export.decoder_onnx import export_decoder
    from minicpmv_edge.model.checkpoint import LazyWeights, open_checkpoint
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
    from minicpmv_edge.presets import MINICPM_V_2

    preset = replace(MINICPM_V_2, llm=replace(MINICPM_V_2.llm, num_layers=args.layers, vocab_size=8192))
    variants = ("float32", "float16")
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory(prefix="bench-kv-") as work:
        ckpt = open_checkpoint(write_synthetic_checkpoint(preset, Path(work) / "ckpt", parts=("llm",)))
        for kv in variants:
            section = export_decoder(LazyWeights(ckpt, preset, ("llm",)), preset, Path(work) / kv, kv_dtype=kv)
            (Path(work) / kv / "section.json").write_text(json.dumps(section))
        spawn = multiprocessing.get_context("spawn")
        for r in range(args.rounds):
            for kv in variants if r % 2 == 0 else reversed(variants):
                with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
                    job = pool.submit(_run, str(Path(work) / kv), args.threads, args.decode_tokens, args.prefills)
                    runs[kv].append(job.result())
    full = np.stack(runs["float32"][0]["logits"])
    half = np.stack(runs["float16"][0]["logits"])
    cos = (full * half).sum(-1) / np.linalg.norm(full, axis=-1) / np.linalg.norm(half, axis=-1)
    per_position = 2 * args.layers * preset.llm.num_kv_heads * preset.llm.head_dim
    kv_mb = {kv: per_position * MAX_CONTEXT * np.dtype(kv).itemsize / 2**20 for kv in variants}
    summary = {
        kv: {
            "prefill_s_median": statistics.median(x["prefill_s"] for x in runs[kv]),
            "decode_tok_s_median": statistics.median(x["decode_tok_s"] for x in runs[kv]),
            "peak_rss_mb_max": max(x["peak_rss_mb"] for x in runs[kv]),
            "kv_buffer_mb": round(kv_mb[kv], 1),
        }
        for kv in variants
    }
    result = {
        "benchmark": "kv_cache_precision",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": "synthetic",
        "model": f"2.0 LLM layer shape, {args.layers} layers, vocab 8192, int4 block 32, max_context {MAX_CONTEXT}",
        "machine": machine_info(args.threads) | {"shared_with_other_jobs": True},
        "rounds": args.rounds,
        "summary": summary,
        "fp16_over_fp32": {
            "prefill_speed": summary["float32"]["prefill_s_median"] / summary["float16"]["prefill_s_median"],
            "decode_speed": summary["float16"]["decode_tok_s_median"] / summary["float32"]["decode_tok_s_median"],
            "peak_rss_mb_saved": summary["float32"]["peak_rss_mb_max"] - summary["float16"]["peak_rss_mb_max"],
        },
        "agreement_fp16_vs_fp32_cache": {
            "steps": int(cos.size),
            "min_logit_cosine": float(cos.min()),
            "greedy_agreement": float((full.argmax(-1) == half.argmax(-1)).mean()),
        },
        "runs": {kv: [{k: v for k, v in x.items() if k != "logits"} for x in xs] for kv, xs in runs.items()},
    }
    for kv, s in summary.items():
        print(
            f"KV {kv}: prefill {PREFILL} {s['prefill_s_median']:.3f} s, decode {s['decode_tok_s_median']:.2f} tok/s, "
            f"peak RSS {s['peak_rss_mb_max']:.0f} MB (KV buffers {s['kv_buffer_mb']:.0f} MB)"
        )
    print(f"fp16 vs fp32 cache: {result['fp16_over_fp32']}; agreement {result['agreement_fp16_vs_fp32_cache']}")
    out = args.out or RESULTS / f"kv_cache_precision-{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
