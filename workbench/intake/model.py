"""The in-memory shape of a validated client: what every analysis, chart and notebook receives.

`workbench.intake.reading.load_client` builds these; nothing else constructs them from files.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One validation finding, located as the user sees it (Excel row: header is row 1)."""

    severity: Severity
    message: str  # what is wrong and what was expected, in English or the client's language
    file: str | None = None  # file name relative to the client folder, e.g. "intake.xlsx", "kpis.csv", "client.yaml"
    sheet: str | None = None  # sheet (= table) name
    row: int | None = None
    column: str | None = None
    value: object = None

    def location(self) -> str:
        parts = [p for p in (self.file, f"sheet {self.sheet}" if self.sheet and self.file and not self.file.endswith(".csv") else None,
                             f"row {self.row}" if self.row is not None else None,
                             f"column {self.column}" if self.column else None) if p]
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        val = "" if self.value is None else f" (got {self.value!r})"
        return f"{self.severity.upper()}: {loc + ': ' if loc else ''}{self.message}{val}"


@dataclass
class ValidationReport:
    client_folder: Path
    issues: list[Issue] = field(default_factory=list)

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
        self.issues.append(Issue(severity, message, **where))  # type: ignore[arg-type]

    def format(self) -> str:
        head = f"{self.client_folder}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *("  " + str(i) for i in self.issues)])


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
    framework: str = "gbt19580-2012"
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


_PERIOD_RES = (
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), lambda y, q: (int(y), int(q) * 3)),
    (re.compile(r"^(\d{4})[Hh]([12])$"), lambda y, h: (int(y), int(h) * 6)),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), lambda y, m: (int(y), int(m))),
    (re.compile(r"^(\d{4})$"), lambda y: (int(y), 12)),
)


def period_end(period: str) -> date:
    """Last day of a period written as 2026Q3, 2026H1, 2026-09 or 2026. Raises ValueError otherwise."""
    p = str(period).strip()
    for rx, f in _PERIOD_RES:
        m = rx.match(p)
        if m:
            y, month = f(*m.groups())
            return date(y, month, calendar.monthrange(y, month)[1])
    raise ValueError(f"period {period!r} is not one of 2026Q3, 2026H1, 2026-09, 2026")


def normalise_period(period: Any) -> str:
    """Period text as compared between actuals and client.yaml: stripped, upper-case (``2026q3`` → ``2026Q3``)."""
    return str(period).strip().upper()


def period_sort_key(period: str) -> tuple[date, str]:
    """Order periods chronologically by their end date (unparseable ones last, by text)."""
    try:
        return (period_end(period), str(period))
    except ValueError:
        return (date.max, str(period))
