"""Maps of a run's per-grid measures (sim.geo.maps): scales and what the legend names."""

from __future__ import annotations

from typing import cast

import geopandas as gpd
import matplotlib
import pytest
import shapely
from matplotlib.lines import Line2D

from sim.geo.maps import draw_choropleth

matplotlib.use("Agg")


def _grids(values: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"share_within_15min": values},
                            geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(values))])


@pytest.mark.parametrize(("values", "scale"), [([1.0, 1.0], (90.0, 100.0)), ([0.0, 0.0], (0.0, 10.0)),
                                               ([0.5, 0.8], (50.0, 80.0))])
def test_a_share_is_coloured_on_a_scale_inside_0_to_100_percent(values: list[float], scale: tuple[float, float]):
    """Every grid at 100 %: the colour bar runs 90–100 %, not 90–110 % (matplotlib's padding of one value)."""
    import matplotlib.pyplot as plt

    fig = draw_choropleth(_grids(values), "share_within_15min")
    norm = fig.axes[0].collections[0].norm
    assert (norm.vmin, norm.vmax) == pytest.approx(scale)
    plt.close(fig)


def test_grid_lines_are_told_apart_from_roads_and_villages():
    """A map of a division outlines each grid in its own colour and says so in the legend."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    grids = gpd.GeoDataFrame({"households": [300.0, 300.0]},
                             geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    villages = gpd.GeoDataFrame({"name": ["甲村"]}, geometry=[shapely.box(0, 0, 2, 1)])
    roads = gpd.GeoDataFrame({"highway": ["residential"]}, geometry=[shapely.LineString([(0, 0.5), (2, 0.5)])])
    for lang, words in (("en", ["road", "grid boundary", "village boundary"]), ("zh", ["道路", "网格界线", "村界"])):
        fig = draw_choropleth(grids, "households", lang=lang, villages=villages, roads=roads, grid_lines=True)
        legend = fig.axes[0].get_legend()
        assert legend is not None and [t.get_text() for t in legend.get_texts()] == words
        road, grid, village = (cast(Line2D, h) for h in legend.legend_handles)
        assert to_hex(grid.get_color()) not in {to_hex(road.get_color()), to_hex(village.get_color())}
        assert village.get_linewidth() > grid.get_linewidth() > road.get_linewidth()
        plt.close(fig)
    plain = draw_choropleth(grids, "households", villages=villages, roads=roads)  # a run's measure map: as before
    legend = plain.axes[0].get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["road"]
    plt.close(plain)


def test_the_pareto_figure_of_plans_equal_to_1e_5_percent_has_a_plain_share_axis():
    """Shares 90.4656 % ± 1e-5: a one-point axis in %, not matplotlib's offset '1e-5+9.04656e1'."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from sim.plan.pareto import pareto_plot

    table = pd.DataFrame({"method": ["current", "p-median", "mclp"], "crews": [9, 6, 6],
                          "predicted_fifteen_share": [0.904656319, 0.904656310, 0.904656300],
                          "squad_max_over_mean": [1.08, 1.2, 1.3], "pareto": [True, True, False]})
    fig = pareto_plot(table)
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert hi - lo == pytest.approx(1.0) and lo < 90.4656 < hi
    fig.canvas.draw()
    assert ax.yaxis.get_offset_text().get_text() == ""
    plt.close(fig)
