"""Self-assessment charts (GB/T 19580): category radar and the item heat table."""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.core.numfmt import fmt_pct, fmt_points
from workbench.deliverable.charts.text import LINESPACING, wrap_to_points
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
def assessment_radar(categories: pd.DataFrame, lang: str, *, total: float | None = None,
                     target_pct: float | None = None, previous: Mapping[str, float | None] | None = None,
                     previous_label: str | None = None) -> Figure:
    """Radar of the categories' scores as percent of their points, with the target ring and the previous round.

    ``categories``: category (id, e.g. 4.1), name (or name_zh/name_en), points, score (NaN: unscored).
    ``target_pct``: the client's target as a share of the framework's points (``target_score`` / total points × 100), drawn
    as a dashed ring. ``previous``: category → the previous round's score in points (history), drawn as a grey
    outline and named ``previous_label`` in the legend.
    """
    style.apply_style()
    cats = categories.reset_index() if "category" not in categories.columns else categories
    cats = cats.reset_index(drop=True)
    n = len(cats)
    fig = style.new_figure(style.A4_WIDTH, 5.6)
    style.title(fig, t("charts.assessment.radar_title", lang),
                t("charts.assessment.total", lang, total=fmt_points(total),
                  points=fmt_points(cats["points"].sum()) if "points" in cats else "—") if total is not None and not _nan(total) else None)
    if n < 3:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    ax = fig.add_axes((0.2, 0.1, 0.6, 0.7), projection="polar")
    pts = [float(p) if not _nan(p) else math.nan for p in cats["points"]]
    pct = [(float(s) / p * 100 if not _nan(s) and p else np.nan) for s, p in zip(cats["score"], pts)]
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.r_[ang, ang[:1]]
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    handles, labels = [], []
    if target_pct is not None and not _nan(target_pct):
        tp = min(float(target_pct), 100.0)
        ax.plot(np.linspace(0, 2 * np.pi, 181), [tp] * 181, color=style.STATUS_COLOURS["good"], lw=1.3,
                ls=(0, (5, 3)), zorder=2, gid="radar-target")
        handles.append(Line2D([], [], color=style.STATUS_COLOURS["good"], lw=1.3, ls=(0, (5, 3))))
        labels.append(t("charts.assessment.target", lang, pct=fmt_pct(target_pct, 0)))
    if previous:
        prev = [(float(previous[str(c)]) / p * 100 if str(c) in previous and not _nan(previous[str(c)]) and p else np.nan)
                for c, p in zip(cats["category"], pts)]
        if not all(np.isnan(prev)):
            pv = np.array([0 if np.isnan(v) else v for v in prev])
            ax.plot(ring, np.r_[pv, pv[:1]], color=style.MUTED, lw=1.2, ls=(0, (2, 2)), zorder=2, gid="radar-previous")
            handles.append(Line2D([], [], color=style.MUTED, lw=1.2, ls=(0, (2, 2))))
            labels.append(previous_label or t("charts.assessment.previous", lang))
    vals = np.array([0 if np.isnan(v) else v for v in pct])
    ax.fill(ring, np.r_[vals, vals[:1]], color=style.TEAL, alpha=0.18, zorder=3)
    ax.plot(ring, np.r_[vals, vals[:1]], color=style.TEAL, lw=2, zorder=3, gid="radar-current")
    handles.insert(0, Line2D([], [], color=style.TEAL, lw=2))
    labels.insert(0, t("charts.assessment.current", lang))
    for a, v, raw in zip(ang, vals, pct):
        ax.plot([a], [v], marker="o", ms=5, color=style.TEAL if not np.isnan(raw) else style.STATUS_COLOURS["none"], zorder=4)
        ax.text(a, min(v + 9, 104), fmt_pct(raw, 0), ha="center", va="center",
                fontsize=style.FS_SMALL, fontweight="bold", color=style.NAVY, zorder=5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels(["20", "40", "60", "80", "100%"], fontsize=style.FS_TINY, color=style.MUTED)
    ax.set_rlabel_position(180 / n)
    ax.set_xticks(ang)
    xl = [f"{c}\n{wrap_to_points(_name(r, lang), 96, style.FS_SMALL)}" for c, (_, r) in zip(cats["category"], cats.iterrows())]
    ax.set_xticklabels(xl, fontsize=style.FS_SMALL, linespacing=LINESPACING)
    ax.tick_params(axis="x", pad=14)
    ax.grid(color=style.GRID, lw=0.8)
    ax.spines["polar"].set_color("#C9D1DC")
    fig.legend(handles, labels, loc="lower center", ncol=len(handles), fontsize=style.FS_SMALL, bbox_to_anchor=(0.5, 0.0))
    return fig


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
        names = {str(c): _name(r, lang) for c, (_, r) in zip(cf["category"], cf.iterrows())}
    return _heat_table(it[keep].reset_index(drop=True), lang, names)


@chart
def _heat_table(items: pd.DataFrame, lang: str, names: Mapping[str, str]) -> Figure:
    import seaborn as sns

    style.apply_style()
    it = items.copy()
    it["category"] = [str(c) if not _nan(c) else str(i).rsplit(".", 1)[0] for c, i in zip(it.get("category", it["item_id"]), it["item_id"])]
    cats = list(dict.fromkeys(it["category"]))
    groups = {c: it[it["category"] == c].reset_index(drop=True) for c in cats}
    ncol = max((len(g) for g in groups.values()), default=1)
    cell_w, cell_h = 0.78, 0.42
    label_w = 1.7
    width = min(style.A4_WIDTH, label_w + ncol * cell_w + 0.5)
    height = 0.75 + max(len(cats), 1) * cell_h + 0.55
    fig = style.new_figure(width, height)
    style.title(fig, t("charts.assessment.heatmap_title", lang))
    if not len(it):
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    vals = np.full((len(cats), ncol), np.nan)
    annot = np.full((len(cats), ncol), "", dtype=object)
    flagged: list[tuple[int, int]] = []
    unscored: list[tuple[int, int]] = []
    for i, c in enumerate(cats):
        for j, (_, r) in enumerate(groups[c].iterrows()):
            pct = r.get("consensus_pct")
            vals[i, j] = np.nan if _nan(pct) else float(pct)
            annot[i, j] = f"{r['item_id']}\n{fmt_pct(pct, 0) if not _nan(pct) else t('charts.assessment.unscored', lang)}"
            if _nan(pct):
                unscored.append((i, j))
            if not _nan(r.get("flagged")) and bool(r.get("flagged")):
                flagged.append((i, j))
    ax = fig.add_axes((label_w / width, 0.5 / height, (ncol * cell_w) / width, (len(cats) * cell_h) / height))
    sns.heatmap(vals, ax=ax, cmap=PCT_CMAP, vmin=0, vmax=100, annot=annot, fmt="", cbar=False, linewidths=1.5,
                linecolor="white", annot_kws={"fontsize": style.FS_TINY, "color": style.INK, "linespacing": 1.1},
                xticklabels=False, yticklabels=False, mask=np.isnan(vals) & (annot == ""))
    for i, j in unscored:
        ax.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, facecolor=style.STATUS_FILLS["none"], edgecolor="none",
                               zorder=0.5))
    for i, j in flagged:
        ax.add_patch(Rectangle((j + 0.05, i + 0.05), 0.9, 0.9, fill=False, edgecolor=style.STATUS_COLOURS["bad"], lw=1.6,
                               zorder=3, gid="heat-flagged"))
    for i, c in enumerate(cats):
        cname = names.get(c, "")
        ax.text(-0.12, i + 0.5, wrap_to_points(f"{c} {cname}".strip(), label_w * 72 - 16, style.FS_SMALL), ha="right",
                va="center", fontsize=style.FS_SMALL, color=style.INK, linespacing=1.1, gid="heat-category")
    if flagged:
        fig.text(label_w / width, 0.12 / height, "□ " + t("charts.assessment.flagged", lang), ha="left", va="bottom",
                 fontsize=style.FS_TINY, color=style.STATUS_COLOURS["bad"])
    return fig


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
