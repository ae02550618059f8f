"""`compile`: run a backend over a bundle, put its artifacts in a new `BUNDLE/compiled/<name>-<id>/`, record them.

Crash- and concurrency-safe: artifacts are written into a temp folder marked in progress, hashed, renamed to a fresh
folder name, and only then recorded by one atomic manifest write under the bundle lock; that write is the commit. A
kill before it leaves an unreferenced folder that the next run removes; a kill after it leaves the older build's
folder, also removed next time. Two compiles of one bundle at once both land: each re-reads the manifest in the lock.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from minicpmv_edge.bundle import (
    bundle_lock,
    check_writable,
    clean_stale,
    fault_point,
    file_record,
    read_manifest,
    with_files,
    work_folder,
    write_manifest,
)
from minicpmv_edge.manifest import Build, BuildEncoder, Manifest
from minicpmv_edge.npu_backends import registry
from minicpmv_edge.npu_backends.base import CompileRequest, CompileResult
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.versions import tool_versions

log = logging.getLogger(__name__)

REPORT_NAME = "report.json"
COMPILED = "compiled"
_BUILD_DIR = re.compile(r"^(?P<name>[^.].*)-(?P<id>[0-9a-f]{8})$")  # never a dot-name: those are temp folders


def compile_bundle(bundle_path: str | Path, req: CompileRequest, via: str | None = None) -> tuple[Build, CompileResult]:
    """Compile `bundle_path` for `req.chip` with its backend (or the route `via`, e.g. qai-hub)."""
    bundle = Bundle.open(bundle_path)
    spec = registry.backend_for(req.chip, via)
    registry.check_options(spec, req.chip, req.options)
    backend = registry.load(spec.compiler)()
    name = backend.output_name(req)
    parent = bundle.root / COMPILED
    remove_orphans(bundle.root)
    with work_folder(parent, name) as tmp:
        result = backend.compile(bundle, req, tmp)
        report = {
            "backend": spec.name,
            "chip": req.chip.key,
            "precision": result.precision,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **result.report,
            "tools": {**tool_versions("onnxruntime", "onnx"), **result.report.get("tools", {})},
        }
        (tmp / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n")
        result.report = report
        result.files = sorted({*result.files, REPORT_NAME})
        build = _commit(bundle.root, tmp, name, spec, req, result)
    log.info("compiled artifacts in %s", bundle.root / build.dir)
    return build, result


def _commit(
    root: Path, tmp: Path, name: str, spec: registry.BackendSpec, req: CompileRequest, result: CompileResult
) -> Build:
    """Rename the finished folder into place and record it; the manifest write is the commit point."""
    folder = f"{COMPILED}/{name}-{secrets.token_hex(4)}"
    records = [file_record(tmp, tmp / rel, f"{folder}/{rel}") for rel in result.files]  # hashed before the lock
    build = Build(
        name=name,
        dir=folder,
        backend=spec.name,
        chip=req.chip.key,
        precision=result.precision,
        runtime=spec.runtime if result.encoders else None,
        encoders={size: BuildEncoder(f"{folder}/{rel}") for size, rel in sorted(result.encoders.items())},
        files=tuple(result.files),
        report=f"{folder}/{REPORT_NAME}",
        summary=result.report.get("summary", {}),
    )
    with bundle_lock(root):
        manifest = read_manifest(root)
        old = manifest.compiled.get(name)
        updated = record_build(manifest, build, records)
        check_writable(updated)  # fail before anything moves
        os.replace(tmp, root / folder)
        fault_point("after-build-rename")
        write_manifest(root, updated)
        if old is not None and old.dir != folder:
            shutil.rmtree(root / old.dir, ignore_errors=True)
    return build


def record_build(manifest: Manifest, build: Build, records: list) -> Manifest:
    """`manifest` with `build` (and its file records) added, replacing an older build of the same name."""
    old = manifest.compiled.get(build.name)
    manifest = with_files(manifest, records, drop_prefix=f"{old.dir}/" if old else None)
    return dataclasses.replace(manifest, compiled={**manifest.compiled, build.name: build})


def remove_orphans(root: Path) -> list[str]:
    """Under the bundle lock, delete build folders no manifest entry points at (a kill before the commit, or an
    older build a kill kept), and temp folders of killed runs. Never touches anything not named like ours."""
    parent = root / COMPILED
    removed = clean_stale(parent)
    if not parent.is_dir():
        return removed
    with bundle_lock(root):
        live = {Path(b.dir).name for b in read_manifest(root).compiled.values()}
        for entry in parent.iterdir():
            if entry.is_dir() and not entry.is_symlink() and _BUILD_DIR.match(entry.name) and entry.name not in live:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
    if removed:
        log.info("removed %d leftover build folder(s) of interrupted compiles: %s", len(removed), ", ".join(removed))
    return removed
