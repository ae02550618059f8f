"""Bundle directories on disk: hashing, confinement, the one manifest writer, the bundle lock, atomic replacement.

Shared by the exporter (writes), the compilers (add builds) and the runtime (verifies before loading), so this module
must not import torch. The rules it enforces:

- every path the manifest names resolves inside the bundle (no absolute path, no `..`, no symlink leaving it) and is
  listed in `files` with its size and sha256; opening verifies them before anything loads;
- a directory is built beside its target and swapped in with one atomic `renameat2(RENAME_EXCHANGE)` where the OS has
  it, so a kill at any moment leaves either the old or the new bundle at the path (elsewhere: two renames, and the next
  run restores the old one if a kill fell between them);
- `--out` replaces only something we wrote and can still read (a valid manifest / bench report), or an empty folder;
- manifest updates happen under an exclusive lock on the bundle (`.lock`), re-read the manifest inside the lock, and
  land with one atomic rename, which is the commit point of a compile;
- temp folders of killed runs are recognised by an unheld lock file beside them and removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import fcntl
import glob
import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from minicpmv_edge import manifest as mf
from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.manifest import MANIFEST_NAME, FileRecord, Manifest
from minicpmv_edge.safe_json import load_json_file

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
TMP_TAG = ".tmp-"
OLD_TAG = ".old-"
FAULT_ENV = "MINICPMV_EDGE_FAULT_AT"  # test seam: `benchmarks/fault_injection.py` kills the process at a named step
FAULT_POINTS = (  # every step `fault_point` is called at, in the order a replacing export or compile reaches them
    "after-build-rename",  # compile: build folder renamed into compiled/, manifest not yet written
    "after-manifest-rename",  # any manifest write: new manifest renamed over the old one
    "after-final-rename",  # swap_into_place: a folder renamed to a target that did not exist
    "after-exchange",  # swap_into_place: new and old folders exchanged atomically
    "between-renames",  # swap_into_place without RENAME_EXCHANGE: old folder aside, new one not yet in place
)
_fault_calls: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Die here (SIGKILL) when `MINICPMV_EDGE_FAULT_AT` names this step (`name`, or `name@N` for its N-th call in
    this process); lets the fault-injection run kill a write at exactly the moments that matter (right after each
    rename). A no-op otherwise."""
    point, _, nth = os.environ.get(FAULT_ENV, "").partition("@")
    if point != name:
        return
    _fault_calls[name] = _fault_calls.get(name, 0) + 1
    if _fault_calls[name] == int(nth or 1):
        os.kill(os.getpid(), 9)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_record(root: Path, path: Path, rel: str | None = None) -> FileRecord:
    """Size and sha256 of `path`, recorded under `rel` (default: its path relative to `root`)."""
    rel = rel if rel is not None else path.relative_to(root).as_posix()
    return FileRecord(path=rel, bytes=path.stat().st_size, sha256=sha256_file(path))


def all_file_records(root: Path) -> tuple[FileRecord, ...]:
    """Records of every regular file under `root` except the manifest and lock files, sorted by path."""
    skip = {MANIFEST_NAME, LOCK_NAME}
    return tuple(file_record(root, p) for p in sorted(root.rglob("*")) if p.is_file() and p.name not in skip)


