"""Peak RSS of a whole `run` (encoder + decoder as the runtime loads them), per memory lever, side by side, with a
per-phase profile of where the memory goes.

For a bundle, each configuration runs the steps of `Pipeline.generate` (fixed-280 image, short prompt, greedy
`--max-new-tokens`) in a fresh process: open the CPU encoder, encode, release it (or keep it, as `bench` does),
open the int4 decoder, prefill, decode. The levers:

* `cpu_precision`: the CPU encoder graph, plain fp32 or int8;
* `release_encoder`: encode first, drop the encoder's session, then open the decoder (what `run` does);
* `trim_heap`: after that release, hand the freed heap back to the OS (glibc malloc_trim; runtime/memory.py);
* `kv_chunk`: the KV cache grows in chunks of this many positions up to max_context (None: preallocated for
  max_context, the old behaviour; ORT's GroupQueryAttention makes the whole buffer resident on the first run);
  (the three decoder levers are `DecoderMemory`'s fields; each is also measured alone against the old decoder)
* `drop_pages`: after the decoder loads, unmap the pages of `decoder.onnx.data` ORT keeps mapped but never reads
  again (runtime/memory.py);
* `lm_head_first`: ORT gets the graph with lm_head listed first, so its prepack transient comes before the other
  weights are packed instead of on top of them (runtime/memory.py);
* `fill_context`: after the answer, keep filling the cache (prefill chunks of 128 positions) to the full default
  context of 2048 and take one more step: the worst case of a grown cache, its own row so nobody is misled.

Last, `minicpmv-edge run` itself runs under `/usr/bin/time -v` (its own row, `cli`), so the replica's figures can
be checked against the command the goal is about.

Profile: the child records its own VmRSS / RssAnon / RssFile at the end of each phase; the parent samples them
every 20 ms, so each phase also reports its sampled peak and what it was made of (transients inside ORT's session
load show there). The row's `peak_rss_mb` is the child's VmHWM (exact). Times: stage times and decoder load time
per configuration, so each lever's cost shows next to what it saves. Host-measured on a shared machine; the
bundle's manifest says synthetic or real weights.

    python benchmarks/run_memory.py BUNDLE [--max-new-tokens 16] [--threads 2] [--rows NAME,...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from minicpmv_edge.bench.machine import machine_info
from minicpmv_edge.runtime.memory import residency

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_MB = 2.5 * 1024
PROMPT = "Describe the image in detail."
FILL_CHUNK = 128
SAMPLE_S = 0.02


@dataclass(frozen=True)
class Config:
    name: str
    cpu_precision: str = "plain"
    release_encoder: bool = True
    trim_heap: bool = True
    kv_chunk: int | None = 256
    drop_pages: bool = True
    lm_head_first: bool = True
    fill_context: bool = False


OLD = {"trim_heap": False, "kv_chunk": None, "drop_pages": False, "lm_head_first": False}  # before these levers
CONFIGS = (  # most telling first
    Config("release encoder, all levers (run now)"),
    Config("release encoder, no new lever (run before)", **OLD),
    Config("run now, context filled to 2048 (worst case)", fill_context=True),
    Config("+ malloc_trim after the release", **(OLD | {"trim_heap": True})),
    Config("+ growing KV", **(OLD | {"kv_chunk": 256})),
    Config("+ drop unused weight pages", **(OLD | {"drop_pages": True})),
    Config("+ lm_head first", **(OLD | {"lm_head_first": True})),
    Config("int8 encoder, run now", cpu_precision="int8"),
    Config("both resident, all decoder levers (bench now)", release_encoder=False),
    Config("both resident, no new lever (bench before)", release_encoder=False, **OLD),
    Config("run now without malloc_trim", trim_heap=False),  # what each lever adds on top of the others
    Config("run now without lm_head first", lm_head_first=False),
)


def _child(bundle: str, config: Config, tokens: int, threads: int) -> None:
    """One configuration in this (fresh) process; prints `MARK` lines per phase and one `RESULT` line."""

    def mark(phase: str) -> None:
        print("MARK " + json.dumps({"phase": phase, "t": time.monotonic(), **asdict(residency())}), flush=True)

    mark("start")
    import numpy as np

    import minicpmv_edge
    from minicpmv_edge.runtime.bundle_view import Bundle
    from minicpmv_edge.runtime.decoder import DecoderMemory, Int4Decoder
    from minicpmv_edge.runtime.encoders import EncoderOptions, open_encoder
    from minicpmv_edge.runtime.images import load_image
    from minicpmv_edge.runtime.memory import trim_heap
    from minicpmv_edge.runtime.preprocess import preprocess
    from minicpmv_edge.runtime.prompts import image_bounds, prompt_ids, splice
    from minicpmv_edge.runtime.tokenizer import TextTokenizer

    assert "torch" not in sys.modules  # as in `run`: the old version of this script counted torch's ~250 MB
    mark("import")
    times: dict[str, float] = {}
    b = Bundle.open(bundle, verify=False)
    spec, tokenizer = b.prompt_spec(), TextTokenizer(b.tokenizer_file)
    t0 = time.perf_counter()
    encoder = open_encoder(b, None, config.cpu_precision, EncoderOptions(threads=threads))
    times["encoder_open_s"] = time.perf_counter() - t0
    mark("encoder open (its session opens on the first encode)")

    def open_decoder() -> Int4Decoder:
        t0 = time.perf_counter()
        memory = DecoderMemory(config.kv_chunk, config.drop_pages, config.lm_head_first)
        dec = Int4Decoder(b, threads=threads, memory=memory)
        times["decoder_open_s"] = time.perf_counter() - t0
        mark("decoder open")
        return dec

    decoder = None if config.release_encoder else open_decoder()
    pre = preprocess(load_image(Path(minicpmv_edge.__file__).parent / "assets" / "sample.jpg"), "fixed-280")
    ids = prompt_ids(spec, tokenizer.encode, PROMPT, pre.grid)
    t0 = time.perf_counter()
    image_embeds = [encoder.encode(inp.pixel_values) for inp in pre.inputs]
    times["encode_s"] = time.perf_counter() - t0
    mark("encode")
    if config.release_encoder:
        encoder.release()
        mark("encoder release")
        if config.trim_heap:
            trim_heap()
            mark("malloc_trim")
        decoder = open_decoder()
    assert decoder is not None
    t0 = time.perf_counter()
    logits = decoder.prefill(splice(decoder.embed(np.asarray(ids)), image_bounds(spec, ids), image_embeds))
    times["prefill_s"] = time.perf_counter() - t0
    mark(f"prefill {len(ids)}")
    t0 = time.perf_counter()
    for _ in range(tokens):
        logits = decoder.step(decoder.embed(np.array([int(np.argmax(logits))]))[0])
    times["decode_tok_s"] = tokens / (time.perf_counter() - t0)
    mark(f"decode {tokens}")
    if config.fill_context:
        rng = np.random.default_rng(0)
        t0 = time.perf_counter()
        grow_s, grows = 0.0, 0
        while (n := min(FILL_CHUNK, decoder.max_context - 1 - decoder.position)) > 0:
            t1, capacity = time.perf_counter(), decoder.kv_capacity
            decoder.reserve(decoder.position + n)  # timed apart: the cost of growing the cache
            grow_s += time.perf_counter() - t1
            grows += decoder.kv_capacity > capacity
            decoder.prefill(decoder.embed(rng.integers(0, decoder.vocab_size, n)))
        decoder.step(decoder.embed(np.array([int(np.argmax(logits))]))[0])
        times["fill_s"] = time.perf_counter() - t0
        times["kv_grow_s_total"], times["kv_grows"] = grow_s, grows
        mark(f"filled to {decoder.position}")
    result = {
        "prefill_tokens": len(ids),
        "positions": decoder.position,
        "kv_capacity": decoder.kv_capacity,
        "max_context": decoder.max_context,
        **times,
    }
    print("RESULT " + json.dumps(result), flush=True)


def _sample(pid: int, samples: list[tuple[float, float, float, float]], done: threading.Event) -> None:
    while not done.is_set():
        now = residency(pid)
        if now is not None:
            samples.append((time.monotonic(), now.rss_mb, now.anon_mb, now.file_mb))
        time.sleep(SAMPLE_S)


def measure(bundle: Path, config: Config, tokens: int, threads: int) -> dict[str, Any]:
    """Run one configuration in a child process, sampling its memory from here."""
    cmd = [sys.executable, __file__, str(bundle), "--child", json.dumps(asdict(config))]
    cmd += ["--max-new-tokens", str(tokens), "--threads", str(threads)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, float, float, float]] = []
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, samples, done), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"{config.name} failed:\n{err[-3000:]}")
    lines = out.splitlines()
    marks = [json.loads(x.removeprefix("MARK ")) for x in lines if x.startswith("MARK ")]
    stats = json.loads(next(x for x in lines if x.startswith("RESULT ")).removeprefix("RESULT "))
    phases = []
    for before, mark in itertools.pairwise(marks):
        inside = [s for s in samples if before["t"] <= s[0] <= mark["t"]]
        top = max(inside, key=lambda s: s[1], default=None)
        phases.append(
            {
                "phase": mark["phase"],
                "seconds": round(mark["t"] - before["t"], 2),
                "end_rss_mb": round(mark["rss_mb"]),
                "end_anon_mb": round(mark["anon_mb"]),
                "end_file_mb": round(mark["file_mb"]),
                "hwm_mb": round(mark["peak_mb"]),
                "sampled_peak": None if top is None else {"rss_mb": round(top[1]), "anon_mb": round(top[2]),
                                                          "file_mb": round(top[3])},
            }
        )  # fmt: skip
    peak = marks[-1]["peak_mb"]
    return {
        **asdict(config),
        "peak_rss_mb": round(peak),
        "meets_2_5_gb": peak <= GOAL_MB,
        "process_wall_s": round(time.perf_counter() - t0, 1),
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()},
        "phases": phases,
    }


def measure_cli(bundle: Path, tokens: int, threads: int) -> dict[str, Any]:
    """`minicpmv-edge run` itself under `/usr/bin/time -v`: the figure the goal is about, no replica."""
    image = Path(__file__).resolve().parent.parent / "minicpmv_edge" / "assets" / "sample.jpg"
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "minicpmv_edge", "run", str(bundle), "--image", str(image)]
    cmd += ["--prompt", PROMPT, "--max-new-tokens", str(tokens), "--threads", str(threads), "--no-verify", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"minicpmv-edge run failed:\n{proc.stderr[-3000:]}")
    timings = json.loads(proc.stdout)
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return {
        "name": "minicpmv-edge run (the CLI, /usr/bin/time -v)",
        "peak_rss_mb": round(peak_kib / 1024),
        "meets_2_5_gb": peak_kib / 1024 <= GOAL_MB,
        **{k: timings[k] for k in ("encode_s", "prefill_s", "prefill_tokens", "decode_s", "tokens_generated")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", help="comma-separated row numbers (0-based) to run; default all")
    parser.add_argument("--cli-only", action="store_true", help="only the `minicpmv-edge run` row")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(str(args.bundle), Config(**json.loads(args.child)), args.max_new_tokens, args.threads)
        return
    manifest = json.loads((args.bundle / "manifest.json").read_text())
    picked = [] if args.cli_only else [CONFIGS[int(i)] for i in args.rows.split(",")] if args.rows else list(CONFIGS)
    out = args.out or RESULTS / f"run_memory-{manifest['model']['preset']}-{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "run_memory",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": "synthetic" if manifest["model"]["synthetic"] else "real checkpoint",
        "model": manifest["model"]["preset"],
        "kv_cache": manifest.get("llm", {}).get("kv_cache"),
        "max_context": "runtime default (2048)",
        "units": "MiB (2**20 bytes); peak_rss_mb is the child's VmHWM; phases: end-of-phase values from the child, "
        f"sampled_peak from the parent every {SAMPLE_S * 1000:.0f} ms",
        "machine": machine_info(args.threads) | {"shared_with_other_jobs": True},
        "goal_mb": GOAL_MB,
        "rows": [],
    }
    for config in picked:
        row = measure(args.bundle, config, args.max_new_tokens, args.threads)
        result["rows"].append(row)
        out.write_text(json.dumps(result, indent=2) + "\n")  # after every row: a long run keeps what it measured
        print(
            f"{config.name}: peak {row['peak_rss_mb']} MiB (goal {GOAL_MB:.0f}), decoder open "
            f"{row['decoder_open_s']:.1f} s, prefill {row['prefill_s']:.1f} s, {row['decode_tok_s']:.2f} tok/s",
            flush=True,
        )
        for p in row["phases"]:
            print(f"    {json.dumps(p)}", flush=True)
    if not args.rows:
        result["cli"] = measure_cli(args.bundle, args.max_new_tokens, args.threads)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"{result['cli']['name']}: peak {result['cli']['peak_rss_mb']} MiB", flush=True)
    print(f"written {out}")


if __name__ == "__main__":
    main()
