"""AX650N: the Pulsar2 inputs (static ONNX, schema-checked build config, Numpy calibration tar, build.sh), the
operator-list check, the emulated u16/u8 accuracy, the Pulsar2 run (a fake `pulsar2`/`docker` stands in: the real
toolchain is a Docker image that no registry has), the pyaxengine session and `ax_run_model` logs.

No Pulsar2 and no board here: nothing below proves what Pulsar2 or the NPU will do with these files.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import jsonschema
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from cli_helpers import CliRun, assert_one_line_error, run_main
from conftest import NO_PULSAR2, SMALL_CALIBRATION, SMALL_HELDOUT, SessionBuilds, copy_bundle
from onnx import TensorProto, helper

from minicpmv_edge.bundle import file_record, read_manifest, with_files, write_manifest
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.export.static_graph import static_problems
from minicpmv_edge.manifest import Build
from minicpmv_edge.npu_backends import ax650, ax_run_model
from minicpmv_edge.npu_backends.ax650_ops import check_model
from minicpmv_edge.npu_backends.base import CompileRequest
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.npu_backends.compile import compile_bundle
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import open_encoder

SAMPLES = Path(__file__).parent / "data" / "ax_run_model"
SCHEMA = json.loads(ax650.SCHEMA_PATH.read_text())
FAST = {"calibration_images": "6", "heldout_images": "2"}


def ax_request(**kw) -> CompileRequest:
    return CompileRequest(chip=get_chip("ax650n"), **kw)


def run_no_pulsar2(*args: object) -> CliRun:
    with mock.patch.dict(os.environ, NO_PULSAR2):
        return run_main(*args)


@pytest.fixture(scope="module")
def ax_bundle(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the tiny bundle without builds, for the compiles this module makes itself."""
    return copy_bundle(tiny_bundle, tmp_path_factory.mktemp("ax650") / "tiny", builds=False)


@pytest.fixture
def build(compiled_bundle: Path) -> Build:
    """The session's ax650n u16 build: `compile --target ax650n --calibration <4 + 2 images>` through the CLI."""
    return Bundle.open(compiled_bundle, verify=False).build_for("ax650n")


@pytest.fixture
def folder(compiled_bundle: Path, build: Build) -> Path:
    return compiled_bundle / build.dir


# ------------------------------------------------------------------------------------------------ compile


def test_cli_compile_writes_every_pulsar2_input(session_builds: SessionBuilds, build: Build, folder: Path) -> None:
    names = {"build.sh", "report.json"} | {f"{k}_{s}.{e}" for s in (280, 448) for k, e in
             (("encoder", "onnx"), ("pulsar2", "json"), ("calib", "tar"))}  # fmt: skip
    assert names == {p.name for p in folder.iterdir()} == set(build.files)
    assert not list(folder.glob("*.axmodel"))  # nothing was built, and nothing claims it was
    assert (build.backend, build.chip, build.precision) == ("ax650", "ax650n", "u16")
    assert build.runtime is None and build.encoders == {}  # nothing a runtime can load until Pulsar2 ran
    report = json.loads((folder / "report.json").read_text())
    assert report["backend"] == "ax650" and report["npu_mode"] == "NPU3" and report["axmodels_built"] is False
    assert report["pulsar2"] == {"found": None, "ran": False, "output_dirs": []}
    # the folder's final name is chosen when the build is committed: the step says how to find it
    root = folder.parent.parent
    assert any("./build.sh" in step and f"minicpmv-edge inspect {root}" in step for step in report["next_steps"])
    cli = session_builds.runs["ax650n"]
    assert "build ax650n-u16 (ax650, u16) for " in cli.out and "next: on a machine with Pulsar2" in cli.out
    for size in ("280", "448"):
        acc = report["summary"][size]
        assert acc["provenance"] == "emulated" and acc["axmodel"] is None
        assert 0.99 <= acc["simulated_cosine"] <= 1.0, acc  # u16 default threshold
        assert acc["heldout_images"] == SMALL_HELDOUT and acc["calibration_images"] == SMALL_CALIBRATION
        assert "u16 activations" in acc["method"] and "MinMax" in acc["method"]
        assert report["op_check"][size]["violations"] == []
    assert build.summary == report["summary"]
    recorded = {r.path for r in read_manifest(folder.parent.parent).files}
    assert {f"{build.dir}/{n}" for n in names} <= recorded
    Bundle.open(folder.parent.parent)  # every recorded hash matches


