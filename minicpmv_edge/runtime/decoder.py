"""The int4 ONNX decoder on ONNX Runtime's CPU provider, with an in-place KV cache that grows. No torch.

One `Int4Decoder` holds one conversation's state: a KV buffer per layer and the number of positions filled
(`position`). Each call binds the same OrtValue as `past_*` and `present_*` (IOBinding); GroupQueryAttention sees
the shared buffer and writes only the new positions, so a decode step copies no cache. `seqlens_k = total - 1`
and `total_sequence_length = total` tell it how many positions are valid.

KV memory: 2 x layers x kv_heads x positions x head_dim x 2 bytes (fp16, the export default; 4 for fp32
bundles), see `kv_cache_bytes`. At max_context 2048 that is 755 MB for 2.0 (40 layers, 36 KV heads: MiniCPM has
no GQA), 134 MB for 2.5 and 59 MB for 2.6. Although only `position` rows are ever read, ONNX Runtime (CPU)
makes a whole bound buffer resident on its first run (measured at 2.0 size: +1.27 GB RSS after one decode step
with a preallocated fp32 cache of 2048 positions, +0.19 GB with 256). So the buffers are not preallocated for
`max_context`: they hold `kv_capacity` positions, `kv_chunk` (256) at first, and grow by whole chunks when a
prefill or step needs more (new buffers, the filled rows copied over one layer's K or V at a time, rebound;
bit-identical logits, tested), up to `max_context`, which stays the limit; `reset` shrinks them back to one
chunk. A one-image `run` then holds 90 MB of fp16 cache at 2.0 size instead of 755 MB; a conversation that fills
2048 positions still ends at the full 755 MB (benchmarks/run_memory.py reports that worst case as its own row).
Growing costs one copy of the filled rows per chunk crossed (measured there too).

Weight memory: ORT maps `decoder.onnx.data` (its large tensors are aligned for that) and prepacks each
MatMulNBits weight into its own buffer (accuracy level 4 packs codes, scales and per-block sums: about 0.75 bytes
per weight, anonymous memory), unmapping the originals; the `scales` stay mapped and resident although unused
(0.125 bytes per weight). `drop_unused_weight_pages` unmaps those, and `lm_head_first` keeps lm_head's prepack
transient off the top of the load (runtime/memory.py). Measured on the full-size 2.0 bundle (synthetic weights,
benchmarks/run_memory.py): `run` peaks at 2430 MiB with all levers (3065 before), 3024 MiB once 2048 positions
are filled.

Token embeddings are read from the table beside the graph (memory-mapped .npy, only rows used become resident)
and multiplied by `scale_emb` here; image embeddings passed to `prefill` are used as given (unscaled, as the
official models splice them).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import onnxruntime as ort

from minicpmv_edge.errors import BundleError, EdgeError, first_line
from minicpmv_edge.manifest import Embedding, Llm, llm_from_dict
from minicpmv_edge.runtime.memory import drop_mapped_pages, node_first

log = logging.getLogger(__name__)

DEFAULT_MAX_CONTEXT = 2048
DEFAULT_KV_CHUNK = 256  # KV positions allocated at a time: 90 MB at 2.0 size (fp16), 16 MB at 2.5, 7 MB at 2.6


class BundleLike(Protocol):
    """What the decoder needs of a runtime bundle: its directory and its typed `llm` section."""

    root: Path
    llm: Llm


def kv_dtype(llm: Llm) -> np.dtype:
    """The KV cache's element type (bundles from before fp16 caches record float32)."""
    return np.dtype(llm.kv_cache.get("dtype", "float32"))


def kv_cache_bytes(llm: Llm, max_context: int) -> int:
    """Bytes of the KV buffers for `max_context` positions (all resident once the decoder has run)."""
    return 2 * llm.num_layers * llm.num_kv_heads * max_context * llm.head_dim * kv_dtype(llm).itemsize


def context_length(llm: Llm, max_context: int | None) -> int:
    """KV positions of a decoder opened with `max_context` (None: the default, capped by the RoPE table)."""
    return min(DEFAULT_MAX_CONTEXT, llm.max_position_embeddings) if max_context is None else int(max_context)


def load_npy(path: Path, *, mmap: bool = False) -> np.ndarray:
    """A numeric .npy array (never pickled objects: allow_pickle stays off), memory-mapped when asked."""
    try:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise BundleError(f"{path} is not a readable .npy array: {first_line(err, 200)}") from None
    if array.dtype.kind not in "iuf":
        raise BundleError(f"{path} holds {array.dtype} values, not numbers")
    return array


@dataclass(frozen=True)
class DecoderMemory:
    """Levers on the decoder's resident memory, all on by default (off only to measure what each saves).

    `kv_chunk`: the KV buffers start at this many positions and grow by it as the conversation needs (None:
    preallocate `max_context`). `drop_unused_weight_pages`: after loading, unmap the pages of `decoder.onnx.data`
    ORT keeps mapped but no longer reads (`memory.drop_mapped_pages`). `lm_head_first`: hand ORT the graph with the
    lm_head node listed first, so its prepack transient does not stack on all the other packed weights
    (`memory.node_first`).
    """

    kv_chunk: int | None = DEFAULT_KV_CHUNK
    drop_unused_weight_pages: bool = True
    lm_head_first: bool = True


