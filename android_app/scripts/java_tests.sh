#!/usr/bin/env bash
# Build the Java runtime and run its host tests against the real ONNX Runtime; last line: "N passed, N failed".
#
# Toolchain (cached under ~/.cache/minicpmv-edge/java, keyed by versions):
#   - JDK + gcc (must be present), Debian junit5 (JUnit 5 console) and libandroid-json-java (Android's org.json),
#     installed with apt-get when missing;
#   - libonnxruntime.so.$ORT_VERSION from the PyPI onnxruntime wheel (pip download --no-deps);
#   - ORT's Java API + JNI glue from the vendored MIT sources in android_app/third_party/onnxruntime-java,
#     compiled here (javac --release 8) and linked against exactly that libonnxruntime.
# Then the Python runtime writes the test vectors (android_app/runtime/vectors/*_vectors.py, with `python` on
# PATH = the repo's venv), JUnit runs, and Python validates the benchmark JSON the Java tests wrote.
# A missing piece is a failure, never a skip. Usage: bash android_app/scripts/java_tests.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ORT_VERSION=1.29.0
VENDOR=$ROOT/android_app/third_party/onnxruntime-java
RUNTIME=$ROOT/android_app/runtime
BUILD=$ROOT/android_app/build/java
JSON_JAR=/usr/share/java/com.android.json.jar
JUNIT_JAR=/usr/share/java/junit-platform-console-standalone.jar
export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}

