"""The extension seams: a KPI method and a framework added from a test alone are validated, scored and in
results.json, without touching the package."""
from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from conftest import base_tables
from workbench.analysis.analyse import analyse
from workbench.analysis.results import results_document
from workbench.intake import contract
from workbench.intake.frameworks import (available_frameworks, load_framework, register_framework,
                                         unregister_framework)
from workbench.intake.loading import check_client
from workbench.intake.methods import KpiMethod, get_method, register_method, unregister_method
from workbench.intake.template import template_bytes


@pytest.fixture
def toy_method():
    """``milestones``: 100 × milestones reached / milestones planned (target), as a firm might add."""
    m = register_method(KpiMethod(
        "milestones", "里程碑法", "Milestones", ("target",), "count", "达成里程碑数/计划数 × 100",
        "100 × milestones reached / planned",
        lambda row, actual, grades: min(float(row["cap"]), 100.0 * float(actual) / float(row["target"])),
        aliases=("里程碑",)))
    yield m
    unregister_method("milestones")


def test_toy_method_is_validated_scored_and_in_results(toy_method, make_client) -> None:
    tables = base_tables()
    tables["kpis"][0].update(method="里程碑", target=8)  # the Chinese alias is accepted
    tables["actuals"][0]["actual"] = 6
    client, report = check_client(make_client(tables))
    assert client is not None, report.format()
    assert client.tables["kpis"]["method"].tolist()[0] == "milestones"
    doc = results_document(analyse(client))
    assert doc["kpis"]["K01"]["score"] == pytest.approx(75.0)  # 100 × 6 / 8
    # needs: a missing target is an error naming the field; its actual kind (count) refuses a negative
    tables["kpis"][0]["target"] = None
    tables["actuals"][0]["actual"] = -1
    client, report = check_client(make_client(tables, client_id="b"))
    assert client is None
    assert [(i.row, i.column) for i in report.errors if "milestones" in i.message] == [(2, "target"), (2, "actual")]
    # the blank workbook lists it: in the method table of the instructions and in the kpis.method dropdown
    wb = load_workbook(io.BytesIO(template_bytes()))
    assert any(c.value == "milestones" for row in wb.worksheets[0].iter_rows() for c in row)
    method_col = [c.value for c in wb["kpis"][1]].index("method") + 1
    [dv] = [d for d in wb["kpis"].data_validations.dataValidation
            if str(d.sqref).startswith(f"{chr(64 + method_col)}2")]
    assert "milestones" in dv.formula1 and "milestones" in contract.METHODS


def test_unknown_method_is_refused_once_unregistered(make_client) -> None:
    assert get_method("milestones") is None
    tables = base_tables()
    tables["kpis"][0]["method"] = "milestones"
    client, report = check_client(make_client(tables))
    assert client is None
    [e] = [i for i in report.errors if i.column == "method"]
    assert "expected one of ratio, linear" in e.message


TOY = {
    "edition": "toy-2026",
    "name": {"zh": "玩具准则", "en": "Toy criteria"},
    "total_points": 200,
    "lenses": {
        "process": {"name": {"zh": "方法-展开", "en": "Approach-Deployment"},
                    "dimensions": [{"key": "approach", "code": "A", "zh": "方法", "en": "Approach"},
                                   {"key": "deployment", "code": "D", "zh": "展开", "en": "Deployment"}]},
        "results": {"name": {"zh": "水平", "en": "Levels"},
                    "dimensions": [{"key": "levels", "code": "Le", "zh": "水平", "en": "Levels"}]},
    },
    "categories": [
        {"id": "1", "zh": "领导", "en": "Leading", "points": 120, "lens": "process",
         "items": [{"id": "1.1", "zh": "方向", "en": "Direction", "points": 70},
                   {"id": "1.2", "zh": "治理", "en": "Governance", "points": 50}]},
        {"id": "2", "zh": "结果", "en": "Results", "points": 80, "lens": "results",
         "items": [{"id": "2.1", "zh": "财务", "en": "Money", "points": 80}]},
    ],
    "bands": [
        {"min": 0, "max": 45, "process": {"approach": {"zh": "弱", "en": "weak"}, "deployment": {"zh": "弱", "en": "weak"}},
         "results": {"levels": {"zh": "低", "en": "low"}}},
        {"min": 50, "max": 100, "process": {"approach": {"zh": "强", "en": "strong"},
                                            "deployment": {"zh": "强", "en": "strong"}},
         "results": {"levels": {"zh": "高", "en": "high"}}},
    ],
}


@pytest.fixture
def toy_framework(tmp_path: Path):
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(TOY, allow_unicode=True), encoding="utf-8")
    yield register_framework(path)
    unregister_framework("toy-2026")


def test_toy_framework_from_one_file(toy_framework: str, make_client) -> None:
    assert toy_framework == "toy-2026" and "toy-2026" in available_frameworks()
    tables = base_tables()
    tables["assessment"] = [{"item_id": "1.1", "assessor": "Li", "score_pct": 50},
                            {"item_id": "1.1", "assessor": "Wu", "score_pct": 60},
                            {"item_id": "2.1", "assessor": "Li", "score_pct": 25}]
    tables["actions"][1]["addresses"] = "1.2"
    tables["findings"][1]["addresses"] = "2.1"
    tables["feedback"] = [{"item_id": "1.1", "kind": "strength", "comment": "c", "dimension": "D"},
                          {"item_id": "2.1", "kind": "opportunity", "comment": "c", "dimension": "A"}]
    client, report = check_client(make_client(tables, profile={"framework": "toy-2026", "target_score": 150}))
    assert client is None  # 'A' is not a results dimension of the toy framework
    [e] = report.errors
    assert (e.sheet, e.row, e.column) == ("feedback", 3, "dimension") and "expected one of Le" in e.message
    tables["feedback"][1]["dimension"] = "Le"
    client, report = check_client(make_client(tables, profile={"framework": "toy-2026", "target_score": 150},
                                              client_id="ok"))
    assert client is not None, report.format()
    _, report = check_client(make_client(tables, profile={"framework": "toy-2026", "target_score": 250},
                                         client_id="over"))
    assert [i.column for i in report.errors] == ["target_score"]  # the toy total is 200, not 1000
    doc = results_document(analyse(client))
    a = doc["assessment"]
    assert doc["framework"] == "toy-2026"
    # consensus of 50 and 60 is 55 → 70 × 55 % = 38.5; 2.1: 25 % of 80 = 20
    assert a["items"]["1.1"]["consensus_pct"] == 55 and a["items"]["1.1"]["score"] == pytest.approx(38.5)
    assert a["total"] == pytest.approx(58.5) and a["unscored_points"] == 50
    assert load_framework("toy-2026").total_points == 200
    assert math.isclose(a["categories"]["2"], 20.0)
