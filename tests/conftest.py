"""Shared fixtures: tiny synthetic checkpoints and bundles, built once per session (real files, no network)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from minicpmv_edge.presets import MINICPM_LLAMA3_V_2_5, MINICPM_V_2_6, TINY, ModelPreset


def tiny_variant(base: ModelPreset, name: str) -> ModelPreset:
    """A version's real architecture (positions, GELU, naming, query pos) at the tiny preset's widths."""
    return replace(
        base,
        name=name,
        hf_name=f"synthetic/{name}",
        vision=replace(base.vision, hidden_size=128, num_heads=4, intermediate_size=478, num_layers=2, config_layers=2),
        resampler=replace(base.resampler, embed_dim=256, kv_dim=128),
        llm=TINY.llm,
    )


TINY_25 = tiny_variant(MINICPM_LLAMA3_V_2_5, "tiny-2.5")
TINY_26 = tiny_variant(MINICPM_V_2_6, "tiny-2.6")
TINY_PRESETS = {p.name: p for p in (TINY, TINY_25, TINY_26)}


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint

    # small shards so the sharded-index path is exercised
    return write_synthetic_checkpoint(
        TINY, tmp_path_factory.mktemp("ckpt") / "tiny", parts=("vision", "llm"), shard_bytes=300_000
    )


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory, tiny_checkpoint: Path) -> Path:
    from minicpmv_edge.export.pipeline import ExportRequest, export_bundle

    out = tmp_path_factory.mktemp("bundles") / "tiny"
    export_bundle(ExportRequest(preset=TINY, out=out, shapes=(280, 448), checkpoint=tiny_checkpoint))
    return out
