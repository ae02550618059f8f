"""The int4 CPU decoder: LLM tensor rules, lazy loading, the torch reference, the ONNX graph and the runtime."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from conftest import TINY_25, TINY_26
from safetensors import safe_open
from safetensors.torch import save_file

from minicpmv_edge.errors import CheckpointError, EdgeError
from minicpmv_edge.export.blockquant import dequantize_blocks, quantize_blocks
from minicpmv_edge.export.decoder_onnx import DEFAULT_BLOCK_SIZE, export_decoder, quantize_embedding_int8
from minicpmv_edge.model.checkpoint import INDEX_NAME, LazyWeights, load_weights, open_checkpoint
from minicpmv_edge.model.hf_names import llm_rules
from minicpmv_edge.model.llm import LLM, load_llm, logit_divisor, residual_scale
from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
from minicpmv_edge.presets import MINICPM_LLAMA3_V_2_5, MINICPM_V_2, MINICPM_V_2_6, TINY
from minicpmv_edge.runtime.decoder import ContextOverflowError, DecoderMemory, Int4Decoder, kv_cache_bytes
from minicpmv_edge.runtime.memory import node_first

POSITIONS = 64
_SMALL_LLM = dict(
    hidden_size=256, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=640, vocab_size=2048
)  # fmt: skip
# the 2.5 / 2.6 families at toy width, with real GQA (2 KV heads for 4 query heads) and 2.6's q/k/v biases
TINY_LLAMA = replace(TINY_25, llm=replace(MINICPM_LLAMA3_V_2_5.llm, **_SMALL_LLM, max_position_embeddings=2048))
TINY_QWEN2 = replace(TINY_26, llm=replace(MINICPM_V_2_6.llm, **_SMALL_LLM, max_position_embeddings=2048))
# TINY's hidden size equals dim_model_base (256), so its logit divisor is 1: this variant divides by 8 (2.0: 9)
TINY_DIV8 = replace(TINY, name="tiny-div8", llm=replace(TINY.llm, dim_model_base=32))
ARCHS = {"minicpm": TINY, "minicpm-div8": TINY_DIV8, "llama": TINY_LLAMA, "qwen2": TINY_QWEN2}


@pytest.fixture(scope="module")
def llm_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("llm_ckpt")
    return {
        arch: write_synthetic_checkpoint(p, root / arch, parts=("llm",), shard_bytes=1_000_000)
        for arch, p in ARCHS.items()
    }


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory: pytest.TempPathFactory, llm_checkpoints: dict[str, Path]) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("decoder")
    weights = LazyWeights(open_checkpoint(llm_checkpoints["minicpm"]), TINY, ("llm",))
    return out, export_decoder(weights, TINY, out)


def _ids(n: int = POSITIONS, vocab: int = 2048, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, vocab, n)


def _teacher_forced(decoder: Int4Decoder, embeds: np.ndarray) -> np.ndarray:
    """Logits `[n, V]` for every position: prefill the first row, then one step per row."""
    decoder.reset()
    return np.stack([decoder.prefill(embeds[:1])] + [decoder.step(e) for e in embeds[1:]])


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


# --- tensor names and loading --------------------------------------------------------------------------------


def test_official_llm_tensor_counts() -> None:
    """llm.* counts of the real releases' weight maps: 9 per layer (12 with q/k/v biases) + embed, norm, lm_head."""
    assert len(llm_rules(MINICPM_V_2)) == 40 * 9 + 3
    assert len(llm_rules(MINICPM_LLAMA3_V_2_5)) == 32 * 9 + 3
    assert len(llm_rules(MINICPM_V_2_6)) == 28 * 12 + 3
    shapes = {r.official: r.shape for r in llm_rules(MINICPM_V_2_6)}
    assert shapes["llm.model.layers.0.self_attn.k_proj.weight"] == (512, 3584)  # 4 KV heads x 128
    assert shapes["llm.model.layers.0.self_attn.k_proj.bias"] == (512,)
    assert "llm.model.layers.0.self_attn.o_proj.bias" not in shapes
    assert shapes["llm.lm_head.weight"] == (151666, 3584)


