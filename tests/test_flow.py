"""Light flows (sim/flow.py) against plain SimPy processes: same steps, same order, same records."""

from __future__ import annotations

import gc
import random
from typing import Any

import pandas as pd
import pytest
import simpy
from conftest import ROOT, make_scenario, plain_arrivals
from simpy.events import Event

import sim.agents.command_centre
import sim.model
from sim.config import load_scenario
from sim.flow import Flow, FlowGen, interruptible, run_until
from sim.model import TownModel


def as_process(env: simpy.Environment, gen: FlowGen) -> simpy.Process:
    """The plain version: the same generator as a ``simpy.Process``, each wait an ``env.timeout``."""
    def run():
        value = None
        while True:
            try:
                wait = gen.send(value)
            except StopIteration:
                return
            value = yield (wait if isinstance(wait, Event) else env.timeout(wait))
    return env.process(run())


def simpy_run(env: simpy.Environment, until: float) -> None:
    """The plain version of ``run_until``: SimPy's own ``run``."""
    env.run(until=until)


def _trace(start, advance=simpy_run, ticks=(20.0,)) -> list[tuple[float, str, Any]]:
    """Run a tangle of flows with ties (equal times, zero waits, shared events) and log every step.

    After each of the stops at ``ticks`` the clock and the number the next queue entry gets are logged too.
    """
    env = simpy.Environment()
    log: list[tuple[float, str, Any]] = []
    rng = random.Random(7)
    gates = [env.event() for _ in range(5)]

    def worker(name: str, gate: int, waits: list[float]) -> FlowGen:
        log.append((env.now, name, "start"))
        for k, w in enumerate(waits):
            yield w
            log.append((env.now, name, k))
            if k == 1:
                got = yield gates[gate]
                log.append((env.now, name, got))

    def opener() -> FlowGen:
        for k, gate in enumerate(gates):
            yield 1.5
            gate.succeed(k)
            start(env, worker(f"late{k}", k, [0.0, 0.5]))  # started from inside another flow's step

    for i in range(40):
        waits = [rng.choice([0.0, 0.5, 1.0, 1.0, rng.random()]) for _ in range(4)]
        start(env, worker(f"w{i}", i % 5, waits))
    start(env, opener())
    for until in ticks:
        advance(env, until)
        log.append((env.now, "stop", next(env._eid)))
    return log


def test_a_flow_takes_the_same_steps_in_the_same_order_as_a_simpy_process():
    plain = _trace(as_process)
    assert len(plain) > 200
    fast = _trace(Flow)
    assert fast[:-1] == plain[:-1]  # the last line: the stop, numbered lower (a flow queues fewer entries)
    assert fast[-1][:2] == plain[-1][:2] and fast[-1][2] < plain[-1][2]


@pytest.mark.parametrize("start", [as_process, Flow])
def test_run_until_takes_the_same_steps_at_the_same_clock_as_simpys_run(start):
    """``run_until``: SimPy's ``run`` with its ``step`` written into the loop (issue 14); stops on ties and on entries."""
    ticks = [0.5 * k for k in range(1, 42)] + [23, 30.25]  # stops tied with steps, an int, a stop past the last step
    plain = _trace(start, simpy_run, ticks)
    assert len(plain) > 250
    assert _trace(start, run_until, ticks) == plain


def test_run_until_raises_a_failed_event_and_refuses_a_time_not_after_now_as_simpy_does():
    def failing(advance) -> tuple[float, str]:
        env = simpy.Environment()

        def fail(_: object) -> None:
            env.event().fail(KeyError("lost"))  # a failed event nobody waits for: it crashes the run

        env.timeout(1.0).callbacks.append(fail)
        with pytest.raises(KeyError) as err:
            advance(env, 5.0)
        return env.now, repr(err.value.__cause__)

    assert failing(run_until) == failing(simpy_run) == (1.0, "KeyError('lost')")
    env = simpy.Environment()
    run_until(env, 2.0)
    with pytest.raises(ValueError, match="must be greater"):
        run_until(env, 2.0)


@pytest.mark.parametrize(("path", "days"), [
    (ROOT / "scenarios" / "xuxiake_1plus4.toml", 5),
    (ROOT / "scenarios" / "textbook" / "hypercube_5squads.toml", 8),
])
def test_a_run_driven_by_run_until_keeps_every_record_and_tick_of_simpys_run(monkeypatch, path, days):
    def run() -> tuple[pd.DataFrame, pd.DataFrame, list]:
        m = TownModel(load_scenario(path), seed=4, days=days)
        m.run()
        m.finish()
        crews = [(c.crew_id, c.busy_min, c.cases, c.overtime_min) for c in m.centre.crews]
        return m.log.frame(), m.datacollector.get_model_vars_dataframe(), crews

    fast = run()
    monkeypatch.setattr(sim.model, "run_until", simpy_run)
    plain = run()
    assert len(fast[0]) > 500
    pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
    pd.testing.assert_frame_equal(fast[1], plain[1], check_exact=True)
    assert fast[2] == plain[2]


