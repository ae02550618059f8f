"""Reading JSON a user or a bundle hands us: regular files only, size- and depth-limited, strict, one-line errors.

A FIFO named `manifest.json` must not hang us, a 2 GB file must not be slurped, `[[[[...]]]]` must not end in a
RecursionError traceback, and `NaN`/`Infinity` (which Python's json accepts, and which then pass every `<`
comparison: a NaN time would become a report figure) are not JSON numbers.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.userfiles import regular_file

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
    regular_file(path, what, error)  # clear messages for missing / directory / FIFO; re-checked on the descriptor
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


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def parse_json(data: str | bytes, what: str, *, error: type[EdgeError] = EdgeError) -> Any:
    """Strict JSON from text already read: UTF-8, finite numbers only, at most MAX_DEPTH levels; `what` names it."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise error(f"{what} is not valid JSON: {err.msg} at line {err.lineno}") from None
    except ValueError as err:  # our NaN/Infinity/out-of-range refusals, Python's int digit limit
        raise error(f"{what} is not valid JSON: {' '.join(str(err).split())[:200]}") from None
    except RecursionError:
        raise error(f"{what} is nested too deeply") from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise error(f"{what} is nested too deeply (more than {MAX_DEPTH} levels)") from None
    return value


def load_json_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, what: str = "JSON file", error: type[EdgeError] = EdgeError
) -> Any:
    """Parse a JSON file under the limits above; every failure is one line naming the file."""
    path = Path(path)
    data = read_regular_file(path, max_bytes=max_bytes, what=what, error=error)
    return parse_json(data, f"{what} {path}", error=error)
