"""Would an int8 KV cache hold accuracy? A probe on the tiny preset, not a runtime feature.

ONNX Runtime's CPU GroupQueryAttention (1.32) takes an int8 cache with static scales (`k_quant_type` /
`v_quant_type` PER_CHANNEL, `kv_cache_bit_width` 8, `k_scale` / `v_scale` inputs; fp32 q/k/v). This script
builds that variant of the exported fp32-cache decoder, with one scale per (KV head, channel) = the absolute
maximum that channel reaches (post-RoPE keys, values) on a calibration sequence, divided by 127 and times
`--margin`, and compares it teacher-forced over 64 other positions against the fp32 cache, next to the fp16 cache
(the export default): logit cosine and greedy (argmax) agreement, on the tiny preset's plain synthetic weights and
on the peaked-teacher variant (lm_head += 2 x divisor x embedding[perm], as tests/test_decoder.py builds it: a
confident, bigram-like head whose top-1 does not flip on noise alone). Synthetic weights, host-measured.

What it leaves out: calibration on real activations (synthetic weights only), the full-size speed of fp32
attention on an int8 cache, and the export/runtime/Java support a real int8 cache needs.

    python benchmarks/kv_int8_probe.py [--margin 1.0] [--positions 64]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from minicpmv_edge.bench.machine import machine_info
from minicpmv_edge.export.decoder_onnx import export_decoder
from minicpmv_edge.model.checkpoint import LazyWeights, open_checkpoint
from minicpmv_edge.model.llm import logit_divisor
from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
from minicpmv_edge.presets import TINY
from minicpmv_edge.runtime.decoder import Int4Decoder

RESULTS = Path(__file__).resolve().parent / "results"
K_SCALE_INPUT = 12  # GroupQueryAttention input index of k_scale (v_scale follows)


def _teacher_forced(decoder: Int4Decoder, embeds: np.ndarray) -> np.ndarray:
    decoder.reset()
    return np.stack([decoder.prefill(embeds[:1])] + [decoder.step(e) for e in embeds[1:]])


def _agreement(ref: np.ndarray, got: np.ndarray) -> dict[str, float]:
    cos = (ref * got).sum(-1) / np.linalg.norm(ref, axis=-1) / np.linalg.norm(got, axis=-1)
    return {
        "min_logit_cosine": float(cos.min()),
        "mean_logit_cosine": float(cos.mean()),
        "greedy_agreement": float((ref.argmax(-1) == got.argmax(-1)).mean()),
    }


def _int8_variant(folder: Path, section: dict[str, Any], scales: list[np.ndarray]) -> dict[str, Any]:
    """`folder`'s fp32-cache graph with an int8 cache: cache types, GQA attributes, per-channel scales."""
    model = onnx.load(str(folder / section["onnx"]), load_external_data=False)
    for value in [*model.graph.input, *model.graph.output]:
        if value.name.startswith(("past_", "present_")):
            value.type.tensor_type.elem_type = TensorProto.INT8
    layer = 0
    for node in model.graph.node:
        if node.op_type != "GroupQueryAttention":
            continue
        node.attribute.extend(
            [
                helper.make_attribute("k_quant_type", "PER_CHANNEL"),
                helper.make_attribute("v_quant_type", "PER_CHANNEL"),
                helper.make_attribute("kv_cache_bit_width", 8),
            ]
        )
        node.input.extend([""] * (K_SCALE_INPUT - len(node.input)) + [f"l{layer}.k_scale", f"l{layer}.v_scale"])
        for name, scale in ((f"l{layer}.k_scale", scales[2 * layer]), (f"l{layer}.v_scale", scales[2 * layer + 1])):
            model.graph.initializer.append(numpy_helper.from_array(scale.astype(np.float32), name))
        layer += 1
    onnx.save(model, str(folder / "decoder_int8kv.onnx"))
    return {**section, "onnx": "decoder_int8kv.onnx", "kv_cache": {**section["kv_cache"], "dtype": "int8"}}


def _peaked(weights: LazyWeights, seed: int = 3) -> dict[str, torch.Tensor]:
    state = {name: weights[name] for name in weights}
    perm = torch.randperm(state["llm.embedding.weight"].shape[0], generator=torch.Generator().manual_seed(seed))
    beta = 2.0 * logit_divisor(TINY.llm)
    state["llm.lm_head.weight"] = state["llm.lm_head.weight"] + beta * state["llm.embedding.weight"][perm]
    return state


def probe(work: Path, margin: float, positions: int) -> dict[str, Any]:
    ckpt = open_checkpoint(write_synthetic_checkpoint(TINY, work / "ckpt", parts=("llm",), shard_bytes=1_000_000))
    rng_eval, rng_calib = np.random.default_rng(1), np.random.default_rng(2)
    ids = rng_eval.integers(0, TINY.llm.vocab_size, positions)
    calib = rng_calib.integers(0, TINY.llm.vocab_size, positions)
    out: dict[str, Any] = {}
    plain = LazyWeights(ckpt, TINY, ("llm",))
    for label, weights in (("plain", plain), ("peaked", _peaked(plain))):
        logits, sections = {}, {}
        for kv in ("float32", "float16"):
            sections[kv] = export_decoder(weights, TINY, work / f"{label}-{kv}", kv_dtype=kv)
            decoder = Int4Decoder(work / f"{label}-{kv}", sections[kv], max_context=positions)
            logits[kv] = _teacher_forced(decoder, decoder.embed(ids))
        folder, section = work / f"{label}-float32", sections["float32"]
        calibrate = Int4Decoder(folder, section, max_context=positions)
        calibrate.prefill(calibrate.embed(calib))
        # [1, KV, S, D] per buffer -> per (head, channel) absmax -> scale [1, KV, 1, D]
        scales = [
            np.maximum(np.abs(v.numpy()[:, :, :positions]).max(axis=2, keepdims=True), 1e-6) / 127 * margin
            for v in calibrate.kv_cache
        ]
        quantized = Int4Decoder(folder, _int8_variant(folder, section, scales), max_context=positions)
        assert quantized.kv_cache[0].data_type() == "tensor(int8)"
        logits["int8"] = _teacher_forced(quantized, quantized.embed(ids))
        out[label] = {kv: _agreement(logits["float32"], logits[kv]) for kv in ("float16", "int8")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--margin", type=float, default=1.0, help="scale = calibration absmax / 127 x margin")
    parser.add_argument("--positions", type=int, default=64)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-kv-int8-") as work:
        agreement = probe(Path(work), args.margin, args.positions)
    result = {
        "benchmark": "kv_int8_probe",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "provenance": "host-measured",
        "weights": "synthetic (tiny preset; plain and peaked-teacher heads)",
        "method": f"teacher-forced over {args.positions} positions vs the fp32 cache, same int4 weights; int8: "
        f"static per-(head, channel) scales = absmax on a different {args.positions}-position sequence / 127 "
        f"x {args.margin}",
        "machine": machine_info(1),
        "agreement_vs_fp32_cache": agreement,
    }
    print(json.dumps(agreement, indent=2))
    out = args.out or RESULTS / f"kv_int8_probe-{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
