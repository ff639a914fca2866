"""The in-memory shape of a validated client: what every analysis, chart and notebook receives.

`workbench.intake.reading.load_client` builds these; nothing else constructs them from files.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from workbench.core.periods import normalise_period, period_end, period_sort_key
from workbench.intake.frameworks import DEFAULT_FRAMEWORK

__all__ = ["Issue", "ValidationReport", "IntakeError", "Category", "Profile", "Client", "Severity", "render",
           "normalise_period", "period_end", "period_sort_key"]  # periods re-exported for older importers

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One validation finding, located as the user sees it (Excel row: header is row 1).

    ``code`` names a catalogue entry (``intake.<code>`` in data/i18n/intake.yaml) filled with ``params``, so the
    same issue renders in the client's language (:meth:`text`); ``message`` is its English text, kept for logs
    and callers that predate the catalogue (an issue made with free text has no code)."""

    severity: Severity
    message: str
    file: str | None = None  # file name relative to the client folder, e.g. "intake.xlsx", "kpis.csv", "client.yaml"
    sheet: str | None = None  # sheet (= table) name
    row: int | None = None
    column: str | None = None
    value: object = None
    code: str | None = None
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, severity: Severity, code: str, params: dict[str, object] | None = None, **where: Any) -> Issue:
        """An issue from its catalogue code (the English text is rendered now for ``message``)."""
        params = dict(params or {})
        return cls(severity, render(code, "en", params), code=code, params=params, **where)

    def text(self, lang: str = "en") -> str:
        """The message alone, in ``lang`` ('zh' or 'en')."""
        return render(self.code, lang, self.params) if self.code else self.message

    def location(self, lang: str = "en") -> str:
        zh = lang == "zh"
        sheet = self.sheet if self.sheet and self.file and not self.file.endswith(".csv") else None
        parts = [self.file,
                 (f"工作表 {sheet}" if zh else f"sheet {sheet}") if sheet else None,
                 (f"第 {self.row} 行" if zh else f"row {self.row}") if self.row is not None else None,
                 (f"列 {self.column}" if zh else f"column {self.column}") if self.column else None]
        return ", ".join(p for p in parts if p)

    def got(self, lang: str = "en") -> str:
        """`` (got 'x')``: what the user typed, or "" when there is nothing to show."""
        if self.value is None:
            return ""
        return f" (填写的是 {self.value!r})" if lang == "zh" else f" (got {self.value!r})"

    def line(self, lang: str = "en") -> str:
        """``ERROR: <location>: <message> (got 'x')`` in ``lang``."""
        sev = {"zh": {"error": "错误", "warning": "警告"}}.get(lang, {}).get(self.severity, self.severity.upper())
        loc = self.location(lang)
        return f"{sev}: {loc + ': ' if loc else ''}{self.text(lang)}{self.got(lang)}"

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {"severity": self.severity, "code": self.code, "message": self.text(lang), "file": self.file,
                "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": None if self.value is None else _jsonable(self.value), "params": _jsonable(self.params)}

    def __str__(self) -> str:
        return self.line("en")


def render(code: str | None, lang: str, params: dict[str, object]) -> str:
    """Catalogue text ``intake.<code>`` in ``lang`` with ``params``. A param given as ``(code, params)`` is a
    nested message (e.g. why references were not checked) rendered in the same language. A code missing from
    the catalogue (a plug-in's own check) shows as ``code: params`` rather than failing."""
    from workbench.core.i18n import catalogue, t

    filled = {k: (render(v[0], lang, v[1]) if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str)
                  and isinstance(v[1], dict) else v) for k, v in params.items()}
    if f"intake.{code}" not in catalogue():
        return f"{code}: " + ", ".join(f"{k}={v}" for k, v in filled.items())
    return t(f"intake.{code}", lang, **filled)


def _jsonable(v: object) -> object:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    try:
        f = float(v)  # numpy numbers
        return f if math.isfinite(f) else str(f)
    except (TypeError, ValueError):
        return str(v)


@dataclass
class ValidationReport:
    """Every issue of one client. ``lang`` is the client's language once client.yaml is read (zh when it names
    none, the contract's default; en while no client.yaml could be read, the command line's own language), so
    :meth:`format` and :meth:`lines` speak to the consultant in it."""

    client_folder: Path
    issues: list[Issue] = field(default_factory=list)
    lang: str = "en"

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: Severity, message: str, **where: object) -> None:
        """Add a free-text issue (prefer :meth:`issue` with a catalogue code)."""
        self.issues.append(Issue(severity, message, **where))  # type: ignore[arg-type]

    def issue(self, severity: Severity, code: str, params: dict[str, object] | None = None, **where: Any) -> None:
        self.issues.append(Issue.of(severity, code, params, **where))

    def summary(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        if lang == "zh":
            return f"{self.client_folder}: {len(self.errors)} 个错误, {len(self.warnings)} 个警告"
        return f"{self.client_folder}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"

    def lines(self, lang: str | None = None) -> list[str]:
        """One line per issue, errors first, in ``lang`` (default: the client's language)."""
        lang = lang or self.lang
        return [i.line(lang) for i in [*self.errors, *self.warnings]]

    def format(self, lang: str | None = None) -> str:
        return "\n".join([self.summary(lang), *("  " + line for line in self.lines(lang))])

    def to_json(self, lang: str | None = None) -> dict[str, object]:
        """The report as data (``workbench validate --json``): messages in ``lang``, locations kept apart."""
        lang = lang or self.lang
        return {"client": str(self.client_folder), "ok": self.ok, "lang": lang, "errors": len(self.errors),
                "warnings": len(self.warnings), "issues": [i.to_dict(lang) for i in [*self.errors, *self.warnings]]}


class IntakeError(Exception):
    """Raised when a client cannot be loaded; carries the full report."""

    def __init__(self, report: ValidationReport):
        super().__init__(report.format())
        self.report = report


@dataclass(frozen=True)
class Category:
    key: str  # canonical key, e.g. "methods" or a custom label
    en: str
    zh: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Profile:
    """client.yaml, validated and with defaults applied."""

    id: str
    name: str
    period: str
    industry: str | None = None
    language: str = "zh"
    framework: str = DEFAULT_FRAMEWORK
    fishbone_categories: list[Category] = field(default_factory=list)
    mission: str | None = None
    vision: str | None = None
    values: list[str] = field(default_factory=list)
    consultant: str | None = None
    missing_actuals: str = "exclude"
    grades: dict[str, float] = field(default_factory=dict)
    profile: str | None = None  # (v2) organisation profile text (组织概述)
    challenges: list[str] = field(default_factory=list)  # (v2) strategic challenges and advantages
    target_score: float | None = None  # (v2) the assessment total the organisation aims for
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def period_end(self) -> date:
        return period_end(self.period)


@dataclass
class Client:
    """A validated client: profile plus one DataFrame per contract table (absent tables are None)."""

    folder: Path
    profile: Profile
    tables: dict[str, pd.DataFrame | None]
    source: Literal["xlsx", "csv"]
    warnings: list[Issue] = field(default_factory=list)
    # (v2) earlier rounds from history/<period>.json: period -> results.json document, oldest first
    history: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def lang(self) -> str:
        return self.profile.language

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)
