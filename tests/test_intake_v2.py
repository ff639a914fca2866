"""Intake v2 (docs/intake.md): profile/challenges/target_score, findings, feedback, reviews, actions.reason,
history/, and the v2 rules (linear order, Excel percentages, dimension fits item, review needs an actual)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import base_tables
from workbench.intake.loading import check_client
from workbench.intake.template import template_bytes

CLIENTS = Path(__file__).resolve().parent.parent / "clients"


def find(report, text: str, **where):
    return [i for i in report.issues if text in i.message and all(getattr(i, k) == v for k, v in where.items())]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_v2_tables_read_typed(fmt: str, make_client) -> None:
    client, report = check_client(make_client(fmt=fmt, profile={
        "language": "en", "profile": "Steel maker, 3 plants, 2,000 staff", "challenges": ["Price war", "Ageing kit"],
        "target_score": 600}))
    assert client is not None, report.format()
    p = client.profile
    assert (p.profile, p.challenges, p.target_score) == ("Steel maker, 3 plants, 2,000 staff",
                                                        ["Price war", "Ageing kit"], 600.0)
    fb = client.tables["feedback"]
    assert fb["kind"].tolist() == ["strength", "opportunity", "opportunity"]
    assert fb["key"].tolist() == [True, False, True]
    assert fb["dimension"].tolist() == ["A", "L", "T"]
    findings = client.tables["findings"]
    assert findings["addresses"].tolist()[0] == ["C03", "K02", "A01"]
    assert findings["rank"].tolist()[0] == 1
    reviews = client.tables["reviews"]
    assert reviews["period"].tolist() == ["2026Q3"]  # normalised like actuals.period
    assert str(reviews["due"].iloc[0].date()) == "2026-10-31"
    actions = client.tables["actions"].set_index("action_id")
    assert actions.loc["A03", "reason"] == "Supplier quote came in over budget"
    assert client.history == {}


def test_every_demo_client_stays_valid() -> None:
    for folder in sorted(p for p in CLIENTS.iterdir() if (p / "client.yaml").is_file()):
        client, report = check_client(folder)
        assert client is not None, report.format()


@pytest.mark.parametrize("direction, values, ok", [
    ("higher", (85, 95, 98), True), ("higher", (95, 85, 98), False), ("higher", (85, 95, 95), False),
    ("lower", (10, 5, 2), True), ("lower", (2, 5, 10), False),
])
def test_linear_order(direction: str, values: tuple[int, int, int], ok: bool, make_client) -> None:
    tables = base_tables()
    k = tables["kpis"][1]
    k["threshold"], k["target"], k["stretch"] = values
    k["direction"] = direction
    client, report = check_client(make_client(tables))
    errs = find(report, "KPI K02 uses method linear, which needs", severity="error", file="kpis.csv", row=3)
    assert (client is not None, len(errs)) == ((True, 0) if ok else (False, 1)), report.format()


def test_excel_percentage_warning_names_cell_and_likely_value(make_client) -> None:
    tables = base_tables()
    k = tables["kpis"][1]
    k["unit"], k["target"] = "%", 0.95  # typed 95% in Excel, stored 0.95; threshold 85 and stretch 98 are not
    client, report = check_client(make_client(tables, fmt="xlsx"))
    [w] = find(report, "0.95: did you mean 95?", severity="warning", sheet="kpis", row=3, column="target")
    assert client is None  # also breaks the linear order: an error
    tables = base_tables()
    tables["kpis"][1]["unit"] = "%"
    tables["actuals"][1]["actual"] = 0.93
    client, report = check_client(make_client(tables, client_id="b"))
    [w] = find(report, "0.93: did you mean 93?", severity="warning", file="actuals.csv", row=3, column="actual")
    assert client is not None  # a warning only
    tables["kpis"][1]["unit"] = "pcs"
    _, report = check_client(make_client(tables, client_id="c"))
    assert not find(report, "did you mean 93")  # only for % KPIs


def test_feedback_dimension_must_fit_item(make_client) -> None:
    tables = base_tables()
    tables["feedback"][0]["dimension"] = "T"  # 4.1.2 is a process item: A/D/L/I
    tables["feedback"][2]["dimension"] = "趋势"  # 4.7.4 results item: T fits
    tables["feedback"].append({"item_id": "9.9.9", "kind": "strength", "comment": "x"})
    tables["feedback"].append({"item_id": "4.1.3", "kind": "weakness", "comment": "x"})
    client, report = check_client(make_client(tables, fmt="xlsx"))
    assert client is None
    [e] = find(report, "dimension T does not fit item 4.1.2", sheet="feedback", row=2, column="dimension")
    assert "A, D, L, I" in e.message
    assert find(report, "'9.9.9' not found", sheet="feedback", row=5, column="item_id")
    assert find(report, "expected one of strength, opportunity", sheet="feedback", row=6, column="kind")
    assert len(report.errors) == 3, report.format()


def test_review_needs_an_actual(make_client) -> None:
    tables = base_tables()
    tables["reviews"].append({"kpi_id": "K03", "period": "2026Q2", "cause": "late survey"})
    tables["reviews"].append({"kpi_id": "K99", "period": "2026Q3", "cause": "?"})
    client, report = check_client(make_client(tables))
    assert client is None
    assert find(report, "KPI K03 has no actual for 2026Q2", file="reviews.csv", row=3, column="period")
    assert find(report, "'K99' not found in kpis.kpi_id", file="reviews.csv", row=4, column="kpi_id")


def test_target_score_within_framework_total(make_client) -> None:
    _, report = check_client(make_client(profile={"target_score": 1200}))
    [e] = find(report, "expected a number from 0 to 1000", file="client.yaml", column="target_score")
    client, report = check_client(make_client(profile={"challenges": "one challenge"}, client_id="b"))
    assert client is not None and client.profile.challenges == ["one challenge"]


def _results(client: str, period: str, total: float = 400.0) -> dict:
    return {"client": client, "name": "x", "period": period, "framework": "gbt19580-2012",
            "assessment": {"total": total, "unscored_points": 0, "categories": {}, "items": {}}, "kpis": {}}


def test_history_documents_on_the_client(make_client) -> None:
    folder = make_client()
    (folder / "history").mkdir()
    (folder / "history" / "2026Q1.json").write_text(json.dumps(_results("demo", "2026Q1", 380)), encoding="utf-8")
    (folder / "history" / "2025Q3.json").write_text(json.dumps(_results("demo", "2025q3", 350)), encoding="utf-8")
    client, report = check_client(folder)
    assert client is not None, report.format()
    assert list(client.history) == ["2025Q3", "2026Q1"]  # oldest first
    assert client.history["2026Q1"]["assessment"]["total"] == 380


@pytest.mark.parametrize("name, doc, message", [
    ("2026Q1.json", _results("other-co", "2026Q1"), "belongs to client 'other-co'"),
    ("2026Q1.json", _results("demo", "2025Q4"), "the file name says 2026Q1"),
    ("2026Q1.json", {"period": "2026Q1"}, "key 'client' is missing"),
    ("2026Q1.json", [1, 2], "expected a results.json document"),
    ("2026Q1.json", "{not json", "not a readable JSON file"),
    ("2026Q1.json", _results("demo", "26Q1"), "expected a period like"),
])
def test_history_file_must_be_a_results_json_of_this_client(name: str, doc, message: str, make_client) -> None:
    folder = make_client()
    (folder / "history").mkdir()
    (folder / "history" / name).write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    client, report = check_client(folder)
    assert client is None
    [e] = find(report, message, severity="error", file=f"history/{name}")


def test_blank_workbook_has_v2_sheets_with_notes_and_dropdowns(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(template_bytes())
    wb = load_workbook(path)
    for sheet in ("findings", "feedback", "reviews"):
        assert sheet in wb.sheetnames
    fb = wb["feedback"]
    headers = [c.value for c in fb[1]]
    assert headers[:3] == ["item_id", "kind", "comment"]
    assert fb.cell(1, 1).comment is not None and "4.1.2" in fb.cell(1, 1).comment.text
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in fb.data_validations.dataValidation}
    assert "strength" in lists["B2"] and "改进机会" in lists["B2"]
    assert "Le" in lists[f"{chr(64 + headers.index('dimension') + 1)}2"]
    assert "reason" in [c.value for c in wb["actions"][1]]
