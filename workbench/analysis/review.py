"""The quarterly review, the company scorecard's size and the contradictions a partner would point out
(docs/scoring.md, "Judgement (v2)").

- **Quarterly review**: every KPI with its own actual in the period that scores below 100: target, actual,
  deviation (actual − target, and as % of target: NaN without a numeric target, or with target 0), score, and the
  ``reviews`` rows of that KPI and period (cause, countermeasure, owner, due; several rows are joined). A KPI of the
  review below 60 without a review row is a gap (``red_kpis_without_review``).
- **Scorecard size**: the company scorecard is the KPIs with ``owner_level`` company (the default), counted per
  perspective of their objective; ``total`` counts those linked to an objective, ``unlinked`` the others.
- **Contradictions**: a company contract scoring 90 or more while a KPI tied to a problem, or a KPI of an objective
  scoring below 60 (red), itself scores below 60 (a KPI scored 0 only for want of an actual, policy ``zero``, is
  missing data and is left to the data notes). A KPI is tied to a problem when its name is the problem's
  ``metric``, or when one finding or action addresses both the KPI and the problem (or one of its causes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.analysis.actions import id_list
from workbench.core.missing import is_missing
from workbench.core.numfmt import as_float
from workbench.intake.contract import PERSPECTIVES
from workbench.intake.model import normalise_period
from workbench.core.frames import records

__all__ = ["REVIEW_COLUMNS", "quarterly_review", "red_kpis_without_review", "scorecard_counts", "Contradiction",
           "contradictions", "problem_kpis", "CONTRACT_HIGH", "RED_BELOW"]

REVIEW_COLUMNS = ["kpi", "owner_unit", "owner", "unit", "target", "actual", "deviation", "deviation_pct", "score",
                  "cause", "countermeasure", "review_owner", "review_due", "reviewed"]
CONTRACT_HIGH = 90.0
RED_BELOW = 60.0


_num = as_float  # a finite number or None


def _join(values: list[Any]) -> str | None:
    vals = [str(v).strip() for v in values if not is_missing(v)]
    return "; ".join(dict.fromkeys(vals)) or None


def quarterly_review(kpis: pd.DataFrame | None, reviews: pd.DataFrame | None, period: str) -> pd.DataFrame | None:
    """One row per KPI of the review (index kpi_id, REVIEW_COLUMNS), in KPI table order. None without KPIs."""
    if kpis is None:
        return None
    cur = normalise_period(period)
    by_kpi: dict[str, list[dict[str, Any]]] = {}
    if reviews is not None and len(reviews):
        for r in records(reviews):
            if normalise_period(r.get("period")) == cur:
                by_kpi.setdefault(str(r.get("kpi_id")), []).append(r)
    rows = []
    for kid, r in zip(kpis.index.astype(str), records(kpis)):
        score = _num(r.get("score"))
        if is_missing(r.get("actual")) or score is None or score >= 100:
            continue
        actual, target = _num(r.get("actual")), _num(r.get("target"))
        dev = actual - target if actual is not None and target is not None else math.nan
        dev_pct = 100 * dev / target if target not in (None, 0.0) and not math.isnan(dev) else math.nan
        rv = by_kpi.get(kid, [])
        rows.append({"kpi_id": kid, "kpi": r.get("kpi"), "owner_unit": r.get("owner_unit"), "owner": r.get("owner"),
                     "unit": r.get("unit"), "target": r.get("target"), "actual": r.get("actual"), "deviation": dev,
                     "deviation_pct": dev_pct, "score": score,
                     "cause": _join([x.get("cause") for x in rv]),
                     "countermeasure": _join([x.get("countermeasure") for x in rv]),
                     "review_owner": _join([x.get("owner") for x in rv]),
                     "review_due": next((x.get("due") for x in rv if not is_missing(x.get("due"))), None),
                     "reviewed": bool(rv)})
    return pd.DataFrame(rows, columns=["kpi_id", *REVIEW_COLUMNS]).set_index("kpi_id")


def red_kpis_without_review(review: pd.DataFrame | None) -> list[str]:
    """KPIs of the review scoring below 60 with no review row."""
    if review is None or not len(review):
        return []
    return [str(k) for k, s, ok in zip(review.index, review["score"], review["reviewed"]) if s < RED_BELOW and not ok]


def _level(v: Any) -> str:
    return "company" if is_missing(v) else str(v)


def scorecard_counts(kpis: pd.DataFrame | None, objectives: pd.DataFrame | None) -> dict[str, Any] | None:
    """{"perspectives": {perspective: n}, "total": n, "unlinked": [kpi ids]} over the company KPIs. None without
    KPIs or objectives."""
    if kpis is None or objectives is None or not len(objectives):
        return None
    persp = {str(o): p for o, p in zip(objectives["objective_id"], objectives["perspective"])}
    frame = kpis.reset_index() if "kpi_id" not in kpis.columns else kpis
    counts = {p: 0 for p in PERSPECTIVES}
    unlinked: list[str] = []
    levels = frame["owner_level"] if "owner_level" in frame.columns else [None] * len(frame)
    objs = frame["objective_id"] if "objective_id" in frame.columns else [None] * len(frame)
    for kid, lvl, obj in zip(frame["kpi_id"], levels, objs):
        if _level(lvl) != "company":
            continue
        p = None if is_missing(obj) else persp.get(str(obj))
        if p in counts:
            counts[p] += 1
        else:
            unlinked.append(str(kid))
    return {"perspectives": counts, "total": sum(counts.values()), "unlinked": unlinked}


@dataclass(frozen=True)
class Contradiction:
    """A company contract at ``contract_score`` ≥ 90 while ``kpi`` scores ``kpi_score`` < 60; ``why`` is
    ``problem`` (with ``ref`` the problem id) or ``objective`` (with ``ref`` the red objective id)."""

    contract: str
    contract_score: float
    kpi: str
    kpi_score: float
    why: str
    ref: str


def problem_kpis(kpis: pd.DataFrame | None, problems: pd.DataFrame | None, causes: pd.DataFrame | None,
                 linking: list[pd.DataFrame | None]) -> dict[str, list[str]]:
    """kpi_id → the problem ids it is tied to (module docstring)."""
    if kpis is None or problems is None or not len(problems):
        return {}
    names = {str(k): str(n).strip() for k, n in zip(kpis.index, kpis["kpi"])} if "kpi" in kpis.columns else {}
    out: dict[str, list[str]] = {}

    def tie(kid: str, pid: str) -> None:
        if pid not in out.setdefault(kid, []):
            out[kid].append(pid)

    pids = [str(p) for p in problems["problem_id"]]
    metrics = problems["metric"] if "metric" in problems.columns else [None] * len(pids)
    for pid, metric in zip(pids, metrics):
        if is_missing(metric):
            continue
        for kid, name in names.items():
            if name == str(metric).strip():
                tie(kid, pid)
    cause_problem: dict[str, str] = {}
    if causes is not None and len(causes):
        frame = causes.reset_index() if "cause_id" not in causes.columns else causes
        cause_problem = {str(c): str(p) for c, p in zip(frame["cause_id"], frame["problem_id"])}
    for table in linking:
        if table is None or "addresses" not in table.columns:
            continue
        for cell in table["addresses"]:
            ids = id_list(cell)
            probs = {i for i in ids if i in pids} | {cause_problem[i] for i in ids if i in cause_problem}
            for kid in (i for i in ids if i in names):
                for pid in sorted(probs, key=pids.index):
                    tie(kid, pid)
    return {k: v for k, v in out.items() if v}


def contradictions(contracts: pd.DataFrame | None, kpis: pd.DataFrame | None, objectives: pd.DataFrame | None,
                   tied: dict[str, list[str]]) -> list[Contradiction]:
    """Every (company contract ≥ 90, red KPI tied to a problem or of a red objective) pair, in table order."""
    if contracts is None or kpis is None:
        return []
    high = [(str(k), float(s)) for k, s, lvl in zip(contracts.index, contracts["score"], contracts["owner_level"])
            if _level(lvl) == "company" and _num(s) is not None and float(s) >= CONTRACT_HIGH]
    if not high:
        return []
    red_obj = set()
    if objectives is not None and len(objectives):
        red_obj = {str(o) for o, s in zip(objectives.index, objectives["score"])
                   if _num(s) is not None and float(s) < RED_BELOW}
    out = []
    objs = kpis["objective_id"] if "objective_id" in kpis.columns else [None] * len(kpis)
    missing = kpis["missing"] if "missing" in kpis.columns else [False] * len(kpis)
    for kid, score, obj, miss in zip(kpis.index.astype(str), kpis["score"], objs, missing):
        s = _num(score)
        if s is None or s >= RED_BELOW or bool(miss):  # a 0 for a missing actual is missing data, not a result
            continue
        reasons = [("problem", p) for p in tied.get(kid, [])]
        if not is_missing(obj) and str(obj) in red_obj:
            reasons.append(("objective", str(obj)))
        if reasons:
            why, ref = reasons[0]
            for key, cs in high:
                out.append(Contradiction(key, cs, kid, s, why, ref))
    return out
