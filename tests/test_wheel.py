"""A non-editable install works: `pip install .` into a fresh venv, then `compile --target ax650n` with the default
calibration and held-out images, which must come from the installed package (they ship through the link
`minicpmv_edge/calibration_data -> ../calibration_data` and pyproject's package-data), not from this checkout.

The venv gets the package from the wheel only (`--no-deps`); its dependencies come from the environment running the
tests through a `.pth` line. (`--system-site-packages` would expose the base interpreter's packages, not those of
the venv the tests run in, here and in CI.) No network: `--no-index --no-build-isolation`.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CALIBRATION_DATA, copy_bundle

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ("pyproject.toml", "README.md", "minicpmv_edge", "calibration_data")  # what a wheel is built from


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding minicpmv-edge installed from a wheel of this checkout (built from a copy: an in-tree
    build would leave build/ and *.egg-info in the checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCE:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / name)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work,
                        env=_clean_env()).stdout.strip())  # fmt: skip
    (purelib / "_shared_deps.pth").write_text("".join(f"{p}\n" for p in site.getsitepackages()))
    proc = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-build-isolation",
        "--no-index", "--no-input", "--quiet", src, cwd=work, env=_clean_env(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shutil.rmtree(src)  # nothing of the source tree is left to fall back on
    return venv


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH (the tests point it at this checkout) and no user site."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return {**env, "PYTHONNOUSERSITE": "1", "MINICPMV_EDGE_PULSAR2": "off"}


def test_package_comes_from_the_wheel(wheel_venv: Path) -> None:
    code = (
        "import json, minicpmv_edge, minicpmv_edge.npu_backends.calibration as c; "
        "print(json.dumps([minicpmv_edge.__file__, str(c.DEFAULT_CALIBRATION)]))"
    )
    proc = _run(wheel_venv / "bin" / "python", "-c", code, cwd=wheel_venv.parent, env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    package, calibration = (Path(p) for p in json.loads(proc.stdout))
    assert package.is_relative_to(wheel_venv), package
    assert calibration.is_relative_to(wheel_venv) and not calibration.is_symlink()  # real files in the wheel
    for sub in ("calibration", "heldout"):
        shipped = sorted(p.name for p in (calibration / sub).iterdir())
        assert shipped == sorted(p.name for p in (CALIBRATION_DATA / sub).iterdir() if p.is_file()), sub
    assert (package.parent / "schemas" / "manifest.schema.json").is_file()


def test_compile_ax650n_from_the_wheel_with_default_images(wheel_venv: Path, tiny_bundle: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(tiny_bundle, tmp_path / "tiny", builds=False)
    cli = wheel_venv / "bin" / "minicpmv-edge"  # the console script the wheel installed
    proc = _run(cli, "-q", "compile", bundle, "--target", "ax650n", "--shapes", "280", cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    assert "build ax650n-u16 (ax650, u16)" in proc.stdout and "Traceback" not in proc.stderr
    manifest = json.loads((bundle / "manifest.json").read_text())
    (build,) = manifest["compiled"].values()
    report = json.loads((bundle / build["report"]).read_text())
    quant, acc = report["quantization"], report["summary"]["280"]
    assert Path(quant["calibration_dir"]).is_relative_to(wheel_venv)  # the installed copy of the default set
    for counted in (quant, acc):
        assert counted["calibration_images"] == len(list((CALIBRATION_DATA / "calibration").iterdir()))
        assert counted["heldout_images"] == len(list((CALIBRATION_DATA / "heldout").iterdir()))
    assert acc["provenance"] == "emulated" and 0.99 <= acc["simulated_cosine"] <= 1.0
