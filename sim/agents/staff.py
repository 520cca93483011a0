"""Staff whose day can be booked ahead: grid staff and village cadres.

Jobs for one person are served first come, first served, and a person starts the next job
when the last one ends and they are on duty. Booking a job therefore needs no waiting
event: the start is ``max(ready, busy_until)`` moved into the next shift. Giving each job
to the member who is free soonest reproduces a shared FCFS queue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import mesa

from sim.history import Actor
from sim.shifts import DutyCalendar
from sim.vocabulary import Tier


class BookableStaff(mesa.Agent):
    """A person with a shift, a FCFS day plan, and the workload tallies of DESIGN.md §4."""

    def __init__(self, model: mesa.Model, staff_id: str, role: str, calendar: DutyCalendar, actor: Actor,
                 horizon: float, duty_share: float = 1.0, tier: Tier = Tier.GRID) -> None:
        super().__init__(model)
        self.horizon = horizon  # the run's end: busy time is counted up to it
        self.staff_id = staff_id
        self.role = role
        self.actor = actor  # how the case story names this person
        self.tier = tier  # the tier a case this person resolves counts for
        self.calendar = calendar
        self.duty_share = duty_share
        self.busy_until = 0.0
        self.busy_min = 0.0  # within the run's horizon
        self.overtime_min = 0.0  # the part of busy_min outside the shift (work run past its end)
        self.cases = 0
        self.pos: tuple[float, float] | None = None  # set by the model's space

    def busy_minutes_so_far(self, now: float) -> float:
        """Busy time booked before ``now``, for the live view.

        Bookings are first come first served, so what lies past ``now`` is at the end of the plan.
        """
        return max(0.0, self.busy_min - max(0.0, self.busy_until - now))

    def free_at(self, ready: float) -> float:
        """When this person could start a job ready at ``ready``: after their bookings, on their shift."""
        return self.calendar.next_on_duty(max(ready, self.busy_until))

    def book(self, ready: float, travel: float, work: float,
             deadline: float = math.inf) -> tuple[float, float, float] | None:
        """Reserve travel + work from the first free on-duty moment after ``ready``.

        Returns (start, arrival, end), the end cut at ``deadline`` when the tier's time
        runs out; None if the job could not even start before the deadline.
        """
        start = self.free_at(ready)
        if start >= deadline:
            return None
        end = min(start + travel + work, deadline)
        self.busy_until = end
        self._tally(start, end)
        return start, start + travel, end

    def work_now(self, now: float, minutes: float) -> float:
        """Work done there and then (a patroller settling what they just found); returns the end.

        It does not wait behind the person's booked jobs: they were found on patrol, so they
        are free now; jobs booked later start after it.
        """
        end = now + minutes
        self.busy_until = max(self.busy_until, end)
        self._tally(now, end)
        return end

    def _tally(self, start: float, end: float) -> None:
        """Busy and overtime minutes of one job, within the run's horizon."""
        if end > self.horizon:
            end = self.horizon
        if end > start:
            self.busy_min += end - start
            overtime = (end - start) - self.calendar.duty_span(start, end)
            if overtime > 0.0:  # max(0.0, overtime): adding 0.0 changes nothing
                self.overtime_min += overtime
        self.cases += 1

    def on_duty_minutes(self, t0: float, t1: float) -> float:
        """On-duty minutes between ``t0`` and ``t1``, scaled by a part-timer's duty share."""
        return (self.calendar.duty_time(t1) - self.calendar.duty_time(t0)) * self.duty_share


def soonest(people: Sequence[BookableStaff], ready: float) -> BookableStaff:
    """Pick the one of ``people`` free soonest, the least loaded on a tie (a shared FCFS queue).

    The first such in ``people`` on a full tie, as ``min`` keyed on ``(free_at, busy_min)``
    would; written out (``max(ready, busy_until)`` too: the first of equals) because every case
    asks it several times.
    """
    them = iter(people)
    best = next(them)
    best_free = best.calendar.next_on_duty(ready if ready >= (t := best.busy_until) else t)  # best.free_at(ready)
    for m in them:
        free = m.calendar.next_on_duty(ready if ready >= (t := m.busy_until) else t)  # m.free_at(ready)
        if free < best_free or (free == best_free and m.busy_min < best.busy_min):
            best, best_free = m, free
    return best
