"""A corpus of hostile and broken clients, generated (no committed binaries), each with the located error
validation must give. ``python tests/intake_corpus.py OUT`` writes them all to OUT (e.g. to try a batch on);
``tests/test_intake_corpus.py`` checks every one (tests/hostile_corpus.py is the batch-level corpus).

Each case: ``name -> (build(folder), expected)`` where ``expected`` is a list of ``(code, file, row, column)``
that must all be among the client's errors (row/column None: not checked).
"""
from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import BASE_PROFILE, BASE_TABLES, write_client  # noqa: E402

Expected = list[tuple[str, str | None, int | None, str | None]]
Case = tuple[Callable[[Path], None], Expected]


def _tables() -> dict:
    return copy.deepcopy(BASE_TABLES)


def _with(edit: Callable[[dict], None], fmt: str = "csv") -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        t = _tables()
        edit(t)
        write_client(folder, t, dict(BASE_PROFILE), fmt)
    return build


def _set(table: str, index: int, **cells: object) -> Callable[[dict], None]:
    return lambda t: t[table][index].update(cells)


def _yaml(text: str) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        write_client(folder, _tables(), dict(BASE_PROFILE), "csv")
        (folder / "client.yaml").write_text(text.replace("{id}", folder.name), encoding="utf-8")
    return build


def _file(name: str, make: Callable[[Path, Path], None]) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        write_client(folder, _tables(), dict(BASE_PROFILE), "csv")
        path = folder / name
        if path.exists():
            path.unlink()
        make(folder, path)
    return build


CASES: dict[str, Case] = {
    "formula-in-id": (_with(_set("kpis", 0, kpi_id="=WEBSERVICE(\"http://x\")")),
                      [("ref_not_found", "actuals.csv", 2, "kpi_id")]),
    "huge-actual": (_with(_set("actuals", 0, actual="1e308")), [("number_implausible", "actuals.csv", 2, "actual")]),
    "inf-target": (_with(_set("kpis", 0, target="inf")), [("expected_number", "kpis.csv", 2, "target")]),
    "weights-off": (_with(_set("kpis", 0, weight=41)), [("weights_sum", "kpis.csv", 2, "weight")]),
    "weights-as-fractions": (_with(lambda t: [k.update(weight=k["weight"] / 100) for k in t["kpis"]
                                               if k["owner_unit"] == "Company"]),
                             [("weights_as_fractions", "kpis.csv", 2, "weight")]),
    "hour-25": (_with(_set("actions", 0, due="2026-10-31T25:00")), [("expected_date", "actions.csv", 2, "due")]),
    "linear-misordered": (_with(_set("kpis", 1, threshold=99)), [("linear_order", "kpis.csv", 3, "threshold")]),
    "percent-on-money": (_with(_set("actuals", 0, actual="85%")),
                         [("actual_percent_not_pct_kpi", "actuals.csv", 2, "actual")]),
    "kpi-cycle": (_with(_set("kpis", 1, parent_kpi_id="K05")), [("parent_cycle", "kpis.csv", 3, "parent_kpi_id")]),
    "links-cycle": (_with(lambda t: t["links"].append({"from_objective": "F1", "to_objective": "L1"})),
                    [("links_cycle", "links.csv", 2, "from_objective")]),
    "dimension-misfit": (_with(_set("feedback", 0, dimension="Le")),
                         [("dimension_misfit", "feedback.csv", 2, "dimension")]),
    "review-without-actual": (_with(_set("reviews", 0, period="2025Q1")),
                              [("review_without_actual", "reviews.csv", 2, "period")]),
    "long-cell": (_with(_set("problems", 0, problem="x" * 40_000)), [("cell_too_long", "problems.csv", 2, "problem")]),
    "field-over-csv-limit": (_with(_set("causes", 0, evidence="y" * 200_000)),
                             [("cell_too_long", "causes.csv", 2, None)]),
    "too-many-rows": (_file("links.csv", lambda folder, p: p.write_text(
        "from_objective,to_objective\n" + "L1,P1\n" * 100_001, encoding="utf-8")),
        [("table_too_many_rows", "links.csv", 100_002, None)]),
    "gbk-csv": (_file("problems.csv", lambda folder, p: p.write_bytes(
        "problem_id,problem\nP1,交付慢\n".encode("gbk"))), [("csv_not_utf8", "problems.csv", None, None)]),
    "link-outside": (_file("actuals.csv", lambda folder, p: (
        (folder.parent / f"{folder.name}-outside.csv").write_text("kpi_id,period,actual\n", encoding="utf-8"),
        p.symlink_to(folder.parent / f"{folder.name}-outside.csv"))),
        [("file_outside_folder", "actuals.csv", None, None)]),
    "dangling-link": (_file("whys.csv", lambda folder, p: p.symlink_to(folder / "gone.csv")),
                      [("file_dangling_link", "whys.csv", None, None)]),
    "table-is-a-folder": (_file("problems.csv", lambda folder, p: p.mkdir()),
                          [("file_not_regular", "problems.csv", None, None)]),
    "yaml-aliases": (_yaml("id: {id}\nname: x\nperiod: 2026Q3\na: &a [1, 2]\nvalues: *a\n"),
                     [("yaml_alias", "client.yaml", 4, None)]),
    "yaml-too-big": (_yaml("id: {id}\nname: x\nperiod: 2026Q3\nmission: " + "m" * 1_100_000 + "\n"),
                     [("yaml_too_big", "client.yaml", None, None)]),
    "yaml-list-values": (_yaml("id: {id}\nname: x\nperiod: 2026Q3\nvalues: [[1, 2], [3]]\n"),
                         [("expected_text_list", "client.yaml", 4, "values")]),
    "yaml-not-utf8": (lambda folder: (write_client(folder, _tables(), dict(BASE_PROFILE), "csv"),
                                      (folder / "client.yaml").write_bytes("name: 华信".encode("gbk"))) and None,
                      [("yaml_not_utf8", "client.yaml", None, None)]),
    "history-other-client": (lambda folder: (write_client(folder, _tables(), dict(BASE_PROFILE), "csv"),
                                             (folder / "history").mkdir(),
                                             (folder / "history" / "2026Q1.json").write_text(
                                                 '{"client": "someone-else", "period": "2026Q1"}')) and None,
                             [("history_other_client", "history/2026Q1.json", None, "client")]),
    "both-formats": (lambda folder: (write_client(folder, _tables(), dict(BASE_PROFILE), "xlsx"),
                                     (folder / "kpis.csv").write_text("kpi_id\n", encoding="utf-8")) and None,
                     [("both_formats", "intake.xlsx", None, None)]),
    "not-a-workbook": (_file("intake.xlsx", lambda folder, p: (
        [q.unlink() for q in folder.glob("*.csv")], p.write_bytes(b"PK\x03\x04 truncated"))),
        [("xlsx_unreadable", "intake.xlsx", None, None)]),
}


def build_all(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    folders = {}
    for name, (build, _) in CASES.items():
        folder = out / name
        build(folder)
        folders[name] = folder
    return folders


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-clients")
    for name, folder in build_all(target).items():
        print(folder)
    (target / "expected.yaml").write_text(yaml.safe_dump({n: [list(e) for e in c[1]] for n, c in CASES.items()},
                                                         allow_unicode=True), encoding="utf-8")
