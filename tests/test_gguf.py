"""llama.cpp GGUF files in: mmproj -> the same encoder as the HF path, Q4_0 carried over bit for bit, tokenizer
rebuilt from metadata, wrong or broken files refused in one line with nothing written, `--decoder llamacpp`.

The GGUF files are written here from the session's synthetic checkpoints by `gguf_fixtures` (llama.cpp's names and
layout quirks, spelled out independently of the loader's tables).
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import gguf
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from gguf_fixtures import TINY_SHAPED_26, llama_permute, tiny_shaped, write_llm, write_mmproj
from onnx import numpy_helper

from minicpmv_edge.cli import main
from minicpmv_edge.export.blockquant import dequantize_blocks
from minicpmv_edge.export.gguf_tokenizer import tokenizer_from_gguf
from minicpmv_edge.export.pipeline import ExportRequest, export_bundle
from minicpmv_edge.export.tokenizer import synthetic_tokenizer
from minicpmv_edge.model.checkpoint import load_weights, open_checkpoint
from minicpmv_edge.model.gguf_checkpoint import GgufCheckpoint
from minicpmv_edge.model.gguf_file import GgufFile
from minicpmv_edge.model.gguf_layout import q4_0_to_matmulnbits, rope_unpermute_rows
from minicpmv_edge.model.llm import residual_scale
from minicpmv_edge.numerics import cosine
from minicpmv_edge.presets import MINICPM_LLAMA3_V_2_5, MINICPM_V_2_6, TINY, ModelPreset

SAMPLE = Path(__file__).resolve().parent.parent / "minicpmv_edge" / "assets" / "sample.jpg"


@pytest.fixture(scope="module")
def gguf_files(tmp_path_factory: pytest.TempPathFactory, tiny_checkpoint: Path) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("gguf")
    return {
        "mmproj": write_mmproj(TINY, tiny_checkpoint, out / "mmproj-model-f32.gguf"),
        "llm": write_llm(TINY, tiny_checkpoint, out / "ggml-model-Q4_0.gguf"),
        "dir": out,
    }


@pytest.fixture(scope="module")
def gguf_bundle(tmp_path_factory: pytest.TempPathFactory, gguf_files: dict[str, Path]) -> Path:
    """The acceptance command, on the CLI, in process."""
    out = tmp_path_factory.mktemp("gguf-bundle") / "B"
    argv = ["-q", "export", "--model", "tiny", "--gguf-mmproj", str(gguf_files["mmproj"])]
    assert main([*argv, "--gguf-llm", str(gguf_files["llm"]), "--shapes", "280", "--out", str(out)]) == 0
    return out


def _one_error_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    stderr = capsys.readouterr().err.strip()
    errors = [line for line in stderr.splitlines() if line.startswith("minicpmv-edge")]  # not the progress log
    assert len(errors) == 1 and errors[0] == stderr.splitlines()[-1], stderr
    err = errors[0]
    assert err.startswith("minicpmv-edge: error:"), err
    for needle in needles:
        assert needle in err, err
    return err


def test_gguf_vision_weights_equal_the_hf_loaders(tiny_checkpoint: Path, gguf_files: dict[str, Path]) -> None:
    """Same in-memory weights as the HF path (2.0 family: timm names in HF, proj divided by scale_emb in GGUF)."""
    ckpt = GgufCheckpoint(TINY, gguf_files["mmproj"])
    assert ckpt.preset == TINY  # every dim read back from metadata + shapes, so the preset is the family's own
    hf = load_weights(open_checkpoint(tiny_checkpoint), TINY, ("vision",))
    ours = ckpt.load_vision_encoder().state_dict()
    assert ours.keys() == hf.keys()
    for name, tensor in hf.items():
        # f32 mmproj: exact but the patch embedding, which llama.cpp always stores in f16
        np.testing.assert_allclose(ours[name].numpy(), tensor.numpy(), rtol=1e-3, atol=1e-7, err_msg=name)


def test_gguf_preset_reads_a_reduced_26_from_the_files(tmp_path: Path) -> None:
    """A reduced-width 2.6 (Qwen2 family, HF tower names, fc1/fc2 under either naming) exports under --model 2.6."""
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint

    ckpt = write_synthetic_checkpoint(TINY_SHAPED_26, tmp_path / "ckpt", parts=("vision",))
    loaded = GgufCheckpoint(MINICPM_V_2_6, write_mmproj(TINY_SHAPED_26, ckpt, tmp_path / "mmproj.gguf", f16=True))
    assert loaded.preset.name == "minicpm-v-2_6-gguf"
    assert loaded.preset.vision == TINY_SHAPED_26.vision and loaded.preset.resampler == TINY_SHAPED_26.resampler
    hf = load_weights(open_checkpoint(ckpt), TINY_SHAPED_26, ("vision",))
    ours = loaded.load_vision_encoder().state_dict()
    for name, tensor in hf.items():
        np.testing.assert_allclose(ours[name].numpy(), tensor.numpy(), rtol=2e-3, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("family", [MINICPM_LLAMA3_V_2_5, MINICPM_V_2_6], ids=["2.5-llama3", "2.6-qwen2"])
def test_gguf_llm_weights_equal_the_hf_loaders(family: ModelPreset, tmp_path: Path) -> None:
    """Llama-3 (q/k permuted per head, GQA) and Qwen2 (biases, not permuted), F32 so the comparison is exact."""
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint

    preset = tiny_shaped(family, vocab_size=512)  # weights only: no vocabulary, so a small table will do
    ckpt = write_synthetic_checkpoint(preset, tmp_path / "ckpt", parts=("vision", "llm"))
    mmproj = write_mmproj(preset, ckpt, tmp_path / "mmproj.gguf")
    loaded = GgufCheckpoint(family, mmproj, write_llm(preset, ckpt, tmp_path / "llm.gguf", qtype="F32", vocab=False))
    assert loaded.preset.llm == preset.llm
    hf = load_weights(open_checkpoint(ckpt), preset, ("llm",))
    ours = loaded.llm_weights()
    assert set(ours) == set(hf)
    for name, tensor in hf.items():
        np.testing.assert_array_equal(ours[name], tensor.numpy(), err_msg=name)


def test_gguf_export_runs_and_matches_the_hf_export(gguf_bundle: Path, tiny_bundle: Path) -> None:
    manifest = json.loads((gguf_bundle / "manifest.json").read_text())
    source = manifest["model"]["source"]
    assert source["format"] == "gguf" and len(source["gguf_mmproj"]["sha256"]) == 64 and "gguf_llm" in source
    assert manifest["model"]["preset"] == "tiny" and manifest["model"]["synthetic"] is True
    assert manifest["llm"]["gguf"]["file"] == "model.gguf"
    assert "llm/model.gguf" in {f["path"] for f in manifest["files"]}
    pixels = np.random.default_rng(3).uniform(-1, 1, (1, 3, 280, 280)).astype(np.float32)
    outs = [
        ort.InferenceSession(str(b / "vision" / "encoder_280.onnx")).run(None, {"pixel_values": pixels})[0]
        for b in (gguf_bundle, tiny_bundle)
    ]
    assert cosine(outs[0], outs[1]) >= 0.99999


def test_gguf_bundle_answers(gguf_bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["-q", "run", str(gguf_bundle), "--image", str(SAMPLE), "--prompt", "What is this?"]
    assert main([*argv, "--max-new-tokens", "4", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tokens_generated"] >= 1 and result["decoder_backend"] == "onnxruntime-int4"


def test_q4_0_blocks_map_onto_matmulnbits_bit_for_bit() -> None:
    weights = np.random.default_rng(0).normal(0, 0.02, (48, 160)).astype(np.float32)
    weights[3, :32] = 0.0  # an all-zero block (scale 0)
    raw = gguf.quants.quantize(weights, gguf.GGMLQuantizationType.Q4_0)
    packed, scales = q4_0_to_matmulnbits(raw, 48, 160)
    theirs = gguf.quants.dequantize(raw, gguf.GGMLQuantizationType.Q4_0)
    assert np.array_equal(dequantize_blocks(packed, scales, 160), theirs)  # identical float32 bits
    d = raw.reshape(48, 5, 18)[..., :2].copy().view(np.float16)[..., 0]
    assert np.array_equal(scales, d.astype(np.float32))


def test_q4_0_llm_is_carried_into_the_decoder_unchanged(gguf_bundle: Path, gguf_files: dict[str, Path]) -> None:
    """The exported MatMulNBits bytes are the GGUF's Q4_0 codes, q/k rows back in HF order; MiniCPM's residual
    factor only multiplies the fp32 scales."""
    model = onnx.load(str(gguf_bundle / "llm" / "decoder.onnx"))
    init = {t.name: t for t in model.graph.initializer}

    def array(name: str) -> np.ndarray:
        return numpy_helper.to_array(init[name], base_dir=str(gguf_bundle / "llm"))

    file = GgufFile(gguf_files["llm"])
    cfg = TINY.llm
    parts = []
    for proj, heads in (("q", cfg.num_heads), ("k", cfg.num_kv_heads), ("v", None)):
        t = file.tensor(f"blk.0.attn_{proj}.weight")
        packed, scales = q4_0_to_matmulnbits(t.raw, *t.shape)
        order = rope_unpermute_rows(t.shape[0], heads) if heads else np.arange(t.shape[0])
        parts.append((packed[order], scales[order]))
    assert np.array_equal(array("l0.qkv.qweight"), np.concatenate([p for p, _ in parts]))
    assert np.array_equal(array("l0.qkv.scales"), np.concatenate([s for _, s in parts]))
    t = file.tensor("blk.1.attn_output.weight")
    packed, scales = q4_0_to_matmulnbits(t.raw, *t.shape)
    assert np.array_equal(array("l1.o.qweight"), packed)
    assert np.array_equal(array("l1.o.scales"), scales * np.float32(residual_scale(cfg)))
    errors = json.loads((gguf_bundle / "manifest.json").read_text())["llm"]["quantization"]["error_vs_source"]
    assert all(e["carried_over"] == e["tensors"] and e["rel_rms_max"] < 1e-6 for e in errors.values())


def test_loader_undoes_llamas_rope_permutation() -> None:
    w = np.arange(4 * 8 * 3, dtype=np.float32).reshape(32, 3)
    assert np.array_equal(llama_permute(w, 4)[rope_unpermute_rows(32, 4)], w)


@pytest.mark.parametrize("qtype", ["Q8_0", "F16"])
def test_other_types_are_requantized_with_their_error_reported(
    qtype: str, tiny_checkpoint: Path, gguf_files: dict[str, Path], tmp_path: Path
) -> None:
    llm = write_llm(TINY, tiny_checkpoint, tmp_path / f"llm-{qtype}.gguf", qtype=qtype)
    req = ExportRequest(preset=TINY, out=tmp_path / "B", parts=("llm",), gguf_mmproj=gguf_files["mmproj"], gguf_llm=llm)
    manifest = export_bundle(req)
    errors = manifest.llm.quantization["error_vs_source"]
    assert set(errors) == {"qkv", "o", "gate", "up", "down", "lm_head"}
    for kind in errors.values():  # block-32 symmetric int4 of N(0, 0.02) weights: ~10% relative RMS error
        assert kind["carried_over"] == 0 and 0.03 < kind["rel_rms_mean"] <= kind["rel_rms_max"] < 0.2
    assert manifest.llm.gguf.tensor_types == (("F16", "F32") if qtype == "F16" else ("F32", "Q8_0"))


def _strings(n: int, specials: list[str]) -> list[str]:
    rng = random.Random(0)
    words = ["the", "dog", "Image", "receipt", "chart", "42.50", "1999", "naïve", "東京", "café", "don't", "I'm",
             "\n", "  ", "\t", "!?", "...", "emoji 🙂", "<unk>", "x=3*y", "https://a.b/c", "   spaced"]  # fmt: skip
    out = []
    for _ in range(n):
        parts = [rng.choice(words + specials) for _ in range(rng.randint(1, 12))]
        out.append(rng.choice(["", " "]).join(parts) + rng.choice(["", " ", "\n"]))
    return out


def test_rebuilt_tokenizer_gives_the_original_ids(gguf_files: dict[str, Path]) -> None:
    original = synthetic_tokenizer(TINY)
    rebuilt = tokenizer_from_gguf(GgufFile(gguf_files["llm"]))
    texts = _strings(500, list(TINY.prompt.special_tokens))
    for text in texts:
        ids = original.encode(text, add_special_tokens=False).ids
        assert rebuilt.encode(text, add_special_tokens=False).ids == ids, text
        assert rebuilt.decode(ids, skip_special_tokens=True) == original.decode(ids, skip_special_tokens=True)


def test_sentencepiece_vocabulary_is_refused_in_one_line(gguf_files: dict[str, Path]) -> None:
    """2.0's real LLM GGUF stores a SentencePiece ('llama') vocabulary: not rebuilt, so refused before any work."""
    from minicpmv_edge.errors import CheckpointError

    file = GgufFile(gguf_files["llm"])
    file.fields["tokenizer.ggml.model"] = "llama"
    with pytest.raises(CheckpointError, match="tokenizer model 'llama' cannot be rebuilt"):
        tokenizer_from_gguf(file)


