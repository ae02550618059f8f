"""Vision encoder: ours (ONNX Runtime CPU graphs) vs llama.cpp's MiniCPM-V image encoder (mtmd / CLIP), same
weights, same threads, one run.

llama.cpp's CLIP encoder is where the "40 s - 5 min per image" phone reports come from, so it is the anchor.
One synthetic checkpoint is written; our exporter builds the bundle from it, and llama.cpp's own MiniCPM-V
converter (`tools/mtmd/legacy-models/minicpmv-convert-image-encoder-to-gguf.py`, run from the llama-cpp-python
sdist's vendored source, never copied here) writes the mmproj GGUF from the same tensors, in the files its surgery
step would produce (`minicpmv.clip`, `minicpmv.projector`, see `converter_inputs`). Then, in rounds that alternate
the order, each side runs in a fresh subprocess with the same thread count:

* 280 and 448: one image of exactly that side, so neither side resizes or slices (llama.cpp upscales any image
  below its mmproj `image_size` to it, so the 280 run uses a second mmproj converted with `image_size` 280); the
  timing is the encoder alone (ours `session.run`, llama.cpp `mtmd_encode_chunk`), best of `--repeats` per round;
* uhd: a 1344x896 image end to end (each side's own preprocessing, slicing and all encodes): llama.cpp
  `mtmd_tokenize` + every image chunk's encode; ours `preprocess(..., "uhd")` + every slice's encode.

Agreement: both sides normalize uint8 RGB as (x / 255 - 0.5) / 0.5, so on the 280 / 448 images they encode the
same pixel tensor; the cosine of the [64, D] embeddings (ours vs llama.cpp's f16 mmproj) shows both run the same
model. Which release: llama.cpp 0.3.36 runs MiniCPM-V 2.5 / 2.6-style towers only (mtmd refuses
`clip.minicpmv_version` 1 = 2.0, its graph has neither 2.0's interpolated position table nor its query position
embedding, and its converter cannot load 2.0's timm tower), so this benchmark uses MiniCPM-V 2.6, whose vision
tower is 2.0's SigLIP-400M (27 layers instead of 26) with a 3584-wide resampler.

    python benchmarks/encoder_vs_llamacpp_clip.py [--model minicpm-v-2_6] [--threads 2] [--rounds 3]

This file is also the worker each side runs (`_worker ours|llamacpp ...`): the llama.cpp worker is started with
the bench venv's python, so module-level imports are stdlib + numpy only. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from llamacpp_bench import (
    DEFAULT_VENV,
    LLAMA_CPP_REQ,
    LlamaBuild,
    peak_rss_mb,
    report_result,
    run_in_venv,
    run_worker,
    summarize,
    wait_for_quiet,
)

HERE = Path(__file__).resolve().parent
SCRIPT = Path(__file__).resolve()
RESULTS = HERE / "results"
SDIST = Path(os.environ.get("MINICPMV_LLAMACPP_SDIST", "/tmp/llsdist/llama_cpp_python-0.3.36.tar.gz"))
# the extracted sdist and the converter's extra imports, kept between runs like the bench venv
CONVERTER_CACHE = Path(os.environ.get("MINICPMV_CLIP_CONVERTER", "/tmp/bench-clip-converter"))
CONVERTER = "vendor/llama.cpp/tools/mtmd/legacy-models/minicpmv-convert-image-encoder-to-gguf.py"
# what the converter imports beyond torch / numpy / gguf (installed with pip --target, not into a shared venv)
CONVERTER_DEPS = ("transformers==5.25.0", "regex")
LLAMACPP_MINICPMV_VERSION = {"2.5": 2, "2.6": 3}  # clip.minicpmv_version; mtmd 0.3.36 refuses 1 (= 2.0)
UHD_SIZE = (1344, 896)
UHD_SHAPE = 448
PRECISIONS = ("plain", "fp32", "int8")

log = logging.getLogger("bench")


# --------------------------------------------------------------------------------------------------------------
# llama.cpp worker (runs in the bench venv: stdlib + numpy + llama_cpp)


def _counts(args: argparse.Namespace, name: str) -> tuple[int, int]:
    """(warm-up, timed) runs of one workload: the uhd image, seven encodes long, runs `--uhd-repeats` times
    without a warm-up of its own (the 448 runs before it warmed the same sessions)."""
    return (0, args.uhd_repeats) if name == "uhd" else (args.warmup, args.repeats)


class _ClipSide:
    """llama.cpp's image encoder through the mtmd C API: one context per mmproj (image_size), CPU only."""

    def __init__(self, mmproj: dict[str, str], text_model: Path, threads: int, n_embd: int) -> None:
        import llama_cpp
        from llama_cpp import mtmd_cpp

        self.mtmd = mtmd_cpp
        llama_cpp.llama_backend_init()
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True  # mtmd looks up its slice-marker tokens in the vocabulary; no weights needed
        self.model = llama_cpp.llama_model_load_from_file(str(text_model).encode(), params)
        if not self.model:
            raise RuntimeError(f"llama.cpp could not load the text model {text_model}")
        self.contexts = {}
        for key, path in mmproj.items():
            cp = mtmd_cpp.mtmd_context_params_default()
            cp.use_gpu = False
            cp.n_threads = threads
            cp.print_timings = False
            ctx = mtmd_cpp.mtmd_init_from_file(path.encode(), self.model, cp)
            if not ctx:
                raise RuntimeError(f"mtmd_init_from_file({path}) failed (see llama.cpp's log above)")
            self.contexts[key] = ctx
        self.flash_attn_type = cp.flash_attn_type
        self.n_embd = n_embd  # the projector's width (a vocab-only model reports n_embd 0)

    def tokenize(self, key: str, image: np.ndarray) -> Any:
        """mtmd's preprocessing of one uint8 RGB image (resize, slicing, normalization) into chunks."""
        import ctypes

        m = self.mtmd
        h, w, _ = image.shape
        data = np.ascontiguousarray(image, dtype=np.uint8)
        bitmap = m.mtmd_bitmap_init(w, h, data.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)))
        chunks = m.mtmd_input_chunks_init()
        text = m.mtmd_input_text(m.mtmd_default_marker(), len(m.mtmd_default_marker()), False, True)
        bitmaps = (m.mtmd_bitmap_p_ctypes * 1)(bitmap)
        rc = m.mtmd_tokenize(self.contexts[key], chunks, ctypes.byref(text), bitmaps, 1)
        m.mtmd_bitmap_free(bitmap)
        if rc != 0:
            raise RuntimeError(f"mtmd_tokenize failed ({rc})")
        return chunks

    def image_chunks(self, chunks: Any) -> list[Any]:
        m = self.mtmd
        n = m.mtmd_input_chunks_size(chunks)
        every = [m.mtmd_input_chunks_get(chunks, i) for i in range(n)]
        return [c for c in every if m.mtmd_input_chunk_get_type(c) == m.MTMD_INPUT_CHUNK_TYPE_IMAGE]

    def grid(self, chunk: Any) -> dict[str, int]:
        m = self.mtmd
        tokens = m.mtmd_input_chunk_get_tokens_image(chunk)
        return {
            "n_tokens": m.mtmd_input_chunk_get_n_tokens(chunk),
            "nx": m.mtmd_image_tokens_get_nx(tokens),
            "ny": m.mtmd_image_tokens_get_ny(tokens),
        }

    def encode(self, key: str, chunk: Any, keep: bool = False) -> np.ndarray | None:
        m = self.mtmd
        if m.mtmd_encode_chunk(self.contexts[key], chunk) != 0:
            raise RuntimeError("mtmd_encode_chunk failed")
        if not keep:
            return None
        n = m.mtmd_input_chunk_get_n_tokens(chunk)
        out = m.mtmd_get_output_embd(self.contexts[key])
        return np.ctypeslib.as_array(out, shape=(n * self.n_embd,)).reshape(n, self.n_embd).copy()


