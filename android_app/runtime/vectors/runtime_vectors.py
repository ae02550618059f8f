"""Write the vectors the Java runtime's host tests compare against, computed by the Python runtime right now.

Usage: python android_app/runtime/vectors/runtime_vectors.py OUT_DIR  (writes OUT_DIR/runtime/)

Nothing here is committed: every test run exports a fresh tiny bundle (synthetic weights), compiles it for the
QNN HTP (so the Java NPU-unavailable path meets a real compiled build), and records what Python computes on it:
slice plans, pixel tensors, alpha flattening, prompt ids for the 2.0/2.5/2.6 layouts, encoder outputs, greedy
generations with per-step logits, and sampler distributions. Arrays are raw little-endian files named in the
JSON indexes (float32 .f32, int32 .i32, uint8 .u8).
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from minicpmv_edge.cli import main as cli_main
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.pipeline import _prompt_section
from minicpmv_edge.export.tokenizer import synthetic_tokenizer
from minicpmv_edge.presets import get_preset
from minicpmv_edge.runtime import images as images_mod
from minicpmv_edge.runtime.bundle_view import Bundle
from minicpmv_edge.runtime.encoders import open_encoder
from minicpmv_edge.runtime.pipeline import Pipeline
from minicpmv_edge.runtime.preprocess import MODES, preprocess
from minicpmv_edge.runtime.prompts import PromptSpec, build_prompt, image_bounds, prompt_ids
from minicpmv_edge.runtime.sampling import Sampler, Sampling
from minicpmv_edge.runtime.slicing import plan_slices
from minicpmv_edge.runtime.tokenizer import TextTokenizer

# The Java CPU encoder runs the plain exported fp32 graph (`vision.encoders`); Python's default CPU graph may be the
# int8 one (`vision.cpu_default`), so the vectors pin Python to the same graph Java runs.
JAVA_CPU_GRAPH = "plain"

log = logging.getLogger("runtime_vectors")
REPO = Path(__file__).resolve().parents[3]
PHOTO = REPO / "minicpmv_edge" / "assets" / "sample.jpg"
GENERATION_STEPS = 32
PROMPT_PRESETS = ("minicpm-v-2", "minicpm-llama3-v-2_5", "minicpm-v-2_6")


def _save(out: Path, name: str, array: np.ndarray) -> str:
    dtype = {np.dtype(np.float32): "<f4", np.dtype(np.int32): "<i4", np.dtype(np.uint8): "u1"}[array.dtype]
    np.ascontiguousarray(array).astype(dtype).tofile(out / name)
    return name


def _plan_dict(plan: Any) -> dict[str, Any]:
    return {
        "size": list(plan.original),
        "source": list(plan.source),
        "grid": list(plan.grid) if plan.grid else None,
        "refine": list(plan.refine) if plan.refine else None,
        "slice": list(plan.slice_size) if plan.slice_size else None,
    }


def slicing_vectors(out: Path) -> None:
    """Slice plans for 2,000 sizes: random over 1..6000 px, plus edge cases around the 448^2 thresholds."""
    rng = random.Random(11)
    sizes = [(1, 1), (448, 448), (449, 448), (896, 448), (1344, 448), (14, 4000), (4000, 14), (1, 6000), (6000, 1)]
    while len(sizes) < 2000:
        kind = rng.random()
        if kind < 0.5:
            sizes.append((rng.randint(1, 6000), rng.randint(1, 6000)))
        elif kind < 0.8:
            sizes.append((rng.randint(200, 1400), rng.randint(200, 1400)))
        else:
            side = rng.randint(1, 3000)
            sizes.append((side, max(1, int(side * rng.choice([0.5, 2.0, 1.0, 0.25, 3.0, 9.0])))))
    (out / "slicing.json").write_text(json.dumps([_plan_dict(plan_slices(s)) for s in sizes]))


def _test_images() -> list[tuple[str, Image.Image]]:
    """A real photo (downscaled and cropped) and synthetic patterns that exercise up- and downsampling."""
    rng = np.random.default_rng(5)
    photo = images_mod.load_image(PHOTO)
    out = [("photo", photo.resize((800, 600)) if photo.size[0] > 1200 else photo)]
    noise = rng.integers(0, 256, size=(333, 1000, 3), dtype=np.uint8)
    out.append(("noise-wide", Image.fromarray(noise)))
    y, x = np.mgrid[0:900, 0:250]
    grad = np.stack([x * 255 // 249, y * 255 // 899, (x + y) % 256], axis=-1).astype(np.uint8)
    out.append(("gradient-tall", Image.fromarray(grad)))
    out.append(("tiny-97x53", Image.fromarray(rng.integers(0, 256, size=(53, 97, 3), dtype=np.uint8))))
    out.append(("square-448", Image.fromarray(rng.integers(0, 256, size=(448, 448, 3), dtype=np.uint8))))
    return out


def image_vectors(out: Path) -> list[dict[str, Any]]:
    """Raw RGB of each test image and Python's encoder inputs for every mode."""
    index = []
    for name, img in _test_images():
        rgb = np.asarray(img, dtype=np.uint8)
        entry: dict[str, Any] = {"name": name, "width": img.size[0], "height": img.size[1]}
        entry["rgb"] = _save(out, f"img-{name}.u8", rgb)
        entry["modes"] = []
        for mode in MODES:
            pre = preprocess(img, mode)
            tensors = np.concatenate([i.pixel_values.reshape(-1) for i in pre.inputs])
            entry["modes"].append(
                {
                    "mode": mode,
                    "grid": list(pre.grid) if pre.grid else None,
                    "inputs": [{"side": i.shape, "role": i.role, "row": i.row, "col": i.col} for i in pre.inputs],
                    "pixels": _save(out, f"pix-{name}-{mode}.f32", tensors),
                }
            )
        index.append(entry)
    rng = np.random.default_rng(9)
    rgba = rng.integers(0, 256, size=(37, 41, 4), dtype=np.uint8)
    rgba[0, :, 3] = 0
    rgba[1, :, 3] = 255
    flat = images_mod.load_image(Image.fromarray(rgba, "RGBA"))
    argb = (
        (rgba[..., 3].astype(np.uint32) << 24)
        | (rgba[..., 0].astype(np.uint32) << 16)
        | (rgba[..., 1].astype(np.uint32) << 8)
        | rgba[..., 2].astype(np.uint32)
    ).view(np.int32)
    alpha = {
        "width": 41,
        "height": 37,
        "argb": _save(out, "alpha.i32", argb),
        "rgb": _save(out, "alpha-rgb.u8", np.asarray(flat)),
    }
    (out / "images.json").write_text(json.dumps({"images": index, "alpha": alpha}))
    return index


