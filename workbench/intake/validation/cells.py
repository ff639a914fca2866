"""Cell converters: one raw cell (as read from xlsx/CSV or edited in a notebook) → its contract type.

Each converter returns ``(value, problem)`` where ``problem`` is None or ``(code, params)``, a catalogue entry
``intake.<code>`` (data/i18n/intake.yaml): the caller adds the location. ``None`` input means an empty cell.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd

from workbench.core.ids import id_text, split_ids
from workbench.core.missing import is_missing
from workbench.core.periods import parse_date
from workbench.core.yesno import parse_yesno
from workbench.intake import contract
from workbench.intake.contract import Column

__all__ = ["Problem", "Conv", "text_of", "clean_cell", "parse_number", "number_problem", "conv_id", "conv_text",
           "conv_number", "conv_int", "conv_yesno", "conv_date", "conv_enum", "conv_idlist", "conv_any",
           "CONVERTERS", "canonical_enum", "typed_series", "empty_value", "range_text", "MAX_ABS_NUMBER"]

Problem = tuple[str, dict[str, object]]
Conv = Callable[[object, Column], tuple[object, Problem | None]]

# Plausible magnitude of any number in an intake (money in yuan included): beyond it a value is a typo or an
# attack (1e308 overflows charts), never data.
MAX_ABS_NUMBER = 1e15
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def text_of(v: object) -> str | None:
    """A cell or YAML scalar as text: numbers typed in Excel lose a spurious '.0', dates become ISO."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return str(v)
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def clean_cell(v: object) -> object:
    """Normalise a raw cell: strip text, empty → None, NaN/NaT/NA → None (frames edited in a notebook carry NaN)."""
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, (list, tuple, dict)):
        return v
    return None if is_missing(v) else v


def parse_number(v: object) -> float | None:
    """A finite number from a cell, or None when it is not one (bools, text, inf/NaN are not numbers)."""
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        try:
            f = float(v)
        except OverflowError:  # an int too big for a float
            return None
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        s = v.strip().replace("\u2212", "-")
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        try:
            f = float(s)
        except (ValueError, OverflowError):
            return None
        return f if math.isfinite(f) else None
    return None


def percent_text(v: object) -> float | None:
    """The number of a text like ``85%`` / ``85 ％``, else None."""
    if isinstance(v, str):
        s = v.strip()
        if s[-1:] in ("%", "％"):
            return parse_number(s[:-1])
    return None


def number_problem(f: float) -> Problem | None:
    """A parsed number outside the plausible range is an error at its cell."""
    if abs(f) > MAX_ABS_NUMBER:
        return "number_implausible", {"limit": "1e15"}
    return None


def range_text(col: Column) -> str:
    """English range suffix (kept in params as ``range`` for the en text; zh builds its own from min/max)."""
    lo = None if col.min is None else text_of(float(col.min))
    hi = None if col.max is None else text_of(float(col.max))
    if lo is not None and hi is not None:
        return f" from {lo} to {hi}"
    if lo is not None:
        return f" of at least {lo}"
    if hi is not None:
        return f" of at most {hi}"
    return ""


def _range_zh(col: Column) -> str:
    lo = None if col.min is None else text_of(float(col.min))
    hi = None if col.max is None else text_of(float(col.max))
    if lo is not None and hi is not None:
        return f" ({lo} 至 {hi})"
    if lo is not None:
        return f" (不小于 {lo})"
    if hi is not None:
        return f" (不大于 {hi})"
    return ""


def _range_params(col: Column) -> dict[str, object]:
    return {"range": range_text(col), "range_zh": _range_zh(col)}


def conv_id(v: object, col: Column | None = None) -> tuple[object, Problem | None]:
    if isinstance(v, float) and not math.isfinite(v):
        return None, ("expected_id", {})
    return id_text(v), None


def conv_text(v: object, col: Column | None = None) -> tuple[object, Problem | None]:
    return text_of(v), None


def conv_number(v: object, col: Column) -> tuple[object, Problem | None]:
    if v is None:
        return math.nan, None
    f = parse_number(v)
    if f is None:
        pct = percent_text(v)
        if pct is not None:
            return math.nan, ("expected_number_not_percent", {"number": text_of(pct), **_range_params(col)})
        return math.nan, ("expected_number", _range_params(col))
    bad = number_problem(f)
    if bad:
        return math.nan, bad
    if (col.min is not None and f < col.min) or (col.max is not None and f > col.max):
        return math.nan, ("expected_number", _range_params(col))
    if col.multiple_of and abs(f / col.multiple_of - round(f / col.multiple_of)) > 1e-9:
        return math.nan, ("expected_multiple", {"step": text_of(float(col.multiple_of)), **_range_params(col)})
    return f, None


def conv_int(v: object, col: Column) -> tuple[object, Problem | None]:
    if v is None:
        return math.nan, None
    f = parse_number(v)
    if f is None or not f.is_integer() or (col.min is not None and f < col.min) or (col.max is not None and f > col.max):
        return math.nan, ("expected_whole_number", _range_params(col))
    return f, None


def conv_yesno(v: object, col: Column) -> tuple[object, Problem | None]:
    if v is None:
        return bool(col.default), None
    b = parse_yesno(v)
    return (bool(col.default), ("expected_yesno", {})) if b is None else (b, None)


def conv_date(v: object, col: Column) -> tuple[object, Problem | None]:
    if v is None:
        return pd.NaT, None
    d = parse_date(v)
    if d is None:
        return pd.NaT, ("expected_date", {})
    return pd.Timestamp(d), None


def conv_enum(v: object, col: Column) -> tuple[object, Problem | None]:
    if v is None:
        return col.default, None
    canon = canonical_enum(col.name, v)
    if canon is None:
        return col.default, ("expected_one_of", {"choices": ", ".join(col.enum)})
    return canon, None


def canonical_enum(column: str, v: object) -> str | None:
    """Canonical English value of an enum cell (aliases and case accepted), or None."""
    s = text_of(v)
    if s is None:
        return None
    aliases = contract.enum_aliases(column)
    low = s.lower()
    for cand in (low, low.replace("-", "_"), low.replace(" ", "_"), low.replace("_", " ")):
        if cand in aliases:
            return aliases[cand]
    return None


def conv_idlist(v: object, col: Column) -> tuple[object, Problem | None]:
    return split_ids(v), None


def conv_any(v: object, col: Column) -> tuple[object, Problem | None]:
    return v, None


CONVERTERS: dict[str, Conv] = {
    "id": conv_id, "text": conv_text, "number": conv_number, "int": conv_int, "yesno": conv_yesno,
    "date": conv_date, "enum": conv_enum, "idlist": conv_idlist, "any": conv_any,
}


def typed_series(values: list[object], ctype: str) -> pd.Series:
    """A typed column; text-like columns stay object so missing is None on pandas 2 and 3 alike."""
    if ctype in ("number", "int"):
        return pd.Series(np.asarray(values, dtype="float64") if values else np.empty(0, dtype="float64"))
    if ctype == "yesno":
        return pd.Series(values, dtype="bool")
    if ctype == "date":
        return pd.Series(values, dtype="datetime64[ns]")
    return pd.Series(values, dtype=object)


def empty_value(ctype: str, col: Column) -> object:
    if ctype in ("number", "int"):
        return math.nan if col.default is None else float(col.default)  # type: ignore[arg-type]
    if ctype == "yesno":
        return bool(col.default)
    if ctype == "date":
        return pd.NaT
    if ctype == "idlist":
        return []
    return col.default
