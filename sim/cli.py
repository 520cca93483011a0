"""The ``gridsim`` command line: run a scenario, see the closed loop's measures.

Every refusal (bad scenario, bad option) is one line on stderr and exit status 2, with no
traceback, before anything runs.
"""

from __future__ import annotations

import copy
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.main import get_command_name

from sim.console import (
    RunProgress,
    Stopped,
    catch_stop_signals,
    check_days,
    fail,
    fmt,
    lang_option,
    language,
    out_console,
    output_folder,
    progress_bar,
    refusal,
    say,
    stopped_message,
    too_short,
    warn,
)
from sim.dashboard.cli import register as register_dashboard
from sim.geo.cli import register as register_geo
from sim.limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from sim.plan.cli import register as register_plan
from sim.report.cli import register as register_report
from sim.sweep.cli import register as register_sweep

if TYPE_CHECKING:
    from sim.config import Scenario

# Start-up: `gridsim --help` and a refusal must not wait for the model, pandas, scipy, rich's
# tables or the scenario schema; each command imports what it uses (tests/test_cli.py checks).


app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Simulate Jiangsu's '1+4' town governance: grids, command centre, squads.")


@app.callback()
def _group() -> None:
    """Simulate Jiangsu's '1+4' town governance: grids, command centre, squads."""


Days = Annotated[float | None, typer.Option(callback=check_days, help=(
    "Simulated days (default: the scenario's run.days)"))]
Workers = Annotated[int, typer.Option(min=0, max=MAX_WORKERS, help="Processes (default: all cores)")]
Force = Annotated[bool, typer.Option("--force", help=(
    "Write into a folder that also holds files gridsim did not write (they are left alone)"))]
# The terminal's language, chosen as the report's is (gridsim report --lang).
LangOption = Annotated[str | None, lang_option()]


# The headline rows, by flat measure name (sim.measures.flat), each named by sim.labels.
SUMMARY: tuple[str, ...] = (
    "incidents", "events_per_grid_per_month", "response_p50_min", "response_p90_min", "share_within_15min",
    "share_within_15min_dispatched", "closure_on_time_share", "problem_to_scene_p50_min", "problem_to_scene_p90_min",
    "problem_to_closure_p50_min", "problem_to_closure_p90_min", "grid_village_share", "tier_share.*",
    "tier_share_published.*",
    "staff_headcount.total", "staff_fte.total", "staff_cost_per_year.total", "department_utilisation.*",
    "department_wait_mean_min.*", "squads.*.utilisation", "squads.*.calls_share", "hall_cases_per_day",
    "hall_wait_mean_min", "hall_visits_per_case", "hall_processing_days_mean", "hall_window_utilisation",
)


def print_summary(s: dict[str, Any], title: str, lang: str = "en") -> None:
    """Print the headline measures as a table a planner can read, named as reports name them, in ``lang``."""
    from fnmatch import fnmatchcase

    from rich.markup import escape
    from rich.table import Table

    from sim.labels import measure
    from sim.measures import flat_items, is_number
    from sim.report.catalogue import kind

    values = {k: v for k, v in flat_items(s) if is_number(v) or (isinstance(v, dict) and "mean" in v)}
    t = Table(title=escape(title), show_header=True, header_style="bold")  # a scenario's own words are text
    t.add_column(say("measure", lang))
    t.add_column(say("value", lang), justify="right")
    for pattern in SUMMARY:
        for name in [n for n in values if fnmatchcase(n, pattern)]:
            t.add_row(measure(name, lang), fmt(values[name], "money" if kind(name) == "money" else kind(name) in ("share", "load")))
    out_console.print(t)
    left_out = cost_left_out(s, lang)  # under the table whose cost total it qualifies
    if left_out:
        out_console.print(left_out, highlight=False, soft_wrap=True)
    print_roles(s, lang)


# The staff table's columns, by the key of their head in sim.console.TEXT ("roles.<key>").
ROLE_COLUMNS = ("role", "headcount", "fte", "workload_mean", "max", "routine", "case", "overtime", "gini")


