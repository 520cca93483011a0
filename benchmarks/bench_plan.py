"""`gridsim plan` on the Xu Xiake preset: time against its targets and against one simulated month.

Targets (issue 11): `plan bases` for K = 2..6 under 30 s in total without --verify;
`plan grids` under 60 s. Each repeat times, in one process and one after the other, the
baseline (one 30-day replication of the same scenario, the unit a planner already waits
for) and each planning step, so the ratio sees the same machine load. Wall and CPU
seconds are both printed: on a shared box the wall time also counts waiting for a core.

    .venv/bin/python benchmarks/bench_plan.py [--repeats 3] [--only bases|grids]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, header, median, table, verdict

from sim.config import load_scenario
from sim.runner import run_replication

SCENARIO = ROOT / "scenarios" / "xuxiake_1plus4.toml"


def _clock(fn: Callable[[], Any]) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def plan_bases() -> None:
    from sim.plan.bases import current_plan, propose_bases
    from sim.plan.inputs import plan_town
    from sim.plan.locate import village_sites

    town = plan_town(load_scenario(SCENARIO))
    propose_bases(town, [2, 3, 4, 5, 6], village_sites(town))
    current_plan(town)


def plan_grids() -> None:
    from sim.plan.grids import GridRule, propose_grids
    from sim.plan.inputs import plan_town

    sc = load_scenario(SCENARIO)
    propose_grids(plan_town(sc), GridRule(200, 500, sc.town.grid_division.households_per_grid))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", choices=("bases", "grids"))
    args = ap.parse_args()
    header("gridsim plan on xuxiake_1plus4 (60 villages, 138 grids)", repeats=args.repeats)
    sc = load_scenario(SCENARIO)
    steps = {"bases": (plan_bases, 30.0), "grids": (plan_grids, 60.0)}
    chosen = {k: v for k, v in steps.items() if args.only in (None, k)}
    base_w, base_c = [], []
    wall: dict[str, list[float]] = {k: [] for k in chosen}
    cpu: dict[str, list[float]] = {k: [] for k in chosen}
    for _ in range(args.repeats):
        w, c = _clock(lambda: run_replication(sc, 1, 30))
        base_w.append(w)
        base_c.append(c)
        for name, (fn, _) in chosen.items():
            w, c = _clock(fn)
            wall[name].append(w)
            cpu[name].append(c)
    rows = [["one 30-day replication (baseline)", median(base_w), median(base_c), 1.0, "", ""]]
    for name, (_, target) in chosen.items():
        label = "plan bases, K = 2..6" if name == "bases" else "plan grids"
        rows.append([label, median(wall[name]), median(cpu[name]), median(cpu[name]) / median(base_c),
                     f"< {target:g} s", verdict(median(wall[name]), target, higher_is_better=False)])
    print(table(rows, ["step", "wall s (median)", "CPU s (median)", "CPU ratio to baseline", "target",
                       "wall vs target"]))


if __name__ == "__main__":
    main()
