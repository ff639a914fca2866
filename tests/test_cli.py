"""The `workbench` command behaves like the tools people already use: help, version, completion, exit codes,
results on stdout and one format for errors and warnings on stderr, tables within the terminal, folded warnings."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest
from rich.cells import cell_len

from workbench.cli_output import fold

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(error|warning|note|错误|警告|提示): ")


def wb(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, columns: int = 100
       ) -> subprocess.CompletedProcess[str]:
    """``python -m workbench ARGS`` in a fresh process (the way a user runs it)."""
    e = {**os.environ, "COLUMNS": str(columns), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), **(env or {})}
    e.pop("WORKBENCH_LANG", None)
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=cwd or ROOT, env=e, capture_output=True,
                          text=True, timeout=120)


def copy_demo(tmp_path: Path, client_id: str) -> Path:
    dst = tmp_path / "clients" / client_id
    shutil.copytree(ROOT / "clients" / client_id, dst, ignore=shutil.ignore_patterns("backups"))
    return dst


def test_version_help_and_module_entry() -> None:
    r = wb("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"workbench {version('workbench')}"
    for flag in ("-h", "--help"):
        r = wb(flag)
        assert r.returncode == 0 and r.stdout.startswith("Usage: workbench ")
        assert all(cmd in r.stdout for cmd in ("validate", "score", "run", "batch", "lab", "new"))
    assert wb("validate", "-h").stdout.startswith("Usage: workbench validate ")


def test_boolean_options_are_flags_in_help() -> None:
    out = wb("batch", "-h").stdout
    force = next(line for line in out.splitlines() if "--force" in line)
    assert re.search(r"--force\s+Rebuild", force), force  # no "<bool>"/BOOLEAN value after a flag
    assert "<bool>" not in out and "BOOLEAN" not in out
    assert "--json" in wb("validate", "-h").stdout and "<bool>" not in wb("validate", "-h").stdout


def test_shell_completion_completes_commands() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_WORKBENCH_COMPLETE": "complete_bash", "COMP_WORDS": "workbench va",
           "COMP_CWORD": "1"}
    exe = Path(sys.executable).with_name("workbench")
    r = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["validate"]
    assert "--install-completion" in wb("-h").stdout


@pytest.mark.parametrize("command", [["validate"], ["score"], ["run"], ["batch"]])
def test_missing_client_folder_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    r = wb(*command, str(tmp_path / "no-such-client"), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [f"error: no such client folder: {tmp_path / 'no-such-client'}"]


def test_usage_errors_exit_2() -> None:
    assert wb("frobnicate").returncode == 2
    assert wb("validate").returncode == 2  # no folder given
    assert wb("batch", "clients", "-j", "0").returncode == 2


def test_validate_folds_repeated_warnings_on_stderr(make_client) -> None:
    folder = make_client()  # conftest's small client: four "perspective X has 1 KPI" warnings and one total
    r = wb("validate", str(folder))
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == f"OK {folder}: 0 error(s), 5 warning(s)"
    lines = r.stderr.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    assert len(lines) == 2
    assert "perspective financial/customer/process/learning has 1 top-level KPIs" in lines[0]
    assert lines[0].endswith("(4 times)") and f"warning: {folder}: kpis.csv, column objective_id:" in lines[0]
    verbose = wb("-v", "validate", str(folder)).stderr.splitlines()
    assert len(verbose) == 5 and not any("times)" in line for line in verbose)
    quiet = wb("-q", "validate", str(folder))
    assert quiet.stderr == "" and quiet.returncode == 0


def test_validate_errors_located_in_the_clients_language(tmp_path: Path) -> None:
    import openpyxl

    folder = copy_demo(tmp_path, "huaxin-steel")
    wb_ = openpyxl.load_workbook(folder / "intake.xlsx")
    ws = wb_["kpis"]
    head = [c.value for c in ws[1]]
    ws.cell(row=3, column=head.index("weight") + 1, value="heavy")
    wb_.save(folder / "intake.xlsx")
    r = wb("validate", str(folder))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0].startswith(f"未通过 {folder}: ")
    errors = [line for line in r.stderr.splitlines() if line.startswith("错误: ")]
    assert any("intake.xlsx, 工作表 kpis, 第 3 行, 列 weight" in line for line in errors), r.stderr
    assert all(LINE.match(line) for line in r.stderr.splitlines())


def test_validate_total_line_speaks_the_clients_shared_language() -> None:
    """Several clients: the total line is in their language when they share one, else the locale's (C: English)."""
    zh = wb("validate", str(ROOT / "clients" / "huaxin-steel"), str(ROOT / "clients" / "jinfeng-logistics"))
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.splitlines()[-1].startswith("2 个客户: 2 个通过, 0 个有错误"), zh.stdout
    mixed = wb("validate", str(ROOT / "clients"))
    assert mixed.returncode == 0, mixed.stderr
    assert mixed.stdout.splitlines()[-1].startswith("3 client(s): 3 valid, 0 with errors"), mixed.stdout


