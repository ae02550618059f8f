"""AX650N backend: everything `pulsar2 build` consumes, an emulated accuracy check, and the build when Pulsar2 is here.

Per shape S the compile folder gets `encoder_S.onnx` (static, onnxslim'd, op-checked against the AX650 list),
`pulsar2_S.json` (a schema-checked build config), `calib_S.tar` (the `.npy` tensors that config names) and one
`build.sh` for every shape. Pulsar2 ships only as Axera's Docker image, so the build itself runs here only when
`pulsar2` or a `pulsar2:*` image is present; otherwise the report says where to run `build.sh`. An `.axmodel` is
listed only when it exists.

Config defaults (from AXERA's own ViT configs, docs/reference/npu-toolchains.md A2, unless noted):
- NPU3 (all three NPU groups); `static_batch_sizes [1]`; FP32 NCHW RGB input with mean 0 / std 1, because the SDK's
  preprocessor already normalises to [-1, 1] and the calibration tensors are exactly what the runtime feeds.
- u16: the whole model at U16 activations (`DEFAULT`..`DEFAULT` subgraph), as in AXERA's MiniCPM-V 4.6 and
  Qwen2.5-VL vision configs. u8 (our choice): U8 activations except Softmax and LayerNormalization outputs, which
  stay U16 (no AXERA ViT recipe runs them at 8 bits; on the tiny test model, worst held-out cosine 0.9987 vs 0.978
  all-U8).
- MinMax calibration (what the emulation can reproduce; assumed to be plain per-tensor min/max in Pulsar2 too),
  `disable_auto_refine_scale` (as in AXERA's MiniCPM-V 4.6 config) so Pulsar2 should keep those MinMax scales,
  `transformer_opt_level 1` (the docs' recommendation for ViTs),
  `enable_smooth_quant` and `conv_bias_data_type FP32` (AXERA's ViT recipe), and EndToEnd precision analysis so
  the build reports its own quantized-vs-float similarity.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minicpmv_edge.bundle import file_record, read_manifest, update_manifest, with_files
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.manifest import Build, BuildEncoder, Manifest
from minicpmv_edge.npu_backends import calibration
from minicpmv_edge.npu_backends.base import CompileRequest, CompileResult
from minicpmv_edge.runtime.bundle_view import Bundle

if TYPE_CHECKING:
    import onnx

    from minicpmv_edge.npu_backends.ax650_sim import SimResult

log = logging.getLogger(__name__)

CHIP_FOLDER_PREFIX = "ax650n-"
TARGET_HARDWARE = "AX650"
NPU_MODES = ("NPU1", "NPU2", "NPU3")
DEFAULT_NPU_MODE = "NPU3"
DEFAULT_PRECISION = "u16"
INLINE_LIMIT_BYTES = 2 * 1024**3 - 64 * 1024**2  # protobuf's 2 GiB cap, less headroom for the graph itself
SCHEMA_PATH = Path(__file__).with_name("schemas") / "pulsar2_build.schema.json"
PULSAR2_SWITCH = "MINICPMV_EDGE_PULSAR2"  # "off" skips running Pulsar2 even when it is installed
PULSAR2_DOWNLOAD = "https://huggingface.co/AXERA-TECH/Pulsar2"
DEVICE_PATTERN = re.compile(r"^(cpu|cuda:[0-7])$")


@dataclass(frozen=True)
class Precision:
    name: str
    activations: str  # Pulsar2 data_type of every layer not listed below
    u16_op_types: tuple[str, ...]  # op types kept at U16 when activations are U8
    min_cosine: float  # default threshold on the worst held-out image (emulated)

    def layer_configs(self) -> list[dict[str, Any]]:
        if self.activations == "U16":
            return [{"start_tensor_names": ["DEFAULT"], "end_tensor_names": ["DEFAULT"], "data_type": "U16"}]
        return [{"op_types": list(self.u16_op_types), "data_type": "U16"}] if self.u16_op_types else []

    @property
    def description(self) -> str:
        if self.activations == "U16":
            return "U16 activations everywhere, S8 weights"
        return f"U8 activations, {'/'.join(self.u16_op_types)} at U16, S8 weights"


PRECISIONS = {
    "u16": Precision("u16", "U16", (), 0.99),
    # lower bits, lower default bar: 0.98 still separates a sound u8 build from a broken one (all-U8 ViTs land
    # well below it on outlier-heavy layers)
    "u8": Precision("u8", "U8", ("Softmax", "LayerNormalization"), 0.98),
}


@dataclass(frozen=True)
class Pulsar2:
    """How Pulsar2 can run here: natively or through its Docker image."""

    how: str  # "native" | "docker"
    detail: str  # the executable path or the image name
    env: dict[str, str]


def precision_of(req: CompileRequest) -> Precision:
    name = (req.precision or DEFAULT_PRECISION).lower()
    if name not in PRECISIONS:
        raise EdgeError(f"unknown precision {req.precision!r} for {req.chip.key}; choose {', '.join(PRECISIONS)}")
    return PRECISIONS[name]


@dataclass(frozen=True)
class Options:
    """`req.options` for this backend (strings from the CLI or callers)."""

    npu_mode: str = DEFAULT_NPU_MODE
    device: str | None = None  # Pulsar2's calibration device (quant.device)
    calibration_images: int | None = None  # None: every calibration image
    heldout_images: int | None = None  # None: every held-out image


OPTION_KEYS = ("npu_mode", "device", "allow_cpu_fallback", "calibration_images", "heldout_images")


def _count(options: dict[str, str], key: str) -> int | None:
    value = options.get(key)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise EdgeError(f"ax650 option {key} must be an integer, got {value!r}") from None
    if number < 1:
        raise EdgeError(f"ax650 option {key} must be at least 1, got {number}")
    return number


def parse_options(req: CompileRequest) -> Options:
    unknown = sorted(set(req.options) - set(OPTION_KEYS))
    if unknown:
        raise EdgeError(f"unknown option(s) {', '.join(unknown)} for {req.chip.key}; known: {', '.join(OPTION_KEYS)}")
    npu_mode = (req.options.get("npu_mode") or DEFAULT_NPU_MODE).upper()
    if npu_mode not in NPU_MODES:
        given = req.options["npu_mode"]
        raise EdgeError(f"unknown NPU mode {given!r} for {req.chip.key}; choose {', '.join(NPU_MODES)}")
    device = req.options.get("device") or None
    if device and not DEVICE_PATTERN.match(device):
        raise EdgeError(f"--device for {req.chip.key} is Pulsar2's calibration device (cpu, cuda:0..7), got {device!r}")
    return Options(npu_mode, device, _count(req.options, "calibration_images"), _count(req.options, "heldout_images"))


# ---------------------------------------------------------------------------------------------- artifacts


def _initializer_bytes(model: onnx.ModelProto) -> int:
    from onnx import helper

    total = 0
    for init in model.graph.initializer:
        count = int(np.prod(init.dims, dtype=np.int64)) if init.dims else 1
        total += count * helper.tensor_dtype_to_np_dtype(init.data_type).itemsize
    return total


@dataclass(frozen=True)
class PreparedGraph:
    files: list[Path]  # the .onnx, plus its .onnx.data when weights are external
    graph: onnx.ModelProto  # loaded without weight data: enough for checks, cheap to keep
    input_name: str


def prepare_onnx(src: Path, dst: Path, size: int) -> PreparedGraph:
    """Slim the bundle's encoder into `dst` (inline weights below 2 GB, else `dst.data`) and prove it static with
    one float32 `[1,3,size,size]` input."""
    import onnx
    import onnxslim

    from minicpmv_edge.export.static_graph import require_static

    what = f"the {size}x{size} encoder"
    log.info("simplifying %s for Pulsar2 (onnxslim)", what)
    model = onnxslim.slim(onnx.load(str(src)))
    model.producer_name = "minicpmv-edge"
    external = _initializer_bytes(model) >= INLINE_LIMIT_BYTES
    data = dst.with_name(f"{dst.name}.data")
    onnx.save_model(model, str(dst), save_as_external_data=external, all_tensors_to_one_file=True, location=data.name)
    del model
    graph = onnx.load(str(dst), load_external_data=False)
    require_static(graph, what)
    inputs = [i for i in graph.graph.input if i.name not in {init.name for init in graph.graph.initializer}]
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim] if len(inputs) == 1 else []
    if dims != [1, 3, size, size] or inputs[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        raise EdgeError(f"{what} must have one float32 input [1, 3, {size}, {size}]; {src} does not")
    return PreparedGraph([dst, data] if external else [dst], graph, inputs[0].name)


def write_calibration_tar(path: Path, tensors: list[np.ndarray]) -> list[str]:
    """Pulsar2 `Numpy` calibration set: one `.npy` per sample, loaded as-is, so each is float32 `[1,3,S,S]`
    exactly like the model input. Member names and mtimes are fixed, so the tar is reproducible."""
    names = []
    with tarfile.open(path, "w") as tar:
        for i, tensor in enumerate(tensors):
            buf = io.BytesIO()
            np.save(buf, np.ascontiguousarray(tensor, dtype=np.float32))
            info = tarfile.TarInfo(f"{i:04d}.npy")
            info.size, info.mode, info.mtime = buf.tell(), 0o644, 0
            buf.seek(0)
            tar.addfile(info, buf)
            names.append(info.name)
    return names


def build_config(
    input_name: str, calib_tar: str, calib_count: int, precision: Precision, npu_mode: str, device: str | None
) -> dict[str, Any]:
    """A `pulsar2 build` config; paths are relative to the folder `build.sh` runs in."""
    quant: dict[str, Any] = {
        "input_configs": [
            {
                "tensor_name": input_name,
                "calibration_dataset": calib_tar,
                "calibration_format": "Numpy",
                "calibration_size": calib_count,
            }
        ],
        "layer_configs": precision.layer_configs(),
        "calibration_method": "MinMax",
        "disable_auto_refine_scale": True,
        "transformer_opt_level": 1,
        "enable_smooth_quant": True,
        "conv_bias_data_type": "FP32",
        "precision_analysis": True,
        "precision_analysis_method": "EndToEnd",
        "precision_analysis_mode": "Reference",
    }
    if device:
        quant["device"] = device
    return {
        "model_type": "ONNX",
        "target_hardware": TARGET_HARDWARE,
        "npu_mode": npu_mode,
        "quant": quant,
        "input_processors": [
            {
                "tensor_name": input_name,
                "tensor_format": "RGB",
                "tensor_layout": "NCHW",
                "src_layout": "NCHW",
                "src_dtype": "FP32",
                "mean": [0.0, 0.0, 0.0],
                "std": [1.0, 1.0, 1.0],
            }
        ],
        "compiler": {"static_batch_sizes": [1], "check": 0},
    }


def validate_config(config: dict[str, Any]) -> None:
    """Check a config against the repository's Pulsar2 schema; a failure is a bug here, not a user error."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "<root>"
        raise ValueError(f"generated Pulsar2 config is invalid at {where}: {errors[0].message}")


