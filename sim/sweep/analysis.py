"""What a sweep found: CSV tables and figures, every estimate with its 95% CI.

Figures: each key measure against each factor (CI bands), a heatmap over the first two
factors, and the trade-off between the 15-minute share, workload balance and staff with
the non-dominated design points marked; Morris elementary effects when asked for.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from sim.labels import Lang
from sim.outputs import staged_output
from sim.stats import measure_ci
from sim.sweep.experiment import ExperimentError
from sim.sweep.store import Store, summary_table

KEY_MEASURES: tuple[str, ...] = (
    "share_within_15min",
    "response_p50_min",
    "closure_on_time_share",
    "grid_village_share",
    "workload_gini.worker",
    "backlog_mean",
)
MAX_HEATMAP_LEVELS = 6

# The figures' own words (measures, fields and their values are sim.labels'), zh and en.
_TEXT: dict[str, tuple[str, str]] = {
    "by_factor": ("{measure}：各因素水平下的平均值与95%置信区间（对所有重复和其他因素取平均）",
                  "{measure} by factor: mean over runs and the other factors, with 95% CI"),
    "ci": ("95%置信区间", "95% CI"),
    "heatmap": ("{measure}：平均值 ± 95%置信区间半宽；在取值范围处截断的区间写作 [下限, 上限]",
                "{measure}: mean ± half-width of the 95% CI; [low, high] where cut at the measure's range"),
    "tradeoff": ("各设计点的权衡（标签为设计点编号）", "Trade-off per design point (labels: point)"),
    "non_dominated": ("非劣点", "non-dominated"),
    "crews": ("执法车组数", "squad crews"),
    "staff": ("人员（网格人员 + 执法车组）", "staff (grid staff + squad crews)"),
    "more_even": ("{measure}（越低越均衡）", "{measure} (lower is more even)"),
    "morris": ("Morris μ*（含95%置信区间）", "Morris μ* (with 95% CI)"),
}


class Words:
    """A figure's words in one language: measures, factors and their levels named as the reports name them."""

    def __init__(self, lang: Lang, factors: list[dict[str, Any]] | None = None) -> None:
        self.lang = lang
        self.paths = {f["column"]: f["path"] for f in factors or []}

    def text(self, key: str, **values: object) -> str:
        """Give a figure's own text ``key``, filled with ``values``."""
        from sim.labels import page_text

        return page_text(_TEXT, key, self.lang, **values)

    def measure(self, name: str) -> str:
        """Name a measure as the reports name it."""
        from sim.labels import measure

        return measure(name, self.lang)

    def factor(self, column: str) -> str:
        """Name a factor by its field in words (``squads.count`` → 执法中队数), else the experiment's own name for it."""
        from sim.labels import field

        path = self.paths.get(column, column)
        words = field(path, self.lang)
        return column if words == path else words

    def level(self, column: str, value: Any) -> str:
        """Name a factor's level in words (a dispatch rule by its name), an integer without ``.0``."""
        from sim.labels import field_value

        words = field_value(self.paths.get(column, column), value, self.lang)
        if words is not None:
            return words
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return f"{value:g}" if isinstance(value, float) else str(value)

    def unit(self, name: str) -> str:
        """Give the axis title of a measure's unit (%, minutes, …), as the report gives it."""
        from sim.report.build import unit_titles
        from sim.report.catalogue import kind

        return unit_titles(self.lang)[kind(name)]

    def title(self, text: str, width_in: float) -> str:
        """Wrap a title to the figure's width (a Chinese character is about twice a Latin letter)."""
        per_inch = 6.5 if self.lang == "zh" else 12.0
        return textwrap.fill(text, max(12, int(width_in * per_inch)))


def _scale(name: str) -> float:
    """Shares and workloads are drawn in %, as the reports draw them."""
    from sim.report.catalogue import kind

    return 100.0 if kind(name) in ("share", "load") else 1.0


def _integer_levels(levels: pd.Series) -> bool:
    values = levels.to_numpy(dtype=float)
    return bool(len(values)) and bool(np.all(np.isfinite(values) & (values == np.round(values))))


def _slug(name: str) -> str:
    return name.replace(".", "_")


def marginal(runs: pd.DataFrame, factor: str, measure: str) -> pd.DataFrame:
    """Mean and 95% CI of a measure at each level of one factor, over all runs at that level."""
    sub = runs[runs.measure == measure]
    rows = []
    for level, g in sub.groupby(factor, sort=True):
        m, lo, hi = measure_ci(measure, g["value"].to_numpy(dtype=float))
        rows.append({factor: level, "measure": measure, "mean": m, "ci_low": lo, "ci_high": hi,
                     "n": int(g["value"].notna().sum())})
    return pd.DataFrame(rows)


