"""Every rule of the intake contract (docs/intake.md), in one layer, and `workbench validate`.

Input: raw tables as `workbench.intake.reading` reads them (object frames + ``_row``). Output: the typed
tables described in `workbench.intake.contract`'s docstring, or a report listing *all* problems at once,
each located as the consultant sees it (file, sheet, Excel row, column, the bad value, what was
expected). Nothing here raises for bad data: a consultant fixes a whole file in one pass.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from workbench.intake import contract
from workbench.intake.contract import Column, Table
from workbench.intake.frameworks import DEFAULT_FRAMEWORK, framework_item_ids, known_frameworks, load_framework
from workbench.intake.model import (Category, Client, Profile, ValidationReport, normalise_period, period_end,
                                   period_sort_key)

if TYPE_CHECKING:
    from workbench.intake.reading import RawIntake

ROW = "_row"
CLIENT_YAML = "client.yaml"

_SPLIT_IDS = re.compile(r"[,，、;；]")
_INT_TEXT = re.compile(r"^[+-]?\d+\.0*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YES = frozenset(contract.YES)
_NO = frozenset(contract.NO)
YESNO_HINT = "expected yes or no (yes/no, y/n, true/false, 1/0, 是/否)"
PROFILE_KEYS = ("id", "name", "industry", "language", "period", "framework", "fishbone_categories", "mission",
                "vision", "values", "consultant", "missing_actuals", "grades", "profile", "challenges", "target_score")


# ---------------------------------------------------------------- client.yaml


def _text(v: object) -> str | None:
    """A cell or YAML scalar as text: numbers typed in Excel lose a spurious '.0', dates become ISO."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def resolve_categories(spec: object) -> tuple[list[Category], str | None]:
    """Fishbone categories from a preset name or an explicit list (strings or {key?, en, zh} maps).

    Returns (categories, error message or None)."""
    if spec is None:
        spec = "6M"
    if isinstance(spec, str):
        presets = {k.lower(): k for k in contract.FISHBONE_PRESETS}
        key = presets.get(spec.strip().lower())
        if key is None:
            return [], f"unknown fishbone preset; expected one of {', '.join(contract.FISHBONE_PRESETS)} or a list"
        return [Category(k, en, zh) for k, en, zh in contract.FISHBONE_PRESETS[key]], None
    if not isinstance(spec, list) or not spec:
        return [], "expected a preset name or a non-empty list of categories"
    cats: list[Category] = []
    for i, item in enumerate(spec, start=1):
        if isinstance(item, dict):
            en, zh = _text(item.get("en")), _text(item.get("zh"))
            key = _text(item.get("key")) or en or zh
            if key is None:
                return [], f"category {i}: expected a text or a map with en and zh"
            cats.append(Category(key, en or zh or key, zh or en or key))
        elif _text(item) is not None and not isinstance(item, (list, dict)):
            label = _text(item)
            assert label is not None
            cats.append(Category(label, label, label))
        else:
            return [], f"category {i}: expected a text or a map with en and zh"
    lowered = [c.key.lower() for c in cats]
    dup = sorted({k for k in lowered if lowered.count(k) > 1})
    if dup:
        return [], f"category listed twice: {', '.join(dup)}"
    return cats, None


def validate_profile(data: object, folder_name: str | None, report: ValidationReport,
                     lines: dict[str, int] | None = None) -> Profile | None:
    """client.yaml → Profile with defaults; every problem goes to ``report`` (file client.yaml, column = key,
    row = the key's line when ``lines`` is given). None when client.yaml has any error."""
    profile, ok = _profile(data, folder_name, report, lines)
    return profile if ok else None


