"""Squad dispatch on a hypercube instance: the model against textbook SimPy, same run.

scenarios/textbook/hypercube_5squads.toml: 5 one-crew squads at fixed bases, 6 demand
atoms, home-zone-first dispatch, exponential busy time (mean 30 min, travel negligible),
one FCFS queue when every unit is busy; λ = 0.1 calls/min. The model (``TownModel``
built and run for N/λ minutes: every incident goes round the whole closed loop, of
which the squad is one stage) is timed against a textbook SimPy version of the same
queue: one process per call, a shared list of idle units, the call takes the first idle
unit in its atom's preference list (read from ``squad_system(scenario).preferences``) or
waits in a FCFS queue of SimPy events, which a unit that finishes hands itself to.

"Closed loop, squads only" (a prototype, not the model): the whole model with each case
sent to the squads the moment it is noticed and recorded when the crew's verdict comes,
the intake, triage, alarms and verification cut out: what the closed loop would cost with
every stage but the squads free (per-day arrays at their best), against the 0.5x target.

"Bare callbacks" is issue 14's prototype: the same queue as plain callbacks on SimPy's
queue, one entry per arrival and per end of service, without call objects, rule, trips or
records: the floor any squad subsystem on SimPy's queue could reach.

The squad subsystem alone ("model squads") is the model's own crews, queue and dispatch
rule (``CommandCentre.request_squad``, ``Crew.run_job``) fed the model's calls straight
from its incident stream on a clock of their own: no notice, triage, verification or
records around them. Issue 14's targets: the subsystem >= 3x textbook SimPy, the whole
closed loop >= 0.5x. Ratios are judged by CPU time (this process's, ``os.times``), which
other jobs on a shared box do not inflate; wall-time ratios are printed beside them.

All run the same horizon (N calls expected; the counts are printed). Each repeat runs
the two one after the other with the same seed index; calls/s and the ratio are medians
over the repeats. Per-unit workloads (busy share of the horizon, from an empty start) are
compared with each other across repeats and with the exact hypercube solution.

    .venv/bin/python benchmarks/bench_dispatch.py [--n 100000] [--repeats 5] [--only model]
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import deque
from functools import partial

import common  # noqa: F401  (puts the repo root on sys.path)
import simpy
from common import (
    ROOT,
    Series,
    agree,
    header,
    mean_ci,
    median,
    options,
    save_json,
    table,
    timed_cpu,
    verdict,
)
from simpy.events import NORMAL

from sim.analytic.from_scenario import squad_system
from sim.analytic.hypercube import solve_hypercube
from sim.config import load_scenario
from sim.flow import Flow, FlowGen
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import Channel, Tier

SCENARIO = ROOT / "scenarios" / "textbook" / "hypercube_5squads.toml"
TARGET_SQUADS = 3.0  # the squad subsystem vs textbook SimPy
TARGET_LOOP = 0.5  # the whole closed loop vs textbook SimPy


def queued(env: simpy.Environment) -> int:
    """Entries ever put on ``env``'s queue (SimPy numbers each one): the events a run cost."""
    return next(env._eid)


def run_model(sc, seed: int, days: float) -> tuple[int, list[float], int]:
    """Build and run the TownModel; the calls that occurred, each crew's busy share, the queue entries."""
    model = TownModel(sc, seed=seed, days=days)
    model.run()
    centre, h = model.centre, model.horizon
    calls = centre.closed + len(centre.live)
    busy = [c.busy_min + (0.0 if c.idle else h - c.busy_since) for c in centre.crews]
    return calls, [b / h for b in busy], queued(model.env)