@pytest.mark.parametrize("size", [280, 448])
def test_config_is_valid_and_names_the_real_tar(folder: Path, size: int) -> None:
    config = json.loads((folder / f"pulsar2_{size}.json").read_text())
    jsonschema.validate(config, SCHEMA)
    graph = onnx.load(str(folder / f"encoder_{size}.onnx"))
    (inp,) = graph.graph.input
    (qin,) = config["quant"]["input_configs"]
    assert qin["calibration_dataset"] == f"calib_{size}.tar" and (folder / qin["calibration_dataset"]).is_file()
    assert qin["tensor_name"] == inp.name == config["input_processors"][0]["tensor_name"]
    assert qin["calibration_format"] == "Numpy"
    assert config["target_hardware"] == "AX650" and config["model_type"] == "ONNX" and config["npu_mode"] == "NPU3"
    assert config["quant"]["layer_configs"] == [
        {"start_tensor_names": ["DEFAULT"], "end_tensor_names": ["DEFAULT"], "data_type": "U16"}
    ]
    proc = config["input_processors"][0]
    assert (proc["src_dtype"], proc["src_layout"], proc["tensor_layout"]) == ("FP32", "NCHW", "NCHW")
    assert proc["mean"] == [0, 0, 0] and proc["std"] == [1, 1, 1]  # our preprocessor already normalised
    assert config["compiler"]["static_batch_sizes"] == [1]

    with tarfile.open(folder / qin["calibration_dataset"]) as tar:
        members = tar.getmembers()
        assert len(members) == qin["calibration_size"] == SMALL_CALIBRATION
        for member in members:
            assert member.name.endswith(".npy") and "/" not in member.name
            array = np.load(io.BytesIO(tar.extractfile(member).read()))
            assert array.dtype == np.float32 and array.shape == (1, 3, size, size)
            assert array.min() >= -1.0 and array.max() <= 1.0


@pytest.mark.parametrize("size", [280, 448])
def test_onnx_is_static_op_checked_and_unchanged(folder: Path, compiled_bundle: Path, size: int) -> None:
    graph = onnx.load(str(folder / f"encoder_{size}.onnx"))
    assert static_problems(graph) == [] and check_model(graph) == []
    dims = [d.dim_value for d in graph.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 3, size, size] and graph.opset_import[0].version >= 11
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
    ours = ort.InferenceSession(str(folder / f"encoder_{size}.onnx")).run(None, {"pixel_values": x})[0]
    source = compiled_bundle / "vision" / f"encoder_{size}.onnx"
    src = ort.InferenceSession(str(source)).run(None, {"pixel_values": x})[0]
    np.testing.assert_allclose(ours, src, atol=1e-5)


