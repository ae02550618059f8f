"""Device results in: qai-hub profile JSON, `ax_run_model` logs (or `--save-benchmark` JSON), the Android app's JSON.

The format is recognised by content, not by file name. Every figure imported here is `device-measured`: these files
are written by tools running on the phone or the board; the one exception is an Android benchmark JSON whose
`provenance` says `host-measured` (the app's Java code run on a desktop JVM), which keeps that label and lands
beside the host figures, never in the device column. Parsing of `ax_run_model` output and of AI Hub profiles is
the NPU backends' (`npu_backends.ax_run_model`, `npu_backends.qai_hub.profile_figures`); this module only turns their
results into report figures.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minicpmv_edge.bench import figures as F
from minicpmv_edge.bench.figures import Figure, repeated
from minicpmv_edge.bench.schema import ANDROID_SCHEMA_ID, validate
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.safe_json import load_json_file, parse_json, read_regular_file

FORMATS = ("qai-hub-profile", "ax-run-model-log", "ax-run-model-json", "android-benchmark")
EXPECTED = "a qai-hub profile JSON, an ax_run_model log or an Android benchmark JSON"
MAX_IMPORT_BYTES = 64 << 20  # device result files are kilobytes; a log of many runs is still far below this
log = logging.getLogger(__name__)
SHAPE_IN_NAME = re.compile(r"(?:profile|encoder)_(\d{2,4})")


@dataclass
class Imported:
    file: str
    format: str
    device: str | None
    chip: str | None
    figures: list[Figure]
    info: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "device": self.device,
            "chip": self.chip,
            "figures": len(self.figures),
            "info": self.info,
        }


def _read(path: Path) -> str:
    """A regular file of at most MAX_IMPORT_BYTES (a FIFO or device would block), as text."""
    return read_regular_file(path, max_bytes=MAX_IMPORT_BYTES, what="import file").decode("utf-8", errors="replace")


def detect(text: str, what: str = "import file") -> tuple[str, Any]:
    """(format, parsed object) of a file's content; an unknown format is a one-line error (raised by the caller).

    Content that looks like JSON but is not strict JSON (NaN or infinite numbers, too deep) is refused here:
    a NaN time would otherwise flow into the report as a figure.
    """
    from minicpmv_edge.npu_backends import ax_run_model

    try:
        obj = parse_json(text, what)
    except EdgeError:
        if text.lstrip().startswith("{"):
            raise
        obj = None
    if isinstance(obj, dict):
        if obj.get("schema") == ANDROID_SCHEMA_ID:
            return "android-benchmark", obj
        if isinstance(obj.get("execution_summary"), dict):
            return "qai-hub-profile", obj
        try:
            return "ax-run-model-json", ax_run_model.parse_benchmark_json(obj)
        except EdgeError:
            pass
    elif obj is None and (runs := ax_run_model.parse_outputs(text)):
        return "ax-run-model-log", runs
    return "unknown", None


def import_file(path: str | Path, *, preset: str | None = None) -> Imported:
    """Figures of one device result file. `preset`: the model measured, where the file does not say."""
    path = Path(path)
    fmt, obj = detect(_read(path), f"import file {path}")
    if fmt == "android-benchmark":
        return _android(path, obj)
    if fmt == "qai-hub-profile":
        return _qai_hub(path, obj, preset)
    if fmt == "ax-run-model-log":
        return _ax(path, fmt, obj, preset)
    if fmt == "ax-run-model-json":
        return _ax(path, fmt, [obj], preset)
    raise EdgeError(f"{path}: unknown benchmark format (expected {EXPECTED})")


def _shape_from_name(name: str | None) -> int | None:
    found = SHAPE_IN_NAME.search(Path(name).name) if name else None
    return int(found.group(1)) if found else None


def _ax(path: Path, fmt: str, results: list[Any], preset: str | None) -> Imported:
    figures = []
    for r in results:
        shape = r.shape or _shape_from_name(r.model)
        npu = f", {r.npu_type}" if r.npu_type else ""
        figures.append(
            Figure(
                group="device",
                stage="encode",
                value=r.avg_ms / 1000,
                stat="mean",
                min=r.min_ms / 1000,
                max=r.max_ms / 1000,
                n=r.repeat,
                shape=shape,
                provenance=F.DEVICE,
                source=f"import: {path.name}",
                device=f"Axera AX650N ({r.tool}{npu})",
                chip="ax650n",
                model=preset,
                backend="ax650n NPU (axmodel)",
                note=f"NPU-only time of {Path(r.model).name if r.model else 'the model'}"
                + (f", warm-up {r.warmup}, repeat {r.repeat}" if r.repeat else ""),
            )
        )
    return Imported(str(path), fmt, "Axera AX650N", "ax650n", figures, {"runs": len(results)})


def _qai_hub_context(path: Path) -> dict[str, Any]:
    """Device, chip and precision from the compile `report.json` beside the profile, when there is one."""
    report = path.parent / "report.json"
    if not report.exists():
        return {}
    try:
        data = load_json_file(report, what="compile report beside the profile")
    except EdgeError as err:  # someone else's report.json: the profile still stands on its own
        log.warning("ignoring it: %s", err)
        return {}
    return data if isinstance(data, dict) and data.get("backend") == "qai-hub" else {}


def _chip_of_device(device: str | None) -> str | None:
    from minicpmv_edge.npu_backends.qai_hub import CHIP_DEVICES

    if not device:
        return None
    norm = device.lower().replace(" (family)", "")
    return next((chip for chip, name in CHIP_DEVICES.items() if name.lower().replace(" (family)", "") == norm), None)


def _qai_hub(path: Path, profile: dict[str, Any], preset: str | None) -> Imported:
    from minicpmv_edge.npu_backends.qai_hub import profile_figures

    context = _qai_hub_context(path)
    device = context.get("device") or profile.get("device") or None
    chip = context.get("chip") or _chip_of_device(device)
    got = profile_figures(profile, device or "unknown device")
    shape = _shape_from_name(path.name)
    label = f"{device or 'unknown device'} (Qualcomm AI Hub profile)"
    common = {
        "group": "device",
        "provenance": F.DEVICE,
        "source": f"import: {path.name}",
        "device": label,
        "chip": chip,
        "model": preset,
        "backend": f"qnn {context.get('precision', '')}".strip() + " (AI Hub)",
    }
    units = ", ".join(f"{k} {v}" for k, v in got["compute_units"].items()) or "not reported"
    figures: list[Figure] = []
    loop = profile["execution_summary"].get("all_inference_times")
    if isinstance(loop, list) and loop and all(isinstance(x, int | float) for x in loop):
        figures.append(
            repeated(
                "encode",
                [x / 1e6 for x in loop],
                shape=shape,
                note=f"all_inference_times of AI Hub's on-device loop; layers per unit: {units}",
                **common,
            )
        )
    elif got["inference_ms"] is not None:
        figures.append(
            Figure(
                stage="encode",
                value=got["inference_ms"] / 1000,
                stat="reported",
                shape=shape,
                note=f"execution_summary.estimated_inference_time (microseconds); layers per unit: {units}",
                **common,
            )
        )
    else:
        raise EdgeError(f"{path}: qai-hub profile has no execution_summary.estimated_inference_time")
    if got["peak_memory_mb"]:
        lo, hi = got["peak_memory_mb"]
        figures.append(
            Figure(
                stage="peak_memory",
                value=hi,
                stat="max",
                min=lo,
                max=hi,
                note="execution_summary.inference_memory_peak_range (bytes), upper end; the encoder alone",
                **common,
            )
        )
    info = {k: got[k] for k in ("compute_units", "npu_fraction", "first_load_ms", "warm_load_ms") if k in got}
    return Imported(str(path), "qai-hub-profile", device, chip, figures, info)


def _android(path: Path, data: dict[str, Any]) -> Imported:
    from minicpmv_edge.npu_backends.chips import get_chip

    validate(data, "android_benchmark", what=f"Android benchmark JSON {path}")
    dev, bundle, settings = data["device"], data["bundle"], data.get("settings", {})
    try:
        chip = get_chip(dev["soc"]).key
    except EdgeError:
        chip = None
    device = f"{dev['manufacturer']} {dev['model']} ({dev['soc']}, Android {dev['android_version']})"
    runs = data["runs"]
    common = {
        "group": "device",
        "provenance": data.get("provenance", F.DEVICE),  # host-measured: the app's Java runtime on a desktop JVM
        "source": f"import: {path.name}",
        "device": device,
        "chip": chip,
        "model": bundle["preset"],
        "mode": settings.get("mode"),
    }
    if common["provenance"] != F.DEVICE:  # a desktop JVM is no phone: its figures never enter the device column
        common["group"] = "host"
    enc = {**common, "backend": data["encoder_backend"]}
    llm = {**common, "backend": "int4 decoder (app)"}
    prompt_tokens = settings.get("prompt_text_tokens")
    figures: list[Figure] = []

    def values(key: str) -> list[float]:
        return [float(r[key]) for r in runs if r.get(key) is not None]

    if pre := values("preprocess_s"):
        figures.append(repeated("preprocess", pre, **common))
    by_shape: dict[int, list[float]] = {}
    for r in runs:
        for shape, seconds in zip(r.get("encode_shapes", []), r.get("encode_per_input_s", []), strict=False):
            by_shape.setdefault(int(shape), []).append(float(seconds))
    for shape, vals in sorted(by_shape.items()):
        figures.append(repeated("encode", vals, shape=shape, **enc))
    figures.append(repeated("encode_total", values("encode_s"), **enc))
    tokens = next((r["prefill_tokens"] for r in runs if r.get("prefill_tokens")), None)
    figures.append(repeated("prefill", values("prefill_s"), tokens=tokens, prompt_tokens=prompt_tokens, **llm))
    figures.append(repeated("ttft", values("ttft_s"), prompt_tokens=prompt_tokens, **llm))
    if decode := [v for v in values("decode_tok_s") if v > 0]:
        figures.append(repeated("decode", decode, **llm))
    if data.get("peak_memory_mb") is not None:
        figures.append(
            Figure(
                stage="peak_memory",
                value=float(data["peak_memory_mb"]),
                stat="max",
                note="peak memory of the app process as the app reports it",
                **common,
            )
        )
    latencies = next((r["token_latencies_s"] for r in runs if r.get("token_latencies_s")), None)
    info = {
        "provenance": common["provenance"],
        "app": data["app"],
        "bundle": bundle,
        "encoder_backend": data["encoder_backend"],
        "runs": len(runs),
        "settings": settings,
        "token_latencies_s": latencies,
    }
    return Imported(str(path), "android-benchmark", device, chip, figures, info)