def build_script(shapes: list[int], npu_mode: str) -> str:
    """`build.sh`: Pulsar2 natively when on PATH, else its Docker image; leaves `encoder_S.axmodel` beside itself."""
    sizes = " ".join(str(s) for s in shapes)
    return f"""#!/usr/bin/env bash
# Generated by minicpmv-edge: compiles the AX650N vision encoders in this folder with Pulsar2.
# Uses `pulsar2` when it is on PATH, else the Docker image pulsar2:$PULSAR2_VERSION (default: the newest
# pulsar2:* image loaded; get it from {PULSAR2_DOWNLOAD} and `docker load -i ax_pulsar2_<version>.tar.gz`).
# Each build takes minutes; outputs go to build_<S>/ and encoder_<S>.axmodel is copied next to this script.
set -euo pipefail
cd "$(dirname "$0")"

if command -v pulsar2 >/dev/null 2>&1; then
  run_pulsar2() {{ pulsar2 "$@"; }}
elif command -v docker >/dev/null 2>&1; then
  if [ -z "${{PULSAR2_VERSION:-}}" ]; then
    PULSAR2_VERSION="$(docker images --format '{{{{.Tag}}}}' pulsar2 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
  if [ -z "$PULSAR2_VERSION" ]; then
    echo "build.sh: no pulsar2:* docker image: docker load -i ax_pulsar2_<version>.tar.gz, or set PULSAR2_VERSION" >&2
    exit 1
  fi
  run_pulsar2() {{ docker run --rm -v "$PWD":/data -w /data "pulsar2:${{PULSAR2_VERSION}}" pulsar2 "$@"; }}
else
  echo "build.sh: needs Pulsar2: pulsar2 on PATH, or docker with a pulsar2:<version> image ({PULSAR2_DOWNLOAD})" >&2
  exit 127
fi

for size in {sizes}; do
  echo "== pulsar2 build: encoder_${{size}}.onnx -> encoder_${{size}}.axmodel ({TARGET_HARDWARE} {npu_mode})"
  run_pulsar2 build --target_hardware {TARGET_HARDWARE} --npu_mode {npu_mode} \\
    --input "encoder_${{size}}.onnx" --config "pulsar2_${{size}}.json" \\
    --output_dir "build_${{size}}" --output_name "encoder_${{size}}.axmodel"
  cp "build_${{size}}/encoder_${{size}}.axmodel" "encoder_${{size}}.axmodel"
done
"""


