"""Charts: every chart renders in zh and en from hand-made frames and for every demo client, with no missing
glyphs, and with the structure the deliverable promises (fishbone labels, strategy-map arrows and boxes, tree nodes,
no overlapping fishbone labels)."""
from __future__ import annotations

import itertools
import math
import random
import warnings
from datetime import date
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.text import Text

import workbench.deliverable.charts as C
from workbench.deliverable.charts import style
from workbench.deliverable.charts.text import display_width, wrap
from workbench.intake.model import Category

import chart_samples as sample

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = sorted(p for p in (ROOT / "clients").iterdir() if (p / "client.yaml").exists()) if (ROOT / "clients").is_dir() else []
LANGS = ("zh", "en")


def _native(fig):
    """The `charts.svg.SvgChart` of a chart written as SVG (itself or a lazy Chart's), else None."""
    from workbench.deliverable.charts.svg import SvgChart

    f = fig if isinstance(fig, SvgChart) else getattr(fig, "figure", None)
    return f if isinstance(f, SvgChart) else None


def draw_checked(fig) -> bytes:
    """Draw and export ``fig``; fail on any missing-glyph warning. A chart written as SVG: its markup, which must
    be well-formed XML holding every text it says it drew."""
    native = _native(fig)
    if native is not None:
        import xml.etree.ElementTree as ET

        root = ET.fromstring(native.markup)
        drawn = "".join(root.itertext())
        assert all(t.replace("\n", "") in drawn for t in native.texts), [t for t in native.texts if t.replace("\n", "") not in drawn][:3]
        return native.markup.encode("utf-8")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fig.canvas.draw()
        texts = _texts(fig)
        data = C.to_png(fig, close=False)
    missing = [str(w.message) for w in rec if "Glyph" in str(w.message) or "missing from font" in str(w.message)]
    assert not missing, missing[:5]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    fig._checked_texts = texts  # type: ignore[attr-defined]
    return data


def _texts(fig) -> list[Text]:
    native = _native(fig)
    if native is not None:  # an SVG chart's texts, as matplotlib-like objects (no math parsing exists there)
        return [_SvgText(sh.text, sh.gid, sh.colour) for sh in native.shapes if sh.kind == "text" and sh.text.strip()]
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


class _SvgText:
    def __init__(self, text: str, gid: str = "", colour: str = ""):
        self.text, self.gid, self.colour = text, gid, colour

    def get_color(self) -> str:
        return self.colour

    def get_text(self) -> str:
        return self.text

    def get_gid(self) -> str:
        return self.gid

    def get_parse_math(self) -> bool:
        return False


def gids(fig, prefix: str) -> list[str]:
    native = _native(fig)
    if native is not None:
        return [sh.gid[len(prefix):] for sh in native.find(prefix)]
    return [a.get_gid()[len(prefix):] for a in fig.findobj(lambda a: (a.get_gid() or "").startswith(prefix))]


