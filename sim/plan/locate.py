"""Where squads should be based: p-median, maximal coverage and p-center with spopt.

Demand points are the current level-2 grids weighted by their expected squad calls;
candidate sites are the village centroids, road intersections or the scenario's own
sites (:mod:`sim.plan.sites`); the cost of serving a
point from a site is the squads' travel time on the scenario's travel model plus the
dispatch overhead. Each model is an integer programme solved by an open solver (HiGHS
through PuLP) under a time limit.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pulp
from spopt.locate import LSCP, MCLP, PMedian

from sim.plan.inputs import PlanError, PlanTown, SolverError

Method = Literal["p-median", "mclp", "p-center"]
METHODS: tuple[Method, ...] = ("p-median", "mclp", "p-center")


@dataclass(frozen=True)
class Sites:
    """Candidate squad bases: names, coordinates in km and kind (listed, villages, road_nodes)."""

    names: list[str]
    xy: np.ndarray  # (S, 2)
    kinds: list[str]

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class Location:
    """The sites one model chose, its objective value and whether the solver proved it optimal."""

    method: Method
    k: int
    sites: list[int]
    objective: float
    optimal: bool


def village_sites(town: PlanTown) -> Sites:
    """Every village centroid is a candidate base."""
    return Sites(list(town.villages), town.centroids, ["villages"] * len(town.villages))


def cost_matrix(town: PlanTown, sites: Sites) -> np.ndarray:
    """Minutes from each candidate site to each demand point (atoms × sites), overhead included."""
    return np.array([[town.overhead_min + town.travel(tuple(s), tuple(a)) for s in sites.xy]
                     for a in town.atom_xy])


def _solver(time_limit_s: float) -> pulp.LpSolver:
    return pulp.HiGHS(msg=False, log_to_console=False, timeLimit=time_limit_s, threads=1)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints its banner from C whatever ``msg`` says; keep it off the user's terminal."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _solve(model, method: str, k: int, time_limit_s: float) -> bool:
    """Solve and return whether the solution is proven optimal; raise SolverError if there is none."""
    try:
        with _quiet_stdout():
            model.solve(_solver(time_limit_s), results=False)
    except RuntimeError as exc:  # spopt: "Model is not solved: ..."
        raise SolverError(f"{method} with {k} squads: the solver found no solution within "
                          f"--time-limit {time_limit_s:g} s ({exc}); raise --time-limit") from None
    return model.problem.sol_status == pulp.LpSolutionOptimal


def _build(model_class, *args, **kwargs):
    """Spopt builds PuLP variables the way PuLP 4 will deprecate; that is spopt's to change, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return model_class.from_cost_matrix(*args, **kwargs)


def _chosen(model) -> list[int]:
    return [j for j, v in enumerate(model.fac_vars) if (v.value() or 0.0) > 0.5]


def village_costs(cost: np.ndarray, atom_village: np.ndarray, calls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per village and site: the call-weighted mean trip and the longest trip to its demand points.

    Zones hand out whole villages, so p-median and p-center assign villages, not grids.
    """
    n_v = int(atom_village.max()) + 1
    mean = np.empty((n_v, cost.shape[1]))
    worst = np.empty_like(mean)
    for v in range(n_v):
        rows = atom_village == v
        w = calls[rows]
        mean[v] = np.average(cost[rows], axis=0, weights=w) if w.sum() > 0 else cost[rows].mean(axis=0)
        worst[v] = cost[rows].max(axis=0)
    return mean, worst


def _p_center(worst: np.ndarray, k: int, time_limit_s: float) -> tuple[list[int], bool]:
    """Smallest radius whose set cover needs at most k sites, by bisection over the trip times.

    spopt's direct PCenter formulation has a weak relaxation and runs into the time limit
    on 60 villages; a sequence of location set-covering problems (spopt LSCP) is exact and
    takes about a second.
    """
    radii = np.unique(worst)
    lo, hi = int(np.searchsorted(radii, worst.min(axis=1).max())), len(radii) - 1
    best = [int(j) for j in np.argsort(worst.max(axis=0))[:1]]  # radius max: one site covers all
    optimal = True
    while lo < hi:
        mid = (lo + hi) // 2
        m = _build(LSCP, worst, service_radius=float(radii[mid]))
        optimal &= _solve(m, "p-center", k, time_limit_s)
        sites = _chosen(m)
        if len(sites) <= k:
            hi, best = mid, sites
        else:
            lo = mid + 1
    return best, optimal


def locate(cost: np.ndarray, calls: np.ndarray, atom_village: np.ndarray, k: int, method: Method,
           reach_min: float, time_limit_s: float = 30.0) -> Location:
    """Choose ``k`` sites by one model; ``calls`` weights the demand points (atoms).

    p-median minimises the mean trip per call (villages assigned whole); MCLP maximises
    the share of calls whose point lies within ``reach_min`` of a base (cost units:
    overhead included); p-center
    minimises the longest trip to any demand point (villages assigned whole).
    """
    n_sites = cost.shape[1]
    if not 1 <= k <= n_sites:
        raise PlanError(f"--squads {k}: there are only {n_sites} candidate sites; the nearest feasible "
                        f"setting is --squads {min(max(k, 1), n_sites)}")
    if method == "mclp":
        live = calls > 0
        c, w = cost[live], calls[live]
        m = _build(MCLP, c, w, service_radius=reach_min, p_facilities=k)
        optimal = _solve(m, method, k, time_limit_s)
        sites = _complete(_chosen(m), c, w, k)
        objective = float(w[c[:, sites].min(axis=1) <= reach_min].sum() / w.sum())
        return Location(method, k, sites, objective, optimal)
    mean, worst = village_costs(cost, atom_village, calls)
    v_calls = np.bincount(atom_village, weights=calls, minlength=mean.shape[0])
    if method == "p-median":
        m = _build(PMedian, mean, np.maximum(v_calls, 1e-12), p_facilities=k)
        optimal = _solve(m, method, k, time_limit_s)
        sites = _complete(_chosen(m), mean, v_calls, k)
        objective = float(np.average(mean[:, sites].min(axis=1), weights=v_calls))
    elif method == "p-center":
        sites, optimal = _p_center(worst, k, time_limit_s)
        sites = _complete(sites, mean, v_calls, k)
        objective = float(worst[:, sites].min(axis=1).max())
    else:
        raise ValueError(method)
    return Location(method, k, sites, objective, optimal)


def _complete(sites: list[int], cost: np.ndarray, w: np.ndarray, k: int) -> list[int]:
    """Fill a plan up to ``k`` sites by p-median gain (a model may use fewer when fewer already cover everything)."""
    chosen = list(sites)
    while len(chosen) < k:
        best = min((j for j in range(cost.shape[1]) if j not in chosen),
                   key=lambda j: float(w @ cost[:, [*chosen, j]].min(axis=1)))
        chosen.append(best)
    return sorted(chosen)
