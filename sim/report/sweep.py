"""The report of a sweep: effects of each factor and paired differences against the base point.

Replication k of every design point runs with the same seed (common random numbers), so a
difference between two points is estimated replication by replication, as in ``compare``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.labels import staff_role
from sim.report import catalogue as cat
from sim.report import figures as figs
from sim.report.catalogue import Lang
from sim.report.data import ReportError
from sim.report.figures import Estimate
from sim.report.sources import assumptions, chain, differences, language, snapshot, touching
from sim.report.text import t
from sim.stats import measure_ci
from sim.sweep.analysis import Words, non_dominated, tradeoff_measures
from sim.sweep.experiment import SCENARIO_FACTOR, ExperimentError
from sim.sweep.store import Store
from sim.vocabulary import StaffRole
from sim.warnings import by_points
from sim.warnings import text as warning_text


def _key(v: Any) -> Any:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def base_point(meta: dict[str, Any]) -> int:
    """Find the design point whose factor values are the base scenario's own (else the first point)."""
    from sim.config import ScenarioError, read_scenario_data
    from sim.report.sources import flatten

    try:
        base = flatten(read_scenario_data(meta["scenario"]))
    except (ScenarioError, OSError):
        return int(meta["points"][0]["point"])
    exp_dir = Path(meta["source"]).parent
    for p in meta["points"]:
        ok = True
        for f in meta["factors"]:
            v = p[f["column"]]
            if f["path"] == SCENARIO_FACTOR:
                ok &= (exp_dir / str(v)).resolve() == Path(meta["scenario"]).resolve()
            else:
                ok &= f["path"] in base and _key(base[f["path"]]) == _key(v)
        if ok:
            return int(p["point"])
    return int(meta["points"][0]["point"])


