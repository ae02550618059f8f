"""ONNX Runtime 1.29.0 for arm64 Android: the official AAR's native libraries, fetched into the cache at build time.

Why npm: Maven Central and Google's Maven are unreachable on our build machines, but the npm package
`com.github.asus4.onnxruntime@0.4.9` carries Microsoft's unmodified `onnxruntime.aar` 1.29.0 (MIT). Only its
`jni/arm64-v8a/*.so` are kept (pinned by sha256); the AAR's `classes.jar` is Java 17 bytecode that Debian's `dx`
cannot dex, so the ORT Java API classes come from the sources the Java runtime vendors (see `apk.ORT_JAVA_SOURCES`).
The libraries are never committed to the repository.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

from minicpmv_edge.bundle import sha256_file
from minicpmv_edge.errors import EdgeError

log = logging.getLogger(__name__)

ORT_VERSION = "1.29.0"
NPM_PACKAGE = "com.github.asus4.onnxruntime@0.4.9"
AAR_MEMBER = "package/Plugins/Android/onnxruntime.aar"
ABI = "arm64-v8a"
LIBRARIES = {
    "libonnxruntime.so": "3a602b463d434d20fbf69cd1b8bdfd2f86a2cb67d08de97aec8f62476fa4ab87",
    "libonnxruntime4j_jni.so": "45673d7fba377fe0555892460766051b5993d65c9f65e528dc9d515c07c9f683",
}
NPM_TIMEOUT_S = 600


def _cached(lib_dir: Path) -> bool:
    return all((lib_dir / name).is_file() and sha256_file(lib_dir / name) == sha for name, sha in LIBRARIES.items())


def _npm_pack(work: Path) -> Path:
    npm = shutil.which("npm")
    if not npm:
        raise EdgeError(f"npm not found on PATH: it fetches ONNX Runtime {ORT_VERSION} for Android ({NPM_PACKAGE})")
    log.info("android: fetching ONNX Runtime %s for Android from npm (%s, about 150 MB)", ORT_VERSION, NPM_PACKAGE)
    try:
        done = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent", "--pack-destination", str(work)],
            capture_output=True, text=True, timeout=NPM_TIMEOUT_S, cwd=work,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise EdgeError(
            f"npm pack {NPM_PACKAGE} did not finish in {NPM_TIMEOUT_S} s (is the npm registry reachable?)"
        ) from None
    tgz = sorted(work.glob("*.tgz"))
    if done.returncode != 0 or not tgz:
        errors = done.stderr.splitlines()
        lines = [ln for ln in errors if "ERR" in ln] or errors or ["no .tgz written"]
        raise EdgeError(f"cannot fetch {NPM_PACKAGE} from the npm registry: {lines[0].strip()[:200]}")
    return tgz[0]


def _extract(tgz: Path, lib_dir: Path) -> None:
    """The arm64 .so files of the AAR inside the npm tarball, each checked against its pinned sha256."""
    with tarfile.open(tgz, "r:gz") as tar:
        try:
            member = tar.getmember(AAR_MEMBER)
        except KeyError:
            raise EdgeError(f"{NPM_PACKAGE} has no {AAR_MEMBER}: the package layout changed") from None
        aar = tar.extractfile(member)
        if aar is None:
            raise EdgeError(f"{NPM_PACKAGE}: {AAR_MEMBER} is not a regular file")
        data = aar.read()
    tmp = lib_dir.with_name(lib_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name, sha in LIBRARIES.items():
            target = tmp / name
            try:
                target.write_bytes(z.read(f"jni/{ABI}/{name}"))
            except KeyError:
                raise EdgeError(f"{NPM_PACKAGE}: the AAR has no jni/{ABI}/{name}") from None
            if sha256_file(target) != sha:
                raise EdgeError(f"{NPM_PACKAGE}: jni/{ABI}/{name} does not match its pinned sha256 (tampered?)")
    shutil.rmtree(lib_dir, ignore_errors=True)
    tmp.rename(lib_dir)


def ort_native_libs(cache_dir: Path) -> list[Path]:
    """`libonnxruntime.so` and `libonnxruntime4j_jni.so` for arm64-v8a, downloaded once into `cache_dir`."""
    lib_dir = cache_dir / f"onnxruntime-android-{ORT_VERSION}" / ABI
    if not _cached(lib_dir):
        lib_dir.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=lib_dir.parent) as work:
            _extract(_npm_pack(Path(work)), lib_dir)
    return [lib_dir / name for name in LIBRARIES]


ORT_VERSION_TAG = re.compile(rb"VERS_(\d+\.\d+\.\d+)")


def aar_native_libs(aar: Path, dest: Path) -> tuple[list[Path], str | None]:
    """Every `jni/arm64-v8a/*.so` of a user-supplied ONNX Runtime AAR (e.g. Maven's onnxruntime-android-qnn 1.29.0,
    downloaded on a machine that can reach Maven), extracted into `dest`; and the ORT version its library exports.

    Why: the npm AAR has no QNN execution provider; an AAR built with it lets the offline APK run the bundle's HTP
    context binaries. Not pinned (the user chose the file), so the version is reported instead."""
    try:
        with zipfile.ZipFile(aar) as z:
            members = [m for m in z.namelist() if m.startswith(f"jni/{ABI}/") and m.endswith(".so")]
            missing = [name for name in LIBRARIES if f"jni/{ABI}/{name}" not in members]
            if missing:
                raise EdgeError(f"--ort-aar {aar} has no jni/{ABI}/{missing[0]} (is it an ONNX Runtime Android AAR?)")
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            libs = []
            for member in members:
                target = dest / Path(member).name
                target.write_bytes(z.read(member))
                libs.append(target)
    except (OSError, zipfile.BadZipFile) as err:
        raise EdgeError(f"cannot read --ort-aar {aar}: {err}") from None
    versions = ORT_VERSION_TAG.findall((dest / "libonnxruntime.so").read_bytes())
    version = max(versions, key=lambda v: tuple(int(x) for x in v.split(b"."))).decode() if versions else None
    return sorted(libs), version
