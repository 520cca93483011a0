"""Confidence intervals stay inside the range of the measure they are made for."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.compare import paired_table
from sim.report.catalogue import bounds, fmt_ci
from sim.stats import mean_ci, measure_ci

# Two replications far apart: the t interval (12.7 × the standard error) reaches past 0 and 1.
SPREAD = np.array([0.40, 0.98])


def test_a_share_interval_is_cut_at_0_and_100_percent_and_keeps_its_mean():
    m, lo, hi = measure_ci("share_within_15min", SPREAD)
    raw = mean_ci(SPREAD)
    assert raw[1] < 0 and raw[2] > 1  # the uncut interval leaves [0, 1]
    assert (m, lo, hi) == (pytest.approx(0.69), 0.0, 1.0)
    assert fmt_ci(m, lo, hi, "share_within_15min") == "69.0% [0.0%, 100.0%]"


def test_a_difference_of_shares_is_cut_at_plus_minus_100_points_and_minutes_are_not_cut():
    d = np.array([-0.9, -0.7])
    _, lo, hi = measure_ci("share_within_15min", d, difference=True)
    assert (lo, hi) == (-1.0, pytest.approx(mean_ci(d)[2])) and hi < 1  # the upper bound is inside: kept
    assert mean_ci(np.array([-0.95, 0.95]))[2] > 1
    assert measure_ci("share_within_15min", np.array([-0.95, 0.95]), difference=True)[1:] == (-1.0, 1.0)
    minutes = np.array([-300.0, 100.0])
    assert measure_ci("response_p50_min", minutes, difference=True) == mean_ci(minutes)
    assert bounds("response_p50_min") == (0.0, math.inf)
    assert bounds("workload_gini.worker", difference=True) == (-1.0, 1.0)
    assert bounds("squad_queue_littles_ratio") == (-math.inf, math.inf)


def test_one_replication_has_no_interval_and_an_inner_interval_is_unchanged():
    assert math.isnan(measure_ci("share_within_15min", np.array([0.5]))[1])
    x = np.array([0.50, 0.52, 0.51])
    assert measure_ci("share_within_15min", x) == mean_ci(x)


def test_compare_and_plan_verification_table_cut_shares_and_their_differences():
    a = [{"share_within_15min": v, "response_p50_min": r} for v, r in ((0.40, 10.0), (0.98, 30.0))]
    b = [{"share_within_15min": v, "response_p50_min": r} for v, r in ((0.99, 12.0), (0.30, 3.0))]
    t = paired_table(a, b).set_index("measure")
    s = t.loc["share_within_15min"]
    assert (s.a_lo, s.a_hi, s.b_lo, s.b_hi) == (0.0, 1.0, 0.0, 1.0)
    assert (s.diff_lo, s.diff_hi) == (-1.0, 1.0)
    r = t.loc["response_p50_min"]
    assert r.diff_lo < -100 and r.a_lo == 0.0  # minutes: the difference is not cut, the level is at 0


def test_a_sweeps_summary_table_cuts_shares(tmp_path):
    from sim.sweep.store import summary_table

    runs = pd.DataFrame({"point": [0, 0], "replication": [0, 1], "measure": ["share_within_15min"] * 2,
                         "value": SPREAD})
    row = summary_table(runs, []).iloc[0]
    assert (row.ci_low, row.ci_high) == (0.0, 1.0)


def test_a_cut_interval_prints_as_its_bounds_in_the_terminal_an_uncut_one_as_plus_minus():
    """The compare and plan verification tables show the interval every file gives: cut, it is [lo, hi]."""
    from sim.compare import plus_minus
    from sim.stats import half_width

    m, lo, hi = measure_ci("share_within_15min_dispatched", SPREAD)
    assert half_width(m, lo, hi) is None  # cut at 100%
    assert plus_minus(m, lo, hi, "share_within_15min_dispatched") == fmt_ci(m, lo, hi, "share_within_15min_dispatched")
    assert "±" not in plus_minus(m, lo, hi, "share_within_15min_dispatched")
    inner = np.array([0.84, 0.86, 0.85])
    m, lo, hi = measure_ci("share_within_15min_dispatched", inner)
    assert half_width(m, lo, hi) == pytest.approx((hi - lo) / 2)
    assert plus_minus(m, lo, hi, "share_within_15min_dispatched") == f"85.0 ± {100 * (hi - lo) / 2:.1f}%"
    d, dlo, dhi = measure_ci("response_p50_min", np.array([0.5, 9.0]))  # minutes cut at 0
    assert plus_minus(d, dlo, dhi, "response_p50_min") == fmt_ci(d, dlo, dhi, "response_p50_min")
    assert plus_minus(1086.0, 1086.0, 1086.0, "staff_headcount.total") == "1,086 ± 0"


def test_a_row_that_reads_the_same_in_a_and_b_is_left_out_of_the_terminal():
    """'20.6 ± 6.4%  20.6 ± 6.4%  -0.0 ± 0.0 pt' says nothing: compare leaves it out with the identical rows."""
    from sim.compare import plus_minus, reads_identical

    rows = pd.DataFrame([
        {"measure": "workload_mean.county_department", "a_mean": 0.2061, "a_lo": 0.1421, "a_hi": 0.2701,
         "b_mean": 0.20605, "b_lo": 0.14205, "b_hi": 0.27005, "diff_mean": -0.00005, "diff_lo": -0.0001, "diff_hi": 0.0},
        {"measure": "workload_gini.county_department", "a_mean": 0.459, "a_lo": 0.313, "a_hi": 0.605,
         "b_mean": 0.459, "b_lo": 0.314, "b_hi": 0.604, "diff_mean": 0.0, "diff_lo": -0.002, "diff_hi": 0.002},
    ])
    assert reads_identical(rows) == {"workload_mean.county_department"}
    assert plus_minus(-0.00005, -0.0001, 0.0, "workload_mean.county_department", True) == "0.0 ± 0.0 pt"  # no '-0.0'
