"""Board timings from `ax_run_model` (the AX650N's preinstalled benchmark tool), stored with the bundle.

`ax_run_model -m encoder_280.axmodel -w 3 -r 10` prints a header (`model:`, `type:`, `vnpu:`, `warmup:`, `repeat:`,
`pulsar2 ver:` ...) and one `min = … ms   max = … ms   avg = … ms` line; those are NPU-only times of the compiled
model, measured on the board, so they are labelled `device-measured`. Parsing needs only the standard library:
it runs on the board. `--save-benchmark` writes min/max/avg "as a json file" whose layout the docs do not show;
`parse_benchmark_json` therefore accepts any object carrying min/max/avg keys (see its docstring).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from minicpmv_edge.errors import EdgeError
from minicpmv_edge.manifest import Build
from minicpmv_edge.npu_backends.ax650 import compiled_builds, record_compiled_files

PROVENANCE = "device-measured"
TIMING = re.compile(
    r"min\s*=\s*(?P<min>[\d.]+)\s*ms\s+max\s*=\s*(?P<max>[\d.]+)\s*ms\s+avg\s*=\s*(?P<avg>[\d.]+)\s*ms", re.IGNORECASE
)
HEADER = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z0-9 ]*?)\s*:\s*(?P<value>.*?)\s*$")
SHAPE_IN_NAME = re.compile(r"encoder_(\d+)")


@dataclass(frozen=True)
class AxRunModelResult:
    """One `ax_run_model` timing run; all times in milliseconds per inference."""

    min_ms: float
    max_ms: float
    avg_ms: float
    model: str | None = None
    npu_type: str | None = None  # "type:" line: "1 Core" / "NPU3" (wording varies with the tool version)
    vnpu: str | None = None
    affinity: str | None = None
    warmup: int | None = None
    repeat: int | None = None
    batch: str | None = None
    pulsar2_version: str | None = None
    engine_version: str | None = None
    tool_version: str | None = None
    cmm_size_bytes: int | None = None
    tool: str = "ax_run_model"
    header: dict[str, str] = field(default_factory=dict)  # every header line as printed

    @property
    def shape(self) -> int | None:
        """Square input size, when the model file follows the SDK's `encoder_<S>.axmodel` naming."""
        found = SHAPE_IN_NAME.search(Path(self.model).name) if self.model else None
        return int(found.group(1)) if found else None

    def as_encoder_result(self) -> dict[str, Any]:
        """The JSON stored with the bundle: an encoder timing labelled device-measured."""
        data = asdict(self)
        data.pop("header")
        encode_s = self.avg_ms / 1000
        return {"provenance": PROVENANCE, "shape": self.shape, "encode_s": encode_s, **data, "raw": self.header}


def _int(text: str | None) -> int | None:
    found = re.search(r"\d+", text or "")
    return int(found.group()) if found else None


def _from_header(header: dict[str, str], timing: re.Match[str]) -> AxRunModelResult:
    return AxRunModelResult(
        min_ms=float(timing["min"]),
        max_ms=float(timing["max"]),
        avg_ms=float(timing["avg"]),
        model=header.get("model"),
        npu_type=header.get("type"),
        vnpu=header.get("vnpu"),
        affinity=header.get("affinity"),
        warmup=_int(header.get("warmup")),
        repeat=_int(header.get("repeat")),
        batch=header.get("batch"),
        pulsar2_version=header.get("pulsar2 ver"),
        engine_version=header.get("engine ver"),
        tool_version=header.get("tool ver"),
        cmm_size_bytes=_int(header.get("cmm size")),
        header=dict(header),
    )