def print_roles(s: dict[str, Any], lang: str = "en") -> None:
    """Staff by role: headcount, FTE, workload (mean, max, routine and case parts), overtime, balance."""
    from rich.table import Table

    from sim.labels import staff_or_total
    from sim.report.catalogue import ROLES

    t = Table(title=say("roles.title", lang), show_header=True, header_style="bold")
    for c in ROLE_COLUMNS:
        t.add_column(say(f"roles.{c}", lang), justify="left" if c == "role" else "right")
    roles = [r for r in s["workload_mean"] if r in s["staff_headcount"] or r == "squad_crew"]
    on_roll = [k for k in s["staff_headcount"] if k not in roles and k != "total"]  # on the roll, not dispatched
    order = {r: i for i, r in enumerate(ROLES)}  # the report's reading order: grid team, village, squads, hall, departments
    for r in sorted(roles + on_roll, key=lambda r: (order.get(r, len(ROLES)), r)):
        if r in roles:
            t.add_row(staff_or_total(r, lang), fmt(s["staff_headcount"].get(r)), fmt(s["staff_fte"].get(r), "fte"),
                      fmt(s["workload_mean"][r], True),
                      fmt(s["workload_max"].get(r), True), fmt(s["workload_routine_mean"].get(r), True),
                      fmt(s["workload_case_mean"].get(r), True), fmt(s["overtime_hours_per_month"].get(r)),
                      fmt(s["workload_gini"].get(r), "gini"))
        else:
            t.add_row(staff_or_total(r, lang), fmt(s["staff_headcount"][r]), fmt(s["staff_fte"].get(r), "fte"),
                      *("–",) * 6)
    out_console.print(t)


def cost_left_out(s: dict[str, Any], lang: str) -> str | None:
    """Say which staff the cost total leaves out (on the roll, no salary in the scenario), as the report does."""
    from sim.labels import staff_role
    from sim.report.catalogue import unpaid  # not sim.report.workload: it imports matplotlib

    def mean(v: Any) -> float:  # one run's number, or the mean of replications
        v = v.get("mean") if isinstance(v, dict) else v
        return float("nan") if v is None else float(v)

    cost = {r: mean(v) for r, v in s.get("staff_cost_per_year", {}).items()}
    if not math.isfinite(cost.get("total", math.nan)):
        return None
    heads = {r: mean(v) for r, v in s["staff_headcount"].items()}
    missing = unpaid(heads, cost)
    if not missing:
        return None
    return say("cost.left_out", lang, roles=say("cost.role_sep", lang).join(staff_role(r, lang) for r in missing),
               n=f"{sum(heads[r] for r in missing):,.0f}")


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file")],
    seed: Annotated[int | None, typer.Option(min=0, max=MAX_SEED, help=(
        "Random seed (default: the scenario's run.seed)"))] = None,
    days: Days = None,
    out: Annotated[Path, typer.Option(help="Output folder")] = Path("results/run"),
    replications: Annotated[int, typer.Option(min=1, max=MAX_REPLICATIONS, help=(
        "Independent replications (seeds seed, seed+1, …)"))] = 1,
    workers: Workers = 0,
    force: Force = False,
    lang: LangOption = None,
) -> None:
    """Run a scenario; write summary.json, incidents.parquet, staff.parquet, grids.parquet."""
    sc = _load_or_fail(scenario, days)  # sized by --days when given
    lang = language(lang, sc.meta.language)
    base_seed = sc.run.seed if seed is None else seed
    n_days = sc.run.days if days is None else days
    if n_days <= sc.run.warmup_days:
        fail(too_short(n_days, sc.run.warmup_days, "scenario", lang), lang)
    # the model and pandas load once the input is good
    from sim.labels import scenario_title
    from sim.report.sources import write_snapshot
    from sim.runner import combine, run_replication, run_replications, write_json
    from sim.vocabulary import MINUTES_PER_DAY

    title = scenario_title(sc.meta.name, sc.meta.description, lang)  # as the report names it
    if replications == 1:
        with (output_folder(out, "gridsim run", force, lang) as tmp,
              RunProgress(say("run.progress", lang, name=title, seed=base_seed), n_days, "days", lang)
              as progress):
            summary = run_replication(sc, base_seed, n_days, tmp,
                                      progress=lambda t: progress.update(t / MINUTES_PER_DAY))
            write_snapshot(tmp, scenario)
        print_summary(summary, say("run.title", lang, name=title, days=n_days, seed=base_seed), lang)
        warn(summary["warnings"], lang=lang)
    else:
        seeds = [base_seed + k for k in range(replications)]
        n_workers = min(replications, workers or os.cpu_count() or 1)
        with (output_folder(out, "gridsim run", force, lang) as tmp,
              RunProgress(say("run.progress_reps", lang, name=title), replications, "runs", lang) as progress):
            summaries = run_replications(sc, seeds, n_days, n_workers, on_done=progress.advance)
            combined, table = combine(summaries)
            table.to_parquet(tmp / "replications.parquet", index=False)
            write_json(tmp / "summary.json", combined)
            write_snapshot(tmp, scenario)
        print_summary(combined, say("run.title_reps", lang, name=title, days=n_days, reps=replications),
                      lang)
        warn(combined["warnings"], lang=lang)
    out_console.print(say("written", lang, out=out), highlight=False)


