"""QNN HTP: quantize -> offline context binary -> whole-graph proof -> emulated accuracy, the runtime session picked
by `--target`, and the AI Hub adapter (qai_hub calls patched). Real onnxruntime-qnn HTP emulator, no network.

The session's `compiled_bundle` has sm8650 (v75) at 280; this module adds sm8550 (v73) at 448 to a copy, so each
HTP generation and each shape is compiled once, on the small calibration set (the emulator is the slow part).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from unittest import mock

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from cli_helpers import assert_one_line_error, run_main
from conftest import SMALL_HELDOUT, copy_bundle
from onnx import TensorProto, helper

from minicpmv_edge.bundle import read_manifest, sha256_file
from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.npu_backends import qnn_ep
from minicpmv_edge.npu_backends.base import CompileRequest
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.npu_backends.compile import compile_bundle
from minicpmv_edge.npu_backends.qnn import compile_context, require_whole_graph
from minicpmv_edge.numerics import cosine
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import open_encoder
from minicpmv_edge.runtime.preprocess import square_input

pytest.importorskip("onnxruntime_qnn")

BUILDS = {"sm8650": 280, "sm8550": 448}  # chip -> the one shape its build has


@pytest.fixture(scope="module")
def qnn_bundle(compiled_bundle: Path, small_calibration: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's compiled bundle plus an sm8550 w8a16 build at 448 (compiling rewrites the manifest)."""
    out = copy_bundle(compiled_bundle, tmp_path_factory.mktemp("qnn") / "tiny")
    compile_bundle(out, CompileRequest(chip=get_chip("sm8550"), shapes=(448,), calibration=small_calibration))
    return out


def _image(size: int) -> np.ndarray:
    from PIL import Image

    return square_input(Image.open(SAMPLE_IMAGE).convert("RGB"), size)


@pytest.mark.parametrize(("chip", "soc", "arch"), [("sm8650", 57, "v75"), ("sm8550", 43, "v73")])
def test_compile_w8a16_context_binaries(qnn_bundle: Path, chip: str, soc: int, arch: str) -> None:
    size = BUILDS[chip]
    name = f"qnn-{chip}-w8a16"
    manifest = read_manifest(qnn_bundle)
    build = manifest.compiled[name]
    folder = qnn_bundle / build.dir
    assert (build.backend, build.chip, build.precision, build.runtime) == ("qnn", chip, "w8a16", "qnn")
    assert build.dir.startswith(f"compiled/{name}-") and build.report == f"{build.dir}/report.json"
    report = json.loads((folder / "report.json").read_text())
    assert (report["backend"], report["chip"], report["precision"]) == ("qnn", chip, "w8a16")
    assert report["htp"]["soc_model"] == soc and report["htp"]["htp_arch"] == arch
    assert report["whole_graph_on_htp"] is True
    assert report["quantization"]["activations"] == "QUInt16" and report["quantization"]["weights"] == "QUInt8"
    acc = report["summary"][str(size)]
    assert acc["provenance"] == "emulated" and acc["heldout_images"] == SMALL_HELDOUT
    assert 0.99 <= acc["cosine"] <= 1.0, acc
    assert acc["binary_bytes"] > 0 and acc["compile_s"] > 0
    assert set(report["summary"]) == {str(size)} and build.summary == report["summary"]
    # the manifest names the EPContext graph the session loads, and it points at the .bin that is really there
    assert set(build.encoders) == {size}
    assert build.encoders[size].file == f"{build.dir}/encoder_{size}_ctx.onnx"
    ctx = onnx.load(str(qnn_bundle / build.encoders[size].file))
    (node,) = [n for n in ctx.graph.node if n.op_type == "EPContext"]
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    assert attrs["embed_mode"] == 0 and attrs["ep_cache_context"].decode() == f"encoder_{size}_ctx_qnn.bin"
    assert (folder / attrs["ep_cache_context"].decode()).is_file()
    records = {r.path: r for r in manifest.files}
    assert {f"encoder_{size}_ctx_qnn.bin", f"encoder_{size}_ctx.onnx", "report.json"} <= set(build.files)
    for rel in build.files:
        assert records[f"{build.dir}/{rel}"].sha256 == sha256_file(folder / rel)
    assert sorted(p.name for p in folder.iterdir()) == sorted(build.files)  # no QDQ model or work files left
    Bundle.open(qnn_bundle)  # every hash still verifies


