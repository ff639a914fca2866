"""Trends over periods: KPI actuals (small multiples, paged 12 a figure, written as SVG) and contract scores."""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.svg import Canvas, Panel, SvgChart, dash
from matplotlib.ticker import MaxNLocator

from workbench.core.numfmt import fmt_number
from workbench.deliverable.charts.text import LINESPACING, text_size, wrap_fast
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
               *, ncols: int = 3, title: str | None = None, grades: Mapping[str, float] | None = None) -> SvgChart:
    """Small multiples, one figure: each KPI's actuals over the periods, written as SVG (`charts.svg`: a page of
    twelve panels is a few hundred shapes, which matplotlib's per-panel Axes made the costliest chart of a client).

    Numeric KPIs: the actuals with the threshold / target / stretch lines, the last point coloured by the KPI's band.
    ``binary`` KPIs: 是/否 (yes/no) markers on a two-level axis joined by a step line; ``qualitative`` KPIs: the
    grades on a categorical axis (best at the top; ``grades`` maps grade → points, else the grades seen, ordered by
    their scores); each of their points coloured by that period's score band.
    ``kpi_ids=None``: the first `MAX_DEFAULT` KPIs in cascade order (`trend_ids`), with a note saying how many more
    there are — `kpi_trend_pages` / `kpi_trends_for` draw every KPI over as many figures as needed.
    The result's ``panels`` say what each panel shows (`charts.svg.Panel`).
    """
    from workbench.deliverable.charts.render import FONT_STACK

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
    height_in = 1.05 + nrows * 1.75 + 0.3
    W, H = style.A4_WIDTH * 72, height_in * 72
    cv = Canvas(W, H, FONT_STACK)
    head_text = title or t("charts.trends.title", lang)
    cv.title(head_text)
    notes: dict[str, str] = {}
    panels: dict[str, Panel] = {}
    if not ids or not periods:
        cv.no_data(t("charts.no_data", lang))
        return cv.chart(head_text)
    if n_more:
        notes["trends-more"] = t("charts.trends.more", lang, shown=len(ids), total=len(ids) + n_more)
        cv.text(W - 0.2 * 72, 0.14 * 72, notes["trends-more"], style.FS_SMALL, style.MUTED, anchor="end", va="top")
    # the grid of panels, as matplotlib's gridspec lays it out (left 8 %, right 98 %, wspace 0.36, hspace 0.62)
    left, right, top, bottom = 0.08 * W, 0.98 * W, 0.95 * 72, H - 0.62 * 72
    pw = (right - left) / (ncols + 0.36 * (ncols - 1))
    ph = (bottom - top) / (nrows + 0.62 * (nrows - 1))
    xlim = (-0.3, len(periods) - 0.7)
    step = max(1, math.ceil(len(periods) / 4))
    xticks = [(float(j), p) for j, p in enumerate(periods) if j % step == 0 or j == len(periods) - 1]
    xs = {p: i for i, p in enumerate(periods)}
    hist = hist.assign(_x=[xs.get(str(p), np.nan) for p in hist["period"]]).sort_values("_x", kind="stable")
    by_kpi = {str(k): g for k, g in hist.groupby("kpi_id", sort=False)}
    for i, kid in enumerate(ids):
        x0 = left + (i % ncols) * pw * 1.36
        y0 = top + (i // ncols) * ph * 1.62
        h = by_kpi.get(kid, hist.iloc[0:0])
        name = str(kp.at[kid, "kpi"]) if kid in kp.index and "kpi" in kp.columns else kid
        unit = _unit(kp, kid)
        head = f"{kid} {name}" + (f" ({unit})" if unit and unit not in ("是/否", "yes/no") else "")
        method = _method(kp, kid)
        values = list(h["actual"])
        if method == "binary" or (values and all(_is_binary(v) for v in values)):
            panel = _binary_panel(kid, h, lang)
        elif method == "qualitative" or (values and all(isinstance(v, str) for v in values)):
            panel = _grade_panel(kid, h, grades)
        else:
            panel = _numeric_panel(kid, h, kp, unit)
        panel.title = wrap_fast(head, pw + 6, style.FS_SMALL, "bold")
        panel.xticks = [p for _, p in xticks]
        panels[kid] = panel
        cv.group(f"trend:{kid}", lambda: _draw_panel(cv, panel, (x0, y0, pw, ph), xlim, xticks))
    _legend(cv, lang, W, H)
    return cv.chart(head_text, panels=panels, notes=notes)


# line styles of the reference lines: key, colour, dash pattern (in line widths, as matplotlib scales it)
REFERENCE_LINES = (("threshold", style.STATUS_COLOURS["bad"], (2, 2)), ("target", style.STATUS_COLOURS["good"], (5, 2)),
                   ("stretch", style.TEAL, (1, 2)))
SPINE = "#9CA3AF"


def _draw_panel(cv: Canvas, p: Panel, box: tuple[float, float, float, float], xlim: tuple[float, float],
                xticks: Sequence[tuple[float, str]]) -> None:
    x0, y0, pw, ph = box
    (xa, xb), (ya, yb) = xlim, p.ylim

    def X(x: float) -> float:
        return x0 + (x - xa) / (xb - xa) * pw

    def Y(y: float) -> float:
        return y0 + ph - (y - ya) / ((yb - ya) or 1.0) * ph

    ys = list(zip(p.ytick_at, p.yticks))
    for v, _ in ys:  # grid, behind everything
        cv.line(x0, Y(v), x0 + pw, Y(v), style.GRID, 0.7)
    for key, colour, pattern in REFERENCE_LINES:
        if key in p.lines:
            cv.line(x0, Y(p.lines[key]), x0 + pw, Y(p.lines[key]), colour, 1.0, dash(pattern, 1.0))
    pts = [(X(x), Y(y)) for x, y in p.points]
    if p.kind == "binary" and pts:
        stepped = [pts[0]]
        for (xp, yp), (xc, yc) in zip(pts, pts[1:]):
            m = (xp + xc) / 2
            stepped += [(m, yp), (m, yc), (xc, yc)]
        cv.polyline(stepped, style.NAVY, 1.3)
    else:
        cv.polyline(pts, style.NAVY, 1.6 if p.kind == "numeric" else 1.3)
    if p.kind == "numeric":
        for x, y in pts:
            cv.circle(x, y, 1.6, style.NAVY)
        if pts:  # the latest actual, in its band's colour
            cv.circle(*pts[-1], 3.25, p.colours[-1] if p.colours else style.NAVY, "#FFFFFF", 0.8)
    else:
        for (x, y), colour in zip(pts, p.colours):
            cv.circle(x, y, math.sqrt(34) / 2, colour, "#FFFFFF", 0.8)
    # spines, ticks and labels
    cv.line(x0, y0, x0, y0 + ph, SPINE, 0.8)
    cv.line(x0, y0 + ph, x0 + pw, y0 + ph, SPINE, 0.8)
    for v, lab in ys:
        cv.line(x0 - 3.5, Y(v), x0, Y(v), style.MUTED, 0.8)
        cv.text(x0 - 5, Y(v), lab, style.FS_TINY, style.INK, anchor="end", va="center", cls="ytick")
    for v, lab in xticks:
        cv.line(X(v), y0 + ph, X(v), y0 + ph + 3.5, style.MUTED, 0.8)
        cv.text(X(v), y0 + ph + 5, lab, style.FS_TINY, style.INK, anchor="middle", va="top", cls="xtick")
    cv.text(x0, y0 - 0.04 * ph, p.title, style.FS_SMALL, style.INK, va="bottom", weight="bold", cls="trend-title",
            line_height=LINESPACING)


def _legend(cv: Canvas, lang: str, W: float, H: float) -> None:
    """Actual, threshold, target, stretch: one row centred at the bottom, as matplotlib's figure legend."""
    def actual(x: float, y: float) -> None:
        cv.line(x, y, x + 20, y, style.NAVY, 1.6)
        cv.circle(x + 10, y, 1.6, style.NAVY)

    def reference(colour: str, pattern: tuple[float, float]) -> Callable[[float, float], None]:
        return lambda x, y: cv.line(x, y, x + 20, y, colour, 1.0, dash(pattern, 1.0))

    entries = [(t("charts.trends.actual", lang), actual)]
    entries += [(t(f"charts.trends.{k}", lang), reference(colour, pattern)) for k, colour, pattern in REFERENCE_LINES]
    cv.group("trends-legend", lambda: cv.legend_row(entries, H - 0.16 * 72, style.FS_SMALL, 20.0, 6.0, 16.0))


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


def _numeric_panel(kid: str, h: pd.DataFrame, kp: pd.DataFrame, unit: str = "") -> Panel:
    h = h.assign(_a=[_num(v) for v in h["actual"]])
    h = h[~h["_a"].isna()]
    points = [(float(x), float(y)) for x, y in zip(h["_x"], h["_a"])]
    vals = [y for _, y in points]
    lines: dict[str, float] = {}
    for key, _, _ in REFERENCE_LINES:
        v = _num(kp.at[kid, key]) if kid in kp.index and key in kp.columns else math.nan
        if not math.isnan(v):
            lines[key] = v
            vals.append(v)
    ylim = (0.0, 1.0)
    if vals:
        lo, hi = min(vals), max(vals)
        span = (hi - lo) or abs(hi) * 0.1 or 1.0
        ylim = (0.0, hi + (hi or 1.0) * 0.12) if zero_based(unit, vals) else (lo - span * 0.15, hi + span * 0.15)
    band = str(kp.at[kid, "band"]) if kid in kp.index and "band" in kp.columns else "none"
    ticks = numeric_ticks(*ylim)
    return Panel(kid, "", "numeric", ylim, yticks=[lab for _, lab in ticks], ytick_at=[v for v, _ in ticks], lines=lines,
                 points=points, colours=[style.NAVY] * (len(points) - 1) + [style.status_colour(band)] if points else [])


def numeric_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """At most five round values within ``lo..hi`` (matplotlib's `MaxNLocator`, 4 bins), each with its label in
    the one number format (thousands separated)."""
    eps = (hi - lo) * 1e-9
    return [(float(v), fmt_number(float(v))) for v in MaxNLocator(nbins=4).tick_values(lo, hi) if lo - eps <= v <= hi + eps]


def tick_labels(panel: Panel, which: str = "y") -> list[str]:
    """The tick labels of a trend panel, in axis order (bottom to top, left to right)."""
    return list(panel.yticks if which == "y" else panel.xticks)


def _point_colours(h: pd.DataFrame) -> list[str]:
    scores = h["score"] if "score" in h.columns else [math.nan] * len(h)
    return [style.status_colour(style.band_of(_num(s))) for s in scores]


def _binary_panel(kid: str, h: pd.DataFrame, lang: str) -> Panel:
    """是/否 on a 0/1 axis: a step line and one marker per period, coloured by that period's score band."""
    points = [(float(x), 1.0 if bool(v) else 0.0) for x, v in zip(h["_x"], h["actual"])]
    return Panel(kid, "", "binary", (-0.45, 1.45), yticks=[t("charts.trends.no", lang), t("charts.trends.yes", lang)],
                 ytick_at=[0.0, 1.0],
                 points=points, colours=_point_colours(h))


def _grade_panel(kid: str, h: pd.DataFrame, grades: Mapping[str, float] | None) -> Panel:
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
    return Panel(kid, "", "grade", (-0.6, len(cats) - 0.4),
                 yticks=[wrap_fast(g.title() if len(g) > 2 else g, 60, style.FS_TINY) for g in cats],
                 ytick_at=[float(i) for i in range(len(cats))], points=[(float(x), float(idx[g])) for x, g in zip(h["_x"], seen)], colours=_point_colours(h))


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
def contract_trends(contract_history: pd.DataFrame, lang: str, *, max_lines: int = 10) -> SvgChart:
    """Each contract's score over the periods, against the status zones (≥100, 60-100, <60); lines labelled at
    their end. Beyond ``max_lines`` contracts, the lowest latest scores are shown. Written as SVG (`charts.svg`)."""
    from workbench.deliverable.charts.render import FONT_STACK

    ch = contract_history.copy()
    ch["_s"] = [_num(v) for v in ch["score"]]
    ch = ch[~ch["_s"].isna()]
    W, H = style.A4_WIDTH * 72, 4.2 * 72
    cv = Canvas(W, H, FONT_STACK)
    head = t("charts.trends.contracts_title", lang)
    cv.title(head)
    if ch.empty:
        cv.no_data(t("charts.no_data", lang))
        return cv.chart(head)
    periods = _periods(ch["period"])
    xs = {p: i for i, p in enumerate(periods)}
    ch["_x"] = [xs[str(p)] for p in ch["period"]]
    latest = ch.sort_values("_x").groupby("contract")["_s"].last().sort_values()
    contracts = list(latest.index[:max_lines])
    # end labels take the width they need (up to 40 % of the figure), the plot the rest
    label_size = style.FS_TINY + 0.5
    full = {c: str(c).rstrip("/").replace("/", " · ") for c in contracts}
    widest = max(text_size(v, label_size)[0] for v in full.values())
    gap_pt = 16.0  # from the plot's right edge to the label (the leader line)
    right_margin = 6.0
    ax_right = min(0.80, max(0.58, 1 - (widest + gap_pt + right_margin) / W))
    label_w = (1 - ax_right) * W - gap_pt - right_margin
    x0, x1, y0, y1 = 0.08 * W, ax_right * W, 0.14 * H, 0.88 * H  # the plot's box (SVG: y down)
    ymax = max(125.0, float(ch["_s"].max()) + 5)
    xa, xb = -0.2, len(periods) - 0.8

    def X(x: float) -> float:
        return x0 + (x - xa) / (xb - xa) * (x1 - x0)

    def Y(y: float) -> float:
        return y1 - y / ymax * (y1 - y0)

    for lo, hi, band in ((100, ymax, "good"), (60, 100, "ok"), (0, 60, "bad")):  # the status zones
        cv.rect(x0, Y(hi), x1 - x0, Y(lo) - Y(hi), style.STATUS_FILLS[band], gid=f"zone:{band}")
    ends: list[tuple[float, str, str, list[tuple[float, float]]]] = []
    for j, c in enumerate(contracts):
        h = ch[ch["contract"] == c].sort_values("_x")
        colour = style.SERIES[j % len(style.SERIES)]
        pts = [(X(float(x)), Y(float(y))) for x, y in zip(h["_x"], h["_s"])]
        ends.append((float(h["_s"].iloc[-1]), _end_label(full[c], label_w, label_size), colour, pts))
    # axes: spines, ticks, labels
    cv.line(x0, y0, x0, y1, SPINE, 0.8)
    cv.line(x0, y1, x1, y1, SPINE, 0.8)
    for v in [v for v in MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(0, ymax) if 0 <= v <= ymax]:
        cv.line(x0 - 3.5, Y(v), x0, Y(v), style.MUTED, 0.8)
        cv.text(x0 - 5, Y(v), fmt_number(float(v)), style.FS_SMALL, style.INK, anchor="end", va="center", gid="ytick")
    for i, p in enumerate(periods):
        cv.line(X(i), y1, X(i), y1 + 3.5, style.MUTED, 0.8)
        cv.text(X(i), y1 + 5, p, style.FS_SMALL, style.INK, anchor="middle", va="top", gid="xtick")
    cv.text(0.02 * W, (y0 + y1) / 2, t("charts.score", lang), style.FS_LABEL, style.INK, anchor="middle", va="center",
            rotate=-90, gid="ylabel")
    for _, _, colour, pts in ends:
        cv.polyline(pts, colour, 1.7)
        for x, y in pts:
            cv.circle(x, y, 1.75, colour)
    # end labels (whole, wrapped), pushed apart vertically by their own heights so they never overlap
    ends.sort(key=lambda e: e[0])
    unit_pt = (y1 - y0) / ymax
    hs = [(lab.count("\n") + 1) * label_size * 1.25 / unit_pt for _, lab, _, _ in ends]
    ys = [e[0] for e in ends]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + (hs[i - 1] + hs[i]) / 2 + 1.0)
    over = ys[-1] + hs[-1] / 2 - ymax if ys else 0
    if over > 0:
        ys[-1] -= over
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - (hs[i] + hs[i + 1]) / 2 - 1.0)
    for (yv, lab, colour, pts), yl in zip(ends, ys):
        tx, ty = x1 + gap_pt, Y(yl)
        px, py = pts[-1]
        d = math.hypot(tx - 2 - px, ty - py) or 1.0  # the leader stops 2 pt short of the point
        cv.line(tx - 2, ty, px + (tx - 2 - px) * 2 / d, py + (ty - py) * 2 / d, colour, 0.6, gid="leader")
        cv.text(tx, ty, lab, label_size, colour, va="center", line_height=1.15, gid="contract-label")
    return cv.chart(head)


def _end_label(text: str, width: float, size: float) -> str:
    """A contract's end label within ``width``: whole on one line, else broken at its " · " (unit, then person)
    before any part is wrapped, so a name is not split in the middle."""
    if text_size(text, size)[0] <= width or " · " not in text:
        return wrap_fast(text, width, size)
    return "\n".join(wrap_fast(part, width, size) for part in text.split(" · "))


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
