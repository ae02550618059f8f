"""`minicpmv-edge apk`: the app's Java sources -> a signed arm64 APK, offline, with Debian's Android tools.

Sequence (why each step): `aapt package -m` writes R.java for the resources; `javac --release 8` with the API-23
`android.jar` (the newest Debian ships) on the class path: Java 8's API comes from the JDK (Android 26, our minSdk,
has it), `android.*` from API 23 (newer Android APIs are reached by SDK_INT checks and reflection); `dx` turns
Java 8 bytecode into classes.dex (min-sdk 26 allows lambdas); `aapt package` puts manifest, resources, assets,
classes.dex and `lib/arm64-v8a/*.so` in one archive; `zipalign -p 4` page-aligns the native libraries;
`apksigner sign` then `verify`. Everything is built in a temporary directory and renamed onto `--out` at the end.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from minicpmv_edge import __version__
from minicpmv_edge.android.app_assets import write_app_assets
from minicpmv_edge.android.binary_manifest import patch_apk_manifest, substitute_placeholder
from minicpmv_edge.android.cache import android_cache_dir
from minicpmv_edge.android.inspect_apk import NativeLibraryUse, dex_classes, parse_badging, uses_native_libraries
from minicpmv_edge.android.ort import ORT_VERSION, aar_native_libs, ort_native_libs
from minicpmv_edge.android.toolchain import QUICK_JVM, Toolchain, find_toolchain
from minicpmv_edge.errors import EdgeError

log = logging.getLogger(__name__)

REPO_ANDROID_DIR = Path(__file__).resolve().parents[2] / "android_app"
PACKAGE = "org.minicpmv.edge.app"
MIN_SDK = 26
TARGET_SDK = 34
ABI = "arm64-v8a"
# relative to the android_app/ folder: app, Java runtime, ONNX Runtime's Java API (Android variant)
JAVA_SOURCE_DIRS = (
    "app/src/main/java",
    "runtime/src/main/java",
    "third_party/onnxruntime-java/src/main/java",
    "third_party/onnxruntime-java/src/main/android",
)
MANIFEST = "app/src/main/AndroidManifest.xml"
RES_DIR = "app/src/main/res"
ASSETS_DIR = "app/src/main/assets"
BUNDLE_ASSET_DIR = "bundle"
DEBUG_KEY = {"alias": "androiddebugkey", "password": "android", "dname": "CN=Android Debug,O=Android,C=US"}


@dataclass
class ApkRequest:
    """One APK build. `bundle`: a small bundle embedded for a self-contained demo; `qnn_libs`: a folder with the
    QNN runtime libraries (libQnnHtp.so, stubs, skels, libQnnSystem.so) from Qualcomm's SDK; `ort_aar`: an ONNX
    Runtime AAR with the QNN EP (e.g. onnxruntime-android-qnn) instead of the npm one without it; `keystore`: a
    signing keystore (password from `keystore_pass`), else a debug key kept in the cache."""

    out: Path
    bundle: Path | None = None
    qnn_libs: Path | None = None
    keystore: Path | None = None
    keystore_pass: str = DEBUG_KEY["password"]
    ort_aar: Path | None = None
    android_dir: Path = REPO_ANDROID_DIR
    cache_dir: Path | None = None
    version_code: int = 1


@dataclass
class ApkResult:
    """What the built file holds, read back from it (see `inspect_apk`)."""

    path: Path
    bytes: int
    seconds: float
    badging: dict[str, str]
    native_libs: list[str]
    native_uses: list[NativeLibraryUse]
    classes: dict[str, int]  # classes in classes.dex per group: app, runtime, onnxruntime, other
    embedded_bundle: str | None


CLASS_GROUPS = {
    "app": "org.minicpmv.edge.app.",
    "runtime": "org.minicpmv.edge.runtime.",
    "onnxruntime": "ai.onnxruntime.",
}


def class_counts(names: list[str]) -> dict[str, int]:
    counts = {group: sum(n.startswith(prefix) for n in names) for group, prefix in CLASS_GROUPS.items()}
    counts["other"] = len(names) - sum(counts.values())
    return counts


def _java_sources(android_dir: Path) -> list[Path]:
    sources = []
    for rel in JAVA_SOURCE_DIRS:
        root = android_dir / rel
        found = sorted(root.rglob("*.java")) if root.is_dir() else []
        if not found:
            raise EdgeError(f"no Java sources under {root} (is this a full checkout of minicpmv-edge?)")
        sources += found
    return sources


def _build_manifest(src: Path, out: Path) -> str | None:
    """The source manifest plus `package=` (Gradle takes the namespace from build.gradle instead), with its API 29+
    attribute written as a placeholder aapt1 accepts (`binary_manifest`). Returns that attribute's name or None."""
    try:
        text = src.read_text(encoding="utf-8")
    except OSError as err:
        raise EdgeError(f"cannot read {src}: {err.strerror or err}") from None
    text, newer = substitute_placeholder(text)
    out.write_text(text.replace("<manifest ", f'<manifest package="{PACKAGE}" ', 1), encoding="utf-8")
    return newer


