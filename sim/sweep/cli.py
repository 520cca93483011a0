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

from sim.console import Stopped, err_console, fail, out_console, warn
from sim.limits import MAX_WORKERS
from sim.warnings import by_points

if TYPE_CHECKING:  # the sweep machinery (pandas, DuckDB, Dask) loads when a command runs
    import pandas as pd

    from sim.sweep.experiment import Plan
    from sim.sweep.runners import Task
    from sim.sweep.store import Store


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
) -> None:
    """Run every design point × replication; resumes where a previous run of it stopped."""
    from sim.sweep.experiment import ExperimentError, load_plan
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
    except ExperimentError as exc:
        fail(str(exc))
    folder = out or Path("results/sweeps") / plan.experiment.experiment.name
    store = Store(folder)
    resume = f"gridsim sweep {experiment} --out {folder}" + (f" --scheduler {address}" if address else "")
    try:
        with store.writing():
            store.init(plan)
            _sweep_into(plan, store, resume, workers, address)
    except ExperimentError as exc:
        fail(str(exc))
    except Stopped as exc:  # at any moment once the sweep's folder exists, workers starting included
        if (folder / META).exists():
            exc.add_note(f"{len(store.done_keys())} finished runs are kept in {folder}/runs/; resume with: {resume}")
        raise


def _sweep_into(plan: Plan, store: Store, resume: str, workers: int, address: str | None) -> None:
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
    where = f"Dask at {address}" if address else f"{n_workers} local worker(s)"
    err_console.print(f"{plan.experiment.experiment.name}: {len(plan.points)} points × "
                      f"{plan.experiment.experiment.replications} replications = {plan.n_runs} runs "
                      f"({already} already done) on {where}", highlight=False, soft_wrap=True)
    progress = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TextColumn("{task.fields[failures]} failed"),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console.rich,
                        transient=False, disable=not sys.stderr.isatty())
    started = time.monotonic()
    with progress:
        bar = progress.add_task("runs", total=plan.n_runs, completed=already, failures=0)

        def update(done: int, failed: int) -> None:
            progress.update(bar, completed=already + done + failed, failures=failed)

        try:
            failures = _run_pending(plan, store, n_workers, address, update)
        except ClusterLostError as exc:
            fail(f"{exc}; {len(store.done_keys())} finished runs are kept in {folder}/runs/; resume with: {resume}")
        except OSError as exc:  # e.g. the scheduler cannot be reached, the disk is full
            fail(f"--scheduler {address}: {exc}" if address else f"{folder}: {exc}")
    for w, points in by_points(Store(folder).read_warnings()):
        where = "" if not points else "every point: " if len(points) == len(plan.points) > 1 else \
            f"point{'s' if len(points) > 1 else ''} {', '.join(map(str, points))}: "
        warn([w], where)
    for key, message in failures[:20]:
        err_console.print(f"run {key} failed: {message}", markup=False, highlight=False)
    elapsed = time.monotonic() - started
    out_console.print(f"{plan.n_runs - already - len(failures)} runs in {elapsed:.1f} s, "
                      f"{len(failures)} failed; results in {folder}/ (results.duckdb, runs/)",
                      highlight=False)
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
) -> None:
    """Write CSV tables and figures (measures vs factors, heatmap, trade-off, Morris) to DIR/analysis.

    Prints each headline measure per design point (``--all``: every measure) with its 95% CI
    and the paired difference from the base point; measures equal at every point are left out.
    """
    from rich.table import Table

    from sim.outputs import OutputError
    from sim.report.catalogue import fmt_ci, headline_order
    from sim.report.sweep import base_point, by_replication, constant, paired_vs
    from sim.stats import measure_ci
    from sim.sweep.analysis import summarize_sweep
    from sim.sweep.experiment import ExperimentError
    from sim.sweep.store import Store

    try:
        written = summarize_sweep(directory)
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
    t = Table(title=f"{meta['name']}: mean [95% CI] per design point, and the paired difference from the "
                    f"base point {base}", show_header=True, header_style="bold")
    for col in ("measure", "point", *factors, "mean [95% CI]", "− base [95% CI]"):
        t.add_column(col, justify="left" if col in ("measure", *factors) else "right")
    for m in shown:
        table = by_replication(runs, m)
        for i, p in enumerate(meta["points"]):
            point = int(p["point"])
            if point not in table:
                continue
            mean, lo, hi = measure_ci(m, table[point].to_numpy(dtype=float))
            d = paired_vs(table, point, base, m)
            t.add_row(m if i == 0 else "", f"{point}{' ★' if point == base else ''}", *(str(p[f]) for f in factors),
                      fmt_ci(mean, lo, hi, m), "" if point == base else fmt_ci(d.mean, d.lo, d.hi, m, signed=True),
                      end_section=i == len(meta["points"]) - 1)
    out_console.print(t)
    out_console.print(f"{len(chosen) - len(shown)} measures equal at every point left out"
                      + ("" if all_measures else f", {len(present) - len(chosen)} more with --all") + ".",
                      highlight=False)
    for p in written:
        out_console.print(str(p), highlight=False)


def register(app: typer.Typer) -> None:
    """Add the sweep commands to the ``gridsim`` app."""
    app.command()(sweep)
    app.command()(query)
    app.command()(summarize)
