"""KPI value tree rooted in the strategy (perspective → objective → company → division → department → position),
left to right.

`kpi_trees_for` draws one tree per perspective (scoring.md v2): the perspective's objectives in the first column,
each KPI without a parent hanging under its objective, the cascade to its right; KPIs with neither a parent nor an
objective come last, in a figure of their own (`value_tree_frame`). `kpi_tree` draws any KPI frame as a cascade.

Each node: KPI name, owner unit / owner, weight and score, filled by score status (an objective: its id and name,
perspective and score). Leaves take one row each,
a parent sits level with the middle of its children (a tidy tree), elbow connectors join them. Columns are the
owner levels present (company, division, department, position), each KPI under its own ``owner_level`` (see
`_columns`). `kpi_trees_for` splits a large cascade into several figures
by top-level KPI; a single subtree beyond `MAX_ROWS` leaves has its deepest level collapsed into a count.
"""
from __future__ import annotations

import math

import pandas as pd

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.svg import Canvas, SvgChart
from workbench.deliverable.charts.text import LINESPACING, text_size, wrap_fast
from workbench.intake.contract import OWNER_LEVEL_LABELS, OWNER_LEVELS, PERSPECTIVE_LABELS, PERSPECTIVES
from workbench.core.i18n import t
from workbench.core.frames import records

OBJECTIVE = "objective"  # the pseudo owner level of objective nodes (first column)
LEVELS = (OBJECTIVE, *OWNER_LEVELS)
OBJ_PREFIX = "obj:"

FS_NAME = 8.2
FS_META = 7.4
BOX_W = 118.0
COL_GAP = 22.0
PAGE_W = 7.0 * 72   # every page the same width (the report's text width), so all pages show the same font size
ROW_GAP = 7.0
PAD = 5.0
MAX_ROWS = 16       # leaves per figure when splitting (about one A4 page)
COLLAPSE_ROWS = 60  # a single subtree larger than this collapses its deepest level


