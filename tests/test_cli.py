"""The CLI as a user meets it: exit codes, one-line errors, no tracebacks, what `inspect` and `export` print.

Everything runs `cli.main` in process (`cli_helpers.run_main`); the three subprocess smoke tests at the end check what
only a fresh interpreter shows: the entry point, a real `run`, and that a bad `export` never imports torch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import CliRun, assert_one_line_error, run_main

from minicpmv_edge import __version__
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.manifest import MANIFEST_NAME


def test_export_tiny_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "X"
    run = run_main("export", "--model", "tiny", "--synthetic", "--shapes", "280", "--out", out)
    assert run.rc == 0, run.err
    assert "weights synthetic (seed 0)" in run.out and "vision/encoder_280.onnx" in run.out
    (cos,) = re.findall(r"parity vs torch: cosine ([0-9.]+), max abs \S+ \(host-measured\)", run.out)
    assert 0.9999 <= float(cos) <= 1.0
    assert "int4 decoder" in run.out
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["manifest_version"] == 2 and sorted(manifest["vision"]["encoders"]) == ["280"]
    assert "[minicpmv-edge]" in run.err  # progress went to stderr, stdout holds only the result


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["export", "--model", "minicpm-v-2", "--checkpoint", "/does/not/exist", "--out", "Z"], ["does not exist"]),
        (["export", "--model", "minicpm-v-9", "--synthetic", "--out", "Z"], ["unknown model preset", "tiny"]),
        (["export", "--synthetic", "--shapes", "280,abc", "--out", "Z"], ["shapes"]),
        (["export", "--synthetic", "--shapes", "300", "--out", "Z"], ["not a multiple of the patch size"]),
        (["export", "--synthetic", "--min-cosine", "nan", "--out", "Z"], ["--min-cosine"]),
        (["export", "--out", "Z"], ["--checkpoint", "--synthetic"]),
        (["frobnicate"], ["invalid choice"]),
        (["inspect", "Z"], ["does not exist"]),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    args = [str(tmp_path / a) if a == "Z" else a for a in args]
    assert_one_line_error(run_main(*args), *fragments)
    assert not (tmp_path / "Z").exists()


def test_bad_checkpoint_path_fails_in_under_a_second(tmp_path: Path) -> None:
    start = time.perf_counter()
    run = run_main("export", "--checkpoint", "/does/not/exist", "--out", tmp_path / "Z")
    elapsed = time.perf_counter() - start
    assert_one_line_error(run, "/does/not/exist", "does not exist")
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_wrong_checkpoint_for_preset(tmp_path: Path, tiny_checkpoint: Path) -> None:
    run = run_main("export", "--model", "minicpm-v-2", "--checkpoint", tiny_checkpoint, "--out", tmp_path / "Z")
    assert_one_line_error(run, "does not match preset minicpm-v-2")
    assert not (tmp_path / "Z").exists()


# ------------------------------------------------------------------------------------------------ inspect


def test_inspect_json_lists_each_build(compiled_bundle: Path) -> None:
    run = run_main("inspect", compiled_bundle, "--json")
    assert run.rc == 0, run.err
    info = json.loads(run.out)
    assert info["manifest_version"] == 2 and info["model"]["preset"] == "tiny"
    assert info["model"]["weights"] == "synthetic" and info["vision"]["shapes"] == [280, 448]
    builds = {b["chip"]: b for b in info["builds"]}
    assert set(builds) == {"sm8650", "ax650n"}
    # the ax650n build holds Pulsar2's inputs: without Pulsar2 here, no axmodel, so nothing a runtime can load yet
    expected = {"sm8650": ("qnn", "w8a16", "qnn", True), "ax650n": ("ax650", "u16", None, False)}
    for chip, want in expected.items():
        b = builds[chip]
        assert (b["backend"], b["precision"], b["runtime"], b["runnable"]) == want
        shapes = {"sm8650": [280], "ax650n": [280, 448]}[chip]  # as conftest.SESSION_CHIPS compiles them
        assert sorted(b["accuracy_vs_fp32"]) == [str(s) for s in shapes]
        assert b["shapes"] == (shapes if b["runnable"] else []) and b["dir"].startswith("compiled/")
        assert b["bytes"] > 0
        for acc in b["accuracy_vs_fp32"].values():
            assert acc["provenance"] == "emulated" and 0.99 <= acc["cosine"] <= 1.0
        assert b["created_at"] and "onnxruntime" in json.dumps(b["tools"])
    v = info["verification"]
    assert v["ok"] and v["hashed"] and v["files_hashed"] == v["files"] > 0 and v["problems"] == []


def test_inspect_text_names_every_build_and_what_verified(compiled_bundle: Path, tmp_path: Path) -> None:
    run = run_main("inspect", compiled_bundle)
    assert run.rc == 0, run.err
    assert "weights: SYNTHETIC" in run.out and "all verified" in run.out
    assert "qnn w8a16 for sm8650" in run.out and "ax650 u16 for ax650n" in run.out
    assert "runs with qnn" in run.out and "nothing runnable yet" in run.out  # the ax650n build needs Pulsar2 first
    run = run_main("inspect", compiled_bundle, "--no-verify")
    assert run.rc == 0 and "NOT hashed (--no-verify)" in run.out
    # a modified file is listed by name (inspect reports every problem instead of stopping at the first)
    copy = shutil.copytree(compiled_bundle, tmp_path / "b")
    with (copy / "vision/encoder_448.onnx").open("r+b") as f:
        f.seek(64)
        f.write(b"\x00\x00")
    run = run_main("inspect", copy)
    assert run.rc == 0, run.err
    assert "PROBLEMS" in run.out and "vision/encoder_448.onnx: sha256 differs" in run.out


def _with_manifest_field(src: Path, dst: Path, path: tuple[str, ...], value: object) -> Path:
    """A copy of bundle `src` whose manifest has `value` at `path` (only manifest.json changes: no hash is off)."""
    shutil.copytree(src, dst)
    data = json.loads((dst / MANIFEST_NAME).read_text())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    (dst / MANIFEST_NAME).write_text(json.dumps(data))
    return dst


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("model", "query_num"), "64", "model.query_num"),
        (("vision", "shapes"), "280,448", "vision.shapes"),
        (("llm", "num_layers"), 2.5, "llm.num_layers"),
        (("model", "synthetic"), "yes", "model.synthetic"),
    ],
)
def test_manifest_field_of_wrong_type_is_named(
    tiny_bundle: Path, tmp_path: Path, path: tuple[str, ...], value: object, field: str
) -> None:
    bundle = _with_manifest_field(tiny_bundle, tmp_path / "b", path, value)
    assert_one_line_error(run_main("inspect", bundle, "--json"), f"field {field}:")
    run = run_main("run", bundle, "--image", SAMPLE_IMAGE, "--prompt", "hi", "--max-new-tokens", "2")
    assert_one_line_error(run, f"field {field}:")


def test_build_field_of_wrong_type_is_named(compiled_bundle: Path, tmp_path: Path) -> None:
    name = next(n for n in json.loads((compiled_bundle / MANIFEST_NAME).read_text())["compiled"] if "sm8650" in n)
    bundle = _with_manifest_field(compiled_bundle, tmp_path / "b", ("compiled", name, "precision"), 16)
    assert_one_line_error(run_main("inspect", bundle), f"field compiled.{name}.precision:")


def test_old_manifest_version_says_re_export(tiny_bundle: Path, tmp_path: Path) -> None:
    bundle = _with_manifest_field(tiny_bundle, tmp_path / "b", ("manifest_version",), 1)
    assert_one_line_error(run_main("inspect", bundle), "manifest_version 1", "re-export")


# ------------------------------------------------------------------------------------------------ compile


@pytest.mark.parametrize(
    ("target", "option", "backend"),
    [("sm8650", ["--npu-mode", "NPU1"], "qnn"), ("sm8650", ["--device", "Samsung Galaxy S24"], "qnn")],
)
def test_option_the_backend_does_not_take_is_one_line(
    tiny_bundle: Path, target: str, option: list[str], backend: str
) -> None:
    run = run_main("compile", tiny_bundle, "--target", target, *option)
    assert_one_line_error(run, f"{option[0]} is not an option of the {backend} backend ({target})")
    assert not (tiny_bundle / "compiled").exists()


def test_unknown_chip_and_wrong_route_are_one_line(tiny_bundle: Path) -> None:
    assert_one_line_error(run_main("compile", tiny_bundle, "--target", "sm9999"), "unknown target chip", "sm8650")
    run = run_main("compile", tiny_bundle, "--target", "ax650n", "--via", "qai-hub")
    assert_one_line_error(run, "--via qai-hub does not compile for ax650n")


def test_run_precision_without_that_build_names_the_compile_command(compiled_bundle: Path) -> None:
    run = run_main(
        "run", compiled_bundle, "--target", "ax650n", "--precision", "u8", "--image", SAMPLE_IMAGE, "--prompt", "hi"
    )
    assert_one_line_error(run, "no build for ax650n at u8", "--target ax650n --precision u8` first")


# -------------------------------------------------------------------------------------- subprocess smoke tests


def _subprocess(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, check=False, env=env or os.environ
    )


def test_smoke_version() -> None:
    proc = _subprocess("-m", "minicpmv_edge", "--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"minicpmv-edge {__version__}", proc.stderr


def test_smoke_run_json(tiny_bundle: Path) -> None:
    proc = _subprocess(
        "-m", "minicpmv_edge", "run", str(tiny_bundle), "--image", str(SAMPLE_IMAGE), "--prompt", "Hi",
        "--max-new-tokens", "3", "--threads", "1", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # stdout is one JSON object: logs went to stderr
    assert out["encoder_backend"] == "cpu" and out["encode_shapes"] == [280] and 1 <= out["tokens_generated"] <= 3
    assert "Traceback" not in proc.stderr


def test_smoke_bad_export_never_imports_torch(tmp_path: Path) -> None:
    """`-X importtime` lists every module the real entry point imported: a bad path must fail before torch."""
    proc = _subprocess(
        "-X", "importtime", "-m", "minicpmv_edge", "export", "--checkpoint", "/does/not/exist", "--out",
        str(tmp_path / "Z"),
    )  # fmt: skip
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "minicpmv_edge.cli" in imported  # the listing works
    assert not {"torch", "onnx", "onnxslim", "onnxruntime"} & imported, sorted(imported)
    messages = "".join(line + "\n" for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    assert_one_line_error(CliRun(proc.returncode, proc.stdout, messages), "does not exist")
