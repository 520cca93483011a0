"""A town and a run's results as GIS layers: ``grids.gpkg``, ``squads.gpkg``, ``roads.gpkg``.

Frames are built in model km (:func:`village_frame`, :func:`grid_frame`,
:func:`squad_frames`) for drawing, and written in the town's metric CRS (its UTM zone, or
the lattice's nominal placement) so any GIS opens them in place. :func:`export_town`
writes a town's villages and level-2 grids in the format ``[town.gis]`` reads back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.geo.layers import to_real
from sim.geo.places import shape_of

if TYPE_CHECKING:
    import geopandas as gpd

    from sim.model import TownModel
    from sim.town import TownMap


def village_frame(town: TownMap) -> gpd.GeoDataFrame:
    """Villages (level-1 grids) in model km: name, households, enterprises, land use, area, grids."""
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {"name": [v.name for v in town.villages], "households": [v.households for v in town.villages],
         "enterprises": [v.enterprises for v in town.villages], "land_use": [v.land_use for v in town.villages],
         "area_km2": [v.box.area for v in town.villages], "grids": [len(v.grids) for v in town.villages]},
        geometry=[shape_of(v.box) for v in town.villages],
    )


def grid_frame(town: TownMap) -> gpd.GeoDataFrame:
    """Level-2 grids in model km: id (``grid``), village, households, land use, area, street km."""
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {"grid": [g.id for g in town.grids], "village": [town.villages[g.village].name for g in town.grids],
         "households": [g.households for g in town.grids], "land_use": [g.land_use for g in town.grids],
         "area_km2": [g.area_km2 for g in town.grids], "street_km": [g.street_km for g in town.grids]},
        geometry=[shape_of(g.box) for g in town.grids],
    )


def squad_frames(model: TownModel, summary: dict[str, Any] | None = None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Squad bases (points) and zones (the union of each zone's villages), in model km."""
    import geopandas as gpd
    import shapely

    stats = {s["id"]: s for s in (summary or {}).get("squads", [])}
    keys = ("utilisation", "calls_share", "outside_zone_share")
    rows = [{"squad": s.squad_id, "crews": len(s.crews), **{k: stats.get(s.squad_id, {}).get(k) for k in keys}}
            for s in model.squads]
    bases = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["squad", "crews", *keys]),
                             geometry=shapely.points([s.base for s in model.squads]) if model.squads else [])
    zones = gpd.GeoDataFrame(
        {"squad": [s.squad_id for s in model.squads],
         "villages": [len(s.zone) for s in model.squads]},
        geometry=[shapely.union_all([shape_of(model.town.villages[v].box) for v in sorted(s.zone)])
                  for s in model.squads],
    )
    return bases, zones


def squad_routes(model: TownModel) -> gpd.GeoDataFrame | None:
    """On a road network: each squad's road route from its base to every grid of its zone."""
    import geopandas as gpd
    import shapely

    travel = model.town.travel
    if model.town.roads is None or not hasattr(travel, "route"):
        return None
    mode = model.config.squads.mode
    rows, lines = [], []
    for s in model.squads:
        for v in sorted(s.zone):
            for gi in model.town.villages[v].grids:
                g = model.town.grids[gi]
                lines.append(shapely.linestrings(travel.route(s.base, g.box.centroid, mode)))
                rows.append({"squad": s.squad_id, "grid": g.id, "minutes": travel.minutes(s.base, g.box.centroid, mode)})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["squad", "grid", "minutes"]), geometry=lines)


def _write(frame: gpd.GeoDataFrame, town: TownMap, path: Path, layer: str) -> None:
    to_real(frame, town.crs, town.origin_m).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


def write_run_layers(model: TownModel, grids: pd.DataFrame, summary: dict[str, Any], out: Path) -> None:
    """``grids.gpkg`` (grids with every per-grid measure, villages), ``squads.gpkg``, ``roads.gpkg``."""
    town = model.town
    gf = grid_frame(town)[["grid", "geometry"]].merge(grids, on="grid", how="left")
    _write(gf, town, out / "grids.gpkg", "grids")
    vf = village_frame(town)
    per_village = grids.groupby("village").agg(incidents=("incidents", "sum"), staff=("staff", "sum"))
    _write(vf.merge(per_village, left_on="name", right_index=True, how="left"), town, out / "grids.gpkg", "villages")
    bases, zones = squad_frames(model, summary)
    _write(bases, town, out / "squads.gpkg", "bases")
    _write(zones, town, out / "squads.gpkg", "zones")
    routes = squad_routes(model)
    if routes is not None:
        _write(routes, town, out / "squads.gpkg", "routes")
    if town.roads is not None:
        _write(town.roads.frame(), town, out / "roads.gpkg", "roads")


def export_town(town: TownMap, path: Path) -> None:
    """Villages and level-2 grids as a GeoPackage that ``[town.gis]`` can read back."""
    _write(village_frame(town), town, path, "villages")
    _write(grid_frame(town).rename(columns={"grid": "name"}), town, path, "grids")


def town_info(town: TownMap) -> dict[str, Any]:
    """State what every run says about its geometry (the ``town`` key of summary.json)."""
    info: dict[str, Any] = {"source": town.source, "crs": town.crs, "origin_m": list(town.origin_m),
                            "villages": len(town.villages), "travel": "roads" if town.roads is not None else "straight_line"}
    if town.roads is not None:
        info["roads"] = str(town.roads.path)
    return info
