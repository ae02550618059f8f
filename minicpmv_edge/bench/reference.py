"""Published reference profiles users compare against, with their sources (see `docs/reference/targets.md`).

Each profile says what was measured, on which chip, for which model and image setting, so the report can refuse to
compare unlike things (`minicpmv_edge.bench.match`). `role="target"` profiles are MiniCPM-V deployments the report
matches against; `role="calibration"` ones are other published device measurements the estimates are anchored on.
Sources are named, never linked: the report must stay free of URLs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceProfile:
    name: str
    model: str
    device: str
    image: str
    encode_s: float | None  # the whole image's encode (all slices), seconds
    prefill_s: float | None
    decode_tok_s: float | None
    prompt_tokens: int | None  # text tokens of the question, where the source states them
    provenance: str  # how the source measured it
    source: str
    ttft_s: float | None = None
    chip: str | None = None  # key in minicpmv_edge.npu_backends.chips
    preset: str | None = None  # our preset of the same model; None = a model we do not export
    mode: str | None = None  # our image mode that matches the source's image setting
    encode_range_s: tuple[float, float] | None = None
    decode_range_tok_s: tuple[float, float] | None = None
    role: str = "target"  # "target" | "calibration" | "claim" (relative claims only, no figures)
    notes: str = ""


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
    chip="ax650n",
    preset="minicpm-v-2",
    mode="fixed-280",
    notes="the project's seed profile: 280x280 image, 96-token prompt",
)

AX650N_AXLLM_MINICPM_V2 = ReferenceProfile(
    name="ax650n-axllm-minicpm-v-2",
    model="MiniCPM-V 2.0 (w8a16, LLM on the NPU)",
    device="Axera AX650N",
    image="280x280",
    encode_s=0.7285,
    prefill_s=None,
    decode_tok_s=5.55,
    prompt_tokens=None,
    provenance="device-measured",
    source="AXERA ax-llm logs: ax-llm `minicpm-v` branch README; pulsar2-docs commit 55c7333 "
    "(docs/reference/npu-toolchains.md A4)",
    ttft_s=0.5209,
    chip="ax650n",
    preset="minicpm-v-2",
    mode="fixed-280",
    encode_range_s=(0.7285, 0.7841),
    decode_range_tok_s=(5.41, 5.55),
    notes="two logged runs: encode 728.5 / 784.1 ms, decode 5.55 / 5.41 tok/s; TTFT 520.9 ms",
)

AX650N_MINICPM_V46 = ReferenceProfile(
    name="ax650n-minicpm-v-4.6",
    model="MiniCPM-V 4.6",
    device="Axera AX650N",
    image="448x448",
    encode_s=None,
    prefill_s=None,
    decode_tok_s=19.0,
    prompt_tokens=None,
    provenance="device-measured",
    source="AXERA MiniCPM-V-4.6 README (docs/reference/targets.md)",
    ttft_s=0.72,
    chip="ax650n",
    mode="fixed-448",
    decode_range_tok_s=(19.0, 24.0),
    notes="image TTFT 0.72 s; decode 19-24 tok/s (lower bound used); no preset of ours for 4.6",
)

XIAOMI14PRO_PAPER_BASELINE = ReferenceProfile(
    name="xiaomi14pro-minicpm-llama3-v-2.5-baseline",
    model="MiniCPM-Llama3-V 2.5 Q4_K_M (llama.cpp, unoptimized)",
    device="Xiaomi 14 Pro (Snapdragon 8 Gen 3)",
    image="448 slices",
    encode_s=3.7,
    prefill_s=None,
    decode_tok_s=1.3,
    prompt_tokens=None,
    provenance="device-measured",
    source="MiniCPM-V paper (arXiv 2408.01800), end-side deployment section",
    chip="sm8650",
    preset="minicpm-llama3-v-2_5",
    mode="uhd",
    notes="before optimization: image encoding on the CPU",
)

XIAOMI14PRO_PAPER_OPTIMIZED = ReferenceProfile(
    name="xiaomi14pro-minicpm-llama3-v-2.5-optimized",
    model="MiniCPM-Llama3-V 2.5 Q4_K_M (llama.cpp, optimized, QNN NPU encoder)",
    device="Xiaomi 14 Pro (Snapdragon 8 Gen 3)",
    image="448 slices",
    encode_s=1.3,
    prefill_s=None,
    decode_tok_s=8.2,
    prompt_tokens=None,
    provenance="device-measured",
    source="MiniCPM-V paper (arXiv 2408.01800), end-side deployment section",
    chip="sm8650",
    preset="minicpm-llama3-v-2_5",
    mode="uhd",
    notes="after optimization: encode 3.7 s -> 1.3 s with the QNN NPU, decode 1.3 -> 8.2 tok/s; "
    "prefill is the bottleneck",
)

MINICPM_V_REPO_QUALCOMM = ReferenceProfile(
    name="minicpm-v-repo-qualcomm-claims",
    model="MiniCPM-Llama3-V 2.5",
    device="Qualcomm phones",
    image="-",
    encode_s=None,
    prefill_s=None,
    decode_tok_s=None,
    prompt_tokens=None,
    provenance="device-measured",
    source="MiniCPM-V repository docs",
    preset="minicpm-llama3-v-2_5",
    role="claim",
    notes='relative claims only: "150x faster" image encoding with the NPU vs unoptimized CPU, "3x faster" decoding',
)

AIHUB_VIT_B16_S24 = ReferenceProfile(
    name="aihub-vit-b16-galaxy-s24",
    model="ViT-B/16 224 float",
    device="Samsung Galaxy S24 NPU (Snapdragon 8 Gen 3)",
    image="224x224",
    encode_s=0.007671,
    prefill_s=None,
    decode_tok_s=None,
    prompt_tokens=None,
    provenance="device-measured",
    source="Qualcomm AI Hub models perf.yaml (qai-hub-models v0.46.1, models/vit): qnn_dlc 7.671 ms, tflite 5.901 ms",
    chip="sm8650",
    role="calibration",
    notes="qnn_dlc runtime; tflite 5.901 ms",
)

AIHUB_VIT_B16_S25 = ReferenceProfile(
    name="aihub-vit-b16-galaxy-s25",
    model="ViT-B/16 224 float",
    device="Samsung Galaxy S25 NPU (Snapdragon 8 Elite)",
    image="224x224",
    encode_s=0.003943,
    prefill_s=None,
    decode_tok_s=None,
    prompt_tokens=None,
    provenance="device-measured",
    source="Qualcomm AI Hub models perf.yaml (qai-hub-models v0.46.1, models/vit): tflite 3.943 ms",
    chip="sm8750",
    role="calibration",
    notes="tflite runtime (the only S25 figure recorded)",
)

AIHUB_CLIP_VIT_B16_S24 = ReferenceProfile(
    name="aihub-clip-vit-b16-galaxy-s24",
    model="CLIP ViT-B/16 image encoder",
    device="Samsung Galaxy S24 NPU (Snapdragon 8 Gen 3)",
    image="224x224",
    encode_s=0.0126,
    prefill_s=None,
    decode_tok_s=None,
    prompt_tokens=None,
    provenance="device-measured",
    source="Qualcomm AI Hub models perf.yaml (docs/reference/targets.md): 11.0 ms tflite / 12.6 ms qnn",
    chip="sm8650",
    role="calibration",
)

AXCL_VIT_B16_AX650 = ReferenceProfile(
    name="axcl-vit-b16-ax650",
    model="ViT-B/16 224",
    device="Axera AX650 M.2 card (AX650N)",
    image="224x224",
    encode_s=1 / 162,
    prefill_s=None,
    decode_tok_s=None,
    prompt_tokens=None,
    provenance="device-measured",
    source="axcl-docs doc_guide_npu_benchmark.md (Pulsar2 3.2-patch2): 162 IPS at batch 1, device-only time",
    chip="ax650n",
    role="calibration",
    notes="quantization of the benchmarked model not stated",
)

PROFILES: dict[str, ReferenceProfile] = {
    p.name: p
    for p in (
        AX650N_MINICPM_V2,
        AX650N_AXLLM_MINICPM_V2,
        AX650N_MINICPM_V46,
        XIAOMI14PRO_PAPER_BASELINE,
        XIAOMI14PRO_PAPER_OPTIMIZED,
        MINICPM_V_REPO_QUALCOMM,
        AIHUB_VIT_B16_S24,
        AIHUB_VIT_B16_S25,
        AIHUB_CLIP_VIT_B16_S24,
        AXCL_VIT_B16_AX650,
    )
}


def target_profiles() -> list[ReferenceProfile]:
    """The MiniCPM-V deployments a report is matched against (calibration anchors and bare claims excluded)."""
    return [p for p in PROFILES.values() if p.role == "target"]


def primary_profile(chip: str | None) -> ReferenceProfile:
    """The profile a report's bar chart draws: the first target profile on `chip`, else the seed AX650N profile."""
    return next((p for p in target_profiles() if chip and p.chip == chip), AX650N_MINICPM_V2)
