"""Prompt layouts of MiniCPM-V 2.0 / 2.5 / 2.6 and where the image embeddings go.

Layouts follow the reference (docs/reference/minicpmv-reference.md §6). The image placeholder is `<unk>` x Q per
image or slice; the embedding splice replaces exactly those positions, in the order [overview, slice(0,0),
slice(0,1), ...].

The question a user types is text, but the tokenizer turns the image markers (`<image>`, `<slice>`, ... see
`IMAGE_MARKERS`) into the special tokens that delimit image spans wherever they appear. A question holding one
would add or break a span, so it is refused with a one-line error (`check_question`) instead of silently
mis-splicing the image. Other special tokens (`<ref>`, `<box>` for grounding, chat markers) stay allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minicpmv_edge.errors import EdgeError

V26_SYSTEM = "You are a helpful assistant."
IMAGE_MARKERS = ("<image>", "</image>", "<slice>", "</slice>", "<image_id>", "</image_id>")


@dataclass(frozen=True)
class PromptSpec:
    """What the prompt builder needs from a bundle: style, ids and query count."""

    style: str  # "minicpm-v2" | "llama3" | "chatml"
    query_num: int
    bos_id: int
    unk_id: int
    special_tokens: dict[str, int]


def _tile(start: str, end: str, q: int) -> str:
    return start + "<unk>" * q + end


def _grid_rows(grid: tuple[int, int], tile: str) -> str:
    cols, rows = grid
    return "\n".join(tile * cols for _ in range(rows))


def image_placeholder(style: str, query_num: int, grid: tuple[int, int] | None) -> str:
    """The text standing for one image: overview tile, then the slice tiles (if sliced) in raster order."""
    if style == "chatml":  # 2.6: image id, slices as <slice> tiles, rows joined by \n, no outer wrapper
        text = "<image_id>0</image_id>" + _tile("<image>", "</image>", query_num)
        return text + (_grid_rows(grid, _tile("<slice>", "</slice>", query_num)) if grid else "")
    text = _tile("<image>", "</image>", query_num)  # 2.0 / 2.5: slices as <image> tiles inside <slice>...</slice>
    return text + ("<slice>" + _grid_rows(grid, text) + "</slice>" if grid else "")


def check_question(question: str) -> None:
    """Refuse a question that is not valid Unicode text or that holds an image marker (see the module docstring)."""
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:
        raise EdgeError("the prompt is not valid UTF-8 text") from None
    for marker in IMAGE_MARKERS:
        if marker in question:
            raise EdgeError(
                f"the prompt contains {marker}, which marks where the image goes; write it without the angle brackets"
            )


def build_prompt(spec: PromptSpec, question: str, grid: tuple[int, int] | None, *, with_image: bool = True) -> str:
    """The full prompt text up to where the assistant's answer starts (BOS excluded; see `prompt_ids`)."""
    check_question(question)
    content = (image_placeholder(spec.style, spec.query_num, grid) + "\n" if with_image else "") + question
    if spec.style == "minicpm-v2":
        return f"<用户>{content}<AI>"
    if spec.style == "llama3":
        return (
            f"<|start_header_id|>user<|end_header_id|>\n\n{content.strip()}<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n"
        )
    if spec.style == "chatml":
        return (
            f"<|im_start|>system\n{V26_SYSTEM}<|im_end|>\n<|im_start|>user\n{content}<|im_end|>\n"
            "<|im_start|>assistant\n"
        )
    raise ValueError(f"unknown prompt style {spec.style!r}")


def prompt_ids(spec: PromptSpec, encode, question: str, grid: tuple[int, int] | None) -> list[int]:
    """Token ids of the prompt. 2.0 and 2.5 start with BOS; 2.6's ChatML adds none (as upstream)."""
    ids = encode(build_prompt(spec, question, grid))
    return ids if spec.style == "chatml" else [spec.bos_id, *ids]


def image_bounds(spec: PromptSpec, ids: list[int]) -> list[tuple[int, int]]:
    """[start, end) of each run of Q placeholder tokens, in prompt order (upstream's `image_bound`)."""
    arr = np.asarray(ids)
    starts_ids = [spec.special_tokens["<image>"]]
    ends_ids = [spec.special_tokens["</image>"]]
    if spec.style == "chatml":
        starts_ids.append(spec.special_tokens["<slice>"])
        ends_ids.append(spec.special_tokens["</slice>"])
    starts = np.flatnonzero(np.isin(arr, starts_ids)) + 1
    ends = np.flatnonzero(np.isin(arr, ends_ids))
    if len(starts) != len(ends):
        raise EdgeError(f"prompt has {len(starts)} image span starts but {len(ends)} ends")
    bounds = [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]
    for s, e in bounds:
        if e - s != spec.query_num or not np.all(arr[s:e] == spec.unk_id):
            raise EdgeError(f"prompt image span [{s},{e}) is not {spec.query_num} placeholder tokens")
    return bounds


def splice(text_embeds: np.ndarray, bounds: list[tuple[int, int]], image_embeds: list[np.ndarray]) -> np.ndarray:
    """Put image embeddings `[Q, D]` (unscaled) into the text embeddings `[S, D]` at `bounds`, in order."""
    if len(bounds) != len(image_embeds):
        raise EdgeError(f"prompt has {len(bounds)} image spans but {len(image_embeds)} encoded images/slices")
    out = text_embeds.copy()
    for (s, e), emb in zip(bounds, image_embeds, strict=True):
        out[s:e] = emb
    return out
