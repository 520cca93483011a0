"""Candidate squad bases: the scenario's own sites, village centroids and road intersections.

Which kinds are candidates is the scenario's ``[plan] candidates`` (default: the listed
sites when the scenario lists any, else the village centroids plus, on a road network,
its intersections). Road intersections are the nodes of the squads' road graph where at
least ``min_road_degree`` streets meet, inside the town, thinned to ``max_road_sites`` by
farthest-point order from the centre of the squad calls so they cover the town evenly.
Every site must lie inside the town and every name must be unique across kinds; anything
else is refused in one line naming the file and the field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix

from sim.config.plan import Plan
from sim.plan.inputs import PlanError, PlanTown
from sim.plan.locate import Sites, village_sites


def default_kinds(cfg: Plan, has_roads: bool) -> list[str]:
    """Return the kinds asked for, else the listed sites if any, else villages (and road nodes with roads)."""
    if cfg.candidates is not None:
        return list(cfg.candidates)
    if cfg.sites or cfg.site_layer is not None:
        return ["listed"]
    return ["villages", "road_nodes"] if has_roads else ["villages"]


def candidate_sites(town: PlanTown, cfg: Plan, source: str) -> Sites:
    """Collect the candidate sites the scenario asks for; ``source`` (the scenario file) names refusals."""
    kinds = default_kinds(cfg, town.roads is not None)
    parts: list[Sites] = []
    for kind in kinds:
        if kind == "listed":
            parts.append(listed_sites(town, cfg, source))
        elif kind == "villages":
            parts.append(village_sites(town))
        else:
            if town.roads is None:
                raise PlanError(f"{source}: plan.candidates: road_nodes needs a road network ([town.roads]); "
                                "use villages or listed sites")
            parts.append(road_sites(town, cfg.max_road_sites, cfg.min_road_degree, source))
    names = [n for p in parts for n in p.names]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise PlanError(f"{source}: plan.sites: site name {n!r} is also a village's or another site's name "
                            "(candidate names must be unique)")
        seen.add(n)
    return Sites(names, np.vstack([p.xy for p in parts]), [k for p in parts for k in p.kinds])


def _town_shape(town: PlanTown) -> shapely.Geometry:
    return shapely.union_all(town.polygons)


def _refuse_outside(town: PlanTown, names: list[str], xy: np.ndarray, where: str) -> None:
    shape = _town_shape(town)
    inside = shapely.covers(shape, shapely.points(xy))
    if inside.all():
        return
    i = int(np.flatnonzero(~inside)[0])
    x0, y0, x1, y1 = shape.bounds
    pt = shapely.Point(xy[i])
    near = int(np.argmin([p.distance(pt) for p in town.polygons]))
    raise PlanError(f"{where}: site {names[i]!r} at ({xy[i, 0]:.2f}, {xy[i, 1]:.2f}) km lies outside the town "
                    f"(villages span x {x0:.2f}–{x1:.2f}, y {y0:.2f}–{y1:.2f} km; nearest village "
                    f"{town.villages[near]} is {town.polygons[near].distance(pt):.2f} km away)")


def listed_sites(town: PlanTown, cfg: Plan, source: str) -> Sites:
    """``[[plan.sites]]`` (km) and the points of ``[plan.site_layer]`` (reprojected to the town)."""
    names = [s.name for s in cfg.sites]
    xy = [(s.x, s.y) for s in cfg.sites]
    if names:
        _refuse_outside(town, names, np.array(xy, dtype=float), f"{source}: plan.sites")
    if cfg.site_layer is not None:
        layer_names, layer_xy = _layer_sites(town, cfg, source)
        names += layer_names
        xy += layer_xy
    if not names:
        raise PlanError(f"{source}: plan.candidates: 'listed' but the scenario lists no site")
    return Sites(names, np.array(xy, dtype=float), ["listed"] * len(names))


def _layer_sites(town: PlanTown, cfg: Plan, source: str) -> tuple[list[str], list[tuple[float, float]]]:
    from sim.geo.errors import GeoError
    from sim.geo.layers import read_layer

    spec = cfg.site_layer
    assert spec is not None
    path = Path(spec.path)
    try:
        gdf = read_layer(path, spec.layer, "candidate site", None)
    except GeoError as exc:
        raise PlanError(f"{source}: {exc}") from None
    if set(gdf.geom_type) != {"Point"}:
        bad = sorted(set(gdf.geom_type) - {"Point"})
        raise PlanError(f"{path}: wrong geometry type {', '.join(bad)} for candidate sites (expected Point)")
    if spec.name not in gdf.columns or spec.name == "geometry":
        cols = ", ".join(c for c in gdf.columns if c != "geometry")
        raise PlanError(f"{path}: plan.site_layer.name: unknown attribute column {spec.name!r} (columns: {cols})")
    raw = gdf[spec.name]
    if raw.isna().any() or (raw.astype(str).str.strip() == "").any():
        i = int(np.flatnonzero((raw.isna() | (raw.astype(str).str.strip() == "")).to_numpy())[0])
        raise PlanError(f"{path}: plan.site_layer.name: candidate site {i + 1} has no name")
    names = [str(n) for n in raw]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise PlanError(f"{path}: plan.site_layer.name: duplicate site name {dup[0]!r}")
    try:
        local = gdf.to_crs(town.crs)
    except Exception as exc:  # pyproj raises several kinds; the file and the reason are what matter
        raise PlanError(f"{path}: cannot reproject candidate sites to {town.crs}: {exc}") from None
    xy = np.column_stack([(local.geometry.x - town.origin_m[0]) / 1000.0,
                          (local.geometry.y - town.origin_m[1]) / 1000.0])
    if not np.isfinite(xy).all():
        raise PlanError(f"{path}: candidate sites do not reproject to {town.crs} (wrong CRS for this file?)")
    _refuse_outside(town, names, xy, str(path))
    return names, [(float(x), float(y)) for x, y in xy]


def road_sites(town: PlanTown, max_sites: int, min_degree: int, source: str = "") -> Sites:
    """Intersections of the squads' road graph inside the town, at most ``max_sites``, spread evenly."""
    net = town.roads
    g = net.modes[town.mode]
    a = coo_matrix(g.graph)
    b = coo_matrix(g.reverse)
    rows = np.concatenate([a.row, b.row])
    cols = np.concatenate([a.col, b.col])
    keep = rows != cols
    pairs = np.unique(np.column_stack([rows[keep], cols[keep]]), axis=0)
    degree = np.bincount(pairs[:, 0], minlength=len(g.nodes))
    local = np.flatnonzero(degree >= min_degree)
    xy = np.column_stack([net.x[g.nodes[local]], net.y[g.nodes[local]]])
    xy = xy[shapely.covers(_town_shape(town), shapely.points(xy))] if len(xy) else xy
    if not len(xy):
        raise PlanError(f"{source}: plan.min_road_degree: no road node inside the town has {min_degree} or more "
                        f"streets; the nearest feasible setting is plan.min_road_degree = {max(1, min_degree - 1)}")
    w = town.squad_calls
    centre = (w @ town.atom_xy) / w.sum() if w.sum() > 0 else town.atom_xy.mean(axis=0)
    order = [int(np.argmin(np.hypot(*(xy - centre).T)))]
    dist = np.hypot(*(xy - xy[order[0]]).T)
    while len(order) < min(max_sites, len(xy)):
        nxt = int(np.argmax(dist))
        if dist[nxt] <= 0:
            break  # the rest coincide with chosen nodes
        order.append(nxt)
        dist = np.minimum(dist, np.hypot(*(xy - xy[nxt]).T))
    width = len(str(len(order)))
    return Sites([f"R{i + 1:0{width}d}" for i in range(len(order))], xy[order], ["road_nodes"] * len(order))
