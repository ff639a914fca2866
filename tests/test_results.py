"""analyse() on hand-built clients and the results.json document (docs/outputs.md)."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.analyse import Analysis, analyse
from conftest import validated_table
from workbench.intake.contract import TABLES
from workbench.intake.model import Client, Profile
from workbench.analysis.results import results_document, score_command, write_results

DOCS = Path(__file__).resolve().parents[1] / "docs" / "outputs.md"
NaN = math.nan


def outputs_example() -> dict:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    return json.loads(block)


table = validated_table


def make(tables: dict[str, list[dict] | None], **profile) -> Client:
    prof = Profile(id="acme", name="Acme 钢铁", period="2026Q3", language=profile.pop("language", "en"), **profile)
    tabs = {n: (None if tables.get(n) is None else table(n, tables[n])) for n in TABLES}
    return Client(Path("/tmp/acme"), prof, tabs, source="csv")


def full_client(**profile) -> Client:
    return make({
        "kpis": [
            {"kpi_id": "K01", "kpi": "Profit", "objective_id": "F1", "owner_unit": "Co", "method": "ratio",
             "target": 1000.0, "baseline": 800.0, "weight": 50.0},
            {"kpi_id": "K02", "kpi": "OTD", "objective_id": "C1", "owner_unit": "Co", "method": "linear",
             "threshold": 85.0, "target": 95.0, "stretch": 98.0, "weight": 30.0, "veto": True},
            {"kpi_id": "K03", "kpi": "Grade", "objective_id": "P1", "owner_unit": "Co", "method": "qualitative",
             "weight": 20.0},
            {"kpi_id": "K04", "kpi": "Plant OTD", "parent_kpi_id": "K02", "objective_id": "C1",
             "owner_unit": "Plant", "owner": "Wang", "method": "steps", "target": 95.0, "step": 1.0,
             "step_points": 2.0, "weight": 100.0},
        ],
        "actuals": [
            {"kpi_id": "K01", "period": "2026Q3", "actual": np.float64(900.0)},
            {"kpi_id": "K02", "period": "2026Q3", "actual": 90.0},
            {"kpi_id": "K04", "period": "2026Q3", "actual": 96.0},
            {"kpi_id": "K01", "period": "2026Q2", "actual": 850.0},
        ],
        "objectives": [{"objective_id": o, "perspective": p, "objective": o}
                       for o, p in [("F1", "financial"), ("C1", "customer"), ("P1", "process")]],
        "links": [{"from_objective": "P1", "to_objective": "C1"}, {"from_objective": "C1", "to_objective": "F1"}],
        "assessment": [{"item_id": "4.1.2", "assessor": "Li", "score_pct": 60.0},
                       {"item_id": "4.1.2", "assessor": "Wang", "score_pct": 65.0}],
        "causes": [{"cause_id": "C1", "problem_id": "P1", "category": "methods", "cause": "x", "impact": 5.0,
                    "effort": 2.0}],
        "whys": [{"problem_id": "P1", "chain_id": "W1", "step": 1.0, "why": "?", "answer": "!", "root_cause": True,
                  "cause_id": "C1"}],
        "actions": [{"action_id": "A1", "action": "fix", "addresses": ["K03"], "owner_unit": "Co",
                     "due": pd.Timestamp("2026-08-01"), "status": "planned"}],
    }, **profile)


def test_analysis_fields():
    a = analyse(full_client())
    assert [f for f in Analysis.__dataclass_fields__] == [
        "client", "kpis", "kpi_history", "contracts", "contract_history", "objectives", "perspectives",
        "assessment", "strategy_warnings", "diagnosis", "root_causes", "top_causes", "gaps", "warnings"]
    k = a.kpis
    assert k.loc["K01", "score"] == pytest.approx(90) and k.loc["K01", "progress"] == pytest.approx(0.5)
    assert k.loc["K02", "score"] == pytest.approx(80)  # own actual: 60 + 40 × 5/10
    assert k.loc["K04", "score"] == pytest.approx(102)
    assert k.loc["K03", "status"] == "excluded"
    c = a.contracts.loc["Co/"]
    assert c["score"] == pytest.approx((50 * 90 + 30 * 80) / 80) and c["excluded"] == ["K03"]
    assert a.contracts.loc["Plant/Wang", "score"] == pytest.approx(102)
    # K04 counts through K02 (same objective C1)
    assert a.objectives.loc["C1", "score"] == pytest.approx(80)
    assert math.isnan(a.objectives.loc["P1", "score"])
    assert a.perspectives.loc["financial", "score"] == pytest.approx(90)
    assert a.assessment.items.loc["4.1.2", "consensus_pct"] == 65
    assert a.root_causes == ["C1"] and a.top_causes == ["C1"]
    assert a.gaps["root_causes_without_action"] == ["C1"] and a.gaps["overdue_actions"] == ["A1"]
    assert set(a.kpi_history["period"]) == {"2026Q2", "2026Q3"}
    assert {f.code for f in a.strategy_warnings} >= {"perspective_kpis", "total_kpis"}


def test_absent_tables():
    a = analyse(make({"kpis": [{"kpi_id": "K", "kpi": "k", "owner_unit": "Co", "method": "binary",
                                "weight": 100.0}]}))
    assert a.objectives is None and a.perspectives is None and a.assessment is None and a.diagnosis is None
    assert a.strategy_warnings == [] and a.root_causes == [] and a.top_causes == []
    assert a.kpis.loc["K", "status"] == "excluded" and a.carried_over is None and a.why_chains is None
    doc = results_document(a)
    assert doc["assessment"] is None and doc["objectives"] is None and doc["strategy_map"] is None
    assert doc["diagnosis"] is None and doc["contracts"]["Co/"]["score"] is None
    json.dumps(doc)
    a = analyse(make({}))
    doc = results_document(a)
    assert doc["kpis"] is None and doc["contracts"] is None


def keys_match(example, doc, path="doc"):
    assert set(doc) == set(example), path


def test_results_document_keys_match_outputs_md():
    ex = outputs_example()
    doc = results_document(analyse(full_client()))
    assert list(doc) == list(ex)
    assert set(doc["assessment"]) == set(ex["assessment"])
    assert set(doc["assessment"]["items"]["4.1.2"]) == set(ex["assessment"]["items"]["4.1.2"])
    assert set(doc["kpis"]["K01"]) == set(ex["kpis"]["K01"])
    assert set(doc["contracts"]["Co/"]) == set(next(iter(ex["contracts"].values())))
    assert set(doc["strategy_map"]) == set(ex["strategy_map"])
    assert set(doc["diagnosis"]) == set(ex["diagnosis"])
    assert set(doc["gaps"]) == set(ex["gaps"])
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    assert "Acme 钢铁" in text
    assert doc["kpis"]["K03"] == {"score": None, "progress": None, "actual": None, "status": "excluded"}
    assert doc["kpis"]["K01"]["actual"] == 900.0 and type(doc["kpis"]["K01"]["actual"]) is float
    assert doc["contracts"]["Co/"]["excluded"] == ["K03"]
    assert doc["assessment"]["items"]["4.1.2"] == {"points": 50, "consensus_pct": 65.0, "score": 32.5,
                                                   "spread": 5.0, "flagged": False}
    assert doc["assessment"]["categories"]["4.2"] is None and doc["assessment"]["unscored_points"] == 950
    assert doc["objectives"]["P1"] is None and doc["perspectives"]["learning"] is None
    assert doc["framework"] == "gbt19580-2012" and doc["period"] == "2026Q3"


def test_unrounded_and_veto_in_document():
    c = full_client()
    c.tables["actuals"].loc[c.tables["actuals"]["kpi_id"] == "K02", "actual"] = 86.0  # 64 → no veto
    doc = results_document(analyse(c))
    assert doc["contracts"]["Co/"]["vetoed_by"] is None
    c.tables["actuals"].loc[c.tables["actuals"]["kpi_id"] == "K02", "actual"] = 84.0  # 0 < 60 → veto
    doc = results_document(analyse(c))
    assert doc["contracts"]["Co/"] == {"score": 0.0, "vetoed_by": "K02", "excluded": ["K03"], "owner_level": "company"}
    c.tables["actuals"].loc[c.tables["actuals"]["kpi_id"] == "K01", "actual"] = 1000 / 3
    doc = results_document(analyse(c))
    assert doc["kpis"]["K01"]["score"] == pytest.approx(100 * (1000 / 3) / 1000)
    assert doc["kpis"]["K01"]["score"] != round(doc["kpis"]["K01"]["score"], 2)


def test_write_results(tmp_path):
    p = write_results(analyse(full_client()), tmp_path / "out" / "results.json")
    doc = json.loads(p.read_text(encoding="utf-8"))
    assert doc["client"] == "acme" and "Acme 钢铁" in p.read_text(encoding="utf-8")


def test_score_command(make_client, capsys):
    folder = make_client()
    assert score_command(folder, as_json=True) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["client"] == "demo" and set(doc) == set(outputs_example())
    assert score_command(folder, as_json=False) == 0
    out = capsys.readouterr().out
    assert "K01" in out and "Contract" in out and "4.1.2" in out


def test_score_command_errors(make_client, capsys):
    from conftest import base_tables
    tables = base_tables()
    tables["kpis"][0]["method"] = "bogus"
    folder = make_client(tables)
    assert score_command(folder, as_json=True) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "error" in captured.err.lower()
