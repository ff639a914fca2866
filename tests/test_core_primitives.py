"""The shared primitives exist once (workbench.core) and decide the edge cases once."""
from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pytest

from workbench.core.graph import find_cycles, parent_cycles
from workbench.core.ids import split_ids
from workbench.core.missing import is_missing
from workbench.core.periods import normalise_period, parse_date, period_end, period_sort_key
from workbench.core.yesno import is_yes, parse_yesno, to_bool


@pytest.mark.parametrize("value, expected", [
    ("yes", True), (" Y ", True), ("TRUE", True), ("是", True), (1, True), (1.0, True), ("1.0", True), ("1", True),
    (np.bool_(True), True), ("no", False), ("否", False), (0, False), ("0.0", False), (False, False),
    ("95%", None), ("2", None), (2, None), ("ok", None), (None, None), (math.nan, None), ("", None),
])
def test_one_yes_no_parser(value: object, expected: bool | None) -> None:
    assert parse_yesno(value) is expected
    assert is_yes(value) is (expected is True)
    if expected is None:
        with pytest.raises(ValueError):
            to_bool(value)


def test_the_analysis_and_widgets_use_the_same_parser() -> None:
    from workbench.analysis import kpi_methods
    from workbench.intake import validation

    assert kpi_methods.to_bool is to_bool and kpi_methods.is_yes is is_yes
    assert validation.parse_yesno is parse_yesno
    assert kpi_methods.is_missing is is_missing


@pytest.mark.parametrize("cell, ids", [
    ("C03, K02", ["C03", "K02"]), ("4.1.2；F1", ["4.1.2", "F1"]), ("A1，A2、A3;A4", ["A1", "A2", "A3", "A4"]),
    (" , ,", []), (12.0, ["12"]), (["K1", 3.0, None], ["K1", "3"]), (None, []),
])
def test_id_lists(cell: object, ids: list[str]) -> None:
    assert split_ids(cell) == ids


@pytest.mark.parametrize("text, expected", [
    ("2026-03-31", date(2026, 3, 31)), ("2026/3/31", date(2026, 3, 31)), ("2026.3.31", date(2026, 3, 31)),
    ("2026年3月31日", date(2026, 3, 31)), ("2026-03-31 23:59:59", date(2026, 3, 31)),
    (datetime(2026, 3, 31, 8), date(2026, 3, 31)), (46112, date(2026, 3, 31)),
    ("2026-10-31T25:00", None), ("2026-02-29", None), ("31/3/2026", None), ("soon", None), (True, None),
])
def test_dates(text: object, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_periods() -> None:
    assert period_end("2026q3") == date(2026, 9, 30) and period_end("2024H1") == date(2024, 6, 30)
    assert period_end("2026-02") == date(2026, 2, 28) and period_end("2026") == date(2026, 12, 31)
    with pytest.raises(ValueError):
        period_end("2026Q5")
    assert normalise_period(" 2026q3 ") == "2026Q3"
    assert sorted(["2026", "2026Q1", "2025-12", "x"], key=period_sort_key) == ["2025-12", "2026Q1", "2026", "x"]


def test_cycles() -> None:
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert find_cycles({"a": ["b"], "b": []}) == []
    assert parent_cycles({"K1": "K2", "K2": "K1", "K3": "K1"}) == [["K1", "K2"]]
    long_chain = {str(i): [str(i + 1)] for i in range(50_000)}  # no recursion limit
    long_chain["50000"] = ["0"]
    [cycle] = find_cycles(long_chain)
    assert len(cycle) == 50_001
