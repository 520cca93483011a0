"""Issue 14's shortcuts in the squads' dispatch give exactly what the plain versions give."""

from __future__ import annotations

import random
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
import simpy
from conftest import ROOT

import sim.agents.command_centre
from sim.agents.command_centre import CommandCentre
from sim.agents.squad import BusyPeriod
from sim.config import (
    Scenario,
    apply_overrides,
    load_scenario,
    read_scenario_data,
    validate_scenario,
)
from sim.flow import Flow
from sim.model import TownModel
from sim.policies.dispatch import DISPATCH_RULES, DispatchRule, MinutesTo
from sim.records import Incident


def plain_choose(rule: DispatchRule, idle: Sequence[Any], inc: Incident, minutes_to: MinutesTo) -> Any:
    """The plain rule: the minimum over ``rank`` of every idle crew (ties to the first listed)."""
    return min(idle, key=lambda c: rule.rank(inc.village in c.squad.zone, minutes_to(c, inc)))


def plain_idle_for(centre: CommandCentre, domain: str) -> list[Any]:
    """The plain filter: every crew checked for being idle, on duty and serving the domain."""
    now = centre.env.now
    return [c for c in centre.crews if c.idle and c.on_duty(now) and c.squad.serves(domain)]


class Trips:
    """Minutes to a case by crew number, remembering which crews were timed."""

    def __init__(self, minutes: list[float]) -> None:
        self.minutes = minutes
        self.timed: list[int] = []

    def __call__(self, crew: Any, inc: Incident) -> float:
        self.timed.append(crew.n)
        return self.minutes[crew.n]


@pytest.mark.parametrize("name", sorted(DISPATCH_RULES))
def test_a_rule_picks_the_crew_the_minimum_over_its_rank_picks(name):
    rule = DISPATCH_RULES[name].model_validate({"rule": name})
    rng = random.Random(14)
    for _ in range(3000):
        crews = [SimpleNamespace(squad=SimpleNamespace(zone={rng.randrange(4)}), n=k) for k in range(rng.randint(1, 6))]
        minutes = [rng.choice([1.0, 2.0, 2.0, rng.uniform(0, 5)]) for _ in crews]  # ties on purpose
        inc = cast(Incident, SimpleNamespace(village=rng.randrange(4)))
        minutes_to = Trips(minutes)
        picked = rule.choose(crews, inc, minutes_to)
        assert len(crews) > 1 or minutes_to.timed == []  # one idle crew: sent without timing its trip here
        if name == "home_zone_first":  # only the home crews are timed when one is idle, none if one is
            home = [c.n for c in crews if inc.village in c.squad.zone]
            assert minutes_to.timed == ([] if len(home) == 1 or len(crews) == 1 else home or [c.n for c in crews])
        assert picked is plain_choose(rule, crews, inc, minutes_to)


@pytest.mark.parametrize("path", ["xuxiake_pre_reform.toml", "xuxiake_1plus4.toml", "textbook/hypercube_5squads.toml"])
def test_crews_listed_per_domain_are_the_idle_on_duty_crews_that_serve_it(path):
    m = TownModel(load_scenario(ROOT / "scenarios" / path), seed=1, days=1)
    rng = random.Random(5)
    domains = sorted({c.domain for c in m.categories})
    for _ in range(500):
        m.centre.env = simpy.Environment(initial_time=rng.uniform(0, 14 * 1440))  # a moment of the fortnight
        for c in m.centre.crews:
            c.idle = rng.random() < 0.5
        for d in domains:
            assert m.centre._idle_for(d) == plain_idle_for(m.centre, d)


def test_fcfs_takes_the_head_of_the_queue_for_a_crew_that_serves_every_domain():
    m = TownModel(load_scenario(ROOT / "scenarios" / "textbook" / "hypercube_5squads.toml"), seed=1, days=1)
    crew = m.centre.crews[0]
    for k in range(5):
        m.centre.queue.append((Incident(k, 0, k % 6, 0, 1.0, 1.0, 0.0, np.full(32, 0.5)), m.env.event()))
    assert crew.squad.domains is None and m.centre._most_urgent_for(crew) == 0
    inc, _ = m.centre._take_queued(crew) or (None, None)
    assert inc is not None and inc.id == 0 and len(m.centre.queue) == 4


def _scenario(path: str, overrides: dict[str, Any] | None = None) -> Scenario:
    return validate_scenario(apply_overrides(read_scenario_data(ROOT / "scenarios" / path), overrides or {}),
                             source=path)


SLOW = {"town.travel.car_kmh": 20.0}  # the hypercube with trips of minutes: runs end while crews drive


@pytest.mark.parametrize(("path", "overrides", "days"), [
    ("textbook/hypercube_5squads.toml", None, 6),
    ("textbook/hypercube_5squads.toml", SLOW, 2.05),
    ("textbook/hypercube_5squads.toml", SLOW, 1.61),
    ("xuxiake_1plus4.toml", None, 4),
    ("xuxiake_pre_reform.toml", {"run.days": 3.45}, 3.45),
])
def test_a_run_with_the_squad_shortcuts_keeps_every_record_of_the_plain_run(monkeypatch, path, overrides, days):
    taken_back: list[float] = []
    take_back = BusyPeriod.take_back_arrival

    def counted(busy: BusyPeriod, now: float) -> None:
        before = busy.inc.arrived_at
        take_back(busy, now)
        if busy.inc.arrived_at is not before:
            taken_back.append(before)

    monkeypatch.setattr(BusyPeriod, "take_back_arrival", counted)

    def run() -> tuple[pd.DataFrame, list]:
        m = TownModel(_scenario(path, overrides), seed=2, days=days)
        m.run()
        m.finish()
        crews = [(c.crew_id, c.busy_min, c.cases, c.overtime_min) for c in m.centre.crews]
        return m.log.frame(), crews

    fast = run()
    for rule in DISPATCH_RULES.values():
        monkeypatch.setattr(rule, "choose", plain_choose)
    monkeypatch.setattr(CommandCentre, "_idle_for", plain_idle_for)
    monkeypatch.setattr(CommandCentre, "_quote", CommandCentre.travel_to)  # no trip kept: each timed again
    monkeypatch.setattr(CommandCentre, "_take_queued", _plain_take_queued)
    monkeypatch.setattr(sim.agents.command_centre, "BusyPeriod", _plain_busy_period)
    plain = run()
    assert len(fast[0]) > 200
    if overrides is SLOW:  # the horizon falls in a trip: the stamped arrival is taken back
        assert taken_back
    pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
    assert fast[1] == plain[1]


def _plain_busy_period(centre: CommandCentre, crew: Any, inc: Incident, done: simpy.Event,
                       travel: float | None) -> None:
    """The plain busy period: ``Crew.run_job`` as a flow, a queue entry per wait."""
    Flow(centre.env, crew.run_job(centre, inc, done, travel))


def _plain_take_queued(centre: CommandCentre, crew: Any) -> Any:
    """The queue searched for every crew, without the FCFS head shortcut."""
    if not centre.queue or not crew.on_duty(centre.env.now):
        return None
    best = centre._most_urgent_for(crew)
    if best is None:
        return None
    centre._queue_changes()
    job = centre.queue[best]
    del centre.queue[best]
    return job
