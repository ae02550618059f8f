"""One number in a benchmark report, always with where it came from.

Every figure carries a provenance label, because the report's whole point is to not pass a laptop timing or an
estimate off as a phone measurement:

- `host-measured`: timed on the machine that ran `minicpmv-edge bench` (this host, not a target device);
- `emulated`: timed through an emulator of the target (e.g. the QNN HTP simulator on x86): not a device speed;
- `estimated`: computed from FLOPs / bytes and published throughput figures (`minicpmv_edge.bench.estimate`);
- `device-measured`: measured on the target device itself (imported from its tools, or a board run).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

HOST = "host-measured"
EMULATED = "emulated"
ESTIMATED = "estimated"
DEVICE = "device-measured"
PROVENANCES = (HOST, EMULATED, ESTIMATED, DEVICE)

# stage -> unit; `encode` is one encoder input of one shape, `encode_total` all inputs of one image
STAGES: dict[str, str] = {
    "preprocess": "s",
    "encode": "s",
    "encode_total": "s",
    "prefill": "s",
    "ttft": "s",
    "decode": "tok/s",
    "peak_rss": "MiB",
    "peak_memory": "MiB",
}
STAGE_LABELS = {
    "preprocess": "preprocess",
    "encode": "encode (one input)",
    "encode_total": "encode (whole image)",
    "prefill": "prefill",
    "ttft": "time to first token",
    "decode": "decode",
    "peak_rss": "peak RSS",
    "peak_memory": "peak memory",
}


@dataclass(frozen=True)
class Figure:
    """A stage figure. `value` is the headline number (the median where runs were repeated); `stat` says which."""

    group: str  # "host" | "device" | "estimated"
    stage: str
    value: float
    stat: str  # "median" | "mean" | "max" | "single" | "estimate"
    provenance: str
    source: str  # "host run", "import: <file>", "estimate: <chip>"
    device: str
    unit: str = ""
    shape: int | None = None  # encoder input size, for stage "encode"
    median: float | None = None
    p10: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None
    n: int | None = None
    chip: str | None = None
    model: str | None = None  # our preset name of the model measured; None = not known
    mode: str | None = None  # image mode of the run ("fixed-280", ...); None = encoder-only measurement
    backend: str | None = None
    tokens: int | None = None  # prefill: positions prefilled; decode: tokens decoded per run
    prompt_tokens: int | None = None  # text tokens of the question (what --prompt-tokens sets)
    note: str | None = None

    def __post_init__(self) -> None:
        if self.provenance not in PROVENANCES:
            raise ValueError(f"unknown provenance {self.provenance!r}")
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}")
        if not self.unit:
            object.__setattr__(self, "unit", STAGES[self.stage])

    @property
    def label(self) -> str:
        shape = f" {self.shape}x{self.shape}" if self.shape else ""
        return f"{STAGE_LABELS[self.stage]}{shape}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summary(values: list[float]) -> dict[str, float | int]:
    """Median, p10, p90, min, max and count of repeated measurements (linear-interpolated percentiles)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("no values to summarise")
    return {
        "median": float(np.median(arr)),
        "p10": float(np.percentile(arr, 10)),
        "p90": float(np.percentile(arr, 90)),
        "min": float(arr.min()),
        "max": float(arr.max()),
        "n": int(arr.size),
    }


def repeated(stage: str, values: list[float], **fields: Any) -> Figure:
    """A figure from repeated measurements: value = median, with p10 / p90 / min / max / n."""
    s = summary(values)
    return Figure(stage=stage, value=s["median"], stat="median", **s, **fields)


def weakest(*provenances: str) -> str:
    """Provenance of a figure that adds up parts: the least device-like part decides (estimated < emulated < host)."""
    order = (ESTIMATED, EMULATED, HOST, DEVICE)
    return min(provenances, key=order.index)


def fmt(value: float | None, unit: str) -> str:
    """Human formatting used by the Markdown and HTML renderers."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.3f} s"
    if unit == "tok/s":
        return f"{value:.2f} tok/s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:g} {unit}"
