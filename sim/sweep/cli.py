"""``gridsim sweep``, ``gridsim query`` and ``gridsim summarize``.

Refusals follow the rest of the CLI: one line on stderr naming file and field, exit 2,
before any run starts.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.console import Stopped, err_console, fail, lang_option, language, out_console, warn
from sim.limits import MAX_WORKERS
from sim.warnings import by_points

if TYPE_CHECKING:  # the sweep machinery (pandas, DuckDB, Dask) loads when a command runs
    import pandas as pd

    from sim.sweep.experiment import Plan
    from sim.sweep.runners import Task
    from sim.sweep.store import Store


# The terminal's language, as ``run``'s: --lang, else the base scenario's meta.language.
LangOption = Annotated[str | None, lang_option("the base scenario's meta.language")]

# What sweep and summarize print, in Chinese and English (measures, fields and values are sim.labels').
_TEXT: dict[str, tuple[str, str]] = {
    "plan": ("{name}：{points}个设计点 × {reps}次重复 = {runs}次运行（已完成{already}次），{where}",
             "{name}: {points} points × {reps} replications = {runs} runs ({already} already done) on {where}"),
    "dask": ("在 Dask {address} 上运行", "Dask at {address}"),
    "local": ("本机{n}个进程", "{n} local worker(s)"),
    "runs": ("运行", "runs"),
    "failed_n": ("{n}次失败", "{n} failed"),
    "every_point": ("所有设计点：", "every point: "),
    "points": ("设计点 {points}：", "point{s} {points}: "),
    "run_failed": ("运行 {run} 失败：{message}", "run {run} failed: {message}"),
    "done": ("{runs}次运行，用时 {seconds:.1f} 秒，{failed}次失败；结果在 {folder}/（results.duckdb、runs/）",
             "{runs} runs in {seconds:.1f} s, {failed} failed; results in {folder}/ (results.duckdb, runs/)"),
    "title": ("{name}：各设计点的平均值 [95%置信区间]，及与基准点 {base} 的配对差异",
              "{name}: mean [95% CI] per design point, and the paired difference from the base point {base}"),
    "measure": ("指标", "measure"),
    "point": ("设计点", "point"),
    "mean_ci": ("平均值 [95%置信区间]", "mean [95% CI]"),
    "vs_base": ("− 基准 [95%置信区间]", "− base [95% CI]"),
    "left_out": ("{n}个在各设计点都相同的指标未列出", "{n} measures equal at every point left out"),
    "more": ("，另有{n}个用 --all 显示", ", {n} more with --all"),
}


def say(key: str, lang: str, **values: object) -> str:
    """Give the sweep commands' text ``key`` in ``lang``."""
    from sim.labels import page_text

    return page_text(_TEXT, key, lang, **values)


def plan_language(plan: Plan) -> str:
    """Give the base scenario's ``meta.language`` (zh unless it says en)."""
    from sim.config import ScenarioError, read_scenario_data

    try:
        meta = read_scenario_data(plan.scenario_path).get("meta") or {}
    except (ScenarioError, OSError):
        return "zh"
    return "en" if meta.get("language") == "en" else "zh"


def pending_tasks(plan: Plan, store: Store) -> list[Task]:
    """Every (point, replication) not yet in the store; seed = base_seed + replication (CRN)."""
    from sim.sweep.runners import Task
    from sim.sweep.store import run_key

    meta = plan.experiment.experiment
    done = store.done_keys()
    return [Task(run_key(p.index, k), p.index, k, meta.base_seed + k, sc, meta.days)
            for p, sc in zip(plan.points, plan.scenarios, strict=True)
            for k in range(meta.replications) if run_key(p.index, k) not in done]


def run_sweep(plan: Plan, out: Path, workers: int = 1, scheduler: str | None = None,
              on_update: Callable[[int, int], None] | None = None) -> list[tuple[str, str]]:
    """Run what is missing of a plan into ``out``; return the (run key, error) of failed runs."""
    from sim.sweep.store import Store

    store = Store(out)
    with store.writing():
        store.init(plan)
        return _run_pending(plan, store, workers, scheduler, on_update)


