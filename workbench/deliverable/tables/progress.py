"""Section 04a (progress since the last round): the total and category deltas against the newest earlier round in
``history/`` (points exactly, so the printed categories add up to the printed totals and deltas), items that
changed band, contract and KPI score changes, and the actions carried over.
"""
from __future__ import annotations

from typing import Any

from workbench.core.numfmt import fmt_delta
from workbench.deliverable.tables.base import (
    _T,
    _actions,
    _assessment,
    _missing,
    _owner,
    fmt_date,
    fmt_points,
    fmt_score,
    html_table,
    lang_of,
    named,
)
from workbench.core.frames import records

__all__ = ["progress_sentence", "progress_categories", "band_changes", "score_changes", "carried_since",
           "progress_rounds"]


def _prev_doc(a: Any) -> dict[str, Any]:
    p = getattr(a, "progress", None)
    if p is None:
        return {}
    for d in getattr(a, "history", []) or []:
        if str(d.get("period", "")).upper() == p.period:
            return d
    return {}


def progress_sentence(a: Any) -> str | None:
    T = _T(lang_of(a))
    p, res = getattr(a, "progress", None), _assessment(a)
    if p is None or res is None or p.total is None:
        return None
    return T("progress.total", period=p.period, before=fmt_points(p.total), now=fmt_points(res.total),
             delta=fmt_delta(p.delta, points=True))


def progress_categories(a: Any) -> str | None:
    """Per category: last round, now, change; a total row (each column adds up)."""
    lang, T = lang_of(a), _T(lang_of(a))
    p, res = getattr(a, "progress", None), _assessment(a)
    if p is None or res is None or p.total is None:
        return None
    prev = ((_prev_doc(a).get("assessment") or {}).get("categories") or {})
    rows = []
    for c in res.framework.categories:
        now = res.categories.loc[c.id, "score"]
        rows.append([c.id, c.name(lang), fmt_points(prev.get(c.id)), fmt_points(now),
                     fmt_delta(p.categories.get(c.id), points=True)])
    rows.append(["", T("assessment.total"), fmt_points(p.total), fmt_points(res.total),
                 fmt_delta(p.delta, points=True)])
    cols = [(T("col.category_id"), "id"), (T("col.category_name"), ""), (T("col.previous"), "num"),
            (T("col.now"), "num"), (T("col.delta"), "num")]
    return html_table(cols, rows, row_classes=[""] * (len(rows) - 1) + ["wb-total"], css="wb-progress-categories")


def band_changes(a: Any) -> str | None:
    lang, T = lang_of(a), _T(lang_of(a))
    p, res = getattr(a, "progress", None), _assessment(a)
    if p is None or res is None or not p.band_changes:
        return None
    rows = [[iid, res.items.loc[iid, f"name_{lang}"], before, now, fmt_delta(p.items.get(iid), points=True)]
            for iid, before, now in p.band_changes]
    cols = [(T("col.item"), "id"), (T("col.item_name"), ""), (T("col.band_before"), "nowrap"),
            (T("col.band_now"), "nowrap"), (T("col.delta"), "num")]
    return html_table(cols, rows)


def score_changes(a: Any) -> str | None:
    """Contracts, then KPIs: last round's score, now, change (only those present in both rounds)."""
    T = _T(lang_of(a))
    p = getattr(a, "progress", None)
    if p is None or (not p.contracts and not p.kpis):
        return None
    prev = _prev_doc(a)
    rows = []
    c = getattr(a, "contracts", None)
    for key, d in p.contracts.items():
        before = ((prev.get("contracts") or {}).get(key) or {}).get("score")
        r = c.loc[key]
        rows.append([T("contracts.total"), _owner(r.get("owner_unit"), r.get("owner")), fmt_score(before),
                     fmt_score(r["score"]), fmt_delta(d, 1)])
    k = getattr(a, "kpis", None)
    names = None
    for kid, d in p.kpis.items():
        before = ((prev.get("kpis") or {}).get(kid) or {}).get("score")
        rows.append(["KPI", named(a, [kid], names), fmt_score(before), fmt_score(k.loc[kid, "score"]), fmt_delta(d, 1)])
    cols = [(T("col.subject_kind"), "nowrap"), (T("col.subject"), ""), (T("col.previous"), "num"),
            (T("col.now"), "num"), (T("col.delta"), "num")]
    return html_table(cols, rows, col_widths=["14%", "50%", "12%", "12%", "12%"])


def carried_since(a: Any) -> str | None:
    """Actions carried over from the last round (deferred, or open and due before its end), with the reason."""
    lang, T = lang_of(a), _T(lang_of(a))
    p, df = getattr(a, "progress", None), _actions(a)
    if p is None or df is None or not p.carried_over:
        return None
    by_id = {str(r["action_id"]): r for r in records(df)}
    rows = []
    for aid in p.carried_over:
        r = by_id[aid]
        rows.append([aid, r.get("action"), _owner(r.get("owner_unit"), r.get("owner")), fmt_date(r.get("due"), lang),
                     "—" if _missing(r.get("reason")) else r.get("reason")])
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.owner"), "small"), (T("col.due"), "nowrap"),
            (T("col.reason"), "small")]
    return html_table(cols, rows, col_widths=["8%", "38%", "18%", "12%", "24%"])


def progress_rounds(a: Any) -> list[dict[str, Any]]:
    """Every round (history and now) for the progress chart; [] unless there are two earlier rounds or more."""
    from workbench.analysis.progress import chart_rounds

    return chart_rounds(getattr(a, "progress", None))
