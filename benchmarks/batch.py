#!/usr/bin/env python
"""Benchmark of `workbench batch` on synthetic clients (a script, not a test). Prints a table of figures.

    python benchmarks/batch.py [--n 200] [--quick] [--jobs N] [--naive-sample 3] [--mem-sizes 20,60] [--keep]
    python benchmarks/batch.py --n 1000 --naive-sample 0      # the programme-scale run (issue 15)

Measured in one run on this machine:
(a) speed-up of `workbench batch -j <cores>` over the naive loop (for every notebook of every client:
    the `papermill` command with a kernel, then `jupyter nbconvert --to html`, one after another). The naive
    loop is measured on a small sample of clients and scaled per client (said in the output).
(b) CPU seconds per client of the batch (user+sys of the batch process and all its descendants:
    RUSAGE_CHILDREN of the subprocess) over CPU seconds per client of the compute floor (one warm Python
    process calling load_client + analyse + every chart as SVG, uncached, + results_document directly).
(c) wall time of an unchanged re-run of the N clients.
(d) peak memory of the batch process tree (sampled with psutil: sum of RSS, sum of PSS, largest single
    RSS), over the run (first tenth of the clients vs the whole run: flat in N) and, with --mem-sizes, at
    separate batch sizes.
(g) output size per client (every file of <out>/<id>/: report.html, results.json, executed notebooks).
Targets: (a) >= 10x, (b) <= 1.3 x the floor and <= 1.0 CPU-s per client, (c) < 5 s for 1,000 clients,
(d) not growing with N, (g) <= 1.5 MB per client. `--naive-sample 0` skips (a)'s naive loop.
`--quick`: N=20, naive sample 2, memory at 5 and 15 clients.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
BIN = Path(sys.executable).parent


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class TreeSampler:
    """Peak memory of a process and its descendants (psutil): RSS every `interval` s (cheap: /proc/<pid>/statm),
    PSS every `pss_every`-th sample (it reads every page table: sampled often, it slowed the batch it measured)."""

    def __init__(self, pid: int, interval: float = 0.5, pss_every: int = 6):
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.pss_every = pss_every
        self.peak_rss = self.peak_pss = self.peak_single = 0.0
        self.peak_procs = 0
        self.timeline: list[tuple[float, float]] = []  # (seconds since start, PSS of the tree)
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        ps = self.psutil
        n = 0
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except ps.Error:
                break
            full = n % self.pss_every == 0
            n += 1
            rss = pss = single = 0.0
            for p in procs:
                try:
                    info = p.memory_full_info() if full else p.memory_info()
                except ps.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                single = max(single, info.rss)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_single = max(self.peak_single, single)
            self.peak_procs = max(self.peak_procs, len(procs))
            if full:
                self.peak_pss = max(self.peak_pss, pss)
                self.timeline.append((time.perf_counter() - self.t0, pss))
            self._stop.wait(self.interval)

    def peak_between(self, t_from: float, t_to: float) -> float:
        return max([p for t, p in self.timeline if t_from <= t <= t_to] or [0.0])

    def stop(self) -> None:
        self._stop.set()
        self._t.join()


def run_batch(folders: list[Path], out: Path, jobs: int, sample: bool = False, force: bool = False) -> dict:
    cmd = [str(BIN / "workbench"), "batch", *map(str, folders), "--out", str(out), "-j", str(jobs)]
    if force:
        cmd.append("--force")
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "160"})
    sampler = TreeSampler(proc.pid) if sample else None
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if sampler:
        sampler.stop()
    cpu = _children_cpu() - cpu0
    entries = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    res = {"rc": proc.returncode, "wall": wall, "cpu": cpu, "entries": entries, "stderr": err[-2000:]}
    if sampler:
        res.update(peak_rss=sampler.peak_rss, peak_pss=sampler.peak_pss, peak_single=sampler.peak_single,
                   peak_procs=sampler.peak_procs, peak_first_tenth=sampler.peak_between(0, wall / 10),
                   peak_last_half=sampler.peak_between(wall / 2, wall))
    return res


def output_sizes(out: Path, entries: list[dict]) -> dict:
    """Bytes per built client: whole folder, report.html, executed notebooks (mean and max)."""
    totals, reports, notebooks = [], [], []
    for e in entries:
        d = out / e["id"]
        if e["status"] != "ok" or not d.is_dir():
            continue
        files = [p for p in d.rglob("*") if p.is_file()]
        totals.append(sum(p.stat().st_size for p in files))
        reports.append((d / "report.html").stat().st_size if (d / "report.html").is_file() else 0)
        notebooks.append(sum(p.stat().st_size for p in files if p.suffix == ".ipynb"))
    n = max(1, len(totals))
    return {"n": len(totals), "mean": sum(totals) / n, "max": max(totals or [0]), "report_mean": sum(reports) / n,
            "report_max": max(reports or [0]), "notebooks_mean": sum(notebooks) / n}


def naive_loop(clients: list[Path], out: Path) -> dict:
    """papermill (kernel) then nbconvert, per notebook per client, one after another."""
    from workbench.build.runner import notebook_paths

    nbs = notebook_paths()
    cpu0, t0 = _children_cpu(), time.perf_counter()
    failures = 0
    for c in clients:
        dest = out / c.name
        dest.mkdir(parents=True, exist_ok=True)
        for nb in nbs:
            target = dest / nb.name
            r = subprocess.run([str(BIN / "papermill"), str(nb), str(target), "-k", "python3",
                                "-p", "client_folder", str(c), "-p", "output_folder", str(dest), "--no-progress-bar"],
                               capture_output=True, text=True)
            failures += r.returncode != 0
            r = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target)],
                               capture_output=True, text=True)
            failures += r.returncode != 0
    return {"wall": time.perf_counter() - t0, "cpu": _children_cpu() - cpu0, "n": len(clients),
            "notebooks": len(nbs), "failures": failures}


def floor_main(folders: list[str]) -> None:
    """In a fresh process: warm up, then per client load + analyse + every chart the deliverable shows, drawn and
    encoded as SVG with no chart cache (`stages.all_charts`, the same list benchmarks/stages.py measures) +
    results_document."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    from stages import all_charts

    from workbench.analysis.analyse import analyse
    from workbench.analysis.results import results_document
    from workbench.build.runner import warm_up
    from workbench.deliverable.charts.cache import Chart
    from workbench.deliverable.charts.render import to_svg
    from workbench.intake.reading import load_client

    warm_up()

    def one(folder: str) -> int:
        a = analyse(load_client(Path(folder)))
        n = 0
        for c in all_charts(a):
            c.svg(cache=False) if isinstance(c, Chart) else to_svg(c)
            n += 1
        json.dumps(results_document(a), ensure_ascii=False)
        return n

    one(folders[0])  # warm: first-call caches (fonts, glyphs) are not per-client work
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    charts = sum(one(f) for f in folders)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    print(json.dumps({"cpu": cpu, "wall": time.perf_counter() - t0, "n": len(folders), "charts": charts}))


