"""Reading files a user handed us (checkpoints, images, device results, bundles) without hanging or crashing.

Why: `open()` on a FIFO blocks forever, a character device never ends, `json.loads` recurses until
RecursionError on deeply nested input and accepts `NaN`/`Infinity`, which then pass every `<` comparison. So
every file from a user or a bundle is checked to be a regular file (symlinks followed) before anything opens
it, read with a size limit, and JSON is parsed strictly (standard JSON only, finite numbers, bounded nesting).
Each failure is one line, raised as the caller's error class (`CheckpointError`, `BundleError`, ...).
No torch, no numpy: the runtime and the bundle module use this too.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import EdgeError

MAX_JSON_BYTES = 16 << 20  # manifests, configs, reports, device results: all far smaller
MAX_JSON_DEPTH = 64  # our deepest JSON (a bench report) nests 6 levels


def regular_file(path: str | os.PathLike[str], what: str, error: type[EdgeError] = EdgeError) -> Path:
    """`path` as a Path if it is an existing regular file (after symlinks), else a one-line `error`.

    Directories, FIFOs, sockets and devices are refused, so nothing later blocks on opening them.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise error(f"{what} {os.fspath(path)} does not exist") from None
    except OSError as err:
        raise error(f"cannot read {what} {os.fspath(path)}: {err.strerror or err}") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket or device)"
        raise error(f"{what} {os.fspath(path)} is {kind}")
    return Path(path)


def read_bytes(path: str | os.PathLike[str], what: str, *, max_bytes: int, error: type[EdgeError] = EdgeError) -> bytes:
    """The contents of regular file `path`, at most `max_bytes`, else a one-line `error`.

    Opened non-blocking and checked again on the open descriptor, so a FIFO swapped in after the check cannot
    block the read.
    """
    regular_file(path, what, error)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise error(f"cannot read {what} {os.fspath(path)}: {err.strerror or err}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{what} {os.fspath(path)} is not a regular file")
        if info.st_size > max_bytes:
            raise error(f"{what} {os.fspath(path)} is {info.st_size} bytes, over the limit of {max_bytes}")
        try:
            data = f.read(max_bytes + 1)
        except (OSError, MemoryError) as err:
            raise error(f"cannot read {what} {os.fspath(path)}: {getattr(err, 'strerror', None) or err}") from None
    if len(data) > max_bytes:  # grew while we read it
        raise error(f"{what} {os.fspath(path)} is over the limit of {max_bytes} bytes")
    return data


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _depth(obj: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, walked without recursion; stops counting past `limit`."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(
    text: str | bytes, what: str, *, max_depth: int = MAX_JSON_DEPTH, error: type[EdgeError] = EdgeError
) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, finite numbers, at most `max_depth` levels; else a one-line `error`."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        obj = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text") from None
    except RecursionError:
        raise error(f"{what} is nested too deeply (over {max_depth} levels)") from None
    except ValueError as err:  # JSONDecodeError is a ValueError, and so are our NaN/range refusals
        raise error(f"{what} is not valid JSON: {' '.join(str(err).split())[:200]}") from None
    if _depth(obj, max_depth) > max_depth:
        raise error(f"{what} is nested too deeply (over {max_depth} levels)")
    return obj


def read_json(
    path: str | os.PathLike[str],
    what: str,
    *,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
    error: type[EdgeError] = EdgeError,
) -> Any:
    """`parse_json` of regular file `path` (size-limited by `max_bytes`)."""
    data = read_bytes(path, what, max_bytes=max_bytes, error=error)
    return parse_json(data, f"{what} {os.fspath(path)}", max_depth=max_depth, error=error)