def _odd_graph(op: str = "Hardmax") -> bytes:
    """MatMul -> <op> -> Relu, fp32 `[1,8,8]`; Hardmax has no QNN HTP implementation."""
    w = onnx.numpy_helper.from_array(np.random.default_rng(0).random((8, 8), dtype=np.float32), "w")
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["a"], name="mm"),
        helper.make_node(op, ["a"], ["b"], name="the_odd_one"),
        helper.make_node("Relu", ["b"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes,
        "odd",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8])],
        [w],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    return model.SerializeToString()


def test_op_htp_cannot_take_is_named(tmp_path: Path) -> None:
    chip = get_chip("sm8650")
    assert [op for op, _ in qnn_ep.fallback_nodes(_odd_graph(), chip)] == ["Hardmax"]
    with pytest.raises(EdgeError, match=r"Hardmax \(the_odd_one\).*--allow-cpu-fallback"):
        require_whole_graph(_odd_graph(), chip, what="the odd graph")

    model = tmp_path / "odd.onnx"
    model.write_bytes(_odd_graph())
    with pytest.raises(EdgeError, match=r"1 node\(s\) of the odd graph .* sm8650 HTP .*Hardmax") as err:
        compile_context(
            model, tmp_path / "odd_ctx.onnx", chip, fp16=False, allow_cpu_fallback=False, what="the odd graph"
        )
    assert "\n" not in str(err.value)

    # accepted fallback: the context is still written and the CPU node reported
    cpu = compile_context(
        model, tmp_path / "ok_ctx.onnx", chip, fp16=False, allow_cpu_fallback=True, what="the odd graph"
    )
    assert ("Hardmax", "the_odd_one") in cpu
    assert qnn_ep.context_binaries(tmp_path / "ok_ctx.onnx")


def test_fp16_refused_before_v75(qnn_bundle: Path) -> None:
    assert_one_line_error(run_main("compile", qnn_bundle, "--target", "sm8550", "--precision", "fp16"), "fp16", "v73")


@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_bad_calibration_dir_is_one_line(qnn_bundle: Path, tmp_path: Path, kind: str) -> None:
    directory = tmp_path / "calib"
    if kind == "empty":
        directory.mkdir()
        (directory / "notes.txt").write_text("no images here")
    before = (qnn_bundle / "manifest.json").read_bytes(), sorted(p.name for p in (qnn_bundle / "compiled").iterdir())
    run = run_main("compile", qnn_bundle, "--target", "sm8650", "--calibration", directory)
    assert_one_line_error(run, str(directory), "no images" if kind == "empty" else "does not exist")
    after = (qnn_bundle / "manifest.json").read_bytes(), sorted(p.name for p in (qnn_bundle / "compiled").iterdir())
    assert after == before  # no build recorded, no temp folder left behind


def test_run_target_sm8650_runs_the_qnn_build_emulated(compiled_bundle: Path) -> None:
    run = run_main(
        "run", compiled_bundle, "--target", "sm8650", "--image", SAMPLE_IMAGE,
        "--prompt", "What is in the picture?", "--max-new-tokens", "4", "--threads", "1", "--json",
    )  # fmt: skip
    assert run.rc == 0, run.err
    out = json.loads(run.out)  # stdout is pure JSON: the QNN log went to stderr
    assert (out["encoder_backend"], out["encoder_chip"], out["encoder_precision"]) == ("qnn", "sm8650", "w8a16")
    assert out["encoder_provenance"] == "emulated" and out["llm_provenance"] == "host-measured"
    assert out["encode_shapes"] == [280]
    # --encoder cpu stays explicit: the same target, the exported fp32 graph on this CPU
    run = run_main(
        "run", compiled_bundle, "--target", "sm8650", "--encoder", "cpu", "--image", SAMPLE_IMAGE,
        "--prompt", "hi", "--max-new-tokens", "2", "--threads", "1", "--json",
    )  # fmt: skip
    assert run.rc == 0, run.err
    out = json.loads(run.out)
    assert (out["encoder_backend"], out["encoder_chip"], out["encoder_provenance"]) == ("cpu", None, "host-measured")