def llamacpp_worker(args: argparse.Namespace) -> dict[str, Any]:
    import llama_cpp

    mmproj = dict(x.split("=", 1) for x in args.mmproj)
    t0 = time.perf_counter()
    side = _ClipSide(mmproj, Path(args.text_model), args.threads, args.n_embd)
    out: dict[str, Any] = {"side": "llama.cpp", "load_s": time.perf_counter() - t0, "workloads": {}}
    for spec in args.image:
        name, key, path = spec.split("=", 2)
        image = np.load(path)
        entry: dict[str, Any] = {"encode_s": [], "preprocess_s": []}
        warmup, repeats = _counts(args, name)
        for i in range(warmup + repeats):
            t0 = time.perf_counter()
            chunks = side.tokenize(key, image)
            pre = time.perf_counter() - t0
            images = side.image_chunks(chunks)
            keep = args.out_dir and i == 0
            t0 = time.perf_counter()
            embeds = [side.encode(key, c, keep=bool(keep)) for c in images]
            enc = time.perf_counter() - t0
            if i == 0:
                entry["chunks"] = [side.grid(c) for c in images]
                if keep:
                    np.save(Path(args.out_dir) / f"llamacpp_{name}.npy", np.concatenate(embeds))
            side.mtmd.mtmd_input_chunks_free(chunks)
            if i >= warmup:
                entry["encode_s"].append(enc)
                entry["preprocess_s"].append(pre)
        out["workloads"][name] = entry
    out["version"] = llama_cpp.__version__
    out["system_info"] = llama_cpp.llama_print_system_info().decode(errors="replace")
    out["flash_attn_type"] = side.flash_attn_type
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# --------------------------------------------------------------------------------------------------------------
# our worker (project python; onnxruntime, no torch)


