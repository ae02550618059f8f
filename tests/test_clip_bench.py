"""The pure-python half of benchmarks/encoder_vs_llamacpp_clip.py: what it hands llama.cpp's MiniCPM-V converter.

The converter itself and the llama.cpp worker need the bench venv, so they are not run here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import encoder_vs_llamacpp_clip as clip_bench

from minicpmv_edge.model.synthetic import write_synthetic_checkpoint


def test_surgery_split_matches_the_surgery_script() -> None:
    state = {
        "vpm.embeddings.patch_embedding.weight": torch.ones(4, 3, 14, 14, dtype=torch.bfloat16),
        "resampler.proj": torch.full((8, 8), 24.0, dtype=torch.bfloat16),
        "resampler.query": torch.ones(64, 8, dtype=torch.bfloat16),
        "llm.model.embed_tokens.weight": torch.ones(10, 8),
    }
    clip, projector = clip_bench.surgery_split(state, {"scale_emb": 12.0})
    assert set(clip) == {"embeddings.patch_embedding.weight"}  # the `vpm.` prefix is cut, the LLM is left out
    assert set(projector) == {"resampler.proj", "resampler.query"}
    assert all(t.dtype == torch.float32 for t in [*clip.values(), *projector.values()])
    assert torch.equal(projector["resampler.proj"], torch.full((8, 8), 2.0))  # MiniCPM LLM: divided by scale_emb
    _, unscaled = clip_bench.surgery_split(state, {})  # Qwen2 (2.6): no scale_emb, proj untouched
    assert torch.equal(unscaled["resampler.proj"], torch.full((8, 8), 24.0))


def test_converter_inputs_one_folder_per_image_size(tmp_path: Path) -> None:
    preset = clip_bench.bench_preset("tiny-2.6")
    ckpt = write_synthetic_checkpoint(preset, tmp_path / "ckpt", parts=("vision",))
    folders = clip_bench.converter_inputs(ckpt, tmp_path / "conv", (280, 448))
    assert sorted(folders) == [280, 448]
    for size, folder in folders.items():
        config = json.loads((folder / "config.json").read_text())
        assert config["image_size"] == size  # what llama.cpp writes as clip.vision.image_size (its overview side)
        assert config["vision_config"]["model_type"] == "siglip"  # the converter picks its SigLIP tower by this
    first, second = (folders[s] / "minicpmv.clip" for s in (280, 448))
    assert first.stat().st_ino == second.stat().st_ino  # written once, hard-linked
    clip = torch.load(first, weights_only=True)
    assert len(clip) == 3 + 16 * preset.vision.num_layers + 2 and not any(k.startswith("vpm.") for k in clip)
    projector = torch.load(folders[280] / "minicpmv.projector", weights_only=True)
    assert all(k.startswith("resampler.") for k in projector) and "resampler.proj" in projector


def test_releases_llamacpp_cannot_run_are_refused() -> None:
    with pytest.raises(SystemExit, match=r"refuses clip\.minicpmv_version 1"):
        clip_bench.bench_preset("minicpm-v-2")
    assert clip_bench.bench_preset("minicpm-v-2_6").version == "2.6"
