"""aarch64 harness: run the runtime (and TVM's aarch64 runtime) under user-mode emulation on an x86_64 host.

Why: the runtime promises to run on ARM boards (AX650N's Cortex-A55s, RK3588, phones' CPUs) but CI is x86_64.
This script builds an aarch64 sysroot from Debian's own arm64 packages (Python 3.11 and the libraries it links,
`apt-get download` through a private apt configuration + `dpkg-deb -x`: nothing on the host system changes),
installs the runtime's aarch64 wheels into it (`pip install --platform manylinux..._aarch64 --only-binary=:all:`),
caches it under `~/.cache/minicpmv-edge/aarch64/<key>` (key = Debian suite, packages and wheel versions), and runs
aarch64 programs with `qemu-aarch64-static -L SYSROOT` (Debian package `qemu-user-static`).

Timings taken under this harness are EMULATED (QEMU's TCG translating aarch64 to x86_64): they prove the code runs
and computes the same numbers on aarch64, not how fast a board is.

    python scripts/aarch64_harness.py build [--tvm]          # build (or reuse) the sysroot, print its path
    python scripts/aarch64_harness.py python [--tvm] -- -m minicpmv_edge run BUNDLE --image IMG --prompt P --json
    python scripts/aarch64_harness.py exec [--tvm] -- ./a.out  # any aarch64 executable

Wheel versions default to the ones installed in the host environment (so host and emulated runs use the same
onnxruntime, numpy, ...), falling back to the pins below.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger("aarch64-harness")

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("MINICPMV_EDGE_CACHE", Path.home() / ".cache" / "minicpmv-edge")) / "aarch64"
QEMU = "qemu-aarch64-static"
SUITE = "bookworm"  # Debian 12: python3.11, glibc 2.36
MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Debian packages whose dependency closure forms the sysroot: the interpreter + stdlib, and the C++ runtime that
# onnxruntime, tokenizers and TVM's runtime link against.
DEBIAN_PACKAGES = ("python3.11-minimal", "libpython3.11-stdlib", "libstdc++6", "libgcc-s1")
# The runtime's dependencies (pyproject `dependencies`) and, with --tvm, TVM's runtime. Fallback pins only: the
# host's installed versions win so both sides run the same code.
RUNTIME_WHEELS = {
    "numpy": "2.4.6",
    "onnxruntime": "1.32.0",
    "pillow": "13.0.0",
    "tokenizers": "0.23.3",
    "jsonschema": "4.26.0",
}
TVM_WHEELS = {"apache-tvm": "0.27.0.post1", "apache-tvm-ffi": "0.1.14.post1"}
GLIBC_MINOR = 36  # bookworm's glibc: manylinux_2_17 .. manylinux_2_36 wheels run on it
# QEMU user mode passes the host's x86 /proc/cpuinfo through; cpuinfo (linked into onnxruntime) then finds no ARM
# cores and crashes at import. QEMU's -L looks up absolute paths in the sysroot first, so the sysroot carries an
# aarch64 /proc/cpuinfo describing Cortex-A76 cores (MIDR 0x41/0xd0b), one per host CPU, with the features QEMU's
# default "max" CPU emulates.
CPUINFO_CORE = (
    "processor\t: {i}\nBogoMIPS\t: 50.00\n"
    "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\n"
    "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x4\nCPU part\t: 0xd0b\nCPU revision\t: 1\n\n"
)


class HarnessError(RuntimeError):
    """A missing host tool or a failed download, in one line."""


@dataclass(frozen=True)
class SysrootSpec:
    """What a sysroot contains; its hash names the cache folder, so a version change builds a new one."""

    suite: str
    debian_packages: tuple[str, ...]
    wheels: tuple[str, ...]  # "name==version"

    @property
    def key(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _host_version(name: str, fallback: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return fallback


def default_spec(tvm: bool = False) -> SysrootSpec:
    wanted = {**RUNTIME_WHEELS, **(TVM_WHEELS if tvm else {})}
    wheels = tuple(f"{name}=={_host_version(name, pin)}" for name, pin in sorted(wanted.items()))
    return SysrootSpec(suite=SUITE, debian_packages=DEBIAN_PACKAGES, wheels=wheels)


@dataclass(frozen=True)
class Sysroot:
    root: Path  # the cache folder: sysroot/ (Debian files) + site/ (wheels)

    @property
    def sysroot(self) -> Path:
        return self.root / "sysroot"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def python(self) -> Path:
        return self.sysroot / "usr" / "bin" / "python3.11"

    def command(self, argv: list[str]) -> list[str]:
        """`argv` (an aarch64 program + args) as a host command line under QEMU with this sysroot."""
        return [_require_tool(QEMU, "qemu-user-static"), "-L", str(self.sysroot), *argv]

    def env(self, extra_path: list[Path] | None = None) -> dict[str, str]:
        """Environment for the emulated Python: the wheels, the repo (its `minicpmv_edge`), nothing from the host."""
        paths = [self.site, *(extra_path or [REPO])]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "LD_"))}
        env.update(PYTHONPATH=os.pathsep.join(map(str, paths)), PYTHONNOUSERSITE="1", LANG="C.UTF-8")
        env["MINICPMV_EDGE_EMULATED"] = "1"  # the runtime labels its timings "emulated" under QEMU
        env.setdefault("TVM_USE_RUNTIME_LIB", "1")  # TVM's runtime only: its compiler library is not needed here
        return env

    def run_python(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(self.command([str(self.python), *args]), env=self.env(), **kwargs)


def _host_cpus() -> list[int]:
    """Host CPU ids from /sys/devices/system/cpu/possible ("0-1,4"), which the emulated process also reads."""
    try:
        text = Path("/sys/devices/system/cpu/possible").read_text().strip()
    except OSError:
        return list(range(os.cpu_count() or 1))
    ids: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        ids += range(int(lo), int(hi or lo) + 1)
    return ids


def _write_cpuinfo(sysroot: Path) -> None:
    """(Re)write SYSROOT/proc/cpuinfo for this host's CPU count (the cache may move between machines)."""
    text = "".join(CPUINFO_CORE.format(i=i) for i in _host_cpus())
    path = sysroot / "proc" / "cpuinfo"
    if path.is_file() and path.read_text() == text:
        return
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".cpuinfo-{os.getpid()}")
    tmp.write_text(text)
    tmp.replace(path)