class ContextOverflowError(EdgeError):
    """The prompt (or prompt plus generated tokens) does not fit in the decoder's context."""


class Int4Decoder:
    """Prefill / step / reset over the exported decoder.

    Opened either from a directory plus `export_decoder`'s manifest section (`Int4Decoder(dir, section)`, a dict or a
    `manifest.Llm`) or from a bundle (`Int4Decoder(bundle)`: its `llm` section, files under the section's `dir`).
    `threads`: ORT intra-op threads; None lets ORT pick (it uses the number of physical cores).
    `max_context`: positions of KV cache, at most `max_position_embeddings` (the RoPE table's length).
    `memory`: the levers on its resident memory (`DecoderMemory`; the defaults are what `run` uses).
    """

    def __init__(
        self,
        root: str | Path | BundleLike,
        section: Mapping[str, Any] | Llm | None = None,
        *,
        max_context: int | None = None,
        threads: int | None = None,
        memory: DecoderMemory | None = None,
    ) -> None:
        if section is None:
            if isinstance(root, str | Path):
                raise TypeError("Int4Decoder(directory) needs the manifest section too: Int4Decoder(dir, section)")
            section = root.llm
            root = root.root / section.dir
        llm = section if isinstance(section, Llm) else llm_from_dict({"dir": ".", **section})
        root = Path(root)
        self.llm = llm
        limit = llm.max_position_embeddings
        self.max_context = context_length(llm, max_context)
        if not 1 <= self.max_context <= limit:
            raise EdgeError(f"max_context {self.max_context} must be between 1 and the model's {limit} positions")
        memory = memory or DecoderMemory()
        if memory.kv_chunk is not None and memory.kv_chunk < 1:
            raise EdgeError(
                f"kv_chunk must be at least 1 position (None: preallocate max_context), got {memory.kv_chunk}"
            )
        self.kv_chunk = memory.kv_chunk
        self.scale_emb = llm.scale_emb
        self.hidden_size = llm.hidden_size
        self.vocab_size = llm.vocab_size
        self._load_embeddings(root, llm.embedding)

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads is not None:
            options.intra_op_num_threads = int(threads)
        log.info(
            "opening %s (max_context %d: up to %.0f MB of KV cache, %s; threads %s)",
            llm.onnx,
            self.max_context,
            kv_cache_bytes(llm, self.max_context) / 1e6,
            f"grown in chunks of {self.kv_chunk} positions" if self.kv_chunk else "preallocated",
            threads or "auto",
        )
        graph = node_first((root / llm.onnx).read_bytes(), llm.outputs["logits"]) if memory.lm_head_first else None
        if graph is not None:  # external data is then found through this option instead of the file's folder
            options.add_session_config_entry(
                "session.model_external_initializers_file_folder_path", str((root / llm.onnx).parent)
            )
        self.session = ort.InferenceSession(
            graph or str(root / llm.onnx), sess_options=options, providers=["CPUExecutionProvider"]
        )
        if memory.drop_unused_weight_pages and llm.onnx_data:
            drop_mapped_pages(root / llm.onnx_data)

        names_in, names_out = llm.inputs, llm.outputs
        self._names = (names_in["inputs_embeds"], names_in["seqlens_k"], names_in["total_sequence_length"])
        self._cache_names = [
            (names_in[past].format(i), names_out[present].format(i))
            for i in range(llm.num_layers)
            for past, present in (("past_key", "present_key"), ("past_value", "present_value"))
        ]
        self._binding = self.session.io_binding()
        self._arrays: list[np.ndarray] = []
        self._cache: list[ort.OrtValue] = []
        self._position = 0
        self._allocate(self._initial_capacity())
        self._logits = ort.OrtValue.ortvalue_from_numpy(np.zeros((1, 1, self.vocab_size), dtype=np.float32))
        self._binding.bind_ortvalue_output(names_out["logits"], self._logits)

    def _initial_capacity(self) -> int:
        return self.max_context if self.kv_chunk is None else min(self.kv_chunk, self.max_context)

    def _allocate(self, capacity: int) -> None:
        """(Re)bind KV buffers of `capacity` positions, keeping the first `position` rows. One buffer is copied
        and the old one dropped at a time, so growing holds at most one extra layer's K or V."""
        shape = (1, self.llm.num_kv_heads, capacity, self.llm.head_dim)
        keep = self._position
        for j, (past, present) in enumerate(self._cache_names):
            array = np.zeros(shape, dtype=kv_dtype(self.llm))
            if keep:
                array[:, :, :keep] = self._arrays[j][:, :, :keep]
            value = ort.OrtValue.ortvalue_from_numpy(array)  # shares `array`'s memory (CPU)
            self._binding.bind_ortvalue_input(past, value)
            self._binding.bind_ortvalue_output(present, value)
            if j < len(self._arrays):
                self._arrays[j], self._cache[j] = array, value
            else:
                self._arrays.append(array)
                self._cache.append(value)
        self._capacity = capacity

    def reserve(self, total: int) -> None:
        """Grow the KV buffers to hold `total` positions now (the next multiple of `kv_chunk`, at most max_context),
        as `prefill` / `step` do when they need to; the copy costs about one memcpy of the filled rows."""
        if total > self.max_context:
            raise ContextOverflowError(f"{total} positions exceed the context length {self.max_context}")
        if total <= self._capacity:
            return
        chunk = self.kv_chunk or self.max_context
        capacity = min(self.max_context, -(-total // chunk) * chunk)
        log.debug("growing the KV cache from %d to %d positions", self._capacity, capacity)
        self._allocate(capacity)

    def _load_embeddings(self, root: Path, entry: Embedding) -> None:
        self._table = load_npy(root / entry.table, mmap=True)
        self._row_scales = load_npy(root / entry.scales) if entry.storage == "int8-per-row" and entry.scales else None
        if self._table.shape != (self.vocab_size, self.hidden_size):
            raise EdgeError(f"embedding table {entry.table} has shape {self._table.shape}, expected [V, H]")

    @property
    def position(self) -> int:
        """Positions already in the KV cache (the next token's position)."""
        return self._position

    @property
    def kv_capacity(self) -> int:
        """Positions the KV buffers hold now (max_context when preallocated; grows up to it in `kv_chunk` steps)."""
        return self._capacity

    @property
    def kv_cache(self) -> tuple[ort.OrtValue, ...]:
        """The bound KV buffers, `[key_0, value_0, key_1, …]`, each `[1, kv_heads, kv_capacity, head_dim]` of
        `kv_dtype` (float16 or float32). New buffers after the cache grows or shrinks."""
        return tuple(self._cache)

    def reset(self) -> None:
        """Forget the conversation. A grown cache goes back to one chunk (memory follows the conversation);
        otherwise stale rows stay, never read (only `position` rows are valid)."""
        self._position = 0
        if self._capacity > self._initial_capacity():
            self._allocate(self._initial_capacity())

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """Token ids int `[n]` -> text embeddings float32 `[n, H]`, dequantized and times `scale_emb`."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise EdgeError(f"token ids must be in [0, {self.vocab_size}), got {ids.min()}..{ids.max()}")
        rows = np.asarray(self._table[ids], dtype=np.float32)
        scale = np.float32(self.scale_emb)
        if self._row_scales is not None:
            return rows * (self._row_scales[ids] * scale)[:, None]
        return rows * scale

    def _run(self, embeds: np.ndarray) -> np.ndarray:
        embeds = np.ascontiguousarray(embeds, dtype=np.float32).reshape(1, -1, self.hidden_size)
        total = self._position + embeds.shape[1]
        self.reserve(total)
        name_embeds, name_seqlens, name_total = self._names
        self._binding.bind_cpu_input(name_embeds, embeds)
        self._binding.bind_cpu_input(name_seqlens, np.array([total - 1], dtype=np.int32))
        self._binding.bind_cpu_input(name_total, np.array(total, dtype=np.int32))
        self.session.run_with_iobinding(self._binding)
        self._position = total
        return self._logits.numpy()[0, 0].copy()

    def prefill(self, embeds: np.ndarray) -> np.ndarray:
        """Append `embeds` float32 `[S, H]` (text rows from `embed`, image rows unscaled) at `position`.

        Returns float32 logits `[V]` of the last position. Usually called once after `reset`; a second call
        continues the same context (chunked prefill / a follow-up turn).
        """
        embeds = np.asarray(embeds, dtype=np.float32)
        if embeds.ndim != 2 or embeds.shape[1] != self.hidden_size or embeds.shape[0] == 0:
            raise EdgeError(f"prefill needs embeddings [S, {self.hidden_size}] with S >= 1, got {embeds.shape}")
        total = self._position + embeds.shape[0]
        if total > self.max_context:
            raise ContextOverflowError(
                f"prompt plus image tokens ({total}) exceed the context length {self.max_context}"
            )
        return self._run(embeds)

    def step(self, embed: np.ndarray) -> np.ndarray:
        """One token: `embed` float32 `[H]` or `[1, H]` -> logits float32 `[V]` of its position."""
        embed = np.asarray(embed, dtype=np.float32)
        if embed.size != self.hidden_size:
            raise EdgeError(f"step needs one embedding of {self.hidden_size} values, got shape {embed.shape}")
        if self._position >= self.max_context:
            raise ContextOverflowError(
                f"prompt plus generated tokens ({self._position + 1}) exceed the context length {self.max_context}"
            )
        return self._run(embed)
