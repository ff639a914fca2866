"""Improvement-plan Gantt chart, written as SVG (`charts.svg`)."""
from __future__ import annotations

import math
from datetime import date
from typing import Callable

import matplotlib.dates as mdates
import pandas as pd

from workbench.core.frames import records
from workbench.core.i18n import t
from workbench.core.status import ACTION_STATUSES, action_label
from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.svg import Canvas, SvgChart, dash
from workbench.deliverable.charts.text import wrap_fast

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
def gantt(actions: pd.DataFrame, period_end: date | pd.Timestamp | None, lang: str) -> SvgChart:
    """Actions grouped by owner unit, bars from start to due coloured by status, the period end marked and
    overdue actions (due before the period end, not done or deferred) outlined in red with a marker.

    ``actions``: action_id, action, owner_unit, owner, start (may be NaT: drawn as a milestone at due), due, status.
    Written as SVG (`charts.svg`) in the geometry of the matplotlib Gantt it replaced (label column 40 % of the
    width, the time axis 40-97 %, matplotlib's date ticks): bars and milestones gid ``action:<id>``, labels
    ``gantt-label``, owner units ``gantt-group``.
    """
    from workbench.deliverable.charts.render import FONT_STACK

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
    rows = records(df)
    wrapped: list[str] = []
    for r in rows:
        owner = r.get("owner")
        label = f"{r['action_id']} {r['action']}"
        if isinstance(owner, str) and owner.strip():
            label += f" ({owner})"
        wrapped.append(wrap_fast(label, label_w, style.FS_SMALL))
    units = len(groups) + sum(_row_units(v) for v in wrapped)
    W, H = style.A4_WIDTH * 72, max(2.4, (units * ROW_H + 120) / 72) * 72
    cv = Canvas(W, H, FONT_STACK)
    head = t("charts.gantt.title", lang)
    cv.title(head)
    if df.empty:
        cv.no_data(t("charts.no_data", lang))
        return cv.chart(head)
    # the rows, top to bottom, in row units (a group heading is one unit; an action as many as its label needs)
    placed: list[tuple[float, int | None, str]] = []  # (row centre, index into rows or None for a group, label)
    y = 0.0
    for g in groups:
        placed.append((y, None, wrap_fast(g, LEFT * W - 10, style.FS_SMALL, "bold")))
        y += 1
        members = sorted((i for i, r in enumerate(rows) if r["owner_unit"] == g), key=lambda i: rows[i]["_due"])
        for i in members:
            row_u = _row_units(wrapped[i])
            y += (row_u - 1) / 2
            placed.append((y, i, wrapped[i]))
            y += 1 + (row_u - 1) / 2
    # the axes box (points, SVG y down): 40-97 % across, 50 pt under the top to 60 pt above the bottom
    ax0, ax1, top, bottom = LEFT * W, 0.97 * W, 50.0, H - 60.0
    ya, yb = -0.6, y - 0.4
    dates = [r["_due"] for r in rows] + [r["_start"] for r in rows if r["_start"] is not None] + ([pe] if pe is not None else [])
    d0, d1 = min(dates), max(dates)
    pad = max((d1 - d0).days * 0.04, 5)
    xa, xb = mdates.date2num(d0) - pad, mdates.date2num(d1) + pad

    def X(d: float) -> float:
        return ax0 + (d - xa) / (xb - xa) * (ax1 - ax0)

    def Y(v: float) -> float:
        return top + (v - ya) / (yb - ya) * (bottom - top)

    unit = (bottom - top) / (yb - ya)  # points per row unit
    for yy, i, _ in placed:  # owner-unit bands under everything
        if i is None:
            cv.rect(ax0, Y(yy - 0.5), ax1 - ax0, unit, style.NAVY_LIGHT)
    ticks = [x for x in mdates.AutoDateLocator(minticks=4, maxticks=8).tick_values(mdates.num2date(xa), mdates.num2date(xb))
             if xa <= x <= xb]
    for x in ticks:
        cv.line(X(x), top, X(x), bottom, style.GRID, 0.7)
        cv.line(X(x), bottom, X(x), bottom + 3.5, style.MUTED, 0.8)
        cv.text(X(x), bottom + 5.5, mdates.num2date(x).strftime("%Y-%m"), style.FS_SMALL, style.INK, anchor="middle",
                va="top", gid="gantt-tick")
    cv.line(ax0, bottom, ax1, bottom, "#9CA3AF", 0.8)
    if pe is not None:
        x = X(mdates.date2num(pe))
        cv.line(x, top, x, bottom, style.STATUS_COLOURS["bad"], 1.2, dash((4, 3), 1.2))
        cv.text(x, Y(-0.62), t("charts.gantt.period_end", lang, date=pe.strftime("%Y-%m-%d")), style.FS_TINY,
                style.STATUS_COLOURS["bad"], anchor="middle", va="bottom", gid="gantt-period-end")
    bad = style.STATUS_COLOURS["bad"]
    for yy, i, label in placed:
        if i is None:
            cv.text(0.02 * (ax1 - ax0), Y(yy), label, style.FS_SMALL, style.NAVY, va="center", weight="bold",
                    line_height=1.15, gid="gantt-group")
            continue
        r = rows[i]
        st = r["status"]
        colour = style.ACTION_COLOURS.get(st, style.ACTION_COLOURS["planned"])
        overdue = pe is not None and r["_due"] < pe and st not in ("done", "deferred")
        due = mdates.date2num(r["_due"])
        gid = f"action:{r['action_id']}"
        if r["_start"] is not None and r["_start"] <= r["_due"]:
            start = mdates.date2num(r["_start"])
            cv.rect(X(start), Y(yy - 0.32), X(start + max(due - start, 1)) - X(start), 0.64 * unit, colour,
                    stroke=bad if overdue else None, stroke_width=1.6 if overdue else 0, gid=gid)
        else:  # a milestone: matplotlib's "D" marker of 7 pt
            cx, cy, h = X(due), Y(yy), 3.5
            cv.polygon([(cx, cy - h), (cx + h * 0.75, cy), (cx, cy + h), (cx - h * 0.75, cy)], fill=colour,
                       stroke=bad if overdue else "#FFFFFF", width=1.4 if overdue else 0.6, gid=gid)
        if overdue:  # a "<" marker of 6 pt just after the due date
            mx, my = X(due + pad * 0.35), Y(yy)
            cv.polygon([(mx - 3, my), (mx + 3, my - 3), (mx + 3, my + 3)], fill=bad, gid="gantt-overdue")
        cv.text(ax0 - 0.01 * (ax1 - ax0), Y(yy), label, style.FS_SMALL, style.INK, anchor="end", va="center",
                line_height=1.15, gid="gantt-label")
    _legend(cv, lang, H - 0.16 * 72)
    return cv.chart(head)