@pytest.mark.parametrize("arch", list(ARCHS))
def test_llm_round_trip_is_exact(llm_checkpoints: dict[str, Path], arch: str) -> None:
    preset = ARCHS[arch]
    ckpt = open_checkpoint(llm_checkpoints[arch])
    assert len({p.name for p in ckpt.files.values()}) > 1  # really sharded
    ours = load_weights(ckpt, preset, ("llm",))
    lazy = LazyWeights(ckpt, preset, ("llm",))
    assert set(lazy) == set(ours) and len(lazy) == len(ours)
    for rule in llm_rules(preset):
        with safe_open(ckpt.files[rule.official], framework="pt") as f:
            stored = f.get_tensor(rule.official).float()
        assert torch.equal(rule.to_official(ours), stored), rule.official
        assert torch.equal(lazy[rule.ours[0]], stored), rule.official
    norm = ours["llm.layers.0.input_norm.weight"]
    assert 0.5 < norm.mean() < 1.5  # RMSNorm gains start near 1
    load_llm(ckpt, preset)  # strict load_state_dict: our names are exactly the module's


def test_vision_and_llm_parts_together(tmp_path: Path) -> None:
    path = write_synthetic_checkpoint(TINY, tmp_path / "both", parts=("vision", "llm"))
    ckpt = open_checkpoint(path)
    both = load_weights(ckpt, TINY, ("vision", "llm"))
    assert any(k.startswith("vision.") for k in both) and any(k.startswith("llm.") for k in both)
    assert set(load_weights(ckpt, TINY, ("llm",))) == {k for k in both if k.startswith("llm.")}


