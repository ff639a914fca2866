"""Section 03a (performance contracts): one contract sheet per owner, as signed (unit, person, level, period; the
KPIs with weight, target, actual and score; veto and exclusions; the total; signature lines).

Each sheet is a ``<section class="wb-sheet">``: the stylesheet starts it on a new printed page
(``break-before: page``). Sheets are ordered company → division → department → position, then by unit and person.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from workbench.deliverable.tables.base import (
    _T,
    _kpi_frame,
    _missing,
    _records,
    chip,
    fmt_num,
    format_period,
    html_table,
    label,
    lang_of,
    tag,
    unit_cell,
)
from workbench.intake.contract import OWNER_LEVEL_LABELS
from workbench.core.frames import records

__all__ = ["contract_order", "contract_sheets", "SHEET_CLASS"]

SHEET_CLASS = "wb-sheet"


def contract_order(a: Any) -> list[dict[str, Any]]:
    """Contract records (with key ``contract``) ordered company → division → department → position."""
    recs = _records(getattr(a, "contracts", None), "contract")
    order = {lvl: i for i, lvl in enumerate(OWNER_LEVEL_LABELS)}

    def key(r: dict[str, Any]) -> tuple[int, str, str]:
        lvl = "company" if _missing(r.get("owner_level")) else str(r.get("owner_level"))
        return (order.get(lvl, 9), str(r.get("owner_unit") or ""), "" if _missing(r.get("owner")) else str(r.get("owner")))

    return sorted(recs, key=key)


def _actual_text(v: Any, T: Any) -> str:
    if isinstance(v, bool):
        return T("yes") if v else T("no")
    if isinstance(v, str):
        return v
    return fmt_num(v)


def contract_sheets(a: Any) -> list[str]:
    """One HTML sheet per contract (module docstring); [] without KPIs."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return []
    by_contract: dict[str, list[dict[str, Any]]] = {}
    for r in records(k):
        by_contract.setdefault(str(r.get("contract")), []).append(r)
    period = format_period(getattr(a, "period", ""), lang)
    sheets = []
    for c in contract_order(a):
        key = str(c["contract"])
        unit = "" if _missing(c.get("owner_unit")) else str(c.get("owner_unit"))
        person = T("contracts.none_person") if _missing(c.get("owner")) else str(c.get("owner"))
        head = (f'<table class="wb-sheet-head"><tr><th>{escape(T("contracts.unit"))}</th><td>{escape(unit)}</td>'
                f'<th>{escape(T("contracts.person"))}</th><td>{escape(person)}</td></tr>'
                f'<tr><th>{escape(T("contracts.level"))}</th><td>{escape(label("owner_level", c.get("owner_level") or "company", lang))}</td>'
                f'<th>{escape(T("contracts.period"))}</th><td>{escape(period)}</td></tr></table>')
        excluded = [str(x) for x in (c.get("excluded") or [])]
        rows, classes = [], []
        weights = 0.0
        for r in by_contract.get(key, []):
            kid = str(r.get("kpi_id"))
            w = r.get("weight")
            weights += 0.0 if _missing(w) else float(w)
            notes = []
            if r.get("veto") is True:
                notes.append(tag(T("kpi.veto"), "bad"))
            if kid in excluded:
                notes.append(tag(T("contracts.excluded_tag"), "warn"))
            rows.append([kid, r.get("kpi"), unit_cell(r.get("unit")), fmt_num(w, 2), fmt_num(r.get("target")),
                         _actual_text(r.get("actual"), T), chip(r.get("score"), r.get("band")),
                         Markup(" ").join(notes) if notes else ""])
            classes.append("wb-flag" if r.get("band") == "bad" else "")
        rows.append(["", T("contracts.total"), "", fmt_num(weights, 2), "", "", chip(c.get("score")), ""])
        classes.append("wb-total")
        cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.unit"), "small unit"), (T("col.weight"), "num"),
                (T("col.target"), "num"), (T("col.actual"), "num"), (T("col.score"), "ctr"), (T("col.note"), "small")]
        table = html_table(cols, rows, row_classes=classes, css="wb-sheet-kpis",
                           col_widths=["8%", "32%", "9%", "9%", "11%", "11%", "9%", "11%"])
        notes_html = ""
        vetoed = c.get("vetoed_by")
        if not _missing(vetoed) and vetoed:
            notes_html += f'<p class="wb-note wb-note-bad">{escape(T("contracts.vetoed", kpi=vetoed))}</p>'
        if excluded:
            notes_html += f'<p class="wb-note wb-note-warn">{escape(T("contracts.excluded", kpis=", ".join(excluded)))}</p>'
        sign = "".join(f'<div class="wb-sign-line"><span>{escape(T(s))}</span></div>'
                       for s in ("contracts.sign_owner", "contracts.sign_superior", "contracts.sign_date"))
        title = T("contracts.sheet_title", unit=unit + (f" · {c.get('owner')}" if not _missing(c.get("owner")) else ""))
        sheets.append(f'<section class="{SHEET_CLASS}" data-contract="{escape(key)}">'
                      f'<h3 class="wb-sheet-title">{escape(title)}</h3>{head}{table}{notes_html}'
                      f'<div class="wb-sign">{sign}</div>'
                      f'</section>')
    return sheets
