"""The Android build tools, fetched from Debian into a private cache: no root, no system install, no Gradle.

Why this shape: no Android SDK, NDK or Maven is reachable on our build machines, but Debian ships every piece a
pure-Java APK needs. Bookworm has `aapt`, `zipalign` and `apksigner`; only bullseye still has the API-23
`android.jar` and `dx`. Both come through a private apt configuration (its own sources list, state and cache under
the cache directory), `apt-get download` and `dpkg-deb -x`, so the host's dpkg database is never touched and a
second build costs nothing. Tools already on PATH (a user's own SDK) are used as they are.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from minicpmv_edge.android.cache import android_cache_dir
from minicpmv_edge.errors import EdgeError

log = logging.getLogger(__name__)

DEBIAN_MIRROR = "http://deb.debian.org/debian"
SUITES = ("bookworm", "bullseye")
# what each tool needs from Debian; dependencies are followed from the package lists
NATIVE_TOOLS = {"aapt": "aapt", "zipalign": "zipalign"}
JAR_PACKAGES = ("apksigner", "android-sdk-platform-23", "libandroid-23-java", "dalvik-exchange")
APKSIGNER_JAR = "usr/share/java/apksigner.jar"
ANDROID_JAR = "usr/lib/android-sdk/platforms/android-23/android.jar"
DX_JAR = "usr/share/java/com.android.dx.jar"
APT_TIMEOUT_S = 600
# short-lived Java tools finish sooner without the optimising JIT and with a single-threaded GC (2-core CI machines)
QUICK_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


@dataclass
class Toolchain:
    """Paths of the tools one APK build runs. `env` carries LD_LIBRARY_PATH for tools unpacked from .deb files."""

    aapt: list[str]
    zipalign: list[str]
    apksigner: list[str]
    dx: list[str]
    android_jar: Path
    javac: str
    keytool: str
    env: dict[str, str] = field(default_factory=dict)

    def run(self, argv: list[str], what: str, cwd: Path | None = None) -> str:
        """Run one tool; a failure is a one-line EdgeError naming the step and the tool's last line of output."""
        try:
            done = subprocess.run(
                argv, cwd=cwd, env={**os.environ, **self.env}, capture_output=True, text=True, timeout=APT_TIMEOUT_S
            )
        except OSError as err:
            raise EdgeError(f"{what}: cannot run {argv[0]}: {err.strerror or err}") from None
        except subprocess.TimeoutExpired:
            raise EdgeError(f"{what}: {Path(argv[0]).name} did not finish in {APT_TIMEOUT_S} s") from None
        if done.returncode != 0:
            lines = [ln.strip() for ln in (done.stderr + "\n" + done.stdout).splitlines() if ln.strip()]
            detail = _first_error(lines) or f"exit code {done.returncode}"
            raise EdgeError(f"{what} failed: {detail}")
        return done.stdout


def _first_error(lines: list[str]) -> str:
    """The most telling line of a tool's output: javac/aapt print `error:` lines before their summaries."""
    for line in lines:
        if "error" in line.lower():
            return line[:300]
    return lines[-1][:300] if lines else ""


def _require_host(name: str, hint: str) -> str:
    path = shutil.which(name)
    if not path:
        raise EdgeError(f"{name} not found on PATH ({hint})")
    return path


