"""Host runs: the orchestrator (`Pipeline.generate`) K times to warm up, then N timed times, into stage figures.

By default every run decodes exactly `max_new_tokens` tokens (end-of-sequence ignored, as llama.cpp's
llama-bench does): decode speed then always averages over the same number of steps, whatever the weights say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minicpmv_edge.bench import figures as F
from minicpmv_edge.bench.figures import Figure, repeated
from minicpmv_edge.bench.machine import cpu_model
from minicpmv_edge.bench.prompt import COUNTED, BenchPrompt, build_prompt
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.timings import Timings

log = logging.getLogger(__name__)

SAMPLE_IMAGE = Path(__file__).resolve().parent.parent / "assets" / "sample.jpg"


@dataclass(frozen=True)
class BenchConfig:
    image: str | Path = SAMPLE_IMAGE
    mode: str = "fixed-280"
    runs: int = 5
    warmup: int = 1
    prompt_tokens: int = 96
    max_new_tokens: int = 64
    stop_at_eos: bool = False
    target: str | None = None
    threads: int | None = None

    def check(self) -> None:
        if self.runs < 1:
            raise EdgeError(f"--runs must be at least 1, got {self.runs}")
        if self.warmup < 0:
            raise EdgeError(f"--warmup must be 0 or more, got {self.warmup}")
        if self.max_new_tokens < 1:
            raise EdgeError(f"--max-new-tokens must be at least 1, got {self.max_new_tokens}")
        if self.prompt_tokens < 1:
            raise EdgeError(f"--prompt-tokens must be at least 1, got {self.prompt_tokens}")


@dataclass(frozen=True)
class _FixedLengthBundle(Bundle):
    """The bundle with no end-of-sequence ids, so `generate` runs to `max_new_tokens` every time."""

    @property
    def eos_ids(self) -> tuple[int, ...]:
        return ()


def open_bundle(path: str | Path, *, verify: bool = True, stop_at_eos: bool = False) -> Bundle:
    bundle = Bundle.open(path, verify=verify)
    return bundle if stop_at_eos else _FixedLengthBundle(bundle.root, bundle.manifest)


@dataclass
class HostRun:
    """What the report needs of a host benchmark."""

    settings: dict[str, Any]
    bundle: dict[str, Any]
    runs: list[dict[str, Any]]
    figures: list[Figure]
    token_latency_run: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)


def _run_record(index: int, t: Timings) -> dict[str, Any]:
    return {
        "index": index,
        "preprocess_s": t.preprocess_s,
        "encode_s": t.encode_s,
        "encode_per_input_s": list(t.encode_per_input_s),
        "encode_shapes": list(t.encode_shapes),
        "prefill_s": t.prefill_s,
        "prefill_tokens": t.prefill_tokens,
        "ttft_s": t.ttft_s,
        "decode_s": t.decode_s,
        "decode_steps": t.decode_steps,
        "decode_tok_s": t.decode_tok_s,
        "tokens_generated": t.tokens_generated,
        "peak_rss_mb": t.peak_rss_mb,
    }


def _encoder_chip(pipe: Any, target: str | None) -> str | None:
    """Chip the encoder figures are for: the session's build chip, else the --target being compared against."""
    from minicpmv_edge.npu_backends.chips import get_chip

    return pipe.encoder.chip or (get_chip(target).key if target else None)


def bundle_info(pipe: Any, target: str | None) -> dict[str, Any]:
    """Preset, synthetic or real weights, precision of each part, target chip and encoder backend."""
    llm_part = pipe.bundle.manifest.llm
    quant = llm_part.quantization if llm_part else {}
    llm = " ".join(
        str(x)
        for x in (
            quant.get("weights"),
            quant.get("op", "").rsplit(".", 1)[-1] or None,
            f"block {quant['block_size']}" if quant.get("block_size") else None,
        )
        if x
    )
    enc = pipe.encoder
    vision = f"{enc.precision} ONNX" if enc.chip is None else f"{enc.precision} ({enc.chip})"
    return {
        "path": str(pipe.bundle.root),
        "preset": pipe.bundle.preset,
        "synthetic": pipe.bundle.synthetic,
        "weights": "synthetic" if pipe.bundle.synthetic else "real checkpoint",
        "precision": {"vision": vision, "llm": getattr(pipe.decoder, "precision", None) or llm or "unknown"},
        "target": target,
        "encoder_backend": enc.name,
        "decoder_backend": pipe.decoder.name,
        "encoder_provenance": enc.provenance,
    }


