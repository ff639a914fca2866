"""`workbench batch` end to end: failure isolation, limits, no state leak, incremental builds, exit codes.

Most tests run the real per-client pipeline (validation, analysis, papermill with the in-process engine,
results.json, report.html) on copies of the demo clients, but with one tiny notebook (made below)
that misbehaves on request: a marker file in the client folder makes it raise, hang or kill itself.
One test runs the real notebooks.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from rich.console import Console

from workbench.build import fingerprint
from workbench.build.batch import Options, batch_command, discover
from workbench.build.pool import WarmPool

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "clients"

TINY_CELLS = [
    ("parameters", 'client_folder = ""\noutput_folder = ""'),
    (None, """\
import os, signal, time
import matplotlib
import workbench
from IPython.display import HTML, display
seen = f"{getattr(workbench, '_leak', None)}|{matplotlib.rcParams['lines.linewidth']}|{os.environ.get('WB_LEAK')}"
workbench._leak = os.path.basename(client_folder)
matplotlib.rcParams['lines.linewidth'] = 9.5
os.environ['WB_LEAK'] = 'x'
marker = lambda name: os.path.exists(os.path.join(client_folder, name))
display(HTML(f'<p id="seen">{seen}</p>'))"""),
    (None, """\
if marker("RAISE"):
    raise RuntimeError("planted failure")
if marker("HANG"):
    time.sleep(3600)
if marker("KILL"):
    os.kill(os.getpid(), signal.SIGKILL)
