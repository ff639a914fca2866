"""KPI scoring methods: hand-computed expectations (docs/scoring.md) and property tests."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis import kpi_methods as ks

NaN = math.nan


def approx(x):
    return pytest.approx(x, abs=1e-9)


# --------------------------------------------------------------------------- ratio
@pytest.mark.parametrize("actual,target,direction,cap,floor,expected", [
    (90, 100, "higher", 120, 0, 90.0),          # 100 × 90 / 100
    (100, 100, "higher", 120, 0, 100.0),
    (130, 100, "higher", 120, 0, 120.0),        # 130 capped
    (130, 100, "higher", 150, 0, 130.0),        # off cap
    (-10, 100, "higher", 120, 0, 0.0),          # floor
    (50, 100, "higher", 120, 60, 60.0),         # raised floor
    (5, 0, "higher", 120, 0, 120.0),            # target 0: better → cap
    (0, 0, "higher", 120, 0, 100.0),            # target 0 met exactly
    (-1, 0, "higher", 120, 0, 0.0),             # target 0: worse → floor
    (12.5, 10, "lower", 120, 0, 80.0),          # 100 × 10 / 12.5
    (40, 10, "lower", 120, 0, 25.0),
    (8, 10, "lower", 120, 0, 120.0),            # 125 capped
    (8, 10, "lower", 130, 0, 125.0),            # off cap
    (0, 10, "lower", 120, 0, 120.0),            # actual 0 → cap
    (40, 10, "lower", 120, 30, 30.0),           # floor
    (5, 0, "lower", 120, 0, 0.0),               # 100 × 0 / 5
])
def test_ratio(actual, target, direction, cap, floor, expected):
    assert ks.ratio(actual, target, direction, cap, floor) == approx(expected)


# --------------------------------------------------------------------------- linear
# higher: threshold 80 → 60, target 100 → 100, stretch 110 → cap
@pytest.mark.parametrize("actual,cap,floor,expected", [
    (80, 120, 0, 60.0),       # threshold anchor
    (100, 120, 0, 100.0),     # target anchor
    (110, 120, 0, 120.0),     # stretch = cap
    (90, 120, 0, 80.0),       # 60 + 40 × 10/20
    (105, 120, 0, 110.0),     # 100 + 20 × 5/10
    (79.9, 120, 0, 0.0),      # below threshold
    (200, 120, 0, 120.0),     # beyond stretch
    (105, 150, 0, 125.0),     # 100 + 50 × 5/10 with cap 150
    (110, 150, 0, 150.0),
    (50, 120, 20, 20.0),      # below threshold → floor
    (85, 120, 70, 70.0),      # 65 raised to floor 70
])
def test_linear_higher(actual, cap, floor, expected):
    assert ks.linear(actual, 80, 100, 110, "higher", cap, floor) == approx(expected)


# lower: threshold 10 → 60, target 5 → 100, stretch 2 → cap (descending, less is better)
@pytest.mark.parametrize("actual,expected", [
    (10, 60.0), (5, 100.0), (2, 120.0), (7.5, 80.0), (3.5, 110.0), (11, 0.0), (0, 120.0),
])
def test_linear_lower(actual, expected):
    assert ks.linear(actual, 10, 5, 2, "lower") == approx(expected)


def test_linear_coincident_anchors_do_not_divide_by_zero():
    assert ks.linear(100, 100, 100, 110) == approx(100.0)
    assert ks.linear(110, 100, 110, 110) == approx(120.0)
    assert ks.linear(99, 100, 100, 110) == approx(0.0)


# --------------------------------------------------------------------------- steps
# higher: target 100, step 10 % → size 10, step_points 5
@pytest.mark.parametrize("actual,cap,floor,expected", [
    (100, 120, 0, 100.0),
    (120, 120, 0, 110.0),        # two full steps above
    (119.99, 120, 0, 105.0),     # one full step (between steps)
    (109.99, 120, 0, 100.0),     # no full step yet
    (85, 120, 0, 95.0),          # 1.5 steps short → 1 full step
    (80, 120, 0, 90.0),          # exactly 2 short
    (0, 120, 0, 50.0),           # 10 short
    (300, 120, 0, 120.0),        # 100 + 5 × 20 = 200 → cap
    (300, 250, 0, 200.0),        # off cap
    (0, 120, 60, 60.0),          # floor
])
def test_steps_higher(actual, cap, floor, expected):
    assert ks.steps(actual, 100, 10, 5, "higher", cap, floor) == approx(expected)


# lower: target 20, step 10 % → size 2, step_points 5: each full step *below* target adds
@pytest.mark.parametrize("actual,expected", [
    (20, 100.0), (16, 110.0), (17, 105.0), (18.5, 100.0), (24, 90.0), (25, 90.0), (0, 120.0), (60, 0.0),
])
def test_steps_lower(actual, expected):
    assert ks.steps(actual, 20, 10, 5, "lower") == approx(expected)


def test_steps_float_exact_steps_count():
    # size = 10 % of 0.3 = 0.03; 0.36 − 0.3 is 0.0599999… in floats: still exactly 2 steps
    assert ks.steps(0.36, 0.3, 10, 5) == approx(110.0)
    assert ks.steps(0.24, 0.3, 10, 5) == approx(90.0)
    assert ks.steps(1.3, 1.1, 10, 1) == approx(101.0)  # 0.2 / 0.11 = 1.8 → 1


def test_steps_zero_step_size():
    assert ks.steps(5, 0, 10, 5) == approx(120.0)
    assert ks.steps(0, 0, 10, 5) == approx(100.0)
    assert ks.steps(-5, 0, 10, 5) == approx(0.0)
    assert ks.steps(50, 100, 10, 0) == approx(100.0)


# --------------------------------------------------------------------------- deduction
@pytest.mark.parametrize("actual,step_points,cap,floor,expected", [
    (0, 10, 120, 0, 100.0), (3, 10, 120, 0, 70.0), (15, 10, 120, 0, 0.0), (2.5, 4, 120, 0, 90.0),
    (-5, 10, 120, 0, 120.0), (-5, 10, 200, 0, 150.0), (9, 10, 120, 40, 40.0),
])
def test_deduction(actual, step_points, cap, floor, expected):
    assert ks.deduction(actual, step_points, cap, floor) == approx(expected)


def test_deduction_ignores_direction():
    row = {"method": "deduction", "step_points": 10, "direction": "lower"}
    assert ks.score_kpi(row, 3, None) == approx(70.0)
    assert ks.score_kpi({**row, "direction": "higher"}, 3, None) == approx(70.0)


# --------------------------------------------------------------------------- qualitative / binary
def test_qualitative():
    assert ks.qualitative("B") == approx(85.0)
    assert ks.qualitative(" b ") == approx(85.0)
    assert ks.qualitative("E") == approx(0.0)
    assert ks.qualitative("S", {"S": 130, "A": 100}) == approx(120.0)
    assert ks.qualitative("S", {"S": 130}, cap=150) == approx(130.0)
    assert ks.qualitative("E", floor=10) == approx(10.0)
    with pytest.raises(ValueError, match="grade"):
        ks.qualitative("Z")


@pytest.mark.parametrize("actual,floor,expected", [
    (True, 0, 100.0), (False, 0, 0.0), ("yes", 0, 100.0), ("否", 0, 0.0), ("是", 0, 100.0), (1, 0, 100.0),
    (False, 10, 10.0),
])
def test_binary(actual, floor, expected):
    assert ks.binary(actual, floor=floor) == approx(expected)


def test_binary_bad_value():
    with pytest.raises(ValueError):
        ks.binary("maybe")


# --------------------------------------------------------------------------- dispatch / progress
def test_score_kpi_dispatch_and_defaults():
    nan = float("nan")
    assert ks.score_kpi({"method": "ratio", "target": 100, "direction": None, "cap": nan, "floor": nan}, 130) \
        == approx(120.0)
    assert ks.score_kpi({"method": "linear", "threshold": 10, "target": 5, "stretch": 2, "direction": "lower",
                         "cap": 120.0, "floor": 0.0}, 7.5) == approx(80.0)
    assert ks.score_kpi({"method": "steps", "target": 100, "step": 10, "step_points": 5}, 120) == approx(110.0)
    assert ks.score_kpi({"method": "qualitative"}, "A", {"A": 95}) == approx(95.0)
    assert ks.score_kpi({"method": "binary"}, False) == approx(0.0)
    assert math.isnan(ks.score_kpi({"method": "ratio", "target": 100}, None))
    assert math.isnan(ks.score_kpi({"method": "ratio", "target": 100}, nan))
    with pytest.raises(ValueError):
        ks.score_kpi({"method": "magic"}, 1)
    with pytest.raises(ValueError, match="target"):
        ks.score_kpi({"method": "ratio", "target": nan}, 1)
    with pytest.raises(ValueError, match="actual"):
        ks.score_kpi({"method": "ratio", "target": 100}, "B")


@pytest.mark.parametrize("actual,baseline,target,expected", [
    (12.3, 10, 15, 0.46), (8, 10, 5, 0.4), (10, 10, 15, 0.0), (20, 10, 15, 2.0),
    (12, None, 15, NaN), (12, NaN, 15, NaN), (12, 15, 15, NaN), ("B", 10, 15, NaN), (True, 0, 1, NaN),
    (None, 10, 15, NaN),
])
def test_progress(actual, baseline, target, expected):
    got = ks.progress(actual, baseline, target)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == approx(expected)


# --------------------------------------------------------------------------- properties
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
limits = st.tuples(st.floats(min_value=0, max_value=100), st.floats(min_value=100, max_value=300))
direction = st.sampled_from(["higher", "lower"])


@st.composite
def kpi_rows(draw):
    method = draw(st.sampled_from(["ratio", "linear", "steps", "deduction"]))
    d = draw(direction)
    floor, cap = draw(limits)
    row = {"method": method, "direction": d, "cap": cap, "floor": floor}
    if method == "ratio":
        row["target"] = draw(positive)
    elif method == "linear":
        a, b, c = sorted(draw(st.lists(finite, min_size=3, max_size=3, unique=True)))
        row.update(threshold=a, target=b, stretch=c) if d == "higher" else row.update(threshold=c, target=b, stretch=a)
    elif method == "steps":
        row.update(target=draw(finite), step=draw(st.floats(min_value=0, max_value=100)),
                   step_points=draw(st.floats(min_value=0, max_value=50)))
    else:
        row["step_points"] = draw(st.floats(min_value=0, max_value=50))
    return row


@settings(max_examples=300, deadline=None)
@given(kpi_rows(), finite)
def test_score_stays_within_floor_and_cap(row, actual):
    s = ks.score_kpi(row, actual)
    assert row["floor"] <= s <= row["cap"]


@settings(max_examples=300, deadline=None)
@given(kpi_rows().filter(lambda r: r["method"] != "deduction"), finite, finite)
def test_monotone_in_direction(row, a1, a2):
    lo, hi = sorted((a1, a2))
    if row["method"] == "ratio":  # ratio is defined on non-negative quantities
        lo, hi = abs(lo), abs(hi)
        lo, hi = sorted((lo, hi))
    s_lo, s_hi = ks.score_kpi(row, lo), ks.score_kpi(row, hi)
    if row["direction"] == "higher":
        assert s_hi >= s_lo - 1e-9
    else:
        assert s_hi <= s_lo + 1e-9


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0, max_value=1000), st.floats(min_value=0, max_value=50), limits)
def test_deduction_monotone_decreasing(count, sp, lim):
    floor, cap = lim
    assert ks.deduction(count + 1, sp, cap, floor) <= ks.deduction(count, sp, cap, floor) + 1e-9