def test_qnn_session_carries_chip_and_precision_and_matches_cpu(qnn_bundle: Path) -> None:
    bundle = Bundle.open(qnn_bundle)
    cpu = open_encoder(bundle)
    for chip, size in BUILDS.items():
        qnn = open_encoder(bundle, chip)
        assert (qnn.name, qnn.chip, qnn.precision, qnn.provenance) == ("qnn", chip, "w8a16", "emulated")
        x = _image(size)
        got, want = qnn.encode(x), cpu.encode(x)
        assert got.shape == want.shape == (64, 256)
        assert cosine(got, want) > 0.99
    with pytest.raises(EdgeError, match="has no 448x448 encoder: compile it with --shapes 448 --target sm8650"):
        open_encoder(bundle, "sm8650").encode(_image(448))
    with pytest.raises(BundleError, match=r"no build for sm8650 at fp16 .*--target sm8650 --precision fp16"):
        open_encoder(bundle, "sm8650", "fp16")


def test_run_without_compiled_build_names_compile_command(tiny_bundle: Path) -> None:
    run = run_main("run", tiny_bundle, "--target", "sm8650", "--image", SAMPLE_IMAGE, "--prompt", "hi", "--json")
    assert_one_line_error(run, "has no build for sm8650", f"minicpmv-edge compile {tiny_bundle} --target sm8650")
    assert run.out == ""