def run_host(pipe: Any, config: BenchConfig) -> HostRun:
    """Warm up, run, and summarise. `pipe` is a `minicpmv_edge.runtime.pipeline.Pipeline`."""
    from minicpmv_edge.runtime.sampling import Sampling

    config.check()
    prompt: BenchPrompt = build_prompt(pipe.tokenizer.encode, config.prompt_tokens)
    log.info("prompt: %d text tokens (asked for %d)", prompt.tokens, prompt.requested)
    greedy = Sampling()

    def once() -> Timings:
        return pipe.generate(
            config.image, prompt.text, mode=config.mode, max_new_tokens=config.max_new_tokens, sampling=greedy
        ).timings

    for i in range(config.warmup):
        t = once()
        log.info("warm-up %d/%d: %.3f s to first token", i + 1, config.warmup, t.ttft_s)
    timings: list[Timings] = []
    for i in range(config.runs):
        t = once()
        timings.append(t)
        log.info(
            "run %d/%d: preprocess %.3f s, encode %.3f s, prefill %.3f s (%d tokens), first token %.3f s, "
            "decode %.2f tok/s (%d tokens)",
            i + 1,
            config.runs,
            t.preprocess_s,
            t.encode_s,
            t.prefill_s,
            t.prefill_tokens,
            t.ttft_s,
            t.decode_tok_s,
            t.tokens_generated,
        )
    return summarise(pipe, config, prompt, timings)


def summarise(pipe: Any, config: BenchConfig, prompt: BenchPrompt, timings: list[Timings]) -> HostRun:
    first = timings[0]
    preset = pipe.bundle.preset
    host = f"this host: {cpu_model()}"
    enc_prov, llm_prov = first.encoder_provenance, first.llm_provenance
    enc_chip = _encoder_chip(pipe, config.target)
    enc_device = host if enc_prov in (F.HOST, F.EMULATED) or not enc_chip else f"{enc_chip} (on-device encoder)"
    common = {"group": "host", "source": "host run", "model": preset, "mode": config.mode}
    enc_common = {**common, "device": enc_device, "chip": enc_chip, "backend": first.encoder_backend}
    llm_backend = {"onnxruntime-int4": "onnxruntime cpu int4"}.get(first.decoder_backend, first.decoder_backend)
    llm_common = {**common, "device": host, "backend": llm_backend}
    notes: list[str] = []

    figs = [repeated("preprocess", [t.preprocess_s for t in timings], provenance=F.HOST, device=host, **common)]
    by_shape: dict[int, list[float]] = {}
    for t in timings:
        for shape, seconds in zip(t.encode_shapes, t.encode_per_input_s, strict=True):
            by_shape.setdefault(shape, []).append(seconds)
    for shape, values in sorted(by_shape.items()):
        per_image = len(values) / len(timings)
        figs.append(
            repeated(
                "encode",
                values,
                provenance=enc_prov,
                shape=shape,
                note=f"{per_image:g} input(s) of this shape per image",
                **enc_common,
            )
        )
    figs.append(repeated("encode_total", [t.encode_s for t in timings], provenance=enc_prov, **enc_common))
    figs.append(
        repeated(
            "prefill",
            [t.prefill_s for t in timings],
            provenance=llm_prov,
            tokens=first.prefill_tokens,
            prompt_tokens=prompt.tokens,
            note=f"{first.prefill_tokens} positions: {prompt.tokens} question tokens + template and image tokens",
            **llm_common,
        )
    )
    figs.append(
        repeated(
            "ttft",
            [t.ttft_s for t in timings],
            provenance=F.weakest(F.HOST, enc_prov, llm_prov),
            prompt_tokens=prompt.tokens,
            note="image in -> first answer token: preprocess + encode + prefill + sampling",
            **{**llm_common, "backend": f"{first.encoder_backend} encoder + int4 decoder"},
        )
    )
    decoding = [t for t in timings if t.decode_steps > 0]
    if decoding:
        figs.append(
            repeated(
                "decode",
                [t.decode_tok_s for t in decoding],
                provenance=llm_prov,
                tokens=decoding[0].decode_steps,
                note="decode steps after the first token, per second",
                **llm_common,
            )
        )
    else:
        notes.append("no run decoded past its first token (end of sequence at once): no decode figure")
    peak = max(t.peak_rss_mb for t in timings)
    figs.append(
        Figure(
            stage="peak_rss",
            value=peak,
            stat="max",
            provenance=F.HOST,
            n=len(timings),
            note="peak resident set of the whole bench process (ru_maxrss), in MiB",
            **{**common, "device": host},
        )
    )

    latency_run = None
    if decoding:
        ranked = sorted(range(len(timings)), key=lambda i: timings[i].decode_tok_s)
        ranked = [i for i in ranked if timings[i].decode_steps > 0]
        pick = ranked[len(ranked) // 2]
        latency_run = {
            "run": pick,
            "why": "the run with the median decode speed",
            "latencies_s": list(timings[pick].token_latencies_s),
            "provenance": llm_prov,
        }

    settings = {
        "mode": config.mode,
        "runs": config.runs,
        "warmup": config.warmup,
        "image": str(config.image),
        "prompt": {
            "requested_tokens": prompt.requested,
            "text_tokens": prompt.tokens,
            "counted": COUNTED,
            "prefill_tokens": first.prefill_tokens,
            "template_and_image_tokens": first.prefill_tokens - prompt.tokens,
            "text": prompt.text,
        },
        "max_new_tokens": config.max_new_tokens,
        "stop_at_eos": config.stop_at_eos,
        "sampling": "greedy",
        "threads": config.threads,
    }
    return HostRun(
        settings=settings,
        bundle=bundle_info(pipe, config.target),
        runs=[_run_record(i, t) for i, t in enumerate(timings)],
        figures=figs,
        token_latency_run=latency_run,
        notes=notes,
    )
