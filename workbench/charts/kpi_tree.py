"""KPI cascade tree (company → division → department → position), left to right.

Each node: KPI name, owner unit / owner, weight and score, filled by score status. Leaves take one row each,
a parent sits level with the middle of its children (a tidy tree), elbow connectors join them. Columns are the
tree depths, headed by the owner level found there. `kpi_trees_for` splits a large cascade into several figures
by top-level KPI; a single subtree beyond `MAX_ROWS` leaves has its deepest level collapsed into a count.
"""
from __future__ import annotations

import math
from collections import Counter

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

from workbench.charts import style
from workbench.charts.text import LINESPACING, measure, shorten, wrap_to_points
from workbench.contract import OWNER_LEVEL_LABELS
from workbench.i18n import t

FS_NAME = 8.2
FS_META = 7.0
BOX_W = 118.0
COL_GAP = 30.0
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
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(kids[n])
    for i in ids:
        if i not in seen:
            roots.append(i)
            stack = [i]
            while stack:
                n = stack.pop()
                if n in seen:
                    continue
                seen.add(n)
                stack.extend(kids[n])
    return kids, roots


def _leaves(n: str, kids: dict[str, list[str]], seen: set[str] | None = None) -> int:
    seen = seen if seen is not None else set()
    if n in seen:
        return 0
    seen.add(n)
    if not kids[n]:
        return 1
    return sum(_leaves(c, kids, seen) for c in kids[n]) or 1


def _fmt(v: object, pct: bool = False) -> str:
    if _nan(v):
        return "—"
    f = float(v)  # type: ignore[arg-type]
    s = f"{f:.0f}" if abs(f - round(f)) < 0.05 else f"{f:.1f}"
    return s + ("%" if pct else "")


