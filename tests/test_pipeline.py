"""End to end: image -> slices -> encoder -> prefill -> decode on a tiny bundle, through the API and the CLI (in
process)."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run_main
from PIL import Image

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
    run = run_main(
        "run", tiny_bundle, "--image", SAMPLE_IMAGE, "--prompt", "Describe the image.",
        "--max-new-tokens", "16", "--threads", "1", "--json",
    )  # fmt: skip
    assert run.rc == 0, run.err
    out = json.loads(run.out)
    assert out.keys() >= TIMING_KEYS
    assert out["bundle"] == {"path": str(tiny_bundle), "preset": "tiny", "synthetic": True}
    assert (out["encoder_backend"], out["encoder_chip"], out["encoder_provenance"]) == ("cpu", None, "host-measured")
    assert out["prefill_tokens"] > 64 and 1 <= out["tokens_generated"] <= 16
    # the decode rate is the decode steps over their summed latencies: a step ran after the first token (a budget of
    # 16 leaves room for one), so it is a positive rate that the per-token latencies bound
    latencies = out["token_latencies_s"]
    assert out["decode_steps"] == len(latencies) >= 1 and out["decode_s"] == pytest.approx(sum(latencies))
    assert out["decode_tok_s"] == pytest.approx(out["decode_steps"] / out["decode_s"])
    assert 1 / max(latencies) * (1 - 1e-9) <= out["decode_tok_s"] <= 1 / min(latencies) * (1 + 1e-9)
    assert out["ttft_s"] >= out["preprocess_s"] + out["encode_s"] + out["prefill_s"]


def test_run_text_prints_timing_table(tiny_bundle: Path) -> None:
    run = run_main("run", tiny_bundle, "--image", SAMPLE_IMAGE, "--prompt", "Hi", "--max-new-tokens", "4")
    assert run.rc == 0, run.err
    for word in (
        "encode",
        "prefill",
        "decode",
        "AX650N",
        "host-measured",
        "SYNTHETIC",
        "cpu int8",
    ):  # the report says which CPU graph ran: int8, the fastest whose recorded cosine held 0.995
        assert word in run.out


def test_tampered_and_missing_bundle_files(tmp_path: Path, tiny_bundle: Path) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(tiny_bundle, tampered)
    tok = tampered / "tokenizer/tokenizer.json"
    tok.write_text(tok.read_text().replace("reserved_1|", "reserved_X|"))
    args = ["--image", SAMPLE_IMAGE, "--prompt", "x", "--max-new-tokens", "2"]
    assert_one_line_error(run_main("run", tampered, *args), "does not match its manifest sha256")
    missing = tmp_path / "missing"
    shutil.copytree(tiny_bundle, missing)
    (missing / "vision/encoder_280.onnx").unlink()
    assert_one_line_error(run_main("run", missing, *args), "is missing")
    assert_one_line_error(run_main("run", tmp_path / "nowhere", *args), "does not exist")


def test_bad_image_and_long_prompt_through_cli(tmp_path: Path, tiny_bundle: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    assert_one_line_error(run_main("run", tiny_bundle, "--image", bad, "--prompt", "x"), "bad.jpg")
    run = run_main("run", tiny_bundle, "--image", SAMPLE_IMAGE, "--prompt", "word " * 400, "--max-context", "256")
    assert_one_line_error(run, "exceed the context length 256")


def test_demo_builds_then_reuses_its_bundle(tmp_path: Path) -> None:
    first = run_main("demo", "--cache-dir", tmp_path, "--max-new-tokens", "4", "--threads", "1")
    assert first.rc == 0, first.err
    for word in ("SYNTHETIC", "sm8650", "ax650n", "emulated", "host-measured", "estimated", "tok/s", "0.8 s"):
        assert word in first.out, word
    assert "building the demo bundle" in first.err
    rows = {m[1]: m[0] for m in re.finditer(r"^(sm8650|ax650n) {2,}.*$", first.out, re.M)}  # the table's rows
    assert "qnn" in rows["sm8650"] and "emulated" in rows["sm8650"] and "host-measured" in rows["sm8650"]
    assert "emulated" in rows["ax650n"]  # Pulsar2 inputs + emulated numerics; timing it needs the board
    assert "reference for ax650n:" in first.out and "(estimated)" in first.out
    second = run_main("demo", "--cache-dir", tmp_path, "--max-new-tokens", "4", "--threads", "1")
    assert second.rc == 0, second.err
    assert "reusing the demo bundle" in second.err and "building" not in second.err
    assert "compiling" not in second.err  # both targets' builds are reused too


def test_cpu_precisions_and_release(tiny_bundle: Path) -> None:
    """Each CPU precision runs and says so; with release_encoder the decoder opens only after the image is encoded
    and the encoder's sessions are dropped before prefill."""
    answers = {}
    for precision in ("plain", "fp32", "int8"):
        pipe = Pipeline(tiny_bundle, threads=1, precision=precision)
        result = pipe.generate(SAMPLE_IMAGE, "What is this?", max_new_tokens=4)
        assert result.timings.encoder_precision == precision
        answers[precision] = result.token_ids
    assert answers["plain"] == answers["fp32"]  # same function, fused

    lean = Pipeline(tiny_bundle, threads=1, release_encoder=True)
    assert lean._decoder is None and lean.encoder.precision == "int8"  # the fastest that held 0.995
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
    assert main([*args, "--precision", "int8"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no int8 CPU encoder at 280x280" in err[0] and "Traceback" not in err[0]