def _bounds(spec: PromptSpec, ids: list[int]) -> list[list[int]] | None:
    """Python's image spans, or None where it refuses the prompt (e.g. a question that types "<image>")."""
    try:
        return [list(b) for b in image_bounds(spec, ids)]
    except (ValueError, EdgeError):
        return None


def prompt_vectors(out: Path) -> None:
    """Prompt text, ids and image bounds for the 2.0 / 2.5 / 2.6 layouts on their synthetic tokenizers."""
    questions = [
        "What is in this image?",
        "  Describe it.\n",
        "数一数图里有几只猫？",
        "emoji 🐈‍⬛ and <image> in it",
        "",
    ]
    grids = [None, [2, 1], [1, 3], [3, 3]]
    cases = []
    for name in PROMPT_PRESETS:
        preset = get_preset(name)
        tok_path = out / f"tokenizer-{name}.json"
        synthetic_tokenizer(preset).save(str(tok_path))
        section = _prompt_section(preset)
        spec = PromptSpec(
            style=section["style"],
            query_num=preset.resampler.query_num,
            bos_id=section["bos_id"],
            unk_id=section["unk_id"],
            special_tokens=section["special_tokens"],
        )
        tok = TextTokenizer(tok_path)
        for q in questions:
            for grid in grids:
                g = tuple(grid) if grid else None
                case = {
                    "preset": name,
                    "tokenizer": tok_path.name,
                    "spec": {**section, "query_num": spec.query_num},
                    "question": q,
                    "grid": grid,
                }
                try:
                    ids = prompt_ids(spec, tok.encode, q, g)
                except EdgeError as err:  # a question that types an image marker: Java must refuse it alike
                    cases.append({**case, "refused": str(err)})
                    continue
                cases.append(
                    {
                        **case,
                        "text": build_prompt(spec, q, g),
                        "ids": _save(out, f"prompt-{len(cases)}.i32", np.asarray(ids, dtype=np.int32)),
                        "n_ids": len(ids),
                        "bounds": _bounds(spec, ids),
                    }
                )
    (out / "prompts.json").write_text(json.dumps(cases))


def encoder_vectors(out: Path, tiny: Path, images: list[dict[str, Any]]) -> None:
    """fp32 CPU encoder outputs for Python's own pixel tensors of the fixed modes (both exported shapes)."""
    encoder = open_encoder(Bundle.open(tiny), precision=JAVA_CPU_GRAPH)
    cases = []
    for entry in images[:2]:
        for mode in entry["modes"][:2]:  # fixed-280, fixed-448: one overview input each
            side = mode["inputs"][0]["side"]
            x = np.fromfile(out / mode["pixels"], dtype="<f4").reshape(1, 3, side, side)
            emb = encoder.encode(x)
            name = f"enc-{entry['name']}-{mode['mode']}"
            cases.append(
                {
                    "side": side,
                    "input": mode["pixels"],
                    "output": _save(out, name + ".f32", emb),
                    "shape": list(emb.shape),
                }
            )
    (out / "encoder.json").write_text(json.dumps(cases))