def kpi_tree(kpis: pd.DataFrame, lang: str, root: str | list[str] | None = None, *, title: str | None = None) -> Figure:
    """Tree of the KPIs under ``root`` (a kpi_id or a list of them); ``None``: the whole cascade.

    ``kpis``: index kpi_id; kpi, parent_kpi_id, owner_unit, owner, owner_level, weight, score, band, status.
    """
    style.apply_style()
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
    n_cols = max((d for _, d in nodes), default=0) + 1

    box_w = BOX_W if n_cols <= 4 else max(92.0, (style.A4_WIDE * 72 - 40 - COL_GAP * (n_cols - 1)) / n_cols)
    texts: dict[str, tuple[str, str, str, float]] = {}
    for nid, d in nodes:
        if nid.startswith("+"):
            txt = t("charts.kpi_tree.collapsed", lang, n=collapsed[nid[1:]])
            name = wrap_to_points(txt, box_w - 2 * PAD, FS_META)
            texts[nid] = (name, "", "", measure(name, FS_META)[1] + 2 * PAD)
            continue
        r = kp.loc[nid]
        name = wrap_to_points(f"{r.get('kpi', nid)}", box_w - 2 * PAD, FS_NAME, "bold", max_lines=2)
        owner = " · ".join(str(x) for x in (r.get("owner_unit"), r.get("owner")) if not _nan(x) and str(x).strip())
        owner = shorten(owner, int((box_w - 2 * PAD) / FS_META * 2)) if owner else ""
        status = str(r.get("status", "")) if not _nan(r.get("status")) else ""
        score_txt = f"{t('charts.score', lang)} {_fmt(r.get('score'))}"
        if status == "rolled_up":
            score_txt += f" ({t('charts.kpi_tree.rolled_up', lang)})"
        elif status == "excluded":
            score_txt = f"{t('charts.score', lang)} — ({t('charts.kpi_tree.excluded', lang)})"
        meta = f"{t('charts.kpi_tree.weight', lang)} {_fmt(r.get('weight'), pct=True)}"
        h = measure(name, FS_NAME, "bold")[1] + (FS_META * LINESPACING if owner else 0) + FS_META * LINESPACING + 2 * PAD + 3
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
    width = 24 + n_cols * box_w + (n_cols - 1) * COL_GAP
    width = max(width, 5.5 * 72)
    height = title_h + header_h + n_rows * row_h + legend_h + 8
    fig = style.new_figure(width / 72, height / 72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    if title is None:
        title = (t("charts.kpi_tree.title_root", lang, kpi=kp.at[roots[0], "kpi"]) if root is not None and len(roots) == 1
                 else t("charts.kpi_tree.title", lang))
    ax.text(12, height - 10, title, ha="left", va="top", fontsize=style.FS_TITLE, fontweight="bold", color=style.NAVY,
            gid="title")
    top = height - title_h - header_h

    def col_x(d: int) -> float:
        return 12 + d * (box_w + COL_GAP)

    def y_of(nid: str) -> float:
        return top - (pos[nid] + 0.5) * row_h

    # column headers by the owner level most common at that depth
    for d in range(n_cols):
        levels = Counter(str(kp.at[n, "owner_level"]) for n, dd in nodes
                         if dd == d and not n.startswith("+") and "owner_level" in kp.columns
                         and not _nan(kp.at[n, "owner_level"]))
        if not levels:
            continue
        lvl = levels.most_common(1)[0][0]
        lab = OWNER_LEVEL_LABELS.get(lvl, {}).get(lang, lvl)
        ax.add_patch(FancyBboxPatch((col_x(d), top + 4), box_w, header_h - 9, boxstyle="round,pad=0,rounding_size=3",
                                    facecolor=style.NAVY_LIGHT, edgecolor="none"))
        ax.text(col_x(d) + box_w / 2, top + 4 + (header_h - 9) / 2, lab, ha="center", va="center", fontsize=style.FS_SMALL,
                fontweight="bold", color=style.NAVY, gid="level")

    # connectors
    for nid, ch in order_children.items():
        d = next(dd for n, dd in nodes if n == nid)
        x_par = col_x(d) + box_w
        x_mid = x_par + COL_GAP / 2
        yp = y_of(nid)
        ys = [y_of(c) for c in ch]
        ax.add_line(Line2D([x_par, x_mid], [yp, yp], color="#8A97A8", lw=0.9, zorder=1))
        ax.add_line(Line2D([x_mid, x_mid], [min(ys + [yp]), max(ys + [yp])], color="#8A97A8", lw=0.9, zorder=1))
        for yc in ys:
            ax.add_line(Line2D([x_mid, x_mid + COL_GAP / 2], [yc, yc], color="#8A97A8", lw=0.9, zorder=1))

    # boxes
    for nid, d in nodes:
        name, owner, meta, h = texts[nid]
        x0 = col_x(d)
        yc = y_of(nid)
        y0 = yc - h / 2
        if nid.startswith("+"):
            ax.add_patch(FancyBboxPatch((x0, y0), box_w, h, boxstyle="round,pad=0,rounding_size=5", facecolor="white",
                                        edgecolor="#9AA0A6", lw=1.0, ls=(0, (3, 2)), zorder=3))
            ax.text(x0 + PAD, yc, name, ha="left", va="center", fontsize=FS_META, color=style.MUTED,
                    linespacing=LINESPACING, zorder=4, gid="collapsed")
            continue
        r = kp.loc[nid]
        band = str(r.get("band")) if not _nan(r.get("band")) else style.band_of(r.get("score"))
        band = band if band in style.STATUS_COLOURS else "none"
        ax.add_patch(FancyBboxPatch((x0, y0), box_w, h, boxstyle="round,pad=0,rounding_size=5",
                                    facecolor=style.status_fill(band), edgecolor=style.status_colour(band), lw=1.2, zorder=3,
                                    gid=f"kpi:{nid}"))
        yy = y0 + h - PAD
        ax.text(x0 + PAD, yy, name, ha="left", va="top", fontsize=FS_NAME, fontweight="bold", color=style.INK,
                linespacing=LINESPACING, zorder=4, gid=f"kpi-name:{nid}")
        yy -= measure(name, FS_NAME, "bold")[1] + 1.5
        if owner:
            ax.text(x0 + PAD, yy, owner, ha="left", va="top", fontsize=FS_META, color=style.MUTED, zorder=4)
            yy -= FS_META * LINESPACING
        w_txt, s_txt = meta.split("\x00")
        ax.text(x0 + PAD, y0 + PAD, w_txt, ha="left", va="bottom", fontsize=FS_META, color=style.MUTED, zorder=4)
        ax.text(x0 + box_w - PAD, y0 + PAD, s_txt, ha="right", va="bottom", fontsize=FS_META + 0.4, fontweight="bold",
                color=style.status_colour(band) if band != "none" else style.MUTED, zorder=4)

    # legend
    lx, ly = 12.0, legend_h / 2 + 4
    for band in ("good", "ok", "bad", "none"):
        ax.add_patch(FancyBboxPatch((lx, ly - 4.5), 14, 9, boxstyle="round,pad=0,rounding_size=2",
                                    facecolor=style.status_fill(band), edgecolor=style.status_colour(band), lw=1.1))
        label = t(f"charts.status.{band}", lang)
        ax.text(lx + 19, ly, label, ha="left", va="center", fontsize=style.FS_SMALL, gid="legend")
        lx += 19 + measure(label, style.FS_SMALL)[0] + 16
    return fig


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


def tree_groups(kpis: pd.DataFrame, max_rows: int = MAX_ROWS) -> list[list[str]]:
    """Top-level KPIs packed into figures of at most ``max_rows`` leaf rows (a bigger tree gets its own figure)."""
    kp = kpis.set_index("kpi_id") if "kpi_id" in kpis.columns else kpis
    kp = kp.copy()
    kp.index = kp.index.astype(str)
    kids, roots = _children(kp)
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


def kpi_trees_for(analysis: object) -> list[Figure]:
    """One figure per group of top-level KPIs (see `tree_groups`)."""
    lang = analysis.client.profile.language  # type: ignore[attr-defined]
    kpis = analysis.kpis  # type: ignore[attr-defined]
    if kpis is None or len(kpis) == 0:
        return []
    groups = tree_groups(kpis)
    figs = []
    for i, g in enumerate(groups, 1):
        ttl = t("charts.kpi_tree.title", lang) + (f" ({i}/{len(groups)})" if len(groups) > 1 else "")
        figs.append(kpi_tree(kpis, lang, root=g, title=ttl))
    return figs