def _load_or_fail(path: str, days: float | None = None, days_from: str = "--days") -> Scenario:
    """Load a scenario or fail in one line; a run too big to finish is refused here too.

    ``days``: the run length the command will use when not the file's ``run.days`` (the
    run-size check then uses it and names ``days_from``).
    """
    from sim.config import ScenarioError, load_scenario

    try:
        return load_scenario(path, days=days, days_from=days_from)
    except ScenarioError as exc:
        fail(str(exc))


@app.command()
def compare(
    scenario_a: Annotated[str, typer.Argument(help="Scenario A (e.g. before the reform)")],
    scenario_b: Annotated[str, typer.Argument(help="Scenario B (e.g. after the reform)")],
    replications: Annotated[int, typer.Option(min=2, max=MAX_REPLICATIONS, help=(
        "Replications of each, paired by seed"))] = 10,
    days: Annotated[float | None, typer.Option(callback=check_days, help=(
        "Simulated days (default: scenario A's run.days)"))] = None,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="First seed")] = 1,
    out: Annotated[Path, typer.Option(help="Output folder")] = Path("results/compare"),
    workers: Workers = 0,
    all_measures: Annotated[bool, typer.Option("--all", help="Print every measure, not only the headline set")] = False,
    force: Force = False,
    lang: Annotated[str | None, lang_option("scenario A's meta.language")] = None,
) -> None:
    """Run A and B with common random numbers; table and figures of every measure and B − A.

    The terminal shows the headline measures that differ between A and B (``--all``: every
    measure that differs); compare.csv keeps every measure, and a/ and b/ hold each option's
    summary, replications and scenario for ``gridsim report``.
    """
    from sim.compare import (
        identical_measures,
        paired_table,
        plot_groups,
        reads_identical,
        terminal_table,
    )
    from sim.report.catalogue import is_headline
    from sim.report.sources import write_snapshot
    from sim.runner import combine, run_replications, write_json
    from sim.warnings import merge as merge_warnings
    from sim.warnings import shared

    a = _load_or_fail(scenario_a, days)
    n_days = a.run.days if days is None else days
    b = _load_or_fail(scenario_b, n_days, "--days" if days is not None else f"{scenario_a}'s run.days")
    lang = language(lang, a.meta.language)  # as the report of the folder chooses it (its a/ scenario)
    if n_days <= max(a.run.warmup_days, b.run.warmup_days):
        fail(too_short(n_days, max(a.run.warmup_days, b.run.warmup_days), "scenarios", lang), lang)
    seeds = [seed + k for k in range(replications)]
    n_workers = min(replications, workers or os.cpu_count() or 1)
    with (output_folder(out, "gridsim compare", force, lang) as tmp,
          RunProgress(say("compare.progress", lang), 2 * replications, "runs", lang) as progress):
        runs_a = run_replications(a, seeds, n_days, n_workers, on_done=progress.advance)
        runs_b = run_replications(b, seeds, n_days, n_workers, on_done=progress.advance)
        table = paired_table(runs_a, runs_b)
        table.to_csv(tmp / "compare.csv", index=False)
        warnings_ab = {"a": merge_warnings([r["warnings"] for r in runs_a]),
                       "b": merge_warnings([r["warnings"] for r in runs_b])}
        write_json(tmp / "compare.json", {"a": a.meta.name, "b": b.meta.name, "days": n_days, "seeds": seeds,
                                          "measures": table.to_dict(orient="records"), "warnings": warnings_ab})
        # two variants of one preset may share a name: then the files tell them apart
        name_a, name_b = ((a.meta.name, b.meta.name) if a.meta.name != b.meta.name
                          else (f"A: {Path(scenario_a).stem}", f"B: {Path(scenario_b).stem}"))
        plot_groups(runs_a, runs_b, name_a, name_b, tmp, lang)
        for sub, path, runs in (("a", scenario_a, runs_a), ("b", scenario_b, runs_b)):
            (tmp / sub).mkdir()
            combined, reps = combine(runs)
            reps.to_parquet(tmp / sub / "replications.parquet", index=False)
            write_json(tmp / sub / "summary.json", combined)
            write_snapshot(tmp / sub, path)
    same = identical_measures(runs_a, runs_b) | reads_identical(table)
    shown = table[~table.measure.isin(same) & (table.measure.map(is_headline) | all_measures)]
    from sim.labels import scenario_title

    title_a, title_b = (scenario_title(sc.meta.name, sc.meta.description, lang) for sc in (a, b))
    if title_a == title_b:  # two variants with one display name: their names (or files) tell them apart
        title_a, title_b = name_a, name_b
    out_console.print(terminal_table(shown, say("compare.title", lang, a=title_a, b=title_b, days=n_days,
                                                reps=replications), lang))
    for entries, who in zip(shared(warnings_ab["a"], warnings_ab["b"]), ("both", "a", "b"), strict=True):
        warn(entries, say(f"compare.warning_{who}", lang), lang)
    hidden = len(table) - len(shown) - len(same)
    out_console.print(say("compare.same", lang, n=len(same))
                      + ("" if all_measures else say("compare.more", lang, n=hidden)) + ("。" if lang == "zh" else "."),
                      highlight=False)
    out_console.print(say("compare.written", lang, out=out), highlight=False)


