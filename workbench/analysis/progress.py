"""Progress since the last round, from the client's ``history/<period>.json`` (docs/scoring.md, "Judgement (v2)").

A history document is an earlier round's results.json (outputs.md), as intake read and checked it
(``Client.history``). The comparison is against the newest history
period before the scored period: total, category and item deltas (current − previous, None where either side is
unscored), items whose band changed (by consensus %), contract and KPI score deltas, and the actions carried over
(``actions.carried_over_since`` that period). ``rounds`` lists every round (history and current) with its total and
category scores, chronological: the progress chart's data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.analysis.actions import carried_over_since
from workbench.intake.model import normalise_period, period_sort_key

__all__ = ["CHART_ROUNDS", "chart_rounds", "read_history_docs", "Progress", "progress_since"]


CHART_ROUNDS = 3  # two earlier rounds and this one: with fewer, the deltas say everything a chart would


def chart_rounds(progress: "Progress | None") -> list[dict[str, Any]]:
    """The rounds to chart (history and now), or [] with fewer than CHART_ROUNDS."""
    if progress is None or len(progress.rounds) < CHART_ROUNDS:
        return []
    return progress.rounds


def read_history_docs(docs: list[Any]) -> list[dict[str, Any]]:
    """The documents that carry a period, chronological."""
    ok = [d for d in docs if isinstance(d, dict) and d.get("period")]
    return sorted(ok, key=lambda d: period_sort_key(normalise_period(d["period"])))


def _f(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _delta(cur: Any, prev: Any) -> float | None:
    c, p = _f(cur), _f(prev)
    return None if c is None or p is None else c - p


@dataclass
class Progress:
    period: str
    total: float | None
    delta: float | None
    categories: dict[str, float | None]
    items: dict[str, float | None]
    band_changes: list[tuple[str, str | None, str | None]]  # (item, band before, band now)
    contracts: dict[str, float | None]
    kpis: dict[str, float | None]
    carried_over: list[str]
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The ``previous`` key of results.json (outputs.md)."""
        return {"period": self.period, "total": self.total, "delta": self.delta, "categories": self.categories}


def _band(pct: Any, framework: Any) -> str | None:
    from workbench.analysis.assessment import band_for

    f = _f(pct)
    if f is None:
        return None
    b = band_for(f, framework)
    return b.label if b else None


def progress_since(history: list[dict[str, Any]], period: str, assessment: Any, kpis: pd.DataFrame | None,
                   contracts: pd.DataFrame | None, actions: pd.DataFrame | None) -> Progress | None:
    """Compare the scored period with the newest history document before it (None when there is none)."""
    cur = normalise_period(period)
    earlier = [d for d in history if period_sort_key(normalise_period(d["period"])) < period_sort_key(cur)]
    if not earlier:
        return None
    prev = earlier[-1]
    pa = prev.get("assessment") or {}
    total = delta = None
    cats: dict[str, float | None] = {}
    items: dict[str, float | None] = {}
    bands: list[tuple[str, str | None, str | None]] = []
    if assessment is not None:
        total = _f(pa.get("total"))
        delta = _delta(assessment.total, total)
        pc = pa.get("categories") or {}
        for cid, s in assessment.categories["score"].items():
            cats[str(cid)] = _delta(s, pc.get(str(cid)))
        pi = pa.get("items") or {}
        for iid, row in assessment.items.iterrows():
            before = pi.get(str(iid)) or {}
            items[str(iid)] = _delta(row["score"], before.get("score"))
            b0, b1 = _band(before.get("consensus_pct"), assessment.framework), row["band"]
            if b0 is not None and b1 is not None and b0 != b1:
                bands.append((str(iid), b0, b1))
    pk = prev.get("kpis") or {}
    kd = {} if kpis is None else {str(k): _delta(s, (pk.get(str(k)) or {}).get("score"))
                                  for k, s in kpis["score"].items() if str(k) in pk}
    pcon = prev.get("contracts") or {}
    cd = {} if contracts is None else {str(k): _delta(s, (pcon.get(str(k)) or {}).get("score"))
                                       for k, s in contracts["score"].items() if str(k) in pcon}
    rounds = []
    for d in earlier:
        a = d.get("assessment") or {}
        rounds.append({"period": normalise_period(d["period"]), "total": _f(a.get("total")),
                       "categories": {k: _f(v) for k, v in (a.get("categories") or {}).items()}})
    if assessment is not None:
        rounds.append({"period": cur, "total": float(assessment.total),
                       "categories": {str(k): _f(v) for k, v in assessment.categories["score"].items()}})
    return Progress(normalise_period(prev["period"]), total, delta, cats, items, bands, cd, kd,
                    carried_over_since(actions, normalise_period(prev["period"])), rounds)
