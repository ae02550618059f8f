"""Where an export reads its weights from: an HF checkpoint directory or llama.cpp's GGUF files.

Both give the exporter the same things (the preset the weights have, the fp32 vision encoder, the LLM weights under
our names, the tokenizer), so everything after loading is one code path (`export.pipeline`).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minicpmv_edge.bundle import sha256_file
from minicpmv_edge.export.tokenizer import write_tokenizer
from minicpmv_edge.model.checkpoint import Checkpoint, LazyWeights, load_vision_encoder
from minicpmv_edge.model.encoder import VisionEncoder
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

GGUF_LLM_FILE = "model.gguf"  # the LLM GGUF's name inside the bundle's llm/ folder
SYNTHETIC_GGUF_KEY = "minicpmv_edge.synthetic"  # set by our test writer, like config.json's synthetic marker


@dataclass
class HfSource:
    """An HF checkpoint directory (or a synthetic one written in that format)."""

    ckpt: Checkpoint
    preset: ModelPreset
    description: dict[str, Any]
    measure_llm_error: bool = False

    @property
    def synthetic(self) -> bool:
        return self.ckpt.synthetic

    def vision_encoder(self) -> VisionEncoder:
        log.info("loading the %s vision encoder from %s", self.preset.name, self.ckpt.path)
        return load_vision_encoder(self.ckpt, self.preset)

    def llm_weights(self) -> Mapping[str, Any]:
        return LazyWeights(self.ckpt, self.preset, ("llm",))

    def write_tokenizer(self, out_dir: Path) -> dict[str, Any]:
        return write_tokenizer(self.preset, None if self.synthetic else self.ckpt.path, out_dir)

    def keep_llm_files(self, llm_dir: Path) -> dict[str, Any]:
        return {}


def _file_source(path: Path) -> dict[str, Any]:
    return {"file": str(path), "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def _link_or_copy(src: Path, dst: Path) -> None:
    """A hard link when the bundle is on the same file system (no second copy of a multi-GB file), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


class GgufSource:
    """llama.cpp's mmproj GGUF (+ optional LLM GGUF) of one family; `preset` carries the files' dims."""

    measure_llm_error = True  # re-quantized tensors report their error against the GGUF's weights

    def __init__(self, family: ModelPreset, mmproj: Path, llm: Path | None) -> None:
        from minicpmv_edge.model.gguf_checkpoint import GgufCheckpoint

        self.gguf = GgufCheckpoint(family, mmproj, llm)
        self.preset = self.gguf.preset
        self._tokenizer = None
        if self.gguf.llm is not None:  # rebuilt and checked now: a vocabulary we cannot take fails before any work
            from minicpmv_edge.export.gguf_tokenizer import checked_tokenizer

            self._tokenizer = checked_tokenizer(self.preset, self.gguf.llm)
        log.info("hashing the source GGUF files")
        self.description: dict[str, Any] = {"format": "gguf", "gguf_mmproj": _file_source(Path(mmproj))}
        if llm is not None:
            self.description["gguf_llm"] = _file_source(Path(llm))
        files = [self.gguf.mmproj, *([self.gguf.llm] if self.gguf.llm else [])]
        self.synthetic = all(bool(f.get(SYNTHETIC_GGUF_KEY, False)) for f in files)

    def vision_encoder(self) -> VisionEncoder:
        log.info("loading the %s vision encoder from %s", self.preset.name, self.gguf.mmproj.path)
        return self.gguf.load_vision_encoder()

    def llm_weights(self) -> Mapping[str, Any]:
        return self.gguf.llm_weights()

    def write_tokenizer(self, out_dir: Path) -> dict[str, Any]:
        from minicpmv_edge.export.gguf_tokenizer import write_gguf_tokenizer

        assert self.gguf.llm is not None and self._tokenizer is not None  # asked for only with the LLM part
        return write_gguf_tokenizer(self._tokenizer, self.preset, self.gguf.llm, out_dir)

    def keep_llm_files(self, llm_dir: Path) -> dict[str, Any]:
        """Keep the LLM GGUF inside the bundle for `--decoder llamacpp`; -> the manifest's `llm.gguf` entry."""
        llm = self.gguf.llm
        assert llm is not None
        _link_or_copy(llm.path, llm_dir / GGUF_LLM_FILE)
        weights = self.gguf.llm_weights()
        types = sorted({weights.source_type(name) for name in weights})
        return {
            "gguf": {
                "file": GGUF_LLM_FILE,
                "architecture": llm.get("general.architecture"),
                "tensor_types": types,
                # llama.cpp multiplies every input embedding by MiniCPM's scale_emb: image rows are divided first
                "image_embedding_divisor": self.gguf.image_scale_divided,
            }
        }
