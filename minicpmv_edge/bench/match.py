"""Profile match: each stage of ours against a reference profile, comparing only like with like.

The rules, in order (the first that applies decides the row):
1. host-measured or emulated vs a device-measured reference: "not comparable (host-measured vs device-measured)",
   whatever the numbers. A laptop is not a phone and an emulator is not an NPU.
2. another model (our preset vs the reference's), or an unknown one: not comparable.
3. another chip, or an unknown one: not comparable.
4. another image setting (encode, prefill, time to first token) or a prompt length more than 25% off the
   reference's stated one (prefill, time to first token): not comparable.
5. estimated vs device-measured: labelled "estimated vs device-measured", with what the estimate would mean
   ("would meet" / "would miss"); `meets` stays null.
6. device-measured vs device-measured: "meets" / "misses" (`meets` true / false). Only this row kind can meet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from minicpmv_edge.bench import figures as F
from minicpmv_edge.bench.figures import Figure
from minicpmv_edge.bench.reference import ReferenceProfile

PROMPT_TOLERANCE = 0.25
# reference field -> our stage
REFERENCE_STAGES = {"encode_s": "encode_total", "prefill_s": "prefill", "ttft_s": "ttft", "decode_tok_s": "decode"}
HIGHER_IS_BETTER = {"decode"}
IMAGE_STAGES = {"encode_total", "prefill", "ttft"}
PROMPT_STAGES = {"prefill", "ttft"}


@dataclass(frozen=True)
class Match:
    reference: str
    stage: str
    unit: str
    reference_value: float
    reference_provenance: str
    ours_value: float
    ours_provenance: str
    ours_source: str
    ours_device: str
    comparison: str  # "like-with-like" | "estimated-vs-device" | "not-comparable"
    meets: bool | None  # only for like-with-like
    estimate_meets: bool | None  # only for estimated-vs-device
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _better_or_equal(stage: str, ours: float, theirs: float) -> bool:
    return ours >= theirs if stage in HIGHER_IS_BETTER else ours <= theirs


def _image_matches(fig: Figure, ref: ReferenceProfile) -> bool:
    if fig.mode is not None:
        return fig.mode == ref.mode
    # an encoder-only measurement (no image mode) stands for a fixed-size image of its own shape
    return fig.shape is not None and ref.mode == f"fixed-{fig.shape}"


def why_not_comparable(fig: Figure, ref: ReferenceProfile, stage: str) -> str | None:
    """The reason `fig` cannot be held against `ref` for `stage`, or None when it can (rules 1-4)."""
    if fig.provenance in (F.HOST, F.EMULATED) and ref.provenance == F.DEVICE:
        return f"not comparable ({fig.provenance} vs {ref.provenance})"
    if fig.provenance not in (F.ESTIMATED, ref.provenance):
        return f"not comparable ({fig.provenance} vs {ref.provenance})"
    if fig.model is None:
        return f"not comparable (model unknown vs {ref.preset or ref.model})"
    if fig.model != ref.preset:
        return f"not comparable (model {fig.model} vs {ref.preset or ref.model})"
    if fig.chip is None:
        return f"not comparable (device unknown vs {ref.device})"
    if fig.chip != ref.chip:
        return f"not comparable (device {fig.chip} vs {ref.chip})"
    if stage in IMAGE_STAGES and not _image_matches(fig, ref):
        theirs = ref.mode or ref.image
        return f"not comparable (image {fig.mode or f'{fig.shape}x{fig.shape}'} vs {theirs})"
    if stage in PROMPT_STAGES and ref.prompt_tokens:
        if fig.prompt_tokens is None:
            return f"not comparable (prompt length unknown vs {ref.prompt_tokens} tokens)"
        if abs(fig.prompt_tokens - ref.prompt_tokens) > PROMPT_TOLERANCE * ref.prompt_tokens:
            return f"not comparable (prompt {fig.prompt_tokens} vs {ref.prompt_tokens} tokens)"
    return None


def compare(fig: Figure, ref: ReferenceProfile, stage: str, reference_value: float) -> Match:
    """One profile-match row (rules in the module docstring)."""
    reason = why_not_comparable(fig, ref, stage)
    meets = estimate_meets = None
    if reason is not None:
        comparison, verdict = "not-comparable", reason
    elif fig.provenance == F.ESTIMATED:
        comparison = "estimated-vs-device" if ref.provenance == F.DEVICE else "not-comparable"
        estimate_meets = _better_or_equal(stage, fig.value, reference_value)
        verdict = f"estimated vs {ref.provenance}: would {'meet' if estimate_meets else 'miss'} (not a measurement)"
    else:
        comparison = "like-with-like"
        meets = _better_or_equal(stage, fig.value, reference_value)
        verdict = "meets" if meets else "misses"
    return Match(
        reference=ref.name,
        stage=stage,
        unit=F.STAGES[stage],
        reference_value=reference_value,
        reference_provenance=ref.provenance,
        ours_value=fig.value,
        ours_provenance=fig.provenance,
        ours_source=fig.source,
        ours_device=fig.device,
        comparison=comparison,
        meets=meets,
        estimate_meets=estimate_meets,
        verdict=verdict,
    )


def _candidates(figures: list[Figure], ref: ReferenceProfile, stage: str) -> list[Figure]:
    """Our figures worth a row: every host figure (so the reader sees why it is not comparable), and device /
    estimated figures on the reference's chip or on an unknown one."""
    out = []
    for fig in figures:
        encoder_only = fig.stage == "encode" and fig.mode is None and fig.group == "device"
        same_stage = fig.stage == stage or (stage == "encode_total" and encoder_only)
        if not same_stage:
            continue
        if fig.group == "host" or fig.chip is None or fig.chip == ref.chip:
            if stage == "encode_total" and fig.stage == "encode" and not _image_matches(fig, ref):
                continue  # per-shape encoder timings are only offered for a fixed image of their own shape
            out.append(fig)
    return out


def profile_match(figures: list[Figure], references: list[ReferenceProfile]) -> list[Match]:
    rows = []
    for ref in references:
        for field_name, stage in REFERENCE_STAGES.items():
            value = getattr(ref, field_name)
            if value is None:
                continue
            rows += [compare(fig, ref, stage, value) for fig in _candidates(figures, ref, stage)]
    return rows
