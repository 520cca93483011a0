"""The ``[town]`` section: villages, land use, grid division and travel speeds.

The villages are a generated lattice, an explicit list of rectangles, or real layers
(``[town.gis]``, :mod:`sim.config.geo`); ``[town.roads]`` puts travel on a road network.
"""

from functools import partial
from typing import Literal, Self

from pydantic import Field, model_validator

from sim import limits
from sim.config.base import Strict, Weight, table
from sim.config.geo import Gis, Roads
from sim.vocabulary import LandUse


def generated_village_names(n: int) -> list[str]:
    """Name ``n`` generated villages (``V01`` …) as the lattice does, so zones can refer to them."""
    width = len(str(n))
    return [f"V{i + 1:0{width}d}" for i in range(n)]


class Village(Strict):
    """An explicit level-1 grid (village or community) as a rectangle in km."""

    name: str
    x0: float = Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)
    y0: float = Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)
    x1: float = Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)
    y1: float = Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)
    households: int = Field(ge=0, le=limits.MAX_RESIDENTS)
    enterprises: int = Field(default=0, ge=0, le=limits.MAX_ENTERPRISES)
    land_use: LandUse = LandUse.RURAL

    @model_validator(mode="after")
    def _box(self) -> Self:
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise ValueError("x1 > x0 and y1 > y0 are required")
        return self


class GridDivision(Strict):
    """How each village is split into level-2 grids: by households or by a fixed count."""

    households_per_grid: float | None = Field(default=None, ge=limits.MIN_HOUSEHOLDS_PER_GRID,
                                              le=limits.MAX_HOUSEHOLDS_PER_GRID)
    grids_per_village: int | None = Field(default=None, ge=1, le=limits.MAX_GRIDS_PER_VILLAGE)
    # Households a level-2 grid should hold: grids outside are warned about, by name.
    # Default: national practice, 200–500 (DESIGN.md §2); a rural town may state ≈ 300 ± 100.
    households_range: tuple[float, float] = (200.0, 500.0)

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if (self.households_per_grid is None) == (self.grids_per_village is None):
            raise ValueError("give exactly one of households_per_grid, grids_per_village")
        lo, hi = self.households_range
        if not 0 < lo < hi <= limits.MAX_HOUSEHOLDS_PER_GRID:
            raise ValueError(f"households_range: give [low, high] with 0 < low < high <= {limits.MAX_HOUSEHOLDS_PER_GRID:g}")
        return self


class Travel(Strict):
    """Straight-line travel: a detour factor over the crow-fly distance, and the speed of each mode."""

    model: Literal["euclidean"] = "euclidean"
    detour_factor: float = Field(default=1.3, ge=1, le=limits.MAX_DETOUR_FACTOR)
    walk_kmh: float = Field(default=4.5, ge=limits.MIN_SPEED_KMH, le=limits.MAX_SPEED_KMH)
    ebike_kmh: float = Field(default=15, ge=limits.MIN_SPEED_KMH, le=limits.MAX_SPEED_KMH)
    car_kmh: float = Field(default=30, ge=limits.MIN_SPEED_KMH, le=limits.MAX_SPEED_KMH)


# Settings only the generated lattice reads: a town from GIS layers brings its own villages,
# area, residents and land use (its enterprises too when the layer has them).
LATTICE_ONLY: tuple[str, ...] = ("area_km2", "residents", "villages", "core_share", "industrial_share", "density",
                                 "village_list")


class Town(Strict):
    """The town's villages (generated, listed or from GIS), their people and firms, grid division and travel."""

    # the lattice's; real villages bring their own
    area_km2: float | None = Field(default=None, gt=0, le=limits.MAX_AREA_KM2)
    # the lattice's; real villages: their column or households
    residents: int | None = Field(default=None, gt=0, le=limits.MAX_RESIDENTS)
    persons_per_household: float = Field(default=2.8, ge=limits.MIN_PERSONS_PER_HOUSEHOLD,
                                         le=limits.MAX_PERSONS_PER_HOUSEHOLD)
    enterprises: int = Field(default=0, ge=0, le=limits.MAX_ENTERPRISES)
    villages: int = Field(default=0, ge=0, le=limits.MAX_VILLAGES)
    # Share of villages (by count, nearest the centre first) that are town core / industrial.
    core_share: float = Field(default=0.2, ge=0, le=1)
    industrial_share: float = Field(default=0.1, ge=0, le=1)
    # Relative residential density of each land use (core denser than rural).
    density: dict[LandUse, Weight] = Field(
        default_factory=partial(dict, {LandUse.CORE: 4.0, LandUse.INDUSTRIAL: 0.5, LandUse.RURAL: 1.0})
    )
    # Relative enterprise density (industrial parks hold most firms); an assumption.
    enterprise_density: dict[LandUse, Weight] = Field(
        default_factory=partial(dict, {LandUse.CORE: 2.0, LandUse.INDUSTRIAL: 10.0, LandUse.RURAL: 0.5})
    )
    village_list: list[Village] = Field(default_factory=list, max_length=limits.MAX_VILLAGES)
    incidents_at_centroids: bool = False
    grid_division: GridDivision
    travel: Travel = Field(default_factory=table(Travel))
    gis: Gis | None = None  # real village (and grid, point) layers instead of the lattice
    roads: Roads | None = None  # a road network instead of straight-line travel

    @model_validator(mode="after")
    def _layout(self) -> Self:
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
        return self
