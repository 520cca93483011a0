"""Level-2 grid divisions: contiguous, compact, in the household range, balanced by expected work.

Each village is cut into a fine lattice of cells (clipped to its polygon), each cell
carrying its share of the village's households and expected events per month. The
number of grids of a village is the one that keeps households per grid in range,
prefers 2–3 grids (the seed's rule) and brings expected events per grid closest to the
town's target. spopt's AZP groups the cells into that many contiguous regions that are
compact (cell coordinates as attributes); a local search then moves edge cells between
neighbouring regions while that lowers the imbalance of expected events, with every
region kept contiguous and inside the household range.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.weights import Rook
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import cdist
from shapely.geometry.base import BaseGeometry
from spopt.region import AZP
from spopt.region.objective_function import ObjectiveFunctionPairwise

from sim.plan.inputs import PlanError, PlanTown
from sim.warnings import GRIDS_PER_VILLAGE_RANGE, RunWarning, counted_households

PREFERRED = GRIDS_PER_VILLAGE_RANGE  # level-2 grids per village (DESIGN.md §1, 4c), as the run checks them
MAX_CELLS = 400  # per village: finer cells buy balance at quadratic cost
COMPACTNESS_WEIGHT = 0.05  # of the moment of inertia against the squared event imbalance


@dataclass(frozen=True)
class GridRule:
    """What a division must respect: households per grid and the target size."""

    low: float = 200.0
    high: float = 500.0
    target_households: float | None = None  # default: the middle of the range

    @property
    def target(self) -> float:
        """Households a grid should hold: the stated target, else the middle of the range."""
        return self.target_households or (self.low + self.high) / 2


@dataclass(frozen=True)
class GridPlan:
    """The proposed grids (one row each, in model km) and the objective values."""

    grids: gpd.GeoDataFrame
    objectives: pd.DataFrame  # one row per measure: current division, proposal
    warnings: list[RunWarning] = field(default_factory=list)


def feasible_counts(households: float, rule: GridRule) -> range:
    """Grid counts that can keep every grid of a village inside the household range."""
    lo = max(1, math.ceil(households / rule.high - 1e-9))
    hi = math.floor(households / rule.low + 1e-9) if rule.low > 0 else lo + 50
    return range(lo, hi + 1)


def _nearest_feasible(town: PlanTown, bad: list[int], rule: GridRule) -> str:
    """Find the smallest widening of the household range that makes every village divisible."""
    low = min(min(town.households[v] / max(1, math.ceil(town.households[v] / rule.high - 1e-9)), rule.low)
              for v in bad)
    text = f"--households {math.floor(low)}..{rule.high:g}"
    if all(town.households[v] >= rule.low for v in bad):
        high = max(town.households[v] / math.floor(town.households[v] / rule.low + 1e-9) for v in bad)
        text += f" (or {rule.low:g}..{math.ceil(high)})"
    return text


def grid_counts(town: PlanTown, rule: GridRule) -> np.ndarray:
    """Grids per village: feasible, 2–3 where possible, events per grid nearest the town's target."""
    bad = [v for v in range(len(town.villages)) if not feasible_counts(town.households[v], rule)]
    if bad:
        names = ", ".join(f"{town.villages[v]} ({town.households[v]:.0f} households)" for v in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise PlanError(f"no division keeps {rule.low:g}-{rule.high:g} households per grid in {names}{more}; "
                        f"the nearest feasible setting is {_nearest_feasible(town, bad, rule)}")
    target_events = town.events_per_month.sum() / (town.households.sum() / rule.target)
    counts = np.empty(len(town.villages), dtype=int)
    for v, (h, e) in enumerate(zip(town.households, town.events_per_month, strict=False)):
        ks = list(feasible_counts(h, rule))
        preferred = [k for k in ks if PREFERRED[0] <= k <= PREFERRED[1]]
        pool = preferred or ks
        counts[v] = min(pool, key=lambda k: (abs(e / k - target_events), k))
    return counts


def lattice_shape(poly: BaseGeometry, n_cells: int, k: int = 1) -> tuple[int, int]:
    """Columns and rows of at least ``n_cells`` near-square cells over the polygon's bounds.

    The count is a multiple of ``k`` where the shape allows, so an even lattice can be shared
    out equally.
    """
    x0, y0, x1, y1 = poly.bounds
    w, h = x1 - x0, y1 - y0
    best: tuple[float, int, int] | None = None
    for nx in range(1, n_cells + 1):
        ny = max(1, math.ceil(n_cells / nx))
        for m in range(ny, ny + k):
            if (nx * m) % k == 0:
                aspect = abs(math.log((w / nx) / (h / m)))
                if best is None or aspect < best[0]:
                    best = (aspect, nx, m)
                break
    return (best[1], best[2]) if best else (n_cells, 1)


def fine_cells(poly: BaseGeometry, nx: int, ny: int) -> tuple[list[BaseGeometry], np.ndarray]:
    """Clip the lattice's cells to the polygon (empty pieces dropped), with each one's (column, row)."""
    x0, y0, x1, y1 = poly.bounds
    w, h = x1 - x0, y1 - y0
    cells, index = [], []
    for i in range(nx):
        for j in range(ny):
            c = shapely.box(x0 + i * w / nx, y0 + j * h / ny, x0 + (i + 1) * w / nx, y0 + (j + 1) * h / ny)
            piece = c if poly.contains(c) else c.intersection(poly)
            if piece.area > 1e-9 * poly.area:
                cells.append(piece)
                index.append((i, j))
    return cells, np.array(index, dtype=int).reshape(-1, 2)


def _contiguity(cells: list[BaseGeometry]) -> tuple[np.ndarray, tuple[gpd.GeoDataFrame, Rook]]:
    """Libpysal rook contiguity of the cells, as a boolean matrix and the weights object."""
    frame = gpd.GeoDataFrame({"x": [c.centroid.x for c in cells], "y": [c.centroid.y for c in cells]},
                             geometry=cells)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Rook.from_dataframe(frame, use_index=False, silence_warnings=True)
    adj = np.zeros((len(cells), len(cells)), dtype=bool)
    for i, nbrs in w.neighbors.items():
        adj[i, list(nbrs)] = True
    return adj, (frame, w)


class _Division:
    """Cells of one village, their region labels, and a local search on per-region sums.

    A region's cost depends only on its sums (households, events, area and the area's
    first and second moments), so moving one cell changes two regions' costs in O(1).
    """

    def __init__(self, cells: list[BaseGeometry], hh: np.ndarray, ev: np.ndarray, labels: np.ndarray,
                 adj: np.ndarray, k: int, rule: GridRule) -> None:
        self.labels, self.adj, self.k, self.rule = labels, adj, k, rule
        area = np.array([c.area for c in cells])
        xy = np.array([(c.centroid.x, c.centroid.y) for c in cells])
        # Per cell: households, events, area, area·x, area·y, area·(x² + y²).
        self.rows = np.column_stack([hh, ev, area, area * xy[:, 0], area * xy[:, 1], area * (xy**2).sum(axis=1)])
        self.sums = np.array([self.rows[labels == r].sum(axis=0) for r in range(k)])
        self.mean_ev = ev.sum() / k
        self.scale = float(area.sum()) ** 2 / k

    def region_cost(self, s: np.ndarray) -> float:
        """Household-range violation first, then event imbalance, then spread (moment of inertia)."""
        rule = self.rule
        h, e, a = s[0], s[1], s[2]
        cost = 1e6 * (max(0.0, rule.low - h) + max(0.0, h - rule.high)) / rule.high
        cost += (e / self.mean_ev - 1.0) ** 2
        if a > 0:
            cost += COMPACTNESS_WEIGHT * (s[5] - (s[3] ** 2 + s[4] ** 2) / a) / self.scale
        return cost

    def connected_without(self, cell: int) -> bool:
        labels = self.labels
        members = np.flatnonzero((labels == labels[cell]) & (np.arange(len(labels)) != cell))
        if members.size == 0:
            return False
        n, _ = connected_components(self.adj[np.ix_(members, members)], directed=False)
        return n == 1

    def improve(self, max_moves: int = 5000) -> None:
        """Best-improvement moves of one edge cell to a neighbouring region until none helps."""
        labels, sums, rows = self.labels, self.sums, self.rows
        for _ in range(max_moves):
            cost = [self.region_cost(sums[r]) for r in range(self.k)]
            best, move = -1e-12, None
            for c in range(len(labels)):
                a = labels[c]
                for b in set(labels[self.adj[c]]) - {a}:
                    delta = (self.region_cost(sums[a] - rows[c]) + self.region_cost(sums[b] + rows[c])
                             - cost[a] - cost[b])
                    if delta < best and self.connected_without(c):
                        best, move = delta, (c, b)
            if move is None:
                break
            c, b = move
            sums[labels[c]] -= rows[c]
            sums[b] += rows[c]
            labels[c] = b


def _manhattan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Compute AZP's default metric, the same numbers, without sklearn's input checks.

    sklearn's manhattan_distances is scipy's cdist after checks that cost most of AZP's
    time on these small float arrays.
    """
    return cdist(a, b, "cityblock")


def divide_village(poly: BaseGeometry, households: float, events: float, k: int, rule: GridRule,
                   seed: int = 0, weights: Callable[[list[BaseGeometry]], np.ndarray] | None = None
                   ) -> tuple[list[BaseGeometry], np.ndarray, np.ndarray]:
    """Split one village into ``k`` grids: their polygons, households and expected events.

    AZP finds k compact contiguous regions on a coarse lattice (it is the slow part, so the
    lattice is kept small); each coarse cell is then subdivided into cells small enough that
    whole cells can land every grid inside the household range, and the local search
    balances expected events on those. ``weights(cells)`` gives each fine cell's share of
    the village (default: by area, as the generated town spreads households evenly).
    """
    if k == 1:
        return [poly], np.array([households]), np.array([events])
    nx0, ny0 = lattice_shape(poly, max(16, 6 * k), k)
    coarse, _ = fine_cells(poly, nx0, ny0)
    _, (frame, w) = _contiguity(coarse)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        azp = AZP(frame, w, ["x", "y"], n_clusters=k, random_state=seed,
                  objective_func=ObjectiveFunctionPairwise(_manhattan))
        azp.solve()
    coarse_label = dict(zip(map(tuple, fine_cells(poly, nx0, ny0)[1]), np.asarray(azp.labels_).astype(int), strict=False))
    slack = max(min(households / k - rule.low, rule.high - households / k), 1e-9)
    n = min(MAX_CELLS, max(len(coarse), math.ceil(households / slack) + 1))
    f = max(1, math.ceil(math.sqrt(n / (nx0 * ny0))))
    cells, index = fine_cells(poly, nx0 * f, ny0 * f)
    labels = np.array([coarse_label.get((i // f, j // f), -1) for i, j in index])
    if (labels < 0).any():  # a sliver whose coarse cell was dropped: join the nearest labelled cell
        xy = np.array([(c.centroid.x, c.centroid.y) for c in cells])
        known = np.flatnonzero(labels >= 0)
        for c in np.flatnonzero(labels < 0):
            labels[c] = labels[known[np.argmin(((xy[known] - xy[c]) ** 2).sum(axis=1))]]
    share = weights(cells) if weights is not None else np.array([c.area for c in cells])
    share = share / share.sum()
    hh, ev = households * share, events * share
    adj, _ = _contiguity(cells)
    div = _Division(cells, hh, ev, labels, adj, k, rule)
    div.improve()
    polys = [shapely.unary_union([cells[i] for i in np.flatnonzero(div.labels == r)]) for r in range(k)]
    return polys, np.bincount(div.labels, weights=hh, minlength=k), np.bincount(div.labels, weights=ev, minlength=k)


def polsby_popper(poly: BaseGeometry) -> float:
    """Compactness 4πA/P² (1 for a circle, 0.785 for a square, 0.59 for a 1×3 strip)."""
    return float(4 * math.pi * poly.area / poly.length**2) if poly.length > 0 else 0.0


def division_frame(town: PlanTown, counts: np.ndarray, rule: GridRule, seed: int = 0,
                   progress: Callable[[int], None] | None = None) -> gpd.GeoDataFrame:
    """Every village divided: one row per proposed grid, in model km."""
    rows = []
    for v, poly in enumerate(town.polygons):
        polys, hh, ev = divide_village(poly, float(town.households[v]), float(town.events_per_month[v]),
                                       int(counts[v]), rule, seed)
        for j, (p, h, e) in enumerate(zip(polys, hh, ev, strict=False)):
            rows.append({"grid": f"{town.villages[v]}-{j + 1}", "village": town.villages[v], "households": float(h),
                         "events_per_month": float(e), "area_km2": p.area, "polsby_popper": polsby_popper(p),
                         "geometry": p})
        if progress:
            progress(v)
    return gpd.GeoDataFrame(rows, geometry="geometry")


def objectives(frame: pd.DataFrame, rule: GridRule) -> dict[str, float]:
    """Compute the objective values of a division, the same way for today's and the proposal."""
    per_village = frame.groupby("village").size()
    ev = frame.events_per_month.to_numpy()
    hh = np.array([counted_households(h) for h in frame.households])  # as the run's check counts them
    within = [e / e.mean() for _, e in frame.groupby("village").events_per_month if len(e) > 1]
    return {
        "grids": float(len(frame)),
        "villages with 2-3 grids (share)": float(per_village.between(*PREFERRED).mean()),
        "grids inside the household range (share)": float(((hh >= rule.low) & (hh <= rule.high)).mean()),
        "households per grid, min": float(hh.min()),
        "households per grid, max": float(hh.max()),
        "events per grid per month, mean": float(ev.mean()),
        "events per grid per month, CV": float(ev.std() / ev.mean()),
        "events per grid per month, max/mean": float(ev.max() / ev.mean()),
        "events within a village, max/mean (worst village)": float(max((w.max() for w in within), default=1.0)),
        "compactness (Polsby-Popper), mean": float(frame.polsby_popper.mean()),
    }


def current_frame(town: PlanTown, grid_polygons: list[BaseGeometry], grid_village: np.ndarray,
                  grid_households: np.ndarray) -> pd.DataFrame:
    """Today's division in the same terms (events shared within a village like its households)."""
    share = grid_households / np.maximum(town.households[grid_village], 1e-12)
    return pd.DataFrame({"village": [town.villages[v] for v in grid_village], "households": grid_households,
                         "events_per_month": town.events_per_month[grid_village] * share,
                         "polsby_popper": [polsby_popper(p) for p in grid_polygons]})


# The proposal counts as more even when the CV of expected events per grid falls by at least this share.
MORE_EVEN = 0.05


def balance_warning(town: PlanTown, rule: GridRule, counts: np.ndarray, today: dict[str, float],
                    proposal: dict[str, float]) -> RunWarning | None:
    """Say so when the division leaves expected events per grid no more even than today's, and why.

    The counts per village answer to the household range first and to the seed's 2–3 grids
    second; events per household differ from village to village, so the range alone can keep
    a village's grids far from the town's events target however its lines are drawn.
    """
    cv_key, mm_key = "events per grid per month, CV", "events per grid per month, max/mean"
    if proposal[cv_key] < (1 - MORE_EVEN) * today[cv_key]:
        return None
    target = town.events_per_month.sum() / (town.households.sum() / rule.target)
    range_bound = preferred = 0
    for v, (h, e) in enumerate(zip(town.households, town.events_per_month, strict=True)):
        ks = list(feasible_counts(h, rule))
        ideal = max(1, round(e / target))
        range_bound += ideal not in ks
        best = min(ks, key=lambda k: (abs(e / k - target), k))
        preferred += int(counts[v]) != best
    per_household = town.events_per_month / np.maximum(town.households, 1e-12)
    return RunWarning("grids_not_more_even", {
        "cv_today": today[cv_key], "cv_proposal": proposal[cv_key], "mm_today": today[mm_key],
        "mm_proposal": proposal[mm_key], "epr_low": float(per_household.min()), "epr_high": float(per_household.max()),
        "low": rule.low, "high": rule.high, "target": float(target), "villages": len(town.villages), "range_bound": range_bound,
        "preferred": preferred, "within": proposal["events within a village, max/mean (worst village)"]})


def propose_grids(town: PlanTown, rule: GridRule = GridRule(), seed: int = 0,
                  progress: Callable[[int], None] | None = None) -> GridPlan:
    """Grid counts per village, the division, and its objective values against today's."""
    counts = grid_counts(town, rule)
    frame = division_frame(town, counts, rule, seed, progress)
    now = current_frame(town, town.grid_polygons, town.atom_village, town.grid_households)
    today, proposal = objectives(now, rule), objectives(frame, rule)
    table = pd.DataFrame({"today": today, "proposal": proposal})
    table.index.name = "objective"
    warning = balance_warning(town, rule, counts, today, proposal)
    return GridPlan(frame, table.reset_index(), [warning] if warning else [])
