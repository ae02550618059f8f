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


def _uleb128(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def dex_classes(apk: Path) -> list[str]:
    """Class names defined in the APK's classes.dex (dotted), from its class_defs table (dex format 035-039)."""
    try:
        with zipfile.ZipFile(apk) as z:
            dex = z.read("classes.dex")
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise EdgeError(f"{apk}: no readable classes.dex ({err})") from None
    if not dex.startswith(b"dex\n"):
        raise EdgeError(f"{apk}: classes.dex has no dex header")
    string_ids_off, type_ids_size, type_ids_off = struct.unpack_from("<I II", dex, 0x3C)
    class_defs_size, class_defs_off = struct.unpack_from("<II", dex, 0x60)

    def string(idx: int) -> str:
        (data_off,) = struct.unpack_from("<I", dex, string_ids_off + 4 * idx)
        _, pos = _uleb128(dex, data_off)  # UTF-16 length; the MUTF-8 bytes end at NUL
        return dex[pos : dex.index(b"\0", pos)].decode("utf-8", errors="replace")

    names = []
    for i in range(class_defs_size):
        (type_idx,) = struct.unpack_from("<I", dex, class_defs_off + 32 * i)
        if type_idx >= type_ids_size:
            raise EdgeError(f"{apk}: classes.dex class_def {i} points outside type_ids")
        (descriptor_idx,) = struct.unpack_from("<I", dex, type_ids_off + 4 * type_idx)
        names.append(string(descriptor_idx)[1:-1].replace("/", "."))
    return names
