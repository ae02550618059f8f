"""Reproductions from the reliability pass (issue 9, items 1-3, and the manifest's types from item 5).

Nothing a user does may delete a folder we did not write, let a bundle open a file outside itself or one that
is not hashed, or leave a bundle that no command accepts after a kill or two concurrent compiles. The manifest
cases are written against whatever manifest the exporter writes (they edit it as JSON), so they hold for any
manifest version.

The crash cases use the test seam of `minicpmv_edge.bundle` (MINICPMV_EDGE_FAULT_AT=<step>: the CLI process
SIGKILLs itself right after that rename/write step) and so run the CLI as a subprocess; everything else runs
`minicpmv_edge.cli.main` in process. `benchmarks/fault_injection.py` tries many more kill points.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import cli, one_line_error

from minicpmv_edge.bundle import FAULT_ENV
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.runtime.bundle_view import Bundle

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "minicpmv_edge" / "assets" / "sample.jpg"
ANDROID = Path(__file__).parent / "data" / "bench" / "android_benchmark_sample.json"
BUILD = "ax650n-u16"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> sha256), to prove a folder was left untouched."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_args(bundle: Path) -> list[str]:
    return ["run", str(bundle), "--image", str(SAMPLE), "--prompt", "hi", "--max-new-tokens", "2", "--json"]


def runs(capsys: pytest.CaptureFixture[str], bundle: Path) -> None:
    Bundle.open(bundle, verify=True)
    code = cli(*run_args(bundle))
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()


def subprocess_cli(*args: str, fault: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "minicpmv_edge", "-q", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def copy_bundle(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def edit_manifest(bundle: Path, change) -> None:
    path = bundle / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2))


# ---- item 1: never delete what we did not write -------------------------------------------------------------


def test_export_keeps_a_folder_that_merely_holds_a_manifest_json(capsys, tmp_path: Path) -> None:
    webapp = tmp_path / "webapp"
    webapp.mkdir()
    (webapp / "manifest.json").write_text('{"name": "My PWA", "start_url": "/", "icons": []}')
    (webapp / "index.html").write_text("<html>my life's work</html>")
    before = snapshot(webapp)
    one_line_error(capsys, "export", "--model", "tiny", "--synthetic", "--parts", "vision", "--shapes", "280",
                   "--out", str(webapp))  # fmt: skip
    assert snapshot(webapp) == before


def test_bench_keeps_a_folder_that_merely_holds_a_report_json(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "report.json").write_text('{"quarter": "Q3", "revenue": 12}')
    (folder / "notes.txt").write_text("do not lose")
    before = snapshot(folder)
    one_line_error(capsys, "bench", "--import", str(ANDROID), "--out", str(folder))
    assert snapshot(folder) == before


def build_dirs(bundle: Path) -> set[str]:
    """Folder names of the builds the manifest records (the folder may carry a suffix after the build name)."""
    compiled = json.loads((bundle / "manifest.json").read_text())["compiled"]
    return {Path(build["dir"]).name for build in compiled.values()}


def test_bench_out_cannot_replace_a_compiled_build(capsys, compiled_bundle: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(compiled_bundle, tmp_path / "b")
    build = bundle / json.loads((bundle / "manifest.json").read_text())["compiled"][BUILD]["dir"]
    before = snapshot(build)
    one_line_error(capsys, "bench", "--import", str(ANDROID), "--out", str(build))
    assert snapshot(build) == before
    runs(capsys, bundle)


# ---- item 2: everything a bundle opens is inside it and hashed ------------------------------------------------


def _encoder(manifest: dict) -> dict:
    return manifest["vision"]["encoders"]["280"]


def _outside_encoder(bundle: Path) -> None:
    outside = bundle.parent / "outside.onnx"
    shutil.copy(bundle / _encoder(json.loads((bundle / "manifest.json").read_text()))["file"], outside)
    edit_manifest(bundle, lambda m: _encoder(m).update(file=str(outside)))


def _unlisted_tampered_encoder(bundle: Path) -> None:
    edit_manifest(bundle, lambda m: m.update(files=[]))
    onnx = bundle / "vision" / "encoder_280.onnx"
    onnx.write_bytes(onnx.read_bytes() + b"\0tampered")


def _tokenizer_escape(bundle: Path) -> None:
    edit_manifest(bundle, lambda m: m["tokenizer"].update(file="../../../../../../../../etc/passwd"))


def _llm_dir_escape(bundle: Path) -> None:
    shutil.copytree(bundle / "llm", bundle.parent / "elsewhere")
    edit_manifest(bundle, lambda m: m["llm"].update(dir="../elsewhere"))


def _embedding_escape(bundle: Path) -> None:
    llm = json.loads((bundle / "manifest.json").read_text())["llm"]
    table = bundle / llm.get("dir", ".") / llm["embedding"]["table"]
    shutil.copy(table, bundle.parent / "table.npy")
    edit_manifest(bundle, lambda m: m["llm"]["embedding"].update(table="../../table.npy"))


def _symlink_escape(bundle: Path) -> None:
    onnx = bundle / "vision" / "encoder_280.onnx"
    outside = bundle.parent / "same_bytes.onnx"
    shutil.copy(onnx, outside)  # identical bytes: the hash matches, only the location is wrong
    onnx.unlink()
    onnx.symlink_to(outside)


@pytest.mark.parametrize(
    "tamper",
    [
        _outside_encoder,
        _unlisted_tampered_encoder,
        _tokenizer_escape,
        _llm_dir_escape,
        _embedding_escape,
        _symlink_escape,
    ],
)
def test_bundle_paths_stay_inside_and_are_hashed(capsys, tiny_bundle: Path, tmp_path: Path, tamper) -> None:
    bundle = copy_bundle(tiny_bundle, tmp_path / "b")
    tamper(bundle)
    one_line_error(capsys, *run_args(bundle))
    with pytest.raises(EdgeError):
        Bundle.open(bundle, verify=True)


def test_compiled_build_outside_the_bundle_is_refused(capsys, compiled_bundle: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(compiled_bundle, tmp_path / "b")
    (build_dir,) = build_dirs(bundle)
    shutil.copytree(bundle / "compiled" / build_dir, tmp_path / "evil")

    def escape(manifest: dict) -> None:
        entry = manifest["compiled"][BUILD]
        entry["dir"] = "../evil"
        entry["report"] = "../evil/report.json"
        for shape in entry.get("encoders", {}).values():
            shape["file"] = "../" + shape["file"]

    edit_manifest(bundle, escape)
    one_line_error(capsys, *run_args(bundle))
    with pytest.raises(EdgeError):
        Bundle.open(bundle, verify=True)


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_checkpoint_index_cannot_point_outside(capsys, tiny_checkpoint: Path, tmp_path: Path, where: str) -> None:
    ckpt = tmp_path / "ckpt"
    shutil.copytree(tiny_checkpoint, ckpt)
    index = json.loads((ckpt / "model.safetensors.index.json").read_text())
    first = sorted(set(index["weight_map"].values()))[0]
    shutil.move(ckpt / first, tmp_path / first)  # the real shard now lives outside the checkpoint
    outside = f"../{first}" if where == "relative" else str(tmp_path / first)
    index["weight_map"] = {k: (outside if v == first else v) for k, v in index["weight_map"].items()}
    (ckpt / "model.safetensors.index.json").write_text(json.dumps(index))
    out = tmp_path / "out"
    line = one_line_error(capsys, "export", "--model", "tiny", "--checkpoint", str(ckpt), "--shapes", "280",
                          "--out", str(out))  # fmt: skip
    assert first in line
    assert not out.exists()


# ---- item 5 (manifest types, with the manifest restructure) -----------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.pop("model"),
        lambda m: m.update(model="tiny"),
        lambda m: m["model"].update(synthetic="yes", query_num="64"),
        lambda m: m.update(files={"not": "a list"}),
        lambda m: m.update(files=[{"path": 1, "bytes": "x", "sha256": None}]),
        lambda m: m["vision"]["encoders"]["280"].update(file=5),
        lambda m: m["llm"].update(num_layers="two"),
        lambda m: m.update(prompt=[]),
    ],
)
@pytest.mark.parametrize("command", ["run", "compile", "bench"])
def test_malformed_manifest_is_one_line(capsys, tiny_bundle: Path, tmp_path: Path, change, command: str) -> None:
    bundle = copy_bundle(tiny_bundle, tmp_path / "b")
    edit_manifest(bundle, change)
    args = {
        "run": run_args(bundle),
        "compile": ["compile", str(bundle), "--target", "ax650n", "--shapes", "280"],
        "bench": ["bench", str(bundle), "--runs", "1", "--warmup", "0", "--max-new-tokens", "2",
                  "--out", str(tmp_path / "r")],
    }[command]  # fmt: skip
    one_line_error(capsys, *args)


# ---- item 3: crash-safe, concurrency-safe builds --------------------------------------------------------------


@pytest.fixture(scope="module")
def calibration_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three calibration images and one held-out: enough to build, quick to emulate."""
    folder = tmp_path_factory.mktemp("calibration")
    for sub, n in (("calibration", 3), ("heldout", 1)):
        (folder / sub).mkdir()
        for image in sorted((ROOT / "calibration_data" / sub).glob("*.png"))[:n]:
            shutil.copy(image, folder / sub / image.name)
    return folder


