"""`minicpmv-edge android push`: a bundle into the app's external files folder over adb, never half-written.

The app lists `Android/data/<package>/files/bundles/<name>/`. The bundle is checked against its manifest here first,
pushed into a hidden `.push-<name>` folder beside it and renamed on the phone only once complete, so a broken
transfer never replaces a good bundle.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from minicpmv_edge.android.apk import PACKAGE
from minicpmv_edge.errors import EdgeError

log = logging.getLogger(__name__)

DEVICE_BUNDLES = f"/sdcard/Android/data/{PACKAGE}/files/bundles"
ADB_TIMEOUT_S = 3600
SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")


@dataclass
class PushResult:
    serial: str
    remote: str
    files: int
    bytes: int


def _adb(adb: str, serial: str | None, *args: str, what: str) -> str:
    argv = [adb, *(["-s", serial] if serial else []), *args]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=ADB_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise EdgeError(f"adb {what} did not finish in {ADB_TIMEOUT_S} s") from None
    if done.returncode != 0:
        lines = [ln.strip() for ln in (done.stderr + "\n" + done.stdout).splitlines() if ln.strip()]
        raise EdgeError(f"adb {what} failed: {lines[-1] if lines else f'exit code {done.returncode}'}")
    return done.stdout


def _device(adb: str, serial: str | None) -> str:
    """The one attached device in state `device` (or the one named by --serial)."""
    lines = _adb(adb, None, "devices", what="devices").splitlines()[1:]
    states = dict(ln.split("\t", 1) for ln in lines if "\t" in ln)
    if serial:
        if states.get(serial) != "device":
            raise EdgeError(f"device {serial} is not connected ({states.get(serial, 'not listed by adb devices')})")
        return serial
    ready = [s for s, state in states.items() if state == "device"]
    if not ready:
        others = ", ".join(f"{s} {state}" for s, state in states.items())
        raise EdgeError(f"no Android device connected over adb{f' ({others})' if others else ''}; plug one in and "
                        "allow USB debugging")  # fmt: skip
    if len(ready) > 1:
        raise EdgeError(f"{len(ready)} devices connected ({', '.join(ready)}): choose one with --serial")
    return ready[0]


def push_bundle(bundle: Path, serial: str | None = None) -> PushResult:
    """Verify `bundle`, push it, and move it into place on the device."""
    from minicpmv_edge.runtime.bundle_view import Bundle

    adb = shutil.which("adb")
    if not adb:
        raise EdgeError("adb not found on PATH (install Android platform-tools, e.g. apt-get install adb)")
    name = bundle.resolve().name
    if not SAFE_NAME.fullmatch(name):
        raise EdgeError(
            f"bundle folder name {name!r}: use letters, digits, '.', '_' or '-' (it becomes a path on the phone)"
        )
    view = Bundle.open(bundle, verify=True)
    files = [p for p in bundle.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    device = _device(adb, serial)
    remote, staging = f"{DEVICE_BUNDLES}/{name}", f"{DEVICE_BUNDLES}/.push-{name}"
    log.info("android push: %s (%s, %d files, %.1f MB) -> %s:%s", bundle, view.preset, len(files), size / 2**20,
             device, remote)  # fmt: skip
    _adb(adb, device, "shell", f"rm -rf '{staging}' && mkdir -p '{staging}'", what="shell mkdir")
    for entry in sorted(bundle.iterdir()):
        _adb(adb, device, "push", str(entry), f"{staging}/", what=f"push {entry.name}")
    _adb(adb, device, "shell", f"rm -rf '{remote}' && mv '{staging}' '{remote}'", what="shell mv")
    return PushResult(device, remote, len(files), size)