def run_floor(sc, seed: int, days: float) -> tuple[int, list[float], int]:
    """The closed loop with every stage but the squads cut out (see the module docstring); as ``run_model``."""
    model = TownModel(sc, seed=seed, days=days)
    centre = model.centre

    def case(inc: Incident, channel: Channel, finder: object) -> FlowGen:
        inc.reported_at, inc.channel = centre.env.now, channel
        verdict = yield centre.request_squad(inc)
        if isinstance(verdict, Tier):
            inc.tier = verdict
        inc.resolved_at = inc.closed_at = centre.env.now
        del centre.live[inc.id]
        centre.closed += 1
        model.log.add(inc)

    centre.case = case  # type: ignore[method-assign]
    model.run()
    h = model.horizon
    calls = centre.closed + len(centre.live)
    busy = [c.busy_min + (0.0 if c.idle else h - c.busy_since) for c in centre.crews]
    return calls, [b / h for b in busy], queued(model.env)


def run_squads(sc, seed: int, days: float) -> tuple[int, list[float], int]:
    """The model's squad subsystem alone, fed the model's calls; the calls, each crew's busy share, the queue entries."""
    model = TownModel(sc, seed=seed, days=days)
    env = simpy.Environment()  # the squads' own clock: the model's other processes are not started on it
    model.env = model.centre.env = env
    centre, h = model.centre, model.horizon
    n = 0

    def calls() -> FlowGen:
        nonlocal n
        for d in range(math.ceil(days)):
            b = model.stream.day(d)
            grids = model.town.locate_many(b.village, b.x, b.y)
            for t, c, v, g, x, y, u in zip(b.occurred_at.tolist(), b.category.tolist(), b.village.tolist(),
                                           grids.tolist(), b.x.tolist(), b.y.tolist(), b.uniforms, strict=True):
                if t >= h:
                    return
                yield max(0.0, t - env.now)
                centre.request_squad(Incident(n, c, v, g, x, y, t, u))
                n += 1

    Flow(env, calls())
    env.run(until=h)
    busy = [c.busy_min + (0.0 if c.idle else h - c.busy_since) for c in centre.crews]
    return n, [b / h for b in busy], queued(env)


def run_simpy(rates: list[float], prefs: list[list[int]], mean_busy: float, horizon: float,
              seed: int) -> tuple[int, list[float], int]:
    """Textbook SimPy hypercube queue; the calls that arrived, each unit's busy share, the queue entries."""
    rng = random.Random(seed)
    env = simpy.Environment()
    units = len(prefs[0])
    idle = [True] * units
    since = [0.0] * units
    busy = [0.0] * units
    waiting: deque[simpy.Event] = deque()  # FCFS queue of calls waiting for a unit
    cum = list(itertools.accumulate(rates))
    total = cum[-1]
    mu = 1.0 / mean_busy
    calls = 0

    def call(env: simpy.Environment, atom: int):
        for u in prefs[atom]:
            if idle[u]:
                idle[u] = False
                since[u] = env.now
                break
        else:
            got = env.event()
            waiting.append(got)
            u = yield got  # the unit that freed up hands itself over
        yield env.timeout(rng.expovariate(mu))
        if waiting:
            waiting.popleft().succeed(u)  # chain straight to the oldest waiting call
        else:
            idle[u] = True
            busy[u] += env.now - since[u]

    def source(env: simpy.Environment):
        nonlocal calls
        while True:
            yield env.timeout(rng.expovariate(total))
            calls += 1
            env.process(call(env, min(bisect.bisect_right(cum, rng.random() * total), len(cum) - 1)))

    env.process(source(env))
    env.run(until=horizon)
    busy = [b + (0.0 if idle[u] else horizon - since[u]) for u, b in enumerate(busy)]
    return calls, [b / horizon for b in busy], queued(env)


