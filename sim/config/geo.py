"""The ``[town.gis]`` and ``[town.roads]`` sections: where a real town's layers and roads come from.

``[town.gis]`` names the village layer (and optionally a level-2 grid layer and a point
layer of households/enterprises) and maps the file's columns onto the model's words;
``[town.roads]`` names a road network and the speeds on it. Paths are relative to the
scenario file that states them. Only the *shape* of the section is checked here; the
files themselves are checked by :mod:`sim.geo.layers` and :mod:`sim.geo.roads` before a run.
"""

from functools import partial
from pathlib import Path
from typing import Literal, Self, get_args

from pydantic import Field, model_validator

from sim import limits
from sim.config.base import Strict as _Strict

Mode = Literal["walk", "ebike", "car"]  # how a person or crew travels: each has its speed and road graph
MODES: tuple[str, ...] = get_args(Mode)


class VillageLayer(_Strict):
    """One feature per village (level-1 grid); values are column names in the file."""

    path: str
    layer: str | None = None
    name: str = "name"
    households: str = "households"
    enterprises: str | None = None
    land_use: str | None = None
    residents: str | None = None


class GridLayer(_Strict):
    """Level-2 grid polygons used as given; ``village`` names the column holding the village name."""

    path: str
    layer: str | None = None
    name: str = "name"
    village: str = "village"
    households: str | None = None  # absent: the village's households shared by area


class PointLayer(_Strict):
    """Households or enterprises as points; incidents are drawn at them, weighted by these columns."""

    path: str
    layer: str | None = None
    households: str | None = None  # absent: each point weighs 1 for residents' problems
    enterprises: str | None = None  # absent: each point weighs 1 for enterprises' problems


class Gis(_Strict):
    """A real town's layers (villages, optional grids and points) instead of the generated lattice."""

    villages: VillageLayer
    grids: GridLayer | None = None
    points: PointLayer | None = None
    # A file without a CRS is refused unless the scenario says what it is.
    assume_crs: str | None = None
    # Invalid polygons: repaired with shapely's make_valid (and a warning) or refused.
    invalid: Literal["repair", "refuse"] = "repair"


class ModeSpeeds(_Strict):
    """km/h on one road class; 0 means the mode may not use it."""

    walk: float = Field(default=4.5, ge=0, le=limits.MAX_SPEED_KMH)
    ebike: float = Field(default=15, ge=0, le=limits.MAX_SPEED_KMH)
    car: float = Field(default=30, ge=0, le=limits.MAX_SPEED_KMH)


# Speeds by OSM highway class. Walking 4–5, e-bike 12–18, car 25–40 km/h are public figures
# (DESIGN.md §2); how they vary by class is an assumption (town traffic, not free-flow).
DEFAULT_SPEEDS: dict[str, tuple[float, float, float]] = {  # walk, e-bike, car
    "motorway": (0, 0, 60),
    "trunk": (4.5, 16, 40),
    "primary": (4.5, 16, 35),
    "secondary": (4.5, 15, 30),
    "tertiary": (4.5, 15, 30),
    "unclassified": (4.5, 15, 25),
    "road": (4.5, 15, 25),
    "residential": (4.5, 14, 20),
    "living_street": (4.5, 12, 10),
    "service": (4.5, 12, 15),
    "track": (4.5, 10, 15),
    "pedestrian": (4.5, 0, 0),
    "footway": (4.5, 0, 0),
    "path": (4.5, 10, 0),
    "cycleway": (4.5, 15, 0),
    "steps": (2.0, 0, 0),
}


class Roads(_Strict):
    """A road network: OSM (``.osm``, ``.osm.bz2``, ``.osm.pbf``) or GraphML, read offline."""

    path: str
    # Overrides by highway class (``*_link`` roads use their class); other classes keep the defaults.
    speeds: dict[str, ModeSpeeds] = Field(default_factory=dict)
    # Modes that must respect one-way streets (walkers and e-bikes use both directions).
    oneway_modes: list[Mode] = Field(default_factory=partial(list, ["car"]))
    # A place farther than this from every road node is reported as not reached by roads.
    max_access_km: float = Field(default=1.0, gt=0, le=limits.MAX_COORD_KM)
    # Refuse a graph whose largest connected part holds less than this share of its nodes.
    min_connected_share: float = Field(default=0.9, gt=0, le=1)

    @model_validator(mode="after")
    def _unique_modes(self) -> Self:
        if len(set(self.oneway_modes)) != len(self.oneway_modes):
            raise ValueError("oneway_modes: listed twice")
        return self

    def speed_table(self) -> dict[str, ModeSpeeds]:
        """Speeds per road class and mode: the defaults, with the scenario's own classes on top."""
        defaults = {k: ModeSpeeds(walk=w, ebike=e, car=c) for k, (w, e, c) in DEFAULT_SPEEDS.items()}
        return {**defaults, **self.speeds}


def resolve_paths(data: dict, folder: Path) -> dict:
    """Make the layer and road paths of one scenario file relative to that file's folder."""
    import os

    town = data.get("town")
    if not isinstance(town, dict):
        town = {}
    tables = []
    gis = town.get("gis")
    if isinstance(gis, dict):
        tables += [gis.get(k) for k in ("villages", "grids", "points")]
    tables.append(town.get("roads"))
    plan = data.get("plan")
    if isinstance(plan, dict):
        tables.append(plan.get("site_layer"))
    for t in tables:
        if isinstance(t, dict) and isinstance(t.get("path"), str) and not os.path.isabs(t["path"]):
            t["path"] = os.path.normpath(os.path.join(folder, t["path"]))
    return data
