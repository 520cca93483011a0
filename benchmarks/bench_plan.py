"""`gridsim plan` on the Xu Xiake preset: time against its targets and against one simulated month.

Targets (issue 11): `plan bases` for K = 2..6 under 30 s in total without --verify;
`plan grids` under 60 s. Each repeat times, one after the other so they see the same
machine load: the baseline (one 30-day replication of the same scenario in-process, the
unit a planner already waits for), each planning step in-process (the optimisation
alone, imports already paid), and each whole command as a user runs it (a fresh
`gridsim plan …` process: imports, solving, maps, scenario files). Wall and CPU seconds
are both printed (a child's CPU from its rusage): on a shared box the wall time also
counts waiting for a core, the CPU time does not.

    .venv/bin/python benchmarks/bench_plan.py [--repeats 3] [--only bases|grids] [--scenario FILE]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, header, median, options, table, verdict

from sim.config import load_scenario
from sim.runner import run_replication

SCENARIO = ROOT / "scenarios" / "xuxiake_1plus4.toml"


def _clock(fn: Callable[[], Any]) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def plan_bases(scenario: Path = SCENARIO) -> None:
    from sim.plan.bases import current_plan, propose_bases
    from sim.plan.inputs import plan_town
    from sim.plan.sites import candidate_sites

    sc = load_scenario(scenario)
    town = plan_town(sc)
    propose_bases(town, [2, 3, 4, 5, 6], candidate_sites(town, sc.plan, str(scenario)))
    current_plan(town)


def plan_grids(scenario: Path = SCENARIO) -> None:
    from sim.plan.grids import GridRule, propose_grids
    from sim.plan.inputs import plan_town

    sc = load_scenario(scenario)
    propose_grids(plan_town(sc), GridRule(200, 500, sc.town.grid_division.households_per_grid))


def command(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `gridsim …` process (its CPU from the child's rusage)."""
    before = os.times()
    w = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "sim", *args, "--out", str(Path(tmp) / "plan")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    after = os.times()
    return (time.perf_counter() - w,
            (after.children_user - before.children_user) + (after.children_system - before.children_system))


def main() -> None:
    ap = options(__doc__, repeats=3)
    ap.add_argument("--only", choices=("bases", "grids"))
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    args = ap.parse_args()
    header(f"gridsim plan on {args.scenario.name}", repeats=args.repeats)
    sc = load_scenario(args.scenario)
    steps = {
        "bases": (lambda: plan_bases(args.scenario), ["plan", "bases", str(args.scenario), "--squads", "2..6"], 30.0),
        "grids": (lambda: plan_grids(args.scenario), ["plan", "grids", str(args.scenario)], 60.0),
    }
    chosen = {k: v for k, v in steps.items() if args.only in (None, k)}
    base_w, base_c = [], []
    wall: dict[str, list[float]] = {k: [] for k in [*chosen, *(f"{k} command" for k in chosen)]}
    cpu: dict[str, list[float]] = {k: [] for k in wall}
    for _ in range(args.repeats):
        w, c = _clock(lambda: run_replication(sc, 1, 30))
        base_w.append(w)
        base_c.append(c)
        for name, (fn, cli, _) in chosen.items():
            w, c = _clock(fn)
            wall[name].append(w)
            cpu[name].append(c)
            w, c = command(cli)
            wall[f"{name} command"].append(w)
            cpu[f"{name} command"].append(c)
    rows = [["one 30-day replication (baseline, in-process)", median(base_w), median(base_c), 1.0, "", ""]]
    for name, (_, cli, target) in chosen.items():
        label = "plan bases, K = 2..6" if name == "bases" else "plan grids"
        for key, what in ((name, f"{label}: optimisation in-process"),
                          (f"{name} command", f"gridsim {' '.join(cli[:2])} {' '.join(cli[3:])}: whole command")):
            rows.append([what, median(wall[key]), median(cpu[key]), median(cpu[key]) / median(base_c),
                         f"< {target:g} s", verdict(median(wall[key]), target, higher_is_better=False)
                         + f"; CPU {'met' if median(cpu[key]) < target else 'NOT met'}"])
    print(table(rows, ["step", "wall s (median)", "CPU s (median)", "CPU ratio to baseline", "target",
                       "wall vs target"]))


if __name__ == "__main__":
    main()
