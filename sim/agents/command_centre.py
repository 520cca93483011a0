"""The command centre (指挥调度一中心) and the closed loop every case goes through.

信息汇聚 intake → 派分处置 dispatch → 跟踪监督 tracking → 考核问责 evaluation. A case is a SimPy
process: it waits to be noticed, is triaged, handled tier by tier (grid → village → town
→ county) until one resolves it, then verified and closed. The centre keeps the one FCFS
queue for squads, the overdue alarms, and the record of every case.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import mesa
import simpy

from sim.agents.grid_staff import GridStaffMember
from sim.agents.protocols import World
from sim.agents.squad import BusyPeriod
from sim.agents.staff import soonest
from sim.clocks import LimitClock
from sim.config.incidents import Category
from sim.flow import Flow, Wait, interruptible
from sim.history import Actor
from sim.incidents import RESOLVE_COL, WORK_COL, U
from sim.records import Incident
from sim.vocabulary import (
    MINUTES_PER_DAY,
    OVERDUE,
    REPORTED_BY,
    ActorRole,
    AlarmKind,
    Channel,
    Reason,
    Stage,
    Tier,
)

if TYPE_CHECKING:
    from sim.agents.department import Department
    from sim.agents.squad import Crew

# A case's flow (sim/flow.py) yields minutes to wait or an event to wait for: to wait until
# calendar time t it yields ``t - now``, never below zero (rounding). The case path reads the
# clock as ``env._now``, SimPy's own attribute: the ``now`` property is a Python call per read
# (issue 14: about 15 a case).
Process = Generator[Wait, object, None]
# A tier's attempt: the tier that resolved the case, or why it handed the case up.
Outcome = Generator[Wait, object, Tier | Reason]

COMMAND_CENTRE = Actor(ActorRole.COMMAND_CENTRE)
TOWN_COMMITTEE = Actor(ActorRole.TOWN_COMMITTEE)
EMERGENCY = Actor(ActorRole.EMERGENCY)
TOWN_DEPARTMENT = Actor(ActorRole.TOWN_DEPARTMENT)
COUNTY_DEPARTMENT = Actor(ActorRole.COUNTY_DEPARTMENT)
# 难事不出镇: the town committee convenes the departments on a grave case that would go to the
# county because the town failed or ran out of time; a case the county owns (its category
# starts there) or that needs powers the town does not hold (a referral) goes to the county.
CONVENABLE = (Reason.NOT_RESOLVED, Reason.TIME_LIMIT_USED)
# Stories: a case's stages are noted (``Incident.note``) only when a viewer keeps stories; the
# stages are guarded where they are noted, as the call and its arguments cost more than the test
# (issue 14: five a case, and one more for each escalation).
# Codes the case path reads on every case, bound to module names once (issue 14): an enum member
# read off its class costs ≈ 200 machine instructions more than a module name.
RESPONSE, CLOSURE = AlarmKind.RESPONSE, AlarmKind.CLOSURE
GRID, VILLAGE, TOWN, COUNTY = Tier.GRID, Tier.VILLAGE, Tier.TOWN, Tier.COUNTY
STAFF_TIERS = (GRID, VILLAGE)  # the tiers whose people are booked one by one
NEXT_TIER = (VILLAGE, TOWN, COUNTY)  # ``NEXT_TIER[tier]`` is ``Tier(tier + 1)``, the tier above, without the enum's call
TIME_LIMIT_USED, NOT_RESOLVED = Reason.TIME_LIMIT_USED, Reason.NOT_RESOLVED


class CommandCentre(mesa.Agent):
    """Intake, triage, dispatch, tracking (alarms), verification; owns the squad queue."""

    def __init__(self, model: mesa.Model, world: World) -> None:
        super().__init__(model)
        self.world = world  # what the closed loop needs of the model
        sc = world.config
        self.env = world.env
        self.cfg = sc.command_centre
        self.rule = self.cfg.dispatch_rule
        self.escalation = sc.escalation
        self.clock = LimitClock(sc)  # limits in calendar or working time
        self.crews: list[Crew] = []
        self._serving: dict[str, tuple[list[Crew], bool]] = {}  # by domain, built at the first request
        self._quotes: dict[Crew, float] = {}  # the minutes the rule computed for this request's crews
        self.departments: dict[tuple[Tier, str], Department] = {}  # staffed town and county departments
        self.queue: deque[tuple[Incident, simpy.Event]] = deque()
        # Preemption: when each taken-off case went back to the queue, and the on-scene minutes
        # it still needs (resume); squad_wait sums a case's every wait in the queue.
        self._requeued_at: dict[int, float] = {}
        self._work_left: dict[int, float] = {}
        self.preemptions = 0
        self.live: dict[int, Incident] = {}  # occurred and not yet closed
        self.open: dict[int, Incident] = {}  # reported and not yet closed
        self._alarms: list[tuple[float, int, AlarmKind, Incident]] = []
        self.alarms_raised = 0
        self.closed = 0
        # Exact area under the squad-queue length after the warm-up, for Little's law.
        self._measure_from = sc.run.warmup_days * MINUTES_PER_DAY
        self._queue_area = 0.0
        self._queue_since = 0.0
        self._walk_min: dict[int, float] = {}
        self._centre_verifies_off_duty = sc.grid_staff.verify_off_duty == "centre"
        # What the escalation policy (fixed for the run) says of each category, asked once, not per case.
        cats = sc.incidents.categories
        self._start_tier = [self.escalation.start_tier(c) for c in cats]
        self._spot_fixable = [c.spot_fix_prob > 0 and self.escalation.spot_fix_allowed(c) for c in cats]

    def _walk(self, grid: int) -> float:
        """Minutes grid staff walk to a case in their grid (a property of the grid: computed once each)."""
        if (minutes := self._walk_min.get(grid)) is None:
            m = self.world
            minutes = self._walk_min[grid] = m.town.travel.within_box_minutes(
                m.town.grids[grid].box, m.config.grid_staff.patrol_mode)
        return minutes

    # ---- the closed loop -------------------------------------------------------------
    def case(self, inc: Incident, channel: Channel, finder: GridStaffMember | None) -> Process:
        """One case from its first report to closure (a flow on SimPy's clock: it yields minutes to wait).

        The arrivals start it at the moment someone first notices the problem (``first_notice``:
        by ``channel``; ``finder`` is the patroller who found it).
        """
        env, m = self.env, self.world
        cat = m.categories[inc.category]
        fixer, travel = self.spot_fixer(inc, channel, finder) if self._spot_fixable[inc.category] else (None, 0.0)
        fixes_now = fixer is not None and inc.u[U.SPOT_FIX] < cat.spot_fix_prob
        self._intake(inc, cat, channel, on_scene=fixes_now and travel == 0.0)
        tier = self._start_tier[inc.category]
        why: Reason | None = None  # why the case last went up a tier
        if fixer is not None:
            if fixes_now:
                yield from self._spot_fix(inc, cat, fixer, travel)
                yield from self._verify_and_close(inc, cat, fixer.tier)
                return
            if inc.history is not None:  # a story is kept (see "Stories" at the top)
                inc.note(env._now, Stage.SPOT_FIX_FAILED, Reason.CANNOT_SETTLE_ON_SPOT, fixer.actor, fixer.tier)
        yield self._routing_delay(inc, cat, channel)
        while True:
            if tier == COUNTY and why in CONVENABLE and self._convenes(cat):
                yield from self._convene(inc)
                tier = TOWN
                break
            outcome = yield from self._handle_at(inc, cat, tier)
            if isinstance(outcome, Tier):
                tier = outcome
                break
            inc.escalations += 1
            if inc.history is not None:  # a story is kept (see "Stories" at the top)
                limit = self.escalation.tier_budget(cat, tier) if outcome == TIME_LIMIT_USED else None
                inc.note(env._now, Stage.ESCALATED, outcome, tier=tier, limit_min=limit)
            tier, why = NEXT_TIER[tier], outcome
        yield from self._verify_and_close(inc, cat, tier)

    def spot_fixer(self, inc: Incident, channel: Channel,
                   finder: GridStaffMember | None) -> tuple[GridStaffMember | None, float]:
        """Who may try to settle the case on the spot, and how far they must walk first.

        The patroller who found it, or, when a Party centre household noticed it, the grid
        worker it tells; nobody when the category or the thresholds rule a spot fix out.
        """
        m = self.world
        cat = m.categories[inc.category]
        if not self._spot_fixable[inc.category]:
            return None, 0.0
        if channel == Channel.PARTY:
            fixers = m.teams[inc.grid].fixers(cat.domain)
            if not fixers:
                return None, 0.0
            return soonest(fixers, self.env._now), self._walk(inc.grid)
        if finder is not None and "fix" in finder.duties:
            return finder, 0.0
        return None, 0.0

    def _routing_delay(self, inc: Incident, cat: Category, channel: Channel) -> float:
        """Draw the minutes between intake and sending someone.

        With the centre, triage; before the reform the owning department had to hear of it (a
        hand-off when another department got the report first) and dispatch.
        """
        if self.cfg.enabled:
            return self.cfg.triage_min.draw(inc.u[U.TRIAGE])
        dep = self.world.config.departments
        delay = dep.dispatch_min.draw(inc.u[U.TRIAGE])
        if channel != Channel.PATROL and inc.u[U.HANDOFF] < dep.handoff_prob:
            delay += dep.handoff_min.draw(inc.u[U.HANDOFF_DELAY])
            inc.note(self.env._now, Stage.HANDED_OFF, Reason.WRONG_DEPARTMENT, domain=cat.domain)
        return delay

    def _convenes(self, cat: Category) -> bool:
        """难事不出镇 for a grave case the town failed or ran out of time on (see ``CONVENABLE``)."""
        party = self.world.config.party
        return party.convening and not cat.external and cat.severity >= party.convene_min_severity

    def _convene(self, inc: Incident) -> Process:
        """难事不出镇: the town committee convenes the departments instead of passing it to the county."""
        self._dispatched(inc, TOWN_COMMITTEE, TOWN, Reason.CONVENED)
        yield self.world.config.party.convene_min.draw(inc.u[U.CONVENE])
        self.arrived(inc, TOWN_COMMITTEE, TOWN)

    def _intake(self, inc: Incident, cat: Category, channel: Channel, on_scene: bool = False) -> None:
        """Take the report and start the case's clocks (``on_scene``: whoever found it settles it there and then).

        Shortcut: the response alarm of a case whose responder is on scene at intake (a patroller
        fixing what they found: ``arrived_at`` is stamped in this same instant) is not queued when
        that is in time, as ``raise_alarms`` would only drop it (the same test: arrived by the due time).
        """
        now = self.env._now
        inc.reported_at, inc.channel = now, channel
        self.open[inc.id] = inc
        if self.cfg.enabled:  # the response clock and its alarms came with the centre
            respond, close = self.clock.due_pair(cat, now, cat.respond_limit_min, cat.close_limit_min)
            if not (on_scene and now <= respond):
                heapq.heappush(self._alarms, (respond, inc.id, RESPONSE, inc))
            heapq.heappush(self._alarms, (close, inc.id, CLOSURE, inc))
        if inc.history is not None:  # a story is kept (see "Stories" at the top)
            inc.note(now, Stage.REPORTED, REPORTED_BY[channel])

    def _spot_fix(self, inc: Incident, cat: Category, finder: GridStaffMember, travel: float) -> Process:
        """Let the finder settle it there and then (after walking over, if told by a resident)."""
        env, now = self.env, self.env._now
        work = cat.work_min.draw(inc.u[U.WORK_GRID])
        if travel > 0:  # told by a resident: walks over when free
            _, arrive, end = finder.book(now, travel, work)  # type: ignore[misc]
        else:  # found it on patrol: already there
            arrive, end = now, finder.work_now(now, work)
        inc.handler = finder.staff_id
        if arrive > now:
            yield wait if (wait := arrive - env._now) > 0.0 else 0.0
        inc.arrived_at = env._now
        if inc.history is not None:  # a story is kept (see "Stories" at the top)
            inc.note(env._now, Stage.ARRIVED, Reason.FIXES_ON_SPOT, finder.actor, finder.tier)
        yield wait if (wait := end - env._now) > 0.0 else 0.0

    def _handle_at(self, inc: Incident, cat: Category, tier: Tier) -> Outcome:
        """Let one tier try: its attempt, which ends with the tier that resolved the case or why it hands the case up.

        Not a generator itself but the maker of the tier's own (issue 14): ``case`` runs it at once
        with ``yield from``, so the budget is taken at the same clock, and each of the attempt's
        steps is resumed through one generator fewer.
        """
        if tier == TOWN and cat.town_handler == "squad":
            return self._squad(inc)
        budget = self.escalation.tier_budget(cat, tier)
        if tier in STAFF_TIERS:
            return self._staff_tier(inc, cat, tier, budget)
        if cat.limit_clock == "working":  # the same share of the limit, in working time from now
            budget = self.clock.due(cat, self.env._now, budget) - self.env._now
        return self._department(inc, cat, tier, budget)

    def _staff_tier(self, inc: Incident, cat: Category, tier: Tier, budget: float) -> Outcome:
        """Grid staff or village cadres: book the soonest-free person, go, work."""
        env, m = self.env, self.world
        now = env._now
        if tier == GRID:
            team = m.teams[inc.grid]
            people = team.mediators(cat.domain) if cat.needs_mediation else team.fixers(cat.domain)
            if not people:  # nobody in this grid handles the domain: straight up
                return Reason.NOBODY_FOR_DOMAIN
            who = soonest(people, now)
            travel = self._walk(inc.grid)
        else:
            who = soonest(m.cadres[inc.village], now)
            v = m.town.villages[inc.village]
            travel = m.town.travel.minutes(v.box.centroid, (inc.x, inc.y), m.config.tiers.village_travel_mode)
        work = cat.work_min.draw(inc.u[WORK_COL[tier]])
        if cat.limit_clock == "working":
            deadline = self.clock.due(cat, now, budget)
        else:
            deadline = who.calendar.next_on_duty(now) + budget  # the tier's time starts with its shift
        booking = who.book(now, travel, work, deadline)
        if booking is None:
            yield wait if (wait := deadline - env._now) > 0.0 else 0.0
            return TIME_LIMIT_USED
        self._dispatched(inc, who.actor, tier)
        _, arrive, end = booking
        if arrive < end:
            yield wait if (wait := arrive - env._now) > 0.0 else 0.0
            self.arrived(inc, who.actor, tier)
        yield wait if (wait := end - env._now) > 0.0 else 0.0
        resolved_tier = who.tier
        if end >= deadline:
            return TIME_LIMIT_USED
        if inc.u[RESOLVE_COL[tier]] < cat.resolves_at(tier):
            return resolved_tier
        party = m.config.party  # Party members joining the mediation settle some the grid could not
        mediated = tier == GRID and cat.needs_mediation and party.mediation
        return resolved_tier if mediated and inc.u[U.MEDIATION] < party.mediation_resolve_prob else NOT_RESOLVED

    def _department(self, inc: Incident, cat: Category, tier: Tier, budget: float) -> Outcome:
        """Let a town department, the county, or 110/119 act: a response delay, then the work."""
        tiers = self.world.config.tiers
        if cat.external:
            delay, who = cat.external_response_min.draw(inc.u[U.DELAY_COUNTY]), EMERGENCY
        elif tier == TOWN:
            delay, who = tiers.department_delay_min.draw(inc.u[U.DELAY_TOWN]), TOWN_DEPARTMENT
        else:
            delay, who = tiers.county_delay_min.draw(inc.u[U.DELAY_COUNTY]), COUNTY_DEPARTMENT
        dept = None if cat.external else self.departments.get((tier, cat.domain))
        if dept is not None:
            return (yield from self._staffed_department(inc, cat, tier, budget, delay, dept))
        self._dispatched(inc, who, tier)
        if delay >= budget:
            yield budget
            return TIME_LIMIT_USED
        yield delay
        self.arrived(inc, who, tier)
        work = cat.work_min.draw(inc.u[WORK_COL[tier]])
        if delay + work >= budget:
            yield budget - delay
            return TIME_LIMIT_USED
        yield work
        return self._verdict(cat, tier, inc)

    def _staffed_department(self, inc: Incident, cat: Category, tier: Tier, budget: float, lag: float,
                            dept: Department) -> Outcome:
        """After the response lag the case queues for the department's staff, who drive out and work."""
        env, m = self.env, self.world
        ready, deadline = env._now + lag, env._now + budget
        travel = m.town.travel.minutes(dept.base, (inc.x, inc.y), "car")
        work = cat.work_min.draw(inc.u[WORK_COL[tier]])
        who, booking = dept.book(ready, travel, work, deadline)
        self._dispatched(inc, who.actor, tier)
        if booking is None:
            yield wait if (wait := deadline - env._now) > 0.0 else 0.0
            return TIME_LIMIT_USED
        _, arrive, end = booking
        if arrive < end:
            yield wait if (wait := arrive - env._now) > 0.0 else 0.0
            self.arrived(inc, who.actor, tier)
        yield wait if (wait := end - env._now) > 0.0 else 0.0
        if end >= deadline:
            return TIME_LIMIT_USED
        return self._verdict(cat, tier, inc)

    @staticmethod
    def _verdict(cat: Category, tier: Tier, inc: Incident) -> Tier | Reason:
        """Decide the outcome: the town resolves, refers to the county (powers it lacks) or fails; the county resolves."""
        u = inc.u[RESOLVE_COL[TOWN]]
        if tier == COUNTY or cat.town_keeps(u):
            return tier
        return Reason.REFERRED if cat.town_refers(u) else NOT_RESOLVED

    def _squad(self, inc: Incident) -> Outcome:
        verdict = yield self.request_squad(inc)
        assert isinstance(verdict, (Tier, Reason))
        return verdict

    def request_squad(self, inc: Incident) -> simpy.Event:
        """Send an idle crew the rule picks, or queue the case; the event fires with the crew's verdict."""
        done = self.env.event()
        idle = self._idle_for(self.world.categories[inc.category].domain)
        inc.queued_at = self.env._now
        if idle:
            self._quotes.clear()
            crew = self.rule.choose(idle, inc, self._quote)
            self._send(crew, inc, done, self._quotes.get(crew))
        elif (crew := self._crew_to_preempt(inc)) is not None:
            self._preempt(crew, inc, done)
        else:
            self._queue_changes()
            self.queue.append((inc, done))
            if inc.history is not None:  # a story is kept (see "Stories" at the top)
                inc.note(self.env._now, Stage.QUEUED, Reason.NO_CREW_FREE, tier=TOWN, waiting=len(self.queue))
        return done

    def _verify_and_close(self, inc: Incident, cat: Category, tier: Tier) -> Process:
        """Verify the fix (grid supervisor for grid cases, else the centre); rework once if it fails.

        With ``verify_off_duty = "centre"`` the centre also checks grid cases resolved while the
        grid's supervisors are off duty.
        """
        env, m = self.env, self.world
        inc.resolved_at, inc.tier = env._now, tier
        if inc.history is not None:  # a story is kept (see "Stories" at the top)
            inc.note(env._now, Stage.RESOLVED, tier=tier)
        team = m.teams[inc.grid]
        if not self.cfg.enabled:
            self._close(inc, Reason.NOT_VERIFIED, Actor(ActorRole.DEPARTMENT, domain=cat.domain))
            return
        now = env._now
        if tier == GRID and team.verifiers and not (  # the centre checks while the supervisors are off
                self._centre_verifies_off_duty and not team.verifier_on_duty(now)):
            gs = m.config.grid_staff
            who = soonest(team.verifiers, now)
            lag = gs.verify_min.draw(inc.u[U.VERIFY])
            start, _, _ = who.book(now, 0.0, gs.verify_work_min)  # type: ignore[misc]
            yield wait if (wait := start + lag - env._now) > 0.0 else 0.0
            verifier = who.actor
        else:
            yield self.cfg.verify_min.draw(inc.u[U.VERIFY])
            verifier = COMMAND_CENTRE
        if inc.u[U.VERIFY_FAIL] < self.cfg.verify_fail_prob:
            inc.reworks = 1
            inc.note(env._now, Stage.REWORK, Reason.VERIFY_FAILED, verifier, tier)
            yield cat.work_min.draw(inc.u[U.REWORK])
            inc.resolved_at = env._now
            yield self.cfg.verify_min.draw(inc.u[U.REVERIFY])
        self._close(inc, Reason.VERIFIED, verifier)

    def _close(self, inc: Incident, how: Reason, by: Actor) -> None:
        now = self.env._now
        if self._alarms and self._alarms[0][0] <= now:  # raise_alarms' own test, without the call
            self.raise_alarms()  # alarms due before now belong in the record written below
        inc.closed_at = now
        if inc.history is not None:  # a story is kept (see "Stories" at the top)
            inc.note(now, Stage.CLOSED, how, by)
        del self.open[inc.id]
        del self.live[inc.id]
        self.closed += 1
        self.world.log.add(inc)

    def _dispatched(self, inc: Incident, who: Actor, tier: Tier, why: Reason = Reason.NONE) -> None:
        now = self.env._now
        if math.isnan(inc.dispatched_at):
            inc.dispatched_at = now
        inc.handler = who.record_id
        if inc.history is not None:  # a story is kept (see "Stories" at the top)
            inc.note(now, Stage.DISPATCHED, why, who, tier)

    def arrived(self, inc: Incident, who: Actor, tier: Tier) -> None:
        """Stamp the first responder's arrival (later ones do not move the response clock)."""
        now = self.env._now
        if math.isnan(inc.arrived_at):
            inc.arrived_at = now
        if inc.history is not None:  # a story is kept (see "Stories" at the top)
            inc.note(now, Stage.ARRIVED, Reason.NONE, who, tier)

    # ---- squads ------------------------------------------------------------------------
    def _idle_for(self, domain: str) -> list[Crew]:
        """Give the idle on-duty crews that may take a case of ``domain``, in the crews' order (rules break ties by it).

        Shortcut: which crews serve a domain never changes in a run, so it is listed once per
        domain, with whether all their shifts cover every minute (then no shift is checked).
        """
        serving = self._serving.get(domain)
        if serving is None:
            crews = [c for c in self.crews if c.squad.serves(domain)]
            serving = self._serving[domain] = (crews, all(c.squad.calendar.always for c in crews))
        crews, always = serving
        if always:
            return [c for c in crews if c.idle]
        now = self.env._now
        return [c for c in crews if c.idle and c.on_duty(now)]

    def _quote(self, crew: Crew, inc: Incident) -> float:
        """Give the rule ``travel_to`` and keep it, so the crew sent does not compute its trip again."""
        minutes = self._quotes[crew] = self.travel_to(crew, inc)
        return minutes

    def _send(self, crew: Crew, inc: Incident, done: simpy.Event, travel: float | None = None) -> None:
        """Start ``crew``'s busy period on ``inc`` (``travel``: its minutes there, if the rule computed them)."""
        crew.idle = False  # now, not when its process first runs: no second case in the same instant
        crew.busy_since = self.env._now
        self._end_wait(inc)
        self._dispatched(inc, crew.actor, TOWN)
        if self.cfg.squad_preemption != "none":  # may be interrupted: a process
            crew.process = self.env.process(interruptible(self.env, crew.run_job(self, inc, done, travel)))
        elif self.world.keep_stories:  # never interrupted, told as a story: a light flow (sim/flow.py)
            Flow(self.env, crew.run_job(self, inc, done, travel))
        else:  # shortcut: never interrupted, no story: callbacks (see BusyPeriod)
            BusyPeriod(self, crew, inc, done, travel)

    def at_horizon(self) -> None:
        """Take back arrivals stamped ahead (``BusyPeriod``) that the clock has not reached: the run ends first."""
        for crew in self.crews:
            if crew.busy is not None:
                crew.busy.take_back_arrival(self.env._now)

    def _end_wait(self, inc: Incident) -> None:
        """Add the spell just ended in the queue to the case's wait (a crew takes it)."""
        since = self._requeued_at.pop(inc.id, None)
        if since is None:
            inc.squad_wait = self.env._now - inc.queued_at
        else:
            inc.squad_wait += self.env._now - since

    # ---- preemption ----------------------------------------------------------------------
    def _crew_to_preempt(self, inc: Incident) -> Crew | None:
        """Choose a crew to take off a less urgent job when preemption is on and no crew is free.

        An on-duty crew on a job of a less urgent class, the least urgent first, then by the
        dispatch rule; None if there is none.
        """
        if self.cfg.squad_preemption == "none":
            return None
        cats, now = self.world.categories, self.env._now
        cat = cats[inc.category]
        mine = self.priority_class(cat)
        busy = [c for c in self.crews if c.job is not None and c.preempted_by is None and c.process is not None
                and c.on_duty(now) and c.squad.serves(cat.domain)
                and self.priority_class(cats[c.job.category]) > mine]
        if not busy:
            return None
        worst = max(self.priority_class(cats[c.job.category]) for c in busy if c.job is not None)
        return self.rule.choose([c for c in busy if c.job is not None
                                 and self.priority_class(cats[c.job.category]) == worst], inc, self.travel_to)

    def _preempt(self, crew: Crew, inc: Incident, done: simpy.Event) -> None:
        """Take ``crew`` off its job for ``inc``: the crew's process is interrupted and drives on to it."""
        assert crew.process is not None
        crew.preempted_by = inc
        self.preemptions += 1
        self._end_wait(inc)
        self._dispatched(inc, crew.actor, TOWN)
        crew.process.interrupt((inc, done))

    def preempted(self, inc: Incident, done: simpy.Event, work_left: float | None) -> None:
        """Put ``inc`` back in the queue after its crew was taken off it.

        ``work_left`` is the on-scene minutes still to do (None if the crew was not there yet); the
        case goes back in its original order, first come within its class.
        """
        if work_left is not None and self.cfg.squad_preemption == "resume":
            self._work_left[inc.id] = max(0.0, work_left)
        self._queue_changes()
        self._requeued_at[inc.id] = self.env._now
        k = next((k for k, (q, _) in enumerate(self.queue) if q.queued_at > inc.queued_at), len(self.queue))
        self.queue.insert(k, (inc, done))
        inc.note(self.env._now, Stage.QUEUED, Reason.PREEMPTED, tier=TOWN, waiting=len(self.queue))

    def travel_minutes(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Minutes a crew drives from ``a`` to ``b`` by the squads' mode."""
        return self.world.town.travel.minutes(a, b, self.world.config.squads.mode)

    def travel_to(self, crew: Crew, inc: Incident) -> float:
        """Minutes until ``crew`` could reach the case: dispatch overhead plus the drive (what rules compare)."""
        assert crew.pos is not None, "the model's space places every crew at its base"
        return self.world.config.squads.dispatch_overhead_min + self.travel_minutes(crew.pos, (inc.x, inc.y))

    def squad_work(self, inc: Incident) -> tuple[float, Tier | Reason]:
        """Give the crew's minutes on scene (what is left of them when a preempted job resumes) and the outcome."""
        cat = self.world.categories[inc.category]
        work = self._work_left.pop(inc.id, None)
        if work is None:
            work = cat.work_min.draw(inc.u[U.WORK_TOWN])
        return work, self._verdict(cat, TOWN, inc)

    def priority_class(self, cat: Category) -> int:
        """Give the case's class in the squads' queue (lower goes first; FCFS within a class)."""
        if cat.name in self.cfg.squad_priority_classes:
            return self.cfg.squad_priority_classes[cat.name]
        return 5 - cat.severity if self.cfg.squad_priority == "severity" else 0

    def _take_queued(self, crew: Crew) -> tuple[Incident, simpy.Event] | None:
        """Take the first queued case of the most urgent class this crew may serve (the oldest under FCFS)."""
        if not self.queue or not crew.on_duty(self.env._now):
            return None
        # shortcut: with one class (FCFS) a crew that serves every domain takes the head
        one_class = not self.cfg.squad_priority_classes and self.cfg.squad_priority != "severity"
        best = 0 if one_class and crew.squad.domains is None else self._most_urgent_for(crew)
        if best is None:
            return None
        self._queue_changes()
        inc, done = self.queue[best]
        del self.queue[best]
        return inc, done

    def _most_urgent_for(self, crew: Crew) -> int | None:
        """Give the place in the queue of the first case of the most urgent class ``crew`` may serve."""
        cats = self.world.categories
        return min((k for k, (inc, _) in enumerate(self.queue) if crew.squad.serves(cats[inc.category].domain)),
                   key=lambda k: (self.priority_class(cats[self.queue[k][0].category]), k), default=None)

    def next_for(self, crew: Crew) -> tuple[Incident, simpy.Event] | None:
        """Chain a crew that just finished to the oldest queued case it may serve, if on duty."""
        job = self._take_queued(crew)
        if job is None:
            return None
        self._end_wait(job[0])
        self._dispatched(job[0], crew.actor, TOWN)
        return job

    def crew_free(self, crew: Crew) -> None:
        """Give a crew idle at base (or starting its shift) the oldest case it may serve."""
        if crew.idle:
            job = self._take_queued(crew)
            if job is not None:
                self._send(crew, *job)

    def _queue_changes(self) -> None:
        """Add the area since the last change, before the queue length changes."""
        now = self.env._now
        start = max(self._queue_since, self._measure_from)
        if now > start:
            self._queue_area += len(self.queue) * (now - start)
        self._queue_since = now

    def mean_queue_length(self) -> float:
        """Time-average number of cases waiting for a crew since the warm-up."""
        self._queue_changes()
        span = self.env._now - self._measure_from
        return self._queue_area / span if span > 0 else math.nan

    # ---- tracking ----------------------------------------------------------------------
    def raise_alarms(self) -> None:
        """Overdue alarms: nobody on scene by the response limit, not closed by the close limit.

        Judged against the due time, so a case reached a moment after its limit still
        counts whatever the tick; the alarm is stamped at the due time.
        """
        now = self.env._now
        alarms = self._alarms
        while alarms and alarms[0][0] <= now:
            due, _, kind, inc = heapq.heappop(alarms)
            if (inc.arrived_at if kind == RESPONSE else inc.closed_at) <= due:  # done in time (never if NaN: not done)
                continue
            inc.alarms += 1
            self.alarms_raised += 1
            cat = self.world.categories[inc.category]
            limit = cat.respond_limit_min if kind == RESPONSE else cat.close_limit_min
            if inc.history is not None:  # a story is kept (see "Stories" at the top)
                inc.note(due, Stage.ALARM, OVERDUE[kind], limit_min=limit)
