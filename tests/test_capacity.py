"""Finite capacity above the village, the county referral, and priorities in the squads' queue."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from sim.analytic.from_scenario import squad_system
from sim.measures import staff_table, summarize
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import Tier
from sim.warnings import text

OFFICE = {"start_h": 8.5, "end_h": 17.5}


def _run(overrides, days=14, seed=4):
    m = TownModel(make_scenario(overrides), seed=seed, days=days)
    m.run()
    m.finish()
    rec = m.log.frame()
    staff = staff_table(m)
    return m, rec, staff, summarize(m, None, staff)


def _utilities(staff: int) -> dict:
    return {"tiers.town_departments": {"staff": 0, "by_domain": {"utilities": staff}, "shift": OFFICE,
                                       "days_per_week": 7},
            "tiers.county_departments": {"staff": 0},
            "incidents.categories.broken_facilities.share": 0.3,  # enough work to queue
            "incidents.categories.broken_facilities.county_referral_prob": 0.0}


def test_a_staffed_department_queues_its_cases_first_come_first_served():
    m, rec, staff, s = _run(_utilities(1))
    dept = m.departments[(Tier.TOWN, "utilities")]
    assert list(m.departments) == [(Tier.TOWN, "utilities")]  # staff 0 elsewhere: pure delays
    person = dept.staff[0]
    assert person.cases == len(dept.waits) > 50
    assert min(dept.waits) >= 0 and np.mean(dept.waits) > 30  # one person: cases wait
    row = staff[staff.id == person.staff_id].iloc[0]
    assert row.role == "town_department" and row.case_min == pytest.approx(person.busy_min)
    assert s["staff_headcount"]["town_department"] == 1
    d = s["departments"][0]
    assert d["tier"] == "town" and d["id"] == "utilities" and d["cases"] == person.cases
    assert d["utilisation"] == pytest.approx(person.busy_min / person.on_duty_minutes(0, m.horizon))
    assert (rec.handler.astype(str) == person.staff_id).sum() > 0  # the record names who handled it


def test_more_department_staff_shorten_the_queue():
    one = _run(_utilities(1))[3]
    four = _run(_utilities(4))[3]
    assert four["department_wait_mean_min"]["town"] < 0.5 * one["department_wait_mean_min"]["town"]
    assert four["department_utilisation"]["town"] < one["department_utilisation"]["town"]


def test_overloaded_department_is_warned():
    s = _run({**_utilities(1), "incidents.categories.broken_facilities.share": 3.0}, days=10)[3]
    servers = {w["values"]["server"] for w in s["warnings"] if w["code"] == "unstable_queue"}
    assert "departments.town.utilities.utilisation" in servers
    unstable = next(w for w in s["warnings"] if w["values"].get("server") == "departments.town.utilities.utilisation")
    assert text(unstable, "zh").startswith("镇市政公用部门利用率为 ")
    assert text(unstable).startswith("town department utilities: utilisation is ")


def test_county_referral_hands_town_cases_to_the_county():
    base = {"tiers.county_departments": {"staff": 2}, "party.convening": False,
            "incidents.categories.broken_facilities.share": 0.6}
    none = _run({**base, "incidents.categories.broken_facilities.county_referral_prob": 0.0})[1]
    half = _run({**base, "incidents.categories.broken_facilities.county_referral_prob": 0.5})[1]
    all_ = _run({**base, "incidents.categories.broken_facilities.county_referral_prob": 1.0})[1]

    def county_share(rec):
        done = rec[(rec.category.astype(str) == "broken_facilities") & rec.tier.notna()]
        return (done.tier.astype(str) == "county").mean()

    p_town = make_scenario().incidents.categories[4].resolves_at(Tier.TOWN)
    assert county_share(none) == pytest.approx(1 - p_town, abs=0.06)  # only the town's failures
    assert county_share(all_) == pytest.approx(1.0)
    assert county_share(half) == pytest.approx(1 - p_town * 0.5, abs=0.08)


def test_town_keeps_is_resolve_times_not_referred():
    cat = make_scenario({"incidents.categories.broken_facilities.county_referral_prob": 0.25}).incidents.categories[4]
    p = cat.resolves_at(Tier.TOWN) * 0.75
    assert cat.town_keeps(p - 1e-9) and not cat.town_keeps(p + 1e-9)


def _one_crew(priority: str) -> TownModel:
    return TownModel(make_scenario({
        "squads.count": 1, "squads.crews_per_squad": 1, "squads.shift": {"start_h": 0, "end_h": 24},
        "command_centre.squad_priority": priority}), days=1)


@pytest.mark.parametrize("priority", ["fcfs", "severity"])
def test_a_high_priority_call_overtakes_in_the_squads_queue(priority):
    m = _one_crew(priority)
    names = m.config.category_names
    parking, safety = names.index("illegal_parking"), names.index("safety_hazard")
    g = m.town.grids[0]
    x, y = g.box.centroid

    def call(k: int, cat: int, t: float) -> Incident:
        inc = Incident(k, cat, g.village, g.index, x, y, t, np.full(32, 0.5))
        m.centre.request_squad(inc)
        return inc

    first = call(0, parking, 0.0)  # takes the one crew
    later_parking = call(1, parking, 0.0)  # queued first
    hazard = call(2, safety, 0.0)  # queued second, graver
    m.env.run(until=1000.0)
    assert first.dispatched_at == 0.0
    if priority == "severity":
        assert hazard.dispatched_at < later_parking.dispatched_at
    else:
        assert later_parking.dispatched_at < hazard.dispatched_at


def test_priority_classes_by_category_override_severity():
    m = TownModel(make_scenario({"command_centre.squad_priority": "severity",
                                 "command_centre.squad_priority_classes": {"illegal_parking": 0}}), days=1)
    cats = {c.name: c for c in m.categories}
    assert m.centre.priority_class(cats["illegal_parking"]) < m.centre.priority_class(cats["safety_hazard"])


def test_analytic_says_when_priorities_break_its_assumptions():
    fcfs = squad_system(make_scenario({"command_centre.squad_priority": "fcfs"}))
    ranked = squad_system(make_scenario({"command_centre.squad_priority": "severity"}))
    assert not any("priority" in b.code for b in fcfs.broken)
    assert any("priority" in b.code for b in ranked.broken)
