"""The report of a ``gridsim plan bases`` or ``gridsim plan grids`` folder.

The plan folder is read by its documented file names (``plan.json``, ``bases.csv``,
``objectives.csv``, ``grids.csv``, ``demand.csv``, ``verify.csv``, ``scenarios/*.toml``,
``scenario.json``); a file that is missing leaves its part out. The verdicts are the
plan's own (``plan.json``); their reasons are worded here from ``verify.csv`` by the same
claim ``sim.plan.verify`` judged them with, so they read in either language.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim import labels
from sim.plan.pareto import pareto_plot
from sim.report import catalogue as cat
from sim.report import figures as figs
from sim.report import maps
from sim.report.catalogue import Lang
from sim.report.data import ReportError, read_json
from sim.report.figures import Estimate
from sim.report.sources import assumptions, language, read_snapshot, touching
from sim.report.text import t
from sim.warnings import text as warning_text

PlanKind = Literal["bases", "grids"]
# The scenario fields each kind of plan rests on (their `# assumption` values are listed).
RESTS_ON: dict[PlanKind, list[str]] = {
    "bases": ["squads", "command_centre", "town.travel", "town.villages", "town.area_km2"],
    "grids": ["town.grid_division", "grid_staff", "town.villages", "town.persons_per_household"],
}


def plan_kind(folder: Path) -> PlanKind:
    """Tell a squad plan from a grid division by the files the plan wrote."""
    if (folder / "bases.csv").is_file():
        return "bases"
    if (folder / "objectives.csv").is_file():
        return "grids"
    meta = read_json(folder / "plan.json")
    if "plans" in meta:
        return "bases"
    if "objectives" in meta:
        return "grids"
    raise ReportError(f"{folder}: plan.json names neither squad plans nor a grid division")


def plan_language(folder: Path) -> Lang:
    """Return the input scenario's language (Chinese unless it says ``en``)."""
    return "en" if language(read_snapshot(folder)) == "en" else "zh"


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: cannot be read: {exc}") from None


def _base_labels(row: Any) -> list[str]:
    """Name a plan's bases as ``gridsim plan bases`` did in table and map (``S1 R21 徐庄村``), squad by squad.

    Folders written before the labels existed have the site names only.
    """
    text = row.get("base_labels") if hasattr(row, "get") else None
    if not isinstance(text, str) or not text:
        text = str(row["bases"])
    return [b.strip() for b in text.split(";")]


def _plan_name(row: Any, lang: Lang) -> str:
    name = labels.plan_method(str(row["method"]), lang)
    return name if row["method"] == "current" else f"{name} K={int(row['k'])}"


def _share(v: Any) -> str:
    return "–" if v is None or not math.isfinite(float(v)) else f"{100 * float(v):.1f}%"


def _est(row: Any, prefix: str) -> Estimate:
    return Estimate(float(row[f"{prefix}_mean"]), float(row[f"{prefix}_lo"]), float(row[f"{prefix}_hi"]))


def _two_lines(e: Estimate, measure: str, signed: bool = False, lang: Lang = "en") -> str:
    """Mean, and its CI on a second line (narrow columns); no bracket when there is no interval."""
    mean = cat.fmt(e.mean, measure, signed, lang)
    if cat.no_interval(e.mean, e.lo, e.hi, measure, signed):
        return mean
    bounds = (cat.fmt(v, measure, signed, lang).removesuffix(cat.POINTS["zh"]) for v in (e.lo, e.hi))
    return f"{mean}\n[{', '.join(bounds)}]"  # in Chinese the points' word follows the mean alone


def _unchanged(r: Any, tol: float = 1e-9) -> bool:
    """Tell whether today's plan and the proposal agree in every replication (rounding aside)."""
    return all(abs(float(x)) <= tol or math.isnan(float(x)) for x in (r.diff_mean, r.diff_lo, r.diff_hi))


def _claim(kind: PlanKind) -> Any:
    from sim.plan.verify import BASES_CLAIM, GRIDS_CLAIM

    return BASES_CLAIM if kind == "bases" else GRIDS_CLAIM


