"""ONNX Runtime's QNN execution provider: registration, HTP sessions, node placement and EPContext files.

Shared by the compiler (`qnn.py`) and the runtime session (`qnn_session.py`), so it must not import torch or the
quantization tooling. onnxruntime-qnn 2.x is a plugin EP (registered once per process, then picked by device);
ONNX Runtime builds with QNN built in (Android AAR, Windows on Snapdragon) are used through the classic provider list.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import onnxruntime as ort

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends.chips import Chip

log = logging.getLogger(__name__)

EP_NAME = "QNNExecutionProvider"
QDQ_OPS = {"QuantizeLinear", "DequantizeLinear"}
# FastRPC device nodes through which Android/Linux talk to the Hexagon DSP: present only on a real Snapdragon
FASTRPC_NODES = ("/dev/fastrpc-cdsp", "/dev/fastrpc-cdsp-secure", "/dev/adsprpc-smd", "/dev/fastrpc-adsp")

_plugin_registered = False


def _plugin_available() -> bool:
    try:
        import onnxruntime_qnn  # noqa: F401
    except ImportError:
        return False
    return True


def _builtin() -> bool:
    """QNN compiled into this ONNX Runtime (and no plugin wheel to prefer)."""
    return not _plugin_available() and EP_NAME in ort.get_available_providers()


def _plugin_devices() -> list[ort.OrtEpDevice]:
    """The QNN plugin EP's devices, registering its library with ONNX Runtime on first use."""
    global _plugin_registered
    try:
        import onnxruntime_qnn
    except ImportError:
        raise EdgeError("the qnn backend needs ONNX Runtime's QNN EP: pip install onnxruntime-qnn") from None
    if not _plugin_registered:
        if not any(d.ep_name == EP_NAME for d in ort.get_ep_devices()):
            ort.register_execution_provider_library(EP_NAME, onnxruntime_qnn.get_library_path())
        _plugin_registered = True
    devices = [d for d in ort.get_ep_devices() if d.ep_name == EP_NAME]
    if not devices:
        raise EdgeError(f"onnxruntime-qnn {onnxruntime_qnn.__version__} registered no QNN device with ONNX Runtime")
    return devices


def provider_options(chip: Chip, *, fp16: bool = False) -> dict[str, str]:
    """HTP provider options for `chip`: its soc_model/htp_arch (so an offline context targets that SoC)."""
    opts = {
        "soc_model": str(chip.soc_model),
        "htp_arch": str(chip.htp_arch_number),
        "enable_htp_fp16_precision": "1" if fp16 else "0",
        "htp_performance_mode": "burst",
    }
    try:
        import onnxruntime_qnn

        opts["backend_path"] = onnxruntime_qnn.get_qnn_htp_path()
    except ImportError:
        opts["backend_type"] = "htp"  # built-in EP on a device: the loader finds libQnnHtp.so / QnnHtp.dll
    return opts


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send fd 1 to fd 2 for a moment: the QNN libraries print a banner on stdout while a backend starts, which
    would corrupt machine-readable output such as `run --json`."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def htp_session(
    model: str | Path | bytes,
    chip: Chip,
    *,
    fp16: bool = False,
    allow_cpu_fallback: bool = False,
    context_file: Path | None = None,
    record_assignment: bool = False,
    threads: int | None = None,
    log_level: int = 3,
) -> ort.InferenceSession:
    """A session with QNN HTP first and CPU only as allowed fallback.

    `context_file`: also write an EPContext model there (embed_mode 0: the HTP context binary beside it).
    `record_assignment`: keep which EP got which node, for `cpu_nodes`.
    `log_level`: ONNX Runtime's; 3 hides the plugin's warnings about Windows-only features, 4 also the errors of
    probes whose outcome we report ourselves.
    """
    so = ort.SessionOptions()
    so.log_severity_level = log_level
    if threads:
        so.intra_op_num_threads = threads
    if not allow_cpu_fallback:
        so.add_session_config_entry("session.disable_cpu_ep_fallback", "1")
    if record_assignment:
        so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    if context_file is not None:
        so.add_session_config_entry("ep.context_enable", "1")
        so.add_session_config_entry("ep.context_file_path", str(context_file))
        so.add_session_config_entry("ep.context_embed_mode", "0")
    opts = provider_options(chip, fp16=fp16)
    source = str(model) if isinstance(model, Path) else model
    with stdout_to_stderr():
        if _builtin():
            opts.pop("backend_path", None)
            opts.setdefault("backend_type", "htp")
            return ort.InferenceSession(source, so, providers=[(EP_NAME, opts)])
        so.add_provider_for_devices(_plugin_devices(), opts)
        return ort.InferenceSession(source, so)


