"""`demo`: the whole chain on the built-in tiny default, in about a minute cold and seconds cached.

export (tiny preset, synthetic weights) -> compile for sm8650 on the HTP emulator and for ax650n (Pulsar2 inputs +
emulated numerics) -> the sample photo through the CPU encoder and through the emulated HTP build -> a bench report
(Markdown + HTML) -> one table per target: emulated accuracy, each timing with its label, and the estimate for the
full-size MiniCPM-V 2.0 on that chip next to the reference profile. Everything is kept in a cache folder and reused
while it still verifies.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from minicpmv_edge import __version__
from minicpmv_edge.errors import BundleError
from minicpmv_edge.presets import DEFAULT_PRESET, get_preset
from minicpmv_edge.runtime.bundle_view import Bundle

log = logging.getLogger(__name__)

SAMPLE_IMAGE = Path(__file__).resolve().parent / "assets" / "sample.jpg"
DEMO_PROMPT = "Describe the image."
FULL_SIZE = "minicpm-v-2"  # the model of the reference profile the estimates are compared with
TARGETS = ("sm8650", "ax650n")
# fewer images than a real compile: the demo shows the path, the cosine is still measured on held-out photos
COMPILE_OPTIONS = {
    "sm8650": {"calibration_images": "16", "heldout_images": "2"},
    "ax650n": {"calibration_images": "16"},
}


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "minicpmv-edge"


@dataclass(frozen=True)
class DemoRequest:
    cache_dir: Path | None = None
    threads: int | None = None
    max_new_tokens: int = 16
    seed: int = 0


@dataclass
class TargetRow:
    """One line of the demo table: where the encoder ran (or would run) and what it cost."""

    target: str
    encoder: str
    cosine: str  # vs fp32, with its label
    encode: str
    prefill: str
    decode: str
    estimate: str  # full-size 2.0 on the chip, estimated
    reference: str


@dataclass
class DemoResult:
    bundle: Path
    answer: str
    report: Path
    rows: list[TargetRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = ("target", "encoder", "accuracy vs fp32", "encode", "prefill", "decode", "full-size 2.0 (estimated)")
        table = [head, *((r.target, r.encoder, r.cosine, r.encode, r.prefill, r.decode, r.estimate) for r in self.rows)]
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        lines = [
            f"demo bundle {self.bundle}: tiny preset with SYNTHETIC weights. The answer is meaningless text; the",
            "timings are real measurements of this tiny model (labelled), the full-size figures are estimates.",
            f"answer (CPU encoder): {self.answer!r}",
            "",
            *("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table),
            "",
            *(f"reference for {r.target}: {r.reference}" for r in self.rows if r.reference),
            *self.notes,
            f"bench report: {self.report}/report.md and report.html",
        ]
        return "\n".join(lines)


def demo_bundle(cache_dir: Path | None = None, seed: int = 0) -> Path:
    """Path of a verified tiny bundle (vision 280 + 448, int4 LLM, tokenizer), exporting it on first use."""
    path = (cache_dir or default_cache_dir()) / f"{DEFAULT_PRESET}-seed{seed}-v{__version__}"
    try:
        Bundle.open(path)  # reads the manifest and checks every file's hash
        log.info("reusing the demo bundle at %s", path)
        return path
    except BundleError:
        log.info("building the demo bundle at %s (tiny preset, synthetic weights)", path)
    from minicpmv_edge.export.pipeline import export_bundle
    from minicpmv_edge.export.request import ExportRequest

    export_bundle(ExportRequest(preset=get_preset(DEFAULT_PRESET), out=path, shapes=(280, 448), seed=seed))
    return path


def _ensure_build(path: Path, chip_key: str) -> None:
    from minicpmv_edge.npu_backends.base import CompileRequest
    from minicpmv_edge.npu_backends.chips import get_chip
    from minicpmv_edge.npu_backends.compile import compile_bundle

    if any(b.chip == chip_key for b in Bundle.open(path, verify=False).manifest.compiled.values()):
        log.info("reusing the demo's %s build", chip_key)
        return
    log.info("compiling the demo bundle for %s", chip_key)
    compile_bundle(path, CompileRequest(chip=get_chip(chip_key), shapes=(280,), options=COMPILE_OPTIONS[chip_key]))


def _cosine(bundle: Bundle, chip: str) -> str:
    build = next((b for b in bundle.manifest.compiled.values() if b.chip == chip), None)
    entry = build.summary.get("280", {}) if build else {}
    value = entry.get("cosine", entry.get("simulated_cosine"))
    return f"{value:.5f} {entry.get('provenance', 'emulated')}" if isinstance(value, int | float) else "-"


def run_demo(req: DemoRequest) -> DemoResult:
    from minicpmv_edge.bench.command import BenchRequest, run_bench
    from minicpmv_edge.bench.estimate import estimate, preset_costs
    from minicpmv_edge.bench.reference import primary_profile
    from minicpmv_edge.bench.runner import BenchConfig
    from minicpmv_edge.npu_backends.chips import get_chip
    from minicpmv_edge.runtime.encoders import EncoderOptions
    from minicpmv_edge.runtime.pipeline import Pipeline

    cache = req.cache_dir or default_cache_dir()
    path = demo_bundle(cache, req.seed)
    for chip in TARGETS:
        _ensure_build(path, chip)
    bundle = Bundle.open(path)
    options = EncoderOptions(threads=req.threads)
    runs = {}
    for target in (None, "sm8650"):
        pipe = Pipeline(bundle, target=target, encoder_options=options, threads=req.threads)
        runs[target] = pipe.generate(SAMPLE_IMAGE, DEMO_PROMPT, max_new_tokens=req.max_new_tokens)
    _, report = run_bench(
        BenchRequest(
            bundle=path,
            config=BenchConfig(runs=2, warmup=1, max_new_tokens=req.max_new_tokens, target="ax650n"),
            cpu_encoder=True,
            out=cache / "demo-report",
        )
    )

    full = get_preset(FULL_SIZE)
    first = runs[None].timings
    encoders, decoder = preset_costs(full, [280], position=first.prefill_tokens + req.max_new_tokens // 2)
    chips = [get_chip(c) for c in TARGETS]
    est = {row["chip"]: row for row in estimate(encoders, decoder, chips, preset=FULL_SIZE, mode="fixed-280",
                                                 shapes_per_image=[280]).chips}  # fmt: skip

    def est_text(chip: str) -> str:
        row = est[chip]
        enc = row["encode_s"].get("280")
        dec = row.get("decode_tok_s")
        parts = [f"encode {enc:.2f} s" if enc else "encode n/a", f"decode {dec:.1f} tok/s" if dec else "decode n/a"]
        return ", ".join(parts)

    def timing(t) -> tuple[str, str, str]:
        return (
            f"{t.encode_s * 1000:.0f} ms {t.encoder_provenance}",
            f"{t.prefill_s * 1000:.0f} ms {t.llm_provenance}",
            f"{t.decode_tok_s:.0f} tok/s {t.llm_provenance}",
        )

    rows = [TargetRow("host cpu", "fp32 ONNX", "1.00000 reference", *timing(first), "-", "")]
    htp = runs["sm8650"].timings
    for chip in TARGETS:
        ref = primary_profile(chip)
        reference = (
            f"{ref.model} on {ref.device}, {ref.image}: encode {ref.encode_s} s, "
            f"decode {ref.decode_tok_s} tok/s ({ref.provenance}; {ref.source})"
        )
        if chip == "sm8650":
            rows.append(TargetRow(chip, f"qnn {htp.encoder_precision}", _cosine(bundle, chip), *timing(htp),
                                  est_text(chip), reference))  # fmt: skip
        else:
            rows.append(TargetRow(chip, "ax650 u16", _cosine(bundle, chip), "needs the board", "-", "-",
                                  est_text(chip), reference))  # fmt: skip
    notes = [
        "sm8650 encode runs on the QNN HTP emulator on this x86_64 host (far slower than a phone): it proves the "
        "context binary loads and computes, not its speed.",
        "ax650n: the Pulsar2 inputs and emulated u16 numerics are in the build; compiling the .axmodel needs Pulsar2 "
        "and running it needs the board.",
    ]
    return DemoResult(bundle=path, answer=runs[None].text, report=report, rows=rows, notes=notes)