def money(value: float, lang: Lang, signed: bool = False) -> str:
    """Yuan in the unit a reader says (万元/亿元 in Chinese, thousand/million yuan in English).

    The units are the money axes' own (``sim.report.build.MONEY_UNITS``); three significant figures or more.
    """
    from sim.report.build import MONEY_UNITS

    if not math.isfinite(value):
        return "–"
    a = abs(value)
    scale, key = next(((s, k) for s, k in MONEY_UNITS[lang] if a >= s), MONEY_UNITS[lang][-1])
    x = a / scale
    body = f"{x:,.0f}" if scale == 1 else f"{x:,.1f}" if x >= 100 else f"{x:,.2f}"
    zero = not any(c in "123456789" for c in body)
    sign = "" if zero else "-" if value < 0 else "+" if signed else ""
    return sign + t("money." + key.removeprefix("unit.money_"), lang, v=body)


def _signed(v: float, decimals: int) -> str:
    text = f"{abs(v):,.{decimals}f}"
    return text if not any(c in "123456789" for c in text) else ("-" if v < 0 else "+") + text


def price_text(p: Any, lang: Lang) -> str:
    """Word a proposal's price: staff, full-time equivalents and yuan a year against today."""
    if not math.isfinite(p.headcount):
        return "–"  # a folder from before staff were measured
    if all(not math.isfinite(x) or abs(x) < 1e-9 for x in (p.headcount, p.fte, p.cost_per_year)):
        return t("plan.price_same", lang)
    staff = t("plan.staff", lang, n=_signed(p.headcount, 0))
    if not math.isfinite(p.cost_per_year):
        return t("plan.price_nocost", lang, staff=staff, fte=_signed(p.fte, 1))
    return t("plan.price", lang, staff=staff, fte=_signed(p.fte, 1), cost=money(p.cost_per_year, lang, True))


def _price_lines(p: Any, lang: Lang, fte: bool = True) -> str:
    """Staff (full-time equivalents) and yuan a year, one to a line (a narrow column)."""
    if not math.isfinite(p.headcount):
        return "–"  # a folder from before staff were measured
    if all(not math.isfinite(x) or abs(x) < 1e-9 for x in (p.headcount, p.fte, p.cost_per_year)):
        return t("plan.same", lang)
    lines = [t("plan.staff", lang, n=_signed(p.headcount, 0))]
    if fte and math.isfinite(p.fte):
        lines.append(t("plan.fte", lang, n=_signed(p.fte, 1)))
    if math.isfinite(p.cost_per_year):
        lines.append(t("plan.per_year", lang, cost=money(p.cost_per_year, lang, True)))
    return "\n".join(lines)


def price_clause(p: Any, verdict: str, lang: Lang) -> str:
    """Give what a verdict needs so its price is in the same sentence: a confirmed plan that costs more says so."""
    if not math.isfinite(p.headcount):
        return ""  # no staff measured: nothing to add
    cost = p.cost_per_year
    staff = t("plan.staff", lang, n=_signed(p.headcount, 0))
    if verdict == "confirmed" and math.isfinite(cost) and abs(cost) >= 0.5:
        return t("plan.costs_more" if cost > 0 else "plan.saves", lang, cost=money(abs(cost), lang), staff=staff)
    if math.isfinite(cost) and cost <= -0.5 and p.headcount <= 0:  # a saving is not a price: said as saved
        return t("plan.saving_of", lang, staff=t("plan.staff", lang, n=f"{abs(p.headcount):,.0f}"),
                 fte=f"{abs(p.fte):,.1f}", cost=money(abs(cost), lang))
    return t("plan.price_of", lang, price=price_text(p, lang))


def _prices(verify: pd.DataFrame | None) -> dict[str, Any]:
    """Each proposal's price (``sim.plan.verify.Price``) from verify.csv, by plan id."""
    from sim.plan.verify import price

    if verify is None or verify.empty:
        return {}
    return {str(pid): price(part) for pid, part in verify.groupby("plan", sort=False)}


