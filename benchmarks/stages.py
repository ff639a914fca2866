"""Where one client's time goes, measured in one run: intake, analysis, charts, report.

Run: .venv/bin/python benchmarks/stages.py [--repeat 5]

Prints, per demo client, the best-of-N seconds of each stage and its share of the whole, so a change
that makes one stage heavier shows up as a shifted ratio (the machine is noisy: compare, don't clock).
Not a test: speed targets live here, not in the suite.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from workbench.deliverable import charts
    from workbench.analysis.analyse import analyse
    from workbench.deliverable.charts.render import to_png
    from workbench.intake.reading import load_client
    from workbench.analysis.results import results_document

    def all_charts(a) -> int:
        figs = [charts.fishbone_for(a, pid) for pid in (a.client.tables["problems"]["problem_id"]
                                                        if a.client.tables.get("problems") is not None else [])]
        for f in (charts.strategy_map_for, charts.kpi_trees_for, charts.assessment_radar_for,
                  charts.assessment_heatmap_for, charts.pareto_for, charts.impact_effort_for, charts.gantt_for,
                  charts.kpi_trends_for, charts.contract_trends_for):
            out = f(a)
            figs += out if isinstance(out, list) else [out]
        return sum(len(to_png(fig)) for fig in figs if fig is not None)

    print(f"{'client':22s} {'source':6s} {'load s':>8s} {'analyse s':>10s} {'json s':>8s} {'charts s':>9s}"
          f" {'charts share':>13s} {'load/analyse':>13s}")
    for folder in sorted((ROOT / "clients").iterdir()):
        if not (folder / "client.yaml").exists():
            continue
        t_load, client = best(lambda: load_client(folder), args.repeat)
        t_an, a = best(lambda: analyse(client), args.repeat)
        t_js, _ = best(lambda: results_document(a), args.repeat)
        t_ch, _ = best(lambda: all_charts(a), max(1, args.repeat // 2))
        total = t_load + t_an + t_js + t_ch
        print(f"{folder.name:22s} {client.source:6s} {t_load:8.3f} {t_an:10.3f} {t_js:8.4f} {t_ch:9.3f}"
              f" {t_ch / total:13.0%} {t_load / t_an:13.2f}")


if __name__ == "__main__":
    main()
