"""Strategy-map checks, diagnosis (priority, depth, roots, Pareto), plan gaps."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from workbench.analysis.diagnosis import analyse_causes, priority, root_causes, top_causes, unlinked_root_chains, why_chains
from workbench.analysis.plan import actions_by_owner, carried_over, gaps
from workbench.analysis.strategy import check_strategy

NaN = math.nan


def objectives():
    return pd.DataFrame({"objective_id": ["F1", "C1", "P1", "L1", "L2"],
                         "perspective": ["financial", "customer", "process", "learning", "learning"],
                         "objective": list("abcde")})


def links(pairs):
    return pd.DataFrame({"from_objective": [a for a, _ in pairs], "to_objective": [b for _, b in pairs]})


def kpis(rows):
    """(kpi_id, objective_id, parent_kpi_id[, owner_level]); a KPI with a parent is a department's unless said."""
    return pd.DataFrame([{"kpi_id": r[0], "objective_id": r[1], "parent_kpi_id": r[2],
                          "owner_level": r[3] if len(r) > 3 else ("department" if r[2] else None)} for r in rows])


def test_strategy_findings():
    k = kpis([("K1", "F1", None), ("K2", "C1", None), ("K3", "P1", None), ("K4", "C1", "K2"),
              ("K5", "P1", None, "division")])
    f = check_strategy(objectives(), links([("L1", "P1"), ("P1", "C1"), ("F1", "C1")]), k, "en")
    codes = [(x.code, x.refs) for x in f]
    assert ("no_link", ("L2",)) in codes
    assert ("link_down", ("F1", "C1")) in codes
    assert ("link_down", ("P1", "C1")) not in codes and ("link_down", ("L1", "P1")) not in codes
    assert ("no_kpi", ("L1",)) in codes and ("no_kpi", ("L2",)) in codes and ("no_kpi", ("C1",)) not in codes
    # the company scorecard only: customer has 1 (K4 is a department's), process 1 (K5 is a division's,
    # even without a parent), a blank owner_level is company (the default)
    persp = {x.refs[0]: x.message for x in f if x.code == "perspective_kpis"}
    assert set(persp) == {"financial", "customer", "process", "learning"}
    assert "1 company-level" in persp["customer"] and "1 company-level" in persp["process"]
    assert "0 company-level" in persp["learning"]
    assert any(x.code == "total_kpis" and "3" in x.message for x in f)
    zh = check_strategy(objectives(), links([("F1", "C1")]), k, "zh")
    assert any("没有" in x.message for x in zh)


def test_strategy_counts_in_range_and_cycle():
    objs = pd.DataFrame({"objective_id": ["F1", "C1", "P1", "L1"],
                         "perspective": ["financial", "customer", "process", "learning"], "objective": list("abcd")})
    rows = [(f"{o}{i}", o, None) for o in ["F1", "C1", "P1", "L1"] for i in range(4)]
    f = check_strategy(objs, links([("L1", "P1"), ("P1", "C1"), ("C1", "F1")]), kpis(rows), "en")
    assert f == []
    f = check_strategy(objs, links([("L1", "P1"), ("P1", "L1"), ("C1", "F1")]), kpis(rows), "en")
    assert [x.code for x in f].count("link_cycle") == 1
    assert check_strategy(None, None, kpis(rows), "en") == []


def causes():
    return pd.DataFrame({
        "cause_id": ["C01", "C02", "C03", "C04", "C05"],
        "problem_id": ["P1"] * 5,
        "parent_cause_id": [None, None, "C01", None, "C03"],
        "impact": [5.0, 3.0, 4.0, 4.0, NaN],
        "effort": [2.0, 1.0, 2.0, 4.0, 3.0],
    })


def whys():
    return pd.DataFrame({
        "problem_id": ["P1"] * 5, "chain_id": ["W1", "W1", "W1", "W2", "W2"], "step": [2.0, 1.0, 3.0, 1.0, 2.0],
        "why": list("abcde"), "answer": list("ABCDE"),
        "root_cause": [False, False, True, False, True], "cause_id": [None, None, "C03", None, None],
    })


