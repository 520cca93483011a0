"""Real towns: layers in (any CRS, checked, repaired or refused), level-2 split, road travel, layers out."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box
from typer.testing import CliRunner

from sim.checks import town_warnings
from sim.cli import app
from sim.config import ScenarioError, load_scenario
from sim.config.geo import Roads
from sim.geo.errors import GeoError
from sim.geo.export import _grid_table, export_town, grid_frame, village_frame, write_layer
from sim.geo.layers import to_real
from sim.geo.places import Outline
from sim.geo.roads import (
    WITHIN_POINTS,
    RoadTravel,
    _points_in,
    _road_class,
    build_network,
    read_road_graph,
)
from sim.geo.split import split_polygon
from sim.runner import run_replication
from sim.town import LATTICE_CRS, LATTICE_ORIGIN_M, EuclideanTravel, build_town
from sim.warnings import text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuxiake_1plus4.toml"
EXAMPLE = ROOT / "scenarios" / "xuxiake_gis.toml"
EXAMPLE_OSM = ROOT / "scenarios" / "gis" / "xuxiake_roads.osm"
UTM = "EPSG:32651"
X0, Y0 = 250_000.0, 3_525_000.0  # metres in UTM 51N, near 120.4°E 31.8°N


def _outline(box: object) -> Outline:
    """A real town's villages and grids are polygons (``Outline``), not the lattice's boxes."""
    assert isinstance(box, Outline), type(box)
    return box


def _villages_frame(n: int = 4, size_m: float = 1000.0, households=(600, 900, 500, 800)) -> gpd.GeoDataFrame:
    """``n`` square villages in a row, with attributes under non-default column names."""
    shapes = [box(X0 + i * size_m, Y0, X0 + (i + 1) * size_m, Y0 + size_m) for i in range(n)]
    return gpd.GeoDataFrame(
        {"NAME": [f"村{i + 1}" for i in range(n)], "HH": list(households)[:n], "LU": ["core", "rural", "rural", "industrial"][:n]},
        geometry=shapes, crs=UTM)


def _write_scenario(tmp: Path, gis: str, extra: str = "", days_base: Path = DEFAULT) -> Path:
    p = tmp / "town.toml"
    p.write_text(f'extends = "{days_base}"\n[meta]\nname = "test_town"\n[run]\nwarmup_days = 0\n'
                 f"[town.gis.villages]\n{gis}\n{extra}\n", encoding="utf-8")
    return p


def _gis_scenario(tmp: Path, frame: gpd.GeoDataFrame | None = None, name: str = "villages.geojson",
                  extra: str = "", columns: str = 'name = "NAME"\nhouseholds = "HH"\nland_use = "LU"') -> Path:
    frame = _villages_frame() if frame is None else frame
    path = tmp / name
    frame.to_file(path, engine="pyogrio")
    return _write_scenario(tmp, f'path = "{name}"\n{columns}', extra)


# ---- reading layers -----------------------------------------------------------------------

def test_villages_from_lonlat_geojson_land_in_their_utm_zone(tmp_path):
    sc = load_scenario(_gis_scenario(tmp_path, _villages_frame().to_crs("EPSG:4326")))
    town = build_town(sc)
    assert town.crs == UTM  # 120.4°E lies in zone 51 (120–126°E)
    assert [v.name for v in town.villages] == ["村1", "村2", "村3", "村4"]
    assert [v.households for v in town.villages] == [600, 900, 500, 800]
    assert [v.land_use for v in town.villages] == ["core", "rural", "rural", "industrial"]
    for v in town.villages:  # 1 km² each after the round trip through longitude/latitude
        assert v.box.area == pytest.approx(1.0, rel=1e-3)
    # The model frame starts at the south-west corner, in km.
    assert town.origin_m[0] == pytest.approx(X0, abs=2) and town.origin_m[1] == pytest.approx(Y0, abs=2)
    assert town.residents == pytest.approx(sum(v.households for v in town.villages) * 2.8)


def test_shapefile_and_geopackage_read_alike(tmp_path):
    shp = load_scenario(_gis_scenario(tmp_path, name="v.shp"))
    (tmp_path / "town.toml").unlink()
    gpkg = load_scenario(_gis_scenario(tmp_path, name="v.gpkg"))
    a, b = build_town(shp), build_town(gpkg)
    assert [g.households for g in a.grids] == pytest.approx([g.households for g in b.grids])


def test_split_tiles_the_village_in_equal_parts():
    village = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 2.5), (0, 2.5)])  # an L shape
    for k in (1, 2, 3, 5):
        parts = split_polygon(village, k)
        assert len(parts) == k
        assert [p.area for p in parts] == pytest.approx([village.area / k] * k, rel=1e-9)
        assert shapely.union_all(parts).symmetric_difference(village).area == pytest.approx(0, abs=1e-9)
        for i in range(k):
            for j in range(i + 1, k):
                assert parts[i].intersection(parts[j]).area == pytest.approx(0, abs=1e-9)


def test_level2_grids_follow_households_per_grid_and_warn_outside_the_rules(tmp_path):
    sc = load_scenario(_gis_scenario(tmp_path, extra="[town.grid_division]\nhouseholds_per_grid = 300\n"))
    town = build_town(sc)
    # 600 → 2, 900 → 3, 500 → 2, 800 → 3 grids of equal households
    assert [len(v.grids) for v in town.villages] == [2, 3, 2, 3]
    for v in town.villages:
        hh = [town.grids[g].households for g in v.grids]
        assert sum(hh) == pytest.approx(v.households)
        assert hh == pytest.approx([v.households / len(v.grids)] * len(v.grids))
        union = shapely.union_all([_outline(town.grids[g].box).geometry for g in v.grids])
        assert union.symmetric_difference(_outline(v.box).geometry).area < 1e-9
    # 2–3 grids of 250–300 households each (the preset's volumes for 180,000 residents: a test of their own)
    assert [w for w in town_warnings(sc, town) if w.code != "volumes_for_another_town"] == []
    (tmp_path / "town.toml").unlink()
    sc = load_scenario(_gis_scenario(tmp_path, extra="[town.grid_division]\nhouseholds_per_grid = 100\n"))
    found = {w.code: w.values for w in town_warnings(sc, build_town(sc))}
    assert found["village_grids_out_of_range"]["villages"] == 4  # 5–9 grids each
    assert found["grid_households_out_of_range"]["grids"] == 6 + 9 + 5 + 8  # 100 households each
    # by name: the villages with their grid counts, the first grids with their households
    assert found["village_grids_out_of_range"]["names"] == "村1 (6), 村2 (9), 村3 (5), 村4 (8)"
    assert found["grid_households_out_of_range"]["names"].startswith("村1-1 (100), 村1-2 (100), ")
    names = found["grid_households_out_of_range"]["names"]
    assert names.endswith(", …") and names.count("(100)") == 8  # the count is in the sentence
    zh = text(next(w for w in town_warnings(sc, build_town(sc)) if w.code == "grid_households_out_of_range"), "zh")
    assert "more" not in zh and zh.endswith("(100), …")  # no English inside the Chinese line
    en = text(next(w for w in town_warnings(sc, build_town(sc)) if w.code == "village_grids_out_of_range"))
    assert en.endswith("outside the stated 2–3 grids per village: 村1 (6), 村2 (9), 村3 (5), 村4 (8)")
    # the scenario's own household range, not a fixed 200–500
    (tmp_path / "town.toml").unlink()
    sc = load_scenario(_gis_scenario(tmp_path, extra="[town.grid_division]\nhouseholds_per_grid = 100\n"
                                                    "households_range = [80, 120]\n"))
    assert "grid_households_out_of_range" not in {w.code for w in town_warnings(sc, build_town(sc))}
    (tmp_path / "town.toml").unlink()
    with pytest.raises(ScenarioError, match="households_range"):
        load_scenario(_gis_scenario(tmp_path, extra="[town.grid_division]\nhouseholds_per_grid = 100\n"
                                                      "households_range = [300, 200]\n"))


def test_level2_grids_split_by_household_points(tmp_path):
    """With a household point layer, each grid holds an equal share of the points, not of the area."""
    frame = _villages_frame(2, households=(600, 900))
    rng = np.random.default_rng(5)
    # village 1: 90% of its 200 households in its western fifth; village 2: spread evenly
    xs = np.concatenate([X0 + rng.uniform(0, 200, 180), X0 + rng.uniform(200, 1000, 20), X0 + 1000 + rng.uniform(0, 1000, 300)])
    ys = Y0 + rng.uniform(0, 1000, len(xs))
    pts = gpd.GeoDataFrame({"hh": np.ones(len(xs))}, geometry=gpd.points_from_xy(xs, ys), crs=UTM)
    pts.to_file(tmp_path / "hh.gpkg", engine="pyogrio")
    sc = load_scenario(_gis_scenario(tmp_path, frame, extra='[town.gis.points]\npath = "hh.gpkg"\nhouseholds = "hh"\n'
                                                           "[town.grid_division]\nhouseholds_per_grid = 300\n"))
    town = build_town(sc)
    v1, v2 = town.villages
    assert len(v1.grids) == 2 and len(v2.grids) == 3
    g1 = [town.grids[g] for g in v1.grids]
    # equal households (100 points each side, the cut between two points) …
    assert [g.households for g in g1] == pytest.approx([300, 300], abs=3)
    # … so the western grid is small: the cut lies inside the dense fifth
    assert g1[0].box.area < 0.2 * v1.box.area
    inside = [int(shapely.contains_xy(_outline(g.box).geometry, (xs - town.origin_m[0]) / 1000,
                                      (ys - town.origin_m[1]) / 1000).sum()) for g in g1]
    assert inside == [100, 100]
    g2 = [town.grids[g] for g in v2.grids]  # even points: close to equal areas still
    assert [g.households for g in g2] == pytest.approx([300, 300, 300], abs=3)
    assert max(g.box.area for g in g2) / min(g.box.area for g in g2) < 1.3


def test_grid_layer_is_used_as_given(tmp_path):
    villages = _villages_frame(2, households=(600, 400))
    grids = gpd.GeoDataFrame(
        {"gname": ["A", "B", "C"], "vname": ["村1", "村1", "村2"], "hh": [200, 400, 400]},
        geometry=[box(X0, Y0, X0 + 300, Y0 + 1000), box(X0 + 300, Y0, X0 + 1000, Y0 + 1000),
                  box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)], crs=UTM)
    grids.to_file(tmp_path / "grids.gpkg", layer="grids", engine="pyogrio")
    sc = load_scenario(_gis_scenario(tmp_path, villages, extra=(
        '[town.gis.grids]\npath = "grids.gpkg"\nlayer = "grids"\nname = "gname"\nvillage = "vname"\nhouseholds = "hh"\n')))
    town = build_town(sc)
    assert [g.id for g in town.grids] == ["A", "B", "C"]
    assert [g.households for g in town.grids] == [200, 400, 400]
    assert [g.village for g in town.grids] == [0, 0, 1]
    assert town.grids[0].area_km2 == pytest.approx(0.3)
    # Points are located in the given polygons.
    xs = np.array([0.1, 0.5, 1.5])
    assert town.locate_many(np.array([0, 0, 1]), xs, np.array([0.5, 0.5, 0.5])).tolist() == [0, 1, 2]


def test_incidents_are_drawn_inside_real_polygons_and_at_household_points(tmp_path):
    tri = gpd.GeoDataFrame({"NAME": ["三角村"], "HH": [900], "LU": ["rural"]},
                           geometry=[Polygon([(X0, Y0), (X0 + 3000, Y0), (X0, Y0 + 3000)])], crs=UTM)
    sc = load_scenario(_gis_scenario(tmp_path, tri))
    town = build_town(sc)
    rng = np.random.default_rng(3)
    x, y = town.places.draw(np.zeros(4000, dtype=int), rng.random((4000, 2)), np.zeros(4000, dtype=bool))
    assert shapely.contains_xy(_outline(town.villages[0].box).geometry.buffer(1e-9), x, y).all()
    assert np.mean(x) == pytest.approx(1.0, abs=0.05)  # a triangle's centroid is a third along
    pts = gpd.GeoDataFrame({"hh": [1, 3, 0]}, geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1000, Y0 + 200),
                                                          Point(X0 + 9000, Y0 + 9000)], crs=UTM)
    pts.to_file(tmp_path / "hh.geojson", engine="pyogrio")
    (tmp_path / "town.toml").unlink()
    sc = load_scenario(_gis_scenario(tmp_path, tri, extra='[town.gis.points]\npath = "hh.geojson"\nhouseholds = "hh"\n'))
    town = build_town(sc)
    assert [(w.code, w.values["outside"], w.values["total"]) for w in town.warnings] == [("points_outside_villages", 1, 3)]
    x, y = town.places.draw(np.zeros(4000, dtype=int), rng.random((4000, 2)), np.zeros(4000, dtype=bool))
    at_second = np.isclose(x, 1.0) & np.isclose(y, 0.2)
    assert set(np.round(x, 6)) == {0.5, 1.0}
    assert at_second.mean() == pytest.approx(0.75, abs=0.03)  # weighted 1 : 3


def test_invalid_polygon_is_repaired_with_a_warning_or_refused(tmp_path):
    frame = _villages_frame(2, households=(500, 500))
    bow = Polygon([(X0, Y0 + 2000), (X0 + 1000, Y0 + 3000), (X0 + 1000, Y0 + 2000), (X0, Y0 + 3000)])  # self-crossing
    frame = pd.concat([frame, gpd.GeoDataFrame({"NAME": ["蝴蝶村"], "HH": [400], "LU": ["rural"]}, geometry=[bow], crs=UTM)])
    sc = load_scenario(_gis_scenario(tmp_path, frame.reset_index(drop=True)))
    town = build_town(sc)
    assert next(w.values for w in town.warnings if w.code == "geometry_repaired")["first"] == "蝴蝶村"
    assert "1 invalid village polygon(s) repaired with make_valid (first: 蝴蝶村" in text(town.warnings[0])
    assert town.villages[2].box.area == pytest.approx(0.5)
    (tmp_path / "town.toml").unlink()
    with pytest.raises(ScenarioError, match="invalid village geometry for '蝴蝶村'"):
        load_scenario(_gis_scenario(tmp_path, frame.reset_index(drop=True), extra="[town.gis]\ninvalid = \"refuse\"\n"))


# ---- refusals --------------------------------------------------------------------------------

def _bad_cases(tmp: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}

    def case(name: str, frame=None, fname="v.geojson", extra="", columns=None, raw: bytes | None = None):
        d = tmp / name
        d.mkdir()
        if raw is not None:
            (d / fname).write_bytes(raw)
            p = _write_scenario(d, f'path = "{fname}"\nname = "NAME"\nhouseholds = "HH"', extra)
        else:
            kw = {} if columns is None else {"columns": columns}
            p = _gis_scenario(d, frame, fname, extra, **kw)
        return p

    missing = _write_scenario(_mk(tmp, "missing"), 'path = "nope.gpkg"')
    cases["missing file"] = (missing, f"{missing}: town.gis.villages.path: village file not found: "
                                      f"{missing.parent / 'nope.gpkg'}")
    cases["unreadable file"] = (case("unreadable", raw=b"this is not GeoJSON", fname="v.geojson"),
                                f"town.gis.villages.path: {tmp / 'unreadable' / 'v.geojson'}: "
                                "cannot read the village layer: not a vector format GDAL reads (GeoJSON, GeoPackage, "
                                "Shapefile, …)")
    empty_file = case("empty_file", raw=b"", fname="v.geojson")  # as an empty scenario file: "the file is empty"
    cases["empty file"] = (empty_file, f"town.gis.villages.path: {empty_file.parent / 'v.geojson'}: the file is empty")
    cases["unknown column"] = (case("column", columns='name = "NAME"\nhouseholds = "HOUSEHOLDS"'),
                               "unknown attribute column 'HOUSEHOLDS'")
    empty = _villages_frame().iloc[:0]
    cases["no features"] = (case("empty", empty, fname="v.gpkg"), "has no features")
    lines = gpd.GeoDataFrame({"NAME": ["a"], "HH": [5]}, geometry=[shapely.LineString([(X0, Y0), (X0 + 9, Y0)])], crs=UTM)
    cases["wrong geometry"] = (case("lines", lines), "wrong geometry type LineString")
    nocrs = _villages_frame().set_crs(None, allow_override=True)
    cases["no crs"] = (case("nocrs", nocrs, fname="v.shp"), "CRS of the village layer cannot be determined")
    zero = _villages_frame(households=(600, 0, 500, 800))
    cases["households <= 0"] = (case("zero", zero), "households must be a number > 0, got 0 for '村2'")
    over = _villages_frame()
    over.loc[1, "geometry"] = box(X0 + 500, Y0, X0 + 2000, Y0 + 1000)
    cases["overlap"] = (case("overlap", over), "villages '村1' and '村2' overlap")
    zone = '[squads]\ncount = 0\n[[squads.units]]\nid = "S1"\nzone = ["村1", "村9"]\n'
    cases["zone names a village not in the layer"] = (
        case("zone", extra=zone), "squads.units.S1.zone: unknown village '村9' (not in ")
    huge = _villages_frame(households=(1_000_000,) * 4)
    cases["run too big for the layer's households"] = (
        case("huge", huge, extra="[town.grid_division]\nhouseholds_per_grid = 10\n"), "staff, beyond the limit of 200,000")
    return cases


def _mk(tmp: Path, name: str) -> Path:
    d = tmp / name
    d.mkdir()
    return d


def _osm(path: Path, ways: list[tuple[list[int], dict[str, str]]], nodes: dict[int, tuple[float, float]]) -> Path:
    """A small OSM XML file; node coordinates in UTM 51N metres."""
    from pyproj import Transformer

    t = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    for n, (x, y) in nodes.items():
        lon, lat = t.transform(x, y)
        lines.append(f'<node id="{n}" lat="{lat:.8f}" lon="{lon:.8f}" version="1"/>')
    for k, (refs, tags) in enumerate(ways):
        lines.append(f'<way id="{100 + k}" version="1">')
        lines += [f'<nd ref="{r}"/>' for r in refs]
        lines += [f'<tag k="{a}" v="{b}"/>' for a, b in tags.items()]
        lines.append("</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _road_cases(tmp: Path) -> dict[str, tuple[Path, str]]:
    nodes = {1: (X0, Y0), 2: (X0 + 2000, Y0), 3: (X0 + 4000, Y0), 4: (X0, Y0 + 1000), 5: (X0 + 4000, Y0 + 1000),
             11: (X0 + 500, Y0 + 500), 12: (X0 + 700, Y0 + 500), 13: (X0 + 900, Y0 + 500)}
    out = {}
    d = _mk(tmp, "roads")
    _villages_frame().to_file(d / "v.geojson", engine="pyogrio")
    cols = 'name = "NAME"\nhouseholds = "HH"'

    def scen(name: str, road_file: str) -> Path:
        p = d / f"{name}.toml"
        p.write_text(f'extends = "{DEFAULT}"\n[meta]\nname = "t"\n[town.gis.villages]\npath = "v.geojson"\n{cols}\n'
                     f'[town.roads]\npath = "{road_file}"\n', encoding="utf-8")
        return p

    _osm(d / "empty.osm", [], {})
    out["empty road graph"] = (scen("empty", "empty.osm"), "the road network is empty")
    _osm(d / "foot.osm", [([1, 2, 3], {"highway": "footway"})], nodes)
    out["no drivable roads"] = (scen("foot", "foot.osm"), "has no drivable roads")
    _osm(d / "split.osm", [([1, 2], {"highway": "primary"}), ([3, 5], {"highway": "primary"}),
                           ([11, 12], {"highway": "residential"}), ([13, 4], {"highway": "residential"})], nodes)
    out["disconnected road graph"] = (scen("split", "split.osm"), "road network is disconnected")
    gone = scen("missing", "nope.osm")
    out["missing road file"] = (gone, f"{gone}: town.roads.path: road network file not found: {d / 'nope.osm'}")
    return out


def test_every_bad_input_is_refused_in_one_line_before_the_run(tmp_path):
    runner = CliRunner()
    cases = {**_bad_cases(tmp_path), **_road_cases(tmp_path)}
    for what, (scenario, message) in cases.items():
        out = tmp_path / "out" / what.replace(" ", "_")
        r = runner.invoke(app, ["run", str(scenario), "--days", "1", "--out", str(out)])
        assert r.exit_code == 2, (what, r.output)
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert len(lines) == 1, (what, r.output)
        assert lines[0].startswith("error: "), (what, lines)
        assert "Traceback" not in r.output
        assert message in lines[0], (what, lines[0])
        assert not out.exists(), what  # nothing written


# ---- roads ---------------------------------------------------------------------------------

def _example_network():
    sc = load_scenario(EXAMPLE)
    town = build_town(sc)
    return sc, town


def test_travel_on_an_osm_extract_equals_networkx_shortest_paths():
    sc, town = _example_network()
    travel = town.travel
    assert isinstance(travel, RoadTravel)
    import osmnx as ox

    G = ox.project_graph(read_road_graph(EXAMPLE_OSM), to_crs=town.crs)
    speeds = Roads(path="x").speed_table()
    D = nx.DiGraph()
    for u, v, data in G.edges(data=True):
        cls = data.get("highway")
        if cls is None or speeds.get(cls) is None or speeds[cls].car <= 0:
            continue
        w = data["length"] / 1000 / speeds[cls].car * 60
        if not D.has_edge(u, v) or D[u][v]["w"] > w:
            D.add_edge(u, v, w=w)
    core = max(nx.strongly_connected_components(D), key=len)
    D = D.subgraph(core)
    ox0, oy0 = town.origin_m
    xy = {n: ((G.nodes[n]["x"] - ox0) / 1000, (G.nodes[n]["y"] - oy0) / 1000) for n in D.nodes}
    rng = np.random.default_rng(7)
    nodes = sorted(D.nodes)
    for _ in range(25):
        a, b = rng.choice(nodes, 2, replace=False)
        expected = nx.shortest_path_length(D, a, b, weight="w")
        assert travel.minutes(xy[a], xy[b], "car") == pytest.approx(expected, rel=1e-9)
    # Off the network: straight-line access at the car's off-road speed, both ends.
    a, b = nodes[3], nodes[40]
    pa = (xy[a][0] + 0.03, xy[a][1] + 0.04)  # 50 m off node a, nearer to it than to any other
    expected = nx.shortest_path_length(D, a, b, weight="w") + 60 * 0.05 / sc.town.travel.car_kmh
    assert travel.minutes(pa, xy[b], "car") == pytest.approx(expected, rel=1e-9)


def test_a_trip_follows_the_roads_and_takes_the_time_travel_is_charged():
    """The path a trip is drawn on is the shortest path its time comes from: every road
    vertex lies on a road line, and the time at the end equals ``minutes(a, b)``."""
    _, town = _example_network()
    travel = town.travel
    roads = shapely.MultiLineString(list(town.roads.lines))
    rng = np.random.default_rng(3)
    pts = [tuple(p) for p in rng.uniform(0.3, 6.0, size=(12, 2))]
    for a, b in itertools.pairwise(pts):
        for mode in ("car", "walk"):
            xy, t, start, end = travel.trip(a, b, mode)
            assert t[-1] == pytest.approx(travel.minutes(a, b, mode), rel=1e-9)
            assert (np.diff(t) >= 0).all() and tuple(xy[0]) == a and tuple(xy[-1]) == b
            for x, y in xy[start:end + 1]:
                assert roads.distance(Point(x, y)) < 1e-9
            assert np.array_equal(travel.route(a, b, mode), xy)


def test_trips_inside_a_grid_take_the_roads_where_they_are_quicker():
    sc, town = _example_network()
    travel = town.travel
    detour = sc.town.travel.detour_factor
    quicker = 0
    for g in town.grids[::17]:
        for mode in ("walk", "ebike"):
            pts = _points_in(g.box, WITHIN_POINTS)
            assert len(pts) == WITHIN_POINTS and all(g.box.geometry.covers(Point(p)) for p in pts)
            pairs = [(a, b) for i, a in enumerate(pts) for j, b in enumerate(pts) if i != j]
            straight = [60 * detour * float(np.hypot(*(a - b))) / travel.speed_kmh(mode) for a, b in pairs]
            road = [travel.minutes(tuple(a), tuple(b), mode) for a, b in pairs]
            expected = float(np.mean(np.minimum(road, straight)))
            assert travel.within_box_minutes(g.box, mode) == pytest.approx(expected, rel=1e-9)
            quicker += expected < float(np.mean(straight))
    assert quicker >= 3  # in some grids some trips are quicker by road


def test_one_way_streets_and_messy_osm_are_reported_not_hidden():
    _, town = _example_network()
    w = "\n".join(text(x) for x in town.warnings)
    assert "2 of 641 edges have no highway tag and are ignored" in w
    assert "outside the largest strongly connected part for car" in w
    net = town.roads
    one_way = net.edges[net.edges.oneway]
    assert len(one_way) == 25  # the extract's one-way streets; none has a street back beside it
    assert not set(zip(one_way.u, one_way.v, strict=True)) & set(zip(net.edges.v, net.edges.u, strict=True))
    # A car may drive a one-way street only forwards; a walker may go both ways.
    g_car, g_walk = net.modes["car"], net.modes["walk"]
    for g, forward, back in ((g_car, 24, 0), (g_walk, 25, 25)):  # one lies outside the car's connected part
        loc = {int(n): i for i, n in enumerate(g.nodes)}
        kept = [(loc[u], loc[v]) for u, v in zip(one_way.u, one_way.v, strict=True) if u in loc and v in loc]
        assert (sum(g.graph[i, j] > 0 for i, j in kept), sum(g.graph[j, i] > 0 for i, j in kept)) == (forward, back)
    assert np.isfinite(g_walk.row(0)).all() and np.isfinite(g_car.row(0)).all()  # never inf inside a kept part


def test_an_edge_has_one_road_class_whatever_the_hash_seed(tmp_path):
    """Simplifying never joins two classes into one edge (whose class would be a list in set order),
    and a GraphML file that does hold such a list gets its most major class, in either order."""
    nodes = {k: (X0 + 300.0 * k, Y0) for k in range(1, 6)}
    osm = _osm(tmp_path / "chain.osm", [([1, 2, 3], {"highway": "secondary"}),
                                         ([3, 4, 5], {"highway": "residential"})], nodes)
    G = read_road_graph(osm)
    assert sorted(d["highway"] for _, _, d in G.edges(data=True)) == ["residential"] * 2 + ["secondary"] * 2
    assert _road_class(["residential", "secondary_link"]) == _road_class(["secondary", "residential"]) == "secondary"
    assert _road_class(["zebra_way", "alpha_way"]) == "alpha_way"  # classes without a speed: by name


def test_pbf_and_graphml_give_the_same_network(tmp_path):
    import osmium
    import osmnx as ox

    pbf = tmp_path / "roads.osm.pbf"
    w = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(EXAMPLE_OSM)):
        w.add(obj)
    w.close()
    graphml = tmp_path / "roads.graphml"
    ox.save_graphml(read_road_graph(EXAMPLE_OSM), graphml)
    cfg = Roads(path="x")
    nets = [build_network(read_road_graph(p), cfg, p, LATTICE_CRS, LATTICE_ORIGIN_M) for p in (EXAMPLE_OSM, pbf, graphml)]
    ref = nets[0]
    for n in nets[1:]:
        assert len(n.modes["car"].nodes) == len(ref.modes["car"].nodes)
        assert n.modes["car"].graph.sum() == pytest.approx(ref.modes["car"].graph.sum(), rel=1e-9)


def test_a_graph_without_crs_is_refused(tmp_path):
    G = read_road_graph(EXAMPLE_OSM)
    del G.graph["crs"]
    with pytest.raises(GeoError, match="CRS of the road network cannot be determined"):
        build_network(G, Roads(path="x"), tmp_path / "g.graphml", LATTICE_CRS, LATTICE_ORIGIN_M)


# ---- layers out and the round trip -----------------------------------------------------------

def test_runs_write_grids_and_squads_layers_and_maps(tmp_path):
    out = tmp_path / "run"
    sc = load_scenario(EXAMPLE)
    out.mkdir()
    summary = run_replication(sc, 3, 2.0, out)  # one day past the preset's one-day warm-up: cases to count
    assert summary["town"]["crs"] == "EPSG:32651" and summary["town"]["travel"] == "roads"
    assert "roads_outside_connected_part" in {w["code"] for w in summary["warnings"]}
    grids = gpd.read_file(out / "grids.gpkg", layer="grids")
    assert grids.crs.to_string() == "EPSG:32651"
    for col in ("grid", "village", "households", "incidents", "discovery_p50_min", "share_within_15min",
                "closure_on_time_share", "response_on_time_share", "score", "workload"):
        assert col in grids.columns
    assert len(grids) == summary["grids"] and grids.geometry.area.sum() > 50e6  # ≈ 100 km² in m²
    assert grids.incidents.sum() == summary["incidents"] > 100  # the same cases, after the warm-up
    bases = gpd.read_file(out / "squads.gpkg", layer="bases")
    zones = gpd.read_file(out / "squads.gpkg", layer="zones")
    routes = gpd.read_file(out / "squads.gpkg", layer="routes")
    assert len(bases) == len(zones) == 3 and set(bases.geom_type) == {"Point"}
    assert zones.geometry.area.sum() == pytest.approx(grids.geometry.area.sum(), rel=1e-6)
    assert sorted(routes.grid) == sorted(grids.grid) and (routes.minutes > 0).all()  # the zones share out every grid
    r = CliRunner().invoke(app, ["map", str(out), "--measure", "discovery_p50_min", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    png = out / "maps" / "discovery_p50_min.png"
    assert png.stat().st_size > 20_000 and (out / "maps" / "discovery_p50_min.svg").exists()
    r = CliRunner().invoke(app, ["map", str(out), "--measure", "nope"])
    assert r.exit_code == 2 and "no per-grid measure 'nope'" in r.output
    # --help lists exactly the measures a run's layer holds
    from sim.geo.cli import MAP_MEASURES

    numeric = {c for c in grids.columns if c != "geometry" and pd.api.types.is_numeric_dtype(grids[c])}
    assert set(MAP_MEASURES) == numeric
    assert ", ".join(MAP_MEASURES) in " ".join(CliRunner().invoke(app, ["map", "--help"]).output.split())


def test_layers_are_written_as_geopandas_writes_them(tmp_path):
    """write_layer (pyogrio's writer from a plain table) writes the layer GeoDataFrame.to_file writes."""
    import pyogrio
    from geopandas.testing import assert_geodataframe_equal

    town = build_town(load_scenario(DEFAULT))
    mixed = pd.DataFrame({"name": ["a", None, "c"], "value": [1.5, np.nan, 3.0], "count": [1, 2, 3],
                          "geometry": [box(0, 0, 1, 1), shapely.MultiPolygon([box(2, 2, 3, 3), box(4, 4, 5, 5)]),
                                       box(1, 1, 2.5, 2)]})
    tables = {"grids": _grid_table(town), "mixed": mixed, "lines_z": pd.DataFrame(
                  {"km": [1.0, 2.0], "geometry": [shapely.LineString([(0, 0, 1), (1, 1, 2)]), None]}),
              "empty": pd.DataFrame({"squad": [], "crews": [], "geometry": []})}
    for layer, table in tables.items():
        write_layer(table, town, tmp_path / "new.gpkg", layer)
        frame = to_real(gpd.GeoDataFrame(table, geometry="geometry"), town.crs, town.origin_m)
        frame.to_file(tmp_path / "old.gpkg", layer=layer, driver="GPKG", engine="pyogrio")
        new, old = (pyogrio.read_info(tmp_path / f, layer=layer) for f in ("new.gpkg", "old.gpkg"))
        for key in ("crs", "geometry_type", "features", "fields", "dtypes"):
            assert str(new[key]) == str(old[key]), (layer, key)
        a, b = (gpd.read_file(tmp_path / f, layer=layer) for f in ("new.gpkg", "old.gpkg"))
        assert_geodataframe_equal(a, b)
        assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))


