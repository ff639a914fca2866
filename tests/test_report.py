"""The deliverable HTML (workbench.report + templates/deliverable): self-contained, localised, escaped, navigable."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from workbench.engine import execute_notebook
from workbench.intake import load_client
from workbench.report import MAX_BYTES, ReportError, exporter, render_html, render_report

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
            "from workbench import display as d, report_tables as rt\n"
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
    assert 'alt="趋势 &lt;图&gt;"' in html and "data:image/png;base64," in html
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
