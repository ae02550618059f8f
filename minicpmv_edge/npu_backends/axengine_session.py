"""The vision encoder on an AX650N board's NPU, through pyaxengine (`axengine`, an ONNX Runtime-like API).

Loads `compiled/ax650n-<precision>/encoder_<S>.axmodel` (built by that folder's `build.sh` with Pulsar2) once per
shape and feeds it the same float32 NCHW tensor the CPU encoder gets: the build config embeds no normalisation.
Times measured around it are board times, hence `device-measured`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.npu_backends.ax650 import CHIP_FOLDER_PREFIX, compiled_folders
from minicpmv_edge.npu_backends.chips import get_chip
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
    """`EncoderSession` over the compiled axmodels; `options.extra` may set `precision` (u16/u8) and `provider`."""

    name = "axengine"
    provenance = "device-measured"

    def __init__(self, bundle: Bundle, options: EncoderOptions) -> None:
        self._axe = import_axengine()
        if options.target and get_chip(options.target).backend != "ax650":
            raise EdgeError(f"--encoder axengine runs on the AX650N; --target {options.target} is another chip")
        self._dir = self._compiled_dir(bundle, options.extra.get("precision"))
        self._provider = options.extra.get("provider", DEFAULT_PROVIDER)
        self._sessions: dict[int, Any] = {}

    @staticmethod
    def _compiled_dir(bundle: Bundle, precision: str | None) -> Path:
        folders = compiled_folders(bundle.root)
        if precision:
            folders = [f for f in folders if f == f"{CHIP_FOLDER_PREFIX}{precision.lower()}"]
        if not folders:
            which = f" at {precision}" if precision else ""
            raise EdgeError(
                f"bundle {bundle.root} is not compiled for the AX650N{which}: run minicpmv-edge compile "
                f"{bundle.root} --target ax650n, then its build.sh with Pulsar2"
            )
        return bundle.root / "compiled" / folders[0]

    def _session(self, size: int) -> Any:
        if size in self._sessions:
            return self._sessions[size]
        path = self._dir / f"encoder_{size}.axmodel"
        if not path.is_file():
            if not (self._dir / f"pulsar2_{size}.json").is_file():
                have = ", ".join(sorted(p.stem.removeprefix("pulsar2_") for p in self._dir.glob("pulsar2_*.json")))
                raise EdgeError(f"{self._dir.name} has no {size}x{size} encoder (compiled: {have or 'none'})")
            raise EdgeError(
                f"{path} is not built yet: run {self._dir / 'build.sh'} where Pulsar2 is installed, "
                "then copy the .axmodel files here"
            )
        log.info("loading %s on the NPU (%s)", path.name, self._provider)
        try:
            session = self._axe.InferenceSession(str(path), providers=[self._provider])
        except Exception as err:  # the engine's errors are not typed; keep the CLI's one-line contract
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise EdgeError(f"pyaxengine could not load {path}: {first}") from None
        self._sessions[size] = session
        return session

    def encode(self, pixel_values: np.ndarray) -> np.ndarray:
        """float32 `[1,3,S,S]` NCHW RGB in [-1,1] -> image embeddings float32 `[Q, D]`."""
        session = self._session(int(pixel_values.shape[-1]))
        feed = {session.get_inputs()[0].name: np.ascontiguousarray(pixel_values, dtype=np.float32)}
        out = np.asarray(session.run(None, feed)[0], dtype=np.float32)
        return out[0] if out.ndim == 3 else out
