"""Squad zones that balance crew workload, judged by Larson's hypercube.

A plan is bases plus zones (the villages each squad answers first under
``home_zone_first``). Its crews, demand points and dispatch preferences form a hypercube
(``sim.analytic``): exact up to 9 crews, Larson's approximation beyond. The preference
order is the dispatch rule's own (``DispatchRule.preferences`` in ``sim.policies``), the
one the simulation and ``gridsim analytic`` use; moving a village between zones changes
only the rows of that village's grids, so a trial move re-ranks just those. Starting from
nearest-base zones, villages on a zone's edge move to a neighbouring zone while the
busiest squad's workload falls, every zone stays contiguous and the share of calls whose
home base is within the 15-minute budget does not drop.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from libpysal.weights import fuzzy_contiguity
from scipy.sparse.csgraph import connected_components

from sim.analytic.approx import approximate_hypercube
from sim.analytic.hypercube import MAX_EXACT_UNITS, HypercubeResult, solve_hypercube
from sim.plan.inputs import PlanError, PlanTown
from sim.policies import DISPATCH_RULES, DispatchRule
from sim.stats import gini

EXACT_UP_TO = 9  # crews; beyond, an exact solve takes seconds (2^N states)


@dataclass(frozen=True)
class Evaluation:
    """What the hypercube predicts for one plan (rates per on-duty minute)."""

    squad_workload: np.ndarray  # mean workload of each squad's crews
    max_over_mean: float  # of the squads' workloads
    crew_gini: float  # Gini of the crews' workloads (as the simulation's workload_gini.squad_crew)
    fifteen_share: float  # predicted share of squad calls reached within the 15-minute rule
    mean_travel_min: float
    p_wait: float
    home_coverage: float  # share of calls whose home base is within the budget
    exact: bool


def adjacency(town: PlanTown) -> np.ndarray:
    """Villages that share a boundary (libpysal contiguity of the village polygons), as a 0/1 matrix."""
    with warnings.catch_warnings():  # libpysal's own use of a pandas API being deprecated
        warnings.simplefilter("ignore")
        w = fuzzy_contiguity(gpd.GeoDataFrame(geometry=town.polygons), tolerance=1e-6, buffering=True,
                             buffer=1e-6, silence_warnings=True)
    n = len(town.polygons)
    a = np.zeros((n, n), dtype=bool)
    for i, nbrs in w.neighbors.items():
        a[i, list(nbrs)] = True
    return a


def nearest_zones(town: PlanTown, base_cost: np.ndarray) -> np.ndarray:
    """Zone of each village: the base with the shortest call-weighted mean trip to it."""
    n_v = len(town.villages)
    w = np.maximum(town.squad_calls, 1e-12)
    total = np.zeros((n_v, base_cost.shape[1]))
    np.add.at(total, town.atom_village, w[:, None] * base_cost)
    return np.asarray(total.argmin(axis=1))


def dispatch_rule(rule: str) -> DispatchRule:
    """Return the rule object of a rule name (plans name rules; the rule owns its preference order)."""
    return DISPATCH_RULES[rule].model_validate({"rule": rule})


def unit_travel(town: PlanTown, base_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each crew's squad, and its trip minutes to every demand point (units × atoms)."""
    unit_squad = np.repeat(np.arange(base_cost.shape[1]), town.crews_per_squad)
    return unit_squad, base_cost[:, unit_squad].T


def preferences(town: PlanTown, base_cost: np.ndarray, zone: np.ndarray, rule: DispatchRule,
                atoms: np.ndarray | None = None) -> np.ndarray:
    """Rank the crews for each demand point by the rule's own ``preferences()`` (atoms × units).

    ``zone`` maps village → squad; ``atoms`` restricts the answer to those demand points
    (rows in that order).
    """
    unit_squad, travel = unit_travel(town, base_cost)
    squad_zone = [set(np.flatnonzero(zone == s).tolist()) for s in range(base_cost.shape[1])]
    atoms = np.arange(travel.shape[1]) if atoms is None else atoms
    return rule.preferences(travel[:, atoms], [squad_zone[s] for s in unit_squad],
                            town.atom_village[atoms].tolist())


