"""Safe, read-only access to one GGUF file (llama.cpp's format) through the `gguf` package.

The `gguf` package memory-maps the file and builds numpy views over it; a damaged file makes it raise anything from
ValueError to IndexError deep inside. Here every failure becomes one `CheckpointError` line, and each tensor's byte
range is checked against the file size up front, so a truncated download is refused before any output is written.
Metadata values come back as plain Python values (str, int, float, bool, lists of them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from minicpmv_edge.errors import CheckpointError, EdgeError

log = logging.getLogger(__name__)

_MISSING = object()


def import_gguf() -> Any:
    """The `gguf` package, or a one-line error naming the extra that installs it."""
    try:
        import gguf
    except ImportError:
        raise EdgeError("reading GGUF files needs the `gguf` package: pip install 'minicpmv-edge[export]'") from None
    return gguf


@dataclass(frozen=True)
class GgufTensor:
    """One tensor as stored: `shape` in numpy order (outermost first, e.g. `[out, in]` for a linear weight)."""

    name: str
    type_name: str  # ggml type: F32, F16, Q4_0, Q4_K, ...
    shape: tuple[int, ...]
    raw: np.ndarray  # memory-mapped: F32/F16 values, or uint8 blocks `[..., bytes per row]` for quantized types


class GgufFile:
    """Metadata and tensors of one GGUF file; tensor data stays memory-mapped until asked for."""

    def __init__(self, path: str | Path) -> None:
        gguf = import_gguf()
        self.path = Path(path)
        if not self.path.is_file():
            raise CheckpointError(f"GGUF file {self.path} does not exist")
        try:
            reader = gguf.GGUFReader(self.path, "r")
            self.fields = {name: _field_value(field, gguf) for name, field in reader.fields.items()}
            size = self.path.stat().st_size
            self.tensors: dict[str, GgufTensor] = {}
            for t in reader.tensors:
                if t.data_offset + t.n_bytes > size:
                    raise ValueError(f"tensor {t.name} ends at byte {t.data_offset + t.n_bytes}, file has {size}")
                self.tensors[t.name] = GgufTensor(
                    t.name, t.tensor_type.name, tuple(int(d) for d in reversed(t.shape.tolist())), t.data
                )
        except (ValueError, IndexError, KeyError, TypeError, OSError, UnicodeDecodeError) as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise CheckpointError(f"{self.path} is not a readable GGUF file (truncated?): {message}") from None
        self._gguf = gguf
        log.debug("opened %s: %d tensors, %d metadata keys", self.path.name, len(self.tensors), len(self.fields))

    def get(self, key: str, default: Any = _MISSING) -> Any:
        """A metadata value; without `default`, a missing key is a one-line error."""
        if key in self.fields:
            return self.fields[key]
        if default is _MISSING:
            raise CheckpointError(f"GGUF file {self.path} has no metadata key {key}")
        return default

    def tensor(self, name: str) -> GgufTensor:
        if name not in self.tensors:
            raise CheckpointError(f"GGUF file {self.path} has no tensor {name}")
        return self.tensors[name]

    def float32(self, name: str) -> np.ndarray:
        """The tensor dequantized (or widened) to float32, numpy shape `GgufTensor.shape`."""
        t = self.tensor(name)
        if t.type_name == "F32":
            return np.asarray(t.raw, dtype=np.float32).reshape(t.shape)
        if t.type_name == "F16":
            return np.asarray(t.raw, dtype=np.float32).reshape(t.shape)
        try:
            values = self._gguf.quants.dequantize(np.asarray(t.raw), self._gguf.GGMLQuantizationType[t.type_name])
        except NotImplementedError:
            raise CheckpointError(f"{self.path}: tensor {name} has type {t.type_name}, which cannot be read") from None
        return values.astype(np.float32, copy=False).reshape(t.shape)


def _field_value(field: Any, gguf: Any) -> Any:
    """A reader field as a Python value (the `gguf` reader keeps raw numpy parts)."""
    types = field.types
    if not types:
        return None
    if types[0] == gguf.GGUFValueType.ARRAY:
        values = [field.parts[i] for i in field.data]
        if len(types) > 1 and types[1] == gguf.GGUFValueType.STRING:
            return [bytes(v).decode("utf-8") for v in values]
        return [v.tolist()[0] for v in values]
    value = field.parts[field.data[0]]
    if types[0] == gguf.GGUFValueType.STRING:
        return bytes(value).decode("utf-8")
    return value.tolist()[0]
