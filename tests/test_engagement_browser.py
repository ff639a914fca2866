"""Real browser: `workbench lab` serves the engagement notebook, headless Chromium runs a workshop in it (a weight,
an actual, an action; a client switch and back; save; render while the kernel keeps answering).
Screenshots: test-artifacts/engagement*.png."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CLIENT = "huaxin-steel"
CLIENTS = ("huaxin-steel", "riverside-hospital")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def lab(tmp_path: Path):
    """`workbench lab huaxin-steel` on a tmp project (notebooks/ and two clients); yields (url, root)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian chromium (scripts/install.sh)")
    for c in CLIENTS:
        if not (ROOT / "clients" / c).is_dir():
            pytest.fail(f"demo client {c} not present")
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy2(ROOT / "notebooks" / "engagement.ipynb", root / "notebooks" / "engagement.ipynb")
    for c in CLIENTS:
        shutil.copytree(ROOT / "clients" / c, root / "clients" / c, ignore=shutil.ignore_patterns("backups"))
    first = root / "clients" / "a-hospital"  # sorts first: the lab must open the client named, not the first one
    shutil.copytree(ROOT / "clients" / "riverside-hospital", first, ignore=shutil.ignore_patterns("backups"))
    yaml_text = (first / "client.yaml").read_text(encoding="utf-8")
    (first / "client.yaml").write_text(yaml_text.replace("id: riverside-hospital", "id: a-hospital"), encoding="utf-8")
    settings = tmp_path / "lab-settings"
    notif = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True)
    notif.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"autoStartDefaultKernel": True}))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrt"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-ws"),
           "IPYTHONDIR": str(tmp_path / "ipython"), "MPLBACKEND": "Agg"}
    err = open(tmp_path / "lab.err", "w")
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "lab", CLIENT, "--root", str(root / "clients")],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
    try:
        url = proc.stdout.readline().strip()  # printed once the server answers
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"workbench lab printed {url!r}:\n{(tmp_path / 'lab.err').read_text()[-3000:]}")
        yield url, root
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # workbench lab stops its server (and kernels) on Ctrl-C
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        err.close()


def _text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text().strip()


def _wait_text(page, selector: str, pattern: str, timeout: float = 60_000) -> None:
    """Wait until the first element matching ``selector`` has text matching the regex ``pattern``."""
    page.wait_for_function(
        "([sel, pat]) => { const e = document.querySelector(sel); return e && new RegExp(pat).test(e.innerText); }",
        arg=[selector, pattern], timeout=timeout)


def _type(page, selector: str, value: str) -> None:
    box = page.locator(selector).first
    box.scroll_into_view_if_needed()
    box.fill(value)
    box.press("Enter")


def _tab(page, title: str) -> None:
    page.locator(".widget-tab .lm-TabBar-tab", has_text=title).first.click()


