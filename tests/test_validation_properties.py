"""Property tests: whatever a consultant (or an attacker) types into any cell, validation answers with located
issues, never a traceback, and a client that validates can be scored."""
from __future__ import annotations

import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from conftest import base_profile, base_tables, write_client
from workbench.analysis.analyse import analyse
from workbench.analysis.results import results_document
from workbench.intake.loading import check_client

TABLES = base_tables()
CELLS = [(t, i, c) for t, rows in TABLES.items() for i, r in enumerate(rows) for c in r]

nasty_text = st.sampled_from([
    "", " ", "=cmd|' /C calc'!A0", "+SUM(A1)", "@x", "-1", "1e308", "-1e400", "nan", "inf", "85%", "0.9", "是",
    "否", "2026/3/31", "2026-10-31T25:00", "2026Q5", "K01", "K99", "4.1.2", "C03，K02", "\u0000", "\t", "💥",
    "x" * 40_000, "1,000", "1.0", "TRUE", "None",
])
values = st.one_of(nasty_text, st.text(max_size=30), st.integers(-10**20, 10**20),
                   st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(CELLS), values), min_size=1, max_size=4),
       fmt=st.sampled_from(["csv", "xlsx"]))
def test_any_cell_edit_gives_located_issues_or_a_scorable_client(edits, fmt, tmp_path_factory) -> None:
    tables = base_tables()
    for (table, index, column), value in edits:
        if fmt == "xlsx" and isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # openpyxl cannot even write control characters
        if isinstance(value, float) and fmt == "csv" and not math.isfinite(value):
            value = str(value)
        tables[table][index][column] = value
    folder = write_client(Path(tmp_path_factory.mktemp("p")) / "demo", tables, base_profile(), fmt)
    client, report = check_client(folder)  # never raises
    for issue in report.issues:
        assert issue.file, issue  # every issue names its file
        assert issue.text("zh") and issue.text("en")
    if client is not None:
        results_document(analyse(client))
    else:
        assert report.errors
