"""The calibration mechanisms: limits in working time, referral to the county past convening,
grid verification off duty, and the county's share on a small town."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from sim.clocks import LimitClock
from sim.flow import Flow
from sim.incidents import U
from sim.labels import REASONS
from sim.measures import on_time_by_clock, staff_table, summarize
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import MINUTES_PER_DAY as DAY
from sim.vocabulary import Channel, Reason, Tier

FRIDAY_5PM = 4 * DAY + 17 * 60


def _run(overrides=None, days=14, seed=4, stories=False):
    m = TownModel(make_scenario(overrides), seed=seed, days=days, keep_stories=stories)
    m.run()
    m.finish()
    rec = m.log.frame()
    return m, rec, summarize(m, None, staff_table(m))


def test_a_working_time_limit_skips_nights_and_weekends():
    sc = make_scenario()
    clock = LimitClock(sc)
    cats = {c.name: c for c in sc.incidents.categories}
    garbage, parking = cats["exposed_garbage"], cats["illegal_parking"]
    assert garbage.limit_clock == "working" and parking.limit_clock == "calendar"
    # Reported Friday 17:00 with 4 working hours: 30 minutes on Friday, 3.5 h on Monday from 08:30.
    assert clock.due(garbage, FRIDAY_5PM, 240) == pytest.approx(7 * DAY + 8.5 * 60 + 210)
    assert clock.due(parking, FRIDAY_5PM, 240) == FRIDAY_5PM + 240
    starts = np.array([FRIDAY_5PM, 10 * 60.0, np.nan])
    due = clock.due_many(np.array([True, True, True]), starts, np.full(3, 240.0))
    assert due[0] == pytest.approx(7 * DAY + 8.5 * 60 + 210) and due[1] == pytest.approx(14 * 60)
    assert np.isnan(due[2])


def test_on_time_counts_working_minutes_for_working_categories():
    m = TownModel(make_scenario(), days=14)
    rep = np.array([FRIDAY_5PM, FRIDAY_5PM])
    done = np.array([7 * DAY + 10 * 60, 7 * DAY + 10 * 60])  # Monday 10:00: 2 working hours later
    hit, counted = on_time_by_clock(m, rep, done, np.array([240.0, 240.0]), np.array([True, False]))
    assert list(hit) == [True, False] and counted.all()


def test_overdue_alarms_follow_the_working_clock():
    m = TownModel(make_scenario(), days=14)
    names = m.config.category_names
    m.env.run(until=FRIDAY_5PM)
    for name in ("exposed_garbage", "illegal_parking"):
        cat = m.categories[names.index(name)]
        inc = Incident(10**6, names.index(name), 0, 0, 1.0, 1.0, FRIDAY_5PM - 5, np.full(32, 0.5))
        m.centre._intake(inc, cat, Channel.PATROL)
        alarms = sorted((due, kind) for due, i, kind, _ in m.centre._alarms if i == inc.id)
        m.centre._alarms[:] = [a for a in m.centre._alarms if a[1] != inc.id]
        expect = [m.centre.clock.due(cat, FRIDAY_5PM, cat.respond_limit_min),
                  m.centre.clock.due(cat, FRIDAY_5PM, cat.close_limit_min)]
        assert [a for a, _ in alarms] == pytest.approx(sorted(expect))
        if name == "exposed_garbage":
            assert alarms[-1][0] > 7 * DAY  # not before Monday
        else:
            assert alarms[-1][0] == FRIDAY_5PM + cat.close_limit_min


def test_referred_cases_go_to_the_county_even_with_convening():
    more = {"incidents.categories.illegal_construction.share": 0.8,
            "incidents.categories.enterprise_pollution.share": 0.1,
            "tiers.county_departments": {"staff": 0}}  # a pure delay: every referral is resolved in the run
    _, rec, _ = _run(more, days=21)
    con = rec[(rec.category == "illegal_construction") & rec.tier.notna()]
    pol = rec[(rec.category == "enterprise_pollution") & rec.tier.notna()]
    assert len(con) > 200 and len(pol) > 30
    # The county owns enterprise pollution: convening does not take it.
    assert set(pol.tier.astype(str)) == {"county"}
    # Construction: the town keeps p(1 - r) = 0.45, refers p r = 0.45 to the county, and
    # convenes the 10% it fails on (难事不出镇).
    cat = make_scenario().incidents.categories[7]
    p, r = cat.resolves_at(Tier.TOWN), cat.county_referral_prob
    assert (con.tier.astype(str) == "county").mean() == pytest.approx(p * r, abs=0.07)
    assert (con.tier.astype(str) == "town").mean() == pytest.approx(1 - p * r, abs=0.07)


def test_the_town_refers_what_it_would_resolve_but_lacks_the_powers_for():
    m = TownModel(make_scenario({"tiers.town_departments": {"staff": 0}}), days=3)
    names = m.config.category_names
    cat = m.categories[names.index("broken_facilities")]
    p, r = cat.resolves_at(Tier.TOWN), cat.county_referral_prob
    outcomes = {}
    for k, u in enumerate((0.5 * p * (1 - r), p * (1 - r) + 0.5 * p * r, 0.5 * (1 + p))):
        uniforms = np.zeros(32)
        uniforms[U.RESOLVE_TOWN] = u
        inc = Incident(k, names.index("broken_facilities"), 0, 0, 1.0, 1.0, 0.0, uniforms)

        def attempt(inc=inc, u=u):
            outcomes[u] = yield from m.centre._handle_at(inc, cat, Tier.TOWN)
        Flow(m.env, attempt())  # a case's steps run as a flow (sim/flow.py)
    m.env.run(until=3 * DAY)
    assert list(outcomes.values()) == [Tier.TOWN, Reason.REFERRED, Reason.NOT_RESOLVED]
    assert "county" in REASONS[Reason.REFERRED][1]


def test_county_share_on_a_small_town_is_what_the_referral_rules_give():
    _, rec, s = _run(days=21, seed=7)
    done = rec[rec.tier.notna()]
    cats = {c.name: c for c in make_scenario().incidents.categories}
    expected = 0.0
    for name, g in done.groupby(done.category.astype(str)):
        c = cats[name]
        n = len(g) / len(done)
        if c.lowest_tier == Tier.COUNTY:  # enterprise pollution, emergencies
            expected += n
        elif name == "broken_facilities":  # always reaches the town's utilities office
            expected += n * (1 - c.resolves_at(Tier.TOWN) * (1 - c.county_referral_prob))
        elif name == "illegal_construction":  # failures are convened in the town
            expected += n * c.resolves_at(Tier.TOWN) * c.county_referral_prob
    # Other categories add only the few the town fails (squads) or refers after a spot fix fails.
    assert s["tier_share"]["county"] == pytest.approx(expected, abs=0.03)
    assert s["tier_share"]["county"] >= expected - 0.005


def test_grid_cases_resolved_off_duty_are_verified_by_the_centre():
    base = {"incidents.categories.exposed_garbage.spot_fix_prob": 0.0}
    _, wait, _ = _run({**base, "grid_staff.verify_off_duty": "next_shift"}, days=10)
    _, centre, _ = _run({**base, "grid_staff.verify_off_duty": "centre"}, days=10)
    lag_wait = (wait.closed_at - wait.resolved_at)[wait.tier == "grid"]
    lag_centre = (centre.closed_at - centre.resolved_at)[centre.tier == "grid"]
    assert lag_centre.quantile(0.99) < 0.7 * lag_wait.quantile(0.99)
    wait, centre = wait.sort_values("id"), centre.sort_values("id")
    assert np.allclose(wait.reported_at, centre.reported_at, equal_nan=True)  # only closure moves
