"""Light SimPy processes: a case as one generator, without a Process or Timeout object per wait.

A flow is a generator that yields either a number of minutes to wait or a SimPy event to
wait for (its value is sent back). It runs on SimPy's own clock and event queue, in the
same order a ``simpy.Process`` would run it:

* its first step is scheduled like SimPy's ``Initialize`` (urgent, now);
* a wait of ``d`` minutes is one entry on the queue at ``now + d`` with normal priority,
  pushed at the moment ``env.timeout(d)`` would have been created, so ties between equal
  times are broken exactly as before (by the order the waits were made);
* an event is waited for through its callbacks, as ``Process`` does.

A wait that would be the very next entry popped is not queued at all (issue 14 shortcut,
:func:`runs_next`): when it ends strictly before everything on the queue (the stop entry
of ``env.run(until=...)`` included, so it never crosses a tick) and the flow was resumed
from its own entry (the only callback of the step that popped it, so nothing else runs
after it in that step), SimPy would pop that entry next and resume the flow at once. The
flow sets the clock to the entry's time and goes on in the same step: the same steps at
the same clock in the same order; the entries queued later get numbers one lower, which
keeps their order. The same holds for a flow's first step (``last=True``) and for a
squad's verdict (``sim.agents.squad.BusyPeriod``).

What it leaves out is what nobody reads: a ``Timeout`` object per wait, the ``Process``
object and the event SimPy schedules when a process ends (nothing waits for a case to
end). The flow itself is the queue entry: it waits for one thing at a time, so one object
serves every wait. A flow cannot be interrupted: where the centre may preempt a crew's busy
period (``squad_preemption`` on), the same generator runs as a ``simpy.Process`` through
:func:`interruptible`; where nothing can interrupt it and no story is kept, it runs as plain
callbacks (``sim.agents.squad.BusyPeriod``, queued with :func:`at`). A flow does not take failed events (``Process`` throws their exception
into the generator); nothing in the model fails one. ``tests/test_flow.py`` checks a flow
against the same generator run as ``simpy.Process`` (same steps at the same times in the
same order), and that whole runs give the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, Event, Interrupt

# What a flow yields: minutes to wait, or an event to wait for.
Wait = float | Event
FlowGen = Generator[Wait, Any, Any]


class Flow:
    """Drive ``gen`` on ``env``'s queue (see the module docstring); started at once, like ``env.process``.

    With ``after``, its first step runs ``after`` minutes from now: the same as a generator whose
    first wait is ``after`` started at once, without the start entry, when the creator queues
    nothing between creating it and that start (``sim.model.Arrivals``). With ``last`` as well
    the creator promises that creating the flow is the last thing the only callback of the
    entry being processed does: then a first step that ``runs_next`` runs at once.
    """

    __slots__ = ("_ok", "_value", "callbacks", "env", "gen", "resume")

    def __init__(self, env: simpy.Environment, gen: FlowGen, after: float | None = None, last: bool = False) -> None:
        self.env = env
        self.gen = gen
        self._ok = True  # read by Environment.step for every event it pops
        self._value: Any = None
        self.resume: Callable[[Any], None] = self._resume
        self.callbacks: list[Callable[[Any], None]] | None = [self.resume]
        # SimPy's Initialize: urgent, now. Environment.schedule's one line written out (here and
        # for each wait below), as a case pushes several entries: the same tuple on the same heap.
        if after is None:
            heappush(env._queue, (env._now, URGENT, next(env._eid), self))  # type: ignore[misc]
        elif last and runs_next(env, t := env._now + after):  # the next entry popped: run it now (module docstring)
            env._now = t
            self._resume(self)
        else:  # started after ``after`` minutes: its first step queued as a wait of that long
            heappush(env._queue, (env._now + after, NORMAL, next(env._eid), self))  # type: ignore[misc]

    def _resume(self, event: Any) -> None:
        """One step of the generator: resumed with ``event``'s value, until its next wait."""
        value = event._value
        env = self.env
        while True:
            try:
                nxt = self.gen.send(value)
            except StopIteration:
                # Nobody waits for a flow's end: no event for it. Its one reference cycle (the flow
                # holds its own bound ``resume``) is broken here, so reference counting frees the
                # flow and its generator at once instead of leaving ≈ 5 objects per case to the
                # cyclic collector (issue 14: its collections were 7-15% of a 30-day run).
                del self.resume
                return
            if not isinstance(nxt, Event):  # minutes to wait
                if nxt < 0:
                    raise ValueError(f"negative wait {nxt}")
                t = env._now + nxt
                queue = env._queue
                if event is self and (not queue or t < queue[0][0]):  # runs_next written out: go on now
                    env._now = t
                    value = None
                    continue
                self._value = None
                self.callbacks = [self.resume]
                heappush(queue, (t, NORMAL, next(env._eid), self))  # type: ignore[misc]
                return
            if nxt.callbacks is not None:  # not yet processed: resume when it is
                nxt.callbacks.append(self.resume)
                return
            value = nxt._value  # already processed: go on at once, as Process does


