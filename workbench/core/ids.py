"""Id lists: ``addresses`` cells like ``C03, K02`` or ``4.1.2；F1`` (half- and full-width separators)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

__all__ = ["ID_SEPARATORS", "split_ids", "id_text"]

ID_SEPARATORS = ",，、;；"
_SPLIT = re.compile(f"[{ID_SEPARATORS}]")
_INT_TEXT = re.compile(r"^[+-]?\d+\.0*$")


def id_text(value: Any) -> str | None:
    """An id as text: stripped, a number typed in Excel (``1`` or ``1.0``) as ``"1"``; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).strip()
    if _INT_TEXT.match(s) and "." in s:
        s = s.split(".")[0]
    return s or None


def split_ids(value: Any) -> list[str]:
    """The ids of a cell: a list as given, or text split on ``, ， 、 ; ；``; blanks dropped."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        parts: list[Any] = list(value)
    elif isinstance(value, str):
        parts = _SPLIT.split(value)
    else:
        parts = [value]
    return [x for x in (id_text(p) for p in parts) if x is not None]
