"""Level-2 grids inside a real village: polygons that tile it, with equal shares of its area.

The seed's rule is 2–3 level-2 grids per village, sized by households. A village is cut
by recursive bisection: a straight cut across the longer side of each piece's bounding
box, placed (by bisection search) so the two sides hold areas in the ratio of the grids
they must contain. Pieces stay compact and their union is the village.
"""

from __future__ import annotations

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

_ITERATIONS = 50  # bisection steps: the cut is placed to 2^-50 of the side


def _side(poly: BaseGeometry, along_x: bool, cut: float) -> BaseGeometry:
    minx, miny, maxx, maxy = poly.bounds
    pad = 1.0 + (maxx - minx) + (maxy - miny)
    half = box(minx - pad, miny - pad, cut, maxy + pad) if along_x else box(minx - pad, miny - pad, maxx + pad, cut)
    return shapely.intersection(poly, half)


def _bisect(poly: BaseGeometry, share: float) -> tuple[BaseGeometry, BaseGeometry]:
    """Cut across the longer side so the first piece (west or south) holds ``share`` of the area."""
    minx, miny, maxx, maxy = poly.bounds
    along_x = (maxx - minx) >= (maxy - miny)
    lo, hi = (minx, maxx) if along_x else (miny, maxy)
    target = share * poly.area
    for _ in range(_ITERATIONS):
        mid = (lo + hi) / 2
        if _side(poly, along_x, mid).area < target:
            lo = mid
        else:
            hi = mid
    cut = (lo + hi) / 2
    first = _side(poly, along_x, cut)
    return first, shapely.difference(poly, first)


def split_polygon(poly: BaseGeometry, k: int) -> list[BaseGeometry]:
    """``k`` pieces of equal area tiling ``poly``, ordered west/south first."""
    if k < 1:
        raise ValueError("k must be >= 1")
    if k == 1:
        return [poly]
    left = k // 2
    a, b = _bisect(poly, left / k)
    return split_polygon(a, left) + split_polygon(b, k - left)
