"""Grid staff (一长五员): patrol their grid, find problems, fix small ones, take cases sent back.

Patrol is a cycle over the grid's streets. The streets are split into beats, one per
patroller who can see the problem's domain, sized by each one's patrol effort; a patroller
passes a given point once per cycle (cycle = street km ÷ speed ÷ total effort, counted in
on-duty time) and notices a problem there with the category's detection probability on
each pass. The time a problem waits to be found therefore follows from grid size and
staffing, and needs no per-minute stepping: it is computed when the problem occurs.

When the patrollers take rest days in turn (a staggered rota) the grid is covered as one
beat: whoever is on duty walks it, so the streets are passed at the pace of the summed
effort of those on duty that weekday (``RotaClock``), and a problem is found by one of them
in proportion to effort.

Before the reform each department patrolled for its own domain only: a role with
``domains`` sees (and fixes) only those, so the same streets are walked by several
departmental inspectors who each overlook the others' problems.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.staff import BookableStaff
from sim.history import Actor
from sim.shifts import DutyCalendar
from sim.vocabulary import DAYS_PER_WEEK, MINUTES_PER_DAY, GridRole, Tier


class GridStaffMember(BookableStaff):
    """One of the grid's staff; its duties (patrol, fix, mediate, verify) come from its role."""

    def __init__(self, model: mesa.Model, staff_id: str, role: str, actor: Actor, horizon: float, grid: int,
                 duties: frozenset[str], calendar: DutyCalendar, duty_share: float, patrol_share: float,
                 domains: frozenset[str] | None, phase_u: float) -> None:
        # Departmental inspectors are town department staff: what they settle counts for the town.
        tier = Tier.GRID if domains is None or role in GridRole else Tier.TOWN
        super().__init__(model, staff_id, role, calendar, actor, horizon, duty_share, tier)
        self.grid = grid
        self.duties = duties
        self.patrol_share = patrol_share
        self.domains = domains
        self.phase_u = phase_u  # where on its beat the patroller was at time 0

    def sees(self, domain: str) -> bool:
        """Whether this member handles ``domain`` (inspectors before the reform see only their own)."""
        return self.domains is None or domain in self.domains

    @property
    def effort(self) -> float:
        """Share of the clock spent patrolling: what the beat's cycle time scales with."""
        return self.duty_share * self.patrol_share


@dataclass(frozen=True)
class RotaClock:
    """Patrol effort-minutes of a team whose members share a daily shift but not their days.

    ``weights[d]`` is the summed patrol effort of those on duty on weekday ``d``; effort time
    runs at that rate during the shift, so ``effort_time`` and its inverse are arithmetic like
    a ``DutyCalendar``'s.
    """

    start: float  # shift start, minutes after midnight
    length: float  # shift minutes
    weights: tuple[float, ...]  # per weekday, Monday first

    @classmethod
    def of(cls, patrollers: tuple[GridStaffMember, ...]) -> RotaClock:
        """Build the clock of patrollers who share a shift: each weekday's summed effort on duty."""
        return _rota_clock(tuple((m.calendar, m.effort) for m in patrollers))

    def __post_init__(self) -> None:
        # The weekday sums ``_e`` needs, added in the same order as ``sum`` would each time.
        object.__setattr__(self, "_week", sum(self.weights))
        object.__setattr__(self, "_before", tuple(sum(self.weights[:d]) for d in range(DAYS_PER_WEEK)))

    def _e(self, t: float) -> float:
        k, r = divmod(t - self.start, MINUTES_PER_DAY)
        week, dow = divmod(int(k), DAYS_PER_WEEK)
        return self.length * (week * self._week + self._before[dow]  # type: ignore[attr-defined]
                              + self.weights[dow] * min(r, self.length) / self.length)

    def effort_time(self, t: float) -> float:
        """Effort-minutes patrolled in [0, t)."""
        return self._e(t) - self._e(0.0)

    def calendar_time(self, e: float) -> float:
        """Invert ``effort_time``: the calendar time at which ``e`` effort-minutes have been patrolled."""
        g = e + self._e(0.0)
        per_week = self.length * sum(self.weights)
        week, rem = divmod(g, per_week)
        for d, w in enumerate(self.weights):
            if w > 0 and rem < self.length * w:
                return self.start + (week * DAYS_PER_WEEK + d) * MINUTES_PER_DAY + rem / w
            rem -= self.length * w
        return self.start + (week + 1) * DAYS_PER_WEEK * MINUTES_PER_DAY  # rounding at the week's end


