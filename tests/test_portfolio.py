"""index.html, batch.json, the programme exports and `workbench archive`, from hand-made results.json files."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from workbench.build import archive, portfolio


def results(cid: str, name: str, total: float | None, contract: float | None, cats: dict | None = None, *,
            period: str = "2026Q3", stage: str | None = None, contracts: dict | None = None) -> dict:
    return {
        "client": cid, "name": name, "period": period, "framework": "gbt19580-2012",
        "assessment": None if total is None else {"total": total, "unscored_points": 0,
                                                  "categories": cats or {"4.1": 55.0, "4.7": 200.0}, "items": {}},
        "kpis": {}, "contracts": contracts if contracts is not None else None if contract is None else {
            "Plant/Wang": {"score": 50.0, "vetoed_by": None, "excluded": [], "owner_level": "department"},
            "Group/": {"score": contract, "vetoed_by": None, "excluded": [], "owner_level": "company"}},
        "objectives": {}, "perspectives": {"financial": 95.0, "customer": 70.0, "process": None, "learning": 40.0},
        "maturity": {"stage": stage, "label": "", "target_score": None, "gap": None} if stage else None,
    }


def make(tmp_path: Path, lang: str | None = None) -> tuple[Path, list[dict]]:
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
        (src / cid / "client.yaml").write_text(f"id: {cid}\nname: x\nperiod: 2026Q3\n" + (f"industry: {ind}\n" if ind else "")
                                               + (f"language: {lang}\n" if lang else ""), encoding="utf-8")
        entries.append({"id": cid, "status": status, "seconds": 1.5, "error": None, "folder": str(src / cid)})
    (src / "e-failed").mkdir()
    (src / "e-failed" / "client.yaml").write_text("id: e-failed\nname: '<b>Bad</b>'\nperiod: 2026Q3\n", encoding="utf-8")
    entries.append({"id": "e-failed", "status": "failed", "seconds": 0.2, "folder": str(src / "e-failed"),
                    "error": "e-failed: 1 error(s)\n  ERROR: kpis.csv, row 2, column method: expected <ratio> (got 'bogus')"})
    return out, entries


def self_contained(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)  # only references inside an inline SVG


def test_index_and_batch_json(tmp_path):
    out, entries = make(tmp_path)
    rows = portfolio.write(out, entries, {"generated": "2026-10-09 09:00:00", "wall_seconds": 3.2})
    doc = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in doc] == ["a-steel", "b-steel", "c-hosp", "d-noassess", "e-failed"]
    for d in doc:
        assert {"id", "status", "seconds", "error"} <= set(d)
    by = {d["id"]: d for d in doc}
    assert by["a-steel"]["assessment_total"] == 600.0 and by["a-steel"]["rank"] == 1
    assert by["a-steel"]["contract_score"] == 95.0  # owner_level company, not the department's Plant/Wang
    assert by["b-steel"]["rank"] == 3 and by["c-hosp"]["rank"] == 2
    assert by["a-steel"]["rank_pct"] == 100.0 and by["b-steel"]["rank_pct"] == 0.0 and by["c-hosp"]["rank_pct"] == 50.0
    assert "rank_industry" not in by["b-steel"]  # two steel mills: no comparison within the industry (outputs.md v2)
    assert by["e-failed"]["status"] == "failed" and by["e-failed"]["report"] is None
    assert by["a-steel"]["report"] == "a-steel/report.html"

    page = (out / "index.html").read_text(encoding="utf-8")
    self_contained(page)
    # client text escaped
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Steel" in page
    assert "Riverside &#34;Hospital&#34;" in page
    assert "&lt;b&gt;Bad&lt;/b&gt;" in page and "expected &lt;ratio&gt;" in page
    # one language: the clients' majority (zh by default), no "中文 / English" doubling
    assert 'lang="zh-CN"' in page and "失败" in page and "已生成" in page
    assert " / failed" not in page and "Portfolio" not in page
    assert 'href="a-steel/report.html"' in page and 'href="e-failed/report.html"' not in page
    assert "4.1 领导" in page  # category label from the framework
    assert ">50%<" in page  # 4.1: 55 of 110 points
    # the rank table says "—" for the industry rank: no "1/1", no steel mill ranked against a hospital
    assert re.search(r'id="rank-c-hosp">.*?class="num rank-industry">—<', page, re.S)
    # industries under 3 clients are pooled
    assert "其他（不足 3 个组织的行业）" in page
    # distribution as a strip plot: inline SVG, one dot per organisation, text kept as text
    assert page.count("<svg") == 2 and "n = 3" in page and "<text" in page
    assert len(rows) == 5


def test_language_option_and_majority(tmp_path):
    out, entries = make(tmp_path, lang="en")
    portfolio.write(out, entries)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'lang="en"' in page and "Programme overview" in page and "项目组合总览" not in page
    portfolio.write(out, entries, lang="zh")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "项目组合总览" in page and "Programme overview" not in page


def test_industry_comparison_from_three_clients(tmp_path):
    out, entries = make(tmp_path)
    for i, total in enumerate((450.0, 300.0)):
        cid = f"s{i}-steel"
        (out / cid).mkdir()
        (out / cid / "results.json").write_text(json.dumps(results(cid, cid, total, 90.0)), encoding="utf-8")
        folder = tmp_path / "clients" / cid
        folder.mkdir()
        (folder / "client.yaml").write_text(f"id: {cid}\nname: {cid}\nperiod: 2026Q3\nindustry: 钢铁\n", encoding="utf-8")
        entries.append({"id": cid, "status": "ok", "seconds": 1.0, "error": None, "folder": str(folder)})
    rows = {r["id"]: r for r in portfolio.write(out, entries)}
    assert (rows["a-steel"]["rank_industry"], rows["a-steel"]["rank_industry_of"]) == (1, 4)
    assert (rows["s1-steel"]["rank_industry"], rows["s1-steel"]["rank_industry_of"]) == (4, 4)
    assert rows["c-hosp"]["rank_industry"] is None  # the only hospital
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'id="rank-a-steel">.*?class="num rank-industry">1 / 4<', page, re.S)


@pytest.mark.parametrize("contracts, name, expected", [
    ({"公司/张总": {"score": 91.0}, "生产部/李": {"score": 70.0}}, "华鑫特钢", ("公司/张总", 91.0)),  # v1: 公司
    ({"华鑫特钢/": {"score": 88.0}, "生产部/李": {"score": 70.0}}, "华鑫特钢", ("华鑫特钢/", 88.0)),  # v1: the name
    ({"Plant/": {"score": 77.0}}, "X", ("Plant/", 77.0)),  # v1: the only one
    ({"公司/": {"score": 60.0, "owner_level": "department"}, "总部/王": {"score": 99.0, "owner_level": "company"}},
     "X", ("总部/王", 99.0)),  # v2: owner_level wins over any name rule
    ({"A/": {"score": 60.0, "owner_level": "department"}}, "X", (None, None)),  # v2: no company contract at all
])
def test_company_contract(contracts, name, expected):
    assert portfolio.company_contract(contracts, name) == expected


def test_index_with_nothing_built(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    portfolio.write(out, [{"id": "x", "status": "failed", "seconds": 0.1, "error": "boom", "folder": None}])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "boom" in page and "暂无可对标的结果。" in page
    assert not (out / "portfolio.csv").exists()


def test_percentiles_with_ties():
    assert portfolio._percentiles([10.0, 10.0, 5.0]) == [(1, 75.0), (1, 75.0), (3, 0.0)]
    assert portfolio._percentiles([3.0]) == [(1, None)]


# ---------------------------------------------------------------------------------------------
# Rounds: archive, movement, programme summary, exports
# ---------------------------------------------------------------------------------------------
# Three rounds of four organisations: totals, stage and the 4.1 / 4.7 category scores (of 110 / 400 points)
PROGRAMME = {
    "p-one": [(300.0, "early_systematic", 33.0, 120.0), (380.0, "aligned", 44.0, 160.0), (450.0, "aligned", 55.0, 200.0)],
    "p-two": [(500.0, "aligned", 66.0, 200.0), (480.0, "aligned", 55.0, 200.0), (560.0, "integrated", 66.0, 240.0)],
    "p-three": [(200.0, "reacting", 22.0, 80.0), (260.0, "early_systematic", 33.0, 80.0), (250.0, "reacting", 22.0, 80.0)],
    "p-new": [None, None, (400.0, "aligned", 44.0, 160.0)],  # joins in the third round
}
PERIODS = ("2024", "2025", "2026")


def build_round(tmp_path: Path, k: int) -> tuple[Path, Path, list[dict]]:
    out, src = tmp_path / f"build-{PERIODS[k]}", tmp_path / "clients"
    entries = []
    for cid, rounds in PROGRAMME.items():
        (src / cid).mkdir(parents=True, exist_ok=True)
        (src / cid / "client.yaml").write_text(f"id: {cid}\nname: {cid.upper()}\nperiod: {PERIODS[k]}\n", encoding="utf-8")
        if rounds[k] is None:
            continue
        total, stage, c41, c47 = rounds[k]
        (out / cid).mkdir(parents=True)
        doc = results(cid, cid.upper(), total, 90.0 + k, {"4.1": c41, "4.7": c47}, period=PERIODS[k], stage=stage)
        (out / cid / "results.json").write_text(json.dumps(doc), encoding="utf-8")
        entries.append({"id": cid, "status": "ok", "seconds": 1.0, "error": None, "folder": str(src / cid)})
    return out, src, entries


def test_programme_of_three_rounds(tmp_path, capsys):
    for k in range(2):  # rounds 1 and 2 are built and filed with `workbench archive`
        out, src, _ = build_round(tmp_path, k)
        assert archive.archive_command([src / cid for cid in PROGRAMME if PROGRAMME[cid][k]], out) == 0
    assert sorted(p.name for p in (tmp_path / "clients" / "p-one" / "history").iterdir()) == ["2024.json", "2025.json"]
    out, src, entries = build_round(tmp_path, 2)
    rows = {r["id"]: r for r in portfolio.write(out, entries)}

    # movement per client: against its last filed round
    one = rows["p-one"]["movement"]
    assert one["period"] == "2025" and one["total_delta"] == 70.0 and one["stage_step"] == 0
    assert one["category_delta"] == {"4.1": pytest.approx(10.0), "4.7": pytest.approx(10.0)}
    assert rows["p-two"]["movement"]["stage_step"] == 1 and rows["p-three"]["movement"]["stage_step"] == -1
    assert rows["p-new"]["movement"] is None and rows["p-new"]["rounds"] == []

    page = (out / "index.html").read_text(encoding="utf-8")
    self_contained(page)
    # programme summary: 1 up (p-two), 1 down (p-three), 1 same (p-one); median change of +70, +80, −10 = +70
    summary = page[page.index('id="summary"'):page.index('id="clients"')]
    assert re.search(r'id="moved-up"><b>1</b>', summary)
    assert "+70" in summary
    # categories improved most: 4.1 (+10, +10, −10)/3 = +3.3 pp; 4.7 (+10, +10, 0)/3 = +6.7 pp -> 4.7 first
    improved = re.findall(r'<tr data-category="([\d.]+)"><td>[^<]*</td><td class="num[^"]*">([^<]+)<', summary)
    assert improved == [("4.7", "+6.7"), ("4.1", "+3.3")]
    move = re.search(r'id="move-p-two">(.*?)</tr>', page, re.S).group(1)
    assert "480" in move and "560" in move and "+80" in move and "协调一致 → 整合" in move
    assert 'id="move-p-new"' not in page
    # distributions per round: the three periods on the strip plot
    assert all(p in page[page.index('id="distributions"'):] for p in PERIODS)

    # exports: one row per client per round, with the movement
    with open(out / "portfolio.csv", encoding="utf-8-sig", newline="") as f:
        recs = list(csv.DictReader(f))
    assert [(r["client"], r["period"]) for r in recs] == [
        ("p-one", "2024"), ("p-one", "2025"), ("p-one", "2026"), ("p-two", "2024"), ("p-two", "2025"), ("p-two", "2026"),
        ("p-three", "2024"), ("p-three", "2025"), ("p-three", "2026"), ("p-new", "2026")]
    last = {r["client"]: r for r in recs if r["latest"] == "True"}
    assert float(last["p-one"]["assessment_total"]) == 450.0 and float(last["p-one"]["total_delta"]) == 70.0
    assert last["p-two"]["stage"] == "integrated" and last["p-two"]["stage_step"] == "1"
    assert float(last["p-one"]["category_4.1_pct"]) == pytest.approx(50.0)
    assert float(last["p-one"]["contract_score"]) == 92.0 and last["p-one"]["contract_company"] == "Group/"
    assert last["p-new"]["total_delta"] == "" and last["p-new"]["round"] == "3"
    table = pq.read_table(out / "portfolio.parquet").to_pylist()
    assert [(r["client"], r["period"]) for r in table] == [(r["client"], r["period"]) for r in recs]
    p3 = [r for r in table if r["client"] == "p-three"]
    assert [r["stage_step"] for r in p3] == [None, 1, -1] and [r["total_delta"] for r in p3] == [None, 60.0, -10.0]
    assert isinstance(p3[0]["category_4.7_pct"], float)


def test_archive_is_atomic_and_refuses_to_rewrite_history(tmp_path, capsys):
    out, src, _ = build_round(tmp_path, 0)
    folder = src / "p-one"
    filed = archive.archive_client(folder, out)
    assert filed.status == "filed" and filed.path == folder / "history" / "2024.json"
    assert json.loads(filed.path.read_text())["assessment"]["total"] == 300.0
    assert archive.archive_client(folder, out).status == "unchanged"
    # a different result for the same period is refused without --force
    doc = json.loads((out / "p-one" / "results.json").read_text())
    doc["assessment"]["total"] = 301.0
    (out / "p-one" / "results.json").write_text(json.dumps(doc))
    with pytest.raises(archive.ArchiveError, match="--force"):
        archive.archive_client(folder, out)
    assert json.loads(filed.path.read_text())["assessment"]["total"] == 300.0
    assert archive.archive_command([folder], out) == 1 and "--force" in capsys.readouterr().err
    assert archive.archive_client(folder, out, force=True).status == "replaced"
    assert json.loads(filed.path.read_text())["assessment"]["total"] == 301.0
    assert [p.name for p in (folder / "history").iterdir()] == ["2024.json"]  # no temp file left
    # a client without results is named in the error
    with pytest.raises(archive.ArchiveError, match="p-new"):
        archive.archive_client(src / "p-new", out)


def test_archive_command_line(tmp_path):
    from typer.testing import CliRunner

    from workbench.cli import app

    out, src, _ = build_round(tmp_path, 0)
    res = CliRunner().invoke(app, ["archive", str(src / "p-one"), str(src / "p-two"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (src / "p-two" / "history" / "2024.json").is_file() and "filed" in res.output
    res = CliRunner().invoke(app, ["archive", str(src / "p-new"), "--out", str(out)])
    assert res.exit_code == 1