def _stage_assets(req: ApkRequest, assets: Path) -> str | None:
    """The app's own assets, the generated ones (sample photo, reference profiles) and the optional embedded
    bundle. Returns the embedded bundle's name."""
    src_assets = req.android_dir / ASSETS_DIR
    if src_assets.is_dir():
        shutil.copytree(src_assets, assets, dirs_exist_ok=True)
    write_app_assets(assets)
    if req.bundle is None:
        return None
    return _stage_bundle(req.bundle, assets / BUNDLE_ASSET_DIR)


def _stage_bundle(bundle: Path, dest: Path) -> str:
    """Copy a bundle (checked against its manifest in `_check_inputs`) under assets/bundle/<name>/."""
    from minicpmv_edge.runtime.bundle_view import Bundle

    view = Bundle.open(bundle, verify=False)
    weights = "synthetic" if view.synthetic else "real"
    log.info("apk: embedding bundle %s (%s, %s weights)", bundle, view.preset, weights)
    shutil.copytree(bundle, dest / bundle.resolve().name, symlinks=False)
    return bundle.resolve().name


def _check_embedded(apk: Path, bundle: Path, name: str) -> None:
    """aapt silently skips asset names it ignores (hidden files, folders starting with `_`): refuse a partial bundle."""
    with zipfile.ZipFile(apk) as z:
        packed = set(z.namelist())
    wanted = [p.relative_to(bundle).as_posix() for p in sorted(bundle.rglob("*")) if p.is_file()]
    missing = [rel for rel in wanted if f"assets/{BUNDLE_ASSET_DIR}/{name}/{rel}" not in packed]
    if missing:
        raise EdgeError(f"aapt left {missing[0]} of the bundle out of the APK (a name aapt ignores); rename it")


def _qnn_libraries(qnn_libs: Path | None) -> list[Path]:
    if qnn_libs is None:
        return []
    if not qnn_libs.is_dir():
        raise EdgeError(f"--qnn-libs {qnn_libs} is not a directory")
    found = sorted(p for p in qnn_libs.iterdir() if p.is_file() and p.name.endswith(".so"))
    if not any(p.name == "libQnnHtp.so" for p in found):
        raise EdgeError(f"--qnn-libs {qnn_libs} has no libQnnHtp.so (take the aarch64-android libraries and the "
                        "Hexagon skel for your chip from Qualcomm's QNN SDK)")  # fmt: skip
    return found


def _check_inputs(req: ApkRequest) -> None:
    """Everything a user passed, checked before any download or compile: a typo costs a second, not a minute."""
    if req.keystore is not None and not req.keystore.is_file():
        raise EdgeError(f"--keystore {req.keystore} does not exist")
    if req.ort_aar is not None and not req.ort_aar.is_file():
        raise EdgeError(f"--ort-aar {req.ort_aar} does not exist")
    _qnn_libraries(req.qnn_libs)
    if req.bundle is not None:
        from minicpmv_edge.runtime.bundle_view import Bundle

        Bundle.open(req.bundle, verify=True)


