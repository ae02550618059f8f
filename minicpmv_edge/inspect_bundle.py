"""`inspect`: what a bundle holds and whether its files still verify, as one JSON-able dict (and a text view).

Unlike opening a bundle to run it, inspecting hashes every file and lists each problem instead of stopping at the
first, so a user sees exactly which file was modified. A manifest that breaks the schema is still a one-line error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minicpmv_edge.bundle import SHA_DIFFERS, check_confined, file_problem, read_manifest
from minicpmv_edge.errors import EdgeError
from minicpmv_edge.manifest import MANIFEST_VERSION, Build, Manifest
from minicpmv_edge.npu_backends.chips import get_chip
from minicpmv_edge.safe_json import load_json_file

COSINE_KEYS = ("cosine", "simulated_cosine")  # qnn / qai-hub summaries, AX650 emulation summaries


def _verification(root: Path, manifest: Manifest, verify: bool) -> dict[str, Any]:
    problems: list[str] = []
    try:
        check_confined(root, manifest)
    except EdgeError as err:
        problems.append(str(err))
    checked = 0
    for record in manifest.files:
        problem = file_problem(root, record, hash_check=verify)
        checked += verify and problem in (None, SHA_DIFFERS)  # hashed: present with the recorded size
        if problem:
            problems.append(f"{record.path}: {problem}")
    return {
        "hashed": verify,
        "files": len(manifest.files),
        "files_hashed": checked,
        "bytes": sum(r.bytes for r in manifest.files),
        "ok": not problems,
        "problems": problems,
    }


def _build(root: Path, manifest: Manifest, build: Build) -> dict[str, Any]:
    try:
        chip_name = get_chip(build.chip).name
    except EdgeError:
        chip_name = "unknown chip"
    try:
        report = load_json_file(root / build.report, what="compile report")
    except EdgeError:
        report = {}
    accuracy = {}
    for size, entry in build.summary.items():
        if not isinstance(entry, dict):
            continue
        for key in COSINE_KEYS:
            if isinstance(entry.get(key), int | float):
                accuracy[size] = {"cosine": entry[key], "provenance": entry.get("provenance", "emulated")}
                break
    prefix = f"{build.dir}/"
    return {
        "name": build.name,
        "backend": build.backend,
        "chip": build.chip,
        "chip_name": chip_name,
        "precision": build.precision,
        "runtime": build.runtime,
        "runnable": build.runtime is not None,
        "shapes": sorted(build.encoders),
        "dir": build.dir,
        "bytes": sum(r.bytes for r in manifest.files if r.path.startswith(prefix)),
        "accuracy_vs_fp32": accuracy,
        "tools": report.get("tools", {}),
        "created_at": report.get("created_at"),
    }


def inspect_bundle(root: Path, *, verify: bool = True) -> dict[str, Any]:
    manifest = read_manifest(root)
    m = manifest.model
    info: dict[str, Any] = {
        "bundle": str(root),
        "manifest_version": MANIFEST_VERSION,
        "created_by": manifest.created_by,
        "created_at": manifest.created_at,
        "model": {
            "preset": m.preset,
            "version": m.version,
            "hf_name": m.hf_name,
            "weights": "synthetic" if m.synthetic else "real checkpoint",
            "source": m.source,
        },
        "parts": list(manifest.parts),
        "vision": None,
        "llm": None,
        "builds": [_build(root, manifest, b) for b in manifest.compiled.values()],
        "tools": manifest.tools,
        "verification": _verification(root, manifest, verify),
    }
    if manifest.vision:
        info["vision"] = {
            "shapes": list(manifest.vision.shapes),
            "output": list(next(iter(manifest.vision.encoders.values())).output.shape),
            "parity_vs_torch": {
                str(size): (enc.parity or {}).get("cosine") for size, enc in sorted(manifest.vision.encoders.items())
            },
        }
    if manifest.llm:
        llm = manifest.llm
        info["llm"] = {
            "arch": llm.arch,
            "layers": llm.num_layers,
            "hidden_size": llm.hidden_size,
            "vocab_size": llm.vocab_size,
            "weights": f"{llm.quantization.get('weights', '?')} {llm.quantization.get('op', '')}".strip(),
            "block_size": llm.quantization.get("block_size"),
            "embedding": llm.embedding.storage,
            "kv_cache": llm.kv_cache.get("dtype"),
            "tokenizer": manifest.tokenizer.source if manifest.tokenizer else None,
        }
    return info


def render_text(info: dict[str, Any]) -> str:
    m = info["model"]
    v = info["verification"]
    lines = [
        f"bundle {info['bundle']} (manifest v{info['manifest_version']}, {info['created_by']}, {info['created_at']})",
        f"model   {m['preset']} (MiniCPM-V {m['version']}, {m['hf_name']}), weights: {m['weights'].upper()}",
    ]
    if info["vision"]:
        vis = info["vision"]
        parity = ", ".join(f"{s}: {c:.7f}" for s, c in vis["parity_vs_torch"].items() if c is not None)
        lines.append(f"vision  shapes {vis['shapes']} -> {vis['output']}; ONNX vs torch cosine {parity} (host)")
    if info["llm"]:
        llm = info["llm"]
        lines.append(
            f"llm     {llm['arch']}, {llm['layers']} layers, hidden {llm['hidden_size']}, vocab {llm['vocab_size']}: "
            f"{llm['weights']} block {llm['block_size']}, embeddings {llm['embedding']}, KV {llm['kv_cache']}"
        )
    if not info["builds"]:
        lines.append("builds  none (minicpmv-edge compile BUNDLE --target CHIP)")
    for b in info["builds"]:
        acc = ", ".join(f"{s}: {a['cosine']:.5f} {a['provenance']}" for s, a in b["accuracy_vs_fp32"].items())
        runs = f"runs with {b['runtime']}" if b["runnable"] else "nothing runnable yet (see its report's next steps)"
        lines.append(
            f"build   {b['name']}: {b['backend']} {b['precision']} for {b['chip']} ({b['chip_name']}), "
            f"shapes {b['shapes']}, {b['bytes'] / 1e6:.1f} MB, {runs}; cosine vs fp32 {acc or 'n/a'}"
        )
    state = "all verified" if v["ok"] and v["hashed"] else "sizes match, NOT hashed (--no-verify)" if v["ok"] else ""
    lines.append(f"files   {v['files']} files, {v['bytes'] / 1e6:.1f} MB: {state or 'PROBLEMS:'}")
    lines += [f"        - {p}" for p in v["problems"]]
    return "\n".join(lines)