@functools.lru_cache(maxsize=4096)
def _rota_clock(rota: tuple[tuple[DutyCalendar, float], ...]) -> RotaClock:
    """``RotaClock.of`` from each patroller's calendar and effort, all it reads.

    Kept (both are immutable): a town's grids share a few rotas, and every run of a scenario
    the same ones, so each is summed once per process instead of once per grid and domain.
    """
    cal = rota[0][0]
    day = MINUTES_PER_DAY
    weights = tuple(sum(effort for c, effort in rota if c.on_duty(d * day + cal.start)) for d in range(DAYS_PER_WEEK))
    return RotaClock(cal.start, cal.length, weights)


@dataclass(frozen=True)
class Beat:
    """The patrollers able to notice one domain's problems, and their common cycle.

    ``rota`` is set when their working days differ: the grid is then one beat walked by
    whoever is on duty, and ``cycle_min`` is in effort-minutes of the rota clock.
    """

    patrollers: tuple[GridStaffMember, ...]
    cdf: tuple[float, ...]
    cycle_min: float
    rota: RotaClock | None = None


class GridTeam:
    """The staff of one level-2 grid and the arithmetic of their patrol."""

    def __init__(self, grid: int, members: list[GridStaffMember], street_km: float, speed_kmh: float) -> None:
        self.grid = grid
        self.members = members
        self.street_km = street_km
        self.speed_kmh = speed_kmh
        self.verifiers = [m for m in members if "verify" in m.duties]
        self._beats: dict[str, Beat | None] = {}
        self._beat_of: dict[tuple[GridStaffMember, ...], Beat | None] = {}  # by its patrollers
        self._fixers: dict[str, list[GridStaffMember]] = {}  # by domain: duties never change in a run
        self._mediators: dict[str, list[GridStaffMember]] = {}

    def verifier_on_duty(self, t: float) -> bool:
        """Whether one of the grid's verifiers is on duty at ``t`` (``any`` written out: asked per grid case)."""
        for v in self.verifiers:  # noqa: SIM110  (any() over a generator costs a generator per case)
            if v.calendar.on_duty(t):
                return True
        return False

    def beat(self, domain: str) -> Beat | None:
        """Give the beat structure for a domain (built once), None if nobody patrols for it."""
        if domain not in self._beats:
            ps = tuple(m for m in self.members if "patrol" in m.duties and m.sees(domain))
            if ps not in self._beat_of:  # domains patrolled by the same people share their beat
                self._beat_of[ps] = self._build_beat(ps)
            self._beats[domain] = self._beat_of[ps]
        return self._beats[domain]

    def _build_beat(self, ps: tuple[GridStaffMember, ...]) -> Beat | None:
        """Give the beat walked by patrollers ``ps`` (None if nobody, or nobody with effort)."""
        total = sum(m.effort for m in ps)
        if not ps or total <= 0:
            return None
        cdf = tuple(sum(m.effort for m in ps[: i + 1]) / total for i in range(len(ps)))
        cals = {m.calendar for m in ps}
        if len(cals) > 1 and len({(c.start, c.length) for c in cals}) == 1:  # a rota: one beat
            return Beat(ps, cdf, 60.0 * self.street_km / self.speed_kmh, RotaClock.of(ps))
        return Beat(ps, cdf, 60.0 * self.street_km / self.speed_kmh / total)

    def fixers(self, domain: str) -> list[GridStaffMember]:
        """Members who may fix a problem of ``domain`` themselves (one list per domain: do not change it)."""
        if (known := self._fixers.get(domain)) is None:
            known = self._fixers[domain] = [m for m in self.members if "fix" in m.duties and m.sees(domain)]
        return known

    def mediators(self, domain: str) -> list[GridStaffMember]:
        """Members who mediate disputes of ``domain``; the fixers when the grid has no mediator (one list per domain)."""
        if (known := self._mediators.get(domain)) is None:
            known = self._mediators[domain] = ([m for m in self.members if "mediate" in m.duties and m.sees(domain)]
                                               or self.fixers(domain))
        return known

    def patrol_finds(self, occurred_at: float, u_beat: float, u_detect: float, p_detect: float,
                     domain: str) -> tuple[float, GridStaffMember | None]:
        """When (calendar minutes) and by whom a problem at beat position ``u_beat`` is found."""
        beat = self.beat(domain)
        if beat is None or p_detect <= 0:
            return math.inf, None
        passes = 1 if p_detect >= 1 else max(1, math.ceil(math.log1p(-u_detect) / math.log1p(-p_detect)))
        if beat.rota is not None:
            return self._rota_finds(beat, beat.rota, occurred_at, u_beat, passes)
        i = min(bisect.bisect_right(beat.cdf, u_beat), len(beat.patrollers) - 1)
        lo = beat.cdf[i - 1] if i else 0.0
        m = beat.patrollers[i]
        pos = (u_beat - lo) / (beat.cdf[i] - lo)  # position along that patroller's beat, 0..1
        cycle = beat.cycle_min
        phase = m.phase_u * cycle
        d0 = m.calendar.duty_time(occurred_at)
        first = phase + cycle * (math.ceil((d0 - phase) / cycle - pos) + pos)
        if first <= d0:
            first += cycle
        return m.calendar.calendar_time(first + (passes - 1) * cycle), m

    @staticmethod
    def _rota_finds(beat: Beat, rota: RotaClock, occurred_at: float, u_beat: float,
                    passes: int) -> tuple[float, GridStaffMember]:
        """Find a problem on a rota: one beat over the whole grid walked by whoever is on duty.

        ``u_beat`` is the point's place on it; the finder is one of those on duty then, in
        proportion to effort.
        """
        cycle = beat.cycle_min
        phase = beat.patrollers[0].phase_u * cycle
        e0 = rota.effort_time(occurred_at)
        first = phase + cycle * (math.ceil((e0 - phase) / cycle - u_beat) + u_beat)
        if first <= e0:
            first += cycle
        t = rota.calendar_time(first + (passes - 1) * cycle)
        return t, rota_finder(beat, t, u_beat)


