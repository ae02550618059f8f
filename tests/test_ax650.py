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
from onnx import TensorProto, helper
from test_cli import assert_one_line_error

from minicpmv_edge.bundle import file_record, read_manifest, write_manifest
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.export.static_graph import static_problems
from minicpmv_edge.npu_backends import ax650, ax_run_model
from minicpmv_edge.npu_backends.ax650_ops import check_model
from minicpmv_edge.npu_backends.base import CompileRequest
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.npu_backends.compile import compile_bundle
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions, open_encoder

SAMPLES = Path(__file__).parent / "data" / "ax_run_model"
SCHEMA = json.loads(ax650.SCHEMA_PATH.read_text())
FAST = {"calibration_images": "6", "heldout_images": "2"}
NO_PULSAR2 = {ax650.PULSAR2_SWITCH: "off"}


def run_cli_env(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "minicpmv_edge", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def copy_bundle(src: Path, dst: Path) -> Path:
    """Compiling rewrites the manifest, and `tiny_bundle` is shared by the whole session."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("compiled"))
    manifest = read_manifest(dst)
    manifest.pop("compiled", None)
    manifest["files"] = [r for r in manifest["files"] if not r["path"].startswith("compiled/")]
    write_manifest(dst, manifest)
    return dst


def ax_request(**kw) -> CompileRequest:
    return CompileRequest(chip=get_chip("ax650n"), **kw)


@pytest.fixture(scope="module")
def ax_bundle(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundle(tiny_bundle, tmp_path_factory.mktemp("ax650") / "tiny")


@pytest.fixture(scope="module")
def compiled(ax_bundle: Path) -> subprocess.CompletedProcess:
    """`compile --target ax650n --precision u16` through the CLI: both shapes, the repo's calibration set."""
    return run_cli_env("compile", str(ax_bundle), "--target", "ax650n", "--precision", "u16", env=NO_PULSAR2)


@pytest.fixture
def folder(compiled: subprocess.CompletedProcess, ax_bundle: Path) -> Path:
    assert compiled.returncode == 0, compiled.stderr
    return ax_bundle / "compiled" / "ax650n-u16"


# ------------------------------------------------------------------------------------------------ compile


def test_cli_compile_writes_every_pulsar2_input(compiled: subprocess.CompletedProcess, folder: Path) -> None:
    names = {"build.sh", "report.json"} | {f"{k}_{s}.{e}" for s in (280, 448) for k, e in
             (("encoder", "onnx"), ("pulsar2", "json"), ("calib", "tar"))}  # fmt: skip
    assert names <= {p.name for p in folder.iterdir()}
    assert not list(folder.glob("*.axmodel"))  # nothing was built, and nothing claims it was
    report = json.loads((folder / "report.json").read_text())
    assert report["backend"] == "ax650" and report["npu_mode"] == "NPU3" and report["axmodels_built"] is False
    assert report["pulsar2"] == {"found": None, "ran": False, "output_dirs": []}
    assert any("./build.sh" in step and str(folder) in step for step in report["next_steps"])
    assert "next: on a machine with Pulsar2" in compiled.stdout
    for size in ("280", "448"):
        acc = report["summary"][size]
        assert acc["provenance"] == "emulated" and acc["axmodel"] is None
        assert acc["simulated_cosine"] >= 0.99, acc  # u16 default threshold
        assert acc["heldout_images"] == 14 and acc["calibration_images"] == 45
        assert "u16 activations" in acc["method"] and "MinMax" in acc["method"]
        assert report["op_check"][size]["violations"] == []
    manifest = json.loads((folder.parent.parent / "manifest.json").read_text())
    assert manifest["compiled"]["ax650n-u16"]["summary"]["280"]["simulated_cosine"] >= 0.99
    recorded = {r["path"] for r in manifest["files"]}
    assert {f"compiled/ax650n-u16/{n}" for n in names} <= recorded
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
        assert len(members) == qin["calibration_size"] == 45
        for member in members:
            assert member.name.endswith(".npy") and "/" not in member.name
            array = np.load(io.BytesIO(tar.extractfile(member).read()))
            assert array.dtype == np.float32 and array.shape == (1, 3, size, size)
            assert array.min() >= -1.0 and array.max() <= 1.0


@pytest.mark.parametrize("size", [280, 448])
def test_onnx_is_static_op_checked_and_unchanged(folder: Path, ax_bundle: Path, size: int) -> None:
    graph = onnx.load(str(folder / f"encoder_{size}.onnx"))
    assert static_problems(graph) == [] and check_model(graph) == []
    dims = [d.dim_value for d in graph.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 3, size, size] and graph.opset_import[0].version >= 11
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
    ours = ort.InferenceSession(str(folder / f"encoder_{size}.onnx")).run(None, {"pixel_values": x})[0]
    src = ort.InferenceSession(str(ax_bundle / "vision" / f"encoder_{size}.onnx")).run(None, {"pixel_values": x})[0]
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
    name, result = compile_bundle(bundle, ax_request(shapes=(280,), options=dict(FAST)))
    assert name == "ax650n-u16"
    report = result.report
    assert report["axmodels_built"] is True and report["pulsar2"]["found"] == f"native: {fake}"
    assert report["summary"]["280"]["axmodel"] == "encoder_280.axmodel"
    assert not any("./build.sh" in s for s in report["next_steps"])
    assert {"encoder_280.axmodel", "build.log"} <= set(result.files)
    manifest = Bundle.open(bundle).manifest  # the axmodel is hashed in the manifest
    assert "compiled/ax650n-u16/encoder_280.axmodel" in {r["path"] for r in manifest["files"]}

    _fake_pulsar2(tmp_path / "bin", fail=True)
    with pytest.raises(EdgeError, match=r"pulsar2 build failed \(exit 3\).*full log: "):
        compile_bundle(bundle, ax_request(shapes=(280,), options=dict(FAST)))
    assert (bundle / "compiled" / name / "encoder_280.axmodel").is_file()  # the good build was kept


def test_u8_emulation_and_threshold(ax_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ax650.PULSAR2_SWITCH, "off")
    monkeypatch.setattr(ax650, "INLINE_LIMIT_BYTES", 0)  # take the >2 GB path: weights as external data
    bundle = copy_bundle(ax_bundle, tmp_path / "b")
    name, result = compile_bundle(bundle, ax_request(precision="u8", shapes=(280,), options=dict(FAST)))
    assert name == "ax650n-u8"
    assert {"encoder_280.onnx", "encoder_280.onnx.data"} <= set(result.files)
    Bundle.open(bundle)  # the .data file is hashed too
    acc = result.report["summary"]["280"]
    assert acc["simulated_cosine"] >= ax650.PRECISIONS["u8"].min_cosine and acc["heldout_images"] == 2
    assert "u8 activations (Softmax/LayerNormalization outputs u16)" in acc["method"]
    config = json.loads((bundle / "compiled" / name / "pulsar2_280.json").read_text())
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


def test_cli_rejects_unsupported_encoder_with_node_op_rule(ax_bundle: Path, tmp_path: Path) -> None:
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
    manifest = read_manifest(bundle)
    manifest["files"] = [
        file_record(bundle, bundle / r["path"]) if r["path"] == "vision/encoder_280.onnx" else r
        for r in manifest["files"]
    ]
    write_manifest(bundle, manifest)
    proc = run_cli_env("compile", str(bundle), "--target", "ax650n", "--shapes", "280", env=NO_PULSAR2)
    assert_one_line_error(proc, "'encoder/ln_bad'", "(LayerNormalization)", "axis must be -1", "AX650")
    assert not list((bundle / "compiled").glob("*")) and "compiled" not in read_manifest(bundle)

    # --allow-cpu-fallback: kept, and every violation is in the report for Pulsar2 to place (or refuse)
    with mock.patch.dict(os.environ, NO_PULSAR2):
        _, result = compile_bundle(bundle, ax_request(shapes=(280,), allow_cpu_fallback=True, options=dict(FAST)))
    (violation,) = result.report["op_check"]["280"]["violations"]
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
    proc = run_cli_env("compile", str(ax_bundle), "--target", "ax650n", *args, env=NO_PULSAR2)
    assert_one_line_error(proc, *fragments)


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


def test_run_axengine_without_pyaxengine_is_one_line(ax_bundle: Path, tmp_path: Path) -> None:
    # shadow any installed pyaxengine with a package whose import fails, as it does where it is absent
    (tmp_path / "axengine").mkdir()
    (tmp_path / "axengine" / "__init__.py").write_text("raise ImportError('No module named axengine')\n")
    proc = run_cli_env(
        "run", str(ax_bundle), "--encoder", "axengine", "--image", str(SAMPLE_IMAGE), "--prompt", "hi",
        env={"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))},
    )  # fmt: skip
    assert_one_line_error(proc, "pyaxengine is not installed", "AXERA-TECH/pyaxengine")


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


def test_axengine_encoder_loads_the_built_axmodel(
    folder: Path, ax_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "axengine", SimpleNamespace(InferenceSession=_FakeSession))
    bundle = Bundle.open(ax_bundle)
    encoder = open_encoder(bundle, "axengine", EncoderOptions(target="ax650n"))
    assert encoder.provenance == "device-measured"
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 448, 448)).astype(np.float32)
    with pytest.raises(EdgeError, match=r"encoder_448.axmodel is not built yet: run .*ax650n-u16/build.sh"):
        encoder.encode(x)
    (folder / "encoder_448.axmodel").write_bytes(b"placeholder")
    try:
        got = encoder.encode(x)
        assert got.shape == (64, 256) and got.dtype == np.float32
        assert _FakeSession.loaded[-1] == (str(folder / "encoder_448.axmodel"), ["AxEngineExecutionProvider"])
        with pytest.raises(EdgeError, match="has no 336x336 encoder"):
            encoder.encode(np.zeros((1, 3, 336, 336), np.float32))
        with pytest.raises(EdgeError, match="another chip"):
            open_encoder(bundle, "axengine", EncoderOptions(target="sm8650"))
        with pytest.raises(EdgeError, match="not compiled for the AX650N at u8"):
            open_encoder(bundle, "axengine", EncoderOptions(extra={"precision": "u8"}))
    finally:
        (folder / "encoder_448.axmodel").unlink()


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
    folder: Path, ax_bundle: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "b"
    shutil.copytree(ax_bundle, bundle)
    paths = ax_run_model.store_log(bundle, SAMPLES / "sample_two_runs.log")
    assert [p.name for p in paths] == ["encoder_280.json", "encoder_448.json"]
    stored = json.loads(paths[0].read_text())
    assert stored["provenance"] == "device-measured" and stored["avg_ms"] == 733.275 and stored["shape"] == 280
    # built elsewhere with build.sh: only the file arrives
    (bundle / "compiled" / "ax650n-u16" / "encoder_280.axmodel").write_bytes(b"placeholder")
    assert ax650.register_axmodels(bundle) == ["encoder_280.axmodel"]
    manifest = Bundle.open(bundle).manifest  # verifies every hash, the new ones included
    entry = manifest["compiled"]["ax650n-u16"]
    assert entry["device_results"]["encoder_448"]["avg_ms"] == 2005.118
    assert entry["device_results"]["encoder_280"]["provenance"] == "device-measured"
    assert entry["summary"]["280"]["axmodel"] == "encoder_280.axmodel"
    assert {"device_results/encoder_280.json", "encoder_280.axmodel"} <= set(entry["files"])
    with pytest.raises(EdgeError, match="no AX650N compile folder"):
        ax_run_model.store_device_result(
            tmp_path, ax_run_model.parse_output((SAMPLES / "doc_verify_mode.log").read_text())
        )