def _require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise HarnessError(f"{name} not found: apt-get install {package}")
    return path


def _check(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise HarnessError(f"{what} failed ({proc.returncode}): {' | '.join(tail)}")
    return proc


def _apt_config(work: Path, suite: str) -> dict[str, str]:
    """A private apt for arm64 (own sources, lists, cache, empty dpkg status): the host apt stays untouched."""
    for sub in ("state/lists/partial", "cache/archives/partial", "etc/sources.list.d", "etc/preferences.d"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (work / "state" / "status").write_text("")
    (work / "etc" / "sources.list").write_text(
        f"deb [arch=arm64 signed-by={KEYRING}] {MIRROR} {suite} main\n"
        f"deb [arch=arm64 signed-by={KEYRING}] {MIRROR} {suite}-updates main\n"
        f"deb [arch=arm64 signed-by={KEYRING}] {SECURITY} {suite}-security main\n"
    )
    conf = work / "apt.conf"
    conf.write_text(
        "\n".join(
            [
                'APT::Architecture "arm64";',
                'APT::Architectures { "arm64"; };',
                f'Dir::State "{work}/state";',
                f'Dir::State::status "{work}/state/status";',
                f'Dir::Cache "{work}/cache";',
                f'Dir::Etc::SourceList "{work}/etc/sources.list";',
                f'Dir::Etc::SourceParts "{work}/etc/sources.list.d";',
                f'Dir::Etc::Preferences "{work}/etc/preferences";',
                f'Dir::Etc::PreferencesParts "{work}/etc/preferences.d";',
                'APT::Sandbox::User "root";',
                'Debug::NoLocking "true";',
                'Acquire::Languages "none";',
                "",
            ]
        )
    )
    return {**os.environ, "APT_CONFIG": str(conf), "DEBIAN_FRONTEND": "noninteractive"}


def _closure(env: dict[str, str], packages: tuple[str, ...]) -> list[str]:
    """Every real package `packages` depend on (Depends + Pre-Depends, recursively), as apt resolves them."""
    cmd = [
        "apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
        "--no-replaces", "--no-enhances", *packages,
    ]  # fmt: skip
    out = _check(cmd, "apt-cache depends", env=env).stdout
    names = {line.strip() for line in out.splitlines() if line and not line.startswith((" ", "<"))}
    return sorted(names)


def _debian_files(spec: SysrootSpec, work: Path, sysroot: Path) -> list[str]:
    env = _apt_config(work / "apt", spec.suite)
    log.info("apt-get update (arm64, %s, private lists)", spec.suite)
    _check(["apt-get", "update", "-qq"], "apt-get update (arm64)", env=env)
    packages = _closure(env, spec.debian_packages)
    debs = work / "debs"
    debs.mkdir()
    log.info("apt-get download: %d arm64 packages", len(packages))
    _check(["apt-get", "download", "-qq", *packages], "apt-get download (arm64)", env=env, cwd=debs)
    for deb in sorted(debs.glob("*.deb")):
        _check(["dpkg-deb", "-x", str(deb), str(sysroot)], f"dpkg-deb -x {deb.name}")
    # Debian's python3.11-minimal ships no `python3` name; tools expect one.
    (sysroot / "usr" / "bin" / "python3").symlink_to("python3.11")
    return [deb.name for deb in sorted(debs.glob("*.deb"))]


def _platforms() -> list[str]:
    return ["manylinux2014_aarch64", *(f"manylinux_2_{minor}_aarch64" for minor in range(17, GLIBC_MINOR + 1))]


def _wheels(spec: SysrootSpec, site: Path) -> None:
    log.info("pip install (aarch64 wheels): %s", ", ".join(spec.wheels))
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(site),
           "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"]  # fmt: skip
    for platform in _platforms():
        cmd += ["--platform", platform]
    _check([*cmd, *spec.wheels], "pip install (aarch64 wheels)")


def ensure_sysroot(spec: SysrootSpec | None = None, cache: Path = CACHE) -> Sysroot:
    """The cached sysroot for `spec`, built first if absent (into a temp folder, renamed when complete)."""
    spec = spec or default_spec()
    final = cache / spec.key
    if (final / "spec.json").is_file():
        _write_cpuinfo(final / "sysroot")
        return Sysroot(final)
    _require_tool("apt-get", "apt")
    _require_tool("dpkg-deb", "dpkg")
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache, prefix=f".{spec.key}-") as tmp:
        work = Path(tmp)
        build = work / "root"
        (build / "sysroot").mkdir(parents=True)
        debs = _debian_files(spec, work, build / "sysroot")
        _wheels(spec, build / "site")
        record = {**asdict(spec), "key": spec.key, "debs": debs, "build_s": round(time.perf_counter() - t0, 1)}
        (build / "spec.json").write_text(json.dumps(record, indent=2) + "\n")
        try:
            build.rename(final)
        except OSError:  # another process finished the same key first: use theirs
            if not (final / "spec.json").is_file():
                raise
    log.info("aarch64 sysroot %s built in %.0f s", final, time.perf_counter() - t0)
    _write_cpuinfo(final / "sysroot")
    return Sysroot(final)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="after --: arguments for python / the program"
    )
    parser.add_argument("action", choices=["build", "python", "exec"])
    parser.add_argument("--tvm", action="store_true", help="also install TVM's aarch64 runtime wheels")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    ns, args = parser.parse_args(argv[:split]), argv[split + 1 :]
    logging.basicConfig(level=logging.INFO, format="[aarch64-harness] %(message)s", stream=sys.stderr)
    try:
        root = ensure_sysroot(default_spec(tvm=ns.tvm))
        if ns.action == "build":
            print(root.root)
            return 0
        argv_ = [str(root.python), *args] if ns.action == "python" else args
        return subprocess.run(root.command(argv_), env=root.env()).returncode
    except HarnessError as err:
        print(f"aarch64-harness: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
