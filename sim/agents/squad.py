"""Zoned enforcement squads and the crews the command centre dispatches.

A squad has a base, a zone of villages and a shift; each of its crews is one dispatchable
unit. A crew travels to the scene, works, and then either chains to the head of the
centre's queue or drives back to base. Crews are the servers of Larson's hypercube model.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import simpy

from sim.history import Actor
from sim.shifts import DutyCalendar
from sim.vocabulary import ActorRole, Tier

if TYPE_CHECKING:
    from sim.agents.command_centre import CommandCentre
    from sim.records import Incident


class Squad(mesa.Agent):
    """An all-round squad (全能型执法中队), or a siloed domain team before the reform."""

    def __init__(self, model: mesa.Model, squad_id: str, base: tuple[float, float],
                 zone: set[int], calendar: DutyCalendar, domains: frozenset[str] | None = None) -> None:
        super().__init__(model)
        self.squad_id = squad_id
        self.domains = domains
        self.base = base
        self.zone = zone
        self.calendar = calendar
        self.crews: list[Crew] = []
        self.calls = 0
        self.outside_zone_calls = 0

    def serves(self, domain: str) -> bool:
        return self.domains is None or domain in self.domains


class Crew(mesa.Agent):
    """One squad vehicle and its officers: idle at base, or on a job."""

    def __init__(self, model: mesa.Model, squad: Squad, index: int) -> None:
        super().__init__(model)
        self.squad = squad
        self.crew_id = f"{squad.squad_id}-{index + 1}"
        self.actor = Actor(ActorRole.SQUAD_CREW, self.crew_id, squad.squad_id, index + 1)
        self.pos: tuple[float, float] | None = None  # set by the model's space
        self.idle = True
        self.busy_min = 0.0
        self.cases = 0
        self.job: Incident | None = None
        self.busy_since = 0.0
        self.overtime_min = 0.0  # busy past the end of the squad's shift

    def on_duty(self, t: float) -> bool:
        return self.squad.calendar.on_duty(t)

    def busy_minutes(self, now: float) -> float:
        """Busy time up to ``now``, the job under way included."""
        return self.busy_min + (0.0 if self.idle else now - self.busy_since)

    def run_job(self, centre: CommandCentre, inc: Incident,
                done: simpy.Event) -> Generator[simpy.Event, object, None]:
        """Serve ``inc``, then any queued cases, then go home (a SimPy process)."""
        env = centre.env
        job: tuple[Incident, simpy.Event] | None = (inc, done)
        while job is not None:
            inc, done = job
            self.job = inc
            travel = centre.travel_to(self, inc)
            yield env.timeout(travel)
            centre.world.space.move_agent(self, (inc.x, inc.y))
            centre.arrived(inc, self.actor, Tier.TOWN)
            work, solved = centre.squad_work(inc)
            yield env.timeout(work)
            self.cases += 1
            self.squad.calls += 1
            if inc.village not in self.squad.zone:
                self.squad.outside_zone_calls += 1
            done.succeed(solved)
            job = centre.next_for(self)
        self.job = None
        if centre.world.config.squads.return_to_base and self.pos != self.squad.base:
            assert self.pos is not None, "the model's space places every crew at its base"
            yield env.timeout(centre.travel_minutes(self.pos, self.squad.base))
            centre.world.space.move_agent(self, self.squad.base)
        self.busy_min += env.now - self.busy_since
        cal = self.squad.calendar
        self.overtime_min += max(0.0, (env.now - self.busy_since)
                                 - (cal.duty_time(env.now) - cal.duty_time(self.busy_since)))
        self.idle = True
        centre.crew_free(self)
