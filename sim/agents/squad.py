"""Zoned enforcement squads and the crews the command centre dispatches.

A squad has a base, a zone of villages and a shift; each of its crews is one dispatchable
unit. A crew travels to the scene, works, and then either chains to the head of the
centre's queue or drives back to base. Crews are the servers of Larson's hypercube model.
With preemption on, the centre may interrupt a crew on a less urgent job (en route or on
scene) and hand it a graver call; the job it leaves goes back to the queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import mesa
import simpy
from simpy.events import NORMAL

from sim.flow import FlowGen, Wait, at, runs_next
from sim.history import Actor
from sim.shifts import DutyCalendar
from sim.vocabulary import ActorRole, Reason, Tier

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
        self.busy: BusyPeriod | None = None  # the busy period under way when it runs as callbacks

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
        job: tuple[Incident, simpy.Event] | None = (inc, done)
        while job is not None:
            job = yield from self._serve(centre, *job, travel)
            travel = None
        self.job = None
        if self.goes_home(centre):
            yield centre.travel_minutes(self.pos, self.squad.base)  # type: ignore[arg-type]  # goes_home: placed
            self.home(centre)
        self.free(centre)

    def goes_home(self, centre: CommandCentre) -> bool:
        """Whether the crew, out of jobs, drives back to base (then it is on its way from now)."""
        if not centre.world.config.squads.return_to_base or self.pos == self.squad.base:
            return False
        assert self.pos is not None, "the model's space places every crew at its base"
        self.homing = (centre.env._now, self.pos)
        return True

    def home(self, centre: CommandCentre) -> None:
        """Put the crew back at its base, the drive over."""
        self.homing = None
        centre.world.space.move_agent(self, self.squad.base)

    def free(self, centre: CommandCentre) -> None:
        """End the busy period: count its minutes (and those past the shift) and take the next case, if any."""
        now = centre.env._now  # SimPy's clock read without the ``now`` property's call (as on the case path)
        self.busy_min += now - self.busy_since
        cal = self.squad.calendar
        if not cal.always:  # shortcut: a shift of every minute has no overtime (the formula gives 0.0)
            self.overtime_min += max(0.0, (now - self.busy_since)
                                     - (cal.duty_time(now) - cal.duty_time(self.busy_since)))
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
        self.finished(inc, done, verdict)
        return centre.next_for(self)

    def finished(self, inc: Incident, done: simpy.Event, verdict: Tier | Reason) -> None:
        """Count a job done and hand the case its verdict."""
        self.count_job(inc)
        done.succeed(verdict)

    def count_job(self, inc: Incident) -> None:
        """Count a job done (its crew's, its squad's, and whether it lay outside the squad's zone)."""
        self.cases += 1
        self.squad.calls += 1
        if inc.village not in self.squad.zone:
            self.squad.outside_zone_calls += 1

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


class BusyPeriod:
    """A crew's busy period as callbacks on SimPy's queue, when nothing can interrupt it and no story is kept.

    The same jobs at the same times as ``Crew.run_job`` with one queue entry per job instead
    of two, and none to start: the crew sets off in the step that sends it (``run_job`` as a
    flow starts in an urgent entry at the same moment). Without preemption a crew that sets
    off is certain to arrive, so its arrival is stamped when it sets off (``arrived_at`` at
    the time it reaches the scene; nobody reads it in between but the overdue alarms, whose
    verdict is the same: alarmed when the arrival is after the due time) and the work's end
    is queued at arrival + work, the same sum the plain run's clock makes. The crew is moved
    to the scene when the work ends (before anyone else reads its position). Stamps of
    arrivals the clock has not reached when the run ends are taken back
    (``CommandCentre.at_horizon``). Only a tie at the very same minute between the end of a
    job and another event could come out in another order (made earlier, it is queued
    earlier). ``tests/test_squad_shortcuts.py`` checks whole runs against ``run_job``.
    """

    __slots__ = ("_ok", "_value", "arrives", "callbacks", "centre", "crew", "done", "inc", "verdict")
    arrives: float | None  # the arrival this crew stamped, until it is reached
    callbacks: list[Callable[[object], None]] | None  # what runs when the queue pops this entry
    inc: Incident
    done: simpy.Event
    verdict: Tier | Reason

    def __init__(self, centre: CommandCentre, crew: Crew, inc: Incident, done: simpy.Event,
                 travel: float | None) -> None:
        self._ok = True  # read by Environment.step for every entry it pops
        self._value = None
        self.centre, self.crew = centre, crew
        crew.busy = self
        self._set_off(inc, done, travel)

    def _set_off(self, inc: Incident, done: simpy.Event, travel: float | None) -> None:
        """Drive to ``inc`` and work it: the arrival stamped, the end of the work queued."""
        centre, crew = self.centre, self.crew
        env = centre.env
        crew.job = inc
        if travel is None:
            travel = centre.travel_to(crew, inc)
        arrive = env._now + travel
        self.arrives = None
        if math.isnan(inc.arrived_at):  # the first responder's arrival, as CommandCentre.arrived stamps it
            inc.arrived_at = self.arrives = arrive
        # no story is kept on this path (CommandCentre._send), so the arrival is not noted (Incident.note would skip it)
        work, self.verdict = centre.squad_work(inc)
        self.inc, self.done = inc, done
        self.callbacks = [self._worked]
        at(env, self, arrive + work)

    def _worked(self, _: object) -> None:
        """End the job: hand the case its verdict, then take the next job, drive home or rest."""
        centre, crew, inc, done, verdict = self.centre, self.crew, self.inc, self.done, self.verdict
        self.arrives = None
        centre.world.space.move_agent(crew, (inc.x, inc.y))
        # Shortcut (sim.flow's runs_next): the verdict's event, queued now, would be the next entry
        # popped when nothing else is due at this minute; then the case waiting for it is resumed at
        # the end of this step instead, after what the crew does next queues its entries, as the
        # plain order has it. What that queues is never due before now nor urgent (a crew's work,
        # its drive home, or another crew set off: normal entries), so nothing would come first.
        if runs_next(centre.env, centre.env._now):
            crew.count_job(inc)
            self._carry_on()
            done._ok, done._value = True, verdict  # Event.succeed without the queue entry
            callbacks, done.callbacks = done.callbacks, None  # type: ignore[assignment]  # what Environment.step does
            for callback in callbacks:
                callback(done)
            return
        crew.finished(inc, done, verdict)
        self._carry_on()

    def _carry_on(self) -> None:
        """Set off to the oldest queued case the crew may serve, else drive home or rest."""
        centre, crew = self.centre, self.crew
        job = centre.next_for(crew)
        if job is not None:
            self._set_off(*job, None)
            return
        crew.job = None
        if crew.goes_home(centre):
            self.callbacks = [self._home]
            centre.env.schedule(self, NORMAL, centre.travel_minutes(crew.pos, crew.squad.base))  # type: ignore[arg-type]  # goes_home: placed
            return
        self._free()

    def _home(self, _: object) -> None:
        self.crew.home(self.centre)
        self._free()

    def _free(self) -> None:
        self.crew.busy = None
        self.crew.free(self.centre)

    def take_back_arrival(self, now: float) -> None:
        """Unstamp the arrival if the clock has not reached it (the run ends before the crew gets there)."""
        if self.arrives is not None and self.arrives >= now:
            self.inc.arrived_at = math.nan
