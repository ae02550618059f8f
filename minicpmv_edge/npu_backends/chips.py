"""Chip registry: every target a bundle can be compiled for, with the ids its toolchain needs.

Snapdragon ids are QNN's `soc_model` / `htp_arch` (QnnTypes.h, as listed in the shared docs `targets.md`).
Throughput and bandwidth figures are published numbers, used only for labelled estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    extra: dict[str, str] = field(default_factory=dict)

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

_BY_NAME = {name.lower(): chip for chip in CHIPS for name in (chip.key, *chip.aliases)}


def get_chip(name: str) -> Chip:
    """A chip by key or alias (case-insensitive); unknown names are a user error listing the known chips."""
    chip = _BY_NAME.get(name.strip().lower())
    if chip is None:
        known = ", ".join(f"{c.key} ({c.name})" for c in CHIPS)
        raise EdgeError(f"unknown target chip {name!r}; known chips: {known}")
    return chip
