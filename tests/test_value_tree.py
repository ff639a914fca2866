"""The value tree is rooted in the strategy (scoring.md v2): perspective → objective → company KPI → lower levels."""
from __future__ import annotations

import pandas as pd

from workbench.analysis.analyse import analyse
from workbench.deliverable.charts.kpi_tree import kpi_trees_for, value_tree_frame
from workbench.deliverable.tables import value_tree_warnings

from test_results import make


def client():
    return make({
        "objectives": [{"objective_id": "F1", "perspective": "financial", "objective": "Grow profit"},
                       {"objective_id": "C1", "perspective": "customer", "objective": "Keep customers"}],
        "kpis": [
            {"kpi_id": "K1", "kpi": "Profit", "objective_id": "F1", "owner_unit": "Co", "method": "ratio",
             "target": 10.0, "weight": 100.0},
            {"kpi_id": "K2", "kpi": "Division sales", "objective_id": "F1", "owner_unit": "Div", "owner_level": "division",
             "method": "ratio", "target": 10.0, "weight": 50.0},
            {"kpi_id": "K3", "kpi": "Plant scrap", "owner_unit": "Div", "owner_level": "division", "method": "ratio",
             "target": 10.0, "weight": 50.0},
            {"kpi_id": "K4", "kpi": "Team sales", "parent_kpi_id": "K2", "owner_unit": "Team",
             "owner_level": "department", "method": "ratio", "target": 10.0, "weight": 100.0},
        ],
        "actuals": [{"kpi_id": k, "period": "2026Q3", "actual": 8.0} for k in ("K1", "K2", "K3", "K4")],
    })


def gids(fig, prefix):
    return {sh.gid[len(prefix):] for sh in fig.figure.find(prefix, "rect")}


def test_kpis_without_parent_hang_under_their_objective_per_perspective():
    a = analyse(client())
    frame = value_tree_frame(a.kpis, a.objectives, "en")
    # the division KPI without a parent hangs under its objective; the cascade below it is unchanged
    assert frame.at["K2", "parent_kpi_id"] == "obj:F1" and frame.at["K1", "parent_kpi_id"] == "obj:F1"
    assert frame.at["K4", "parent_kpi_id"] == "K2" and pd.isna(frame.at["K3", "parent_kpi_id"])
    figs = kpi_trees_for(a)
    titles = [next(sh.text for sh in f.figure.find("title", "text")) for f in figs]
    assert titles == [f.alt for f in figs]
    assert titles == ["KPI value tree · Financial", "KPI value tree · Customer", "KPIs linked to no objective"]
    assert gids(figs[0], "objective:") == {"F1"} and gids(figs[0], "kpi:") == {"K1", "K2", "K4"}
    assert gids(figs[1], "objective:") == {"C1"} and gids(figs[1], "kpi:") == set()  # an objective with no KPI
    assert gids(figs[2], "kpi:") == {"K3"}
    # a KPI below company level with neither parent nor objective is a warning, said once
    assert value_tree_warnings(a) == ["KPI K3 Plant scrap below company level has neither a parent KPI nor an "
                                      "objective, so it hangs nowhere in the value tree."]
