"""Strategy map: four perspective bands (financial on top), objectives as boxes coloured by score status,
strategic themes as columns, cause → effect arrows curved around boxes, warnings marked and listed.

Layout is computed (points; axes = whole figure, 1 data unit = 1 pt): columns are the themes in order of first
appearance (objectives without a theme in a "General" column on the left); a column is as wide as its largest
band needs; a band is as tall as its tallest box. An arrow is straight when that crosses no other box,
otherwise the smallest curvature (either side) that clears every other box is used.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.svg import Canvas, SvgChart, dash
from workbench.deliverable.charts.text import LINESPACING, text_size, wrap_fast
from workbench.intake.contract import PERSPECTIVE_ALIASES, PERSPECTIVE_LABELS, PERSPECTIVES
from workbench.core.i18n import t

FS_OBJ = 8.3
FS_SCORE = 8.0
LABEL_COL = 62.0   # perspective label column (pt)
GAP = 10.0         # between boxes
PAD = 6.0          # inside a box
BAND_PAD = 12.0    # above/below the boxes in a band
BAND_TINTS = {"financial": "#F4F6FA", "customer": "#FFFFFF", "process": "#F4F6FA", "learning": "#FFFFFF"}


def _is_nan(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (v is pd.NA) or (v is pd.NaT)


def _persp(v: object) -> str:
    s = str(v).strip()
    return PERSPECTIVE_ALIASES.get(s.lower(), PERSPECTIVE_ALIASES.get(s, s))


def _fmt_score(v: object) -> str:
    return style.fmt_score(v)  # never rounded across a band boundary (99.96 is not "100.0")


def _bezier(p0: np.ndarray, p1: np.ndarray, rad: float, n: int = 24) -> np.ndarray:
    """Points of matplotlib's arc3 connection (quadratic Bézier) from p0 to p1."""
    mid = (p0 + p1) / 2
    d = p1 - p0
    c = np.array([mid[0] + rad * d[1], mid[1] - rad * d[0]])
    ts = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - ts) ** 2 * p0 + 2 * (1 - ts) * ts * c + ts ** 2 * p1