def test_missing_and_unexpected_llm_tensors_are_listed(tmp_path: Path, llm_checkpoints: dict[str, Path]) -> None:
    path = tmp_path / "broken"
    shutil.copytree(llm_checkpoints["minicpm"], path)
    index = json.loads((path / INDEX_NAME).read_text())
    shard = path / index["weight_map"]["llm.model.layers.0.self_attn.q_proj.weight"]
    with safe_open(shard, framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
    tensors.pop("llm.model.layers.0.self_attn.q_proj.weight")
    tensors["llm.model.layers.0.self_attn.o_proj.bias"] = torch.zeros(256)  # MiniCPM has no biases
    save_file(tensors, shard)
    index["weight_map"] = {k: v for k, v in index["weight_map"].items() if v != shard.name}
    index["weight_map"] |= dict.fromkeys(tensors, shard.name)
    (path / INDEX_NAME).write_text(json.dumps(index))
    for load in (load_weights, LazyWeights):
        with pytest.raises(CheckpointError) as err:
            load(open_checkpoint(path), TINY, ("llm",))
        msg = str(err.value)
        assert "\n" not in msg
        assert "1 missing tensors (llm.model.layers.0.self_attn.q_proj.weight)" in msg
        assert "1 unexpected tensors (llm.model.layers.0.self_attn.o_proj.bias)" in msg


# --- reference semantics ---------------------------------------------------------------------------------------


def test_minicpm_equals_its_llama_conversion() -> None:
    """MiniCPM scaling == Llama with the public conversion's folding (embed*scale_emb, o/down*scale_depth/sqrt(L),
    lm_head/(hidden/dim_model_base)): the reference's three MiniCPM factors sit where the HF code puts them."""
    torch.manual_seed(0)
    cfg = TINY_DIV8.llm
    minicpm = LLM(cfg).eval()
    for p in minicpm.parameters():
        torch.nn.init.normal_(p, std=0.05)
    llama = LLM(replace(cfg, arch="llama", scale_emb=1.0, scale_depth=None, dim_model_base=None)).eval()
    state = minicpm.state_dict()
    r, d = residual_scale(cfg), logit_divisor(cfg)
    assert r == pytest.approx(1.4 / 2**0.5) and d == 8.0
    state["embedding.weight"] = state["embedding.weight"] * cfg.scale_emb
    state["lm_head.weight"] = state["lm_head.weight"] / d
    for i in range(cfg.num_layers):
        for name in (f"layers.{i}.attn.o.weight", f"layers.{i}.mlp.down.weight"):
            state[name] = state[name] * r
    llama.load_state_dict(state)
    ids = torch.from_numpy(_ids(16))
    with torch.no_grad():
        assert torch.allclose(minicpm.embed_tokens(ids), llama.embed_tokens(ids), atol=1e-6)
        x = minicpm.embed_tokens(ids)
        assert torch.allclose(minicpm(x), llama(x), atol=1e-5)


def test_scale_emb_touches_text_embeddings_only(tiny_export: tuple[Path, dict]) -> None:
    """scale_emb multiplies looked-up token rows; spliced (image) embeddings and the graph never see it."""
    out, section = tiny_export
    assert section["scale_emb"] == 12.0 and "scale_emb" not in json.dumps(section["quantization"])
    base = Int4Decoder(out, section, max_context=64)
    halved = Int4Decoder(out, {**section, "scale_emb": 6.0}, max_context=64)
    ids = _ids(8)
    np.testing.assert_allclose(base.embed(ids), 2 * halved.embed(ids), rtol=1e-6)
    image = np.random.default_rng(2).normal(0, 0.5, (8, 256)).astype(np.float32)
    np.testing.assert_array_equal(base.prefill(image), halved.prefill(image))
    # the torch reference agrees: only embed_tokens depends on scale_emb, forward does not
    model = LLM(TINY.llm).eval()
    other = LLM(replace(TINY.llm, scale_emb=6.0)).eval()
    other.load_state_dict(model.state_dict())
    with torch.no_grad():
        t = torch.from_numpy(ids)
        assert torch.allclose(model.embed_tokens(t), 2 * other.embed_tokens(t))
        x = torch.from_numpy(image)[None]
        assert torch.equal(model(x), other(x))


# --- quantization ----------------------------------------------------------------------------------------------


def test_int4_packing_round_trip() -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.02, (48, 96)).astype(np.float32)
    packed, scales = quantize_blocks(w, 32)
    assert packed.shape == (48, 3, 16) and packed.dtype == np.uint8 and scales.shape == (48, 3)
    deq = dequantize_blocks(packed, scales, 96)
    step = np.abs(w).reshape(48, 3, 32).max(-1, keepdims=True) / 8
    err = np.abs(deq - w).reshape(48, 3, 32)
    assert np.all(err <= step + 1e-7)  # a full step only where +8 clips to +7 (opposite sign of the extreme)
    assert np.mean(err <= step / 2 + 1e-7) > 0.98  # half a step everywhere else
    rel = np.sqrt(((deq - w) ** 2).mean()) / w.std()
    assert 0.04 < rel < 0.10  # ~7% RMS: the noise level the embedding choice is compared against
    # codes use the full [-8, 7] range, and the fold factor only changes the scales
    assert (packed & 0x0F).min() == 0
    packed2, scales2 = quantize_blocks(w, 32, factor=0.25)
    assert np.array_equal(packed2, packed) and np.allclose(scales2, scales * 0.25)


def test_embedding_storage_errors() -> None:
    table = torch.randn(512, 256, generator=torch.Generator().manual_seed(0)).mul(0.02).bfloat16().float().numpy()
    codes, scales = quantize_embedding_int8(table)
    deq = codes.astype(np.float32) * scales[:, None]
    rel = np.sqrt(((deq - table) ** 2).mean()) / np.sqrt((table**2).mean())
    assert rel < 0.01
    assert np.abs(table.astype(np.float16).astype(np.float32) - table).max() < 1e-7  # bf16 fits fp16


# --- the ONNX decoder against the torch teacher ----------------------------------------------------------------


def _fake_quant(model: LLM, cfg, block_size: int = DEFAULT_BLOCK_SIZE) -> None:
    """Replace every linear weight by its int4 round trip, folded the way the exporter folds it."""
    r, d = residual_scale(cfg), logit_divisor(cfg)
    with torch.no_grad():
        for name, mod in model.named_modules():
            if isinstance(mod, torch.nn.Linear):
                fold = r if name.endswith(("attn.o", "mlp.down")) else 1 / d if name == "lm_head" else 1.0
                w = mod.weight.numpy()
                deq = dequantize_blocks(*quantize_blocks(w, block_size, fold), w.shape[1]) / fold
                mod.weight.copy_(torch.from_numpy(deq))


