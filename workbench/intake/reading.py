"""Reading a client folder (docs/intake.md) into raw, untyped tables; `workbench.intake.validation` does the rest.

This module only knows files: client.yaml, intake.xlsx (one sheet per table) or ``<table>.csv`` files, and
history/. Cells are kept as read (str stripped, "" -> None; xlsx numbers/dates/bools as openpyxl gives them) so
validation can say exactly what the user typed. It never imports validation (`workbench.intake.loading`
composes the two).

Hostile or accidental input is refused *while reading*, with a located error and bounded memory (intake.md
v2 limits): a client.yaml over 1 MB or using aliases, an xlsx whose parts unpack to over 200 MB (checked in the
zip directory before openpyxl opens it) or holding millions of shared strings, a table over 100,000 rows
(counted while streaming), a cell over 32,767 characters, a table file that is a link out of the client folder
or not a regular file.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import json
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml

from workbench.intake import contract, csvtext
from workbench.intake.files import CLIENT_YAML, INTAKE_XLSX
from workbench.intake.model import Issue

__all__ = ["CLIENT_YAML", "INTAKE_XLSX", "ROW", "RawIntake", "read_raw", "closest_table", "header_name",
           "MAX_SHARED_STRINGS"]

ROW = "_row"
MAX_SHARED_STRINGS = 1_000_000  # a real intake has tens of thousands; millions is a bomb (40 s to parse)
_CSV_FIELD_LIMIT = contract.MAX_CELL_CHARS * 4  # longer fields stop the csv module; shorter ones are measured
_MB = 1024 * 1024


@dataclass
class RawIntake:
    """What a client folder holds, before any contract check.

    ``tables[name]`` is an object-dtype frame whose columns are the stripped headers (contract column names
    lower-cased, a trailing ``*`` dropped) plus ``_row`` (the Excel row number), or None when the table is
    absent or could not be read. ``failed`` names the tables that were supplied but could not be read:
    validation then does not check references into them. ``files[name]`` names the file the table came from.
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
    # numbers shown as a percentage in Excel (typed 90%, stored 0.9): table -> {(excel row, column name)}
    percent_cells: dict[str, set[tuple[int, str]]] = field(default_factory=dict)

    def error(self, code: str, **where_and_params: object) -> None:
        self._add("error", code, where_and_params)

    def warning(self, code: str, **where_and_params: object) -> None:
        self._add("warning", code, where_and_params)

    def _add(self, severity: Literal["error", "warning"], code: str, kw: dict[str, object]) -> None:
        where = {k: kw.pop(k) for k in ("file", "sheet", "row", "column", "value") if k in kw}
        self.issues.append(Issue.of(severity, code, kw, **where))  # type: ignore[arg-type]


def __getattr__(name: str) -> object:
    """Compatibility: ``check_client``/``load_client`` now live in `workbench.intake.loading` (they compose
    reading and validation); importers outside the intake layer still find them here."""
    if name in ("check_client", "load_client"):
        from workbench.intake import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- folder


def read_raw(folder: Path) -> RawIntake:
    """Read client.yaml and the tables of ``folder`` without judging their content."""
    raw = RawIntake(folder=folder)
    if not folder.is_dir():
        raw.error("folder_missing" if not folder.exists() else "folder_not_a_folder", folder=str(folder))
        return raw
    raw.profile = _read_profile(folder, raw)
    _warn_stray_csvs(folder, raw)
    _read_history(folder, raw)

    xlsx = folder / INTAKE_XLSX
    csvs: dict[str, Path] = {}
    for name in contract.TABLE_ORDER:
        path = folder / f"{name}.csv"
        if _present(path) and _usable_file(folder, path, raw, sheet=name):
            csvs[name] = path
        elif _present(path):
            raw.failed.add(name)
    xlsx_ok = _present(xlsx) and _usable_file(folder, xlsx, raw)
    if _present(xlsx) and not xlsx_ok:
        raw.blocked = True
        return raw
    if xlsx_ok and csvs:
        raw.error("both_formats", file=INTAKE_XLSX, files=", ".join(p.name for p in csvs.values()))
        raw.blocked = True
        return raw
    if xlsx_ok:
        raw.source = "xlsx"
        _read_xlsx(xlsx, raw)
    elif csvs or raw.failed:
        raw.source = "csv"
        for name, path in csvs.items():
            raw.files[name] = path.name
            raw.tables[name] = _read_csv(path, name, raw)
            if raw.tables[name] is None:
                raw.failed.add(name)
        for name in raw.failed:
            raw.files.setdefault(name, f"{name}.csv")
    for name in contract.TABLE_ORDER:
        raw.tables.setdefault(name, None)
    return raw


