"""Preemption in the squads' queue: a graver call takes a crew off a less urgent job."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from sim.analytic.from_scenario import squad_system
from sim.flow import Flow
from sim.incidents import U
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import Reason, Stage

FIXED = {"dist": "fixed", "value": 40}


def _one_crew(preemption: str) -> TownModel:
    """One crew on duty round the clock; parking and safety hazards take 40 fixed minutes on scene."""
    return TownModel(make_scenario({
        "squads.count": 1, "squads.crews_per_squad": 1, "squads.shift": {"start_h": 0, "end_h": 24},
        "squads.return_to_base": False,
        "command_centre.squad_priority": "severity", "command_centre.squad_preemption": preemption,
        "incidents.categories.illegal_parking.work_min": FIXED,
        "incidents.categories.safety_hazard.work_min": FIXED}), days=1, keep_stories=True)


def _run_calls(m: TownModel, calls: list[tuple[str, float]]) -> tuple[dict[int, Incident], dict[int, float]]:
    """Send each (category, time) call to the squads at one place; the cases and when each was resolved."""
    names = m.config.category_names
    g = m.town.grids[0]
    x, y = g.box.centroid
    cases: dict[int, Incident] = {}
    resolved: dict[int, float] = {}

    def call(k: int, cat: str, t: float):
        uniforms = np.full(32, 0.5)
        uniforms[U.RESOLVE_TOWN] = 0.0  # resolved by the squad, not referred
        inc = Incident(k, names.index(cat), g.village, g.index, x, y, t, uniforms)
        inc.history = []
        cases[k] = inc
        yield t
        yield from m.centre._squad(inc)
        resolved[k] = m.env.now

    for k, (cat, t) in enumerate(calls):
        Flow(m.env, call(k, cat, t))  # as the model runs a case (sim/flow.py)
    m.env.run(until=600.0)
    return cases, resolved


def _drive(m: TownModel) -> float:
    g = m.town.grids[0]
    x, y = g.box.centroid
    return m.centre.travel_to(m.centre.crews[0], Incident(99, 0, g.village, g.index, x, y, 0.0, np.full(32, 0.5)))


@pytest.mark.parametrize("how, left", [("resume", 30.0), ("restart", 40.0)])
def test_a_graver_call_preempts_and_the_low_one_completes_later_with_correct_times(how, left):
    m = _one_crew(how)
    overhead, drive = m.config.squads.dispatch_overhead_min, _drive(m)
    hazard_at = drive + 10.0  # the crew has worked 10 of the parking job's 40 minutes
    cases, resolved = _run_calls(m, [("illegal_parking", 0.0), ("safety_hazard", hazard_at)])
    parking, hazard = cases[0], cases[1]
    crew = m.centre.crews[0]
    assert m.centre.preemptions == 1 and crew.cases == 2
    # The hazard is taken at once by the crew already there: only the dispatch overhead.
    assert hazard.squad_wait == 0.0 and hazard.dispatched_at == pytest.approx(hazard_at)
    assert hazard.arrived_at == pytest.approx(hazard_at + overhead)
    assert resolved[1] == pytest.approx(hazard_at + overhead + 40.0)
    # The parking job keeps its first dispatch and arrival, waits while the hazard is worked,
    # then is taken up again: overhead, then its remaining (resume) or whole (restart) work.
    assert parking.dispatched_at == 0.0 and parking.arrived_at == pytest.approx(drive)
    assert parking.squad_wait == pytest.approx(resolved[1] - hazard_at)  # its one spell in the queue
    assert resolved[0] == pytest.approx(resolved[1] + overhead + left)
    assert (Stage.QUEUED, Reason.PREEMPTED) in [(e.stage, e.reason) for e in parking.history or []]
    assert crew.busy_minutes(m.env.now) == pytest.approx(resolved[0])  # busy throughout


def test_a_call_preempts_a_crew_still_on_its_way():
    m = _one_crew("resume")
    drive = _drive(m)
    cases, resolved = _run_calls(m, [("illegal_parking", 0.0), ("safety_hazard", drive / 2)])
    assert m.centre.preemptions == 1
    assert cases[1].arrived_at < cases[0].arrived_at  # the parking call was not reached first
    assert resolved[0] > resolved[1]


def test_without_preemption_the_crew_finishes_its_job_first():
    m = _one_crew("none")
    drive = _drive(m)
    cases, resolved = _run_calls(m, [("illegal_parking", 0.0), ("safety_hazard", 15.0)])
    assert m.centre.preemptions == 0 and resolved[0] == pytest.approx(drive + 40.0)  # the whole job first
    # the hazard waits in the queue from its call until the crew is free, then is sent from the parking job
    assert cases[1].squad_wait == pytest.approx(resolved[0] - 15.0) and cases[1].dispatched_at == pytest.approx(resolved[0])


def test_no_preemption_between_calls_of_one_class():
    m = _one_crew("resume")
    _, resolved = _run_calls(m, [("illegal_parking", 0.0), ("illegal_parking", 15.0)])
    assert m.centre.preemptions == 0 and resolved[0] < resolved[1]


def test_preemption_over_a_day_keeps_every_call_and_littles_law():
    base = {"squads.count": 1, "squads.crews_per_squad": 1, "command_centre.squad_priority": "severity",
            "incidents.events_per_10k_residents_per_year": 15000}
    runs = {}
    for how in ("none", "resume"):
        m = TownModel(make_scenario({**base, "command_centre.squad_preemption": how}), seed=3, days=4)
        m.run()
        m.finish()
        rec = m.log.frame()
        runs[how] = (m, rec[rec.queued_at.notna()])
    m, calls = runs["resume"]
    assert m.centre.preemptions > 0
    assert len(calls) == len(runs["none"][1])  # the same calls reach the squads
    waits = calls.squad_wait.dropna()
    span = m.horizon
    assert m.centre.mean_queue_length() == pytest.approx(len(waits) / span * waits.mean(), rel=0.05)


def test_analytic_says_preemption_breaks_its_assumptions():
    on = squad_system(make_scenario({"command_centre.squad_priority": "severity",
                                     "command_centre.squad_preemption": "resume"}))
    off = squad_system(make_scenario({"command_centre.squad_priority": "severity"}))
    assert any("preempt" in b.code for b in on.broken) and not any("preempt" in b.code for b in off.broken)
