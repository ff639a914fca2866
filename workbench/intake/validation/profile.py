"""client.yaml (intake.md "client.yaml") modelled with pydantic, every problem a located catalogue issue.

:class:`ClientYaml` is the schema; its validators raise ``PydanticCustomError(code, …, params)`` whose code is
a catalogue entry, so :func:`validate_profile` turns each error into an issue at ``client.yaml``, the key's line
and column. When some keys are bad the other keys still count (see :func:`profile_for_checks`), so one mistake
does not make the tables' checks fall back to defaults.
"""
from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workbench.core.i18n import catalogue
from workbench.core.periods import PERIOD_EXAMPLES, is_period, normalise_period
from workbench.intake import contract
from workbench.intake.frameworks import DEFAULT_FRAMEWORK, framework_item_ids, known_frameworks, load_framework
from workbench.intake.model import Category, Profile, ValidationReport
from workbench.intake.validation.cells import parse_number, text_of

__all__ = ["CLIENT_YAML", "ClientYaml", "PROFILE_KEYS", "resolve_categories", "validate_profile",
           "profile_for_checks"]

CLIENT_YAML = "client.yaml"


def _bad(code: str, **params: Any) -> PydanticCustomError:
    return PydanticCustomError(code, code, params)


def _scalar_text(v: Any) -> str | None:
    if isinstance(v, (list, dict)):
        raise _bad("expected_text")
    return text_of(v)


def resolve_categories(spec: object) -> tuple[list[Category], tuple[str, dict[str, object]] | None]:
    """Fishbone categories from a preset name or an explicit list (strings or {key?, en, zh} maps).

    Returns (categories, problem as (code, params) or None)."""
    if spec is None:
        spec = "6M"
    if isinstance(spec, str):
        presets = {k.lower(): k for k in contract.FISHBONE_PRESETS}
        key = presets.get(spec.strip().lower())
        if key is None:
            return [], ("fishbone_unknown_preset", {"choices": ", ".join(contract.FISHBONE_PRESETS)})
        return [Category(k, en, zh) for k, en, zh in contract.FISHBONE_PRESETS[key]], None
    if not isinstance(spec, list) or not spec:
        return [], ("fishbone_expected_list", {})
    cats: list[Category] = []
    for i, item in enumerate(spec, start=1):
        if isinstance(item, dict):
            en, zh = text_of(item.get("en")), text_of(item.get("zh"))
            key = text_of(item.get("key")) or en or zh
            if key is None:
                return [], ("fishbone_bad_item", {"i": i})
            cats.append(Category(key, en or zh or key, zh or en or key))
        elif not isinstance(item, list) and text_of(item) is not None:
            label = str(text_of(item))
            cats.append(Category(label, label, label))
        else:
            return [], ("fishbone_bad_item", {"i": i})
    lowered = [c.key.lower() for c in cats]
    dup = sorted({k for k in lowered if lowered.count(k) > 1})
    if dup:
        return [], ("fishbone_duplicate", {"names": ", ".join(dup)})
    return cats, None


