"""The command centre, the departments before the reform, and the tiers above the grid.

The dispatch rule and the escalation policy are sections owned by ``sim.policies``.
"""

from typing import Annotated, Literal

from pydantic import Field

from sim import limits
from sim.config.base import Shift, Strict, table
from sim.config.geo import Mode
from sim.config.staff import Routine
from sim.distributions import Distribution, Exponential, Fixed, LogNormal
from sim.policies.dispatch import DispatchRuleConfig, NearestIdle


class CommandCentre(Strict):
    """The command centre (指挥调度一中心): dispatch rule, triage, verification and the squads' queue order."""

    dispatch_rule: DispatchRuleConfig = Field(default_factory=table(NearestIdle, rule="nearest_idle"))
    # Complaint-type categories under the 15-minute response rule; empty: every category
    # whose respond_limit_min is at most 15.
    fifteen_minute_rule: list[str] = Field(default_factory=list)
    triage_min: Distribution = Field(default_factory=table(Fixed, dist="fixed", value=2))
    verify_min: Distribution = Field(default_factory=table(Exponential, dist="exponential", mean=30))
    verify_fail_prob: float = Field(default=0.03, ge=0, le=1)
    # The squads' queue: "fcfs", or "severity" (graver first, then first come); categories
    # listed in squad_priority_classes take that class instead (0 first, e.g. safety before
    # parking).
    squad_priority: Literal["fcfs", "severity"] = "fcfs"
    squad_priority_classes: dict[str, Annotated[int, Field(ge=0, le=limits.MAX_PRIORITY_CLASS)]] = Field(
        default_factory=dict)
    # Preemption: "none" (a crew finishes the job it is on); "resume" (a call of a more urgent
    # class with no crew free takes a crew off a less urgent job, which goes back to the
    # queue and is later finished with only its remaining on-scene minutes); "restart" (the
    # same, but the work starts over). Acts only between different classes.
    squad_preemption: Literal["none", "resume", "restart"] = "none"
    # The town's working time, on which limits given in working hours or days run (a
    # category's limit_clock = "working"): government office hours, five days a week.
    working_hours: Shift = Field(default_factory=table(Shift, start_h=8.5, end_h=17.5))
    working_days_per_week: int = Field(default=5, ge=1, le=7)
    # False models the town before the reform: no shared centre, each department dispatches
    # its own cases (see [departments]), no response clock, no overdue alarms, no verification.
    enabled: bool = True


class Departments(Strict):
    """How departments worked without a shared command centre (before the reform)."""

    dispatch_min: Distribution = Field(
        default_factory=table(LogNormal, dist="lognormal", mean=90, cv=1.0)
    )
    handoff_prob: float = Field(default=0.2, ge=0, le=1)  # first heard by the wrong department
    handoff_min: Distribution = Field(
        default_factory=table(LogNormal, dist="lognormal", mean=1440, cv=1.0)
    )


class DepartmentStaffing(Strict):
    """Staff of each town (or county) department, by domain, on a shift; cases queue FCFS.

    ``staff = 0`` (the default) leaves the tier a pure response delay with unlimited capacity.
    """

    staff: int = Field(default=0, ge=0, le=limits.MAX_DEPARTMENT_STAFF)  # per department (domain)
    by_domain: dict[str, Annotated[int, Field(ge=0, le=limits.MAX_DEPARTMENT_STAFF)]] = Field(
        default_factory=dict)  # departments staffed otherwise
    shift: Shift = Field(default_factory=table(Shift, start_h=8.5, end_h=17.5))
    days_per_week: int = Field(default=5, ge=1, le=7)

    def staff_of(self, domain: str) -> int:
        """Staff of the department for ``domain``: its own count if listed, else the common one."""
        return self.by_domain.get(domain, self.staff)


class Tiers(Strict):
    """The tiers above the grid: village cadres, and the response delays of town and county departments."""

    village_cadres: int = Field(default=3, ge=1, le=limits.MAX_VILLAGE_CADRES)
    village_routine: Routine = Field(default_factory=table(Routine))  # each cadre's routine duties
    village_shift: Shift = Field(default_factory=table(Shift))
    village_days_per_week: int = Field(default=7, ge=1, le=7)  # each cadre's; rest days staggered in a village
    village_travel_mode: Mode = "ebike"
    department_delay_min: Distribution = Field(
        default_factory=table(LogNormal, dist="lognormal", mean=240, cv=0.8)
    )
    county_delay_min: Distribution = Field(
        default_factory=table(LogNormal, dist="lognormal", mean=2880, cv=0.8)
    )
    town_departments: DepartmentStaffing = Field(default_factory=table(DepartmentStaffing))
    county_departments: DepartmentStaffing = Field(default_factory=table(DepartmentStaffing))
