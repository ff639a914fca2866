"""Section 04 (self-assessment): category and item scores (points exactly, ``fmt_points``), flagged items.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from workbench.analysis.assessment import band_for
from workbench.deliverable.tables.base import (
    fmt_points,
    soft_text,
    yes,
    _T,
    _assessment,
    _missing,
    _records,
    fmt_num,
    fmt_pct,
    html_table,
    lang_of,
    tag,
)
from workbench.core.frames import records

__all__ = ['assessment_categories', 'assessment_items', 'feedback_comments', 'feedback_table', 'key_themes',
           'band_ladder', 'flagged_items', 'assessment_frames']


def assessment_categories(a: Any) -> str | None:
    """Maturity and readiness by category: points, score (exactly: the categories add up to the total), rate, the
    band of the rate, unscored points and, with a ``target_score``, the points needed to hold the target's share."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    rd = getattr(a, "readiness", None)
    m = getattr(a, "maturity", None)
    with_target = m is not None and m.target_score is not None
    recs = _records(res.categories, "category")
    rows = []
    for r in recs:
        pts = r.get("points") or 0
        score = r.get("score")
        rate = None if _missing(score) or not pts else float(score) / float(pts)
        rate_s = fmt_pct(rate, 0, ratio=True)
        if r.get("unscored_points") and rate is not None:
            rate_s = Markup(f'{escape(rate_s)}<sup class="wb-fn">*</sup>')
        b = None if rate is None else band_for(100 * rate, res.framework)
        row = [r.get("category"), r.get(f"name_{lang}"), fmt_points(pts), fmt_points(score), rate_s,
               b.label if b else "—", fmt_points(r.get("unscored_points")) if r.get("unscored_points") else "—"]
        if with_target:
            need = rd["need"].get(r.get("category")) if rd is not None else None
            row.append(fmt_points(round(float(need), 2)) if need is not None and not _missing(need) else "—")
        rows.append(row)
    fw_total = getattr(res.framework, "total_points", 1000)
    total_row = ["", T("assessment.total"), fmt_points(fw_total), fmt_points(res.total),
                 fmt_pct(res.total / fw_total if fw_total else None, 0, ratio=True), m.label if m else "—",
                 fmt_points(res.unscored_points) if res.unscored_points else "—"]
    if with_target:
        total_row.append(fmt_points(m.gap) if m.gap > 0 else "—")
    rows.append(total_row)
    cols = [(T("col.category_id"), "id"), (T("col.category_name"), ""), (T("col.points"), "num"), (T("col.score"), "num"),
            (T("col.rate"), "num"), (T("col.stage_band"), "nowrap"), (T("col.unscored"), "num")]
    if with_target:
        cols.append((T("col.need"), "num"))
    table = html_table(cols, rows, row_classes=[""] * (len(rows) - 1) + ["wb-total"], css="wb-categories")
    note = _unscored_footnote(a, res, lang)
    return table + note if note else table


def _unscored_footnote(a: Any, res: Any, lang: str) -> str:
    """The footnote of the category table: which items nobody scored, and how the rate treats them (the rate is
    score ÷ all of the category's points, as in the radar chart and the portfolio: an unscored item counts 0)."""
    T = _T(lang)
    items = [r for r in _records(res.items, "item_id") if not r.get("scored")]
    if not items:
        return ""
    sep = "、" if lang == "zh" else "; "
    listed = sep.join(T("assessment.unscored_item", item=r.get("item_id"), name=r.get(f"name_{lang}") or "",
                        points=fmt_num(r.get("points"), 0)) for r in items)
    alt = []
    for r in _records(res.categories, "category"):
        sp, sc = r.get("scored_points"), r.get("score")
        if r.get("unscored_points") and sp and not _missing(sc):
            alt.append(T("assessment.rate_scored_only", category=r.get("category"),
                         rate=fmt_pct(float(sc) / float(sp), 0, ratio=True)))
    text = T("assessment.rate_footnote", items=listed) + ("" if not alt else " " + T("assessment.rate_alt", rates=sep.join(alt)))
    return f'<p class="wb-tnote"><sup class="wb-fn">*</sup> {escape(text)}</p>'