def test_missing_gguf_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["export", "--model", "tiny", "--gguf-mmproj", str(tmp_path / "nope.gguf"), "--out", str(tmp_path / "B")]
    assert main(argv) == 2
    _one_error_line(capsys, "nope.gguf does not exist")
    assert not (tmp_path / "B").exists()


def test_mmproj_of_another_version_is_refused_in_one_line(
    tiny_checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mmproj = write_mmproj(TINY, tiny_checkpoint, tmp_path / "v3.gguf", version=3)
    assert main(["export", "--model", "tiny", "--gguf-mmproj", str(mmproj), "--out", str(tmp_path / "B")]) == 2
    _one_error_line(capsys, "MiniCPM-V 2.6 mmproj", "--model tiny is MiniCPM-V 2.0")
    assert not (tmp_path / "B").exists()


def test_gguf_of_another_model_is_refused_in_one_line(
    tiny_checkpoint: Path, gguf_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "B"
    llm = gguf_files["llm"]
    assert main(["export", "--model", "tiny", "--gguf-mmproj", str(llm), "--out", str(out)]) == 2
    _one_error_line(capsys, "is not a MiniCPM-V mmproj")
    qwen = write_llm(TINY, tiny_checkpoint, tmp_path / "qwen2.gguf", arch="qwen2")
    argv = ["export", "--model", "tiny", "--gguf-mmproj", str(gguf_files["mmproj"]), "--gguf-llm", str(qwen)]
    assert main([*argv, "--out", str(out)]) == 2
    _one_error_line(capsys, "is a 'qwen2' LLM", "needs a 'minicpm' one")
    assert not out.exists()


@pytest.mark.parametrize("which", ["mmproj", "llm"])
def test_truncated_gguf_is_one_line_and_nothing_is_written(
    which: str, gguf_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {k: tmp_path / gguf_files[k].name for k in ("mmproj", "llm")}
    for key, path in files.items():
        shutil.copyfile(gguf_files[key], path)
    with files[which].open("r+b") as f:
        f.truncate(files[which].stat().st_size * 2 // 3)
    out = tmp_path / "B"
    argv = ["export", "--model", "tiny", "--gguf-mmproj", str(files["mmproj"]), "--gguf-llm", str(files["llm"])]
    assert main([*argv, "--out", str(out)]) == 2
    _one_error_line(capsys, "is not a readable GGUF file")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in files.values())


def test_llamacpp_decoder_without_llama_cpp_python_is_one_line(
    gguf_bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as if not installed
    argv = ["run", str(gguf_bundle), "--image", str(SAMPLE), "--prompt", "hi", "--decoder", "llamacpp"]
    assert main(argv) == 2
    _one_error_line(capsys, "llama-cpp-python", "minicpmv-edge[llamacpp]")


def test_llamacpp_decoder_needs_a_bundle_with_a_gguf(tiny_bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", str(tiny_bundle), "--image", str(SAMPLE), "--prompt", "hi", "--decoder", "llamacpp"]
    assert main(argv) == 2
    _one_error_line(capsys, "keeps no LLM GGUF", "--gguf-llm")


def test_llamacpp_decoder_agrees_with_the_onnx_decoder(gguf_bundle: Path) -> None:
    """Optional extra: runs where llama-cpp-python is installed (`minicpmv-edge[llamacpp]`), else skipped."""
    pytest.importorskip("llama_cpp", reason="optional extra minicpmv-edge[llamacpp] not installed")
    from minicpmv_edge.runtime.bundle_view import Bundle
    from minicpmv_edge.runtime.decoders import open_decoder

    bundle = Bundle.open(gguf_bundle)
    ids = np.array([TINY.prompt.bos_id, 5, 6, TINY.prompt.special_tokens["<image>"]] + [TINY.prompt.unk_id] * 64
                   + [TINY.prompt.special_tokens["</image>"], 7, 8, 9])  # fmt: skip
    image = np.random.default_rng(1).normal(0, 1, (64, TINY.llm.hidden_size)).astype(np.float32)
    logits = []
    for name in ("onnx", "llamacpp"):
        session = open_decoder(bundle, name, threads=2, max_context=256)
        session.reset()
        first = session.prefill_prompt(ids, [(4, 68)], [image])
        logits.append(np.concatenate([first, session.next_token(int(first.argmax()))]))
    assert cosine(logits[0], logits[1]) > 0.999  # same Q4_0 weights; activations quantized differently


def test_llamacpp_scales_raw_embeddings_like_token_rows(gguf_files: dict[str, Path]) -> None:
    """Why image rows are divided by scale_emb: llama.cpp (minicpm) multiplies raw input embeddings by it too.
    Optional extra, like the test above."""
    pytest.importorskip("llama_cpp", reason="optional extra minicpmv-edge[llamacpp] not installed")
    from minicpmv_edge.runtime.llamacpp_model import LlamaCppModel

    table = GgufFile(gguf_files["llm"]).float32("token_embd.weight")
    model = LlamaCppModel(gguf_files["llm"], 64, threads=2)
    ids = np.array([1, 5, 6, 7, 300, 400])
    by_ids = model.decode(ids=ids)
    model.reset()
    by_rows = model.decode(embeds=table[ids])  # the unscaled table rows
    model.close()
    assert np.abs(by_ids - by_rows).max() < 1e-5 * np.abs(by_ids).max()
