"""The whole contract on one client: client.yaml, tables, cross-table rules, history → a Client or the report."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.intake import contract
from workbench.intake.model import Client, Profile, ValidationReport
from workbench.intake.validation.history import validate_history
from workbench.intake.validation.profile import profile_for_checks
from workbench.intake.validation.tables import validate_tables

if TYPE_CHECKING:  # the type only: validation never imports the reader
    from workbench.intake.reading import RawIntake

__all__ = ["validate_raw", "validate_frames"]


def validate_raw(raw: RawIntake) -> tuple[Client | None, ValidationReport]:
    """Apply the whole contract to what `reading.read_raw` found. Client is None when there are errors."""
    report = ValidationReport(raw.folder, list(raw.issues))
    if not raw.folder.is_dir():
        return None, report
    profile, profile_ok = profile_for_checks(raw.profile, raw.folder.resolve().name, report, raw.profile_lines)
    if raw.blocked:
        return None, report  # unreadable workbook or both formats present: nothing to say about tables
    files = dict(raw.files)
    default_file = "intake.xlsx" if raw.source != "csv" else None
    for name in contract.TABLE_ORDER:
        files.setdefault(name, default_file or f"{name}.csv")
    tables = validate_tables(profile, raw.tables, report, files, failed=raw.failed)
    history = validate_history(raw.history, profile, report)
    if not report.ok or profile is None or not profile_ok:
        return None, report
    client = Client(folder=raw.folder, profile=profile, tables=tables, source=raw.source or "xlsx",
                    warnings=report.warnings, history=history)
    return client, report


def validate_frames(folder: Path, profile: Profile, frames: dict[str, pd.DataFrame | None],
                    source: str = "xlsx", history: dict[str, dict[str, object]] | None = None
                    ) -> tuple[Client | None, ValidationReport]:
    """Validate tables held in memory (e.g. edited in the engagement notebook) against the contract.

    Frames may be raw (as read) or already typed; ``_row`` is used when present."""
    report = ValidationReport(folder, lang=profile.language)
    raw = {k: (None if v is None else v.astype(object)) for k, v in frames.items()}
    raw = {k: (None if v is None else v.where(pd.notna(v), None)) for k, v in raw.items()}
    files = {n: ("intake.xlsx" if source == "xlsx" else f"{n}.csv") for n in contract.TABLE_ORDER}
    tables = validate_tables(profile, {n: raw.get(n) for n in contract.TABLE_ORDER}, report, files)
    if not report.ok:
        return None, report
    return Client(folder=folder, profile=profile, tables=tables, source=source,  # type: ignore[arg-type]
                  warnings=report.warnings, history=dict(history or {})), report