def check_writable(manifest: Manifest) -> None:
    """Raise if `manifest` would not read back (we never write a manifest that we would reject)."""
    mf.from_dict(json.loads(json.dumps(manifest.to_dict())), "the manifest being written")


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write manifest.json atomically (temp file, fsync, rename): a reader never sees half a manifest."""
    check_writable(manifest)
    tmp = root / f".{MANIFEST_NAME}{TMP_TAG}{secrets.token_hex(4)}"
    with tmp.open("w") as f:
        f.write(json.dumps(manifest.to_dict(), indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / MANIFEST_NAME)
    fault_point("after-manifest-rename")


def read_manifest(root: str | Path) -> Manifest:
    return mf.read(Path(root))


def check_confined(root: Path, manifest: Manifest) -> None:
    """Every path the manifest names must stay inside `root` (after symlinks) and every file it opens be hashed."""
    base = root.resolve()
    recorded = {r.path for r in manifest.files}
    for rel in [*recorded, *manifest.referenced_paths(), *(b.dir for b in manifest.compiled.values())]:
        resolved = (root / rel).resolve()
        if not resolved.is_relative_to(base) or resolved == base:
            raise BundleError(f"bundle {root}: manifest path {rel!r} leaves the bundle")
    for rel in manifest.referenced_paths():
        if rel not in recorded:
            raise BundleError(f"bundle {root}: manifest names {rel!r} but lists no size and sha256 for it")


MISSING = "missing"
SHA_DIFFERS = "sha256 differs from the manifest (modified or corrupt)"


def file_problem(root: Path, record: FileRecord, *, hash_check: bool = True) -> str | None:
    """Why one recorded file does not verify (`MISSING`, a size mismatch, `SHA_DIFFERS`), or None when it does;
    the sha256 is computed only when the size matches and `hash_check` is on."""
    path = root / record.path
    if not path.is_file():
        return MISSING
    size = path.stat().st_size
    if size != record.bytes:
        return f"size {size} != recorded {record.bytes}"
    if hash_check and sha256_file(path) != record.sha256:
        return SHA_DIFFERS
    return None


def verify_files(root: Path, manifest: Manifest, paths: list[str] | None = None) -> None:
    """Check that the listed files (default: all) are regular files with the recorded size and sha256."""
    records = {r.path: r for r in manifest.files}
    for rel in paths if paths is not None else list(records):
        record = records.get(rel)
        if record is None:
            raise BundleError(f"bundle {root} manifest lists no file {rel}")
        problem = file_problem(root, record)
        if problem == MISSING:
            raise BundleError(f"bundle file {root / rel} is missing")
        if problem:
            raise BundleError(f"bundle file {root / rel} does not match its manifest sha256 (modified or corrupt)")


def open_verified(root: str | Path, *, verify: bool = True) -> Manifest:
    """Read, confine and (by default) hash-check a bundle; `verify=False` still confines and checks presence."""
    root = Path(root)
    manifest = read_manifest(root)
    check_confined(root, manifest)
    if verify:
        verify_files(root, manifest)
    else:
        for rel in manifest.referenced_paths():
            if not (root / rel).is_file():
                raise BundleError(f"bundle file {root / rel} is missing")
    return manifest


# ------------------------------------------------------------------------------------------------ locking


@contextlib.contextmanager
def held_lock(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    """An exclusive `flock` on `path` (created if missing); yields False if `blocking` is off and it is taken."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@contextlib.contextmanager
def bundle_lock(root: Path) -> Iterator[None]:
    """Serialise manifest updates of one bundle across processes."""
    with held_lock(root / LOCK_NAME):
        yield


def update_manifest(root: Path, change: Callable[[Manifest], Manifest]) -> Manifest:
    """Re-read the manifest under the bundle lock, apply `change`, write it atomically; the one update path."""
    with bundle_lock(root):
        manifest = change(read_manifest(root))
        write_manifest(root, manifest)
    return manifest


def with_files(manifest: Manifest, records: list[FileRecord], *, drop_prefix: str | None = None) -> Manifest:
    """`manifest` with `records` added (replacing same paths) and, with `drop_prefix`, older records under it gone."""
    fresh = {r.path for r in records}
    kept = [r for r in manifest.files if r.path not in fresh and not (drop_prefix and r.path.startswith(drop_prefix))]
    return dataclasses.replace(manifest, files=tuple(sorted([*kept, *records], key=lambda r: r.path)))


# ---------------------------------------------------------------------------------- work folders and swaps


@contextlib.contextmanager
def work_folder(parent: Path, stem: str) -> Iterator[Path]:
    """A fresh `parent/.{stem}.tmp-XXXX` folder, marked in progress by a lock file beside it that this process holds.

    The lock file is made and locked before the folder exists, so a concurrent `clean_stale` never mistakes it for
    the leftovers of a killed run. The folder is removed on error; on success the caller has renamed it away.
    """
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{stem}{TMP_TAG}{secrets.token_hex(4)}"
    lock = tmp.with_name(tmp.name + LOCK_NAME)
    with held_lock(lock):
        try:
            tmp.mkdir()
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            lock.unlink(missing_ok=True)


