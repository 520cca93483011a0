"""``gridsim plan bases`` and ``gridsim plan grids``: proposals, their predicted and simulated effect.

Refusals follow the rest of the CLI: one line on stderr saying what is infeasible and the
nearest feasible setting, exit 2, nothing written.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sim.console import (
    check_days,
    err_console,
    fail,
    fmt,
    lang_option,
    language,
    out_console,
    output_folder,
    progress_bar,
    say,
    warn,
)
from sim.limits import (
    MAX_HOUSEHOLDS_PER_GRID,
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_SOLVER_SECONDS,
    MAX_SQUADS,
    MAX_WORKERS,
)

if TYPE_CHECKING:  # pandas, the scenario and the runner load when a plan command runs
    import pandas as pd

    from sim.labels import Lang as Language

plan_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                       help="Propose grid divisions or squad bases and zones, and prove them by simulation.")


def parse_squads(text: str) -> list[int]:
    """``3`` or ``2..6``."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?", text)
    if not m:
        raise ValueError(f"--squads: expected a number or a range like 2..6, got {text!r}")
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if lo < 1 or hi < lo or hi > MAX_SQUADS:
        raise ValueError(f"--squads: need 1 <= first <= last <= {MAX_SQUADS}, got {text!r}")
    if hi - lo > 20:
        raise ValueError(f"--squads: at most 21 values of K at once, got {text!r}")
    return list(range(lo, hi + 1))


def _check_verify(replications: int, days: float | None, warmup: float) -> None:
    if replications == 1:
        fail(f"--verify: need at least 2 replications for a confidence interval (0: no verification), got {replications}")
    if days is not None and days <= warmup:
        fail(f"--days: must be a number longer than the warm-up ({warmup:g} days), got {days:g}")


# The options both plan commands share, bounded like every other command's (sim/limits.py).
Verify = Annotated[int, typer.Option(min=0, max=MAX_REPLICATIONS, help=(
    "Replications of today's plan and each proposal (0: none)"))]
VerifyDays = Annotated[float | None, typer.Option(callback=check_days, help=(
    "Days per verifying replication (default: scenario)"))]
Workers = Annotated[int, typer.Option(min=0, max=MAX_WORKERS, help=(
    "Processes for the verification (default: all cores)"))]
Seed = Annotated[int, typer.Option(min=0, max=MAX_SEED, help=(
    "First seed of the verification: replication k of every plan uses seed + k (common random numbers)"))]
FirstSeed = Annotated[int | None, typer.Option("--first-seed", min=0, max=MAX_SEED, hidden=True, help=(
    "Old spelling of --seed"))]
# The dispatch rules' config names (sim.policies.DISPATCH_RULES; written out so --help loads no pydantic;
# tests/test_plan.py holds them equal).
DISPATCH_RULE_NAMES = ("home_zone_first", "nearest_idle")
LangOption = Annotated[str | None, lang_option()]


