"""The ``[party]`` section: Party eyes, mediation and convening, each switchable."""

from pydantic import Field

from sim import limits
from sim.config.base import Strict, table
from sim.distributions import Distribution, Exponential, LogNormal
from sim.vocabulary import MAX_SEVERITY


class Party(Strict):
    """加强党的全面领导: Party branches on grids and centre households, each effect switchable."""

    eyes: bool = False  # centre households notice and report problems in their grid
    centre_households_per_grid: float = Field(default=2.5, ge=0, le=limits.MAX_CENTRE_HOUSEHOLDS_PER_GRID)
    # Chance that one centre household notices a problem of these categories in its grid.
    notice_prob_per_household: float = Field(default=0.1, ge=0, le=1)
    eyes_categories: list[str] = Field(default_factory=list)
    report_delay_min: Distribution = Field(
        default_factory=table(Exponential, dist="exponential", mean=120)
    )
    mediation: bool = False  # Party members join grid mediation of disputes
    mediation_resolve_prob: float = Field(default=0.5, ge=0, le=1)
    convening: bool = False  # hard cases convened by the town committee (难事不出镇)
    convene_min_severity: int = Field(default=4, ge=1, le=MAX_SEVERITY)
    convene_min: Distribution = Field(
        default_factory=table(LogNormal, dist="lognormal", mean=2880, cv=0.5)
    )
