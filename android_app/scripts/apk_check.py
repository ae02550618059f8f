"""The checks behind apk_check.sh (a script, not pytest: building an APK takes about a minute).

Every check prints PASS/FAIL with what it saw; timings are host-measured on this machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from minicpmv_edge import cli
from minicpmv_edge.android.apk import PACKAGE
from minicpmv_edge.android.cache import android_cache_dir
from minicpmv_edge.android.inspect_apk import (
    dex_classes,
    dex_native_methods,
    missing_jni_symbols,
    parse_badging,
    uses_native_libraries,
)
from minicpmv_edge.android.ort import LIBRARIES, ort_native_libs
from minicpmv_edge.android.toolchain import find_toolchain
from minicpmv_edge.bundle import sha256_file

ROOT = Path(__file__).resolve().parents[2]
JAVA_BENCH_JSON = ROOT / "android_app" / "build" / "java" / "out" / "java-host-benchmark.json"
# the vendored ORT 1.21 Java API declares it; the 1.29 JNI library dropped it; neither the app nor the runtime call it
KNOWN_UNEXPORTED = {"ai.onnxruntime.OrtSession$SessionOptions.addArmNN"}
FIRST_BUILD_LIMIT_S = 180
CACHED_BUILD_LIMIT_S = 60
results: list[bool] = []


def check(name: str, ok: bool, seen: object = "") -> bool:
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'} {name}{f': {seen}' if seen != '' else ''}", flush=True)
    return bool(ok)


def build(out: Path, *extra: str) -> float:
    start = time.monotonic()
    code = cli.main(["-q", "apk", "--out", str(out), *extra])
    seconds = time.monotonic() - start
    check(f"minicpmv-edge apk {' '.join(extra) or '(no bundle)'} exits 0", code == 0, f"exit {code}")
    return seconds


def check_apk(apk: Path) -> None:
    tc = find_toolchain()
    verify = subprocess.run([*tc.apksigner, "verify", "--verbose", str(apk)], capture_output=True, text=True)
    check("apksigner verify", verify.returncode == 0, (verify.stdout + verify.stderr).strip().splitlines()[:1])
    align = subprocess.run(
        [*tc.zipalign, "-c", "-p", "4", str(apk)],
        capture_output=True,
        text=True,
        env={**tc.env, "PATH": "/usr/bin:/bin"},
    )
    check("zipalign -c -p 4 (page-aligned .so)", align.returncode == 0, align.stdout.strip().splitlines()[-1:])
    badging = parse_badging(tc.run([*tc.aapt, "dump", "badging", str(apk)], "aapt dump badging"))
    want = {"package": PACKAGE, "min_sdk": "26", "target_sdk": "34", "native_code": "arm64-v8a"}
    check(
        "aapt dump badging: package, minSdk 26, targetSdk 34, native-code arm64-v8a",
        all(badging.get(k) == v for k, v in want.items()),
        {k: badging.get(k) for k in want},
    )
    xml = tc.run([*tc.aapt, "dump", "xmltree", str(apk), "AndroidManifest.xml"], "aapt dump xmltree")
    uses = uses_native_libraries(xml)
    check(
        "manifest: uses-native-library libcdsprpc.so required=false",
        any(u.name == "libcdsprpc.so" and not u.required for u in uses),
        uses,
    )
    service = xml.split('".BenchmarkService"', 1)[-1].split(" E: ", 1)[0]
    check(
        "manifest: BenchmarkService foregroundServiceType (0x01010599) = specialUse (0x40000000)",
        "(0x01010599)=(type 0x10)0x40000000" in service,
        service.strip().splitlines()[:3],
    )
    classes = set(dex_classes(apk))
    wanted = [
        "org.minicpmv.edge.app.ChatActivity",
        "org.minicpmv.edge.app.BenchmarkService",
        "org.minicpmv.edge.runtime.Pipeline",
        "org.minicpmv.edge.runtime.BenchmarkWriter",
        "org.minicpmv.edge.runtime.Tokenizer",
        "ai.onnxruntime.OrtSession",
    ]
    check(
        "classes.dex holds the app, runtime and ORT Java classes",
        all(c in classes for c in wanted),
        f"{len(classes)} classes; missing {[c for c in wanted if c not in classes]}",
    )
    with zipfile.ZipFile(apk) as z, tempfile.TemporaryDirectory() as tmp:
        names = set(z.namelist())
        libs = {n.rsplit("/", 1)[-1] for n in names if n.startswith("lib/arm64-v8a/")}
        same = True
        for name, sha in LIBRARIES.items():
            z.extract(f"lib/arm64-v8a/{name}", tmp)
            same &= sha256_file(Path(tmp) / "lib" / "arm64-v8a" / name) == sha
    check("lib/arm64-v8a: ORT 1.29.0 libraries with their pinned sha256", set(LIBRARIES) <= libs and same, libs)
    check_jni(apk)
    check(
        "assets: sample photo and reference profiles", {"assets/sample.jpg", "assets/reference_profiles.json"} <= names
    )
    print(f"APK size: {apk.stat().st_size / 2**20:.1f} MiB ({apk.stat().st_size} bytes)")


def check_jni(apk: Path) -> None:
    """Every native method of the dexed ORT Java API is exported by the shipped libonnxruntime4j_jni.so."""
    with zipfile.ZipFile(apk) as z, tempfile.TemporaryDirectory() as tmp:
        jni = Path(z.extract("lib/arm64-v8a/libonnxruntime4j_jni.so", tmp))
        dyn = subprocess.run(["readelf", "--dyn-syms", "-W", str(jni)], capture_output=True, text=True)
    exported = {
        f.split()[7] for f in dyn.stdout.splitlines() if len(f.split()) > 7 and f.split()[7].startswith("Java_")
    }
    natives = dex_native_methods(apk)
    missing = missing_jni_symbols(natives, exported)
    sources = [p.read_text() for d in ("app", "runtime") for p in (ROOT / "android_app" / d).rglob("*.java")]
    unused = all(m.rsplit(".", 1)[1] + "(" not in text for m in missing for text in sources)
    check(
        "JNI: the ORT 1.29 library exports every native method of the dexed 1.21 Java API that is called",
        dyn.returncode == 0 and set(missing) <= KNOWN_UNEXPORTED and unused,
        f"{len(natives)} native methods, {len(exported)} exported, unexported {missing}",
    )


def check_ort_aar_and_qnn_libs(tmp: Path) -> None:
    """--ort-aar (an AAR assembled here from the cached ORT 1.29.0 libraries: no QNN-EP AAR is reachable) and
    --qnn-libs (a stand-in libQnnHtp.so: Qualcomm's libraries are not redistributable) end up in lib/arm64-v8a."""
    aar, qnn = tmp / "ort.aar", tmp / "qnn"
    with zipfile.ZipFile(aar, "w") as z:
        for lib in ort_native_libs(android_cache_dir()):
            z.write(lib, f"jni/arm64-v8a/{lib.name}")
    qnn.mkdir()
    (qnn / "libQnnHtp.so").write_bytes(b"\x7fELF stand-in")
    out = tmp / "qnn.apk"
    build(out, "--ort-aar", str(aar), "--qnn-libs", str(qnn))
    with zipfile.ZipFile(out) as z:
        libs = sorted(n.rsplit("/", 1)[-1] for n in z.namelist() if n.startswith("lib/arm64-v8a/"))
    check(
        "--ort-aar + --qnn-libs: both sets of libraries in lib/arm64-v8a",
        libs == sorted([*LIBRARIES, "libQnnHtp.so"]),
        libs,
    )


def check_bench_prompt(bundle: Path, tmp: Path) -> None:
    """The app's BenchPrompt (Java, host JVM) builds the same question as bench/prompt.py for the same tokenizer."""
    from minicpmv_edge.bench.prompt import build_prompt
    from minicpmv_edge.runtime.tokenizer import TextTokenizer

    json_jar = Path("/usr/share/java/com.android.json.jar")  # Android's org.json (Debian libandroid-json-java)
    android = ROOT / "android_app"
    sources = [
        android / "app/src/main/java/org/minicpmv/edge/app/BenchPrompt.java",
        android / "scripts/BenchPromptMain.java",
    ]
    for d in (
        "runtime/src/main/java",
        "third_party/onnxruntime-java/src/main/java",
        "third_party/onnxruntime-java/src/main/jvm",
    ):
        sources += sorted((android / d).rglob("*.java"))
    classes = tmp / "bench-prompt-classes"
    javac = subprocess.run(
        [
            "javac",
            "--release",
            "8",
            "-nowarn",
            "-encoding",
            "UTF-8",
            "-cp",
            str(json_jar),
            "-d",
            str(classes),
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
    )
    if not check("javac BenchPrompt + runtime for the host JVM", javac.returncode == 0, javac.stderr[-300:]):
        return
    tokenizer = bundle / "tokenizer" / "tokenizer.json"
    tok = TextTokenizer(tokenizer)
    for target in (5, 40, 96):
        run = subprocess.run(
            [
                "java",
                "-cp",
                f"{classes}:{json_jar}",
                "org.minicpmv.edge.app.BenchPromptMain",
                str(tokenizer),
                str(target),
            ],
            capture_output=True,
            text=True,
        )
        want = build_prompt(tok.encode, target)
        got = run.stdout.rstrip("\n").split("\t", 1)
        check(
            f"BenchPrompt.java == bench/prompt.py at {target} tokens",
            got == [str(want.tokens), want.text],
            f"java {got[0] if got else run.stderr[-200:]} tokens, python {want.tokens}",
        )


def check_bench_import(tmp: Path) -> None:
    if not JAVA_BENCH_JSON.is_file():
        print(f"{JAVA_BENCH_JSON} missing: running android_app/scripts/java_tests.sh to write it", flush=True)
        subprocess.run(["bash", str(ROOT / "android_app/scripts/java_tests.sh")], stdout=sys.stderr, check=False)
    if not check(
        "the Java runtime's BenchmarkWriter wrote a host JVM benchmark JSON", JAVA_BENCH_JSON.is_file(), JAVA_BENCH_JSON
    ):
        return
    host = json.loads(JAVA_BENCH_JSON.read_text())
    device = {
        **host,
        "provenance": "device-measured",
        "device": {
            **host["device"],
            "manufacturer": "Xiaomi",
            "model": "14 Pro",
            "soc": "SM8650",
            "android_version": "14",
        },
        "note": "hand-edited copy of a host JVM run, relabelled to exercise the device column",
    }
    for name, doc, group in (("host", host, "host"), ("device", device, "device")):
        path = tmp / f"{name}.json"
        path.write_text(json.dumps(doc))
        out = tmp / f"report-{name}"
        code = cli.main(["-q", "bench", "--import", str(path), "--out", str(out)])
        report = json.loads((out / "report.json").read_text()) if code == 0 else {"figures": []}
        labels = {(f["provenance"], f["group"]) for f in report["figures"]}
        check(
            f"bench --import of the {doc['provenance']} JSON lands in the {group} column",
            code == 0 and labels == {(doc["provenance"], group)},
            labels,
        )


def main(argv: list[str]) -> int:
    cold = "--cold" in argv
    with tempfile.TemporaryDirectory(prefix="apk-check-") as tmp_name:
        tmp = Path(tmp_name)
        if cold:
            os.environ["MINICPMV_EDGE_ANDROID_CACHE"] = str(tmp / "cache")
        had_cache = (android_cache_dir() / "debian" / "tree").is_dir()
        first = build(tmp / "app.apk")
        label = "cached" if had_cache else "first build with downloads"
        limit = CACHED_BUILD_LIMIT_S if had_cache else FIRST_BUILD_LIMIT_S
        check(f"{label} under {limit} s", first < limit, f"{first:.0f} s (host-measured)")
        if (tmp / "app.apk").is_file():
            check_apk(tmp / "app.apk")
        from minicpmv_edge.demo import demo_bundle

        bundle = demo_bundle(android_cache_dir() / "demo")  # the tiny synthetic demo bundle, kept beside the tools
        second = build(tmp / "demo.apk", "--bundle", str(bundle))
        check(
            f"cached rebuild with --bundle under {CACHED_BUILD_LIMIT_S} s",
            second < CACHED_BUILD_LIMIT_S,
            f"{second:.0f} s (host-measured)",
        )
        if (tmp / "demo.apk").is_file():
            with zipfile.ZipFile(tmp / "demo.apk") as z:
                embedded = f"assets/bundle/{bundle.name}/manifest.json" in z.namelist()
            check("--bundle embeds the bundle under assets/bundle/", embedded, bundle.name)
            print(f"demo APK size: {(tmp / 'demo.apk').stat().st_size / 2**20:.1f} MiB")
        check_ort_aar_and_qnn_libs(tmp)
        check_bench_prompt(bundle, tmp)
        check_bench_import(tmp)
        shutil.rmtree(tmp / "cache", ignore_errors=True)
    passed, failed = sum(results), len(results) - sum(results)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
