"""Inline SVG plots for the HTML report: no plotting library, no external resources, no namespace URL.

The `<svg>` elements are written for inline use in HTML5, which needs no `xmlns` attribute; leaving it out keeps the
report free of any URL at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from minicpmv_edge.bench import figures as F

COLOURS = {F.DEVICE: "#2e7d32", F.HOST: "#1565c0", F.EMULATED: "#6a1b9a", F.ESTIMATED: "#ef6c00"}
WIDTH = 760
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    provenance: str
    reference: bool = False  # drawn hollow: the number we compare against


@dataclass(frozen=True)
class BarGroup:
    title: str
    unit: str
    bars: list[Bar]


def _text(x: float, y: float, text: str, *, anchor: str = "start", weight: str = "normal", fill: str = "#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}" fill="{fill}" {FONT}>'
        f"{escape(text)}</text>"
    )


def legend(y: float) -> tuple[str, float]:
    parts, x = [], 10.0
    for prov, colour in COLOURS.items():
        parts.append(f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, y, prov))
        x += 30 + 7 * len(prov)
    parts.append(f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="none" stroke="#222"/>')
    parts.append(_text(x + 16, y, "reference (hollow)"))
    return "".join(parts), y + 14


def bar_chart(groups: list[BarGroup], title: str) -> str:
    """One block of horizontal bars per stage, each block on its own scale (stages have different units)."""
    width, label_w, bar_w, row_h = 900, 340, 300, 20
    lines = title.split("\n")  # title, then smaller lines under it
    parts = [_text(10, 20, lines[0], weight="bold")]
    parts += [_text(10, 20 + 16 * i, line) for i, line in enumerate(lines[1:], 1)]
    y = 34.0 + 16 * (len(lines) - 1)
    leg, y = legend(y + 8)
    parts.append(leg)
    for group in groups:
        if not group.bars:
            continue
        y += 14
        parts.append(_text(10, y, f"{group.title} ({group.unit})", weight="bold"))
        y += 6
        top = max(b.value for b in group.bars) or 1.0
        for bar in group.bars:
            length = max(1.0, bar_w * bar.value / top)
            colour = COLOURS.get(bar.provenance, "#777")
            style = (
                f'fill="none" stroke="{colour}" stroke-width="2"'
                if bar.reference
                else f'fill="{colour}"' + (' fill-opacity="0.55"' if bar.provenance == F.ESTIMATED else "")
            )
            label = bar.label if len(bar.label) <= 46 else bar.label[:45] + "…"
            parts.append(_text(10, y + 14, label))
            parts.append(f'<rect x="{label_w}" y="{y + 3:.1f}" width="{length:.1f}" height="{row_h - 6}" {style}/>')
            parts.append(_text(label_w + length + 6, y + 14, f"{F.fmt(bar.value, group.unit)} ({bar.provenance})"))
            y += row_h
    height = y + 12
    return (
        f'<svg viewBox="0 0 {width} {height:.0f}" width="100%" role="img" aria-label="{escape(lines[0])}">'
        + "".join(parts)
        + "</svg>"
    )


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = int(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 0.001:
        if t >= lo - step * 0.001:
            ticks.append(round(t, 10))
        t += step
    return ticks


def line_chart(values_ms: list[float], title: str, provenance: str, x_label: str = "decode step") -> str:
    """Per-token decode latency (ms) over one run, with its median dashed."""
    left, right, top, bottom, height = 60, 20, 50, 40, 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    parts = [_text(10, 20, f"{title} ({provenance})", weight="bold")]
    if not values_ms:
        parts.append(_text(10, 44, "no decode steps in this run"))
        return f'<svg viewBox="0 0 {WIDTH} 60" width="100%" role="img">' + "".join(parts) + "</svg>"
    lo, hi = 0.0, max(values_ms) * 1.1
    ticks = _nice_ticks(lo, hi)
    hi = max(hi, ticks[-1])
    n = len(values_ms)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    colour = COLOURS.get(provenance, "#777")
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#bbb"/>')
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="#eee"/>')
        parts.append(_text(left - 6, py(t) + 4, f"{t:g}", anchor="end"))
    for i in sorted({0, n // 4, n // 2, 3 * n // 4, n - 1}):
        parts.append(_text(px(i), top + plot_h + 16, str(i + 1), anchor="middle"))
    parts.append(_text(left + plot_w / 2, height - 6, x_label, anchor="middle"))
    parts.append(_text(14, top - 10, "ms per token"))
    points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(values_ms))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    med = sorted(values_ms)[n // 2] if n % 2 else sum(sorted(values_ms)[n // 2 - 1 : n // 2 + 1]) / 2
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{py(med):.1f}" y2="{py(med):.1f}" stroke="{colour}" '
        'stroke-dasharray="5 4"/>'
    )
    parts.append(_text(left + plot_w - 4, py(med) - 5, f"median {med:.2f} ms", anchor="end", fill=colour))
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{escape(title)}">'
        + "".join(parts)
        + "</svg>"
    )
