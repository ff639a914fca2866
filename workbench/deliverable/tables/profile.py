"""Section 00a (organisation profile): what the organisation is and the strategic challenges it faces, before the
diagnosis, as an examiner reads the profile before the criteria (client.yaml ``profile`` and ``challenges``, v2).
"""
from __future__ import annotations

from typing import Any

from workbench.deliverable.tables.base import _missing, setting

__all__ = ["profile_text", "challenges"]


def profile_text(a: Any) -> str | None:
    """The organisation profile (client.yaml ``profile``), or None."""
    text = setting(a, "profile")
    return None if _missing(text) or not str(text).strip() else str(text).strip()


def challenges(a: Any) -> list[str]:
    """The strategic challenges and advantages (client.yaml ``challenges``: a list, or one text)."""
    value = setting(a, "challenges")
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [str(v).strip() for v in value if not _missing(v) and str(v).strip()]
