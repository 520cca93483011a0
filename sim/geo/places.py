"""Places on real polygons: drawing incident locations inside villages and locating grids.

The lattice town does both by arithmetic on rectangles. Real villages are polygons, so
incidents are drawn uniformly over a triangulation of each village (or at its household /
enterprise points, weighted, when the scenario gives a point layer), and a point is
located in its level-2 grid with a spatial index. Each draw uses the same two uniforms
per incident as the lattice, so the rest of the incident stream is unchanged; a village
that is an exact rectangle is drawn exactly as the lattice draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import box as shapely_box
from shapely.geometry.base import BaseGeometry

from sim.town import Box

if TYPE_CHECKING:
    import geopandas as gpd

    from sim.town import Grid, Village


@dataclass(frozen=True, eq=False)
class Outline(Box):
    """A real polygon (model km) with the ``Box`` interface: bounds, true area, a centroid inside."""

    geometry: BaseGeometry = shapely_box(0, 0, 1, 1)  # noqa: RUF009 (immutable: one shared default is safe)
    rect: bool = False  # an axis-aligned rectangle: drawn by arithmetic, like the lattice

    @classmethod
    def of(cls, geom: BaseGeometry) -> Outline:
        """Wrap a polygon, noting whether it is an axis-aligned rectangle (then arithmetic suffices)."""
        x0, y0, x1, y1 = geom.bounds
        rect = bool(geom.geom_type == "Polygon" and shapely.equals_exact(
            shapely.normalize(geom), shapely.normalize(shapely_box(x0, y0, x1, y1)), 1e-12))
        return cls(x0, y0, x1, y1, geom, rect)

    @property
    def area(self) -> float:
        """The polygon's true area, not its bounding box's."""
        return float(self.geometry.area)

    @property
    def centroid(self) -> tuple[float, float]:
        """A point inside the polygon: its centroid, or a point on its surface when the centroid falls outside."""
        c = self.geometry.centroid
        if not self.geometry.contains(c):
            c = self.geometry.point_on_surface()
        return (float(c.x), float(c.y))

    @property
    def polygon(self) -> list[tuple[float, float]]:
        """Exterior ring of the largest part (what a schematic map draws)."""
        g = self.geometry
        if g.geom_type == "MultiPolygon":
            g = max(g.geoms, key=lambda p: p.area)
        return [(float(x), float(y)) for x, y in list(g.exterior.coords)[:-1]]


def shape_of(b: Box) -> BaseGeometry:
    """Give the polygon of a grid or village, whether a lattice rectangle or a real outline."""
    return b.geometry if isinstance(b, Outline) else shapely_box(b.x0, b.y0, b.x1, b.y1)


class PolygonPlaces:
    """Draws incident places inside villages from two uniforms each."""

    def __init__(self, villages: list[Village], points: gpd.GeoDataFrame | None = None) -> None:
        n = len(villages)
        self.rect = np.array([not isinstance(v.box, Outline) or v.box.rect for v in villages])
        self.x0 = np.array([v.box.x0 for v in villages])
        self.y0 = np.array([v.box.y0 for v in villages])
        self.w = np.array([v.box.x1 - v.box.x0 for v in villages])
        self.h = np.array([v.box.y1 - v.box.y0 for v in villages])
        tris, owner = [], []
        for i, v in enumerate(villages):
            if self.rect[i]:
                continue
            parts = getattr(shape_of(v.box), "geoms", [shape_of(v.box)])
            for part in parts:
                for t in shapely.constrained_delaunay_triangles(part).geoms:
                    tris.append(np.asarray(t.exterior.coords)[:3])
                    owner.append(i)
        self.tri = np.array(tris).reshape(-1, 3, 2)
        owner_a = np.array(owner, dtype=int)
        a, b, c = self.tri[:, 0], self.tri[:, 1], self.tri[:, 2]
        area = 0.5 * np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1]))
        self.cum = np.cumsum(area)
        self.tri_area = area
        self.start = np.searchsorted(owner_a, np.arange(n), side="left")
        self.end = np.searchsorted(owner_a, np.arange(n), side="right")
        self.before = np.where(self.start > 0, self.cum[np.maximum(self.start - 1, 0)] if len(area) else 0.0, 0.0)
        self.v_area = np.where(self.end > self.start,
                               (self.cum[np.maximum(self.end - 1, 0)] if len(area) else 0.0) - self.before, 0.0)
        self.points: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        if points is not None:
            self._index_points(villages, points)

    def _index_points(self, villages: list[Village], points: gpd.GeoDataFrame) -> None:
        tree = shapely.STRtree([shape_of(v.box) for v in villages])
        pi, vi = tree.query(points.geometry.to_numpy(), predicate="intersects")
        first = np.unique(pi, return_index=True)[1]  # a point on a shared border belongs to one village
        pi, vi = pi[first], vi[first]
        order = np.lexsort((pi, vi))
        pi, vi = pi[order], vi[order]
        px = points.geometry.x.to_numpy()[pi]
        py = points.geometry.y.to_numpy()[pi]
        n = len(villages)
        for col in ("households", "enterprises"):
            w = points[col].to_numpy(float)[pi]
            cum = np.cumsum(w)
            start = np.searchsorted(vi, np.arange(n), side="left")
            end = np.searchsorted(vi, np.arange(n), side="right")
            before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
            total = np.where(end > start, cum[np.maximum(end - 1, 0)] - before, 0.0)
            self.points[col] = (px, py, cum, before, total, start, end)  # type: ignore[assignment]

    def villages_without_points(self) -> np.ndarray:
        """Villages the point layer gives no weight at all, which the run warns of by name."""
        if not self.points:
            return np.zeros(0, dtype=int)
        total = self.points["households"][4] + self.points["enterprises"][4]
        return np.flatnonzero(total <= 0)

    def draw(self, village: np.ndarray, u: np.ndarray, enterprise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Places for incidents in ``village`` from uniforms ``u`` (n × 2); ``enterprise`` picks weights."""
        x = self.x0[village] + u[:, 0] * self.w[village]
        y = self.y0[village] + u[:, 1] * self.h[village]
        poly = ~self.rect[village]
        if poly.any():
            v = village[poly]
            target = self.before[v] + u[poly, 0] * self.v_area[v]
            k = np.clip(np.searchsorted(self.cum, target, side="right"), self.start[v], self.end[v] - 1)
            r1 = np.clip((target - (self.cum[k] - self.tri_area[k])) / self.tri_area[k], 0.0, 1.0)
            r2 = u[poly, 1]
            flip = r1 + r2 > 1
            r1, r2 = np.where(flip, 1 - r1, r1), np.where(flip, 1 - r2, r2)
            a, b, c = self.tri[k, 0], self.tri[k, 1], self.tri[k, 2]
            x[poly] = a[:, 0] + r1 * (b[:, 0] - a[:, 0]) + r2 * (c[:, 0] - a[:, 0])
            y[poly] = a[:, 1] + r1 * (b[:, 1] - a[:, 1]) + r2 * (c[:, 1] - a[:, 1])
        if self.points:
            for col, mask in (("households", ~enterprise), ("enterprises", enterprise)):
                px, py, cum, before, total, start, end = self.points[col]  # type: ignore[misc]
                m = mask & (total[village] > 0)
                if m.any():
                    v = village[m]
                    target = before[v] + u[m, 0] * total[v]
                    k = np.clip(np.searchsorted(cum, target, side="right"), start[v], end[v] - 1)
                    x[m], y[m] = px[k], py[k]
        return x, y


class PolygonLocator:
    """The level-2 grid of a point, by a spatial index over the grid polygons."""

    def __init__(self, grids: list[Grid]) -> None:
        self.shapes = [shape_of(g.box) for g in grids]
        self.village = np.array([g.village for g in grids])
        self.tree = shapely.STRtree(self.shapes)

    def locate_many(self, village: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Grid index of each point among its own village's grids (on a border the first; outside by rounding the nearest)."""
        pts = shapely.points(x, y)
        out = np.full(len(pts), -1, dtype=np.int64)
        pi, gi = self.tree.query(pts, predicate="intersects")
        ok = self.village[gi] == village[pi]
        pi, gi = pi[ok], gi[ok]
        first = np.unique(pi, return_index=True)[1]  # on a shared border: the first grid
        out[pi[first]] = gi[first]
        miss = np.flatnonzero(out < 0)
        for i in miss:  # outside every grid of its village by rounding: the nearest of them
            cands = np.flatnonzero(self.village == village[i])
            out[i] = cands[np.argmin([self.shapes[c].distance(pts[i]) for c in cands])]
        return out