def _fake_pulsar2(bindir: Path, *, fail: bool = False) -> Path:
    """A `pulsar2` that checks what `build.sh` hands it and writes a placeholder axmodel where Pulsar2 would."""
    bindir.mkdir(parents=True, exist_ok=True)
    script = bindir / "pulsar2"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env bash
            set -euo pipefail
            echo "fake pulsar2 $*"
            {"echo 'ERROR: unsupported op' >&2; exit 3" if fail else ""}
            [ "$1" = build ]; shift
            while [ $# -gt 0 ]; do
              case "$1" in
                --input) input=$2;; --config) config=$2;; --output_dir) out=$2;; --output_name) name=$2;;
                --target_hardware) hw=$2;; --npu_mode) mode=$2;;
              esac
              shift 2
            done
            test -f "$input"
            {sys.executable} -c "import json,sys,os; c=json.load(open(sys.argv[1])); \\
              assert os.path.isfile(c['quant']['input_configs'][0]['calibration_dataset'])" "$config"
            mkdir -p "$out" && echo "placeholder axmodel: $input $hw $mode" > "$out/$name"
            """
        )
    )
    script.chmod(0o755)
    return script


def test_build_sh_native_and_docker(folder: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(folder, work)
    assert os.access(work / "build.sh", os.X_OK)
    text = (work / "build.sh").read_text()
    assert (
        "set -euo pipefail" in text and 'docker run --rm -v "$PWD":/data -w /data "pulsar2:${PULSAR2_VERSION}"' in text
    )
    subprocess.run(["bash", "-n", str(work / "build.sh")], check=True)
    base_path = "/usr/bin:/bin"

    native = _fake_pulsar2(tmp_path / "native")
    proc = subprocess.run(
        [str(work / "build.sh")], capture_output=True, text=True, env={"PATH": f"{native.parent}:{base_path}"}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--target_hardware AX650 --npu_mode NPU3 --input encoder_280.onnx --config pulsar2_280.json" in proc.stdout
    for size in (280, 448):
        assert (work / f"encoder_{size}.axmodel").read_text().startswith(f"placeholder axmodel: encoder_{size}.onnx")
        (work / f"encoder_{size}.axmodel").unlink()

    docker_bin = tmp_path / "docker_bin"
    docker_bin.mkdir()
    calls = tmp_path / "docker_calls"
    (docker_bin / "docker").write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env bash
            echo "$*" >> {calls}
            if [ "$1" = images ]; then printf '3.2\\n4.2\\n'; exit 0; fi
            while [ "$1" != "pulsar2:4.2" ]; do shift; done
            shift 2  # the image, then the `pulsar2` command inside it
            exec {native} "$@"
            """
        )
    )
    (docker_bin / "docker").chmod(0o755)
    proc = subprocess.run(
        [str(work / "build.sh")], capture_output=True, text=True, env={"PATH": f"{docker_bin}:{base_path}"}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = [c for c in calls.read_text().splitlines() if c.startswith("run")]
    assert len(runs) == 2 and runs[0].startswith(f"run --rm -v {work}:/data -w /data pulsar2:4.2 pulsar2 build")
    assert (work / "encoder_448.axmodel").is_file()

    proc = subprocess.run([str(work / "build.sh")], capture_output=True, text=True, env={"PATH": base_path})
    assert proc.returncode == 127 and "needs Pulsar2" in proc.stderr


def test_compile_runs_pulsar2_when_present(ax_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = copy_bundle(ax_bundle, tmp_path / "b")
    fake = _fake_pulsar2(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    monkeypatch.delenv(ax650.PULSAR2_SWITCH, raising=False)
    build, result = compile_bundle(bundle, ax_request(shapes=(280,), options=dict(FAST)))
    assert build.name == "ax650n-u16"
    report = result.report
    assert report["axmodels_built"] is True and report["pulsar2"]["found"] == f"native: {fake}"
    assert report["summary"]["280"]["axmodel"] == "encoder_280.axmodel"
    assert not any("./build.sh" in s for s in report["next_steps"])
    assert {"encoder_280.axmodel", "build.log"} <= set(result.files)
    # the axmodel is what the axengine session loads, and it is hashed in the manifest
    assert build.runtime == "axengine" and build.encoders[280].file == f"{build.dir}/encoder_280.axmodel"
    manifest = Bundle.open(bundle).manifest
    assert manifest.compiled["ax650n-u16"] == build
    assert f"{build.dir}/encoder_280.axmodel" in {r.path for r in manifest.files}

    _fake_pulsar2(tmp_path / "bin", fail=True)
    with pytest.raises(EdgeError, match=r"pulsar2 build failed \(exit 3\).*full log: "):
        compile_bundle(bundle, ax_request(shapes=(280,), options=dict(FAST)))
    assert (bundle / build.dir / "encoder_280.axmodel").is_file()  # the good build was kept
    assert Bundle.open(bundle).manifest.compiled["ax650n-u16"] == build
    assert sorted(p.name for p in (bundle / "compiled").iterdir()) == [Path(build.dir).name]  # no leftovers


def test_u8_emulation_and_threshold(ax_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ax650.PULSAR2_SWITCH, "off")
    monkeypatch.setattr(ax650, "INLINE_LIMIT_BYTES", 0)  # take the >2 GB path: weights as external data
    bundle = copy_bundle(ax_bundle, tmp_path / "b")
    build, result = compile_bundle(bundle, ax_request(precision="u8", shapes=(280,), options=dict(FAST)))
    assert (build.name, build.precision) == ("ax650n-u8", "u8")
    assert {"encoder_280.onnx", "encoder_280.onnx.data"} <= set(result.files)
    Bundle.open(bundle)  # the .data file is hashed too
    acc = result.report["summary"]["280"]
    assert acc["simulated_cosine"] >= ax650.PRECISIONS["u8"].min_cosine and acc["heldout_images"] == 2
    assert "u8 activations (Softmax/LayerNormalization outputs u16)" in acc["method"]
    config = json.loads((bundle / build.dir / "pulsar2_280.json").read_text())
    assert config["quant"]["layer_configs"] == [{"op_types": ["Softmax", "LayerNormalization"], "data_type": "U16"}]
    assert config["quant"]["input_configs"][0]["calibration_size"] == 6
    jsonschema.validate(config, SCHEMA)

    with pytest.raises(EdgeError, match=r"emulated quantization at 280x280: worst held-out cosine .* below 0.99999999"):
        compile_bundle(bundle, ax_request(precision="u8", shapes=(280,), min_cosine=0.99999999, options=dict(FAST)))


# ------------------------------------------------------------------------------------------------ operator list


def _graph(nodes: list, inits: list | None = None, shape=(1, 4, 8), opset: int = 17, out_shape=None) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape or shape))],
        initializer=inits or [],
    )
    # IR 8: what torch exports; onnx's newest IR is more than this onnxruntime reads
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def _const(name: str, value: np.ndarray) -> TensorProto:
    return onnx.numpy_helper.from_array(value, name)


