"""Daily on-duty windows as arithmetic, so nobody needs an event to clock in or out.

Time is in minutes from the start of day 0. A shift is the interval
``[start + 1440 k, start + length + 1440 k)`` for every day k. ``duty_time`` maps the
calendar to cumulative on-duty minutes; its inverse turns "after so many minutes of
work" back into the calendar (used by patrols and by queues that wait for the next shift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.scenario import Shift

DAY = 1440.0


@dataclass(frozen=True)
class DutyCalendar:
    start: float  # minutes after midnight
    length: float  # minutes on duty per day

    @classmethod
    def of(cls, shift: Shift) -> "DutyCalendar":
        return cls(shift.start_h * 60.0, (shift.end_h - shift.start_h) * 60.0)

    @property
    def always(self) -> bool:
        return self.length >= DAY

    def _g(self, t: float) -> float:
        k, r = divmod(t - self.start, DAY)
        return k * self.length + min(self.length, r)

    def duty_time(self, t: float) -> float:
        """On-duty minutes in [0, t)."""
        if self.always:
            return t
        return self._g(t) - self._g(0.0)

    def calendar_time(self, d: float) -> float:
        """Earliest calendar time at which ``d`` on-duty minutes have been worked."""
        if self.always:
            return d
        g = d + self._g(0.0)
        k = math.floor(g / self.length)
        return self.start + k * DAY + (g - k * self.length)

    def next_on_duty(self, t: float) -> float:
        """``t`` itself when on duty, else the start of the next shift."""
        return t if self.always else max(t, self.calendar_time(self.duty_time(t)))

    def on_duty(self, t: float) -> bool:
        return self.always or (t - self.start) % DAY < self.length