def test_priority_depth_roots_top():
    assert priority(5, 2) == 20 and math.isnan(priority(NaN, 2)) and math.isnan(priority(3, None))
    d = analyse_causes(causes(), whys())
    assert d["priority"].tolist()[:4] == [20.0, 15.0, 16.0, 8.0] and math.isnan(d.loc["C05", "priority"])
    assert d["depth"].tolist() == [0, 0, 1, 0, 2]
    assert d["is_root"].tolist() == [False, False, True, False, False]
    # 4 causes with a priority (20, 15, 16, 8): ceil(20 % × 4) = 1 → the highest, C01
    assert top_causes(d) == ["C01"]
    assert d["is_top"].tolist() == [True, False, False, False, False]
    assert d.loc["C01", "pareto_rank"] == 1 and d.loc["C04", "cum_share"] == pytest.approx(1.0)
    assert root_causes(whys()) == ["C03"]
    assert unlinked_root_chains(whys()) == ["W2"]
    ch = why_chains(whys())
    assert ch.loc["W1", "n_steps"] == 3 and ch.loc["W1", "root_step"] == 3 and ch.loc["W1", "linked"]
    assert [s for s, _, _ in ch.loc["W1", "steps"]] == [1, 2, 3]
    assert not ch.loc["W2", "linked"]


def test_pareto_ties_and_exact_80():
    df = pd.DataFrame({"cause_id": ["B", "A", "C"], "priority": [10.0, 10.0, 5.0], "impact": [2.0, 5.0, 5.0]})
    assert top_causes(df) == ["A", "B"]  # ceil(0.6) = 1 → A (same priority as B, higher impact); B tied → kept
    ids = [f"C{i:02d}" for i in range(10)]
    df = pd.DataFrame({"cause_id": ids, "priority": [25.0, 20, 16, 12, 9, 8, 6, 4, 2, 1], "impact": [5.0] * 10})
    assert top_causes(df) == ["C00", "C01"]  # ceil(20 % × 10) = 2, no tie at the cut
    df.loc[2, "priority"] = 20.0
    assert top_causes(df) == ["C00", "C01", "C02"]  # C02 ties C01 at the cut
    df = pd.DataFrame({"cause_id": ["B", "A"], "priority": [10.0, 10.0], "impact": [5.0, 5.0]})
    assert top_causes(df) == ["A", "B"]  # ties on both: by id
    assert top_causes(pd.DataFrame({"cause_id": ["A"], "priority": [NaN], "impact": [NaN]})) == []


def actions():
    return pd.DataFrame({
        "action_id": ["A1", "A2", "A3", "A4", "A5"],
        "addresses": [["C03", "K2"], ["4.1.2"], [], ["K9"], None],
        "owner_unit": ["Plant", "Plant", "Co", "Co", "Co"], "owner": ["Wang", "Wang", None, None, None],
        "due": pd.to_datetime(["2026-09-29", "2026-09-30", "2026-08-01", "2026-01-01", None]),
        "status": ["planned", "in_progress", "done", "deferred", "planned"],
    })


def test_gaps_and_plan_views():
    k = pd.DataFrame({"score": [50.0, 40.0, 60.0, NaN, 0.0]}, index=["K1", "K2", "K3", "K4", "K5"])
    g = gaps(k, ["C03", "C07"], actions(), date(2026, 9, 30))
    assert g == {"root_causes_without_action": ["C07"], "kpis_below_60_without_action": ["K1", "K5"],
                 "overdue_actions": ["A1"]}
    assert carried_over(actions())["action_id"].tolist() == ["A4"]
    by = actions_by_owner(actions(), date(2026, 9, 30))
    assert by.loc[("Plant", "Wang"), "total"] == 2 and by.loc[("Plant", "Wang"), "overdue"] == 1
    assert by.loc[("Co", ""), "deferred"] == 1
    g = gaps(k, ["C03"], None, date(2026, 9, 30))
    assert g["root_causes_without_action"] == ["C03"] and g["overdue_actions"] == []