BAD_GRAPHS = {
    "einsum": (
        lambda: _graph([helper.make_node("Einsum", ["x", "x"], ["y"], "attn/einsum", equation="bij,bij->bij")]),
        "attn/einsum", "Einsum", "not in the AX650 NPU operator list; rewrite it",
    ),
    "layernorm_axis1": (
        lambda: _graph(
            [helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], "blk/ln", axis=1)],
            [_const("g", np.ones((4, 8), np.float32)), _const("b", np.zeros((4, 8), np.float32))],
        ),
        "blk/ln", "LayerNormalization", "axis must be -1 (the last dimension), got 1 on a rank-3 input",
    ),
    "pow_tensor": (
        lambda: _graph([helper.make_node("Pow", ["x", "x"], ["y"], "gelu/pow")]),
        "gelu/pow", "Pow", "exponent must be a scalar initializer",
    ),
    "gemm_alpha": (
        lambda: _graph(
            [helper.make_node("Gemm", ["x", "w"], ["y"], "fc", alpha=0.5, transB=1)],
            [_const("w", np.ones((8, 8), np.float32))], shape=(4, 8),
        ),
        "fc", "Gemm", "alpha and beta are not supported yet",
    ),
    "resize_cubic": (
        lambda: _graph(
            [helper.make_node("Resize", ["x", "", "s"], ["y"], "pos/resize", mode="cubic")],
            [_const("s", np.array([1, 1, 2, 2], np.float32))], shape=(1, 1, 4, 4), out_shape=(1, 1, 8, 8),
        ),
        "pos/resize", "Resize", "mode must be nearest or linear, got cubic",
    ),
    "pad_reflect": (
        lambda: _graph(
            [helper.make_node("Pad", ["x", "p"], ["y"], "pad", mode="reflect")],
            [_const("p", np.zeros(6, np.int64))],
        ),
        "pad", "Pad", "mode must be constant, got reflect",
    ),
    "gather_2d": (
        lambda: _graph(
            [helper.make_node("Gather", ["x", "i"], ["y"], "embed/gather", axis=2)],
            [_const("i", np.zeros((2, 2), np.int64))], out_shape=(1, 4, 2, 2),
        ),
        "embed/gather", "Gather", "indices must be 1-D, got rank 2",
    ),
    "neg": (lambda: _graph([helper.make_node("Neg", ["x"], ["y"], "rope/neg")]), "rope/neg", "Neg", "use Mul by -1"),
    "opset10": (lambda: _graph([helper.make_node("Relu", ["x"], ["y"], "r")], opset=10), "<model>", "opset", ">= 11"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_GRAPHS))
