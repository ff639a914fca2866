"""What the deliverable notebooks call to show things.

Every helper publishes a display output (``publish_display_data``), so it works the same in a real
Jupyter kernel and in the in-process engine (``workbench.build.engine``). Each output carries
``metadata["workbench"] = {"kind": ...}`` so that ``workbench.deliverable.render`` can recognise headings (for the
table of contents and stable ``sec-1-2`` ids), figures, tables and notes.

Escaping rule: every helper that puts *text* into HTML escapes it (``html.escape``). Only
``show_table(str)`` and ``show_html`` take HTML, and that HTML must come from ``workbench.deliverable.tables`` (which
escapes every cell) or other workbench code, never from client input directly.
"""
from __future__ import annotations

import html
import re
from typing import Any

from workbench.core.i18n import t

__all__ = ["set_language", "language", "heading", "show_figure", "show_table", "show_html", "note",
           "no_data", "paragraph", "key_figures", "figure_png", "figure_svg", "esc"]

_state: dict[str, Any] = {"lang": "zh", "no_data_shown": False}


def esc(text: object) -> str:
    """HTML-escape any value (None -> empty)."""
    return "" if text is None else html.escape(str(text), quote=True)


def set_language(lang: str) -> None:
    """Language of the fixed texts these helpers emit (``notebook.load`` sets it from the client)."""
    _state["lang"] = "en" if lang == "en" else "zh"
    _state["no_data_shown"] = False  # a new notebook starts a new subsection


def language() -> str:
    return _state["lang"]


def _publish(data: dict[str, Any], kind: str, **meta: Any) -> None:
    from IPython.display import publish_display_data

    publish_display_data(data, metadata={"workbench": {"kind": kind, **meta}})


def heading(text: str, level: int = 1) -> None:
    """A section heading (1 = chapter, starts a new page in print; 2 = section; 3 = sub-section).

    Emitted as display output (HTML and Markdown) so that both JupyterLab's TOC and the deliverable's
    TOC see it; ``report.py`` numbers it and gives it a stable id.
    """
    level = min(max(int(level), 1), 4)
    _state["no_data_shown"] = False  # one "no data" note per (sub)section
    e = esc(text)
    _publish({"text/html": f'<h{level} class="wb-h wb-h{level}">{e}</h{level}>',
              "text/markdown": f"{'#' * level} {e}", "text/plain": str(text)},
             "heading", level=level, text=str(text))


def figure_png(fig: Any) -> bytes:
    """PNG bytes of a chart (a Figure or a lazy `charts.cache.Chart`), for the widgets."""
    from workbench.deliverable.charts.render import to_png

    return to_png(fig)


def figure_svg(fig: Any, alt: str | None = None) -> tuple[str, str]:
    """(inline SVG, alt text) of a chart: a lazy `charts.cache.Chart` comes from the chart cache when unchanged;
    a plain Figure is encoded (and closed)."""
    from workbench.deliverable.charts.render import alt_of, to_svg

    if hasattr(fig, "svg") and callable(fig.svg):
        svg = fig.svg()
        return svg, alt if alt is not None else fig.alt
    alt_text = alt if alt is not None else alt_of(fig)
    return to_svg(fig, alt_text), alt_text


def _alt_of(fig: Any) -> str:
    """A chart's title, as alt text (`charts.render.alt_of`)."""
    from workbench.deliverable.charts.render import alt_of

    return alt_of(fig)


_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt" height="([\d.]+)pt"')


