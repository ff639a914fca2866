"""Every contract rule, hit by a deliberately broken copy of the demo client, with its location asserted."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import base_profile, base_tables, write_client
from workbench.cli import app
from workbench.intake.contract import TABLES
from workbench.intake.loading import check_client
from workbench.intake.model import Issue, ValidationReport
from workbench.intake.validation import framework_item_ids, validate_frames

Tables = dict[str, list[dict[str, Any]]]


def find(report: ValidationReport, text: str = "", **where: object) -> list[Issue]:
    return [i for i in report.issues if text in i.message and all(getattr(i, k) == v for k, v in where.items())]


def set_(table: str, i: int, **values: Any) -> Callable[[Tables], None]:
    def f(t: Tables) -> None:
        t[table][i].update(values)
    return f


def drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def f(t: Tables) -> None:
        for r in t[table]:
            r.pop(column, None)
    return f


def add_row(table: str, **values: Any) -> Callable[[Tables], None]:
    def f(t: Tables) -> None:
        t[table].append(values)
    return f


# (id, mutation, severity, table, row, column, message fragment)
CASES: list[tuple[str, Callable[[Tables], None], str, str, int | None, str | None, str]] = [
    ("required-column", drop_column("kpis", "method"), "error", "kpis", 1, "method", "required column 'method'"),
    ("required-value", set_("kpis", 0, kpi=None), "error", "kpis", 2, "kpi", "required value is empty"),
    ("enum", set_("kpis", 1, direction="up"), "error", "kpis", 3, "direction", "expected one of higher, lower"),
    ("enum-perspective", set_("objectives", 0, perspective="money"), "error", "objectives", 2, "perspective",
     "expected one of financial, customer, process, learning"),
    ("number", set_("kpis", 0, target="abc"), "error", "kpis", 2, "target", "expected a number"),
    ("weight-range", set_("kpis", 0, weight=140), "error", "kpis", 2, "weight", "from 0 to 100"),
    ("int-range", set_("causes", 0, impact=7), "error", "causes", 2, "impact", "whole number from 1 to 5"),
    ("int-whole", set_("causes", 1, effort=2.5), "error", "causes", 3, "effort", "whole number"),
    ("score-pct-multiple", set_("assessment", 0, score_pct=52), "error", "assessment", 2, "score_pct",
     "multiple of 5"),
    ("score-pct-range", set_("assessment", 1, score_pct=105), "error", "assessment", 3, "score_pct", "0 to 100"),
    ("date", set_("actions", 0, due="30/09/2026"), "error", "actions", 2, "due", "expected a date YYYY-MM-DD"),
    ("date-invalid", set_("actions", 1, due="2026-02-30"), "error", "actions", 3, "due", "expected a date"),
    ("yesno", set_("kpis", 0, veto="maybe"), "error", "kpis", 2, "veto", "expected yes or no"),
    ("unique", set_("causes", 3, cause_id="C01"), "error", "causes", 5, "cause_id", "already on row 2"),
    ("unique-composite", set_("assessment", 1, assessor="Li"), "error", "assessment", 3, "assessor",
     "duplicate item_id + assessor"),
    ("ref-problem", set_("causes", 0, problem_id="P9"), "error", "causes", 2, "problem_id",
     "'P9' not found in problems.problem_id"),
    ("ref-parent-cause", set_("causes", 1, parent_cause_id="C99"), "error", "causes", 3, "parent_cause_id",
     "'C99' not found"),
    ("ref-parent-kpi", set_("kpis", 4, parent_kpi_id="K99"), "error", "kpis", 6, "parent_kpi_id", "'K99' not found"),
    ("ref-objective", set_("kpis", 0, objective_id="X1"), "error", "kpis", 2, "objective_id", "'X1' not found"),
    ("ref-link", set_("links", 0, to_objective="X1"), "error", "links", 2, "to_objective", "'X1' not found"),
    ("ref-actual", set_("actuals", 0, kpi_id="K99"), "error", "actuals", 2, "kpi_id", "'K99' not found in kpis"),
    ("ref-addresses", set_("actions", 0, addresses="C03, Z9"), "error", "actions", 2, "addresses", "'Z9' not found"),
    ("ref-item", set_("assessment", 2, item_id="4.1.1"), "error", "assessment", 4, "item_id",
     "not found in the items of framework gbt19580-2012"),
    ("ref-why-cause", set_("whys", 2, cause_id="C77"), "error", "whys", 4, "cause_id", "'C77' not found"),
    ("cycle-causes", set_("causes", 0, parent_cause_id="C03"), "error", "causes", 2, "parent_cause_id",
     "cycle: C01 → C03 → C01"),
    ("cycle-self", set_("causes", 1, parent_cause_id="C02"), "error", "causes", 3, "parent_cause_id",
     "cycle: C02 → C02"),
    ("cycle-kpis", set_("kpis", 1, parent_kpi_id="K05"), "error", "kpis", 3, "parent_kpi_id",
     "cycle: K02 → K05 → K02"),
    ("cycle-links", add_row("links", from_objective="F1", to_objective="L1"), "error", "links", 2,
     "from_objective", "cycle: L1 → P1 → C1 → F1 → L1"),
    ("weights", set_("kpis", 0, weight=45), "error", "kpis", 2, "weight",
     "weights of owner Company sum to 105, expected 100 (rows 2, 3, 4, 5)"),
    ("weights-owner", set_("kpis", 5, weight=30), "error", "kpis", 6, "weight", "owner Plant/Wang sum to 90"),
    ("method-needs", set_("kpis", 1, stretch=None), "error", "kpis", 3, "stretch",
     "uses method linear, which needs stretch"),
    ("method-needs-steps", set_("kpis", 4, step_points=None), "error", "kpis", 6, "step_points", "needs step_points"),
    ("actual-qualitative", set_("actuals", 2, actual="Z"), "error", "actuals", 4, "actual",
     "qualitative: expected a grade, one of A, B, C, D, E"),
    ("actual-binary", set_("actuals", 3, actual="maybe"), "error", "actuals", 5, "actual", "binary: expected yes or no"),
    ("actual-number", set_("actuals", 0, actual="n/a"), "error", "actuals", 2, "actual", "expected a number"),
    ("actual-period", set_("actuals", 6, period="Q2 2026"), "error", "actuals", 8, "period", "expected a period"),
    ("category", set_("causes", 0, category="money"), "error", "causes", 2, "category", "unknown category"),
    ("action-start-after-due", set_("actions", 0, start="2026-10-15"), "error", "actions", 2, "start",
     "action A01: start 2026-10-15 is after due 2026-09-30"),
    ("whys-steps", set_("whys", 2, step=4), "error", "whys", 2, "step", "are 1, 2, 4; expected 1, 2, 3"),
    ("whys-two-roots", set_("whys", 1, root_cause="yes"), "error", "whys", 4, "root_cause", "more than one root_cause"),
    ("link-down", set_("links", 2, from_objective="F1", to_objective="C1"), "warning", "links", 4, "to_objective",
     "runs down the perspective order (financial → customer)"),
    ("objective-no-link", add_row("objectives", objective_id="L2", perspective="learning", objective="Data"),
     "warning", "objectives", 6, "objective_id", "objective L2 has no cause-effect link"),
    ("objective-no-kpi", add_row("objectives", objective_id="L2", perspective="learning", objective="Data"),
     "warning", "objectives", 6, "objective_id", "objective L2 has no KPI"),
    ("scorecard-size", lambda t: None, "warning", "kpis", None, "objective_id", "perspective financial has 1"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule(case: tuple, fmt: str, make_client) -> None:
    _, mutate, severity, table, row, column, text = case
    tables = base_tables()
    mutate(tables)
    client, report = check_client(make_client(tables, fmt=fmt))
    file = "intake.xlsx" if fmt == "xlsx" else f"{table}.csv"
    hits = find(report, text, severity=severity, file=file, sheet=table, row=row, column=column)
    assert hits, report.format()
    if severity == "error":
        assert client is None
    else:
        assert client is not None and report.ok, report.format()


def test_base_client_is_valid(make_client) -> None:
    client, report = check_client(make_client(fmt="csv"))
    assert report.ok, report.format()
    assert client is not None and client.warnings == report.warnings


def test_all_problems_reported_at_once(make_client) -> None:
    tables = base_tables()
    tables["kpis"][0]["target"] = "abc"
    tables["actions"][1]["due"] = "tomorrow"
    report = check_client(make_client(tables, fmt="xlsx"))[1]
    assert {(i.sheet, i.row, i.column) for i in report.errors} == {("kpis", 2, "target"), ("actions", 3, "due")}
    bad = report.errors[0]
    assert bad.value == "abc" and "intake.xlsx, sheet kpis, row 2, column target" in str(bad)
    # one error per cell: the unreadable target is not reported again as "target is empty" by the method rule
    assert [i.code for i in report.errors if (i.sheet, i.row, i.column) == ("kpis", 2, "target")] == [bad.code]


def test_cycle_reported_once_not_per_member(make_client) -> None:
    tables = base_tables()
    tables["causes"][0]["parent_cause_id"] = "C03"
    report = check_client(make_client(tables))[1]
    assert len(find(report, "cycle")) == 1


def test_kpis_table_absent_is_error_empty_is_warning(make_client) -> None:
    tables = base_tables()
    del tables["kpis"], tables["actuals"], tables["reviews"]
    tables["actions"][0]["addresses"] = "C03"
    tables["findings"][0]["addresses"] = "C03"
    for t in tables["objectives"]:
        t.pop("x", None)
    report = check_client(make_client(tables, fmt="xlsx"))[1]
    assert find(report, "kpis table is required", severity="error", sheet="kpis")
    tables["kpis"] = []
    folder = make_client(tables, fmt="csv", client_id="empty",
                         columns={"kpis": ["kpi_id", "kpi", "owner_unit", "method", "weight"]})
    client, report = check_client(folder)
    assert client is not None, report.format()
    assert find(report, "no rows yet", severity="warning", file="kpis.csv")


# -------------------------------------------------------------- client.yaml

PROFILE_CASES = [
    ("id-mismatch", {"id": "other"}, "id", "must equal the folder name 'demo'"),
    ("unsafe-id", {"id": "../x"}, "id", "expected a slug"),
    ("upper-id", {"id": "Demo"}, "id", "expected a slug"),
    ("no-name", {"name": None}, "name", "name is required"),
    ("no-period", {"period": None}, "period", "period is required"),
    ("bad-period", {"period": "Q3/2026"}, "period", "expected a period like 2026Q3"),
    ("language", {"language": "fr"}, "language", "expected one of zh, en"),
    ("missing-actuals", {"missing_actuals": "drop"}, "missing_actuals", "expected one of exclude, zero"),
    ("grades", {"grades": {"A": "top"}}, "grades", "grade A: expected a number"),
    ("preset", {"fishbone_categories": "7M"}, "fishbone_categories", "unknown fishbone preset"),
    ("framework", {"framework": "iso9004"}, "framework", "unknown framework"),
]


@pytest.mark.parametrize("case", PROFILE_CASES, ids=[c[0] for c in PROFILE_CASES])
def test_profile_rule(case: tuple, make_client) -> None:
    _, change, key, text = case
    client, report = check_client(make_client(profile={**base_profile(), **change}))
    assert client is None
    [issue] = find(report, text, file="client.yaml", column=key)
    if change[key] is not None:  # located at the key's line in client.yaml
        text_lines = (Path(str(report.client_folder)) / "client.yaml").read_text(encoding="utf-8").splitlines()
        assert text_lines[issue.row - 1].startswith(f"{key}:"), (issue, text_lines)


def test_profile_custom_categories_and_extra_keys(make_client) -> None:
    tables = base_tables()
    for c in tables["causes"]:
        c["category"] = {"methods": "Rules", "人": "人员", "Methods": "rules", "machines": "Kit"}[c["category"]]
    profile = {**base_profile(), "fishbone_categories": [{"en": "Rules", "zh": "制度"}, "人员", "Kit"],
               "grades": {"优": 100, "良": 80, "A": 100, "b": 85}, "sector_code": "C33"}
    client, report = check_client(make_client(tables, profile=profile))
    assert client is not None, report.format()
    assert list(client.tables["causes"]["category"]) == ["Rules", "人员", "Rules", "Kit"]  # type: ignore[index]
    assert client.profile.grades == {"优": 100.0, "良": 80.0, "A": 100.0, "b": 85.0}  # names kept as written
    assert client.tables["actuals"].set_index("kpi_id").loc["K03", "actual"] == "b"  # type: ignore[union-attr]
    assert client.profile.extra == {"sector_code": "C33"}
    assert find(report, "unknown key 'sector_code'", severity="warning", file="client.yaml")


def test_framework_items() -> None:
    ids = framework_item_ids("gbt19580-2012")
    assert ids is not None and len(ids) == 23 and "4.4.7" in ids and "4.1.1" not in ids
    assert framework_item_ids("no-such-edition") is None


def test_validate_frames_round_trip(demo_client: Path) -> None:
    """Typed tables (e.g. edited in a notebook) validate again to the same tables."""
    client, _ = check_client(demo_client)
    assert client is not None
    again, report = validate_frames(client.folder, client.profile, dict(client.tables))
    assert again is not None, report.format()
    for name, df in client.tables.items():
        assert df is not None
        import pandas as pd
        pd.testing.assert_frame_equal(df, again.tables[name], obj=name)  # type: ignore[arg-type]


# -------------------------------------------------------------- CLI


def test_validate_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = write_client(tmp_path / "clients" / "good", base_tables(), base_profile(), "xlsx")
    tables = base_tables()
    tables["kpis"][0]["weight"] = "x"
    bad = write_client(tmp_path / "clients" / "bad", tables, base_profile(), "csv")
    res = runner.invoke(app, ["validate", str(good)])
    assert res.exit_code == 0, res.output
    assert "0 error(s)" in res.output
    res = runner.invoke(app, ["validate", str(good), str(bad)])
    assert res.exit_code == 1
    assert "kpis.csv, row 2, column weight: expected a number" in res.output.replace("\n", " ")
    res = runner.invoke(app, ["validate", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "no such client folder" in res.output  # outputs.md v2: usage error
    res = runner.invoke(app, ["validate", str(tmp_path / "clients")])  # a folder of client folders
    assert res.exit_code == 1 and "2 client(s): 1 valid, 1 with errors" in res.output


# -------------------------------------------------------------- empty, unreadable and absent tables

OPTIONAL = [n for n in TABLES if n != "kpis"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_only_tables_are_absent(fmt: str, make_client) -> None:
    """A sheet/file with a header and no rows is "no data supplied" (None), like a missing one; kpis excepted."""
    tables = {n: [] for n in OPTIONAL}
    tables["kpis"] = [{k: v for k, v in r.items() if k != "objective_id"} for r in base_tables()["kpis"]]
    tables["actuals"] = base_tables()["actuals"]
    columns = {n: TABLES[n].column_names for n in OPTIONAL if n != "actuals"}
    client, report = check_client(make_client(tables, fmt=fmt, columns=columns))
    assert client is not None and report.ok, report.format()
    assert {n for n, df in client.tables.items() if df is None} == set(OPTIONAL) - {"actuals"}
    assert not report.issues, report.format()  # empty optional sheets are not worth a word
    from workbench.analysis.analyse import analyse
    from workbench.analysis.results import results_document

    doc = results_document(analyse(client))
    assert doc["assessment"] is None and doc["diagnosis"] is None and doc["objectives"] is None


def test_header_only_table_is_absent_for_in_memory_frames(demo_client: Path) -> None:
    client, _ = check_client(demo_client)
    assert client is not None
    frames = dict(client.tables)
    frames["assessment"] = frames["assessment"].iloc[0:0]  # type: ignore[index]
    frames["actions"] = frames["actions"].iloc[0:0]  # type: ignore[index]
    again, report = validate_frames(client.folder, client.profile, frames)
    assert again is not None, report.format()
    assert again.tables["assessment"] is None and again.tables["actions"] is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_empty_kpis_stays_a_table_with_a_warning(fmt: str, make_client) -> None:
    tables = base_tables()
    tables["kpis"], tables["actuals"] = [], []
    tables["actions"][0]["addresses"] = "C03"
    tables["actions"][1]["addresses"] = "4.1.2"
    tables.pop("objectives"), tables.pop("links"), tables.pop("findings"), tables.pop("reviews")
    client, report = check_client(make_client(tables, fmt=fmt, columns={
        "kpis": TABLES["kpis"].column_names, "actuals": TABLES["actuals"].column_names}))
    assert client is not None, report.format()
    assert client.tables["kpis"] is not None and client.tables["kpis"].empty
    assert client.tables["actuals"] is None
    [w] = find(report, "no rows yet", severity="warning", sheet="kpis")
    from workbench.analysis.analyse import analyse
    from workbench.analysis.results import results_document

    results_document(analyse(client))  # scoring a client with no KPIs yet does not fail


def test_unreadable_table_gives_one_error_not_one_per_reference(make_client) -> None:
    folder = make_client(fmt="csv")
    (folder / "problems.csv").write_bytes("problem_id,problem\nP1,交付慢\nP2,废品\n".encode("gbk"))
    client, report = check_client(folder)
    assert client is None
    [err] = report.errors
    assert err.file == "problems.csv" and "not UTF-8" in err.message
    [note] = find(report, "references to problems not checked", severity="warning", file="problems.csv",
                  sheet="problems")
    assert "causes.problem_id" in note.message and "whys.problem_id" in note.message
    assert "could not be read" in note.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_kpis_table_gives_one_error(fmt: str, make_client) -> None:
    tables = base_tables()
    del tables["kpis"]
    client, report = check_client(make_client(tables, fmt=fmt))
    assert client is None
    [err] = report.errors
    assert "kpis table is required" in err.message and err.sheet == "kpis"
    [note] = find(report, "references to kpis not checked", severity="warning", sheet="kpis")
    assert "actuals.kpi_id" in note.message and "actions.addresses" in note.message
    assert not find(report, "grade")  # actuals cannot be checked against methods that are unknown


def test_missing_required_id_column_gives_one_error(make_client) -> None:
    tables = base_tables()
    for r in tables["kpis"]:
        r.pop("kpi_id")
    client, report = check_client(make_client(tables, fmt="csv"))
    assert client is None
    assert [(i.file, i.row, i.column) for i in report.errors] == [("kpis.csv", 1, "kpi_id")], report.format()
    [note] = find(report, "references to kpis not checked", severity="warning", file="kpis.csv")
    assert "required column 'kpi_id' of the kpis table is missing" in note.message
    assert "actuals.kpi_id" in note.message and "kpis.parent_kpi_id" in note.message


@pytest.mark.parametrize("change, key", [({"language": "fr"}, "language"), ({"period": None}, "period"),
                                         ({"missing_actuals": "drop"}, "missing_actuals")])
def test_one_bad_profile_key_keeps_the_others(change: dict, key: str, make_client) -> None:
    """Custom grades and categories still apply to the tables when another client.yaml key is bad."""
    tables = base_tables()
    tables["actuals"][2]["actual"] = "Good"
    tables["causes"][0]["category"] = "Rules"
    for c in tables["causes"][1:]:
        c["category"] = "People"
    profile = {**base_profile(), "grades": {"Good": 100, "Fair": 70}, "fishbone_categories": ["Rules", "People"],
               **change}
    client, report = check_client(make_client(tables, profile=profile))
    assert client is None
    assert [(i.file, i.column) for i in report.errors] == [("client.yaml", key)], report.format()


def test_unknown_framework_does_not_flag_every_assessment_item(make_client) -> None:
    client, report = check_client(make_client(profile={**base_profile(), "framework": "iso9004"}))
    assert client is None
    assert [(i.file, i.column) for i in report.errors] == [("client.yaml", "framework")], report.format()
    [note] = find(report, "assessment items not checked", severity="warning", file="client.yaml")
    assert "assessment.item_id" in note.message and "actions.addresses" in note.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_references_into_a_table_not_supplied_are_one_warning_per_column(fmt: str, make_client) -> None:
    """intake.md: every table but kpis is optional; an absent one is "no data supplied", not 24 errors."""
    tables = {n: base_tables()[n] for n in ("kpis", "actuals", "whys", "links", "actions")}
    client, report = check_client(make_client(tables, fmt=fmt))
    assert client is not None and report.ok, report.format()
    file = (lambda t: "intake.xlsx") if fmt == "xlsx" else (lambda t: f"{t}.csv")
    for table, column, target in [("kpis", "objective_id", "objectives"), ("whys", "problem_id", "problems"),
                                  ("whys", "cause_id", "causes"), ("links", "from_objective", "objectives"),
                                  ("links", "to_objective", "objectives")]:
        [w] = find(report, f"{table}.{column} refers to {target}, but no {target} table was supplied",
                   severity="warning", file=file(table), sheet=table, row=1, column=column)
        assert "ignored" in w.message
    [w] = find(report, "actions.addresses names C03, C04, F1", severity="warning", file=file("actions"), row=1,
               column="addresses")  # K02 and 4.1.2 resolve; C03 and F1 may be in tables not supplied
    assert "causes or objectives" in w.message
    assert client.tables["kpis"]["objective_id"].tolist()[0] == "F1"  # kept as written  # type: ignore[index]
    from workbench.analysis.analyse import analyse
    from workbench.analysis.results import results_document

    a = analyse(client)
    doc = results_document(a)
    assert doc["objectives"] is None and doc["kpis"]["K01"]["score"] == 90.0
    assert any("kpis.objective_id refers to objectives" in w for w in a.warnings)


def test_reference_into_a_supplied_table_is_still_an_error(make_client) -> None:
    tables = {n: base_tables()[n] for n in ("kpis", "actuals", "objectives")}
    tables["kpis"][0]["objective_id"] = "X1"
    client, report = check_client(make_client(tables))
    assert client is None
    [err] = report.errors
    assert (err.file, err.row, err.column) == ("kpis.csv", 2, "objective_id") and "'X1' not found" in err.message


# -------------------------------------------------------------- grades


def test_grades_match_regardless_of_case_and_keep_the_clients_spelling(make_client) -> None:
    tables = base_tables()
    tables["actuals"][2]["actual"] = "GOOD"
    tables["actuals"].append({"kpi_id": "K03", "period": "2026Q2", "actual": " fair "})
    client, report = check_client(make_client(tables, profile={**base_profile(),
                                                               "grades": {"Good": 100, "Fair": 70}}))
    assert client is not None, report.format()
    assert client.profile.grades == {"Good": 100.0, "Fair": 70.0}
    acts = client.tables["actuals"]  # type: ignore[index]
    assert acts[acts["kpi_id"] == "K03"]["actual"].tolist() == ["Good", "Fair"]
    from workbench.analysis.analyse import analyse

    assert analyse(client).kpis.loc["K03", "score"] == 100.0  # type: ignore[union-attr]
    # default grades are unchanged: "b" is B
    client, _ = check_client(make_client(client_id="defaults"))
    assert client is not None and client.tables["actuals"]["actual"].tolist()[2] == "B"  # type: ignore[index]
    tables["actuals"][2]["actual"] = "excellent"
    report = check_client(make_client(tables, profile={**base_profile(), "grades": {"Good": 100, "Fair": 70}},
                                      client_id="bad"))[1]
    [err] = report.errors
    assert (err.row, err.column) == (4, "actual") and "one of Good, Fair" in err.message


def test_grades_differing_only_in_case_are_an_error(make_client) -> None:
    client, report = check_client(make_client(profile={**base_profile(), "grades": {"Good": 100, "GOOD": 90}}))
    assert client is None
    [err] = find(report, "listed twice", file="client.yaml", column="grades")
    assert err.row is not None
