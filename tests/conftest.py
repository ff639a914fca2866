"""Shared fixtures: write a client folder from plain Python data, in either intake format.

``make_client(tables, profile=None, fmt="csv"|"xlsx", client_id="demo")`` writes
``tmp_path/<client_id>/`` with client.yaml and intake.xlsx or <table>.csv files and returns the folder.
``base_tables()`` / ``base_profile()`` give a small client that validates with no errors (only
scorecard-size warnings); tests break one cell of a copy to hit one rule.
"""
from __future__ import annotations

import copy
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

Rows = list[dict[str, Any]]

BASE_TABLES: dict[str, Rows] = {
    "problems": [
        {"problem_id": "P1", "problem": "交付周期长 Late deliveries", "metric": "OTD %", "current": 82, "target": 95,
         "unit": "%"},
        {"problem_id": "P2", "problem": "Scrap rate high", "metric": "scrap %", "current": 4.5, "target": 2},
    ],
    "causes": [
        {"cause_id": "C01", "problem_id": "P1", "category": "methods", "cause": "No scheduling rules", "impact": 5,
         "effort": 2, "verified": "yes"},
        {"cause_id": "C02", "problem_id": "P1", "category": "人", "cause": "Planners untrained", "impact": 3,
         "effort": 1, "verified": "否"},
        {"cause_id": "C03", "problem_id": "P1", "category": "Methods", "cause": "Rules not written down",
         "parent_cause_id": "C01", "impact": 4, "effort": 2},
        {"cause_id": "C04", "problem_id": "P2", "category": "machines", "cause": "Worn dies", "impact": 4,
         "effort": 4, "verified": "y"},
    ],
    "whys": [
        {"problem_id": "P1", "chain_id": "W1", "step": 1, "why": "Why late?", "answer": "Jobs start late"},
        {"problem_id": "P1", "chain_id": "W1", "step": 2, "why": "Why start late?", "answer": "No schedule"},
        {"problem_id": "P1", "chain_id": "W1", "step": 3, "why": "Why no schedule?", "answer": "No rules",
         "root_cause": "是", "cause_id": "C03"},
    ],
    "objectives": [
        {"objective_id": "F1", "perspective": "financial", "objective": "Grow profit"},
        {"objective_id": "C1", "perspective": "客户", "objective": "On-time delivery"},
        {"objective_id": "P1", "perspective": "内部流程", "objective": "Stable scheduling"},
        {"objective_id": "L1", "perspective": "learning", "objective": "Skilled planners"},
    ],
    "links": [
        {"from_objective": "L1", "to_objective": "P1"},
        {"from_objective": "P1", "to_objective": "C1"},
        {"from_objective": "C1", "to_objective": "F1"},
    ],
    "kpis": [
        {"kpi_id": "K01", "kpi": "Profit", "objective_id": "F1", "owner_unit": "Company", "method": "ratio",
         "target": 1000, "weight": 40, "veto": "no", "unit": "万元"},
        {"kpi_id": "K02", "kpi": "OTD", "objective_id": "C1", "owner_unit": "Company", "method": "linear",
         "threshold": 85, "target": 95, "stretch": 98, "weight": 30},
        {"kpi_id": "K03", "kpi": "Schedule adherence", "objective_id": "P1", "owner_unit": "Company",
         "method": "qualitative", "weight": 20},
        {"kpi_id": "K04", "kpi": "Training done", "objective_id": "L1", "owner_unit": "Company", "method": "binary",
         "weight": 10, "veto": "yes"},
        {"kpi_id": "K05", "kpi": "Plant OTD", "parent_kpi_id": "K02", "objective_id": "C1",
         "owner_unit": "Plant", "owner": "Wang", "owner_level": "部门", "method": "steps", "target": 95, "step": 1,
         "step_points": 2, "weight": 60, "direction": "higher"},
        {"kpi_id": "K06", "kpi": "Complaints", "owner_unit": "Plant", "owner": "Wang", "owner_level": "department",
         "method": "deduction", "step_points": 10, "weight": 40, "direction": "lower"},
    ],
    "actuals": [
        {"kpi_id": "K01", "period": "2026Q3", "actual": 900},
        {"kpi_id": "K02", "period": "2026Q3", "actual": "93.5"},
        {"kpi_id": "K03", "period": "2026Q3", "actual": "b"},
        {"kpi_id": "K04", "period": "2026Q3", "actual": "是"},
        {"kpi_id": "K05", "period": "2026Q3", "actual": 96},
        {"kpi_id": "K06", "period": "2026Q3", "actual": 2},
        {"kpi_id": "K01", "period": "2026Q2", "actual": 800},
    ],
    "assessment": [
        {"item_id": "4.1.2", "assessor": "Li", "score_pct": 50, "strengths": "Clear vision"},
        {"item_id": "4.1.2", "assessor": "Zhao", "score_pct": 60},
        {"item_id": "4.7.4", "assessor": "Li", "score_pct": 35},
    ],
    "actions": [
        {"action_id": "A01", "action": "Write scheduling rules", "addresses": "C03, K02", "owner_unit": "Plant",
         "start": "2026-07-01", "due": "2026-09-30", "status": "进行中", "pdca": "D"},
        {"action_id": "A02", "action": "Leadership review", "addresses": "4.1.2；F1", "owner_unit": "Company",
         "due": "2026-12-31"},
        {"action_id": "A03", "action": "Replace worn dies", "addresses": "C04", "owner_unit": "Plant",
         "due": "2026-06-30", "status": "deferred", "reason": "Supplier quote came in over budget"},
    ],
    "findings": [
        {"finding_id": "F01", "finding": "Scheduling has no rules, so delivery slips", "so_what": "OTD misses target",
         "recommendation": "Write and train the rules", "addresses": "C03, K02, A01", "rank": 1},
        {"finding_id": "F02", "finding": "Leaders review results but not the process", "addresses": "4.1.2"},
    ],
    "feedback": [
        {"item_id": "4.1.2", "kind": "strength", "comment": "Vision set and communicated", "key": "yes",
         "dimension": "A", "evidence": "Strategy meeting minutes"},
        {"item_id": "4.1.2", "kind": "改进机会", "comment": "No review of leadership effectiveness", "dimension": "学习"},
        {"item_id": "4.7.4", "kind": "opportunity", "comment": "Profit trend not shown", "key": "是", "dimension": "T"},
    ],
    "reviews": [
        {"kpi_id": "K02", "period": "2026q3", "cause": "Two rush orders pre-empted the schedule",
         "countermeasure": "Reserve capacity for rush orders", "owner": "Wang", "due": "2026-10-31"},
    ],
}

