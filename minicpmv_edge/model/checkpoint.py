"""Strict loading of HF MiniCPM-V checkpoint directories (config.json + one or sharded *.safetensors).

Only safetensors are read: a directory with pickled `*.bin` weights is refused, never unpickled.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open

from minicpmv_edge.errors import CheckpointError
from minicpmv_edge.model.encoder import VisionEncoder
from minicpmv_edge.model.hf_config import check_config, is_synthetic
from minicpmv_edge.model.hf_names import PART_PREFIXES, TensorRule, rules_for
from minicpmv_edge.presets import ModelPreset
from minicpmv_edge.safe_json import load_json_file
from minicpmv_edge.userfiles import regular_file

log = logging.getLogger(__name__)

INDEX_NAME = "model.safetensors.index.json"
_MAX_LISTED = 8
MAX_JSON_BYTES = 64 << 20  # config.json and the shard index are a few hundred KB in the real releases


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    config: dict[str, Any]
    files: dict[str, Path]  # official tensor name -> the shard holding it

    @property
    def synthetic(self) -> bool:
        return is_synthetic(self.config)


def _read_json(path: Path) -> Any:
    return load_json_file(path, max_bytes=MAX_JSON_BYTES, what="checkpoint file", error=CheckpointError)


def _shard_path(root: Path, index: Path, shard: Any) -> Path:
    """A shard named by the index, which must be a plain file name inside the checkpoint directory."""
    if not isinstance(shard, str) or not shard or shard.startswith("/") or "\\" in shard or ".." in Path(shard).parts:
        raise CheckpointError(f"{index} names shard {shard!r}, which is not a file inside {root}")
    path = root / shard
    if not path.resolve().is_relative_to(root.resolve()):
        raise CheckpointError(f"{index} names shard {shard!r}, which leads outside {root}")
    return path


@contextmanager
def _open_shard(shard: Path) -> Iterator[Any]:
    """`safe_open` of a regular file; a truncated or corrupt shard (header or data) is one CheckpointError line."""
    regular_file(shard, "checkpoint shard", CheckpointError)  # a FIFO named *.safetensors would block safe_open
    try:
        with safe_open(shard, framework="pt") as f:
            yield f
    except (OSError, SafetensorError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise CheckpointError(f"{shard} is not a readable safetensors file: {first}") from None


def _tensor_names(shard: Path) -> list[str]:
    with _open_shard(shard) as f:
        return list(f.keys())


def open_checkpoint(path: str | Path) -> Checkpoint:
    """Index a checkpoint directory: its config and which shard holds each tensor. Reads no tensor data."""
    root = Path(path)
    if not root.is_dir():
        raise CheckpointError(f"checkpoint directory {root} does not exist")
    if not (root / "config.json").is_file():
        raise CheckpointError(f"checkpoint directory {root} has no config.json")
    config = _read_json(root / "config.json")
    if not isinstance(config, dict):
        raise CheckpointError(f"{root / 'config.json'} is not a JSON object")
    index = root / INDEX_NAME
    if index.is_file():
        weight_map = _read_json(index).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise CheckpointError(f"{index} has no weight_map")
        files = {name: _shard_path(root, index, shard) for name, shard in weight_map.items()}
        missing = sorted({str(p.name) for p in files.values() if not p.is_file()})
        if missing:
            raise CheckpointError(f"{index} names shard files that are missing: {', '.join(missing)}")
    else:
        shards = sorted(root.glob("*.safetensors"))
        if not shards:
            pickled = sorted(p.name for p in root.glob("*.bin"))
            hint = (
                f" (found pickled {', '.join(pickled)}: convert them to safetensors; they are never unpickled)"
                if pickled
                else ""
            )
            raise CheckpointError(f"checkpoint directory {root} has no *.safetensors weights{hint}")
        files = {name: shard for shard in shards for name in _tensor_names(shard)}
    return Checkpoint(root, config, files)


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    return shown + (f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else "")


def tensor_mismatch(missing: list[str], unexpected: list[str]) -> str:
    """`N missing tensors (...); M unexpected tensors (...)`: the one wording of a tensor-set mismatch."""
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing tensors ({_listing(missing)})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected tensors ({_listing(unexpected)})")
    return "; ".join(problems)


def checked_rules(ckpt: Checkpoint, preset: ModelPreset, parts: tuple[str, ...]) -> list[TensorRule]:
    """The rules for `parts`, after checking the checkpoint's config and tensor names strictly (no data read).

    Every tensor the preset needs must be present, and every checkpoint tensor under the requested parts'
    prefixes (or under no known prefix at all) must be one the preset knows; shapes are checked when read.
    """
    check_config(preset, ckpt.config, str(ckpt.path))
    rules = rules_for(preset, parts)
    known = {rule.official for rule in rules}
    prefixes = tuple(p for part in parts for p in PART_PREFIXES[part])
    all_prefixes = tuple(p for group in PART_PREFIXES.values() for p in group)
    missing = sorted(known - ckpt.files.keys())
    unexpected = sorted(
        name
        for name in ckpt.files
        if name not in known and (name.startswith(prefixes) or not name.startswith(all_prefixes))
    )
    if missing or unexpected:
        raise CheckpointError(
            f"checkpoint {ckpt.path} does not fit {preset.name}: {tensor_mismatch(missing, unexpected)}"
        )
    return rules


def _read(f: Any, rule: TensorRule, shard: Path, preset: ModelPreset) -> dict[str, torch.Tensor]:
    """One official tensor from an open shard, shape-checked, as float32 tensors under our name(s)."""
    tensor = f.get_tensor(rule.official)
    if not tensor.is_floating_point():  # an int or bool tensor under a weight's name is a wrong checkpoint, not a cast
        raise CheckpointError(
            f"tensor {rule.official} in {shard} has dtype {str(tensor.dtype).removeprefix('torch.')}, "
            "a weight must be floating point (float32, float16 or bfloat16)"
        )
    if tuple(tensor.shape) != rule.shape:
        raise CheckpointError(
            f"tensor {rule.official} in {shard} has shape {tuple(tensor.shape)}, {preset.name} needs {rule.shape}"
        )
    return rule.to_ours(tensor.float())


def load_weights(ckpt: Checkpoint, preset: ModelPreset, parts: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """Read the requested parts as float32 tensors under our module names (strict, see `checked_rules`)."""
    rules = checked_rules(ckpt, preset, parts)
    state: dict[str, torch.Tensor] = {}
    by_file: dict[Path, list] = {}
    for rule in rules:
        by_file.setdefault(ckpt.files[rule.official], []).append(rule)
    for shard, shard_rules in by_file.items():
        log.info("reading %d tensors from %s", len(shard_rules), shard.name)
        with _open_shard(shard) as f:
            for rule in shard_rules:
                state.update(_read(f, rule, shard, preset))
    return state


class LazyWeights(Mapping[str, torch.Tensor]):
    """`load_weights` without holding the weights: our name -> float32 tensor, read from its shard on each access.

    For full-size LLMs (the 2.0 LLM is 3.0 B parameters, 12 GB in fp32) an exporter reads one tensor at a time and
    drops it when done, so its peak memory is one tensor, not the model. Names are checked strictly up front
    (same rules and errors as `load_weights`); shapes are checked on read. Nothing is cached: reading a name twice
    reads the file twice.
    """

    def __init__(self, ckpt: Checkpoint, preset: ModelPreset, parts: tuple[str, ...]) -> None:
        self._ckpt = ckpt
        self._preset = preset
        self._rules = {name: rule for rule in checked_rules(ckpt, preset, parts) for name in rule.ours}

    def __getitem__(self, name: str) -> torch.Tensor:
        rule = self._rules[name]
        shard = self._ckpt.files[rule.official]
        with _open_shard(shard) as f:
            return _read(f, rule, shard, self._preset)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


def vision_weight_bytes(preset: ModelPreset) -> int:
    """Bytes the preset's vision part takes as float32 tensors (from the tensor rules; no file is read)."""
    return 4 * sum(math.prod(rule.shape) for rule in rules_for(preset, ("vision",)))


def load_vision_encoder(ckpt: Checkpoint, preset: ModelPreset) -> VisionEncoder:
    """The fp32 reference vision encoder (tower + resampler) with the checkpoint's weights, in eval mode.

    The module is built on the meta device and takes the loaded tensors as its parameters (`assign`): building it
    normally would first allocate and randomly initialise a second full fp32 copy (1.6 GB at full size) only to
    overwrite it. Every parameter is in the checkpoint (strict), so nothing stays on meta.
    """
    checked_rules(ckpt, preset, ("vision",))  # a wrong checkpoint fails before anything is read
    with torch.device("meta"):
        model = VisionEncoder(preset)
    model.load_state_dict(load_weights(ckpt, preset, ("vision",)), strict=True, assign=True)
    return model.eval()
