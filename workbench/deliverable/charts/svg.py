"""Charts written as SVG directly, for the small multiples a deliverable draws dozens of times per client.

matplotlib spends most of a KPI-trends page on bookkeeping: an Axes per panel (spines, two Axis objects, tick
objects of five artists each, three titles), a Text object per label laid out twice. A page of twelve panels is a
few hundred plain shapes; written here as SVG elements it costs about a twentieth of the CPU (measured in
benchmarks/stages.py), with the same geometry, palette, fonts and number format as the matplotlib charts:

- sizes are points (1/72 in) and the ``viewBox`` is the figure in points, so it prints at its size and scales down;
- text is ``<text>`` in the charts' font stack (`render.FONT_STACK`), measured for wrapping with the same font
  (`text.wrap_to_points`); client text is XML-escaped;
- the picture is described by `SvgChart`, whose ``panels`` record what each panel shows (limits, tick labels,
  reference lines, series) for tests and alt text, and whose ``markup`` is the inline ``<svg>``.

`render.to_svg` finishes an `SvgChart` like a matplotlib figure (role, aria-label, class, no prolog); it has no PNG.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable, Iterable, Sequence

from workbench.deliverable.charts import style
from workbench.deliverable.charts.text import text_size

__all__ = ["SvgChart", "Canvas", "Panel", "Shape", "fmt"]


def fmt(v: float) -> str:
    """A coordinate, short: two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@dataclass
class Panel:
    """What one panel of a small-multiples chart shows (for tests, alt text and the cache's key of nothing)."""

    key: str
    title: str
    kind: str  # numeric | binary | grade
    ylim: tuple[float, float]
    yticks: list[str] = field(default_factory=list)  # labels, bottom to top
    ytick_at: list[float] = field(default_factory=list)  # where each label sits, in data coordinates
    xticks: list[str] = field(default_factory=list)  # labels, left to right
    lines: dict[str, float] = field(default_factory=dict)  # reference lines: threshold / target / stretch
    points: list[tuple[float, float]] = field(default_factory=list)  # the series, in data coordinates
    colours: list[str] = field(default_factory=list)  # each point's colour (binary and grade: its band)


@dataclass(frozen=True)
class Shape:
    """One drawn element as tests and layout checks see it: ``kind`` (rect, line, circle, polygon, arrow, text), its
    ``gid`` (or ""), its box in points (SVG coordinates: y down) and, for a text, the text."""

    kind: str
    gid: str
    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""
    colour: str = ""  # a text's fill, a box's fill

    def overlaps(self, other: "Shape") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass
class SvgChart:
    """A chart written as SVG: ``markup`` (an ``<svg>`` element), its ``title`` (the alt text), ``texts`` (every
    text drawn, in order), ``panels`` by key, and its size in inches (as a matplotlib figure reports it)."""

    markup: str
    title: str
    width_in: float
    height_in: float
    texts: list[str] = field(default_factory=list)
    panels: dict[str, Panel] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # gid → text of the chart-level notes (e.g. "trends-more")
    shapes: list[Shape] = field(default_factory=list)  # what `Canvas` recorded (boxes, lines, texts with gids)

    def find(self, prefix: str = "", kind: str | None = None) -> list[Shape]:
        """Recorded shapes whose gid starts with ``prefix`` (and of ``kind``)."""
        return [s for s in self.shapes if s.gid.startswith(prefix) and (kind is None or s.kind == kind)]

    @property
    def alt(self) -> str:
        return self.title

    def get_figwidth(self) -> float:
        return self.width_in

    def get_figheight(self) -> float:
        return self.height_in