def parse_outputs(text: str) -> list[AxRunModelResult]:
    """Every run in an `ax_run_model` (or `axcl_run_model`) console log, in order; lines starting with `#` are
    comments. A header belongs to the timing line after it; a timing line without a header (e.g. `--verify`
    runs) still parses, with the header fields left empty."""
    results, header = [], {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if stripped.startswith("Run AxModel"):
            header = {}
        elif timing := TIMING.search(line):
            results.append(_from_header(header, timing))
            header = {}
        elif (kv := HEADER.match(line)) and not stripped.startswith("-"):
            header[kv["key"].strip().lower()] = kv["value"]
    return results


def parse_output(text: str) -> AxRunModelResult:
    """The single run in an `ax_run_model` log; a log with none or several is a one-line error."""
    results = parse_outputs(text)
    if len(results) != 1:
        found = "no 'min = … ms max = … ms avg = … ms' line" if not results else f"{len(results)} runs"
        raise EdgeError(f"expected one ax_run_model run in the log, found {found}")
    return results[0]


def parse_benchmark_json(data: str | dict[str, Any], model: str | None = None) -> AxRunModelResult:
    """The `--save-benchmark` file. Its layout is not documented and has not been seen here, so this accepts an
    object with min/max/avg numbers (keys matched case-insensitively, optionally suffixed `_ms`), at the top level
    or one level down, plus an optional `model` string; anything else is a one-line error naming the keys found."""
    obj = json.loads(data) if isinstance(data, str) else data
    if not isinstance(obj, dict):
        raise EdgeError("ax_run_model benchmark JSON is not an object")
    for candidate in [obj, *(v for v in obj.values() if isinstance(v, dict))]:
        keys = {k.lower().removesuffix("_ms"): v for k, v in candidate.items()}
        if all(isinstance(keys.get(k), int | float) for k in ("min", "max", "avg")):
            return AxRunModelResult(
                min_ms=float(keys["min"]),
                max_ms=float(keys["max"]),
                avg_ms=float(keys["avg"]),
                model=model or obj.get("model") or candidate.get("model"),
                repeat=keys.get("repeat") if isinstance(keys.get("repeat"), int) else None,
                tool="ax_run_model --save-benchmark",
            )
    raise EdgeError(f"ax_run_model benchmark JSON has no min/max/avg numbers (keys: {', '.join(map(str, obj))})")


def store_device_result(
    root: str | Path, result: AxRunModelResult, folder: str | None = None, name: str | None = None
) -> Path:
    """Write `<build dir>/device_results/<name>.json` and record it in the manifest (hash + a summary line under the
    build's `summary.device_results`). `folder` (a build name) defaults to the bundle's AX650N build (u16 first),
    `name` to the model file's stem, e.g. `encoder_280`."""
    root = Path(root)
    builds = {b.name: b for b in compiled_builds(root)}
    build = builds.get(folder) if folder else next(iter(builds.values()), None)
    if build is None:
        raise EdgeError(f"bundle {root} has no AX650N build; run minicpmv-edge compile --target ax650n")
    name = name or (Path(result.model).stem if result.model else None)
    if not name or not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise EdgeError(f"cannot name the device result {name!r}: pass name= (letters, digits, _ . -)")
    rel = f"device_results/{name}.json"
    path = root / build.dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = result.as_encoder_result()
    path.write_text(json.dumps(payload, indent=2) + "\n")

    def update(entry: Build) -> Build:
        results = dict(entry.summary.get("device_results", {}))
        results[name] = {
            "file": f"{entry.dir}/{rel}",
            "shape": payload["shape"],
            "avg_ms": result.avg_ms,
            "min_ms": result.min_ms,
            "max_ms": result.max_ms,
            "repeat": result.repeat,
            "npu_type": result.npu_type,
            "provenance": PROVENANCE,
        }
        return dataclasses.replace(entry, summary={**entry.summary, "device_results": results})

    record_compiled_files(root, build.name, [rel], update)
    return path


def store_log(root: str | Path, log_path: str | Path, folder: str | None = None) -> list[Path]:
    """Parse an `ax_run_model` console log (one or more runs) and store every run with the bundle."""
    results = parse_outputs(Path(log_path).read_text(errors="replace"))
    if not results:
        raise EdgeError(f"{log_path} has no ax_run_model 'min = … ms max = … ms avg = … ms' line")
    return [store_device_result(root, r, folder) for r in results]
