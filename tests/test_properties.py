"""Property tests (hypothesis): random mutations of a demo client's tables never make `validate` show a
traceback, and every mutated client that validates also runs to a report.

Example counts are small on purpose (a shared 2-core machine); the mutations aim at what users and export
tools do: odd values of every kind in any cell, rows deleted or duplicated, columns dropped.
"""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from hostile_corpus import DEMO
from workbench.build.runner import run_client
from workbench.intake.reading import check_client
from workbench.intake.validation import validate_command

BASE = "jinfeng-logistics"  # the CSV demo client: mutations are plain text edits
TABLES = sorted(p.stem for p in (DEMO / BASE).glob("*.csv"))

ODD = ["", " ", "=1+1", "=WEBSERVICE(\"http://x\")", "+SUM(1)", "@cmd", "85%", "90 %", "2026/3/31", "2026.3.31",
       "2026-02-30", "2026-10-31T25:00", "是", "否", "yes", "n/a", "#N/A", "NaN", "inf", "-inf", "1e308", "-1e308",
       "1e-320", "0", "-0", "100.01", "99.99", "J01", "F1", "C01", "PR1", "K99", "\u200b", "１２３", "𠀋", "<b>x</b>",
       "a,b", "a\nb", "\"quoted\"", "x" * 300]
VALUES = st.one_of(st.sampled_from(ODD), st.text(max_size=12),
                   st.integers(min_value=-10**15, max_value=10**15).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))


@st.composite
def mutations(draw):
    """A short list of (table, operation, row index, column index, value)."""
    n = draw(st.integers(min_value=1, max_value=3))
    return [(draw(st.sampled_from(TABLES)), draw(st.sampled_from(["set", "set", "set", "delete", "duplicate", "drop_column"])),
             draw(st.integers(min_value=0, max_value=40)), draw(st.integers(min_value=0, max_value=25)), draw(VALUES))
            for _ in range(n)]


def apply(folder: Path, muts: list) -> None:
    for table, op, r, c, value in muts:
        p = folder / f"{table}.csv"
        rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))
        header, body = rows[0], rows[1:]
        if not body:
            continue
        r, c = r % len(body), c % len(header)
        if op == "set":
            body[r][c] = value
        elif op == "delete":
            del body[r]
        elif op == "duplicate":
            body.append(list(body[r]))
        elif op == "drop_column":
            header = header[:c] + header[c + 1:]
            body = [row[:c] + row[c + 1:] for row in body]
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\n").writerows([header, *body])
        p.write_text(buf.getvalue(), encoding="utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(muts=mutations())
def test_validate_never_shows_a_traceback(muts, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / BASE
        shutil.copytree(DEMO / BASE, folder)
        apply(folder, muts)
        check_client(folder)  # must not raise
        rc = validate_command([folder])
        out = capsys.readouterr()
        assert rc in (0, 1)
        assert "Traceback" not in out.out + out.err


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(muts=st.lists(st.tuples(st.sampled_from(["kpis", "actuals", "actions", "causes"]), st.just("set"),
                               st.integers(0, 40), st.integers(0, 25),
                               st.one_of(st.sampled_from(ODD), st.integers(0, 200).map(str))), min_size=1, max_size=2))
@example(muts=[("kpis", "set", 0, 1, "=1+1"), ("actions", "set", 0, 2, "<b>x</b>")])  # valid: text in text columns
def test_every_client_that_validates_runs_to_a_report(muts):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / BASE
        shutil.copytree(DEMO / BASE, folder)
        apply(folder, muts)
        client, report = check_client(folder)
        event("valid" if report.ok else "refused")
        if not report.ok:
            return  # refused with a located report: the other property covers it
        res = run_client(folder, Path(tmp) / "build", checked=(client, report))
        assert res.ok, f"validated but did not build ({res.stage}): {res.reason}\n{res.error}"
        assert (Path(tmp) / "build" / BASE / "report.html").stat().st_size > 10_000
