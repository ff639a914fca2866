"""The engagement widgets: set a control's value, the analysis recomputes, messages appear next to the field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.widgets import Engagement

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "clients"
DEMOS = ["huaxin-steel", "jinfeng-logistics", "riverside-hospital"]


def copy_client(tmp_path: Path, client_id: str) -> Path:
    src = CLIENTS / client_id
    if not src.is_dir():
        pytest.fail(f"demo client {client_id} not present")
    dst = tmp_path / "clients" / client_id
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("backups"))
    return dst


@pytest.fixture
def app_on(tmp_path: Path):
    from workbench.widgets import EngagementApp

    def make(folder: Path):
        return EngagementApp(folder, folder.parent)
    return make


# --------------------------------------------------------------------------- KPIs
def test_weight_control_recomputes_contract_score_by_hand(make_client, app_on) -> None:
    """conftest's demo client: Company's contract is K01 ratio 900/1000 = 90, K02 linear 93.5 in 85/95/98 = 94,
    K03 grade B = 85, K04 binary yes = 100; weights 40/30/20/10."""
    folder = make_client(fmt="xlsx")
    app = app_on(folder)
    kv, eng = app.kpi_view, app.engagement
    kv.owner_dd.value = "Company/"
    scores = eng.analysis.kpis["score"]
    assert [round(scores[k], 6) for k in ("K01", "K02", "K03", "K04")] == [90, 94, 85, 100]
    assert eng.analysis.contracts.loc["Company/", "score"] == pytest.approx((40 * 90 + 30 * 94 + 20 * 85 + 10 * 100) / 100)

    kv.inputs["K01"]["weight"].value = 30.0  # the FloatText of K01's weight
    assert "sum to 90" in kv.msg_labels["K01"].value  # inline message under the control just edited
    assert kv.msg_labels["K02"].value == ""
    kv.inputs["K02"]["weight"].value = 40.0
    expected = (30 * 90 + 40 * 94 + 20 * 85 + 10 * 100) / 100  # 91.6
    assert eng.analysis.contracts.loc["Company/", "score"] == pytest.approx(expected)
    assert "91.6" in kv.score_html.value
    assert kv.msg_labels["K01"].value == "" and not eng.errors

    kv.inputs["K02"]["target"].value = 93.5  # actual 93.5 on target → 100
    assert eng.analysis.kpis.loc["K02", "score"] == pytest.approx(100)
    assert eng.analysis.contracts.loc["Company/", "score"] == pytest.approx((30 * 90 + 40 * 100 + 20 * 85 + 10 * 100) / 100)


@pytest.mark.parametrize("client_id", DEMOS)
def test_weight_edit_on_demo_clients(tmp_path: Path, app_on, client_id: str) -> None:
    folder = copy_client(tmp_path, client_id)
    app = app_on(folder)
    kv, eng = app.kpi_view, app.engagement
    contract = kv.owner_dd.value
    a = eng.analysis
    kids = [k for k in kv.inputs if a.kpis.loc[k, "status"] == "scored"]
    assert len(kids) >= 2
    assert sum(float(eng.table("kpis").set_index("kpi_id").loc[k, "weight"]) for k in kv.inputs) == pytest.approx(100)
    x, y = kids[0], kids[1]
    wx, wy = kv.inputs[x]["weight"].value, kv.inputs[y]["weight"].value
    kv.inputs[x]["weight"].value = wx + 5
    kv.inputs[y]["weight"].value = wy - 5
    a = eng.analysis
    c = a.contracts.loc[contract]
    if c["vetoed_by"] is None or c["vetoed_by"] != c["vetoed_by"]:
        members = [k for k in kv.inputs if a.kpis.loc[k, "status"] != "excluded"]
        w = eng.table("kpis").set_index("kpi_id")["weight"]
        expected = sum(w[k] * a.kpis.loc[k, "score"] for k in members) / sum(w[k] for k in members)
        assert c["score"] == pytest.approx(expected)
    assert not eng.errors


def test_target_and_why_edit_saved_rendered_and_backed_up(tmp_path: Path, app_on) -> None:
    """The workshop loop end to end: edit a KPI target and a 5-Why answer, save, render; the change is in the
    intake workbook and in the deliverable, and the previous workbook is in the backup."""
    import openpyxl

    folder = copy_client(tmp_path, "huaxin-steel")
    before = (folder / "intake.xlsx").read_bytes()
    app = app_on(folder)
    eng = app.engagement
    old_score = eng.analysis.kpis.loc["K01", "score"]
    eng.set_kpi("K01", target=360000)  # actual 352800: ratio 100 x 352800 / 360000 = 98.0
    assert eng.analysis.kpis.loc["K01", "score"] == pytest.approx(98.0) and old_score != pytest.approx(98.0)
    chain = app.diagnosis_view.chain_dd.value
    app.diagnosis_view.step_widgets[1]["answer"].value = "新答案：连铸二冷水配比未按钢种固化"
    res = app.save()
    assert res.ok, res.report.format()
    assert res.backup is not None and (res.backup / "intake.xlsx").read_bytes() == before
    wb = openpyxl.load_workbook(folder / "intake.xlsx")
    ws = wb["kpis"]
    head = [c.value for c in ws[1]]
    k01 = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[head.index("kpi_id")] == "K01")
    assert k01[head.index("target")] == 360000
    run = eng.render(tmp_path / "build")
    assert run.status == "ok", run.error
    html = (tmp_path / "build" / "huaxin-steel" / "report.html").read_text(encoding="utf-8")
    assert "新答案：连铸二冷水配比未按钢种固化" in html
    assert "360,000" in html or "360000" in html
    doc = __import__("json").loads((tmp_path / "build" / "huaxin-steel" / "results.json").read_text(encoding="utf-8"))
    assert doc["kpis"]["K01"]["score"] == pytest.approx(98.0)
    assert chain is not None


# --------------------------------------------------------------------------- diagnosis
def test_five_why_answer_edit(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    app = app_on(folder)
    dv, eng = app.diagnosis_view, app.engagement
    chain = dv.chain_dd.value
    assert chain is not None and 2 in dv.step_widgets
    dv.step_widgets[2]["answer"].value = "连铸工艺参数未固化"
    assert eng.chain(chain).set_index("step").loc[2.0, "answer"] == "连铸工艺参数未固化"
    eng.set_why(chain, 2, root_cause=True)  # a second root cause in the chain: an error on the chain's steps
    assert eng.messages("whys", column="root_cause", severity="error")
    eng.set_why(chain, 2, root_cause=False)
    assert not eng.errors
    res = app.save()
    assert res.ok, res.report.format()
    again = Engagement(folder)
    assert again.chain(chain).set_index("step").loc[2.0, "answer"] == "连铸工艺参数未固化"


def test_cause_editor_category_and_message(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "jinfeng-logistics")
    app = app_on(folder)
    dv, eng = app.diagnosis_view, app.engagement
    labels = [label for label, _ in dv.c_category.options]
    assert labels == [c.label("zh") for c in eng.categories]  # the client's own categories, in its language
    pid = dv.problem_id
    msgs = eng.add_cause("C98", pid, "天气", "未知类别")
    assert any(m.column == "category" for m in msgs)
    eng.edit_cause("C98", category=dv.c_category.options[0][1], impact=5, effort=1)
    assert not eng.errors
    assert eng.analysis.diagnosis.loc["C98", "priority"] == 25
    dv._set_cause_options("C98")
    dv.c_impact.value = 2  # through the widget
    assert eng.analysis.diagnosis.loc["C98", "priority"] == 10


def test_problem_add_edit_delete(tmp_path: Path) -> None:
    eng = Engagement(copy_client(tmp_path, "riverside-hospital"))
    assert not eng.add_problem("PX", "Long waits", metric="minutes", current=45, target=30)
    assert eng.add_problem("PX", "again")[0].column == "problem_id"
    assert eng.edit_problem("PX", current="forty")[0].column == "current"
    assert not eng.edit_problem("PX", current=40)
    eng.delete_problem("PX")
    assert "PX" not in set(eng.table("problems")["problem_id"])
    assert not eng.errors


# --------------------------------------------------------------------------- self-assessment
@pytest.mark.parametrize("client_id", ["huaxin-steel", "riverside-hospital"])
def test_assessment_score_moves_total(tmp_path: Path, app_on, client_id: str) -> None:
    folder = copy_client(tmp_path, client_id)
    app = app_on(folder)
    av, eng = app.assessment_view, app.engagement
    item = av.framework.items[0]
    av.item_dd.value = item.id
    assert str(item.points) in av.info_html.value and item.name(eng.lang) in av.info_html.value
    assert av.framework.lens_name(item.lens, eng.lang) in av.info_html.value
    for box in av.score_inputs.values():
        box.value = "50"
    total0 = eng.analysis.assessment.total
    for box in av.score_inputs.values():
        box.value = "70"
    assert eng.analysis.assessment.total == pytest.approx(total0 + item.points * 20 / 100)
    assert f"{eng.analysis.assessment.total:.1f}".rstrip("0").rstrip(".") in av.total_html.value


def test_invalid_score_shows_message_and_save_refused(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")
    before = (folder / "intake.xlsx").read_bytes()
    app = app_on(folder)
    av = app.assessment_view
    assessor = next(iter(av.score_inputs))
    av.score_inputs[assessor].value = "42"
    assert "multiple of 5" in av.score_msgs[assessor].value
    res = app.save()
    assert res is not None and not res.ok
    assert "42" in app.save_out.value or "multiple of 5" in app.save_out.value
    assert (folder / "intake.xlsx").read_bytes() == before and not (folder / "backups").exists()
    av.score_inputs[assessor].value = "x"
    assert av.score_msgs[assessor].value  # not a number


# --------------------------------------------------------------------------- notebook
@pytest.mark.slow
def test_engagement_notebook_runs_under_papermill(tmp_path: Path) -> None:
    import nbformat
    import papermill as pm

    folder = copy_client(tmp_path, "huaxin-steel")
    out = tmp_path / "engagement.out.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "engagement.ipynb"), str(out), kernel_name="python3",
                        parameters={"client_folder": str(folder), "clients_root": str(folder.parent)},
                        cwd=str(tmp_path), progress_bar=False)
    nb = nbformat.read(out, 4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs if "data" in o)
    assert "业绩合同得分" in html and "华鑫特钢" in html
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