def _present(path: Path) -> bool:
    """Something (file, folder, link, even a dangling link) has this name."""
    return path.exists() or path.is_symlink()


def _usable_file(folder: Path, path: Path, raw: RawIntake, sheet: str | None = None) -> bool:
    """A table file must be a regular file inside the client folder: a link pointing elsewhere (or nowhere),
    a folder or a device is refused with a located error rather than read or silently skipped."""
    try:
        real = path.resolve(strict=True)
        inside = real.is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        raw.error("file_dangling_link", file=path.name, sheet=sheet, name=path.name)
        return False
    if not inside:
        raw.error("file_outside_folder", file=path.name, sheet=sheet, name=path.name)
        return False
    if not real.is_file():
        raw.error("file_not_regular", file=path.name, sheet=sheet, name=path.name)
        return False
    return True


def closest_table(name: str) -> str | None:
    """The contract table a mistyped file or sheet name most likely meant (difflib), or None."""
    low = name.strip().lower()
    near = difflib.get_close_matches(low, contract.TABLE_ORDER, n=1, cutoff=0.6)
    return near[0] if near else None


def _warn_stray_csvs(folder: Path, raw: RawIntake) -> None:
    """A ``kpi.csv`` or ``action.csv`` is not read: say so rather than silently leaving the table out."""
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file() or path.stem in contract.TABLES:
            continue
        near = closest_table(path.stem)
        if near:
            raw.warning("stray_csv_near", file=path.name, name=path.name, near=f"{near}.csv")
        else:
            raw.warning("stray_csv", file=path.name, name=path.name,
                        names=", ".join(t + ".csv" for t in contract.TABLE_ORDER))


# ---------------------------------------------------------------- client.yaml and history


