"""Peak RSS of a whole `run` (encoder + decoder as the runtime loads them), per memory lever, side by side.

For a bundle, each configuration runs one `Pipeline.generate` (fixed-280 image, short prompt, N new tokens) in a
fresh process under `/usr/bin/time -v`: the CPU encoder precision (plain fp32 static graph, int8 CPU graph) and
whether the encoder is released before the decoder opens (`release_encoder`, what `minicpmv-edge run` does) or
both stay resident (what `bench` does). The KV cache precision is the bundle's (fp16 by default; see
kv_cache_precision.py for its cost). Reports peak RSS, stage times and wall time (load included), so each lever's
time cost shows next to what it saves. Host-measured; the bundle's manifest says synthetic or real weights.

    python benchmarks/run_memory.py BUNDLE [--max-new-tokens 16] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from minicpmv_edge.bench.machine import machine_info

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_MB = 2.5 * 1024
CONFIGS = (("plain", False), ("plain", True), ("int8", False), ("int8", True))
CHILD = """
import json, sys, time
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.runtime.encoders import EncoderOptions
from minicpmv_edge.runtime.pipeline import Pipeline
bundle, precision, release = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
tokens, threads = int(sys.argv[4]), int(sys.argv[5])
t0 = time.perf_counter()
pipe = Pipeline(bundle, threads=threads, release_encoder=release, verify=False,
                encoder_options=EncoderOptions(threads=threads, cpu_precision=precision))
r = pipe.generate(SAMPLE_IMAGE, "Describe the image in detail.", max_new_tokens=tokens)
t = r.timings
print("RESULT " + json.dumps({"wall_s": time.perf_counter() - t0, "encode_s": t.encode_s, "prefill_s": t.prefill_s,
      "decode_tok_s": t.decode_tok_s, "tokens": t.tokens_generated, "precision": t.encoder_precision}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    manifest = json.loads((args.bundle / "manifest.json").read_text())
    rows = []
    for precision, release in CONFIGS:
        cmd = ["/usr/bin/time", "-v", sys.executable, "-c", CHILD, str(args.bundle), precision, "1" if release else "0"]
        cmd += [str(args.max_new_tokens), str(args.threads)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{precision} release={release} failed:\n{proc.stderr[-3000:]}")
        stats = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("RESULT ")).removeprefix("RESULT "))
        peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
        rows.append(
            {
                "cpu_precision": precision,
                "release_encoder": release,
                "peak_rss_mb": round(peak_kib / 1024),
                "meets_2_5_gb": peak_kib / 1024 <= GOAL_MB,
                "process_wall_s": round(time.perf_counter() - t0, 1),
                **{k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()},
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    result = {
        "benchmark": "run_memory",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": "synthetic" if manifest["model"]["synthetic"] else "real checkpoint",
        "model": manifest["model"]["preset"],
        "kv_cache": manifest.get("llm", {}).get("kv_cache"),
        "max_context": "runtime default (2048)",
        "machine": machine_info(args.threads) | {"shared_with_other_jobs": True},
        "goal_mb": GOAL_MB,
        "rows": rows,
    }
    out = args.out or RESULTS / f"run_memory-{manifest['model']['preset']}-{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
