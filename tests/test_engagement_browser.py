"""Real browser: JupyterLab on localhost, the engagement notebook run in headless Chromium, a KPI weight typed
into the page, the contract score on the page changes. Screenshot: test-artifacts/engagement.png."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CLIENT = "huaxin-steel"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout}s")


@pytest.fixture
def lab(tmp_path: Path):
    """JupyterLab serving a tmp copy of the notebooks and one client; yields (base_url, token, root)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian chromium (scripts/install.sh)")
    if not (ROOT / "clients" / CLIENT).is_dir():
        pytest.fail(f"demo client {CLIENT} not present")
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy2(ROOT / "notebooks" / "engagement.ipynb", root / "notebooks" / "engagement.ipynb")
    shutil.copytree(ROOT / "clients" / CLIENT, root / "clients" / CLIENT, ignore=shutil.ignore_patterns("backups"))
    settings = tmp_path / "lab-settings"
    notif = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True)
    notif.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"autoStartDefaultKernel": True}))
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrt"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-ws"),
           "IPYTHONDIR": str(tmp_path / "ipython"), "MPLBACKEND": "Agg"}
    port, token = _free_port(), "wb-" + os.urandom(8).hex()
    jupyter = Path(sys.executable).with_name("jupyter")
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--LabApp.news_url=", "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/api/status?token={token}", proc, tmp_path / "lab.log")
        yield base, token, root
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        log.close()


def _score_text(page) -> str:
    return page.locator(".wb-contract-score").first.inner_text().strip()


def test_edit_weight_in_jupyterlab(lab) -> None:
    from playwright.sync_api import sync_playwright

    from workbench.widgets import Engagement

    base, token, root = lab
    eng = Engagement(root / "clients" / CLIENT)
    kpis = eng.table("kpis")
    contract0 = f"{kpis['owner_unit'].iloc[0]}/{'' if kpis['owner'].isna().iloc[0] else kpis['owner'].iloc[0]}"
    scored = [k for k in kpis["kpi_id"] if eng.contract_of(k) == contract0
              and eng.analysis.kpis.loc[k, "status"] == "scored" and eng.analysis.kpis.loc[k, "score"] > 0]
    kid = scored[0]
    weight = float(kpis.set_index("kpi_id").loc[kid, "weight"])

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.set_default_timeout(60_000)
            try:
                _drive(page, base, token, kid, weight)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "engagement-failure.png"))
                raise
        finally:
            browser.close()


def _drive(page, base: str, token: str, kid: str, weight: float) -> None:
    if True:
        if True:
            page.goto(f"{base}/lab/tree/notebooks/engagement.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            dialog = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel", should the setting not apply
            try:
                dialog.first.click(timeout=3_000)
            except Exception:  # noqa: BLE001 - no dialog: fine
                pass
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
            # Run → Run All Cells
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            score = page.locator(".wb-contract-score").first
            score.wait_for(state="visible", timeout=40_000)
            page.wait_for_function(
                "() => { const e = document.querySelector('.wb-contract-score'); return e && /\\d/.test(e.innerText); }",
                timeout=60_000)
            before = _score_text(page)

            box = page.locator(f".wb-weight-{kid} input").first
            box.scroll_into_view_if_needed()
            box.fill(f"{weight + 10:g}")
            box.press("Enter")
            page.wait_for_function(
                "(before) => { const e = document.querySelector('.wb-contract-score'); return e && e.innerText.trim() !== before; }",
                arg=before, timeout=60_000)
            after = _score_text(page)
            assert after != before
            # the engagement recomputed from the typed weight: the owner's weights no longer sum to 100
            page.locator(".wb-msg", has_text="sum to").first.wait_for(state="visible", timeout=30_000)
            # wait until the kernel is idle again (charts redrawn), then take the picture
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            page.locator(".wb-owner").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "engagement.png"))
            # the other editing tabs render too (pictures for a human look, not asserted pixel by pixel)
            for title, name in (("问题诊断", "diagnosis"), ("自评", "assessment")):
                page.locator(".widget-tab .lm-TabBar-tab", has_text=title).first.click()
                page.locator(".wb-problem" if name == "diagnosis" else ".wb-item").first.wait_for(state="visible")
                page.locator(".wb-owner, .wb-client").first.scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / f"engagement-{name}.png"))