class Canvas:
    """An SVG drawing in points, origin top-left. Collects elements; `chart` returns the `SvgChart`."""

    def __init__(self, width_pt: float, height_pt: float, font_family: str):
        self.w, self.h = width_pt, height_pt
        self.font_family = font_family
        self.parts: list[str] = []
        self.texts: list[str] = []
        self.shapes: list[Shape] = []

    # -- shapes ------------------------------------------------------------------------------------------
    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float,
             dash: Sequence[float] | None = None, cls: str | None = None, gid: str = "") -> None:
        extra = f' stroke-dasharray="{" ".join(fmt(d) for d in dash)}"' if dash else ""
        extra += f' class="{cls}"' if cls else ""
        self.shapes.append(Shape("line", gid, min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
        self.parts.append(f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" stroke="{colour}" '
                          f'stroke-width="{fmt(width)}"{extra}/>')

    def polyline(self, points: Iterable[tuple[float, float]], colour: str, width: float) -> None:
        pts = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
        if pts:
            self.parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{fmt(width)}" '
                              f'stroke-linejoin="round" stroke-linecap="round"/>')

    def circle(self, x: float, y: float, r: float, fill: str, stroke: str | None = None, stroke_width: float = 0,
               dash: Sequence[float] | None = None, gid: str = "") -> None:
        s = f' stroke="{stroke}" stroke-width="{fmt(stroke_width)}"' if stroke else ""
        s += f' stroke-dasharray="{" ".join(fmt(d) for d in dash)}"' if dash else ""
        s += f' data-gid="{escape(gid)}"' if gid else ""
        if gid:
            self.shapes.append(Shape("circle", gid, x - r, y - r, x + r, y + r, colour=fill))
        self.parts.append(f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" fill="{fill}"{s}/>')

    def polygon(self, points: Sequence[tuple[float, float]], fill: str = "none", stroke: str | None = None,
                width: float = 0, dash: Sequence[float] | None = None, fill_opacity: float | None = None,
                gid: str = "") -> None:
        """A closed outline (a radar's series); ``gid`` is recorded with the outline's bounding box."""
        if not points:
            return
        pts = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
        extra = f' fill-opacity="{fmt(fill_opacity)}"' if fill_opacity is not None else ""
        extra += f' stroke="{stroke}" stroke-width="{fmt(width)}" stroke-linejoin="round"' if stroke else ""
        extra += f' stroke-dasharray="{" ".join(fmt(d) for d in dash)}"' if dash else ""
        extra += f' data-gid="{escape(gid)}"' if gid else ""
        if gid:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            self.shapes.append(Shape("polygon", gid, min(xs), min(ys), max(xs), max(ys), colour=fill))
        self.parts.append(f'<polygon points="{pts}" fill="{fill}"{extra}/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str | None = None, stroke_width: float = 0,
             radius: float = 0, dash: Sequence[float] | None = None, gid: str = "",
             fill_opacity: float | None = None) -> None:
        """A (rounded) rectangle; ``gid`` is recorded (and written as ``data-gid``) for tests and layout checks."""
        extra = f' rx="{fmt(radius)}"' if radius else ""
        extra += f' fill-opacity="{fmt(fill_opacity)}"' if fill_opacity is not None else ""
        extra += f' stroke="{stroke}" stroke-width="{fmt(stroke_width)}"' if stroke else ""
        extra += f' stroke-dasharray="{" ".join(fmt(d) for d in dash)}"' if dash else ""
        extra += f' data-gid="{escape(gid)}"' if gid else ""
        self.shapes.append(Shape("rect", gid, x, y, x + w, y + h, colour=fill))
        self.parts.append(f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}" fill="{fill}"{extra}/>')

    def arrow(self, start: Sequence[float], ctrl: Sequence[float], end: Sequence[float], colour: str, width: float,
              dash: Sequence[float] | None = None, gid: str = "", head: tuple[float, float] = (5.5, 2.6)) -> None:
        """A quadratic Bézier from ``start`` to ``end`` (matplotlib's arc3 connection) with a filled head at ``end``
        (``head``: length, half width in points, as "-|>" at mutation scale 9), pointing along the curve's tangent.
        ``gid`` is recorded with the box of the three points."""
        (x0, y0), (cx, cy), (x1, y1) = start, ctrl, end
        dx, dy = x1 - cx, y1 - cy
        if abs(dx) + abs(dy) < 1e-9:
            dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / norm, dy / norm
        length, half = head
        bx, by = x1 - ux * length, y1 - uy * length  # the head's base: the line stops there
        extra = f' stroke-dasharray="{" ".join(fmt(d) for d in dash)}"' if dash else ""
        extra += f' data-gid="{escape(gid)}"' if gid else ""
        self.parts.append(f'<path d="M{fmt(x0)} {fmt(y0)} Q{fmt(cx)} {fmt(cy)} {fmt(bx)} {fmt(by)}" fill="none" '
                          f'stroke="{colour}" stroke-width="{fmt(width)}"{extra}/>')
        self.parts.append(f'<polygon points="{fmt(x1)},{fmt(y1)} {fmt(bx - uy * half)},{fmt(by + ux * half)} '
                          f'{fmt(bx + uy * half)},{fmt(by - ux * half)}" fill="{colour}"/>')
        if gid:
            xs, ys = (x0, cx, x1), (y0, cy, y1)
            self.shapes.append(Shape("arrow", gid, min(xs), min(ys), max(xs), max(ys), colour=colour))

    def text(self, x: float, y: float, text: str, size: float, colour: str, anchor: str = "start",
             va: str = "baseline", weight: str = "normal", line_height: float = 1.2, cls: str | None = None,
             gid: str = "", rotate: float = 0) -> None:
        """``text`` (may hold newlines) at ``x``; ``va`` places the block: ``top`` / ``center`` / ``bottom`` of the
        block at ``y``, or ``baseline`` of the first line. Baselines are computed (not left to
        ``dominant-baseline``, which PDF engines do not all honour): ascent 0.8 em, descent 0.2 em."""
        lines = str(text).split("\n")
        step = size * line_height
        block = size + step * (len(lines) - 1)
        top = {"top": y, "center": y - block / 2, "bottom": y - block}.get(va)
        first = y if top is None else top + 0.8 * size
        w = ' font-weight="bold"' if weight == "bold" else ""
        c = f' class="{cls}"' if cls else ""
        if rotate:  # about the anchor point (an axis label turned 90°)
            c += f' transform="rotate({fmt(rotate)} {fmt(x)} {fmt(y)})"'
        self.texts.append(str(text))
        tw, th = text_size(str(text), size, weight)  # its box (font advances; line height as matplotlib's)
        bx = {"start": x, "middle": x - tw / 2, "end": x - tw}[anchor]
        by = first - 0.8 * size - (th - block) / 2
        if rotate == -90:  # the box turned about (x, y): (px, py) → (x + py - y, y - (px - x))
            bx, by, tw, th = x + by - y, y - (bx + tw - x), th, tw
        elif rotate == 90:  # (px, py) → (x - (py - y), y + px - x)
            bx, by, tw, th = x - (by + th - y), y + bx - x, th, tw
        self.shapes.append(Shape("text", gid or (cls or ""), bx, by, bx + tw, by + th, str(text), colour))
        if len(lines) == 1:
            self.parts.append(f'<text x="{fmt(x)}" y="{fmt(first)}" font-size="{fmt(size)}" fill="{colour}" '
                              f'text-anchor="{anchor}"{w}{c}>{escape(lines[0], quote=False)}</text>')
            return
        spans = "".join(f'<tspan x="{fmt(x)}" y="{fmt(first + i * step)}">{escape(s, quote=False)}</tspan>'
                        for i, s in enumerate(lines))
        self.parts.append(f'<text font-size="{fmt(size)}" fill="{colour}" text-anchor="{anchor}"{w}{c}>{spans}</text>')

    def title(self, text: str) -> None:
        """The chart's title, top left, where `style.title` puts a matplotlib chart's."""
        self.text(0.2 * 72, 0.12 * 72, text, style.FS_TITLE, style.NAVY, va="top", weight="bold", gid="title")

    def no_data(self, text: str) -> None:
        """The "no data" note, centred, for a chart with nothing to draw."""
        self.text(self.w / 2, self.h / 2, text, style.FS_LABEL, style.MUTED, anchor="middle", va="center")

    def legend_row(self, entries: Sequence[tuple[str, Callable[[float, float], None]]], y: float, size: float,
                   handle: float, gap: float, sep: float, gid: str = "") -> None:
        """One legend row centred across the chart, as matplotlib's figure legend: per entry, ``draw(x, y)`` draws
        its handle (``handle`` points wide from ``x``), then its label; ``gap`` after a handle, ``sep`` between
        entries."""
        widths = [text_size(label, size)[0] for label, _ in entries]
        x = (self.w - (sum(handle + gap + w for w in widths) + sep * (len(entries) - 1))) / 2
        for (label, draw), w in zip(entries, widths):
            draw(x, y)
            self.text(x + handle + gap, y, label, size, style.INK, va="center", gid=gid)
            x += handle + gap + w + sep

    def group(self, gid: str, build: Any) -> None:
        """Wrap what ``build()`` draws in ``<g data-gid="...">`` (a panel, the legend)."""
        self.parts.append(f'<g data-gid="{escape(gid)}">')
        build()
        self.parts.append("</g>")

    # -- result ------------------------------------------------------------------------------------------
    def chart(self, title: str, **kw: Any) -> SvgChart:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{fmt(self.w)}pt" height="{fmt(self.h)}pt" '
                f'viewBox="0 0 {fmt(self.w)} {fmt(self.h)}" version="1.1">')
        style = f'<g style="font-family: {escape(self.font_family, quote=False)}"><rect width="100%" height="100%" fill="#FFFFFF"/>'
        markup = head + style + "".join(self.parts) + "</g></svg>"
        return SvgChart(markup, title, self.w / 72, self.h / 72, texts=list(self.texts), shapes=list(self.shapes), **kw)


def dash(pattern: Sequence[float], width: float) -> list[float]:
    """A matplotlib dash pattern (in line widths) in points."""
    return [p * width for p in pattern]