def test_unsupported_ops_are_named(case: str) -> None:
    make, node, op, rule = BAD_GRAPHS[case]
    violations = check_model(make())
    assert [(v.node, v.op) for v in violations] == [(node, op)]
    assert rule in violations[0].rule


def test_supported_variants_pass() -> None:
    ok = _graph(
        [
            helper.make_node("LayerNormalization", ["x", "g", "b"], ["n"], "ln", axis=2),  # == -1 on rank 3
            helper.make_node("Pow", ["n", "e"], ["p"], "pow"),
            helper.make_node("Gather", ["p", "i"], ["y"], "gather", axis=1),
        ],
        [
            _const("g", np.ones(8, np.float32)),
            _const("b", np.zeros(8, np.float32)),
            _const("e", np.array(3.0, np.float32)),
            _const("i", np.arange(4, dtype=np.int64)),
        ],
    )
    assert check_model(ok) == []


def test_cli_rejects_unsupported_encoder_with_node_op_rule(
    ax_bundle: Path, small_calibration: Path, tmp_path: Path
) -> None:
    bundle = copy_bundle(ax_bundle, tmp_path / "b")
    bad = _graph(
        [
            helper.make_node("Conv", ["x", "w"], ["c"], "patch", kernel_shape=[14, 14], strides=[14, 14]),
            helper.make_node("Reshape", ["c", "s"], ["r"], "flatten"),
            helper.make_node("LayerNormalization", ["r", "g", "b"], ["y"], "encoder/ln_bad", axis=1),
        ],
        [
            _const("w", np.ones((8, 3, 14, 14), np.float32)),
            _const("s", np.array([1, 8, 400], np.int64)),
            _const("g", np.ones((8, 400), np.float32)),
            _const("b", np.zeros((8, 400), np.float32)),
        ],
        shape=(1, 3, 280, 280),
        out_shape=(1, 8, 400),
    )
    bad.graph.input[0].name = "pixel_values"
    bad.graph.node[0].input[0] = "pixel_values"
    onnx.save(bad, str(bundle / "vision" / "encoder_280.onnx"))
    rehashed = file_record(bundle, bundle / "vision" / "encoder_280.onnx")
    write_manifest(bundle, with_files(read_manifest(bundle), [rehashed]))
    args = ("compile", bundle, "--target", "ax650n", "--shapes", "280", "--calibration", small_calibration)
    run = run_no_pulsar2(*args)
    assert_one_line_error(run, "'encoder/ln_bad'", "(LayerNormalization)", "axis must be -1", "AX650")
    assert not list((bundle / "compiled").glob("*")) and read_manifest(bundle).compiled == {}

    # --allow-cpu-fallback (the ax650 backend takes it): kept, and every violation is in the report for Pulsar2 to
    # place (or refuse)
    run = run_no_pulsar2(*args, "--allow-cpu-fallback")
    assert run.rc == 0, run.err
    build = read_manifest(bundle).compiled["ax650n-u16"]
    report = json.loads((bundle / build.report).read_text())
    (violation,) = report["op_check"]["280"]["violations"]
    assert "encoder/ln_bad" in violation and "axis must be -1" in violation


