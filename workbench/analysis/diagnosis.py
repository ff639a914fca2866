"""Diagnosis (docs/scoring.md, "Diagnosis and plan"): cause priority, cause-tree depth, root causes from the 5-Why
chains and the Pareto "vital few".

- ``priority`` = impact × (6 − effort), 1-25; NaN when impact or effort is missing.
- ``depth``: 0 for a cause with no parent, 1 for its sub-causes, and so on (robust to cycles).
- Root causes: the ``cause_id`` of every whys row with ``root_cause`` yes, unique, in chain order (chain_id, step).
  Chains whose root step has no ``cause_id`` are listed separately (``unlinked_root_chains``).
- Top causes (the Pareto "vital few", 20/80): the causes with a priority, sorted by priority descending (ties:
  impact descending, then cause_id ascending); the first ceil(20 % × n) of the n causes with a priority, plus any
  further cause tied on priority with the last one taken (equal priority is never split arbitrarily). Empty when
  no cause has a priority or all are 0. (A cumulative-80 %-of-priority cut was tried first: with the flat
  priorities real workshops produce it marked two thirds of all causes "top", which highlights nothing.)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.missing import is_missing
from workbench.core.yesno import is_yes

__all__ = ["PARETO_SHARE", "priority", "analyse_causes", "root_causes", "unlinked_root_chains", "why_chains",
           "top_causes"]

PARETO_SHARE = 0.8  # the reference line on the Pareto chart
VITAL_FEW_SHARE = 0.2  # share of causes that are "top"


def priority(impact: Any, effort: Any) -> float:
    """impact × (6 − effort); NaN when either is missing."""
    if is_missing(impact) or is_missing(effort):
        return math.nan
    return float(impact) * (6.0 - float(effort))


def _sorted_whys(whys: pd.DataFrame) -> pd.DataFrame:
    w = whys.copy()
    w["_step"] = pd.to_numeric(w["step"], errors="coerce")
    return w.sort_values(["chain_id", "_step"], kind="stable")


def root_causes(whys: pd.DataFrame | None) -> list[str]:
    """cause_ids of whys rows marked root_cause, unique, ordered by (chain_id, step)."""
    if whys is None or len(whys) == 0:
        return []
    w = _sorted_whys(whys)
    cids = w["cause_id"] if "cause_id" in w.columns else [None] * len(w)
    out: list[str] = []
    for rc, cid in zip(w["root_cause"], cids):
        if is_yes(rc) and not is_missing(cid) and str(cid) not in out:
            out.append(str(cid))
    return out


def unlinked_root_chains(whys: pd.DataFrame | None) -> list[str]:
    """chain_ids whose root_cause row has no cause_id."""
    if whys is None or len(whys) == 0:
        return []
    w = _sorted_whys(whys)
    cids = w["cause_id"] if "cause_id" in w.columns else pd.Series([None] * len(w), index=w.index)
    out: list[str] = []
    for ch, rc, cid in zip(w["chain_id"], w["root_cause"], cids):
        if is_yes(rc) and is_missing(cid) and str(ch) not in out:
            out.append(str(ch))
    return out


def why_chains(whys: pd.DataFrame | None) -> pd.DataFrame | None:
    """One row per 5-Why chain: index ``chain_id``; ``problem_id``, ``n_steps``, ``root_step`` (NaN if none marked),
    ``root_answer``, ``cause_id``, ``linked`` (root step names a fishbone cause), ``steps`` (list of
    (step, why, answer))."""
    if whys is None:
        return None
    rows = []
    w = _sorted_whys(whys)
    cids = w["cause_id"] if "cause_id" in w.columns else pd.Series([None] * len(w), index=w.index)
    w = w.assign(_cid=cids.to_numpy())
    for ch, g in w.groupby("chain_id", sort=False):
        root = g[[is_yes(v) for v in g["root_cause"]]]
        r = root.iloc[0] if len(root) else None
        cid = None if r is None or is_missing(r["_cid"]) else str(r["_cid"])
        rows.append({"chain_id": str(ch), "problem_id": g["problem_id"].iloc[0], "n_steps": len(g),
                     "root_step": float(r["_step"]) if r is not None else math.nan,
                     "root_answer": r["answer"] if r is not None else None, "cause_id": cid,
                     "linked": cid is not None,
                     "steps": [(int(s) if not math.isnan(s) else None, q, a)
                               for s, q, a in zip(g["_step"], g["why"], g["answer"])]})
    cols = ["chain_id", "problem_id", "n_steps", "root_step", "root_answer", "cause_id", "linked", "steps"]
    return pd.DataFrame(rows, columns=cols).set_index("chain_id")


def top_causes(causes: pd.DataFrame) -> list[str]:
    """Pareto vital few over a frame with ``cause_id`` (column or index), ``priority`` and ``impact``
    (module docstring)."""
    df = causes.reset_index() if "cause_id" not in causes.columns else causes
    df = df[df["priority"].notna()]
    if df.empty:
        return []
    order = sorted(zip(df["priority"].astype(float), df["impact"].astype(float), df["cause_id"].astype(str)),
                   key=lambda x: (-x[0], -x[1], x[2]))
    if order[0][0] <= 0:
        return []
    k = math.ceil(VITAL_FEW_SHARE * len(order) - 1e-9)
    cut = order[k - 1][0]
    out = [cid for p, _, cid in order[:k]]
    out += [cid for p, _, cid in order[k:] if p == cut and p > 0]
    return out


def analyse_causes(causes: pd.DataFrame | None, whys: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The causes table (index ``cause_id``) plus ``priority``, ``depth``, ``is_root``, ``is_top``, ``pareto_rank``
    (1 = highest priority, NaN without priority) and ``cum_share`` (cumulative share of total priority in
    Pareto order). None when there is no causes table."""
    if causes is None:
        return None
    df = causes.copy()
    if "cause_id" in df.columns:
        df = df.set_index("cause_id")
    df.index = df.index.astype(str)
    df.index.name = "cause_id"
    imp = pd.to_numeric(df["impact"], errors="coerce") if "impact" in df.columns else pd.Series(np.nan, index=df.index)
    eff = pd.to_numeric(df["effort"], errors="coerce") if "effort" in df.columns else pd.Series(np.nan, index=df.index)
    df["impact"] = imp.astype(float)
    df["effort"] = eff.astype(float)
    df["priority"] = (imp * (6.0 - eff)).astype(float)
    parent = {}
    if "parent_cause_id" in df.columns:
        for cid, p in zip(df.index, df["parent_cause_id"]):
            parent[cid] = None if is_missing(p) or str(p) not in df.index or str(p) == cid else str(p)
    depth = []
    for cid in df.index:
        d, seen, cur = 0, {cid}, parent.get(cid)
        while cur is not None and cur not in seen:
            d += 1
            seen.add(cur)
            cur = parent.get(cur)
        depth.append(d)
    df["depth"] = depth
    roots = set(root_causes(whys))
    df["is_root"] = [c in roots for c in df.index]
    tops = top_causes(df)
    df["is_top"] = [c in tops for c in df.index]
    ranked = sorted(((p, i, c) for c, p, i in zip(df.index, df["priority"], df["impact"]) if not math.isnan(p)),
                    key=lambda x: (-x[0], -x[1], x[2]))
    total = sum(p for p, _, _ in ranked)
    rank, share, cum = {}, {}, 0.0
    for n, (p, _, c) in enumerate(ranked, 1):
        cum += p
        rank[c] = n
        share[c] = cum / total if total > 0 else math.nan
    df["pareto_rank"] = [float(rank.get(c, math.nan)) for c in df.index]
    df["cum_share"] = [float(share.get(c, math.nan)) for c in df.index]
    return df