def ours_worker(args: argparse.Namespace) -> dict[str, Any]:
    import onnxruntime
    from PIL import Image

    from minicpmv_edge.runtime.bundle_view import Bundle
    from minicpmv_edge.runtime.encoders import EncoderOptions, open_encoder
    from minicpmv_edge.runtime.preprocess import preprocess, to_pixel_values

    t0 = time.perf_counter()
    encoder = open_encoder(Bundle.open(args.bundle), precision=args.precision, options=EncoderOptions(args.threads))
    for size in args.open_sizes:  # sessions open before the clock starts, as llama.cpp's contexts do
        encoder.encode(np.zeros((1, 3, size, size), np.float32))
    out: dict[str, Any] = {"side": f"ours {args.precision}", "load_s": time.perf_counter() - t0, "workloads": {}}
    for spec in args.image:
        name, key, path = spec.split("=", 2)
        image = Image.fromarray(np.load(path))
        entry: dict[str, Any] = {"encode_s": [], "preprocess_s": []}
        warmup, repeats = _counts(args, name)
        for i in range(warmup + repeats):
            t0 = time.perf_counter()
            if key == "uhd":
                pre = preprocess(image, "uhd", uhd_shape=UHD_SHAPE)
                inputs = [x.pixel_values for x in pre.inputs]
            else:  # exactly key x key: no resize, the same pixels llama.cpp gets
                inputs = [to_pixel_values(image)]
            prep = time.perf_counter() - t0
            t0 = time.perf_counter()
            embeds = [encoder.encode(x) for x in inputs]
            enc = time.perf_counter() - t0
            if i == 0:
                entry["chunks"] = [
                    {"n_tokens": int(e.shape[0]), "side": int(x.shape[-1])} for e, x in zip(embeds, inputs, strict=True)
                ]
                if key == "uhd":
                    entry["grid"] = list(pre.grid) if pre.grid else None
                if args.out_dir:
                    np.save(Path(args.out_dir) / f"ours_{args.precision}_{name}.npy", np.concatenate(embeds))
            if i >= warmup:
                entry["encode_s"].append(enc)
                entry["preprocess_s"].append(prep)
        out["workloads"][name] = entry
    out["onnxruntime"] = onnxruntime.__version__
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _worker_main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="encoder_vs_llamacpp_clip.py _worker")
    p.add_argument("side", choices=["ours", "llamacpp"])
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--image", action="append", default=[], help="NAME=KEY=PATH.npy (uint8 HxWx3)")
    p.add_argument("--mmproj", action="append", default=[], help="llama.cpp: KEY=mmproj.gguf")
    p.add_argument("--text-model", help="llama.cpp: a GGUF with the projector's n_embd (vocabulary only is read)")
    p.add_argument("--n-embd", type=int, help="llama.cpp: the projector's output width")
    p.add_argument("--bundle", help="ours: the bundle")
    p.add_argument("--precision", choices=PRECISIONS, help="ours: CPU graph")
    p.add_argument("--open-sizes", type=lambda t: [int(x) for x in t.split(",")], default=[])
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--uhd-repeats", type=int, default=1)
    p.add_argument("--out-dir", default="", help="save the first run's embeddings here")
    args = p.parse_args(argv)
    report_result((ours_worker if args.side == "ours" else llamacpp_worker)(args))


# --------------------------------------------------------------------------------------------------------------
# preparation (project python)


@dataclass(frozen=True)
class ConverterRun:
    """How llama.cpp's converter is run: its script in the extracted sdist, and the PYTHONPATH it needs."""

    script: Path
    pythonpath: str
    versions: dict[str, str]


