"""Road networks and travel on them: the road-graph implementation of ``TravelModel``.

A network is read offline with osmnx from an OpenStreetMap extract (``.osm``, ``.osm.bz2``;
``.osm.pbf`` is first filtered to its highways with pyosmium) or from a GraphML file saved
by osmnx, then projected into the town's metric CRS. Each mode (walk, e-bike, car) gets
its own graph: the road classes it may use at their speeds, one-way streets respected by
the modes that must (cars by default). Real extracts are messy: ways without a
``highway`` tag and classes without a speed are left out, and only the largest strongly
connected part of each mode's graph is kept; what is left out is reported, never
silently given an infinite or zero time.

Travel time between two points = access (straight line, at the mode's off-road speed) to
the nearest node of the mode's graph + shortest-path time on it + access from the
nearest node to the destination. Shortest paths are computed by Dijkstra
(``scipy.sparse.csgraph``) one source at a time and kept: rows from squad bases (and
columns to them, for the way back) at the start, rows from places crews move on from as
they are needed.
"""

from __future__ import annotations

import math
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from sim.config.geo import DEFAULT_SPEEDS, MODES, ModeSpeeds, Roads
from sim.geo.errors import GeoError
from sim.vocabulary import MINUTES_PER_HOUR
from sim.warnings import RunWarning

if TYPE_CHECKING:
    import networkx as nx

    from sim.town import Box, EuclideanTravel

# Memory for kept shortest-path rows (float64), per mode.
_ROW_CACHE_BYTES = 200_000_000


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _pbf_to_xml(src: Path, dst: Path) -> None:
    """Keep the highways of a PBF extract and their nodes, as OSM XML that osmnx reads."""
    import osmium

    wanted: set[int] = set()
    for way in osmium.FileProcessor(str(src), osmium.osm.WAY):
        if "highway" in way.tags:
            wanted.update(n.ref for n in way.nodes)  # type: ignore[union-attr]  # osmium types the item as any OSM object, the WAY filter makes it a way
    writer = osmium.SimpleWriter(str(dst))
    try:
        for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node() and obj.id in wanted:  # type: ignore[union-attr]  # osmium: NODE|WAY filter, no changesets
                writer.add_node(obj)
            elif obj.is_way() and "highway" in obj.tags:  # type: ignore[union-attr]  # as above
                writer.add_way(obj)
    finally:
        writer.close()


def read_road_graph(path: Path) -> nx.MultiDiGraph:
    """Read the raw graph of a road file (unprojected) without any network access."""
    try:
        import osmnx as ox
    except ImportError:
        raise GeoError(f"{path}: road networks need osmnx: pip install 'gridsim[geo]'") from None
    if not path.exists():
        raise GeoError(f"town.roads.path: road network file not found: {path}")
    name = path.name.lower()
    try:
        if name.endswith((".osm", ".osm.bz2", ".xml", ".osm.xml")):
            return _simplified(ox.graph_from_xml(path, retain_all=True, simplify=False))
        if name.endswith(".osm.pbf") or name.endswith(".pbf"):
            try:
                import osmium  # noqa: F401
            except ImportError:
                raise GeoError(f"{path}: .osm.pbf needs pyosmium: pip install 'gridsim[geo]'") from None
            with tempfile.TemporaryDirectory(prefix="gridsim-pbf-") as tmp:
                xml = Path(tmp) / "roads.osm"
                _pbf_to_xml(path, xml)
                return _simplified(ox.graph_from_xml(xml, retain_all=True, simplify=False))
        if name.endswith(".graphml"):
            return ox.load_graphml(path)
    except GeoError:
        raise
    except Exception as exc:  # XML, bz2, PBF and GraphML readers raise many kinds
        if type(exc).__name__ == "InsufficientResponseError":  # osmnx: the file holds no ways
            raise GeoError(f"{path}: the road network is empty (no ways)") from None
        raise GeoError(f"{path}: cannot read road network: {_first_line(exc)}") from None
    raise GeoError(f"{path}: unknown road file type (use .osm, .osm.bz2, .osm.pbf or .graphml)")


