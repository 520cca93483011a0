"""Make the real-format example town: ``xuxiake_villages.gpkg`` and ``xuxiake_roads.osm``.

Built from the lattice preset (``xuxiake_1plus4.toml``): the 60 lattice villages become
Voronoi cells of their jittered centres, clipped to an irregular town boundary, with
the lattice's households and enterprises per km², Chinese names and land use; they are
written in longitude/latitude (EPSG:4326), so reading them exercises the reprojection
to the local UTM zone. The roads are a jittered street lattice written as OSM XML, with
the messiness of real extracts: arterial and residential classes, two one-way streets,
a one-way spur that cars cannot leave (outside the largest strongly connected part), a
footway, and a river way with no ``highway`` tag. Run from the repository root:

    .venv/bin/python scenarios/gis/make_example.py
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sim.geo.build import LATTICE_CRS, LATTICE_ORIGIN_M  # noqa: E402
from sim.config import load_scenario  # noqa: E402
from sim.town import build_town  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 20261126
_FIRST = "徐霞马峭璜塘湖沙桥河新前后华金龙凤石山阳云梅竹松兰文仁和安丰"
_SECOND = "家庄港泾巷岸湾墩桥圩里塘浜头庙街"


def village_names(n: int, core: list[bool], rng: np.random.Generator) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        stem = rng.choice(list(_FIRST)) + rng.choice(list(_SECOND))
        name = stem + ("社区" if core[len(names)] else "村")
        if name not in names:
            names.append(name)
    return names


def to_lonlat(xy_km: np.ndarray) -> np.ndarray:
    t = Transformer.from_crs(LATTICE_CRS, "EPSG:4326", always_xy=True)
    lon, lat = t.transform(xy_km[:, 0] * 1000 + LATTICE_ORIGIN_M[0], xy_km[:, 1] * 1000 + LATTICE_ORIGIN_M[1])
    return np.column_stack([lon, lat])


def boundary(side: float, rng: np.random.Generator) -> shapely.Polygon:
    """The lattice square with a wavy, indented edge (up to 0.7 km in)."""
    t = np.linspace(0, 4, 64, endpoint=False)
    pts = []
    for s in t:
        edge, f = int(s), s - int(s)
        x, y = [(f * side, 0), (side, f * side), (side - f * side, side), (0, side - f * side)][edge]
        inward = rng.uniform(0, 0.7)
        nx, ny = [(0, 1), (-1, 0), (0, -1), (1, 0)][edge]
        pts.append((x + nx * inward, y + ny * inward))
    return shapely.Polygon(pts).buffer(0)


def villages(rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, shapely.Polygon]:
    town = build_town(load_scenario(ROOT / "scenarios/xuxiake_1plus4.toml"))
    side = town.size_km[0]
    outline = boundary(side, rng)
    centres = []
    for v in town.villages:
        b = v.box
        centres.append((rng.uniform(b.x0 + 0.3 * (b.x1 - b.x0), b.x1 - 0.3 * (b.x1 - b.x0)),
                        rng.uniform(b.y0 + 0.3 * (b.y1 - b.y0), b.y1 - 0.3 * (b.y1 - b.y0))))
    cells = shapely.voronoi_polygons(shapely.MultiPoint(centres), extend_to=outline.buffer(5))
    shapes = []
    for c in centres:
        cell = next(g for g in cells.geoms if g.contains(shapely.Point(c)))
        shapes.append(shapely.intersection(cell, outline))
    core = [v.land_use == "core" for v in town.villages]
    names = village_names(len(shapes), core, rng)
    hh = np.array([round(v.households / v.box.area * s.area) for v, s in zip(town.villages, shapes)])
    ent = np.array([round(v.enterprises / v.box.area * s.area) for v, s in zip(town.villages, shapes)])
    lonlat = [shapely.Polygon(to_lonlat(np.asarray(s.exterior.coords))) for s in shapes]
    frame = gpd.GeoDataFrame(
        {"name": names, "households": hh, "enterprises": ent,
         "land_use": [v.land_use for v in town.villages], "residents": np.round(hh * 2.8).astype(int)},
        geometry=lonlat, crs="EPSG:4326")
    return frame, outline


def roads(outline: shapely.Polygon, rng: np.random.Generator) -> ET.ElementTree:
    """A jittered street lattice inside the boundary, written as OSM XML."""
    minx, miny, maxx, maxy = outline.bounds
    step = 0.75
    xs = np.arange(minx + 0.2, maxx, step)
    ys = np.arange(miny + 0.2, maxy, step)
    area = outline.buffer(0.2)
    node_id: dict[tuple[int, int], int] = {}
    coords: dict[int, tuple[float, float]] = {}
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            p = (x + rng.uniform(-0.12, 0.12), y + rng.uniform(-0.12, 0.12))
            if area.contains(shapely.Point(p)):
                node_id[(i, j)] = 1000 + len(node_id)
                coords[node_id[(i, j)]] = p
    ways: list[tuple[list[int], dict[str, str]]] = []

    def klass(k: int) -> str:
        return "primary" if k % 4 == 2 else ("secondary" if k % 2 == 0 else "residential")

    for i in range(len(xs)):  # north-south streets, split where they leave the town
        run: list[int] = []
        for j in range(len(ys) + 1):
            n = node_id.get((i, j))
            if n is not None:
                run.append(n)
            elif len(run) > 1:
                ways.append((run, {"highway": klass(i)}))
                run = []
            else:
                run = []
    for j in range(len(ys)):  # east-west streets
        run = []
        for i in range(len(xs) + 1):
            n = node_id.get((i, j))
            if n is not None:
                run.append(n)
            elif len(run) > 1:
                ways.append((run, {"highway": klass(j)}))
                run = []
            else:
                run = []
    # Two residential streets become one-way, in opposite directions.
    res = [k for k, (_, t) in enumerate(ways) if t["highway"] == "residential"]
    for k, rev in ((res[3], False), (res[len(res) // 2], True)):
        nodes, tags = ways[k]
        ways[k] = (nodes[::-1] if rev else nodes, {**tags, "oneway": "yes", "name": "单行道"})
    # A one-way spur into a courtyard: cars get in but not out (a separate strongly connected part).
    anchor = ways[res[5]][0][1]
    ax, ay = coords[anchor]
    spur = [9001, 9002]
    coords[9001], coords[9002] = (ax + 0.08, ay + 0.15), (ax + 0.16, ay + 0.3)
    ways.append(([anchor, *spur], {"highway": "service", "oneway": "yes"}))
    # A footway cars may not use, and a river (no highway tag: not a road).
    f0, f1 = ways[res[7]][0][0], ways[res[8]][0][0]
    ways.append(([f0, f1], {"highway": "footway"}))
    river = [9101, 9102, 9103]
    coords[9101], coords[9102], coords[9103] = (minx + 1, miny + 2), (minx + 4, miny + 3), (minx + 8, miny + 2.5)
    ways.append((river, {"waterway": "river", "name": "应天河"}))

    used = sorted({n for nodes, _ in ways for n in nodes})
    ll = to_lonlat(np.array([coords[n] for n in used]))
    osm = ET.Element("osm", version="0.6", generator="gridsim scenarios/gis/make_example.py")
    for n, (lon, lat) in zip(used, ll):
        ET.SubElement(osm, "node", id=str(n), lat=f"{lat:.7f}", lon=f"{lon:.7f}", version="1")
    for k, (nodes, tags) in enumerate(ways):
        w = ET.SubElement(osm, "way", id=str(50000 + k), version="1")
        for n in nodes:
            ET.SubElement(w, "nd", ref=str(n))
        for key, val in tags.items():
            ET.SubElement(w, "tag", k=key, v=val)
    tree = ET.ElementTree(osm)
    ET.indent(tree)
    return tree


def main() -> None:
    rng = np.random.default_rng(SEED)
    frame, outline = villages(rng)
    gpkg = HERE / "xuxiake_villages.gpkg"
    gpkg.unlink(missing_ok=True)
    frame.to_file(gpkg, layer="villages", driver="GPKG", engine="pyogrio")
    roads(outline, rng).write(HERE / "xuxiake_roads.osm", encoding="utf-8", xml_declaration=True)
    print(f"wrote {gpkg} ({len(frame)} villages) and {HERE / 'xuxiake_roads.osm'}")


if __name__ == "__main__":
    main()
