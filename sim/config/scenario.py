"""The whole scenario: every section, and the checks that span sections."""

from typing import Self

from pydantic import Field, model_validator

from sim.config.base import Strict, table
from sim.config.command import CommandCentre, Departments, Tiers
from sim.config.evaluation import Evaluation
from sim.config.hall import ServiceHall
from sim.config.incidents import Channels, Incidents
from sim.config.party import Party
from sim.config.plan import Plan
from sim.config.run import Meta, Run
from sim.config.squads import Squads
from sim.config.staff import GridStaff, StaffCost
from sim.config.town import Town, generated_village_names
from sim.policies.escalation import EscalationConfig, ThresholdEscalation


class Scenario(Strict):
    """One town and all its policies: every section of a scenario file, checked against each other."""

    meta: Meta
    run: Run = Field(default_factory=table(Run))
    town: Town
    incidents: Incidents
    grid_staff: GridStaff
    channels: Channels = Field(default_factory=table(Channels))
    command_centre: CommandCentre = Field(default_factory=table(CommandCentre))
    escalation: EscalationConfig = Field(default_factory=table(ThresholdEscalation, policy="threshold"))
    tiers: Tiers = Field(default_factory=table(Tiers))
    squads: Squads = Field(default_factory=table(Squads))
    departments: Departments = Field(default_factory=table(Departments))
    party: Party = Field(default_factory=table(Party))
    evaluation: Evaluation = Field(default_factory=table(Evaluation))
    staff_cost: StaffCost = Field(default_factory=table(StaffCost))
    service_hall: ServiceHall | None = None  # 审批服务一窗口; None: no hall in this run
    plan: Plan = Field(default_factory=table(Plan))  # candidate squad bases for gridsim plan bases

    @model_validator(mode="after")
    def _cross(self) -> Self:
        for field, names in (
            ("command_centre.fifteen_minute_rule", self.command_centre.fifteen_minute_rule),
            ("party.eyes_categories", self.party.eyes_categories),
            ("command_centre.squad_priority_classes", list(self.command_centre.squad_priority_classes)),
        ):
            unknown = set(names) - set(self.category_names)
            if unknown:
                raise ValueError(f"{field}: unknown category {sorted(unknown)[0]!r}")
        domains = {c.domain for c in self.incidents.categories}
        for where, names in [("squads.domains", self.squads.domains or [])] + [
                (f"squads.units.{u.id}.domains", u.domains or []) for u in self.squads.units]:
            strangers = sorted(set(names) - domains)
            if strangers:
                raise ValueError(f"{where}: unknown domain {strangers[0]!r} (no category has it)")
        team_domains = [u.domains for u in self.squads.units] or [self.squads.domains]
        for c in self.incidents.categories:
            if c.town_handler == "squad" and self.squads.n and not any(
                d is None or c.domain in d for d in team_domains
            ):
                raise ValueError(f"squads: no squad serves domain {c.domain!r} (category {c.name!r})")
        for tier in ("town_departments", "county_departments"):
            strangers = sorted(set(getattr(self.tiers, tier).by_domain) - domains)
            if strangers:
                raise ValueError(f"tiers.{tier}.by_domain: unknown domain {strangers[0]!r} (no category has it)")
        for role, spec in self.grid_staff.all_roles().items():
            for d in spec.domains or []:
                if d not in domains:
                    raise ValueError(f"grid_staff.roles.{role}.domains: unknown domain {d!r}")
        needs_squad = [
            c.name for c in self.incidents.categories if c.town_handler == "squad"
        ]
        if needs_squad and self.squads.n == 0:
            raise ValueError(
                f"squads.count: categories {needs_squad} need a squad but there is none"
            )
        villages = ({v.name for v in self.town.village_list} if self.town.village_list
                    else set(generated_village_names(self.town.villages)))
        for u in self.squads.units if self.town.gis is None else []:  # real layers: named when read
            for v in u.zone or []:
                if v not in villages:
                    raise ValueError(f"squads.units.{u.id}.zone: unknown village {v!r}"
                                     f" (villages are {', '.join(sorted(villages)[:3])}, …)")
        return self

    @property
    def category_names(self) -> list[str]:
        """The taxonomy's names in order: the codes records store are indices into this list."""
        return [c.name for c in self.incidents.categories]

    @property
    def fifteen_minute_categories(self) -> set[str]:
        """The complaint-type categories the 15-minute share is measured on."""
        return set(self.command_centre.fifteen_minute_rule) or {
            c.name for c in self.incidents.categories if c.respond_limit_min <= 15
        }
