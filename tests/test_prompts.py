"""Prompt layouts against the reference strings (docs/reference/minicpmv-reference.md §6), token by token."""

from functools import cache

import numpy as np
import pytest

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.tokenizer import synthetic_tokenizer
from minicpmv_edge.presets import MINICPM_LLAMA3_V_2_5, MINICPM_V_2, MINICPM_V_2_6, TINY, ModelPreset
from minicpmv_edge.runtime.prompts import PromptSpec, build_prompt, image_bounds, prompt_ids, splice

Q = "What is in the image?"


def spec(preset: ModelPreset) -> PromptSpec:
    p = preset.prompt
    return PromptSpec(p.style, preset.resampler.query_num, p.bos_id, p.unk_id, p.special_tokens)


@cache
def tokenizer(name: str):
    return synthetic_tokenizer({"2.0": MINICPM_V_2, "2.5": MINICPM_LLAMA3_V_2_5, "2.6": MINICPM_V_2_6}[name])


def tile(start: str, end: str, q: int) -> str:
    return start + "<unk>" * q + end


def test_v2_0_layout_with_slices() -> None:
    t = tile("<image>", "</image>", 64)
    expected = f"<用户>{t}<slice>{t}{t}</slice>\n{Q}<AI>"  # grid [2 cols, 1 row]
    assert build_prompt(spec(MINICPM_V_2), Q, (2, 1)) == expected
    assert build_prompt(spec(MINICPM_V_2), Q, None) == f"<用户>{t}\n{Q}<AI>"


def test_v2_5_layout_two_rows() -> None:
    t = tile("<image>", "</image>", 96)
    content = f"{t}<slice>{t}{t}\n{t}{t}</slice>\n{Q}"
    expected = (
        f"<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    assert build_prompt(spec(MINICPM_LLAMA3_V_2_5), Q, (2, 2)) == expected


def test_v2_6_layout_two_rows() -> None:
    s = tile("<slice>", "</slice>", 64)
    content = f"<image_id>0</image_id>{tile('<image>', '</image>', 64)}{s}{s}\n{s}{s}\n{Q}"
    expected = (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        f"<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n"
    )
    assert build_prompt(spec(MINICPM_V_2_6), Q, (2, 2)) == expected


@pytest.mark.parametrize(
    ("version", "preset", "grid", "tiles"),
    [("2.0", MINICPM_V_2, (3, 1), 4), ("2.5", MINICPM_LLAMA3_V_2_5, (2, 2), 5), ("2.6", MINICPM_V_2_6, (4, 2), 9)],
)
def test_token_ids_and_bounds(version: str, preset: ModelPreset, grid, tiles: int) -> None:
    sp = spec(preset)
    tok = tokenizer(version)
    ids = prompt_ids(sp, lambda text: tok.encode(text, add_special_tokens=False).ids, Q, grid)
    special = preset.prompt.special_tokens
    if version == "2.6":
        assert ids[0] == special["<|im_start|>"]  # ChatML: no BOS
        tail = [special["<|im_start|>"], *tok.encode("assistant\n", add_special_tokens=False).ids]
        assert ids[-len(tail) :] == tail
    else:
        assert ids[0] == preset.prompt.bos_id
    q = preset.resampler.query_num
    assert ids.count(preset.prompt.unk_id) == q * tiles
    bounds = image_bounds(sp, ids)
    assert len(bounds) == tiles
    for s, e in bounds:
        assert e - s == q
        assert set(ids[s:e]) == {preset.prompt.unk_id}
        assert ids[s - 1] in (special["<image>"], special["<slice>"])
    # text round trip: the question survives tokenization
    assert Q in tok.decode(ids, skip_special_tokens=True)


def test_special_tokens_are_single_ids() -> None:
    tok = tokenizer("2.6")
    for text, tid in MINICPM_V_2_6.prompt.special_tokens.items():
        assert tok.encode(text, add_special_tokens=False).ids == [tid]


def test_splice_places_embeddings_exactly() -> None:
    sp = spec(TINY)
    tok = synthetic_tokenizer(TINY)
    ids = prompt_ids(sp, lambda text: tok.encode(text, add_special_tokens=False).ids, Q, (2, 1))
    bounds = image_bounds(sp, ids)
    text = np.zeros((len(ids), 8), np.float32)
    images = [np.full((64, 8), i + 1, np.float32) for i in range(3)]
    out = splice(text, bounds, images)
    for i, (s, e) in enumerate(bounds):
        assert np.all(out[s:e] == i + 1)
    mask = np.ones(len(ids), bool)
    for s, e in bounds:
        mask[s:e] = False
    assert np.all(out[mask] == 0)  # nothing else touched
    with pytest.raises(EdgeError, match="3 image spans but 2"):
        splice(text, bounds, images[:2])
