#!/usr/bin/env bash
# Debian packages the test suite drives for real (not Python packages): the aarch64 cross compiler and clang's OpenCL
# front end (TVM backend), qemu-user-static (the aarch64 harness), a JDK (Java runtime tests, APK build). Installs only
# what is missing, with apt-get (as root, or through sudo); prints what it did on stderr.
set -euo pipefail
declare -A need=(
  [aarch64-linux-gnu-g++]=g++-aarch64-linux-gnu
  [clang]=clang
  [qemu-aarch64-static]=qemu-user-static
  [javac]=openjdk-17-jdk-headless
  [readelf]=binutils
  [npm]=npm
)
missing=()
for tool in "${!need[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${need[$tool]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[system_deps] all present" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "[system_deps] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
  || { $SUDO apt-get update >&2 && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2; } \
  || { echo "[system_deps] apt-get could not install ${missing[*]}" >&2; exit 1; }