def _read_profile(folder: Path, raw: RawIntake) -> object:
    path = folder / CLIENT_YAML
    if not _present(path):
        raw.error("yaml_missing", file=CLIENT_YAML)
        return None
    if not _usable_file(folder, path, raw):
        return None
    try:
        size = path.stat().st_size
        if size > contract.MAX_CLIENT_YAML_BYTES:
            raw.error("yaml_too_big", file=CLIENT_YAML, size=f"{size / _MB:.1f}",
                      limit=contract.MAX_CLIENT_YAML_BYTES // _MB)
            return None
        with open(path, "rb") as fh:  # read at most the limit, whatever the file grew to meanwhile
            data = fh.read(contract.MAX_CLIENT_YAML_BYTES + 1)
    except OSError as exc:
        raw.error("yaml_unreadable", file=CLIENT_YAML, detail=str(exc))
        return None
    if len(data) > contract.MAX_CLIENT_YAML_BYTES:
        raw.error("yaml_too_big", file=CLIENT_YAML, size=f"> {contract.MAX_CLIENT_YAML_BYTES // _MB}",
                  limit=contract.MAX_CLIENT_YAML_BYTES // _MB)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raw.error("yaml_not_utf8", file=CLIENT_YAML, reason=exc.reason, byte=exc.start)
        return None
    try:
        # Aliases first, from the event stream (nothing is built): a few nested aliases expand to gigabytes.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raw.error("yaml_alias", file=CLIENT_YAML, row=event.start_mark.line + 1)
                return None
        data_ = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raw.error("yaml_invalid_syntax", file=CLIENT_YAML, row=row, problem=problem)
        return None
    except RecursionError:
        raw.error("yaml_invalid_syntax", file=CLIENT_YAML, problem="nested too deeply")
        return None
    if not isinstance(data_, dict):
        raw.error("yaml_not_mapping", file=CLIENT_YAML, value=None if data_ is None else type(data_).__name__)
        return None
    try:  # where each top-level key is, so client.yaml errors carry a line number
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        for key_node, _ in getattr(node, "value", []):
            raw.profile_lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
    except yaml.YAMLError:  # pragma: no cover - safe_load already succeeded
        pass
    return data_


def _read_history(folder: Path, raw: RawIntake) -> None:
    """history/<period>.json (v2): earlier rounds' results.json, parsed but not judged here."""
    hist = folder / contract.HISTORY_DIR
    if not _present(hist):
        return
    if not hist.is_dir():
        raw.error("history_not_folder", file=contract.HISTORY_DIR)
        return
    for path in sorted(hist.iterdir()):
        rel = f"{contract.HISTORY_DIR}/{path.name}"
        if path.name.startswith("."):
            continue
        if path.suffix.lower() != ".json":
            raw.warning("history_ignored", file=rel, name=rel)
            continue
        if not _usable_file(folder, path, raw):
            continue
        try:
            size = path.stat().st_size
            if size > contract.MAX_HISTORY_BYTES:
                raw.error("history_too_big", file=rel, size=size // _MB, limit=contract.MAX_HISTORY_BYTES // _MB)
                continue
            raw.history[rel] = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raw.error("history_unreadable", file=rel, detail=f"{type(exc).__name__}: {exc}")


# ---------------------------------------------------------------- tables


def header_name(v: object) -> str | None:
    """A header cell as a column name: stripped, a trailing ``*`` dropped, contract names lower-cased."""
    if v is None:
        return None
    h = str(v).strip().rstrip("*").strip()
    if not h:
        return None
    low = h.lower()
    return low if low in _ALL_COLUMNS or low == ROW else h


_header_name = header_name  # older name, used by write-back
_ALL_COLUMNS = {c.name for t in contract.TABLES.values() for c in t.columns}


def _clean(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


class _TooMany(Exception):
    pass


def _frame(rows: Iterable[tuple[int, tuple[object, ...]]], file: str, sheet: str, raw: RawIntake) -> pd.DataFrame | None:
    """Turn (excel_row, cells) pairs, the first being the header, into an object frame with ``_row``.

    Streams: blank rows are skipped, a cell over the length limit is dropped with an error at its cell, and
    reading stops (None, one error) once the table passes the row limit."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return pd.DataFrame({ROW: pd.Series([], dtype="int64")})
    header_row, header = first
    if header_row != 1:
        raw.error("header_not_row_1", file=file, sheet=sheet, row=1)
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(header):
        if isinstance(v, str) and len(v) > contract.MAX_CELL_CHARS:
            raw.error("cell_too_long", file=file, sheet=sheet, row=header_row, column=_col_letter(i), n=len(v),
                      limit=contract.MAX_CELL_CHARS)
            v = None
        h = header_name(v)
        if h is not None and h in seen:
            raw.error("column_twice", file=file, sheet=sheet, row=header_row, column=h, name=repr(h),
                      first=_col_letter(seen[h]), second=_col_letter(i))
            h = None
        elif h is not None:
            seen[h] = i
        names.append(h)
    keep = [i for i, h in enumerate(names) if h is not None]
    width = len(names)
    data: list[list[object]] = []
    excel_rows: list[int] = []
    orphan_cols: set[int] = set()
    for r, cells in it:
        cleaned = [_clean(c) for c in cells]
        if all(c is None for c in cleaned):
            continue
        if len(data) >= contract.MAX_TABLE_ROWS:
            raw.error("table_too_many_rows", file=file, sheet=sheet, row=r, n=f"> {contract.MAX_TABLE_ROWS:,}",
                      limit=f"{contract.MAX_TABLE_ROWS:,}")
            return None
        for i, c in enumerate(cleaned):
            if isinstance(c, str) and len(c) > contract.MAX_CELL_CHARS:
                col = names[i] if i < width and names[i] else _col_letter(i)
                raw.error("cell_too_long", file=file, sheet=sheet, row=r, column=col, n=len(c),
                          limit=contract.MAX_CELL_CHARS)
                cleaned[i] = None
            elif c is not None and (i >= width or names[i] is None):
                orphan_cols.add(i)
        if len(cleaned) < width:
            cleaned.extend([None] * (width - len(cleaned)))
        data.append([cleaned[i] for i in keep])
        excel_rows.append(r)
    if orphan_cols:
        raw.warning("orphan_values", file=file, sheet=sheet, columns=", ".join(_col_letter(i) for i in sorted(orphan_cols)))
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


def _xlsx_bomb(path: Path, raw: RawIntake) -> bool:
    """Check the zip directory (and count shared strings) before openpyxl parses anything: True when refused."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > contract.MAX_XLSX_UNPACKED:
                raw.error("xlsx_too_big", file=INTAKE_XLSX, size=total // _MB, limit=contract.MAX_XLSX_UNPACKED // _MB)
                return True
            for info in infos:
                if info.filename.lower().endswith("sharedstrings.xml"):
                    n = 0
                    with zf.open(info) as fh:
                        tail = b""
                        while chunk := fh.read(1 << 20):
                            buf = tail + chunk
                            n += buf.count(b"<si>") + buf.count(b"<si ") + buf.count(b":si>") + buf.count(b":si ")
                            tail = buf[-3:]
                            if n > MAX_SHARED_STRINGS:
                                raw.error("xlsx_shared_strings", file=INTAKE_XLSX, limit=f"{MAX_SHARED_STRINGS:,}")
                                return True
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        _unreadable(raw, exc)
        return True
    return False


def _read_xlsx(path: Path, raw: RawIntake) -> None:
    """Read the table sheets (read-only, streamed). Any failure to parse the file (corrupt, truncated while being
    saved, not a workbook) becomes one located error rather than a traceback."""
    import openpyxl

    if _xlsx_bomb(path, raw):
        raw.blocked = True
        return
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
                raw.warning("sheet_ignored", file=INTAKE_XLSX, sheet=sheet, name=repr(sheet), near=repr(near))
        for name in contract.TABLE_ORDER:
            if name not in sheetnames:
                continue
            ws = wb[name]
            raw.files[name] = INTAKE_XLSX
            if not hasattr(ws, "reset_dimensions"):  # a chart sheet named like a table
                raw.error("sheet_not_worksheet", file=INTAKE_XLSX, sheet=name, name=repr(name))
                raw.failed.add(name)
                continue
            ws.reset_dimensions()  # some writers store wrong dimensions; read what is really there
            if name in PERCENT_FORMAT_TABLES:
                rows = _rows_noting_percent_cells(ws, raw.percent_cells.setdefault(name, set()))
            else:
                rows = ((i, r) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)
                        if any(c is not None and c != "" for c in r))
            frame = _frame(rows, INTAKE_XLSX, name, raw)
            raw.tables[name] = frame
            if frame is None:
                raw.failed.add(name)
    except Exception as exc:  # noqa: BLE001
        raw.tables.clear()
        raw.files.clear()
        _unreadable(raw, exc)
    finally:
        wb.close()


PERCENT_FORMAT_TABLES = ("kpis", "actuals")  # where a number's percent format can change its meaning


def _rows_noting_percent_cells(ws, found: set[tuple[int, str]]) -> Iterator[tuple[int, tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    """Rows as values, noting (row, header) of numbers whose cell format is a percentage (Excel stores a typed
    90% as 0.9 with format 0%): validation reads them back as 90 where the KPI is in %."""
    header: list[str | None] = []
    for i, cells in enumerate(ws.iter_rows(), start=1):
        values = tuple(getattr(c, "value", None) for c in cells)
        if not any(v is not None and v != "" for v in values):
            continue
        if not header:
            header = [header_name(v) if not isinstance(v, str) or len(v) <= contract.MAX_CELL_CHARS else None
                      for v in values]
        else:
            for j, c in enumerate(cells):
                v = values[j]
                if isinstance(v, (int, float)) and not isinstance(v, bool) and j < len(header) and header[j] \
                        and "%" in str(getattr(c, "number_format", "") or ""):
                    found.add((i, header[j]))  # type: ignore[arg-type]
        yield i, values


def _unreadable(raw: RawIntake, exc: BaseException) -> None:
    raw.error("xlsx_unreadable", file=INTAKE_XLSX, detail=f"{type(exc).__name__}: {exc}"[:300])
    raw.blocked = True


def _csv_rows(path: Path, table: str, raw: RawIntake) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Records of a UTF-8 CSV file, streamed, numbered by the line each starts on (as Excel shows rows)."""
    old = csv.field_size_limit()
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        with open(path, "rb") as fh:
            text = codecs.getreader("utf-8-sig")(fh)
            reader = csv.reader(text, strict=False)
            while True:
                start = reader.line_num + 1
                try:
                    rec = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if "field larger than field limit" in str(exc):
                        raw.error("cell_too_long", file=path.name, sheet=table, row=start, n=f"> {_CSV_FIELD_LIMIT:,}",
                                  limit=contract.MAX_CELL_CHARS)
                    else:
                        raw.error("csv_unreadable", file=path.name, sheet=table, row=start, name=path.name,
                                  detail=str(exc))
                    raise _Stop from None
                if any(c.strip() for c in rec):
                    yield start, tuple(csvtext.restore(c) for c in rec)  # undo save-back's formula guard
    finally:
        csv.field_size_limit(old)


class _Stop(Exception):
    pass


def _read_csv(path: Path, table: str, raw: RawIntake) -> pd.DataFrame | None:
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raw.error("csv_cannot_read", file=path.name, sheet=table, name=path.name, detail=str(exc))
        return None
    if size > contract.MAX_XLSX_UNPACKED:
        raw.error("csv_too_big", file=path.name, sheet=table, name=path.name, size=size // _MB,
                  limit=contract.MAX_XLSX_UNPACKED // _MB)
        return None
    try:
        return _frame(_csv_rows(path, table, raw), path.name, table, raw)
    except _Stop:
        return None
    except UnicodeDecodeError as exc:
        raw.error("csv_not_utf8", file=path.name, sheet=table, name=path.name, reason=exc.reason, byte=exc.start)
        return None
    except OSError as exc:
        raw.error("csv_cannot_read", file=path.name, sheet=table, name=path.name, detail=str(exc))
        return None
