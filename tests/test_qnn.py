"""QNN HTP: quantize -> offline context binary -> whole-graph proof -> emulated accuracy, the runtime session, and
the AI Hub adapter (qai_hub calls patched). Real onnxruntime-qnn HTP emulator, no network.

Each chip is compiled once per module (2 held-out images, 16 calibration images, to keep the emulator time short).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from unittest import mock

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper
from test_cli import assert_one_line_error, run_cli

from minicpmv_edge.bundle import sha256_file
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.pipeline import SAMPLE_IMAGE
from minicpmv_edge.npu_backends import qnn_ep
from minicpmv_edge.npu_backends.base import CompileRequest
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.npu_backends.compile import compile_bundle
from minicpmv_edge.npu_backends.qnn import compile_context, require_whole_graph
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions, open_encoder
from minicpmv_edge.runtime.preprocess import square_input

pytest.importorskip("onnxruntime_qnn")

FAST = {"heldout_images": "2", "calibration_images": "16"}


@pytest.fixture(scope="module")
def qnn_bundle(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy: compiling rewrites the manifest, and `tiny_bundle` is shared by the whole session."""
    out = tmp_path_factory.mktemp("qnn") / "tiny"
    shutil.copytree(tiny_bundle, out)
    return out


@pytest.fixture(scope="module")
def compiled(qnn_bundle: Path) -> dict[str, dict]:
    """sm8650 and sm8550 at w8a16, both shapes: folder name -> report."""
    reports = {}
    for key in ("sm8650", "sm8550"):
        name, result = compile_bundle(qnn_bundle, CompileRequest(chip=get_chip(key), options=dict(FAST)))
        reports[name] = result.report
    return reports


@pytest.mark.parametrize(("chip", "soc", "arch"), [("sm8650", 57, "v75"), ("sm8550", 43, "v73")])
def test_compile_w8a16_context_binaries(compiled: dict, qnn_bundle: Path, chip: str, soc: int, arch: str) -> None:
    name = f"qnn-{chip}-w8a16"
    report = compiled[name]
    folder = qnn_bundle / "compiled" / name
    assert report["htp"]["soc_model"] == soc and report["htp"]["htp_arch"] == arch
    assert report["whole_graph_on_htp"] is True
    assert report["quantization"]["activations"] == "QUInt16" and report["quantization"]["weights"] == "QUInt8"
    on_disk = json.loads((folder / "report.json").read_text())
    manifest = json.loads((qnn_bundle / "manifest.json").read_text())
    for size in ("280", "448"):
        acc = on_disk["summary"][size]
        assert acc["provenance"] == "emulated"
        assert acc["heldout_images"] == 2
        assert acc["cosine"] >= 0.99, acc
        assert acc["binary_bytes"] > 0 and acc["compile_s"] > 0
        # the EPContext node points at the .bin that is really there (embed_mode 0)
        ctx = onnx.load(str(folder / f"encoder_{size}_ctx.onnx"))
        (node,) = [n for n in ctx.graph.node if n.op_type == "EPContext"]
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        assert attrs["embed_mode"] == 0
        assert (folder / attrs["ep_cache_context"].decode()).is_file()
        assert attrs["ep_cache_context"].decode() == f"encoder_{size}_ctx_qnn.bin"
    assert manifest["compiled"][name]["summary"] == on_disk["summary"]
    records = {r["path"]: r for r in manifest["files"]}
    for rel in manifest["compiled"][name]["files"]:
        path = folder / rel
        assert records[f"compiled/{name}/{rel}"]["sha256"] == sha256_file(path)
    assert {"encoder_280_ctx_qnn.bin", "encoder_448_ctx_qnn.bin", "report.json"} <= set(
        manifest["compiled"][name]["files"]
    )
    assert not list(folder.glob("*qdq*")) and not (folder / ".work").exists()
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
    proc = run_cli("compile", str(qnn_bundle), "--target", "sm8550", "--precision", "fp16")
    assert_one_line_error(proc, "fp16", "v73")


def test_unknown_chip_is_one_line(qnn_bundle: Path) -> None:
    assert_one_line_error(run_cli("compile", str(qnn_bundle), "--target", "sm9999"), "unknown target chip", "sm8650")


@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_bad_calibration_dir_is_one_line(qnn_bundle: Path, tmp_path: Path, kind: str) -> None:
    directory = tmp_path / "calib"
    if kind == "empty":
        directory.mkdir()
        (directory / "notes.txt").write_text("no images here")
    proc = run_cli("compile", str(qnn_bundle), "--target", "sm8650", "--calibration", str(directory))
    assert_one_line_error(proc, str(directory), "no images" if kind == "empty" else "does not exist")
    assert not (qnn_bundle / "compiled" / "qnn-sm8650-w8a16" / ".work").exists()


