"""Two scenarios side by side with common random numbers, and the difference with its CI.

Replication k of both scenarios uses the same seed, so when the two share the town and the
taxonomy they see the same incidents and service-hall arrivals with the same luck. The
difference B − A is then estimated per replication (paired), which gives a far tighter
interval than comparing two independent means.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from sim.labels import Lang, measure
from sim.measures import flat
from sim.report.catalogue import POINTS, fmt, fmt_ci, kind
from sim.stats import half_width, measure_ci

if TYPE_CHECKING:
    from rich.table import Table

# Figure groups: a prefix of the flat measure names → the figure's title.
GROUPS: dict[str, tuple[str, ...]] = {
    "response": ("response_p50_min", "response_p90_min", "discovery_p50_min"),
    "shares": ("share_within_15min", "share_within_15min_dispatched", "closure_on_time_share",
               "grid_village_share", "unreported_share"),
    "tiers": ("tier_share.", "tier_share_published."),
    "workload": ("workload_mean.", "workload_max."),
    "workload_balance": ("workload_gini.",),
    "staff": ("staff_fte.",),
    "overtime": ("overtime_hours_per_month.",),
    "problem_to": ("problem_to_",),
    "service_hall": ("hall_",),
}
# The figures' own words (zh, en): each group's title, and the title's frame.
FIGURE_TEXT: dict[str, tuple[str, str]] = {
    "response": ("到场与发现时间", "response and discovery times"),
    "shares": ("15分钟到场率、按时结案率与网格村内办结", "15-minute shares, closure on time, resolved locally"),
    "tiers": ("各层级办结占比", "share resolved at each tier"),
    "workload": ("各岗位工作量", "workload by role"),
    "workload_balance": ("工作量均衡（基尼系数）", "workload balance (Gini)"),
    "staff": ("折合全职人数", "full-time equivalents"),
    "overtime": ("每月加班小时", "overtime hours a month"),
    "problem_to": ("问题发生到到场、到结案", "problem to scene and to closure"),
    "service_hall": ("政务服务大厅", "service hall"),
    "title": ("{group}：各次重复的平均值与95%置信区间（{reps}次）", "{group}: mean and 95% CI over {reps} replications"),
}


def paired_table(a: list[dict], b: list[dict]) -> pd.DataFrame:
    """One row per measure: A and B mean with 95% CI, and the paired difference B − A."""
    fa = pd.DataFrame([flat(s) for s in a])
    fb = pd.DataFrame([flat(s) for s in b])
    rows = []
    for col in [c for c in fa.columns if c in fb.columns and c not in ("days",)]:
        xa, xb = fa[col].to_numpy(float), fb[col].to_numpy(float)
        ma, la, ha = measure_ci(col, xa)
        mb, lb, hb = measure_ci(col, xb)
        md, ld, hd = measure_ci(col, xb - xa, difference=True)
        rows.append({"measure": col, "a_mean": ma, "a_lo": la, "a_hi": ha, "b_mean": mb, "b_lo": lb, "b_hi": hb,
                         "diff_mean": md, "diff_lo": ld, "diff_hi": hd})
    return pd.DataFrame(rows)


def plus_minus(mean: float, lo: float, hi: float, name: str, signed: bool = False, lang: str = "en") -> str:
    """``mean ± half`` of the 95% CI, as the report formats the measure; ``mean [lo, hi]`` when it was cut.

    Narrower than ``mean [lo, hi]``, so three such columns and a measure's name fit a
    100-column terminal. Shares read ``47.7 ± 1.1%``, their differences ``+45.3 ± 5.8 pt``.
    An interval cut at the measure's range (sim.stats.measure_ci) is not mean ± anything: it
    reads as the report and the CSV give it, ``85.1% [35.3%, 100.0%]``. Percentage points are
    worded in ``lang`` (``+45.3 ± 5.8个百分点``).
    """
    if not np.isfinite(mean):
        return "–"
    finite = np.isfinite(lo) and np.isfinite(hi)
    half = half_width(mean, lo, hi)
    if finite and half is None:
        return fmt_ci(mean, lo, hi, name, signed, lang)
    if kind(name) in ("share", "load"):
        body = f"{100 * abs(mean):.1f}"
        sign = "" if not any(c in body for c in "123456789") else "-" if mean < 0 else "+" if signed else ""
        pm = "" if half is None else " ± 0" if half == 0 else f" ± {100 * half:.1f}"
        return sign + body + pm + (POINTS[lang] if signed else "%")
    pm = "" if half is None else " ± 0" if half == 0 else f" ± {fmt(half, name)}"
    return fmt(mean, name, signed, lang) + pm


def terminal_table(rows: pd.DataFrame, title: str, lang: str) -> Table:
    """Lay out the paired table's rows for the terminal, each measure named as ``gridsim run`` names it.

    A, B and B − A read mean ± 95% CI (or [lo, hi] where it was cut); numbers never wrap, a long label may.
    """
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from sim.console import say

    # text, not markup: rich took the caption's "[low, high]" for a tag and dropped it
    t = Table(title=escape(title), caption=escape(say("compare.caption", lang)), box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column(say("measure", lang))
    for col in ("A", "B", "B − A"):
        t.add_column(col, justify="right", no_wrap=True)
    for r in rows.itertuples():
        name = str(r.measure)
        t.add_row(measure(name, lang), plus_minus(r.a_mean, r.a_lo, r.a_hi, name),
                  plus_minus(r.b_mean, r.b_lo, r.b_hi, name), plus_minus(r.diff_mean, r.diff_lo, r.diff_hi, name, True, lang))
    return t


def identical_measures(a: list[dict], b: list[dict]) -> set[str]:
    """Measures with the same value in A and B in every paired replication (rows that say nothing)."""
    fa = pd.DataFrame([flat(s) for s in a])
    fb = pd.DataFrame([flat(s) for s in b])
    same = set()
    for col in fa.columns.intersection(fb.columns):
        x, y = fa[col].to_numpy(float), fb[col].to_numpy(float)
        if np.all((x == y) | (np.isnan(x) & np.isnan(y))):
            same.add(col)
    return same


def reads_identical(table: pd.DataFrame) -> set[str]:
    """Measures whose A and B print alike and whose B − A prints as zero: rows that say nothing.

    Beyond :func:`identical_measures`: a difference far below the digits shown
    (``20.6 ± 6.4%  20.6 ± 6.4%  0.0 ± 0.0 pt``) is no row to read either.
    """
    same = set()
    for r in table.itertuples():
        name = str(r.measure)
        a, b = plus_minus(r.a_mean, r.a_lo, r.a_hi, name), plus_minus(r.b_mean, r.b_lo, r.b_hi, name)
        diff = plus_minus(r.diff_mean, r.diff_lo, r.diff_hi, name, True)
        if a == b and not any(c in diff for c in "123456789"):
            same.add(name)
    return same


def group_of(measure: str) -> str | None:
    """Name the figure group a measure belongs to (None: not drawn), so related measures share a figure."""
    for group, prefixes in GROUPS.items():
        if any(measure == p or (p.endswith((".", "_")) and measure.startswith(p)) for p in prefixes):
            return group
    return None


def plot_groups(a: list[dict], b: list[dict], name_a: str, name_b: str, out: Path, lang: Lang = "en") -> list[Path]:
    """One seaborn figure per group of measures: each replication's value, mean and 95% CI.

    In ``lang``, as the report of the folder: title, each measure by its name, the axis by its
    unit (shares in %). A group whose measures come in several units (the service hall's
    minutes, shares and counts) is one figure per unit, ``compare_<group>_<unit>.png``.
    """
    import textwrap

    from sim.fonts import cjk_font
    from sim.labels import page_text
    from sim.report.text import t

    long = pd.concat([
        pd.DataFrame([flat(s) for s in runs]).assign(scenario=name, replication=np.arange(len(runs)))
        for name, runs in ((name_a, a), (name_b, b))
    ]).melt(id_vars=["scenario", "replication"], var_name="measure")
    long["group"] = long.measure.map(group_of)
    long = long.dropna(subset=["group", "value"])
    long["kind"] = long.measure.map(kind)
    percent = long.kind.isin(["share", "load"])
    long.loc[percent, "value"] = 100 * long.loc[percent, "value"]
    width = 10 if lang == "zh" else 18  # characters a tick label's line holds
    long["label"] = long.measure.map(lambda m: textwrap.fill(measure(m, lang), width))
    paths = []
    sns.set_theme(style="whitegrid")
    if lang == "zh":
        cjk_font()  # after set_theme, which resets the fonts
    for group, in_group in long.groupby("group", sort=False):
        kinds = list(dict.fromkeys(in_group.kind))
        for k in kinds:
            data = in_group[in_group.kind == k]
            fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * data.measure.nunique()), 4.6))
            sns.pointplot(data=data, x="label", y="value", hue="scenario", errorbar=("ci", 95),
                          dodge=0.4, linestyle="none", capsize=0.15, ax=ax)
            ax.set_title(page_text(FIGURE_TEXT, "title", lang, group=page_text(FIGURE_TEXT, str(group), lang),
                                   reps=len(a)))
            ax.set_xlabel("")
            ax.set_ylabel(t(f"unit.{k}", lang))
            ax.legend(title="")
            ax.tick_params(axis="x", rotation=25)
            fig.tight_layout()
            path = out / (f"compare_{group}.png" if len(kinds) == 1 else f"compare_{group}_{k}.png")
            fig.savefig(path, dpi=110)
            plt.close(fig)
            paths.append(path)
    return paths
