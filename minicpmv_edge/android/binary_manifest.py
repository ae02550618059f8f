"""Manifest attributes newer than API 23 in an aapt1-built APK, by re-pointing a placeholder attribute's resource id.

Why: aapt1 compiles against the API-23 android.jar and rejects `android:foregroundServiceType` (API 29) by name, but
Android 14 refuses to start a foreground service whose manifest entry has no type. The device reads manifest
attributes by resource id, not by name. So the build writes the value under a placeholder attribute that API 23 knows
(`android:maxSdkVersion`, an integer, unused anywhere else in our manifest) and then changes that attribute's entry
in the binary XML's resource map to the real id. aapt sorts an element's attributes by id; the placeholder is the
highest id on its element and the new id is higher still, so the order the framework relies on is kept.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from minicpmv_edge.errors import EdgeError

RES_XML_RESOURCE_MAP_TYPE = 0x0180
PLACEHOLDER = ("maxSdkVersion", 0x01010271)
# attribute -> (resource id, value names -> flag bits) for the newer attributes we write
NEWER = {"foregroundServiceType": (0x01010599, {"dataSync": 0x1, "specialUse": 0x40000000})}


def substitute_placeholder(manifest_text: str) -> tuple[str, str | None]:
    """The manifest with its one newer attribute written as the placeholder (numeric value), and that attribute's
    name (None when there is none). More than one, or a manifest that already uses the placeholder, is an error."""
    found = [(name, m) for name in NEWER for m in re.finditer(rf'android:{name}="([^"]*)"', manifest_text)]
    if not found:
        return manifest_text, None
    if len(found) > 1 or f"android:{PLACEHOLDER[0]}=" in manifest_text:
        raise EdgeError(f"the manifest can carry one API 29+ attribute through aapt1, found {len(found)}")
    name, match = found[0]
    flags = NEWER[name][1]
    values = match.group(1).split("|")
    if any(v not in flags for v in values):
        raise EdgeError(f"android:{name}={match.group(1)!r}: the APK build knows only {', '.join(flags)}")
    value = sum(flags[v] for v in values)
    return manifest_text.replace(match.group(0), f'android:{PLACEHOLDER[0]}="{value}"'), name


def repoint_attribute(axml: bytes, old_id: int, new_id: int) -> bytes:
    """Binary XML with the resource-map entry `old_id` (exactly one) changed to `new_id`."""
    if len(axml) < 8 or struct.unpack_from("<H", axml, 0)[0] != 0x0003:
        raise EdgeError("AndroidManifest.xml in the APK is not binary XML")
    out = bytearray(axml)
    pos = struct.unpack_from("<H", axml, 2)[0]
    while pos + 8 <= len(axml):
        kind, header, size = struct.unpack_from("<HHI", axml, pos)
        if size < 8:
            break
        if kind == RES_XML_RESOURCE_MAP_TYPE:
            ids = list(struct.unpack_from(f"<{(size - header) // 4}I", axml, pos + header))
            if ids.count(old_id) != 1:
                raise EdgeError(f"the binary manifest maps 0x{old_id:08x} {ids.count(old_id)} times, expected once")
            struct.pack_into("<I", out, pos + header + 4 * ids.index(old_id), new_id)
            return bytes(out)
        pos += size
    raise EdgeError("the binary manifest has no resource map")


def patch_apk_manifest(apk: Path, attribute: str) -> None:
    """Re-point the placeholder to `attribute` inside `apk` (rewritten in place, every other entry kept as is)."""
    new_id = NEWER[attribute][0]
    tmp = apk.with_suffix(".patching")
    with zipfile.ZipFile(apk) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "AndroidManifest.xml":
                data = repoint_attribute(data, PLACEHOLDER[1], new_id)
            dst.writestr(info, data)
    tmp.replace(apk)
