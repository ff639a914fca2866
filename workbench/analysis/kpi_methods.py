"""KPI scoring (scoring.md "KPI methods"): score one KPI row for one actual, through the method registry.

The methods themselves (needs, labels, the kind of actual, the pure scoring functions) are declared once in
`workbench.intake.methods`; this module scores with them and keeps the functions importable from here.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from workbench.core.missing import is_missing
from workbench.core.numfmt import as_float
from workbench.core.yesno import is_yes, to_bool
from workbench.intake.methods import (DEFAULT_CAP, DEFAULT_FLOOR, binary, bound, deduction, field_of, get_method,
                                      linear, qualitative, ratio, steps)

__all__ = [
    "DEFAULT_CAP", "DEFAULT_FLOOR", "bound", "ratio", "linear", "steps", "deduction", "qualitative", "binary",
    "score_kpi", "progress", "is_missing", "to_bool", "is_yes",
]


def score_kpi(row: Mapping[str, Any] | Any, actual: Any, grades: Mapping[str, float] | None = None) -> float:
    """Score one KPI row (a kpis-table row: dict, Series or namedtuple) for one actual.

    Dispatches on ``row['method']`` through the registry. A missing actual returns NaN (the roll-up decides
    what that means); bad input or an unknown method raises ValueError.
    """
    if is_missing(actual):
        return math.nan
    name = str(field_of(row, "method") or "").strip().lower()
    method = get_method(name)
    if method is None:
        raise ValueError(f"unknown scoring method {name!r}")
    return float(method.score(row, actual, grades))


def progress(actual: Any, baseline: Any, target: Any) -> float:
    """(actual − baseline) / (target − baseline); NaN when baseline or target is missing, target == baseline,
    or actual is not a number (grades, yes/no, missing)."""
    vals = [as_float(v) for v in (actual, baseline, target)]
    if any(v is None for v in vals):
        return math.nan
    a, b, tg = vals  # type: ignore[misc]
    if tg == b:
        return math.nan
    return (a - b) / (tg - b)  # type: ignore[operator]