def test_runtime_session_needs_no_torch_or_quantizer() -> None:
    code = (
        "import sys; import minicpmv_edge.npu_backends.qnn_session; "
        "print(sorted(m for m in ('torch', 'onnxruntime.quantization', 'onnx') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_provenance_is_honest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qnn_ep.platform, "machine", lambda: "x86_64")
    assert qnn_ep.provenance() == "emulated"
    monkeypatch.setattr(qnn_ep.platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(qnn_ep.sys, "platform", "linux")
    monkeypatch.setattr(qnn_ep.os.path, "exists", lambda p: False)
    assert qnn_ep.provenance() == "emulated"  # an Arm host without a Hexagon DSP is not a phone
    monkeypatch.setattr(qnn_ep.os.path, "exists", lambda p: p == "/dev/fastrpc-cdsp")
    assert qnn_ep.provenance() == "device-measured"


# --- Qualcomm AI Hub adapter -----------------------------------------------------------------------------------


def test_hub_job_arguments_are_pure() -> None:
    from minicpmv_edge.npu_backends.qai_hub import job_arguments, off_npu_layers, profile_figures

    x = np.zeros((1, 3, 280, 280), np.float32)
    jobs = job_arguments(280, "w8a16", Path("/w/encoder_280_qdq.onnx"), "Samsung Galaxy S24 (Family)", heldout=[x])
    assert jobs.compile == {
        "model": "/w/encoder_280_qdq.onnx",
        "device": "Samsung Galaxy S24 (Family)",
        "name": "minicpmv-edge encoder 280x280 w8a16",
        "input_specs": {"pixel_values": ((1, 3, 280, 280), "float32")},
        "options": "--target_runtime precompiled_qnn_onnx",
    }
    assert jobs.profile["device"] == "Samsung Galaxy S24 (Family)" and jobs.profile["options"] == ""
    assert jobs.inference["inputs"]["pixel_values"][0] is x
    profile = {
        "execution_summary": {
            "estimated_inference_time": 12345,
            "inference_memory_peak_range": [50 * 2**20, 100 * 2**20],
            "first_load_time": 2_000_000,
            "warm_load_time": 300_000,
        },
        "execution_detail": [{"compute_unit": "NPU"}] * 3 + [{"compute_unit": "CPU"}],
    }
    figures = profile_figures(profile, "Samsung Galaxy S24 (Family)")
    assert figures["inference_ms"] == 12.345
    assert figures["peak_memory_mb"] == [50.0, 100.0]
    assert figures["compute_units"] == {"cpu": 1, "npu": 3}
    assert figures["npu_fraction"] == 0.75
    assert figures["first_load_ms"] == 2000.0 and figures["warm_load_ms"] == 300.0
    assert figures["provenance"] == "device-measured"
    profile["execution_detail"][3].update(type="Hardmax", name="the_odd_one")
    assert off_npu_layers(profile) == [("Hardmax", "the_odd_one")]


def test_hub_upload_keeps_external_weights_together(tmp_path: Path) -> None:
    from minicpmv_edge.npu_backends.qai_hub import upload_path

    small = tmp_path / "a.onnx"
    small.write_bytes(b"graph")
    assert upload_path(small, tmp_path / "w") == small
    (tmp_path / "w").mkdir()
    big = tmp_path / "b.onnx"
    big.write_bytes(b"graph")
    (tmp_path / "b.onnx.data").write_bytes(b"weights")
    folder = upload_path(big, tmp_path / "w")
    assert sorted(p.name for p in folder.iterdir()) == ["b.onnx", "b.onnx.data"]  # AI Hub's .onnx + .data layout


def _hub_download_zip(ctx_folder: Path, size: int, dest: Path) -> Path:
    """What AI Hub hands back for precompiled_qnn_onnx: a zip with model.onnx + model.bin (names as AI Hub picks)."""
    model = onnx.load(str(ctx_folder / f"encoder_{size}_ctx.onnx"))
    for node in model.graph.node:
        for attr in node.attribute:
            if attr.name == "ep_cache_context":
                attr.s = b"model.bin"
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr("job_xyz_optimized_onnx/model.onnx", model.SerializeToString())
        zf.write(ctx_folder / f"encoder_{size}_ctx_qnn.bin", "job_xyz_optimized_onnx/model.bin")
    return dest


def test_hub_build_is_recorded_and_runs_like_a_local_qnn_build(compiled_bundle: Path, tmp_path: Path) -> None:
    """`compile --via qai-hub` (jobs patched) lands as a build whose session is the same QNN session as a local one."""
    import qai_hub

    from minicpmv_edge.npu_backends import qai_hub as adapter

    source = Bundle.open(compiled_bundle)
    ctx_folder = compiled_bundle / source.build_for("sm8650").dir
    reference = ort.InferenceSession(str(source.encoder_file(280)), providers=["CPUExecutionProvider"])
    bundle = copy_bundle(compiled_bundle, tmp_path / "hub", builds=False)

    target = mock.Mock(name="target_model")
    target.download.side_effect = lambda filename: str(_hub_download_zip(ctx_folder, 280, Path(f"{filename}.onnx.zip")))
    cjob = mock.Mock(job_id="jcompile1", url="https://hub/jobs/jcompile1")
    cjob.get_target_model.return_value = target
    pjob = mock.Mock(job_id="jprofile1", url="https://hub/jobs/jprofile1")
    pjob.wait.return_value.success = True
    pjob.download_profile.return_value = {
        "execution_summary": {"estimated_inference_time": 8000, "inference_memory_peak_range": [2**20, 3 * 2**20]},
        "execution_detail": [{"compute_unit": "NPU"}] * 5,
    }
    ijob = mock.Mock(job_id="jinfer1")
    ijob.wait.return_value.success = True

    def fake_outputs(**kwargs):
        xs = kwargs["inputs"]["pixel_values"]
        ijob.download_output_data.return_value = {
            "image_embeds": [reference.run(None, {"pixel_values": x})[0] for x in xs]
        }
        return ijob

    options = {"calibration_images": "4", "heldout_images": "2"}
    req = CompileRequest(chip=get_chip("sm8650"), shapes=(280,), options=options)
    with (
        mock.patch.object(adapter, "preflight", return_value=["chipset:qualcomm-snapdragon-8gen3"]) as preflight,
        mock.patch.object(adapter, "check_chipset") as check_chipset,
        mock.patch("qai_hub.submit_compile_job", return_value=cjob) as submit_compile,
        mock.patch("qai_hub.submit_profile_job", return_value=pjob) as submit_profile,
        mock.patch("qai_hub.submit_inference_job", side_effect=fake_outputs) as submit_inference,
    ):
        build, result = compile_bundle(bundle, req, via="qai-hub")

    assert preflight.call_args.args[1] == "Samsung Galaxy S24 (Family)" and check_chipset.called
    kwargs = submit_compile.call_args.kwargs
    assert kwargs["device"] == qai_hub.Device("Samsung Galaxy S24 (Family)")
    assert kwargs["options"] == "--target_runtime precompiled_qnn_onnx"
    assert kwargs["input_specs"] == {"pixel_values": ((1, 3, 280, 280), "float32")}
    assert kwargs["model"].endswith("encoder_280_qdq.onnx")  # our own QDQ model, not a cloud quantize job
    assert submit_profile.call_args.kwargs["model"] is target
    assert submit_inference.call_args.kwargs["model"] is target
    assert len(submit_inference.call_args.kwargs["inputs"]["pixel_values"]) == 2  # held-out images

    figures = result.report["summary"]["280"]
    assert figures["inference_ms"] == 8.0 and figures["peak_memory_mb"] == [1.0, 3.0]
    assert figures["compute_units"] == {"npu": 5} and figures["provenance"] == "device-measured"
    assert figures["accuracy"]["cosine"] > 0.9999 and figures["accuracy"]["provenance"] == "device-measured"
    assert result.report["jobs"]["280"]["profile_job"] == "jprofile1"
    files = ["encoder_280_ctx.onnx", "encoder_280_ctx_qnn.bin", "profile_280.json", "report.json"]
    assert sorted(result.files) == files

    # recorded like any build, and run by the same QNN session as a local build
    assert (build.name, build.backend, build.runtime) == ("qai-hub-sm8650-w8a16", "qai-hub", "qnn")
    folder = bundle / build.dir
    assert [p.name for p in qnn_ep.context_binaries(folder / "encoder_280_ctx.onnx")] == ["encoder_280_ctx_qnn.bin"]
    opened = Bundle.open(bundle)  # its files are hashed in the manifest
    encoder = open_encoder(opened, "sm8650")
    assert (encoder.name, encoder.chip, encoder.precision) == ("qnn", "sm8650", "w8a16")
    x = _image(280)
    assert cosine(encoder.encode(x), open_encoder(opened).encode(x)) > 0.99


@pytest.fixture
def hub_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME with no AI Hub configuration and no proxy, as a fresh user has."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("QAIHUB_CLIENT_INI", raising=False)
    for key in [k for k in os.environ if "proxy" in k.lower()]:
        monkeypatch.delenv(key)
    return tmp_path


def test_hub_without_token_is_one_line(compiled_bundle: Path, hub_home: Path) -> None:
    run = run_main("compile", compiled_bundle, "--target", "sm8650", "--via", "qai-hub")
    assert_one_line_error(run, "not configured", "qai-hub configure --api_token")


def test_hub_without_network_fails_fast(compiled_bundle: Path, hub_home: Path) -> None:
    config = hub_home / ".qai_hub" / "client.ini"
    config.parent.mkdir()
    # a closed local port: the connection is refused at once, as it would be with no route to AI Hub
    config.write_text("[api]\napi_token = t0ken\napi_url = https://127.0.0.1:9\nweb_url = https://127.0.0.1:9\n")
    run = run_main("compile", compiled_bundle, "--target", "sm8650", "--via", "qai-hub")
    assert_one_line_error(run, "cannot reach Qualcomm AI Hub", "127.0.0.1:9")
