"""The Java runtime (host JVM, ORT Java 1.29) vs the Python runtime (`minicpmv-edge run`, ORT for Python), same bundle.

Both sides run the same generate on the same bundle, image, prompt, mode, thread count and KV length, each run in a
fresh process, rounds alternating which side goes first: encode time, prefill time, decode tok/s (greedy) and the
process's peak RSS at the end of the generate. Goal (issue 11): Java within 10% of Python on every stage and at most
150 MB more memory. The Java side also times a decode step with its in-place KV cache against the copying pattern
(ORT allocates present_* and the cache is copied back every step), to show what ORT Java's pinned outputs save.

Bundles: the tiny preset (exported here) and, with --full-bundle DIR, a full-size synthetic 2.0 bundle
(`minicpmv-edge export --model minicpm-v-2 --synthetic --shapes 280 --out DIR`, ~15 GB RAM while exporting); with
--full-llm-bundle DIR (`... --parts llm`), the full-size decoder alone: prefill of 160 rows + greedy decode, Java's
`Decoder` vs Python's `Int4Decoder`.
Every figure is host-measured on synthetic weights. Results: benchmarks/results/java_vs_python_runtime-<date>.json.

    python benchmarks/java_vs_python_runtime.py [--full-bundle DIR] [--rounds 3] [--tokens 32] [--threads 2]

Needs the JVM toolchain that `bash android_app/scripts/java_tests.sh` builds and caches (run it once first).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
RUNTIME = REPO / "android_app" / "runtime"
CACHE = Path(os.environ.get("MINICPMV_JAVA_CACHE", Path.home() / ".cache" / "minicpmv-edge" / "java"))
JSON_JAR = "/usr/share/java/com.android.json.jar"
IMAGE = REPO / "minicpmv_edge" / "assets" / "sample.jpg"
PROMPT = "What is in this image?"
STAGES = ("encode_s", "prefill_s", "decode_tok_s", "peak_rss_mb")

log = logging.getLogger("bench")


def _toolchain() -> Path:
    """The newest cached ORT 1.29 JVM build (jar + native dir) that java_tests.sh made."""
    builds = sorted(CACHE.glob("ort-1.29.0-*"), key=lambda p: p.stat().st_mtime)
    if not builds or not (builds[-1] / "onnxruntime-java.jar").is_file():
        raise SystemExit(f"no ONNX Runtime JVM build in {CACHE}: run `bash android_app/scripts/java_tests.sh` first")
    return builds[-1]


def _compile(ort: Path, out: Path) -> str:
    sources = [str(p) for p in (RUNTIME / "src" / "main" / "java").rglob("*.java")]
    sources += [str(p) for p in (RUNTIME / "src" / "bench" / "java").rglob("*.java")]
    cp = f"{ort / 'onnxruntime-java.jar'}:{JSON_JAR}"
    subprocess.run(
        ["javac", "--release", "8", "-nowarn", "-encoding", "UTF-8", "-cp", cp, "-d", str(out), *sources], check=True
    )
    return f"{out}:{cp}"


def _python_run(bundle: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "minicpmv_edge",
        "run",
        str(bundle),
        "--image",
        str(IMAGE),
        "--prompt",
        PROMPT,
        "--mode",
        args.mode,
        "--max-new-tokens",
        str(args.tokens),
        "--threads",
        str(args.threads),
        "--max-context",
        str(args.max_context),
        "--json",
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _java_run(
    bundle: Path,
    rgb: Path,
    size: tuple[int, int],
    classpath: str,
    ort: Path,
    args: argparse.Namespace,
    runs: int = 1,
    kv: bool = False,
) -> dict[str, Any]:
    """BenchMain in a fresh JVM: `runs` generates in one process; timings of each, the peak RSS, optional KV timing."""
    cmd = [
        "java",
        f"-Donnxruntime.native.path={ort / 'native'}",
        "-cp",
        classpath,
        "org.minicpmv.edge.runtime.BenchMain",
        str(bundle),
        str(rgb),
        str(size[0]),
        str(size[1]),
        PROMPT,
        args.mode,
        str(args.tokens),
        str(runs),
        str(args.threads),
        str(args.max_context),
    ] + (["--kv-compare"] if kv else [])
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _python_warm(bundle: Path, args: argparse.Namespace, runs: int) -> dict[str, Any]:
    """The Python runtime's Pipeline (what `minicpmv-edge run` calls) in a fresh process, `runs` generates."""
    cmd = [
        sys.executable,
        __file__,
        "_python_worker",
        str(bundle),
        args.mode,
        str(args.tokens),
        str(runs),
        str(args.threads),
        str(args.max_context),
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _python_worker(argv: list[str]) -> None:
    from minicpmv_edge.runtime.pipeline import Pipeline
    from minicpmv_edge.runtime.timings import peak_rss_mb

    bundle, mode, tokens, runs, threads, max_context = argv
    pipe = Pipeline(bundle, threads=int(threads), max_context=int(max_context))
    out = [
        pipe.generate(IMAGE, PROMPT, mode=mode, max_new_tokens=int(tokens)).timings.as_dict() for _ in range(int(runs))
    ]
    print(json.dumps({"runs": out, "peak_rss_mb": peak_rss_mb()}))


DECODER_ROWS = 160  # decoder-only prefill: as benchmarks/decoder_vs_llamacpp.py (96 text + 64 image positions)


def _decoder_worker(argv: list[str]) -> None:
    """Python side of the decoder-only comparison: Int4Decoder, prefill of ids 0..rows-1, then greedy steps."""
    import time

    from minicpmv_edge.runtime.bundle_view import Bundle
    from minicpmv_edge.runtime.decoder import Int4Decoder
    from minicpmv_edge.runtime.timings import peak_rss_mb

    bundle, rows, tokens, runs, threads, max_context = argv
    dec = Int4Decoder(Bundle.open(bundle), max_context=int(max_context), threads=int(threads))
    ids = np.arange(int(rows)) % dec.vocab_size
    out = []
    for _ in range(int(runs)):
        dec.reset()
        t0 = time.perf_counter()
        logits = dec.prefill(dec.embed(ids))
        prefill = time.perf_counter() - t0
        token = int(np.argmax(logits))
        t1 = time.perf_counter()
        for _ in range(int(tokens) - 1):
            token = int(np.argmax(dec.step(dec.embed(np.asarray([token]))[0])))
        decode = time.perf_counter() - t1
        out.append({"prefill_s": prefill, "decode_s": decode, "decode_tok_s": (int(tokens) - 1) / decode})
    print(json.dumps({"runs": out, "peak_rss_mb": peak_rss_mb()}))


def _compare_decoder(bundle: Path, label: str, classpath: str, ort: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Decoder only (a --parts llm bundle): cold = one run per fresh process, warm = 1 warm-up + `rounds` runs."""
    common = [str(DECODER_ROWS), str(args.tokens)]
    tail = [str(args.threads), str(args.max_context)]
    java = [
        "java",
        f"-Donnxruntime.native.path={ort / 'native'}",
        "-cp",
        classpath,
        "org.minicpmv.edge.runtime.BenchMain",
        "decoder",
        str(bundle),
        *common,
    ]
    python = [sys.executable, __file__, "_decoder_worker", str(bundle), *common]
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def one(cmd: list[str], runs: int, extra: tuple[str, ...] = ()) -> dict[str, Any]:
        done = subprocess.run([*cmd, str(runs), *tail, *extra], check=True, capture_output=True, text=True, env=env)
        return json.loads(done.stdout.strip().splitlines()[-1])

    cold: dict[str, list[dict[str, Any]]] = {"python": [], "java": []}
    for r in range(args.rounds):
        for side in ("python", "java") if r % 2 == 0 else ("java", "python"):
            log.info("%s: cold round %d/%d, %s", label, r + 1, args.rounds, side)
            out = one(python if side == "python" else java, 1)
            cold[side].append({**out["runs"][0], "peak_rss_mb": out["peak_rss_mb"]})
    log.info("%s: warm, python then java", label)
    warm_java = one(java, args.rounds + 1, ("--kv-compare",))
    warm = {"python": one(python, args.rounds + 1)["runs"][1:], "java": warm_java["runs"][1:]}
    result: dict[str, Any] = {"bundle": label, "decoder_only": True, "prefill_rows": DECODER_ROWS}
    for name, runs in (("cold", cold), ("warm", warm)):
        med = {side: _medians(v) for side, v in runs.items()}
        ratios = _ratios(med["python"], med["java"])
        result[name] = {"median": med, "ratios": ratios, "goals_met": _goals(ratios), "runs": runs}
    result["kv_step_ms_java"] = warm_java["kv_step_ms"]
    return result


def _medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {k: statistics.median(float(r[k]) for r in runs) for k in STAGES if all(k in r for r in runs)}


def _ratios(py: dict[str, float], java: dict[str, float]) -> dict[str, float]:
    out = {
        "prefill_time_java_over_python": java["prefill_s"] / py["prefill_s"],
        "decode_tok_s_java_over_python": java["decode_tok_s"] / py["decode_tok_s"],
    }
    if "encode_s" in py and "encode_s" in java:
        out["encode_time_java_over_python"] = java["encode_s"] / py["encode_s"]
    if "peak_rss_mb" in py and "peak_rss_mb" in java:
        out["peak_rss_java_minus_python_mb"] = java["peak_rss_mb"] - py["peak_rss_mb"]
    return out


def _goals(r: dict[str, float]) -> dict[str, bool]:
    goals = {
        "prefill_within_10pct": r["prefill_time_java_over_python"] <= 1.10,
        "decode_within_10pct": r["decode_tok_s_java_over_python"] >= 1 / 1.10,
    }
    if "encode_time_java_over_python" in r:
        goals["encode_within_10pct"] = r["encode_time_java_over_python"] <= 1.10
    if "peak_rss_java_minus_python_mb" in r:
        goals["memory_within_150mb"] = r["peak_rss_java_minus_python_mb"] <= 150
    return goals


def _compare(
    bundle: Path,
    label: str,
    classpath: str,
    ort: Path,
    rgb: Path,
    size: tuple[int, int],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Cold: one generate per fresh process (`minicpmv-edge run` vs a fresh JVM), rounds alternating who goes first.
    Warm: one process per side, one warm-up generate, then `rounds` timed generates (a phone app stays loaded)."""
    cold: dict[str, list[dict[str, Any]]] = {"python": [], "java": []}
    for r in range(args.rounds):
        for side in ("python", "java") if r % 2 == 0 else ("java", "python"):
            log.info("%s: cold round %d/%d, %s", label, r + 1, args.rounds, side)
            if side == "python":
                cold["python"].append(_python_run(bundle, args))
            else:
                out = _java_run(bundle, rgb, size, classpath, ort, args)
                cold["java"].append({**out["runs"][0], "peak_rss_mb": out["peak_rss_mb"]})
    log.info("%s: warm, python then java", label)
    warm_py = _python_warm(bundle, args, args.rounds + 1)
    warm_java = _java_run(bundle, rgb, size, classpath, ort, args, runs=args.rounds + 1, kv=True)
    warm = {"python": warm_py["runs"][1:], "java": warm_java["runs"][1:]}
    result: dict[str, Any] = {"bundle": label}
    for name, runs in (("cold", cold), ("warm", warm)):
        med = {side: _medians(v) for side, v in runs.items()}
        ratios = _ratios(med["python"], med["java"])
        result[name] = {"median": med, "ratios": ratios, "goals_met": _goals(ratios), "runs": runs}
    result["kv_step_ms_java"] = warm_java["kv_step_ms"]
    return result


def _export_tiny(dst: Path) -> Path:
    from minicpmv_edge.cli import main as cli_main

    code = cli_main(["export", "--model", "tiny", "--synthetic", "--shapes", "280,448", "--out", str(dst)])
    if code:
        raise SystemExit(f"tiny export failed ({code})")
    return dst


def _machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    import onnxruntime

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "java": java,
        "onnxruntime_python": onnxruntime.__version__,
        "onnxruntime_java": "1.29.0 (libonnxruntime from the PyPI wheel, ORT 1.21 Java API)",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full-bundle", type=Path, help="a full-size synthetic MiniCPM-V 2.0 bundle to include")
    p.add_argument(
        "--full-llm-bundle", type=Path, help="a full-size 2.0 bundle exported with --parts llm: decoder-only comparison"
    )
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tokens", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-context", type=int, default=512)
    p.add_argument("--mode", default="fixed-280")
    args = p.parse_args()
    load_start = os.getloadavg()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    sys.path.insert(0, str(REPO))
    from minicpmv_edge.runtime.images import load_image

    ort = _toolchain()
    with tempfile.TemporaryDirectory(prefix="java-vs-python-") as tmp:
        tmp_path = Path(tmp)
        classpath = _compile(ort, tmp_path / "classes")
        img = load_image(IMAGE)
        rgb = tmp_path / "image.rgb"
        np.asarray(img, dtype=np.uint8).tofile(rgb)
        bundles = [(_export_tiny(tmp_path / "tiny"), "tiny (synthetic)")]
        if args.full_bundle:
            bundles.append((args.full_bundle, "minicpm-v-2 full size (synthetic)"))
        results = [_compare(b, label, classpath, ort, rgb, img.size, args) for b, label in bundles]
        if args.full_llm_bundle:
            label = "minicpm-v-2 full-size LLM only (synthetic)"
            results.append(_compare_decoder(args.full_llm_bundle, label, classpath, ort, args))
    doc = {
        "benchmark": "java_vs_python_runtime",
        "provenance": "host-measured",
        "weights": "synthetic",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "image": IMAGE.name,
            "prompt": PROMPT,
            "mode": args.mode,
            "max_new_tokens": args.tokens,
            "threads": args.threads,
            "max_context": args.max_context,
            "rounds": args.rounds,
            "cold": "one greedy generate per fresh process: minicpmv-edge run vs a fresh JVM (BenchMain)",
            "warm": "one process per side: one warm-up generate, then `rounds` timed generates (a loaded app)",
        },
        "machine": _machine(),
        "results": results,
        "not_run": [] if args.full_bundle else ["full-size 2.0 vision + LLM: no --full-bundle given"],
    }
    doc["machine"]["load_avg_start"] = load_start
    doc["machine"]["load_avg_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"java_vs_python_runtime-{datetime.now(UTC).date()}.json"
    out.write_text(json.dumps(doc, indent=2) + "\n")
    for r in results:
        print(f"{r['bundle']} (host-measured, synthetic weights):")
        for name in ("cold", "warm"):
            m, q = r[name]["median"], r[name]["ratios"]
            print(f"  {name} (medians of {args.rounds}):")
            if "encode_time_java_over_python" in q:
                print(
                    f"    encode  python {m['python']['encode_s']:.3f} s  java {m['java']['encode_s']:.3f} s  "
                    f"ratio {q['encode_time_java_over_python']:.2f}"
                )
            print(
                f"    prefill python {m['python']['prefill_s']:.3f} s  java {m['java']['prefill_s']:.3f} s  "
                f"ratio {q['prefill_time_java_over_python']:.2f}"
            )
            print(
                f"    decode  python {m['python']['decode_tok_s']:.1f} tok/s  "
                f"java {m['java']['decode_tok_s']:.1f} tok/s  ratio {q['decode_tok_s_java_over_python']:.2f}"
            )
            if "peak_rss_java_minus_python_mb" in q:
                print(
                    f"    peak RSS python {m['python']['peak_rss_mb']:.0f} MiB  java {m['java']['peak_rss_mb']:.0f} MiB"
                    f"  java - python {q['peak_rss_java_minus_python_mb']:+.0f} MiB"
                )
            print(f"    goals met: {r[name]['goals_met']}")
        kv = r["kv_step_ms_java"]
        print(
            f"  java decode step: in-place KV {kv['in_place']:.2f} ms, copying KV {kv['copying']:.2f} ms "
            f"({kv['kv_cache_mb']:.1f} MiB cache)"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_python_worker":
        _python_worker(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "_decoder_worker":
        _decoder_worker(sys.argv[2:])
    else:
        main()
