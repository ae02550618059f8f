"""Reproductions from the reliability pass (issue 9, items 4 and 5): each bad input ends in one line and exit 2.

Gates that NaN cannot switch off, numbers out of range, text that is not text, files that are not regular files,
JSON that is too deep or not finite, checkpoints with wrong dtypes or cut short. Every CLI case runs
`minicpmv_edge.cli.main` in process. Bundle safety (items 1-3) is in test_bundle_safety.py.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_helpers import cli, one_line_error
from PIL import Image
from safetensors.torch import load_file, save_file

from minicpmv_edge.cli import build_parser
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.parity import compare_onnx
from minicpmv_edge.numerics import cosine, max_abs, meets, worst
from minicpmv_edge.presets import TINY
from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.prompts import PromptSpec, build_prompt
from minicpmv_edge.runtime.sampling import Sampler, Sampling
from minicpmv_edge.safe_json import load_json_file, parse_json

SAMPLE = Path(__file__).resolve().parent.parent / "minicpmv_edge" / "assets" / "sample.jpg"
DATA = Path(__file__).parent / "data" / "bench"
ANDROID = DATA / "android_benchmark_sample.json"
HUB_PROFILE = DATA / "qai-hub-sm8650-w8a16" / "profile_280.json"


@contextmanager
def no_hang(seconds: int = 30) -> Iterator[None]:
    """Fail (instead of blocking the suite forever) if the body takes longer than `seconds`."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"hung for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_args(bundle: Path, *extra: str) -> list[str]:
    return ["run", str(bundle), "--image", str(SAMPLE), "--prompt", "hi", "--max-new-tokens", "2", *extra]


# ---- item 4: numbers that used to slip through -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--temperature", "nan"),
        ("--temperature", "inf"),
        ("--temperature", "-1"),
        ("--top-p", "2"),
        ("--top-p", "-1"),
        ("--top-p", "nan"),
        ("--top-p", "0"),
        ("--threads", "-3"),
        ("--threads", "0"),
        ("--threads", "100000"),
        ("--seed", "-1"),
        ("--seed", str(2**64)),
        ("--max-new-tokens", "0"),
        ("--max-new-tokens", "nan"),
        ("--max-context", "0"),
        ("--max-context", "-5"),
    ],
)
def test_run_refuses_out_of_range_numbers(capsys, tiny_bundle: Path, flag: str, value: str) -> None:
    line = one_line_error(capsys, *run_args(tiny_bundle, flag, value))
    assert flag in line and value in line


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--runs", "0"),
        ("--runs", "-1"),
        ("--warmup", "-1"),
        ("--prompt-tokens", "0"),
        ("--max-new-tokens", "-4"),
        ("--threads", "100000"),
        ("--max-context", "1e9"),
    ],
)
def test_bench_refuses_out_of_range_numbers(capsys, tmp_path: Path, flag: str, value: str) -> None:
    line = one_line_error(capsys, "bench", "--import", str(ANDROID), "--out", str(tmp_path / "r"), flag, value)
    assert flag in line
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-0.5", "1.5"])
def test_min_cosine_must_be_a_finite_fraction(capsys, tmp_path: Path, tiny_bundle: Path, value: str) -> None:
    line = one_line_error(capsys, "export", "--synthetic", "--model", "tiny", "--min-cosine", value, "--out", "x")
    assert "--min-cosine" in line
    line = one_line_error(capsys, "compile", str(tiny_bundle), "--target", "ax650n", "--min-cosine", value)
    assert "--min-cosine" in line


@pytest.mark.parametrize("value", ["100002", "0", "280,-14", "1008"])
def test_shapes_are_bounded_by_the_position_table(capsys, tiny_bundle: Path, value: str) -> None:
    """A huge static shape would only run the machine out of memory (parity inputs, attention)."""
    assert "--shapes" in one_line_error(capsys, "export", "--synthetic", "--shapes", value, "--out", "x")
    assert "--shapes" in one_line_error(capsys, "compile", str(tiny_bundle), "--target", "ax650n", "--shapes", value)


