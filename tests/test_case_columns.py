"""The end-of-run measures read column by column equal the same measures computed from a records frame.

The reference here is how the measures were computed before (a pandas frame of every
case's measured fields, labels per case, ``groupby`` per grid), from the same run's records:
every number must be equal, not just close.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario

from sim import measures
from sim.case_columns import CaseColumns
from sim.measures import grid_table, on_time, on_time_by_clock, staff_table, summarize
from sim.model import TownModel
from sim.records import MEASURED
from sim.vocabulary import DAYS_PER_MONTH, MINUTES_PER_DAY


@pytest.fixture(scope="module")
def run():
    """A 6-day run with a day's warm-up, its records streamed to a file in small row groups."""
    sc = make_scenario({"run.warmup_days": 1})
    m = TownModel(sc, seed=3, days=6)
    m.run()
    m.finish()
    rec = m.log.frame()
    return m, rec, rec[rec.occurred_at >= MINUTES_PER_DAY]


def _equal(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_columns_of_the_log_equal_the_records_frame(run):
    m, rec, _ = run
    cases, framed = CaseColumns.of_log(m.log), CaseColumns.of_frame(rec, m.log.categories, m.log.grids)
    for name in MEASURED:
        np.testing.assert_array_equal(cases[name], framed[name], err_msg=name)
    assert (cases["tier"] == -1).any() and np.isnan(cases["closed_at"]).any()  # unresolved, open cases
    assert [m.log.categories[k] for k in cases["category"][:50]] == rec.category.astype(str).tolist()[:50]
    with pytest.raises(KeyError, match="handler"):
        m.log.measured("handler")


def test_since_narrows_to_the_cases_after_the_warm_up(run):
    m, rec, after = run
    cases = CaseColumns.of_log(m.log).since(MINUTES_PER_DAY)
    assert len(after) < len(rec) and len(cases) == len(after)
    np.testing.assert_array_equal(cases["closed_at"], after.closed_at.to_numpy(float))
    later = cases.since(3 * MINUTES_PER_DAY)  # narrowing twice is narrowing once to the later time
    np.testing.assert_array_equal(later["grid"], CaseColumns.of_log(m.log).since(3 * MINUTES_PER_DAY)["grid"])
    assert cases.since(0.0) is cases


def _limits_per_case(m: TownModel, rec: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cats = {c.name: c for c in m.categories}
    names = rec.category.astype(str)
    return (np.array([cats[n].respond_limit_min for n in names]), np.array([cats[n].close_limit_min for n in names]),
            np.array([cats[n].limit_clock == "working" for n in names]))


def test_grid_table_equals_the_frame_groupby(run):
    m, _, rec = run
    respond, close, working = _limits_per_case(m, rec)
    rep, arr, clo = (rec[c].to_numpy(float) for c in ("reported_at", "arrived_at", "closed_at"))
    r_hit, r_cnt = on_time_by_clock(m, rep, arr, respond, working)
    c_hit, c_cnt = on_time_by_clock(m, rep, clo, close, working)
    f_hit, f_cnt = on_time(rep, arr, np.full_like(rep, 15.0), m.horizon)
    fifteen = ~np.isnan(rep) & rec.category.isin(m.config.fifteen_minute_categories).to_numpy()
    closed = ~np.isnan(clo)
    df = pd.DataFrame({"grid": rec.grid.astype(str), "f_hit": f_hit & fifteen, "f_cnt": f_cnt & fifteen,
                       "r_hit": r_hit & ~np.isnan(rep), "r_cnt": r_cnt & ~np.isnan(rep),
                       "c_hit": c_hit & ~np.isnan(rep), "c_cnt": c_cnt & ~np.isnan(rep),
                       "first_time": closed & (rec.reworks == 0).to_numpy(), "closed": closed,
                       "found": rec.reported_at - rec.occurred_at})
    g = df.groupby("grid").agg(incidents=("grid", "size"), f_hit=("f_hit", "sum"), f_cnt=("f_cnt", "sum"),
                               r_hit=("r_hit", "sum"), r_cnt=("r_cnt", "sum"), c_hit=("c_hit", "sum"),
                               c_cnt=("c_cnt", "sum"), first_time=("first_time", "sum"), closed=("closed", "sum"),
                               found=("found", "median"))
    t = grid_table(m).set_index("grid")
    assert (t.incidents > 0).all() and t.incidents.sum() == len(rec)
    g = g.reindex(t.index)
    months = (m.horizon - MINUTES_PER_DAY) / MINUTES_PER_DAY / DAYS_PER_MONTH
    expected = {"incidents": g.incidents, "discovery_p50_min": g.found, "incidents_per_month": g.incidents / months,
                "share_within_15min": g.f_hit / g.f_cnt, "response_on_time_share": g.r_hit / g.r_cnt,
                "closure_on_time_share": g.c_hit / g.c_cnt, "verified_first_time_share": g.first_time / g.closed}
    for col, values in expected.items():
        assert all(_equal(a, b) for a, b in zip(t[col], values, strict=True)), col
    assert t.discovery_p50_min.notna().all()


def test_summary_equals_the_frame_measures(run):
    m, _, rec = run
    s = summarize(m, None, staff_table(m))
    rep, arr, occ = (rec[c].to_numpy(float) for c in ("reported_at", "arrived_at", "occurred_at"))
    reported = ~np.isnan(rep)
    resp = (arr - rep)[~np.isnan(arr - rep)]
    assert s["incidents"] == len(rec) and s["reported"] == int(reported.sum())
    channels = rec.channel.astype(str)[reported].value_counts(normalize=True)
    assert list(s["channel_share"].items()) == [(k, float(v)) for k, v in channels.items()]  # order too
    assert s["discovery_p50_min"] == float(np.quantile((rep - occ)[reported], 0.5))
    assert s["response_p50_min"] == float(np.quantile(resp, 0.5))
    assert s["response_mean_min"] == float(resp.mean())
    done = rec[rec.tier.notna()]
    assert s["tier_share"] == {t: float((done.tier.astype(str) == t).sum()) / len(done)
                               for t in ("grid", "village", "town", "county")}
    wait = rec.squad_wait.dropna().to_numpy()
    assert s["squad_wait_mean_min"] == float(wait.mean())
    _, close, working = _limits_per_case(m, rec)
    c_hit, c_cnt = on_time_by_clock(m, rep, rec.closed_at.to_numpy(float), close, working)
    assert s["closure_on_time_share"] == float(c_hit[reported & c_cnt].mean())
    for row in s["by_category"]:
        mine = (rec.category.astype(str) == row["category"]).to_numpy()
        assert row["incidents"] == int(mine.sum()) and row["reported"] == int((mine & reported).sum())
        assert _equal(row["closure_on_time_share"], float(c_hit[mine & c_cnt].mean()) if (mine & c_cnt).any()
                      else math.nan)
    backlog = m.datacollector.get_model_vars_dataframe()["backlog"]
    assert s["backlog_mean"] == float(backlog.mean()) and s["backlog_end"] == int(backlog.iloc[-1])


def test_chunks_add_up_to_the_whole(run, monkeypatch):
    """Read in chunks (of 37 cases here), every column and every per-grid count is the same as read whole."""
    m, _, _ = run
    cases = CaseColumns.of_log(m.log).since(MINUTES_PER_DAY)
    parts = list(cases.chunks(37))
    assert len(parts) > 3
    for name in MEASURED:
        np.testing.assert_array_equal(np.concatenate([p[name] for p in parts]), cases[name], err_msg=name)
    whole = grid_table(m)
    chunks = CaseColumns.chunks
    monkeypatch.setattr(CaseColumns, "chunks", lambda self, size=37: chunks(self, 37))
    monkeypatch.setattr(measures, "CHUNK", 37)  # the on-time checks' steps too
    pd.testing.assert_frame_equal(grid_table(m), whole)
    assert sum(len(p) for p in CaseColumns.of_log(m.log).since(m.horizon + 1).chunks(37)) == 0
    assert [len(p) for p in CaseColumns(lambda name: np.zeros(0)).chunks(37)] == [0]  # a run without cases: one empty chunk
