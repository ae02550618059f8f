"""`compile --target sm8xxx`: the fp32 encoders -> QDQ -> offline HTP context binaries, proven whole-graph and accurate.

Per shape: quantize with ONNX Runtime's QNN tooling on the SDK's own calibration tensors, let the QNN EP prepare a
context binary for the chip's soc_model/htp_arch (an EPContext `encoder_<S>_ctx.onnx` + its `.bin`, which a phone's
ONNX Runtime QNN EP loads without compiling anything), with CPU fallback disabled so that success means every node
runs on the HTP, then run that binary on the HTP (the x86_64 emulator here) over held-out images against fp32.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from minicpmv_edge import logs
from minicpmv_edge.errors import EdgeError, first_line
from minicpmv_edge.npu_backends import calibration, qnn_ep
from minicpmv_edge.npu_backends.accuracy import Accuracy, heldout_accuracy
from minicpmv_edge.npu_backends.base import CompileRequest, CompileResult
from minicpmv_edge.npu_backends.chips import Chip
from minicpmv_edge.presets import ENCODER_INPUT
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.versions import tool_versions

log = logging.getLogger(__name__)

INPUT_NAME = ENCODER_INPUT
DEFAULT_PRECISION = "w8a16"
DEFAULT_HELDOUT_IMAGES = 3  # the HTP emulator needs seconds per image even for the tiny preset
QDQ_EXTERNAL_DATA_BYTES = 1024**3  # quantized graphs above this keep weights in `<name>.data` (protobuf limit 2 GB)


@dataclass(frozen=True)
class QnnPrecision:
    """How one precision is produced. Types are ONNX Runtime `QuantType` names; None: not quantized (fp16)."""

    name: str
    activation_type: str | None
    weight_type: str | None
    per_channel: bool  # Conv/Gemm weights per output channel; the QNN tool keeps MatMul per-tensor (HTP needs it)
    min_cosine: float  # default accuracy gate against fp32 on held-out images
    fp16: bool = False  # float graph run by the HTP in fp16 (v75+)
    note: str = ""

    @property
    def quantized(self) -> bool:
        return self.activation_type is not None


PRECISIONS: dict[str, QnnPrecision] = {
    p.name: p
    for p in (
        QnnPrecision(
            "w8a16",
            "QUInt16",
            "QUInt8",
            per_channel=True,
            min_cosine=0.99,
            note="16-bit activations keep LayerNorm/softmax/attention accurate; 8-bit weights halve HTP bandwidth",
        ),
        QnnPrecision(
            "w8a8",
            "QUInt8",
            "QUInt8",
            per_channel=True,
            min_cosine=0.95,
            note="fastest HTP path; 8-bit activations cost ViT accuracy, so the gate is lower (0.95)",
        ),
        QnnPrecision(
            "fp16",
            None,
            None,
            per_channel=False,
            min_cosine=0.999,
            fp16=True,
            note="no calibration; native HTP fp16 from v75, gate 0.999 (fp16 rounding only)",
        ),
    )
}


def get_precision(name: str | None, chip: Chip) -> QnnPrecision:
    """The precision for `chip`; fp16 is refused where the HTP has no native fp16."""
    key = (name or DEFAULT_PRECISION).lower()
    if key not in PRECISIONS:
        raise EdgeError(f"unknown qnn precision {name!r}; known: {', '.join(PRECISIONS)}")
    precision = PRECISIONS[key]
    if precision.fp16 and not chip.fp16:
        raise EdgeError(
            f"fp16 needs HTP v75 or newer; {chip.key} ({chip.name}) has {chip.htp_arch}: use --precision w8a16 or w8a8"
        )
    return precision


def _int_option(options: dict[str, str], key: str, default: int | None) -> int | None:
    value = options.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise EdgeError(f"qnn option {key} must be an integer, got {value!r}") from None
    if number < 1:
        raise EdgeError(f"qnn option {key} must be at least 1, got {number}")
    return number


def quantize_encoder(src: Path, dst: Path, precision: QnnPrecision, batches: list[np.ndarray]) -> dict[str, Any]:
    """fp32 encoder ONNX -> QDQ ONNX for the HTP, calibrated (MinMax) on `batches` (`[1,3,S,S]` float32 in [-1,1]).

    `qnn_preprocess_model` first fuses the Erf GELU into one Gelu op (the HTP has it natively); the tool then adds the
    overrides the QNN EP needs and upgrades 16-bit graphs to opset 21. Returns the settings for the report.
    """
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantType, quantize
    from onnxruntime.quantization.execution_providers.qnn import get_qnn_qdq_config, qnn_preprocess_model

    if not precision.quantized:
        raise ValueError(f"{precision.name} is not a quantized precision")
    pre = dst.with_name(f"{dst.stem}_pre.onnx")
    large = src.with_name(f"{src.name}.data").exists()
    fused = qnn_preprocess_model(
        src, pre, save_as_external_data=large, all_tensors_to_one_file=True, external_data_location=f"{pre.name}.data"
    )
    model_in = pre if fused else src
    if fused and precision.activation_type.endswith("16"):
        model_in = _opset21(pre, dst.with_name(f"{dst.stem}_op21.onnx"))
    with logs.dropping(logs.from_onnxruntime):
        config = get_qnn_qdq_config(
            str(model_in),
            calibration.TensorReader(INPUT_NAME, batches),
            calibrate_method=CalibrationMethod.MinMax,
            activation_type=QuantType[precision.activation_type],
            weight_type=QuantType[precision.weight_type],
            per_channel=precision.per_channel,
        )
        config.use_external_data_format = config.use_external_data_format or large
        quantize(str(model_in), str(dst), config)
    for tmp in (pre, pre.with_name(f"{pre.name}.data"), dst.with_name(f"{dst.stem}_op21.onnx")):
        tmp.unlink(missing_ok=True)
    opset = next(o.version for o in onnx.load(str(dst), load_external_data=False).opset_import if o.domain == "")
    return {
        "tool": "onnxruntime.quantization get_qnn_qdq_config + quantize",
        "activations": precision.activation_type,
        "weights": precision.weight_type,
        "weights_per_channel": precision.per_channel,
        "per_channel_ops": "Conv, Gemm (MatMul stays per-tensor for the HTP)" if precision.per_channel else "none",
        "calibrate_method": "MinMax",
        "symmetric": {"activations": False, "weights": False},
        "gelu_fused": bool(fused),
        "calibration_images": len(batches),
        "opset": opset,
    }


def _opset21(model_path: Path, out: Path) -> Path:
    """16-bit Q/DQ needs opset 21. Upgrading here, graph only (weights stay in the external file beside it), spares
    the quantizer its in-memory upgrade plus deep copy: ~2 fp32 copies of the weights (3 GB for SigLIP-400M)."""
    import onnx
    from onnx import version_converter

    model = onnx.load(str(model_path), load_external_data=False)
    if next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 21:
        return model_path
    onnx.save(version_converter.convert_version(model, 21), str(out))
    return out


def compile_context(
    model: Path, ctx_path: Path, chip: Chip, *, fp16: bool, allow_cpu_fallback: bool, what: str
) -> list[tuple[str, str]]:
    """Let the QNN EP prepare `model` for `chip` and write the EPContext model `ctx_path` (+ its `.bin` beside it).

    With CPU fallback disabled, success proves the whole graph is on the HTP. On failure, the nodes the EP would not
    take are named (by a second session that may fall back and records placement), so the user sees which ops.
    Returns the nodes left on CPU (empty unless `allow_cpu_fallback`).
    """
    try:
        session = qnn_ep.htp_session(
            model,
            chip,
            fp16=fp16,
            allow_cpu_fallback=allow_cpu_fallback,
            context_file=ctx_path,
            record_assignment=allow_cpu_fallback,
            log_level=4,  # a failure is explained below, naming the ops
        )
    except EdgeError:
        raise
    except Exception as err:
        nodes = _fallback_or_none(model, chip, fp16)
        if nodes:
            raise EdgeError(
                f"{len(nodes)} node(s) of {what} cannot run on the {chip.key} HTP and would fall back to CPU: "
                f"{qnn_ep.describe_nodes(nodes)}; rewrite them or pass --allow-cpu-fallback"
            ) from None
        raise EdgeError(f"QNN could not compile {what} for {chip.key}: {first_line(err)}") from None
    return qnn_ep.cpu_nodes(session) if allow_cpu_fallback else []


def require_whole_graph(model: str | Path | bytes, chip: Chip, *, fp16: bool = False, what: str = "the graph") -> None:
    """Raise a one-line EdgeError naming every op the QNN EP would leave on CPU for `chip`."""
    nodes = qnn_ep.fallback_nodes(model, chip, fp16=fp16)
    if nodes:
        raise EdgeError(
            f"{len(nodes)} node(s) of {what} cannot run on the {chip.key} HTP and would fall back to CPU: "
            f"{qnn_ep.describe_nodes(nodes)}; rewrite them or pass --allow-cpu-fallback"
        )


def _fallback_or_none(model: Path, chip: Chip, fp16: bool) -> list[tuple[str, str]]:
    try:
        return qnn_ep.fallback_nodes(model, chip, fp16=fp16)
    except Exception as err:  # the EP failed for another reason; the caller reports the original error
        log.debug("placement check failed too: %s", err)
        return []


def evaluate(
    fp32_model: Path, ctx_model: Path, chip: Chip, batches: list[np.ndarray], *, fp16: bool, allow_cpu_fallback: bool
) -> Accuracy:
    """The compiled context on the HTP (emulated on x86_64) against fp32 on CPU over `batches` `[1,3,S,S]`."""
    htp: ort.InferenceSession | None = None

    def run(_: int, x: np.ndarray) -> np.ndarray:
        nonlocal htp
        if htp is None:  # opened after the fp32 outputs exist, so both graphs are never resident together
            try:
                htp = qnn_ep.htp_session(ctx_model, chip, fp16=fp16, allow_cpu_fallback=allow_cpu_fallback)
            except Exception as err:
                why = first_line(err)
                raise EdgeError(f"the compiled {ctx_model.name} does not load on the QNN HTP: {why}") from None
        return htp.run(None, {INPUT_NAME: x})[0]

    return heldout_accuracy(fp32_model, batches, run, provenance=qnn_ep.provenance(), what=ctx_model.name)


class QnnBackend:
    """Qualcomm HTP through ONNX Runtime's QNN EP (onnxruntime-qnn: QNN SDK libraries with an x86_64 HTP emulator)."""

    name = "qnn"

    def output_name(self, req: CompileRequest) -> str:
        return f"qnn-{req.chip.key}-{(req.precision or DEFAULT_PRECISION).lower()}"

    def compile(self, bundle: Bundle, req: CompileRequest, out_dir: Path) -> CompileResult:
        chip = req.chip
        if chip.soc_model is None or chip.htp_arch is None:
            raise EdgeError(f"{chip.key} ({chip.name}) is not a Snapdragon HTP target; qnn compiles for sm8xxx chips")
        precision = get_precision(req.precision, chip)
        shapes = req.shapes or bundle.encoder_sizes()
        if not shapes:
            raise EdgeError(f"bundle {bundle.root} has no vision encoders to compile; export it with --parts vision")
        sources = {size: bundle.encoder_file(size) for size in shapes}  # fails early on a shape the bundle lacks
        min_cosine = req.min_cosine if req.min_cosine is not None else precision.min_cosine
        n_calib = _int_option(req.options, "calibration_images", None)
        n_heldout = _int_option(req.options, "heldout_images", DEFAULT_HELDOUT_IMAGES)
        calib_files, heldout_files = calibration.calibration_split(req.calibration)
        log.info(
            "qnn %s for %s (%s, soc_model %d, htp %s): shapes %s, %d calibration / %d held-out images",
            precision.name,
            chip.key,
            chip.name,
            chip.soc_model,
            chip.htp_arch,
            ", ".join(map(str, shapes)),
            min(n_calib or len(calib_files), len(calib_files)) if precision.quantized else 0,
            min(n_heldout, len(heldout_files)),
        )

        files: list[str] = []
        details: dict[str, Any] = {}
        summary: dict[str, Any] = {}
        quant_report: dict[str, Any] | None = None
        sdk = None
        work = out_dir / ".work"
        work.mkdir()
        try:
            for size in shapes:
                what = f"the {size}x{size} encoder"
                t0 = time.perf_counter()
                if precision.quantized:
                    batches = calibration.tensors(calib_files, size, limit=n_calib)
                    log.info("calibrating %s (%s) on %d images", what, precision.name, len(batches))
                    model = work / f"encoder_{size}_qdq.onnx"
                    quant_report = quantize_encoder(sources[size], model, precision, batches)
                    del batches
                    log.info("quantized %s in %.1f s", what, time.perf_counter() - t0)
                else:
                    model = sources[size]
                ctx = out_dir / f"encoder_{size}_ctx.onnx"
                log.info("preparing the HTP context binary of %s for %s (%s)", what, chip.key, chip.htp_arch)
                t1 = time.perf_counter()
                cpu = compile_context(
                    model,
                    ctx,
                    chip,
                    fp16=precision.fp16,
                    allow_cpu_fallback=req.allow_cpu_fallback,
                    what=what,
                )
                prepare_s = time.perf_counter() - t1
                compile_s = time.perf_counter() - t0
                if cpu:
                    log.warning("%d node(s) of %s stay on CPU: %s", len(cpu), what, qnn_ep.describe_nodes(cpu))
                bins = qnn_ep.context_binaries(ctx)
                sdk = qnn_ep.sdk_version(ctx)
                binary_bytes = sum(b.stat().st_size for b in bins)
                log.info("compiled %s in %.1f s: %s (%.1f MB)", what, compile_s, bins[0].name, binary_bytes / 1e6)

                heldout = calibration.tensors(heldout_files, size, limit=n_heldout)
                log.info("checking %s on the HTP (%s) over %d held-out images", what, qnn_ep.provenance(), len(heldout))
                acc = evaluate(
                    sources[size],
                    ctx,
                    chip,
                    heldout,
                    fp16=precision.fp16,
                    allow_cpu_fallback=req.allow_cpu_fallback,
                )
                if not acc.passes(min_cosine):
                    raise EdgeError(
                        f"{what} at {precision.name} for {chip.key}: cosine vs fp32 {acc.cosine:.6f} on held-out "
                        f"images is below {min_cosine} ({acc.provenance} HTP); try --precision w8a16 or more "
                        "calibration images"
                    )
                files += [ctx.name, *(b.name for b in bins)]
                summary[str(size)] = {
                    "cosine": acc.cosine,
                    "max_abs": acc.max_abs,
                    "heldout_images": acc.heldout_images,
                    "provenance": acc.provenance,
                    "compile_s": round(compile_s, 2),
                    "binary_bytes": binary_bytes,
                }
                details[str(size)] = {
                    "source": sources[size].relative_to(bundle.root).as_posix(),
                    "ctx_model": ctx.name,
                    "context_binaries": [b.name for b in bins],
                    "binary_bytes": binary_bytes,
                    "compile_s": round(compile_s, 2),
                    "htp_prepare_s": round(prepare_s, 2),
                    "compile_provenance": "host-measured",
                    "cpu_fallback_nodes": [{"op": op, "name": name} for op, name in cpu],
                    "accuracy": asdict(acc),
                }
        finally:
            _rmtree(work)

        return CompileResult(
            files=sorted(files),
            precision=precision.name,
            encoders={size: f"encoder_{size}_ctx.onnx" for size in shapes},
            report={
                "precision_note": precision.note,
                "htp": {"soc_model": chip.soc_model, "htp_arch": chip.htp_arch, "qnn_sdk": sdk},
                "quantization": quant_report,
                "calibration": {
                    "source": str(req.calibration or calibration.DEFAULT_CALIBRATION),
                    "calibration_images": quant_report["calibration_images"] if quant_report else 0,
                    "heldout_images_available": len(heldout_files),
                },
                "min_cosine": min_cosine,
                "whole_graph_on_htp": not any(d["cpu_fallback_nodes"] for d in details.values()),
                "allow_cpu_fallback": req.allow_cpu_fallback,
                "summary": summary,
                "shapes": details,
                "tools": tool_versions("onnxruntime", "onnxruntime-qnn", "onnx"),
                "provenance_notes": {
                    "accuracy": "emulated = QNN HTP emulator (libQnnHtp x86_64); device-measured = a real Snapdragon",
                    "compile_s": "host-measured",
                },
                "next_steps": [
                    f"minicpmv-edge run {bundle.root} --target {chip.key} --precision {precision.name} --image IMG "
                    "--prompt TEXT",
                    "on the phone: load encoder_<S>_ctx.onnx (its .bin beside it) with ONNX Runtime's QNN EP "
                    f"(onnxruntime-android-qnn, QNN {sdk or 'runtime'} compatible libraries)",
                ],
            },
        )


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
