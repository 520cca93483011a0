"""Candidate squad bases: the scenario's own sites, road intersections, and their refusals."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import tomli_w
from shapely.geometry import Point, box
from test_plan import line_data, plan

from sim.config import validate_scenario
from sim.plan.inputs import PlanError, plan_town
from sim.plan.locate import cost_matrix, locate
from sim.plan.sites import candidate_sites, road_sites

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuxiake_1plus4.toml"
UTM = "EPSG:32651"
X0, Y0 = 250_000.0, 3_525_000.0  # metres in UTM 51N


def _line_with_sites(sites: list[dict], **plan_cfg) -> dict:
    data = line_data()
    data["plan"] = {"sites": sites, **plan_cfg}
    return data


def test_listed_sites_are_the_only_candidates_and_p_median_picks_the_right_two(tmp_path):
    # Three depots on the line of villages: one in each cluster's middle village and one in the empty middle.
    sites = [{"name": "West depot", "x": 4.5, "y": 0.5}, {"name": "Middle yard", "x": 13.5, "y": 0.5},
             {"name": "East depot", "x": 22.5, "y": 0.5}]
    sc = validate_scenario(_line_with_sites(sites), "line")
    town = plan_town(sc)
    s = candidate_sites(town, sc.plan, "line.toml")
    assert s.names == ["West depot", "Middle yard", "East depot"] and set(s.kinds) == {"listed"}
    loc = locate(cost_matrix(town, s), town.squad_calls, town.atom_village, 2, "p-median", town.reach_min)
    assert [s.names[j] for j in loc.sites] == ["West depot", "East depot"]
    # Listing the villages as well puts them back among the candidates, after the listed sites.
    sc = validate_scenario(_line_with_sites(sites, candidates=["listed", "villages"]), "line")
    both = candidate_sites(plan_town(sc), sc.plan, "line.toml")
    assert len(both) == 12 and both.kinds.count("villages") == 9

    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(_line_with_sites(sites)))
    out = tmp_path / "plan"
    r = plan("bases", str(src), "--squads", "2", "--out", str(out))
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "bases.csv").set_index("id")
    assert table.loc["pmedian_k2", "bases"] == "West depot; East depot"
    listed = pd.read_csv(out / "sites.csv")
    assert list(listed.site) == [x["name"] for x in sites] and list(listed.village) == ["L1", "L4", "L7"]
    assert "pmedian_k2" in listed.set_index("site").loc["West depot", "chosen_by"]


@pytest.mark.parametrize("sites, extra, args, message", [
    ([{"name": "A", "x": 4.5, "y": 0.5}, {"name": "A", "x": 7.5, "y": 0.5}], {}, [],
     "plan.sites: duplicate site name 'A'"),
    ([{"name": "A", "x": 4.5, "y": 0.5}, {"name": "Far", "x": 40.0, "y": 0.5}], {}, [],
     "plan.sites: site 'Far' at (40.00, 0.50) km lies outside the town"),
    ([{"name": "L3", "x": 4.5, "y": 0.5}], {"candidates": ["listed", "villages"]}, [],
     "site name 'L3' is also a village's or another site's name"),
    ([{"name": "A", "x": 4.5, "y": 0.5}, {"name": "B", "x": 22.5, "y": 0.5}, {"name": "C", "x": 13.5, "y": 0.5}],
     {}, ["--squads", "2..5"], "there are only 3 candidate sites (listed); the nearest feasible setting is --squads 2..3"),
    ([], {"candidates": ["road_nodes"]}, [], "road_nodes needs a road network"),
    ([], {"candidates": ["listed"]}, [], "'listed' needs [[plan.sites]] or [plan.site_layer]"),
    ([{"name": "A", "x": 4.5, "y": "0.5"}], {}, [], "must be a number"),
])
def test_bad_candidate_sites_are_refused_in_one_line(tmp_path, sites, extra, args, message):
    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(_line_with_sites(sites, **extra)))
    out = tmp_path / "plan"
    r = plan("bases", str(src), *(args or ["--squads", "2"]), "--out", str(out))
    assert r.exit_code == 2, r.output
    assert message in r.output and len(r.output.strip().splitlines()) == 1, r.output
    assert not out.exists() or not any(out.iterdir())


# ---- a real-format town with streets ---------------------------------------------------------

def _osm(path: Path, ways: list[list[int]], nodes: dict[int, tuple[float, float]]) -> Path:
    from pyproj import Transformer

    t = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    for n, (x, y) in nodes.items():
        lon, lat = t.transform(x, y)
        lines.append(f'<node id="{n}" lat="{lat:.8f}" lon="{lon:.8f}" version="1"/>')
    for k, refs in enumerate(ways):
        lines += [f'<way id="{100 + k}" version="1">', *[f'<nd ref="{r}"/>' for r in refs],
                  '<tag k="highway" v="residential"/>', "</way>"]
    path.write_text("\n".join([*lines, "</osm>"]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def street_town(tmp_path_factory) -> Path:
    """Four 1-km villages in a row; a main street through their middles, a cross street through
    each village's centre (four 4-way intersections) and one more cross street east of the town."""
    d = tmp_path_factory.mktemp("streets")
    gpd.GeoDataFrame({"name": [f"村{i + 1}" for i in range(4)], "households": [600, 900, 500, 800]},
                     geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(4)],
                     crs=UTM).to_file(d / "villages.geojson", engine="pyogrio")
    nodes = {i: (X0 + 500 * i, Y0 + 500) for i in range(11)}  # main street, every 500 m to 5 km
    ways = [list(range(11))]
    for k, x in enumerate([500, 1500, 2500, 3500, 4500]):  # cross streets: south end, crossing, north end
        nodes[100 + k], nodes[200 + k] = (X0 + x, Y0 + 100), (X0 + x, Y0 + 900)
        ways.append([100 + k, x // 500, 200 + k])
    _osm(d / "roads.osm", ways, nodes)
    gpd.GeoDataFrame({"名称": ["派出所", "旧粮站"]}, geometry=[Point(X0 + 250, Y0 + 250), Point(X0 + 3750, Y0 + 750)],
                     crs=UTM).to_file(d / "sites.geojson", engine="pyogrio")
    return d


def _street_scenario(d: Path, name: str, plan_toml: str = "") -> Path:
    p = d / f"{name}.toml"
    p.write_text(f'extends = "{DEFAULT}"\n[meta]\nname = "{name}"\n[run]\nwarmup_days = 0\n'
                 '[town.gis.villages]\npath = "villages.geojson"\n[town.roads]\npath = "roads.osm"\n' + plan_toml,
                 encoding="utf-8")
    return p


def test_road_intersections_inside_the_town_are_candidates(street_town):
    from sim.config import load_scenario

    sc = load_scenario(_street_scenario(street_town, "streets"))
    town = plan_town(sc)
    sites = candidate_sites(town, sc.plan, "streets.toml")  # default with roads: villages and intersections
    roads = [i for i, k in enumerate(sites.kinds) if k == "road_nodes"]
    assert sites.kinds.count("villages") == 4 and len(roads) == 4  # the one east of the town is left out
    xy = sites.xy[roads]
    assert sorted(np.round(xy[:, 0], 3)) == [0.5, 1.5, 2.5, 3.5] and np.allclose(xy[:, 1], 0.5)
    # Thinned to two: the one nearest the centre of the calls first, then the one farthest from it.
    two = road_sites(town, 2, 3)
    assert two.names == ["R1", "R2"]
    centre = town.squad_calls @ town.atom_xy / town.squad_calls.sum()
    first = float(two.xy[0, 0])
    assert abs(first - centre[0]) == pytest.approx(np.abs(xy[:, 0] - centre[0]).min())
    assert abs(float(two.xy[1, 0]) - first) == pytest.approx(np.abs(xy[:, 0] - first).max())
    with pytest.raises(PlanError, match=r"nearest feasible setting is plan\.min_road_degree = 4"):
        road_sites(town, 60, 5)


def test_a_point_layer_of_sites_is_read_in_the_towns_frame(street_town):
    from sim.config import load_scenario

    sc = load_scenario(_street_scenario(street_town, "layer", '[plan.site_layer]\npath = "sites.geojson"\n'
                                                              'name = "名称"\n'))
    sites = candidate_sites(plan_town(sc), sc.plan, "layer.toml")
    assert sites.names == ["派出所", "旧粮站"] and sites.kinds == ["listed", "listed"]
    assert sites.xy == pytest.approx(np.array([[0.25, 0.25], [3.75, 0.75]]))
    bad = load_scenario(_street_scenario(street_town, "badcol", '[plan.site_layer]\npath = "sites.geojson"\n'))
    with pytest.raises(PlanError, match=r"plan.site_layer.name: unknown attribute column 'name' \(columns: 名称\)"):
        candidate_sites(plan_town(bad), bad.plan, "badcol.toml")