@app.command()
def analytic(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file")],
    check: Annotated[int, typer.Option(min=0, max=MAX_REPLICATIONS, help=(
        "Also simulate this many replications and show both"))] = 0,
    days: Annotated[float | None, typer.Option(callback=check_days, help=(
        "Days per checking replication (default: the scenario's run.days)"))] = None,
    lang: LangOption = None,
) -> None:
    """Instant estimates from queueing theory: squads as Larson's hypercube, the hall as Erlang C."""
    import numpy as np
    from rich.table import Table

    from sim.analytic.approx import approximate_hypercube
    from sim.analytic.erlang import erlang_c
    from sim.analytic.from_scenario import hall_pools, squad_system
    from sim.analytic.hypercube import MAX_EXACT_UNITS, solve_hypercube
    from sim.labels import hall_pool, measure
    from sim.runner import run_replications
    from sim.stats import measure_ci

    sc = _load_or_fail(scenario, days)
    lang = language(lang, sc.meta.language)
    check_days_ = sc.run.days if days is None else days
    if check and check_days_ <= sc.run.warmup_days:
        fail(too_short(check_days_, sc.run.warmup_days, "scenario", lang), lang)
    sim_runs: list[dict[str, Any]] = []
    if check:
        with progress_bar(sys.stderr.isatty()) as bar:
            task = bar.add_task(say("analytic.checking", lang), total=check)
            sim_runs = run_replications(sc, [sc.run.seed + k for k in range(check)], days,
                                        min(check, os.cpu_count() or 1), on_done=lambda: bar.advance(task))

    def simulated(name: str, get, pct: bool = False) -> str:  # the CI cut at the measure's range, as run's
        if not sim_runs:
            return ""
        m, lo, hi = measure_ci(name, np.array([get(r) for r in sim_runs], dtype=float))
        return fmt({"mean": m, "ci95": [lo, hi]}, pct)

    def broken(items) -> None:
        for b in dict.fromkeys(items):
            out_console.print("  " + say("analytic.broken", lang, text=b.text(lang)), markup=False, highlight=False)

    if sc.squads.n:
        ss = squad_system(sc)
        n = len(ss.unit_ids)
        exact = n <= min(12, MAX_EXACT_UNITS)  # beyond 12 crews the exact model takes seconds
        solve = solve_hypercube if exact else approximate_hypercube
        r = solve(ss.arrival_rates, ss.preferences, ss.service_rate, "infinite", ss.travel_min)
        title = say("analytic.squads", lang, how=say("analytic.exact" if exact else "analytic.approx", lang),
                    crews=n, grids=len(ss.atom_ids), busy=ss.mean_busy_min)
        out_console.print(title, highlight=False, soft_wrap=True)  # one line: wider than the table it heads
        t = Table()
        for col in ("measure", "theory", *(("simulated_ci",) if sim_runs else ())):
            t.add_column(say(col, lang), justify="left" if col == "measure" else "right")

        def row(name: str, theory: str, sim: str = "") -> None:
            t.add_row(measure(name, lang), theory, *((sim,) if sim_runs else ()))

        squads = list(dict.fromkeys(ss.unit_squad))
        for k, sid in enumerate(squads):
            units = [i for i, s_ in enumerate(ss.unit_squad) if s_ == sid]
            row(f"squads.{sid}.utilisation", fmt(float(r.workload[units].mean()), True),
                simulated(f"squads.{sid}.utilisation", lambda run, k=k: run["squads"][k]["utilisation"], True))
            row(f"squads.{sid}.calls_share", fmt(float(r.calls_share[units].sum()), True),
                simulated(f"squads.{sid}.calls_share", lambda run, k=k: run["squads"][k]["calls_share"], True))
        row("squad_wait_share", fmt(r.p_queue, True),
            simulated("squad_wait_share", lambda run: run["squad_wait_share"], True))
        row("squad_wait_mean_min", fmt(r.mean_wait_in_queue),
            simulated("squad_wait_mean_min", lambda run: run["squad_wait_mean_min"]))
        row("squad_travel_mean_min", fmt(r.mean_travel_time))
        out_console.print(t)
        broken(ss.broken)
    if sc.service_hall is not None:
        t = Table(title=say("analytic.hall", lang))
        for col in ("pool", "windows", "utilisation", "p_wait", "mean_wait", "p_wait_15"):
            t.add_column(say(f"analytic.{col}", lang), justify="left" if col == "pool" else "right")
        pools = hall_pools(sc)
        for p in pools:
            name = hall_pool(p.name, lang)
            if p.arrival_rate >= p.windows * p.service_rate:
                t.add_row(name, fmt(p.windows), fmt(p.arrival_rate / (p.windows * p.service_rate), True),
                          say("analytic.overloaded", lang), "∞", "–")
                continue
            ec = erlang_c(p.arrival_rate, p.service_rate, p.windows)
            t.add_row(name, fmt(p.windows), fmt(ec.utilisation, True), fmt(ec.p_wait, True),
                      fmt(ec.mean_wait), fmt(ec.p_wait_longer_than(15.0), True))
        out_console.print(t)
        if sim_runs:
            out_console.print("  " + say("analytic.hall_simulated", lang,
                                         value=simulated("hall_wait_mean_min", lambda run: run["hall_wait_mean_min"])), highlight=False)
        broken(b for p in pools for b in p.broken)