def non_dominated(df: pd.DataFrame, maximise: list[str], minimise: list[str]) -> np.ndarray:
    """Pareto front: no other point is at least as good on all criteria and better on one."""
    cost = np.column_stack([-df[c].to_numpy(float) for c in maximise] + [df[c].to_numpy(float) for c in minimise])
    ok = ~np.isnan(cost).any(axis=1)
    front = np.zeros(len(df), dtype=bool)
    for i in np.flatnonzero(ok):
        others = cost[ok]
        dominated = ((others <= cost[i]).all(axis=1) & (others < cost[i]).any(axis=1)).any()
        front[i] = not dominated
    return front


def _measure_vs_factors(runs: pd.DataFrame, factors: list[str], measure: str, folder: Path, words: Words) -> Path:
    fig = vs_factors_figure(runs, factors, measure, words)
    path = folder / f"fig_{_slug(measure)}_vs_factors.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def vs_factors_figure(runs: pd.DataFrame, factors: list[str], measure: str, words: Words) -> plt.Figure:
    """Draw a measure against each factor's levels: mean and 95% CI, in the reader's words and units.

    The levels are the ticks (a count of squads reads 2, 3, 4); the title wraps to the figure's width.
    """
    from sim.report.build import money_units
    from sim.report.catalogue import kind
    from sim.report.figures import _money_axis

    width = max(5.6, 4.2 * len(factors))
    fig, axes = plt.subplots(1, len(factors), figsize=(width, 3.8), squeeze=False)
    s = _scale(measure)
    for ax, f in zip(axes[0], factors, strict=True):
        m = marginal(runs, f, measure)
        numeric = pd.api.types.is_numeric_dtype(m[f]) and not pd.api.types.is_bool_dtype(m[f])
        if numeric:
            x = m[f].astype(float)
            ax.plot(x, m["mean"] * s, marker="o")
            ax.fill_between(x, m["ci_low"] * s, m["ci_high"] * s, alpha=0.25, label=words.text("ci"))
            if len(m) <= 8:  # the levels themselves; a count of squads is 2, 3, 4, not 2.0, 2.5, …
                ax.set_xticks(x, [words.level(f, v) for v in m[f]])
            elif _integer_levels(m[f]):
                ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        else:
            x = np.arange(len(m))
            ax.errorbar(x, m["mean"] * s, yerr=[(m["mean"] - m["ci_low"]) * s, (m["ci_high"] - m["mean"]) * s],
                        fmt="o", capsize=4, label=words.text("ci"))
            ax.set_xticks(x, [words.level(f, v) for v in m[f]])
        ax.set_xlabel(words.factor(f))
        ax.set_ylabel(words.unit(measure))
        if kind(measure) == "money":
            _money_axis(ax, money_units(words.lang), which="y")
        ax.legend(loc="best", fontsize="small")
    fig.suptitle(words.title(words.text("by_factor", measure=words.measure(measure)), width), fontsize=11)
    fig.tight_layout()
    return fig


def _binned(s: pd.Series) -> pd.Series:
    """Cut sampled (continuous) factors into quartiles so a heatmap has a few cells."""
    if s.nunique() <= MAX_HEATMAP_LEVELS or not pd.api.types.is_numeric_dtype(s):
        return s
    return pd.qcut(s, 4, duplicates="drop").astype(str)


def cell_label(mean: float, lo: float, hi: float) -> str:
    """Word a heatmap cell: the mean, and below it ``±half`` of its 95% CI, or ``[lo, hi]`` where it was cut.

    An interval cut at the measure's range is not mean ± anything: it reads as in the terminal's
    tables and the reports (sim.compare.plus_minus), its bounds in brackets.
    """
    from sim.stats import half_width

    if not math.isfinite(mean):
        return ""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{mean:.3g}"
    half = half_width(mean, lo, hi)
    return f"{mean:.3g}\n±{half:.2g}" if half is not None else f"{mean:.3g}\n[{lo:.3g}, {hi:.3g}]"


