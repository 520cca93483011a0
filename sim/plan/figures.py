"""Pictures of plans: a map per plan (villages, zones, bases, grids) and the Pareto figure across K."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from sim.plan.bases import BasePlan
from sim.plan.inputs import PlanTown


def _draw(ax, geom: BaseGeometry, face, edge: str = "white", lw: float = 0.6) -> None:
    polys = getattr(geom, "geoms", [geom])
    for p in polys:
        x, y = p.exterior.xy
        ax.fill(x, y, facecolor=face, edgecolor=edge, linewidth=lw)


def _frame(ax, town: PlanTown, title: str) -> None:
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("km")
    ax.set_ylabel("km")
    xs = [p.bounds for p in town.polygons]
    ax.set_xlim(min(b[0] for b in xs) - 0.2, max(b[2] for b in xs) + 0.2)
    ax.set_ylim(min(b[1] for b in xs) - 0.2, max(b[3] for b in xs) + 0.2)


def bases_map(town: PlanTown, plan: BasePlan, current: BasePlan | None, path: Path) -> Path:
    """Villages coloured by zone, shaded by squad calls; the plan's bases as stars, today's as crosses."""
    fig, ax = plt.subplots(figsize=(7.5, 7))
    cmap = plt.get_cmap("tab10")
    calls = np.bincount(town.atom_village, weights=town.calls_per_day(), minlength=len(town.villages))
    shade = 0.35 + 0.65 * calls / calls.max()
    for v, poly in enumerate(town.polygons):
        r, g, b, _ = cmap(int(plan.zone[v]) % 10)
        _draw(ax, poly, (r, g, b, float(shade[v])))
        c = poly.centroid
        ax.text(c.x, c.y, town.villages[v], ha="center", va="center", fontsize=5.5, color="0.15")
    for s, (x, y) in enumerate(plan.bases):
        ax.plot(x, y, marker="*", markersize=18, color=cmap(s % 10), markeredgecolor="black")
        ax.annotate(f"S{s + 1}", (x, y), xytext=(6, 6), textcoords="offset points", fontsize=9, weight="bold")
    if current is not None and current is not plan:
        cx, cy = zip(*current.bases, strict=False)
        ax.plot(cx, cy, "x", color="black", markersize=10, mew=2, label="today's bases")
        ax.legend(loc="upper right", fontsize=8)
    ev = plan.predicted
    _frame(ax, town, f"{plan.id}: {plan.k} squads, rule {plan.rule}\n"
                     f"predicted 15-min share of squad calls {100 * ev.fifteen_share:.1f}%, "
                     f"squad workload max/mean {ev.max_over_mean:.2f} (hypercube)\n"
                     "colour: zone; darker: more squad calls")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def pareto_figure(table: pd.DataFrame, path: Path, y: str = "predicted_fifteen_share",
                  y_label: str = "predicted 15-min share of squad calls (hypercube)") -> Path:
    """Crews against the 15-minute share, colour = workload max/mean; non-dominated plans ringed."""
    fig, ax = plt.subplots(figsize=(8, 5))
    markers = {"current": "X", "p-median": "o", "mclp": "s", "p-center": "^"}
    shift = {"current": -0.45, "p-median": -0.15, "mclp": 0.15, "p-center": 0.45}  # side by side per K
    table = table.assign(x=table.crews + table.method.map(shift).fillna(0.0))
    sc = None
    for method, grp in table.groupby("method"):
        sc = ax.scatter(grp.x, 100 * grp[y], c=grp.squad_max_over_mean, cmap="viridis_r",
                        vmin=1.0, vmax=max(1.01, float(table.squad_max_over_mean.max())),
                        marker=markers.get(str(method), "o"), s=90, edgecolor="black", label=str(method), zorder=3)
    front = table[table.pareto]
    ax.scatter(front.x, 100 * front[y], s=260, facecolor="none", edgecolor="crimson", linewidth=1.8,
               label="non-dominated", zorder=2)
    for r in table[table.pareto].itertuples():  # name the non-dominated plans only: the rest by marker
        ax.annotate(r.id, (r.x, 100 * getattr(r, y)), xytext=(0, 14), textcoords="offset points", fontsize=7,
                    ha="center")
    if "sim_mean" in table.columns:
        sim = table.dropna(subset=["sim_mean"])
        ax.errorbar(sim.x + 0.08, 100 * sim.sim_mean, yerr=[100 * (sim.sim_mean - sim.sim_lo),
                    100 * (sim.sim_hi - sim.sim_mean)], fmt="d", color="crimson", ms=4, capsize=3,
                    label="simulated, 95% CI", zorder=4)
    if sc is not None:
        fig.colorbar(sc, ax=ax, label="squad workload max/mean (1 = balanced)")
    ax.set_xticks(sorted(table.crews.unique()))
    ax.set_xlabel("crews on shift (squads × crews per squad); plans of one K side by side")
    ax.set_ylabel(y_label.replace("share", "share, %"))
    ax.set_title("Squad plans across K: fewer crews, more calls in time, balanced work")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def grids_map(town: PlanTown, today: list[BaseGeometry], today_events: np.ndarray, proposal: list[BaseGeometry],
              proposal_events: np.ndarray, path: Path) -> Path:
    """Today's grids and the proposal side by side, shaded by expected events per grid per month."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.4), layout="constrained")
    vmax = float(max(today_events.max(), proposal_events.max()))
    vmin = float(min(today_events.min(), proposal_events.min()))
    cmap = plt.get_cmap("YlOrRd")
    for ax, polys, ev, title in ((axes[0], today, today_events, "today"),
                                 (axes[1], proposal, proposal_events, "proposal")):
        for p, e in zip(polys, ev, strict=False):
            _draw(ax, p, cmap((e - vmin) / max(vmax - vmin, 1e-9)), edge="0.3", lw=0.7)
        for v, poly in enumerate(town.polygons):
            x, y = poly.exterior.xy
            ax.plot(x, y, color="black", linewidth=1.8)
            c = poly.centroid
            ax.text(c.x, c.y, town.villages[v], ha="center", va="center", fontsize=5, color="0.1")
        _frame(ax, town, f"{title}: {len(polys)} grids\nevents per grid per month: "
                         f"CV {ev.std() / ev.mean():.2f}, max/mean {ev.max() / ev.mean():.2f}")
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(vmin, vmax))
    fig.colorbar(sm, ax=axes, shrink=0.8, label="expected events per grid per month (incident model)")
    fig.suptitle("Level-2 grids (thin lines) inside villages (thick lines)", fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
