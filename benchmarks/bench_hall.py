"""The service hall as an M/M/c queue: the model against textbook SimPy and Ciw, same run.

scenarios/textbook/mmc_hall.toml: c = 4 windows, λ = 0.25/min, mean service 12 min,
open round the clock. The model (``TownModel`` built and run for N/λ minutes; it also
makes a negligible number of incidents) is timed against

* textbook SimPy: ``simpy.Resource(capacity=c)``, one process per customer, N arrivals;
* Ciw: ``ciw.create_network`` with exponential arrivals and service, c servers, run
  until N customers have completed.

Each repeat runs the three one after the other with the same seed index, so they see
the same machine load; customers/s and the ratios are medians over the repeats. The mean
wait of each (batch means over every repeat, the first 1,000 customers of a run dropped
as warm-up) is checked against the others and against Erlang C.

    .venv/bin/python benchmarks/bench_hall.py [--n 200000] [--repeats 5] [--only model]
"""

from __future__ import annotations

import random
from functools import partial

import ciw
import common  # noqa: F401  (puts the repo root on sys.path)
import simpy
from common import (
    ROOT,
    Series,
    agree,
    batch_means,
    header,
    mean_ci,
    median,
    options,
    save_json,
    table,
    timed_cpu,
    verdict,
)

from sim.analytic.erlang import erlang_c
from sim.config import load_scenario
from sim.model import TownModel

SCENARIO = ROOT / "scenarios" / "textbook" / "mmc_hall.toml"
WARMUP = 1000  # customers dropped from the start of each run before taking the mean wait
TARGET_SIMPY, TARGET_CIW = 8.0, 15.0  # issue 14


def run_model(sc, seed: int, days: float) -> tuple[int, TownModel]:
    """Build and run the TownModel; the customers it served, and the model."""
    model = TownModel(sc, seed=seed, days=days)
    model.run()
    return len(model.hall.visits), model


def model_waits(model) -> list[float]:
    v = model.hall.visits
    return (v["service_start"] - v["arrival"]).tolist()


def run_simpy(lam: float, mu: float, c: int, n: int, seed: int) -> list[float]:
    """Textbook SimPy M/M/c: a Resource and one process per customer; waits in arrival order."""
    rng = random.Random(seed)
    env = simpy.Environment()
    windows = simpy.Resource(env, capacity=c)
    waits: list[float] = [0.0] * n

    def customer(env: simpy.Environment, k: int):
        arrived = env.now
        with windows.request() as req:
            yield req
            waits[k] = env.now - arrived
            yield env.timeout(rng.expovariate(mu))

    def source(env: simpy.Environment):
        for k in range(n):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env, k))

    env.process(source(env))
    env.run()
    return waits


