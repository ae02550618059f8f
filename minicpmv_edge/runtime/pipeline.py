"""The orchestrator: image -> slices -> encoder -> prefill -> decode, timing each stage. No torch.

Encoders and decoders come in through small interfaces (`EncoderSession`, `DecoderSession`), so the same loop
runs with the CPU encoder, the emulated or real QNN HTP, or an AX650N board, and with our int4 ONNX decoder or
llama.cpp.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.decoders import DecoderSession, open_decoder
from minicpmv_edge.runtime.encoders import EncoderOptions, EncoderSession, open_encoder
from minicpmv_edge.runtime.images import DEFAULT_MAX_PIXELS, load_image
from minicpmv_edge.runtime.memory import trim_heap
from minicpmv_edge.runtime.preprocess import preprocess
from minicpmv_edge.runtime.prompts import image_bounds, prompt_ids
from minicpmv_edge.runtime.sampling import Sampler, Sampling
from minicpmv_edge.runtime.timings import Timings, peak_rss_mb
from minicpmv_edge.runtime.tokenizer import StreamDecoder, TextTokenizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    text: str
    token_ids: list[int]
    timings: Timings


class Pipeline:
    """image -> answer. `release_encoder` applies MiniCPM-V's memory optimization (encode first, release the vision
    encoder, then prefill): the encoder's sessions are dropped after each image and the decoder is opened only
    after the first image is encoded, so a one-shot `run` peaks at the larger of the two instead of their sum
    (with the freed heap handed back to the OS, `memory.trim_heap`). Cost: none for one question; each further
    image reopens the encoder's session (its load time).
    """

    def __init__(
        self,
        bundle: str | Path | Bundle,
        *,
        target: str | None = None,
        precision: str | None = None,
        decoder: str = "onnx",
        encoder_options: EncoderOptions | None = None,
        threads: int | None = None,
        max_context: int | None = None,
        verify: bool = True,
        release_encoder: bool = False,
    ) -> None:
        self.bundle = bundle if isinstance(bundle, Bundle) else Bundle.open(bundle, verify=verify)
        self.spec = self.bundle.prompt_spec()
        self.tokenizer = TextTokenizer(self.bundle.tokenizer_file)
        options = encoder_options or EncoderOptions(threads=threads)
        self.encoder: EncoderSession = open_encoder(self.bundle, target, precision, options)
        self.release_encoder = release_encoder
        self._decoder_args = (decoder, threads, max_context)
        self._decoder: DecoderSession | None = None
        if not release_encoder:
            self._decoder = open_decoder(self.bundle, decoder, threads=threads, max_context=max_context)

    @property
    def decoder(self) -> DecoderSession:
        """The decoder, opened on first use (at once unless `release_encoder`)."""
        if self._decoder is None:
            name, threads, max_context = self._decoder_args
            self._decoder = open_decoder(self.bundle, name, threads=threads, max_context=max_context)
        return self._decoder

    def _max_context(self) -> int:
        if self._decoder is not None:
            return self._decoder.max_context
        from minicpmv_edge.runtime.decoder import context_length

        return context_length(self.bundle.llm, self._decoder_args[2])

    def generate(
        self,
        image: str | Path | bytes | Image.Image,
        prompt: str,
        *,
        mode: str = "fixed-280",
        max_new_tokens: int = 64,
        sampling: Sampling | None = None,
        on_token: Callable[[str], None] | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> Result:
        if max_new_tokens < 1:
            raise EdgeError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
        t = Timings(
            encoder_backend=self.encoder.name,
            encoder_provenance=self.encoder.provenance,
            encoder_chip=self.encoder.chip,
            encoder_precision=self.encoder.precision,
        )
        start = time.perf_counter()
        pre = preprocess(load_image(image, max_pixels=max_pixels), mode)
        t.preprocess_s = time.perf_counter() - start

        ids = prompt_ids(self.spec, self.tokenizer.encode, prompt, pre.grid)
        needed = len(ids) + max_new_tokens
        if needed > self._max_context():
            raise EdgeError(
                f"prompt plus image tokens ({len(ids)}) and {max_new_tokens} new tokens exceed the context "
                f"length {self._max_context()}"
            )
        bounds = image_bounds(self.spec, ids)

        image_embeds = []
        for inp in pre.inputs:
            t0 = time.perf_counter()
            image_embeds.append(self.encoder.encode(inp.pixel_values))
            t.encode_per_input_s.append(time.perf_counter() - t0)
            t.encode_shapes.append(inp.shape)
        t.encode_s = sum(t.encode_per_input_s)
        log.debug("encoded %d image input(s) in %.3f s", len(pre.inputs), t.encode_s)
        release = getattr(self.encoder, "release", None)
        if self.release_encoder and release is not None:
            release()
            trim_heap()  # else much of the encoder's freed heap stays resident (memory.py)
        t.decoder_backend, t.llm_provenance = self.decoder.name, self.decoder.provenance

        self.decoder.reset()
        t0 = time.perf_counter()
        logits = self.decoder.prefill_prompt(np.asarray(ids), bounds, image_embeds)
        t.prefill_s = time.perf_counter() - t0
        t.prefill_tokens = len(ids)

        sampler = Sampler(sampling or Sampling())
        stream = StreamDecoder(self.tokenizer)
        history = list(ids)
        generated: list[int] = []
        token = sampler(logits, history)
        t.ttft_s = time.perf_counter() - start
        eos = set(self.bundle.eos_ids)
        while token not in eos:
            generated.append(token)
            history.append(token)
            if on_token is not None and (piece := stream.push(token)):
                on_token(piece)
            if len(generated) >= max_new_tokens:
                break
            t0 = time.perf_counter()
            logits = self.decoder.next_token(token)
            token = sampler(logits, history)
            t.token_latencies_s.append(time.perf_counter() - t0)
        t.decode_steps = len(t.token_latencies_s)
        t.decode_s = sum(t.token_latencies_s)
        t.tokens_generated = len(generated)
        t.peak_rss_mb = peak_rss_mb()
        return Result(text=self.tokenizer.decode(generated), token_ids=generated, timings=t)
