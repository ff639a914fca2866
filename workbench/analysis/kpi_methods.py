"""KPI scoring methods (docs/scoring.md, "KPI methods"): one pure function per method.

Every method returns a float on the 0-120 style scale where 100 means "target met", bounded by
``cap`` (default 120) and ``floor`` (default 0): ``score = min(cap, max(floor, raw))``.
``direction='lower'`` mirrors each rule (less is better). Nothing is rounded here.

Edge cases decided here (and tested in tests/test_kpi_scoring.py):

- ``ratio`` higher, target 0: actual > 0 scores cap, actual == 0 scores 100 (target met exactly),
  actual < 0 scores floor. ``ratio`` lower: actual 0 scores cap (scoring.md); target 0 with actual > 0
  gives 100 × 0 / actual = 0 → floor. Negative values are put through the formula as written and bounded.
- ``linear`` with coincident anchors (threshold == target or target == stretch) never divides by zero:
  anchors are tested from the best downwards (≥ stretch → cap, ≥ target → 100..cap, ≥ threshold → 60..100,
  else 0). Mis-ordered anchors are a validation matter; the cascade still returns a bounded number.
- ``steps`` step size is ``step × |target| / 100``; full steps are ``floor(|actual − target| / size + 1e-9)``
  (the epsilon makes exactly two steps count two despite float noise). A zero step size (target 0 or step 0)
  is the limit of ever smaller steps: at target 100, any amount better → cap, any amount worse → floor
  (with ``step_points`` 0 the score is always 100).
- ``deduction`` ignores direction: actual is a count of occurrences.
- ``qualitative`` and ``binary`` ignore direction; both are bounded by cap/floor like every method.
- A missing actual (None/NaN) is not scored here: ``score_kpi`` returns NaN and the roll-up applies the
  client's ``missing_actuals`` policy. Unusable input (unknown method or grade, a non-numeric actual for a
  numeric method, a missing required parameter) raises ``ValueError``.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from workbench.intake.contract import DEFAULT_GRADES, NO, YES

DEFAULT_CAP = 120.0
DEFAULT_FLOOR = 0.0
STEP_EPSILON = 1e-9

__all__ = [
    "DEFAULT_CAP", "DEFAULT_FLOOR", "bound", "ratio", "linear", "steps", "deduction", "qualitative", "binary",
    "score_kpi", "progress", "is_missing", "to_bool", "is_yes", "METHOD_FUNCTIONS",
]


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, pandas NA and empty strings (a list or other container is never missing)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(value != value)  # NaN, NaT, pd.NA (pd.NA != pd.NA is NA -> TypeError on bool)
    except TypeError:
        return True
    except ValueError:  # an array: its truth value is ambiguous
        return False


def _num(value: Any, name: str) -> float:
    if is_missing(value) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number (got {value!r})")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number (got {value!r})") from None
    if math.isnan(f):
        raise ValueError(f"{name} must be a number (got {value!r})")
    return f


def _limits(cap: Any, floor: Any) -> tuple[float, float]:
    c = DEFAULT_CAP if is_missing(cap) else float(cap)
    f = DEFAULT_FLOOR if is_missing(floor) else float(floor)
    return c, f


def _direction(direction: Any) -> str:
    d = "higher" if is_missing(direction) else str(direction).strip().lower()
    if d not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower' (got {direction!r})")
    return d


def bound(raw: float, cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """``min(cap, max(floor, raw))``."""
    return min(cap, max(floor, raw))


def ratio(actual: float, target: float, direction: str = "higher",
          cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """完成率法. higher: 100 × actual / target; lower: 100 × target / actual; bounded by [floor, cap].

    lower with actual 0 scores cap; higher with target 0 scores cap if actual > 0, 100 if actual == 0,
    floor if actual < 0.
    """
    a, tg = _num(actual, "actual"), _num(target, "target")
    cap, floor = _limits(cap, floor)
    if _direction(direction) == "higher":
        if tg == 0:
            raw = cap if a > 0 else (100.0 if a == 0 else floor)
        else:
            raw = 100.0 * a / tg
    else:
        raw = cap if a == 0 else 100.0 * tg / a
    return bound(raw, cap, floor)


def linear(actual: float, threshold: float, target: float, stretch: float, direction: str = "higher",
           cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """区间法. Anchors (threshold, 60), (target, 100), (stretch, cap), straight lines between.

    higher: actual ≥ stretch → cap; target ≤ actual < stretch → 100 + (cap − 100) × (actual − target) / (stretch − target);
    threshold ≤ actual < target → 60 + 40 × (actual − threshold) / (target − threshold); actual < threshold → 0.
    lower: the same on negated values (thresholds descending: threshold > target > stretch, less is better).
    The result is bounded by [floor, cap] (so "below threshold" scores ``floor``).
    """
    a, th, tg, st = (_num(actual, "actual"), _num(threshold, "threshold"), _num(target, "target"),
                     _num(stretch, "stretch"))
    cap, floor = _limits(cap, floor)
    if _direction(direction) == "lower":
        a, th, tg, st = -a, -th, -tg, -st
    if a >= st:
        raw = cap
    elif a >= tg:
        raw = 100.0 + (cap - 100.0) * (a - tg) / (st - tg)
    elif a >= th:
        raw = 60.0 + 40.0 * (a - th) / (tg - th)
    else:
        raw = 0.0
    return bound(raw, cap, floor)


def steps(actual: float, target: float, step: float, step_points: float, direction: str = "higher",
          cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """加减分法. size = step × |target| / 100; n = floor(|actual − target| / size + 1e-9) full steps.

    higher: actual ≥ target → 100 + step_points × n, actual < target → 100 − step_points × n;
    lower: each full step below target adds, each full step above subtracts. Bounded by [floor, cap].
    Zero step size: 100 at target, cap when better, floor when worse (step_points 0 → always 100).
    """
    a, tg = _num(actual, "actual"), _num(target, "target")
    st, sp = _num(step, "step"), _num(step_points, "step_points")
    cap, floor = _limits(cap, floor)
    better = (a - tg) if _direction(direction) == "higher" else (tg - a)
    size = abs(st) * abs(tg) / 100.0
    if better == 0 or sp == 0:
        raw = 100.0
    elif size == 0 or math.isinf(abs(better) / size):
        raw = cap if better > 0 else floor
    else:
        n = math.floor(abs(better) / size + STEP_EPSILON)
        raw = 100.0 + math.copysign(1.0, better) * sp * n
    return bound(raw, cap, floor)


def deduction(actual: float, step_points: float, cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """扣分法. actual is a count of occurrences: 100 − step_points × actual, bounded by [floor, cap] (any direction)."""
    a, sp = _num(actual, "actual"), _num(step_points, "step_points")
    cap, floor = _limits(cap, floor)
    return bound(100.0 - sp * a, cap, floor)


def qualitative(grade: Any, grades: Mapping[str, float] | None = None,
                cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """定性法. points = grades[grade] (grade compared upper-case, stripped), bounded by [floor, cap].

    ``grades`` defaults to ``A 100, B 85, C 70, D 60, E 0``. An unknown grade raises ValueError.
    """
    table = {str(k).strip().upper(): float(v) for k, v in (grades or DEFAULT_GRADES).items()}
    if is_missing(grade):
        raise ValueError("grade is missing")
    key = str(grade).strip().upper()
    if key not in table:
        raise ValueError(f"grade {grade!r} is not one of {', '.join(table)}")
    cap, floor = _limits(cap, floor)
    return bound(table[key], cap, floor)


def to_bool(value: Any) -> bool:
    """yes/no value as bool (bool, 1/0, or the contract's yes/no spellings); ValueError otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Number) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValueError(f"expected yes or no (got {value!r})")


def is_yes(value: Any) -> bool:
    """True only for a yes value (``to_bool``); missing, no and anything unreadable are False."""
    try:
        return to_bool(value)
    except ValueError:
        return False


def binary(actual: Any, cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """是否法. yes → 100, no → 0, bounded by [floor, cap]."""
    cap, floor = _limits(cap, floor)
    return bound(100.0 if to_bool(actual) else 0.0, cap, floor)


METHOD_FUNCTIONS = {"ratio": ratio, "linear": linear, "steps": steps, "deduction": deduction,
                    "qualitative": qualitative, "binary": binary}


def _get(row: Mapping[str, Any] | Any, key: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(key)
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return getattr(row, key, None)


def score_kpi(row: Mapping[str, Any] | Any, actual: Any, grades: Mapping[str, float] | None = None) -> float:
    """Score one KPI row (a kpis-table row: dict, Series or namedtuple) for one actual.

    Dispatches on ``row['method']`` with the row's direction, threshold, target, stretch, step, step_points,
    cap and floor. A missing actual returns NaN (the roll-up decides what that means); bad input raises ValueError.
    """
    if is_missing(actual):
        return math.nan
    method = str(_get(row, "method") or "").strip().lower()
    direction = _get(row, "direction")
    cap, floor = _get(row, "cap"), _get(row, "floor")
    if method == "ratio":
        return ratio(actual, _get(row, "target"), direction, cap, floor)
    if method == "linear":
        return linear(actual, _get(row, "threshold"), _get(row, "target"), _get(row, "stretch"), direction, cap, floor)
    if method == "steps":
        return steps(actual, _get(row, "target"), _get(row, "step"), _get(row, "step_points"), direction, cap, floor)
    if method == "deduction":
        return deduction(actual, _get(row, "step_points"), cap, floor)
    if method == "qualitative":
        return qualitative(actual, grades, cap, floor)
    if method == "binary":
        return binary(actual, cap, floor)
    raise ValueError(f"unknown scoring method {method!r}")


def progress(actual: Any, baseline: Any, target: Any) -> float:
    """(actual − baseline) / (target − baseline); NaN when baseline or target is missing, target == baseline,
    or actual is not a number (grades, yes/no, missing)."""
    vals = []
    for v in (actual, baseline, target):
        if is_missing(v) or isinstance(v, (bool, np.bool_)):
            return math.nan
        try:
            f = float(v)
        except (TypeError, ValueError):
            return math.nan
        if math.isnan(f):
            return math.nan
        vals.append(f)
    a, b, tg = vals
    if tg == b:
        return math.nan
    return (a - b) / (tg - b)