class _Entry:
    """A queue entry that runs its callbacks: what SimPy reads of an event it pops."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self) -> None:
        self._ok, self._value, self.callbacks = True, None, None


def run_bare(rates: list[float], prefs: list[list[int]], mean_busy: float, horizon: float,
             seed: int) -> tuple[int, list[float], int]:
    """Issue 14's prototype: the same queue as bare callbacks on SimPy's queue; calls, busy shares, entries.

    One entry per arrival and one per end of service; no call object, rule, trip, record or
    position: the floor a squad subsystem on SimPy's queue could reach. Under FCFS a unit
    that frees up takes the oldest waiting call whatever its atom, so the calls waiting are
    a count.
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    units = len(prefs[0])
    idle = [True] * units
    since = [0.0] * units
    busy = [0.0] * units
    cum = list(itertools.accumulate(rates))
    total = cum[-1]
    mu = 1.0 / mean_busy
    calls = waiting = 0
    arrival, ends = _Entry(), [_Entry() for _ in range(units)]

    def serve(u: int) -> None:
        ends[u].callbacks = [freed[u]]
        env.schedule(ends[u], NORMAL, rng.expovariate(mu))  # type: ignore[arg-type]

    def frees(u: int):
        def end(_: object) -> None:
            nonlocal waiting
            if waiting:  # chain straight to the oldest waiting call
                waiting -= 1
                serve(u)
            else:
                idle[u] = True
                busy[u] += env.now - since[u]
        return end

    freed = [frees(u) for u in range(units)]

    def arrive(_: object) -> None:
        nonlocal calls, waiting
        calls += 1
        for u in prefs[min(bisect.bisect_right(cum, rng.random() * total), len(cum) - 1)]:
            if idle[u]:
                idle[u] = False
                since[u] = env.now
                serve(u)
                break
        else:
            waiting += 1
        arrival.callbacks = [arrive]
        env.schedule(arrival, NORMAL, rng.expovariate(total))  # type: ignore[arg-type]

    arrival.callbacks = [arrive]
    env.schedule(arrival, NORMAL, rng.expovariate(total))  # type: ignore[arg-type]
    env.run(until=horizon)
    busy = [b + (0.0 if idle[u] else horizon - since[u]) for u, b in enumerate(busy)]
    return calls, [b / horizon for b in busy], queued(env)


