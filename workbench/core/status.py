"""Status bands and action statuses: the rule, the colours and the zh/en labels, in one place.

Score bands (scoring.md): ``good`` ≥ 100 (target met), ``ok`` 60 ≤ s < 100, ``bad`` < 60, ``none`` unscored.
Charts, tables, widgets and the deliverable's CSS variables (:func:`css_variables`) all read these.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["BANDS", "GOOD_FROM", "OK_FROM", "band", "BAND_COLOURS", "BAND_FILLS", "BAND_LABELS", "band_label",
           "ACTION_STATUSES", "ACTION_COLOURS", "ACTION_LABELS", "action_label", "css_variables"]

BANDS = ("good", "ok", "bad", "none")
GOOD_FROM = 100.0
OK_FROM = 60.0

BAND_COLOURS: dict[str, str] = {"good": "#2E7D32", "ok": "#E0A100", "bad": "#C62828", "none": "#9AA0A6"}
BAND_FILLS: dict[str, str] = {"good": "#DCEFDC", "ok": "#FCEFC7", "bad": "#F8D7D7", "none": "#EEEFF1"}
BAND_LABELS: dict[str, dict[str, str]] = {
    "good": {"zh": "达标", "en": "On target"},
    "ok": {"zh": "基本达标", "en": "Below target"},
    "bad": {"zh": "未达标", "en": "Off target"},
    "none": {"zh": "无数据", "en": "No data"},
}

ACTION_STATUSES = ("planned", "in_progress", "done", "deferred")
ACTION_COLOURS: dict[str, str] = {"planned": "#8DA9C4", "in_progress": "#2F6DB5", "done": "#2E7D32",
                                  "deferred": "#A8A8A8"}
ACTION_LABELS: dict[str, dict[str, str]] = {
    "planned": {"zh": "计划中", "en": "Planned"},
    "in_progress": {"zh": "进行中", "en": "In progress"},
    "done": {"zh": "已完成", "en": "Done"},
    "deferred": {"zh": "转入下一周期", "en": "Carried over"},
}


def band(score: Any) -> str:
    """Status key of a score: ``good`` ≥ 100, ``ok`` 60 ≤ s < 100, ``bad`` < 60, ``none`` blank/NaN/text."""
    if score is None or isinstance(score, bool):
        return "none"
    try:
        s = float(score)
    except (TypeError, ValueError):
        return "none"
    if math.isnan(s):
        return "none"
    return "good" if s >= GOOD_FROM else ("ok" if s >= OK_FROM else "bad")


def band_label(key: str, lang: str) -> str:
    return BAND_LABELS.get(key, BAND_LABELS["none"])[lang]


def action_label(status: str, lang: str) -> str:
    return ACTION_LABELS.get(status, {"zh": str(status), "en": str(status)})[lang]


def css_variables() -> str:
    """``:root`` custom properties for the deliverable's stylesheet, generated from the same colours."""
    lines = [f"  --{k}: {v.lower()};" for k, v in BAND_COLOURS.items()]
    lines += [f"  --{k}-fill: {v.lower()};" for k, v in BAND_FILLS.items()]
    lines += [f"  --act-{k.replace('_', '-')}: {v.lower()};" for k, v in ACTION_COLOURS.items()]
    return ":root {\n" + "\n".join(lines) + "\n}\n"