def test_export_seed_must_be_non_negative(capsys) -> None:
    assert "--seed" in one_line_error(capsys, "export", "--synthetic", "--seed", "-1", "--out", "x")


def test_threads_up_to_the_cpu_count_is_accepted() -> None:
    from minicpmv_edge.cli_types import cpu_count

    args = build_parser().parse_args(["run", "B", "--image", "i", "--prompt", "p", "--threads", str(cpu_count())])
    assert args.threads == cpu_count()


def test_nan_is_never_a_pass() -> None:
    a = np.ones((1, 4, 3), np.float32)
    b = a.copy()
    b[0, 0, 0] = np.nan
    assert math.isnan(cosine(a, b)) and math.isnan(max_abs(a, b))
    assert math.isnan(cosine(a, a * np.inf))
    assert math.isnan(worst([1.0, math.nan, 0.5])) and math.isnan(worst([math.nan, 1.0], lowest=False))
    assert worst([0.9, 0.5]) == 0.5 and worst([0.9, 0.5], lowest=False) == 0.9
    assert not meets(math.nan, 0.9) and not meets(math.inf, 0.9) and meets(0.95, 0.9) and not meets(0.8, 0.9)


def test_parity_reports_nan_for_non_finite_reference(tiny_bundle: Path) -> None:
    """Python's min(1.0, nan) is 1.0: parity once said "cosine 1.0, max abs 0" for NaN weights."""
    onnx = tiny_bundle / "vision" / "encoder_280.onnx"
    x = np.zeros((1, 3, 280, 280), np.float32)
    expected = np.full((1, TINY.resampler.query_num, TINY.resampler.embed_dim), np.nan, np.float32)
    parity = compare_onnx(onnx, {"a": x, "b": x}, {"a": expected, "b": expected * 0 + 1})
    assert math.isnan(parity.cosine) and math.isnan(parity.max_abs)


def test_sampling_settings_are_checked_in_the_library() -> None:
    for bad in ({"temperature": math.nan}, {"temperature": -1}, {"top_p": 2.0}, {"top_p": 0.0}, {"seed": -1}):
        with pytest.raises(EdgeError):
            Sampling(**bad)
    logits = np.zeros(8, np.float32)
    logits[3] = 5
    assert Sampler(Sampling(temperature=1e-320))(logits, []) == 3  # overflowing logits: greedy, not NaN
    logits[0] = np.nan
    for temperature in (0.0, 0.7):
        with pytest.raises(EdgeError, match="non-finite logits"):
            Sampler(Sampling(temperature=temperature))(logits, [])


# ---- item 5: text that is text -----------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["<image>", "</image>", "<slice>", "<image_id>"])
def test_prompt_with_an_image_marker_is_one_line(capsys, tiny_bundle: Path, marker: str) -> None:
    args = run_args(tiny_bundle)
    args[args.index("hi")] = f"what is {marker} here"
    assert marker in one_line_error(capsys, *args)


def test_other_special_tokens_in_a_prompt_are_plain_input(capsys, tiny_bundle: Path) -> None:
    args = run_args(tiny_bundle, "--json")
    args[args.index("hi")] = "where is <ref>the dog</ref> <unk>?"
    assert cli(*args) == 0, capsys.readouterr().err


def test_non_utf8_prompt_is_one_line(capsys, tiny_bundle: Path) -> None:
    prompt = b"caf\xe9".decode("utf-8", "surrogateescape")  # what Python makes of a Latin-1 byte in argv
    args = run_args(tiny_bundle)
    args[args.index("hi")] = prompt
    assert "UTF-8" in one_line_error(capsys, *args)
    spec = PromptSpec("minicpm-v2", 4, 1, 0, dict(TINY.prompt.special_tokens))
    with pytest.raises(EdgeError, match="UTF-8"):
        build_prompt(spec, prompt, None)  # the library refuses it too


