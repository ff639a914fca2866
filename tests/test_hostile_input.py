"""Hostile and accidental input (issue 14) and forgiving reading where unambiguous (issue 13): every case a
located error or note, memory bounded. The bombs are generated here (no committed binaries) and read in a
subprocess under a memory rlimit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from conftest import base_tables
from workbench.intake.loading import check_client

ROOT = Path(__file__).resolve().parent.parent


def find(report, text: str, **where):
    return [i for i in report.issues if text in i.message and all(getattr(i, k) == v for k, v in where.items())]


# ---------------------------------------------------------------- numbers, weights, dates


@pytest.mark.parametrize("weights, ok", [((60, 39.99), True), ((60, 40.01), True), ((60, 40.02), False),
                                         ((33.33, 33.33, 33.34), True), ((0.1, 0.2, 99.7), True)])
def test_weight_tolerance_is_exact(weights: tuple[float, ...], ok: bool, make_client) -> None:
    tables = base_tables()
    plant = [k for k in tables["kpis"] if k["owner_unit"] == "Plant"]
    template = dict(plant[-1])
    tables["kpis"] = [k for k in tables["kpis"] if k["owner_unit"] != "Plant"]
    for i, w in enumerate(weights):
        tables["kpis"].append({**template, "kpi_id": f"KP{i}", "weight": w})
    tables["actuals"] = [a for a in tables["actuals"] if a["kpi_id"] not in ("K05", "K06")]
    tables["reviews"] = []
    tables["actions"][0]["addresses"] = "C03"
    tables["findings"][0]["addresses"] = "C03"
    client, report = check_client(make_client(tables))
    assert (client is not None) == ok, report.format()
    assert bool(find(report, "weights of owner Plant/Wang sum to")) != ok


def test_weights_typed_as_percentages_get_a_hint(make_client) -> None:
    tables = base_tables()
    for k in tables["kpis"]:
        if k["owner_unit"] == "Plant":
            k["weight"] = {60: 0.6, 40: 0.4}[k["weight"]]  # Excel stores 60% as 0.6
    _, report = check_client(make_client(tables, fmt="xlsx"))
    [e] = find(report, "did you mean 60/40?", severity="error", sheet="kpis", column="weight", row=6)


@pytest.mark.parametrize("table, index, column, value", [
    ("actuals", 0, "actual", 1e308), ("kpis", 0, "target", 1e308), ("actuals", 0, "actual", "1e400"),
    ("kpis", 1, "stretch", -1e20),
])
def test_implausible_numbers_are_errors_at_their_cell(table: str, index: int, column: str, value: object,
                                                      make_client) -> None:
    tables = base_tables()
    tables[table][index][column] = value
    client, report = check_client(make_client(tables, fmt="xlsx" if isinstance(value, float) else "csv"))
    assert client is None
    bad = [i for i in report.errors if i.sheet == table and i.row == index + 2 and i.column == column]
    assert bad, report.format()


@pytest.mark.parametrize("due, ok", [("2026/9/30", True), ("2026.9.30", True), ("2026年9月30日", True),
                                     ("2026-09-30T12:00", True), ("2026-10-31T25:00", False),
                                     ("2026-10-31T23:60", False), ("2026-02-30", False), ("30/9/2026", False)])
def test_dates_as_people_type_them(due: str, ok: bool, make_client) -> None:
    tables = base_tables()
    tables["actions"][0]["due"] = due
    client, report = check_client(make_client(tables))
    assert (client is not None) == ok, report.format()
    if ok:
        assert str(client.tables["actions"]["due"].iloc[0].date()) == "2026-09-30"
    else:
        [e] = find(report, "expected a date", file="actions.csv", row=2, column="due")


def test_real_excel_dates_are_dates(make_client) -> None:
    from datetime import datetime

    tables = base_tables()
    tables["actions"][0]["due"] = datetime(2026, 9, 30)
    tables["reviews"][0]["due"] = datetime(2026, 10, 31, 17, 30)
    client, report = check_client(make_client(tables, fmt="xlsx"))
    assert client is not None, report.format()
    assert str(client.tables["reviews"]["due"].iloc[0].date()) == "2026-10-31"


# ---------------------------------------------------------------- forgiving percentages (issue 13)


def test_percent_text_in_a_percent_kpi_is_read_with_a_note(make_client) -> None:
    tables = base_tables()
    tables["kpis"][1]["unit"] = "%"
    tables["kpis"][1]["target"] = "95%"
    tables["actuals"][1]["actual"] = "93.5%"
    client, report = check_client(make_client(tables))
    assert client is not None, report.format()
    assert client.tables["kpis"]["target"].tolist()[1] == 95.0
    assert client.tables["actuals"]["actual"].tolist()[1] == 93.5
    [n] = find(report, "read as 93.5", severity="warning", file="actuals.csv", row=3, column="actual")
    [n] = find(report, "read as 95", severity="warning", file="kpis.csv", row=3, column="target")


def test_percent_text_elsewhere_is_an_error_with_the_likely_number(make_client) -> None:
    tables = base_tables()
    tables["actuals"][0]["actual"] = "85%"  # K01 is in 万元: 85% is ambiguous there
    tables["kpis"][0]["target"] = "90%"
    client, report = check_client(make_client(tables))
    assert client is None
    [e] = find(report, "did you mean 85?", file="actuals.csv", row=2, column="actual")
    [e] = find(report, "did you mean 90?", file="kpis.csv", row=2, column="target")


def test_zh_client_gets_chinese_messages_with_locations(make_client) -> None:
    tables = base_tables()
    tables["kpis"][0]["weight"] = "四十"
    _, report = check_client(make_client(tables, profile={"language": "zh"}, fmt="xlsx"))
    [line] = [ln for ln in report.lines() if "weight" in ln]
    assert line.startswith("错误: intake.xlsx, 工作表 kpis, 第 2 行, 列 weight: 应为数值"), line
    doc = report.to_json()
    assert doc["lang"] == "zh" and doc["issues"][0]["code"] and doc["issues"][0]["row"] == 2
    assert report.lines("en")[0].startswith("ERROR: intake.xlsx, sheet kpis, row 2, column weight: expected a number")


# ---------------------------------------------------------------- files


def test_table_file_linking_out_of_the_folder_is_refused(tmp_path: Path, make_client) -> None:
    folder = make_client()
    elsewhere = tmp_path / "secret.csv"
    elsewhere.write_text("kpi_id,period,actual\nK01,2026Q3,1\n", encoding="utf-8")
    (folder / "actuals.csv").unlink()
    (folder / "actuals.csv").symlink_to(elsewhere)
    (folder / "problems.csv").unlink()
    (folder / "problems.csv").mkdir()
    (folder / "whys.csv").unlink()
    (folder / "whys.csv").symlink_to(tmp_path / "nowhere.csv")
    client, report = check_client(folder)
    assert client is None
    [e] = find(report, "outside the client folder", file="actuals.csv", severity="error")
    [e] = find(report, "not a regular file", file="problems.csv", severity="error")
    [e] = find(report, "points nowhere", file="whys.csv", severity="error")
    inside = folder / "real_kpis.txt"
    (folder / "kpis.csv").rename(inside)
    (folder / "kpis.csv").symlink_to(inside)  # a link inside the folder is fine
    assert not find(check_client(folder)[1], "kpis.csv is a link")


def test_csv_cells_over_the_limits_are_located(make_client) -> None:
    tables = base_tables()
    tables["problems"][0]["problem"] = "x" * 40_000
    tables["causes"][1]["evidence"] = "y" * 200_000  # beyond the csv module's field limit
    client, report = check_client(make_client(tables))
    assert client is None
    [e] = find(report, "40000 characters", file="problems.csv", row=2, column="problem")
    [e] = find(report, "characters; the limit is 32767", file="causes.csv", row=3)


def test_client_yaml_aliases_and_size(make_client) -> None:
    folder = make_client()
    (folder / "client.yaml").write_text(textwrap.dedent("""\
        id: demo
        name: Demo
        period: 2026Q3
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        values: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        """), encoding="utf-8")
    client, report = check_client(folder)
    [e] = find(report, "anchors or aliases", file="client.yaml", row=4)
    (folder / "client.yaml").write_text("id: demo\nname: Demo\nperiod: 2026Q3\nmission: " + "m" * 1_100_000,
                                        encoding="utf-8")
    client, report = check_client(folder)
    [e] = find(report, "the limit is 1 MB", file="client.yaml")


def test_too_many_rows_is_one_located_error(make_client) -> None:
    folder = make_client()
    with open(folder / "links.csv", "w", encoding="utf-8") as fh:
        fh.write("from_objective,to_objective\n")
        fh.write("L1,P1\n" * 100_001)
    client, report = check_client(folder)
    assert client is None
    [e] = find(report, "the limit is 100,000", file="links.csv", row=100_002)


# ---------------------------------------------------------------- bombs, under a memory limit

_RUN = textwrap.dedent("""\
    import json, resource, sys
    limit = int(sys.argv[2]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from workbench.intake.loading import check_client
    client, report = check_client(sys.argv[1])
    print(json.dumps([[i.code, i.file, i.row, i.column] for i in report.errors]))
    """)


def _check_in_subprocess(folder: Path, mb: int = 1500) -> list[list[object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _RUN, str(folder), str(mb)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def _xlsx_with_sheet(path: Path, sheet_xml_chunks, shared: bytes | None = None) -> None:
    """A minimal xlsx whose 'kpis' sheet is streamed from ``sheet_xml_chunks``."""
    ct = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
          b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
          b'name="kpis" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
              b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
              b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", wbrels)
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", shared)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for chunk in sheet_xml_chunks:
                fh.write(chunk)


_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
         b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>kpi_id</t></is></c></row>')
_TAIL = b"</sheetData></worksheet>"


@pytest.mark.slow
def test_bombs_are_refused_with_bounded_memory(make_client) -> None:
    # 1. one inline string of 300 MB (a 300 KB file): refused from the zip directory, before parsing
    folder = make_client(fmt="xlsx", client_id="inline-bomb")
    block = b"A" * (1 << 20)
    _xlsx_with_sheet(folder / "intake.xlsx", [_HEAD, b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                                              *([block] * 300), b"</t></is></c></row>", _TAIL])
    assert (folder / "intake.xlsx").stat().st_size < 5 * 1024 * 1024
    assert _check_in_subprocess(folder) == [["xlsx_too_big", "intake.xlsx", None, None]]
    # 2. three million shared strings: refused by counting, fast
    folder = make_client(fmt="xlsx", client_id="strings-bomb")
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + \
        b"<si><t>x</t></si>" * 3_000_000 + b"</sst>"
    _xlsx_with_sheet(folder / "intake.xlsx", [_HEAD, _TAIL], shared=sst)
    assert _check_in_subprocess(folder) == [["xlsx_shared_strings", "intake.xlsx", None, None]]
    # 3. a cell of 1 MB inside the size limit: an error at its cell, the rest of the sheet still read
    folder = make_client(fmt="xlsx", client_id="long-cell")
    _xlsx_with_sheet(folder / "intake.xlsx", [_HEAD, b'<row r="2"><c r="A2" t="inlineStr"><is><t>', block,
                                              b"</t></is></c></row>", _TAIL])
    errors = _check_in_subprocess(folder)
    assert ["cell_too_long", "intake.xlsx", 2, "kpi_id"] in errors, errors
    # 4. the YAML alias bomb (1.3 KB that expands to gigabytes)
    folder = make_client(client_id="yaml-bomb")
    lines = ["id: yaml-bomb", "name: x", "period: 2026Q3", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines.append("values: *a9")
    (folder / "client.yaml").write_text("\n".join(lines), encoding="utf-8")
    assert _check_in_subprocess(folder)[0][:2] == ["yaml_alias", "client.yaml"]
