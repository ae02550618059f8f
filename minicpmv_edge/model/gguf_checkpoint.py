"""llama.cpp's MiniCPM-V GGUF files (mmproj + LLM) as a checkpoint: the same in-memory weights as the HF loader.

`--model` names the family (prompt style, special ids, GELU flavour, position rule); every width, depth, head count,
position grid and vocabulary size is read from the files' metadata and tensor shapes, the way llama.cpp reads them,
so a fine-tune or a reduced-width model of a known family exports too (`gguf_preset`). The weights come out under
our module names (see `hf_names`), so the export code after loading is the HF path's, unchanged.
Layout facts (names, transposes, permutations, Q4_0 blocks) live in `gguf_layout`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from minicpmv_edge.errors import CheckpointError
from minicpmv_edge.export.decoder_onnx import PackedInt4
from minicpmv_edge.model.checkpoint import tensor_mismatch
from minicpmv_edge.model.encoder import VisionEncoder
from minicpmv_edge.model.gguf_file import GgufFile
from minicpmv_edge.model.gguf_layout import (
    LLM_ARCH_OF_FAMILY,
    MMPROJ_IGNORED,
    Q4_0_BLOCK,
    ROPE_PERMUTED_ARCHS,
    VERSION_OF_MINICPMV,
    ffn_names,
    llm_names,
    q4_0_to_matmulnbits,
    resampler_names,
    rope_unpermute_rows,
    vision_tower_names,
)
from minicpmv_edge.presets import ModelPreset

log = logging.getLogger(__name__)

_BLOCK = re.compile(r"v\.blk\.(\d+)\.")


def minicpmv_version(mmproj: GgufFile) -> str:
    """The release an mmproj was converted from (`clip.minicpmv_version`), or a one-line refusal."""
    arch = mmproj.get("general.architecture", None)
    projector = mmproj.get("clip.projector_type", None)
    if arch != "clip" or projector != "resampler" or "clip.minicpmv_version" not in mmproj.fields:
        raise CheckpointError(
            f"{mmproj.path} is not a MiniCPM-V mmproj (architecture {arch!r}, projector {projector!r}, "
            "no clip.minicpmv_version)"
        )
    number = mmproj.get("clip.minicpmv_version")
    if number not in VERSION_OF_MINICPMV:
        raise CheckpointError(
            f"{mmproj.path} has clip.minicpmv_version {number}; supported: "
            + ", ".join(f"{k} (MiniCPM-V {v})" for k, v in VERSION_OF_MINICPMV.items())
        )
    return VERSION_OF_MINICPMV[number]


def _snap(value: float, family_value: float | None) -> float:
    """GGUF stores floats as float32: keep the family's exact value when the file's rounds to it."""
    if family_value is not None and math.isclose(value, family_value, rel_tol=1e-6):
        return family_value
    return value


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise CheckpointError(message)


def _vision_dims(family: ModelPreset, mmproj: GgufFile) -> ModelPreset:
    """The family preset with the tower and resampler dims of the mmproj (metadata cross-checked with shapes)."""
    where = mmproj.path
    patch = mmproj.tensor("v.patch_embd.weight").shape
    _check(len(patch) == 4 and patch[1] == 3 and patch[2] == patch[3], f"{where}: v.patch_embd.weight is {patch}")
    hidden, patch_size = patch[0], patch[2]
    for key, value in (("clip.vision.embedding_length", hidden), ("clip.vision.patch_size", patch_size)):
        _check(mmproj.get(key, value) == value, f"{where}: {key}={mmproj.get(key)} but the tensors say {value}")
    layers = int(mmproj.get("clip.vision.block_count"))
    present = {int(m.group(1)) for n in mmproj.tensors if (m := _BLOCK.match(n))}
    _check(
        present == set(range(layers)),
        f"{where}: clip.vision.block_count={layers} but the file has blocks {sorted(present)[:3]}..",
    )
    heads = int(mmproj.get("clip.vision.attention.head_count"))
    _check(heads > 0 and hidden % heads == 0, f"{where}: {heads} heads do not divide the width {hidden}")
    fc = ffn_names(0, hidden, mmproj.tensor("v.blk.0.ffn_down.weight").shape)
    ff = mmproj.tensor(fc["vision.blocks.0.mlp.fc1.weight"]).shape[0]
    stated_ff = int(mmproj.get("clip.vision.feed_forward_length", 0))
    _check(stated_ff in (0, ff), f"{where}: clip.vision.feed_forward_length={stated_ff} but the tensors say {ff}")
    positions = mmproj.tensor("v.position_embd.weight").shape
    rows = positions[-2] if len(positions) >= 2 else 0
    grid = math.isqrt(rows)
    _check(rows > 0 and grid * grid == rows, f"{where}: v.position_embd.weight is {positions}, not a square grid")
    query = mmproj.tensor("resampler.query").shape
    queries, embed_dim = query
    stated_q = int(mmproj.get("clip.minicpmv_query_num", 0))
    _check(stated_q in (0, queries), f"{where}: clip.minicpmv_query_num={stated_q} but resampler.query has {queries}")
    _check(embed_dim % family.resampler.head_dim == 0, f"{where}: resampler width {embed_dim} is not a multiple of 128")
    dropped = family.vision.config_layers - family.vision.num_layers
    vision = replace(
        family.vision,
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=ff,
        pos_grid=grid,
        patch_size=patch_size,
        config_layers=layers + dropped,
        layer_norm_eps=_snap(
            float(mmproj.get("clip.vision.attention.layer_norm_epsilon", family.vision.layer_norm_eps)),
            family.vision.layer_norm_eps,
        ),
    )
    resampler = replace(family.resampler, query_num=queries, embed_dim=embed_dim, kv_dim=hidden)
    mean = tuple(float(x) for x in mmproj.get("clip.vision.image_mean", family.image_mean))
    std = tuple(float(x) for x in mmproj.get("clip.vision.image_std", family.image_std))
    return replace(family, vision=vision, resampler=resampler, image_mean=mean, image_std=std)


def _llm_dims(family: ModelPreset, llm: GgufFile) -> ModelPreset:
    """The preset with the LLM dims of the LLM GGUF; MiniCPM scales fall back to the family's when absent
    (older llama.cpp builds hard-coded them)."""
    where = llm.path
    arch = llm.get("general.architecture")
    expected = LLM_ARCH_OF_FAMILY[family.llm.arch]
    _check(arch == expected, f"{where} is a {arch!r} LLM; {family.name} needs a {expected!r} one")
    embd = llm.tensor("token_embd.weight").shape
    vocab, hidden = embd
    heads = int(llm.get(f"{arch}.attention.head_count"))
    layers = int(llm.get(f"{arch}.block_count"))
    _check(llm.get(f"{arch}.embedding_length", hidden) == hidden, f"{where}: embedding_length disagrees with tensors")
    _check(heads > 0 and hidden % heads == 0, f"{where}: {heads} heads do not divide the width {hidden}")
    rope_dims = int(llm.get(f"{arch}.rope.dimension_count", hidden // heads))
    _check(rope_dims == hidden // heads, f"{where}: partial RoPE ({rope_dims} of {hidden // heads} dims) unsupported")
    fields: dict[str, Any] = {
        "hidden_size": hidden,
        "num_layers": layers,
        "num_heads": heads,
        "num_kv_heads": int(llm.get(f"{arch}.attention.head_count_kv", heads)),
        "intermediate_size": llm.tensor("blk.0.ffn_gate.weight").shape[0],
        "vocab_size": vocab,
        "max_position_embeddings": int(llm.get(f"{arch}.context_length", family.llm.max_position_embeddings)),
        "rms_norm_eps": _snap(
            float(llm.get(f"{arch}.attention.layer_norm_rms_epsilon", family.llm.rms_norm_eps)), family.llm.rms_norm_eps
        ),
        "rope_theta": _snap(float(llm.get(f"{arch}.rope.freq_base", 10000.0)), family.llm.rope_theta),
        "attention_bias": "blk.0.attn_q.bias" in llm.tensors,
    }
    if family.llm.arch == "minicpm":
        fam = family.llm
        fields["scale_emb"] = _snap(float(llm.get("minicpm.embedding_scale", fam.scale_emb)), fam.scale_emb)
        residual = llm.get("minicpm.residual_scale", None)
        depth = float(residual) * math.sqrt(layers) if residual is not None else fam.scale_depth
        fields["scale_depth"] = _snap(depth, fam.scale_depth)
        logit = llm.get("minicpm.logit_scale", None)
        base = hidden / float(logit) if logit is not None else fam.dim_model_base
        fields["dim_model_base"] = round(base) if base is not None and math.isclose(base, round(base)) else base
    return replace(family, llm=replace(family.llm, **fields))


def gguf_preset(family: ModelPreset, mmproj: GgufFile, llm: GgufFile | None) -> ModelPreset:
    """The preset the files describe: `family`'s behaviour with the files' dims.

    Named after the family when every dim matches it, else `<family>-gguf` so reports never compare a reduced
    model with the family's reference figures.
    """
    version = minicpmv_version(mmproj)
    _check(
        version == family.version,
        f"{mmproj.path} is a MiniCPM-V {version} mmproj; --model {family.name} is MiniCPM-V {family.version}",
    )
    preset = _vision_dims(family, mmproj)
    if llm is not None:
        preset = _llm_dims(preset, llm)
        _check(
            preset.llm.hidden_size == preset.resampler.embed_dim,
            f"{llm.path} (width {preset.llm.hidden_size}) does not belong to {mmproj.path} "
            f"(resampler width {preset.resampler.embed_dim})",
        )
    else:
        preset = replace(preset, llm=replace(preset.llm, hidden_size=preset.resampler.embed_dim))
    same = replace(preset, name=family.name) == family
    return preset if same else replace(preset, name=f"{family.name}-gguf")


def _exact_tensor_set(file: GgufFile, expected: set[str], ignored: tuple[str, ...], what: str) -> None:
    missing = sorted(expected - file.tensors.keys())
    unexpected = sorted(file.tensors.keys() - expected - set(ignored))
    if missing or unexpected:
        raise CheckpointError(f"{file.path} is not a {what}: {tensor_mismatch(missing, unexpected)}")


def vision_state(preset: ModelPreset, mmproj: GgufFile, scale_emb: float) -> dict[str, torch.Tensor]:
    """Every vision-encoder parameter, float32, under our names (what `hf_names.vision_rules` yields from HF).

    `scale_emb`: the LLM's embedding scale that llama.cpp's surgery divided `resampler.proj` by (MiniCPM only;
    1 for the other families).
    """
    vis, res = preset.vision, preset.resampler
    names = dict(vision_tower_names(vis.num_layers))
    for i in range(vis.num_layers):
        fc = ffn_names(i, vis.hidden_size, mmproj.tensor(f"v.blk.{i}.ffn_down.weight").shape)
        names |= {theirs: ours for ours, theirs in fc.items()}
    names |= dict(resampler_names(res.query_pos, res.kv_dim != res.embed_dim))
    _exact_tensor_set(mmproj, set(names) | {"resampler.proj.weight"}, MMPROJ_IGNORED, f"{preset.name} mmproj")
    state = {ours: torch.from_numpy(np.array(mmproj.float32(theirs))) for theirs, ours in names.items()}
    state["vision.pos_table"] = state["vision.pos_table"].reshape(vis.pos_grid**2, vis.hidden_size)
    proj = mmproj.float32("resampler.proj.weight").T * np.float32(scale_emb)
    state["resampler.proj"] = torch.from_numpy(np.ascontiguousarray(proj))
    return state


class GgufLLMWeights(Mapping[str, Any]):
    """The LLM's tensors under our names, read one at a time (like `LazyWeights`), in HF layout.

    2-D Q4_0 weights come back as `PackedInt4` (blocks carried over bit for bit); every other type is dequantized
    with the `gguf` package to float32 `[out, in]`, q/k rows un-permuted for llama/minicpm. `source_type(name)`
    says what the file stored, for the export report.
    """

    def __init__(self, preset: ModelPreset, llm: GgufFile) -> None:
        cfg = preset.llm
        self._file = llm
        self._arch = LLM_ARCH_OF_FAMILY[cfg.arch]
        tied = "output.weight" not in llm.tensors
        self._names = {ours: theirs for theirs, ours in llm_names(cfg.num_layers, cfg.attention_bias, tied)}
        _exact_tensor_set(llm, set(self._names.values()), ("rope_freqs.weight",), f"{preset.name} LLM")
        self._heads = {"q": cfg.num_heads, "k": cfg.num_kv_heads}
        self.tied = tied

    def source_type(self, name: str) -> str:
        return self._file.tensor(self._names[name]).type_name

    def _rope_heads(self, name: str) -> int | None:
        if self._arch not in ROPE_PERMUTED_ARCHS:
            return None
        for proj, heads in self._heads.items():
            if name.endswith(f".attn.{proj}.weight") or name.endswith(f".attn.{proj}.bias"):
                return heads
        return None

    def __getitem__(self, name: str) -> Any:
        theirs = self._names[name]
        tensor = self._file.tensor(theirs)
        heads = self._rope_heads(name)
        order = rope_unpermute_rows(tensor.shape[0], heads) if heads is not None else None
        if tensor.type_name == "Q4_0" and len(tensor.shape) == 2 and name != "llm.embedding.weight":
            n, k = tensor.shape
            packed, scales = q4_0_to_matmulnbits(tensor.raw, n, k)
            if order is not None:
                packed, scales = packed[order], scales[order]
            return PackedInt4(packed, scales, k, Q4_0_BLOCK, "Q4_0")
        values = self._file.float32(theirs)
        return values[order] if order is not None else values

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class GgufCheckpoint:
    """An mmproj GGUF and optionally an LLM GGUF of one MiniCPM-V family, opened and checked together."""

    def __init__(self, family: ModelPreset, mmproj: str | Path, llm: str | Path | None = None) -> None:
        self.mmproj = GgufFile(mmproj)
        self.llm = GgufFile(llm) if llm is not None else None
        self.preset = gguf_preset(family, self.mmproj, self.llm)
        log.info("GGUF files describe %s (family %s)", self.preset.name, family.name)

    @property
    def image_scale_divided(self) -> float:
        """The factor llama.cpp's surgery divided `resampler.proj` by: MiniCPM's scale_emb, else 1."""
        return self.preset.llm.scale_emb if self.preset.llm.arch == "minicpm" else 1.0

    def load_vision_encoder(self) -> VisionEncoder:
        """The fp32 reference encoder with the mmproj's weights, eval mode (strict, like `load_vision_encoder`)."""
        model = VisionEncoder(self.preset)
        model.load_state_dict(vision_state(self.preset, self.mmproj, self.image_scale_divided), strict=True)
        return model.eval()

    def llm_weights(self) -> GgufLLMWeights:
        if self.llm is None:
            raise CheckpointError("exporting the LLM from GGUF needs --gguf-llm FILE")
        return GgufLLMWeights(self.preset, self.llm)
