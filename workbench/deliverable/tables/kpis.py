"""Section 03 (KPIs): the KPI element sheet, scores and progress, notes on excluded and vetoed KPIs, the contract
score table.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from workbench.core.i18n import t
from workbench.deliverable.tables.base import (
    _T,
    _indent,
    _kpi_frame,
    _missing,
    _owner,
    _records,
    _tree_order,
    bar,
    chip,
    fmt_num,
    html_table,
    label,
    lang_of,
    tag,
    unit_cell,
)
from workbench.intake.contract import OWNER_LEVEL_LABELS
from workbench.core.frames import records

__all__ = ['value_tree_warnings', 'kpi_definitions', 'kpi_parameters', 'kpi_element_sheet', 'kpi_scores', 'kpi_status_note', 'kpi_notes', 'contracts_table']


def kpi_definitions(a: Any) -> str | None:
    """KPI element sheet, part 1: what is measured (definition/formula, unit, data source, frequency, owner)."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return None
    k = _tree_order(k, "kpi_id", "parent_kpi_id")
    rows = [[r.get("kpi_id"), _indent(r.get("kpi"), r.get("depth")), r.get("formula"), unit_cell(r.get("unit")),
             r.get("data_source"), label("frequency", r.get("frequency"), lang), _owner(r.get("owner_unit"), r.get("owner"))]
            for r in records(k)]
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.formula"), "small"), (T("col.unit"), "small unit"),
            (T("col.data_source"), "small"), (T("col.frequency"), "small"), (T("col.owner"), "small")]
    return html_table(cols, rows, caption=T("kpi.sheet.definitions"),
                      col_widths=["8%", "20%", "24%", "8%", "16%", "8%", "16%"])

def kpi_parameters(a: Any) -> str | None:
    """KPI element sheet, part 2: how it is scored (method, direction, baseline/threshold/target/stretch, weight, veto)."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return None
    k = _tree_order(k, "kpi_id", "parent_kpi_id")
    rows = []
    for r in records(k):
        veto = tag(T("kpi.veto"), "bad") if r.get("veto") is True else ""
        rows.append([r.get("kpi_id"), r.get("kpi"), label("method", r.get("method"), lang),
                     label("direction", r.get("direction"), lang), fmt_num(r.get("baseline")),
                     fmt_num(r.get("threshold")), fmt_num(r.get("target")), fmt_num(r.get("stretch")),
                     fmt_num(r.get("weight"), 1), veto])
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.method"), "small"), (T("col.direction"), "small"),
            (T("col.baseline"), "num"), (T("col.threshold"), "num"), (T("col.target"), "num"),
            (T("col.stretch"), "num"), (T("col.weight"), "num"), (T("col.veto"), "ctr")]
    return html_table(cols, rows, caption=T("kpi.sheet.parameters"),
                      col_widths=["6%", "20%", "12%", "10%", "9%", "9%", "9%", "9%", "7%", "9%"])

def kpi_element_sheet(a: Any) -> str | None:
    parts = [p for p in (kpi_definitions(a), kpi_parameters(a)) if p]
    return "".join(parts) or None

def kpi_scores(a: Any) -> str | None:
    """KPI scores and progress for the period, with status chips."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return None
    k = _tree_order(k, "kpi_id", "parent_kpi_id")
    policy = str(getattr(getattr(getattr(a, "client", a), "profile", None), "missing_actuals", "exclude") or "exclude")
    rows, classes = [], []
    for r in records(k):
        status = r.get("status")
        actual = r.get("actual")
        if isinstance(actual, bool):
            actual_s = T("yes") if actual else T("no")
        elif isinstance(actual, str):
            actual_s = actual
        else:
            actual_s = fmt_num(actual)
        note = kpi_status_note(status, actual, policy, lang)
        rows.append([r.get("kpi_id"), _indent(r.get("kpi"), r.get("depth")), _owner(r.get("owner_unit"), r.get("owner")),
                     unit_cell(r.get("unit")), fmt_num(r.get("target")), actual_s, chip(r.get("score"), r.get("band")),
                     bar(r.get("progress")), note])
        classes.append("wb-flag" if r.get("band") == "bad" else "")
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.owner"), "small"), (T("col.unit"), "small unit"),
            (T("col.target"), "num"), (T("col.actual"), "num"), (T("col.score"), "ctr"), (T("col.progress"), "nowrap"),
            (T("col.note"), "small")]
    widths = ["6%", "20%", "16%", "9%", "9%", "9%", "9%", "12%", "10%"]
    if not any(row[-1] for row in rows):  # no KPI needs a note: give the room to the names
        cols, widths = cols[:-1], ["6%", "25%", "19%", "9%", "10%", "10%", "9%", "12%"]
        rows = [row[:-1] for row in rows]
    return html_table(cols, rows, row_classes=classes, col_widths=widths)