def verdict_reason(rows: pd.DataFrame, claim: Any, verdict: str, lang: Lang) -> str:
    """Why a proposal is (un)confirmed, from its paired differences, in the reader's language."""
    by = rows.set_index("measure")
    label = cat.label(claim.target, lang)
    if claim.target not in by.index:
        return t("plan.why_missing", lang, target=label)
    r = by.loc[claim.target]
    diff = cat.fmt_ci(r.diff_mean, r.diff_lo, r.diff_hi, claim.target, signed=True, lang=lang)
    good = cat.better(claim.target) or 1
    lo, hi = sorted((good * r.diff_lo, good * r.diff_hi))
    if verdict == "confirmed":
        return t("plan.why_confirmed", lang, target=label, diff=diff)
    if not lo > 0:
        return t("plan.why_worse" if hi < 0 else "plan.why_none", lang, target=label, diff=diff)
    for g in claim.guards:
        if g in by.index:
            rg, dg = by.loc[g], cat.better(g) or 1
            if max(dg * rg.diff_lo, dg * rg.diff_hi) < 0:
                return t("plan.why_guard", lang, target=label, guard=cat.label(g, lang),
                         diff=cat.fmt_ci(rg.diff_mean, rg.diff_lo, rg.diff_hi, g, signed=True, lang=lang))
    return t("plan.why_none", lang, target=label, diff=diff)


def plan_report(folder: Path, lang: Lang) -> dict[str, Any]:
    """Assemble the sections of a plan folder's report."""
    from sim.report.build import Section, assumption_table, how_to_read, limits_section

    kind = plan_kind(folder)
    meta = read_json(folder / "plan.json")
    snap = read_snapshot(folder)
    ver = meta.get("verification") or {}
    reps = int(ver.get("replications") or 0)
    days = ver.get("days") or (snap or {}).get("resolved", {}).get("run", {}).get("days")
    verify = _csv(folder / "verify.csv") if reps else None
    sections: list[Section] = [how_to_read(lang, reps, "plan.read", "plan.unverified")]
    if kind == "bases":
        sections += _bases(folder, meta, snap, verify, lang)
    else:
        sections += _grids(folder, meta, snap, verify, lang)
    if snap is not None:
        found = touching(assumptions(snap["files"]), RESTS_ON[kind])
        a = Section("assumptions", t("sec.assumptions", lang))
        a.p(t(f"plan.as_{kind}", lang))
        a.list(t(f"plan.method_{kind}", lang).split("|"))
        a.p(t("plan.as_files", lang))
        assumption_table(a, found, lang)
        a.p(t("plan.as_rest", lang, n=len(assumptions(snap["files"])) - len(found),
              files=" → ".join(Path(f["path"]).name for f in snap["files"])))
        sections.append(a)
    sections.append(limits_section(lang))
    title = t(f"title.plan_{kind}", lang, name=meta.get("scenario", folder.name))
    sub = t("plan.subtitle_verified", lang, days=f"{days:g}" if isinstance(days, (int, float)) else "?", reps=reps) \
        if reps else t("plan.subtitle_unverified", lang)
    return {"title": title, "days": days, "reps": reps, "subtitle_lead": sub, "sections": sections}


