"""Workload and staff in a report, per role, with 95% CIs over the replications.

Per role the mean and busiest workload, its balance, overtime, headcount, FTE and cost; the
town and county departments' utilisation and waits; for a comparison, the paired differences
B − A as well.
"""

from __future__ import annotations

import math
from typing import Any

from sim import labels
from sim.report import catalogue as cat
from sim.report import figures as figs
from sim.report.catalogue import ROLES, Lang, unpaid
from sim.report.data import Option, paired
from sim.report.figures import Estimate
from sim.report.text import t

# Per role: the measure groups shown as columns, in order.
COLUMNS: tuple[str, ...] = ("workload_mean", "workload_max", "workload_gini", "overtime_hours_per_month",
                            "staff_headcount", "staff_fte", "staff_cost_per_year")
DEPARTMENTS: tuple[str, ...] = ("department_utilisation", "department_wait_mean_min")
# Measures the workload section shows, so the headline table can leave them to it.
SHOWN_HERE: tuple[str, ...] = ("workload_mean.", "workload_max.", "workload_gini.", "overtime_hours_per_month.")


def shown_here(name: str) -> bool:
    """Tell whether the workload section shows a measure (so the headline table can leave it out)."""
    return name.startswith(SHOWN_HERE)


def roles(options: list[Option]) -> list[str]:
    """List the roles the options have workload or staff measures for, in reading order."""
    found = {n.split(".", 1)[1] for o in options for n in o.measures()
             if "." in n and n.split(".", 1)[0] in COLUMNS}
    known = [r for r in ROLES if r in found and r != "total"]
    return known + sorted(found - set(ROLES)) + (["total"] if "total" in found else [])


def two_lines(e: Estimate, name: str, signed: bool = False, lang: Lang = "en") -> str:
    """Mean, and its CI on a second line; no bracket when every replication agrees (a headcount)."""
    if not math.isfinite(e.mean):
        return "–"
    mean, lo, hi = cat.fmt(e.mean, name, signed, lang), e.lo, e.hi
    if cat.no_interval(e.mean, lo, hi, name, signed):
        return mean
    excludes = cat.excludes_zero(lo, hi)
    return (f"{mean}\n[{cat.bound_text(lo, name, signed, excludes, lang)}, "
            f"{cat.bound_text(hi, name, signed, excludes, lang)}]")


def cost_left_out(option: Option, lang: Lang) -> str | None:
    """Say which staff the cost total leaves out (counted in the headcount, no salary in the scenario).

    None when the total covers every role counted, or when there is no cost total at all.
    """
    if not math.isfinite(option.estimate("staff_cost_per_year.total").mean):
        return None
    rs = [r for r in roles([option]) if r != "total"]
    missing = unpaid({r: option.estimate(f"staff_headcount.{r}").mean for r in rs},
                     {r: option.estimate(f"staff_cost_per_year.{r}").mean for r in rs})
    if not missing:
        return None
    n = sum(option.estimate(f"staff_headcount.{r}").mean for r in missing)
    return t("cost.left_out", lang, roles=t("cost.role_sep", lang).join(labels.staff_role(r, lang) for r in missing),
             n=f"{n:,.0f}")


