"""Reading a client folder (docs/intake.md) into raw, untyped tables; `workbench.intake.validation` does the rest.

Reading and checking are split so the same checks run on frames that did not come from files
(e.g. tables edited in the engagement notebook). This module only knows files: client.yaml,
intake.xlsx (one sheet per table) or ``<table>.csv`` files. Cells are kept as read (str stripped,
"" -> None; xlsx numbers/dates/bools as openpyxl gives them) so validation can say exactly what
the user typed.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml

from workbench.intake import contract
from workbench.intake.model import Client, IntakeError, Issue, ValidationReport

CLIENT_YAML = "client.yaml"
INTAKE_XLSX = "intake.xlsx"
ROW = "_row"


@dataclass
class RawIntake:
    """What a client folder holds, before any contract check.

    ``tables[name]`` is an object-dtype frame whose columns are the stripped headers (contract
    column names lower-cased, a trailing ``*`` dropped) plus ``_row`` (the Excel row number), or
    None when the table is absent or could not be read. ``failed`` names the tables that were supplied
    but could not be read (not UTF-8, not a CSV, a chart sheet): validation then does not check
    references into them, since every such reference would only repeat the one error already reported.
    ``files[name]`` names the file the table came from.
    """

    folder: Path
    profile: object = None  # parsed client.yaml (None if missing or unreadable)
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    source: Literal["xlsx", "csv"] | None = None
    issues: list[Issue] = field(default_factory=list)
    profile_lines: dict[str, int] = field(default_factory=dict)  # client.yaml key -> line number (1-based)
    blocked: bool = False  # the tables could not be read at all (both formats present, unreadable workbook)
    failed: set[str] = field(default_factory=set)  # tables supplied but unreadable (their issue is in ``issues``)
    history: dict[str, object] = field(default_factory=dict)  # "history/<file>.json" -> parsed JSON (v2)


def check_client(folder: str | Path) -> tuple[Client | None, ValidationReport]:
    """Read and validate a client folder; never raises for bad input. Client is None when there are errors."""
    from workbench.intake.validation import validate_raw

    return validate_raw(read_raw(Path(folder)))


def load_client(folder: str | Path) -> Client:
    """The one way in for every analysis: a validated Client, or IntakeError carrying the full report."""
    client, report = check_client(folder)
    if client is None:
        raise IntakeError(report)
    return client


# ---------------------------------------------------------------- reading


def read_raw(folder: Path) -> RawIntake:
    """Read client.yaml and the tables of ``folder`` without judging their content."""
    raw = RawIntake(folder=folder)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raw.issues.append(Issue("error", f"client folder {folder} {what}"))
        return raw
    raw.profile = _read_profile(folder, raw.issues, raw.profile_lines)
    _warn_stray_csvs(folder, raw.issues)
    _read_history(folder, raw)

    xlsx = folder / INTAKE_XLSX
    csvs = {name: folder / f"{name}.csv" for name in contract.TABLE_ORDER if (folder / f"{name}.csv").is_file()}
    if xlsx.is_file() and csvs:
        raw.issues.append(Issue(
            "error", "both intake.xlsx and CSV files are present ("
            + ", ".join(p.name for p in csvs.values())
            + "): keep one format so it is clear which one is the truth", file=INTAKE_XLSX))
        raw.blocked = True
        return raw
    if xlsx.is_file():
        raw.source = "xlsx"
        _read_xlsx(xlsx, raw)
    elif csvs:
        raw.source = "csv"
        for name, path in csvs.items():
            raw.files[name] = path.name
            raw.tables[name] = _read_csv(path, name, raw.issues)
            if raw.tables[name] is None:
                raw.failed.add(name)
    for name in contract.TABLE_ORDER:
        raw.tables.setdefault(name, None)
    return raw


def _read_history(folder: Path, raw: RawIntake) -> None:
    """history/<period>.json (v2): earlier rounds' results.json, parsed but not judged here."""
    hist = folder / contract.HISTORY_DIR
    if not hist.exists():
        return
    if not hist.is_dir():
        raw.issues.append(Issue("error", "history must be a folder of <period>.json files", file=contract.HISTORY_DIR))
        return
    for path in sorted(hist.iterdir()):
        rel = f"{contract.HISTORY_DIR}/{path.name}"
        if path.name.startswith("."):
            continue
        if path.suffix.lower() != ".json" or not path.is_file():
            raw.issues.append(Issue("warning", f"{rel} is ignored: history holds <period>.json files "
                                    "(results.json of earlier rounds)", file=rel))
            continue
        try:
            size = path.stat().st_size
            if size > contract.MAX_HISTORY_BYTES:
                raw.issues.append(Issue("error", f"{rel} is {size // (1024 * 1024)} MB; a results.json is far "
                                        f"smaller (limit {contract.MAX_HISTORY_BYTES // (1024 * 1024)} MB)", file=rel))
                continue
            raw.history[rel] = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raw.issues.append(Issue("error", f"{rel} is not a readable JSON file ({type(exc).__name__}: {exc})",
                                    file=rel))


