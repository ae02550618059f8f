"""`report.md`: the report as Markdown tables (the plots are in report.html; here the numbers behind them)."""

from __future__ import annotations

from typing import Any

from minicpmv_edge.bench import views
from minicpmv_edge.bench.figures import fmt


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    head, *body = rows
    lines = ["| " + " | ".join(_cell(c) for c in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"


def _bars(report: dict[str, Any]) -> str:
    """The bar chart as text: one line per bar, scaled within its stage."""
    title, groups = views.chart(report)
    lines = [title.replace("\n", ": ") + ".", "", "```"]
    for g in groups:
        top = max(b.value for b in g.bars) or 1.0
        lines.append(f"{g.title} ({g.unit})")
        for b in g.bars:
            bar = ("░" if b.reference else "█") * max(1, round(30 * b.value / top))
            lines.append(f"  {b.label[:44]:<44} {bar:<30} {fmt(b.value, g.unit)} ({b.provenance})")
    lines.append("```")
    return "\n".join(lines) + "\n"


def render_markdown(report: dict[str, Any]) -> str:
    out = ["# minicpmv-edge benchmark report", ""]
    out += [f"- **{k}**: {_cell(v)}" for k, v in views.setup_rows(report)]
    out += ["", "Every figure says how it was obtained:", ""]
    out += [f"- `{k}`: {v}" for k, v in report["provenance_labels"].items()]
    out += ["", "## Stages", "", table(views.stage_rows(report))]
    out += ["## Profile match", ""]
    out += [
        "Only like is compared with like: a host-measured or emulated figure is never held against a device "
        "measurement, and an estimate is labelled as one.",
        "",
        table(views.match_rows(report)) or "No reference has a figure for these stages.\n",
    ]
    out += ["## Stages against the reference", "", _bars(report)]
    summary = views.latency_summary(report)
    out += ["## Decode latency per token", "", (summary or "No per-token latencies in this report.") + "", ""]
    if report.get("estimates"):
        out += ["## Estimates per chip (estimated, not measured)", "", table(views.estimate_rows(report))]
        out += ["### Assumptions", "", table(views.assumption_rows(report))]
    out += ["## Reference profiles", "", table(views.reference_rows(report))]
    if report["notes"]:
        out += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    out.append("Plots: see report.html beside this file.\n")
    return "\n".join(out)
