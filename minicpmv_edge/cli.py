"""`minicpmv-edge` command line. The only place that prints; every user error is one line and exit code 2."""

from __future__ import annotations

import argparse
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
        seed=args.seed,
        min_cosine=args.min_cosine,
    )
    manifest = export_bundle(req)
    weights = f"synthetic (seed {args.seed})" if manifest["model"]["synthetic"] else "real checkpoint"
    print(f"bundle {req.out}: {preset.name} ({preset.hf_name}), weights {weights}")
    for enc in manifest["vision"]["encoders"].values():
        par = enc["parity"]
        print(
            f"  {enc['file']:<26} {enc['input']['shape']} -> {enc['output']['shape']}  "
            f"parity vs torch: cosine {par['cosine']:.7f}, max abs {par['max_abs']:.2e} (host-measured)"
        )
    return 0


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
    export.add_argument("--seed", type=int, default=0, help="seed for synthetic weights and parity inputs")
    export.add_argument("--min-cosine", type=float, default=0.9999, help="parity threshold (default 0.9999)")
    export.set_defaults(func=_cmd_export)
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
