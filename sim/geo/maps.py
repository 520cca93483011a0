"""Choropleth maps of per-grid measures, drawn from the layers themselves (no map tiles).

:func:`draw_choropleth` is the reusable part: any GeoDataFrame and one numeric column,
with optional villages (outlines and names), roads, squad zones, bases and routes, a
scale bar, a north arrow and a legend with units, in Chinese or English (Chinese names and
labels render in the CJK font of ``sim.fonts``). :func:`map_run` draws a run folder's default set.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.fonts import cjk_font
from sim.labels import map_feature, measure, page_text

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

@dataclass(frozen=True)
class MeasureLabel:
    """How a map draws a per-grid measure: its unit and which way is better (colours).

    Its name is the column of grids.parquet, and its words are ``sim.labels``'s.
    """

    name: str
    unit_en: str
    unit_zh: str
    share: bool = False  # a 0–1 share, shown in %
    higher_is_better: bool = True

    def title(self, lang: str) -> str:
        """Give the measure's title in ``lang`` (``sim.labels.measure``)."""
        return measure(self.name, lang)

    def unit(self, lang: str) -> str:
        """Give the unit in ``lang``; shares are drawn in %."""
        return "%" if self.share else (self.unit_zh if lang == "zh" else self.unit_en)


MEASURES: dict[str, MeasureLabel] = {m.name: m for m in (
    MeasureLabel("discovery_p50_min", "min", "分钟", higher_is_better=False),
    MeasureLabel("share_within_15min", "", "", share=True),
    MeasureLabel("closure_on_time_share", "", "", share=True),
    MeasureLabel("workload", "busy ÷ on-duty time", "忙碌÷在岗时间", higher_is_better=False),
    MeasureLabel("response_on_time_share", "", "", share=True),
    MeasureLabel("verified_first_time_share", "", "", share=True),
    MeasureLabel("score", "0–100", "0–100"),
    MeasureLabel("incidents_per_month", "per grid", "件/网格", higher_is_better=False),
    MeasureLabel("incidents", "count", "件", higher_is_better=False),
    MeasureLabel("households", "households", "户", higher_is_better=False),
    MeasureLabel("staff", "people", "人"),
    MeasureLabel("area_km2", "km²", "平方公里"),
)}
DEFAULT_MEASURES = ("discovery_p50_min", "share_within_15min", "closure_on_time_share", "workload")
_TEXT: dict[str, tuple[str, str]] = {
    "north": ("北", "N"),
    "no_data": ("无数据", "no data"),
}
GRID_LINE = "#1f5fd6"  # level-2 grid borders: blue, unlike the grey roads and the black village borders


def label_for(column: str) -> MeasureLabel:
    """Give the label of a column, or the column's own name for a measure the catalogue does not know."""
    return MEASURES.get(column, MeasureLabel(column, "", ""))


def _metres_per_unit(frame: gpd.GeoDataFrame) -> float:
    """Model frames are in km (no CRS); written layers are in a metric CRS."""
    crs = frame.crs
    if crs is None:
        return 1000.0
    if crs.is_geographic:
        raise ValueError("draw maps in a projected (metric) CRS, not longitude/latitude")
    return float(crs.axis_info[0].unit_conversion_factor)


def _nice_length(m: float) -> float:
    exp = 10 ** math.floor(math.log10(m))
    for f in (5, 2, 1):
        if f * exp <= m:
            return f * exp
    return exp


