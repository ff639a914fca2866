"""The warm pool (workbench.build.pool): isolation, limits and failure handling, with tiny jobs.

The job functions below run in forked children; the zygote finds this module through PYTHONPATH.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.build.pool import Task, WarmPool

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {"PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)])}
J = "test_pool:"


# ---- jobs (run in the children) -----------------------------------------------------------------
def job_state(tag: str) -> dict:
    """Report what a previous job could have leaked, then leak it ourselves."""
    import matplotlib
    import matplotlib.pyplot as plt

    import workbench

    seen = {"global": getattr(workbench, "_leak", None), "rc": matplotlib.rcParams["lines.linewidth"],
            "env": os.environ.get("WB_LEAK"), "cwd_files": sorted(os.listdir(".")), "figs": len(plt.get_fignums()),
            "pandas_preloaded": "pandas" in sys.modules, "pid": os.getpid()}
    workbench._leak = tag  # type: ignore[attr-defined]
    matplotlib.rcParams["lines.linewidth"] = 9.5
    os.environ["WB_LEAK"] = tag
    Path("leftover.txt").write_text(tag)
    plt.figure()
    return {"status": "ok", "seen": seen}


def job_action(action: str, arg: float = 0) -> dict:
    if action == "ok":
        return {"status": "ok", "pid": os.getpid()}
    if action == "sleep":
        t0 = time.time()
        time.sleep(arg)
        return {"status": "ok", "t0": t0, "t1": time.time()}
    if action == "raise":
        raise ValueError("boom in job")
    if action == "hang":
        Path(os.environ["WB_PIDFILE"]).write_text(str(os.getpid())) if os.environ.get("WB_PIDFILE") else None
        while True:
            time.sleep(0.05)
    if action == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if action == "exit":
        os._exit(3)
    if action == "memory":
        import numpy as np

        block = np.empty(int(arg) * 1024 * 1024, dtype=np.uint8)  # address space only: pages never touched
        return {"status": "ok", "n": int(block.size)}
    if action == "failed":
        return {"status": "failed", "error": "notebook 01.ipynb cell 3: KeyError: 'x'"}
    if action == "parent":
        import workbench

        return {"status": "ok", "ppid": os.getppid(), "env": os.environ.get("WB_REHEARSAL"),
                "warmed": getattr(workbench, "_rehearsed", None)}
    raise AssertionError(action)


def rehearse_here(marker: str, fail: bool = False) -> dict:
    """A rehearsal: leaves a warm cache behind (a module attribute) and says where it ran."""
    import workbench

    workbench._rehearsed = "warm"  # type: ignore[attr-defined]
    with open(marker, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {os.environ.get('WB_REHEARSAL')}\n")
    if fail:
        raise ValueError("rehearsal boom")
    return {"status": "ok"}


# ---- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_pool():
    with WarmPool(2, preload=["json", "matplotlib", "matplotlib.pyplot", "workbench"], warm=False, env=ENV) as pool:
        yield pool


def run(pool, tasks):
    return dict(pool.run(tasks))


# ---- tests --------------------------------------------------------------------------------------
def test_zygote_is_single_threaded_and_reports_ready(small_pool):
    info = small_pool.wait_ready()
    assert info["threads"] == 1
    assert info["warnings"] == []


def test_real_preload_warms_once_without_threads():
    """The production preload: heavy libraries imported in the zygote, which stays single-threaded."""
    with WarmPool(1, env=ENV) as pool:
        info = pool.wait_ready()
        assert info["threads"] == 1, info
        res = run(pool, [Task("a", J + "job_state", {"tag": "a"})])["a"]
    assert res["status"] == "ok", res
    assert res["seen"]["pandas_preloaded"] is True


def test_no_state_leaks_between_jobs(small_pool):
    tasks = [Task(f"t{i}", J + "job_state", {"tag": f"t{i}"}) for i in range(4)]
    results = run(small_pool, tasks)
    pids = set()
    for key, res in results.items():
        assert res["status"] == "ok", res
        seen = res["seen"]
        assert seen["global"] is None, f"{key} saw a module global set by another job"
        assert seen["rc"] != 9.5, f"{key} saw an rcParam set by another job"
        assert seen["env"] is None
        assert seen["cwd_files"] == []  # own, fresh working folder
        assert seen["figs"] == 0
        pids.add(seen["pid"])
    assert len(pids) == 4  # one child per job


def test_failures_are_isolated_and_explained(small_pool):
    tasks = [Task("ok1", J + "job_action", {"action": "ok"}),
             Task("raise", J + "job_action", {"action": "raise"}),
             Task("hang", J + "job_action", {"action": "hang"}, time_limit=1),
             Task("sigkill", J + "job_action", {"action": "sigkill"}),
             Task("segv", J + "job_action", {"action": "segv"}),
             Task("exit", J + "job_action", {"action": "exit"}),
             Task("memory", J + "job_action", {"action": "memory", "arg": 8192}, memory_mb=4096),
             Task("failed", J + "job_action", {"action": "failed"}),
             Task("ok2", J + "job_action", {"action": "ok"})]
    r = run(small_pool, tasks)
    assert r["ok1"]["status"] == r["ok2"]["status"] == "ok"
    assert r["raise"]["status"] == "failed" and "ValueError: boom in job" in r["raise"]["error"]
    assert "Traceback" in r["raise"]["traceback"] and "boom in job" in r["raise"]["traceback"]
    assert r["hang"]["status"] == "failed" and r["hang"]["reason"] == "timeout"
    assert r["hang"]["error"] == "Timed out after 1 s (the time limit of one client)."
    assert r["sigkill"]["status"] == "failed" and "SIGKILL" in r["sigkill"]["error"]
    assert r["segv"]["status"] == "failed" and "SIGSEGV" in r["segv"]["error"]
    assert r["exit"]["status"] == "failed" and "exited with code 3" in r["exit"]["error"]
    assert r["memory"]["status"] == "failed" and r["memory"]["reason"] == "memory"
    assert r["memory"]["error"] == "Ran out of memory (the limit of one client is 4096 MB)."
    for key in ("raise", "hang", "sigkill", "segv", "exit", "memory"):  # one sentence each, details elsewhere
        assert "\n" not in r[key]["error"] and r[key]["error"].endswith("."), r[key]["error"]
    assert r["failed"] == {**r["failed"], "status": "failed", "error": "notebook 01.ipynb cell 3: KeyError: 'x'"}
    for res in r.values():
        assert res["cpu"] >= 0 and res["maxrss_mb"] > 0 and res["wall"] >= 0


def test_memory_limit_is_what_stops_the_allocation(small_pool):
    r = run(small_pool, [Task("nolimit", J + "job_action", {"action": "memory", "arg": 8192})])
    assert r["nolimit"]["status"] == "ok"  # 8 GB of untouched address space is fine without a limit


def test_children_run_in_parallel(small_pool):
    r = run(small_pool, [Task(f"s{i}", J + "job_action", {"action": "sleep", "arg": 0.5}) for i in range(2)])
    a, b = r["s0"], r["s1"]
    assert a["t0"] < b["t1"] and b["t0"] < a["t1"], "the two jobs did not overlap"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def _wait_dead(pid: int, seconds: float = 10) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_killed_main_process_takes_zygote_and_children_down(tmp_path):
    """SIGKILL the process that owns the pool: the zygote sees EOF and kills the running child."""
    pidfile = tmp_path / "child.pid"
    script = f"""
