"""A simulated year of a preset: incidents per second and peak memory, against a baseline.

The baseline, run in the same process, is the bare cost of the same incident stream in
textbook SimPy (one process per incident, one timeout per closed-loop stage, nothing
else). The ratio says what the model's agents, policies and records cost on top.

    .venv/bin/python benchmarks/bench_year.py [SCENARIO] [--days 365]

Targets (issue 7): a year of the default preset (Xu Xiake) in <= 3 s on one core, with
peak memory <= 300 MB, the event log written.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import header, table, verdict

import simpy

from sim.config import load_scenario
from sim.model import TownModel

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS, TARGET_MB = 3.0, 300.0


def baseline(occurred: list[float]) -> float:
    """Seconds for textbook SimPy to push the same incidents through six stage timeouts."""
    env = simpy.Environment()

    def case(env: simpy.Environment):
        for _ in range(6):
            yield env.timeout(5.0)

    def arrivals(env: simpy.Environment):
        for t in occurred:
            yield env.timeout(t - env.now)
            env.process(case(env))

    start = time.perf_counter()
    env.process(arrivals(env))
    env.run()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "xuxiake_1plus4.toml"))
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    header("A simulated year: model vs bare textbook SimPy", scenario=sc.meta.name, days=f"{args.days:g}",
           seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        model = TownModel(sc, seed=args.seed, days=args.days, incidents_path=Path(tmp) / "incidents.parquet")
        model.run()
        model.finish()
        took = time.perf_counter() - start
        n = len(model.log)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    frame = model.log.frame()
    base = baseline(sorted(frame.occurred_at.tolist()))
    print(table([
        ["model (TownModel, log to Parquet)", n, took, n / took],
        ["textbook SimPy, 6 timeouts each, no logic", n, base, n / base],
    ], ["run", "incidents", "seconds", "incidents/s"]))
    print(f"ratio model/bare    {took / base:.2f}x slower than the bare event loop")
    print(f"peak memory         {peak_mb:.0f} MB (ru_maxrss of the process; incident log streamed to Parquet)")
    print()
    year = took * 365 / args.days
    print(f"year in <= {TARGET_SECONDS:g} s   : {year:.2f} s{' (scaled to 365 days)' if args.days != 365 else ''}  "
          f"{verdict(year, TARGET_SECONDS, higher_is_better=False)}")
    print(f"peak <= {TARGET_MB:g} MB   : {peak_mb:.0f} MB  {verdict(peak_mb, TARGET_MB, higher_is_better=False)}")


if __name__ == "__main__":
    main()
