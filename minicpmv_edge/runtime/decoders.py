"""Decoder sessions: one interface for every LLM backend, so the orchestrator never branches on one.

A session takes the prompt as token ids plus the image embeddings for its placeholder spans and puts them in one
sequence in that order: our int4 ONNX decoder embeds the ids and splices the images in (`OnnxDecoderSession`),
llama.cpp takes id batches and raw-embedding batches in turn (`llamacpp_decoder.LlamaCppDecoder`).
"""

from __future__ import annotations

import importlib
from typing import Protocol

import numpy as np

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.prompts import splice


class DecoderSession(Protocol):
    name: str  # what the timings call the LLM backend
    provenance: str  # label of its timings: host-measured here (both run on this machine's CPU)
    max_context: int

    def reset(self) -> None:
        """Forget the conversation (empty KV cache)."""
        ...

    def prefill_prompt(
        self, ids: np.ndarray, bounds: list[tuple[int, int]], image_embeds: list[np.ndarray]
    ) -> np.ndarray:
        """Prompt ids int `[S]` whose spans `bounds` ([start, end) placeholder runs) take `image_embeds` (float32
        `[Q, D]` each, unscaled, in order) -> float32 logits `[V]` of the last position."""
        ...

    def next_token(self, token: int) -> np.ndarray:
        """Append one generated token -> float32 logits `[V]` of its position."""
        ...


class OnnxDecoderSession:
    """The bundle's int4 ONNX decoder (`Int4Decoder`): text rows embedded (times scale_emb), images spliced in."""

    name = "onnxruntime-int4"
    provenance = "host-measured"

    def __init__(self, bundle: Bundle, threads: int | None, max_context: int | None) -> None:
        from minicpmv_edge.runtime.decoder import Int4Decoder

        self.decoder = Int4Decoder(bundle, threads=threads, max_context=max_context)
        self.max_context = self.decoder.max_context

    def reset(self) -> None:
        self.decoder.reset()

    def prefill_prompt(
        self, ids: np.ndarray, bounds: list[tuple[int, int]], image_embeds: list[np.ndarray]
    ) -> np.ndarray:
        return self.decoder.prefill(splice(self.decoder.embed(np.asarray(ids)), bounds, image_embeds))

    def next_token(self, token: int) -> np.ndarray:
        return self.decoder.step(self.decoder.embed(np.asarray([token]))[0])


# decoder name -> "module:factory(bundle, threads, max_context)"; optional backends are imported when asked for
DECODERS: dict[str, str] = {
    "onnx": "minicpmv_edge.runtime.decoders:OnnxDecoderSession",
    "llamacpp": "minicpmv_edge.runtime.llamacpp_decoder:LlamaCppDecoder",
}


def open_decoder(
    bundle: Bundle, name: str = "onnx", *, threads: int | None = None, max_context: int | None = None
) -> DecoderSession:
    if name not in DECODERS:
        raise EdgeError(f"unknown decoder {name!r}; known: {', '.join(DECODERS)}")
    module, factory = DECODERS[name].split(":")
    return getattr(importlib.import_module(module), factory)(bundle, threads, max_context)