def show_figure(fig: Any, alt: str | None = None, *, caption: str | None = None, close: bool = True) -> None:
    """Show a chart as inline SVG (text kept as text: sharp, searchable) with alt text and an optional caption.

    One copy only: ``text/html`` (the deliverable and JupyterLab both show it), ``metadata.workbench.kind ==
    "figure"`` with the alt text and the size in points (what a notebook stripper looks for). ``close`` is kept for
    callers; the figure is always released after encoding.
    """
    if fig is None:
        return
    svg, alt_text = figure_svg(fig, alt)
    alt_text = alt_text or caption or ""
    size = _SVG_SIZE.search(svg)
    meta: dict[str, Any] = {"alt": alt_text}
    if caption:
        meta["caption"] = caption
    if size:
        meta["pt"] = [float(size.group(1)), float(size.group(2))]
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    _publish({"text/html": f"{svg}{cap}", "text/plain": alt_text or "figure"}, "figure", **meta)


def show_table(table: Any, caption: str | None = None) -> None:
    """Show a table: HTML from ``workbench.deliverable.tables`` (trusted, already escaped) or a DataFrame (escaped
    here). This module never imports the tables: they build on it, not the other way round."""
    if table is None:
        return
    if isinstance(table, str):
        body = table
    else:  # a DataFrame: pandas escapes every cell (no import of the tables layer above: no cycle)
        body = table.to_html(index=False, escape=True, na_rep="—", border=0, classes="wb-t")
    cap = f'<p class="wb-caption">{esc(caption)}</p>' if caption else ""
    _publish({"text/html": f'<div class="wb-table">{cap}{body}</div>', "text/plain": caption or "table"}, "table")


def show_html(fragment: str, kind: str = "html") -> None:
    """Show trusted HTML produced by workbench code (cards, lists). Never pass client text unescaped."""
    _publish({"text/html": fragment, "text/plain": kind}, kind)


def paragraph(text: str, css: str = "wb-p") -> None:
    """A paragraph of (client or fixed) text, escaped; blank lines start new paragraphs."""
    parts = [p.strip() for p in str(text).split("\n\n") if p.strip()]
    body = "".join(f'<p class="{esc(css)}">{esc(p).replace(chr(10), "<br>")}</p>' for p in parts)
    _publish({"text/html": body, "text/plain": str(text)}, "paragraph")


def note(text: str, tone: str = "info") -> None:
    """A short highlighted remark (tone: info, warn, bad)."""
    tone = tone if tone in ("info", "warn", "bad") else "info"
    _publish({"text/html": f'<p class="wb-note wb-note-{tone}">{esc(text)}</p>', "text/plain": str(text)}, "note")


def no_data(section: str | None = None, lang: str | None = None) -> None:
    """Say that the client supplied no data for ``section`` (a label in the client's language).

    Said once per (sub)section: after a heading, the first call shows its note and later calls (the other
    tables and charts of the same subsection, all missing for the same reason) show nothing."""
    if _state.get("no_data_shown"):
        return
    _state["no_data_shown"] = True
    lang = lang or language()
    text = t("report.no_data.section", lang, section=section) if section else t("report.no_data", lang)
    _publish({"text/html": f'<p class="wb-nodata">{esc(text)}</p>', "text/plain": text}, "no_data")


def key_figures(items: list[tuple[str, str, str | None]] | list[dict[str, Any]]) -> None:
    """Headline figures as cards: (label, value text, status colour key or None)."""
    cards = []
    for it in items:
        if isinstance(it, dict):
            label, value, band, sub = it.get("label"), it.get("value"), it.get("band"), it.get("sub")
            title = it.get("title")
        else:
            title = None
            label, value, band = it[0], it[1], (it[2] if len(it) > 2 else None)
            sub = it[3] if len(it) > 3 else None
        chip = f' wb-kf-{esc(band)}' if band else ""
        sub_html = f'<div class="wb-kf-sub">{esc(sub)}</div>' if sub else ""
        tip = f' title="{esc(title)}"' if title else ""
        cards.append(f'<div class="wb-kf{chip}"{tip}><div class="wb-kf-value">{esc(value)}</div>'
                     f'<div class="wb-kf-label">{esc(label)}</div>{sub_html}</div>')
    _publish({"text/html": f'<div class="wb-kfs">{"".join(cards)}</div>', "text/plain": "key figures"}, "key_figures")