def _is_broken(folder: Path) -> bool:
    """A synthetic client given a deliberate input error (synthetic.py: method 'bogus' or an actual for 'NOPE')."""
    import openpyxl

    for f in folder.glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        if ",bogus," in text or "NOPE" in text:
            return True
    x = folder / "intake.xlsx"
    if x.is_file():
        wb = openpyxl.load_workbook(x, read_only=True)
        for ws in wb:
            for row in ws.iter_rows(values_only=True):
                if "bogus" in row or "NOPE" in row:
                    return True
    return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--naive-sample", type=int, default=3)
    ap.add_argument("--floor-sample", type=int, default=20)
    ap.add_argument("--mem-sizes", default="", help="extra batch sizes for (d), e.g. 20,60 (default: none)")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--broken", type=int, default=4, help="clients given a deliberate input error")
    ap.add_argument("--floor", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--clients", type=Path, help="use synthetic clients made beforehand (benchmarks/synthetic.py)")
    a = ap.parse_args(argv)
    if a.floor:
        floor_main(a.floor)
        return 0
    if a.quick:  # smaller defaults; explicit flags still win
        given = set(argv if argv is not None else sys.argv[1:])
        a.n = a.n if "--n" in given else 20
        a.naive_sample = a.naive_sample if "--naive-sample" in given else 2
        a.mem_sizes = a.mem_sizes if "--mem-sizes" in given else "5,15"
    mem_sizes = [int(x) for x in a.mem_sizes.split(",") if x]
    from synthetic import make_clients

    tmp = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    # the chart cache starts empty: synthetic clients are the same from run to run, so a cache left by an earlier
    # run would serve every chart and the figures would measure nothing (re-runs below do reuse this one)
    os.environ["WORKBENCH_CHART_CACHE"] = str(tmp / "chart-cache")
    print(f"workspace {tmp}; N={a.n}; -j {a.jobs}; cores {os.cpu_count()}; python {sys.version.split()[0]}; "
          "chart cache empty at the start", flush=True)
    try:
        if a.clients:  # made beforehand: python benchmarks/synthetic.py DIR --n N --broken B
            folders = sorted(p for p in a.clients.iterdir() if (p / "client.yaml").is_file())
            broken_ids = [p.name for p in folders if _is_broken(p)]
        else:
            folders, broken_ids = make_clients(tmp / "clients", max([a.n, *mem_sizes]), broken=a.broken)
        main_set = folders[: a.n]
        broken_in_main = {f.name for f in main_set} & set(broken_ids)
        good = [f for f in main_set if f.name not in broken_in_main]  # samples for the naive loop and the floor
        rows: list[tuple[str, str, str]] = []

        # (a) naive loop on a sample
        k = min(a.naive_sample, len(main_set))
        naive: dict = {}
        if k:
            print(f"naive loop on {k} clients ...", flush=True)
            naive = naive_loop(good[:k], tmp / "naive")
        naive_per = naive["wall"] / k if k else None

        # batch of N (cold: nothing built yet)
        print(f"batch of {a.n} ...", flush=True)
        full = run_batch(main_set, tmp / "out", a.jobs, sample=True)
        print(f"  batch: {full['wall']:.1f} s wall, {full['cpu'] / a.n:.3f} CPU-s per client, rc {full['rc']}, "
              f"peak PSS {full['peak_pss'] / 2**20:.0f} MB", flush=True)
        ok = sum(e["status"] == "ok" for e in full["entries"])
        batch_per = full["wall"] / a.n
        # (b) floor
        fk = min(a.floor_sample, len(main_set))
        print(f"compute floor on {fk} clients ...", flush=True)
        fl = subprocess.run([sys.executable, __file__, "--floor", *map(str, good[:fk])], capture_output=True, text=True)
        if fl.returncode != 0:
            print(fl.stderr[-3000:])
            return 1
        floor = json.loads(fl.stdout.strip().splitlines()[-1])
        floor_cpu = floor["cpu"] / floor["n"]
        batch_cpu = full["cpu"] / a.n
        child_cpu = sum(e.get("cpu", 0) for e in full["entries"]) / max(1, ok)
        # (c) unchanged re-run
        print("unchanged re-run ...", flush=True)
        rerun = run_batch(main_set, tmp / "out", a.jobs)
        rerun2 = run_batch(main_set, tmp / "out", a.jobs)  # the index already says "skipped": nothing rewritten
        print(f"  re-runs: {rerun['wall']:.2f} s, then {rerun2['wall']:.2f} s", flush=True)
        skipped = sum(e["status"] == "skipped" for e in rerun["entries"])
        cached = sum(bool(e.get("unchanged")) for e in rerun["entries"])
        if skipped + cached < a.n:  # say why (e.g. someone edited the package meanwhile)
            from workbench.build import fingerprint
            from workbench.build.batch import Options, plan

            items = {it.id: it for it in plan(main_set, tmp / "out", False, Options.from_env())}
            for e in rerun["entries"]:
                if e["status"] != "skipped" and not e.get("unchanged"):  # unchanged invalid clients are expected
                    old = fingerprint.read(tmp / "out" / e["id"]) or {}
                    new = items[e["id"]].fp or {}
                    print(f"  not skipped: {e['id']}: differs in {[k for k in new if k != 'files' and old.get(k) != new[k]]}")
                    break
        # (e) fork + reap overhead of the warm pool: a no-op job
        from workbench.build.pool import Task, WarmPool

        with WarmPool(1) as pool:
            info = pool.wait_ready()
            noop = [r for _, r in pool.run([Task(f"n{i}", "os:getpid", {}) for i in range(20)])]
        # (d) memory at two sizes
        mem = []
        for size in mem_sizes:
            print(f"memory: batch of {size} ...", flush=True)
            r = run_batch(folders[:size], tmp / f"mem-{size}", a.jobs, sample=True)
            mem.append((size, r))

        mb = 1024 * 1024
        if naive_per:
            rows += [
                ("(a) naive loop, s per client", f"{naive_per:.2f}",
                 f"measured on {k} clients x {naive['notebooks']} notebooks (papermill + nbconvert CLI), scaled per "
                 f"client; failures {naive['failures']}"),
                ("(a) speed-up", f"{naive_per / batch_per:.1f}x", "target >= 10x")]
        sizes = output_sizes(tmp / "out", full["entries"])
        rows += [
            ("(a) batch -j %d, wall" % a.jobs, f"{full['wall']:.1f} s",
             f"{a.n} clients, {batch_per:.3f} s per client, {ok} ok, rc {full['rc']}"),
            ("(b) batch CPU s per client", f"{batch_cpu:.3f}",
             f"whole process tree incl. zygote warm-up / N; per child {child_cpu:.3f}; target <= 1.0"),
            ("(b) floor CPU s per client", f"{floor_cpu:.3f}",
             f"{fk} clients, {floor['charts']} charts as SVG, no chart cache, one warm process"),
            ("(b) ratio batch / floor", f"{batch_cpu / floor_cpu:.2f}", "target <= 1.3"),
            ("(c) unchanged re-run, s wall", f"{rerun['wall']:.2f}",
             f"{a.n} clients, {skipped} skipped, {cached} invalid reported unchanged, rc {rerun['rc']}; "
             "target < 5 s for 1,000; rewrites index.html (ok -> skipped)"),
            ("(c) second unchanged re-run, s wall", f"{rerun2['wall']:.2f}", "index.html and exports left as they are"),
            ("(g) output per client, mean", f"{sizes['mean'] / 1e6:.2f} MB",
             f"max {sizes['max'] / 1e6:.2f} MB; report.html mean {sizes['report_mean'] / 1e6:.2f} MB "
             f"(max {sizes['report_max'] / 1e6:.2f}); notebooks {sizes['notebooks_mean'] / 1e3:.0f} kB; "
             f"{sizes['n']} clients; target <= 1.5 MB"),
        ]
        rows.append(("(e) warm-up of the zygote, s", f"{info['seconds']:.2f}", "paid once per batch"))
        rows.append(("(e) no-op job through the pool", f"{sum(r['wall'] for r in noop) / len(noop) * 1000:.1f} ms",
                     f"fork + run + reap + report, wall; child CPU {sum(r['cpu'] for r in noop) / len(noop) * 1000:.1f} ms"))
        for size, r in mem:
            rows.append((f"(d) peak memory, {size} clients", f"{r['peak_pss'] / mb:.0f} MB PSS",
                         f"sum RSS {r['peak_rss'] / mb:.0f} MB, largest process {r['peak_single'] / mb:.0f} MB, "
                         f"max {r['peak_procs']} processes, {r['wall']:.1f} s"))
        rows.append((f"(d) peak memory, {a.n} clients", f"{full['peak_pss'] / mb:.0f} MB PSS",
                     f"sum RSS {full['peak_rss'] / mb:.0f} MB, largest process {full['peak_single'] / mb:.0f} MB"))
        rows.append(("(d) peak PSS, first tenth / last half", f"{full['peak_first_tenth'] / mb:.0f} / "
                     f"{full['peak_last_half'] / mb:.0f} MB", "flat in N when the two are about equal"))
        per_child = [e.get("maxrss_mb") or 0 for e in full["entries"]]
        rows.append(("(d) largest worker peak RSS", f"{max(per_child or [0]):.0f} MB",
                     f"per client (wait4), mean {sum(per_child) / max(1, len(per_child)):.0f} MB"))
        failed = {e["id"]: e for e in full["entries"] if e["status"] == "failed"}
        delivered = sum(e["status"] == "ok" for e in full["entries"] if e["id"] not in broken_in_main)
        rows.append(("(f) deliberately broken clients", f"{len(set(failed) & broken_in_main)}/{len(broken_in_main)}",
                     f"reported failed with a reason; good clients delivered {delivered}/{len(good)};"
                     f" unexpected failures {len(set(failed) - broken_in_main)}"))
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        print()
        print(f"{'figure'.ljust(w0)}  {'value'.rjust(w1)}  note")
        print(f"{'-' * w0}  {'-' * w1}  {'-' * 40}")
        for name, val, note in rows:
            print(f"{name.ljust(w0)}  {val.rjust(w1)}  {note}")
        for cid, e in sorted(failed.items()):
            tag = "expected" if cid in broken_in_main else "UNEXPECTED"
            print(f"\n{tag}: {cid}: {(e['error'] or '').strip()[:300]}")
        return 0
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
