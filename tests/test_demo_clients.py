"""The demo clients as a test oracle: tools/make_demo_clients.py recomputes every score from scoring.md without the
workbench (``reference_scores``, ``reference_assessment``); the workbench must agree. The committed clients are
exactly what the generator writes (after validating them with the workbench's own validator)."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from workbench.analysis.analyse import analyse
from workbench.analysis.results import results_document
from workbench.intake.loading import load_client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_demo_clients as demo  # noqa: E402



def built(cid: str) -> tuple[dict, object]:
    c = demo.with_v2({"huaxin-steel": demo.huaxin, "jinfeng-logistics": demo.jinfeng,
                      "riverside-hospital": demo.riverside}[cid]())
    folder = ROOT / "clients" / cid
    if not folder.is_dir():
        pytest.fail(f"demo client {cid} missing")
    return c, analyse(load_client(folder))


@pytest.mark.parametrize("cid", ["huaxin-steel", "jinfeng-logistics", "riverside-hospital"])
def test_workbench_scores_match_the_reference(cid: str) -> None:
    c, a = built(cid)
    ref = demo.reference_scores(c)
    for kid, s in ref["kpis"].items():
        got = a.kpis.loc[kid, "score"]
        assert (s is None and math.isnan(got)) or got == pytest.approx(s), kid
    for (unit, person), (s, veto) in ref["contracts"].items():
        row = a.contracts.loc[f"{unit}/{person or ''}"]
        assert row["score"] == pytest.approx(s) and list(row["vetoes"]) == veto
    gaps = demo.plan_gaps(c, ref)
    for k, v in gaps.items():
        assert sorted(a.gaps[k]) == v, k
    assert a.gaps["red_kpis_without_review"] == demo.red_without_review(c, ref)


@pytest.mark.parametrize("cid", ["huaxin-steel", "jinfeng-logistics", "riverside-hospital"])
def test_assessment_maturity_and_target_match_the_reference(cid: str) -> None:
    c, a = built(cid)
    ref = demo.reference_assessment(c)
    doc = results_document(a)
    for iid, s in ref["items"].items():
        assert doc["assessment"]["items"][iid]["score"] == pytest.approx(s), iid
    for cat, s in ref["categories"].items():
        assert doc["assessment"]["categories"][cat] == pytest.approx(s), cat
    assert doc["assessment"]["total"] == pytest.approx(ref["total"])
    assert doc["maturity"]["stage"] == ref["stage"]
    assert doc["maturity"]["gap"] == pytest.approx(ref["gap"])


def test_deliberate_features_hold_and_history_is_read_back() -> None:
    for cid in ("huaxin-steel", "jinfeng-logistics", "riverside-hospital"):
        c, a = built(cid)
        assert demo.verify_deliberate(c) == []
        assert sorted(a.client.history) == demo.DELIBERATE[cid]["history"]
    _, hx = built("huaxin-steel")
    assert len(hx.history) == 2 and hx.progress.period == "2025Q3"
    # every v2 table is exercised by the demo set
    for table in ("findings", "feedback", "reviews"):
        assert all(built(cid)[1].client.table(table) is not None for cid in demo.V2)


def test_generator_writes_the_committed_clients(tmp_path: Path) -> None:
    assert demo.main(["--root", str(tmp_path)]) == 0
    for cid in ("huaxin-steel", "jinfeng-logistics", "riverside-hospital"):
        mine = sorted(p.relative_to(tmp_path / cid) for p in (tmp_path / cid).rglob("*") if p.is_file())
        committed = sorted(p.relative_to(ROOT / "clients" / cid) for p in (ROOT / "clients" / cid).rglob("*")
                           if p.is_file())
        assert mine == committed, cid
        for rel in mine:
            assert (tmp_path / cid / rel).read_bytes() == (ROOT / "clients" / cid / rel).read_bytes(), (cid, rel)
