"""Text measurement and CJK-aware wrapping for computed layouts.

Chinese has no spaces, so wrapping works on display width (a CJK character counts 2, Latin 1) and
breaks between any two CJK characters, keeping Latin words whole and respecting the usual line-break rules
(no line starts with ，。、；：？！）」》 and no line ends with （「《).
`measure` returns a text block's size in points as matplotlib will draw it (same font, same line spacing).
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from functools import lru_cache
from typing import Callable


from workbench.deliverable.charts.fonts import cjk_family

NO_LINE_START = set("，。、；：？！）」』》〉】〕…—·,.;:?!)]}%％")
NO_LINE_END = set("（「『《〈【〔([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.%+&_]*[-/]?|\s+|.", re.S)  # a word may break after - or /


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(s: str) -> int:
    return sum(char_width(c) for c in s)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def wrap(text: object, width: int, max_lines: int | None = None) -> str:
    """Wrap ``text`` to lines of at most ``width`` display units (CJK = 2). Existing newlines are kept.

    With ``max_lines`` the text is cut and ends with an ellipsis.
    """
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").strip()
    width = max(int(width), 4)
    out: list[str] = []
    for para in s.split("\n"):
        out.extend(_wrap_para(para.strip(), width))
    if max_lines is not None and len(out) > max_lines:
        out = out[:max_lines]
        last = out[-1]
        while last and display_width(last) + 1 > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return "\n".join(out)


def _wrap_para(para: str, width: int) -> list[str]:
    if not para:
        return [""]
    lines: list[str] = []
    cur = ""
    cur_w = 0
    for tok in _tokens(para):
        if tok.isspace():
            if cur:
                cur += " "
                cur_w += 1
            continue
        tw = display_width(tok)
        if cur_w + tw <= width:
            cur += tok
            cur_w += tw
            continue
        # token does not fit on this line
        if tok in NO_LINE_START and cur:
            # keep punctuation with the previous character: move that character down if possible
            cur += tok
            cur_w += tw
            if cur_w > width + 1 and len(cur) > 2:
                moved = cur[-2:]
                lines.append(cur[:-2].rstrip())
                cur, cur_w = moved, display_width(moved)
            continue
        if tw > width:  # a very long word: hard-break it
            if cur.strip():
                lines.append(cur.rstrip())
            cur, cur_w = "", 0
            for ch in tok:
                cw = char_width(ch)
                if cur_w + cw > width:
                    lines.append(cur)
                    cur, cur_w = "", 0
                cur += ch
                cur_w += cw
            continue
        if cur.strip():
            stripped = cur.rstrip()
            carry = ""
            while stripped and stripped[-1] in NO_LINE_END:
                carry = stripped[-1] + carry
                stripped = stripped[:-1]
            lines.append(stripped)
            cur, cur_w = carry + tok, display_width(carry + tok)
        else:
            cur, cur_w = tok, tw
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def shorten(text: object, width: int) -> str:
    """One line of at most ``width`` display units, with an ellipsis when cut."""
    s = " ".join(("" if text is None else str(text)).split())
    if display_width(s) <= width:
        return s
    out, w = "", 0
    for ch in s:
        cw = char_width(ch)
        if w + cw > width - 1:
            break
        out += ch
        w += cw
    return out.rstrip() + "…"


# --- measurement ----------------------------------------------------------------------------------------
# Measured with a real Text on a 72-dpi scratch figure (pixels == points), so the numbers are exactly what
# matplotlib draws, whatever its version's line-spacing rules.
_SCRATCH: dict[str, object] = {}
LINESPACING = 1.2


def _scratch():
    if not _SCRATCH:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4, 4), dpi=72)
        canvas = FigureCanvasAgg(fig)
        txt = fig.text(0, 0, "", family=[cjk_family(), "DejaVu Sans"], parse_math=False)  # literal, as drawn
        _SCRATCH.update(fig=fig, renderer=canvas.get_renderer(), text=txt)
    return _SCRATCH


@lru_cache(maxsize=50000)
def measure(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """(width, height) in points of ``text`` (may contain newlines) drawn at ``size`` points
    with ``linespacing=LINESPACING`` (pass that to every multi-line Text of a computed layout)."""
    sc = _scratch()
    txt = sc["text"]
    txt.set_parse_math(False)
    txt.set_linespacing(LINESPACING)
    txt.set_text(str(text) if str(text) else " ")
    txt.set_fontsize(size)
    txt.set_fontweight(weight)
    bb = txt.get_window_extent(sc["renderer"])
    return float(bb.width), float(bb.height)


_ADVANCES: dict[str, dict[str, float]] = {}  # weight -> character -> advance (em): plain data, inherited by forks
_FONTS: dict[str, object] = {}  # weight -> FT2Font, opened by this process only (see `_font`)


def _font(weight: str) -> object:
    """The CJK font of ``weight`` at 1000 units per em, opened in this process.

    An FT2Font reads its file through one open file: a batch worker forked from the warm zygote would share that
    file's offset with its sibling workers, and two of them loading a glyph at the same moment read each other's
    bytes ("charcode loading ... failed with error 0x03: broken file", one client in a few hundred). matplotlib
    drops its own font cache in a forked child for the same reason; so does this one (`os.register_at_fork`).
    The advances measured so far stay: they are plain numbers."""
    font = _FONTS.get(weight)
    if font is None:
        from matplotlib import font_manager as fm
        from matplotlib.ft2font import FT2Font

        path = fm.findfont(fm.FontProperties(family=cjk_family(), weight=weight), fallback_to_default=False)
        font = FT2Font(path)
        font.set_size(1000, 72)  # 1000 pt at 72 dpi: advances in thousandths of an em
        _FONTS[weight] = font
    return font


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_FONTS.clear)


def _advance(ch: str, weight: str, cache: dict[str, float]) -> float:
    try:
        from matplotlib.ft2font import LoadFlags

        flags = LoadFlags.NO_HINTING
    except ImportError:  # matplotlib < 3.10
        from matplotlib.ft2font import LOAD_NO_HINTING as flags  # type: ignore[attr-defined, no-redef]
    adv = cache[ch] = _font(weight).load_char(ord(ch), flags=flags).linearHoriAdvance / 65536 / 1000  # type: ignore[attr-defined]
    return adv


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of the widest line of ``text`` at ``size``: the sum of the font's advance widths (no
    kerning, as a browser draws CJK). For the charts written as SVG (`charts.svg`), whose text the browser or the
    PDF engine lays out: a hundred times cheaper than `measure`, which lays text out through matplotlib."""
    weight = "bold" if weight == "bold" else "normal"
    cache = _ADVANCES.setdefault(weight, {})
    best = 0.0
    for line in str(text).split("\n"):
        w = 0.0
        for ch in line:
            adv = cache.get(ch)
            if adv is None:
                adv = _advance(ch, weight, cache)
            w += adv
        best = max(best, w)
    return best * size


