"""Behaviour of the closed-loop model: patrol, escalation, dispatch rules, seeds, CRN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_scenario

from sim.agents.grid_staff import GridTeam
from sim.measures import staff_table, summarize
from sim.model import TownModel
from sim.policies.dispatch import HomeZoneFirst, NearestIdle
from sim.records import Incident
from sim.runner import run_replication
from sim.shifts import DutyCalendar


def _run(overrides=None, days=10, seed=3):
    m = TownModel(make_scenario(overrides), seed=seed, days=days)
    m.run()
    m.finish()
    return m, m.log.frame()


def test_patrol_delay_matches_cycle_theory():
    """One patroller, round the clock: wait = T/2 for the first pass + T(1-p)/p for misses."""
    m = TownModel(make_scenario({"grid_staff.shift": {"start_h": 0, "end_h": 24}, "grid_staff.days_per_week": 7}), days=1)
    grid = m.town.grids[0]
    patroller = next(p for p in m.teams[0].members if "patrol" in p.duties)
    solo = GridTeam(0, [patroller], grid.street_km, 4.5)
    beat = solo.beat("urban_management")
    assert beat is not None
    cycle = beat.cycle_min
    assert cycle == pytest.approx(60 * grid.street_km / 4.5 / (patroller.duty_share * patroller.patrol_share))
    rng = np.random.default_rng(0)
    for p in (1.0, 0.4):
        delays = [solo.patrol_finds(t, ub, ud, p, "urban_management")[0] - t
                  for t, ub, ud in zip(rng.uniform(0, 5000, 20000), rng.random(20000), rng.random(20000), strict=True)]
        expected = cycle / 2 + cycle * (1 - p) / p
        assert np.mean(delays) == pytest.approx(expected, rel=0.03)


def test_twice_the_staff_discovers_faster():
    _one, rec1 = _run({"grid_staff.roles.patrol_officer.count": 1})
    _two, rec2 = _run({"grid_staff.roles.patrol_officer.count": 3})
    d1 = (rec1.reported_at - rec1.occurred_at)[rec1.channel == "patrol"].median()
    d2 = (rec2.reported_at - rec2.occurred_at)[rec2.channel == "patrol"].median()
    assert d2 < 0.8 * d1
    assert (rec2.channel == "patrol").mean() > (rec1.channel == "patrol").mean()


def test_patrol_waits_for_the_shift():
    m = TownModel(make_scenario(), days=1)
    team = m.teams[0]
    t, who = team.patrol_finds(60.0, 0.5, 0.0, 1.0, "urban_management")  # occurs at 01:00
    assert who is not None
    cal = who.calendar
    assert cal.on_duty(t) and t >= 8 * 60


def test_escalation_threshold_that_sends_everything_up():
    _m, rec = _run({"escalation.severity_to_village": 0, "escalation.severity_to_town": 0})
    tiers = rec.tier.dropna().astype(str)
    assert len(tiers) > 100
    assert set(tiers) <= {"town", "county"}
    _m0, rec0 = _run()
    assert (rec0.tier.astype(str) == "grid").mean() > 0.5


def test_overdue_fraction_moves_cases_up():
    _, slow = _run({"escalation.overdue_fraction": 0.02})
    _, base = _run()
    assert (slow.escalations > 0).mean() > (base.escalations > 0).mean() + 0.02


def _dispatch_model(rule: str) -> TownModel:
    """Two squads of one crew: west base (1, 5), east base (9, 5); west zone = first village."""
    sc = make_scenario({
        "town.area_km2": 100.0,
        "town.villages": 2,
        "command_centre.dispatch_rule": rule,
        "squads.count": 0,
        "squads.units": [
            {"id": "W", "base": [1.0, 5.0], "crews": 1},
            {"id": "E", "base": [9.0, 5.0], "crews": 1},
        ],
    })
    return TownModel(sc, days=1)


def _incident(m: TownModel, x: float, y: float) -> Incident:
    village = 0 if x < 5 else 1
    return Incident(0, 0, village, m.town.locate(village, x, y), x, y, 0.0, np.full(20, 0.5))


def test_nearest_idle_picks_the_nearest_idle_crew():
    m = _dispatch_model("nearest_idle")
    west, east = (s.crews[0] for s in m.squads)
    inc = _incident(m, 6.0, 5.0)  # nearer the east base
    assert NearestIdle().choose([west, east], inc, m.centre.travel_to) is east
    assert NearestIdle().choose([west], inc, m.centre.travel_to) is west  # east busy


def test_home_zone_first_uses_home_squad_then_backup():
    m = _dispatch_model("home_zone_first")
    west, east = (s.crews[0] for s in m.squads)
    assert m.squads[0].zone == {0} and m.squads[1].zone == {1}
    inc = _incident(m, 4.5, 5.0)  # in the west zone, but nearer the east base? no: 3.5 vs 4.5 km
    inc_far = _incident(m, 4.9, 9.9)
    for case in (inc, inc_far):
        assert HomeZoneFirst().choose([west, east], case, m.centre.travel_to) is west
    assert HomeZoneFirst().choose([east], inc, m.centre.travel_to) is east  # cross-zone backup


def test_home_zone_first_sends_home_squad_even_when_farther():
    m = _dispatch_model("home_zone_first")
    west, east = (s.crews[0] for s in m.squads)
    m.squads[1].zone = {0, 1}  # both zones' cases are the east squad's "home" too
    m.squads[0].zone = set()
    inc = _incident(m, 1.5, 5.0)  # right next to the west base
    assert HomeZoneFirst().choose([west, east], inc, m.centre.travel_to) is east
    assert NearestIdle().choose([west, east], inc, m.centre.travel_to) is west


def test_one_queue_when_all_crews_busy_and_shift_respected():
    _m, rec = _run({"squads.count": 1, "squads.crews_per_squad": 1}, days=5)
    squad = rec[rec.handler.str.startswith("S1")]
    wait = squad.dispatched_at - squad.reported_at
    assert (wait > 30).mean() > 0.05  # a single crew makes cases queue
    starts = squad.dispatched_at % 1440
    assert ((starts >= 7 * 60 - 1e-6) & (starts <= 22 * 60 + 1e-6)).all()  # only on shift


def test_records_are_consistent():
    m, rec = _run(days=5)
    closed = rec.dropna(subset=["closed_at"])
    assert len(closed) > 100
    assert (closed.reported_at >= closed.occurred_at).all()
    assert (closed.resolved_at >= closed.reported_at).all()
    assert (closed.closed_at >= closed.resolved_at).all()
    arrived = closed.dropna(subset=["arrived_at"])
    assert (arrived.arrived_at >= arrived.reported_at).all()
    assert rec.id.is_unique
    assert len(rec) == m._next_id


def test_same_seed_same_summary_other_seed_differs(small):
    a = run_replication(small, 7, days=3)
    b = run_replication(small, 7, days=3)
    c = run_replication(small, 8, days=3)
    assert a == b
    assert a["incidents"] != c["incidents"] or a["response_p50_min"] != c["response_p50_min"]


def test_common_random_numbers_across_policies():
    """Changing the dispatch rule or grid division leaves the incident stream alone."""
    _, a = _run({"command_centre.dispatch_rule": "nearest_idle"}, days=3)
    _, b = _run({"command_centre.dispatch_rule": "home_zone_first"}, days=3)
    _, c = _run({"town.grid_division.households_per_grid": 250}, days=3)
    for other in (b, c):
        x = a.sort_values("id")
        y = other.sort_values("id")
        assert np.array_equal(x.occurred_at.to_numpy(), y.occurred_at.to_numpy())
        assert np.array_equal(x.x_km.to_numpy(), y.x_km.to_numpy())


def test_measures_are_well_formed(small):
    m = TownModel(small, days=5)
    m.run()
    m.finish()
    s = summarize(m, None, staff_table(m))
    assert math.isclose(sum(s["tier_share"].values()), 1.0)
    assert set(s["tier_share"]) == {"grid", "village", "town", "county"}
    assert s["response_p50_min"] <= s["response_p90_min"]
    assert 0 <= s["share_within_15min"] <= 1
    assert math.isclose(sum(q["calls_share"] for q in s["squads"]), 1.0)
    assert all(0 <= q["utilisation"] <= 1 for q in s["squads"])
    assert all(0 <= g < 1 for g in s["workload_gini"].values())


def test_duty_calendar_round_trip():
    cal = DutyCalendar(8 * 60, 9.5 * 60)
    for t in (0.0, 479.0, 480.0, 600.0, 1049.0, 1051.0, 3000.0):
        nxt = cal.next_on_duty(t)
        assert cal.on_duty(nxt) and nxt >= t
        assert cal.duty_time(cal.calendar_time(cal.duty_time(nxt))) == pytest.approx(cal.duty_time(nxt))
    assert cal.duty_time(1440.0) == pytest.approx(570.0)


@pytest.mark.slow
def test_a_year_of_xuxiake_is_inside_public_ranges():
    """DESIGN §2: ≈ 77 events per grid per month (upper bound); 70–80% closed in grid + village."""
    from conftest import DEFAULT

    from sim.config import load_scenario

    s = run_replication(load_scenario(DEFAULT), 1, days=365)
    assert 40 <= s["events_per_grid_per_month"] <= 80
    assert 0.70 <= s["grid_village_share"] <= 0.80
    # DESIGN: patrol-based systems find 80–95%; here the grid's eyes are its patrols and its
    # Party centre households.
    assert 0.80 <= s["channel_share"]["patrol"] + s["channel_share"]["party"] <= 0.95
    # Good systems close 99%+ of cases, 95–99.9% on time (the preset's verification lags are
    # calibrated to it); the town tier as published is 1–2%; the county stays below its ≈ 20%
    # for the reasons the README gives, but takes the referrals and its own categories.
    assert 0.95 <= s["closure_on_time_share"] <= 0.999
    assert s["closed_share"] >= 0.99
    assert 0.01 <= s["tier_share_published"]["town"] <= 0.025
    assert 0.07 <= s["tier_share"]["county"] <= 0.12