# --- squad bases -----------------------------------------------------------------------------
def _bases(folder: Path, meta: dict[str, Any], snap: dict[str, Any] | None, verify: pd.DataFrame | None,
           lang: Lang) -> list[Any]:
    from sim.report.build import Cell, Section

    table = _csv(folder / "bases.csv")
    if table is None:
        table = pd.DataFrame(meta.get("plans") or [])
    if table.empty:
        raise ReportError(f"{folder}: no squad plans in bases.csv or plan.json")
    table = table.assign(name=[_plan_name(r, lang) for _, r in table.iterrows()])
    verdicts = {k: v.get("verdict", "") for k, v in ((meta.get("verification") or {}).get("verdicts") or {}).items()}
    claim = _claim("bases")
    proposals = table[table.method != "current"]
    ks = sorted(int(k) for k in proposals.k.unique())
    out = []

    q = Section("question", t("sec.question", lang))
    q.p(t("plan.q_bases", lang, ks=f"{ks[0]}–{ks[-1]}" if len(ks) > 1 else str(ks[0]) if ks else "?",
          calls=f"{float(meta.get('squad_calls_per_day', math.nan)):.0f}",
          budget=f"{float(meta.get('budget_min', math.nan)):g}", name=meta.get("scenario", "")))
    today = table[table.method == "current"]
    if len(today):
        r = today.iloc[0]
        q.p(t("plan.q_today", lang, k=int(r.k), crews=int(r.crews),
              bases=t("plan.list_sep", lang).join(_base_labels(r))))
    out.append(q)

    p = Section("proposals", t("sec.proposals", lang))
    p.p(t("plan.proposals_bases", lang))
    if verify is not None and not verify.empty:
        p.p(t("plan.bases_price", lang))
    p.list([t(f"method.{m}", lang) for m in ("p-median", "mclp", "p-center") if m in set(table.method)])
    head = [t("plan.col_plan", lang), t("plan.col_crews", lang), t("plan.col_bases", lang),
            t("plan.col_pred", lang), t("plan.col_trip", lang), t("plan.col_wait", lang),
            t("plan.col_balance", lang), t("plan.col_front", lang)]
    sim = "sim_mean" in table and table.sim_mean.notna().any()
    prices = _prices(verify)
    if sim:
        head += [t("plan.col_sim", lang, reps=int(meta["verification"]["replications"])),
                 *([t("plan.col_price", lang)] if prices else []), t("plan.col_verdict", lang)]
    rows = []
    for _, r in table.iterrows():
        row = [Cell(r["name"]), Cell(str(int(r.crews)), "num"), Cell("\n".join(_base_labels(r)), "lines"),
               Cell(_share(r.predicted_fifteen_share), "num"), Cell(f"{r.predicted_mean_travel_min:.1f}", "num"),
               Cell(_share(r.predicted_p_wait), "num"), Cell(f"{r.squad_max_over_mean:.2f}", "num"),
               Cell("●" if bool(r.pareto) else "", "num")]
        if sim:
            e = Estimate(r.sim_mean, r.sim_lo, r.sim_hi)
            v = verdicts.get(r["id"], "")
            word = t(f"verdict.{v}", lang) if v else "—"
            pr = prices.get(str(r["id"]))
            if v == "confirmed" and pr is not None and math.isfinite(pr.cost_per_year) and pr.cost_per_year >= 0.5:
                word += t("plan.dearer", lang)  # confirmed on service, but dearer: said in the verdict itself
            row.append(Cell(cat.fmt_ci(e.mean, e.lo, e.hi, "share_within_15min_dispatched"), "num"))
            if prices:
                row.append(Cell(_price_lines(pr, lang, fte=False) if pr is not None else "—", "num lines"))
            row.append(Cell(word, f"verdict {v}"))
        rows.append(row)
    p.table(head, rows, cls="small plans")
    title = t("plan.pareto_title", lang) + (t("plan.pareto_sim", lang, reps=meta["verification"]["replications"])
                                            if sim else "")
    p.figure(figs.embed(pareto_plot(table, lang)), title)
    p.p(t("plan.pareto_read", lang))
    out.append(p)

    if verify is not None and not verify.empty:
        out += _verification(verify, table.set_index("id")["name"].to_dict(), verdicts, claim, lang)
    m = _bases_maps(folder, table, snap, lang)
    if m is not None:
        out.append(m)
    return out


def _bases_maps(folder: Path, table: pd.DataFrame, snap: dict[str, Any] | None, lang: Lang) -> Any:
    from sim.config import ScenarioError, load_scenario
    from sim.geo import GeoError
    from sim.report.build import Section

    demand = _csv(folder / "demand.csv")
    drawn: list[tuple[str, maps.TownLayers]] = []
    for _, r in table.iterrows():
        if r["method"] == "current":
            layers = maps.of_snapshot(snap)
        else:
            try:
                layers = maps.of_scenario(load_scenario(folder / "scenarios" / f"{r['id']}.toml"))
            except (ScenarioError, GeoError, OSError):
                layers = None
        if layers is None:
            continue
        names = _base_labels(r)
        if layers.bases is not None and len(names) == len(layers.bases):  # the table's names on the map
            layers = replace(layers, bases=layers.bases.assign(squad=names))
        if demand is not None and {"point", "squad_calls_per_day"} <= set(demand.columns):
            calls = demand.groupby("point").squad_calls_per_day.sum()
            layers = layers.with_grid_values("squad_calls", layers.grids.grid.map(calls).to_numpy(float))
        else:
            layers = layers.with_grid_values("squad_calls", layers.grids.households.to_numpy(float))
        title = t("plan.map_title", lang, plan=r["name"], share=_share(r.predicted_fifteen_share))
        drawn.append((title, layers))
    if not drawn:
        return None
    s = Section("maps", t("sec.maps", lang))
    s.p(t("plan.maps_bases" if demand is not None else "plan.maps_bases_hh", lang))
    values = np.concatenate([layers.grids.squad_calls.to_numpy(float) for _, layers in drawn])
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    legend = cat.label("squad_calls_per_day", lang) if demand is not None else t("map.households", lang)
    unit = t("plan.calls_unit", lang) if demand is not None else maps.unit_of("households", lang)
    for title, layers in drawn:
        s.figure(maps.draw(layers, "squad_calls", lang, title, unit, legend=legend, squads=True, cmap="Oranges",
                           vmin=lo, vmax=hi, half=True), title, cls="half")
    return s