def assert_no_overlap(fig) -> None:
    native = _native(fig)
    if native is not None:  # the text boxes the SVG chart recorded (measured as matplotlib measures them)
        boxes = [sh for sh in native.shapes if sh.kind == "text" and sh.text.strip()]
        bad = [(a.text[:20], b.text[:20]) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
        assert not bad, bad[:5]
        w, h = native.width_in * 72, native.height_in * 72
        cut = [b.text for b in boxes if b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > w + 0.5 or b.y1 > h + 0.5]
        assert not cut, cut
        return
    r = fig.canvas.get_renderer()
    boxes = [(t.get_text()[:20], t.get_window_extent(r)) for t in _texts(fig)]
    bad = [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]
    assert not bad, bad[:5]
    w, h = fig.bbox.width, fig.bbox.height
    cut = [a for a, bb in boxes if bb.x0 < -0.5 or bb.y0 < -0.5 or bb.x1 > w + 0.5 or bb.y1 > h + 0.5]
    assert not cut, cut


# --- style and text -------------------------------------------------------------------------------------
def test_style_font_and_status_colours():
    style.apply_style()
    assert "CJK" in mpl.rcParams["font.sans-serif"][0] or "Han" in mpl.rcParams["font.sans-serif"][0]
    assert mpl.rcParams["axes.unicode_minus"] is False
    style.apply_style()  # idempotent
    assert set(C.STATUS_COLOURS) == {"good", "ok", "bad", "none"}
    assert all(v.startswith("#") and len(v) == 7 for v in C.STATUS_COLOURS.values())


def test_wrap_cjk_by_display_width():
    s = wrap("挤出机老化，故障停机频繁（月均 6 次）且备件库存不足", 16)
    assert all(display_width(line) <= 17 for line in s.split("\n"))  # one punctuation may hang
    assert not any(line.startswith(("，", "）")) for line in s.split("\n"))
    e = wrap("Operators are not trained on the changeover standard", 20)
    assert all(display_width(line) <= 20 for line in e.split("\n"))
    assert "".join(s.split("\n")).replace(" ", "") == "挤出机老化，故障停机频繁（月均6次）且备件库存不足"


# --- hand-made data ------------------------------------------------------------------------------------
def _handmade(lang: str) -> dict:
    k = sample.kpis(lang)
    items, cats = sample.assessment(lang)
    causes = sample.causes(lang)
    return {
        "fishbone": lambda: C.fishbone(causes, sample.PROBLEM[lang], sample.categories("6M"), lang, sample.ROOT_CAUSES,
                                       sample.TOP_CAUSES),
        "strategy_map": lambda: C.strategy_map(sample.objectives(lang), sample.links(), lang, sample.strategy_warnings(lang)),
        "kpi_tree": lambda: C.kpi_tree(k, lang),
        "radar": lambda: C.assessment_radar(cats, lang, total=500.0),
        "heatmap": lambda: C.assessment_heatmap(items, lang),
        "pareto": lambda: C.pareto(causes, lang),
        "impact_effort": lambda: C.impact_effort(causes, lang),
        "gantt": lambda: C.gantt(sample.actions(lang), date(2026, 9, 30), lang),
        "kpi_trends": lambda: C.kpi_trends(sample.kpi_history(k), k, lang),
        "contract_trends": lambda: C.contract_trends(sample.contract_history(k), lang),
    }


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_renders_handmade(lang):
    total = 0
    for name, make in _handmade(lang).items():
        fig = make()
        data = draw_checked(fig)
        total += len(data)
        assert len(data) < 400_000, (name, len(data))
    assert total < 2_000_000


@pytest.mark.parametrize("lang", LANGS)
def test_fishbone_structure_handmade(lang):
    causes = sample.causes(lang)
    fig = C.fishbone(causes, sample.PROBLEM[lang], sample.categories("6M"), lang, sample.ROOT_CAUSES, sample.TOP_CAUSES)
    draw_checked(fig)
    assert sorted(gids(fig, "cause:")) == sorted(causes["cause_id"])
    # each label shows its cause (wrapped)
    by_id = {t.get_gid()[6:]: t.get_text() for t in _texts(fig) if (t.get_gid() or "").startswith("cause:")}
    for cid, text in zip(causes["cause_id"], causes["cause"]):
        assert by_id[cid].replace("\n", "").replace(" ", "") == text.replace(" ", "")
    assert_no_overlap(fig)
    assert len(gids(fig, "fishbone-category")) == 6
    _assert_conventional_fishbone(fig)
    # a category without causes is left out (the others keep their order, alternating above / below)
    cats = sample.categories("6M")
    empty = cats[2]
    keep = causes[~causes["category"].astype(str).str.lower().isin({empty.key, empty.en.lower(), empty.zh})]
    keep = keep[keep["parent_cause_id"].isna() | keep["parent_cause_id"].isin(keep["cause_id"])]
    fig = C.fishbone(keep, sample.PROBLEM[lang], cats, lang)
    draw_checked(fig)
    drawn = [t.get_text() for t in _texts(fig) if t.get_gid() == "fishbone-category"]
    assert (empty.zh if lang == "zh" else empty.en) not in drawn and len(drawn) == 5
    _assert_conventional_fishbone(fig)


def _assert_conventional_fishbone(fig) -> None:
    """One spine; bones alternate above / below and join the spine at distinct points (never meet); the head is
    right of every bone; root / top markers sit beside their label, not on it."""
    from matplotlib.lines import Line2D

    spines = [ln for ln in fig.findobj(Line2D) if ln.get_gid() == "fishbone-spine"]
    assert len(spines) == 1
    bones = [ln for ln in fig.findobj(Line2D) if (ln.get_gid() or "").startswith("fishbone-bone:")]
    xs = [float(ln.get_xdata()[0]) for ln in bones]
    sides = [1 if float(ln.get_ydata()[1]) > 0 else -1 for ln in bones]
    assert len(set(round(x, 1) for x in xs)) == len(xs), xs
    assert all(a != b for a, b in zip(sides, sides[1:])), sides
    head = [t for t in fig.findobj(Text) if t.get_gid() == "fishbone-head"][0]
    r = fig.canvas.get_renderer()
    spine_end = max(spines[0].get_xdata())
    assert all(x < spine_end for x in xs)
    assert head.get_window_extent(r).x0 > max(ln.get_window_extent(r).x1 for ln in bones)
    labels = [t.get_window_extent(r) for t in fig.findobj(Text) if (t.get_gid() or "").startswith("cause:")]
    for ln in fig.findobj(Line2D):
        if ln.get_marker() in ("D", "*") and len(ln.get_xdata()) == 1 and not ln.get_gid():
            (mx, my), = ln.get_transform().transform(ln.get_xydata())
            assert not any(bb.x0 + 1 < mx < bb.x1 - 1 and bb.y0 + 1 < my < bb.y1 - 1 for bb in labels), (mx, my)


def _random_causes(seed: int, cats: list[Category]) -> pd.DataFrame:
    rnd = random.Random(seed)
    rows, n = [], 0
    for c in cats:
        for _ in range(rnd.randint(0, 5)):
            n += 1
            cid = f"C{n:02d}"
            rows.append((cid, rnd.choice([c.key, c.en, c.zh]), "原因描述" * rnd.randint(1, 9) + cid, None))
            for _ in range(rnd.randint(0, 2)):
                n += 1
                sid = f"C{n:02d}"
                rows.append((sid, c.key, "Sub-cause text with words " * rnd.randint(1, 3), cid))
                if rnd.random() < 0.5:
                    n += 1
                    rows.append((f"C{n:02d}", c.key, "三级原因" * rnd.randint(1, 4), sid))
                    n += 1
                    rows.append((f"C{n:02d}", c.key, "deeper than three", f"C{n - 1:02d}"))
    return pd.DataFrame(rows, columns=["cause_id", "category", "cause", "parent_cause_id"])


@pytest.mark.parametrize("seed,ncat", [(1, 4), (2, 8), (3, 9), (4, 6)])
def test_fishbone_no_overlap_custom_categories(seed, ncat):
    cats = [Category(f"k{i}", f"Category {i}", f"类别{i}") for i in range(ncat)]
    causes = _random_causes(seed, cats)
    ids = list(causes["cause_id"])
    fig = C.fishbone(causes, "问题" * 20, cats, "zh" if seed % 2 else "en", root_ids=ids[:2], top_ids=ids[1:4])
    draw_checked(fig)
    assert sorted(gids(fig, "cause:")) == sorted(ids)
    assert_no_overlap(fig)
    _assert_conventional_fishbone(fig)
    used = {c.key for c in cats if c.key in set(causes.loc[causes["parent_cause_id"].isna(), "category"])
            or c.en in set(causes["category"]) or c.zh in set(causes["category"])}
    assert len(gids(fig, "fishbone-category")) == len(used)  # empty categories are left out


def test_fishbone_empty_and_unknown_category():
    fig = C.fishbone(pd.DataFrame(columns=["cause_id", "category", "cause", "parent_cause_id"]), "", sample.categories("8P"), "en")
    draw_checked(fig)
    df = pd.DataFrame([("X1", "nonsense", "Orphan cause", None)], columns=["cause_id", "category", "cause", "parent_cause_id"])
    fig = C.fishbone(df, "P", sample.categories("4M"), "zh")
    draw_checked(fig)
    assert gids(fig, "cause:") == ["X1"]


@pytest.mark.parametrize("lang", LANGS)
def test_strategy_map_structure(lang):
    obj, links = sample.objectives(lang), sample.links()
    fig = C.strategy_map(obj, links, lang, sample.strategy_warnings(lang))
    draw_checked(fig)
    assert sorted(gids(fig, "objective:")) == sorted(obj.index)
    arrows = fig.figure.find("link:", "arrow")
    assert sorted(a.gid for a in arrows) == sorted(f"link:{a}->{b}" for a, b in zip(links["from_objective"], links["to_objective"]))
    assert gids(fig, "warning-ref")  # objectives named by warnings are marked
    assert_no_overlap(fig)
    boxes = {sh.gid[10:]: sh for sh in fig.figure.find("objective:", "rect")}
    for oid, box in boxes.items():  # each objective's text and score inside its box
        inner = [sh for sh in fig.figure.shapes if sh.kind == "text" and sh.gid == f"objective-text:{oid}"]
        assert inner and all(box.x0 <= sh.x0 and sh.x1 <= box.x1 and box.y0 <= sh.y0 and sh.y1 <= box.y1 for sh in inner)
    # financial on top: every financial box above every learning-and-growth box
    persp = dict(zip(obj.index.astype(str), obj["perspective"]))
    fin = [b for o, b in boxes.items() if persp[o] in ("financial", "财务")]
    learn = [b for o, b in boxes.items() if persp[o] in ("learning", "学习与成长")]
    assert fin and learn and max(b.y1 for b in fin) < min(b.y0 for b in learn)



def test_kpi_tree_nodes_and_split():
    k = sample.kpis("zh")
    fig = C.kpi_tree(k, "zh")
    draw_checked(fig)
    assert sorted(gids(fig, "kpi:")) == sorted(k.index)
    big = sample.kpis("en", n_extra=70)
    from workbench.deliverable.charts.kpi_tree import tree_groups

    shown: set[str] = set()
    for g in tree_groups(big):
        f = C.kpi_tree(big, "en", root=g)
        draw_checked(f)
        shown |= set(gids(f, "kpi:"))
        assert f.get_figheight() < 16
    assert shown == set(big.index)


# --- demo clients ----------------------------------------------------------------------------------------
def _analyses():
    try:
        from workbench.analysis.analyse import analyse
        from workbench.intake.reading import load_client
    except ImportError as e:  # pragma: no cover - only while analysis.py is being written
        pytest.fail(f"analysis not importable: {e}")
    return [(p.name, analyse(load_client(p))) for p in CLIENTS]


def test_demo_clients_exist():
    assert CLIENTS, "no demo clients under clients/"


@pytest.mark.parametrize("folder", CLIENTS, ids=[p.name for p in CLIENTS])
def test_demo_client_all_charts(folder):
    from workbench.analysis.analyse import analyse
    from workbench.intake.reading import load_client

    a = analyse(load_client(folder))
    figs = []
    problems = a.client.tables.get("problems")
    causes = a.diagnosis
    if problems is not None:
        for pid in problems["problem_id"]:
            f = C.fishbone_for(a, pid)
            figs.append(f)
            draw_checked(f)
            expected = causes.reset_index() if "cause_id" not in causes.columns else causes
            expected = expected[expected["problem_id"].astype(str) == str(pid)]["cause_id"].astype(str)
            assert sorted(gids(f, "cause:")) == sorted(expected)
            assert_no_overlap(f)
    sm = C.strategy_map_for(a)
    figs.append(sm)
    draw_checked(sm)
    if a.objectives is not None:
        assert sorted(gids(sm, "objective:")) == sorted(a.objectives.index.astype(str))
        links = a.client.tables.get("links")
        n_links = 0 if links is None else len(links)
        assert len(gids(sm, "link:")) == n_links
    shown: set[str] = set()
    for f in C.kpi_trees_for(a):
        draw_checked(f)
        shown |= set(gids(f, "kpi:"))
        figs.append(f)
    assert shown == set(a.kpis.index.astype(str))
    others = [C.gantt_for(a), *C.kpi_trends_for(a), C.contract_trends_for(a)]
    if a.assessment is not None:
        others += [C.assessment_radar_for(a), C.assessment_heatmap_for(a)]
    if a.diagnosis is not None:
        others += [C.pareto_for(a), C.impact_effort_for(a)]
    total = 0
    for f in figs + others:
        total += len(draw_checked(f))
    assert total < 3_000_000, total


# --- literal client text: "$" is never mathtext -----------------------------------------------------------
DOLLAR = "废钢单价US$5涨到US$9"
BAD_MATH = r"$\foo$ 备件 $x^2$"


def _dollar_charts(lang: str) -> dict:
    causes = sample.causes(lang)
    causes.loc[0, "cause"] = DOLLAR
    causes.loc[1, "cause"] = BAD_MATH
    obj = sample.objectives(lang)
    obj.iloc[0, obj.columns.get_loc("objective")] = DOLLAR
    obj.iloc[1, obj.columns.get_loc("objective")] = BAD_MATH
    k = sample.kpis(lang)
    k.loc["K01", "kpi"] = DOLLAR
    k.loc["K11", "kpi"] = BAD_MATH
    k.loc["K12", "owner_unit"] = "US$ 事业部"
    acts = sample.actions(lang)
    acts.loc[0, "action"] = DOLLAR
    acts.loc[1, "action"] = BAD_MATH
    acts.loc[2, "owner_unit"] = "$\\alpha$ 部"
    hist = sample.contract_history(k)
    hist.loc[hist["contract"] == hist["contract"].iloc[0], "contract"] = "US$5 公司/$\\foo$"
    return {
        "fishbone": lambda: C.fishbone(causes, "问题：" + DOLLAR, sample.categories("6M"), lang,
                                       [causes.loc[0, "cause_id"]], [causes.loc[1, "cause_id"]]),
        "strategy_map": lambda: C.strategy_map(obj, sample.links(), lang, sample.strategy_warnings(lang)),
        "kpi_tree": lambda: C.kpi_tree(k, lang),
        "impact_effort": lambda: C.impact_effort(causes, lang),
        "gantt": lambda: C.gantt(acts, date(2026, 9, 30), lang),
        "kpi_trends": lambda: C.kpi_trends(sample.kpi_history(k), k, lang),
        "contract_trends": lambda: C.contract_trends(hist, lang),
    }


@pytest.mark.parametrize("lang", LANGS)
def test_dollar_in_client_text_is_drawn_literally(lang):
    from workbench.deliverable.charts.text import measure

    assert measure(BAD_MATH, 8.0)[0] > 0  # measuring does not parse math either (would raise Unknown symbol)
    assert measure("US$5 US$9", 8.0)[0] > measure("US5 US9", 8.0)[0]  # the "$" are measured as glyphs
    for name, make in _dollar_charts(lang).items():
        # even when something reset rcParams (a notebook's %matplotlib, mpl.rcdefaults()) after apply_style
        with mpl.rc_context({"text.parse_math": True}):
            fig = make()
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                draw_checked(fig)
        assert not [str(w.message) for w in rec], (name, [str(w.message) for w in rec][:3])
        dollar = [t for t in _texts(fig) if "$" in t.get_text()]
        assert dollar, name
        assert all(not t.get_parse_math() for t in dollar), name
        # the whole client text is drawn, literally (wrapped at most): never cut, never parsed
        flat = "".join(t.get_text() for t in dollar).replace("\n", "").replace(" ", "")
        if name == "contract_trends":
            assert "US$5公司·$\\foo$" in flat, (name, flat)
            continue
        assert DOLLAR.replace(" ", "") in flat, (name, flat)
        if name != "kpi_trends":  # its panels show the first twelve KPIs: K11 is there, BAD_MATH too
            assert BAD_MATH.replace(" ", "") in flat, (name, flat)


def test_apply_style_turns_math_parsing_off():
    with mpl.rc_context({"text.parse_math": True}):
        style.apply_style()
        assert mpl.rcParams["text.parse_math"] is False


# --- KPI tree: columns are owner levels -------------------------------------------------------------------
def _tree_columns(fig) -> dict[str, str]:
    """kpi id → owner-level key of the column header above its box."""
    native = _native(fig)
    heads = [(sh.gid[len("level:"):], sh.x0, sh.x1) for sh in native.find("level:", "rect")]
    out = {}
    for sh in native.find("kpi:", "rect"):
        cx = (sh.x0 + sh.x1) / 2
        hit = [k for k, x0, x1 in heads if x0 <= cx <= x1]
        assert len(hit) == 1, (sh.gid, hit)
        assert heads and sh.y0 > max(h.y1 for h in native.find("level:", "rect"))  # below the headers
        out[sh.gid[4:]] = hit[0]
    return out


def _assert_tree_clean(fig) -> None:
    """Boxes do not overlap each other, no connector passes through a box, every box's texts stay inside it."""
    native = _native(fig)
    boxes = [(sh.gid, sh.x0, sh.y0, sh.x1, sh.y1) for sh in native.find("kpi:", "rect") + native.find("objective:", "rect")]
    for (a, *ba), (b, *bb) in itertools.combinations(boxes, 2):
        assert ba[2] <= bb[0] or bb[2] <= ba[0] or ba[3] <= bb[1] or bb[3] <= ba[1], (a, b)
    for gid, bx0, by0, bx1, by1 in boxes:
        if not gid.startswith("kpi:"):
            continue
        for part in ("name", "owner", "weight", "score"):
            for sh in [x for x in native.find(f"kpi-{part}:", "text") if x.gid == f"kpi-{part}:{gid[4:]}"]:
                assert bx0 <= sh.x0 and sh.x1 <= bx1 and by0 <= sh.y0 and sh.y1 <= by1 + 0.5, (gid, part, sh)
    for ln in native.find("connector", "line"):
        x0, x1, y0, y1 = ln.x0, ln.x1, ln.y0, ln.y1
        for gid, bx0, by0, bx1, by1 in boxes:
            inside_x = x0 < bx1 - 1 and x1 > bx0 + 1
            inside_y = y0 < by1 - 1 and y1 > by0 + 1
            assert not (inside_x and inside_y), (gid, (x0, y0, x1, y1))


@pytest.mark.parametrize("folder", CLIENTS, ids=[p.name for p in CLIENTS])
def test_kpi_tree_column_header_is_each_kpis_owner_level(folder):
    from workbench.analysis.analyse import analyse
    from workbench.intake.contract import OWNER_LEVEL_LABELS
    from workbench.intake.reading import load_client

    a = analyse(load_client(folder))
    lang = a.client.profile.language
    seen = {}
    for fig in C.kpi_trees_for(a):
        draw_checked(fig)
        cols = _tree_columns(fig)
        seen.update(cols)
        labels = {t.get_text() for t in _texts(fig) if t.get_gid() == "level"}
        assert labels
        assert labels == {OWNER_LEVEL_LABELS[k][lang] for k in cols.values()}
        _assert_tree_clean(fig)
    assert set(seen) == set(a.kpis.index.astype(str))
    for kid, level in seen.items():
        assert level == a.kpis.at[kid, "owner_level"], (kid, level, a.kpis.at[kid, "owner_level"])


def test_kpi_tree_odd_level_chains_draw_cleanly():
    k = sample.kpis("en")
    k.loc["K12", "owner_level"] = "company"      # child at its parent's level
    k.loc["K31", "owner_level"] = "position"     # company → position: skips two levels
    k.loc["K321", "owner_level"] = "department"  # department KPI under a department KPI
    k.loc["K1111", "owner_level"] = "division"   # a level above its (department) parent
    fig = C.kpi_tree(k, "en")
    draw_checked(fig)
    cols = _tree_columns(fig)
    assert set(cols) == set(k.index)
    for kid in k.index:
        if kid != "K1111":
            assert cols[kid] == k.at[kid, "owner_level"], kid
    # the inverted one sits to the right of its parent and names its own level in the box
    assert "Division" in "\n".join(t.get_text() for t in _texts(fig))
    _assert_tree_clean(fig)
    assert_no_overlap(fig)


# --- KPI trends: every KPI, paged ---------------------------------------------------------------------------
def _trend_panels(fig) -> list[str]:
    return list(_native(fig).panels)


def test_kpi_trends_pages_show_every_kpi_in_cascade_order():
    from workbench.deliverable.charts.trends import kpi_trend_pages, trend_ids

    k = sample.kpis("zh", n_extra=16)
    hist = sample.kpi_history(k)
    ids = trend_ids(hist, k)
    assert len(ids) > 24
    assert ids.index("K01") < ids.index("K11") < ids.index("K111") < ids.index("K12") < ids.index("K02")
    figs = kpi_trend_pages(hist, k, "zh")
    assert len(figs) == 3
    shown = []
    for f in figs:
        draw_checked(f)
        panels = _trend_panels(f)
        assert 0 < len(panels) <= 12
        shown += panels
    assert shown == ids
    assert set(shown) == set(hist["kpi_id"])
    # one figure for a given id list; the default one says how many are not shown
    one = C.kpi_trends(hist, k, "en", ["K01", "K02"])
    assert _trend_panels(one) == ["K01", "K02"]
    first = C.kpi_trends(hist, k, "en")
    draw_checked(first)
    assert len(_trend_panels(first)) == 12
    assert _native(first).notes == {"trends-more": f"First 12 of {len(ids)} KPIs"}
    assert f"First 12 of {len(ids)} KPIs" in _native(first).markup


def test_kpi_trends_binary_and_grades():
    from workbench.deliverable.charts.trends import tick_labels

    k = sample.kpis("zh").iloc[:3].copy()
    k["method"] = ["ratio", "binary", "qualitative"]
    periods = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    rows = [("K01", p, 9.0 + i, 90.0) for i, p in enumerate(periods)]
    rows += [("K02", p, v, 100.0 if v else 0.0) for p, v in zip(periods, [False, True, True, True])]
    rows += [("K03", p, g, s) for p, g, s in zip(periods, ["C", "C", "B", "A"], [70, 70, 85, 100])]
    hist = pd.DataFrame(rows, columns=["kpi_id", "period", "actual", "score"])
    for lang, yes, no in (("zh", "是", "否"), ("en", "Yes", "No")):
        fig = C.kpi_trends(hist, k, lang)
        draw_checked(fig)
        axes = _native(fig).panels
        b = axes["K02"]
        assert tick_labels(b) == [no, yes] and b.kind == "binary"
        assert [y for _, y in b.points] == [0.0, 1.0, 1.0, 1.0]
        lo, hi = b.ylim
        assert lo < 0 and hi > 1 and hi - lo > 1.5  # a 0/1 axis, not 0.99-1.01
        q = axes["K03"]
        labs = tick_labels(q)
        assert labs[-1] == "A" and {"A", "B", "C", "D", "E"} <= set(labs) or labs == ["C", "B", "A"]
    grades = {"A": 100, "B": 85, "C": 70, "D": 60, "E": 0}
    fig = C.kpi_trends(hist, k, "en", grades=grades)
    q = _native(fig).panels["K03"]
    assert tick_labels(q) == ["E", "D", "C", "B", "A"]
    assert [y for _, y in q.points] == [2.0, 2.0, 3.0, 4.0]  # C, C, B, A on the E..A axis
    assert tick_labels(q, "x") == periods


@pytest.mark.parametrize("folder", CLIENTS, ids=[p.name for p in CLIENTS])
def test_demo_client_trends_cover_every_kpi_with_actuals(folder):
    from workbench.analysis.analyse import analyse
    from workbench.intake.reading import load_client

    a = analyse(load_client(folder))
    figs = C.kpi_trends_for(a)
    shown = []
    for f in figs:
        draw_checked(f)
        assert len(_trend_panels(f)) <= 12
        shown += _trend_panels(f)
    have = {str(k) for k, v in zip(a.kpi_history["kpi_id"], a.kpi_history["actual"])
            if v is not None and not (isinstance(v, float) and v != v)}
    assert sorted(shown) == sorted(have)
    assert len(shown) == len(set(shown))


# --- pareto cut, contract labels, units -------------------------------------------------------------------
@pytest.mark.parametrize("folder", CLIENTS, ids=[p.name for p in CLIENTS])
def test_pareto_highlights_the_analysis_cut_and_contract_labels_are_whole(folder):
    from workbench.analysis.analyse import analyse
    from workbench.core.numfmt import fmt_pct
    from workbench.intake.reading import load_client

    a = analyse(load_client(folder))
    fig = C.pareto_for(a)
    draw_checked(fig)
    ax = fig.axes[0]
    top_colour = mpl.colors.to_rgba(style.TOP)
    highlighted = {p.get_gid()[len("pareto-bar:"):] for p in ax.patches
                   if (p.get_gid() or "").startswith("pareto-bar:") and p.get_facecolor() == top_colour}
    assert highlighted == set(a.top_causes)  # exactly the analysis' vital few, no separate 80 % rule
    assert not [t for t in fig.findobj(Text) if t.get_text() == "80%" and t.axes is ax]
    d = a.diagnosis
    pts = d["priority"].dropna()
    pts = pts[pts > 0]
    share = pts[pts.index.astype(str).isin(a.top_causes)].sum() / pts.sum() * 100
    cut = [t.get_text() for t in fig.findobj(Text) if t.get_gid() == "pareto-cut-label"]
    assert len(cut) == 1 and fmt_pct(share, 0) in cut[0] and str(len(a.top_causes)) in cut[0], (cut, share)
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert set(a.top_causes) <= set(ticks)
    ct = C.contract_trends_for(a)
    draw_checked(ct)
    labels = _native(ct).find("contract-label", "text")
    assert labels
    for t in labels:  # the whole name, on the figure
        assert "…" not in t.text, t.text
        assert t.x1 <= _native(ct).width_in * 72 + 0.5


def test_long_contract_labels_wrap_instead_of_being_cut():
    long = "某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某有限公司/张三"
    hist = pd.DataFrame([(long, "2026Q1", 80), (long, "2026Q2", 82), ("B公司/李四", "2026Q1", 70),
                         ("B公司/李四", "2026Q2", 81)], columns=["contract", "period", "score"])
    fig = _native(C.contract_trends(hist, "zh"))
    draw_checked(fig)
    # whole: a label too long for one line breaks at its " · " (unit, then person), then wraps; nothing is cut
    labels = {t.text.replace(" · ", "").replace("\n", ""): t for t in fig.find("contract-label", "text")}
    assert set(labels) == {"B公司李四", long.replace("/", "")}
    assert labels["B公司李四"].text == "B公司 · 李四"
    assert labels[long.replace("/", "")].text.split("\n")[-1] == "张三"
    boxes = list(labels.values())  # the text, without its leader line
    assert not boxes[0].overlaps(boxes[1])
    assert all(b.x1 <= fig.width_in * 72 + 0.5 for b in boxes)


def test_number_unit_spacing():
    from workbench.deliverable.charts.fishbone import with_unit

    assert with_unit(48.0, "minutes") == "48 minutes"
    assert with_unit(3.5, "kWh/t") == "3.5 kWh/t"
    assert with_unit(98.5, "%") == "98.5%"
    assert with_unit(30, "分钟") == "30分钟"
    assert with_unit(5, "天") == "5天"
    assert with_unit(12, "") == "12"
    riverside = [p for p in CLIENTS if p.name == "riverside-hospital"]
    if riverside:
        from workbench.analysis.analyse import analyse
        from workbench.intake.reading import load_client

        a = analyse(load_client(riverside[0]))
        fig = C.fishbone_for(a, "PR1")
        head = [t.get_text() for t in _texts(fig) if t.get_gid() == "fishbone-head"][0]
        assert "48 minutes → 30 minutes" in " ".join(head.split())


# --- QA polish: scores agree with their status colour, pareto order, figure widths, matrix quadrants -------------
def test_printed_scores_never_round_across_a_band():
    from workbench.core.numfmt import fmt_score

    assert style.fmt_score(59.97) == fmt_score(59.97) == "59.9"
    assert style.fmt_score(99.96) == "99.9" and style.fmt_score(87.25) == "87.3" and style.fmt_score(None) == "—"
    for v in [x / 100 for x in range(0, 12001, 7)]:
        assert style.band_of(float(style.fmt_score(v))) == style.band_of(v), v
    # and in a chart: an objective at 59.97 is printed 59.9 in red, never 60.0
    obj = sample.objectives("en")
    obj.iloc[0, obj.columns.get_loc("score")] = 59.97
    if "band" in obj.columns:
        obj.iloc[0, obj.columns.get_loc("band")] = "bad"
    svg = C.strategy_map(obj, sample.links(), "en").svg(cache=False)
    texts = _svg_texts(svg)
    assert any("59.9" in t for t in texts) and not any("60.0" in t for t in texts)


@pytest.mark.parametrize("folder", CLIENTS, ids=[p.name for p in CLIENTS])
def test_demo_client_polish(folder):
    from matplotlib.patches import Rectangle

    from workbench.analysis.analyse import analyse
    from workbench.deliverable.charts.diagnosis import EFFORT_SPLIT, IMPACT_SPLIT, quadrant
    from workbench.intake.reading import load_client

    a = analyse(load_client(folder))
    # strategy map and KPI cards: the printed score is in the band of the colour it is drawn in
    colour_band = {v: k for k, v in C.STATUS_COLOURS.items()}
    for f in [C.strategy_map_for(a), *C.kpi_trees_for(a)]:
        draw_checked(f)
        for tx in _texts(f):
            txt = tx.get_text()
            for prefix in ("Score ", "得分 "):
                if txt.startswith(prefix) and tx.get_color() in colour_band and txt[len(prefix):].split(" ")[0] != "—":
                    shown = float(txt[len(prefix):].split(" ")[0])
                    assert style.band_of(shown) == colour_band[tx.get_color()], txt
    # fishbone: at most a landscape page wide; KPI tree: every KPI page the same width
    pids = [] if a.client.tables.get("problems") is None else list(a.client.tables["problems"]["problem_id"])
    for pid in pids:
        f = C.fishbone_for(a, pid)
        assert f.get_figwidth() <= 11.0, (pid, f.get_figwidth())
        draw_checked(f)
        assert_no_overlap(f)
        _assert_conventional_fishbone(f)
    widths = {round(f.get_figwidth(), 2) for f in C.kpi_trees_for(a)}
    assert len(widths) <= 1 and all(w <= 7.3 for w in widths), widths
    if a.diagnosis is None:
        return
    # pareto: bars descending (the grouped tail, if any, is a distinct grey hatched bar after a gap)
    f = C.pareto_for(a)
    draw_checked(f)
    ax = f.axes[0]
    bars = [p for p in ax.patches if (p.get_gid() or "").startswith("pareto-bar:")]
    heights = [p.get_height() for p in sorted(bars, key=lambda p: p.get_x())]
    assert heights and all(h1 >= h2 for h1, h2 in zip(heights, heights[1:])), heights
    other = [p for p in ax.patches if p.get_gid() == "pareto-other"]
    if other:
        assert other[0].get_hatch() and other[0].get_x() > max(p.get_x() for p in bars) + 1.2
    # value labels clear of the cumulative-line markers
    r = f.canvas.get_renderer()
    line = [ln for ln in f.axes[1].lines if ln.get_gid() == "pareto-cumulative"][0]
    marks = line.get_transform().transform(line.get_xydata())
    rad = line.get_markersize() / 2 * f.dpi / 72
    for tx in [t for t in ax.texts if t.get_gid() == "pareto-value"]:
        bb = tx.get_window_extent(r)
        for mx, my in marks:
            assert not (bb.x0 - rad < mx < bb.x1 + rad and bb.y0 - rad < my < bb.y1 + rad), tx.get_text()
    # impact / effort: each cause drawn inside the quadrant its (impact, effort) defines
    f = C.impact_effort_for(a)
    draw_checked(f)
    d = a.diagnosis.reset_index() if "cause_id" not in a.diagnosis.columns else a.diagnosis
    d = d[d["impact"].notna() & d["effort"].notna()]
    ax = f.axes[0]
    quads = {p.get_gid()[len("quadrant:"):]: p for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("quadrant:")}
    pts = {ln.get_gid()[len("point:"):]: ln.get_xydata()[0] for ln in ax.lines if (ln.get_gid() or "").startswith("point:")}
    assert set(pts) == set(d["cause_id"].astype(str))
    for cid, imp, eff in zip(d["cause_id"].astype(str), d["impact"].astype(float), d["effort"].astype(float)):
        x, y = pts[cid]
        q = quads[quadrant(imp, eff)]
        assert q.get_x() < x < q.get_x() + q.get_width() and q.get_y() < y < q.get_y() + q.get_height(), (cid, imp, eff, x, y)
        assert abs(x - EFFORT_SPLIT) > 0.05 and abs(y - IMPACT_SPLIT) > 0.05
    assert quadrant(3, 3) == "quick_wins" and quadrant(5, 3) == "quick_wins" and quadrant(3, 5) == "major_projects"
    assert quadrant(2, 4) == "thankless" and quadrant(2, 3) == "fill_ins"


# --- vector output: SVG with text as text -------------------------------------------------------------------
SVG_NS = "{http://www.w3.org/2000/svg}"


def _svg_texts(svg: str) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_is_svg_with_whole_labels_as_text(lang):
    import re

    seen_ids: set[str] = set()
    for name, make in _handmade(lang).items():
        chart = make()
        svg = chart.svg(cache=False) if isinstance(chart, C.Chart) else C.to_svg(chart, "x")
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>"), name
        texts = _svg_texts(svg)
        assert texts, name
        assert not [t for t in texts if "…" in t], (name, [t for t in texts if "…" in t][:3])  # nothing cut
        assert "font-family: 'Noto Sans CJK SC'" in svg and "'Microsoft YaHei'" in svg and "sans-serif" in svg
        assert "<image" not in svg and "http://" not in svg.replace("http://www.w3.org", "")  # self-contained
        ids = set(re.findall(r'\bid="([^"]+)"', svg))
        assert not ids & seen_ids, (name, sorted(ids & seen_ids)[:3])  # charts share a page: ids never collide
        seen_ids |= ids
    # the Chinese cause texts are in the SVG as text (searchable, selectable), wrapped at most
    causes = sample.causes(lang)
    svg = C.fishbone(causes, sample.PROBLEM[lang], sample.categories("6M"), lang).svg(cache=False)
    flat = "".join(_svg_texts(svg)).replace(" ", "")
    for text in causes["cause"]:
        assert text.replace(" ", "") in flat, text


def test_svg_is_deterministic_and_smaller_than_png():
    causes = sample.causes("zh")
    make = lambda: C.fishbone(causes, sample.PROBLEM["zh"], sample.categories("6M"), "zh")  # noqa: E731
    a, b = make().svg(cache=False), make().svg(cache=False)
    assert a == b
    assert len(a) < len(C.to_png(make())) / 2


@pytest.mark.parametrize("folder", CLIENTS, ids=[p.name for p in CLIENTS])
def test_demo_client_svgs_have_no_cut_labels(folder, tmp_path, monkeypatch):
    from workbench.analysis.analyse import analyse
    from workbench.intake.reading import load_client

    monkeypatch.setenv("WORKBENCH_CHART_CACHE", str(tmp_path / "cache"))
    a = analyse(load_client(folder))
    charts = [C.strategy_map_for(a), C.pareto_for(a), C.impact_effort_for(a), C.gantt_for(a), *C.kpi_trends_for(a),
              C.contract_trends_for(a)]
    charts += [C.fishbone_for(a, pid) for pid in a.client.tables["problems"]["problem_id"]]
    if a.assessment is not None:
        charts += [C.assessment_radar_for(a), C.assessment_heatmap_for(a)]
    total = 0
    for ch in charts:
        svg = ch.svg()
        total += len(svg)
        cut = [t for t in _svg_texts(svg) if "…" in t]
        assert not cut, (ch, cut[:3])
    assert total < 900_000, total  # report.html ≤ 1 MB with its tables


# --- chart cache ----------------------------------------------------------------------------------------------
def test_chart_cache_reuses_unchanged_charts_and_redraws_changed_ones(tmp_path, monkeypatch):
    from workbench.deliverable.charts import cache as cache_mod

    monkeypatch.setenv("WORKBENCH_CHART_CACHE", str(tmp_path / "cache"))
    store = cache_mod.default_cache()
    causes = sample.causes("zh")
    first = C.pareto(causes, "zh")
    svg = first.svg()
    assert store.misses == 1 and store.hits == 0
    again = C.pareto(causes.copy(), "zh")  # equal data, another frame object: same chart
    assert again.svg() == svg and store.hits == 1
    assert "figure" not in again.__dict__  # served from the cache: never drawn
    assert again.alt == first.alt == "原因帕累托图"
    changed = causes.copy()
    changed.loc[0, "impact"] = 1 if changed.loc[0, "impact"] != 1 else 2
    assert C.pareto(changed, "zh").key != first.key
    assert C.pareto(causes, "en").key != first.key  # language
    assert C.pareto(causes, "zh", max_bars=5).key != first.key  # size / options
    monkeypatch.setattr(cache_mod, "code_version", lambda module: "another version of the chart code")
    assert C.pareto(causes, "zh").key != first.key  # chart code
    # a damaged entry is a miss, not a broken report
    path = store._path(first.key)
    path.write_text("<svg", encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setenv("WORKBENCH_CHART_CACHE", str(tmp_path / "cache"))
    assert C.pareto(causes, "zh").svg() == svg
    assert not list((tmp_path / "cache").rglob("*.tmp*"))  # atomic writes leave no temp file


def test_chart_cache_is_bounded_and_drops_least_recently_used(tmp_path):
    import os
    import time

    from workbench.deliverable.charts.cache import ChartCache

    store = ChartCache(tmp_path, max_bytes=50_000)
    body = "<svg>" + "x" * 9_000 + "</svg>"
    for i in range(12):
        key = f"{i:02d}" + "0" * 62
        store.put(key, body)
        os.utime(store._path(key), (time.time() - 100 + i, time.time() - 100 + i))
    store.get("00" + "0" * 62)  # used: kept
    store.prune()
    assert store.size() <= 50_000
    assert store.get("00" + "0" * 62) is not None
    assert store.get("01" + "0" * 62) is None  # the oldest unused went first


def _hammer(folder: str, n: int) -> None:
    from workbench.deliverable.charts.cache import ChartCache

    store = ChartCache(folder, max_bytes=10**9)
    for i in range(n):
        store.put(f"{i % 5:02d}" + "a" * 62, "<svg>" + str(i % 5) * 20_000 + "</svg>")
        got = store.get(f"{(i + 2) % 5:02d}" + "a" * 62)
        assert got is None or got == "<svg>" + str((i + 2) % 5) * 20_000 + "</svg>"


def test_chart_cache_is_safe_under_concurrent_forked_workers(tmp_path):
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path), 60)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    files = list(tmp_path.rglob("*"))
    assert not [f for f in files if ".tmp" in f.name]
    for f in (f for f in files if f.suffix == ".svg"):
        text = f.read_text()
        assert text.startswith("<svg>") and text.endswith("</svg>") and len(text) == 20_011


