"""`bench` as a library call: run a bundle on this host and/or import device results, estimate, build and write the
report. The CLI only parses flags and prints what this returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minicpmv_edge.bench.runner import BenchConfig
from minicpmv_edge.errors import EdgeError


@dataclass(frozen=True)
class BenchRequest:
    bundle: Path | None
    config: BenchConfig
    imports: tuple[Path, ...] = ()
    preset: str | None = None  # model the imported files measured, when they do not say
    precision: str | None = None  # which build of config.target runs (None: the preferred one)
    cpu_encoder: bool = False  # run the CPU encoder even with a target (the target then only picks the reference)
    max_context: int | None = None
    verify: bool = True
    out: Path | None = None


def run_bench(req: BenchRequest) -> tuple[dict[str, Any], Path]:
    """Returns (report, folder written)."""
    from minicpmv_edge.bench.estimate import estimate_bundle
    from minicpmv_edge.bench.importers import import_file
    from minicpmv_edge.bench.machine import machine_info
    from minicpmv_edge.bench.report import build_report, is_our_report, write_report
    from minicpmv_edge.bench.runner import open_bundle, run_host
    from minicpmv_edge.bundle import check_replaceable
    from minicpmv_edge.npu_backends.chips import CHIPS, get_chip
    from minicpmv_edge.presets import get_preset
    from minicpmv_edge.runtime.encoders import EncoderOptions
    from minicpmv_edge.runtime.pipeline import Pipeline

    if req.bundle is None and not req.imports:
        raise EdgeError("bench needs a BUNDLE to run, --import FILE to read device results, or both")
    config = req.config
    config.check()
    if req.out is not None:
        check_replaceable(req.out, is_our_report, "benchmark report")  # before minutes of runs, not after
    target = get_chip(config.target).key if config.target else None
    if req.preset:
        get_preset(req.preset)  # an unknown name is a user error here, not a silent "not comparable" later
    bundle = open_bundle(req.bundle, verify=req.verify, stop_at_eos=config.stop_at_eos) if req.bundle else None
    preset = req.preset or (bundle.preset if bundle else None)
    imports = [import_file(path, preset=preset) for path in req.imports]
    host = estimates = None
    if bundle is not None:
        pipe = Pipeline(
            bundle,
            target=None if req.cpu_encoder else target,
            precision=req.precision,
            encoder_options=EncoderOptions(threads=config.threads),
            threads=config.threads,
            max_context=req.max_context,
        )
        host = run_host(pipe, config)
        first = host.runs[0]
        estimates = estimate_bundle(
            bundle,
            list(CHIPS),
            mode=config.mode,
            shapes_per_image=first["encode_shapes"],
            kv_position=first["prefill_tokens"] + config.max_new_tokens // 2,
        )
    report = build_report(
        host=host,
        machine=machine_info(config.threads) if host else None,
        imports=imports,
        estimates=estimates,
        target=target,
    )
    out = req.out or Path(f"bench-{report['created_at'][:19].replace(':', '')}")
    return report, write_report(report, out)
