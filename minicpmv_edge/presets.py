"""Model presets: every MiniCPM-V version as the same dataclass shape.

Numbers come from the official HF configs (`docs/reference/minicpmv-reference.md` §1).
`tiny` is the 2.0 architecture at toy width, for tests and the demo. Code never branches on a preset's name, only
on the fields below, so a new version is a new preset, not new code paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from minicpmv_edge.errors import EdgeError

GeluKind = Literal["erf", "tanh"]
PositionKind = Literal["interpolated", "bucketized-2d", "bucketized-1d"]
TensorNaming = Literal["timm", "hf"]
LLMArch = Literal["minicpm", "llama", "qwen2"]
PromptStyle = Literal["minicpm-v2", "llama3", "chatml"]


# The encoder's input spec, declared once: float32 [1,3,S,S] NCHW RGB in [-1,1] -> float32 [1,Q,D] image embeddings
ENCODER_INPUT = "pixel_values"
ENCODER_OUTPUT = "image_embeds"


@dataclass(frozen=True)
class VisionConfig:
    """SigLIP-400M tower.

    `position`: how patch positions index the learned table. `interpolated` (2.0, timm) resamples a
    `pos_grid x pos_grid` table bicubic+antialias to the patch grid; `bucketized-2d` (2.6) and `bucketized-1d`
    (2.5, whose HF code sees each slice as a 1 x L strip) pick rows of a `pos_grid**2` table by bucketized ids.
    """

    hidden_size: int
    num_layers: int  # blocks that actually run (2.0 drops the last of its 27)
    num_heads: int
    intermediate_size: int
    gelu: GeluKind
    position: PositionKind
    pos_grid: int  # 27 (timm 384/14) or 70 (980/14)
    naming: TensorNaming
    config_layers: int  # num_hidden_layers as written in config.json
    patch_size: int = 14
    layer_norm_eps: float = 1e-6

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads


@dataclass(frozen=True)
class ResamplerConfig:
    """Perceiver resampler: `query_num` learned queries cross-attend to the patch features once."""

    query_num: int
    embed_dim: int  # = LLM hidden size
    kv_dim: int  # = vision hidden size
    query_pos: bool  # 2.0 adds an 8x8 2-D sin-cos table to the queries
    max_size: int = 70  # key sin-cos table side
    head_dim: int = 128
    layer_norm_eps: float = 1e-6

    @property
    def num_heads(self) -> int:
        return self.embed_dim // self.head_dim


@dataclass(frozen=True)
class LLMConfig:
    """Decoder-only LLM dims; MiniCPM's scale_emb / scale_depth / dim_model_base are 1 / None / None elsewhere."""

    arch: LLMArch
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    vocab_size: int
    max_position_embeddings: int
    rms_norm_eps: float
    rope_theta: float
    attention_bias: bool = False
    scale_emb: float = 1.0
    scale_depth: float | None = None
    dim_model_base: int | None = None

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads


@dataclass(frozen=True)
class PromptConfig:
    """Chat template family and the special-token ids the prompt builder and the splice rely on."""

    style: PromptStyle
    bos_id: int
    eos_ids: tuple[int, ...]  # generation stops on any of these
    unk_id: int  # image placeholder token
    special_tokens: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelPreset:
    name: str
    hf_name: str  # the official checkpoint this preset mirrors
    version: str  # "2.0", "2.5", "2.6"
    vision: VisionConfig
    resampler: ResamplerConfig
    llm: LLMConfig
    prompt: PromptConfig
    image_mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    image_std: tuple[float, float, float] = (0.5, 0.5, 0.5)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """Encoder output `[1, Q, D]`: one image or slice becomes Q LLM-width embeddings."""
        return (1, self.resampler.query_num, self.resampler.embed_dim)


SO400M = dict(  # the timm vit_so400m_patch14_siglip_384 tower (2.0 names it in config.json)
    hidden_size=1152, num_heads=16, intermediate_size=4304, config_layers=27
)

_V2_SPECIAL = {
    "<unk>": 0, "<s>": 1, "</s>": 2, "<image>": 101, "</image>": 102, "<ref>": 103, "</ref>": 104,
    "<box>": 105, "</box>": 106, "<quad>": 107, "</quad>": 108, "<point>": 109, "</point>": 110,
    "<slice>": 111, "</slice>": 112,
}  # fmt: skip
_V25_SPECIAL = {
    "<|begin_of_text|>": 128000, "<|end_of_text|>": 128001, "<unk>": 128002, "<|start_header_id|>": 128006,
    "<|end_header_id|>": 128007, "<|eot_id|>": 128009, "<image>": 128010, "</image>": 128011, "<ref>": 128012,
    "</ref>": 128013, "<box>": 128014, "</box>": 128015, "<quad>": 128016, "</quad>": 128017,
    "<point>": 128018, "</point>": 128019, "<slice>": 128020, "</slice>": 128021,
}  # fmt: skip
_V26_SPECIAL = {
    "<unk>": 128244, "<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645, "<image>": 151646,
    "</image>": 151647, "<ref>": 151648, "</ref>": 151649, "<box>": 151650, "</box>": 151651, "<quad>": 151652,
    "</quad>": 151653, "<point>": 151654, "</point>": 151655, "<slice>": 151656, "</slice>": 151657,
    "<image_id>": 151658, "</image_id>": 151659,
}  # fmt: skip