def generation_vectors(out: Path, tiny: Path, images: list[dict[str, Any]]) -> None:
    """Greedy generations through Python's Pipeline, with the logits of every step (prefill first)."""
    pipe = Pipeline(tiny, precision=JAVA_CPU_GRAPH, max_context=512)
    captured: list[np.ndarray] = []
    inner = pipe.decoder.decoder  # the Int4Decoder inside the ONNX decoder session: it returns every step's logits
    prefill, step = inner.prefill, inner.step

    def keep(fn: Any) -> Any:
        def wrapped(*args: Any) -> np.ndarray:
            logits = fn(*args)
            captured.append(np.asarray(logits, dtype=np.float32).copy())
            return logits

        return wrapped

    inner.prefill, inner.step = keep(prefill), keep(step)  # type: ignore[method-assign]
    cases = []
    for entry, mode, prompt in ((images[0], "fixed-280", "What is in this image?"), (images[2], "uhd", "Describe it.")):
        rgb = np.fromfile(out / entry["rgb"], dtype=np.uint8).reshape(entry["height"], entry["width"], 3)
        captured.clear()
        name = f"gen-{entry['name']}-{mode}"
        result = pipe.generate(Image.fromarray(rgb), prompt, mode=mode, max_new_tokens=GENERATION_STEPS)
        if len(result.token_ids) != GENERATION_STEPS:  # an early EOS would make the comparison shorter than asked
            raise SystemExit(f"{name}: Python generated {len(result.token_ids)} ids, not {GENERATION_STEPS}")
        cases.append(
            {
                "image": entry["name"],
                "mode": mode,
                "prompt": prompt,
                "ids": [int(i) for i in result.token_ids],
                "text": result.text,
                "prefill_tokens": result.timings.prefill_tokens,
                "logits": _save(out, name + ".f32", np.stack(captured)),
                "steps": len(captured),
                "vocab": int(captured[0].shape[0]),
            }
        )
    (out / "generation.json").write_text(json.dumps(cases))
    (out / "timings.json").write_text(json.dumps({"keys": sorted(result.timings.as_dict())}))


class _Capture:
    """Stands in for the sampler's numpy Generator: records the ids and probabilities it is asked to draw from."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    def choice(self, a: np.ndarray, p: np.ndarray) -> int:
        self.seen = {"ids": [int(x) for x in a], "probs": [float(x) for x in p]}
        return int(a[0])


def sampler_vectors(out: Path) -> None:
    """The top-k/top-p distribution Python's Sampler draws from, captured at its rng.choice call."""
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(40):
        logits = (rng.standard_normal(300) * rng.uniform(0.5, 4)).astype(np.float32)
        history = [int(i) for i in rng.integers(0, 300, size=int(rng.integers(0, 30)))]
        cfg = Sampling(
            temperature=float(rng.choice([0.0, 0.3, 0.7, 1.0, 1.5])),
            top_p=float(rng.choice([0.5, 0.8, 0.95, 1.0])),
            top_k=int(rng.choice([0, 1, 5, 100, 1000])),
            repetition_penalty=float(rng.choice([1.0, 1.05, 1.3])),
        )
        sampler = Sampler(cfg)
        capture = _Capture()
        sampler._rng = capture  # type: ignore[assignment]
        chosen = sampler(logits, history)
        seen = capture.seen
        cases.append(
            {
                "logits": [float(x) for x in logits],
                "history": history,
                "temperature": cfg.temperature,
                "top_p": cfg.top_p,
                "top_k": cfg.top_k,
                "repetition_penalty": cfg.repetition_penalty,
                "chosen": chosen,
                "candidates": seen or None,
            }
        )
    (out / "sampler.json").write_text(json.dumps(cases))


def export_tiny(out: Path) -> Path:
    """A fresh tiny bundle (synthetic weights) with a QNN sm8650 build of its 280 encoder."""
    tiny = out / "tiny"
    shutil.rmtree(tiny, ignore_errors=True)
    for argv in (
        # fp32 KV and int4 block 32: greedy ids on near-flat synthetic logits must not hinge on rounding that differs
        # across ORT 1.29 (Java) and 1.32 (Python); with the default block 128 the ids parted at step 11 (535 vs 1997)
        [
            "export",
            "--model",
            "tiny",
            "--synthetic",
            "--shapes",
            "280,448",
            "--kv-cache",
            "float32",
            "--block-size",
            "32",
            "--out",
            str(tiny),
        ],
        ["compile", str(tiny), "--target", "sm8650", "--shapes", "280"],
    ):
        code = cli_main(argv)
        if code:
            raise SystemExit(f"minicpmv-edge {' '.join(argv[:2])} failed with exit code {code}")
    return tiny


def main(out_dir: Path) -> None:
    out = out_dir / "runtime"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    slicing_vectors(out)
    images = image_vectors(out)
    sampler_vectors(out)
    tiny = export_tiny(out)
    prompt_vectors(out)
    encoder_vectors(out, tiny, images)
    generation_vectors(out, tiny, images)
    log.info("runtime vectors written to %s", out)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="[runtime_vectors] %(message)s")
    if len(sys.argv) != 2:
        raise SystemExit("usage: runtime_vectors.py OUT_DIR")
    main(Path(sys.argv[1]))
