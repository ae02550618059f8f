"""Peak memory of a full-size export: `minicpmv-edge export` under `/usr/bin/time -v`, plus the process tree.

`/usr/bin/time -v` reports the largest single process's peak RSS (the exporter traces large encoders in a child
process); a sampler beside it sums the RSS of the exporter and all its descendants every 0.2 s, so the figure is
not flattered by the split. Goal: <= 8 GB (a 16 GB laptop can export). Synthetic weights, host-measured.

    python benchmarks/export_memory.py --model minicpm-v-2 [--parts vision,llm] [--shapes 280,448]

Writes results/export_memory-<model>-<date>.json. Disk: the synthetic checkpoint plus the bundle under /tmp.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from minicpmv_edge.bench.machine import machine_info
from minicpmv_edge.export.pipeline import TOOLS
from minicpmv_edge.versions import tool_versions

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_GIB = 8.0


def _tree_rss_kib(root: int) -> int:
    """Summed VmRSS of `root` and every descendant (from /proc; processes that exit meanwhile are skipped)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        vm = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        if ppid:
            children.setdefault(int(ppid.group(1)), []).append(int(entry.name))
        rss[int(entry.name)] = int(vm.group(1)) if vm else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="minicpm-v-2")
    parser.add_argument("--parts", default="vision,llm")
    parser.add_argument("--shapes", default="280,448")
    parser.add_argument("--out", type=Path, help="results JSON (default: results/export_memory-<model>-<date>.json)")
    parser.add_argument("--keep", type=Path, help="move the exported bundle here instead of deleting it")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-mem-", dir="/tmp"))
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "minicpmv_edge", "export", "--model", args.model]
    cmd += ["--synthetic", "--parts", args.parts, "--shapes", args.shapes, "--out", str(work / "bundle")]
    peak_tree, samples = 0, []
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(0.2):
                kib = _tree_rss_kib(proc.pid)
                peak_tree = max(peak_tree, kib)
                samples.append((round(time.perf_counter() - start, 1), kib // 1024))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _out, err = proc.communicate()
        done.set()
        sampler.join()
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"export failed ({proc.returncode}):\n{err[-3000:]}")
        max_rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
        bundle_bytes = sum(p.stat().st_size for p in (work / "bundle").rglob("*") if p.is_file())
        if args.keep:
            shutil.move(work / "bundle", args.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    now = datetime.now(UTC)
    result = {
        "benchmark": "export_memory",
        "date": now.isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": "synthetic",
        "model": args.model,
        "parts": args.parts.split(","),
        "shapes": [int(s) for s in args.shapes.split(",")],
        "command": " ".join(["minicpmv-edge", *cmd[5:]]),
        "machine": machine_info(None),
        "versions": tool_versions(*TOOLS),
        "wall_s": round(wall, 1),
        "time_v_max_rss_gib": round(max_rss / 2**20, 2),
        "process_tree_peak_rss_gib": round(peak_tree / 2**20, 2),
        "bundle_gib": round(bundle_bytes / 2**30, 2),
        "goal_gib": GOAL_GIB,
        "meets_goal": max(max_rss, peak_tree) / 2**20 <= GOAL_GIB,
        "rss_mib_samples_every_10s": samples[::50],
        "note": "machine shared with other jobs: wall time is not comparable; RSS is",
    }
    print(f"{args.model} export ({args.parts}; shapes {args.shapes}), synthetic weights, host-measured:")
    print(
        f"  /usr/bin/time -v max RSS {result['time_v_max_rss_gib']} GiB; process tree peak "
        f"{result['process_tree_peak_rss_gib']} GiB (goal <= {GOAL_GIB}); wall {result['wall_s']} s"
    )
    out_path = args.out or RESULTS / f"export_memory-{args.model}-{now:%Y-%m-%d}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out_path}")


if __name__ == "__main__":
    main()