def _clipped_arc(p0: np.ndarray, p1: np.ndarray, rad: float, box_a: tuple[float, float, float, float],
                 box_b: tuple[float, float, float, float], gap: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arc3 curve from the centre of box A to the centre of box B, cut where it leaves A and enters B
    (quadratic Bézier sub-segment via blossoming): its start, control and end points."""
    mid = (p0 + p1) / 2
    d = p1 - p0
    c = np.array([mid[0] + rad * d[1], mid[1] - rad * d[0]])
    ts = np.linspace(0.0, 1.0, 201)
    pts = (1 - ts)[:, None] ** 2 * p0 + 2 * ((1 - ts) * ts)[:, None] * c + (ts ** 2)[:, None] * p1

    def inside(box: tuple[float, float, float, float], pad: float) -> np.ndarray:
        return ((pts[:, 0] >= box[0] - pad) & (pts[:, 0] <= box[2] + pad) & (pts[:, 1] >= box[1] - pad)
                & (pts[:, 1] <= box[3] + pad))

    in_a = np.nonzero(inside(box_a, gap))[0]
    in_b = np.nonzero(inside(box_b, gap + 1))[0]
    t0 = ts[in_a.max()] if len(in_a) else 0.0
    t1 = ts[in_b.min()] if len(in_b) else 1.0
    if t1 <= t0:
        t0, t1 = 0.0, 1.0

    def at(tt: float) -> np.ndarray:
        return (1 - tt) ** 2 * p0 + 2 * (1 - tt) * tt * c + tt ** 2 * p1

    ctrl = (1 - t0) * (1 - t1) * p0 + (t0 * (1 - t1) + t1 * (1 - t0)) * c + t0 * t1 * p1
    return at(t0), ctrl, at(t1)


def _hits(pts: np.ndarray, box: tuple[float, float, float, float], pad: float = 3.0) -> bool:
    x0, y0, x1, y1 = box
    inside = (pts[:, 0] > x0 - pad) & (pts[:, 0] < x1 + pad) & (pts[:, 1] > y0 - pad) & (pts[:, 1] < y1 + pad)
    return bool(inside.any())


@chart
def strategy_map(objectives: pd.DataFrame, links: pd.DataFrame | None, lang: str, warnings: Iterable[object] = (),
                 *, perspectives: pd.DataFrame | None = None, title: str | None = None) -> SvgChart:
    """Strategy map.

    ``objectives``: index objective_id (or a column), perspective, objective, theme, score, band.
    ``links``: from_objective, to_objective. ``warnings``: `Finding`-like objects (code, message, refs); objectives
    named in refs get a numbered warning triangle, a ``link_down`` link is drawn dashed in the warning colour, and all
    warnings are listed below the map. ``perspectives`` (optional): index perspective, score → shown in the band label.
    Written as SVG (`charts.svg`): boxes gid ``objective:<id>``, arrows ``link:<from>-><to>``.
    """
    obj = objectives.copy()
    if "objective_id" in obj.columns:
        obj = obj.set_index("objective_id")
    obj.index = obj.index.astype(str)
    obj["perspective"] = pd.Series([_persp(p) for p in obj["perspective"]], index=obj.index, dtype=object)
    if "theme" not in obj.columns:
        obj["theme"] = None
    if "score" not in obj.columns:
        obj["score"] = math.nan
    if "band" not in obj.columns:
        obj["band"] = [style.band_of(s) for s in obj["score"]]
    obj["theme"] = pd.Series([None if _is_nan(x) or not str(x).strip() else str(x).strip() for x in obj["theme"]],
                             index=obj.index, dtype=object)
    persps = [p for p in PERSPECTIVES] + sorted({p for p in obj["perspective"] if p not in PERSPECTIVES})
    order = {p: i for i, p in enumerate(persps)}
    obj = obj.iloc[sorted(range(len(obj)), key=lambda i: (order[obj["perspective"].iloc[i]], i))]

    themes = list(dict.fromkeys(th for th in obj["theme"] if th is not None))
    theme_colour = {th: style.SERIES[i % len(style.SERIES)] for i, th in enumerate(themes)}
    # theme columns when a few themes are shared across perspectives; otherwise centred bands with theme tags
    spans = [len({p for p, th in zip(obj["perspective"], obj["theme"]) if th == x}) for x in themes]
    use_columns = 1 <= len(themes) <= 4 and max(spans, default=0) >= 2
    columns: list[str | None] = []
    if use_columns:
        if any(th is None for th in obj["theme"]):
            columns.append(None)
        columns.extend(themes)
    else:
        columns = [None]
        obj = _barycentre_order(obj, links, persps)
        obj["_col"] = None
    warnings = list(warnings or ())
    warn_of: dict[str, list[int]] = {}
    down_links: set[tuple[str, str]] = set()
    for i, w in enumerate(warnings, 1):
        refs = tuple(str(r) for r in (getattr(w, "refs", ()) or ()))
        code = getattr(w, "code", "")
        if code == "link_down" and len(refs) == 2:
            down_links.add((refs[0], refs[1]))
        for r in refs:
            if r in obj.index:
                warn_of.setdefault(r, []).append(i)

    counts = {(c, p): 0 for c in columns for p in persps}
    col_of = {oid: (obj.at[oid, "theme"] if use_columns else None) for oid in obj.index}
    for oid, r in obj.iterrows():
        counts[(col_of[oid], r["perspective"])] += 1
    per_col = {c: max([counts[(c, p)] for p in persps] + [1]) for c in columns}
    n_slots = sum(per_col.values())

    # box width from the page width
    max_w = style.A4_WIDE * 72 if n_slots > 5 else style.A4_WIDTH * 72
    bw = (max_w - LABEL_COL - 24 - GAP * (n_slots + len(columns))) / n_slots
    bw = float(min(max(bw, 78.0), 132.0))

    # box texts and band heights
    texts: dict[str, str] = {}
    tags: dict[str, str] = {}  # theme tags over the box (when themes are not columns), whole, wrapped
    heights: dict[str, float] = {}
    for oid, r in obj.iterrows():
        txt = wrap_fast(r["objective"], bw - 2 * PAD, FS_OBJ)
        texts[oid] = txt
        tag = 0.0
        if not use_columns and themes:
            th = r["theme"]
            tags[oid] = wrap_fast(th, bw - 2 * PAD - 14, 6.5, "bold") if th is not None else ""
            tag = 11.0 + 8.0 * tags[oid].count("\n")
        heights[oid] = text_size(txt, FS_OBJ)[1] + FS_SCORE * 1.35 + 2 * PAD + 2 + tag
    band_h = {}
    for p in persps:
        hs = [heights[o] for o in obj.index[obj["perspective"] == p]]
        band_h[p] = (max(hs) if hs else 28.0) + 2 * BAND_PAD
    col_w = {c: per_col[c] * (bw + GAP) + GAP for c in columns}
    width = LABEL_COL + sum(col_w.values()) + 24
    header_h = 22.0 if use_columns else 0.0
    title_h = 34.0
    foot_lines = []
    for i, w in enumerate(warnings, 1):
        foot_lines.append(wrap_fast(f"{i}. {getattr(w, 'message', w)}", width - 60, style.FS_SMALL))
    foot_h = sum(text_size(s, style.FS_SMALL)[1] + 3 for s in foot_lines) + (22 if foot_lines else 6)
    legend_h = 22.0
    bands_h = sum(band_h[p] for p in persps if p in PERSPECTIVES or counts_any(counts, columns, p))
    height = title_h + header_h + bands_h + legend_h + foot_h
    from workbench.deliverable.charts.render import FONT_STACK

    # Layout above is in matplotlib's orientation (points, y up from the bottom); the SVG's y runs down: Y(y).
    cv = Canvas(width, height, FONT_STACK)

    def Y(v: float) -> float:
        return height - v

    head = title or t("charts.strategy.title", lang)
    cv.text(12, Y(height - 10), head, style.FS_TITLE, style.NAVY, va="top", weight="bold", gid="title")
    # column x ranges
    col_x: dict[str | None, float] = {}
    x = LABEL_COL + 12
    for c in columns:
        col_x[c] = x
        x += col_w[c]
    top = height - title_h - header_h
    # theme headers
    for j, c in enumerate(columns):
        cx = col_x[c] + col_w[c] / 2
        if header_h:
            label = c if c is not None else t("charts.strategy.unthemed", lang)
            colr = style.SERIES[(j - (1 if columns[0] is None else 0)) % len(style.SERIES)] if c is not None else style.MUTED
            cv.rect(col_x[c] + GAP / 2, Y(top + header_h - 5), col_w[c] - GAP, header_h - 8, colr, radius=4,
                    fill_opacity=0.9)
            cv.text(cx, Y(top + 3 + (header_h - 8) / 2), wrap_fast(label, col_w[c] - GAP - 8, style.FS_SMALL, "bold", 1),
                    style.FS_SMALL, "#FFFFFF", anchor="middle", va="center", weight="bold", gid="theme")
    # bands
    y = top
    band_y: dict[str, tuple[float, float]] = {}
    for p in persps:
        if p not in PERSPECTIVES and not counts_any(counts, columns, p):
            continue
        h = band_h[p]
        band_y[p] = (y - h, y)
        cv.rect(6, Y(y), width - 12, h, BAND_TINTS.get(p, "#FFFFFF"))
        cv.line(6, Y(y - h), width - 6, Y(y - h), style.GRID, 0.8)
        lab = PERSPECTIVE_LABELS.get(p, {}).get(lang, p)
        lab = wrap_fast(lab, LABEL_COL - 8, style.FS_LABEL, "bold")
        if perspectives is not None and p in perspectives.index and "score" in perspectives.columns:
            sc = perspectives.loc[p, "score"]
            lab += f"\n{_fmt_score(sc)}"
        cv.text(6 + LABEL_COL / 2, Y(y - h / 2), lab, style.FS_LABEL, style.NAVY, anchor="middle", va="center",
                weight="bold", line_height=LINESPACING, gid=f"perspective:{p}")
        y -= h
    for j in range(1, len(columns)):
        xs = col_x[columns[j]]
        cv.line(xs, Y(top - 2), xs, Y(y + 4), "#C9D1DC", 0.8, dash((3, 3), 0.8))

    # boxes
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for p in band_y:
        y0, y1 = band_y[p]
        for c in columns:
            ids = [o for o in obj.index if obj.at[o, "perspective"] == p and col_of[o] == c]
            if not ids:
                continue
            slot_w = bw + GAP
            used = len(ids) * slot_w - GAP
            start = col_x[c] + (col_w[c] - used) / 2
            for i, oid in enumerate(ids):
                bx = start + i * slot_w
                bh = heights[oid]
                by = (y0 + y1) / 2 - bh / 2
                boxes[oid] = (bx, by, bx + bw, by + bh)
    # arrows first: they start and end at the boxes' edges, under the boxes' warning marks
    y_bottom = y
    if links is not None and len(links):
        centres = {o: np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]) for o, b in boxes.items()}
        for a, b in zip(links["from_objective"].astype(str), links["to_objective"].astype(str)):
            if a not in boxes or b not in boxes or a == b:
                continue
            p0, p1 = centres[a], centres[b]
            others = [bx for o, bx in boxes.items() if o not in (a, b)]
            rad, best = 0.0, None
            for cand in (0.0, 0.12, -0.12, 0.22, -0.22, 0.32, -0.32, 0.42, -0.42):
                pts = _bezier(p0, p1, cand)
                outside = bool(((pts[:, 1] < y_bottom) | (pts[:, 1] > top) | (pts[:, 0] < LABEL_COL)).any())
                n_hit = sum(_hits(pts, ob) for ob in others) + (100 if outside else 0)
                if best is None or n_hit < best:
                    rad, best = cand, n_hit
                if n_hit == 0:
                    break
            down = (a, b) in down_links
            start_pt, ctrl, end_pt = (np.array([v[0], Y(v[1])]) for v in _clipped_arc(p0, p1, rad, boxes[a], boxes[b]))
            cv.arrow(start_pt, ctrl, end_pt, style.WARN if down else "#4A5A70", 1.5 if down else 1.1,
                     dash((4, 2), 1.5) if down else None, gid=f"link:{a}->{b}")
    for oid, (bx0, by0, bx1, by1) in boxes.items():
        band = str(obj.at[oid, "band"]) if not _is_nan(obj.at[oid, "band"]) else "none"
        band = band if band in style.STATUS_COLOURS else "none"
        cv.rect(bx0, Y(by1), bx1 - bx0, by1 - by0, style.status_fill(band), stroke=style.status_colour(band),
                stroke_width=1.4, radius=7, gid=f"objective:{oid}")
        th = obj.at[oid, "theme"]
        ty = by1 - PAD
        if not use_columns and th is not None:
            cv.text(bx0 + PAD, Y(ty + 1), tags[oid], 6.5, theme_colour[th], va="top", weight="bold", line_height=1.15,
                    gid="theme")
            ty -= 11 + 8.0 * tags[oid].count("\n")
        cv.text((bx0 + bx1) / 2, Y(ty), texts[oid], FS_OBJ, style.INK, anchor="middle", va="top",
                line_height=LINESPACING, gid=f"objective-text:{oid}")
        cv.text(bx0 + PAD, Y(by0 + PAD - 1), oid, style.FS_TINY, style.MUTED, va="bottom", gid="objective-id")
        cv.text(bx1 - PAD, Y(by0 + PAD - 1), f"{t('charts.score', lang)} {_fmt_score(obj.at[oid, 'score'])}", FS_SCORE,
                style.status_colour(band) if band != "none" else style.MUTED, anchor="end", va="bottom", weight="bold",
                gid="objective-score")
        if oid in warn_of:
            wx, wy = bx1 - 2, Y(by1 - 1)
            _warning_mark(cv, wx, wy, 13)
            cv.text(wx, wy + 1.2, "!", 6.5, "#FFFFFF", anchor="middle", va="center", weight="bold", gid="warning-mark")
            cv.text(wx + 8, wy - 1, ",".join(str(n) for n in warn_of[oid]), 6.5, "#9A6A00", va="center", weight="bold",
                    gid="warning-ref")

    # legend: status colours
    lx, ly = 12.0, Y(foot_h + legend_h / 2)
    for band in ("good", "ok", "bad", "none"):
        cv.rect(lx, ly - 4.5, 14, 9, style.status_fill(band), stroke=style.status_colour(band), stroke_width=1.2, radius=2)
        label = t(f"charts.status.{band}", lang)
        cv.text(lx + 19, ly, label, style.FS_SMALL, style.INK, va="center", gid="legend")
        lx += 19 + text_size(label, style.FS_SMALL)[0] + 16
    # footnotes
    if foot_lines:
        fy = foot_h - 6
        _warning_mark(cv, 12, Y(fy - 5), 10)
        cv.text(22, Y(fy - 5), t("charts.strategy.warnings", lang), style.FS_SMALL, "#9A6A00", va="center", weight="bold",
                gid="footnote-head")
        fy -= 16
        for s in foot_lines:
            cv.text(22, Y(fy), s, style.FS_SMALL, style.INK, va="top", line_height=LINESPACING, gid="footnote")
            fy -= text_size(s, style.FS_SMALL)[1] + 3
    return cv.chart(head)


def _warning_mark(cv: Canvas, x: float, y: float, size: float) -> None:
    """matplotlib's "^" marker of ``size`` points: a triangle as wide as it is tall, centred on (x, y)."""
    h = size / 2
    cv.polygon([(x, y - h), (x - h, y + h), (x + h, y + h)], fill=style.WARN, stroke="#FFFFFF", width=0.8)


def _barycentre_order(obj: pd.DataFrame, links: pd.DataFrame | None, persps: list[str]) -> pd.DataFrame:
    """Order objectives within each band by the mean position of their linked objectives in the bands above
    (one downward pass), which removes most arrow crossings."""
    if links is None or not len(links):
        return obj
    nbrs: dict[str, set[str]] = {}
    for a, b in zip(links["from_objective"].astype(str), links["to_objective"].astype(str)):
        nbrs.setdefault(a, set()).add(b)
        nbrs.setdefault(b, set()).add(a)
    pos: dict[str, float] = {}
    order: list[str] = []
    for p in persps:
        ids = [o for o in obj.index if obj.at[o, "perspective"] == p]
        n = len(ids)
        keyed = []
        for i, o in enumerate(ids):
            xs = [pos[x] for x in nbrs.get(o, ()) if x in pos]
            keyed.append((sum(xs) / len(xs) if xs else (i + 0.5) / max(n, 1), i, o))
        keyed.sort()
        for j, (_, _, o) in enumerate(keyed):
            pos[o] = (j + 0.5) / max(n, 1)
            order.append(o)
    return obj.loc[order]


def counts_any(counts: dict, columns: Sequence[object], p: str) -> bool:
    return any(counts.get((c, p), 0) for c in columns)


def strategy_map_for(analysis: object) -> Chart:
    client = analysis.client  # type: ignore[attr-defined]
    lang = client.profile.language
    objectives = getattr(analysis, "objectives", None)
    if objectives is None:
        objectives = client.tables.get("objectives")
    if objectives is None:
        objectives = pd.DataFrame(columns=["objective_id", "perspective", "objective", "theme", "score", "band"])
    return strategy_map(objectives, client.tables.get("links"), lang, getattr(analysis, "strategy_warnings", ()) or (),
                        perspectives=getattr(analysis, "perspectives", None))
