"""Town and county departments with finite staff: cases queue for them, first come, first served.

A department is the staff of one domain at one tier (the town's utilities office, the
county environment bureau). A case reaches it after the tier's response lag (hearing of
it, scheduling; not counted as busy), then waits for the soonest-free member on duty, who
drives from the town centre and works on site. Its workload, queueing and overtime are
therefore measured like every other role's. Without staff the tier stays a pure delay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.staff import BookableStaff, soonest
from sim.history import Actor
from sim.shifts import DutyCalendar
from sim.vocabulary import ActorRole, StaffRole, Tier

if TYPE_CHECKING:
    from sim.config.command import DepartmentStaffing
    from sim.model import TownModel

ROLE_OF_TIER = {Tier.TOWN: StaffRole.TOWN_DEPARTMENT, Tier.COUNTY: StaffRole.COUNTY_DEPARTMENT}
ACTOR_OF_TIER = {Tier.TOWN: ActorRole.TOWN_DEPARTMENT, Tier.COUNTY: ActorRole.COUNTY_DEPARTMENT}


class Department:
    """The staff of one domain at one tier, their FCFS queue and its waiting times."""

    def __init__(self, model: TownModel, tier: Tier, domain: str, staffing: DepartmentStaffing) -> None:
        self.model = model
        self.tier = tier
        self.domain = domain
        self.base = (model.town.size_km[0] / 2, model.town.size_km[1] / 2)  # offices in the town centre
        cal = DutyCalendar.of(staffing.shift, staffing.days_per_week)
        unit = f"{tier.key}:{domain}"
        self.staff = [BookableStaff(model, f"{unit}-{k + 1}", ROLE_OF_TIER[tier], cal,
                                    Actor(ACTOR_OF_TIER[tier], f"{unit}-{k + 1}", unit, k + 1, domain),
                                    model.horizon, tier=tier)
                      for k in range(staffing.staff_of(domain))]
        self.waits: list[float] = []  # minutes from ready to start, per case taken

    def book(self, ready: float, travel: float, work: float,
             deadline: float) -> tuple[BookableStaff, tuple[float, float, float] | None]:
        """Give the case to the member free soonest; their (start, arrival, end), or None past the deadline."""
        who = soonest(self.staff, ready)
        booking = who.book(ready, travel, work, deadline)
        if booking is not None:
            self.waits.append(booking[0] - ready)
        return who, booking


def build_departments(model: TownModel) -> dict[tuple[Tier, str], Department]:
    """Build a department per tier and domain a category can reach, where the scenario staffs them."""
    t = model.config.tiers
    domains = sorted({c.domain for c in model.config.incidents.categories if not c.external})
    out: dict[tuple[Tier, str], Department] = {}
    for tier, staffing in ((Tier.TOWN, t.town_departments), (Tier.COUNTY, t.county_departments)):
        for d in domains:
            if staffing.staff_of(d) > 0:
                out[(tier, d)] = Department(model, tier, d, staffing)
    return out
