"""The one shape every NPU backend has: compile a bundle for a chip -> artifacts + a report.

(The other half, a runtime session over a build, is an `EncoderSession`; `npu_backends.registry` pairs them.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from minicpmv_edge.npu_backends.chips import Chip
from minicpmv_edge.runtime.bundle_view import Bundle


@dataclass(frozen=True)
class CompileRequest:
    chip: Chip
    precision: str | None = None  # None: the backend's default for the chip
    shapes: tuple[int, ...] | None = None  # None: every shape the bundle has
    calibration: Path | None = None  # None: the repository's calibration_data/
    allow_cpu_fallback: bool = False
    min_cosine: float | None = None  # None: the backend's default threshold for the precision
    options: dict[str, str] = field(default_factory=dict)  # backend-specific (npu_mode, device, ...)


@dataclass
class CompileResult:
    files: list[str]  # artifact paths relative to the output directory
    report: dict[str, Any]  # JSON-able; every figure in it carries a provenance label
    precision: str  # the precision actually built (the backend resolves the default)
    encoders: dict[int, str] = field(default_factory=dict)  # size -> file the runtime session loads (relative)


class NpuBackend(Protocol):
    name: str

    def output_name(self, req: CompileRequest) -> str:
        """Folder under `BUNDLE/compiled/`, e.g. `qnn-sm8650-w8a16`."""
        ...

    def compile(self, bundle: Bundle, req: CompileRequest, out_dir: Path) -> CompileResult:
        """Write every artifact into the empty `out_dir` (a temp dir renamed into place on success)."""
        ...