def test_workshop_in_jupyterlab(lab) -> None:
    """Started by `workbench lab`: edit a weight, an actual and an action; switch client and come back (the edits
    are kept); save; render while the kernel keeps answering edits."""
    from playwright.sync_api import sync_playwright

    from workbench.widgets import Engagement

    url, root = lab
    eng = Engagement(root / "clients" / CLIENT)
    kpis = eng.table("kpis")
    contract0 = eng.contract_of(str(kpis["kpi_id"].iloc[0]))
    scored = [k for k in kpis["kpi_id"] if eng.contract_of(k) == contract0
              and eng.analysis.kpis.loc[k, "status"] == "scored" and eng.analysis.kpis.loc[k, "score"] > 0]
    kid = scored[0]
    weight = float(kpis.set_index("kpi_id").loc[kid, "weight"])
    period = str(eng.profile.period)
    target = float(kpis.set_index("kpi_id").loc[kid, "target"])

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.set_default_timeout(60_000)
            try:
                _drive(page, url, kid, weight, period, target)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "engagement-failure.png"))
                raise
        finally:
            browser.close()

    import openpyxl

    wb = openpyxl.load_workbook(root / "clients" / CLIENT / "intake.xlsx")
    rows = list(wb["actuals"].iter_rows(values_only=True))
    head = rows[0]
    actual = next(r for r in rows[1:] if r[head.index("kpi_id")] == kid and str(r[head.index("period")]) == period)
    assert actual[head.index("actual")] == target
    rows = list(wb["actions"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("goal")] == GOAL
    assert (root / "build" / CLIENT / "report.html").is_file()


GOAL = "尽快改善液位控制"  # a goal with no number: the SMART warning must show


def _drive(page, url: str, kid: str, weight: float, period: str, target: float) -> None:
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    dialog = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel", should the setting not apply
    try:
        dialog.first.click(timeout=3_000)
    except Exception:  # noqa: BLE001 - no dialog: fine
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.locator(".wb-contract-score").first.wait_for(state="visible", timeout=60_000)
    _wait_text(page, ".wb-contract-score", r"\d")
    _wait_text(page, ".wb-head", "华鑫特钢")  # `workbench lab huaxin-steel` opened that client

    # 1. a weight: the contract score moves, the weight-sum message appears, then the weight goes back
    before = _text(page, ".wb-contract-score")
    _type(page, f".wb-weight-{kid} input", f"{weight + 10:g}")
    page.wait_for_function("(b) => document.querySelector('.wb-contract-score').innerText.trim() !== b", arg=before)
    page.locator(".wb-msg", has_text="权重之和").first.wait_for(state="visible", timeout=30_000)  # in Chinese
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.locator(".wb-owner").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "engagement.png"))
    _type(page, f".wb-weight-{kid} input", f"{weight:g}")
    _wait_text(page, ".wb-contract-score", "^" + before.replace(".", "\\.").replace("(", "\\(").replace(")", "\\)") + "$")

    # 2. an actual of this period: the KPI's score becomes 100 (actual = target)
    _type(page, f".wb-actual-{kid}-{period} input", f"{target:g}")
    _wait_text(page, f".wb-kpi-score-{kid}", r"^100(\.0)?$")
    page.locator(f".wb-actual-{kid}-{period}").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "engagement-actuals.png"))

    # 3. an action's goal without a number: the SMART warning shows next to the goal
    _tab(page, "改进计划")
    _type(page, ".wb-actions-goal input", GOAL)
    page.locator(".wb-msg", has_text="没有可衡量的数值").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "engagement-plan.png"))
    _wait_text(page, ".wb-state", "未保存")

    # 4. switch client and come back: every edit is still there
    _choose_client(page, "riverside-hospital")
    _wait_text(page, ".wb-head", "Riverside")
    _wait_text(page, ".wb-drafts", "huaxin-steel")  # says where the unsaved edits are kept
    page.screenshot(path=str(ARTIFACTS / "engagement-switched.png"))
    assert _choose_client(page, "huaxin-steel").startswith("●")  # marked as a draft in the chooser
    _wait_text(page, ".wb-head", "华鑫特钢")
    _wait_text(page, ".wb-state", "未保存")
    _tab(page, "改进计划")
    assert page.locator(".wb-actions-goal input").first.input_value() == GOAL
    _tab(page, "KPI与业绩合同")
    assert float(page.locator(f".wb-actual-{kid}-{period} input").first.input_value()) == target
    _wait_text(page, f".wb-kpi-score-{kid}", r"^100(\.0)?$")

    # 5. save
    _tab(page, "保存")
    page.locator(".wb-save").first.click()
    _wait_text(page, ".wb-save-result", "已保存")
    _wait_text(page, ".wb-state", "与文件一致")

    for title, name in (("战略地图", "strategy"), ("关键发现", "findings"), ("问题诊断", "diagnosis"), ("自评", "assessment")):
        _tab(page, title)  # the other tabs render too (pictures for a human look)
        page.locator(".wb-client").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"engagement-{name}.png"))
        if name == "strategy":  # the strategy map is drawn in the tab (inline SVG): its objective boxes are there
            chart = page.locator(".wb-chart-svg svg.wb-chart >> visible=true").first  # the KPI tab has one too
            chart.scroll_into_view_if_needed()
            assert chart.is_visible() and chart.bounding_box()["width"] > 300
            assert page.locator('.wb-chart-svg [data-gid="objective:F1"]').count() >= 1
            page.screenshot(path=str(ARTIFACTS / "engagement-strategy-map.png"))

    # 6. render in the background; an edit made meanwhile is answered before the build ends
    _tab(page, "生成报告")
    page.locator(".wb-render").first.click()
    _wait_text(page, ".wb-render-result", "生成中|后台")
    _tab(page, "KPI与业绩合同")
    before = _text(page, f".wb-kpi-score-{kid}")
    _type(page, f".wb-actual-{kid}-{period} input", f"{target * 0.9:g}")
    page.wait_for_function("([sel, b]) => document.querySelector(sel).innerText.trim() !== b",
                           arg=[f".wb-kpi-score-{kid}", before], timeout=30_000)
    rendering = page.evaluate("() => document.querySelector('.wb-render-result').innerText")
    assert "report.html" not in rendering, "the build ended before the edit was answered: not shown responsive"
    _tab(page, "生成报告")
    page.screenshot(path=str(ARTIFACTS / "engagement-render.png"))
    _wait_text(page, ".wb-render-result", "report\\.html", timeout=180_000)


def _choose_client(page, client_id: str) -> str:
    """Pick a client in the chooser by its id; returns the option's label as shown."""
    labels = page.eval_on_selector_all(".wb-client select option", "os => os.map(o => o.textContent)")
    i = next(n for n, x in enumerate(labels) if client_id in x)
    page.locator(".wb-client select").first.select_option(index=i)
    return labels[i]
