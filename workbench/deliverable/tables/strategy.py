"""Section 02 (strategy): mission, vision and values, strategy-map checks, objective and perspective scores.
"""
from __future__ import annotations

from typing import Any

from markupsafe import escape

from workbench.deliverable.tables.base import _T, _records, chip, fmt_num, html_list, html_table, label, lang_of, tag
from workbench.intake.contract import PERSPECTIVES

__all__ = ['statements', 'strategy_warnings', 'scorecard_table', 'objectives_table', 'perspectives_table']


def statements(a: Any) -> str | None:
    """Mission, vision and values as a definition block."""
    T = _T(lang_of(a))
    prof = getattr(getattr(a, "client", a), "profile", None)
    if prof is None:
        return None
    parts = []
    if prof.mission:
        parts.append(f"<dt>{escape(T('strategy.mission'))}</dt><dd>{escape(prof.mission)}</dd>")
    if prof.vision:
        parts.append(f"<dt>{escape(T('strategy.vision'))}</dt><dd>{escape(prof.vision)}</dd>")
    if prof.values:
        vals = "".join(f"<li>{escape(v)}</li>" for v in prof.values)
        parts.append(f'<dt>{escape(T("strategy.values"))}</dt><dd><ul class="wb-values">{vals}</ul></dd>')
    return f'<dl class="wb-statement">{"".join(parts)}</dl>' if parts else None

def strategy_warnings(a: Any) -> str | None:
    ws = getattr(a, "strategy_warnings", None) or []
    return html_list([getattr(w, "message", str(w)) for w in ws])

def objectives_table(a: Any) -> str | None:
    lang, T = lang_of(a), _T(lang_of(a))
    recs = _records(getattr(a, "objectives", None), "objective_id")
    if not recs:
        return None
    porder = {p: i for i, p in enumerate(PERSPECTIVES)}
    recs.sort(key=lambda r: porder.get(str(r.get("perspective")), 9))
    rows = [[r.get("objective_id"), label("perspective", r.get("perspective"), lang), r.get("objective"),
             r.get("theme"), chip(r.get("score"), r.get("band"))] for r in recs]
    cols = [(T("col.id"), "id"), (T("col.perspective"), "nowrap"), (T("col.objective"), ""), (T("col.theme"), "small"),
            (T("col.score"), "ctr")]
    return html_table(cols, rows)

def perspectives_table(a: Any) -> str | None:
    lang, T = lang_of(a), _T(lang_of(a))
    recs = _records(getattr(a, "perspectives", None), "perspective")
    if not recs:
        return None
    rows = [[label("perspective", r.get("perspective"), lang), chip(r.get("score"), r.get("band"))] for r in recs]
    return html_table([(T("col.perspective"), ""), (T("col.score"), "ctr")], rows, css="wb-narrow")


def scorecard_table(a: Any) -> str | None:
    """The company scorecard's size (scoring.md v2: KPIs with owner_level company): the count per perspective and
    in total against the usual ranges, printed whether or not they are met."""
    from workbench.analysis.strategy import PERSPECTIVE_KPI_RANGE, TOTAL_KPI_RANGE

    lang, T = lang_of(a), _T(lang_of(a))
    sc = getattr(a, "scorecard", None)
    if not sc:
        return None
    rows, classes = [], []

    def verdict(n: int, lo: int, hi: int) -> Any:
        return tag(T("strategy.scorecard_ok"), "good") if lo <= n <= hi else tag(T("strategy.scorecard_out"), "warn")

    lo, hi = PERSPECTIVE_KPI_RANGE
    for p, n in sc["perspectives"].items():
        rows.append([label("perspective", p, lang), fmt_num(n, 0), f"{lo}-{hi}", verdict(n, lo, hi)])
        classes.append("")
    lo, hi = TOTAL_KPI_RANGE
    rows.append([T("strategy.scorecard_total"), fmt_num(sc["total"], 0), f"{lo}-{hi}", verdict(sc["total"], lo, hi)])
    classes.append("wb-total")
    cols = [(T("col.perspective"), ""), (T("col.n_kpis"), "num"), (T("strategy.scorecard_range"), "num"), ("", "")]
    table = html_table(cols, rows, row_classes=classes, css="wb-narrow")
    if sc["unlinked"]:
        table += f'<p class="wb-tnote">{escape(T("strategy.scorecard_unlinked", kpis=", ".join(sc["unlinked"])))}</p>'
    return table