class _DebianCache:
    """A private apt root: its own sources.list, lists and archives, plus one directory everything is unpacked into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.apt = root / "apt"
        self.tree = root / "tree"

    def _apt_options(self) -> list[str]:
        options = {
            "Dir::Etc::SourceList": str(self.apt / "sources.list"),
            "Dir::Etc::SourceParts": "/dev/null",
            "Dir::State": str(self.apt / "state"),
            "Dir::Cache": str(self.apt / "cache"),
            "Debug::NoLocking": "1",  # our private state: the host's dpkg lock is not ours to wait for
            "Acquire::Retries": "1",
        }
        if os.geteuid() == 0:
            options["APT::Sandbox::User"] = "root"  # the _apt user cannot write into a root-owned cache
        return ["-q", *(arg for key, value in options.items() for arg in ("-o", f"{key}={value}"))]

    def _apt(self, tool: str, *args: str, cwd: Path | None = None) -> str:
        binary = _require_host(tool, "the Android toolchain is fetched with Debian's apt; use a Debian/Ubuntu host")
        try:
            done = subprocess.run(
                [binary, *self._apt_options(), *args], cwd=cwd, capture_output=True, text=True, timeout=APT_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise EdgeError(
                f"{tool} {args[0]} did not finish in {APT_TIMEOUT_S} s (is {DEBIAN_MIRROR} reachable?)"
            ) from None
        if done.returncode != 0:
            errors = [ln for ln in done.stderr.splitlines() if ln.startswith(("E:", "W:")) and "unsandboxed" not in ln]
            detail = errors[0] if errors else f"exit code {done.returncode}"
            raise EdgeError(f"cannot fetch Android build tools from {DEBIAN_MIRROR}: {tool} {args[0]}: {detail}")
        return done.stdout + done.stderr

    def update(self) -> None:
        """Fetch the bookworm + bullseye package lists once (about 10 s); later builds reuse them."""
        lists = self.apt / "state" / "lists"
        if any(lists.glob("*_Packages*")):
            return
        (lists / "partial").mkdir(parents=True, exist_ok=True)
        (self.apt / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        (self.apt / "sources.list").write_text("".join(f"deb {DEBIAN_MIRROR} {s} main\n" for s in SUITES))
        log.info("android toolchain: fetching Debian package lists (%s)", ", ".join(SUITES))
        out = self._apt("apt-get", "update")
        if not any(lists.glob("*_Packages*")):  # apt-get update exits 0 when every index failed to download
            failed = [ln for ln in out.splitlines() if ln.startswith(("W: Failed to fetch", "E:"))]
            detail = failed[0] if failed else "no package lists downloaded"
            raise EdgeError(f"cannot fetch Android build tools from {DEBIAN_MIRROR}: apt-get update: {detail}")

    def fetch(self, packages: tuple[str, ...]) -> None:
        """Download `packages` and every dependency the host lacks (apt resolves them against the host's dpkg
        status, so virtual packages and alternatives such as the JRE are handled), then unpack each .deb once."""
        archives = self.apt / "cache" / "archives"
        log.info("android toolchain: downloading Debian packages for %s (and their dependencies)", " ".join(packages))
        self._apt("apt-get", "install", "--download-only", "--no-install-recommends", "-y", *packages)
        self.tree.mkdir(parents=True, exist_ok=True)
        for deb in sorted(archives.glob("*.deb")):
            marker = self.tree / ".unpacked" / deb.name
            if marker.exists():
                continue
            done = subprocess.run(["dpkg-deb", "-x", str(deb), str(self.tree)], capture_output=True, text=True)
            if done.returncode != 0:
                raise EdgeError(f"cannot unpack {deb.name}: {done.stderr.strip()[:200]}")
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        for pkg in packages:
            (self.tree / ".ready").mkdir(parents=True, exist_ok=True)
            (self.tree / ".ready" / pkg).touch()

    def library_path(self) -> str:
        dirs = sorted({str(p.parent) for p in self.tree.rglob("*.so*") if p.is_file()})
        return os.pathsep.join(dirs)


def _native(cache: _DebianCache, name: str) -> list[str]:
    for candidate in (cache.tree / "usr" / "bin" / name, cache.tree / "usr/lib/android-sdk/build-tools/debian" / name):
        if candidate.exists():
            return [str(candidate)]
    raise EdgeError(f"the Debian package for {name} did not provide usr/bin/{name}")


def find_toolchain(cache_dir: Path | None = None) -> Toolchain:
    """The tools for one APK build: PATH first, else the private Debian cache (filled on first use)."""
    java = _require_host("java", "install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless")
    javac = _require_host("javac", "install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless")
    keytool = _require_host("keytool", "install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless")
    cache = _DebianCache((cache_dir or android_cache_dir()) / "debian")
    on_path = {name: shutil.which(name) for name in NATIVE_TOOLS}
    wanted = tuple(pkg for name, pkg in NATIVE_TOOLS.items() if not on_path[name]) + JAR_PACKAGES
    if not all((cache.tree / ".ready" / p).exists() for p in wanted):
        cache.update()
        cache.fetch(wanted)
    env = {"LD_LIBRARY_PATH": cache.library_path()} if wanted != JAR_PACKAGES else {}
    for rel in (APKSIGNER_JAR, ANDROID_JAR, DX_JAR):
        if not (cache.tree / rel).exists():
            raise EdgeError(f"the Debian Android packages did not provide {rel}; remove {cache.root} and retry")
    return Toolchain(
        aapt=[on_path["aapt"]] if on_path["aapt"] else _native(cache, "aapt"),
        zipalign=[on_path["zipalign"]] if on_path["zipalign"] else _native(cache, "zipalign"),
        apksigner=[java, *QUICK_JVM, "-jar", str(cache.tree / APKSIGNER_JAR)],
        dx=[java, *QUICK_JVM, "-Xmx1024m", "-jar", str(cache.tree / DX_JAR)],
        android_jar=cache.tree / ANDROID_JAR,
        javac=javac,
        keytool=keytool,
        env=env,
    )
