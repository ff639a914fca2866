"""Roll-up (docs/scoring.md, "Roll-up"): KPI scores per period, parent roll-up, owner contracts with veto and
the missing-actuals policy, objective and perspective scores, and the history over every period.

Rules, as implemented (each one auditable by hand):

- **Own score.** A KPI with an actual for the period scores by its method (``kpi_scoring.score_kpi``), status
  ``scored``. An actual that cannot be scored (unknown grade, text for a numeric method ...) is treated as
  missing and reported in ``unscorable`` (kpi_id, period, reason).
- **Parent roll-up.** A KPI with no actual of its own and at least one scored child scores
  ``Σ w × s / Σ w`` over its scored children (each child's own ``weight``; a roll-up is itself "scored" for its
  own parent, so any depth works), status ``rolled_up``. If those children's weights sum to 0 the plain mean is
  used. A parent with its own actual uses it and ignores its children.
- **Missing actual** (no own actual, no scored child). ``exclude``: status ``excluded``, score NaN, left out of
  its owner's contract and listed in the contract's ``excluded``. ``zero``: status ``scored``, score exactly 0
  (not ``floor``: the policy says "scores 0"), and the flag column ``missing`` is True.
- **Contract** (key ``f"{owner_unit}/{owner or ''}"``). Nothing excluded: ``Σ w × s / 100`` over the owner's
  KPIs. Something excluded: ``Σ w × s / Σ w`` over the included KPIs (weights renormalised; NaN if nothing is
  left). A KPI with ``veto`` that is not excluded and scores below 60, or is a ``binary`` KPI whose actual is
  "no" (so a floor cannot hide a "no"), sets the contract score to 0; ``vetoed_by`` names the first such KPI in
  table order (``vetoes`` lists them all).
- **Objective.** ``Σ w × s / Σ w`` over the KPIs linked to it (each KPI's own weight) that have a score, where a
  KPI with *any ancestor* linked to the same objective is left out (it already counts through that ancestor:
  never twice). NaN when none of the counted KPIs has data: a score from the ``zero`` policy alone (``missing``)
  is not data. If the weights sum to 0 the plain mean is used.
- **Perspective.** Mean of its objectives' scores, NaN objectives ignored; NaN if none has a score. All four
  perspectives are listed in the standard order.
- **History.** The same for every period present in actuals, chronological (``model.period_sort_key``).
- **Band** (status colour key): ``good`` ≥ 100, ``ok`` 60 ≤ s < 100, ``bad`` < 60, ``none`` NaN.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.kpi_methods import progress, score_kpi
from workbench.core.missing import is_missing
from workbench.core.periods import normalise_period, period_sort_key
from workbench.core.status import BANDS, GOOD_FROM, OK_FROM, band
from workbench.core.yesno import is_yes, to_bool
from workbench.intake.contract import DEFAULT_GRADES, PERSPECTIVES
from workbench.core.frames import records

__all__ = [
    "BANDS", "band", "bands", "contract_key", "normalise_period", "RollupResult", "rollup",
    "objective_scores", "perspective_scores", "counted_kpis",
]

VETO_BELOW = 60.0


def bands(scores: pd.Series | Sequence[Any]) -> pd.Series:
    """``band`` of every score, vectorised (keeps the index of a Series)."""
    s = pd.to_numeric(pd.Series(scores), errors="coerce")
    out = np.select([s >= GOOD_FROM, s >= OK_FROM, s < OK_FROM], ["good", "ok", "bad"], default="none")
    return pd.Series(out, index=s.index, dtype=object)


def contract_key(owner_unit: Any, owner: Any) -> str:
    """``f"{owner_unit}/{owner or ''}"`` (outputs.md)."""
    return f"{'' if is_missing(owner_unit) else owner_unit}/{'' if is_missing(owner) else owner}"


def _weight(w: Any) -> float:
    return 0.0 if is_missing(w) else float(w)


def _wmean(pairs: list[tuple[float, float]]) -> float:
    """Σ w × s / Σ w; the plain mean when Σ w is 0; NaN when empty."""
    if not pairs:
        return math.nan
    tw = sum(w for w, _ in pairs)
    if tw == 0:
        return sum(s for _, s in pairs) / len(pairs)
    return sum(w * s for w, s in pairs) / tw


# --------------------------------------------------------------------------- KPI tree

@dataclass
class _Tree:
    records: list[dict[str, Any]]
    ids: list[str]
    by_id: dict[str, dict[str, Any]]
    parent: dict[str, str | None]
    children: dict[str, list[str]]
    depth: dict[str, int]
    ancestors: dict[str, list[str]]
    order: list[str]  # deepest first: children before parents
    contract: dict[str, str]


def _tree(kpis: pd.DataFrame) -> _Tree:
    rows = records(kpis) if "kpi_id" in kpis.columns else \
        [dict(r, kpi_id=i) for i, r in zip(kpis.index, records(kpis))]
    ids = [str(r["kpi_id"]) for r in rows]
    by_id = dict(zip(ids, rows))
    parent: dict[str, str | None] = {}
    for kid, r in zip(ids, rows):
        p = r.get("parent_kpi_id")
        parent[kid] = None if is_missing(p) or str(p) not in by_id or str(p) == kid else str(p)
    children: dict[str, list[str]] = {k: [] for k in ids}
    for kid in ids:
        if parent[kid] is not None:
            children[parent[kid]].append(kid)
    ancestors: dict[str, list[str]] = {}
    for kid in ids:
        chain, seen, cur = [], {kid}, parent[kid]
        while cur is not None and cur not in seen:  # robust to cycles (an intake error)
            chain.append(cur)
            seen.add(cur)
            cur = parent[cur]
        ancestors[kid] = chain
    depth = {k: len(a) for k, a in ancestors.items()}
    order = sorted(ids, key=lambda k: -depth[k])
    contract = {kid: contract_key(r.get("owner_unit"), r.get("owner")) for kid, r in zip(ids, rows)}
    return _Tree(rows, ids, by_id, parent, children, depth, ancestors, order, contract)


def _score_period(tree: _Tree, actual_of: Mapping[str, Any], grades: Mapping[str, float], missing_policy: str,
                  period: str, problems: list[tuple[str, str, str]]) -> dict[str, dict[str, Any]]:
    """Per KPI: actual, score, status, missing for one period (bottom-up)."""
    out: dict[str, dict[str, Any]] = {}
    for kid in tree.order:
        row = tree.by_id[kid]
        actual = actual_of.get(kid)
        if is_missing(actual):
            actual = None
        score = math.nan
        if actual is not None:
            try:
                score = score_kpi(row, actual, grades)
            except ValueError as exc:
                problems.append((kid, period, str(exc)))
                score = math.nan
        if not math.isnan(score):
            out[kid] = {"actual": actual, "score": score, "status": "scored", "missing": False}
            continue
        scored_children = [c for c in tree.children[kid] if not math.isnan(out.get(c, {}).get("score", math.nan))]
        if scored_children:
            pairs = [(_weight(tree.by_id[c].get("weight")), out[c]["score"]) for c in scored_children]
            out[kid] = {"actual": actual, "score": _wmean(pairs), "status": "rolled_up",
                        "missing": all(out[c]["missing"] for c in scored_children)}
        elif missing_policy == "zero":
            out[kid] = {"actual": actual, "score": 0.0, "status": "scored", "missing": True}
        else:
            out[kid] = {"actual": actual, "score": math.nan, "status": "excluded", "missing": True}
    return out


def _vetoes(row: Mapping[str, Any], res: Mapping[str, Any]) -> bool:
    if not is_yes(row.get("veto")):
        return False
    if res["status"] == "excluded":
        return False
    if res["score"] < VETO_BELOW:
        return True
    if str(row.get("method")).strip().lower() == "binary" and res["actual"] is not None:
        try:
            return not to_bool(res["actual"])
        except ValueError:
            return False
    return False


def _contracts(tree: _Tree, scores: Mapping[str, Mapping[str, Any]], missing_policy: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for kid in tree.ids:
        groups.setdefault(tree.contract[kid], []).append(kid)
    out: dict[str, dict[str, Any]] = {}
    for key, members in groups.items():
        first = tree.by_id[members[0]]
        included = [k for k in members if scores[k]["status"] != "excluded"]
        excluded = [k for k in members if scores[k]["status"] == "excluded"]
        ws = sum(_weight(tree.by_id[k].get("weight")) * scores[k]["score"] for k in included)
        if excluded:
            tw = sum(_weight(tree.by_id[k].get("weight")) for k in included)
            score = ws / tw if tw > 0 else math.nan
        else:
            score = ws / 100.0
        vetoes = [k for k in members if _vetoes(tree.by_id[k], scores[k])]
        if vetoes:
            score = 0.0
        out[key] = {
            "owner_unit": first.get("owner_unit"),
            "owner": None if is_missing(first.get("owner")) else first.get("owner"),
            "owner_level": first.get("owner_level"),
            "score": score, "vetoed_by": vetoes[0] if vetoes else None, "vetoes": vetoes,
            "excluded": excluded, "n_kpis": len(members),
            "weight_included": sum(_weight(tree.by_id[k].get("weight")) for k in included),
        }
    return out


# --------------------------------------------------------------------------- public API

@dataclass
class RollupResult:
    """KPI and contract scores for the current period plus their history.

    ``unscorable``: (kpi_id, period, reason) for every actual that could not be scored (treated as missing)."""

    kpis: pd.DataFrame
    contracts: pd.DataFrame
    kpi_history: pd.DataFrame
    contract_history: pd.DataFrame
    unscorable: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [f"KPI {k} ({p}): {r}; treated as missing" for k, p, r in self.unscorable]


def _actual_maps(actuals: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    maps: dict[str, dict[str, Any]] = {}
    if actuals is None or len(actuals) == 0:
        return maps
    for kid, per, act in zip(actuals["kpi_id"].astype(str), actuals["period"], actuals["actual"]):
        maps.setdefault(normalise_period(per), {})[kid] = act
    return maps


_CONTRACT_COLS = ["owner_unit", "owner", "owner_level", "score", "vetoed_by", "vetoes", "excluded", "n_kpis",
                  "weight_included"]


def rollup(kpis: pd.DataFrame, actuals: pd.DataFrame | None, period: str,
           grades: Mapping[str, float] | None = None, missing_actuals: str = "exclude") -> RollupResult:
    """Score every KPI and contract for ``period`` and for every period in ``actuals`` (see module docstring).

    Returns ``kpis`` (index ``kpi_id``: the kpis columns plus ``contract``, ``depth``, ``actual``, ``score``,
    ``progress``, ``status``, ``missing``, ``band``), ``contracts`` (index contract key), ``kpi_history``
    (``kpi_id, period, actual, score, status``) and ``contract_history`` (``contract, period, score, vetoed_by``).
    """
    if missing_actuals not in ("exclude", "zero"):
        raise ValueError(f"missing_actuals must be 'exclude' or 'zero' (got {missing_actuals!r})")
    grades = dict(grades) if grades else dict(DEFAULT_GRADES)
    tree = _tree(kpis)
    maps = _actual_maps(actuals)
    warnings: list[tuple[str, str, str]] = []
    cur = normalise_period(period)
    periods = sorted(maps, key=period_sort_key)

    kh_rows: list[tuple] = []
    ch_rows: list[tuple] = []
    current = None
    current_contracts = None
    for per in periods:
        sc = _score_period(tree, maps[per], grades, missing_actuals, per, warnings)
        ct = _contracts(tree, sc, missing_actuals)
        for kid in tree.ids:
            r = sc[kid]
            kh_rows.append((kid, per, r["actual"], r["score"], r["status"]))
        for key, c in ct.items():
            ch_rows.append((key, per, c["score"], c["vetoed_by"]))
        if per == cur:
            current, current_contracts = sc, ct
    if current is None:
        current = _score_period(tree, {}, grades, missing_actuals, cur, warnings)
        current_contracts = _contracts(tree, current, missing_actuals)

    out = kpis.copy()
    if "kpi_id" in out.columns:
        out = out.set_index("kpi_id", drop=True)
    out.index = out.index.astype(str)
    out.index.name = "kpi_id"
    ids = tree.ids
    out["contract"] = [tree.contract[k] for k in ids]
    out["depth"] = [tree.depth[k] for k in ids]
    out["actual"] = pd.Series([current[k]["actual"] for k in ids], index=out.index, dtype=object)
    out["score"] = np.array([current[k]["score"] for k in ids], dtype=float)
    base = out["baseline"] if "baseline" in out.columns else [None] * len(ids)
    tgt = out["target"] if "target" in out.columns else [None] * len(ids)
    out["progress"] = np.array([progress(current[k]["actual"], b, t) for k, b, t in zip(ids, base, tgt)],
                               dtype=float)
    out["status"] = [current[k]["status"] for k in ids]
    out["missing"] = np.array([current[k]["missing"] for k in ids], dtype=bool)
    out["band"] = bands(out["score"]).to_numpy()
    out["counts_for_objective"] = _counted(tree)

    contracts = pd.DataFrame.from_dict(current_contracts, orient="index", columns=_CONTRACT_COLS)
    contracts.index.name = "contract"
    contracts["score"] = contracts["score"].astype(float)
    contracts["band"] = bands(contracts["score"]).to_numpy()
    kh = pd.DataFrame(kh_rows, columns=["kpi_id", "period", "actual", "score", "status"])
    kh["score"] = kh["score"].astype(float)
    ch = pd.DataFrame(ch_rows, columns=["contract", "period", "score", "vetoed_by"])
    ch["score"] = ch["score"].astype(float)
    return RollupResult(out, contracts, kh, ch, warnings)


def _counted(tree: _Tree) -> list[bool]:
    flags = []
    for kid in tree.ids:
        obj = tree.by_id[kid].get("objective_id")
        if is_missing(obj):
            flags.append(False)
            continue
        flags.append(not any(str(tree.by_id[a].get("objective_id")) == str(obj) for a in tree.ancestors[kid]))
    return flags


def counted_kpis(kpis: pd.DataFrame) -> pd.Series:
    """Per KPI (index ``kpi_id``): True when it counts towards its objective directly, i.e. it has an
    ``objective_id`` and no ancestor is linked to the same objective (otherwise it counts through that ancestor)."""
    if "counts_for_objective" in kpis.columns:
        return pd.Series(kpis["counts_for_objective"].to_numpy(dtype=bool), index=kpis.index.astype(str))
    tree = _tree(kpis.reset_index() if "kpi_id" not in kpis.columns else kpis)
    return pd.Series(_counted(tree), index=pd.Index(tree.ids, name="kpi_id"), dtype=bool)


def objective_scores(scored_kpis: pd.DataFrame, objectives: pd.DataFrame | None) -> pd.DataFrame | None:
    """Objective scores from ``rollup(...).kpis`` (index ``kpi_id``, with ``score``, ``missing``, ``weight``,
    ``objective_id``, ``parent_kpi_id``). Returns index ``objective_id`` with ``perspective``, ``objective``,
    ``theme``, ``score`` (NaN if no KPI has data), ``band``, ``n_kpis`` (counted), ``kpis`` (counted ids)."""
    if objectives is None:
        return None
    counted = counted_kpis(scored_kpis).to_numpy()
    per_obj: dict[str, list[tuple[float, float, bool]]] = {}
    kpi_ids: dict[str, list[str]] = {}
    objs = scored_kpis["objective_id"].tolist() if "objective_id" in scored_kpis.columns else [None] * len(counted)
    for kid, c, obj, w, s, miss in zip(scored_kpis.index.astype(str).tolist(), counted, objs,
                                       scored_kpis["weight"].tolist(), scored_kpis["score"].tolist(),
                                       scored_kpis["missing"].tolist()):
        if not c:
            continue
        kpi_ids.setdefault(str(obj), []).append(kid)
        if not math.isnan(s):
            per_obj.setdefault(str(obj), []).append((_weight(w), float(s), bool(miss)))
    rows = []
    for r in records(objectives):
        oid = str(r["objective_id"])
        pairs = per_obj.get(oid, [])
        has_data = any(not miss for _, _, miss in pairs)
        score = _wmean([(w, s) for w, s, _ in pairs]) if has_data else math.nan
        rows.append({"objective_id": oid, "perspective": r.get("perspective"), "objective": r.get("objective"),
                     "theme": r.get("theme"), "score": score, "n_kpis": len(kpi_ids.get(oid, [])),
                     "kpis": kpi_ids.get(oid, [])})
    df = pd.DataFrame(rows, columns=["objective_id", "perspective", "objective", "theme", "score", "n_kpis", "kpis"])
    df = df.set_index("objective_id")
    df["score"] = df["score"].astype(float)
    df["band"] = bands(df["score"]).to_numpy()
    return df


def perspective_scores(objectives: pd.DataFrame | None) -> pd.DataFrame | None:
    """Mean of each perspective's objective scores (NaN ignored; NaN if none), index in the standard order
    (financial, customer, process, learning), with ``n_objectives``, ``n_scored`` and ``band``."""
    if objectives is None:
        return None
    by_p: dict[str, list[float]] = {p: [] for p in PERSPECTIVES}
    for p, sc in zip(objectives["perspective"].tolist(), objectives["score"].tolist()):
        if p in by_p:
            by_p[p].append(float(sc))
    rows = []
    for p in PERSPECTIVES:
        scored = [x for x in by_p[p] if not math.isnan(x)]
        rows.append({"perspective": p, "score": sum(scored) / len(scored) if scored else math.nan,
                     "n_objectives": len(by_p[p]), "n_scored": len(scored)})
    df = pd.DataFrame(rows).set_index("perspective")
    df["band"] = bands(df["score"]).to_numpy()
    return df
