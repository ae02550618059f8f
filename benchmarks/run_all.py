"""Run the side-by-side benchmark suites in one go and write a dated summary the README can quote.

Each suite is its own script, run as a subprocess by path (a missing one is skipped with a message):

* encoder_ort_vs_torch.py  vision encoder on the CPU: plain / fused fp32 / int8 ONNX Runtime vs torch eager,
                           against the CPU's theoretical peak and best measured GEMM
* decoder_vs_llamacpp.py   int4 decoder, ours vs llama.cpp Q4_0 (first run builds llama.cpp: minutes)
* encoder_vs_llamacpp_clip.py  vision encoder, ours (CPU graphs) vs llama.cpp's MiniCPM-V 2.6 image encoder
* kv_cache_precision.py    fp16 vs fp32 KV cache: speed, peak RSS, agreement
* export_memory.py         peak RSS of a full-size export under /usr/bin/time -v (goal <= 8 GB)
* bandwidth.py             memory stream bandwidth (the decode roofline's denominator)
* run_memory.py            peak RSS of `run` per memory lever (with --bundle: a full-size bundle)
* encoder_op_profile.py    where the encoder's time goes, per ONNX Runtime operator (with --bundle)

Writes benchmarks/results/run_all-<date>.json and .md: per suite the command, exit status, duration, the result
JSON it wrote (or printed) and the tail of its printed table. Every figure in them is host-measured on this
machine, with synthetic weights unless a suite says otherwise.

    python benchmarks/run_all.py                       # everything, full size (long: tens of minutes)
    python benchmarks/run_all.py --only bandwidth      # some suites
    python benchmarks/run_all.py --quick               # tiny sizes, to check the plumbing (not for quoting)
    python benchmarks/run_all.py --dry-run             # print the plan, run nothing

`--quick` runs copies of the scripts in a temporary folder, so their tiny-size result files never overwrite a
full run's results of the same day; its summary is named run_all-<date>-quick.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from minicpmv_edge.bench.machine import cpu_model

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TAIL_LINES = 25


@dataclass(frozen=True)
class Suite:
    name: str
    script: str
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    stdout_json: bool = False  # the suite prints its result as JSON instead of writing a file
    needs_bundle: bool = False  # the suite measures an exported bundle (run_all --bundle), given as its first argument

    def command(self, folder: Path, quick: bool, python: str = sys.executable, bundle: Path | None = None) -> list[str]:
        first = [str(bundle)] if self.needs_bundle and bundle else []
        return [python, str(folder / self.script), *first, *(self.quick if quick else self.full)]


SUITES: tuple[Suite, ...] = (
    Suite(
        "encoder_ort_vs_torch",
        "encoder_ort_vs_torch.py",
        quick=("--model", "tiny", "--shapes", "280", "--runs", "1", "--warmup", "0", "--heldout", "2"),
    ),
    Suite(
        "decoder_vs_llamacpp",
        "decoder_vs_llamacpp.py",
        quick=("--model", "tiny", "--rounds", "1", "--prefills", "1", "--decode-tokens", "8"),
    ),
    Suite(
        "encoder_vs_llamacpp_clip",
        "encoder_vs_llamacpp_clip.py",
        quick=("--model", "tiny-2.6", "--rounds", "1", "--repeats", "1", "--max-other-load", "0"),
    ),
    Suite(
        "kv_cache_precision",
        "kv_cache_precision.py",
        quick=("--layers", "1", "--rounds", "1", "--decode-tokens", "4", "--prefills", "1"),
    ),
    Suite(
        "export_memory",
        "export_memory.py",
        quick=("--model", "tiny", "--shapes", "280"),
    ),
    Suite("run_memory", "run_memory.py", needs_bundle=True),
    Suite("encoder_op_profile", "encoder_op_profile.py", full=("--shape", "448"), needs_bundle=True),
    Suite(
        "bandwidth",
        "bandwidth.py",
        full=("--json",),
        quick=("--json", "--mib", "64", "--repeats", "1"),
        stdout_json=True,
    ),
)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def _new_results(folder: Path, name: str, since: float) -> list[Path]:
    return sorted(p for p in folder.glob(f"{name}-*.json") if p.stat().st_mtime >= since)


def headline(name: str, result: Any) -> list[str]:
    """A few quotable lines from a suite's result JSON (empty when its layout is not the one expected)."""
    try:
        if name == "bandwidth":
            return [f"roofline bandwidth {result['roofline_gbps']:.2f} GB/s ({result['roofline_source']})"]
        if name == "encoder_ort_vs_torch":
            return [
                f"{r['shape']}x{r['shape']} {backend}: {b['median_s']} s ({b['speedup_vs_eager']}x eager, "
                f"{b['of_theoretical_peak']} of peak, held-out cosine {b['heldout_cosine_vs_torch_fp32']})"
                for r in result["rows"]
                for backend, b in r["backends"].items()
            ]
        if name == "kv_cache_precision":
            return [f"fp16 over fp32 cache: {result['fp16_over_fp32']}", str(result["agreement_fp16_vs_fp32_cache"])]
        if name == "export_memory":
            return [
                f"{result['model']}: peak RSS {result['time_v_max_rss_gib']} GiB (time -v), process tree "
                f"{result['process_tree_peak_rss_gib']} GiB, goal {result['goal_gib']} GiB"
            ]
        if name == "encoder_vs_llamacpp_clip":
            return [
                f"ours {p} vs llama.cpp (llama.cpp s / ours s): " + ", ".join(f"{w} {x:.2f}x" for w, x in by.items())
                for p, by in result["speedup_llamacpp_s_over_ours_s"].items()
            ]
        if name == "decoder_vs_llamacpp":
            return [
                f"{side}: prefill {v['prefill_s']['median']:.3f} s, decode {v['decode_tok_s']['median']:.2f} tok/s"
                for side, v in result["summary"].items()
            ]
    except (KeyError, TypeError, ValueError):
        pass
    return []