def test_finished_flows_leave_nothing_to_the_cyclic_collector():
    """A flow breaks its own reference cycle when it ends: reference counting frees it (issue 14)."""
    env = simpy.Environment()
    gate = env.event()

    def case(k: int) -> FlowGen:
        yield 1.0 + k % 3
        if k % 2:
            yield gate  # waited for through the event's callbacks
        yield 0.5

    def opener() -> FlowGen:
        yield 2.0
        gate.succeed()

    gc.disable()
    try:
        for k in range(60):
            Flow(env, case(k))
        Flow(env, opener())
        env.run()
        assert env.now == 3.5
        # with the collector off, a flow still in memory is one reference counting could not free
        assert not [o for o in gc.get_objects() if isinstance(o, Flow) and o.env is env]
    finally:
        gc.enable()


def test_a_negative_wait_is_refused():
    env = simpy.Environment()

    def bad() -> FlowGen:
        yield -1.0

    Flow(env, bad())
    with pytest.raises(ValueError, match="negative wait"):
        env.run()


@pytest.mark.parametrize(("path", "days"), [
    (ROOT / "scenarios" / "xuxiake_1plus4.toml", 6),
    (ROOT / "scenarios" / "textbook" / "hypercube_5squads.toml", 8),
    (ROOT / "scenarios" / "xuxiake_pre_reform.toml", 6),
])
def test_a_run_with_flows_keeps_every_record_of_the_run_with_plain_processes(monkeypatch, path, days):
    def run() -> tuple[pd.DataFrame, list]:
        m = TownModel(load_scenario(path) if path.exists() else make_scenario(), seed=3, days=days)
        m.run()
        m.finish()
        crews = [(c.crew_id, c.busy_min, c.cases, c.overtime_min) for c in m.centre.crews]
        return m.log.frame(), crews

    fast = run()
    monkeypatch.setattr(sim.model, "Flow", as_process)  # shift starts
    monkeypatch.setattr(sim.model, "Arrivals", lambda m: plain_arrivals(m, as_process))  # arrivals, cases
    monkeypatch.setattr(sim.agents.command_centre, "Flow", as_process)  # crews' busy periods with stories
    monkeypatch.setattr(sim.agents.command_centre, "BusyPeriod",  # and without (tests/test_squad_shortcuts.py)
                        lambda centre, crew, inc, done, travel: as_process(centre.env, crew.run_job(centre, inc, done, travel)))
    plain = run()
    assert len(fast[0]) > 500
    pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
    assert fast[1] == plain[1]


def test_an_interruptible_flow_is_interrupted_as_a_process_written_with_timeouts():
    def trace(make) -> list[tuple[float, object]]:
        env = simpy.Environment()
        log: list[tuple[float, object]] = []
        job = env.process(make(env, log))

        def boss():
            for t in (3.0, 4.0):
                yield env.timeout(t)
                job.interrupt(env.now)

        env.process(boss())
        env.run()
        return log

    def plain(env: simpy.Environment, log: list):
        for w in (2.0, 5.0, 5.0):
            try:
                yield env.timeout(w)
                log.append((env.now, "done"))
            except simpy.Interrupt as stop:
                log.append((env.now, stop.cause))
                yield env.timeout(0.5)
        return log

    def flow(env: simpy.Environment, log: list):
        def gen() -> FlowGen:
            for w in (2.0, 5.0, 5.0):
                try:
                    yield w
                    log.append((env.now, "done"))
                except simpy.Interrupt as stop:
                    log.append((env.now, stop.cause))
                    yield 0.5
        return interruptible(env, gen())

    expected = trace(plain)
    assert expected == [(2.0, "done"), (3.0, 3.0), (7.0, 7.0)]
    assert trace(flow) == expected


def test_a_wait_that_runs_next_is_run_at_once_in_the_same_order():
    """``runs_next``: waits that end before everything queued go on in the same step; same steps, fewer entries."""
    def trace(start) -> tuple[list[tuple[float, str, int]], int]:
        env = simpy.Environment()
        log: list[tuple[float, str, int]] = []

        def sparse(name: str, waits: list[float]) -> FlowGen:
            for k, w in enumerate(waits):
                yield w
                log.append((env.now, name, k))

        start(env, sparse("a", [0.0, 0.25, 0.25, 3.0, 0.0, 1.0, 0.5]))  # runs alone for a while
        start(env, sparse("b", [1.0, 1.0, 0.0, 2.5, 0.25]))  # ties with a at 1.0, 4.0 and 4.5 (queue order)
        start(env, sparse("c", [4.5, 0.0, 0.0, 0.1]))
        env.run(until=4.6)  # the stop entry: nothing runs on past it
        env.run(until=10)
        return log, next(env._eid)

    plain, plain_entries = trace(as_process)
    fast, fast_entries = trace(Flow)
    assert fast == plain
    assert len(plain) == 16
    assert fast_entries < plain_entries


def test_a_flow_started_last_runs_its_first_step_at_once_only_when_it_runs_next():
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def case(name: str) -> FlowGen:
        log.append((env.now, name))
        yield 1.0
        log.append((env.now, name + " done"))

    Flow(env, case("queued first"), after=2.0)  # on the queue at 2.0
    Flow(env, case("next"), after=0.5, last=True)  # before everything queued: runs now, at 0.5, and on
    assert log == [(0.5, "next"), (1.5, "next done")] and env.now == 1.5
    Flow(env, case("not next"), after=0.5, last=True)  # a tie with the queued start at 2.0: queued behind it
    assert len(log) == 2
    env.run()
    assert log == [(0.5, "next"), (1.5, "next done"), (2.0, "queued first"), (2.0, "not next"),
                   (3.0, "queued first done"), (3.0, "not next done")]
