import json
import shutil
from pathlib import Path

import pytest
import torch
from conftest import TINY_PRESETS
from safetensors import safe_open
from safetensors.torch import save_file

from minicpmv_edge.errors import CheckpointError
from minicpmv_edge.model.checkpoint import INDEX_NAME, load_vision_encoder, load_weights, open_checkpoint
from minicpmv_edge.model.hf_names import vision_rules
from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
from minicpmv_edge.presets import MINICPM_LLAMA3_V_2_5, MINICPM_V_2, MINICPM_V_2_6, TINY


def test_official_tensor_counts() -> None:
    """vpm.* + resampler.* counts in the real releases' model.safetensors.index.json weight maps."""
    assert len(vision_rules(MINICPM_V_2)) == 331  # 26 timm blocks, plus resampler.pos_embed
    assert len(vision_rules(MINICPM_LLAMA3_V_2_5)) == 450  # 27 HF layers
    assert len(vision_rules(MINICPM_V_2_6)) == 450
    names = {r.official for r in vision_rules(MINICPM_V_2)}
    assert {"vpm.pos_embed", "vpm.blocks.25.attn.qkv.weight", "resampler.pos_embed"} <= names
    assert "vpm.blocks.26.attn.qkv.weight" not in names  # drop_vision_last_layer


def test_round_trip_is_exact(tiny_checkpoint: Path) -> None:
    ckpt = open_checkpoint(tiny_checkpoint)
    assert ckpt.synthetic
    assert len({p.name for p in ckpt.files.values()}) > 1  # really sharded
    ours = load_weights(ckpt, TINY, ("vision",))
    for rule in vision_rules(TINY):
        with safe_open(ckpt.files[rule.official], framework="pt") as f:
            stored = f.get_tensor(rule.official)
        assert torch.equal(rule.to_official(ours), stored.float()), rule.official


@pytest.mark.parametrize("name", list(TINY_PRESETS))
def test_every_version_loads_strictly(tmp_path: Path, name: str) -> None:
    preset = TINY_PRESETS[name]
    path = write_synthetic_checkpoint(preset, tmp_path / name, parts=("vision",))
    model = load_vision_encoder(open_checkpoint(path), preset)
    out = model(torch.zeros(1, 3, 280, 280))
    assert out.shape == preset.output_shape


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _rewrite_shard(path: Path, edit) -> None:
    index = json.loads((path / INDEX_NAME).read_text())
    shard = path / sorted(set(index["weight_map"].values()))[0]
    with safe_open(shard, framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
    edit(tensors)
    save_file(tensors, shard)
    index["weight_map"] = {k: v for k, v in index["weight_map"].items() if v != shard.name}
    index["weight_map"] |= dict.fromkeys(tensors, shard.name)
    (path / INDEX_NAME).write_text(json.dumps(index))


def test_missing_and_unexpected_tensors_are_listed(tmp_path: Path, tiny_checkpoint: Path) -> None:
    path = _copy(tiny_checkpoint, tmp_path / "broken")

    def edit(tensors: dict) -> None:
        tensors.pop("vpm.patch_embed.proj.bias")
        tensors["vpm.blocks.0.attn.q_norm.weight"] = torch.zeros(4)
        tensors["extra_head.weight"] = torch.zeros(4)

    _rewrite_shard(path, edit)
    with pytest.raises(CheckpointError) as err:
        load_weights(open_checkpoint(path), TINY, ("vision",))
    msg = str(err.value)
    assert "\n" not in msg
    assert "1 missing tensors (vpm.patch_embed.proj.bias)" in msg
    assert "vpm.blocks.0.attn.q_norm.weight" in msg and "extra_head.weight" in msg


def test_wrong_shape_is_named(tmp_path: Path, tiny_checkpoint: Path) -> None:
    path = _copy(tiny_checkpoint, tmp_path / "shape")
    _rewrite_shard(path, lambda t: t.update({"vpm.patch_embed.proj.bias": torch.zeros(7)}))
    with pytest.raises(CheckpointError, match=r"vpm.patch_embed.proj.bias .* has shape \(7,\)"):
        load_weights(open_checkpoint(path), TINY, ("vision",))


def test_wrong_version_config_is_refused(tiny_checkpoint: Path) -> None:
    with pytest.raises(CheckpointError, match="does not match preset minicpm-v-2_6: hidden_size=256"):
        load_weights(open_checkpoint(tiny_checkpoint), MINICPM_V_2_6, ("vision",))


def test_directory_errors(tmp_path: Path, tiny_checkpoint: Path) -> None:
    with pytest.raises(CheckpointError, match="does not exist"):
        open_checkpoint(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match=r"no config\.json"):
        open_checkpoint(tmp_path / "empty")
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    shutil.copy(tiny_checkpoint / "config.json", pickled)
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04not really")
    with pytest.raises(CheckpointError, match="never unpickled"):
        open_checkpoint(pickled)
    lost = _copy(tiny_checkpoint, tmp_path / "lost")
    next(lost.glob("model-00002-*.safetensors")).unlink()
    with pytest.raises(CheckpointError, match="shard files that are missing"):
        open_checkpoint(lost)
    garbled = _copy(tiny_checkpoint, tmp_path / "garbled")
    (garbled / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        open_checkpoint(garbled)


def test_unsharded_checkpoint_without_index(tmp_path: Path) -> None:
    path = write_synthetic_checkpoint(TINY, tmp_path / "single")
    (path / INDEX_NAME).unlink()
    assert len(open_checkpoint(path).files) == len(vision_rules(TINY))
