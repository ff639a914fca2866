"""Trends over periods: KPI actuals (small multiples) and contract scores."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from workbench.charts import style
from workbench.charts.text import LINESPACING, shorten, wrap_to_points
from workbench.i18n import t
from workbench.model import period_sort_key

MAX_DEFAULT = 12


def _num(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f


def _periods(values: Sequence[object]) -> list[str]:
    return sorted({str(p) for p in values}, key=period_sort_key)


def kpi_trends(kpi_history: pd.DataFrame, kpis: pd.DataFrame, lang: str, kpi_ids: Sequence[str] | None = None,
               *, ncols: int = 3) -> Figure:
    """Small multiples: each KPI's numeric actuals over the periods, with its threshold / target / stretch lines;
    the last point coloured by the KPI's band. ``kpi_ids=None``: the KPIs with numeric history, top of the cascade
    first, at most 12."""
    style.apply_style()
    kp = kpis.set_index("kpi_id") if "kpi_id" in kpis.columns else kpis
    kp = kp.copy()
    kp.index = kp.index.astype(str)
    hist = kpi_history.copy()
    hist["kpi_id"] = hist["kpi_id"].astype(str)
    hist["_a"] = [_num(v) for v in hist["actual"]]
    numeric = hist[~hist["_a"].isna()]
    if kpi_ids is None:
        have = set(numeric["kpi_id"])
        ids = [k for k in kp.index if k in have]
        if "depth" in kp.columns:
            ids.sort(key=lambda k: (_num(kp.at[k, "depth"]) if not math.isnan(_num(kp.at[k, "depth"])) else 9))
        ids = ids[:MAX_DEFAULT]
    else:
        ids = [str(k) for k in kpi_ids]
    periods = _periods(numeric["period"]) if len(numeric) else []
    n = max(len(ids), 1)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    cell_h = 1.75
    height = 0.75 + nrows * cell_h + 0.3
    fig = style.new_figure(style.A4_WIDTH, height)
    style.title(fig, t("charts.trends.title", lang))
    if not ids or not periods:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    top_in, bottom_in = 0.62, 0.62
    gs = fig.add_gridspec(nrows, ncols, left=0.07, right=0.98, top=1 - top_in / height, bottom=bottom_in / height,
                          hspace=0.62, wspace=0.32)
    xs = {p: i for i, p in enumerate(periods)}
    lines_styles = [("threshold", style.STATUS_COLOURS["bad"], (0, (2, 2))), ("target", style.STATUS_COLOURS["good"], (0, (5, 2))),
                    ("stretch", style.TEAL, (0, (1, 2)))]
    for i, kid in enumerate(ids):
        ax = fig.add_subplot(gs[i // ncols, i % ncols])
        h = numeric[numeric["kpi_id"] == kid].copy()
        h["_x"] = [xs.get(str(p), np.nan) for p in h["period"]]
        h = h.sort_values("_x")
        name = str(kp.at[kid, "kpi"]) if kid in kp.index and "kpi" in kp.columns else kid
        ax.set_title(wrap_to_points(f"{kid} {name}", 150, style.FS_SMALL, "bold", max_lines=2), fontsize=style.FS_SMALL,
                     loc="left", linespacing=LINESPACING, pad=4)
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
            ax.set_ylim(lo - span * 0.15, hi + span * 0.15)
        ax.set_xlim(-0.3, len(periods) - 0.7)
        ax.set_xticks(range(len(periods)))
        step = max(1, math.ceil(len(periods) / 4))
        ax.set_xticklabels([p if j % step == 0 or j == len(periods) - 1 else "" for j, p in enumerate(periods)],
                           fontsize=style.FS_TINY)
        ax.tick_params(axis="y", labelsize=style.FS_TINY)
        ax.grid(axis="y", color=style.GRID)
    handles = [Line2D([], [], color=style.NAVY, marker="o", ms=3.2)] + [Line2D([], [], color=c, ls=ls) for _, c, ls in lines_styles]
    labels = [t("charts.trends.actual", lang)] + [t(f"charts.trends.{k}", lang) for k, _, _ in lines_styles]
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=style.FS_SMALL, bbox_to_anchor=(0.5, 0.0))
    return fig


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
    ax = fig.add_axes((0.08, 0.12, 0.62, 0.74))
    ymax = max(125.0, float(ch["_s"].max()) + 5)
    ax.axhspan(100, ymax, color=style.STATUS_FILLS["good"], zorder=0, lw=0)
    ax.axhspan(60, 100, color=style.STATUS_FILLS["ok"], zorder=0, lw=0)
    ax.axhspan(0, 60, color=style.STATUS_FILLS["bad"], zorder=0, lw=0)
    ends: list[tuple[float, str, str]] = []
    for j, c in enumerate(contracts):
        h = ch[ch["contract"] == c].sort_values("_x")
        colour = style.SERIES[j % len(style.SERIES)]
        ax.plot(h["_x"], h["_s"], color=colour, lw=1.7, marker="o", ms=3.5, zorder=3)
        label = str(c).rstrip("/").replace("/", " · ")
        ends.append((float(h["_s"].iloc[-1]), shorten(label, 26), colour))
    ax.set_xlim(-0.2, len(periods) - 0.8)
    ax.set_ylim(0, ymax)
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(periods, fontsize=style.FS_SMALL)
    ax.set_ylabel(t("charts.score", lang))
    # end labels, pushed apart vertically so they never overlap
    ends.sort()
    min_gap = ymax * 0.055
    ys = [e[0] for e in ends]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + min_gap)
    over = ys[-1] - (ymax - min_gap / 2) if ys else 0
    if over > 0:
        ys = [y - over for y in ys]
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - min_gap)
    x_end = len(periods) - 0.8
    for (yv, lab, colour), yl in zip(ends, ys):
        ax.annotate(lab, (len(periods) - 1, yv), xytext=(x_end + 0.05 * len(periods), yl), textcoords="data",
                    fontsize=style.FS_TINY + 0.5, color=colour, va="center", ha="left", annotation_clip=False,
                    arrowprops=dict(arrowstyle="-", color=colour, lw=0.6, shrinkA=0, shrinkB=2))
    return fig


def kpi_trends_for(analysis: object, kpi_ids: Sequence[str] | None = None) -> Figure:
    return kpi_trends(analysis.kpi_history, analysis.kpis, analysis.client.profile.language, kpi_ids)  # type: ignore[attr-defined]


def contract_trends_for(analysis: object) -> Figure:
    return contract_trends(analysis.contract_history, analysis.client.profile.language)  # type: ignore[attr-defined]