def test_show_figure_publishes_inline_svg_and_uses_the_cache(tmp_path, monkeypatch):
    from workbench.deliverable import html as H

    monkeypatch.setenv("WORKBENCH_CHART_CACHE", str(tmp_path / "cache"))
    published = []
    monkeypatch.setattr(H, "_publish", lambda data, kind, **meta: published.append((data, kind, meta)))
    causes = sample.causes("en")
    H.show_figure(C.pareto(causes, "en"))
    H.show_figure(C.pareto(causes, "en"))
    (d1, k1, m1), (d2, k2, m2) = published
    assert k1 == k2 == "figure" and m1["alt"] == m2["alt"] == "Pareto of causes"
    assert d1["text/html"] == d2["text/html"] and d1["text/html"].startswith("<svg")
    assert 'role="img" aria-label="Pareto of causes"' in d1["text/html"]
    assert "image/png" not in d1 and m1["pt"][0] == pytest.approx(style.A4_WIDTH * 72)


# --- KPI trends: units, separators, zero base; radar target and previous round ---------------------------------------
def test_kpi_trends_units_thousands_and_zero_base():
    from workbench.deliverable.charts.trends import tick_labels, zero_based

    k = sample.kpis("zh").iloc[:2].copy()
    k["unit"] = ["万元", "%"]
    k["target"] = [380000.0, 98.0]
    k["threshold"] = [300000.0, 95.0]
    k["stretch"] = [math.nan, math.nan] if False else [400000.0, 99.0]
    periods = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    rows = [(k.index[0], p, v, 90.0) for p, v in zip(periods, [348000.0, 352000.0, 361000.0, 372000.0])]
    rows += [(k.index[1], p, v, 80.0) for p, v in zip(periods, [96.8, 97.1, 97.5, 97.9])]
    hist = pd.DataFrame(rows, columns=["kpi_id", "period", "actual", "score"])
    fig = C.kpi_trends(hist, k, "zh").figure
    draw_checked(fig)
    axes = fig.panels
    amount, pct = axes[k.index[0]], axes[k.index[1]]
    heading = {kid: p.title for kid, p in axes.items()}
    assert "(万元)" in heading[k.index[0]] and "(%)" in heading[k.index[1]]
    assert amount.ylim[0] == 0  # an amount is drawn from zero
    assert pct.ylim[0] > 90  # a percentage near its target is not
    ticks = tick_labels(amount)
    assert any("," in t for t in ticks) and not any(len(t) > 3 and "," not in t for t in ticks), ticks
    assert all(t in fig.markup for t in ticks)  # and drawn
    assert amount.lines == {"target": 380000.0, "threshold": 300000.0, "stretch": 400000.0}
    assert 'stroke-dasharray="5 2"' in fig.markup  # the target line is drawn, dashed as the legend shows it
    assert zero_based("次", [3, 5]) and not zero_based("%", [3, 5]) and not zero_based("万元", [-5, 3])


