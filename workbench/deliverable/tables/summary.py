"""Section 00 (executive summary): the consultant's findings first, then the contradictions said plainly, the
maturity stage and readiness, headline scores, key gaps (scoring.md v2: one item per category) and priority
actions (overdue first, then priority).
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from workbench.core.numfmt import fmt_delta
from workbench.deliverable.tables.base import (
    _T,
    _actions,
    _assessment,
    _kpi_frame,
    _missing,
    _names,
    _no_actual,
    _owner,
    _records,
    _status_tag,
    fmt_date,
    fmt_points,
    fmt_score,
    html_table,
    id_names,
    label,
    lang_of,
    named,
    score_band,
    tag,
)
from workbench.analysis.actions import id_list
from workbench.core.frames import records

__all__ = ["findings", "contradiction_notes", "maturity_statement", "headline_figures", "key_gaps_table",
           "top_gaps", "priority_actions_table"]


def _ordered_findings(df: pd.DataFrame) -> list[dict[str, Any]]:
    """By ``rank`` (1 first); rows without a rank after the ranked ones, in table order."""
    recs = records(df)
    def key(pr: tuple[int, dict[str, Any]]) -> tuple[int, float, int]:
        pos, r = pr
        rk = r.get("rank")
        try:
            return (0, float(rk), pos) if not _missing(rk) else (1, 0.0, pos)
        except (TypeError, ValueError):
            return (1, 0.0, pos)
    return [r for _, r in sorted(enumerate(recs), key=key)]


def findings(a: Any) -> str | None:
    """The consultant's findings as a numbered list: headline, so what, recommendation, linked ids with names."""
    T = _T(lang_of(a))
    df = getattr(getattr(a, "client", a), "tables", {}).get("findings")
    if df is None or not len(df):
        return None
    names = id_names(a)
    parts = []
    for r in _ordered_findings(df):
        body = [f'<p class="wb-finding-head">{escape(r.get("finding") or "")}</p>']
        for col, key in (("so_what", "so_what"), ("recommendation", "recommendation")):
            if not _missing(r.get(col)):
                body.append(f'<p class="wb-finding-{key}"><span class="wb-finding-label">{escape(T("summary." + key))}'
                            f'</span>{escape(r.get(col))}</p>')
        ids = id_list(r.get("addresses"))
        if ids:
            links = "".join(f'<span class="wb-link">{escape(named(a, [i], names))}</span>' for i in ids)
            body.append(f'<p class="wb-finding-links"><span class="wb-finding-label">{escape(T("summary.linked"))}'
                        f'</span>{links}</p>')
        parts.append(f'<li class="wb-finding">{"".join(body)}</li>')
    return f'<ol class="wb-findings">{"".join(parts)}</ol>'


def _contract_name(a: Any, key: str) -> str:
    c = getattr(a, "contracts", None)
    if c is None or key not in c.index:
        return key
    r = c.loc[key]
    return _owner(r.get("owner_unit"), r.get("owner"))


def contradiction_notes(a: Any) -> list[str]:
    """The contradictions (a company contract ≥ 90 while KPIs tied to a problem, or of a red objective, score
    below 60) as a partner says them: one sentence per contract and problem (or objective), naming its KPIs."""
    lang, T = lang_of(a), _T(lang_of(a))
    names = id_names(a)
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for x in sorted(getattr(a, "contradictions", None) or [], key=lambda x: x.why != "problem"):
        groups.setdefault((x.contract, x.why, x.ref), []).append(x)
    sep = "、" if lang == "zh" else ", "
    out = []
    for (contract, why, ref), xs in groups.items():
        kpis = sep.join(T("summary.contradiction.kpi", kpi=named(a, [x.kpi], names), score=fmt_score(x.kpi_score))
                        for x in xs)
        common = {"contract": _contract_name(a, contract), "contract_score": fmt_score(xs[0].contract_score),
                  "kpis": kpis}
        if why == "problem":
            problem = f"{ref}「{names.get(ref, '')}」" if lang == "zh" else f"{ref} ({names.get(ref, '')})"
            out.append(T("summary.contradiction.problem", problem=problem, **common))
        else:
            out.append(T("summary.contradiction.objective", objective=named(a, [ref], names), **common))
    return out