def _stage_native(req: ApkRequest, cache: Path, staging: Path) -> list[str]:
    lib_dir = staging / "lib" / ABI
    lib_dir.mkdir(parents=True)
    if req.ort_aar is not None:
        ort, version = aar_native_libs(req.ort_aar, staging.parent / "ort-aar")
        log.info("apk: ONNX Runtime from %s (exports %s)", req.ort_aar, version or "no version tag")
        if version != ORT_VERSION:
            log.warning("apk: --ort-aar is ONNX Runtime %s, not %s: the Java API classes are checked against %s "
                        "only", version, ORT_VERSION, ORT_VERSION)  # fmt: skip
    else:
        ort = ort_native_libs(cache)
    for so in [*ort, *_qnn_libraries(req.qnn_libs)]:
        shutil.copyfile(so, lib_dir / so.name)
    return sorted(p.name for p in lib_dir.iterdir())


def _keystore(req: ApkRequest, tc: Toolchain, cache: Path) -> tuple[Path, str]:
    if req.keystore is not None:
        return req.keystore, req.keystore_pass
    ks = cache / "debug.keystore"
    if not ks.is_file():
        log.info("apk: creating a debug signing key in %s", ks)
        tmp = ks.with_suffix(".partial")
        tmp.unlink(missing_ok=True)
        tc.run(
            [tc.keytool, "-genkeypair", "-keystore", str(tmp), "-storetype", "PKCS12", "-storepass",
             DEBUG_KEY["password"], "-alias", DEBUG_KEY["alias"], "-keypass", DEBUG_KEY["password"],
             "-keyalg", "RSA", "-keysize", "2048", "-validity", "10000", "-dname", DEBUG_KEY["dname"]],
            "keytool (debug key)",
        )  # fmt: skip
        tmp.rename(ks)
    return ks, DEBUG_KEY["password"]


def _sources_key(sources: list[Path], roots: tuple[Path, ...]) -> str:
    """Content hash of the sources, each named relative to its root (R.java is generated in a fresh temp dir)."""
    digest = hashlib.sha256(f"min-sdk {MIN_SDK}\n".encode())
    for path in sources:
        rel = next((path.relative_to(r) for r in roots if path.is_relative_to(r)), path)
        digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _compile_dex(
    tc: Toolchain, sources: list[Path], roots: tuple[Path, ...], cache: Path, tmp: Path, dex: Path
) -> None:
    """javac + dx (in `tmp`), or the classes.dex of the same sources from the last build (keyed by content)."""
    cached = cache / _sources_key(sources, roots) / "classes.dex"
    if cached.is_file():
        log.info("apk: [3-4/8] javac + dx: sources unchanged, classes.dex from %s", cached.parent)
        shutil.copyfile(cached, dex)
        return
    classes = tmp / "classes"
    classes.mkdir()
    log.info("apk: [3/8] javac: %d app, runtime and ONNX Runtime Java sources", len(sources))
    argfile = tmp / "sources.txt"
    argfile.write_text("\n".join(f'"{p}"' for p in sources))
    # Java 8's own API from the JDK (--release 8; Android 26 has it, android.jar 23 lacks java.nio.file,
    # java.util.function/stream, java.time), android.* from android.jar 23 on the class path
    javac = [tc.javac, *(f"-J{flag}" for flag in QUICK_JVM), "--release", "8", "-classpath", str(tc.android_jar)]
    tc.run([*javac, "-encoding", "UTF-8", "-nowarn", "-g:source,lines", "-d", str(classes), f"@{argfile}"], "javac")
    log.info("apk: [4/8] dx: classes.dex (min-sdk %d)", MIN_SDK)
    tc.run([*tc.dx, "--dex", f"--min-sdk-version={MIN_SDK}", f"--output={dex}", str(classes)], "dx")
    shutil.rmtree(cache, ignore_errors=True)  # one entry: the last sources built
    cached.parent.mkdir(parents=True)
    shutil.copyfile(dex, cached.with_suffix(".partial"))
    cached.with_suffix(".partial").rename(cached)