def cpu_nodes(session: ort.InferenceSession) -> list[tuple[str, str]]:
    """(op_type, node name) of every node ONNX Runtime placed on an EP other than QNN (session must record it)."""
    return [
        (node.op_type, node.name)
        for sub in session.get_provider_graph_assignment_info()
        if sub.ep_name != EP_NAME
        for node in sub.get_nodes()
    ]


def fallback_nodes(model: str | Path | bytes, chip: Chip, *, fp16: bool = False) -> list[tuple[str, str]]:
    """Nodes the QNN EP would not take on `chip` (it places them on CPU when fallback is allowed)."""
    session = htp_session(model, chip, fp16=fp16, allow_cpu_fallback=True, record_assignment=True, log_level=4)
    return cpu_nodes(session)


def describe_nodes(nodes: list[tuple[str, str]], limit: int = 6) -> str:
    """'Hardmax (node_a), Erf x2 (b, c)': the ops that matter first; Q/DQ around them only if nothing else."""
    real = [n for n in nodes if n[0] not in QDQ_OPS] or nodes
    by_op: dict[str, list[str]] = {}
    for op, name in real:
        by_op.setdefault(op, []).append(name or "?")
    parts = []
    for op, count in Counter(op for op, _ in real).most_common(limit):
        names = ", ".join(by_op[op][:3]) + (", ..." if count > 3 else "")
        parts.append(f"{op}{f' x{count}' if count > 1 else ''} ({names})")
    return "; ".join(parts) + ("; ..." if len(by_op) > limit else "")


def context_binaries(ctx_model: Path) -> list[Path]:
    """The `.bin` files an EPContext model (embed_mode 0) points at, checked to exist beside it."""
    import onnx

    model = onnx.load(str(ctx_model), load_external_data=False)
    bins = []
    for node in model.graph.node:
        if node.op_type != "EPContext":
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if int(attrs.get("embed_mode", 1)) != 0 or int(attrs.get("main_context", 1)) == 0:
            continue  # embedded, or a further graph inside the main node's binary
        ref = attrs.get("ep_cache_context", b"")
        rel = ref.decode() if isinstance(ref, bytes) else str(ref)
        path = ctx_model.parent / rel
        if not rel or not path.is_file():
            raise EdgeError(f"{ctx_model.name}: EPContext node {node.name!r} points at {rel!r}, which is not there")
        bins.append(path)
    if not bins:
        raise EdgeError(f"{ctx_model.name} has no EPContext node with an external context binary")
    return sorted(set(bins))


def sdk_version(ctx_model: Path) -> str | None:
    """The QNN SDK version recorded in an EPContext model (what a phone's QNN libraries must be compatible with)."""
    import onnx

    model = onnx.load(str(ctx_model), load_external_data=False)
    for node in model.graph.node:
        for attr in node.attribute:
            if node.op_type == "EPContext" and attr.name == "ep_sdk_version":
                return attr.s.decode()
    return None


def provenance() -> str:
    """'device-measured' only where the HTP is real hardware: an Arm64 Snapdragon host (Linux/Android with a
    FastRPC DSP node, or Windows on Arm). Everywhere else, notably x86_64, the HTP library is the emulator."""
    arm64 = platform.machine().lower() in ("aarch64", "arm64")
    real_dsp = sys.platform == "win32" or any(os.path.exists(p) for p in FASTRPC_NODES)
    return "device-measured" if arm64 and real_dsp else "emulated"