# ------------------------------------------------------------------------------------------------ config schema


def test_schema_accepts_axeras_real_configs_and_rejects_bad_ones() -> None:
    clip = {  # AXERA-TECH/clip.axera, quoted in docs/reference/npu-toolchains.md A2
        "model_type": "ONNX", "npu_mode": "NPU3", "target_hardware": "AX650",
        "quant": {
            "input_configs": [{"tensor_name": "DEFAULT", "calibration_dataset": "dataset/dataset_v04.zip",
                               "calibration_size": 32, "calibration_mean": [122.8, 116.7, 104.1],
                               "calibration_std": [68.5, 66.6, 70.3]}],
            "layer_configs": [{"op_types": ["Softmax", "LayerNormalization", "Add", "Concat", "Conv", "MatMul",
                                            "Mul", "Swish"], "data_type": "U16"}],
            "enable_smooth_quant": True, "smooth_quant_strength": 0.75, "calibration_method": "MinMax",
            "precision_analysis": True, "precision_analysis_method": "EndToEnd",
            "precision_analysis_mode": "Reference", "conv_bias_data_type": "FP32",
        },
        "input_processors": [{"tensor_name": "DEFAULT", "tensor_format": "RGB", "tensor_layout": "NCHW",
                              "src_layout": "NCHW", "src_dtype": "FP32", "mean": [0, 0, 0], "std": [1, 1, 1]}],
        "compiler": {"static_batch_sizes": [1]},
    }  # fmt: skip
    jsonschema.validate(clip, SCHEMA)
    bad = [
        {**clip, "npu_mode": "NPU5"},
        {**clip, "quant": {**clip["quant"], "calibration_method": "Entropy"}},
        {**clip, "quant": {**clip["quant"], "layer_configs": [{"op_type": "Softmax", "layer_name": "x"}]}},
        {**clip, "quant": {**clip["quant"], "input_configs": [{"tensor_name": "x", "calibration_dataset": "a.npy"}]}},
        {**clip, "compiler": {"static_batch_sizes": [1, 2], "max_dynamic_batch_size": 4}},
        {**clip, "input_processors": [{"tensor_name": "x", "src_dtype": "FP64"}]},
    ]
    for config in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(config, SCHEMA)


# ------------------------------------------------------------------------------------------------ user errors


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--precision", "u4"], ["unknown precision 'u4'", "u16, u8"]),
        (["--npu-mode", "NPU4"], ["invalid choice", "NPU4"]),
        (["--device", "tpu"], ["Pulsar2's calibration device"]),
    ],
)
def test_bad_compile_options_are_one_line(ax_bundle: Path, args: list[str], fragments: list[str]) -> None:
    assert_one_line_error(run_no_pulsar2("compile", ax_bundle, "--target", "ax650n", *args), *fragments)
    assert not (ax_bundle / "compiled").exists() or not list((ax_bundle / "compiled").iterdir())


def test_bad_library_options(ax_bundle: Path) -> None:
    backend = ax650.Ax650Backend()
    bundle = Bundle.open(ax_bundle)
    for options, message in [
        ({"npu_mode": "NPU9"}, "unknown NPU mode 'NPU9'"),
        ({"heldout_images": "0"}, "at least 1"),
        ({"frobnicate": "1"}, "unknown option"),
    ]:
        with pytest.raises(EdgeError, match=message):
            backend.compile(bundle, ax_request(options=options), Path("/nonexistent"))