def closest_table(name: str) -> str | None:
    """The contract table a mistyped file or sheet name most likely meant (difflib), or None."""
    low = name.strip().lower()
    near = difflib.get_close_matches(low, contract.TABLE_ORDER, n=1, cutoff=0.6)
    return near[0] if near else None


def _warn_stray_csvs(folder: Path, issues: list[Issue]) -> None:
    """A ``kpi.csv`` or ``action.csv`` is not read: say so rather than silently leaving the table out."""
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file() or path.stem in contract.TABLES:
            continue
        near = closest_table(path.stem)
        hint = (f"; did you mean {near}.csv?" if near else
                f"; table files are named {', '.join(t + '.csv' for t in contract.TABLE_ORDER)}")
        issues.append(Issue("warning", f"{path.name} is ignored: it is not a table of the intake contract{hint}",
                            file=path.name))


def _read_profile(folder: Path, issues: list[Issue], lines: dict[str, int]) -> object:
    path = folder / CLIENT_YAML
    if not path.is_file():
        issues.append(Issue("error", "client.yaml is missing (every client folder needs one: id, name, period)",
                            file=CLIENT_YAML))
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        issues.append(Issue("error", f"cannot read client.yaml ({exc})", file=CLIENT_YAML))
        return None
    except UnicodeDecodeError as exc:
        issues.append(Issue("error", f"client.yaml is not valid UTF-8 ({exc.reason} at byte {exc.start})", file=CLIENT_YAML))
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        issues.append(Issue("error", f"client.yaml is not valid YAML: {problem}", file=CLIENT_YAML, row=row))
        return None
    if not isinstance(data, dict):
        issues.append(Issue("error", "client.yaml must be a mapping of keys (id: ..., name: ..., period: ...)",
                            file=CLIENT_YAML, value=None if data is None else type(data).__name__))
        return None
    try:  # where each top-level key is, so client.yaml errors carry a line number
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        for key_node, _ in getattr(node, "value", []):
            lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
    except yaml.YAMLError:  # pragma: no cover - safe_load already succeeded
        pass
    return data


