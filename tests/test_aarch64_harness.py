"""The aarch64 harness's own logic, without network or QEMU: cache keys, the private apt configuration, the
emulated /proc/cpuinfo, the environment it hands the emulated Python, and its one-line errors.

The end-to-end run (sysroot build, runtime and TVM library under QEMU vs this host) is benchmarks/aarch64_runtime.py,
which CI runs as its own step: it downloads ~150 MB and takes minutes, too long for the Python suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import aarch64_harness as harness


def test_cache_key_follows_every_version() -> None:
    base = harness.default_spec()
    assert base.key == harness.default_spec().key
    bumped = harness.SysrootSpec(base.suite, base.debian_packages, (*base.wheels[:-1], "tokenizers==0.0.1"))
    assert bumped.key != base.key
    assert harness.default_spec(tvm=True).key != base.key
    assert any(w.startswith("apache-tvm==") for w in harness.default_spec(tvm=True).wheels)
    assert not any("torch" in w for w in harness.default_spec(tvm=True).wheels)  # the runtime runs without torch


def test_private_apt_config_is_arm64_and_leaves_the_host_alone(tmp_path: Path) -> None:
    env = harness._apt_config(tmp_path, "bookworm")
    conf = Path(env["APT_CONFIG"]).read_text()
    assert 'APT::Architecture "arm64";' in conf and f'Dir::State::status "{tmp_path}/state/status";' in conf
    assert "/var/lib/dpkg" not in conf and "/etc/apt/sources.list" not in conf
    sources = (tmp_path / "etc" / "sources.list").read_text()
    assert sources.count("[arch=arm64") == 3 and "bookworm-security" in sources


def test_cpuinfo_names_one_cortex_a76_per_host_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "_host_cpus", lambda: [0, 1, 2])
    harness._write_cpuinfo(tmp_path)
    text = (tmp_path / "proc" / "cpuinfo").read_text()
    assert text.count("CPU part\t: 0xd0b") == 3 and "processor\t: 2" in text and "asimd" in text
    monkeypatch.setattr(harness, "_host_cpus", lambda: [0])
    harness._write_cpuinfo(tmp_path)  # the cache moved to a smaller machine: rewritten
    assert (tmp_path / "proc" / "cpuinfo").read_text().count("processor") == 1


def test_emulated_python_sees_the_wheels_and_the_repo_not_the_host_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONHOME", "/somewhere")
    monkeypatch.setenv("VIRTUAL_ENV", "/venv")
    monkeypatch.setattr(harness.shutil, "which", lambda name: f"/usr/bin/{name}")
    root = harness.Sysroot(tmp_path)
    env = root.env()
    assert env["PYTHONPATH"].split(":") == [str(tmp_path / "site"), str(harness.REPO)]
    assert "PYTHONHOME" not in env and "VIRTUAL_ENV" not in env
    assert env["MINICPMV_EDGE_EMULATED"] == "1"
    cmd = root.command([str(root.python), "-c", "pass"])
    assert cmd[:3] == ["/usr/bin/qemu-aarch64-static", "-L", str(tmp_path / "sysroot")]


def test_missing_qemu_is_one_line_naming_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(harness.shutil, "which", lambda name: None)
    with pytest.raises(harness.HarnessError, match="apt-get install qemu-user-static"):
        harness.Sysroot(tmp_path).command(["true"])
    monkeypatch.setattr(harness, "ensure_sysroot", lambda spec: harness.Sysroot(tmp_path))
    assert harness.main(["exec", "--", "true"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "qemu-aarch64-static not found" in err[0]