def rota_finder(beat: Beat, t: float, u_beat: float) -> GridStaffMember:
    """Who of a rota's patrollers on duty at ``t`` finds the problem at ``u_beat``, in proportion to effort."""
    on = [m for m in beat.patrollers if m.calendar.on_duty(t)] or list(beat.patrollers)
    total = sum(m.effort for m in on)
    acc = 0.0
    for m in on:
        acc += m.effort / total
        if u_beat < acc:
            return m
    return on[-1]


# Columns of a patroller's row for rota_finders: shift origin (DutyCalendar._t0), length, working
# days a week, always on duty, patrol effort, and whether the slot holds a patroller at all.
PATROLLER_ROW = 6


def patroller_rows(beat: Beat, width: int) -> np.ndarray:
    """Give the numbers ``rota_finders`` needs of a beat's patrollers, in slots ``width`` wide (empty ones zero)."""
    rows = np.zeros((width, PATROLLER_ROW))
    for j, m in enumerate(beat.patrollers):
        cal = m.calendar
        rows[j] = (cal._t0, cal.length, cal.days_per_week, cal.always, m.effort, 1.0)  # type: ignore[attr-defined]
    return rows


def rota_finders(rows: np.ndarray, t: np.ndarray, u_beat: np.ndarray) -> np.ndarray:
    """``rota_finder`` for many problems at once: the slot in each beat's ``patroller_rows`` of who finds it.

    On duty as ``DutyCalendar.on_duty`` (NumPy's divmod and remainder are Python's); the
    running shares are sequential sums (``cumsum``) where an off-duty slot adds an exact zero,
    so the shares, and the pick, are ``rota_finder``'s.
    """
    t0, length, days, always, effort, filled = (rows[:, :, c] for c in range(PATROLLER_ROW))
    k, r = np.divmod(t[:, None] - t0, MINUTES_PER_DAY)
    on = (filled > 0) & ((always > 0) | ((r < length) & ((days == DAYS_PER_WEEK) | (k % DAYS_PER_WEEK < days))))
    nobody = ~on.any(axis=1)
    on[nobody] = filled[nobody] > 0  # nobody on duty then: any of them, as rota_finder
    share = np.where(on, effort, 0.0)
    total = np.cumsum(share, axis=1)[:, -1:]
    hit = on & (u_beat[:, None] < np.cumsum(share / total, axis=1))
    last_on = on.shape[1] - 1 - on[:, ::-1].argmax(axis=1)
    return np.where(hit.any(axis=1), hit.argmax(axis=1), last_on)


