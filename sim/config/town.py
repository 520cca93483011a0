"""The ``[town]`` section: villages, land use, grid division and travel speeds.

The villages are a generated lattice, an explicit list of rectangles, or real layers
(``[town.gis]``, :mod:`sim.config.geo`); ``[town.roads]`` puts travel on a road network.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config.base import Strict
from sim.config.geo import Gis, Roads
from sim.vocabulary import LandUse


class Village(Strict):
    """An explicit level-1 grid (village or community) as a rectangle in km."""

    name: str
    x0: float
    y0: float
    x1: float
    y1: float
    households: int = Field(ge=0)
    enterprises: int = Field(default=0, ge=0)
    land_use: LandUse = LandUse.RURAL

    @model_validator(mode="after")
    def _box(self) -> Village:
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise ValueError("x1 > x0 and y1 > y0 are required")
        return self


class GridDivision(Strict):
    """How each village is split into level-2 grids: by households or by a fixed count."""

    households_per_grid: float | None = Field(default=None, gt=0)
    grids_per_village: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_rule(self) -> GridDivision:
        if (self.households_per_grid is None) == (self.grids_per_village is None):
            raise ValueError("give exactly one of households_per_grid, grids_per_village")
        return self


class Travel(Strict):
    model: Literal["euclidean"] = "euclidean"
    detour_factor: float = Field(default=1.3, ge=1)
    walk_kmh: float = Field(default=4.5, gt=0)
    ebike_kmh: float = Field(default=15, gt=0)
    car_kmh: float = Field(default=30, gt=0)


class Town(Strict):
    area_km2: float | None = Field(default=None, gt=0)  # the lattice's; real villages bring their own
    residents: int | None = Field(default=None, gt=0)  # the lattice's; real villages: their column or households
    persons_per_household: float = Field(default=2.8, gt=0)
    enterprises: int = Field(default=0, ge=0)
    villages: int = Field(default=0, ge=0)
    # Share of villages (by count, nearest the centre first) that are town core / industrial.
    core_share: float = Field(default=0.2, ge=0, le=1)
    industrial_share: float = Field(default=0.1, ge=0, le=1)
    # Relative residential density of each land use (core denser than rural).
    density: dict[LandUse, float] = Field(
        default_factory=lambda: {LandUse.CORE: 4.0, LandUse.INDUSTRIAL: 0.5, LandUse.RURAL: 1.0}
    )
    # Relative enterprise density (industrial parks hold most firms); an assumption.
    enterprise_density: dict[LandUse, float] = Field(
        default_factory=lambda: {LandUse.CORE: 2.0, LandUse.INDUSTRIAL: 10.0, LandUse.RURAL: 0.5}
    )
    village_list: list[Village] = Field(default_factory=list)
    incidents_at_centroids: bool = False
    grid_division: GridDivision
    travel: Travel = Travel()
    gis: Gis | None = None  # real village (and grid, point) layers instead of the lattice
    roads: Roads | None = None  # a road network instead of straight-line travel

    @model_validator(mode="after")
    def _layout(self) -> Town:
        if self.gis is not None:  # the lattice's villages, area_km2 and residents do not apply
            if self.village_list:
                raise ValueError("give either gis (real villages) or a village_list, not both")
            return self
        if self.residents is None:
            raise ValueError("residents: missing field (needed without town.gis)")
        if not self.village_list and self.area_km2 is None:
            raise ValueError("area_km2: missing field (needed for generated villages; or give town.gis)")
        if not self.village_list and self.villages < 1:
            raise ValueError("give villages >= 1 or a village_list")
        if self.core_share + self.industrial_share > 1:
            raise ValueError("core_share + industrial_share must be <= 1")
        names = [v.name for v in self.village_list]
        if len(set(names)) != len(names):
            raise ValueError("village names in village_list must be unique")
        for k, v in self.density.items():
            if v < 0:
                raise ValueError(f"density.{k} must be >= 0")
        return self