def surgery_split(state: dict[str, Any], config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two files llama.cpp's `minicpmv-surgery.py` cuts from a MiniCPM-V model, from a state dict directly
    (the surgery script itself needs the official modeling code): `minicpmv.clip` = the `vpm.` tensors without the
    prefix, `minicpmv.projector` = the `resampler.` tensors; both float32. Like the surgery script, `resampler.proj`
    is divided by the LLM's `scale_emb` when the config has one (MiniCPM LLMs; 2.6's Qwen2 has none)."""
    clip = {k.removeprefix("vpm."): v.float() for k, v in state.items() if k.startswith("vpm.")}
    projector = {k: v.float() for k, v in state.items() if k.startswith("resampler.")}
    if "resampler.proj" in projector and "scale_emb" in config:
        projector["resampler.proj"] = projector["resampler.proj"] / config["scale_emb"]
    return clip, projector


def converter_inputs(ckpt: Path, out: Path, image_sizes: tuple[int, ...]) -> dict[int, Path]:
    """One converter input folder per mmproj `image_size`: config.json (with that `image_size`) and the surgery
    files, which are written once and hard-linked into the other folders."""
    import torch
    from safetensors.torch import load_file

    config = json.loads((ckpt / "config.json").read_text())
    state: dict[str, Any] = {}
    for shard in sorted(ckpt.glob("*.safetensors")):
        state |= {k: v for k, v in load_file(shard).items() if k.startswith(("vpm.", "resampler."))}
    clip, projector = surgery_split(state, config)
    del state
    folders = {}
    for n, size in enumerate(image_sizes):
        folder = out / f"convert-{size}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps(config | {"image_size": size}, indent=2))
        for name, tensors in (("minicpmv.clip", clip), ("minicpmv.projector", projector)):
            target = folder / name
            target.unlink(missing_ok=True)
            if n == 0:
                torch.save(tensors, target)
            else:
                target.hardlink_to(out / f"convert-{image_sizes[0]}" / name)
        folders[size] = folder
    return folders


def ensure_converter(sdist: Path, cache: Path) -> ConverterRun:
    """llama.cpp's converter from the sdist (extracted once into `cache`) and its extra imports (pip --target, once:
    transformers is not a project dependency, and the shared venvs stay untouched)."""
    cache.mkdir(parents=True, exist_ok=True)
    src = cache / "llamacpp-src"
    if not (src / CONVERTER).is_file():
        if not sdist.is_file():
            raise FileNotFoundError(
                f"{sdist}: the llama-cpp-python sdist (`pip download --no-binary :all: --no-deps {LLAMA_CPP_REQ}`; "
                "MINICPMV_LLAMACPP_SDIST moves it)"
            )
        with tarfile.open(sdist) as tar:
            top = tar.getnames()[0].split("/")[0]
            tar.extractall(cache, filter="data")
        (cache / top).rename(src)
    deps = cache / "converter-deps"
    if not (deps / "transformers").is_dir():
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(deps), "--no-deps", *CONVERTER_DEPS]
        subprocess.run(cmd, check=True)
    versions = {p.name.removesuffix(".dist-info"): "pip --target" for p in deps.glob("*.dist-info")}
    versions["gguf-py"] = "vendored in the sdist (vendor/llama.cpp/gguf-py)"
    return ConverterRun(src / CONVERTER, f"{deps}:{src / 'vendor/llama.cpp/gguf-py'}", versions)


def convert_mmproj(conv: ConverterRun, folder: Path, version: int) -> Path:
    """llama.cpp's converter on one input folder -> `folder/out/mmproj-model-f16.gguf` (its default f16)."""
    out = folder / "out" / "mmproj-model-f16.gguf"
    if out.is_file():
        return out
    cmd = [
        sys.executable,
        str(conv.script),
        "-m",
        str(folder),
        "--minicpmv-projector",
        str(folder / "minicpmv.projector"),
    ]
    cmd += ["--output-dir", str(folder / "out"), "--minicpmv_version", str(version)]
    env = os.environ | {"PYTHONPATH": conv.pythonpath}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"llama.cpp's converter failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return out


def text_model_stub(build: LlamaBuild, work: Path, n_embd: int) -> tuple[Path, str]:
    """A one-layer MiniCPM-architecture GGUF whose hidden size is the projector's. mtmd takes a text model to look
    up its slice-marker tokens and to check n_embd; the worker loads it vocabulary-only (no weights), which makes
    the model report n_embd 0 and mtmd skip that check, so the width only keeps the file honest."""
    from dataclasses import replace

    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
    from minicpmv_edge.presets import TINY

    gguf = work / f"text-stub-{n_embd}.gguf"
    llm = replace(TINY.llm, hidden_size=n_embd, num_layers=1, num_heads=n_embd // 128, num_kv_heads=1,
                  intermediate_size=128, vocab_size=512)  # fmt: skip
    what = (
        f"minicpm arch, hidden {n_embd}, 1 layer, 512-entry placeholder vocabulary (no <image>/<slice> tokens, so "
        "mtmd's slice markers are null text tokens, which are never decoded here), synthetic; loaded vocab_only"
    )
    if not gguf.is_file():
        ckpt = write_synthetic_checkpoint(
            replace(TINY, name="text-stub", llm=llm), work / "text-stub-ckpt", parts=("llm",)
        )
        run_in_venv(build.python, str(HERE / "gguf_writer.py"), str(ckpt), str(gguf))
        shutil.rmtree(ckpt)
    return gguf, what


