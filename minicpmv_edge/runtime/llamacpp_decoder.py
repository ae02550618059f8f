"""The bundle's LLM GGUF through llama.cpp (llama-cpp-python's low-level API), as a `DecoderSession`. No torch.

The split OpenBMB used on phones: the vision encoder on the NPU, the LLM in llama.cpp. A llama.cpp batch holds
either token ids or raw embeddings, never both, so a prompt runs as alternating batches: text ids, then one image's
`[Q, D]` embeddings, then text ids, ... in prompt order, at consecutive positions. llama.cpp multiplies *every*
input embedding by MiniCPM's `scale_emb` (raw embeddings included: measured by benchmarks/decoder_vs_llamacpp.py),
while upstream splices image embeddings unscaled, so image rows are divided by the manifest's
`llm.gguf.image_embedding_divisor` first (1 for Llama-3 and Qwen2). Only the last position's logits are computed.

Optional: `pip install 'minicpmv-edge[llamacpp]'` (llama-cpp-python); without it, asking for this decoder is a
one-line error.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

import numpy as np

from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.decoder import DEFAULT_MAX_CONTEXT, ContextOverflowError

log = logging.getLogger(__name__)

BATCH = 512  # positions per llama_decode call (llama.cpp's default n_batch)


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError:
        raise EdgeError("--decoder llamacpp needs llama-cpp-python: pip install 'minicpmv-edge[llamacpp]'") from None
    return llama_cpp


class LlamaCppDecoder:
    """One llama.cpp model + context over `llm/<gguf>` of a bundle exported with `--gguf-llm`."""

    name = "llama.cpp"
    provenance = "host-measured"

    def __init__(self, bundle: Bundle, threads: int | None = None, max_context: int | None = None) -> None:
        section = bundle.section("llm")
        entry = section.get("gguf")
        if not entry:
            raise BundleError(
                f"bundle {bundle.root} keeps no LLM GGUF; export it with --gguf-mmproj ... --gguf-llm FILE "
                "to use --decoder llamacpp"
            )
        lc = _import_llama_cpp()
        self._lc = lc
        path = bundle.root / section.get("dir", ".") / entry["file"]
        limit = int(section["max_position_embeddings"])
        self.max_context = min(DEFAULT_MAX_CONTEXT, limit) if max_context is None else int(max_context)
        if not 1 <= self.max_context <= limit:
            raise EdgeError(f"max_context {self.max_context} must be between 1 and the model's {limit} positions")
        self.divisor = np.float32(entry.get("image_embedding_divisor", 1.0))
        self.precision = "llama.cpp GGUF " + "/".join(entry.get("tensor_types", []))
        lc.llama_backend_init()
        self._route_logs()
        self.model = lc.llama_model_load_from_file(str(path).encode(), lc.llama_model_default_params())
        if not self.model:
            raise BundleError(f"llama.cpp could not load {path}")
        params = lc.llama_context_default_params()
        params.n_ctx = self.max_context
        params.n_batch = BATCH
        params.n_ubatch = BATCH
        if threads:
            params.n_threads = params.n_threads_batch = int(threads)
        params.no_perf = True
        self.ctx = lc.llama_init_from_model(self.model, params)
        if not self.ctx:
            raise EdgeError("llama.cpp could not create a context")
        self.hidden_size = lc.llama_model_n_embd(self.model)
        self.vocab_size = lc.llama_vocab_n_tokens(lc.llama_model_get_vocab(self.model))
        self.position = 0
        log.info("llama.cpp decoder on %s (%d positions, threads %s)", path.name, self.max_context, threads or "auto")

    def _route_logs(self) -> None:
        """llama.cpp prints to stderr by default; send it to our logger at debug level instead."""

        @self._lc.llama_log_callback
        def _log(level: int, text: bytes, user_data: Any) -> None:
            log.debug("llama.cpp: %s", text.decode(errors="replace").rstrip())

        self._log_callback = _log  # llama.cpp keeps calling it: hold a reference for the process lifetime
        self._lc.llama_log_set(self._log_callback, None)

    def reset(self) -> None:
        self._lc.llama_memory_clear(self._lc.llama_get_memory(self.ctx), True)
        self.position = 0

    def _decode(self, *, ids: np.ndarray | None = None, embeds: np.ndarray | None = None) -> np.ndarray | None:
        """Append ids `[n]` or embeddings float32 `[n, H]` in batches; logits `[V]` of the last row."""
        lc = self._lc
        n = len(ids) if ids is not None else embeds.shape[0]
        if self.position + n > self.max_context:
            raise ContextOverflowError(
                f"prompt plus generated tokens ({self.position + n}) exceed the context length {self.max_context}"
            )
        for b0 in range(0, n, BATCH):
            b1 = min(n, b0 + BATCH)
            count = b1 - b0
            batch = lc.llama_batch_init(count, self.hidden_size if embeds is not None else 0, 1)
            try:
                if embeds is not None:
                    rows = np.ascontiguousarray(embeds[b0:b1], dtype=np.float32)
                    ctypes.memmove(batch.embd, rows.ctypes.data, rows.nbytes)
                for i in range(count):
                    if ids is not None:
                        batch.token[i] = int(ids[b0 + i])
                    batch.pos[i] = self.position + i
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = b1 == n and i == count - 1
                batch.n_tokens = count
                rc = lc.llama_decode(self.ctx, batch)
                if rc != 0:
                    raise EdgeError(f"llama.cpp llama_decode failed with code {rc}")
            finally:
                lc.llama_batch_free(batch)
            self.position += count
        logits = lc.llama_get_logits_ith(self.ctx, -1)
        return np.ctypeslib.as_array(logits, shape=(self.vocab_size,)).copy()

    def prefill_prompt(
        self, ids: np.ndarray, bounds: list[tuple[int, int]], image_embeds: list[np.ndarray]
    ) -> np.ndarray:
        """Text ids and image rows (divided by `image_embedding_divisor`) in prompt order -> last logits `[V]`."""
        ids = np.asarray(ids).reshape(-1)
        if len(bounds) != len(image_embeds):
            raise EdgeError(f"prompt has {len(bounds)} image spans but {len(image_embeds)} encoded images/slices")
        if ids.size == 0:
            raise EdgeError("prefill needs at least one prompt token")
        logits = None
        start = 0
        for (s, e), emb in zip(bounds, image_embeds, strict=True):
            if s > start:
                logits = self._decode(ids=ids[start:s])
            rows = np.asarray(emb, dtype=np.float32).reshape(e - s, self.hidden_size)
            logits = self._decode(embeds=rows / self.divisor)
            start = e
        if start < ids.size:
            logits = self._decode(ids=ids[start:])
        assert logits is not None
        return logits

    def next_token(self, token: int) -> np.ndarray:
        return self._decode(ids=np.asarray([token]))

    def __del__(self) -> None:
        lc = getattr(self, "_lc", None)
        if lc is None:
            return
        if getattr(self, "ctx", None):
            lc.llama_free(self.ctx)
            self.ctx = None
        if getattr(self, "model", None):
            lc.llama_model_free(self.model)
            self.model = None
