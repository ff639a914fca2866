"""Section 05 (improvement plan) and the appendix: actions by owner, gap lists, carried-over actions, notes on
the data and on the method.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from workbench.analysis.actions import id_list
from workbench.core.numfmt import fmt_delta
from workbench.deliverable.tables.base import (
    fmt_num,
    fmt_score,
    id_names,
    named,
    _T,
    _actions,
    _kpi_frame,
    _missing,
    _names,
    _no_actual,
    _owner,
    _status_tag,
    _tree_order,
    band_legend,
    chip,
    fmt_date,
    format_period,
    html_table,
    lang_of,
    tag,
)
from workbench.core.frames import records

__all__ = ['smart_tags', 'action_effects_table', 'actions_by_owner', 'gaps_table', 'missing_actual_notes', 'data_notes', 'carried_over', 'method_notes']


def _labelled(T: Any, key: str, value: Any) -> str:
    if _missing(value):
        return ""
    return (f'<div class="wb-sub-line"><span class="wb-field">{escape(T("plan." + key))}</span>'
            f'{escape(value)}</div>')


def smart_tags(a: Any, action_id: str) -> Markup:
    """The SMART warnings of an action as amber tags (never errors)."""
    T = _T(lang_of(a))
    codes = (getattr(a, "smart_warnings", None) or {}).get(str(action_id), [])
    return Markup(" ").join(tag(T(f"plan.smart.{c}"), "warn wb-tag-wrap") for c in codes)


def actions_by_owner(a: Any) -> str | None:
    """The action plan grouped by responsible unit: action with goal, resources and acceptance; what it
    addresses; owner; start → due; status (overdue, carry-over reason); priority; SMART warnings."""
    lang, T = lang_of(a), _T(lang_of(a))
    df = _actions(a)
    if df is None:
        return None
    overdue = set(str(x) for x in (getattr(a, "gaps", {}) or {}).get("overdue_actions", []) or [])
    prio = getattr(a, "action_priority", None) or {}
    names = id_names(a)
    rows, classes = [], []
    for unit, g in df.groupby("owner_unit", sort=True):
        rows.append([Markup(f"<strong>{escape(unit)}</strong>"), "", "", "", "", "", ""])
        classes.append("wb-sub")
        g = g.sort_values("due", kind="stable") if "due" in g.columns else g
        for r in records(g):
            aid = str(r.get("action_id"))
            st = _status_tag(r.get("status"), lang)
            if aid in overdue:
                st = st + Markup(" ") + tag(T("plan.overdue"), "bad")
            if r.get("status") == "deferred" and not _missing(r.get("reason")):
                st = st + Markup(_labelled(T, "reason", r.get("reason")))
            what = Markup(escape(r.get("action") or "") + Markup(
                _labelled(T, "goal", r.get("goal")) + _labelled(T, "resources", r.get("resources"))
                + _labelled(T, "acceptance", r.get("acceptance"))))
            warn = smart_tags(a, aid)
            if warn:
                what += Markup('<div class="wb-smart">') + warn + Markup("</div>")
            adr = id_list(r.get("addresses"))
            rows.append([aid, what, Markup("<br>".join(escape(named(a, [x], names, limit=14 if lang == "zh" else 28)) for x in adr)) if adr else "—",
                         r.get("owner"),
                         Markup(f"{escape(fmt_date(r.get('start'), lang))}<br>→ {escape(fmt_date(r.get('due'), lang))}"),
                         st, fmt_score(prio.get(aid, 0.0))])
            classes.append("wb-flag" if aid in overdue else "")
    cols = [(T("col.id"), "id"), (T("col.action_goal"), ""), (T("col.addresses"), "small"), (T("col.owner_person"), "nowrap"),
            (T("col.dates"), "small nowrap"), (T("col.status"), "small"), (T("col.priority"), "num")]
    return html_table(cols, rows, row_classes=classes, col_widths=["6%", "40%", "17%", "9%", "12%", "10%", "6%"])


def action_effects_table(a: Any) -> str | None:
    """Done actions: per KPI they address, the actual and score before and now (scoring.md v2); "no data to
    evaluate" when none of its KPIs has actuals."""
    lang, T = lang_of(a), _T(lang_of(a))
    df = _actions(a)
    effects = getattr(a, "action_effects", None) or {}
    if df is None:
        return None
    names = id_names(a)
    rows = []
    for r in records(df):
        aid = str(r.get("action_id"))
        eff = effects.get(aid)
        if eff is None:
            continue
        if not eff:
            rows.append([aid, r.get("action"), "—", Markup(f'<span class="muted">{escape(T("plan.no_effect_data"))}</span>'),
                         "", ""])
            continue
        for kid, e in eff.items():
            before = Markup(f'{escape(fmt_num(e["before"]))} ') + chip(e["before_score"]) + \
                Markup(f'<div class="wb-sub-line">{escape(format_period(e["before_period"], lang))}</div>')
            after = Markup(f'{escape(fmt_num(e["after"]))} ') + chip(e["after_score"]) + \
                Markup(f'<div class="wb-sub-line">{escape(format_period(e["after_period"], lang))}</div>')
            rows.append([aid, r.get("action"), named(a, [kid], names), before, after,
                         fmt_delta(e["after_score"] - e["before_score"], 1)])
    if not rows:
        return None
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.kpi"), "small"), (T("col.before"), "nowrap"),
            (T("col.after"), "nowrap"), (T("col.change"), "num")]
    return html_table(cols, rows, col_widths=["7%", "33%", "20%", "15%", "15%", "10%"])