log() { echo "[java_tests ${SECONDS}s] $*" >&2; }
die() { echo "[java_tests] error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

for tool in java javac jar gcc python; do
  command -v "$tool" >/dev/null || die "$tool not found (need a JDK >= 11, gcc and the repo's venv python on PATH)"
done

# --- Debian packages ------------------------------------------------------------------------------------------
missing=()
[ -f "$JUNIT_JAR" ] || missing+=(junit5)
[ -f "$JSON_JAR" ] || missing+=(libandroid-json-java)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { $SUDO apt-get update >&2 && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2; } \
    || die "apt-get could not install ${missing[*]}"
fi

# --- ONNX Runtime: native library + Java API + JNI, cached by versions -----------------------------------------
vendor_key=$(cd "$VENDOR" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
JAVA_KEY=$(javac -version 2>&1 | awk '{print $2}')
CACHE=${MINICPMV_JAVA_CACHE:-$HOME/.cache/minicpmv-edge/java}/ort-$ORT_VERSION-java-$vendor_key-jdk$JAVA_KEY
ORT_JAR=$CACHE/onnxruntime-java.jar
NATIVE=$CACHE/native
if [ ! -f "$NATIVE/libonnxruntime4j_jni.so" ] || [ ! -f "$ORT_JAR" ]; then
  log "building ONNX Runtime $ORT_VERSION for the JVM into $CACHE"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python -m pip download --no-deps --only-binary :all: --quiet -d "$tmp/wheel" "onnxruntime==$ORT_VERSION" >&2 \
    || die "pip could not download onnxruntime==$ORT_VERSION"
  mkdir -p "$tmp/native" "$tmp/classes" "$tmp/jni-headers"
  python - "$tmp/wheel" "$tmp/native" "$ORT_VERSION" <<'EOF' || die "the onnxruntime wheel has no libonnxruntime"
import glob, sys, zipfile
wheel_dir, out, version = sys.argv[1:]
with zipfile.ZipFile(glob.glob(f"{wheel_dir}/*.whl")[0]) as z:
    data = z.read(f"onnxruntime/capi/libonnxruntime.so.{version}")
with open(f"{out}/libonnxruntime.so.{version}", "wb") as f:
    f.write(data)
EOF
  ln -s "libonnxruntime.so.$ORT_VERSION" "$tmp/native/libonnxruntime.so"
  find "$VENDOR/src/main/java" "$VENDOR/src/main/jvm" -name '*.java' > "$tmp/ort-sources"
  javac --release 8 -nowarn -encoding UTF-8 -h "$tmp/jni-headers" -d "$tmp/classes" @"$tmp/ort-sources" >&2 \
    || die "javac failed on the ORT Java sources"
  jar cf "$tmp/onnxruntime-java.jar" -C "$tmp/classes" . || die "jar failed"
  echo "#define ORT_VERSION \"$ORT_VERSION\"" > "$tmp/jni-headers/onnxruntime_config.h"
  JAVA_HOME_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  jni_sources=$(find "$VENDOR/src/main/native" -name '*.c' ! -name '*Training*' | sort)
  # shellcheck disable=SC2086
  gcc -O2 -shared -fPIC -w -I"$JAVA_HOME_DIR/include" -I"$JAVA_HOME_DIR/include/linux" -I"$VENDOR/include" \
    -I"$VENDOR/include/onnxruntime/core/session" -I"$tmp/jni-headers" $jni_sources \
    -L"$tmp/native" -l:libonnxruntime.so.$ORT_VERSION -Wl,-rpath,'$ORIGIN' -o "$tmp/native/libonnxruntime4j_jni.so" >&2 \
    || die "gcc failed to build libonnxruntime4j_jni.so"
  mkdir -p "$(dirname "$CACHE")"
  rm -rf "$CACHE.part" && mkdir -p "$CACHE.part"
  mv "$tmp/native" "$CACHE.part/native" && mv "$tmp/onnxruntime-java.jar" "$CACHE.part/"
  rm -rf "$CACHE" && mv "$CACHE.part" "$CACHE"
fi

# --- Compile the runtime and its tests --------------------------------------------------------------------------
rm -rf "$BUILD/classes" "$BUILD/test-classes" "$BUILD/reports" "$BUILD/out"
mkdir -p "$BUILD/classes" "$BUILD/test-classes" "$BUILD/vectors" "$BUILD/out"
find "$RUNTIME/src/main/java" -name '*.java' > "$BUILD/main-sources"
javac --release 8 -Xlint:all -Xlint:-options -Werror -encoding UTF-8 -cp "$ORT_JAR:$JSON_JAR" -d "$BUILD/classes" \
  @"$BUILD/main-sources" >&2 || die "javac failed on the runtime sources"
find "$RUNTIME/src/test/java" -name '*.java' > "$BUILD/test-sources"
javac --release 8 -encoding UTF-8 -cp "$BUILD/classes:$ORT_JAR:$JSON_JAR:$JUNIT_JAR" -d "$BUILD/test-classes" \
  @"$BUILD/test-sources" >&2 || die "javac failed on the runtime tests"

# --- Vectors from the Python runtime (written fresh every run) -------------------------------------------------
for gen in "$RUNTIME"/vectors/*_vectors.py; do
  log "vectors: $(basename "$gen")"
  python "$gen" "$BUILD/vectors" >&2 || die "$(basename "$gen") failed"
done

# --- JUnit ------------------------------------------------------------------------------------------------------
log "running JUnit"
set +e
java -Xss8m -Donnxruntime.native.path="$NATIVE" -Dvectors.dir="$BUILD/vectors" -Dout.dir="$BUILD/out" \
  -jar "$JUNIT_JAR" --disable-banner --details=summary --details-theme=ascii \
  --class-path "$BUILD/test-classes:$BUILD/classes:$ORT_JAR:$JSON_JAR" --scan-class-path \
  --reports-dir "$BUILD/reports" > "$BUILD/junit.log" 2>&1
set -e
grep -vE '^\s*$' "$BUILD/junit.log" | tail -40 >&2
count() { local n; n=$(sed -n "s/.*\[ *\([0-9][0-9]*\) $1 *\].*/\1/p" "$BUILD/junit.log" | head -1); echo "${n:-0}"; }
ok=$(count "tests successful"); bad=$(count "tests failed"); aborted=$(count "tests aborted")
skipped=$(count "tests skipped"); broken=$(count "containers failed")
grep -q "tests successful" "$BUILD/junit.log" || die "JUnit printed no summary (see $BUILD/junit.log)"
passed=$ok
failed=$((bad + aborted + skipped + broken))

# --- The benchmark JSON the Java tests wrote must validate against the schema (in Python, with jsonschema) ------
if python - "$BUILD/out" <<'EOF' >&2
import json, sys
from pathlib import Path
from minicpmv_edge.bench.schema import errors
files = sorted(Path(sys.argv[1]).glob("*benchmark*.json"))
if not files:
    sys.exit("no benchmark JSON written by the Java tests")
for f in files:
    problems = errors(json.loads(f.read_text()), "android_benchmark")
    if problems:
        sys.exit(f"{f.name} does not validate: {problems[0]}")
    print(f"{f.name} validates against android_benchmark.schema.json")
EOF
then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