# --- verification ------------------------------------------------------------------------------
def _verification(verify: pd.DataFrame, names: dict[str, str], verdicts: dict[str, str], claim: Any,
                  lang: Lang) -> list[Any]:
    from sim.plan.verify import verdict as judge
    from sim.report.build import COLOURS, Cell, Section, diff_class, money_units, unit_titles

    s = Section("verify", t("sec.verify", lang))
    s.p(t("plan.verify_intro", lang, target=cat.label(claim.target, lang),
          guards=t("plan.list_sep", lang).join(cat.label(g, lang) for g in claim.guards)))
    head = [t("plan.col_plan", lang), cat.label(claim.target, lang) + " B − A",
            *[cat.label(g, lang) + " B − A" for g in claim.guards],
            t("plan.col_price", lang), t("plan.col_verdict", lang)]
    rows, forest = [], []
    prices = _prices(verify)
    for pid, part in verify.groupby("plan", sort=False):
        v = verdicts.get(str(pid)) or judge(part, claim)[0]
        by = part.set_index("measure")
        cells = [Cell(names.get(str(pid), str(pid)))]
        for m in (claim.target, *claim.guards):
            if m in by.index:
                e = _est(by.loc[m], "diff")
                cells.append(Cell(_two_lines(e, m, True, lang), "num ci diff " + diff_class(m, e)))
                if m == claim.target:
                    forest.append((m, names.get(str(pid), str(pid)), e,
                                   figs.BETTER if v == "confirmed" else COLOURS[diff_class(m, e)]))
            else:
                cells.append(Cell("–", "num"))
        pr = prices[str(pid)]
        cells.append(Cell(_price_lines(pr, lang), "num lines"))
        sep = "：" if lang == "zh" else ": "
        cells.append(Cell(f"{t('verdict.' + v, lang)}{sep}{verdict_reason(part, claim, v, lang)}{price_clause(pr, v, lang)}",
                          f"verdict {v}"))
        rows.append(cells)
    s.table(head, rows, cls="small verify")
    if forest:
        title = t("plan.forest", lang, target=cat.label(claim.target, lang))
        s.figure(figs.forest(forest, title, unit_titles(lang, diff=True), money_units(lang)), title)
    # every reported measure that differs, per proposal
    d = Section("verify-all", t("sec.verify_all", lang))
    d.p(t("plan.verify_all", lang))
    rows = []
    for _, r in verify.iterrows():
        if _unchanged(r):
            continue  # identical under common random numbers: the plan does not touch it
        a, b, e = (_est(r, k) for k in ("a", "b", "diff"))
        rows.append([Cell(names.get(str(r.plan), str(r.plan))), Cell(cat.label(r.measure, lang)),
                     Cell(_two_lines(a, r.measure), "num ci"), Cell(_two_lines(b, r.measure), "num ci"),
                     Cell(_two_lines(e, r.measure, True, lang), "num ci diff " + diff_class(r.measure, e))])
    d.table([t("plan.col_plan", lang), t("measure", lang), t("plan.col_today", lang), labels.plan_side("proposal", lang),
             t("diff_ci", lang)], rows, cls="small")
    return [s, d]


