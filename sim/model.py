"""TownModel: wires the town, its agents and the SimPy clock into one Mesa model.

SimPy owns all entity flow in continuous minutes; the Mesa model owns the agents, the
random streams, the space and the data collection. ``step()`` is the one place that
advances SimPy, by a fixed tick, and then raises overdue alarms and collects, so a
dashboard and a batch run drive exactly the same model.
"""

from __future__ import annotations

import gc
import math
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heappush
from pathlib import Path

import mesa
import numpy as np
import simpy
from mesa.space import ContinuousSpace
from simpy.events import NORMAL, URGENT

from sim.agents.command_centre import CommandCentre
from sim.agents.department import build_departments
from sim.agents.grid_staff import GridStaffMember, GridTeam
from sim.agents.squad import Crew, Squad
from sim.agents.staff import BookableStaff
from sim.channels import DayNotices, Notice, party_notice_prob
from sim.config import Scenario
from sim.flow import Flow, FlowGen, run_until
from sim.history import Actor, StoryEntry
from sim.incidents import IncidentStream
from sim.records import Incident, IncidentLog
from sim.service_hall.hall import Hall
from sim.shifts import DutyCalendar, rest_day_rota
from sim.town import TownMap, build_town
from sim.vocabulary import (
    DAYS_PER_WEEK,
    MINUTES_PER_DAY,
    ActorRole,
    StaffRole,
    Stage,
    Tier,
    inspector_role,
)

# Independent random streams, so changing one part of a policy leaves the others' draws alone.
_STREAMS = ("incidents", "staff", "hall")

# Young objects between cyclic collections while a run is driven by ``run()`` (Python's default: 700).
RUN_GC_THRESHOLD = 20_000


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """Let Python's cyclic collector run every ``RUN_GC_THRESHOLD`` young objects instead of 700.

    Issue 14 shortcut (results unchanged: the collector frees nothing the run still reads).
    A run makes almost no reference cycles (a finished flow breaks its own, ``sim.flow``):
    what it keeps grows by ≈ 3 tracked objects per incident, and at the default threshold
    that growth set off ≈ 35 young collections, a few older ones and often a full one over
    every imported module in a 30-day run, 5-15% of its CPU. The previous thresholds are
    put back afterwards, so the dashboard, which steps the model itself, and the rest of the
    process keep Python's.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], RUN_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class TickCollector(mesa.DataCollector):
    """Mesa's DataCollector for the model's numbers per tick, storing each reporter's value as it is.

    Issue 14 shortcut: Mesa's ``collect`` tells each reporter's kind and deep-copies its value
    on every call, ≈ 3 ms of a 30-day run. The model's reporters are lambdas that return numbers,
    which ``deepcopy`` returns unchanged, so appending the value stores what Mesa stores; the
    first call is Mesa's own (it validates the reporters), and a collector given any other kind
    of reporter is left to Mesa. tests/test_shortcuts.py compares a run's series with Mesa's.
    """

    _as_is = False  # whether every reporter is a lambda of the model (known after Mesa's first call)

    def collect(self, model: mesa.Model) -> None:
        """Record the model reporters' values (and Mesa's step times), as Mesa's ``collect`` would."""
        if not self._as_is:
            super().collect(model)
            self._as_is = not self.agent_reporters and not self.agenttype_reporters and all(
                isinstance(r, types.LambdaType) for r in self.model_reporters.values())
            return
        self._collection_steps.append(model.time)
        for var, reporter in self.model_reporters.items():
            self.model_vars[var].append(reporter(model))