def assessment_items(a: Any) -> str | None:
    """Every framework item: points, assessors, consensus, score, band, lens, spread flag."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    fw = res.framework
    cats = {c.id: c.name(lang) for c in fw.categories}
    rows, classes = [], []
    current = None
    for r in _records(res.items, "item_id"):
        if r.get("category") != current:
            current = r.get("category")
            lens = r.get("lens")
            lens = fw.lens_name(lens, lang) if lens in getattr(fw, "lenses", {}) else lens
            lens_html = (Markup('<span class="wb-lens">') + escape(T("assessment.lens", lens=lens)) + Markup("</span>")
                         if not _missing(lens) and str(lens).strip() else "")
            rows.append([Markup(f"<strong>{escape(current)}</strong>"), Markup(f"<strong>{escape(cats.get(current, ''))}</strong>"),
                         lens_html, "", "", "", "", ""])
            classes.append("wb-sub")
        scored = bool(r.get("scored"))
        spread = r.get("spread")
        flag = tag(T("assessment.flag", spread=fmt_num(spread, 0)), "warn") if r.get("flagged") else ""
        rows.append([r.get("item_id"), r.get(f"name_{lang}"), fmt_points(r.get("points")),
                     fmt_num(r.get("n_assessors"), 0),
                     fmt_pct(r.get("consensus_pct")) if scored else tag(T("assessment.unscored")),
                     fmt_points(r.get("score")) if scored else "—", r.get("band") or "—", flag])
        classes.append("wb-flag" if r.get("flagged") else "")
    cols = [(T("col.item"), "id"), (T("col.item_name"), ""), (T("col.points"), "num"), (T("col.assessors"), "num"),
            (T("col.consensus"), "num"), (T("col.score"), "num"), (T("col.band"), "nowrap"), (T("col.spread"), "")]
    # the lens (方法-展开-学习-整合 / 水平-趋势-对比-整合) is the category's: one line in its group row, not a
    # narrow column that wraps it onto four
    return html_table(cols, rows, row_classes=classes, css="wb-items",
                      col_widths=["8%", "34%", "8%", "10%", "11%", "8%", "10%", "11%"])

KIND_ALIASES = {"strength": "strength", "优势": "strength", "opportunity": "opportunity", "改进机会": "opportunity",
                "opportunities": "opportunity", "strengths": "strength"}


def _kind(v: Any) -> str | None:
    return None if _missing(v) else KIND_ALIASES.get(str(v).strip().lower(), KIND_ALIASES.get(str(v).strip()))


def _dimension(v: Any) -> str | None:
    """A dimension code as the contract writes it (A D L I / Le T C I), case-insensitively."""
    if _missing(v):
        return None
    text = str(v).strip()
    for code in ("Le", "A", "D", "L", "I", "T", "C"):
        if text.lower() == code.lower():
            return code
    return text


def feedback_comments(a: Any) -> dict[str, list[dict[str, Any]]]:
    """item_id → comments ({kind, comment, key, dimension, evidence}): the ``feedback`` rows of the item or, where it
    has none, its assessment rows' strengths and opportunities (not key, no dimension)."""
    res = _assessment(a)
    if res is None:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    fb = getattr(getattr(a, "client", a), "tables", {}).get("feedback")
    if fb is not None and len(fb):
        for r in records(fb):
            kind = _kind(r.get("kind"))
            if kind is None or _missing(r.get("comment")):
                continue
            out.setdefault(str(r.get("item_id")).strip(), []).append(
                {"kind": kind, "comment": str(r.get("comment")).strip(), "key": yes(r.get("key")),
                 "dimension": _dimension(r.get("dimension")),
                 "evidence": None if _missing(r.get("evidence")) else str(r.get("evidence")).strip()})
    for iid, r in res.items.iterrows():
        if iid in out:
            continue
        evidence = "; ".join(r["evidence"] or []) or None
        comments = [{"kind": "strength", "comment": s, "key": False, "dimension": None, "evidence": None}
                    for s in r["strengths"] or []]
        comments += [{"kind": "opportunity", "comment": s, "key": False, "dimension": None, "evidence": None}
                     for s in r["opportunities"] or []]
        if comments and evidence:
            comments[0] = {**comments[0], "evidence": evidence}
        if comments:
            out[str(iid)] = comments
    return out


def _comment_html(c: dict[str, Any], T: Any) -> str:
    mark = ""
    if c["key"]:
        mark = '<span class="wb-key wb-key-plus">++</span>' if c["kind"] == "strength" else \
            '<span class="wb-key wb-key-minus">−−</span>'
    dim = f'<span class="wb-dim">[{escape(c["dimension"])}]</span>' if c["dimension"] else ""
    ev = f'<div class="wb-evidence">{escape(T("assessment.evidence", evidence=c["evidence"]))}</div>' \
        if c["evidence"] else ""
    return f'<li>{mark}{dim}{soft_text(c["comment"])}{ev}</li>'


