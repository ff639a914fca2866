"""Improvement plan checks (docs/scoring.md, "Diagnosis and plan").

Gaps (``gaps(...)`` returns these three lists, ids in table order):

- ``root_causes_without_action``: a root cause (diagnosis.root_causes) that no action's ``addresses`` names.
- ``kpis_below_60_without_action``: a KPI whose score for the period is below 60 (any status with a score,
  including a roll-up and a ``zero``-policy 0) that no action's ``addresses`` names.
- ``overdue_actions``: an action with ``due`` before the end of the period (``due < Profile.period_end``) whose
  status is not ``done`` or ``deferred``. An action with no due date is never overdue.

Also: ``carried_over`` (the ``deferred`` actions: carried into the next cycle) and ``actions_by_owner``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from workbench.intake.contract import STATUSES
from workbench.core.missing import is_missing

__all__ = ["GAP_KEYS", "addressed_ids", "overdue_actions", "gaps", "carried_over", "actions_by_owner"]

GAP_KEYS = ("root_causes_without_action", "kpis_below_60_without_action", "overdue_actions",
            "red_kpis_without_review")
CLOSED = ("done", "deferred")


def _idlist(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [p.strip() for p in v.replace("、", ",").replace(";", ",").split(",") if p.strip()]
    if isinstance(v, Iterable):
        return [str(x).strip() for x in v if not is_missing(x)]
    return [] if is_missing(v) else [str(v).strip()]


def addressed_ids(actions: pd.DataFrame | None) -> set[str]:
    """Every id named in any action's ``addresses``."""
    if actions is None or "addresses" not in actions.columns:
        return set()
    return {i for v in actions["addresses"] for i in _idlist(v)}


def overdue_actions(actions: pd.DataFrame | None, period_end: date) -> list[str]:
    """action_ids with due < period_end and status not done/deferred."""
    if actions is None or len(actions) == 0:
        return []
    end = pd.Timestamp(period_end)
    due = pd.to_datetime(actions["due"], errors="coerce")
    status = actions["status"] if "status" in actions.columns else pd.Series("planned", index=actions.index)
    mask = (due < end) & ~status.fillna("planned").astype(str).isin(CLOSED)
    return [str(a) for a in actions.loc[mask.fillna(False).astype(bool), "action_id"]]


def gaps(kpis: pd.DataFrame | None, root_causes: list[str], actions: pd.DataFrame | None,
         period_end: date) -> dict[str, list[str]]:
    """The three gap lists (module docstring). ``kpis`` is ``rollup(...).kpis`` (index kpi_id, ``score``)."""
    addressed = addressed_ids(actions)
    below: list[str] = []
    if kpis is not None and len(kpis):
        for kid, s in zip(kpis.index.astype(str), kpis["score"]):
            if not is_missing(s) and not math.isnan(float(s)) and float(s) < 60 and kid not in addressed:
                below.append(kid)
    return {
        "root_causes_without_action": [c for c in root_causes if c not in addressed],
        "kpis_below_60_without_action": below,
        "overdue_actions": overdue_actions(actions, period_end),
    }


def carried_over(actions: pd.DataFrame | None) -> pd.DataFrame | None:
    """The deferred actions (转入下一周期)."""
    if actions is None:
        return None
    if "status" not in actions.columns:
        return actions.iloc[0:0]
    return actions[actions["status"] == "deferred"]


def actions_by_owner(actions: pd.DataFrame | None, period_end: date | None = None) -> pd.DataFrame | None:
    """Per owner (index ``owner_unit``, ``owner``): a count per status, ``total`` and ``overdue``."""
    if actions is None:
        return None
    a = actions.copy()
    a["owner"] = a["owner"].where(a["owner"].notna(), "") if "owner" in a.columns else ""
    if "status" not in a.columns:
        a["status"] = "planned"
    over = set(overdue_actions(actions, period_end)) if period_end is not None else set()
    a["_overdue"] = a["action_id"].astype(str).isin(over)
    rows = []
    for (unit, owner), g in a.groupby(["owner_unit", "owner"], sort=True):
        row: dict[str, Any] = {"owner_unit": unit, "owner": owner}
        for s in STATUSES:
            row[s] = int((g["status"] == s).sum())
        row["total"] = int(len(g))
        row["overdue"] = int(g["_overdue"].sum())
        rows.append(row)
    cols = ["owner_unit", "owner", *STATUSES, "total", "overdue"]
    return pd.DataFrame(rows, columns=cols).set_index(["owner_unit", "owner"])