def bench_images(work: Path, shapes: tuple[int, ...], uhd: tuple[int, int] | None) -> dict[str, tuple[str, Path]]:
    """uint8 RGB test images (a held-out photo resized once with PIL), as .npy for the numpy-only worker:
    name -> (key, path); key = the square side (no resize on either side) or "uhd"."""
    from PIL import Image

    import minicpmv_edge
    from minicpmv_edge.runtime.images import load_image

    # through the package, not this file's folder: run_all --quick runs a copy of benchmarks/ from a temp dir
    heldout = Path(minicpmv_edge.__file__).parent / "calibration_data" / "heldout"
    photo = load_image(heldout / "photo_nature_forest_stream.jpg")
    images = {}
    sizes = {str(s): ((s, s), str(s)) for s in shapes} | ({"uhd": (uhd, "uhd")} if uhd else {})
    for name, (size, key) in sizes.items():
        path = work / f"image_{name}.npy"
        np.save(path, np.asarray(photo.resize(size, Image.Resampling.BICUBIC), dtype=np.uint8))
        images[name] = (key, path)
    return images


# --------------------------------------------------------------------------------------------------------------
# orchestration (project python)


def bench_preset(name: str) -> Any:
    """A preset of a release llama.cpp's mtmd runs; `tiny-2.6` is 2.6 at toy widths (plumbing checks only)."""
    from dataclasses import replace

    from minicpmv_edge.presets import MINICPM_V_2_6, get_preset

    if name == "tiny-2.6":
        return replace(
            MINICPM_V_2_6,
            name="tiny-2.6",
            hf_name="synthetic/tiny-2.6",
            vision=replace(MINICPM_V_2_6.vision, hidden_size=128, num_heads=4, intermediate_size=478, num_layers=2,
                           config_layers=2),
            resampler=replace(MINICPM_V_2_6.resampler, embed_dim=256, kv_dim=128),
            llm=replace(MINICPM_V_2_6.llm, hidden_size=256, num_layers=1, num_heads=2, num_kv_heads=1,
                        intermediate_size=256, vocab_size=512),
        )  # fmt: skip
    preset = get_preset(name)
    if preset.version not in LLAMACPP_MINICPMV_VERSION:
        raise SystemExit(
            f"{name} (MiniCPM-V {preset.version}) cannot be the llama.cpp anchor: {LLAMA_CPP_REQ}'s mtmd refuses "
            "clip.minicpmv_version 1 (2.0) and its converter cannot load 2.0's timm tower; use minicpm-v-2_6"
        )
    return preset


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def agreement(work: Path, shapes: tuple[int, ...], precisions: list[str]) -> dict[str, Any]:
    """Cosine and max |diff| of each of our precisions vs llama.cpp on the identical 280 / 448 pixels."""
    out: dict[str, Any] = {}
    for size in shapes:
        ref = np.load(work / f"llamacpp_{size}.npy")
        row: dict[str, Any] = {"llamacpp_tokens": int(ref.shape[0])}
        for precision in precisions:
            ours = np.load(work / f"ours_{precision}_{size}.npy")
            if ours.shape != ref.shape:
                row[precision] = {"shape_mismatch": [list(ours.shape), list(ref.shape)]}
                continue
            row[precision] = {
                "cosine": _cosine(ours, ref),
                "min_row_cosine": min(_cosine(o, r) for o, r in zip(ours, ref, strict=True)),
                "max_abs_diff_over_std": float(np.abs(ours - ref).max() / ref.std()),
            }
        out[str(size)] = row
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        _worker_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="minicpm-v-2_6", help="minicpm-v-2_6, or tiny-2.6 for a plumbing check")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of every side")
    parser.add_argument("--repeats", type=int, default=2, help="timed encodes per image, side and round (best kept)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--uhd-repeats", type=int, default=1, help="timed uhd images per side and round")
    parser.add_argument("--shapes", default="280,448")
    parser.add_argument("--no-uhd", dest="uhd", action="store_false", help="skip the 1344x896 end-to-end image")
    parser.add_argument("--precisions", default=",".join(PRECISIONS), help="our CPU graphs to run (if exported)")
    parser.add_argument("--weights", choices=["trained-scale", "init"], default="trained-scale")
    parser.add_argument("--checkpoint", type=Path, help="HF checkpoint (default: synthetic, written here)")
    parser.add_argument("--bundle", type=Path, help="our bundle exported from --checkpoint (default: exported here)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="llama.cpp venv (created if missing)")
    parser.add_argument("--sdist", type=Path, default=SDIST, help="llama-cpp-python sdist (its converter runs)")
    parser.add_argument("--workdir", type=Path, help="keep and reuse checkpoint, bundle, GGUFs here")
    parser.add_argument("--max-other-load", type=float, default=0.3, help="wait for a quieter machine; 0: never")
    parser.add_argument("--quiet-timeout", type=float, default=900)
    parser.add_argument("--out", type=Path, help="results JSON (default results/encoder_vs_llamacpp_clip-<date>.json)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    if args.bundle and not args.checkpoint:
        parser.error("--bundle needs --checkpoint: llama.cpp's converter must read the weights the bundle holds")

    sys.path.insert(0, str(HERE))
    from encoder_ort_vs_torch import trained_scale

    from minicpmv_edge.bench.machine import machine_info
    from minicpmv_edge.export.pipeline import export_bundle
    from minicpmv_edge.export.request import ExportRequest
    from minicpmv_edge.model.synthetic import write_synthetic_checkpoint
    from minicpmv_edge.versions import tool_versions

    preset = bench_preset(args.model)
    shapes = tuple(int(s) for s in args.shapes.split(","))
    sizes = tuple(sorted(set(shapes) | ({UHD_SHAPE} if args.uhd else set())))  # encoder shapes both sides need
    started = datetime.now(UTC)
    build = LlamaBuild(args.venv, args.threads)
    own_tmp = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="bench-clip-", dir="/tmp")) if own_tmp else args.workdir
    work.mkdir(parents=True, exist_ok=True)
    prep: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        ckpt, weights = args.checkpoint, "real checkpoint"
        if ckpt is None:
            ckpt, label = work / "ckpt", work / "weights.txt"
            if not label.is_file():
                write_synthetic_checkpoint(preset, ckpt, parts=("vision",))
                weights = trained_scale(ckpt) if args.weights == "trained-scale" else "synthetic N(0, 0.02) init"
                label.write_text(weights)
            weights = label.read_text()
        bundle = args.bundle or work / "bundle"
        if not (bundle / "manifest.json").is_file():
            export_bundle(ExportRequest(preset=preset, out=bundle, shapes=sizes, parts=("vision",), checkpoint=ckpt))
        prep["checkpoint_and_bundle_s"] = time.perf_counter() - t0
        vision = json.loads((bundle / "manifest.json").read_text())["vision"]
        available = ["plain", *vision.get("cpu_encoders", {})]
        precisions = [p for p in args.precisions.split(",") if p in available]

        t0 = time.perf_counter()
        conv = ensure_converter(args.sdist, CONVERTER_CACHE)
        mmproj = {}
        missing = [s for s in sizes if not (work / f"convert-{s}" / "out" / "mmproj-model-f16.gguf").is_file()]
        folders = converter_inputs(ckpt, work, tuple(missing)) if missing else {}
        for size in sizes:
            folder = folders.get(size, work / f"convert-{size}")
            mmproj[size] = convert_mmproj(conv, folder, LLAMACPP_MINICPMV_VERSION[preset.version])
        for folder in folders.values():  # the surgery files (fp32 copies of the weights) are not needed any more
            for name in ("minicpmv.clip", "minicpmv.projector"):
                (folder / name).unlink(missing_ok=True)
        prep["llamacpp_convert_s"] = time.perf_counter() - t0
        text_gguf, text_what = text_model_stub(build, work, preset.resampler.embed_dim)
        images = bench_images(work, shapes, UHD_SIZE if args.uhd else None)

        def llama_args(out_dir: str) -> list[str]:
            a = ["--threads", str(args.threads), "--text-model", str(text_gguf), "--repeats", str(args.repeats)]
            a += ["--n-embd", str(preset.resampler.embed_dim)]
            a += ["--warmup", str(args.warmup), "--uhd-repeats", str(args.uhd_repeats), "--out-dir", out_dir]
            a += [x for s, p in mmproj.items() for x in ("--mmproj", f"{s}={p}")]
            for name, (key, path) in images.items():
                a += ["--image", f"{name}={UHD_SHAPE if key == 'uhd' else key}={path}"]
            return a

        def ours_args(precision: str, out_dir: str) -> list[str]:
            a = ["--threads", str(args.threads), "--bundle", str(bundle), "--precision", precision]
            a += ["--repeats", str(args.repeats), "--warmup", str(args.warmup), "--uhd-repeats", str(args.uhd_repeats)]
            a += ["--out-dir", out_dir]
            a += ["--open-sizes", ",".join(map(str, sizes))]
            for name, (key, path) in images.items():
                a += ["--image", f"{name}={key}={path}"]
            return a

        sides = ["llama.cpp", *(f"ours {p}" for p in precisions)]
        runs: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
        for r in range(args.rounds):
            out_dir = str(work) if r == 0 else ""  # the first round also saves the embeddings for the agreement
            for name in sides if r % 2 == 0 else list(reversed(sides)):
                quiet = wait_for_quiet(args.max_other_load, args.quiet_timeout) if args.max_other_load > 0 else None
                if name == "llama.cpp":
                    result = build.worker(SCRIPT, llama_args(out_dir), args.threads)
                else:
                    precision = name.removeprefix("ours ")
                    result = run_worker(
                        SCRIPT, Path(sys.executable), "ours", ours_args(precision, out_dir), args.threads
                    )
                result["other_processes_cores_before"] = quiet
                runs[name].append(result)
                log.info(
                    "round %d %-12s %s  other cores %.2f",
                    r + 1,
                    name,
                    "  ".join(f"{w} {min(v['encode_s']):.3f} s" for w, v in result["workloads"].items()),
                    result["other_processes_cores_during_run"],
                )
        agree = agreement(work, shapes, precisions)

        limit = args.max_other_load if args.max_other_load > 0 else float("inf")
        summary: dict[str, Any] = {}
        for name, results in runs.items():
            quiet_runs = [x for x in results if x["other_processes_cores_during_run"] <= limit]
            used = quiet_runs or results
            per: dict[str, Any] = {}
            for w in images:
                runs_w = [x["workloads"][w] for x in used]
                encode = [min(v["encode_s"]) for v in runs_w]
                total = [min(e + p for e, p in zip(v["encode_s"], v["preprocess_s"], strict=True)) for v in runs_w]
                per[w] = {
                    "encode_s": summarize(encode),
                    "preprocess_plus_encode_s": summarize(total),
                    "chunks": results[0]["workloads"][w]["chunks"],
                } | ({"grid": results[0]["workloads"][w]["grid"]} if "grid" in results[0]["workloads"][w] else {})
            summary[name] = per | {
                "peak_rss_mb": max(x["peak_rss_mb"] for x in results),
                "load_s": summarize([x["load_s"] for x in used]),
                "other_processes_cores_during_runs": [round(x["other_processes_cores_during_run"], 2) for x in results],
                "rounds_dropped_as_noisy": [i + 1 for i, x in enumerate(results) if not any(x is u for u in used)],
            }

        def seconds(side: str, w: str) -> float:
            metric = "preprocess_plus_encode_s" if w == "uhd" else "encode_s"
            return summary[side][w][metric]["median"]

        speedups = {p: {w: seconds("llama.cpp", w) / seconds(f"ours {p}", w) for w in images} for p in precisions}
        best = vision.get("cpu_default") or "plain"
        best = best if best in precisions else "plain"
        goal = {f"{s}": speedups[best][str(s)] >= 1.2 for s in shapes if s in (280, 448)}
        report = {
            "benchmark": "encoder_vs_llamacpp_clip",
            "date": started.date().isoformat(),
            "started_utc": started.isoformat(timespec="seconds"),
            "provenance": "host-measured",
            "weights": weights,
            "model": {
                "preset": preset.name,
                "why_not_2.0": "llama.cpp's mtmd (0.3.36) refuses clip.minicpmv_version 1 and its converter cannot "
                "load 2.0's timm tower; 2.6 has 2.0's SigLIP-400M tower (27 layers vs 26)",
                "vision": f"{preset.vision.num_layers} layers, hidden {preset.vision.hidden_size}, "
                f"{preset.vision.num_heads} heads, ffn {preset.vision.intermediate_size}",
                "resampler": f"{preset.resampler.query_num} queries x {preset.resampler.embed_dim}",
            },
            "machine": machine_info(args.threads) | {"shared_with_other_jobs": True},
            "threads": args.threads,
            "versions": tool_versions("onnxruntime", "numpy", "torch")
            | {"llama-cpp-python": runs["llama.cpp"][0]["version"]},
            "workload": {
                "shapes": "an image of exactly S x S: no resize or slicing on either side; encoder time only "
                "(ours session.run, llama.cpp mtmd_encode_chunk)",
                "uhd": f"{UHD_SIZE[0]}x{UHD_SIZE[1]} end to end: each side's own preprocessing + every slice's encode",
                "rounds": args.rounds,
                "repeats": args.repeats,
                "warmup": args.warmup,
                "uhd_repeats": f"{args.uhd_repeats}, no warm-up of its own (the 448 runs before it warm the sessions)",
                "statistic": "best of the repeats in a round, median over rounds",
                "load_s": "llama.cpp: text model + mtmd contexts (with mtmd's warm-up encode); ours: every session "
                "opened (ORT graph optimization) + one zero-image encode per shape",
                "image": "calibration_data/heldout/photo_nature_forest_stream.jpg resized once (PIL bicubic)",
            },
            "ours": {
                "precisions": precisions,
                "bundle": str(bundle),
                "bundle_cpu_default": vision.get("cpu_default"),
                "export_cosines": {
                    p: {s: e["cosine_vs_torch_fp32"] for s, e in by.items()}
                    for p, by in vision.get("cpu_encoders", {}).items()
                },
                "onnxruntime": runs[f"ours {precisions[0]}"][0]["onnxruntime"],
            },
            "llamacpp": {
                "package": LLAMA_CPP_REQ,
                **build.record(),
                "converter": f"{CONVERTER} from {args.sdist.name} (--minicpmv_version "
                f"{LLAMACPP_MINICPMV_VERSION[preset.version]}, default f16 weights)",
                "converter_runtime": {"python": sys.executable} | conv.versions,
                "mmproj": {str(s): {"file": p.name, "bytes": p.stat().st_size} for s, p in mmproj.items()},
                "text_model": text_what,
                "flash_attn_type": runs["llama.cpp"][0]["flash_attn_type"],
                "system_info": runs["llama.cpp"][0]["system_info"],
            },
            "preparation_s": prep,
            "agreement_vs_llamacpp": agree,
            "summary": summary,
            "speedup_llamacpp_s_over_ours_s": speedups,
            "best_cpu_precision": best,
            "goal_best_ge_1.2x_llamacpp": goal,
            "runs": runs,
            "loadavg_end": list(os.getloadavg()),
        }
        tag = "" if preset.name == "minicpm-v-2_6" else f"{preset.name}-"
        out = args.out or RESULTS / f"encoder_vs_llamacpp_clip-{tag}{report['date']}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
        _print_table(report)
        print(f"results: {out}")
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)


