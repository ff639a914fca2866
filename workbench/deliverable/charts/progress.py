"""Progress over the assessment rounds: the total (left, points) and each category as a share of its points
(right, %, so that categories of 80 and 400 points sit on one axis). Drawn when there are three rounds or more
(two earlier rounds in ``history/`` and this one): with two, the deltas table already says everything.
"""
from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure

from workbench.core.i18n import t
from workbench.core.numfmt import fmt_points
from workbench.deliverable.charts import style

__all__ = ["progress_chart", "progress_chart_for"]

_CAT_COLOURS = ("#1F3A5F", "#2A7F8E", "#D97706", "#7C3AED", "#B4232A", "#2E7D32", "#6B7280", "#0EA5E9")


def _label(period: str, lang: str) -> str:
    p = str(period)
    if lang == "zh" and len(p) == 6 and p[4] == "Q":
        return f"{p[:4]}年\nQ{p[5]}"
    return p


def progress_chart(rounds: list[dict[str, Any]], points: dict[str, float], lang: str,
                   total_points: float = 1000) -> Figure | None:
    """``rounds``: [{"period", "total", "categories": {id: score}}] chronological; ``points``: category → points."""
    if len(rounds) < 2:
        return None
    fig = style.new_figure(style.A4_WIDTH, 3.6)
    style.title(fig, t("report.progress.chart", lang), t("report.progress.chart_subtitle", lang))
    x = list(range(len(rounds)))
    labels = [_label(r["period"], lang) for r in rounds]
    ax = fig.add_axes((0.07, 0.14, 0.36, 0.62))
    totals = [math.nan if r.get("total") is None else float(r["total"]) for r in rounds]
    ax.plot(x, totals, marker="o", color=style.NAVY, lw=2)
    for xi, v in zip(x, totals):
        if not math.isnan(v):
            ax.annotate(fmt_points(v), (xi, v), textcoords="offset points", xytext=(0, 7), ha="center",
                        fontsize=style.FS_SMALL, color=style.NAVY, fontweight="bold")
    top = max([v for v in totals if not math.isnan(v)] or [0])
    ax.set_ylim(0, max(100.0, min(float(total_points), top * 1.25)))
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.4, len(x) - 0.6)
    ax.set_title(t("report.progress.chart_total", lang, points=int(total_points)), loc="left")
    ax.grid(axis="y")
    ax2 = fig.add_axes((0.52, 0.14, 0.30, 0.62))
    for i, (cid, pts) in enumerate(points.items()):
        ys = []
        for r in rounds:
            s = (r.get("categories") or {}).get(cid)
            ys.append(math.nan if s is None or not pts else 100.0 * float(s) / float(pts))
        ax2.plot(x, ys, marker="o", ms=3.5, lw=1.4, color=_CAT_COLOURS[i % len(_CAT_COLOURS)], label=cid)
    ax2.set_ylim(0, 100)
    ax2.set_xticks(x, labels)
    ax2.set_xlim(-0.3, len(x) - 0.7)
    ax2.set_title(t("report.progress.chart_categories", lang), loc="left")
    ax2.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    ax2.grid(axis="y")
    ax2.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=style.FS_SMALL)
    return fig


def progress_chart_for(analysis: Any) -> Figure | None:
    """The chart of an Analysis (None without at least two earlier rounds)."""
    from workbench.analysis.progress import chart_rounds

    rounds = chart_rounds(getattr(analysis, "progress", None))
    res = getattr(analysis, "assessment", None)
    if not rounds or res is None:
        return None
    points = {c.id: float(c.points) for c in res.framework.categories}
    return progress_chart(rounds, points, analysis.lang, res.framework.total_points)