MINICPM_V_2 = ModelPreset(
    name="minicpm-v-2",
    hf_name="openbmb/MiniCPM-V-2",
    version="2.0",
    vision=VisionConfig(**SO400M, num_layers=26, gelu="erf", position="interpolated", pos_grid=27, naming="timm"),
    resampler=ResamplerConfig(query_num=64, embed_dim=2304, kv_dim=1152, query_pos=True),
    llm=LLMConfig(
        arch="minicpm",
        hidden_size=2304,
        num_layers=40,
        num_heads=36,
        num_kv_heads=36,
        intermediate_size=5760,
        vocab_size=122753,
        max_position_embeddings=4096,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        scale_emb=12.0,
        scale_depth=1.4,
        dim_model_base=256,
    ),
    prompt=PromptConfig(style="minicpm-v2", bos_id=1, eos_ids=(2,), unk_id=0, special_tokens=_V2_SPECIAL),
)

MINICPM_LLAMA3_V_2_5 = ModelPreset(
    name="minicpm-llama3-v-2_5",
    hf_name="openbmb/MiniCPM-Llama3-V-2_5",
    version="2.5",
    vision=VisionConfig(**SO400M, num_layers=27, gelu="tanh", position="bucketized-1d", pos_grid=70, naming="hf"),
    resampler=ResamplerConfig(query_num=96, embed_dim=4096, kv_dim=1152, query_pos=False),
    llm=LLMConfig(
        arch="llama",
        hidden_size=4096,
        num_layers=32,
        num_heads=32,
        num_kv_heads=8,
        intermediate_size=14336,
        vocab_size=128256,
        max_position_embeddings=8192,
        rms_norm_eps=1e-5,
        rope_theta=500000.0,
    ),
    prompt=PromptConfig(
        style="llama3", bos_id=128000, eos_ids=(128001, 128009), unk_id=128002, special_tokens=_V25_SPECIAL
    ),
)

MINICPM_V_2_6 = ModelPreset(
    name="minicpm-v-2_6",
    hf_name="openbmb/MiniCPM-V-2_6",
    version="2.6",
    vision=VisionConfig(**SO400M, num_layers=27, gelu="tanh", position="bucketized-2d", pos_grid=70, naming="hf"),
    resampler=ResamplerConfig(query_num=64, embed_dim=3584, kv_dim=1152, query_pos=False),
    llm=LLMConfig(
        arch="qwen2",
        hidden_size=3584,
        num_layers=28,
        num_heads=28,
        num_kv_heads=4,
        intermediate_size=18944,
        vocab_size=151666,
        max_position_embeddings=32768,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        attention_bias=True,
    ),
    prompt=PromptConfig(
        style="chatml", bos_id=151643, eos_ids=(151645, 151643), unk_id=128244, special_tokens=_V26_SPECIAL
    ),
)

TINY = replace(
    MINICPM_V_2,
    name="tiny",
    hf_name="synthetic/minicpm-v-2-tiny",
    vision=replace(
        MINICPM_V_2.vision, hidden_size=128, num_heads=4, intermediate_size=478, num_layers=2, config_layers=3
    ),
    resampler=replace(MINICPM_V_2.resampler, embed_dim=256, kv_dim=128),
    llm=replace(
        MINICPM_V_2.llm,
        hidden_size=256,
        num_layers=2,
        num_heads=4,
        num_kv_heads=4,
        intermediate_size=640,
        vocab_size=2048,
        max_position_embeddings=2048,
        dim_model_base=32,  # hidden/dim_model_base = 8, so the lm_head divisor is exercised as in 2.0 (9)
    ),
)

PRESETS: dict[str, ModelPreset] = {p.name: p for p in (MINICPM_V_2, MINICPM_LLAMA3_V_2_5, MINICPM_V_2_6, TINY)}
DEFAULT_PRESET = "tiny"


def get_preset(name: str) -> ModelPreset:
    """Look a preset up by name; unknown names are a user error that lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise EdgeError(f"unknown model preset {name!r}; known presets: {', '.join(PRESETS)}") from None
