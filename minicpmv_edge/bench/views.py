"""What the Markdown and HTML reports show, computed once from the report JSON (both renderers only format it)."""

from __future__ import annotations

from typing import Any

from minicpmv_edge.bench import figures as F
from minicpmv_edge.bench.match import REFERENCE_STAGES
from minicpmv_edge.bench.svg import Bar, BarGroup

Row = list[str]


def _label(fig: dict[str, Any]) -> str:
    shape = f" {fig['shape']}x{fig['shape']}" if fig.get("shape") else ""
    return f"{F.STAGE_LABELS[fig['stage']]}{shape}"


def _spread(fig: dict[str, Any]) -> str:
    unit = fig["unit"]
    if fig.get("p10") is not None and fig.get("p90") is not None:
        return f"{F.fmt(fig['p10'], unit)} – {F.fmt(fig['p90'], unit)}"
    if fig.get("min") is not None and fig.get("max") is not None:
        return f"min {F.fmt(fig['min'], unit)}, max {F.fmt(fig['max'], unit)}"
    return "-"


def setup_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, value) pairs describing the machine, bundle and settings."""
    rows: list[tuple[str, str]] = [("created", report["created_at"])]
    m, b, s = report.get("machine"), report.get("bundle"), report.get("settings")
    if m:
        mem = f", {m['memory_gib']} GiB RAM" if m.get("memory_gib") else ""
        rows.append(("machine", f"{m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable){mem}, {m['os']}"))
        rows.append(("threads", str(m["threads_note"])))
    if b:
        rows.append(
            (
                "bundle",
                f"{b['preset']} ({b['weights']} weights), vision {b['precision']['vision']}, "
                f"LLM {b['precision']['llm']}; encoder backend {b['encoder_backend']} ({b['encoder_provenance']})"
                + (f"; target {b['target']}" if b.get("target") else ""),
            )
        )
    if s:
        p = s["prompt"]
        rows.append(("image", f"{s['image']} ({s['mode']})"))
        rows.append(
            (
                "prompt",
                f"{p['text_tokens']} tokens (asked for {p['requested_tokens']}): {p['counted']}; prefill "
                f"{p['prefill_tokens']} positions = question + {p['template_and_image_tokens']} template/image",
            )
        )
        eos = "stopping at end of sequence" if s["stop_at_eos"] else "end of sequence ignored"
        rows.append(("runs", f"{s['runs']} timed after {s['warmup']} warm-up; {s['max_new_tokens']} new tokens, {eos}"))
    if not m and not b:
        rows.append(("host run", "none: device results imported only"))
    for imp in report["imports"]:
        rows.append(("imported", f"{imp['file']} ({imp['format']}, {imp['device'] or 'device unknown'})"))
    return rows


def stage_rows(report: dict[str, Any]) -> list[Row]:
    header = ["stage", "value", "p10 – p90", "n", "provenance", "device", "source", "note"]
    rows = [header]
    for fig in report["figures"]:
        rows.append(
            [
                _label(fig),
                f"{F.fmt(fig['value'], fig['unit'])} ({fig['stat']})",
                _spread(fig),
                str(fig["n"] if fig.get("n") is not None else "-"),
                fig["provenance"],
                fig["device"],
                fig["source"],
                (f"{fig['tokens']} tokens; " if fig.get("tokens") else "") + (fig.get("note") or ""),
            ]
        )
    return rows


def match_rows(report: dict[str, Any]) -> list[Row]:
    rows = [["reference", "stage", "reference value", "ours", "verdict"]]
    for m in report["profile_match"]:
        rows.append(
            [
                m["reference"],
                F.STAGE_LABELS[m["stage"]],
                f"{F.fmt(m['reference_value'], m['unit'])} ({m['reference_provenance']})",
                f"{F.fmt(m['ours_value'], m['unit'])} ({m['ours_provenance']}; {m['ours_source']})",
                m["verdict"],
            ]
        )
    return rows


def estimate_rows(report: dict[str, Any]) -> list[Row]:
    est = report.get("estimates")
    if not est:
        return []
    shapes = sorted(est["costs"]["encoders"], key=int)
    rows = [["chip", *[f"encode {s}x{s}" for s in shapes], "decode", "notes"]]
    for c in est["chips"]:
        enc = [F.fmt(c["encode_s"][s], "s") if s in c["encode_s"] else "skipped" for s in shapes]
        dec = F.fmt(c["decode_tok_s"], "tok/s") if c.get("decode_tok_s") is not None else "skipped"
        rows.append([f"{c['chip']} ({c['name']})", *enc, dec, "; ".join(c["notes"])])
    return rows


def assumption_rows(report: dict[str, Any]) -> list[Row]:
    est = report.get("estimates")
    if not est:
        return []
    rows = [["chip", "assumption", "value", "source"]]
    for a in est["assumptions"]:
        rows.append([a["chip"] or "all", a["name"], f"{a['value']} {a['unit']}", a["source"]])
    costs = est["costs"]
    for shape, c in costs["encoders"].items():
        rows.append(["all", f"encoder {shape}x{shape} cost", f"{c['gflop']} GFLOP, {c['params']} params", "graph_cost"])
    if costs.get("decoder"):
        d = costs["decoder"]
        rows.append(
            [
                "all",
                "decoder bytes per token",
                f"{d['bytes_per_token'] / 1e6:.2f} MB",
                f"int4 {d['int4_weight_bytes']} + scales {d['scale_bytes']} + other {d['other_bytes']} + embedding "
                f"row {d['embedding_row_bytes']} + KV {d['kv_bytes_per_position']} x {d['kv_position']} positions",
            ]
        )
    rows.append(["all", "counting", "", costs["counting"]])
    return rows


def reference_rows(report: dict[str, Any]) -> list[Row]:
    rows = [["profile", "model", "device", "image", "encode", "prefill", "TTFT", "decode", "role", "source"]]
    for r in report["references"]:
        rows.append(
            [
                r["name"],
                r["model"],
                r["device"],
                r["image"],
                F.fmt(r["encode_s"], "s"),
                F.fmt(r["prefill_s"], "s") + (f" ({r['prompt_tokens']}-token prompt)" if r["prompt_tokens"] else ""),
                F.fmt(r["ttft_s"], "s"),
                F.fmt(r["decode_tok_s"], "tok/s"),
                r["role"],
                r["source"] + (f". {r['notes']}" if r["notes"] else ""),
            ]
        )
    return rows


def chart(report: dict[str, Any]) -> tuple[str, list[BarGroup]]:
    """Bar groups per stage: the primary reference (hollow) against every figure of ours on the same chip."""
    ref = next(r for r in report["references"] if r["name"] == report["primary_reference"])
    groups = []
    for field_name, stage in REFERENCE_STAGES.items():
        value = ref[field_name]
        bars = [Bar(f"reference: {ref['name']}", value, ref["provenance"], reference=True)] if value else []
        for fig in report["figures"]:
            per_shape_encode = (
                stage == "encode_total"
                and fig["stage"] == "encode"
                and fig.get("mode") is None
                and fig["group"] == "device"
                and ref.get("mode") == f"fixed-{fig.get('shape')}"
            )
            if fig["stage"] != stage and not per_shape_encode:
                continue
            if fig["group"] != "host" and fig.get("chip") not in (None, ref["chip"]):
                continue
            bars.append(
                Bar(f"ours ({fig.get('model') or 'model unknown'}): {fig['source']}", fig["value"], fig["provenance"])
            )
        if len(bars) > (1 if value else 0):
            groups.append(BarGroup(F.STAGE_LABELS[stage], F.STAGES[stage], bars))
    title = f"Stages against reference {ref['name']}\n{ref['model']}; {ref['device']}; image {ref['image']}"
    return title, groups


def latency(report: dict[str, Any]) -> tuple[list[float], str, str] | None:
    run = report.get("token_latency_run")
    if not run or not run["latencies_s"]:
        return None
    values = [v * 1000 for v in run["latencies_s"]]
    return values, run["provenance"], f"Per-token decode latency, run {run['run'] + 1} ({run['why']})"


def latency_summary(report: dict[str, Any]) -> str | None:
    got = latency(report)
    if got is None:
        return None
    values, prov, caption = got
    s = F.summary(values)
    return (
        f"{caption}: {s['n']} steps, median {s['median']:.2f} ms, p10 {s['p10']:.2f} ms, p90 {s['p90']:.2f} ms, "
        f"max {s['max']:.2f} ms ({prov})"
    )
