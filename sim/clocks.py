"""Due times on the clock a category's limits run on: calendar minutes or the town's working time.

Local rules give some limits in working hours or days ("exposed garbage within 4 working
hours", "a penalty within 7 working days", DESIGN.md §2). Those run only while the town
works (government office hours, five days a week), so a problem reported on Friday evening
is not late on Saturday. The overdue alarms, each tier's share of the close limit and the
on-time measures all take their due times from here, so they agree.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.shifts import DutyCalendar

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.config.incidents import Category


class LimitClock:
    """Deadlines: ``start`` plus so many minutes of the category's clock."""

    def __init__(self, scenario: Scenario) -> None:
        cc = scenario.command_centre
        self.working = DutyCalendar.of(cc.working_hours, cc.working_days_per_week)

    def due(self, cat: Category, start: float, minutes: float) -> float:
        """When ``minutes`` of the category's clock have run from ``start``."""
        if cat.limit_clock == "working" and math.isfinite(minutes):
            return self.working.calendar_at(self.working.duty_at(start) + minutes)
        return start + minutes

    def due_pair(self, cat: Category, start: float, first: float, second: float) -> tuple[float, float]:
        """``due`` of two limits from the same start (a case's response and closure): ``start`` converted once."""
        if cat.limit_clock != "working":
            return start + first, start + second
        working = self.working
        d = working.duty_at(start)
        return (working.calendar_at(d + first) if math.isfinite(first) else start + first,
                working.calendar_at(d + second) if math.isfinite(second) else start + second)

    def due_many(self, working: np.ndarray, start: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """``due`` for arrays; ``working`` marks the cases whose category runs on working time."""
        out = start + minutes
        on = working & np.isfinite(start)
        if on.any():
            s = np.where(on, start, 0.0)
            out = np.where(on, self.working.calendar_time(self.working.duty_time(s) + minutes), out)
        return out
