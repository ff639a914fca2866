"""Saving edited tables back to a client's intake, in the format the client uses.

``save_tables(folder, tables)`` takes validated-shape DataFrames (the contract's columns plus ``_row``,
the Excel row as the user sees it; a new row has ``_row`` NaN) for the tables that were edited, and:

1. diffs them against the client as it is on disk (``intake.load_client``), cell by cell, matching rows
   by ``_row`` and columns by header name;
2. applies only the differences to a *staging copy* of the client folder: for ``intake.xlsx`` through
   openpyxl (not read-only) so other sheets, other columns (extra columns too), formatting, comments and
   data validations stay as they were; changed cells are overwritten, new rows appended under the last
   filled row (styled like the row above), deleted rows cleared; for CSV only the edited tables' files are
   rewritten, column order and extra columns preserved;
3. validates the staged client as a whole (``intake.check_client``): any error → nothing is written and the
   report is returned;
4. copies every file about to change to ``<client>/backups/<YYYYmmdd-HHMMSS>/`` and replaces the files
   atomically (``fsutil.atomic_write_bytes``: temp file in the same folder + ``os.replace``).

Values are written typed: numbers as numbers, dates as dates, yes/no in the client's wording (the sheet's
list validation, else the words already in the column, else 是/否 or yes/no by the client's language), enums in
the wording the column already uses for that value (else the client's language), id lists joined the way the
column joins them.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.intake import contract as C
from workbench.core.atomic import atomic_write_bytes
from workbench.core.missing import is_missing
from workbench.intake.model import Client, ValidationReport

__all__ = ["SaveResult", "save_tables", "intake_files", "fingerprint", "diff_tables", "TableDiff"]

BACKUPS = "backups"
XLSX = "intake.xlsx"
_YES_NO_PAIRS = {"是": "否", "yes": "no", "y": "n", "true": "false", "1": "0", "t": "f", "对": "错", "有": "无"}
_NO_YES_PAIRS = {v: k for k, v in _YES_NO_PAIRS.items()}


@dataclass
class SaveResult:
    ok: bool
    report: ValidationReport
    backup: Path | None = None  # the backup folder (None when nothing was written)
    files: list[Path] = field(default_factory=list)  # files replaced
    changed: dict[str, int] = field(default_factory=dict)  # table -> number of cells/rows changed
    message: str = ""

    def __bool__(self) -> bool:  # pragma: no cover - convenience
        return self.ok


@dataclass
class TableDiff:
    """What changed in one table: cell updates by Excel row, deleted Excel rows, new rows (dicts)."""

    table: str
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.updates or self.deleted or self.added)

    @property
    def size(self) -> int:
        return sum(len(u) for u in self.updates.values()) + len(self.deleted) + len(self.added)


# ----------------------------------------------------------------------------------------------- helpers
def intake_files(folder: Path) -> list[Path]:
    """The files that hold a client's tables (intake.xlsx or <table>.csv) plus client.yaml."""
    folder = Path(folder)
    out = [folder / "client.yaml"] if (folder / "client.yaml").exists() else []
    if (folder / XLSX).exists():
        out.append(folder / XLSX)
    out += [folder / f"{t}.csv" for t in C.TABLE_ORDER if (folder / f"{t}.csv").exists()]
    return out


def fingerprint(folder: Path) -> str:
    """A hash of the intake files, to notice that they changed on disk since they were loaded."""
    h = hashlib.sha256()
    for p in intake_files(folder):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _norm(v: Any) -> Any:
    """A comparable form of a typed cell value."""
    if isinstance(v, (list, tuple)):
        return tuple(str(x) for x in v) or None
    if is_missing(v):
        return None
    if isinstance(v, (bool,)):
        return bool(v)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 9)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(v)
    return str(v).strip()


def _row_of(v: Any) -> int | None:
    return None if is_missing(v) else int(v)


def _worth_writing(table: str, column: str, v: Any) -> bool:
    """A new row's cell is written unless it is empty or just the contract's default (left blank, as a user would)."""
    if isinstance(v, (list, tuple)):
        return bool(v)
    if is_missing(v):
        return False
    try:
        default = C.TABLES[table].column(column).default
    except KeyError:
        return True
    return default is None or _norm(v) != _norm(default)


