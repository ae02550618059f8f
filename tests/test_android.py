"""The Android side on the host: one-line errors of `apk` and `android push`, reading a built APK back, and the
app's benchmark JSON keeping its provenance through `bench --import`.

Building the APK itself takes about a minute, so it runs in `android_app/scripts/apk_check.sh`, not here.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from minicpmv_edge import cli
from minicpmv_edge.android import apk, toolchain
from minicpmv_edge.android.binary_manifest import PLACEHOLDER, repoint_attribute, substitute_placeholder
from minicpmv_edge.android.inspect_apk import NativeLibraryUse, parse_badging, uses_native_libraries
from minicpmv_edge.android.ort import aar_native_libs
from minicpmv_edge.android.push import DEVICE_BUNDLES
from minicpmv_edge.errors import EdgeError

ANDROID_JSON = Path(__file__).parent / "data" / "bench" / "android_benchmark_sample.json"

BADGING = """package: name='org.minicpmv.edge.app' versionCode='1' versionName='0.1.0' platformBuildVersionName='6.0.1'
sdkVersion:'26'
targetSdkVersion:'34'
launchable-activity: name='org.minicpmv.edge.app.ChatActivity'  label='' icon=''
native-code: 'arm64-v8a'
"""
XMLTREE = """N: android=http://schemas.android.com/apk/res/android
  E: manifest (line=3)
    E: application (line=10)
      E: uses-native-library (line=18)
        A: android:name(0x01010003)="libcdsprpc.so" (Raw: "libcdsprpc.so")
        A: android:required(0x0101028e)=(type 0x12)0x0
      E: uses-native-library (line=19)
        A: android:name(0x01010003)="libOpenCL.so" (Raw: "libOpenCL.so")
      E: activity (line=20)
        A: android:name(0x01010003)=".ChatActivity" (Raw: ".ChatActivity")