@app.command()
def validate(
    replications: Annotated[int, typer.Option(min=2, max=MAX_REPLICATIONS, help=(
        "Replications per textbook case"))] = 20,
    days: Annotated[float | None, typer.Option(callback=check_days, help=(
        "Days per replication (default: each case's run.days)"))] = None,
    workers: Workers = 0,
    lang: Annotated[str | None, lang_option("the textbook scenarios' meta.language")] = None,
) -> None:
    """Run the textbook scenarios and compare with exact theory (pass: theory inside the 99.8% CI)."""
    from rich.table import Table

    from sim.config import load_scenario
    from sim.labels import measure
    from sim.report.catalogue import kind
    from sim.validate import CASES, LEVEL, TEXTBOOK
    from sim.validate import validate as run_validation

    cases = [load_scenario(TEXTBOOK / name) for name in CASES]
    lang = language(lang, cases[0].meta.language)
    if days is not None:  # a run no longer than a case's warm-up measures nothing: say so, not "FAIL nan"
        warmup = max(sc.run.warmup_days for sc in cases)
        if days <= warmup:
            fail(too_short(days, warmup, "textbook", lang), lang)
    with progress_bar(sys.stderr.isatty()) as bar:
        task = bar.add_task(say("validate.progress", lang), total=replications * len(CASES))
        checks = run_validation(replications, days, min(replications, workers or os.cpu_count() or 1),
                                on_done=lambda: bar.advance(task))

    def value(v: float, name: str) -> str:  # four significant places: a share as % to two decimals
        return f"{100 * v:.2f}%" if kind(name) in ("share", "load") else f"{v:.4f}"

    level = 100 * LEVEL
    t = Table(title=say("validate.title", lang, reps=replications, level=level))
    for col in ("validate.case", "measure", "theory", "validate.mean", "validate.ci", "validate.result"):
        t.add_column(say(col, lang, level=level) if col == "validate.ci" else say(col, lang),
                     justify="left" if col in ("validate.case", "measure") else "right")
    for c in checks:
        t.add_row(c.case, measure(c.measure, lang), value(c.theory, c.measure), value(c.mean, c.measure),
                  f"[{value(c.lo, c.measure)}, {value(c.hi, c.measure)}]",
                  f"[green]{say('validate.pass', lang)}[/green]" if c.passed
                  else f"[red]{say('validate.fail', lang)}[/red]")
    out_console.print(t)
    failed = sum(not c.passed for c in checks)
    out_console.print(say("validate.summary", lang, passed=len(checks) - failed, failed=failed), highlight=False)
    if failed:
        raise typer.Exit(1)