@pytest.mark.parametrize("arch", list(ARCHS))
def test_graph_matches_int4_teacher(tmp_path: Path, llm_checkpoints: dict[str, Path], arch: str) -> None:
    """With the same int4 weights in torch and fp32 activations in ORT, the graph is the reference's math:
    RMSNorm, rotate-half RoPE, GQA head grouping, biases, SwiGLU, MiniCPM scaling, cached decoding."""
    preset = ARCHS[arch]
    ckpt = open_checkpoint(llm_checkpoints[arch])
    section = export_decoder(LazyWeights(ckpt, preset, ("llm",)), preset, tmp_path, accuracy_level=0)
    teacher = load_llm(ckpt, preset)
    _fake_quant(teacher, preset.llm)
    with torch.no_grad():
        embeds = teacher.embed_tokens(torch.from_numpy(_ids()))
        expected = teacher(embeds)[0].numpy()
    got = _teacher_forced(Int4Decoder(tmp_path, section, max_context=POSITIONS), embeds[0].numpy())
    assert np.array_equal(got.argmax(-1), expected.argmax(-1))
    assert _cosine(got, expected).min() > 0.99999
    np.testing.assert_allclose(got, expected, atol=1e-3 * np.abs(expected).max())


def _bigram_lm_head(weights: LazyWeights, beta: float, seed: int = 3) -> dict[str, torch.Tensor]:
    """The synthetic weights with a peaked, context-dependent head: lm_head += beta * embedding[perm].

    Random N(0, 0.02) weights give near-uniform logits (entropy 7.58 of 7.62 nats over 2048 tokens; top-1 to
    top-2 gap 0.085 for a logit std of 0.31), so their top-1 flips on int4 noise alone. Adding a permuted copy of
    the embeddings makes each token predict a fixed successor (a random bigram model) through the whole decoder;
    beta=2 (times MiniCPM's lm_head divisor hidden/dim_model_base, which the model divides out again) gives a
    teacher entropy of 1.6 nats (top-1 probability 0.85), like a trained LM on ordinary text.
    """
    state = {name: weights[name] for name in weights}
    perm = torch.randperm(state["llm.embedding.weight"].shape[0], generator=torch.Generator().manual_seed(seed))
    state["llm.lm_head.weight"] = state["llm.lm_head.weight"] + beta * state["llm.embedding.weight"][perm]
    return state


def test_int4_decoder_vs_fp32_teacher(tmp_path: Path, llm_checkpoints: dict[str, Path]) -> None:
    """The real deliverable on the tiny preset: int4 weights, int8-activation kernels (accuracy_level 4), int8
    embeddings, against the fp32 teacher, teacher-forced over 64 positions: top-1 >= 90%, logit cosine >= 0.99."""
    ckpt = open_checkpoint(llm_checkpoints["minicpm"])
    ids = _ids()

    # plain random init: the cosine bar holds (measured min 0.9955); top-1 is only 0.80 because the logits are
    # flat (see `_bigram_lm_head`), so it is not asserted here
    section = export_decoder(LazyWeights(ckpt, TINY, ("llm",)), TINY, tmp_path / "plain")
    teacher = load_llm(ckpt, TINY)
    with torch.no_grad():
        expected = teacher(teacher.embed_tokens(torch.from_numpy(ids)))[0].numpy()
    decoder = Int4Decoder(tmp_path / "plain", section, max_context=POSITIONS)
    got = _teacher_forced(decoder, decoder.embed(ids))
    assert _cosine(got, expected).min() >= 0.99

    # peaked logits: both bars
    state = _bigram_lm_head(LazyWeights(ckpt, TINY, ("llm",)), beta=2.0 * logit_divisor(TINY.llm))
    section = export_decoder(state, TINY, tmp_path / "peaked")
    teacher.lm_head.weight.data.copy_(state["llm.lm_head.weight"])
    with torch.no_grad():
        expected = teacher(teacher.embed_tokens(torch.from_numpy(ids)))[0].numpy()
    probs = torch.softmax(torch.from_numpy(expected), -1)
    assert probs.max(-1).values.mean() > 0.5  # the teacher is confident, as intended
    decoder = Int4Decoder(tmp_path / "peaked", section, max_context=POSITIONS)
    got = _teacher_forced(decoder, decoder.embed(ids))
    assert (got.argmax(-1) == expected.argmax(-1)).mean() >= 0.90
    assert _cosine(got, expected).min() >= 0.99


