"""The generated town: village and grid counts, areas, households per grid, land use,
point location and travel, checked against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_scenario

from sim.town import _MEAN_DIST_UNIT_SQUARE, Box, build_town
from sim.vocabulary import LandUse

# 4 villages on 16 km²: a 2 × 2 lattice of 2 km squares; 28,000 residents at 2.8 a household
# are 10,000 households; one village (a quarter, rounded) is core at density 1.8.
HAND = {"town.area_km2": 16.0, "town.residents": 28000, "town.villages": 4, "town.core_share": 0.25,
        "town.industrial_share": 0.0, "town.grid_division.households_per_grid": 480}


def test_a_hand_worked_lattice():
    town = build_town(make_scenario(HAND))
    assert [v.box for v in town.villages] == [Box(0, 0, 2, 2), Box(2, 0, 4, 2), Box(0, 2, 2, 4), Box(2, 2, 4, 4)]
    # all four are equally far from the centre: the first in order becomes the core
    assert [v.land_use for v in town.villages] == [LandUse.CORE, LandUse.RURAL, LandUse.RURAL, LandUse.RURAL]
    # households by area × density: 1.8 : 1 : 1 : 1 of 10,000
    hh = [v.households for v in town.villages]
    assert hh == pytest.approx([3750.0, 10000 / 4.8, 10000 / 4.8, 10000 / 4.8])
    # grids per village = round(households / 480): 7.81 → 8, 4.34 → 4
    assert [len(v.grids) for v in town.villages] == [8, 4, 4, 4]
    assert len(town.grids) == 20
    core = [town.grids[g] for g in town.villages[0].grids]
    assert all(g.area_km2 == pytest.approx(0.5) for g in core)
    assert all(g.households == pytest.approx(3750 / 8) for g in core)
    assert [g.id for g in core][:2] == ["V1-1", "V1-2"]
    # street km = area × the land use's street density in the scenario (core 20 per km²)
    assert core[0].street_km == pytest.approx(0.5 * 20.0)
    assert town.size_km == (4.0, 4.0) and town.residents == 28000


@pytest.mark.parametrize("villages", [1, 5, 7, 60])
def test_counts_areas_and_households_add_up(villages):
    area, residents = 30.0, 50_000
    sc = make_scenario({"town.area_km2": area, "town.residents": residents, "town.villages": villages})
    town = build_town(sc)
    assert len(town.villages) == villages
    assert sum(v.box.area for v in town.villages) == pytest.approx(area)
    assert sum(v.households for v in town.villages) == pytest.approx(residents / sc.town.persons_per_household)
    assert sum(v.enterprises for v in town.villages) == pytest.approx(sc.town.enterprises)
    side = math.sqrt(area)
    for v in town.villages:
        assert 0 <= v.box.x0 < v.box.x1 <= side + 1e-9 and 0 <= v.box.y0 < v.box.y1 <= side + 1e-9
        grids = [town.grids[g] for g in v.grids]
        hpg = sc.town.grid_division.households_per_grid
        assert hpg is not None
        assert len(grids) == max(1, round(v.households / hpg))
        assert sum(g.area_km2 for g in grids) == pytest.approx(v.box.area)
        assert sum(g.households for g in grids) == pytest.approx(v.households)
        assert {g.village for g in grids} == {v.index}
    assert [g.index for g in town.grids] == list(range(len(town.grids)))
    n_core = sum(v.land_use == LandUse.CORE for v in town.villages)
    n_ind = sum(v.land_use == LandUse.INDUSTRIAL for v in town.villages)
    assert (n_core, n_ind) == (round(sc.town.core_share * villages), round(sc.town.industrial_share * villages))


def test_core_villages_are_nearest_the_centre():
    town = build_town(make_scenario({"town.villages": 25, "town.area_km2": 25.0}))
    centre = (2.5, 2.5)
    dist: dict[LandUse, list[float]] = {v.land_use: [] for v in town.villages}
    for v in town.villages:
        dist[v.land_use].append(math.dist(v.box.centroid, centre))
    assert max(dist[LandUse.CORE]) <= min(dist[LandUse.INDUSTRIAL]) <= max(dist[LandUse.INDUSTRIAL])
    assert max(dist[LandUse.INDUSTRIAL]) <= min(dist[LandUse.RURAL])


def test_fixed_grid_count_per_village():
    town = build_town(make_scenario({"town.grid_division.households_per_grid": None,
                                     "town.grid_division.grids_per_village": 3}))
    assert all(len(v.grids) == 3 for v in town.villages)
    assert len(town.grids) == 3 * len(town.villages)


def test_same_scenario_same_town_whatever_the_seed():
    """The town is laid out by arithmetic: the run's seed changes the incidents, not the map."""
    a = build_town(make_scenario({"run.seed": 1}))
    b = build_town(make_scenario({"run.seed": 99}))
    assert [(g.id, g.box, g.households, g.land_use) for g in a.grids] == \
           [(g.id, g.box, g.households, g.land_use) for g in b.grids]


def test_locate_finds_the_grid_whose_box_holds_the_point():
    town = build_town(make_scenario(HAND))
    rng = np.random.default_rng(3)
    for g in town.grids:
        pts = rng.random((5, 2))
        xs = g.box.x0 + pts[:, 0] * (g.box.x1 - g.box.x0)
        ys = g.box.y0 + pts[:, 1] * (g.box.y1 - g.box.y0)
        for x, y in zip(xs, ys, strict=True):
            assert town.locate(g.village, x, y) == g.index
        np.testing.assert_array_equal(town.locate_many(np.full(5, g.village), xs, ys), g.index)
    # the far edge of a village still belongs to its last grid
    v = town.villages[1]
    assert town.locate(1, v.box.x1, v.box.y1) == v.grids[-1]


def test_straight_line_travel():
    sc = make_scenario(HAND)
    travel = build_town(sc).travel
    cfg = sc.town.travel
    assert travel.minutes((0, 0), (3, 4), "car") == pytest.approx(60 * 5 * cfg.detour_factor / cfg.car_kmh)
    assert travel.speed_kmh("walk") == cfg.walk_kmh
    # mean trip inside a 2 km square on foot: 0.5214 × side × detour / speed
    box = Box(0, 0, 2, 2)
    assert travel.within_box_minutes(box, "walk") == pytest.approx(
        60 * _MEAN_DIST_UNIT_SQUARE * 2 * cfg.detour_factor / cfg.walk_kmh)


def test_mean_distance_in_a_unit_square_constant():
    """Ghosh's closed form (2 + √2 + 5 ln(1 + √2)) / 15, and a Monte Carlo check of it."""
    exact = (2 + math.sqrt(2) + 5 * math.log(1 + math.sqrt(2))) / 15
    assert abs(_MEAN_DIST_UNIT_SQUARE - exact) < 1e-4
    p = np.random.default_rng(0).random((200_000, 4))
    d = np.hypot(p[:, 0] - p[:, 2], p[:, 1] - p[:, 3])
    assert abs(d.mean() - exact) < 4 * d.std() / math.sqrt(len(d))
