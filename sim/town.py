"""The town as space: villages (level-1 grids), level-2 grids, land use and travel times.

A generator lays villages out as a lattice of rectangles over a square town, the ones
nearest the centre becoming town core and the next ones the industrial park; a scenario
can instead list its villages explicitly. Each village is split into level-2 grids by
households per grid or by a fixed count. Grids are axis-aligned polygons, so locating a
point is arithmetic and the same incident stream maps onto any grid division (common
random numbers across grid-division options).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from sim.config import Scenario
from sim.config.town import Town as TownConfig
from sim.config.town import Travel, generated_village_names
from sim.vocabulary import MINUTES_PER_HOUR, LandUse

# Where the generated lattice town is placed when written out as real layers: UTM zone 51N
# (EPSG:32651) at about 120.25°E 31.8°N, near Xu Xiake town. Nominal, so GIS software can
# open the layers; the lattice's km grid maps onto it by whole metres.
LATTICE_CRS = "EPSG:32651"
LATTICE_ORIGIN_M = (240_000.0, 3_520_000.0)
# Expected distance between two uniform points in a unit square (Ghosh 1951).
_MEAN_DIST_UNIT_SQUARE = 0.5214


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in km: villages and grids of the lattice, the bounds of real polygons."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        """Area in km², what households and street length are spread over."""
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    @property
    def centroid(self) -> tuple[float, float]:
        """Centre point, where village cadres and analytic trips start from."""
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    @property
    def polygon(self) -> list[tuple[float, float]]:
        """Corners in order, for drawing and for writing the grid as a GIS polygon."""
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]


@dataclass
class Grid:
    """A level-2 grid: the unit a team of grid staff patrols and answers for."""

    index: int
    id: str
    village: int
    box: Box
    households: float
    land_use: LandUse
    street_km: float

    @property
    def area_km2(self) -> float:
        """The grid's area: its box's for the lattice (a real grid's box bounds its polygon)."""
        return self.box.area


@dataclass
class Village:
    """A level-1 grid (village or community) with its committee and its level-2 grids."""

    index: int
    name: str
    box: Box
    households: float
    enterprises: float
    land_use: LandUse
    split_x: bool = True  # level-2 grids are strips along the longer side
    grids: list[int] = field(default_factory=list)


class TravelModel(Protocol):
    """Minutes from one point to another by a mode; ``sim.geo.roads.RoadTravel`` is the road graph."""

    def minutes(self, a: tuple[float, float], b: tuple[float, float], mode: str) -> float:
        """Minutes from ``a`` to ``b`` by ``mode``: what dispatch and travel costs use."""

    def speed_kmh(self, mode: str) -> float:
        """Give the mode's speed, for estimates that have a distance but no route."""

    def within_box_minutes(self, box: Box, mode: str) -> float:
        """Mean trip between two random points of ``box``: staff going to a case in their own grid."""

    def precompute(self, points: list[tuple[float, float]], mode: str) -> None:
        """Prepare trips from ``points`` (squad bases, village centres) before the run asks for them."""

    def places(self, x: np.ndarray, y: np.ndarray) -> None:
        """Prepare trips to a day's incident places (``x``, ``y`` km) before the run asks for them."""


@dataclass(frozen=True)
class EuclideanTravel:
    """Straight-line distance times a detour factor, over the mode's speed."""

    cfg: Travel

    _speeds: dict[str, float] = field(init=False, repr=False, compare=False)  # by mode: every trip reads it

    def __post_init__(self) -> None:
        speeds = {"walk": self.cfg.walk_kmh, "ebike": self.cfg.ebike_kmh, "car": self.cfg.car_kmh}
        object.__setattr__(self, "_speeds", speeds)  # frozen: set once, here

    def speed_kmh(self, mode: str) -> float:
        """Give the scenario's speed for ``mode`` (walk, ebike or car)."""
        return self._speeds[mode]

    def minutes(self, a: tuple[float, float], b: tuple[float, float], mode: str) -> float:
        """Straight-line km times the detour factor, at the mode's speed."""
        d = math.hypot(a[0] - b[0], a[1] - b[1]) * self.cfg.detour_factor
        return MINUTES_PER_HOUR * d / self.speed_kmh(mode)

    def within_box_minutes(self, box: Box, mode: str) -> float:
        """Mean trip between two random points of a box (staff going to a case in their grid)."""
        side = math.sqrt(box.area)
        return MINUTES_PER_HOUR * _MEAN_DIST_UNIT_SQUARE * side * self.cfg.detour_factor / self.speed_kmh(mode)

    def precompute(self, points: list[tuple[float, float]], mode: str) -> None:
        """Nothing to prepare for straight lines."""

    def places(self, x: np.ndarray, y: np.ndarray) -> None:
        """Nothing to prepare for straight lines (a road network snaps a day's places at once)."""


@dataclass
class TownMap:
    """Villages and grids with fast point location, built once per scenario.

    Coordinates are km east and north of ``origin_m`` (metres) in ``crs``: a real town's
    local UTM zone, or a nominal placement for the generated lattice (see ``sim.geo``).
    A real town brings polygon ``places`` and a ``locator``; the lattice does both by
    arithmetic on rectangles.
    """

    villages: list[Village]
    grids: list[Grid]
    travel: TravelModel
    size_km: tuple[float, float]
    crs: str = ""
    origin_m: tuple[float, float] = (0.0, 0.0)
    residents: float = 0.0
    source: str = "lattice"  # or "gis"
    locator: Any = None  # sim.geo.places.PolygonLocator for real polygons
    places: Any = None  # sim.geo.places.PolygonPlaces for real polygons
    roads: Any = None  # sim.geo.roads.RoadNetwork when travel follows roads
    warnings: list[Any] = field(default_factory=list)  # sim.warnings.RunWarning: layers and roads

    def village_of_name(self, name: str) -> Village:
        """Find a village by the name a scenario uses for it (zones, explicit lists)."""
        for v in self.villages:
            if v.name == name:
                return v
        raise KeyError(name)

    def locate(self, village: int, x: float, y: float) -> int:
        """Index of the level-2 grid of ``village`` that contains the point."""
        if self.locator is not None:
            return int(self.locator.locate_many(np.array([village]), np.array([x]), np.array([y]))[0])
        v = self.villages[village]
        k = len(v.grids)
        if v.split_x:
            f = (x - v.box.x0) / (v.box.x1 - v.box.x0)
        else:
            f = (y - v.box.y0) / (v.box.y1 - v.box.y0)
        return v.grids[min(k - 1, max(0, int(f * k)))]

    def locate_many(self, village: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Vectorised ``locate``: a whole day's incidents located in one call."""
        if self.locator is not None:
            return self.locator.locate_many(village, x, y)
        x0 = np.array([v.box.x0 for v in self.villages])
        y0 = np.array([v.box.y0 for v in self.villages])
        w = np.array([v.box.x1 - v.box.x0 for v in self.villages])
        h = np.array([v.box.y1 - v.box.y0 for v in self.villages])
        split_x = np.array([v.split_x for v in self.villages])
        k = np.array([len(v.grids) for v in self.villages])
        first = np.array([v.grids[0] for v in self.villages])
        f = np.where(split_x[village], (x - x0[village]) / w[village], (y - y0[village]) / h[village])
        j = np.clip((f * k[village]).astype(int), 0, k[village] - 1)
        return first[village] + j


def _lattice(cfg: TownConfig) -> list[tuple[Box, LandUse]]:
    """Rectangles tiling a square town, last row stretched; land use by distance to centre."""
    assert cfg.area_km2 is not None, "the config requires area_km2 for generated villages"
    side = math.sqrt(cfg.area_km2)
    n = cfg.villages
    rows = max(1, round(math.sqrt(n)))
    per_row = [n // rows + (1 if r < n % rows else 0) for r in range(rows)]
    boxes: list[Box] = []
    h = side / rows
    for r, cols in enumerate(per_row):
        w = side / cols
        for c in range(cols):
            boxes.append(Box(c * w, r * h, (c + 1) * w, (r + 1) * h))
    centre = (side / 2, side / 2)
    order = sorted(range(n), key=lambda i: math.dist(boxes[i].centroid, centre))
    n_core = round(cfg.core_share * n)
    n_ind = round(cfg.industrial_share * n)
    uses = [LandUse.RURAL] * n
    for rank, i in enumerate(order):
        if rank < n_core:
            uses[i] = LandUse.CORE
        elif rank < n_core + n_ind:
            uses[i] = LandUse.INDUSTRIAL
    return list(zip(boxes, uses, strict=False))


def _shares(weights: np.ndarray, total: float) -> np.ndarray:
    s = weights.sum()
    return weights / s * total if s > 0 else np.zeros_like(weights)


def build_town(scenario: Scenario) -> TownMap:
    """Villages, their level-2 grids and the travel model, from the scenario's town table.

    Real layers (``[town.gis]``) are built by ``sim.geo``; a road network (``[town.roads]``)
    replaces straight-line travel for either kind of town.
    """
    cfg = scenario.town
    if cfg.gis is not None:
        from sim.geo.build import gis_town

        town = gis_town(scenario)
    else:
        town = _lattice_town(scenario)
        if cfg.roads is not None:
            from sim.geo.build import attach_roads

            attach_roads(town, cfg.roads)
    return town


def _lattice_town(scenario: Scenario) -> TownMap:
    """Build the generated town (or an explicit list of rectangles) and split its villages into grids."""
    cfg = scenario.town
    assert cfg.residents is not None, "the config requires residents without town.gis"
    if cfg.village_list:
        villages = [
            Village(i, v.name, Box(v.x0, v.y0, v.x1, v.y1), v.households, v.enterprises, v.land_use)
            for i, v in enumerate(cfg.village_list)
        ]
    else:
        laid = _lattice(cfg)
        dens = np.array([b.area * cfg.density.get(u, 1.0) for b, u in laid])
        ent = np.array([b.area * cfg.enterprise_density.get(u, 1.0) for b, u in laid])
        hh = _shares(dens, cfg.residents / cfg.persons_per_household)
        en = _shares(ent, cfg.enterprises)
        names = generated_village_names(len(laid))
        villages = [
            Village(i, names[i], b, float(hh[i]), float(en[i]), u)
            for i, (b, u) in enumerate(laid)
        ]
    grids: list[Grid] = []
    street = scenario.grid_staff.street_km_per_km2
    div = cfg.grid_division
    for v in villages:
        if div.grids_per_village is not None:
            k = div.grids_per_village
        else:
            assert div.households_per_grid is not None, "the config gives exactly one of the two"
            k = max(1, round(v.households / div.households_per_grid))
        b = v.box
        v.split_x = (b.x1 - b.x0) >= (b.y1 - b.y0)
        for j in range(k):
            if v.split_x:
                w = (b.x1 - b.x0) / k
                gb = Box(b.x0 + j * w, b.y0, b.x0 + (j + 1) * w, b.y1)
            else:
                h = (b.y1 - b.y0) / k
                gb = Box(b.x0, b.y0 + j * h, b.x1, b.y0 + (j + 1) * h)
            g = Grid(
                index=len(grids),
                id=f"{v.name}-{j + 1}",
                village=v.index,
                box=gb,
                households=v.households / k,
                land_use=v.land_use,
                street_km=gb.area * street.get(v.land_use, 3.0),
            )
            v.grids.append(g.index)
            grids.append(g)
    xs = [v.box.x1 for v in villages]
    ys = [v.box.y1 for v in villages]
    return TownMap(villages, grids, EuclideanTravel(cfg.travel), (max(xs), max(ys)), crs=LATTICE_CRS,
                   origin_m=LATTICE_ORIGIN_M, residents=float(cfg.residents))
