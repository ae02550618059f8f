import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from conftest import TINY_25, TINY_26
from onnx import TensorProto, helper

from minicpmv_edge.bundle import MANIFEST_NAME, read_manifest, sha256_file, verify_files
from minicpmv_edge.errors import BundleError, EdgeError
from minicpmv_edge.export.parity import check_parity
from minicpmv_edge.export.pipeline import ExportRequest, export_bundle, parity_inputs
from minicpmv_edge.export.static_graph import DYNAMIC_OPS, static_problems
from minicpmv_edge.export.vision_onnx import export_vision_onnx
from minicpmv_edge.model.checkpoint import load_vision_encoder, open_checkpoint
from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
from minicpmv_edge.presets import TINY


@pytest.mark.parametrize("size", [280, 448])
def test_bundle_encoders_are_static_and_match_torch(tiny_bundle: Path, tiny_checkpoint: Path, size: int) -> None:
    manifest = read_manifest(tiny_bundle)
    enc = manifest.vision.encoders[size]
    assert enc.file == f"vision/encoder_{size}.onnx" and enc.input.shape == (1, 3, size, size)
    path = tiny_bundle / enc.file
    model = onnx.load(str(path))
    dims = [[d.dim_value for d in v.type.tensor_type.shape.dim] for v in (*model.graph.input, *model.graph.output)]
    assert dims == [[1, 3, size, size], [1, 64, 256]]
    assert model.opset_import[0].version >= 17
    assert not {n.op_type for n in model.graph.node} & DYNAMIC_OPS
    assert static_problems(model) == []
    assert 0.9999 <= enc.parity["cosine"] <= 1.0 and enc.parity["provenance"] == "host-measured"
    # independent re-check against the torch reference on a fresh input
    reference = load_vision_encoder(open_checkpoint(tiny_checkpoint), TINY)
    pixels = np.random.default_rng(7).uniform(-1, 1, (1, 3, size, size)).astype(np.float32)
    (got,) = ort.InferenceSession(str(path)).run(None, {"pixel_values": pixels})
    with torch.no_grad():
        expected = reference(torch.from_numpy(pixels)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_manifest_records_provenance_and_hashes(tiny_bundle: Path, tiny_checkpoint: Path) -> None:
    raw = json.loads((tiny_bundle / MANIFEST_NAME).read_text())
    assert raw["manifest_version"] == 2 and "schema_version" not in raw
    manifest = read_manifest(tiny_bundle)
    assert manifest.model.preset == "tiny" and manifest.model.synthetic is True  # the checkpoint says so
    assert manifest.model.source == {"checkpoint": str(tiny_checkpoint)} and manifest.vision.shapes == (280, 448)
    assert {"torch", "onnx", "onnxruntime", "onnxslim"} <= manifest.tools.keys()
    files = {f.path: f for f in manifest.files}
    assert {"vision/encoder_280.onnx", "vision/encoder_448.onnx", "tokenizer/tokenizer.json"} <= set(files)
    assert {manifest.llm.path(rel) for rel in manifest.llm.files} <= set(files)
    assert set(manifest.referenced_paths()) <= set(files)  # every file a reader opens is hashed
    on_disk = {p.relative_to(tiny_bundle).as_posix() for p in tiny_bundle.rglob("*") if p.is_file()}
    assert set(files) == on_disk - {MANIFEST_NAME, ".lock"}
    for rel, record in files.items():
        assert sha256_file(tiny_bundle / rel) == record.sha256 and (tiny_bundle / rel).stat().st_size == record.bytes
    verify_files(tiny_bundle, manifest)
    assert any("photo" in label for label in manifest.vision.encoders[280].parity["inputs"])


def test_tampering_is_detected(tmp_path: Path, tiny_bundle: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_bundle, copy)
    with (copy / "vision/encoder_280.onnx").open("r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01")
    with pytest.raises(BundleError, match="does not match its manifest sha256"):
        verify_files(copy, read_manifest(copy))


@pytest.mark.parametrize("preset", [TINY_25, TINY_26], ids=lambda p: p.name)
def test_2_5_and_2_6_architectures_export_with_parity(tmp_path: Path, preset) -> None:
    ckpt = open_checkpoint(write_synthetic_checkpoint(preset, tmp_path / "ckpt"))
    encoder = load_vision_encoder(ckpt, preset)
    path = export_vision_onnx(encoder, 280, tmp_path / "enc.onnx")
    assert static_problems(onnx.load(str(path))) == []
    parity = check_parity(encoder, path, parity_inputs(280, seed=1))
    assert parity.cosine >= 0.9999 and parity.max_abs < 1e-3


def test_static_check_catches_dynamic_graphs() -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    nodes = [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Expand", ["x", "s"], ["y"])]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y]))
    problems = static_problems(model)
    assert any(p.startswith("Shape node") for p in problems)
    assert any("Expand" in p and "computed shape" in p for p in problems)
    assert any("non-static shape" in p for p in problems)


def test_failed_export_leaves_existing_bundle_intact(
    tmp_path: Path, tiny_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minicpmv_edge.export import pipeline
    from minicpmv_edge.export.parity import Parity

    out = tmp_path / "bundle"
    vision = {"parts": ("vision",), "checkpoint": tiny_checkpoint}  # the LLM part adds time, not coverage, here
    export_bundle(ExportRequest(preset=TINY, out=out, shapes=(280,), **vision))
    before = (out / MANIFEST_NAME).read_text()
    # NaN weights give NaN outputs: the parity gate must fail on them (NaN compares false to everything)
    nan = Parity(cosine=float("nan"), max_abs=float("nan"), inputs=["x"])
    with monkeypatch.context() as m:
        m.setattr(pipeline, "compare_onnx", lambda *a, **k: nan)
        with pytest.raises(EdgeError, match=r"cosine nan at 448x448 is below 0\.9999"):
            export_bundle(ExportRequest(preset=TINY, out=out, shapes=(448,), **vision))
    assert (out / MANIFEST_NAME).read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]  # no temp directories or locks left behind
    with pytest.raises(EdgeError, match=r"--min-cosine must be a number in \(0, 1\], got 1.5"):
        export_bundle(ExportRequest(preset=TINY, out=out, shapes=(448,), min_cosine=1.5, **vision))
    # a successful re-export replaces it whole
    export_bundle(ExportRequest(preset=TINY, out=out, shapes=(448,), **vision))
    assert read_manifest(out).vision.shapes == (448,)
    assert not (out / "vision/encoder_280.onnx").exists()


def test_refuses_to_replace_foreign_directory(tmp_path: Path, tiny_checkpoint: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"precious")
    with pytest.raises(EdgeError, match="non-empty folder that is not a bundle written by minicpmv-edge"):
        export_bundle(ExportRequest(preset=TINY, out=out, shapes=(280,), checkpoint=tiny_checkpoint))
    assert (out / "holiday.jpg").read_bytes() == b"precious"


def test_cpu_encoder_graphs(tiny_bundle: Path) -> None:
    """The CPU-only graphs sit beside the plain ones, listed with their cosine vs torch; int8 is the default."""
    manifest = json.loads((tiny_bundle / MANIFEST_NAME).read_text())
    vision = manifest["vision"]
    files = {f["path"] for f in manifest["files"]}
    typed = read_manifest(tiny_bundle).vision  # the typed reader keeps them
    assert (
        typed.cpu_default == "int8"
        and typed.cpu_encoders["int8"][280].file == vision["cpu_encoders"]["int8"]["280"]["file"]
    )
    for precision, floor in (("fp32", 0.99999), ("int8", 0.995)):
        for size in ("280", "448"):
            entry = vision["cpu_encoders"][precision][size]
            assert entry["file"] in files and entry["cosine_vs_torch_fp32"] >= floor
            ops = {n.op_type for n in onnx.load(str(tiny_bundle / entry["file"])).graph.node}
            assert {"SkipLayerNormalization", "BiasGelu"} <= ops
            if precision == "int8":
                assert "MatMulNBits" in ops and "block" in entry["recipe"]
    assert vision["cpu_default"] == "int8"
    plain = {n.op_type for n in onnx.load(str(tiny_bundle / vision["encoders"]["280"]["file"])).graph.node}
    assert not plain & {"SkipLayerNormalization", "BiasGelu", "MatMulNBits"}


def test_slimming_from_disk_is_onnxslims_graph(tmp_path: Path, tiny_checkpoint: Path) -> None:
    """Slimming with the weights left on disk (what keeps full-size export under 8 GB) gives exactly the graph
    onnxslim makes from the model in memory: same nodes, same initializers, same bytes."""
    import onnxslim

    from minicpmv_edge.export.vision_onnx import simplify_and_save, trace_vision_onnx

    raw = trace_vision_onnx(load_vision_encoder(open_checkpoint(tiny_checkpoint), TINY), 280, tmp_path / "raw.onnx")
    weightless = onnx.load(str(raw), load_external_data=False)
    assert any(t.data_location == TensorProto.EXTERNAL for t in weightless.graph.initializer)
    in_memory = onnxslim.slim(onnx.load(str(raw)))
    ours = onnx.load(str(simplify_and_save(raw, tmp_path / "out" / "enc.onnx", "tiny")))
    assert [(n.op_type, list(n.input), list(n.output)) for n in ours.graph.node] == [
        (n.op_type, list(n.input), list(n.output)) for n in in_memory.graph.node
    ]
    expected = {t.name: onnx.numpy_helper.to_array(t) for t in in_memory.graph.initializer}
    got = {t.name: onnx.numpy_helper.to_array(t) for t in ours.graph.initializer}
    assert got.keys() == expected.keys()
    assert all(np.array_equal(got[k], expected[k]) for k in got)


def test_large_encoders_export_in_a_child_process(tmp_path: Path, tiny_checkpoint: Path, monkeypatch) -> None:
    """The per-shape child process full-size exports use (here forced at tiny size) gives the same bundle entry."""
    import minicpmv_edge.export.pipeline as pipeline

    monkeypatch.setattr(pipeline, "ISOLATE_BYTES", 0)
    req = ExportRequest(preset=TINY, out=tmp_path / "b", shapes=(280,), parts=("vision",), checkpoint=tiny_checkpoint)
    manifest = export_bundle(req)
    assert manifest.vision.encoders[280].parity["cosine"] >= 0.9999
    assert manifest.vision.cpu_encoders["int8"][280].cosine_vs_torch_fp32 >= 0.995
    assert not list(tmp_path.glob("b/**/raw*"))