def section(options: list[Option], lang: Lang) -> Any:
    """Build the "Workload and staff" section (None when the runs carry no workload measures)."""
    from sim.report.build import Cell, Section, diff_class

    rs = roles(options)
    if not rs:
        return None
    n = min(o.n for o in options)
    s = Section("workload", t("sec.workload", lang))
    s.p(t("wl.intro", lang) + t("wl.cells" if n > 1 else "wl.cells_one", lang, reps=n))
    head = [t("wl.role", lang)] + [t(f"wl.{c}", lang) for c in COLUMNS]
    for o in options:
        if len(options) > 1:
            s.h3(o.name)
        rows = []
        for r in rs:
            if not any(f"{c}.{r}" in o.reps for c in COLUMNS):
                continue  # a role this option does not have
            row = [Cell(labels.staff_or_total(r, lang))]
            row += [Cell(two_lines(o.estimate(f"{c}.{r}"), f"{c}.{r}"), "num ci") for c in COLUMNS]
            rows.append(row)
        s.table(head, rows, cls="small wl")
        left_out = cost_left_out(o, lang)
        if left_out:
            s.p(left_out, cls="note")
    if len(options) == 2:
        a, b = options
        s.h3(t("wl.diff", lang, reps=n))
        rows = []
        for r in rs:
            if not any(f"{c}.{r}" in a.reps and f"{c}.{r}" in b.reps for c in COLUMNS):
                continue  # in one option only: its own table says it
            row = [Cell(labels.staff_or_total(r, lang))]
            for c in COLUMNS:
                d = paired(a, b, f"{c}.{r}")
                row.append(Cell(two_lines(d, f"{c}.{r}", signed=True, lang=lang), "num ci diff " + diff_class(f"{c}.{r}", d)))
            rows.append(row)
        s.table(head, rows, cls="small wl")
    bars = [r for r in rs if any(math.isfinite(o.estimate(f"workload_mean.{r}").mean) for o in options)]
    if bars:
        names = [labels.staff_or_total(r, lang) for r in bars]
        values = {(o.name, lab): o.estimate(f"workload_mean.{r}") for o in options
                  for r, lab in zip(bars, names, strict=True)}
        title = t("wl.fig" if n > 1 else "wl.fig_one", lang, reps=n)
        s.figure(figs.bars_ci(names, [o.name for o in options], values, title, t("unit.load", lang)), title)
    dept = [(g, m) for g in DEPARTMENTS for m in ("town", "county")
            if any(f"{g}.{m}" in o.reps for o in options)]
    if dept:
        s.h3(t("wl.departments", lang))
        head = [t("measure", lang)] + [o.name for o in options]
        if len(options) == 2:
            head.append(t("diff_ci", lang))
        rows = []
        for g, m in dept:
            name = f"{g}.{m}"
            row = [Cell(cat.label(name, lang))] + [Cell(two_lines(o.estimate(name), name), "num ci") for o in options]
            if len(options) == 2:
                d = paired(options[0], options[1], name)
                row.append(Cell(two_lines(d, name, signed=True, lang=lang), "num ci diff " + diff_class(name, d)))
            rows.append(row)
        s.table(head, rows, cls="small")
    return s


def sweep_section(runs: Any, design: Any, factors: list[str], role: str, base: int, lang: Lang, words: Any) -> Any:
    """Build a sweep's workload section: per design point, the role the experiment is about.

    Its workload, overtime and the staff it costs, each mean with its 95% CI over replications,
    and paired against the base point; factors and levels in ``words`` (sim.sweep.analysis.Words).
    """
    import pandas as pd

    from sim.report.build import Cell, Section, diff_class
    from sim.report.sweep import by_replication, paired_vs
    from sim.stats import measure_ci

    names = [f"{c}.{role}" for c in ("workload_mean", "workload_max", "workload_gini", "overtime_hours_per_month")]
    names += ["staff_fte.total", "staff_cost_per_year.total"]
    present = set(runs.measure)
    names = [m for m in names if m in present]
    if not names:
        return None
    tables = {m: by_replication(runs, m) for m in names}
    n = int(runs.groupby("point").replication.nunique().min())
    s = Section("workload", t("sec.workload", lang))
    s.p(t("wl.sweep_intro", lang, role=labels.staff_or_total(role, lang), reps=n, point=base))
    head = [t("point", lang), *[words.factor(f) for f in factors], *[cat.label(m, lang) for m in names]]
    rows = []
    for _, row in pd.DataFrame(design).iterrows():
        p = int(row["point"])
        cells = [Cell(str(p) + (" ★" if p == base else "")), *[Cell(words.level(f, row[f])) for f in factors]]
        for m in names:
            tab = tables[m]
            e = Estimate(*measure_ci(m, tab[p].to_numpy(dtype=float))) if p in tab else Estimate(math.nan, math.nan, math.nan)
            text = two_lines(e, m)
            cls = "num ci"
            if p != base:
                d = paired_vs(tab, p, base, m)
                text += "\n" + t("wl.vs_base", lang) + " " + two_lines(d, m, signed=True, lang=lang).replace("\n", " ")
                cls += " diff " + diff_class(m, d)
            cells.append(Cell(text, cls))
        rows.append(cells)
    s.table(head, rows, cls="small")
    return s