register_sweep(app)  # sweep, query, summarize
register_dashboard(app)  # dashboard
register_report(app)  # report
register_geo(app)  # map, town
register_plan(app)  # plan bases, plan grids


def invoked(args: Sequence[str]) -> typer.Typer:
    """Give the app with only the command (or command group) ``args`` names; the whole app otherwise.

    Typer builds the click parameters of every registered command, their annotations evaluated,
    before it parses a single option: ≈ 15 ms for all of gridsim's, a tenth of ``import numpy``
    and most of it for commands that do not run. Only the name is looked at (the group has no
    options of its own); ``--help``, no command and an unknown name get the whole app, so its
    listing and its "No such command" with suggestions are unchanged.
    """
    name = args[0] if args else ""
    only = copy.copy(app)  # the same settings and group callback, fewer commands
    only.registered_commands = [c for c in app.registered_commands
                                if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == name]
    only.registered_groups = [g for g in app.registered_groups if g.name == name]
    return only if only.registered_commands or only.registered_groups else app


def usage_error(exc: typer.TyperException, ctx: Any, lang: str = "en") -> tuple[str, str]:
    """Word typer's usage error as every refusal is worded; give the line and its language.

    A bad value names its option, as the commands' own refusals do (``--lang: must be zh or
    en, got 'de'``; its words are the check's own, in English). A missing argument, an unknown
    option, an option without its value and an unknown command name the command they belong
    to, in ``lang`` (``gridsim run：缺少参数 SCENARIO``).
    """
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "BadParameter" and param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        name = max(opts, key=len) if opts else param.human_readable_name
        message = " ".join(str(exc.message).split()).removesuffix(".")
        if message[:2].istitle():  # pydantic's "Input should be …" inside a line that goes on in lower case
            message = message[0].lower() + message[1:]
        return f"{name}: {message}", "en"
    colon = "：" if lang == "zh" else ": "
    where = f"{command_words(ctx)}{colon}" if ctx is not None else ""
    option = getattr(exc, "option_name", None)
    message = " ".join(exc.format_message().split())
    if kind == "MissingParameter" and param is not None:
        what = getattr(exc, "param_type", None) or param.param_type_name
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        hint = max(opts, key=len) if what == "option" and opts else str(param.name).upper()  # as --help shows it
        return where + say(f"usage.missing_{'option' if what == 'option' else 'argument'}", lang, name=hint), lang
    if kind == "NoSuchOption" and option:
        near = sorted(getattr(exc, "possibilities", None) or [])
        return (where + say("usage.no_option", lang, option=option)
                + (say("usage.did_you_mean", lang, options=", ".join(near)) if near else "")), lang
    if kind == "BadOptionUsage" and option and "requires an argument" in message:
        return say("usage.needs_value", lang, option=option), lang
    if kind == "UsageError" and message.startswith("No such command"):
        return where + say("usage.no_command", lang, name=message.split("'")[1] if "'" in message else ""), lang
    return where + message, "en"


