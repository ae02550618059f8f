"""Stage timings of one `generate` call: what users compare with the reference profiles."""

from __future__ import annotations

import os
import resource
import sys
from dataclasses import asdict, dataclass, field

EMULATED_ENV = "MINICPMV_EDGE_EMULATED"  # set by scripts/aarch64_harness.py: this process runs under QEMU


def cpu_provenance() -> str:
    """Label of timings taken on this process's CPU: "emulated" under the aarch64 harness, else "host-measured"."""
    return "emulated" if os.environ.get(EMULATED_ENV) == "1" else "host-measured"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


@dataclass
class Timings:
    preprocess_s: float = 0.0
    encode_s: float = 0.0
    encode_per_input_s: list[float] = field(default_factory=list)  # overview first, then slices
    encode_shapes: list[int] = field(default_factory=list)
    prefill_s: float = 0.0
    prefill_tokens: int = 0
    ttft_s: float = 0.0  # image in -> first answer token chosen (preprocess + encode + prefill + sampling)
    decode_s: float = 0.0  # the decode steps after the first token
    decode_steps: int = 0
    tokens_generated: int = 0
    token_latencies_s: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    encoder_backend: str = "cpu"  # the session that ran: cpu | qnn | axengine | tvm
    encoder_chip: str | None = None  # chip key of its build (None: this host's CPU)
    encoder_precision: str = "fp32"
    encoder_provenance: str = "host-measured"  # host-measured | emulated | device-measured
    decoder_backend: str = "onnxruntime-int4"  # or "llama.cpp"
    llm_provenance: str = field(default_factory=cpu_provenance)

    @property
    def decode_tok_s(self) -> float:
        return self.decode_steps / self.decode_s if self.decode_s > 0 else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "decode_tok_s": self.decode_tok_s}
