"""How well a sweep scales: runs per minute per worker on 1 and 2 workers, and the efficiency.

Efficiency = (rate per worker with 2 workers) / (rate with 1 worker); 1.0 is perfect scaling.
Both use the same local process pool (pool start-up included, the one-off fork-server
import excluded), the same scenario and seeds.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 16] [--days 5] [--scenario FILE]

Issue 14 measures it with `--runs 20 --days 30` and extrapolates 1,000 runs on 2 workers.
On a shared box the wall time of the pool counts every other job too, so the script also
times the same runs one by one in this process by CPU time (``os.times``) and prints what
1,000 of them cost two free cores (1,000 x CPU per run / 2: perfect scaling, a lower bound
on the wall time). benchmarks/issue14.py judges the target by this CPU figure, as every speed
target on a shared box, and prints the pool's wall-time extrapolations beside it: on a quiet box
they agree with it only if the pool scales.

The pool's wall time of N runs is a fixed part (starting the workers, the last run that
leaves one worker idle) plus N x a run's marginal cost; 1,000 runs pay the fixed part once,
not 50 times as the linear extrapolation from 20 runs has them pay it. So the 2-worker pool
is also timed on the first half of the runs and on all of them, in turn (``--repeats``
times each, medians): marginal = (wall(N) - wall(N/2)) / (N - N/2), fixed = wall(N) - N x
marginal, and 1,000 runs = fixed + 1,000 x marginal. Both extrapolations are printed.
"""

from __future__ import annotations

import time
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, cpu_seconds, header, median, options, save_json, table, verdict

from sim.config import load_scenario
from sim.runner import run_replication
from sim.sweep.runners import Task, run_local

TARGET = 0.90  # issue 7: >= 90% scaling efficiency from 1 to 2 workers
TARGET_MINUTES = 4.0  # issue 14: 1,000 30-day runs on 2 workers, extrapolated


def wall(tasks: list[Task], workers: int) -> float:
    """Wall seconds of one pass over ``tasks`` on a new local pool of ``workers``."""
    failures: list[str] = []
    started = time.perf_counter()
    run_local(tasks, workers, lambda t, r: None, lambda t, m: failures.append(m))
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} runs failed, e.g. {failures[0]}")
    return elapsed


def rate(tasks: list[Task], workers: int) -> float:
    """Runs per minute per worker for one pass over ``tasks``."""
    return len(tasks) / (wall(tasks, workers) / 60) / workers


def main() -> None:
    ap = options(__doc__, json_out=True)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "xuxiake_1plus4.toml")
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--days", type=float, default=5)
    ap.add_argument("--repeats", type=int, default=3, help="passes of N/2 and N runs on 2 workers, in turn")
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    tasks = [Task(f"r{k}", 0, k, 1 + k, sc, args.days) for k in range(args.runs)]
    header("Sweep scaling: 1 vs 2 local workers", scenario=args.scenario.name, runs=args.runs,
           days=f"{args.days:g}")
    rate(tasks[:1], 1)  # start the fork server (model imports) outside the timings
    one = rate(tasks, 1)
    print(f"1 worker: {len(tasks)} runs done", flush=True)
    two = rate(tasks, 2)
    print(f"2 workers: {len(tasks)} runs done", flush=True)
    print(table([["1 worker", one, one], ["2 workers", two, 2 * two]],
                ["pool", "runs/minute/worker", "runs/minute"]))
    eff = two / one
    print(f"scaling efficiency (2 vs 1): {eff:.2f}  (target >= {TARGET:.2f})  "
          f"{verdict(eff, TARGET)}")
    thousand = 1000 / (2 * two)
    print(f"1,000 runs of {args.days:g} days on 2 workers, extrapolated from the pool's wall time: "
          f"{thousand:.1f} min  (target <= {TARGET_MINUTES:g} min for 30-day runs)  "
          f"{verdict(thousand, TARGET_MINUTES, higher_is_better=False)}")
    half = tasks[:len(tasks) // 2]
    walls: dict[int, list[float]] = {len(half): [], len(tasks): []}
    for k in range(args.repeats):
        for part in (half, tasks):
            walls[len(part)].append(wall(part, 2))
        print(f"repeat {k + 1}/{args.repeats}: 2 workers, {len(half)} runs {walls[len(half)][-1]:.2f} s, "
              f"{len(tasks)} runs {walls[len(tasks)][-1]:.2f} s", flush=True)
    short, full = median(walls[len(half)]), median(walls[len(tasks)])
    marginal = (full - short) / (len(tasks) - len(half))
    fixed = full - len(tasks) * marginal
    thousand_fixed = (fixed + 1000 * marginal) / 60
    print(f"2 workers, wall s (median of {args.repeats}): {len(half)} runs {short:.2f}, {len(tasks)} runs {full:.2f} "
          f"(each pass: {', '.join(f'{w:.2f}' for w in walls[len(half)])} / "
          f"{', '.join(f'{w:.2f}' for w in walls[len(tasks)])}); a run's marginal wall {marginal:.3f} s "
          f"({marginal * 2:.3f} s a worker), fixed {fixed:.2f} s")
    print(f"1,000 runs of {args.days:g} days on 2 workers, fixed + 1,000 x marginal: {thousand_fixed:.2f} min  "
          f"{verdict(thousand_fixed, TARGET_MINUTES, higher_is_better=False)}")
    cpu = []
    for t in tasks[:min(len(tasks), 5)]:
        c0 = cpu_seconds()
        run_replication(t.scenario, t.seed, t.days)
        cpu.append(cpu_seconds() - c0)
    per_run = median(cpu)
    free = 1000 * per_run / 2 / 60
    print(f"CPU per run in this process (median of {len(cpu)}): {per_run:.2f} s; 1,000 runs on two free cores "
          f"(perfect scaling): {free:.1f} min  {verdict(free, TARGET_MINUTES, higher_is_better=False)}")

    save_json(args.json, runs=args.runs, days=args.days, repeats=args.repeats, target_minutes=TARGET_MINUTES,
              runs_per_minute={"1 worker": one, "2 workers": 2 * two}, scaling_efficiency=eff,
              minutes_1000={"pool_linear": thousand, "pool_fixed_marginal": thousand_fixed, "cpu_two_free_cores": free},
              pool_fixed_s=fixed, pool_marginal_s=marginal, cpu_s_per_run=per_run, cpu_s_each_run=cpu)


if __name__ == "__main__":
    main()
