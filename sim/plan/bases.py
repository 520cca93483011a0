"""Squad base and zone proposals for K squads: located, zoned, balanced and predicted.

For every K and every location model (p-median, MCLP, p-center) the bases come from
:mod:`sim.plan.locate`, the zones start as nearest-base zones and are balanced with the
hypercube (:mod:`sim.plan.zones`). Today's plan (the scenario's own bases, zones and
dispatch rule) is evaluated the same way, so every proposal has a baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from sim.plan.inputs import PlanError, PlanTown, Point
from sim.plan.locate import METHODS, Method, Sites, cost_matrix, locate
from sim.plan.zones import Evaluation, adjacency, balance_zones, evaluate, nearest_zones

CURRENT = "current"


@dataclass(frozen=True)
class BasePlan:
    """One squad plan: bases, zones (village → squad), dispatch rule and what the hypercube predicts."""

    id: str
    method: str  # "current" or a location model
    k: int
    crews: int
    bases: list[Point]
    base_names: list[str]
    zone: np.ndarray
    rule: str
    objective: float | None  # the location model's own objective (minutes or covered share)
    optimal: bool
    moves: int  # villages moved between zones by the balancing
    predicted: Evaluation

    def base_labels(self, town: PlanTown) -> list[str]:
        """Each base as tables and maps name it: squad, site and the village it lies in (``S1 R21 徐庄村``).

        A village-centroid site is the village's own name, so it is not repeated; today's bases
        have no site, only their squad and village.
        """
        out = []
        for s, (name, xy) in enumerate(zip(self.base_names, self.bases, strict=True)):
            v = _village_of(town, xy)
            village = town.villages[v] if v >= 0 else ""
            squad = name if self.method == CURRENT else f"S{s + 1}"
            site = "" if self.method == CURRENT or name == village else f" {name}"
            out.append(f"{squad}{site} {village}".rstrip())
        return out

    def zones_by_squad(self, villages: list[str]) -> list[list[str]]:
        """Each squad's zone as village names, as a scenario's ``[[squads.units]]`` lists it."""
        return [[villages[v] for v in np.flatnonzero(self.zone == s)] for s in range(self.k)]


def plan_id(method: str, k: int) -> str:
    """Name a plan in tables and file names (``pmedian_k3``; today's plan keeps its own name)."""
    return CURRENT if method == CURRENT else f"{method.replace('-', '')}_k{k}"


def _village_of(town: PlanTown, p: Point) -> int:
    pt = shapely.Point(p)
    hits = [i for i, poly in enumerate(town.polygons) if poly.covers(pt)]
    return hits[0] if hits else -1


def point_costs(town: PlanTown, points: list[Point]) -> np.ndarray:
    """Trip minutes (overhead included) from each point to each demand point: atoms × points."""
    return np.array([[town.overhead_min + town.travel(p, tuple(a)) for p in points] for a in town.atom_xy])


def current_plan(town: PlanTown) -> BasePlan:
    """Today's bases, zones and rule, evaluated like the proposals."""
    k = len(town.current_bases)
    zone = np.zeros(len(town.villages), dtype=int)
    for s, members in enumerate(town.current_zones):
        zone[members] = s
    base_cost = point_costs(town, town.current_bases)
    return BasePlan(CURRENT, CURRENT, k, k * town.crews_per_squad, list(town.current_bases),
                    list(town.current_ids) or [f"S{s + 1}" for s in range(k)], zone, town.current_rule, None, True, 0,
                    evaluate(town, base_cost, zone, town.current_rule))


def propose_bases(town: PlanTown, ks: list[int], sites: Sites, rule: str = "home_zone_first",
                  methods: tuple[Method, ...] = METHODS, time_limit_s: float = 30.0,
                  progress: Callable[[str], None] | None = None) -> list[BasePlan]:
    """Every (K, model) proposal, zones balanced under ``rule``; infeasible settings raise PlanError."""
    if town.budget_min <= 0:
        raise PlanError(f"coverage budget is {town.budget_min:g} min ({town.respond_limit_min:g}-minute rule "
                        f"- triage {town.triage_min:g} - dispatch overhead {town.overhead_min:g}): nothing can be "
                        "reached in time; the nearest feasible setting keeps command_centre.triage_min + "
                        f"squads.dispatch_overhead_min below {town.respond_limit_min:g} min")
    if max(ks) > len(sites):
        fit = [k for k in ks if k <= len(sites)]
        nearest = f"{fit[0]}..{fit[-1]}" if len(fit) > 1 else str(fit[0] if fit else len(sites))
        raise PlanError(f"--squads {max(ks)}: there are only {len(sites)} candidate sites "
                        f"({', '.join(sorted(set(sites.kinds)))}); the nearest feasible setting is --squads {nearest}")
    cost = cost_matrix(town, sites)
    adj = adjacency(town)
    plans = []
    for k in ks:
        for method in methods:
            if progress:
                progress(f"{method}, {k} squads")
            loc = locate(cost, town.squad_calls, town.atom_village, k, method, town.reach_min, time_limit_s)
            bases = [(float(sites.xy[j, 0]), float(sites.xy[j, 1])) for j in loc.sites]
            base_cost = cost[:, loc.sites]
            zone = nearest_zones(town, base_cost)
            base_village = [_village_of(town, b) for b in bases]
            for s, v in enumerate(base_village):  # a base's own village is in its zone
                if v >= 0:
                    zone[v] = s
            zone, ev, moves = balance_zones(town, base_cost, base_village, zone, adj, rule)
            plans.append(BasePlan(plan_id(method, k), method, k, k * town.crews_per_squad, bases,
                                  [sites.names[j] for j in loc.sites], zone, rule, loc.objective, loc.optimal,
                                  moves, ev))
    return plans


def pareto_front(plans: list[BasePlan]) -> list[bool]:
    """Non-dominated plans: fewer crews, higher predicted 15-minute share, lower max/mean workload."""
    def key(p: BasePlan) -> tuple[float, float, float]:
        return (p.crews, -p.predicted.fifteen_share, p.predicted.max_over_mean)

    keys = [key(p) for p in plans]
    return [not any(all(o <= s for o, s in zip(other, mine, strict=False)) and other != mine for other in keys)
            for mine in keys]
