#!/usr/bin/env python
"""Synthetic client folders for batch benchmarks and tests: perturbed copies of the demo clients.

    python benchmarks/synthetic.py OUT_DIR --n 200 [--broken 3] [--seed 1]

Client ``syn-0001`` ... ``syn-NNNN`` cycles over the demo clients (clients/*), keeping each one's format
(intake.xlsx edited with openpyxl, or CSV files), and varies:
- numeric actuals x U(0.85, 1.15) (grades and yes/no actuals kept),
- self-assessment ``score_pct`` +/- 0-15 points (multiple of 5, clamped to 0..100),
- name (demo name + a number), industry (from a small list, fixed per client).

``broken``: that many of the clients (spread over the range) get an input error the validation reports:
alternately a bad enum (a KPI ``method`` of ``bogus``) and a dangling reference (an actual for KPI ``NOPE``).
Their ids are returned / printed.
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "clients"
INDUSTRIES = ["制造 Manufacturing", "物流 Logistics", "医疗 Healthcare", "能源 Energy", "零售 Retail"]


def _num(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except (TypeError, ValueError):
        return None


def _perturb_actual(v: object, rng: random.Random) -> object:
    x = _num(v)
    if x is None:
        return v
    y = x * rng.uniform(0.85, 1.15)
    return round(y) if float(x).is_integer() and abs(x) >= 100 else round(y, 2)


def _perturb_pct(v: object, rng: random.Random, drift: int = 0) -> object:
    x = _num(v)
    if x is None:
        return v
    return int(min(100, max(0, 5 * round((x + drift + rng.choice((-15, -10, -5, 0, 5, 10, 15))) / 5))))


def shift_period(v: object, years: int) -> object:
    """``2026Q1`` → ``2027Q1`` for ``years=1`` (any period text that starts with a year); anything else as is."""
    if not years or not isinstance(v, str) or not re.match(r"^\d{4}", v.strip()):
        return v
    v = v.strip()
    return f"{int(v[:4]) + years}{v[4:]}"


def _edit_rows(header: list[str], rows: list[list[object]], table: str, rng: random.Random,
               breakage: str | None, drift: int = 0, years: int = 0) -> None:
    col = {h: i for i, h in enumerate(header)}
    if years and "period" in col:  # a later round: its actuals and reviews are a later year's
        for r in rows:
            r[col["period"]] = shift_period(r[col["period"]], years)
    if table == "actuals" and "actual" in col:
        for r in rows:
            r[col["actual"]] = _perturb_actual(r[col["actual"]], rng)
        if breakage == "dangling" and rows:
            extra = list(rows[0])
            extra[col["kpi_id"]] = "NOPE"
            rows.append(extra)
    elif table == "assessment" and "score_pct" in col:
        for r in rows:
            r[col["score_pct"]] = _perturb_pct(r[col["score_pct"]], rng, drift)
    elif table == "kpis" and breakage == "enum" and rows and "method" in col:
        rows[0][col["method"]] = "bogus"


def _copy_xlsx(src: Path, dest: Path, rng: random.Random, breakage: str | None, drift: int = 0,
               years: int = 0) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(src)
    for table in ("actuals", "assessment", "kpis", "reviews"):
        if table not in wb.sheetnames:
            continue
        ws = wb[table]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        if not values:
            continue
        header = [str(h) if h is not None else "" for h in values[0]]
        rows = [r for r in values[1:] if any(v is not None for v in r)]
        _edit_rows(header, rows, table, rng, breakage, drift, years)
        for i, row in enumerate(rows, start=2):
            for j, v in enumerate(row, start=1):
                ws.cell(row=i, column=j, value=v)
    wb.save(dest / "intake.xlsx")


def _copy_csv(src: Path, dest: Path, rng: random.Random, breakage: str | None, drift: int = 0,
              years: int = 0) -> None:
    for f in sorted(src.glob("*.csv")):
        with open(f, newline="", encoding="utf-8-sig") as fh:
            data = list(csv.reader(fh))
        if data:
            header, rows = data[0], [list(r) for r in data[1:]]
            _edit_rows(header, rows, f.stem, rng, breakage, drift, years)
            data = [header, *rows]
        with open(dest / f.name, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(data)


def make_clients(out: Path, n: int, *, broken: int = 0, seed: int = 1, demo: Path = DEMO,
                 prefix: str = "syn", period: str | None = None, drift: int = 0,
                 years: int = 0) -> tuple[list[Path], list[str]]:
    """Write ``n`` synthetic clients into ``out``; return (their folders, the ids made broken).

    Programme rounds (benchmarks/programme.py): ``years`` moves the client's period and every period of its actuals
    and reviews that many years on (round k of a yearly programme), ``period`` replaces the client's period, ``drift`` moves every
    self-assessment percentage by that many points before the random step, and a client folder written again keeps
    its ``history/`` (the rounds `workbench archive` filed)."""
    bases = sorted(p for p in demo.iterdir() if (p / "client.yaml").is_file())
    if not bases:
        raise SystemExit(f"no demo clients in {demo}")
    out.mkdir(parents=True, exist_ok=True)
    broken_at = {round(i * n / broken) for i in range(broken)} if broken else set()
    folders, broken_ids = [], []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        base = bases[i % len(bases)]
        cid = f"{prefix}-{i + 1:04d}"
        dest = out / cid
        dest.mkdir(parents=True, exist_ok=True)
        for old in dest.iterdir():
            if old.name != "history":
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        breakage = None
        if i in broken_at:
            breakage = "enum" if len(broken_ids) % 2 == 0 else "dangling"
            broken_ids.append(cid)
        if (base / "intake.xlsx").is_file():
            _copy_xlsx(base / "intake.xlsx", dest, rng, breakage, drift, years)
        else:
            _copy_csv(base, dest, rng, breakage, drift, years)
        prof = yaml.safe_load((base / "client.yaml").read_text(encoding="utf-8"))
        prof["id"] = cid
        prof["name"] = f"{prof.get('name', cid)} #{i + 1}"
        prof["industry"] = INDUSTRIES[random.Random(i).randrange(len(INDUSTRIES))]  # the same in every round
        prof["period"] = period or shift_period(str(prof.get("period") or ""), years) or prof.get("period")
        (dest / "client.yaml").write_text(yaml.safe_dump(prof, allow_unicode=True, sort_keys=False), encoding="utf-8")
        folders.append(dest)
    return folders, broken_ids


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--broken", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    folders, broken = make_clients(a.out, a.n, broken=a.broken, seed=a.seed)
    print(f"{len(folders)} clients in {a.out}" + (f"; broken: {', '.join(broken)}" if broken else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
