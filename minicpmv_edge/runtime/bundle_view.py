"""A bundle as the runtime sees it: verified manifest + paths. No torch, no export code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minicpmv_edge.bundle import read_manifest, verify_files
from minicpmv_edge.errors import BundleError
from minicpmv_edge.runtime.prompts import PromptSpec


@dataclass(frozen=True)
class Bundle:
    root: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, path: str | Path, *, verify: bool = True) -> Bundle:
        """Read the manifest and (by default) check every listed file's size and sha256 before anything loads."""
        root = Path(path)
        manifest = read_manifest(root)
        if verify:
            verify_files(root, manifest)
        return cls(root, manifest)

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest["model"]["synthetic"])

    @property
    def preset(self) -> str:
        return self.manifest["model"]["preset"]

    def encoder_file(self, size: int) -> Path:
        encoders = self.manifest.get("vision", {}).get("encoders", {})
        if str(size) not in encoders:
            raise BundleError(
                f"bundle {self.root} has no {size}x{size} encoder (it has {', '.join(encoders) or 'none'}); "
                f"export it with --shapes {size}"
            )
        return self.root / encoders[str(size)]["file"]

    def cpu_encoder_file(self, precision: str, size: int) -> Path:
        """The CPU-only graph of `precision` ("fp32", "int8") at `size`, from `vision.cpu_encoders`."""
        graphs = self.manifest.get("vision", {}).get("cpu_encoders", {})
        if str(size) not in graphs.get(precision, {}):
            have = ", ".join(graphs) or "none"
            raise BundleError(
                f"bundle {self.root} has no {precision} CPU encoder at {size}x{size} (CPU precisions: {have}); "
                "use --cpu-precision plain or re-export the bundle"
            )
        return self.root / graphs[precision][str(size)]["file"]

    @property
    def cpu_default(self) -> str:
        """The CPU precision the export chose (fastest that holds accuracy), or "plain" (the static fp32 graph)."""
        return self.manifest.get("vision", {}).get("cpu_default") or "plain"

    def section(self, name: str) -> dict[str, Any]:
        if name not in self.manifest:
            raise BundleError(f"bundle {self.root} has no {name} part; export it with --parts {name}")
        return self.manifest[name]

    def prompt_spec(self) -> PromptSpec:
        p = self.section("prompt")
        return PromptSpec(
            style=p["style"],
            query_num=self.manifest["model"]["query_num"],
            bos_id=p["bos_id"],
            unk_id=p["unk_id"],
            special_tokens=p["special_tokens"],
        )

    @property
    def eos_ids(self) -> tuple[int, ...]:
        return tuple(self.section("prompt")["eos_ids"])
