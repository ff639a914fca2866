"""The deliverable HTML (workbench.deliverable.render + templates/deliverable): self-contained, localised, escaped, navigable."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from workbench.build.engine import execute_notebook
from workbench.intake.loading import load_client
from workbench.deliverable.render import MAX_BYTES, ReportError, exporter, render_html, render_report

HOSTILE = "<script>alert(1)</script>"


class Scan(HTMLParser):
    """Collects what a reviewer's browser would load or follow."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.html_lang: str | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "title":
            self._in_title = True
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        for attr in ("src", "href", "srcset", "poster", "data", "action"):
            if a.get(attr) and not (tag == "a" and attr == "href" and (a[attr] or "").startswith("#")):
                self.resources.append((tag, attr, a[attr] or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def scan(html: str) -> Scan:
    s = Scan()
    s.feed(html)
    return s


def assert_self_contained(html: str) -> Scan:
    s = scan(html)
    assert "script" not in s.tags, "the deliverable carries no script at all"
    for tag, attr, value in s.resources:
        assert value.startswith("data:"), f"<{tag} {attr}={value[:60]!r}> would load something"
    low = html.lower()
    for bad in ("require.js", "mathjax", "mermaid", "cdn.", "@import", "<link", "<iframe", "<object", "<embed"):
        assert bad not in low, bad
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", low)
    assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", low)
    return s


def assert_toc_resolves(s: Scan) -> list[str]:
    anchors = [h[1:] for h in s.links if h.startswith("#")]
    assert anchors, "the TOC has entries"
    missing = [a for a in anchors if a not in s.ids]
    assert not missing, missing
    assert all(re.fullmatch(r"sec-\d+(-\d+)*", a) for a in anchors), anchors
    return anchors


def tiny_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = nbformat.v4.new_code_cell("client_folder = ''\noutput_folder = ''")
    p.metadata.tags = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# maintainers' note: never rendered"),
        p,
        nbformat.v4.new_code_cell(
            "import sys, warnings\n"
            "from matplotlib.figure import Figure\n"
            "from workbench.deliverable import html as d, tables as rt\n"
            "import pandas as pd\n"
            "d.set_language('zh')\n"
            "print('stdout chatter')\n"
            "print('stderr warning text', file=sys.stderr)\n"
            "d.heading('执行摘要', 1)\n"
            "d.heading('核心得分 <b>', 2)\n"
            f"d.paragraph({HOSTILE!r})\n"
            f"d.show_table(pd.DataFrame({{'名称': [{HOSTILE!r}], '得分': [95.5]}}))\n"
            "d.note('注意 & 说明')\n"
            "d.no_data('问题清单')\n"),
        nbformat.v4.new_code_cell(
            "d.heading('问题诊断', 1)\n"
            "d.heading('鱼骨图分析', 2)\n"
            "fig = Figure(figsize=(4, 2)); ax = fig.add_subplot(); ax.plot([1, 2]); ax.set_title('趋势 <图>')\n"
            "d.show_figure(fig)\n"
            "d.heading('原因优先级', 2)\n"
            "'a plain expression result is not shown'"),
    ]
    return nb


@pytest.fixture
def hostile_client(make_client):
    folder = make_client(profile={"name": HOSTILE, "language": "zh", "consultant": "<b>顾问</b>", "period": "2026Q3"},
                         client_id="hostile")
    return load_client(folder)


@pytest.fixture
def executed() -> nbformat.NotebookNode:
    return execute_notebook(tiny_notebook(), {"client_folder": "x"})


def test_report_is_self_contained_titled_and_escaped(tmp_path: Path, executed, hostile_client) -> None:
    out = render_report([executed], hostile_client, tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    s = assert_self_contained(html)
    assert s.html_lang == "zh-CN"
    assert HOSTILE in s.title  # as text: the parser un-escapes it
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # cover, title, paragraph and table cell
    assert "&lt;b&gt;顾问&lt;/b&gt;" in html
    assert "<b>" not in html
    for hidden in ("stdout chatter", "stderr warning text", "maintainers", "d.heading", "plain expression"):
        assert hidden not in html, hidden
    assert 'aria-label="趋势 &lt;图&gt;"' in html and "<svg" in html and "<text" in html  # inline SVG, text as text
    assert "未提供数据：问题清单。" in html
    assert len(html.encode()) < MAX_BYTES
    assert not list(tmp_path.glob(".*tmp*")), "atomic write leaves no temp file"


def test_toc_ids_are_stable_and_resolve(executed, hostile_client) -> None:
    html = render_html([executed], hostile_client)
    s = scan(html)
    anchors = assert_toc_resolves(s)
    assert anchors == ["sec-1", "sec-1-1", "sec-2", "sec-2-1", "sec-2-2"]
    assert "一、" in html and "（一）" in html  # Chinese numbering
    assert html.count('class="wb-h wb-h1"') == 2


def test_english_client_and_many_notebooks(make_client, executed) -> None:
    client = load_client(make_client(profile={"name": "Riverside & Co", "language": "en", "period": "2026H1"}))
    html = render_html([executed, executed], client)
    s = scan(html)
    assert s.html_lang == "en"
    assert "Riverside & Co" in s.title and "Contents" in html and "H1 2026" in html
    assert assert_toc_resolves(s)[-1] == "sec-4-2"  # numbering continues across notebooks


def test_a_notebook_with_an_error_never_renders(executed, hostile_client) -> None:
    broken = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1/0")
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    broken.cells = [cell]
    with pytest.raises(ReportError, match="ZeroDivisionError"):
        render_html([executed, broken], hostile_client)


def test_one_exporter_per_process() -> None:
    assert exporter() is exporter()


# ------------------------------------------------------------------------------------------------
# Deliverable content (QA findings): summary gaps = gap lists, one "no data" per subsection, KPI notes,
# alt texts, figure lists, results.json from the notebooks.
# ------------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]


def _outputs(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(kind, text/html) of every workbench display output, in order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) or []:
            kind = o.get("metadata", {}).get("workbench", {}).get("kind")
            if kind:
                out.append((kind, o.get("data", {}).get("text/html", "")))
    return out


def _run_cells(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell("client_folder = ''\noutput_folder = ''")
    p.metadata.tags = ["parameters"]
    nb.cells = [p, *(nbformat.v4.new_code_cell(c) for c in cells)]
    return execute_notebook(nb, {})


def test_summary_plan_gaps_come_from_the_gap_lists_and_key_gaps_follow_the_v2_rule() -> None:
    from workbench.deliverable import notebook as wb
    from workbench.deliverable.tables import key_gaps_table, top_gaps

    folder = ROOT / "clients" / "huaxin-steel"
    if not folder.is_dir():
        pytest.fail("demo clients missing")
    a = wb.load(folder)
    gaps = top_gaps(a)
    text = "\n".join(gaps)
    listed = [i for k in ("root_causes_without_action", "kpis_below_60_without_action", "overdue_actions",
                          "red_kpis_without_review") for i in a.gaps[k]]
    assert listed, "the demo has gaps"
    for gid in listed[:5]:
        assert any(g.startswith(("根本原因 " + gid, "指标 " + gid, "改进行动 " + gid)) for g in gaps), (gid, gaps)
    # a KPI below 60 that has an action is not a plan gap (it is being worked on) unless nobody reviewed it
    k = a.kpis
    addressed_low = [kid for kid in k.index[(k["score"] < 60).fillna(False)] if kid not in listed]
    for kid in addressed_low:
        assert f"指标 {kid} " not in text, kid
    # key gaps: at most one item per category, by points lost
    html = key_gaps_table(a)
    ids = re.findall(r'<td class="id">(4\.\d\.\d)</td>', html)
    assert ids == list(a.key_gaps.index) and len({i[:3] for i in ids}) == len(ids) <= 5
    lost = [float(a.assessment.items.loc[i, "points"] - a.assessment.items.loc[i, "score"]) for i in ids]
    assert lost == sorted(lost, reverse=True)


def test_summary_never_says_no_gaps_while_an_action_is_overdue(make_client) -> None:
    from conftest import base_tables

    from workbench.analysis.analyse import analyse
    from workbench.deliverable.tables import top_gaps

    tables = base_tables()
    del tables["assessment"]
    tables["actions"][1]["due"] = "2026-08-01"  # planned, due before the end of 2026Q3: overdue
    a = analyse(load_client(make_client(tables)))
    assert a.gaps["overdue_actions"] == ["A02"]
    gaps = top_gaps(a)
    assert gaps and any("A02" in g and "overdue" in g for g in gaps), gaps
    n = sum(len(a.gaps[k]) for k in ("root_causes_without_action", "kpis_below_60_without_action", "overdue_actions",
                                     "red_kpis_without_review"))
    assert len(gaps) == min(n, 5) + (1 if n > 5 else 0)


def test_missing_actual_notes_follow_the_policy(make_client) -> None:
    from conftest import base_tables

    from workbench.analysis.analyse import analyse
    from workbench.deliverable.tables import kpi_scores

    tables = base_tables()
    tables["actuals"] = [r for r in tables["actuals"] if r["kpi_id"] != "K06"]
    zero = analyse(load_client(make_client(tables, profile={"name": "Z", "language": "en", "missing_actuals": "zero"},
                                           client_id="zero")))
    html = kpi_scores(zero)
    row = re.search(r"<tr[^>]*><td class=\"id\">K06</td>.*?</tr>", html).group(0)
    assert "No actual: scored 0" in row and ">0.0<" in row
    excl = analyse(load_client(make_client(tables, profile={"name": "E", "language": "zh"}, client_id="excl")))
    row = re.search(r"<tr[^>]*><td class=\"id\">K06</td>.*?</tr>", kpi_scores(excl)).group(0)
    assert "已剔除" in row and "权重重新归一" in row


def test_kpi_units_do_not_wrap_and_the_note_column_only_when_needed(make_client) -> None:
    from conftest import base_tables

    from workbench.analysis.analyse import analyse
    from workbench.deliverable.tables import kpi_scores

    html = kpi_scores(analyse(load_client(make_client())))
    assert '<td class="small unit"><span class="nowrap">万元</span></td>' in html
    assert ">Note</th>" not in html, "no KPI needs a note: no empty Note column"
    tables = base_tables()
    tables["actuals"] = [r for r in tables["actuals"] if r["kpi_id"] != "K06"]
    html = kpi_scores(analyse(load_client(make_client(tables, client_id="excl"))))
    assert ">Note</th>" in html and "No actual: left out, weights renormalised" in html


def test_no_data_is_said_once_per_subsection_and_findings_are_not_missing_data() -> None:
    nb = _run_cells(
        "from workbench.deliverable import notebook as wb\nfrom workbench.deliverable.html import set_language\nset_language('zh')\n"
        "wb.heading('原因优先级', 2)\n"
        "wb.table(None, empty='原因分析')\nwb.figure(print, None, empty='原因分析')\nwb.figure(print, [], empty='原因分析')\n"
        "wb.heading('类目得分', 2)\nwb.figure(print, None, empty='卓越绩效自评')\nwb.table(None)\n"
        "wb.heading('结转', 2)\nwb.table(None, empty='改进行动计划', nothing='本期没有结转至下一周期的事项。', when=[1])\n"
        "wb.heading('结转2', 2)\nwb.table(None, empty='改进行动计划', nothing='本期没有结转至下一周期的事项。', when=None)\n")
    outs = _outputs(nb)
    kinds = [k for k, _ in outs]
    assert kinds == ["heading", "no_data", "heading", "no_data", "heading", "note", "heading", "no_data"], kinds
    html = [h for k, h in outs if k != "heading"]
    assert "未提供数据：原因分析。" in html[0] and "未提供数据：卓越绩效自评。" in html[1]
    assert "未提供数据" not in html[2] and "本期没有结转至下一周期的事项。" in html[2]
    assert "未提供数据：改进行动计划。" in html[3]


def test_figure_accepts_one_figure_or_a_list_and_alt_is_the_chart_title() -> None:
    nb = _run_cells(
        "from matplotlib.figure import Figure\n"
        "from workbench.deliverable import notebook as wb\nfrom workbench.deliverable.charts import style\n"
        "def one(n):\n    f = Figure(figsize=(3, 2)); style.title(f, f'趋势 {n}'); f.add_subplot().plot([1, 2]); return f\n"
        "def many(n):\n    return [one(i) for i in range(n)]\n"
        "wb.heading('x', 2)\nwb.figure(one, 7)\nwb.figure(many, 2)\nwb.figure(many, 0, empty='历史实际值')")
    nb_outs = [o for c in nb.cells for o in c.get("outputs", []) or []]
    figs = [o.metadata["workbench"] for o in nb_outs if o.get("metadata", {}).get("workbench", {}).get("kind") == "figure"]
    assert [f["alt"] for f in figs] == ["趋势 7", "趋势 0", "趋势 1"]
    assert [o.metadata["workbench"]["kind"] for o in nb_outs][-1] == "no_data"


def test_report_charts_have_alt_texts_and_bands_match_the_charts(make_client) -> None:
    from workbench.analysis.analyse import analyse
    from workbench.deliverable.charts import assessment_heatmap, gantt_for, kpi_trees_for
    from workbench.deliverable.html import _alt_of
    from workbench.core.i18n import t
    from workbench.deliverable.tables import assessment_items, method_notes

    a = analyse(load_client(make_client()))
    for fig in [assessment_heatmap(a.assessment.items, "en"), gantt_for(a), *kpi_trees_for(a)]:
        assert _alt_of(fig).strip(), fig
    notes = " ".join(method_notes(a))
    for band in ("good", "ok", "bad"):
        assert t(f"charts.status.{band}", "en") in notes
    flagged = a.assessment.items.index[a.assessment.items["flagged"]].tolist()
    html = assessment_items(a)
    for iid in flagged:
        assert re.search(rf'<tr class="wb-flag"><td class="id">{re.escape(iid)}</td>', html), iid
    css = (ROOT / "templates" / "deliverable" / "deliverable.css").read_text(encoding="utf-8")
    td_rule = re.search(r"\.wb-t td \{[^}]*\}", css).group(0)
    assert "overflow-wrap: anywhere" not in td_rule and "word-break: normal" in td_rule, td_rule
    assert ".wb-t tbody tr.wb-flag td" in css


def test_plain_papermill_writes_results_json_into_output_folder(demo_client: Path, tmp_path: Path) -> None:
    """``papermill notebooks/00_summary.ipynb out.ipynb -p client_folder X -p output_folder Y`` leaves Y/results.json,
    the same document as ``results.results_document`` (papermill's default engine: a real kernel)."""
    import json

    import papermill

    from workbench.analysis.analyse import analyse
    from workbench.analysis.results import results_document

    out_folder = tmp_path / "build" / "demo"
    papermill.execute_notebook(str(ROOT / "notebooks" / "00_summary.ipynb"), str(tmp_path / "out.ipynb"),
                               parameters={"client_folder": str(demo_client), "output_folder": str(out_folder)},
                               kernel_name="python3", progress_bar=False, log_output=False, cwd=str(ROOT))
    doc = json.loads((out_folder / "results.json").read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(results_document(analyse(load_client(demo_client)))))
    assert [p.name for p in out_folder.iterdir()] == ["results.json"], "atomic: no temp file left"


def test_missing_actual_is_worded_as_missing_data_and_listed_in_the_data_notes():
    """A zero-policy KPI without an actual stays in the gap lists, worded as missing data, and the appendix
    lists it; the footer uses the formatted period; the category rate's unscored items are footnoted."""
    from workbench.deliverable import notebook as wb, tables as rt

    a = wb.load("clients/jinfeng-logistics")
    missing = [str(k) for k, m in a.kpis["missing"].items() if m is True]
    if not missing:
        pytest.skip("jinfeng-logistics has no KPI without an actual")
    kid = missing[0]
    gaps = rt.top_gaps(a)
    assert any(kid in g and "无本期实际值" in g for g in gaps)
    assert not any(kid in g and "低于60分" in g for g in gaps)
    assert "无本期实际值" in (rt.gaps_table(a) or "")
    assert any(kid in n and "计0分" in n for n in rt.data_notes(a))
    assert all("：" in g for g in gaps if g.startswith("根本原因"))
    if a.assessment is not None and a.assessment.unscored_points:
        assert "wb-tnote" in rt.assessment_categories(a)


def test_display_helpers_never_import_the_tables() -> None:
    """Layering: the tables build on the display helpers (html), never the other way round (no import cycle), even
    when a DataFrame is shown (escaped by pandas)."""
    import subprocess
    import sys

    code = ("import sys, pandas as pd, IPython.display as d\n"
            "d.publish_display_data = lambda data, metadata=None: print(data['text/html'])\n"
            "from workbench.deliverable.html import show_table\n"
            "show_table(pd.DataFrame({'a': ['<b>x</b>']}))\n"
            "print('workbench.deliverable.tables' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
    assert "&lt;b&gt;x&lt;/b&gt;" in out.stdout and "<b>x</b>" not in out.stdout
