"""`report.html`: one self-contained file (inline CSS, inline SVG, no scripts, no URLs), readable offline."""

from __future__ import annotations

from html import escape
from typing import Any

from minicpmv_edge.bench import svg, views

CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.prov-host-measured { color: #1565c0; } .prov-device-measured { color: #2e7d32; }
.prov-emulated { color: #6a1b9a; } .prov-estimated { color: #ef6c00; }
.verdict-meets { color: #2e7d32; font-weight: bold; } .verdict-misses { color: #c62828; font-weight: bold; }
.figure { border: 1px solid #eee; padding: 0.5rem; margin: 1rem 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; } dt { font-weight: bold; }
"""
PROVENANCE_COLUMNS = {"provenance"}


def _cell(text: str, column: str) -> str:
    cls = ""
    if column in PROVENANCE_COLUMNS:
        cls = f' class="prov-{escape(text)}"'
    elif column == "verdict" and text in ("meets", "misses"):
        cls = f' class="verdict-{text}"'
    return f"<td{cls}>{escape(text)}</td>"


def table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    head, *body = rows
    html = ["<table><thead><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in body:
        html.append("<tr>" + "".join(_cell(c, h) for c, h in zip(row, head, strict=True)) + "</tr>")
    html.append("</tbody></table>")
    return "".join(html)


def render_html(report: dict[str, Any]) -> str:
    title, groups = views.chart(report)
    bars = svg.bar_chart(groups, title)
    got = views.latency(report)
    line = svg.line_chart(got[0], got[2], got[1]) if got else "<p>No per-token decode latencies in this report.</p>"
    setup = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in views.setup_rows(report))
    labels = "".join(
        f'<li><span class="prov-{escape(k)}">{escape(k)}</span>: {escape(v)}</li>'
        for k, v in report["provenance_labels"].items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>minicpmv-edge benchmark report</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>minicpmv-edge benchmark report</h1>",
        f"<dl>{setup}</dl>",
        f"<p>Every figure says how it was obtained:</p><ul>{labels}</ul>",
        "<h2>Stages against the reference</h2>",
        f'<div class="figure">{bars}</div>',
        "<h2>Decode latency per token</h2>",
        f'<div class="figure">{line}</div>',
        "<h2>Profile match</h2>",
        "<p>Only like is compared with like: a host-measured or emulated figure is never held against a device "
        "measurement, and an estimate is labelled as one.</p>",
        table(views.match_rows(report)) or "<p>No reference has a figure for these stages.</p>",
        "<h2>Stages</h2>",
        table(views.stage_rows(report)),
    ]
    if report.get("estimates"):
        parts += [
            "<h2>Estimates per chip (estimated, not measured)</h2>",
            table(views.estimate_rows(report)),
            "<h3>Assumptions</h3>",
            table(views.assumption_rows(report)),
        ]
    parts += ["<h2>Reference profiles</h2>", table(views.reference_rows(report))]
    if report["notes"]:
        parts += ["<h2>Notes</h2><ul>", *(f"<li>{escape(n)}</li>" for n in report["notes"]), "</ul>"]
    parts.append("</body></html>\n")
    return "\n".join(parts)
