#!/usr/bin/env python
"""A programme over rounds, end to end (a script, not a test): N organisations assessed R rounds in a row.

    python benchmarks/programme.py [--n 200] [--rounds 3] [--jobs 2] [--keep]

Round k (periods 2026Q3, 2027Q3, ...: the demo clients' period, a year on each round): the N synthetic clients
(benchmarks/synthetic.py, perturbed copies of the demo clients) get the next year's actuals (their periods moved on
a year each round) and self-assessment scores drifting up a few points a round, `workbench batch`
builds them, `workbench archive` files each client's results.json as history/<period>.json. After the last round
the script reads what a programme office reads (index.html, portfolio.csv, portfolio.parquet) and prints, measured
in this one run: wall and CPU per round, clients with movement since their last round (per client and per
category), how many moved up / down a maturity stage, the categories improved most, the export rows (N x R) and
whether the page and the exports agree. Exit 1 when any of those checks fails.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
BIN = Path(sys.executable).parent


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(cmd: list[str]) -> tuple[int, float, float, str]:
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode, time.perf_counter() - t0, _children_cpu() - cpu0, proc.stderr[-2000:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--drift", type=int, default=5, help="assessment points added per round before the random step")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    a = ap.parse_args(argv)
    from synthetic import make_clients

    tmp = Path(tempfile.mkdtemp(prefix="wb-programme-"))
    os.environ["WORKBENCH_CHART_CACHE"] = str(tmp / "chart-cache")  # empty at the start, kept over the rounds
    src = tmp / "clients"
    print(f"workspace {tmp}; {a.n} organisations x {a.rounds} rounds; -j {a.jobs}", flush=True)
    failures: list[str] = []
    periods = [f"{2026 + k}Q3" for k in range(a.rounds)]  # the demo clients' period, then a year on each round
    out = tmp
    try:
        for k, period in enumerate(periods):
            folders, _ = make_clients(src, a.n, seed=100 + k, years=k, drift=a.drift * k, prefix="org")
            out = tmp / f"build-{period}"
            rc, wall, cpu, err = _run([str(BIN / "workbench"), "batch", str(src), "--out", str(out), "-j", str(a.jobs)])
            if rc != 0:
                import json

                entries = json.loads((out / "batch.json").read_text(encoding="utf-8")) if (out / "batch.json").is_file() else []
                why = "; ".join(f"{e.get('id')}: {e.get('error')}" for e in entries if e.get("status") == "failed")
                failures.append(f"round {period}: batch exit {rc}: {why or err}")
            if k < a.rounds - 1:
                arc = _run([str(BIN / "workbench"), "archive", str(src), "--out", str(out)])
                if arc[0] != 0:
                    failures.append(f"round {period}: archive exit {arc[0]}: {arc[3]}")
            filed = sum((f / "history" / f"{period}.json").is_file() for f in folders)
            print(f"round {period}: batch {wall:6.1f} s wall, {cpu / a.n:.3f} CPU-s per client, exit {rc}; "
                  f"{filed if k < a.rounds - 1 else '-'} filed", flush=True)

        # what the programme office reads
        with open(out / "portfolio.csv", encoding="utf-8-sig", newline="") as f:
            recs = list(csv.DictReader(f))
        import pyarrow.parquet as pq

        table = pq.read_table(out / "portfolio.parquet").to_pylist()
        latest = [r for r in recs if r["latest"] == "True"]
        moved = [r for r in latest if r["total_delta"] not in ("", None)]
        steps = [int(r["stage_step"]) for r in latest if r["stage_step"] not in ("", None)]
        cat_cols = [c for c in recs[0] if c.startswith("category_")] if recs else []
        by_client: dict[str, dict[str, dict[str, float]]] = {}
        for r in recs:
            by_client.setdefault(r["client"], {})[r["period"]] = {c: float(r[c]) for c in cat_cols if r[c] not in ("", None)}
        cat_delta: dict[str, list[float]] = {c: [] for c in cat_cols}
        for rounds in by_client.values():
            last, prev = (rounds.get(periods[-1]), rounds.get(periods[-2])) if len(periods) > 1 else (None, None)
            if last and prev:
                for c in cat_cols:
                    if c in last and c in prev:
                        cat_delta[c].append(last[c] - prev[c])
        improved = sorted(((sum(v) / len(v), c) for c, v in cat_delta.items() if v), reverse=True)
        page = (out / "index.html").read_text(encoding="utf-8")
        up = re.search(r'id="moved-up"><b>(\d+)</b>', page)
        rows_per_client = {len(v) for v in by_client.values()}

        print()
        print(f"export rows: {len(recs)} in portfolio.csv, {len(table)} in portfolio.parquet "
              f"(expected {a.n * a.rounds}); rounds per client {sorted(rows_per_client)}")
        print(f"clients with movement since their last round: {len(moved)} of {len(latest)}")
        print(f"maturity stage: {sum(s > 0 for s in steps)} up, {sum(s < 0 for s in steps)} down, "
              f"{sum(s == 0 for s in steps)} same (index.html says {up.group(1) if up else '?'} up)")
        print("categories improved most (mean change of the category %, last round against the one before):")
        for mean, col in improved[:5]:
            print(f"  {col[len('category_'):-len('_pct')]:6s} {mean:+6.1f} pp over {len(cat_delta[col])} clients")
        n_move_rows = len(re.findall(r'id="move-', page))
        print(f"movement rows on the page: {n_move_rows}")

        if len(recs) != a.n * a.rounds or len(table) != len(recs):
            failures.append(f"export rows {len(recs)} / {len(table)}, expected {a.n * a.rounds}")
        if a.rounds > 1 and len(moved) != len(latest):
            failures.append(f"movement for {len(moved)} of {len(latest)} clients")
        if a.rounds > 1 and (not up or int(up.group(1)) != sum(s > 0 for s in steps)):
            failures.append("the page's 'moved up' count differs from the exports'")
        if a.rounds > 1 and not improved:
            failures.append("no category movement in the exports")
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