def add_scale_bar(ax: Axes, metres_per_unit: float, lang: str) -> None:
    """Draw a bar of a round length about a fifth of the map's width, bottom left."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length_m = _nice_length((x1 - x0) * metres_per_unit / 5)
    length = length_m / metres_per_unit
    bx, by = x0 + 0.02 * (x1 - x0), y0 + 0.03 * (y1 - y0)
    h = 0.012 * (y1 - y0)
    ax.add_patch(Rectangle((bx, by), length / 2, h, facecolor="black", edgecolor="black", zorder=10))
    ax.add_patch(Rectangle((bx + length / 2, by), length / 2, h, facecolor="white", edgecolor="black", zorder=10))
    km = length_m >= 1000
    text = f"{length_m / 1000:g} km" if km else f"{length_m:g} m"
    if lang == "zh":
        text = f"{length_m / 1000:g} 公里" if km else f"{length_m:g} 米"
    ax.text(bx + length / 2, by + 2.2 * h, text, ha="center", va="bottom", fontsize=8, zorder=10)


def add_north_arrow(ax: Axes, lang: str) -> None:
    """Draw a north arrow in the top right corner, labelled in ``lang``."""
    ax.annotate(page_text(_TEXT, "north", lang), xy=(0.96, 0.97), xytext=(0.96, 0.87), xycoords="axes fraction",
                ha="center", va="center", fontsize=11, zorder=10,
                arrowprops={"facecolor": "black", "width": 4, "headwidth": 11, "headlength": 10})


def draw_choropleth(
    frame: gpd.GeoDataFrame,
    column: str,
    *,
    lang: str = "en",
    title: str | None = None,
    unit: str | None = None,
    villages: gpd.GeoDataFrame | None = None,
    village_names: bool = True,
    roads: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    bases: gpd.GeoDataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    grid_lines: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Draw a choropleth of ``frame[column]`` with scale bar, north arrow and legend; return the figure.

    Every layer must be in the same CRS (metres) or all in model km (no CRS). Shares
    (known 0–1 measures) are shown in %. Polygons with no value are hatched grey. ``vmin`` and
    ``vmax`` fix the colour scale (in the units shown), so maps side by side share one.
    ``grid_lines`` outlines every polygon of ``frame`` (the grids) in blue, apart from the grey
    roads and the thicker black village borders, for maps whose subject is the division itself.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    cjk_font()
    spec = label_for(column)
    title = title if title is not None else spec.title(lang)
    unit = unit if unit is not None else spec.unit(lang)
    values = frame[column].astype(float) * (100.0 if spec.share else 1.0)
    data = frame.assign(_value=values)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 8), dpi=130)
    else:
        fig = ax.figure  # type: ignore[assignment]
    cmap = cmap or ("viridis" if spec.higher_is_better else "magma_r")
    has = data["_value"].notna()
    if spec.share and has.any():  # a share's scale stays in 0–100 % (matplotlib pads one value by ±10 %)
        lo = float(values.min()) if vmin is None else vmin
        hi = float(values.max()) if vmax is None else vmax
        if hi - lo < 1e-9:
            lo, hi = max(0.0, lo - 10.0), min(100.0, hi + 10.0)
        vmin, vmax = max(0.0, lo), min(100.0, hi)
    if has.any():
        data[has].plot(column="_value", ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, edgecolor="white", linewidth=0.3,
                       legend=True,
                       legend_kwds={"label": f"{title} ({unit})" if unit else title, "shrink": 0.6})
    if (~has).any():
        data[~has].plot(ax=ax, facecolor="#dddddd", edgecolor="white", hatch="///", linewidth=0.3)
    handles: list[Any] = []
    if (~has).any():
        handles.append(Patch(facecolor="#dddddd", hatch="///", label=page_text(_TEXT, "no_data", lang)))
    if roads is not None and len(roads):
        major = roads["highway"].isin(["motorway", "trunk", "primary", "secondary"]) if "highway" in roads else None
        roads.plot(ax=ax, color="#555555", linewidth=0.5, alpha=0.7, zorder=3)
        if major is not None and major.any():
            roads[major].plot(ax=ax, color="#333333", linewidth=1.2, alpha=0.8, zorder=3)
        handles.append(Line2D([], [], color="#555555", linewidth=1, label=map_feature("road", lang)))
    if grid_lines:
        frame.boundary.plot(ax=ax, color=GRID_LINE, linewidth=1.0, zorder=4)
        handles.append(Line2D([], [], color=GRID_LINE, linewidth=1.2, label=map_feature("grid_boundary", lang)))
    if villages is not None:
        villages.boundary.plot(ax=ax, color="#222222", linewidth=2.0 if grid_lines else 0.8, zorder=4)
        if grid_lines:
            handles.append(Line2D([], [], color="#222222", linewidth=2.0, label=map_feature("village_boundary", lang)))
    colours = plt.get_cmap("tab10")
    if zones is not None and len(zones):
        for i, (_, z) in enumerate(zones.iterrows()):
            ax.plot(*_boundary_xy(z.geometry), color=colours(i % 10), linewidth=2.2, linestyle="--", zorder=5)
        handles.append(Line2D([], [], color="black", linewidth=2, linestyle="--", label=map_feature("squad_zone", lang)))
    if routes is not None and len(routes):
        for i, sq in enumerate(zones["squad"] if zones is not None else []):
            mine = routes[routes["squad"] == sq]
            if len(mine):
                mine.plot(ax=ax, color=colours(i % 10), linewidth=0.8, alpha=0.6, zorder=6)
        handles.append(Line2D([], [], color="black", linewidth=1, label=map_feature("squad_route", lang)))
    if bases is not None and len(bases):
        ax.scatter(bases.geometry.x, bases.geometry.y, marker="*", s=260, c="gold", edgecolors="black",
                   linewidths=1.0, zorder=8)
        for _, b in bases.iterrows():
            ax.annotate(str(b["squad"]), (b.geometry.x, b.geometry.y), xytext=(7, 7), textcoords="offset points",
                        fontsize=9, zorder=9,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        handles.append(Line2D([], [], marker="*", color="w", markerfacecolor="gold", markeredgecolor="black",
                              markersize=14, label=map_feature("squad_base", lang)))
    if villages is not None and village_names:
        size = 7 if len(villages) <= 30 else 5
        for _, v in villages.iterrows():
            p = v.geometry.representative_point()
            ax.annotate(str(v["name"]), (p.x, p.y), ha="center", va="center", fontsize=size, zorder=7,
                        color="#111111", bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=13)
    x0, y0, x1, y1 = frame.total_bounds
    dx, dy = x1 - x0, y1 - y0
    ax.set_xlim(x0 - 0.02 * dx, x1 + 0.12 * dx)  # room for the north arrow
    ax.set_ylim(y0 - 0.12 * dy, y1 + 0.02 * dy)  # room for the scale bar
    add_scale_bar(ax, _metres_per_unit(frame), lang)
    add_north_arrow(ax, lang)
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8, frameon=False,
                  ncol=min(len(handles), 3))
    return fig


def _boundary_xy(geom: Any) -> tuple[list[float], list[float]]:
    """All rings of a (multi)polygon as one line with breaks, for a single dashed plot call."""
    xs: list[float] = []
    ys: list[float] = []
    polys = getattr(geom, "geoms", [geom])
    for p in polys:
        for ring in [p.exterior, *p.interiors]:
            x, y = ring.xy
            xs += [*list(x), np.nan]
            ys += [*list(y), np.nan]
    return xs, ys


class MapError(Exception):
    """A run folder that cannot be drawn (one line)."""


def read_run_layers(run_dir: Path) -> dict[str, gpd.GeoDataFrame | None]:
    """Read the layers ``gridsim run`` wrote: grids, villages, squad bases/zones/routes, roads."""
    import geopandas as gpd
    import pyogrio

    def layer(name: str, lyr: str) -> gpd.GeoDataFrame | None:
        p = run_dir / name
        if not p.exists():
            return None
        if lyr not in [str(n) for n in pyogrio.list_layers(p)[:, 0]]:
            return None
        return gpd.read_file(p, layer=lyr, engine="pyogrio")

    if not run_dir.is_dir():
        raise MapError(f"{run_dir}: no such run folder")
    if not (run_dir / "grids.gpkg").exists():
        raise MapError(f"{run_dir}: no grids.gpkg (not a folder written by gridsim run)")
    try:
        return {"grids": layer("grids.gpkg", "grids"), "villages": layer("grids.gpkg", "villages"),
                "bases": layer("squads.gpkg", "bases"), "zones": layer("squads.gpkg", "zones"),
                "routes": layer("squads.gpkg", "routes"), "roads": layer("roads.gpkg", "roads")}
    except Exception as exc:  # a damaged GeoPackage: name it
        raise MapError(f"{run_dir}: cannot read its layers: {str(exc).splitlines()[0] if str(exc) else exc}") from None


def map_run(run_dir: Path, measures: list[str] | None = None, lang: str | None = None,
            out: Path | None = None) -> list[Path]:
    """Draw PNG and SVG maps of a run's per-grid measures; the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    layers = read_run_layers(run_dir)
    grids = layers["grids"]
    assert grids is not None
    summary: dict[str, Any] = {}
    if (run_dir / "summary.json").exists():
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    lang = lang or summary.get("language", "en")
    numeric = [c for c in grids.columns if c != "geometry" and pd.api.types.is_numeric_dtype(grids[c])]
    wanted = measures or list(DEFAULT_MEASURES)
    for m in wanted:
        if m not in numeric:
            raise MapError(f"{run_dir / 'grids.gpkg'}: no per-grid measure {m!r} (measures: {', '.join(numeric)})")
    out = out or run_dir / "maps"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for m in wanted:
        fig = draw_choropleth(grids, m, lang=lang, villages=layers["villages"], roads=layers["roads"],
                              zones=layers["zones"], bases=layers["bases"], routes=layers["routes"])
        name = summary.get("scenario")
        if name:
            fig.axes[0].set_title(f"{label_for(m).title(lang)} — {name}", fontsize=13)
        for ext in ("png", "svg"):
            path = out / f"{m}.{ext}"
            fig.savefig(path, bbox_inches="tight")
            written.append(path)
        plt.close(fig)
    return written
