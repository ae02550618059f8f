"""One llama.cpp model + context through llama-cpp-python's low-level API: batches of token ids or raw embeddings.

Shared by the runtime's `--decoder llamacpp` (`llamacpp_decoder`) and benchmarks/decoder_vs_llamacpp.py, whose
llama.cpp worker runs in a venv with only numpy, gguf and llama-cpp-python: so this module imports nothing else
(numpy, ctypes, `minicpmv_edge.errors`). llama.cpp's own log lines go to this module's logger at debug level.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Any

import numpy as np

from minicpmv_edge.errors import EdgeError

log = logging.getLogger(__name__)

BATCH = 512  # positions per llama_decode call (llama.cpp's default n_batch / n_ubatch)


def import_llama_cpp() -> Any:
    """llama-cpp-python, or a one-line error naming the extra that installs it."""
    try:
        import llama_cpp
    except ImportError:
        raise EdgeError("--decoder llamacpp needs llama-cpp-python: pip install 'minicpmv-edge[llamacpp]'") from None
    return llama_cpp


class LlamaCppModel:
    """A GGUF model with one sequence of at most `n_ctx` positions; `decode` appends ids or embeddings."""

    def __init__(self, gguf: str | Path, n_ctx: int, threads: int | None = None) -> None:
        lc = import_llama_cpp()
        self.lc = lc
        lc.llama_backend_init()
        self._route_logs()
        self.model = lc.llama_model_load_from_file(str(gguf).encode(), lc.llama_model_default_params())
        if not self.model:
            raise EdgeError(f"llama.cpp could not load {gguf}")
        params = lc.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = BATCH
        params.n_ubatch = BATCH
        if threads:
            params.n_threads = params.n_threads_batch = int(threads)
        params.no_perf = True
        self.ctx = lc.llama_init_from_model(self.model, params)
        if not self.ctx:
            raise EdgeError("llama.cpp could not create a context")
        self.n_ctx = n_ctx
        self.n_embd = lc.llama_model_n_embd(self.model)
        self.n_vocab = lc.llama_vocab_n_tokens(lc.llama_model_get_vocab(self.model))
        self.n_pos = 0
        self.context = {  # what the benchmark records about the context it measured
            "n_ctx": n_ctx,
            "n_batch": BATCH,
            "n_ubatch": BATCH,
            "threads": int(params.n_threads),
            "flash_attn": str(getattr(params, "flash_attn_type", getattr(params, "flash_attn", "?"))),
            "type_k": int(params.type_k),
            "type_v": int(params.type_v),
        }

    def _route_logs(self) -> None:
        @self.lc.llama_log_callback
        def _log(level: int, text: bytes, user_data: Any) -> None:
            log.debug("llama.cpp: %s", text.decode(errors="replace").rstrip())

        self._log_callback = _log  # llama.cpp keeps calling it: hold a reference for the process lifetime
        self.lc.llama_log_set(self._log_callback, None)

    def reset(self) -> None:
        """Empty the KV cache; the next decode starts at position 0."""
        self.lc.llama_memory_clear(self.lc.llama_get_memory(self.ctx), True)
        self.n_pos = 0

    def decode(self, *, ids: np.ndarray | None = None, embeds: np.ndarray | None = None) -> np.ndarray:
        """Append token ids int `[n]` or raw embeddings float32 `[n, n_embd]` at the next positions, in batches
        of `BATCH`; returns float32 logits `[n_vocab]` of the last one (the only position computed)."""
        lc = self.lc
        n = len(ids) if ids is not None else embeds.shape[0]
        if n == 0 or self.n_pos + n > self.n_ctx:
            raise EdgeError(f"cannot decode {n} positions at {self.n_pos} in a context of {self.n_ctx}")
        for b0 in range(0, n, BATCH):
            count = min(n, b0 + BATCH) - b0
            batch = lc.llama_batch_init(count, self.n_embd if embeds is not None else 0, 1)
            try:
                if embeds is not None:
                    rows = np.ascontiguousarray(embeds[b0 : b0 + count], dtype=np.float32)
                    ctypes.memmove(batch.embd, rows.ctypes.data, rows.nbytes)
                for i in range(count):
                    if ids is not None:
                        batch.token[i] = int(ids[b0 + i])
                    batch.pos[i] = self.n_pos + i
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = b0 + i == n - 1
                batch.n_tokens = count
                rc = lc.llama_decode(self.ctx, batch)
                if rc != 0:
                    raise EdgeError(f"llama.cpp llama_decode failed with code {rc}")
            finally:
                lc.llama_batch_free(batch)
            self.n_pos += count
        logits = lc.llama_get_logits_ith(self.ctx, -1)
        return np.ctypeslib.as_array(logits, shape=(self.n_vocab,)).copy()

    def close(self) -> None:
        if self.ctx:
            self.lc.llama_free(self.ctx)
            self.ctx = None
        if self.model:
            self.lc.llama_model_free(self.model)
            self.model = None
