#!/usr/bin/env python3
"""Render the synthetic, text-heavy calibration images of calibration_data/.

MiniCPM-V is used on documents, receipts, charts, screenshots and scene text as
much as on photographs, and free photographs of those are rare. This script
draws plausible ones (all text is made up here, in English, with numbers) with
Pillow + numpy only. It is deterministic: every image has its own fixed seed
derived from SEED and its file name, so one image can be changed without
moving the others.

    python calibration_data/render.py              # (re)write all rendered PNGs
    python calibration_data/render.py --only receipt_cafe
    python calibration_data/render.py --list       # name, split, category, size
    python calibration_data/render.py --table      # SOURCES.md rows

Fonts: DejaVu from the Debian package fonts-dejavu-core
(/usr/share/fonts/truetype/dejavu). Without it the script falls back to
Pillow's built-in scalable font (Pillow >= 10.1) and says so; the images then
differ from the committed ones.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import zlib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
SEED = 20240611
SS = 2  # draw at 2x and downsample: smooth edges, like real rendering

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-b": "DejaVuSans-Bold.ttf",
    "sans-i": "DejaVuSans-Oblique.ttf",
    "sans-l": "DejaVuSans-ExtraLight.ttf",
    "cond": "DejaVuSansCondensed.ttf",
    "cond-b": "DejaVuSansCondensed-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-b": "DejaVuSerif-Bold.ttf",
    "serif-i": "DejaVuSerif-Italic.ttf",
    "serif-bi": "DejaVuSerif-BoldItalic.ttf",
    "serif-c": "DejaVuSerifCondensed.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono-b": "DejaVuSansMono-Bold.ttf",
}
_fallback_warned = False


@cache
def load_font(style: str, px: int) -> ImageFont.FreeTypeFont:
    global _fallback_warned
    path = FONT_DIR / FONT_FILES[style]
    if path.exists():
        return ImageFont.truetype(str(path), px)
    if not _fallback_warned:
        print(
            f"warning: {path} not found (apt-get install fonts-dejavu-core); "
            "using Pillow's built-in font, output will differ",
            file=sys.stderr,
        )
        _fallback_warned = True
    return ImageFont.load_default(size=px)


# ---------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------
class Canvas:
    """An RGB image drawn at SS x resolution with coordinates in final pixels."""

    def __init__(self, w: int, h: int, bg=(255, 255, 255), s: int = SS, img: Image.Image | None = None):
        self.w, self.h, self.s = w, h, s
        self.img = img if img is not None else Image.new("RGB", (w * s, h * s), bg)
        self.d = ImageDraw.Draw(self.img)

    def p(self, v: float) -> int:
        return round(v * self.s)

    def _xy(self, pts):
        return [(self.p(x), self.p(y)) for x, y in pts]

    def font(self, style: str, size: float):
        return load_font(style, max(1, round(size * self.s)))

    def rect(self, box, fill=None, outline=None, width=1, radius=0):
        b = [self.p(v) for v in box]
        w = max(1, self.p(width)) if outline is not None else 0
        if radius:
            self.d.rounded_rectangle(b, radius=self.p(radius), fill=fill, outline=outline, width=w)
        else:
            self.d.rectangle(b, fill=fill, outline=outline, width=w)

    def line(self, pts, fill, width=1.0):
        self.d.line(self._xy(pts), fill=fill, width=max(1, self.p(width)), joint="curve")

    def ellipse(self, box, fill=None, outline=None, width=1):
        self.d.ellipse(
            [self.p(v) for v in box],
            fill=fill,
            outline=outline,
            width=max(1, self.p(width)) if outline is not None else 0,
        )

    def circle(self, cx, cy, r, **kw):
        self.ellipse((cx - r, cy - r, cx + r, cy + r), **kw)

    def polygon(self, pts, fill=None, outline=None):
        self.d.polygon(self._xy(pts), fill=fill, outline=outline)

    def pieslice(self, box, start, end, fill, outline=None, width=1):
        self.d.pieslice(
            [self.p(v) for v in box],
            start,
            end,
            fill=fill,
            outline=outline,
            width=max(1, self.p(width)) if outline is not None else 0,
        )

    def text(self, xy, txt, style="sans", size=14, fill=(0, 0, 0), anchor="la"):
        self.d.text((self.p(xy[0]), self.p(xy[1])), txt, font=self.font(style, size), fill=fill, anchor=anchor)

    def tlen(self, txt, style="sans", size=14) -> float:
        return self.font(style, size).getlength(txt) / self.s

    def wrap(self, text, style, size, width) -> list[str]:
        lines, cur = [], ""
        for word in text.split():
            cand = f"{cur} {word}".strip()
            if cur and self.tlen(cand, style, size) > width:
                lines.append(cur)
                cur = word
            else:
                cur = cand
        if cur:
            lines.append(cur)
        return lines

    def paragraph(
        self,
        x,
        y,
        text,
        style="serif",
        size=14,
        width=500,
        fill=(20, 20, 20),
        leading=1.45,
        justify=False,
        indent=0.0,
        max_y=None,
    ) -> float:
        """Draw wrapped text; returns the y below it. Stops at max_y."""
        lines = self.wrap(text, style, size, width - indent)
        lh = size * leading
        for i, ln in enumerate(lines):
            if max_y is not None and y + lh > max_y:
                break
            xx = x + (indent if i == 0 else 0)
            words = ln.split()
            if justify and i < len(lines) - 1 and len(words) > 1:
                total = sum(self.tlen(wd, style, size) for wd in words)
                gap = (width - (indent if i == 0 else 0) - total) / (len(words) - 1)
                cx = xx
                for wd in words:
                    self.text((cx, y), wd, style, size, fill)
                    cx += self.tlen(wd, style, size) + gap
            else:
                self.text((xx, y), ln, style, size, fill)
            y += lh
        return y

    def final(self) -> Image.Image:
        if self.s == 1:
            return self.img.copy()
        return self.img.resize((self.w, self.h), Image.LANCZOS)


def vgrad(w, h, c1, c2) -> Image.Image:
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    arr = np.array(c1, float) * (1 - t) + np.array(c2, float) * t
    return Image.fromarray(np.repeat(arr, w, axis=1).round().astype(np.uint8))


def smooth_noise(g: np.random.Generator, w, h, cells=6) -> np.ndarray:
    """Low-frequency noise in [-1, 1], shape (h, w)."""
    small = g.uniform(-1, 1, (cells, max(2, round(cells * w / h))))
    im = Image.fromarray(((small + 1) * 127.5).astype(np.uint8)).resize((w, h), Image.BICUBIC)
    return np.asarray(im, float) / 127.5 - 1


def shade(img: Image.Image, g: np.random.Generator, amount=0.06, cells=4) -> Image.Image:
    """Multiply by a soft lighting field (uneven illumination of a photo/scan)."""
    n = smooth_noise(g, img.width, img.height, cells)
    arr = np.asarray(img, float) * (1 + amount * n)[..., None]
    return Image.fromarray(arr.clip(0, 255).round().astype(np.uint8))


def grain(img: Image.Image, g: np.random.Generator, sigma=2.0) -> Image.Image:
    arr = np.asarray(img, float) + g.normal(0, sigma, (img.height, img.width, 1))
    return Image.fromarray(arr.clip(0, 255).round().astype(np.uint8))


def wood(g: np.random.Generator, w, h, base=(122, 84, 52)) -> Image.Image:
    y, x = np.mgrid[0:h, 0:w].astype(float)
    warp = 18 * smooth_noise(g, w, h, 5)
    rings = np.sin((y + warp + 6 * np.sin(x / 97.0)) / 5.5) * 0.5 + 0.5
    planks = (np.floor(x / (w / 3.2)) % 2) * 0.06
    f = 0.82 + 0.16 * rings + planks + 0.06 * smooth_noise(g, w, h, 8)
    arr = np.array(base, float)[None, None, :] * f[..., None]
    return Image.fromarray(arr.clip(0, 255).round().astype(np.uint8))


def cloth(g: np.random.Generator, w, h, base=(214, 222, 230)) -> Image.Image:
    y, x = np.mgrid[0:h, 0:w].astype(float)
    check = ((np.floor(x / 48) + np.floor(y / 48)) % 2) * 0.05
    f = 0.93 + check + 0.05 * smooth_noise(g, w, h, 4)
    arr = np.array(base, float)[None, None, :] * f[..., None]
    return Image.fromarray(arr.clip(0, 255).round().astype(np.uint8))


def perspective_coeffs(dst, src):
    """Coefficients for Image.transform(PERSPECTIVE): output point dst[i] -> input src[i]."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def place(bg: Image.Image, item: Image.Image, quad, shadow=0.45, blur=10, offset=(6, 9)) -> Image.Image:
    """Warp `item` onto the quadrilateral `quad` (tl, tr, br, bl) of `bg`, with a soft shadow."""
    w, h = item.size
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    coeffs = perspective_coeffs(quad, src)
    warped = item.convert("RGBA").transform(bg.size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    alpha = warped.getchannel("A")
    out = bg.convert("RGB").copy()
    if shadow:
        sh = Image.new("L", bg.size, 0)
        sh.paste(alpha, offset)
        sh = sh.filter(ImageFilter.GaussianBlur(blur)).point(lambda a: int(a * shadow))
        out.paste((0, 0, 0), (0, 0), sh)
    out.paste(warped.convert("RGB"), (0, 0), alpha)
    return out


def jitter_quad(r: random.Random, box, amt):
    x0, t, rr, b = box
    return [
        (x0 + r.uniform(-amt, amt), t + r.uniform(-amt, amt)),
        (rr + r.uniform(-amt, amt), t + r.uniform(-amt, amt)),
        (rr + r.uniform(-amt, amt), b + r.uniform(-amt, amt)),
        (x0 + r.uniform(-amt, amt), b + r.uniform(-amt, amt)),
    ]


def nice_step(span: float, n: int = 5) -> float:
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def money(v: float) -> str:
    return f"{v:,.2f}"


# ---------------------------------------------------------------------------
# Made-up English text
# ---------------------------------------------------------------------------
SENTENCES = [
    "The new warehouse in Brookfield will open on schedule, and the first shipments are expected "
    "in the second week of the month.",
    "All staff are asked to complete the updated safety training before the end of the quarter.",
    "Energy use in the main building fell by 12 percent after the lighting upgrade, saving roughly $4,800 per year.",
    "The committee reviewed three proposals and selected the one with the lowest total cost over five years.",
    "Customer wait times on the support line dropped from an average of 9 minutes to just under 4 minutes.",
    "Please note that the parking garage on Level 2 will be closed for resurfacing from Monday to Wednesday.",
    "A summary of the survey results is attached; 1,240 people responded, about twice as many as last year.",
    "The library will extend its opening hours during the exam period and stay open until 10 p.m. on weekdays.",
    "We recommend replacing the older laptops first, since 38 of them no longer receive security updates.",
    "Volunteers planted 350 trees along the river path last spring, and most of them survived the dry summer.",
    "The budget for the community festival remains unchanged at $15,000, with most of it going to stage rental.",
    "Travel requests must be submitted at least 14 days in advance and approved by a department head.",
    "Our pilot project showed that shorter weekly meetings did not reduce the quality of the decisions made.",
    "The bridge inspection found minor corrosion on two supports, which will be repaired before winter.",
    "New members receive a welcome pack with a map of the site, a parking permit, and a list of useful contacts.",
    "Sales of the compact model exceeded expectations, while the larger model sold slightly below forecast.",
    "The city council will hold a public hearing on the proposed bike lanes on Thursday at 6:30 p.m.",
    "Results from the second test batch are consistent with the first, within a margin of 0.4 percent.",
    "If the printer on the third floor shows error E-27, switch it off for thirty seconds and try again.",
    "Registration for the autumn courses opens on September 2 and closes when all 480 places are taken.",
    "The museum's new wing displays more than 200 objects that have never been shown to the public before.",
    "Delivery times may be longer than usual during the holidays, so please order early.",
    "We thank everyone who took part in the clean-up day; together we collected over 90 bags of litter.",
    "The software update fixes a problem that caused the app to close when a large file was opened.",
    "Water pressure in the eastern district may be low on Saturday morning while the main pipe is replaced.",
    "Each team should nominate one person to attend the planning workshop in Room 4B.",
    "The annual report will be published online in April, together with the audited financial statements.",
    "Rainfall in March was 63 millimetres, close to the long-term average for the month.",
    "To reduce paper use, invoices will be sent by email unless a customer asks for a printed copy.",
    "The school's robotics club won second place at the regional competition with a robot built from recycled parts.",
    "Guests are reminded that breakfast is served from 7:00 to 10:30 in the garden restaurant.",
    "The contract runs for 24 months and can be extended twice, each time by a further twelve months.",
    "Average response time of the web service improved from 310 ms to 190 ms after the database was moved.",
    "Old batteries and electronic waste can be dropped off at the recycling centre on Mill Road.",
    "The hiking trail to the lake is about 7 kilometres long and takes most walkers two and a half hours.",
    "Any questions about this notice can be sent to the facilities team at extension 2231.",
]
FIRST = [
    "Alex",
    "Maria",
    "James",
    "Priya",
    "Daniel",
    "Sofia",
    "Chen",
    "Amara",
    "Lucas",
    "Emma",
    "Omar",
    "Hannah",
    "Noah",
    "Grace",
    "Mateo",
    "Olivia",
    "Ravi",
    "Julia",
    "Samuel",
    "Elena",
]
LAST = [
    "Morgan",
    "Patel",
    "Nguyen",
    "Fischer",
    "Okafor",
    "Silva",
    "Johnson",
    "Kowalski",
    "Tanaka",
    "Brennan",
    "Haddad",
    "Larsen",
    "Reyes",
    "Schmidt",
    "Walker",
    "Ito",
    "Moreau",
    "Adams",
]
STREETS = [
    "Maple Avenue",
    "Harbor Road",
    "Elm Street",
    "Station Road",
    "Oak Lane",
    "River Drive",
    "Park Street",
    "Hillside Way",
    "Mill Road",
    "Market Square",
    "Cedar Court",
    "King Street",
]
CITIES = [
    ("Springfield", "IL", "62704"),
    ("Riverside", "CA", "92501"),
    ("Fairview", "OR", "97024"),
    ("Greenville", "SC", "29601"),
    ("Madison", "WI", "53703"),
    ("Ashland", "KY", "41101"),
    ("Clinton", "NY", "13323"),
    ("Franklin", "TN", "37064"),
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def name(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def address(r: random.Random) -> tuple[str, str]:
    city, st, zipc = r.choice(CITIES)
    return f"{r.randint(12, 2400)} {r.choice(STREETS)}", f"{city}, {st} {zipc}"


def a_date(r: random.Random) -> date:
    return date(2023, 1, 1) + timedelta(days=r.randint(0, 600))


def long_date(d: date) -> str:
    return f"{MONTHS_LONG[d.month - 1]} {d.day}, {d.year}"


class Prose:
    """Deals sentences from a shuffled deck, so a page does not repeat itself."""

    def __init__(self, r: random.Random):
        self.r = r
        self.deck: list[str] = []

    def para(self, n: int) -> str:
        out = []
        for _ in range(n):
            if not self.deck:
                self.deck = self.r.sample(SENTENCES, len(SENTENCES))
            out.append(self.deck.pop())
        return " ".join(out)


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------
def doc_memo(r, g):
    txt = Prose(r)
    W, H = 724, 1024
    c = Canvas(W, H, (252, 251, 247))
    ink = (25, 25, 30)
    c.text((60, 58), "MEMORANDUM", "serif-b", 34, ink)
    c.line([(60, 108), (W - 60, 108)], ink, 2.5)
    d = a_date(r)
    fields = [
        ("TO:", "All Department Managers"),
        ("FROM:", f"{name(r)}, Operations Director"),
        ("DATE:", long_date(d)),
        ("RE:", "Facilities update and action items for Q3"),
    ]
    y = 126
    for k, v in fields:
        c.text((60, y), k, "serif-b", 15, ink)
        c.text((150, y), v, "serif", 15, ink)
        y += 28
    c.line([(60, y + 6), (W - 60, y + 6)], ink, 1)
    y += 28
    for _ in range(2):
        y = c.paragraph(60, y, txt.para(3), "serif", 15, W - 120, ink) + 12
    c.text((60, y), "Action items:", "serif-b", 15, ink)
    y += 28
    items = [
        f"Submit updated headcount figures by {MONTHS_LONG[d.month % 12]} {r.randint(3, 27)}.",
        f"Review the {r.randint(3, 9)} open maintenance tickets assigned to your area.",
        f"Confirm attendance for the planning workshop (Room {r.randint(1, 5)}{r.choice('ABC')}).",
        f"Return unused equipment to storage; {r.randint(12, 60)} items are still unaccounted for.",
    ]
    for it in items:
        c.text((78, y), "\u2022", "serif", 15, ink)
        y = c.paragraph(96, y, it, "serif", 15, W - 156, ink) + 4
    y += 10
    while y < H - 180:
        y = c.paragraph(60, y, txt.para(2), "serif", 15, W - 120, ink, max_y=H - 110) + 12
    c.text((60, H - 64), "CONFIDENTIAL \u2013 INTERNAL USE ONLY", "sans-b", 10, (120, 30, 30))
    c.text((W - 60, H - 64), "Page 1 of 2", "serif", 11, (90, 90, 90), anchor="ra")
    return shade(c.final(), g, 0.025)


def doc_newsletter(r, g):
    txt = Prose(r)
    W, H = 800, 1024
    c = Canvas(W, H, (255, 255, 255))
    teal = (18, 96, 110)
    c.rect((0, 0, W, 118), fill=teal)
    c.text((40, 26), "The Riverside Bulletin", "serif-b", 40, (255, 255, 255))
    c.text(
        (42, 82),
        "Community news  \u00b7  Vol. 12, No. 4  \u00b7  April 2024  \u00b7  Free",
        "sans",
        14,
        (210, 236, 240),
    )
    c.text((40, 142), "Volunteers Plant 350 Trees Along the River Path", "serif-b", 26, (20, 20, 20))
    c.text((40, 184), f"By {name(r)}, staff writer", "sans-i", 13, (90, 90, 90))
    c.line([(40, 210), (W - 40, 210)], (200, 200, 200), 1)
    colw = (W - 40 * 2 - 30) / 2
    x1, x2 = 40, 40 + colw + 30
    y = 228
    while y < H - 110:
        y = c.paragraph(x1, y, txt.para(2), "sans", 13, colw, (30, 30, 30), 1.5, max_y=H - 40) + 10
    # right column: picture, caption, sidebar box
    ph_h = 210
    pic = vgrad(int(colw * SS), ph_h * SS, (150, 196, 230), (236, 244, 250))
    c.img.paste(pic, (c.p(x2), c.p(228)))
    hills = [
        (x2, 228 + ph_h),
        (x2, 228 + 140),
        (x2 + colw * 0.3, 228 + 100),
        (x2 + colw * 0.55, 228 + 150),
        (x2 + colw * 0.8, 228 + 95),
        (x2 + colw, 228 + 135),
        (x2 + colw, 228 + ph_h),
    ]
    c.polygon(hills, fill=(84, 140, 80))
    for i in range(7):
        tx = x2 + 20 + i * (colw - 40) / 6
        c.polygon([(tx, 228 + 150), (tx - 10, 228 + 190), (tx + 10, 228 + 190)], fill=(40, 92, 48))
    c.text(
        (x2, 228 + ph_h + 8), "Figure 1. New trees on the east bank, photographed in March.", "sans-i", 11, (80, 80, 80)
    )
    y2 = 228 + ph_h + 40
    y2 = c.paragraph(x2, y2, txt.para(2), "sans", 13, colw, (30, 30, 30), 1.5) + 14
    box_top = y2
    events = [
        ("Apr 6", "Spring market, Market Square, 9am\u20132pm"),
        ("Apr 13", "Bike repair workshop (free)"),
        ("Apr 20", "River clean-up day, meet at Mill Road"),
        ("Apr 27", "Library book sale, $1 per book"),
        ("May 4", "Council open meeting, 6:30pm"),
    ]
    box_h = 46 + sum(len(c.wrap(ev, "sans", 12, colw - 90)) * 12 * 1.35 + 8 for _, ev in events) + 8
    c.rect((x2, box_top, x2 + colw, box_top + box_h), fill=(240, 246, 247), outline=teal, width=1.5)
    c.text((x2 + 14, box_top + 14), "UPCOMING EVENTS", "sans-b", 14, teal)
    ey = box_top + 46
    for dte, ev in events:
        c.text((x2 + 14, ey), dte, "sans-b", 12, (40, 40, 40))
        ey = c.paragraph(x2 + 74, ey, ev, "sans", 12, colw - 90, (40, 40, 40), 1.35) + 8
    y2 = box_top + box_h + 18
    while y2 < H - 110:
        y2 = c.paragraph(x2, y2, txt.para(2), "sans", 13, colw, (30, 30, 30), 1.5, max_y=H - 40) + 10
    c.text((W / 2, H - 22), "riverside-bulletin.example.org  \u00b7  page 1", "sans", 10, (130, 130, 130), anchor="ms")
    return c.final()


def doc_letter(r, g):
    txt = Prose(r)
    W, H = 724, 1024
    c = Canvas(W, H, (255, 255, 253))
    navy = (28, 44, 86)
    c.circle(86, 82, 30, fill=navy)
    c.text((86, 82), "NB", "serif-b", 24, (255, 255, 255), anchor="mm")
    c.text((130, 60), "Northbridge Legal Services", "serif-b", 22, navy)
    c.text((131, 92), "Attorneys & Advisors since 1987", "serif-i", 12, (90, 90, 110))
    street, city = address(r)
    for i, ln in enumerate(
        [street, city, f"Tel. (555) {r.randint(200, 999)}-{r.randint(1000, 9999)}", "www.northbridge.example.com"]
    ):
        c.text((W - 56, 58 + i * 17), ln, "sans", 11, (70, 70, 80), anchor="ra")
    c.line([(56, 136), (W - 56, 136)], navy, 2)
    d = a_date(r)
    c.text((56, 162), long_date(d), "serif", 14, (20, 20, 20))
    who = name(r)
    s2, c2 = address(r)
    for i, ln in enumerate([who, "Greenway Housing Cooperative", s2, c2]):
        c.text((56, 202 + i * 20), ln, "serif", 14, (20, 20, 20))
    c.text(
        (56, 300),
        f"Re: Lease renewal, Unit {r.randint(2, 48)}{r.choice('ABCD')} \u2013 "
        f"reference no. NB-{r.randint(10000, 99999)}",
        "serif-b",
        14,
        (20, 20, 20),
    )
    c.text((56, 340), f"Dear {who},", "serif", 14, (20, 20, 20))
    y = 372
    body = [
        f"Thank you for your letter of {long_date(d - timedelta(days=r.randint(5, 20)))}. We have reviewed the "
        f"proposed renewal terms and confirm that the monthly rent of ${r.randint(9, 21) * 100 + 50:,} will remain "
        f"unchanged for the first {r.choice(['six', 'twelve', 'eighteen'])} months.",
        txt.para(2),
        f"Please sign both copies of the enclosed agreement and return one copy to our office by "
        f"{long_date(d + timedelta(days=r.randint(14, 30)))}. If you have any questions, do not hesitate to "
        "contact me directly.",
    ]
    for b in body:
        y = c.paragraph(56, y, b, "serif", 14, W - 112, (20, 20, 20), 1.55) + 14
    c.text((56, y + 10), "Sincerely,", "serif", 14, (20, 20, 20))
    signer = name(r)
    c.text((60, y + 44), signer, "serif-bi", 26, (30, 50, 140))
    c.text((56, y + 90), signer, "serif", 14, (20, 20, 20))
    c.text((56, y + 110), "Senior Associate", "serif-i", 13, (60, 60, 60))
    c.text((56, y + 146), "Enclosures: Lease agreement (2 copies)", "serif", 12, (60, 60, 60))
    c.line([(56, H - 60), (W - 56, H - 60)], (190, 190, 200), 1)
    c.text(
        (W / 2, H - 40),
        f"Registered in the State of Illinois, No. {r.randint(1000000, 9999999)}",
        "sans",
        9.5,
        (120, 120, 130),
        anchor="ma",
    )
    return c.final()


def doc_report_table(r, g):
    txt = Prose(r)
    W, H = 1024, 724
    c = Canvas(W, H, (255, 255, 255))
    c.text((56, 44), "Quarterly Operating Report \u2013 Fiscal Year 2023", "sans-b", 24, (30, 30, 30))
    c.text((56, 80), "Net sales by region (thousands of USD)", "sans", 15, (100, 100, 100))
    y = c.paragraph(56, 112, txt.para(2), "sans", 13, W - 112, (50, 50, 50), 1.5) + 14
    cols = ["Region", "Q1", "Q2", "Q3", "Q4", "Total", "YoY"]
    xs = [56, 300, 400, 500, 600, 720, 830]
    rw = 30
    c.rect((56, y, W - 56, y + rw + 4), fill=(36, 64, 112))
    for x, col in zip(xs, cols, strict=True):
        if col == "Region":
            c.text((x + 10, y + 9), col, "sans-b", 13, (255, 255, 255))
        else:
            c.text((x + 96, y + 9), col, "sans-b", 13, (255, 255, 255), anchor="ra")
    y += rw + 4
    regions = [
        "North America",
        "South America",
        "Western Europe",
        "Eastern Europe",
        "Middle East",
        "Africa",
        "South Asia",
        "East Asia",
        "Oceania",
    ]
    totals = [0.0] * 5
    for i, reg in enumerate(regions):
        if i % 2:
            c.rect((56, y, W - 56, y + rw), fill=(238, 242, 248))
        q = [r.uniform(300, 4200) for _ in range(4)]
        tot = sum(q)
        yoy = r.uniform(-9, 18)
        for k in range(4):
            totals[k] += q[k]
        totals[4] += tot
        c.text((xs[0] + 10, y + 8), reg, "sans", 13, (30, 30, 30))
        for k in range(4):
            c.text((xs[k + 1] + 96, y + 8), f"{q[k]:,.0f}", "mono", 13, (30, 30, 30), anchor="ra")
        c.text((xs[5] + 96, y + 8), f"{tot:,.0f}", "mono-b", 13, (30, 30, 30), anchor="ra")
        col = (20, 120, 60) if yoy >= 0 else (180, 40, 40)
        c.text((xs[6] + 96, y + 8), f"{yoy:+.1f}%", "mono", 13, col, anchor="ra")
        y += rw
    c.line([(56, y), (W - 56, y)], (30, 30, 30), 1.5)
    c.text((xs[0] + 10, y + 8), "Total", "sans-b", 13, (30, 30, 30))
    for k in range(5):
        c.text((xs[k + 1] + 96, y + 8), f"{totals[k]:,.0f}", "mono-b", 13, (30, 30, 30), anchor="ra")
    y += rw + 16
    c.text(
        (56, y),
        "* Figures are unaudited and rounded to the nearest thousand. YoY compares full-year totals.",
        "sans-i",
        11,
        (110, 110, 110),
    )
    y += 36
    c.text((56, y), "Commentary", "sans-b", 15, (30, 30, 30))
    y += 28
    while y < H - 100:
        y = c.paragraph(56, y, txt.para(2), "sans", 13, W - 112, (50, 50, 50), 1.5, max_y=H - 60) + 8
    c.text((W - 56, H - 36), "Page 7", "sans", 11, (110, 110, 110), anchor="ra")
    c.text((56, H - 36), "Finance & Planning \u00b7 Prepared " + long_date(a_date(r)), "sans", 11, (110, 110, 110))
    return c.final()


def doc_form(r, g):
    W, H = 724, 1024
    c = Canvas(W, H, (255, 255, 255))
    ink, blue = (30, 30, 30), (28, 48, 150)
    c.text((W / 2, 48), "CITY PUBLIC LIBRARY", "sans-b", 22, ink, anchor="ma")
    c.text((W / 2, 80), "Membership Application Form", "sans", 16, ink, anchor="ma")
    c.text((W - 40, 24), f"Form L-{r.randint(10, 99)} (rev. 03/2023)", "sans", 9, (110, 110, 110), anchor="ra")
    y = 118

    def section(title):
        nonlocal y
        c.rect((40, y, W - 40, y + 26), fill=(225, 228, 232))
        c.text((50, y + 6), title, "sans-b", 13, ink)
        y += 38

    def field(x, w, label, value):
        c.text((x, y), label, "sans", 10, (80, 80, 80))
        c.rect((x, y + 14, x + w, y + 42), outline=(120, 120, 120), width=1)
        c.text((x + 8, y + 19), value, "sans-i", 15, blue)

    who = name(r)
    street, city = address(r)
    d = a_date(r)
    section("1. Personal details")
    field(40, 300, "First name", who.split()[0])
    field(356, W - 396, "Last name", who.split()[1])
    y += 58
    field(
        40, 200, "Date of birth (MM/DD/YYYY)", f"{r.randint(1, 12):02d}/{r.randint(1, 28):02d}/{r.randint(1955, 2005)}"
    )
    field(256, W - 296, "Email", f"{who.split()[0].lower()}.{who.split()[1].lower()}@mail.example.com")
    y += 58
    field(40, W - 80, "Street address", street)
    y += 58
    field(40, 420, "City, State, ZIP", city)
    field(476, W - 516, "Phone", f"(555) {r.randint(200, 999)}-{r.randint(1000, 9999)}")
    y += 66
    section("2. Membership type")
    opts = ["Adult ($0)", "Senior 65+ ($0)", "Non-resident ($45 / year)", "Family (up to 5 cards, $60)"]
    pick = r.randrange(len(opts))
    for i, o in enumerate(opts):
        x = 50 + (i % 2) * 320
        yy = y + (i // 2) * 30
        c.rect((x, yy, x + 16, yy + 16), outline=ink, width=1.2)
        if i == pick:
            c.line([(x + 3, yy + 3), (x + 13, yy + 13)], blue, 2.2)
            c.line([(x + 13, yy + 3), (x + 3, yy + 13)], blue, 2.2)
        c.text((x + 26, yy), o, "sans", 13, ink)
    y += 70
    section("3. Notifications")
    for i, o in enumerate(["Email me when holds are ready", "Text message reminders", "Monthly newsletter"]):
        yy = y + i * 28
        c.rect((50, yy, 66, yy + 16), outline=ink, width=1.2)
        if r.random() < 0.6:
            c.line([(53, yy + 8), (58, yy + 13), (65, yy + 2)], blue, 2.2)
        c.text((76, yy), o, "sans", 13, ink)
    y += 96
    c.paragraph(
        40,
        y,
        "I agree to follow the library's rules and to pay for any items that are lost or damaged "
        "while on loan to me. Cards are valid for 3 years from the date of issue.",
        "sans",
        11.5,
        W - 80,
        (60, 60, 60),
        1.45,
    )
    y += 56
    c.line([(40, y + 40), (360, y + 40)], ink, 1)
    c.text((48, y + 8), who, "serif-bi", 24, blue)
    c.text((40, y + 46), "Signature", "sans", 10, (80, 80, 80))
    c.line([(420, y + 40), (W - 40, y + 40)], ink, 1)
    c.text((428, y + 14), f"{d.month:02d}/{d.day:02d}/{d.year}", "sans-i", 15, blue)
    c.text((420, y + 46), "Date", "sans", 10, (80, 80, 80))
    y += 86
    c.rect((40, y, W - 40, y + 80), outline=(150, 150, 150), width=1)
    c.text((50, y + 8), "FOR OFFICE USE ONLY", "sans-b", 10, (110, 110, 110))
    c.text((50, y + 32), "Card no. ____________   ID checked \u2610   Entered by ______", "sans", 12, (110, 110, 110))
    return shade(c.final(), g, 0.02)


def doc_book_scan(r, g):
    PW, PH = 640, 900
    c = Canvas(PW, PH, (246, 240, 226))
    ink = (35, 30, 28)
    c.text((PW / 2, 40), "THE QUIET HARBOUR", "serif", 11, (90, 80, 70), anchor="ma")
    c.text((70, 96), "Chapter 3", "serif-i", 18, ink)
    c.text((70, 126), "The Lighthouse Keeper", "serif-b", 26, ink)
    y = 190
    story = [
        "The ferry left at seven, as it always did, and by the time the town clock struck eight "
        "the harbour was quiet again. "
        "Anna walked along the sea wall, counting the boats that had stayed behind: nine, the same as yesterday.",
        "Her grandfather had kept the lighthouse for thirty-one years. He had written down the weather "
        "every morning in a "
        "green notebook, and the shelves of the small room at the top of the tower still held forty-two of them.",
        "She opened the one marked 1974 and read the first page. Wind from the west, a light swell, visibility good. "
        "Two fishing boats out before dawn, both returned by noon. It was, she thought, a record of a "
        "life measured in tides.",
        "In the afternoon the fog came in from the sea, slowly at first and then all at once, until the "
        "end of the pier disappeared. Somewhere out beyond the rocks a bell buoy rang, and Anna climbed "
        "the one hundred and twelve steps to the lamp.",
        "The old mechanism still turned. She wound it by hand, as he had shown her when she was eight years old, "
        "and watched the beam sweep across the grey water, once every twelve seconds, patient and exact.",
    ]
    for i, s in enumerate(story):
        y = c.paragraph(
            70, y, s, "serif", 15, PW - 140, ink, 1.6, justify=True, indent=0 if i == 0 else 24, max_y=PH - 80
        )
    c.text((PW / 2, PH - 48), "47", "serif", 13, ink, anchor="ma")
    page = c.final()
    # scanner look: darker towards the spine on the left, slight tilt, on a grey bed
    arr = np.asarray(page, float)
    x = np.linspace(0, 1, PW)[None, :, None]
    arr = arr * (1 - 0.22 * np.exp(-x * 14))
    page = shade(Image.fromarray(arr.clip(0, 255).astype(np.uint8)), g, 0.03)
    W, H = 740, 1024
    bed = vgrad(W, H, (70, 72, 76), (58, 60, 64))
    ang = r.uniform(-1.6, 1.6)
    cx, cy = W / 2 + r.uniform(-10, 10), H / 2
    pts = []
    for dx, dy in [(-PW / 2, -PH / 2), (PW / 2, -PH / 2), (PW / 2, PH / 2), (-PW / 2, PH / 2)]:
        a = math.radians(ang)
        pts.append((cx + dx * math.cos(a) - dy * math.sin(a), cy + dx * math.sin(a) + dy * math.cos(a)))
    scale = 1.06
    pts = [(cx + (px - cx) * scale, cy + (py - cy) * scale) for px, py in pts]
    return place(bed, page, pts, shadow=0.35, blur=6, offset=(3, 4))


def doc_slide(r, g):
    W, H = 1024, 576
    c = Canvas(W, H, (250, 250, 252))
    accent = (214, 92, 42)
    c.rect((0, 0, W, 86), fill=(34, 40, 52))
    c.rect((0, 86, W, 92), fill=accent)
    c.text((48, 24), "Q3 Customer Support Review", "sans-b", 30, (255, 255, 255))
    bullets = [
        "Average wait time down from 9.1 to 3.8 minutes",
        "First-contact resolution rose to 78% (target: 75%)",
        "Chat now handles 41% of all requests",
        "Satisfaction score 4.6 / 5 from 2,318 surveys",
        "Next: self-service portal launch in November",
    ]
    y = 130
    for b in bullets:
        c.rect((52, y + 8, 62, y + 18), fill=accent)
        y = c.paragraph(80, y, b, "sans", 19, 470, (40, 40, 48), 1.35) + 16
    # small bar chart on the right
    x0, y0, x1, y1 = 600, 140, 980, 470
    c.text((x0, y0 - 12), "Tickets per month (thousands)", "sans-b", 14, (60, 60, 70))
    vals = [r.uniform(8, 15) for _ in range(6)]
    top = 16
    for k in range(0, 17, 4):
        yy = y1 - (y1 - y0 - 30) * k / top
        c.line([(x0 + 30, yy), (x1, yy)], (225, 225, 230), 1)
        c.text((x0 + 24, yy), str(k), "sans", 11, (110, 110, 120), anchor="rm")
    bw = (x1 - x0 - 40) / 6
    for i, v in enumerate(vals):
        bx = x0 + 40 + i * bw
        by = y1 - (y1 - y0 - 30) * v / top
        c.rect((bx + 8, by, bx + bw - 8, y1), fill=(70, 110, 170) if i < 5 else accent)
        c.text((bx + bw / 2, by - 4), f"{v:.1f}", "sans", 11, (60, 60, 70), anchor="ms")
        c.text(
            (bx + bw / 2, y1 + 8), ["Apr", "May", "Jun", "Jul", "Aug", "Sep"][i], "sans", 12, (80, 80, 90), anchor="ma"
        )
    c.line([(0, H - 34), (W, H - 34)], (220, 220, 226), 1)
    c.text((48, H - 24), "Northwind Services \u00b7 Internal", "sans", 11, (130, 130, 140))
    c.text((W - 48, H - 24), "12 / 24", "sans", 11, (130, 130, 140), anchor="ra")
    return c.final()


# ---------------------------------------------------------------------------
# Receipts
# ---------------------------------------------------------------------------
RECEIPTS = {
    "grocery": dict(
        store="FRESHWAY MARKET",
        tag="Store #0417",
        items=[
            ("ORGANIC BANANAS", 0.69, "lb"),
            ("WHOLE MILK 1GAL", 3.89, None),
            ("SOURDOUGH BREAD", 4.49, None),
            ("LARGE EGGS 12CT", 3.29, None),
            ("CHEDDAR CHEESE 8OZ", 3.99, None),
            ("GREEK YOGURT", 1.25, "ea"),
            ("BABY SPINACH 5OZ", 2.99, None),
            ("ROMA TOMATOES", 1.49, "lb"),
            ("CHICKEN BREAST", 5.99, "lb"),
            ("OLIVE OIL 500ML", 7.49, None),
            ("COFFEE BEANS 12OZ", 9.99, None),
            ("PENNE PASTA 1LB", 1.79, None),
            ("GALA APPLES 3LB", 4.29, None),
            ("ORANGE JUICE 52OZ", 4.19, None),
            ("PAPER TOWELS 6PK", 8.99, None),
        ],
        n=(10, 14),
        tax=0.0625,
        footer=["THANK YOU FOR SHOPPING AT FRESHWAY!", "Returns accepted within 30 days", "with receipt."],
    ),
    "cafe": dict(
        store="Little Bean Cafe",
        tag="Table 7  Server: Maya",
        items=[
            ("Flat White", 4.25, None),
            ("Cappuccino L", 4.75, None),
            ("Blueberry Muffin", 3.50, None),
            ("Avocado Toast", 9.50, None),
            ("Iced Latte", 5.25, None),
            ("Butter Croissant", 3.25, None),
            ("Chai Tea Latte", 4.95, None),
            ("Extra Shot", 0.90, None),
            ("Oat Milk", 0.70, None),
        ],
        n=(4, 6),
        tax=0.08,
        tip=True,
        footer=["Wi-Fi: LittleBean_Guest", "Thanks, come again!"],
    ),
    "hardware": dict(
        store="BOLT & BEAM HARDWARE",
        tag="Reg 03  Trans 55812",
        items=[
            ("0849221 WOOD SCREWS #8 1-1/4", 7.98, None),
            ("1130457 PAINT ROLLER 9IN", 6.47, None),
            ("2207731 PAINTERS TAPE 1.88IN", 5.98, None),
            ("0450119 LED BULB 60W 4PK", 11.97, None),
            ("3381002 DRYWALL ANCHORS 50", 8.48, None),
            ("0092215 SANDPAPER 120 GRIT", 4.97, None),
            ("1174409 PUTTY KNIFE 3IN", 5.28, None),
            ("2290006 EXTENSION CORD 25FT", 19.98, None),
        ],
        n=(5, 7),
        tax=0.07,
        discount=("MEMBER DISCOUNT 5%", 0.05),
        footer=["SAVE THIS RECEIPT", "90-day returns on most items", "Survey code: 4471-2290-1183"],
    ),
    "fuel": dict(
        store="QUICKSTOP FUEL #2231",
        tag="Pump 04",
        items=[
            ("BOTTLED WATER 1L", 1.99, None),
            ("TRAIL MIX", 3.49, None),
            ("COFFEE 16OZ", 2.29, None),
            ("WINDSHIELD FLUID", 4.99, None),
        ],
        n=(1, 2),
        tax=0.05,
        fuel=True,
        footer=["DRIVE SAFELY", "Open 24 hours"],
    ),
    "restaurant": dict(
        store="TRATTORIA LUNA",
        tag="Guests: 3   Table 12",
        items=[
            ("Margherita Pizza", 14.50, None),
            ("Caesar Salad", 11.00, None),
            ("Sparkling Water", 3.50, None),
            ("Penne Arrabbiata", 15.75, None),
            ("House Red (glass)", 9.00, None),
            ("Tiramisu", 7.50, None),
            ("Garlic Bread", 5.25, None),
            ("Espresso", 3.00, None),
        ],
        n=(5, 7),
        tax=0.0875,
        service=0.12,
        footer=["Grazie! See you soon.", "Book online: trattorialuna.example"],
    ),
}


def receipt_paper(r, kind, width=380, size=13.5):
    spec = RECEIPTS[kind]
    c0 = Canvas(10, 10)
    cw = c0.tlen("0", "mono", size)
    ncols = int((width - 36) / cw)
    lines: list[tuple[str, str]] = []  # (style, text) ; style "c" center, "b" bold, "n" normal, "bar", "big"

    def lr(left, right):
        gap = max(1, ncols - len(left) - len(right))
        return left + " " * gap + right

    street, city = address(r)
    lines += [
        ("big", spec["store"]),
        ("c", street),
        ("c", city),
        ("c", f"(555) {r.randint(200, 999)}-{r.randint(1000, 9999)}"),
        ("n", ""),
    ]
    d = a_date(r)
    hh, mm = r.randint(7, 21), r.randint(0, 59)
    lines += [
        ("n", lr(f"{d.month:02d}/{d.day:02d}/{d.year}", f"{hh:02d}:{mm:02d}")),
        ("n", spec["tag"]),
        ("n", "-" * ncols),
    ]
    sub = 0.0
    if spec.get("fuel"):
        gal = round(r.uniform(8, 15), 3)
        ppg = round(r.uniform(3.1, 3.9), 3)
        amt = round(gal * ppg, 2)
        lines += [("n", "UNLEADED 87"), ("n", lr(f"  {gal:.3f} GAL @ ${ppg:.3f}", money(amt)))]
        sub += amt
    items = r.sample(spec["items"], r.randint(*spec["n"]))
    for nm, price, unit in items:
        nm = nm[: ncols - 9]
        if unit == "lb":
            wt = round(r.uniform(0.6, 3.2), 2)
            amt = round(wt * price, 2)
            lines += [("n", nm), ("n", lr(f"  {wt:.2f} lb @ {price:.2f}/lb", money(amt)))]
        elif unit == "ea" or r.random() < 0.18:
            q = r.randint(2, 4)
            amt = round(q * price, 2)
            lines += [("n", nm), ("n", lr(f"  {q} @ {price:.2f}", money(amt)))]
        else:
            amt = price
            lines += [("n", lr(nm, money(amt)))]
        sub += amt
    lines += [("n", "-" * ncols), ("n", lr("SUBTOTAL", money(sub)))]
    total = sub
    if "discount" in spec:
        lbl, rate = spec["discount"]
        dsc = round(sub * rate, 2)
        lines += [("n", lr(lbl, "-" + money(dsc)))]
        total -= dsc
    if "service" in spec:
        sv = round(sub * spec["service"], 2)
        lines += [("n", lr(f"SERVICE {spec['service'] * 100:.0f}%", money(sv)))]
        total += sv
    tax = round(total * spec["tax"], 2)
    lines += [("n", lr(f"TAX {spec['tax'] * 100:.2f}%", money(tax)))]
    total += tax
    lines += [("b", lr("TOTAL", "$" + money(total))), ("n", "")]
    card = r.choice(["VISA", "MASTERCARD", "AMEX", "DEBIT"])
    lines += [
        ("n", lr(f"{card} **** {r.randint(1000, 9999)}", money(total))),
        ("n", f"AUTH {r.randint(100000, 999999)}  APPROVED"),
    ]
    if spec.get("tip"):
        lines += [("n", ""), ("c", "Suggested gratuity")]
        for p in (15, 18, 20):
            lines += [("n", lr(f"  {p}%", "$" + money(total * p / 100)))]
        lines += [("n", ""), ("n", "TIP: ________   TOTAL: ________")]
    lines += [("n", ""), ("n", f"ITEMS SOLD: {len(items)}")]
    lines += (
        [("n", "")]
        + [("c", f) for f in spec["footer"]]
        + [("n", ""), ("bar", ""), ("c", f"{r.randint(10**11, 10**12 - 1)}")]
    )
    lh = size * 1.42
    height = int(30 + sum((size * 2.6 if s == "big" else 54 if s == "bar" else lh) for s, _ in lines) + 30)
    c = Canvas(width, height, (250, 249, 244))
    y = 26
    ink = (40, 38, 44)
    for s, t in lines:
        if s == "big":
            c.text((width / 2, y), t, "mono-b", size * 1.55, ink, anchor="ma")
            y += size * 2.6
        elif s == "c":
            c.text((width / 2, y), t, "mono", size, ink, anchor="ma")
            y += lh
        elif s == "b":
            c.text((18, y), t, "mono-b", size, ink)
            y += lh
        elif s == "bar":
            x = width / 2 - 120
            while x < width / 2 + 120:
                bw = r.choice([1, 1, 2, 3])
                c.rect((x, y, x + bw, y + 44), fill=ink)
                x += bw + r.choice([1, 2, 2, 3])
            y += 54
        else:
            c.text((18, y), t, "mono", size, ink)
            y += lh
    img = c.final()
    # thermal print fades a little
    arr = np.asarray(img, float)
    fade = 1 + 0.25 * smooth_noise(np.random.default_rng(r.randint(0, 2**31)), img.width, img.height, 3)[..., None]
    arr = 255 - (255 - arr) * np.clip(fade, 0.7, 1.1)
    return Image.fromarray(arr.clip(0, 255).round().astype(np.uint8))


def _flat_receipt(kind, width, size):
    def fn(r, g):
        return receipt_paper(r, kind, width, size)  # render_one() scales very long ones to 1024 px

    return fn


def _receipt_photo(kind, bgkind, W, H, width, size):
    def fn(r, g):
        paper = receipt_paper(r, kind, width, size)
        paper = shade(paper, g, 0.08, 3)
        bg = wood(g, W, H) if bgkind == "wood" else cloth(g, W, H)
        scale = min((H - 70) / paper.height, (W - 160) / paper.width, 1.25)
        pw, ph = paper.width * scale, paper.height * scale
        x0, t = (W - pw) / 2 + r.uniform(-30, 30), (H - ph) / 2
        quad = jitter_quad(r, (x0, t, x0 + pw, t + ph), 14)
        out = place(bg, paper, quad, shadow=0.5, blur=9, offset=(8, 10))
        return grain(out, g, 1.2)

    return fn


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------
PALETTE = [
    (52, 101, 164),
    (230, 126, 34),
    (46, 160, 110),
    (192, 57, 63),
    (142, 94, 170),
    (241, 196, 15),
    (26, 188, 196),
    (127, 140, 141),
]


def _axes(c, box, lo, hi, fmt, style="sans", size=12, grid=(228, 228, 232), txt=(100, 100, 108)):
    x0, y0, x1, y1 = box
    step = nice_step(hi - lo, 5)
    lo_t = math.floor(lo / step) * step
    hi_t = math.ceil(hi / step) * step
    v = lo_t
    while v <= hi_t + 1e-9:
        yy = y1 - (v - lo_t) / (hi_t - lo_t) * (y1 - y0)
        c.line([(x0, yy), (x1, yy)], grid, 1)
        c.text((x0 - 8, yy), fmt(v), style, size, txt, anchor="rm")
        v += step
    return lambda val: y1 - (val - lo_t) / (hi_t - lo_t) * (y1 - y0)


def chart_bar_monthly(r, g):
    W, H = 1024, 640
    c = Canvas(W, H, (255, 255, 255))
    c.text((60, 30), "Monthly active users, 2023", "sans-b", 24, (30, 30, 36))
    c.text((60, 66), "Thousands of users, last day of each month", "sans", 14, (110, 110, 118))
    vals, v = [], r.uniform(180, 240)
    for _ in range(12):
        v *= r.uniform(0.97, 1.09)
        vals.append(v)
    box = (110, 110, W - 50, H - 80)
    ymap = _axes(c, box, 0, max(vals) * 1.1, lambda v: f"{v:,.0f}", size=13)
    bw = (box[2] - box[0]) / 12
    best = int(np.argmax(vals))
    for i, v in enumerate(vals):
        x = box[0] + i * bw
        col = (230, 126, 34) if i == best else (52, 101, 164)
        c.rect((x + bw * 0.18, ymap(v), x + bw * 0.82, box[3]), fill=col)
        c.text((x + bw / 2, ymap(v) - 6), f"{v:.0f}", "sans", 12, (60, 60, 66), anchor="ms")
        c.text((x + bw / 2, box[3] + 10), MONTHS[i], "sans", 13, (80, 80, 88), anchor="ma")
    c.line([(box[0], box[3]), (box[2], box[3])], (60, 60, 66), 1.5)
    c.text(
        (60, H - 30), "Source: internal analytics dashboard. Highlighted: highest month.", "sans-i", 11, (130, 130, 136)
    )
    return c.final()


def chart_line_multi(r, g):
    W, H = 960, 600
    c = Canvas(W, H, (252, 252, 250))
    c.text((W / 2, 26), "Average daily temperature by month (\u00b0C)", "sans-b", 22, (30, 30, 36), anchor="ma")
    cities = [("Oslo", -4, 17), ("London", 5, 19), ("Madrid", 6, 26), ("Cairo", 14, 29)]
    series = []
    for _, lo, hi in cities:
        s = [
            lo + (hi - lo) * (0.5 - 0.5 * math.cos((m + 0.3) / 12 * 2 * math.pi)) + r.uniform(-1.2, 1.2)
            for m in range(12)
        ]
        series.append(s)
    box = (90, 80, W - 170, H - 80)
    lo = min(min(s) for s in series) - 2
    hi = max(max(s) for s in series) + 2
    ymap = _axes(c, box, lo, hi, lambda v: f"{v:.0f}", size=13)
    xs = [box[0] + 20 + i * (box[2] - box[0] - 40) / 11 for i in range(12)]
    for i, x in enumerate(xs):
        c.text((x, box[3] + 10), MONTHS[i], "sans", 12, (90, 90, 96), anchor="ma")
    c.line([(box[0], box[3]), (box[2], box[3])], (60, 60, 66), 1.5)
    for k, s in enumerate(series):
        col = PALETTE[k]
        pts = [(x, ymap(v)) for x, v in zip(xs, s, strict=True)]
        c.line(pts, col, 3)
        for x, y in pts:
            c.circle(x, y, 4.5, fill=(255, 255, 255), outline=col, width=2)
    lx, ly = W - 150, 100
    c.rect((lx, ly, lx + 120, ly + 24 + 26 * len(cities)), fill=(255, 255, 255), outline=(200, 200, 205), width=1)
    for k, (nm, _, _) in enumerate(cities):
        yy = ly + 22 + k * 26
        c.line([(lx + 12, yy), (lx + 40, yy)], PALETTE[k], 3)
        c.text((lx + 50, yy), nm, "sans", 13, (50, 50, 56), anchor="lm")
    c.text((24, (box[1] + box[3]) / 2), "\u00b0C", "sans-b", 13, (90, 90, 96), anchor="mm")
    c.text(((box[0] + box[2]) / 2, H - 28), "Month (2023)", "sans", 13, (90, 90, 96), anchor="ma")
    return c.final()


def chart_pie(r, g):
    W, H = 800, 800
    c = Canvas(W, H, (255, 255, 255))
    c.text((W / 2, 34), "How do you usually commute to work?", "sans-b", 24, (30, 30, 36), anchor="ma")
    c.text((W / 2, 72), "Survey of 1,240 employees, May 2024", "sans", 14, (120, 120, 126), anchor="ma")
    labels = ["Car", "Bus or tram", "Bicycle", "Walking", "Train", "Work from home"]
    raw = [r.uniform(10, 40) for _ in labels]
    tot = sum(raw)
    shares = [v / tot * 100 for v in raw]
    cx, cy, rad = 330, 430, 230
    a = -90.0
    for k, s in enumerate(shares):
        sweep = s * 3.6
        c.pieslice(
            (cx - rad, cy - rad, cx + rad, cy + rad), a, a + sweep, fill=PALETTE[k], outline=(255, 255, 255), width=2.5
        )
        mid = math.radians(a + sweep / 2)
        if s > 6:
            c.text(
                (cx + rad * 0.66 * math.cos(mid), cy + rad * 0.66 * math.sin(mid)),
                f"{s:.1f}%",
                "sans-b",
                15,
                (255, 255, 255),
                anchor="mm",
            )
        else:
            c.text(
                (cx + rad * 1.12 * math.cos(mid), cy + rad * 1.12 * math.sin(mid)),
                f"{s:.1f}%",
                "sans",
                13,
                (60, 60, 66),
                anchor="mm",
            )
        a += sweep
    lx, ly = 610, 300
    for k, lab in enumerate(labels):
        yy = ly + k * 40
        c.rect((lx, yy, lx + 22, yy + 22), fill=PALETTE[k])
        c.text((lx + 32, yy + 11), lab, "sans", 15, (50, 50, 56), anchor="lm")
    c.text(
        (W / 2, H - 34),
        "Percentages may not add up to 100 due to rounding.",
        "sans-i",
        12,
        (130, 130, 136),
        anchor="ma",
    )
    return c.final()


def chart_hbar(r, g):
    W, H = 720, 960
    c = Canvas(W, H, (250, 251, 253))
    c.text((40, 36), "Most used programming", "sans-b", 26, (30, 30, 36))
    c.text((40, 72), "languages in 2024", "sans-b", 26, (30, 30, 36))
    c.text((40, 112), "Share of 3,512 developers surveyed (%)", "sans", 14, (120, 120, 126))
    langs = ["Python", "JavaScript", "SQL", "TypeScript", "Java", "C#", "C++", "Go", "Rust", "Kotlin", "PHP", "Swift"]
    vals = sorted([r.uniform(8, 62) for _ in langs], reverse=True)
    x0, x1, y = 170, W - 90, 160
    bh = (H - 220) / len(langs)
    for k, (lang, v) in enumerate(zip(langs, vals, strict=True)):
        yy = y + k * bh
        c.text((x0 - 12, yy + bh / 2), lang, "sans", 16, (50, 50, 56), anchor="rm")
        c.rect(
            (x0, yy + bh * 0.18, x0 + (x1 - x0) * v / 65, yy + bh * 0.82),
            fill=(46, 160, 110) if k else (30, 120, 80),
            radius=4,
        )
        c.text((x0 + (x1 - x0) * v / 65 + 8, yy + bh / 2), f"{v:.1f}%", "sans-b", 14, (50, 50, 56), anchor="lm")
    c.text((40, H - 34), "Respondents could choose more than one language.", "sans-i", 12, (130, 130, 136))
    return c.final()


def chart_grouped_bar(r, g):
    W, H = 1024, 576
    c = Canvas(W, H, (255, 255, 255))
    c.text((50, 26), "Revenue by region, 2022 vs 2023 (USD millions)", "sans-b", 22, (30, 30, 36))
    regions = ["North", "South", "East", "West", "Central", "Online"]
    a = [r.uniform(20, 90) for _ in regions]
    b = [v * r.uniform(0.85, 1.35) for v in a]
    box = (90, 80, W - 40, H - 70)
    ymap = _axes(c, box, 0, max(a + b) * 1.12, lambda v: f"{v:.0f}", size=13)
    gw = (box[2] - box[0]) / len(regions)
    for i, reg in enumerate(regions):
        x = box[0] + i * gw
        for j, (v, col) in enumerate([(a[i], (149, 165, 186)), (b[i], (52, 101, 164))]):
            bx = x + gw * 0.14 + j * gw * 0.36
            c.rect((bx, ymap(v), bx + gw * 0.34, box[3]), fill=col)
            c.text((bx + gw * 0.17, ymap(v) - 5), f"{v:.1f}", "sans", 11, (70, 70, 76), anchor="ms")
        c.text((x + gw / 2, box[3] + 10), reg, "sans", 14, (70, 70, 76), anchor="ma")
    c.line([(box[0], box[3]), (box[2], box[3])], (60, 60, 66), 1.5)
    for j, (lab, col) in enumerate([("2022", (149, 165, 186)), ("2023", (52, 101, 164))]):
        lx = W - 220 + j * 90
        c.rect((lx, 32, lx + 16, 48), fill=col)
        c.text((lx + 24, 40), lab, "sans", 14, (60, 60, 66), anchor="lm")
    growth = (sum(b) / sum(a) - 1) * 100
    c.text(
        (50, H - 30),
        f"Total: {sum(a):,.1f}M (2022) \u2192 {sum(b):,.1f}M (2023), {growth:+.1f}%",
        "sans",
        13,
        (90, 90, 96),
    )
    return c.final()


def chart_dashboard(r, g):
    W, H = 1024, 512
    bg, card, txt, sub = (24, 28, 38), (36, 42, 56), (235, 238, 245), (150, 158, 176)
    c = Canvas(W, H, bg)
    c.text((32, 22), "Store performance \u00b7 Last 30 days", "sans-b", 20, txt)
    c.text((W - 32, 26), "Updated 08:15", "sans", 12, sub, anchor="ra")
    kpis = [
        ("Revenue", f"${r.uniform(0.8, 2.4):.2f}M", r.uniform(-5, 15)),
        ("Orders", f"{r.randint(9000, 30000):,}", r.uniform(-5, 15)),
        ("Conversion", f"{r.uniform(1.5, 5.5):.1f}%", r.uniform(-2, 2)),
        ("Avg. basket", f"${r.uniform(35, 120):.2f}", r.uniform(-5, 8)),
    ]
    kw = (W - 64 - 3 * 16) / 4
    for i, (k, v, d) in enumerate(kpis):
        x = 32 + i * (kw + 16)
        c.rect((x, 62, x + kw, 162), fill=card, radius=10)
        c.text((x + 18, 78), k, "sans", 13, sub)
        c.text((x + 18, 102), v, "sans-b", 28, txt)
        col = (80, 200, 120) if d >= 0 else (235, 90, 90)
        arrow = "\u25b2" if d >= 0 else "\u25bc"
        c.text((x + kw - 16, 82), f"{arrow} {abs(d):.1f}%", "sans-b", 12, col, anchor="ra")
    # donut
    c.rect((32, 178, 412, H - 24), fill=card, radius=10)
    c.text((50, 194), "Traffic sources", "sans-b", 14, txt)
    src = ["Search", "Direct", "Social", "Email", "Referral"]
    raw = [r.uniform(5, 40) for _ in src]
    tot = sum(raw)
    cx, cy, rad = 140, 352, 110
    a = -90.0
    for k, v in enumerate(raw):
        sw = v / tot * 360
        c.pieslice((cx - rad, cy - rad, cx + rad, cy + rad), a, a + sw, fill=PALETTE[k])
        a += sw
    c.circle(cx, cy, rad * 0.6, fill=card)
    c.text((cx, cy - 8), f"{int(tot * 1000):,}", "sans-b", 18, txt, anchor="mm")
    c.text((cx, cy + 14), "visits", "sans", 12, sub, anchor="mm")
    for k, s in enumerate(src):
        yy = 262 + k * 34
        c.rect((280, yy, 294, yy + 14), fill=PALETTE[k], radius=3)
        c.text((302, yy + 7), f"{s} {raw[k] / tot * 100:.0f}%", "sans", 13, txt, anchor="lm")
    # area line
    x0, y0, x1, y1 = 428, 178, W - 32, H - 24
    c.rect((x0, y0, x1, y1), fill=card, radius=10)
    c.text((x0 + 18, y0 + 16), "Daily orders", "sans-b", 14, txt)
    vals, v = [], r.uniform(400, 700)
    for _ in range(30):
        v = max(200, v + r.uniform(-60, 70))
        vals.append(v)
    px0, py0, px1, py1 = x0 + 56, y0 + 50, x1 - 20, y1 - 36
    ymap = _axes(
        c, (px0, py0, px1, py1), 0, max(vals) * 1.1, lambda v: f"{v:,.0f}", size=11, grid=(52, 60, 78), txt=sub
    )
    pts = [(px0 + i * (px1 - px0) / 29, ymap(v)) for i, v in enumerate(vals)]
    c.polygon([*pts, (px1, py1), (px0, py1)], fill=(48, 78, 120))
    c.line(pts, (90, 160, 240), 2.5)
    for i in range(0, 30, 7):
        c.text((px0 + i * (px1 - px0) / 29, py1 + 8), f"Day {i + 1}", "sans", 11, sub, anchor="ma")
    return c.final()


# ---------------------------------------------------------------------------
# Screenshots (UI-like)
# ---------------------------------------------------------------------------
def _status_bar(c, W, dark=False, time_s="9:41"):
    col = (255, 255, 255) if dark else (20, 20, 24)
    c.text((28, 14), time_s, "sans-b", 15, col)
    x = W - 30
    c.rect((x - 26, 16, x, 28), outline=col, width=1.3, radius=3)
    c.rect((x - 24, 18, x - 8, 26), fill=col, radius=1.5)
    for i in range(4):
        c.rect((W - 122 + i * 7, 28 - (i + 1) * 3, W - 118 + i * 7, 28), fill=col)
    c.text((W - 88, 15), "5G", "sans-b", 12, col)


def ui_mobile_chat(r, g):
    W, H = 472, 1024
    c = Canvas(W, H, (236, 229, 221))
    c.rect((0, 0, W, 112), fill=(0, 128, 105))
    _status_bar(c, W, dark=True)
    c.text((18, 70), "\u2039", "sans", 34, (255, 255, 255), anchor="lm")
    c.circle(66, 72, 22, fill=(200, 230, 220))
    who = name(r)
    c.text((66, 72), who.split()[0][0] + who.split()[1][0], "sans-b", 16, (0, 100, 80), anchor="mm")
    c.text((100, 56), who, "sans-b", 17, (255, 255, 255))
    c.text((100, 80), "online", "sans", 12, (210, 240, 232))
    msgs = [
        (0, "Hey! Are we still on for lunch tomorrow?", "11:02"),
        (1, "Yes! 12:30 at the place on Main Street?", "11:04"),
        (0, "@map", "11:04"),
        (0, "Perfect. I'll book a table for 4 people.", "11:05"),
        (0, "Can you bring the printed slides? It's 18 pages.", "11:05"),
        (1, "Sure. The budget is now $2,450 after the last update, I'll add that too.", "11:09"),
        (0, "Great, thanks. Parking is free after 12 on Saturdays.", "11:11"),
        (1, "See you there!", "11:12"),
        (0, "Running 5 min late, order me the soup please", "12:27"),
    ]
    c.rect((W / 2 - 44, 126, W / 2 + 44, 150), fill=(225, 243, 251), radius=8)
    c.text((W / 2, 138), "TODAY", "sans", 11, (80, 100, 110), anchor="mm")
    y = 166
    for me, txt, t in msgs:
        if txt == "@map":  # shared-location card
            x0, bw, bh = 14, 300, 178
            c.rect((x0, y, x0 + bw, y + bh), fill=(255, 255, 255), radius=10)
            c.rect((x0 + 5, y + 5, x0 + bw - 5, y + 118), fill=(236, 232, 220), radius=8)
            c.line([(x0 + 5, y + 60), (x0 + bw - 5, y + 46)], (255, 255, 255), 9)
            c.line([(x0 + 120, y + 5), (x0 + 150, y + 118)], (255, 255, 255), 7)
            c.line([(x0 + 5, y + 100), (x0 + bw - 5, y + 108)], (250, 220, 130), 6)
            c.rect((x0 + 190, y + 66, x0 + 260, y + 96), fill=(200, 226, 190))
            c.circle(x0 + 150, y + 46, 11, fill=(220, 50, 50))
            c.polygon([(x0 + 141, y + 52), (x0 + 159, y + 52), (x0 + 150, y + 70)], fill=(220, 50, 50))
            c.circle(x0 + 150, y + 46, 4, fill=(255, 255, 255))
            c.text((x0 + 12, y + 128), "Main Street Bistro", "sans-b", 15, (30, 30, 30))
            c.text((x0 + 12, y + 152), "214 Main St \u00b7 0.8 mi", "sans", 13, (110, 110, 110))
            c.text((x0 + bw - 10, y + bh - 6), t, "sans", 10, (120, 130, 130), anchor="rs")
            y += bh + 10
            continue
        lines = c.wrap(txt, "sans", 15, 290)
        bw = max(c.tlen(ln, "sans", 15) for ln in lines) + 64
        bh = len(lines) * 21 + 20
        x0 = W - 14 - bw if me else 14
        c.rect((x0, y, x0 + bw, y + bh), fill=(220, 248, 198) if me else (255, 255, 255), radius=10)
        for i, ln in enumerate(lines):
            c.text((x0 + 12, y + 9 + i * 21), ln, "sans", 15, (30, 30, 30))
        c.text(
            (x0 + bw - 10, y + bh - 6), t + (" \u2713\u2713" if me else ""), "sans", 10, (120, 130, 130), anchor="rs"
        )
        y += bh + 10
    c.rect((10, H - 78, W - 70, H - 30), fill=(255, 255, 255), radius=24)
    c.text((30, H - 54), "Type a message", "sans", 15, (150, 150, 150), anchor="lm")
    c.circle(W - 38, H - 54, 24, fill=(0, 128, 105))
    c.polygon([(W - 48, H - 66), (W - 24, H - 54), (W - 48, H - 42), (W - 44, H - 54)], fill=(255, 255, 255))
    c.rect((W / 2 - 70, H - 12, W / 2 + 70, H - 7), fill=(30, 30, 30), radius=3)
    return c.final()


def ui_desktop_settings(r, g):
    W, H = 1024, 680
    c = Canvas(W, H, (203, 213, 225))
    c.rect((10, 10, W - 10, H - 10), fill=(246, 246, 248), outline=(170, 174, 182), width=1, radius=10)
    c.rect((10, 10, W - 10, 50), fill=(232, 233, 237), radius=10)
    c.rect((10, 40, W - 10, 50), fill=(232, 233, 237))
    for i, col in enumerate([(255, 95, 87), (254, 188, 46), (40, 200, 64)]):
        c.circle(34 + i * 22, 30, 7, fill=col)
    c.text((W / 2, 30), "Settings", "sans-b", 14, (50, 50, 56), anchor="mm")
    c.rect((10, 50, 250, H - 10), fill=(236, 237, 241))
    c.rect((24, 62, 236, 92), fill=(255, 255, 255), outline=(200, 202, 208), width=1, radius=8)
    c.circle(42, 75, 5, outline=(140, 140, 148), width=1.5)
    c.line([(45.5, 78.5), (50, 83)], (140, 140, 148), 1.5)
    c.text((58, 77), "Search settings", "sans", 13, (140, 140, 148), anchor="lm")
    items = [
        "Wi-Fi",
        "Bluetooth",
        "Network",
        "Display",
        "Sound",
        "Notifications",
        "Battery",
        "Privacy & Security",
        "Keyboard",
        "Software Update",
    ]
    cols = [
        (0, 122, 255),
        (0, 122, 255),
        (52, 120, 200),
        (30, 144, 255),
        (255, 59, 48),
        (255, 59, 48),
        (52, 199, 89),
        (88, 86, 214),
        (142, 142, 147),
        (142, 142, 147),
    ]
    for i, (it, col) in enumerate(zip(items, cols, strict=True)):
        y = 110 + i * 40
        if it == "Display":
            c.rect((20, y - 6, 240, y + 28), fill=(0, 110, 230), radius=7)
        c.rect((32, y, 54, y + 22), fill=col, radius=5)
        c.text((66, y + 11), it, "sans", 14, (255, 255, 255) if it == "Display" else (40, 40, 46), anchor="lm")
    x0 = 282
    c.text((x0, 72), "Display", "sans-b", 26, (30, 30, 36))
    # monitor preview
    c.rect((x0, 120, x0 + 220, 250), fill=(70, 90, 120), radius=6)
    wall = vgrad(c.p(204), c.p(114), (64, 120, 200), (214, 150, 190))
    c.img.paste(wall, (c.p(x0 + 8), c.p(128)))
    c.rect((x0 + 90, 250, x0 + 130, 268), fill=(150, 156, 166))
    c.text((x0 + 240, 128), "Built-in Retina Display", "sans-b", 15, (40, 40, 46))
    c.text((x0 + 240, 152), "14.2-inch (3024 \u00d7 1964)", "sans", 13, (110, 110, 118))
    c.text((x0 + 240, 174), "Refresh rate: 120 Hz", "sans", 13, (110, 110, 118))
    y = 292

    def row(label, draw, h=52):
        nonlocal y
        c.rect((x0, y, W - 34, y + h), fill=(255, 255, 255), outline=(222, 223, 228), width=1, radius=8)
        c.text((x0 + 18, y + h / 2), label, "sans", 14, (40, 40, 46), anchor="lm")
        draw(y, h)
        y += h + 10

    bri = r.randint(40, 95)

    def slider(yy, h):
        sx0, sx1 = W - 380, W - 110
        c.rect((sx0, yy + h / 2 - 3, sx1, yy + h / 2 + 3), fill=(210, 212, 218), radius=3)
        c.rect((sx0, yy + h / 2 - 3, sx0 + (sx1 - sx0) * bri / 100, yy + h / 2 + 3), fill=(0, 122, 255), radius=3)
        c.circle(sx0 + (sx1 - sx0) * bri / 100, yy + h / 2, 10, fill=(255, 255, 255), outline=(180, 180, 188), width=1)
        c.text((W - 56, yy + h / 2), f"{bri}%", "sans", 13, (80, 80, 88), anchor="rm")

    def dropdown(yy, h):
        c.rect(
            (W - 380, yy + 11, W - 56, yy + h - 11), fill=(248, 248, 250), outline=(196, 198, 204), width=1, radius=6
        )
        c.text((W - 368, yy + h / 2), "1512 \u00d7 982 (Default)", "sans", 13, (40, 40, 46), anchor="lm")
        c.text((W - 70, yy + h / 2), "\u25be", "sans", 14, (80, 80, 88), anchor="rm")

    def toggle(on):
        def f(yy, h):
            x = W - 100
            c.rect(
                (x, yy + h / 2 - 13, x + 46, yy + h / 2 + 13), fill=(52, 199, 89) if on else (220, 221, 226), radius=13
            )
            c.circle(x + (33 if on else 13), yy + h / 2, 11, fill=(255, 255, 255))

        return f

    row("Brightness", slider)
    row("Resolution", dropdown)
    row("Night Shift (sunset to sunrise)", toggle(True))
    row("Automatically adjust brightness", toggle(r.random() < 0.5))
    row("True Tone", toggle(False))
    c.rect((W - 250, H - 58, W - 150, H - 26), fill=(255, 255, 255), outline=(190, 192, 198), width=1, radius=7)
    c.text((W - 200, H - 42), "Cancel", "sans", 13, (40, 40, 46), anchor="mm")
    c.rect((W - 136, H - 58, W - 34, H - 26), fill=(0, 122, 255), radius=7)
    c.text((W - 85, H - 42), "Apply", "sans-b", 13, (255, 255, 255), anchor="mm")
    return c.final()


def ui_web_shop(r, g):
    W, H = 1024, 768
    c = Canvas(W, H, (255, 255, 255))
    c.rect((0, 0, W, 82), fill=(222, 225, 230))
    c.rect((12, 8, 230, 38), fill=(255, 255, 255), radius=8)
    c.text((26, 23), "Backpacks \u2013 TrailGear", "sans", 12, (40, 40, 46), anchor="lm")
    c.text((216, 23), "\u00d7", "sans", 13, (90, 90, 96), anchor="rm")
    c.text((246, 23), "+", "sans", 16, (90, 90, 96), anchor="lm")
    c.rect((110, 46, W - 110, 74), fill=(255, 255, 255), radius=14)
    c.rect((126, 58, 138, 67), fill=(90, 90, 96), radius=1.5)
    c.rect((128.5, 51, 135.5, 61), outline=(90, 90, 96), width=1.6, radius=3.5)
    c.text((150, 60), "https://shop.example.com/outdoor/backpacks?sort=popular", "sans", 13, (50, 50, 56), anchor="lm")
    c.text((24, 60), "\u2190   \u2192   \u21bb", "sans", 15, (90, 90, 96), anchor="lm")
    c.rect((0, 82, W, 140), fill=(22, 62, 52))
    c.text((32, 111), "TrailGear", "sans-b", 26, (255, 255, 255), anchor="lm")
    for i, m in enumerate(["Hiking", "Camping", "Climbing", "Sale"]):
        c.text((230 + i * 100, 111), m, "sans", 15, (255, 214, 102) if m == "Sale" else (220, 236, 230), anchor="lm")
    c.rect((650, 96, 900, 126), fill=(255, 255, 255), radius=15)
    c.text((668, 111), "Search products", "sans", 13, (150, 150, 150), anchor="lm")
    c.text((W - 40, 111), "Cart (2)", "sans-b", 14, (255, 255, 255), anchor="rm")
    c.text((32, 160), "Home  \u203a  Outdoor  \u203a  Backpacks", "sans", 12, (110, 110, 118))
    c.text((32, 184), "Backpacks", "sans-b", 24, (30, 30, 36))
    c.text((W - 32, 192), "48 products   Sort: Most popular \u25be", "sans", 13, (90, 90, 96), anchor="ra")
    names = [
        "Summit 30L Daypack",
        "Ridge 45L Trekking",
        "Urban Commuter 22L",
        "Alpine Pro 55L",
        "Trail Runner Vest 8L",
        "Canyon Roll-Top 28L",
        "Kids Explorer 12L",
        "Voyager Travel 40L",
    ]
    colors = [
        (200, 70, 50),
        (50, 90, 160),
        (60, 60, 66),
        (40, 130, 90),
        (230, 160, 40),
        (120, 80, 150),
        (0, 150, 170),
        (140, 100, 70),
    ]
    cw, ch = (W - 64 - 3 * 20) / 4, 250
    for i, (nm, col) in enumerate(zip(names, colors, strict=True)):
        x = 32 + (i % 4) * (cw + 20)
        y = 236 + (i // 4) * (ch + 16)
        c.rect((x, y, x + cw, y + ch), fill=(255, 255, 255), outline=(226, 228, 232), width=1, radius=8)
        c.rect((x + 1, y + 1, x + cw - 1, y + 130), fill=(244, 245, 247), radius=8)
        bx, by = x + cw / 2, y + 70
        c.rect((bx - 32, by - 44, bx + 32, by + 48), fill=col, radius=18)
        c.rect((bx - 22, by + 6, bx + 22, by + 38), fill=tuple(max(0, v - 35) for v in col), radius=8)
        c.rect((bx - 14, by - 56, bx + 14, by - 40), outline=(70, 70, 70), width=3, radius=7)
        if i in (1, 5):
            c.rect((x + 10, y + 10, x + 58, y + 30), fill=(214, 48, 49), radius=4)
            c.text((x + 34, y + 20), "-20%", "sans-b", 11, (255, 255, 255), anchor="mm")
        c.text((x + 12, y + 142), nm, "sans-b", 13, (30, 30, 36))
        stars = r.randint(3, 5)
        c.text((x + 12, y + 166), "\u2605" * stars + "\u2606" * (5 - stars), "sans", 13, (240, 170, 0))
        c.text((x + 88, y + 167), f"({r.randint(12, 640)})", "sans", 11, (120, 120, 126))
        price = r.choice([49, 59, 69, 89, 119, 139, 159]) + 0.99
        if i in (1, 5):
            c.text((x + 12, y + 190), f"${price * 0.8:.2f}", "sans-b", 17, (214, 48, 49))
            old = f"${price:.2f}"
            ox = x + 20 + c.tlen(f"${price * 0.8:.2f}", "sans-b", 17)
            c.text((ox, y + 193), old, "sans", 12, (140, 140, 146))
            c.line([(ox, y + 200), (ox + c.tlen(old, "sans", 12), y + 200)], (140, 140, 146), 1)
        else:
            c.text((x + 12, y + 190), f"${price:.2f}", "sans-b", 17, (30, 30, 36))
        c.rect((x + 12, y + 218, x + cw - 12, y + 242), fill=(22, 62, 52), radius=5)
        c.text((x + cw / 2, y + 230), "Add to cart", "sans-b", 12, (255, 255, 255), anchor="mm")
    return c.final()


def ui_email_inbox(r, g):
    W, H = 1024, 640
    c = Canvas(W, H, (255, 255, 255))
    c.rect((0, 0, W, 56), fill=(245, 247, 250))
    c.text((24, 28), "\u2709 Mail", "sans-b", 20, (200, 50, 50), anchor="lm")
    c.rect((210, 12, 700, 44), fill=(232, 236, 242), radius=16)
    c.text((232, 28), "Search mail", "sans", 14, (110, 110, 118), anchor="lm")
    c.circle(W - 36, 28, 16, fill=(94, 129, 172))
    c.text((W - 36, 28), "JP", "sans-b", 12, (255, 255, 255), anchor="mm")
    c.rect((16, 70, 180, 110), fill=(194, 231, 255), radius=16)
    c.text((40, 90), "\u270e  Compose", "sans-b", 14, (30, 30, 36), anchor="lm")
    folders = [
        ("Inbox", str(r.randint(3, 40))),
        ("Starred", ""),
        ("Snoozed", ""),
        ("Sent", ""),
        ("Drafts", str(r.randint(1, 5))),
        ("Spam", str(r.randint(1, 9))),
        ("Trash", ""),
    ]
    for i, (f, n) in enumerate(folders):
        y = 130 + i * 34
        if i == 0:
            c.rect((8, y - 4, 200, y + 26), fill=(211, 227, 253), radius=14)
        c.text((36, y + 11), f, "sans-b" if i == 0 else "sans", 14, (30, 30, 36), anchor="lm")
        if n:
            c.text((186, y + 11), n, "sans-b" if i == 0 else "sans", 12, (30, 30, 36), anchor="rm")
    c.text((24, 392), "Labels", "sans-b", 13, (90, 90, 96))
    for i, (lab, col) in enumerate([("Work", (66, 133, 244)), ("Travel", (52, 168, 83)), ("Receipts", (251, 188, 5))]):
        c.rect((30, 420 + i * 30, 42, 432 + i * 30), fill=col, radius=3)
        c.text((54, 426 + i * 30), lab, "sans", 13, (50, 50, 56), anchor="lm")
    x0 = 216
    c.line([(x0, 64), (W, 64)], (230, 230, 234), 1)
    c.text((x0 + 16, 80), "\u2610   \u21bb   \u22ee", "sans", 14, (110, 110, 118), anchor="lm")
    c.text((W - 24, 80), "1\u201350 of 1,284", "sans", 12, (110, 110, 118), anchor="rm")
    subjects = [
        ("Your order #58214 has shipped", "Estimated delivery Thursday. Track your package with the link below."),
        ("Team offsite \u2013 agenda v3", "I've moved the budget review to 2:30 pm and added a 15 minute break."),
        ("Invoice INV-2291 due in 7 days", "Amount due: $1,240.00. Please pay by bank transfer or card."),
        ("Flight confirmation: BOS \u2192 SFO", "Departure 7:45 AM, seat 14C. Check-in opens 24 hours before."),
        ("Re: Quarterly numbers", "Thanks, the totals match now. One small fix on row 12 and we're done."),
        ("Library: 2 items due soon", "'The Quiet Harbour' and 1 other item are due on Friday."),
        ("Weekly report is ready", "Visits up 8.3%, conversion 3.7%, 18,420 orders this week."),
        ("Welcome to the photography club!", "Our first meeting is on the 14th at 6 pm in Room 4B."),
        ("Password changed", "Your password was changed on Monday. If this wasn't you, contact support."),
        ("Lunch on Friday?", "There's a new place on Main Street, 12:30 works for me."),
    ]
    times = [
        "9:41 AM",
        "9:12 AM",
        "8:03 AM",
        "Yesterday",
        "Yesterday",
        "Mar 28",
        "Mar 27",
        "Mar 25",
        "Mar 24",
        "Mar 22",
    ]
    for i, ((subj, snip), t) in enumerate(zip(subjects, times, strict=True)):
        y = 98 + i * 53
        unread = i < 4 or r.random() < 0.2
        if not unread:
            c.rect((x0, y, W, y + 53), fill=(242, 245, 249))
        c.line([(x0, y + 53), (W, y + 53)], (232, 232, 236), 1)
        c.text((x0 + 16, y + 26), "\u2610", "sans", 14, (150, 150, 156), anchor="lm")
        c.text((x0 + 40, y + 26), "\u2605" if r.random() < 0.25 else "\u2606", "sans", 14, (240, 170, 0), anchor="lm")
        st = "sans-b" if unread else "sans"
        c.text((x0 + 68, y + 26), name(r), st, 14, (30, 30, 36), anchor="lm")
        sx = x0 + 250
        c.text((sx, y + 26), subj, st, 14, (30, 30, 36), anchor="lm")
        snip_x = sx + c.tlen(subj, st, 14) + 8
        room = W - 120 - snip_x
        s = " \u2013 " + snip
        while s and c.tlen(s, "sans", 14) > room:
            s = s[:-2]
        c.text(
            (snip_x, y + 26), s + ("\u2026" if s != " \u2013 " + snip else ""), "sans", 14, (110, 110, 118), anchor="lm"
        )
        c.text((W - 20, y + 26), t, st, 12, (30, 30, 36), anchor="rm")
    return c.final()


def ui_code_editor(r, g):
    W, H = 1024, 576
    bg = (30, 31, 36)
    c = Canvas(W, H, bg)
    c.rect((0, 0, W, 30), fill=(44, 46, 52))
    c.text((W / 2, 15), "invoice.py \u2014 billing-service", "sans", 12, (180, 184, 192), anchor="mm")
    c.rect((0, 30, 200, H - 24), fill=(37, 38, 44))
    c.text((14, 44), "EXPLORER", "sans-b", 10, (150, 154, 162))
    tree = [
        ("\u25be billing-service", 0),
        ("\u25be src", 1),
        ("__init__.py", 2),
        ("invoice.py", 2),
        ("tax.py", 2),
        ("models.py", 2),
        ("\u25b8 tests", 1),
        ("README.md", 1),
        ("pyproject.toml", 1),
    ]
    for i, (t, lvl) in enumerate(tree):
        y = 70 + i * 22
        if t == "invoice.py":
            c.rect((0, y - 3, 200, y + 17), fill=(55, 60, 75))
        c.text((14 + lvl * 14, y), t, "sans", 12, (205, 208, 214))
    c.rect((200, 30, W, 58), fill=(37, 38, 44))
    c.rect((200, 30, 330, 58), fill=bg)
    c.text((214, 44), "invoice.py", "sans", 12, (230, 230, 235), anchor="lm")
    c.text((344, 44), "tax.py", "sans", 12, (140, 144, 152), anchor="lm")
    KW, FN, STR, NUM, COM, TXT = (
        (198, 120, 221),
        (97, 175, 239),
        (152, 195, 121),
        (209, 154, 102),
        (110, 118, 130),
        (220, 223, 228),
    )
    code = [
        [("from", KW), (" dataclasses ", TXT), ("import", KW), (" dataclass", TXT)],
        [("from", KW), (" decimal ", TXT), ("import", KW), (" Decimal, ROUND_HALF_UP", TXT)],
        [],
        [("TAX_RATE", NUM), (" = Decimal(", TXT), ('"0.0825"', STR), (")", TXT)],
        [],
        [("@dataclass", FN)],
        [("class", KW), (" LineItem", FN), (":", TXT)],
        [("    name: ", TXT), ("str", KW)],
        [("    quantity: ", TXT), ("int", KW)],
        [("    unit_price: Decimal", TXT)],
        [],
        [
            ("def", KW),
            (" invoice_total", FN),
            ("(items: list[LineItem], discount: Decimal = Decimal(", TXT),
            ('"0"', STR),
            (")):", TXT),
        ],
        [('    """Return (subtotal, tax, total) rounded to cents."""', STR)],
        [
            ("    subtotal = ", TXT),
            ("sum", FN),
            ("(i.quantity * i.unit_price ", TXT),
            ("for", KW),
            (" i ", TXT),
            ("in", KW),
            (" items)", TXT),
        ],
        [("    subtotal -= discount", TXT)],
        [("    tax = (subtotal * TAX_RATE).quantize(Decimal(", TXT), ('"0.01"', STR), ("), ROUND_HALF_UP)", TXT)],
        [("    ", TXT), ("return", KW), (" subtotal, tax, subtotal + tax", TXT)],
        [],
        [("# Example: 3 notebooks at $4.50 and 1 backpack at $89.99", COM)],
        [
            ("print", FN),
            ("(invoice_total([LineItem(", TXT),
            ('"notebook"', STR),
            (", ", TXT),
            ("3", NUM),
            (", Decimal(", TXT),
            ('"4.50"', STR),
            (")),", TXT),
        ],
        [
            ("                     LineItem(", TXT),
            ('"backpack"', STR),
            (", ", TXT),
            ("1", NUM),
            (", Decimal(", TXT),
            ('"89.99"', STR),
            ("))]))", TXT),
        ],
    ]
    y = 70
    cur = r.randint(12, 16)
    for i, toks in enumerate(code):
        if i + 1 == cur:
            c.rect((200, y - 3, W, y + 19), fill=(44, 47, 56))
        c.text((250, y), str(i + 1), "mono", 13, (90, 96, 108), anchor="ra")
        x = 270
        for t, col in toks:
            c.text((x, y), t, "mono", 13, col)
            x += c.tlen(t, "mono", 13)
        y += 22
    c.rect((0, H - 24, W, H), fill=(0, 122, 204))
    c.text((12, H - 12), "\u2387 main   \u2713 0 problems", "sans", 11, (255, 255, 255), anchor="lm")
    c.text(
        (W - 12, H - 12),
        f"Ln {cur}, Col {r.randint(5, 40)}   Spaces: 4   UTF-8   Python 3.11",
        "sans",
        11,
        (255, 255, 255),
        anchor="rm",
    )
    return c.final()


# ---------------------------------------------------------------------------
# Scene text (signs)
# ---------------------------------------------------------------------------
def _sky(g, W, H, top=(70, 130, 200), bottom=(190, 215, 238)):
    sky = np.asarray(vgrad(W, H, top, bottom), float)
    n = smooth_noise(g, W, H, 5)
    cloud = np.clip(n - 0.25, 0, 1)[..., None] * 1.6
    sky = sky * (1 - cloud) + 250 * cloud
    return Image.fromarray(sky.clip(0, 255).round().astype(np.uint8))


def _plate(text, sub, W, H, bg, fg, style="sans-b", border=True, radius=10):
    c = Canvas(W, H, bg)
    if border:
        c.rect((5, 5, W - 5, H - 5), outline=fg, width=3, radius=radius)
    size = H * (0.52 if not sub else 0.46)
    while c.tlen(text, style, size) > W - (130 if sub else 40):
        size -= 1
    if sub:
        c.text((24, H / 2), text, style, size, fg, anchor="lm")
        c.text((W - 22, H / 2), sub, "sans-b", H * 0.3, fg, anchor="rm")
    else:
        c.text((W / 2, H / 2), text, style, size, fg, anchor="mm")
    return c.final()


def sign_street(r, g):
    W, H = 768, 1024
    img = _sky(g, W, H)
    c = Canvas(W, H, img=img, s=1)
    # buildings
    x = -20
    while x < W:
        bw, bh = r.randint(110, 220), r.randint(180, 380)
        col = r.choice([(150, 120, 100), (170, 160, 150), (120, 110, 120), (190, 170, 140)])
        c.rect((x, H - bh, x + bw, H), fill=col)
        for wy in range(H - bh + 24, H - 30, 46):
            for wx in range(x + 16, x + bw - 26, 36):
                c.rect((wx, wy, wx + 20, wy + 28), fill=(90, 110, 130) if r.random() < 0.7 else (230, 210, 150))
        x += bw + r.randint(0, 12)
    c.rect((0, H - 40, W, H), fill=(110, 110, 112))
    px = W * 0.52
    c.rect((px - 9, 150, px + 9, H - 30), fill=(96, 100, 104))
    c.rect((px - 4, 150, px - 1, H - 30), fill=(140, 144, 150))
    block = r.randint(11, 49) * 100
    s1 = _plate("MAPLE AVE", str(block), 520, 96, (0, 110, 70), (255, 255, 255))
    s2 = _plate("W 5TH ST", str(r.randint(2, 9) * 100), 440, 96, (0, 110, 70), (255, 255, 255))
    one_way = Canvas(300, 100, (255, 255, 255))
    one_way.rect((4, 4, 296, 96), outline=(0, 0, 0), width=3, radius=6)
    one_way.rect((26, 30, 210, 70), fill=(0, 0, 0))
    one_way.polygon([(200, 14), (276, 50), (200, 86)], fill=(0, 0, 0))
    one_way.text((112, 50), "ONE WAY", "sans-b", 25, (255, 255, 255), anchor="mm")
    img = c.img
    img = place(img, s1, [(px - 300, 190), (px + 230, 178), (px + 230, 272), (px - 300, 280)], shadow=0.25, blur=5)
    img = place(img, s2, [(px - 150, 300), (px + 150, 322), (px + 150, 404), (px - 150, 386)], shadow=0.25, blur=5)
    img = place(img, one_way.final(), [(px + 12, 470), (px + 250, 478), (px + 250, 556), (px + 12, 552)], shadow=0.3)
    lim = Canvas(170, 220, (255, 255, 255))
    lim.rect((5, 5, 165, 215), outline=(0, 0, 0), width=4, radius=8)
    lim.text((85, 42), "NO", "sans-b", 30, (0, 0, 0), anchor="mm")
    lim.text((85, 86), "PARKING", "sans-b", 26, (0, 0, 0), anchor="mm")
    lim.text((85, 130), "8 AM - 6 PM", "sans-b", 20, (200, 0, 0), anchor="mm")
    lim.text((85, 170), "MON - FRI", "sans-b", 20, (200, 0, 0), anchor="mm")
    img = place(img, lim.final(), [(px - 95, 620), (px + 8, 622), (px + 8, 756), (px - 95, 752)], shadow=0.3)
    return grain(shade(img, g, 0.05), g, 1.5)


def _brick(g, W, H):
    arr = np.zeros((H, W, 3), float)
    arr[:] = (200, 196, 188)
    rng = np.random.default_rng(int(g.integers(0, 2**31)))
    bh, bw = 26, 66
    for row in range(0, H // bh + 1):
        off = (bw // 2) * (row % 2)
        for col in range(-1, W // bw + 2):
            x0, y0 = col * bw + off, row * bh
            base = np.array([150, 70, 50]) * rng.uniform(0.8, 1.15)
            x0c, x1c = max(0, x0 + 2), min(W, x0 + bw - 2)
            y0c, y1c = max(0, y0 + 2), min(H, y0 + bh - 2)
            if x1c > x0c and y1c > y0c:
                arr[y0c:y1c, x0c:x1c] = base
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def sign_shopfront(r, g):
    W, H = 1024, 683
    img = _brick(g, W, H)
    c = Canvas(W, H, img=img, s=1)
    c.rect((60, 40, W - 60, 150), fill=(24, 72, 52))
    c.rect((68, 48, W - 68, 142), outline=(212, 175, 90), width=3)
    c.text((W / 2, 95), "CORNER BAKERY & CAFE", "serif-b", 50, (232, 200, 120), anchor="mm")
    # window and door
    win = vgrad(560, 380, (90, 110, 120), (40, 50, 58))
    img.paste(win, (70, 190))
    c.rect((70, 190, 630, 570), outline=(24, 72, 52), width=10)
    c.polygon([(120, 200), (220, 200), (120, 380)], fill=(120, 140, 150))
    c.text((350, 300), "FRESH BREAD", "sans-b", 44, (255, 255, 255), anchor="mm")
    c.text((350, 352), "BAKED DAILY SINCE 1998", "sans", 22, (240, 240, 240), anchor="mm")
    c.text((350, 410), "Coffee \u00b7 Pastries \u00b7 Sandwiches", "serif-i", 24, (250, 220, 150), anchor="mm")
    c.rect((680, 190, 880, 600), fill=(30, 60, 46))
    c.rect((700, 210, 860, 400), fill=(70, 90, 100))
    c.circle(850, 420, 7, fill=(212, 175, 90))
    hours = Canvas(150, 170, (255, 255, 255))
    hours.text((75, 18), "OPEN", "sans-b", 22, (200, 30, 30), anchor="mm")
    for i, (d, t) in enumerate([("Mon-Fri", "7:00-18:00"), ("Sat", "8:00-16:00"), ("Sun", "Closed")]):
        hours.text((10, 44 + i * 22), d, "sans-b", 11.5, (20, 20, 20))
        hours.text((140, 44 + i * 22), t, "sans", 11.5, (20, 20, 20), anchor="ra")
    hours.text((75, 130), "No. 214", "sans-b", 16, (20, 20, 20), anchor="mm")
    hours.text((75, 152), "Cash & cards", "sans", 11, (60, 60, 60), anchor="mm")
    img = place(img, hours.final(), [(712, 222), (848, 226), (846, 386), (712, 382)], shadow=0.2, blur=3, offset=(2, 3))
    c = Canvas(W, H, img=img, s=1)
    c.rect((0, 600, W, H), fill=(150, 150, 146))
    c.line([(0, 600), (W, 600)], (110, 110, 108), 4)
    board = Canvas(200, 240, (40, 44, 42))
    board.rect((4, 4, 196, 236), outline=(150, 110, 70), width=8)
    board.text((100, 40), "TODAY", "sans-b", 24, (250, 250, 240), anchor="mm")
    board.text((100, 86), "Soup +", "serif-i", 22, (250, 250, 240), anchor="mm")
    board.text((100, 116), "Sandwich", "serif-i", 22, (250, 250, 240), anchor="mm")
    board.text((100, 160), f"${r.randint(7, 11)}.50", "sans-b", 30, (255, 220, 120), anchor="mm")
    board.text((100, 204), "until 2 pm", "sans", 15, (230, 230, 220), anchor="mm")
    img = place(c.img, board.final(), [(890, 430), (1010, 436), (1016, 640), (884, 640)], shadow=0.4, blur=6)
    return grain(shade(img, g, 0.06), g, 1.5)


def sign_road(r, g):
    W, H = 1024, 768
    img = _sky(g, W, H, (110, 160, 215), (215, 228, 238))
    c = Canvas(W, H, img=img, s=1)
    hz = 380
    c.polygon(
        [(0, hz), (180, hz - 60), (420, hz - 20), (640, hz - 80), (860, hz - 30), (W, hz - 50), (W, hz), (0, hz)],
        fill=(110, 140, 120),
    )
    grass = vgrad(W, H - hz, (120, 160, 80), (70, 120, 50))
    c.img.paste(grass, (0, hz))
    c.polygon([(470, hz), (560, hz), (W - 40, H), (40, H)], fill=(80, 82, 86))
    for i in range(9):
        t0, t1 = i / 9, i / 9 + 0.05
        y0, y1 = hz + (H - hz) * t0**1.6, hz + (H - hz) * t1**1.6
        w0, w1 = 1 + 5 * t0**1.6, 1 + 5 * t1**1.6
        c.polygon([(515 - w0, y0), (515 + w0, y0), (515 + w1, y1), (515 - w1, y1)], fill=(240, 200, 60))
    # posts
    c.rect((826, 200, 836, 700), fill=(140, 140, 146))
    c.rect((166, 300, 174, 640), fill=(140, 140, 146))
    warn = Canvas(240, 240, (0, 0, 0))
    warn.polygon([(120, 4), (236, 120), (120, 236), (4, 120)], fill=(20, 20, 20))
    warn.polygon([(120, 12), (228, 120), (120, 228), (12, 120)], fill=(250, 205, 20))
    warn.text((120, 100), "SCHOOL", "sans-b", 25, (10, 10, 10), anchor="mm")
    warn.text((120, 140), "ZONE", "sans-b", 25, (10, 10, 10), anchor="mm")
    wimg = warn.final().convert("RGBA")
    mask = Image.new("L", (240, 240), 0)
    ImageDraw.Draw(mask).polygon([(120, 2), (238, 120), (120, 238), (2, 120)], fill=255)
    wimg.putalpha(mask)
    img = place(c.img, wimg, [(720, 190), (940, 184), (942, 404), (722, 408)], shadow=0.3, blur=6)
    spd = Canvas(180, 230, (255, 255, 255))
    spd.rect((5, 5, 175, 225), outline=(10, 10, 10), width=4, radius=10)
    spd.text((90, 40), "SPEED", "sans-b", 28, (10, 10, 10), anchor="mm")
    spd.text((90, 76), "LIMIT", "sans-b", 28, (10, 10, 10), anchor="mm")
    spd.text((90, 150), str(r.choice([20, 25, 30, 35])), "sans-b", 84, (10, 10, 10), anchor="mm")
    img = place(img, spd.final(), [(100, 250), (240, 254), (238, 430), (100, 428)], shadow=0.3)
    exit_ = Canvas(420, 160, (0, 110, 70))
    exit_.rect((6, 6, 414, 154), outline=(255, 255, 255), width=3, radius=12)
    exit_.rect((300, 0, 414, 40), fill=(240, 200, 60))
    exit_.text((357, 20), f"EXIT {r.randint(8, 42)}", "sans-b", 20, (10, 10, 10), anchor="mm")
    exit_.text((30, 70), "Riverside", "sans-b", 40, (255, 255, 255), anchor="lm")
    exit_.text((30, 124), "Airport  \u2197", "sans-b", 26, (255, 255, 255), anchor="lm")
    exit_.text((390, 124), f"{r.randint(1, 3)} MILES", "sans-b", 22, (255, 255, 255), anchor="rm")
    img = place(img, exit_.final(), [(380, 80), (640, 88), (640, 184), (380, 180)], shadow=0.2)
    c = Canvas(W, H, img=img, s=1)
    c.rect((504, 180, 512, 352), fill=(140, 140, 146))
    return grain(shade(c.img, g, 0.05), g, 1.5)


def sign_transit_board(r, g):
    BW, BH = 960, 420
    b = Canvas(BW, BH, (12, 12, 14))
    amber, green, red, dim = (255, 176, 0), (90, 220, 110), (255, 80, 60), (120, 90, 30)
    b.rect((0, 0, BW, 56), fill=(28, 40, 80))
    b.text((24, 28), "DEPARTURES", "sans-b", 26, (255, 255, 255), anchor="lm")
    now_h, now_m = r.randint(6, 21), r.randint(0, 50)
    b.text((BW - 24, 28), f"{now_h:02d}:{now_m:02d}", "mono-b", 28, (255, 255, 255), anchor="rm")
    cols = [(24, "TIME"), (140, "DESTINATION"), (600, "PLATFORM"), (760, "STATUS")]
    for x, t in cols:
        b.text((x, 74), t, "sans-b", 14, dim)
    dests = [
        "Central Station",
        "Airport Terminal 2",
        "Riverside via Oak Park",
        "Harbor Point",
        "University",
        "North Hills",
        "Old Town Express",
        "Fairview Junction",
    ]
    rr = r.sample(dests, 6)
    t = now_h * 60 + now_m
    for i, d in enumerate(rr):
        t += r.randint(3, 14)
        y = 104 + i * 46
        b.text((24, y), f"{(t // 60) % 24:02d}:{t % 60:02d}", "mono-b", 24, amber)
        b.text((140, y), d, "mono-b", 24, amber)
        b.text((650, y), str(r.randint(1, 9)), "mono-b", 24, amber, anchor="ma")
        st = r.choice(["On time", "On time", "On time", "Delayed", "Boarding"])
        col = green if st != "Delayed" else red
        if st == "Delayed":
            dl = t + r.randint(5, 20)
            st = f"Exp {(dl // 60) % 24:02d}:{dl % 60:02d}"
        b.text((760, y), st, "mono-b", 22, col)
    b.rect((0, BH - 40, BW, BH), fill=(24, 24, 28))
    b.text(
        (24, BH - 20),
        "Please keep your belongings with you at all times.  Platform 4 lift out of service.",
        "mono",
        15,
        amber,
        anchor="lm",
    )
    board = b.final()
    W, H = 1024, 560
    wall = np.asarray(vgrad(W, H, (150, 154, 160), (96, 100, 108)), float)
    wall = wall * (1 + 0.05 * smooth_noise(g, W, H, 6))[..., None]
    wall_img = Image.fromarray(wall.clip(0, 255).astype(np.uint8))
    c = Canvas(W, H, img=wall_img, s=1)
    for x in (250, 770):
        c.rect((x - 5, 0, x + 5, 70), fill=(60, 62, 66))
    img = place(c.img, board, [(52, 70), (978, 104), (970, 520), (60, 494)], shadow=0.4, blur=10)
    return grain(shade(img, g, 0.05), g, 1.2)


# ---------------------------------------------------------------------------
# Registry: output file -> (category, description, generator)
# ---------------------------------------------------------------------------
RENDERED = [
    # documents
    ("calibration/doc_memo.png", "document", "business memo, serif, A4 portrait", doc_memo),
    ("calibration/doc_newsletter.png", "document", "two-column newsletter with figure and sidebar", doc_newsletter),
    ("heldout/doc_letter.png", "document", "formal letter with letterhead and signature", doc_letter),
    ("calibration/doc_report_table.png", "document", "landscape report page with a numeric table", doc_report_table),
    ("calibration/doc_form.png", "document", "filled-in application form with checkboxes", doc_form),
    ("calibration/doc_book_scan.png", "document", "scanned book page, tilted, uneven light", doc_book_scan),
    ("heldout/doc_slide.png", "document", "presentation slide with bullets and a bar chart", doc_slide),
    # receipts
    ("calibration/receipt_grocery.png", "receipt", "grocery receipt, flat scan", _flat_receipt("grocery", 400, 13.5)),
    ("heldout/receipt_cafe.png", "receipt", "cafe receipt with tip lines, flat scan", _flat_receipt("cafe", 360, 13)),
    (
        "calibration/receipt_hardware.png",
        "receipt",
        "hardware store receipt with SKUs, flat scan",
        _flat_receipt("hardware", 520, 14),
    ),
    (
        "calibration/receipt_fuel_photo.png",
        "receipt",
        "fuel station receipt photographed on a wooden table",
        _receipt_photo("fuel", "wood", 768, 1024, 380, 14),
    ),
    (
        "calibration/receipt_restaurant_photo.png",
        "receipt",
        "restaurant bill photographed on a tablecloth",
        _receipt_photo("restaurant", "cloth", 720, 960, 400, 13.5),
    ),
    # charts
    ("calibration/chart_bar_monthly.png", "chart", "vertical bar chart, 12 months", chart_bar_monthly),
    ("heldout/chart_line_multi.png", "chart", "multi-series line chart with legend", chart_line_multi),
    ("calibration/chart_pie.png", "chart", "pie chart with percentages and legend", chart_pie),
    ("calibration/chart_hbar.png", "chart", "tall horizontal bar ranking", chart_hbar),
    ("heldout/chart_grouped_bar.png", "chart", "grouped bar chart, two years", chart_grouped_bar),
    ("calibration/chart_dashboard.png", "chart", "dark dashboard: KPI tiles, donut, area chart", chart_dashboard),
    # screenshots
    ("calibration/ui_mobile_chat.png", "screenshot", "phone messaging app, tall", ui_mobile_chat),
    ("heldout/ui_desktop_settings.png", "screenshot", "desktop settings window", ui_desktop_settings),
    ("calibration/ui_web_shop.png", "screenshot", "web shop page in a browser", ui_web_shop),
    ("calibration/ui_email_inbox.png", "screenshot", "webmail inbox", ui_email_inbox),
    ("calibration/ui_code_editor.png", "screenshot", "dark code editor with Python", ui_code_editor),
    # scene text
    ("calibration/sign_street.png", "scene text", "street name, one-way and parking signs on a pole", sign_street),
    ("heldout/sign_shopfront.png", "scene text", "bakery shopfront with opening hours and chalkboard", sign_shopfront),
    ("calibration/sign_road.png", "scene text", "road with school-zone, speed-limit and exit signs", sign_road),
    ("calibration/sign_transit_board.png", "scene text", "station departure board on a wall", sign_transit_board),
]


def seed_for(path: str) -> int:
    return (SEED + zlib.crc32(path.encode())) % (2**31)


def render_one(path: str, fn) -> Image.Image:
    s = seed_for(path)
    img = fn(random.Random(s), np.random.default_rng(s))
    img = img.convert("RGB")
    if max(img.size) > 1024:
        k = 1024 / max(img.size)
        img = img.resize((round(img.width * k), round(img.height * k)), Image.LANCZOS)
    return img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="render only files whose name contains one of these")
    ap.add_argument("--out", type=Path, default=HERE, help="root to write calibration/ and heldout/ under")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--table", action="store_true", help="print SOURCES.md rows")
    a = ap.parse_args()
    if a.table:
        for path, cat, desc, _ in RENDERED:
            print(
                f"| `{path}` | {cat} | rendered by `render.py` ({desc}) | synthetic; text written for this project | "
                "Apache-2.0, like this repository |"
            )
        return
    for path, cat, desc, fn in RENDERED:
        if a.only and not any(o in path for o in a.only):
            continue
        if a.list:
            print(f"{path:45s} {cat:11s} {desc}")
            continue
        img = render_one(path, fn)
        out = a.out / path
        out.parent.mkdir(parents=True, exist_ok=True)
        img.save(out, "PNG", optimize=True)
        print(f"{path:45s} {img.width}x{img.height:<5d} {out.stat().st_size // 1024:5d} KiB")


if __name__ == "__main__":
    main()
