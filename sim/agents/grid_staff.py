"""Grid staff (一长五员): patrol their grid, find problems, fix small ones, take cases sent back.

Patrol is a cycle over the grid's streets. The streets are split into equal beats, one per
patroller; a patroller passes a given point once per cycle (cycle = beat length ÷ speed,
stretched for part-time roles) and notices a problem there with the category's detection
probability on each pass. The time a problem waits to be found therefore follows from grid
size and staffing, and needs no per-minute stepping: it is computed when the problem occurs.
"""

from __future__ import annotations

import bisect
import math

import mesa

from sim.agents.staff import BookableStaff
from sim.shifts import DutyCalendar


class GridStaffMember(BookableStaff):
    """One of the grid's staff; its duties (patrol, fix, mediate, verify) come from its role."""

    def __init__(self, model: mesa.Model, staff_id: str, role: str, grid: int,
                 duties: frozenset[str], calendar: DutyCalendar, duty_share: float,
                 patrol_share: float) -> None:
        super().__init__(model, staff_id, role, calendar, duty_share)
        self.grid = grid
        self.duties = duties
        self.patrol_share = patrol_share
        self.cycle_min = math.inf  # patrol cycle in on-duty minutes, set by GridTeam
        self.phase_min = 0.0
        self.found = 0


class GridTeam:
    """The staff of one level-2 grid and the arithmetic of their patrol."""

    def __init__(self, grid: int, members: list[GridStaffMember], street_km: float,
                 speed_kmh: float, phase_u: list[float]) -> None:
        self.grid = grid
        self.members = members
        self.patrollers = [m for m in members if "patrol" in m.duties]
        self.fixers = [m for m in members if "fix" in m.duties]
        self.mediators = [m for m in members if "mediate" in m.duties] or self.fixers
        self.verifiers = [m for m in members if "verify" in m.duties]
        # Beats are sized by patrol effort, so every patroller's cycle takes the same time.
        effort = [m.duty_share * m.patrol_share for m in self.patrollers]
        total = sum(effort)
        self._beat_cdf = [sum(effort[: i + 1]) / total for i in range(len(effort))] if total else []
        for m, u in zip(self.patrollers, phase_u):
            m.cycle_min = 60.0 * street_km / speed_kmh / total
            m.phase_min = u * m.cycle_min

    def patrol_finds(self, occurred_at: float, u_beat: float, u_detect: float,
                     p_detect: float) -> tuple[float, GridStaffMember | None]:
        """When (calendar minutes) and by whom a problem at beat position ``u_beat`` is found."""
        if not self.patrollers or p_detect <= 0:
            return math.inf, None
        i = bisect.bisect_right(self._beat_cdf, u_beat)
        i = min(i, len(self.patrollers) - 1)
        lo = self._beat_cdf[i - 1] if i else 0.0
        m = self.patrollers[i]
        pos = (u_beat - lo) / (self._beat_cdf[i] - lo)  # position along that beat, 0..1
        cal = m.calendar
        d0 = cal.duty_time(occurred_at)
        first = m.phase_min + m.cycle_min * (math.ceil((d0 - m.phase_min) / m.cycle_min - pos) + pos)
        if first <= d0:
            first += m.cycle_min
        passes = 1 if p_detect >= 1 else max(1, math.ceil(math.log1p(-u_detect) / math.log1p(-p_detect)))
        return cal.calendar_time(first + (passes - 1) * m.cycle_min), m

    def soonest(self, people: list[GridStaffMember], ready: float) -> GridStaffMember:
        """The member of ``people`` free soonest (a shared FCFS queue over them)."""
        return min(people, key=lambda m: (m.free_at(ready), m.busy_min))