class _Verifying:
    """Progress of a verification on stderr, as ``gridsim sweep`` shows its runs.

    A line first (what is verified: plans × replications = runs, on how many workers); then,
    on a terminal, a bar naming the plan being run with runs done of all and time left, or
    otherwise one line per plan started, so a log shows where a long verification is.
    """

    def __init__(self, names: dict[str, str], replications: int, days: float, workers: int, lang: str) -> None:
        self.names, self.total, self.done, self.lang = names, replications * len(names), 0, lang
        self.tty = sys.stderr.isatty()
        err_console.print(say("plan.verifying", lang, plans=len(names), proposals=len(names) - 1, reps=replications,
                              days=days, runs=self.total, workers=workers), highlight=False, soft_wrap=True)
        self.bar = progress_bar(self.tty)
        self.task = self.bar.add_task(say("plan.verifying_bar", lang, name=""), total=self.total)

    def __enter__(self) -> _Verifying:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def plan(self, pid: str) -> None:
        """Say which plan's replications start."""
        name = self.names.get(pid, pid)
        self.bar.update(self.task, description=say("plan.verifying_bar", self.lang, name=name))
        if not self.tty:
            err_console.print(say("plan.verifying_runs", self.lang, name=name, first=self.done + 1,
                                  last=self.done + self.total // len(self.names), total=self.total),
                              highlight=False, soft_wrap=True)

    def run_done(self) -> None:
        """Count one finished replication."""
        self.done += 1
        self.bar.advance(self.task)


def _bases_table(plans, front, current, town) -> pd.DataFrame:
    import pandas as pd

    from sim.labels import plan_method

    rows = []
    for p, nd in zip(plans, front, strict=False):
        ev = p.predicted
        rows.append({
            "id": p.id, "method": p.method, "k": p.k, "crews": p.crews, "rule": p.rule,
            "name_zh": plan_method(p.method, "zh") + ("" if p.method == "current" else f" K={p.k}"),
            "name_en": plan_method(p.method, "en") + ("" if p.method == "current" else f" K={p.k}"),
            "bases": "; ".join(p.base_names), "base_labels": "; ".join(p.base_labels(town)),
            "base_xy_km": "; ".join(f"{x:.2f} {y:.2f}" for x, y in p.bases), "objective": p.objective, "proven_optimal": p.optimal, "zone_moves": p.moves,
            "predicted_fifteen_share": ev.fifteen_share, "predicted_mean_travel_min": ev.mean_travel_min,
            "predicted_p_wait": ev.p_wait, "home_coverage": ev.home_coverage, "squad_max_over_mean": ev.max_over_mean,
            "crew_gini": ev.crew_gini, "squad_workload": "; ".join(f"{w:.3f}" for w in ev.squad_workload),
            "hypercube": "exact" if ev.exact else "approximate", "pareto": bool(nd),
            "d_fifteen_vs_today": ev.fifteen_share - current.predicted.fifteen_share})
    return pd.DataFrame(rows)


def _print_verify(table: pd.DataFrame, verdicts: dict[str, tuple[str, str]], title: str,
                  names: dict[str, str], claim, lang: Language) -> None:
    """Print the paired table as ``gridsim compare`` does (measures by name, mean ± CI), then each verdict and why.

    The reasons are worded from the table by the claim the verdicts were judged by, as the report words them.
    """
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from sim.compare import plus_minus
    from sim.labels import measure
    from sim.plan.verify import price
    from sim.report.plan import price_clause, verdict_reason
    from sim.report.text import t as text

    several = table.plan.nunique() > 1  # one proposal (a grid division): no line naming it
    t = Table(title=escape(title), box=box.SIMPLE_HEAD, pad_edge=False)  # the title's "[low, high]" is text
    t.add_column(say("measure", lang))
    for col in ("A", "B", "B − A"):
        t.add_column(col, justify="right", no_wrap=True)
    for pid, rows in table.groupby("plan", sort=False):
        rows = rows[~((rows.diff_lo == 0) & (rows.diff_hi == 0))]  # identical under common random numbers
        if rows.empty:  # (the plan does not touch them): in verify.csv
            continue
        if several:  # each plan heads its own rows, not a column repeating its name on every row
            t.add_row(f"[bold]{escape(names.get(str(pid), str(pid)))}[/bold]")
        for i, r in enumerate(rows.itertuples()):
            name = str(r.measure)
            t.add_row(escape(measure(name, lang)), plus_minus(r.a_mean, r.a_lo, r.a_hi, name),
                      plus_minus(r.b_mean, r.b_lo, r.b_hi, name),
                      plus_minus(r.diff_mean, r.diff_lo, r.diff_hi, name, True, lang),
                      end_section=several and i == len(rows) - 1)
    out_console.print(t)
    sep = "：" if lang == "zh" else ": "
    for pid, (label, _) in verdicts.items():
        colour = "green" if label == "confirmed" else "yellow"
        rows = table[table.plan == pid]
        why = verdict_reason(rows, claim, label, lang)
        cost = price_clause(price(rows), label, lang)  # a dearer confirmed plan says so
        out_console.print(f"  [{colour}]{names.get(pid, pid)}{sep}{text('verdict.' + label, lang)}[/{colour}] — "
                          f"{escape(why + cost)}", highlight=False)


@plan_app.command("bases")
def bases(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file (today's plan)")],
    squads: Annotated[str, typer.Option(help="Number of squads K, or a range like 2..6")] = "2..6",
    out: Annotated[Path, typer.Option(help="Output folder")] = Path("results/plan_bases"),
    dispatch_rule: Annotated[str, typer.Option(help=(
        f"Rule the zones are balanced for and the proposals use: {' or '.join(DISPATCH_RULE_NAMES)}"))]
    = "home_zone_first",
    time_limit: Annotated[float, typer.Option(help=(
        f"Solver time limit per model, seconds (at most {MAX_SOLVER_SECONDS:g})"))] = 30.0,
    verify: Verify = 0,
    days: VerifyDays = None,
    seed: Seed = 1,
    workers: Workers = 0,
    first_seed: FirstSeed = None,
    lang: LangOption = None,
) -> None:
    """Squad bases (p-median, MCLP, p-center) and hypercube-balanced zones for K squads."""
    import numpy as np
    import pandas as pd

    from sim.config import ScenarioError, load_scenario
    from sim.plan.bases import current_plan, pareto_front, propose_bases
    from sim.plan.figures import bases_map, pareto_figure
    from sim.plan.inputs import PlanError, SolverError, plan_town
    from sim.plan.sites import candidate_sites
    from sim.plan.variants import applied, bases_overlay, write_variant
    from sim.plan.verify import BASES_CLAIM
    from sim.plan.verify import verify as run_verify
    from sim.policies import DISPATCH_RULES
    from sim.report.sources import write_snapshot
    from sim.runner import write_json

    seed = seed if first_seed is None else first_seed
    try:
        sc = load_scenario(scenario, days=days)  # sized by --days when given
        ks = parse_squads(squads)
    except (ScenarioError, ValueError) as exc:
        fail(str(exc))
    lang = language(lang, sc.meta.language)
    if dispatch_rule not in DISPATCH_RULES:
        fail(f"--dispatch-rule: unknown rule {dispatch_rule!r} (known: {', '.join(sorted(DISPATCH_RULES))})")
    if not 0 < time_limit <= MAX_SOLVER_SECONDS:  # NaN fails too
        fail(f"--time-limit: must be a number of seconds in (0, {MAX_SOLVER_SECONDS:g}], got {time_limit:g}")
    _check_verify(verify, days, sc.run.warmup_days)
    show = sys.stderr.isatty()
    try:
        town = plan_town(sc)
        sites = candidate_sites(town, sc.plan, scenario)
        with progress_bar(show) as bar:
            task = bar.add_task(say("plan.locating", lang), total=len(ks) * 3)

            def step(what: str) -> None:
                bar.update(task, description=what, advance=1)

            proposals = propose_bases(town, ks, sites, dispatch_rule, time_limit_s=time_limit, progress=step)
        today = current_plan(town)
    except (PlanError, SolverError) as exc:
        fail(str(exc))
    plans = [today, *proposals]
    table = _bases_table(plans, pareto_front(plans), today, town)
    src = Path(scenario)
    overlays = {p.id: bases_overlay(p, town.villages, town.crews_per_squad, sc.meta.name) for p in proposals}
    try:
        full = {pid: applied(src, o, days) for pid, o in overlays.items()}
    except ScenarioError as exc:
        fail(str(exc))
    verdicts: dict[str, tuple[str, str]] = {}
    names = dict(zip(table.id, table[f"name_{lang}"], strict=True))
    with output_folder(out, "gridsim plan", force=False, lang=lang) as tmp:
        demand = pd.DataFrame({"point": town.atoms, "village": [town.villages[v] for v in town.atom_village],
                               "x_km": town.atom_xy[:, 0], "y_km": town.atom_xy[:, 1],
                               "squad_calls_per_day": town.calls_per_day()})
        per_hour = np.outer(town.calls_per_day() / town.on_duty_call_share, town.calls_by_hour)
        for h in range(24):
            demand[f"h{h:02d}"] = per_hour[:, h]
        demand.to_csv(tmp / "demand.csv", index=False)
        _sites_frame(town, sites, proposals).to_csv(tmp / "sites.csv", index=False)
        for pid, (data, _) in full.items():
            write_variant(tmp / "scenarios" / f"{pid}.toml", out / "scenarios" / f"{pid}.toml", src, overlays[pid], data)
        (tmp / "maps").mkdir()
        for p in plans:
            bases_map(town, p, today, tmp / "maps" / f"{p.id}.png", lang,
                      sites.xy[[k != "villages" for k in sites.kinds]])
        if verify:
            n_days = sc.run.days if days is None else days
            n_workers = min(verify, workers or os.cpu_count() or 1)
            with _Verifying(names, verify, n_days, n_workers, lang) as progress:
                vt, verdicts = run_verify(sc, {pid: s for pid, (_, s) in full.items()}, BASES_CLAIM, verify,
                                          n_days, seed, n_workers, on_done=progress.run_done, on_plan=progress.plan)
            vt.to_csv(tmp / "verify.csv", index=False)
            target = vt[vt.measure == BASES_CLAIM.target].set_index("plan")
            table["verdict"] = table.id.map(lambda i: verdicts.get(i, ("", ""))[0])
            table["sim_mean"] = table.id.map(target.b_mean)
            table["sim_lo"] = table.id.map(target.b_lo)
            table["sim_hi"] = table.id.map(target.b_hi)
            base_row = vt[vt.measure == BASES_CLAIM.target].iloc[0]
            table.loc[table.id == "current", ["sim_mean", "sim_lo", "sim_hi"]] = [
                base_row.a_mean, base_row.a_lo, base_row.a_hi]
        table.to_csv(tmp / "bases.csv", index=False)
        write_snapshot(tmp, src)  # the input's files, for `gridsim report`
        pareto_figure(table, tmp / "pareto.png", lang)
        write_json(tmp / "plan.json", _plan_json(sc.meta.name, town, table, verdicts, verify, seed,
                                                 sc.run.days if days is None else days))
    _print_bases(table, town, lang, verify)
    if verify:
        _print_verify(vt, verdicts, say("plan.verify_title", lang, reps=verify, days=n_days,
                                        b=say("plan.b_proposal", lang)), names, BASES_CLAIM, lang)
    out_console.print(say("plan.bases_written", lang, out=out), highlight=False)


def _sites_frame(town, sites, proposals) -> pd.DataFrame:
    """Every candidate site: name, kind, km, the village it lies in, and the plans that chose it."""
    import numpy as np
    import pandas as pd
    import shapely

    pts = shapely.points(sites.xy)
    village = ["" for _ in sites.names]
    for v, poly in enumerate(town.polygons):
        for i in np.flatnonzero(shapely.covers(poly, pts)):
            village[i] = village[i] or town.villages[v]
    chosen = {n: [p.id for p in proposals if n in p.base_names] for n in sites.names}
    return pd.DataFrame({"site": sites.names, "kind": sites.kinds, "x_km": sites.xy[:, 0], "y_km": sites.xy[:, 1],
                         "village": village, "chosen_by": ["; ".join(chosen[n]) for n in sites.names]})


def _plan_json(name: str, town, table: pd.DataFrame, verdicts: dict[str, tuple[str, str]], verify: int,
               seed: int, days: float) -> dict[str, Any]:
    return {
        "scenario": name,
        "budget_min": town.budget_min,
        "squad_calls_per_day": float(town.calls_per_day().sum()),
        "on_duty_call_share": town.on_duty_call_share,
        "plans": table.to_dict(orient="records"),
        "verification": {"replications": verify, "first_seed": seed, "days": days,
                         "verdicts": {k: {"verdict": v, "reason": r} for k, (v, r) in verdicts.items()}},
    }


def _print_bases(table: pd.DataFrame, town, lang: Language, reps: int) -> None:
    """Print the proposals as the plan report lists them: its column heads, each plan by its name in ``lang``.

    Laid out for a 100-column terminal: no vertical rules, a cell never wraps (a plan's name,
    its bases and the simulated share's interval take a line each), only the heads wrap.
    """
    from rich import box
    from rich.cells import cell_len
    from rich.markup import escape
    from rich.table import Table

    from sim.report.text import t as text

    cols = ["plan", "crews", "bases", "pred", "trip", "wait", "balance"]  # non-dominated: a mark beside the plan
    verified = "verdict" in table.columns
    if verified:
        cols += ["sim", "verdict"]
    rows = []
    for r in table.itertuples():
        row = [f"{getattr(r, f'name_{lang}')}{' ●' if r.pareto else ''}\n{r.id}", fmt(r.crews),
               r.base_labels.replace("; ", "\n"), fmt(r.predicted_fifteen_share, True),
               fmt(r.predicted_mean_travel_min), fmt(r.predicted_p_wait, True), fmt(r.squad_max_over_mean)]
        if verified:
            row += [fmt({"mean": r.sim_mean, "ci95": [r.sim_lo, r.sim_hi]}, True).replace("  [", "\n["),
                    text(f"verdict.{r.verdict}", lang) if r.verdict in ("confirmed", "unconfirmed") else ""]
        rows.append(row)
    t = Table(title=escape(say("plan.bases_title", lang, budget=town.budget_min, calls=town.calls_per_day().sum())),
              box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))  # the rule's blank divides columns
    for i, c in enumerate(cols):
        head = (say("plan.col_plan", lang) if c == "plan" else text(f"plan.col_{c}", lang, reps=reps) if c == "sim"
                else text(f"plan.col_{c}", lang))
        # exactly as wide as its widest cell and, in English, its head's longest word (a Chinese head folds
        # anywhere): the table then fits 100 columns, where rich's own sharing-out cut the last column off
        words = 4 if lang == "zh" else max(cell_len(w) for w in head.split())  # two Chinese characters a line
        widest = max([cell_len(line) for row in rows for line in row[i].split("\n")] + [words])
        t.add_column(head, justify="left" if c in ("plan", "bases", "verdict") else "right", width=widest + 1,
                     overflow="fold" if lang == "zh" else "ellipsis")
    for row in rows:
        name, pid = row[0].split("\n")
        t.add_row(f"{escape(name)}\n[dim]{escape(pid)}[/dim]", *map(escape, row[1:]))
    out_console.print(t)
    err_console.print(say("plan.predicted", lang), highlight=False)


def parse_households(text: str) -> tuple[float, float]:
    """``200..500``."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*\.\.\s*(\d+(?:\.\d*)?)\s*", text)
    lo, hi = 1, MAX_HOUSEHOLDS_PER_GRID  # a lone household can be a village's only grid
    if not m or not lo <= float(m.group(1)) <= float(m.group(2)) <= hi:
        raise ValueError(f"--households: expected a range like 200..500 with {lo:g} <= low <= high <= {hi:,.0f}, "
                         f"got {text!r}")
    return float(m.group(1)), float(m.group(2))


@plan_app.command("grids")
def grids(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file (today's division)")],
    out: Annotated[Path, typer.Option(help="Output folder")] = Path("results/plan_grids"),
    households: Annotated[str, typer.Option(help="Households per grid, low..high (DESIGN §2: 200..500)")]
    = "200..500",
    division_seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Seed of the regionalisation (AZP)")] = 0,
    verify: Verify = 0,
    days: VerifyDays = None,
    seed: Seed = 1,
    workers: Workers = 0,
    first_seed: FirstSeed = None,
    lang: LangOption = None,
) -> None:
    """Level-2 grids per village: contiguous, compact, in the household range, balanced by expected events."""
    from rich.markup import escape
    from rich.table import Table

    from sim.config import ScenarioError, load_scenario, read_scenario_data
    from sim.labels import measure, plan_side, scenario_title
    from sim.plan.figures import grids_map
    from sim.plan.grids import GridRule, propose_grids
    from sim.plan.inputs import PlanError, plan_town
    from sim.plan.variants import applied, grids_overlay, write_town_layers, write_variant
    from sim.plan.verify import GRIDS_CLAIM
    from sim.plan.verify import verify as run_verify
    from sim.report.catalogue import fmt as fmt_measure
    from sim.report.sources import write_snapshot
    from sim.report.text import t as text
    from sim.runner import write_json
    from sim.town import build_town
    from sim.warnings import as_dicts

    seed = seed if first_seed is None else first_seed
    try:
        sc = load_scenario(scenario, days=days)  # sized by --days when given
        low, high = parse_households(households)
    except (ScenarioError, ValueError) as exc:
        fail(str(exc))
    lang = language(lang, sc.meta.language)
    rule = GridRule(low, high, sc.town.grid_division.households_per_grid)
    _check_verify(verify, days, sc.run.warmup_days)
    try:
        town = plan_town(sc)
        with progress_bar(sys.stderr.isatty()) as bar:
            task = bar.add_task(say("plan.dividing", lang), total=len(town.villages))
            proposal = propose_grids(town, rule, division_seed, progress=lambda _: bar.advance(task))
    except PlanError as exc:
        fail(str(exc))
    frame = proposal.grids
    src = Path(scenario)
    src_data = read_scenario_data(src)
    obj = proposal.objectives.set_index("objective").proposal
    cv = "events per grid per month, CV"
    desc = f"{len(frame)} grids, events per grid CV {fmt_measure(obj[cv], cv)}, households {low:g}-{high:g}"
    verdicts: dict[str, tuple[str, str]] = {}
    with output_folder(out, "gridsim plan", force=False, lang=lang) as tmp:
        town_file = tmp / "town.gpkg"
        write_town_layers(build_town(sc), frame, town_file)
        try:
            data, variant = applied(src, grids_overlay(src_data, sc.meta.name, str(town_file.resolve()), desc, True), days)
        except ScenarioError as exc:
            fail(str(exc))
        write_variant(tmp / "scenarios" / "grids.toml", out / "scenarios" / "grids.toml", src,
                      grids_overlay(src_data, sc.meta.name, "../town.gpkg", desc, False), data, may_write_full=False)
        if verify:
            n_days = sc.run.days if days is None else days
            n_workers = min(verify, workers or os.cpu_count() or 1)
            with _Verifying({"current": say("plan.today_division", lang), "grids": say("plan.b_grids", lang)},
                            verify, n_days, n_workers, lang) as progress:
                vt, verdicts = run_verify(sc, {"grids": variant}, GRIDS_CLAIM, verify, n_days, seed, n_workers,
                                          on_done=progress.run_done, on_plan=progress.plan)
            vt.to_csv(tmp / "verify.csv", index=False)
        with warnings.catch_warnings():  # the generated town's km have no CRS of their own
            warnings.simplefilter("ignore", UserWarning)
            frame.to_file(tmp / "grids.gpkg", layer="grids", driver="GPKG")
        frame.drop(columns="geometry").to_csv(tmp / "grids.csv", index=False)
        proposal.objectives.to_csv(tmp / "objectives.csv", index=False)
        write_snapshot(tmp, src)  # the input's files, for `gridsim report`
        share = town.grid_households / town.households[town.atom_village]
        grids_map(town, town.grid_polygons, town.events_per_month[town.atom_village] * share,
                  list(frame.geometry), frame.events_per_month.to_numpy(), tmp / "grids.png", lang)
        write_json(tmp / "plan.json", {"scenario": sc.meta.name, "households_range": [low, high], "seed": division_seed,
                                       "objectives": proposal.objectives.to_dict(orient="records"),
                                       "warnings": as_dicts(proposal.warnings),
                                       "verification": {"replications": verify, "first_seed": seed,
                                                        "days": sc.run.days if days is None else days,
                                                        "verdicts": {k: {"verdict": v, "reason": r}
                                                                     for k, (v, r) in verdicts.items()}}})
    t = Table(title=escape(say("plan.grids_title", lang, name=scenario_title(sc.meta.name, sc.meta.description, lang),
                               low=low, high=high)))
    t.add_column(text("plan.col_objective", lang))
    for head in (text("plan.col_today", lang), plan_side("proposal", lang)):
        t.add_column(head, justify="right")
    for r in proposal.objectives.itertuples():  # named and formatted as the plan's report shows them
        name = str(r.objective)
        t.add_row(measure(name, lang), fmt_measure(r.today, name), fmt_measure(r.proposal, name))
    out_console.print(t)
    if verify:
        _print_verify(vt, verdicts, say("plan.verify_title", lang, reps=verify, days=n_days,
                                        b=say("plan.b_grids", lang)), {"grids": say("plan.b_grids", lang)},
                      GRIDS_CLAIM, lang)
    warn(as_dicts(proposal.warnings), lang=lang)
    out_console.print(say("plan.grids_written", lang, out=out), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``gridsim plan grids`` and ``gridsim plan bases`` to the gridsim command."""
    app.add_typer(plan_app, name="plan")
