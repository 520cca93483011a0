"""Pictures of plans: a map per plan (grids, zones, bases) and the Pareto figure across K.

Maps are drawn with the GIS maps' own :func:`sim.geo.maps.draw_choropleth` (scale bar,
north arrow, legend, Chinese or English labels), so a plan looks like a run's map:
today's level-2 grids shaded by the plan's demand, village outlines and names, squad
zones as dashed outlines, bases as stars, the roads when the town has a road network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from sim.geo.maps import draw_choropleth
from sim.labels import dispatch_rule, map_feature, measure, page_text, plan_method, plan_side
from sim.plan.bases import BasePlan
from sim.plan.inputs import PlanTown
from sim.plan.pareto import pareto_plot

# The figures' own words (zh, en); domain words (measures, map marks, plan sides and methods) are sim.labels'.
_TEXT: dict[str, tuple[str, str]] = {
    "calls_unit": ("次/网格/日", "calls per grid per day"),
    "plan": ("{id}：{k}个中队，派遣规则：{rule}", "{id}: {k} squads, dispatch {rule}"),
    "predicted": ("预测中队事件15分钟到场率 {share:.1f}%，中队负荷最大/平均 {mm:.2f}",
                  "predicted 15-min share of squad calls {share:.1f}%, squad workload max/mean {mm:.2f}"),
    "events_unit": ("件", "events"),
    "grids": ("{side}：{n} 个网格（每网格事件数变异系数 {cv:.2f}，最大/平均 {mm:.2f}）",
              "{side}: {n} grids (events per grid CV {cv:.2f}, max/mean {mm:.2f})"),
}


def _villages(town: PlanTown) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": town.villages}, geometry=town.polygons)


def _roads(town: PlanTown) -> gpd.GeoDataFrame | None:
    return town.roads.frame() if town.roads is not None else None


def bases_map(town: PlanTown, plan: BasePlan, current: BasePlan | None, path: Path, lang: str = "en",
              candidates: np.ndarray | None = None) -> Path:
    """Today's grids shaded by squad calls, the plan's zones (dashed) and bases (stars); today's bases as crosses.

    ``candidates`` (km) are drawn as small dots: pass the sites that are not village
    centroids (those sit under the village names).
    """
    grids = gpd.GeoDataFrame({"calls": town.calls_per_day()}, geometry=town.grid_polygons)
    zones = gpd.GeoDataFrame({"squad": [f"S{s + 1}" for s in range(plan.k)]},
                             geometry=[shapely.union_all([town.polygons[v] for v in np.flatnonzero(plan.zone == s)])
                                       for s in range(plan.k)])
    bases = gpd.GeoDataFrame({"squad": plan.base_labels(town)}, geometry=[shapely.Point(b) for b in plan.bases])
    ev = plan.predicted
    fig = draw_choropleth(grids, "calls", lang=lang, title=measure("squad_calls_per_day", lang),
                          unit=page_text(_TEXT, "calls_unit", lang),
                          villages=_villages(town), roads=_roads(town), zones=zones, bases=bases, cmap="Blues")
    ax = fig.axes[0]
    name = plan_method(plan.method, lang) + ("" if plan.method == "current" else f" K={plan.k}")
    rule = dispatch_rule(plan.rule, lang)
    ax.set_title(f"{page_text(_TEXT, 'plan', lang, id=name, k=plan.k, rule=rule)}\n"
                 f"{page_text(_TEXT, 'predicted', lang, share=100 * ev.fifteen_share, mm=ev.max_over_mean)}", fontsize=11)
    handles: list[Any] = []
    labels: list[str] = []
    if candidates is not None and len(candidates):
        handles.append(ax.scatter(candidates[:, 0], candidates[:, 1], s=14, c="0.3", marker="o", zorder=8,
                                  linewidths=0))
        labels.append(map_feature("candidate_sites", lang))
    if current is not None and current is not plan:
        cx, cy = zip(*current.bases, strict=False)
        handles += ax.plot(cx, cy, "x", color="crimson", markersize=11, mew=2.5, zorder=9)
        labels.append(map_feature("todays_bases", lang))
    if handles:
        legend = ax.get_legend()
        if legend is not None:
            handles = [*legend.legend_handles, *handles]
            labels = [*(t.get_text() for t in legend.get_texts()), *labels]
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8, frameon=False,
                  ncol=min(len(handles), 3))
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path



def pareto_figure(table: pd.DataFrame, path: Path, lang: str = "en") -> Path:
    """Save the Pareto figure of the plans (:func:`sim.plan.pareto.pareto_plot`) as a PNG."""
    fig = pareto_plot(table, lang)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def grids_map(town: PlanTown, today: list[BaseGeometry], today_events: np.ndarray, proposal: list[BaseGeometry],
              proposal_events: np.ndarray, path: Path, lang: str = "en") -> Path:
    """Today's grids and the proposal side by side, on one scale of expected events per grid per month."""
    fig, axes = plt.subplots(1, 2, figsize=(17, 8.5), dpi=110)
    vmin = float(min(today_events.min(), proposal_events.min()))
    vmax = float(max(today_events.max(), proposal_events.max()))
    villages = _villages(town)
    for ax, polys, ev, side in ((axes[0], today, today_events, "today"),
                                (axes[1], proposal, proposal_events, "proposal")):
        frame = gpd.GeoDataFrame({"events": ev}, geometry=list(polys))
        draw_choropleth(frame, "events", lang=lang, title=measure("expected_events_per_month", lang),
                        unit=page_text(_TEXT, "events_unit", lang),
                        villages=villages, roads=_roads(town), cmap="YlOrRd", ax=ax, vmin=vmin, vmax=vmax,
                        grid_lines=True)
        ax.set_title(page_text(_TEXT, "grids", lang, side=plan_side(side, lang), n=len(polys), cv=ev.std() / ev.mean(),
                        mm=ev.max() / ev.mean()), fontsize=11)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