def diff_tables(original: pd.DataFrame | None, edited: pd.DataFrame | None, table: str) -> TableDiff:
    """Cell differences between the validated ``original`` and the ``edited`` frame, by ``_row``."""
    d = TableDiff(table)
    cols = [c for c in (edited.columns if edited is not None else []) if c != "_row" and not str(c).startswith("__")]
    orig_by_row: dict[int, dict[str, Any]] = {}
    if original is not None:
        for rec in original.to_dict("records"):
            r = _row_of(rec.get("_row"))
            if r is not None:
                orig_by_row[r] = rec
    seen: set[int] = set()
    if edited is not None:
        for rec in edited.to_dict("records"):
            r = _row_of(rec.get("_row"))
            if r is None or r not in orig_by_row:
                d.added.append({c: rec.get(c) for c in cols if _worth_writing(table, c, rec.get(c))})
                continue
            seen.add(r)
            before = orig_by_row[r]
            changed = {c: rec.get(c) for c in cols if _norm(rec.get(c)) != _norm(before.get(c))}
            if changed:
                d.updates[r] = changed
    d.deleted = sorted(set(orig_by_row) - seen)
    return d


# ----------------------------------------------------------------------------------------------- wording
class _Wording:
    """How a column already writes its values, so new values look like the client's own."""

    def __init__(self, table: str, column: str, raw: list[Any], lang: str, list_options: list[str] | None = None):
        self.table, self.column, self.lang = table, column, lang
        self.raw = [v for v in raw if not is_missing(v)]
        self.list_options = list_options or []

    # yes/no --------------------------------------------------------------------------------------
    def yesno(self, value: bool) -> Any:
        words = [str(o).strip() for o in self.list_options] or []
        if not words:
            if any(isinstance(v, bool) for v in self.raw):
                return bool(value)
            words = [str(v).strip() for v in self.raw if isinstance(v, str)]
        yes_words = [w for w in words if w.lower() in C.YES]
        no_words = [w for w in words if w.lower() in C.NO]
        if value and yes_words:
            return Counter(yes_words).most_common(1)[0][0]
        if not value and no_words:
            return Counter(no_words).most_common(1)[0][0]
        # Only the other word was seen: use its pair, in the same letter case.
        other = Counter(no_words if value else yes_words).most_common(1)
        if other:
            w = other[0][0]
            pair = (_NO_YES_PAIRS if value else _YES_NO_PAIRS).get(w.lower())
            if pair is not None:
                return pair.upper() if w.isupper() else pair.capitalize() if w[:1].isupper() else pair
        if self.lang == "zh":
            return "是" if value else "否"
        return "yes" if value else "no"

    # enums ---------------------------------------------------------------------------------------
    def enum(self, value: str) -> str:
        aliases = C.ENUM_ALIASES.get(self.column, {})
        used: dict[str, Counter[str]] = {}
        zh_used = 0
        for v in self.raw:
            s = str(v).strip()
            canon = aliases.get(s.lower(), aliases.get(s))
            if canon is not None:
                used.setdefault(canon, Counter())[s] += 1
                zh_used += _has_cjk(s)
        if value in used:
            return used[value].most_common(1)[0][0]
        if zh_used * 2 > len(self.raw) or (not self.raw and self.lang == "zh" and self.column in ("perspective", "method")):
            zh = _zh_label(self.column, value)
            if zh:
                return zh
        return value

    def idlist(self, value: list[str]) -> str:
        seps = Counter(s for v in self.raw for s in re.findall(r"[,，、;；]", str(v)))
        sep = seps.most_common(1)[0][0] if seps else ","
        return (sep + " " if sep == "," else sep).join(str(x) for x in value)

    def category(self, value: str, categories: list[Any]) -> str:
        """A fishbone category in the label the column already uses (zh or en)."""
        for cat in categories:
            if value in (cat.key, cat.en, cat.zh):
                zh_used = sum(_has_cjk(str(v)) for v in self.raw)
                if self.raw:
                    return cat.zh if zh_used * 2 >= len(self.raw) else cat.en
                return cat.label(self.lang)
        return value

    def ids_are_numbers(self) -> bool:
        return bool(self.raw) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.raw)


def _has_cjk(s: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in s)


def _zh_label(column: str, value: str) -> str | None:
    labels = {"perspective": C.PERSPECTIVE_LABELS, "owner_level": C.OWNER_LEVEL_LABELS, "method": C.METHOD_LABELS}.get(column)
    if labels and value in labels:
        return labels[value]["zh"]
    for alias, canon in C.ENUM_ALIASES.get(column, {}).items():
        if canon == value and _has_cjk(alias):
            return alias
    return None


def _number(v: Any) -> int | float | None:
    if is_missing(v):
        return None
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 1e15 else f