def runs_next(env: simpy.Environment, t: float) -> bool:
    """Whether an entry queued now for time ``t`` would be the next one SimPy pops.

    True when ``t`` is strictly before every entry on the queue: then nothing else runs
    before it (ties are left to the queue, which breaks them by priority and number).
    Only the last thing a step does may run such an entry at once (the module docstring).
    """
    queue = env._queue
    return not queue or t < queue[0][0]


def interruptible(env: simpy.Environment, gen: FlowGen) -> Generator[Event, Any, Any]:
    """Run a flow's generator as the body of a ``simpy.Process``, so it can be interrupted.

    Each wait becomes an ``env.timeout`` made at the moment a flow would queue it; an
    ``Interrupt`` of the process is thrown into ``gen``.
    """
    step: Callable[[Any], Wait] = gen.send
    value: Any = None
    while True:
        try:
            nxt = step(value)
        except StopIteration as end:
            return end.value
        try:
            value = yield (nxt if isinstance(nxt, Event) else env.timeout(nxt))
            step = gen.send
        except Interrupt as stop:
            value, step = stop, gen.throw


def at(env: simpy.Environment, entry: Any, t: float) -> None:
    """Queue ``entry`` (an event, or an object with its ``_ok``, ``_value``, ``callbacks``) at calendar time ``t``.

    As ``env.schedule(entry, NORMAL, t - now)`` but at ``t`` exactly: a wait that the plain
    model made in two steps ends at their sum as its clock added it, ``(now + a) + b``,
    which ``now + (a + b)`` may miss by a rounding.
    """
    heappush(env._queue, (t, NORMAL, next(env._eid), entry))  # as SimPy's own schedule() does


def run_until(env: simpy.Environment, until: float) -> None:
    """Do what ``env.run(until=until)`` does for a time after now, with SimPy's ``step`` written into the loop.

    Issue 14 shortcut: ``run`` calls ``Environment.step`` once per entry popped (a Python call each,
    ≈ 5.5 an incident) and stops by raising ``StopSimulation`` from its stop entry's callback. This
    loop does the same things in the same order: the same stop entry (an event, urgent, at
    ``now + (until - now)`` as ``schedule`` sums it, numbered when ``run`` numbers it, so the
    entries queued later get the same numbers); then each entry popped in turn, the clock set to
    its time, its callbacks taken off and called in order, and a failed event nobody defused
    raised as ``step`` raises it; when the stop entry is popped, it is queued again as ``step``
    queues it (below) and the loop returns, with the clock at its time. Nothing in the model interrupts ``run`` from a callback (``StopSimulation`` is ``run``'s
    alone). ``tests/test_flow.py`` checks it against ``env.run`` on traces with ties and on whole runs.
    """
    now = env._now
    if until <= now:
        raise ValueError(f"until ({until}) must be greater than the current simulation time")
    stop = Event(env)
    stop._ok, stop._value = True, None
    queue = env._queue
    heappush(queue, (now + (until - now), URGENT, next(env._eid), stop))
    while True:
        env._now, _, _, event = heappop(queue)
        if event is stop:
            # As ``step`` does when ``StopSimulation`` is raised: the stop entry's callbacks after the one
            # that raised (none) are queued again, urgent before urgent, now; the next run pops it first.
            stop.callbacks = []
            heappush(queue, (env._now, -1, next(env._eid), stop))  # type: ignore[misc]
            return
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):  # Environment.step's own crash, the same exception
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc
