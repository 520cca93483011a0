"""The expected size of a run, refused beyond documented limits before anything is built.

A scenario whose every number is within its bound can still multiply into a run no
machine finishes (a million residents × the highest rate × ten years). The estimate uses
the scenario's own rates, so the refusal can say how big the run would have been.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim import limits
from sim.config.base import ScenarioError
from sim.config.scenario import Scenario
from sim.vocabulary import DAYS_PER_YEAR, MINUTES_PER_DAY


@dataclass(frozen=True)
class RunSize:
    """What a run of ``days`` days is expected to create."""

    incidents: float
    hall_cases: float
    staff: float
    grids: float
    ticks: float

    @property
    def events(self) -> float:
        """Incidents and hall cases together: the events the run-size guard counts."""
        return self.incidents + self.hall_cases


def expected_size(sc: Scenario, days: float) -> RunSize:
    """Estimate the incidents and hall cases, staff (department staff too), grids and clock steps of one run, before building it."""
    t = sc.town
    households: float
    residents = float(t.residents or 0)
    given_grids: int | None = None
    if t.gis is not None:
        villages, households, residents, given_grids = gis_counts(sc)
    elif t.village_list:
        villages = len(t.village_list)
        households = sum(v.households for v in t.village_list)
    else:
        villages = t.villages
        households = residents / t.persons_per_household
    g = t.grid_division
    grids = (float(given_grids) if given_grids is not None
             else villages * g.grids_per_village if g.grids_per_village is not None
             else households / (g.households_per_grid or 1.0) + villages)  # at least one per village
    per_grid = sum(r.count for r in sc.grid_staff.all_roles().values())
    hall = sc.service_hall
    domains = {c.domain for c in sc.incidents.categories}
    departments = sum(d.staff_of(x) for d in (sc.tiers.town_departments, sc.tiers.county_departments) for x in domains)
    staff = (grids * per_grid + villages * sc.tiers.village_cadres + sc.squads.total_crews + departments
             + (hall.windows if hall is not None else 0))
    years = days / DAYS_PER_YEAR
    return RunSize(
        incidents=residents / 10_000 * sc.incidents.events_per_10k_residents_per_year * years,
        hall_cases=(hall.cases_per_year * years) if hall is not None else 0.0,
        staff=staff, grids=grids, ticks=days * MINUTES_PER_DAY / sc.run.tick_minutes)


def gis_counts(sc: Scenario) -> tuple[int, float, float, int | None]:
    """Count the villages, households, residents and given level-2 grids of ``town.gis``.

    The layers are read once and cached; zeros when they cannot be read (they are refused,
    naming the file, when the town is built).
    """
    import numpy as np  # only for a real town's layers: reading a scenario needs no numpy

    from sim.geo.errors import GeoError

    assert sc.town.gis is not None
    try:
        from sim.geo.build import town_layers

        layers = town_layers(sc.town.gis)
    except (GeoError, ImportError):  # refused (or the geo extra missing) when the town is built
        return 0, 0.0, 0.0, None
    vf = layers.villages
    households = float(vf["households"].sum())
    res = vf["residents"].to_numpy(float)
    residents = float(res[~np.isnan(res)].sum()) if not np.isnan(res).all() else households * sc.town.persons_per_household
    return len(vf), households, residents, (len(layers.grids) if layers.grids is not None else None)


def check_run_size(sc: Scenario, days: float, source: str, days_from: str = "run.days") -> None:
    """Refuse (ScenarioError, one line) a run beyond MAX_RUN_EVENTS/STAFF/GRIDS/TICKS.

    ``days_from`` names where the run length came from (``run.days``, ``--days``,
    ``experiment.days``), so the refusal points at what to shorten.
    """
    size = expected_size(sc, days)
    for what, value, limit in (("incidents and hall cases", size.events, limits.MAX_RUN_EVENTS),
                               ("staff", size.staff, limits.MAX_RUN_STAFF),
                               ("grids", size.grids, limits.MAX_RUN_GRIDS),
                               ("clock steps", size.ticks, limits.MAX_RUN_TICKS)):
        if not math.isfinite(value) or value > limit:
            raise ScenarioError(f"{source}: a {days:g}-day run ({days_from}) would have ≈ {value:,.0f} {what}, beyond the "
                                f"limit of {limit:,} (sim/limits.py); shorten the run or shrink the town")
