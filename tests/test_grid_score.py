"""Each grid's row in grids.parquet: its columns, its numbers against the run's other files,
and the evaluation score on a case worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario

from sim.case_columns import CaseColumns
from sim.measures import grid_table
from sim.model import TownModel
from sim.runner import run_replication
from sim.vocabulary import DAYS_PER_MONTH

COLUMNS = ["grid", "village", "land_use", "households", "area_km2", "street_km", "staff", "workload", "incidents",
           "discovery_p50_min", "incidents_per_month", "share_within_15min", "response_on_time_share",
           "closure_on_time_share", "verified_first_time_share", "score"]
NAN = math.nan


def test_score_on_a_hand_worked_grid():
    """Six cases in one grid over a 2-day run; weights 2 : 1 : 1 (not the defaults).

    garbage: respond 60, close 240 min; parking: respond 15, close 120, in the 15-minute class.
    """
    sc = make_scenario({"evaluation.on_time_weight": 2.0, "evaluation.response_weight": 1.0,
                        "evaluation.verified_first_time_weight": 1.0,
                        # limits in calendar minutes, as worked out below (the preset runs them on working time)
                        "incidents.categories.exposed_garbage.limit_clock": "calendar"})
    model = TownModel(sc, seed=1, days=2)
    g, other = model.town.grids[0].id, model.town.grids[1].id
    rows = [  # category, occurred, reported, arrived, closed, reworks
        ("exposed_garbage", 0, 10, 40, 200, 0),        # on time both ways
        ("exposed_garbage", 70, 100, 200, 400, 1),     # late both ways; reworked
        ("illegal_parking", 500, 500, 510, 600, 0),    # within 15 min; on time
        ("illegal_parking", 1000, 1000, NAN, NAN, 0),  # still open, both limits passed: late
        ("exposed_garbage", 2800, 2850, NAN, NAN, 0),  # still open, limits ahead: not judged
        ("exposed_garbage", 50, NAN, NAN, NAN, 0),     # never reported: not judged
    ]
    rec = pd.DataFrame(rows, columns=["category", "occurred_at", "reported_at", "arrived_at", "closed_at", "reworks"])
    rec["category"] = rec.category.astype("category")
    rec["grid"] = pd.Categorical([g] * len(rows), categories=[x.id for x in model.town.grids])
    t = grid_table(model, CaseColumns.of_frame(rec, model.log.categories, model.log.grids)).set_index("grid")
    row = t.loc[g]
    assert row.incidents == 6
    assert row.incidents_per_month == pytest.approx(6 / (2 / DAYS_PER_MONTH))
    assert row.share_within_15min == 0.5         # 1 of the 2 parking cases
    assert row.response_on_time_share == 0.5     # 2 of 4 judged
    assert row.closure_on_time_share == 0.5      # 2 of 4 judged
    assert row.verified_first_time_share == pytest.approx(2 / 3)  # 2 of 3 closed without rework
    assert row.discovery_p50_min == 10.0         # median of 10, 30, 0, 0, 50
    assert row.score == pytest.approx(100 * (2 * 0.5 + 1 * 0.5 + 1 * 2 / 3) / 4)
    # a grid with nothing to judge is not penalised
    assert t.loc[other].incidents == 0 and t.loc[other].score == 100.0
    assert math.isnan(t.loc[other].closure_on_time_share)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    sc = make_scenario({"run.days": 3, "run.warmup_days": 1})
    summary = run_replication(sc, 2, out=out)
    return sc, summary, {n: pd.read_parquet(out / f"{n}.parquet") for n in ("grids", "incidents", "staff")}


def test_grids_parquet_columns_and_counts(run):
    sc, summary, files = run
    assert summary["incidents"] == len(files["incidents"][files["incidents"].occurred_at >= 1440])
    grids, inc, staff = files["grids"], files["incidents"], files["staff"]
    assert list(grids.columns) == COLUMNS
    assert grids.grid.is_unique
    assert grids.households.sum() == pytest.approx(sc.town.residents / sc.town.persons_per_household)
    assert grids.area_km2.sum() == pytest.approx(sc.town.area_km2)
    # incidents after the warm-up, per grid, as in incidents.parquet
    after = inc[inc.occurred_at >= sc.run.warmup_days * 1440]
    counts = after.grid.astype(str).value_counts()
    assert grids.set_index("grid").incidents.to_dict() == {g: int(counts.get(g, 0)) for g in grids.grid}
    months = (sc.run.days - sc.run.warmup_days) / DAYS_PER_MONTH
    assert np.allclose(grids.incidents_per_month, grids.incidents / months)
    # staff and workload: the grid's team in staff.parquet, pooled (case work and routine duties)
    team = staff[staff.unit.isin(grids.grid)]
    pooled = team.groupby("unit").busy_min.sum() / team.groupby("unit").on_duty_min.sum()
    g = grids.set_index("grid")
    assert g.staff.to_dict() == team.groupby("unit").size().to_dict()
    np.testing.assert_allclose(g.workload.to_numpy(), pooled[g.index].to_numpy())
    assert (g.workload > 0.2).all()  # routine duties alone keep grid staff busy a good part of the day


def test_score_is_the_weighted_mean_of_its_shares(run):
    sc, _summary, files = run
    ev = sc.evaluation
    g = files["grids"]
    parts = g[["closure_on_time_share", "response_on_time_share", "verified_first_time_share"]].fillna(1.0)
    w = np.array([ev.on_time_weight, ev.response_weight, ev.verified_first_time_weight])
    np.testing.assert_allclose(g.score, 100 * parts.to_numpy() @ w / w.sum())
    assert g.score.between(0, 100).all() and g.score.lt(100).any()