def test_lattice_town_round_trips_through_a_geopackage(tmp_path):
    sc = load_scenario(DEFAULT)
    town = build_town(sc)
    gpkg = tmp_path / "town.gpkg"
    export_town(town, gpkg)
    p = tmp_path / "imported.toml"
    p.write_text(
        f'extends = "{DEFAULT}"\n'
        '[town.gis.villages]\npath = "town.gpkg"\nlayer = "villages"\nenterprises = "enterprises"\nland_use = "land_use"\n'
        '[town.gis.grids]\npath = "town.gpkg"\nlayer = "grids"\nvillage = "village"\nhouseholds = "households"\n',
        encoding="utf-8")
    imported = load_scenario(p)
    town2 = build_town(imported)
    assert town2.crs == LATTICE_CRS and town2.origin_m == LATTICE_ORIGIN_M
    assert [g.id for g in town2.grids] == [g.id for g in town.grids]
    a = run_replication(sc, 4, 2.0)
    b = run_replication(imported, 4, 2.0)
    assert b["town"]["source"] == "gis" and a["town"]["source"] == "lattice"
    for key in ("incidents", "reported", "overdue_alarms", "backlog_end"):
        assert a[key] == b[key], key
    for key in ("response_p50_min", "response_p90_min", "share_within_15min", "closure_on_time_share",
                "discovery_p50_min", "backlog_mean"):
        assert b[key] == pytest.approx(a[key], rel=1e-9), key
    assert b["tier_share"] == pytest.approx(a["tier_share"], rel=1e-9)
    assert [s["calls_share"] for s in b["squads"]] == pytest.approx([s["calls_share"] for s in a["squads"]], rel=1e-9)


