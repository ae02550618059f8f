"""TVM backend on the tiny preset: Relax import, a 2-trial MetaSchedule run whose database is kept and reused,
aarch64 cross-linking, OpenCL kernels checked by clang, the host module against ONNX Runtime, the runtime session,
and the one-line errors. Real TVM, real Debian cross compiler and clang; one shape (280) to keep it quick.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from minicpmv_edge.cli import main
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.npu_backends.base import CompileRequest
from minicpmv_edge.npu_backends.chips import TVM_CHIPS, get_chip
from minicpmv_edge.npu_backends.compile import compile_bundle
from minicpmv_edge.numerics import cosine
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import open_encoder
from minicpmv_edge.runtime.pipeline import Pipeline

FAST = {"heldout_images": "1", "timing_runs": "1"}
# two trials on the attention-score matmuls only: enough to write, reuse and replay real records
TUNE = {**FAST, "tune_trials": "2", "max_trials_per_task": "2", "tune_ops": "matmul1"}


@pytest.fixture(scope="module")
def tvm_bundle(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy: compiling rewrites the manifest, and `tiny_bundle` is shared by the whole session."""
    out = tmp_path_factory.mktemp("tvm") / "tiny"
    shutil.copytree(tiny_bundle, out)
    return out


@pytest.fixture(scope="module")
def a76(tvm_bundle: Path) -> dict:
    build, result = compile_bundle(tvm_bundle, CompileRequest(chip=get_chip("arm64-a76"), shapes=(280,), options=TUNE))
    return {**result.report, "dir": tvm_bundle / build.dir}


@pytest.fixture(scope="module")
def adreno(tvm_bundle: Path) -> dict:
    build, result = compile_bundle(tvm_bundle, CompileRequest(chip=get_chip("adreno"), shapes=(280,), options=FAST))
    return {**result.report, "dir": tvm_bundle / build.dir}


def _elf_machine(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[18:20], "little")  # e_machine: 183 = AArch64, 62 = x86-64


def test_cpu_build_is_tuned_cross_linked_and_matches_onnxruntime(a76: dict, tvm_bundle: Path) -> None:
    build = a76["dir"]
    assert _elf_machine(build / "encoder_280.aarch64.so") == 183
    assert _elf_machine(build / "encoder_280.host.so") == 62
    assert a76["tvm"]["target"]["mtriple"] == "aarch64-linux-gnu" and a76["tvm"]["target"]["mcpu"] == "cortex-a76"
    tuning = a76["tuning"]
    assert tuning["trials_this_compile"] == 2 and tuning["records_before"] == 0 and tuning["records_after"] >= 1
    assert (build / "tuning" / "database_tuning_record.json").is_file()
    scheduled = a76["shapes"]["280"]["scheduled_functions"]
    assert scheduled["from_tuning_database"] >= 1  # the host-tuned record replays on the aarch64 target
    assert scheduled["host_from_tuning_database"] == scheduled["from_tuning_database"]
    summary = a76["summary"]["280"]
    assert summary["host_module_cosine"] >= 0.9999 and summary["accuracy_provenance"].startswith("host-measured")
    entry = Bundle.open(tvm_bundle).manifest.compiled["tvm-arm64-a76-fp32"]
    assert entry.backend == "tvm" and entry.runtime == "tvm" and entry.precision == "fp32"
    assert entry.encoders[280].file == f"{entry.dir}/encoder_280.aarch64.so"
    assert {"encoder_280.aarch64.so", "encoder_280.host.so", "report.json"} <= set(entry.files)
    assert "tuning/database_tuning_record.json" in entry.files


def test_recompile_reuses_the_tuning_database(a76: dict, tvm_bundle: Path) -> None:
    previous = a76["dir"].relative_to(tvm_bundle).as_posix()
    _, result = compile_bundle(tvm_bundle, CompileRequest(chip=get_chip("arm64-a76"), shapes=(280,), options=FAST))
    tuning = result.report["tuning"]
    assert tuning["reused_database_from"] == f"{previous}/tuning"
    assert tuning["trials_this_compile"] == 0 and tuning["records_before"] == a76["tuning"]["records_after"]
    before = a76["shapes"]["280"]["scheduled_functions"]["from_tuning_database"]
    assert result.report["shapes"]["280"]["scheduled_functions"]["from_tuning_database"] == before


