"""The one local process pool, shared by replications (``sim.runner``) and sweeps.

Workers are forked from a clean forkserver that has imported the job's module, and what a
run imports on first use (``sim.pool_warm``), once: no fork of a threaded parent, and neither
a worker's first run nor a restarted pool pays the imports again. When a
worker process dies the pool is replaced and the unfinished calls resubmitted, a few times.
Results are handed back as they arrive, keyed as the caller keyed the calls.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import signal
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import forkserver, resource_tracker
from typing import Any

_SERVER_FIRST_IMPORT = "sim.pool_server"  # never imported here: importing it ignores Ctrl-C
_SERVER_LAST_IMPORT = "sim.pool_warm"  # what a run imports on first use, once for every worker
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class WorkerDiedError(RuntimeError):
    """A worker process died repeatedly on this call (killed, out of memory, crashed)."""


def _start_server_ignoring_ctrl_c(ctx: multiprocessing.context.BaseContext, job_module: str) -> None:
    """Start the forkserver so that it, and every worker it forks, ignores Ctrl-C.

    Ctrl-C reaches the whole terminal process group; only this process should act on it (it
    stops the workers), else every worker prints its own KeyboardInterrupt traceback. The
    server's first import (``sim.pool_server``) ignores Ctrl-C; until then it is blocked: the
    server inherits the mask of the thread that starts it. Here a Ctrl-C is only held while
    the server is spawned, not ignored, so it is never lost.
    """
    ctx.set_forkserver_preload([_SERVER_FIRST_IMPORT, job_module, _SERVER_LAST_IMPORT])
    resource_tracker.ensure_running()  # it unblocks Ctrl-C after starting itself: start it first
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while workers start; deliver the first one afterwards.

    A stop raised inside ``pool.submit`` while it starts a worker leaves a process the pool
    does not know and cannot stop: it goes on to unpickle the pool's semaphores after this
    process has removed them and prints a FileNotFoundError traceback. Held, the stop comes
    once every started worker is the pool's, so stopping the pool stops them all.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers run in the main thread only: nothing reaches this one
        return
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: held.append(signum)) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if held:
            signal.raise_signal(held[0])


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once, running jobs included (Ctrl-C must not wait for a long run)."""
    processes = list((pool._processes or {}).values())  # no public way before Python 3.14
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.join(5)
    pool.shutdown(wait=False, cancel_futures=True)


def run_pool[K: Hashable](job: Callable[..., Any], calls: Mapping[K, tuple[Any, ...]], workers: int,
             on_done: Callable[[K, Any], None], on_failed: Callable[[K, BaseException], None],
             max_restarts: int = 3) -> None:
    """Run ``job(*args)`` for every ``key: args`` in ``calls`` on ``workers`` processes.

    ``on_done(key, result)`` or ``on_failed(key, exception)`` is called in this process, once
    per call, as results arrive; an exception raised by either stops the pool and propagates.
    """
    pending = dict(calls)
    restarts = 0
    ctx = multiprocessing.get_context("forkserver")
    _start_server_ignoring_ctrl_c(ctx, job.__module__)
    while pending:
        broken = False
        pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(pending))), mp_context=ctx)
        try:
            with _stop_signals_held():
                futures = {pool.submit(job, *args): key for key, args in pending.items()}
            for f in as_completed(futures):
                key = futures[f]
                try:
                    result = f.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:
                    del pending[key]
                    on_failed(key, exc)
                    continue
                del pending[key]
                on_done(key, result)
        except BaseException:  # Ctrl-C, SIGTERM (sim.console.Stopped) or a callback's error
            _stop_now(pool)
            raise
        pool.shutdown(wait=True)
        if broken:
            restarts += 1
            if restarts > max_restarts:
                for key in list(pending):
                    on_failed(key, WorkerDiedError("worker process died repeatedly"))
                pending.clear()