def text_size(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """(width, height) in points, as `measure` gives them, for SVG charts: `text_width`, and the height of as many
    lines (measured once per line count)."""
    return text_width(text, size, weight), measure("\n".join(["lp"] * (str(text).count("\n") + 1)), size, weight)[1]


def wrap_fast(text: object, max_width_pt: float, size: float, weight: str = "normal",
              max_lines: int | None = None) -> str:
    """`wrap_to_points` measured with `text_width` (for the charts written as SVG); a text that fits stays whole
    (display-width wrapping alone would break a line that only counts as too long)."""
    s = "" if text is None else str(text)
    if "\n" not in s and text_width(s, size, weight) <= max_width_pt and (max_lines is None or max_lines >= 1):
        return s.strip()
    return _wrap_measured(s, max_width_pt, size, max_lines, lambda out: text_width(out, size, weight))


def line_height(size: float) -> float:
    """Height added by one more line of text at ``size`` points."""
    return size * LINESPACING


def wrap_to_points(text: object, max_width_pt: float, size: float, weight: str = "normal",
                   max_lines: int | None = None) -> str:
    """Wrap so the widest line fits ``max_width_pt`` points (display-width wrapping, then checked by measuring)."""
    s = "" if text is None else str(text)
    return _wrap_measured(s, max_width_pt, size, max_lines, lambda out: measure(out, size, weight)[0])


def _wrap_measured(s: str, max_width_pt: float, size: float, max_lines: int | None,
                   width_of: "Callable[[str], float]") -> str:
    """Display-width wrapping (a CJK character is one em), narrowed until ``width_of`` says the block fits."""
    units = max(4, int(math.floor(2 * max_width_pt / size)))
    while True:
        out = wrap(s, units, max_lines)
        if width_of(out) <= max_width_pt or units <= 4:
            return out
        units -= 1


def shorten_to_points(text: object, max_width_pt: float, size: float, weight: str = "normal") -> str:
    """One line no wider than ``max_width_pt`` points at ``size``, with an ellipsis when cut (measured)."""
    s = " ".join(("" if text is None else str(text)).split())
    if measure(s, size, weight)[0] <= max_width_pt:
        return s
    units = display_width(s)
    while units > 2:
        units -= 1
        out = shorten(s, units)
        if measure(out, size, weight)[0] <= max_width_pt:
            return out
    return shorten(s, 2)