# ------------------------------------------------------------------------------------------------ on the board


@pytest.fixture
def board_bundle(compiled_bundle: Path, tmp_path: Path) -> Path:
    """A copy of the compiled bundle whose ax650n build got `encoder_448.axmodel` from `build.sh` elsewhere, registered
    with `register_axmodels` (a placeholder file: `_FakeSession` runs the ONNX beside it)."""
    bundle = copy_bundle(compiled_bundle, tmp_path / "board")
    build = Bundle.open(bundle, verify=False).build_for("ax650n")
    (bundle / build.dir / "encoder_448.axmodel").write_bytes(b"placeholder")
    assert ax650.register_axmodels(bundle) == ["encoder_448.axmodel"]
    return bundle


def test_run_target_ax650n_needs_a_built_axmodel_and_pyaxengine(
    compiled_bundle: Path, board_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--target", "ax650n", "--image", SAMPLE_IMAGE, "--prompt", "hi", "--max-new-tokens", "2")
    # only Pulsar2's inputs: nothing to load, and the error points at the build's next steps
    run = run_main("run", compiled_bundle, *args)
    assert_one_line_error(run, "build ax650n-u16", "nothing a runtime can load yet", "report.json")
    # an axmodel, but no pyaxengine (None in sys.modules makes `import axengine` fail, as where it is absent)
    monkeypatch.setitem(sys.modules, "axengine", None)
    run = run_main("run", board_bundle, *args)
    assert_one_line_error(run, "pyaxengine is not installed", "AXERA-TECH/pyaxengine")


class _FakeSession:
    """pyaxengine's `InferenceSession` API, answering with the fp32 ONNX encoder that sits next to the axmodel."""

    loaded: list[tuple[str, list[str]]] = []  # noqa: RUF012

    def __init__(self, path: str, providers: list[str] | None = None) -> None:
        _FakeSession.loaded.append((path, providers or []))
        self._ort = ort.InferenceSession(path.replace(".axmodel", ".onnx"))

    def get_inputs(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(name=i.name) for i in self._ort.get_inputs()]

    def run(self, names, feed):
        return self._ort.run(names, feed)


def test_axengine_encoder_loads_the_built_axmodel(board_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "axengine", SimpleNamespace(InferenceSession=_FakeSession))
    bundle = Bundle.open(board_bundle)  # the registered axmodel is hashed like every other file
    build = bundle.build_for("ax650n")
    assert (build.runtime, sorted(build.encoders)) == ("axengine", [448])
    encoder = open_encoder(bundle, "ax650n")
    assert (encoder.name, encoder.chip, encoder.precision) == ("axengine", "ax650n", "u16")
    assert encoder.provenance == "device-measured"
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 448, 448)).astype(np.float32)
    got = encoder.encode(x)
    assert got.shape == (64, 256) and got.dtype == np.float32
    axmodel = board_bundle / build.dir / "encoder_448.axmodel"
    assert _FakeSession.loaded[-1] == (str(axmodel), ["AxEngineExecutionProvider"])
    with pytest.raises(EdgeError, match=r"has no 280x280 axmodel \(it has: 448\)"):
        encoder.encode(np.zeros((1, 3, 280, 280), np.float32))
    with pytest.raises(EdgeError, match=r"no build for ax650n at u8 .*--target ax650n --precision u8"):
        open_encoder(bundle, "ax650n", "u8")


