"""Turning a Figure into what the deliverable embeds: inline SVG (text kept as text), or PNG for the widgets.

SVG with ``svg.fonttype = none`` writes every label as a ``<text>`` element: sharp at any zoom and in print,
searchable and selectable in the browser and the PDF, and about a tenth of the size of glyph outlines (measured
in docs/decisions.md, "Charts"). The layouts are measured with the CJK font the font stack names first
(`FONT_STACK`); a reader without it gets the next CJK family of the stack.

Several charts share one HTML page, so every ``id`` of a chart (clip paths, markers, gids) gets a prefix unique to
that chart; the output is deterministic (fixed hash salt, no date), so equal inputs give byte-identical reports.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import html
import io
import re
import sys
from typing import Any, Iterator

import matplotlib as mpl
from matplotlib.figure import Figure

from workbench.deliverable.charts.style import DPI

__all__ = ["FONT_STACK", "to_png", "to_svg", "written_as_svg", "native_svg", "close_figure", "svg_alt", "alt_of", "gc_paused"]

# Measured-with font first, then the CJK families reviewers' machines have (macOS, Windows, Linux), then generic.
FONT_STACK = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'Source Han Sans CN', 'PingFang SC', 'Hiragino Sans GB', "
              "'Microsoft YaHei', 'WenQuanYi Micro Hei', 'DejaVu Sans', sans-serif")

_FAMILY = re.compile(r"font-family: [^;\"]+")
_ID = re.compile(r'\bid="([^"]+)"')
_HEAD = re.compile(r"\A.*?(?=<svg)", re.S)
_META = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ROOT = re.compile(r"<svg\b[^>]*>")


def _figure_of(obj: Any) -> Figure:
    """A Figure from a Figure or a lazy `workbench.deliverable.charts.cache.Chart`."""
    fig = getattr(obj, "figure", obj)
    if not isinstance(fig, Figure):
        raise TypeError(f"not a chart: {type(obj).__name__}")
    return fig


def _svg_native(obj: Any) -> Any:
    """The `charts.svg.SvgChart` of ``obj`` (itself or a lazy Chart's figure), or None for a matplotlib chart."""
    from workbench.deliverable.charts.svg import SvgChart

    fig = obj if isinstance(obj, SvgChart) else getattr(obj, "figure", None)
    return fig if isinstance(fig, SvgChart) else None


def written_as_svg(obj: Any) -> bool:
    """Whether ``obj`` (a chart, a lazy Chart) is written as SVG directly (`charts.svg`) and so has no PNG."""
    return _svg_native(obj) is not None


def native_svg(obj: Any) -> str | None:
    """The inline SVG of a chart written as SVG (a lazy Chart's through the chart cache), else None: what a view
    that shows matplotlib charts as PNG shows for these (the engagement notebook)."""
    if not written_as_svg(obj):
        return None
    return obj.svg() if hasattr(obj, "svg") else to_svg(obj)


def to_png(fig: Any, dpi: int = DPI, *, close: bool = True) -> bytes:
    """PNG bytes of a chart (white background, no extra layout pass), for the widgets; closes the figure."""
    if _svg_native(fig) is not None:
        raise TypeError("this chart is written as SVG (charts.svg) and has no PNG: use to_svg")
    fig = _figure_of(fig)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white",
                    metadata={"Software": None}, pil_kwargs={"compress_level": 6})
    finally:
        if close:
            close_figure(fig)
    return buf.getvalue()


def _prefix_ids(svg: str, prefix: str) -> str:
    """Give every id of one chart a chart-unique prefix (and every reference to it: url(#..), href="#..")."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
                         + r')(?=[")])')
    return pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one chart is drawn and encoded.

    A chart allocates tens of thousands of small objects; each allocation burst triggers collections that scan the
    whole heap of a notebook process (pandas, IPython, nbconvert): measured, a fifth of the charts' CPU time. The
    figure's garbage is collected right after, when the collector is back on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _sans() -> list[str]:
    from workbench.deliverable.charts.fonts import cjk_family

    return [cjk_family(), "DejaVu Sans"]


def to_svg(fig: Any, alt: str = "", *, close: bool = True) -> str:
    """The chart as an inline ``<svg>`` element (no XML prolog), labelled ``alt`` for screen readers, scaling down
    to its container (``max-width: 100%``) and never up. Closes the figure unless ``close`` is false.
    A chart written as SVG (`charts.svg.SvgChart`) gets the same finish."""
    native = _svg_native(fig)
    if native is not None:
        return _finish(native.markup, alt)
    fig = _figure_of(fig)
    buf = io.StringIO()
    try:
        with gc_paused(), mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "workbench", "svg.image_inline": True,
                             "font.sans-serif": _sans()}):
            fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None, "Creator": None})
    finally:
        if close:
            close_figure(fig)
    svg = _META.sub("", _HEAD.sub("", buf.getvalue(), count=1), count=1)
    return _finish(_FAMILY.sub("font-family: " + FONT_STACK, svg), alt)


def _finish(svg: str, alt: str) -> str:
    """Chart-unique ids, the accessible name and the scaling style on the root ``<svg>``."""
    prefix = "c" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:10]
    svg = _prefix_ids(svg, prefix)
    root = _ROOT.search(svg)
    assert root is not None
    label = f' role="img" aria-label="{html.escape(alt, quote=True)}"' if alt else ' aria-hidden="true"'
    tag = root.group(0)[:-1].rstrip("/") + f'{label} class="wb-chart" style="max-width: 100%; height: auto">'
    return svg[:root.start()] + tag + svg[root.end():].rstrip() + "\n"


def svg_alt(svg: str) -> str:
    """The alt text `to_svg` wrote into an inline SVG."""
    root = _ROOT.search(svg)
    m = re.search(r'aria-label="([^"]*)"', root.group(0)) if root else None
    return html.unescape(m.group(1)) if m else ""


def close_figure(fig: Figure) -> None:
    """Release a figure: close it in pyplot if pyplot adopted it. Charts are created outside pyplot, so dropping
    the last reference frees them; ``fig.clear()`` is not called (it rebuilds every axes' ticks: a tenth of a
    chart's CPU time, for nothing)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close(fig)
        except Exception:  # noqa: BLE001 - a figure pyplot never knew
            pass


def alt_of(fig: Any) -> str:
    """A chart's title, as alt text.

    The charts draw their title as a text with ``gid="title"`` or as the largest bold text (``style.title``'s
    figure text); a matplotlib suptitle comes before that, an axes title (any location) after.
    """
    if hasattr(fig, "alt") and not isinstance(fig, Figure):
        return str(fig.alt)
    texts = list(getattr(fig, "texts", []) or [])
    axes = list(getattr(fig, "axes", []) or [])
    every = texts + [tx for ax in axes for tx in (getattr(ax, "texts", []) or [])]
    for obj in every:
        if getattr(obj, "get_gid", lambda: None)() == "title" and obj.get_text().strip():
            return obj.get_text().strip()
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        return sup.get_text().strip()
    bold = []
    for i, obj in enumerate(every):
        try:
            weight = obj.get_fontweight()
            size = float(obj.get_fontsize())
        except Exception:  # noqa: BLE001 - not a matplotlib Text
            continue
        if obj.get_text().strip() and (weight == "bold" or (isinstance(weight, (int, float)) and weight >= 600)):
            bold.append((-size, i, obj.get_text().strip()))
    if bold:
        return min(bold)[2]
    for ax in axes:
        for loc in ("center", "left", "right"):
            title = ax.get_title(loc=loc) if hasattr(ax, "get_title") else ""
            if title and title.strip():
                return title.strip()
    return ""
