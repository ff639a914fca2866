"""Maturity stage, readiness and key gaps of a self-assessment (docs/scoring.md, "Judgement (v2)").

- **Stage**: the stage whose ``min`` ≤ total (the ladder is data: the ``maturity`` key of ``data/frameworks/<edition>.yaml``;
  a total between two integers, e.g. 99.5, belongs to the lower stage because the next one starts at 100; a
  framework without a ladder of its own gets the product's ladder scaled to its total points).
- **Readiness** (with ``target_score``): gap = target − total; per category the points it would need to hold the
  target's share, ``points × target / total_points − score`` (an unscored category counts 0), kept where positive,
  largest first.
- **Key gaps**: scored items ranked by points lost (points − score), at most one item per category (its largest
  loss), top 5. Unscored items are not gaps of performance: they are named beside the stage instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
from workbench.core.numfmt import as_float
from workbench.intake.frameworks import DEFAULT_FRAMEWORK, load_framework

__all__ = ["Stage", "Maturity", "load_ladder", "stage_for", "maturity", "readiness", "key_gaps", "KEY_GAPS"]

KEY_GAPS = 5


@dataclass(frozen=True)
class Stage:
    key: str
    min: float
    max: float
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Maturity:
    """The stage of a total, with the target (None when the client set none) and its gap."""

    stage: Stage
    total: float
    unscored_points: int
    target_score: float | None
    gap: float | None
    lang: str

    @property
    def label(self) -> str:
        return self.stage.label(self.lang)

    def document(self) -> dict[str, Any]:
        """The ``maturity`` key of results.json (outputs.md)."""
        return {"stage": self.stage.key, "label": self.label, "target_score": self.target_score, "gap": self.gap}


def _stages(edition: str) -> tuple[Stage, ...] | None:
    data = load_framework(edition).extra.get("maturity")
    if not isinstance(data, dict) or not data.get("stages"):
        return None
    stages = tuple(Stage(str(s["key"]), float(s["min"]), float(s["max"]), str(s["zh"]), str(s["en"]))
                   for s in data["stages"])
    for a, b in zip(stages, stages[1:]):
        if b.min != a.max + 1:
            raise ValueError(f"maturity ladder {edition}: {a.key} ends at {a.max:g} but {b.key} starts at {b.min:g}")
    return stages


@lru_cache(maxsize=None)
def load_ladder(edition: str = DEFAULT_FRAMEWORK, total_points: float = 1000) -> tuple[Stage, ...]:
    """The stages of ``edition`` in ascending order (the ``maturity`` key of its framework file). A framework
    without its own ladder gets the product's ladder scaled to its ``total_points`` (stage bounds × total / 1000)."""
    own = _stages(edition)
    if own is not None:
        return own
    base = _stages(DEFAULT_FRAMEWORK)
    if base is None:
        raise ValueError(f"framework {DEFAULT_FRAMEWORK!r} has no maturity stages (key 'maturity' of its file)")
    f = float(total_points) / 1000.0
    return tuple(Stage(s.key, s.min * f, (s.max + 1) * f if s is not base[-1] else s.max * f, s.zh, s.en)
                 for s in base)


def stage_for(total: float, ladder: tuple[Stage, ...]) -> Stage:
    """The last stage whose ``min`` ≤ total (below the first stage: the first)."""
    chosen = ladder[0]
    for s in ladder:
        if total >= s.min:
            chosen = s
    return chosen


_target = as_float  # a finite target score or None


def maturity(total: float, unscored_points: int, edition: str, target_score: Any = None,
             lang: str = "zh", total_points: float = 1000) -> Maturity:
    """Stage of ``total`` on the edition's ladder; ``gap`` = target − total when a target is set."""
    target = _target(target_score)
    return Maturity(stage_for(float(total), load_ladder(edition, float(total_points))), float(total), int(unscored_points), target,
                    None if target is None else target - float(total), lang)


def readiness(categories: pd.DataFrame, target_score: Any, total_points: float = 1000) -> pd.DataFrame | None:
    """Per category (index category id; columns ``points``, ``score``, ``share`` = points × target / total_points,
    ``need`` = share − score), only the categories with a positive need, largest first. None without a target."""
    target = _target(target_score)
    if target is None or categories is None or not len(categories):
        return None
    score = pd.to_numeric(categories["score"], errors="coerce").fillna(0.0)
    share = categories["points"].astype(float) * target / float(total_points)
    out = pd.DataFrame({"points": categories["points"], "score": score, "share": share, "need": share - score},
                       index=categories.index)
    out = out[out["need"] > 0]
    return out.sort_values("need", ascending=False, kind="stable")


def key_gaps(items: pd.DataFrame, limit: int = KEY_GAPS) -> pd.DataFrame:
    """Scored items by points lost, the largest loss of each category only, top ``limit`` (index item_id;
    columns ``category``, ``points``, ``score``, ``consensus_pct``, ``lost``). Ties keep framework order."""
    scored = items[items["scored"].astype(bool)].copy()
    scored["lost"] = scored["points"].astype(float) - scored["score"].astype(float)
    scored = scored[scored["lost"] > 0]
    ranked = scored.sort_values("lost", ascending=False, kind="stable")
    best = ranked.drop_duplicates("category", keep="first")
    return best.head(limit)[["category", "points", "score", "consensus_pct", "lost"]]