def _cell_value(table: str, column: str, value: Any, wording: _Wording, categories: list[Any], as_text: bool) -> Any:
    """The value to put in a cell (xlsx) or a field (csv, ``as_text``) for a typed value."""
    tbl = C.TABLES[table]
    try:
        ctype = tbl.column(column).type
    except KeyError:
        ctype = "any"
    if isinstance(value, (list, tuple)):
        return wording.idlist(list(value)) if value else None
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes, pd.Timestamp)):
        value = value.item()
    out: Any
    if isinstance(value, bool) or ctype == "yesno":
        out = wording.yesno(bool(value))
    elif ctype in ("number", "int") or (ctype in ("any", "id") and isinstance(value, (int, float))):
        out = _number(value)
    elif ctype == "date" or isinstance(value, (pd.Timestamp, dt.date)):
        ts = pd.Timestamp(value)
        out = ts.date() if ts == ts.normalize() else ts.to_pydatetime()
    elif ctype == "enum":
        out = wording.enum(str(value))
    elif table == "causes" and column == "category":
        out = wording.category(str(value), categories)
    elif ctype == "id" and wording.ids_are_numbers() and re.fullmatch(r"-?\d+", str(value)):
        out = int(str(value))
    else:
        out = str(value)
    if as_text:
        if isinstance(out, bool):
            return "true" if out else "false"
        if isinstance(out, float):
            return repr(out)
        if isinstance(out, dt.datetime):
            return out.isoformat(sep=" ")
        if isinstance(out, dt.date):
            return out.isoformat()
        return "" if out is None else str(out)
    return out


# ----------------------------------------------------------------------------------------------- xlsx
def _find_sheet(wb: Any, table: str) -> Any | None:
    """The sheet of ``table``: intake reads sheets named exactly like the table."""
    return wb[table] if table in wb.sheetnames else None


def _header_key(value: Any) -> str:
    """The column name intake gives a header cell (stripped, trailing ``*`` dropped, contract names lower-cased)."""
    from workbench.intake.reading import _header_name

    return _header_name(value) or ""


def _header_map(ws: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for cell in ws[1]:
        key = _header_key(cell.value)
        if key and key not in out:
            out[key] = cell.column
    return out


def _list_options(ws: Any, col: int) -> list[str] | None:
    from openpyxl.utils import get_column_letter
    letter = get_column_letter(col)
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list" or not dv.formula1:
            continue
        f = str(dv.formula1)
        if not (f.startswith('"') and f.endswith('"')):
            continue
        if any(letter == rng.split(":")[0].rstrip("0123456789").lstrip("$") for rng in str(dv.sqref).split()):
            return [x.strip() for x in f.strip('"').split(",")]
    return None


def _last_filled_row(ws: Any) -> int:
    last = 1
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        if any(c.value is not None and str(c.value).strip() != "" for c in row):
            last = row[0].row
    return last


def _apply_xlsx(path: Path, diffs: dict[str, TableDiff], lang: str, categories: list[Any]) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)  # not read_only: we keep everything we do not touch
    for table, d in diffs.items():
        if d.empty:
            continue
        ws = _find_sheet(wb, table)
        if ws is None:
            ws = wb.create_sheet(table)
        headers = _header_map(ws)
        needed = set().union(*(u.keys() for u in d.updates.values()), *(a.keys() for a in d.added)) if (d.updates or d.added) else set()
        for col in [c for c in C.TABLES[table].column_names if c in needed and c not in headers]:
            new_col = max([c.column for c in ws[1] if c.value is not None] or [0]) + 1
            ws.cell(row=1, column=new_col, value=col)
            if new_col > 1:
                ws.cell(row=1, column=new_col)._style = copy(ws.cell(row=1, column=new_col - 1)._style)
            headers[col] = new_col
        wording = {c: _Wording(table, c, [ws.cell(row=r, column=i).value for r in range(2, ws.max_row + 1)], lang,
                               _list_options(ws, i)) for c, i in headers.items()}
        for r, changes in d.updates.items():
            for c, v in changes.items():
                if c in headers:
                    ws.cell(row=r, column=headers[c]).value = _cell_value(table, c, v, wording[c], categories, False)
        for r in d.deleted:
            for cell in ws[r]:
                cell.value = None
        nxt = _last_filled_row(ws) + 1
        for rec in d.added:
            for c, v in rec.items():
                if c not in headers:
                    continue
                cell = ws.cell(row=nxt, column=headers[c])
                if nxt > 2:
                    above = ws.cell(row=nxt - 1, column=headers[c])
                    if above.has_style:
                        cell._style = copy(above._style)
                val = _cell_value(table, c, v, wording[c], categories, False)
                cell.value = val
                if isinstance(val, dt.date) and cell.number_format == "General":
                    cell.number_format = "yyyy-mm-dd"
            nxt += 1
        for r, changes in d.updates.items():
            for c, v in changes.items():
                cell = ws.cell(row=r, column=headers.get(c, 1))
                if isinstance(cell.value, dt.date) and cell.number_format == "General":
                    cell.number_format = "yyyy-mm-dd"
    wb.save(path)


# ----------------------------------------------------------------------------------------------- csv
def _read_csv_raw(path: Path) -> tuple[list[list[str]], str, str, str]:
    data = path.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "gb18030"
        text = data.decode(encoding)
    newline = "\r\n" if "\r\n" in text else "\n"
    first = text.split("\n", 1)[0]
    delim = max([",", ";", "\t"], key=first.count) if first else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    return rows, encoding, newline, delim