BASE_PROFILE: dict[str, Any] = {"name": "演示公司 Demo Co", "period": "2026Q3", "language": "en",
                                "industry": "manufacturing"}


def base_tables() -> dict[str, Rows]:
    """A fresh deep copy of the valid demo tables (mutate freely)."""
    return copy.deepcopy(BASE_TABLES)


def base_profile() -> dict[str, Any]:
    return copy.deepcopy(BASE_PROFILE)


def _columns(rows: Rows) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def write_client(folder: Path, tables: dict[str, Rows], profile: dict[str, Any] | None = None, fmt: str = "csv",
                 *, columns: dict[str, list[str]] | None = None) -> Path:
    """Write a client folder. ``profile`` gets id (folder name), name and period unless given; pass
    ``profile={"id": None}`` to drop a key. ``columns`` forces a header (e.g. an empty table's columns)."""
    folder.mkdir(parents=True, exist_ok=True)
    prof = {"id": folder.name, "name": folder.name, "period": "2026Q3", **(profile or {})}
    prof = {k: v for k, v in prof.items() if v is not None}
    (folder / "client.yaml").write_text(yaml.safe_dump(prof, allow_unicode=True, sort_keys=False), encoding="utf-8")
    columns = columns or {}
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.title = "说明 Instructions"
        wb.active["A1"] = "instructions are ignored"
        for name, rows in tables.items():
            ws = wb.create_sheet(name)
            cols = columns.get(name) or _columns(rows)
            ws.append(cols)
            for r in rows:
                ws.append([r.get(c) for c in cols])
        wb.save(folder / "intake.xlsx")
    elif fmt == "csv":
        for name, rows in tables.items():
            cols = columns.get(name) or _columns(rows)
            with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(cols)
                for r in rows:
                    w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    else:
        raise ValueError(fmt)
    return folder


MakeClient = Callable[..., Path]


@pytest.fixture
def make_client(tmp_path: Path) -> MakeClient:
    """Factory: ``make_client(tables, profile=None, fmt="csv", client_id="demo", columns=None) -> Path``."""

    def make(tables: dict[str, Rows] | None = None, profile: dict[str, Any] | None = None, fmt: str = "csv",
             client_id: str = "demo", columns: dict[str, list[str]] | None = None) -> Path:
        return write_client(tmp_path / client_id, base_tables() if tables is None else tables,
                            base_profile() if profile is None else profile, fmt, columns=columns)

    return make


@pytest.fixture
def demo_client(make_client: MakeClient) -> Path:
    """The valid demo client as intake.xlsx."""
    return make_client(fmt="xlsx")


def validated_table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A table as validation hands it on (contract.py types, defaults, ``_row``) from partial rows, typed by the
    real validator's cell converters and table checks; rows the validator refuses fail the test that built them."""
    from pathlib import Path

    from workbench.intake.contract import TABLES
    from workbench.intake.model import ValidationReport
    from workbench.intake.validation.tables import ROW, Checker

    raw = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame({c: [] for c in TABLES[name].column_names})
    raw[ROW] = pd.Series(range(2, len(raw) + 2), dtype="int64")
    report = ValidationReport(Path("<test>"))
    ck = Checker(report, {name: f"{name}.csv"}, None)
    df = ck.convert(TABLES[name], raw)
    ck.unique(TABLES[name], df)
    assert report.ok, report.format("en")
    return df[[*TABLES[name].column_names, *[c for c in df.columns if c not in TABLES[name].column_names]]]