class ClientYaml(BaseModel):
    """The keys of client.yaml with their defaults (intake.md). Unknown keys are kept (a warning each)."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)

    id: str
    name: str
    period: str
    industry: str | None = None
    language: str = "zh"
    framework: str = DEFAULT_FRAMEWORK
    fishbone_categories: list[Category] = Field(default=None, validate_default=True)  # None → the 6M preset
    mission: str | None = None
    vision: str | None = None
    values: list[str] = Field(default_factory=list)
    consultant: str | None = None
    missing_actuals: str = "exclude"
    grades: dict[str, float] = Field(default_factory=lambda: dict(contract.DEFAULT_GRADES))
    profile: str | None = None
    challenges: list[str] = Field(default_factory=list)
    target_score: float | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any, info: ValidationInfo) -> str:
        text = _scalar_text(v) if not isinstance(v, (list, dict)) else None
        if text is None:
            raise _bad("yaml_id_required")
        if not re.match(contract.ID_PATTERN, text) or "\n" in text:
            raise _bad("yaml_id_slug")
        folder = (info.context or {}).get("folder")
        if folder is not None and text != folder:
            raise _bad("yaml_id_folder", folder=folder)
        return text

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        text = _scalar_text(v)
        if text is None:
            raise _bad("yaml_name_required")
        return text

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> str:
        text = _scalar_text(v)
        if text is None:
            raise _bad("yaml_period_required", examples=PERIOD_EXAMPLES)
        if not is_period(text):
            raise _bad("expected_period", examples=PERIOD_EXAMPLES)
        return normalise_period(text)

    @field_validator("industry", "mission", "vision", "consultant", "profile", mode="before")
    @classmethod
    def _text(cls, v: Any) -> str | None:
        return _scalar_text(v)

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, v: Any) -> str:
        text = (_scalar_text(v) or "zh").lower()
        if text not in contract.LANGUAGES:
            raise _bad("expected_one_of", choices=", ".join(contract.LANGUAGES))
        return text

    @field_validator("framework", mode="before")
    @classmethod
    def _framework(cls, v: Any) -> str:
        text = _scalar_text(v) or DEFAULT_FRAMEWORK
        if framework_item_ids(text) is None:
            raise _bad("yaml_framework_unknown", choices=", ".join(known_frameworks()))
        return text

    @field_validator("fishbone_categories", mode="before")
    @classmethod
    def _fishbone(cls, v: Any) -> list[Category]:
        cats, problem = resolve_categories(v)
        if problem:
            raise _bad(problem[0], **problem[1])
        return cats

    @field_validator("values", "challenges", mode="before")
    @classmethod
    def _text_list(cls, v: Any) -> list[str]:
        if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, (list, dict)) for x in v)):
            raise _bad("expected_text_list")
        items = v if isinstance(v, list) else [v]
        return [t for t in (text_of(x) for x in items) if t]

    @field_validator("missing_actuals", mode="before")
    @classmethod
    def _missing(cls, v: Any) -> str:
        text = (_scalar_text(v) or "exclude").lower()
        if text not in ("exclude", "zero"):
            raise _bad("expected_one_of", choices="exclude, zero")
        return text

    @field_validator("grades", mode="before")
    @classmethod
    def _grades(cls, v: Any) -> dict[str, float]:
        if v is None:
            return dict(contract.DEFAULT_GRADES)
        grades, problems = _grades(v)
        if problems:
            code, params = problems[0]
            raise _bad(code, **params)
        return grades

    @field_validator("target_score", mode="before")
    @classmethod
    def _target(cls, v: Any, info: ValidationInfo) -> float | None:
        if v is None or (not isinstance(v, (list, dict)) and text_of(v) is None):
            return None
        framework = info.data.get("framework")
        total = load_framework(framework).total_points if framework else None
        f = parse_number(v) if not isinstance(v, (list, dict)) else None
        if f is None or f < 0 or (total is not None and f > total):
            raise _bad("target_score_range", total=total if total is not None else "?")
        return f


PROFILE_KEYS: tuple[str, ...] = tuple(ClientYaml.model_fields)


def _grades(raw: Any) -> tuple[dict[str, float], list[tuple[str, dict[str, object]]]]:
    """Grade name → points as written (names kept: the deliverable shows them; matched regardless of case).
    A grade with bad points maps to NaN (its name still counts for the actuals' checks)."""
    if not isinstance(raw, dict) or not raw:
        return {}, [("grades_expected_map", {})]
    grades: dict[str, float] = {}
    problems: list[tuple[str, dict[str, object]]] = []
    folded: dict[str, str] = {}
    for g, pts in raw.items():
        gk = text_of(g) or ""
        if not gk:
            problems.append(("grade_empty", {}))
            continue
        if gk.casefold() in folded:
            problems.append(("grade_twice", {"grade": gk, "other": folded[gk.casefold()]}))
            continue
        folded[gk.casefold()] = gk
        if isinstance(pts, bool) or not isinstance(pts, (int, float)) or not math.isfinite(pts):
            problems.append(("grade_points", {"grade": gk}))
            grades[gk] = math.nan
        else:
            grades[gk] = float(pts)
    return grades, problems


def validate_profile(data: object, folder_name: str | None, report: ValidationReport,
                     lines: dict[str, int] | None = None) -> Profile | None:
    """client.yaml → Profile with defaults; every problem goes to ``report``. None when client.yaml has an error."""
    profile, ok = profile_for_checks(data, folder_name, report, lines)
    return profile if ok else None


def profile_for_checks(data: object, folder_name: str | None, report: ValidationReport,
                       lines: dict[str, int] | None = None) -> tuple[Profile | None, bool]:
    """(profile, ok). The profile keeps every valid key even when another key is bad. Where a key is bad the
    profile holds what the table checks should not trust: ``period`` "", ``fishbone_categories`` [] (not
    checked), ``framework`` the unknown edition (item ids not checked), a grade with bad points as NaN. Such a
    profile (ok False) is for validation only, never for a Client."""
    if not isinstance(data, dict):
        return None, False
    lines = lines or {}
    data = {str(k): v for k, v in data.items()}
    language = data.get("language")
    report.lang = language.strip().lower() if isinstance(language, str) and \
        language.strip().lower() in contract.LANGUAGES else "zh"  # the contract's default
    context = {"folder": folder_name}
    bad: dict[str, None] = {}
    try:
        model = ClientYaml.model_validate(data, context=context)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "missing":
                code = {"id": "yaml_id_required", "name": "yaml_name_required"}.get(key, "yaml_period_required")
                params: dict[str, object] = {"examples": PERIOD_EXAMPLES}
            elif f"intake.{err['type']}" in catalogue():
                code, params = err["type"], dict(err.get("ctx") or {})
            else:
                code, params = "yaml_invalid", {"detail": err["msg"]}
            value = data.get(key)
            report.issue("error", code, params, file=CLIENT_YAML, row=lines.get(key), column=key,
                         value=_shown(value))
            bad[key] = None
        placeholders = {"id": folder_name or "x", "name": "x", "period": "2000"}
        rest = {k: v for k, v in data.items() if k not in bad}
        model = ClientYaml.model_validate({**placeholders, **rest}, context={"folder": None})
    for key in (model.model_extra or {}):
        report.issue("warning", "yaml_unknown_key", {"name": key}, file=CLIENT_YAML, row=lines.get(key), column=key)
    fields = {k: getattr(model, k) for k in ClientYaml.model_fields}
    if "id" in bad:
        fields["id"] = (text_of(data.get("id")) if not isinstance(data.get("id"), (list, dict)) else None) \
            or folder_name or ""
    if "period" in bad:
        fields["period"] = ""
    if "name" in bad:
        fields["name"] = ""
    if "framework" in bad:
        fields["framework"] = text_of(data.get("framework")) or DEFAULT_FRAMEWORK
    if "grades" in bad:
        fields["grades"] = _grades(data.get("grades"))[0]
    extra = dict(model.model_extra or {})
    return Profile(**fields, extra=extra), not bad


def _shown(value: object) -> object:
    """What the user wrote, for the message (a big structure is summarised, not echoed)."""
    if isinstance(value, (list, dict)):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return value
