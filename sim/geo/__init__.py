"""Real towns: GIS layers in, level-2 grids, road-network travel, layers and maps out.

The API other parts (dashboard, plans, reports) use; every frame is a GeoDataFrame in
model km (no CRS) unless written to a file:

* ``town_layers(gis)`` — the checked, reprojected layers of a ``[town.gis]`` section.
* ``village_frame(town)``, ``grid_frame(town)`` — villages and level-2 grids of any
  ``TownMap`` (generated or real) with their attributes; ``squad_frames(model)`` — bases
  (points) and zones (polygons); ``town.roads.frame()`` — road edges (LineStrings) when
  travel follows roads.
* ``RoadTravel`` — the road-graph ``TravelModel`` (``minutes(a, b, mode)``, and
  ``route(a, b, mode)`` for the path a trip takes, to draw).
* ``draw_choropleth(frame, column, ...)`` — a map of any numeric column with scale bar,
  north arrow, legend with units, Chinese or English labels; ``map_run(run_dir)`` draws a
  run's default set.
* ``export_town(town, path)`` — villages and grids as a GeoPackage ``[town.gis]`` reads back;
  ``write_run_layers(...)`` — a run's ``grids.gpkg``, ``squads.gpkg`` and ``roads.gpkg``.

Names are resolved on first use, so importing ``sim.geo`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "GeoError": "sim.geo.errors",
    "town_layers": "sim.geo.build",
    "village_frame": "sim.geo.export",
    "grid_frame": "sim.geo.export",
    "squad_frames": "sim.geo.export",
    "export_town": "sim.geo.export",
    "write_run_layers": "sim.geo.export",
    "RoadTravel": "sim.geo.roads",
    "RoadNetwork": "sim.geo.roads",
    "draw_choropleth": "sim.geo.maps",
    "map_run": "sim.geo.maps",
    "split_polygon": "sim.geo.split",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'sim.geo' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