def _profile(data: object, folder_name: str | None, report: ValidationReport,
             lines: dict[str, int] | None = None) -> tuple[Profile | None, bool]:
    """(profile, ok). The profile keeps every valid key even when another key is bad, so one mistake in
    client.yaml (``language: fr``, a missing period) does not make the tables' checks fall back to the
    defaults (e.g. report every custom grade as unknown). Where a key is bad the profile holds what the
    table checks should not trust: ``period`` "", ``fishbone_categories`` [] (categories not checked),
    ``framework`` the unknown edition (item ids not checked), a grade with bad points as NaN (the grade
    name still counts). Such a profile (ok False) is for validation only, never for a Client."""
    if not isinstance(data, dict):
        return None, False
    n_before = len(report.errors)
    lines = lines or {}

    def err(key: str, message: str, value: object = None) -> None:
        report.add("error", message, file=CLIENT_YAML, row=lines.get(key), column=key, value=value)

    def opt_text(key: str) -> str | None:
        v = data.get(key)
        if isinstance(v, (list, dict)):
            err(key, "expected a text", v)
            return None
        return _text(v)

    cid = data.get("id")
    cid_text = _text(cid) if not isinstance(cid, (list, dict)) else None
    if cid_text is None:
        err("id", "id is required (the client's slug, equal to the folder name)", cid)
    elif not re.match(contract.ID_PATTERN, cid_text) or "\n" in cid_text:
        err("id", "expected a slug: lower-case letters, digits and '-', starting with a letter or digit, "
                  "at most 63 characters", cid_text)
    elif folder_name is not None and cid_text != folder_name:
        err("id", f"id must equal the folder name {folder_name!r}", cid_text)

    name = opt_text("name")
    if name is None:
        err("name", "name is required (the organisation name printed on the deliverable)")

    period = opt_text("period")
    if period is None:
        err("period", "period is required, e.g. 2026Q3, 2026H1, 2026-09 or 2026")
    else:
        try:
            period_end(period)
            period = normalise_period(period)
        except ValueError:
            err("period", "expected a period like 2026Q3, 2026H1, 2026-09 or 2026", data.get("period"))

    language = (opt_text("language") or "zh").lower()
    if language not in contract.LANGUAGES:
        err("language", f"expected one of {', '.join(contract.LANGUAGES)}", data.get("language"))

    framework = opt_text("framework") or DEFAULT_FRAMEWORK
    if framework_item_ids(framework) is None:
        err("framework", f"unknown framework; expected one of {', '.join(known_frameworks())}", framework)

    categories, cat_error = resolve_categories(data.get("fishbone_categories"))
    if cat_error:
        err("fishbone_categories", cat_error, data.get("fishbone_categories"))

    missing = (opt_text("missing_actuals") or "exclude").lower()
    if missing not in ("exclude", "zero"):
        err("missing_actuals", "expected one of exclude, zero", data.get("missing_actuals"))

    def text_list(key: str) -> list[str]:
        raw = data.get(key)
        if isinstance(raw, list):
            if any(isinstance(v, (list, dict)) for v in raw):
                err(key, "expected a list of texts", raw)
                return []
            return [t for t in (_text(v) for v in raw) if t]
        if isinstance(raw, dict):
            err(key, "expected a list of texts", raw)
            return []
        return [t for t in [_text(raw)] if t]

    values = text_list("values")
    challenges = text_list("challenges")

    target_raw = data.get("target_score")
    target_score: float | None = None
    if target_raw is not None and _text(target_raw) is not None:
        total = load_framework(framework).total_points if framework_item_ids(framework) is not None else None
        f = parse_number(target_raw) if not isinstance(target_raw, (list, dict)) else None
        if f is None or f < 0 or (total is not None and f > total):
            upto = f" from 0 to {total}" if total is not None else " of at least 0"
            err("target_score", f"expected a number{upto} (the assessment total aimed for)", target_raw)
        else:
            target_score = f

    grades_raw = data.get("grades")
    grades: dict[str, float] = dict(contract.DEFAULT_GRADES)
    if grades_raw is not None:
        if not isinstance(grades_raw, dict) or not grades_raw:
            err("grades", "expected a map grade → points, e.g. {A: 100, B: 85, C: 70, D: 60, E: 0}", grades_raw)
        else:
            # Grade names are kept as written ("Good" stays "Good": that is what the deliverable shows);
            # actuals match them regardless of case, so two names differing only in case are ambiguous.
            grades = {}
            folded: dict[str, str] = {}
            for g, pts in grades_raw.items():
                gk = _text(g) or ""
                if not gk:
                    err("grades", "a grade name is empty", g)
                    continue
                if gk.casefold() in folded:
                    err("grades", f"grade {gk} is listed twice (also as {folded[gk.casefold()]}); grades are "
                        "matched regardless of case", gk)
                    continue
                folded[gk.casefold()] = gk
                if isinstance(pts, bool) or not isinstance(pts, (int, float)) or not math.isfinite(pts):
                    err("grades", f"grade {gk}: expected a number of points", pts)
                    grades[gk] = math.nan  # the name is still a grade for the actuals' checks
                else:
                    grades[gk] = float(pts)

    extra = {k: v for k, v in data.items() if k not in PROFILE_KEYS}
    for k in extra:
        report.add("warning", f"unknown key {k!r} (kept, but not part of the contract; a typo?)",
                   file=CLIENT_YAML, row=lines.get(str(k)), column=str(k))

    texts = {k: opt_text(k) for k in ("industry", "mission", "vision", "consultant", "profile")}
    ok = len(report.errors) == n_before
    if language not in contract.LANGUAGES:
        language = "zh"
    if missing not in ("exclude", "zero"):
        missing = "exclude"
    if period is not None and "period" in {i.column for i in report.errors[n_before:]}:
        period = None
    profile = Profile(id=cid_text or folder_name or "", name=name or "", period=period or "",
                      industry=texts["industry"], language=language, framework=framework,
                      fishbone_categories=categories, mission=texts["mission"], vision=texts["vision"],
                      values=values, consultant=texts["consultant"], missing_actuals=missing, grades=grades,
                      profile=texts["profile"], challenges=challenges, target_score=target_score, extra=extra)
    return profile, ok


# ---------------------------------------------------------------- cell converters
# Each returns (value, error message or None). ``None`` input means the cell is empty.

Conv = Callable[[object, Column], tuple[object, str | None]]


def conv_id(v: object, col: Column | None = None) -> tuple[object, str | None]:
    if v is None:
        return None, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and not math.isfinite(v):
            return None, "expected an id"
        return _text(v), None
    if isinstance(v, (datetime, date)):
        return _text(v), None
    s = str(v).strip()
    if _INT_TEXT.match(s) and "." in s:
        s = s.split(".")[0]
    return (s or None), None


def conv_text(v: object, col: Column | None = None) -> tuple[object, str | None]:
    return _text(v), None


