"""What every plan is made from: villages as polygons, where work arises, and travel times.

A plan needs little of the model: the villages (level-1 grids) with their polygons and
households, the expected events per month (all categories) and squad calls (per on-duty
minute) at each demand point, and the squads' travel time between two points. Reading
these off a scenario in one place lets the optimisers run on the generated lattice town or
on imported boundaries and road networks alike: they only see a :class:`PlanTown`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from sim.analytic.from_scenario import squad_system
from sim.config import Scenario
from sim.geo.places import shape_of
from sim.model import TownModel
from sim.vocabulary import DAYS_PER_MONTH, MINUTES_PER_DAY

Point = tuple[float, float]


class PlanError(Exception):
    """A plan that cannot be made as asked; the message says why and the nearest feasible setting."""


class SolverError(Exception):
    """The solver failed or ran out of time; the message names the time-limit option."""


@dataclass(frozen=True)
class PlanTown:
    """Villages, demand points (the level-2 grids of the current division) and travel times.

    ``squad_calls[j]`` is the expected number of calls per on-duty minute that need a squad at
    demand point j (calls arising off duty wait for the shift, as in the simulation).
    """

    villages: list[str]
    polygons: list[BaseGeometry]
    households: np.ndarray
    land_use: list[str]
    events_per_month: np.ndarray  # per village, every category
    atoms: list[str]  # today's level-2 grids, the squads' demand points
    atom_village: np.ndarray
    atom_xy: np.ndarray  # (J, 2), km
    grid_polygons: list[BaseGeometry]  # today's level-2 grids
    grid_households: np.ndarray
    squad_calls: np.ndarray  # per atom, per on-duty minute
    calls_by_hour: np.ndarray  # (24,) share of squad calls arising in each hour of the day
    on_duty_call_share: float  # share of squad calls that arise while squads are on duty
    duty_min_per_day: float  # squads' on-duty minutes per day
    travel: Callable[[Point, Point], float]  # squads' minutes from a to b (their mode)
    overhead_min: float  # dispatch overhead added to every trip
    triage_min: float  # mean triage time before a dispatch
    respond_limit_min: float  # the 15-minute rule of the squads' complaint-type categories
    work_min: float  # mean on-scene minutes per squad call
    trips: int  # 2 when crews drive back to base after a call, else 1
    crews_per_squad: int
    current_bases: list[Point]
    current_zones: list[list[int]]  # village indices per current squad
    current_rule: str
    current_ids: tuple[str, ...] = ()  # today's squads' ids (S1, S2, …), in the order of current_bases
    mode: str = "car"  # the squads' travel mode
    roads: Any = None  # sim.geo.roads.RoadNetwork when travel follows roads
    crs: str = ""  # km east and north of origin_m (metres) in this CRS
    origin_m: tuple[float, float] = (0.0, 0.0)

    @property
    def centroids(self) -> np.ndarray:
        """Each village's centroid, or a point inside it where the centroid falls outside (a crescent)."""
        pts = [p.centroid if p.contains(p.centroid) else p.point_on_surface() for p in self.polygons]
        return np.array([(c.x, c.y) for c in pts])

    @property
    def budget_min(self) -> float:
        """Minutes a crew may drive and still meet the 15-minute rule: limit − triage − dispatch overhead."""
        return self.respond_limit_min - self.triage_min - self.overhead_min

    @property
    def reach_min(self) -> float:
        """The budget in the units of the cost matrices, which include the dispatch overhead."""
        return self.budget_min + self.overhead_min

    def calls_per_day(self) -> np.ndarray:
        """Estimate squad calls per day at each demand point (the location models' weights)."""
        return self.squad_calls * self.duty_min_per_day


def _events_per_month(model: TownModel) -> np.ndarray:
    """Estimate incidents per village per month over every category (the incident model's rates)."""
    stream = model.stream
    per_day = float(stream.hourly_rate.sum())
    out = np.zeros(len(model.town.villages))
    for c, cdf in enumerate(stream.village_cdf):
        out += per_day * DAYS_PER_MONTH * stream.category_p[c] * np.diff(np.concatenate([[0.0], cdf]))
    return out


def plan_town(scenario: Scenario) -> PlanTown:
    """Read a planning instance off a scenario (the town is built, nothing is run)."""
    model = TownModel(scenario, seed=scenario.run.seed, days=1)
    town = model.town
    squads = scenario.squads
    squad_cats = [c for c in scenario.incidents.categories if c.town_handler == "squad"]
    if not squad_cats or not squads.n:
        raise PlanError(f"{scenario.meta.name}: no category is handled by a squad, so there are no squad calls to plan for")
    try:
        ss = squad_system(scenario)
    except ValueError as exc:
        raise PlanError(f"{scenario.meta.name}: {exc}") from None
    atom_village = np.array([g.village for g in town.grids])
    atom_xy = np.array([g.box.centroid for g in town.grids])
    if scenario.town.incidents_at_centroids:
        atom_xy = np.array([town.villages[g.village].box.centroid for g in town.grids])
    # Back out the on-scene time from the hypercube inputs: busy = work + overhead + trips × first drive
    # (travel_min is overhead + drive, as the simulation counts the response).
    trips = 2 if squads.return_to_base else 1
    w = ss.arrival_rates / ss.arrival_rates.sum()
    first = np.array([ss.travel_min[ss.preferences[j][0], j] for j in range(len(w))])
    overhead = squads.dispatch_overhead_min
    work = ss.mean_busy_min - overhead - trips * (float(w @ first) - overhead)
    cal = model.squads[0].calendar
    profile = np.asarray(scenario.incidents.hourly_profile, dtype=float)
    hour_share = profile / profile.sum()
    if cal.always:
        on_duty = 1.0
    else:
        on_duty = float(sum(hour_share[h] for h in range(24) if cal.on_duty(h * 60.0 + 30.0)))
    fifteen = scenario.fifteen_minute_categories
    limits = [c.respond_limit_min for c in squad_cats if c.name in fifteen] or [c.respond_limit_min for c in squad_cats]
    mode = squads.mode

    def travel(a: Point, b: Point) -> float:
        return town.travel.minutes(a, b, mode)

    zone_of = [sorted(s.zone) for s in model.squads]
    return PlanTown(
        villages=[v.name for v in town.villages],
        polygons=[shape_of(v.box) for v in town.villages],
        households=np.array([v.households for v in town.villages], dtype=float),
        land_use=[v.land_use for v in town.villages],
        events_per_month=_events_per_month(model),
        atoms=[g.id for g in town.grids],
        atom_village=atom_village,
        atom_xy=atom_xy,
        grid_polygons=[shape_of(g.box) for g in town.grids],
        grid_households=np.array([g.households for g in town.grids], dtype=float),
        squad_calls=ss.arrival_rates,
        calls_by_hour=hour_share,
        on_duty_call_share=on_duty,
        duty_min_per_day=MINUTES_PER_DAY if cal.always else cal.length,
        travel=travel,
        overhead_min=squads.dispatch_overhead_min,
        triage_min=scenario.command_centre.triage_min.mean,
        respond_limit_min=float(min(limits)),
        work_min=float(work),
        trips=trips,
        crews_per_squad=squads.crews_per_squad,
        current_bases=[(float(s.base[0]), float(s.base[1])) for s in model.squads],
        current_zones=zone_of,
        current_rule=scenario.command_centre.dispatch_rule.rule,
        current_ids=tuple(s.squad_id for s in model.squads),
        mode=mode,
        roads=town.roads,
        crs=town.crs,
        origin_m=town.origin_m,
    )