def test_model_frames_for_other_views():
    town = build_town(load_scenario(DEFAULT))
    vf, gf = village_frame(town), grid_frame(town)
    assert len(vf) == 60 and len(gf) == len(town.grids)
    assert gf.area_km2.sum() == pytest.approx(vf.geometry.area.sum()) == pytest.approx(110, rel=1e-9)
    assert isinstance(town.travel, EuclideanTravel)


def test_a_gis_town_far_from_its_stated_residents_is_warned_of_its_inherited_volumes(tmp_path):
    """Extending the Xu Xiake preset (180,000 residents) with a 7,840-resident town keeps its 3,000
    enterprises and its hall: said once, by number, until the scenario states this town's residents."""
    sc = load_scenario(_gis_scenario(tmp_path))
    (w,) = [w for w in town_warnings(sc, build_town(sc)) if w.code == "volumes_for_another_town"]
    assert w.values == {"residents": 2800 * 2.8, "stated": 180000.0, "enterprises": 3000.0,
                        "cases_per_year": 120000.0, "windows": 14}
    assert text(w).startswith("this GIS town has 7,840 residents, but the scenario's town.residents is 180,000")
    assert "town.enterprises 3,000, the service hall's 120,000 cases a year and 14 windows" in text(w)
    assert "企业数 3,000、服务大厅每年 120,000 件、14 个窗口" in text(w, "zh")
    (tmp_path / "town.toml").unlink()
    sc = load_scenario(_gis_scenario(tmp_path, extra="[town]\nresidents = 8000\n"))  # stated: within ×2
    assert "volumes_for_another_town" not in {w.code for w in town_warnings(sc, build_town(sc))}
    # a file bringing its own town to a preset is named by the file unless it names itself
    (tmp_path / "mytown.toml").write_text(f'extends = "{DEFAULT}"\n[town.gis.villages]\npath = "villages.geojson"\n'
                                          'name = "NAME"\nhouseholds = "HH"\nland_use = "LU"\n', encoding="utf-8")
    own = load_scenario(tmp_path / "mytown.toml")
    assert own.meta.name == "mytown" and own.meta.description == ""
    assert load_scenario(tmp_path / "town.toml").meta.name == "test_town"  # named by itself
