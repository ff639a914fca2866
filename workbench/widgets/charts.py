"""The charts the engagement views show live, found in ``workbench.deliverable.charts`` (drawn from the edited analysis)."""
from __future__ import annotations

import importlib
from typing import Any


def _find(names: list[tuple[str, str]]) -> Any:
    for mod, attr in names:
        try:
            fn = getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError):
            continue
        return fn
    raise ImportError("chart function not found: " + ", ".join(f"{m}.{a}" for m, a in names))


def strategy_map_figure(analysis: Any) -> Any:
    """The strategy map with objective statuses (None when the client has no objectives)."""
    client = analysis.client
    if client.table("objectives") is None or not len(client.table("objectives")):
        return None
    try:
        fn = _find([("workbench.deliverable.charts.strategy_map", "strategy_map_for"), ("workbench.deliverable.charts", "strategy_map_for")])
    except ImportError:
        fn = _find([("workbench.deliverable.charts.strategy_map", "strategy_map"), ("workbench.deliverable.charts", "strategy_map")])
        return fn(analysis.objectives, client.table("links"), analysis.lang)
    return fn(analysis)


def fishbone_figure(analysis: Any, problem_id: str) -> Any:
    """The fishbone of one problem (None when it has no causes)."""
    causes = analysis.client.table("causes")
    if causes is None or not (causes["problem_id"].astype(str) == str(problem_id)).any():
        return None
    fn = _find([("workbench.deliverable.charts.fishbone", "fishbone_for"), ("workbench.deliverable.charts", "fishbone_for")])
    return fn(analysis, problem_id)

