"""What the plan's actions are worth (docs/scoring.md, "Judgement (v2)"): priority, SMART check, effect.

- **Priority** (0-100): the largest of 4 × the priority of each cause it addresses, 100 − the score of each KPI it
  addresses (clamped to 0-100) and 100 − the consensus % of each assessment item it addresses; ids without a
  number (an objective, an unscored KPI or item, a cause without impact/effort) add nothing; 0 when nothing counts.
- **Priority actions**: the open actions (not ``done``/``deferred``), overdue first, then priority (high first), then
  due date (early first), then table order.
- **SMART warnings** (codes, never errors): ``goal_not_measurable`` (goal empty or without a digit), ``no_due``,
  ``no_owner`` (no ``owner`` person), ``no_acceptance``.
- **Effect** of a ``done`` action, per addressed KPI with actuals: ``before`` = the KPI's actual in the last period
  ending on or before ``start`` (no start, or no such period: its first period), ``after`` = its latest actual up to
  the scored period; each with its score. A done action whose KPIs have no actuals gets an empty effect ("no data
  to evaluate"); actions that are not done have none (None).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from workbench.core.ids import split_ids
from workbench.core.missing import is_missing
from workbench.core.numfmt import as_float
from workbench.intake.model import normalise_period, period_end, period_sort_key
from workbench.core.frames import records

__all__ = ["CLOSED", "SMART_CODES", "id_list", "action_priority", "priorities", "priority_actions",
           "smart_warnings", "action_effects", "carried_over_since"]

CLOSED = ("done", "deferred")
SMART_CODES = ("goal_not_measurable", "no_due", "no_owner", "no_acceptance")
_DIGIT = re.compile(r"\d")


def id_list(v: Any) -> list[str]:
    """An ``addresses`` cell as ids (a list already, or text separated by , ， 、 ; ；): ``core.ids.split_ids``."""
    if v is not None and not isinstance(v, (str, list, tuple)) and hasattr(v, "__iter__"):
        v = list(v)
    return split_ids(v)


_num = as_float  # a finite number or None


def action_priority(addresses: Any, cause_priority: dict[str, float], kpi_score: dict[str, float],
                    item_consensus: dict[str, float]) -> float:
    """The priority of one action (module docstring)."""
    best = 0.0
    for i in id_list(addresses):
        for value in (4 * cause_priority[i] if _num(cause_priority.get(i)) is not None else None,
                      100 - kpi_score[i] if _num(kpi_score.get(i)) is not None else None,
                      100 - item_consensus[i] if _num(item_consensus.get(i)) is not None else None):
            if value is not None:
                best = max(best, min(100.0, max(0.0, float(value))))
    return best


def priorities(actions: pd.DataFrame | None, causes: pd.DataFrame | None, kpis: pd.DataFrame | None,
               items: pd.DataFrame | None) -> dict[str, float]:
    """action_id → priority. ``causes`` is diagnosis.analyse_causes (``priority``), ``kpis`` rollup(...).kpis
    (``score``), ``items`` assessment items (``consensus_pct``); each may be None."""
    if actions is None or not len(actions):
        return {}
    cp = {} if causes is None else {str(k): v for k, v in _series(causes, "cause_id", "priority").items()}
    ks = {} if kpis is None else {str(k): v for k, v in _series(kpis, "kpi_id", "score").items()}
    ic = {} if items is None else {str(k): v for k, v in _series(items, "item_id", "consensus_pct").items()}
    adr = actions["addresses"] if "addresses" in actions.columns else [None] * len(actions)
    return {str(aid): action_priority(a, cp, ks, ic) for aid, a in zip(actions["action_id"], adr)}


def _series(df: pd.DataFrame, id_col: str, col: str) -> pd.Series:
    frame = df.set_index(id_col) if id_col in df.columns else df
    return frame[col] if col in frame.columns else pd.Series(dtype=float)


def _status(v: Any) -> str:
    return "planned" if is_missing(v) else str(v)


def priority_actions(actions: pd.DataFrame | None, prio: dict[str, float], overdue: Iterable[str]) -> list[str]:
    """Open action ids: overdue first, then priority descending, then due ascending (no due last), table order."""
    if actions is None or not len(actions):
        return []
    late = {str(x) for x in overdue}
    rows = []
    for pos, r in enumerate(records(actions)):
        if _status(r.get("status")) in CLOSED:
            continue
        aid = str(r["action_id"])
        due = pd.Timestamp(r["due"]) if not is_missing(r.get("due")) else pd.Timestamp.max
        rows.append((aid not in late, -prio.get(aid, 0.0), due, pos, aid))
    return [r[-1] for r in sorted(rows)]


def smart_warnings(row: dict[str, Any]) -> list[str]:
    """SMART codes of one action row, in SMART_CODES order."""
    out = []
    goal = row.get("goal")
    if is_missing(goal) or not _DIGIT.search(str(goal)):
        out.append("goal_not_measurable")
    if is_missing(row.get("due")):
        out.append("no_due")
    if is_missing(row.get("owner")):
        out.append("no_owner")
    if is_missing(row.get("acceptance")):
        out.append("no_acceptance")
    return out


def _history_of(kpi_history: pd.DataFrame, kid: str, upto: str) -> list[tuple[str, Any, float]]:
    """(period, actual, score) of one KPI's own actuals up to ``upto``, chronological."""
    h = kpi_history[(kpi_history["kpi_id"].astype(str) == kid)]
    limit = period_sort_key(upto)
    out = []
    for per, act, sc in zip(h["period"], h["actual"], h["score"]):
        if is_missing(act) or period_sort_key(per) > limit:
            continue
        out.append((str(per), act, float(sc)))
    out.sort(key=lambda r: period_sort_key(r[0]))
    return out


