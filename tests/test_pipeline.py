"""End to end: image -> slices -> encoder -> prefill -> decode on a tiny bundle, through the API and the CLI."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import assert_one_line_error, run_cli

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.runtime.pipeline import Pipeline

TIMING_KEYS = {"answer", "encode_s", "prefill_s", "prefill_tokens", "ttft_s", "decode_tok_s", "peak_rss_mb"}


@pytest.fixture(scope="module")
def pipe(tiny_bundle: Path) -> Pipeline:
    return Pipeline(tiny_bundle, threads=1)


def test_generate_streams_and_times(pipe: Pipeline) -> None:
    pieces: list[str] = []
    result = pipe.generate(SAMPLE_IMAGE, "Describe the image.", max_new_tokens=12, on_token=pieces.append)
    t = result.timings
    assert 1 <= t.tokens_generated <= 12
    assert "".join(pieces) == result.text
    assert t.encode_shapes == [280] and t.encode_s > 0 and t.prefill_s > 0 and t.ttft_s >= t.prefill_s
    assert t.prefill_tokens > 64  # 64 image placeholders + text
    assert t.encoder_provenance == "host-measured" and t.peak_rss_mb > 0
    assert t.decode_steps == len(t.token_latencies_s)
    # the step after the last kept token either hit the token budget (no step) or produced an EOS (one step)
    assert t.decode_steps in (t.tokens_generated - 1, t.tokens_generated)


def test_greedy_is_deterministic(pipe: Pipeline) -> None:
    a = pipe.generate(SAMPLE_IMAGE, "What is this?", max_new_tokens=8)
    b = pipe.generate(SAMPLE_IMAGE, "What is this?", max_new_tokens=8)
    assert a.token_ids == b.token_ids


def test_uhd_encodes_overview_and_slices(pipe: Pipeline) -> None:
    wide = Image.fromarray(np.random.default_rng(0).integers(0, 255, (1080, 1920, 3), dtype=np.uint8))
    result = pipe.generate(wide, "Read the image.", mode="uhd", max_new_tokens=2)
    t = result.timings
    assert t.encode_shapes == [448] * 9  # overview + grid [4, 2]
    assert len(t.encode_per_input_s) == 9
    assert t.prefill_tokens > 9 * 64


def test_context_overflow_is_a_clear_error(tiny_bundle: Path) -> None:
    small = Pipeline(tiny_bundle, threads=1, max_context=100)
    with pytest.raises(EdgeError, match="exceed the context length 100"):
        small.generate(SAMPLE_IMAGE, "Describe the image. " * 20, max_new_tokens=8)


def test_run_json(tiny_bundle: Path) -> None:
    proc = run_cli(
        "run", str(tiny_bundle), "--image", str(SAMPLE_IMAGE), "--prompt", "Describe the image.",
        "--max-new-tokens", "16", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out.keys() >= TIMING_KEYS
    assert out["bundle"]["synthetic"] is True and out["encoder_provenance"] == "host-measured"
    assert out["prefill_tokens"] > 64 and out["decode_tok_s"] >= 0


def test_run_text_prints_timing_table(tiny_bundle: Path) -> None:
    proc = run_cli("run", str(tiny_bundle), "--image", str(SAMPLE_IMAGE), "--prompt", "Hi", "--max-new-tokens", "4")
    assert proc.returncode == 0, proc.stderr
    for word in ("encode", "prefill", "decode", "AX650N", "host-measured", "SYNTHETIC"):
        assert word in proc.stdout


def test_tampered_and_missing_bundle_files(tmp_path: Path, tiny_bundle: Path) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(tiny_bundle, tampered)
    tok = tampered / "tokenizer/tokenizer.json"
    tok.write_text(tok.read_text().replace("reserved_1|", "reserved_X|"))
    args = ["--image", str(SAMPLE_IMAGE), "--prompt", "x", "--max-new-tokens", "2"]
    assert_one_line_error(run_cli("run", str(tampered), *args), "does not match its manifest sha256")
    missing = tmp_path / "missing"
    shutil.copytree(tiny_bundle, missing)
    (missing / "vision/encoder_280.onnx").unlink()
    assert_one_line_error(run_cli("run", str(missing), *args), "is missing")
    assert_one_line_error(run_cli("run", str(tmp_path / "nowhere"), *args), "does not exist")


def test_bad_image_and_long_prompt_through_cli(tmp_path: Path, tiny_bundle: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    assert_one_line_error(run_cli("run", str(tiny_bundle), "--image", str(bad), "--prompt", "x"), "bad.jpg")
    proc = run_cli(
        "run", str(tiny_bundle), "--image", str(SAMPLE_IMAGE), "--prompt", "word " * 400, "--max-context", "256"
    )
    assert_one_line_error(proc, "exceed the context length 256")


def test_demo_builds_then_reuses_its_bundle(tmp_path: Path) -> None:
    first = run_cli("demo", "--cache-dir", str(tmp_path), "--max-new-tokens", "8")
    assert first.returncode == 0, first.stderr
    for word in ("SYNTHETIC", "encode", "prefill", "decode", "tok/s", "0.8 s", "5.0 tok/s"):
        assert word in first.stdout
    second = run_cli("demo", "--cache-dir", str(tmp_path), "--max-new-tokens", "8", "--json")
    assert second.returncode == 0, second.stderr
    assert "reusing the demo bundle" in second.stderr
    assert json.loads(second.stdout).keys() >= TIMING_KEYS


def test_cpu_precisions_and_release(tiny_bundle: Path) -> None:
    """Each CPU precision runs and says so; with release_encoder the decoder opens only after the image is encoded
    and the encoder's sessions are dropped before prefill."""
    from minicpmv_edge.runtime.encoders import EncoderOptions

    answers = {}
    for precision in ("plain", "fp32", "int8"):
        pipe = Pipeline(tiny_bundle, threads=1, encoder_options=EncoderOptions(threads=1, cpu_precision=precision))
        result = pipe.generate(SAMPLE_IMAGE, "What is this?", max_new_tokens=4)
        assert result.timings.encoder_precision == precision
        answers[precision] = result.token_ids
    assert answers["plain"] == answers["fp32"]  # same function, fused

    lean = Pipeline(tiny_bundle, threads=1, release_encoder=True)
    assert lean._decoder is None and lean.encoder.precision == "int8"  # the bundle's default
    seen = []
    original = lean.encoder.encode

    def spy(pixels: np.ndarray) -> np.ndarray:
        seen.append(lean._decoder)
        return original(pixels)

    lean.encoder.encode = spy
    assert lean.generate(SAMPLE_IMAGE, "What is this?", max_new_tokens=4).token_ids == answers["int8"]
    assert seen == [None] and lean._decoder is not None and not lean.encoder._sessions


def test_missing_cpu_precision_is_one_line(tmp_path: Path, tiny_bundle: Path, capsys: pytest.CaptureFixture) -> None:
    from minicpmv_edge.cli import main

    bundle = tmp_path / "plain-only"
    shutil.copytree(tiny_bundle, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    del manifest["vision"]["cpu_encoders"], manifest["vision"]["cpu_default"]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    args = ["run", str(bundle), "--image", str(SAMPLE_IMAGE), "--prompt", "hi", "--no-verify", "--max-new-tokens", "2"]
    assert main([*args, "--json"]) == 0  # no CPU graphs: the plain one runs
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["encoder_precision"] == "plain"
    assert main([*args, "--cpu-precision", "int8"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no int8 CPU encoder at 280x280" in err[0] and "Traceback" not in err[0]
