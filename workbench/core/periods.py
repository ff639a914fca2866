"""Periods (``2026Q3``, ``2026H1``, ``2026-09``, ``2026``) and dates, as consultants type them.

Dates: ISO ``2026-03-31``, ``2026/3/31``, ``2026.3.31``, ``2026年3月31日``, optionally with a time whose parts are
checked (``2026-10-31T25:00`` is not a date), real Excel dates, and Excel serial numbers typed into an
unformatted cell.
"""
from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime
from typing import Any

__all__ = ["PERIOD_EXAMPLES", "period_end", "normalise_period", "period_sort_key", "is_period", "parse_date",
           "EXCEL_SERIAL_MAX"]

PERIOD_EXAMPLES = "2026Q3, 2026H1, 2026-09, 2026"
EXCEL_SERIAL_MAX = 2958466  # 9999-12-31
_PERIOD_RES = (
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), lambda y, q: (int(y), int(q) * 3)),
    (re.compile(r"^(\d{4})[Hh]([12])$"), lambda y, h: (int(y), int(h) * 6)),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), lambda y, m: (int(y), int(m))),
    (re.compile(r"^(\d{4})$"), lambda y: (int(y), 12)),
)
_DATE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
                   r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?$")


def period_end(period: Any) -> date:
    """Last day of a period written as 2026Q3, 2026H1, 2026-09 or 2026. Raises ValueError otherwise."""
    p = str(period).strip()
    for rx, f in _PERIOD_RES:
        m = rx.match(p)
        if m:
            y, month = f(*m.groups())
            if y < 1:
                break
            return date(y, month, calendar.monthrange(y, month)[1])
    raise ValueError(f"period {period!r} is not one of {PERIOD_EXAMPLES}")


def is_period(period: Any) -> bool:
    try:
        period_end(period)
    except ValueError:
        return False
    return True


def normalise_period(period: Any) -> str:
    """Period text as compared between actuals and client.yaml: stripped, upper-case (``2026q3`` → ``2026Q3``)."""
    return str(period).strip().upper()


def period_sort_key(period: str) -> tuple[date, str]:
    """Order periods chronologically by their end date (unparseable ones last, by text)."""
    try:
        return (period_end(period), str(period))
    except ValueError:
        return (date.max, str(period))


def parse_date(value: Any) -> date | None:
    """A calendar date from a cell, or None when it is not one (the time of day, if any, is dropped)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if 1 <= value < EXCEL_SERIAL_MAX:
            from openpyxl.utils.datetime import from_excel  # an Excel serial typed into an unformatted cell

            d = from_excel(value)
            return d.date() if isinstance(d, datetime) else d
        return None
    if isinstance(value, str):
        m = _DATE.match(value.strip())
        if not m:
            return None
        y, mo, d, hh, mm, ss = m.groups()
        if hh is not None and (int(hh) > 23 or int(mm) > 59 or (ss is not None and int(ss) > 59)):
            return None
        try:
            return date(int(y), int(mo), int(d))
        except ValueError:
            return None
    return None
