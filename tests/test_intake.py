"""Reading client folders: both formats, encodings, blank rows, located errors for unreadable input."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from conftest import base_tables
from workbench.intake.loading import check_client, load_client
from workbench.intake.model import IntakeError, Issue, ValidationReport


def find(report: ValidationReport, text: str = "", **where: object) -> list[Issue]:
    return [i for i in report.issues if text in i.message and all(getattr(i, k) == v for k, v in where.items())]


def test_xlsx_and_csv_read_to_the_same_tables(make_client, tmp_path: Path) -> None:
    a, ra = check_client(make_client(fmt="xlsx", client_id="demo"))
    folder_b = make_client(fmt="csv", client_id="demo-csv", profile={"name": "demo"})
    b, rb = check_client(folder_b)
    assert ra.ok and rb.ok, ra.format() + rb.format()
    assert a is not None and b is not None
    assert (a.source, b.source) == ("xlsx", "csv")
    for name in a.tables:
        fa, fb = a.tables[name], b.tables[name]
        assert fa is not None and fb is not None, name
        pd.testing.assert_frame_equal(fa, fb, check_dtype=True, obj=name)
    assert [str(i).replace("intake.xlsx, sheet kpis", "kpis.csv") for i in ra.issues] == [str(i) for i in rb.issues]


def test_typed_values(demo_client: Path) -> None:
    client = load_client(demo_client)
    kpis = client.tables["kpis"]
    assert kpis is not None
    k = kpis.set_index("kpi_id")
    assert k.loc["K05", "owner_level"] == "department"  # 部门 → canonical
    assert k.loc["K01", "cap"] == 120.0 and k.loc["K01", "floor"] == 0.0 and k.loc["K01", "direction"] == "higher"
    assert bool(k.loc["K04", "veto"]) is True and bool(k.loc["K01", "veto"]) is False
    assert k.loc["K01", "owner"] is None
    assert list(kpis["_row"]) == [2, 3, 4, 5, 6, 7]
    acts = client.tables["actuals"].set_index("kpi_id")  # type: ignore[union-attr]
    assert acts.loc["K03", "actual"] == "B" and acts.loc["K04", "actual"] is True
    assert acts.loc["K02", "actual"] == 93.5
    actions = client.tables["actions"].set_index("action_id")  # type: ignore[union-attr]
    assert actions.loc["A01", "addresses"] == ["C03", "K02"]
    assert actions.loc["A01", "status"] == "in_progress" and actions.loc["A02", "status"] == "planned"
    assert actions.loc["A01", "due"] == pd.Timestamp("2026-09-30")
    causes = client.tables["causes"].set_index("cause_id")  # type: ignore[union-attr]
    assert causes.loc["C02", "category"] == "people"  # 人 → preset key
    objectives = client.tables["objectives"].set_index("objective_id")  # type: ignore[union-attr]
    assert objectives.loc["P1", "perspective"] == "process"
    assert client.tables["problems"]["current"].dtype == "float64"  # type: ignore[index]


def test_absent_tables_are_none(make_client) -> None:
    tables = {"kpis": base_tables()["kpis"]}
    for t in tables["kpis"]:
        t.pop("objective_id", None)
    client, report = check_client(make_client(tables, fmt="xlsx"))
    assert report.ok, report.format()
    assert client is not None and client.tables["causes"] is None and client.tables["kpis"] is not None


def test_excel_cells_numbers_dates_blank_rows_and_headers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from conftest import write_client

    folder = write_client(tmp_path / "xl", {}, {"period": 2026}, "xlsx")
    wb = Workbook()
    ws = wb.active
    ws.title = "kpis"
    ws.append([" kpi_id ", "KPI", "owner_unit*", "method", "weight", "target", "my note"])
    ws.append([1.0, "  Sales ", "Co", "Ratio", 50, 10, "kept"])
    ws.append([None, None, None, None, None, None, None])  # blank row: skipped, numbering kept
    ws.append([2, "Margin", "Co", "完成率法", "50", 5, None])
    ws2 = wb.create_sheet("actions")
    ws2.append(["action_id", "action", "owner_unit", "due", "addresses"])
    ws2.append(["A1", "Do it", "Co", datetime(2026, 10, 31), "1、2"])
    ws3 = wb.create_sheet("actuals")
    ws3.append(["kpi_id", "period", "actual"])
    ws3.append(["1", datetime(2026, 9, 1), 7])  # Excel turned a typed 2026-09 into a date
    wb.save(folder / "intake.xlsx")
    client, report = check_client(folder)
    assert report.ok, report.format()
    assert client is not None and client.profile.period == "2026"
    kpis = client.tables["kpis"]
    assert list(kpis["kpi_id"]) == ["1", "2"] and list(kpis["_row"]) == [2, 4]  # type: ignore[index]
    assert list(kpis["kpi"]) == ["Sales", "Margin"] and list(kpis["method"]) == ["ratio", "ratio"]  # type: ignore[index]
    assert list(kpis["my note"]) == ["kept", None]  # type: ignore[index]
    assert client.tables["actions"]["due"].iloc[0] == pd.Timestamp("2026-10-31")  # type: ignore[index]
    assert client.tables["actions"]["addresses"].iloc[0] == ["1", "2"]  # type: ignore[index]
    assert client.tables["actuals"]["period"].iloc[0] == "2026-09"  # type: ignore[index]


def test_csv_with_bom_and_gbk(make_client) -> None:
    folder = make_client(fmt="csv")
    p = folder / "problems.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    client, report = check_client(folder)
    assert report.ok, report.format()
    p.write_bytes("problem_id,problem\nP1,交付慢\n".encode("gbk"))
    client, report = check_client(folder)
    assert client is None
    assert find(report, "not UTF-8", file="problems.csv")


def test_xlsx_and_csv_both_present_is_an_error(make_client) -> None:
    folder = make_client(fmt="xlsx")
    (folder / "kpis.csv").write_text("kpi_id\n", encoding="utf-8")
    client, report = check_client(folder)
    assert client is None
    [issue] = report.errors
    assert issue.file == "intake.xlsx" and "kpis.csv" in issue.message and "both" in issue.message


def test_missing_and_malformed_client_yaml(make_client) -> None:
    folder = make_client(fmt="csv")
    (folder / "client.yaml").unlink()
    client, report = check_client(folder)
    assert client is None and find(report, "missing", file="client.yaml")
    (folder / "client.yaml").write_text("id: demo\nname: [unclosed\nperiod: 2026Q3\n", encoding="utf-8")
    client, report = check_client(folder)
    [issue] = find(report, "not valid YAML", file="client.yaml")
    assert issue.row is not None and issue.row >= 2
    (folder / "client.yaml").write_text("- just a list\n", encoding="utf-8")
    assert find(check_client(folder)[1], "mapping", file="client.yaml")


def test_unreadable_workbook(make_client) -> None:
    folder = make_client(fmt="csv")
    for p in folder.glob("*.csv"):
        p.unlink()
    (folder / "intake.xlsx").write_bytes(b"not a zip")
    client, report = check_client(folder)
    assert client is None and find(report, "cannot read intake.xlsx", file="intake.xlsx")
    # a workbook caught half-written (e.g. while Excel or another tool saves it)
    good = make_client(fmt="xlsx", client_id="good") / "intake.xlsx"
    data = good.read_bytes()
    for cut in (len(data) // 3, len(data) - 200):
        (folder / "intake.xlsx").write_bytes(data[:cut])
        client, report = check_client(folder)
        assert client is None and find(report, "cannot read intake.xlsx", file="intake.xlsx"), cut


def test_missing_folder_and_load_client_raises(tmp_path: Path) -> None:
    client, report = check_client(tmp_path / "nope")
    assert client is None and find(report, "does not exist")
    with pytest.raises(IntakeError) as exc:
        load_client(tmp_path / "nope")
    assert exc.value.report.errors


def test_header_must_be_row_1_and_duplicate_headers(tmp_path: Path) -> None:
    from conftest import write_client

    folder = write_client(tmp_path / "dup", {"kpis": base_tables()["kpis"]}, {}, "csv")
    text = (folder / "kpis.csv").read_text(encoding="utf-8").splitlines()
    (folder / "kpis.csv").write_text("\n".join([text[0] + ",weight", *[t + ",1" for t in text[1:]]]) + "\n",
                                     encoding="utf-8")
    report = check_client(folder)[1]
    assert find(report, "appears twice", file="kpis.csv", row=1, column="weight")
    (folder / "kpis.csv").write_text("\n" + "\n".join(text) + "\n", encoding="utf-8")
    assert find(check_client(folder)[1], "row 1", file="kpis.csv", row=1)


def test_demo_sized_client_loads(make_client) -> None:
    tables = base_tables()
    # ~ demo size: 40 KPIs x 8 periods of actuals
    kpis, actuals = [], []
    for i in range(40):
        kpis.append({"kpi_id": f"K{i:02d}", "kpi": f"KPI {i}", "owner_unit": f"U{i // 4}", "method": "ratio",
                     "target": 100, "weight": 25})
        actuals += [{"kpi_id": f"K{i:02d}", "period": f"{2025 + q // 4}Q{q % 4 + 1}", "actual": 90 + q}
                    for q in range(8)]
    tables["kpis"], tables["actuals"] = kpis, actuals
    tables.pop("objectives"), tables.pop("links")
    tables["actions"][1]["addresses"] = "4.1.2"
    folder = make_client(tables, fmt="xlsx")
    client, report = check_client(folder)
    assert report.ok, report.format()
    assert len(client.tables["kpis"]) == 40 and len(client.tables["actuals"]) == 320


def test_mistyped_csv_file_names_are_warned_about(make_client) -> None:
    tables = base_tables()
    tables["kpi"] = tables.pop("kpis")  # kpi.csv: the required table is then missing, and the reason is named
    tables["action"] = tables.pop("actions")
    folder = make_client(tables, fmt="csv")
    (folder / "notes.csv").write_text("anything\n", encoding="utf-8")
    client, report = check_client(folder)
    assert client is None and find(report, "kpis table is required", severity="error")
    [kpi] = find(report, "kpi.csv is ignored", severity="warning", file="kpi.csv")
    assert "did you mean kpis.csv?" in kpi.message
    [action] = find(report, "action.csv is ignored", severity="warning", file="action.csv")
    assert "did you mean actions.csv?" in action.message
    [notes] = find(report, "notes.csv is ignored", severity="warning", file="notes.csv")
    assert "did you mean" not in notes.message and "kpis.csv" in notes.message
    # beside intake.xlsx too: a stray CSV is not read
    folder = make_client(fmt="xlsx", client_id="xl")
    (folder / "Actual.csv").write_text("kpi_id\n", encoding="utf-8")
    client, report = check_client(folder)
    assert client is not None, report.format()
    assert find(report, "did you mean actuals.csv?", severity="warning", file="Actual.csv")


def test_mistyped_sheet_names_are_warned_about(make_client) -> None:
    tables = base_tables()
    tables["Actuals "] = tables.pop("actuals")
    tables["action"] = tables.pop("actions")
    tables["Notes"] = [{"note": "the consultant's own sheet"}]
    client, report = check_client(make_client(tables, fmt="xlsx"))
    assert client is not None, report.format()
    assert client.tables["actuals"] is None and client.tables["actions"] is None
    [w] = find(report, "sheet 'Actuals ' is ignored", severity="warning", file="intake.xlsx", sheet="Actuals ")
    assert "did you mean 'actuals'?" in w.message
    assert find(report, "did you mean 'actions'?", severity="warning", sheet="action")
    assert not find(report, sheet="Notes") and not find(report, sheet="说明 Instructions")


def test_gbk_table_error_is_not_repeated_per_reference(make_client) -> None:
    folder = make_client(fmt="csv")
    (folder / "problems.csv").write_bytes("problem_id,problem\nP1,交付慢\n".encode("gbk"))
    report = check_client(folder)[1]
    assert len(report.errors) == 1 and not find(report, "not found"), report.format()
    assert find(report, "references to problems not checked", severity="warning", file="problems.csv")
