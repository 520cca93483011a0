"""Five-day weeks with rest days in turn for grid staff and village cadres, and FTE against them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from sim.measures import staff_table, staffing
from sim.model import TownModel
from sim.shifts import DutyCalendar, rest_day_rota
from sim.vocabulary import MINUTES_PER_DAY as DAY
from sim.vocabulary import GridRole


def test_a_calendar_can_begin_its_week_on_any_day():
    cal = DutyCalendar(8 * 60, 570, 5, first_day=5)  # Saturday to Wednesday
    assert [cal.on_duty(d * DAY + 600) for d in range(7)] == [True, True, True, False, False, True, True]
    assert cal.duty_time(7 * DAY) == pytest.approx(5 * 570)
    rng = np.random.default_rng(1)
    d = rng.uniform(0, 20 * 570, 200)
    assert np.allclose(cal.duty_time(cal.calendar_time(d)), d)
    assert np.allclose([cal.calendar_time(float(x)) for x in d], cal.calendar_time(d))
    assert DutyCalendar(480, 570, 5, 0) == DutyCalendar(480, 570, 5)  # Monday first is the default


@pytest.mark.parametrize("n", [3, 6, 7])
def test_staggered_rest_days_leave_someone_on_duty_every_day(n):
    firsts = rest_day_rota(n, 5)
    on = [sum(DutyCalendar(0, 600, 5, f).on_duty(d * DAY + 60) for f in firsts) for d in range(7)]
    assert min(on) >= n * 5 // 7 and sum(on) == 5 * n
    assert rest_day_rota(n, 5, staggered=False) == [0] * n
    assert rest_day_rota(n, 7) == [0] * n


def test_every_grid_has_a_fixer_on_duty_every_day_and_cadres_cover_each_village():
    m = TownModel(make_scenario(), days=1)
    for team in m.teams:
        for d in range(7):
            t = d * DAY + 10 * 60
            assert any(p.calendar.on_duty(t) for p in team.fixers("urban_management"))
            assert any(p.calendar.on_duty(t) for p in team.members if "patrol" in p.duties)
    for cadres in m.cadres:
        assert all(any(c.calendar.on_duty(d * DAY + 600) for c in cadres) for d in range(7))
        assert {c.calendar.days_per_week for c in cadres} == {5}


def test_rota_clock_runs_at_the_effort_of_those_on_duty():
    m = TownModel(make_scenario(), days=1)
    beat = m.teams[0].beat("urban_management")
    assert beat is not None and beat.rota is not None  # staggered rest days: one beat for the grid
    rota = beat.rota
    for d, w in enumerate(rota.weights):
        t = d * DAY + rota.start + 1
        assert w == pytest.approx(sum(p.effort for p in beat.patrollers if p.calendar.on_duty(t)))
    e = np.random.default_rng(2).uniform(0, 5 * sum(rota.weights) * rota.length, 300)
    assert np.allclose([rota.effort_time(rota.calendar_time(x)) for x in e], e)
    week = sum(rota.weights) * rota.length
    assert rota.effort_time(7 * DAY) == pytest.approx(week)


@pytest.mark.parametrize("p", [1.0, 0.4])
def test_patrol_on_a_rota_matches_cycle_theory_in_effort_time(p):
    """Whoever is on duty walks the grid: T/2 + T(1-p)/p effort-minutes from occurrence to discovery."""
    m = TownModel(make_scenario(), days=1)
    team = m.teams[0]
    beat = team.beat("urban_management")
    assert beat is not None and beat.rota is not None
    rng = np.random.default_rng(0)
    waits, finders = [], []
    for t, ub, ud in zip(rng.uniform(0, 30 * DAY, 20000), rng.random(20000), rng.random(20000), strict=True):
        found, who = team.patrol_finds(t, ub, ud, p, "urban_management")
        assert who is not None and who.calendar.on_duty(found)
        waits.append(beat.rota.effort_time(found) - beat.rota.effort_time(t))
        finders.append(who.role)
    cycle = beat.cycle_min
    assert np.mean(waits) == pytest.approx(cycle / 2 + cycle * (1 - p) / p, rel=0.03)
    assert len(set(finders)) == len(beat.patrollers)  # each patroller finds some


def test_fte_counts_a_five_day_week_as_one():
    for days, factor in ((5, 1.0), (7, 1.4)):
        m = TownModel(make_scenario({"grid_staff.days_per_week": days}), days=7)
        m.run()
        m.finish()
        s = staffing(m, staff_table(m))
        grids = len(m.town.grids)
        role = m.config.grid_staff.roles[GridRole.WORKER]
        assert s["staff_fte"]["worker"] == pytest.approx(grids * role.count * role.duty_share * factor)
        assert s["staff_headcount"]["worker"] == grids * role.count


def test_rest_days_slow_discovery_but_not_below_the_five_sevenths_of_effort():
    """A five-day week is 5/7 of the patrol effort: the mean wait to be found grows, by at most 7/5
    on the effort clock's scale plus the weekend's uneven cover."""
    def median_discovery(days):
        m = TownModel(make_scenario({"grid_staff.days_per_week": days}), seed=2, days=14)
        m.run()
        m.finish()
        rec = m.log.frame()
        pat = rec[rec.channel == "patrol"]
        return (pat.reported_at - pat.occurred_at).median()
    seven, five = median_discovery(7), median_discovery(5)
    assert seven < five < 2.0 * seven