def _print_table(report: dict[str, Any]) -> None:
    s = report["summary"]
    workloads = [w for w, v in s["llama.cpp"].items() if isinstance(v, dict) and "encode_s" in v]
    print(
        f"\n{report['machine']['cpu']}, {report['threads']} threads, {report['model']['preset']}, "
        f"weights: {report['weights']}; host-measured"
    )
    print(f"{'side':14s} " + " ".join(f"{w + ' (s)':>12s}" for w in workloads) + f" {'peak RSS MB':>12s}")
    for name, v in s.items():
        cells = []
        for w in workloads:
            metric = "preprocess_plus_encode_s" if w == "uhd" else "encode_s"
            cells.append(f"{v[w][metric]['median']:12.3f}")
        print(f"{name:14s} " + " ".join(cells) + f" {v['peak_rss_mb']:12.0f}")
    for p, by in report["speedup_llamacpp_s_over_ours_s"].items():
        print(f"speedup ours {p} (llama.cpp s / ours s): " + ", ".join(f"{w} {x:.2f}x" for w, x in by.items()))
    for size, row in report["agreement_vs_llamacpp"].items():
        cos = ", ".join(f"{p} {v['cosine']:.5f}" for p, v in row.items() if isinstance(v, dict) and "cosine" in v)
        print(f"agreement {size}: llama.cpp tokens {row['llamacpp_tokens']}; cosine vs llama.cpp: {cos}")
    uhd = s["llama.cpp"].get("uhd")
    if uhd:
        ours = next(v for k, v in s.items() if k != "llama.cpp")["uhd"]
        print(
            f"uhd: llama.cpp {len(uhd['chunks'])} image chunks of {[c['n_tokens'] for c in uhd['chunks']]} tokens; "
            f"ours grid {ours.get('grid')} + overview, {len(ours['chunks'])} encodes at {UHD_SHAPE}"
        )
    print(
        f"goal (best CPU precision = {report['best_cpu_precision']}, >= 1.2x llama.cpp): "
        + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in report["goal_best_ge_1.2x_llamacpp"].items())
    )


if __name__ == "__main__":
    main()
