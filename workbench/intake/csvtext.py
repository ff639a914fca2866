"""Formula-injection guard for CSV text fields (OWASP "CSV injection"), in both directions.

A spreadsheet opening a CSV runs a field that begins with ``=``, ``+``, ``-``, ``@``, tab or CR as a formula
(``=WEBSERVICE(...)``, ``=cmd|...``). Save-back writes such text with a leading apostrophe, as OWASP recommends,
so Excel and LibreOffice show it as text; the reader removes exactly that apostrophe again, so the client's text
round-trips unchanged. The rule is a bijection: text that already begins with apostrophes before a trigger
character gets one more, and loses one on reading.
"""
from __future__ import annotations

import re

__all__ = ["TRIGGERS", "neutralise", "restore"]

TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """The CSV field for ``text``: an apostrophe in front when a spreadsheet would run it as a formula."""
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def restore(field: str) -> str:
    """The text a neutralised CSV field stands for (``neutralise``'s inverse; other fields unchanged)."""
    return field[1:] if _QUOTED.match(field) else field
