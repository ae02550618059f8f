"""`compile --via qai-hub`: compile, profile and run the encoders on a real phone in Qualcomm AI Hub's cloud.

A thin adapter around the `qai_hub` client (imported lazily). We upload our own QDQ model rather than submitting a
quantize job: it is the same calibration (the SDK's preprocessor on `calibration_data/`) that the local `qnn`
backend proves on the emulator, so cloud and local builds differ only in the compiler, and no calibration images
leave the machine. The target runtime is `precompiled_qnn_onnx`: an EPContext ONNX + QNN context binary, the very
artifact `run --encoder qnn` loads through ONNX Runtime's QNN EP. Profile figures are `device-measured`.

Job arguments are built by pure functions (`job_arguments`, `profile_figures`) so tests check them without a token.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import sys
import time
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import numpy as np

from minicpmv_edge.errors import EdgeError, first_line
from minicpmv_edge.npu_backends import calibration
from minicpmv_edge.npu_backends.accuracy import heldout_accuracy
from minicpmv_edge.npu_backends.base import CompileRequest, CompileResult
from minicpmv_edge.npu_backends.chips import Chip
from minicpmv_edge.npu_backends.qnn_ep import describe_nodes
from minicpmv_edge.presets import ENCODER_INPUT
from minicpmv_edge.runtime.bundle_view import Bundle

log = logging.getLogger(__name__)

DEFAULT_DEVICE = "Samsung Galaxy S24 (Family)"
CHIP_DEVICES = {  # AI Hub device per chip when --device is not given ("(Family)" = the Snapdragon variants)
    "sm8550": "Samsung Galaxy S23 (Family)",
    "sm8650": DEFAULT_DEVICE,
    "sm8750": "Samsung Galaxy S25 (Family)",
}
TARGET_RUNTIME = "precompiled_qnn_onnx"
INPUT_NAME = ENCODER_INPUT
CONNECT_TIMEOUT_S = 5.0
DEFAULT_HELDOUT_IMAGES = 3
CONFIGURE_HINT = (
    "run `qai-hub configure --api_token YOUR_TOKEN` (token: AI Hub Workbench -> Account -> Settings -> API Token)"
)


@dataclass(frozen=True)
class HubJobs:
    """Arguments of the three jobs for one encoder shape (the device is a name; the adapter wraps it)."""

    compile: dict[str, Any]
    profile: dict[str, Any]
    inference: dict[str, Any] = field(default_factory=dict)


def job_arguments(
    size: int,
    precision: str,
    model_path: Path,
    device: str,
    *,
    heldout: list[np.ndarray] | None = None,
    compile_options: str = "",
    profile_options: str = "",
) -> HubJobs:
    """Keyword arguments for `submit_compile_job` / `submit_profile_job` / `submit_inference_job` (no `model` for
    the latter two: it is the compile job's target model). Pure: no network, no qai_hub import."""
    name = f"minicpmv-edge encoder {size}x{size} {precision}"
    compile_opts = " ".join(o for o in (f"--target_runtime {TARGET_RUNTIME}", compile_options.strip()) if o)
    inference = (
        {"device": device, "name": f"{name} held-out", "inputs": {INPUT_NAME: list(heldout)}, "options": ""}
        if heldout
        else {}
    )
    return HubJobs(
        compile={
            "model": str(model_path),
            "device": device,
            "name": name,
            "input_specs": {INPUT_NAME: ((1, 3, size, size), "float32")},
            "options": compile_opts,
        },
        profile={"device": device, "name": f"{name} profile", "options": profile_options.strip()},
        inference=inference,
    )


def profile_figures(profile: dict[str, Any], device: str) -> dict[str, Any]:
    """AI Hub profile -> our report figures. Times in the profile are microseconds, memory in bytes."""
    summary = profile.get("execution_summary", {})
    detail = profile.get("execution_detail", [])
    layers = detail if isinstance(detail, list) else list(detail.values()) if isinstance(detail, dict) else []
    units = Counter(str(layer.get("compute_unit", "unknown")).lower() for layer in layers if isinstance(layer, dict))
    out: dict[str, Any] = {
        "inference_ms": _us_to_ms(summary.get("estimated_inference_time")),
        "peak_memory_mb": _mb_range(summary.get("inference_memory_peak_range")),
        "compute_units": dict(sorted(units.items())),
        "first_load_ms": _us_to_ms(summary.get("first_load_time")),
        "warm_load_ms": _us_to_ms(summary.get("warm_load_time")),
        "device": device,
        "provenance": "device-measured",
    }
    layers_total = sum(units.values())
    if layers_total:
        out["npu_fraction"] = round(units.get("npu", 0) / layers_total, 4)
    return out


def off_npu_layers(profile: dict[str, Any]) -> list[tuple[str, str]]:
    """(layer type, name) of every profiled layer AI Hub ran somewhere other than the NPU."""
    detail = profile.get("execution_detail", [])
    layers = detail if isinstance(detail, list) else []
    return [
        (str(layer.get("type", "?")), str(layer.get("name", "?")))
        for layer in layers
        if isinstance(layer, dict) and str(layer.get("compute_unit", "npu")).lower() != "npu"
    ]


def _us_to_ms(value: Any) -> float | None:
    return round(float(value) / 1000, 3) if isinstance(value, int | float) else None


def _mb_range(value: Any) -> list[float] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return [round(v / 2**20, 2) for v in value]
    return None


def _import_hub() -> ModuleType:
    try:
        import qai_hub
    except ImportError:
        raise EdgeError("--via qai-hub needs the Qualcomm AI Hub client: pip install qai-hub") from None
    return qai_hub


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """qai_hub prints upload/download progress on stdout; the CLI's stdout is for results."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def preflight(hub: ModuleType, device: str, timeout_s: float = CONNECT_TIMEOUT_S) -> list[str]:
    """Fail fast, in one line, without a token or without a route to AI Hub; returns the device's attributes."""
    try:
        from qai_hub.api_utils import load_default_api_config

        config = load_default_api_config()
    except Exception:
        raise EdgeError(f"Qualcomm AI Hub is not configured (no API token): {CONFIGURE_HINT}") from None
    if not getattr(config, "api_token", ""):
        raise EdgeError(f"Qualcomm AI Hub has no API token configured: {CONFIGURE_HINT}")
    url = urlparse(config.api_url)
    proxy = urllib.request.getproxies().get(url.scheme or "https")
    hop = urlparse(proxy) if proxy else url
    host, port = hop.hostname or "", hop.port or (443 if (hop.scheme or "https") == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as err:
        raise EdgeError(
            f"cannot reach Qualcomm AI Hub at {host}:{port} ({err.strerror or err}); check the network/proxy, or "
            "compile locally without --via"
        ) from None
    try:
        with _stdout_to_stderr():
            devices = hub.get_devices(name=device)
    except hub.Error as err:
        raise EdgeError(f"Qualcomm AI Hub refused the request: {first_line(err)}") from None
    if not devices:
        raise EdgeError(f"Qualcomm AI Hub has no device {device!r}; list them with `qai-hub list-devices`")
    return list(getattr(devices[-1], "attributes", []) or [])


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def check_chipset(chip: Chip, device: str, attributes: list[str]) -> None:
    """Refuse to label a profile for `chip` when AI Hub's device has another chipset."""
    chipsets = [a.split(":", 1)[1] for a in attributes if a.startswith("chipset:")]
    if not chipsets:
        return
    names = [_norm(n) for n in (chip.key, *chip.aliases)]
    if not any(n in _norm(c) for c in chipsets for n in names):
        raise EdgeError(
            f"AI Hub device {device!r} has chipset {chipsets[0]}, not {chip.key} ({chip.name}); pass a matching "
            "--device or --target"
        )


def relink_context(src_onnx: Path, out_dir: Path, size: int) -> list[str]:
    """Copy a downloaded EPContext model into `out_dir` as `encoder_<S>_ctx.onnx` with its binary renamed to
    `encoder_<S>_ctx_qnn.bin` (both shapes may arrive as `model.bin`), rewriting `ep_cache_context` to match."""
    import onnx

    from minicpmv_edge.npu_backends import qnn_ep

    model = onnx.load(str(src_onnx), load_external_data=False)
    nodes = [n for n in model.graph.node if n.op_type == "EPContext"]
    if not nodes:
        raise EdgeError(f"AI Hub's {src_onnx.name} has no EPContext node: not a precompiled QNN ONNX model")
    renames: dict[str, str] = {}
    for node in nodes:
        for attr in node.attribute:
            if attr.name == "ep_cache_context" and not any(a.name == "embed_mode" and a.i == 1 for a in node.attribute):
                old = attr.s.decode()
                renames.setdefault(old, f"encoder_{size}_ctx_qnn{'' if not renames else f'_{len(renames)}'}.bin")
                attr.s = renames[old].encode()
    for old, new in renames.items():
        if not (src_onnx.parent / old).is_file():
            raise EdgeError(f"AI Hub's {src_onnx.name} points at {old}, which was not in the download")
        shutil.copyfile(src_onnx.parent / old, out_dir / new)
    ctx = out_dir / f"encoder_{size}_ctx.onnx"
    onnx.save(model, str(ctx))
    if renames:
        qnn_ep.context_binaries(ctx)  # proves every reference resolves
    return [ctx.name, *renames.values()]


def upload_path(model: Path, work: Path) -> Path:
    """What to hand `submit_compile_job`: the .onnx itself, or, when its weights are external, a folder holding just
    it and its `.data` (AI Hub's layout for large ONNX models), linked rather than copied."""
    data = model.with_name(f"{model.name}.data")
    if not data.is_file():
        return model
    folder = work / f"{model.stem}_upload"
    folder.mkdir(exist_ok=True)
    for path in (model, data):
        link = folder / path.name
        if not link.exists():
            try:
                link.hardlink_to(path)
            except OSError:  # another file system
                shutil.copyfile(path, link)
    return folder


def _unpack(downloaded: Path, work: Path) -> Path:
    """The EPContext .onnx inside what `Model.download` returned (a .zip, a directory, or the file itself)."""
    if downloaded.is_file() and zipfile.is_zipfile(downloaded):
        dest = work / f"{downloaded.stem}.unzipped"
        with zipfile.ZipFile(downloaded) as zf:
            zf.extractall(dest)
        downloaded = dest
    if downloaded.is_dir():
        found = sorted(downloaded.rglob("*.onnx"))
        if len(found) != 1:
            raise EdgeError(f"AI Hub download {downloaded.name} holds {len(found)} .onnx files, expected one")
        return found[0]
    return downloaded


class QaiHubBackend:
    """Compile (`precompiled_qnn_onnx`), profile and run on a phone in AI Hub; results are device-measured."""

    name = "qai-hub"

    def __init__(self, hub: ModuleType | None = None, *, check_access: bool = True) -> None:
        self._hub = hub
        self._check_access = check_access

    def output_name(self, req: CompileRequest) -> str:
        from minicpmv_edge.npu_backends.qnn import DEFAULT_PRECISION

        return f"qai-hub-{req.chip.key}-{(req.precision or DEFAULT_PRECISION).lower()}"

    def compile(self, bundle: Bundle, req: CompileRequest, out_dir: Path) -> CompileResult:
        from minicpmv_edge.npu_backends.qnn import _int_option, get_precision, quantize_encoder

        chip = req.chip
        if chip.soc_model is None:
            raise EdgeError(f"{chip.key} ({chip.name}) is not a Snapdragon target; --via qai-hub is for sm8xxx chips")
        precision = get_precision(req.precision, chip)
        device = req.options.get("device") or CHIP_DEVICES.get(chip.key, DEFAULT_DEVICE)
        hub = self._hub or _import_hub()
        if self._check_access:
            check_chipset(chip, device, preflight(hub, device))
        shapes = req.shapes or bundle.encoder_sizes()
        sources = {size: bundle.encoder_file(size) for size in shapes}
        calib_files, heldout_files = calibration.calibration_split(req.calibration)
        n_calib = _int_option(req.options, "calibration_images", None)
        n_heldout = _int_option(req.options, "heldout_images", DEFAULT_HELDOUT_IMAGES)
        min_cosine = req.min_cosine if req.min_cosine is not None else precision.min_cosine

        files: list[str] = []
        summary: dict[str, Any] = {}
        details: dict[str, Any] = {}
        quant: dict[str, Any] | None = None
        work = out_dir / ".work"
        work.mkdir()
        try:
            for size in shapes:
                if precision.quantized:
                    log.info("quantizing the %dx%d encoder (%s) locally for upload", size, size, precision.name)
                    model = work / f"encoder_{size}_qdq.onnx"
                    batches = calibration.tensors(calib_files, size, limit=n_calib)
                    quant = quantize_encoder(sources[size], model, precision, batches)
                    del batches
                else:
                    model = sources[size]  # fp32: AI Hub compiles float graphs to fp16 for the HTP
                upload = upload_path(model, work)
                heldout = calibration.tensors(heldout_files, size, limit=n_heldout)
                jobs = job_arguments(
                    size,
                    precision.name,
                    upload,
                    device,
                    heldout=heldout,
                    compile_options=req.options.get("hub_compile_options", ""),
                    profile_options=req.options.get("hub_profile_options", ""),
                )
                shape_files, figures, record = self._run_jobs(hub, jobs, size, work, out_dir)
                off_npu = off_npu_layers(record.pop("profile"))
                if off_npu and not req.allow_cpu_fallback:
                    raise EdgeError(
                        f"{len(off_npu)} layer(s) of the {size}x{size} encoder ran off the NPU on {device}: "
                        f"{describe_nodes(off_npu)}; rewrite them or pass --allow-cpu-fallback"
                    )
                accuracy = self._accuracy(record.pop("outputs"), sources[size], heldout)
                if accuracy and not accuracy["cosine"] >= min_cosine:  # NaN fails
                    raise EdgeError(
                        f"the {size}x{size} encoder on {device}: cosine vs fp32 {accuracy['cosine']:.6f} is below "
                        f"{min_cosine} (device-measured)"
                    )
                files += shape_files
                summary[str(size)] = {**figures, **({"accuracy": accuracy} if accuracy else {})}
                details[str(size)] = {"files": shape_files, **record}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return CompileResult(
            files=sorted(files),
            precision=precision.name,
            encoders={size: f"encoder_{size}_ctx.onnx" for size in shapes},
            report={
                "device": device,
                "target_runtime": TARGET_RUNTIME,
                "quantization": {**quant, "where": "local (uploaded as QDQ ONNX)"} if quant else None,
                "min_cosine": min_cosine,
                "summary": summary,
                "jobs": details,
                "next_steps": [
                    f"minicpmv-edge run {bundle.root} --target {chip.key} --precision {precision.name} ... runs this "
                    "build on the QNN EP like a local one; the files are the same format (EPContext ONNX + QNN "
                    "context binary) for the phone",
                ],
            },
        )

    def _run_jobs(
        self, hub: ModuleType, jobs: HubJobs, size: int, work: Path, out_dir: Path
    ) -> tuple[list[str], dict[str, Any], dict[str, Any]]:
        dev = hub.Device(jobs.compile["device"])
        try:
            with _stdout_to_stderr():
                log.info("AI Hub: compiling the %dx%d encoder for %s", size, size, dev.name)
                t0 = time.perf_counter()
                cjob = hub.submit_compile_job(**{**jobs.compile, "device": dev})
                target = cjob.get_target_model()
                if target is None:
                    raise EdgeError(f"AI Hub compile job {cjob.job_id} failed: {_status(cjob)} ({cjob.url})")
                compile_s = time.perf_counter() - t0
                log.info("AI Hub: profiling the %dx%d encoder on %s", size, size, dev.name)
                pjob = hub.submit_profile_job(model=target, **{**jobs.profile, "device": dev})
                if not pjob.wait().success:
                    raise EdgeError(f"AI Hub profile job {pjob.job_id} failed: {_status(pjob)} ({pjob.url})")
                profile = pjob.download_profile()
                outputs = None
                ijob = None
                if jobs.inference:
                    log.info(
                        "AI Hub: running %d held-out images on %s", len(jobs.inference["inputs"][INPUT_NAME]), dev.name
                    )
                    ijob = hub.submit_inference_job(model=target, **{**jobs.inference, "device": dev})
                    outputs = ijob.download_output_data() if ijob.wait().success else None
                downloaded = Path(target.download(str(work / f"encoder_{size}_hub")))
        except hub.Error as err:
            raise EdgeError(f"Qualcomm AI Hub: {first_line(err)}") from None
        shape_files = relink_context(_unpack(downloaded, work), out_dir, size)
        (out_dir / f"profile_{size}.json").write_text(json.dumps(profile, indent=1, default=list) + "\n")
        shape_files.append(f"profile_{size}.json")
        figures = profile_figures(profile, dev.name)
        record = {
            "compile_job": cjob.job_id,
            "compile_url": cjob.url,
            "profile_job": pjob.job_id,
            "profile_url": pjob.url,
            "inference_job": getattr(ijob, "job_id", None),
            "compile_wait_s": round(compile_s, 1),
            "outputs": outputs,
            "profile": profile,
        }
        return shape_files, figures, record

    @staticmethod
    def _accuracy(outputs: Any, fp32_model: Path, heldout: list[np.ndarray]) -> dict[str, Any] | None:
        """Phone outputs of the held-out images vs fp32 ONNX Runtime on this host."""
        if not outputs:
            return None

        got = next(iter(outputs.values())) if isinstance(outputs, dict) else None
        if not got or len(got) != len(heldout):
            return None
        acc = heldout_accuracy(
            fp32_model, heldout, lambda i, _: np.asarray(got[i]), provenance="device-measured", what="AI Hub outputs"
        )
        return {
            "cosine": acc.cosine,
            "max_abs": acc.max_abs,
            "heldout_images": acc.heldout_images,
            "provenance": acc.provenance,
        }


def _status(job: Any) -> str:
    try:
        status = job.get_status()
        return getattr(status, "message", "") or getattr(status, "code", "") or "unknown"
    except Exception:  # the status call itself may fail; the job id and URL still identify it
        return "unknown"