def test_radar_draws_target_ring_and_previous_round():
    _, cats = sample.assessment("zh")
    ids = [str(c) for c in (cats.index if "category" not in cats.columns else cats["category"])]
    prev = {c: float(s) * 0.8 for c, s in zip(ids, cats["score"])}
    fig = C.assessment_radar(cats, "zh", total=500.0, target_pct=60.0, previous=prev, previous_label="上一轮 (2025)").figure
    draw_checked(fig)
    panel = fig.panels["radar"]
    want = [float(s) / float(p) * 100 for s, p in zip(cats["score"], cats["points"])]  # score as % of the points
    assert [round(v, 6) for _, v in panel.points] == [round(v, 6) for v in want]
    assert panel.lines == {"target": 60.0}
    outer, target = fig.find("radar-outer")[0], fig.find("radar-target")[0]
    assert abs((target.x1 - target.x0) / (outer.x1 - outer.x0) - 0.60) < 1e-3  # the ring at 60 % of the scale
    current, previous = fig.find("radar-current")[0], fig.find("radar-previous")[0]
    assert outer.x0 <= current.x0 and current.x1 <= outer.x1 and outer.y0 <= current.y0 and current.y1 <= outer.y1
    # the previous round scored 80 % of this one everywhere: its outline lies inside the current one
    assert current.x0 < previous.x0 and previous.x1 < current.x1 and current.y0 < previous.y0 and previous.y1 < current.y1
    assert [sh.text for sh in fig.find("legend", "text")] == ["本轮", "目标 60%", "上一轮 (2025)"]
    assert [sh.text.split("\n")[0] for sh in fig.find("radar-category", "text")] == ids  # clockwise from the top
    labels = fig.find("radar-category", "text")
    assert labels[0].y1 < outer.y0 and abs((labels[0].x0 + labels[0].x1) / 2 - (outer.x0 + outer.x1) / 2) < 1
    values = fig.find("radar-value", "text") + labels
    assert not [(a.text, b.text) for a, b in itertools.combinations(values, 2) if a.overlaps(b)]
    plain = C.assessment_radar(cats, "zh").figure
    assert not plain.find("radar-target") and not plain.find("radar-previous")
    assert [sh.text for sh in plain.find("legend", "text")] == ["本轮"]


