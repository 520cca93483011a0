"""Squad dispatch on a hypercube instance: the model against textbook SimPy, same run.

scenarios/textbook/hypercube_5squads.toml: 5 one-crew squads at fixed bases, 6 demand
atoms, home-zone-first dispatch, exponential busy time (mean 30 min, travel negligible),
one FCFS queue when every unit is busy; λ = 0.1 calls/min. The model (``TownModel``
built and run for N/λ minutes: every incident goes round the whole closed loop, of
which the squad is one stage) is timed against a textbook SimPy version of the same
queue: one process per call, a shared list of idle units, the call takes the first idle
unit in its atom's preference list (read from ``squad_system(scenario).preferences``) or
waits in a FCFS queue of SimPy events, which a unit that finishes hands itself to.

Both run the same horizon (N calls expected; the counts are printed). Each repeat runs
the two one after the other with the same seed index; calls/s and the ratio are medians
over the repeats. Per-unit workloads (busy share of the horizon, from an empty start) are
compared with each other across repeats and with the exact hypercube solution.

    .venv/bin/python benchmarks/bench_dispatch.py [--n 100000] [--repeats 5] [--only model]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
from collections import deque
from functools import partial
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
import simpy
from common import Series, agree, header, mean_ci, median, table, timed, verdict

from sim.analytic.from_scenario import squad_system
from sim.analytic.hypercube import solve_hypercube
from sim.config import load_scenario
from sim.model import TownModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "textbook" / "hypercube_5squads.toml"
TARGET = 3.0


def run_model(sc, seed: int, days: float) -> tuple[int, list[float]]:
    """Build and run the TownModel; the calls that occurred and each crew's busy share."""
    model = TownModel(sc, seed=seed, days=days)
    model.run()
    centre, h = model.centre, model.horizon
    calls = centre.closed + len(centre.live)
    busy = [c.busy_min + (0.0 if c.idle else h - c.busy_since) for c in centre.crews]
    return calls, [b / h for b in busy]


def run_simpy(rates: list[float], prefs: list[list[int]], mean_busy: float, horizon: float,
              seed: int) -> tuple[int, list[float]]:
    """Textbook SimPy hypercube queue; the calls that arrived and each unit's busy share."""
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
    return calls, [b / horizon for b in busy]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="calls expected per run (default 100,000)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1, help="first seed; repeat k uses seed + k")
    ap.add_argument("--only", choices=["model", "simpy"], help="time one implementation (for profiling)")
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

    runs = {"model": Series("model (TownModel)"), "simpy": Series("textbook SimPy")}
    chosen = [args.only] if args.only else list(runs)
    for k in range(args.repeats):
        seed = args.seed + k
        if "model" in chosen:
            secs, (n, load) = timed(partial(run_model, sc, seed, days))
            runs["model"].add(secs, n, load)
        if "simpy" in chosen:
            secs, (n, load) = timed(partial(run_simpy, rates, prefs, mean_busy, horizon, seed))
            runs["simpy"].add(secs, n, load)
        print(f"repeat {k + 1}/{args.repeats}: " + ", ".join(
            f"{runs[i].name} {runs[i].rates[-1]:,.0f} calls/s" for i in chosen), flush=True)
    print()

    print(table([[runs[i].name, median(runs[i].items), median(runs[i].seconds), runs[i].rate,
                  min(runs[i].rates), max(runs[i].rates)] for i in chosen],
                ["implementation", "calls", "median s", "calls/s", "min/s", "max/s"]))
    print()
    rows = []
    for u, uid in enumerate(ss.unit_ids):
        row: list = [uid, float(exact.workload[u])]
        per = {i: [run[u] for run in runs[i].stats] for i in chosen}
        for i in chosen:
            m, hw = mean_ci(per[i])
            row += [m, hw]
        if len(chosen) == 2:
            same, _diff, _ = agree(per["model"], per["simpy"])
            row.append("n/a: needs --repeats >= 2" if args.repeats < 2 else "yes" if same else "NO")
        rows.append(row)
    cols = ["unit", "hypercube"]
    for i in chosen:
        cols += [f"{i} workload", "±99% CI"]
    if len(chosen) == 2:
        cols.append("model = SimPy (Welch, 1%)")
    print(table(rows, cols))
    print("workload = busy share of the whole horizon, from an empty start; CI over the repeats")
    if len(chosen) == 2:
        ratio = runs["model"].rate / runs["simpy"].rate
        print()
        print(f"ratio model/simpy: {ratio:5.2f}x  (target >= {TARGET:g}x)  {verdict(ratio, TARGET)}")


if __name__ == "__main__":
    main()
