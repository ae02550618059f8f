"""Run one greedy generation with a bundle and dump what aarch64_runtime.py compares: token ids and encoder output.

Runs unchanged on the x86_64 host and, under scripts/aarch64_harness.py, on emulated aarch64 (no torch there).

    python benchmarks/aarch64_probe.py BUNDLE IMAGE OUT.npy [--target arm64-a76]
Prints one JSON line: token ids, answer, the encoder's provenance and the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import numpy as np

from minicpmv_edge.runtime.images import load_image
from minicpmv_edge.runtime.pipeline import Pipeline
from minicpmv_edge.runtime.preprocess import preprocess

PROMPT = "What is in the image?"
MODE = "fixed-280"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle")
    parser.add_argument("image")
    parser.add_argument("out", help="where to save the encoder output [Q, D] float32 (.npy)")
    parser.add_argument("--target", help="chip whose build encodes (default: ONNX Runtime on the CPU)")
    parser.add_argument("--max-new-tokens", type=int, default=16)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    # without a target, the plain static graph: the TVM builds compile that graph, and every encoder output here is
    # compared with the host CPU's, so all of them must run the same graph (not the int8 CPU default)
    pipe = Pipeline(args.bundle, target=args.target, precision=None if args.target else "plain")
    result = pipe.generate(args.image, PROMPT, mode=MODE, max_new_tokens=args.max_new_tokens)
    pixel_values = preprocess(load_image(args.image), MODE).inputs[0].pixel_values
    np.save(args.out, pipe.encoder.encode(pixel_values))
    print(
        json.dumps(
            {
                "machine": platform.machine(),
                "token_ids": result.token_ids,
                "answer": result.text,
                "encoder": pipe.encoder.name,
                "encoder_provenance": pipe.encoder.provenance,
                "encode_s": round(result.timings.encode_s, 3),
                "total_s": round(time.perf_counter() - t0, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
