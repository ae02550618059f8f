"""The benchmark report: one JSON document (schema-checked) and two views of it, Markdown and self-contained HTML.

`report.json` is the record; `report.md` and `report.html` are rendered from it alone, so a report can be
re-rendered (or diffed) without re-running anything.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from minicpmv_edge.bench.estimate import Estimates
from minicpmv_edge.bench.figures import Figure
from minicpmv_edge.bench.importers import Imported
from minicpmv_edge.bench.match import profile_match
from minicpmv_edge.bench.reference import PROFILES, primary_profile, target_profiles
from minicpmv_edge.bench.runner import HostRun
from minicpmv_edge.bench.schema import REPORT_SCHEMA_ID, errors, validate
from minicpmv_edge.versions import tool_versions

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FILES = ("report.json", "report.md", "report.html")
PROVENANCE_MEANING = {
    "host-measured": "timed on the machine that ran the benchmark, not on a target device",
    "emulated": "timed through an emulator of the target NPU: says nothing about device speed",
    "estimated": "computed from FLOPs / bytes and published chip figures, under the assumptions listed",
    "device-measured": "measured on the target device itself",
}


def _reference_dict(ref: Any) -> dict[str, Any]:
    data = asdict(ref)
    for key in ("encode_range_s", "decode_range_tok_s"):
        if data[key] is not None:
            data[key] = list(data[key])
    return data


def build_report(
    *,
    host: HostRun | None,
    machine: dict[str, Any] | None,
    imports: list[Imported],
    estimates: Estimates | None,
    target: str | None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Assemble and validate the report document."""
    figures: list[Figure] = [
        *(host.figures if host else []),
        *(f for imp in imports for f in imp.figures),
        *(estimates.figures if estimates else []),
    ]
    chip = target or next((imp.chip for imp in imports if imp.chip), None)
    latency = host.token_latency_run if host else None
    if latency is None:
        latency = next(
            (
                {
                    "run": 0,
                    "why": f"the first run with per-token latencies in {Path(imp.file).name}",
                    "latencies_s": imp.info["token_latencies_s"],
                    "provenance": "device-measured",
                }
                for imp in imports
                if imp.info.get("token_latencies_s")
            ),
            None,
        )
    report = {
        "schema": REPORT_SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": tool_versions("onnxruntime", "numpy", "tokenizers"),
        "provenance_labels": PROVENANCE_MEANING,
        "machine": machine,
        "bundle": host.bundle if host else None,
        "settings": host.settings if host else None,
        "figures": [f.as_dict() for f in figures],
        "runs": host.runs if host else [],
        "token_latency_run": latency,
        "imports": [imp.summary() for imp in imports],
        "estimates": estimates.as_dict() if estimates else None,
        "references": [_reference_dict(p) for p in PROFILES.values()],
        "primary_reference": primary_profile(chip).name,
        "profile_match": [m.as_dict() for m in profile_match(figures, target_profiles())],
        "notes": [*(host.notes if host else []), *(notes or [])],
    }
    validate(report, "report", what="the benchmark report")
    return report


def is_our_report(path: Path) -> bool:
    """A folder whose report.json is a bench report we wrote (valid against our schema), not any report.json."""
    from minicpmv_edge.errors import EdgeError
    from minicpmv_edge.safe_json import load_json_file

    try:
        data = load_json_file(path / "report.json", what="report")
    except EdgeError:
        return False
    return isinstance(data, dict) and data.get("schema") == REPORT_SCHEMA_ID and not errors(data, "report")


def write_report(report: dict[str, Any], out: str | Path) -> Path:
    """Write report.json, report.md and report.html into `out` (replaced whole, only if it holds a report)."""
    from minicpmv_edge.bench.render_html import render_html
    from minicpmv_edge.bench.render_md import render_markdown
    from minicpmv_edge.bundle import atomic_directory

    out = Path(out)
    with atomic_directory(out, owned=is_our_report, what="benchmark report") as tmp:
        (tmp / "report.json").write_text(json.dumps(report, indent=2) + "\n")
        (tmp / "report.md").write_text(render_markdown(report))
        (tmp / "report.html").write_text(render_html(report))
    log.info("report written to %s (%s)", out, ", ".join(FILES))
    return out
