"""Every client of the intake corpus (tests/intake_corpus.py) gets its located error, no traceback, and the
same issues render in Chinese with the same locations."""
from __future__ import annotations

from pathlib import Path

import pytest

from intake_corpus import CASES
from workbench.intake.loading import check_client


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_client_gets_its_located_error(name: str, tmp_path: Path) -> None:
    build, expected = CASES[name]
    folder = tmp_path / name
    build(folder)
    client, report = check_client(folder)
    assert client is None, report.format("en")
    got = [(i.code, i.file, i.row, i.column) for i in report.errors]
    for code, file, row, column in expected:
        assert any(g[0] == code and g[1] == file and (row is None or g[2] == row) and (column is None or g[3] == column)
                   for g in got), (name, got)
    for issue in report.issues:
        assert issue.text("zh") != issue.text("en") or issue.code is None, issue.code