def test_validate_json(tmp_path: Path, make_client) -> None:
    good = make_client()
    bad = copy_demo(tmp_path, "jinfeng-logistics")
    text = (bad / "kpis.csv").read_text(encoding="utf-8").splitlines()
    head = text[0].split(",")
    cells = text[2].split(",")
    cells[head.index("method")] = "guesswork"
    text[2] = ",".join(cells)
    (bad / "kpis.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    r = wb("validate", "--json", str(good), str(bad))
    assert r.returncode == 1 and r.stderr == ""
    doc = json.loads(r.stdout)
    assert doc["ok"] is False
    g, b = doc["clients"]
    assert g["ok"] is True and g["errors"] == 0 and g["warnings"] == 5 and len(g["issues"]) == 5
    assert b["ok"] is False and b["language"] == "zh"
    err = next(i for i in b["issues"] if i["severity"] == "error")
    assert (err["file"], err["row"], err["column"], err["value"]) == ("kpis.csv", 3, "method", "guesswork")
    assert err["location"] == "kpis.csv, 第 3 行, 列 method"


@pytest.mark.parametrize("columns", [80, 120])
def test_score_tables_fit_the_terminal(columns: int) -> None:
    r = wb("score", "clients/huaxin-steel", columns=columns)
    assert r.returncode == 0
    widths = [cell_len(line) for line in r.stdout.splitlines()]
    assert max(widths) <= columns
    assert "K01" in r.stdout and "编号" in r.stdout  # the KPI table is there
    assert all(LINE.match(line) for line in r.stderr.splitlines())


def test_score_json_is_results_document() -> None:
    r = wb("score", "--json", "clients/riverside-hospital")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["client"] == "riverside-hospital" and doc["kpis"]


def test_new_refuses_bad_id_and_existing(tmp_path: Path) -> None:
    r = wb("new", "Bad_Id", "--root", str(tmp_path))
    assert r.returncode == 2 and r.stdout == "" and r.stderr.startswith("error: 'Bad_Id' is not a valid client id")
    r = wb("new", "acme", "--root", str(tmp_path))
    assert r.returncode == 0 and (tmp_path / "acme" / "intake.xlsx").is_file()
    assert r.stdout.startswith(f"created {tmp_path / 'acme'}")
    r = wb("new", "acme", "--root", str(tmp_path))
    assert r.returncode == 1 and "already exists" in r.stderr and r.stdout == ""


def test_run_unusable_out_is_exit_2(tmp_path: Path, make_client) -> None:
    folder = make_client()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = wb("-q", "run", str(folder), "--out", str(blocker / "build"))
    assert r.returncode == 2
    assert r.stderr.startswith("error: unusable output folder") and r.stdout == ""


def test_fold_only_folds_near_identical_messages() -> None:
    items = [("warning", "w", "objective L3 has no KPI in this scorecard at all", 3),
             ("warning", "w", "objective L4 has no KPI in this scorecard at all", 4),
             ("warning", "w", "objective L5 has no KPI in this scorecard at all", 9),
             ("warning", "w", "link L1 -> F1 runs down the perspective order here", 5),
             ("warning", "other", "objective L6 has no KPI in this scorecard at all", 6),
             ("error", "w", "required", 7), ("error", "w", "too long", 8)]
    out = fold(items)
    assert [(f.text, f.count, f.rows) for f in out] == [
        ("objective L3/L4/L5 has no KPI in this scorecard at all", 3, [3, 4, 9]),
        ("link L1 -> F1 runs down the perspective order here", 1, [5]),
        ("objective L6 has no KPI in this scorecard at all", 1, [6]),
        ("required", 1, [7]), ("too long", 1, [8])]
    assert len(fold(items, enabled=False)) == len(items)


def test_lab_command_line_is_local_and_root_safe(tmp_path: Path) -> None:
    from workbench.lab import lab_command_line

    args = lab_command_line(tmp_path, 8899)
    assert "--ServerApp.ip=127.0.0.1" in args and "--ServerApp.port=8899" in args and "--no-browser" in args
    assert ("--allow-root" in args) == (os.geteuid() == 0)
    assert not any("token" in a.lower() for a in args)  # the token travels in the environment, not in `ps`


def _ignore_sigint() -> None:  # a background job of a shell, some test runners' workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop", ["SIGINT inherited as ignored", "SIGTERM"])
def test_lab_serves_the_engagement_notebook_on_localhost_with_a_token(tmp_path: Path, stop: str) -> None:
    """Served on 127.0.0.1 with a token; Ctrl-C (even when the process inherited SIGINT as ignored) or SIGTERM stops
    the server and its kernels."""
    client = copy_demo(tmp_path, "riverside-hospital")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrt"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "lab", "riverside-hospital", "--root",
                             str(client.parent)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_ignore_sigint if stop.startswith("SIGINT") else None)
    try:
        url = proc.stdout.readline().strip()  # the first stdout line, once the server answers
        m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/lab/tree/engagement\.ipynb\?token=([0-9a-f]{48})", url)
        assert m, (url, proc.stderr.read() if proc.poll() is not None else "")
        port, token = m.groups()
        assert (tmp_path / "engagement.ipynb").is_file()  # no notebooks/ beside clients/: a copy is served
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=10) as r:
            assert r.status == 200
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/engagement.ipynb", timeout=10)
        assert denied.value.code == 403
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/engagement.ipynb?token={token}",
                                    timeout=10) as r:
            nb = json.loads(r.read())
        src = "".join("".join(c["source"]) for c in nb["content"]["cells"])
        assert "WORKBENCH_CLIENT" in src  # the parameter cell picks the client the server was started for
    finally:
        proc.send_signal(signal.SIGINT if stop.startswith("SIGINT") else signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    assert proc.returncode == 0
    time.sleep(0.5)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=3)
