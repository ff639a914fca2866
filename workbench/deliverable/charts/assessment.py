"""Self-assessment charts (GB/T 19580): category radar and the item heat table."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import chart
from workbench.deliverable.charts.text import LINESPACING, shorten, wrap_to_points
from workbench.core.i18n import t

# consensus % → colour: red (0) → amber (50) → green (100), light enough for dark text
PCT_CMAP = LinearSegmentedColormap.from_list("pct", ["#F3B6B6", "#FBE3A6", "#CDE8C4", "#9ED19A"], N=256)


def _nan(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _name(row: pd.Series, lang: str) -> str:
    for key in (f"name_{lang}", "name", "name_zh", "name_en", "category_name"):
        if key in row.index and not _nan(row[key]) and str(row[key]).strip():
            return str(row[key])
    return ""


@chart
def assessment_radar(categories: pd.DataFrame, lang: str, *, total: float | None = None) -> Figure:
    """Radar of the categories' scores as percent of their points.

    ``categories``: category (id, e.g. 4.1), name (or name_zh/name_en), points, score (NaN: unscored).
    """
    style.apply_style()
    cats = categories.reset_index() if "category" not in categories.columns else categories
    cats = cats.reset_index(drop=True)
    n = len(cats)
    fig = style.new_figure(style.A4_WIDTH, 5.4)
    style.title(fig, t("charts.assessment.radar_title", lang),
                t("charts.assessment.total", lang, total=total) if total is not None and not _nan(total) else None)
    if n < 3:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    ax = fig.add_axes((0.2, 0.08, 0.6, 0.74), projection="polar")
    pct = [(float(s) / float(p) * 100 if not _nan(s) and float(p) else np.nan)
           for s, p in zip(cats["score"], cats["points"])]
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    vals = np.array([0 if np.isnan(v) else v for v in pct])
    ax.fill(np.r_[ang, ang[:1]], np.r_[vals, vals[:1]], color=style.TEAL, alpha=0.18, zorder=2)
    ax.plot(np.r_[ang, ang[:1]], np.r_[vals, vals[:1]], color=style.TEAL, lw=2, zorder=3)
    for a, v, raw in zip(ang, vals, pct):
        ax.plot([a], [v], marker="o", ms=5, color=style.TEAL if not np.isnan(raw) else style.STATUS_COLOURS["none"], zorder=4)
        ax.text(a, min(v + 9, 104), "—" if np.isnan(raw) else f"{raw:.0f}%", ha="center", va="center",
                fontsize=style.FS_SMALL, fontweight="bold", color=style.NAVY, zorder=5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels(["20", "40", "60", "80", "100%"], fontsize=style.FS_TINY, color=style.MUTED)
    ax.set_rlabel_position(180 / n)
    ax.set_xticks(ang)
    labels = [f"{c}\n{wrap_to_points(_name(r, lang), 96, style.FS_SMALL, max_lines=2)}" for c, (_, r) in
              zip(cats["category"], cats.iterrows())]
    ax.set_xticklabels(labels, fontsize=style.FS_SMALL, linespacing=LINESPACING)
    ax.tick_params(axis="x", pad=14)
    ax.grid(color=style.GRID, lw=0.8)
    ax.spines["polar"].set_color("#C9D1DC")
    return fig


@chart
def assessment_heatmap(items: pd.DataFrame, lang: str) -> Figure:
    """Item heat table: one row per item (id, name), columns points, consensus %, score, spread, band.

    Consensus cells are coloured from red (0 %) to green (100 %), unscored items grey; items with ``flagged``
    (spread > 20) get a red marker and a red spread cell, explained under the table.
    """
    style.apply_style()
    it = items.reset_index() if "item_id" not in items.columns else items
    it = it.reset_index(drop=True)
    n = len(it)
    row_h = 15.0
    head_h = 30.0
    title_h = 40.0
    foot_h = 26.0
    name_w = 190.0
    cols = [("points", t("charts.assessment.points", lang), 48), ("consensus_pct", t("charts.assessment.consensus", lang), 70),
            ("score", t("charts.assessment.score", lang), 52), ("spread", t("charts.assessment.spread", lang), 52),
            ("band", t("charts.assessment.band", lang), 80)]
    width = style.A4_WIDTH * 72
    id_w = 40.0
    table_w = id_w + name_w + sum(c[2] for c in cols)
    x0 = (width - table_w) / 2
    height = title_h + head_h + max(n, 1) * row_h + foot_h
    fig = style.new_figure(width / 72, height / 72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.text(12, height - 10, t("charts.assessment.heatmap_title", lang), ha="left", va="top", fontsize=style.FS_TITLE,
            fontweight="bold", color=style.NAVY)
    top = height - title_h
    # header
    x = x0
    hdr = [("item_id", t("charts.assessment.item", lang), id_w + name_w)] + cols
    for key, lab, w in hdr:
        ax.add_patch(Rectangle((x, top - head_h), w, head_h, facecolor=style.NAVY, edgecolor="white", lw=1))
        ax.text(x + (6 if key == "item_id" else w / 2), top - head_h / 2, wrap_to_points(lab, w - 6, style.FS_SMALL, "bold", 2),
                ha="left" if key == "item_id" else "center", va="center", fontsize=style.FS_SMALL, fontweight="bold",
                color="white", linespacing=LINESPACING)
        x += w
    prev_cat = None
    for i, (_, r) in enumerate(it.iterrows()):
        y = top - head_h - (i + 1) * row_h
        cat = r.get("category")
        if prev_cat is not None and cat != prev_cat:
            ax.add_line(Line2D([x0, x0 + table_w], [y + row_h, y + row_h], color=style.NAVY, lw=1.0, zorder=3))
        prev_cat = cat
        flagged = bool(r.get("flagged")) if not _nan(r.get("flagged")) else False
        bg = "#F7F8FA" if i % 2 else "white"
        ax.add_patch(Rectangle((x0, y), id_w + name_w, row_h, facecolor=bg, edgecolor="none"))
        ax.text(x0 + 6, y + row_h / 2, str(r.get("item_id", "")), ha="left", va="center", fontsize=style.FS_SMALL,
                color=style.INK, fontweight="bold")
        nm = shorten(_name(r, lang), int((name_w - 16) / style.FS_SMALL * 2))
        ax.text(x0 + id_w, y + row_h / 2, nm, ha="left", va="center", fontsize=style.FS_SMALL, color=style.INK)
        if flagged:
            ax.add_line(Line2D([x0 + id_w + name_w - 8], [y + row_h / 2], marker="^", ms=6.5, color=style.STATUS_COLOURS["bad"],
                               lw=0, zorder=4))
        x = x0 + id_w + name_w
        pct = r.get("consensus_pct")
        for key, _, w in cols:
            v = r.get(key)
            fc, txt, tc, fw = bg, "", style.INK, "normal"
            if key == "consensus_pct":
                if _nan(v):
                    fc, txt, tc = style.STATUS_FILLS["none"], t("charts.assessment.unscored", lang), style.MUTED
                else:
                    fc, txt, fw = PCT_CMAP(float(v) / 100), f"{float(v):.0f}%", "bold"
            elif key == "spread":
                txt = "" if _nan(v) else f"{float(v):.0f}"
                if flagged:
                    fc, tc, fw = style.STATUS_FILLS["bad"], style.STATUS_COLOURS["bad"], "bold"
            elif key == "band":
                txt = "" if _nan(v) else str(v)
                if not _nan(pct):
                    fc = PCT_CMAP(float(pct) / 100)
                    fc = (*fc[:3], 0.45)
            else:
                txt = "" if _nan(v) else (f"{float(v):.0f}" if abs(float(v) - round(float(v))) < 0.05 else f"{float(v):.1f}")
            ax.add_patch(Rectangle((x, y), w, row_h, facecolor=fc, edgecolor="white", lw=1))
            ax.text(x + w / 2, y + row_h / 2, shorten(txt, int((w - 4) / style.FS_SMALL * 2)), ha="center", va="center",
                    fontsize=style.FS_SMALL, color=tc, fontweight=fw)
            x += w
    # footnote
    fy = foot_h / 2 + 2
    ax.add_line(Line2D([x0 + 4], [fy], marker="^", ms=6.5, color=style.STATUS_COLOURS["bad"], lw=0))
    ax.text(x0 + 12, fy, t("charts.assessment.flagged", lang), ha="left", va="center", fontsize=style.FS_SMALL,
            color=style.INK)
    return fig


def assessment_radar_for(analysis: object) -> Figure:
    a = analysis.assessment  # type: ignore[attr-defined]
    lang = analysis.client.profile.language  # type: ignore[attr-defined]
    return assessment_radar(a.categories, lang, total=getattr(a, "total", None))


def assessment_heatmap_for(analysis: object) -> Figure:
    a = analysis.assessment  # type: ignore[attr-defined]
    return assessment_heatmap(a.items, analysis.client.profile.language)  # type: ignore[attr-defined]
