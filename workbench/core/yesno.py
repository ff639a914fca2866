"""Yes/no: the one parser for validation, scoring, widgets and write-back (intake.md "Yes/no columns").

Accepted: yes/no, y/n, true/false, t/f, 1/0, 是/否 (any case, stripped), real booleans, the numbers 1 and 0
(also written ``1.0``/``0.0``, as Excel exports them). Everything else is *not* a yes/no, notably ``"95%"``,
``2`` and ``"ok"``: a column that means yes/no never guesses.
"""
from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["YES", "NO", "YESNO_CHOICES", "parse_yesno", "to_bool", "is_yes"]

YES: tuple[str, ...] = ("yes", "y", "true", "t", "1", "是")
NO: tuple[str, ...] = ("no", "n", "false", "f", "0", "否")
YESNO_CHOICES = "yes/no, y/n, true/false, 1/0, 是/否"
_YES, _NO = frozenset(YES), frozenset(NO)
_ONE_ZERO = re.compile(r"^[+]?([01])(?:\.0*)?$")


def parse_yesno(value: Any) -> bool | None:
    """True, False, or None when ``value`` is not a yes/no (blank included)."""
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # numpy.bool_
        return bool(value)
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        try:
            f = float(value)
        except (TypeError, ValueError):
            return None
        return bool(f) if not math.isnan(f) and f in (0.0, 1.0) else None
    if isinstance(value, str):
        s = value.strip().lower()
        if s in _YES:
            return True
        if s in _NO:
            return False
        m = _ONE_ZERO.match(s)
        if m:
            return m.group(1) == "1"
    return None


def to_bool(value: Any) -> bool:
    """:func:`parse_yesno`, raising ``ValueError`` for anything that is not a yes/no."""
    b = parse_yesno(value)
    if b is None:
        raise ValueError(f"expected yes or no (got {value!r})")
    return b


def is_yes(value: Any) -> bool:
    """True only for a yes; missing, no and anything unreadable are False."""
    return parse_yesno(value) is True
