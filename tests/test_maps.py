"""Maps of a run's per-grid measures (sim.geo.maps): scales and what the legend names."""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import pytest
import shapely

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
