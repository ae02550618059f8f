"""Chip registry: every target a bundle can be compiled for, with the ids its toolchain needs.

Snapdragon ids are QNN's `soc_model` / `htp_arch` (QnnTypes.h, as listed in `docs/reference/targets.md`).
Throughput and bandwidth figures are published numbers, used only for labelled estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from minicpmv_edge.errors import EdgeError


@dataclass(frozen=True)
class Chip:
    key: str
    name: str
    backend: str  # npu backend that compiles for it: "qnn" | "ax650"
    aliases: tuple[str, ...] = ()
    soc_model: int | None = None  # QNN
    htp_arch: str | None = None  # QNN, e.g. "v75"
    vtcm_mb: int | None = None
    fp16: bool = False  # native fp16 on the NPU
    phones: tuple[str, ...] = ()
    # Published figures for labelled estimates (minicpmv_edge.bench.estimate). None = no published figure known:
    # the estimate is then skipped with a note, never filled with a guess.
    npu_tops_int8: float | None = None
    npu_tops_int4: float | None = None
    cpu_desc: str | None = None
    mem_desc: str | None = None
    mem_bandwidth_gbs: float | None = None  # theoretical peak DRAM bandwidth, GB/s (1e9 bytes/s)
    source: str | None = None  # where the figures above come from

    @property
    def htp_arch_number(self) -> int | None:
        return int(self.htp_arch.lstrip("v")) if self.htp_arch else None


def _snapdragon(key: str, name: str, soc: int, arch: str, aliases: tuple[str, ...], phones: tuple[str, ...]) -> Chip:
    return Chip(
        key=key,
        name=name,
        backend="qnn",
        aliases=aliases,
        soc_model=soc,
        htp_arch=arch,
        vtcm_mb=8,
        fp16=int(arch.lstrip("v")) >= 75,  # HTP runs fp16 natively from v75 on
        phones=phones,
    )


CHIPS: tuple[Chip, ...] = (
    _snapdragon(
        "sm8550", "Snapdragon 8 Gen 2", 43, "v73", ("snapdragon-8-gen-2", "8gen2"), ("Galaxy S23", "Xiaomi 13")
    ),
    _snapdragon("sm8635", "Snapdragon 8s Gen 3", 68, "v73", ("snapdragon-8s-gen-3", "8sgen3"), ("Xiaomi 14 Civi",)),
    _snapdragon(
        "sm8650", "Snapdragon 8 Gen 3", 57, "v75", ("snapdragon-8-gen-3", "8gen3"), ("Galaxy S24", "Xiaomi 14 Pro")
    ),
    _snapdragon("sm8735", "Snapdragon 8s Gen 4", 85, "v79", ("snapdragon-8s-gen-4", "8sgen4"), ()),
    _snapdragon(
        "sm8750", "Snapdragon 8 Elite", 69, "v79", ("snapdragon-8-elite", "8elite"), ("Galaxy S25", "Xiaomi 15")
    ),
    _snapdragon("sm8850", "Snapdragon 8 Elite Gen 5", 87, "v81", ("snapdragon-8-elite-gen-5", "8elitegen5"), ()),
    Chip(key="ax650n", name="Axera AX650N", backend="ax650", aliases=("ax650", "axera-ax650n")),
)

# Published CPU / memory / NPU figures per chip, kept apart from the toolchain ids above. Bandwidth is
# data rate x 8 bytes: Qualcomm states the LPDDR5X clock, the 64-bit (4 x 16-bit) bus is the usual phone layout and
# an assumption here. Qualcomm publishes no INT8 TOPS figure for its phone NPUs, so npu_tops_int8 stays None for them.
_SD_SOURCE = "Qualcomm launch specs as reported at announcement (CPU clusters, LPDDR5X clock); bandwidth derived"
PUBLISHED: dict[str, dict[str, Any]] = {
    "sm8550": {
        "cpu_desc": "1x Cortex-X3 @ 3.2 GHz + 2x A715 + 2x A710 @ 2.8 GHz + 3x A510 @ 2.0 GHz",
        "mem_desc": "LPDDR5X up to 4200 MHz (8400 MT/s), 64-bit bus assumed",
        "mem_bandwidth_gbs": 67.2,
        "source": _SD_SOURCE,
    },
    "sm8650": {
        "cpu_desc": "1x Cortex-X4 @ 3.3 GHz + 3x A720 @ 3.2 GHz + 2x A720 @ 3.0 GHz + 2x A520 @ 2.3 GHz",
        "mem_desc": "LPDDR5X up to 4800 MHz (9600 MT/s), 64-bit bus assumed",
        "mem_bandwidth_gbs": 76.8,
        "source": _SD_SOURCE,
    },
    "sm8750": {
        "cpu_desc": "2x Oryon @ 4.32 GHz + 6x Oryon @ 3.53 GHz",
        "mem_desc": "LPDDR5X up to 5300 MHz (10600 MT/s), 64-bit bus assumed",
        "mem_bandwidth_gbs": 84.8,
        "source": _SD_SOURCE,
    },
    "ax650n": {
        "npu_tops_int8": 18.0,
        "npu_tops_int4": 72.0,
        "cpu_desc": "8x Cortex-A55 @ 1.7 GHz",
        "mem_desc": "64-bit LPDDR4x (data rate not published in the sources read)",
        "source": "Axera AX650N spec (docs/reference/targets.md; 64-bit LPDDR4x from AXERA M.2 card / M4N-Dock specs)",
    },
}
CHIPS = tuple(replace(chip, **PUBLISHED.get(chip.key, {})) for chip in CHIPS)

_BY_NAME = {name.lower(): chip for chip in CHIPS for name in (chip.key, *chip.aliases)}


def get_chip(name: str) -> Chip:
    """A chip by key or alias (case-insensitive); unknown names are a user error listing the known chips."""
    chip = _BY_NAME.get(name.strip().lower())
    if chip is None:
        known = ", ".join(f"{c.key} ({c.name})" for c in CHIPS)
        raise EdgeError(f"unknown target chip {name!r}; known chips: {known}")
    return chip
