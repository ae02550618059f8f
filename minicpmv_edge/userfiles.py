"""The one check before opening a file a user or a bundle named: it must be a regular file.

Why: `open()` on a FIFO blocks forever and a character device never ends, and the libraries we hand paths to
(safetensors, Pillow, tokenizers, ONNX Runtime) open them by name. So a checkpoint shard, an image or a tokenizer is
checked here first; each refusal is one line, raised as the caller's error class. Reading JSON (and bytes with a
size limit) is `minicpmv_edge.safe_json`, which uses this too. No torch, no numpy.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from minicpmv_edge.errors import EdgeError


def regular_file(path: str | os.PathLike[str], what: str, error: type[EdgeError] = EdgeError) -> Path:
    """`path` as a Path if it is an existing regular file (after symlinks), else a one-line `error`."""
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
