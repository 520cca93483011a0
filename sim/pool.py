"""The one local process pool, shared by replications (``sim.runner``) and sweeps.

Workers are forked from a clean forkserver that has imported the job's module once: no
fork of a threaded parent, and a restarted pool does not pay the imports again. When a
worker process dies the pool is replaced and the unfinished calls resubmitted, a few times.
Results are handed back as they arrive, keyed as the caller keyed the calls.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import Any


class WorkerDiedError(RuntimeError):
    """A worker process died repeatedly on this call (killed, out of memory, crashed)."""


def _start_server_ignoring_ctrl_c() -> None:
    """Start the forkserver with Ctrl-C ignored; the workers it forks inherit that.

    Ctrl-C reaches the whole terminal process group; only the parent should act on it (it
    stops the workers), else every worker prints its own KeyboardInterrupt traceback.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


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
    ctx.set_forkserver_preload([job.__module__])
    _start_server_ignoring_ctrl_c()
    while pending:
        broken = False
        pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(pending))), mp_context=ctx)
        try:
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
