"""KPI scoring methods (scoring.md "KPI methods"): the registry and the six built-in methods.

A method is declared once, as a :class:`KpiMethod`: its name, zh/en labels, the fields it needs, the kind of
actual it takes, its help text for the blank workbook and the docs, its pure scoring function and an optional
row check. Validation, scoring (`workbench.analysis.kpi_methods.score_kpi`), results, the blank workbook and the
docs all read :func:`methods`; :func:`register_method` adds one (a test's toy method, a firm's own rule) without
touching the package.

Every built-in returns a float on the 0-120 style scale where 100 means "target met", bounded by
``cap`` (default 120) and ``floor`` (default 0): ``score = min(cap, max(floor, raw))``.
``direction='lower'`` mirrors each rule (less is better). Nothing is rounded here.

Edge cases decided here (and tested in tests/test_kpi_scoring.py):

- ``ratio`` higher, target 0: actual > 0 scores cap, actual == 0 scores 100 (target met exactly),
  actual < 0 scores floor. ``ratio`` lower: actual 0 scores cap (scoring.md); target 0 with actual > 0
  gives 100 × 0 / actual = 0 → floor. Negative values are put through the formula as written and bounded.
- ``linear`` with coincident anchors (threshold == target or target == stretch) never divides by zero:
  anchors are tested from the best downwards. Mis-ordered anchors are a validation error (intake v2).
- ``steps`` step size is ``step × |target| / 100``; full steps are ``floor(|actual − target| / size + 1e-9)``
  (the epsilon makes exactly two steps count two despite float noise). A zero step size (target 0 or step 0)
  is the limit of ever smaller steps: at target 100, any amount better → cap, any amount worse → floor
  (with ``step_points`` 0 the score is always 100).
- ``deduction`` ignores direction: actual is a count of occurrences.
- ``qualitative`` and ``binary`` ignore direction; both are bounded by cap/floor like every method.
- Unusable input (unknown grade, a non-numeric actual for a numeric method, a missing required parameter)
  raises ``ValueError``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.missing import is_missing
from workbench.core.yesno import to_bool

__all__ = ["KpiMethod", "ActualKind", "register_method", "unregister_method", "get_method", "methods",
           "method_names", "method_aliases", "DEFAULT_CAP", "DEFAULT_FLOOR", "DEFAULT_GRADES", "bound", "ratio", "linear", "steps",
           "deduction", "qualitative", "binary", "field_of"]

DEFAULT_CAP = 120.0
DEFAULT_FLOOR = 0.0
STEP_EPSILON = 1e-9
DEFAULT_GRADES: dict[str, float] = {"A": 100.0, "B": 85.0, "C": 70.0, "D": 60.0, "E": 0.0}

ActualKind = Literal["number", "count", "grade", "yesno"]
Row = Mapping[str, Any]
RowProblem = tuple[str, str, dict[str, object]]  # (catalogue code, column, params)


@dataclass(frozen=True)
class KpiMethod:
    """One scoring method, declared in one place."""

    name: str  # as typed in kpis.method
    label_zh: str
    label_en: str
    needs: tuple[str, ...]  # kpis fields that must be filled
    actual: ActualKind  # number, count (≥ 0), grade (client.yaml grades) or yesno
    help_zh: str  # one line for the blank workbook and the docs
    help_en: str
    score: Callable[[Row, Any, Mapping[str, float] | None], float]  # (kpi row, actual, grades) -> raw bounded score
    check_row: Callable[[Row], list[RowProblem]] | None = None  # extra checks of a kpis row (validation)
    aliases: tuple[str, ...] = field(default=())  # other spellings accepted in kpis.method

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


_REGISTRY: dict[str, KpiMethod] = {}


def register_method(method: KpiMethod) -> KpiMethod:
    """Add (or replace) a method; returns it."""
    _REGISTRY[method.name] = method
    return method


def unregister_method(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_method(name: object) -> KpiMethod | None:
    return _REGISTRY.get(str(name)) if name is not None else None


def methods() -> tuple[KpiMethod, ...]:
    return tuple(_REGISTRY.values())


def method_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def method_aliases() -> dict[str, str]:
    """Every accepted spelling (lower-case) → method name: the name, the Chinese label, declared aliases."""
    out: dict[str, str] = {}
    for m in _REGISTRY.values():
        for a in (m.name, m.label_zh, *m.aliases):
            out.setdefault(a.strip().lower(), m.name)
    return out


def field_of(row: Row | Any, key: str) -> Any:
    """A field of a kpis row given as dict, Series or namedtuple (None when absent)."""
    if isinstance(row, Mapping):
        return row.get(key)
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return getattr(row, key, None)


def _num(value: Any, name: str) -> float:
    if is_missing(value) or isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's bool, without importing numpy
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


def binary(actual: Any, cap: float = DEFAULT_CAP, floor: float = DEFAULT_FLOOR) -> float:
    """是否法. yes → 100, no → 0, bounded by [floor, cap]."""
    cap, floor = _limits(cap, floor)
    return bound(100.0 if to_bool(actual) else 0.0, cap, floor)




# ---------------------------------------------------------------- the built-in methods


def _f(row: Row, key: str) -> Any:
    return field_of(row, key)


def _linear_order(row: Row) -> list[RowProblem]:
    th, tg, st = (_f(row, k) for k in ("threshold", "target", "stretch"))
    if any(is_missing(x) for x in (th, tg, st)):
        return []
    lower = str(_f(row, "direction") or "higher") == "lower"
    if (th > tg > st) if lower else (th < tg < st):
        return []
    column = "threshold" if ((th <= tg) if lower else (th >= tg)) else "stretch"
    got = ", ".join(f"{float(x):g}" for x in (th, tg, st))
    return [("linear_order_lower" if lower else "linear_order", column, {"got": got})]


def _ratio_target(row: Row) -> list[RowProblem]:
    tg = _f(row, "target")
    return [("ratio_target_zero", "target", {})] if not is_missing(tg) and float(tg) == 0 else []


def _direction_of(row: Row) -> Any:
    return _f(row, "direction")


for _m in (
    KpiMethod("ratio", "完成率法", "Ratio", ("target",), "number",
              "实际/目标 × 100 (越低越好时为 目标/实际)", "100 × actual / target (lower: target / actual)",
              lambda r, a, g: ratio(a, _f(r, "target"), _direction_of(r), _f(r, "cap"), _f(r, "floor")),
              _ratio_target),
    KpiMethod("linear", "区间法", "Linear (threshold/target/stretch)", ("threshold", "target", "stretch"), "number",
              "门槛值 60 分, 目标值 100 分, 挑战值封顶, 之间线性", "threshold 60, target 100, stretch = cap, linear between",
              lambda r, a, g: linear(a, _f(r, "threshold"), _f(r, "target"), _f(r, "stretch"), _direction_of(r),
                                     _f(r, "cap"), _f(r, "floor")),
              _linear_order),
    KpiMethod("steps", "加减分法", "Steps", ("target", "step", "step_points"), "number",
              "达到目标 100 分, 每超/差一个步长加/减 step_points", "100 at target, ± step_points per full step",
              lambda r, a, g: steps(a, _f(r, "target"), _f(r, "step"), _f(r, "step_points"), _direction_of(r),
                                    _f(r, "cap"), _f(r, "floor"))),
    KpiMethod("deduction", "扣分法", "Deduction", ("step_points",), "count",
              "100 − step_points × 发生次数", "100 − step_points × occurrences",
              lambda r, a, g: deduction(a, _f(r, "step_points"), _f(r, "cap"), _f(r, "floor"))),
    KpiMethod("qualitative", "定性法", "Qualitative (grade)", (), "grade",
              "按等级(grades)计分, 默认 A100 B85 C70 D60 E0", "points of the grade (client.yaml grades)",
              lambda r, a, g: qualitative(a, g, _f(r, "cap"), _f(r, "floor"))),
    KpiMethod("binary", "是否法", "Yes/no", (), "yesno", "是 100 分, 否 0 分", "yes 100, no 0",
              lambda r, a, g: binary(a, _f(r, "cap"), _f(r, "floor"))),
):
    register_method(_m)