# --- grid divisions ------------------------------------------------------------------------------
def _grids_price(obj: pd.DataFrame, verify: pd.DataFrame | None, meta: dict[str, Any], lang: Lang) -> str:
    """Say the proposal's grids, staff and yearly cost against today's, with its verdict, in one sentence."""
    n = obj.set_index("objective")
    today, grids = (round(float(n.loc["grids", c])) if "grids" in n.index else 0 for c in ("today", "proposal"))
    diff = _signed(grids - today, 0)
    prices = _prices(verify)
    if "grids" not in prices:
        return t("plan.grids_price_unverified", lang, grids=grids, today=today, diff=diff)
    v = ((meta.get("verification") or {}).get("verdicts") or {}).get("grids", {}).get("verdict", "unconfirmed")
    pr = prices["grids"]
    return t("plan.grids_price", lang, grids=grids, today=today, diff=diff, price=price_text(pr, lang),
             verdict=t(f"verdict.{v}", lang) + (price_clause(pr, v, lang) if v == "confirmed" else ""))


def _grids(folder: Path, meta: dict[str, Any], snap: dict[str, Any] | None, verify: pd.DataFrame | None,
           lang: Lang) -> list[Any]:
    from sim.config import ScenarioError, load_scenario
    from sim.geo import GeoError
    from sim.report.build import Cell, Section

    low, high = (meta.get("households_range") or [math.nan, math.nan])[:2]
    out = []
    q = Section("question", t("sec.question", lang))
    q.p(t("plan.q_grids", lang, name=meta.get("scenario", ""), low=f"{low:g}", high=f"{high:g}"))
    out.append(q)

    obj = _csv(folder / "objectives.csv")
    if obj is None and meta.get("objectives"):
        obj = pd.DataFrame(meta["objectives"])
    p = Section("proposals", t("sec.proposal", lang))
    p.p(t("plan.proposal_grids", lang))
    if obj is not None:
        rows = []
        for r in obj.itertuples():  # named and formatted as gridsim plan grids prints them
            name = str(r.objective)
            rows.append([Cell(cat.label(name, lang)), Cell(cat.fmt(r.today, name), "num"),
                         Cell(cat.fmt(r.proposal, name), "num")])
        p.table([t("plan.col_objective", lang), t("plan.col_today", lang), labels.plan_side("proposal", lang)], rows)
        p.p(_grids_price(obj, verify, meta, lang))
    for w in meta.get("warnings") or []:
        p.p(warning_text(w, lang), cls="warning")  # e.g. not more even than today: said where the aim is read
    out.append(p)

    claim = _claim("grids")
    if verify is not None and not verify.empty:
        verdicts = {k: v.get("verdict", "") for k, v in ((meta.get("verification") or {}).get("verdicts") or {}).items()}
        out += _verification(verify, {"grids": labels.plan_side("proposal", lang)}, verdicts, claim, lang)

    today = maps.of_snapshot(snap)
    try:
        proposal = maps.of_scenario(load_scenario(folder / "scenarios" / "grids.toml"))
    except (ScenarioError, GeoError, OSError):
        proposal = None
    pairs = [(t("plan.col_today", lang), today), (labels.plan_side("proposal", lang), proposal)]
    drawn = [(name, layers) for name, layers in pairs if layers is not None]
    if drawn:
        m = Section("maps", t("sec.maps", lang))
        m.p(t("plan.maps_grids", lang))
        hh = np.concatenate([layers.grids.households.to_numpy(float) for _, layers in drawn])
        for name, layers in drawn:
            title = t("map.grids_opt", lang, opt=name, n=len(layers.grids))
            m.figure(maps.draw(layers, "households", lang, title, None,
                               legend=t("map.households", lang), cmap="YlGn", vmin=float(hh.min()),
                               vmax=float(hh.max()), half=True, grid_lines=True), title, cls="half")
        grids = _csv(folder / "grids.csv")
        if proposal is not None and grids is not None and {"grid", "events_per_month"} <= set(grids.columns):
            ev = proposal.grids.grid.map(grids.set_index("grid").events_per_month).to_numpy(float)
            title = t("plan.map_events", lang)
            m.figure(maps.draw(proposal.with_grid_values("events", ev), "events", lang, title,
                               t("plan.events_unit", lang), legend=cat.label("expected_events_per_month", lang),
                               cmap="YlOrRd", half=True, grid_lines=True), title, cls="half")
        out.append(m)
    return out
