"""config.json of the official checkpoints: written for synthetic checkpoints, checked when loading any.

One table (`config_fields`) serves both directions, so what the writer claims is exactly what the loader checks.
"""

from __future__ import annotations

from typing import Any

from minicpmv_edge.errors import CheckpointError
from minicpmv_edge.presets import SO400M, ModelPreset, VisionConfig

SYNTHETIC_KEY = "_minicpmv_edge_synthetic"


def is_timm_so400m(vis: VisionConfig) -> bool:
    """Whether 2.0's `vision_encoder: vit_so400m_patch14_siglip_384` names this tower's dims."""
    return all(getattr(vis, key) == value for key, value in SO400M.items())


def config_fields(preset: ModelPreset) -> dict[str, Any]:
    """Dotted config keys -> the value the preset requires. Only dims that change the tensors or the prompt."""
    llm, vis, res = preset.llm, preset.vision, preset.resampler
    fields: dict[str, Any] = {
        "hidden_size": llm.hidden_size,
        "num_hidden_layers": llm.num_layers,
        "num_attention_heads": llm.num_heads,
        "num_key_value_heads": llm.num_kv_heads,
        "intermediate_size": llm.intermediate_size,
        "vocab_size": llm.vocab_size,
        "query_num": res.query_num,
        "drop_vision_last_layer": vis.num_layers < vis.config_layers,
    }
    if vis.naming == "hf" or not is_timm_so400m(vis):  # a timm model name describes only the so400m tower
        fields |= {
            "vision_config.hidden_size": vis.hidden_size,
            "vision_config.num_hidden_layers": vis.config_layers,
            "vision_config.num_attention_heads": vis.num_heads,
            "vision_config.intermediate_size": vis.intermediate_size,
            "vision_config.patch_size": vis.patch_size,
        }
    return fields


def official_config(preset: ModelPreset, *, seed: int, torch_dtype: str = "bfloat16") -> dict[str, Any]:
    """A config.json in the layout of the preset's release, marked as synthetic.

    2.0 keeps its slicing keys at the top level and names its timm tower; 2.5 ("version": "2.5", a string) and
    2.6 ("version": 2.6, a float) carry `slice_config` and an HF `vision_config`. Synthetic small-width towers
    always get a `vision_config`, since no timm name describes them.
    """
    llm = preset.llm
    patch = preset.vision.patch_size
    config: dict[str, Any] = {
        "_name_or_path": preset.hf_name,
        "architectures": ["MiniCPMV"],
        "model_type": "minicpmv",
        "bos_token_id": preset.prompt.bos_id,
        "eos_token_id": preset.prompt.eos_ids[0],
        "hidden_act": "silu",
        "max_position_embeddings": llm.max_position_embeddings,
        "rms_norm_eps": llm.rms_norm_eps,
        "rope_theta": llm.rope_theta,
        "attention_bias": llm.attention_bias,
        "tie_word_embeddings": False,
        "torch_dtype": torch_dtype,
        "image_size": 448,
        "patch_size": patch,
        "slice_mode": True,
        SYNTHETIC_KEY: {"preset": preset.name, "seed": seed},
    }
    if preset.version == "2.0":
        config |= {"scale_resolution": 448, "max_slice_nums": 9, "mm_use_im_start_end": True}
    else:
        config["version"] = "2.5" if preset.version == "2.5" else float(preset.version)
        config["slice_config"] = {"max_slice_nums": 9, "patch_size": patch, "model_type": "minicpmv"}
    if llm.arch == "minicpm":
        config |= {"scale_emb": llm.scale_emb, "scale_depth": llm.scale_depth, "dim_model_base": llm.dim_model_base}
    if preset.vision.naming == "timm":
        config["vision_encoder"] = "vit_so400m_patch14_siglip_384.webli"
    for key, value in config_fields(preset).items():
        node = config
        *parents, leaf = key.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    if "vision_config" in config:
        config["vision_config"] |= {
            "image_size": preset.vision.pos_grid * patch,
            "model_type": "siglip" if preset.version == "2.6" else "idefics2",
        }
    return config


def check_config(preset: ModelPreset, config: dict[str, Any], where: str) -> None:
    """Fail with one line listing every field where the checkpoint's config disagrees with the preset."""
    wrong = []
    for key, expected in config_fields(preset).items():
        node: Any = config
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None and key.startswith("vision_config.") and "vision_config" not in config:
            continue  # 2.0 names its timm tower instead; tensor shapes are checked at load time
        if node != expected:
            wrong.append(f"{key}={node!r} (expected {expected!r})")
    if wrong:
        raise CheckpointError(f"checkpoint {where} does not match preset {preset.name}: " + ", ".join(wrong))


def is_synthetic(config: dict[str, Any]) -> bool:
    return SYNTHETIC_KEY in config