def parse_number(v: object) -> float | None:
    """A number from a cell, or None when it is not one (bools and non-finite values are not numbers)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        s = v.strip().replace("\u2212", "-")
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        try:
            f = float(s)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _range_text(col: Column) -> str:
    lo = None if col.min is None else _text(float(col.min))
    hi = None if col.max is None else _text(float(col.max))
    if lo is not None and hi is not None:
        return f" from {lo} to {hi}"
    if lo is not None:
        return f" of at least {lo}"
    if hi is not None:
        return f" of at most {hi}"
    return ""


def conv_number(v: object, col: Column) -> tuple[object, str | None]:
    if v is None:
        return math.nan, None
    f = parse_number(v)
    if f is None:
        return math.nan, f"expected a number{_range_text(col)}"
    if (col.min is not None and f < col.min) or (col.max is not None and f > col.max):
        return math.nan, f"expected a number{_range_text(col)}"
    if col.multiple_of and abs(f / col.multiple_of - round(f / col.multiple_of)) > 1e-9:
        return math.nan, f"expected a multiple of {_text(float(col.multiple_of))}{_range_text(col)}"
    return f, None


def conv_int(v: object, col: Column) -> tuple[object, str | None]:
    if v is None:
        return math.nan, None
    f = parse_number(v)
    if f is None or not f.is_integer() or (col.min is not None and f < col.min) or (col.max is not None and f > col.max):
        return math.nan, f"expected a whole number{_range_text(col)}"
    return f, None


def parse_yesno(v: object) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _YES:
            return True
        if s in _NO:
            return False
        if _INT_TEXT.match(s):
            return parse_yesno(float(s))
    return None


def conv_yesno(v: object, col: Column) -> tuple[object, str | None]:
    if v is None:
        return bool(col.default), None
    b = parse_yesno(v)
    return (bool(col.default), YESNO_HINT) if b is None else (b, None)


def conv_date(v: object, col: Column) -> tuple[object, str | None]:
    if v is None:
        return pd.NaT, None
    if isinstance(v, datetime):
        return pd.Timestamp(v).normalize(), None
    if isinstance(v, date):
        return pd.Timestamp(v), None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
        from openpyxl.utils.datetime import from_excel  # an Excel serial typed into an unformatted cell
        return pd.Timestamp(from_excel(v)).normalize(), None
    if isinstance(v, str):
        m = _ISO_DATE.match(v.strip())
        if m:
            try:
                return pd.Timestamp(date(int(m[1]), int(m[2]), int(m[3]))), None
            except ValueError:
                pass
    return pd.NaT, "expected a date YYYY-MM-DD"


def conv_enum(v: object, col: Column) -> tuple[object, str | None]:
    if v is None:
        return col.default, None
    canon = canonical_enum(col.name, v)
    if canon is None:
        return col.default, f"expected one of {', '.join(col.enum)}"
    return canon, None


def canonical_enum(column: str, v: object) -> str | None:
    """Canonical English value of an enum cell (aliases and case accepted), or None."""
    s = _text(v)
    if s is None:
        return None
    aliases = contract.ENUM_ALIASES.get(column, {})
    low = s.lower()
    for cand in (low, low.replace("-", "_"), low.replace(" ", "_"), low.replace("_", " ")):
        if cand in aliases:
            return aliases[cand]
    return None


def split_ids(v: object) -> list[str]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return [str(x) for x in (conv_id(_cell(p))[0] for p in v) if x is not None]
    if not isinstance(v, str):
        one = conv_id(v)[0]
        return [str(one)] if one is not None else []
    out = []
    for part in _SPLIT_IDS.split(v):
        pid = conv_id(part)[0]
        if pid is not None:
            out.append(str(pid))
    return out


def conv_idlist(v: object, col: Column) -> tuple[object, str | None]:
    return split_ids(v), None


def conv_any(v: object, col: Column) -> tuple[object, str | None]:
    return v, None


CONVERTERS: dict[str, Conv] = {
    "id": conv_id, "text": conv_text, "number": conv_number, "int": conv_int, "yesno": conv_yesno,
    "date": conv_date, "enum": conv_enum, "idlist": conv_idlist, "any": conv_any,
}


def _series(values: list[object], ctype: str) -> pd.Series:
    """A typed column; text-like columns stay object so missing is None on pandas 2 and 3 alike."""
    if ctype in ("number", "int"):
        return pd.Series(np.asarray(values, dtype="float64") if values else np.empty(0, dtype="float64"))
    if ctype == "yesno":
        return pd.Series(values, dtype="bool")
    if ctype == "date":
        return pd.Series(values, dtype="datetime64[ns]")
    return pd.Series(values, dtype=object)


def _empty_value(ctype: str, col: Column) -> object:
    if ctype in ("number", "int"):
        return math.nan if col.default is None else float(col.default)  # type: ignore[arg-type]
    if ctype == "yesno":
        return bool(col.default)
    if ctype == "date":
        return pd.NaT
    if ctype == "idlist":
        return []
    return col.default


# ---------------------------------------------------------------- tables


class _Checker:
    """Holds the report and where each table came from, so every issue is located the same way."""

    def __init__(self, report: ValidationReport, files: dict[str, str], profile: Profile | None):
        self.report = report
        self.files = files
        self.profile = profile

    def add(self, severity: str, table: str, message: str, row: int | None = None, column: str | None = None,
            value: object = None) -> None:
        self.report.add(severity, message, file=self.files.get(table, f"{table}.csv"), sheet=table, row=row,  # type: ignore[arg-type]
                        column=column, value=value)

    def error(self, table: str, message: str, row: int | None = None, column: str | None = None,
              value: object = None) -> None:
        self.add("error", table, message, row, column, value)

    def warning(self, table: str, message: str, row: int | None = None, column: str | None = None,
                value: object = None) -> None:
        self.add("warning", table, message, row, column, value)

    # -- per table --------------------------------------------------------
    def convert(self, table: Table, raw: pd.DataFrame) -> pd.DataFrame:
        rows = [int(r) for r in raw[ROW].tolist()] if ROW in raw.columns else list(range(2, len(raw) + 2))
        n = len(rows)
        out: dict[str, pd.Series] = {}
        for col in table.columns:
            if col.name not in raw.columns:
                if col.required:
                    self.error(table.name, f"required column {col.name!r} is missing", row=1, column=col.name)
                out[col.name] = _series([_empty_value(col.type, col)] * n, col.type)
                continue
            conv = CONVERTERS[col.type]
            values: list[object] = []
            for r, v in zip(rows, raw[col.name].tolist()):
                v = _cell(v)
                if v is None and col.required:
                    self.error(table.name, "required value is empty", row=r, column=col.name)
                val, msg = conv(v, col)
                if msg:
                    self.error(table.name, msg, row=r, column=col.name, value=v)
                values.append(val)
            out[col.name] = _series(values, col.type)
        for extra in raw.columns:
            if extra != ROW and extra not in out:
                out[str(extra)] = pd.Series([_cell(v) for v in raw[extra].tolist()], dtype=object)
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
                shown = ", ".join(_text(k) or "" for k in key)
                self.error(table.name, f"duplicate {' + '.join(table.key)} {shown!r}: already on row {first[key]}",
                           row=r, column=table.key[-1], value=shown)
            else:
                first[key] = r

    def refs(self, table: str, df: pd.DataFrame, column: str, targets: set[str], target: str) -> None:
        """Every id in ``column`` must be in ``targets`` (the ids of a table that was supplied and read)."""
        for r, v in zip(df[ROW].tolist(), df[column].tolist()):
            for one in _ref_ids(v):
                if one not in targets:
                    self.error(table, f"{one!r} not found in {target}", row=r, column=column, value=one)

    def tree(self, table: str, df: pd.DataFrame, id_col: str, parent_col: str) -> None:
        """Parents must form a tree: walk up from every node; a walk that meets itself is a cycle."""
        ids = df[id_col].tolist()
        rows = df[ROW].tolist()
        row_of = {i: r for i, r in zip(ids, rows) if i is not None}
        parent = {i: p for i, p in zip(ids, df[parent_col].tolist()) if i is not None and p is not None and p in row_of}
        done: set[str] = set()
        for start in ids:
            if start is None or start in done:
                continue
            path: list[str] = []
            pos: dict[str, int] = {}
            node = start
            while True:
                if node in pos:
                    cycle = path[pos[node]:]
                    first = min(range(len(cycle)), key=lambda k: row_of[cycle[k]])
                    cycle = cycle[first:] + cycle[:first]
                    text = " → ".join([*cycle, cycle[0]])
                    self.error(table, f"{parent_col} forms a cycle: {text} (each points at its parent)",
                               row=row_of[cycle[0]], column=parent_col, value=text)
                    break
                if node in done or node not in parent:
                    break
                pos[node] = len(path)
                path.append(node)
                node = parent[node]
            done.update(path)


def _cell(v: object) -> object:
    """Normalise a raw cell: strip text, empty → None, NaN → None (frames edited in a notebook carry NaN)."""
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NaT:
        return None
    try:
        if pd.isna(v) is True:  # pd.NA and friends
            return None
    except (TypeError, ValueError):
        pass
    return v


def _ref_ids(v: object) -> list[object]:
    return v if isinstance(v, list) else ([] if v is None else [v])


def _has_refs(df: pd.DataFrame, column: str) -> bool:
    return any(_ref_ids(v) for v in df[column].tolist())


def validate_tables(profile: Profile | None, raw_tables: dict[str, pd.DataFrame | None],
                    report: ValidationReport, files: dict[str, str] | None = None,
                    failed: Iterable[str] = ()) -> dict[str, pd.DataFrame | None]:
    """Check and type every table, then every cross-table rule. ``files`` maps table → file name for locations;
    ``failed`` names tables that were supplied but could not be read (their error is already reported).

    A table with a header but no data rows is absent (None), exactly like a missing sheet or file, except
    ``kpis``: present-but-empty stays an (empty) table with a warning, so a brand-new client validates."""
    ck = _Checker(report, files or {}, profile)
    tables: dict[str, pd.DataFrame | None] = {}
    broken: dict[str, str] = {name: f"the {name} table could not be read" for name in failed}
    for name, spec in contract.TABLES.items():
        raw = raw_tables.get(name)
        if raw is not None and len(raw) == 0 and not spec.required_table:
            raw = None  # only a header (e.g. a blank sheet of the `workbench new` workbook): no data supplied
        if raw is None:
            tables[name] = None
            if spec.required_table and name not in broken:
                report.add("error", f"the {name} table is required: add a sheet named {name!r} to intake.xlsx "
                           f"(or a {name}.csv file)", file=(files or {}).get(name, "intake.xlsx"), sheet=name)
                broken[name] = f"the {name} table is missing"
            continue
        missing = [c.name for c in spec.columns if c.required and c.name not in raw.columns]
        if missing:
            broken[name] = (f"required column {missing[0]!r} of the {name} table is missing" if len(missing) == 1
                            else f"required columns {', '.join(map(repr, missing))} of the {name} table are missing")
        df = ck.convert(spec, raw)
        tables[name] = df
        if spec.required_table and df.empty:
            # Decision: a present-but-empty required table is a warning, not an error, so that a brand-new
            # client (blank workbook from `workbench new`) validates; an absent table is an error.
            ck.warning(name, f"the {name} table has no rows yet", row=2)
        ck.unique(spec, df)
    _cross_table(ck, profile, tables, broken)
    return tables


def _ids(df: pd.DataFrame | None, col: str) -> set[str] | None:
    if df is None:
        return None
    return {v for v in df[col].tolist() if v is not None}


class _Refs:
    """Reference checks that know whether the referenced table was supplied, read, or neither.

    - supplied and read: an id that does not resolve is an error on its cell;
    - not supplied (optional table absent or empty): one warning per referencing column, the references
      are ignored (intake.md: an absent table means "no data supplied", not a failure);
    - supplied but unreadable (or a required table/column missing): not checked, and said once per table,
      since every reference would only echo the one error already reported."""

    def __init__(self, ck: _Checker, tables: dict[str, pd.DataFrame | None], broken: dict[str, str]):
        self.ck, self.tables, self.broken = ck, tables, broken
        self.unchecked: dict[str, list[str]] = defaultdict(list)  # broken target -> "table.column" not checked

    def check(self, table: str, column: str, target: str, target_col: str) -> None:
        df = self.tables[table]
        assert df is not None
        if not _has_refs(df, column):
            return
        if target in self.broken:
            self.unchecked[target].append(f"{table}.{column}")
        elif self.tables[target] is None:
            self.ck.warning(table, f"{table}.{column} refers to {target}, but no {target} table was supplied: "
                            "the references are ignored", row=1, column=column)
        else:
            self.ck.refs(table, df, column, _ids(self.tables[target], target_col) or set(), f"{target}.{target_col}")

    def skipped(self, what: str, target: str) -> None:
        self.unchecked[target].append(what)

    def report(self) -> None:
        for target, cols in self.unchecked.items():
            text = f"({', '.join(cols)}): {self.broken[target]}"
            if target in contract.TABLES:
                self.ck.warning(target, f"references to {target} not checked {text}")
            else:  # "framework": the assessment items of an unknown framework
                self.ck.report.add("warning", f"references to the framework's assessment items not checked {text}",
                                   file=CLIENT_YAML, column="framework")


def _cross_table(ck: _Checker, profile: Profile | None, t: dict[str, pd.DataFrame | None],
                 broken: dict[str, str] | None = None) -> None:
    broken = dict(broken or {})
    problems, causes, whys = t["problems"], t["causes"], t["whys"]
    objectives, links, kpis = t["objectives"], t["links"], t["kpis"]
    actuals, assessment, actions = t["actuals"], t["assessment"], t["actions"]
    framework = profile.framework if profile else None
    framework_items = framework_item_ids(framework) if framework else None
    if framework_items is None:
        # client.yaml unreadable or its framework unknown (already an error there): the item ids are unknown
        broken["framework"] = ("client.yaml could not be read" if profile is None
                               else f"the framework {framework!r} in client.yaml is unknown")
    item_ids = set(framework_items or ())
    refs = _Refs(ck, t, broken)

    if causes is not None:
        refs.check("causes", "problem_id", "problems", "problem_id")
        refs.check("causes", "parent_cause_id", "causes", "cause_id")
        ck.tree("causes", causes, "cause_id", "parent_cause_id")
        if profile is not None:
            _check_categories(ck, profile, causes)
    if whys is not None:
        refs.check("whys", "problem_id", "problems", "problem_id")
        refs.check("whys", "cause_id", "causes", "cause_id")
        _check_whys(ck, whys)
    if links is not None:
        refs.check("links", "from_objective", "objectives", "objective_id")
        refs.check("links", "to_objective", "objectives", "objective_id")
        _check_links(ck, links, objectives)
    if kpis is not None:
        refs.check("kpis", "parent_kpi_id", "kpis", "kpi_id")
        refs.check("kpis", "objective_id", "objectives", "objective_id")
        ck.tree("kpis", kpis, "kpi_id", "parent_kpi_id")
        _check_method_needs(ck, kpis)
        _check_weights(ck, kpis)
    if objectives is not None:
        _check_strategy_map(ck, objectives, links, kpis)
    if actuals is not None:
        refs.check("actuals", "kpi_id", "kpis", "kpi_id")
        _check_actuals(ck, profile, actuals, kpis if "kpis" not in broken else None)
    if assessment is not None and _has_refs(assessment, "item_id"):
        if "framework" in broken:
            refs.skipped("assessment.item_id", "framework")
        else:
            ck.refs("assessment", assessment, "item_id", item_ids, f"the items of framework {framework}")
    if actions is not None:
        _check_action_dates(ck, actions)
        _check_addresses(ck, refs, t, item_ids, "actions")
    if kpis is not None:
        _check_linear_order(ck, kpis)
        _check_excel_percentages(ck, kpis, actuals if "kpis" not in broken else None)
    findings, feedback, reviews = t["findings"], t["feedback"], t["reviews"]
    if findings is not None:
        _check_addresses(ck, refs, t, item_ids, "findings")
    if feedback is not None and _has_refs(feedback, "item_id"):
        if "framework" in broken:
            refs.skipped("feedback.item_id", "framework")
        else:
            ck.refs("feedback", feedback, "item_id", item_ids, f"the items of framework {framework}")
            _check_feedback(ck, profile, feedback)
    if reviews is not None:
        _check_reviews(ck, refs, t)
    refs.report()


# Tables whose ids an ``addresses`` list may name (besides the framework's assessment items).
ADDRESSABLE: dict[str, tuple[tuple[str, str], ...]] = {
    "actions": (("causes", "cause_id"), ("kpis", "kpi_id"), ("objectives", "objective_id")),
    "findings": (("causes", "cause_id"), ("kpis", "kpi_id"), ("objectives", "objective_id"),
                 ("actions", "action_id")),
}


def _check_addresses(ck: _Checker, refs: _Refs, t: dict[str, pd.DataFrame | None], item_ids: set[str],
                     table: str = "actions") -> None:
    """``<table>.addresses`` names ids of other tables or assessment items: checked only when every table
    it could point into was read; ids that could be in a table not supplied make one warning, not errors."""
    df = t[table]
    assert df is not None
    if not _has_refs(df, "addresses"):
        return
    targets = ADDRESSABLE[table]
    what = ", ".join(n for n, _ in targets) + " or assessment items"
    unread = [n for n, _ in targets if n in refs.broken] + (["framework"] if "framework" in refs.broken else [])
    if unread:
        for n in unread:
            refs.skipped(f"{table}.addresses", n)
        return
    known = set(item_ids) | (_ids(t["assessment"], "item_id") or set())
    for n, col in targets:
        known |= _ids(t[n], col) or set()
    absent = [n for n, _ in targets if t[n] is None]
    if not absent:
        ck.refs(table, df, "addresses", known, what)
        return
    unknown = sorted({str(one) for v in df["addresses"].tolist() for one in _ref_ids(v) if one not in known})
    if unknown:
        ck.warning(table, f"{table}.addresses names {', '.join(unknown)}, which may refer to "
                   f"{' or '.join(absent)}, but no {' or '.join(absent)} table was supplied: these references "
                   "are ignored", row=1, column="addresses")


# ---------------------------------------------------------------- v2 rules


def _check_linear_order(ck: _Checker, kpis: pd.DataFrame) -> None:
    """``linear`` needs threshold < target < stretch (threshold > target > stretch for ``lower``)."""
    for r, k, m, d, th, tg, st in zip(kpis[ROW].tolist(), kpis["kpi_id"].tolist(), kpis["method"].tolist(),
                                      kpis["direction"].tolist(), kpis["threshold"].tolist(),
                                      kpis["target"].tolist(), kpis["stretch"].tolist()):
        if m != "linear" or any(math.isnan(x) for x in (th, tg, st)):
            continue
        lower = d == "lower"
        ordered = (th > tg > st) if lower else (th < tg < st)
        if not ordered:
            want = "threshold > target > stretch (lower is better)" if lower else "threshold < target < stretch"
            got = f"{_text(th)}, {_text(tg)}, {_text(st)}"
            ck.error("kpis", f"KPI {k} uses method linear, which needs {want}; got {got}", row=r,
                     column="threshold" if (th >= tg if not lower else th <= tg) else "stretch", value=got)


_PERCENT_UNITS = frozenset({"%", "％", "percent", "pct", "百分比", "百分率"})
_PCT_FIELDS = ("baseline", "threshold", "target", "stretch")
EXCEL_PCT_MAX = 1.5


def is_percent_unit(unit: object) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in _PERCENT_UNITS


def _check_excel_percentages(ck: _Checker, kpis: pd.DataFrame, actuals: pd.DataFrame | None) -> None:
    """A value typed as 90% in Excel is stored as 0.9: in a ``%`` KPI whose other values are above 1.5, a value
    between 0 and 1.5 is most likely that, so say which cell and what it probably meant."""
    cells: dict[str, list[tuple[str, int, str, float]]] = defaultdict(list)  # kpi -> (table, row, column, value)
    pct_kpis: set[str] = set()
    for i, (r, k, unit, m) in enumerate(zip(kpis[ROW].tolist(), kpis["kpi_id"].tolist(), kpis["unit"].tolist(),
                                             kpis["method"].tolist())):
        if k is None or not is_percent_unit(unit):
            continue
        pct_kpis.add(k)
        for f in _PCT_FIELDS:
            v = float(kpis[f].iat[i])
            if not math.isnan(v):
                cells[k].append(("kpis", r, f, v))
    if actuals is not None:
        for r, k, v in zip(actuals[ROW].tolist(), actuals["kpi_id"].tolist(), actuals["actual"].tolist()):
            if k in pct_kpis and isinstance(v, float) and not math.isnan(v):
                cells[k].append(("actuals", r, "actual", float(v)))
    for k, vals in cells.items():
        for table, r, col, v in vals:
            if not 0 < v <= EXCEL_PCT_MAX:
                continue
            others = [o for (_, _, c2, o) in vals if not (c2 == col and o == v)]
            if others and all(o > EXCEL_PCT_MAX for o in others):
                likely = _text(round(v * 100, 6))
                ck.warning(table, f"KPI {k} is in %: {_text(v)}: did you mean {likely}? (a percentage typed in "
                           f"Excel is stored as a fraction; type {likely} or format the cell as a number)",
                           row=r, column=col, value=v)


def _item_lens(profile: Profile | None) -> dict[str, str] | None:
    if profile is None or framework_item_ids(profile.framework) is None:
        return None
    return {i.id: i.lens for i in load_framework(profile.framework).items}


def _check_feedback(ck: _Checker, profile: Profile | None, feedback: pd.DataFrame) -> None:
    """``dimension`` must fit the item: the codes of its lens (A/D/L/I for 4.1-4.6, Le/T/C/I for 4.7)."""
    lens_of = _item_lens(profile)
    if lens_of is None:
        return
    fw = load_framework(profile.framework)  # type: ignore[union-attr]
    for r, item, dim in zip(feedback[ROW].tolist(), feedback["item_id"].tolist(), feedback["dimension"].tolist()):
        lens = lens_of.get(item)
        if dim is None or lens is None:
            continue
        codes = fw.dimension_codes(lens)
        if dim not in codes:
            ck.error("feedback", f"dimension {dim} does not fit item {item} ({fw.lens_name(lens, 'en')}); "
                     f"expected one of {', '.join(codes)}", row=r, column="dimension", value=dim)


def _normalise_periods(ck: _Checker, table: str, df: pd.DataFrame) -> list[object]:
    periods: list[object] = []
    for r, p in zip(df[ROW].tolist(), df["period"].tolist()):
        raw = p
        if isinstance(p, str):
            p = normalise_period(p)
        try:
            if p is not None:
                period_end(str(p))
        except ValueError:
            ck.error(table, "expected a period like 2026Q3, 2026H1, 2026-09 or 2026", row=r, column="period",
                     value=raw)
        periods.append(p)
    df["period"] = pd.Series(periods, dtype=object, index=df.index)
    return periods


def _check_reviews(ck: _Checker, refs: _Refs, t: dict[str, pd.DataFrame | None]) -> None:
    """A review explains the actual of a KPI in a period: that actual must exist."""
    reviews = t["reviews"]
    assert reviews is not None
    refs.check("reviews", "kpi_id", "kpis", "kpi_id")
    _normalise_periods(ck, "reviews", reviews)
    actuals = t["actuals"]
    if "actuals" in refs.broken:
        refs.skipped("reviews.period", "actuals")
        return
    if actuals is None:
        ck.warning("reviews", "reviews refer to actuals, but no actuals table was supplied: the periods are not "
                   "checked", row=1, column="period")
        return
    have = set(zip(actuals["kpi_id"].tolist(), actuals["period"].tolist()))
    for r, k, p in zip(reviews[ROW].tolist(), reviews["kpi_id"].tolist(), reviews["period"].tolist()):
        if k is not None and p is not None and (k, p) not in have:
            ck.error("reviews", f"KPI {k} has no actual for {p}: a review explains an actual", row=r, column="period",
                     value=p)


def _check_action_dates(ck: _Checker, actions: pd.DataFrame) -> None:
    for r, a, start, due in zip(actions[ROW].tolist(), actions["action_id"].tolist(), actions["start"].tolist(),
                                actions["due"].tolist()):
        if pd.notna(start) and pd.notna(due) and start > due:
            ck.error("actions", f"action {a}: start {start.date().isoformat()} is after due "
                     f"{due.date().isoformat()}", row=r, column="start", value=start.date().isoformat())


def _check_categories(ck: _Checker, profile: Profile, causes: pd.DataFrame) -> None:
    if not profile.fishbone_categories:
        return  # fishbone_categories in client.yaml is bad (reported there): nothing to check against
    lookup: dict[str, str] = {}
    for c in profile.fishbone_categories:
        for label in (c.key, c.en, c.zh):
            lookup.setdefault(label.strip().lower(), c.key)
    allowed = ", ".join(f"{c.en}/{c.zh}" if c.en != c.zh else c.en for c in profile.fishbone_categories)
    out = []
    for r, v in zip(causes[ROW].tolist(), causes["category"].tolist()):
        if v is None:
            out.append(None)
            continue
        key = lookup.get(str(v).strip().lower())
        if key is None:
            ck.error("causes", f"unknown category; expected one of {allowed}", row=r, column="category", value=v)
        out.append(key if key is not None else v)
    causes["category"] = pd.Series(out, dtype=object, index=causes.index)  # canonical category key


def _check_whys(ck: _Checker, whys: pd.DataFrame) -> None:
    chains: dict[str, list[tuple[int, float, object, bool]]] = defaultdict(list)
    for r, chain, step, prob, root in zip(whys[ROW].tolist(), whys["chain_id"].tolist(), whys["step"].tolist(),
                                          whys["problem_id"].tolist(), whys["root_cause"].tolist()):
        if chain is not None:
            chains[chain].append((r, step, prob, bool(root)))
    for chain, rows in chains.items():
        first_row = min(r for r, *_ in rows)
        steps = sorted({int(s) for _, s, _, _ in rows if not math.isnan(s)})
        if steps and steps != list(range(1, len(steps) + 1)):
            ck.error("whys", f"steps of chain {chain!r} are {', '.join(map(str, steps))}; expected 1, 2, 3 … "
                     "consecutive from 1", row=first_row, column="step", value=chain)
        probs = sorted({p for _, _, p, _ in rows if p is not None})
        if len(probs) > 1:
            ck.error("whys", f"chain {chain!r} mixes problems {', '.join(probs)}; a chain analyses one problem",
                     row=first_row, column="problem_id", value=chain)
        roots = sorted(r for r, _, _, root in rows if root)
        for r in roots[1:]:
            ck.error("whys", f"chain {chain!r} has more than one root_cause (first on row {roots[0]}); "
                     "at most one per chain", row=r, column="root_cause", value=chain)


def _check_links(ck: _Checker, links: pd.DataFrame, objectives: pd.DataFrame | None) -> None:
    edges: dict[str, list[str]] = defaultdict(list)
    row_of_edge: dict[tuple[str, str], int] = {}
    for r, a, b in zip(links[ROW].tolist(), links["from_objective"].tolist(), links["to_objective"].tolist()):
        if a is None or b is None:
            continue
        edges[a].append(b)
        row_of_edge.setdefault((a, b), r)
    # cycles: DFS with colours; report each back edge's cycle once (by its node set)
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    for root in list(edges):
        if state.get(root):
            continue
        stack: list[tuple[str, Iterable[str]]] = [(root, iter(edges.get(root, [])))]
        path = [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            s = state.get(nxt, 0)
            if s == 0:
                state[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, []))))
                path.append(nxt)
            elif s == 1:
                cycle = path[path.index(nxt):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    text = " → ".join([*cycle, nxt])
                    row = min(row_of_edge[(cycle[k], (cycle + [nxt])[k + 1])] for k in range(len(cycle)))
                    ck.error("links", f"cause-effect links form a cycle: {text}", row=row, column="from_objective",
                             value=text)
    if objectives is None:
        return
    persp = dict(zip(objectives["objective_id"].tolist(), objectives["perspective"].tolist()))
    rank = {p: i for i, p in enumerate(reversed(contract.PERSPECTIVES))}  # learning 0 … financial 3
    for r, a, b in zip(links[ROW].tolist(), links["from_objective"].tolist(), links["to_objective"].tolist()):
        pa, pb = persp.get(a), persp.get(b)
        if pa in rank and pb in rank and rank[pa] > rank[pb]:
            ck.warning("links", f"link {a} → {b} runs down the perspective order ({pa} → {pb}); cause-effect "
                       "normally runs learning → process → customer → financial", row=r, column="to_objective",
                       value=f"{a} → {b}")


def _check_strategy_map(ck: _Checker, objectives: pd.DataFrame, links: pd.DataFrame | None,
                        kpis: pd.DataFrame | None) -> None:
    ids = objectives["objective_id"].tolist()
    rows = objectives[ROW].tolist()
    if links is None:
        if ids:
            ck.warning("objectives", "no links table: the strategy map has no cause-effect links")
    else:
        linked = set(links["from_objective"].tolist()) | set(links["to_objective"].tolist())
        for r, o in zip(rows, ids):
            if o is not None and o not in linked:
                ck.warning("objectives", f"objective {o} has no cause-effect link", row=r, column="objective_id",
                           value=o)
    if kpis is None:
        return
    measured = set(kpis["objective_id"].tolist())
    for r, o in zip(rows, ids):
        if o is not None and o not in measured:
            ck.warning("objectives", f"objective {o} has no KPI", row=r, column="objective_id", value=o)
    # Scorecard size (Kaplan & Norton): counted over top-level KPIs linked to an objective, so that
    # KPIs cascaded to departments (which have a parent) do not inflate the company scorecard.
    persp = dict(zip(ids, objectives["perspective"].tolist()))
    counts = dict.fromkeys(contract.PERSPECTIVES, 0)
    for o, parent in zip(kpis["objective_id"].tolist(), kpis["parent_kpi_id"].tolist()):
        if o is not None and parent is None and persp.get(o) in counts:
            counts[persp[o]] += 1
    if not any(counts.values()):
        return
    for p, n in counts.items():
        if not 4 <= n <= 7:
            ck.warning("kpis", f"perspective {p} has {n} top-level KPIs; a balanced scorecard usually has 4-7 "
                       "per perspective", column="objective_id", value=n)
    total = sum(counts.values())
    if not 16 <= total <= 25:
        ck.warning("kpis", f"the scorecard has {total} top-level KPIs; usually 16-25 in total",
                   column="objective_id", value=total)


def _check_method_needs(ck: _Checker, kpis: pd.DataFrame) -> None:
    cols = {f: kpis[f].tolist() for fs in contract.METHOD_NEEDS.values() for f in fs}
    for i, (r, k, m) in enumerate(zip(kpis[ROW].tolist(), kpis["kpi_id"].tolist(), kpis["method"].tolist())):
        for f in contract.METHOD_NEEDS.get(m or "", ()):
            if math.isnan(cols[f][i]):
                ck.error("kpis", f"KPI {k} uses method {m}, which needs {f}; {f} is empty", row=r, column=f)
        if m == "ratio" and cols["target"][i] == 0:
            ck.error("kpis", f"KPI {k} uses method ratio, which divides by target; target must not be 0",
                     row=r, column="target", value=0)


def _check_weights(ck: _Checker, kpis: pd.DataFrame) -> None:
    groups: dict[tuple[object, str], list[tuple[int, float]]] = defaultdict(list)
    for r, unit, owner, w in zip(kpis[ROW].tolist(), kpis["owner_unit"].tolist(), kpis["owner"].tolist(),
                                 kpis["weight"].tolist()):
        if unit is None:
            continue
        groups[(unit, owner or "")].append((r, w))
    for (unit, owner), rows in groups.items():
        if any(math.isnan(w) for _, w in rows):
            continue  # an empty or bad weight is already reported on its row
        total = sum(w for _, w in rows)
        if abs(total - 100) > 0.01:
            who = f"{unit}/{owner}" if owner else f"{unit}"
            rws = ", ".join(str(r) for r, _ in rows)
            ck.error("kpis", f"weights of owner {who} sum to {_text(round(total, 4))}, expected 100 (rows {rws})",
                     row=rows[0][0], column="weight", value=round(total, 4))


def _check_actuals(ck: _Checker, profile: Profile | None, actuals: pd.DataFrame, kpis: pd.DataFrame | None) -> None:
    methods = dict(zip(kpis["kpi_id"].tolist(), kpis["method"].tolist())) if kpis is not None else {}
    grades = profile.grades if profile else None  # None: client.yaml unreadable, its grades unknown
    # Grades match regardless of case and become the key as the client wrote it ("good" → "Good").
    grade_of = {str(g).casefold(): g for g in grades} if grades is not None else {}
    periods = _normalise_periods(ck, "actuals", actuals)
    out: list[object] = []
    for r, k, v in zip(actuals[ROW].tolist(), actuals["kpi_id"].tolist(), actuals["actual"].tolist()):
        m = methods.get(k)
        if v is None or m is None:
            out.append(None if v is None else v)
            continue
        if m == "qualitative":
            text = _text(v) or ""
            g = grade_of.get(text.casefold())
            if g is None and grades is not None:
                ck.error("actuals", f"KPI {k} is qualitative: expected a grade, one of {', '.join(grades)}", row=r,
                         column="actual", value=v)
            out.append(text if g is None else g)
        elif m == "binary":
            b = parse_yesno(v)
            if b is None:
                ck.error("actuals", f"KPI {k} is binary: {YESNO_HINT}", row=r, column="actual", value=v)
            out.append(b)
        else:
            f = parse_number(v)
            if f is None:
                ck.error("actuals", f"KPI {k} uses method {m}: expected a number", row=r, column="actual", value=v)
            elif m == "deduction" and (f < 0):
                ck.error("actuals", f"KPI {k} uses method deduction: expected a count of occurrences (≥ 0)", row=r,
                         column="actual", value=v)
            out.append(f)
    actuals["actual"] = pd.Series(out, dtype=object, index=actuals.index)
    if profile is not None and profile.period and len(actuals) and profile.period not in set(periods):
        ck.warning("actuals", f"no actuals for the period being scored ({profile.period}); every KPI will be "
                   "reported without a score")


# ---------------------------------------------------------------- whole client


def _fold_period_dates(raw_tables: dict[str, pd.DataFrame | None]) -> None:
    """Excel turns a typed 2026-09 into the date 2026-09-01: read such a period back as 2026-09."""
    df = raw_tables.get("actuals")
    if df is None or "period" not in df.columns:
        return
    vals = df["period"].tolist()
    if any(isinstance(v, (datetime, date)) for v in vals):
        df["period"] = pd.Series([f"{v.year:04d}-{v.month:02d}" if isinstance(v, (datetime, date)) and v.day == 1
                                  else v for v in vals], dtype=object, index=df.index)


def validate_raw(raw: RawIntake) -> tuple[Client | None, ValidationReport]:
    """Apply the whole contract to what `intake.read_raw` found. Client is None when there are errors."""
    report = ValidationReport(raw.folder, list(raw.issues))
    if not raw.folder.is_dir():
        return None, report
    profile, profile_ok = _profile(raw.profile, raw.folder.resolve().name, report, raw.profile_lines)
    if raw.blocked:
        return None, report  # unreadable workbook or both formats present: nothing to say about tables
    _fold_period_dates(raw.tables)
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
                    source: str = "xlsx") -> tuple[Client | None, ValidationReport]:
    """Validate tables held in memory (e.g. edited in the engagement notebook) against the contract.

    Frames may be raw (as read) or already typed; ``_row`` is used when present."""
    report = ValidationReport(folder)
    raw = {k: (None if v is None else v.astype(object)) for k, v in frames.items()}
    raw = {k: (None if v is None else v.where(pd.notna(v), None)) for k, v in raw.items()}
    _fold_period_dates(raw)
    files = {n: ("intake.xlsx" if source == "xlsx" else f"{n}.csv") for n in contract.TABLE_ORDER}
    tables = validate_tables(profile, {n: raw.get(n) for n in contract.TABLE_ORDER}, report, files)
    if not report.ok:
        return None, report
    return Client(folder=folder, profile=profile, tables=tables, source=source, warnings=report.warnings), report  # type: ignore[arg-type]


# ---------------------------------------------------------------- history (v2)

HISTORY_REQUIRED_KEYS = ("client", "period")


def validate_history(docs: dict[str, object], profile: Profile | None,
                     report: ValidationReport) -> dict[str, dict[str, object]]:
    """Each history file must be a results.json (outputs.md) of this client: a JSON object whose ``client`` is
    the client's id and whose ``period`` is a period (named by the file). Returns period -> document, oldest first."""
    out: dict[str, dict[str, object]] = {}
    for rel, doc in docs.items():
        def err(message: str, column: str | None = None, value: object = None) -> None:
            report.add("error", message, file=rel, column=column, value=value)

        if not isinstance(doc, dict):
            err("expected a results.json document (a JSON object with client, period, assessment, kpis, ...)")
            continue
        missing = [k for k in HISTORY_REQUIRED_KEYS if k not in doc]
        if missing:
            err(f"not a results.json: key {missing[0]!r} is missing", column=missing[0])
            continue
        if profile is not None and profile.id and doc["client"] != profile.id:
            err(f"this results.json belongs to client {doc['client']!r}, not {profile.id!r}", column="client",
                value=doc["client"])
            continue
        period = _text(doc["period"]) if not isinstance(doc["period"], (list, dict)) else None
        try:
            period = normalise_period(period) if period and period_end(period) else None
        except ValueError:
            period = None
        if period is None:
            err("expected a period like 2026Q3, 2026H1, 2026-09 or 2026", column="period", value=doc["period"])
            continue
        stem = Path(rel).stem
        if normalise_period(stem) != period:
            err(f"the file name says {stem} but the document's period is {period}; name it {period}.json",
                column="period", value=period)
            continue
        if isinstance(doc.get("assessment"), dict) and "total" in doc["assessment"]:
            total = doc["assessment"]["total"]
            if total is not None and parse_number(total) is None:
                err("assessment.total must be a number or null", column="assessment.total", value=total)
                continue
        if profile is not None and profile.period and period_sort_key(period) >= period_sort_key(profile.period):
            report.add("warning", f"history period {period} is not before the period being scored "
                       f"({profile.period}); progress compares with earlier rounds only", file=rel, column="period")
        out[period] = doc
    return dict(sorted(out.items(), key=lambda kv: period_sort_key(kv[0])))