def test_fp16_kv_cache_matches_fp32(tmp_path: Path, llm_checkpoints: dict[str, Path]) -> None:
    """The fp16 KV cache (the default: half the cache memory) against an fp32 cache, same int4 weights, teacher-
    forced over 64 positions, plain and peaked heads. Measured (block 128): logit cosine >= 0.99997 on both; greedy
    agreement 100% on the peaked head, 95% on the plain head, whose top-1 to top-2 gaps are smaller than that noise."""
    ckpt = open_checkpoint(llm_checkpoints["minicpm"])
    ids = _ids()
    peaked = _bigram_lm_head(LazyWeights(ckpt, TINY, ("llm",)), beta=2.0 * logit_divisor(TINY.llm))
    for label, weights in (("plain", LazyWeights(ckpt, TINY, ("llm",))), ("peaked", peaked)):
        logits = {}
        for kv in ("float32", "float16"):
            section = export_decoder(weights, TINY, tmp_path / f"{label}-{kv}", kv_dtype=kv)
            assert section["kv_cache"]["dtype"] == kv
            decoder = Int4Decoder(tmp_path / f"{label}-{kv}", section, max_context=POSITIONS)
            assert decoder.kv_cache[0].data_type() == f"tensor({'float16' if kv == 'float16' else 'float'})"
            logits[kv] = _teacher_forced(decoder, decoder.embed(ids))
        full, half = logits["float32"], logits["float16"]
        assert _cosine(full, half).min() > 0.9999, label
        if label == "peaked":  # the plain head's near-flat logits flip on any noise (see `_bigram_lm_head`)
            assert (full.argmax(-1) == half.argmax(-1)).mean() >= 0.98, label
    assert kv_cache_bytes(decoder.llm, 2048) * 2 == kv_cache_bytes(
        replace(decoder.llm, kv_cache={"dtype": "float32"}), 2048
    )


# --- runtime: cache, buffers, limits ---------------------------------------------------------------------------


def test_cached_decode_equals_full_recompute(tmp_path: Path, llm_checkpoints: dict[str, Path]) -> None:
    """Steps through the shared KV buffer give what a fresh prefill of the whole prefix gives.

    Exact at accuracy_level 0. At level 4 MLAS picks another int4 kernel for prefills of more than ~32 rows than
    for the 1-row decode step, so the two agree only to the int8-activation noise (checked separately, looser).
    """
    ckpt = open_checkpoint(llm_checkpoints["llama"])  # real GQA: 2 KV heads for 4 query heads
    for level, atol, min_cos in ((0, 1e-5, 0.9999999), (4, 2e-2, 0.9999)):
        out = tmp_path / f"level{level}"
        # an fp32 cache, so level 0 is exact (fp16 attention rounds differently in its prefill and decode kernels;
        # the fp16 cache is checked against fp32 in test_fp16_kv_cache_matches_fp32)
        weights = LazyWeights(ckpt, TINY_LLAMA, ("llm",))
        section = export_decoder(weights, TINY_LLAMA, out, accuracy_level=level, kv_dtype="float32")
        decoder = Int4Decoder(out, section, max_context=POSITIONS)
        embeds = decoder.embed(_ids(48))
        cached = _teacher_forced(decoder, embeds)
        assert decoder.position == 48
        for t in (0, 1, 7, 31, 32, 33, 47):
            decoder.reset()
            full = decoder.prefill(embeds[: t + 1])
            scale = np.abs(full).max()
            np.testing.assert_allclose(cached[t], full, atol=atol * scale, err_msg=f"level {level}, position {t}")
            assert _cosine(cached[t], full) >= min_cos
        # a prefill that continues a context (chunked prefill, a follow-up turn) equals one long prefill
        decoder.reset()
        decoder.prefill(embeds[:20])
        chunked = decoder.prefill(embeds[20:40])
        decoder.reset()
        np.testing.assert_allclose(chunked, decoder.prefill(embeds[:40]), atol=atol * np.abs(chunked).max())


