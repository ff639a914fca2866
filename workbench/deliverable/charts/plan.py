"""Improvement-plan Gantt chart."""
from __future__ import annotations

import math
from datetime import date

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.text import wrap_to_points
from workbench.core.i18n import t
from workbench.core.status import ACTION_STATUSES, action_label

ROW_H = 15.0  # points per action row (one label line)
LEFT = 0.40   # label column (figure fraction)


def _row_units(label: str) -> float:
    """Height of an action row in row units: one line fits one unit, each further line adds 0.65."""
    return 1.0 + 0.65 * label.count("\n")


def _ts(v: object) -> pd.Timestamp | None:
    if v is None or v is pd.NaT:
        return None
    try:
        ts = pd.Timestamp(v)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(ts) else ts


@chart
def gantt(actions: pd.DataFrame, period_end: date | pd.Timestamp | None, lang: str) -> Figure:
    """Actions grouped by owner unit, bars from start to due coloured by status, the period end marked and
    overdue actions (due before the period end, not done or deferred) outlined in red with a marker.

    ``actions``: action_id, action, owner_unit, owner, start (may be NaT: drawn as a milestone at due), due, status.
    """
    style.apply_style()
    df = actions.reset_index() if "action_id" not in actions.columns else actions.copy()
    df = df.reset_index(drop=True)
    pe = _ts(period_end)
    df["_due"] = [_ts(v) for v in df["due"]]
    df["_start"] = [_ts(v) for v in df.get("start", pd.Series([None] * len(df)))]
    df["owner_unit"] = [str(u) if u is not None and not (isinstance(u, float) and math.isnan(u)) else "—" for u in df["owner_unit"]]
    df["status"] = [str(s) if isinstance(s, str) else "planned" for s in df.get("status", pd.Series(["planned"] * len(df)))]
    df = df[[d is not None for d in df["_due"]]]
    groups = list(dict.fromkeys(df["owner_unit"]))
    # every label whole: wrapped to the label column; a row is as tall as its label (in row units of ROW_H points)
    label_w = LEFT * style.A4_WIDTH * 72 - 16
    wrapped: dict[object, str] = {}
    for idx, r in df.iterrows():
        owner = r.get("owner")
        label = f"{r['action_id']} {r['action']}"
        if isinstance(owner, str) and owner.strip():
            label += f" ({owner})"
        wrapped[idx] = wrap_to_points(label, label_w, style.FS_SMALL)
    units = len(groups) + sum(_row_units(v) for v in wrapped.values())
    height = max(2.4, (units * ROW_H + 120) / 72)
    fig = style.new_figure(style.A4_WIDTH, height)
    style.title(fig, t("charts.gantt.title", lang))
    if df.empty:
        fig.text(0.5, 0.5, t("charts.no_data", lang), ha="center", va="center", color=style.MUTED)
        return fig
    fig_h = height * 72
    left = LEFT
    ax = fig.add_axes((left, 60 / fig_h, 0.97 - left, 1 - 110 / fig_h))
    y = 0.0
    ylabels: list[tuple[float, str, bool]] = []
    dates = [d for d in df["_due"]] + [s for s in df["_start"] if s is not None] + ([pe] if pe is not None else [])
    d0, d1 = min(dates), max(dates)
    pad = max((d1 - d0).days * 0.04, 5)
    for g in groups:
        ylabels.append((y, wrap_to_points(g, LEFT * style.A4_WIDTH * 72 - 10, style.FS_SMALL, "bold"), True))
        y += 1
        sub = df[df["owner_unit"] == g].sort_values("_due", kind="stable")
        for idx, r in sub.iterrows():
            row_u = _row_units(wrapped[idx])
            y += (row_u - 1) / 2
            st = r["status"]
            colour = style.ACTION_COLOURS.get(st, style.ACTION_COLOURS["planned"])
            overdue = pe is not None and r["_due"] < pe and st not in ("done", "deferred")
            due = mdates.date2num(r["_due"])
            if r["_start"] is not None and r["_start"] <= r["_due"]:
                start = mdates.date2num(r["_start"])
                ax.add_patch(Rectangle((start, y - 0.32), max(due - start, 1), 0.64, facecolor=colour,
                                       edgecolor=style.STATUS_COLOURS["bad"] if overdue else "none", lw=1.6 if overdue else 0,
                                       zorder=3, gid=f"action:{r['action_id']}"))
            else:
                ax.plot([due], [y], marker="D", ms=7, color=colour, mec=style.STATUS_COLOURS["bad"] if overdue else "white",
                        mew=1.4 if overdue else 0.6, zorder=3, ls="none", gid=f"action:{r['action_id']}")
            if overdue:
                ax.plot([due + pad * 0.35], [y], marker="<", ms=6, color=style.STATUS_COLOURS["bad"], zorder=4, ls="none")
            ylabels.append((y, wrapped[idx], False))
            y += 1 + (row_u - 1) / 2
    ax.set_ylim(y - 0.4, -0.6)
    ax.set_xlim(mdates.date2num(d0) - pad, mdates.date2num(d1) + pad)
    ax.set_yticks([])
    for yy, lab, is_group in ylabels:
        if is_group:
            ax.axhspan(yy - 0.5, yy + 0.5, color=style.NAVY_LIGHT, zorder=0, lw=0)
        ax.text(-0.01 if not is_group else -left / (0.97 - left) + 0.02, yy, lab,
                transform=ax.get_yaxis_transform(), ha="right" if not is_group else "left", va="center",
                fontsize=style.FS_SMALL, fontweight="bold" if is_group else "normal", linespacing=1.15,
                gid="gantt-group" if is_group else "gantt-label",
                color=style.NAVY if is_group else style.INK, clip_on=False)
    loc = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(axis="x", color=style.GRID, zorder=0)
    ax.spines["left"].set_visible(False)
    if pe is not None:
        x = mdates.date2num(pe)
        ax.axvline(x, color=style.STATUS_COLOURS["bad"], lw=1.2, ls=(0, (4, 3)), zorder=2)
        ax.text(x, -0.62, t("charts.gantt.period_end", lang, date=pe.strftime("%Y-%m-%d")), ha="center", va="bottom",
                fontsize=style.FS_TINY, color=style.STATUS_COLOURS["bad"], clip_on=False)
    handles = [Rectangle((0, 0), 1, 1, color=style.ACTION_COLOURS[s]) for s in ACTION_STATUSES]
    labels = [action_label(s, lang) for s in ACTION_STATUSES]
    handles += [Rectangle((0, 0), 1, 1, facecolor="white", edgecolor=style.STATUS_COLOURS["bad"], lw=1.6),
                Line2D([], [], marker="D", ms=6, color=style.MUTED, ls="none")]
    labels += [t("charts.gantt.overdue", lang), t("charts.gantt.milestone", lang)]
    fig.legend(handles, labels, loc="lower center", ncol=6, fontsize=style.FS_TINY + 0.5, bbox_to_anchor=(0.5, 0.0),
               handlelength=1.2, columnspacing=1.2)
    return fig


def gantt_for(analysis: object) -> Chart:
    client = analysis.client  # type: ignore[attr-defined]
    actions = client.tables.get("actions")
    if actions is None:
        actions = pd.DataFrame(columns=["action_id", "action", "owner_unit", "owner", "start", "due", "status"])
    return gantt(actions, client.profile.period_end, client.profile.language)
