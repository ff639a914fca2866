"""index.html and batch.json (workbench.build.portfolio), from hand-made results.json files: no runs needed."""
from __future__ import annotations

import json
import re
from pathlib import Path

from workbench.build import portfolio


def results(cid: str, name: str, total: float | None, contract: float | None, cats: dict | None = None) -> dict:
    return {
        "client": cid, "name": name, "period": "2026Q3", "framework": "gbt19580-2012",
        "assessment": None if total is None else {"total": total, "unscored_points": 0,
                                                  "categories": cats or {"4.1": 55.0, "4.7": 200.0}, "items": {}},
        "kpis": {}, "contracts": None if contract is None else {
            "Group/": {"score": contract, "vetoed_by": None, "excluded": [], "owner_level": "company"},
            "Plant/Wang": {"score": 50.0, "vetoed_by": None, "excluded": []}},
        "objectives": {}, "perspectives": {"financial": 95.0, "customer": 70.0, "process": None, "learning": 40.0},
    }


def make(tmp_path: Path) -> tuple[Path, list[dict]]:
    out = tmp_path / "build"
    src = tmp_path / "clients"
    specs = [("a-steel", "<script>alert('x')</script> & Steel", "钢铁", 600.0, 95.0, "ok"),
             ("b-steel", "华鑫 B", "钢铁", 400.0, 105.0, "skipped"),
             ("c-hosp", "Riverside \"Hospital\"", "医疗", 500.0, None, "ok"),
             ("d-noassess", "No assessment Ltd", None, None, 80.0, "ok")]
    entries = []
    for cid, name, ind, total, contract, status in specs:
        (out / cid).mkdir(parents=True)
        (out / cid / "results.json").write_text(json.dumps(results(cid, name, total, contract), ensure_ascii=False))
        (out / cid / "report.html").write_text("<html></html>")
        (src / cid).mkdir(parents=True)
        (src / cid / "client.yaml").write_text(f"id: {cid}\nname: x\nperiod: 2026Q3\n" + (f"industry: {ind}\n" if ind else ""),
                                               encoding="utf-8")
        entries.append({"id": cid, "status": status, "seconds": 1.5, "error": None, "folder": str(src / cid)})
    (src / "e-failed").mkdir()
    (src / "e-failed" / "client.yaml").write_text("id: e-failed\nname: '<b>Bad</b>'\nperiod: 2026Q3\n", encoding="utf-8")
    entries.append({"id": "e-failed", "status": "failed", "seconds": 0.2, "folder": str(src / "e-failed"),
                    "error": "e-failed: 1 error(s)\n  ERROR: kpis.csv, row 2, column method: expected <ratio> (got 'bogus')"})
    return out, entries


def test_index_and_batch_json(tmp_path):
    out, entries = make(tmp_path)
    rows = portfolio.write(out, entries, {"generated": "2026-10-09 09:00:00", "wall_seconds": 3.2})
    doc = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in doc] == ["a-steel", "b-steel", "c-hosp", "d-noassess", "e-failed"]
    for d in doc:
        assert {"id", "status", "seconds", "error"} <= set(d)
    by = {d["id"]: d for d in doc}
    assert by["a-steel"]["assessment_total"] == 600.0 and by["a-steel"]["rank"] == 1
    assert by["a-steel"]["contract_score"] == 95.0  # the company-level contract, not Plant/Wang
    assert by["b-steel"]["rank"] == 3 and by["c-hosp"]["rank"] == 2
    assert by["a-steel"]["rank_pct"] == 100.0 and by["b-steel"]["rank_pct"] == 0.0 and by["c-hosp"]["rank_pct"] == 50.0
    assert by["b-steel"]["rank_industry"] == 2
    assert by["e-failed"]["status"] == "failed" and by["e-failed"]["report"] is None
    assert by["a-steel"]["report"] == "a-steel/report.html"

    page = (out / "index.html").read_text(encoding="utf-8")
    # self-contained: no script, no external reference
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "@import" not in page and "url(" not in page
    # client text escaped
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Steel" in page
    assert "Riverside &quot;Hospital&quot;" in page
    assert "&lt;b&gt;Bad&lt;/b&gt;" in page and "expected &lt;ratio&gt;" in page
    # statuses, links, failures, benchmarking, bilingual labels
    assert 'href="a-steel/report.html"' in page and 'href="e-failed/report.html"' not in page
    assert "未变更（跳过） / skipped (unchanged)" in page and "失败 / failed" in page
    assert "组合对标 / Portfolio benchmarking" in page and "按行业 / By industry" in page
    assert "钢铁" in page and "医疗" in page
    assert "无自评数据 / no self-assessment" in page
    assert "4.1 领导 / Leadership" in page  # category label from the framework
    # 4.1: 55 of 110 points = 50 %
    assert ">50%<" in page
    assert len(rows) == 5


def test_index_with_nothing_built(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    portfolio.write(out, [{"id": "x", "status": "failed", "seconds": 0.1, "error": "boom", "folder": None}])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "boom" in page and "暂无可对标的结果。 / No results to benchmark yet." in page


def test_percentiles_with_ties():
    assert portfolio._percentiles([10.0, 10.0, 5.0]) == [(1, 75.0), (1, 75.0), (3, 0.0)]
    assert portfolio._percentiles([3.0]) == [(1, None)]