class TownModel(mesa.Model):
    """One replication of a scenario. Advance with ``step()`` or ``run()``.

    One clock: SimPy's ``env.now`` (``now``), in minutes from the start of day 0, a Monday.
    Mesa's own time is not used: ``step()`` advances SimPy by ``tick`` minutes, and Mesa's
    ``time``/``steps`` only count those ticks; nothing in gridsim reads them (the
    ``timeseries`` ``day`` column and every record come from ``now``).
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, days: float | None = None,
                 incidents_path: Path | None = None, keep_stories: bool = False, measures_only: bool = False) -> None:
        self.seed_value = scenario.run.seed if seed is None else seed
        super().__init__(rng=self.seed_value)
        self.config = scenario
        self.days = scenario.run.days if days is None else days
        self.horizon = self.days * MINUTES_PER_DAY
        self.tick = scenario.run.tick_minutes
        self.keep_stories = keep_stories
        streams = np.random.SeedSequence(self.seed_value).spawn(len(_STREAMS))
        self.streams = {n: np.random.default_rng(s) for n, s in zip(_STREAMS, streams, strict=True)}

        self.env = simpy.Environment()
        self.town: TownMap = build_town(scenario)
        self.categories = scenario.incidents.categories
        self.party_notice = [party_notice_prob(scenario, c.name) for c in self.categories]
        self.log = IncidentLog(
            scenario.category_names,
            [v.name for v in self.town.villages],
            [g.id for g in self.town.grids],
            path=incidents_path,
            measured_only=measures_only,  # records read only by the end-of-run measures: their fields alone
        )
        self.teams = self._build_grid_teams()
        self.cadres = self._build_village_cadres()
        self.centre = CommandCentre(self, self)
        self.squads = self._build_squads()
        self.departments = self.centre.departments = build_departments(self)
        self.centre.crews = [c for s in self.squads for c in s.crews]
        # On a road network: shortest paths from and to the places trips start from, once.
        self.town.travel.precompute([s.base for s in self.squads], scenario.squads.mode)
        self.town.travel.precompute([v.box.centroid for v in self.town.villages], scenario.tiers.village_travel_mode)
        self.space = self._place_field_agents()
        self.hall = Hall(self) if scenario.service_hall else None
        self.stream = IncidentStream(scenario, self.town, self.streams["incidents"])
        self.notices = DayNotices(self)  # each day's first notices at once (issue 14 shortcut)
        self._next_id = 0
        Arrivals(self)
        for squad in self.squads:
            if not squad.calendar.always:
                Flow(self.env, self._shift_starts(squad))
        self.datacollector = TickCollector(
            model_reporters={
                "day": lambda m: m.env.now / MINUTES_PER_DAY,
                "backlog": lambda m: len(m.centre.open),
                "closed": lambda m: m.centre.closed,
                "queued_for_squad": lambda m: len(m.centre.queue),
                "crews_busy": lambda m: sum(not c.idle for c in m.centre.crews),
                "alarms": lambda m: m.centre.alarms_raised,
            }
        )
        self.datacollector.collect(self)

    # ---- building the town's actors ----------------------------------------------------
    def _build_grid_teams(self) -> list[GridTeam]:
        gs = self.config.grid_staff
        roles = gs.all_roles()
        size = sum(r.count for r in roles.values())
        rotas = [[DutyCalendar.of(gs.shift, gs.days_per_week, first)
                  for first in rest_day_rota(size, gs.days_per_week, gs.rest_days == "staggered", team)]
                 for team in range(DAYS_PER_WEEK)]
        speed = self.town.travel.speed_kmh(gs.patrol_mode)
        inspected = {inspector_role(d): d for d in gs.inspectors}  # role name -> its department
        # What a role gives each of its members, worked out once per role rather than per person
        # (the same frozensets and codes: nothing changes them during a run).
        kinds = [(role, spec, frozenset(spec.duties), frozenset(spec.domains) if spec.domains is not None else None,
                  inspected.get(role), ActorRole.INSPECTOR if role in inspected else ActorRole(role))
                 for role, spec in roles.items() if spec.count]
        # Issue 14 shortcut: every member's patrol phase drawn at once, in member order (grid by
        # grid, role by role): a Generator's ``random(n)`` gives the n values that n calls of
        # ``random()`` give and leaves the stream where they leave it (tests/test_shortcuts.py).
        phases = iter(self.streams["staff"].random(len(self.town.grids) * size).tolist())
        teams = []
        for g in self.town.grids:
            rota = rotas[g.index % DAYS_PER_WEEK]
            members: list[GridStaffMember] = []
            for role, spec, duties, domains, department, actor_role in kinds:
                for k in range(spec.count):
                    sid = f"{g.id}/{role}-{k + 1}"
                    actor = (Actor(actor_role, sid, g.id, k + 1, department) if department is not None
                             else Actor(actor_role, sid, g.id, k + 1))
                    members.append(GridStaffMember(self, sid, role, actor, self.horizon, g.index, duties,
                                                   rota[len(members)], spec.duty_share, spec.patrol_share, domains,
                                                   next(phases)))
            teams.append(GridTeam(g.index, members, g.street_km, speed))
        return teams

    def _build_village_cadres(self) -> list[list[BookableStaff]]:
        t = self.config.tiers
        rotas = [[DutyCalendar.of(t.village_shift, t.village_days_per_week, first)
                  for first in rest_day_rota(t.village_cadres, t.village_days_per_week, team=team)]
                 for team in range(DAYS_PER_WEEK)]
        return [
            [BookableStaff(self, f"{v.name}/cadre-{k + 1}", StaffRole.VILLAGE_CADRE, rotas[v.index % DAYS_PER_WEEK][k],
                           Actor(ActorRole.VILLAGE_CADRE, f"{v.name}/cadre-{k + 1}", v.name, k + 1),
                           self.horizon, tier=Tier.VILLAGE)
             for k in range(t.village_cadres)]
            for v in self.town.villages
        ]

    def _build_squads(self) -> list[Squad]:
        cfg = self.config.squads
        cal = DutyCalendar.of(cfg.shift)
        units = cfg.units or []
        n = cfg.n
        given: list[tuple[float, float] | None] = [u.base for u in units] if units else [None] * n
        auto = _spread_bases(self.town, n)
        bases = [b if b is not None else auto[i] for i, b in enumerate(given)]
        # Zones: villages nearest each base unless the scenario lists them.
        nearest = [
            min(range(n), key=lambda i: np.hypot(v.box.centroid[0] - bases[i][0], v.box.centroid[1] - bases[i][1]))
            for v in self.town.villages
        ] if n else []
        squads = []
        for i in range(n):
            unit = units[i] if units else None
            sid = unit.id if unit else f"S{i + 1}"
            if unit and unit.zone:
                zone = {self.town.village_of_name(name).index for name in unit.zone}
            else:
                zone = {v for v, b in enumerate(nearest) if b == i}
            domains = unit.domains if unit else cfg.domains
            squad = Squad(self, sid, bases[i], zone, cal, frozenset(domains) if domains is not None else None)
            crews = cfg.crews_of(unit)
            squad.crews = [Crew(self, squad, k) for k in range(crews)]
            squads.append(squad)
        return squads

    def _place_field_agents(self) -> ContinuousSpace:
        """Grid staff at their grid, crews at their base, in a space that holds every base."""
        xs = [self.town.size_km[0], *(s.base[0] for s in self.squads)]
        ys = [self.town.size_km[1], *(s.base[1] for s in self.squads)]
        space = ContinuousSpace(max(xs) + 1e-6, max(ys) + 1e-6, torus=False,
                                x_min=min(0.0, *xs), y_min=min(0.0, *ys))
        for team in self.teams:
            centroid = self.town.grids[team.grid].box.centroid
            for m in team.members:
                space.place_agent(m, centroid)
        for crew in self.centre.crews:
            space.place_agent(crew, crew.squad.base)
        return space

    # ---- processes -----------------------------------------------------------------------
    def _shift_starts(self, squad: Squad) -> FlowGen:
        """At each shift start, idle crews pick up what queued while they were off."""
        cal = squad.calendar
        while True:
            start = cal.next_on_duty(self.env.now + 1e-9)
            yield max(0.0, start - self.env.now)
            for crew in squad.crews:
                self.centre.crew_free(crew)
            yield cal.length

    # ---- stepping --------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """The simulation clock, in minutes."""
        return self.env.now

    def _wrapped_step(self) -> None:
        """Move Mesa's time and step count on by one, then run ``step``, the model's tick (what ``model.step()`` calls).

        Issue 14 shortcut: Mesa 3.5 moves them through its event list: each tick it pops its step
        event, calls it through a weak reference, formats a log line and schedules the next one
        (≈ 6 µs a tick: ≈ 1 µs a call in the hypercube, 0.5 µs an incident in Xu Xiake). The model
        puts nothing else on Mesa's event list (nor uses Mesa's ``run_for``/``run_until``), so that
        event is always the one run: this does what running it does, in the same order (the time
        set to the event's, the step counted, then the model's step), without it; Mesa's own event
        stays unrun. tests/test_shortcuts.py steps a model both ways.
        """
        self.time += 1.0  # the step event's time: the time it was scheduled at plus its interval, 1.0
        self.steps += 1
        self._user_step()

    def step(self) -> None:
        """Advance the clock by one tick, raise due alarms, collect."""
        until = min(self.env.now + self.tick, self.horizon)
        if until > self.env.now:
            run_until(self.env, until)  # env.run(until=until), its loop written out (sim.flow)
        self.centre.raise_alarms()
        self.datacollector.collect(self)
        if self.env.now >= self.horizon:
            self.running = False

    def run(self, progress=None) -> None:
        """Run to the horizon; ``progress(minutes_done)`` is called after every tick."""
        with collecting_rarely():
            while self.running:
                self.step()
                if progress is not None:
                    progress(self.env.now)

    def finish(self) -> None:
        """Record the cases still open at the horizon and close the incident file."""
        self.centre.at_horizon()
        self.centre.raise_alarms()
        for inc in sorted(self.centre.live.values(), key=lambda i: i.id):
            self.log.add(inc)
        self.centre.live.clear()
        self.log.close()



# One incident of a day's batch: time, category, village, grid, x, y, uniforms, first notice.
ArrivalRow = tuple[float, int, int, int, float, float, memoryview, Notice]


class Arrivals:
    """Release each day's incidents at their times; each becomes a case flow when first noticed.

    Issue 14 shortcut: callbacks on SimPy's queue (as ``sim.agents.squad.BusyPeriod``), not a
    flow, so that a case's flow starts at the moment of its first notice. The plain way, a
    generator that starts each case's flow at once (a flow's urgent start entry) which then
    queues its wait for the notice, costs a queue entry per case that runs only to queue that
    wait. Here the wait is queued directly, after the arrival queued its own next step: the
    order the plain start entry queued them in, for nothing runs between an arrival and its
    case's start entry (urgent and now: no other urgent entry is pending when an arrival, a
    normal entry, runs). So every tie between equal times is broken as before, and the clock
    reads the same sums (``now + max(0, t - now)``). ``tests/test_shortcuts.py`` checks whole
    runs against the plain generator.
    """

    __slots__ = ("_day", "_next", "_ok", "_rows", "_value", "callbacks", "model")

    def __init__(self, model: TownModel) -> None:
        self._ok = True  # read by Environment.step for every entry it pops
        self._value = None
        self.model = model
        self._day = 0
        self._rows: Iterator[ArrivalRow] = iter(())
        self._next: ArrivalRow | None = None  # the incident whose arrival is queued
        self.callbacks: list[Callable[[object], None]] | None = [self._arrive]
        env = model.env
        heappush(env._queue, (env._now, URGENT, next(env._eid), self))  # type: ignore[misc]  # started as a flow starts

    def _arrive(self, _: object) -> None:
        """Let the queued incident occur (none at the first step): queue the next arrival, then its case."""
        m = self.model
        env = m.env
        row, self._next = self._next, self._following()
        self.callbacks = [self._arrive]
        if self._next is not None:
            wait = self._next[0] - env._now
            heappush(env._queue, (env._now + (wait if wait > 0.0 else 0.0), NORMAL, next(env._eid), self))  # type: ignore[misc]
        if row is None:
            return
        t, c, v, g, x, y, u, (noticed, channel, finder) = row
        # A case never noticed stays in ``live`` all run: its uniforms copied, so that it does not
        # keep its day's array alive (uniform_rows; read as the same floats either way).
        inc = Incident(m._next_id, c, v, g, x, y, t, u if not math.isinf(noticed) else u.tolist())
        if m.keep_stories:
            inc.history = [StoryEntry(t, Stage.OCCURRED, values={"category": c})]
        m._next_id += 1
        m.centre.live[inc.id] = inc
        if not math.isinf(noticed):  # never noticed: stays in `live` and is recorded at the end as unreported
            wait = noticed - env._now
            # the last thing this entry's only callback does: a first step that runs next runs now (sim.flow)
            Flow(env, m.centre.case(inc, channel, finder), after=wait if wait > 0.0 else 0.0, last=True)

    def _following(self) -> ArrivalRow | None:
        """Give the next incident in time, drawing the next day's when this one's are done; None past the horizon."""
        m = self.model
        while True:
            row = next(self._rows, None)
            if row is not None:
                return row if row[0] < m.horizon else None
            if self._day >= math.ceil(m.days):
                return None
            batch = m.stream.day(self._day)
            self._day += 1
            grids = m.town.locate_many(batch.village, batch.x, batch.y)
            m.town.travel.places(batch.x, batch.y)
            notices = m.notices.day(batch.occurred_at, batch.category, grids, batch.uniforms)
            self._rows = zip(batch.occurred_at.tolist(), batch.category.tolist(), batch.village.tolist(),
                             grids.tolist(), batch.x.tolist(), batch.y.tolist(), uniform_rows(batch.uniforms), notices,
                             strict=True)


def uniform_rows(uniforms: np.ndarray) -> list[memoryview]:
    """Each incident's row of uniforms as a view of the day's array, read as Python floats.

    Issue 14 shortcut: ``uniforms.tolist()`` made a list of 27 floats per incident, ≈ 1.2 ms a
    day (≈ 7% of a 30-day run), though a case reads a few of them. A row of a memoryview gives
    each one, when read, as the float the list held (``float(uniforms[i, k])``), and costs one
    view per incident; the views keep the day's array alive while a case of that day is open
    (a case never noticed gets a copy: it is open all run).
    ``tests/test_shortcuts.py`` compares whole runs with the rows as lists.
    """
    n, k = uniforms.shape
    flat = memoryview(np.ascontiguousarray(uniforms).reshape(-1))
    return [flat[i:i + k] for i in range(0, n * k, k)]



def _spread_bases(town: TownMap, n: int) -> list[tuple[float, float]]:
    """Squad bases spread over the town: k-means on village centroids weighted by households."""
    if n == 0:
        return []
    pts = np.array([v.box.centroid for v in town.villages])
    w = np.array([max(v.households, 1e-9) for v in town.villages])
    order = np.argsort(-w, kind="stable")
    centres = pts[order[np.linspace(0, len(pts) - 1, n).round().astype(int)]].astype(float)
    if n >= len(pts):
        centres = np.vstack([pts, np.repeat(pts[:1], n - len(pts), axis=0)])[:n]
        return [tuple(c) for c in centres]
    for _ in range(50):
        lab = np.argmin(((pts[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        new = np.array([
            np.average(pts[lab == k], axis=0, weights=w[lab == k]) if (lab == k).any() else centres[k]
            for k in range(n)
        ])
        if np.allclose(new, centres):
            break
        centres = new
    return [(float(x), float(y)) for x, y in centres]