def test_heat_table_cells_colours_and_flags():
    items, cats = sample.assessment("en")
    fig = C.assessment_heatmap(items, "en", cats).figure
    draw_checked(fig)
    assert_no_overlap(fig)
    cells = {sh.gid[5:]: sh for sh in fig.find("heat:", "rect")}
    assert sorted(cells) == sorted(map(str, items["item_id"]))
    pct = {str(i): p for i, p in zip(items["item_id"], items["consensus_pct"]) if p == p}
    lo, hi = min(pct, key=pct.get), max(pct, key=pct.get)
    green = lambda sh: int(sh.colour[3:5], 16) - int(sh.colour[1:3], 16)  # noqa: E731 - green minus red
    assert green(cells[hi]) > green(cells[lo])  # red-ish low, green-ish high
    unscored = [str(i) for i, p in zip(items["item_id"], items["consensus_pct"]) if p != p]
    assert unscored and all(cells[i].colour == style.STATUS_FILLS["none"] for i in unscored)
    flagged = [str(i) for i, f in zip(items["item_id"], items["flagged"]) if f]
    outlines = fig.find("heat-flagged", "rect")
    assert len(outlines) == len(flagged) > 0
    for o, i in zip(outlines, flagged):  # each outline sits on its item's cell
        c = cells[i]
        assert c.x0 <= o.x0 < o.x1 <= c.x1 + 1 and c.y0 <= o.y0 < o.y1 <= c.y1 + 1
    rows = [sh.text for sh in fig.find("heat-category", "text")]
    assert [r.split(" ")[0] for r in rows] == list(dict.fromkeys(map(str, items["category"])))  # one row per category
    assert "Leadership" in rows[0]