def _nan(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _children(kpis: pd.DataFrame) -> tuple[dict[str, list[str]], list[str]]:
    ids = [str(i) for i in kpis.index]
    idset = set(ids)
    kids: dict[str, list[str]] = {i: [] for i in ids}
    roots: list[str] = []
    parent = kpis["parent_kpi_id"] if "parent_kpi_id" in kpis.columns else pd.Series([None] * len(kpis), index=kpis.index)
    for i, p in zip(ids, parent):
        p = None if _nan(p) else str(p)
        if p and p in idset and p != i:
            kids[p].append(i)
        else:
            roots.append(i)
    # guard against cycles: anything unreachable from a root becomes a root
    seen: set[str] = set()

    def reach(start: list[str]) -> None:
        stack = list(start)
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(kids[n])

    reach(roots)
    for i in ids:
        if i not in seen:
            roots.append(i)
            reach([i])
    return kids, roots


def _leaves(n: str, kids: dict[str, list[str]], seen: set[str] | None = None) -> int:
    seen = seen if seen is not None else set()
    if n in seen:
        return 0
    seen.add(n)
    if not kids[n]:
        return 1
    return sum(_leaves(c, kids, seen) for c in kids[n]) or 1


def value_tree_frame(kpis: pd.DataFrame, objectives: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """``kpis`` plus one node per objective (index ``obj:<id>``, ``owner_level`` objective, the objective's score);
    a KPI without a (known) parent gets its objective as parent. Objective nodes carry ``perspective``."""
    kp = kpis.copy()
    if "kpi_id" in kp.columns:
        kp = kp.set_index("kpi_id")
    kp.index = kp.index.astype(str)
    if objectives is None or not len(objectives):
        return kp
    obj = objectives.reset_index() if "objective_id" not in objectives.columns else objectives
    known = set(kp.index)
    parents = kp["parent_kpi_id"] if "parent_kpi_id" in kp.columns else pd.Series([None] * len(kp), index=kp.index)
    objs = kp["objective_id"] if "objective_id" in kp.columns else pd.Series([None] * len(kp), index=kp.index)
    obj_ids = {str(o) for o in obj["objective_id"]}
    new_parent = []
    for kid, par, o in zip(kp.index, parents, objs):
        if (_nan(par) or str(par) not in known) and not _nan(o) and str(o) in obj_ids:
            new_parent.append(OBJ_PREFIX + str(o))
        else:
            new_parent.append(None if _nan(par) else str(par))
    kp["parent_kpi_id"] = new_parent
    kp["perspective"] = None
    rows = []
    for r in records(obj):
        p = r.get("perspective")
        rows.append({"kpi": f"{r['objective_id']} {r.get('objective') or ''}".strip(), "parent_kpi_id": None,
                     "owner_unit": PERSPECTIVE_LABELS.get(p, {}).get(lang, p), "owner": None,
                     "owner_level": OBJECTIVE, "weight": math.nan, "score": r.get("score", math.nan),
                     "band": r.get("band", None), "status": OBJECTIVE, "perspective": p})
    nodes = pd.DataFrame(rows, index=[OBJ_PREFIX + str(o) for o in obj["objective_id"]])
    return pd.concat([nodes, kp])


def _fmt(v: object, pct: bool = False) -> str:
    if _nan(v):
        return "—"
    f = float(v)  # type: ignore[arg-type]
    s = f"{f:.0f}" if abs(f - round(f)) < 0.05 else f"{f:.1f}"
    return s + ("%" if pct else "")


@chart
def kpi_tree(kpis: pd.DataFrame, lang: str, root: str | list[str] | None = None, *, title: str | None = None) -> SvgChart:
    """Tree of the KPIs under ``root`` (a kpi_id or a list of them); ``None``: the whole cascade. Written as SVG
    (`charts.svg`: boxes, text and elbow lines only; measured with the charts' font, as matplotlib would).

    ``kpis``: index kpi_id; kpi, parent_kpi_id, owner_unit, owner, owner_level, weight, score, band, status.
    """
    kp = kpis.copy()
    if "kpi_id" in kp.columns:
        kp = kp.set_index("kpi_id")
    kp.index = kp.index.astype(str)
    kids, roots = _children(kp)
    if root is not None:
        roots = [str(r) for r in ([root] if isinstance(root, str) else root) if str(r) in kids]

    # rows: DFS; collapse the deepest level of an oversized tree
    collapsed: dict[str, int] = {}
    total_leaves = sum(_leaves(r, kids) for r in roots)
    max_depth_shown = 99
    limit = MAX_ROWS if (root is not None and len(roots) == 1 and kids[roots[0]]) else COLLAPSE_ROWS
    if total_leaves > limit:
        def depth_of_tree(n: str, d: int = 0) -> int:
            return max([d] + [depth_of_tree(c, d + 1) for c in kids[n]])
        md = max(depth_of_tree(r) for r in roots)
        floor = 0 if limit == MAX_ROWS else 1
        while md > floor:
            md -= 1
            cnt = _count_rows(roots, kids, md)
            if cnt <= limit:
                break
        max_depth_shown = md

    nodes: list[tuple[str, int]] = []  # (id, depth) in DFS order; id "+<parent>" for a collapsed summary
    def visit(n: str, d: int, seen: set[str]) -> None:
        if n in seen:
            return
        seen.add(n)
        nodes.append((n, d))
        if kids[n] and d >= max_depth_shown:
            collapsed[n] = _descendants(n, kids)
            nodes.append((f"+{n}", d + 1))
            return
        for c in kids[n]:
            visit(c, d + 1, seen)
    seen: set[str] = set()
    for r in roots:
        visit(r, 0, seen)
    slot, groups, off_level = _columns(nodes, kp)
    n_cols = sum(groups.values())

    # cards share the page width (narrower cards wrap more lines); only a very wide cascade grows past the page
    gap = COL_GAP if n_cols < 5 else 14.0  # five columns (objective + four levels) still fit the page
    box_w = min(BOX_W, max(76.0, (PAGE_W - 24 - gap * (n_cols - 1)) / n_cols))
    texts: dict[str, tuple[str, str, str, float]] = {}
    stacked: dict[str, float] = {}  # node → height of its score lines, when they sit below the weight
    for nid, d in nodes:
        if nid.startswith("+"):
            txt = t("charts.kpi_tree.collapsed", lang, n=collapsed[nid[1:]])
            name = wrap_fast(txt, box_w - 2 * PAD, FS_META)
            texts[nid] = (name, "", "", text_size(name, FS_META)[1] + 2 * PAD)
            continue
        r = kp.loc[nid]
        name = wrap_fast(f"{r.get('kpi', nid)}", box_w - 2 * PAD, FS_NAME, "bold", max_lines=3)
        owner = " · ".join(str(x) for x in (r.get("owner_unit"), r.get("owner")) if not _nan(x) and str(x).strip())
        if nid in off_level:  # drawn in its parent's level (a level above its parent's): name its own level
            lv = str(r.get("owner_level")) if not _nan(r.get("owner_level")) else ""
            owner = " · ".join(x for x in (OWNER_LEVEL_LABELS.get(lv, {}).get(lang, lv), owner) if x)
        owner = wrap_fast(owner, box_w - 2 * PAD, FS_META, max_lines=3) if owner else ""
        status = str(r.get("status", "")) if not _nan(r.get("status")) else ""
        score_txt = f"{t('charts.score', lang)} {style.fmt_score(r.get('score'))}"
        if status == "rolled_up":
            score_txt += f" ({t('charts.kpi_tree.rolled_up', lang)})"
        elif status == "excluded":
            score_txt = f"{t('charts.score', lang)} — ({t('charts.kpi_tree.excluded', lang)})"
        meta = f"{t('charts.kpi_tree.weight', lang)} {_fmt(r.get('weight'), pct=True)}" if status != OBJECTIVE else ""
        h = text_size(name, FS_NAME, "bold")[1] + (text_size(owner, FS_META)[1] if owner else 0) + FS_META * LINESPACING + 2 * PAD + 3
        if text_size(meta, FS_META)[0] + text_size(score_txt, FS_META + 0.4, "bold")[0] + 6 > box_w - 2 * PAD:
            # a narrow box: the score goes on its own line(s) below the weight, wrapped to the box ("Score —
            # (excluded)" is wider than the narrowest box)
            score_txt = wrap_fast(score_txt, box_w - 2 * PAD, FS_META + 0.4, "bold")
            stacked[nid] = text_size(score_txt, FS_META + 0.4, "bold")[1] + 1
            h += stacked[nid] - (FS_META * LINESPACING - FS_META)
        texts[nid] = (name, owner, meta + "\x00" + score_txt, h)

    row_h = max((v[3] for v in texts.values()), default=30.0) + ROW_GAP
    # y positions: leaves sequential, parents centred on their children
    pos: dict[str, float] = {}
    order_children: dict[str, list[str]] = {}
    stack: list[tuple[str, int]] = []
    for nid, d in nodes:
        while stack and stack[-1][1] >= d:
            stack.pop()
        if stack:
            order_children.setdefault(stack[-1][0], []).append(nid)
        stack.append((nid, d))
    leaf_i = 0
    for nid, d in nodes:
        if nid not in order_children:
            pos[nid] = leaf_i
            leaf_i += 1
    for nid, d in reversed(nodes):
        if nid in order_children:
            ch = order_children[nid]
            pos[nid] = (pos[ch[0]] + pos[ch[-1]]) / 2
    n_rows = max(leaf_i, 1)

    title_h, header_h, legend_h = 32.0, 20.0, 22.0
    width = 24 + n_cols * box_w + (n_cols - 1) * gap
    width = max(width, PAGE_W)
    height = title_h + header_h + n_rows * row_h + legend_h + 8
    from workbench.deliverable.charts.render import FONT_STACK

    cv = Canvas(width, height, FONT_STACK)
    if title is None:
        title = (t("charts.kpi_tree.title_root", lang, kpi=kp.at[roots[0], "kpi"]) if root is not None and len(roots) == 1
                 else t("charts.kpi_tree.title", lang))
    cv.text(12, 10, title, style.FS_TITLE, style.NAVY, va="top", weight="bold", gid="title")
    top = title_h + header_h  # the first row's top edge (points from the top)

    col_of = {nid: sum(n for lv, n in groups.items() if lv < slot[nid][0]) + slot[nid][1] for nid, _ in nodes}

    def col_x(c: int) -> float:
        return 12 + c * (box_w + gap)

    def y_of(nid: str) -> float:
        return top + (pos[nid] + 0.5) * row_h

    # column headers: one per owner level present, spanning that level's columns
    for lv, n_sub in groups.items():
        first = sum(n for l2, n in groups.items() if l2 < lv)
        key = LEVELS[lv]
        strategy = key == OBJECTIVE  # the strategy's column: not an owner level
        lab = t("report.kpis.tree_objectives", lang) if strategy else OWNER_LEVEL_LABELS.get(key, {}).get(lang, key)
        x0, x1 = col_x(first), col_x(first + n_sub - 1) + box_w
        hy = top - 4 - (header_h - 9)
        cv.rect(x0, hy, x1 - x0, header_h - 9, style.NAVY if strategy else style.NAVY_LIGHT, radius=3,
                gid="objectives" if strategy else f"level:{key}")
        cv.text((x0 + x1) / 2, hy + (header_h - 9) / 2, lab, style.FS_SMALL, "#FFFFFF" if strategy else style.NAVY,
                anchor="middle", va="center", weight="bold", gid="objectives-label" if strategy else "level")

    # connectors (elbows), behind the boxes
    for nid, ch in order_children.items():
        x_par = col_x(col_of[nid]) + box_w
        x_mid = x_par + gap / 2
        yp = y_of(nid)
        ys = [y_of(c) for c in ch]
        cv.line(x_par, yp, x_mid, yp, CONNECTOR, 0.9, gid="connector")
        cv.line(x_mid, min(ys + [yp]), x_mid, max(ys + [yp]), CONNECTOR, 0.9, gid="connector")
        for c, yc in zip(ch, ys):  # a child a level or more further right: the line runs through the empty rows
            cv.line(x_mid, yc, col_x(col_of[c]), yc, CONNECTOR, 0.9, gid="connector")

    # boxes
    for nid, d in nodes:
        name, owner, meta, h = texts[nid]
        x0 = col_x(col_of[nid])
        yc = y_of(nid)
        y0 = yc - h / 2  # top edge
        if nid.startswith("+"):
            cv.rect(x0, y0, box_w, h, "#FFFFFF", "#9AA0A6", 1.0, radius=5, dash=(3, 2), gid="collapsed-box")
            cv.text(x0 + PAD, yc, name, FS_META, style.MUTED, va="center", line_height=LINESPACING, gid="collapsed")
            continue
        r = kp.loc[nid]
        band = str(r.get("band")) if not _nan(r.get("band")) else style.band_of(r.get("score"))
        band = band if band in style.STATUS_COLOURS else "none"
        is_obj = nid.startswith(OBJ_PREFIX)
        cv.rect(x0, y0, box_w, h, style.status_fill(band), style.status_colour(band), 2.0 if is_obj else 1.2, radius=5,
                gid=f"objective:{nid[len(OBJ_PREFIX):]}" if is_obj else f"kpi:{nid}")
        yy = y0 + PAD
        cv.text(x0 + PAD, yy, name, FS_NAME, style.INK, va="top", weight="bold", line_height=LINESPACING,
                gid=f"kpi-name:{nid}")
        yy += text_size(name, FS_NAME, "bold")[1] + 1.5
        if owner:
            cv.text(x0 + PAD, yy, owner, FS_META, style.MUTED, va="top", line_height=LINESPACING, gid=f"kpi-owner:{nid}")
        w_txt, s_txt = meta.split("\x00")
        y_w = y0 + h - PAD - stacked.get(nid, 0.0)
        cv.text(x0 + PAD, y_w, w_txt, FS_META, style.MUTED, va="bottom", gid=f"kpi-weight:{nid}")
        cv.text(x0 + box_w - PAD, y0 + h - PAD, s_txt, FS_META + 0.4, style.status_colour(band) if band != "none"
                else style.MUTED, anchor="end", va="bottom", weight="bold", gid=f"kpi-score:{nid}")

    # legend
    lx, ly = 12.0, height - (legend_h / 2 + 4)
    for band in ("good", "ok", "bad", "none"):
        cv.rect(lx, ly - 4.5, 14, 9, style.status_fill(band), style.status_colour(band), 1.1, radius=2,
                gid=f"legend-key:{band}")
        label = t(f"charts.status.{band}", lang)
        cv.text(lx + 19, ly, label, style.FS_SMALL, style.INK, va="center", gid="legend")
        lx += 19 + text_size(label, style.FS_SMALL)[0] + 16
    return cv.chart(title)


CONNECTOR = "#8A97A8"


def _level_index(v: object) -> int | None:
    key = None if _nan(v) else str(v).strip().lower()
    return LEVELS.index(key) if key in LEVELS else None


def _columns(nodes: list[tuple[str, int]], kp: pd.DataFrame) -> tuple[dict[str, tuple[int, int]], dict[int, int], set[str]]:
    """Column slot of every drawn node: ``(owner level index, sub-column)``.

    A KPI sits under the header of its own ``owner_level`` (company, division, department, position), whatever its
    depth in the cascade: a division KPI without a parent is in the division column, a child skipping a level
    (company → department) has its connector run through the empty rows of the level between. A child at the same
    level as its parent (or, in odd data, a level above it) goes one sub-column to the right of its parent, inside
    the parent's level, so every connector still runs left to right; those (``off_level``, only the inverted ones)
    name their level in the box. Returns (slot by node, {level index: number of sub-columns}, off_level ids).
    """
    slot: dict[str, tuple[int, int]] = {}
    off_level: set[str] = set()
    stack: list[tuple[str, int]] = []
    has_level = "owner_level" in kp.columns
    for nid, d in nodes:
        while stack and stack[-1][1] >= d:
            stack.pop()
        parent = stack[-1][0] if stack else None
        stack.append((nid, d))
        if nid.startswith("+"):  # collapsed summary: the next level
            pl, ps = slot[parent] if parent else (0, 0)
            slot[nid] = (pl + 1, 0) if pl + 1 < len(LEVELS) else (pl, ps + 1)
            continue
        lv = _level_index(kp.at[nid, "owner_level"]) if has_level else None
        if parent is None:
            slot[nid] = (lv if lv is not None else LEVELS.index("company"), 0)
            continue
        pl, ps = slot[parent]
        if lv is not None and lv > pl:
            slot[nid] = (lv, 0)
        else:
            slot[nid] = (pl, ps + 1)
            if lv is not None and lv < pl:
                off_level.add(nid)
    groups: dict[int, int] = {}
    for lv, sub in slot.values():
        groups[lv] = max(groups.get(lv, 0), sub + 1)
    return slot, dict(sorted(groups.items())), off_level


def _count_rows(roots: list[str], kids: dict[str, list[str]], max_depth: int) -> int:
    def rows(n: str, d: int) -> int:
        if not kids[n]:
            return 1
        if d >= max_depth:
            return 1
        return sum(rows(c, d + 1) for c in kids[n])
    return sum(rows(r, 0) for r in roots)


def _descendants(n: str, kids: dict[str, list[str]]) -> int:
    out, stack, seen = 0, list(kids[n]), set()
    while stack:
        c = stack.pop()
        if c in seen:
            continue
        seen.add(c)
        out += 1
        stack.extend(kids[c])
    return out


def tree_groups(kpis: pd.DataFrame, max_rows: int = MAX_ROWS, roots: list[str] | None = None) -> list[list[str]]:
    """Top-level nodes (``roots``, default: every root) packed into figures of at most ``max_rows`` leaf rows (a
    bigger tree gets its own figure)."""
    kp = kpis.set_index("kpi_id") if "kpi_id" in kpis.columns else kpis
    kp = kp.copy()
    kp.index = kp.index.astype(str)
    kids, all_roots = _children(kp)
    roots = all_roots if roots is None else roots
    groups: list[list[str]] = []
    cur: list[str] = []
    cur_rows = 0

    def add(r: str) -> None:
        nonlocal cur, cur_rows
        n = _leaves(r, kids)
        if n > max_rows and kids[r]:
            # an oversized tree: its overview (collapsed) alone, then its sub-trees packed in turn
            if cur:
                groups.append(cur)
                cur, cur_rows = [], 0
            groups.append([r])
            for c in kids[r]:
                add(c)
            return
        if cur and cur_rows + n > max_rows:
            groups.append(cur)
            cur, cur_rows = [], 0
        cur.append(r)
        cur_rows += n

    for r in roots:
        add(r)
    if cur:
        groups.append(cur)
    return groups


def kpi_trees_for(analysis: object) -> list[Chart]:
    """The value tree: per perspective, its objectives and their KPI cascades (packed by `tree_groups`), then the
    KPIs that hang under no objective. Without objectives: the KPI cascade alone."""
    lang = analysis.client.profile.language  # type: ignore[attr-defined]
    kpis = analysis.kpis  # type: ignore[attr-defined]
    if kpis is None or len(kpis) == 0:
        return []
    frame = value_tree_frame(kpis, getattr(analysis, "objectives", None), lang)
    _, roots = _children(frame)
    title = t("report.kpis.tree", lang) if any(r.startswith(OBJ_PREFIX) for r in roots) else \
        t("charts.kpi_tree.title", lang)
    sections: list[tuple[str, list[str]]] = []
    for p in PERSPECTIVES:
        mine = [r for r in roots if r.startswith(OBJ_PREFIX) and frame.at[r, "perspective"] == p]
        if mine:
            sections.append((f"{title} · {PERSPECTIVE_LABELS[p][lang]}", mine))
    loose = [r for r in roots if not r.startswith(OBJ_PREFIX)]
    if loose:
        sections.append((t("report.kpis.tree_unattached", lang) if len(sections) else title, loose))
    figs = []
    for head, rs in sections:
        groups = tree_groups(frame, roots=rs)
        for i, g in enumerate(groups, 1):
            figs.append(kpi_tree(frame, lang, root=g, title=head + (f" ({i}/{len(groups)})" if len(groups) > 1 else "")))
    return figs