def feedback_table(a: Any) -> str | None:
    """Examiner feedback per item, grouped by category: the item's score and band, then its strengths and
    opportunities (key ones ++ / −−, dimension tags, evidence)."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    comments = feedback_comments(a)
    if not comments:
        return None
    cats = {c.id: c.name(lang) for c in res.framework.categories}
    rows, classes = [], []
    current = None
    for iid, r in res.items.iterrows():
        if not r["scored"] and iid not in comments:
            continue
        if r["category"] != current:
            current = r["category"]
            rows.append([Markup(f"<strong>{escape(current)} {escape(cats.get(current, ''))}</strong>"), "", ""])
            classes.append("wb-sub")
        cs = comments.get(iid, [])
        head = Markup(f'<strong>{escape(iid)}</strong> {escape(r[f"name_{lang}"])}')
        if r["scored"]:
            sub = T("assessment.item_head", score=fmt_points(r["score"]), points=fmt_points(r["points"]),
                    pct=fmt_pct(r["consensus_pct"]), band=r["band"] or "—")
            head += Markup(f'<div class="wb-sub-line">{escape(sub)}</div>')
        cells = []
        for kind in ("strength", "opportunity"):
            these = sorted((c for c in cs if c["kind"] == kind), key=lambda c: not c["key"])
            cells.append(Markup('<ul class="wb-fb">' + "".join(_comment_html(c, T) for c in these) + "</ul>")
                         if these else "—")
        rows.append([head, *cells])
        classes.append("wb-flag" if r["flagged"] else "")
    cols = [(T("col.item"), "small"), (T("col.strengths"), "small"), (T("col.opportunities"), "small")]
    return html_table(cols, rows, row_classes=classes, col_widths=["22%", "39%", "39%"], css="wb-feedback")


def key_themes(a: Any) -> str | None:
    """The key comments (++ / −−) across categories, grouped by dimension: the themes an examiner reports."""
    T = _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    by_dim: dict[str, dict[str, list[str]]] = {}
    for iid, cs in feedback_comments(a).items():
        for c in cs:
            if not c["key"]:
                continue
            dim = c["dimension"] or "—"
            by_dim.setdefault(dim, {"strength": [], "opportunity": []})[c["kind"]].append(f"{iid} {c['comment']}")
    if not by_dim:
        return None
    order = ["A", "D", "L", "I", "Le", "T", "C"]
    rows = []
    for dim in sorted(by_dim, key=lambda d: order.index(d) if d in order else 99):
        name = T(f"dimension.{dim}") if dim in order else dim
        rows.append([f"{dim} {name}" if dim in order else name, by_dim[dim]["strength"] or "—",
                     by_dim[dim]["opportunity"] or "—"])
    cols = [(T("col.dimension"), "nowrap"), (T("col.key_strengths"), "small"), (T("col.key_opportunities"), "small")]
    return html_table(cols, rows, col_widths=["14%", "43%", "43%"])


def band_ladder(a: Any) -> str | None:
    """The scoring bands, printed once: each band's description through the process and the results lens."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    fw = res.framework
    rows = [[b.label, b.description("process", lang), b.description("results", lang)] for b in fw.bands]
    cols = [(T("col.band"), "nowrap"), (T("col.process_lens"), "small"), (T("col.results_lens"), "small")]
    return html_table(cols, rows, col_widths=["12%", "44%", "44%"], css="wb-ladder")


def flagged_items(a: Any) -> str | None:
    """Items whose assessors differ by more than 20 points: for the consensus meeting."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    rows = []
    for r in _records(res.items, "item_id"):
        if not r.get("flagged"):
            continue
        scores = r.get("scores") or []
        who = r.get("assessors") or []
        detail = ("、" if lang == "zh" else ", ").join(f"{n} {fmt_num(s, 0)}%" for n, s in zip(who, scores))
        rows.append([r.get("item_id"), r.get(f"name_{lang}"), detail, fmt_num(r.get("spread"), 0),
                     fmt_pct(r.get("consensus_pct"))])
    if not rows:
        return None
    cols = [(T("col.item"), "id"), (T("col.item_name"), ""), (T("col.assessor_scores"), "small"),
            (T("col.spread_pts"), "num"), (T("col.consensus"), "num")]
    return html_table(cols, rows)

def assessment_frames(a: Any) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(items, categories) of the self-assessment, or (None, None) without one."""
    res = _assessment(a)
    return (None, None) if res is None else (res.items, res.categories)
