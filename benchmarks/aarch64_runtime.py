"""The runtime on aarch64 (emulated): same greedy tokens and encoder outputs as on this x86_64 host, and timings.

Exports the tiny synthetic bundle (or takes --bundle), compiles it for arm64-a76 with the `tvm` backend (untuned:
this checks the aarch64 library, not its speed), then runs, side by side:
  1. `minicpmv-edge run BUNDLE --image ... --json` on the host and under scripts/aarch64_harness.py (QEMU user mode,
     Debian arm64 Python 3.11, the runtime's aarch64 wheels, no torch): answers must match;
  2. benchmarks/aarch64_probe.py on both with the ONNX Runtime encoder: token ids equal, encoder cosine >= 0.9999;
  3. the probe with `--target arm64-a76` (the tvm build): on the host it loads encoder_280.host.so, under the harness
     the cross-compiled encoder_280.aarch64.so with TVM's aarch64 runtime (apache-tvm's aarch64 wheel); both are
     compared with the host's ONNX Runtime output (cosine >= 0.9999) and token ids.
Wall times: the sysroot build from an empty cache ("cold": apt + pip downloads; pip's own wheel cache may be warm)
and each emulated command with the sysroot cached ("warm"). Every timing under QEMU is EMULATED; they say how long
CI spends, not how fast a board is. Exit status 1 if any check fails, so CI can run this script as a test.

    python benchmarks/aarch64_runtime.py [--bundle DIR] [--cold] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import aarch64_harness as harness  # noqa: E402

from minicpmv_edge.bench.machine import machine_info  # noqa: E402
from minicpmv_edge.numerics import cosine, max_abs  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
IMAGE = REPO / "minicpmv_edge" / "assets" / "sample.jpg"
PROBE = Path(__file__).resolve().parent / "aarch64_probe.py"
MIN_COSINE = 0.9999
TVM_CHIP = "arm64-a76"


def _timed(cmd: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    return proc, round(time.perf_counter() - t0, 2)


def _json_line(proc: subprocess.CompletedProcess, what: str) -> dict[str, Any]:
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _prepare_bundle(work: Path, bundle: Path | None) -> Path:
    from minicpmv_edge.cli import main as cli

    if bundle is None:
        bundle = work / "tiny"
        if cli(["-q", "export", "--model", "tiny", "--synthetic", "--shapes", "280", "--out", str(bundle)]) != 0:
            raise SystemExit("export failed")
    if cli(["-q", "compile", str(bundle), "--target", TVM_CHIP, "--shapes", "280"]) != 0:
        raise SystemExit(f"tvm compile for {TVM_CHIP} failed")
    return bundle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, help="tiny bundle to use (default: export one)")
    parser.add_argument("--cold", action="store_true", help="also time a sysroot build from an empty cache")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    spec = harness.default_spec(tvm=True)
    timings: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="aarch64-runtime-") as tmp:
        work = Path(tmp)
        if args.cold:
            t0 = time.perf_counter()
            harness.ensure_sysroot(spec, cache=work / "cold-cache")
            timings["sysroot_build_cold_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        root = harness.ensure_sysroot(spec)
        timings["sysroot_ready_s"] = round(time.perf_counter() - t0, 2)
        bundle = _prepare_bundle(work, args.bundle)

        cli_args = ["-m", "minicpmv_edge", "-q", "run", str(bundle), "--image", str(IMAGE)]
        cli_args += ["--prompt", "What is in the image?", "--max-new-tokens", "16", "--json"]
        host_cli, timings["host_cli_run_s"] = _timed([sys.executable, *cli_args])
        arm_cli, timings["emulated_cli_run_s"] = _timed(root.command([str(root.python), *cli_args]), env=root.env())
        host_answer = _json_line(host_cli, "host run")["answer"]
        arm_run = _json_line(arm_cli, "emulated run")
        checks["cli_answer_equal"] = host_answer == arm_run["answer"]
        timings["emulated_cli_stages"] = {k: round(arm_run[k], 3) for k in ("encode_s", "prefill_s", "ttft_s")}
        timings["emulated_cli_stages"]["provenance"] = arm_run["encoder_provenance"]

        outputs = {}
        for side in ("host", "emulated"):
            for encoder in ("cpu", "tvm"):
                out = work / f"{side}-{encoder}.npy"
                argv = [str(PROBE), str(bundle), str(IMAGE), str(out)]
                argv += ["--target", TVM_CHIP] if encoder == "tvm" else []
                if side == "host":
                    proc, took = _timed([sys.executable, *argv])
                else:
                    proc, took = _timed(root.command([str(root.python), *argv]), env=root.env())
                result = _json_line(proc, f"{side} probe ({encoder})")
                result["embeds"] = np.load(out)
                result["wall_s"] = took
                outputs[(side, encoder)] = result
        reference = outputs[("host", "cpu")]
        for (side, encoder), result in outputs.items():
            key = f"{side}_{encoder}"
            checks[key] = {
                "machine": result["machine"],
                "tokens_equal_host_cpu": result["token_ids"] == reference["token_ids"],
                "encoder_cosine_vs_host_onnxruntime": round(cosine(result["embeds"], reference["embeds"]), 7),
                "encoder_max_abs_vs_host_onnxruntime": float(f"{max_abs(result['embeds'], reference['embeds']):.3g}"),
                "encoder_provenance": result["encoder_provenance"],
            }
            timings[f"{key}_probe_wall_s"] = result["wall_s"]
            timings[f"{key}_encode_s"] = result["encode_s"]
    ok = checks["cli_answer_equal"] and all(
        c["tokens_equal_host_cpu"] and c["encoder_cosine_vs_host_onnxruntime"] >= MIN_COSINE
        for k, c in checks.items()
        if isinstance(c, dict)
    )
    record = {
        "benchmark": "aarch64_runtime",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "weights": "synthetic (tiny preset, seed 0)",
        "passed": ok,
        "min_cosine": MIN_COSINE,
        "checks": checks,
        "timings": timings,
        "timing_labels": {
            "host_*": "host-measured (x86_64)",
            "emulated_*": "emulated (qemu-aarch64-static, TCG): CI cost, not board speed",
            "sysroot_build_cold_s": "host-measured wall time incl. apt/pip downloads (pip cache may be warm)",
        },
        "sysroot": {"key": spec.key, "debian": spec.suite, "wheels": list(spec.wheels)},
        "qemu": subprocess.run(["qemu-aarch64-static", "--version"], capture_output=True, text=True).stdout.split("\n")[
            0
        ],
        "machine": machine_info(None),
        "versions": {n: metadata.version(n) for n in ("onnxruntime", "numpy", "apache-tvm")},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"aarch64_runtime-{record['created_at'][:10]}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps({"passed": ok, "checks": checks, "timings": timings}, indent=2))
    print(f"written {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
