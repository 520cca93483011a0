"""On-duty and opening hours as arithmetic, so nobody needs an event to clock in or out.

Time is in minutes from the start of day 0, a Monday. A calendar is open from ``start``
for ``length`` minutes on ``days_per_week`` consecutive days of every week, beginning on
weekday ``first_day`` (0 = Monday; 7 days: every day). Staggered ``first_day`` values give a
team rest days in turn, so someone covers every day. ``duty_time`` maps the calendar to cumulative on-duty minutes and ``calendar_time``
inverts it, so "after so many minutes of work", "the next shift" and "three working days
later" are all arithmetic. Both accept a number or a numpy array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from sim.config.base import Shift
from sim.vocabulary import DAYS_PER_WEEK as WEEK
from sim.vocabulary import MINUTES_PER_DAY as DAY
from sim.vocabulary import MINUTES_PER_HOUR

T = TypeVar("T", float, np.ndarray)


@dataclass(frozen=True)
class DutyCalendar:
    """A shift repeated every working day, as arithmetic: on duty, next start and duty time need no event per shift."""

    start: float  # minutes after midnight
    length: float  # minutes on duty per working day
    days_per_week: int = WEEK
    first_day: int = 0  # weekday the working week begins on (0 = Monday)

    def __post_init__(self) -> None:
        # Days are counted from the first working day's shift start; nothing else depends on it.
        object.__setattr__(self, "_t0", self.start + (self.first_day % WEEK) * DAY)
        object.__setattr__(self, "_g0", self._g(0.0))  # the origin, asked for on every conversion
        object.__setattr__(self, "_always", self.length >= DAY and self.days_per_week == WEEK)

    @classmethod
    def of(cls, shift: Shift, days_per_week: int = WEEK, first_day: int = 0) -> DutyCalendar:
        """Build the calendar of a scenario's shift (hours) in minutes, its week beginning on ``first_day``."""
        return cls(shift.start_h * MINUTES_PER_HOUR, (shift.end_h - shift.start_h) * MINUTES_PER_HOUR, days_per_week,
                   first_day if days_per_week < WEEK else 0)

    @property
    def always(self) -> bool:
        """Whether the shift covers every minute of every day (then nothing waits for a shift)."""
        return self._always  # type: ignore[attr-defined]

    def _g(self, t: T) -> T:
        """On-duty minutes from an arbitrary origin to ``t`` (only differences matter)."""
        if isinstance(t, np.ndarray):
            t0 = self._t0  # type: ignore[attr-defined]
            k = np.floor((t - t0) / DAY)
            r = t - t0 - k * DAY
            week, dow = np.divmod(k, WEEK)
            done = week * self.days_per_week + np.minimum(dow, self.days_per_week)
            return done * self.length + np.where(dow < self.days_per_week, np.minimum(self.length, r), 0.0)
        return self._g_scalar(t)

    def _g_scalar(self, t: float) -> float:
        """``_g`` of one time (the case flows' path: no array checks; ``min`` written out, the same values)."""
        k, r = divmod(t - self._t0, DAY)  # type: ignore[attr-defined]
        length = self.length
        if self.days_per_week == WEEK:
            return k * length + (r if r < length else length)
        week, dow = divmod(k, WEEK)
        days = self.days_per_week
        if dow < days:
            return (week * days + dow) * length + (r if r < length else length)
        return (week * days + days) * length + 0.0

    def duty_time(self, t: T) -> T:
        """On-duty minutes in [0, t)."""
        if self._always:  # type: ignore[attr-defined]
            return t
        return self._g(t) - self._g0  # type: ignore[attr-defined]

    def calendar_time(self, d: T) -> T:
        """Earliest calendar time at which ``d`` on-duty minutes have been worked."""
        if self._always:  # type: ignore[attr-defined]
            return d
        if isinstance(d, np.ndarray):
            week, rem = np.divmod(d + self._g0, self.days_per_week * self.length)  # type: ignore[attr-defined]
            day, within = np.divmod(rem, self.length)
            return self._t0 + (week * WEEK + day) * DAY + within  # type: ignore[attr-defined]
        return self.calendar_at(d)

    def duty_at(self, t: float) -> float:
        """``duty_time`` of one time without the array checks (the case flows ask it several times a case)."""
        return t if self._always else self._g_scalar(t) - self._g0  # type: ignore[attr-defined]

    def duty_span(self, t0: float, t1: float) -> float:
        """``duty_at(t1) - duty_at(t0)`` in one call (the same operations): a job's on-duty minutes, asked per booking."""
        if self._always:  # type: ignore[attr-defined]
            return t1 - t0
        g0 = self._g0  # type: ignore[attr-defined]
        return (self._g_scalar(t1) - g0) - (self._g_scalar(t0) - g0)

    def calendar_at(self, d: float) -> float:
        """``calendar_time`` of one duty time without the array checks (the same operations)."""
        if self._always:  # type: ignore[attr-defined]
            return d
        week, rem = divmod(d + self._g0, self.days_per_week * self.length)  # type: ignore[attr-defined]
        day = math.floor(rem / self.length)
        return self._t0 + (week * WEEK + day) * DAY + (rem - day * self.length)  # type: ignore[attr-defined]

    def next_on_duty(self, t: float) -> float:
        """``t`` itself when on duty, else the start of the next shift.

        ``on_duty`` written out (the same remainder), as every booking asks it for each candidate.
        """
        if self._always:  # type: ignore[attr-defined]
            return t
        k, r = divmod(t - self._t0, DAY)  # type: ignore[attr-defined]
        if r < self.length and (self.days_per_week == WEEK or k % WEEK < self.days_per_week):
            return t
        return max(t, self.calendar_at(self._g_scalar(t) - self._g0))  # type: ignore[attr-defined]  # duty_time(t)

    def on_duty(self, t: float) -> bool:
        """Whether minute ``t`` falls inside a shift on a working day."""
        if self._always:  # type: ignore[attr-defined]
            return True
        if self.days_per_week == WEEK:  # every day: only the time of day matters (% is divmod's remainder)
            return (t - self._t0) % DAY < self.length  # type: ignore[attr-defined]
        k, r = divmod(t - self._t0, DAY)  # type: ignore[attr-defined]
        return r < self.length and k % WEEK < self.days_per_week

    def working_days(self, t0: float, t1: float) -> float:
        """On-duty time in [t0, t1) counted in whole working days."""
        return float(self.duty_time(t1) - self.duty_time(t0)) / self.length


def rest_day_rota(n: int, days_per_week: int, staggered: bool = True, team: int = 0) -> list[int]:
    """Give the weekday each of ``n`` people of team number ``team`` begins their working week on.

    Staggered, person k of n starts on day round(7k/n) + team (mod 7), so their rest days fall
    in turn, a team of three or more has someone on duty every day, and the same role rests
    on different days in different teams; otherwise all work Monday to Friday.
    """
    if days_per_week >= WEEK or not staggered:
        return [0] * n
    return [(round(k * WEEK / n) + team) % WEEK for k in range(n)]