def _run_pending(plan: Plan, store: Store, workers: int, scheduler: str | None,
                 on_update: Callable[[int, int], None] | None) -> list[tuple[str, str]]:
    from sim.sweep.runners import execute

    tasks = pending_tasks(plan, store)
    failures: list[tuple[str, str]] = []
    done = 0

    def ok(t: Task, measures: dict[str, float]) -> None:
        nonlocal done
        factors = {plan.columns[k]: v for k, v in plan.points[t.point].values.items()}
        store.write_run(t.point, t.replication, t.seed, factors, measures)
        done += 1
        if on_update:
            on_update(done, len(failures))

    def failed(t: Task, message: str) -> None:
        failures.append((t.key, message))
        if on_update:
            on_update(done, len(failures))

    execute(tasks, workers, scheduler, ok, failed)
    store.build_database(force=True)
    return failures


def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment TOML file")],
    workers: Annotated[int, typer.Option(min=0, max=MAX_WORKERS, help=(
        "Local worker processes (default: all cores)"))] = 0,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler, e.g. tcp://host:8786 (default: $DASK_SCHEDULER_ADDRESS, else local)")] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/sweeps/<name>)")] = None,
    lang: LangOption = None,
) -> None:
    """Run every design point × replication; resumes where a previous run of it stopped."""
    from sim.sweep.experiment import ExperimentError, TooShortError, load_plan
    from sim.sweep.runners import check_scheduler, scheduler_address
    from sim.sweep.store import META, Store

    address = scheduler_address(scheduler)
    if address is not None:
        try:
            check_scheduler(address)
        except ValueError as exc:
            fail(f"--scheduler {address}: {exc}")
    try:
        plan = load_plan(experiment)
    except TooShortError as exc:
        chosen = language(lang, exc.lang)
        fail(exc.words(chosen), chosen)
    except ExperimentError as exc:
        fail(str(exc))
    folder = out or Path("results/sweeps") / plan.experiment.experiment.name
    store = Store(folder)
    lang = language(lang, plan_language(plan))
    resume = f"gridsim sweep {experiment} --out {folder}" + (f" --scheduler {address}" if address else "")
    try:
        with store.writing():
            store.init(plan)
            _sweep_into(plan, store, resume, workers, address, lang)
    except ExperimentError as exc:
        fail(str(exc))
    except Stopped as exc:  # at any moment once the sweep's folder exists, workers starting included
        if (folder / META).exists():
            exc.add_note(f"{len(store.done_keys())} finished runs are kept in {folder}/runs/; resume with: {resume}")
        raise


