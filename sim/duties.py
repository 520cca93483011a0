"""Routine duties as busy time: what each role does besides the cases it is sent.

Patrol, household visits, information entry per case, liaison with Party centre households
and mediation rounds, supervision, meetings: the time use of 一长五员 and the village cadres.
The figures are scenario parameters (assumptions where no public figure exists); this turns
them into minutes per person over a run. They are booked as busy time beside case work but
do not delay it: a planner reads them as the load a role carries, and a workload near or
above 1 says the role cannot do both within its hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.vocabulary import DAYS_PER_MONTH, DAYS_PER_WEEK, MINUTES_PER_DAY, MINUTES_PER_HOUR

if TYPE_CHECKING:
    from sim.config.staff import Routine

# The kinds of routine time, in the order the staff table shows them.
ROUTINE_KINDS: tuple[str, ...] = ("patrol", "visits", "entry", "liaison", "supervision", "meetings")


def routine_minutes(routine: Routine, *, span_min: float, on_duty_min: float, patrol_share: float,
                    households: float, cases: int, sharers: int) -> dict[str, float]:
    """One person's routine minutes over ``span_min`` calendar minutes, by kind.

    Patrol is the person's patrol share of their on-duty time (0 if they do not patrol).
    Household visits and information entry are work of the unit (grid or village) shared by
    the ``sharers`` members of the role there; liaison, supervision and meetings are hours a
    week per person.
    """
    months = span_min / (DAYS_PER_MONTH * MINUTES_PER_DAY)
    weeks = span_min / (DAYS_PER_WEEK * MINUTES_PER_DAY)
    share = 1.0 / max(sharers, 1)
    return {
        "patrol": patrol_share * on_duty_min,
        "visits": households * routine.household_visit_min_per_month * months * share,
        "entry": cases * routine.entry_min_per_case * share,
        "liaison": routine.liaison_h_per_week * MINUTES_PER_HOUR * weeks,
        "supervision": routine.supervision_h_per_week * MINUTES_PER_HOUR * weeks,
        "meetings": routine.meetings_h_per_week * MINUTES_PER_HOUR * weeks,
    }