def maturity_statement(a: Any) -> list[str]:
    """The stage, the unscored points, the target gap and the categories that need most points, as sentences."""
    lang, T = lang_of(a), _T(lang_of(a))
    m = getattr(a, "maturity", None)
    res = _assessment(a)
    if m is None or res is None:
        return []
    out = [T("summary.stage", total=fmt_points(m.total), points=fmt_points(res.framework.total_points),
             stage=m.label, low=fmt_points(m.stage.min), high=fmt_points(m.stage.max))]
    if m.unscored_points:
        out.append(T("summary.stage_unscored", points=fmt_points(m.unscored_points)))
    if m.target_score is not None:
        key = "summary.target_gap" if m.gap > 0 else "summary.target_met"
        out.append(T(key, target=fmt_points(m.target_score), gap=fmt_points(abs(m.gap))))
        rd = getattr(a, "readiness", None)
        if rd is not None and len(rd):
            cats = {c.id: c.name(lang) for c in res.framework.categories}
            sep = "、" if lang == "zh" else "; "
            out.append(T("summary.readiness_lead", categories=sep.join(
                T("summary.readiness_item", category=c, name=cats.get(c, ""), need=fmt_points(round(n, 2)))
                for c, n in rd["need"].head(3).items())))
    return out


def headline_figures(a: Any) -> list[dict[str, Any]]:
    """Cards: assessment total and stage, company contract score(s), perspective scores."""
    lang, T = lang_of(a), _T(lang_of(a))
    cards: list[dict[str, Any]] = []
    res = _assessment(a)
    if res is not None:
        fw_total = getattr(res.framework, "total_points", 1000)
        sub = T("summary.unscored", points=fmt_points(res.unscored_points)) if res.unscored_points else None
        cards.append({"label": T("summary.assessment_total", total=fw_total), "value": fmt_points(res.total),
                      "band": None, "sub": sub})
        m = getattr(a, "maturity", None)
        if m is not None:
            gap = None
            if m.target_score is not None:
                gap = T("summary.target_card", target=fmt_points(m.target_score)) + " " + \
                    fmt_delta(-m.gap, points=True)
            cards.append({"label": T("summary.stage_card"), "value": m.label, "band": None, "sub": gap})
    recs = _records(getattr(a, "contracts", None), "contract")
    company = [r for r in recs if r.get("owner_level") == "company" or _missing(r.get("owner_level"))]
    for r in company[:2]:
        owner = "" if _missing(r.get("owner_unit")) else str(r.get("owner_unit"))
        veto = None if _missing(r.get("vetoed_by")) or not r.get("vetoed_by") else T("contract.vetoed_by", kpi=r.get("vetoed_by"))
        cards.append({"label": T("summary.contract_company"),
                      "value": fmt_score(r.get("score")), "band": score_band(r.get("score")),
                      "sub": veto, "title": owner or None})  # the owner in a tooltip: the label stays short
    for r in _records(getattr(a, "perspectives", None), "perspective"):
        cards.append({"label": label("perspective", r.get("perspective"), lang), "value": fmt_score(r.get("score")),
                      "band": score_band(r.get("score"))})
    return cards


def key_gaps_table(a: Any) -> str | None:
    """The key gaps (scoring.md v2): the item losing most points in each category, top 5."""
    lang, T = lang_of(a), _T(lang_of(a))
    kg = getattr(a, "key_gaps", None)
    res = _assessment(a)
    if kg is None or res is None or not len(kg):
        return None
    cats = {c.id: c.name(lang) for c in res.framework.categories}
    rows = []
    for iid, r in kg.iterrows():
        item = res.items.loc[iid]
        rows.append([iid, item[f"name_{lang}"], f"{r['category']} {cats.get(r['category'], '')}",
                     f"{fmt_points(r['score'])} / {fmt_points(r['points'])}", fmt_points(r["lost"])])
    cols = [(T("col.item"), "id"), (T("col.item_name"), ""), (T("col.category_id"), "small"),
            (T("col.score_of"), "num"), (T("col.lost"), "num")]
    return html_table(cols, rows, col_widths=["10%", "36%", "24%", "16%", "14%"])


