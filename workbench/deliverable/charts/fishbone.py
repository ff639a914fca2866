"""Fishbone (Ishikawa) diagram with a layout computed from the text.

Geometry (all in points, 1/72 in; the axes span the whole figure with 1 data unit = 1 point):
- the spine runs left → right into the problem box (the head);
- one spine; category bones (empty categories left out) alternate above / below it at staggered junctions, slanted
  back from the head, so an upper and a lower bone never meet;
- a cause is a horizontal rib ending on its bone, its label sitting on the rib, right-aligned next to the bone;
- a cause with sub-causes gets a stem (parallel to the bone) hanging from its rib; the sub-causes are ribs on
  that stem, recursively, to depth 3 (anything deeper is shown at depth 3 under its depth-3 ancestor).
Every label is wrapped by display width (CJK aware) and measured; each bone's height comes from its rows; the
distance between neighbouring bones is the smallest that keeps every box of one clear of the other; the wrap
width shrinks (never below `MIN_WRAP`) until the diagram fits the report's text width, else a landscape page; the
figure grows in height as the content needs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Polygon

from workbench.deliverable.charts import style
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.text import LINESPACING, measure, wrap_to_points
from workbench.core.i18n import t
from workbench.core.frames import records

FS = {1: 8.5, 2: 7.8, 3: 7.2}   # label size by depth
FS_CAT = 9.5
FS_HEAD = 10.0
PAD_TEXT = 1.8        # text baseline block above its rib
GAP_LINE = 4.0        # text to the bone / stem it hangs on
ROW_GAP = 3.0         # between rows
GROUP_GAP = 6.0       # before each top-level cause
SPINE_CLEAR = 10.0    # first row from the spine
MARGIN = 14.0         # between neighbouring bones' boxes
MARKER_W = 9.0
STAGGER = 34.0        # between neighbouring junctions on the spine
MAX_DEPTH = 3
TOP_TEXT = "#9A4A05"  # darker amber for text on white


@dataclass
class _Node:
    cid: str
    text: str
    depth: int
    root: bool
    top: bool
    children: list["_Node"] = field(default_factory=list)


@dataclass
class _Row:
    node: _Node
    depth: int
    parent: "_Row | None"
    label: str = ""
    size: float = 8.5
    weight: str = "normal"
    w: float = 0.0
    h: float = 0.0
    y: float = 0.0          # rib y
    x_left: float = 0.0     # text left
    x_right: float = 0.0    # text right
    x_end: float = 0.0      # where the rib meets its line
    stem_x: float | None = None  # top of this row's stem (if it has children)
    last_child_y: float | None = None


@dataclass
class _Bone:
    label: str
    side: int               # +1 above, -1 below
    rows: list[_Row]
    k: float = 0.4
    label_box: tuple[float, float, float, float] = (0, 0, 0, 0)
    end: tuple[float, float] = (0, 0)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    x0: float = 0.0         # junction on the spine (absolute)
    label_w: float = 0.0
    label_h: float = 0.0
    label_text: str = ""


def _cat_parts(c: object) -> tuple[str, str, str]:
    if hasattr(c, "key"):
        return str(c.key), str(getattr(c, "en", c.key)), str(getattr(c, "zh", c.key))
    if isinstance(c, (tuple, list)) and len(c) == 3:
        return str(c[0]), str(c[1]), str(c[2])
    return str(c), str(c), str(c)


def _clean(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    s = str(v).strip()
    return s or None


def _build_forest(causes: pd.DataFrame, categories: Sequence[object], lang: str, root_ids: set[str],
                  top_ids: set[str]) -> list[tuple[str, list[_Node]]]:
    """[(category label, [top-level cause nodes])] in the order of ``categories`` (+ 'other' if needed)."""
    cats = [_cat_parts(c) for c in categories]
    lookup: dict[str, int] = {}
    for i, (key, en, zh) in enumerate(cats):
        for name in (key, en, zh):
            lookup.setdefault(name.strip().lower(), i)
    labels = [zh if lang == "zh" else en for key, en, zh in cats]
    groups: list[list[_Node]] = [[] for _ in cats]
    other: list[_Node] = []
    nodes: dict[str, _Node] = {}
    rows = records(causes) if causes is not None and len(causes) else []
    if causes is not None and "cause_id" not in causes.columns and causes.index.name == "cause_id":
        rows = records(causes.reset_index())
    for r in rows:
        cid = _clean(r.get("cause_id")) or f"#{len(nodes)}"
        nodes[cid] = _Node(cid, _clean(r.get("cause")) or "", 1, cid in root_ids or bool(r.get("is_root") is True),
                           cid in top_ids or bool(r.get("is_top") is True))
    for r in rows:
        cid = _clean(r.get("cause_id")) or ""
        node = nodes.get(cid)
        if node is None:
            continue
        parent = _clean(r.get("parent_cause_id"))
        if parent and parent in nodes and parent != cid and not _is_ancestor(nodes, parent, cid, rows):
            nodes[parent].children.append(node)
            continue
        cat = (_clean(r.get("category")) or "").lower()
        idx = lookup.get(cat)
        (groups[idx] if idx is not None else other).append(node)
    out = list(zip(labels, groups))
    if other:
        out.append((t("charts.other", lang), other))
    # depth
    def set_depth(n: _Node, d: int) -> None:
        n.depth = d
        for ch in n.children:
            set_depth(ch, d + 1)
    for _, g in out:
        for n in g:
            set_depth(n, 1)
    return out


def _is_ancestor(nodes: dict[str, _Node], maybe_desc: str, cid: str, rows: list[dict]) -> bool:
    """Guard against cycles in hand-edited data: is ``cid`` an ancestor of ``maybe_desc``?"""
    parents = {(_clean(r.get("cause_id")) or ""): _clean(r.get("parent_cause_id")) for r in rows}
    seen = set()
    cur = maybe_desc
    while cur and cur not in seen:
        if cur == cid:
            return True
        seen.add(cur)
        cur = parents.get(cur)
    return False


def _flatten(nodes: list[_Node]) -> list[tuple[_Node, int, int]]:
    """DFS rows (node, display depth ≤ 3, index of parent row or -1)."""
    out: list[tuple[_Node, int, int]] = []

    def visit(n: _Node, d: int, parent_idx: int) -> None:
        idx = len(out)
        out.append((n, d, parent_idx))
        for ch in n.children:
            if d < MAX_DEPTH:
                visit(ch, d + 1, idx)
            else:  # deeper than 3: shown as a sibling at depth 3, right after its ancestor
                visit(ch, d, parent_idx)

    for n in nodes:
        visit(n, 1, -1)
    return out


def _box_overlap_shift(left: list[tuple[float, float, float, float]], right: list[tuple[float, float, float, float]],
                       margin: float) -> float:
    """Smallest dx so that every box of ``right`` moved by dx is clear (by margin) of every box of ``left``."""
    need = -math.inf
    for (ax0, ay0, ax1, ay1) in left:
        for (bx0, by0, bx1, by1) in right:
            if by1 + margin * 0.5 <= ay0 or ay1 + margin * 0.5 <= by0:
                continue
            need = max(need, ax1 + margin - bx0)
    return need


class _Layout:
    def __init__(self, forest: list[tuple[str, list[_Node]]], lang: str, wrap_w: float, k_max: float = 0.4):
        self.lang = lang
        self.wrap_w = wrap_w
        self.bones: list[_Bone] = []
        for i, (label, nodes) in enumerate(forest):
            side = 1 if i % 2 == 0 else -1
            flat = _flatten(nodes)
            rows: list[_Row] = []
            for node, d, pidx in flat:
                rows.append(_Row(node, d, rows[pidx] if pidx >= 0 else None))
            self.bones.append(_Bone(label, side, rows))
        for b in self.bones:
            self._measure(b)
        self.side_height = {1: 0.0, -1: 0.0}
        for b in self.bones:
            self._place_y(b)
        for side in (1, -1):
            hs = [self._extent(b) for b in self.bones if b.side == side]
            self.side_height[side] = max(hs) if hs else 0.0
        for b in self.bones:
            # slant: ~62° from the spine for short bones, steeper for tall ones so width stays bounded
            b.k = min(k_max, 100.0 / max(self.side_height[b.side], 1.0))
            self._place_x(b)
        self._place_junctions()

    # -- rows --------------------------------------------------------------------------------------------
    def _measure(self, b: _Bone) -> None:
        longest = max((measure(wd, FS_CAT, "bold")[0] for wd in b.label.split()), default=0.0)
        b.label_text = wrap_to_points(b.label, max(self.wrap_w * 0.9, 60, longest + 1), FS_CAT, "bold")
        lw, lh = measure(b.label_text, FS_CAT, "bold")
        b.label_w, b.label_h = lw + 12, lh + 7
        for r in b.rows:
            r.size = FS[r.depth]
            r.weight = "bold" if (r.node.root or r.node.top) else "normal"
            ww = self.wrap_w * {1: 1.0, 2: 0.92, 3: 0.85}[r.depth]
            r.label = wrap_to_points(r.node.text, ww, r.size, r.weight)
            r.w, r.h = measure(r.label, r.size, r.weight)

    def _place_y(self, b: _Bone) -> None:
        s = b.side
        order = list(reversed(b.rows)) if s == 1 else list(b.rows)
        cursor = SPINE_CLEAR
        for i, r in enumerate(order):
            band_top_pad = 1.5
            if s == 1:
                # rows stacked upward from the spine; the text sits on the rib
                r.y = cursor + 2.0
                cursor = r.y + PAD_TEXT + r.h + band_top_pad + ROW_GAP
                if r.depth == 1 and i < len(order) - 1:
                    cursor += GROUP_GAP
            else:
                if r.depth == 1 and i > 0:
                    cursor += GROUP_GAP
                top = cursor + band_top_pad
                r.y = -(top + r.h + PAD_TEXT)
                cursor = -r.y + 2.0 + ROW_GAP
        b._rows_extent = cursor  # type: ignore[attr-defined]

    def _extent(self, b: _Bone) -> float:
        return max(getattr(b, "_rows_extent", 0.0), 42.0) + 6.0 + b.label_h

    def _place_x(self, b: _Bone) -> None:
        s, k = b.side, b.k

        def bone_x(y: float) -> float:
            return -k * s * y

        def on_line(x0: float, y0: float, y: float) -> float:
            return x0 - k * s * (y - y0)

        boxes: list[tuple[float, float, float, float]] = []
        for r in b.rows:
            if r.parent is None:
                line = lambda y: bone_x(y)  # noqa: E731
            else:
                p = r.parent
                line = (lambda x0, y0: (lambda y: on_line(x0, y0, y)))(p.stem_x, p.y)  # type: ignore[arg-type]
            y_text0, y_text1 = r.y + PAD_TEXT, r.y + PAD_TEXT + r.h
            r.x_right = min(line(y_text0), line(y_text1), line(r.y)) - GAP_LINE
            r.x_left = r.x_right - r.w
            r.x_end = line(r.y)
            n_mark = int(r.node.root) + int(r.node.top)
            rib_left = r.x_left - 2.0 - n_mark * MARKER_W
            r._rib_left = rib_left  # type: ignore[attr-defined]
            # the stem for this row's children starts on its rib, a little inside the text's right end
            r.stem_x = r.x_right - min(14.0, max(6.0, r.w * 0.25))
            boxes.append((rib_left, r.y - 1.5, r.x_end, y_text1 + 1.5))
        # stems: thin boxes along each parent's stem (they sit inside the parent's subtree rows anyway)
        for r in b.rows:
            kids = [c for c in b.rows if c.parent is r]
            if kids:
                r.last_child_y = kids[-1].y
        ext = max(getattr(b, "_rows_extent", 0.0), 42.0)
        y_lab = s * (ext + 6.0)  # inner edge of the label box
        y_mid = y_lab + s * b.label_h / 2
        cx = bone_x(y_mid)
        b.label_box = (cx - b.label_w / 2, y_mid - b.label_h / 2, cx + b.label_w / 2, y_mid + b.label_h / 2)
        b.end = (bone_x(y_lab), y_lab)
        boxes.append(b.label_box)
        # the bone itself, as short segments
        steps = max(2, int(abs(y_lab) // 12))
        for i in range(steps):
            ya, yb = y_lab * i / steps, y_lab * (i + 1) / steps
            xa, xb = bone_x(ya), bone_x(yb)
            boxes.append((min(xa, xb) - 1, min(ya, yb), max(xa, xb) + 1, max(ya, yb)))
        b.boxes = boxes

    def _place_junctions(self) -> None:
        """Bones join the spine at staggered points in category order (above, below, above, ...): each is at least
        STAGGER after the previous one (so an upper and a lower bone never meet) and clear of the previous bone on
        its own side."""
        xs: list[float] = []
        for i, b in enumerate(self.bones):
            x = 0.0 if i == 0 else xs[-1] + STAGGER
            if i >= 2:
                prev = self.bones[i - 2]
                x = max(x, xs[i - 2] + max(36.0, _box_overlap_shift(prev.boxes, b.boxes, MARGIN)))
            xs.append(x)
            b.x0 = x
        self.junctions = xs

    # -- extent ------------------------------------------------------------------------------------------
    def bounds(self) -> tuple[float, float, float, float]:
        xs0, ys0, xs1, ys1 = [0.0], [0.0], [0.0], [0.0]
        for b in self.bones:
            for (x0, y0, x1, y1) in b.boxes:
                xs0.append(x0 + b.x0)
                xs1.append(x1 + b.x0)
                ys0.append(y0)
                ys1.append(y1)
        return min(xs0), min(ys0), max(xs1), max(ys1)


def _head_text(problem_text: str, lang: str) -> tuple[str, float, float]:
    text = problem_text or t("charts.fishbone.problem", lang)
    width = 118.0 if measure(" ".join(text.split()), FS_HEAD, "bold")[0] <= 118.0 * 5 else 150.0
    txt = wrap_to_points(text, width, FS_HEAD, "bold")
    w, h = measure(txt, FS_HEAD, "bold")
    return txt, w, h


@chart
def fishbone(causes: pd.DataFrame, problem_text: str, categories: Sequence[object], lang: str,
             root_ids: Iterable[str] = (), top_ids: Iterable[str] = (), *, title: str | None = None,
             max_width_in: float = 7.0) -> Figure:
    """Fishbone diagram of one problem's causes.

    ``causes``: cause_id, category (key, English or Chinese label of one of ``categories``), cause,
    parent_cause_id (optional), is_root / is_top (optional booleans, merged with ``root_ids`` / ``top_ids``).
    ``categories``: `workbench.intake.model.Category` objects (or (key, en, zh) tuples, or plain labels), drawn in order,
    alternating above and below the spine. Causes whose category matches none go to an extra "Other" bone.
    """
    style.apply_style()
    root_set = {str(x) for x in root_ids}
    top_set = {str(x) for x in top_ids}
    forest = _build_forest(causes, list(categories) or [("other", "Other", "其他")], lang, root_set, top_set)
    head_txt, head_w, head_h = _head_text(problem_text, lang)
    head_box_w, head_box_h = head_w + 20, head_h + 18

    # one spine: categories without a cause are left out; choose the widest wrap (then a steeper slant) that keeps
    # the diagram within the report's text width, else within a landscape page, never narrower than MIN_WRAP (a
    # readable line in either language); a diagram that still does not fit is drawn wider and scaled by the page
    forest = [(label, nodes) for label, nodes in forest if nodes]
    best: _Layout | None = None
    best_w = math.inf
    for limit_in in (max_width_in, max(max_width_in, WIDE_IN), max(max_width_in, style.A4_WIDE)):
        target = limit_in * 72.0 - 2 * 12.0
        for k_max in (0.4, 0.25):
            for wrap_w in WRAPS:
                if wrap_w < MIN_WRAP[lang]:
                    break
                layout = _Layout(forest, lang, wrap_w, k_max)
                total = _total_width(layout, head_box_w)
                if total < best_w:
                    best, best_w = layout, total
                if total <= target:
                    return _draw(layout, head_txt, head_box_w, head_box_h, lang, title, forest)
    assert best is not None
    return _draw(best, head_txt, head_box_w, head_box_h, lang, title, forest)


WRAPS = (160, 146, 134, 124, 114, 106, 98, 90, 82, 76)
MIN_WRAP = {"en": 84.0, "zh": 68.0}  # ≈ 17 Latin characters or 8 Chinese ones at 8.5 pt
WIDE_IN = 8.5  # a little wider than the text column (shown at ≥ 80 %) before a landscape width


def _spine_end(layout: _Layout) -> float:
    return (layout.junctions[-1] if layout.junctions else 0.0) + 30.0


def _total_width(layout: _Layout, head_box_w: float) -> float:
    return _spine_end(layout) + head_box_w - layout.bounds()[0]


def _draw(layout: _Layout, head_txt: str, head_box_w: float, head_box_h: float, lang: str, title: str | None,
          forest: list[tuple[str, list[_Node]]]) -> Figure:
    bx0, by0, _, by1 = layout.bounds()
    head_x0 = _spine_end(layout)
    head_x1 = head_x0 + head_box_w
    tail_x = min(bx0, -40.0) - 4.0
    y_top = max(by1, head_box_h / 2)
    y_bot = min(by0, -head_box_h / 2)
    title_h = 30.0
    has_root = any(n.root for _, g in forest for n in _walk(g))
    has_top = any(n.top for _, g in forest for n in _walk(g))
    legend_h = 22.0 if (has_root or has_top) else 4.0
    left = tail_x - 22.0
    right = head_x1 + 12.0
    top = y_top + 12.0 + title_h
    bottom = y_bot - 10.0 - legend_h
    w_pt, h_pt = right - left, top - bottom
    fig = style.new_figure(w_pt / 72.0, h_pt / 72.0)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_axis_off()

    bone_c = style.NAVY
    # the spine and its tail
    ax.add_line(Line2D([tail_x, head_x0], [0, 0], color=bone_c, lw=3.2, solid_capstyle="butt", zorder=2,
                       gid="fishbone-spine"))
    ax.add_patch(Polygon([(tail_x + 2, 0), (tail_x - 18, 16), (tail_x - 12, 0), (tail_x - 18, -16)],
                         closed=True, facecolor=bone_c, edgecolor="none", zorder=2))
    # the head, on the right
    ax.add_patch(FancyBboxPatch((head_x0 + 4, -head_box_h / 2 + 4), head_box_w - 8, head_box_h - 8,
                                boxstyle="round,pad=4,rounding_size=8", facecolor=style.NAVY, edgecolor="none", zorder=3))
    ax.text(head_x0 + head_box_w / 2, 0, head_txt, ha="center", va="center", fontsize=FS_HEAD, fontweight="bold",
            color="white", linespacing=LINESPACING, zorder=4, gid="fishbone-head")

    _draw_bones(ax, layout)

    # title and legend
    ax.text(left + 12, top - 8, title or t("charts.fishbone.title_plain", lang), ha="left", va="top",
            fontsize=style.FS_TITLE, fontweight="bold", color=style.NAVY, gid="title")
    lx = left + 14
    ly = bottom + 10
    if has_root:
        ax.add_line(Line2D([lx], [ly + 4], marker="D", ms=5.2, color=style.ROOT, lw=0))
        tx = ax.text(lx + 9, ly + 4, t("charts.fishbone.root", lang), ha="left", va="center", fontsize=style.FS_SMALL,
                     color=style.ROOT, fontweight="bold", gid="legend")
        lx += 9 + measure(tx.get_text(), style.FS_SMALL, "bold")[0] + 22
    if has_top:
        ax.add_line(Line2D([lx], [ly + 4], marker="*", ms=8, color=style.TOP, lw=0))
        ax.text(lx + 9, ly + 4, t("charts.fishbone.top", lang), ha="left", va="center", fontsize=style.FS_SMALL,
                color=TOP_TEXT, fontweight="bold", gid="legend")
    return fig


def _draw_bones(ax, layout: _Layout) -> None:
    """Bones, category boxes, ribs, labels and markers of one spine (spine at y = 0 of ``ax``)."""
    bone_c, rib_c = style.NAVY, "#5B6B7F"
    for b in layout.bones:
        X = b.x0
        # bone
        ax.add_line(Line2D([X, X + b.end[0]], [0, b.end[1]], color=bone_c, lw=2.0, solid_capstyle="round", zorder=2,
                           gid=f"fishbone-bone:{b.label}"))
        lx0, ly0, lx1, ly1 = b.label_box
        ax.add_patch(FancyBboxPatch((X + lx0 + 3, ly0 + 3), lx1 - lx0 - 6, ly1 - ly0 - 6,
                                    boxstyle="round,pad=3,rounding_size=5", facecolor=style.NAVY_LIGHT,
                                    edgecolor=bone_c, lw=1.2, zorder=3))
        ax.text(X + (lx0 + lx1) / 2, (ly0 + ly1) / 2, b.label_text, ha="center", va="center", fontsize=FS_CAT,
                fontweight="bold", color=bone_c, linespacing=LINESPACING, zorder=4, gid="fishbone-category")
        for r in b.rows:
            n = r.node
            hl = style.ROOT if n.root else TOP_TEXT if n.top else None
            rib_col = style.ROOT if n.root else style.TOP if n.top else rib_c
            rib_lw = 1.5 if hl else (0.9 if r.depth == 1 else 0.7)
            ax.add_line(Line2D([X + r._rib_left, X + r.x_end], [r.y, r.y], color=rib_col, lw=rib_lw,  # type: ignore[attr-defined]
                               solid_capstyle="butt", zorder=2))
            # junction dot
            ax.add_line(Line2D([X + r.x_end], [r.y], marker="o", ms=2.6 if r.depth == 1 else 2.0, color=rib_col,
                               lw=0, zorder=3))
            ax.text(X + r.x_right, r.y + PAD_TEXT, r.label, ha="right", va="bottom", multialignment="left",
                    fontsize=r.size, fontweight=r.weight, color=hl or style.INK, linespacing=LINESPACING,
                    zorder=4, gid=f"cause:{n.cid}")
            mx = X + r.x_left - 2.0 - MARKER_W / 2
            if n.root:
                ax.add_line(Line2D([mx], [r.y + PAD_TEXT + min(r.h, r.size * LINESPACING) / 2], marker="D", ms=5.2,
                                   color=style.ROOT, lw=0, zorder=4))
                mx -= MARKER_W
            if n.top:
                ax.add_line(Line2D([mx], [r.y + PAD_TEXT + min(r.h, r.size * LINESPACING) / 2], marker="*", ms=8.0,
                                   color=style.TOP, lw=0, zorder=4))
            if r.last_child_y is not None and r.stem_x is not None:
                s, k = b.side, b.k
                y1 = r.last_child_y
                x1 = r.stem_x - k * s * (y1 - r.y)
                ax.add_line(Line2D([X + r.stem_x, X + x1], [r.y, y1], color=rib_c, lw=0.8, zorder=2))



def _walk(nodes: list[_Node]) -> Iterable[_Node]:
    for n in nodes:
        yield n
        yield from _walk(n.children)


def fishbone_for(analysis: object, problem_id: str) -> Chart:
    """Fishbone of ``problem_id`` from an `Analysis` (diagnosis causes, root / top causes, client categories)."""
    client = analysis.client  # type: ignore[attr-defined]
    lang = client.profile.language
    problems = client.tables.get("problems")
    text = str(problem_id)
    if problems is not None and len(problems):
        p = problems[problems["problem_id"].astype(str) == str(problem_id)]
        if len(p):
            text = str(p.iloc[0]["problem"])
            metric = _clean(p.iloc[0].get("metric"))
            cur, tgt = p.iloc[0].get("current"), p.iloc[0].get("target")
            unit = _clean(p.iloc[0].get("unit")) or ""
            if metric and _num(cur) and _num(tgt):
                text += f"\n({metric} {with_unit(cur, unit)} → {with_unit(tgt, unit)})"
    causes = getattr(analysis, "diagnosis", None)
    if causes is None:
        causes = client.tables.get("causes")
    if causes is None:
        causes = pd.DataFrame(columns=["cause_id", "problem_id", "category", "cause", "parent_cause_id"])
    if "cause_id" not in causes.columns:
        causes = causes.reset_index()
    causes = causes[causes["problem_id"].astype(str) == str(problem_id)]
    return fishbone(causes, text, client.profile.fishbone_categories, lang,
                    root_ids=getattr(analysis, "root_causes", ()) or (), top_ids=getattr(analysis, "top_causes", ()) or (),
                    title=t("charts.fishbone.title", lang, problem_id=problem_id))


def _num(v: object) -> bool:
    try:
        return not math.isnan(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def with_unit(v: object, unit: str) -> str:
    """A number with its unit: a space before a unit written in letters ("48 minutes", "3.5 kWh"), none before
    %, ‰, ° or a Chinese unit ("98.5%", "30分钟", "5天") — the SI / GB 3101 convention, in both languages."""
    num = _fmt(v)
    unit = (unit or "").strip()
    if not unit:
        return num
    first = unit[0]
    spaced = first.isascii() and first.isalpha()
    return f"{num} {unit}" if spaced else f"{num}{unit}"


def _fmt(v: object) -> str:
    f = float(v)  # type: ignore[arg-type]
    return f"{f:.0f}" if f == int(f) else f"{f:g}"