def test_kv_cache_is_updated_in_place(tiny_export: tuple[Path, dict]) -> None:
    out, section = tiny_export
    decoder = Int4Decoder(out, section, max_context=32)
    cache = decoder.kv_cache
    assert len(cache) == 2 * TINY.llm.num_layers
    assert cache[0].shape() == [1, TINY.llm.num_kv_heads, 32, TINY.llm.head_dim]
    assert kv_cache_bytes(decoder.llm, 32) == sum(v.numpy().nbytes for v in cache)
    full = replace(decoder.llm, num_layers=40, num_kv_heads=36, head_dim=64, kv_cache={"dtype": "float32"})  # 2.0
    assert kv_cache_bytes(full, 2048) == 1_509_949_440
    pointers = [v.data_ptr() for v in cache]
    embeds = decoder.embed(_ids(6))
    decoder.prefill(embeds[:5])
    after_prefill = [v.numpy().copy() for v in cache]
    for buf in after_prefill:
        assert np.abs(buf[:, :, :5]).min(axis=-1).max() > 0  # the 5 positions were written in our buffers
        assert not buf[:, :, 5:].any()  # and nothing else
    decoder.step(embeds[5])
    assert [v.data_ptr() for v in decoder.kv_cache] == pointers
    for value, before in zip(decoder.kv_cache, after_prefill, strict=True):
        now = value.numpy()
        assert np.array_equal(now[:, :, :5], before[:, :, :5])  # old positions untouched
        assert now[:, :, 5].any() and not now[:, :, 6:].any()  # exactly one new position


def test_grown_kv_cache_gives_the_preallocated_logits(tiny_export: tuple[Path, dict]) -> None:
    """A cache that starts at 8 positions and grows in chunks of 8 (through a prefill that jumps two chunks and
    steps across chunk edges) gives bit-identical logits to one preallocated for max_context; its buffers hold
    only the chunks in use, and reset gives the memory back."""
    out, section = tiny_export
    full = Int4Decoder(out, section, max_context=48, memory=DecoderMemory(kv_chunk=None))
    grown = Int4Decoder(out, section, max_context=48, memory=DecoderMemory(kv_chunk=8))
    assert (full.kv_capacity, grown.kv_capacity) == (48, 8)
    embeds = full.embed(_ids(48))
    expected = [full.prefill(embeds[:5]), full.prefill(embeds[5:22])]
    got = [grown.prefill(embeds[:5]), grown.prefill(embeds[5:22])]
    capacities = [grown.kv_capacity]
    for row in embeds[22:]:
        expected.append(full.step(row))
        got.append(grown.step(row))
        capacities.append(grown.kv_capacity)
    np.testing.assert_array_equal(np.stack(got), np.stack(expected))
    assert capacities[0] == 24 and capacities[-1] == 48 and capacities == sorted(capacities)
    assert sorted(set(capacities)) == [24, 32, 40, 48]
    assert sum(v.numpy().nbytes for v in grown.kv_cache) == kv_cache_bytes(grown.llm, 48)
    with pytest.raises(ContextOverflowError):
        grown.step(embeds[0])  # max_context stays the limit
    grown.reset()
    assert grown.kv_capacity == 8 and grown.kv_cache[0].shape()[2] == 8
    np.testing.assert_array_equal(grown.prefill(embeds[:5]), expected[0])  # the shrunk cache starts clean
    grown.reserve(33)  # room made ahead keeps the filled rows too
    assert grown.kv_capacity == 40
    np.testing.assert_array_equal(grown.prefill(embeds[5:22]), expected[1])
    with pytest.raises(ContextOverflowError):
        grown.reserve(49)
    with pytest.raises(EdgeError, match="kv_chunk"):
        Int4Decoder(out, section, memory=DecoderMemory(kv_chunk=0))


