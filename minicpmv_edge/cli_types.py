"""argparse types for every number and text the CLI takes: a bad value is a one-line usage error (exit 2).

Why here: `float("nan")`, `float("inf")` and negative counts parse fine in Python, and each one used to slip
past a gate (`--min-cosine nan` passes every comparison), crash deep in numpy (`--temperature nan`,
`--seed -1`) or hang (`--threads 100000` asks ONNX Runtime for 100,000 threads). Each flag states its range once,
here; nothing is clamped silently.

Ranges:
  --temperature     finite, 0 <= t <= 100 (0 = greedy)
  --top-p           finite, 0 < p <= 1
  --min-cosine      finite, 0 <= c <= 1
  --seed            integer 0 .. 2**32-1 (numpy and torch both accept that range)
  --threads         integer 1 .. this machine's CPU count (more threads than CPUs only slows ONNX Runtime down)
  counts            --runs 1..10000, --warmup 0..1000, --max-new-tokens / --max-context / --prompt-tokens 1..1,000,000
  --shapes          comma-separated sides 1..980 (the models' position tables cover 980x980 = 70x70 patches; a
                    larger static shape would only exhaust memory in attention, which grows with the 4th power)
  --prompt          text that is valid Unicode (a non-UTF-8 byte in argv arrives as a lone surrogate and is refused)
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable

from minicpmv_edge.runtime.sampling import MAX_SEED

MAX_SHAPE = 980
MAX_TOKENS = 1_000_000


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def int_range(low: int, high: int | Callable[[], int]) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high]; `high` may be computed at parse time (e.g. the CPU count)."""

    def parse(text: str) -> int:
        value = _integer(text)
        top = high() if callable(high) else high
        if not low <= value <= top:
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {top}, got {text!r}")
        return value

    return parse


def float_range(low: float, high: float, *, low_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite float in [low, high] (or (low, high] with `low_open`); NaN and inf are refused."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        below = value <= low if low_open else value < low
        if not math.isfinite(value) or below or value > high:
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(f"must be a finite number in {bracket}{low:g}, {high:g}], got {text!r}")
        return value

    return parse


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total, where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def text(value: str) -> str:
    """Text a user typed; refuses what cannot be UTF-8 (argv bytes that were not UTF-8 arrive as surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("is not valid UTF-8 text") from None
    return value


def shapes(text: str) -> tuple[int, ...]:
    """Comma-separated square sides, deduplicated in order, each 1..MAX_SHAPE (patch multiples are checked later)."""
    try:
        sides = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"shapes must be comma-separated integers, got {text!r}") from None
    if not sides or any(not 0 < s <= MAX_SHAPE for s in sides):
        raise argparse.ArgumentTypeError(f"shapes must be from 1 to {MAX_SHAPE}, got {text!r}")
    return tuple(dict.fromkeys(sides))


temperature = float_range(0.0, 100.0)
top_p = float_range(0.0, 1.0, low_open=True)
min_cosine = float_range(0.0, 1.0)
seed = int_range(0, MAX_SEED)
threads = int_range(1, cpu_count)
runs = int_range(1, 10_000)
warmup = int_range(0, 1_000)
tokens = int_range(1, MAX_TOKENS)
tune_trials = int_range(0, 100_000)  # tvm: MetaSchedule trials (0: reuse the build's database only)
