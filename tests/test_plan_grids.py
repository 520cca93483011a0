"""gridsim plan grids: every constraint holds on random villages; infeasible ranges are refused."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.plan.grids import GridRule, divide_village, feasible_counts, grid_counts, objectives
from sim.plan.inputs import PlanError


@st.composite
def village_and_rule(draw):
    low = draw(st.sampled_from([150.0, 200.0, 300.0]))
    high = low + draw(st.sampled_from([100.0, 200.0, 300.0]))
    k = draw(st.integers(2, 4))
    households = draw(st.floats(k * low + 1, k * high - 1))
    w, h = draw(st.floats(0.3, 3.0)), draw(st.floats(0.3, 3.0))
    x0, y0 = draw(st.floats(0, 5)), draw(st.floats(0, 5))
    return shapely.box(x0, y0, x0 + w, y0 + h), households, k, GridRule(low, high)


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(village_and_rule())
def test_division_respects_every_constraint(case):
    poly, households, k, rule = case
    events = households * 0.3
    polys, hh, ev = divide_village(poly, households, events, k, rule)
    assert len(polys) == k
    assert all(p.geom_type == "Polygon" for p in polys)  # each grid is one contiguous piece
    assert sum(p.area for p in polys) == pytest.approx(poly.area, rel=1e-9)
    assert shapely.unary_union(polys).symmetric_difference(poly).area < 1e-9 * poly.area  # they tile it
    assert all(rule.low - 1e-6 <= x <= rule.high + 1e-6 for x in hh), hh
    assert hh.sum() == pytest.approx(households) and ev.sum() == pytest.approx(events)
    assert ev.max() / ev.mean() < 1.1  # expected work balanced within the village
    assert min(4 * math.pi * p.area / p.length**2 for p in polys) > 0.2  # no snakes (a 1×3 strip is 0.59)


def _town(households):
    from sim.plan.inputs import PlanTown

    n = len(households)
    return PlanTown(
        villages=[f"V{i}" for i in range(n)], polygons=[shapely.box(i, 0, i + 1, 1) for i in range(n)],
        households=np.array(households, dtype=float), land_use=["rural"] * n,
        events_per_month=np.array(households, dtype=float) * 0.1, atoms=[], atom_village=np.array([], dtype=int),
        atom_xy=np.zeros((0, 2)), grid_polygons=[], grid_households=np.array([]), squad_calls=np.array([]),
        calls_by_hour=np.full(24, 1 / 24), on_duty_call_share=1.0, duty_min_per_day=1440.0, travel=lambda a, b: 0.0,
        overhead_min=1.0, triage_min=2.0, respond_limit_min=15.0, work_min=20.0, trips=2, crews_per_squad=1,
        current_bases=[], current_zones=[], current_rule="nearest_idle")


def test_counts_prefer_two_or_three_grids_and_stay_feasible():
    town = _town([450, 900, 1400, 2600])
    counts = grid_counts(town, GridRule(200, 500, 400))
    # 2600 households need 6 to 13 grids; 7 brings events per grid (37) nearest the target (40 at 400 households)
    assert list(counts) == [2, 2, 3, 7]
    for h, k in zip(town.households, counts, strict=True):
        assert 200 <= h / k <= 500


def test_a_village_too_small_for_the_range_is_refused_with_the_nearest_setting():
    town = _town([900, 150])
    with pytest.raises(PlanError, match=r"V1 \(150 households\).*nearest feasible setting is --households 150\.\.500"):
        grid_counts(town, GridRule(200, 500))
    assert not feasible_counts(520, GridRule(300, 500))  # 2 grids < 300 each, 1 grid > 500
    with pytest.raises(PlanError, match=r"--households 260\.\.500 \(or 300\.\.520\)"):
        grid_counts(replace(town, households=np.array([900.0, 520.0])), GridRule(300, 500))


def test_a_division_no_more_even_than_today_is_said_plainly(tmp_path):
    """A small GIS town: two rural villages of 444 households (one grid today, two by the 2–3 rule)
    and two dense core ones; the division keeps every grid in range but spreads events per grid
    more, and the terminal, plan.json and the report say so."""
    import json
    from pathlib import Path

    import geopandas as gpd
    from typer.testing import CliRunner

    from sim.cli import app

    x0, y0 = 250_000.0, 3_525_000.0  # UTM 51N
    frame = gpd.GeoDataFrame(
        {"NAME": ["甲村", "乙村", "丙社区", "丁社区"], "HH": [444, 444, 1376, 1376],
         "LU": ["rural", "rural", "core", "core"]},
        geometry=[shapely.box(x0 + i * 1000, y0, x0 + (i + 1) * 1000, y0 + 1000) for i in range(4)], crs="EPSG:32651")
    frame.to_file(tmp_path / "v.gpkg", engine="pyogrio")
    scen = tmp_path / "town.toml"
    root = Path(__file__).resolve().parents[1]
    scen.write_text(f'extends = "{root / "scenarios" / "xuxiake_1plus4.toml"}"\n[meta]\nname = "t"\nlanguage = "en"\n'
                    '[town.gis.villages]\npath = "v.gpkg"\nname = "NAME"\nhouseholds = "HH"\nland_use = "LU"\n',
                    encoding="utf-8")
    out = tmp_path / "pg"
    r = CliRunner().invoke(app, ["plan", "grids", str(scen), "--out", str(out)])
    assert r.exit_code == 0, r.output
    obj = pd.read_csv(out / "objectives.csv").set_index("objective")
    cv = obj.loc["events per grid per month, CV"]
    assert cv.proposal >= cv.today  # the 2–3 rule halves the rural grids' events
    assert "warning: the proposal does not make expected events per grid more even" in r.output
    assert "the 2–3 grids per village rule second (2 of" in r.output
    warnings = json.loads((out / "plan.json").read_text())["warnings"]
    assert [w["code"] for w in warnings] == ["grids_not_more_even"]
    assert warnings[0]["values"]["cv_proposal"] == pytest.approx(cv.proposal)
    r = CliRunner().invoke(app, ["report", str(out), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    proposal = html[html.index('<section id="proposals">'):]
    assert 'class="warning">the proposal does not make expected events per grid more even' in proposal


def test_objectives_count_whole_households_like_the_run_check():
    """A 400-household village cut on cells gives 199.98 + 200.02: both grids are inside 200–500, min 200."""
    frame = pd.DataFrame({"village": ["北村", "北村", "东村"], "households": [199.98, 200.02, 499.6],
                          "events_per_month": [20.0, 20.0, 50.0], "polsby_popper": [0.7, 0.7, 0.7]})
    got = objectives(frame, GridRule(200, 500))
    assert got["grids inside the household range (share)"] == 1.0
    assert got["households per grid, min"] == 200 and got["households per grid, max"] == 500
    frame.loc[2, "households"] = 500.6  # 501 whole households: outside, as the run warns
    assert objectives(frame, GridRule(200, 500))["grids inside the household range (share)"] == pytest.approx(2 / 3)


def test_plan_grids_draws_its_map_in_the_language_asked(tmp_path, monkeypatch):
    """--lang en on a Chinese scenario: the table and grids.png are both English."""
    from pathlib import Path

    import geopandas as gpd
    from typer.testing import CliRunner

    import sim.plan.figures as figures
    from sim.cli import app

    x0, y0 = 250_000.0, 3_525_000.0  # UTM 51N
    gpd.GeoDataFrame({"NAME": ["甲村", "乙村"], "HH": [600, 500], "LU": ["rural", "rural"]},
                     geometry=[shapely.box(x0 + i * 1000, y0, x0 + (i + 1) * 1000, y0 + 1000) for i in range(2)],
                     crs="EPSG:32651").to_file(tmp_path / "v.gpkg", engine="pyogrio")
    scen = tmp_path / "mytown.toml"
    root = Path(__file__).resolve().parents[1]
    scen.write_text(f'extends = "{root / "scenarios" / "xuxiake_1plus4.toml"}"\n'  # language zh, from the preset
                    '[town.gis.villages]\npath = "v.gpkg"\nname = "NAME"\nhouseholds = "HH"\nland_use = "LU"\n',
                    encoding="utf-8")
    drawn: list[str] = []
    real = figures.grids_map

    def spy(*a, **k):
        drawn.append(k.get("lang", a[-1]))
        return real(*a, **k)

    monkeypatch.setattr(figures, "grids_map", spy)
    r = CliRunner().invoke(app, ["plan", "grids", str(scen), "--lang", "en", "--out", str(tmp_path / "pg")])
    assert r.exit_code == 0, r.output
    assert drawn == ["en"] and (tmp_path / "pg" / "grids.png").exists()
    assert "Grid division of mytown" in r.output  # named by its own file, not the preset it extends