def test_gpu_build_embeds_opencl_kernels_that_clang_accepts(adreno: dict, tvm_bundle: Path) -> None:
    build = adreno["dir"]
    source = (build / "encoder_280.cl").read_text()
    check = adreno["shapes"]["280"]["opencl_check"]
    assert check["ok"] is True and check["kernels"] >= 10 and "-cl-std=CL2.0" in check["command"]
    assert check["does_not_prove"]
    kernel = source.split("__kernel void ", 2)[1].split("(")[0]
    assert kernel.encode() in (build / "encoder_280.aarch64.so").read_bytes()  # kernels travel inside the library
    assert adreno["tuning"] is None and adreno["tvm"]["target"]["kind"] == "opencl"
    assert adreno["summary"]["280"]["host_module_cosine"] >= 0.9999


def test_tvm_encoder_session_matches_the_cpu_encoder(a76: dict, tvm_bundle: Path) -> None:
    bundle = Bundle.open(tvm_bundle)
    tvm_enc = open_encoder(bundle, target="arm64-a76")
    cpu_enc = open_encoder(bundle, precision="plain")  # the fp32 graph the TVM build compiles
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 280, 280)).astype(np.float32)
    got, want = tvm_enc.encode(x), cpu_enc.encode(x)
    assert got.shape == want.shape == (64, 256) and cosine(got, want) >= 0.9999
    assert tvm_enc.name == "tvm" and tvm_enc.chip == "arm64-a76" and tvm_enc.provenance == "host-measured"
    pipes = [Pipeline(bundle, target="arm64-a76"), Pipeline(bundle, precision="plain")]
    answers = [p.generate(SAMPLE_IMAGE, "What is this?", max_new_tokens=6).token_ids for p in pipes]
    assert answers[0] == answers[1]


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], *fragments: str) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse refuses a malformed flag by exiting (still one line, code 2)
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("minicpmv-edge") and "Traceback" not in err[0], err
    for fragment in fragments:
        assert fragment in err[0]


def test_unknown_option_missing_compiler_and_gpu_tuning_are_one_line_errors(
    tiny_bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "b"
    shutil.copytree(tiny_bundle, bundle)
    manifest = (bundle / "manifest.json").read_bytes()
    base = ["-q", "compile", str(bundle), "--shapes", "280"]
    _one_line_error(capsys, [*base, "--target", "arm64-a76", "--npu-mode", "NPU3"], "--npu-mode is not an option")
    _one_line_error(
        capsys,
        [*base, "--target", "arm64-a76", "--cross-cxx", "aarch64-nowhere-g++"],
        "aarch64-nowhere-g++ not found",
        "apt-get install g++-aarch64-linux-gnu",
    )
    _one_line_error(capsys, [*base, "--target", "mali", "--tune-trials", "4"], "--tune-trials", "mali")
    _one_line_error(capsys, [*base, "--target", "arm64-a76", "--tune-trials", "-1"], "must be an integer from 0")
    with pytest.raises(EdgeError, match="tvm option heldout_images must be at least 1"):
        compile_bundle(bundle, CompileRequest(chip=get_chip("arm64-a55"), options={"heldout_images": "0"}))
    assert (bundle / "manifest.json").read_bytes() == manifest
    assert not list(bundle.glob("compiled/*"))  # no build folder, not even a temporary one


def test_tvm_chips_are_in_the_registry() -> None:
    for key, kind in (("arm64-a76", "llvm"), ("arm64-a55", "llvm"), ("adreno", "opencl"), ("mali", "opencl")):
        chip = get_chip(key)
        assert chip.backend == "tvm" and chip.tvm_target["kind"] == kind and chip.stands_for and chip.fp32_gflops
    assert get_chip("mali").tvm_target["host"]["mtriple"] == "aarch64-linux-gnu"
    assert {c.key for c in TVM_CHIPS} == {"arm64-a76", "arm64-a55", "adreno", "mali"}
    assert all(c.fp32_gflops and c.source for c in TVM_CHIPS)  # the exported tuple carries the published figures