"""


def _one_line_error(capsys: pytest.CaptureFixture[str], code: int, *fragments: str) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err, err
    line = err[-1]
    assert line.startswith("minicpmv-edge: error: ") and "Traceback" not in "\n".join(err), err
    for fragment in fragments:
        assert fragment in line, line
    return line


def test_badging_and_manifest_are_read_back() -> None:
    b = parse_badging(BADGING)
    assert (b["package"], b["min_sdk"], b["target_sdk"], b["native_code"]) == (apk.PACKAGE, "26", "34", "arm64-v8a")
    assert b["launcher"] == "org.minicpmv.edge.app.ChatActivity"
    assert uses_native_libraries(XMLTREE) == [
        NativeLibraryUse("libcdsprpc.so", required=False),
        NativeLibraryUse("libOpenCL.so", required=True),  # absent attribute = required, as on the device
    ]


def test_build_manifest_names_the_package_and_carries_the_fgs_type_as_a_placeholder(tmp_path: Path) -> None:
    out = tmp_path / "AndroidManifest.xml"
    assert apk._build_manifest(apk.REPO_ANDROID_DIR / apk.MANIFEST, out) == "foregroundServiceType"
    text = out.read_text()
    assert "android:foregroundServiceType" not in text and 'android:maxSdkVersion="1073741824"' in text  # specialUse
    assert f'<manifest package="{apk.PACKAGE}" ' in text
    assert '<uses-native-library android:name="libcdsprpc.so" android:required="false" />' in text
    with pytest.raises(EdgeError, match="knows only"):
        substitute_placeholder('<service android:foregroundServiceType="camera"/>')
    with pytest.raises(EdgeError, match="one API 29"):
        substitute_placeholder('<service android:foregroundServiceType="dataSync" android:maxSdkVersion="3"/>')


def test_binary_manifest_resource_map_entry_is_repointed() -> None:
    ids = [0x01010003, 0x01010010, PLACEHOLDER[1]]
    res_map = struct.pack("<HHI", 0x0180, 8, 8 + 4 * len(ids)) + struct.pack(f"<{len(ids)}I", *ids)
    node = struct.pack("<HHI", 0x0102, 16, 16) + bytes(8)
    axml = struct.pack("<HHI", 0x0003, 8, 8 + len(res_map) + len(node)) + res_map + node
    patched = repoint_attribute(axml, PLACEHOLDER[1], 0x01010599)
    assert struct.unpack_from("<3I", patched, 16) == (0x01010003, 0x01010010, 0x01010599)
    assert patched[:16] == axml[:16] and patched[28:] == axml[28:]
    with pytest.raises(EdgeError, match="0 times"):
        repoint_attribute(axml, 0x01010271 + 1, 0x01010599)


def test_apk_without_a_jdk_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: no java, javac, apt-get
    code = cli.main(["apk", "--out", str(tmp_path / "app.apk")])
    _one_line_error(capsys, code, "java not found on PATH")
    assert not (tmp_path / "app.apk").exists()


def test_apk_with_an_unreachable_debian_mirror_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(toolchain, "DEBIAN_MIRROR", "http://127.0.0.1:9/debian")  # nothing listens on port 9
    monkeypatch.setattr(toolchain.shutil, "which", lambda name, _which=toolchain.shutil.which: (
        None if name in ("aapt", "zipalign") else _which(name)))  # fmt: skip
    monkeypatch.setenv("MINICPMV_EDGE_ANDROID_CACHE", str(tmp_path / "cache"))
    code = cli.main(["apk", "--out", str(tmp_path / "app.apk")])
    _one_line_error(capsys, code, "cannot fetch Android build tools from http://127.0.0.1:9/debian", "apt-get update")
    assert not (tmp_path / "app.apk").exists()


def test_apk_checks_its_inputs_before_any_work(tmp_path: Path, monkeypatch, capsys, tiny_bundle) -> None:
    monkeypatch.setattr(apk, "find_toolchain", lambda cache: pytest.fail("inputs are checked before tools run"))
    out = str(tmp_path / "a.apk")
    code = cli.main(["apk", "--out", out, "--keystore", str(tmp_path / "none.ks")])
    _one_line_error(capsys, code, "--keystore", "does not exist")
    (tmp_path / "qnn").mkdir()
    (tmp_path / "qnn" / "libQnnSystem.so").write_bytes(b"\x7fELF")
    code = cli.main(["apk", "--out", out, "--qnn-libs", str(tmp_path / "qnn")])
    _one_line_error(capsys, code, "has no libQnnHtp.so")
    tampered = tmp_path / "tampered"
    shutil.copytree(tiny_bundle, tampered)
    (tampered / "tokenizer" / "tokenizer.json").write_text("{}")
    _one_line_error(capsys, cli.main(["apk", "--out", out, "--bundle", str(tampered)]), "tokenizer.json")
    assert not Path(out).exists()


def _fake_adb(tmp_path: Path, *devices: tuple[str, str]) -> str:
    """A PATH whose `adb` records its arguments and lists `devices`: no phone is reachable here."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    adb = bin_dir / "adb"
    listing = "".join(f"{serial}\\t{state}\\n" for serial, state in devices)
    adb.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{tmp_path / "adb.log"}"\n'
        f'if [ "$1" = devices ]; then printf "List of devices attached\\n{listing}"; fi\n'
    )
    adb.chmod(adb.stat().st_mode | stat.S_IEXEC)
    return f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"


def test_android_push_without_adb_or_device_is_one_line(tmp_path: Path, monkeypatch, capsys, tiny_bundle) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    _one_line_error(capsys, cli.main(["android", "push", str(tiny_bundle)]), "adb not found on PATH")
    monkeypatch.setenv("PATH", _fake_adb(tmp_path, ("R5CX1", "unauthorized")))
    _one_line_error(capsys, cli.main(["android", "push", str(tiny_bundle)]), "no Android device", "unauthorized")
    _one_line_error(
        capsys, cli.main(["android", "push", str(tiny_bundle), "--serial", "XYZ"]), "device XYZ is not connected"
    )
    quoted = tmp_path / "it's mine"
    shutil.copytree(tiny_bundle, quoted)
    _one_line_error(capsys, cli.main(["android", "push", str(quoted)]), "bundle folder name")


