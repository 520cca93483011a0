"""How well a sweep scales: runs per minute per worker on 1 and 2 workers, and the efficiency.

Efficiency = (rate per worker with 2 workers) / (rate with 1 worker); 1.0 is perfect scaling.
Both use the same local process pool (pool start-up included, the one-off fork-server
import excluded), the same scenario and seeds.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 16] [--days 5] [--scenario FILE]

Issue 14 measures it with `--runs 20 --days 30` and extrapolates 1,000 runs on 2 workers.
On a shared box the wall time of the pool counts every other job too, so the script also
times the same runs one by one in this process by CPU time (``os.times``) and prints what
1,000 of them cost two free cores (1,000 x CPU per run / 2: perfect scaling, a lower bound
on the wall time; the target is judged by the larger of the two extrapolations only when
the box is quiet, see BENCHMARKS.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, cpu_seconds, header, median, options, table, verdict

from sim.config import load_scenario
from sim.runner import run_replication
from sim.sweep.runners import Task, run_local

TARGET = 0.90  # issue 7: >= 90% scaling efficiency from 1 to 2 workers
TARGET_MINUTES = 4.0  # issue 14: 1,000 30-day runs on 2 workers, extrapolated


def rate(tasks: list[Task], workers: int) -> float:
    """Runs per minute per worker for one pass over ``tasks``."""
    failures: list[str] = []
    started = time.perf_counter()
    run_local(tasks, workers, lambda t, r: None, lambda t, m: failures.append(m))
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} runs failed, e.g. {failures[0]}")
    return len(tasks) / (elapsed / 60) / workers


def main() -> None:
    ap = options(__doc__)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "xuxiake_1plus4.toml")
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--days", type=float, default=5)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    tasks = [Task(f"r{k}", 0, k, 1 + k, sc, args.days) for k in range(args.runs)]
    header("Sweep scaling: 1 vs 2 local workers", scenario=args.scenario.name, runs=args.runs,
           days=f"{args.days:g}")
    rate(tasks[:1], 1)  # start the fork server (model imports) outside the timings
    one = rate(tasks, 1)
    two = rate(tasks, 2)
    print(table([["1 worker", one, one], ["2 workers", two, 2 * two]],
                ["pool", "runs/minute/worker", "runs/minute"]))
    eff = two / one
    print(f"scaling efficiency (2 vs 1): {eff:.2f}  (target >= {TARGET:.2f})  "
          f"{verdict(eff, TARGET)}")
    thousand = 1000 / (2 * two)
    print(f"1,000 runs of {args.days:g} days on 2 workers, extrapolated from the pool's wall time: "
          f"{thousand:.1f} min  (target <= {TARGET_MINUTES:g} min for 30-day runs)  "
          f"{verdict(thousand, TARGET_MINUTES, higher_is_better=False)}")
    cpu = []
    for t in tasks[:min(len(tasks), 5)]:
        c0 = cpu_seconds()
        run_replication(t.scenario, t.seed, t.days)
        cpu.append(cpu_seconds() - c0)
    per_run = median(cpu)
    free = 1000 * per_run / 2 / 60
    print(f"CPU per run in this process (median of {len(cpu)}): {per_run:.2f} s; 1,000 runs on two free cores "
          f"(perfect scaling): {free:.1f} min  {verdict(free, TARGET_MINUTES, higher_is_better=False)}")


if __name__ == "__main__":
    main()
