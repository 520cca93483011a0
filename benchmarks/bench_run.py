"""A planner's `gridsim run`: the whole command's wall time against the simulation alone.

Interleaved repeats of

* the whole command in a fresh process (`python -m sim run SCENARIO --days D --out DIR`):
  start-up and imports, the scenario check, the run, the measures and every output file;
* the simulation alone, in this process with everything imported: build the
  ``TownModel``, run it to the horizon and close its records (no measures, no files).

The ratio of the medians says what start-up and output add on top of the simulation. It is
judged by CPU time (``os.times``: the command's process is a waited-for child), which other
jobs on a shared box do not inflate; the wall-time ratio is printed beside it.

Then where the rest goes: the CPU of ``import sim.runner`` in a fresh process (the run's
own imports: Mesa, pandas, PyArrow, the model) and, in this process, of each end-of-run
step of ``run_replication`` (measures, tables, Parquet files, GeoPackages with their
first-use imports of GeoPandas and pyogrio/GDAL, summary.json).

And the floor: a fresh process that only imports what any run needs and cannot avoid
(Python, NumPy, SimPy, Mesa — which imports pandas —, pydantic, PyArrow's Parquet) and
loads the scenario (``FLOOR``). The floor plus the simulation alone, over the simulation
alone, is the best ratio a command built on these libraries could reach.

    .venv/bin/python benchmarks/bench_run.py [SCENARIO] [--days 30] [--repeats 5]

Target (issue 14): whole command <= 1.5x the simulation alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import (
    ROOT,
    Series,
    cpu_seconds,
    header,
    median,
    options,
    save_json,
    table,
    timed_cpu,
    verdict,
)

import sim.runner as runner
from sim.config import load_scenario
from sim.model import TownModel

TARGET = 1.5
FLOOR = ("import sim, numpy, simpy, mesa, mesa.space, pydantic, pyarrow.parquet\n"
         "from sim.config import load_scenario\n"
         "load_scenario({scenario!r})")


def whole_command(scenario: str, days: float, out: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, "-m", "sim", "run", scenario, "--days", f"{days:g}", "--out", str(out)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def warm_caches(scenario: str, days: float, out: Path) -> None:
    """Run the command once, untimed, with bytecode writing allowed: then every repeat starts as an installed
    gridsim does, its modules' bytecode and the scenario's schema kept (sim.config.schema_cache), whatever
    PYTHONDONTWRITEBYTECODE says here (set, a fresh checkout would compile every module on every start)."""
    whole_command(scenario, days, out, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})


def simulation_alone(sc, days: float) -> int:
    model = TownModel(sc, days=days)
    model.run()
    model.finish()
    return len(model.log)


def imports_alone(module: str = "sim.cli") -> None:
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, check=True)


def floor(scenario: str) -> None:
    # as `gridsim` starts (sim/__main__.py): no pydantic plugins looked for
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": os.environ.get("PYDANTIC_DISABLE_PLUGINS", "__all__")}
    subprocess.run([sys.executable, "-c", FLOOR.format(scenario=scenario)], cwd=ROOT, check=True, env=env)


END_STEPS = ("staff_table", "summarize", "grid_table", "release_memory", "write_run_layers", "write_json")


def end_of_run_steps(sc, days: float, out: Path) -> dict[str, float]:
    """CPU seconds of each end-of-run step of one ``run_replication`` (its functions wrapped with a timer)."""
    spent: dict[str, float] = {}
    originals = {name: getattr(runner, name) for name in END_STEPS}

    def timing(name: str, fn):
        def timed_step(*args, **kwargs):
            start = cpu_seconds()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + cpu_seconds() - start
        return timed_step

    for name, fn in originals.items():
        setattr(runner, name, timing(name, fn))
    model_run, model_finish = TownModel.run, TownModel.finish
    TownModel.run = timing("simulation", model_run)
    TownModel.finish = timing("simulation", model_finish)
    try:
        start = cpu_seconds()
        runner.run_replication(sc, sc.run.seed, days, out)
        spent["Parquet files and the rest"] = cpu_seconds() - start - sum(spent.values())
    finally:
        for name, fn in originals.items():
            setattr(runner, name, fn)
        TownModel.run, TownModel.finish = model_run, model_finish
    return spent


def main() -> None:
    ap = options(__doc__, scenario="xuxiake_1plus4.toml", days=30, repeats=5, json_out=True)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    header("gridsim run: whole command vs the simulation alone", scenario=Path(args.scenario).name,
           days=f"{args.days:g}", repeats=args.repeats)
    whole, alone, start = Series("whole `gridsim run`"), Series("simulation alone"), Series("`import sim.cli` alone")
    run_imports = Series("`import sim.runner` alone")
    lowest = Series("floor (imports a run cannot avoid, scenario loaded)")
    with tempfile.TemporaryDirectory() as tmp:
        warm_caches(args.scenario, args.days, Path(tmp) / "warm")
        for k in range(args.repeats):
            secs, cpu, _ = timed_cpu(partial(whole_command, args.scenario, args.days, Path(tmp) / f"r{k}"))
            whole.add(secs, 1, cpu=cpu)
            secs, cpu, n = timed_cpu(lambda: simulation_alone(sc, args.days))
            alone.add(secs, n, cpu=cpu)
            secs, cpu, _ = timed_cpu(imports_alone)
            start.add(secs, 1, cpu=cpu)
            secs, cpu, _ = timed_cpu(partial(imports_alone, "sim.runner"))
            run_imports.add(secs, 1, cpu=cpu)
            secs, cpu, _ = timed_cpu(partial(floor, args.scenario))
            lowest.add(secs, 1, cpu=cpu)
            print(f"repeat {k + 1}/{args.repeats}: whole {whole.seconds[-1]:.2f} s ({whole.cpu[-1]:.2f} CPU s), "
                  f"simulation {alone.seconds[-1]:.2f} s ({alone.cpu[-1]:.2f}), "
                  f"imports {start.seconds[-1]:.2f} s ({start.cpu[-1]:.2f}), "
                  f"run's imports {run_imports.seconds[-1]:.2f} s ({run_imports.cpu[-1]:.2f}), "
                  f"floor {lowest.seconds[-1]:.2f} s ({lowest.cpu[-1]:.2f})", flush=True)
        (Path(tmp) / "steps").mkdir()
        steps = end_of_run_steps(sc, args.days, Path(tmp) / "steps")
    print()
    print(table([[s.name, median(s.seconds), min(s.seconds), max(s.seconds), median(s.cpu)]
                 for s in (whole, alone, start, run_imports, lowest)], ["part", "median s", "min s", "max s", "median CPU s"]))
    print()
    print("one run_replication in this process, CPU s per step: "
          + ", ".join(f"{name} {secs:.3f}" for name, secs in steps.items()))
    wall = median(whole.seconds) / median(alone.seconds)
    ratio = median(whole.cpu) / median(alone.cpu)
    best = (median(lowest.cpu) + median(alone.cpu)) / median(alone.cpu)
    print(f"floor + simulation alone / simulation alone: {best:.2f}x by CPU time (the best a command on these "
          f"libraries could reach); whole - floor - simulation: {median(whole.cpu) - median(lowest.cpu) - median(alone.cpu):.2f} CPU s")
    print()
    print(f"whole / simulation alone: {ratio:.2f}x by CPU time, {wall:.2f}x by wall time  "
          f"(target <= {TARGET:g}x, judged by CPU time)  {verdict(ratio, TARGET, higher_is_better=False)}")
    save_json(args.json, days=args.days, repeats=args.repeats,
              ratios={"whole": {"cpu": ratio, "wall": wall, "target": TARGET}, "floor": {"cpu": best}},
              cpu_s={"whole": median(whole.cpu), "simulation": median(alone.cpu), "import_sim_cli": median(start.cpu),
                     "import_sim_runner": median(run_imports.cpu), "floor": median(lowest.cpu)},
              end_of_run_cpu_s=steps)


if __name__ == "__main__":
    main()
