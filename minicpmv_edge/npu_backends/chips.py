"""Chip registry: every target a bundle can be compiled for, with the ids its toolchain needs.

Snapdragon ids are QNN's `soc_model` / `htp_arch` (QnnTypes.h, as listed in `docs/reference/targets.md`).
TVM chips carry a TVM target (a dict, as `tvm.target.Target` takes it): they stand for a class of CPU cores or GPUs
rather than one SoC, because TVM code runs on every chip with those cores.
Throughput and bandwidth figures are published numbers, used only for labelled estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from minicpmv_edge.errors import EdgeError


@dataclass(frozen=True)
class Chip:
    key: str
    name: str
    backend: str  # npu backend that compiles for it: "qnn" | "ax650" | "tvm"
    aliases: tuple[str, ...] = ()
    stands_for: str | None = None  # TVM chips: which real chips the target covers
    tvm_target: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)  # TVM
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
    fp32_gflops: float | None = None  # theoretical peak fp32 of the cores/GPU a TVM target runs on
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


def _aarch64_cpu(mcpu: str, mattr: tuple[str, ...], cores: int) -> dict[str, Any]:
    """LLVM target for aarch64 Linux (glibc) cores; the CPU is named explicitly (`native` would fall back to generic
    when cross-compiling). `num-cores` is the thread count MetaSchedule's parallel rules plan for."""
    return {"kind": "llvm", "mtriple": "aarch64-linux-gnu", "mcpu": mcpu, "mattr": list(mattr), "num-cores": cores}


def _tvm_target(target: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(target)


_A76 = _aarch64_cpu("cortex-a76", ("+neon", "+dotprod", "+fullfp16"), 4)
_A55 = _aarch64_cpu("cortex-a55", ("+neon", "+dotprod", "+fullfp16"), 4)
_TVM_CHIPS: tuple[Chip, ...] = (
    Chip(
        key="arm64-a76",
        name="Arm Cortex-A76 class CPU (4 big cores)",
        backend="tvm",
        aliases=("cortex-a76", "rk3588"),
        stands_for="Cortex-A76/A77/A78 big cores on aarch64 Linux: RK3588 (4x A76), Dimensity 1200/8100 big cores, "
        "Snapdragon 855-888 Kryo Gold; also the host CPU of the OpenCL GPU targets",
        tvm_target=_tvm_target(_A76),
        phones=("Orange Pi 5 / Rock 5B (RK3588)",),
    ),
    Chip(
        key="arm64-a55",
        name="Arm Cortex-A55 class CPU (little cores)",
        backend="tvm",
        aliases=("cortex-a55",),
        stands_for="Cortex-A55 in-order cores on aarch64 Linux: AX650N (8x A55), RK3566/RK3568, RK3588's little "
        "cluster, the little cores of most 2018-2023 phones",
        tvm_target=_tvm_target(_A55),
        phones=("AX650N boards (M4N-Dock)", "Radxa Zero 3 (RK3566)"),
    ),
    Chip(
        key="adreno",
        name="Qualcomm Adreno GPU (OpenCL)",
        backend="tvm",
        aliases=("adreno-gpu",),
        stands_for="Adreno 6xx/7xx GPUs through OpenCL (TVM's adreno device keys): Snapdragon phones' GPUs; kernels "
        "embedded in an aarch64 library whose host code targets Cortex-A76-class cores",
        tvm_target=_tvm_target({"kind": "opencl", "device": "adreno", "host": _A76}),
        phones=("Galaxy S23 (Adreno 740)", "Xiaomi 14 Pro (Adreno 750)"),
    ),
    Chip(
        key="mali",
        name="Arm Mali GPU (OpenCL)",
        backend="tvm",
        aliases=("mali-gpu", "mali-g610"),
        stands_for="Arm Mali Valhall GPUs through OpenCL (TVM's mali device keys): RK3588's Mali-G610 MP4, "
        "Dimensity phones' Mali-G7xx; host code for Cortex-A76-class cores",
        tvm_target=_tvm_target({"kind": "opencl", "device": "mali", "host": _A76}),
        phones=("Orange Pi 5 / Rock 5B (RK3588, Mali-G610 MP4)",),
    ),
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
    *_TVM_CHIPS,
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
    # TVM targets: peak fp32 of the reference part each key stands for. CPUs: cores x GHz x FLOP/cycle (A76: two
    # 128-bit FMA pipes = 16 FP32 FLOP/cycle; A55: one 128-bit FMA per cycle = 8), from Arm's Software Optimization
    # Guides; GPUs: third-party spec listings (vendors publish no FP32 figure).
    "arm64-a76": {
        "fp32_gflops": 153.6,
        "cpu_desc": "RK3588 big cluster: 4x Cortex-A76 @ 2.4 GHz",
        "source": "Rockchip RK3588 spec (4x A76 @ 2.4 GHz + 4x A55 @ 1.8 GHz); Arm Cortex-A76 Software Optimization "
        "Guide (2x 128-bit FP/ASIMD FMA pipes): 4 x 2.4 x 16",
    },
    "arm64-a55": {
        "fp32_gflops": 108.8,
        "cpu_desc": "AX650N: 8x Cortex-A55 @ 1.7 GHz",
        "source": "Axera AX650N spec (8x A55 @ 1.7 GHz, docs/reference/targets.md); Arm Cortex-A55 Software "
        "Optimization Guide (one 128-bit FMA per cycle): 8 x 1.7 x 8",
    },
    "adreno": {
        "fp32_gflops": 3700.0,
        "cpu_desc": "Adreno 740 (Snapdragon 8 Gen 2), 680-719 MHz",
        "source": "third-party GPU spec listing for Adreno 740 (primua.com/adreno-740: 3.7 TFLOPS FP32); Qualcomm "
        "publishes no FP32 figure",
    },
    "mali": {
        "fp32_gflops": 512.0,
        "cpu_desc": "Mali-G610 MP4 (RK3588) at 1 GHz",
        "source": "Mali-G610 MC4 theoretical peak ~512 GFLOPS FP32 at 1 GHz (grokipedia.com/page/Mali-G610_MC4: "
        "4 cores x 64 lanes x 2 FLOP)",
    },
}
CHIPS = tuple(replace(chip, **PUBLISHED.get(chip.key, {})) for chip in CHIPS)
TVM_CHIPS = tuple(chip for chip in CHIPS if chip.backend == "tvm")  # with their published figures

_BY_NAME = {name.lower(): chip for chip in CHIPS for name in (chip.key, *chip.aliases)}


def get_chip(name: str) -> Chip:
    """A chip by key or alias (case-insensitive); unknown names are a user error listing the known chips."""
    chip = _BY_NAME.get(name.strip().lower())
    if chip is None:
        known = ", ".join(f"{c.key} ({c.name})" for c in CHIPS)
        raise EdgeError(f"unknown target chip {name!r}; known chips: {known}")
    return chip