def main() -> None:
    ap = options(__doc__, repeats=5, json_out=True)
    ap.add_argument("--n", type=int, default=100_000, help="calls expected per run (default 100,000)")
    ap.add_argument("--seed", type=int, default=1, help="first seed; repeat k uses seed + k")
    ap.add_argument("--only", choices=["model", "floor", "squads", "bare", "simpy"], help="time one implementation (for profiling)")
    args = ap.parse_args()

    sc = load_scenario(SCENARIO)
    ss = squad_system(sc)
    rates = [float(r) for r in ss.arrival_rates]
    prefs = [[int(u) for u in p] for p in ss.preferences]
    lam = sum(rates)
    mean_busy = 1.0 / ss.service_rate
    horizon = args.n / lam
    days = horizon / 1440
    exact = solve_hypercube(ss.arrival_rates, ss.preferences, ss.service_rate, "infinite")
    header("Hypercube squad dispatch: model vs textbook SimPy", scenario=SCENARIO.name,
           units=len(ss.unit_ids), atoms=len(rates), lam=f"{lam:g}/min", mean_busy=f"{mean_busy:.4g} min",
           rule=sc.command_centre.dispatch_rule.rule, n=f"{args.n:,}", days=f"{days:.1f}", repeats=args.repeats)

    runs = {"model": Series("model (TownModel)"), "floor": Series("closed loop, squads only"),
            "squads": Series("model squads alone"),
            "bare": Series("bare callbacks (prototype)"), "simpy": Series("textbook SimPy")}
    chosen = [args.only] if args.only else list(runs)
    events: dict[str, list[float]] = {key: [] for key in runs}  # queue entries per call
    for k in range(args.repeats):
        seed = args.seed + k
        for key, fn in (("model", partial(run_model, sc, seed, days)), ("floor", partial(run_floor, sc, seed, days)),
                        ("squads", partial(run_squads, sc, seed, days)),
                        ("bare", partial(run_bare, rates, prefs, mean_busy, horizon, seed)),
                        ("simpy", partial(run_simpy, rates, prefs, mean_busy, horizon, seed))):
            if key in chosen:
                secs, cpu, (n, load, entries) = timed_cpu(fn)
                runs[key].add(secs, n, load, cpu)
                events[key].append(entries / n)
        print(f"repeat {k + 1}/{args.repeats}: " + ", ".join(
            f"{runs[i].name} {runs[i].rates[-1]:,.0f} calls/s" for i in chosen), flush=True)
    print()

    print(table([[runs[i].name, median(runs[i].items), median(runs[i].seconds), runs[i].rate,
                  min(runs[i].rates), max(runs[i].rates), runs[i].cpu_rate, 1e6 / runs[i].cpu_rate,
                  median(events[i])] for i in chosen],
                ["implementation", "calls", "median s", "calls/s", "min/s", "max/s", "per CPU s",
                 "CPU µs/call", "events/call"]))
    print()
    rows = []
    inside = dict.fromkeys(chosen, True)  # every unit's exact workload inside that implementation's 99% CI
    same_as_simpy = dict.fromkeys(chosen[:-1], True)
    for u, uid in enumerate(ss.unit_ids):
        row: list = [uid, float(exact.workload[u])]
        per = {i: [run[u] for run in runs[i].stats] for i in chosen}
        for i in chosen:
            m, hw = mean_ci(per[i])
            row += [m, hw]
            inside[i] = inside[i] and abs(m - float(exact.workload[u])) <= hw
        for i in chosen[:-1]:
            if "simpy" in chosen:
                same, _diff, _ = agree(per[i], per["simpy"])
                same_as_simpy[i] = same_as_simpy[i] and same
                row.append("n/a: needs --repeats >= 2" if args.repeats < 2 else "yes" if same else "NO")
        rows.append(row)
    cols = ["unit", "hypercube"]
    for i in chosen:
        cols += [f"{i} workload", "±99% CI"]
    if "simpy" in chosen:
        cols += [f"{i} = SimPy (Welch, 1%)" for i in chosen[:-1]]
    print(table(rows, cols))
    print("workload = busy share of the whole horizon, from an empty start; CI over the repeats")
    ratios: dict[str, dict[str, float]] = {}
    if "simpy" in chosen:
        print()
        for key in chosen[:-1]:
            ratios[key] = {"cpu": runs[key].cpu_rate / runs["simpy"].cpu_rate,
                           "wall": runs[key].rate / runs["simpy"].rate}
        for key, target in (("squads", TARGET_SQUADS), ("model", TARGET_LOOP)):
            if key in chosen:
                wall = runs[key].rate / runs["simpy"].rate
                ratio = runs[key].cpu_rate / runs["simpy"].cpu_rate
                ratios[key]["target"] = target
                print(f"ratio {key}/simpy: {ratio:5.2f}x by CPU time, {wall:5.2f}x by wall time  "
                      f"(target >= {target:g}x, judged by CPU time)  {verdict(ratio, target)}")
        if "floor" in chosen:
            ratio = runs["floor"].cpu_rate / runs["simpy"].cpu_rate
            print(f"ratio floor/simpy: {ratio:5.2f}x by CPU time (the prototype: the closed loop with every stage "
                  f"but the squads free, against its {TARGET_LOOP:g}x)")
        if "bare" in chosen:
            ratio = runs["bare"].cpu_rate / runs["simpy"].cpu_rate
            print(f"ratio bare/simpy: {ratio:5.2f}x by CPU time (the prototype: the floor for the squads' {TARGET_SQUADS:g}x)")

    save_json(args.json, n=args.n, repeats=args.repeats, ratios=ratios,
              runs={i: {"name": runs[i].name, "calls": median(runs[i].items), "cpu_us_per_call": 1e6 / runs[i].cpu_rate,
                        "events_per_call": median(events[i]),
                        "workloads_inside_hypercube_ci": inside[i] if args.repeats >= 2 else None,
                        "workloads_same_as_simpy": same_as_simpy.get(i) if args.repeats >= 2 else None}
                    for i in chosen})


if __name__ == "__main__":
    main()
