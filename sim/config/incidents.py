"""The ``[incidents]`` and ``[channels]`` sections: the taxonomy of problems and how they become known."""

from functools import partial
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, PlainSerializer, model_validator

from sim import limits
from sim.config.base import NamedItem, Strict, Weight, table
from sim.distributions import Distribution, Exponential
from sim.vocabulary import MAX_SEVERITY, LandUse, Tier


# A tier as scenario files spell it ("village"), held as the code the engine uses.
def _tier_key(tier: Tier) -> str:
    return tier.key


TierName = Annotated[Tier, BeforeValidator(Tier.parse), PlainSerializer(_tier_key, return_type=str)]


class Category(NamedItem):
    """One kind of problem: where it arises, who can notice it, who resolves it, its limits."""

    # The department that owns it: who hears of it and acts before the reform, and which
    # squads may take it when teams are siloed by domain.
    domain: str = "urban_management"
    share: float = Field(gt=0, le=limits.MAX_WEIGHT)
    severity: int = Field(ge=1, le=MAX_SEVERITY)
    source: Literal["residents", "enterprises"] = "residents"
    land_use_weight: dict[LandUse, Weight] = Field(
        default_factory=partial(dict, {LandUse.CORE: 1.0, LandUse.INDUSTRIAL: 1.0, LandUse.RURAL: 1.0})
    )
    lowest_tier: TierName = Tier.GRID
    town_handler: Literal["squad", "department"] = "department"
    external: bool = False  # handed to 110/119 or a county body straight away
    respond_limit_min: float = Field(gt=0, le=limits.MAX_MINUTES)
    close_limit_min: float = Field(gt=0, le=limits.MAX_MINUTES)
    # The clock both limits (and each tier's share of the close limit) run on: "calendar"
    # minutes, or "working" minutes of the town's working time (command_centre.working_hours,
    # working_days_per_week), as local rules state "4 working hours" or "7 working days".
    limit_clock: Literal["calendar", "working"] = "calendar"
    # Channels: probability each would notice it.
    patrol_detect_prob: float = Field(default=0.5, ge=0, le=1)
    hotline_prob: float = Field(default=0.1, ge=0, le=1)
    hotline_delay_min: Distribution = Field(
        default_factory=table(Exponential, dist="exponential", mean=60)
    )
    camera: bool = False
    spot_fix_prob: float = Field(default=0.0, ge=0, le=1)
    needs_mediation: bool = False  # disputes: the grid's mediators (chief, Party members) act
    external_response_min: Distribution = Field(
        default_factory=table(Exponential, dist="exponential", mean=12)
    )
    resolve_prob: dict[TierName, float] = Field(default_factory=dict)
    # Referral to the county (条块: powers the town does not hold — a permit, a penalty beyond
    # the town's, a county-owned utility): of the cases the town tier would resolve, this
    # share is referred to the county department of the domain instead.
    county_referral_prob: float = Field(default=0.0, ge=0, le=1)
    work_min: Distribution

    @model_validator(mode="after")
    def _probs(self) -> Self:
        for k, v in self.resolve_prob.items():
            if not 0 <= v <= 1:
                raise ValueError(f"resolve_prob.{k} must be in [0, 1]")
        if self.close_limit_min < self.respond_limit_min:
            raise ValueError("close_limit_min must be >= respond_limit_min")
        return self

    def town_keeps(self, u: float) -> bool:
        """Whether the town tier resolves the case itself (uniform ``u``), neither failing nor referring it."""
        return u < self.resolves_at(Tier.TOWN) * (1.0 - self.county_referral_prob)

    def town_refers(self, u: float) -> bool:
        """Whether the town, able to act, refers the case to the county (powers it does not hold)."""
        return not self.town_keeps(u) and u < self.resolves_at(Tier.TOWN)

    def resolves_at(self, tier: Tier) -> float:
        """Chance a tier resolves it when it tries; the county always does."""
        if tier == Tier.COUNTY:
            return 1.0
        return self.resolve_prob.get(tier, 1.0)


class Incidents(Strict):
    """How often problems arise (per 10,000 residents a year, by hour of day) and of which kinds."""

    events_per_10k_residents_per_year: float = Field(gt=0, le=limits.MAX_EVENTS_PER_10K_PER_YEAR)
    hourly_profile: list[Weight] = Field(default_factory=partial(list, [1.0] * 24))
    categories: list[Category] = Field(max_length=1000)  # a taxonomy has tens

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(self.hourly_profile) != 24 or any(h < 0 for h in self.hourly_profile):
            raise ValueError("hourly_profile needs 24 non-negative numbers")
        if sum(self.hourly_profile) <= 0:
            raise ValueError("hourly_profile must not be all zero")
        if not self.categories:
            raise ValueError("at least one category is needed")
        names = [c.name for c in self.categories]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate category name in {names}")
        return self


class Channels(Strict):
    """How problems become known besides patrol: camera coverage by land use, and the delays of each channel."""

    camera_coverage: dict[LandUse, float] = Field(
        default_factory=partial(dict, {LandUse.CORE: 0.5, LandUse.INDUSTRIAL: 0.3, LandUse.RURAL: 0.05})
    )
    camera_delay_min: Distribution = Field(
        default_factory=table(Exponential, dist="exponential", mean=5)
    )

    @model_validator(mode="after")
    def _cov(self) -> Self:
        for k, v in self.camera_coverage.items():
            if not 0 <= v <= 1:
                raise ValueError(f"camera_coverage.{k} must be in [0, 1]")
        return self
