"""The "Judgement (v2)" rules of docs/scoring.md, each computed by hand on small tables."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.analysis import actions as act
from workbench.analysis import maturity as mat
from workbench.analysis import review as rev
from workbench.analysis.analyse import analyse
from workbench.analysis.assessment import assess
from workbench.analysis.progress import progress_since, read_history_docs
from workbench.analysis.results import results_document
from workbench.analysis.rollup import rollup

from test_results import full_client, make


def test_maturity_stage_boundaries_and_target_gap(tmp_path):
    ladder = mat.load_ladder("gbt19580-2012")
    assert [s.key for s in ladder] == ["reacting", "early_systematic", "aligned", "integrated", "role_model",
                                       "world_class"]
    # 99.95 is still below 100: the next stage starts at 100
    for total, key in [(0, "reacting"), (99.95, "reacting"), (100, "early_systematic"), (299.5, "early_systematic"),
                       (300, "aligned"), (512.5, "integrated"), (700, "role_model"), (900, "world_class"),
                       (1000, "world_class")]:
        assert mat.stage_for(total, ladder).key == key, total
    m = mat.maturity(429.8, 30, "gbt19580-2012", 600, "zh")
    assert m.document() == {"stage": "aligned", "label": "协调一致", "target_score": 600.0,
                            "gap": pytest.approx(170.2)}
    assert mat.maturity(429.8, 0, "gbt19580-2012", None, "en").document()["gap"] is None
    assert mat.maturity(429.8, 0, "gbt19580-2012", None, "en").label == "Aligned"
    # a framework without a ladder of its own: the product's ladder scaled to its total (200 points here)
    import yaml

    from workbench.core.resources import frameworks_dir
    from workbench.intake.frameworks import register_framework, unregister_framework

    doc = yaml.safe_load((frameworks_dir() / "gbt19580-2012.yaml").read_text(encoding="utf-8"))
    doc.pop("maturity")
    doc["edition"] = "toy-without-ladder"
    (tmp_path / "toy-without-ladder.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    register_framework(tmp_path / "toy-without-ladder.yaml")
    try:
        toy = mat.load_ladder("toy-without-ladder", 200)
    finally:
        unregister_framework("toy-without-ladder")
    assert [(s.key, s.min) for s in toy][:3] == [("reacting", 0), ("early_systematic", 20), ("aligned", 60)]
    assert mat.stage_for(19.95, toy).key == "reacting" and mat.stage_for(199, toy).key == "world_class"


def assessment_rows(pcts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"item_id": i, "assessor": "A", "score_pct": float(p)} for i, p in pcts.items()])


def test_readiness_and_key_gaps_by_hand():
    r = assess(assessment_rows({"4.1.2": 50, "4.1.3": 40, "4.2.2": 80, "4.7.2": 30, "4.7.3": 60, "4.4.2": 50}))
    # 4.1: 25 + 12 = 37 of 110; target 600 → share 66 → need 29. 4.2: 32 of 90 → share 54 → 22.
    # 4.7: 24 + 48 = 72 of 400 → share 240 → 168. 4.4: 30 of 130 → share 78 → 48.
    # unscored categories count 0: 4.3 (90) → 54, 4.5 (100) → 60, 4.6 (80) → 48
    rd = mat.readiness(r.categories, 600, 1000)
    assert list(rd.index) == ["4.7", "4.5", "4.3", "4.4", "4.6", "4.1", "4.2"]
    assert rd.loc["4.7", "need"] == pytest.approx(168) and rd.loc["4.1", "need"] == pytest.approx(29)
    assert rd.loc["4.4", "need"] == pytest.approx(48) and rd.loc["4.6", "need"] == pytest.approx(48)
    # a category already above its share is not listed
    assert "4.2" not in mat.readiness(r.categories, 300, 1000).index  # share 27 < 32
    assert mat.readiness(r.categories, None) is None
    # points lost: 4.1.2 25, 4.1.3 18, 4.2.2 8, 4.7.2 56, 4.7.3 32, 4.4.2 30 → one per category, largest first
    kg = mat.key_gaps(r.items)
    assert list(kg.index) == ["4.7.2", "4.4.2", "4.1.2", "4.2.2"]
    assert kg.loc["4.7.2", "lost"] == pytest.approx(56)
    assert "4.7.3" not in kg.index  # second of its category


def test_key_gaps_top_five():
    r = assess(assessment_rows({"4.1.2": 0, "4.2.3": 0, "4.3.3": 0, "4.4.2": 0, "4.5.2": 0, "4.6.2": 0, "4.7.2": 0}))
    kg = mat.key_gaps(r.items)
    # lost: 4.7.2 80, 4.4.2 60, 4.1.2 50, 4.2.3 50, 4.3.3 50, 4.5.2 50, 4.6.2 40: top 5, ties in framework order
    assert list(kg.index) == ["4.7.2", "4.4.2", "4.1.2", "4.2.3", "4.3.3"]


def test_action_priority_rule():
    cp = {"C1": 20.0, "C2": float("nan")}  # 4 × 20 = 80
    ks = {"K1": 35.0, "K2": 130.0, "K3": float("nan")}  # 65; 100 − 130 clamps to 0
    ic = {"4.1.2": 40.0}  # 60
    assert act.action_priority("C1, K1", cp, ks, ic) == 80
    assert act.action_priority(["K1", "4.1.2"], cp, ks, ic) == 65
    assert act.action_priority("4.1.2、K2", cp, ks, ic) == 60
    assert act.action_priority("K2", cp, ks, ic) == 0
    assert act.action_priority("C2, K3, F1", cp, ks, ic) == 0  # nothing with a number
    assert act.action_priority(None, cp, ks, ic) == 0


def test_priority_actions_order():
    actions = pd.DataFrame([
        {"action_id": "A1", "status": "planned", "due": pd.Timestamp("2026-12-01")},
        {"action_id": "A2", "status": "done", "due": pd.Timestamp("2026-01-01")},
        {"action_id": "A3", "status": "in_progress", "due": pd.Timestamp("2026-11-01")},
        {"action_id": "A4", "status": "planned", "due": pd.Timestamp("2026-08-01")},
        {"action_id": "A5", "status": "deferred", "due": pd.Timestamp("2026-08-01")},
        {"action_id": "A6", "status": None, "due": pd.Timestamp("2026-10-01")},
    ])
    prio = {"A1": 80.0, "A3": 80.0, "A4": 10.0, "A6": 90.0}
    # A4 is overdue: first whatever its priority; then A6 (90), then A3 and A1 (80, earlier due first)
    assert act.priority_actions(actions, prio, ["A4"]) == ["A4", "A6", "A3", "A1"]


def test_smart_warnings():
    full = {"goal": "一次合格率由96.8%提升至98%", "due": pd.Timestamp("2026-12-31"), "owner": "李国栋",
            "acceptance": "连续三个月≥98%"}
    assert act.smart_warnings(full) == []
    assert act.smart_warnings({**full, "goal": "提升合格率"}) == ["goal_not_measurable"]
    assert act.smart_warnings({**full, "goal": None, "due": None, "owner": " ", "acceptance": float("nan")}) == \
        ["goal_not_measurable", "no_due", "no_owner", "no_acceptance"]


def test_effect_of_done_actions():
    kpis = pd.DataFrame([{"kpi_id": "K1", "kpi": "yield", "owner_unit": "Co", "method": "ratio", "target": 50.0,
                          "weight": 50.0},
                         {"kpi_id": "K2", "kpi": "x", "owner_unit": "Co", "method": "ratio", "target": 10.0,
                          "weight": 50.0}])
    actuals = pd.DataFrame([{"kpi_id": "K1", "period": p, "actual": v}
                            for p, v in [("2026Q1", 20.0), ("2026Q2", 30.0), ("2026Q3", 40.0), ("2026Q4", 45.0)]])
    r = rollup(kpis, actuals, "2026Q3")
    actions = pd.DataFrame([
        {"action_id": "A1", "addresses": ["K1"], "status": "done", "start": pd.Timestamp("2026-07-15")},
        {"action_id": "A2", "addresses": ["K1", "K2"], "status": "done", "start": None},
        {"action_id": "A3", "addresses": ["K2"], "status": "done", "start": pd.Timestamp("2026-07-01")},
        {"action_id": "A4", "addresses": ["K1"], "status": "in_progress", "start": pd.Timestamp("2026-07-01")},
    ])
    eff = act.action_effects(actions, r.kpi_history, list(r.kpis.index), "2026Q3")
    # A1 starts 2026-07-15: the last period ending by then is 2026Q2 (30 → 60 points); after = 2026Q3 (40 → 80);
    # 2026Q4 is after the scored period and is not "latest"
    assert eff["A1"]["K1"]["before"] == 30 and eff["A1"]["K1"]["after"] == 40
    assert eff["A1"]["K1"]["before_score"] == pytest.approx(60) and eff["A1"]["K1"]["after_score"] == pytest.approx(80)
    assert eff["A2"]["K1"]["before"] == 20 and eff["A2"]["K1"]["before_period"] == "2026Q1"  # no start: first
    assert "K2" not in eff["A2"] and eff["A3"] == {}  # K2 has no actuals: nothing to evaluate
    assert eff["A4"] is None


def test_quarterly_review_and_red_without_review():
    kpis = pd.DataFrame([
        {"kpi_id": "K1", "kpi": "a", "owner_unit": "Co", "method": "ratio", "target": 200.0, "weight": 40.0},
        {"kpi_id": "K2", "kpi": "b", "owner_unit": "Co", "method": "ratio", "target": 100.0, "weight": 30.0},
        {"kpi_id": "K3", "kpi": "c", "owner_unit": "Co", "method": "ratio", "target": 100.0, "weight": 20.0},
        {"kpi_id": "K4", "kpi": "d", "owner_unit": "Co", "method": "ratio", "target": 10.0, "weight": 10.0},
    ])
    actuals = pd.DataFrame([{"kpi_id": k, "period": "2026Q3", "actual": v}
                            for k, v in [("K1", 150.0), ("K2", 50.0), ("K3", 120.0)]]
                           + [{"kpi_id": "K4", "period": "2026Q2", "actual": 1.0}])
    reviews = pd.DataFrame([{"kpi_id": "K1", "period": "2026Q3", "cause": "淡季", "countermeasure": "促销"},
                            {"kpi_id": "K2", "period": "2026Q2", "cause": "old"}])
    r = rollup(kpis, actuals, "2026Q3")
    rv = rev.quarterly_review(r.kpis, reviews, "2026q3")
    # K3 scores 120 (not below 100); K4 has no actual in 2026Q3
    assert list(rv.index) == ["K1", "K2"]
    assert rv.loc["K1", "deviation"] == -50 and rv.loc["K1", "deviation_pct"] == -25
    assert rv.loc["K1", "score"] == 75 and rv.loc["K1", "cause"] == "淡季" and rv.loc["K1", "reviewed"]
    assert not rv.loc["K2", "reviewed"]  # its review row is for another period
    assert rev.red_kpis_without_review(rv) == ["K2"]


def test_scorecard_counts_company_only():
    objectives = pd.DataFrame({"objective_id": ["F1", "C1"], "perspective": ["financial", "customer"]})
    kpis = pd.DataFrame([
        {"kpi_id": "K1", "objective_id": "F1", "owner_level": "company"},
        {"kpi_id": "K2", "objective_id": "F1", "owner_level": None},
        {"kpi_id": "K3", "objective_id": "C1", "owner_level": "division"},
        {"kpi_id": "K4", "objective_id": None, "owner_level": "company"},
    ])
    sc = rev.scorecard_counts(kpis, objectives)
    assert sc == {"perspectives": {"financial": 2, "customer": 0, "process": 0, "learning": 0}, "total": 2,
                  "unlinked": ["K4"]}


def test_contradictions_company_contract_high_while_problem_kpi_red():
    c = make({
        "kpis": [
            {"kpi_id": "K1", "kpi": "Revenue", "objective_id": "F1", "owner_unit": "Co", "method": "ratio",
             "target": 100.0, "weight": 90.0},
            {"kpi_id": "K2", "kpi": "First-pass yield", "objective_id": "P1", "owner_unit": "Co", "method": "linear",
             "threshold": 96.0, "target": 98.0, "stretch": 99.0, "weight": 10.0},
        ],
        "actuals": [{"kpi_id": "K1", "period": "2026Q3", "actual": 100.0},
                    {"kpi_id": "K2", "period": "2026Q3", "actual": 95.0}],
        "objectives": [{"objective_id": "F1", "perspective": "financial", "objective": "f"},
                       {"objective_id": "P1", "perspective": "process", "objective": "p"}],
        "problems": [{"problem_id": "PR1", "problem": "Yield too low", "metric": "First-pass yield"}],
    })
    a = analyse(c)
    # contract = (90 × 100 + 10 × 0) / 100 = 90 ≥ 90; K2 scores 0 < 60 and is the problem's metric
    assert a.contracts.loc["Co/", "score"] == pytest.approx(90)
    assert a.problem_kpis == {"K2": ["PR1"]}
    [x] = a.contradictions
    assert (x.contract, x.kpi, x.why, x.ref) == ("Co/", "K2", "problem", "PR1")
    # with the objective red but no problem tie, the objective is the reason
    c.tables["problems"] = None
    a = analyse(c)
    assert [(x.kpi, x.why, x.ref) for x in a.contradictions] == [("K2", "objective", "P1")]
    # a 0 for a missing actual (policy zero) is missing data, not a contradiction
    zero = make({k: (None if v is None else v.to_dict("records")) for k, v in c.tables.items()},
                missing_actuals="zero")
    zero.tables["actuals"] = zero.tables["actuals"][zero.tables["actuals"]["kpi_id"] == "K1"]
    az = analyse(zero)
    assert az.contracts.loc["Co/", "score"] == pytest.approx(90) and az.kpis.loc["K2", "score"] == 0
    assert az.contradictions == []
    # below 90 there is no contradiction
    c.tables["actuals"].loc[c.tables["actuals"]["kpi_id"] == "K1", "actual"] = 99.0
    assert analyse(c).contradictions == []


def history_doc(period: str, total: float, cats: dict, items: dict, kpis: dict, contracts: dict) -> dict:
    return {"client": "acme", "name": "x", "period": period, "framework": "gbt19580-2012",
            "assessment": {"total": total, "unscored_points": 0, "categories": cats,
                           "items": {i: {"points": 50, "consensus_pct": p, "score": s, "spread": 0, "flagged": False}
                                     for i, (p, s) in items.items()}},
            "kpis": {k: {"score": s, "progress": None, "actual": None, "status": "scored"} for k, s in kpis.items()},
            "contracts": {k: {"score": s, "vetoed_by": None, "excluded": []} for k, s in contracts.items()}}


def test_progress_since_last_round():
    docs = [history_doc("2025Q3", 20.0, {"4.1": 20.0}, {"4.1.2": (40, 20.0)}, {"K01": 80.0}, {"Co/": 70.0}),
            history_doc("2026Q1", 25.0, {"4.1": 25.0}, {"4.1.2": (50, 25.0)}, {"K01": 85.0}, {"Co/": 75.0}),
            history_doc("2026Q4", 99.0, {"4.1": 99.0}, {}, {}, {})]  # after the scored period: ignored
    hist = read_history_docs([docs[2], docs[0], docs[1], {"period": None}])
    assert [d["period"] for d in hist] == ["2025Q3", "2026Q1", "2026Q4"]
    c = full_client()
    c.history = {d["period"]: d for d in docs}
    c.tables["actions"] = pd.DataFrame([
        {"action_id": "A1", "action": "x", "owner_unit": "Co", "due": pd.Timestamp("2026-02-01"), "status": "planned"},
        {"action_id": "A2", "action": "y", "owner_unit": "Co", "due": pd.Timestamp("2026-09-01"), "status": "deferred"},
        {"action_id": "A3", "action": "z", "owner_unit": "Co", "due": pd.Timestamp("2026-01-01"), "status": "done"},
        {"action_id": "A4", "action": "w", "owner_unit": "Co", "due": pd.Timestamp("2026-04-01"), "status": "planned"},
    ])
    a = analyse(c)
    p = a.progress
    # against 2026Q1 (the newest before 2026Q3): 4.1.2 now 65% → 32.5 points
    assert p.period == "2026Q1" and p.total == 25.0 and p.delta == pytest.approx(7.5)
    assert p.categories["4.1"] == pytest.approx(7.5) and p.categories["4.2"] is None
    assert p.items["4.1.2"] == pytest.approx(7.5) and p.band_changes == []  # 50% → 65%: same band
    assert p.kpis["K01"] == pytest.approx(90 - 85) and p.contracts == {"Co/": pytest.approx(a.contracts.loc["Co/",
                                                                                                             "score"] - 75)}
    # deferred A2; A1 open and due before 2026-03-31; A4 due after it; A3 done
    assert p.carried_over == ["A1", "A2"]
    assert [r["period"] for r in p.rounds] == ["2025Q3", "2026Q1", "2026Q3"]
    doc = results_document(a)
    assert doc["previous"] == {"period": "2026Q1", "total": 25.0, "delta": pytest.approx(7.5),
                               "categories": {**{k: None for k in doc["assessment"]["categories"]},
                                              "4.1": pytest.approx(7.5)}}


def test_band_change_since_last_round():
    r = assess(assessment_rows({"4.1.2": 70}))
    prev = [history_doc("2026Q2", 25.0, {"4.1": 25.0}, {"4.1.2": (50, 25.0)}, {}, {})]
    p = progress_since(prev, "2026Q3", r, None, None, None)
    assert p.band_changes == [("4.1.2", "50-65%", "70-85%")]
    assert progress_since(prev, "2026Q2", r, None, None, None) is None  # nothing before 2026Q2


def test_results_v2_values():
    c = full_client(target_score=600)
    c.tables["actions"] = pd.DataFrame([
        {"action_id": "A1", "action": "fix", "addresses": ["K03", "C1"], "owner_unit": "Co",
         "due": pd.Timestamp("2026-08-01"), "status": "planned", "goal": "no number"},
        {"action_id": "A2", "action": "done", "addresses": ["K01", "4.1.2"], "owner_unit": "Co", "owner": "Li",
         "start": pd.Timestamp("2026-04-10"), "due": pd.Timestamp("2026-06-30"), "status": "done",
         "goal": "profit 1000", "acceptance": "audited"},
    ])
    doc = results_document(analyse(c))
    # total: 4.1.2 at 65% of 50 = 32.5 → reacting; gap 600 − 32.5
    assert doc["maturity"] == {"stage": "reacting", "label": "Reacting", "target_score": 600.0, "gap": 567.5}
    # A1: cause C1 priority 5 × (6 − 2) = 20 → 80; K03 is excluded (no score) → 80
    assert doc["actions"]["A1"] == {"priority": 80.0, "smart_warnings": ["goal_not_measurable", "no_owner",
                                                                          "no_acceptance"], "effect": None}
    # A2: K01 100 − 90 = 10, item 100 − 65 = 35 → 35; effect: no period ends by its start (2026-04-10), so before = the first, 2026Q2 (850 → 85); after 2026Q3 (900 → 90)
    assert doc["actions"]["A2"]["priority"] == 35.0 and doc["actions"]["A2"]["smart_warnings"] == []
    assert doc["actions"]["A2"]["effect"] == {"K01": {"before": 850.0, "after": 900.0, "before_score": 85.0,
                                                      "after_score": 90.0}}
    assert doc["previous"] is None and doc["gaps"]["red_kpis_without_review"] == []
    assert all(v["owner_level"] == "company" for k, v in doc["contracts"].items() if k == "Co/")
    assert doc["contracts"]["Plant/Wang"]["owner_level"] == "company"  # blank level: the default
    assert not math.isnan(doc["maturity"]["gap"])