def kpi_status_note(status: Any, actual: Any, policy: str, lang: str) -> Markup | str:
    """The Note cell of a KPI: why it has no score of its own, or why it scores 0.

    ``excluded`` (policy ``exclude``): left out, the owner's weights renormalised; a ``scored`` KPI without an
    actual (policy ``zero``): scored 0; ``rolled_up``: scored from its children."""
    if status == "excluded":
        return tag(label("kpi_status", status, lang), "warn wb-tag-wrap")
    if status == "rolled_up":
        return tag(label("kpi_status", status, lang), "wrap")
    if status == "scored" and _missing(actual) and policy == "zero":
        return tag(t("report.kpi.no_actual_zero", lang), "bad wb-tag-wrap")
    return ""

def kpi_notes(a: Any) -> list[str]:
    """Sentences about excluded and vetoed KPIs (in the client's language)."""
    lang, T = lang_of(a), _T(lang_of(a))
    out: list[str] = []
    k = _kpi_frame(a)
    names = {} if k is None else {str(r["kpi_id"]): str(r.get("kpi", "")) for r in records(k)}
    c = getattr(a, "contracts", None)
    for r in _records(c, "contract"):
        who = _owner(r.get("owner_unit"), r.get("owner"))
        ex = r.get("excluded") or []
        if isinstance(ex, (list, tuple)) and ex:
            out.append(T("kpi.note.excluded", owner=who,
                         kpis=("、" if lang == "zh" else ", ").join(f"{x} {names.get(str(x), '')}".strip() for x in ex)))
        v = r.get("vetoed_by")
        if not _missing(v) and v:
            out.append(T("kpi.note.vetoed", owner=who, kpi=f"{v} {names.get(str(v), '')}".strip()))
    return out

def contracts_table(a: Any) -> str | None:
    """Owner performance contracts: score, veto, excluded KPIs."""
    lang, T = lang_of(a), _T(lang_of(a))
    c = getattr(a, "contracts", None)
    recs = _records(c, "contract")
    if not recs:
        return None
    order = {lvl: i for i, lvl in enumerate(OWNER_LEVEL_LABELS)}
    recs.sort(key=lambda r: (order.get(str(r.get("owner_level")), 9), str(r.get("owner_unit"))))
    rows, classes = [], []
    for r in recs:
        v = r.get("vetoed_by")
        vetoed = not _missing(v) and bool(v)
        ex = r.get("excluded") or []
        rows.append([r.get("owner_unit"), r.get("owner"), label("owner_level", r.get("owner_level"), lang),
                     fmt_num(r.get("n_kpis"), 0), chip(r.get("score")),
                     tag(T("contract.vetoed_by", kpi=v), "bad") if vetoed else "—",
                     list(ex) if isinstance(ex, (list, tuple)) and ex else "—"])
        classes.append("wb-flag" if vetoed else "")
    cols = [(T("col.owner_unit"), ""), (T("col.owner_person"), ""), (T("col.level"), "nowrap"),
            (T("col.n_kpis"), "num"), (T("col.contract_score"), "ctr"), (T("col.veto"), ""), (T("col.excluded"), "small")]
    return html_table(cols, rows, row_classes=classes)


def value_tree_warnings(a: Any) -> list[str]:
    """A KPI below company level with neither a parent KPI nor an objective hangs nowhere in the value tree
    (scoring.md v2): one warning each."""
    T = _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return []
    out = []
    for r in records(k):
        level = "company" if _missing(r.get("owner_level")) else str(r.get("owner_level"))
        if level != "company" and _missing(r.get("parent_kpi_id")) and _missing(r.get("objective_id")):
            out.append(T("kpis.tree_warning", kpi=f"{r['kpi_id']} {r.get('kpi') or ''}".strip()))
    return out
