"""Section 03b (quarterly review): every KPI with an actual this period that scores below 100, its deviation from
target, and the cause and countermeasure the client recorded (``reviews``); a KPI below 60 without a review is a
gap, named in the table and below it (scoring.md v2, ``red_kpis_without_review``).
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from workbench.core.numfmt import fmt_delta
from workbench.deliverable.tables.base import (
    _T,
    _missing,
    chip,
    fmt_date,
    fmt_num,
    fmt_score,
    signed_num,
    html_table,
    lang_of,
    tag,
    unit_cell,
)

__all__ = ["review_table", "review_gaps"]


def _deviation(r: Any) -> Markup | str:
    if _missing(r["deviation"]):
        return "—"
    text = signed_num(r["deviation"])
    if not _missing(r["deviation_pct"]):
        return Markup(f'{escape(text)}<div class="wb-sub-line">{escape(fmt_delta(r["deviation_pct"], 1))}%</div>')
    return text


def review_table(a: Any) -> str | None:
    """The review rows (Analysis.review) with cause and countermeasure; None when nothing is below target."""
    lang, T = lang_of(a), _T(lang_of(a))
    rv = getattr(a, "review", None)
    if rv is None or not len(rv):
        return None
    rows, classes = [], []
    for kid, r in rv.iterrows():
        red = r["score"] < 60
        cause: Any = r["cause"] if not _missing(r["cause"]) else (tag(T("review.missing"), "bad") if red else "—")
        measure = "—"
        if not _missing(r["countermeasure"]):
            who = ", ".join(x for x in (None if _missing(r["review_owner"]) else str(r["review_owner"]),
                                        None if _missing(r["review_due"]) else fmt_date(r["review_due"], lang)) if x)
            measure = Markup(escape(r["countermeasure"]) + (Markup(f'<div class="wb-sub-line">{escape(who)}</div>')
                                                          if who else ""))
        actual = r["actual"]
        actual_s = actual if isinstance(actual, str) else (T("yes") if actual is True else T("no") if actual is False
                                                           else fmt_num(actual))
        who = r["owner"] if not _missing(r["owner"]) else r["owner_unit"]
        rows.append([kid, Markup(f"{escape(r['kpi'] or '')}<div class=\"wb-sub-line\">{escape(who)}</div>"),
                     unit_cell(r["unit"]), fmt_num(r["target"]), actual_s, _deviation(r), chip(r["score"]), cause,
                     measure])
        classes.append("wb-flag" if red and not r["reviewed"] else "")
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.unit"), "small unit"), (T("col.target"), "num"),
            (T("col.actual"), "num"), (T("col.deviation"), "num"), (T("col.score"), "ctr"), (T("col.cause"), "small"),
            (T("col.countermeasure"), "small")]
    return html_table(cols, rows, row_classes=classes,
                      col_widths=["6%", "19%", "7%", "9%", "9%", "9%", "7%", "17%", "17%"])


def review_gaps(a: Any) -> list[str]:
    """One sentence per KPI below 60 without a review row."""
    T = _T(lang_of(a))
    rv = getattr(a, "review", None)
    ids = (getattr(a, "gaps", {}) or {}).get("red_kpis_without_review", [])
    if rv is None:
        return []
    return [T("review.gap", kpi=f"{k} {rv.loc[k, 'kpi'] or ''}".strip(), score=fmt_score(rv.loc[k, "score"]))
            for k in ids if k in rv.index]
