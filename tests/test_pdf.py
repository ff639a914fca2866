"""report.pdf, checked the way a reader would: page numbers, contents page numbers, embedded fonts, no blank or
heading-only page, a plausible length; page PNGs kept under test-artifacts/pdf/<client>/ for a human to look at.

Uses poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm), installed by scripts/install.sh.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
from PIL import Image

from workbench.build.runner import run_client
from workbench.core.status import css_variables
from workbench.deliverable import render
from workbench.deliverable.pdf import PdfError, pdf_bytes

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
DEMOS = ["huaxin-steel", "jinfeng-logistics", "riverside-hospital"]
PAGES = (15, 45)  # stated range for the demo clients (36, 29 and 27 pages when this test was written)
PAGE_RE = {"zh": re.compile(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页"), "en": re.compile(r"Page (\d+) of (\d+)")}
LANG = {"huaxin-steel": "zh", "jinfeng-logistics": "zh", "riverside-hospital": "en"}


def _tool(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} missing: install poppler-utils (scripts/install.sh)")
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_texts(pdf: Path) -> list[str]:
    return _tool("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    n = int(re.search(r"Pages:\s+(\d+)", _tool("pdfinfo", str(pdf))).group(1))
    info = _tool("pdfinfo", "-f", "1", "-l", str(n), str(pdf))
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("build")
    built = {}
    for cid in DEMOS:
        res = run_client(ROOT / "clients" / cid, out, pdf=True)
        assert res.ok, res.error
        assert "pdf" in res.timings
        built[cid] = out / cid / "report.pdf"
        assert (out / cid / "report.html").is_file()
    return built


@pytest.mark.slow
@pytest.mark.parametrize("cid", DEMOS)
def test_demo_pdf_reads_like_a_printed_report(cid: str, pdfs: dict[str, Path]) -> None:
    pdf = pdfs[cid]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    texts = page_texts(pdf)
    n = len(texts)
    assert PAGES[0] <= n <= PAGES[1], f"{cid}: {n} pages"
    sizes = page_sizes(pdf)
    assert all(abs(min(w, h) - 595.3) < 1 and abs(max(w, h) - 841.9) < 1 for w, h in sizes)  # A4

    # "page x of y" on every page but the cover, in the client's language, and right
    assert not PAGE_RE[LANG[cid]].search(texts[0])
    for i, text in enumerate(texts[1:], start=2):
        m = PAGE_RE[LANG[cid]].findall(text)
        assert m == [(str(i), str(n))], f"{cid} page {i}: {m}"

    # the running header names the client on every page but the cover
    import yaml

    name = yaml.safe_load((ROOT / "clients" / cid / "client.yaml").read_text(encoding="utf-8"))["name"]
    for i, text in enumerate(texts[1:], start=2):
        assert name in text.lstrip().split("\n", 1)[0], f"{cid} page {i}: no running header"

    # the contents page lists page numbers, and each heading is on the page it says
    toc = texts[1]
    entries = re.findall(r"^\s*(\S+)\s+(\S.*?\S)\s{2,}(\d+)\s*$", toc, re.M)
    assert len(entries) >= 10, toc[:500]
    for number, title, page in entries:
        body = re.sub(r"\s+", "", texts[int(page) - 1])
        assert re.sub(r"\s+", "", title) in body, f"{cid}: '{number} {title}' not on page {page}"

    # fonts: all embedded, the CJK face among them, no Type 3 bitmaps standing in for text
    fonts = _tool("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    for line in fonts:
        cols = line.split()
        assert "Type 3" not in line, line
        assert cols[-5] == "yes", f"not embedded: {line}"
    assert any("CJK" in line for line in fonts)

    # no blank page, no page holding only headings; PNGs for a human to look at
    folder = ARTIFACTS / cid
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _tool("pdftoppm", "-r", "40", "-gray", "-png", str(pdf), str(folder / "page"))
    pngs = sorted(folder.glob("page-*.png"))
    assert len(pngs) == n
    headings = {re.sub(r"\s+", "", f"{num}{title}") for num, title, _ in entries}
    for i, (png, text) in enumerate(zip(pngs, texts), start=1):
        if i == 1:
            continue  # the cover: deliberately sparse
        a = np.asarray(Image.open(png).convert("L"))
        h = a.shape[0]
        body = a[int(h * 22 / 297): int(h * 279 / 297)]
        inked = np.where((body < 235).any(axis=1))[0]
        filled = (inked.max() + 1) / body.shape[0] if len(inked) else 0.0
        assert filled > 0.05, f"{cid}: page {i} is (nearly) blank"
        lines = [re.sub(r"\s+", "", ln) for ln in text.splitlines()[1:] if ln.strip()]
        lines = [ln for ln in lines if not PAGE_RE[LANG[cid]].search(ln) and ln not in headings]
        # only headings and little ink (a page of figures has no text but a lot of ink)
        assert sum(len(ln) for ln in lines) > 20 or filled > 0.3, f"{cid}: page {i} holds only headings"


# ---------------------------------------------------------------------------------------------
# Generic print rules, on a tiny synthetic deliverable (fast)
# ---------------------------------------------------------------------------------------------
def _out(data: dict, **wb: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data=data, metadata={"workbench": wb} if wb else {})


def _svg(w_pt: float, h_pt: float, text: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            f'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{w_pt}pt" height="{h_pt}pt" viewBox="0 0 {w_pt} {h_pt}"><rect width="{w_pt}" height="{h_pt}" '
            f'fill="#eef"/><text x="20" y="40" font-size="14" font-family="Noto Sans CJK SC">{text}</text></svg>')


def _deliverable(tmp_path: Path, lang: str) -> bytes:
    heading = lambda level, text: _out({"text/html": f"<h{level}>{text}</h{level}>"}, kind="heading", level=level,
                                       text=text)
    para = "<p class='wb-p'>" + "正文内容。" * 30 + "</p>"
    cells = [
        [heading(1, "第一章"), heading(2, "小节甲"), _out({"text/html": para}, kind="paragraph")],
        [heading(2, "宽图"), _out({"image/svg+xml": _svg(720, 360, "宽图文字 wide figure")}, kind="figure")],
        [heading(2, "窄图"), _out({"text/html": _svg(400, 300, "窄图文字 inline figure").split("?>", 1)[1]
                                   .split(">", 1)[1]}, kind="figure", pt=[400, 300])],
        [heading(1, "第二章"), _out({"text/html": para}, kind="paragraph")],
        [_out({"text/html": "<div class='wb-sheet'><p>合同表 contract sheet</p></div>"}, kind="html")],
    ]
    nb = nbformat.v4.new_notebook()
    for outs in cells:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = outs
        nb.cells.append(cell)
    profile = SimpleNamespace(id="t", name="测试<公司>", language=lang, period="2026Q3", industry="制造",
                              consultant="王", framework="gbt19580-2012")
    html = render.render_html([nb], SimpleNamespace(profile=profile), generated=date(2026, 12, 3))
    assert "<?xml" not in html and "<svg" in html  # inline SVG, prolog stripped
    assert "wb-landscape" in html  # 254 mm wide: too wide for portrait
    assert css_variables() in html  # status colours from the one source (workbench.core.status)
    data = pdf_bytes(html)
    (tmp_path / "t.pdf").write_bytes(data)
    return data


def test_generic_print_rules(tmp_path: Path) -> None:
    _deliverable(tmp_path, "zh")
    pdf = tmp_path / "t.pdf"
    texts = page_texts(pdf)
    sizes = page_sizes(pdf)
    n = len(texts)
    where = lambda needle: [i for i, t in enumerate(texts) if needle in re.sub(r"\s+", "", t)]
    # the wide figure has a landscape page of its own; its SVG text stays text (searchable)
    (fig_page,) = where("宽图文字")
    assert sizes[fig_page][0] > sizes[fig_page][1]
    assert all(w < h for i, (w, h) in enumerate(sizes) if i != fig_page)
    # a wb-sheet starts a page; a chapter starts a page; the running header carries client and period (escaped text)
    (sheet_page,) = where("合同表contractsheet")
    (chapter2,) = [i for i in where("二、第二章") if i > 1]
    assert chapter2 > fig_page and sheet_page == chapter2 + 1 == n - 1
    for t in texts[1:]:
        assert "测试<公司>" in t and "2026年第三季度" in t.replace(" ", "")
    assert PAGE_RE["zh"].search(texts[-1]).groups() == (str(n), str(n))
    # an inline SVG published as text/html (kind figure, size in pt) stays on a portrait page, as text
    (narrow_page,) = where("窄图文字")
    assert narrow_page > fig_page and sizes[narrow_page][0] < sizes[narrow_page][1]
    # the heading of the wide figure went with it, not left alone on the page before
    assert "宽图" in re.sub(r"\s+", "", texts[fig_page]).replace("宽图文字", "")


def test_offline_only(tmp_path: Path) -> None:
    """A deliverable referring to anything but data: URLs is refused, not fetched."""
    with pytest.raises(PdfError, match="outside itself"):
        pdf_bytes('<html><body><img src="http://127.0.0.1:9/x.png"></body></html>')


def test_figure_size_mm() -> None:
    assert render.figure_size_mm({"image/svg+xml": _svg(720, 360, "x")}) == pytest.approx((254.0, 127.0))
    assert render.figure_size_mm({"text/html": "<svg width=\"72pt\" height=\"36pt\"></svg>"}) == pytest.approx((25.4, 12.7))
    assert render.figure_size_mm({"text/html": "<p>x</p>"}, {"pt": [144, 72]}) == pytest.approx((50.8, 25.4))
    import base64
    import io

    buf = io.BytesIO()
    Image.new("RGB", (1200, 600)).save(buf, "PNG", dpi=(120, 120))
    w, h = render.figure_size_mm({"image/png": base64.b64encode(buf.getvalue()).decode()})
    assert w == pytest.approx(254.0, rel=0.01) and h == pytest.approx(127.0, rel=0.01)


def test_batch_with_pdf_rebuilds_a_client_built_without_one(tmp_path: Path) -> None:
    """`batch --pdf` must not skip an unchanged client whose last build has no report.pdf; without --pdf it may."""
    from workbench.build import batch, fingerprint

    folder = tmp_path / "clients" / "jinfeng-logistics"
    shutil.copytree(ROOT / "clients" / "jinfeng-logistics", folder)
    out = tmp_path / "build"
    plain = batch.Options()
    (item,) = batch.plan([folder], out, False, plain)
    (out / item.id).mkdir(parents=True)
    for name in fingerprint.REQUIRED_OUTPUTS:
        (out / item.id / name).write_text("x")
    fingerprint.write(out / item.id, item.fp)
    assert batch.plan([folder], out, False, plain)[0].status == "skipped"
    assert batch.plan([folder], out, False, batch.Options(pdf=True))[0].status == "pending"
    (out / item.id / "report.pdf").write_bytes(b"%PDF-")
    assert batch.plan([folder], out, False, batch.Options(pdf=True))[0].status == "skipped"
