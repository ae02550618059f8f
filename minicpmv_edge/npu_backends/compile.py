"""`compile`: run a backend over a bundle, put its artifacts under `BUNDLE/compiled/<name>/`, record them.

Artifacts are written to a temporary directory and renamed into place only when the backend succeeded; the
manifest is then rewritten atomically with the new files' hashes, so a failed compile leaves the bundle as it was.
"""

from __future__ import annotations

import importlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from minicpmv_edge.bundle import atomic_directory, with_records, write_manifest
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends.base import CompileRequest, CompileResult, NpuBackend
from minicpmv_edge.runtime.bundle_view import Bundle

log = logging.getLogger(__name__)

REPORT_NAME = "report.json"
# backend name -> "module:class"; imported only when used (each pulls in its own toolchain)
BACKENDS: dict[str, str] = {
    "qnn": "minicpmv_edge.npu_backends.qnn:QnnBackend",
    "ax650": "minicpmv_edge.npu_backends.ax650:Ax650Backend",
    "qai-hub": "minicpmv_edge.npu_backends.qai_hub:QaiHubBackend",
    "tvm": "minicpmv_edge.npu_backends.tvm:TvmBackend",
}


def load_backend(name: str) -> NpuBackend:
    if name not in BACKENDS:
        raise EdgeError(f"unknown compile backend {name!r}; known: {', '.join(BACKENDS)}")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


def compile_bundle(bundle_path: str | Path, req: CompileRequest, via: str | None = None) -> tuple[str, CompileResult]:
    """Compile `bundle_path` for `req.chip` with its backend (or `via`, e.g. qai-hub); returns (folder, result)."""
    bundle = Bundle.open(bundle_path)
    backend = load_backend(via or req.chip.backend)
    name = backend.output_name(req)
    target = bundle.root / "compiled" / name
    with atomic_directory(target, replace_if=REPORT_NAME) as tmp:
        result = backend.compile(bundle, req, tmp)
        report = {
            "backend": backend.name,
            "chip": req.chip.key,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **result.report,
        }
        (tmp / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n")
        result.report = report
        result.files = [*result.files, REPORT_NAME]
    _record(bundle, name, result)
    log.info("compiled artifacts in %s", target)
    return name, result


def _record(bundle: Bundle, name: str, result: CompileResult) -> None:
    manifest: dict[str, Any] = dict(bundle.manifest)
    prefix = f"compiled/{name}/"
    files = with_records(
        bundle.root, manifest.get("files", []), [prefix + rel for rel in result.files], drop_prefix=prefix
    )
    compiled = dict(manifest.get("compiled", {}))
    compiled[name] = {
        "dir": prefix.rstrip("/"),
        "files": sorted(result.files),
        "report": f"{prefix}{REPORT_NAME}",
        "summary": result.report.get("summary", {}),
    }
    manifest["compiled"] = compiled
    manifest["files"] = files
    write_manifest(bundle.root, manifest)