def build_apk(req: ApkRequest) -> ApkResult:
    """Build, sign and verify the APK; `req.out` is replaced only by a verified APK."""
    start = time.monotonic()
    _check_inputs(req)
    cache = req.cache_dir or android_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    sources = _java_sources(req.android_dir)
    log.info("apk: [1/8] toolchain (aapt, dx, zipalign, apksigner, android.jar 23) in %s", cache)
    tc = find_toolchain(cache)
    req.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".apk-build-", dir=req.out.parent) as tmp_name:
        tmp = Path(tmp_name)
        gen, staging, assets = tmp / "gen", tmp / "staging", tmp / "assets"
        for d in (gen, staging):
            d.mkdir()
        manifest = tmp / "AndroidManifest.xml"
        newer = _build_manifest(req.android_dir / MANIFEST, manifest)
        res = req.android_dir / RES_DIR
        sdk = ["--min-sdk-version", str(MIN_SDK), "--target-sdk-version", str(TARGET_SDK)]
        version = ["--version-code", str(req.version_code), "--version-name", __version__]
        log.info("apk: [2/8] aapt: R.java")
        tc.run([*tc.aapt, "package", "-f", "-m", "-J", str(gen), "-M", str(manifest), "-S", str(res),
                "-I", str(tc.android_jar), *sdk], "aapt package -m")  # fmt: skip
        all_sources = [*sources, *sorted(gen.rglob("*.java"))]
        _compile_dex(tc, all_sources, (req.android_dir, gen), cache / "dex", tmp, staging / "classes.dex")
        log.info("apk: [5/8] native libraries: ONNX Runtime %s (%s)%s", ORT_VERSION, ABI,
                 " + QNN from " + str(req.qnn_libs) if req.qnn_libs else "")  # fmt: skip
        libs = _stage_native(req, cache, staging)
        embedded = _stage_assets(req, assets)
        log.info("apk: [6/8] aapt: package manifest, resources, assets, dex and libraries")
        unaligned = tmp / "unaligned.apk"
        tc.run([*tc.aapt, "package", "-f", "-M", str(manifest), "-S", str(res), "-A", str(assets),
                "-I", str(tc.android_jar), *sdk, *version, "-F", str(unaligned), str(staging)],
               "aapt package")  # fmt: skip
        if newer:
            log.info("apk: android:%s (API 29+) set in the binary manifest (aapt1 knows only API 23)", newer)
            patch_apk_manifest(unaligned, newer)
        if embedded:
            _check_embedded(unaligned, req.bundle, embedded)
        log.info("apk: [7/8] zipalign -p 4, apksigner sign")
        aligned, signed = tmp / "aligned.apk", tmp / "signed.apk"
        tc.run([*tc.zipalign, "-p", "-f", "4", str(unaligned), str(aligned)], "zipalign")
        ks, password = _keystore(req, tc, cache)
        tc.run([*tc.apksigner, "sign", "--ks", str(ks), "--ks-pass", f"pass:{password}", "--key-pass",
                f"pass:{password}", "--out", str(signed), str(aligned)], "apksigner sign")  # fmt: skip
        log.info("apk: [8/8] apksigner verify; read back badging, manifest and dex")
        tc.run([*tc.apksigner, "verify", str(signed)], "apksigner verify")
        badging = parse_badging(tc.run([*tc.aapt, "dump", "badging", str(signed)], "aapt dump badging"))
        xmltree = tc.run([*tc.aapt, "dump", "xmltree", str(signed), "AndroidManifest.xml"], "aapt dump xmltree")
        classes = class_counts(dex_classes(signed))
        signed.replace(req.out)
    size = req.out.stat().st_size
    return ApkResult(
        req.out, size, time.monotonic() - start, badging, libs, uses_native_libraries(xmltree), classes, embedded
    )
