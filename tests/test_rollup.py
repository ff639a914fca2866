"""Roll-up, contracts (veto, missing policies), objectives, perspectives, history: hand-computed values."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import validated_table
from workbench.analysis.rollup import band, bands, contract_key, objective_scores, perspective_scores, rollup

NaN = math.nan


def kpis_df(rows: list[dict]) -> pd.DataFrame:
    """A validated kpis table (contract.py types, defaults, _row) from partial rows."""
    return validated_table("kpis", rows)


def actuals_df(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([{"kpi_id": k, "period": p, "actual": a, "_row": i + 2} for i, (k, p, a) in enumerate(rows)])


def objectives_df(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([{"objective_id": o, "perspective": p, "objective": f"objective {o}", "theme": None,
                          "description": None, "_row": i + 2} for i, (o, p) in enumerate(rows)])


def K(kid, **kw):
    base = {"kpi_id": kid, "kpi": f"KPI {kid}", "owner_unit": "Co", "method": "ratio", "target": 100.0,
            "weight": 100.0}
    base.update(kw)
    return base


def test_band():
    assert [band(x) for x in (120, 100, 99.99, 60, 59.9, 0, NaN, None)] == \
        ["good", "good", "ok", "ok", "bad", "bad", "none", "none"]
    assert bands(pd.Series([100, 60, 10, NaN])).tolist() == ["good", "ok", "bad", "none"]


def test_contract_key():
    assert contract_key("Plant", "Wang") == "Plant/Wang"
    assert contract_key("Plant", None) == "Plant/"
    assert contract_key("Plant", NaN) == "Plant/"


def three_levels():
    # K1 (Co) ← K2 (Div, own actual 110), K3 (Div, no actual) ← K4 (Dept, 90), K5 (Dept, 50)
    return kpis_df([
        K("K1", weight=100),
        K("K2", parent_kpi_id="K1", owner_unit="Div", weight=60),
        K("K3", parent_kpi_id="K1", owner_unit="Div", weight=40),
        K("K4", parent_kpi_id="K3", owner_unit="Dept", weight=75),
        K("K5", parent_kpi_id="K3", owner_unit="Dept", weight=25),
    ])


def test_three_level_rollup():
    r = rollup(three_levels(), actuals_df([("K2", "2026Q3", 110.0), ("K4", "2026Q3", 90.0),
                                           ("K5", "2026Q3", 50.0)]), "2026Q3")
    k = r.kpis
    assert k.loc["K4", "score"] == pytest.approx(90)
    assert k.loc["K3", "score"] == pytest.approx((75 * 90 + 25 * 50) / 100)   # 80
    assert k.loc["K3", "status"] == "rolled_up"
    assert k.loc["K1", "score"] == pytest.approx((60 * 110 + 40 * 80) / 100)  # 98
    assert k.loc["K1", "status"] == "rolled_up"
    assert k["depth"].tolist() == [0, 1, 1, 2, 2]
    assert r.contracts.loc["Co/", "score"] == pytest.approx(98)
    assert r.contracts.loc["Div/", "score"] == pytest.approx(98)
    assert r.contracts.loc["Dept/", "score"] == pytest.approx(80)
    assert k.loc["K1", "band"] == "ok" and k.loc["K2", "band"] == "good"


def test_parent_with_own_actual_uses_it_and_partial_children():
    r = rollup(three_levels(), actuals_df([("K1", "2026Q3", 70.0), ("K4", "2026Q3", 90.0)]), "2026Q3")
    k = r.kpis
    assert k.loc["K1", "score"] == pytest.approx(70) and k.loc["K1", "status"] == "scored"
    # K3 rolls up from its only scored child K4 (Σ w s / Σ w over scored children)
    assert k.loc["K3", "score"] == pytest.approx(90) and k.loc["K3", "status"] == "rolled_up"
    assert k.loc["K5", "status"] == "excluded"


def owner_x():
    return kpis_df([K("A", owner_unit="X", weight=50), K("B", owner_unit="X", weight=30),
                    K("C", owner_unit="X", weight=20)])


def test_missing_exclude_renormalises():
    r = rollup(owner_x(), actuals_df([("A", "2026Q3", 80.0), ("B", "2026Q3", 100.0)]), "2026Q3",
               missing_actuals="exclude")
    assert r.kpis.loc["C", "status"] == "excluded" and math.isnan(r.kpis.loc["C", "score"])
    c = r.contracts.loc["X/"]
    assert c["score"] == pytest.approx((50 * 80 + 30 * 100) / 80)  # 87.5
    assert c["excluded"] == ["C"] and c["vetoed_by"] is None


def test_missing_zero_scores_zero():
    r = rollup(owner_x(), actuals_df([("A", "2026Q3", 80.0), ("B", "2026Q3", 100.0)]), "2026Q3",
               missing_actuals="zero")
    k = r.kpis.loc["C"]
    assert k["status"] == "scored" and k["score"] == 0 and bool(k["missing"])
    assert not r.kpis.loc["A", "missing"]
    c = r.contracts.loc["X/"]
    assert c["score"] == pytest.approx((50 * 80 + 30 * 100 + 20 * 0) / 100)  # 70
    assert c["excluded"] == []


def test_veto_below_60():
    df = kpis_df([K("A", owner_unit="X", weight=50, veto=True), K("B", owner_unit="X", weight=50)])
    r = rollup(df, actuals_df([("A", "2026Q3", 59.0), ("B", "2026Q3", 120.0)]), "2026Q3")
    c = r.contracts.loc["X/"]
    assert c["score"] == 0 and c["vetoed_by"] == "A"
    r = rollup(df, actuals_df([("A", "2026Q3", 60.0), ("B", "2026Q3", 120.0)]), "2026Q3")
    assert r.contracts.loc["X/", "score"] == pytest.approx(90) and r.contracts.loc["X/", "vetoed_by"] is None


def test_veto_binary_no_even_with_floor_and_excluded_does_not_veto():
    df = kpis_df([K("A", owner_unit="X", weight=50, veto=True, method="binary", floor=60.0),
                  K("B", owner_unit="X", weight=50)])
    r = rollup(df, actuals_df([("A", "2026Q3", False), ("B", "2026Q3", 100.0)]), "2026Q3")
    assert r.kpis.loc["A", "score"] == 60  # floor applies to the score …
    assert r.contracts.loc["X/", "vetoed_by"] == "A" and r.contracts.loc["X/", "score"] == 0  # … but "no" vetoes
    r = rollup(df, actuals_df([("B", "2026Q3", 100.0)]), "2026Q3")  # veto KPI excluded: no veto
    assert r.contracts.loc["X/", "vetoed_by"] is None
    assert r.contracts.loc["X/", "score"] == pytest.approx(100)
    r = rollup(df, actuals_df([("B", "2026Q3", 100.0)]), "2026Q3", missing_actuals="zero")  # zero: 0 < 60
    assert r.contracts.loc["X/", "vetoed_by"] == "A"


def test_objective_counts_through_parent_only():
    df = kpis_df([
        K("K1", objective_id="O1", weight=50),
        K("K4", objective_id="O1", weight=50),
        K("K2", parent_kpi_id="K1", objective_id="O1", owner_unit="D", weight=70),
        K("K3", parent_kpi_id="K1", objective_id="O1", owner_unit="D", weight=30),
        K("K6", objective_id="O2", owner_unit="E", weight=100),
    ])
    r = rollup(df, actuals_df([("K2", "P", 80.0), ("K3", "P", 100.0), ("K4", "P", 50.0)]), "P")
    assert r.kpis.loc["K1", "score"] == pytest.approx(86)
    obj = objective_scores(r.kpis, objectives_df([("O1", "financial"), ("O2", "customer"), ("O3", "customer")]))
    assert obj.loc["O1", "score"] == pytest.approx((50 * 86 + 50 * 50) / 100)  # 68, not 77 (double counted)
    assert obj.loc["O1", "kpis"] == ["K1", "K4"]
    assert math.isnan(obj.loc["O2", "score"]) and obj.loc["O2", "band"] == "none"  # no data: not invented
    assert math.isnan(obj.loc["O3", "score"])
    p = perspective_scores(obj)
    assert list(p.index) == ["financial", "customer", "process", "learning"]
    assert p.loc["financial", "score"] == pytest.approx(68)
    assert math.isnan(p.loc["customer", "score"]) and math.isnan(p.loc["process", "score"])


def test_objective_any_ancestor_rule():
    # K3's grandparent K1 is linked to O1: K3 counts through K1 even though K2 (between) is not linked.
    df = kpis_df([K("K1", objective_id="O1"), K("K2", parent_kpi_id="K1", owner_unit="D"),
                  K("K3", parent_kpi_id="K2", objective_id="O1", owner_unit="E")])
    r = rollup(df, actuals_df([("K3", "P", 40.0)]), "P")
    obj = objective_scores(r.kpis, objectives_df([("O1", "process")]))
    assert obj.loc["O1", "kpis"] == ["K1"] and obj.loc["O1", "score"] == pytest.approx(40)


def test_objective_zero_policy_does_not_invent():
    df = kpis_df([K("A", objective_id="O1", weight=60), K("B", objective_id="O2", weight=40)])
    r = rollup(df, actuals_df([("A", "P", 50.0)]), "P", missing_actuals="zero")
    obj = objective_scores(r.kpis, objectives_df([("O1", "financial"), ("O2", "financial")]))
    assert obj.loc["O1", "score"] == pytest.approx(50)
    assert math.isnan(obj.loc["O2", "score"])  # only a zero-policy 0: no data
    assert perspective_scores(obj).loc["financial", "score"] == pytest.approx(50)


def test_perspective_mean_of_objectives():
    obj = pd.DataFrame({"perspective": ["customer", "customer", "customer"], "score": [80.0, 100.0, NaN]},
                       index=["C1", "C2", "C3"])
    p = perspective_scores(obj)
    assert p.loc["customer", "score"] == pytest.approx(90)
    assert p.loc["customer", "n_objectives"] == 3 and p.loc["customer", "n_scored"] == 2


def test_history_chronological_and_current_period():
    df = owner_x()
    acts = actuals_df([("A", "2026Q3", 80.0), ("A", "2026Q1", 40.0), ("A", "2026-05", 60.0),
                       ("B", "2026Q3", 100.0), ("C", "2026Q3", 50.0)])
    r = rollup(df, acts, "2026Q3")
    periods = r.kpi_history["period"].drop_duplicates().tolist()
    assert periods == ["2026Q1", "2026-05", "2026Q3"]
    h = r.kpi_history.set_index(["kpi_id", "period"])
    assert h.loc[("A", "2026-05"), "score"] == pytest.approx(60)
    assert h.loc[("B", "2026Q1"), "status"] == "excluded"
    ch = r.contract_history.set_index(["contract", "period"])
    assert ch.loc[("X/", "2026Q1"), "score"] == pytest.approx(40)  # only A: renormalised
    assert ch.loc[("X/", "2026Q3"), "score"] == pytest.approx((50 * 80 + 30 * 100 + 20 * 50) / 100)
    assert r.contracts.loc["X/", "score"] == pytest.approx(80)


def test_period_without_actuals_and_bad_actual():
    df = kpis_df([K("A", owner_unit="X", weight=50, method="qualitative", target=NaN),
                  K("B", owner_unit="X", weight=50, baseline=50.0)])
    r = rollup(df, actuals_df([("A", "2026Q3", "Z"), ("B", "2026Q3", 75.0)]), "2026Q3")
    assert r.kpis.loc["A", "status"] == "excluded"
    assert r.unscorable and r.unscorable[0][0] == "A"
    assert r.kpis.loc["B", "progress"] == pytest.approx((75 - 50) / (100 - 50))
    r = rollup(df, actuals_df([("B", "2026Q2", 75.0)]), "2026Q3")
    assert (r.kpis["status"] == "excluded").all()
    assert math.isnan(r.contracts.loc["X/", "score"])


def test_all_children_weights_zero_uses_plain_mean():
    df = kpis_df([K("P"), K("a", parent_kpi_id="P", owner_unit="D", weight=0),
                  K("b", parent_kpi_id="P", owner_unit="D", weight=0)])
    r = rollup(df, actuals_df([("a", "1", 50.0), ("b", "1", 100.0)]), "1")
    assert r.kpis.loc["P", "score"] == pytest.approx(75)


def test_cycle_in_parents_does_not_hang():
    df = kpis_df([K("A", parent_kpi_id="B"), K("B", parent_kpi_id="A", owner_unit="D")])
    r = rollup(df, actuals_df([("A", "1", 50.0)]), "1")
    assert r.kpis.loc["A", "score"] == pytest.approx(50)