# ---- item 5: checkpoints -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vision_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint

    return write_synthetic_checkpoint(TINY, tmp_path_factory.mktemp("ckpt") / "vision", parts=("vision",))


def _variant(base: Path, tmp_path: Path, change) -> Path:
    ckpt = tmp_path / "ckpt"
    shutil.copytree(base, ckpt)
    change(ckpt)
    return ckpt


def _export(capsys, ckpt: Path, out: Path) -> str:
    args = ["export", "--model", "tiny", "--checkpoint", str(ckpt), "--parts", "vision", "--shapes", "280"]
    with no_hang():
        line = one_line_error(capsys, *args, "--out", str(out))
    assert not out.exists()
    return line


def _retensor(ckpt: Path, fn) -> None:
    shard = next(ckpt.glob("*.safetensors"))
    tensors = load_file(shard)
    name = sorted(k for k in tensors if k.endswith("mlp.fc1.weight"))[0]
    tensors[name] = fn(tensors[name])
    save_file(tensors, shard, metadata={"format": "pt"})


def test_nan_weights_fail_the_parity_gate(capsys, vision_checkpoint: Path, tmp_path: Path) -> None:
    ckpt = _variant(vision_checkpoint, tmp_path, lambda d: _retensor(d, lambda t: torch.full_like(t, math.nan)))
    line = _export(capsys, ckpt, tmp_path / "out")
    assert "cosine nan" in line and "NaN" in line


@pytest.mark.parametrize("dtype", [torch.int32, torch.bool])
def test_integer_and_bool_weights_are_refused(capsys, vision_checkpoint: Path, tmp_path: Path, dtype) -> None:
    ckpt = _variant(vision_checkpoint, tmp_path, lambda d: _retensor(d, lambda t: (t * 100).to(dtype)))
    line = _export(capsys, ckpt, tmp_path / "out")
    assert str(dtype).removeprefix("torch.") in line and "floating point" in line


def _truncate(ckpt: Path) -> None:
    shard = next(ckpt.glob("*.safetensors"))
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])


@pytest.mark.parametrize("with_index", [True, False])
def test_truncated_shard_is_one_line(capsys, vision_checkpoint: Path, tmp_path: Path, with_index: bool) -> None:
    def change(ckpt: Path) -> None:
        _truncate(ckpt)
        if not with_index:
            (ckpt / "model.safetensors.index.json").unlink()

    line = _export(capsys, _variant(vision_checkpoint, tmp_path, change), tmp_path / "out")
    assert "not a readable safetensors file" in line


def test_fifo_named_safetensors_does_not_hang(capsys, vision_checkpoint: Path, tmp_path: Path) -> None:
    def change(ckpt: Path) -> None:
        (ckpt / "model.safetensors.index.json").unlink()
        for shard in ckpt.glob("*.safetensors"):
            shard.unlink()
        os.mkfifo(ckpt / "model.safetensors")

    line = _export(capsys, _variant(vision_checkpoint, tmp_path, change), tmp_path / "out")
    assert "not a regular file" in line


def test_deeply_nested_config_is_one_line(capsys, vision_checkpoint: Path, tmp_path: Path) -> None:
    ckpt = _variant(vision_checkpoint, tmp_path, lambda d: (d / "config.json").write_text("[" * 100_000))
    assert "nested too deeply" in _export(capsys, ckpt, tmp_path / "out")


# ---- item 5: device results and JSON -----------------------------------------------------------------------------


def _nan_android(path: Path) -> None:
    text = ANDROID.read_text().replace('"encode_s": 0.4141', '"encode_s": NaN', 1)
    assert "NaN" in text
    path.write_text(text)


