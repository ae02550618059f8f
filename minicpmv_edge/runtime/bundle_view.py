"""A bundle as the runtime sees it: the verified, typed manifest plus paths. No torch, no export code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from minicpmv_edge.bundle import open_verified
from minicpmv_edge.errors import BundleError
from minicpmv_edge.manifest import Build, Llm, Manifest
from minicpmv_edge.runtime.prompts import PromptSpec

# which build of a chip runs when `--precision` is not given: the most accurate quantized one first
PRECISION_PREFERENCE = ("w8a16", "u16", "fp16", "w8a8", "u8", "fp32")


@dataclass(frozen=True)
class Bundle:
    root: Path
    manifest: Manifest

    @classmethod
    def open(cls, path: str | Path, *, verify: bool = True) -> Bundle:
        """Read and validate the manifest, confine every path it names to the bundle and (by default) check every
        listed file's size and sha256 before anything loads."""
        root = Path(path)
        return cls(root, open_verified(root, verify=verify))

    @property
    def synthetic(self) -> bool:
        return self.manifest.model.synthetic

    @property
    def preset(self) -> str:
        return self.manifest.model.preset

    def path(self, rel: str) -> Path:
        """A bundle-relative path from the manifest (confined and hashed when the bundle was opened)."""
        return self.root / rel

    def encoder_sizes(self) -> tuple[int, ...]:
        return tuple(sorted(self.manifest.vision.encoders)) if self.manifest.vision else ()

    def encoder_file(self, size: int) -> Path:
        sizes = self.encoder_sizes()
        if size not in sizes:
            have = ", ".join(map(str, sizes)) or "none"
            raise BundleError(
                f"bundle {self.root} has no {size}x{size} encoder (it has {have}); export it with --shapes {size}"
            )
        return self.path(self.manifest.vision.encoders[size].file)

    def cpu_encoder_file(self, precision: str, size: int) -> Path:
        """The CPU-only graph of `precision` ("fp32", "int8") at `size`, from `vision.cpu_encoders`."""
        graphs = self.manifest.vision.cpu_encoders if self.manifest.vision else {}
        if size not in graphs.get(precision, {}):
            have = ", ".join(graphs) or "none"
            raise BundleError(
                f"bundle {self.root} has no {precision} CPU encoder at {size}x{size} (CPU precisions: {have}); "
                "use --precision plain or re-export the bundle"
            )
        return self.path(graphs[precision][size].file)

    @property
    def llm(self) -> Llm:
        if self.manifest.llm is None:
            raise BundleError(f"bundle {self.root} has no llm part; export it with --parts llm")
        return self.manifest.llm

    @property
    def tokenizer_file(self) -> Path:
        self.llm  # noqa: B018 -- the tokenizer comes with the llm part; same one-line error when it is missing
        return self.path(self.manifest.tokenizer.file)

    def prompt_spec(self) -> PromptSpec:
        self.llm  # noqa: B018
        p = self.manifest.prompt
        return PromptSpec(
            style=p.style,
            query_num=self.manifest.model.query_num,
            bos_id=p.bos_id,
            unk_id=p.unk_id,
            special_tokens=p.special_tokens,
        )

    @property
    def eos_ids(self) -> tuple[int, ...]:
        self.llm  # noqa: B018
        return self.manifest.prompt.eos_ids

    def build_for(self, chip: str, precision: str | None = None) -> Build:
        """The compiled build for `chip` (and `precision`): runnable ones first, then by PRECISION_PREFERENCE."""
        builds = [b for b in self.manifest.compiled.values() if b.chip == chip]
        if precision:
            builds = [b for b in builds if b.precision == precision.lower()]
        if not builds:
            at = f" at {precision}" if precision else ""
            have = ", ".join(sorted(self.manifest.compiled)) or "none"
            flag = f" --precision {precision.lower()}" if precision else ""
            raise BundleError(
                f"bundle {self.root} has no build for {chip}{at} (builds: {have}); run `minicpmv-edge compile "
                f"{self.root} --target {chip}{flag}` first"
            )

        def rank(b: Build) -> tuple[bool, int, str]:
            order = PRECISION_PREFERENCE.index(b.precision) if b.precision in PRECISION_PREFERENCE else 99
            return (b.runtime is None, order, b.name)

        return min(builds, key=rank)
