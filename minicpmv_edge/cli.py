"""`minicpmv-edge` command line. The only place that prints; every user error is one line and exit code 2."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import NoReturn

from minicpmv_edge import __version__
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.presets import DEFAULT_PRESET, PRESETS, get_preset

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse prints usage + message; we want one line
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def _shapes(text: str) -> tuple[int, ...]:
    try:
        shapes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"shapes must be comma-separated integers, got {text!r}") from None
    if not shapes or any(s <= 0 for s in shapes):
        raise argparse.ArgumentTypeError(f"shapes must be positive, got {text!r}")
    return tuple(dict.fromkeys(shapes))


def _cmd_export(args: argparse.Namespace) -> int:
    from minicpmv_edge.export.pipeline import ExportRequest, export_bundle

    preset = get_preset(args.model)
    req = ExportRequest(
        preset=preset,
        out=Path(args.out),
        shapes=args.shapes,
        checkpoint=Path(args.checkpoint) if args.checkpoint else None,
        parts=args.parts,
        seed=args.seed,
        min_cosine=args.min_cosine,
    )
    manifest = export_bundle(req)
    weights = f"synthetic (seed {args.seed})" if manifest["model"]["synthetic"] else "real checkpoint"
    print(f"bundle {req.out}: {preset.name} ({preset.hf_name}), weights {weights}")
    for enc in manifest.get("vision", {}).get("encoders", {}).values():
        par = enc["parity"]
        print(
            f"  {enc['file']:<26} {enc['input']['shape']} -> {enc['output']['shape']}  "
            f"parity vs torch: cosine {par['cosine']:.7f}, max abs {par['max_abs']:.2e} (host-measured)"
        )
    if "llm" in manifest:
        llm = manifest["llm"]
        print(f"  llm/ int4 decoder ({llm.get('quantization', {})}), tokenizer: {manifest['tokenizer']['source']}")
    return 0


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _option(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


class _MergeOptions(argparse.Action):
    """Collect repeated `--option KEY=VALUE` into one dict."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        merged = dict(getattr(namespace, self.dest) or {})
        key, value = values
        merged[key] = value
        setattr(namespace, self.dest, merged)


def _parts(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def _timing_table(result, bundle_label: str) -> str:
    from minicpmv_edge.bench.reference import AX650N_MINICPM_V2 as ref

    t = result.timings
    shapes = ", ".join(str(s) for s in t.encode_shapes)
    rows = [
        ("preprocess", f"{t.preprocess_s:.3f} s", ""),
        (
            "encode",
            f"{t.encode_s:.3f} s ({len(t.encode_shapes)} x [{shapes}], {t.encoder_backend})",
            f"{ref.encode_s} s",
        ),
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
        f"encode figures: {t.encoder_provenance}; LLM figures: {t.llm_provenance} (this host, not the reference device)"
    )
    return "\n".join(lines)


def _bundle_label(pipe) -> str:
    weights = "SYNTHETIC weights" if pipe.bundle.synthetic else "real weights"
    return f"{pipe.bundle.preset}, {weights}"


def _generate(pipe, args: argparse.Namespace) -> int:
    from minicpmv_edge.runtime.sampling import Sampling

    sampling = Sampling(temperature=args.temperature, top_p=args.top_p, seed=args.seed)
    stream = None if args.json else (lambda piece: print(piece, end="", flush=True))
    result = pipe.generate(
        args.image, args.prompt, mode=args.mode, max_new_tokens=args.max_new_tokens, sampling=sampling, on_token=stream
    )
    if args.json:
        t = result.timings
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
                    **t.as_dict(),
                }
            )
        )
    else:
        print("\n")
        print(_timing_table(result, _bundle_label(pipe)))
    return 0


def _open_pipeline(args: argparse.Namespace, bundle):
    from minicpmv_edge.runtime.encoders import EncoderOptions
    from minicpmv_edge.runtime.pipeline import Pipeline

    options = EncoderOptions(target=args.target, threads=args.threads)
    return Pipeline(
        bundle,
        encoder=args.encoder,
        encoder_options=options,
        threads=args.threads,
        max_context=args.max_context,
        verify=not args.no_verify,
    )


