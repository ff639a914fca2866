"""Open each demo client's report.html in headless Chromium (Playwright, Debian's /usr/bin/chromium).

Every request is routed: anything that is not file:// or data: is aborted and counted. The page must make
no such request, log no console error, and every TOC link must land on its section. A full-page screenshot
of each report goes to test-artifacts/ (gitignored) for a human to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.build.runner import run_client

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
DEMOS = ["huaxin-steel", "jinfeng-logistics", "riverside-hospital"]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("build")
    built = {}
    for cid in DEMOS:
        folder = ROOT / "clients" / cid
        if not folder.is_dir():
            pytest.fail(f"demo client {cid} missing")
        res = run_client(folder, out)
        assert res.ok, res.error
        built[cid] = out / cid / "report.html"
    return built


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as sync_api
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: install Debian chromium (scripts/install.sh)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.mark.parametrize("cid", DEMOS)
def test_report_in_chromium(cid: str, reports: dict[str, Path], browser) -> None:
    report = reports[cid]
    assert report.stat().st_size < 3 * 1024 * 1024
    page = browser.new_page(viewport={"width": 1240, "height": 1754})
    blocked: list[str] = []
    seen: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        url = r.request.url
        seen.append(url)
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}") if not r.url.startswith("data:") else None)
    page.goto(report.as_uri(), wait_until="load")

    assert blocked == [], blocked
    assert [u for u in seen if not u.startswith(("file://", "data:"))] == []
    assert [u for u in seen if u.startswith("file://")] == [report.as_uri()], "the page loads nothing but itself"
    assert errors == []
    lang = page.evaluate("document.documentElement.lang")
    assert lang == ("en" if cid == "riverside-hospital" else "zh-CN")
    assert page.title()
    broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
    assert broken == 0
    # the charts are inline SVG (text as text): at least six, each drawn with a size
    assert page.evaluate("document.querySelectorAll('svg.wb-chart').length") >= 6
    assert page.evaluate("Array.from(document.querySelectorAll('svg.wb-chart'))"
                         ".filter(s => s.getBoundingClientRect().width < 50).length") == 0

    links = page.locator("nav.wb-toc a")
    n = links.count()
    assert n >= 10
    for i in range(n):
        link = links.nth(i)
        target = link.get_attribute("href")
        assert target and target.startswith("#sec-")
        page.evaluate("window.scrollTo(0, 0)")
        link.click()
        page.wait_for_function("h => location.hash === h", arg=target)
        box = page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect();"
                            " return [r.top, r.bottom, window.innerHeight]; }", target[1:])
        top, bottom, height = box
        assert 0 <= top < height and bottom > 0, (target, box)

    # every chart has its title as alt text (aria-label of the inline SVG)
    assert page.evaluate("Array.from(document.images).filter(i => !i.alt.trim()).length") == 0
    assert page.evaluate("Array.from(document.querySelectorAll('svg.wb-chart'))"
                         ".filter(s => !(s.getAttribute('aria-label') || '').trim()).length") == 0
    # every flagged row is highlighted the same way (the zebra stripe never wins over it)
    flag_bg = page.evaluate("Array.from(new Set(Array.from(document.querySelectorAll('tr.wb-flag td'))"
                            ".map(td => getComputedStyle(td).backgroundColor)))")
    assert len(flag_bg) <= 1, flag_bg
    # no word is broken inside: a short unit stays on one line, and no cell breaks anywhere
    split_units = page.evaluate("Array.from(document.querySelectorAll('td.unit span.nowrap'))"
                                ".filter(s => s.getClientRects().length > 1).map(s => s.textContent)")
    assert split_units == []
    assert page.evaluate("Array.from(document.querySelectorAll('.wb-t td')).filter("
                         "td => getComputedStyle(td).overflowWrap === 'anywhere' || getComputedStyle(td).wordBreak === 'break-all').length") == 0
    # one "no data" note per subsection at most, and never two identical notes in a row
    texts = page.evaluate("Array.from(document.querySelectorAll('p.wb-nodata, p.wb-note')).map(e => e.textContent)")
    assert all(a != b for a, b in zip(texts, texts[1:])), texts

    # nothing wider than the page: tables fit the A4 column
    overflow = page.evaluate("Array.from(document.querySelectorAll('.wb-table')).filter("
                             "d => d.scrollWidth > d.clientWidth + 2).length")
    assert overflow == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{cid}.png"), full_page=True)
    page.close()
    assert blocked == []


def test_portfolio_fits_a_laptop_and_a4(reports: dict[str, Path], browser) -> None:
    """index.html: no page-wide horizontal scroll on a 1366 px laptop (wide tables scroll inside their box with the
    organisation column sticky); printed on A4 portrait every table fits the page width (nothing cut)."""
    from workbench.build import portfolio

    out = next(iter(reports.values())).parent.parent
    entries = [{"id": cid, "status": "ok", "seconds": 1.0, "error": None, "folder": str(ROOT / "clients" / cid)}
               for cid in reports]
    portfolio.write(out, entries)
    index = out / "index.html"
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(index.as_uri(), wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("getComputedStyle(document.querySelector('table.sticky td')).position") == "sticky"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "index-laptop.png"), full_page=True)

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 minus 10 mm margins, at 96 px/in
    assert page.evaluate("document.documentElement.scrollWidth") <= 718 + 2
    cut = page.evaluate("Array.from(document.querySelectorAll('table')).filter("
                        "t => t.getBoundingClientRect().right > 718 + 2).map(t => t.closest('section').id)")
    assert cut == []
    page.pdf(path=str(ARTIFACTS / "index-a4.pdf"), format="A4", margin={"top": "12mm", "bottom": "14mm",
                                                                         "left": "10mm", "right": "10mm"})
    page.close()
