"""Proposals as scenario files: each ``extends`` the input scenario and changes only the plan.

The variant is also validated as the scenario it means (the input's table with the plan
applied), so a proposal that would not load is refused before anything is written.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import tomli_w

from sim.config import Scenario, read_scenario_data, validate_scenario
from sim.plan.bases import BasePlan


def bases_overlay(plan: BasePlan, villages: list[str], crews_per_squad: int, name: str) -> dict[str, Any]:
    """Build the tables a squad plan changes: bases, zones, crews and the dispatch rule."""
    units = [{"id": f"S{s + 1}", "base": [round(x, 4), round(y, 4)], "crews": crews_per_squad, "zone": zone}
             for s, ((x, y), zone) in enumerate(zip(plan.bases, plan.zones_by_squad(villages), strict=False))]
    objective = "" if plan.objective is None else f", objective {plan.objective:.4g}"
    return {
        "meta": {"name": f"{name}-{plan.id}",
                 "description": f"gridsim plan bases: {plan.method}, {plan.k} squads{objective}, "
                                f"zones balanced by the hypercube ({plan.moves} villages moved)"},
        "command_centre": {"dispatch_rule": plan.rule},
        "squads": {"count": plan.k, "units": units},
    }


def applied(input_path: Path, overlay: dict[str, Any], days: float | None = None) -> tuple[dict[str, Any], Scenario]:
    """Lay the overlay's tables over the input scenario's table and validate the result (sized by ``days`` if given)."""
    data = copy.deepcopy(read_scenario_data(input_path))
    for section, table in overlay.items():
        merged = dict(data.get(section, {}))
        merged.update(table)  # lists (units) replace, they do not merge
        data[section] = merged
    return data, validate_scenario(data, source=f"{input_path} + plan {overlay['meta']['name']}", days=days)


def write_variant(path: Path, final_path: Path, input_path: Path, overlay: dict[str, Any],
                  full: dict[str, Any], may_write_full: bool = True) -> None:
    """Write ``overlay`` as a scenario extending the input (relative to where it will finally live).

    When the input lists squad units of its own, ``extends`` would merge them with the
    plan's by id; then the full scenario is written instead.
    """
    base_units = read_scenario_data(input_path).get("squads", {}).get("units")
    if base_units and may_write_full:
        text = tomli_w.dumps(full)
    else:
        rel = os.path.relpath(input_path.resolve(), final_path.parent.resolve())
        text = tomli_w.dumps({"extends": rel, **overlay})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Written by `gridsim plan`; run it with `gridsim run` or compare it with `gridsim compare`.\n"
                    + text, encoding="utf-8")


def grids_overlay(input_data: dict[str, Any], name: str, town_file: str, objective: str,
                  complete: bool) -> dict[str, Any]:
    """Build the tables a grid plan changes: the level-2 grid layer of ``[town.gis]``.

    With it goes the villages layer the proposal was cut from, when the input is the generated
    town. ``complete``: the whole ``[town.gis]`` table (to validate and run in memory); otherwise
    only what a file extending the input must add (the input's own layers stay relative to it).
    """
    base_gis = input_data.get("town", {}).get("gis")
    gis = dict(base_gis or {}) if complete else {}
    if not base_gis:
        gis["villages"] = {"path": town_file, "layer": "villages", "name": "name", "households": "households",
                           "enterprises": "enterprises", "land_use": "land_use"}
    gis["grids"] = {"path": town_file, "layer": "grids", "name": "name", "village": "village",
                    "households": "households"}
    town: dict[str, Any] = {"gis": gis}
    if input_data.get("town", {}).get("village_list"):
        town["village_list"] = []  # the villages now come from the layer
    return {"meta": {"name": f"{name}-grids", "description": f"gridsim plan grids: {objective}"}, "town": town}


def write_town_layers(town_map: Any, grids: Any, path: Path) -> None:
    """Villages (as the scenario has them) and the proposed grids, in the town's metric CRS."""
    from sim.geo.export import village_frame
    from sim.geo.layers import to_real

    for frame, layer in ((village_frame(town_map), "villages"), (grids.rename(columns={"grid": "name"}), "grids")):
        to_real(frame, town_map.crs, town_map.origin_m).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
