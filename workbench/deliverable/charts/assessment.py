"""Self-assessment charts (GB/T 19580): category radar and the item heat table, both written as SVG (`charts.svg`)."""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import pandas as pd
from matplotlib.colors import LinearSegmentedColormap, to_hex

from workbench.core.frames import records
from workbench.core.i18n import t
from workbench.core.numfmt import fmt_pct, fmt_points
from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.svg import Canvas, Panel, SvgChart, dash
from workbench.deliverable.charts.text import LINESPACING, text_size, wrap_fast

# consensus % → colour: red (0) → amber (50) → green (100), light enough for dark text
PCT_CMAP = LinearSegmentedColormap.from_list("pct", ["#F3B6B6", "#FBE3A6", "#CDE8C4", "#9ED19A"], N=256)


def _nan(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _name(row: Mapping[str, object], lang: str) -> str:
    for key in (f"name_{lang}", "name", "name_zh", "name_en", "category_name"):
        if key in row and not _nan(row[key]) and str(row[key]).strip():
            return str(row[key])
    return ""


@chart
def assessment_radar(categories: pd.DataFrame, lang: str, *, total: float | None = None,
                     target_pct: float | None = None, previous: Mapping[str, float | None] | None = None,
                     previous_label: str | None = None) -> SvgChart:
    """Radar of the categories' scores as percent of their points, with the target ring and the previous round.

    ``categories``: category (id, e.g. 4.1), name (or name_zh/name_en), points, score (NaN: unscored).
    ``target_pct``: the client's target as a share of the framework's points (``target_score`` / total points × 100), drawn
    as a dashed ring. ``previous``: category → the previous round's score in points (history), drawn as a grey
    outline and named ``previous_label`` in the legend.

    Written as SVG (`charts.svg`), in matplotlib's polar geometry (the axes box 20-80 % wide, 10-80 % high, the
    first category at the top, clockwise). The result's ``panels["radar"]`` records the percentages (``points``:
    (position, %)), the category labels (``xticks``) and the target ring (``lines``).
    """
    from workbench.deliverable.charts.render import FONT_STACK

    cats = categories.reset_index() if "category" not in categories.columns else categories
    cats = cats.reset_index(drop=True)
    n = len(cats)
    W, H = style.A4_WIDTH * 72, 5.6 * 72
    cv = Canvas(W, H, FONT_STACK)
    head = t("charts.assessment.radar_title", lang)
    cv.title(head)
    if total is not None and not _nan(total):
        cv.text(0.2 * 72, 0.38 * 72, t("charts.assessment.total", lang, total=fmt_points(total),
                                       points=fmt_points(cats["points"].sum()) if "points" in cats else "—"),
                style.FS_SMALL, style.MUTED, va="top", gid="subtitle")
    if n < 3:
        cv.no_data(t("charts.no_data", lang))
        return cv.chart(head)
    cx, cy, R = 0.5 * W, 0.55 * H, min(0.6 * W, 0.7 * H) / 2
    ang = [2 * math.pi * i / n for i in range(n)]

    def at(a: float, pct: float) -> tuple[float, float]:  # clockwise from the top
        return cx + R * pct / 100 * math.sin(a), cy - R * pct / 100 * math.cos(a)

    for r in (20, 40, 60, 80):
        cv.circle(cx, cy, R * r / 100, "none", style.GRID, 0.8)
    for a in ang:
        cv.line(cx, cy, *at(a, 100), style.GRID, 0.8)
    cv.circle(cx, cy, R, "none", "#C9D1DC", 1.0, gid="radar-outer")
    tick_angle = math.pi / n  # between the first two spokes, as matplotlib's rlabel_position 180/n
    for r, label in zip((20, 40, 60, 80, 100), ("20", "40", "60", "80", "100%")):
        cv.text(*at(tick_angle, r), label, style.FS_TINY, style.MUTED, anchor="middle", va="center", gid="radar-rtick")
    pts = [float(p) if not _nan(p) else math.nan for p in cats["points"]]
    pct = [(float(s) / p * 100 if not _nan(s) and p else math.nan) for s, p in zip(cats["score"], pts)]
    legend: list[tuple[str, str, float, Sequence[float] | None]] = [
        (t("charts.assessment.current", lang), style.TEAL, 2.0, None)]
    lines: dict[str, float] = {}
    if target_pct is not None and not _nan(target_pct):
        tp = min(float(target_pct), 100.0)
        lines["target"] = tp
        cv.circle(cx, cy, R * tp / 100, "none", style.STATUS_COLOURS["good"], 1.3, dash(TARGET_DASH, 1.3),
                  gid="radar-target")
        legend.append((t("charts.assessment.target", lang, pct=fmt_pct(target_pct, 0)), style.STATUS_COLOURS["good"],
                       1.3, TARGET_DASH))
    if previous:
        prev = [(float(previous[str(c)]) / p * 100 if str(c) in previous and not _nan(previous[str(c)]) and p else math.nan)
                for c, p in zip(cats["category"], pts)]
        if not all(math.isnan(v) for v in prev):
            cv.polygon([at(a, 0 if math.isnan(v) else v) for a, v in zip(ang, prev)], stroke=style.MUTED, width=1.2,
                       dash=dash(PREVIOUS_DASH, 1.2), gid="radar-previous")
            legend.append((previous_label or t("charts.assessment.previous", lang), style.MUTED, 1.2, PREVIOUS_DASH))
    vals = [0.0 if math.isnan(v) else v for v in pct]
    outline = [at(a, v) for a, v in zip(ang, vals)]
    cv.polygon(outline, fill=style.TEAL, fill_opacity=0.18)
    cv.polygon(outline, stroke=style.TEAL, width=2.0, gid="radar-current")
    for a, v, raw, (x, y) in zip(ang, vals, pct, outline):
        cv.circle(x, y, 2.5, style.TEAL if not math.isnan(raw) else style.STATUS_COLOURS["none"])
        label = fmt_pct(raw, 0)
        lx, ly = at(a, min(v + 9, 104))
        lw, lh = text_size(label, style.FS_SMALL, "bold")
        cv.rect(lx - lw / 2 - 1.5, ly - lh / 2 - 1, lw + 3, lh + 2, "#FFFFFF", radius=2, fill_opacity=0.8)
        cv.text(lx, ly, label, style.FS_SMALL, style.NAVY, anchor="middle", va="center", weight="bold", gid="radar-value")
    xticks = [f"{c}\n{wrap_fast(_name(r, lang), 96, style.FS_SMALL)}" for c, r in zip(cats["category"], records(cats))]
    for a, label in zip(ang, xticks):
        w, h = text_size(label, style.FS_SMALL)
        gap = R + 14  # matplotlib's tick pad: the label's box starts 14 pt beyond the outer ring
        x = cx + math.sin(a) * (gap + w / 2)
        y = cy - math.cos(a) * (gap + h / 2)
        cv.text(x, y, label, style.FS_SMALL, style.INK, anchor="middle", va="center", line_height=LINESPACING,
                gid="radar-category")
    _legend(cv, legend, H - 0.16 * 72)
    panel = Panel("radar", head, "radar", (0.0, 100.0), ["20", "40", "60", "80", "100%"], [20, 40, 60, 80, 100],
                  xticks, lines, [(float(i), v) for i, v in enumerate(pct)])
    return cv.chart(head, panels={"radar": panel})


TARGET_DASH, PREVIOUS_DASH = (5, 3), (2, 2)  # in line widths, as matplotlib scales a dash pattern


def _legend(cv: Canvas, entries: Sequence[tuple[str, str, float, Sequence[float] | None]], y: float) -> None:
    """One row, centred: a line handle (colour, width, dash) and its label per entry; labels gid ``legend``."""
    def handle(colour: str, lw: float, pattern: Sequence[float] | None) -> Callable[[float, float], None]:
        return lambda x, yy: cv.line(x, yy, x + 20, yy, colour, lw, dash(pattern, lw) if pattern else None)

    cv.legend_row([(lab, handle(colour, lw, pattern)) for lab, colour, lw, pattern in entries], y, style.FS_SMALL,
                  20.0, 6.0, 16.0, gid="legend")


HEAT_COLUMNS = ("item_id", "category", "name_zh", "name_en", "name", "consensus_pct", "flagged")


def assessment_heatmap(items: pd.DataFrame, lang: str, categories: pd.DataFrame | None = None) -> Chart:
    """Heat table of the self-assessment: one row per category, its items side by side, each cell the item's
    consensus % (red 0 % → green 100 %), items flagged for the consensus meeting (spread > 20) outlined in red.

    An overview in one glance that the items table below does not give (it does not repeat the table's rows);
    drawn from the item ids, categories, consensus % and flags only (the chart cache keys on just those).
    ``categories`` (the categories frame, optional) names each row."""
    it = items.reset_index() if "item_id" not in items.columns else items
    keep = [c for c in HEAT_COLUMNS if c in it.columns]
    names: dict[str, str] = {}
    if categories is not None and len(categories):
        cf = categories.reset_index() if "category" not in categories.columns else categories
        names = {str(c): _name(r, lang) for c, r in zip(cf["category"], records(cf))}
    return _heat_table(it[keep].reset_index(drop=True), lang, names)


@chart
def _heat_table(items: pd.DataFrame, lang: str, names: Mapping[str, str]) -> SvgChart:
    """Written as SVG (`charts.svg`): a cell per item (gid ``heat:<item>``), coloured by `PCT_CMAP`, in rows of
    categories (labels gid ``heat-category``); flagged items outlined (gid ``heat-flagged``)."""
    from workbench.deliverable.charts.render import FONT_STACK

    it = items.copy()
    it["category"] = [str(c) if not _nan(c) else str(i).rsplit(".", 1)[0] for c, i in zip(it.get("category", it["item_id"]), it["item_id"])]
    cats = list(dict.fromkeys(it["category"]))
    rows = records(it)
    groups = {c: [r for r in rows if r["category"] == c] for c in cats}
    ncol = max((len(g) for g in groups.values()), default=1)
    cell_w, cell_h, label_w = 0.78 * 72, 0.42 * 72, 1.7 * 72
    top = 0.5 * 72  # under the title
    flagged_any = any(not _nan(r.get("flagged")) and bool(r.get("flagged")) for r in rows)
    W = min(style.A4_WIDTH * 72, label_w + ncol * cell_w + 0.5 * 72)
    H = top + max(len(cats), 1) * cell_h + (0.5 if flagged_any else 0.25) * 72
    cv = Canvas(W, H, FONT_STACK)
    head = t("charts.assessment.heatmap_title", lang)
    cv.title(head)
    if not rows:
        cv.no_data(t("charts.no_data", lang))
        return cv.chart(head)
    edge = 1.5  # seaborn's white cell borders
    for i, c in enumerate(cats):
        y = top + i * cell_h
        cname = names.get(c, "")
        cv.text(label_w - 0.12 * cell_w, y + cell_h / 2, wrap_fast(f"{c} {cname}".strip(), label_w - 16, style.FS_SMALL),
                style.FS_SMALL, style.INK, anchor="end", va="center", line_height=1.1, gid="heat-category")
        for j, r in enumerate(groups[c]):
            x = label_w + j * cell_w
            pct = r.get("consensus_pct")
            fill = style.STATUS_FILLS["none"] if _nan(pct) else to_hex(PCT_CMAP(min(max(float(pct), 0.0), 100.0) / 100))
            cv.rect(x + edge / 2, y + edge / 2, cell_w - edge, cell_h - edge, fill, gid=f"heat:{r['item_id']}")
            if not _nan(r.get("flagged")) and bool(r.get("flagged")):
                cv.rect(x + 0.05 * cell_w, y + 0.05 * cell_h, 0.9 * cell_w, 0.9 * cell_h, "none",
                        stroke=style.STATUS_COLOURS["bad"], stroke_width=1.6, gid="heat-flagged")
            value = fmt_pct(pct, 0) if not _nan(pct) else t("charts.assessment.unscored", lang)
            cv.text(x + cell_w / 2, y + cell_h / 2, f"{r['item_id']}\n{value}", style.FS_TINY, style.INK, anchor="middle",
                    va="center", line_height=1.1, gid="heat-cell")
    if flagged_any:
        cv.text(label_w, H - 0.12 * 72, "□ " + t("charts.assessment.flagged", lang), style.FS_TINY,
                style.STATUS_COLOURS["bad"], va="bottom", gid="heat-note")
    return cv.chart(head)


def _previous_round(analysis: object) -> tuple[dict[str, float | None] | None, str | None]:
    """The previous round's category scores (``analysis.progress.rounds``, from the client's history), if any."""
    prog = getattr(analysis, "progress", None)
    rounds = getattr(prog, "rounds", None) or []
    if len(rounds) < 2 or not isinstance(rounds[-2], dict):
        return None, None
    prev = rounds[-2]
    cats = prev.get("categories") or {}
    return ({str(k): v for k, v in cats.items()} or None), (str(prev.get("period")) if prev.get("period") else None)


def _target_pct(analysis: object, categories: pd.DataFrame) -> float | None:
    setting = getattr(analysis, "setting", None)
    target = setting("target_score") if callable(setting) else getattr(analysis.client.profile, "target_score", None)  # type: ignore[attr-defined]
    try:
        target = float(target)
        total = float(pd.to_numeric(categories["points"], errors="coerce").sum())
    except (TypeError, ValueError, KeyError):
        return None
    return None if math.isnan(target) or not total else target / total * 100


def assessment_radar_for(analysis: object) -> Chart:
    a = analysis.assessment  # type: ignore[attr-defined]
    lang = analysis.client.profile.language  # type: ignore[attr-defined]
    previous, period = _previous_round(analysis)
    label = t("charts.assessment.previous_period", lang, period=period) if period else None
    return assessment_radar(a.categories, lang, total=getattr(a, "total", None), target_pct=_target_pct(analysis, a.categories),
                            previous=previous, previous_label=label)


def assessment_heatmap_for(analysis: object) -> Chart:
    a = analysis.assessment  # type: ignore[attr-defined]
    return assessment_heatmap(a.items, analysis.client.profile.language, a.categories)  # type: ignore[attr-defined]
