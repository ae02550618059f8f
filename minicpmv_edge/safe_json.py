"""Reading JSON a user or a bundle hands us: regular files only, size- and depth-limited, one-line errors.

A FIFO named `manifest.json` must not hang us, a 2 GB file must not be slurped, and `[[[[...]]]]` must not end in a
RecursionError traceback.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import EdgeError

DEFAULT_MAX_BYTES = 64 << 20
MAX_DEPTH = 64


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value, iteratively (never recursing), stopping past `limit`."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def read_regular_file(path: Path, *, max_bytes: int, what: str, error: type[EdgeError] = EdgeError) -> bytes:
    """The bytes of `path` if it is a regular file of at most `max_bytes` (opened without blocking on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise error(f"{what} {path} cannot be read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{what} {path} is not a regular file")
        if info.st_size > max_bytes:
            raise error(f"{what} {path} is {info.st_size} bytes, more than the {max_bytes} allowed")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(max_bytes + 1)
    finally:
        os.close(fd)


def load_json_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, what: str = "JSON file", error: type[EdgeError] = EdgeError
) -> Any:
    """Parse a JSON file under the limits above; every failure is one line naming the file."""
    path = Path(path)
    data = read_regular_file(path, max_bytes=max_bytes, what=what, error=error)
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise error(f"{what} {path} is not valid JSON: {err.msg} at line {err.lineno}") from None
    except RecursionError:
        raise error(f"{what} {path} is nested too deeply") from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise error(f"{what} {path} is nested more than {MAX_DEPTH} levels deep") from None
    return value