def top_gaps(a: Any, max_gaps: int = 5, max_items: int = 0) -> list[str]:
    """The plan's gap lists as sentences (root causes, KPIs below 60 without an action, overdue actions, red KPIs
    without a review): at most ``max_gaps``, the rest counted. ``max_items`` > 0 adds the key gaps as sentences."""
    lang, T = lang_of(a), _T(lang_of(a))
    gaps = getattr(a, "gaps", None) or {}
    causes = _names(a, "causes", "cause_id", "cause")
    actions_df = _actions(a)
    actions = {} if actions_df is None else {str(r.get("action_id")): r for r in _records(actions_df, "action_id")}
    k = _kpi_frame(a)
    kpis = {} if k is None else {str(r["kpi_id"]): r for r in records(k)}

    def name(text: Any) -> str:
        return "" if _missing(text) else str(text)

    listed: list[str] = []
    for cid in gaps.get("root_causes_without_action") or []:
        listed.append(T("summary.gap.root", cause=f"{cid} {causes.get(str(cid), '')}".strip()))
    for kid in gaps.get("kpis_below_60_without_action") or []:
        r = kpis.get(str(kid), {})
        if _no_actual(r):  # missing data under the zero policy: say so, not "scores 0"
            listed.append(T("summary.gap.kpi_missing", kpi=f"{kid} {name(r.get('kpi'))}".strip()))
            continue
        listed.append(T("summary.gap.kpi", kpi=f"{kid} {name(r.get('kpi'))}".strip(), score=fmt_score(r.get("score"))))
    for aid in gaps.get("overdue_actions") or []:
        r = actions.get(str(aid), {})
        listed.append(T("summary.gap.overdue", action=f"{aid} {name(r.get('action'))}".strip(),
                        due=fmt_date(r.get("due"), lang), owner=_owner(r.get("owner_unit"), r.get("owner"))))
    for kid in gaps.get("red_kpis_without_review") or []:
        r = kpis.get(str(kid), {})
        listed.append(T("review.gap", kpi=f"{kid} {name(r.get('kpi'))}".strip(), score=fmt_score(r.get("score"))))
    out = listed[:max_gaps]
    if len(listed) > max_gaps:
        out.append(T("summary.gap.more", n=len(listed) - max_gaps))
    kg = getattr(a, "key_gaps", None)
    res = _assessment(a)
    if max_items > 0 and kg is not None and res is not None:
        for iid, r in kg.head(max_items).iterrows():
            out.append(T("summary.gap.item", item=iid, name=res.items.loc[iid, f"name_{lang}"],
                         score=fmt_points(r["score"]), points=fmt_points(r["points"])))
    return out


def priority_actions_table(a: Any, limit: int = 6) -> str | None:
    """The priority actions (scoring.md v2): open, overdue first, then priority, then due date."""
    lang, T = lang_of(a), _T(lang_of(a))
    df = _actions(a)
    ids = list(getattr(a, "priority_actions", None) or [])[:limit]
    if df is None or not ids:
        return None
    by_id = {str(r.get("action_id")): r for r in records(df)}
    overdue = {str(x) for x in (getattr(a, "gaps", {}) or {}).get("overdue_actions", [])}
    prio = getattr(a, "action_priority", {}) or {}
    names = id_names(a)
    rows, classes = [], []
    for aid in ids:
        r = by_id[aid]
        st = _status_tag(r.get("status"), lang)
        if aid in overdue:
            st = st + Markup(" ") + tag(T("plan.overdue"), "bad")
        what = Markup(f"{escape(r.get('action') or '')}")
        adr = id_list(r.get("addresses"))
        if adr:
            what += Markup(f'<div class="wb-sub-line">→ {escape(named(a, adr, names, limit=14 if lang == "zh" else 28))}</div>')
        rows.append([aid, what, _owner(r.get("owner_unit"), r.get("owner")), fmt_date(r.get("due"), lang),
                     fmt_score(prio.get(aid, 0.0)), st])
        classes.append("wb-flag" if aid in overdue else "")
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.owner"), "small"), (T("col.due"), "nowrap"),
            (T("col.priority"), "num"), (T("col.status"), "nowrap")]
    return html_table(cols, rows, row_classes=classes, col_widths=["7%", "47%", "17%", "11%", "8%", "10%"])