def action_effects(actions: pd.DataFrame | None, kpi_history: pd.DataFrame | None, kpi_ids: Iterable[str],
                   period: str) -> dict[str, dict[str, dict[str, Any]] | None]:
    """action_id → {kpi_id: {before, after, before_period, after_period, before_score, after_score}} for done
    actions (empty when none of its KPIs has actuals), None for the others (module docstring)."""
    if actions is None or not len(actions):
        return {}
    known = {str(k) for k in kpi_ids}
    cur = normalise_period(period)
    out: dict[str, dict[str, dict[str, Any]] | None] = {}
    for r in records(actions):
        aid = str(r["action_id"])
        if _status(r.get("status")) != "done":
            out[aid] = None
            continue
        effect: dict[str, dict[str, Any]] = {}
        start = r.get("start")
        start_d: date | None = None if is_missing(start) else pd.Timestamp(start).date()
        for kid in id_list(r.get("addresses")):
            if kid not in known or kpi_history is None:
                continue
            hist = _history_of(kpi_history, kid, cur)
            if not hist:
                continue
            before = hist[0]
            if start_d is not None:
                earlier = [h for h in hist if _ends_by(h[0], start_d)]
                if earlier:
                    before = earlier[-1]
            after = hist[-1]
            effect[kid] = {"before": before[1], "after": after[1], "before_score": before[2],
                           "after_score": after[2], "before_period": before[0], "after_period": after[0]}
        out[aid] = effect
    return out


def _ends_by(per: str, day: date) -> bool:
    try:
        return period_end(per) <= day
    except ValueError:
        return False


def carried_over_since(actions: pd.DataFrame | None, earlier_period: str) -> list[str]:
    """Actions carried over from an earlier round: ``deferred``, or open and due before that period's end."""
    if actions is None or not len(actions):
        return []
    try:
        end = pd.Timestamp(period_end(earlier_period))
    except ValueError:
        end = None
    out = []
    for r in records(actions):
        st = _status(r.get("status"))
        due = r.get("due")
        late = end is not None and not is_missing(due) and pd.Timestamp(due) < end
        if st == "deferred" or (st not in CLOSED and late):
            out.append(str(r["action_id"]))
    return out