def test_android_push_stages_then_renames(tmp_path: Path, monkeypatch, capsys, tiny_bundle) -> None:
    monkeypatch.setenv("PATH", _fake_adb(tmp_path, ("R5CX1", "device")))
    assert cli.main(["android", "push", str(tiny_bundle)]) == 0
    assert f"to R5CX1:{DEVICE_BUNDLES}/{tiny_bundle.name}" in capsys.readouterr().out
    calls = (tmp_path / "adb.log").read_text().splitlines()
    staging = f"{DEVICE_BUNDLES}/.push-{tiny_bundle.name}"
    assert calls[0] == "devices"
    assert calls[1].startswith("-s R5CX1 shell rm -rf") and f"mkdir -p '{staging}'" in calls[1]
    pushed = sorted(c.split()[3] for c in calls[2:-1])
    assert all(c.startswith("-s R5CX1 push ") and c.endswith(f"{staging}/") for c in calls[2:-1])
    assert pushed == sorted(str(p) for p in tiny_bundle.iterdir())
    assert calls[-1].endswith(f"mv '{staging}' '{DEVICE_BUNDLES}/{tiny_bundle.name}'")


def _import(tmp_path: Path, doc: dict, name: str, capsys) -> dict:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / f"report-{name}"
    assert cli.main(["bench", "--import", str(path), "--out", str(out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return json.loads((out / "report.json").read_text())


def test_android_json_keeps_its_provenance_through_bench_import(tmp_path: Path, capsys) -> None:
    doc = json.loads(ANDROID_JSON.read_text())
    host = _import(tmp_path, {**doc, "provenance": "host-measured"}, "host", capsys)
    device = _import(tmp_path, {**doc, "provenance": "device-measured"}, "device", capsys)
    legacy = _import(tmp_path, doc, "legacy", capsys)  # written before the field existed: a phone
    assert {(f["provenance"], f["group"]) for f in host["figures"]} == {("host-measured", "host")}
    assert {(f["provenance"], f["group"]) for f in device["figures"]} == {("device-measured", "device")}
    assert [{**f, "source": ""} for f in legacy["figures"]] == [{**f, "source": ""} for f in device["figures"]]
    assert all(m["ours_provenance"] != "host-measured" or m["verdict"].startswith("not comparable")
               for m in host["profile_match"])  # fmt: skip


def test_ort_aar_gives_its_arm64_libraries_and_version(tmp_path: Path) -> None:
    aar = tmp_path / "onnxruntime-android-qnn.aar"
    with zipfile.ZipFile(aar, "w") as z:
        z.writestr("jni/arm64-v8a/libonnxruntime.so", b"\x7fELF...VERS_1.2.0\0VERS_1.29.0\0VERS_1.9.0\0")
        z.writestr("jni/arm64-v8a/libonnxruntime4j_jni.so", b"\x7fELF")
        z.writestr("jni/x86_64/libonnxruntime.so", b"\x7fELF")
        z.writestr("classes.jar", b"PK")
    libs, version = aar_native_libs(aar, tmp_path / "out")
    assert [p.name for p in libs] == ["libonnxruntime.so", "libonnxruntime4j_jni.so"] and version == "1.29.0"
    bare = tmp_path / "bare.aar"
    with zipfile.ZipFile(bare, "w") as z:
        z.writestr("jni/arm64-v8a/libonnxruntime.so", b"\x7fELF")
    with pytest.raises(EdgeError, match=r"has no jni/arm64-v8a/libonnxruntime4j_jni\.so"):
        aar_native_libs(bare, tmp_path / "out2")
    (tmp_path / "not.aar").write_text("text")
    with pytest.raises(EdgeError, match="cannot read --ort-aar"):
        aar_native_libs(tmp_path / "not.aar", tmp_path / "out3")
