"""Self-assessment: framework data, consensus rounding, spread, bands, categories, total."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.analysis.assessment import assess, band_for, consensus_pct, load_framework


def test_framework_structure():
    fw = load_framework("gbt19580-2012")
    assert fw.edition == "gbt19580-2012"
    assert len(fw.categories) == 7 and len(fw.items) == 23
    assert sum(i.points for i in fw.items) == 1000 == fw.total_points
    for c in fw.categories:
        assert sum(i.points for i in c.items) == c.points
    assert {c.id: c.points for c in fw.categories} == {"4.1": 110, "4.2": 90, "4.3": 90, "4.4": 130, "4.5": 100,
                                                       "4.6": 80, "4.7": 400}
    expected = {"4.1.2": 50, "4.1.3": 30, "4.1.4": 30, "4.2.2": 40, "4.2.3": 50, "4.3.2": 40, "4.3.3": 50,
                "4.4.2": 60, "4.4.3": 15, "4.4.4": 20, "4.4.5": 15, "4.4.6": 10, "4.4.7": 10, "4.5.2": 50,
                "4.5.3": 50, "4.6.2": 40, "4.6.3": 40, "4.7.2": 80, "4.7.3": 80, "4.7.4": 80, "4.7.5": 60,
                "4.7.6": 50, "4.7.7": 50}
    assert {i.id: i.points for i in fw.items} == expected
    assert fw.item("4.5.3").zh == "过程的实施与改进" and fw.item("4.6.2").en == "Measurement, analysis and evaluation"
    assert [c.lens for c in fw.categories] == ["process"] * 6 + ["results"]
    assert [(b.min, b.max) for b in fw.bands] == [(0, 5), (10, 25), (30, 45), (50, 65), (70, 85), (90, 100)]
    for b in fw.bands:
        for lens in ("process", "results"):
            for lang in ("zh", "en"):
                assert len(b.dimensions(lens, lang)) == 4 and all(t for _, t in b.dimensions(lens, lang))
    assert fw.lens_name("process", "zh") == "方法-展开-学习-整合"
    assert fw.lens_name("results", "zh") == "水平-趋势-对比-整合"
    assert load_framework("gbt19580-2012") is fw  # cached


def test_unknown_edition():
    with pytest.raises(ValueError, match="unknown assessment framework"):
        load_framework("gbt19580-2004")
    with pytest.raises(ValueError):
        load_framework("../frameworks/gbt19580-2012")


@pytest.mark.parametrize("scores,expected", [
    ([60, 65], 65.0),              # median 62.5 → 65 (halves up, not banker's 60)
    ([55, 60], 60.0),              # 57.5 → 60
    ([55, 60, 65, 70], 65.0),      # even count: 62.5 → 65
    ([50, 60, 70], 60.0),
    ([10, 15], 15.0),              # 12.5 → 15
    ([0, 5], 5.0),                 # 2.5 → 5
    ([0], 0.0), ([100, 100], 100.0),
    ([40, 45, 90, 95], 70.0),      # 67.5 → 70
    ([52.5], 55.0), ([51], 50.0), ([53], 55.0),
])
def test_consensus_rounding(scores, expected):
    assert consensus_pct(scores) == expected


def test_consensus_empty():
    assert math.isnan(consensus_pct([]))


@pytest.mark.parametrize("pct,label", [
    (0, "0-5%"), (5, "0-5%"), (7.5, "0-5%"), (10, "10-25%"), (27.5, "10-25%"), (30, "30-45%"), (65, "50-65%"),
    (70, "70-85%"), (85, "70-85%"), (90, "90-100%"), (100, "90-100%"),
])
def test_band_ranges(pct, label):
    assert band_for(pct, load_framework()).label == label


def test_assess_items_categories_total():
    df = pd.DataFrame([
        {"item_id": "4.1.2", "assessor": "Li", "score_pct": 60.0, "strengths": "Clear vision", "opportunities": None},
        {"item_id": "4.1.2", "assessor": "Wang", "score_pct": 65.0, "strengths": "Clear vision",
         "opportunities": "Succession"},
        {"item_id": "4.7.2", "assessor": "Li", "score_pct": 30.0},
        {"item_id": "4.7.2", "assessor": "Wang", "score_pct": 55.0},
        {"item_id": "4.4.6", "assessor": "Li", "score_pct": 40.0},
        {"item_id": "4.4.6", "assessor": "Wang", "score_pct": 60.0},
        {"item_id": "9.9.9", "assessor": "Li", "score_pct": 60.0},
    ])
    r = assess(df)
    it = r.items
    assert list(it.index)[:3] == ["4.1.2", "4.1.3", "4.1.4"] and len(it) == 23
    a = it.loc["4.1.2"]
    assert (a["median"], a["consensus_pct"], a["score"], a["spread"], a["flagged"]) == (62.5, 65.0, 32.5, 5.0, False)
    assert a["band"] == "50-65%" and a["strengths"] == ["Clear vision"] and a["opportunities"] == ["Succession"]
    assert a["assessors"] == ["Li", "Wang"] and a["scores"] == [60.0, 65.0]
    b = it.loc["4.7.2"]
    assert (b["median"], b["consensus_pct"], b["score"], b["spread"]) == (42.5, 45.0, 36.0, 25.0)
    assert b["flagged"] and b["band"] == "30-45%"
    assert "many areas" in b["band_description_en"] and b["lens"] == "results"
    c = it.loc["4.4.6"]
    assert c["spread"] == 20 and not c["flagged"]  # exactly 20 is not "more than 20"
    assert c["consensus_pct"] == 50 and c["score"] == 5.0
    u = it.loc["4.1.3"]
    assert not u["scored"] and math.isnan(u["consensus_pct"]) and math.isnan(u["score"]) and pd.isna(u["band"])
    cats = r.categories
    assert cats.loc["4.1", "score"] == 32.5 and cats.loc["4.7", "score"] == 36.0 and cats.loc["4.4", "score"] == 5.0
    assert math.isnan(cats.loc["4.2", "score"])
    assert cats.loc["4.1", "unscored_points"] == 60
    assert r.total == pytest.approx(73.5)
    assert r.unscored_points == 1000 - 50 - 80 - 10
    assert r.unknown_items == ["9.9.9"]
    assert r.flagged == ["4.7.2"]


def test_assess_none():
    assert assess(None) is None


def test_assess_empty_table():
    r = assess(pd.DataFrame(columns=["item_id", "assessor", "score_pct"]))
    assert r.total == 0 and r.unscored_points == 1000
