"""The engagement widgets: set a control's value, the analysis recomputes, messages appear next to the field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.core.numfmt import fmt_points
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
    assert f"<b>{fmt_points(eng.analysis.assessment.total)}</b>" in av.total_html.value


def test_invalid_score_shows_message_and_save_refused(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")
    before = (folder / "intake.xlsx").read_bytes()
    app = app_on(folder)
    av = app.assessment_view
    assessor = next(iter(av.score_inputs))
    av.score_inputs[assessor].value = "42"
    assert "multiple of 5" in av.score_msgs[assessor].value
    item = av.item_dd.value
    res = app.save()
    assert res is not None and not res.ok
    # the refusal names the row as the widgets do (item/assessor, column), with the rule broken
    row = next(r for r in app.save_out.value.split("<tr>") if f"{item}/{assessor}" in r)
    assert "score_pct" in row and "multiple of 5" in row
    assert (folder / "intake.xlsx").read_bytes() == before and not (folder / "backups").exists()
    av.score_inputs[assessor].value = "x"
    assert av.score_msgs[assessor].value  # not a number


# --------------------------------------------------------------------------- actuals, baseline, KPIs
def test_actual_per_period_and_baseline_rescore(make_client, app_on) -> None:
    """conftest client: K01 ratio, target 1000, actual 900 in 2026Q3 (score 90), 800 in 2026Q2."""
    folder = make_client(fmt="xlsx")
    app = app_on(folder)
    kv, eng = app.kpi_view, app.engagement
    kv.owner_dd.value = "Company/"
    assert set(kv.periods()) == {"2026Q2", "2026Q3"}
    assert kv.actual_inputs[("K01", "2026Q2")].value == "800"
    kv.actual_inputs[("K01", "2026Q3")].value = "950"
    assert eng.analysis.kpis.loc["K01", "score"] == pytest.approx(95)
    assert "95" in kv.kpi_scores["K01"].value
    kv.inputs["K01"]["baseline"].value = "700"  # progress = (950 - 700) / (1000 - 700)
    assert eng.analysis.kpis.loc["K01", "progress"] == pytest.approx(250 / 300)
    kv.actual_inputs[("K01", "2026Q3")].value = "lots"  # refused: the last number stays, the refusal under K01
    assert eng.actual("K01", "2026Q3") == 950 and eng.analysis.kpis.loc["K01", "score"] == pytest.approx(95)
    assert "2026Q3" in kv.actual_msgs["K01"].value and "lots" in kv.actual_msgs["K01"].value
    kv.actual_inputs[("K01", "2026Q3")].value = ""  # blank: no actual, the KPI is excluded (missing_actuals: exclude)
    assert eng.analysis.kpis.loc["K01", "status"] == "excluded" and not eng.errors
    kv.new_period.value = "2026Q4"
    kv.btn_period.click()
    kv.actual_inputs[("K02", "2026Q4")].value = "97"
    res = app.save()
    assert res.ok, res.report.format()
    again = Engagement(folder)
    assert again.actual("K02", "2026Q4") == 97 and again.actual("K01", "2026Q3") is None
    assert again.table("kpis").set_index("kpi_id").loc["K01", "baseline"] == 700


def test_add_and_remove_a_kpi_with_parent_objective_and_owner(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")
    app = app_on(folder)
    kv, eng = app.kpi_view, app.engagement
    ed = kv.editor
    contract = kv.owner_dd.value
    sibling = kv.kpis_of(contract)[0]
    assert not ed.btn_add.disabled  # adding is possible at once, no "(new)" to pick first
    idx = ed.add()
    kid = str(eng.table("kpis").at[idx, "kpi_id"])
    assert kid not in {str(r["kpi_id"]) for r in kv.kpis_of(contract)[:-1]}
    assert eng.contract_of(kid) == contract  # the new KPI belongs to the owner on screen
    assert "required" in ed.msgs["kpi"].value and "required" in ed.msgs["method"].value  # next to the fields
    ed.fields["kpi"].value = "Falls per 1,000 bed days"
    ed.fields["method"].value = "ratio"
    ed.fields["direction"].value = "lower"
    ed.fields["target"].value = "2"
    ed.fields["parent_kpi_id"].value = str(sibling["kpi_id"])
    objective = ed.fields["objective_id"].options[1][1]
    ed.fields["objective_id"].value = objective
    ed.fields["weight"].value = "10"
    assert "sum to 110" in " ".join(m.text for m in eng.messages("kpis", column="weight"))
    assert kid in kv.inputs  # the grid of the owner lists it
    kv.actual_inputs[(kid, str(eng.profile.period))].value = "2.5"
    assert eng.analysis.kpis.loc[kid, "score"] == pytest.approx(80)  # lower: 100 x 2 / 2.5
    row = eng.table("kpis").set_index("kpi_id").loc[kid]
    assert (row["parent_kpi_id"], row["objective_id"]) == (str(sibling["kpi_id"]), objective)
    ed.delete()
    assert kid not in set(eng.table("kpis")["kpi_id"]) and eng.actual(kid, str(eng.profile.period)) is None
    assert kid not in kv.inputs and not eng.errors


# --------------------------------------------------------------------------- strategy, plan
def test_objective_and_link_editors(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "jinfeng-logistics")
    app = app_on(folder)
    sv, eng = app.strategy_view, app.engagement
    idx = sv.objectives.add()
    oid = str(eng.table("objectives").at[idx, "objective_id"])
    assert "必填" in sv.objectives.msgs["objective"].value  # next to the field, in the client's language
    sv.objectives.fields["perspective"].value = "customer"
    sv.objectives.fields["objective"].value = "准时交付领先同行"
    assert oid in eng.analysis.objectives.index
    sv.links.add()  # from the selected objective
    link = sv.links.idx
    assert eng.table("links").at[link, "from_objective"] == oid
    target = next(v for _, v in sv.links.fields["to_objective"].options if v != oid)
    sv.links.fields["to_objective"].value = target
    back = sv.links.add()
    sv.links.fields["from_objective"].value = target
    sv.links.fields["to_objective"].value = oid  # oid -> target -> oid: a cycle
    assert sv.links.msgs["from_objective"].value or sv.links.msgs["to_objective"].value or sv.links.row_msg.value
    sv.links.delete()
    assert back not in eng.table("links").index and not eng.errors
    assert app.save().ok
    again = Engagement(folder)
    assert oid in set(again.table("objectives")["objective_id"])
    assert ((again.table("links")["from_objective"] == oid) & (again.table("links")["to_objective"] == target)).any()


def test_action_editor_with_smart_warnings_next_to_fields(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    app = app_on(folder)
    pv, eng = app.plan_view, app.engagement
    ed = pv.editor
    idx = ed.add()
    aid = eng.key_of("actions", idx)
    assert "没有可衡量的数值" in ed.msgs["goal"].value and "没有验收标准" in ed.msgs["acceptance"].value
    assert "没有责任人" in ed.msgs["owner"].value
    assert "必填" in ed.msgs["due"].value and "没有完成日期" in ed.msgs["due"].value  # required, and SMART says so
    ed.fields["action"].value = "推行快速换模 SMED"
    ed.fields["owner_unit"].value = "炼钢厂"
    ed.fields["owner"].value = "王强"
    ed.fields["goal"].value = "换模时间缩短到 30 分钟以内"
    ed.fields["due"].value = "2026/12/31"  # typed the way people type dates
    ed.fields["acceptance"].value = "连续 3 个月换模 ≤ 30 分钟"
    ed.fields["addresses"].value = "K01, C04"
    assert not any(ed.msgs[c].value for c in ("goal", "due", "owner", "acceptance")), [ed.msgs[c].value for c in ed.msgs]
    assert eng.smart(idx) == [] and not eng.errors
    assert aid in pv.overview_html.value
    if "reason" in ed.fields:
        ed.fields["status"].value = "deferred"
        ed.fields["reason"].value = "资金下季度到位"
    assert app.save().ok
    again = Engagement(folder).table("actions").set_index("action_id").loc[aid]
    assert str(again["due"])[:10] == "2026-12-31" and list(again["addresses"]) == ["K01", "C04"]


def test_messages_name_rows_as_the_widgets_show_them(tmp_path: Path) -> None:
    eng = Engagement(copy_client(tmp_path, "huaxin-steel"))
    idx = eng.table("objectives").index[1]
    msgs = eng.set_row("objectives", idx, objective_id="F1")
    dup = next(m for m in msgs if m.column == "objective_id")
    assert dup.key == "F1" and "行" not in dup.text and "row" not in dup.text and "F1" in dup.text
    eng.set_row("objectives", idx, objective_id="F2")
    eng.set_kpi("K01", weight=30)
    weight = next(m for m in eng.errors if m.column == "weight")
    assert weight.key == "K01" and "K01, K02" in weight.text and "行" not in weight.text  # keys, not Excel rows
    assert "权重之和" in weight.text  # the client's language


def test_add_buttons_enabled_when_adding_is_possible(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "huaxin-steel")
    app = app_on(folder)
    dv, eng = app.diagnosis_view, app.engagement
    assert dv.problem_id is not None and not dv.btn_add_problem.disabled and not dv.btn_add_cause.disabled
    n = len(eng.table("problems"))
    dv.btn_add_problem.click()  # with a problem selected: a fresh problem, selected, its empty text flagged
    assert len(eng.table("problems")) == n + 1 and dv.problem_id == eng.table("problems")["problem_id"].iloc[-1]
    assert "必填" in dv.p_msg.value  # what is missing, under the form, in the client's language
    for editor in (app.kpi_view.editor, app.strategy_view.objectives, app.strategy_view.links, app.plan_view.editor):
        assert not editor.btn_add.disabled


def test_findings_and_feedback_editors(tmp_path: Path, app_on) -> None:
    folder = copy_client(tmp_path, "riverside-hospital")
    app = app_on(folder)
    eng = app.engagement
    assert "findings" in app.page.tab_keys
    fv = app.findings_view.editor
    idx = fv.add()
    fid = eng.key_of("findings", idx)
    assert fv.msgs["finding"].value  # the headline is required: said under its field
    fv.fields["finding"].value = "Discharge delays, not admissions, drive the bed shortage"
    fv.fields["so_what"].value = "Elective surgery is cancelled twice a week"
    fv.fields["rank"].value = "1"
    av = app.assessment_view
    av.item_dd.value = "4.7.2" if any(i.id == "4.7.2" for i in av.framework.items) else av.framework.items[-1].id
    results_item = av.item_dd.value
    fb = av.feedback
    assert [v for _, v in fb.fields["dimension"].options][1:] == ["Le", "T", "C", "I"]  # what fits a results item
    fb.add()
    fb.fields["comment"].value = "Readmission rate improved three years running"
    fb.fields["dimension"].value = "T"
    fb.fields["key"].value = True
    av.item_dd.value = av.framework.items[0].id  # a process item: its own feedback rows, A/D/L/I
    assert [v for _, v in fb.fields["dimension"].options][1:] == ["A", "D", "L", "I"]
    assert all(str(eng.table("feedback").at[i, "item_id"]) == av.item_dd.value for i in fb.rows())
    assert not eng.errors, [str(m) for m in eng.errors]
    assert app.save().ok
    again = Engagement(folder)
    f = again.table("findings").set_index("finding_id").loc[fid]
    assert f["finding"].startswith("Discharge delays") and f["rank"] == 1
    fbk = again.table("feedback")
    row = fbk[fbk["comment"] == "Readmission rate improved three years running"].iloc[0]
    assert (row["item_id"], row["kind"], row["dimension"], bool(row["key"])) == (results_item, "strength", "T", True)


# --------------------------------------------------------------------------- client switch, state, render
def test_switching_client_keeps_unsaved_edits_and_shows_only_the_current_client(tmp_path: Path) -> None:
    from workbench.widgets import EngagementApp

    a = copy_client(tmp_path, "huaxin-steel")
    b = copy_client(tmp_path, "riverside-hospital")
    app = EngagementApp(a, a.parent)
    shown: list[str] = []

    class Handle:
        def update(self, obj) -> None:
            shown.append(getattr(obj, "data", "") or "")

    app.register_state([Handle()])
    eng_a = app.engagement
    eng_a.set_kpi("K01", target=360000)
    app.kpi_view.inputs["K02"]["weight"].value = 25.0
    app.chooser.value = str(b.resolve())
    assert app.engagement.profile.id == "riverside-hospital"
    assert "Riverside" in app.header.value and "华鑫" not in app.header.value
    assert 'data-client="riverside-hospital"' in shown[-1]  # the notebook's state output follows
    assert app.chooser.label.startswith("riverside-hospital")
    labels = dict((v, k) for k, v in app.chooser.options)
    assert labels[str(a.resolve())].startswith("● ")  # the draft is marked
    assert "huaxin-steel" in app.drafts_html.value
    app.chooser.value = str(a.resolve())
    assert app.engagement is eng_a and eng_a.dirty  # every edit is still there
    assert eng_a.table("kpis").set_index("kpi_id").loc["K01", "target"] == 360000
    assert app.kpi_view.inputs["K02"]["weight"].value == 25.0
    assert 'data-client="huaxin-steel"' in shown[-1]
    assert str(b.resolve()) not in app.pages  # a clean client is re-read from disk next time
    app.discard()
    assert not app.engagement.dirty


def test_render_runs_in_the_background(tmp_path: Path, app_on) -> None:
    import time

    folder = copy_client(tmp_path, "jinfeng-logistics")
    app = app_on(folder)
    app.out_text.value = str(tmp_path / "build")
    t0 = time.monotonic()
    job = app.render()
    assert time.monotonic() - t0 < 3 and job.running  # the kernel is free at once
    msgs = app.engagement.set_kpi(app.engagement.table("kpis")["kpi_id"].iloc[0], target=1)  # editing meanwhile
    assert isinstance(msgs, list) and job.running
    assert app.render() is job  # one build a client at a time
    job.wait(300)
    assert job.ok, (job.errors, job.stdout)
    assert job.report == tmp_path / "build" / "jinfeng-logistics" / "report.html" and job.report.is_file()
    assert app.progress.value == app.progress.max == job.total
    assert "report.html" in app.render_out.value and "未保存" in app.render_out.value


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
    assert '<svg' in html and "战略地图" in html and 'data-gid="objective:F1"' in html  # the strategy map, inline SVG
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


# --------------------------------------------------------------------------- drafts of unsaved edits
@pytest.mark.parametrize("client_id", DEMOS)
def test_draft_round_trip_keeps_every_table_exactly(tmp_path: Path, client_id: str) -> None:
    """Every table of every demo client survives the draft file cell for cell, dtype for dtype."""
    from workbench.widgets.drafts import read_draft, write_draft

    eng = Engagement(copy_client(tmp_path, client_id))
    tables = {k: v for k, v in eng.tables.items() if v is not None}
    write_draft(eng.folder, "base", tables)
    draft, problem = read_draft(eng.folder)
    assert problem is None and draft is not None and set(draft.tables) == set(tables)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(draft.tables[name], df, check_index_type=False, obj=name)


def test_draft_of_unsaved_edits_survives_a_new_session_and_goes_when_saved(tmp_path: Path, app_on) -> None:
    """Edit, lose the kernel (a new Engagement on the folder): the draft is offered, not applied; restored, the
    edits and their scores are back; saved, the draft is gone. A stale draft (the intake changed on disk since)
    cannot be restored, and a damaged one is reported, never trusted."""
    folder = copy_client(tmp_path, "huaxin-steel")
    eng = Engagement(folder)
    assert eng.draft is None
    eng.set_kpi("K01", target=360000)  # ratio 100 x 352800 / 360000 = 98.0
    assert (folder / ".workbench" / "draft.json").is_file()

    app = app_on(folder)  # the next session
    again = app.engagement
    assert again.draft is not None and not again.dirty and not again.draft_stale
    assert again.analysis.kpis.loc["K01", "score"] != pytest.approx(98.0)  # offered, not applied
    assert app.page.draft_bar.layout.display == "flex" and "kpis" in app.page.draft_html.value
    assert app.restore_draft()
    eng2 = app.engagement
    assert eng2.dirty and eng2.analysis.kpis.loc["K01", "score"] == pytest.approx(98.0)
    assert eng2.tables["kpis"].set_index("kpi_id").loc["K01", "target"] == 360000
    assert app.page.draft_bar.layout.display == "none"
    res = app.save()
    assert res.ok and not (folder / ".workbench" / "draft.json").exists()

    # stale: a draft is kept, then the workbook changes on disk (someone saved it in Excel meanwhile)
    import openpyxl

    from workbench.intake.writeback import fingerprint

    Engagement(folder).set_kpi("K01", target=375000)
    wb = openpyxl.load_workbook(folder / "intake.xlsx")
    wb.properties.title = "saved in Excel meanwhile"
    wb.save(folder / "intake.xlsx")
    late = Engagement(folder)
    assert late.draft is not None and late.draft_stale and late.draft.base != fingerprint(folder)
    assert not late.restore_draft() and not late.dirty  # restoring would overwrite the change on disk
    late_app = app_on(folder)
    assert late_app.page.restore_btn.layout.display == "none" and "磁盘上被修改" in late_app.page.draft_html.value  # zh client
    late_app.discard_draft()
    assert not (folder / ".workbench" / "draft.json").exists() and late_app.page.draft_bar.layout.display == "none"

    (folder / ".workbench" / "draft.json").write_text("{not json", encoding="utf-8")
    broken = Engagement(folder)
    assert broken.draft is None and "draft.json" in (broken.draft_problem or "")
    broken_app = app_on(folder)  # said on opening, with Discard only (never restored)
    page = broken_app.page
    assert page.draft_bar.layout.display == "flex" and "无法读取" in page.draft_html.value
    assert "draft.json" in page.draft_html.value and page.restore_btn.layout.display == "none"
    broken_app.discard_draft()
    assert not (folder / ".workbench" / "draft.json").exists() and page.draft_bar.layout.display == "none"