def _sweep_into(plan: Plan, store: Store, resume: str, workers: int, address: str | None, lang: str) -> None:
    """Run the sweep once the folder is ours: progress, the runs, the closing line."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from sim.sweep.runners import ClusterLostError
    from sim.sweep.store import Store

    folder = store.out
    already = plan.n_runs - len(pending_tasks(plan, store))
    n_workers = workers or os.cpu_count() or 1
    where = say("dask", lang, address=address) if address else say("local", lang, n=n_workers)
    err_console.print(say("plan", lang, name=plan.experiment.experiment.name, points=len(plan.points),
                          reps=plan.experiment.experiment.replications, runs=plan.n_runs, already=already,
                          where=where), highlight=False, soft_wrap=True)
    progress = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TextColumn(say("failed_n", lang, n="{task.fields[failures]}")),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console.rich,
                        transient=False, disable=not sys.stderr.isatty())
    started = time.monotonic()
    with progress:
        bar = progress.add_task(say("runs", lang), total=plan.n_runs, completed=already, failures=0)

        def update(done: int, failed: int) -> None:
            progress.update(bar, completed=already + done + failed, failures=failed)

        try:
            failures = _run_pending(plan, store, n_workers, address, update)
        except ClusterLostError as exc:
            fail(f"{exc}; {len(store.done_keys())} finished runs are kept in {folder}/runs/; resume with: {resume}")
        except OSError as exc:  # e.g. the scheduler cannot be reached, the disk is full
            fail(f"--scheduler {address}: {exc}" if address else f"{folder}: {exc}")
    for w, points in by_points(Store(folder).read_warnings()):
        where = "" if not points else say("every_point", lang) if len(points) == len(plan.points) > 1 else \
            say("points", lang, s="s" if len(points) > 1 else "", points=", ".join(map(str, points)))
        warn([w], where, lang)
    for key, message in failures[:20]:
        err_console.print(say("run_failed", lang, run=key, message=message), markup=False, highlight=False)
    elapsed = time.monotonic() - started
    out_console.print(say("done", lang, runs=plan.n_runs - already - len(failures), seconds=elapsed,
                          failed=len(failures), folder=folder), highlight=False)
    if failures:
        raise typer.Exit(1)


# Read-only and sealed: no file access beyond the database (no COPY TO, ATTACH, read_csv,
# EXPORT), no extensions, and the configuration locked so no statement can undo it.
QUERY_CONFIG: dict[str, str | bool | int | float | list[str]] = {"enable_external_access": False, "autoload_known_extensions": False,
                "autoinstall_known_extensions": False, "allow_community_extensions": False,
                "lock_configuration": True}


def _check_export(option: str, path: Path, store: Store) -> None:
    """Refuse an export file inside the store itself (anywhere else is fine)."""
    from sim.sweep.store import DATABASE, META

    target = path.resolve()
    protected = [store.runs_dir.resolve(), (store.out / DATABASE).resolve(), (store.out / META).resolve()]
    if any(target == p or p in target.parents for p in protected):
        fail(f"{option} {path}: would overwrite the sweep's own files; write the export elsewhere")
    if target.is_dir():
        fail(f"{option} {path}: is a folder; give a file name")
    if not target.parent.is_dir():
        fail(f"{option} {path}: no such folder {path.parent}")


def _export(option: str, path: Path, df: pd.DataFrame) -> None:
    """Write an answer atomically (temporary file, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if option == "--csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(f"{option} {path}: cannot write ({exc.strerror or exc})")
    err_console.print(f"wrote {len(df)} rows to {path}", markup=False, highlight=False, soft_wrap=True)


def query(
    directory: Annotated[Path, typer.Argument(help="Sweep output folder")],
    sql: Annotated[str, typer.Argument(help="SQL over tables runs, summary, design (read-only)")],
    csv: Annotated[Path | None, typer.Option(help="Also write the answer to this CSV file")] = None,
    parquet: Annotated[Path | None, typer.Option(help="Also write the answer to this Parquet file")] = None,
) -> None:
    """Run SQL on a sweep's results and print the answer; no statement can change the store.

    The database is opened read-only with file access and extensions disabled, so
    ``COPY … TO``, ``ATTACH``, ``INSTALL`` and writes are refused; ``--csv``/``--parquet``
    export an answer instead.
    """
    import duckdb
    from rich.table import Table

    from sim.sweep.experiment import ExperimentError
    from sim.sweep.store import DATABASE, Store

    if not sql.strip():
        fail("query: the SQL is empty; e.g. \"SELECT * FROM summary LIMIT 10\"")
    store = Store(directory)
    exports = [(option, path) for option, path in (("--csv", csv), ("--parquet", parquet)) if path is not None]
    for option, path in exports:
        _check_export(option, path, store)
    try:
        store.meta()
        db = store.build_database()
    except ExperimentError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{directory}: cannot build {DATABASE} ({exc.strerror or exc})")
    try:
        con = duckdb.connect(str(db), read_only=True, config=QUERY_CONFIG)
        try:
            result = con.execute(sql)
            df = result.df() if result is not None and result.description is not None else None
        finally:
            con.close()
    except duckdb.Error as exc:
        fail(f"query: {str(exc).splitlines()[0]}")
    if df is None:
        out_console.print("the statement returns no rows", highlight=False)
        return
    for option, path in exports:
        _export(option, path, df)
    table = Table(show_header=True, header_style="bold")
    for c in df.columns:
        table.add_column(str(c), justify="right" if df[c].dtype.kind in "iuf" else "left")
    for row in df.itertuples(index=False):
        table.add_row(*("–" if v is None or (isinstance(v, float) and v != v)
                        else f"{v:.6g}" if isinstance(v, float) else str(v) for v in row))
    out_console.print(table)


def summarize(
    directory: Annotated[Path, typer.Argument(help="Sweep output folder")],
    all_measures: Annotated[bool, typer.Option("--all", help="Print every measure, not only the headline set")] = False,
    lang: LangOption = None,
) -> None:
    """Write CSV tables and figures (measures vs factors, heatmap, trade-off, Morris) to DIR/analysis.

    Prints each headline measure per design point (``--all``: every measure) with its 95% CI
    and the paired difference from the base point; measures equal at every point are left out.
    """
    from rich.table import Table

    from sim.labels import measure
    from sim.outputs import OutputError
    from sim.report.catalogue import fmt_ci, headline_order
    from sim.report.sweep import base_point, by_replication, constant, paired_vs, sweep_language
    from sim.stats import measure_ci
    from sim.sweep.analysis import Words, summarize_sweep
    from sim.sweep.experiment import ExperimentError
    from sim.sweep.store import Store

    try:
        chosen_lang = language(lang, sweep_language(directory))
        written = summarize_sweep(directory, chosen_lang)
    except (ExperimentError, OutputError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{directory}/analysis: could not write the analysis ({exc.strerror or exc}); nothing was written")
    store = Store(directory)
    meta, runs = store.meta(), store.read_runs()
    present = list(dict.fromkeys(runs.measure))
    chosen = present if all_measures else headline_order(present)
    shown = [m for m in chosen if not constant(runs, m)]
    base = base_point(meta)
    factors = [f["column"] for f in meta["factors"]]
    words = Words(chosen_lang, meta["factors"])
    t = Table(title=say("title", chosen_lang, name=meta["name"], base=base), show_header=True, header_style="bold")
    t.add_column(say("measure", chosen_lang))
    t.add_column(say("point", chosen_lang), justify="right")
    for f in factors:
        t.add_column(words.factor(f))
    for col in ("mean_ci", "vs_base"):
        t.add_column(say(col, chosen_lang), justify="right")
    for m in shown:
        table = by_replication(runs, m)
        for i, p in enumerate(meta["points"]):
            point = int(p["point"])
            if point not in table:
                continue
            mean, lo, hi = measure_ci(m, table[point].to_numpy(dtype=float))
            d = paired_vs(table, point, base, m)
            t.add_row(measure(m, chosen_lang) if i == 0 else "", f"{point}{' ★' if point == base else ''}",
                      *(words.level(f, p[f]) for f in factors),
                      fmt_ci(mean, lo, hi, m), "" if point == base else fmt_ci(d.mean, d.lo, d.hi, m, signed=True, lang=chosen_lang),
                      end_section=i == len(meta["points"]) - 1)
    out_console.print(t)
    out_console.print(say("left_out", chosen_lang, n=len(chosen) - len(shown))
                      + ("" if all_measures else say("more", chosen_lang, n=len(present) - len(chosen)))
                      + ("。" if chosen_lang == "zh" else "."), highlight=False)
    for p in written:
        out_console.print(str(p), highlight=False)


def register(app: typer.Typer) -> None:
    """Add the sweep commands to the ``gridsim`` app."""
    app.command()(sweep)
    app.command()(query)
    app.command()(summarize)