def evaluate(town: PlanTown, base_cost: np.ndarray, zone: np.ndarray, rule: str | DispatchRule,
             exact: bool | None = None, order: np.ndarray | None = None) -> Evaluation:
    """Hypercube of the plan: each crew a unit at its squad's base, each grid an atom.

    ``base_cost[j, s]`` is the trip from squad s's base to demand point j; ``zone[v]`` the
    squad whose zone holds village v; ``order`` the rule's preference lists when the caller
    has them already. ``exact=False`` insists on Larson's approximation (RuntimeError where
    it breaks down); None picks the exact model up to 9 crews.
    """
    k, c = base_cost.shape[1], town.crews_per_squad
    rule = dispatch_rule(rule) if isinstance(rule, str) else rule
    unit_squad, travel = unit_travel(town, base_cost)
    lam = town.squad_calls
    home_squad = zone[town.atom_village]
    if order is None:
        order = preferences(town, base_cost, zone, rule)
    w = lam / lam.sum()
    first = travel[order[:, 0], np.arange(len(lam))]
    busy = town.work_min + town.overhead_min + town.trips * (float(w @ first) - town.overhead_min)
    mu = 1.0 / busy
    if lam.sum() >= k * c * mu:
        need = int(np.ceil(lam.sum() * busy / c + 1e-9))
        raise PlanError(f"--squads {k}: {k * c} crews cannot keep up with {lam.sum() * busy:.1f} crew-loads of "
                        f"squad calls (utilisation >= 100%); the nearest feasible setting is --squads {need}")
    use_exact = k * c <= EXACT_UP_TO if exact is None else exact
    home = np.array([int(np.flatnonzero(unit_squad == h)[0]) for h in home_squad])
    result: HypercubeResult
    if use_exact:
        result = solve_hypercube(lam, order, mu, "infinite", travel, home)
    else:
        try:
            result = approximate_hypercube(lam, order, mu, "infinite", travel, home)
        except RuntimeError:
            if exact is False or k * c > MAX_EXACT_UNITS:
                raise
            result = solve_hypercube(lam, order, mu, "infinite", travel, home)
            use_exact = True
    squad_load = result.workload.reshape(k, c).mean(axis=1)
    immediate = result.fraction_calls - result.p_queue / (k * c) * w[None, :]  # minus queued calls
    in_time = float((immediate * (travel <= town.reach_min)).sum()) * town.on_duty_call_share
    home_cov = float(w @ (base_cost[np.arange(len(lam)), home_squad] <= town.reach_min))
    return Evaluation(
        squad_workload=squad_load,
        max_over_mean=float(squad_load.max() / squad_load.mean()),
        crew_gini=gini(result.workload),
        fifteen_share=in_time,
        mean_travel_min=float(result.mean_travel_time or 0.0),
        p_wait=float(result.p_queue),
        home_coverage=home_cov,
        exact=use_exact,
    )


def _connected(members: np.ndarray, adj: np.ndarray) -> bool:
    if members.size <= 1:
        return True
    n, _ = connected_components(adj[np.ix_(members, members)], directed=False)
    return n == 1


def balance_zones(town: PlanTown, base_cost: np.ndarray, base_village: list[int], zone: np.ndarray,
                  adj: np.ndarray, rule: str = "home_zone_first",
                  max_moves: int = 200) -> tuple[np.ndarray, Evaluation, int]:
    """Move edge villages out of the busiest zone while its workload falls and coverage holds.

    Returns the zones, their evaluation and the number of moves made. A zone keeps the
    village holding its base, stays contiguous and is never emptied.
    """
    zone = zone.copy()
    the_rule = dispatch_rule(rule)
    order = preferences(town, base_cost, zone, the_rule)
    current = evaluate(town, base_cost, zone, the_rule, exact=False, order=order)
    floor = current.home_coverage - 1e-9
    moves = 0
    while moves < max_moves:
        worst = int(current.squad_workload.argmax())
        members = np.flatnonzero(zone == worst)
        best: tuple[float, int, int, Evaluation, np.ndarray] | None = None
        for v in members:
            if base_village[worst] == v or members.size == 1:
                continue
            rest = members[members != v]
            if not _connected(rest, adj):
                continue
            rows = np.flatnonzero(town.atom_village == v)
            for z in sorted(set(zone[adj[v]]) - {worst}):
                trial = zone.copy()
                trial[v] = z
                trial_order = order.copy()
                trial_order[rows] = preferences(town, base_cost, trial, the_rule, rows)
                try:
                    ev = evaluate(town, base_cost, trial, the_rule, exact=False, order=trial_order)
                except RuntimeError:  # Larson's approximation breaks down for this trial
                    continue
                if ev.home_coverage < floor or ev.squad_workload.max() >= current.squad_workload.max() - 1e-6:
                    continue
                key = float(ev.squad_workload.max())
                if best is None or key < best[0]:
                    best = (key, int(v), int(z), ev, trial_order)
        if best is None:
            break
        zone[best[1]] = best[2]
        current, order = best[3], best[4]
        moves += 1
    return zone, evaluate(town, base_cost, zone, the_rule, order=order), moves
