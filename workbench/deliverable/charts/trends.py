"""Trends over periods: KPI actuals (small multiples, paged 12 a figure) and contract scores."""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.transforms import offset_copy

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from matplotlib.ticker import MaxNLocator

from workbench.core.numfmt import fmt_number
from workbench.deliverable.charts.text import LINESPACING, measure, wrap_to_points
from workbench.core.i18n import t
from workbench.intake.model import period_sort_key

MAX_DEFAULT = 12


def _num(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f


def _periods(values: Sequence[object]) -> list[str]:
    return sorted({str(p) for p in values}, key=period_sort_key)


def _method(kp: pd.DataFrame, kid: str) -> str:
    if kid in kp.index and "method" in kp.columns:
        m = kp.at[kid, "method"]
        return "" if m is None or (isinstance(m, float) and math.isnan(m)) else str(m).strip().lower()
    return ""


def _is_binary(v: object) -> bool:
    return isinstance(v, (bool, np.bool_))


def _has_actual(v: object) -> bool:
    if v is None or v is pd.NA:
        return False
    if isinstance(v, float) and math.isnan(v):
        return False
    return not (isinstance(v, str) and not v.strip())


def trend_ids(kpi_history: pd.DataFrame, kpis: pd.DataFrame) -> list[str]:
    """Every KPI with at least one actual (numeric, yes/no or grade), in cascade order: each top-level KPI followed
    by its sub-KPIs, depth first (the order of the KPI cascade tree)."""
    from workbench.deliverable.charts.kpi_tree import _children

    kp = kpis.set_index("kpi_id") if "kpi_id" in kpis.columns else kpis
    kp = kp.copy()
    kp.index = kp.index.astype(str)
    if kpi_history is None or len(kpi_history) == 0 or len(kp) == 0:
        return []
    have = {str(k) for k, v in zip(kpi_history["kpi_id"], kpi_history["actual"]) if _has_actual(v)}
    kids, roots = _children(kp)
    order: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen:
            return
        seen.add(n)
        order.append(n)
        for c in kids[n]:
            visit(c)

    for r in roots:
        visit(r)
    return [k for k in order if k in have]


def _pages(ids: list[str], per_page: int) -> list[list[str]]:
    """Split into the fewest pages of at most ``per_page``, balanced (13 → 7 + 6, not 12 + 1)."""
    if not ids:
        return []
    n_pages = math.ceil(len(ids) / per_page)
    size = math.ceil(len(ids) / n_pages)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


@chart
def kpi_trends(kpi_history: pd.DataFrame, kpis: pd.DataFrame, lang: str, kpi_ids: Sequence[str] | None = None,
               *, ncols: int = 3, title: str | None = None, grades: Mapping[str, float] | None = None) -> Figure:
    """Small multiples, one figure: each KPI's actuals over the periods.

    Numeric KPIs: the actuals with the threshold / target / stretch lines, the last point coloured by the KPI's band.
    ``binary`` KPIs: 是/否 (yes/no) markers on a two-level axis joined by a step line; ``qualitative`` KPIs: the
    grades on a categorical axis (best at the top; ``grades`` maps grade → points, else the grades seen, ordered by
    their scores); each of their points coloured by that period's score band.
    ``kpi_ids=None``: the first `MAX_DEFAULT` KPIs in cascade order (`trend_ids`), with a note saying how many more
    there are — `kpi_trend_pages` / `kpi_trends_for` draw every KPI over as many figures as needed.
    """
    style.apply_style()
    kp = kpis.set_index("kpi_id") if "kpi_id" in kpis.columns else kpis
    kp = kp.copy()
    kp.index = kp.index.astype(str)
    hist = kpi_history.copy()
    hist["kpi_id"] = hist["kpi_id"].astype(str)
    hist = hist[[_has_actual(v) for v in hist["actual"]]]
    n_more = 0
    if kpi_ids is None:
        all_ids = trend_ids(kpi_history, kpis)
        ids = all_ids[:MAX_DEFAULT]
        n_more = len(all_ids) - len(ids)
    else:
        ids = [str(k) for k in kpi_ids]
    periods = _periods(hist["period"]) if len(hist) else []
    n = max(len(ids), 1)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    cell_h = 1.75
    height = 1.05 + nrows * cell_h + 0.3
    fig = style.new_figure(style.A4_WIDTH, height)
    style.title(fig, title or t("charts.trends.title", lang))
    if not ids or not periods:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    if n_more:
        fig.text(1 - 0.2 / style.A4_WIDTH, 1 - 0.14 / height, t("charts.trends.more", lang, shown=len(ids), total=len(ids) + n_more),
                 ha="right", va="top", fontsize=style.FS_SMALL, color=style.MUTED, gid="trends-more")
    top_in, bottom_in = 0.95, 0.62
    gs = fig.add_gridspec(nrows, ncols, left=0.08, right=0.98, top=1 - top_in / height, bottom=bottom_in / height,
                          hspace=0.62, wspace=0.36)
    xs = {p: i for i, p in enumerate(periods)}
    lines_styles = [("threshold", style.STATUS_COLOURS["bad"], (0, (2, 2))), ("target", style.STATUS_COLOURS["good"], (0, (5, 2))),
                    ("stretch", style.TEAL, (0, (1, 2)))]
    for i, kid in enumerate(ids):
        ax = fig.add_subplot(gs[i // ncols, i % ncols])
        ax.set_gid(f"trend:{kid}")
        ax.xaxis.set_visible(False)  # ticks, labels and grid are drawn by `_axis_labels` (see there why)
        ax.yaxis.set_visible(False)
        h = hist[hist["kpi_id"] == kid].copy()
        h["_x"] = [xs.get(str(p), np.nan) for p in h["period"]]
        h = h.sort_values("_x")
        name = str(kp.at[kid, "kpi"]) if kid in kp.index and "kpi" in kp.columns else kid
        unit = _unit(kp, kid)
        title_w = ax.get_position().width * style.A4_WIDTH * 72 + 6  # the panel's width (titles start at its left)
        head = f"{kid} {name}" + (f" ({unit})" if unit and unit not in ("是/否", "yes/no") else "")
        # a plain text, not an axes title: titles are re-positioned against every other axes at each draw
        ax.text(0, 1, wrap_to_points(head, title_w, style.FS_SMALL, "bold"), transform=ax.transAxes, ha="left",
                va="bottom", fontsize=style.FS_SMALL, fontweight="bold", linespacing=LINESPACING, gid="trend-title",
                transform_rotates_text=False).set_y(1.04)
        method = _method(kp, kid)
        values = list(h["actual"])
        if method == "binary" or (values and all(_is_binary(v) for v in values)):
            yticks = _binary_panel(ax, h, lang)
        elif method == "qualitative" or (values and all(isinstance(v, str) for v in values)):
            yticks = _grade_panel(ax, h, grades)
        else:
            yticks = _numeric_panel(ax, h, kp, kid, lines_styles, unit)
        ax.set_xlim(-0.3, len(periods) - 0.7)
        step = max(1, math.ceil(len(periods) / 4))
        _axis_labels(ax, "y", yticks)
        _axis_labels(ax, "x", [(j, p) for j, p in enumerate(periods) if j % step == 0 or j == len(periods) - 1])
    handles = [Line2D([], [], color=style.NAVY, marker="o", ms=3.2)] + [Line2D([], [], color=c, ls=ls) for _, c, ls in lines_styles]
    labels = [t("charts.trends.actual", lang)] + [t(f"charts.trends.{k}", lang) for k, _, _ in lines_styles]
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=style.FS_SMALL, bbox_to_anchor=(0.5, 0.0))
    return fig


RELATIVE_UNITS = {"%", "％", "‰", "分", "points", "point", "score", "pts", "指数", "index"}


def _unit(kp: pd.DataFrame, kid: str) -> str:
    if kid in kp.index and "unit" in kp.columns:
        u = kp.at[kid, "unit"]
        return "" if u is None or (isinstance(u, float) and math.isnan(u)) else str(u).strip()
    return ""


def zero_based(unit: str, values: Sequence[float]) -> bool:
    """Counts and amounts (万元, 元/吨, t, cases, minutes ...) are drawn from zero so a bar of change is not
    exaggerated; percentages and scores, which live near their target, are not (a 96.8 → 98.5 % yield would be a
    flat line). Negative values never force a zero base."""
    return unit.strip().lower() not in RELATIVE_UNITS and all(v >= 0 for v in values)


def _numeric_panel(ax, h: pd.DataFrame, kp: pd.DataFrame, kid: str, lines_styles, unit: str = "") -> list[tuple[float, str]]:
    h = h.assign(_a=[_num(v) for v in h["actual"]])
    h = h[~h["_a"].isna()]
    ax.plot(h["_x"], h["_a"], color=style.NAVY, lw=1.6, marker="o", ms=3.2, zorder=3)
    vals = list(h["_a"])
    for key, colour, ls in lines_styles:
        v = _num(kp.at[kid, key]) if kid in kp.index and key in kp.columns else math.nan
        if not math.isnan(v):
            ax.axhline(v, color=colour, lw=1.0, ls=ls, zorder=2)
            vals.append(v)
    if len(h):
        band = str(kp.at[kid, "band"]) if kid in kp.index and "band" in kp.columns else "none"
        ax.plot([h["_x"].iloc[-1]], [h["_a"].iloc[-1]], marker="o", ms=6.5, color=style.status_colour(band),
                mec="white", mew=0.8, zorder=4, ls="none")
    if vals:
        lo, hi = min(vals), max(vals)
        span = (hi - lo) or abs(hi) * 0.1 or 1.0
        if zero_based(unit, vals):
            ax.set_ylim(0, hi + (hi or 1.0) * 0.12)
        else:
            ax.set_ylim(lo - span * 0.15, hi + span * 0.15)
    return numeric_ticks(*ax.get_ylim())


def numeric_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """At most five round values within ``lo..hi`` (matplotlib's `MaxNLocator`, 4 bins), each with its label in
    the one number format (thousands separated)."""
    eps = (hi - lo) * 1e-9
    return [(float(v), fmt_number(float(v))) for v in MaxNLocator(nbins=4).tick_values(lo, hi) if lo - eps <= v <= hi + eps]


def _axis_labels(ax, which: str, ticks: Sequence[tuple[float, str]]) -> None:
    """Tick marks, labels (gid ``xtick`` / ``ytick``) and, for y, grid lines of one panel, drawn as a few plain
    artists. A panel's own Axis objects are hidden: each builds a dozen Tick objects of five artists apiece and
    measures every label twice per draw, which made the small multiples the costliest chart of a deliverable
    (measured in benchmarks/stages.py: about twice the CPU of these plain artists)."""
    if not ticks:
        return
    fig = ax.figure
    pos = [v for v, _ in ticks]
    if which == "y":
        tr = ax.get_yaxis_transform()
        ax.add_collection(LineCollection([[(0, v), (1, v)] for v in pos], transform=tr, colors=style.GRID,
                                         linewidths=0.7, zorder=0.5, gid="ygrid"))
        ax.plot([0] * len(pos), pos, transform=tr, ls="none", marker=TICKLEFT, ms=3.5, mew=0.8, color=style.MUTED,
                clip_on=False)
        label_tr, kw = offset_copy(tr, fig=fig, x=-5, y=0, units="points"), {"ha": "right", "va": "center"}
    else:
        tr = ax.get_xaxis_transform()
        ax.plot(pos, [0] * len(pos), transform=tr, ls="none", marker=TICKDOWN, ms=3.5, mew=0.8, color=style.MUTED,
                clip_on=False)
        label_tr, kw = offset_copy(tr, fig=fig, x=0, y=-5, units="points"), {"ha": "center", "va": "top"}
    for v, text in ticks:
        ax.text(v if which == "x" else 0, 0 if which == "x" else v, text, transform=label_tr, fontsize=style.FS_TINY,
                color=style.INK, gid=f"{which}tick", clip_on=False, **kw)


def tick_labels(ax, which: str = "y") -> list[str]:
    """The tick labels of a trend panel, in axis order (bottom to top, left to right)."""
    texts = [t for t in ax.texts if t.get_gid() == f"{which}tick"]
    key = (lambda t: t.get_position()[1]) if which == "y" else (lambda t: t.get_position()[0])
    return [t.get_text() for t in sorted(texts, key=key)]


def _point_colours(h: pd.DataFrame) -> list[str]:
    scores = h["score"] if "score" in h.columns else [math.nan] * len(h)
    return [style.status_colour(style.band_of(_num(s))) for s in scores]


def _binary_panel(ax, h: pd.DataFrame, lang: str) -> list[tuple[float, str]]:
    """是/否 on a 0/1 axis: a step line and one marker per period, coloured by that period's score band."""
    y = [1.0 if bool(v) else 0.0 for v in h["actual"]]
    x = list(h["_x"])
    ax.step(x, y, where="mid", color=style.NAVY, lw=1.3, zorder=3)
    ax.scatter(x, y, s=34, c=_point_colours(h), edgecolors="white", linewidths=0.8, zorder=4)
    ax.set_ylim(-0.45, 1.45)
    return [(0.0, t("charts.trends.no", lang)), (1.0, t("charts.trends.yes", lang))]


def _grade_panel(ax, h: pd.DataFrame, grades: Mapping[str, float] | None) -> list[tuple[float, str]]:
    """Grades on a categorical axis (worst at the bottom), one marker per period coloured by its score band."""
    seen = [str(v).strip().upper() for v in h["actual"]]
    points: dict[str, float] = {}
    if grades:
        points = {str(k).strip().upper(): float(v) for k, v in grades.items()}
    for g, s in zip(seen, h["score"] if "score" in h.columns else [math.nan] * len(h)):
        if g not in points and not math.isnan(_num(s)):
            points[g] = _num(s)
    cats = sorted(set(points) | set(seen), key=lambda g: (points.get(g, -math.inf), g))
    # grades are usually letters (A-E); long words are fine too, the panel is wide enough for ~10 characters
    idx = {g: i for i, g in enumerate(cats)}
    y = [idx[g] for g in seen]
    x = list(h["_x"])
    ax.plot(x, y, color=style.NAVY, lw=1.3, zorder=3)
    ax.scatter(x, y, s=34, c=_point_colours(h), edgecolors="white", linewidths=0.8, zorder=4)
    ax.set_ylim(-0.6, len(cats) - 0.4)
    return [(float(i), wrap_to_points(g.title() if len(g) > 2 else g, 60, style.FS_TINY)) for i, g in enumerate(cats)]


def kpi_trend_pages(kpi_history: pd.DataFrame, kpis: pd.DataFrame, lang: str, kpi_ids: Sequence[str] | None = None,
                    *, per_page: int = MAX_DEFAULT, grades: Mapping[str, float] | None = None) -> list[Chart]:
    """Every KPI with actuals (or ``kpi_ids``), in cascade order, over as many figures as needed, each of at most
    ``per_page`` small multiples (pages balanced: 13 KPIs → 7 + 6). No KPI with actuals: an empty list."""
    ids = trend_ids(kpi_history, kpis) if kpi_ids is None else [str(k) for k in kpi_ids]
    pages = _pages(ids, per_page)
    base = t("charts.trends.title", lang)
    return [kpi_trends(kpi_history, kpis, lang, page, grades=grades,
                       title=base + (f" ({i}/{len(pages)})" if len(pages) > 1 else ""))
            for i, page in enumerate(pages, 1)]


@chart
def contract_trends(contract_history: pd.DataFrame, lang: str, *, max_lines: int = 10) -> Figure:
    """Each contract's score over the periods, against the status zones (≥100, 60-100, <60); lines labelled at
    their end. Beyond ``max_lines`` contracts, the lowest latest scores are shown."""
    style.apply_style()
    ch = contract_history.copy()
    ch["_s"] = [_num(v) for v in ch["score"]]
    ch = ch[~ch["_s"].isna()]
    fig = style.new_figure(style.A4_WIDTH, 4.2)
    style.title(fig, t("charts.trends.contracts_title", lang))
    if ch.empty:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    periods = _periods(ch["period"])
    xs = {p: i for i, p in enumerate(periods)}
    ch["_x"] = [xs[str(p)] for p in ch["period"]]
    latest = ch.sort_values("_x").groupby("contract")["_s"].last().sort_values()
    contracts = list(latest.index[:max_lines])
    # end labels take the width they need (up to 40 % of the figure), the plot the rest
    fig_w_pt = style.A4_WIDTH * 72
    label_size = style.FS_TINY + 0.5
    full = {c: str(c).rstrip("/").replace("/", " · ") for c in contracts}
    widest = max(measure(v, label_size)[0] for v in full.values())
    gap_pt = 16.0  # from the plot's right edge to the label (the leader line)
    ax_left, right_margin = 0.08, 6.0
    ax_right = min(0.80, max(0.58, 1 - (widest + gap_pt + right_margin) / fig_w_pt))
    label_w = (1 - ax_right) * fig_w_pt - gap_pt - right_margin
    ax = fig.add_axes((ax_left, 0.12, ax_right - ax_left, 0.74))
    ymax = max(125.0, float(ch["_s"].max()) + 5)
    ax.axhspan(100, ymax, color=style.STATUS_FILLS["good"], zorder=0, lw=0)
    ax.axhspan(60, 100, color=style.STATUS_FILLS["ok"], zorder=0, lw=0)
    ax.axhspan(0, 60, color=style.STATUS_FILLS["bad"], zorder=0, lw=0)
    ends: list[tuple[float, str, str]] = []
    for j, c in enumerate(contracts):
        h = ch[ch["contract"] == c].sort_values("_x")
        colour = style.SERIES[j % len(style.SERIES)]
        ax.plot(h["_x"], h["_s"], color=colour, lw=1.7, marker="o", ms=3.5, zorder=3)
        ends.append((float(h["_s"].iloc[-1]), wrap_to_points(full[c], label_w, label_size), colour))
    ax.set_xlim(-0.2, len(periods) - 0.8)
    ax.set_ylim(0, ymax)
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(periods, fontsize=style.FS_SMALL)
    ax.set_ylabel(t("charts.score", lang))
    # end labels (whole, wrapped), pushed apart vertically by their own heights so they never overlap
    ends.sort()
    unit_pt = 0.74 * fig.get_figheight() * 72 / ymax
    hs = [(lab.count("\n") + 1) * label_size * 1.25 / unit_pt for _, lab, _ in ends]
    ys = [e[0] for e in ends]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + (hs[i - 1] + hs[i]) / 2 + 1.0)
    over = ys[-1] + hs[-1] / 2 - ymax if ys else 0
    if over > 0:
        ys[-1] -= over
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - (hs[i] + hs[i + 1]) / 2 - 1.0)
    for (yv, lab, colour), yl in zip(ends, ys):
        ax.annotate(lab, (len(periods) - 1, yv), xytext=(1 + gap_pt / (fig_w_pt * (ax_right - ax_left)), yl),
                    textcoords=("axes fraction", "data"), fontsize=label_size, color=colour, va="center", ha="left",
                    linespacing=1.15,
                    annotation_clip=False, gid="contract-label",
                    arrowprops=dict(arrowstyle="-", color=colour, lw=0.6, shrinkA=0, shrinkB=2))
    return fig


def kpi_trends_for(analysis: object, kpi_ids: Sequence[str] | None = None) -> list[Chart]:
    """Every KPI with actuals, in cascade order, over pages of at most 12 small multiples (`kpi_trend_pages`);
    an empty list when no KPI has actuals (``wb.figures`` then says "no data")."""
    hist = getattr(analysis, "kpi_history", None)
    kpis = getattr(analysis, "kpis", None)
    if hist is None or kpis is None or len(hist) == 0 or len(kpis) == 0:
        return []
    profile = analysis.client.profile  # type: ignore[attr-defined]
    return kpi_trend_pages(hist, kpis, profile.language, kpi_ids, grades=getattr(profile, "grades", None) or None)


def contract_trends_for(analysis: object) -> Chart:
    return contract_trends(analysis.contract_history, analysis.client.profile.language)  # type: ignore[attr-defined]