def _apply_csv(path: Path, table: str, d: TableDiff, lang: str, categories: list[Any]) -> None:
    if path.exists():
        rows, encoding, newline, delim = _read_csv_raw(path)
    else:
        rows, encoding, newline, delim = [[]], "utf-8", "\n", ","
    header = rows[0] if rows else []
    body = rows[1:]
    # _row = record index + 2 (header is row 1); blank records are kept where they are.
    headers: dict[str, int] = {}
    for i, h in enumerate(header):
        k = _header_key(h)
        if k and k not in headers:
            headers[k] = i
    needed = set().union(*(u.keys() for u in d.updates.values()), *(a.keys() for a in d.added)) if (d.updates or d.added) else set()
    for col in [c for c in C.TABLES[table].column_names if c in needed and c not in headers]:
        header.append(col)
        headers[col] = len(header) - 1
    width = len(header)
    body = [r + [""] * (width - len(r)) for r in body]
    wording = {c: _Wording(table, c, [_csv_scalar(r[i]) for r in body if i < len(r)], lang) for c, i in headers.items()}
    for r, changes in d.updates.items():
        idx = r - 2
        if 0 <= idx < len(body):
            for c, v in changes.items():
                if c in headers:
                    body[idx][headers[c]] = _cell_value(table, c, v, wording[c], categories, True)
    dropped = {r - 2 for r in d.deleted}
    body = [r for i, r in enumerate(body) if i not in dropped]
    for rec in d.added:
        row = [""] * width
        for c, v in rec.items():
            if c in headers:
                row[headers[c]] = _cell_value(table, c, v, wording[c], categories, True)
        body.append(row)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delim, lineterminator=newline)
    w.writerow(header)
    w.writerows(body)
    path.write_bytes(buf.getvalue().encode(encoding))


def _csv_scalar(s: str) -> Any:
    return s if s.strip() else None


# ----------------------------------------------------------------------------------------------- save
def _backup_dir(folder: Path, now: dt.datetime) -> Path:
    base = folder / BACKUPS / now.strftime("%Y%m%d-%H%M%S")
    out, n = base, 1
    while out.exists():
        out = base.with_name(f"{base.name}-{n}")
        n += 1
    return out


def save_tables(folder: str | Path, tables: Mapping[str, pd.DataFrame | None], *, original: Client | None = None,
                expected_fingerprint: str | None = None, now: dt.datetime | None = None) -> SaveResult:
    """Write the edited ``tables`` back to the client at ``folder`` (see the module docstring).

    ``original``: the client as loaded before editing (default: loaded now from disk); the diff is taken
    against it. ``expected_fingerprint``: when given and the intake files changed on disk since, nothing is
    written (someone else edited the intake).
    """
    from workbench.intake.reading import check_client, load_client

    folder = Path(folder).resolve()
    if expected_fingerprint is not None and fingerprint(folder) != expected_fingerprint:
        rep = ValidationReport(folder)
        rep.add("error", "the intake files changed on disk since they were loaded; reload the client before saving")
        return SaveResult(False, rep, message="changed on disk")
    if original is None:
        original = load_client(folder)
    lang = original.profile.language
    categories = list(original.profile.fishbone_categories)
    diffs = {name: diff_tables(original.tables.get(name), df, name) for name, df in tables.items() if name in C.TABLES}
    diffs = {k: v for k, v in diffs.items() if not v.empty}
    if not diffs:
        _c, rep = check_client(folder)
        return SaveResult(True, rep, message="nothing changed")
    source = original.source
    targets = [folder / XLSX] if source == "xlsx" else [folder / f"{t}.csv" for t in diffs]

    with tempfile.TemporaryDirectory(prefix="wb-save-") as tmp:
        stage = Path(tmp) / folder.name  # check_client wants the folder named like the client id
        shutil.copytree(folder, stage, ignore=shutil.ignore_patterns(BACKUPS, ".*", "__pycache__"))
        if source == "xlsx":
            _apply_xlsx(stage / XLSX, diffs, lang, categories)
        else:
            for table, d in diffs.items():
                _apply_csv(stage / f"{table}.csv", table, d, lang, categories)
        _client, report = check_client(stage)
        report.client_folder = folder
        if not report.ok:
            return SaveResult(False, report, changed={k: v.size for k, v in diffs.items()}, message="invalid")
        staged = {t: (stage / t.name).read_bytes() for t in targets}

    backup = _backup_dir(folder, now or dt.datetime.now())
    backup.mkdir(parents=True)
    for t in targets:
        if t.exists():
            shutil.copy2(t, backup / t.name)
    for t in targets:
        atomic_write_bytes(t, staged[t])
    return SaveResult(True, report, backup, targets, {k: v.size for k, v in diffs.items()}, message="saved")
