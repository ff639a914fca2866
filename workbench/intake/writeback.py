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
4. commits (``_commit``): refuses when the file is open in Excel (``~$intake.xlsx``) or LibreOffice
   (``.~lock.intake.xlsx#``), holds an advisory lock (``fcntl``) or is read-only; takes the locks itself,
   re-checks the on-disk fingerprint (a colleague's save during ours is never overwritten), copies every file
   about to change to ``<client>/backups/<YYYYmmdd-HHMMSS>/``, writes temp files beside the *real* files (a
   symlinked intake is written through; mode and owner kept) and renames them over, all or none (the CSV files
   of one save are rolled back together when one rename fails).

Any failure outside the data (locks, a concurrent change, permission, full disk) raises ``SaveError``: one
type, naming the user's file (never a temporary path) and what to do, in the client's language.

Text stays text: an xlsx cell holding text that begins with ``=`` is a string cell (shown with Excel's quote
prefix), never a live formula; a CSV field is neutralised as OWASP recommends (``workbench.intake.csvtext``) and
reads back as the exact text. A cell's number format is made to fit the value written (a number in a ``0%``
cell gets ``General``: 90 must not show as 9000 %; a date gets a date format).

Values are written typed: numbers as numbers, dates as dates, yes/no in the client's wording (the sheet's
list validation, else the words already in the column, else 是/否 or yes/no by the client's language), enums in
the wording the column already uses for that value (else the client's language), id lists joined the way the
column joins them.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.core.i18n import t
from workbench.core.missing import is_missing
from workbench.intake import contract as C
from workbench.intake import csvtext
from workbench.intake.model import Client, ValidationReport
from workbench.core.frames import records

__all__ = ["SaveResult", "SaveError", "save_tables", "intake_files", "fingerprint", "diff_tables", "TableDiff",
           "lock_files"]

BACKUPS = "backups"
XLSX = "intake.xlsx"
_YES_NO_PAIRS = {"是": "否", "yes": "no", "y": "n", "true": "false", "1": "0", "t": "f", "对": "错", "有": "无"}
_NO_YES_PAIRS = {v: k for k, v in _YES_NO_PAIRS.items()}


class SaveError(Exception):
    """A save that could not happen for a reason outside the data (lock, concurrent change, permission, disk).

    ``path`` is the user's file; ``kind`` one of ``locked_office``, ``locked_libre``, ``locked_advisory``,
    ``changed``, ``readonly``, ``permission``, ``disk_full``, ``io``; ``str()`` is the message in ``lang``
    (``text(other)`` gives it in the other language). Nothing was changed when it is raised.
    """

    def __init__(self, kind: str, path: Path, lang: str = "en", detail: str = "", lock: Path | None = None,
                 holder: str | None = None):
        self.kind, self.path, self.lang, self.detail, self.lock, self.holder = kind, Path(path), lang, detail, lock, holder
        super().__init__(self.text(lang))

    def text(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        who = t("save.holder", lang, who=self.holder) if self.holder else ""
        return t(f"save.{self.kind}", lang, path=self.path, detail=self.detail,
                 lock=self.lock.name if self.lock else "", holder=who)


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
        for rec in records(original):
            r = _row_of(rec.get("_row"))
            if r is not None:
                orig_by_row[r] = rec
    seen: set[int] = set()
    if edited is not None:
        for rec in records(edited):
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
        if isinstance(out, str):
            return csvtext.neutralise(out)  # text a spreadsheet would run as a formula stays text
        return "" if out is None else str(out)
    return out


def _is_percent_format(fmt: str) -> bool:
    """A number format that multiplies by 100 (a ``%`` outside quotes and brackets)."""
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt or "")
    return "%" in plain


def _put(cell: Any, value: Any) -> None:
    """Write ``value`` into an xlsx ``cell`` as what it is: text stays a string cell (never a formula or an
    error code) and the number format is made to fit (no 9000 % for 90 in a ``0%`` cell)."""
    from openpyxl.styles.numbers import is_date_format

    cell.value = value
    fmt = cell.number_format or "General"
    if isinstance(value, str):
        if cell.data_type != "s":  # "=..." became a formula, "#N/A" an error: keep the typed text
            cell.data_type = "s"
            cell.quotePrefix = True  # Excel shows it as typed and keeps it text when edited
        if fmt != "General" and fmt != "@" and (_is_percent_format(fmt) or is_date_format(fmt)):
            cell.number_format = "General"
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        if _is_percent_format(fmt) or is_date_format(fmt) or fmt == "@":
            cell.number_format = "General"
    elif isinstance(value, (dt.date, dt.datetime)):
        if not is_date_format(fmt):
            timed = isinstance(value, dt.datetime) and value != dt.datetime.combine(value.date(), dt.time())
            cell.number_format = "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd"


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
                    _put(ws.cell(row=r, column=headers[c]), _cell_value(table, c, v, wording[c], categories, False))
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
                _put(cell, _cell_value(table, c, v, wording[c], categories, False))
            nxt += 1
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


# ----------------------------------------------------------------------------------------------- locks
def lock_files(path: Path) -> list[tuple[str, Path]]:
    """Office and LibreOffice lock files that say ``path`` is open in an editor: ``[(kind, lock file)]``.

    Excel writes ``~$<name>`` beside the file (Word-style truncations ``~$`` + name minus its first one or
    two characters are checked too); LibreOffice and WPS write ``.~lock.<name>#``.
    """
    path = Path(path)
    found: list[tuple[str, Path]] = []
    for name in dict.fromkeys([f"~${path.name}", f"~${path.name[1:]}", f"~${path.name[2:]}"]):
        if len(name) > 2 + len(path.suffix) and (path.parent / name).exists():
            found.append(("locked_office", path.parent / name))
            break
    libre = path.parent / f".~lock.{path.name}#"
    if libre.exists():
        found.append(("locked_libre", libre))
    return found


def _lock_holder(kind: str, lock: Path) -> str | None:
    """Who holds an editor lock, when the lock file says (LibreOffice: ``user,host,...``; Excel: the user name)."""
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return None
    if kind == "locked_libre":
        parts = data.decode("utf-8", "replace").split(",")
        who = [x.strip() for x in parts[:2] if x.strip()]
        return " @ ".join(who) or None
    if data:  # Excel: a length byte then the user name (then UTF-16 name)
        n = data[0]
        name = data[1:1 + n].decode("latin-1", "replace").strip()
        return name or None
    return None


def _refuse_if_open(path: Path, shown: Path, lang: str) -> None:
    for kind, lock in lock_files(path) + (lock_files(shown) if shown != path else []):
        raise SaveError(kind, shown, lang, lock=lock, holder=_lock_holder(kind, lock))


def _advisory_lock(real: Path, shown: Path, lang: str, stack: contextlib.ExitStack) -> None:
    """Take flock and POSIX (lockf) locks on ``real`` for the rest of the save; another holder -> SaveError."""
    import fcntl

    try:
        fd = os.open(real, os.O_RDWR)
    except OSError:
        try:
            fd = os.open(real, os.O_RDONLY)
        except OSError as exc:
            raise _os_error(exc, shown, lang) from exc
    stack.callback(os.close, fd)
    shared = _opened_readonly(fd)  # a read-only descriptor can only take a shared lock: still conflicts
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        fcntl.lockf(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise SaveError("locked_advisory", shown, lang) from exc
        raise _os_error(exc, shown, lang) from exc


def _opened_readonly(fd: int) -> bool:
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY


def _os_error(exc: OSError, shown: Path, lang: str) -> SaveError:
    """The SaveError for an OSError met while writing ``shown`` (the user's path; the temp path is not named)."""
    detail = exc.strerror or type(exc).__name__
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SaveError("permission", shown, lang, detail)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return SaveError("disk_full", shown, lang, detail)
    return SaveError("io", shown, lang, detail)


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
    against it. ``expected_fingerprint``: the intake's ``fingerprint`` when ``original`` was loaded (default:
    taken now); a change on disk since then, seen before staging or right before the replace, raises
    ``SaveError('changed')`` and writes nothing. Invalid edits return a refused ``SaveResult`` with the report.
    """
    from workbench.intake.reading import check_client, load_client

    folder = Path(folder).resolve()
    if expected_fingerprint is None:
        expected_fingerprint = fingerprint(folder)
    if original is None:
        original = load_client(folder)
    lang = original.profile.language
    source = original.source
    main_file = folder / XLSX if source == "xlsx" else folder
    if fingerprint(folder) != expected_fingerprint:
        raise SaveError("changed", main_file, lang)
    categories = list(original.profile.fishbone_categories)
    diffs = {name: diff_tables(original.tables.get(name), df, name) for name, df in tables.items() if name in C.TABLES}
    diffs = {k: v for k, v in diffs.items() if not v.empty}
    if not diffs:
        _c, rep = check_client(folder)
        return SaveResult(True, rep, message="nothing changed")
    targets = [folder / XLSX] if source == "xlsx" else [folder / f"{t}.csv" for t in diffs]
    for target in targets:  # before any work: the user learns at once that the file is open elsewhere
        _refuse_if_open(Path(os.path.realpath(target)), target, lang)

    try:
        with tempfile.TemporaryDirectory(prefix="wb-save-") as tmp:
            stage = Path(tmp) / folder.name  # check_client wants the folder named like the client id
            shutil.copytree(folder, stage, ignore=shutil.ignore_patterns(BACKUPS, ".*", "~$*", "__pycache__"))
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
    except OSError as exc:  # staging space (full /tmp, ...): nothing of the user's was touched
        raise _os_error(exc, main_file, lang) from exc

    backup = _commit(folder, targets, staged, expected_fingerprint, lang, now or dt.datetime.now(), main_file)
    return SaveResult(True, report, backup, targets, {k: v.size for k, v in diffs.items()}, message="saved")


def _commit(folder: Path, targets: list[Path], staged: dict[Path, bytes], expected: str, lang: str,
            now: dt.datetime, main_file: Path) -> Path:
    """Replace ``targets`` by ``staged`` as one set (see the module docstring); returns the backup folder."""
    real = {t: Path(os.path.realpath(t)) for t in targets}  # a symlinked intake is written through
    with contextlib.ExitStack() as stack:
        for t in targets:
            _refuse_if_open(real[t], t, lang)
            if real[t].exists():
                st = real[t].stat()
                if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
                    raise SaveError("readonly", t, lang)
                _advisory_lock(real[t], t, lang, stack)
        if fingerprint(folder) != expected:  # a colleague saved while we staged: theirs wins, ours is refused
            raise SaveError("changed", main_file, lang)
        done: list[Path] = []
        kept: dict[Path, Path] = {}  # target -> hard link to its previous content (for the roll-back)
        temps: dict[Path, Path] = {}
        current = main_file
        try:
            backup = _backup_dir(folder, now)
            backup.mkdir(parents=True)
            for t in targets:
                current = t
                if real[t].exists():
                    shutil.copy2(real[t], backup / t.name)
            for t in targets:
                current = t
                temps[t] = _write_beside(real[t], staged[t])
            for t in targets:
                current = t
                if real[t].exists():
                    kept[t] = _keep(real[t])
                os.replace(temps[t], real[t])
                del temps[t]
                done.append(t)
        except OSError as exc:
            for t in reversed(done):  # all or none: put back the files already replaced
                with contextlib.suppress(OSError):
                    if t in kept:
                        os.replace(kept.pop(t), real[t])
                    else:
                        os.unlink(real[t])
            raise _os_error(exc, current, lang) from exc
        finally:
            for p in [*temps.values(), *kept.values()]:
                with contextlib.suppress(OSError):
                    os.unlink(p)
    return backup


def _write_beside(real: Path, data: bytes) -> Path:
    """A temp file next to ``real`` holding ``data`` (fsynced) with ``real``'s mode and owner."""
    fd, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if real.exists():
            st = real.stat()
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):
                    os.chown(tmp, st.st_uid, st.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def _keep(real: Path) -> Path:
    """A second name for ``real``'s current content (hard link, else a copy), for rolling back."""
    name = real.parent / f".{real.name}.{os.getpid()}.{dt.datetime.now().strftime('%H%M%S%f')}.orig"
    try:
        os.link(real, name)
    except OSError:
        shutil.copy2(real, name)
    return name
