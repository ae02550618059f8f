"""The JSON Schemas of the bench files (in `schemas/`), and validation that fails in one line."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import EdgeError

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
REPORT_SCHEMA_ID = "minicpmv-edge/bench-report"
ANDROID_SCHEMA_ID = "minicpmv-edge/android-benchmark"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """`name` is `report` or `android_benchmark`."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())


def errors(data: Any, name: str) -> list[str]:
    """Every violation of schema `name`, as `path: message` lines (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema(name))
    found = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}" for e in found]


def validate(data: Any, name: str, *, what: str) -> None:
    """Raise a one-line `EdgeError` naming the first violation (and how many there are)."""
    problems = errors(data, name)
    if problems:
        first = problems[0].splitlines()[0][:300]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise EdgeError(f"{what} does not match the {name} schema: {first}{more}")
