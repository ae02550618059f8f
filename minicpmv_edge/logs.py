"""The one log silencer: drop expected, non-actionable lines that third-party tools log on the root logger."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def dropping(noise: Callable[[logging.LogRecord], bool]) -> Iterator[None]:
    """While inside, root-logger records for which `noise(record)` is true are dropped (errors never are)."""

    def keep(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or not noise(record)

    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)


def from_onnxruntime(record: logging.LogRecord) -> bool:
    """ONNX Runtime's quantization tooling: pre-processing advice, per-channel probes on 1-D scales, opset upgrades."""
    return "onnxruntime" in record.pathname
