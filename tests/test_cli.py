"""The CLI as a user runs it: a real subprocess, exit codes, one-line errors, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "minicpmv_edge", *args], capture_output=True, text=True, timeout=300, check=False
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("minicpmv-edge")]
    assert len(lines) == 1 and lines[0] == proc.stderr.strip().splitlines()[-1], proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_export_tiny_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "X"
    proc = run_cli("export", "--model", "tiny", "--synthetic", "--shapes", "280,448", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "weights synthetic" in proc.stdout and "cosine" in proc.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["vision"]["encoders"]) == ["280", "448"]
    assert "[minicpmv-edge]" in proc.stderr  # progress went to stderr


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["export", "--model", "minicpm-v-2", "--checkpoint", "/does/not/exist", "--out", "Z"], ["does not exist"]),
        (["export", "--model", "minicpm-v-9", "--synthetic", "--out", "Z"], ["unknown model preset", "tiny"]),
        (["export", "--synthetic", "--shapes", "280,abc", "--out", "Z"], ["shapes"]),
        (["export", "--synthetic", "--shapes", "300", "--out", "Z"], ["not a multiple of the patch size"]),
        (["export", "--out", "Z"], ["--checkpoint", "--synthetic"]),
        (["frobnicate"], ["invalid choice"]),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    args = [str(tmp_path / a) if a == "Z" else a for a in args]
    proc = run_cli(*args)
    assert_one_line_error(proc, *fragments)
    assert not (tmp_path / "Z").exists()


def test_wrong_checkpoint_for_preset(tmp_path: Path, tiny_checkpoint: Path) -> None:
    proc = run_cli(
        "export", "--model", "minicpm-v-2", "--checkpoint", str(tiny_checkpoint), "--out", str(tmp_path / "Z")
    )
    assert_one_line_error(proc, "does not match preset minicpm-v-2")
