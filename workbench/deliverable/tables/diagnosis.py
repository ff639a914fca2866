"""Section 01 (diagnosis): problems, causes with their priority, 5-Why chains.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from workbench.deliverable.tables.base import (
    _T,
    _causes,
    _missing,
    _names,
    _records,
    _table_of,
    fmt_num,
    html_table,
    lang_of,
    tag,
    unit_cell,
)
from workbench.core.frames import records

__all__ = ['problems_table', 'causes_table', 'why_tables', 'problem_list', 'causes_of']


def _category_label(a: Any, key: Any, lang: str) -> str:
    prof = getattr(getattr(a, "client", a), "profile", None)
    for c in getattr(prof, "fishbone_categories", []) or []:
        if str(key) in (c.key, c.en, c.zh):
            return c.label(lang)
    return "—" if _missing(key) else str(key)

def problems_table(a: Any) -> str | None:
    T = _T(lang_of(a))
    df = _table_of(a, "problems")
    if df is None:
        return None
    rows = [[r.get("problem_id"), r.get("problem"), r.get("metric"), fmt_num(r.get("current")), fmt_num(r.get("target")),
             unit_cell(r.get("unit"))] for r in _records(df, "problem_id")]
    cols = [(T("col.id"), "id"), (T("col.problem"), ""), (T("col.metric"), ""), (T("col.current"), "num"),
            (T("col.target"), "num"), (T("col.unit"), "small unit")]
    return html_table(cols, rows)

def causes_table(a: Any, problem_id: str | None = None, limit: int | None = None) -> str | None:
    """Causes with impact, effort and priority (highest first); root and top causes tagged."""
    lang, T = lang_of(a), _T(lang_of(a))
    d = _causes(a)
    if d is None:
        return None
    if problem_id is not None and "problem_id" in d.columns:
        d = d[d["problem_id"].astype(str) == str(problem_id)]
    if not len(d):
        return None
    if "priority" in d.columns:
        d = d.assign(_p=d["priority"].fillna(-1)).sort_values("_p", ascending=False, kind="stable")
    if limit:
        d = d.head(limit)
    rows = []
    for r in records(d):
        tags = []
        if r.get("is_root") is True:
            tags.append(tag(T("diagnosis.root"), "bad"))
        if r.get("is_top") is True:
            tags.append(tag(T("diagnosis.top"), "warn"))
        if r.get("verified") is True:
            tags.append(tag(T("diagnosis.verified"), "good"))
        rows.append([r.get("cause_id"), r.get("problem_id"), _category_label(a, r.get("category"), lang), r.get("cause"),
                     r.get("evidence"), fmt_num(r.get("impact"), 0), fmt_num(r.get("effort"), 0),
                     fmt_num(r.get("priority"), 0), Markup(" ").join(tags) if tags else ""])
    cols = [(T("col.id"), "id"), (T("col.problem_id"), "id"), (T("col.category"), "nowrap"), (T("col.cause"), ""),
            (T("col.evidence"), "small"), (T("col.impact"), "num"), (T("col.effort"), "num"), (T("col.priority"), "num"),
            (T("col.flags"), "")]
    return html_table(cols, rows, col_widths=["7%", "7%", "8%", "24%", "22%", "7%", "7%", "7%", "11%"])

def why_tables(a: Any) -> list[tuple[str, str]]:
    """One (title, table) per 5-Why chain, in problem and chain order."""
    T = _T(lang_of(a))
    w = _table_of(a, "whys")
    if w is None:
        return []
    problems = _names(a, "problems", "problem_id", "problem")
    causes = _names(a, "causes", "cause_id", "cause")
    out = []
    w = w.sort_values(["problem_id", "chain_id", "step"], kind="stable") if "step" in w.columns else w
    for (pid, cid), g in w.groupby(["problem_id", "chain_id"], sort=False):
        rows, classes = [], []
        for r in records(g):
            root = r.get("root_cause") is True
            link = r.get("cause_id")
            note = ""
            if root:
                note = tag(T("diagnosis.root"), "bad")
                if not _missing(link) and link:
                    note = note + Markup(" ") + escape(T("diagnosis.links_cause", cause=f"{link} {causes.get(str(link), '')}".strip()))
            rows.append([fmt_num(r.get("step"), 0), r.get("why"), r.get("answer"), note])
            classes.append("wb-flag" if root else "")
        title = T("diagnosis.chain_title", chain=cid, problem=f"{pid} {problems.get(str(pid), '')}".strip())
        cols = [(T("col.step"), "num"), (T("col.why"), ""), (T("col.answer"), ""), (T("col.root"), "small")]
        out.append((title, html_table(cols, rows, row_classes=classes, col_widths=["7%", "35%", "38%", "20%"])))
    return out

def problem_list(a: Any) -> list[tuple[str, str]]:
    """(problem_id, "P1 problem text") for every problem, in table order."""
    df = _table_of(a, "problems")
    if df is None:
        return []
    return [(str(r.get("problem_id")), f"{r.get('problem_id')} {'' if _missing(r.get('problem')) else r.get('problem')}".strip())
            for r in _records(df, "problem_id")]

def causes_of(a: Any, problem_id: str) -> pd.DataFrame | None:
    """The analysed causes of one problem (None when there are none)."""
    d = _causes(a)
    if d is None or "problem_id" not in d.columns:
        return None
    sub = d[d["problem_id"].astype(str) == str(problem_id)]
    return sub if len(sub) else None