display(HTML('<p>tiny deliverable</p>'))"""),
]


def write_tiny_notebooks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cells = []
    for tag, src in TINY_CELLS:
        c = nbformat.v4.new_code_cell(src)
        if tag:
            c.metadata["tags"] = [tag]
        cells.append(c)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "01_tiny.ipynb")
    return folder


@pytest.fixture(scope="module")
def tiny_notebooks(tmp_path_factory) -> Path:
    return write_tiny_notebooks(tmp_path_factory.mktemp("nbs") / "notebooks")


@pytest.fixture(scope="module")
def pool():
    with WarmPool(2) as p:
        yield p


def copy_demo(dest: Path, names: list[str] | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted(DEMO.iterdir()):
        if (src / "client.yaml").is_file() and (names is None or src.name in names):
            shutil.copytree(src, dest / src.name)
    return dest


def clone(src: Path, dest: Path) -> Path:
    """Copy a client folder under a new id (client.yaml's id must equal the folder name)."""
    import yaml

    shutil.copytree(src, dest)
    prof = yaml.safe_load((dest / "client.yaml").read_text(encoding="utf-8"))
    prof["id"] = dest.name
    (dest / "client.yaml").write_text(yaml.safe_dump(prof, allow_unicode=True), encoding="utf-8")
    return dest


def break_enum(folder: Path) -> None:
    """jinfeng-logistics is CSV: give its first KPI an unknown scoring method."""
    p = folder / "kpis.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("method")] = "bogus"
    lines[1] = ",".join(row)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_batch(folders, out, *, notebooks=None, pool=None, force=False, jobs=2, **opts):
    console = Console(file=io.StringIO(), width=200)
    options = Options(notebooks=notebooks, time_limit=opts.pop("time_limit", 120), cell_timeout=opts.pop("cell_timeout", 60),
                      memory_mb=opts.pop("memory_mb", 4096))
    rc = batch_command(folders, out, jobs=jobs, force=force, options=options, console=console, progress=False,
                       pool=pool, **opts)
    entries = {e["id"]: e for e in json.loads((out / "batch.json").read_text(encoding="utf-8"))} \
        if (out / "batch.json").exists() else {}
    return rc, entries, console.file.getvalue()


def seen(out: Path, cid: str) -> str:
    nb = nbformat.read(out / cid / "01_tiny.ipynb", as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            html = o.get("data", {}).get("text/html", "")
            if 'id="seen"' in html:
                return html.split(">", 1)[1].split("<", 1)[0]
    raise AssertionError("no 'seen' output")


# ------------------------------------------------------------------------------------------------
def test_discover_and_usage_errors(tmp_path):
    clients = copy_demo(tmp_path / "clients")
    assert [p.name for p in discover([clients])] == ["huaxin-steel", "jinfeng-logistics", "riverside-hospital"]
    assert [p.name for p in discover([clients / "huaxin-steel"])] == ["huaxin-steel"]
    (tmp_path / "empty").mkdir()
    for bad in ([tmp_path / "empty"], [tmp_path / "missing"], [], [clients / "huaxin-steel", tmp_path / "x" / "huaxin-steel"]):
        if len(bad) == 2:
            clone(clients / "huaxin-steel", bad[1])
        rc, _, text = run_batch(bad, tmp_path / "out")
        assert rc == 2, (bad, text)
    assert not (tmp_path / "out" / "batch.json").exists()


def test_failures_isolated_with_reasons_and_exit_code(tmp_path, tiny_notebooks, pool):
    clients = copy_demo(tmp_path / "clients")
    clone(clients / "jinfeng-logistics", clients / "bad-enum")
    break_enum(clients / "bad-enum")
    clone(clients / "huaxin-steel", clients / "raiser")
    (clients / "raiser" / "RAISE").touch()
    clone(clients / "huaxin-steel", clients / "hanger")
    (clients / "hanger" / "HANG").touch()
    clone(clients / "riverside-hospital", clients / "killed")
    (clients / "killed" / "KILL").touch()
    out = tmp_path / "build"
    rc, e, text = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool, time_limit=8)
    assert rc == 1, text
    for cid in ("huaxin-steel", "jinfeng-logistics", "riverside-hospital"):
        assert e[cid]["status"] == "ok", e[cid]
        assert (out / cid / "report.html").is_file() and (out / cid / "results.json").is_file()
        assert (out / cid / ".fingerprint.json").is_file()
    # validation: the report names file, row, column and the bad value
    err = e["bad-enum"]["error"]
    assert e["bad-enum"]["status"] == "failed" and "kpis.csv" in err and "method" in err and "bogus" in err
    # notebook-time failure: notebook, cell and exception
    err = e["raiser"]["error"]
    assert "01_tiny.ipynb" in err and "cell 3" in err and "RuntimeError: planted failure" in err
    assert e["hanger"] == {**e["hanger"], "status": "failed",
                           "error": "Timed out after 8 s (the time limit of one client)."}
    assert e["killed"]["status"] == "failed" and "SIGKILL" in e["killed"]["error"]
    # the reason is one human sentence; the full story is in its own field
    for cid in ("bad-enum", "raiser", "hanger", "killed"):
        assert "\n" not in e[cid]["error"] and "Traceback" not in e[cid]["error"], e[cid]["error"]
    assert e["raiser"]["error"].startswith("Notebook 01_tiny.ipynb stopped at cell")
    assert "RuntimeError" in e["raiser"]["traceback"] and "\n" in e["raiser"]["traceback"]
    assert e["bad-enum"]["error"].startswith("The intake has") and "error(s)" in e["bad-enum"]["traceback"]
    for cid in ("bad-enum", "raiser", "hanger", "killed"):
        assert not (out / cid).exists() or not (out / cid / "report.html").exists()
    assert set(e) == {"huaxin-steel", "jinfeng-logistics", "riverside-hospital", "bad-enum", "raiser", "hanger", "killed"}
    assert all(set(x) >= {"id", "status", "seconds", "error"} for x in e.values())
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "planted failure" in index and "Timed out after 8 s" in index and "Traceback" not in index
    assert not [p for p in out.iterdir() if ".tmp-" in p.name], "a temp build folder was left behind"


def test_no_state_leaks_between_clients(tmp_path, tiny_notebooks, pool):
    clients = copy_demo(tmp_path / "clients")
    for i in range(3):
        clone(clients / "jinfeng-logistics", clients / f"more-{i}")
    out = tmp_path / "build"
    rc, e, text = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool, jobs=1)
    assert rc == 0, text
    default_lw = None
    for cid in e:
        leaked, lw, env = seen(out, cid).split("|")
        assert leaked == "None", f"{cid} saw the module global set by {leaked}"
        assert env == "None"
        assert float(lw) != 9.5
        default_lw = default_lw or lw
        assert lw == default_lw


