#!/usr/bin/env bash
# Build the APK with `minicpmv-edge apk` (twice: plain, then with the tiny demo bundle embedded) and check what the
# files hold; then put the benchmark JSON the Java runtime wrote on this JVM through `bench --import`.
# Last line: "N passed, N failed". Needs the repo's venv python on PATH, a JDK, apt-get and npm (first run downloads
# the Debian tools and ONNX Runtime's Android libraries into ~/.cache/minicpmv-edge/android).
# Usage: bash android_app/scripts/apk_check.sh [--cold]   (--cold: a fresh cache, to time a first build)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
exec python "$ROOT/android_app/scripts/apk_check.py" "$@"