def run_suite(
    suite: Suite, folder: Path, *, quick: bool, timeout: float | None, bundle: Path | None = None
) -> dict[str, Any]:
    """Run one suite from `folder` (the benchmarks dir, or a temp copy) and collect what it produced."""
    cmd = suite.command(folder, quick, bundle=bundle)
    shown = " ".join(["python", f"benchmarks/{suite.script}", *cmd[2:]])
    if suite.needs_bundle and bundle is None:
        print(f"[run_all] {suite.name}: skipped, it measures a bundle: pass --bundle DIR", flush=True)
        return {"suite": suite.name, "status": "skipped", "reason": "needs --bundle (a full-size exported bundle)"}
    if not (folder / suite.script).is_file():
        print(f"[run_all] {suite.name}: skipped, benchmarks/{suite.script} is not there", flush=True)
        return {"suite": suite.name, "status": "skipped", "reason": f"benchmarks/{suite.script} not found"}
    print(f"[run_all] {suite.name}: {shown}", flush=True)
    start = time.time()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=folder.parent)
    except subprocess.TimeoutExpired:
        return {"suite": suite.name, "status": "timeout", "command": shown, "seconds": round(time.time() - start, 1)}
    seconds = round(time.time() - start, 1)
    entry: dict[str, Any] = {
        "suite": suite.name,
        "status": "ok" if proc.returncode == 0 else "failed",
        "returncode": proc.returncode,
        "command": shown,
        "seconds": seconds,
        "stdout_tail": proc.stdout.splitlines()[-TAIL_LINES:],
        "stderr_tail": proc.stderr.splitlines()[-10:],
    }
    if suite.stdout_json:
        try:
            entry["result"] = json.loads(proc.stdout)
        except ValueError:
            entry["result"] = None
    else:
        files = _new_results(folder / "results", suite.name, start)
        entry["result_file"] = files[-1].name if files else None
        entry["result"] = json.loads(files[-1].read_text()) if files else None
    entry["headline"] = headline(suite.name, entry["result"]) if entry["result"] else []
    print(f"[run_all] {suite.name}: {entry['status']} in {seconds} s", flush=True)
    return entry