import sys, json
sys.path[:0] = {[str(HERE), str(ROOT)]!r}
from workbench.build.pool import WarmPool, Task
pool = WarmPool(1, preload=["json"], warm=False, env={{**{ENV!r}, "WB_PIDFILE": {str(pidfile)!r}}})
print(json.dumps({{"zygote": pool.proc.pid}}), flush=True)
for _ in pool.run([Task("h", "test_pool:job_action", {{"action": "hang"}})]):
    pass
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    zygote = json.loads(proc.stdout.readline())["zygote"]
    end = time.monotonic() + 20
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < end:
        time.sleep(0.05)
    child = int(pidfile.read_text())
    assert _alive(child)
    proc.kill()
    proc.wait()
    assert _wait_dead(zygote), "zygote survived its owner"
    assert _wait_dead(child), "child survived the killed batch"


def test_close_kills_running_children(tmp_path):
    pidfile = tmp_path / "c.pid"
    pool = WarmPool(1, preload=["json"], warm=False, env={**ENV, "WB_PIDFILE": str(pidfile)})
    gen = pool.run([Task("h", J + "job_action", {"action": "hang"})])
    import threading

    th = threading.Thread(target=lambda: list(gen), daemon=True)
    th.start()
    end = time.monotonic() + 20
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < end:
        time.sleep(0.05)
    child = int(pidfile.read_text())
    pool.close()
    assert _wait_dead(child)


@pytest.mark.parametrize("fail", [False, True])
def test_rehearsal_runs_once_in_the_zygote_before_any_child(tmp_path, fail):
    """The pool's rehearsal warms the zygote: it runs once, in the zygote, with its own environment (not left to the
    jobs); the children start from what it left; a failing rehearsal is a warning and the jobs still run."""
    marker = tmp_path / "rehearsed.txt"
    rehearsal = Task("warm", J + "rehearse_here", {"marker": str(marker), "fail": fail}, env={"WB_REHEARSAL": "on"})
    with WarmPool(2, preload=["workbench"], warm=False, env=ENV, rehearse=rehearsal) as pool:
        info = pool.wait_ready()
        results = run(pool, [Task(f"j{i}", J + "job_action", {"action": "parent"}) for i in range(3)])
    lines = marker.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].endswith(" on")
    zygote = int(lines[0].split()[0])
    for res in results.values():
        assert res["status"] == "ok", res
        assert res["ppid"] == zygote and res["env"] is None and res["warmed"] == "warm"
    assert bool([w for w in info["warnings"] if "rehearsal boom" in w]) is fail