def test_incremental_skip_rebuild_and_force(tmp_path, tiny_notebooks, pool):
    clients = copy_demo(tmp_path / "clients")
    out = tmp_path / "build"
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0 and {x["status"] for x in e.values()} == {"ok"}
    stamp = {cid: (out / cid / "report.html").stat().st_mtime_ns for cid in e}

    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0 and {x["status"] for x in e.values()} == {"skipped"}
    assert stamp == {cid: (out / cid / "report.html").stat().st_mtime_ns for cid in e}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="huaxin-steel/report.html"' in index  # skipped clients still listed with their report

    # an input change rebuilds that client only
    p = clients / "jinfeng-logistics" / "actuals.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("47900", "47901"), encoding="utf-8")
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0
    assert {cid: x["status"] for cid, x in e.items()} == {
        "huaxin-steel": "skipped", "jinfeng-logistics": "ok", "riverside-hospital": "skipped"}

    # a notebook change rebuilds everything; so does --force
    nb2 = write_tiny_notebooks(tmp_path / "nb2")
    (nb2 / "01_tiny.ipynb").write_text((nb2 / "01_tiny.ipynb").read_text() + "\n")
    rc, e, _ = run_batch([clients], out, notebooks=nb2, pool=pool)
    assert {x["status"] for x in e.values()} == {"ok"}
    rc, e, _ = run_batch([clients], out, notebooks=nb2, pool=pool)
    assert {x["status"] for x in e.values()} == {"skipped"}
    rc, e, _ = run_batch([clients], out, notebooks=nb2, pool=pool, force=True)
    assert {x["status"] for x in e.values()} == {"ok"}

    # a deleted output is rebuilt even though the fingerprint matches
    (out / "huaxin-steel" / "report.html").unlink()
    rc, e, _ = run_batch([clients], out, notebooks=nb2, pool=pool)
    assert e["huaxin-steel"]["status"] == "ok" and e["riverside-hospital"]["status"] == "skipped"


def test_killed_client_leaves_previous_build_intact_and_rerun_resumes(tmp_path, tiny_notebooks, pool):
    clients = copy_demo(tmp_path / "clients")
    out = tmp_path / "build"
    assert run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)[0] == 0
    good = (out / "huaxin-steel" / "report.html").read_bytes()
    (clients / "huaxin-steel" / "KILL").touch()  # an input change: rebuilt, and dies mid-way
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 1 and e["huaxin-steel"]["status"] == "failed" and "SIGKILL" in e["huaxin-steel"]["error"]
    assert (out / "huaxin-steel" / "report.html").read_bytes() == good  # previous good build intact
    assert not (out / "huaxin-steel" / fingerprint.FILENAME).exists()  # ... but no longer vouched for
    leftovers = [p.name for p in out.rglob("*") if ".tmp" in p.name]
    assert not leftovers, leftovers
    (clients / "huaxin-steel" / "KILL").unlink()
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0 and e["huaxin-steel"]["status"] == "ok" and e["jinfeng-logistics"]["status"] == "skipped"


def test_killed_batch_resumes_where_it_stopped(tmp_path, tiny_notebooks):
    """SIGKILL the whole batch process mid-way: no partial output; the re-run builds only what is missing."""
    clients = copy_demo(tmp_path / "clients")
    (clients / "riverside-hospital" / "HANG").touch()
    out = tmp_path / "build"
    code = (f"import sys; from pathlib import Path; from workbench.build.batch import batch_command, Options; "
            f"sys.exit(batch_command([Path({str(clients)!r})], Path({str(out)!r}), jobs=1, progress=False, "
            f"options=Options(notebooks=Path({str(tiny_notebooks)!r}))))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL)
    import time

    end = time.monotonic() + 120
    while time.monotonic() < end and not (out / "jinfeng-logistics" / fingerprint.FILENAME).exists():
        time.sleep(0.1)
    time.sleep(1.0)  # riverside-hospital is now hanging mid-way
    proc.kill()
    proc.wait()
    assert (out / "huaxin-steel" / fingerprint.FILENAME).exists()
    assert not (out / "riverside-hospital" / "report.html").exists()
    (clients / "riverside-hospital" / "HANG").unlink()
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks)
    assert rc == 0
    assert {cid: x["status"] for cid, x in e.items()} == {
        "huaxin-steel": "skipped", "jinfeng-logistics": "skipped", "riverside-hospital": "ok"}
    assert not [p.name for p in out.rglob("*") if ".tmp" in p.name]