def _legend(cv: Canvas, lang: str, y: float) -> None:
    """The statuses' colours, overdue and milestone: one row centred at the bottom (gid ``legend``)."""
    def box(fill: str, stroke: str | None = None) -> Callable[[float, float], None]:
        return lambda x, yy: cv.rect(x, yy - 3.5, 10.0, 7, fill, stroke=stroke, stroke_width=1.6 if stroke else 0)

    def milestone(x: float, yy: float) -> None:
        cx = x + 5.0
        cv.polygon([(cx, yy - 3.5), (cx + 2.6, yy), (cx, yy + 3.5), (cx - 2.6, yy)], fill=style.MUTED)

    entries = [(action_label(s, lang), box(style.ACTION_COLOURS[s])) for s in ACTION_STATUSES]
    entries += [(t("charts.gantt.overdue", lang), box("#FFFFFF", style.STATUS_COLOURS["bad"])),
                (t("charts.gantt.milestone", lang), milestone)]
    cv.legend_row(entries, y, style.FS_TINY + 0.5, 10.0, 5.0, 14.0, gid="legend")


def gantt_for(analysis: object) -> Chart:
    client = analysis.client  # type: ignore[attr-defined]
    actions = client.tables.get("actions")
    if actions is None:
        actions = pd.DataFrame(columns=["action_id", "action", "owner_unit", "owner", "start", "due", "status"])
    return gantt(actions, client.profile.period_end, client.profile.language)