def gaps_table(a: Any) -> str | None:
    """Gap lists: root causes without action, KPIs below 60 without action, overdue actions."""
    T = _T(lang_of(a))
    gaps = getattr(a, "gaps", None) or {}
    causes = _names(a, "causes", "cause_id", "cause")
    actions = _names(a, "actions", "action_id", "action")
    k = _kpi_frame(a)
    kpis = {} if k is None else {str(r["kpi_id"]): str(r.get("kpi", "")) for r in records(k)}
    scores = {} if k is None else {str(r["kpi_id"]): r.get("score") for r in records(k)}
    rows = []
    for cid in gaps.get("root_causes_without_action", []) or []:
        rows.append([T("gap.root_cause"), cid, causes.get(str(cid), "")])
    missing = set() if k is None else {str(r["kpi_id"]) for r in records(k) if _no_actual(r)}
    for kid in gaps.get("kpis_below_60_without_action", []) or []:
        if str(kid) in missing:  # no actual, scored 0 by the client's policy: missing data, not poor performance
            rows.append([T("gap.kpi_missing"), kid, Markup(f"{escape(kpis.get(str(kid), ''))} ")
                         + tag(T("kpi.no_actual_period"), "warn wb-tag-wrap")])
            continue
        rows.append([T("gap.kpi_below_60"), kid, Markup(f"{escape(kpis.get(str(kid), ''))} ") + chip(scores.get(str(kid)))])
    for aid in gaps.get("overdue_actions", []) or []:
        rows.append([T("gap.overdue"), aid, actions.get(str(aid), "")])
    for kid in gaps.get("red_kpis_without_review", []) or []:
        rows.append([T("gap.red_without_review"), kid, Markup(f"{escape(kpis.get(str(kid), ''))} ")
                     + chip(scores.get(str(kid)))])
    if not rows:
        return None
    cols = [(T("col.gap_kind"), "nowrap"), (T("col.id"), "id"), (T("col.subject"), "")]
    return html_table(cols, rows, col_widths=["26%", "10%", "64%"])

def missing_actual_notes(a: Any) -> list[str]:
    """One sentence per KPI without an actual for the period, saying what the client's policy did with it."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return []
    period = format_period(getattr(a, "period", None) or getattr(getattr(getattr(a, "client", a), "profile", None),
                                                                   "period", ""), lang)
    out = []
    for r in records(_tree_order(k, "kpi_id", "parent_kpi_id")):
        what = None
        if r.get("status") == "excluded":
            what = "excluded"
        elif _no_actual(r):
            what = "zero"
        if what:
            out.append(T(f"appendix.missing.{what}", kpi=f"{r.get('kpi_id')} {'' if _missing(r.get('kpi')) else r.get('kpi')}".strip(),
                         owner=_owner(r.get("owner_unit"), r.get("owner")), period=period))
    return out

def data_notes(a: Any) -> list[str]:
    """The appendix's notes on the data: every KPI without an actual (and what the policy did), then the
    data checks' warnings."""
    return missing_actual_notes(a) + [str(w) for w in (getattr(a, "warnings", None) or [])]

def carried_over(a: Any) -> str | None:
    """Actions deferred to the next cycle (status ``deferred``)."""
    lang, T = lang_of(a), _T(lang_of(a))
    gaps = getattr(a, "gaps", None) or {}
    df = _actions(a)
    if df is None:
        return None
    ids = gaps.get("carried_over") if isinstance(gaps.get("carried_over"), (list, tuple)) else None
    if ids is not None:
        sel = df[df["action_id"].astype(str).isin([str(i) for i in ids])]
    else:
        sel = df[df["status"].astype(str) == "deferred"] if "status" in df.columns else df.iloc[0:0]
    if not len(sel):
        return None
    rows = [[r.get("action_id"), r.get("action"), _owner(r.get("owner_unit"), r.get("owner")), fmt_date(r.get("due"), lang),
             "—" if _missing(r.get("reason")) else r.get("reason")] for r in records(sel)]
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.owner"), "small"), (T("col.due"), "nowrap"),
            (T("col.reason"), "small")]
    return html_table(cols, rows, col_widths=["8%", "38%", "18%", "12%", "24%"])

def method_notes(a: Any) -> list[str]:
    """How the numbers were computed (appendix), in the client's language."""
    T = _T(lang_of(a))
    prof = getattr(getattr(a, "client", a), "profile", None)
    policy = getattr(prof, "missing_actuals", "exclude") or "exclude"
    return [T("method.scale"), band_legend(a), T("method.contract"), T(f"method.missing.{policy}"), T("method.veto"),
            T("method.objective"), T("method.assessment"), T("method.priority")]
