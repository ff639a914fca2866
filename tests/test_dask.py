"""`workbench batch --scheduler`: the same per-client pipeline as Dask tasks, on a real `dask scheduler` and a
real `dask worker` started as separate processes on 127.0.0.1 (as on a cluster, not a LocalCluster).

The worker builds into its own temp folder and returns the artefacts as bytes; the submitting process
writes them atomically into --out (so it works without a shared file system). Infrastructure failures (an
unreachable scheduler) exit 2 and mark no client failed; the workers' warm pools are released after a batch.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from test_batch import ROOT, clone, copy_demo, run_batch, write_tiny_notebooks

from workbench.build import fingerprint
from workbench.build.batch import InfrastructureError

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A `dask scheduler` and one `dask worker` (one process, one thread) as real processes."""
    tmp = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=tmp.joinpath("s.log").open("w"))]
    procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                   "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(tmp / "w")],
                                  cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=tmp.joinpath("w.log").open("w")))
    from dask.distributed import Client

    with Client(address, timeout=60) as c:
        c.wait_for_workers(1, timeout=120)
    try:
        yield address, procs[1]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def _zygotes_under(proc: subprocess.Popen) -> list[int]:
    kids = psutil.Process(proc.pid).children(recursive=True)
    out = []
    for k in kids:
        try:
            if "_zygote_main" in " ".join(k.cmdline()):
                out.append(k.pid)
        except psutil.Error:
            pass
    return out


def test_batch_on_a_real_scheduler_and_worker(tmp_path, cluster):
    address, worker = cluster
    clients = copy_demo(tmp_path / "clients", ["huaxin-steel", "jinfeng-logistics"])
    clone(clients / "huaxin-steel", clients / "raiser")
    (clients / "raiser" / "RAISE").touch()
    notebooks = write_tiny_notebooks(tmp_path / "notebooks")
    out = tmp_path / "build"
    rc, e, text = run_batch([clients], out, notebooks=notebooks, scheduler=address)
    assert rc == 1, text
    for cid in ("huaxin-steel", "jinfeng-logistics"):
        assert e[cid]["status"] == "ok", e[cid]
        files = {p.name for p in (out / cid).iterdir()}
        assert {"report.html", "results.json", "01_tiny.ipynb", fingerprint.FILENAME} <= files
        assert json.loads((out / cid / "results.json").read_text(encoding="utf-8"))["client"] == cid
        assert e[cid].get("worker_host")
    assert e["raiser"]["status"] == "failed" and "RuntimeError: planted failure" in e["raiser"]["error"]
    assert not (out / "raiser").exists()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.is_dir()
                and p.name != ".portfolio"], \
        "temp folders left in --out"
    # the worker's warm pool (a zygote process) is released at the end of the batch
    end = time.monotonic() + 20
    while _zygotes_under(worker) and time.monotonic() < end:
        time.sleep(0.2)
    assert _zygotes_under(worker) == [], "a worker pool stayed resident after the batch"
    # incremental on the cluster path too
    rc, e, _ = run_batch([clients], out, notebooks=notebooks, scheduler=address)
    assert e["huaxin-steel"]["status"] == "skipped" and e["raiser"]["status"] == "failed"


def test_an_unreachable_scheduler_exits_2_and_marks_no_client_failed(tmp_path):
    clients = copy_demo(tmp_path / "clients", ["huaxin-steel"])
    out = tmp_path / "build"
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    with pytest.raises(InfrastructureError, match="cannot reach the Dask scheduler"):
        run_batch([clients], out, notebooks=write_tiny_notebooks(tmp_path / "nb"), scheduler=address)
    assert not (out / "batch.json").exists() and not (out / "huaxin-steel").exists()
    res = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(clients), "--out", str(out),
                          "--scheduler", address], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and address in res.stderr and "Traceback" not in res.stderr
    assert not (out / "batch.json").exists()
