"""Level-2 grids inside a real village: polygons that tile it, each with its share of households.

The seed's rule is 2–3 level-2 grids per village, sized by households. A village is cut
by recursive bisection: a straight cut across the longer side of each piece's bounding
box, placed (by bisection search) so the two sides hold households in the ratio of the
grids they must contain. Households are counted from the scenario's household points
when it has a point layer (the cut lies midway between the two points either side of the
share); without points they are assumed spread evenly, and the pieces are of equal area.
Pieces stay compact and their union is the village.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

_ITERATIONS = 50  # bisection steps: the cut is placed to 2^-50 of the side


@dataclass(frozen=True)
class Households:
    """Household points inside one polygon (model km) and their weights."""

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray

    def take(self, mask: np.ndarray) -> Households:
        """Give the points where ``mask`` holds."""
        return Households(self.x[mask], self.y[mask], self.w[mask])

    @property
    def total(self) -> float:
        """Give the summed weight (households) of the points."""
        return float(self.w.sum())


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep the polygon parts of a cut (a cut along an edge can leave a stray line or point)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _side(poly: BaseGeometry, along_x: bool, cut: float) -> BaseGeometry:
    minx, miny, maxx, maxy = poly.bounds
    pad = 1.0 + (maxx - minx) + (maxy - miny)
    half = box(minx - pad, miny - pad, cut, maxy + pad) if along_x else box(minx - pad, miny - pad, maxx + pad, cut)
    return _polygonal(shapely.intersection(poly, half))


def _bisect(poly: BaseGeometry, share: float,
            pts: Households | None) -> tuple[BaseGeometry, BaseGeometry, np.ndarray | None]:
    """Cut across the longer side so the first piece (west or south) holds ``share`` of the households.

    Of the area without points. Returns both pieces, and which points fall in the first.
    """
    minx, miny, maxx, maxy = poly.bounds
    along_x = (maxx - minx) >= (maxy - miny)
    lo, hi = (minx, maxx) if along_x else (miny, maxy)
    if pts is not None and pts.total > 0:  # midway between the points either side of the share
        coord = pts.x if along_x else pts.y
        order = np.argsort(coord, kind="stable")
        cum = np.cumsum(pts.w[order])
        k = int(np.searchsorted(cum, share * pts.total - 1e-9 * pts.total))
        nxt = coord[order[k + 1]] if k + 1 < len(order) else hi
        lo = hi = (coord[order[k]] + nxt) / 2
    else:  # households spread evenly: by area
        target = share * poly.area
        for _ in range(_ITERATIONS):
            mid = (lo + hi) / 2
            if _side(poly, along_x, mid).area < target:
                lo = mid
            else:
                hi = mid
    cut = (lo + hi) / 2
    first = _side(poly, along_x, cut)
    inside = None if pts is None else (pts.x if along_x else pts.y) < cut
    return first, _polygonal(shapely.difference(poly, first)), inside


def split_polygon(poly: BaseGeometry, k: int, households: Households | None = None) -> list[BaseGeometry]:
    """Split ``poly`` into ``k`` pieces that tile it, ordered west/south first.

    Of equal area, or of equal households when ``households`` (the points inside ``poly``)
    are given.
    """
    return [p for p, _ in split_households(poly, k, households)]


def split_households(poly: BaseGeometry, k: int, households: Households | None = None) -> list[tuple[BaseGeometry, float]]:
    """Split as :func:`split_polygon`, each piece with the weight of its household points.

    The weight is NaN without points.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    if k == 1:
        return [(poly, households.total if households is not None else float("nan"))]
    left = k // 2
    a, b, first = _bisect(poly, left / k, households)
    if households is None or first is None:
        return split_households(a, left) + split_households(b, k - left)
    return split_households(a, left, households.take(first)) + split_households(b, k - left, households.take(~first))