def _nan_profile(path: Path) -> None:
    profile = json.loads(HUB_PROFILE.read_text())
    profile["execution_summary"]["all_inference_times"] = [float("nan")] * 3
    path.write_text(json.dumps(profile))  # json.dumps writes the non-standard NaN literal


@pytest.mark.parametrize(
    ("name", "write", "expected"),
    [
        ("android.json", _nan_android, "not valid JSON"),
        ("profile_280.json", _nan_profile, "not valid JSON"),
        ("bench.json", lambda p: p.write_text('{"min": NaN, "max": 1, "avg": 1}'), "not valid JSON"),
        ("big.json", lambda p: p.write_text('{"min": 1e999, "max": 1, "avg": 1}'), "out of range"),
        ("deep.json", lambda p: p.write_text('{"a":' * 50_000), "nested too deeply"),
        ("deep2.json", lambda p: p.write_text('{"a":' * 200 + "1" + "}" * 200), "nested too deeply"),
        ("fifo.json", lambda p: os.mkfifo(p), "not a regular file"),
        ("folder", lambda p: p.mkdir(), "is a directory"),
        ("missing.json", lambda p: None, "does not exist"),
    ],
)
def test_bench_import_bad_files_are_one_line(capsys, tmp_path: Path, name: str, write, expected: str) -> None:
    path = tmp_path / name
    write(path)
    with no_hang():
        line = one_line_error(capsys, "bench", "--import", str(path), "--preset", "tiny", "--out", str(tmp_path / "r"))
    assert expected in line
    assert not (tmp_path / "r").exists()


def test_json_reader_limits(tmp_path: Path) -> None:
    assert parse_json('{"a": [1, 2.5, {"b": null}]}', "x") == {"a": [1, 2.5, {"b": None}]}
    with pytest.raises(EdgeError, match="not valid JSON"):
        parse_json('{"a": Infinity}', "x")
    with pytest.raises(EdgeError, match="not UTF-8"):
        parse_json(b'{"a": "\xff"}', "x")
    big = tmp_path / "big.json"
    big.write_text("[" + "0," * 600 + "0]")
    with pytest.raises(EdgeError, match="more than the 1000 allowed"):
        load_json_file(big, max_bytes=1000, what="x")


def test_deeply_nested_manifest_is_one_line(capsys, tiny_bundle: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in one_line_error(capsys, *run_args(bundle))


# ---- item 5: images ----------------------------------------------------------------------------------------------


def test_fifo_image_does_not_hang(capsys, tiny_bundle: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    args = run_args(tiny_bundle)
    args[args.index(str(SAMPLE))] = str(fifo)
    with no_hang():
        assert "not a regular file" in one_line_error(capsys, *args)


def test_too_many_pixels_names_only_flags_that_exist(capsys, tiny_bundle: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    Image.new("1", (8000, 7000)).save(huge)  # 56 MP, over the 50 MP limit, a few kB on disk
    args = run_args(tiny_bundle)
    args[args.index(str(SAMPLE))] = str(huge)
    line = one_line_error(capsys, *args)
    assert "over the limit" in line
    run_parser = build_parser()._subparsers._group_actions[0].choices["run"]  # argparse has no public API for this
    known = {opt for action in run_parser._actions for opt in action.option_strings}
    named = {word.strip(".,;:()'\"") for word in line.split() if word.startswith("--")}
    assert named <= known, f"the hint names flags that do not exist: {named - known}"


def test_pillow_warnings_do_not_reach_stderr(tmp_path: Path) -> None:
    path = tmp_path / "bad_exif.jpg"
    # an EXIF block whose one entry points past its end: Pillow warns "Corrupt EXIF data"
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03"
    exif += b"\x00\x00\x00\x01\x00\x06\x00\x00\xff\xff\xff\xff"
    Image.new("RGB", (20, 20)).save(path, exif=exif)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load_image(path).size == (20, 20)
    assert not caught, [str(w.message) for w in caught]