# ---------------------------------------------------------------- `workbench validate`


def expand_client_folders(folders: Iterable[Path]) -> list[Path]:
    """A folder with client.yaml is a client; one without it but with client sub-folders stands for those."""
    out: list[Path] = []
    for f in folders:
        f = Path(f)
        if f.is_dir() and not (f / "client.yaml").exists():
            subs = sorted(p for p in f.iterdir() if p.is_dir() and (p / "client.yaml").is_file())
            if subs:
                out.extend(subs)
                continue
        out.append(f)
    return out


def validate_command(folders: list[Path]) -> int:
    """Print a readable report per client; 0 when every client is clean of errors, 1 otherwise."""
    from rich.console import Console
    from rich.markup import escape

    from workbench.intake.reading import check_client

    console = Console(highlight=False, soft_wrap=True)
    clients = expand_client_folders(folders)
    n_err_clients = n_errors = n_warnings = 0
    for folder in clients:
        _, report = check_client(folder)
        errs, warns = report.errors, report.warnings
        n_errors += len(errs)
        n_warnings += len(warns)
        n_err_clients += bool(errs)
        status = "[bold red]FAIL[/]" if errs else "[bold green]OK[/]"
        console.print(f"{status} [bold]{escape(str(folder))}[/]: {len(errs)} error(s), {len(warns)} warning(s)")
        for issue in [*errs, *warns]:
            colour, label = ("red", "error  ") if issue.severity == "error" else ("yellow", "warning")
            loc = issue.location()
            val = "" if issue.value is None else f" (got {issue.value!r})"
            console.print(f"  [{colour}]{label}[/] {escape(loc + ': ' if loc else '')}{escape(issue.message)}"
                          f"[dim]{escape(val)}[/]")
    ok = len(clients) - n_err_clients
    colour = "red" if n_err_clients else "green"
    console.print(f"[bold {colour}]{len(clients)} client(s): {ok} valid, {n_err_clients} with errors; "
                  f"{n_errors} error(s), {n_warnings} warning(s) in total[/]")
    return 1 if n_err_clients or not clients else 0
