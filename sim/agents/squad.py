"""Zoned enforcement squads and the crews the command centre dispatches.

A squad has a base, a zone of villages and a shift; each of its crews is one dispatchable
unit. A crew travels to the scene, works, and then either chains to the head of the
centre's queue or drives back to base. Crews are the servers of Larson's hypercube model.
With preemption on, the centre may interrupt a crew on a less urgent job (en route or on
scene) and hand it a graver call; the job it leaves goes back to the queue.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import simpy

from sim.flow import FlowGen, Wait
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
        """Whether this squad may take a case of ``domain`` (all-round squads take every domain)."""
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
        self.process: simpy.Process | None = None  # the busy period under way (interrupted to preempt)
        self.leg: tuple[float, float, tuple[float, float]] | None = None  # (start, minutes, from) while en route
        self.preempted_by: Incident | None = None  # set from the moment a preemption is decided
        self.homing: tuple[float, tuple[float, float]] | None = None  # (start, from) while driving back to base

    def on_duty(self, t: float) -> bool:
        """Whether the crew's squad is on shift at ``t``: off shift, cases wait in the queue."""
        return self.squad.calendar.on_duty(t)

    def busy_minutes(self, now: float) -> float:
        """Busy time up to ``now``, the job under way included."""
        return self.busy_min + (0.0 if self.idle else now - self.busy_since)

    def run_job(self, centre: CommandCentre, inc: Incident, done: simpy.Event, travel: float | None = None) -> FlowGen:
        """Serve ``inc``, then any queued cases, then go home (a flow: it yields minutes to wait).

        ``travel`` is the trip to ``inc`` when the dispatch rule already computed it.
        """
        env = centre.env
        job: tuple[Incident, simpy.Event] | None = (inc, done)
        while job is not None:
            job = yield from self._serve(centre, *job, travel)
            travel = None
        self.job = None
        if centre.world.config.squads.return_to_base and self.pos != self.squad.base:
            assert self.pos is not None, "the model's space places every crew at its base"
            self.homing = (env.now, self.pos)
            yield centre.travel_minutes(self.pos, self.squad.base)
            self.homing = None
            centre.world.space.move_agent(self, self.squad.base)
        self.busy_min += env.now - self.busy_since
        cal = self.squad.calendar
        if not cal.always:  # shortcut: a shift of every minute has no overtime (the formula gives 0.0)
            self.overtime_min += max(0.0, (env.now - self.busy_since)
                                     - (cal.duty_time(env.now) - cal.duty_time(self.busy_since)))
        self.idle = True
        centre.crew_free(self)

    def _serve(self, centre: CommandCentre, inc: Incident, done: simpy.Event,
               travel: float | None = None) -> Generator[Wait, object, tuple[Incident, simpy.Event] | None]:
        """Drive to ``inc`` and work it; the next job: a queued case, or the call that preempted it."""
        env = centre.env
        self.job, self.preempted_by = inc, None
        if travel is None:
            travel = centre.travel_to(self, inc)
        assert self.pos is not None, "the model's space places every crew at its base"
        self.leg = (env.now, travel, self.pos)
        try:
            yield travel
        except simpy.Interrupt as stop:
            self._stop_en_route(centre, inc)
            centre.preempted(inc, done, None)
            return stop.cause
        self.leg = None
        centre.world.space.move_agent(self, (inc.x, inc.y))
        centre.arrived(inc, self.actor, Tier.TOWN)
        work, verdict = centre.squad_work(inc)
        began = env.now
        try:
            yield work
        except simpy.Interrupt as stop:
            centre.preempted(inc, done, work - (env.now - began))
            return stop.cause
        self.cases += 1
        self.squad.calls += 1
        if inc.village not in self.squad.zone:
            self.squad.outside_zone_calls += 1
        done.succeed(verdict)
        return centre.next_for(self)

    def _stop_en_route(self, centre: CommandCentre, inc: Incident) -> None:
        """Stop the crew on its way, where it got to, and send it on from there.

        Its position is a straight-line share of the drive, after the dispatch overhead.
        """
        assert self.leg is not None
        start, minutes, origin = self.leg
        overhead = centre.world.config.squads.dispatch_overhead_min
        driving = minutes - overhead
        f = min(1.0, max(0.0, (centre.env.now - start - overhead) / driving)) if driving > 0 else 0.0
        here = (origin[0] + f * (inc.x - origin[0]), origin[1] + f * (inc.y - origin[1]))
        centre.world.space.move_agent(self, here)
        self.leg = None
