"""Small pieces shared by the engagement views: message labels, HTML tables, status colours, chart images."""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import ipywidgets as W

from workbench.deliverable.html import esc  # noqa: F401 - used by the views
from workbench.core.i18n import t
from workbench.core.numfmt import fmt_number
from workbench.core.status import band as band_of  # noqa: F401 - the views' band of a score

CSS = """
<style>
.wb-app {font-size: 13px;}
.wb-app .wb-msg {color: #c62828; font-size: 11.5px; line-height: 1.25; margin: 0 0 2px 4px;}
.wb-app .wb-msg .widget-html-content {color: #c62828; font-size: 11.5px; line-height: 1.25;}
.wb-app .wb-msg-warn, .wb-app .wb-msg-warn .widget-html-content {color: #9a6700;}
.wb-app .wb-muted, .wb-app .wb-muted .widget-html-content {color: #666;}
.wb-app table.wb-t {border-collapse: collapse; font-size: 12px; margin: 2px 0 8px 0;}
.wb-app table.wb-t th {background: #f3f4f6; text-align: left; padding: 3px 8px; border-bottom: 1px solid #d0d4da; font-weight: 600;}
.wb-app table.wb-t td {padding: 3px 8px; border-bottom: 1px solid #eceef1; vertical-align: top;}
.wb-app table.wb-t td.num {text-align: right; font-variant-numeric: tabular-nums;}
.wb-app .wb-pill {display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px; font-weight: 600;}
.wb-app .wb-score .widget-html-content {font-size: 15px; font-weight: 600;}
.wb-app .wb-h .widget-html-content {font-weight: 600; font-size: 13.5px; margin-top: 4px;}
.wb-app .wb-head .widget-html-content {font-size: 15px; font-weight: 600;}
.wb-app .wb-dirty .widget-html-content {color: #b45309; font-weight: 600;}
.wb-app .wb-ok .widget-html-content {color: #1b5e20;}
.wb-app .wb-colhead .widget-html-content {color: #555; font-size: 11.5px; font-weight: 600;}
</style>
"""


def missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN / NaT
    except (TypeError, ValueError):
        return False


def show_value(v: Any) -> str:
    """A cell for display: numbers through the one formatter (core.numfmt), yes/no as ✓, text as it is."""
    if missing(v):
        return "—"
    if isinstance(v, bool):
        return "✓" if v else ""
    if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isinf(v)):
        return fmt_number(v)
    return str(v)


def status_colours(band: object) -> tuple[str, str]:
    """(text colour, fill) for a status band key (good / ok / bad / none)."""
    try:
        from workbench.deliverable.charts.style import status_colour, status_fill

        return status_colour(band), status_fill(band)
    except Exception:  # pragma: no cover - charts not importable
        return {"good": ("#1b5e20", "#e8f5e9"), "ok": ("#8a6100", "#fff8e1"), "bad": ("#b71c1c", "#ffebee")}.get(
            str(band), ("#555", "#f1f1f1"))


def pill(text: str, band: object) -> str:
    fg, bg = status_colours(band)
    return f'<span class="wb-pill" style="color:{fg};background:{bg};border:1px solid {fg}33">{esc(text)}</span>'


def status_label(band: object, lang: str) -> str:
    b = str(band) if str(band) in ("good", "ok", "bad", "none") else "none"
    return t(f"widgets.status.{b}", lang)


def table_html(headers: Iterable[str], rows: Iterable[Iterable[str]], num_cols: Iterable[int] = (),
               cls: str = "wb-t") -> str:
    """An HTML table; cells are given as HTML (escape text with ``esc`` first)."""
    nums = set(num_cols)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in nums else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def msg_label() -> W.HTML:
    """The small red label shown under a control."""
    lab = W.HTML(value="", layout=W.Layout(margin="0 0 2px 4px"))
    lab.add_class("wb-msg")
    return lab


def show_messages(label: W.HTML, messages: Iterable[Any]) -> None:
    msgs = list(messages)
    label.value = "<br>".join(esc(m.text) for m in msgs)
    if any(m.severity == "error" for m in msgs) or not msgs:
        label.remove_class("wb-msg-warn")
    else:
        label.add_class("wb-msg-warn")
    label.layout.display = "" if msgs else "none"


def heading(text: str) -> W.HTML:
    h = W.HTML(value=esc(text))
    h.add_class("wb-h")
    return h


def css_id(s: object) -> str:
    """A CSS-class-safe form of an id (for the browser test's selectors)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(s))


def chart_image(draw: Callable[[], Any], lang: str, width: str = "100%") -> W.Widget:
    """The chart ``draw()`` returns (a chart, PNG bytes or None): inline SVG for a chart written as SVG
    (`charts.svg`), a PNG for a matplotlib one; or a note why not."""
    try:
        fig = draw()
        if fig is None:
            return W.HTML(value=f'<span class="wb-muted">{esc(t("widgets.no_data", lang))}</span>')
        if isinstance(fig, (bytes, bytearray)):
            png = bytes(fig)
        else:
            from workbench.deliverable.charts.render import native_svg, to_png

            svg = native_svg(fig)
            if svg is not None:
                return W.HTML(value=f'<div class="wb-chart-svg" style="max-width: {esc(width)}">{svg}</div>',
                              layout=W.Layout(max_width=width))
            png = to_png(fig)
        return W.Image(value=png, format="png", layout=W.Layout(max_width=width, height="auto"))
    except Exception as exc:  # a chart must never break the editor
        return W.HTML(value=f'<span class="wb-msg">{esc(t("widgets.chart_error", lang, error=f"{type(exc).__name__}: {exc}"))}</span>')


def set_children(box: W.Box, children: list[W.Widget]) -> None:
    box.children = tuple(children)


def opt_float(v: Any) -> float:
    return 0.0 if missing(v) else float(v)


def text_value(v: Any) -> str:
    if missing(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
