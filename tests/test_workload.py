"""Workload, time use and staff measures: each duty's minutes, overtime, headcount, FTE, cost."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from sim.agents.staff import BookableStaff
from sim.case_columns import CaseColumns
from sim.config import Shift
from sim.measures import _limits, published_tier_share, staff_table, summarize
from sim.model import TownModel
from sim.shifts import DutyCalendar
from sim.vocabulary import DAYS_PER_MONTH, MINUTES_PER_DAY

ROUTINE = {"household_visit_min_per_month": 6.0, "entry_min_per_case": 4.0, "liaison_h_per_week": 2.0,
           "supervision_h_per_week": 1.5, "meetings_h_per_week": 3.0}


def _run(overrides=None, days=14, seed=2):
    m = TownModel(make_scenario(overrides), seed=seed, days=days)
    m.run()
    m.finish()
    rec = m.log.frame()
    return m, rec, staff_table(m)


def _measured(run):
    """(model, None, staff): summarize's arguments, the records read from the model's log."""
    m, _rec, staff = run
    return m, None, staff


def test_each_routine_duty_is_its_stated_time():
    days = 14
    m, rec, staff = _run({"grid_staff.roles.worker.count": 2, "grid_staff.roles.worker.routine": ROUTINE,
                          "tiers.village_routine": ROUTINE, "grid_staff.roles.liaison.routine": {}}, days=days)
    months, weeks = days / DAYS_PER_MONTH, days / 7
    grid = m.town.grids[0]
    reported = int((rec.grid.astype(str) == grid.id).where(rec.reported_at.notna(), False).sum())
    w = staff[(staff.unit == grid.id) & (staff.role == "worker")]
    assert len(w) == 2
    row = w.iloc[0]
    spec = m.config.grid_staff.roles["worker"]
    assert row.patrol == pytest.approx(spec.patrol_share * row.on_duty_min)
    assert row.visits == pytest.approx(grid.households * 6.0 * months / 2)  # shared by the grid's two workers
    assert row.entry == pytest.approx(reported * 4.0 / 2)
    assert row.liaison == pytest.approx(2.0 * 60 * weeks)
    assert row.supervision == pytest.approx(1.5 * 60 * weeks)
    assert row.meetings == pytest.approx(3.0 * 60 * weeks)
    assert row.routine_min == pytest.approx(row[["patrol", "visits", "entry", "liaison", "supervision",
                                                 "meetings"]].sum())
    assert row.busy_min == pytest.approx(row.case_min + row.routine_min)
    assert row.workload == pytest.approx(row.busy_min / row.on_duty_min)
    assert row.workload == pytest.approx(row.case_workload + row.routine_workload)
    # village cadres: no patrol; visits over the village's households, entry over its grids' cases
    v = m.town.villages[0]
    cadres = staff[(staff.unit == v.name) & (staff.role == "village_cadre")]
    in_village = {m.town.grids[g].id for g in v.grids}
    v_reported = int((rec.grid.astype(str).isin(in_village) & rec.reported_at.notna()).sum())
    c = cadres.iloc[0]
    assert c.patrol == 0
    assert c.visits == pytest.approx(v.households * 6.0 * months / len(cadres))
    assert c.entry == pytest.approx(v_reported * 4.0 / len(cadres))
    # a role without routine duties carries only its patrol and cases
    liaison = staff[staff.role == "liaison"]
    assert (liaison.routine_min == liaison.patrol).all()


def test_routine_shows_apart_from_case_work_in_the_summary():
    m, _rec, staff = _run({"grid_staff.roles.worker.routine": ROUTINE})
    s = summarize(m, None, staff)
    w = staff[staff.role == "worker"]
    assert s["workload_mean"]["worker"] == pytest.approx(w.workload.mean())
    assert s["workload_max"]["worker"] == pytest.approx(w.workload.max())
    assert s["workload_routine_mean"]["worker"] == pytest.approx(w.routine_workload.mean())
    assert s["workload_case_mean"]["worker"] == pytest.approx(w.case_workload.mean())
    assert s["workload_routine_mean"]["worker"] > s["workload_case_mean"]["worker"]  # patrol dominates


def test_overtime_is_work_past_the_shift_end():
    cal = DutyCalendar.of(Shift(start_h=8, end_h=17))
    p = BookableStaff.__new__(BookableStaff)  # no Mesa model needed for the arithmetic
    p.horizon, p.calendar, p.busy_until, p.busy_min, p.overtime_min, p.cases = 10 * MINUTES_PER_DAY, cal, 0.0, 0.0, 0.0, 0
    booked = p.book(16 * 60, 30.0, 90.0)  # 16:00 + 2 h: one hour past 17:00
    assert booked is not None
    start, _, end = booked
    assert (start, end) == (16 * 60, 18 * 60)
    assert p.busy_min == pytest.approx(120) and p.overtime_min == pytest.approx(60)
    p.book(18 * 60 + 30, 0.0, 60.0)  # booked after hours: starts at 08:00 next day, no overtime
    assert p.overtime_min == pytest.approx(60)


def test_headcount_fte_and_cost():
    salary = {"worker": 70000.0, "chief": 90000.0, "village_cadre": 80000.0, "squad_officer": 100000.0}
    m, _rec, staff = _run({"staff_cost.salary_per_year": salary, "squads.officers_per_squad": 11}, days=3)
    s = summarize(m, None, staff)
    grids, villages = len(m.town.grids), len(m.town.villages)
    roles = m.config.grid_staff.roles
    assert s["staff_headcount"]["worker"] == grids * roles["worker"].count
    assert s["staff_fte"]["chief"] == pytest.approx(grids * roles["chief"].count * roles["chief"].duty_share)
    assert s["staff_headcount"]["village_cadre"] == villages * m.config.tiers.village_cadres
    assert s["staff_headcount"]["squad_officer"] == 11 * m.config.squads.n
    assert s["staff_headcount"]["hall_window"] == m.config.service_hall.windows
    parts = {k: v for k, v in s["staff_fte"].items() if k != "total"}
    assert s["staff_fte"]["total"] == pytest.approx(sum(parts.values()))
    cost = s["staff_cost_per_year"]
    assert cost["chief"] == pytest.approx(s["staff_fte"]["chief"] * 90000)
    assert set(cost) == {*salary, "total"}  # roles without a salary have no cost
    assert cost["total"] == pytest.approx(sum(v for k, v in cost.items() if k != "total"))


def test_smaller_grids_cost_more_staff():
    big = summarize(*_measured(_run({"town.grid_division.households_per_grid": 480}, days=2)))
    small = summarize(*_measured(_run({"town.grid_division.households_per_grid": 240}, days=2)))
    assert small["grids"] > big["grids"]
    assert small["staff_fte"]["worker"] > big["staff_fte"]["worker"]
    assert small["staff_cost_per_year"]["total"] > big["staff_cost_per_year"]["total"]


def test_problem_clocks_start_when_the_problem_arises():
    m, rec, staff = _run()
    s = summarize(m, None, staff)
    arr = rec.arrived_at - rec.occurred_at
    clo = rec.closed_at - rec.occurred_at
    assert s["problem_to_scene_p50_min"] == pytest.approx(np.nanquantile(arr, 0.5))
    assert s["problem_to_scene_p90_min"] == pytest.approx(np.nanquantile(arr, 0.9))
    assert s["problem_to_closure_p90_min"] == pytest.approx(np.nanquantile(clo, 0.9))
    assert s["problem_to_closure_p50_min"] > s["closure_p50_min"]  # discovery comes first


def test_published_tier_shares_book_squad_work_at_grid_level():
    m, rec, staff = _run()
    s = summarize(m, None, staff)
    pub, model = s["tier_share_published"], s["tier_share"]
    assert sum(pub.values()) == pytest.approx(1.0)
    done = rec[rec.tier.notna()]
    squad = (done.tier.astype(str) == "town") & done.queued_at.notna()
    assert pub["grid"] == pytest.approx(model["grid"] + squad.mean())
    assert pub["town"] == pytest.approx(model["town"] - squad.mean())
    assert pub["county"] == model["county"] and pub["village"] == model["village"]
    assert published_tier_share(np.array([], dtype=np.int8), np.array([])) == {"grid": pytest.approx(np.nan, nan_ok=True),
                                                   "village": pytest.approx(np.nan, nan_ok=True),
                                                   "town": pytest.approx(np.nan, nan_ok=True),
                                                   "county": pytest.approx(np.nan, nan_ok=True)}


def test_limits_by_category_code_equal_the_lookup_per_case():
    """The limits looked up by category code (measures._limits) are each case's category's, case by case."""
    m, rec, _ = _run()  # the default preset: some categories on working time, some on the calendar
    respond, close, working = _limits(m, CaseColumns.of_frame(rec, m.log.categories, m.log.grids)["category"])
    cats = {c.name: c for c in m.categories}
    names = rec.category.astype(str).tolist()
    assert len(set(names)) > 3
    assert respond.tolist() == [cats[n].respond_limit_min for n in names]
    assert close.tolist() == [cats[n].close_limit_min for n in names]
    assert working.tolist() == [cats[n].limit_clock == "working" for n in names]
    assert working.any() and not working.all()
