"""`core.frames.records` gives exactly what ``DataFrame.to_dict("records")`` gives (it replaces it everywhere)."""
import math

import numpy as np
import pandas as pd
import pytest

from workbench.core.frames import records


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and (a is b or a == b)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2026-01-31", None, "2026-03-31"]),
        "nullable_int": pd.array([1, None, 3], dtype="Int64"),
        "nullable_bool": pd.array([True, None, False], dtype="boolean"),
        "category": pd.Categorical(["财务", None, "客户"]),
        "text": pd.array(["营业收入", None, "x"], dtype="str"),
        "float": [1.5, np.nan, -0.25],
        "bool": [True, False, True],
        "int": [1, 2, 3],
        "object": [{"a": 1}, None, [1, 2]],
        "span": pd.to_timedelta([1, 2, 3], unit="D"),
    }, index=["K1", "K2", "K3"])


@pytest.mark.parametrize("frame", [_frame(), _frame().iloc[:0], _frame()[["float", "int"]],
                                   pd.DataFrame({"a": [1, 2]}).rename(columns={"a": 0})])
def test_records_equal_to_dict(frame):
    want, got = frame.to_dict("records"), records(frame)
    assert len(got) == len(want)
    for w, g in zip(want, got):
        assert list(g) == list(w)
        for key in w:
            assert _same(w[key], g[key]), (key, w[key], g[key])


def test_missing_nullable_values_are_none_like_to_dict():
    rows = records(_frame())
    assert rows[1]["nullable_int"] is None and rows[1]["nullable_bool"] is None
    assert type(rows[0]["nullable_int"]) is int and type(rows[0]["int"]) is int


def test_repeated_column_names_follow_to_dict():
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.warns(UserWarning, match="not unique"):  # pandas says so, for both
        assert records(frame) == frame.to_dict("records")