def _heatmap(runs: pd.DataFrame, fx: str, fy: str, measure: str, folder: Path, words: Words) -> tuple[Path, Path]:
    sub = runs[runs.measure == measure].assign(**{fx: lambda d: _binned(d[fx]), fy: lambda d: _binned(d[fy])})
    cells = []
    for (x, y), g in sub.groupby([fx, fy], sort=True):
        m, lo, hi = measure_ci(measure, g["value"].to_numpy(dtype=float))
        cells.append({fx: x, fy: y, "mean": m, "ci_low": lo, "ci_high": hi})
    table = pd.DataFrame(cells)
    csv = folder / f"heatmap_{_slug(measure)}.csv"
    table.to_csv(csv, index=False)
    s = _scale(measure)
    grid = table.pivot(index=fy, columns=fx, values="mean") * s
    lo = table.pivot(index=fy, columns=fx, values="ci_low").reindex_like(grid) * s
    hi = table.pivot(index=fy, columns=fx, values="ci_high").reindex_like(grid) * s
    labels = np.vectorize(cell_label)(grid.to_numpy(float), lo.to_numpy(float), hi.to_numpy(float))
    fig, ax = plt.subplots(figsize=(5.8, 4.4))
    sns.heatmap(grid, annot=labels, fmt="", cmap="viridis", ax=ax, cbar_kws={"label": words.unit(measure)})
    ax.set_xticklabels([words.level(fx, v) for v in grid.columns], rotation=0)
    ax.set_yticklabels([words.level(fy, v) for v in grid.index], rotation=0)
    ax.set_xlabel(words.factor(fx))
    ax.set_ylabel(words.factor(fy))
    ax.set_title(words.title(words.text("heatmap", measure=words.measure(measure)), 5.8), fontsize=10)
    fig.tight_layout()
    png = folder / f"fig_heatmap_{_slug(measure)}.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return csv, png


SQUAD_PATHS: tuple[str, ...] = ("squads.", "command_centre.dispatch_rule")


def tradeoff_measures(factor_paths: list[str]) -> tuple[str, str, str]:
    """(15-minute share, workload balance, staff) fitting the experiment.

    An experiment that only varies the squads (count, crews, zones, dispatch) is judged by
    the squads' own measures: the share of squad-dispatched calls within 15 minutes, the
    Gini of crew workloads, and the crews it fields; any other by the whole town's share,
    the grid workers' Gini and all staff.
    """
    if factor_paths and all(p.startswith(SQUAD_PATHS) for p in factor_paths):
        return "share_within_15min_dispatched", "workload_gini.squad_crew", "squad_crews"
    return "share_within_15min", "workload_gini.worker", "staff"