def test_unchanged_rerun_stays_light(tmp_path, tiny_notebooks, pool):
    """The skip path imports neither pandas nor matplotlib and starts no worker pool."""
    clients = copy_demo(tmp_path / "clients")
    out = tmp_path / "build"
    assert run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)[0] == 0
    code = (f"import sys; from pathlib import Path; from workbench.build.batch import batch_command, Options; "
            f"rc = batch_command([Path({str(clients)!r})], Path({str(out)!r}), progress=False, "
            f"options=Options(notebooks=Path({str(tiny_notebooks)!r}))); "
            f"heavy = [m for m in ('pandas', 'matplotlib', 'numpy', 'nbconvert', 'papermill', 'IPython', 'workbench.build.pool') "
            f"if m in sys.modules]; print('HEAVY', heavy); sys.exit(rc)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "HEAVY []" in res.stdout, res.stdout


@pytest.mark.slow
def test_real_notebooks_end_to_end(tmp_path):
    """The demo clients with the real notebooks through the CLI, plus a broken copy."""
    clients = copy_demo(tmp_path / "clients")
    clone(clients / "jinfeng-logistics", clients / "broken-copy")
    break_enum(clients / "broken-copy")
    out = tmp_path / "build"
    res = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(clients), "--out", str(out), "-j", "2"],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 1, res.stdout + res.stderr
    e = {x["id"]: x for x in json.loads((out / "batch.json").read_text(encoding="utf-8"))}
    for cid in ("huaxin-steel", "jinfeng-logistics", "riverside-hospital"):
        assert e[cid]["status"] == "ok", e[cid]["error"]
        assert (out / cid / "report.html").stat().st_size > 10_000
    assert e["broken-copy"]["status"] == "failed" and "bogus" in e["broken-copy"]["error"]
    assert "broken-copy" in res.stdout and "failed" in res.stdout


