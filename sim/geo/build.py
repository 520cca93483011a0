"""A ``TownMap`` from real layers: villages, their level-2 grids, places and roads.

The counterpart of the lattice generator in :mod:`sim.town`: villages come from
:func:`sim.geo.layers.read_town_layers`, level-2 grids from the grid layer or from
:func:`sim.geo.split.split_households` (weighted by household points when the scenario
has a point layer), and travel from the road network when the scenario
names one. Reading and checking files is cached per process (a sweep rebuilds the town
for every run), keyed by the section and the files' modification times.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from sim.config.geo import Gis, Roads
from sim.geo.layers import TownLayers, read_town_layers
from sim.geo.places import Outline, PolygonLocator, PolygonPlaces
from sim.geo.roads import RoadNetwork, RoadTravel, load_network
from sim.geo.split import Households, split_households
from sim.vocabulary import LandUse
from sim.warnings import RunWarning, name_list

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.town import Grid, TownMap, Village



def _stamp(path: str) -> tuple[str, float]:
    """Give a file's path and modification time: part of the cache key, so an edited file is read again."""
    p = Path(path)
    return (str(p), p.stat().st_mtime if p.exists() else -1.0)


def _key(section: Gis | Roads) -> str:
    return section.model_dump_json()


@functools.lru_cache(maxsize=8)
def _layers_cached(key: str, stamps: tuple) -> TownLayers:
    return read_town_layers(Gis.model_validate_json(key), Path("."))


def town_layers(gis: Gis) -> TownLayers:
    """Read and check the layers of ``[town.gis]`` (cached; a :class:`GeoError` when unusable)."""
    paths = [gis.villages.path] + [s.path for s in (gis.grids, gis.points) if s is not None]
    return _layers_cached(_key(gis), tuple(_stamp(p) for p in paths))


@functools.lru_cache(maxsize=8)
def _network_cached(key: str, stamp: tuple, crs: str, origin: tuple[float, float]) -> RoadNetwork:
    return load_network(Roads.model_validate_json(key), Path("."), crs, origin)


def road_network(roads: Roads, crs: str, origin_m: tuple[float, float]) -> RoadNetwork:
    """Read and check the road network of ``[town.roads]`` in the town's frame (cached)."""
    return _network_cached(_key(roads), _stamp(roads.path), crs, origin_m)


def grid_count(households: float, scenario: Scenario) -> int:
    """Level-2 grids a village of ``households`` gets under the scenario's grid division (at least one)."""
    div = scenario.town.grid_division
    if div.grids_per_village is not None:
        return div.grids_per_village
    assert div.households_per_grid is not None, "the config gives exactly one of the two"
    return max(1, round(households / div.households_per_grid))


def _households_in(geom, layers: TownLayers) -> Households | None:
    """Give the household points of the point layer inside ``geom`` (None without a point layer)."""
    if layers.points is None:
        return None
    pts = layers.points
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    inside = shapely.contains_xy(geom, x, y) | shapely.intersects_xy(geom.boundary, x, y)
    return Households(x[inside], y[inside], pts["households"].to_numpy(float)[inside])


def build_gis_villages(scenario: Scenario, layers: TownLayers) -> tuple[list[Village], list[Grid]]:
    """Villages and level-2 grids (given, or split from each village) from checked layers."""
    from sim.town import Grid, Village

    cfg = scenario.town
    vf = layers.villages
    area = vf.geometry.area.to_numpy()
    if vf["enterprises"].isna().all():  # no column: the scenario's total, by area and land use
        dens = np.array([cfg.enterprise_density.get(u, 1.0) for u in vf["land_use"]]) * area
        ent = dens / dens.sum() * cfg.enterprises if dens.sum() > 0 else np.zeros(len(vf))
    else:
        ent = vf["enterprises"].fillna(0.0).to_numpy(float)
    villages = [
        Village(i, str(r.name), Outline.of(r.geometry), float(r.households), float(ent[i]), LandUse(r.land_use))
        for i, r in enumerate(vf.itertuples(index=False))
    ]
    street = scenario.grid_staff.street_km_per_km2
    grids: list[Grid] = []
    given = layers.grids
    for v in villages:
        if given is not None:
            mine = given[given["village"] == v.name]
            shapes = list(mine.geometry)
            names = [str(n) for n in mine["name"]]
            hh = mine["households"].to_numpy(float)
        else:
            geom = v.box.geometry  # type: ignore[attr-defined]
            pieces = split_households(geom, grid_count(v.households, scenario), _households_in(geom, layers))
            shapes = [p for p, _ in pieces]
            names = [f"{v.name}-{j + 1}" for j in range(len(shapes))]
            weight = np.array([w for _, w in pieces])
            # by the household points when the village has any, else by area
            hh = v.households * weight / weight.sum() if weight.sum() > 0 else np.full(len(shapes), np.nan)
        if np.isnan(hh).any():
            share = np.array([s.area for s in shapes]) / sum(s.area for s in shapes)
            hh = v.households * share
        for name, shape, h in zip(names, shapes, hh, strict=True):
            box = Outline.of(shape)
            g = Grid(len(grids), name, v.index, box, float(h), v.land_use,
                     box.area * street.get(v.land_use, 3.0))
            v.grids.append(g.index)
            grids.append(g)
    return villages, grids


def gis_town(scenario: Scenario) -> TownMap:
    """Build the ``TownMap`` of a scenario with ``[town.gis]``."""
    from sim.town import EuclideanTravel, TownMap

    cfg = scenario.town
    assert cfg.gis is not None
    layers = town_layers(cfg.gis)
    villages, grids = build_gis_villages(scenario, layers)
    res = layers.villages["residents"].to_numpy(float)
    # Real villages bring their own residents (town.residents is the lattice's): the layer's
    # residents column, or households × persons per household.
    if not np.isnan(res).all():
        residents = float(np.nansum(res))
    else:
        residents = sum(v.households for v in villages) * cfg.persons_per_household
    places = PolygonPlaces(villages, layers.points)
    warnings = list(layers.warnings)
    empty = places.villages_without_points()
    if len(empty) and cfg.gis.points is not None:
        names = name_list([villages[i].name for i in empty], shown=5)
        warnings.append(RunWarning("villages_without_points", {
            "file": cfg.gis.points.path, "villages": len(empty), "names": names}))
    _minx, _miny, maxx, maxy = layers.villages.total_bounds
    town = TownMap(villages, grids, EuclideanTravel(cfg.travel), (float(maxx), float(maxy)),
                   crs=layers.crs, origin_m=layers.origin_m, residents=residents, source="gis",
                   locator=PolygonLocator(grids), places=places, warnings=warnings)
    if cfg.roads is not None:
        attach_roads(town, cfg.roads)
    return town


def attach_roads(town: TownMap, roads: Roads) -> None:
    """Replace straight-line travel with the road network; report places no road reaches."""
    net = road_network(roads, town.crs, town.origin_m)
    town.roads = net
    town.travel = RoadTravel(net, town.travel)  # type: ignore[arg-type]
    town.warnings.extend(net.warnings)
    pts = np.array([g.box.centroid for g in town.grids])
    _, d = net.snap("car", pts[:, 0], pts[:, 1])
    far = np.flatnonzero(d > roads.max_access_km)
    if len(far):
        names = name_list([f"{town.grids[i].id} {d[i]:.1f} km" for i in far], shown=5)
        town.warnings.append(RunWarning("grids_far_from_roads", {
            "file": str(net.path), "grids": len(far), "total": len(town.grids), "max_km": roads.max_access_km, "names": names}))


