"""Published reference profiles users compare against, with their sources (see shared docs `targets.md`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceProfile:
    name: str
    model: str
    device: str
    image: str
    encode_s: float | None
    prefill_s: float | None
    decode_tok_s: float | None
    prompt_tokens: int | None
    provenance: str  # how the source measured it
    source: str


AX650N_MINICPM_V2 = ReferenceProfile(
    name="ax650n-minicpm-v-2",
    model="MiniCPM-V 2.0",
    device="Axera AX650N",
    image="280x280",
    encode_s=0.8,
    prefill_s=0.4,
    decode_tok_s=5.0,
    prompt_tokens=96,
    provenance="device-measured",
    source="AX650N MiniCPM-V 2.0 demo article (seed profile)",
)

PROFILES: dict[str, ReferenceProfile] = {p.name: p for p in (AX650N_MINICPM_V2,)}