def run_ciw(lam: float, mu: float, c: int, n: int, seed: int):
    """Ciw M/M/c until n customers have completed service; returns the simulation."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)],
        service_distributions=[ciw.dists.Exponential(mu)],
        number_of_servers=[c],
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_customers(n, method="Complete")
    return q


def ciw_waits(q) -> list[float]:
    recs = sorted(q.get_all_records(), key=lambda r: r.arrival_date)
    return [r.waiting_time for r in recs]


def main() -> None:
    ap = options(__doc__, repeats=5, json_out=True)
    ap.add_argument("--n", type=int, default=200_000, help="customers per run (default 200,000)")
    ap.add_argument("--seed", type=int, default=1, help="first seed; repeat k uses seed + k")
    ap.add_argument("--only", choices=["model", "simpy", "ciw"], help="time one implementation (for profiling)")
    args = ap.parse_args()

    sc = load_scenario(SCENARIO)
    hall = sc.service_hall
    c = hall.windows
    lam = hall.cases_per_year / (365 * 1440)  # per minute, open round the clock
    mu = 1.0 / hall.case_types[0].service_min.mean
    days = args.n / lam / 1440
    ec = erlang_c(lam, mu, c)
    header("M/M/c service hall: model vs textbook SimPy vs Ciw", scenario=SCENARIO.name, c=c,
           lam=f"{lam:g}/min", mean_service=f"{1 / mu:g} min", n=f"{args.n:,}", model_days=f"{days:.1f}",
           repeats=args.repeats)

    runs = {"model": Series("model (TownModel)"), "simpy": Series("textbook SimPy"), "ciw": Series("Ciw")}
    chosen = [args.only] if args.only else list(runs)
    for k in range(args.repeats):
        seed = args.seed + k
        if "model" in chosen:
            secs, cpu, (n, model) = timed_cpu(partial(run_model, sc, seed, days))
            runs["model"].add(secs, n, batch_means(model_waits(model)[WARMUP:]), cpu)
            del model
        if "simpy" in chosen:
            secs, cpu, waits = timed_cpu(partial(run_simpy, lam, mu, c, args.n, seed))
            runs["simpy"].add(secs, len(waits), batch_means(waits[WARMUP:]), cpu)
        if "ciw" in chosen:
            secs, cpu, q = timed_cpu(partial(run_ciw, lam, mu, c, args.n, seed))
            waits = ciw_waits(q)
            runs["ciw"].add(secs, len(waits), batch_means(waits[WARMUP:]), cpu)
            del q
        print(f"repeat {k + 1}/{args.repeats}: " + ", ".join(
            f"{runs[i].name} {runs[i].rates[-1]:,.0f}/s" for i in chosen), flush=True)
    print()

    rows = []
    waits: dict[str, dict[str, float | bool]] = {}
    for key in chosen:
        s = runs[key]
        bm = [b for run in s.stats for b in run]
        m, hw = mean_ci(bm)
        ok = "yes" if abs(m - ec.mean_wait) <= hw else "NO"
        waits[key] = {"mean_wait_min": m, "ci99_min": hw, "erlang_c_in_ci": ok == "yes",
                      "customers_per_cpu_s": s.cpu_rate, "customers_per_s": s.rate}
        rows.append([s.name, median(s.items), median(s.seconds), s.rate, min(s.rates), max(s.rates), s.cpu_rate,
                     m, hw, ok])
    print(table(rows, ["implementation", "customers", "median s", "customers/s", "min/s", "max/s",
                       "per CPU s", "mean wait", "±99% CI", "Erlang C in CI"]))
    print(f"Erlang C mean wait: {ec.mean_wait:.4f} min (P(wait) {ec.p_wait:.4f}, utilisation {ec.utilisation:.2f})")
    if "model" in chosen:
        model_bm = [b for run in runs["model"].stats for b in run]
        for key in chosen[1:]:
            other = [b for run in runs[key].stats for b in run]
            same, diff, hw = agree(model_bm, other)
            waits[key]["same_wait_as_model"] = same
            print(f"model - {runs[key].name} mean wait: {diff:+.3f} ± {hw:.3f} min (99%): "
                  + ("same within noise" if same else "DIFFERENT beyond noise"))
    ratios: dict[str, dict[str, float]] = {}
    if "model" in chosen:
        print()
        for key, target in (("simpy", TARGET_SIMPY), ("ciw", TARGET_CIW)):
            if key in chosen:
                wall = runs["model"].rate / runs[key].rate
                ratio = runs["model"].cpu_rate / runs[key].cpu_rate
                ratios[key] = {"cpu": ratio, "wall": wall, "target": target}
                print(f"ratio model/{key:<5}: {ratio:5.2f}x by CPU time, {wall:5.2f}x by wall time  "
                      f"(target >= {target:g}x, judged by CPU time)  {verdict(ratio, target)}")

    save_json(args.json, n=args.n, repeats=args.repeats, erlang_c_mean_wait_min=ec.mean_wait, runs=waits,
              ratios=ratios)


if __name__ == "__main__":
    main()
