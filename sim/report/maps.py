"""The report's maps, drawn by ``sim.geo`` (the same drawing as ``gridsim map``).

A run folder of one replication carries its layers (``grids.gpkg`` with every per-grid
measure, ``squads.gpkg``, ``roads.gpkg``); any other folder carries its scenario, from
which the model builds the town and its squads (generated lattice or ``[town.gis]``), so
every report can show the layout it rests on with a scale bar, a north arrow and a legend.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.fonts import cjk_font
from sim.report.catalogue import Lang
from sim.report.figures import embed

if TYPE_CHECKING:
    import geopandas as gpd

    from sim.config import Scenario


@dataclass(frozen=True)
class TownLayers:
    """Grids, villages, squad zones and bases (and roads) of one option, in one CRS."""

    grids: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame | None
    zones: gpd.GeoDataFrame | None
    bases: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None = None

    def with_grid_values(self, column: str, values: Any) -> TownLayers:
        """Return the layers with one more per-grid column to shade."""
        return replace(self, grids=self.grids.assign(**{column: values}))


def of_scenario(sc: Scenario) -> TownLayers:
    """Build the town and squads of a scenario (the model built, not run), in model km."""
    from sim.geo.export import grid_frame, squad_frames, village_frame
    from sim.model import TownModel

    model = TownModel(sc, seed=0, days=1)
    bases, zones = squad_frames(model)
    roads = model.town.roads.frame() if model.town.roads is not None else None
    return TownLayers(grid_frame(model.town), village_frame(model.town), zones if len(zones) else None,
                      bases if len(bases) else None, roads)


def of_snapshot(snapshot: dict[str, Any] | None) -> TownLayers | None:
    """Build the layout of a folder's scenario snapshot (None: no snapshot, or it no longer validates)."""
    from sim.config import ScenarioError, validate_scenario
    from sim.geo import GeoError

    if snapshot is None:
        return None
    try:
        return of_scenario(validate_scenario(snapshot["resolved"], source=snapshot["path"]))
    except (ScenarioError, GeoError, OSError):
        return None


def of_run(folder: Path) -> TownLayers | None:
    """Read the layers ``gridsim run`` wrote beside one replication's results (None: not there)."""
    from sim.geo.maps import MapError, read_run_layers

    if not (folder / "grids.gpkg").is_file():
        return None
    try:
        layers = read_run_layers(folder)
    except MapError:
        return None
    grids = layers["grids"]
    if grids is None:
        return None
    return TownLayers(grids, layers["villages"], layers["zones"], layers["bases"], layers["roads"])


def unit_of(column: str, lang: Lang) -> str:
    """Give the unit a map shows a per-grid column in (``sim.geo.maps``'s, one definition)."""
    from sim.geo.maps import label_for

    return label_for(column).unit(lang)


def draw(layers: TownLayers, column: str, lang: Lang, title: str, unit: str | None = None, *,
         legend: str | None = None, squads: bool = False, cmap: str | None = None, vmin: float | None = None, vmax: float | None = None,
         half: bool = False, grid_lines: bool = False) -> str:
    """One choropleth of ``layers.grids[column]`` as an embedded PNG (squad zones and bases on request).

    ``legend`` names the shaded value on the colour bar when the map's title says more.
    """
    import matplotlib.pyplot as plt

    from sim.geo.maps import draw_choropleth

    cjk_font()
    fig, ax = plt.subplots(figsize=(5.0, 4.9) if half else (7.0, 6.4))
    with warnings.catch_warnings():  # model-km frames carry no CRS
        warnings.simplefilter("ignore", UserWarning)
        draw_choropleth(layers.grids, column, lang=lang, title=legend or title, unit=unit, villages=layers.villages,
                        village_names=not half or layers.villages is None or len(layers.villages) <= 30,
                        roads=layers.roads, zones=layers.zones if squads else None,
                        bases=layers.bases if squads else None, cmap=cmap, vmin=vmin, vmax=vmax,
                        grid_lines=grid_lines, ax=ax)
    ax.set_title(title, fontsize=10 if half else 11)
    return embed(fig)