def _markdown(summary: dict[str, Any]) -> str:
    m = summary["machine"]
    lines = [
        f"# Benchmark summary {summary['date']}{' (QUICK: tiny sizes, do not quote)' if summary['quick'] else ''}",
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['os']}",
        f"- commit: {summary['commit'] or 'unknown'}; python {m['python']}",
        "- every figure below is **host-measured** on this machine (synthetic weights unless the suite says "
        "otherwise); none is a phone or NPU measurement",
        "",
        "| suite | status | seconds | result |",
        "|---|---|---|---|",
    ]
    for s in summary["suites"]:
        result = s.get("result_file") or ("printed JSON" if s.get("result") else "-")
        lines.append(f"| {s['suite']} | {s['status']} | {s.get('seconds', '-')} | {result} |")
    for s in summary["suites"]:
        lines += ["", f"## {s['suite']}", ""]
        if s["status"] in ("skipped", "planned"):
            lines.append(f"{s['status']}: {s.get('reason') or s.get('command')}")
            continue
        lines += [f"`{s['command']}`", ""] + [f"- {h}" for h in s.get("headline", [])]
        lines += ["", "```", *s.get("stdout_tail", []), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated suites: {', '.join(s.name for s in SUITES)}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the plumbing (not for quoting)")
    parser.add_argument("--dry-run", action="store_true", help="print the commands and write a plan, run nothing")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the summary goes (default: results/)")
    parser.add_argument("--timeout", type=float, help="seconds allowed per suite (default: none)")
    parser.add_argument(
        "--bundle", type=Path, help="a full-size bundle, for the suites that measure one (run_memory, op profile)"
    )
    args = parser.parse_args(argv)

    known = {s.name: s for s in SUITES}
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(known)}")
    now = datetime.now(UTC)
    summary: dict[str, Any] = {
        "benchmark": "run_all",
        "date": now.strftime("%Y-%m-%d"),
        "started_at": now.isoformat(timespec="seconds"),
        "quick": args.quick,
        "dry_run": args.dry_run,
        "provenance": "host-measured",
        "commit": _git_commit(),
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "os": platform.platform(),
            "python": platform.python_version(),
        },
        "suites": [],
    }
    with tempfile.TemporaryDirectory(prefix="run_all-") as tmp:
        folder = HERE
        if args.quick and not args.dry_run:  # copies, so quick result files land in the temp dir
            folder = Path(tmp) / "benchmarks"
            shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("results", "__pycache__"))
            (folder / "results").mkdir()
        for name in names:
            suite = known[name]
            if args.dry_run:
                present = (HERE / suite.script).is_file() and not (suite.needs_bundle and args.bundle is None)
                cmd = suite.command(HERE, args.quick, bundle=args.bundle)
                shown = " ".join(["python", f"benchmarks/{suite.script}", *cmd[2:]])
                print(f"[run_all] {name}: {shown}" + ("" if present else " (missing: would be skipped)"))
                summary["suites"].append(
                    {"suite": name, "status": "planned" if present else "skipped", "command": shown}
                    | ({} if present else {"reason": f"benchmarks/{suite.script} not found or needs --bundle"})
                )
            else:
                summary["suites"].append(
                    run_suite(suite, folder, quick=args.quick, timeout=args.timeout, bundle=args.bundle)
                )
    summary["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    suffix = "-dry-run" if args.dry_run else "-quick" if args.quick else ""
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"run_all-{summary['date']}{suffix}"
    out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    out.with_suffix(".md").write_text(_markdown(summary))
    print(f"[run_all] summary: {out}.json, {out}.md")
    failed = [s["suite"] for s in summary["suites"] if s["status"] in ("failed", "timeout")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
