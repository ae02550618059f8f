"""The bundle's LLM GGUF through llama.cpp, as a `DecoderSession` (`--decoder llamacpp`). No torch.

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

import logging

import numpy as np

from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.decoder import DEFAULT_MAX_CONTEXT, ContextOverflowError
from minicpmv_edge.runtime.llamacpp_model import LlamaCppModel, import_llama_cpp

log = logging.getLogger(__name__)


class LlamaCppDecoder:
    """llama.cpp over `llm/<gguf>` of a bundle exported with `--gguf-llm`."""

    name = "llama.cpp"
    provenance = "host-measured"

    def __init__(self, bundle: Bundle, threads: int | None = None, max_context: int | None = None) -> None:
        llm = bundle.llm
        if llm.gguf is None:
            raise BundleError(
                f"bundle {bundle.root} keeps no LLM GGUF; export it with --gguf-mmproj ... --gguf-llm FILE "
                "to use --decoder llamacpp"
            )
        import_llama_cpp()  # the missing extra is reported before anything else
        limit = llm.max_position_embeddings
        self.max_context = min(DEFAULT_MAX_CONTEXT, limit) if max_context is None else int(max_context)
        if not 1 <= self.max_context <= limit:
            raise EdgeError(f"max_context {self.max_context} must be between 1 and the model's {limit} positions")
        self.divisor = np.float32(llm.gguf.image_embedding_divisor)
        self.precision = "llama.cpp GGUF " + "/".join(llm.gguf.tensor_types)
        path = bundle.path(llm.path(llm.gguf.file))  # confined to the bundle and hashed when it was opened
        self.model = LlamaCppModel(path, self.max_context, threads)
        log.info("llama.cpp decoder on %s (%d positions, threads %s)", path.name, self.max_context, threads or "auto")

    def reset(self) -> None:
        self.model.reset()

    def _decode(self, **batch: np.ndarray) -> np.ndarray:
        n = len(next(iter(batch.values())))
        if self.model.n_pos + n > self.max_context:
            raise ContextOverflowError(
                f"prompt plus generated tokens ({self.model.n_pos + n}) exceed the context length {self.max_context}"
            )
        return self.model.decode(**batch)

    def prefill_prompt(
        self, ids: np.ndarray, bounds: list[tuple[int, int]], image_embeds: list[np.ndarray]
    ) -> np.ndarray:
        """Text ids and image rows (divided by `image_embedding_divisor`) in prompt order -> last logits `[V]`."""
        ids = np.asarray(ids).reshape(-1)
        if len(bounds) != len(image_embeds):
            raise EdgeError(f"prompt has {len(bounds)} image spans but {len(image_embeds)} encoded images/slices")
        if ids.size == 0:
            raise EdgeError("prefill needs at least one prompt token")
        logits = np.empty(0, dtype=np.float32)
        start = 0
        for (s, e), emb in zip(bounds, image_embeds, strict=True):
            if s > start:
                logits = self._decode(ids=ids[start:s])
            rows = np.asarray(emb, dtype=np.float32).reshape(e - s, self.model.n_embd)
            logits = self._decode(embeds=rows / self.divisor)
            start = e
        if start < ids.size:
            logits = self._decode(ids=ids[start:])
        return logits

    def next_token(self, token: int) -> np.ndarray:
        return self._decode(ids=np.asarray([token]))

    def __del__(self) -> None:
        model = getattr(self, "model", None)
        if model is not None:
            model.close()
