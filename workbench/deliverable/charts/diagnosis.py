"""Cause prioritisation charts: Pareto (priority bars + cumulative %) and the impact / effort matrix."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.core.numfmt import fmt_number, fmt_pct
from workbench.deliverable.charts.text import measure, wrap_to_points
from workbench.core.i18n import t


def _causes(causes: pd.DataFrame) -> pd.DataFrame:
    df = causes.reset_index() if "cause_id" not in causes.columns else causes.copy()
    df["cause_id"] = df["cause_id"].astype(str)
    for c in ("impact", "effort"):
        if c not in df.columns:
            df[c] = np.nan
        df[c] = pd.to_numeric(df[c], errors="coerce")
    if "priority" not in df.columns:
        df["priority"] = df["impact"] * (6 - df["effort"])
    df["priority"] = pd.to_numeric(df["priority"], errors="coerce")
    if "is_top" not in df.columns:
        df["is_top"] = False
    return df


OTHER_ID = "…"
OTHER_GAP = 0.5            # extra space (bar widths) before the "other causes" bar
OTHER_COLOUR = "#B8BEC7"
MARKER_MS = 3.5


def _value_labels(fig: Figure, ax, xs: np.ndarray, vals: np.ndarray, cum: np.ndarray, rows: list) -> None:
    """Bar values inside the bar top (white) when the bar is tall enough, else just above it; a label above a bar
    that would touch the cumulative-line marker of that bar goes below the marker's reach instead (inside the
    bar) or, for a short bar, is moved up past the marker. Positions are computed in points from the axes size."""
    fig_h_pt = fig.get_figheight() * 72
    ax_h_pt = ax.get_position().height * fig_h_pt
    y_max = ax.get_ylim()[1]
    pt_per_unit = ax_h_pt / y_max
    fs = style.FS_TINY
    text_h = fs * 1.25
    for x, v, c, r in zip(xs, vals, cum, rows):
        bar_pt = v * pt_per_unit
        marker_pt = c / 105 * ax_h_pt           # the cumulative line's axis runs 0-105
        inside = bar_pt >= text_h + 4
        if inside:
            # inside the bar top; if the marker sits in that band, put the label below the marker
            top_pt = bar_pt - 2
            if abs(marker_pt - (top_pt - text_h / 2)) < text_h / 2 + MARKER_MS + 1:
                top_pt = min(top_pt, marker_pt - MARKER_MS - 2)
                if top_pt - text_h < 1:
                    inside = False
        if inside:
            ax.text(x, top_pt / pt_per_unit, fmt_number(v, 0), ha="center", va="top", fontsize=fs, fontweight="bold",
                    color="white" if r[0] != OTHER_ID else style.INK, zorder=4, gid="pareto-value")
            continue
        y_pt = bar_pt + 2
        if y_pt - MARKER_MS - 1 < marker_pt < y_pt + text_h + MARKER_MS + 1:
            y_pt = marker_pt + MARKER_MS + 2
        ax.text(x, y_pt / pt_per_unit, fmt_number(v, 0), ha="center", va="bottom", fontsize=fs, color=style.INK, zorder=4,
                gid="pareto-value")


@chart
def pareto(causes: pd.DataFrame, lang: str, top_ids: Iterable[str] | None = None, *, max_bars: int = 20) -> Figure:
    """Causes by priority points (impact × (6 − effort), bars descending) with the cumulative share of those points.

    The top-priority causes (``top_ids``, else `workbench.analysis.diagnosis.top_causes`: the vital few the report
    names) are highlighted and closed by a cut line that says how many causes they are and what share of all
    priority points they hold — the same cut as the analysis, not a separate 80 % rule. Beyond ``max_bars`` the
    remaining causes are summed into one "other causes" bar. Bars are labelled with cause ids (the causes table
    beside the chart holds the texts), so no label is ever cut.
    """
    from workbench.analysis.diagnosis import top_causes

    style.apply_style()
    df = _causes(causes)
    df = df[df["priority"].notna() & (df["priority"] > 0)]
    top = set(str(x) for x in top_ids) if top_ids is not None else set(top_causes(df) if len(df) else [])
    df = df.sort_values(["priority", "impact", "cause_id"], ascending=[False, False, True], kind="stable")
    fig = style.new_figure(style.A4_WIDTH, 4.2)
    style.title(fig, t("charts.pareto.title", lang))
    if df.empty:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    rows = list(zip(df["cause_id"], df["cause"].astype(str), df["priority"].astype(float)))
    total_points = sum(r[2] for r in rows)
    n_rest = 0
    if len(rows) > max_bars:
        # the tail is summed into one "other causes" bar: grey, hatched, set apart by a gap and labelled with how
        # many causes it holds, so it never reads as one more cause out of the descending order
        keep = max(max_bars - 1, sum(1 for r in rows if r[0] in top))
        rest = rows[keep:]
        n_rest = len(rest)
        rows = rows[:keep] + [(OTHER_ID, t("charts.pareto.other_causes_n", lang, n=n_rest), sum(r[2] for r in rest))]
    n = len(rows)
    ax = fig.add_axes((0.09, 0.17, 0.82, 0.66))
    vals = np.array([r[2] for r in rows])
    xs = np.arange(n, dtype=float)
    if n_rest:
        xs[-1] += OTHER_GAP
    cum = np.cumsum(vals) / total_points * 100
    colours = [OTHER_COLOUR if r[0] == OTHER_ID else style.TOP if r[0] in top else "#8DA9C4" for r in rows]
    bars = ax.bar(xs, vals, color=colours, width=0.72, zorder=2)
    for b, r in zip(bars, rows):
        b.set_gid("pareto-other" if r[0] == OTHER_ID else f"pareto-bar:{r[0]}")
        if r[0] == OTHER_ID:
            b.set_hatch("////")
            b.set_edgecolor("white")
            b.set_linewidth(0)
    if n_rest:
        ax.axvline(xs[-1] - 0.5 - OTHER_GAP / 2, color="#C9CED6", lw=0.9, ls=(0, (3, 3)), zorder=1)
    ax.set_xlim(-0.6, xs[-1] + 0.6)
    ax.set_ylim(0, vals.max() * 1.15)
    _value_labels(fig, ax, xs, vals, cum, rows)
    ax.set_ylabel(t("charts.pareto.priority", lang), fontsize=style.FS_SMALL)
    ax.set_xticks(xs)
    ax.set_xticklabels([cid if cid != OTHER_ID else wrap_to_points(txt, 60, style.FS_TINY) for cid, txt, _ in rows],
                       fontsize=style.FS_TINY if n > 12 else style.FS_SMALL, rotation=90 if n > 24 else 0)
    for lab, r in zip(ax.get_xticklabels(), rows):
        if r[0] in top:
            lab.set_color("#9A4A05")
            lab.set_fontweight("bold")
        elif r[0] == OTHER_ID:
            lab.set_color(style.MUTED)
    ax.grid(axis="y", color=style.GRID, zorder=0)
    ax2 = ax.twinx()
    ax2.plot(xs, cum, color=style.NAVY, marker="o", ms=MARKER_MS, lw=1.6, zorder=3, gid="pareto-cumulative")
    ax2.set_ylim(0, 105)
    ax2.set_yticks([0, 20, 40, 60, 80, 100])
    ax2.set_yticklabels([fmt_pct(v, 0) for v in (0, 20, 40, 60, 80, 100)])
    ax2.spines["right"].set_visible(True)
    ax2.spines["top"].set_visible(False)
    ax2.set_ylabel(t("charts.pareto.cumulative", lang), fontsize=style.FS_SMALL)
    n_top = sum(1 for r in rows if r[0] in top)
    if 0 < n_top < n:
        # the cut of the analysis: after the last top cause, named with its count and share of the points
        x_cut = (xs[n_top - 1] + xs[n_top]) / 2
        ax.axvline(x_cut, color=style.TOP, lw=1.2, ls=(0, (4, 3)), zorder=1, gid="pareto-cut")
        share = cum[n_top - 1]
        ax2.text(x_cut + 0.15, 103, t("charts.pareto.cut", lang, n=n_top, share=fmt_pct(share, 0)), ha="left",
                 va="top", fontsize=style.FS_SMALL, color="#9A4A05", fontweight="bold", gid="pareto-cut-label",
                 bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85), zorder=5)
    handles = [Rectangle((0, 0), 1, 1, color=style.TOP), Line2D([], [], color=style.NAVY, marker="o", ms=3.5)]
    ax.legend(handles, [t("charts.pareto.top", lang), t("charts.pareto.cumulative", lang)], loc="lower left",
              bbox_to_anchor=(0.0, 1.01), ncol=2, fontsize=style.FS_SMALL)
    return fig


def _spread(points: list[tuple[float, float]], r: float = 0.14) -> list[tuple[float, float]]:
    """Deterministic offsets so identical (impact, effort) points sit side by side around their cell."""
    groups: dict[tuple[float, float], list[int]] = {}
    for i, p in enumerate(points):
        groups.setdefault(p, []).append(i)
    out = list(points)
    for (x, y), idx in groups.items():
        k = len(idx)
        if k == 1:
            continue
        for j, i in enumerate(idx):
            a = 2 * math.pi * j / k + math.pi / 4
            rr = r * (1 + 0.35 * (j // 8))
            out[i] = (x + rr * math.cos(a), y + rr * math.sin(a))
    return out


EFFORT_SPLIT = 3.5   # low effort: effort ≤ 3
IMPACT_SPLIT = 2.5   # high impact: impact ≥ 3
QUAD_CLEAR = 0.12    # a drawn point stays this far (data units) from a quadrant line
LIST_X = 0.745       # the cause list beside the matrix (figure fraction)
LIST_TEXT_DX = 0.05


def quadrant(impact: float, effort: float) -> str:
    """Quadrant key of a rated cause: quick_wins (impact ≥ 3, effort ≤ 3), major_projects (impact ≥ 3, effort > 3),
    fill_ins (impact < 3, effort ≤ 3), thankless (impact < 3, effort > 3)."""
    high, low = impact >= 3, effort <= 3
    return ("quick_wins" if low else "major_projects") if high else ("fill_ins" if low else "thankless")


def _in_quadrant(p: tuple[float, float], effort: float, impact: float) -> tuple[float, float]:
    """Clamp a spread point (x effort, y impact) to the quadrant its own (impact, effort) defines."""
    x, y = p
    if effort <= 3:
        x = min(max(x, 0.5 + QUAD_CLEAR), EFFORT_SPLIT - QUAD_CLEAR)
    else:
        x = min(max(x, EFFORT_SPLIT + QUAD_CLEAR), 5.5 - QUAD_CLEAR)
    if impact >= 3:
        y = min(max(y, IMPACT_SPLIT + QUAD_CLEAR), 5.5 - QUAD_CLEAR)
    else:
        y = min(max(y, 0.5 + QUAD_CLEAR), IMPACT_SPLIT - QUAD_CLEAR)
    return x, y


@chart
def impact_effort(causes: pd.DataFrame, lang: str, top_ids: Iterable[str] | None = None) -> Figure:
    """Impact (y) against effort (x), 1-5, with the four quadrants named; identical points are spread out and
    labels (cause ids) placed where they overlap nothing; top-priority causes highlighted."""
    style.apply_style()
    df = _causes(causes)
    top = set(str(x) for x in top_ids) if top_ids is not None else set(df.loc[df["is_top"].fillna(False).astype(bool), "cause_id"])
    rated = df[df["impact"].notna() & df["effort"].notna()]
    # side list (id → whole cause text, wrapped to the column): the figure grows to hold it, the matrix keeps its size
    ids = list(rated["cause_id"])
    texts = list(rated["cause"].astype(str))
    order = sorted(range(len(ids)), key=lambda i: (ids[i] not in top, ids[i]))
    list_w = (1 - LIST_X - LIST_TEXT_DX) * style.A4_WIDTH * 72 - 6
    side = [(ids[i], wrap_to_points(texts[i], list_w, style.FS_TINY)) for i in order]
    line = style.FS_TINY * 1.2
    list_h = sum(txt.count("\n") * line + line + 2.5 for _, txt in side)
    height = max(5.6, (list_h + 0.12 * 5.6 * 72 + 30) / 72)
    fig = style.new_figure(style.A4_WIDTH, height)
    style.title(fig, t("charts.matrix.title", lang))
    ax = fig.add_axes((0.1, 1 - (0.12 * 5.6 + 4.37) / height, 0.62, 4.37 / height))
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_xlabel(t("charts.matrix.effort", lang))
    ax.set_ylabel(t("charts.matrix.impact", lang))
    # quadrants: low effort = effort ≤ 3, high impact = impact ≥ 3; the boundary lines run between the grid values
    # (effort 3.5, impact 2.5), so no point sits on a line and every point stays inside its own quadrant
    ex, iy = EFFORT_SPLIT, IMPACT_SPLIT
    quad = [((0.5, iy), ex - 0.5, 5.5 - iy, "#E3F1E0", "quick_wins", (0.6, 5.4), "left"),
            ((ex, iy), 5.5 - ex, 5.5 - iy, "#FDF1D8", "major_projects", (5.4, 5.4), "right"),
            ((0.5, 0.5), ex - 0.5, iy - 0.5, "#EEF2F7", "fill_ins", (0.6, 0.62), "left"),
            ((ex, 0.5), 5.5 - ex, iy - 0.5, "#F8E1E1", "thankless", (5.4, 0.62), "right")]
    for (x, y), w, h, fc, key, (tx, ty), ha in quad:
        ax.add_patch(Rectangle((x, y), w, h, facecolor=fc, edgecolor="none", zorder=0, gid=f"quadrant:{key}"))
        ax.text(tx, ty, t(f"charts.matrix.{key}", lang), ha=ha, va="top" if ty > 3 else "bottom", fontsize=style.FS_LABEL,
                fontweight="bold", color=style.MUTED, zorder=1)
    ax.axhline(iy, color="white", lw=2, zorder=0.5)
    ax.axvline(ex, color="white", lw=2, zorder=0.5)
    raw = list(zip(rated["effort"].astype(float), rated["impact"].astype(float)))
    pts = [_in_quadrant(p, e, i) for p, (e, i) in zip(_spread(raw), raw)]
    for (x, y), cid in zip(pts, ids):
        is_top = cid in top
        ax.plot([x], [y], marker="*" if is_top else "o", ms=11 if is_top else 6.5,
                color=style.TOP if is_top else style.NAVY, mec="white", mew=0.7, zorder=4, ls="none", gid=f"point:{cid}")
    # label placement in display space: try 8 positions around the point, keep the first clear one
    fig_w, fig_h = fig.get_figwidth() * 72, fig.get_figheight() * 72
    pos = ax.get_position()

    def to_pt(x: float, y: float) -> tuple[float, float]:
        return (pos.x0 + (x - 0.5) / 5 * pos.width) * fig_w, (pos.y0 + (y - 0.5) / 5 * pos.height) * fig_h

    placed: list[tuple[float, float, float, float]] = [(*to_pt(x, y), *to_pt(x, y)) for x, y in pts]
    placed = [(a - 4, b - 4, a + 4, b + 4) for a, b, _, _ in placed]
    offsets = [(6, 2, "left", "bottom"), (6, -2, "left", "top"), (-6, 2, "right", "bottom"), (-6, -2, "right", "top"),
               (0, 7, "center", "bottom"), (0, -7, "center", "top"), (11, 0, "left", "center"), (-11, 0, "right", "center")]
    for (x, y), cid in zip(pts, ids):
        w, h = measure(cid, style.FS_TINY + 0.5, "bold")
        px, py = to_pt(x, y)
        choice = None
        for dx, dy, ha, va in offsets + [(dx * 2.2, dy * 2.2, ha, va) for dx, dy, ha, va in offsets]:
            bx0 = px + dx - (w if ha == "right" else w / 2 if ha == "center" else 0)
            by0 = py + dy - (h if va == "top" else h / 2 if va == "center" else 0)
            box = (bx0, by0, bx0 + w, by0 + h)
            if all(box[2] <= o[0] or o[2] <= box[0] or box[3] <= o[1] or o[3] <= box[1] for o in placed):
                choice = (dx, dy, ha, va, box)
                break
        if choice is None:
            dx, dy, ha, va = offsets[0]
            box = (px + dx, py + dy, px + dx + w, py + dy + h)
            choice = (dx, dy, ha, va, box)
        dx, dy, ha, va, box = choice
        placed.append(box)
        ax.annotate(cid, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, fontsize=style.FS_TINY + 0.5,
                    fontweight="bold", color="#9A4A05" if cid in top else style.INK, zorder=5, gid=f"cause:{cid}")
    # side list: id → cause text, top causes first, never cut
    fig_h = height * 72
    y = 1 - 0.12 * 5.6 * 72 / fig_h
    for cid, txt in side:
        fig.text(LIST_X, y, cid, ha="left", va="top", fontsize=style.FS_TINY, fontweight="bold",
                 color="#9A4A05" if cid in top else style.INK)
        fig.text(LIST_X + LIST_TEXT_DX, y, txt, ha="left", va="top", fontsize=style.FS_TINY, color=style.INK,
                 linespacing=1.2, gid=f"matrix-list:{cid}")
        y -= (txt.count("\n") * line + line + 2.5) / fig_h
    n_unrated = len(df) - len(rated)
    if n_unrated:
        fig.text(0.1, 0.015, t("charts.matrix.unrated", lang, n=n_unrated), ha="left", va="bottom",
                 fontsize=style.FS_TINY, color=style.MUTED)
    return fig


def _diag(analysis: object) -> tuple[pd.DataFrame, list[str], str]:
    d = getattr(analysis, "diagnosis", None)
    lang = analysis.client.profile.language  # type: ignore[attr-defined]
    if d is None:
        d = pd.DataFrame(columns=["cause_id", "cause", "impact", "effort", "priority"])
    return d, list(getattr(analysis, "top_causes", []) or []), lang


def pareto_for(analysis: object) -> Chart:
    d, top, lang = _diag(analysis)
    return pareto(d, lang, top)


def impact_effort_for(analysis: object) -> Chart:
    d, top, lang = _diag(analysis)
    return impact_effort(d, lang, top)