def by_replication(runs: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Replication × point table of one measure."""
    sub = runs[runs.measure == measure]
    return sub.pivot_table(index="replication", columns="point", values="value", aggfunc="first")


def constant(runs: pd.DataFrame, measure: str) -> bool:
    """Whether the measure is the same at every design point in each replication (then it says nothing)."""
    table = by_replication(runs, measure)
    x = table.to_numpy(dtype=float)
    return bool(np.all((x == x[:, :1]) | (np.isnan(x) & np.isnan(x[:, :1]))))


def paired_vs(table: pd.DataFrame, point: int, base: int, measure: str) -> Estimate:
    """Mean and 95% CI of a measure's difference from the base point, paired by replication."""
    if point not in table or base not in table:
        return Estimate(math.nan, math.nan, math.nan)
    d = (table[point] - table[base]).to_numpy(dtype=float)
    return Estimate(*measure_ci(measure, d, difference=True))


def main_effects(runs: pd.DataFrame, design: pd.DataFrame, factors: list[str], factor: str, reference: Any,
                 measure: str) -> dict[Any, Estimate]:
    """Paired effect of each level of ``factor`` against ``reference``, the other factors held equal.

    Each point at a level is matched with the point at the reference level that has the same
    values of the other factors; per replication the differences are averaged over the
    matches, then the mean and 95% CI are taken over replications. Empty when no point matches
    (a sampled design).
    """
    table = by_replication(runs, measure)
    others = [f for f in factors if f != factor]
    key = design.set_index("point")
    ref_points = {tuple(_key(key.loc[p, o]) for o in others): p
                  for p in key.index if _key(key.loc[p, factor]) == _key(reference)}
    out: dict[Any, Estimate] = {}
    for level, pts in key.groupby(factor, sort=True).groups.items():
        if _key(level) == _key(reference):
            continue
        diffs = []
        for p in pts:
            q = ref_points.get(tuple(_key(key.loc[p, o]) for o in others))
            if q is not None and p in table and q in table:
                diffs.append(table[p] - table[q])
        if diffs:
            per_rep = pd.concat(diffs, axis=1).mean(axis=1).to_numpy(dtype=float)
            out[level] = Estimate(*measure_ci(measure, per_rep, difference=True))
    return out


def sweep_language(folder: Path) -> Lang:
    """Choose the language of a sweep's report: its base scenario's, Chinese when it cannot be read."""
    meta = Store(folder).meta()
    try:
        lang = language(snapshot(meta["scenario"]))
    except Exception:
        lang = "zh"
    return "en" if lang == "en" else "zh"


def _point_label(row: pd.Series | dict[str, Any], factors: list[str]) -> str:
    return ", ".join(f"{f}={row[f]}" for f in factors)


def _est_text(e: Estimate, m: str, signed: bool = False, lang: Lang = "en") -> str:
    return cat.fmt_ci(e.mean, e.lo, e.hi, m, signed, lang)


def sweep_report(folder: Path, lang: Lang) -> dict[str, Any]:
    """Build the report's sections for a sweep folder: the question (design, base point, warnings) and each factor's effects."""
    from sim.report.build import (
        Cell,
        Section,
        assumption_table,
        diff_class,
        how_to_read,
        limits_section,
        money_units,
        value_text,
    )

    store = Store(folder)
    try:
        meta = store.meta()
    except ExperimentError as exc:
        raise ReportError(str(exc)) from None
    runs = store.read_runs()
    if runs.empty:
        raise ReportError(f"{folder}: no finished runs yet")
    factors = [f["column"] for f in meta["factors"]]
    paths = {f["column"]: f["path"] for f in meta["factors"]}
    design = pd.DataFrame(meta["points"])
    n = int(runs.groupby("point").replication.nunique().min())
    base = base_point(meta)
    base_row = design.set_index("point").loc[base]
    present = list(dict.fromkeys(runs.measure))
    headline = cat.headline_order(present)
    share, gini, _ = tradeoff_measures([f["path"] for f in meta["factors"]])
    focus = [m for m in dict.fromkeys([share, gini, *headline]) if m in present and not constant(runs, m)]
    sections = [how_to_read(lang, n)]

    q = Section("question", t("sec.question", lang))
    q.p(t("q.sweep", lang, name=meta["name"], points=len(design), reps=n, design=meta["design"]["kind"]))
    q.table([t("factor", lang), t("field", lang), t("levels", lang)],
            [[Cell(f["column"]), Cell(f["path"], "code"),
              Cell(", ".join(str(x) for x in (f["levels"] or [f["low"], f["high"]])), "code")]
             for f in meta["factors"]], cls="fields3")
    q.p(t("q.base", lang, point=base, values=_point_label(base_row, factors),
          scenario=Path(meta["scenario"]).name))
    sections.append(q)

    warn = [(f"{t('point', lang)} {', '.join(map(str, p))}: " if p else "") + warning_text(w, lang)
            for w, p in by_points(store.read_warnings())]  # the same warning at many points listed once
    if warn:
        q.p(t("warnings", lang), cls="warning")
        q.list(warn)

    words = Words(lang, meta["factors"])  # factors by their fields' words, levels in words (最近空闲, 3 not 3.0)
    # effects of each factor
    e = Section("effects", t("sec.effects", lang))
    e.p(t("eff.intro", lang, reps=n))
    full = meta["design"]["kind"] == "full_factorial"
    panels: dict[str, dict[str, list[tuple[str, Estimate]]]] = {}
    for m in focus[:6]:
        panel: dict[str, list[tuple[str, Estimate]]] = {}
        for f in factors:
            rows = []
            for level, g in runs[runs.measure == m].groupby(f, sort=True):
                rows.append((words.level(f, level), Estimate(*measure_ci(m, g.groupby("replication")["value"].mean()
                                                               .to_numpy(dtype=float)))))
            if len(rows) > 1:
                panel[words.factor(f)] = rows
        if panel:
            panels[m] = panel
    if panels:
        title = t("fig.effects", lang, reps=n)
        e.figure(figs.effect_grid({cat.label(m, lang): p for m, p in panels.items()},
                                  {cat.label(m, lang): cat.kind(m) for m in panels}, title,
                                  t("unit.share", lang), money_units(lang)), title)
    if full:
        effect_rows = []
        for m in focus:
            for f in factors:
                ref = base_row[f]
                for level, est in main_effects(runs, design, factors, f, ref, m).items():
                    effect_rows.append([Cell(cat.label(m, lang)), Cell(words.factor(f)),
                                        Cell(f"{words.level(f, level)} − {words.level(f, ref)}"),
                                 Cell(_est_text(est, m, True, lang), "num diff " + diff_class(m, est))])
        if effect_rows:
            e.h3(t("eff.table", lang))
            e.p(t("eff.table_note", lang, reps=n))
            e.table([t("measure", lang), t("factor", lang), t("contrast", lang), t("effect_ci", lang)], effect_rows,
                    cls="small")
    sections.append(e)

    # paired differences against the base point
    v = Section("vsbase", t("sec.vsbase", lang))
    v.p(t("vs.intro", lang, point=base, reps=n))
    head = [t("point", lang), *[words.factor(f) for f in factors]] + [cat.label(m, lang) for m in focus[:4]]
    point_rows = []
    tables = {m: by_replication(runs, m) for m in focus[:4]}
    for _, row in design.iterrows():
        p = int(row["point"])
        cells = [Cell(str(p) + (" ★" if p == base else "")), *[Cell(words.level(f, row[f])) for f in factors]]
        for m in focus[:4]:
            tab = tables[m]
            mean = tab[p].mean() if p in tab else math.nan
            if p == base:
                cells.append(Cell(cat.fmt(mean, m), "num"))
            else:
                d = paired_vs(tab, p, base, m)
                cells.append(Cell(f"{cat.fmt(mean, m)}\n{_est_text(d, m, True, lang)}", "num ci diff " + diff_class(m, d)))
        point_rows.append(cells)
    v.table(head, point_rows, cls="small")
    sections.append(v)

    # workload and staff of the role the experiment is about
    from sim.report import workload

    wl = workload.sweep_section(runs, design, factors, gini.split(".", 1)[1], base, lang, words)
    if wl is not None:
        sections.append(wl)

    # trade-off
    tr = _tradeoff(runs, design, meta, share, gini, lang, n)
    if tr is not None:
        sections.append(tr)

    m_sec = _maps(meta, base, lang)
    if m_sec is not None:
        sections.append(m_sec)

    # assumptions on the fields varied
    a = Section("assumptions", t("sec.assumptions", lang))
    try:
        base_files = snapshot(meta["scenario"])["files"]
    except Exception:
        base_files = None
    if base_files is not None:
        found = assumptions(base_files)
        varied = [p for p in paths.values() if p != SCENARIO_FACTOR]
        for f in meta["factors"]:
            if f["path"] == SCENARIO_FACTOR and f["levels"]:
                exp_dir = Path(meta["source"]).parent
                snaps = [snapshot(exp_dir / str(lv)) for lv in f["levels"]]
                diffs = differences(snaps[0]["resolved"], snaps[-1]["resolved"])
                varied += [k for k, _, _ in diffs]
                for s_ in snaps:
                    found.update(assumptions(s_["files"]))
                a.p(t("as.scenario_factor", lang, n=len(diffs)))
                a.table([t("field", lang), str(f["levels"][0]), str(f["levels"][-1])],
                        [[Cell(k, "code"), Cell(value_text(x, lang), "code"), Cell(value_text(y, lang), "code")]
                         for k, x, y in diffs], cls="small fields")
        hit = touching(found, varied)
        a.p(t("as.intro.sweep", lang))
        assumption_table(a, hit, lang)
        a.p(t("q.files", lang, files=" → ".join(Path(p).name for p in chain(meta["scenario"]))))
        sections.append(a)
    sections.append(limits_section(lang))
    return {"title": t("title.sweep", lang, name=meta["name"]), "days": meta.get("days") or _days(meta), "reps": n,
                "sections": sections}


# A factor with one of these paths changes what a map shows (the grids, or the squads' bases and zones).
MAP_PATHS = ("town.", "squads.")
MAX_SWEEP_MAPS = 4


def _point_scenario(meta: dict[str, Any], point: dict[str, Any]) -> Any:
    """Rebuild one design point's scenario from the sweep's record (its base file and factor values)."""
    from sim.config import apply_overrides, read_scenario_data, validate_scenario

    path = Path(meta["scenario"])
    overrides: dict[str, Any] = {}
    for f in meta["factors"]:
        if f["path"] == SCENARIO_FACTOR:
            path = Path(meta["source"]).parent / str(point[f["column"]])
        else:
            overrides[f["path"]] = point[f["column"]]
    data = apply_overrides(read_scenario_data(path), overrides, source=str(path))
    return validate_scenario(data, source=str(path), days=1.0, days_from="a map")  # only built, never run


def _map_points(meta: dict[str, Any], base: int) -> tuple[str | None, list[dict[str, Any]]]:
    """Pick the points to map: the base point, or one per level of the first factor that changes the map."""
    points = {int(p["point"]): p for p in meta["points"]}
    base_point = points[base]
    factor = next((f for f in meta["factors"] if f["path"].startswith(MAP_PATHS)), None)
    if factor is None:
        return None, [base_point]
    col = factor["column"]
    others = [f["column"] for f in meta["factors"] if f["column"] != col]
    same = [p for p in points.values() if all(_key(p[o]) == _key(base_point[o]) for o in others)]
    same.sort(key=lambda p: _key(p[col]))
    return (col, same[:MAX_SWEEP_MAPS]) if len(same) > 1 else (None, [base_point])


def _maps(meta: dict[str, Any], base: int, lang: Lang) -> Any:
    """Map the sweep's town (sim.geo's drawing) at the base point and at each level of a town or squad factor.

    None when the scenario cannot be rebuilt (a file moved or changed since the sweep).
    """
    from sim.config import ScenarioError
    from sim.geo import GeoError
    from sim.report import maps
    from sim.report.build import Section

    factor, points = _map_points(meta, base)
    drawn = []
    for p in points:
        try:
            drawn.append((p, maps.of_scenario(_point_scenario(meta, p))))
        except (ScenarioError, GeoError, OSError, KeyError):
            return None
    s = Section("maps", t("sec.maps", lang))
    s.p(t("map.sweep_levels", lang, factor=factor) if factor else t("map.sweep_base", lang))
    hh = [float(x) for _, layers in drawn for x in layers.grids.households]
    factors = [f["column"] for f in meta["factors"]]
    half = len(drawn) > 1
    for p, layers in drawn:
        opt = f"{t('point', lang)} {p['point']}{' ★' if int(p['point']) == base else ''} ({_point_label(p, factors)})"
        title = t("map.squads_opt", lang, opt=opt)
        s.figure(maps.draw(layers, "households", lang, title, None,
                           legend=t("map.households", lang), squads=layers.bases is not None, cmap="Blues",
                           vmin=min(hh), vmax=max(hh), half=half), title, cls="half" if half else "")
    return s


def _days(meta: dict[str, Any]) -> float | None:
    from sim.config import ScenarioError, read_scenario_data

    try:
        return float(read_scenario_data(meta["scenario"]).get("run", {}).get("days"))
    except (ScenarioError, OSError, TypeError):
        return None


def _tradeoff(runs: pd.DataFrame, design: pd.DataFrame, meta: dict[str, Any], share: str, gini: str,
              lang: Lang, n: int):
    from sim.report.build import Cell, Section

    present = set(runs.measure)
    if share not in present or gini not in present:
        return None
    factors = [f["column"] for f in meta["factors"]]
    squad_exp = gini == "workload_gini.squad_crew"
    d = design.set_index("point")
    stats = {}
    for m in (share, gini):
        tab = by_replication(runs, m)
        stats[m] = pd.DataFrame({p: measure_ci(m, tab[p].to_numpy(dtype=float)) for p in tab}, index=["mean", "lo", "hi"]).T
    # Staff as the model counts it when the runs have it (officers on a squad's roll, FTE of all roles),
    # else from the design (crews; grid staff per grid × grids + crews).
    staff_measure = "staff_headcount.squad_officer" if squad_exp else "staff_fte.total"
    if staff_measure in present:
        staff = by_replication(runs, staff_measure).mean().reindex(d.index)
        staff_label = cat.label(staff_measure, lang)
    else:
        grids = by_replication(runs, "grids").mean() if "grids" in present else pd.Series(0.0, index=d.index)
        staff = d["squad_crews"] if squad_exp else d["squad_crews"] + d["grid_staff_per_grid"] * grids.reindex(d.index)
        staff_label = staff_role(StaffRole.SQUAD_CREW, lang) if squad_exp else t("par.staff", lang)
    df = pd.DataFrame({"share": stats[share]["mean"], "gini": stats[gini]["mean"], "staff": staff}).dropna()
    if df.empty:
        return None
    front = non_dominated(df, ["share"], ["gini", "staff"])
    s = Section("pareto", t("sec.pareto", lang))
    s.p(t("par.intro.squad" if squad_exp else "par.intro.grid", lang, share=cat.label(share, lang),
          gini=cat.label(gini, lang)))
    lo_g, hi_g = stats[gini].loc[df.index, "lo"], stats[gini].loc[df.index, "hi"]
    lo_s, hi_s = stats[share].loc[df.index, "lo"], stats[share].loc[df.index, "hi"]
    xerr = np.vstack([df.gini - lo_g, hi_g - df.gini])
    yerr = np.vstack([df.share - lo_s, hi_s - df.share])
    title = t("fig.pareto", lang, reps=n)
    s.figure(figs.pareto(df.gini.to_numpy(), df.share.to_numpy(), df.staff.to_numpy(float),
                         [str(p) for p in df.index], front, cat.label(gini, lang), cat.label(share, lang) + " (%)",
                         staff_label, title, t("par.front", lang),
                         xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr)), title)
    rows = [[Cell(str(p)), *[Cell(str(d.loc[p, f])) for f in factors],
             Cell(_est_text(Estimate(*stats[share].loc[p]), share), "num"),
             Cell(_est_text(Estimate(*stats[gini].loc[p]), gini), "num"), Cell(f"{df.staff[p]:g}", "num")]
            for p in df.index[front]]
    s.h3(t("par.front", lang))
    s.table([t("point", lang), *factors, cat.label(share, lang), cat.label(gini, lang), staff_label], rows,
            cls="small")
    return s