def test_run_cli_with_qnn_encoder_is_emulated(compiled: dict, qnn_bundle: Path) -> None:
    proc = run_cli(
        "run", str(qnn_bundle), "--encoder", "qnn", "--target", "sm8650", "--image", str(SAMPLE_IMAGE),
        "--prompt", "What is in the picture?", "--max-new-tokens", "4", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # stdout is pure JSON: the QNN banner went to stderr
    assert out["encoder_backend"] == "qnn"
    assert out["encoder_provenance"] == "emulated"
    assert out["encode_shapes"] == [280]


def test_qnn_session_matches_cpu_encoder(compiled: dict, qnn_bundle: Path) -> None:
    bundle = Bundle.open(qnn_bundle)
    from PIL import Image

    x = square_input(Image.open(SAMPLE_IMAGE).convert("RGB"), 280)
    qnn = open_encoder(bundle, "qnn", EncoderOptions(target="sm8550"))
    assert qnn.build == "qnn-sm8550-w8a16" and qnn.provenance == "emulated"
    got, want = qnn.encode(x), open_encoder(bundle, "cpu").encode(x)
    assert got.shape == want.shape == (64, 256)
    from minicpmv_edge.numerics import cosine

    assert cosine(got, want) > 0.99
    with pytest.raises(EdgeError, match="pick one with --target"):
        open_encoder(bundle, "qnn", EncoderOptions())


def test_run_without_compiled_build_names_compile_command(tiny_bundle: Path) -> None:
    proc = run_cli(
        "run", str(tiny_bundle), "--encoder", "qnn", "--target", "sm8650", "--image", str(SAMPLE_IMAGE),
        "--prompt", "hi", "--json",
    )  # fmt: skip
    assert_one_line_error(proc, "not compiled for sm8650", "minicpmv-edge compile")


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


def test_hub_adapter_submits_jobs_and_stores_device_figures(compiled: dict, qnn_bundle: Path, tmp_path: Path) -> None:
    import qai_hub

    from minicpmv_edge.npu_backends.qai_hub import QaiHubBackend

    bundle = Bundle.open(qnn_bundle)
    ctx_folder = qnn_bundle / "compiled" / "qnn-sm8650-w8a16"
    reference = ort.InferenceSession(str(bundle.encoder_file(280)), providers=["CPUExecutionProvider"])

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

    out = tmp_path / "out"
    out.mkdir()
    req = CompileRequest(chip=get_chip("sm8650"), shapes=(280,), options=dict(FAST))
    with (
        mock.patch("qai_hub.submit_compile_job", return_value=cjob) as submit_compile,
        mock.patch("qai_hub.submit_profile_job", return_value=pjob) as submit_profile,
        mock.patch("qai_hub.submit_inference_job", side_effect=fake_outputs) as submit_inference,
    ):
        result = QaiHubBackend(check_access=False).compile(bundle, req, out)

    kwargs = submit_compile.call_args.kwargs
    assert kwargs["device"] == qai_hub.Device("Samsung Galaxy S24 (Family)")
    assert kwargs["options"] == "--target_runtime precompiled_qnn_onnx"
    assert kwargs["input_specs"] == {"pixel_values": ((1, 3, 280, 280), "float32")}
    assert kwargs["model"].endswith("encoder_280_qdq.onnx")  # our own QDQ model, not a cloud quantize job
    assert submit_profile.call_args.kwargs["model"] is target
    assert submit_inference.call_args.kwargs["model"] is target
    assert len(submit_inference.call_args.kwargs["inputs"]["pixel_values"]) == 2

    figures = result.report["summary"]["280"]
    assert figures["inference_ms"] == 8.0 and figures["peak_memory_mb"] == [1.0, 3.0]
    assert figures["compute_units"] == {"npu": 5} and figures["provenance"] == "device-measured"
    assert figures["accuracy"]["cosine"] > 0.9999 and figures["accuracy"]["provenance"] == "device-measured"
    assert result.report["jobs"]["280"]["profile_job"] == "jprofile1"
    assert sorted(result.files) == ["encoder_280_ctx.onnx", "encoder_280_ctx_qnn.bin", "profile_280.json"]
    assert [p.name for p in qnn_ep.context_binaries(out / "encoder_280_ctx.onnx")] == ["encoder_280_ctx_qnn.bin"]
    assert not (out / ".work").exists()


def _cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "QAIHUB_CLIENT_INI" and "proxy" not in k.lower()}
    return {**env, "HOME": str(home)}


def test_hub_without_token_is_one_line(qnn_bundle: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "minicpmv_edge", "compile", str(qnn_bundle), "--target", "sm8650", "--via", "qai-hub"],
        capture_output=True, text=True, timeout=120, env=_cli_env(tmp_path), check=False,
    )  # fmt: skip
    assert_one_line_error(proc, "not configured", "qai-hub configure --api_token")


def test_hub_without_network_fails_fast(qnn_bundle: Path, tmp_path: Path) -> None:
    config = tmp_path / ".qai_hub" / "client.ini"
    config.parent.mkdir()
    # a closed local port: the connection is refused at once, as it would be with no route to AI Hub
    config.write_text("[api]\napi_token = t0ken\napi_url = https://127.0.0.1:9\nweb_url = https://127.0.0.1:9\n")
    proc = subprocess.run(
        [sys.executable, "-m", "minicpmv_edge", "compile", str(qnn_bundle), "--target", "sm8650", "--via", "qai-hub"],
        capture_output=True, text=True, timeout=60, env=_cli_env(tmp_path), check=False,
    )  # fmt: skip
    assert_one_line_error(proc, "cannot reach Qualcomm AI Hub", "127.0.0.1:9")
