"""What a built APK holds, read back from the file itself: badging, manifest elements, dex classes.

Why: `apk` must prove what it wrote (package, SDK levels, ABI, the HTP's native library declaration, the app and
runtime classes in classes.dex) from the artifact, not from what the build meant to do.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.leb128 import read_uleb128


def parse_badging(text: str) -> dict[str, str]:
    """The fields of `aapt dump badging` the checks need: package, versions, SDK levels, native code, launcher."""
    out: dict[str, str] = {}
    if m := re.search(r"^package: name='([^']+)' versionCode='([^']*)' versionName='([^']*)'", text, re.M):
        out.update(package=m.group(1), version_code=m.group(2), version_name=m.group(3))
    for key, name in (("sdkVersion", "min_sdk"), ("targetSdkVersion", "target_sdk"), ("native-code", "native_code")):
        if m := re.search(rf"^{key}:\s*(.+)$", text, re.M):
            out[name] = m.group(1).strip().replace("'", "")
    if m := re.search(r"^launchable-activity: name='([^']+)'", text, re.M):
        out["launcher"] = m.group(1)
    return out


@dataclass(frozen=True)
class NativeLibraryUse:
    name: str
    required: bool


def uses_native_libraries(xmltree: str) -> list[NativeLibraryUse]:
    """`<uses-native-library>` elements from `aapt dump xmltree APK AndroidManifest.xml` (android:required
    defaults to true when absent, as on the device)."""
    found = []
    for block in re.split(r"\n\s*E: ", xmltree):
        if not block.startswith("uses-native-library"):
            continue
        name = re.search(r'A: android:name\([^)]*\)="([^"]*)"', block)
        required = re.search(r"A: android:required\([^)]*\)=\(type 0x12\)0x([0-9a-f]+)", block)
        if name:
            found.append(NativeLibraryUse(name.group(1), required is None or int(required.group(1), 16) != 0))
    return found


ACC_NATIVE = 0x100


class _Dex:
    """The few tables of a dex file (format 035-039) the checks read: class_defs, type/method ids, strings."""

    def __init__(self, apk: Path) -> None:
        try:
            with zipfile.ZipFile(apk) as z:
                self.data = z.read("classes.dex")
        except (OSError, KeyError, zipfile.BadZipFile) as err:
            raise EdgeError(f"{apk}: no readable classes.dex ({err})") from None
        if not self.data.startswith(b"dex\n"):
            raise EdgeError(f"{apk}: classes.dex has no dex header")
        self.string_ids_off, _, self.type_ids_off = struct.unpack_from("<III", self.data, 0x3C)
        _, self.method_ids_off = struct.unpack_from("<II", self.data, 0x58)
        self.class_defs_size, self.class_defs_off = struct.unpack_from("<II", self.data, 0x60)

    def string(self, idx: int) -> str:
        (data_off,) = struct.unpack_from("<I", self.data, self.string_ids_off + 4 * idx)
        _, pos = read_uleb128(self.data, data_off)  # UTF-16 length; the MUTF-8 bytes end at NUL
        return self.data[pos : self.data.index(b"\0", pos)].decode("utf-8", errors="replace")

    def type_name(self, type_idx: int) -> str:
        (descriptor_idx,) = struct.unpack_from("<I", self.data, self.type_ids_off + 4 * type_idx)
        return self.string(descriptor_idx)[1:-1].replace("/", ".")

    def classes(self) -> list[tuple[str, int]]:
        """(dotted class name, class_data_off) per class_def."""
        out = []
        for i in range(self.class_defs_size):
            base = self.class_defs_off + 32 * i
            (type_idx,) = struct.unpack_from("<I", self.data, base)
            (class_data_off,) = struct.unpack_from("<I", self.data, base + 24)
            out.append((self.type_name(type_idx), class_data_off))
        return out

    def methods(self, class_data_off: int) -> list[tuple[str, int]]:
        """(name, access flags) of a class's direct and virtual methods."""
        if class_data_off == 0:
            return []
        pos = class_data_off
        sizes = []
        for _ in range(4):
            size, pos = read_uleb128(self.data, pos)
            sizes.append(size)
        for _ in range(sizes[0] + sizes[1]):  # fields: idx diff, flags
            _, pos = read_uleb128(self.data, pos)
            _, pos = read_uleb128(self.data, pos)
        out = []
        for count in sizes[2:]:
            idx = 0
            for _ in range(count):
                diff, pos = read_uleb128(self.data, pos)
                flags, pos = read_uleb128(self.data, pos)
                _, pos = read_uleb128(self.data, pos)  # code_off
                idx += diff
                (name_idx,) = struct.unpack_from("<I", self.data, self.method_ids_off + 8 * idx + 4)
                out.append((self.string(name_idx), flags))
        return out


def dex_classes(apk: Path) -> list[str]:
    """Class names defined in the APK's classes.dex, dotted (nested classes with `$`)."""
    return [name for name, _ in _Dex(apk).classes()]


def dex_native_methods(apk: Path) -> list[tuple[str, str]]:
    """(class, method) of every `native` method in classes.dex: what the JNI library must export."""
    dex = _Dex(apk)
    return [(cls, name) for cls, off in dex.classes() for name, flags in dex.methods(off) if flags & ACC_NATIVE]


def jni_symbol(cls: str, method: str) -> str:
    """The JNI short name of a native method (`_` -> `_1`, `$` -> `_00024`, `.` -> `_`)."""

    def mangle(text: str) -> str:
        return text.replace("_", "_1").replace("$", "_00024").replace(".", "_")

    return f"Java_{mangle(cls)}_{mangle(method)}"


def missing_jni_symbols(natives: list[tuple[str, str]], exported: set[str]) -> list[str]:
    """Native methods without an exported symbol (short name, or long name `short__<signature>`)."""
    missing = []
    for cls, method in natives:
        short = jni_symbol(cls, method)
        if short not in exported and not any(sym.startswith(short + "__") for sym in exported):
            missing.append(f"{cls}.{method}")
    return missing
