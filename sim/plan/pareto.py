"""The Pareto figure of squad plans across K, drawn once for ``gridsim plan`` and its report.

Crews on shift against the hypercube's predicted 15-minute share of squad calls, the colour
the busiest squad's load over the mean; non-dominated plans ringed, and the simulated share
with its 95% CI where the plans were verified. A plan is its marker (the method) at its K: the
legend names the methods and the plans table beside the figure names each plan, so no name is
written over the points (at K = 3 today's plan and three methods lie within a point and 0.3
crews of each other, where names covered one another and the markers). ``gridsim plan bases`` saves
it as pareto.png (:func:`sim.plan.figures.pareto_figure`); ``gridsim report`` embeds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.fonts import cjk_font
from sim.labels import page_text, plan_method

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

# today first, then the location methods; plans of one K side by side, 0.3 crews apart
MARKERS = {"current": "X", "p-median": "o", "mclp": "s", "p-center": "^"}
SHIFT = {"current": -0.45, "p-median": -0.15, "mclp": 0.15, "p-center": 0.45}
FRONT, SIMULATED = "#c62828", "#1f5fbf"  # the report's "worse" red and "changed" blue
# The figure's own words (zh, en); the methods' names are sim.labels'.
_TEXT: dict[str, tuple[str, str]] = {
    "title": ("各K的中队方案：车组更少、按时到场更多、负荷均衡",
              "Squad plans across K: fewer crews, more calls in time, balanced work"),
    "x": ("在岗车组数（中队数 × 每中队车组数）；同一K的方案并排",
          "crews on shift (squads × crews per squad); plans of one K side by side"),
    "y": ("预测中队事件15分钟到场率（%，排队超立方体模型）", "predicted 15-min share of squad calls (%, hypercube)"),
    "colour": ("中队负荷最大/平均（1＝均衡）", "squad workload max/mean (1 = balanced)"),
    "front": ("非劣方案", "non-dominated"),
    "simulated": ("仿真值，95%置信区间", "simulated, 95% CI"),
}


def pareto_plot(table: pd.DataFrame, lang: str = "en") -> Figure:
    """Draw the plans of ``table`` (bases.csv's columns), each by its method's marker at its K.

    Words in ``lang`` (the scenario's ``meta.language``), like the plan's maps. Simulated
    shares (``sim_mean``, ``sim_lo``, ``sim_hi``; NaN where a plan was not simulated) are
    drawn with their 95% CI, clipped to 0–100%.
    """
    if lang == "zh":
        cjk_font()
    methods = [m for m in MARKERS if m in set(table.method)] + sorted(set(table.method) - set(MARKERS))
    x = table.crews.to_numpy(float) + table.method.map(SHIFT).fillna(0.0).to_numpy(float)
    y = 100 * table.predicted_fifteen_share.to_numpy(float)
    balance = table.squad_max_over_mean.to_numpy(float)
    front = table.pareto.astype(bool).to_numpy()
    # one look in a PNG and in the report (whose other figures set their own defaults)
    with plt.rc_context({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False}):
        fig, ax = plt.subplots(figsize=(8, 5))
        sc = None
        for m in methods:
            sel = (table.method == m).to_numpy()
            sc = ax.scatter(x[sel], y[sel], c=balance[sel], cmap="viridis_r", vmin=1.0,
                            vmax=max(1.01, float(np.nanmax(balance))), marker=MARKERS.get(m, "o"), s=80,
                            edgecolor="black", label=plan_method(m, lang), zorder=3)
        ax.scatter(x[front], y[front], s=250, facecolor="none", edgecolor=FRONT, linewidth=1.7,
                   label=page_text(_TEXT, "front", lang), zorder=2)
        if "sim_mean" in table.columns and table.sim_mean.notna().any():
            ok = table.sim_mean.notna().to_numpy()
            mean, lo, hi = (100 * table[c].to_numpy(float)[ok] for c in ("sim_mean", "sim_lo", "sim_hi"))
            ax.errorbar(x[ok] + 0.08, mean, yerr=[mean - np.maximum(lo, 0.0), np.minimum(hi, 100.0) - mean], fmt="d",
                        color=SIMULATED, ms=4, capsize=3, label=page_text(_TEXT, "simulated", lang), zorder=4)
        if sc is not None:
            fig.colorbar(sc, ax=ax, label=page_text(_TEXT, "colour", lang))
        ax.set_xticks(sorted(table.crews.unique()))
        ax.set_xlabel(page_text(_TEXT, "x", lang))
        ax.set_ylabel(page_text(_TEXT, "y", lang))
        lo_y, hi_y = ax.get_ylim()
        if hi_y - lo_y < 1.0:  # shares equal to 1e-5 %: one percentage point, not an offset axis (+9.04656e1)
            mid = (lo_y + hi_y) / 2
            ax.set_ylim(max(0.0, min(mid, 99.5) - 0.5), min(100.0, max(mid, 0.5) + 0.5))
        ax.yaxis.get_major_formatter().set_useOffset(False)  # type: ignore[attr-defined]
        ax.set_title(page_text(_TEXT, "title", lang), fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
    return fig
