"""The vision encoder on an AX650N board's NPU, through pyaxengine (`axengine`, an ONNX Runtime-like API).

Loads `compiled/ax650n-<precision>/encoder_<S>.axmodel` (built by that folder's `build.sh` with Pulsar2) once per
shape and feeds it the same float32 NCHW tensor the CPU encoder gets: the build config embeds no normalisation.
Times measured around it are board times, hence `device-measured`.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

import numpy as np

from minicpmv_edge.errors import EdgeError, first_line
from minicpmv_edge.manifest import Build
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import EncoderOptions

log = logging.getLogger(__name__)

DEFAULT_PROVIDER = "AxEngineExecutionProvider"  # the M.2 card through AXCL: "AXCLRTExecutionProvider"
INSTALL_HINT = "on the AX650N board, pip install axengine-*.whl from AXERA-TECH/pyaxengine releases"


def import_axengine() -> ModuleType:
    """`axengine`, or a one-line error saying how to get it (it is not on PyPI)."""
    try:
        import axengine
    except ImportError:
        raise EdgeError(f"pyaxengine is not installed: {INSTALL_HINT}") from None
    except OSError as err:  # installed, but the board's engine library is missing (e.g. on a PC)
        raise EdgeError(f"pyaxengine cannot load the AX engine library ({err}); run on the AX650N board") from None
    return axengine


class AxEngineEncoder:
    """`EncoderSession` over an AX650N build's axmodels, on the board through pyaxengine."""

    name = "axengine"
    provenance = "device-measured"

    def __init__(self, bundle: Bundle, build: Build, options: EncoderOptions, provider: str = DEFAULT_PROVIDER) -> None:
        self._axe = import_axengine()
        self._bundle = bundle
        self._build = build
        self.chip = build.chip
        self.precision = build.precision
        self._provider = provider
        self._sessions: dict[int, Any] = {}

    def _session(self, size: int) -> Any:
        if size in self._sessions:
            return self._sessions[size]
        if size not in self._build.encoders:
            have = ", ".join(map(str, sorted(self._build.encoders))) or "none"
            raise EdgeError(f"build {self._build.name} has no {size}x{size} axmodel (it has: {have})")
        path = self._bundle.path(self._build.encoders[size].file)
        log.info("loading %s on the NPU (%s)", path.name, self._provider)
        try:
            session = self._axe.InferenceSession(str(path), providers=[self._provider])
        except Exception as err:  # the engine's errors are not typed; keep the CLI's one-line contract
            raise EdgeError(f"pyaxengine could not load {path}: {first_line(err)}") from None
        self._sessions[size] = session
        return session

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        session = self._session(int(pixel_values.shape[-1]))
        feed = {session.get_inputs()[0].name: np.ascontiguousarray(pixel_values, dtype=np.float32)}
        out = np.asarray(session.run(None, feed)[0], dtype=np.float32)
        return out[0] if out.ndim == 3 else out