def _tradeoff(summary: pd.DataFrame, design: pd.DataFrame, factors: list[str], paths: list[str],
              folder: Path, words: Words) -> list[Path]:
    wide = summary.pivot_table(index="point", columns="measure", values="mean")  # drops all-NaN measures
    share, gini, staff_kind = tradeoff_measures(paths)
    if gini not in wide.columns or share not in wide.columns:
        return []
    d = design.set_index("point")
    staff = d["squad_crews"] if staff_kind == "squad_crews" else (
        d["squad_crews"] + d["grid_staff_per_grid"] * wide.get("grids", pd.Series(0, index=wide.index)))
    t = pd.DataFrame({
        share: wide[share],
        gini: wide[gini],
        "staff": staff.reindex(wide.index),
        "squad_crews": d["squad_crews"].reindex(wide.index),
    }).join(d[factors])
    t["non_dominated"] = non_dominated(t, [share], [gini, "staff"])
    csv = folder / "tradeoff.csv"
    t.reset_index().to_csv(csv, index=False)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    s = _scale(share)
    sc = ax.scatter(t[gini], t[share] * s, c=t["staff"], cmap="viridis", s=50)
    front = t[t.non_dominated]
    ax.scatter(front[gini], front[share] * s, s=160, facecolors="none", edgecolors="red",
               linewidths=1.5, label=words.text("non_dominated"))
    for idx, row in t.iterrows():
        ax.annotate(str(idx), (row[gini], row[share] * s), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    fig.colorbar(sc, ax=ax, label=words.text("crews" if staff_kind == "squad_crews" else "staff"))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
    ax.set_xlabel(words.text("more_even", measure=words.measure(gini)))
    ax.set_ylabel(words.title(f"{words.measure(share)}（%）" if words.lang == "zh" else f"{words.measure(share)} (%)",
                              4.0))
    ax.set_title(words.text("tradeoff"))
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    png = folder / "fig_tradeoff.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return [csv, png]


def _morris(meta: dict[str, Any], summary: pd.DataFrame, measures: list[str], folder: Path,
            words: Words) -> list[Path]:
    from SALib.analyze import morris

    factors = meta["factors"]
    problem: dict[str, Any] = {"num_vars": len(factors), "names": [f["column"] for f in factors],
               "bounds": [[f["low"], f["high"]] for f in factors]}
    x = np.asarray(meta["sample"], dtype=float)
    wide = summary.pivot_table(index="point", columns="measure", values="mean").reindex(range(len(x)))
    rows = []
    for m in measures:
        y = wide[m].to_numpy(dtype=float) if m in wide else np.full(len(x), np.nan)
        if np.isnan(y).any():
            continue  # a missing point or undefined measure breaks the trajectories
        res = morris.analyze(problem, x, y, num_levels=meta["design"]["num_levels"], seed=meta["design"]["seed"])
        for i, name in enumerate(problem["names"]):
            rows.append({"measure": m, "factor": name, "mu": float(res["mu"][i]), "mu_star": float(res["mu_star"][i]),
                         "sigma": float(res["sigma"][i]), "mu_star_conf": float(res["mu_star_conf"][i])})
    if not rows:
        return []
    df = pd.DataFrame(rows)
    csv = folder / "morris.csv"
    df.to_csv(csv, index=False)
    shown = df.assign(measure=[words.title(words.measure(m), 3.6) for m in df["measure"]],
                      factor=[words.factor(f) for f in df["factor"]])  # the CSV keeps the codes
    g = sns.catplot(data=shown, x="mu_star", y="factor", col="measure", kind="bar", col_wrap=3,
                    sharex=False, height=2.8, aspect=1.3)
    for ax, (_, part) in zip(g.axes.flat, shown.groupby("measure", sort=False), strict=False):
        ax.errorbar(part["mu_star"], np.arange(len(part)), xerr=part["mu_star_conf"], fmt="none", color="k")
        ax.set_ylabel("")
    g.set_titles("{col_name}")
    g.set_axis_labels("μ*", "")
    g.figure.suptitle(words.text("morris"), y=1.02)
    png = folder / "fig_morris.png"
    g.figure.savefig(png, dpi=110, bbox_inches="tight")
    plt.close(g.figure)
    return [csv, png]


def summarize_sweep(directory: Path, lang: Lang = "en") -> list[Path]:
    """Write the analysis of a sweep folder into ``DIR/analysis``; return the files written.

    The figures are in ``lang`` (zh or en); the CSV tables keep the codes.
    """
    store = Store(Path(directory))
    meta = store.meta()
    runs = store.read_runs()
    if runs.empty:
        raise ExperimentError(f"{directory}: no finished runs yet")
    factors = [f["column"] for f in meta["factors"]]
    design = pd.DataFrame(meta["points"])
    target = store.out / "analysis"
    with staged_output(target, "gridsim summarize", force=True) as staged:
        made = _write_analysis(runs, meta, factors, design, staged.path, Words(lang, meta["factors"]))
    return [target / p.name for p in made]


def _write_analysis(runs: pd.DataFrame, meta: dict[str, Any], factors: list[str], design: pd.DataFrame,
                    folder: Path, words: Words) -> list[Path]:
    """Tables and figures into ``folder`` (a staged folder, moved into place when complete)."""
    written: list[Path] = []
    summary = summary_table(runs, factors)
    summary.to_csv(folder / "summary.csv", index=False)
    written.append(folder / "summary.csv")
    present = set(runs.measure)
    share, gini, _ = tradeoff_measures([f["path"] for f in meta["factors"]])
    measures = [m for m in dict.fromkeys([*KEY_MEASURES, share, gini]) if m in present]
    for f in factors:
        table = pd.concat([marginal(runs, f, m) for m in measures], ignore_index=True)
        path = folder / f"marginal_{_slug(f)}.csv"
        table.to_csv(path, index=False)
        written.append(path)
    from sim.fonts import cjk_font

    sns.set_theme(style="whitegrid")
    cjk_font()  # after seaborn's theme, which resets the fonts
    for m in measures:
        if runs.loc[runs.measure == m, "value"].notna().any():
            written.append(_measure_vs_factors(runs, factors, m, folder, words))
    if len(factors) >= 2:
        for m in measures:
            if runs.loc[runs.measure == m, "value"].notna().any():
                written.extend(_heatmap(runs, factors[0], factors[1], m, folder, words))
    written.extend(_tradeoff(summary, design, factors, [f["path"] for f in meta["factors"]], folder, words))
    if meta["analysis"]["sensitivity"] == "morris" and meta.get("sample") is not None:
        written.extend(_morris(meta, summary, measures, folder, words))
    return written


__all__ = ["KEY_MEASURES", "Words", "marginal", "non_dominated", "summarize_sweep", "tradeoff_measures",
           "vs_factors_figure"]