# Columns of a beat's row for rota_find_times: start, length, the week's effort, effort before
# each weekday (7), each weekday's effort (7), effort_time's origin, the cycle and the phase.
BEAT_ROW = 20


def beat_row(beat: Beat) -> tuple[float, ...]:
    """Give the numbers ``rota_find_times`` needs of one beat; NaNs when its patrollers keep their own shifts."""
    r = beat.rota
    if r is None:
        return (math.nan,) * BEAT_ROW
    cycle = beat.cycle_min
    return (r.start, r.length, r._week, *r._before, *r.weights,  # type: ignore[attr-defined]
            r._e(0.0), cycle, beat.patrollers[0].phase_u * cycle)


def rota_find_times(rows: np.ndarray, occurred_at: np.ndarray, u_beat: np.ndarray,
                    passes: np.ndarray) -> np.ndarray:
    """``_rota_finds``' times for many problems at once, each on the beat of its row of ``beat_row``.

    The same operations in the same order as ``RotaClock.effort_time``, ``_rota_finds`` and
    ``RotaClock.calendar_time`` (NumPy's divmod is Python's), so the same bits.
    """
    start, length, week_sum = rows[:, 0], rows[:, 1], rows[:, 2]
    before, weights = rows[:, 3:10], rows[:, 10:17]
    e_zero, cycle, phase = rows[:, 17], rows[:, 18], rows[:, 19]
    row = np.arange(len(rows))
    k, r = np.divmod(occurred_at - start, MINUTES_PER_DAY)
    week, dow = np.divmod(k, DAYS_PER_WEEK)
    d = dow.astype(np.int64)
    e0 = length * (week * week_sum + before[row, d] + weights[row, d] * np.minimum(r, length) / length) - e_zero
    first = phase + cycle * (np.ceil((e0 - phase) / cycle - u_beat) + u_beat)
    first = np.where(first <= e0, first + cycle, first)
    g = first + (passes - 1) * cycle + e_zero
    week, rem = np.divmod(g, length * week_sum)
    out = start + (week + 1) * DAYS_PER_WEEK * MINUTES_PER_DAY  # rounding at the week's end
    done = np.zeros(len(rows), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for day in range(DAYS_PER_WEEK):
            w = weights[:, day]
            cap = length * w
            hit = ~done & (w > 0) & (rem < cap)
            out = np.where(hit, start + (week * DAYS_PER_WEEK + day) * MINUTES_PER_DAY + rem / w, out)
            done |= hit
            rem = rem - cap
    return out