# ---------------------------------------------------------------------------------------------- Pulsar2


def find_pulsar2() -> Pulsar2 | None:
    """Pulsar2 on PATH, else docker with a `pulsar2:*` image (PULSAR2_VERSION or the newest), else None."""
    if os.environ.get(PULSAR2_SWITCH, "auto").strip().lower() in ("off", "0", "no", "false"):
        return None
    if native := shutil.which("pulsar2"):
        return Pulsar2("native", native, {})
    docker = shutil.which("docker")
    if not docker:
        return None
    try:
        proc = subprocess.run(
            [docker, "images", "--format", "{{.Tag}}", "pulsar2"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    tags = [t for t in proc.stdout.split() if t and t != "<none>"] if proc.returncode == 0 else []
    version = os.environ.get("PULSAR2_VERSION") or (max(tags, key=_version_key) if tags else None)
    if not version or version not in tags:
        return None
    return Pulsar2("docker", f"pulsar2:{version}", {"PULSAR2_VERSION": version})


def _version_key(tag: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.\-_]", tag)]


def run_build(out_dir: Path, pulsar2: Pulsar2, shapes: list[int]) -> list[str]:
    """Run `build.sh` in `out_dir`; returns the collected `encoder_S.axmodel` names plus `build.log`."""
    log_path = out_dir / "build.log"
    log.info("running Pulsar2 (%s: %s) for %s: minutes per shape; log: build.log", pulsar2.how, pulsar2.detail, shapes)
    with log_path.open("w") as sink:
        proc = subprocess.run(
            ["bash", "build.sh"], cwd=out_dir, env={**os.environ, **pulsar2.env}, stdout=sink, stderr=subprocess.STDOUT
        )
    if proc.returncode != 0:
        kept = Path(tempfile.gettempdir()) / f"minicpmv-edge-pulsar2-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
        shutil.copy(log_path, kept)
        lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
        last = lines[-1] if lines else ""
        raise EdgeError(f"pulsar2 build failed (exit {proc.returncode}): {last[:200]}; full log: {kept}")
    built = []
    for size in shapes:
        name = f"encoder_{size}.axmodel"
        if not (out_dir / name).is_file():
            raise EdgeError(f"pulsar2 build exited 0 but wrote no {name}; see {log_path}")
        built.append(name)
    return [*built, "build.log"]


# ---------------------------------------------------------------------------------------------- backend


class Ax650Backend:
    name = "ax650"

    def output_name(self, req: CompileRequest) -> str:
        return f"{CHIP_FOLDER_PREFIX}{precision_of(req).name}"

    def compile(self, bundle: Bundle, req: CompileRequest, out_dir: Path) -> CompileResult:
        from minicpmv_edge.npu_backends import ax650_ops

        precision = precision_of(req)
        opts = parse_options(req)
        min_cosine = req.min_cosine if req.min_cosine is not None else precision.min_cosine
        shapes = list(req.shapes or bundle.encoder_sizes())
        if not shapes:
            raise EdgeError(f"bundle {bundle.root} has no vision encoders to compile; export it with --parts vision")
        calib_files, heldout_files = calibration.calibration_split(req.calibration)
        calib_files = calib_files[: opts.calibration_images]
        heldout_files = heldout_files[: opts.heldout_images]
        files: list[str] = []
        graphs: dict[int, PreparedGraph] = {}
        op_check: dict[str, Any] = {}
        for size in shapes:  # every graph first: an unsupported op fails before minutes of calibration
            prepared = prepare_onnx(bundle.encoder_file(size), out_dir / f"encoder_{size}.onnx", size)
            graph = prepared.graph
            violations = ax650_ops.check_model(graph)
            if violations and not req.allow_cpu_fallback:
                ax650_ops.require_supported(graph, f"the {size}x{size} encoder")
            for violation in violations:  # accepted with --allow-cpu-fallback: Pulsar2 may still refuse them
                log.warning(
                    "%dx%d: %s (not an AX650 NPU op; kept for Pulsar2 to place or reject)", size, size, violation
                )
            files += [p.name for p in prepared.files]
            graphs[size] = prepared
            op_check[str(size)] = {
                "opset": ax650_ops.opset(graph),
                "ops": dict(sorted(Counter(n.op_type for n in graph.graph.node).items())),
                "violations": [str(v) for v in violations],  # only with --allow-cpu-fallback
            }

        summary: dict[str, Any] = {}
        for size in shapes:
            input_name = graphs[size].input_name
            sim, tar_name, count = self._calibrate_and_check(
                out_dir, size, input_name, precision, calib_files, heldout_files, min_cosine
            )
            config = build_config(input_name, tar_name, count, precision, opts.npu_mode, opts.device)
            validate_config(config)
            (out_dir / f"pulsar2_{size}.json").write_text(json.dumps(config, indent=2) + "\n")
            files += [tar_name, f"pulsar2_{size}.json"]
            summary[str(size)] = {**sim.as_dict(), "axmodel": None}

        script = out_dir / "build.sh"
        script.write_text(build_script(shapes, opts.npu_mode))
        script.chmod(0o755)
        files.append("build.sh")

        pulsar2 = find_pulsar2()
        built: list[str] = run_build(out_dir, pulsar2, shapes) if pulsar2 else []
        for size in shapes:
            if f"encoder_{size}.axmodel" in built:
                summary[str(size)]["axmodel"] = f"encoder_{size}.axmodel"
        folder = self.output_name(req)
        report = {
            "target_hardware": TARGET_HARDWARE,
            "precision": precision.name,
            "npu_mode": opts.npu_mode,
            "quantization": {
                "scheme": precision.description,
                "calibration_method": "MinMax",
                "calibration_images": len(calib_files),
                "heldout_images": len(heldout_files),
                "calibration_dir": str(req.calibration or calibration.DEFAULT_CALIBRATION),
            },
            "min_cosine": min_cosine,
            "summary": summary,
            "op_check": op_check,
            "pulsar2": {
                "found": f"{pulsar2.how}: {pulsar2.detail}" if pulsar2 else None,
                "ran": bool(pulsar2),
                "output_dirs": [f"build_{s}" for s in shapes] if pulsar2 else [],
            },
            "axmodels_built": bool(built),
            "next_steps": _next_steps(bundle.root, folder, shapes, built=bool(built)),
        }
        encoders = {size: f"encoder_{size}.axmodel" for size in shapes if f"encoder_{size}.axmodel" in built}
        return CompileResult(files=[*files, *built], report=report, precision=precision.name, encoders=encoders)

    @staticmethod
    def _calibrate_and_check(
        out_dir: Path,
        size: int,
        input_name: str,
        precision: Precision,
        calib_files: list[Path],
        heldout_files: list[Path],
        min_cosine: float,
    ) -> tuple[SimResult, str, int]:
        from minicpmv_edge.npu_backends.ax650_sim import Emulation, simulate

        log.info("preparing %d calibration + %d held-out tensors at %d", len(calib_files), len(heldout_files), size)
        calib = calibration.tensors(calib_files, size)
        heldout = calibration.tensors(heldout_files, size)
        if len(calib) < 8:
            log.warning("only %d calibration images (Pulsar2's default is 32): ranges may miss real inputs", len(calib))
        tar_name = f"calib_{size}.tar"
        write_calibration_tar(out_dir / tar_name, calib)
        emulation = Emulation(precision.activations, precision.u16_op_types)
        sim = simulate(out_dir / f"encoder_{size}.onnx", input_name, emulation, calib, heldout)
        log.info(
            "%dx%d %s emulated: worst held-out cosine %.6f (mean %.6f), max abs %.3g",
            size, size, precision.name, sim.simulated_cosine, sim.simulated_cosine_mean, sim.max_abs,
        )  # fmt: skip
        if not sim.simulated_cosine >= min_cosine:  # NaN fails
            hint = "try --precision u16" if precision.name != "u16" else "try more representative --calibration images"
            raise EdgeError(
                f"AX650N {precision.name} emulated quantization at {size}x{size}: worst held-out cosine "
                f"{sim.simulated_cosine:.6f} is below {min_cosine} ({hint}, or lower --min-cosine)"
            )
        return sim, tar_name, len(calib)


def _next_steps(root: Path, build_name: str, shapes: list[int], *, built: bool) -> list[str]:
    """What to run where after this compile; the build's folder is `minicpmv-edge inspect`'s `dir` of the build."""
    steps = []
    if not built:
        steps += [
            f"on a machine with Pulsar2 (the pulsar2:<version> Docker image from {PULSAR2_DOWNLOAD}, or pulsar2 on "
            f"PATH): run ./build.sh in this build's folder (minicpmv-edge inspect {root} shows it)",
            'then record the .axmodel files in the bundle manifest: python -c "from minicpmv_edge.npu_backends.ax650 '
            f"import register_axmodels; register_axmodels('{root}', '{build_name}')\"",
        ]
    sizes = " ".join(str(s) for s in shapes)
    steps += [
        f"copy the bundle to the AX650N board and time the NPU there, in the build's folder: for s in {sizes}; do "
        "ax_run_model -m encoder_$s.axmodel -w 3 -r 10; done | tee ax_run_model.log",
        'store those timings with the bundle (device-measured): python -c "from minicpmv_edge.npu_backends.'
        "ax_run_model import store_log; store_log('BUNDLE', '<build folder>/ax_run_model.log')\"",
        "answer with the NPU encoder on the board: minicpmv-edge run BUNDLE --target ax650n --image IMG --prompt Q "
        "(needs pyaxengine)",
    ]
    return steps


# ---------------------------------------------------------------------------------------------- manifest


def compiled_builds(root: Path) -> list[Build]:
    """The bundle's AX650N builds (`ax650n-u16`, `ax650n-u8`), u16 first."""
    builds = [b for b in read_manifest(root).compiled.values() if b.backend == "ax650"]
    return sorted(builds, key=lambda b: (b.precision != DEFAULT_PRECISION, b.name))


def record_compiled_files(
    root: str | Path, build_name: str, rels: list[str], update: Callable[[Build], Build] | None = None
) -> None:
    """Add files of a build folder to the manifest (size + sha256) and let `update` edit that build's entry; for
    artifacts made after `compile` (a board-side build, device timings). Under the bundle lock, atomic."""
    root = Path(root)

    def change(manifest: Manifest) -> Manifest:
        build = manifest.compiled.get(build_name)
        if build is None:
            raise EdgeError(f"bundle {root} has no build {build_name} in its manifest; run minicpmv-edge compile first")
        records = [file_record(root, root / build.dir / rel, f"{build.dir}/{rel}") for rel in rels]
        build = dataclasses.replace(build, files=tuple(sorted({*build.files, *rels})))
        if update:
            build = update(build)
        manifest = with_files(manifest, records)
        return dataclasses.replace(manifest, compiled={**manifest.compiled, build_name: build})

    update_manifest(root, change)


def register_axmodels(root: str | Path, build_name: str | None = None) -> list[str]:
    """Record `encoder_S.axmodel` files that `build.sh` produced after compile (e.g. on another machine)."""
    root = Path(root)
    builds = {b.name: b for b in compiled_builds(root)}
    build = builds.get(build_name) if build_name else next(iter(builds.values()), None)
    if build is None:
        raise EdgeError(
            f"bundle {root} has no AX650N build{f' {build_name}' if build_name else ''}; "
            "run minicpmv-edge compile --target ax650n"
        )
    found = sorted(p.name for p in (root / build.dir).glob("encoder_*.axmodel"))
    if not found:
        raise EdgeError(f"no encoder_*.axmodel in {root / build.dir}: run its build.sh with Pulsar2 first")

    def update(entry: Build) -> Build:
        summary = dict(entry.summary)
        encoders = dict(entry.encoders)
        for name in found:
            size = name.removeprefix("encoder_").removesuffix(".axmodel")
            summary[size] = {**summary.get(size, {}), "axmodel": name}
            encoders[int(size)] = BuildEncoder(f"{entry.dir}/{name}")
        return dataclasses.replace(entry, summary=summary, encoders=encoders, runtime="axengine")

    record_compiled_files(root, build.name, found, update)
    return found
