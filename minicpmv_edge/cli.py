"""`minicpmv-edge` command line. The only place that prints; every user error is one line and exit code 2.

Commands parse flags, call one library function, and print what it returns; nothing is assembled here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from minicpmv_edge import __version__
from minicpmv_edge import cli_types as T
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.export.request import BLOCK_SIZES
from minicpmv_edge.presets import DEFAULT_PRESET, PRESETS, get_preset

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse prints usage + message; we want one line
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def _parts(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def _export_parts(args: argparse.Namespace) -> tuple[str, ...]:
    """Both parts by default; an mmproj GGUF without an LLM GGUF exports the vision part only."""
    if args.parts:
        return args.parts
    return ("vision",) if args.gguf_mmproj and not args.gguf_llm else ("vision", "llm")


# ------------------------------------------------------------------------------------------------- export


def _cmd_export(args: argparse.Namespace) -> int:
    from minicpmv_edge.export.request import ExportRequest, check_request

    preset = get_preset(args.model)
    req = ExportRequest(
        preset=preset,
        out=Path(args.out),
        shapes=args.shapes,
        checkpoint=Path(args.checkpoint) if args.checkpoint else None,
        gguf_mmproj=Path(args.gguf_mmproj) if args.gguf_mmproj else None,
        gguf_llm=Path(args.gguf_llm) if args.gguf_llm else None,
        parts=_export_parts(args),
        seed=args.seed,
        min_cosine=args.min_cosine,
        kv_cache=args.kv_cache,
        block_size=args.block_size,
    )
    check_request(req)  # before torch is imported: a wrong path fails at once

    from minicpmv_edge.export.pipeline import export_bundle

    manifest = export_bundle(req)
    weights = "real checkpoint"
    if manifest.model.synthetic:
        weights = "synthetic" if args.gguf_mmproj else f"synthetic (seed {args.seed})"
    print(f"bundle {req.out}: {manifest.model.preset} ({preset.hf_name}), weights {weights}")
    for enc in manifest.vision.encoders.values() if manifest.vision else ():
        par = enc.parity or {}
        print(
            f"  {enc.file:<26} {list(enc.input.shape)} -> {list(enc.output.shape)}  "
            f"parity vs torch: cosine {par.get('cosine', float('nan')):.7f}, max abs {par.get('max_abs', 0):.2e} "
            "(host-measured)"
        )
    if manifest.llm:
        q = manifest.llm.quantization
        print(
            f"  {manifest.llm.dir}/ int4 decoder ({q.get('op', '?')}, block {q.get('block_size', '?')}), "
            f"tokenizer: {manifest.tokenizer.source}"
        )
    if manifest.llm:
        for kind, err in manifest.llm.quantization.get("error_vs_source", {}).items():
            print(
                f"  int4 {kind:<8} {err['carried_over']}/{err['tensors']} carried over bit for bit, "
                f"rel. RMS error vs the GGUF weights: max {err['rel_rms_max']:.4f} (host-measured)"
            )
        if manifest.llm.gguf:
            print(f"  {manifest.llm.path(manifest.llm.gguf.file)} kept for --decoder llamacpp")
    return 0


# ------------------------------------------------------------------------------------------- run and demo


def _timing_table(result, bundle_label: str) -> str:
    from minicpmv_edge.bench.reference import AX650N_MINICPM_V2 as ref

    t = result.timings
    shapes = ", ".join(str(s) for s in t.encode_shapes)
    where = f"{t.encoder_backend} {t.encoder_precision}" + (f" {t.encoder_chip}" if t.encoder_chip else "")
    rows = [
        ("preprocess", f"{t.preprocess_s:.3f} s", ""),
        ("encode", f"{t.encode_s:.3f} s ({len(t.encode_shapes)} x [{shapes}], {where})", f"{ref.encode_s} s"),
        (
            "prefill",
            f"{t.prefill_s:.3f} s ({t.prefill_tokens} tokens)",
            f"{ref.prefill_s} s ({ref.prompt_tokens} tokens)",
        ),
        ("first token", f"{t.ttft_s:.3f} s", ""),
        ("decode", f"{t.decode_tok_s:.1f} tok/s ({t.tokens_generated} tokens)", f"{ref.decode_tok_s} tok/s"),
        ("peak RSS", f"{t.peak_rss_mb:.0f} MB", ""),
    ]
    head = (
        f"{'stage':<12} {'ours: ' + bundle_label:<52} reference: {ref.model}, {ref.device}, {ref.image}"
        f" ({ref.provenance})"
    )
    lines = [head, "-" * len(head)]
    lines += [f"{stage:<12} {ours:<52} {theirs}" for stage, ours, theirs in rows]
    lines.append(
        f"encode figures: {t.encoder_provenance}; LLM figures ({t.decoder_backend}): {t.llm_provenance} "
        "(this host, not the reference device)"
    )
    return "\n".join(lines)


def _generate(pipe, args: argparse.Namespace) -> int:
    from minicpmv_edge.runtime.sampling import Sampling

    sampling = Sampling(temperature=args.temperature, top_p=args.top_p, seed=args.seed)
    stream = None if args.json else (lambda piece: print(piece, end="", flush=True))
    result = pipe.generate(
        args.image, args.prompt, mode=args.mode, max_new_tokens=args.max_new_tokens, sampling=sampling, on_token=stream
    )
    if args.json:
        print(
            json.dumps(
                {
                    "answer": result.text,
                    "bundle": {
                        "path": str(pipe.bundle.root),
                        "preset": pipe.bundle.preset,
                        "synthetic": pipe.bundle.synthetic,
                    },
                    "mode": args.mode,
                    **result.timings.as_dict(),
                }
            )
        )
    else:
        weights = "SYNTHETIC weights" if pipe.bundle.synthetic else "real weights"
        print("\n")
        print(_timing_table(result, f"{pipe.bundle.preset}, {weights}"))
    return 0


def _open_pipeline(args: argparse.Namespace, bundle, *, release_encoder: bool = False):
    from minicpmv_edge.runtime.encoders import EncoderOptions
    from minicpmv_edge.runtime.pipeline import Pipeline

    return Pipeline(
        bundle,
        target=None if args.encoder == "cpu" else args.target,
        precision=args.precision,
        encoder_options=EncoderOptions(threads=args.threads),
        decoder=args.decoder,
        threads=args.threads,
        max_context=args.max_context,
        verify=not args.no_verify,
        release_encoder=release_encoder,
    )


def _cmd_run(args: argparse.Namespace) -> int:
    # one question: encode, release the encoder, then load the decoder (peak RSS is the larger, not the sum)
    return _generate(_open_pipeline(args, args.bundle, release_encoder=True), args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from minicpmv_edge.demo import DemoRequest, run_demo

    req = DemoRequest(
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        threads=args.threads,
        max_new_tokens=args.max_new_tokens,
    )
    result = run_demo(req)
    print(result.text())
    return 0


# ------------------------------------------------------------------------------------------------ compile


def _backend_options(args: argparse.Namespace) -> dict[str, str]:
    """Backend options the user gave (only those: the backend refuses any it does not take)."""
    given = {
        "allow_cpu_fallback": "1" if args.allow_cpu_fallback else None,
        "npu_mode": args.npu_mode,
        "device": args.device,
        "tune_trials": None if args.tune_trials is None else str(args.tune_trials),
        "tune_ops": args.tune_ops,
        "cross_cxx": args.cross_cxx,
    }
    return {k: v for k, v in given.items() if v is not None}


def _cmd_compile(args: argparse.Namespace) -> int:
    from minicpmv_edge.npu_backends.base import CompileRequest
    from minicpmv_edge.npu_backends.chips import get_chip
    from minicpmv_edge.npu_backends.compile import compile_bundle

    req = CompileRequest(
        chip=get_chip(args.target),
        precision=args.precision,
        shapes=args.shapes,
        calibration=Path(args.calibration) if args.calibration else None,
        allow_cpu_fallback=args.allow_cpu_fallback,
        min_cosine=args.min_cosine,
        options=_backend_options(args),
    )
    build, result = compile_bundle(args.bundle, req, via=args.via)
    print(f"compiled {args.bundle}: build {build.name} ({build.backend}, {build.precision}) for {req.chip.name}")
    print(f"  folder {build.dir}")
    for rel in result.files:
        print(f"  {rel}")
    for key, value in result.report.get("summary", {}).items():
        print(f"  {key}: {json.dumps(value)}")
    for step in result.report.get("next_steps", []):
        print(f"next: {step}")
    return 0


# ------------------------------------------------------------------------------------------------ inspect


def _cmd_inspect(args: argparse.Namespace) -> int:
    from minicpmv_edge.inspect_bundle import inspect_bundle, render_text

    info = inspect_bundle(Path(args.bundle), verify=not args.no_verify)
    print(json.dumps(info, indent=2) if args.json else render_text(info))
    return 0


# -------------------------------------------------------------------------------------------------- bench


def _cmd_bench(args: argparse.Namespace) -> int:
    from minicpmv_edge.bench.command import BenchRequest, run_bench
    from minicpmv_edge.bench.figures import fmt
    from minicpmv_edge.bench.runner import BenchConfig

    config = BenchConfig(
        image=args.image or BenchConfig.image,
        mode=args.mode,
        runs=args.runs,
        warmup=args.warmup,
        prompt_tokens=args.prompt_tokens,
        max_new_tokens=args.max_new_tokens,
        stop_at_eos=args.stop_at_eos,
        target=args.target,
        threads=args.threads,
    )
    report, out = run_bench(
        BenchRequest(
            bundle=Path(args.bundle) if args.bundle else None,
            config=config,
            imports=tuple(Path(p) for p in args.imports or ()),
            preset=args.preset,
            precision=args.precision,
            cpu_encoder=args.encoder == "cpu",
            max_context=args.max_context,
            verify=not args.no_verify,
            out=Path(args.out) if args.out else None,
        )
    )
    for fig in report["figures"]:
        if fig["group"] != "estimated":
            stage = f"{fig['stage']} {fig['shape'] or ''}".strip()
            print(f"{stage:<16} {fmt(fig['value'], fig['unit']):>14}  {fig['provenance']:<16} {fig['source']}")
    verdicts = [m["verdict"] for m in report["profile_match"]]
    print(
        f"profile match: {sum(v == 'meets' for v in verdicts)} meet, {sum(v == 'misses' for v in verdicts)} miss, "
        f"{sum(v.startswith('not comparable') for v in verdicts)} not comparable, "
        f"{sum(v.startswith('estimated') for v in verdicts)} estimated (see report.md)"
    )
    print(f"report: {out}/report.json, report.md, report.html")
    return 0


def _cmd_apk(args: argparse.Namespace) -> int:
    from minicpmv_edge.android.apk import ApkRequest, build_apk

    req = ApkRequest(
        out=Path(args.out),
        bundle=Path(args.bundle) if args.bundle else None,
        qnn_libs=Path(args.qnn_libs) if args.qnn_libs else None,
        keystore=Path(args.keystore) if args.keystore else None,
        ort_aar=Path(args.ort_aar) if args.ort_aar else None,
    )
    if args.keystore:
        req.keystore_pass = os.environ.get("MINICPMV_EDGE_KEYSTORE_PASS", req.keystore_pass)
    r = build_apk(req)
    b = r.badging
    print(f"apk {r.path}: {r.bytes / 2**20:.1f} MiB, built in {r.seconds:.0f} s (host-measured), signed and verified")
    print(
        f"  package {b.get('package')} {b.get('version_name')}, minSdk {b.get('min_sdk')}, "
        f"targetSdk {b.get('target_sdk')}, native code {b.get('native_code')}"
    )
    print(f"  lib/arm64-v8a: {', '.join(r.native_libs)}")
    print(f"  classes.dex: {', '.join(f'{n} {group}' for group, n in r.classes.items())} classes")
    for use in r.native_uses:
        print(f"  uses-native-library {use.name} (required={str(use.required).lower()})")
    print(f"  embedded bundle: {r.embedded_bundle or 'none (push one with `minicpmv-edge android push BUNDLE`)'}")
    print(f"next: adb install -r {r.path}")
    return 0


def _cmd_android_push(args: argparse.Namespace) -> int:
    from minicpmv_edge.android.push import push_bundle

    r = push_bundle(Path(args.bundle), serial=args.serial)
    print(f"pushed {r.files} files ({r.bytes / 2**20:.1f} MiB) to {r.serial}:{r.remote}")
    return 0


def _add_android_commands(sub) -> None:
    apk = sub.add_parser("apk", help="build the Android app as a signed arm64 APK, offline (Debian tools, ORT 1.29)")
    apk.add_argument("--out", required=True, metavar="APK", help="APK file to write")
    apk.add_argument("--bundle", metavar="BUNDLE", help="embed a small bundle for a self-contained demo APK")
    apk.add_argument("--qnn-libs", metavar="DIR", help="QNN runtime libraries (libQnnHtp.so, ...) to ship")
    apk.add_argument("--ort-aar", metavar="AAR", help="ONNX Runtime AAR with the QNN EP (onnxruntime-android-qnn)")
    apk.add_argument("--keystore", metavar="KS", help="signing keystore (password: $MINICPMV_EDGE_KEYSTORE_PASS)")
    apk.set_defaults(func=_cmd_apk)
    android = sub.add_parser("android", help="phone-side helpers over adb")
    android_sub = android.add_subparsers(dest="android_command", required=True, parser_class=_Parser)
    push = android_sub.add_parser("push", help="copy a bundle into the app's folder on the phone")
    push.add_argument("bundle", metavar="BUNDLE")
    push.add_argument("--serial", metavar="S", help="adb serial of the phone (when several are connected)")
    push.set_defaults(func=_cmd_android_push)


# ------------------------------------------------------------------------------------------------- parser


def _add_encoder_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", help="chip whose compiled build runs the encoder, e.g. sm8650, ax650n")
    p.add_argument(
        "--precision",
        help="which build of --target (default: the most accurate compiled one); on the CPU: plain (the static "
        "fp32 graph), fp32 (ORT-fused) or int8 (default: the fastest whose export-time cosine held 0.995)",
    )
    p.add_argument(
        "--encoder", choices=["cpu"], help="cpu: run the exported fp32 encoder on this CPU even with --target"
    )
    p.add_argument("--threads", type=T.threads, help="CPU threads for ONNX Runtime, 1 .. CPUs (default: all cores)")
    p.add_argument("--max-context", type=T.tokens, help="KV-cache length to allocate (default: the bundle's)")
    p.add_argument("--no-verify", action="store_true", help="skip checking file hashes against the manifest")
    _add_decoder_arg(p)


def _add_generation_args(p: argparse.ArgumentParser, *, image_required: bool) -> None:
    p.add_argument("--image", required=image_required, help="image file (JPEG, PNG, ...)")
    p.add_argument("--prompt", type=T.text, required=image_required, help="question about the image")
    p.add_argument("--mode", default="fixed-280", choices=["fixed-280", "fixed-448", "uhd"])
    p.add_argument("--max-new-tokens", type=T.tokens, default=64)
    p.add_argument("--temperature", type=T.temperature, default=0.0, help="0 = greedy (default), up to 100")
    p.add_argument("--top-p", type=T.top_p, default=0.8, help="nucleus mass in (0, 1] (default 0.8)")
    p.add_argument("--seed", type=T.seed, default=0, help="sampling seed, 0 .. 2**32-1")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text and a table")
    _add_encoder_args(p)


def _add_decoder_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--decoder",
        default="onnx",
        choices=["onnx", "llamacpp"],
        help="LLM decoder: onnx (int4 ONNX Runtime, default) or llamacpp (the bundle's GGUF via llama-cpp-python)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="minicpmv-edge", description=__doc__)
    parser.add_argument("--version", action="version", version=f"minicpmv-edge {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    export = sub.add_parser("export", help="checkpoint -> bundle with static ONNX vision encoders")
    export.add_argument("--model", default=DEFAULT_PRESET, help=f"preset: {', '.join(PRESETS)}")
    source = export.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", metavar="DIR", help="HF checkpoint directory (config.json + safetensors)")
    source.add_argument("--synthetic", action="store_true", help="use synthetic weights in the official format")
    source.add_argument("--gguf-mmproj", metavar="FILE", help="llama.cpp MiniCPM-V mmproj GGUF (vision encoder)")
    export.add_argument("--gguf-llm", metavar="FILE", help="llama.cpp LLM GGUF (with --gguf-mmproj)")
    export.add_argument("--shapes", type=T.shapes, default=(280, 448), help="square input sizes, e.g. 280,448")
    export.add_argument("--out", required=True, metavar="BUNDLE", help="bundle directory to write")
    export.add_argument("--parts", type=_parts, help="vision,llm (default both; vision only for --gguf-mmproj alone)")
    export.add_argument("--seed", type=T.seed, default=0, help="seed for synthetic weights and parity inputs")
    export.add_argument("--min-cosine", type=T.min_cosine, default=0.9999, help="parity threshold (default 0.9999)")
    export.add_argument(
        "--kv-cache", choices=["float16", "float32"], default="float16", help="decoder KV cache type (default float16)"
    )
    export.add_argument(
        "--block-size",
        type=int,
        choices=BLOCK_SIZES,
        help="int4 block of the decoder's weights (default 128: smaller and faster; 32: finer, as llama.cpp Q4_0; "
        "a GGUF LLM keeps its own 32)",
    )
    export.set_defaults(func=_cmd_export)

    comp = sub.add_parser("compile", help="compile a bundle's vision encoders for a chip (QNN HTP, AX650N, ...)")
    comp.add_argument("bundle", metavar="BUNDLE")
    comp.add_argument("--target", required=True, help="chip, e.g. sm8650, ax650n, arm64-a76, adreno")
    comp.add_argument("--precision", help="qnn: w8a16 (default), w8a8, fp16; ax650n: u16 (default), u8")
    comp.add_argument("--shapes", type=T.shapes, help="which exported shapes (default: all in the bundle)")
    comp.add_argument("--calibration", metavar="DIR", help="calibration images (default: the shipped set)")
    comp.add_argument("--min-cosine", type=T.min_cosine, help="accuracy threshold vs fp32 (default per precision)")
    comp.add_argument("--via", choices=["qai-hub"], help="compile and profile in the cloud on a real phone")
    backend = comp.add_argument_group("backend options (each backend refuses the ones it does not take)")
    backend.add_argument(
        "--allow-cpu-fallback",
        action="store_true",
        help="accept ops the NPU cannot take (qnn: run on the CPU; ax650n: left for Pulsar2)",
    )
    backend.add_argument("--device", help='qai-hub: device, e.g. "Samsung Galaxy S24 (Family)"; ax650n: Pulsar2 quant')
    backend.add_argument("--npu-mode", choices=["NPU1", "NPU2", "NPU3"], help="ax650n NPU resources (default NPU3)")
    backend.add_argument(
        "--tune-trials",
        type=T.tune_trials,
        help="tvm CPU targets: MetaSchedule trials measured on this host (default 0)",
    )
    backend.add_argument("--tune-ops", metavar="A,B", help="tvm: tune only fused functions named like these")
    backend.add_argument("--cross-cxx", metavar="CXX", help="tvm: aarch64 C++ cross compiler (aarch64-linux-gnu-g++)")
    comp.set_defaults(func=_cmd_compile)

    inspect = sub.add_parser("inspect", help="what a bundle holds: model, weights, shapes, builds, verification")
    inspect.add_argument("bundle", metavar="BUNDLE")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.add_argument("--no-verify", action="store_true", help="skip hashing (report files as not verified)")
    inspect.set_defaults(func=_cmd_inspect)

    run = sub.add_parser("run", help="answer a question about an image with a bundle, timing every stage")
    run.add_argument("bundle", metavar="BUNDLE")
    _add_generation_args(run, image_required=True)
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser(
        "demo", help="the whole chain on the built-in tiny default: export, compile, run, bench, one table"
    )
    demo.add_argument("--cache-dir", help="where the demo keeps its bundle and report (default ~/.cache/minicpmv-edge)")
    demo.add_argument("--threads", type=T.threads, help="CPU threads for ONNX Runtime, 1 .. CPUs (default: all)")
    demo.add_argument("--max-new-tokens", type=T.tokens, default=16)
    demo.set_defaults(func=_cmd_demo)

    bench = sub.add_parser("bench", help="benchmark a bundle and/or import device results into a report")
    bench.add_argument("bundle", metavar="BUNDLE", nargs="?", help="bundle to run (optional with --import)")
    _add_encoder_args(bench)
    bench.add_argument("--mode", default="fixed-280", choices=["fixed-280", "fixed-448", "uhd"])
    bench.add_argument("--runs", type=T.runs, default=5, help="timed runs (default 5)")
    bench.add_argument("--warmup", type=T.warmup, default=1, help="untimed runs first (default 1)")
    bench.add_argument("--image", help="image file (default: the bundled sample photo)")
    bench.add_argument("--prompt-tokens", type=T.tokens, default=96, help="question length in tokens (default 96)")
    bench.add_argument("--max-new-tokens", type=T.tokens, default=64)
    bench.add_argument("--stop-at-eos", action="store_true", help="stop at end of sequence (default: always decode N)")
    bench.add_argument(
        "--import",
        dest="imports",
        action="append",
        metavar="FILE",
        help="device results: qai-hub profile JSON, ax_run_model log, Android app JSON (repeatable)",
    )
    bench.add_argument("--preset", help="model the imported files measured, if they do not say (default: BUNDLE's)")
    bench.add_argument("--out", metavar="DIR", help="report directory (default: bench-<time>)")
    bench.set_defaults(func=_cmd_bench)
    _add_android_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="[minicpmv-edge] %(message)s",
        stream=sys.stderr,
        force=True,
    )
    try:
        return args.func(args)
    except EdgeError as err:
        print(f"minicpmv-edge: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("minicpmv-edge: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
