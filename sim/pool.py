"""The one local process pool, shared by replications (``sim.runner``) and sweeps.

Workers are forked from a clean forkserver that has imported the job's module once: no
fork of a threaded parent, and a restarted pool does not pay the imports again. When a
worker process dies the pool is replaced and the unfinished calls resubmitted, a few times.
Results are handed back as they arrive, keyed as the caller keyed the calls.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class WorkerDiedError(RuntimeError):
    """A worker process died repeatedly on this call (killed, out of memory, crashed)."""


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
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if broken:
            restarts += 1
            if restarts > max_restarts:
                for key in list(pending):
                    on_failed(key, WorkerDiedError("worker process died repeatedly"))
                pending.clear()
