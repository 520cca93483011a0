"""The ``[squads]`` section: zoned all-round enforcement squads and their crews."""

from typing import Self

from pydantic import Field, model_validator

from sim import limits
from sim.config.base import Coord, Shift, Strict, table
from sim.config.geo import Mode


class SquadUnit(Strict):
    """One squad listed by id: its base, crews, officers and zone (villages); unset fields fall back to the section's."""

    id: str
    base: tuple[Coord, Coord] | None = None  # km; None: placed by the generator
    crews: int | None = Field(default=None, ge=1, le=limits.MAX_CREWS_PER_SQUAD)  # None: the section's crews_per_squad
    zone: list[str] | None = None  # village names; None: villages nearest this base
    officers: int | None = Field(default=None, ge=1, le=limits.MAX_OFFICERS_PER_SQUAD)  # None: the section's officers_per_squad
    domains: list[str] | None = None  # a siloed team's domains; None: all-round


class Squads(Strict):
    """Zoned all-round enforcement squads (全能型执法中队); each crew is one dispatchable unit."""

    count: int = Field(default=0, ge=0, le=limits.MAX_SQUADS)
    crews_per_squad: int = Field(default=2, ge=1, le=limits.MAX_CREWS_PER_SQUAD)
    # People on the squad's roll (all shifts); staff headcount and cost count these, not crews.
    officers_per_squad: int = Field(default=10, ge=1, le=limits.MAX_OFFICERS_PER_SQUAD)
    units: list[SquadUnit] = Field(default_factory=list, max_length=limits.MAX_SQUADS)
    shift: Shift = Field(default_factory=table(Shift, start_h=7, end_h=22))
    domains: list[str] | None = None  # for generated squads; None: all-round
    mode: Mode = "car"
    dispatch_overhead_min: float = Field(default=1.0, ge=0, le=limits.MAX_MINUTES)
    return_to_base: bool = True

    @model_validator(mode="after")
    def _units(self) -> Self:
        if self.units and self.count and self.count != len(self.units):
            raise ValueError("count disagrees with the number of units given")
        ids = [u.id for u in self.units]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate squad id in {ids}")
        return self

    @property
    def n(self) -> int:
        """Number of squads: the listed units, or ``count`` when none are listed."""
        return len(self.units) or self.count

    def crews_of(self, unit: SquadUnit | None) -> int:
        """Give a listed unit's crews, else ``crews_per_squad`` (a unit never silently gets one crew)."""
        return unit.crews if unit is not None and unit.crews is not None else self.crews_per_squad

    def officers_of(self, unit: SquadUnit | None) -> int:
        """Officers on a unit's roll (staff counts and cost), else ``officers_per_squad``."""
        return unit.officers if unit is not None and unit.officers is not None else self.officers_per_squad

    @property
    def total_crews(self) -> int:
        """Crews over all squads: what the run-size guard and the hypercube count."""
        return sum(self.crews_of(u) for u in self.units) if self.units else self.count * self.crews_per_squad
