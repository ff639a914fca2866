"""Blank / missing: the one test used by validation, scoring, widgets and write-back."""
from __future__ import annotations

import math
from typing import Any

__all__ = ["is_missing", "is_blank_text"]


def is_missing(value: Any) -> bool:
    """None, NaN/NaT/pd.NA, or text that is empty after stripping (a cell left blank)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not hasattr(value, "__len__") else False
    except (TypeError, ValueError):
        return False


def is_blank_text(value: Any) -> bool:
    """Missing, or the text of a missing value as spreadsheets export it ("nan", "None", "NaT")."""
    return is_missing(value) or (isinstance(value, str) and value.strip().lower() in {"nan", "none", "nat", "null"})
