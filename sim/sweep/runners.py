"""Where a sweep's runs execute: in this process, on a local process pool, or on Dask.

Workers only compute: they rebuild the model from the (picklable) scenario, run it and
return its flat measures. The caller writes each result as it arrives, so the store needs
no shared file system. A worker that dies has its runs retried (Dask does this itself;
the local pool, ``sim.pool``, shared with replications, replaces a broken pool and
resubmits the unfinished runs).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager, suppress
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
    """Do the work of one run, on whichever process runs it."""
    return flat(run_replication(scenario, seed, days))


# A cluster with no worker for this long cannot finish the sweep: give up and say how to resume.
NO_WORKERS_TIMEOUT_S = 60.0


class ClusterLostError(Exception):
    """The Dask scheduler or all of its workers went away mid-sweep (one line)."""


def scheduler_address(option: str | None) -> str | None:
    """``--scheduler`` wins; else the DASK_SCHEDULER_ADDRESS environment variable."""
    return option or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def check_scheduler(address: str, timeout_s: float = 10.0) -> None:
    """Refuse (ValueError) an address Dask cannot dial, or where nothing answers, before anything is written.

    A bare ``host:port`` is Dask's tcp. The TCP probe makes a scheduler that is not running a
    one-line refusal with no sweep folder, rather than a client timeout after the folder is made.
    """
    from distributed.comm.addressing import get_address_host_port, parse_address

    try:
        host, port = get_address_host_port(address)
    except ValueError as exc:
        raise ValueError(f"not a scheduler address ({exc}); e.g. tcp://127.0.0.1:8786") from None
    if not host or not 0 < port < 65536:
        raise ValueError("not a scheduler address (needs a host and a port 1-65535); e.g. tcp://127.0.0.1:8786")
    if parse_address(address)[0] in ("tcp", "tls"):
        try:
            socket.create_connection((host, port), timeout=timeout_s).close()
        except OSError as exc:
            raise ValueError(f"no Dask scheduler answers at {host}:{port} ({exc.strerror or exc}); "
                             "start one with: dask scheduler --port PORT") from None


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
              job: Job = run_task) -> None:
    """Run tasks on the local process pool (``sim.pool``); a dead worker's runs are retried on a new pool."""
    by_key = {t.key: t for t in tasks}
    run_pool(job, {k: (t.scenario, t.seed, t.days) for k, t in by_key.items()}, workers,
             on_done=lambda k, result: on_done(by_key[k], result),
             on_failed=lambda k, exc: on_failed(by_key[k], _describe(exc)))


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask logs every lost connection at length; the sweep reports a loss in one line."""
    names = ["tornado", "asyncio", *(n for n in list(logging.root.manager.loggerDict)  # children set their own levels
                                     if n == "distributed" or n.startswith("distributed."))]
    loggers = [logging.getLogger(name) for name in dict.fromkeys(["distributed", *names])]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def run_dask(tasks: Iterable[Task], address: str, on_done: OnDone, on_failed: OnFailed,
             job: Job = run_task, retries: int = 2, no_workers_timeout: float | None = None) -> None:
    """Run tasks on a Dask distributed cluster; the scheduler reruns the tasks of a worker that died.

    Raises ClusterLostError when the scheduler goes away, or when it has had no worker for
    ``no_workers_timeout`` seconds (default NO_WORKERS_TIMEOUT_S; its queue would wait forever).
    """
    give_up_s = NO_WORKERS_TIMEOUT_S if no_workers_timeout is None else no_workers_timeout
    from distributed import Client
    from distributed import as_completed as dask_completed

    token = uuid.uuid4().hex[:8]
    with _quiet_dask():
        client = Client(address, timeout="10s")
        try:
            futures = {}
            for t in tasks:
                f = client.submit(job, t.scenario, t.seed, t.days, key=f"gridsim-{t.key}-{token}",
                                  retries=retries, pure=False)
                futures[f] = t
            pending = dask_completed(list(futures))
            idle_since: float | None = None
            while not pending.is_empty():
                for f in pending.next_batch(block=False):
                    t = futures[f]
                    if f.status == "error":
                        on_failed(t, _describe(f.exception()))
                    elif f.status == "finished":
                        on_done(t, f.result())
                    else:  # cancelled: the scheduler forgot it (it restarted or went away)
                        raise ClusterLostError(f"lost the Dask scheduler at {address}")
                    f.release()
                if client.status not in ("running", "connecting"):
                    raise ClusterLostError(f"lost the Dask scheduler at {address}")
                if client.scheduler_info().get("workers"):
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > give_up_s:
                    raise ClusterLostError(f"the Dask cluster at {address} has had no worker for "
                                           f"{give_up_s:g} s")
                time.sleep(0.2)
        except (OSError, CancelledError) as exc:
            raise ClusterLostError(f"lost the Dask scheduler at {address} ({type(exc).__name__})") from None
        finally:
            with suppress(Exception):  # closing a client whose scheduler is gone may itself fail
                client.close(timeout=2)


def execute(tasks: list[Task], workers: int, scheduler: str | None, on_done: OnDone,
            on_failed: OnFailed, job: Job = run_task) -> None:
    """Dispatch to Dask when a scheduler is known, else to a local pool (or serially for one)."""
    if scheduler:
        run_dask(tasks, scheduler, on_done, on_failed, job)
    elif workers <= 1:
        run_serial(tasks, on_done, on_failed, job)
    else:
        run_local(tasks, workers, on_done, on_failed, job)