def _clean(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _header_name(v: object) -> str | None:
    if v is None:
        return None
    h = str(v).strip().rstrip("*").strip()
    if not h:
        return None
    low = h.lower()
    return low if low in _ALL_COLUMNS or low == ROW else h


_ALL_COLUMNS = {c.name for t in contract.TABLES.values() for c in t.columns}


def _frame(table: str, rows: list[tuple[int, tuple[object, ...]]], file: str, sheet: str | None,
           issues: list[Issue]) -> pd.DataFrame:
    """Turn (excel_row, cells) pairs whose first pair is the header into an object frame with `_row`."""
    if not rows:
        return pd.DataFrame({ROW: pd.Series([], dtype="int64")})
    header_row, header = rows[0]
    if header_row != 1:
        issues.append(Issue("error", "the header must be on row 1 (rows above it are empty)", file=file, sheet=sheet,
                            row=1))
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(header):
        h = _header_name(v)
        if h is not None and h in seen:
            issues.append(Issue("error", f"column {h!r} appears twice (columns {_col_letter(seen[h])} and "
                                f"{_col_letter(i)}); only the first is read", file=file, sheet=sheet, row=header_row,
                                column=h))
            h = None
        elif h is not None:
            seen[h] = i
        names.append(h)
    keep = [i for i, h in enumerate(names) if h is not None]
    width = len(names)
    data: list[list[object]] = []
    excel_rows: list[int] = []
    orphan_cols: set[int] = set()
    for r, cells in rows[1:]:
        cleaned = [_clean(c) for c in cells]
        if all(c is None for c in cleaned):
            continue
        for i, c in enumerate(cleaned):
            if c is not None and (i >= width or names[i] is None):
                orphan_cols.add(i)
        if len(cleaned) < width:
            cleaned.extend([None] * (width - len(cleaned)))
        data.append([cleaned[i] for i in keep])
        excel_rows.append(r)
    if orphan_cols:
        letters = ", ".join(_col_letter(i) for i in sorted(orphan_cols))
        issues.append(Issue("warning", f"values in columns without a header are ignored (column {letters})",
                            file=file, sheet=sheet))
    cols = [names[i] for i in keep]
    frame = pd.DataFrame(data, columns=cols, dtype=object) if data else pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in cols})
    frame[ROW] = pd.Series(excel_rows, dtype="int64")
    return frame


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


def _read_xlsx(path: Path, raw: RawIntake) -> None:
    """Read the table sheets. Any failure to parse the file (corrupt, truncated while being saved,
    not a workbook) becomes one located error rather than a traceback."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged files
        _unreadable(raw, exc)
        return
    try:
        sheetnames = list(wb.sheetnames)
        for sheet in sheetnames:  # a mistyped table sheet ('kpi', 'Actions ') would be silently left out
            if sheet in contract.TABLES:
                continue
            near = closest_table(sheet)
            if near is not None:  # other sheets (instructions, notes, charts) are the consultant's business
                raw.issues.append(Issue("warning", f"sheet {sheet!r} is ignored: a table sheet must be named exactly "
                                        f"as in the contract; did you mean {near!r}?", file=INTAKE_XLSX, sheet=sheet))
        for name in contract.TABLE_ORDER:
            if name not in sheetnames:
                continue
            ws = wb[name]
            if not hasattr(ws, "reset_dimensions"):  # a chart sheet named like a table
                raw.issues.append(Issue("error", f"sheet {name!r} is not a worksheet", file=INTAKE_XLSX, sheet=name))
                raw.failed.add(name)
                continue
            ws.reset_dimensions()  # some writers store wrong dimensions; read what is really there
            rows = [(i, r) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)
                    if any(c is not None and c != "" for c in r)]
            raw.files[name] = INTAKE_XLSX
            raw.tables[name] = _frame(name, rows, INTAKE_XLSX, name, raw.issues)
    except Exception as exc:  # noqa: BLE001
        raw.tables.clear()
        raw.files.clear()
        _unreadable(raw, exc)
    finally:
        wb.close()


def _unreadable(raw: RawIntake, exc: Exception) -> None:
    raw.issues.append(Issue("error", f"cannot read intake.xlsx as an Excel workbook ({type(exc).__name__}: {exc}); "
                            "is it a real .xlsx file, and fully saved?", file=INTAKE_XLSX))
    raw.blocked = True


def _read_csv(path: Path, table: str, issues: list[Issue]) -> pd.DataFrame | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        issues.append(Issue("error", f"cannot read {path.name} ({exc})", file=path.name, sheet=table))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.append(Issue("error", f"{path.name} is not UTF-8 ({exc.reason} at byte {exc.start}); save it as "
                            "'CSV UTF-8' (a GBK/ANSI export is not accepted)", file=path.name, sheet=table))
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        issues.append(Issue("error", f"{path.name} is not a readable CSV file ({exc})", file=path.name, sheet=table))
        return None
    rows = [(i, tuple(r)) for i, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    return _frame(table, rows, path.name, table, issues)
