"""Figures for the report: matplotlib drawn with a CJK font, embedded as base64 PNG.

Every figure of random replications shows its 95% CI and says how many replications it
rests on. Maps are drawn by ``sim.geo`` (see ``sim.report.maps``).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from sim.fonts import cjk_font
from sim.report.catalogue import excludes_zero, kind

BETTER, WORSE, CHANGED, NEUTRAL = "#1a7f37", "#c62828", "#1f5fbf", "#7a7a7a"
OPTION_COLOURS = ("#8c6d31", "#1f5fbf", "#2ca02c", "#d62728")


def embed(fig: plt.Figure) -> str:
    """Turn a finished figure into a data URI (PNG at print resolution) and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _style() -> None:
    cjk_font()
    plt.rcParams.update({"axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
                         "axes.spines.right": False, "font.size": 9})


def _scale(name: str) -> float:
    return 100.0 if kind(name) in ("share", "load") else 1.0


def _money_axis(ax: plt.Axes, units: Sequence[tuple[float, str]], which: str = "x") -> None:
    """Label a money axis (``which``: x or y) in a unit a reader says (万元, million yuan), not 1e7 with an offset.

    ``units``: (yuan per unit, axis title), largest first; the largest unit the axis reaches is used.
    """
    if not units:
        return
    axis = ax.xaxis if which == "x" else ax.yaxis
    top = max(abs(x) for x in (ax.get_xlim() if which == "x" else ax.get_ylim()))
    scale, title = next(((s, u) for s, u in units if top >= s), units[-1])
    ticks = [x / scale for x in axis.get_ticklocs()]
    decimals = next((d for d in range(7) if all(abs(x - round(x, d)) < 1e-9 for x in ticks)), 6)
    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / scale:,.{decimals}f}"))  # 41.8, 42.0, 42.2
    axis.set_label_text(title)


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% CI (NaN bounds: no interval, e.g. one replication)."""

    mean: float
    lo: float
    hi: float

    @property
    def excludes_zero(self) -> bool:
        """Whether a difference is one: its CI lies on one side of 0 (a zero-width CI at a non-zero value too)."""
        return excludes_zero(self.lo, self.hi)


def ci_panels(measures: Sequence[tuple[str, str]], options: Sequence[str],
              values: dict[tuple[str, str], Estimate], title: str, unit_titles: dict[str, str],
              money: Sequence[tuple[float, str]] = ()) -> str:
    """Mean and 95% CI of each measure per option, one panel per unit (%, minutes, …).

    ``money``: the units a money panel's axis may be shown in (see ``_money_axis``).
    """
    _style()
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for name, lab in measures:
        by_kind.setdefault(kind(name), []).append((name, lab))
    n_rows = sum(len(v) for v in by_kind.values())
    fig, axes = plt.subplots(len(by_kind), 1, figsize=(7.2, 0.9 + 0.36 * n_rows * max(1, len(options)) ** 0.5
                                                       + 0.5 * len(by_kind)),
                             squeeze=False, gridspec_kw={"height_ratios": [len(v) for v in by_kind.values()]})
    for ax, (k, rows) in zip(axes[:, 0], by_kind.items(), strict=True):
        y = np.arange(len(rows))[::-1].astype(float)
        off = np.linspace(-0.18, 0.18, len(options)) if len(options) > 1 else [0.0]
        for j, opt in enumerate(options):
            for yi, (name, _) in zip(y, rows, strict=True):
                e = values.get((opt, name))
                if e is None or not math.isfinite(e.mean):
                    continue
                s = _scale(name)
                xerr = None
                if math.isfinite(e.lo) and math.isfinite(e.hi):
                    xerr = [[(e.mean - e.lo) * s], [(e.hi - e.mean) * s]]
                ax.errorbar(e.mean * s, yi + off[j], xerr=xerr, fmt="o", ms=4, capsize=3,
                            color=OPTION_COLOURS[j % len(OPTION_COLOURS)], label=opt if yi == y[0] else None)
        ax.set_yticks(y, [lab for _, lab in rows])
        ax.set_xlabel(unit_titles.get(k, ""))
        ax.set_ylim(-0.6, len(rows) - 0.4)
        if k == "money":
            _money_axis(ax, money)
    handles, labels = [], []
    for ax in axes[:, 0]:
        h, lab = ax.get_legend_handles_labels()
        for hh, ll in zip(h, lab, strict=True):
            if ll not in labels:
                handles.append(hh)
                labels.append(ll)
    if len(options) > 1:
        fig.legend(handles, labels, loc="upper right", fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return embed(fig)


def forest(rows: Sequence[tuple[str, str, Estimate, str]], title: str, unit_titles: dict[str, str],
           money: Sequence[tuple[float, str]] = ()) -> str:
    """Paired differences B − A with 95% CI; colour only where the CI excludes 0 (``money``: as ``ci_panels``)."""
    _style()
    by_kind: dict[str, list[tuple[str, str, Estimate, str]]] = {}
    for r in rows:
        by_kind.setdefault(kind(r[0]), []).append(r)
    fig, axes = plt.subplots(len(by_kind), 1, figsize=(7.2, 1.0 + 0.34 * len(rows) + 0.5 * len(by_kind)),
                             squeeze=False, gridspec_kw={"height_ratios": [len(v) for v in by_kind.values()]})
    for ax, (k, part) in zip(axes[:, 0], by_kind.items(), strict=True):
        y = np.arange(len(part))[::-1]
        for yi, (name, _, e, colour) in zip(y, part, strict=True):
            s = _scale(name)
            xerr = None
            if math.isfinite(e.lo) and math.isfinite(e.hi):
                xerr = [[(e.mean - e.lo) * s], [(e.hi - e.mean) * s]]
            ax.errorbar(e.mean * s, yi, xerr=xerr, fmt="s", ms=4, capsize=3, color=colour)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [lab for _, lab, _, _ in part])
        ax.set_xlabel(unit_titles.get(k, ""))
        ax.set_ylim(-0.6, len(part) - 0.4)
        if k == "money":
            _money_axis(ax, money)
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return embed(fig)


def bars_ci(groups: Sequence[str], options: Sequence[str], values: dict[tuple[str, str], Estimate],
            title: str, xlabel: str, percent: bool = True) -> str:
    """Horizontal bars (e.g. tier or channel shares) per option with 95% CI whiskers."""
    _style()
    fig, ax = plt.subplots(figsize=(7.2, 0.8 + 0.32 * len(groups) * len(options)))
    h = 0.8 / max(1, len(options))
    y = np.arange(len(groups))[::-1].astype(float)
    s = 100.0 if percent else 1.0
    for j, opt in enumerate(options):
        est = [values.get((opt, g), Estimate(math.nan, math.nan, math.nan)) for g in groups]
        m = np.array([e.mean for e in est]) * s
        err = np.array([[e.mean - e.lo for e in est], [e.hi - e.mean for e in est]]) * s
        err = np.where(np.isfinite(err), err, 0.0)
        ax.barh(y + (j - (len(options) - 1) / 2) * h, m, height=h * 0.9, xerr=err, capsize=2,
                color=OPTION_COLOURS[j % len(OPTION_COLOURS)], label=opt)
    ax.set_yticks(y, list(groups))
    ax.set_xlabel(xlabel)
    if len(options) > 1:
        ax.legend(fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return embed(fig)


# --- sweeps ------------------------------------------------------------------------------
def effect_grid(panels: dict[str, dict[str, list[tuple[str, Estimate]]]], kinds: dict[str, str], title: str,
                percent_label: str, money: Sequence[tuple[float, str]] = ()) -> str:
    """Rows: measures; columns: factors; each cell the mean at each level with its 95% CI.

    ``kinds``: each measure's kind (``sim.report.catalogue.kind``): shares in %, money in the units
    of ``money`` (as ``ci_panels``).
    """
    _style()
    factors = list(dict.fromkeys(f for p in panels.values() for f in p))
    fig, axes = plt.subplots(len(panels), len(factors), figsize=(7.2, 0.6 + 1.9 * len(panels)), squeeze=False,
                             sharey="row")
    for i, (measure, panel) in enumerate(panels.items()):
        s = 100.0 if kinds[measure] == "share" else 1.0
        for j, factor in enumerate(factors):
            ax = axes[i, j]
            rows = panel.get(factor)
            if not rows:
                ax.set_visible(False)
                continue
            x = np.arange(len(rows))
            m = np.array([e.mean for _, e in rows]) * s
            lo = np.array([e.lo for _, e in rows]) * s
            hi = np.array([e.hi for _, e in rows]) * s
            ax.errorbar(x, m, yerr=[np.nan_to_num(m - lo), np.nan_to_num(hi - m)], fmt="o-", capsize=4,
                        color=OPTION_COLOURS[1], ms=4)
            ax.set_xticks(x, [lev for lev, _ in rows], fontsize=8)
            ax.set_xlim(-0.5, len(rows) - 0.5)
            if i == len(panels) - 1 or j >= len(factors):
                ax.set_xlabel(factor)
            if j == 0:
                ax.set_ylabel(percent_label if kinds[measure] == "share" else "", fontsize=8)
                ax.set_title(measure, fontsize=9, loc="left")
        shown = [ax for ax in axes[i] if ax.get_visible()]
        if kinds[measure] == "money" and shown:  # the row shares its y axis: one formatter, titled once
            _money_axis(shown[0], money, "y")
            shown[0].yaxis.label.set_fontsize(8)
    for j, factor in enumerate(factors):
        axes[-1, j].set_xlabel(factor)
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return embed(fig)


def pareto(x: np.ndarray, y: np.ndarray, colour: np.ndarray, labels: Sequence[str], front: np.ndarray,
           xlabel: str, ylabel: str, colour_label: str, title: str, front_label: str,
           xerr: np.ndarray | None = None, yerr: np.ndarray | None = None, y_percent: bool = True) -> str:
    """Trade-off per design point: the non-dominated points ringed."""
    _style()
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ys = 100.0 if y_percent else 1.0
    if xerr is not None or yerr is not None:
        ax.errorbar(x, y * ys, xerr=xerr, yerr=None if yerr is None else yerr * ys, fmt="none",
                    ecolor="#999999", elinewidth=0.8, capsize=2, zorder=1)
    sc = ax.scatter(x, y * ys, c=colour, cmap="viridis", s=45, zorder=2)
    ax.scatter(x[front], y[front] * ys, s=170, facecolors="none", edgecolors="#c62828", linewidths=1.5,
               label=front_label, zorder=3)
    for xi, yi, lab in zip(x, y * ys, labels, strict=False):
        ax.annotate(lab, (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
    fig.colorbar(sc, ax=ax, label=colour_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, frameon=False, loc="best")
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return embed(fig)