# --- forked batch workers measure text without sharing a font file ----------------------------------------
def test_text_measuring_is_safe_in_forked_workers():
    """The warm pool forks its workers from a process that has measured text. Two workers reading glyphs through
    one inherited font file shared its offset and read each other's bytes ("broken file", one client in a few
    hundred); each process now opens the font for itself and keeps the advances measured before the fork."""
    import os
    import warnings as _w

    from workbench.deliverable.charts import text

    text.text_width("绩效 Performance", 10)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    expected = {ch: text.text_width(ch, 10) for ch in chars[:50] + chars[-50:]}
    pids = []
    for order in (chars, chars[::-1]):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 0
            try:
                with _w.catch_warnings():
                    _w.simplefilter("error")  # a garbled read shows as a "missing glyph" warning or an error
                    for ch in order:
                        text.text_width(ch, 10)
                    code = 0 if all(text.text_width(ch, 10) == w for ch, w in expected.items()) else 3
            except Exception:
                code = 2
            finally:
                os._exit(code)
        pids.append(pid)
    assert [os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids] == [0, 0]


@pytest.mark.parametrize("lang", LANGS)
def test_gantt_bars_dates_and_overdue(lang):
    acts = sample.actions(lang)
    fig = C.gantt(acts, date(2026, 9, 30), lang).figure
    draw_checked(fig)
    assert_no_overlap(fig)
    marks = {sh.gid[7:]: sh for sh in fig.find("action:")}
    assert sorted(marks) == sorted(acts["action_id"])
    kinds = {a: marks[a].kind for a in marks}
    assert kinds["A06"] == "polygon" and kinds["A01"] == "rect"  # no start date: a milestone at its due date
    # bars run from start to due on one time axis: a later due date ends further right
    a03, a04, a05 = marks["A03"], marks["A04"], marks["A05"]
    assert a05.x0 < a03.x0 < a04.x0 and a04.x1 < a03.x1 < a05.x1
    # overdue: due before the period end and neither done nor deferred (A03 at 2026-09-10, A02 at 2026-09-15;
    # A04 is planned and due 2026-08-31): outlined and marked; A01 (done) and A07 (deferred) are not
    overdue = {"A02", "A03", "A04"}
    bad = C.STATUS_COLOURS["bad"]
    assert len(fig.find("gantt-overdue")) == len(overdue)
    import re as _re

    def outlined(aid: str) -> bool:
        tag = _re.search(rf'<(?:rect|polygon)[^>]*data-gid="action:{aid}"[^>]*>', fig.markup).group(0)
        return f'stroke="{bad}"' in tag

    assert {a for a in marks if outlined(a)} == overdue
    end = [sh for sh in fig.find("gantt-period-end", "text")][0]
    assert a03.x1 < (end.x0 + end.x1) / 2 < a05.x1  # the period end between A03's due date and A05's
    groups = [sh.text for sh in fig.find("gantt-group", "text")]
    assert groups == list(dict.fromkeys(acts["owner_unit"]))
    labels = fig.find("gantt-label", "text")
    assert all(lab.x1 <= min(m.x0 for m in marks.values()) + 1 for lab in labels)  # labels left of the time axis
