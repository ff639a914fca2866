"""Self-assessment against a framework edition (docs/scoring.md, "Self-assessment").

The framework (categories, items, points, bands, lenses) is data, loaded by `workbench.intake.frameworks`.

Per item, from the assessors' ``score_pct``:

- ``median``: the median of the assessors' percentages (mean of the two middle ones for an even count).
- ``consensus_pct`` = ``floor(median / 5 + 1/2) × 5`` computed in ``Decimal`` (nearest 5, halves up, no banker's
  rounding, no float noise): 62.5 → 65, 57.5 → 60, 60/65 → 62.5 → 65.
- ``score`` = ``points × consensus_pct / 100``; ``spread`` = max − min; ``flagged`` when spread > 20.
- An item nobody scored: ``consensus_pct``, ``score``, ``spread`` NaN, ``scored`` False, ``band`` None.
- ``band``: the band with the largest ``min`` ≤ consensus (0-5, 10-25, 30-45, 50-65, 70-85, 90-100), described
  through the process lens (4.1-4.6) or the results lens (4.7).
- Category ``score`` = sum of its scored items (NaN when none of its items is scored); ``total`` = sum of all
  scored items; ``unscored_points`` = points of unscored items.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pandas as pd

from workbench.core.missing import is_missing
from workbench.intake.frameworks import (DEFAULT_FRAMEWORK, Band, Framework, FrameworkCategory, FrameworkItem,
                                         available_frameworks, load_framework, register_framework)
from workbench.core.frames import records

__all__ = ["FrameworkItem", "FrameworkCategory", "Band", "Framework", "available_frameworks", "load_framework",
           "register_framework", "consensus_pct", "band_for", "AssessmentResult", "assess"]

FLAG_SPREAD = 20.0


def consensus_pct(scores: list[float]) -> float:
    """Median of ``scores`` rounded to the nearest 5, halves up: ``floor(median / 5 + 1/2) × 5`` (in Decimal).
    NaN for no scores."""
    vals = [float(s) for s in scores if not is_missing(s)]
    if not vals:
        return math.nan
    med = Decimal(repr(statistics.median(vals)))
    return float((med / 5 + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR) * 5)


def band_for(pct: float, framework: Framework) -> Band | None:
    """The band with the largest ``min`` ≤ pct (None for NaN)."""
    if is_missing(pct) or math.isnan(float(pct)):
        return None
    chosen = framework.bands[0]
    for b in framework.bands:
        if float(pct) >= b.min:
            chosen = b
    return chosen


@dataclass
class AssessmentResult:
    """``items`` (index item_id, every framework item in order), ``categories`` (index category id),
    ``total`` (sum of scored items, out of the framework's total), ``unscored_points``, ``framework``."""

    items: pd.DataFrame
    categories: pd.DataFrame
    total: float
    unscored_points: int
    framework: Framework
    unknown_items: list[str] = field(default_factory=list)  # item_ids in the table the framework does not know

    @property
    def flagged(self) -> list[str]:
        return [i for i, f in self.items["flagged"].items() if f]


def _texts(values: Any) -> list[str]:
    out: list[str] = []
    for v in values:
        if not is_missing(v):
            s = str(v).strip()
            if s and s not in out:
                out.append(s)
    return out


ITEM_COLUMNS = ["category", "name_zh", "name_en", "points", "lens", "n_assessors", "assessors", "scores", "median",
                "consensus_pct", "score", "spread", "flagged", "scored", "band", "band_min",
                "band_description_zh", "band_description_en", "strengths", "opportunities", "evidence"]


def assess(assessment: pd.DataFrame | None, framework: Framework | str = DEFAULT_FRAMEWORK) -> AssessmentResult | None:
    """Consensus, score, spread, flag and band of every framework item, category sums and total (module docstring).

    ``assessment`` is the validated table (``item_id``, ``assessor``, ``score_pct``, optional ``strengths``,
    ``opportunities``, ``evidence``); None → None. Rows for items the framework does not know are ignored and
    reported in ``unknown_items``.
    """
    if assessment is None:
        return None
    fw = load_framework(framework) if isinstance(framework, str) else framework
    known = {i.id for i in fw.items}
    unknown: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records(assessment):
        iid = str(r.get("item_id")).strip()
        if iid not in known:
            if iid not in unknown:
                unknown.append(iid)
            continue
        if is_missing(r.get("score_pct")):
            continue
        groups.setdefault(iid, []).append(r)
    rows = []
    for item in fw.items:
        rs = groups.get(item.id, [])
        pcts = [float(r["score_pct"]) for r in rs]
        if pcts:
            med = float(statistics.median(pcts))
            cons = consensus_pct(pcts)
            score = item.points * cons / 100.0
            spread = max(pcts) - min(pcts)
            b = band_for(cons, fw)
        else:
            med = cons = score = spread = math.nan
            b = None
        rows.append({
            "item_id": item.id, "category": item.category, "name_zh": item.zh, "name_en": item.en,
            "points": item.points, "lens": item.lens, "n_assessors": len(pcts),
            "assessors": [str(r.get("assessor")) for r in rs], "scores": pcts, "median": med,
            "consensus_pct": cons, "score": score, "spread": spread,
            "flagged": bool(pcts) and spread > FLAG_SPREAD, "scored": bool(pcts),
            "band": b.label if b else None, "band_min": b.min if b else math.nan,
            "band_description_zh": b.description(item.lens, "zh") if b else None,
            "band_description_en": b.description(item.lens, "en") if b else None,
            "strengths": _texts(r.get("strengths") for r in rs),
            "opportunities": _texts(r.get("opportunities") for r in rs),
            "evidence": _texts(r.get("evidence") for r in rs),
        })
    items = pd.DataFrame(rows, columns=["item_id", *ITEM_COLUMNS]).set_index("item_id")
    cat_rows = []
    for c in fw.categories:
        sub = [r for r in rows if r["category"] == c.id]
        scored = [r for r in sub if r["scored"]]
        cat_rows.append({"category": c.id, "name_zh": c.zh, "name_en": c.en, "points": c.points, "lens": c.lens,
                         "score": float(sum(r["score"] for r in scored)) if scored else math.nan,
                         "scored_points": int(sum(r["points"] for r in scored)),
                         "unscored_points": int(sum(r["points"] for r in sub if not r["scored"])),
                         "n_items": len(sub), "n_scored": len(scored)})
    categories = pd.DataFrame(cat_rows).set_index("category")
    total = float(sum(r["score"] for r in rows if r["scored"]))
    unscored = int(sum(r["points"] for r in rows if not r["scored"]))
    return AssessmentResult(items, categories, total, unscored, fw, unknown)