def compile_args(bundle: Path, calibration: Path, *extra: str) -> list[str]:
    return ["compile", str(bundle), "--target", "ax650n", "--shapes", "280", "--calibration", str(calibration), *extra]


@pytest.fixture(scope="module")
def compiled_bundle(tiny_bundle: Path, calibration_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny bundle with one ax650n build (the bundle-writing part needs no Pulsar2)."""
    bundle = copy_bundle(tiny_bundle, tmp_path_factory.mktemp("compiled") / "b")
    assert cli(*compile_args(bundle, calibration_dir)) == 0
    return bundle


def test_compile_killed_after_the_build_is_renamed_in(capsys, compiled_bundle, calibration_dir, tmp_path) -> None:
    bundle = copy_bundle(compiled_bundle, tmp_path / "b")
    for step in ("after-build-rename", "after-manifest-rename"):
        proc = subprocess_cli(*compile_args(bundle, calibration_dir), fault=step)
        _, err = proc.communicate()
        assert proc.returncode == -9, err  # the seam fired
        runs(capsys, bundle)
    # the next compile cleans what the killed ones left and counts only real builds
    assert cli(*compile_args(bundle, calibration_dir)) == 0
    folders = {p.name for p in (bundle / "compiled").iterdir() if p.is_dir()}
    assert set(json.loads((bundle / "manifest.json").read_text())["compiled"]) == {BUILD}
    assert folders == build_dirs(bundle) and len(folders) == 1
    assert not [p.name for p in bundle.iterdir() if p.name.startswith(".") and "tmp" in p.name]
    runs(capsys, bundle)


def test_two_compiles_at_once(capsys, compiled_bundle: Path, calibration_dir: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(compiled_bundle, tmp_path / "b")
    procs = [subprocess_cli(*compile_args(bundle, calibration_dir, "--precision", p)) for p in ("u16", "u8")]
    results = [(proc.wait(), proc.communicate()[1]) for proc in procs]
    builds = set(json.loads((bundle / "manifest.json").read_text())["compiled"])
    for precision, (code, err) in zip(("u16", "u8"), results, strict=True):
        assert code in (0, 2) and "Traceback" not in err, err
        if code == 0:
            assert f"ax650n-{precision}" in builds  # a compile that says done has its build recorded
    runs(capsys, bundle)


def test_export_killed_between_its_renames_leaves_a_bundle(
    capsys, tiny_bundle: Path, tiny_checkpoint: Path, tmp_path: Path
) -> None:
    out = copy_bundle(tiny_bundle, tmp_path / "bundle")  # a good bundle at the path, as when a user re-exports
    export = ["export", "--model", "tiny", "--checkpoint", str(tiny_checkpoint), "--parts", "vision",
              "--shapes", "280", "--out", str(out)]  # fmt: skip
    for step in ("after-manifest-rename", "after-exchange"):
        proc = subprocess_cli(*export, fault=step)
        _, err = proc.communicate()
        assert proc.returncode == -9, err
        Bundle.open(out, verify=True)  # the old bundle or the new one, never none
    assert cli(*export) == 0
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle.")]  # temp folders cleaned
    Bundle.open(out, verify=True)
