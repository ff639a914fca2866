"""Table checks: type every column of a table (cells.py), required values, unique keys, references, trees.

:class:`Checker` holds the report and where each table came from, so every issue is located the same way;
:func:`validate_tables` runs the per-table checks then the cross-table rules (rules.py).
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from workbench.core.graph import parent_cycles
from workbench.intake import contract
from workbench.intake.contract import Table
from workbench.intake.model import Profile, Severity, ValidationReport
from workbench.intake.validation.cells import CONVERTERS, clean_cell, empty_value, text_of, typed_series

__all__ = ["ROW", "Checker", "validate_tables", "ref_ids", "has_refs", "ids_of"]

ROW = "_row"


class Checker:
    """Adds located, catalogue-coded issues to a report; ``files`` maps table → file name."""

    def __init__(self, report: ValidationReport, files: dict[str, str], profile: Profile | None):
        self.report = report
        self.files = files
        self.profile = profile
        self._cells_in_error: set[tuple[str, int, str]] = set()

    def add(self, severity: Severity, table: str, code: str, row: int | None = None, column: str | None = None,
            value: object = None, **params: object) -> None:
        """Report an issue. One error per cell: a cell that could not be read (``abc`` as a target) is left empty
        for the later checks, and their "target is empty" would send the user after a second problem that is the
        first one again."""
        if severity == "error" and row is not None and column is not None:
            if (table, row, column) in self._cells_in_error:
                return
            self._cells_in_error.add((table, row, column))
        self.report.issue(severity, code, params, file=self.files.get(table, f"{table}.csv"), sheet=table, row=row,
                          column=column, value=value)

    def error(self, table: str, code: str, row: int | None = None, column: str | None = None, value: object = None,
              **params: object) -> None:
        self.add("error", table, code, row, column, value, **params)

    def warning(self, table: str, code: str, row: int | None = None, column: str | None = None,
                value: object = None, **params: object) -> None:
        self.add("warning", table, code, row, column, value, **params)

    # -- per table --------------------------------------------------------
    def convert(self, table: Table, raw: pd.DataFrame) -> pd.DataFrame:
        rows = [int(r) for r in raw[ROW].tolist()] if ROW in raw.columns else list(range(2, len(raw) + 2))
        n = len(rows)
        out: dict[str, pd.Series] = {}
        for col in table.columns:
            if col.name not in raw.columns:
                if col.required:
                    self.error(table.name, "required_column_missing", row=1, column=col.name, name=col.name)
                out[col.name] = typed_series([empty_value(col.type, col)] * n, col.type)
                continue
            conv = CONVERTERS[col.type]
            values: list[object] = []
            for r, v in zip(rows, raw[col.name].tolist()):
                v = clean_cell(v)
                if isinstance(v, str) and len(v) > contract.MAX_CELL_CHARS:
                    self.error(table.name, "cell_too_long", row=r, column=col.name, n=len(v),
                               limit=contract.MAX_CELL_CHARS)
                    v = None
                    values.append(empty_value(col.type, col))
                    continue
                if v is None and col.required:
                    self.error(table.name, "required_value_empty", row=r, column=col.name)
                val, problem = conv(v, col)
                if problem:
                    self.error(table.name, problem[0], row=r, column=col.name, value=v, **problem[1])
                values.append(val)
            out[col.name] = typed_series(values, col.type)
        for extra in raw.columns:
            if extra != ROW and extra not in out:
                out[str(extra)] = pd.Series([clean_cell(v) for v in raw[extra].tolist()], dtype=object)
        out[ROW] = pd.Series(rows, dtype="int64")
        return pd.DataFrame(out)

    def unique(self, table: Table, df: pd.DataFrame) -> None:
        if not table.key:
            return
        cols = [df[k].tolist() for k in table.key]
        first: dict[tuple[object, ...], int] = {}
        for i, r in enumerate(df[ROW].tolist()):
            key = tuple(c[i] for c in cols)
            if any(k is None or (isinstance(k, float) and math.isnan(k)) for k in key):
                continue
            if key in first:
                shown = ", ".join(text_of(k) or "" for k in key)
                self.error(table.name, "duplicate_key", row=r, column=table.key[-1], value=shown,
                           columns=" + ".join(table.key), shown=repr(shown), first=first[key])
            else:
                first[key] = r

    def refs(self, table: str, df: pd.DataFrame, column: str, targets: set[str], target: str) -> None:
        """Every id in ``column`` must be in ``targets`` (the ids of a table that was supplied and read)."""
        for r, v in zip(df[ROW].tolist(), df[column].tolist()):
            for one in ref_ids(v):
                if one not in targets:
                    self.error(table, "ref_not_found", row=r, column=column, value=one, id=repr(one), target=target)

    def tree(self, table: str, df: pd.DataFrame, id_col: str, parent_col: str) -> None:
        """Parents must form a tree: each cycle is one error on its first row."""
        ids = df[id_col].tolist()
        row_of = {i: r for i, r in zip(ids, df[ROW].tolist()) if i is not None}
        parent = {i: p for i, p in zip(ids, df[parent_col].tolist()) if i is not None and p is not None and p in row_of}
        for cycle in parent_cycles(parent):
            first = min(range(len(cycle)), key=lambda k: row_of[cycle[k]])
            cycle = cycle[first:] + cycle[:first]
            text = " → ".join([*cycle, cycle[0]])
            self.error(table, "parent_cycle", row=row_of[cycle[0]], column=parent_col, value=text,
                       column_name=parent_col, cycle=text)


def ref_ids(v: object) -> list[object]:
    return v if isinstance(v, list) else ([] if v is None else [v])


def has_refs(df: pd.DataFrame, column: str) -> bool:
    return any(ref_ids(v) for v in df[column].tolist())


def ids_of(df: pd.DataFrame | None, col: str) -> set[str] | None:
    if df is None:
        return None
    return {v for v in df[col].tolist() if v is not None}


def validate_tables(profile: Profile | None, raw_tables: dict[str, pd.DataFrame | None],
                    report: ValidationReport, files: dict[str, str] | None = None,
                    failed: Iterable[str] = (),
                    percent_cells: dict[str, set[tuple[int, str]]] | None = None) -> dict[str, pd.DataFrame | None]:
    """Check and type every table, then every cross-table rule. ``files`` maps table → file name for locations;
    ``failed`` names tables that were supplied but could not be read (their error is already reported);
    ``percent_cells`` the numbers Excel shows as percentages (see `reading.RawIntake`).

    A table with a header but no data rows is absent (None), exactly like a missing sheet or file, except
    ``kpis``: present-but-empty stays an (empty) table with a warning, so a brand-new client validates."""
    from workbench.intake.validation.rules import cross_table, prepare_raw

    ck = Checker(report, files or {}, profile)
    tables: dict[str, pd.DataFrame | None] = {}
    broken: dict[str, tuple[str, dict[str, object]]] = {name: ("broken_unreadable", {"table": name})
                                                        for name in failed}
    prepare_raw(ck, raw_tables, percent_cells or {})
    for name, spec in contract.TABLES.items():
        raw = raw_tables.get(name)
        if raw is not None and len(raw) == 0 and not spec.required_table:
            raw = None  # only a header (e.g. a blank sheet of the `workbench new` workbook): no data supplied
        if raw is None:
            tables[name] = None
            if spec.required_table and name not in broken:
                report.issue("error", "table_required", {"table": name},
                             file=(files or {}).get(name, "intake.xlsx"), sheet=name)
                broken[name] = ("broken_missing", {"table": name})
            continue
        if len(raw) > contract.MAX_TABLE_ROWS:
            ck.error(name, "table_too_many_rows", n=len(raw), limit=f"{contract.MAX_TABLE_ROWS:,}")
            tables[name] = None
            broken[name] = ("broken_unreadable", {"table": name})
            continue
        missing = [c.name for c in spec.columns if c.required and c.name not in raw.columns]
        if missing:
            broken[name] = ("broken_column", {"table": name, "columns": ", ".join(map(repr, missing))})
        df = ck.convert(spec, raw)
        tables[name] = df
        if spec.required_table and df.empty:
            # Decision: a present-but-empty required table is a warning, not an error, so that a brand-new
            # client (blank workbook from `workbench new`) validates; an absent table is an error.
            ck.warning(name, "table_no_rows", row=2, name=name)
        ck.unique(spec, df)
    cross_table(ck, profile, tables, broken)
    return tables
