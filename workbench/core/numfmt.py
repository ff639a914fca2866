"""The one number formatter: the display rule of ``scoring.md`` v2, half up (四舍五入) everywhere.

- KPI, contract, objective and perspective scores: 1 decimal, never rounded across a status boundary
  (59.97 shows 59.9, not 60.0; 99.96 shows 99.9) -> :func:`fmt_score`.
- Self-assessment item, category and total scores: exactly (multiples of 0.05 points, so at most 2 decimals),
  so printed items add up to the printed category and categories to the printed total -> :func:`fmt_points`.
- Other quantities (actuals, targets, deltas, percentages) -> :func:`fmt_number` and :func:`fmt_pct`,
  with thousands separators.

Rounding goes through :class:`decimal.Decimal` from the float's shortest repr, so 0.05 steps and x.x5 values
round up as a person rounds them (Python's ``round``/``format`` round half to even on binary floats).
"""
from __future__ import annotations

import math
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from workbench.core.missing import is_missing
from workbench.core.status import band

__all__ = ["MISSING", "as_float", "round_half_up", "fmt_score", "fmt_points", "fmt_number", "fmt_pct", "fmt_delta"]

MISSING = "—"


def as_float(value: object) -> float | None:
    """``value`` as a finite float, or None (blank, NaN, text, infinite)."""
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _dec(f: float) -> Decimal:
    return Decimal(repr(f))


def round_half_up(value: float, decimals: int = 0) -> float:
    """Half-up rounding of a float as written (2.25 -> 2.3, 0.125 -> 0.13, -2.5 -> -3)."""
    q = Decimal(1).scaleb(-decimals)
    try:
        return float(_dec(value).quantize(q, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return value


def _fixed(f: float, decimals: int, rounding: str = ROUND_HALF_UP, thousands: bool = False) -> str:
    d = _dec(f).quantize(Decimal(1).scaleb(-decimals), rounding=rounding)
    if d == 0:
        d = abs(d)  # no "-0.0"
    return f"{d:,.{decimals}f}" if thousands else f"{d:.{decimals}f}"


def fmt_score(value: object, missing: str = MISSING) -> str:
    """A 0-120 score (KPI, contract, objective, perspective): 1 decimal half up, never across a status boundary."""
    f = as_float(value)
    if f is None:
        return missing
    text = _fixed(f, 1)
    if band(float(text)) != band(f):  # 59.97 -> "60.0" would turn red into amber: cut instead
        text = _fixed(f, 1, ROUND_FLOOR)
    return text


def fmt_points(value: object, missing: str = MISSING) -> str:
    """Self-assessment points (item, category, total), exactly: at most 2 decimals, trailing zeros dropped
    (54.25 -> "54.25", 54.3 -> "54.3", 60.0 -> "60")."""
    f = as_float(value)
    if f is None:
        return missing
    text = _fixed(f, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_number(value: object, decimals: int | None = None, missing: str = MISSING, *, thousands: bool = True,
               unit: str | None = None) -> str:
    """A measured quantity (actual, target, baseline, deviation) with thousands separators.

    ``decimals=None``: as few as show the value (at most 2; 380000 -> "380,000", 12.5 -> "12.5").
    ``unit`` is appended ("%" without a space, words with one)."""
    f = as_float(value)
    if f is None:
        return missing
    if decimals is None:
        text = _fixed(f, 2, thousands=thousands)
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        text = _fixed(f, decimals, thousands=thousands)
    if unit:
        text += unit if unit in {"%", "‰", "℃"} else f" {unit}"
    return text


def fmt_pct(value: object, decimals: int = 1, missing: str = MISSING) -> str:
    """A percentage already in percent (87.25 -> "87.3%")."""
    f = as_float(value)
    return missing if f is None else _fixed(f, decimals) + "%"


def fmt_delta(value: object, decimals: int = 1, missing: str = MISSING, *, points: bool = False) -> str:
    """A signed change (+3.4, −1.2, ±0); ``points`` formats like :func:`fmt_points`."""
    f = as_float(value)
    if f is None:
        return missing
    body = fmt_points(abs(f)) if points else _fixed(abs(f), decimals)
    if float(body.replace(",", "")) == 0:
        return "±0" if points else "±" + body
    return ("+" if f > 0 else "−") + body