def test_unchanged_invalid_client_is_reported_without_rerun_and_retried_once_fixed(tmp_path, tiny_notebooks, pool):
    clients = copy_demo(tmp_path / "clients", ["jinfeng-logistics"])
    clone(clients / "jinfeng-logistics", clients / "bad-enum")
    good_kpis = (clients / "bad-enum" / "kpis.csv").read_text(encoding="utf-8")
    break_enum(clients / "bad-enum")
    out = tmp_path / "build"
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 1 and e["bad-enum"]["status"] == "failed" and "bogus" in e["bad-enum"]["error"]
    first_error = e["bad-enum"]["error"]
    # unchanged: the same validation report, without a worker (the pool would have run it: count its jobs)
    calls = []
    orig = pool.run
    pool.run = lambda tasks, *a, **k: calls.append(list(tasks)) or orig(tasks, *a, **k)
    try:
        rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    finally:
        pool.run = orig
    assert rc == 1 and e["bad-enum"]["status"] == "failed" and e["bad-enum"]["error"] == first_error
    assert e["bad-enum"].get("unchanged") is True and e["jinfeng-logistics"]["status"] == "skipped"
    assert not calls, "an unchanged invalid client was run again"
    # fixed: rebuilt and delivered
    (clients / "bad-enum" / "kpis.csv").write_text(good_kpis, encoding="utf-8")
    rc, e, _ = run_batch([clients], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0 and e["bad-enum"]["status"] == "ok"
    assert (out / "bad-enum" / "report.html").is_file() and not (out / "bad-enum" / fingerprint.FAILURE_FILENAME).exists()


# ------------------------------------------------------------------------------------------------ hardening
import time

from workbench.build import batch as batch_mod
from workbench.build.batch import InfrastructureError, out_lock


def cli(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench.cli", "batch", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "COLUMNS": "200"})


def test_a_second_batch_into_the_same_out_exits_2_naming_the_holder(tmp_path, tiny_notebooks):
    clients = copy_demo(tmp_path / "clients", ["huaxin-steel"])
    out = tmp_path / "build"
    out.mkdir()
    in_progress = out / "huaxin-steel.tmp-abc123"  # the first batch's build in progress
    in_progress.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys; from pathlib import Path; from workbench.build.batch import out_lock\n"
                               f"with out_lock(Path({str(out)!r})):\n    print('held', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        res = cli(str(clients), "--out", str(out))
        assert res.returncode == 2, res.stdout + res.stderr
        line = res.stderr.strip()
        assert "\n" not in line and "Traceback" not in line, res.stderr
        assert f"pid {holder.pid}" in line and "another batch" in line and "host" in line
        assert in_progress.is_dir()  # the first batch's work is untouched
        assert not (out / "batch.json").exists() and not (out / "huaxin-steel").exists()
    finally:
        holder.stdin.close()
        holder.wait(10)
    with out_lock(out):  # released when the holder ended
        pass


@pytest.mark.parametrize("kind", ["file", "unwritable", "too long"])
def test_an_unusable_out_exits_2_with_one_line(tmp_path, kind):
    clients = copy_demo(tmp_path / "clients", ["huaxin-steel"])
    out = {"file": tmp_path / "a-file", "unwritable": Path("/sys/workbench-out"),
           "too long": tmp_path / ("x" * 300)}[kind]
    if kind == "file":
        out.write_text("not a folder")
    res = cli(str(clients), "--out", str(out))
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbench batch: --out") and "Traceback" not in res.stderr, res.stderr
    assert "choose another --out" in lines[0]


def test_client_ids_come_from_resolved_folder_names(tmp_path, tiny_notebooks, pool, monkeypatch):
    clients = copy_demo(tmp_path / "clients", ["huaxin-steel", "jinfeng-logistics"])
    (clients / "jinfeng-logistics" / "sub").mkdir()
    out = tmp_path / "build"
    monkeypatch.chdir(clients / "huaxin-steel")
    rc, e, text = run_batch([Path("."), Path("../jinfeng-logistics/sub/..")], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0, text
    assert set(e) == {"huaxin-steel", "jinfeng-logistics"} and {x["status"] for x in e.values()} == {"ok"}
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["batch.json", "huaxin-steel", "index.html", "jinfeng-logistics"]
    rc, e, _ = run_batch([Path(".")], out, notebooks=tiny_notebooks, pool=pool)
    assert rc == 0 and e["huaxin-steel"]["status"] == "skipped"  # built, not rebuilt every run


def _tree(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
            if p.is_file() and skip not in p.parents}


def test_nothing_is_written_outside_out(tmp_path, tiny_notebooks):
    clients = copy_demo(tmp_path / "clients")
    clone(clients / "jinfeng-logistics", clients / "bad-enum")
    break_enum(clients / "bad-enum")
    clone(clients / "huaxin-steel", clients / "raiser")
    (clients / "raiser" / "RAISE").touch()
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "build"
    before = _tree(tmp_path, out)
    with WarmPool(2, env={"TMPDIR": str(tmp_path / "tmp")}) as own_pool:
        rc, e, text = run_batch([clients], out, notebooks=tiny_notebooks, pool=own_pool)
    assert rc == 1, text
    written = {k for k, v in _tree(tmp_path, out).items() if before.get(k) != v}
    assert written == set(), f"files written outside --out: {sorted(written)}"
    assert not list((tmp_path / "tmp").iterdir()), "temporary files left behind"
    inside = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert all(x.split("/")[0] in set(e) | {"batch.json", "index.html", ".batch.lock"} for x in inside), inside


def test_a_memory_failure_during_validation_is_not_cached(tmp_path, tiny_notebooks, monkeypatch):
    clients = copy_demo(tmp_path / "clients", ["jinfeng-logistics"])
    out = tmp_path / "build"
    out.mkdir()
    opts = Options(notebooks=tiny_notebooks)
    [item] = batch_mod.plan(batch_mod.discover([clients]), out, False, opts)

    def out_of_memory(folder):
        raise MemoryError()

    import workbench.intake.reading as reading

    monkeypatch.setattr(reading, "check_client", out_of_memory)
    res = batch_mod.job(str(item.folder), str(out), str(tiny_notebooks))
    assert res["status"] == "failed" and res["stage"] == "validate" and res["reason"] == "memory"
    batch_mod._finish(item, res, out, time.perf_counter())
    assert item.status == "failed" and "MemoryError" in item.error
    assert not (out / item.id / fingerprint.FAILURE_FILENAME).exists()
    monkeypatch.undo()
    [again] = batch_mod.plan(batch_mod.discover([clients]), out, False, opts)
    assert again.status == "pending"  # retried, not reported from a cache