# ------------------------------------------------------------------------------------------------ ax_run_model


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("doc_mobilenetv2_1core.log", dict(min_ms=0.719, max_ms=0.726, avg_ms=0.721, npu_type="1 Core", warmup=3,
                                          repeat=10, batch="{ auto: 1 }", cmm_size_bytes=4428624,
                                          pulsar2_version="1.2-patch2 7e6b2b5f", model="mobilenetv2.axmodel")),
        ("doc_yolov5s_npu1.log", dict(min_ms=7.658, avg_ms=7.662, npu_type="NPU1", warmup=10, repeat=100,
                                     engine_version="V1.13.0 Apr 26 2023 16:48:53 1.1.0", vnpu="Disable")),
        ("doc_verify_mode.log", dict(min_ms=3.347, max_ms=3.347, avg_ms=3.347, model=None, repeat=None)),
        ("sample_encoder_280_npu3.log", dict(avg_ms=733.275, npu_type="3 Core", affinity="0b111")),
    ],
)  # fmt: skip
def test_parse_ax_run_model_samples(sample: str, expected: dict) -> None:
    result = ax_run_model.parse_output((SAMPLES / sample).read_text())
    for key, value in expected.items():
        assert getattr(result, key) == value, key
    data = result.as_encoder_result()
    assert data["provenance"] == "device-measured" and data["encode_s"] == pytest.approx(result.avg_ms / 1000)
    json.dumps(data)


def test_parse_errors_and_benchmark_json() -> None:
    two = ax_run_model.parse_outputs((SAMPLES / "sample_two_runs.log").read_text())
    assert [(r.shape, r.avg_ms) for r in two] == [(280, 733.275), (448, 2005.118)]
    with pytest.raises(EdgeError, match="found 2 runs"):
        ax_run_model.parse_output((SAMPLES / "sample_two_runs.log").read_text())
    with pytest.raises(EdgeError, match="found no 'min = "):
        ax_run_model.parse_output("Run AxModel:\n  model: x.axmodel\nSegmentation fault\n")
    bench = ax_run_model.parse_benchmark_json((SAMPLES / "sample_save_benchmark.json").read_text())
    assert (bench.min_ms, bench.avg_ms, bench.shape) == (731.402, 733.275, 280)
    assert ax_run_model.parse_benchmark_json({"result": {"Min_ms": 1, "Max_ms": 3, "Avg_ms": 2}}).avg_ms == 2.0
    with pytest.raises(EdgeError, match="no min/max/avg numbers"):
        ax_run_model.parse_benchmark_json({"latency": 3})


def test_device_results_and_axmodels_are_recorded_in_the_manifest(
    compiled_bundle: Path, tiny_bundle: Path, tmp_path: Path
) -> None:
    bundle = copy_bundle(compiled_bundle, tmp_path / "b")
    paths = ax_run_model.store_log(bundle, SAMPLES / "sample_two_runs.log")
    assert [p.name for p in paths] == ["encoder_280.json", "encoder_448.json"]
    stored = json.loads(paths[0].read_text())
    assert stored["provenance"] == "device-measured" and stored["avg_ms"] == 733.275 and stored["shape"] == 280
    # built elsewhere with build.sh: only the file arrives
    build = read_manifest(bundle).compiled["ax650n-u16"]
    (bundle / build.dir / "encoder_280.axmodel").write_bytes(b"placeholder")
    assert ax650.register_axmodels(bundle) == ["encoder_280.axmodel"]
    entry = Bundle.open(bundle).manifest.compiled["ax650n-u16"]  # verifies every hash, the new ones included
    results = entry.summary["device_results"]
    assert results["encoder_448"]["avg_ms"] == 2005.118 and results["encoder_280"]["provenance"] == "device-measured"
    assert results["encoder_280"]["file"] == f"{entry.dir}/device_results/encoder_280.json"
    assert entry.summary["280"]["axmodel"] == "encoder_280.axmodel"
    assert {"device_results/encoder_280.json", "encoder_280.axmodel"} <= set(entry.files)
    assert (entry.runtime, entry.encoders[280].file) == ("axengine", f"{entry.dir}/encoder_280.axmodel")
    with pytest.raises(EdgeError, match="has no AX650N build; run minicpmv-edge compile --target ax650n"):
        ax_run_model.store_device_result(
            tiny_bundle, ax_run_model.parse_output((SAMPLES / "doc_verify_mode.log").read_text())
        )
