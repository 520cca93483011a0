"""Where a sweep's runs execute: in this process, on a local process pool, or on Dask.

Workers only compute: they rebuild the model from the (picklable) scenario, run it and
return its flat measures. The caller writes each result as it arrives, so the store needs
no shared file system. A worker that dies has its runs retried (Dask does this itself;
the local pool, ``sim.pool``, shared with replications, replaces a broken pool and
resubmits the unfinished runs).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sim.config import Scenario
from sim.measures import flat
from sim.pool import run_pool
from sim.runner import run_replication

Job = Callable[[Scenario, int, "float | None"], dict[str, float]]
OnDone = Callable[["Task", dict[str, float]], None]
OnFailed = Callable[["Task", str], None]


@dataclass(frozen=True)
class Task:
    """One run: a design point's scenario and one replication's seed."""

    key: str
    point: int
    replication: int
    seed: int
    scenario: Scenario
    days: float | None


def run_task(scenario: Scenario, seed: int, days: float | None) -> dict[str, float]:
    """The work of one run, on whichever process runs it."""
    return flat(run_replication(scenario, seed, days))


def scheduler_address(option: str | None) -> str | None:
    """``--scheduler`` wins; else the DASK_SCHEDULER_ADDRESS environment variable."""
    return option or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def run_serial(tasks: Iterable[Task], on_done: OnDone, on_failed: OnFailed, job: Job = run_task) -> None:
    """One worker: run in this process (no pool start-up, plain tracebacks when debugging)."""
    for t in tasks:
        try:
            result = job(t.scenario, t.seed, t.days)
        except Exception as exc:  # a model error fails this run, not the sweep
            on_failed(t, _describe(exc))
            continue
        on_done(t, result)


def run_local(tasks: Iterable[Task], workers: int, on_done: OnDone, on_failed: OnFailed,
              job: Job = run_task, max_restarts: int = 3) -> None:
    """The local process pool (``sim.pool``); a dead worker's runs are retried on a new pool."""
    by_key = {t.key: t for t in tasks}
    run_pool(job, {k: (t.scenario, t.seed, t.days) for k, t in by_key.items()}, workers,
             on_done=lambda k, result: on_done(by_key[k], result),
             on_failed=lambda k, exc: on_failed(by_key[k], _describe(exc)), max_restarts=max_restarts)


def run_dask(tasks: Iterable[Task], address: str, on_done: OnDone, on_failed: OnFailed,
             job: Job = run_task, retries: int = 2) -> None:
    """A Dask distributed cluster; the scheduler reruns the tasks of a worker that died."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    token = uuid.uuid4().hex[:8]
    with Client(address, timeout="10s") as client:
        futures = {}
        for t in tasks:
            f = client.submit(job, t.scenario, t.seed, t.days, key=f"gridsim-{t.key}-{token}",
                              retries=retries, pure=False)
            futures[f] = t
        for f in dask_completed(list(futures)):
            t = futures[f]
            if f.status == "error":
                on_failed(t, _describe(f.exception()))
            else:
                on_done(t, f.result())
            f.release()


def execute(tasks: list[Task], workers: int, scheduler: str | None, on_done: OnDone,
            on_failed: OnFailed, job: Job = run_task) -> None:
    """Dispatch to Dask when a scheduler is known, else to a local pool (or serially for one)."""
    if scheduler:
        run_dask(tasks, scheduler, on_done, on_failed, job)
    elif workers <= 1:
        run_serial(tasks, on_done, on_failed, job)
    else:
        run_local(tasks, workers, on_done, on_failed, job)