def test_weight_memory_levers_change_no_logit(tiny_export: tuple[Path, dict]) -> None:
    """Dropping ORT's unused weight pages and listing lm_head first change memory only: the same logits."""
    out, section = tiny_export
    embeds = Int4Decoder(out, section, max_context=16).embed(_ids(9))
    logits = []
    for on in (False, True):
        memory = DecoderMemory(drop_unused_weight_pages=on, lm_head_first=on)
        decoder = Int4Decoder(out, section, max_context=16, memory=memory)
        logits.append([decoder.prefill(embeds[:8]), decoder.step(embeds[8])])
    np.testing.assert_array_equal(np.stack(logits[0]), np.stack(logits[1]))


def test_node_first_moves_only_the_logits_node(tiny_export: tuple[Path, dict]) -> None:
    out, section = tiny_export
    raw = (out / section["onnx"]).read_bytes()
    moved = node_first(raw, section["outputs"]["logits"])
    assert moved is not None and len(moved) == len(raw)
    before, after = onnx.load_from_string(raw), onnx.load_from_string(moved)
    assert before.graph.node[0].op_type != "MatMulNBits"
    assert after.graph.node[0].op_type == "MatMulNBits" and list(after.graph.node[0].output) == ["logits"]
    assert sorted(n.SerializeToString() for n in after.graph.node) == sorted(
        n.SerializeToString() for n in before.graph.node
    )
    assert [n.name for n in after.graph.node[1:]] == [n.name for n in before.graph.node if n.output[0] != "logits"]
    after.graph.ClearField("node")
    before.graph.ClearField("node")
    assert after.SerializeToString() == before.SerializeToString()  # nothing else touched
    assert node_first(raw, "no-such-output") is None


def test_context_overflow_is_one_line(tiny_export: tuple[Path, dict]) -> None:
    out, section = tiny_export
    decoder = Int4Decoder(out, section, max_context=16)
    embeds = decoder.embed(_ids(20))
    with pytest.raises(EdgeError, match=r"^prompt plus image tokens \(20\) exceed the context length 16$"):
        decoder.prefill(embeds)
    assert decoder.position == 0
    decoder.prefill(embeds[:15])
    decoder.step(embeds[15])
    with pytest.raises(ContextOverflowError, match="context length 16"):
        decoder.step(embeds[16])
    assert decoder.position == 16
    with pytest.raises(EdgeError, match="max_context"):
        Int4Decoder(out, section, max_context=TINY.llm.max_position_embeddings + 1)


def test_manifest_section_and_files(tiny_export: tuple[Path, dict]) -> None:
    out, section = tiny_export
    json.dumps(section)  # JSON-able
    assert sorted(p.name for p in out.iterdir()) == sorted(section["files"])
    assert section["embedding"]["storage"] == "int8-per-row"
    assert section["quantization"]["block_size"] == 128 and section["quantization"]["accuracy_level"] == 4
    assert section["outputs"]["logits_positions"] == "last"
    assert (out / section["onnx"]).stat().st_size < 64 * 1024  # weights are external
    data = (out / section["onnx_data"]).stat().st_size
    assert data > TINY.llm.vocab_size * TINY.llm.hidden_size // 2  # at least lm_head's int4 codes


def test_fp16_embeddings_and_block_size(tmp_path: Path, llm_checkpoints: dict[str, Path]) -> None:
    ckpt = open_checkpoint(llm_checkpoints["qwen2"])
    weights = LazyWeights(ckpt, TINY_QWEN2, ("llm",))
    section = export_decoder(weights, TINY_QWEN2, tmp_path, block_size=64, accuracy_level=0, embedding="fp16")
    assert section["embedding"] == {"storage": "fp16", "table": "embed_tokens.fp16.npy", "shape": [2048, 256]}
    decoder = Int4Decoder(tmp_path, section, max_context=8, threads=1)
    ids = _ids(4)
    np.testing.assert_allclose(decoder.embed(ids), weights["llm.embedding.weight"].numpy()[ids], atol=1e-7)
    assert decoder.prefill(decoder.embed(ids)).shape == (2048,)
    with pytest.raises(ValueError, match="block_size"):
        export_decoder(weights, TINY_QWEN2, tmp_path / "bad", block_size=48)
