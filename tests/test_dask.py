"""`workbench batch --scheduler`: the same per-client pipeline as Dask tasks on a LocalCluster.

The worker builds into its own temp folder and returns the artefacts as bytes; the submitting process
writes them atomically into --out (so it works without a shared file system).
"""
from __future__ import annotations

import json


from test_batch import clone, copy_demo, run_batch, write_tiny_notebooks

from workbench.build import fingerprint

import dask.distributed as distributed


def test_batch_on_a_local_dask_cluster(tmp_path):
    clients = copy_demo(tmp_path / "clients", ["huaxin-steel", "jinfeng-logistics"])
    clone(clients / "huaxin-steel", clients / "raiser")
    (clients / "raiser" / "RAISE").touch()
    notebooks = write_tiny_notebooks(tmp_path / "notebooks")
    out = tmp_path / "build"
    with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster:
        rc, e, text = run_batch([clients], out, notebooks=notebooks, scheduler=cluster.scheduler_address)
        assert rc == 1, text
        for cid in ("huaxin-steel", "jinfeng-logistics"):
            assert e[cid]["status"] == "ok", e[cid]
            files = {p.name for p in (out / cid).iterdir()}
            assert {"report.html", "results.json", "01_tiny.ipynb", fingerprint.FILENAME} <= files
            assert json.loads((out / cid / "results.json").read_text(encoding="utf-8"))["client"] == cid
            assert e[cid].get("worker_host")
        assert e["raiser"]["status"] == "failed" and "RuntimeError: planted failure" in e["raiser"]["error"]
        assert not (out / "raiser").exists()
        assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temp folders left in --out"
        # incremental on the cluster path too
        rc, e, _ = run_batch([clients], out, notebooks=notebooks, scheduler=cluster.scheduler_address)
        assert e["huaxin-steel"]["status"] == "skipped" and e["raiser"]["status"] == "failed"
