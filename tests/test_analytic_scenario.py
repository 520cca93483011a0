"""The analytic inputs read off a scenario agree with what the simulation does.

Two bugs once lived here: zones that are not a clean partition were mapped unlike the
dispatch rule, and the dispatch overhead was counted twice in the busy time. These tests
pin both, with zones that are not the nearest base, overhead > 0, and a heavily loaded
M/M/c whose mean wait is checked against Erlang C and against the simulation.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analytic.erlang import erlang_c
from sim.analytic.from_scenario import squad_system
from sim.analytic.hypercube import solve_hypercube
from sim.config import Scenario, apply_overrides, read_scenario_data, validate_scenario
from sim.measures import staff_table
from sim.model import TownModel
from sim.records import Incident
from sim.runner import run_replications
from sim.stats import mean_ci
from sim.validate import TEXTBOOK


def _textbook(overrides: dict) -> Scenario:
    data = read_scenario_data(TEXTBOOK / "hypercube_3squads.toml")
    return validate_scenario(apply_overrides(data, overrides))


# A1 lies in two zones (U1's, where its base is, and U3's); A3 in none; A4 is in the zone of
# U1, the farthest base from it.
OVERLAPPING_ZONES = {
    "command_centre.dispatch_rule": "home_zone_first",
    "squads.units": [
        {"id": "U1", "base": [2.5, 2.5], "crews": 1, "zone": ["A1", "A4"]},
        {"id": "U2", "base": [7.5, 2.5], "crews": 1, "zone": ["A2"]},
        {"id": "U3", "base": [5.0, 7.5], "crews": 1, "zone": ["A1"]},
    ],
    "town.travel.car_kmh": 30.0,
}


def test_preferences_follow_the_dispatch_rule_when_zones_overlap_or_miss():
    sc = _textbook(OVERLAPPING_ZONES)
    ss = squad_system(sc)
    model = TownModel(sc, days=1)
    rule = sc.command_centre.dispatch_rule
    crews = model.centre.crews
    for j, g in enumerate(model.town.grids):
        x, y = g.box.centroid
        inc = Incident(0, 0, g.village, g.index, x, y, 0.0, np.full(20, 0.5))
        idle = list(crews)
        for expected in ss.preferences[j]:  # busy the first choices one by one
            picked = rule.choose(idle, inc, model.centre.travel_to)
            assert crews.index(picked) == expected, (g.id, [c.crew_id for c in idle])
            idle.remove(picked)
    # By name: A1 (two zones) goes to U1 at its door; A3 (no zone) to the nearest, U3;
    # A4 to U1, its zone's squad, though U3 is nearer.
    first = {g: ss.unit_squad[ss.preferences[j][0]] for j, g in enumerate(ss.atom_ids)}
    assert first == {"A1-1": "U1", "A2-1": "U2", "A3-1": "U3", "A4-1": "U1"}
    assert ss.unit_squad[ss.home[2]] == "U3"  # no zone: the nearest crew stands in as home


def test_dispatch_overhead_is_counted_once_in_the_busy_time():
    overhead, work = 12.0, 30.0
    # Three crews at the town centre, every demand point equally far: whichever crew goes,
    # a call costs overhead + drive out + work + drive back, the same for every call.
    sc = _textbook({
        "squads.units": [{"id": f"U{k}", "base": [5.0, 5.0], "crews": 1} for k in (1, 2, 3)],
        "squads.dispatch_overhead_min": overhead,
        "town.travel.car_kmh": 20.0,
        "incidents.categories.call.work_min": {"dist": "fixed", "value": work},
        "incidents.events_per_10k_residents_per_year": 2000.0,  # ≈ 5.5 calls a day: no chaining
    })
    ss = squad_system(sc)
    drive = ss.travel_min - overhead
    w = ss.arrival_rates / ss.arrival_rates.sum()
    first = float(sum(w[j] * drive[ss.preferences[j][0], j] for j in range(len(w))))
    assert ss.mean_busy_min == pytest.approx(work + overhead + 2 * first)
    # and that is what a crew lives through: overhead, out, work, back
    model = TownModel(sc, seed=3, days=60)
    model.run()
    model.finish()
    crews = staff_table(model).query("role == 'squad_crew'")
    assert crews.busy_min.sum() / crews.cases.sum() == pytest.approx(ss.mean_busy_min, rel=0.005)


def _mmc(rho: float, crews: int = 3, mean_work: float = 30.0):
    lam = rho * crews / mean_work  # per minute, from 10,000 residents
    return _textbook({
        "squads.units": [{"id": "U1", "base": [5.0, 5.0], "crews": crews}],
        "incidents.categories.call.work_min": {"dist": "exponential", "mean": mean_work},
        "incidents.events_per_10k_residents_per_year": lam * 525600.0,
        "run.warmup_days": 5,
    }), lam, 1.0 / mean_work


@pytest.mark.parametrize("rho", [0.6, 0.92])
def test_one_squad_is_mmc_in_theory(rho):
    """One squad of c crews and negligible travel: the hypercube is M/M/c, even at ρ ≥ 0.9."""
    sc, lam, mu = _mmc(rho)
    ss = squad_system(sc)
    assert ss.mean_busy_min == pytest.approx(1 / mu, rel=1e-5)
    assert ss.arrival_rates.sum() == pytest.approx(lam, rel=0.03)  # sampled from 30 days of the stream
    hc = solve_hypercube(ss.arrival_rates, ss.preferences, ss.service_rate, "infinite")
    ec = erlang_c(float(ss.arrival_rates.sum()), ss.service_rate, 3)
    assert hc.p_queue == pytest.approx(ec.p_wait, rel=1e-6)
    assert hc.mean_wait_in_queue == pytest.approx(ec.mean_wait, rel=1e-6)
    assert float(hc.workload.mean()) == pytest.approx(ec.utilisation, rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize(("rho", "days", "reps"), [(0.6, 40, 6), (0.92, 120, 8)])
def test_one_squad_mean_wait_matches_erlang_c_in_simulation(rho, days, reps):
    sc, lam, mu = _mmc(rho)
    theory = erlang_c(lam, mu, 3)
    runs = run_replications(sc, list(range(1, reps + 1)), days=days, workers=1)
    m, lo, hi = mean_ci(np.array([r["squad_wait_mean_min"] for r in runs]), 0.99)
    assert lo <= theory.mean_wait <= hi, (theory.mean_wait, m, lo, hi)
    m, lo, hi = mean_ci(np.array([r["squad_wait_share"] for r in runs]), 0.99)
    assert lo - 0.01 <= theory.p_wait <= hi + 0.01, (theory.p_wait, m, lo, hi)
    util = np.array([r["squads"][0]["utilisation"] for r in runs])
    assert util.mean() == pytest.approx(rho, abs=0.03)
