"""The hall's opening hours over the week, as arithmetic on cumulative opening minutes.

Like :class:`sim.shifts.DutyCalendar`, with closed days: day 0 is a Monday and the
opening that starts on day k is open when ``k % 7 < open_weekdays``. ``open_time`` maps
calendar minutes to cumulative opening minutes and ``at_open_time`` inverts it, so
"so many working days later" and "the next opening" need no events. Both accept arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario import Shift

DAY = 1440.0
WEEK = 7


@dataclass(frozen=True)
class HallCalendar:
    start: float  # minutes after midnight the hall opens
    length: float  # minutes open per open day
    open_weekdays: int  # Monday .. this many days are open

    @classmethod
    def of(cls, shift: Shift, open_weekdays: int) -> "HallCalendar":
        return cls(shift.start_h * 60.0, (shift.end_h - shift.start_h) * 60.0, open_weekdays)

    @property
    def always(self) -> bool:
        return self.open_weekdays == WEEK and self.length >= DAY

    def _g(self, t):
        """Opening minutes from an arbitrary origin to ``t`` (differences are what matter)."""
        k = np.floor((np.asarray(t, dtype=float) - self.start) / DAY)
        r = np.asarray(t, dtype=float) - self.start - k * DAY
        week, dow = np.divmod(k, WEEK)
        done = week * self.open_weekdays + np.minimum(dow, self.open_weekdays)
        return done * self.length + np.where(dow < self.open_weekdays, np.minimum(self.length, r), 0.0)

    def open_time(self, t):
        """Opening minutes in [0, t)."""
        if self.always:
            return t
        return self._g(t) - self._g(0.0)

    def at_open_time(self, d):
        """Earliest calendar time at which ``d`` opening minutes have passed since time 0."""
        if self.always:
            return d
        g = np.asarray(d, dtype=float) + self._g(0.0)
        week, rem = np.divmod(g, self.open_weekdays * self.length)
        day, within = np.divmod(rem, self.length)
        return self.start + (week * WEEK + day) * DAY + within

    def next_open(self, t: float) -> float:
        """``t`` itself when the hall is open, else the next opening."""
        return t if self.always else max(t, float(self.at_open_time(self.open_time(t))))

    def open_days(self, t0: float, t1: float) -> float:
        """Opening time in [t0, t1) counted in whole opening days."""
        return float(self.open_time(t1) - self.open_time(t0)) / self.length