def _cmd_run(args: argparse.Namespace) -> int:
    return _generate(_open_pipeline(args, args.bundle), args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from minicpmv_edge.demo import DEMO_PROMPT, SAMPLE_IMAGE, demo_bundle

    bundle = demo_bundle(Path(args.cache_dir) if args.cache_dir else None)
    args.image = args.image or str(SAMPLE_IMAGE)
    args.prompt = args.prompt or DEMO_PROMPT
    pipe = _open_pipeline(args, bundle)
    if not args.json:
        print(
            f"demo: {pipe.bundle.preset} bundle at {bundle} with SYNTHETIC random weights: the answer is "
            "meaningless text; the timings are real measurements of this tiny model on this host.\n"
            f"image: {args.image} ({args.mode}); prompt: {args.prompt!r}\nanswer: ",
            end="",
            flush=True,
        )
    return _generate(pipe, args)


def _cmd_compile(args: argparse.Namespace) -> int:
    from minicpmv_edge.npu_backends.base import CompileRequest
    from minicpmv_edge.npu_backends.chips import get_chip
    from minicpmv_edge.npu_backends.compile import compile_bundle

    options = {k: v for k, v in (("npu_mode", args.npu_mode), ("device", args.device)) if v}
    if args.tune_trials is not None:
        options["tune_trials"] = str(args.tune_trials)
    options.update(args.options or {})
    req = CompileRequest(
        chip=get_chip(args.target),
        precision=args.precision,
        shapes=args.shapes,
        calibration=Path(args.calibration) if args.calibration else None,
        allow_cpu_fallback=args.allow_cpu_fallback,
        min_cosine=args.min_cosine,
        options=options,
    )
    name, result = compile_bundle(args.bundle, req, via=args.via)
    print(f"compiled {args.bundle}/compiled/{name} for {req.chip.name} ({req.chip.key})")
    for rel in result.files:
        print(f"  {rel}")
    for key, value in result.report.get("summary", {}).items():
        print(f"  {key}: {json.dumps(value)}")
    for step in result.report.get("next_steps", []):
        print(f"next: {step}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from minicpmv_edge.bench.estimate import estimate_bundle
    from minicpmv_edge.bench.figures import fmt
    from minicpmv_edge.bench.importers import import_file
    from minicpmv_edge.bench.machine import machine_info
    from minicpmv_edge.bench.report import build_report, write_report
    from minicpmv_edge.bench.runner import BenchConfig, open_bundle, run_host
    from minicpmv_edge.npu_backends.chips import CHIPS, get_chip

    if not args.bundle and not args.imports:
        raise EdgeError("bench needs a BUNDLE to run, --import FILE to read device results, or both")
    target = get_chip(args.target).key if args.target else None
    if args.preset:
        get_preset(args.preset)  # an unknown name is a user error here, not a silent "not comparable" later
    config = BenchConfig(
        image=args.image or BenchConfig.image,
        mode=args.mode,
        runs=args.runs,
        warmup=args.warmup,
        prompt_tokens=args.prompt_tokens,
        max_new_tokens=args.max_new_tokens,
        stop_at_eos=args.stop_at_eos,
        target=target,
        threads=args.threads,
    )
    config.check()
    bundle = open_bundle(args.bundle, verify=not args.no_verify, stop_at_eos=args.stop_at_eos) if args.bundle else None
    preset = args.preset or (bundle.preset if bundle else None)
    imports = [import_file(path, preset=preset) for path in args.imports or []]
    host = estimates = None
    if bundle is not None:
        host = run_host(_open_pipeline(args, bundle), config)
        first = host.runs[0]
        estimates = estimate_bundle(
            bundle,
            list(CHIPS),
            mode=config.mode,
            shapes_per_image=first["encode_shapes"],
            kv_position=first["prefill_tokens"] + config.max_new_tokens // 2,
        )
    report = build_report(
        host=host,
        machine=machine_info(args.threads) if host else None,
        imports=imports,
        estimates=estimates,
        target=target,
    )
    out = write_report(report, args.out or f"bench-{report['created_at'][:19].replace(':', '')}")
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


def _add_generation_args(p: argparse.ArgumentParser, *, image_required: bool) -> None:
    p.add_argument("--image", required=image_required, help="image file (JPEG, PNG, ...)")
    p.add_argument("--prompt", required=image_required, help="question about the image")
    p.add_argument("--mode", default="fixed-280", choices=["fixed-280", "fixed-448", "uhd"])
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    p.add_argument("--top-p", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--encoder", default="cpu", help="encoder backend: cpu, qnn, axengine, tvm (compiled builds)")
    p.add_argument("--target", help="chip for NPU encoder backends, e.g. sm8650")
    p.add_argument("--threads", type=int, help="CPU threads for ONNX Runtime (default: all cores)")
    p.add_argument("--max-context", type=int, help="KV-cache length to allocate (default: the bundle's)")
    p.add_argument("--no-verify", action="store_true", help="skip checking file hashes against the manifest")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text and a table")


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
    export.add_argument("--shapes", type=_shapes, default=(280, 448), help="square input sizes, e.g. 280,448")
    export.add_argument("--out", required=True, metavar="BUNDLE", help="bundle directory to write")
    export.add_argument("--parts", type=_parts, default=("vision", "llm"), help="vision,llm (default both)")
    export.add_argument("--seed", type=int, default=0, help="seed for synthetic weights and parity inputs")
    export.add_argument("--min-cosine", type=float, default=0.9999, help="parity threshold (default 0.9999)")
    export.set_defaults(func=_cmd_export)

    comp = sub.add_parser("compile", help="compile a bundle's vision encoders for an NPU (QNN HTP, AX650N, ...)")
    comp.add_argument("bundle", metavar="BUNDLE")
    comp.add_argument("--target", required=True, help="chip, e.g. sm8650, ax650n, arm64-a76, adreno")
    comp.add_argument("--precision", help="qnn: w8a16 (default), w8a8, fp16; ax650n: u16 (default), u8")
    comp.add_argument("--shapes", type=_shapes, help="which exported shapes (default: all in the bundle)")
    comp.add_argument("--calibration", metavar="DIR", help="calibration images (default: calibration_data/)")
    comp.add_argument("--allow-cpu-fallback", action="store_true", help="accept ops the NPU cannot take (qnn)")
    comp.add_argument("--min-cosine", type=float, help="accuracy threshold vs fp32 (default per precision)")
    comp.add_argument("--via", choices=["qai-hub"], help="compile and profile in the cloud on a real phone")
    comp.add_argument("--device", help='qai-hub device, e.g. "Samsung Galaxy S24 (Family)"')
    comp.add_argument("--npu-mode", choices=["NPU1", "NPU2", "NPU3"], help="ax650n NPU resources (default NPU3)")
    comp.add_argument(
        "--tune-trials", type=_non_negative, help="tvm CPU targets: MetaSchedule trials on this host (default 0)"
    )
    comp.add_argument(
        "--option",
        dest="options",
        type=_option,
        action=_MergeOptions,
        metavar="KEY=VALUE",
        help="backend option, repeatable (tvm: max_trials_per_task, heldout_images, timing_runs, cross_cxx)",
    )
    comp.set_defaults(func=_cmd_compile)

    run = sub.add_parser("run", help="answer a question about an image with a bundle, timing every stage")
    run.add_argument("bundle", metavar="BUNDLE")
    _add_generation_args(run, image_required=True)
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser("demo", help="build (or reuse) a tiny synthetic bundle and run the sample photo")
    demo.add_argument("--cache-dir", help="where the demo bundle is kept (default: ~/.cache/minicpmv-edge)")
    _add_generation_args(demo, image_required=False)
    demo.set_defaults(func=_cmd_demo, max_new_tokens=32)

    bench = sub.add_parser("bench", help="benchmark a bundle and/or import device results into a report")
    bench.add_argument("bundle", metavar="BUNDLE", nargs="?", help="bundle to run (optional with --import)")
    bench.add_argument("--encoder", default="cpu", help="encoder backend: cpu, qnn, axengine")
    bench.add_argument("--target", help="chip, e.g. sm8650 or ax650n (NPU encoders; the reference charted)")
    bench.add_argument("--mode", default="fixed-280", choices=["fixed-280", "fixed-448", "uhd"])
    bench.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    bench.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    bench.add_argument("--image", help="image file (default: the bundled sample photo)")
    bench.add_argument("--prompt-tokens", type=int, default=96, help="question length in tokens (default 96)")
    bench.add_argument("--max-new-tokens", type=int, default=64)
    bench.add_argument("--stop-at-eos", action="store_true", help="stop at end of sequence (default: always decode N)")
    bench.add_argument("--threads", type=int, help="CPU threads for ONNX Runtime (default: all cores)")
    bench.add_argument("--max-context", type=int, help="KV-cache length to allocate (default: the bundle's)")
    bench.add_argument("--no-verify", action="store_true", help="skip checking file hashes against the manifest")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="[minicpmv-edge] %(message)s",
        stream=sys.stderr,
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
