"""Bundle directories: manifest.json plus the files it lists, each with size and sha256.

Shared by the exporter (writes), the NPU compilers (add artifacts) and the runtime (verifies before loading), so
this module must not import torch. Directories are built beside their target and renamed into place; a good
bundle is never replaced by a half-written one.

Test seam: `fault_point(name)` is called right after each rename and write step below. It does nothing unless
the environment variable MINICPMV_EDGE_FAULT_AT names that step (`name`, or `name@N` for its N-th call in the
process), in which case the process SIGKILLs itself there. `benchmarks/fault_injection.py` uses it to check that
a kill at any of these steps leaves a bundle that opens and runs. Step names: `FAULT_POINTS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.userfiles import read_json

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1
FAULT_ENV = "MINICPMV_EDGE_FAULT_AT"
FAULT_POINTS = (
    "manifest-tmp-written",  # write_manifest: temp manifest complete, not yet renamed
    "manifest-replaced",  # write_manifest: new manifest renamed over the old one
    "dir-tmp-filled",  # atomic_directory: new directory complete, nothing renamed yet
    "dir-old-moved",  # atomic_directory: old target renamed aside, new one not yet in place
    "dir-new-in",  # atomic_directory: new directory renamed into place, old one not yet removed
    "dir-old-removed",  # atomic_directory: old directory removed
)
_fault_calls: dict[str, int] = {}


def fault_point(name: str) -> None:
    """SIGKILL this process if MINICPMV_EDGE_FAULT_AT asks for step `name` (see the module docstring)."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _fault_calls[name] = _fault_calls.get(name, 0) + 1
    if _fault_calls[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_record(root: Path, path: Path) -> dict[str, Any]:
    """`{"path", "bytes", "sha256"}` of a file inside `root`, path relative and POSIX-style."""
    return {"path": path.relative_to(root).as_posix(), "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def with_records(
    root: Path, records: list[dict[str, Any]], paths: list[str], *, drop_prefix: str | None = None
) -> list[dict[str, Any]]:
    """The manifest's file records with `paths` (relative to `root`) hashed afresh; with `drop_prefix`, every older
    record under that prefix goes too (a folder replaced whole)."""
    fresh = set(paths)
    kept = [r for r in records if r["path"] not in fresh and not (drop_prefix and r["path"].startswith(drop_prefix))]
    return kept + [file_record(root, root / p) for p in sorted(fresh)]


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """Write manifest.json atomically (temp file + rename), so a reader never sees half a manifest."""
    tmp = root / f".{MANIFEST_NAME}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    fault_point("manifest-tmp-written")
    os.replace(tmp, root / MANIFEST_NAME)
    fault_point("manifest-replaced")


def read_manifest(root: str | Path) -> dict[str, Any]:
    root = Path(root)
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise BundleError(f"bundle {root} does not exist")
    if not path.is_file():
        raise BundleError(f"{root} is not a bundle: no {MANIFEST_NAME}")
    manifest = read_json(path, "bundle manifest", error=BundleError)
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        raise BundleError(f"{path} is not a schema-{SCHEMA_VERSION} minicpmv-edge manifest")
    return manifest


def verify_files(root: str | Path, manifest: dict[str, Any], paths: list[str] | None = None) -> None:
    """Check that the listed files (default: all) exist with the recorded size and sha256."""
    root = Path(root)
    records = {r["path"]: r for r in manifest.get("files", [])}
    for rel in paths if paths is not None else list(records):
        record = records.get(rel)
        if record is None:
            raise BundleError(f"bundle {root} manifest lists no file {rel}")
        path = root / rel
        if not path.is_file():
            raise BundleError(f"bundle file {path} is missing")
        if path.stat().st_size != record["bytes"] or sha256_file(path) != record["sha256"]:
            raise BundleError(f"bundle file {path} does not match its manifest sha256 (modified or corrupt)")


def check_replaceable(target: Path, replace_if: str | None = MANIFEST_NAME) -> None:
    """Refuse an output path that is a file, or a non-empty directory we did not write."""
    if target.exists() and not target.is_dir():
        raise EdgeError(f"output {target} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (replace_if and (target / replace_if).exists()):
        raise EdgeError(f"output {target} is a non-empty directory that was not written by minicpmv-edge")


@contextlib.contextmanager
def atomic_directory(target: str | Path, *, replace_if: str | None = MANIFEST_NAME) -> Iterator[Path]:
    """Yield an empty temp directory beside `target`; on success it replaces `target` in two renames.

    An existing `target` is only replaced when it is empty or contains `replace_if` (our own output), so a
    mistyped `--out` never deletes someone's folder. On any error the temp directory is removed and `target`
    is untouched.
    """
    target = Path(target)
    check_replaceable(target, replace_if)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        fault_point("dir-tmp-filled")
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / target.name)
            fault_point("dir-old-moved")
        os.replace(tmp, target)
        fault_point("dir-new-in")
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
            fault_point("dir-old-removed")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
