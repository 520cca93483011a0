"""The ``[grid_staff]`` section: 一长五员 per grid, departmental inspectors, patrol and verification."""

from functools import partial
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from sim import limits
from sim.config.base import Shift, StreetDensity, Strict, table
from sim.distributions import Distribution, Exponential
from sim.vocabulary import Duty, GridRole, LandUse, inspector_role


class Routine(Strict):
    """Routine duties of one person, booked as busy time beside case work (see sim/duties.py).

    No public figure gives these; a preset marks each value as an assumption.
    """

    # per household of the unit, shared by the role
    household_visit_min_per_month: float = Field(default=0, ge=0, le=limits.MAX_VISIT_MIN_PER_HOUSEHOLD_MONTH)
    # information entry per case reported in the unit, shared
    entry_min_per_case: float = Field(default=0, ge=0, le=limits.MAX_ENTRY_MIN_PER_CASE)
    liaison_h_per_week: float = Field(default=0, ge=0, le=limits.MAX_HOURS_PER_WEEK)  # Party centre households, mediation
    supervision_h_per_week: float = Field(default=0, ge=0, le=limits.MAX_HOURS_PER_WEEK)  # beyond case verification
    meetings_h_per_week: float = Field(default=0, ge=0, le=limits.MAX_HOURS_PER_WEEK)


class StaffCost(Strict):
    """Yearly cost of one full-time person per role, so the summary can price a staffing plan.

    Roles are the grid roles, ``village_cadre``, ``squad_officer`` and ``hall_window``; a role
    without a salary has no cost in the summary.
    """

    salary_per_year: dict[str, Annotated[float, Field(ge=0, le=limits.MAX_SALARY_PER_YEAR)]] = Field(
        default_factory=dict)


class Role(Strict):
    """One grid role of 一长五员: how many per grid, their hours, patrol time, duties, domains and routine."""

    count: int = Field(default=1, ge=0, le=limits.MAX_STAFF_PER_GRID)
    duty_share: float = Field(default=1.0, gt=0, le=1)  # part-time roles work fewer hours
    patrol_share: float = Field(default=0.5, gt=0, le=1)  # of duty time, spent patrolling
    duties: list[Duty] = Field(default_factory=list)
    # A departmental inspector sees and fixes only these domains' problems; None: all
    # (the comprehensive grid of the reform).
    domains: list[str] | None = None
    routine: Routine = Field(default_factory=table(Routine))


class GridStaff(Strict):
    """一长五员: staffing per level-2 grid, and how they patrol."""

    roles: dict[GridRole, Role]
    # Departmental inspectors (before the reform), keyed by department; a town-wide team
    # spread over the grids appears here as a part-time presence (duty_share < 1) per grid.
    inspectors: dict[str, Role] = Field(default_factory=dict)
    shift: Shift = Field(default_factory=table(Shift))
    # Working days a week per person (7: every day). With fewer, "staggered" rest days rotate
    # through each grid's members in the order the roles are listed (sim.shifts.rest_day_rota),
    # so a grid of three or more has someone on duty every day; "together": all Monday to Friday.
    days_per_week: int = Field(default=7, ge=1, le=7)
    rest_days: Literal["staggered", "together"] = "staggered"
    street_km_per_km2: dict[LandUse, StreetDensity] = Field(
        default_factory=partial(dict, {LandUse.CORE: 12.0, LandUse.INDUSTRIAL: 5.0, LandUse.RURAL: 3.0})
    )
    patrol_mode: Literal["walk", "ebike"] = "ebike"
    verify_min: Distribution = Field(
        default_factory=table(Exponential, dist="exponential", mean=60)
    )
    verify_work_min: float = Field(default=10, ge=0, le=limits.MAX_MINUTES)
    # A grid case resolved while every supervisor is off duty: "next_shift" waits for one;
    # "centre" lets the command centre's round-the-clock staff check it (photo evidence in the
    # app) with the centre's verify_min.
    verify_off_duty: Literal["next_shift", "centre"] = "next_shift"

    @model_validator(mode="after")
    def _someone(self) -> Self:
        staffed = [r for r in self.all_roles().values() if r.count]
        if not staffed:
            raise ValueError("a grid needs at least one staff member")
        if not any("fix" in r.duties for r in staffed):
            raise ValueError("at least one staffed role needs the 'fix' duty")
        return self

    def all_roles(self) -> dict[str, Role]:
        """Give the 一长五员 roles and the departmental inspectors (named '<department>_inspector')."""
        out: dict[str, Role] = dict(self.roles.items())
        for dept, r in self.inspectors.items():
            out[inspector_role(dept)] = r if r.domains is not None else r.model_copy(update={"domains": [dept]})
        return out