def _simplified(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Merge chains of ways into edges, but never across a change of road class.

    osmnx's default merges a secondary road and the residential street it runs into into one
    edge whose class is a list in set order, which varies with Python's hash seed: the edge's
    speed, and so a run's travel times, would differ from one process to the next.
    """
    import osmnx as ox

    return ox.simplify_graph(G, edge_attrs_differ=["highway"])


# OSM's road hierarchy, most major first (the order of the default speed table).
_CLASS_RANK = {cls: k for k, cls in enumerate(DEFAULT_SPEEDS)}


def _road_class(highway: Any) -> str | None:
    if isinstance(highway, list):  # a GraphML file simplified elsewhere: the most major class, whatever the list's order
        names = [_base_class(str(h)) for h in highway]
        highway = min(names, key=lambda c: (_CLASS_RANK.get(c, len(_CLASS_RANK)), c)) if names else None
    if highway is None or (isinstance(highway, float) and math.isnan(highway)):
        return None
    return _base_class(str(highway))


def _base_class(cls: str) -> str:
    """Give a ``*_link`` road (a slip road) its class: it has that class's speeds."""
    return cls[: -len("_link")] if cls.endswith("_link") else cls


@dataclass
class ModeGraph:
    """One mode's usable part of the network: kept nodes, edge minutes, nearest-node search."""

    mode: str
    nodes: np.ndarray  # indices into RoadNetwork.x/y
    graph: csr_matrix  # minutes between kept nodes (local indices)
    reverse: csr_matrix
    tree: cKDTree
    rows: OrderedDict = field(default_factory=OrderedDict)
    cols: dict = field(default_factory=dict)

    @property
    def max_rows(self) -> int:
        """Rows of shortest paths kept at once: a memory budget, at least 64."""
        return max(64, _ROW_CACHE_BYTES // (8 * max(len(self.nodes), 1)))

    def row(self, i: int) -> np.ndarray:
        """Minutes from local node ``i`` to every node (Dijkstra once, then cached, oldest dropped first)."""
        r = self.rows.get(i)
        if r is None:
            r = dijkstra(self.graph, directed=True, indices=i)
            self.rows[i] = r
            if len(self.rows) > self.max_rows:
                self.rows.popitem(last=False)
        return r

    def col(self, j: int) -> np.ndarray:
        """Minutes from every node to local node ``j``, on the reversed graph (cached): trips to a fixed place."""
        c = self.cols.get(j)
        if c is None:
            c = dijkstra(self.reverse, directed=True, indices=j)
            self.cols[j] = c
        return c

    def minutes(self, i: int, j: int) -> float:
        """Minutes from node ``i`` to node ``j``, from a cached row or column when there is one."""
        r = self.rows.get(i)
        if r is not None:
            return float(r[j])
        c = self.cols.get(j)
        if c is not None:
            return float(c[i])
        return float(self.row(i)[j])

    def node_path(self, i: int, j: int) -> list[int]:
        """Give the shortest path from node ``i`` to node ``j`` (local indices).

        Read back from the kept distance row of ``i``: each step goes to the in-neighbour on
        a shortest path.
        """
        dist = self.row(i)
        if not np.isfinite(dist[j]):
            return [i, j]
        rev = self.reverse
        seq = [j]
        while seq[-1] != i and len(seq) <= len(self.nodes):
            v = seq[-1]
            lo, hi = rev.indptr[v], rev.indptr[v + 1]
            us = rev.indices[lo:hi]
            seq.append(int(us[np.argmin(dist[us] + rev.data[lo:hi])]))
        return seq[::-1]


@dataclass
class RoadNetwork:
    """A projected road network in model km, with one usable graph per mode."""

    path: Path
    x: np.ndarray
    y: np.ndarray
    edges: pd.DataFrame  # u, v (node indices), highway, length_km, oneway
    lines: list[np.ndarray]  # edge geometries (km), for drawing
    modes: dict[str, ModeGraph]
    warnings: list[RunWarning]
    _edge_index: dict[tuple[int, int], int] | None = None
    within: dict[tuple, float] = field(default_factory=dict)  # mean in-grid trips (RoadTravel), by grid and mode

    def snap(self, mode: str, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest usable node (local index in the mode's graph) and the straight-line km to it."""
        g = self.modes[mode]
        d, i = g.tree.query(np.column_stack([px, py]))
        return i, d

    def edge_line(self, u: int, v: int) -> np.ndarray:
        """Give the geometry (km) of the shortest edge from node ``u`` to ``v`` (indices into x/y).

        Oriented from ``u`` to ``v``; a straight segment when there is no such edge.
        """
        if self._edge_index is None:
            order = np.argsort(self.edges.length_km.to_numpy(), kind="stable")[::-1]
            u_all, v_all = self.edges.u.to_numpy(), self.edges.v.to_numpy()
            self._edge_index = {(int(u_all[k]), int(v_all[k])): int(k) for k in order}  # shortest wins
        k = self._edge_index.get((u, v))
        if k is not None:
            return self.lines[k]
        k = self._edge_index.get((v, u))
        if k is not None:
            return self.lines[k][::-1]
        return np.array([[self.x[u], self.y[u]], [self.x[v], self.y[v]]])

    def frame(self) -> Any:
        """Road edges as a GeoDataFrame of LineStrings in model km (for maps and dashboards)."""
        import geopandas as gpd
        import shapely

        return gpd.GeoDataFrame(
            {"highway": self.edges.highway.to_numpy(), "length_km": self.edges.length_km.to_numpy(),
             "oneway": self.edges.oneway.to_numpy()},
            geometry=[shapely.LineString(xy) for xy in self.lines],
        )


def _edge_table(G: nx.MultiDiGraph, index: dict[Any, int], origin: tuple[float, float]) -> tuple[pd.DataFrame, list[np.ndarray], int]:
    rows, lines, untagged = [], [], 0
    for u, v, data in G.edges(data=True):
        cls = _road_class(data.get("highway"))
        if cls is None:
            untagged += 1
            continue
        length = data.get("length")
        geom = data.get("geometry")
        if geom is not None:
            xy = np.asarray(geom.coords, dtype=float)
        else:
            xy = np.array([[G.nodes[u]["x"], G.nodes[u]["y"]], [G.nodes[v]["x"], G.nodes[v]["y"]]], dtype=float)
        xy = (xy - np.asarray(origin)) / 1000.0
        seg_km = float(np.hypot(*np.diff(xy, axis=0).T).sum())
        length_km = float(length) / 1000.0 if length is not None and np.isfinite(float(length)) else seg_km
        oneway = data.get("oneway", False)
        rows.append((index[u], index[v], cls, length_km, bool(oneway) if not isinstance(oneway, str) else oneway.lower() in ("true", "yes", "1")))
        lines.append(xy)
    edges = pd.DataFrame(rows, columns=["u", "v", "highway", "length_km", "oneway"])
    return edges, lines, untagged


def _mode_graph(mode: str, edges: pd.DataFrame, n: int, speeds: dict[str, ModeSpeeds], oneway: bool,
                x: np.ndarray, y: np.ndarray, path: Path, warnings: list[RunWarning]) -> ModeGraph | None:
    speed = edges.highway.map(lambda c: getattr(speeds[c], mode) if c in speeds else 0.0).to_numpy(float)
    use = speed > 0
    if not use.any():
        return None
    e = edges[use]
    minutes = MINUTES_PER_HOUR * e.length_km.to_numpy() / speed[use]
    u, v = e.u.to_numpy(), e.v.to_numpy()
    if not oneway:  # walkers and e-bikes use every street both ways
        u, v, minutes = np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([minutes, minutes])
    best = pd.DataFrame({"u": u, "v": v, "m": minutes}).groupby(["u", "v"], sort=True).m.min().reset_index()
    full = csr_matrix((best.m.to_numpy(), (best.u.to_numpy(), best.v.to_numpy())), shape=(n, n))
    touched = np.unique(np.concatenate([best.u.to_numpy(), best.v.to_numpy()]))
    ncomp, labels = connected_components(full, directed=True, connection="strong")
    sizes = np.bincount(labels[touched], minlength=ncomp)
    keep_label = int(np.argmax(sizes))
    kept = np.flatnonzero(labels == keep_label)
    dropped = len(touched) - len(kept)
    if dropped:
        lost = ~(np.isin(e.u.to_numpy(), kept) & np.isin(e.v.to_numpy(), kept))
        km = float(e.length_km.to_numpy()[lost].sum())
        warnings.append(RunWarning("roads_outside_connected_part", {
            "file": str(path), "nodes": int(dropped), "total": len(touched), "km": km, "mode": mode}))
    sub = full[kept][:, kept].tocsr()
    return ModeGraph(mode, kept, sub, sub.T.tocsr(), cKDTree(np.column_stack([x[kept], y[kept]])))


def build_network(G: nx.MultiDiGraph, cfg: Roads, path: Path, crs: str, origin_m: tuple[float, float]) -> RoadNetwork:
    """Project, clean and split a raw graph into one graph per travel mode; refuse what cannot be used."""
    import osmnx as ox

    if G.number_of_edges() == 0:
        raise GeoError(f"{path}: the road network is empty (no ways)")
    if not G.graph.get("crs"):
        raise GeoError(f"{path}: the CRS of the road network cannot be determined (no 'crs' graph attribute)")
    try:
        G = ox.project_graph(G, to_crs=crs)
    except Exception as exc:
        raise GeoError(f"{path}: cannot reproject the road network to {crs}: {_first_line(exc)}") from None
    ids = list(G.nodes)
    index = {nid: i for i, nid in enumerate(ids)}
    x = (np.array([G.nodes[n]["x"] for n in ids], dtype=float) - origin_m[0]) / 1000.0
    y = (np.array([G.nodes[n]["y"] for n in ids], dtype=float) - origin_m[1]) / 1000.0
    edges, lines, untagged = _edge_table(G, index, origin_m)
    warnings: list[RunWarning] = []
    if untagged:
        warnings.append(RunWarning("roads_untagged", {"file": str(path), "edges": untagged, "total": G.number_of_edges()}))
    speeds = cfg.speed_table()
    unknown = sorted(set(edges.highway) - set(speeds))
    if unknown:
        n_unknown = int(edges.highway.isin(unknown).sum())
        warnings.append(RunWarning("roads_without_speed", {
            "file": str(path), "edges": n_unknown, "classes": ", ".join(unknown[:6])}))
    drive = edges[edges.highway.map(lambda c: c in speeds and speeds[c].car > 0)]
    if drive.empty:
        raise GeoError(f"{path}: the road network has no drivable roads")
    n = len(ids)
    und = csr_matrix((np.ones(len(drive)), (drive.u.to_numpy(), drive.v.to_numpy())), shape=(n, n))
    ncomp, labels = connected_components(und, directed=False)
    touched = np.unique(np.concatenate([drive.u.to_numpy(), drive.v.to_numpy()]))
    sizes = np.bincount(labels[touched], minlength=ncomp)
    share = sizes.max() / len(touched)
    if share < cfg.min_connected_share:
        raise GeoError(f"{path}: the road network is disconnected: its largest connected part holds"
                       f" {100 * share:.0f}% of the drivable road nodes (town.roads.min_connected_share ="
                       f" {cfg.min_connected_share:g})")
    graphs: dict[str, ModeGraph] = {}
    for mode in MODES:
        g = _mode_graph(mode, edges, n, speeds, mode in cfg.oneway_modes, x, y, path, warnings)
        if g is None:
            raise GeoError(f"{path}: no road in the network may be used by {mode} (speeds are all 0)")
        graphs[mode] = g
    return RoadNetwork(path, x, y, edges, lines, graphs, warnings)


def load_network(cfg: Roads, base: Path, crs: str, origin_m: tuple[float, float]) -> RoadNetwork:
    """Read a road file (relative to ``base``) and build its network in the town's frame."""
    path = base / cfg.path
    return build_network(read_road_graph(path), cfg, path, crs, origin_m)


WITHIN_POINTS = 24  # points per grid whose mutual trips give a grid worker's mean trip on roads


def _points_in(box: Box, n: int) -> np.ndarray:
    """``n`` points spread uniformly over a grid (a fixed stream: the same points every run)."""
    import shapely

    from sim.geo.places import shape_of

    geom = shape_of(box)
    rng = np.random.default_rng(0)
    out: list[np.ndarray] = []
    for _ in range(50):  # a sliver of a grid may need many tries; a grid of no area gets none
        if sum(len(o) for o in out) >= n:
            break
        cand = rng.uniform((box.x0, box.y0), (box.x1, box.y1), size=(4 * n, 2))
        out.append(cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])])
    return np.vstack(out)[:n]


@dataclass
class RoadTravel:
    """``TravelModel`` on a road network: access + shortest path + access.

    A grid worker's mean trip inside their own grid (``within_box_minutes``) is on the
    roads too; access legs use the off-road speeds of ``EuclideanTravel``.
    """

    network: RoadNetwork
    offroad: EuclideanTravel
    _snaps: dict = field(default_factory=dict)
    _recent: dict = field(default_factory=dict)  # the last two days' incident places, snapped
    _older: dict = field(default_factory=dict)
    _within: dict = field(default_factory=dict)  # by id of the grid's box (the town keeps its boxes)
    _speeds: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._speeds = {m: self.offroad.speed_kmh(m) for m in MODES}

    def speed_kmh(self, mode: str) -> float:
        """Give the mode's off-road speed (access legs)."""
        return self._speeds[mode]

    def within_box_minutes(self, box: Box, mode: str) -> float:
        """Give the mean trip between two points of a grid (staff going to a case in their grid).

        Over every ordered pair of WITHIN_POINTS fixed points spread uniformly over the grid
        (the same points on every run), the quicker of the road trip and the straight line
        × detour factor (the lanes and paths road extracts rarely hold). Once per grid and mode.
        """
        m = self._within.get((id(box), mode))
        if m is not None:
            return m
        cfg = self.offroad.cfg  # the network is shared by scenarios (and runs); speeds may differ
        key = (box.x0, box.y0, box.x1, box.y1, box.area, mode, self.speed_kmh(mode), cfg.detour_factor)
        m = self.network.within.get(key)
        if m is None:
            pts = _points_in(box, WITHIN_POINTS)
            m = self._mean_trip(pts, mode) if len(pts) >= 2 else self.offroad.within_box_minutes(box, mode)
            self.network.within[key] = m
        self._within[(id(box), mode)] = m
        return m

    def _mean_trip(self, pts: np.ndarray, mode: str) -> float:
        g = self.network.modes[mode]
        idx, d = self.network.snap(mode, pts[:, 0], pts[:, 1])
        access = MINUTES_PER_HOUR * d / self.speed_kmh(mode)
        nodes, back = np.unique(idx, return_inverse=True)
        # one bounded Dijkstra from the grid's few nodes: trips inside a grid are short
        span = float(np.hypot(*(pts.max(axis=0) - pts.min(axis=0))))
        bound = MINUTES_PER_HOUR * 20.0 * max(span, 0.05) / self.speed_kmh(mode)
        dist = np.atleast_2d(dijkstra(g.graph, directed=True, indices=nodes, limit=bound))[:, nodes]
        far = ~np.isfinite(dist)
        if far.any():  # beyond the bound (a long way round): the exact time
            for r, c in zip(*np.nonzero(far), strict=True):
                dist[r, c] = g.minutes(int(nodes[r]), int(nodes[c]))
        trip = access[:, None] + dist[back][:, back] + access[None, :]
        # or the straight line × detour factor, when quicker: the lanes and paths inside a
        # village that road extracts rarely hold
        offroad = self.offroad
        straight = (MINUTES_PER_HOUR * offroad.cfg.detour_factor / self.speed_kmh(mode)
                    * np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1]))
        trip = np.minimum(trip, straight)
        n = len(pts)
        return float((trip.sum() - np.trace(trip)) / (n * (n - 1)))

    def places(self, x: np.ndarray, y: np.ndarray) -> None:
        """Snap a day's incident places to every mode's graph, one query each; kept two days.

        A query per trip would cost more than the rest of the trip.
        """
        batch: dict[tuple[float, float, str], tuple[int, float]] = {}
        xs, ys = x.tolist(), y.tolist()
        for mode in self.network.modes:
            i, d = self.network.snap(mode, x, y)
            batch.update(zip([(a, b, mode) for a, b in zip(xs, ys, strict=True)],
                             zip(i.tolist(), d.tolist(), strict=True), strict=True))
        self._older, self._recent = self._recent, batch

    def _snap(self, p: tuple[float, float], mode: str) -> tuple[int, float]:
        key = (p[0], p[1], mode)
        s = self._snaps.get(key) or self._recent.get(key) or self._older.get(key)
        if s is None:
            i, d = self.network.snap(mode, np.array([p[0]]), np.array([p[1]]))
            s = (int(i[0]), float(d[0]))
            self._snaps[key] = s
        return s

    def minutes(self, a: tuple[float, float], b: tuple[float, float], mode: str) -> float:
        """Minutes from ``a`` to ``b``: straight to the nearest usable node, along the roads, straight on from the node nearest ``b``."""
        ia, da = self._snap(a, mode)
        ib, db = self._snap(b, mode)
        g = self.network.modes[mode]
        return MINUTES_PER_HOUR * (da + db) / self.speed_kmh(mode) + g.minutes(ia, ib)

    def precompute(self, points: list[tuple[float, float]], mode: str) -> None:
        """Shortest paths from and to places every trip starts or ends at (squad bases)."""
        g = self.network.modes[mode]
        for p in points:
            i, _ = self._snap(p, mode)
            g.row(i)
            g.col(i)

    def route(self, a: tuple[float, float], b: tuple[float, float], mode: str) -> np.ndarray:
        """Give the path a trip takes, as (x, y) km vertices: a, the roads' geometry, b (for drawing)."""
        return self.trip(a, b, mode)[0]

    def trip(self, a: tuple[float, float], b: tuple[float, float], mode: str) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Give a trip as it is timed: vertices (km), minutes from the start at each, road part.

        The road part begins and ends at the two vertex indices returned (before: access from
        ``a``, after: access to ``b``, both straight at the off-road speed). The last time equals
        ``minutes(a, b, mode)``; within an edge, time runs in proportion to its length.
        """
        ia, da = self._snap(a, mode)
        ib, db = self._snap(b, mode)
        g = self.network.modes[mode]
        local = g.node_path(ia, ib)
        nodes = g.nodes[np.array(local)]
        speed = self.speed_kmh(mode)
        pts: list[np.ndarray] = [np.asarray(a, float)[None], np.array([[self.network.x[nodes[0]], self.network.y[nodes[0]]]])]
        times: list[np.ndarray] = [np.zeros(1), np.array([MINUTES_PER_HOUR * da / speed])]
        t = float(times[-1][0])
        for p, q, n_p, n_q in zip(local[:-1], local[1:], nodes[:-1], nodes[1:], strict=True):
            line = self.network.edge_line(int(n_p), int(n_q))
            seg = np.hypot(*np.diff(line, axis=0).T)
            along = np.cumsum(seg) / seg.sum() if seg.sum() > 0 else np.ones(len(seg))
            w = float(g.graph[p, q])
            pts.append(line[1:])
            times.append(t + w * along)
            t += w
        start = 1
        end = sum(len(x) for x in pts) - 1
        pts.append(np.asarray(b, float)[None])
        times.append(np.array([t + MINUTES_PER_HOUR * db / speed]))
        return np.vstack(pts), np.concatenate(times), start, end