def command_words(ctx: Any) -> str:
    """Name the command as a user types it (``gridsim plan bases``), however it was started (``python -m sim``)."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["gridsim", *reversed(names)])


def command_language(args: Sequence[str]) -> str:
    """Give the language a refusal of this command line is worded in, as the command would print.

    ``--lang`` when given, else the ``meta.language`` of the first scenario file named (through
    ``extends``, or an experiment's ``experiment.scenario``), else English. Only TOML is read,
    the model is not loaded: a usage error is refused at once.
    """
    for i, a in enumerate(args):
        value = args[i + 1] if a == "--lang" and i + 1 < len(args) else a.removeprefix("--lang=") if \
            a.startswith("--lang=") else None
        if value in ("zh", "en"):
            return value
    for a in args:
        if a.endswith(".toml"):
            found = _file_language(Path(a))
            if found:
                return found
    return "en"


def _file_language(path: Path, depth: int = 0) -> str | None:
    import tomllib

    from sim.config.io import MAX_FILE_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:  # a FIFO is never read
            return None
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    lang = (data.get("meta") or {}).get("language")
    if lang in ("zh", "en"):
        return lang
    base = data.get("extends") or (data.get("experiment") or {}).get("scenario")
    if isinstance(base, str) and depth < 10:
        return _file_language(path.parent / base, depth + 1)
    return None if "experiment" in data else "zh"  # a scenario's default language (sim.config.run.Meta)


def main() -> None:
    """Entry point: every refusal, typer's usage errors included, is one line and exit 2.

    Ctrl-C, SIGTERM and SIGHUP stop the command cleanly (staged outputs removed) and say
    what was kept; exit 130 for Ctrl-C, 128 + the signal's number otherwise.
    """
    catch_stop_signals()
    try:
        code = invoked(sys.argv[1:])(standalone_mode=False)
    except typer.TyperException as exc:  # typer's own usage errors (it vendors click)
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # plain `gridsim`: the help, not an error
            typer.echo(exc.format_message())
            sys.exit(0)
        line, lang = usage_error(exc, ctx, command_language(sys.argv[1:]))
        sys.stderr.write(refusal(line, lang))
        code = exc.exit_code
    except typer.Abort:
        sys.stderr.write("error: aborted\n")
        code = 1
    except Stopped as exc:
        sys.stderr.write(stopped_message(exc) + "\n")
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)