def clean_stale(parent: Path, stem: str | None = None) -> list[str]:
    """Remove temp folders (and their lock files) of killed runs in `parent`; restore a bundle a kill left aside.

    A temp folder is stale when the lock file beside it is missing or not held. With `stem`, only that target's.
    Returns what was removed.
    """
    if not parent.is_dir():
        return []
    prefix = f".{glob.escape(stem)}" if stem else "."
    removed = []
    for tag in (OLD_TAG, TMP_TAG):
        for entry in sorted(parent.glob(f"{prefix}*{tag}*")):
            if entry.name.endswith(LOCK_NAME) or not entry.is_dir() or entry.is_symlink():
                continue
            lock = entry.with_name(entry.name + LOCK_NAME)
            with held_lock(lock, blocking=False) as free:
                if not free:
                    continue
                name = entry.name[1 : entry.name.index(tag)]
                target = parent / name
                if tag == OLD_TAG and not target.exists():
                    os.replace(entry, target)  # a kill fell between the two renames of a swap: put it back
                    log.warning("restored %s, left aside by an interrupted run", target)
                else:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry.name)
            lock.unlink(missing_ok=True)
    for lock in parent.glob(f"{prefix}*{LOCK_NAME}"):
        if lock.name != LOCK_NAME and not lock.with_name(lock.name.removesuffix(LOCK_NAME)).exists():
            with held_lock(lock, blocking=False) as free:
                if free:
                    lock.unlink(missing_ok=True)
    if removed:
        log.info("removed %d leftover temp folder(s) of interrupted runs in %s", len(removed), parent)
    return removed


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where the OS or filesystem lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_into_place(tmp: Path, target: Path) -> None:
    """Make `tmp` appear at `target`; an existing `target` ends up at `tmp` (for the caller to delete)."""
    if not target.exists():
        os.replace(tmp, target)
        fault_point("after-final-rename")
        return
    if _exchange(tmp, target):
        fault_point("after-exchange")
        return
    aside = tmp.with_name(tmp.name.replace(TMP_TAG, OLD_TAG, 1))
    os.replace(target, aside)  # fallback: two renames; clean_stale restores `aside` if we die right here
    fault_point("between-renames")
    os.replace(tmp, target)
    os.replace(aside, tmp)


OwnedCheck = Callable[[Path], bool]


def is_our_bundle(path: Path) -> bool:
    """A folder whose manifest we can read and validate (not merely one holding a file named manifest.json); also a
    bundle an earlier release wrote (schema_version 1: our writer's name and a hashed file list), so upgrading users
    can re-export over it."""
    try:
        read_manifest(path)
        return True
    except EdgeError:
        pass
    try:
        old = load_json_file(path / MANIFEST_NAME, max_bytes=mf.MAX_MANIFEST_BYTES, what="manifest")
    except EdgeError:
        return False
    return (
        isinstance(old, dict)
        and old.get("schema_version") == 1
        and str(old.get("created_by", "")).startswith("minicpmv-edge ")
        and isinstance(old.get("files"), list)
        and all(isinstance(r, dict) and {"path", "bytes", "sha256"} <= r.keys() for r in old["files"])
    )


def check_replaceable(target: Path, owned: OwnedCheck, what: str) -> None:
    """Refuse an output path that is a file, a symlink, or a non-empty folder we did not write."""
    if target.is_symlink():
        raise EdgeError(f"output {target} is a symbolic link; give the real folder")
    if target.exists() and not target.is_dir():
        raise EdgeError(f"output {target} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not owned(target):
        raise EdgeError(f"output {target} is a non-empty folder that is not a {what} written by minicpmv-edge")


@contextlib.contextmanager
def atomic_directory(target: str | Path, *, owned: OwnedCheck, what: str) -> Iterator[Path]:
    """Yield an empty temp folder beside `target`; on success it replaces `target` atomically.

    An existing `target` is replaced only when it is empty or `owned` recognises it (our own output, read back), so a
    mistyped `--out` never deletes anyone's folder. On any error `target` is untouched.
    """
    target = Path(target)
    check_replaceable(target, owned, what)
    clean_stale(target.parent, target.name)
    with work_folder(target.parent, target.name) as tmp:
        yield tmp
        tmp.chmod(0o755)
        check_replaceable(target, owned, what)  # again: something may have appeared while we worked
        swap_into_place(tmp, target)
